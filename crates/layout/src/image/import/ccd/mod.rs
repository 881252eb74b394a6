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
    let img_name = ccd.sources[IMG].path.clone();
    let sub_name = ccd.sources[SUB].path.clone();
    let disc_section = ccd.section("DISC");
    if let Some(d) = disc_section {
        if let Some((pos, n)) = d.number("SESSIONS")?
            && n != 1
        {
            return Err(ReadError::at(
                pos,
                format!("the image has {n} sessions; rawburn writes single-session discs"),
            ));
        }
        if let Some((pos, n)) = d.number("DATATRACKSSCRAMBLED")?
            && n != 0
        {
            return Err(ReadError::at(
                pos,
                "the image's data tracks are scrambled (DataTracksScrambled); rawburn reads unscrambled images",
            ));
        }
    }

    let entries = toc_entries(ccd)?;
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
    let leadout = a2.plba;
    if leadout > crate::disc::LARGEST_LEADOUT.get() {
        return Err(ReadError::at(
            a2.pos,
            format!(
                "the lead-out at lba {leadout} does not fit on a disc; on the largest disc it is at lba {}",
                crate::disc::LARGEST_LEADOUT
            ),
        ));
    }
    let mut points: Vec<TocEntry> = entries
        .iter()
        .filter(|e| (1..=99).contains(&e.point))
        .copied()
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
    if let Some(e) = disc_section.and_then(|d| d.get("CATALOG"))
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
        .map_err(|e| ReadError::file(None, &img_name, e))?;
    let img_sectors = img_len / SECTOR_SIZE as u64;
    if leadout < 0 || img_sectors < leadout as u64 {
        return Err(ReadError::file(
            Some(a2.pos),
            &img_name,
            format!("holds {img_sectors} sectors, but the lead-out is at lba {leadout}"),
        ));
    }
    if img_len > leadout as u64 * SECTOR_SIZE as u64 {
        warnings.push(format!(
            "{img_name}: the {} bytes after the lead-out (lba {leadout}) are not used",
            img_len - leadout as u64 * SECTOR_SIZE as u64
        ));
    }
    let sub_ok = match files.data_len(SUB) {
        Ok(n) if n >= leadout as u64 * PW_SIZE as u64 => true,
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
                    index.push((n, entry.pos, on_disc(lba, leadout, entry.pos)?));
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
            let header = header_mode(files, l.index1, &img_name)?;
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
                offset: sector_offset(l.first),
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
            if has_rw(files, l.first, end, &sub_name)? {
                raw.rw_sub = Some(SourcePos {
                    source: SUB,
                    offset: u64::try_from(l.first).unwrap_or(0) * PW_SIZE as u64,
                });
            }
            if raw.copy == CopySetting::Prohibited && scms(files, l.index1, end, &sub_name)? {
                raw.copy = CopySetting::Scms;
            }
        }
        classify.push(raw.classify);
        project.tracks.push(tracks::assemble(&raw, k == 0, &names)?);
    }
    if !project.tracks.iter().any(|t| t.rw_sub.is_some()) {
        project.sources.truncate(SUB);
    }

    let packs = cdtext_packs(ccd, &mut warnings)?;
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
    tracks::refine(&mut project, &classify, files)?;
    let firsts: Vec<i32> = layouts.iter().map(|l| l.first).collect();
    mode0_default_pregaps(&mut project, &firsts, files, &img_name)?;
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
    Ok(Imported { project, warnings })
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
            let lba = crate::msf::Lba(first + i);
            let mut sector = [0u8; SECTOR_SIZE];
            files
                .read(IMG, sector_offset(lba.get()), &mut sector)
                .map_err(|e| ReadError::file(None, name, e))?;
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

/// Where the sector at `lba` (0 or later) starts in the `.img`.
fn sector_offset(lba: i32) -> u64 {
    u64::try_from(lba).unwrap_or(0) * SECTOR_SIZE as u64
}

/// The TOC entries of session 1 with ADR 1.
fn toc_entries(ccd: &CcdFile) -> Result<Vec<TocEntry>, ReadError> {
    let mut out = Vec::new();
    for s in ccd.numbered("ENTRY") {
        let get = |key: &str| s.number(key);
        if let Some((pos, session)) = get("SESSION")?
            && session != 1
        {
            return Err(ReadError::at(
                pos,
                format!("an entry of session {session}; rawburn writes single-session discs"),
            ));
        }
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
        out.push(TocEntry {
            pos,
            point,
            control,
            p,
            plba,
        });
    }
    Ok(out)
}

/// The mode byte of the sector at `lba` of the `.img`, when it has a sync
/// pattern.
fn header_mode(
    files: &mut dyn ImageSources,
    lba: i32,
    name: &str,
) -> Result<Option<u8>, ReadError> {
    let mut head = [0u8; 16];
    files
        .read(IMG, sector_offset(lba), &mut head)
        .map_err(|e| ReadError::file(None, name, e))?;
    Ok((head[..12] == SYNC).then_some(head[15]))
}

/// Whether any sector of `from..to` has non-zero R-W in the `.sub`.
fn has_rw(files: &mut dyn ImageSources, from: i32, to: i32, name: &str) -> Result<bool, ReadError> {
    let (from, to) = (
        u64::try_from(from).unwrap_or(0),
        u64::try_from(to).unwrap_or(0),
    );
    let mut buf = Vec::new();
    let mut at = from;
    while at < to {
        let n = (to - at).min(SUB_CHUNK);
        buf.resize(n as usize * PW_SIZE, 0);
        files
            .read(SUB, at * PW_SIZE as u64, &mut buf)
            .map_err(|e| ReadError::file(None, name, e))?;
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
    index1: i32,
    end: i32,
    name: &str,
) -> Result<bool, ReadError> {
    let n = usize::try_from(end.saturating_sub(index1).clamp(0, SCMS_SAMPLE as i32)).unwrap_or(0);
    let mut buf = vec![0u8; n * PW_SIZE];
    files
        .read(
            SUB,
            u64::try_from(index1).unwrap_or(0) * PW_SIZE as u64,
            &mut buf,
        )
        .map_err(|e| ReadError::file(None, name, e))?;
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
