//! What the operating systems' pass-through transports share (Linux's
//! `SG_IO`, Windows' SPTI): the system clock, the SCSI status bytes, how
//! often and after how long a command the drive was too busy for is sent
//! again, which commands must never be sent twice, and the loop that
//! sends a command until it ran or cannot be run.

use mmc::scsi::{Clock, ScsiOutcome, ScsiRequest, ScsiResponse, ScsiStatus, TransportError};
use mmc::wire::command::Command;
use mmc::wire::sense::SenseRepr;
use std::time::{Duration, Instant};

/// How many times a command the drive or the system did not start is
/// sent again.
pub const RETRIES: u32 = 5;

/// How long to wait before sending a command the drive was too busy for.
pub const BUSY_PAUSE: Duration = Duration::from_millis(200);

/// SCSI status bytes (SAM).
pub mod status {
    /// GOOD.
    pub const GOOD: u8 = 0x00;
    /// CHECK CONDITION: sense data say why.
    pub const CHECK_CONDITION: u8 = 0x02;
    /// CONDITION MET.
    pub const CONDITION_MET: u8 = 0x04;
    /// BUSY.
    pub const BUSY: u8 = 0x08;
    /// RESERVATION CONFLICT.
    pub const RESERVATION_CONFLICT: u8 = 0x18;
    /// TASK SET FULL.
    pub const TASK_SET_FULL: u8 = 0x28;
    /// TASK ABORTED.
    pub const TASK_ABORTED: u8 = 0x40;
}

/// The command's name, for messages.
pub fn name(request: &ScsiRequest) -> &'static str {
    Command::parse(&request.cdb).map_or("the command", |c| c.name())
}

/// Whether sending `opcode` twice could change the disc twice (WRITE,
/// CLOSE, BLANK, RESERVE TRACK, FORMAT UNIT).
pub fn changes_the_disc(opcode: u8) -> bool {
    matches!(opcode, 0x2a | 0xaa | 0x5b | 0xa1 | 0x53 | 0x04)
}

/// What one try of a command came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judged {
    /// The command's outcome.
    Outcome(ScsiOutcome),
    /// CHECK CONDITION without sense data: ask for them.
    NeedSense(ScsiResponse),
    /// Not run: send it again after `after`; `why` when out of tries.
    Again {
        /// The pause before the next try.
        after: Duration,
        /// The error once there are no tries left.
        why: TransportError,
    },
}

/// A pass-through link as [`execute`] drives it.
pub trait Tries {
    /// One try of `request`.
    fn attempt(&mut self, request: &ScsiRequest) -> Judged;
    /// REQUEST SENSE, for a CHECK CONDITION that came without sense.
    fn request_sense(&mut self) -> Option<SenseRepr>;
    /// Waits `after` on the link's clock.
    fn pause(&mut self, after: Duration);
    /// Why the drive is gone, once it is: every later command fails so.
    fn lost(&mut self) -> &mut Option<TransportError>;
}

/// Runs `request` on `link`: tries again, after the pause each try asks,
/// a command that was not run (up to [`RETRIES`] times); asks for the
/// sense a CHECK CONDITION lacked; and once the drive is disconnected,
/// fails every command so without sending it.
pub fn execute(link: &mut impl Tries, request: &ScsiRequest) -> ScsiOutcome {
    if let Some(e) = link.lost() {
        return Err(e.clone());
    }
    let mut tries = 0;
    loop {
        match link.attempt(request) {
            Judged::Outcome(Err(e)) => {
                if e == TransportError::Disconnected {
                    *link.lost() = Some(e.clone());
                }
                return Err(e);
            }
            Judged::Outcome(Ok(r)) => return Ok(r),
            Judged::NeedSense(mut r) => {
                r.status = ScsiStatus::CheckCondition(link.request_sense());
                return Ok(r);
            }
            Judged::Again { after, why } => {
                if tries == RETRIES {
                    return Err(why);
                }
                tries += 1;
                link.pause(after);
            }
        }
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    start: Instant,
}

impl SystemClock {
    /// A clock starting now.
    pub fn new() -> SystemClock {
        SystemClock {
            start: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> SystemClock {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn sleep_until(&mut self, t: Duration) {
        let now = self.now();
        if t > now {
            std::thread::sleep(t - now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_clock_moves_on() {
        let mut c = SystemClock::new();
        let t = c.now() + Duration::from_millis(2);
        c.sleep_until(t);
        assert!(c.now() >= t);
        c.sleep_until(Duration::ZERO);
    }
}
