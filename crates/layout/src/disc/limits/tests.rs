//! Values and lists beyond what a disc holds: refused, never wrapped.

use super::super::*;
use crate::cdtext::{CdText, CdTextError, TextBlock, TextFields};
use crate::msf::Lba;
use crate::sector::SectorType;
use proptest::prelude::*;

fn span(offset: u64, sectors: u32) -> SourceSpan {
    SourceSpan {
        source: 0,
        offset,
        sectors,
    }
}

fn audio(sectors: u32) -> TrackSpec {
    TrackSpec::new(SectorType::Audio, span(0, sectors))
}

fn project(tracks: Vec<TrackSpec>) -> Project {
    Project {
        sources: vec![
            Source {
                path: "a.bin".into(),
                format: SourceFormat::Binary,
                join: Vec::new(),
            },
            Source {
                path: "a.sub".into(),
                format: SourceFormat::Binary,
                join: Vec::new(),
            },
        ],
        tracks,
        ..Project::default()
    }
}

fn message(p: &Project) -> String {
    Disc::plan(p).unwrap_err().to_string()
}

// ---------------------------------------------------------------------------
// Gaps and lengths.

#[test]
fn a_pregap_no_disc_holds_is_named() {
    let mut second = audio(300);
    second.pregap = Some(Gap::generated(u32::MAX));
    let p = project(vec![audio(300), second]);
    assert_eq!(
        Disc::plan(&p),
        Err(DiscError::ValueDoesNotFit {
            track: Some(2),
            field: "pregap",
            value: 4_294_967_295,
            leadout: 4_294_967_895,
        })
    );
    assert_eq!(
        message(&p),
        "track 2: pregap of 4294967295 sectors does not fit on a disc (the lead-out would be at lba 4294967895; on the largest disc it is at lba 443100, 98:30:00)"
    );
    assert_eq!(
        Disc::plan(&p).unwrap_err().imapi_hresult(),
        Some(0x80AA_0A05)
    );
}

#[test]
fn pregap_data_no_disc_holds_is_named() {
    let mut second = audio(300);
    second.pregap = Some(Gap::sourced(span(0, 2_147_483_648)));
    let p = project(vec![audio(300), second]);
    assert_eq!(
        message(&p),
        "track 2: pregap data of 2147483648 sectors does not fit on a disc (the lead-out would be at lba 2147484248; on the largest disc it is at lba 443100, 98:30:00)"
    );
}

#[test]
fn data_and_postgap_no_disc_holds_are_named() {
    let p = project(vec![audio(u32::MAX)]);
    assert_eq!(
        message(&p),
        "track 1: data of 4294967295 sectors does not fit on a disc (the lead-out would be at lba 4294967295; on the largest disc it is at lba 443100, 98:30:00)"
    );
    let mut first = audio(300);
    first.postgap = Some(u32::MAX);
    let p = project(vec![first, audio(300)]);
    assert_eq!(
        Disc::plan(&p),
        Err(DiscError::ValueDoesNotFit {
            track: Some(1),
            field: "postgap",
            value: 4_294_967_295,
            leadout: 4_294_968_045,
        })
    );
}

#[test]
fn hidden_track_one_audio_no_disc_holds_is_named() {
    let mut p = project(vec![audio(300)]);
    p.special_pregap = Some(span(0, u32::MAX));
    assert_eq!(
        message(&p),
        "hidden track-one audio of 4294967295 sectors does not fit on a disc (the lead-out would be at lba 4294967445; on the largest disc it is at lba 443100, 98:30:00)"
    );
}

#[test]
fn an_index_past_the_data_is_a_layout_error() {
    let mut t = audio(300);
    t.indexes = vec![u32::MAX];
    assert_eq!(
        Disc::plan(&project(vec![t])),
        Err(DiscError::IndexLayout {
            track: 1,
            offsets: vec![u32::MAX],
            sectors: 300,
        })
    );
}

