//! CloneCD images: the control file (`.ccd`), 2352-byte sectors from LBA 0
//! (`.img`) and 96 bytes of linear P-W per sector (`.sub`).
//!
//! Read: `[CloneCD]`; `[Disc]` (`Sessions`, `DataTracksScrambled`,
//! `CATALOG`; `TocEntries` and `CDTextLength` follow from the rest);
//! `[Entry N]` (the full TOC: `Point`, `ADR`, `Control`, `PLBA` or
//! `PMin`/`PSec`/`PFrame`; A0 gives the first track and the disc type, A2
//! the lead-out, points 1–99 each track's start and control nibble: data or
//! audio, copy, pre-emphasis, four channels); `[TRACK N]` (`MODE`,
//! `INDEX n=LBA`, `ISRC`, `FLAGS`); `[CDText]` (`Entry n=` packs of 16 bytes,
//! or 18 with their CRC). Keys are read in any case.
//!
//! Each track runs from its `INDEX 0` (track 1: from LBA 0) to the next
//! track's first index or the lead-out. Sectors come from the `.img` as raw
//! sectors; the mode of a data track is the one its sectors' headers give
//! (`MODE` when they agree). The `.sub` gives R-W subcode: a track with any
//! non-zero R-W keeps its R-W (CD+G); P and Q are generated again. A track
//! whose Q marks the copy bit the TOC leaves clear is SCMS. Without a
//! readable `.sub`, neither is read (and a warning says so).
//!
//! Refused: several sessions, scrambled data tracks, a lead-out beyond the
//! `.img`.

mod parse;
#[cfg(test)]
mod tests;

use self::parse::Section;
use super::tracks::{self, Piece, RawTrack};
use super::{ImageSources, Imported, Pos, ReadError};
use crate::cdtext::{CdText, Pack, pack::PACK_SIZE};
use crate::disc::sessions::{MultiProject, SessionProject};
use crate::disc::{CopySetting, Disc, DiscType, Isrc, Mcn, Project, Source, SourcePos};
use crate::msf::Msf;
use crate::sector::{SECTOR_SIZE, SYNC, SectorType};
use crate::subchannel::PW_SIZE;

/// Position of the `.img` in [`CcdFile::sources`].
const IMG: usize = 0;
/// Position of the `.sub`.
const SUB: usize = 1;
/// Records of the `.sub` read at once while looking for R-W.
const SUB_CHUNK: u64 = 2048;
/// Sectors whose Q is read to find SCMS (it alternates every 4 sectors).
const SCMS_SAMPLE: u32 = 8;

/// A parsed CloneCD control file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CcdFile {
    sections: Vec<Section>,
    sources: Vec<Source>,
}

impl CcdFile {
    /// The image's data files: `{stem}.img`, then `{stem}.sub`.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    fn numbered(&self, name: &'static str) -> impl Iterator<Item = &Section> + '_ {
        self.sections.iter().filter(move |s| s.name == name)
    }
}

/// Parses a control file whose image files are `{stem}.img` and
/// `{stem}.sub` (a file name without extension, relative to the control
/// file).
///
/// ## Errors
///
/// [`ReadError`] naming the line and column of a line that is not part of
/// an INI file, or at 1:1 when there is no `[CloneCD]` section.
pub fn parse(text: &str, stem: &str) -> Result<CcdFile, ReadError> {
    let sections = parse::sections(text)?;
    if !sections.iter().any(|s| s.name == "CLONECD") {
        return Err(ReadError::at(
            Pos::new(1, 1),
            "not a CloneCD control file: it has no [CloneCD] section",
        ));
    }
    Ok(CcdFile {
        sections,
        sources: vec![
            Source {
                path: format!("{stem}.img"),
                format: crate::disc::SourceFormat::Binary,
                join: Vec::new(),
            },
            Source {
                path: format!("{stem}.sub"),
                format: crate::disc::SourceFormat::Binary,
                join: Vec::new(),
            },
        ],
    })
}

/// One TOC entry.
#[derive(Debug, Clone, Copy)]
struct TocEntry {
    pos: Pos,
    point: u8,
    control: u8,
    /// PMin, PSec, PFrame.
    p: [u8; 3],
    /// PLBA, or the LBA of PMin/PSec/PFrame.
    plba: i32,
}

