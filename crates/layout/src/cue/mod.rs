//! CUE sheets in the CDRWIN dialect written by common rippers.
//!
//! [`parse()`] turns the text of a cue sheet into a [`CueSheet`]: a list of
//! files, each holding the tracks whose audio or data lives in it. Values
//! that are validated elsewhere (catalog numbers, ISRCs) are kept exactly as
//! written, together with the [`Pos`] where they appear, so later checks can
//! point back into the text.

mod import;
mod parse;
mod sessions;
pub mod text;

pub use self::import::{ImportError, Imported, cdtext_of, to_project};
pub use self::parse::parse;
pub use self::sessions::{ImportedSessions, session_starts, to_sessions};

use std::fmt;

use thiserror::Error;

/// A position in the cue text, 1-based.
///
/// Columns count characters (not bytes), starting at 1 for the first
/// character after an optional byte order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line number, starting at 1.
    pub line: u32,
    /// Column in characters, starting at 1.
    pub column: u32,
}

impl Pos {
    /// Creates a position from a 1-based line and column.
    #[must_use]
    pub const fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// A parsed cue sheet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CueSheet {
    /// The `CATALOG` value as written (not validated here).
    pub catalog: Option<Spanned<String>>,
    /// The `CDTEXTFILE` value.
    pub cdtext_file: Option<Spanned<String>>,
    /// The disc-level `TITLE` (written before the first `TRACK`).
    pub title: Option<Spanned<String>>,
    /// The disc-level `PERFORMER`.
    pub performer: Option<Spanned<String>>,
    /// The disc-level `SONGWRITER`.
    pub songwriter: Option<Spanned<String>>,
    /// Disc-level `REM` lines, in order.
    pub rems: Vec<Rem>,
    /// The `FILE` entries, in order; each holds at least one track.
    pub files: Vec<CueFile>,
    /// What the sheet does that the CDRWIN format does not describe, but
    /// which is read all the same.
    pub warnings: Vec<Spanned<String>>,
}

impl CueSheet {
    /// All tracks of the sheet in order, across files.
    pub fn tracks(&self) -> impl Iterator<Item = &CueTrack> {
        self.files.iter().flat_map(|file| file.tracks.iter())
    }

    /// The sheet's files as a project's sources, in order.
    pub fn sources(&self) -> Vec<crate::disc::Source> {
        self.files
            .iter()
            .map(|f| crate::disc::Source {
                path: f.name.value.clone(),
                format: f.kind.source_format(),
                join: Vec::new(),
            })
            .collect()
    }
}

/// A value together with the position where it starts in the text.
///
/// For a quoted value the position is that of the opening quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where the value starts.
    pub pos: Pos,
}

impl<T> Spanned<T> {
    /// Wraps `value` found at `pos`.
    pub const fn new(value: T, pos: Pos) -> Self {
        Self { value, pos }
    }
}

/// A `REM` line.
///
/// `REM GENRE Rock` has the key `GENRE` and the value `Rock`. The key is
/// uppercased; surrounding double quotes are removed from the value. A bare
/// `REM`, or one followed by a single word, has an empty value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rem {
    /// The first word after `REM`, uppercased (empty for a bare `REM`).
    pub key: String,
    /// The rest of the line, trimmed, with surrounding quotes removed.
    pub value: String,
    /// Position of the `REM` keyword.
    pub pos: Pos,
}

/// A `FILE` entry and the tracks stored in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CueFile {
    /// The file name as written (quotes removed).
    pub name: Spanned<String>,
    /// How the file's contents are stored.
    pub kind: FileKind,
    /// The tracks that start in this file, in order. Empty only for a file
    /// that just ends the pregap of a track from the file before (its
    /// `INDEX 01` and later indexes).
    pub tracks: Vec<CueTrack>,
    /// Position of the `FILE` keyword.
    pub pos: Pos,
}

