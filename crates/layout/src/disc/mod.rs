//! The disc: a project (what the user asked for) and its plan (every sector's
//! place, fixed before anything is encoded).
//!
//! - [`Project`] is the editable description: sources, tracks with their
//!   sector type, gaps, indexes, ISRC, flags, and disc-wide settings. It is
//!   plain serde data: the project JSON.
//! - [`ImageCreator`] edits a project with IMAPI2's `IRawCDImageCreator` /
//!   `IRawCDImageTrackInfo` rules, each broken rule a typed
//!   [`DiscError`].
//! - [`Disc`] is the validated plan: every LBA of lead-in, pregaps, index
//!   points, track data, postgaps and lead-out, the expected TOC, and
//!   warnings where an explicit layout departs from a recommended rule. It
//!   does no encoding; the frame encoder walks it.

mod builder;
mod discid;
mod ids;
pub(crate) mod limits;
mod pieces;
mod plan;
mod rules;
pub mod sessions;
mod toc;

pub use builder::{ImageCreator, IndexAdded, TrackInfo};
pub use discid::{DiscIds, disc_ids};
pub use ids::{IdError, Isrc, Mcn};
pub use limits::{
    LARGEST_LEADOUT, MAX_INDEXES, MAX_PIECES, MAX_REMARKS, MAX_SECTORS, MAX_SOURCE_BYTES,
    MAX_SOURCES, MAX_TEXT_BYTES, MAX_TRACKS,
};
pub use pieces::{Piece, Pieces};
pub(crate) use plan::generated_encoder;
pub use plan::{Area, Content, Disc, PlannedTrack, Region, TocLayout, TocTrack, Warning};

use crate::msf::{Lba, PREGAP_SECTORS};
use crate::sector::{SectorType, XaSubheader};
use serde::{Deserialize, Serialize};

/// The version of the project JSON this code writes.
pub const PROJECT_FORMAT: u32 = 1;

/// Sectors in the lead-out of a first (and only) session.
pub const LEAD_OUT_SECTORS: u32 = 6_750;

/// IMAPI2's highest accepted start of the lead-out, 88:29:74.
pub const IMAPI_LEADOUT_LIMIT: Lba = Lba(398_099);

/// Everything that defines a disc: the project JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Project {
    /// Project JSON version ([`PROJECT_FORMAT`]).
    #[serde(default = "project_format")]
    pub format: u32,
    /// Subchannel form of raw images (`IMAPI_FORMAT2_RAW_CD_DATA_SECTOR_TYPE`).
    #[serde(default)]
    pub image_type: ImageType,
    /// Latest LBA at which the lead-out may start (the media's capacity).
    #[serde(default)]
    pub leadout_limit: LeadoutLimit,
    /// For audio tracks without explicit gaps: the last 150 sectors of the
    /// previous track become this track's pregap, so playback is seamless
    /// (IMAPI2's gapless audio). Off: 150 sectors of silence are inserted.
    #[serde(default)]
    pub gapless_audio: bool,
    /// Media Catalog Number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcn: Option<Mcn>,
    /// Number of the first track (1–99).
    #[serde(default = "one")]
    pub first_track: u8,
    /// Disc type for the TOC (A0 PSEC); derived from the tracks when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disc_type: Option<DiscType>,
    /// Files that supply track data, referred to by position (at most
    /// [`MAX_SOURCES`]).
    #[serde(default, deserialize_with = "limits::sources")]
    pub sources: Vec<Source>,
    /// Audio for track 1's pregap (hidden track one audio), at least 150
    /// sectors; track 1 then starts after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_pregap: Option<SourceSpan>,
    /// R-W subcode for every sector of the raw image (96 bytes each, top two
    /// bits zero), from 95:00:00 (LBA −22650) on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rw_generator: Option<SourcePos>,
    /// The tracks, in disc order (at most [`MAX_TRACKS`]).
    #[serde(deserialize_with = "limits::tracks")]
    pub tracks: Vec<TrackSpec>,
    /// CD-TEXT, written in the lead-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdtext: Option<crate::cdtext::CdText>,
    /// Remarks a sheet carried for the disc (`REM DATE 1997`, `REM
    /// REPLAYGAIN_ALBUM_GAIN -6.2 dB`, …), kept so a sheet written from the
    /// project carries them again. Nothing of them is burned.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "limits::remarks"
    )]
    pub remarks: Vec<Remark>,
}

