//! A parsed cue sheet turned into a project, laid out exactly as written.
//!
//! Positions in a cue sheet count frames within a file; byte offsets follow
//! by walking each file's tracks in order, since tracks of different sector
//! sizes may share one file. The layout is explicit: gaps are what the
//! sheet says (no `PREGAP`, no `INDEX 00`: no pregap), never defaults;
//! departures from the layout rules come back as plan warnings.

use super::{CueFile, CueSheet, CueTrack, Pos, TrackMode};
use crate::cdtext::{CdText, Genre, TextBlock, TextFields, tables};
use crate::disc::{
    CopySetting, DiscType, Gap, Isrc, Mcn, Pieces, Project, Remark, Source, SourceSpan, TrackSpec,
};
use crate::sector::SectorType;
use core::fmt;

/// Sectors of the standard pregap of track 1, before LBA 0.
const FIRST_PREGAP: u32 = 150;

/// A cue sheet that cannot become a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// Where in the sheet, when the problem has a place.
    pub pos: Option<Pos>,
    /// The data file concerned, if one.
    pub file: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(pos) = self.pos {
            write!(f, "{pos}: ")?;
        }
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ImportError {}

/// The result of [`to_project`].
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The project.
    pub project: Project,
    /// What was adjusted (audio padded to whole sectors).
    pub warnings: Vec<String>,
}

/// The sector type, bytes per sector in the file, and whether R-W follows
/// each sector, of a cue track mode.
fn track_type(mode: TrackMode) -> (SectorType, bool) {
    match mode {
        TrackMode::Audio => (SectorType::Audio, false),
        TrackMode::Cdg => (SectorType::Audio, true),
        TrackMode::Mode1_2048 => (SectorType::Mode1, false),
        TrackMode::Mode1_2352 => (SectorType::Mode1Raw, false),
        TrackMode::Mode2_2336 | TrackMode::Cdi_2336 => (SectorType::Mode2Xa, false),
        TrackMode::Mode2_2352 | TrackMode::Cdi_2352 => (SectorType::Mode2Raw, false),
    }
}

/// Per-file walk state: the last position seen, its byte offset, and the
/// bytes per sector of the track that owns the data after it.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    frames: u32,
    bytes: u64,
    stride: u64,
}

