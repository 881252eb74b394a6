#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;
use crate::disc::{Gap, SourceSpan};
use crate::sector::SectorEncoder;

/// Every section and key CloneCD writes, and a few it may.
const EVERY_KEY: &str = "[CloneCD]
Version=3

[Disc]
TocEntries=6
Sessions=1
DataTracksScrambled=0
CDTextLength=18
CATALOG=0036000291452

[Session 1]
PreGapMode=1
PreGapSubC=0

[Entry 0]
Session=1
Point=0xa0
ADR=0x01
Control=0x04
TrackNo=0
AMin=0
ASec=0
AFrame=0
ALBA=-150
Zero=0
PMin=1
PSec=0
PFrame=0
PLBA=4350

[Entry 1]
Session=1
Point=0xa1
ADR=0x01
Control=0x02
PMin=2
PSec=0
PFrame=0

[Entry 2]
Session=1
Point=0xa2
ADR=0x01
Control=0x02
PMin=0
PSec=14
PFrame=0
PLBA=900

[Entry 3]
Session=1
Point=0x01
ADR=0x01
Control=0x04
PMin=0
PSec=2
PFrame=0
PLBA=0

[Entry 4]
Session=1
Point=0x02
ADR=0x01
Control=0x03
PMin=0
PSec=8
PFrame=0

[Entry 5]
Session=1
Point=0xb0
ADR=0x05
Control=0x04
PMin=79
PSec=59
PFrame=74

[CDText]
Entries=1
Entry 0=80 00 00 00 41 6c 62 75 6d 00 4f 6e 65 00 00 00

[TRACK 1]
MODE=1
INDEX 1=0

[TRACK 2]
MODE=0
INDEX 0=300
INDEX 1=450
INDEX 2=600
ISRC=USRC17607839
FLAGS=DCP PRE
";

/// An image of `sectors`: Mode 1 sectors up to `data_end`, noise after.
fn img(sectors: i32, data_end: i32) -> Vec<u8> {
    let enc = SectorEncoder::new(SectorType::Mode1);
    let mut out = Vec::new();
    for lba in 0..sectors {
        let mut s = [0u8; SECTOR_SIZE];
        if lba < data_end {
            enc.encode(crate::msf::Lba(lba), &[lba as u8; 2048], &mut s)
                .unwrap();
        } else {
            s.iter_mut()
                .enumerate()
                .for_each(|(k, b)| *b = (k as i32 * 7 + lba) as u8 | 1);
        }
        out.extend_from_slice(&s);
    }
    out
}

#[test]
fn every_key_is_read() {
    let ccd = parse(EVERY_KEY, "disc").unwrap();
    assert_eq!(
        ccd.sources()
            .iter()
            .map(|s| s.path.as_str())
            .collect::<Vec<_>>(),
        ["disc.img", "disc.sub"]
    );
    let mut files = vec![img(900, 300), vec![0u8; 900 * PW_SIZE]];
    let imported = to_project(&ccd, &mut files).unwrap();
    let p = imported.project;
    assert_eq!(p.mcn.unwrap().to_string(), "0036000291452");
    assert_eq!(p.first_track, 1);
    assert_eq!(p.disc_type, Some(DiscType::CdDaOrCdRom));
    // No R-W in the .sub: the .sub is not a source.
    assert_eq!(p.sources.len(), 1);
    let t1 = &p.tracks[0];
    assert_eq!(t1.sector_type, SectorType::Mode1Raw);
    assert_eq!(t1.pregap, Some(Gap::generated(150)));
    assert_eq!(
        t1.data.single().unwrap(),
        SourceSpan {
            source: 0,
            offset: 0,
            sectors: 300
        }
    );
    let t2 = &p.tracks[1];
    assert_eq!(t2.sector_type, SectorType::Audio);
    assert_eq!(
        t2.pregap,
        Some(Gap::sourced(SourceSpan {
            source: 0,
            offset: 300 * SECTOR_SIZE as u64,
            sectors: 150
        }))
    );
    assert_eq!(t2.data.sectors(), 450);
    assert_eq!(t2.indexes, vec![150]);
    assert_eq!(t2.isrc.unwrap().as_str(), "USRC17607839");
    assert_eq!(t2.copy, CopySetting::Permitted);
    assert!(t2.pre_emphasis);
    let text = p.cdtext.unwrap();
    assert_eq!(text.blocks[0].disc.title.as_deref(), Some("Album"));
    assert_eq!(text.blocks[0].tracks[0].title.as_deref(), Some("One"));
    assert_eq!(text.blocks[0].tracks.len(), 1);
    assert_eq!(
        imported.warnings,
        [
            "the cd-text is encoded again and its packs differ from the image's (1 packs read, 4 written)"
        ]
    );
}

#[test]
fn sub_gives_rw_and_scms() {
    let text = EVERY_KEY
        .replace("Control=0x03", "Control=0x00")
        .replace("FLAGS=DCP PRE", "FLAGS=PRE");
    let ccd = parse(&text, "disc").unwrap();
    let mut sub = vec![0u8; 900 * PW_SIZE];
    // R-W in track 2's pregap; the copy bit in Q every other 4 sectors.
    sub[320 * PW_SIZE + 40] = 0x15;
    for lba in 450..458 {
        sub[lba * PW_SIZE + 12] = if (lba / 4) % 2 == 0 { 0x21 } else { 0x01 };
    }
    let mut files = vec![img(900, 300), sub];
    let p = to_project(&ccd, &mut files).unwrap().project;
    assert_eq!(p.sources.len(), 2);
    assert_eq!(p.tracks[0].rw_sub, None);
    assert_eq!(
        p.tracks[1].rw_sub,
        Some(SourcePos {
            source: 1,
            offset: 300 * PW_SIZE as u64
        })
    );
    assert_eq!(p.tracks[1].copy, CopySetting::Scms);
    assert!(p.tracks[1].has_rw());
}

