//! CD-TEXT in the lead-in of raw images, read back by a test decoder
//! written from the reference (`cd-standards.md` §3.4, §5): every lead-in
//! sector's R-W symbols (interleaved and linear P-W) give 4 packs with
//! valid CRCs, and the texts land on the right tracks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use layout::cdtext::{CdText, TextBlock, TextFields};
use layout::disc::{Disc, ImageCreator, SourceFormat, SourceSpan};
use layout::frames::{FrameEncoder, FrameOptions, RAW_IMAGE_START};
use layout::msf::Lba;
use layout::sector::SectorType;
use layout::subchannel::SubchannelFormat;

fn crc_ok(pack: &[u8]) -> bool {
    let mut c = 0u16;
    for &b in &pack[..16] {
        c ^= (b as u16) << 8;
        for _ in 0..8 {
            c = if c & 0x8000 != 0 {
                (c << 1) ^ 0x1021
            } else {
                c << 1
            };
        }
    }
    (!c).to_be_bytes() == [pack[16], pack[17]]
}

/// 96 six-bit symbols to 72 bytes: 4 symbols make 3 bytes, MSB first.
fn symbols_to_bytes(symbols: &[u8]) -> Vec<u8> {
    symbols
        .chunks(4)
        .flat_map(|s| {
            let v = s.iter().fold(0u32, |v, &x| (v << 6) | (x & 0x3f) as u32);
            [(v >> 16) as u8, (v >> 8) as u8, v as u8]
        })
        .collect()
}

/// R-W symbols from linear P-W: channel R is bit 5 of each symbol.
fn linear_symbols(sub: &[u8]) -> Vec<u8> {
    (0..96)
        .map(|k| {
            (0..6).fold(0u8, |v, ch| {
                let byte = sub[24 + 12 * ch + k / 8];
                (v << 1) | ((byte >> (7 - k % 8)) & 1)
            })
        })
        .collect()
}

fn disc() -> Disc {
    let mut c = ImageCreator::new();
    for _ in 0..3 {
        let s = c.add_source("a", SourceFormat::Binary).unwrap();
        c.add_track(
            SectorType::Audio,
            SourceSpan {
                source: s,
                offset: 0,
                sectors: 300,
            },
        )
        .unwrap();
    }
    let mut project = c.project().clone();
    project.cdtext = Some(CdText {
        blocks: vec![TextBlock {
            disc: TextFields {
                title: Some("Lead-in Album".into()),
                performer: Some("Same Player".into()),
                ..TextFields::default()
            },
            tracks: [
                "Opening",
                "A much longer second title that spans packs",
                "Close",
            ]
            .iter()
            .map(|t| TextFields {
                title: Some(t.to_string()),
                performer: Some("Same Player".into()),
                ..TextFields::default()
            })
            .collect(),
            ..TextBlock::default()
        }],
        toc_info: true,
    });
    Disc::plan(&project).unwrap()
}

/// Renders the lead-in of `disc` (from 95:00:00 to LBA -151) in `format`
/// and returns each sector's subchannel.
fn lead_in(disc: &Disc, format: SubchannelFormat) -> Vec<Vec<u8>> {
    let mut enc = FrameEncoder::new(
        disc,
        FrameOptions {
            start: RAW_IMAGE_START,
            end: Lba::PREGAP_START,
            subchannel: format,
            scramble: false,
        },
    )
    .unwrap();
    let fs = enc.frame_size();
    let mut out = Vec::new();
    while let Some(b) = enc.next_batch(1000) {
        let mut frames = vec![0u8; b.sectors as usize * fs];
        enc.encode(&b, &[], &[], &mut frames).unwrap();
        out.extend(frames.chunks(fs).map(|f| f[2352..].to_vec()));
    }
    out
}