/// Builds a project from a parsed sheet. `data_len` gives the length in
/// bytes of each file's data as read (the PCM payload for `WAVE` files,
/// WAV or FLAC), by position in `sheet.files`.
///
/// ## Errors
///
/// [`ImportError`] naming the line and column (or the file) of the first
/// thing that cannot be laid out exactly as written.
pub fn to_project(
    sheet: &CueSheet,
    data_len: &mut dyn FnMut(usize, &CueFile) -> Result<u64, String>,
) -> Result<Imported, ImportError> {
    let mut warnings = Vec::new();
    let mut project = Project::default();
    let mut lens = Vec::with_capacity(sheet.files.len());
    for (k, f) in sheet.files.iter().enumerate() {
        project.sources.push(Source {
            path: f.name.value.clone(),
            format: f.kind.source_format(),
            join: Vec::new(),
        });
        let len = data_len(k, f).map_err(|message| ImportError {
            pos: Some(f.name.pos),
            file: Some(f.name.value.clone()),
            message,
        })?;
        lens.push(len);
    }
    warnings.extend(
        sheet
            .warnings
            .iter()
            .map(|w| format!("{}: {}", w.pos, w.value)),
    );
    if let Some(c) = &sheet.catalog {
        let mcn = Mcn::parse_any_check_digit(&c.value).map_err(|e| at(c.pos, e.to_string()))?;
        if mcn.is_zero() {
            warnings.push(format!(
                "{}: CATALOG {} is how rippers write \"no catalog number\"; the disc gets none",
                c.pos, c.value
            ));
        } else {
            project.mcn = Some(mcn);
        }
    }
    project.remarks = remarks(&sheet.rems);
    let tracks: Vec<(usize, &CueTrack)> = sheet
        .files
        .iter()
        .enumerate()
        .flat_map(|(k, f)| f.tracks.iter().map(move |t| (k, t)))
        .collect();
    let Some((_, first)) = tracks.first() else {
        return Err(ImportError {
            pos: None,
            file: None,
            message: "the cue sheet has no tracks".into(),
        });
    };
    project.first_track = first.number;
    if tracks
        .iter()
        .any(|(_, t)| matches!(t.mode, TrackMode::Cdi_2336 | TrackMode::Cdi_2352))
    {
        project.disc_type = Some(DiscType::CdI);
    }

    // Byte offset of every index, walking the files in order.
    let mut cursors: Vec<Option<Cursor>> = vec![None; sheet.files.len()];
    let mut offsets: Vec<Vec<u64>> = Vec::with_capacity(tracks.len());
    for (own_file, t) in &tracks {
        let (ty, rw) = track_type(t.mode);
        let kind = sheet.files[*own_file].kind;
        if kind.is_audio_file() && !ty.is_audio() {
            return Err(at(
                t.pos,
                format!(
                    "track {} is {}; a {} file holds audio only",
                    t.number,
                    t.mode.cue_name(),
                    kind.cue_name()
                ),
            ));
        }
        let stride = ty.input_len() as u64 + if rw { 96 } else { 0 };
        let mut track_offsets = Vec::with_capacity(t.indexes.len());
        for idx in &t.indexes {
            let c = match &mut cursors[idx.file] {
                Some(c) => c,
                slot @ None => {
                    // Data before the first index of a file belongs to no
                    // track.
                    if idx.frames > 0 {
                        return Err(at(
                            idx.pos,
                            format!(
                                "the first index of {} is at {}, so the data before it belongs to no track; start the file at 00:00:00",
                                sheet.files[idx.file].name.value,
                                crate::image::Frames(idx.frames as u64)
                            ),
                        ));
                    }
                    slot.insert(Cursor {
                        frames: 0,
                        bytes: 0,
                        stride,
                    })
                }
            };
            // The parser keeps a file's indexes in order; a sheet built
            // otherwise is refused rather than wrapped.
            let step = idx.frames.checked_sub(c.frames).ok_or_else(|| {
                at(
                    idx.pos,
                    format!(
                        "index at {} is before the previous index of {} at {}",
                        crate::image::Frames(idx.frames.into()),
                        sheet.files[idx.file].name.value,
                        crate::image::Frames(c.frames.into())
                    ),
                )
            })?;
            let bytes = c
                .bytes
                .saturating_add(u64::from(step).saturating_mul(c.stride));
            *c = Cursor {
                frames: idx.frames,
                bytes,
                stride,
            };
            track_offsets.push(bytes);
        }
        offsets.push(track_offsets);
    }

    for (j, ((_, t), offs)) in tracks.iter().zip(&offsets).enumerate() {
        let (ty, rw) = track_type(t.mode);
        let stride = ty.input_len() as u64 + if rw { 96 } else { 0 };
        let file_of = |k: usize| sheet.files[k].name.value.clone();
        let pos_of = |n: u8| t.indexes.iter().position(|x| x.number == n);
        let Some(i1) = pos_of(1) else {
            return Err(at(t.pos, format!("track {} has no INDEX 01", t.number)));
        };
        let index1 = t.indexes[i1];
        let f1 = index1.file;
        let start = offs[i1];

        // The data runs to the next track's first index in the same file,
        // or to the end of the file.
        let next_first = tracks
            .get(j + 1)
            .and_then(|(_, n)| n.indexes.first())
            .copied();
        let (end, to_eof) = match next_first {
            Some(n) if n.file == f1 => (offsets[j + 1][0], false),
            _ => (lens[f1], true),
        };
        let data_sectors = whole_sectors(
            end.saturating_sub(start),
            stride,
            ty,
            to_eof,
            &file_of(f1),
            index1.pos,
            &mut warnings,
        )?;
        let mut spec = TrackSpec::new(
            ty,
            SourceSpan {
                source: f1,
                offset: start,
                sectors: data_sectors,
            },
        );
        spec.rw_in_source = rw;

        // Pregap: generated (PREGAP; on track 1 the 150 sectors before
        // LBA 0 come first, and PREGAP is what follows them, as cdrdao and
        // the rippers that write it read it), then the INDEX 00 data.
        let mut gap = Gap::generated(match j {
            0 => FIRST_PREGAP.saturating_add(t.pregap.unwrap_or(0)),
            _ => t.pregap.unwrap_or(0),
        });
        if let Some(i0) = pos_of(0) {
            let index0 = t.indexes[i0];
            let sectors = if index0.file == f1 {
                sectors_between(offs[i0], start, stride, index0.pos)?
            } else {
                if index1.frames != 0 {
                    return Err(at(
                        index1.pos,
                        format!(
                            "track {}'s pregap ends {} and its INDEX 01 is not at the start of {}",
                            t.number,
                            file_of(index0.file),
                            file_of(f1)
                        ),
                    ));
                }
                whole_sectors(
                    lens[index0.file].saturating_sub(offs[i0]),
                    stride,
                    ty,
                    true,
                    &file_of(index0.file),
                    index0.pos,
                    &mut warnings,
                )?
            };
            gap.source = Some(Pieces::from(SourceSpan {
                source: index0.file,
                offset: offs[i0],
                sectors,
            }));
        }
        spec.pregap = Some(gap);
        spec.postgap = Some(t.postgap.unwrap_or(0));

        for (k, idx) in t.indexes.iter().enumerate().skip(i1 + 1) {
            if idx.file != f1 {
                return Err(at(
                    idx.pos,
                    format!(
                        "INDEX {:02} of track {} is in {}, not in {} with its INDEX 01",
                        idx.number,
                        t.number,
                        file_of(idx.file),
                        file_of(f1)
                    ),
                ));
            }
            spec.indexes
                .push(sectors_between(start, offs[k], stride, idx.pos)?);
        }

        let flags = t.flags;
        spec.copy = if flags.scms {
            CopySetting::Scms
        } else if flags.dcp {
            CopySetting::Permitted
        } else {
            CopySetting::Prohibited
        };
        spec.pre_emphasis = flags.pre_emphasis;
        spec.four_channel = flags.four_channel;
        if let Some(isrc) = &t.isrc {
            if Isrc::is_zero_text(&isrc.value) {
                warnings.push(format!(
                    "{}: ISRC {} is how drives and rippers write \"no ISRC\"; track {} gets none",
                    isrc.pos, isrc.value, t.number
                ));
            } else {
                spec.isrc =
                    Some(Isrc::parse(&isrc.value).map_err(|e| at(isrc.pos, e.to_string()))?);
            }
        }
        spec.remarks = remarks(&t.rems);
        project.tracks.push(spec);
    }
    project.cdtext = cdtext_of(sheet, project.tracks.len());
    crate::disc::limits::fit_leadout_limit(&mut project);
    Ok(Imported { project, warnings })
}