/// Lays out a parsed control file as a project. `files` gives the `.img`
/// and `.sub` ([`CcdFile::sources`]): their lengths, the sector headers of
/// data tracks, the Q and R-W of the subchannel.
///
/// ## Errors
///
/// [`ReadError`] naming the line and column (or the file) of the first
/// thing that cannot be laid out exactly as written.
pub fn to_project(ccd: &CcdFile, files: &mut dyn ImageSources) -> Result<Imported, ReadError> {
    let mut warnings = Vec::new();
    if let Some(d) = ccd.section("DISC") {
        if let Some((pos, n)) = d.number("SESSIONS")?
            && n != 1
        {
            return Err(ReadError::at(
                pos,
                format!("the image has {n} sessions; read it as a disc of several sessions"),
            ));
        }
        refuse_scrambled(d)?;
    }
    let entries = toc_entries(ccd)?;
    let project = lay_out(ccd, files, &entries, Window::WHOLE, &mut warnings)?;
    Ok(Imported { project, warnings })
}

/// A disc of several sessions read from a control file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedSessions {
    /// The sessions, each laid out from LBA 0 with its start on the disc.
    pub project: MultiProject,
    /// What the projects could not hold, or what was adjusted.
    pub warnings: Vec<String>,
}

/// The number of sessions the control file's TOC lists (at least 1).
///
/// ## Errors
///
/// [`ReadError`] naming an `[Entry]` whose numbers cannot be read.
pub fn session_count(ccd: &CcdFile) -> Result<u32, ReadError> {
    Ok(toc_entries_by_session(ccd)?
        .iter()
        .map(|(s, _)| *s)
        .max()
        .unwrap_or(1))
}

/// Lays out a control file of one or more sessions, each session as a
/// project planned from LBA 0 with the LBA of its first track's index 1.
///
/// How the `.img` holds several sessions, as CloneCD images are read and
/// written elsewhere: the tracks lie back to back, so the sectors of
/// session 1 run from LBA 0 up to its lead-out and the next session's
/// sectors follow at once, from its first track's index 1 up to its own
/// lead-out. The lead-out and lead-in between them and the 150-sector
/// pregap of a later session's first track are not stored (libmirage's
/// CCD parser ends the last fragment of a session at the session's A2
/// point and starts the next session at the following record of the
/// `.img`; Aaru's CloneCD writer lays tracks out contiguously and drops
/// those 150 pregap sectors). `[TRACK n]` `INDEX` values are LBAs on the
/// disc, as the TOC's points are; a session whose first `INDEX 1` is its
/// record in the `.img` instead is read that way (libmirage treats index
/// values as counted within the session).
///
/// ## Errors
///
/// As [`to_project`], and for sessions numbered out of turn.
pub fn to_sessions(
    ccd: &CcdFile,
    files: &mut dyn ImageSources,
) -> Result<ImportedSessions, ReadError> {
    let mut warnings = Vec::new();
    let disc_section = ccd.section("DISC");
    if let Some(d) = disc_section {
        refuse_scrambled(d)?;
    }
    let all = toc_entries_by_session(ccd)?;
    let mut numbers: Vec<u32> = all.iter().map(|(s, _)| *s).collect();
    numbers.sort_unstable();
    numbers.dedup();
    for (k, &n) in numbers.iter().enumerate() {
        if n != k as u32 + 1 {
            let pos = all
                .iter()
                .find(|(s, _)| *s == n)
                .map_or(Pos::new(1, 1), |(_, e)| e.pos);
            return Err(ReadError::at(
                pos,
                format!(
                    "the TOC lists session {n} after session {k}; sessions are numbered from 1 in turn"
                ),
            ));
        }
    }
    if let Some((pos, n)) = disc_section
        .map(|d| d.number("SESSIONS"))
        .transpose()?
        .flatten()
        && n != numbers.len() as i64
    {
        warnings.push(format!(
            "{pos}: Sessions={n}, but the TOC lists {} sessions",
            numbers.len()
        ));
    }
    let mut sessions = Vec::new();
    let mut img: u64 = 0;
    for &n in &numbers {
        let entries: Vec<TocEntry> = all
            .iter()
            .filter(|(s, _)| *s == n)
            .map(|(_, e)| *e)
            .collect();
        let base = if n == 1 {
            0
        } else {
            entries
                .iter()
                .filter(|e| (1..=99).contains(&e.point))
                .min_by_key(|e| e.point)
                .map_or(0, |e| e.plba)
        };
        let window = Window {
            base,
            img,
            index_origin: index_origin(ccd, &entries, base, img),
            last: Some(&n) == numbers.last(),
        };
        let project = lay_out(ccd, files, &entries, window, &mut warnings)?;
        let leadout = entries
            .iter()
            .find(|e| e.point == 0xa2)
            .map_or(0, |e| e.plba);
        img += u64::try_from(leadout - base).unwrap_or(0);
        sessions.push(SessionProject {
            start: crate::msf::Lba(base),
            project,
        });
    }
    Ok(ImportedSessions {
        project: MultiProject { sessions },
        warnings,
    })
}

