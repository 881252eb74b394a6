//! The virtual recorder as an operating system presents a drive, for the
//! pass-through transports' tests (Linux's `SG_IO`, Windows' SPTI): each
//! runs its own adapter over [`Bench::run`], which says what the system
//! would have seen (the command's data and auto-sense, a timeout, a drive
//! that is gone), and burns, reads back and runs operations with the
//! helpers below exactly as the CLI drives a real drive.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use layout::disc::{Disc, Project};
use layout::frames::{FrameEncoder, FrameOptions};
use layout::msf::Lba;
use layout::render::SourceData;
use layout::subchannel::SubchannelFormat;
use mmc::engine::{Engine, EngineError, Options, Summary, Verify, WriteMode, driver as engine};
use mmc::scsi::{Clock, Link, ScsiRequest, Transport};
use mmc::wire::command::{ReadCd, Subchannel};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use vdrive::scsi::Status;
use vdrive::{MediaKind, MediaSpec, MemoryStore, Recorder, RecorderConfig, ScsiTarget};

/// What goes wrong with the nth command of an opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trouble {
    /// The drive leaves: gone now and for every later command.
    Unplugged,
    /// The drive does not answer: the system aborts the command at its
    /// timeout.
    Silent,
}

/// What the system saw of one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// The drive is gone.
    Gone,
    /// The command was aborted at its timeout.
    TimedOut,
    /// The command ran.
    Done {
        /// CHECK CONDITION (else GOOD).
        check: bool,
        /// Bytes of the data phase moved.
        moved: usize,
        /// The auto-sense bytes (REQUEST SENSE's, 18 of them), for a
        /// CHECK CONDITION.
        sense: Vec<u8>,
    },
}

/// The recorder, virtual time, and the troubles to come.
pub struct Bench {
    /// The drive.
    pub recorder: Recorder<MemoryStore>,
    /// Virtual time.
    pub now: Duration,
    /// Opcode, nth, what happens.
    pub troubles: Vec<(u8, usize, Trouble)>,
    /// Opcodes the device saw, in order.
    pub log: Vec<u8>,
    /// The timeout each opcode came with (the last one seen).
    pub timeouts: BTreeMap<u8, Duration>,
    /// Unplugged.
    pub gone: bool,
}

/// The bench, shared by a device adapter and a clock.
pub type Shared = Rc<RefCell<Bench>>;

/// A recorder with a blank disc of `kind` (80 minutes) in it.
pub fn bench(kind: MediaKind) -> Shared {
    let mut recorder = Recorder::new(
        MemoryStore::new(),
        RecorderConfig {
            instant: true,
            ..RecorderConfig::default()
        },
    );
    recorder
        .insert_blank(MediaSpec::new(kind, 80).unwrap())
        .unwrap();
    Rc::new(RefCell::new(Bench {
        recorder,
        now: Duration::ZERO,
        troubles: Vec::new(),
        log: Vec::new(),
        timeouts: BTreeMap::new(),
        gone: false,
    }))
}

impl Bench {
    /// Runs `cdb` with `out` (data to the drive) or `data_in` (room for
    /// data from it), waiting at most `timeout`, as the system would.
    pub fn run(
        &mut self,
        cdb: &[u8],
        out: &[u8],
        data_in: Option<&mut [u8]>,
        timeout: Duration,
    ) -> Seen {
        if self.gone {
            return Seen::Gone;
        }
        let op = cdb[0];
        self.log.push(op);
        self.timeouts.insert(op, timeout);
        let nth = self.log.iter().filter(|&&o| o == op).count();
        let trouble = self
            .troubles
            .iter()
            .find(|(o, n, _)| *o == op && *n == nth)
            .map(|t| t.2);
        match trouble {
            Some(Trouble::Unplugged) => {
                self.gone = true;
                return Seen::Gone;
            }
            Some(Trouble::Silent) => return self.timed_out(timeout),
            None => {}
        }
        let now = self.now;
        let c = self.recorder.execute(cdb, out, now);
        if c.ready_at.saturating_sub(now) > timeout {
            return self.timed_out(timeout);
        }
        self.now = now.max(c.ready_at);
        let t = self.now;
        self.recorder.tick(t);
        let moved = match data_in {
            Some(buf) => {
                let n = c.data.len().min(buf.len());
                buf[..n].copy_from_slice(&c.data[..n]);
                n
            }
            None => out.len(),
        };
        let check = c.status == Status::CheckCondition;
        let sense = if check {
            // Auto-sense, as the systems' drivers do.
            self.recorder.execute(&[0x03, 0, 0, 0, 18, 0], &[], t).data
        } else {
            Vec::new()
        };
        Seen::Done {
            check,
            moved,
            sense,
        }
    }

