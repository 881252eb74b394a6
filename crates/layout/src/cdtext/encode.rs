//! CD-TEXT model to packs.
//!
//! Per block, packs go in type order 0x80…0x85, 0x86, 0x87, 0x88, 0x89,
//! 0x8D, 0x8E, then the three 0x8F size-information packs; sequence numbers
//! count from 0 in each block. Texts of one type are concatenated (disc
//! first, then every track, each NUL-terminated, a missing text empty, a
//! text equal to the previous track's written as TAB) and cut into 12-byte
//! payloads; a pack's track byte names the track of its first character
//! and its character position counts the characters of that text in
//! earlier packs (15 for 15 or more).

use super::pack::{PAYLOAD, Pack, kind};
use super::{
    CdText, CdTextError, Charset, FieldRef, MAX_BLOCK_PACKS, MAX_BLOCKS, MAX_TEXT_CHARS, TextBlock,
    TocSummary,
};

/// A pack before its sequence number is known.
#[derive(Debug, Clone, Copy)]
struct Raw {
    kind: u8,
    track: u8,
    double_byte: bool,
    char_pos: u8,
    payload: [u8; PAYLOAD],
}

/// The packs of the size information: three.
const SIZE_PACKS: usize = 3;

impl CdText {
    /// The packs of this CD-TEXT for a disc with `toc`.
    ///
    /// ## Errors
    ///
    /// [`CdTextError`] naming the block, track and field that cannot be
    /// encoded, or the block that does not fit its 256 packs.
    pub fn to_packs(&self, toc: &TocSummary) -> Result<Vec<Pack>, CdTextError> {
        if self.blocks.len() > MAX_BLOCKS {
            return Err(CdTextError::TooManyBlocks(self.blocks.len()));
        }
        let mut blocks: Vec<Vec<Raw>> = Vec::with_capacity(self.blocks.len());
        for (b, block) in self.blocks.iter().enumerate() {
            blocks.push(block_packs(b, block, toc, self.toc_info)?);
        }
        let last_seq: Vec<u8> = blocks
            .iter()
            .map(|r| (r.len() + SIZE_PACKS - 1) as u8)
            .collect();
        let mut out = Vec::new();
        for (b, (raws, block)) in blocks.iter().zip(&self.blocks).enumerate() {
            let mut seq = 0u8;
            for r in raws {
                out.push(Pack::new(
                    r.kind,
                    r.track,
                    seq,
                    r.double_byte,
                    b as u8,
                    r.char_pos,
                    r.payload,
                ));
                seq = seq.wrapping_add(1);
            }
            let record = size_record(block, raws, toc, &last_seq, &self.blocks);
            for (part, chunk) in record.chunks(PAYLOAD).enumerate() {
                let mut payload = [0u8; PAYLOAD];
                payload.copy_from_slice(chunk);
                out.push(Pack::new(
                    kind::SIZE_INFO,
                    part as u8,
                    seq,
                    false,
                    b as u8,
                    0,
                    payload,
                ));
                seq = seq.wrapping_add(1);
            }
        }
        Ok(out)
    }

    /// The packs each block takes, size information included, as
    /// [`CdText::to_packs`] makes them, but with no limit applied: a block
    /// past [`MAX_BLOCK_PACKS`] (or with a text past [`MAX_TEXT_CHARS`]) is
    /// counted, not refused, so an editor can say how far over it is.
    ///
    /// ## Errors
    ///
    /// [`CdTextError::Character`], [`CdTextError::NotAscii`] and
    /// [`CdTextError::TrackBeyondDisc`], as [`CdText::to_packs`].
    pub fn pack_counts(&self, toc: &TocSummary) -> Result<Vec<usize>, CdTextError> {
        self.blocks
            .iter()
            .enumerate()
            .map(|(b, block)| {
                check_tracks(b, block, toc)?;
                Ok(encode_block(b, block, toc, self.toc_info)?.raws.len() + SIZE_PACKS)
            })
            .collect()
    }
}

