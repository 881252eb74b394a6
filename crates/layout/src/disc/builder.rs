//! Editing a project with IMAPI2's rules: `IRawCDImageCreator` and
//! `IRawCDImageTrackInfo` in Rust idiom, without their limits (any sector
//! type, mixed mode, media up to 99 minutes).

use super::{
    CopySetting, Disc, DiscError, Gap, ImageType, Isrc, LeadoutLimit, MAX_SOURCES, Mcn, Project,
    Source, SourceFormat, SourcePos, SourceSpan, TrackSpec,
};
use crate::msf::{Lba, TrackNo};
use crate::sector::{SectorType, XaSubheader};

/// Minimum distance between index points.
const MIN_INDEX_DISTANCE: u32 = 10;
/// IMAPI2's shortest track: 4 seconds.
const MIN_TRACK: u32 = crate::msf::MIN_TRACK_SECTORS as u32;

/// Builds a disc the way IMAPI2's `IRawCDImageCreator` does: add tracks,
/// set disc-wide properties, then [`ImageCreator::create_result_image`]
/// freezes it and returns the plan.
///
/// ```
/// use layout::disc::{ImageCreator, SourceFormat, SourceSpan};
/// use layout::sector::SectorType;
///
/// let mut disc = ImageCreator::new();
/// let wav = disc.add_source("song.wav", SourceFormat::Audio)?;
/// let n = disc.add_track(SectorType::Audio, SourceSpan { source: wav, offset: 0, sectors: 4500 })?;
/// disc.track_info(n)?.add_track_index(1500)?;
/// disc.set_media_catalog_number("0036000291452")?;
/// let plan = disc.create_result_image()?;
/// assert_eq!(plan.leadout().get(), 4500);
/// # Ok::<(), layout::disc::DiscError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ImageCreator {
    project: Project,
    created: bool,
}

/// Whether [`TrackInfo::add_track_index`] added a new index or found one
/// there (IMAPI2's `S_IMAPI_RAW_IMAGE_TRACK_INDEX_ALREADY_EXISTS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexAdded {
    /// A new index point.
    Added,
    /// An index was already at that offset.
    AlreadyExists,
}

impl ImageCreator {
    /// An empty disc with every setting at its default.
    pub fn new() -> ImageCreator {
        ImageCreator::default()
    }

    /// Continues editing an existing project.
    pub fn from_project(project: Project) -> ImageCreator {
        ImageCreator {
            project,
            created: false,
        }
    }

    /// The project as edited so far.
    pub fn project(&self) -> &Project {
        &self.project
    }

    fn writable(&self) -> Result<(), DiscError> {
        if self.created {
            Err(DiscError::ReadOnly)
        } else {
            Ok(())
        }
    }

    /// Applies a change and keeps it only if the project still plans.
    fn try_change(&mut self, change: impl FnOnce(&mut Project)) -> Result<(), DiscError> {
        self.writable()?;
        let mut candidate = self.project.clone();
        change(&mut candidate);
        if !candidate.tracks.is_empty() {
            let disc = Disc::plan(&candidate)?;
            // IMAPI2 refuses tracks shorter than 4 seconds, which a plan
            // of an image only warns about: a change may not make one
            // (a disc read from a sheet may come with some).
            let short = |d: &Disc| d.tracks().iter().filter(|t| t.length() < MIN_TRACK).count();
            let before = Disc::plan(&self.project).map_or(0, |d| short(&d));
            if short(&disc) > before
                && let Some(t) = disc.tracks().iter().rev().find(|t| t.length() < MIN_TRACK)
            {
                return Err(DiscError::TrackTooShort {
                    track: t.number.get(),
                    sectors: t.length(),
                });
            }
        }
        self.project = candidate;
        Ok(())
    }

