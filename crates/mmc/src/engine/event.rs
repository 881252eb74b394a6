//! Progress events: what the engine is doing, as one serde type that every
//! consumer (terminal bar, JSON lines, WebSocket, JS callback) reads the
//! same way.
//!
//! The wire format is JSON with camelCase names, version [`SCHEMA`] (in
//! every event's `schema`). IMAPI2's `IWriteEngine2EventArgs` fields keep
//! their meaning (`startLba` and `sectorCount` describe the section being
//! written; `lastReadLba` the last sector read into the host buffer,
//! `lastWrittenLba` the last sector the drive confirmed; the three
//! `*SystemBuffer` fields the host buffer in bytes, used + free = total);
//! the rest is what IMAPI2 leaves out. Every event carries running totals,
//! so a consumer needs no state, and every field is present in every event
//! (`null` where not known yet):
//!
//! ```json
//! { "schema": 2, "action": "writingTrack", "phase": "writing",
//!   "mode": "raw96r", "reason": "raw96r: the best mode the drive offers",
//!   "track": 2, "tracks": 3, "startLba": -11635, "sectorCount": 31900,
//!   "lastReadLba": 12000, "lastWrittenLba": 11000,
//!   "totalSystemBuffer": 8388608, "usedSystemBuffer": 2448000,
//!   "freeSystemBuffer": 5940608, "driveBufferSize": 2097152,
//!   "driveBufferFree": 1048576, "speedX": 47.8, "sectorsPerSecond": 3585,
//!   "elapsedMs": 9000, "remainingMs": 5700, "fraction": 0.61,
//!   "sectorsWritten": 22635, "sectorsRecorded": 22190, "sectorsTotal": 31900,
//!   "sectorsVerified": 0, "sectorsToVerify": 0, "message": null }
//! ```
//!
//! `action` is one of `preparing`, `writingLeadIn`, `writingTrack`,
//! `writingLeadOut`, `finishing`, `verifying`, `done`, `failed`,
//! `cancelled`; `message` (in `failed`, `cancelled` and where the engine
//! explains a choice) is text for people.
//!
//! For a progress bar, `fraction` is the whole burn's progress from 0 to
//! 1: it never goes back, and is 1 in `done` only. It counts the sectors
//! the drive has recorded (those it confirmed less those still waiting in
//! its buffer: a drive takes a SAO lead-in's 96-byte sectors long before
//! it records them), the lead-out a drive writes on its own while
//! finishing (SAO, TAO; estimated from the writing speed), and with verify
//! the sectors read back. `remainingMs` is `null` until two seconds of
//! writing have given a speed, then the time to the end of the whole burn
//! at the average speed of the phase under way.
use super::error::Phase;
use serde::{Deserialize, Serialize};

/// The version of the event schema. 2 added `schema`, `phase`, `reason`,
/// `fraction`, `sectorsRecorded`, `sectorsVerified` and `sectorsToVerify`,
/// made `remainingMs` `null` until known, and writes `mode`, `track` and
/// `message` as `null` instead of leaving them out.
pub const SCHEMA: u32 = 2;

/// What the engine is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// Inspecting the drive and the disc, setting it up.
    Preparing,
    /// Writing the lead-in (RAW, SAO with CD-TEXT).
    WritingLeadIn,
    /// Writing a track (`track` says which).
    WritingTrack,
    /// Writing the lead-out (RAW).
    WritingLeadOut,
    /// Flushing the drive's buffer and closing.
    Finishing,
    /// Reading back and comparing.
    Verifying,
    /// Finished, every step confirmed by the drive.
    Done,
    /// Stopped on an error (`message` says which and where).
    Failed,
    /// Stopped on request (`message` says what state the disc is in).
    Cancelled,
}

/// One progress event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The schema version, [`SCHEMA`].
    pub schema: u32,
    /// What the engine is doing.
    pub action: Action,
    /// The part of the burn: `preparing`, `writing`, `finishing`,
    /// `verifying` (in `done`, `failed` and `cancelled`: the last one).
    pub phase: Phase,
    /// The write mode (`raw96r`, `raw96p`, `raw16`, `sao`, `tao`), once
    /// chosen.
    pub mode: Option<String>,
    /// Why that mode, once chosen.
    pub reason: Option<String>,
    /// Track being written or verified.
    pub track: Option<u8>,
    /// Number of tracks.
    pub tracks: u8,
    /// First LBA of the section being written (may be negative).
    pub start_lba: i32,
    /// Sectors in that section.
    pub sector_count: i32,
    /// Last LBA read from the source into the host buffer.
    pub last_read_lba: i32,
    /// Last LBA the drive confirmed written.
    pub last_written_lba: i32,
    /// Host buffer size, bytes.
    pub total_system_buffer: u64,
    /// Host buffer filled, bytes.
    pub used_system_buffer: u64,
    /// Host buffer free, bytes.
    pub free_system_buffer: u64,
    /// The drive's buffer size, bytes (0 until known).
    pub drive_buffer_size: u64,
    /// The drive's free buffer, bytes.
    pub drive_buffer_free: u64,
    /// Current write speed in multiples of 1× (75 sectors per second),
    /// to two decimals.
    pub speed_x: f64,
    /// Current write speed, sectors per second.
    pub sectors_per_second: u32,
    /// Time since the burn began, milliseconds.
    pub elapsed_ms: u64,
    /// Estimated time to the end of the burn, milliseconds; `None` until
    /// the writing speed is known.
    pub remaining_ms: Option<u64>,
    /// The whole burn's progress, 0 to 1, never going back.
    pub fraction: f64,
    /// Sectors the drive confirmed written so far in the whole burn.
    pub sectors_written: u64,
    /// Of those, the sectors it has recorded: less those still in its
    /// buffer.
    pub sectors_recorded: u64,
    /// Sectors the whole burn writes (0 until the mode is chosen).
    pub sectors_total: u64,
    /// Sectors read back and compared so far.
    pub sectors_verified: u64,
    /// Sectors the verify reads back (0 without verify, or until the mode
    /// is chosen).
    pub sectors_to_verify: u64,
    /// Text for people.
    pub message: Option<String>,
}

impl Event {
    /// The event as one JSON line (no newline).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