#[test]
fn the_largest_disc_is_the_boundary() {
    // Its lead-out at 98:30:00 ends at 99:59:74.
    let mut p = project(vec![audio(MAX_SECTORS - 150)]);
    p.leadout_limit = LeadoutLimit::Minutes99;
    let disc = Disc::plan(&p).unwrap();
    assert_eq!(disc.leadout(), LARGEST_LEADOUT);
    assert_eq!(disc.end(), Lba(Lba::MAX_DISC_TIME.get() + 1));
    assert_eq!(
        LARGEST_LEADOUT.to_disc_time().unwrap().to_string(),
        "98:30:00"
    );
    // One more sector fits no disc; as many as the largest disc has are
    // still a length some disc has room for, and too long as a whole.
    p.tracks[0].data.single_mut().unwrap().sectors = MAX_SECTORS - 149;
    assert_eq!(Disc::plan(&p), Err(DiscError::TooLong(Lba(449_850))));
    p.tracks[0].data.single_mut().unwrap().sectors = MAX_SECTORS;
    assert_eq!(Disc::plan(&p), Err(DiscError::TooLong(Lba(449_999))));
    p.tracks[0].data.single_mut().unwrap().sectors = MAX_SECTORS + 1;
    assert!(matches!(
        Disc::plan(&p),
        Err(DiscError::ValueDoesNotFit {
            field: "data",
            value: 443_251,
            ..
        })
    ));
    // Under a smaller limit the same length is a plain "does not fit".
    p.leadout_limit = LeadoutLimit::Minutes80;
    p.tracks[0].data.single_mut().unwrap().sectors = MAX_SECTORS;
    assert!(matches!(
        Disc::plan(&p),
        Err(DiscError::DoesNotFit {
            leadout: Lba(443_250),
            ..
        })
    ));
}

#[test]
fn a_lead_out_limit_past_the_largest_disc() {
    let mut p = project(vec![audio(300)]);
    p.leadout_limit = LeadoutLimit::Lba(i32::MAX);
    assert_eq!(
        message(&p),
        "a lead-out limit of lba 2147483647 does not fit on a disc; the largest disc ends at lba 449849 (99:59:74)"
    );
    p.leadout_limit = LeadoutLimit::Lba(449_850);
    assert_eq!(
        Disc::plan(&p),
        Err(DiscError::LeadoutLimitBeyondDisc(Lba(449_850)))
    );
    p.leadout_limit = LeadoutLimit::Lba(449_849);
    assert_eq!(Disc::plan(&p).unwrap().leadout(), Lba(300));
    p.leadout_limit = LeadoutLimit::Lba(i32::MIN);
    assert_eq!(
        message(&p),
        "the disc does not fit: its lead-out would start at lba 300 (00:06:00), the limit is lba -2147483648 (before 90:00:00); 2147483948 sectors too many"
    );
    let mut c = ImageCreator::new();
    assert_eq!(
        c.set_start_of_leadout_limit(LeadoutLimit::Lba(500_000)),
        Err(DiscError::LeadoutLimitBeyondDisc(Lba(500_000)))
    );
    assert_eq!(c.start_of_leadout_limit(), IMAPI_LEADOUT_LIMIT);
}

#[test]
fn first_track_numbers() {
    let mut p = project(vec![audio(300), audio(300)]);
    p.first_track = 255;
    assert_eq!(Disc::plan(&p), Err(DiscError::FirstTrackNumber(255)));
    p.first_track = 99;
    assert_eq!(
        Disc::plan(&p),
        Err(DiscError::TooManyTracks {
            first: 99,
            count: 2
        })
    );
    p.first_track = 98;
    assert_eq!(Disc::plan(&p).unwrap().last_track().get(), 99);
}

#[test]
fn gaps_add_up_without_wrapping() {
    let gap = Gap {
        generated: u32::MAX,
        source: Some(span(0, 5).into()),
    };
    assert_eq!(gap.sectors(), u32::MAX);
    assert_eq!(gap.total(), 4_294_967_300);
    // A first pregap whose parts wrap to 4 sectors as u32 is long, not short.
    let mut t = audio(300);
    t.pregap = Some(gap);
    assert!(matches!(
        Disc::plan(&project(vec![t])),
        Err(DiscError::ValueDoesNotFit {
            field: "pregap",
            ..
        })
    ));
}

