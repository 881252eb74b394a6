//! Every image rawburn writes reads back: for any project that plans, the
//! `.cue`, `.toc` and `.ccd` written for it import into a project that
//! plans to the same LBAs (track starts, pregaps, index points, ends, the
//! lead-out), or the writer refuses the disc up front.
//!
//! Images are rendered lazily, only the sectors an importer reads, so
//! discs of any length (up to the largest, 98:30:00 to its lead-out) are
//! checked without holding them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use layout::cdtext::{CdText, TextBlock, TextFields};
use layout::cue;
use layout::disc::{
    Disc, Gap, LeadoutLimit, MAX_SECTORS, Project, Source, SourceFormat, SourcePos, SourceSpan,
    TrackSpec,
};
use layout::frames::Read;
use layout::image::import::{ImageSources, ccd, toc};
use layout::image::{FrameStream, ImageFormat, StreamRange, image_files};
use layout::msf::Lba;
use layout::render::{Renderer, SourceData};
use layout::sector::{SECTOR_SIZE, SectorType};
use layout::source::SourceError;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Source data computed from its position: any length, nothing held.
/// Source [`ZERO`] holds zeros (Mode 0 data).
struct Pattern;

/// The source of Mode 0 tracks.
const ZERO: usize = 3;

impl SourceData for Pattern {
    fn read(&mut self, read: &Read, buf: &mut [u8]) -> Result<(), SourceError> {
        if read.source == ZERO {
            buf.fill(0);
            return Ok(());
        }
        for (i, b) in buf.iter_mut().enumerate() {
            let at = read.offset + i as u64;
            *b = (at.wrapping_mul(0x9e37_79b9) >> 13) as u8 ^ read.source as u8;
        }
        Ok(())
    }
}

/// The binary files of an image, rendered on demand.
struct LazyImage<'a> {
    disc: &'a Disc,
    stream: FrameStream,
    /// Small files (`.cdt`).
    binaries: BTreeMap<String, Vec<u8>>,
    /// The last frames rendered: file, first byte, bytes.
    cache: Option<(String, u64, Vec<u8>)>,
}

/// Sectors rendered at once.
const CHUNK: u64 = 256;