    /// Registers a file that supplies data; returns its source index.
    ///
    /// ## Errors
    ///
    /// [`DiscError::TooManySources`] past [`MAX_SOURCES`],
    /// [`DiscError::ReadOnly`] after the image was created.
    pub fn add_source(
        &mut self,
        path: impl Into<String>,
        format: SourceFormat,
    ) -> Result<usize, DiscError> {
        self.writable()?;
        if self.project.sources.len() >= MAX_SOURCES {
            return Err(DiscError::TooManySources(self.project.sources.len() + 1));
        }
        self.project.sources.push(Source {
            path: path.into(),
            format,
            join: Vec::new(),
        });
        Ok(self.project.sources.len() - 1)
    }

    /// Adds a track of any sector type; returns its 1-based position
    /// (IMAPI2's `AddTrack`).
    ///
    /// ## Errors
    ///
    /// [`DiscError::TooManyTracks`], [`DiscError::TrackTooShort`],
    /// [`DiscError::DoesNotFit`], [`DiscError::NoSuchSource`],
    /// [`DiscError::ReadOnly`].
    pub fn add_track(
        &mut self,
        sector_type: SectorType,
        data: SourceSpan,
    ) -> Result<usize, DiscError> {
        self.add_track_spec(TrackSpec::new(sector_type, data))
    }

    /// Adds a fully described track; returns its 1-based position.
    ///
    /// ## Errors
    ///
    /// As [`ImageCreator::add_track`].
    pub fn add_track_spec(&mut self, spec: TrackSpec) -> Result<usize, DiscError> {
        self.try_change(|p| p.tracks.push(spec))?;
        Ok(self.project.tracks.len())
    }

    /// Sets the audio of track 1's pregap, hidden before track 1 (IMAPI2's
    /// `AddSpecialPregap`).
    ///
    /// ## Errors
    ///
    /// [`DiscError::TracksAlreadyAdded`] once a track exists,
    /// [`DiscError::SpecialPregapTooShort`] under 150 sectors,
    /// [`DiscError::ReadOnly`].
    pub fn add_special_pregap(&mut self, data: SourceSpan) -> Result<(), DiscError> {
        self.writable()?;
        if !self.project.tracks.is_empty() {
            return Err(DiscError::TracksAlreadyAdded("the hidden track-one audio"));
        }
        if data.sectors < 150 {
            return Err(DiscError::SpecialPregapTooShort(data.sectors));
        }
        self.project.special_pregap = Some(data);
        Ok(())
    }

    /// Sets R-W subcode for every sector of the raw image, 96 bytes each
    /// from 95:00:00 on (IMAPI2's `AddSubcodeRWGenerator`).
    ///
    /// ## Errors
    ///
    /// [`DiscError::RwNeedsPw`] with an image type without R-W,
    /// [`DiscError::ReadOnly`].
    pub fn add_subcode_rw_generator(&mut self, pos: SourcePos) -> Result<(), DiscError> {
        self.writable()?;
        if !self.project.image_type.has_rw() {
            return Err(DiscError::RwNeedsPw);
        }
        self.project.rw_generator = Some(pos);
        Ok(())
    }

    /// The subchannel form of the raw image.
    pub fn resulting_image_type(&self) -> ImageType {
        self.project.image_type
    }

    /// Sets the subchannel form of the raw image.
    ///
    /// ## Errors
    ///
    /// [`DiscError::RwNeedsPw`] for a type without R-W while an R-W
    /// generator is set,
    /// [`DiscError::ReadOnly`].
    pub fn set_resulting_image_type(&mut self, t: ImageType) -> Result<(), DiscError> {
        self.writable()?;
        if !t.has_rw() && self.project.rw_generator.is_some() {
            return Err(DiscError::RwNeedsPw);
        }
        self.project.image_type = t;
        Ok(())
    }

    /// Where the lead-out starts (IMAPI2's `StartOfLeadout`).
    ///
    /// ## Errors
    ///
    /// [`DiscError::NoTracks`] before the first track.
    pub fn start_of_leadout(&self) -> Result<Lba, DiscError> {
        Ok(self.plan()?.leadout())
    }

