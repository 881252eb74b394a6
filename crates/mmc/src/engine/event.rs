//! Progress events: what the engine is doing, as one serde type that every
//! consumer (terminal bar, JSON lines, WebSocket, JS callback) reads the
//! same way.
//!
//! The wire format is JSON with camelCase names. IMAPI2's
//! `IWriteEngine2EventArgs` fields keep their meaning (`startLba` and
//! `sectorCount` describe the section being written; `lastReadLba` the last
//! sector read into the host buffer, `lastWrittenLba` the last sector the
//! drive confirmed; the three `*SystemBuffer` fields the host buffer in
//! bytes, used + free = total); the rest is what IMAPI2 leaves out. Every
//! event carries running totals, so a consumer needs no state:
//!
//! ```json
//! { "action": "writingTrack", "mode": "raw96r", "track": 2, "tracks": 3,
//!   "startLba": -11635, "sectorCount": 31900, "lastReadLba": 12000,
//!   "lastWrittenLba": 11000, "totalSystemBuffer": 8388608,
//!   "usedSystemBuffer": 2448000, "freeSystemBuffer": 5940608,
//!   "driveBufferSize": 2097152, "driveBufferFree": 1048576,
//!   "speedX": 47.8, "sectorsPerSecond": 3585, "elapsedMs": 9000,
//!   "remainingMs": 5700, "sectorsWritten": 22635, "sectorsTotal": 31900 }
//! ```
//!
//! `action` is one of `preparing`, `writingLeadIn`, `writingTrack`,
//! `writingLeadOut`, `finishing`, `verifying`, `done`, `failed`,
//! `cancelled`; `message` (in `failed`, `cancelled` and where the engine
//! explains a choice) is text for people.

use serde::{Deserialize, Serialize};

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
    /// What the engine is doing.
    pub action: Action,
    /// The write mode (`raw96r`, `raw96p`, `raw16`, `sao`, `tao`), once
    /// chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Track being written or verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    /// Estimated time left, milliseconds.
    pub remaining_ms: u64,
    /// Sectors written so far in the whole burn.
    pub sectors_written: u64,
    /// Sectors the whole burn writes.
    pub sectors_total: u64,
    /// Text for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Event {
    /// The event as one JSON line (no newline).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