impl LazyImage<'_> {
    /// Bytes per sector of `range` in the main file (`sub` false) or the
    /// subchannel file.
    fn per_sector(&self, range: &StreamRange, sub: bool) -> u64 {
        let size = range.subchannel.size() as u64;
        match (self.stream.sub.is_some(), sub) {
            (true, true) => size,
            (true, false) => SECTOR_SIZE as u64,
            (false, _) => SECTOR_SIZE as u64 + size,
        }
    }

    fn is_sub(&self, name: &str) -> Option<bool> {
        if name == self.stream.main {
            Some(false)
        } else if self.stream.sub.as_deref() == Some(name) {
            Some(true)
        } else {
            None
        }
    }

    fn len(&self, name: &str) -> Option<u64> {
        if let Some(b) = self.binaries.get(name) {
            return Some(b.len() as u64);
        }
        let sub = self.is_sub(name)?;
        Some(
            self.stream
                .ranges
                .iter()
                .map(|r| r.sectors() * self.per_sector(r, sub))
                .sum(),
        )
    }

    /// Renders the chunk of `name` holding byte `offset`.
    fn render(&mut self, name: &str, offset: u64) -> Result<(), String> {
        let sub = self.is_sub(name).ok_or_else(|| format!("no file {name}"))?;
        let mut base = 0;
        for range in self.stream.ranges.clone() {
            let per = self.per_sector(&range, sub);
            let bytes = range.sectors() * per;
            if offset < base + bytes {
                let k = (offset - base) / per;
                let n = CHUNK.min(range.sectors() - k);
                let start = Lba(range.start.get() + k as i32);
                let part = FrameStream {
                    ranges: vec![StreamRange {
                        start,
                        end: Lba(start.get() + n as i32),
                        ..range
                    }],
                    main: self.stream.main.clone(),
                    sub: self.stream.sub.clone(),
                };
                let mut renderer = Renderer::new(self.disc, &part, n as u32);
                let mut out = Vec::new();
                while let Some(batch) = renderer.next_batch().map_err(|e| e.to_string())? {
                    let mut main = vec![0; batch.main.map_or(0, |r| r.len)];
                    if let Some(r) = &batch.main {
                        Pattern.read(r, &mut main).map_err(|e| e.to_string())?;
                    }
                    let mut rw = vec![0; batch.rw.map_or(0, |r| r.len)];
                    if let Some(r) = &batch.rw {
                        Pattern.read(r, &mut rw).map_err(|e| e.to_string())?;
                    }
                    let frames = renderer
                        .encode(&batch, &main, &rw)
                        .map_err(|e| e.to_string())?;
                    out.extend_from_slice(if sub {
                        frames.sub.unwrap_or_default()
                    } else {
                        frames.main
                    });
                }
                self.cache = Some((name.to_string(), base + k * per, out));
                return Ok(());
            }
            base += bytes;
        }
        Err(format!("{name} ends at byte {base}, {offset} asked for"))
    }

    fn read(&mut self, name: &str, offset: u64, buf: &mut [u8]) -> Result<(), String> {
        if let Some(b) = self.binaries.get(name) {
            let start = usize::try_from(offset).map_err(|e| e.to_string())?;
            let bytes = b
                .get(start..start + buf.len())
                .ok_or_else(|| format!("{name} is shorter"))?;
            buf.copy_from_slice(bytes);
            return Ok(());
        }
        let mut filled = 0;
        while filled < buf.len() {
            let at = offset + filled as u64;
            let cached = match &self.cache {
                Some((n, first, bytes))
                    if n == name && at >= *first && at < first + bytes.len() as u64 =>
                {
                    let from = (at - first) as usize;
                    let take = (bytes.len() - from).min(buf.len() - filled);
                    buf[filled..filled + take].copy_from_slice(&bytes[from..from + take]);
                    take
                }
                _ => 0,
            };
            if cached == 0 {
                self.render(name, at)?;
            }
            filled += cached;
        }
        Ok(())
    }
}

/// An image's files as an importer's sources, by name.
struct Named<'a, 'b> {
    image: &'a mut LazyImage<'b>,
    names: Vec<String>,
}

impl ImageSources for Named<'_, '_> {
    fn data_len(&mut self, source: usize) -> Result<u64, SourceError> {
        let name = &self.names[source];
        self.image
            .len(name)
            .ok_or_else(|| SourceError::other("no such file").in_file(name))
    }

    fn read(&mut self, source: usize, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        let name = self.names[source].clone();
        self.image
            .read(&name, offset, buf)
            .map_err(SourceError::other)
    }
}

/// What the LBAs of a disc are: per track its pregap start, index points
/// and end; the lead-out.
fn lbas(disc: &Disc) -> (Vec<(i32, Vec<i32>, i32)>, i32) {
    (
        disc.tracks()
            .iter()
            .map(|t| {
                (
                    t.pregap_start.get(),
                    t.indexes.iter().map(|l| l.get()).collect(),
                    t.end.get(),
                )
            })
            .collect(),
        disc.leadout().get(),
    )
}

