//! Image files: what each format's files contain, as text (cue, ccd, toc,
//! project JSON) and as a description of the binary frames to write.
//!
//! Images hold unscrambled sectors, as every reader expects. The binary
//! part is a [`FrameStream`]: LBA ranges, each with its subchannel form,
//! written one after the other to a main file, the subchannel optionally to
//! a second file. The caller runs a [`crate::frames::FrameEncoder`] over
//! each range and writes the bytes; nothing here does I/O.

mod ccd;
pub use ccd::{CcdTrack, ControlFile};
mod cue;
pub mod import;
mod text;
mod toc;

use crate::disc::sessions::MultiDisc;
use crate::disc::{Disc, DiscType};
use crate::frames::RAW_IMAGE_START;
use crate::msf::Lba;
use crate::sector::SectorType;
use crate::subchannel::SubchannelFormat;
use core::fmt;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageFormat {
    /// CDRWIN cue sheet and one BIN.
    BinCue,
    /// CloneCD: `.ccd`, `.img` (2352 per sector from LBA 0) and `.sub`
    /// (linear 96-byte P-W).
    CloneCd,
    /// cdrdao toc file and one BIN.
    CdrdaoToc,
    /// IMAPI2-style raw image from 95:00:00 through the lead-out, with
    /// subchannel in the project's image type.
    Raw,
    /// The project JSON.
    Project,
}

impl ImageFormat {
    /// The format an output file name's extension selects.
    pub fn from_extension(ext: &str) -> Option<ImageFormat> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "cue" => ImageFormat::BinCue,
            "ccd" => ImageFormat::CloneCd,
            "toc" => ImageFormat::CdrdaoToc,
            "raw" => ImageFormat::Raw,
            "json" => ImageFormat::Project,
            _ => return None,
        })
    }
}

/// A text file of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFile {
    /// File name.
    pub name: String,
    /// Contents.
    pub content: String,
}

/// One LBA range of a frame stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamRange {
    /// First sector.
    pub start: Lba,
    /// End (exclusive).
    pub end: Lba,
    /// Subchannel written after (or beside) each sector.
    pub subchannel: SubchannelFormat,
    /// Audio samples are written big-endian (the range is one audio
    /// track): how cdrdao reads audio it cannot mark `SWAP`.
    pub big_endian_audio: bool,
}

impl StreamRange {
    /// Sectors in the range.
    pub fn sectors(&self) -> u64 {
        u64::try_from(self.end.since(self.start)).unwrap_or(0)
    }
}

/// The binary part of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameStream {
    /// The ranges, written in order.
    pub ranges: Vec<StreamRange>,
    /// File receiving the main channel (and the subchannel, unless
    /// [`FrameStream::sub`] is set).
    pub main: String,
    /// File receiving the subchannel separately.
    pub sub: Option<String>,
}

impl FrameStream {
    /// Total sectors.
    pub fn sectors(&self) -> u64 {
        self.ranges.iter().map(StreamRange::sectors).sum()
    }
}

/// A small binary file of an image (a `.cdt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryFile {
    /// File name.
    pub name: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// Every file of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFiles {
    /// Text files.
    pub texts: Vec<TextFile>,
    /// Small binary files.
    pub binaries: Vec<BinaryFile>,
    /// Frames to encode, if the format has binary files.
    pub frames: Option<FrameStream>,
    /// What the format cannot hold of this disc.
    pub warnings: Vec<String>,
}

/// Why an image cannot be made in a format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// A track type the format has no name for.
    #[error("track {track} is {ty}, which a {format} cannot describe")]
    TrackType {
        /// Track number.
        track: u8,
        /// Its sector type.
        ty: SectorType,
        /// The format.
        format: &'static str,
    },
    /// Index points a format holds but rawburn cannot read back from it:
    /// a Mode 0 track's sectors are generated, not data from a file, so
    /// nothing carries index points past index 1.
    #[error(
        "track {track} is mode 0 with index points past index 1, which rawburn could not read back from a {format}; remove them, or write a raw image"
    )]
    Mode0Indexes {
        /// Track number.
        track: u8,
        /// The format.
        format: &'static str,
    },
    /// A disc of several sessions in a format that holds one.
    #[error(
        "the disc has {sessions} sessions, which a {format} cannot hold; write a .ccd (CloneCD) or a .cue (cue sheet with REM SESSION)"
    )]
    Sessions {
        /// Sessions of the disc.
        sessions: usize,
        /// The format.
        format: &'static str,
    },
    /// A later session not where a burn puts it, in a format that cannot
    /// say where it is.
    #[error(
        "session {session} starts at lba {start}, but a {format} can only place it right after the previous session's lead-out, lead-in and pregap (lba {expected}); write a .ccd"
    )]
    SessionGap {
        /// Session number.
        session: usize,
        /// Its start.
        start: Lba,
        /// Where the format places it.
        expected: Lba,
        /// The format.
        format: &'static str,
    },
    /// The project cannot be written as JSON.
    #[error("writing the project json: {0}")]
    Json(String),
}

