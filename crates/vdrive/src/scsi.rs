//! The SCSI level of a device: a command descriptor block, perhaps data
//! out, and a status with data in. The Bulk-Only layer ([`crate::bot`])
//! carries this over USB; the recorder ([`crate::Recorder`]) implements it.

use mmc::wire::sense::Sense;
use std::time::Duration;

/// SCSI status of a finished command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// GOOD (00h).
    Good,
    /// CHECK CONDITION (02h): the sense data say why (REQUEST SENSE).
    CheckCondition,
}

/// A finished command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// Its status.
    pub status: Status,
    /// Data for the host (data-in commands), at most the allocation
    /// length.
    pub data: Vec<u8>,
    /// When the device reports the status: a command the device carries
    /// out for a while (SYNCHRONIZE CACHE without IMMED, a WRITE waiting
    /// for buffer room) completes in the future, in virtual time.
    pub ready_at: Duration,
}

impl Completion {
    /// GOOD with `data`, at `now`.
    pub fn good(data: Vec<u8>, now: Duration) -> Completion {
        Completion {
            status: Status::Good,
            data,
            ready_at: now,
        }
    }

    /// CHECK CONDITION at `now`.
    pub fn check(now: Duration) -> Completion {
        Completion {
            status: Status::CheckCondition,
            data: Vec::new(),
            ready_at: now,
        }
    }
}

/// How a command starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// The command needs this many bytes from the host before it can run
    /// ([`ScsiTarget::finish`]).
    DataOut(usize),
    /// The command ran (no data out, or it failed before needing it).
    Done(Completion),
}

/// A SCSI device that takes one command at a time, in virtual time.
pub trait ScsiTarget {
    /// Starts the command `cdb` at `now`: runs it unless it needs data
    /// out first.
    fn begin(&mut self, cdb: &[u8], now: Duration) -> Begin;

    /// Runs the command `cdb` (which asked for data out) with `data`.
    fn finish(&mut self, cdb: &[u8], data: &[u8], now: Duration) -> Completion;

    /// Fails a command without running it, leaving `sense` for REQUEST
    /// SENSE (unit attentions injected by a fault plan, unsupported
    /// logical units, failures of the transport).
    fn reject(&mut self, sense: Sense, now: Duration) -> Completion;

    /// Lets virtual time pass: the drive records what its buffer holds,
    /// long operations finish.
    fn tick(&mut self, now: Duration);

    /// Hands LBA-triggered faults to the device (mediumError,
    /// powerCalibration, underrun).
    fn set_faults(&mut self, plan: crate::faults::FaultPlan);
}
