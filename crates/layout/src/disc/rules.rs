//! The layout rules a plan applies before it fixes any LBA: default gaps,
//! hidden track-one audio, gapless carving, minimum lengths, index points,
//! and the limits of the largest disc and file.
//!
//! Lengths are added up as `u64`/`i64` here, so no value a project gives
//! can wrap; once [`check_values`] has passed, every gap and length is at
//! most [`MAX_SECTORS`] and every position of the disc fits an `i32` with
//! room to spare.

use super::limits::{MAX_SECTORS, check_source};
use super::{DiscError, Gap, Pieces, Project, SourcePos, TrackSpec, Warning};
use crate::msf::{PREGAP_SECTORS, TrackNo};
use crate::sector::SectorType;

/// Sectors of the previous track's mode at the start of an extended pregap
/// (1 s), before the new mode's 2 s.
pub(super) const MODE_CHANGE_LEAD_SECTORS: u32 = 75;
/// The pregap (and postgap) length the layout rules ask for: 2 s.
const GAP_SECTORS: u32 = PREGAP_SECTORS as u32;
/// Minimum payload of a track: 4 s.
const MIN_TRACK_SECTORS: u32 = crate::msf::MIN_TRACK_SECTORS as u32;
/// Minimum distance between index points (IMAPI2).
const MIN_INDEX_DISTANCE: u32 = 10;
/// Bytes of one sector's record in a linear P-W file.
pub(super) const SUB_RECORD: u64 = crate::subchannel::PW_SIZE as u64;

/// Track types that may follow one another without an extended gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Audio,
    Mode0,
    Mode1,
    Mode2,
}

pub(super) fn family(ty: SectorType) -> Family {
    match ty.mode() {
        None => Family::Audio,
        Some(0) => Family::Mode0,
        Some(1) => Family::Mode1,
        _ => Family::Mode2,
    }
}

/// A pregap as laid out: generated in the previous track's mode first (for
/// mode changes), then the gap proper.
#[derive(Debug, Clone)]
pub(super) struct PregapLayout {
    pub lead_in_previous_mode: u32,
    pub gap: Gap,
    /// Source layout of sourced pregap data: stride and R-W flag.
    pub source_stride: u64,
    pub source_rw: bool,
    /// Where the R-W records of the sourced part lie, if in a separate file.
    pub source_sub: Option<SourcePos>,
    /// Sectors read from sources in the track's own pregap, when the plan
    /// uses it: the R-W records of its data follow theirs.
    pub own_source_sectors: u64,
}

/// Gaps and lengths after defaults and gapless carving.
#[derive(Debug, Clone)]
pub(super) struct TrackLayout {
    pub pregap: PregapLayout,
    /// The data (index 1 on) after carving.
    pub data: Pieces,
    /// Its length, once [`check_values`] has bounded it.
    pub data_sectors: u32,
    pub postgap: u32,
}

impl TrackLayout {
    /// Sectors from the pregap's start to the track's end.
    fn total(&self) -> u64 {
        self.pregap
            .gap
            .total()
            .saturating_add(self.data.total())
            .saturating_add(u64::from(self.postgap))
    }
}

/// The number of the `i`th track of a disc starting at `first` (the caller
/// has checked that it is at most 99).
pub(super) fn track_no(first: TrackNo, i: usize) -> TrackNo {
    u8::try_from(i)
        .ok()
        .and_then(|i| first.get().checked_add(i))
        .and_then(|n| TrackNo::new(n).ok())
        .unwrap_or(TrackNo::MAX)
}

/// `offset + sectors × stride`, for spans [`check_source_ranges`] has
/// found to end within a file (saturating, so never wrapping, otherwise).
pub(super) fn offset_after(offset: u64, sectors: u64, stride: u64) -> u64 {
    sectors.saturating_mul(stride).saturating_add(offset)
}

pub(super) fn check_sources(project: &Project) -> Result<(), DiscError> {
    let count = project.sources.len();
    let check = |what: String, source: usize| {
        if source < count {
            Ok(())
        } else {
            Err(DiscError::NoSuchSource {
                what,
                index: source,
                count,
            })
        }
    };
    for (i, t) in project.tracks.iter().enumerate() {
        let n = usize::from(project.first_track) + i;
        for span in t.data.spans() {
            check(format!("track {n}"), span.source)?;
        }
        for span in t
            .pregap
            .iter()
            .filter_map(|g| g.source.as_ref())
            .flat_map(Pieces::spans)
        {
            check(format!("track {n}'s pregap"), span.source)?;
        }
        if let Some(sub) = t.rw_sub {
            check(format!("track {n}'s r-w"), sub.source)?;
            if project.rw_generator.is_some() {
                return Err(DiscError::RwSubAndGenerator(
                    u8::try_from(n).unwrap_or(u8::MAX),
                ));
            }
        }
    }
    if let Some(sp) = project.special_pregap {
        check("the hidden track-one audio".into(), sp.source)?;
    }
    if let Some(rw) = project.rw_generator {
        check("the r-w subcode generator".into(), rw.source)?;
    }
    Ok(())
}

