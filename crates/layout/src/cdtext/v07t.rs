//! Sony's CD-TEXT input sheet, version 0.7T: one block per file, lines of
//! `Purpose = content`.

use super::pack::kind;
use super::tables::{genre_code, genre_name, language_code, language_name};
use super::{Charset, Genre, TextBlock, TextFields};
use core::fmt::Write;

/// A sheet that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct SheetError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A block read from a sheet, with the sheet's first track number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The block.
    pub block: TextBlock,
    /// `First Track Number` (1 when absent).
    pub first_track: u8,
}

/// Reads a sheet from the file's bytes, decoded by its own `Text Code`
/// (Shift_JIS for MS-JIS, ISO-8859-1 or ASCII otherwise; UTF-8 is accepted
/// when the bytes are valid UTF-8).
///
/// ## Errors
///
/// [`SheetError`] naming the line of an unknown purpose or a bad value.
pub fn read(bytes: &[u8]) -> Result<Sheet, SheetError> {
    let latin1: String = bytes.iter().map(|&b| b as char).collect();
    let ms_jis = latin1.lines().any(|l| {
        let mut it = l.splitn(2, '=');
        let key = it.next().unwrap_or("").trim();
        let value = it.next().unwrap_or("").trim();
        key.eq_ignore_ascii_case("Text Code") && value.eq_ignore_ascii_case("0x80")
    });
    let text = if ms_jis {
        encoding_rs::SHIFT_JIS.decode(bytes).0.into_owned()
    } else {
        match core::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => latin1,
        }
    };

    let mut block = TextBlock {
        charset: if ms_jis {
            Charset::MsJis
        } else {
            Charset::Iso8859_1
        },
        ..TextBlock::default()
    };
    let mut first_track = 1u8;
    let mut tracks: Vec<(u8, u8, String)> = Vec::new();
    let mut genre: Option<u16> = None;
    let mut genre_text = String::new();
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let err = |message: String| SheetError { line, message };
        let raw = raw.trim_start_matches('\u{feff}');
        if raw.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = raw.split_once('=') else {
            return Err(err(format!("`{}` is not `purpose = content`", raw.trim())));
        };
        let key = key.trim();
        let value = value.trim().to_string();
        if value.is_empty() {
            continue;
        }
        let lower = key.to_ascii_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        let byte = |v: &str| -> Option<u8> {
            let v = v.trim();
            v.strip_prefix("0x")
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        };
        match words.as_slice() {
            ["input", "sheet", "version"] | ["remarks"] | ["disc", "information", _] => {}
            ["text", "code"] => {
                block.charset = match value.to_ascii_lowercase().as_str() {
                    "ascii" => Charset::Ascii,
                    "8859" => Charset::Iso8859_1,
                    v => byte(v).and_then(Charset::from_code).ok_or_else(|| {
                        err(format!("unknown text code `{value}` (ASCII, 8859 or 0x80)"))
                    })?,
                };
            }
            ["language", "code"] => {
                block.language = language_code(&value)
                    .or_else(|| byte(&value))
                    .ok_or_else(|| err(format!("unknown language `{value}`")))?;
            }
            ["genre", "code"] => {
                let v = value.replace(' ', "").to_ascii_lowercase();
                genre = Some(
                    genre_code(&value)
                        .or_else(|| {
                            v.strip_prefix("0x")
                                .and_then(|h| u16::from_str_radix(&h.replace("0x", ""), 16).ok())
                        })
                        .ok_or_else(|| err(format!("unknown genre `{value}`")))?,
                );
            }
            ["genre", "information"] => genre_text = value,
            ["text", "data", "copy", "protection"] => {
                block.copyright = match value.to_ascii_lowercase().as_str() {
                    "on" => true,
                    "off" => false,
                    v => {
                        byte(v).ok_or_else(|| {
                            err(format!("copy protection is ON or OFF, not `{value}`"))
                        })? != 0
                    }
                };
            }
            ["first", "track", "number"] => {
                first_track = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=99).contains(n))
                    .ok_or_else(|| err(format!("first track number `{value}` is not 1-99")))?;
            }
            ["last", "track", "number"] => {}
            ["catalog", "number"] => block.disc_id = Some(value),
            ["closed", "information"] => block.closed = Some(value),
            ["album", "title"] => block.disc.title = Some(value),
            ["artist", "name"] => block.disc.performer = Some(value),
            ["songwriter"] => block.disc.songwriter = Some(value),
            ["composer"] => block.disc.composer = Some(value),
            ["arranger"] => block.disc.arranger = Some(value),
            ["album", "message"] => block.disc.message = Some(value),
            ["upc", "/", "ean"] => block.disc.code = Some(value),
            ["isrc", nn] => tracks.push((
                track_no(nn).ok_or_else(|| err(format!("bad track `{nn}`")))?,
                kind::CODE,
                value,
            )),
            ["track", nn, what] => {
                let k = match *what {
                    "title" => kind::TITLE,
                    "artist" => kind::PERFORMER,
                    "songwriter" => kind::SONGWRITER,
                    "composer" => kind::COMPOSER,
                    "arranger" => kind::ARRANGER,
                    "message" => kind::MESSAGE,
                    w => byte(w)
                        .filter(|k| (kind::TITLE..=kind::MESSAGE).contains(k) || *k == kind::CODE)
                        .ok_or_else(|| err(format!("unknown purpose `{key}`")))?,
                };
                tracks.push((
                    track_no(nn).ok_or_else(|| err(format!("bad track `{nn}`")))?,
                    k,
                    value,
                ));
            }
            [code] if byte(code).is_some_and(|k| block.disc.slot(k).is_some()) => {
                if let Some(s) = byte(code).and_then(|k| block.disc.slot(k)) {
                    *s = Some(value);
                }
            }
            _ => return Err(err(format!("unknown purpose `{key}`"))),
        }
        let _ = line;
    }
    if let Some(code) = genre {
        block.genre = Some(Genre {
            code,
            text: genre_text,
        });
    }
    for (number, k, value) in tracks {
        let i = number.checked_sub(first_track).ok_or(SheetError {
            line: 0,
            message: format!("track {number} is below the first track number {first_track}"),
        })? as usize;
        if block.tracks.len() <= i {
            block.tracks.resize(i + 1, TextFields::default());
        }
        if let Some(s) = block.tracks[i].slot(k) {
            *s = Some(value);
        }
    }
    Ok(Sheet { block, first_track })
}