/// Where a session's sectors lie: its LBAs are counted from `base` (its
/// first track's index 1; 0 for session 1), and the sector at `base` is
/// record `img` of the `.img` and `.sub`.
#[derive(Debug, Clone, Copy)]
struct Window {
    base: i32,
    img: u64,
    /// What `[TRACK n]` `INDEX` values count from: `base` when they are
    /// LBAs on the disc, `img` when they are records of the `.img`.
    index_origin: i32,
    /// The disc's last session, after which the `.img` should end.
    last: bool,
}

impl Window {
    const WHOLE: Window = Window {
        base: 0,
        img: 0,
        index_origin: 0,
        last: true,
    };

    /// The record of the `.img` (and `.sub`) holding the session's sector
    /// `lba` (counted from `base`; sectors before it are not stored).
    fn record(&self, lba: i32) -> u64 {
        self.img + u64::try_from(lba).unwrap_or(0)
    }

    /// Where that record starts in the `.img`.
    fn offset(&self, lba: i32) -> u64 {
        self.record(lba) * SECTOR_SIZE as u64
    }
}

/// What a later session's `INDEX` values count from: the disc's LBAs,
/// unless its first track's `INDEX 1` is its record in the `.img`.
fn index_origin(ccd: &CcdFile, entries: &[TocEntry], base: i32, img: u64) -> i32 {
    let Ok(img) = i32::try_from(img) else {
        return base;
    };
    let Some(first) = entries
        .iter()
        .filter(|e| (1..=99).contains(&e.point))
        .min_by_key(|e| e.point)
    else {
        return base;
    };
    let index1 = ccd
        .numbered("TRACK")
        .find(|s| s.number == Some(first.point as u32))
        .and_then(|s| s.get("INDEX 1"))
        .and_then(|e| parse::number(&e.value));
    match index1 {
        Some(v) if v == i64::from(img) && v != i64::from(base) => img,
        _ => base,
    }
}

fn refuse_scrambled(d: &Section) -> Result<(), ReadError> {
    if let Some((pos, n)) = d.number("DATATRACKSSCRAMBLED")?
        && n != 0
    {
        return Err(ReadError::at(
            pos,
            "the image's data tracks are scrambled (DataTracksScrambled); rawburn reads unscrambled images",
        ));
    }
    Ok(())
}

