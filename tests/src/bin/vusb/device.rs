//! The virtual recorder as the bridge runs it: over Bulk-Only (`--usb`) or
//! at the SCSI command level (`--scsi`), in virtual time that follows the
//! real clock and jumps ahead whenever the device would make the host
//! wait.
//!
//! ```text
//!   now = real time since start + offset
//!   device says NotReady(t), t finite ─▶ offset += t − now, ask again at once
//!   device says NotReady(never)       ─▶ the transfer stays pending (the host times out)
//! ```

use mmc::wire::bot::SetupPacket;
use mmc::wire::sense::{FIXED_LEN, Sense};
use std::time::{Duration, Instant};
use vdrive::scsi::{Begin, Completion, ScsiTarget, Status};
use vdrive::{BulkOnly, FaultPlan, Recorder, UsbError};

use crate::store::DiscFile;

/// INQUIRY's operation code.
const INQUIRY: u8 = 0x12;

/// Virtual time: the real clock plus the jumps made so far.
#[derive(Debug)]
pub struct Clock {
    start: Instant,
    offset: Duration,
}

impl Clock {
    /// A clock at zero.
    pub fn new() -> Clock {
        Clock {
            start: Instant::now(),
            offset: Duration::ZERO,
        }
    }

    /// The virtual time.
    pub fn now(&self) -> Duration {
        self.start.elapsed().saturating_add(self.offset)
    }

    /// Moves the clock on to `t`, or by a millisecond when `t` is not
    /// ahead (so a device naming the present still gets time to pass).
    pub fn jump_to(&mut self, t: Duration) {
        let now = self.now();
        let step = if t > now {
            t - now
        } else {
            Duration::from_millis(1)
        };
        self.offset = self.offset.saturating_add(step);
    }
}

/// The recorder with INQUIRY's peripheral device type rewritten, so the
/// bridge can play another kind of mass-storage device.
#[derive(Debug)]
pub struct Retyped {
    recorder: Recorder<DiscFile>,
    device_type: Option<u8>,
}

impl Retyped {
    /// `recorder`, answering INQUIRY as a device of `device_type` when
    /// given.
    pub fn new(recorder: Recorder<DiscFile>, device_type: Option<u8>) -> Retyped {
        Retyped {
            recorder,
            device_type,
        }
    }

    /// The recorder.
    pub fn recorder_mut(&mut self) -> &mut Recorder<DiscFile> {
        &mut self.recorder
    }

    fn retype(&self, cdb: &[u8], mut c: Completion) -> Completion {
        // Standard INQUIRY data only (EVPD clear).
        let standard = cdb.first() == Some(&INQUIRY) && cdb.get(1).is_some_and(|b| b & 1 == 0);
        if let (true, Some(t), Some(first)) = (standard, self.device_type, c.data.first_mut()) {
            *first = (*first & 0xe0) | (t & 0x1f);
        }
        c
    }
}

impl ScsiTarget for Retyped {
    fn begin(&mut self, cdb: &[u8], now: Duration) -> Begin {
        match self.recorder.begin(cdb, now) {
            Begin::Done(c) => Begin::Done(self.retype(cdb, c)),
            other => other,
        }
    }

    fn finish(&mut self, cdb: &[u8], data: &[u8], now: Duration) -> Completion {
        let c = self.recorder.finish(cdb, data, now);
        self.retype(cdb, c)
    }

    fn reject(&mut self, sense: Sense, now: Duration) -> Completion {
        self.recorder.reject(sense, now)
    }

    fn tick(&mut self, now: Duration) {
        self.recorder.tick(now);
    }

    fn set_faults(&mut self, plan: FaultPlan) {
        self.recorder.set_faults(plan);
    }
}

/// A SCSI command's outcome, as SG_IO reports one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScsiReply {
    /// SCSI status (00h GOOD, 02h CHECK CONDITION).
    pub status: u8,
    /// Fixed-format sense data with a CHECK CONDITION, else empty.
    pub sense: Vec<u8>,
    /// Data in, at most the length asked.
    pub data: Vec<u8>,
}

/// The recorder and its clock.
#[derive(Debug)]
pub struct Bridge {
    device: BulkOnly<Retyped>,
    clock: Clock,
}

impl Bridge {
    /// A bridge to `recorder`, with `faults` installed (Bulk-Only faults
    /// act in `--usb` mode only; LBA faults in both).
    pub fn new(recorder: Retyped, faults: Option<FaultPlan>) -> Bridge {
        let mut device = BulkOnly::new(recorder);
        if let Some(plan) = faults {
            device.set_faults(plan);
        }
        Bridge {
            device,
            clock: Clock::new(),
        }
    }

    /// Makes a transfer, jumping the clock over every wait the device
    /// names; `NotReady(Duration::MAX)` (no answer before a reset) is
    /// returned.
    fn transfer<R>(
        &mut self,
        mut f: impl FnMut(&mut BulkOnly<Retyped>, Duration) -> Result<R, UsbError>,
    ) -> Result<R, UsbError> {
        loop {
            match f(&mut self.device, self.clock.now()) {
                Err(UsbError::NotReady(t)) if t != Duration::MAX => self.clock.jump_to(t),
                other => return other,
            }
        }
    }

    /// Data to bulk OUT; the bytes taken.
    ///
    /// ## Errors
    ///
    /// As [`BulkOnly::bulk_out`], never a finite `NotReady`.
    pub fn bulk_out(&mut self, data: &[u8]) -> Result<usize, UsbError> {
        self.transfer(|d, now| d.bulk_out(data, now))
    }

    /// Up to `len` bytes from bulk IN.
    ///
    /// ## Errors
    ///
    /// As [`BulkOnly::bulk_in`], never a finite `NotReady`.
    pub fn bulk_in(&mut self, len: usize) -> Result<Vec<u8>, UsbError> {
        self.transfer(|d, now| d.bulk_in(len, now))
    }

    /// A control request; the data stage of an IN request.
    ///
    /// ## Errors
    ///
    /// As [`BulkOnly::control`].
    pub fn control(&mut self, setup: &SetupPacket) -> Result<Vec<u8>, UsbError> {
        self.transfer(|d, now| d.control(setup, now))
    }

    /// One SCSI command straight to the recorder: `cdb`, `data_out` for a
    /// command that takes data, up to `data_in` bytes back. The clock
    /// moves on to when the command completes.
    pub fn scsi(&mut self, cdb: &[u8], data_out: &[u8], data_in: usize) -> ScsiReply {
        let target = self.device.target_mut();
        let now = self.clock.now();
        let c = match target.begin(cdb, now) {
            Begin::Done(c) => c,
            Begin::DataOut(n) if n == data_out.len() => target.finish(cdb, data_out, now),
            Begin::DataOut(_) => target.reject(Sense::PARAMETER_LENGTH_ERROR, now),
        };
        if c.ready_at > self.clock.now() {
            self.clock.jump_to(c.ready_at);
        }
        let (status, sense) = match c.status {
            Status::Good => (0x00, Vec::new()),
            Status::CheckCondition => {
                let mut sense = vec![0; FIXED_LEN];
                target.recorder_mut().sense().emit(&mut sense);
                (0x02, sense)
            }
        };
        let mut data = c.data;
        data.truncate(data_in);
        ScsiReply {
            status,
            sense,
            data,
        }
    }

    /// Switches the recorder off and saves its disc.
    ///
    /// ## Errors
    ///
    /// Why the disc could not be saved.
    pub fn power_off(&mut self) -> Result<(), String> {
        let recorder = self.device.target_mut().recorder_mut();
        recorder.power_off().map_err(|e| e.to_string())
    }
}
