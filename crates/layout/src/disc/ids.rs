//! Disc and track identifiers: the Media Catalog Number (UPC/EAN) and the
//! International Standard Recording Code.

use core::fmt;
use serde::{Deserialize, Serialize};

/// Why an MCN or ISRC was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// An MCN that is not 12 or 13 decimal digits.
    #[error("media catalog number `{0}` must be 13 digits (12 with the leading zero left out)")]
    McnFormat(String),
    /// An MCN whose last digit is not its check digit.
    #[error("media catalog number `{given}` has check digit {found}, expected {expected}")]
    McnCheckDigit {
        /// The number as given.
        given: String,
        /// Its last digit.
        found: u8,
        /// The check digit of its first twelve digits.
        expected: u8,
    },
    /// An ISRC of the wrong shape.
    #[error(
        "isrc `{given}`: {why} (expected CC-OOO-YY-NNNNN: country letters, owner letters/digits, year digits, designation digits; dashes optional)"
    )]
    Isrc {
        /// The code as given.
        given: String,
        /// What is wrong.
        why: &'static str,
    },
}

/// A Media Catalog Number: 13 decimal digits (UPC/EAN-13), the last one a
/// check digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mcn([u8; 13]);

impl Mcn {
    /// Parses an MCN. Twelve digits are taken as a UPC-A with the leading
    /// zero left out. Spaces and dashes are ignored.
    ///
    /// ## Errors
    ///
    /// [`IdError::McnFormat`] for anything but 12–13 digits,
    /// [`IdError::McnCheckDigit`] when the check digit is wrong.
    pub fn parse(text: &str) -> Result<Mcn, IdError> {
        let mcn = Mcn::parse_any_check_digit(text)?;
        match mcn.check_digit_error() {
            Some(e) => Err(e),
            None => Ok(mcn),
        }
    }

    /// Parses an MCN as [`Mcn::parse`] does, but keeps a wrong check digit
    /// as given: nothing on a disc checks it, and cdrdao, libcdio and
    /// FLAC's cue reader accept it ([`Mcn::check_digit_error`] says so).
    ///
    /// ## Errors
    ///
    /// [`IdError::McnFormat`] for anything but 12–13 digits.
    pub fn parse_any_check_digit(text: &str) -> Result<Mcn, IdError> {
        let digits: Vec<u8> = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| c.to_digit(10).map(|d| d as u8))
            .collect::<Option<_>>()
            .ok_or_else(|| IdError::McnFormat(text.to_string()))?;
        let mut out = [0u8; 13];
        match digits.len() {
            13 => out.copy_from_slice(&digits),
            12 => out[1..].copy_from_slice(&digits),
            _ => return Err(IdError::McnFormat(text.to_string())),
        }
        Ok(Mcn(out))
    }

    /// [`IdError::McnCheckDigit`] when the last digit is not the EAN-13
    /// check digit of the others.
    pub fn check_digit_error(&self) -> Option<IdError> {
        let expected = Mcn::check_digit(&self.0);
        (self.0[12] != expected).then(|| IdError::McnCheckDigit {
            given: self.to_string(),
            found: self.0[12],
            expected,
        })
    }

    /// Whether every digit is zero: how drives and rippers write "no
    /// catalog number".
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 13]
    }

    /// The EAN-13 check digit of the first twelve digits: weights 1, 3, 1,
    /// 3, … from the left.
    fn check_digit(d: &[u8; 13]) -> u8 {
        let sum: u32 = d[..12]
            .iter()
            .enumerate()
            .map(|(i, &x)| x as u32 * if i % 2 == 0 { 1 } else { 3 })
            .sum();
        ((10 - sum % 10) % 10) as u8
    }

    /// The thirteen digits.
    pub fn digits(&self) -> [u8; 13] {
        self.0
    }

    /// Q-subchannel mode 2 bytes 1–7: the digits as BCD nibbles, the last
    /// low nibble zero (`cd-standards.md` §3.3).
    pub fn to_q_bytes(&self) -> [u8; 7] {
        let d = &self.0;
        let mut out = [0u8; 7];
        for (i, b) in out.iter_mut().enumerate() {
            let hi = d[2 * i];
            let lo = if 2 * i + 1 < 13 { d[2 * i + 1] } else { 0 };
            *b = (hi << 4) | lo;
        }
        out
    }

    /// Reads bytes 1–7 of a mode 2 Q frame back into an MCN.
    ///
    /// ## Errors
    ///
    /// As [`Mcn::parse_any_check_digit`], when a nibble is not a digit (a
    /// wrong check digit is read as recorded).
    pub fn from_q_bytes(b: &[u8; 7]) -> Result<Mcn, IdError> {
        let mut s = String::with_capacity(13);
        for (i, &x) in b.iter().enumerate() {
            s.push(nibble_char(x >> 4));
            if i < 6 {
                s.push(nibble_char(x & 0x0f));
            }
        }
        Mcn::parse_any_check_digit(&s)
    }
}

