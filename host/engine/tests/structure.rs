//! The engine's house rules, read from its source so that they hold after every change: no
//! file over 600 lines, no function over 120, and no module outside the run (`src/run/`)
//! importing from it; the crate's root alone re-exports the run's public parts. A file or a
//! function past its limit is split along a seam a reader can name, not exempted here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

/// Lines a file of the engine may hold.
const MAX_FILE_LINES: usize = 600;
/// Lines a function may span, from its `fn` to its closing brace.
const MAX_FN_LINES: usize = 120;

/// One source file: its path under `src/`, its text, and the same text with every comment
/// and the inside of every string and character literal blanked (newlines kept), so that
/// braces and paths are only ever those of the code.
struct Source {
    rel: String,
    text: String,
    code: Vec<char>,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    assert!(files.len() > 10, "found only {} files under {}", files.len(), root.display());
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let rel = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
            let code = blank_comments_and_literals(&text);
            Source { rel, text, code }
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Replaces comments and the contents of string and character literals with spaces.
fn blank_comments_and_literals(text: &str) -> Vec<char> {
    let s: Vec<char> = text.chars().collect();
    let mut out = s.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for c in &mut out[from..to.min(s.len())] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let mut i = 0;
    while i < s.len() {
        let prev_ident = i > 0 && is_ident(s[i - 1]);
        match s[i] {
            '/' if s.get(i + 1) == Some(&'/') => {
                let end = s[i..].iter().position(|&c| c == '\n').map_or(s.len(), |p| i + p);
                blank(&mut out, i, end);
                i = end;
            }
            '/' if s.get(i + 1) == Some(&'*') => {
                let (mut depth, mut j) = (1, i + 2);
                while j < s.len() && depth > 0 {
                    if s[j] == '/' && s.get(j + 1) == Some(&'*') {
                        depth += 1;
                        j += 2;
                    } else if s[j] == '*' && s.get(j + 1) == Some(&'/') {
                        depth -= 1;
                        j += 2;
                    } else {
                        j += 1;
                    }
                }
                blank(&mut out, i, j);
                i = j;
            }
            // A raw string: `r"…"`, `r#"…"#`, `br"…"`; the `r` starts a token or follows `b`/`c`.
            'r' if !prev_ident || (i > 1 && matches!(s[i - 1], 'b' | 'c') && !is_ident(s[i - 2])) => {
                let hashes = s[i + 1..].iter().take_while(|&&c| c == '#').count();
                if s.get(i + 1 + hashes) != Some(&'"') {
                    i += 1;
                    continue;
                }
                let start = i + 2 + hashes;
                let mut j = start;
                while j < s.len()
                    && !(s[j] == '"' && s[j + 1..].iter().take(hashes).filter(|&&c| c == '#').count() == hashes)
                {
                    j += 1;
                }
                blank(&mut out, start, j);
                i = j + 1 + hashes;
            }
            '"' => {
                let mut j = i + 1;
                while j < s.len() && s[j] != '"' {
                    j += if s[j] == '\\' { 2 } else { 1 };
                }
                blank(&mut out, i + 1, j);
                i = j + 1;
            }
            // A character literal (`'x'`, `'\n'`, `'{'`), not a lifetime (`'a`).
            '\'' => {
                // After a backslash the escaped character itself may be a quote (`'\''`).
                let end = if s.get(i + 1) == Some(&'\\') {
                    s.get(i + 3..).and_then(|rest| rest.iter().position(|&c| c == '\'')).map(|p| i + 3 + p)
                } else if s.get(i + 2) == Some(&'\'') {
                    Some(i + 2)
                } else {
                    None
                };
                match end {
                    Some(end) => {
                        blank(&mut out, i + 1, end);
                        i = end + 1;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// The 1-based line of character `at`.
fn line_of(code: &[char], at: usize) -> usize {
    code[..at].iter().filter(|&&c| c == '\n').count() + 1
}

/// Every function with a body: its name, the line of its `fn` and the lines it spans.
fn functions(code: &[char]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 2 < code.len() {
        let keyword =
            code[i] == 'f' && code[i + 1] == 'n' && code[i + 2].is_whitespace() && (i == 0 || !is_ident(code[i - 1]));
        if !keyword {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        while j < code.len() && code[j].is_whitespace() {
            j += 1;
        }
        let name: String = code[j..].iter().take_while(|&&c| is_ident(c)).collect();
        if name.is_empty() {
            i = j;
            continue;
        }
        // The body opens at the first `{` outside the signature's parentheses and brackets
        // (`[u8; 16]` holds a `;`); a `;` there instead ends a declaration without a body.
        let mut depth = 0i32;
        let mut open = None;
        while j < code.len() {
            match code[j] {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                '{' if depth == 0 => {
                    open = Some(j);
                    break;
                }
                ';' if depth == 0 => break,
                _ => {}
            }
            j += 1;
        }
        let Some(open) = open else {
            i = j;
            continue;
        };
        let mut braces = 0;
        let mut close = open;
        for (k, &c) in code.iter().enumerate().skip(open) {
            match c {
                '{' => braces += 1,
                '}' => braces -= 1,
                _ => {}
            }
            if braces == 0 {
                close = k;
                break;
            }
        }
        let first = line_of(code, i);
        out.push((name, first, line_of(code, close) - first + 1));
        // Go on inside the body: a function nested in it is measured too.
        i = open + 1;
    }
    out
}

/// The places where `code` names the run's modules from outside them: `crate::run`, a
/// `run` inside `use crate::{…}`, or `super::run` in a module that sits right under the root.
fn run_imports(rel: &str, code: &[char]) -> Vec<usize> {
    let text: String = code.iter().collect();
    let word_at = |at: usize, len: usize| text[at + len..].chars().next().is_none_or(|c| !is_ident(c));
    let mut hits = Vec::new();
    let top_level = !rel.contains('/') || rel.ends_with("/mod.rs");
    let mut patterns = vec!["crate::run"];
    if top_level {
        patterns.push("super::run");
    }
    for pattern in patterns {
        for (at, _) in text.match_indices(pattern) {
            if word_at(at, pattern.len()) {
                hits.push(at);
            }
        }
    }
    for (at, _) in text.match_indices("crate::{") {
        let start = at + "crate::{".len();
        let (mut depth, mut token_start) = (0, start);
        for (k, c) in text[start..].char_indices().map(|(k, c)| (start + k, c)) {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                _ => {}
            }
            if !is_ident(c) {
                if depth == 0 && &text[token_start..k] == "run" && !text[..token_start].ends_with("::") {
                    hits.push(token_start);
                }
                token_start = k + c.len_utf8();
            }
        }
    }
    // `match_indices` counts bytes; lines are counted over characters.
    hits.into_iter().map(|at| text[..at].matches('\n').count() + 1).collect()
}

#[test]
fn no_file_is_over_600_lines() {
    let long: Vec<String> = sources()
        .iter()
        .map(|s| (s.rel.clone(), s.text.lines().count()))
        .filter(|(_, lines)| *lines > MAX_FILE_LINES)
        .map(|(rel, lines)| format!("src/{rel}: {lines} lines"))
        .collect();
    assert!(long.is_empty(), "files over {MAX_FILE_LINES} lines; split each along a seam:\n{}", long.join("\n"));
}

#[test]
fn no_function_is_over_120_lines() {
    let mut long = Vec::new();
    let mut seen = 0;
    for s in sources() {
        for (name, line, lines) in functions(&s.code) {
            seen += 1;
            if lines > MAX_FN_LINES {
                long.push(format!("src/{}:{line}: fn {name}, {lines} lines", s.rel));
            }
        }
    }
    assert!(seen > 100, "found only {seen} functions: the scanner lost its way");
    assert!(long.is_empty(), "functions over {MAX_FN_LINES} lines; extract a named step:\n{}", long.join("\n"));
}

#[test]
fn nothing_outside_the_run_imports_from_it() {
    let mut upward = Vec::new();
    for s in sources() {
        if s.rel == "lib.rs" || s.rel.starts_with("run/") {
            continue;
        }
        for line in run_imports(&s.rel, &s.code) {
            upward.push(format!("src/{}:{line}", s.rel));
        }
    }
    assert!(
        upward.is_empty(),
        "modules below the run import from it; move the shared part below it (as `mode.rs`):\n{}",
        upward.join("\n")
    );
}

/// The scanner itself, on the shapes that could mislead it.
#[test]
fn the_scanner_measures_what_the_compiler_sees() {
    let src = r##"
/// fn in_a_doc() { {
fn a(x: [u8; 4]) -> char {
    let _ = "}}} fn in_a_string() {";
    let _ = r#"fn raw() { "#;
    let _ = '}';
    let _ = '\'';
    let _ = ['\'', '{'];
    fn inner<'a>(s: &'a str) -> &'a str { s }
    /* { nested /* } */ */
    '{'
}
trait T { fn declared(&self); }
fn b() {}
"##;
    let code = blank_comments_and_literals(src);
    let found = functions(&code);
    assert_eq!(
        found,
        [("a".to_owned(), 3, 10), ("inner".to_owned(), 9, 1), ("b".to_owned(), 14, 1)],
        "{}",
        code.iter().collect::<String>()
    );
    let imports =
        "use crate::error::Error;\nuse crate::{mode::Mode, run::Progress};\nuse crate::run::X;\nuse crate::runner;\n";
    assert_eq!(run_imports("state.rs", &blank_comments_and_literals(imports)), [3, 2]);
    assert_eq!(run_imports("state/checkpoint.rs", &blank_comments_and_literals("use super::run::X;\n")), [0usize; 0]);
    assert_eq!(run_imports("report.rs", &blank_comments_and_literals("use super::run::X;\n")), [1]);
}
