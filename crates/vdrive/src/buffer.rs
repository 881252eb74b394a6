//! The drive's write buffer: WRITE fills it, recording at the drive's speed
//! drains it onto the disc, in virtual time.
//!
//! Recording starts with the first frame. When the host does not keep up
//! and the buffer runs dry, the laser has nothing to write: without
//! buffer-underrun protection (BUFE) that is a failed burn (the next WRITE
//! gets 3/0C/09); with it the drive pauses and links seamlessly when data
//! comes back.

use crate::blocks::{MAIN, ZeroKind, zero_kind_of, zero_sector};
use crate::store::{FRAME, SectorStore, StoreError};
use layout::msf::Lba;
use std::collections::VecDeque;
use std::time::Duration;

/// Recording speed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// Records as fast as data arrives.
    Unlimited,
    /// Sectors per second (75 at 1×).
    SectorsPerSecond(f64),
}

impl Speed {
    /// The speed of `x` (1× = 75 sectors per second).
    pub fn times(x: f64) -> Speed {
        Speed::SectorsPerSecond(75.0 * x)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Idle,
    Running { last: Duration, credit: f64 },
    Paused,
}

/// A frame waiting to be recorded. The drive queues a whole lead-out at
/// once (6750 frames after a first session), which takes no buffer room:
/// zero sectors wait as their subchannel, so the queue stays small.
#[derive(Debug, Clone)]
enum Held {
    /// The whole frame.
    Whole(Box<[u8; FRAME]>),
    /// The zero sector of this kind at the frame's address, and the
    /// frame's subchannel.
    Zero(ZeroKind, Box<[u8; FRAME - MAIN]>),
}

impl Held {
    fn new(lba: Lba, frame: Box<[u8; FRAME]>) -> Held {
        let (main, sub) = frame.split_at(MAIN);
        match (zero_kind_of(lba, main), <[u8; FRAME - MAIN]>::try_from(sub)) {
            (Some(kind), Ok(sub)) => Held::Zero(kind, Box::new(sub)),
            _ => Held::Whole(frame),
        }
    }

    /// Records the frame at `lba`.
    fn record(&self, lba: Lba, store: &mut dyn SectorStore) -> Result<(), StoreError> {
        match self {
            Held::Whole(frame) => store.write_frame(lba, &frame[..]),
            Held::Zero(kind, sub) => {
                let mut frame = [0u8; FRAME];
                let (main, rest) = frame.split_at_mut(MAIN);
                let main: &mut [u8; MAIN] = main
                    .try_into()
                    .map_err(|_| StoreError("a frame's main channel".into()))?;
                zero_sector(*kind, lba, main).map_err(|_| {
                    StoreError(format!(
                        "the zero sector of lba {} cannot be built",
                        lba.get()
                    ))
                })?;
                rest.copy_from_slice(&sub[..]);
                store.write_frame(lba, &frame)
            }
        }
    }
}

/// The buffer and the recording laser behind it.
#[derive(Debug, Clone)]
pub struct DriveBuffer {
    capacity: usize,
    /// Frames waiting, each with the bytes of buffer it takes (what the
    /// host sent for it; nothing for frames the drive makes).
    queue: VecDeque<(Lba, Held, usize)>,
    /// Bytes the queue takes.
    used: usize,
    speed: Speed,
    bufe: bool,
    state: State,
    underrun: Option<Lba>,
    links: u32,
    recorded: u64,
    last: Option<Lba>,
    hold: Duration,
}

impl DriveBuffer {
    /// A buffer of `capacity` bytes recording at `speed`.
    pub fn new(capacity: usize, speed: Speed) -> DriveBuffer {
        DriveBuffer {
            capacity: capacity.max(FRAME),
            queue: VecDeque::new(),
            used: 0,
            speed,
            bufe: true,
            state: State::Idle,
            underrun: None,
            links: 0,
            recorded: 0,
            last: None,
            hold: Duration::ZERO,
        }
    }

    /// Sets the recording speed.
    pub fn set_speed(&mut self, speed: Speed) {
        self.speed = speed;
    }

    /// The recording speed.
    pub fn speed(&self) -> Speed {
        self.speed
    }

    /// Turns buffer-underrun protection on or off.
    pub fn set_bufe(&mut self, on: bool) {
        self.bufe = on;
    }

    /// Buffer size in bytes.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Bytes waiting to be recorded.
    pub fn fill(&self) -> usize {
        self.used
    }

