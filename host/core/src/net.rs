//! Network allow-list rules. A plugin's manifest asks for rules, the user's configuration grants
//! rules, and a URL is reachable only when both a requested and a granted rule match it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use url::Url;

/// One allow-list rule: `scheme://host[:port][/path-prefix]`.
///
/// - `host` is a name or IP literal, `*.example.com` (any subdomain, not the domain itself), or
///   `*` (any host).
/// - A missing port means the scheme's default port; `:*` means any port.
/// - A path prefix matches whole segments: `/api` matches `/api` and `/api/v1`, not `/apix`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HostRule {
    scheme: String,
    host: HostPattern,
    port: PortPattern,
    path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum HostPattern {
    Any,
    Exact(String),
    Subdomains(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum PortPattern {
    Any,
    Exact(u16),
}

/// Why a rule or a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HostRuleError {
    #[error("`{0}` is not a valid host rule: {1}")]
    Rule(String, &'static str),
    #[error("`{0}` is not a valid URL: {1}")]
    Url(String, String),
    #[error("URL `{0}` carries user information, which is never allowed")]
    UserInfo(String),
    #[error("URL `{0}` uses scheme `{1}`; only http and https are allowed")]
    Scheme(String, String),
}

impl HostRule {
    /// Whether the rule allows `url`.
    pub fn matches(&self, url: &Url) -> bool {
        if url.scheme() != self.scheme {
            return false;
        }
        let Some(host) = url.host_str() else { return false };
        let host = host.to_ascii_lowercase();
        let host_ok = match &self.host {
            HostPattern::Any => true,
            HostPattern::Exact(h) => *h == host,
            HostPattern::Subdomains(d) => {
                host.len() > d.len() + 1
                    && host.ends_with(d.as_str())
                    && host.as_bytes()[host.len() - d.len() - 1] == b'.'
            }
        };
        let port_ok = match self.port {
            PortPattern::Any => true,
            PortPattern::Exact(p) => url.port_or_known_default() == Some(p),
        };
        let path = url.path();
        let path_ok = self.path == "/"
            || path == self.path
            || (path.starts_with(self.path.as_str()) && path.as_bytes().get(self.path.len()) == Some(&b'/'));
        host_ok && port_ok && path_ok
    }
}

/// Parses a URL a plugin wants to reach, refusing what no rule should ever allow.
pub fn parse_target(raw: &str) -> Result<Url, HostRuleError> {
    let url = Url::parse(raw).map_err(|e| HostRuleError::Url(raw.to_owned(), e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(HostRuleError::UserInfo(raw.to_owned()));
    }
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(HostRuleError::Scheme(raw.to_owned(), url.scheme().to_owned()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(HostRuleError::Url(raw.to_owned(), "no host".to_owned()));
    }
    Ok(url)
}

impl FromStr for HostRule {
    type Err = HostRuleError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let bad = |why| HostRuleError::Rule(raw.to_owned(), why);
        let (scheme, rest) = raw.split_once("://").ok_or_else(|| bad("expected scheme://host"))?;
        if scheme != "http" && scheme != "https" {
            return Err(bad("the scheme must be http or https"));
        }
        if rest.contains(['@', '?', '#', '\\']) {
            return Err(bad("user information, queries and fragments are not allowed"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = split_port(authority).ok_or_else(|| bad("the port must be a number or *"))?;
        let host = host.to_ascii_lowercase();
        let host = if host == "*" {
            HostPattern::Any
        } else if let Some(domain) = host.strip_prefix("*.") {
            if domain.is_empty() || domain.contains('*') {
                return Err(bad("a wildcard must be `*` or lead a domain as `*.example.com`"));
            }
            HostPattern::Subdomains(domain.to_owned())
        } else {
            if host.is_empty() || host.contains('*') {
                return Err(bad("a wildcard must be `*` or lead a domain as `*.example.com`"));
            }
            // Let the URL parser normalise the host the same way it will normalise targets.
            let probe = Url::parse(&format!("{scheme}://{host}/")).map_err(|_| bad("the host is not valid"))?;
            HostPattern::Exact(probe.host_str().unwrap_or_default().to_owned())
        };
        let port = match port {
            None => PortPattern::Exact(if scheme == "https" { 443 } else { 80 }),
            Some(p) => p,
        };
        let path = if path.len() > 1 { path.trim_end_matches('/').to_owned() } else { "/".to_owned() };
        Ok(Self { scheme: scheme.to_owned(), host, port, path })
    }
}

fn split_port(authority: &str) -> Option<(&str, Option<PortPattern>)> {
    // IPv6 literals keep their colons inside brackets.
    let colon = match authority.rfind(']') {
        Some(end) => authority[end..].find(':').map(|i| end + i),
        None => authority.rfind(':'),
    };
    match colon {
        None => Some((authority, None)),
        Some(i) => {
            let port = &authority[i + 1..];
            let port = if port == "*" { PortPattern::Any } else { PortPattern::Exact(port.parse().ok()?) };
            Some((&authority[..i], Some(port)))
        }
    }
}

impl TryFrom<String> for HostRule {
    type Error = HostRuleError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<HostRule> for String {
    fn from(rule: HostRule) -> Self {
        rule.to_string()
    }
}

impl fmt::Display for HostRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme)?;
        match &self.host {
            HostPattern::Any => f.write_str("*")?,
            HostPattern::Exact(h) => f.write_str(h)?,
            HostPattern::Subdomains(d) => write!(f, "*.{d}")?,
        }
        let default = if self.scheme == "https" { 443 } else { 80 };
        match self.port {
            PortPattern::Any => f.write_str(":*")?,
            PortPattern::Exact(p) if p != default => write!(f, ":{p}")?,
            PortPattern::Exact(_) => {}
        }
        if self.path != "/" {
            f.write_str(&self.path)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn allows(rule: &str, url: &str) -> bool {
        rule.parse::<HostRule>().unwrap().matches(&parse_target(url).unwrap())
    }

    #[test]
    fn exact_host_default_port_and_scheme_must_all_match() {
        assert!(allows("https://acme.bluejet.cz", "https://acme.bluejet.cz/api/v1/data?no=217"));
        assert!(allows("https://acme.bluejet.cz", "https://ACME.bluejet.cz:443/"));
        assert!(!allows("https://acme.bluejet.cz", "http://acme.bluejet.cz/"));
        assert!(!allows("https://acme.bluejet.cz", "https://acme.bluejet.cz:8443/"));
        assert!(!allows("https://acme.bluejet.cz", "https://evil.bluejet.cz/"));
        assert!(!allows("https://acme.bluejet.cz", "https://acme.bluejet.cz.evil.com/"));
    }

    #[test]
    fn wildcards_cover_subdomains_ports_and_hosts_only_as_written() {
        assert!(allows("https://*.bluejet.cz", "https://acme.bluejet.cz/"));
        assert!(!allows("https://*.bluejet.cz", "https://bluejet.cz/"));
        assert!(!allows("https://*.bluejet.cz", "https://evilbluejet.cz/"));
        assert!(allows("http://127.0.0.1:*", "http://127.0.0.1:8765/"));
        assert!(!allows("http://127.0.0.1:*", "http://127.0.0.2:8765/"));
        assert!(!allows("http://127.0.0.1:8765", "http://127.0.0.1:8766/"));
        assert!(allows("http://*:*", "http://10.1.2.3:6333/"));
        assert!(allows("http://[::1]:*", "http://[::1]:6333/collections"));
    }

    #[test]
    fn path_prefixes_match_whole_segments() {
        assert!(allows("http://127.0.0.1:*/api", "http://127.0.0.1:9/api/v1"));
        assert!(allows("http://127.0.0.1:*/api/", "http://127.0.0.1:9/api"));
        assert!(!allows("http://127.0.0.1:*/api", "http://127.0.0.1:9/apix"));
    }

    #[test]
    fn user_info_and_odd_schemes_are_refused_before_matching() {
        assert!(matches!(parse_target("http://127.0.0.1:8765@example.com/"), Err(HostRuleError::UserInfo(_))));
        assert!(matches!(parse_target("file:///etc/passwd"), Err(HostRuleError::Scheme(..))));
        assert!("http://user@127.0.0.1".parse::<HostRule>().is_err());
        assert!("ftp://127.0.0.1".parse::<HostRule>().is_err());
        assert!("http://a.*.com".parse::<HostRule>().is_err());
        assert!("http://127.0.0.1:port".parse::<HostRule>().is_err());
    }

    #[test]
    fn rules_print_back_to_what_parses_to_them() {
        for raw in ["https://*.bluejet.cz", "http://127.0.0.1:*", "http://localhost:6333/collections", "https://*"] {
            let rule: HostRule = raw.parse().unwrap();
            assert_eq!(rule.to_string(), raw);
            assert_eq!(rule.to_string().parse::<HostRule>().unwrap(), rule);
        }
    }
}