/// The storage type named on a `FILE` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileKind {
    /// `BINARY`: raw sectors, little-endian audio samples.
    Binary,
    /// `MOTOROLA`: raw sectors, big-endian audio samples.
    Motorola,
    /// `WAVE`: an audio file (rippers write it for FLAC and others too).
    Wave,
    /// `AIFF`: an AIFF audio file.
    Aiff,
    /// `MP3`: an MP3 audio file.
    Mp3,
    /// `FLAC`: a FLAC audio file.
    Flac,
    /// A type word the format does not name: an audio file, told apart by
    /// its content.
    OtherAudio,
}

impl FileKind {
    /// Every type the format names, in the order the keywords are tried.
    pub const NAMED: [FileKind; 6] = [
        Self::Binary,
        Self::Motorola,
        Self::Wave,
        Self::Aiff,
        Self::Mp3,
        Self::Flac,
    ];

    /// The keyword used for this type in a cue sheet, such as `"WAVE"`
    /// (`"WAVE"` for an unnamed audio type).
    #[must_use]
    pub const fn cue_name(self) -> &'static str {
        match self {
            Self::Binary => "BINARY",
            Self::Motorola => "MOTOROLA",
            Self::Wave | Self::OtherAudio => "WAVE",
            Self::Aiff => "AIFF",
            Self::Mp3 => "MP3",
            Self::Flac => "FLAC",
        }
    }

    /// How a project reads the file: raw bytes, byte-swapped raw bytes, or
    /// an audio file decoded by its content (whatever the type word says).
    #[must_use]
    pub const fn source_format(self) -> crate::disc::SourceFormat {
        match self {
            Self::Binary => crate::disc::SourceFormat::Binary,
            Self::Motorola => crate::disc::SourceFormat::Motorola,
            _ => crate::disc::SourceFormat::Audio,
        }
    }

    /// Whether the file is an audio file (so holds audio tracks only).
    #[must_use]
    pub const fn is_audio_file(self) -> bool {
        !matches!(self, Self::Binary | Self::Motorola)
    }
}

/// A `TRACK` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CueTrack {
    /// Track number, 1 to 99.
    pub number: u8,
    /// Sector format of the track.
    pub mode: TrackMode,
    /// Position of the `TRACK` keyword.
    pub pos: Pos,
    /// Subcode flags from the `FLAGS` line (all false when absent).
    pub flags: Flags,
    /// The `ISRC` value as written (not validated here).
    pub isrc: Option<Spanned<String>>,
    /// `PREGAP` length in frames (sectors).
    pub pregap: Option<u32>,
    /// `POSTGAP` length in frames (sectors).
    pub postgap: Option<u32>,
    /// The `INDEX` entries in the order written: 00 (optional), 01, 02, ...
    pub indexes: Vec<CueIndex>,
    /// Track `TITLE`.
    pub title: Option<Spanned<String>>,
    /// Track `PERFORMER`.
    pub performer: Option<Spanned<String>>,
    /// Track `SONGWRITER`.
    pub songwriter: Option<Spanned<String>>,
    /// `REM` lines written after the `TRACK` line, in order.
    pub rems: Vec<Rem>,
}

impl CueTrack {
    /// The index with the given number, if the track has it.
    #[must_use]
    pub fn index(&self, number: u8) -> Option<&CueIndex> {
        self.indexes.iter().find(|index| index.number == number)
    }
}

/// An `INDEX` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CueIndex {
    /// Index number, 0 to 99.
    pub number: u8,
    /// Position in frames, `(MM * 60 + SS) * 75 + FF`, within the file
    /// [`CueIndex::file`].
    pub frames: u32,
    /// The file (position in [`CueSheet::files`]) the position refers to:
    /// the file of the `FILE` line above the `INDEX`. It differs from the
    /// track's own file when a track's pregap ends one file and its
    /// `INDEX 01` starts the next (the layout rippers call "gaps appended
    /// to the previous track").
    pub file: usize,
    /// Position of the `INDEX` keyword.
    pub pos: Pos,
}

/// Subcode flags from a `FLAGS` line.
#[allow(clippy::struct_excessive_bools)] // one bool per flag mirrors the syntax
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Flags {
    /// `DCP`: digital copy permitted.
    pub dcp: bool,
    /// `4CH`: four-channel audio.
    pub four_channel: bool,
    /// `PRE`: pre-emphasis enabled.
    pub pre_emphasis: bool,
    /// `SCMS`: serial copy management system.
    pub scms: bool,
}

