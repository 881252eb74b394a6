//! The plan: a project turned into fixed LBAs, without encoding anything.

use super::limits::{MAX_SOURCES, MAX_TRACKS, check_source};
use super::{
    CopySetting, DiscError, DiscType, Isrc, LEAD_OUT_SECTORS, PROJECT_FORMAT, Piece, Pieces,
    Project, SourceFormat, SourcePos, TrackSpec, rules,
};
use crate::frames::RAW_IMAGE_START;
use crate::msf::{Lba, TrackNo};
use crate::sector::{SectorEncoder, SectorType};
use core::fmt;

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
        sectors(self.pregap_start, self.start)
    }

    /// Data length in sectors (index 1 up to the postgap).
    pub fn data_sectors(&self) -> u32 {
        sectors(self.start, self.data_end)
    }

    /// Postgap length in sectors.
    pub fn postgap_sectors(&self) -> u32 {
        sectors(self.data_end, self.end)
    }

    /// Sectors from index 1 to the end of the track.
    pub fn length(&self) -> u32 {
        sectors(self.start, self.end)
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
        Lba(self.start.0.saturating_add_unsigned(self.sectors))
    }
}

/// Sectors from `from` to `to` (none when `to` is not after `from`).
fn sectors(from: Lba, to: Lba) -> u32 {
    u32::try_from(to.since(from)).unwrap_or(0)
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

impl Disc {
    /// Plans a project: validates it and fixes every LBA.
    ///
    /// ## Errors
    ///
    /// A [`DiscError`] for the first rule the project breaks. Values no disc
    /// can hold are refused naming the field and the track
    /// ([`DiscError::ValueDoesNotFit`], [`DiscError::SourceRange`],
    /// [`DiscError::LeadoutLimitBeyondDisc`], [`DiscError::TooManySources`])
    /// before anything is added up, so no sum wraps.
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
        if usize::from(first.get()) + specs.len() - 1 > MAX_TRACKS {
            return Err(DiscError::TooManyTracks {
                first: first.get(),
                count: specs.len(),
            });
        }
        if project.sources.len() > MAX_SOURCES {
            return Err(DiscError::TooManySources(project.sources.len()));
        }
        let limit = project.leadout_limit.lba();
        if limit > Lba::MAX_DISC_TIME {
            return Err(DiscError::LeadoutLimitBeyondDisc(limit));
        }
        let mut warnings = Vec::new();
        if let Some(e) = project.mcn.and_then(|m| m.check_digit_error()) {
            warnings.push(Warning {
                track: None,
                message: format!(
                    "{e} (EAN-13); kept as given, as players and drives do not check it"
                ),
            });
        }
        rules::check_sources(project)?;
        rules::check_source_ranges(project, first)?;
        let mut layouts = rules::layouts(project, first, &mut warnings)?;
        rules::check_values(project, first, &mut layouts)?;
        rules::check_lengths(project, first, &layouts, &mut warnings)?;

        // Every gap and length is now at most `MAX_SECTORS`: positions are
        // added up as i64 and each fits an i32 (`at` says so if not).
        let mut tracks = Vec::with_capacity(specs.len());
        let mut regions = Vec::new();
        let mut pos = i64::from(Lba::PREGAP_START.get());
        for (i, (spec, layout)) in specs.iter().zip(&layouts).enumerate() {
            let number = rules::track_no(first, i);
            let encoder = track_encoder(spec, number)?;
            let generated = generated_encoder(spec.sector_type);
            let pregap_start = at(pos)?;
            let index0 = Area::Track { track: i, index: 0 };

            // Pregap: the previous mode's part, then the gap proper.
            let lead = layout.pregap.lead_in_previous_mode;
            if lead > 0 {
                let prev = generated_encoder(specs[i - 1].sector_type);
                push(&mut regions, at(pos)?, lead, index0, prev, Content::Zero);
                pos += i64::from(lead);
            }
            let gap = &layout.pregap.gap;
            let generated_sectors = gap.generated.saturating_sub(lead);
            push(
                &mut regions,
                at(pos)?,
                generated_sectors,
                index0,
                generated,
                Content::Zero,
            );
            pos += i64::from(generated_sectors);
            if let Some(pieces) = &gap.source {
                let lay = Lay {
                    project,
                    stride: layout.pregap.source_stride,
                    rw: layout.pregap.source_rw,
                    audio: spec.sector_type.is_audio(),
                    rw_sub: layout.pregap.source_sub,
                    encoder,
                    generated,
                };
                pos = lay.push(&mut regions, pos, pieces, &[], |_| index0)?;
            }

            // Data, split at its index points and where pieces meet.
            let start = at(pos)?;
            let lay = Lay {
                project,
                stride: spec.source_stride(),
                rw: spec.rw_in_source,
                audio: spec.sector_type.is_audio(),
                // Records within spans `check_source_ranges` has bounded.
                rw_sub: spec.rw_sub.map(|p| SourcePos {
                    source: p.source,
                    offset: rules::offset_after(
                        p.offset,
                        layout.pregap.own_source_sectors,
                        rules::SUB_RECORD,
                    ),
                }),
                encoder,
                generated,
            };
            pos = lay.push(&mut regions, pos, &layout.data, &spec.indexes, |k| {
                Area::Track {
                    track: i,
                    index: u8::try_from(k + 1).unwrap_or(u8::MAX),
                }
            })?;
            let index = u8::try_from(spec.indexes.len() + 1).unwrap_or(u8::MAX);
            let data_end = at(pos)?;
            push(
                &mut regions,
                data_end,
                layout.postgap,
                Area::Track { track: i, index },
                generated,
                Content::Zero,
            );
            pos += i64::from(layout.postgap);
            let end = at(pos)?;

            let mut indexes = vec![start];
            for &o in &spec.indexes {
                indexes.push(at(i64::from(start.get()) + i64::from(o))?);
            }
            // A track too short to hold a sector for its ISRC frame: the
            // disc cannot carry it, so neither does the plan.
            let mut isrc = spec.isrc;
            if isrc.is_some() && !crate::subchannel::has_isrc_sector(start, end, &indexes) {
                warnings.push(Warning {
                    track: Some(number.get()),
                    message: format!(
                        "its ISRC is not written: from index 1 the track has {} sectors, and none of them is one of the 1 in 90 that carry the ISRC in Q",
                        end.since(start)
                    ),
                });
                isrc = None;
            }
            tracks.push(PlannedTrack {
                number,
                sector_type: spec.sector_type,
                encoder,
                control: control_nibble(spec),
                copy: spec.copy,
                pregap_start,
                start,
                indexes,
                data_end,
                end,
                isrc,
            });
        }

        let leadout = at(pos)?;
        if leadout > limit {
            return Err(DiscError::DoesNotFit {
                leadout,
                leadout_msf: msf_text(leadout),
                limit,
                limit_msf: msf_text(limit),
                over: leadout.since(limit),
            });
        }
        let last_sector = at(pos + i64::from(LEAD_OUT_SECTORS) - 1)?;
        if last_sector > Lba::MAX_DISC_TIME {
            return Err(DiscError::TooLong(last_sector));
        }
        if let Some(rw) = project.rw_generator {
            let records = pos + i64::from(LEAD_OUT_SECTORS) - i64::from(RAW_IMAGE_START.get());
            check_source(
                None,
                "r-w generator",
                rw.offset,
                u64::try_from(records).unwrap_or(0),
                rules::SUB_RECORD,
            )?;
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
            if specs
                .iter()
                .any(|t| rules::family(t.sector_type) == rules::Family::Mode2)
            {
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
        Lba(self.leadout.0.saturating_add_unsigned(LEAD_OUT_SECTORS))
    }

    /// The last sector that belongs to a track (IMAPI2's
    /// `LastUsedUserSectorInImage`).
    pub fn last_used_sector(&self) -> Lba {
        Lba(self.leadout.0.saturating_sub(1))
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

    /// The same plan with track 1's index 1 at `start` instead of LBA 0:
    /// every track, index, region and the lead-out moved by `start`, as a
    /// later session lies on a disc. Encoding the moved plan gives each
    /// sector its real address (data headers, Q absolute time, where MCN
    /// and ISRC fall). The lead-in is not part of a moved plan: encode from
    /// its first pregap on.
    pub fn moved(&self, start: Lba) -> Disc {
        let by = |l: Lba| Lba(l.0.saturating_add(start.0));
        let mut disc = self.clone();
        for t in &mut disc.tracks {
            t.pregap_start = by(t.pregap_start);
            t.start = by(t.start);
            t.data_end = by(t.data_end);
            t.end = by(t.end);
            t.indexes.iter_mut().for_each(|i| *i = by(*i));
        }
        disc.regions.iter_mut().for_each(|r| r.start = by(r.start));
        disc.leadout = by(disc.leadout);
        disc
    }

    /// The position in [`Disc::regions`] of the region holding `lba`, or of
    /// the first region after it.
    pub fn region_index(&self, lba: Lba) -> usize {
        self.regions.partition_point(|r| r.end() <= lba)
    }
}

/// The LBA of a position the plan has added up. Every gap and length is
/// at most `MAX_SECTORS` by then, so this cannot fail in practice; if it
/// did, the disc would be far past its end.
fn at(pos: i64) -> Result<Lba, DiscError> {
    i32::try_from(pos)
        .map(Lba)
        .map_err(|_| DiscError::TooLong(Lba(i32::MAX)))
}

fn msf_text(lba: Lba) -> String {
    match lba.to_disc_time() {
        Ok(m) => m.to_string(),
        Err(_) if lba < Lba::MIN_MSF => "before 90:00:00".to_string(),
        Err(_) => "beyond 99:59:74".to_string(),
    }
}

fn is_swapped(project: &Project, source: usize) -> bool {
    project
        .sources
        .get(source)
        .is_some_and(|s| s.format == SourceFormat::Motorola)
}

/// How a track's pieces become regions.
struct Lay<'a> {
    project: &'a Project,
    /// Bytes per sector in the sources.
    stride: u64,
    /// R-W follows each source sector.
    rw: bool,
    /// Audio: big-endian sources are swapped.
    audio: bool,
    /// R-W record of the first sector read from a source, in a separate
    /// file.
    rw_sub: Option<SourcePos>,
    /// Encoder of sectors read from sources, and of generated ones.
    encoder: SectorEncoder,
    generated: SectorEncoder,
}

impl Lay<'_> {
    /// Pushes the regions of `pieces` laid from `pos`, starting a new area
    /// (`area(k)` after `k` cuts) at each offset of `cuts` (increasing,
    /// within the pieces); returns the position after them.
    fn push(
        &self,
        regions: &mut Vec<Region>,
        mut pos: i64,
        pieces: &Pieces,
        cuts: &[u32],
        area: impl Fn(usize) -> Area,
    ) -> Result<i64, DiscError> {
        let mut offset = 0u64;
        let mut records = 0u64;
        for piece in &pieces.0 {
            let n = u64::from(piece.sectors());
            let mut done = 0u64;
            while done < n {
                let here = offset + done;
                let k = cuts.iter().take_while(|&&c| u64::from(c) <= here).count();
                let next = cuts.get(k).map_or(u64::MAX, |&c| u64::from(c));
                let len = (n - done).min(next - here);
                let content = match *piece {
                    Piece::Generated(_) => Content::Zero,
                    // Offsets within spans `check_source_ranges` has
                    // bounded.
                    Piece::Source(span) => Content::Source {
                        pos: SourcePos {
                            source: span.source,
                            offset: rules::offset_after(span.offset, done, self.stride),
                        },
                        stride: self.stride,
                        rw: self.rw,
                        swap: self.audio && is_swapped(self.project, span.source),
                        rw_sub: self.rw_sub.map(|p| SourcePos {
                            source: p.source,
                            offset: rules::offset_after(
                                p.offset,
                                records + done,
                                rules::SUB_RECORD,
                            ),
                        }),
                    },
                };
                let encoder = match piece {
                    Piece::Generated(_) => self.generated,
                    Piece::Source(_) => self.encoder,
                };
                // `len` is at most the piece's u32 length.
                push(regions, at(pos)?, len as u32, area(k), encoder, content);
                pos += i64::try_from(len).unwrap_or(i64::MAX);
                done += len;
            }
            offset += n;
            if let Piece::Source(_) = piece {
                records += n;
            }
        }
        Ok(pos)
    }
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
