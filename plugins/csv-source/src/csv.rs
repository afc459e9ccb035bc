//! A small RFC 4180 CSV reader: quoted fields may hold the delimiter, line breaks and doubled
//! quotes; `\n` and `\r\n` end records. It is lenient where exports commonly stray (a quote
//! inside an unquoted field is text) and strict where data would shift (text after a closing
//! quote, a quote never closed), so that a broken row is reported rather than misread.

/// Where the scan of a record is, between the lines fed to it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum ScanState {
    #[default]
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the field's end, or the first of a doubled quote.
    QuoteInQuoted,
}

/// Finds where a record ends when it is read line by line: a line break ends it unless it is
/// inside a quoted field.
#[derive(Debug, Clone, Default)]
pub struct Scanner {
    state: ScanState,
}

impl Scanner {
    /// Feeds the next line (with its `\n`, unless the input ended). Returns whether the record
    /// is complete; a record still inside a quoted field needs the next line too.
    pub fn feed(&mut self, line: &[u8], delimiter: u8) -> bool {
        for &b in line {
            self.state = match (self.state, b) {
                (ScanState::Quoted, b'"') => ScanState::QuoteInQuoted,
                (ScanState::Quoted, _) => ScanState::Quoted,
                (ScanState::QuoteInQuoted, b'"') => ScanState::Quoted,
                (ScanState::FieldStart, b'"') => ScanState::Quoted,
                (_, b'\n') => return true,
                (_, d) if d == delimiter => ScanState::FieldStart,
                _ => ScanState::Unquoted,
            };
        }
        false
    }
}

/// Splits one complete record (its line break included or not) into fields.
pub fn parse(record: &[u8], delimiter: u8) -> Result<Vec<String>, String> {
    let record = record.strip_suffix(b"\n").unwrap_or(record);
    let record = record.strip_suffix(b"\r").unwrap_or(record);
    let mut fields = Vec::new();
    let mut i = 0;
    loop {
        let mut field = Vec::new();
        if record.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match record.get(i) {
                    None => return Err(format!("field {} opens a quote that is never closed", fields.len() + 1)),
                    Some(b'"') if record.get(i + 1) == Some(&b'"') => {
                        field.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(&b) => {
                        field.push(b);
                        i += 1;
                    }
                }
            }
            match record.get(i) {
                None => {}
                Some(&d) if d == delimiter => {}
                Some(_) => return Err(format!("field {} has text after its closing quote", fields.len() + 1)),
            }
        } else {
            let end = record[i..].iter().position(|&b| b == delimiter).map_or(record.len(), |p| i + p);
            field.extend_from_slice(&record[i..end]);
            i = end;
        }
        let text = String::from_utf8(field)
            .map_err(|_| format!("field {} is not valid UTF-8 (only UTF-8 exports are read)", fields.len() + 1))?;
        fields.push(text);
        if i >= record.len() {
            return Ok(fields);
        }
        // At a delimiter: another field follows, perhaps an empty last one.
        i += 1;
        if i == record.len() {
            fields.push(String::new());
            return Ok(fields);
        }
    }
}