/// The CD-TEXT a sheet's TITLE, PERFORMER, SONGWRITER and `REM COMPOSER`,
/// `ARRANGER`, `MESSAGE`, `GENRE`, `DISCID` lines give (block 0, English),
/// or `None` without any. The block is ISO-8859-1 when every text fits,
/// else MS-JIS when every text fits Shift_JIS; otherwise encoding reports
/// the character and where it is.
pub fn cdtext_of(sheet: &CueSheet, tracks: usize) -> Option<CdText> {
    fn rem<'a>(rems: &'a [super::Rem], key: &str) -> Option<&'a str> {
        rems.iter().find(|r| r.key == key).map(|r| r.value.as_str())
    }
    let fields = |title: &Option<super::Spanned<String>>,
                  performer: &Option<super::Spanned<String>>,
                  songwriter: &Option<super::Spanned<String>>,
                  rems: &[super::Rem]| TextFields {
        title: title.as_ref().map(|v| v.value.clone()),
        performer: performer.as_ref().map(|v| v.value.clone()),
        songwriter: songwriter.as_ref().map(|v| v.value.clone()),
        composer: rem(rems, "COMPOSER").map(str::to_string),
        arranger: rem(rems, "ARRANGER").map(str::to_string),
        message: rem(rems, "MESSAGE").map(str::to_string),
        code: None,
    };
    let mut block = TextBlock {
        disc: fields(
            &sheet.title,
            &sheet.performer,
            &sheet.songwriter,
            &sheet.rems,
        ),
        tracks: sheet
            .tracks()
            .take(tracks)
            .map(|t| fields(&t.title, &t.performer, &t.songwriter, &t.rems))
            .collect(),
        disc_id: rem(&sheet.rems, "DISCID").map(str::to_string),
        genre: rem(&sheet.rems, "GENRE").map(|g| match tables::genre_code(g) {
            Some(code) => Genre {
                code,
                text: String::new(),
            },
            None => Genre {
                code: 1,
                text: g.to_string(),
            },
        }),
        ..TextBlock::default()
    };
    while block.tracks.last().is_some_and(TextFields::is_empty) {
        block.tracks.pop();
    }
    if block.disc.is_empty()
        && block.tracks.is_empty()
        && block.disc_id.is_none()
        && block.genre.is_none()
    {
        return None;
    }
    block.fit_charset();
    Some(CdText {
        blocks: vec![block],
        toc_info: true,
    })
}