/// A remark of a sheet: `REM KEY value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Remark {
    /// The first word, uppercased.
    #[serde(deserialize_with = "limits::text")]
    pub key: String,
    /// The rest of the line.
    #[serde(default, deserialize_with = "limits::text")]
    pub value: String,
}

fn project_format() -> u32 {
    PROJECT_FORMAT
}

fn one() -> u8 {
    1
}

impl Default for Project {
    fn default() -> Project {
        Project {
            format: PROJECT_FORMAT,
            image_type: ImageType::default(),
            leadout_limit: LeadoutLimit::default(),
            gapless_audio: false,
            mcn: None,
            first_track: 1,
            disc_type: None,
            sources: Vec::new(),
            special_pregap: None,
            rw_generator: None,
            tracks: Vec::new(),
            cdtext: None,
            remarks: Vec::new(),
        }
    }
}

impl Project {
    /// The project as pretty-printed JSON.
    ///
    /// ## Errors
    ///
    /// Never in practice; serde's error is passed on.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }

    /// A project from JSON. Lists longer than any disc can hold (more than
    /// [`MAX_TRACKS`] tracks, [`MAX_INDEXES`] indexes in a track,
    /// [`MAX_SOURCES`] sources, 8 CD-TEXT blocks, CD-TEXT strings of more
    /// than [`MAX_TEXT_BYTES`]) are refused at the first element over the
    /// limit, so reading costs memory in proportion to what a disc holds,
    /// not to the text. Every project that plans is read back.
    ///
    /// ## Errors
    ///
    /// serde's error, with line and column, for malformed or invalid JSON
    /// and for a list over its limit (naming the field).
    pub fn from_json(text: &str) -> Result<Project, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// A file that supplies track data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Source {
    /// Path (relative to the project or cue file) or a name the caller
    /// resolves.
    pub path: String,
    /// How its bytes are read.
    #[serde(default)]
    pub format: SourceFormat,
    /// Audio files whose decoded audio follows this one's, read with it as
    /// one stream: an album burned gapless, its tracks cut at the sectors
    /// nearest to where each file starts (audio sources only; at most
    /// [`MAX_SOURCES`]).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "limits::join"
    )]
    pub join: Vec<String>,
}

/// How a source's bytes are read. Offsets into a source count bytes of the
/// data as read: the raw file for [`SourceFormat::Binary`] and
/// [`SourceFormat::Motorola`], the 16-bit little-endian stereo PCM for
/// [`SourceFormat::Audio`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum SourceFormat {
    /// Raw bytes; audio samples little-endian.
    #[default]
    Binary,
    /// Raw bytes; audio samples big-endian (swapped on reading).
    Motorola,
    /// A decoded audio file (WAV or FLAC, told apart by content).
    Audio,
}

/// Where data starts in a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourcePos {
    /// Index into [`Project::sources`].
    pub source: usize,
    /// Byte offset of the first sector's data.
    #[serde(default)]
    pub offset: u64,
}

/// A run of sectors read from a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceSpan {
    /// Index into [`Project::sources`].
    pub source: usize,
    /// Byte offset of the first sector's data.
    #[serde(default)]
    pub offset: u64,
    /// Number of sectors.
    pub sectors: u32,
}

impl SourceSpan {
    /// Where the span starts.
    pub fn pos(&self) -> SourcePos {
        SourcePos {
            source: self.source,
            offset: self.offset,
        }
    }
}

