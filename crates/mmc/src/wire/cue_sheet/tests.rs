//! Cue sheet: the builder on a mixed-mode disc, the checks a drive makes,
//! parse/emit.

use super::*;
use layout::disc::{CopySetting, Disc, Gap, ImageCreator, SourceFormat, SourceSpan};
use proptest::prelude::*;

fn msf(m: u8, s: u8, f: u8) -> Msf {
    Msf::new(m, s, f).unwrap()
}

/// Mode 1 data (1000 sectors, 150-sector postgap before the audio), audio
/// with an ISRC, copy permitted and index 2 (1500 sectors), audio with no
/// pregap marked SCMS (600), Mode 2 Form 1 after a mode-change pregap (75
/// audio + 150 XA sectors, then 500); MCN 0036000291452.
fn mixed_disc() -> Disc {
    let mut c = ImageCreator::new();
    let data = c.add_source("data.iso", SourceFormat::Binary).unwrap();
    let audio = c.add_source("audio.wav", SourceFormat::Audio).unwrap();
    let span = |source, sectors| SourceSpan {
        source,
        offset: 0,
        sectors,
    };
    c.add_track(SectorType::Mode1, span(data, 1000)).unwrap();
    let t2 = c.add_track(SectorType::Audio, span(audio, 1500)).unwrap();
    let mut t = c.track_info(t2).unwrap();
    t.set_isrc("US-RC1-76-07839").unwrap();
    t.set_digital_audio_copy_setting(CopySetting::Permitted)
        .unwrap();
    t.add_track_index(600).unwrap();
    let t3 = c.add_track(SectorType::Audio, span(audio, 600)).unwrap();
    let mut t = c.track_info(t3).unwrap();
    t.set_pregap(Some(Gap::generated(0))).unwrap();
    t.set_digital_audio_copy_setting(CopySetting::Scms).unwrap();
    c.add_track(SectorType::Mode2Form1, span(data, 500))
        .unwrap();
    c.set_media_catalog_number("0036000291452").unwrap();
    c.create_result_image().unwrap()
}

/// The cue sheet of [`mixed_disc`] with cooked data forms.
const MIXED: [[u8; 8]; 15] = [
    [0x42, 0x30, 0x30, 0x33, 0x36, 0x30, 0x30, 0x30], // MCN "0036000"
    [0x42, 0x32, 0x39, 0x31, 0x34, 0x35, 0x32, 0x00], // MCN "291452"
    [0x41, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00], // lead-in, Mode 1 generated
    [0x41, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00], // 1.0 at 00:00:00
    [0x41, 0x01, 0x01, 0x10, 0x00, 0x00, 0x02, 0x00], // 1.1 at 00:02:00
    [0x23, 0x02, 0x55, 0x53, 0x52, 0x43, 0x31, 0x37], // ISRC "USRC17"
    [0x23, 0x02, 0x36, 0x30, 0x37, 0x38, 0x33, 0x39], // ISRC "607839"
    [0x21, 0x02, 0x00, 0x00, 0x00, 0x00, 0x11, 0x19], // 2.0 at 00:17:25 (LBA 1150)
    [0x21, 0x02, 0x01, 0x00, 0x00, 0x00, 0x13, 0x19], // 2.1 at 00:19:25 (1300)
    [0x21, 0x02, 0x02, 0x00, 0x00, 0x00, 0x1b, 0x19], // 2.2 at 00:27:25 (1900)
    [0x01, 0x03, 0x01, 0x00, 0x80, 0x00, 0x27, 0x19], // 3.1 at 00:39:25 (2800), SCMS
    [0x41, 0x04, 0x00, 0x00, 0x00, 0x00, 0x2f, 0x19], // 4.0 audio part (3400)
    [0x41, 0x04, 0x00, 0x20, 0x00, 0x00, 0x30, 0x19], // 4.0 XA part (3475)
    [0x41, 0x04, 0x01, 0x20, 0x00, 0x00, 0x32, 0x19], // 4.1 at 00:50:25 (3625)
    [0x41, 0xaa, 0x01, 0x24, 0x00, 0x00, 0x39, 0x00], // lead-out at 00:57:00 (4125)
];

fn mixed_bytes() -> Vec<u8> {
    MIXED.concat()
}

fn mixed_sheet() -> CueSheet {
    CueSheet::parse(&mixed_bytes()).unwrap()
}

#[test]
fn builds_the_mixed_mode_sheet() {
    let sheet = CueSheet::from_disc(&mixed_disc(), CueSheetOptions::default()).unwrap();
    assert_eq!(sheet.to_vec(), mixed_bytes());
    assert_eq!(sheet, mixed_sheet());
    assert_eq!(sheet.entries.len(), 13);
    let mut out = vec![0xa5u8; 120];
    sheet.emit(&mut out);
    assert_eq!(out, mixed_bytes());
    assert_eq!(sheet.validate(), Ok(()));
}