    fn timed_out(&mut self, timeout: Duration) -> Seen {
        self.now += timeout;
        let now = self.now;
        self.recorder.tick(now);
        Seen::TimedOut
    }
}

/// The bench's virtual clock.
pub struct VirtualClock(pub Shared);

impl Clock for VirtualClock {
    fn now(&self) -> Duration {
        self.0.borrow().now
    }

    fn sleep_until(&mut self, t: Duration) {
        let mut b = self.0.borrow_mut();
        b.now = b.now.max(t);
        let now = b.now;
        b.recorder.tick(now);
    }
}

/// Mode 1 data, then audio, with an MCN.
const MIXED: &str = r#"{ "sources": [{ "path": "d.iso" }, { "path": "a.wav", "format": "audio" }],
  "mcn": "0036000291452",
  "tracks": [
    { "sectorType": "mode1", "data": { "source": 0, "sectors": 500 } },
    { "sectorType": "audio", "data": { "source": 1, "sectors": 700 } } ] }"#;

/// The disc the tests burn.
pub fn disc() -> Disc {
    Disc::plan(&Project::from_json(MIXED).unwrap()).unwrap()
}

/// Pseudo-random bytes for each source.
pub fn sources(disc: &Disc) -> Vec<Vec<u8>> {
    let mut seed = 0x2545_f491u32;
    (0..disc.project().sources.len())
        .map(|_| {
            (0..2 << 20)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed as u8
                })
                .collect()
        })
        .collect()
}

/// Main-channel frames of `start..end` as `layout` renders them.
pub fn render(disc: &Disc, src: &mut Vec<Vec<u8>>, start: i32, end: i32) -> Vec<u8> {
    let mut enc = FrameEncoder::new(
        disc,
        FrameOptions {
            start: Lba(start),
            end: Lba(end),
            subchannel: SubchannelFormat::None,
            scramble: false,
        },
    )
    .unwrap();
    let mut out = Vec::new();
    while let Some(b) = enc.next_batch(64) {
        let mut main = vec![0; b.main.map_or(0, |r| r.len)];
        if let Some(r) = &b.main {
            src.read(r, &mut main).unwrap();
        }
        let mut rw = vec![0; b.rw.map_or(0, |r| r.len)];
        if let Some(r) = &b.rw {
            src.read(r, &mut rw).unwrap();
        }
        let mut frames = vec![0; b.sectors as usize * enc.frame_size()];
        enc.encode(&b, &main, &rw, &mut frames).unwrap();
        out.extend_from_slice(&frames);
    }
    out
}

/// READ CD of `start..end` through `link`, main channel.
pub fn read_back(link: &mut impl Transport, start: i32, end: i32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut lba = start;
    while lba < end {
        let n = (end - lba).min(27) as u32;
        let cdb = ReadCd::raw(lba, n, Subchannel::None).to_bytes();
        let r = link.execute(&ScsiRequest::read(&cdb, n * 2352)).unwrap();
        assert!(r.is_good(), "read cd at {lba}: {:?}", r.sense());
        assert_eq!((r.data.len(), r.residue), (n as usize * 2352, 0));
        out.extend_from_slice(&r.data);
        lba += n as i32;
    }
    out
}

/// Burns [`disc`] through `link` in `mode`, verifying it exactly when
/// asked.
pub fn burn(link: &mut impl Link, mode: WriteMode, verify: bool) -> Result<Summary, EngineError> {
    let d = disc();
    let mut src = sources(&d);
    let mut engine = Engine::new(
        Arc::new(d),
        Options {
            mode,
            verify: verify.then_some(Verify::Exact),
            ..Options::default()
        },
    );
    engine::run(&mut engine, link, &mut src, &mut |_| {})
}

/// How many times `opcode` was sent.
pub fn sent(b: &Shared, opcode: u8) -> usize {
    b.borrow().log.iter().filter(|&&o| o == opcode).count()
}
