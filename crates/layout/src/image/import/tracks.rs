//! Tracks as image descriptions give them (a run of generated and stored
//! sectors, where index 1 starts, index points) turned into track specs,
//! then refined with what the stored sectors say.

use super::sectors::{self, Sample, Stored};
use super::{ImageSources, Pos, ReadError};
use crate::disc::{
    CopySetting, Disc, Gap, Isrc, Piece as DiscPiece, Pieces, Project, SourcePos, SourceSpan,
    TrackSpec,
};
use crate::msf::{Lba, PREGAP_SECTORS};
use crate::sector::SectorType;
use crate::subchannel::PW_SIZE;

/// Sectors of track 1's pregap before LBA 0, implied by every format that
/// starts at LBA 0.
const FIRST_PREGAP: u32 = PREGAP_SECTORS as u32;
/// The postgap the layout rules ask for after a data track followed by
/// another type; stored zero sectors up to this many become it again.
const POSTGAP: u32 = PREGAP_SECTORS as u32;
/// Sectors of the previous track's mode that open a default mode-change
/// pregap, and the length of that pregap.
const MODE_CHANGE_LEAD: u32 = 75;
const MODE_CHANGE_PREGAP: u32 = MODE_CHANGE_LEAD + PREGAP_SECTORS as u32;

/// A run of sectors of a track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Piece {
    /// Generated: silence, or zero sectors of the track's mode.
    Zero(u32),
    /// Read from a source, `stride` bytes per sector (the track's).
    Source {
        /// Index into the sources.
        source: usize,
        /// Byte offset of the first sector.
        offset: u64,
        /// Sectors.
        sectors: u32,
    },
}

impl Piece {
    /// The project's form of the piece.
    fn piece(&self) -> crate::disc::Piece {
        match *self {
            Piece::Zero(n) => crate::disc::Piece::Generated(n),
            Piece::Source {
                source,
                offset,
                sectors,
            } => crate::disc::Piece::Source(SourceSpan {
                source,
                offset,
                sectors,
            }),
        }
    }
}

/// A track as a description gives it.
#[derive(Debug, Clone)]
pub(super) struct RawTrack {
    /// Where the track is defined.
    pub pos: Pos,
    /// Its number, for messages.
    pub number: u8,
    /// Sector type.
    pub ty: SectorType,
    /// A raw Mode 2 track whose form the sectors decide.
    pub classify: bool,
    /// Each source sector is followed by 96 bytes of interleaved P-W.
    pub rw_in_source: bool,
    /// R-W records of a separate file: where the first sourced sector's
    /// lies.
    pub rw_sub: Option<SourcePos>,
    /// Every sector of the track after track 1's implied pregap, in order.
    pub pieces: Vec<Piece>,
    /// How many of them are the pregap (index 0).
    pub pregap: u32,
    /// Starts of index 2, 3, … as offsets from index 1, with where each is
    /// given.
    pub indexes: Vec<(Pos, u32)>,
    /// Copy setting.
    pub copy: CopySetting,
    /// Pre-emphasis.
    pub pre_emphasis: bool,
    /// Four-channel audio.
    pub four_channel: bool,
    /// ISRC.
    pub isrc: Option<Isrc>,
}

impl RawTrack {
    /// A track of `ty` with no sectors and default flags.
    pub(super) fn new(pos: Pos, number: u8, ty: SectorType) -> RawTrack {
        RawTrack {
            pos,
            number,
            ty,
            classify: false,
            rw_in_source: false,
            rw_sub: None,
            pieces: Vec::new(),
            pregap: 0,
            indexes: Vec::new(),
            copy: CopySetting::Prohibited,
            pre_emphasis: false,
            four_channel: false,
            isrc: None,
        }
    }

    fn stride(&self) -> u64 {
        self.ty.input_len() as u64 + if self.rw_in_source { PW_SIZE as u64 } else { 0 }
    }
}

