//! The plan: a project turned into fixed LBAs, without encoding anything.

use super::{
    CopySetting, DiscError, DiscType, Gap, Isrc, LEAD_OUT_SECTORS, PROJECT_FORMAT, Project,
    SourceFormat, SourcePos, SourceSpan, TrackSpec,
};
use crate::msf::{Lba, PREGAP_SECTORS, TrackNo};
use crate::sector::{SectorEncoder, SectorType};
use core::fmt;

/// Sectors of the previous track's mode at the start of an extended pregap
/// (1 s), before the new mode's 2 s.
const MODE_CHANGE_LEAD_SECTORS: u32 = 75;
/// The pregap (and postgap) length the layout rules ask for: 2 s.
const GAP_SECTORS: u32 = PREGAP_SECTORS as u32;
/// Minimum payload of a track: 4 s.
const MIN_TRACK_SECTORS: u32 = crate::msf::MIN_TRACK_SECTORS as u32;
/// Minimum distance between index points (IMAPI2).
const MIN_INDEX_DISTANCE: u32 = 10;
/// Bytes of one sector's record in a linear P-W file.
const SUB_RECORD: u64 = crate::subchannel::PW_SIZE as u64;

/// A validated disc layout: every track, index and gap at a fixed LBA.
#[derive(Debug, Clone, PartialEq)]
pub struct Disc {
    project: Project,
    cdtext: Vec<crate::cdtext::Pack>,
    tracks: Vec<PlannedTrack>,
    regions: Vec<Region>,
    leadout: Lba,
    disc_type: DiscType,
    warnings: Vec<Warning>,
}

/// One track of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedTrack {
    /// Track number.
    pub number: TrackNo,
    /// Sector type of its data.
    pub sector_type: SectorType,
    /// How its sectors are encoded.
    pub encoder: SectorEncoder,
    /// Q-subchannel CONTROL nibble as in the TOC (copy bit clear for SCMS).
    pub control: u8,
    /// Digital copy setting.
    pub copy: CopySetting,
    /// First sector of the pregap (index 0); equals `start` without one.
    pub pregap_start: Lba,
    /// First sector of index 1.
    pub start: Lba,
    /// Starts of index 1, 2, ….
    pub indexes: Vec<Lba>,
    /// End (exclusive) of the data from the source.
    pub data_end: Lba,
    /// End (exclusive) of the track, postgap included.
    pub end: Lba,
    /// ISRC.
    pub isrc: Option<Isrc>,
}

impl PlannedTrack {
    /// Pregap length in sectors.
    pub fn pregap_sectors(&self) -> u32 {
        self.start.since(self.pregap_start) as u32
    }

    /// Data length in sectors (index 1 up to the postgap).
    pub fn data_sectors(&self) -> u32 {
        self.data_end.since(self.start) as u32
    }

    /// Postgap length in sectors.
    pub fn postgap_sectors(&self) -> u32 {
        self.end.since(self.data_end) as u32
    }

    /// Sectors from index 1 to the end of the track.
    pub fn length(&self) -> u32 {
        self.end.since(self.start) as u32
    }

    /// Whether this is an audio track.
    pub fn is_audio(&self) -> bool {
        self.sector_type.is_audio()
    }
}

/// What the table of contents and the subchannel need of a disc: its
/// tracks with their index points, the lead-out, the disc type and the
/// MCN. A [`Disc`] has one ([`Disc::toc_layout`]); a recorder rebuilds one
/// from a cue sheet or the tracks it recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TocLayout {
    /// The tracks, in order.
    pub tracks: Vec<TocTrack>,
    /// Where the lead-out starts.
    pub leadout: Lba,
    /// The disc type (A0 PSEC).
    pub disc_type: DiscType,
    /// The Media Catalog Number.
    pub mcn: Option<super::Mcn>,
}

/// One track of a [`TocLayout`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TocTrack {
    /// Track number.
    pub number: u8,
    /// Q CONTROL nibble (copy bit clear for SCMS).
    pub control: u8,
    /// Digital copy setting.
    pub copy: CopySetting,
    /// First sector of the pregap (the track start when there is none).
    pub pregap_start: Lba,
    /// Starts of index 1, 2, … (index 1 is the track start).
    pub indexes: Vec<Lba>,
    /// End (exclusive), postgap included.
    pub end: Lba,
    /// ISRC.
    pub isrc: Option<Isrc>,
}