/// Writes `project` as each image format and reads it back; panics where
/// a written image does not read back to the same LBAs. Returns the
/// formats that refused the disc up front.
fn roundtrip(project: &Project) -> Vec<ImageFormat> {
    let disc = Disc::plan(project).unwrap();
    let mut refused = Vec::new();
    for format in [
        ImageFormat::BinCue,
        ImageFormat::CdrdaoToc,
        ImageFormat::CloneCd,
    ] {
        let files = match image_files(&disc, format, "x") {
            Ok(f) => f,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                refused.push(format);
                continue;
            }
        };
        let text = files.texts[0].content.clone();
        let mut image = LazyImage {
            disc: &disc,
            stream: files.frames.unwrap(),
            binaries: files
                .binaries
                .iter()
                .map(|b| (b.name.clone(), b.bytes.clone()))
                .collect(),
            cache: None,
        };
        let imported = match format {
            ImageFormat::BinCue => {
                let sheet = cue::parse(&text).unwrap();
                let mut project = cue::to_project(&sheet, &mut |_, f| {
                    image
                        .len(&f.name.value)
                        .ok_or_else(|| format!("no file {}", f.name.value))
                })
                .unwrap_or_else(|e| panic!("{format:?} does not read back: {e}\n{text}"))
                .project;
                // As `rawburn` reads a sheet: the CDTEXTFILE is the CD-TEXT.
                if let Some(file) = &sheet.cdtext_file {
                    let packs = layout::cdtext::cdt::read(&image.binaries[&file.value]).unwrap();
                    project.cdtext = Some(CdText::from_packs(&packs).unwrap().cdtext);
                }
                project
            }
            ImageFormat::CdrdaoToc => {
                let parsed = toc::parse(&text).unwrap();
                let names = parsed.sources().iter().map(|s| s.path.clone()).collect();
                let mut sources = Named {
                    image: &mut image,
                    names,
                };
                toc::to_project(&parsed, &mut sources)
                    .unwrap_or_else(|e| panic!("{format:?} does not read back: {e}\n{text}"))
                    .project
            }
            _ => {
                let parsed = ccd::parse(&text, "x").unwrap();
                let names = parsed.sources().iter().map(|s| s.path.clone()).collect();
                let mut sources = Named {
                    image: &mut image,
                    names,
                };
                ccd::to_project(&parsed, &mut sources)
                    .unwrap_or_else(|e| panic!("{format:?} does not read back: {e}\n{text}"))
                    .project
            }
        };
        let again = Disc::plan(&imported)
            .unwrap_or_else(|e| panic!("{format:?} read back does not plan: {e}\n{text}"));
        assert_eq!(
            lbas(&again),
            lbas(&disc),
            "{format:?} reads back to other LBAs\n{text}"
        );
        if format != ImageFormat::CdrdaoToc {
            // A toc file numbers tracks from 1 (and says so).
            assert_eq!(again.first_track(), disc.first_track(), "{format:?}");
        }
    }
    refused
}

fn span(source: usize, offset: u64, sectors: u32) -> SourceSpan {
    SourceSpan {
        source,
        offset,
        sectors,
    }
}

fn sources() -> Vec<Source> {
    ["a.bin", "b.wav", "c.sub", "zero.bin"]
        .iter()
        .map(|p| Source {
            path: p.to_string(),
            format: SourceFormat::Binary,
            join: Vec::new(),
        })
        .collect()
}

fn types() -> impl Strategy<Value = SectorType> {
    prop_oneof![
        3 => Just(SectorType::Audio),
        1 => Just(SectorType::Mode1),
        1 => Just(SectorType::Mode1Raw),
        1 => Just(SectorType::Mode2Form1),
        1 => Just(SectorType::Mode2Form2),
        1 => Just(SectorType::Mode2Formless),
        1 => Just(SectorType::Mode2Xa),
        1 => Just(SectorType::Mode0),
    ]
}

/// A track: type, data length, pregap, postgap, index points, R-W.
fn track(long: bool) -> impl Strategy<Value = TrackSpec> {
    let length = if long { 1000u32..2000 } else { 0u32..900 };
    (
        types(),
        length,
        proptest::option::of((0u32..300, proptest::option::of(1u32..200))),
        proptest::option::of(0u32..400),
        proptest::collection::btree_set(1u32..900, 0..3),
        0u8..4,
    )
        .prop_map(move |(ty, n, pregap, postgap, indexes, rw)| {
            let n = if long { n * 200 } else { n };
            let zero = ty == SectorType::Mode0;
            let mut t = TrackSpec::new(ty, span(if zero { ZERO } else { 0 }, 4 * 2352, n));
            t.pregap = pregap.map(|(generated, source)| Gap {
                generated,
                source: source.map(|s| span(if zero { ZERO } else { 1 }, 0, s).into()),
            });
            t.postgap = postgap;
            t.indexes = indexes.into_iter().filter(|&o| o < n).collect();
            if ty.is_audio() {
                match rw {
                    1 => t.rw_in_source = true,
                    2 => {
                        t.rw_sub = Some(SourcePos {
                            source: 2,
                            offset: 0,
                        })
                    }
                    _ => {}
                }
            }
            t
        })
}