/// One track as the user describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrackSpec {
    /// What the sectors hold and how the source lays them out.
    #[serde(with = "sector_type_name")]
    pub sector_type: SectorType,
    /// The XA subheader of Mode 2 Form 1/2 sectors (default: data / form 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subheader: Option<XaSubheader>,
    /// The track's data: index 1 onward, one span of a source or a
    /// sequence of pieces (spans and generated sectors).
    pub data: Pieces,
    /// Each source sector is followed by 96 bytes of raw interleaved P-W
    /// subchannel whose R-W bits are kept (CD+G, cue `CDG` tracks).
    #[serde(default, skip_serializing_if = "is_false")]
    pub rw_in_source: bool,
    /// R-W subcode read from a separate file laid out as a CloneCD `.sub`:
    /// 96 bytes of linear P-W per sector, of which only R-W is used. Where
    /// the record of the track's first sector read from a source lies: the
    /// start of its own pregap's source part when the plan uses it, else
    /// index 1; the records of the following sourced sectors come next.
    /// Generated sectors carry no R-W.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rw_sub: Option<SourcePos>,
    /// The pregap (index 0); absent means the default for this position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pregap: Option<Gap>,
    /// Zero sectors after the data, still part of the track; absent means
    /// the default for this position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgap: Option<u32>,
    /// Starts of index 2, 3, … as sector offsets from index 1 (at most
    /// [`MAX_INDEXES`]).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "limits::indexes"
    )]
    pub indexes: Vec<u32>,
    /// International Standard Recording Code (audio tracks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isrc: Option<Isrc>,
    /// Digital copy setting.
    #[serde(default)]
    pub copy: CopySetting,
    /// Audio recorded with 50/15 µs pre-emphasis.
    #[serde(default, skip_serializing_if = "is_false")]
    pub pre_emphasis: bool,
    /// Four-channel audio.
    #[serde(default, skip_serializing_if = "is_false")]
    pub four_channel: bool,
    /// Remarks a sheet carried for the track (see [`Project::remarks`]).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "limits::remarks"
    )]
    pub remarks: Vec<Remark>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl TrackSpec {
    /// A track of `sector_type` with data from `data` and every other
    /// setting at its default.
    pub fn new(sector_type: SectorType, data: SourceSpan) -> TrackSpec {
        TrackSpec::of_pieces(sector_type, Pieces::from(data))
    }

    /// A track of `sector_type` made of `pieces`, every other setting at
    /// its default.
    pub fn of_pieces(sector_type: SectorType, data: Pieces) -> TrackSpec {
        TrackSpec {
            sector_type,
            subheader: None,
            data,
            rw_in_source: false,
            rw_sub: None,
            pregap: None,
            postgap: None,
            indexes: Vec::new(),
            isrc: None,
            copy: CopySetting::default(),
            pre_emphasis: false,
            four_channel: false,
            remarks: Vec::new(),
        }
    }

    /// Bytes each sector takes in the source.
    pub fn source_stride(&self) -> u64 {
        self.sector_type.input_len() as u64 + if self.rw_in_source { 96 } else { 0 }
    }

    /// Whether the track carries R-W subcode of its own (CD+G), in its
    /// source ([`TrackSpec::rw_in_source`]) or beside it
    /// ([`TrackSpec::rw_sub`]).
    pub fn has_rw(&self) -> bool {
        self.rw_in_source || self.rw_sub.is_some()
    }
}

/// A pregap as given: generated sectors (silence, or zero sectors of the
/// track's mode), then sectors read from a source (laid out like the
/// track's data), one span or a sequence of pieces. A cue sheet's `PREGAP`
/// is the first part, its `INDEX 00` data the second.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Gap {
    /// Generated sectors, first.
    #[serde(default)]
    pub generated: u32,
    /// Sectors from a source (or pieces), after them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Pieces>,
}

impl Gap {
    /// A gap of `sectors` generated sectors.
    pub const fn generated(sectors: u32) -> Gap {
        Gap {
            generated: sectors,
            source: None,
        }
    }