fn nibble_char(n: u8) -> char {
    char::from_digit(n as u32, 10).unwrap_or('?')
}

impl fmt::Display for Mcn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.0 {
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl Serialize for Mcn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Mcn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Mcn, D::Error> {
        let s = String::deserialize(d)?;
        Mcn::parse_any_check_digit(&s).map_err(serde::de::Error::custom)
    }
}

/// An International Standard Recording Code: country (2 letters), owner (3
/// letters or digits), year (2 digits), designation (5 digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Isrc([u8; 12]);

impl Isrc {
    /// Parses an ISRC, with or without dashes (`US-K7Y-98-12345` or
    /// `USK7Y9812345`); letters may be lowercase.
    ///
    /// ## Errors
    ///
    /// [`IdError::Isrc`] naming what is wrong.
    pub fn parse(text: &str) -> Result<Isrc, IdError> {
        let err = |why| IdError::Isrc {
            given: text.to_string(),
            why,
        };
        let compact: Vec<u8> = text
            .bytes()
            .filter(|&b| b != b'-')
            .map(|b| b.to_ascii_uppercase())
            .collect();
        if text.contains('-') {
            let parts: Vec<usize> = text.split('-').map(str::len).collect();
            if parts != [2, 3, 2, 5] {
                return Err(err("dashes must separate 2-3-2-5 characters"));
            }
        }
        if compact.len() != 12 {
            return Err(err("must be 12 characters"));
        }
        if !compact[..2].iter().all(u8::is_ascii_uppercase) {
            return Err(err("country code must be two letters"));
        }
        if !compact[2..5].iter().all(u8::is_ascii_alphanumeric) {
            return Err(err("owner code must be three letters or digits"));
        }
        if !compact[5..].iter().all(u8::is_ascii_digit) {
            return Err(err("year and designation must be seven digits"));
        }
        let mut out = [0u8; 12];
        out.copy_from_slice(&compact);
        Ok(Isrc(out))
    }

    /// Whether `text` is an ISRC of zeros (`000000000000`, dashes
    /// allowed): how drives, cdrdao's read-toc and rippers write "no ISRC".
    pub fn is_zero_text(text: &str) -> bool {
        let mut chars = text.bytes().filter(|&b| b != b'-').peekable();
        chars.peek().is_some() && chars.all(|b| b == b'0')
    }

    /// The twelve characters without dashes.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters and digits are ever stored.
        core::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The dashed DIN-31-621 form, `CC-OOO-YY-NNNNN`.
    pub fn dashed(&self) -> String {
        let s = self.as_str();
        format!("{}-{}-{}-{}", &s[..2], &s[2..5], &s[5..7], &s[7..])
    }