/// Whether a record holds nothing but its line break (blank lines are not rows).
pub fn is_blank(record: &[u8]) -> bool {
    record.iter().all(|&b| b == b'\n' || b == b'\r')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fields(line: &str) -> Vec<String> {
        parse(line.as_bytes(), b';').unwrap()
    }

    /// Feeds `text` line by line and returns the records the scanner cuts.
    fn records(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut current = String::new();
        let mut scanner = Scanner::default();
        for line in text.split_inclusive('\n') {
            current.push_str(line);
            if scanner.feed(line.as_bytes(), b';') {
                out.push(std::mem::take(&mut current));
                scanner = Scanner::default();
            }
        }
        if !current.is_empty() {
            out.push(current);
        }
        out
    }

    #[test]
    fn plain_and_quoted_fields() {
        assert_eq!(fields("a;b;c\n"), ["a", "b", "c"]);
        assert_eq!(fields("a;;c\r\n"), ["a", "", "c"]);
        assert_eq!(fields("a;b;"), ["a", "b", ""]);
        assert_eq!(fields(";"), ["", ""]);
        assert_eq!(fields(""), [""]);
        assert_eq!(fields(r#""Hrnec; nerez";"12,50""#), ["Hrnec; nerez", "12,50"]);
        assert_eq!(fields(r#""Nůž ""Šéf"" 20 cm";x"#), [r#"Nůž "Šéf" 20 cm"#, "x"]);
        assert_eq!(fields(r#""";"""""#), ["", r#"""#]);
        assert_eq!(fields("\"řádek 1\r\nřádek 2\";b\r\n"), ["řádek 1\r\nřádek 2", "b"]);
        assert_eq!(fields(r#"Trubka 1/2" ;b"#), [r#"Trubka 1/2" "#, "b"], "a stray quote is text");
        assert_eq!(parse(b"a,\"b,c\"", b',').unwrap(), ["a", "b,c"]);
        assert_eq!(parse(b"a\tb c", b'\t').unwrap(), ["a", "b c"]);
    }

    #[test]
    fn malformed_records_are_errors_naming_the_field() {
        assert_eq!(parse(br#"a;"bc"d;e"#, b';').unwrap_err(), "field 2 has text after its closing quote");
        assert_eq!(parse(br#"a;"bc"#, b';').unwrap_err(), "field 2 opens a quote that is never closed");
        assert!(parse(b"a;\xe8ern\xfd", b';').unwrap_err().contains("field 2 is not valid UTF-8"));
    }

    #[test]
    fn records_end_at_line_breaks_outside_quotes() {
        let text = "a;\"x\ny\";b\nc;d\r\n\"q\"\"\n\";e\nlast";
        assert_eq!(records(text), ["a;\"x\ny\";b\n", "c;d\r\n", "\"q\"\"\n\";e\n", "last"]);
        let mut s = Scanner::default();
        assert!(!s.feed(b"a;\"open\n", b';'), "a line break inside quotes does not end the record");
        assert!(s.feed(b"still\";b\n", b';'));
        let mut s = Scanner::default();
        assert!(s.feed(b"Trubka 1/2\";b\n", b';'), "a stray quote in an unquoted field opens nothing");
        let mut s = Scanner::default();
        assert!(s.feed(b"\"a\"\r\n", b';'));
    }

    #[test]
    fn a_lone_carriage_return_is_text_and_only_the_one_before_the_line_break_is_dropped() {
        assert_eq!(fields("a\rb;c\n"), ["a\rb", "c"]);
        assert_eq!(fields("\"x\r\";y\r\n"), ["x\r", "y"]);
        assert_eq!(fields("a;b\r"), ["a", "b"]);
        assert_eq!(records("a\rb;c\nd\r;e\r\n"), ["a\rb;c\n", "d\r;e\r\n"]);
        assert_eq!(records("\"a\";\"b\"\r\nc\n"), ["\"a\";\"b\"\r\n", "c\n"]);
    }

    /// A quote after a closing quote and a carriage return once counted as a doubled quote and
    /// reopened the field, so that one malformed row swallowed the rows after it.
    #[test]
    fn nothing_after_a_closing_quote_reopens_the_field() {
        assert_eq!(records("a;\"x\"\r\"\nb;c\n"), ["a;\"x\"\r\"\n", "b;c\n"]);
        assert_eq!(records("a;\"x\" \"\nb;c\n"), ["a;\"x\" \"\n", "b;c\n"]);
        assert_eq!(parse(b"a;\"x\"\r\"\n", b';').unwrap_err(), "field 2 has text after its closing quote");
    }

    #[test]
    fn blank_records() {
        assert!(is_blank(b"\n") && is_blank(b"\r\n") && is_blank(b""));
        assert!(!is_blank(b";\n"));
    }
}