impl TocTrack {
    /// Where index 1 starts.
    pub fn start(&self) -> Lba {
        self.indexes.first().copied().unwrap_or(self.pregap_start)
    }
}

/// Where a region lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Inside a track: its position in [`Disc::tracks`] and the index.
    Track {
        /// Position of the track in [`Disc::tracks`].
        track: usize,
        /// Index number (0 for the pregap).
        index: u8,
    },
    /// The lead-out.
    LeadOut,
}

/// Where a region's sectors come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// Generated: digital silence, or data sectors with zero user data.
    Zero,
    /// Read from a source.
    Source {
        /// Where the region's first sector starts.
        pos: SourcePos,
        /// Bytes per sector in the source.
        stride: u64,
        /// Each sector is followed by 96 bytes of P-W whose R-W bits are
        /// kept.
        rw: bool,
        /// Audio samples are big-endian in the source.
        swap: bool,
        /// R-W of each sector from a separate file of 96-byte linear P-W
        /// records (a CloneCD `.sub`): where this region's first record
        /// lies.
        rw_sub: Option<SourcePos>,
    },
}

/// A run of consecutive sectors that share everything but their address:
/// area, index, encoding and content. The frame encoder walks these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// First sector.
    pub start: Lba,
    /// Number of sectors.
    pub sectors: u32,
    /// Track and index, or lead-out.
    pub area: Area,
    /// How the sectors are encoded.
    pub encoder: SectorEncoder,
    /// Where the data comes from.
    pub content: Content,
}

impl Region {
    /// End (exclusive).
    pub fn end(&self) -> Lba {
        Lba(self.start.0 + self.sectors as i32)
    }
}

/// A departure from a recommended layout rule that the plan honours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The track concerned, if one.
    pub track: Option<u8>,
    /// What departs from which rule.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.track {
            Some(t) => write!(f, "track {t}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The encoder for generated sectors of a track's mode: silence for audio,
/// zero user data in the matching cooked type for data.
pub(crate) fn generated_encoder(ty: SectorType) -> SectorEncoder {
    SectorEncoder::new(match ty {
        SectorType::Audio => SectorType::Audio,
        SectorType::Mode0 => SectorType::Mode0,
        SectorType::Mode1 | SectorType::Mode1Raw => SectorType::Mode1,
        SectorType::Mode2Formless | SectorType::Mode2FormlessRaw => SectorType::Mode2Formless,
        SectorType::Mode2Form1 | SectorType::Mode2Form1Raw => SectorType::Mode2Form1,
        // Mixed-form XA tracks get Form 2 zero sectors, as drives generate.
        _ => SectorType::Mode2Form2,
    })
}

/// Track types that may follow one another without an extended gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Audio,
    Mode0,
    Mode1,
    Mode2,
}

fn family(ty: SectorType) -> Family {
    match ty.mode() {
        None => Family::Audio,
        Some(0) => Family::Mode0,
        Some(1) => Family::Mode1,
        _ => Family::Mode2,
    }
}

/// A pregap as laid out: generated in the previous track's mode first (for
/// mode changes), then the gap proper.
#[derive(Debug, Clone, Copy)]
struct PregapLayout {
    lead_in_previous_mode: u32,
    gap: Gap,
    /// Source layout of sourced pregap data: stride and R-W flag.
    source_stride: u64,
    source_rw: bool,
    /// Where the R-W records of the sourced part lie, if in a separate file.
    source_sub: Option<SourcePos>,
    /// Sectors of the track's own pregap source in use: the R-W records of
    /// its data follow theirs.
    own_source_sectors: u32,
}

/// Gaps and lengths after defaults and gapless carving.
#[derive(Debug, Clone, Copy)]
struct TrackLayout {
    pregap: PregapLayout,
    data_sectors: u32,
    postgap: u32,
}

