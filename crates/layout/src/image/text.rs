//! CD-TEXT in the text of image descriptions: cue sheet commands and cdrdao
//! `CD_TEXT` blocks.

use crate::cdtext::pack::kind;
use crate::cdtext::{CdText, Charset, Pack, TextBlock, tables};
use core::fmt::Write;

/// Cue commands for block 0's texts of the disc (`track` `None`) or of a
/// track: TITLE, PERFORMER, SONGWRITER, and REM for the rest. Texts a cue
/// sheet cannot quote (with a double quote) are left to the `.cdt` and
/// reported.
pub(crate) fn cue_lines(
    cdtext: &CdText,
    track: Option<usize>,
    indent: &str,
    warnings: &mut Vec<String>,
) -> String {
    let Some(block) = cdtext.blocks.first() else {
        return String::new();
    };
    let fields = match track {
        None => Some(&block.disc),
        Some(i) => block.tracks.get(i),
    };
    let mut out = String::new();
    let mut put = |command: &str, value: &str| {
        if value.contains('"') {
            warnings.push(format!(
                "{} {command} `{value}` has a double quote a cue sheet cannot hold; it is in the .cdt file",
                track.map_or("disc".to_string(), |i| format!("track {}", i + 1))
            ));
        } else {
            let _ = writeln!(out, "{indent}{command} \"{value}\"");
        }
    };
    if track.is_none() {
        if let Some(g) = &block.genre {
            let name = tables::genre_name(g.code).unwrap_or("Not Defined");
            let text = if g.text.is_empty() {
                name
            } else {
                g.text.as_str()
            };
            put("REM GENRE", text);
        }
        if let Some(id) = &block.disc_id {
            put("REM DISCID", id);
        }
    }
    if let Some(f) = fields {
        for (command, value) in [
            ("REM COMPOSER", &f.composer),
            ("REM ARRANGER", &f.arranger),
            ("REM MESSAGE", &f.message),
            ("PERFORMER", &f.performer),
            ("SONGWRITER", &f.songwriter),
            ("TITLE", &f.title),
        ] {
            if let Some(v) = value {
                put(command, v);
            }
        }
    }
    out
}

/// A cdrdao toc string: ASCII kept, quotes and backslashes escaped, every
/// other byte as an octal escape (so the bytes are exact whatever the
/// file's encoding).
fn toc_string(block: &TextBlock, k: u8, value: &str) -> String {
    let bytes: Vec<u8> = match (block.charset, k) {
        (Charset::MsJis, kind::TITLE..=kind::MESSAGE) => {
            encoding_rs::SHIFT_JIS.encode(value).0.into_owned()
        }
        _ => value
            .chars()
            .map(|c| u8::try_from(c as u32).unwrap_or(b'?'))
            .collect(),
    };
    let mut s = String::from("\"");
    for b in bytes {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\134"),
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\{b:03o}");
            }
        }
    }
    s.push('"');
    s
}

/// Item names of cdrdao's CD_TEXT blocks for the text pack types.
const TOC_ITEMS: [(u8, &str); 7] = [
    (kind::TITLE, "TITLE"),
    (kind::PERFORMER, "PERFORMER"),
    (kind::SONGWRITER, "SONGWRITER"),
    (kind::COMPOSER, "COMPOSER"),
    (kind::ARRANGER, "ARRANGER"),
    (kind::MESSAGE, "MESSAGE"),
    (kind::CODE, "UPC_EAN"),
];

/// Whether any text of type `k` is set in the block (cdrdao then wants it
/// for the disc and every track).
fn present(block: &TextBlock, k: u8) -> bool {
    block.disc.get(k).is_some() || block.tracks.iter().any(|t| t.get(k).is_some())
}

/// The global `CD_TEXT { … }` of a toc file. A block whose character code
/// is not ISO-8859-1, or whose copyright flag is set, also gets its size
/// information (`SIZE_INFO`, from `packs`), which says both: cdrdao accepts
/// it and makes its own, and `rawburn` reads the block back exactly.
pub(crate) fn toc_global(cdtext: &CdText, packs: &[Pack], warnings: &mut Vec<String>) -> String {
    let mut s = String::from("CD_TEXT {\n  LANGUAGE_MAP {\n");
    for (b, block) in cdtext.blocks.iter().enumerate() {
        let _ = writeln!(s, "    {b} : {}", block.language);
    }
    s.push_str("  }\n");
    for (b, block) in cdtext.blocks.iter().enumerate() {
        if block.charset == Charset::MsJis {
            warnings.push(format!(
                "cd-text block {b} is ms-jis; the toc file holds its shift_jis bytes, but cdrdao will write them as iso-8859-1"
            ));
        }
        if block.closed.is_some() {
            warnings.push(format!(
                "cd-text block {b}: a toc file has no item for closed information; it is not written"
            ));
        }
        let _ = writeln!(s, "  LANGUAGE {b} {{");
        for (k, item) in TOC_ITEMS {
            if present(block, k) {
                let v = block.disc.get(k).unwrap_or("");
                let _ = writeln!(s, "    {item} {}", toc_string(block, k, v));
            }
        }
        if let Some(id) = &block.disc_id {
            let _ = writeln!(s, "    DISC_ID {}", toc_string(block, kind::DISC_ID, id));
        }
        if let Some(g) = &block.genre {
            let mut bytes = g.code.to_be_bytes().to_vec();
            bytes.extend(g.text.bytes());
            bytes.push(0);
            let list: Vec<String> = bytes.iter().map(u8::to_string).collect();
            let _ = writeln!(s, "    GENRE {{ {} }}", list.join(", "));
        }
        if (block.charset != Charset::Iso8859_1 || block.copyright)
            && let Some(record) = size_record(packs, b as u8)
        {
            let list: Vec<String> = record.iter().map(u8::to_string).collect();
            let _ = writeln!(s, "    SIZE_INFO {{ {} }}", list.join(", "));
        }
        s.push_str("  }\n");
    }
    s.push_str("}\n");
    s
}

/// The 36-byte size information of block `b`: the payloads of its three
/// 0x8F packs.
fn size_record(packs: &[Pack], b: u8) -> Option<Vec<u8>> {
    let mut record = Vec::with_capacity(36);
    for part in 0..3u8 {
        let p = packs
            .iter()
            .find(|p| p.kind() == kind::SIZE_INFO && p.block() == b && p.track() == part)?;
        record.extend_from_slice(p.payload());
    }
    Some(record)
}

/// A track's `CD_TEXT { … }` in a toc file.
pub(crate) fn toc_track(cdtext: &CdText, i: usize) -> String {
    let mut s = String::from("CD_TEXT {\n");
    for (b, block) in cdtext.blocks.iter().enumerate() {
        let _ = writeln!(s, "  LANGUAGE {b} {{");
        for (k, item) in TOC_ITEMS {
            if present(block, k) {
                let item = if k == kind::CODE { "ISRC" } else { item };
                let v = block.tracks.get(i).and_then(|t| t.get(k)).unwrap_or("");
                let _ = writeln!(s, "    {item} {}", toc_string(block, k, v));
            }
        }
        s.push_str("  }\n");
    }
    s.push_str("}\n");
    s
}