    /// Bytes free.
    pub fn free(&self) -> usize {
        self.capacity.saturating_sub(self.fill())
    }

    /// Where an underrun without protection broke the recording.
    pub fn underrun(&self) -> Option<Lba> {
        self.underrun
    }

    /// Pauses protected by BUFE (seamless links).
    pub fn links(&self) -> u32 {
        self.links
    }

    /// Frames recorded so far.
    pub fn recorded(&self) -> u64 {
        self.recorded
    }

    /// The last frame recorded.
    pub fn last_recorded(&self) -> Option<Lba> {
        self.last
    }

    /// Keeps the laser from recording before `t` (while the drive writes
    /// a lead-in of its own, or calibrates).
    pub fn hold_until(&mut self, t: Duration) {
        self.hold = self.hold.max(t);
        if let State::Running { last, credit } = self.state {
            self.state = State::Running {
                last: last.max(t),
                credit,
            };
        }
    }

    /// Queues a frame for recording; it takes `bytes` of the buffer (the
    /// bytes the host sent for it). The buffer may hold more than its
    /// capacity for a moment: the excess is data still on the bus, which
    /// the drive takes as room frees ([`DriveBuffer::time_until_room`]).
    pub fn push(&mut self, lba: Lba, frame: Box<[u8; FRAME]>, bytes: usize, now: Duration) {
        self.used += bytes;
        self.queue.push_back((lba, Held::new(lba, frame), bytes));
        if matches!(self.state, State::Idle | State::Paused) {
            self.state = State::Running {
                last: now.max(self.hold),
                credit: 0.0,
            };
        }
    }

    /// Virtual time from `now` until what is queued fits the buffer.
    pub fn time_until_room(&self, now: Duration) -> Duration {
        let mut excess = self.used.saturating_sub(self.capacity);
        if excess == 0 {
            return Duration::ZERO;
        }
        let mut frames = 0;
        for (_, _, bytes) in &self.queue {
            frames += 1;
            excess = excess.saturating_sub(*bytes);
            if excess == 0 {
                break;
            }
        }
        self.held(now).saturating_add(self.frames_time(frames))
    }

    /// Time from `now` until the laser may record (a hold).
    fn held(&self, now: Duration) -> Duration {
        self.hold.saturating_sub(now)
    }

    /// Time to record `n` frames.
    fn frames_time(&self, n: usize) -> Duration {
        match self.speed {
            Speed::Unlimited => Duration::ZERO,
            Speed::SectorsPerSecond(s) if s > 0.0 => Duration::from_secs_f64(n as f64 / s),
            Speed::SectorsPerSecond(_) => Duration::MAX,
        }
    }

    /// Records what the time since the last call allows. With `finishing`
    /// (the host has sent everything), running dry is the end, not an
    /// underrun.
    ///
    /// ## Errors
    ///
    /// [`StoreError`] from the disc's storage.
    pub fn advance(
        &mut self,
        now: Duration,
        store: &mut dyn SectorStore,
        finishing: bool,
    ) -> Result<(), StoreError> {
        let State::Running { last, credit } = self.state else {
            return Ok(());
        };
        let unlimited = matches!(self.speed, Speed::Unlimited);
        if now < last || (now == last && !unlimited) {
            // Held (the drive records a lead-in of its own first), or no
            // time passed.
            return Ok(());
        }
        let elapsed = now.saturating_sub(last).as_secs_f64();
        let mut credit = match self.speed {
            Speed::Unlimited => f64::INFINITY,
            Speed::SectorsPerSecond(s) => credit + elapsed * s,
        };
        while credit >= 1.0 {
            let Some((lba, frame, bytes)) = self.queue.pop_front() else {
                break;
            };
            self.used -= bytes;
            frame.record(lba, store)?;
            self.recorded += 1;
            self.last = Some(lba);
            credit -= 1.0;
        }
        if self.queue.is_empty() {
            let starved = credit >= 1.0 && credit.is_finite();
            if finishing || matches!(self.speed, Speed::Unlimited) {
                self.state = State::Idle;
            } else if starved {
                if self.bufe {
                    self.links += 1;
                    self.state = State::Paused;
                } else {
                    if self.underrun.is_none() {
                        self.underrun = Some(self.last.map_or(Lba::ZERO, |l| Lba(l.get() + 1)));
                    }
                    self.state = State::Idle;
                }
            } else {
                self.state = State::Running { last: now, credit };
            }
        } else {
            self.state = State::Running {
                last: now,
                credit: if credit.is_finite() { credit } else { 0.0 },
            };
        }
        Ok(())
    }

