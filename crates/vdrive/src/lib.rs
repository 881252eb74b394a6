//! `vdrive`: a CD-R/RW recorder in software, behind a USB Bulk-Only
//! interface, as strict as a real MMC drive.
//!
//! It answers the same bytes a USB burner does: CBWs in, data and CSWs
//! out, the 13 host/device cases, stalls and reset recovery
//! ([`bot::BulkOnly`]); MMC commands for identification, media, write
//! parameters, cue sheets, writing in TAO, SAO and RAW, reading back, and
//! blanking ([`Recorder`]). It records to a [`store::SectorStore`] (in
//! memory here, a `.vdisc` file in the `rawburn` binary) so a burn can be
//! read back, dumped to an image, and compared bit for bit. A
//! [`faults::FaultPlan`] makes it misbehave on purpose.
//!
//! [`VirtualPipe`] puts it on a USB pipe with a virtual clock, for rawburn's
//! own Bulk-Only host ([`mmc::bot::BotTransport`]) to drive.
//!
//! Like the rest of rawburn's core it does no I/O and never sleeps: every
//! call takes the current virtual time, and a command that takes a while
//! (flushing the buffer, closing a session, blanking) says when it will be
//! done.
//!
//! ```text
//!   host (engine, tests)                 vdrive
//!   bulk_out / bulk_in / control ──▶ BulkOnly ──▶ Recorder ──▶ DriveBuffer ──▶ SectorStore
//!        (virtual time `now`)          CBW/CSW      MMC         records at      frames of
//!                                                               the set speed   2352 + 96
//! ```
#![forbid(unsafe_code)]

pub mod blocks;
pub mod bot;
pub mod buffer;
pub mod direct;
pub mod disc;
pub mod faults;
pub mod media;
pub mod pipe;
pub mod recorder;
pub mod recording;
pub mod scsi;
pub mod store;
pub mod vdisc;

pub use bot::{BulkOnly, UsbError};
pub use faults::{Fault, FaultKind, FaultPlan};
pub use media::{MediaKind, MediaSpec};
pub use pipe::VirtualPipe;
pub use recorder::{Recorder, RecorderConfig};
pub use scsi::{Begin, Completion, ScsiTarget, Status};
pub use store::{MemoryStore, SectorStore};