#[test]
fn write_plan_covers_the_program_area() {
    let sheet = CueSheet::from_disc(&mixed_disc(), CueSheetOptions::default()).unwrap();
    assert_eq!(
        sheet.write_plan(),
        [
            (-150, 150, 2048),
            (0, 1150, 2048),
            (1150, 150, 2352),
            (1300, 600, 2352),
            (1900, 900, 2352),
            (2800, 600, 2352),
            (3400, 75, 2352),
            (3475, 150, 2336),
            (3625, 500, 2336),
        ]
    );
}

#[test]
fn raw_data_and_cdtext() {
    let options = CueSheetOptions {
        raw_data: true,
        cdtext: true,
        lead_in: Some(msf(97, 26, 65)),
    };
    let sheet = CueSheet::from_disc(&mixed_disc(), options).unwrap();
    let b = sheet.to_vec();
    assert_eq!(b[16..24], [0x41, 0x00, 0x00, 0x41, 0x00, 0x61, 0x1a, 0x41]);
    let forms: Vec<u8> = sheet
        .entries
        .iter()
        .filter_map(|e| match e {
            CueSheetEntry::Position { data_form, .. } => Some(*data_form),
            _ => None,
        })
        .collect();
    assert_eq!(
        forms,
        [
            0x41, 0x11, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0x21, 0x24
        ]
    );
    let plan = sheet.write_plan();
    assert_eq!(plan[0], (-11635, 11485, 96));
    assert_eq!(plan[1], (-150, 150, 2352));
    assert!(plan.iter().skip(1).all(|r| r.2 == 2352));
    assert_eq!(plan.iter().map(|r| r.1).sum::<u32>(), 11485 + 4275);
}

#[test]
fn block_sizes() {
    let sizes = [
        (0x00, 2352),
        (0x01, 0),
        (0x10, 2048),
        (0x11, 2352),
        (0x12, 2048),
        (0x13, 2352),
        (0x14, 0),
        (0x20, 2336),
        (0x21, 2352),
        (0x22, 2336),
        (0x23, 2352),
        (0x24, 0),
        (0x30, 2336),
        (0x31, 2352),
        (0x32, 2336),
        (0x33, 2352),
        (0x34, 0),
        (0x41, 96),
        (0x40, 2448),
        (0xc0, 2448),
        (0xd4, 96),
    ];
    for (f, size) in sizes {
        assert_eq!(CueSheet::block_size_of(f), Some(size), "form {f:02x}");
    }
    for f in [0x02, 0x15, 0x25, 0x35, 0x0f, 0x80, 0x90] {
        assert_eq!(CueSheet::block_size_of(f), None, "form {f:02x}");
    }
}

/// The mixed sheet with entry `i` (wire numbering) replaced or removed.
fn edited(edit: impl FnOnce(&mut Vec<[u8; 8]>)) -> Result<(), CueSheetError> {
    let mut e = MIXED.to_vec();
    edit(&mut e);
    CueSheet::parse(&e.concat()).unwrap().validate()
}

#[test]
fn validate_rejects_each_defect() {
    assert_eq!(CueSheet::default().validate(), Err(CueSheetError::Empty));
    assert_eq!(
        edited(|e| {
            e.remove(2);
        }),
        Err(CueSheetError::FirstNotLeadIn { entry: 2 })
    );
    assert_eq!(
        edited(|e| {
            e.pop();
        }),
        Err(CueSheetError::LastNotLeadOut { entry: 13 })
    );
    assert_eq!(
        edited(|e| e[8][6] = 0x10),
        Err(CueSheetError::TimeDecreasing {
            entry: 8,
            time: msf(0, 16, 25),
            previous: msf(0, 17, 25)
        })
    );
    assert_eq!(
        edited(|e| e[10][1] = 0x04),
        Err(CueSheetError::TrackNotConsecutive {
            entry: 10,
            track: 4,
            previous: 2
        })
    );
    // Track 2 loses index 1: index 2 comes without it.
    assert_eq!(
        edited(|e| {
            e.remove(8);
        }),
        Err(CueSheetError::NoIndex1 { entry: 8, track: 2 })
    );
    // Track 4 loses index 1: the lead-out comes without it.
    assert_eq!(
        edited(|e| {
            e.remove(13);
        }),
        Err(CueSheetError::NoIndex1 {
            entry: 13,
            track: 4
        })
    );
    assert_eq!(
        edited(|e| e[9][2] = 0x00),
        Err(CueSheetError::Index0AfterIndex1 { entry: 9, track: 2 })
    );
    assert_eq!(
        edited(|e| e[9][2] = 0x01),
        Err(CueSheetError::IndexNotIncreasing {
            entry: 9,
            track: 2,
            index: 1,
            previous: 1
        })
    );
    // The same index twice is allowed only with another data form.
    assert_eq!(
        edited(|e| e[12][3] = 0x00),
        Err(CueSheetError::IndexNotIncreasing {
            entry: 12,
            track: 4,
            index: 0,
            previous: 0
        })
    );
    assert_eq!(
        edited(|e| e[8][3] = 0x15),
        Err(CueSheetError::UnknownDataForm {
            entry: 8,
            form: 0x15
        })
    );
    assert_eq!(
        edited(|e| e[14][2] = 0x02),
        Err(CueSheetError::BadIndex {
            entry: 14,
            index: 2
        })
    );
    assert_eq!(
        edited(|e| e[10][1] = 0xaa),
        Err(CueSheetError::MisplacedTrack {
            entry: 10,
            track: 0xaa
        })
    );
    assert_eq!(
        edited(|e| e[4][7] = 75),
        Err(CueSheetError::InvalidTime { entry: 4 })
    );
    assert_eq!(
        edited(|e| e[4][0] = 0x45),
        Err(CueSheetError::UnknownEntry { entry: 4, adr: 5 })
    );
    assert_eq!(
        edited(|e| {
            e.drain(3..14);
        }),
        Err(CueSheetError::NoTracks { entry: 3 })
    );
}