fn error(text: &str, files: &mut Vec<Vec<u8>>) -> String {
    match parse(text, "disc") {
        Err(e) => e.to_string(),
        Ok(ccd) => to_project(&ccd, files).unwrap_err().to_string(),
    }
}

#[test]
fn errors_name_line_and_column() {
    let mut files = vec![img(900, 300), vec![0u8; 900 * PW_SIZE]];
    assert_eq!(
        error("[Disc]\nSessions=1\n", &mut files),
        "line 1, column 1: not a CloneCD control file: it has no [CloneCD] section"
    );
    assert_eq!(
        error("[CloneCD]\nVersion=3\ngarbage\n", &mut files),
        "line 3, column 1: expected a [section] or key=value, found \"garbage\""
    );
    assert_eq!(
        error(&EVERY_KEY.replace("Sessions=1", "Sessions=2"), &mut files),
        "line 6, column 10: the image has 2 sessions; read it as a disc of several sessions"
    );
    assert_eq!(
        error(
            &EVERY_KEY.replace("DataTracksScrambled=0", "DataTracksScrambled=1"),
            &mut files
        ),
        "line 7, column 21: the image's data tracks are scrambled (DataTracksScrambled); rawburn reads unscrambled images"
    );
    assert_eq!(
        error(&EVERY_KEY.replace("PLBA=900", "PLBA=9x0"), &mut files),
        "line 48, column 6: PLBA is \"9x0\", not a number"
    );
    assert_eq!(
        error(&EVERY_KEY.replace("PLBA=900", "PLBA=1000"), &mut files),
        "line 42, column 7: disc.img: holds 900 sectors, but the lead-out is at lba 1000"
    );
    assert_eq!(
        error(&EVERY_KEY.replace("INDEX 2=600", "INDEX 2=950"), &mut files),
        "line 90, column 9: lba 950 is not on the disc, which runs from lba -150 to its lead-out at 900"
    );
    assert_eq!(
        error(&EVERY_KEY.replace("INDEX 2=600", "INDEX 2=440"), &mut files),
        "line 90, column 9: track 2: an index point at 00:00:00 is not after the previous one within the track's data from disc.img (450 sectors)"
    );
    // Values beyond any disc are refused where they are, never wrapped.
    assert_eq!(
        error(
            &EVERY_KEY.replace("INDEX 2=600", "INDEX 2=-4294967296"),
            &mut files
        ),
        "line 90, column 9: lba -4294967296 is not on the disc, which runs from lba -150 to its lead-out at 900"
    );
    assert_eq!(
        error(
            &EVERY_KEY.replace("PLBA=900", "PLBA=2147483647"),
            &mut files
        ),
        "line 42, column 7: the lead-out at lba 2147483647 does not fit on a disc; on the largest disc it is at lba 443100"
    );
    assert_eq!(
        error(
            &EVERY_KEY.replace("ISRC=USRC17607839", "ISRC=USRC1760783"),
            &mut files
        )
        .split(':')
        .next()
        .unwrap(),
        "line 91, column 6"
    );
    let mut short = vec![img(900, 300)];
    let ccd = parse(EVERY_KEY, "disc").unwrap();
    let imported = to_project(&ccd, &mut short).unwrap();
    assert_eq!(
        imported.warnings[0],
        "disc.sub: no source 1; R-W subcode and SCMS are not read"
    );
}

#[test]
fn data_track_mode_comes_from_its_sectors() {
    let text = EVERY_KEY.replace("MODE=1", "MODE=2");
    let ccd = parse(&text, "disc").unwrap();
    let mut files = vec![img(900, 300), vec![0u8; 900 * PW_SIZE]];
    let imported = to_project(&ccd, &mut files).unwrap();
    assert_eq!(imported.project.tracks[0].sector_type, SectorType::Mode1Raw);
    assert_eq!(
        imported.warnings[0],
        "line 83, column 6: track 1 is MODE=2, but its sectors are mode 1; read as mode 1"
    );
}

#[test]
fn track_one_index_0_before_lba_0_is_the_implied_pregap() {
    let mut files = vec![img(900, 300), vec![0u8; 900 * PW_SIZE]];
    let plain = to_project(&parse(EVERY_KEY, "disc").unwrap(), &mut files).unwrap();
    let text = EVERY_KEY.replace("INDEX 1=0\n", "INDEX 0=-150\nINDEX 1=0\n");
    let moved = to_project(&parse(&text, "disc").unwrap(), &mut files).unwrap();
    assert_eq!(moved.project, plain.project);
    let text = EVERY_KEY.replace("INDEX 1=0\n", "INDEX 0=-151\nINDEX 1=0\n");
    assert_eq!(
        error(&text, &mut files),
        "line 84, column 9: lba -151 is not on the disc, which runs from lba -150 to its lead-out at 900"
    );
}
