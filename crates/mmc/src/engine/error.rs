//! Why a burn stopped.

use crate::scsi::TransportError;
use crate::wire::sense::Sense;
use layout::msf::Lba;

/// The part of a burn an error happened in, or an event comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Inspecting and setting up the drive.
    Preparing,
    /// Writing.
    Writing,
    /// Flushing and closing.
    Finishing,
    /// Reading back.
    Verifying,
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Phase::Preparing => "preparing",
            Phase::Writing => "writing",
            Phase::Finishing => "finishing",
            Phase::Verifying => "verifying",
        })
    }
}

/// Where a burn stood when it stopped: the last sector the drive
/// confirmed, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirmed(pub Option<Lba>);

impl std::fmt::Display for Confirmed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(l) => write!(f, "the drive confirmed up to lba {}", l.get()),
            None => f.write_str("the drive confirmed no sector"),
        }
    }
}

/// What the disc holds after a burn failed, as READ DISC INFORMATION then
/// said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscState {
    /// Still blank: nothing was recorded.
    Blank,
    /// A session that was begun and not closed: a CD-R is unusable, a
    /// CD-RW can be blanked.
    Incomplete {
        /// A CD-RW.
        erasable: bool,
    },
    /// Its sessions are closed (readable).
    Closed {
        /// No further session can be added.
        finalized: bool,
        /// A CD-RW.
        erasable: bool,
    },
    /// The drive did not answer.
    Unknown,
}

impl std::fmt::Display for DiscState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DiscState::Blank => "nothing was written: the disc is still blank",
            DiscState::Incomplete { erasable: false } => {
                "the disc holds an incomplete session: this CD-R cannot be used again"
            }
            DiscState::Incomplete { erasable: true } => {
                "the disc holds an incomplete session: blank this CD-RW to use it again"
            }
            DiscState::Closed {
                finalized: true, ..
            } => "the disc is finalized",
            DiscState::Closed {
                finalized: false, ..
            } => "the disc holds a closed session and can take another",
            DiscState::Unknown => "what the disc holds is unknown: the drive did not answer",
        })
    }
}

/// Why a burn stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// No disc in the drive.
    #[error("no disc in the drive: insert a blank CD-R or CD-RW")]
    NoMedium,
    /// The device is not a CD/DVD drive.
    #[error("the device is not a CD/DVD drive (peripheral type {0:#04x})")]
    NotOptical(u8),
    /// The disc is not a recordable CD.
    #[error("the disc is not a recordable CD (profile {0:#06x})")]
    NotRecordable(u16),
    /// The disc already holds data.
    #[error("the disc is not blank ({0}): use a blank disc or blank this CD-RW first")]
    NotBlank(&'static str),
    /// The plan does not fit the media.
    #[error(
        "the disc needs {needs} sectors ({needs_time}) up to its lead-out; the media holds {holds} ({holds_time})"
    )]
    Capacity {
        /// Sectors the plan needs (its lead-out start).
        needs: i32,
        /// As time.
        needs_time: String,
        /// The media's last possible lead-out start.
        holds: i32,
        /// As time.
        holds_time: String,
    },
    /// No write mode can write the disc, or the one asked for cannot.
    #[error("{0}")]
    Mode(String),
    /// The drive refused a command.
    #[error("{phase}: {command} failed: {sense}; {confirmed}")]
    Drive {
        /// When.
        phase: Phase,
        /// The command.
        command: &'static str,
        /// What the drive said.
        sense: Sense,
        /// The LBA the sense data names, if any.
        at: Option<Lba>,
        /// How far the burn got.
        confirmed: Confirmed,
    },
    /// A command failed without sense data.
    #[error("{phase}: {command} failed and the drive gave no reason; {confirmed}")]
    NoSense {
        /// When.
        phase: Phase,
        /// The command.
        command: &'static str,
        /// How far the burn got.
        confirmed: Confirmed,
    },
    /// The transport failed.
    #[error("{phase}: {command}: {error}; {confirmed}")]
    Transport {
        /// When.
        phase: Phase,
        /// The command.
        command: &'static str,
        /// What failed.
        error: TransportError,
        /// How far the burn got.
        confirmed: Confirmed,
    },
    /// A reply that does not parse.
    #[error("{phase}: the drive's answer to {command} does not parse: {why}")]
    Reply {
        /// When.
        phase: Phase,
        /// The command.
        command: &'static str,
        /// Why.
        #[source]
        why: ReplyError,
    },
    /// The drive reported something the burn cannot go on with.
    #[error("{0}")]
    Unexpected(String),
    /// The source could not be read.
    #[error("reading the source for lba {lba}: {error}")]
    Source {
        /// The first sector of the read.
        lba: i32,
        /// What failed.
        #[source]
        error: layout::source::SourceError,
    },
    /// The plan could not be encoded.
    #[error("encoding the disc: {0}")]
    Encode(#[source] layout::frames::FrameError),
    /// The drive's account of the disc after finishing (or of where a TAO
    /// track begins) is not what the burn wrote.
    #[error("{phase}: the drive does not confirm the burn: {what}")]
    NotConfirmed {
        /// When.
        phase: Phase,
        /// What the drive reports instead.
        what: String,
    },
    /// The burn failed after something that can record was sent: why,
    /// and what the drive then said the disc holds.
    #[error("{cause}; {disc}")]
    Stopped {
        /// Why the burn stopped.
        cause: Box<EngineError>,
        /// What the disc holds now.
        disc: DiscState,
    },
    /// Read back differs.
    #[error("verify: lba {lba} differs from the image ({what})")]
    Mismatch {
        /// The first differing sector (as the disc numbers it).
        lba: i32,
        /// What differs.
        what: String,
    },
    /// The burn was confirmed, but reading it back failed: nothing is
    /// known to differ.
    #[error("the verify could not finish at lba {lba}: {cause}")]
    VerifyIncomplete {
        /// The first sector that could not be read (as the disc numbers
        /// it).
        lba: i32,
        /// What failed.
        cause: Box<EngineError>,
    },
    /// Stopped on request.
    #[error("cancelled: {0}")]
    Cancelled(String),
    /// The engine was driven wrongly (a completion nobody asked for).
    #[error("engine misuse: {0}")]
    Misuse(&'static str),
}

/// What is wrong with a drive's answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// Its bytes do not parse.
    #[error(transparent)]
    Wire(#[from] crate::wire::WireError),
    /// It lacks what the step needs.
    #[error("{0}")]
    Missing(&'static str),
    /// It is the wrong size for what was asked.
    #[error("the drive returned {got} bytes for {sectors} sectors")]
    Size {
        /// Bytes returned.
        got: usize,
        /// Sectors asked for.
        sectors: u32,
    },
}
