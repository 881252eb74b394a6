//! Images read back: a project built as a cdrdao toc file or a CloneCD
//! image, read with `image::import`, builds every image format byte for
//! byte as the original project does. In memory, over discs with every
//! feature: mixed mode with ISRC, MCN, flags and indexes; Mode 2 Form 1,
//! Form 2 and formless; hidden track-one audio; CD-TEXT in two languages
//! (ISO-8859-1 and MS-JIS); CD+G; SCMS; Mode 0; gapless audio.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use layout::cdtext::{CdText, Charset, Genre, TextBlock, TextFields};
use layout::disc::{
    CopySetting, Disc, Gap, Isrc, Mcn, Project, Source, SourceFormat, SourceSpan, TrackSpec,
};
use layout::image::import::{ccd, toc};
use layout::image::{ImageFormat, image_files};
use layout::render::{FrameSink, MemorySink, Part, SourceData, render};
use layout::sector::SectorType;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use testkit::noise;

/// Hashes what it is given instead of keeping it (raw images are large).
#[derive(Default)]
struct HashSink {
    main: Sha256,
    sub: Sha256,
}

impl FrameSink for HashSink {
    fn write(&mut self, part: Part, bytes: &[u8]) -> Result<(), layout::source::SourceError> {
        match part {
            Part::Main => self.main.update(bytes),
            Part::Sub => self.sub.update(bytes),
        }
        Ok(())
    }
}

/// Every file of an image: name → bytes (texts, `.cdt`, and the binary
/// files, except a raw image's, kept as its hash).
type Files = BTreeMap<String, Vec<u8>>;

fn build(project: &Project, data: &mut dyn SourceData, format: ImageFormat) -> Files {
    let disc = Disc::plan(project).unwrap();
    let image = image_files(&disc, format, "x").unwrap();
    let mut out = Files::new();
    for t in &image.texts {
        out.insert(t.name.clone(), t.content.clone().into_bytes());
    }
    for b in &image.binaries {
        out.insert(b.name.clone(), b.bytes.clone());
    }
    let stream = image.frames.unwrap();
    if format == ImageFormat::Raw {
        let mut sink = HashSink::default();
        render(&disc, &stream, data, &mut sink, 1024, &mut |_, _| {}).unwrap();
        out.insert(stream.main.clone(), sink.main.finalize().to_vec());
    } else {
        let mut sink = MemorySink::default();
        render(&disc, &stream, data, &mut sink, 1024, &mut |_, _| {}).unwrap();
        out.insert(stream.main.clone(), sink.main);
        if let Some(sub) = &stream.sub {
            out.insert(sub.clone(), sink.sub);
        }
    }
    out
}

const FORMATS: [ImageFormat; 4] = [
    ImageFormat::BinCue,
    ImageFormat::CdrdaoToc,
    ImageFormat::CloneCd,
    ImageFormat::Raw,
];

/// The bytes of the files `sources` names.
fn data_of(sources: &[Source], files: &Files) -> Vec<Vec<u8>> {
    sources
        .iter()
        .map(|s| files.get(&s.path).cloned().unwrap_or_default())
        .collect()
}