/// Lays out the session of `entries` (its TOC entries with ADR 1) as a
/// project from LBA 0.
fn lay_out(
    ccd: &CcdFile,
    files: &mut dyn ImageSources,
    entries: &[TocEntry],
    win: Window,
    warnings: &mut Vec<String>,
) -> Result<Project, ReadError> {
    let img_name = ccd.sources[IMG].path.clone();
    let sub_name = ccd.sources[SUB].path.clone();
    let first_session = win.base == 0;
    let disc_section = ccd.section("DISC");

    let find = |point: u8| entries.iter().find(|e| e.point == point);
    let Some(a0) = find(0xa0) else {
        return Err(ReadError::at(
            Pos::new(1, 1),
            "the TOC has no A0 entry (first track and disc type)",
        ));
    };
    let Some(a2) = find(0xa2) else {
        return Err(ReadError::at(
            Pos::new(1, 1),
            "the TOC has no A2 entry (the lead-out)",
        ));
    };
    if a2.plba > crate::disc::LARGEST_LEADOUT.get() {
        return Err(ReadError::at(
            a2.pos,
            format!(
                "the lead-out at lba {} does not fit on a disc; on the largest disc it is at lba {}",
                a2.plba,
                crate::disc::LARGEST_LEADOUT
            ),
        ));
    }
    // From here on, LBAs count from the session's start.
    let leadout = a2.plba - win.base;
    let mut points: Vec<TocEntry> = entries
        .iter()
        .filter(|e| (1..=99).contains(&e.point))
        .map(|e| TocEntry {
            plba: e.plba - win.base,
            ..*e
        })
        .collect();
    points.sort_by_key(|e| e.point);
    points.dedup_by_key(|e| e.point);
    let Some(first) = points.first() else {
        return Err(ReadError::at(a0.pos, "the TOC lists no tracks"));
    };
    if a0.p[0] != first.point {
        warnings.push(format!(
            "{}: A0 gives {} as the first track, the TOC's first track is {}",
            a0.pos, a0.p[0], first.point
        ));
    }
    for w in points.windows(2) {
        if w[1].point != w[0].point + 1 {
            return Err(ReadError::at(
                w[1].pos,
                format!("track {} does not follow track {}", w[1].point, w[0].point),
            ));
        }
    }

    let mut project = Project {
        sources: ccd.sources.clone(),
        first_track: first.point,
        disc_type: Some(match a0.p[1] {
            0x10 => DiscType::CdI,
            0x20 => DiscType::CdRomXa,
            _ => DiscType::CdDaOrCdRom,
        }),
        ..Project::default()
    };
    if let Some(e) = disc_section
        .and_then(|d| d.get("CATALOG"))
        .filter(|_| first_session)
        && !e.value.is_empty()
    {
        let mcn = Mcn::parse_any_check_digit(&e.value)
            .map_err(|err| ReadError::at(e.pos, err.to_string()))?;
        if mcn.is_zero() {
            warnings.push(format!(
                "{}: CATALOG={} is how drives and rippers write \"no catalog number\"; the disc gets none",
                e.pos, e.value
            ));
        } else {
            project.mcn = Some(mcn);
        }
    }

    // The image files.
    let img_len = files
        .data_len(IMG)
        .map_err(|e| ReadError::unreadable(None, &img_name, e))?;
    let img_sectors = img_len / SECTOR_SIZE as u64;
    let stored_end = win.record(leadout);
    if leadout < 0 || img_sectors < stored_end {
        return Err(ReadError::file(
            Some(a2.pos),
            &img_name,
            format!(
                "holds {img_sectors} sectors, but the lead-out is at lba {}",
                a2.plba
            ),
        ));
    }
    if win.last && img_len > stored_end * SECTOR_SIZE as u64 {
        warnings.push(format!(
            "{img_name}: the {} bytes after the lead-out (lba {}) are not used",
            img_len - stored_end * SECTOR_SIZE as u64,
            a2.plba
        ));
    }
    let sub_ok = match files.data_len(SUB) {
        Ok(n) if n >= stored_end * PW_SIZE as u64 => true,
        Ok(n) => {
            warnings.push(format!(
                "{sub_name}: holds {} sectors of subchannel, the disc {leadout}; its R-W subcode and SCMS are not read",
                n / PW_SIZE as u64
            ));
            false
        }
        Err(e) => {
            warnings.push(format!(
                "{sub_name}: {e}; R-W subcode and SCMS are not read"
            ));
            false
        }
    };

    // Each track: where it starts in the image, where index 1 is, its
    // other index points.
    struct Layout<'a> {
        entry: TocEntry,
        section: Option<&'a Section>,
        first: i32,
        index1: i32,
        indexes: Vec<(Pos, i32)>,
    }
    let mut layouts: Vec<Layout<'_>> = Vec::new();
    for (k, e) in points.iter().enumerate() {
        let section = ccd
            .numbered("TRACK")
            .find(|s| s.number == Some(e.point as u32));
        let mut index: Vec<(u32, Pos, i32)> = Vec::new();
        if let Some(s) = section {
            for entry in &s.entries {
                if let Some(n) = entry.key.strip_prefix("INDEX") {
                    let n: u32 = n.trim().parse().map_err(|_| {
                        ReadError::at(entry.pos, format!("{} is not an index number", entry.key))
                    })?;
                    let lba = parse::number(&entry.value).ok_or_else(|| {
                        ReadError::at(
                            entry.pos,
                            format!("{} is \"{}\", not an lba", entry.key, entry.value),
                        )
                    })?;
                    index.push((
                        n,
                        entry.pos,
                        on_disc(lba - i64::from(win.index_origin), leadout, entry.pos)?,
                    ));
                }
            }
        }
        index.sort_by_key(|i| i.0);
        let index1 = match index.iter().find(|i| i.0 == 1) {
            Some(&(_, pos, lba)) => {
                if lba != e.plba {
                    warnings.push(format!(
                        "{pos}: track {} has INDEX 1 at lba {lba}, its TOC entry at lba {}; INDEX 1 is used",
                        e.point, e.plba
                    ));
                }
                lba
            }
            None => on_disc(e.plba.into(), leadout, e.pos)?,
        };
        let first = match index.iter().find(|i| i.0 == 0) {
            Some(&(_, pos, lba)) if k == 0 && lba > 0 => {
                return Err(ReadError::at(
                    pos,
                    format!(
                        "the sectors before track {}'s INDEX 0 at lba {lba} belong to no track",
                        e.point
                    ),
                ));
            }
            // Track 1's pregap before LBA 0 is implied; the image starts
            // there.
            Some(&(_, _, lba)) if k == 0 => lba.max(0),
            Some(&(_, _, lba)) => lba,
            None if k == 0 => 0,
            None => index1,
        };
        let indexes = index
            .iter()
            .filter(|i| i.0 >= 2)
            .map(|&(_, pos, lba)| (pos, lba))
            .collect();
        layouts.push(Layout {
            entry: *e,
            section,
            first,
            index1,
            indexes,
        });
    }

    let names: Vec<String> = project.sources.iter().map(|s| s.path.clone()).collect();
    let mut classify = Vec::new();
    for k in 0..layouts.len() {
        let l = &layouts[k];
        let end = layouts.get(k + 1).map_or(leadout, |n| n.first);
        let number = l.entry.point;
        let at = l.section.map_or(l.entry.pos, |s| s.pos);
        if !(l.first <= l.index1 && l.index1 < end) {
            return Err(ReadError::at(
                at,
                format!(
                    "track {number} starts at lba {} with index 1 at {} and ends at {end}; these must increase",
                    l.first, l.index1
                ),
            ));
        }
        let control = l.entry.control;
        let audio = control & 0x4 == 0;
        let mode_entry = l.section.and_then(|s| s.get("MODE"));
        let written_mode = l
            .section
            .map(|s| s.number("MODE"))
            .transpose()?
            .flatten()
            .map(|(_, m)| m);
        let ty = if audio {
            if let (Some(m), Some(e)) = (written_mode, mode_entry)
                && m != 0
            {
                warnings.push(format!(
                    "{}: track {number} is MODE={m}, but its TOC entry marks it audio (control {control:#x}); read as audio",
                    e.pos
                ));
            }
            SectorType::Audio
        } else {
            let header = header_mode(files, win.offset(l.index1), &img_name)?;
            let mode = match (header, written_mode) {
                (Some(h), Some(m)) if i64::from(h) != m => {
                    warnings.push(format!(
                        "{}: track {number} is MODE={m}, but its sectors are mode {h}; read as mode {h}",
                        mode_entry.map_or(at, |e| e.pos)
                    ));
                    i64::from(h)
                }
                (Some(h), _) => i64::from(h),
                (None, Some(m)) => m,
                (None, None) => {
                    return Err(ReadError::at(
                        at,
                        format!(
                            "track {number} is data, but neither MODE nor its first sector says which mode"
                        ),
                    ));
                }
            };
            match mode {
                0 => SectorType::Mode0,
                1 => SectorType::Mode1Raw,
                2 => SectorType::Mode2Raw,
                m => {
                    return Err(ReadError::at(
                        mode_entry.map_or(at, |e| e.pos),
                        format!("track {number} is mode {m}; a data track is mode 0, 1 or 2"),
                    ));
                }
            }
        };
        let mut raw = RawTrack::new(at, number, ty);
        raw.classify = ty == SectorType::Mode2Raw;
        // Both on the disc and in order, as checked above.
        let sectors = u32::try_from(end - l.first).unwrap_or(0);
        raw.pieces = if ty == SectorType::Mode0 {
            // Mode 0 holds zeros only: the plan generates them.
            vec![Piece::Zero(sectors)]
        } else {
            vec![Piece::Source {
                source: IMG,
                offset: win.offset(l.first),
                sectors,
            }]
        };
        raw.pregap = u32::try_from(l.index1 - l.first).unwrap_or(0);
        // An index before index 1 becomes offset 0, which `assemble`
        // refuses naming it.
        raw.indexes = l
            .indexes
            .iter()
            .map(|&(pos, lba)| (pos, u32::try_from(lba - l.index1).unwrap_or(0)))
            .collect();
        raw.copy = if control & 0x2 != 0 {
            CopySetting::Permitted
        } else {
            CopySetting::Prohibited
        };
        if audio {
            raw.pre_emphasis = control & 0x1 != 0;
            raw.four_channel = control & 0x8 != 0;
        }
        if let Some(e) = l.section.and_then(|s| s.get("ISRC"))
            && !e.value.is_empty()
        {
            if Isrc::is_zero_text(&e.value) {
                warnings.push(format!(
                    "{}: ISRC={} is how drives and rippers write \"no ISRC\"; the track gets none",
                    e.pos, e.value
                ));
            } else {
                raw.isrc = Some(
                    Isrc::parse(&e.value).map_err(|err| ReadError::at(e.pos, err.to_string()))?,
                );
            }
        }
        if let Some(e) = l.section.and_then(|s| s.get("FLAGS")) {
            for flag in e.value.split_whitespace() {
                match flag.to_ascii_uppercase().as_str() {
                    "DCP" => raw.copy = CopySetting::Permitted,
                    "4CH" if audio => raw.four_channel = true,
                    "PRE" if audio => raw.pre_emphasis = true,
                    "SCMS" => raw.copy = CopySetting::Scms,
                    other => warnings.push(format!("{}: flag {other} is not kept", e.pos)),
                }
            }
        }
        if sub_ok && ty != SectorType::Mode0 {
            if has_rw(files, win.record(l.first), win.record(end), &sub_name)? {
                raw.rw_sub = Some(SourcePos {
                    source: SUB,
                    offset: win.record(l.first) * PW_SIZE as u64,
                });
            }
            if raw.copy == CopySetting::Prohibited
                && scms(files, win.record(l.index1), win.record(end), &sub_name)?
            {
                raw.copy = CopySetting::Scms;
            }
        }
        classify.push(raw.classify);
        project.tracks.push(tracks::assemble(&raw, k == 0, &names)?);
    }
    if !project.tracks.iter().any(|t| t.rw_sub.is_some()) {
        project.sources.truncate(SUB);
    }

    let packs = if first_session {
        cdtext_packs(ccd, warnings)?
    } else {
        Vec::new()
    };
    if !packs.is_empty() {
        match CdText::from_packs(&packs) {
            Ok(decoded) => {
                if decoded.bad_crc > 0 {
                    warnings.push(format!(
                        "{} cd-text packs have a bad crc and are dropped",
                        decoded.bad_crc
                    ));
                }
                project.cdtext = Some(decoded.cdtext);
            }
            Err(e) => warnings.push(format!("the cd-text is not read: {e}")),
        }
    }
    crate::disc::limits::fit_leadout_limit(&mut project);
    tracks::refine(&mut project, &classify, files, crate::msf::Lba(win.base))?;
    let firsts: Vec<i32> = layouts.iter().map(|l| l.first).collect();
    mode0_default_pregaps(&mut project, &firsts, files, &img_name, win)?;
    if !packs.is_empty()
        && let Ok(disc) = Disc::plan(&project)
        && disc.cdtext_packs() != &packs[..]
    {
        warnings.push(format!(
            "the cd-text is encoded again and its packs differ from the image's ({} packs read, {} written)",
            packs.len(),
            disc.cdtext_packs().len()
        ));
    }
    Ok(project)
}