/// The remarks of `REM` lines that carry a key, in order.
fn remarks(rems: &[super::Rem]) -> Vec<Remark> {
    rems.iter()
        .filter(|r| !r.key.is_empty())
        .take(crate::disc::limits::MAX_REMARKS)
        .map(|r| Remark {
            key: r.key.clone(),
            value: r.value.clone(),
        })
        .collect()
}

/// Whole sectors from byte `from` to byte `to` of a file (`to` not
/// before `from`: the parser keeps indexes in order).
fn sectors_between(from: u64, to: u64, stride: u64, pos: Pos) -> Result<u32, ImportError> {
    to.checked_sub(from)
        .and_then(|n| u32::try_from(n / stride).ok())
        .ok_or_else(|| {
            at(
                pos,
                "this index is not after the track's previous one".to_string(),
            )
        })
}

fn at(pos: Pos, message: String) -> ImportError {
    ImportError {
        pos: Some(pos),
        file: None,
        message,
    }
}

/// Sectors in `bytes`. Audio that ends a file short of a whole sector is
/// padded with silence (and says so); anything else must be exact.
fn whole_sectors(
    bytes: u64,
    stride: u64,
    ty: SectorType,
    at_file_end: bool,
    file: &str,
    pos: Pos,
    warnings: &mut Vec<String>,
) -> Result<u32, ImportError> {
    let rest = bytes % stride;
    let whole = bytes / stride + u64::from(rest != 0);
    let sectors = u32::try_from(whole).map_err(|_| ImportError {
        pos: Some(pos),
        file: Some(file.to_string()),
        message: format!("{bytes} bytes are {whole} sectors; that does not fit on a disc"),
    })?;
    if rest == 0 {
        return Ok(sectors);
    }
    if ty.is_audio() && at_file_end {
        warnings.push(format!(
            "{file}: the last {rest} bytes do not fill a sector; padded with {} bytes of silence",
            stride - rest
        ));
        return Ok(sectors);
    }
    Err(ImportError {
        pos: Some(pos),
        file: Some(file.to_string()),
        message: format!(
            "{bytes} bytes are not a whole number of {stride}-byte sectors ({rest} left over)"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cue::parse;
    use crate::disc::Disc;
    use crate::msf::Lba;

    fn import(text: &str, lens: &[u64]) -> Result<Imported, ImportError> {
        let sheet = parse(text).unwrap();
        to_project(&sheet, &mut |k, _| Ok(lens[k]))
    }

    #[test]
    fn files_and_indexes_no_disc_holds_are_refused_never_wrapped() {
        let text = "FILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n";
        // A file of more sectors than a project can say.
        let e = import(text, &[u64::MAX - 1]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 3, column 5: a.bin: 18446744073709551614 bytes are 7843003432699640 sectors; that does not fit on a disc"
        );
        // One a project can say, which the plan refuses naming it.
        let p = import(text, &[2352 * u64::from(u32::MAX)]).unwrap().project;
        assert_eq!(
            Disc::plan(&p).unwrap_err().to_string(),
            "track 1: data of 4294967295 sectors does not fit on a disc (the lead-out would be at lba 4294967295; on the largest disc it is at lba 443100, 98:30:00)"
        );
        // A sheet whose indexes go back in a file (the parser never gives
        // one) is refused where it does.
        let mut sheet = parse(
            "FILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n    INDEX 02 00:10:00\n  TRACK 02 AUDIO\n    INDEX 01 00:20:00\n",
        )
        .unwrap();
        sheet.files[0].tracks[1].indexes[0].frames = 5;
        let e = to_project(&sheet, &mut |_, _| Ok(2352 * 3000)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 6, column 5: index at 00:00:05 is before the previous index of a.bin at 00:10:00"
        );
    }

    #[test]
    fn a_disc_past_88_29_74_gets_the_media_that_hold_it() {
        let text = "FILE \"a.bin\" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n";
        let p = import(text, &[2352 * 400_000]).unwrap().project;
        assert_eq!(p.leadout_limit, crate::disc::LeadoutLimit::Minutes90);
        assert_eq!(Disc::plan(&p).unwrap().leadout(), Lba(400_000));
        let p = import(text, &[2352 * 420_000]).unwrap().project;
        assert_eq!(p.leadout_limit, crate::disc::LeadoutLimit::Minutes99);
        let p = import(text, &[2352 * 300_000]).unwrap().project;
        assert_eq!(p.leadout_limit, crate::disc::LeadoutLimit::Imapi);
        // No media holds it: the plan says why.
        let p = import(text, &[2352 * 443_200]).unwrap().project;
        assert_eq!(
            Disc::plan(&p).unwrap_err().to_string(),
            "the disc runs to lba 449949, past 99:59:74"
        );
    }

    #[test]
    fn mixed_mode_single_bin() {
        let text = "CATALOG 0036000291452\nFILE \"disc.bin\" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    FLAGS DCP PRE\n    ISRC US-K7Y-98-12345\n    INDEX 00 05:00:00\n    INDEX 01 05:02:00\n    INDEX 02 06:00:00\n    POSTGAP 00:01:00\n";
        // 5 min of data, 2 s pregap, 3 min of audio.
        let len = (22_500 + 150 + 13_500) * 2352;
        let p = import(text, &[len]).unwrap().project;
        assert_eq!(p.mcn.unwrap().to_string(), "0036000291452");
        assert_eq!(p.tracks.len(), 2);
        let t1 = &p.tracks[0];
        assert_eq!(t1.sector_type, SectorType::Mode1Raw);
        assert_eq!(
            t1.data.single().unwrap(),
            SourceSpan {
                source: 0,
                offset: 0,
                sectors: 22_500
            }
        );
        assert_eq!(t1.pregap, Some(Gap::generated(150)));
        assert_eq!(t1.postgap, Some(0));
        let t2 = &p.tracks[1];
        assert_eq!(
            t2.pregap,
            Some(Gap::sourced(SourceSpan {
                source: 0,
                offset: 22_500 * 2352,
                sectors: 150
            }))
        );
        assert_eq!(
            t2.data.single().unwrap(),
            SourceSpan {
                source: 0,
                offset: 22_650 * 2352,
                sectors: 13_500
            }
        );
        assert_eq!(t2.indexes, vec![(6 * 60 - 5 * 60 - 2) * 75]);
        assert_eq!(t2.copy, CopySetting::Permitted);
        assert!(t2.pre_emphasis);
        assert_eq!(t2.isrc.unwrap().as_str(), "USK7Y9812345");
        assert_eq!(t2.postgap, Some(75));
        let d = Disc::plan(&p).unwrap();
        // Honoured as written: the data track has no postgap (a warning).
        assert_eq!(d.tracks()[1].pregap_start, Lba(22_500));
        assert_eq!(d.tracks()[1].start, Lba(22_650));
        assert_eq!(d.leadout(), Lba(22_650 + 13_500 + 75));
        assert_eq!(d.warnings().len(), 1);
    }

    #[test]
    fn multi_file_wave_with_pregaps_at_file_ends() {
        let text = "FILE \"1.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 00 00:10:00\nFILE \"2.wav\" WAVE\n    INDEX 01 00:00:00\n";
        // File 1: 10 s of track 1 and a 2 s pregap, the last sector short.
        let len1 = (900 - 1) * 2352 + 1000;
        let imported = import(text, &[len1, 600 * 2352]).unwrap();
        let p = imported.project;
        assert_eq!(p.sources[0].format, crate::disc::SourceFormat::Audio);
        assert_eq!(p.tracks[0].data.sectors(), 750);
        assert_eq!(
            p.tracks[1].pregap,
            Some(Gap::sourced(SourceSpan {
                source: 0,
                offset: 750 * 2352,
                sectors: 150
            }))
        );
        assert_eq!(
            p.tracks[1].data.single().unwrap(),
            SourceSpan {
                source: 1,
                offset: 0,
                sectors: 600
            }
        );
        assert_eq!(imported.warnings, vec!["1.wav: the last 1000 bytes do not fill a sector; padded with 1352 bytes of silence".to_string()]);
        let d = Disc::plan(&p).unwrap();
        assert_eq!(
            (d.tracks()[1].pregap_start, d.tracks()[1].start),
            (Lba(750), Lba(900))
        );
    }

    #[test]
    fn mixed_sector_sizes_in_one_file() {
        let text = "FILE \"x.bin\" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 01 00:10:00\n";
        let p = import(text, &[750 * 2048 + 300 * 2352]).unwrap().project;
        assert_eq!(
            p.tracks[0].data.single().unwrap(),
            SourceSpan {
                source: 0,
                offset: 0,
                sectors: 750
            }
        );
        assert_eq!(
            p.tracks[1].data.single().unwrap(),
            SourceSpan {
                source: 0,
                offset: 750 * 2048,
                sectors: 300
            }
        );
        assert_eq!(p.tracks[1].pregap, Some(Gap::generated(0)));
    }

    #[test]
    fn hidden_track_one_audio() {
        let text = "FILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n    INDEX 00 00:00:00\n    INDEX 01 00:32:10\n";
        let p = import(text, &[(2410 + 1000) * 2352]).unwrap().project;
        assert_eq!(
            p.tracks[0].pregap,
            Some(Gap {
                generated: 150,
                source: Some(Pieces::from(SourceSpan {
                    source: 0,
                    offset: 0,
                    sectors: 2410
                }))
            })
        );
        let d = Disc::plan(&p).unwrap();
        // File positions are LBAs: track 1 starts at LBA 2410.
        assert_eq!(d.tracks()[0].start, Lba(2410));
    }

    #[test]
    fn pregap_on_track_one_follows_the_150_sectors_before_lba_0() {
        // As EAC and whipper write a silent stretch before track 1, and as
        // cdrdao reads it (`cdrdao show-toc`: START 00:32:10, 2410).
        let p = import(
            "FILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n    PREGAP 00:32:10\n    INDEX 01 00:00:00\n",
            &[1000 * 2352],
        )
        .unwrap()
        .project;
        assert_eq!(p.tracks[0].pregap, Some(Gap::generated(150 + 2410)));
        let d = Disc::plan(&p).unwrap();
        assert_eq!((d.tracks()[0].start, d.leadout()), (Lba(2410), Lba(3410)));
        // A short one (cdrdao: START 32; track 2 at 557, its end 1182).
        let p = import(
            "FILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n    PREGAP 00:00:32\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    PREGAP 00:02:00\n    INDEX 01 00:05:00\n",
            &[1000 * 2352],
        )
        .unwrap()
        .project;
        let d = Disc::plan(&p).unwrap();
        let t = d.tracks();
        assert_eq!((t[0].start, t[1].pregap_start), (Lba(32), Lba(407)));
        assert_eq!((t[1].start, d.leadout()), (Lba(557), Lba(1182)));
    }

    #[test]
    fn what_drives_and_rippers_write_for_nothing_is_nothing() {
        let imported = import(
            "CATALOG 0000000000000\nFILE a.bin BINARY\nTRACK 01 AUDIO\nISRC 000000000000\nINDEX 01 00:00:00\n",
            &[2352 * 300],
        )
        .unwrap();
        assert_eq!(imported.project.mcn, None);
        assert_eq!(imported.project.tracks[0].isrc, None);
        assert_eq!(
            imported.warnings,
            [
                "line 1, column 9: CATALOG 0000000000000 is how rippers write \"no catalog number\"; the disc gets none",
                "line 4, column 6: ISRC 000000000000 is how drives and rippers write \"no ISRC\"; track 1 gets none"
            ]
        );
    }

    #[test]
    fn a_wrong_catalog_check_digit_is_kept_with_a_warning() {
        let p = import(
            "CATALOG 1234567890123\nFILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n",
            &[2352 * 300],
        )
        .unwrap()
        .project;
        assert_eq!(p.mcn.unwrap().to_string(), "1234567890123");
        let d = Disc::plan(&p).unwrap();
        assert_eq!(
            d.warnings()[0].to_string(),
            "media catalog number `1234567890123` has check digit 3, expected 8 (EAN-13); kept as given, as players and drives do not check it"
        );
        // The project JSON keeps it too.
        let back = Project::from_json(&p.to_json().unwrap()).unwrap();
        assert_eq!(back.mcn, p.mcn);
    }

    #[test]
    fn short_tracks_are_laid_out_with_a_warning() {
        let p = import(
            "FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nTRACK 02 AUDIO\nINDEX 01 00:01:00\n",
            &[2352 * 400],
        )
        .unwrap()
        .project;
        let d = Disc::plan(&p).unwrap();
        assert_eq!(d.tracks()[0].length(), 75);
        assert_eq!(
            d.warnings()[0].to_string(),
            "track 1: 75 sectors long; the Red Book asks for at least 300 (4 seconds)"
        );
        // IMAPI2's editing API keeps its rule.
        let mut creator = crate::disc::ImageCreator::from_project(p);
        let e = creator
            .add_track(
                SectorType::Audio,
                SourceSpan {
                    source: 0,
                    offset: 0,
                    sectors: 299,
                },
            )
            .unwrap_err();
        assert_eq!(
            e,
            crate::disc::DiscError::TrackTooShort {
                track: 3,
                sectors: 299
            }
        );
    }

    #[test]
    fn remarks_are_kept_and_written_back() {
        let text = "REM GENRE Rock\nREM DATE 1997\nREM REPLAYGAIN_ALBUM_GAIN -6.20 dB\nREM COMMENT \"ExactAudioCopy v1.6\"\nFILE a.bin BINARY\nTRACK 01 AUDIO\nREM REPLAYGAIN_TRACK_GAIN -5.1 dB\nINDEX 01 00:00:00\n";
        let p = import(text, &[2352 * 300]).unwrap().project;
        let pairs = |r: &[Remark]| -> Vec<(String, String)> {
            r.iter().map(|r| (r.key.clone(), r.value.clone())).collect()
        };
        assert_eq!(
            pairs(&p.remarks),
            [
                ("GENRE".into(), "Rock".into()),
                ("DATE".into(), "1997".into()),
                ("REPLAYGAIN_ALBUM_GAIN".into(), "-6.20 dB".into()),
                ("COMMENT".into(), "ExactAudioCopy v1.6".into())
            ]
        );
        assert_eq!(
            pairs(&p.tracks[0].remarks),
            [("REPLAYGAIN_TRACK_GAIN".into(), "-5.1 dB".into())]
        );
        let back = Project::from_json(&p.to_json().unwrap()).unwrap();
        assert_eq!(back, p);
        let files = crate::image::image_files(
            &Disc::plan(&p).unwrap(),
            crate::image::ImageFormat::BinCue,
            "x",
        )
        .unwrap();
        let cue = &files.texts[0].content;
        // GENRE goes with the CD-TEXT lines (as the genre table names
        // it), the rest as remarks.
        assert!(cue.starts_with("CDTEXTFILE \"x.cdt\"\nREM GENRE \"Rock Music\"\nREM DATE 1997\nREM REPLAYGAIN_ALBUM_GAIN -6.20 dB\nREM COMMENT ExactAudioCopy v1.6\nFILE \"x.bin\" BINARY\n  TRACK 01 AUDIO\n    REM REPLAYGAIN_TRACK_GAIN -5.1 dB\n"), "{cue}");
    }

    #[test]
    fn refusals_name_the_place() {
        let e = import(
            "FILE a.wav WAVE\nTRACK 01 MODE1/2352\nINDEX 01 00:00:00\n",
            &[2352 * 300],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2, column 1: track 1 is MODE1/2352; a WAVE file holds audio only"
        );
        let e = import(
            "FILE a.bin BINARY\nTRACK 01 MODE1/2352\nINDEX 01 00:00:00\n",
            &[2352 * 300 + 5],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 3, column 1: a.bin: 705605 bytes are not a whole number of 2352-byte sectors (5 left over)"
        );
        let e = import(
            "CATALOG 12345678901\nFILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n",
            &[2352 * 300],
        )
        .unwrap_err();
        assert_eq!(e.pos, Some(Pos::new(1, 9)));
        assert!(e.message.contains("must be 13 digits"), "{e}");
        let e = import(
            "FILE a.bin BINARY\nTRACK 01 AUDIO\nISRC USK7Y98\nINDEX 01 00:00:00\n",
            &[2352 * 300],
        )
        .unwrap_err();
        assert_eq!(e.pos, Some(Pos::new(3, 6)));
        let e = import(
            "FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:02:00\n",
            &[2352 * 300],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 3, column 1: the first index of a.bin is at 00:02:00, so the data before it belongs to no track; start the file at 00:00:00"
        );
        let sheet = parse("FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n").unwrap();
        let e = to_project(&sheet, &mut |_, _| Err("no such file".into())).unwrap_err();
        assert_eq!(e.to_string(), "line 1, column 6: a.bin: no such file");
    }
}