fn check(packs: &[Vec<u8>]) {
    assert!(!packs.is_empty());
    for p in packs {
        assert!(crc_ok(p), "pack {p:02x?} has a bad crc");
        assert_eq!(p[3] >> 4 & 7, 0, "block 0");
    }
    // Titles: the 0x80 packs in sequence order, concatenated, split at NUL;
    // the first pack's track byte is 0 (the disc).
    let mut titles: Vec<&Vec<u8>> = packs.iter().filter(|p| p[0] == 0x80).collect();
    titles.sort_by_key(|p| p[2]);
    titles.dedup();
    assert_eq!(titles[0][1], 0);
    let text: Vec<u8> = titles.iter().flat_map(|p| p[4..16].to_vec()).collect();
    let parts: Vec<String> = text
        .split(|&b| b == 0)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .take(4)
        .collect();
    assert_eq!(
        parts,
        [
            "Lead-in Album",
            "Opening",
            "A much longer second title that spans packs",
            "Close"
        ]
    );
    // Every title pack's track byte is the track of its first character.
    let mut offset = 0;
    let starts: Vec<(usize, u8)> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let s = offset;
            offset += p.len() + 1;
            (s, i as u8)
        })
        .collect();
    for (j, p) in titles.iter().enumerate() {
        let owner = starts.iter().rev().find(|(s, _)| *s <= 12 * j).unwrap();
        assert_eq!(p[1], owner.1, "title pack {j} track");
        assert_eq!(
            p[3] & 0x0f,
            ((12 * j - owner.0).min(15)) as u8,
            "title pack {j} character position"
        );
    }
    // Performers: tracks 2 and 3 repeat track 1's, so they are TABs.
    let mut perf: Vec<&Vec<u8>> = packs.iter().filter(|p| p[0] == 0x81).collect();
    perf.sort_by_key(|p| p[2]);
    perf.dedup();
    let text: Vec<u8> = perf.iter().flat_map(|p| p[4..16].to_vec()).collect();
    let parts: Vec<&[u8]> = text.split(|&b| b == 0).take(4).collect();
    assert_eq!(parts, [&b"Same Player"[..], b"Same Player", b"\t", b"\t"]);
}

#[test]
fn lead_in_rw_carries_the_packs_interleaved_and_linear() {
    let disc = disc();
    let n = disc.cdtext_packs().len();
    for format in [SubchannelFormat::Interleaved, SubchannelFormat::Linear] {
        let subs = lead_in(&disc, format);
        assert_eq!(subs.len(), 22_500);
        let mut packs = Vec::new();
        for sub in &subs {
            let symbols: Vec<u8> = match format {
                SubchannelFormat::Interleaved => sub.iter().map(|b| b & 0x3f).collect(),
                _ => linear_symbols(sub),
            };
            let bytes = symbols_to_bytes(&symbols);
            packs.extend(bytes.chunks(18).map(<[u8]>::to_vec));
        }
        check(&packs);
        // The lead-in holds every pack, cycling in order.
        let first: Vec<Vec<u8>> = packs[..n].to_vec();
        let seqs: Vec<u8> = first.iter().map(|p| p[2]).collect();
        let start = seqs.iter().position(|&s| s == 0).unwrap();
        for (k, p) in packs.iter().enumerate().skip(start) {
            assert_eq!(p[2] as usize, (k - start) % n, "pack {k} out of cycle");
        }
        // And the library's decoder agrees.
        let library: Vec<layout::cdtext::Pack> = packs[..4 * 100]
            .iter()
            .map(|p| layout::cdtext::Pack(p.as_slice().try_into().unwrap()))
            .collect();
        let decoded = CdText::from_packs(&library).unwrap();
        assert_eq!(Some(&decoded.cdtext), disc.project().cdtext.as_ref());
    }
}

#[test]
fn cdtext_and_an_rw_generator_are_refused_together() {
    let disc = disc();
    let mut project = disc.project().clone();
    project.rw_generator = Some(layout::disc::SourcePos {
        source: 0,
        offset: 0,
    });
    assert_eq!(
        Disc::plan(&project),
        Err(layout::disc::DiscError::CdTextAndRwGenerator)
    );
}