    /// A gap read entirely from a source.
    pub fn sourced(span: SourceSpan) -> Gap {
        Gap {
            generated: 0,
            source: Some(Pieces::from(span)),
        }
    }

    /// Total length in sectors ([`u32::MAX`] for a gap longer than that,
    /// which no disc holds).
    pub fn sectors(&self) -> u32 {
        u32::try_from(self.total()).unwrap_or(u32::MAX)
    }

    /// Total length in sectors, exactly.
    pub fn total(&self) -> u64 {
        u64::from(self.generated) + self.source.as_ref().map_or(0, Pieces::total)
    }

    /// Sectors after the generated ones (from sources or pieces).
    pub fn source_sectors(&self) -> u64 {
        self.source.as_ref().map_or(0, Pieces::total)
    }
}

/// IMAPI2's `IMAPI_CD_TRACK_DIGITAL_COPY_SETTING`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CopySetting {
    /// Digital copies allowed (Q CONTROL copy bit set).
    Permitted,
    /// Digital copies not allowed (copy bit clear).
    #[default]
    Prohibited,
    /// Marked as a copy of a protected original: the copy bit alternates
    /// every 4 sectors (9.375 Hz) in the program area.
    Scms,
}

impl CopySetting {
    /// The `IMAPI_CD_TRACK_DIGITAL_COPY_SETTING` value.
    pub const fn imapi_value(self) -> u8 {
        match self {
            CopySetting::Permitted => 0,
            CopySetting::Prohibited => 1,
            CopySetting::Scms => 2,
        }
    }
}

/// Subchannel form of a raw image (`IMAPI_FORMAT2_RAW_CD_DATA_SECTOR_TYPE`,
/// also the MMC Data Block Type of a raw burn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ImageType {
    /// 2352 bytes, no subchannel (IMAPI2 has no value for it).
    Plain,
    /// 2352 + 16 bytes: formatted Q and the P flag (data block type 1).
    PqOnly,
    /// 2352 + 96 bytes: P-W with R-W packed, for the drive to encode
    /// (data block type 2).
    Cooked,
    /// 2352 + 96 bytes: raw interleaved P-W as on the disc (data block
    /// type 3).
    #[default]
    Raw,
}

impl ImageType {
    /// The `IMAPI_FORMAT2_RAW_CD_DATA_SECTOR_TYPE` value, also the MMC data
    /// block type; `None` for [`ImageType::Plain`].
    pub const fn imapi_value(self) -> Option<u8> {
        match self {
            ImageType::Plain => None,
            ImageType::PqOnly => Some(1),
            ImageType::Cooked => Some(2),
            ImageType::Raw => Some(3),
        }
    }

    /// Bytes per sector in the image.
    pub const fn frame_size(self) -> usize {
        match self {
            ImageType::Plain => 2352,
            ImageType::PqOnly => 2368,
            ImageType::Cooked | ImageType::Raw => 2448,
        }
    }

    /// Whether the image carries R-W subcode.
    pub const fn has_rw(self) -> bool {
        matches!(self, ImageType::Cooked | ImageType::Raw)
    }
}

/// The latest lead-out start a disc may have: nominal media sizes or an
/// exact LBA (from the media's ATIP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LeadoutLimit {
    /// IMAPI2's cap, 88:29:74 (LBA 398099).
    #[default]
    Imapi,
    /// 74-minute media: lead-out by 73:59:74.
    Minutes74,
    /// 80-minute media: lead-out by 79:59:74.
    Minutes80,
    /// 90-minute media: lead-out by 89:59:74.
    Minutes90,
    /// 99-minute media: lead-out by 99:59:74.
    Minutes99,
    /// An exact LBA.
    Lba(i32),
}