#[test]
fn the_editor_refuses_a_gap_no_disc_holds_and_keeps_the_track() {
    let mut c = ImageCreator::new();
    let s = c.add_source("a.wav", SourceFormat::Audio).unwrap();
    c.add_track(SectorType::Audio, span(0, 300)).unwrap();
    let n = c.add_track(SectorType::Audio, span(0, 300)).unwrap();
    assert_eq!(s, 0);
    let mut t = c.track_info(n).unwrap();
    assert!(matches!(
        t.set_postgap(Some(u32::MAX)),
        Err(DiscError::ValueDoesNotFit {
            track: Some(2),
            field: "postgap",
            ..
        })
    ));
    assert_eq!(c.project().tracks[1].postgap, None);
    assert_eq!(c.plan().unwrap().leadout(), Lba(750));
}

// ---------------------------------------------------------------------------
// Source spans.

#[test]
fn data_past_the_largest_file_is_named() {
    let mut t = audio(300);
    t.data.single_mut().unwrap().offset = u64::MAX;
    let p = project(vec![t]);
    assert_eq!(
        Disc::plan(&p),
        Err(DiscError::SourceRange {
            track: Some(1),
            what: "data",
            offset: u64::MAX,
            sectors: 300,
            end: 18_446_744_073_710_257_215,
        })
    );
    assert_eq!(
        message(&p),
        "track 1: data from byte 18446744073709551615 of its source (300 sectors, up to byte 18446744073710257215) does not fit in a file; no file reaches past byte 9223372036854775807"
    );
    // Up to the largest file is fine.
    let mut t = audio(300);
    t.data.single_mut().unwrap().offset = MAX_SOURCE_BYTES - 300 * 2352;
    assert!(Disc::plan(&project(vec![t])).is_ok());
}

#[test]
fn every_source_span_is_bounded() {
    let huge = 1u64 << 63;
    let mut second = audio(300);
    second.pregap = Some(Gap::sourced(span(huge, 150)));
    let e = Disc::plan(&project(vec![audio(300), second])).unwrap_err();
    assert!(
        matches!(
            e,
            DiscError::SourceRange {
                track: Some(2),
                what: "pregap data",
                offset,
                sectors: 150,
                ..
            } if offset == huge
        ),
        "{e:?}"
    );

    let mut t = audio(300);
    t.rw_sub = Some(SourcePos {
        source: 1,
        offset: MAX_SOURCE_BYTES - 10,
    });
    assert!(matches!(
        Disc::plan(&project(vec![t])),
        Err(DiscError::SourceRange {
            track: Some(1),
            what: "r-w subcode",
            sectors: 300,
            ..
        })
    ));

    let mut p = project(vec![audio(300)]);
    p.special_pregap = Some(span(u64::MAX - 1, 150));
    assert!(matches!(
        Disc::plan(&p),
        Err(DiscError::SourceRange {
            track: None,
            what: "hidden track-one audio",
            ..
        })
    ));

    let mut p = project(vec![audio(300)]);
    p.rw_generator = Some(SourcePos {
        source: 1,
        offset: MAX_SOURCE_BYTES,
    });
    // Its records run from 95:00:00 to the end of the lead-out.
    assert_eq!(
        Disc::plan(&p),
        Err(DiscError::SourceRange {
            track: None,
            what: "r-w generator",
            offset: MAX_SOURCE_BYTES,
            sectors: 22_650 + 300 + 6750,
            end: u128::from(MAX_SOURCE_BYTES) + 29_700 * 96,
        })
    );
}

