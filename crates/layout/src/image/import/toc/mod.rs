//! cdrdao toc files (`cdrdao(1)`, "TOC FILES"; the grammar of cdrdao's
//! `trackdb/TocParser.g`).
//!
//! Everything cdrdao's grammar holds is read: `CATALOG`, the session type
//! (`CD_DA`, `CD_ROM`, `CD_ROM_XA`, `CD_I`), `CD_TEXT` blocks (language
//! map, every item, octal escapes, cdrdao 1.2.5's `ENCODING_…`), and per
//! track its mode and sub-channel mode, `ISRC`, `[NO] COPY`,
//! `[NO] PRE_EMPHASIS`, `TWO_CHANNEL_AUDIO`/`FOUR_CHANNEL_AUDIO`,
//! `PREGAP`, `FILE`/`AUDIOFILE`, `DATAFILE`, `SILENCE`, `ZERO`, `START`,
//! `END` and `INDEX`, lengths as `MM:SS:FF` or as sample or byte counts.
//! Keywords are read in any case; comments run from `//` to the end of the
//! line.
//!
//! As in cdrdao, raw audio files (`FILE` without a `.wav` name, and every
//! `DATAFILE` of an audio track) hold big-endian samples unless `SWAP` is
//! given; WAV (and FLAC) files are decoded. Track 1 starts at LBA 0 after
//! the 2-second pregap every disc has; the data before a track's `START`
//! (or its `PREGAP`) is its pregap (index 0); `INDEX` positions count from
//! index 1.
//!
//! A project holds each track as generated sectors, then one stretch of
//! one file (the pregap), one stretch of one file (the data) and generated
//! sectors (the postgap): tracks composed otherwise are refused, naming
//! the statement. `FIFO`, standard input, packed R-W (`RW`), MP3 and Ogg
//! files are refused too.

mod parse;
#[cfg(test)]
mod tests;
mod text;

use self::parse::{Item, Len, Statements, SubMode, TocMode, TocType};
use super::tracks::{self, Piece, RawTrack};
use super::{ImageSources, Imported, Pos, ReadError};
use crate::disc::{CopySetting, DiscType, Isrc, Mcn, Project, Source, SourceFormat};
use crate::sector::SectorType;
use crate::subchannel::PW_SIZE;

/// Bytes of a sample of CD audio (16-bit stereo).
const SAMPLE: u64 = 4;
/// Samples in a sector of CD audio.
const SAMPLES_PER_SECTOR: u64 = 588;

/// A parsed toc file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocFile {
    statements: Statements,
    sources: Vec<Source>,
    /// The source of each file the statements name.
    source_of: Vec<usize>,
}

impl TocFile {
    /// The files the toc file reads, in the order project sources refer to
    /// them: names as written (relative to the toc file), each with how its
    /// bytes are read.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }
}

/// Parses a toc file.
///
/// ## Errors
///
/// [`ReadError`] naming the line and column of the first statement that
/// does not fit cdrdao's grammar, or of a file rawburn cannot read (MP3,
/// Ogg, standard input, `SWAP` on a WAV file).
pub fn parse(text: &str) -> Result<TocFile, ReadError> {
    let statements = parse::statements(text)?;
    let mut sources: Vec<Source> = Vec::new();
    let mut source_of = Vec::with_capacity(statements.files.len());
    for f in &statements.files {
        let source = Source {
            path: f.name.clone(),
            format: source_format(f)?,
            join: Vec::new(),
        };
        source_of.push(match sources.iter().position(|s| *s == source) {
            Some(k) => k,
            None => {
                sources.push(source);
                sources.len() - 1
            }
        });
    }
    Ok(TocFile {
        statements,
        sources,
        source_of,
    })
}