/// Builds `project` in every format, reads its toc and CloneCD images back
/// and builds those in every format; returns which reads gave identical
/// images, and the warnings of each read.
fn roundtrip(project: &Project, data: &mut dyn SourceData) -> [(bool, Vec<String>); 2] {
    let originals: Vec<Option<Files>> = FORMATS
        .iter()
        .map(|&f| {
            let disc = Disc::plan(project).unwrap();
            image_files(&disc, f, "x").ok()?;
            Some(build(project, data, f))
        })
        .collect();
    let mut results = Vec::new();
    for (k, reader) in [(1, "toc"), (2, "ccd")] {
        let files = originals[k].as_ref().unwrap();
        let text = String::from_utf8(files[&format!("x.{reader}")].clone()).unwrap();
        let imported = if reader == "toc" {
            let parsed = toc::parse(&text).unwrap();
            let mut d = data_of(parsed.sources(), files);
            let imported = toc::to_project(&parsed, &mut d).unwrap();
            (imported, d)
        } else {
            let parsed = ccd::parse(&text, "x").unwrap();
            let mut d = data_of(parsed.sources(), files);
            let imported = ccd::to_project(&parsed, &mut d).unwrap();
            (imported, d)
        };
        let (imported, mut d) = imported;
        let mut same = true;
        for (f, original) in FORMATS.iter().zip(&originals) {
            let Some(original) = original else { continue };
            let again = build(&imported.project, &mut d, *f);
            if &again != original {
                let names: Vec<&String> = again
                    .iter()
                    .filter(|(n, b)| original.get(*n) != Some(b))
                    .map(|(n, _)| n)
                    .collect();
                eprintln!("{reader} -> {f:?} differs in {names:?}");
                same = false;
            }
        }
        results.push((same, imported.warnings));
    }
    let [a, b]: [(bool, Vec<String>); 2] = results.try_into().unwrap();
    [a, b]
}

fn exact(project: &Project, data: &mut dyn SourceData) {
    let [(toc, tw), (ccd, cw)] = roundtrip(project, data);
    assert!(toc, "the toc image does not read back exactly ({tw:?})");
    assert!(ccd, "the CloneCD image does not read back exactly ({cw:?})");
}

fn span(source: usize, sectors: u32) -> SourceSpan {
    SourceSpan {
        source,
        offset: 0,
        sectors,
    }
}

fn raw(n: usize) -> Vec<Source> {
    (0..n)
        .map(|k| Source {
            path: format!("s{k}"),
            format: SourceFormat::Binary,
            join: Vec::new(),
        })
        .collect()
}

#[test]
fn mixed_mode_with_isrc_mcn_flags_and_indexes() {
    let mut data = vec![
        noise(600 * 2048, 1),
        noise(1500 * 2352, 2),
        noise(900 * 2352, 3),
    ];
    let mut p = Project {
        sources: raw(3),
        mcn: Some(Mcn::parse("0036000291452").unwrap()),
        ..Project::default()
    };
    p.tracks
        .push(TrackSpec::new(SectorType::Mode1, span(0, 600)));
    let mut t2 = TrackSpec::new(SectorType::Audio, span(1, 1500));
    t2.isrc = Some(Isrc::parse("USRC17607839").unwrap());
    t2.copy = CopySetting::Permitted;
    t2.pre_emphasis = true;
    t2.indexes = vec![375, 900];
    p.tracks.push(t2);
    let mut t3 = TrackSpec::new(
        SectorType::Audio,
        SourceSpan {
            source: 2,
            offset: 225 * 2352,
            sectors: 675,
        },
    );
    t3.pregap = Some(Gap::sourced(span(2, 225)));
    p.tracks.push(t3);
    exact(&p, &mut data);
}

#[test]
fn mode2_forms_and_mode_changes() {
    let mut data = vec![
        noise(400 * 2048, 4),
        noise(400 * 2324, 5),
        noise(400 * 2336, 6),
        noise(400 * 2352, 7),
    ];
    let p = Project {
        sources: raw(4),
        tracks: vec![
            TrackSpec::new(SectorType::Mode2Form1, span(0, 400)),
            TrackSpec::new(SectorType::Audio, span(3, 400)),
            TrackSpec::new(SectorType::Mode2Form2, span(1, 400)),
            TrackSpec::new(SectorType::Mode1, span(0, 400)),
            TrackSpec::new(SectorType::Mode2Formless, span(2, 400)),
            TrackSpec::new(SectorType::Audio, span(3, 400)),
        ],
        ..Project::default()
    };
    exact(&p, &mut data);
    // A lone Form 1 track: the form comes from its sectors.
    let lone = Project {
        sources: raw(1),
        tracks: vec![TrackSpec::new(SectorType::Mode2Form1, span(0, 400))],
        ..Project::default()
    };
    exact(&lone, &mut data);
}