/// The 0x88 payloads of a TOC: first pack (first and last track, lead-out),
/// then the start of every track, four per pack; with each pack's track
/// byte.
pub(crate) fn toc_info_payloads(toc: &TocSummary) -> Vec<(u8, [u8; PAYLOAD])> {
    let mut out = Vec::new();
    let mut first = [0u8; PAYLOAD];
    first[0] = toc.first_track;
    first[1] = toc.last_track();
    first[3..6].copy_from_slice(&toc.leadout.to_bytes());
    out.push((0, first));
    for (k, chunk) in toc.starts.chunks(4).enumerate() {
        let mut p = [0u8; PAYLOAD];
        for (j, msf) in chunk.iter().enumerate() {
            p[3 * j..3 * j + 3].copy_from_slice(&msf.to_bytes());
        }
        let first = u8::try_from(4 * k).unwrap_or(u8::MAX);
        out.push((toc.first_track.saturating_add(first), p));
    }
    out
}

/// The packs of block `b` but its size information, refused past the
/// limits of a block.
fn block_packs(
    b: usize,
    block: &TextBlock,
    toc: &TocSummary,
    toc_info: bool,
) -> Result<Vec<Raw>, CdTextError> {
    check_tracks(b, block, toc)?;
    check_lengths(b, block, toc)?;
    let Encoded { raws, longest } = encode_block(b, block, toc, toc_info)?;
    let packs = raws.len() + SIZE_PACKS;
    if packs > MAX_BLOCK_PACKS {
        let (longest, bytes) = longest.unwrap_or((
            FieldRef {
                block: b,
                track: None,
                field: "title",
            },
            0,
        ));
        return Err(CdTextError::BlockTooLarge {
            block: b,
            packs,
            limit: MAX_BLOCK_PACKS,
            longest,
            bytes,
        });
    }
    Ok(raws)
}

/// Refuses texts for tracks the disc does not have.
fn check_tracks(b: usize, block: &TextBlock, toc: &TocSummary) -> Result<(), CdTextError> {
    let tracks = toc.starts.len();
    if block.tracks.len() > tracks {
        return Err(CdTextError::TrackBeyondDisc {
            block: b,
            count: block.tracks.len(),
            tracks,
        });
    }
    Ok(())
}

/// A block's packs but its size information, whatever their number.
struct Encoded {
    raws: Vec<Raw>,
    /// The longest text: where, and its length in bytes.
    longest: Option<(FieldRef, usize)>,
}

/// The packs of block `b` but its size information.
fn encode_block(
    b: usize,
    block: &TextBlock,
    toc: &TocSummary,
    toc_info: bool,
) -> Result<Encoded, CdTextError> {
    let mut raws = Vec::new();
    let mut longest: Option<(FieldRef, usize)> = None;
    let mut note = |f: FieldRef, len: usize| {
        if longest.as_ref().is_none_or(|(_, l)| len > *l) {
            longest = Some((f, len));
        }
    };
    for k in [
        kind::TITLE,
        kind::PERFORMER,
        kind::SONGWRITER,
        kind::COMPOSER,
        kind::ARRANGER,
        kind::MESSAGE,
    ] {
        text_packs(b, block, toc, k, block.charset, &mut raws, &mut note)?;
    }
    if let Some(id) = &block.disc_id {
        let field = FieldRef {
            block: b,
            track: None,
            field: "disc id",
        };
        let bytes = ascii(id, &field)?;
        note(field, bytes.len());
        chop(
            kind::DISC_ID,
            &[(0, terminated(bytes, false))],
            false,
            &mut raws,
        );
    }
    if let Some(g) = &block.genre {
        let field = FieldRef {
            block: b,
            track: None,
            field: "genre",
        };
        let mut data = g.code.to_be_bytes().to_vec();
        data.extend(ascii(&g.text, &field)?);
        data.push(0);
        note(field, data.len());
        for (k, chunk) in data.chunks(PAYLOAD).enumerate() {
            let mut payload = [0u8; PAYLOAD];
            payload[..chunk.len()].copy_from_slice(chunk);
            let pos = if k == 0 {
                0
            } else {
                (12 * k - 2).min(15) as u8
            };
            raws.push(Raw {
                kind: kind::GENRE,
                track: 0,
                double_byte: false,
                char_pos: pos,
                payload,
            });
        }
    }
    if toc_info {
        for (track, payload) in toc_info_payloads(toc) {
            raws.push(Raw {
                kind: kind::TOC_INFO,
                track,
                double_byte: false,
                char_pos: 0,
                payload,
            });
        }
    }
    for &(track, payload) in &block.toc_info2 {
        raws.push(Raw {
            kind: kind::TOC_INFO2,
            track,
            double_byte: false,
            char_pos: 0,
            payload,
        });
    }
    if let Some(closed) = &block.closed {
        let field = FieldRef {
            block: b,
            track: None,
            field: "closed information",
        };
        let bytes = encode_text(Charset::Iso8859_1, closed, &field)?;
        note(field, bytes.len());
        chop(
            kind::CLOSED,
            &[(0, terminated(bytes, false))],
            false,
            &mut raws,
        );
    }
    text_packs(
        b,
        block,
        toc,
        kind::CODE,
        Charset::Ascii,
        &mut raws,
        &mut note,
    )?;
    Ok(Encoded { raws, longest })
}