/// How the bytes of a file a statement names are read.
fn source_format(f: &parse::FileRef) -> Result<SourceFormat, ReadError> {
    let lower = f.name.to_ascii_lowercase();
    if f.name == "-" {
        return Err(ReadError::at(
            f.pos,
            "standard input (\"-\") is not supported; rawburn reads files",
        ));
    }
    if !f.audio {
        return Ok(SourceFormat::Binary);
    }
    if lower.ends_with(".mp3") || lower.ends_with(".ogg") {
        return Err(ReadError::at(
            f.pos,
            format!(
                "{}: MP3 and Ogg files are not supported; convert them to WAV or FLAC",
                f.name
            ),
        ));
    }
    if lower.ends_with(".wav") || lower.ends_with(".flac") {
        if f.swap {
            return Err(ReadError::at(
                f.pos,
                format!(
                    "{}: SWAP on a WAV or FLAC file (big-endian samples in it) is not supported",
                    f.name
                ),
            ));
        }
        return Ok(SourceFormat::Audio);
    }
    // Raw audio is big-endian unless SWAP says otherwise.
    Ok(if f.swap {
        SourceFormat::Binary
    } else {
        SourceFormat::Motorola
    })
}

/// Lays out a parsed toc file as a project. `files` gives the length of
/// each of [`TocFile::sources`] and the sectors that settle the form of
/// raw Mode 2 tracks and which stored gaps are generated ones.
///
/// ## Errors
///
/// [`ReadError`] naming the line and column (and the file) of the first
/// thing that cannot be laid out exactly as written.
pub fn to_project(toc: &TocFile, files: &mut dyn ImageSources) -> Result<Imported, ReadError> {
    let st = &toc.statements;
    let mut warnings = Vec::new();
    let mut project = Project {
        sources: toc.sources.clone(),
        ..Project::default()
    };
    if let Some((pos, c)) = &st.catalog {
        let mcn = Mcn::parse_any_check_digit(c).map_err(|e| ReadError::at(*pos, e.to_string()))?;
        if mcn.is_zero() {
            warnings.push(format!(
                "{pos}: CATALOG \"{c}\" is how drives and rippers write \"no catalog number\"; the disc gets none"
            ));
        } else {
            project.mcn = Some(mcn);
        }
    }
    if let Some((_, t)) = st.toc_type {
        project.disc_type = Some(match t {
            TocType::CdDa | TocType::CdRom => DiscType::CdDaOrCdRom,
            TocType::CdRomXa => DiscType::CdRomXa,
            TocType::CdI => DiscType::CdI,
        });
    }
    if st.tracks.len() > 99 {
        return Err(ReadError::at(
            st.tracks[99].pos,
            format!("{} tracks; a disc holds at most 99", st.tracks.len()),
        ));
    }
    let names: Vec<String> = toc.sources.iter().map(|s| s.path.clone()).collect();
    let mut lens: Vec<Option<u64>> = vec![None; toc.sources.len()];
    let mut classify = Vec::new();
    for (i, t) in st.tracks.iter().enumerate() {
        let number = (i + 1) as u8;
        let raw = track(t, number, toc, files, &mut lens, &mut warnings)?;
        classify.push(raw.classify);
        project.tracks.push(tracks::assemble(&raw, i == 0, &names)?);
    }
    let track_texts: Vec<_> = st.tracks.iter().map(|t| t.cdtext.as_ref()).collect();
    project.cdtext = text::cdtext(st.cdtext.as_ref(), &track_texts, &mut warnings)?;
    crate::disc::limits::fit_leadout_limit(&mut project);
    tracks::refine(&mut project, &classify, files, crate::msf::Lba::ZERO)?;
    Ok(Imported { project, warnings })
}