fn projects(long: bool) -> impl Strategy<Value = Project> {
    (
        proptest::collection::vec(track(false), 1..5),
        proptest::option::of(track(long)),
        prop_oneof![Just(1u8), 1u8..99],
        prop_oneof![
            Just(LeadoutLimit::Imapi),
            Just(LeadoutLimit::Minutes80),
            Just(LeadoutLimit::Minutes90),
            Just(LeadoutLimit::Minutes99),
        ],
        proptest::option::of(150u32..400),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(mut tracks, extra, first_track, limit, hidden, gapless, text)| {
                tracks.extend(extra);
                let cdtext = text.then(|| CdText {
                    blocks: vec![TextBlock {
                        disc: TextFields {
                            title: Some("Disc".into()),
                            ..TextFields::default()
                        },
                        tracks: vec![
                            TextFields {
                                title: Some("Song".into()),
                                ..TextFields::default()
                            };
                            tracks.len()
                        ],
                        ..TextBlock::default()
                    }],
                    toc_info: true,
                });
                Project {
                    sources: sources(),
                    tracks,
                    first_track,
                    leadout_limit: limit,
                    special_pregap: hidden.map(|s| span(1, 0, s)),
                    gapless_audio: gapless,
                    cdtext,
                    ..Project::default()
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn every_written_image_reads_back_to_the_same_lbas(p in projects(false)) {
        if Disc::plan(&p).is_ok() {
            roundtrip(&p);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn long_discs_read_back_to_the_same_lbas(p in projects(true)) {
        if Disc::plan(&p).is_ok() {
            roundtrip(&p);
        }
    }
}

/// Audio up to `leadout` in one track, on 99-minute media.
fn one_track(ty: SectorType, leadout: u32) -> Project {
    Project {
        sources: sources(),
        tracks: vec![TrackSpec::new(ty, span(0, 0, leadout))],
        leadout_limit: LeadoutLimit::Minutes99,
        ..Project::default()
    }
}

#[test]
fn the_largest_disc_reads_back() {
    // The lead-out at 98:30:00: track starts and the lead-out past
    // 89:59:74, where MSF minutes would read as lead-in addresses.
    let mut p = one_track(SectorType::Audio, 300);
    p.tracks.push(TrackSpec::new(
        SectorType::Audio,
        span(0, 0, MAX_SECTORS - 3 * 150 - 600),
    ));
    p.tracks
        .push(TrackSpec::new(SectorType::Audio, span(0, 0, 300)));
    let disc = Disc::plan(&p).unwrap();
    assert_eq!(disc.leadout(), layout::disc::LARGEST_LEADOUT);
    assert_eq!(disc.tracks()[2].start, Lba(442_800));
    assert!(roundtrip(&p).is_empty());
}

#[test]
fn a_mode0_track_is_refused_by_cue_and_toc_up_front() {
    let mut p = one_track(SectorType::Mode1, 300);
    p.tracks
        .push(TrackSpec::new(SectorType::Mode0, span(ZERO, 0, 300)));
    assert_eq!(
        roundtrip(&p),
        vec![ImageFormat::BinCue, ImageFormat::CdrdaoToc]
    );
}

#[test]
fn a_disc_past_88_29_74_reads_back() {
    // The default lead-out limit of a project read from an image is
    // IMAPI2's 88:29:74; a longer disc gets the media that hold it.
    for leadout in [398_100, 404_850] {
        assert!(roundtrip(&one_track(SectorType::Mode1, leadout)).is_empty());
    }
}