fn track_no(nn: &str) -> Option<u8> {
    nn.parse().ok().filter(|n| (1..=99).contains(n))
}

/// Writes a block as a sheet, encoded in the block's character code
/// (Shift_JIS for MS-JIS).
pub fn write(block: &TextBlock, first_track: u8, tracks: usize) -> Vec<u8> {
    let mut s = String::new();
    let mut line = |key: &str, value: &str| {
        let _ = writeln!(s, "{key:<20}= {value}");
    };
    line("Input Sheet Version", "0.7T");
    line(
        "Text Code",
        match block.charset {
            Charset::Ascii => "ASCII",
            Charset::Iso8859_1 => "8859",
            Charset::MsJis => "0x80",
        },
    );
    let lang = language_name(block.language)
        .map(str::to_string)
        .unwrap_or_else(|| format!("0x{:02x}", block.language));
    line("Language Code", &lang);
    let d = &block.disc;
    for (key, v) in [
        ("Album Title", &d.title),
        ("Artist Name", &d.performer),
        ("Songwriter", &d.songwriter),
        ("Composer", &d.composer),
        ("Arranger", &d.arranger),
        ("Album Message", &d.message),
        ("Catalog Number", &block.disc_id),
    ] {
        if let Some(v) = v {
            line(key, v);
        }
    }
    if let Some(g) = &block.genre {
        let name = genre_name(g.code)
            .map(str::to_string)
            .unwrap_or_else(|| format!("0x{:04x}", g.code));
        line("Genre Code", &name);
        if !g.text.is_empty() {
            line("Genre Information", &g.text);
        }
    }
    if let Some(v) = &block.closed {
        line("Closed Information", v);
    }
    if let Some(v) = &d.code {
        line("UPC / EAN", v);
    }
    line(
        "Text Data Copy Protection",
        if block.copyright { "ON" } else { "OFF" },
    );
    line("First Track Number", &first_track.to_string());
    line(
        "Last Track Number",
        &(first_track as usize + tracks.saturating_sub(1)).to_string(),
    );
    for (i, t) in block.tracks.iter().enumerate() {
        let n = first_track as usize + i;
        for (what, v) in [
            ("Title", &t.title),
            ("Artist", &t.performer),
            ("Songwriter", &t.songwriter),
            ("Composer", &t.composer),
            ("Arranger", &t.arranger),
            ("Message", &t.message),
        ] {
            if let Some(v) = v {
                line(&format!("Track {n:02} {what}"), v);
            }
        }
        if let Some(v) = &t.code {
            line(&format!("ISRC {n:02}"), v);
        }
    }
    match block.charset {
        Charset::MsJis => encoding_rs::SHIFT_JIS.encode(&s).0.into_owned(),
        _ => s
            .chars()
            .map(|c| u8::try_from(c as u32).unwrap_or(b'?'))
            .collect(),
    }
}