impl Disc {
    /// Plans a project: validates it and fixes every LBA.
    ///
    /// ## Errors
    ///
    /// A [`DiscError`] for the first rule the project breaks.
    pub fn plan(project: &Project) -> Result<Disc, DiscError> {
        if project.format > PROJECT_FORMAT {
            return Err(DiscError::ProjectFormat(project.format));
        }
        let first = TrackNo::new(project.first_track)
            .map_err(|_| DiscError::FirstTrackNumber(project.first_track))?;
        let specs = &project.tracks;
        if specs.is_empty() {
            return Err(DiscError::NoTracks);
        }
        if first.get() as usize + specs.len() - 1 > 99 {
            return Err(DiscError::TooManyTracks {
                first: first.get(),
                count: specs.len(),
            });
        }
        let mut warnings = Vec::new();
        check_sources(project)?;
        let layouts = layouts(project, first, &mut warnings)?;

        let mut tracks = Vec::with_capacity(specs.len());
        let mut regions = Vec::new();
        let mut lba = Lba::PREGAP_START;
        for (i, (spec, layout)) in specs.iter().zip(&layouts).enumerate() {
            let number = track_no(first, i);
            let encoder = track_encoder(spec, number)?;
            let generated = generated_encoder(spec.sector_type);
            let pregap_start = lba;

            // Pregap: the previous mode's part, then the gap proper.
            let lead = layout.pregap.lead_in_previous_mode;
            if lead > 0 {
                let prev = generated_encoder(specs[i - 1].sector_type);
                push(
                    &mut regions,
                    lba,
                    lead,
                    Area::Track { track: i, index: 0 },
                    prev,
                    Content::Zero,
                );
                lba = Lba(lba.0 + lead as i32);
            }
            let gap = layout.pregap.gap;
            let generated_sectors = gap.generated - lead;
            push(
                &mut regions,
                lba,
                generated_sectors,
                Area::Track { track: i, index: 0 },
                generated,
                Content::Zero,
            );
            lba = Lba(lba.0 + generated_sectors as i32);
            if let Some(span) = gap.source {
                let content = Content::Source {
                    pos: span.pos(),
                    stride: layout.pregap.source_stride,
                    rw: layout.pregap.source_rw,
                    swap: spec.sector_type.is_audio() && is_swapped(project, span.source),
                    rw_sub: layout.pregap.source_sub,
                };
                push(
                    &mut regions,
                    lba,
                    span.sectors,
                    Area::Track { track: i, index: 0 },
                    encoder,
                    content,
                );
                lba = Lba(lba.0 + span.sectors as i32);
            }

            // Data, split at its index points.
            let start = lba;
            let stride = spec.source_stride();
            let swap = spec.sector_type.is_audio() && is_swapped(project, spec.data.source);
            let mut bounds: Vec<u32> = vec![0];
            bounds.extend(&spec.indexes);
            bounds.push(layout.data_sectors);
            for (k, w) in bounds.windows(2).enumerate() {
                let (from, to) = (w[0], w[1]);
                let content = Content::Source {
                    pos: SourcePos {
                        source: spec.data.source,
                        offset: spec.data.offset + from as u64 * stride,
                    },
                    stride,
                    rw: spec.rw_in_source,
                    swap,
                    rw_sub: spec.rw_sub.map(|p| SourcePos {
                        source: p.source,
                        offset: p.offset
                            + (layout.pregap.own_source_sectors + from) as u64 * SUB_RECORD,
                    }),
                };
                let area = Area::Track {
                    track: i,
                    index: (k + 1) as u8,
                };
                push(
                    &mut regions,
                    Lba(start.0 + from as i32),
                    to - from,
                    area,
                    encoder,
                    content,
                );
            }
            let data_end = Lba(start.0 + layout.data_sectors as i32);
            let last_index = bounds.len() as u8 - 1;
            push(
                &mut regions,
                data_end,
                layout.postgap,
                Area::Track {
                    track: i,
                    index: last_index,
                },
                generated,
                Content::Zero,
            );
            let end = Lba(data_end.0 + layout.postgap as i32);
            lba = end;

            tracks.push(PlannedTrack {
                number,
                sector_type: spec.sector_type,
                encoder,
                control: control_nibble(spec),
                copy: spec.copy,
                pregap_start,
                start,
                indexes: spec.indexes.iter().fold(vec![start], |mut v, &o| {
                    v.push(Lba(start.0 + o as i32));
                    v
                }),
                data_end,
                end,
                isrc: spec.isrc,
            });
        }

        let leadout = lba;
        let limit = project.leadout_limit.lba();
        if leadout > limit {
            return Err(DiscError::DoesNotFit {
                leadout,
                leadout_msf: msf_text(leadout),
                limit,
                limit_msf: msf_text(limit),
                over: leadout.since(limit),
            });
        }
        let last_sector = Lba(leadout.0 + LEAD_OUT_SECTORS as i32 - 1);
        if last_sector > Lba::MAX_DISC_TIME {
            return Err(DiscError::TooLong(last_sector));
        }
        let last_type = specs[specs.len() - 1].sector_type;
        push(
            &mut regions,
            leadout,
            LEAD_OUT_SECTORS,
            Area::LeadOut,
            generated_encoder(last_type),
            Content::Zero,
        );

        let disc_type = project.disc_type.unwrap_or_else(|| {
            if specs.iter().any(|t| family(t.sector_type) == Family::Mode2) {
                DiscType::CdRomXa
            } else {
                DiscType::CdDaOrCdRom
            }
        });

        let mut disc = Disc {
            project: project.clone(),
            cdtext: Vec::new(),
            tracks,
            regions,
            leadout,
            disc_type,
            warnings,
        };
        if let Some(text) = &project.cdtext {
            if project.rw_generator.is_some() {
                return Err(DiscError::CdTextAndRwGenerator);
            }
            disc.cdtext = text.to_packs(&crate::cdtext::TocSummary::of(&disc))?;
        }
        Ok(disc)
    }