/// Every span a track reads from its sources (data, pregap data, R-W
/// records) and the hidden track-one audio must end within a file, so that
/// no offset computed from them wraps. (The R-W generator's records depend
/// on the lead-out and are checked once it is known.)
pub(super) fn check_source_ranges(project: &Project, first: TrackNo) -> Result<(), DiscError> {
    for (i, t) in project.tracks.iter().enumerate() {
        let n = Some(track_no(first, i).get());
        let stride = t.source_stride();
        for span in t.data.spans() {
            check_source(n, "data", span.offset, span.sectors.into(), stride)?;
        }
        let pregap = t.pregap.as_ref().and_then(|g| g.source.as_ref());
        for span in pregap.iter().flat_map(|p| p.spans()) {
            check_source(n, "pregap data", span.offset, span.sectors.into(), stride)?;
        }
        if let Some(sub) = t.rw_sub {
            let records = t.data.sourced() + pregap.map_or(0, Pieces::sourced);
            check_source(n, "r-w subcode", sub.offset, records, SUB_RECORD)?;
        }
    }
    if let Some(sp) = project.special_pregap {
        let stride = SectorType::Audio.input_len() as u64;
        check_source(
            None,
            "hidden track-one audio",
            sp.offset,
            sp.sectors.into(),
            stride,
        )?;
    }
    Ok(())
}

/// Resolves every track's gaps: defaults, hidden track audio, gapless
/// carving.
pub(super) fn layouts(
    project: &Project,
    first: TrackNo,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<TrackLayout>, DiscError> {
    let specs = &project.tracks;
    let mut out: Vec<TrackLayout> = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let number = track_no(first, i).get();
        let ty = spec.sector_type;
        if spec.isrc.is_some() && !ty.is_audio() {
            return Err(DiscError::IsrcOnData { track: number, ty });
        }
        let stride = spec.source_stride();
        let mut pregap = PregapLayout {
            lead_in_previous_mode: 0,
            gap: Gap::generated(GAP_SECTORS),
            source_stride: stride,
            source_rw: spec.rw_in_source,
            source_sub: spec.rw_sub,
            own_source_sectors: 0,
        };

        if i == 0 {
            if let Some(sp) = project.special_pregap {
                if !ty.is_audio() {
                    return Err(DiscError::SpecialPregapNeedsAudio(ty));
                }
                if sp.sectors < GAP_SECTORS {
                    return Err(DiscError::SpecialPregapTooShort(sp.sectors));
                }
                // Hidden audio is plain PCM, whatever the track's source holds.
                pregap.gap = Gap::sourced(sp);
                pregap.source_stride = SectorType::Audio.input_len() as u64;
                pregap.source_rw = false;
                pregap.source_sub = None;
            } else if let Some(g) = &spec.pregap {
                if g.total() < u64::from(GAP_SECTORS) {
                    return Err(DiscError::FirstPregapTooShort {
                        track: number,
                        sectors: g.sectors(),
                    });
                }
                pregap.gap = g.clone();
            }
        } else {
            let prev = &specs[i - 1];
            let changes = family(prev.sector_type) != family(ty);
            match &spec.pregap {
                Some(g) => {
                    pregap.gap = g.clone();
                    if changes
                        && !ty.is_audio()
                        && g.total() < u64::from(GAP_SECTORS + MODE_CHANGE_LEAD_SECTORS)
                    {
                        warnings.push(Warning {
                            track: Some(number),
                            message: format!(
                                "{ty} after {} has a {}-sector pregap; a mode change asks for at least 225 (75 in the previous mode, then 150)",
                                prev.sector_type,
                                g.total()
                            ),
                        });
                    }
                }
                None if changes && !ty.is_audio() => {
                    pregap.lead_in_previous_mode = MODE_CHANGE_LEAD_SECTORS;
                    pregap.gap = Gap::generated(GAP_SECTORS + MODE_CHANGE_LEAD_SECTORS);
                }
                None if ty.is_audio() && prev.sector_type.is_audio() && project.gapless_audio => {
                    // The last 150 sectors of the previous track become this
                    // track's pregap: seamless playback.
                    let prev_layout = &mut out[i - 1];
                    let left = prev_layout.data.total().saturating_sub(GAP_SECTORS.into());
                    if left.saturating_add(u64::from(prev_layout.postgap))
                        < u64::from(MIN_TRACK_SECTORS)
                    {
                        return Err(DiscError::GaplessTooShort {
                            track: number.saturating_sub(1),
                            left: u32::try_from(left).unwrap_or(u32::MAX),
                        });
                    }
                    // Cut within the previous track's spans, which
                    // `check_source_ranges` has bounded.
                    let (kept, carved) = prev_layout.data.split_at(left, prev.source_stride());
                    let records = prev_layout
                        .pregap
                        .own_source_sectors
                        .saturating_add(kept.sourced());
                    prev_layout.data = kept;
                    pregap.gap = Gap {
                        generated: 0,
                        source: Some(carved),
                    };
                    pregap.source_stride = prev.source_stride();
                    pregap.source_rw = prev.rw_in_source;
                    pregap.source_sub = prev.rw_sub.map(|p| SourcePos {
                        source: p.source,
                        offset: offset_after(p.offset, records, SUB_RECORD),
                    });
                }
                None => {}
            }
        }

        if matches!(&spec.pregap, Some(g) if g.source.is_some() && pregap.gap == *g) {
            pregap.own_source_sectors = pregap.gap.source.as_ref().map_or(0, Pieces::sourced);
        }
        let next = specs.get(i + 1);
        let next_differs = next.is_some_and(|n| family(n.sector_type) != family(ty));
        let postgap = match spec.postgap {
            Some(p) => {
                if next_differs && !ty.is_audio() && p < GAP_SECTORS {
                    warnings.push(Warning {
                        track: Some(number),
                        message: format!(
                            "{ty} followed by a track of another type has a {p}-sector postgap; the rule asks for at least 150"
                        ),
                    });
                }
                p
            }
            None if next_differs && !ty.is_audio() => GAP_SECTORS,
            None => 0,
        };
        out.push(TrackLayout {
            pregap,
            data: spec.data.clone(),
            data_sectors: 0,
            postgap,
        });
    }
    Ok(out)
}