    /// The latest lead-out start accepted.
    pub fn start_of_leadout_limit(&self) -> Lba {
        self.project.leadout_limit.lba()
    }

    /// Sets the latest lead-out start (media capacity).
    ///
    /// ## Errors
    ///
    /// [`DiscError::LeadoutLimitBeyondDisc`] past 99:59:74,
    /// [`DiscError::DoesNotFit`] when the tracks already added exceed it,
    /// [`DiscError::ReadOnly`].
    pub fn set_start_of_leadout_limit(&mut self, limit: LeadoutLimit) -> Result<(), DiscError> {
        self.writable()?;
        if limit.lba() > Lba::MAX_DISC_TIME {
            return Err(DiscError::LeadoutLimitBeyondDisc(limit.lba()));
        }
        self.try_change(|p| p.leadout_limit = limit)
    }

    /// Whether gapless audio is on.
    pub fn gapless_audio(&self) -> bool {
        self.project.gapless_audio
    }

    /// Turns gapless audio on or off (see [`Project::gapless_audio`]).
    ///
    /// ## Errors
    ///
    /// [`DiscError::GaplessTooShort`] and other plan errors,
    /// [`DiscError::ReadOnly`].
    pub fn set_gapless_audio(&mut self, on: bool) -> Result<(), DiscError> {
        self.try_change(|p| p.gapless_audio = on)
    }

    /// The Media Catalog Number.
    pub fn media_catalog_number(&self) -> Option<Mcn> {
        self.project.mcn
    }

    /// Sets the Media Catalog Number (13 digits, or 12 without the leading
    /// zero; the check digit is verified). An empty string clears it.
    ///
    /// ## Errors
    ///
    /// [`DiscError::Id`] for a malformed number, [`DiscError::ReadOnly`].
    pub fn set_media_catalog_number(&mut self, mcn: &str) -> Result<(), DiscError> {
        self.writable()?;
        self.project.mcn = if mcn.trim().is_empty() {
            None
        } else {
            Some(Mcn::parse(mcn)?)
        };
        Ok(())
    }

    /// The first track number.
    pub fn starting_track_number(&self) -> u8 {
        self.project.first_track
    }

    /// Sets the first track number (1–99), before any track is added.
    ///
    /// ## Errors
    ///
    /// [`DiscError::TracksAlreadyAdded`], [`DiscError::FirstTrackNumber`],
    /// [`DiscError::ReadOnly`].
    pub fn set_starting_track_number(&mut self, n: u8) -> Result<(), DiscError> {
        self.writable()?;
        if !self.project.tracks.is_empty() {
            return Err(DiscError::TracksAlreadyAdded("the starting track number"));
        }
        TrackNo::new(n).map_err(|_| DiscError::FirstTrackNumber(n))?;
        self.project.first_track = n;
        Ok(())
    }

    /// Number of tracks added.
    pub fn number_of_existing_tracks(&self) -> usize {
        self.project.tracks.len()
    }

    /// The last sector that belongs to a track.
    ///
    /// ## Errors
    ///
    /// [`DiscError::NoTracks`] before the first track.
    pub fn last_used_user_sector_in_image(&self) -> Result<Lba, DiscError> {
        Ok(self.plan()?.last_used_sector())
    }

    /// The READ TOC format 0 reply the finished disc will give (LBA form).
    ///
    /// ## Errors
    ///
    /// [`DiscError::NoTracks`] before the first track.
    pub fn expected_table_of_contents(&self) -> Result<Vec<u8>, DiscError> {
        Ok(self.plan()?.toc_format0(false))
    }