    /// The layout the TOC and subchannel follow.
    pub fn toc_layout(&self) -> TocLayout {
        TocLayout {
            tracks: self
                .tracks
                .iter()
                .map(|t| TocTrack {
                    number: t.number.get(),
                    control: t.control,
                    copy: t.copy,
                    pregap_start: t.pregap_start,
                    indexes: t.indexes.clone(),
                    end: t.end,
                    isrc: t.isrc,
                })
                .collect(),
            leadout: self.leadout,
            disc_type: self.disc_type,
            mcn: self.project.mcn,
        }
    }

    /// The CD-TEXT packs (empty without CD-TEXT).
    pub fn cdtext_packs(&self) -> &[crate::cdtext::Pack] {
        &self.cdtext
    }

    /// The project this plan was made from.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// The tracks, in order.
    pub fn tracks(&self) -> &[PlannedTrack] {
        &self.tracks
    }

    /// The regions from LBA −150 through the lead-out, in LBA order.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// Where the lead-out starts (IMAPI2's `StartOfLeadout`).
    pub fn leadout(&self) -> Lba {
        self.leadout
    }

    /// The last sector of the lead-out.
    pub fn end(&self) -> Lba {
        Lba(self.leadout.0 + LEAD_OUT_SECTORS as i32)
    }

    /// The last sector that belongs to a track (IMAPI2's
    /// `LastUsedUserSectorInImage`).
    pub fn last_used_sector(&self) -> Lba {
        Lba(self.leadout.0 - 1)
    }

    /// The disc type.
    pub fn disc_type(&self) -> DiscType {
        self.disc_type
    }

    /// Departures from recommended rules that the plan honours.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The first track number.
    pub fn first_track(&self) -> TrackNo {
        self.tracks[0].number
    }

    /// The last track number.
    pub fn last_track(&self) -> TrackNo {
        self.tracks[self.tracks.len() - 1].number
    }

    /// The region holding `lba`, if it lies between −150 and the end of the
    /// lead-out.
    pub fn region_at(&self, lba: Lba) -> Option<&Region> {
        let i = self.regions.partition_point(|r| r.end() <= lba);
        self.regions.get(i).filter(|r| r.start <= lba)
    }

    /// The position in [`Disc::regions`] of the region holding `lba`, or of
    /// the first region after it.
    pub fn region_index(&self, lba: Lba) -> usize {
        self.regions.partition_point(|r| r.end() <= lba)
    }
}

fn track_no(first: TrackNo, i: usize) -> TrackNo {
    TrackNo::new(first.get() + i as u8).unwrap_or(TrackNo::MAX)
}

fn msf_text(lba: Lba) -> String {
    lba.to_disc_time()
        .map(|m| m.to_string())
        .unwrap_or_else(|_| "beyond 99:59:74".to_string())
}

fn is_swapped(project: &Project, source: usize) -> bool {
    project
        .sources
        .get(source)
        .is_some_and(|s| s.format == SourceFormat::Motorola)
}

fn push(
    regions: &mut Vec<Region>,
    start: Lba,
    sectors: u32,
    area: Area,
    encoder: SectorEncoder,
    content: Content,
) {
    if sectors > 0 {
        regions.push(Region {
            start,
            sectors,
            area,
            encoder,
            content,
        });
    }
}

/// The Q CONTROL nibble of a track (`cd-standards.md` §3.3).
fn control_nibble(spec: &TrackSpec) -> u8 {
    let copy = if spec.copy == CopySetting::Permitted {
        0x2
    } else {
        0
    };
    if spec.sector_type.is_audio() {
        (if spec.four_channel { 0x8 } else { 0 }) | copy | (if spec.pre_emphasis { 0x1 } else { 0 })
    } else {
        0x4 | copy
    }
}

