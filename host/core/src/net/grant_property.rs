//! The property the grant matcher keeps, checked over generated cases by a unit test and by the
//! `grant_matcher` fuzz target: a URL that a rule allows stays inside the rule's path prefix
//! however a server behind it commonly normalises the path, and what the host sends parses back
//! to itself.
//!
//! A case is a rule and a URL made from bytes, so that the fuzzer's mutations and the test's
//! generator share one grammar: the first byte picks a rule; the second picks an origin (below
//! 0x80) or starts the URL inside the rule's grant, with its origin and path prefix and a `/`
//! (from 0x80 up), so that most cases test tricks against the boundary rather than miss the
//! host; every further byte stands for itself (ASCII, controls included) or, from 0x80 up, for
//! a piece of a path known from path-confusion attacks.

use super::{HostRule, look_alike, parse_target, path_within};

/// Rules the cases are checked against.
pub const RULES: &[&str] = &[
    "http://127.0.0.1:8080/api/",
    "http://127.0.0.1:8080/api/v1",
    "http://127.0.0.1:*/api",
    "http://127.0.0.1:8080",
    "http://*.example.com:8080/data",
    "http://acme.example.com:8080/caf%C3%A9",
    "http://[::1]:8080/api",
    "http://*:*/api",
    "https://acme.example.com/api",
];

/// Schemes and authorities the URLs start with: the rules' own and the tricks around them.
pub const ORIGINS: &[&str] = &[
    "http://127.0.0.1:8080",
    "http://127.0.0.1",
    "http://127.0.0.1:80",
    "HTTP://127.0.0.1:8080",
    "http://[::ffff:127.0.0.1]:8080",
    "http://0x7f.0.0.1:8080",
    "http://2130706433:8080",
    "http://acme.example.com:8080",
    "http://ACME.Example.COM:8080",
    "http://acme.example.com.:8080",
    "http://\u{430}cme.example.com:8080",
    "http://\u{FF41}\u{FF43}\u{FF4D}\u{FF45}.example.com:8080",
    "http://b\u{FC}cher.example.com:8080",
    "http://xn--bcher-kva.example.com:8080",
    "http://evil.com:8080",
    "http://127.0.0.1:8080@evil.com",
    "http://evil.com@127.0.0.1:8080",
    "http://[::1]:8080",
    "http://[fe80::1%25eth0]:8080",
    "https://acme.example.com",
    "https://acme.example.com:443",
    "http://127.0.0.1:8080\\@evil.com",
];

/// Pieces of paths that the bytes from 0x80 up stand for.
pub const PIECES: &[&str] = &[
    "/",
    "api",
    "v1",
    "admin",
    "data",
    "caf",
    "\u{E9}",
    "%C3%A9",
    "%c3%a9",
    "..",
    ".",
    "...",
    ". ",
    "..;",
    ".%2e",
    "%2e.",
    "%2e%2e",
    "%2E",
    "%2e",
    "%2f",
    "%2F",
    "%5c",
    "%5C",
    "\\",
    "%25",
    "%252f",
    "%252e",
    "%2525",
    "%25%32%66",
    "%%32%66",
    "2f",
    "2e",
    "5c",
    ";",
    "%3b",
    "%3B",
    "%00",
    "%0a",
    "%09",
    "%7f",
    "%c2%85",
    "%",
    "%u002f",
    "%c0%af",
    "%C0%AE",
    "%e0%80%af",
    "%ef%bc%8f",
    "%ef%bc%8e",
    "%e2%80%a5",
    "%e2%80%a4",
    "%c2%a5",
    "\u{FF05}",
    "\u{FF0E}",
    "\u{FF0F}",
    "\u{2025}",
    "\u{FF3C}",
    "\u{A5}",
    "\u{2215}",
    " ",
    "%20",
    "..%20",
    "?",
    "#",
    "&",
    "=",
    "?x=/../admin",
    "x",
    "%41",
    "%61",
    "~",
    "%7e",
    "%7E",
    "-",
    "_",
    "//",
    "%zz",
    "%3f",
    "%23",
    "@",
    ":",
    "%3a",
    "+",
    "\t",
    "\n",
    "%7C",
    "%3E",
];

/// One case: a rule and the URL a plugin asks for.
#[derive(Debug, Clone)]
pub struct Case {
    pub rule: &'static str,
    pub url: String,
}