    /// The per-track view of the track at 1-based `position`.
    ///
    /// ## Errors
    ///
    /// [`DiscError::NoSuchTrack`] outside 1..=number of tracks.
    pub fn track_info(&mut self, position: usize) -> Result<TrackInfo<'_>, DiscError> {
        let count = self.project.tracks.len();
        if position == 0 || position > count {
            let first = self.project.first_track;
            return Err(DiscError::NoSuchTrack {
                track: u8::try_from(position).unwrap_or(u8::MAX),
                first,
                last: first
                    .saturating_add(u8::try_from(count.saturating_sub(1)).unwrap_or(u8::MAX)),
            });
        }
        Ok(TrackInfo {
            creator: self,
            i: position - 1,
        })
    }

    /// The plan of the disc as it stands.
    ///
    /// ## Errors
    ///
    /// Any [`DiscError`] of planning.
    pub fn plan(&self) -> Result<Disc, DiscError> {
        Disc::plan(&self.project)
    }

    /// Freezes the disc and returns its plan (IMAPI2's `CreateResultImage`).
    /// Afterwards every change fails with [`DiscError::ReadOnly`]; getters
    /// still work.
    ///
    /// ## Errors
    ///
    /// [`DiscError::ReadOnly`] on a second call, or any planning error.
    pub fn create_result_image(&mut self) -> Result<Disc, DiscError> {
        self.writable()?;
        let disc = self.plan()?;
        self.created = true;
        Ok(disc)
    }
}

/// One track of an [`ImageCreator`] (IMAPI2's `IRawCDImageTrackInfo`).
#[derive(Debug)]
pub struct TrackInfo<'a> {
    creator: &'a mut ImageCreator,
    i: usize,
}