/// A Mode 0 track's pregap is generated from the image, so the default
/// mode-change pregap (75 sectors in the previous track's mode, then 150
/// of Mode 0) is found by reading its first part: when it is there, the
/// track gets no explicit pregap, which lays out the same.
fn mode0_default_pregaps(
    project: &mut Project,
    firsts: &[i32],
    files: &mut dyn ImageSources,
    name: &str,
    win: Window,
) -> Result<(), ReadError> {
    const LEAD: i32 = 75;
    for (k, &first) in firsts.iter().enumerate().skip(1) {
        let Some(prev) = project.tracks.get(k - 1).map(|t| t.sector_type) else {
            continue;
        };
        let Some(spec) = project.tracks.get(k) else {
            continue;
        };
        if spec.sector_type != SectorType::Mode0
            || prev.mode() == Some(0)
            || spec.pregap != Some(crate::disc::Gap::generated(225))
        {
            continue;
        }
        let mut all = true;
        for i in 0..LEAD {
            let lba = crate::msf::Lba(win.base + first + i);
            let mut sector = [0u8; SECTOR_SIZE];
            files
                .read(IMG, win.offset(first + i), &mut sector)
                .map_err(|e| ReadError::unreadable(None, name, e))?;
            if super::sectors::generated(prev, lba) != Some(sector) {
                all = false;
                break;
            }
        }
        if all {
            project.tracks[k].pregap = None;
        }
    }
    Ok(())
}

