//! Plan and editing rules.

use super::*;
use crate::msf::Lba;
use crate::sector::SectorType;

fn span(source: usize, sectors: u32) -> SourceSpan {
    SourceSpan {
        source,
        offset: 0,
        sectors,
    }
}

/// A creator with one source per call to `track`.
fn creator() -> ImageCreator {
    ImageCreator::new()
}

fn add(c: &mut ImageCreator, ty: SectorType, sectors: u32) -> Result<usize, DiscError> {
    let s = c.add_source(
        format!("t{}.bin", c.project().sources.len()),
        SourceFormat::Binary,
    )?;
    c.add_track(ty, span(s, sectors))
}

fn regions_of(disc: &Disc, track: usize) -> Vec<(i32, u32, u8, SectorType, bool)> {
    disc.regions()
        .iter()
        .filter_map(|r| match r.area {
            Area::Track { track: t, index } if t == track => Some((
                r.start.get(),
                r.sectors,
                index,
                r.encoder.sector_type(),
                matches!(r.content, Content::Source { .. }),
            )),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------
// One test per IMAPI2 rule.

#[test]
fn too_many_tracks() {
    let mut c = creator();
    c.set_starting_track_number(98).unwrap();
    add(&mut c, SectorType::Audio, 300).unwrap();
    add(&mut c, SectorType::Audio, 300).unwrap();
    let e = add(&mut c, SectorType::Audio, 300).unwrap_err();
    assert_eq!(
        e,
        DiscError::TooManyTracks {
            first: 98,
            count: 3
        }
    );
    assert_eq!(e.imapi_hresult(), Some(0x80AA_0A01));
    assert_eq!(c.number_of_existing_tracks(), 2);
}

#[test]
fn track_shorter_than_300_sectors() {
    let mut c = creator();
    assert_eq!(
        add(&mut c, SectorType::Audio, 299),
        Err(DiscError::TrackTooShort {
            track: 1,
            sectors: 299
        })
    );
    assert_eq!(c.number_of_existing_tracks(), 0);
}

#[test]
fn special_pregap_after_tracks() {
    let mut c = creator();
    add(&mut c, SectorType::Audio, 300).unwrap();
    let e = c.add_special_pregap(span(0, 200)).unwrap_err();
    assert_eq!(
        e,
        DiscError::TracksAlreadyAdded("the hidden track-one audio")
    );
    assert_eq!(e.imapi_hresult(), Some(0x80AA_0A04));
}

#[test]
fn special_pregap_too_short_or_before_data() {
    let mut c = creator();
    assert_eq!(
        c.add_special_pregap(span(0, 149)),
        Err(DiscError::SpecialPregapTooShort(149))
    );
    let s = c.add_source("hidden.wav", SourceFormat::Audio).unwrap();
    c.add_special_pregap(span(s, 400)).unwrap();
    assert_eq!(
        add(&mut c, SectorType::Mode1, 1000),
        Err(DiscError::SpecialPregapNeedsAudio(SectorType::Mode1))
    );
}

#[test]
fn starting_track_number_after_tracks() {
    let mut c = creator();
    add(&mut c, SectorType::Audio, 300).unwrap();
    assert_eq!(
        c.set_starting_track_number(5),
        Err(DiscError::TracksAlreadyAdded("the starting track number"))
    );
    let mut c = creator();
    assert_eq!(
        c.set_starting_track_number(0),
        Err(DiscError::FirstTrackNumber(0))
    );
    assert_eq!(
        c.set_starting_track_number(100),
        Err(DiscError::FirstTrackNumber(100))
    );
}

#[test]
fn disc_does_not_fit() {
    let mut c = creator();
    c.set_start_of_leadout_limit(LeadoutLimit::Minutes74)
        .unwrap();
    assert_eq!(c.start_of_leadout_limit(), Lba(332_849));
    let e = add(&mut c, SectorType::Mode1, 340_000).unwrap_err();
    assert_eq!(
        e,
        DiscError::DoesNotFit {
            leadout: Lba(340_000),
            leadout_msf: "75:35:25".into(),
            limit: Lba(332_849),
            limit_msf: "73:59:74".into(),
            over: 7151,
        }
    );
    assert_eq!(e.imapi_hresult(), Some(0x80AA_0A05));
    // IMAPI2's 88:29:74 is the default, not a wall.
    let mut c = creator();
    assert_eq!(c.start_of_leadout_limit(), Lba(398_099));
    assert!(matches!(
        add(&mut c, SectorType::Mode1, 400_000),
        Err(DiscError::DoesNotFit { .. })
    ));
    c.set_start_of_leadout_limit(LeadoutLimit::Minutes99)
        .unwrap();
    add(&mut c, SectorType::Mode1, 400_000).unwrap();
    assert_eq!(c.start_of_leadout().unwrap(), Lba(400_000));
    // Shrinking the limit below the tracks is refused.
    assert!(matches!(
        c.set_start_of_leadout_limit(LeadoutLimit::Minutes80),
        Err(DiscError::DoesNotFit { .. })
    ));
}

#[test]
fn bad_mcn_and_isrc() {
    let mut c = creator();
    assert!(matches!(
        c.set_media_catalog_number("4006381333932"),
        Err(DiscError::Id(IdError::McnCheckDigit { .. }))
    ));
    c.set_media_catalog_number("036000291452").unwrap();
    assert_eq!(
        c.media_catalog_number().unwrap().to_string(),
        "0036000291452"
    );
    add(&mut c, SectorType::Audio, 300).unwrap();
    let mut t = c.track_info(1).unwrap();
    assert!(matches!(
        t.set_isrc("US-K7Y-98-1234"),
        Err(DiscError::Id(IdError::Isrc { .. }))
    ));
    t.set_isrc("US-K7Y-98-12345").unwrap();
    assert_eq!(t.isrc().unwrap().dashed(), "US-K7Y-98-12345");
}

#[test]
fn isrc_on_a_data_track() {
    let mut c = creator();
    add(&mut c, SectorType::Mode1, 300).unwrap();
    assert_eq!(
        c.track_info(1).unwrap().set_isrc("USRC17607839"),
        Err(DiscError::IsrcOnData {
            track: 1,
            ty: SectorType::Mode1
        })
    );
}

#[test]
fn index_rules() {
    let mut c = creator();
    add(&mut c, SectorType::Audio, 1000).unwrap();
    let mut t = c.track_info(1).unwrap();
    assert_eq!(t.add_track_index(0), Ok(IndexAdded::AlreadyExists));
    assert_eq!(t.add_track_index(500), Ok(IndexAdded::Added));
    assert_eq!(t.add_track_index(500), Ok(IndexAdded::AlreadyExists));
    let close = t.add_track_index(505).unwrap_err();
    assert_eq!(
        close,
        DiscError::IndexTooClose {
            track: 1,
            offset: 505,
            distance: 5
        }
    );
    assert_eq!(close.imapi_hresult(), Some(0x80AA_0A0A));
    assert!(matches!(
        t.add_track_index(995),
        Err(DiscError::IndexTooClose { distance: 5, .. })
    ));
    assert!(matches!(
        t.add_track_index(1000),
        Err(DiscError::IndexLayout { .. })
    ));
    assert_eq!(t.add_track_index(200), Ok(IndexAdded::Added));
    assert_eq!(t.track_indexes(), vec![0, 200, 500]);
    let zero = t.clear_track_index(0).unwrap_err();
    assert_eq!(zero, DiscError::IndexZeroOffset { track: 1 });
    assert_eq!(zero.imapi_hresult(), Some(0x80AA_0A09));
    let missing = t.clear_track_index(300).unwrap_err();
    assert_eq!(
        missing,
        DiscError::IndexNotFound {
            track: 1,
            offset: 300
        }
    );
    assert_eq!(missing.imapi_hresult(), Some(0x80AA_0A07));
    t.clear_track_index(200).unwrap();
    assert_eq!(t.track_indexes(), vec![0, 500]);
}

#[test]
fn at_most_99_indexes() {
    let mut c = creator();
    add(&mut c, SectorType::Audio, 2000).unwrap();
    let mut t = c.track_info(1).unwrap();
    for k in 1..=98 {
        assert_eq!(
            t.add_track_index(k * 10),
            Ok(IndexAdded::Added),
            "index {k}"
        );
    }
    let e = t.add_track_index(1500).unwrap_err();
    assert_eq!(e, DiscError::TooManyIndexes { track: 1 });
    assert_eq!(e.imapi_hresult(), Some(0x80AA_0A06));
    let plan = c.plan().unwrap();
    assert_eq!(plan.tracks()[0].indexes.len(), 99);
}

#[test]
fn read_only_after_create() {
    let mut c = creator();
    add(&mut c, SectorType::Audio, 300).unwrap();
    let disc = c.create_result_image().unwrap();
    assert_eq!(disc.leadout(), Lba(300));
    assert_eq!(
        add(&mut c, SectorType::Audio, 300),
        Err(DiscError::ReadOnly)
    );
    assert_eq!(
        c.set_media_catalog_number("0036000291452"),
        Err(DiscError::ReadOnly)
    );
    assert_eq!(
        c.track_info(1).unwrap().set_audio_has_preemphasis(true),
        Err(DiscError::ReadOnly)
    );
    assert_eq!(
        c.track_info(1).unwrap().add_track_index(100),
        Err(DiscError::ReadOnly)
    );
    assert_eq!(
        c.create_result_image().unwrap_err().imapi_hresult(),
        Some(0x80AA_0A00)
    );
    // Getters still work.
    assert_eq!(c.start_of_leadout(), Ok(Lba(300)));
    assert_eq!(c.track_info(1).unwrap().starting_lba(), Ok(Lba(0)));
}

#[test]
fn operations_that_need_tracks() {
    let c = creator();
    assert_eq!(c.start_of_leadout(), Err(DiscError::NoTracks));
    assert_eq!(c.expected_table_of_contents(), Err(DiscError::NoTracks));
    assert_eq!(c.last_used_user_sector_in_image(), Err(DiscError::NoTracks));
    assert_eq!(DiscError::NoTracks.imapi_hresult(), Some(0x80AA_0A03));
    let mut c = creator();
    assert!(matches!(
        c.track_info(1),
        Err(DiscError::NoSuchTrack { .. })
    ));
}

#[test]
fn rw_generator_needs_pw() {
    let mut c = creator();
    c.set_resulting_image_type(ImageType::PqOnly).unwrap();
    assert_eq!(
        c.add_subcode_rw_generator(SourcePos {
            source: 0,
            offset: 0
        }),
        Err(DiscError::RwNeedsPw)
    );
    c.set_resulting_image_type(ImageType::Plain).unwrap();
    assert_eq!(
        c.add_subcode_rw_generator(SourcePos {
            source: 0,
            offset: 0
        }),
        Err(DiscError::RwNeedsPw)
    );
    assert_eq!(ImageType::Plain.imapi_value(), None);
    assert_eq!(ImageType::Cooked.imapi_value(), Some(2));
    c.set_resulting_image_type(ImageType::Raw).unwrap();
    c.add_subcode_rw_generator(SourcePos {
        source: 0,
        offset: 0,
    })
    .unwrap();
    assert_eq!(
        c.set_resulting_image_type(ImageType::PqOnly),
        Err(DiscError::RwNeedsPw)
    );
}

#[test]
fn unknown_source() {
    let mut c = creator();
    assert_eq!(
        c.add_track(SectorType::Audio, span(3, 300)),
        Err(DiscError::NoSuchSource {
            what: "track 1".into(),
            index: 3,
            count: 0
        })
    );
}

// ---------------------------------------------------------------------------
// Layout rules.

#[test]
fn audio_disc_default_gaps() {
    let mut c = creator();
    add(&mut c, SectorType::Audio, 1000).unwrap();
    add(&mut c, SectorType::Audio, 2000).unwrap();
    let d = c.plan().unwrap();
    let t = d.tracks();
    assert_eq!(
        (t[0].pregap_start, t[0].start, t[0].end),
        (Lba(-150), Lba(0), Lba(1000))
    );
    // Gapless off: 150 sectors of silence before track 2.
    assert_eq!(
        (t[1].pregap_start, t[1].start, t[1].end),
        (Lba(1000), Lba(1150), Lba(3150))
    );
    assert_eq!(
        regions_of(&d, 1),
        vec![
            (1000, 150, 0, SectorType::Audio, false),
            (1150, 2000, 1, SectorType::Audio, true),
        ]
    );
    assert_eq!(d.leadout(), Lba(3150));
    assert_eq!(d.last_used_sector(), Lba(3149));
    assert_eq!(d.end(), Lba(3150 + 6750));
    assert!(d.warnings().is_empty());
}

#[test]
fn gapless_audio_carves_the_previous_track() {
    let mut c = creator();
    c.set_gapless_audio(true).unwrap();
    add(&mut c, SectorType::Audio, 1000).unwrap();
    add(&mut c, SectorType::Audio, 2000).unwrap();
    let d = c.plan().unwrap();
    let t = d.tracks();
    assert_eq!((t[0].start, t[0].data_end), (Lba(0), Lba(850)));
    assert_eq!((t[1].pregap_start, t[1].start), (Lba(850), Lba(1000)));
    // The pregap plays the end of track 1's source: offset 850 sectors in.
    let pregap = d
        .regions()
        .iter()
        .find(|r| r.area == Area::Track { track: 1, index: 0 })
        .unwrap();
    assert_eq!(
        pregap.content,
        Content::Source {
            pos: SourcePos {
                source: 0,
                offset: 850 * 2352
            },
            stride: 2352,
            rw: false,
            swap: false,
            rw_sub: None
        }
    );
    assert_eq!(d.leadout(), Lba(3000));
    assert_eq!(c.track_info(1).unwrap().sector_count(), Ok(850));
    // Too short to give up 150 sectors.
    let mut c = creator();
    c.set_gapless_audio(true).unwrap();
    add(&mut c, SectorType::Audio, 400).unwrap();
    assert_eq!(
        add(&mut c, SectorType::Audio, 400),
        Err(DiscError::GaplessTooShort {
            track: 1,
            left: 250
        })
    );
}

#[test]
fn mixed_mode_gaps() {
    // Data then audio: 150-sector postgap on the data track, 150 pregap.
    let mut c = creator();
    add(&mut c, SectorType::Mode1, 1000).unwrap();
    add(&mut c, SectorType::Audio, 1000).unwrap();
    let d = c.plan().unwrap();
    let t = d.tracks();
    assert_eq!((t[0].data_end, t[0].end), (Lba(1000), Lba(1150)));
    assert_eq!((t[1].pregap_start, t[1].start), (Lba(1150), Lba(1300)));
    assert_eq!(
        regions_of(&d, 0),
        vec![
            (-150, 150, 0, SectorType::Mode1, false),
            (0, 1000, 1, SectorType::Mode1, true),
            (1000, 150, 1, SectorType::Mode1, false),
        ]
    );
    // Audio then data: extended pregap, 75 sectors audio then 150 mode 1.
    let mut c = creator();
    add(&mut c, SectorType::Audio, 1000).unwrap();
    add(&mut c, SectorType::Mode1, 1000).unwrap();
    let d = c.plan().unwrap();
    assert_eq!(
        regions_of(&d, 1),
        vec![
            (1000, 75, 0, SectorType::Audio, false),
            (1075, 150, 0, SectorType::Mode1, false),
            (1225, 1000, 1, SectorType::Mode1, true),
        ]
    );
    assert_eq!(d.disc_type(), DiscType::CdDaOrCdRom);
    // Mode 1 then Mode 2: both rules.
    let mut c = creator();
    add(&mut c, SectorType::Mode1, 1000).unwrap();
    add(&mut c, SectorType::Mode2Form1, 1000).unwrap();
    let d = c.plan().unwrap();
    let t = d.tracks();
    assert_eq!(
        (t[0].end, t[1].pregap_start, t[1].start),
        (Lba(1150), Lba(1150), Lba(1375))
    );
    assert_eq!(d.disc_type(), DiscType::CdRomXa);
}

#[test]
fn explicit_gaps_are_honoured_with_warnings() {
    let mut c = creator();
    add(&mut c, SectorType::Audio, 1000).unwrap();
    add(&mut c, SectorType::Mode1, 1000).unwrap();
    c.track_info(2)
        .unwrap()
        .set_pregap(Some(Gap::generated(150)))
        .unwrap();
    c.track_info(1).unwrap().set_postgap(Some(0)).unwrap();
    let d = c.plan().unwrap();
    assert_eq!(d.tracks()[1].pregap_sectors(), 150);
    assert_eq!(d.warnings().len(), 1);
    assert_eq!(
        d.warnings()[0].to_string(),
        "track 2: mode 1 after audio has a 150-sector pregap; a mode change asks for at least 225 (75 in the previous mode, then 150)"
    );
    let mut c = creator();
    add(&mut c, SectorType::Mode1, 1000).unwrap();
    add(&mut c, SectorType::Audio, 1000).unwrap();
    c.track_info(1).unwrap().set_postgap(Some(0)).unwrap();
    let d = c.plan().unwrap();
    assert_eq!(
        d.warnings()[0].to_string(),
        "track 1: mode 1 followed by a track of another type has a 0-sector postgap; the rule asks for at least 150"
    );
    // A first pregap under 150 cannot be honoured.
    let mut c = creator();
    add(&mut c, SectorType::Audio, 1000).unwrap();
    assert_eq!(
        c.track_info(1)
            .unwrap()
            .set_pregap(Some(Gap::generated(100))),
        Err(DiscError::FirstPregapTooShort {
            track: 1,
            sectors: 100
        })
    );
}

#[test]
fn hidden_track_one_audio() {
    let mut c = creator();
    let hidden = c.add_source("hidden.wav", SourceFormat::Audio).unwrap();
    c.add_special_pregap(span(hidden, 1000)).unwrap();
    add(&mut c, SectorType::Audio, 3000).unwrap();
    let d = c.plan().unwrap();
    let t = &d.tracks()[0];
    assert_eq!(
        (t.pregap_start, t.start, t.end),
        (Lba(-150), Lba(850), Lba(3850))
    );
    assert_eq!(
        regions_of(&d, 0)[0],
        (-150, 1000, 0, SectorType::Audio, true)
    );
    assert_eq!(c.track_info(1).unwrap().starting_lba(), Ok(Lba(850)));
}

#[test]
fn close_indexes_from_explicit_layouts_warn() {
    let mut p = Project::default();
    p.sources.push(Source {
        path: "a.bin".into(),
        format: SourceFormat::Binary,
        join: Vec::new(),
    });
    let mut t = TrackSpec::new(SectorType::Audio, span(0, 1000));
    t.indexes = vec![5, 600];
    p.tracks.push(t);
    let d = Disc::plan(&p).unwrap();
    assert_eq!(
        d.warnings()[0].message,
        "index 1 spans 5 sectors; indexes are meant to be at least 10 sectors apart"
    );
    p.tracks[0].indexes = vec![600, 5];
    assert!(matches!(Disc::plan(&p), Err(DiscError::IndexLayout { .. })));
}

// ---------------------------------------------------------------------------
// TOC replies.

fn mixed_disc() -> Disc {
    let mut c = creator();
    add(&mut c, SectorType::Mode1, 1000).unwrap();
    add(&mut c, SectorType::Audio, 1000).unwrap();
    c.track_info(2)
        .unwrap()
        .set_digital_audio_copy_setting(CopySetting::Permitted)
        .unwrap();
    c.plan().unwrap()
}

#[test]
fn toc_format0_bytes() {
    let d = mixed_disc();
    // Track 1 data at 0, track 2 audio copy-permitted at 1300, lead-out 2300.
    assert_eq!(
        d.toc_format0(false),
        [
            0x00, 0x1a, 0x01, 0x02, //
            0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, //
            0x00, 0x12, 0x02, 0x00, 0x00, 0x00, 0x05, 0x14, //
            0x00, 0x12, 0xaa, 0x00, 0x00, 0x00, 0x08, 0xfc,
        ]
    );
    // MSF form: 1300 + 150 = 1450 = 00:19:25; 2300 + 150 = 2450 = 00:32:50.
    assert_eq!(
        d.toc_format0(true)[4..],
        [
            0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, //
            0x00, 0x12, 0x02, 0x00, 0x00, 0x00, 0x13, 0x19, //
            0x00, 0x12, 0xaa, 0x00, 0x00, 0x00, 0x20, 0x32,
        ]
    );
}

#[test]
fn toc_format2_bytes() {
    let d = mixed_disc();
    let toc = d.toc_format2();
    assert_eq!(toc[..4], [0x00, 2 + 11 * 5, 0x01, 0x01]);
    let e: Vec<&[u8]> = toc[4..].chunks(11).collect();
    assert_eq!(e[0], [1, 0x14, 0, 0xa0, 0, 0, 0, 0, 1, 0x00, 0]);
    assert_eq!(e[1], [1, 0x12, 0, 0xa1, 0, 0, 0, 0, 2, 0, 0]);
    assert_eq!(e[2], [1, 0x12, 0, 0xa2, 0, 0, 0, 0, 0, 32, 50]);
    assert_eq!(e[3], [1, 0x14, 0, 0x01, 0, 0, 0, 0, 0, 2, 0]);
    assert_eq!(e[4], [1, 0x12, 0, 0x02, 0, 0, 0, 0, 0, 19, 25]);
}

// ---------------------------------------------------------------------------
// Project JSON.

#[test]
fn project_json_roundtrips() {
    let mut c = creator();
    let hidden = c.add_source("hidden.wav", SourceFormat::Audio).unwrap();
    c.add_special_pregap(span(hidden, 300)).unwrap();
    c.set_media_catalog_number("0036000291452").unwrap();
    add(&mut c, SectorType::Audio, 1000).unwrap();
    add(&mut c, SectorType::Mode2Form1, 1000).unwrap();
    {
        let mut t = c.track_info(1).unwrap();
        t.set_isrc("USRC17607839").unwrap();
        t.set_audio_has_preemphasis(true).unwrap();
        t.set_digital_audio_copy_setting(CopySetting::Scms).unwrap();
        t.add_track_index(400).unwrap();
    }
    c.track_info(2)
        .unwrap()
        .set_subheader(crate::sector::XaSubheader {
            file: 1,
            channel: 0,
            submode: 0x09,
            coding: 0,
        })
        .unwrap();
    let json = c.project().to_json().unwrap();
    let back = Project::from_json(&json).unwrap();
    assert_eq!(&back, c.project());
    assert_eq!(Disc::plan(&back).unwrap(), c.plan().unwrap());
    assert!(json.contains("\"sectorType\": \"mode2Form1\""), "{json}");
    assert!(json.contains("\"isrc\": \"USRC17607839\""));
    let bad = json.replace("mode2Form1", "mode9");
    let err = Project::from_json(&bad).unwrap_err().to_string();
    assert!(err.contains("unknown sector type `mode9`"), "{err}");
}

#[test]
fn project_json_minimal_and_strict() {
    let p = Project::from_json(
        r#"{ "sources": [{ "path": "a.iso" }], "tracks": [{ "sectorType": "mode1", "data": { "source": 0, "sectors": 300 } }] }"#,
    )
    .unwrap();
    assert_eq!(p.first_track, 1);
    assert_eq!(p.image_type, ImageType::Raw);
    assert_eq!(Disc::plan(&p).unwrap().leadout(), Lba(300));
    assert!(Project::from_json(r#"{ "tracks": [], "bogus": 1 }"#).is_err());
    let future = Project { format: 99, ..p };
    assert_eq!(Disc::plan(&future), Err(DiscError::ProjectFormat(99)));
}

#[test]
fn rw_from_a_separate_file_follows_the_sourced_sectors() {
    let source = |path: &str| Source {
        path: path.into(),
        format: SourceFormat::Binary,
        join: Vec::new(),
    };
    let mut t = TrackSpec::new(
        SectorType::Audio,
        SourceSpan {
            source: 0,
            offset: 100 * 2352,
            sectors: 400,
        },
    );
    t.pregap = Some(Gap {
        generated: 50,
        source: Some(span(0, 100).into()),
    });
    t.indexes = vec![200];
    t.rw_sub = Some(SourcePos {
        source: 1,
        offset: 96 * 1000,
    });
    let mut p = Project {
        sources: vec![source("x.img"), source("x.sub")],
        tracks: vec![TrackSpec::new(SectorType::Audio, span(0, 300)), t],
        ..Project::default()
    };
    let disc = Disc::plan(&p).unwrap();
    let subs: Vec<(i32, Option<u64>)> = disc
        .regions()
        .iter()
        .filter(|r| r.area != Area::LeadOut)
        .map(|r| match r.content {
            Content::Source { rw_sub, .. } => (r.start.get(), rw_sub.map(|s| s.offset / 96)),
            Content::Zero => (r.start.get(), None),
        })
        .collect();
    // Generated sectors carry none; the pregap's sourced part starts the
    // records, index 1 and 2 follow.
    assert_eq!(
        subs,
        vec![
            (-150, None),
            (0, None),
            (300, None),
            (350, Some(1000)),
            (450, Some(1100)),
            (650, Some(1300))
        ]
    );
    assert!(p.tracks[1].has_rw() && !p.tracks[0].has_rw());

    p.rw_generator = Some(SourcePos {
        source: 1,
        offset: 0,
    });
    assert_eq!(Disc::plan(&p), Err(DiscError::RwSubAndGenerator(2)));
    p.rw_generator = None;
    p.tracks[1].rw_sub = Some(SourcePos {
        source: 2,
        offset: 0,
    });
    assert!(matches!(
        Disc::plan(&p),
        Err(DiscError::NoSuchSource { index: 2, .. })
    ));
}

#[test]
fn an_isrc_no_sector_of_its_track_can_carry_is_not_written() {
    let mut p = Project {
        sources: vec![Source {
            path: "a.bin".into(),
            format: SourceFormat::Binary,
            join: Vec::new(),
        }],
        ..Project::default()
    };
    let isrc = Isrc::parse("USRC17607839").unwrap();
    for sectors in [300, 1] {
        let mut t = TrackSpec::new(SectorType::Audio, span(0, sectors));
        t.isrc = Some(isrc);
        if sectors == 1 {
            t.pregap = Some(Gap::generated(0));
        }
        p.tracks.push(t);
    }
    // Track 2 is LBA 300 only: (300 + 150) mod 90 is 0, not 65.
    let d = Disc::plan(&p).unwrap();
    assert_eq!(d.tracks()[0].isrc, Some(isrc));
    assert_eq!(d.tracks()[1].isrc, None);
    assert_eq!(d.toc_layout().tracks[1].isrc, None);
    assert!(
        d.warnings().iter().any(|w| w.to_string()
            == "track 2: its ISRC is not written: from index 1 the track has 1 sectors, and none of them is one of the 1 in 90 that carry the ISRC in Q"),
        "{:?}",
        d.warnings()
    );
}