/// Refuses, before anything is encoded, a text with more characters than
/// a block can hold: every character takes at least a byte, so encoding it
/// could only fail, after copying it several times.
fn check_lengths(b: usize, block: &TextBlock, toc: &TocSummary) -> Result<(), CdTextError> {
    let check = |field: FieldRef, text: &str| {
        let chars = text.chars().count();
        if chars > MAX_TEXT_CHARS {
            Err(CdTextError::TextTooLong { field, chars })
        } else {
            Ok(())
        }
    };
    let fields = core::iter::once((None, &block.disc)).chain(
        block
            .tracks
            .iter()
            .enumerate()
            .map(|(i, t)| (Some(toc.first_track.saturating_add(i as u8)), t)),
    );
    for (track, texts) in fields {
        for k in super::TEXT_KINDS {
            if let Some(text) = texts.get(k) {
                let field = field_name(k, track.is_none());
                check(
                    FieldRef {
                        block: b,
                        track,
                        field,
                    },
                    text,
                )?;
            }
        }
    }
    let disc = |field| FieldRef {
        block: b,
        track: None,
        field,
    };
    for (field, text) in [
        ("disc id", block.disc_id.as_deref()),
        ("closed information", block.closed.as_deref()),
        ("genre", block.genre.as_ref().map(|g| g.text.as_str())),
    ] {
        if let Some(text) = text {
            check(disc(field), text)?;
        }
    }
    Ok(())
}

fn field_name(k: u8, disc: bool) -> &'static str {
    match k {
        kind::TITLE => "title",
        kind::PERFORMER => "performer",
        kind::SONGWRITER => "songwriter",
        kind::COMPOSER => "composer",
        kind::ARRANGER => "arranger",
        kind::MESSAGE => "message",
        kind::CODE if disc => "upc/ean",
        kind::CODE => "isrc",
        _ => "text",
    }
}