/// An LBA a control file gives, which must lie on the disc: from 00:00:00
/// (LBA −150) up to the lead-out.
fn on_disc(lba: i64, leadout: i32, pos: Pos) -> Result<i32, ReadError> {
    i32::try_from(lba)
        .ok()
        .filter(|l| (-150..=leadout).contains(l))
        .ok_or_else(|| {
            ReadError::at(
                pos,
                format!("lba {lba} is not on the disc, which runs from lba -150 to its lead-out at {leadout}"),
            )
        })
}

/// The TOC entries of session 1 with ADR 1.
fn toc_entries(ccd: &CcdFile) -> Result<Vec<TocEntry>, ReadError> {
    let all = toc_entries_by_session(ccd)?;
    if let Some((session, e)) = all.iter().find(|(s, _)| *s != 1) {
        return Err(ReadError::at(
            e.pos,
            format!("an entry of session {session}; read the image as a disc of several sessions"),
        ));
    }
    Ok(all.into_iter().map(|(_, e)| e).collect())
}

/// The TOC entries with ADR 1 and their session (1 when not given).
fn toc_entries_by_session(ccd: &CcdFile) -> Result<Vec<(u32, TocEntry)>, ReadError> {
    let mut out = Vec::new();
    for s in ccd.numbered("ENTRY") {
        let get = |key: &str| s.number(key);
        let session = match get("SESSION")? {
            None => 1,
            Some((pos, n)) => u32::try_from(n)
                .ok()
                .filter(|n| (1..=99).contains(n))
                .ok_or_else(|| ReadError::at(pos, format!("session {n} is not 1 to 99")))?,
        };
        if get("ADR")?.is_some_and(|(_, adr)| adr != 1) {
            continue;
        }
        let Some((pos, point)) = get("POINT")? else {
            return Err(ReadError::at(s.pos, "an entry without Point"));
        };
        let byte = |v: Option<(Pos, i64)>, what: &str| -> Result<u8, ReadError> {
            match v {
                None => Ok(0),
                Some((pos, n)) => u8::try_from(n)
                    .map_err(|_| ReadError::at(pos, format!("{what} {n} is not a byte"))),
            }
        };
        let point = byte(Some((pos, point)), "Point")?;
        let control = byte(get("CONTROL")?, "Control")?;
        let p = [
            byte(get("PMIN")?, "PMin")?,
            byte(get("PSEC")?, "PSec")?,
            byte(get("PFRAME")?, "PFrame")?,
        ];
        let plba = match get("PLBA")? {
            Some((pos, n)) => i32::try_from(n)
                .map_err(|_| ReadError::at(pos, format!("PLBA {n} is not an lba")))?,
            None => Msf::new(p[0], p[1], p[2])
                .map(|m| m.to_lba().get())
                .unwrap_or(0),
        };
        out.push((
            session,
            TocEntry {
                pos,
                point,
                control,
                p,
                plba,
            },
        ));
    }
    Ok(out)
}