impl LeadoutLimit {
    /// The limit as an LBA.
    pub const fn lba(self) -> Lba {
        const fn by_minutes(m: i32) -> Lba {
            Lba(m * crate::msf::FRAMES_PER_MINUTE - 1 - PREGAP_SECTORS)
        }
        match self {
            LeadoutLimit::Imapi => IMAPI_LEADOUT_LIMIT,
            LeadoutLimit::Minutes74 => by_minutes(74),
            LeadoutLimit::Minutes80 => by_minutes(80),
            LeadoutLimit::Minutes90 => by_minutes(90),
            LeadoutLimit::Minutes99 => by_minutes(100),
            LeadoutLimit::Lba(l) => Lba(l),
        }
    }
}

/// The disc type recorded in the TOC (A0 PSEC), the mode page 05 session
/// format and READ DISC INFORMATION.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DiscType {
    /// CD-DA or CD-ROM (0x00).
    CdDaOrCdRom,
    /// CD-I (0x10).
    CdI,
    /// CD-ROM XA (0x20).
    CdRomXa,
}

impl DiscType {
    /// The byte value.
    pub const fn code(self) -> u8 {
        match self {
            DiscType::CdDaOrCdRom => 0x00,
            DiscType::CdI => 0x10,
            DiscType::CdRomXa => 0x20,
        }
    }
}