impl Case {
    /// The case `data` describes (see the module's documentation).
    pub fn from_bytes(data: &[u8]) -> Self {
        let pick = |i: usize, list: &[&'static str]| list[data.get(i).map_or(0, |&b| usize::from(b)) % list.len()];
        let rule = pick(0, RULES);
        let mut url = match data.get(1) {
            Some(0x80..) => inside(rule),
            _ => pick(1, ORIGINS).to_owned(),
        };
        for &b in data.iter().skip(2) {
            match b {
                0..0x80 => url.push(char::from(b)),
                _ => url.push_str(PIECES[usize::from(b - 0x80) % PIECES.len()]),
            }
        }
        Self { rule, url }
    }
}

/// A URL at the top of what `rule` grants: its origin and path prefix, with a concrete host and
/// port for wildcards, and a `/`.
fn inside(rule: &str) -> String {
    let url = rule.replacen("://*.", "://shop.", 1).replacen("://*", "://127.0.0.1", 1).replacen(":*", ":8080", 1);
    if url.ends_with('/') { url } else { url + "/" }
}

/// One thing a server may do to a path before routing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Percent-decode every escape.
    Decode,
    /// Remove `.` and `..` segments (RFC 3986, section 5.2.4).
    Resolve,
    /// Read `\` as `/` (IIS, Windows file systems, some frameworks).
    Backslash,
    /// Unicode compatibility normalisation or a Windows best-fit code page.
    Fold,
    /// Cut `;parameters` from each segment (Tomcat, Jetty, Spring).
    Params,
    /// Trim trailing spaces from each segment (Windows).
    TrimSpaces,
    /// Read a segment of three or more dots as `..` (IIS).
    DotRuns,
    /// Merge runs of slashes (nginx's `merge_slashes`).
    MergeSlashes,
}

/// Common servers' normalisations, each a sequence of steps followed by resolving dot segments.
pub const SERVERS: &[(&str, &[Step])] = {
    use Step::*;
    &[
        ("decode, then resolve", &[Decode]),
        ("resolve, then decode", &[Resolve, Decode]),
        ("decode twice", &[Decode, Decode]),
        ("backslash as slash", &[Backslash, Decode, Backslash]),
        ("cut ;parameters", &[Decode, Params]),
        ("Unicode compatibility or best-fit mapping", &[Decode, Fold, Decode, Backslash]),
        ("Windows segment trimming", &[Decode, TrimSpaces, DotRuns, Backslash]),
        ("merge slashes", &[MergeSlashes, Decode, MergeSlashes]),
        ("all of them", &[Decode, Decode, Fold, Decode, Backslash, Params, TrimSpaces, DotRuns, MergeSlashes]),
    ]
};

/// `path` as a server doing `steps`, then resolving dot segments, routes it.
pub fn normalise(path: &str, steps: &[Step]) -> String {
    let mut path = path.to_owned();
    for step in steps.iter().chain([&Step::Resolve]) {
        path = match step {
            Step::Decode => decode(&path),
            Step::Resolve => resolve(&path),
            Step::Backslash => path.replace('\\', "/"),
            Step::Fold => path.chars().map(|c| look_alike(c).map_or_else(|| c.to_string(), str::to_owned)).collect(),
            Step::Params => each_segment(&path, |s| s.split(';').next().unwrap_or_default().to_owned()),
            Step::TrimSpaces => each_segment(&path, |s| s.trim_end_matches(' ').to_owned()),
            Step::DotRuns => {
                each_segment(
                    &path,
                    |s| if s.len() >= 3 && s.bytes().all(|b| b == b'.') { "..".into() } else { s.into() },
                )
            }
            Step::MergeSlashes => {
                let mut merged = String::with_capacity(path.len());
                for c in path.chars() {
                    if !(c == '/' && merged.ends_with('/')) {
                        merged.push(c);
                    }
                }
                merged
            }
        };
    }
    path
}

fn each_segment(path: &str, f: impl Fn(&str) -> String) -> String {
    path.split('/').map(f).collect::<Vec<_>>().join("/")
}

fn decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i + 1..i + 3).and_then(super::hex_pair) {
            Some(b) if bytes[i] == b'%' => {
                out.push(b);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn resolve(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    let mut out: Vec<&str> = Vec::new();
    for (i, segment) in segments.iter().enumerate().skip(1) {
        let last = i + 1 == segments.len();
        match *segment {
            "." => {}
            ".." => {
                out.pop();
            }
            s => {
                out.push(s);
                continue;
            }
        }
        if last {
            out.push("");
        }
    }
    format!("/{}", out.join("/"))
}

/// Checks one case: `Ok(true)` when the rule allows the URL and no server escapes the prefix,
/// `Ok(false)` when the URL is refused, `Err` with what went wrong otherwise.
pub fn check(case: &Case) -> Result<bool, String> {
    let rule: HostRule = case.rule.parse().map_err(|e| format!("{e}"))?;
    let Ok(url) = parse_target(&case.url) else { return Ok(false) };
    match parse_target(url.as_str()) {
        Ok(again) if again == url => {}
        other => return Err(format!("`{}` is sent as `{url}`, which parses to {other:?}", case.url)),
    }
    if !rule.matches(&url) {
        return Ok(false);
    }
    let host = url.host_str().unwrap_or_default();
    if host.is_empty() || host.ends_with('.') || host.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()) {
        return Err(format!("{rule} allows `{}` with the host `{host}`, which is not in canonical form", case.url));
    }
    for (server, steps) in SERVERS {
        let routed = normalise(url.path(), steps);
        let prefix = normalise(&rule.path, steps);
        if !path_within(&routed, &prefix) {
            return Err(format!(
                "{rule} allows `{}` (sent as `{url}`), which a server that does \"{server}\" routes to `{routed}`, outside `{prefix}`",
                case.url
            ));
        }
    }
    Ok(true)
}