/// The track spec of `raw`: its pregap generated sectors first, then the
/// rest of the pregap's pieces; its data the pieces from index 1 on;
/// generated sectors after the last one read from a file its postgap.
/// `first` adds track 1's implied 150 sectors; `names` are the source
/// names, for messages.
///
/// ## Errors
///
/// [`ReadError`] at the track (or index) for a layout a track spec cannot
/// hold exactly.
pub(super) fn assemble(
    raw: &RawTrack,
    first: bool,
    names: &[String],
) -> Result<TrackSpec, ReadError> {
    let n = raw.number;
    let stride = raw.stride();
    let pieces = Pieces(raw.pieces.iter().map(|p| p.piece()).collect());
    let total = pieces.total();
    // Longer than a project can say: no disc holds it either. (Shorter
    // lengths no disc holds are the plan's to refuse, naming the field.)
    if total > u64::from(u32::MAX - FIRST_PREGAP) {
        return Err(ReadError::at(
            raw.pos,
            format!(
                "track {n} is {total} sectors long; that does not fit on a disc, whose lead-out is at lba {} at the latest",
                crate::disc::LARGEST_LEADOUT
            ),
        ));
    }
    if u64::from(raw.pregap) > total {
        return Err(ReadError::at(
            raw.pos,
            format!(
                "track {n}: its pregap ({} sectors) is longer than the track ({total})",
                raw.pregap
            ),
        ));
    }
    let (pre, data) = pieces.split_at(raw.pregap.into(), stride);
    let (pre, data) = (pre.merged(stride), data.merged(stride));

    // Pregap: generated sectors, then the rest of its pieces.
    let lead = pre
        .0
        .iter()
        .take_while(|p| matches!(p, DiscPiece::Generated(_)))
        .count();
    // Sums of pieces within `total`, which fits a u32 with room for track
    // 1's implied pregap.
    let generated = Pieces(pre.0[..lead].to_vec()).sectors();
    let rest = Pieces(pre.0[lead..].to_vec());

    // Data: the pieces from index 1 on; generated sectors after the last
    // one read from a file are the postgap.
    let tail = if data.0.iter().any(|p| p.span().is_some()) {
        data.0
            .iter()
            .rev()
            .take_while(|p| matches!(p, DiscPiece::Generated(_)))
            .count()
    } else {
        0
    };
    let body = Pieces(data.0[..data.0.len() - tail].to_vec());
    let postgap = Pieces(data.0[data.0.len() - tail..].to_vec()).sectors();
    let body_sectors = body.sectors();

    let mut spec = TrackSpec::of_pieces(raw.ty, body);
    spec.rw_in_source = raw.rw_in_source;
    spec.rw_sub = raw.rw_sub;
    spec.pregap = Some(Gap {
        generated: generated.saturating_add(if first { FIRST_PREGAP } else { 0 }),
        source: (!rest.0.is_empty()).then_some(rest),
    });
    spec.postgap = Some(postgap);
    let mut previous = 0;
    for &(pos, offset) in &raw.indexes {
        if offset <= previous || offset >= body_sectors {
            let from = match spec.data.first_source() {
                Some(k) => format!("from {}", names.get(k).map_or("a file", String::as_str)),
                None => "of generated sectors".to_string(),
            };
            return Err(ReadError::at(
                pos,
                format!(
                    "track {n}: an index point at {} is not after the previous one within the track's data {from} ({body_sectors} sectors)",
                    crate::image::Frames(offset as u64),
                ),
            ));
        }
        previous = offset;
        spec.indexes.push(offset);
    }
    spec.copy = raw.copy;
    spec.pre_emphasis = raw.pre_emphasis;
    spec.four_channel = raw.four_channel;
    spec.isrc = raw.isrc;
    Ok(spec)
}