/// The mode byte of the sector at `lba` of the `.img`, when it has a sync
/// pattern.
fn header_mode(
    files: &mut dyn ImageSources,
    offset: u64,
    name: &str,
) -> Result<Option<u8>, ReadError> {
    let mut head = [0u8; 16];
    files
        .read(IMG, offset, &mut head)
        .map_err(|e| ReadError::unreadable(None, name, e))?;
    Ok((head[..12] == SYNC).then_some(head[15]))
}

/// Whether any sector of `from..to` has non-zero R-W in the `.sub`.
fn has_rw(files: &mut dyn ImageSources, from: u64, to: u64, name: &str) -> Result<bool, ReadError> {
    let mut buf = Vec::new();
    let mut at = from;
    while at < to {
        let n = (to - at).min(SUB_CHUNK);
        buf.resize(n as usize * PW_SIZE, 0);
        files
            .read(SUB, at * PW_SIZE as u64, &mut buf)
            .map_err(|e| ReadError::unreadable(None, name, e))?;
        if buf
            .chunks_exact(PW_SIZE)
            .any(|r| r[24..].iter().any(|&b| b != 0))
        {
            return Ok(true);
        }
        at += n;
    }
    Ok(false)
}

/// Whether the Q of the first sectors from index 1 sets the copy bit the
/// TOC leaves clear: SCMS, which alternates it.
fn scms(
    files: &mut dyn ImageSources,
    index1: u64,
    end: u64,
    name: &str,
) -> Result<bool, ReadError> {
    let n = usize::try_from(end.saturating_sub(index1).min(u64::from(SCMS_SAMPLE))).unwrap_or(0);
    let mut buf = vec![0u8; n * PW_SIZE];
    files
        .read(SUB, index1 * PW_SIZE as u64, &mut buf)
        .map_err(|e| ReadError::unreadable(None, name, e))?;
    // Q starts at byte 12 of a linear record: CONTROL in the high nibble,
    // ADR in the low one.
    Ok(buf
        .chunks_exact(PW_SIZE)
        .any(|r| r[12] & 0x0f == 1 && r[12] & 0x20 != 0))
}

