//! GS1 check digits: EAN-8, UPC-A (12 digits), EAN-13 and GTIN-14 share one algorithm.

use std::fmt;

/// The lengths of the GS1 codes this rule accepts.
pub const LENGTHS: [usize; 4] = [8, 12, 13, 14];

/// Why a code is not a valid EAN/GTIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// Not 8, 12, 13 or 14 characters.
    Length(usize),
    /// A character other than an ASCII digit.
    NotDigit(char),
    /// The last digit is not the check digit of the others.
    CheckDigit { expected: u8, found: u8 },
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length(n) => write!(f, "has {n} characters; an EAN/GTIN has 8, 12, 13 or 14 digits"),
            Self::NotDigit(c) => write!(f, "contains {c:?}, which is not a digit"),
            Self::CheckDigit { expected, found } => {
                write!(f, "has check digit {found}, but its digits call for {expected}")
            }
        }
    }
}

/// Checks a code's length, its characters and its check digit.
pub fn check(code: &str) -> Result<(), Invalid> {
    if let Some(c) = code.chars().find(|c| !c.is_ascii_digit()) {
        return Err(Invalid::NotDigit(c));
    }
    // Only ASCII digits from here on, so bytes are characters.
    let digits = code.as_bytes();
    let Some((last, payload)) = digits.split_last().filter(|_| LENGTHS.contains(&digits.len())) else {
        return Err(Invalid::Length(digits.len()));
    };
    let expected = check_digit(payload);
    let found = last - b'0';
    if expected == found { Ok(()) } else { Err(Invalid::CheckDigit { expected, found }) }
}

/// The check digit of `payload` (ASCII digits, the check digit left out): digits are weighted
/// 3, 1, 3, … from the right, and the check digit rounds the sum up to a multiple of ten.
/// Weighting from the right is what lets one function serve every length.
pub fn check_digit(payload: &[u8]) -> u8 {
    let sum: u32 =
        payload.iter().rev().enumerate().map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 3 } else { 1 }).sum();
    // Below ten by construction.
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// EAN-13 as GS1 writes it: weights 1, 3, 1, … from the left over the first twelve digits.
    fn ean13_from_the_left(first12: &str) -> u8 {
        let sum: u32 =
            first12.bytes().enumerate().map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
        ((10 - sum % 10) % 10) as u8
    }

    #[test]
    fn published_codes_of_every_length_pass() {
        // Worked by hand: 4006381333931 sums to 89 → 1; 96385074 sums to 86 → 4;
        // 036000291452 sums to 58 → 2; 10012345678902 sums to 88 → 2.
        for code in ["4006381333931", "96385074", "036000291452", "10012345678902", "0036000291452"] {
            assert_eq!(check(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn the_right_weighted_sum_agrees_with_gs1s_left_weighted_ean13() {
        for first12 in ["859400123456", "400638133393", "000000000000", "999999999999", "123456789012"] {
            assert_eq!(check_digit(first12.as_bytes()), ean13_from_the_left(first12), "{first12}");
        }
        // 8594001234567 looks plausible but is invalid: 8·1+5·3+9·1+4·3+0+0+1·1+2·3+3·1+4·3+5·1+6·3
        // is 89, so the check digit is 1.
        assert_eq!(check_digit(b"859400123456"), 1);
        assert_eq!(check("8594001234561"), Ok(()));
        assert_eq!(check("8594001234567"), Err(Invalid::CheckDigit { expected: 1, found: 7 }));
    }

    #[test]
    fn any_single_changed_digit_is_caught() {
        let valid = "4006381333931";
        for position in 0..valid.len() {
            for digit in b'0'..=b'9' {
                let mut bytes = valid.as_bytes().to_vec();
                if bytes[position] == digit {
                    continue;
                }
                bytes[position] = digit;
                let changed = String::from_utf8(bytes).unwrap();
                assert!(matches!(check(&changed), Err(Invalid::CheckDigit { .. })), "{changed}");
            }
        }
    }

    #[test]
    fn wrong_lengths_and_characters_are_named() {
        assert_eq!(check(""), Err(Invalid::Length(0)));
        // Twelve digits are read as UPC-A: 4·3+0+0+6+3·3+8+1·3+3+3·3+3+9·3 = 80 over the first eleven.
        assert_eq!(check("400638133393"), Err(Invalid::CheckDigit { expected: 0, found: 3 }));
        assert_eq!(check("40063813339"), Err(Invalid::Length(11)));
        assert_eq!(check("400638133393100"), Err(Invalid::Length(15)));
        assert_eq!(check("4006381 333931"), Err(Invalid::NotDigit(' ')));
        assert_eq!(check("400638133393-1"), Err(Invalid::NotDigit('-')));
        // Non-ASCII digits are not digits here.
        assert_eq!(check("٤٠٠٦٣٨١٣٣٣٩٣١"), Err(Invalid::NotDigit('٤')));
        assert_eq!(Invalid::Length(11).to_string(), "has 11 characters; an EAN/GTIN has 8, 12, 13 or 14 digits");
        assert_eq!(
            Invalid::CheckDigit { expected: 3, found: 7 }.to_string(),
            "has check digit 7, but its digits call for 3"
        );
    }
}
