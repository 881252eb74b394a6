//! The text of a cue sheet given as bytes.

/// Decodes a cue sheet's bytes: UTF-8 when they are, else Windows-1252,
/// the code page Windows rippers (EAC among them) write sheets in on
/// Western systems. Windows-1252 is Latin-1 with printable characters in
/// 80h–9Fh (`–` is 96h, `’` 92h, `€` 80h); the five bytes it leaves
/// undefined (81h, 8Dh, 8Fh, 90h, 9Dh) are read as the Latin-1 control
/// characters of the same value, as the WHATWG Encoding Standard does.
/// Returns the text and whether it was not UTF-8.
pub fn decode(bytes: Vec<u8>) -> (String, bool) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, false),
        Err(e) => (
            e.into_bytes().iter().map(|&b| windows_1252(b)).collect(),
            true,
        ),
    }
}

/// The warning for a sheet `shown` that [`decode`] found not UTF-8.
pub fn not_utf8_warning(shown: &str) -> String {
    format!("{shown} is not UTF-8; read as Windows-1252")
}

/// The character Windows-1252 gives byte `b`.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2c6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}',
        '\u{8f}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}', '\u{17e}',
        '\u{178}',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_kept() {
        let text = "FILE \"Café – Ünïcödé.wav\" WAVE\r\n";
        assert_eq!(decode(text.as_bytes().to_vec()), (text.to_string(), false));
    }

    #[test]
    fn other_bytes_are_windows_1252() {
        // "Café – Don’t €" as a Western Windows system writes it.
        let bytes = b"Caf\xe9 \x96 Don\x92t \x80".to_vec();
        assert_eq!(decode(bytes), ("Café – Don’t €".to_string(), true));
        // Every byte decodes; the undefined ones to their Latin-1 controls,
        // the rest of 80h-9Fh to printable characters.
        let all: Vec<u8> = (0x80..=0xff).collect();
        let (text, latin) = decode(all);
        assert!(latin);
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(chars.len(), 128);
        for (i, c) in chars.iter().enumerate() {
            let b = 0x80 + i as u32;
            match b {
                0x81 | 0x8d | 0x8f | 0x90 | 0x9d => assert_eq!(*c as u32, b),
                0x80..=0x9f => assert!(!c.is_control() && *c as u32 > 0xff, "{b:#x}"),
                _ => assert_eq!(*c as u32, b),
            }
        }
        assert_eq!(
            not_utf8_warning("a.cue"),
            "a.cue is not UTF-8; read as Windows-1252"
        );
    }
}