/// The sector format of a track.
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackMode {
    /// `AUDIO`: 2352-byte audio sectors.
    Audio,
    /// `CDG`: audio with CD+G subcode, 2448 bytes per sector.
    Cdg,
    /// `MODE1/2048`: mode 1 user data only.
    Mode1_2048,
    /// `MODE1/2352`: raw mode 1 sectors.
    Mode1_2352,
    /// `MODE2/2336`: mode 2 sectors without sync and header.
    Mode2_2336,
    /// `MODE2/2352`: raw mode 2 sectors.
    Mode2_2352,
    /// `CDI/2336`: CD-i sectors without sync and header.
    Cdi_2336,
    /// `CDI/2352`: raw CD-i sectors.
    Cdi_2352,
}

impl TrackMode {
    /// Every mode, in declaration order.
    pub const ALL: [Self; 8] = [
        Self::Audio,
        Self::Cdg,
        Self::Mode1_2048,
        Self::Mode1_2352,
        Self::Mode2_2336,
        Self::Mode2_2352,
        Self::Cdi_2336,
        Self::Cdi_2352,
    ];

    /// Bytes each sector of this mode occupies in the track's file.
    #[must_use]
    pub const fn bytes_per_sector(self) -> u32 {
        match self {
            Self::Audio | Self::Mode1_2352 | Self::Mode2_2352 | Self::Cdi_2352 => 2352,
            Self::Cdg => 2448,
            Self::Mode1_2048 => 2048,
            Self::Mode2_2336 | Self::Cdi_2336 => 2336,
        }
    }

    /// The keyword used for this mode in a cue sheet, such as `"MODE1/2352"`.
    #[must_use]
    pub const fn cue_name(self) -> &'static str {
        match self {
            Self::Audio => "AUDIO",
            Self::Cdg => "CDG",
            Self::Mode1_2048 => "MODE1/2048",
            Self::Mode1_2352 => "MODE1/2352",
            Self::Mode2_2336 => "MODE2/2336",
            Self::Mode2_2352 => "MODE2/2352",
            Self::Cdi_2336 => "CDI/2336",
            Self::Cdi_2352 => "CDI/2352",
        }
    }

    /// Whether the track holds audio (`AUDIO` or `CDG`).
    #[must_use]
    pub const fn is_audio(self) -> bool {
        matches!(self, Self::Audio | Self::Cdg)
    }
}

/// A problem found while parsing a cue sheet, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{pos}: {kind}")]
pub struct CueError {
    /// Where the problem is: the offending token, or the command word for
    /// problems with a whole line.
    pub pos: Pos,
    /// What the problem is.
    pub kind: CueErrorKind,
}

impl CueError {
    /// Creates an error of `kind` at `pos`.
    #[must_use]
    pub const fn new(pos: Pos, kind: CueErrorKind) -> Self {
        Self { pos, kind }
    }
}