/// Refines a laid-out project with what its stored sectors say: the form
/// of raw Mode 2 tracks (`classify[i]`), stored pregaps and postgaps that
/// are what the plan generates. A project the plan refuses is left as it
/// is (the caller reports why).
///
/// `start` is where the project's LBA 0 lies on the disc (a later
/// session's first index 1), whose address its stored sectors carry.
///
/// ## Errors
///
/// [`ReadError`] naming the file when a sector cannot be read.
pub(super) fn refine(
    project: &mut Project,
    classify: &[bool],
    files: &mut dyn ImageSources,
    start: Lba,
) -> Result<(), ReadError> {
    // CD-TEXT does not move a sector; text the plan refuses is reported
    // when the caller plans the project.
    let bare = Project {
        cdtext: None,
        ..project.clone()
    };
    let Ok(disc) = Disc::plan(&bare) else {
        return Ok(());
    };
    // The sectors of a later session carry their place on the disc.
    let disc = if start == Lba::ZERO {
        disc
    } else {
        disc.moved(start)
    };
    let names: Vec<String> = project.sources.iter().map(|s| s.path.clone()).collect();
    let mut read = |lba: Lba| -> Result<Option<Stored>, ReadError> {
        sectors::stored(&disc, files, lba).map_err(|(source, error)| {
            ReadError::unreadable(None, names.get(source).map_or("?", String::as_str), error)
        })
    };
    for i in 0..project.tracks.len() {
        if classify.get(i).copied().unwrap_or(false) {
            let ty = mode2_form(&disc, i, &mut read)?;
            project.tracks[i].sector_type = ty;
        }
    }
    for i in 0..project.tracks.len() {
        let prev = i.checked_sub(1).map(|p| project.tracks[p].sector_type);
        let next = project.tracks.get(i + 1).map(|t| t.sector_type);
        let spec = &mut project.tracks[i];
        regenerate_pregap(&disc, i, spec, prev, &mut read)?;
        if !spec.sector_type.is_audio() && next.is_some_and(|n| n.mode() != spec.sector_type.mode())
        {
            regenerate_postgap(&disc, i, spec, &mut read)?;
        }
    }
    Ok(())
}

/// The sector `k` after `lba` in a planned track (whose LBAs all fit).
fn after(lba: Lba, k: u32) -> Lba {
    Lba(lba.0.saturating_add_unsigned(k))
}

type Reader<'a> = dyn FnMut(Lba) -> Result<Option<Stored>, ReadError> + 'a;

/// The raw Mode 2 type of track `i`: the form of zero sectors the plan
/// generated into its stored pregap or at its end, else the form its data
/// was encoded in when every sampled sector carries rawburn's default
/// subheader of one form, else any form ([`SectorType::Mode2Raw`]).
fn mode2_form(disc: &Disc, i: usize, read: &mut Reader<'_>) -> Result<SectorType, ReadError> {
    let t = &disc.tracks()[i];
    let prev_mode = i
        .checked_sub(1)
        .map(|p| disc.tracks()[p].sector_type.mode());
    let mut gaps = Vec::new();
    if let Some(first) = first_sourced(disc, i, 0) {
        gaps.push(first);
        if prev_mode.is_some_and(|m| m != Some(2)) {
            gaps.push(after(first, MODE_CHANGE_LEAD));
        }
    }
    gaps.push(Lba(t.end.0.saturating_sub(1)));
    for lba in gaps {
        if lba >= t.end {
            continue;
        }
        if let Some(s) = read(lba)?
            && let Some(ty) = sectors::zero_form(&s, lba)
        {
            return Ok(ty);
        }
    }
    let mut samples = Vec::new();
    for lba in [t.start, Lba(t.data_end.0.saturating_sub(1))] {
        if lba >= t.start
            && lba < t.data_end
            && let Some(s) = read(lba)?
        {
            samples.push(sectors::sample(&s));
        }
    }
    Ok(match samples.first() {
        Some(Sample::Form1Default) if samples.iter().all(|s| *s == Sample::Form1Default) => {
            SectorType::Mode2Form1Raw
        }
        _ => SectorType::Mode2Raw,
    })
}

/// The first sourced sector of track `i`'s index `index` region, if any.
fn first_sourced(disc: &Disc, i: usize, index: u8) -> Option<Lba> {
    disc.regions()
        .iter()
        .find(|r| {
            r.area == crate::disc::Area::Track { track: i, index }
                && matches!(r.content, crate::disc::Content::Source { .. })
        })
        .map(|r| r.start)
}