    /// Q-subchannel mode 3 bytes 1–8: five 6-bit characters (ASCII − 0x30),
    /// two zero bits, seven BCD digits, four zero bits (`cd-standards.md`
    /// §3.3).
    pub fn to_q_bytes(&self) -> [u8; 8] {
        let c: Vec<u64> = self.0[..5].iter().map(|&b| (b - 0x30) as u64).collect();
        let mut bits: u64 = 0;
        for &x in &c {
            bits = (bits << 6) | (x & 0x3f);
        }
        bits <<= 2;
        for &d in &self.0[5..] {
            bits = (bits << 4) | (d - b'0') as u64;
        }
        bits <<= 4;
        bits.to_be_bytes()
    }

    /// Reads bytes 1–8 of a mode 3 Q frame back into an ISRC.
    ///
    /// ## Errors
    ///
    /// [`IdError::Isrc`] when the bits do not spell a valid code.
    pub fn from_q_bytes(b: &[u8; 8]) -> Result<Isrc, IdError> {
        let bits = u64::from_be_bytes(*b);
        let mut s = String::with_capacity(12);
        for i in 0..5 {
            let v = ((bits >> (58 - 6 * i)) & 0x3f) as u8;
            s.push((v + 0x30) as char);
        }
        for i in 0..7 {
            let v = ((bits >> (28 - 4 * i)) & 0x0f) as u8;
            s.push(char::from_digit(v as u32, 10).unwrap_or('?'));
        }
        Isrc::parse(&s)
    }
}

impl fmt::Display for Isrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Isrc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Isrc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Isrc, D::Error> {
        let s = String::deserialize(d)?;
        Isrc::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mcn_check_digit_and_leading_zero() {
        // EAN-13 4006381333931 (a common published example).
        assert_eq!(
            Mcn::parse("4006381333931").unwrap().to_string(),
            "4006381333931"
        );
        // UPC-A 036000291452 has its leading zero left out.
        assert_eq!(
            Mcn::parse("036000291452").unwrap().to_string(),
            "0036000291452"
        );
        assert_eq!(
            Mcn::parse("4006381333932"),
            Err(IdError::McnCheckDigit {
                given: "4006381333932".into(),
                found: 2,
                expected: 1
            })
        );
        assert!(matches!(Mcn::parse("12345"), Err(IdError::McnFormat(_))));
        assert!(matches!(
            Mcn::parse("40063813339x1"),
            Err(IdError::McnFormat(_))
        ));
    }

    #[test]
    fn mcn_q_bytes() {
        let m = Mcn::parse("0123456789012").unwrap();
        assert_eq!(m.to_q_bytes(), [0x01, 0x23, 0x45, 0x67, 0x89, 0x01, 0x20]);
        assert_eq!(Mcn::from_q_bytes(&m.to_q_bytes()), Ok(m));
    }

    #[test]
    fn isrc_reference_example() {
        // `cd-standards.md` §3.3: "USRC17607839" → 96 38 93 04 76 07 83 90.
        let i = Isrc::parse("USRC17607839").unwrap();
        assert_eq!(
            i.to_q_bytes(),
            [0x96, 0x38, 0x93, 0x04, 0x76, 0x07, 0x83, 0x90]
        );
        assert_eq!(Isrc::from_q_bytes(&i.to_q_bytes()), Ok(i));
    }

    #[test]
    fn isrc_forms() {
        let i = Isrc::parse("US-K7Y-98-12345").unwrap();
        assert_eq!(i.as_str(), "USK7Y9812345");
        assert_eq!(i.dashed(), "US-K7Y-98-12345");
        assert_eq!(Isrc::parse("usk7y9812345"), Ok(i));
        for bad in [
            "USK7Y981234",
            "1SK7Y9812345",
            "US-K7Y9-8-12345",
            "USK7Y98123X5",
            "US*7Y9812345",
        ] {
            assert!(
                matches!(Isrc::parse(bad), Err(IdError::Isrc { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn serde_as_strings() {
        let m = Mcn::parse("0036000291452").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"0036000291452\"");
        let back: Mcn = serde_json::from_str("\"036000291452\"").unwrap();
        assert_eq!(back, m);
        assert!(serde_json::from_str::<Isrc>("\"nope\"").is_err());
    }
}