/// The sector type of a track mode, and whether its Mode 2 form is left to
/// the sectors.
fn sector_type(mode: TocMode) -> (SectorType, bool) {
    match mode {
        TocMode::Audio => (SectorType::Audio, false),
        TocMode::Mode0 => (SectorType::Mode0, false),
        TocMode::Mode1 => (SectorType::Mode1, false),
        TocMode::Mode1Raw => (SectorType::Mode1Raw, false),
        TocMode::Mode2 => (SectorType::Mode2Formless, false),
        TocMode::Mode2Form1 => (SectorType::Mode2Form1, false),
        TocMode::Mode2Form2 => (SectorType::Mode2Form2, false),
        TocMode::Mode2FormMix => (SectorType::Mode2Xa, false),
        TocMode::Mode2Raw => (SectorType::Mode2Raw, true),
    }
}

/// One track's statements as a run of generated and stored sectors.
fn track(
    t: &parse::Track,
    number: u8,
    toc: &TocFile,
    files: &mut dyn ImageSources,
    lens: &mut [Option<u64>],
    warnings: &mut Vec<String>,
) -> Result<RawTrack, ReadError> {
    let (ty, classify) = sector_type(t.mode);
    let mut raw = RawTrack::new(t.pos, number, ty);
    raw.classify = classify;
    match t.sub {
        Some(SubMode::Packed) => {
            return Err(ReadError::at(
                t.pos,
                "packed R-W sub-channel data (RW) is not supported; rawburn keeps R-W as raw interleaved P-W (RW_RAW)",
            ));
        }
        Some(SubMode::Raw) => raw.rw_in_source = true,
        None => {}
    }
    let audio = ty.is_audio();
    let stride = ty.input_len() as u64 + if raw.rw_in_source { PW_SIZE as u64 } else { 0 };
    raw.copy = if t.copy {
        CopySetting::Permitted
    } else {
        CopySetting::Prohibited
    };
    for (flag, pos, set) in [
        ("PRE_EMPHASIS", t.pre_emphasis, &mut raw.pre_emphasis),
        ("FOUR_CHANNEL_AUDIO", t.four_channel, &mut raw.four_channel),
    ] {
        if let Some(pos) = pos {
            if audio {
                *set = true;
            } else {
                warnings.push(format!(
                    "{pos}: {flag} applies to audio tracks; track {number} is {}, so it is ignored",
                    t.mode.name()
                ));
            }
        }
    }
    if let Some((pos, isrc)) = &t.isrc {
        if Isrc::is_zero_text(isrc) {
            warnings.push(format!(
                "{pos}: ISRC \"{isrc}\" is how drives and read-toc write \"no ISRC\"; track {number} gets none"
            ));
        } else {
            raw.isrc = Some(Isrc::parse(isrc).map_err(|e| ReadError::at(*pos, e.to_string()))?);
        }
    }

    // The track's content in bytes of its own layout (`stride` per sector),
    // each piece with where it was given and whether it may end mid-sector.
    let mut bytes: Vec<(Pos, Chunk)> = Vec::new();
    let mut start: Option<(Pos, u64)> = None;
    let mut end: Option<Pos> = None;
    if let Some((pos, sectors)) = t.pregap {
        bytes.push((pos, Chunk::Zero(u64::from(sectors) * stride)));
        start = Some((pos, u64::from(sectors) * stride));
    }
    let total = |b: &[(Pos, Chunk)]| {
        b.iter()
            .try_fold(0u64, |sum, (_, c)| sum.checked_add(c.len()))
    };
    for (pos, item) in &t.items {
        let pos = *pos;
        match *item {
            Item::Audio {
                source,
                offset,
                start: first,
                length,
            } => {
                let source = toc.source_of[source];
                if !audio || raw.rw_in_source {
                    return Err(ReadError::at(
                        pos,
                        "FILE and AUDIOFILE belong to audio tracks without a sub-channel mode; use DATAFILE",
                    ));
                }
                let format = toc.sources[source].format;
                if format == SourceFormat::Audio && offset != 0 {
                    return Err(ReadError::file(
                        Some(pos),
                        &toc.sources[source].path,
                        "a #offset into a WAV or FLAC file is not supported",
                    ));
                }
                let from = bytes_of(pos, samples(first))
                    .and_then(|b| b.checked_add(offset).ok_or_else(|| too_far(pos)))?;
                let len = match length {
                    Some(l) if samples(l) > 0 => bytes_of(pos, samples(l))?,
                    _ => {
                        let all = data_len(toc, files, lens, source, pos)?;
                        let left = all.checked_sub(from).ok_or_else(|| {
                            ReadError::file(
                                Some(pos),
                                &toc.sources[source].path,
                                format!("starts at byte {from}, after its end ({all} bytes)"),
                            )
                        })?;
                        left - left % SAMPLE
                    }
                };
                bytes.push((
                    pos,
                    Chunk::Source {
                        source,
                        offset: from,
                        len,
                    },
                ));
            }
            Item::Data {
                source,
                offset,
                length,
            } => {
                let source = toc.source_of[source];
                let len = match length {
                    // An explicit zero is "to the end of the file", as in
                    // cdrdao.
                    Some(Len::Msf(sectors)) if sectors > 0 => u64::from(sectors) * stride,
                    Some(Len::Count(n)) if n > 0 => n,
                    _ => {
                        let all = data_len(toc, files, lens, source, pos)?;
                        all.checked_sub(offset).ok_or_else(|| {
                            ReadError::file(
                                Some(pos),
                                &toc.sources[source].path,
                                format!("#{offset} is after its end ({all} bytes)"),
                            )
                        })?
                    }
                };
                bytes.push((
                    pos,
                    Chunk::Source {
                        source,
                        offset,
                        len,
                    },
                ));
            }
            Item::Silence(len) => {
                if !audio || raw.rw_in_source {
                    return Err(ReadError::at(
                        pos,
                        "SILENCE belongs to audio tracks without a sub-channel mode; use ZERO",
                    ));
                }
                bytes.push((pos, Chunk::Zero(bytes_of(pos, samples(len))?)));
            }
            Item::Zero { mode, sub, length } => {
                let zero_stride = match mode {
                    Some(m) => {
                        let zt = sector_type(m).0;
                        if zt.mode() != ty.mode() {
                            warnings.push(format!(
                                "{pos}: ZERO {} in a {} track is generated in the track's mode",
                                m.name(),
                                t.mode.name()
                            ));
                        }
                        zt.input_len() as u64 + if sub.is_some() { PW_SIZE as u64 } else { 0 }
                    }
                    None => stride,
                };
                let len = match length {
                    Len::Msf(sectors) => u64::from(sectors) * stride,
                    Len::Count(n) => n
                        .div_ceil(zero_stride)
                        .checked_mul(stride)
                        .ok_or_else(|| too_far(pos))?,
                };
                bytes.push((pos, Chunk::Zero(len)));
            }
            Item::Start(at) => {
                if start.is_some() {
                    return Err(ReadError::at(
                        pos,
                        format!(
                            "track {number}: its start (the end of its pregap) is already given"
                        ),
                    ));
                }
                let at = match at {
                    Some(sectors) => u64::from(sectors) * stride,
                    None => total(&bytes)
                        .and_then(|t| t.div_ceil(stride).checked_mul(stride))
                        .ok_or_else(|| too_far(pos))?,
                };
                start = Some((pos, at));
            }
            Item::End(_) => {
                if end.is_some() {
                    return Err(ReadError::at(
                        pos,
                        format!(
                            "track {number}: its end (the start of its postgap) is already given"
                        ),
                    ));
                }
                end = Some(pos);
            }
        }
    }
    if let Some(pos) = end {
        warnings.push(format!(
            "{pos}: END marks the postgap with an index point in cdrdao; rawburn makes the generated sectors at the end of the track its postgap, without one"
        ));
    }

    // Whole sectors: only the last piece may end mid-sector (padded, as
    // cdrdao pads a track), and only where padding reads as silence.
    let last = bytes.len().saturating_sub(1);
    for (k, (pos, chunk)) in bytes.iter().enumerate() {
        let len = chunk.len();
        let rest = len % stride;
        let sectors = u32::try_from(len.div_ceil(stride)).map_err(|_| {
            ReadError::at(
                *pos,
                format!(
                    "this statement is {} sectors long; that does not fit on a disc",
                    len.div_ceil(stride)
                ),
            )
        })?;
        match *chunk {
            Chunk::Zero(_) => {
                if rest != 0 && k != last {
                    return Err(mid_sector(*pos, rest, audio));
                }
                raw.pieces.push(Piece::Zero(sectors));
            }
            Chunk::Source {
                source,
                offset,
                len,
            } => {
                if rest != 0 {
                    let file = &toc.sources[source];
                    let at_end = file.format == SourceFormat::Audio
                        && k == last
                        && Some(data_len(toc, files, lens, source, *pos)?)
                            == offset.checked_add(len);
                    if !at_end {
                        return Err(mid_sector(*pos, rest, audio));
                    }
                    warnings.push(format!(
                        "{}: the last {rest} bytes do not fill a sector; padded with {} bytes of silence",
                        file.path,
                        stride - rest
                    ));
                }
                raw.pieces.push(Piece::Source {
                    source,
                    offset,
                    sectors,
                });
            }
        }
    }
    if let Some((pos, at)) = start {
        if at % stride != 0 {
            return Err(mid_sector(pos, at % stride, audio));
        }
        raw.pregap = u32::try_from(at / stride).map_err(|_| {
            ReadError::at(
                pos,
                format!(
                    "this START is {} sectors into the track; that does not fit on a disc",
                    at / stride
                ),
            )
        })?;
    }
    raw.indexes = t.indexes.clone();
    Ok(raw)
}