/// Refuses a gap or length longer than the largest disc, naming the first
/// one (in disc order) and where the lead-out would be.
pub(super) fn check_values(
    project: &Project,
    first: TrackNo,
    layouts: &mut [TrackLayout],
) -> Result<(), DiscError> {
    let leadout = i64::from(-PREGAP_SECTORS)
        + layouts
            .iter()
            .map(|l| i64::try_from(l.total()).unwrap_or(i64::MAX))
            .fold(0i64, i64::saturating_add);
    let max = u64::from(MAX_SECTORS);
    for (i, l) in layouts.iter_mut().enumerate() {
        let track = Some(track_no(first, i).get());
        let hidden = i == 0 && project.special_pregap.is_some();
        let source = l.pregap.gap.source_sectors();
        let values = [
            (track, "pregap", u64::from(l.pregap.gap.generated)),
            if hidden {
                (None, "hidden track-one audio", source)
            } else {
                (track, "pregap data", source)
            },
            (track, "data", l.data.total()),
            (track, "postgap", u64::from(l.postgap)),
        ];
        if let Some(&(track, field, value)) = values.iter().find(|v| v.2 > max) {
            return Err(DiscError::value(track, field, value, leadout));
        }
        // At most `MAX_SECTORS`, as just checked.
        l.data_sectors = l.data.sectors();
    }
    Ok(())
}

/// Track lengths (shorter than 4 seconds is a warning) and index points,
/// once carving has settled every data length.
pub(super) fn check_lengths(
    project: &Project,
    first: TrackNo,
    layouts: &[TrackLayout],
    warnings: &mut Vec<Warning>,
) -> Result<(), DiscError> {
    for (i, (spec, layout)) in project.tracks.iter().zip(layouts).enumerate() {
        let number = track_no(first, i).get();
        let length = u64::from(layout.data_sectors) + u64::from(layout.postgap);
        if length == 0 {
            return Err(DiscError::EmptyTrack { track: number });
        }
        if length < u64::from(MIN_TRACK_SECTORS) {
            // Real discs have them and players play them; IMAPI2's editing
            // API refuses them ([`super::ImageCreator`]).
            warnings.push(Warning {
                track: Some(number),
                message: format!(
                    "{length} sectors long; the Red Book asks for at least 300 (4 seconds)"
                ),
            });
        }
        check_indexes(number, spec, layout.data_sectors, warnings)?;
    }
    Ok(())
}

/// Index offsets must increase within the data; closer than 10 sectors is
/// honoured with a warning (the editing API refuses it).
fn check_indexes(
    track: u8,
    spec: &TrackSpec,
    sectors: u32,
    warnings: &mut Vec<Warning>,
) -> Result<(), DiscError> {
    let offsets = &spec.indexes;
    if offsets.len() > super::limits::MAX_INDEXES {
        return Err(DiscError::TooManyIndexes { track });
    }
    let mut prev = 0;
    for &o in offsets {
        if o <= prev || o >= sectors {
            return Err(DiscError::IndexLayout {
                track,
                offsets: offsets.to_vec(),
                sectors,
            });
        }
        prev = o;
    }
    let points = core::iter::once(0)
        .chain(offsets.iter().copied())
        .chain(core::iter::once(sectors))
        .collect::<Vec<u32>>();
    for (k, w) in points.windows(2).enumerate() {
        // Increasing, as checked above.
        let span = w[1].saturating_sub(w[0]);
        if span < MIN_INDEX_DISTANCE {
            warnings.push(Warning {
                track: Some(track),
                message: format!(
                    "index {} spans {span} sectors; indexes are meant to be at least 10 sectors apart",
                    k + 1
                ),
            });
        }
    }
    Ok(())
}