/// Every way a project can be refused. The IMAPI2 rules carry their
/// `E_IMAPI_RAW_IMAGE_*` HRESULT ([`DiscError::imapi_hresult`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiscError {
    /// Changes after the image was created.
    #[error("the image was already created; the disc can no longer be changed")]
    ReadOnly,
    /// Track numbers would pass 99.
    #[error("{count} tracks starting at number {first} would pass track 99")]
    TooManyTracks {
        /// First track number.
        first: u8,
        /// Number of tracks.
        count: usize,
    },
    /// A first track number outside 1–99.
    #[error("first track number {0} is outside 1-99")]
    FirstTrackNumber(u8),
    /// An operation that needs tracks.
    #[error("the disc has no tracks")]
    NoTracks,
    /// An operation allowed only before the first track.
    #[error("{0} must be set before any track is added")]
    TracksAlreadyAdded(&'static str),
    /// The lead-out would start after the limit.
    #[error(
        "the disc does not fit: its lead-out would start at lba {leadout} ({leadout_msf}), the limit is lba {limit} ({limit_msf}); {over} sectors too many"
    )]
    DoesNotFit {
        /// Where the lead-out would start.
        leadout: Lba,
        /// The same as time.
        leadout_msf: String,
        /// The limit.
        limit: Lba,
        /// The limit as time.
        limit_msf: String,
        /// Sectors over the limit.
        over: i64,
    },
    /// A track shorter than 4 seconds.
    #[error("track {track} has {sectors} sectors; a track needs at least 300 (4 seconds)")]
    TrackTooShort {
        /// Track number.
        track: u8,
        /// Its length.
        sectors: u32,
    },
    /// A track without a sector after index 1.
    #[error("track {track} has no sectors from index 1 on; a track needs at least one")]
    EmptyTrack {
        /// Track number.
        track: u8,
    },
    /// Track 1's pregap shorter than 2 seconds.
    #[error("track {track}'s pregap is {sectors} sectors; the first track needs at least 150")]
    FirstPregapTooShort {
        /// Number of the first track.
        track: u8,
        /// Its pregap.
        sectors: u32,
    },
    /// A special pregap shorter than 150 sectors.
    #[error("the hidden track-one audio is {0} sectors; it needs at least 150 (2 seconds)")]
    SpecialPregapTooShort(u32),
    /// Hidden track-one audio in front of a data track.
    #[error("hidden track-one audio needs an audio first track, track 1 is {0}")]
    SpecialPregapNeedsAudio(SectorType),
    /// More than 99 indexes.
    #[error("track {track} would have more than 99 indexes")]
    TooManyIndexes {
        /// Track number.
        track: u8,
    },
    /// No index at that offset.
    #[error("track {track} has no index at offset {offset}")]
    IndexNotFound {
        /// Track number.
        track: u8,
        /// The offset given.
        offset: u32,
    },
    /// Index 1 cannot be removed.
    #[error("index 1 (offset 0) of track {track} cannot be removed")]
    IndexZeroOffset {
        /// Track number.
        track: u8,
    },
    /// Two indexes closer than 10 sectors.
    #[error(
        "track {track}: an index at offset {offset} is {distance} sectors from its neighbour; indexes must be at least 10 apart"
    )]
    IndexTooClose {
        /// Track number.
        track: u8,
        /// The offset.
        offset: u32,
        /// Distance to the neighbour or track end.
        distance: u32,
    },
    /// Indexes out of order or beyond the track.
    #[error(
        "track {track}: index offsets {offsets:?} must increase and lie within the track's {sectors} sectors"
    )]
    IndexLayout {
        /// Track number.
        track: u8,
        /// The offsets given.
        offsets: Vec<u32>,
        /// Track length.
        sectors: u32,
    },
    /// A source reference that does not exist.
    #[error("{what} refers to source {index}, but the project has {count} sources")]
    NoSuchSource {
        /// What refers to it.
        what: String,
        /// The index given.
        index: usize,
        /// How many sources there are.
        count: usize,
    },
    /// An ISRC on a data track.
    #[error("track {track} is {ty}; an ISRC belongs to audio tracks only")]
    IsrcOnData {
        /// Track number.
        track: u8,
        /// Its type.
        ty: SectorType,
    },
    /// A subheader the sector type cannot take.
    #[error("track {track}: {source}")]
    Subheader {
        /// Track number.
        track: u8,
        /// Why.
        source: crate::sector::SectorError,
    },
    /// A gapless pregap would leave the previous track too short.
    #[error(
        "gapless audio takes 150 sectors from the end of track {track} for the next pregap, leaving {left}; at least 300 must remain"
    )]
    GaplessTooShort {
        /// Track number.
        track: u8,
        /// Sectors left.
        left: u32,
    },
    /// A disc longer than CD addressing allows.
    #[error("the disc runs to lba {0}, past 99:59:74")]
    TooLong(Lba),
    /// A bad identifier.
    #[error(transparent)]
    Id(#[from] IdError),
    /// A track or index position outside the disc.
    #[error("track {track} does not exist (the disc has tracks {first}-{last})")]
    NoSuchTrack {
        /// The number asked for.
        track: u8,
        /// First track number.
        first: u8,
        /// Last track number.
        last: u8,
    },
    /// R-W subcode where the image carries none.
    #[error("an r-w subcode generator needs an image type with r-w (cooked or raw)")]
    RwNeedsPw,
    /// CD-TEXT that cannot be encoded.
    #[error(transparent)]
    CdText(#[from] crate::cdtext::CdTextError),
    /// A track's own R-W file and an R-W generator both fill its R-W.
    #[error(
        "track {0} reads r-w from a subchannel file while the project has an r-w subcode generator; use one of them"
    )]
    RwSubAndGenerator(u8),
    /// CD-TEXT and an R-W generator both fill the lead-in's R-W.
    #[error("cd-text and an r-w subcode generator both fill the lead-in's r-w; use one of them")]
    CdTextAndRwGenerator,
    /// A project JSON from a newer rawburn.
    #[error("project format {0} is newer than this rawburn understands ({PROJECT_FORMAT})")]
    ProjectFormat(u32),
    /// A gap or length longer than the largest disc (more than
    /// [`MAX_SECTORS`] sectors).
    #[error(
        "{}{field} of {value} sectors does not fit on a disc (the lead-out would be at lba {leadout}; on the largest disc it is at lba {largest}, {msf})",
        limits::TrackPrefix(*track),
        largest = LARGEST_LEADOUT,
        msf = limits::LARGEST_LEADOUT_MSF
    )]
    ValueDoesNotFit {
        /// The track concerned, if one.
        track: Option<u8>,
        /// Which value: `pregap`, `pregap data`, `data`, `postgap`,
        /// `hidden track-one audio`.
        field: &'static str,
        /// The value given.
        value: u64,
        /// Where the lead-out would start.
        leadout: i64,
    },
    /// Source data reaching past the largest position a file can have.
    #[error(
        "{}{what} from byte {offset} of its source ({sectors} sectors, up to byte {end}) does not fit in a file; no file reaches past byte {MAX_SOURCE_BYTES}",
        limits::TrackPrefix(*track)
    )]
    SourceRange {
        /// The track concerned, if one.
        track: Option<u8>,
        /// Which data: `data`, `pregap data`, `r-w subcode`,
        /// `hidden track-one audio`, `r-w generator`.
        what: &'static str,
        /// Its first byte.
        offset: u64,
        /// Sectors (records) it spans.
        sectors: u64,
        /// The byte after its last.
        end: u128,
    },
    /// More sources than a project may name.
    #[error("the project names {0} sources; at most {MAX_SOURCES}")]
    TooManySources(usize),
    /// A lead-out limit past the end of the largest disc.
    #[error(
        "a lead-out limit of lba {0} does not fit on a disc; the largest disc ends at lba {end} (99:59:74)",
        end = crate::msf::Lba::MAX_DISC_TIME
    )]
    LeadoutLimitBeyondDisc(Lba),
}