/// Bytes of a track's content as a statement gives them.
#[derive(Debug, Clone, Copy)]
enum Chunk {
    Zero(u64),
    Source {
        source: usize,
        offset: u64,
        len: u64,
    },
}

impl Chunk {
    fn len(&self) -> u64 {
        match *self {
            Chunk::Zero(n) | Chunk::Source { len: n, .. } => n,
        }
    }
}

/// A count of samples.
fn samples(len: Len) -> u64 {
    match len {
        Len::Msf(sectors) => u64::from(sectors) * SAMPLES_PER_SECTOR,
        Len::Count(n) => n,
    }
}

/// Bytes of `samples` samples of CD audio.
fn bytes_of(pos: Pos, samples: u64) -> Result<u64, ReadError> {
    samples.checked_mul(SAMPLE).ok_or_else(|| too_far(pos))
}

/// A statement whose bytes would end past 2^64: no file or disc holds it.
fn too_far(pos: Pos) -> ReadError {
    ReadError::at(
        pos,
        "this statement reaches past the largest file (2^64 bytes); that does not fit on a disc",
    )
}

fn mid_sector(pos: Pos, rest: u64, audio: bool) -> ReadError {
    let what = if audio {
        format!("{} samples", rest / SAMPLE)
    } else {
        format!("{rest} bytes")
    };
    ReadError::at(
        pos,
        format!(
            "this ends {what} into a sector; rawburn lays out whole sectors, so only a track's last statement may end mid-sector, and only on audio that ends its file"
        ),
    )
}

/// The length of a source's data, asked once.
fn data_len(
    toc: &TocFile,
    files: &mut dyn ImageSources,
    lens: &mut [Option<u64>],
    source: usize,
    pos: Pos,
) -> Result<u64, ReadError> {
    if let Some(Some(n)) = lens.get(source) {
        return Ok(*n);
    }
    let n = files
        .data_len(source)
        .map_err(|e| ReadError::unreadable(Some(pos), &toc.sources[source].path, e))?;
    if let Some(slot) = lens.get_mut(source) {
        *slot = Some(n);
    }
    Ok(n)
}
