//! Packs back to the CD-TEXT model.

use super::pack::{Pack, kind};
use super::{CdText, CdTextError, Charset, Genre, TEXT_KINDS, TextBlock, TextFields};
use std::collections::BTreeMap;

/// The outcome of [`CdText::from_packs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The texts.
    pub cdtext: CdText,
    /// Number of the first track the packs describe.
    pub first_track: u8,
    /// Distinct packs with a valid CRC that were used.
    pub packs: usize,
    /// Packs dropped for a bad CRC.
    pub bad_crc: usize,
}

impl CdText {
    /// Reads packs back into texts. Packs may repeat (as read from a
    /// lead-in) and come in any order; packs with a bad CRC are dropped and
    /// counted.
    ///
    /// ## Errors
    ///
    /// [`CdTextError::NoValidPacks`] when no pack has a valid CRC.
    pub fn from_packs(packs: &[Pack]) -> Result<Decoded, CdTextError> {
        let bad_crc = packs.iter().filter(|p| !p.crc_ok()).count();
        // One pack per (block, sequence number), in order.
        let mut unique: BTreeMap<(u8, u8), Pack> = BTreeMap::new();
        for p in packs.iter().filter(|p| p.crc_ok()) {
            unique.entry((p.block(), p.sequence())).or_insert(*p);
        }
        if unique.is_empty() {
            return Err(CdTextError::NoValidPacks(packs.len()));
        }
        let mut by_block: BTreeMap<u8, Vec<Pack>> = BTreeMap::new();
        for ((b, _), p) in &unique {
            by_block.entry(*b).or_default().push(*p);
        }

        // The size information of any block gives languages for all.
        let records: BTreeMap<u8, [u8; 36]> = by_block
            .iter()
            .filter_map(|(b, packs)| size_record(packs).map(|r| (*b, r)))
            .collect();
        let languages = records.values().next().map(|r| {
            let mut l = [0u8; 8];
            l.copy_from_slice(&r[28..36]);
            l
        });
        let first_track = records
            .values()
            .next()
            .map(|r| r[1])
            .or_else(|| {
                unique
                    .values()
                    .filter(|p| TEXT_KINDS.contains(&p.kind()) && p.track() > 0)
                    .map(Pack::track)
                    .min()
            })
            .unwrap_or(1)
            .max(1);
        let last_track = records.values().next().map(|r| r[2]);

        let last_block = by_block.keys().copied().max().unwrap_or(0);
        let mut out = CdText {
            blocks: Vec::new(),
            toc_info: unique.values().any(|p| p.kind() == kind::TOC_INFO),
        };
        for b in 0..=last_block {
            let packs = by_block.get(&b).map(Vec::as_slice).unwrap_or(&[]);
            let record = records.get(&b);
            let charset = record.and_then(|r| Charset::from_code(r[0])).unwrap_or(
                if packs.iter().any(Pack::double_byte) {
                    Charset::MsJis
                } else {
                    Charset::Iso8859_1
                },
            );
            let mut block = TextBlock {
                language: languages.map_or(0, |l| l[b as usize]),
                charset,
                copyright: record.is_some_and(|r| r[3] != 0),
                ..TextBlock::default()
            };
            let tracks = last_track
                .map(|l| l.saturating_sub(first_track) as usize + 1)
                .unwrap_or_else(|| {
                    packs
                        .iter()
                        .map(|p| p.track().saturating_sub(first_track) as usize + 1)
                        .max()
                        .unwrap_or(0)
                });
            block.tracks = vec![TextFields::default(); tracks];
            for k in TEXT_KINDS {
                let wide = charset.double_byte() && k != kind::CODE;
                let cs = if k == kind::CODE {
                    Charset::Ascii
                } else {
                    charset
                };
                let texts = texts_of(packs, k, wide, cs, first_track);
                let mut previous: Option<String> = None;
                for (track, text) in texts {
                    let tab = if wide { "\t\t" } else { "\t" };
                    let text = if track > 0 && text == tab {
                        previous.clone().unwrap_or_default()
                    } else {
                        text
                    };
                    if track > 0 {
                        previous = Some(text.clone());
                    }
                    let value = (!text.is_empty()).then_some(text);
                    if track == 0 {
                        if let Some(s) = block.disc.slot(k) {
                            *s = value;
                        }
                    } else if let Some(t) = block
                        .tracks
                        .get_mut(track.saturating_sub(first_track) as usize)
                        && let Some(s) = t.slot(k)
                    {
                        *s = value;
                    }
                }
            }
            block.disc_id = first_text(packs, kind::DISC_ID, Charset::Ascii);
            block.closed = first_text(packs, kind::CLOSED, Charset::Iso8859_1);
            let genre: Vec<u8> = payloads(packs, kind::GENRE);
            if genre.len() >= 2 {
                let text: Vec<u8> = genre[2..].iter().copied().take_while(|&c| c != 0).collect();
                block.genre = Some(Genre {
                    code: u16::from_be_bytes([genre[0], genre[1]]),
                    text: Charset::Ascii.decode(&text),
                });
            }
            block.toc_info2 = packs
                .iter()
                .filter(|p| p.kind() == kind::TOC_INFO2)
                .map(|p| {
                    let mut payload = [0u8; 12];
                    payload.copy_from_slice(p.payload());
                    (p.track(), payload)
                })
                .collect();
            while block.tracks.last().is_some_and(TextFields::is_empty) {
                block.tracks.pop();
            }
            out.blocks.push(block);
        }
        Ok(Decoded {
            cdtext: out,
            first_track,
            packs: unique.len(),
            bad_crc,
        })
    }
}