/// Stored pregap sectors that are what the plan generates become
/// generated again: the default mode-change pregap (75 sectors in the
/// previous track's mode, then 150 in this one's) as no explicit pregap,
/// else the leading run of generated sectors.
fn regenerate_pregap(
    disc: &Disc,
    i: usize,
    spec: &mut TrackSpec,
    prev: Option<SectorType>,
    read: &mut Reader<'_>,
) -> Result<(), ReadError> {
    let Some(gap) = spec.pregap.clone() else {
        return Ok(());
    };
    let Some(span) = gap.source.as_ref().and_then(Pieces::single) else {
        return Ok(());
    };
    let Some(start) = first_sourced(disc, i, 0) else {
        return Ok(());
    };
    let ty = spec.sector_type;
    let stride = spec.source_stride();
    let is_generated = |s: &Option<Stored>, ty: SectorType, lba: Lba| {
        s.as_ref()
            .is_some_and(|s| sectors::is_generated(s, ty, lba))
    };
    // The plan has bounded every span these offsets lie in.
    let advance = |spec: &mut TrackSpec, k: u32| {
        if let Some(sub) = &mut spec.rw_sub {
            sub.offset = sub.offset.saturating_add(u64::from(k) * PW_SIZE as u64);
        }
    };

    if let Some(prev) = prev
        && !ty.is_audio()
        && prev.mode() != ty.mode()
        && gap.generated == 0
        && span.sectors == MODE_CHANGE_PREGAP
    {
        let mut all = true;
        for k in 0..MODE_CHANGE_PREGAP {
            let lba = after(start, k);
            let want = if k < MODE_CHANGE_LEAD { prev } else { ty };
            if !is_generated(&read(lba)?, want, lba) {
                all = false;
                break;
            }
        }
        if all {
            spec.pregap = None;
            advance(spec, MODE_CHANGE_PREGAP);
            return Ok(());
        }
    }

    let mut k = 0;
    while k < span.sectors {
        let lba = after(start, k);
        if !is_generated(&read(lba)?, ty, lba) {
            break;
        }
        k += 1;
    }
    if k > 0 {
        let rest = span.sectors - k;
        spec.pregap = Some(Gap {
            generated: gap.generated.saturating_add(k),
            source: (rest > 0).then(|| {
                Pieces::from(SourceSpan {
                    source: span.source,
                    offset: span
                        .offset
                        .saturating_add(u64::from(k).saturating_mul(stride)),
                    sectors: rest,
                })
            }),
        });
        advance(spec, k);
    }
    Ok(())
}

/// The stored sectors that end a data track followed by another type, up
/// to 150 that are what the plan generates and after its last index
/// point, become its postgap again.
fn regenerate_postgap(
    disc: &Disc,
    i: usize,
    spec: &mut TrackSpec,
    read: &mut Reader<'_>,
) -> Result<(), ReadError> {
    let t = &disc.tracks()[i];
    let last_index = spec.indexes.last().copied().unwrap_or(0);
    let ty = spec.sector_type;
    // Only stored sectors at the end of the data: the last piece's.
    let Some(DiscPiece::Source(last)) = spec.data.0.last().copied() else {
        return Ok(());
    };
    let mut k = 0;
    while k < POSTGAP
        && k < last.sectors
        && spec.data.sectors().saturating_sub(k) > last_index.saturating_add(1)
    {
        let lba = Lba(t.data_end.0 - 1 - i32::try_from(k).unwrap_or(0));
        match read(lba)? {
            Some(s) if sectors::is_generated(&s, ty, lba) => k += 1,
            _ => break,
        }
    }
    if k > 0 {
        if let Some(DiscPiece::Source(span)) = spec.data.0.last_mut() {
            span.sectors -= k;
        }
        spec.postgap = Some(spec.postgap.unwrap_or(0).saturating_add(k));
    }
    Ok(())
}