/// Packs of one text type: the disc's text and every track's, when any is
/// set and not empty.
fn text_packs(
    b: usize,
    block: &TextBlock,
    toc: &TocSummary,
    k: u8,
    charset: Charset,
    raws: &mut Vec<Raw>,
    note: &mut dyn FnMut(FieldRef, usize),
) -> Result<(), CdTextError> {
    // A type whose every text is empty says nothing, and a disc read back
    // has no way to tell it from one that is absent: no packs for it.
    let said = |t: Option<&str>| t.is_some_and(|s| !s.is_empty());
    let present = said(block.disc.get(k)) || block.tracks.iter().any(|t| said(t.get(k)));
    if !present {
        return Ok(());
    }
    let wide = charset.double_byte() && k != kind::CODE;
    let mut items: Vec<(u8, Vec<u8>)> = Vec::with_capacity(toc.starts.len() + 1);
    let disc_field = FieldRef {
        block: b,
        track: None,
        field: field_name(k, true),
    };
    let disc_text = encode_text(charset, block.disc.get(k).unwrap_or(""), &disc_field)?;
    note(disc_field, disc_text.len());
    items.push((0, terminated(disc_text, wide)));
    let mut previous: Option<Vec<u8>> = None;
    for i in 0..toc.starts.len() {
        let number = toc
            .first_track
            .saturating_add(u8::try_from(i).unwrap_or(u8::MAX));
        let field = FieldRef {
            block: b,
            track: Some(number),
            field: field_name(k, false),
        };
        let text = block.tracks.get(i).and_then(|t| t.get(k)).unwrap_or("");
        let bytes = encode_text(charset, text, &field)?;
        note(field, bytes.len());
        let same = !bytes.is_empty() && previous.as_ref() == Some(&bytes);
        previous = Some(bytes.clone());
        let stored = if same {
            if wide {
                vec![b'\t', b'\t']
            } else {
                vec![b'\t']
            }
        } else {
            bytes
        };
        items.push((number, terminated(stored, wide)));
    }
    chop(k, &items, wide, raws);
    Ok(())
}

/// Cuts texts (track number, bytes with terminator) into packs.
fn chop(k: u8, items: &[(u8, Vec<u8>)], wide: bool, raws: &mut Vec<Raw>) {
    let mut data = Vec::new();
    let mut starts = Vec::with_capacity(items.len());
    for (track, bytes) in items {
        starts.push((data.len(), *track));
        data.extend_from_slice(bytes);
    }
    for (j, chunk) in data.chunks(PAYLOAD).enumerate() {
        let at = j * PAYLOAD;
        // The text the pack's first byte belongs to.
        let i = starts.partition_point(|(s, _)| *s <= at) - 1;
        let (start, track) = starts[i];
        let before = at - start;
        let chars = if wide { before / 2 } else { before };
        let mut payload = [0u8; PAYLOAD];
        payload[..chunk.len()].copy_from_slice(chunk);
        raws.push(Raw {
            kind: k,
            track,
            double_byte: wide,
            char_pos: chars.min(15) as u8,
            payload,
        });
    }
}

fn terminated(mut bytes: Vec<u8>, wide: bool) -> Vec<u8> {
    bytes.push(0);
    if wide {
        bytes.push(0);
    }
    bytes
}

fn encode_text(charset: Charset, text: &str, field: &FieldRef) -> Result<Vec<u8>, CdTextError> {
    charset.encode(text).map_err(|ch| CdTextError::Character {
        field: field.clone(),
        ch,
        charset: charset.name(),
    })
}

fn ascii(text: &str, field: &FieldRef) -> Result<Vec<u8>, CdTextError> {
    Charset::Ascii
        .encode(text)
        .map_err(|_| CdTextError::NotAscii(field.clone()))
}

/// The 36-byte size information of a block.
fn size_record(
    block: &TextBlock,
    raws: &[Raw],
    toc: &TocSummary,
    last_seq: &[u8],
    blocks: &[TextBlock],
) -> [u8; 36] {
    let mut r = [0u8; 36];
    r[0] = block.charset.code();
    r[1] = toc.first_track;
    r[2] = toc.last_track();
    r[3] = if block.copyright { 0x03 } else { 0x00 };
    for raw in raws {
        r[4 + (raw.kind - 0x80) as usize] += 1;
    }
    r[4 + 15] += SIZE_PACKS as u8;
    for (i, s) in last_seq.iter().enumerate() {
        r[20 + i] = *s;
    }
    for (i, bl) in blocks.iter().enumerate() {
        r[28 + i] = bl.language;
    }
    r
}