impl DiscError {
    /// The IMAPI2 HRESULT of this error where IMAPI2 has one
    /// (`imapi2-raw-cd.md` §1).
    pub const fn imapi_hresult(&self) -> Option<u32> {
        Some(match self {
            DiscError::ReadOnly => 0x80AA_0A00,
            DiscError::TooManyTracks { .. } | DiscError::FirstTrackNumber(_) => 0x80AA_0A01,
            DiscError::NoTracks => 0x80AA_0A03,
            DiscError::TracksAlreadyAdded(_) => 0x80AA_0A04,
            DiscError::DoesNotFit { .. }
            | DiscError::ValueDoesNotFit { .. }
            | DiscError::LeadoutLimitBeyondDisc(_) => 0x80AA_0A05,
            DiscError::TooManyIndexes { .. } => 0x80AA_0A06,
            DiscError::IndexNotFound { .. } => 0x80AA_0A07,
            DiscError::IndexZeroOffset { .. } => 0x80AA_0A09,
            DiscError::IndexTooClose { .. } => 0x80AA_0A0A,
            _ => return None,
        })
    }
}

/// Serde names of sector types: camelCase of the variant.
mod sector_type_name {
    use crate::sector::SectorType;
    use serde::{Deserialize, Deserializer, Serializer};

    /// The project JSON name of a sector type.
    pub fn name(t: SectorType) -> &'static str {
        match t {
            SectorType::Audio => "audio",
            SectorType::Mode0 => "mode0",
            SectorType::Mode1 => "mode1",
            SectorType::Mode2Formless => "mode2Formless",
            SectorType::Mode2Form1 => "mode2Form1",
            SectorType::Mode2Form2 => "mode2Form2",
            SectorType::Mode1Raw => "mode1Raw",
            SectorType::Mode2FormlessRaw => "mode2FormlessRaw",
            SectorType::Mode2Form1Raw => "mode2Form1Raw",
            SectorType::Mode2Form2Raw => "mode2Form2Raw",
            SectorType::Mode2Xa => "mode2Xa",
            SectorType::Mode2Raw => "mode2Raw",
        }
    }

    pub(super) fn serialize<S: Serializer>(t: &SectorType, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(name(*t))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SectorType, D::Error> {
        let s = String::deserialize(d)?;
        SectorType::ALL
            .into_iter()
            .find(|t| name(*t) == s)
            .ok_or_else(|| {
                let names: Vec<&str> = SectorType::ALL.into_iter().map(name).collect();
                serde::de::Error::custom(format!(
                    "unknown sector type `{s}`, expected one of {}",
                    names.join(", ")
                ))
            })
    }
}

pub use sector_type_name::name as sector_type_json_name;

#[cfg(test)]
mod tests;