    /// Virtual time from `now` until every queued frame is recorded.
    pub fn drain_time(&self, now: Duration) -> Duration {
        if self.queue.is_empty() {
            return Duration::ZERO;
        }
        self.held(now)
            .saturating_add(self.frames_time(self.queue.len()))
    }

    /// Records everything queued at once: the frames before a write error
    /// reach the disc on the laser's way to it.
    ///
    /// ## Errors
    ///
    /// [`StoreError`] from the disc's storage.
    pub fn flush(&mut self, store: &mut dyn SectorStore) -> Result<(), StoreError> {
        while let Some((lba, frame, bytes)) = self.queue.pop_front() {
            self.used -= bytes;
            frame.record(lba, store)?;
            self.recorded += 1;
            self.last = Some(lba);
        }
        self.state = State::Idle;
        Ok(())
    }

    /// Drops everything queued (a cancelled or failed burn).
    pub fn discard(&mut self) {
        self.queue.clear();
        self.used = 0;
        self.state = State::Idle;
    }

    /// Resets for a new burn.
    pub fn reset(&mut self) {
        self.discard();
        self.underrun = None;
        self.links = 0;
        self.recorded = 0;
        self.last = None;
        self.hold = Duration::ZERO;
    }

    /// Marks an underrun at `lba` (fault injection).
    pub fn force_underrun(&mut self, lba: Lba) {
        if self.bufe {
            self.links += 1;
        } else if self.underrun.is_none() {
            self.underrun = Some(lba);
            self.queue.clear();
            self.used = 0;
            self.state = State::Idle;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn frame() -> Box<[u8; FRAME]> {
        Box::new([7u8; FRAME])
    }

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn drains_at_speed() {
        let mut store = MemoryStore::new();
        let mut b = DriveBuffer::new(100 * FRAME, Speed::times(1.0));
        for l in 0..75 {
            b.push(Lba(l), frame(), FRAME, ms(0));
        }
        assert_eq!(b.free(), 25 * FRAME);
        b.advance(ms(500), &mut store, false).unwrap();
        assert_eq!(b.recorded(), 37);
        assert_eq!(b.drain_time(ms(500)), Duration::from_secs_f64(38.0 / 75.0));
        b.advance(ms(1000), &mut store, false).unwrap();
        assert_eq!(b.recorded(), 75);
        let mut out = vec![0; FRAME];
        assert!(store.read_frame(Lba(74), &mut out).unwrap());
        assert_eq!(b.underrun(), None);
    }

    #[test]
    fn underrun_without_protection_and_links_with_it() {
        for bufe in [false, true] {
            let mut store = MemoryStore::new();
            let mut b = DriveBuffer::new(100 * FRAME, Speed::times(1.0));
            b.set_bufe(bufe);
            for l in 0..10 {
                b.push(Lba(l), frame(), FRAME, ms(0));
            }
            // One second later only 10 frames were there for 75 slots.
            b.advance(ms(1000), &mut store, false).unwrap();
            if bufe {
                assert_eq!((b.underrun(), b.links()), (None, 1));
                b.push(Lba(10), frame(), FRAME, ms(2000));
                b.advance(ms(2100), &mut store, false).unwrap();
                assert_eq!(b.recorded(), 11);
            } else {
                assert!(b.underrun().is_some());
            }
        }
    }

    #[test]
    fn finishing_is_not_an_underrun() {
        let mut store = MemoryStore::new();
        let mut b = DriveBuffer::new(100 * FRAME, Speed::times(1.0));
        b.set_bufe(false);
        b.push(Lba(0), frame(), FRAME, ms(0));
        b.advance(ms(1000), &mut store, true).unwrap();
        assert_eq!((b.recorded(), b.underrun()), (1, None));
    }

    #[test]
    fn unlimited_records_at_once() {
        let mut store = MemoryStore::new();
        let mut b = DriveBuffer::new(10 * FRAME, Speed::Unlimited);
        b.set_bufe(false);
        for l in 0..10 {
            b.push(Lba(l), frame(), FRAME, ms(0));
        }
        b.advance(ms(0), &mut store, false).unwrap();
        assert_eq!((b.recorded(), b.underrun()), (10, None));
    }
}