fn track_encoder(spec: &TrackSpec, number: TrackNo) -> Result<SectorEncoder, DiscError> {
    let enc = SectorEncoder::new(spec.sector_type);
    match spec.subheader {
        Some(sub) => enc
            .with_subheader(sub)
            .map_err(|source| DiscError::Subheader {
                track: number.get(),
                source,
            }),
        None => Ok(enc),
    }
}

fn check_sources(project: &Project) -> Result<(), DiscError> {
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
        let n = project.first_track as usize + i;
        check(format!("track {n}"), t.data.source)?;
        if let Some(span) = t.pregap.and_then(|g| g.source) {
            check(format!("track {n}'s pregap"), span.source)?;
        }
        if let Some(sub) = t.rw_sub {
            check(format!("track {n}'s r-w"), sub.source)?;
            if project.rw_generator.is_some() {
                return Err(DiscError::RwSubAndGenerator(n as u8));
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

/// Resolves every track's gaps (defaults, hidden track audio, gapless
/// carving) and checks lengths and indexes.
fn layouts(
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
        let data_sectors = spec.data.sectors;
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
            } else if let Some(g) = spec.pregap {
                if g.sectors() < GAP_SECTORS {
                    return Err(DiscError::FirstPregapTooShort {
                        track: number,
                        sectors: g.sectors(),
                    });
                }
                pregap.gap = g;
            }
        } else {
            let prev = &specs[i - 1];
            let changes = family(prev.sector_type) != family(ty);
            match spec.pregap {
                Some(g) => {
                    pregap.gap = g;
                    if changes
                        && !ty.is_audio()
                        && g.sectors() < GAP_SECTORS + MODE_CHANGE_LEAD_SECTORS
                    {
                        warnings.push(Warning {
                            track: Some(number),
                            message: format!(
                                "{ty} after {} has a {}-sector pregap; a mode change asks for at least 225 (75 in the previous mode, then 150)",
                                prev.sector_type,
                                g.sectors()
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
                    let left = prev_layout.data_sectors.saturating_sub(GAP_SECTORS);
                    if left + prev_layout.postgap < MIN_TRACK_SECTORS {
                        return Err(DiscError::GaplessTooShort {
                            track: number - 1,
                            left,
                        });
                    }
                    prev_layout.data_sectors = left;
                    pregap.gap = Gap::sourced(SourceSpan {
                        source: prev.data.source,
                        offset: prev.data.offset + left as u64 * prev.source_stride(),
                        sectors: GAP_SECTORS,
                    });
                    pregap.source_stride = prev.source_stride();
                    pregap.source_rw = prev.rw_in_source;
                    pregap.source_sub = prev.rw_sub.map(|p| SourcePos {
                        source: p.source,
                        offset: p.offset
                            + (prev_layout.pregap.own_source_sectors + left) as u64 * SUB_RECORD,
                    });
                }
                None => {}
            }
        }

        if matches!(spec.pregap, Some(g) if g.source.is_some() && pregap.gap == g) {
            pregap.own_source_sectors = pregap.gap.source.map_or(0, |s| s.sectors);
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
            data_sectors,
            postgap,
        });
    }

    // Lengths and indexes once carving has settled every data length.
    for (i, (spec, layout)) in specs.iter().zip(&out).enumerate() {
        let number = track_no(first, i).get();
        let length = layout.data_sectors + layout.postgap;
        if length < MIN_TRACK_SECTORS {
            return Err(DiscError::TrackTooShort {
                track: number,
                sectors: length,
            });
        }
        check_indexes(number, &spec.indexes, layout.data_sectors, warnings)?;
    }
    Ok(out)
}

/// Index offsets must increase within the data; closer than 10 sectors is
/// honoured with a warning (the editing API refuses it).
fn check_indexes(
    track: u8,
    offsets: &[u32],
    sectors: u32,
    warnings: &mut Vec<Warning>,
) -> Result<(), DiscError> {
    if offsets.len() > 98 {
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
    let mut points = vec![0];
    points.extend(offsets);
    points.push(sectors);
    for (k, w) in points.windows(2).enumerate() {
        if w[1] - w[0] < MIN_INDEX_DISTANCE {
            warnings.push(Warning {
                track: Some(track),
                message: format!(
                    "index {} spans {} sectors; indexes are meant to be at least 10 sectors apart",
                    k + 1,
                    w[1] - w[0]
                ),
            });
        }
    }
    Ok(())
}