#[test]
fn hidden_track_one_audio() {
    let mut data = vec![noise(2000 * 2352, 8)];
    let mut t1 = TrackSpec::new(
        SectorType::Audio,
        SourceSpan {
            source: 0,
            offset: 600 * 2352,
            sectors: 900,
        },
    );
    t1.pregap = Some(Gap {
        generated: 150,
        source: Some(span(0, 600).into()),
    });
    let p = Project {
        sources: raw(1),
        tracks: vec![
            t1,
            TrackSpec::new(
                SectorType::Audio,
                SourceSpan {
                    source: 0,
                    offset: 1500 * 2352,
                    sectors: 500,
                },
            ),
        ],
        ..Project::default()
    };
    exact(&p, &mut data);
}

#[test]
fn cd_text_in_two_languages() {
    let mut data = vec![noise(600 * 2352, 9), noise(450 * 2352, 10)];
    let fields = |title: &str, performer: Option<&str>| TextFields {
        title: Some(title.into()),
        performer: performer.map(str::to_string),
        ..TextFields::default()
    };
    let latin = TextBlock {
        disc: TextFields {
            composer: Some("Miles \"M\" Composer".into()),
            ..fields("Caf\u{e9} Sessions", Some("The Quartet"))
        },
        tracks: vec![
            fields("Blue Room", Some("The Quartet")),
            fields("Green", None),
        ],
        disc_id: Some("XY12345".into()),
        genre: Some(Genre {
            code: 14,
            text: "Bebop".into(),
        }),
        ..TextBlock::default()
    };
    let japanese = TextBlock {
        language: 0x69,
        charset: Charset::MsJis,
        copyright: true,
        disc: fields("\u{65e5}\u{672c}\u{8868}", None),
        tracks: vec![fields("\u{4e00}", None), fields("\u{4e8c}", None)],
        ..TextBlock::default()
    };
    let p = Project {
        sources: raw(2),
        tracks: vec![
            TrackSpec::new(SectorType::Audio, span(0, 600)),
            TrackSpec::new(SectorType::Audio, span(1, 450)),
        ],
        cdtext: Some(CdText {
            blocks: vec![latin, japanese],
            toc_info: true,
        }),
        ..Project::default()
    };
    exact(&p, &mut data);
}

#[test]
fn cd_graphics() {
    let mut cdg = Vec::new();
    let pcm = noise(600 * 2352, 11);
    let rw = noise(600 * 96, 12);
    for k in 0..600 {
        cdg.extend_from_slice(&pcm[k * 2352..(k + 1) * 2352]);
        cdg.extend(rw[k * 96..(k + 1) * 96].iter().map(|b| b & 0x3f));
    }
    let mut data_rw = Vec::new();
    let user = noise(400 * 2048, 20);
    for k in 0..400 {
        data_rw.extend_from_slice(&user[k * 2048..(k + 1) * 2048]);
        data_rw.extend(rw[k * 96..(k + 1) * 96].iter().map(|b| b & 0x0f));
    }
    let mut data = vec![cdg, noise(400 * 2352, 13), data_rw];
    let mut t1 = TrackSpec::new(SectorType::Audio, span(0, 600));
    t1.rw_in_source = true;
    // R-W beside data sectors too (the toc file says MODE1_RAW RW_RAW).
    let mut t3 = TrackSpec::new(SectorType::Mode1, span(2, 400));
    t3.rw_in_source = true;
    let p = Project {
        sources: raw(3),
        tracks: vec![t1, TrackSpec::new(SectorType::Audio, span(1, 400)), t3],
        ..Project::default()
    };
    exact(&p, &mut data);
}

#[test]
fn gapless_audio() {
    let mut data = vec![noise(3000 * 2352, 14)];
    let at = |k: u64, n| SourceSpan {
        source: 0,
        offset: k * 2352,
        sectors: n,
    };
    let p = Project {
        sources: raw(1),
        gapless_audio: true,
        tracks: vec![
            TrackSpec::new(SectorType::Audio, at(0, 1000)),
            TrackSpec::new(SectorType::Audio, at(1000, 1000)),
            TrackSpec::new(SectorType::Audio, at(2000, 1000)),
        ],
        ..Project::default()
    };
    exact(&p, &mut data);
}