#[test]
fn sources_beyond_the_limit() {
    let mut p = project(vec![audio(300)]);
    p.sources = vec![p.sources[0].clone(); MAX_SOURCES + 1];
    assert_eq!(message(&p), "the project names 1001 sources; at most 1000");
    p.sources.pop();
    assert!(Disc::plan(&p).is_ok());

    let mut c = ImageCreator::new();
    for k in 0..MAX_SOURCES {
        assert_eq!(c.add_source("a", SourceFormat::Binary), Ok(k));
    }
    assert_eq!(
        c.add_source("a", SourceFormat::Binary),
        Err(DiscError::TooManySources(1001))
    );
}

// ---------------------------------------------------------------------------
// The project JSON.

fn track_json(extra: &str) -> String {
    format!(r#"{{ "sectorType": "audio", "data": {{ "source": 0, "sectors": 1000 }}{extra} }}"#)
}

/// A project JSON with `tracks` (one per line) and `rest` after them.
fn json(tracks: &[String], rest: &str) -> String {
    format!(
        "{{ \"sources\": [{{ \"path\": \"a.bin\" }}],\n\"tracks\": [\n{}\n]{rest} }}",
        tracks.join(",\n")
    )
}

fn json_error(text: &str) -> String {
    Project::from_json(text).unwrap_err().to_string()
}

#[test]
fn json_tracks_stop_at_99() {
    let ok = json(&vec![track_json(""); 99], "");
    assert_eq!(Project::from_json(&ok).unwrap().tracks.len(), 99);
    // The 100th track ends the reading: what follows is never looked at.
    let mut tracks = vec![track_json(""); 100];
    tracks.push("not json at all".into());
    assert_eq!(
        json_error(&json(&tracks, "")),
        "tracks: more than 99; a disc holds at most 99 tracks at line 103 column 0"
    );
}

#[test]
fn json_indexes_stop_at_98() {
    let list = |n: u32| (1..=n).map(|k| (k * 10).to_string()).collect::<Vec<_>>();
    let ok = track_json(&format!(", \"indexes\": [{}]", list(98).join(", ")));
    let p = Project::from_json(&json(&[ok], "")).unwrap();
    assert_eq!(p.tracks[0].indexes.len(), 98);
    assert_eq!(Disc::plan(&p).unwrap().tracks()[0].indexes.len(), 99);
    let bad = track_json(&format!(", \"indexes\": [{}]", list(99).join(", ")));
    let e = json_error(&json(&[bad], ""));
    assert!(
        e.starts_with(
            "indexes: more than 98; a track has index points 2 to 99 at most at line 3 column "
        ),
        "{e}"
    );
}

#[test]
fn json_sources_stop_at_1000() {
    let text = |n: usize| {
        format!(
            "{{ \"sources\": [{}], \"tracks\": [{}] }}",
            vec![r#"{ "path": "a" }"#; n].join(","),
            track_json("")
        )
    };
    assert_eq!(Project::from_json(&text(1000)).unwrap().sources.len(), 1000);
    let e = json_error(&text(1001));
    assert!(
        e.starts_with(
            "sources: more than 1000; a project names at most 1000 sources at line 1 column "
        ),
        "{e}"
    );
}

#[test]
fn json_cd_text_stops_at_what_a_disc_holds() {
    let with = |cdtext: &str| json(&[track_json("")], &format!(",\n\"cdtext\": {cdtext}"));
    let e = json_error(&with(&format!(
        "{{ \"blocks\": [{}] }}",
        ["{}"; 9].join(",")
    )));
    assert!(
        e.starts_with(
            "cdtext blocks: more than 8; a disc holds at most 8 cd-text blocks at line 5"
        ),
        "{e}"
    );
    let e = json_error(&with(&format!(
        "{{ \"blocks\": [{{ \"tracks\": [{}] }}] }}",
        vec!["{}"; 100].join(",")
    )));
    assert!(
        e.starts_with("cdtext tracks: more than 99; a disc holds at most 99 tracks at line 5"),
        "{e}"
    );
    let e = json_error(&with(&format!(
        "{{ \"blocks\": [{{ \"tocInfo2\": [{}] }}] }}",
        vec!["[0, [0,0,0,0,0,0,0,0,0,0,0,0]]"; 257].join(",")
    )));
    assert!(
        e.starts_with("cdtext tocInfo2: more than 256 packs; a block holds at most 256 at line 5"),
        "{e}"
    );
    for field in [
        "\"disc\": { \"title\": \"{}\" }",
        "\"tracks\": [{ \"performer\": \"{}\" }]",
        "\"discId\": \"{}\"",
        "\"closed\": \"{}\"",
        "\"genre\": { \"code\": 1, \"text\": \"{}\" }",
    ] {
        let long = field.replace("{}", &"x".repeat(MAX_TEXT_BYTES + 1));
        let e = json_error(&with(&format!("{{ \"blocks\": [{{ {long} }}] }}")));
        assert!(
            e.starts_with("a cd-text string of 12141 bytes; a block holds at most 3035 characters of one text at line 5"),
            "{field}: {e}"
        );
        // At the limit it is read, and the plan says why it cannot be
        // encoded.
        let at_limit = field.replace("{}", &"x".repeat(MAX_TEXT_BYTES));
        let p =
            Project::from_json(&with(&format!("{{ \"blocks\": [{{ {at_limit} }}] }}"))).unwrap();
        assert!(
            matches!(
                Disc::plan(&p),
                Err(DiscError::CdText(CdTextError::TextTooLong {
                    chars: 12140,
                    ..
                }))
            ),
            "{field}"
        );
    }
}

#[test]
fn json_with_values_no_disc_holds_reads_and_the_plan_names_them() {
    let text = json(
        &[
            track_json(""),
            track_json(r#", "pregap": { "generated": 4294967295 }"#),
        ],
        "",
    );
    let p = Project::from_json(&text).unwrap();
    assert_eq!(
        Disc::plan(&p).unwrap_err().to_string(),
        "track 2: pregap of 4294967295 sectors does not fit on a disc (the lead-out would be at lba 4294969295; on the largest disc it is at lba 443100, 98:30:00)"
    );
}

#[test]
fn a_project_at_every_limit_plans_and_reads_back() {
    let mut p = project(Vec::new());
    p.sources = vec![p.sources[0].clone(); MAX_SOURCES];
    for _ in 0..MAX_TRACKS {
        let mut t = audio(1000);
        t.indexes = (1..=MAX_INDEXES as u32).map(|k| k * 10).collect();
        p.tracks.push(t);
    }
    let block = TextBlock {
        tracks: vec![
            TextFields {
                title: Some("t".into()),
                ..TextFields::default()
            };
            MAX_TRACKS
        ],
        ..TextBlock::default()
    };
    p.cdtext = Some(CdText {
        blocks: vec![block; crate::cdtext::MAX_BLOCKS],
        toc_info: true,
    });
    let disc = Disc::plan(&p).unwrap();
    assert_eq!(disc.tracks().len(), 99);
    let back = Project::from_json(&p.to_json().unwrap()).unwrap();
    assert_eq!(back, p);
}

// ---------------------------------------------------------------------------
// Any values: a consistent plan or a refusal, never a wrapped one.

/// Edge values and a few ordinary ones.
fn sectors() -> impl Strategy<Value = u32> {
    prop_oneof![
        1 => Just(0u32),
        1 => Just(1),
        1 => Just(149),
        1 => Just(150),
        1 => Just(299),
        1 => Just(300),
        1 => Just(MAX_SECTORS - 1),
        1 => Just(MAX_SECTORS),
        1 => Just(MAX_SECTORS + 1),
        1 => Just(i32::MAX as u32),
        1 => Just(1 << 31),
        1 => Just(u32::MAX - 1),
        1 => Just(u32::MAX),
        8 => 0u32..2000,
        1 => any::<u32>(),
    ]
}

fn offsets() -> impl Strategy<Value = u64> {
    prop_oneof![
        1 => Just(0u64),
        1 => Just(MAX_SOURCE_BYTES - 2352 * 1000),
        1 => Just(MAX_SOURCE_BYTES),
        1 => Just(1 << 63),
        1 => Just(u64::MAX),
        8 => 0u64..1_000_000,
        1 => any::<u64>(),
    ]
}

fn types() -> impl Strategy<Value = SectorType> {
    prop_oneof![
        Just(SectorType::Audio),
        Just(SectorType::Mode1),
        Just(SectorType::Mode2Form1),
        Just(SectorType::Mode0),
    ]
}

fn gap() -> impl Strategy<Value = Option<Gap>> {
    proptest::option::of(
        (sectors(), proptest::option::of((offsets(), sectors()))).prop_map(
            |(generated, source)| Gap {
                generated,
                source: source.map(|(o, s)| span(o, s).into()),
            },
        ),
    )
}

fn track() -> impl Strategy<Value = TrackSpec> {
    (
        types(),
        offsets(),
        sectors(),
        gap(),
        proptest::option::of(sectors()),
        proptest::collection::vec(sectors(), 0..3),
        proptest::option::of(offsets()),
    )
        .prop_map(|(ty, offset, n, pregap, postgap, mut indexes, sub)| {
            indexes.sort_unstable();
            let mut t = TrackSpec::new(ty, span(offset, n));
            t.pregap = pregap;
            t.postgap = postgap;
            t.indexes = indexes;
            t.rw_sub = sub.map(|offset| SourcePos { source: 1, offset });
            t
        })
}

fn limits() -> impl Strategy<Value = LeadoutLimit> {
    prop_oneof![
        Just(LeadoutLimit::Imapi),
        Just(LeadoutLimit::Minutes99),
        Just(LeadoutLimit::Lba(i32::MAX)),
        Just(LeadoutLimit::Lba(i32::MIN)),
        any::<i32>().prop_map(LeadoutLimit::Lba),
    ]
}

fn projects() -> impl Strategy<Value = Project> {
    (
        proptest::collection::vec(track(), 1..4),
        prop_oneof![Just(1u8), Just(97), Just(99), any::<u8>()],
        limits(),
        proptest::option::of((offsets(), sectors())),
        any::<bool>(),
    )
        .prop_map(|(tracks, first_track, limit, hidden, gapless)| {
            let mut p = project(tracks);
            p.first_track = first_track;
            p.leadout_limit = limit;
            p.special_pregap = hidden.map(|(o, s)| span(o, s));
            p.gapless_audio = gapless;
            p
        })
}

/// A track that plans, whatever its neighbours.
fn sane_track() -> impl Strategy<Value = TrackSpec> {
    (
        types(),
        300u32..3000,
        proptest::option::of((150u32..400, proptest::option::of(0u32..400))),
        proptest::option::of(0u32..400),
        any::<bool>(),
    )
        .prop_map(|(ty, n, pregap, postgap, index)| {
            let mut t = TrackSpec::new(ty, span(2352 * 10, n));
            t.pregap = pregap.map(|(generated, source)| Gap {
                generated,
                source: source.map(|s| span(0, s).into()),
            });
            t.postgap = postgap;
            if index {
                t.indexes = vec![n / 2];
            }
            t
        })
}

/// A project that plans, with one value replaced by `value` (read as a
/// sector count where the field is one, saturating).
fn mutated() -> impl Strategy<Value = Project> {
    (
        proptest::collection::vec(sane_track(), 1..4),
        0usize..4,
        0u8..13,
        prop_oneof![sectors().prop_map(u64::from), offsets()],
        any::<bool>(),
    )
        .prop_map(|(tracks, which, field, value, gapless)| {
            let mut p = project(tracks);
            p.leadout_limit = LeadoutLimit::Minutes99;
            p.gapless_audio = gapless;
            let n = p.tracks.len();
            let sectors = u32::try_from(value).unwrap_or(u32::MAX);
            let t = &mut p.tracks[which % n];
            match field {
                0 => t.pregap = Some(Gap::generated(sectors)),
                1 => t.pregap = Some(Gap::sourced(span(0, sectors))),
                2 => t.data.single_mut().unwrap().sectors = sectors,
                3 => t.postgap = Some(sectors),
                4 => t.indexes = vec![sectors],
                5 => t.data.single_mut().unwrap().offset = value,
                6 => t.pregap = Some(Gap::sourced(span(value, 150))),
                7 => {
                    t.rw_sub = Some(SourcePos {
                        source: 1,
                        offset: value,
                    })
                }
                8 => p.special_pregap = Some(span(0, sectors)),
                9 => p.special_pregap = Some(span(value, 150)),
                10 => p.leadout_limit = LeadoutLimit::Lba(i32::try_from(value).unwrap_or(i32::MAX)),
                11 => p.first_track = u8::try_from(value).unwrap_or(u8::MAX),
                _ => {
                    p.rw_generator = Some(SourcePos {
                        source: 1,
                        offset: value,
                    })
                }
            }
            p
        })
}

/// Every LBA of a plan follows from the project's values, added up
/// exactly.
fn check_consistent(p: &Project, disc: &Disc) {
    let regions = disc.regions();
    assert_eq!(regions[0].start, Lba::PREGAP_START);
    for w in regions.windows(2) {
        assert_eq!(w[0].end(), w[1].start);
        assert!(w[0].sectors > 0);
    }
    assert_eq!(regions[regions.len() - 1].end(), disc.end());
    let mut at = i64::from(Lba::PREGAP_START.get());
    for (t, spec) in disc.tracks().iter().zip(&p.tracks) {
        assert_eq!(i64::from(t.pregap_start.get()), at);
        assert!(t.pregap_start <= t.start && t.start <= t.data_end && t.data_end <= t.end);
        assert!(t.length() >= 1);
        if t.length() < 300 {
            assert!(
                disc.warnings()
                    .iter()
                    .any(|w| w.track == Some(t.number.get())
                        && w.message.contains("at least 300 (4 seconds)"))
            );
        }
        assert_eq!(t.indexes.len(), spec.indexes.len() + 1);
        for (lba, offset) in t.indexes[1..].iter().zip(&spec.indexes) {
            assert_eq!(
                i64::from(lba.get()),
                i64::from(t.start.get()) + i64::from(*offset)
            );
            assert!(*lba < t.data_end);
        }
        at = i64::from(t.end.get());
    }
    assert_eq!(i64::from(disc.leadout().get()), at);
    assert!(disc.leadout() <= p.leadout_limit.lba());
    assert!(disc.leadout() <= LARGEST_LEADOUT);
    // Every read stays within a file.
    for r in regions {
        if let Content::Source {
            pos,
            stride,
            rw_sub,
            ..
        } = r.content
        {
            assert!(limits::source_end(pos.offset, r.sectors.into(), stride).is_some());
            if let Some(sub) = rw_sub {
                assert!(limits::source_end(sub.offset, r.sectors.into(), 96).is_some());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn any_values_plan_consistently_or_are_refused(p in projects()) {
        match Disc::plan(&p) {
            Ok(disc) => check_consistent(&p, &disc),
            Err(e) => {
                let message = e.to_string();
                prop_assert!(!message.is_empty());
                if let DiscError::ValueDoesNotFit { value, leadout, .. } = e {
                    prop_assert!(value > u64::from(MAX_SECTORS));
                    prop_assert!(leadout > i64::from(LARGEST_LEADOUT.get()));
                }
            }
        }
    }

    #[test]
    fn one_value_anywhere_plans_consistently_or_is_refused(p in mutated()) {
        match Disc::plan(&p) {
            Ok(disc) => check_consistent(&p, &disc),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn every_value_the_json_holds_plans_or_is_refused(p in projects()) {
        let back = Project::from_json(&p.to_json().unwrap()).unwrap();
        prop_assert_eq!(Disc::plan(&back), Disc::plan(&p));
    }
}
