//! `CD_TEXT` blocks of a toc file into the CD-TEXT model.

use super::super::{Pos, ReadError};
use super::parse::{self, CdTextDef, StrPart, TextItem, TextValue};
use crate::cdtext::pack::kind;
use crate::cdtext::{CdText, Charset, Genre, TextBlock, TextFields, tables};

/// The CD-TEXT of a toc file: the global block (with its language map) and
/// each track's, `tracks` of them. `None` when there is none.
///
/// Blocks are the numbers of the language map, in order; a `LANGUAGE`
/// block without an entry in the map is ignored, as cdrdao does. The
/// encoding of a block is its `ENCODING_…` statement, else the character
/// code in its `SIZE_INFO`, else ISO-8859-1; escaped bytes (`\351`) are
/// bytes in that encoding.
///
/// ## Errors
///
/// [`ReadError`] at an item a block cannot hold.
pub(super) fn cdtext(
    global: Option<&CdTextDef>,
    tracks: &[Option<&CdTextDef>],
    warnings: &mut Vec<String>,
) -> Result<Option<CdText>, ReadError> {
    let Some(global) = global else {
        if let Some(def) = tracks.iter().flatten().next() {
            warnings.push(format!(
                "{}: CD_TEXT of a track without a global CD_TEXT block (and its LANGUAGE_MAP) is ignored, as cdrdao ignores it",
                def.pos
            ));
        }
        return Ok(None);
    };
    // Block numbers of the map, in order, and their languages.
    let mut numbers: Vec<(u8, u8)> = Vec::new();
    for &(pos, block, language) in &global.map {
        if block > 7 {
            return Err(ReadError::at(
                pos,
                format!("block number {block} out of range (0 to 7)"),
            ));
        }
        match numbers.iter_mut().find(|(b, _)| *b == block) {
            Some(entry) => entry.1 = language,
            None => numbers.push((block, language)),
        }
    }
    numbers.sort_unstable();
    if numbers
        .iter()
        .enumerate()
        .any(|(k, (b, _))| k != *b as usize)
    {
        warnings.push(format!(
            "{}: the LANGUAGE_MAP numbers its blocks {}; they are written as blocks 0-{}",
            global.pos,
            numbers
                .iter()
                .map(|(b, _)| b.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            numbers.len().saturating_sub(1)
        ));
    }
    let unmapped = |def: &CdTextDef, warnings: &mut Vec<String>| {
        for b in &def.blocks {
            if !numbers.iter().any(|(n, _)| *n == b.block) {
                warnings.push(format!(
                    "{}: LANGUAGE {} has no entry in the LANGUAGE_MAP; it is ignored, as cdrdao ignores it",
                    b.pos, b.block
                ));
            }
        }
    };
    unmapped(global, warnings);
    for def in tracks.iter().flatten() {
        unmapped(def, warnings);
    }

    let mut blocks = Vec::new();
    for &(number, language) in &numbers {
        let mut block = TextBlock {
            language,
            ..TextBlock::default()
        };
        let items: Vec<&(Pos, TextItem)> = global
            .blocks
            .iter()
            .filter(|b| b.block == number)
            .flat_map(|b| &b.items)
            .collect();
        block.charset = charset(&items)?;
        for (pos, item) in items {
            if let TextItem::Item { name, value } = item {
                disc_item(&mut block, *pos, name, value, warnings)?;
            }
        }
        for (i, def) in tracks.iter().enumerate() {
            let Some(def) = def else { continue };
            for b in def.blocks.iter().filter(|b| b.block == number) {
                for (pos, item) in &b.items {
                    let TextItem::Item { name, value } = item else {
                        return Err(ReadError::at(
                            *pos,
                            "an ENCODING belongs to the global CD_TEXT block",
                        ));
                    };
                    if block.tracks.len() <= i {
                        block.tracks.resize(i + 1, TextFields::default());
                    }
                    let charset = block.charset;
                    track_item(&mut block.tracks[i], charset, *pos, name, value)?;
                }
            }
        }
        while block.tracks.last().is_some_and(TextFields::is_empty) {
            block.tracks.pop();
        }
        if block.charset == Charset::Ascii {
            let latin1 = core::iter::once(&block.disc)
                .chain(&block.tracks)
                .flat_map(|f| crate::cdtext::TEXT_KINDS.map(|k| f.get(k)))
                .flatten()
                .any(|t| !t.is_ascii());
            if latin1 {
                // Read-toc dumps of real discs say ASCII and hold Latin-1:
                // the bytes are kept, under the code that holds them.
                warnings.push(format!(
                    "{}: LANGUAGE {number} is declared ASCII but holds characters past 0x7f; it is written as ISO-8859-1, byte for byte",
                    global.pos
                ));
                block.charset = Charset::Iso8859_1;
            }
        }
        blocks.push(block);
    }
    let empty = blocks.iter().all(|b| {
        b.disc.is_empty()
            && b.tracks.is_empty()
            && b.disc_id.is_none()
            && b.genre.is_none()
            && b.closed.is_none()
    });
    if empty {
        return Ok(None);
    }
    Ok(Some(CdText {
        blocks,
        toc_info: true,
    }))
}

/// A block's character code: its `ENCODING_…`, else its `SIZE_INFO`'s.
fn charset(items: &[&(Pos, TextItem)]) -> Result<Charset, ReadError> {
    let mut from_size = None;
    let mut from_encoding = None;
    for (pos, item) in items {
        match item {
            TextItem::Encoding(name) => {
                from_encoding = Some(match name.as_str() {
                    "ENCODING_ISO_8859_1" => Charset::Iso8859_1,
                    "ENCODING_ASCII" => Charset::Ascii,
                    "ENCODING_MS_JIS" => Charset::MsJis,
                    _ => {
                        return Err(ReadError::at(
                            *pos,
                            format!(
                                "{name} is not supported (ENCODING_ISO_8859_1, ENCODING_ASCII or ENCODING_MS_JIS)"
                            ),
                        ));
                    }
                });
            }
            TextItem::Item {
                name,
                value: TextValue::Binary(bytes),
            } if name == "SIZE_INFO" => {
                if let Some(&code) = bytes.first() {
                    from_size = Some(Charset::from_code(code).ok_or_else(|| {
                        ReadError::at(
                            *pos,
                            format!(
                                "SIZE_INFO gives character code {code:#04x}; rawburn writes ISO-8859-1 (0), ASCII (1) or MS-JIS (128)"
                            ),
                        )
                    })?);
                }
            }
            _ => {}
        }
    }
    Ok(from_encoding.or(from_size).unwrap_or_default())
}

/// A string item's text in `charset`: escaped bytes are bytes in the
/// block's encoding, characters as written. In a double-byte block a
/// character's second byte may be printable ASCII, written as itself, so
/// the whole string is taken as bytes there.
fn decode(parts: &[StrPart], charset: Charset) -> Option<String> {
    let out: String = match charset {
        Charset::MsJis => {
            let mut bytes = Vec::new();
            for p in parts {
                match *p {
                    StrPart::Byte(b) => bytes.push(b),
                    StrPart::Char(c) => {
                        let mut buf = [0u8; 4];
                        let (encoded, _, _) =
                            encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf));
                        bytes.extend_from_slice(&encoded);
                    }
                }
            }
            encoding_rs::SHIFT_JIS.decode(&bytes).0.into_owned()
        }
        _ => parse::latin1(parts),
    };
    (!out.is_empty()).then_some(out)
}

