//! Raw writing scrambles exactly the sectors a reader descrambles: data
//! sectors that carry the sync pattern (ECMA-130 Annex B; the sync itself
//! is never scrambled, which is how a reader finds them).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use layout::disc::{Disc, Project};
use layout::frames::{FrameEncoder, FrameOptions};
use layout::msf::Lba;
use layout::sector::{SECTOR_SIZE, SYNC, SectorEncoder, SectorType, scramble};
use layout::subchannel::SubchannelFormat;

/// Frames `0..end` of `disc` with the raw-writing scrambler on, from
/// `source`.
fn frames(disc: &Disc, source: &[u8], end: i32) -> Vec<u8> {
    let mut enc = FrameEncoder::new(
        disc,
        FrameOptions {
            start: Lba(0),
            end: Lba(end),
            subchannel: SubchannelFormat::None,
            scramble: true,
        },
    )
    .unwrap();
    let mut out = Vec::new();
    while let Some(b) = enc.next_batch(64) {
        let main = b.main.map_or(&[][..], |r| {
            &source[r.offset as usize..r.offset as usize + r.len]
        });
        let mut f = vec![0u8; b.sectors as usize * enc.frame_size()];
        enc.encode(&b, main, &[], &mut f).unwrap();
        out.extend(f);
    }
    out
}

#[test]
fn a_raw_data_sector_without_sync_is_sent_as_given() {
    // A raw Mode 1 track of 300 sectors: sector 10 is all zeros (no sync),
    // every other one a proper Mode 1 sector.
    let mut source = vec![0u8; 300 * SECTOR_SIZE];
    let enc = SectorEncoder::new(SectorType::Mode1);
    for (i, s) in source.chunks_exact_mut(SECTOR_SIZE).enumerate() {
        if i != 10 {
            let user = vec![(i % 251) as u8; 2048];
            enc.encode(Lba(i as i32), &user, s.try_into().unwrap())
                .unwrap();
        }
    }
    let project: Project = serde_json::from_str(
        r#"{ "sources": [{ "path": "t.bin" }],
             "tracks": [{ "sectorType": "mode1Raw", "data": { "source": 0, "sectors": 300 } }] }"#,
    )
    .unwrap();
    let disc = Disc::plan(&project).unwrap();
    let out = frames(&disc, &source, 300);
    for i in [0usize, 9, 11, 299] {
        let mut want: [u8; SECTOR_SIZE] =
            source[i * SECTOR_SIZE..][..SECTOR_SIZE].try_into().unwrap();
        assert_eq!(want[..12], SYNC);
        scramble(&mut want);
        assert!(
            out[i * SECTOR_SIZE..][..SECTOR_SIZE] == want,
            "sector {i} scrambled"
        );
    }
    assert!(
        out[10 * SECTOR_SIZE..11 * SECTOR_SIZE]
            .iter()
            .all(|&b| b == 0),
        "the sector without sync is sent as given"
    );
}