/// The packs of `[CDText]`: 16 bytes each (the CRC computed) or 18.
fn cdtext_packs(ccd: &CcdFile, warnings: &mut Vec<String>) -> Result<Vec<Pack>, ReadError> {
    let Some(s) = ccd.section("CDTEXT") else {
        return Ok(Vec::new());
    };
    let mut numbered: Vec<(u32, Pack)> = Vec::new();
    for e in &s.entries {
        let Some(n) = e.key.strip_prefix("ENTRY") else {
            continue;
        };
        let n: u32 = n.trim().parse().map_err(|_| {
            ReadError::at(e.pos, format!("{} is not a cd-text entry number", e.key))
        })?;
        let bytes: Option<Vec<u8>> = e
            .value
            .split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).ok())
            .collect();
        let mut pack = [0u8; PACK_SIZE];
        match bytes {
            Some(b) if b.len() == 16 => {
                pack[..16].copy_from_slice(&b);
                let crc = crate::subchannel::q_crc(&pack[..16]);
                pack[16..].copy_from_slice(&crc.to_be_bytes());
            }
            Some(b) if b.len() == PACK_SIZE => pack.copy_from_slice(&b),
            _ => {
                return Err(ReadError::at(
                    e.pos,
                    "a cd-text entry is 16 (or 18) hex bytes separated by spaces",
                ));
            }
        }
        numbered.push((n, Pack(pack)));
    }
    numbered.sort_by_key(|(n, _)| *n);
    if let Some((pos, count)) = s.number("ENTRIES")?
        && count != numbered.len() as i64
    {
        warnings.push(format!(
            "{pos}: Entries={count}, but the section has {} entries",
            numbered.len()
        ));
    }
    Ok(numbered.into_iter().map(|(_, p)| p).collect())
}