/// The files of `disc` in `format`, named after `stem` (a file name without
/// extension, e.g. `"album"` gives `album.cue` and `album.bin`).
///
/// ## Errors
///
/// [`ImageError`] when the format cannot describe the disc.
pub fn image_files(disc: &Disc, format: ImageFormat, stem: &str) -> Result<ImageFiles, ImageError> {
    match format {
        ImageFormat::BinCue => cue::files(disc, stem),
        ImageFormat::CdrdaoToc => toc::files(disc, stem),
        ImageFormat::CloneCd => ccd::files(disc, stem),
        ImageFormat::Raw => {
            let image_type = disc.project().image_type;
            let subchannel = match image_type {
                crate::disc::ImageType::Plain => SubchannelFormat::None,
                crate::disc::ImageType::PqOnly => SubchannelFormat::Pq16,
                _ => SubchannelFormat::Interleaved,
            };
            let mut warnings = Vec::new();
            if !disc.cdtext_packs().is_empty() && !image_type.has_rw() {
                warnings.push(
                    "this raw image carries no r-w subchannel, so it cannot hold the cd-text; use --subchannel raw"
                        .to_string(),
                );
            }
            Ok(ImageFiles {
                texts: Vec::new(),
                binaries: Vec::new(),
                frames: Some(FrameStream {
                    ranges: vec![StreamRange {
                        start: RAW_IMAGE_START,
                        end: disc.end(),
                        subchannel,
                        big_endian_audio: false,
                    }],
                    main: format!("{stem}.raw"),
                    sub: None,
                }),
                warnings,
            })
        }
        ImageFormat::Project => Ok(ImageFiles {
            texts: vec![TextFile {
                name: format!("{stem}.json"),
                content: disc
                    .project()
                    .to_json()
                    .map_err(|e| ImageError::Json(e.to_string()))?
                    + "\n",
            }],
            binaries: Vec::new(),
            frames: None,
            warnings: Vec::new(),
        }),
    }
}

/// Every file of an image of a disc of several sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFiles {
    /// Text files.
    pub texts: Vec<TextFile>,
    /// Small binary files.
    pub binaries: Vec<BinaryFile>,
    /// One frame stream per session, in disc order, each encoded from that
    /// session's [`Session::placed`](crate::disc::sessions::Session::placed)
    /// plan and appended to the same files (they name the same `main` and
    /// `sub`).
    pub streams: Vec<FrameStream>,
    /// What the format cannot hold of this disc.
    pub warnings: Vec<String>,
}

/// The files of a disc of several sessions in `format`, named after
/// `stem`. CloneCD images and cue sheets hold sessions; cdrdao toc files
/// (whose format has no session boundary), raw images and bare BIN or ISO
/// files do not.
///
/// ## Errors
///
/// [`ImageError::Sessions`] for a format that cannot hold sessions, or
/// what the format refuses of a session.
pub fn session_image_files(
    multi: &MultiDisc,
    format: ImageFormat,
    stem: &str,
) -> Result<SessionFiles, ImageError> {
    let sessions = multi.sessions().len();
    match format {
        ImageFormat::CloneCd => ccd::session_files(multi, stem),
        ImageFormat::BinCue => cue::session_files(multi, stem),
        ImageFormat::CdrdaoToc => Err(ImageError::Sessions {
            sessions,
            format: "cdrdao toc file",
        }),
        ImageFormat::Raw => Err(ImageError::Sessions {
            sessions,
            format: "raw image",
        }),
        ImageFormat::Project => Err(ImageError::Sessions {
            sessions,
            format: "project json",
        }),
    }
}

/// The BIN written for cue and toc files: every sector of the disc from
/// LBA 0 up to the lead-out, track by track, pregaps (`INDEX 00`) and
/// postgaps included, so every reader finds each track where the plan puts
/// it. A track with R-W of its own keeps 96 bytes after each sector.
pub(crate) fn bin_ranges(disc: &Disc) -> Vec<StreamRange> {
    disc.tracks()
        .iter()
        .enumerate()
        .map(|(i, t)| StreamRange {
            start: t.pregap_start.max(Lba::ZERO),
            end: t.end,
            subchannel: if disc.project().tracks[i].has_rw() {
                SubchannelFormat::Interleaved
            } else {
                SubchannelFormat::None
            },
            big_endian_audio: false,
        })
        .collect()
}

/// Sectors of track `i`'s pregap read from a source.
fn stored_pregap(disc: &Disc, i: usize) -> u64 {
    disc.regions()
        .iter()
        .filter(|r| {
            r.area == crate::disc::Area::Track { track: i, index: 0 }
                && matches!(r.content, crate::disc::Content::Source { .. })
        })
        .map(|r| u64::from(r.sectors))
        .sum()
}

/// Warnings for formats whose files start at LBA 0: hidden track-one audio
/// before it is not stored. (Track 1's generated pregap before LBA 0 is
/// implied by every such format.)
pub(crate) fn lba0_warning(disc: &Disc, format: &str) -> Option<String> {
    let t = &disc.tracks()[0];
    let generated = u64::from(t.pregap_sectors()).saturating_sub(stored_pregap(disc, 0));
    if generated < crate::msf::PREGAP_SECTORS as u64 {
        Some(format!(
            "a {format} starts at lba 0: the first 150 sectors of the hidden track-one audio (lba -150..-1) are not stored"
        ))
    } else {
        None
    }
}

/// `MM:SS:FF` of a sector count, as cue and toc files write lengths and
/// positions.
pub(crate) struct Frames(pub u64);

impl fmt::Display for Frames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        write!(f, "{:02}:{:02}:{:02}", n / 4500, (n / 75) % 60, n % 75)
    }
}

/// The disc type's name in cdrdao toc files (CD_DA for audio only).
pub(crate) fn toc_disc_type(disc: &Disc) -> &'static str {
    match disc.disc_type() {
        DiscType::CdDaOrCdRom if disc.tracks().iter().all(|t| t.is_audio()) => "CD_DA",
        DiscType::CdDaOrCdRom => "CD_ROM",
        DiscType::CdI => "CD_I",
        DiscType::CdRomXa => "CD_ROM_XA",
    }
}

#[cfg(test)]
mod tests;