#[test]
fn what_a_toc_file_cannot_hold_comes_back_from_clonecd() {
    // SCMS, a first track other than 1, four channels: CloneCD holds all.
    let mut data = vec![noise(600 * 2352, 15), noise(450 * 2352, 16)];
    let mut t1 = TrackSpec::new(SectorType::Audio, span(0, 600));
    t1.copy = CopySetting::Scms;
    let mut t2 = TrackSpec::new(SectorType::Audio, span(1, 450));
    t2.four_channel = true;
    let p = Project {
        sources: raw(2),
        first_track: 5,
        tracks: vec![t1, t2],
        ..Project::default()
    };
    let [(toc, _), (ccd, warnings)] = roundtrip(&p, &mut data);
    assert!(!toc, "a toc file has neither scms nor track numbers");
    assert!(ccd, "{warnings:?}");

    // Mode 0: only CloneCD and raw images describe it.
    let mut data = vec![noise(600 * 2352, 17), vec![0; 400 * 2336]];
    let p = Project {
        sources: raw(2),
        tracks: vec![
            TrackSpec::new(SectorType::Audio, span(0, 600)),
            TrackSpec::new(SectorType::Mode0, span(1, 400)),
            TrackSpec::new(SectorType::Audio, span(0, 300)),
        ],
        ..Project::default()
    };
    let disc = Disc::plan(&p).unwrap();
    assert!(image_files(&disc, ImageFormat::CdrdaoToc, "x").is_err());
    let ccd_files = build(&p, &mut data, ImageFormat::CloneCd);
    let text = String::from_utf8(ccd_files["x.ccd"].clone()).unwrap();
    let parsed = ccd::parse(&text, "x").unwrap();
    let mut d = data_of(parsed.sources(), &ccd_files);
    let imported = ccd::to_project(&parsed, &mut d).unwrap();
    for f in [ImageFormat::CloneCd, ImageFormat::Raw] {
        assert_eq!(
            build(&imported.project, &mut d, f),
            build(&p, &mut data, f),
            "{f:?}"
        );
    }
}

#[test]
fn generated_gaps_come_back_generated() {
    // Read back, a disc has the layout it was built with: generated gaps
    // stay generated (so it can be written track at once), mode-change
    // pregaps are the default again.
    let mut data = vec![noise(600 * 2048, 18), noise(600 * 2352, 19)];
    let p = Project {
        sources: raw(2),
        tracks: vec![
            TrackSpec::new(SectorType::Audio, span(1, 600)),
            TrackSpec::new(SectorType::Mode1, span(0, 600)),
            TrackSpec::new(SectorType::Audio, span(1, 600)),
        ],
        ..Project::default()
    };
    let disc = Disc::plan(&p).unwrap();
    let files = build(&p, &mut data, ImageFormat::CdrdaoToc);
    let text = String::from_utf8(files["x.toc"].clone()).unwrap();
    let parsed = toc::parse(&text).unwrap();
    let mut d = data_of(parsed.sources(), &files);
    let back = toc::to_project(&parsed, &mut d).unwrap().project;
    assert_eq!(back.tracks[0].pregap, Some(Gap::generated(150)));
    assert_eq!(
        back.tracks[1].pregap, None,
        "the default mode-change pregap"
    );
    assert_eq!(back.tracks[1].postgap, Some(150));
    assert_eq!(back.tracks[1].data.sectors(), 600);
    assert_eq!(back.tracks[2].pregap, Some(Gap::generated(150)));
    let again = Disc::plan(&back).unwrap();
    assert_eq!(again.toc_layout(), disc.toc_layout());
    assert!(again.warnings().is_empty(), "{:?}", again.warnings());
}