impl TrackInfo<'_> {
    fn spec(&self) -> &TrackSpec {
        &self.creator.project.tracks[self.i]
    }

    fn number(&self) -> u8 {
        let i = u8::try_from(self.i).unwrap_or(u8::MAX);
        self.creator.project.first_track.saturating_add(i)
    }

    fn change(&mut self, f: impl FnOnce(&mut TrackSpec)) -> Result<(), DiscError> {
        let i = self.i;
        self.creator.try_change(|p| f(&mut p.tracks[i]))
    }

    /// LBA of index 1.
    ///
    /// ## Errors
    ///
    /// Any planning error of the disc as it stands.
    pub fn starting_lba(&self) -> Result<Lba, DiscError> {
        Ok(self.creator.plan()?.tracks()[self.i].start)
    }

    /// Sectors of track data (index 1 up to the postgap), after gapless
    /// carving.
    ///
    /// ## Errors
    ///
    /// Any planning error of the disc as it stands.
    pub fn sector_count(&self) -> Result<u32, DiscError> {
        Ok(self.creator.plan()?.tracks()[self.i].data_sectors())
    }

    /// The track number.
    pub fn track_number(&self) -> u8 {
        self.number()
    }

    /// The sector type.
    pub fn sector_type(&self) -> SectorType {
        self.spec().sector_type
    }

    /// The ISRC.
    pub fn isrc(&self) -> Option<Isrc> {
        self.spec().isrc
    }

    /// Sets the ISRC (dashes optional); an empty string clears it.
    ///
    /// ## Errors
    ///
    /// [`DiscError::Id`] for a malformed code, [`DiscError::IsrcOnData`] on
    /// a data track, [`DiscError::ReadOnly`].
    pub fn set_isrc(&mut self, isrc: &str) -> Result<(), DiscError> {
        let value = if isrc.trim().is_empty() {
            None
        } else {
            Some(Isrc::parse(isrc)?)
        };
        self.change(|t| t.isrc = value)
    }

    /// The digital copy setting.
    pub fn digital_audio_copy_setting(&self) -> CopySetting {
        self.spec().copy
    }

    /// Sets the digital copy setting.
    ///
    /// ## Errors
    ///
    /// [`DiscError::ReadOnly`].
    pub fn set_digital_audio_copy_setting(&mut self, copy: CopySetting) -> Result<(), DiscError> {
        self.change(|t| t.copy = copy)
    }

    /// Whether the audio has pre-emphasis.
    pub fn audio_has_preemphasis(&self) -> bool {
        self.spec().pre_emphasis
    }

    /// Marks the audio as pre-emphasised or not.
    ///
    /// ## Errors
    ///
    /// [`DiscError::ReadOnly`].
    pub fn set_audio_has_preemphasis(&mut self, on: bool) -> Result<(), DiscError> {
        self.change(|t| t.pre_emphasis = on)
    }

    /// The index points as offsets from index 1, index 1 (offset 0) first.
    pub fn track_indexes(&self) -> Vec<u32> {
        let mut v = vec![0];
        v.extend(&self.spec().indexes);
        v
    }

    /// Adds an index point `offset` sectors after index 1.
    ///
    /// ## Errors
    ///
    /// [`DiscError::TooManyIndexes`] past 99, [`DiscError::IndexTooClose`]
    /// within 10 sectors of another index or the track end,
    /// [`DiscError::IndexLayout`] beyond the track, [`DiscError::ReadOnly`].
    pub fn add_track_index(&mut self, offset: u32) -> Result<IndexAdded, DiscError> {
        self.creator.writable()?;
        let track = self.number();
        let points = self.track_indexes();
        if points.contains(&offset) {
            return Ok(IndexAdded::AlreadyExists);
        }
        if points.len() >= 99 {
            return Err(DiscError::TooManyIndexes { track });
        }
        let sectors = self.sector_count()?;
        if offset >= sectors {
            let mut offsets = self.spec().indexes.clone();
            offsets.push(offset);
            return Err(DiscError::IndexLayout {
                track,
                offsets,
                sectors,
            });
        }
        let below = points
            .iter()
            .copied()
            .filter(|&p| p < offset)
            .max()
            .unwrap_or(0);
        let above = points
            .iter()
            .copied()
            .filter(|&p| p > offset)
            .min()
            .unwrap_or(sectors);
        let distance = (offset - below).min(above - offset);
        if distance < MIN_INDEX_DISTANCE {
            return Err(DiscError::IndexTooClose {
                track,
                offset,
                distance,
            });
        }
        self.change(|t| {
            t.indexes.push(offset);
            t.indexes.sort_unstable();
        })?;
        Ok(IndexAdded::Added)
    }

    /// Removes the index point at `offset`.
    ///
    /// ## Errors
    ///
    /// [`DiscError::IndexZeroOffset`] for index 1,
    /// [`DiscError::IndexNotFound`] when no index is there,
    /// [`DiscError::ReadOnly`].
    pub fn clear_track_index(&mut self, offset: u32) -> Result<(), DiscError> {
        self.creator.writable()?;
        let track = self.number();
        if offset == 0 {
            return Err(DiscError::IndexZeroOffset { track });
        }
        if !self.spec().indexes.contains(&offset) {
            return Err(DiscError::IndexNotFound { track, offset });
        }
        self.change(|t| t.indexes.retain(|&o| o != offset))
    }

    /// Sets the pregap (`None`: the default for the track's position).
    ///
    /// ## Errors
    ///
    /// Any planning error the new gap causes, [`DiscError::ReadOnly`].
    pub fn set_pregap(&mut self, gap: Option<Gap>) -> Result<(), DiscError> {
        self.change(|t| t.pregap = gap)
    }

    /// Sets the postgap in sectors (`None`: the default).
    ///
    /// ## Errors
    ///
    /// Any planning error the new gap causes, [`DiscError::ReadOnly`].
    pub fn set_postgap(&mut self, sectors: Option<u32>) -> Result<(), DiscError> {
        self.change(|t| t.postgap = sectors)
    }

    /// Sets the XA subheader of a Mode 2 Form 1/2 track.
    ///
    /// ## Errors
    ///
    /// [`DiscError::Subheader`] when the form bit does not match the type,
    /// [`DiscError::ReadOnly`].
    pub fn set_subheader(&mut self, sub: XaSubheader) -> Result<(), DiscError> {
        self.change(|t| t.subheader = Some(sub))
    }
}