#[test]
fn validate_rejects_bad_identifiers() {
    let mcn = |why| Err(CueSheetError::Mcn { entry: 0, why });
    let isrc = |entry, why| Err(CueSheetError::Isrc { entry, why });
    assert_eq!(edited(|e| e[0][3] = b'A'), mcn("must be 13 ascii digits"));
    assert_eq!(
        edited(|e| e[1][7] = b'1'),
        mcn("takes two adr 2 entries with the same ctl, the last byte zero")
    );
    assert_eq!(
        edited(|e| e[1][0] = 0x02),
        mcn("takes two adr 2 entries with the same ctl, the last byte zero")
    );
    assert_eq!(
        edited(|e| {
            let m = e.drain(0..2).collect::<Vec<_>>();
            e.splice(1..1, m);
        }),
        Err(CueSheetError::Mcn {
            entry: 1,
            why: "must come before the lead-in entry"
        })
    );
    assert_eq!(
        edited(|e| e[5][2] = b'u'),
        isrc(
            5,
            "must be 2 letters, 3 letters or digits, 7 digits (ascii, upper case)"
        )
    );
    assert_eq!(
        edited(|e| e[6][1] = 0x03),
        isrc(5, "takes two adr 3 entries with the same ctl and tno")
    );
    // An ISRC naming another track than the one after it.
    assert_eq!(
        edited(|e| {
            e[5][1] = 0x03;
            e[6][1] = 0x03;
        }),
        isrc(5, "must come right before the first entry of its track")
    );
    // An ISRC after its track has started.
    assert_eq!(
        edited(|e| {
            let i = e.drain(5..7).collect::<Vec<_>>();
            e.splice(6..6, i);
        }),
        isrc(6, "must come right before the first entry of its track")
    );
}

#[test]
fn parse_refusals_and_unknowns() {
    assert!(matches!(
        CueSheet::parse(&[0u8; 12]),
        Err(WireError::Field {
            field: "length",
            ..
        })
    ));
    assert_eq!(CueSheet::parse(&[]), Ok(CueSheet::default()));
    // A lone ADR 3 entry stays as sent.
    let lone = [0x03, 0x01, b'U', b'S', b'R', b'C', b'1', b'7'];
    let s = CueSheet::parse(&lone).unwrap();
    assert_eq!(s.entries, [CueSheetEntry::Unknown(lone)]);
    assert_eq!(s.to_vec(), lone);
}

#[test]
fn mode0_has_no_data_form() {
    let mut c = ImageCreator::new();
    let s = c.add_source("zero.bin", SourceFormat::Binary).unwrap();
    c.add_track(
        SectorType::Mode0,
        SourceSpan {
            source: s,
            offset: 0,
            sectors: 300,
        },
    )
    .unwrap();
    let disc = c.create_result_image().unwrap();
    assert_eq!(
        CueSheet::from_disc(&disc, CueSheetOptions::default()),
        Err(CueSheetError::Unsupported {
            track: 1,
            sector_type: SectorType::Mode0
        })
    );
}

proptest! {
    #[test]
    fn parse_and_validate_never_panic(b in proptest::collection::vec(any::<u8>(), 0..160)) {
        if let Ok(s) = CueSheet::parse(&b) {
            let _ = s.validate();
            let _ = s.write_plan();
        }
    }

    #[test]
    fn emit_restores_the_bytes(entries in proptest::collection::vec(any::<[u8; 8]>(), 0..20), adrs in proptest::collection::vec(1u8..4, 20)) {
        // Steer ADRs towards 1–3 so positions and pairs occur.
        let mut b: Vec<u8> = Vec::new();
        for (e, adr) in entries.iter().zip(&adrs) {
            let mut e = *e;
            e[0] = (e[0] & 0xf0) | adr;
            b.extend_from_slice(&e);
        }
        let s = CueSheet::parse(&b).unwrap();
        prop_assert_eq!(s.to_vec(), b);
        prop_assert_eq!(CueSheet::parse(&s.to_vec()), Ok(s));
    }
}