/// The 36-byte size record of a block, if its three 0x8F packs are there.
fn size_record(packs: &[Pack]) -> Option<[u8; 36]> {
    let mut r = [0u8; 36];
    for part in 0..3u8 {
        let p = packs
            .iter()
            .find(|p| p.kind() == kind::SIZE_INFO && p.track() == part)?;
        r[12 * part as usize..12 * (part as usize + 1)].copy_from_slice(p.payload());
    }
    Some(r)
}

fn payloads(packs: &[Pack], k: u8) -> Vec<u8> {
    packs
        .iter()
        .filter(|p| p.kind() == k)
        .flat_map(|p| p.payload().iter().copied())
        .collect()
}

/// The texts of one type with their track numbers, in order.
fn texts_of(
    packs: &[Pack],
    k: u8,
    wide: bool,
    charset: Charset,
    first_track: u8,
) -> Vec<(u8, String)> {
    let Some(first) = packs.iter().find(|p| p.kind() == k) else {
        return Vec::new();
    };
    let data = payloads(packs, k);
    let mut out = Vec::new();
    let mut track = first.track();
    // Text bytes are never zero (Shift_JIS included), so the first zero
    // starts a terminator: one byte, or two for double-byte texts.
    let terminator = if wide { 2 } else { 1 };
    let mut start = 0;
    while let Some(end) = data[start..]
        .iter()
        .position(|&b| b == 0)
        .map(|e| start + e)
    {
        out.push((track, charset.decode(&data[start..end])));
        // The disc's text is followed by the first track's, which need not
        // be track 1.
        track = if track == 0 {
            first_track
        } else {
            track.saturating_add(1)
        };
        start = (end + terminator).min(data.len());
    }
    // Padding after the last text reads as empty texts: drop them.
    while out.last().is_some_and(|(_, t)| t.is_empty()) {
        out.pop();
    }
    out
}

fn first_text(packs: &[Pack], k: u8, charset: Charset) -> Option<String> {
    let data = payloads(packs, k);
    if data.is_empty() {
        return None;
    }
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let s = charset.decode(&data[..end]);
    (!s.is_empty()).then_some(s)
}