fn string<'a>(pos: Pos, name: &str, value: &'a TextValue) -> Result<&'a [StrPart], ReadError> {
    match value {
        TextValue::Str(parts) => Ok(parts),
        TextValue::Binary(_) => Err(ReadError::at(pos, format!("{name} takes a string"))),
    }
}

/// The text pack type of a string item of disc and tracks.
fn text_kind(name: &str) -> Option<u8> {
    Some(match name {
        "TITLE" => kind::TITLE,
        "PERFORMER" => kind::PERFORMER,
        "SONGWRITER" => kind::SONGWRITER,
        "COMPOSER" => kind::COMPOSER,
        "ARRANGER" => kind::ARRANGER,
        "MESSAGE" => kind::MESSAGE,
        "UPC_EAN" | "ISRC" => kind::CODE,
        _ => return None,
    })
}

fn disc_item(
    block: &mut TextBlock,
    pos: Pos,
    name: &str,
    value: &TextValue,
    warnings: &mut Vec<String>,
) -> Result<(), ReadError> {
    let charset = block.charset;
    if let Some(k) = text_kind(name) {
        let cs = if k == kind::CODE {
            Charset::Ascii
        } else {
            charset
        };
        let text = decode(string(pos, name, value)?, cs);
        if let Some(slot) = block.disc.slot(k) {
            *slot = text;
        }
        return Ok(());
    }
    match name {
        "DISC_ID" => block.disc_id = decode(string(pos, name, value)?, Charset::Ascii),
        "CLOSED" => block.closed = decode(string(pos, name, value)?, Charset::Iso8859_1),
        "GENRE" => {
            block.genre = match value {
                TextValue::Binary(bytes) if bytes.len() >= 2 => {
                    let text: String = bytes[2..]
                        .iter()
                        .take_while(|&&b| b != 0)
                        .map(|&b| b as char)
                        .collect();
                    Some(Genre {
                        code: u16::from_be_bytes([bytes[0], bytes[1]]),
                        text,
                    })
                }
                TextValue::Binary(_) => {
                    return Err(ReadError::at(
                        pos,
                        "GENRE needs at least the two bytes of the genre code",
                    ));
                }
                TextValue::Str(parts) => {
                    decode(parts, Charset::Ascii).map(|g| match tables::genre_code(&g) {
                        Some(code) => Genre {
                            code,
                            text: String::new(),
                        },
                        None => Genre { code: 1, text: g },
                    })
                }
            }
        }
        "SIZE_INFO" => {
            // The character code was read with the block's other items;
            // the rest is derived from the texts, except the copyright flag.
            if let TextValue::Binary(bytes) = value {
                block.copyright = bytes.get(3).is_some_and(|&b| b != 0);
            }
        }
        // Derived from the disc layout when the packs are made.
        "TOC_INFO1" => {}
        _ => warnings.push(format!("{pos}: {name} is not kept")),
    }
    Ok(())
}

fn track_item(
    fields: &mut TextFields,
    charset: Charset,
    pos: Pos,
    name: &str,
    value: &TextValue,
) -> Result<(), ReadError> {
    let Some(k) = text_kind(name) else {
        return Err(ReadError::at(
            pos,
            format!("{name} belongs to the global CD_TEXT block, not to a track's"),
        ));
    };
    let cs = if k == kind::CODE {
        Charset::Ascii
    } else {
        charset
    };
    let text = decode(string(pos, name, value)?, cs);
    if let Some(slot) = fields.slot(k) {
        *slot = text;
    }
    Ok(())
}