/// What is wrong in a cue sheet.
///
/// Command names in the variants are the canonical uppercase keywords, such
/// as `"INDEX"`, whatever case the sheet used.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CueErrorKind {
    /// A quoted token has no closing quote (reported at the opening quote).
    #[error("missing closing quote")]
    UnterminatedQuote,
    /// A closing quote is directly followed by more text.
    #[error("unexpected text after closing quote")]
    TextAfterQuote,
    /// The first word of a line is not a known command.
    #[error("unknown command \"{command}\"")]
    UnknownCommand {
        /// The word as written.
        command: String,
    },
    /// A command lacks a required argument.
    #[error("missing {what} after {command}")]
    MissingArgument {
        /// The command keyword.
        command: &'static str,
        /// Description of the missing argument, such as `"time"`.
        what: &'static str,
    },
    /// A command has more arguments than it takes.
    #[error("unexpected \"{token}\" after {command} arguments")]
    ExtraArgument {
        /// The command keyword.
        command: &'static str,
        /// The first surplus token.
        token: String,
    },
    /// A `FILE` line with an empty quoted name.
    #[error("empty file name")]
    EmptyFileName,
    /// A track number that is not a number from 1 to 99.
    #[error("invalid track number \"{text}\" (1 to 99)")]
    InvalidTrackNumber {
        /// The number as written.
        text: String,
    },
    /// A track mode that is not known.
    #[error("unknown track mode \"{mode}\"")]
    UnknownTrackMode {
        /// The mode as written.
        mode: String,
    },
    /// A track number that is not one more than the previous track's.
    #[error("track {found} does not follow track {previous}")]
    TrackOutOfSequence {
        /// Number of the previous track.
        previous: u8,
        /// Number found on this line.
        found: u8,
    },
    /// A `TRACK` line before any `FILE` line.
    #[error("TRACK before any FILE")]
    TrackBeforeFile,
    /// A track without `INDEX 01` (reported at its `TRACK` line).
    #[error("track {track} has no INDEX 01")]
    MissingIndex01 {
        /// The track number.
        track: u8,
    },
    /// A `FILE` followed by no `TRACK` (reported at the `FILE` line).
    #[error("file has no tracks")]
    FileWithoutTracks,
    /// The sheet has no `FILE` and no `TRACK` at all (reported at 1:1).
    #[error("cue sheet has no tracks")]
    NoTracks,
    /// An index number that is not a number from 0 to 99.
    #[error("invalid index number \"{text}\" (0 to 99)")]
    InvalidIndexNumber {
        /// The number as written.
        text: String,
    },
    /// The first index of a track is neither 00 nor 01.
    #[error("first index of a track must be 00 or 01, not {found:02}")]
    FirstIndexNotZeroOrOne {
        /// Number found.
        found: u8,
    },
    /// An index number that is not one more than the previous index's.
    #[error("index {found:02} does not follow index {previous:02}")]
    IndexOutOfSequence {
        /// Number of the previous index of the track.
        previous: u8,
        /// Number found on this line.
        found: u8,
    },
    /// An index position before the previous index in the same file.
    #[error(
        "index at {} is before the previous index at {}",
        msf(*.frames),
        msf(*.previous)
    )]
    IndexPositionDecreasing {
        /// Position of this index in frames.
        frames: u32,
        /// Position of the previous index in the same file in frames.
        previous: u32,
    },
    /// A time that is not of the form `MM:SS:FF` with decimal digits.
    #[error("malformed time \"{text}\" (expected MM:SS:FF)")]
    MalformedTime {
        /// The time as written.
        text: String,
    },
    /// A time with minutes above 99, seconds above 59 or frames above 74.
    #[error("time \"{text}\" out of range (MM to 99, SS to 59, FF to 74)")]
    TimeOutOfRange {
        /// The time as written.
        text: String,
    },
    /// A track-level command with no open track (before the first `TRACK`,
    /// or after a `FILE` line that is not yet followed by a `TRACK`).
    #[error("{command} outside a track")]
    OutsideTrack {
        /// The command keyword.
        command: &'static str,
    },
    /// A command given twice in the same scope.
    #[error("duplicate {command} (first on line {first_line})")]
    Duplicate {
        /// The command keyword.
        command: &'static str,
        /// Line of the first occurrence.
        first_line: u32,
    },
    /// A command written after the point where it is allowed.
    #[error("{command} must come before {limit}")]
    TooLate {
        /// The command keyword.
        command: &'static str,
        /// What it must precede, such as `"the first FILE"`.
        limit: &'static str,
    },
    /// `POSTGAP` before the track has any `INDEX`.
    #[error("POSTGAP before the track's first INDEX")]
    PostgapBeforeIndex,
    /// `INDEX` after the track's `POSTGAP`.
    #[error("INDEX after POSTGAP")]
    IndexAfterPostgap,
    /// A `FLAGS` argument that is not a known flag.
    #[error("unknown flag \"{flag}\" (DCP, 4CH, PRE or SCMS)")]
    UnknownFlag {
        /// The flag as written.
        flag: String,
    },
}

/// Formats a frame count as `MM:SS:FF`.
fn msf(frames: u32) -> String {
    let seconds = frames / 75;
    format!("{:02}:{:02}:{:02}", seconds / 60, seconds % 60, frames % 75)
}
