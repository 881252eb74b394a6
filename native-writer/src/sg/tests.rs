//! [`SgLink`] end to end: the virtual recorder behind [`SgDevice`] the way
//! the kernel would put a drive (auto-sense, residue, host status on a
//! timeout, `ENODEV` once it is gone), driven by the write engine and the
//! drive operations exactly as the CLI drives a real one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::SgLink;
use super::ioctl::{Data, SENSE_LEN, SgDevice, SgReply};
use super::transport::{driver, host};
use layout::disc::{Disc, Project};
use layout::frames::{FrameEncoder, FrameOptions};
use layout::msf::Lba;
use layout::render::SourceData;
use layout::subchannel::SubchannelFormat;
use mmc::engine::{Engine, EngineError, Options, Summary, Verify, WriteMode, driver as engine};
use mmc::ops::{self, Blank, BlankKind, Op, OpError, Tray, TrayAction};
use mmc::scsi::{Clock, ScsiRequest, Transport, TransportError};
use mmc::wire::command::{ReadCd, Subchannel};
use std::cell::RefCell;
use std::io;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use vdrive::disc::DiscStatus;
use vdrive::scsi::Status;
use vdrive::{FaultPlan, MediaKind, MediaSpec, MemoryStore, Recorder, RecorderConfig, ScsiTarget};

/// What goes wrong with the nth command of an opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trouble {
    /// The drive leaves: `ENODEV` now and for every later command.
    Unplugged,
    /// The drive does not answer: the kernel aborts the command at its
    /// timeout and reports `DID_TIME_OUT`.
    Silent,
}

/// The recorder, virtual time, and the troubles to come.
struct Bench {
    recorder: Recorder<MemoryStore>,
    now: Duration,
    troubles: Vec<(u8, usize, Trouble)>,
    /// Opcodes the device saw, in order.
    log: Vec<u8>,
    /// The timeout each opcode came with (the last one seen).
    timeouts: std::collections::BTreeMap<u8, Duration>,
    gone: bool,
}

type Shared = Rc<RefCell<Bench>>;

/// The recorder as the kernel presents a drive.
struct Device(Shared);

/// The bench's virtual clock.
struct VirtualClock(Shared);

type Link = SgLink<Device, VirtualClock>;

fn bench(kind: MediaKind) -> (Link, Shared) {
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
    let shared = Rc::new(RefCell::new(Bench {
        recorder,
        now: Duration::ZERO,
        troubles: Vec::new(),
        log: Vec::new(),
        timeouts: std::collections::BTreeMap::new(),
        gone: false,
    }));
    let link = SgLink::with_clock(Device(shared.clone()), VirtualClock(shared.clone()));
    (link, shared)
}

impl SgDevice for Device {
    fn sg_io(
        &mut self,
        cdb: &[u8],
        data: Data<'_>,
        sense: &mut [u8; SENSE_LEN],
        timeout: Duration,
    ) -> io::Result<SgReply> {
        let mut b = self.0.borrow_mut();
        if b.gone {
            return Err(io::Error::from_raw_os_error(libc::ENODEV));
        }
        let op = cdb[0];
        b.log.push(op);
        b.timeouts.insert(op, timeout);
        let nth = b.log.iter().filter(|&&o| o == op).count();
        let trouble = b
            .troubles
            .iter()
            .find(|(o, n, _)| *o == op && *n == nth)
            .map(|t| t.2);
        let timed_out = |b: &mut Bench| {
            b.now += timeout;
            let now = b.now;
            b.recorder.tick(now);
            Ok(SgReply {
                host_status: host::DID_TIME_OUT,
                ..SgReply::default()
            })
        };
        match trouble {
            Some(Trouble::Unplugged) => {
                b.gone = true;
                return Err(io::Error::from_raw_os_error(libc::ENODEV));
            }
            Some(Trouble::Silent) => return timed_out(&mut b),
            None => {}
        }
        let now = b.now;
        let out: &[u8] = match &data {
            Data::Out(d) => d,
            _ => &[],
        };
        let c = b.recorder.execute(cdb, out, now);
        if c.ready_at.saturating_sub(now) > timeout {
            return timed_out(&mut b);
        }
        b.now = now.max(c.ready_at);
        let t = b.now;
        b.recorder.tick(t);
        let asked = data.len();
        let moved = match data {
            Data::In(buf) => {
                let n = c.data.len().min(buf.len());
                buf[..n].copy_from_slice(&c.data[..n]);
                n
            }
            Data::Out(d) => d.len(),
            Data::None => 0,
        };
        let mut reply = SgReply {
            resid: (asked - moved) as i32,
            ..SgReply::default()
        };
        if c.status == Status::CheckCondition {
            // Auto-sense, as the kernel's midlayer does.
            let s = b.recorder.execute(&[0x03, 0, 0, 0, 18, 0], &[], t);
            let n = s.data.len().min(SENSE_LEN);
            sense[..n].copy_from_slice(&s.data[..n]);
            reply.status = 0x02;
            reply.driver_status = driver::DRIVER_SENSE;
            reply.sb_len_wr = n as u8;
        }
        Ok(reply)
    }
}

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

fn disc() -> Disc {
    Disc::plan(&Project::from_json(MIXED).unwrap()).unwrap()
}

/// Pseudo-random bytes for each source.
fn sources(disc: &Disc) -> Vec<Vec<u8>> {
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
fn render(disc: &Disc, src: &mut Vec<Vec<u8>>, start: i32, end: i32) -> Vec<u8> {
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

/// READ CD of `start..end` through the link, main channel.
fn read_back(link: &mut Link, start: i32, end: i32) -> Vec<u8> {
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

fn burn(link: &mut Link, mode: WriteMode, verify: bool) -> Result<Summary, EngineError> {
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

fn sent(b: &Shared, opcode: u8) -> usize {
    b.borrow().log.iter().filter(|&&o| o == opcode).count()
}

#[test]
fn every_mode_burns_verifies_and_reads_back() {
    let d = disc();
    let mut src = sources(&d);
    // Track 1 (Mode 1) sits at LBA 0 in every mode; TAO moves track 2 by
    // its run-out, so it is compared where the others put it.
    let want = render(&d, &mut src, 0, 1350);
    for mode in [WriteMode::Raw96r, WriteMode::Sao, WriteMode::Tao] {
        let (mut link, b) = bench(MediaKind::CdR);
        let s = burn(&mut link, mode, true).unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        assert_eq!((s.mode, s.verified), (mode, true), "{mode:?}");
        assert_eq!(
            b.borrow().recorder.disc().unwrap().status(),
            DiscStatus::Finalized,
            "{mode:?}"
        );
        // The kernel is given the timeouts the engine asks: long for
        // writing, flushing and closing (TAO), the default for the rest.
        let long = mmc::scsi::LONG_TIMEOUT;
        let timeouts = b.borrow().timeouts.clone();
        for (op, want) in [
            (0x2a, long),
            (0x35, long),
            (0x5b, long),
            (0x12, mmc::scsi::DEFAULT_TIMEOUT),
            (0x51, mmc::scsi::DEFAULT_TIMEOUT),
        ] {
            // Disc-at-once closes with the lead-out: no CLOSE.
            if mode != WriteMode::Tao && op == 0x5b {
                assert_eq!(timeouts.get(&op), None, "{mode:?}");
                continue;
            }
            assert_eq!(timeouts.get(&op), Some(&want), "{mode:?} {op:02x}h");
        }
        let got = read_back(&mut link, 0, 500);
        assert!(got == want[..500 * 2352], "{mode:?}: track 1 differs");
        if mode != WriteMode::Tao {
            let got = read_back(&mut link, 650, 1350);
            assert!(got == want[650 * 2352..], "{mode:?}: track 2 differs");
        }
    }
}

#[test]
fn blank_and_eject() {
    let (mut link, b) = bench(MediaKind::CdRw);
    burn(&mut link, WriteMode::Sao, false).unwrap();
    assert_eq!(
        b.borrow().recorder.disc().unwrap().status(),
        DiscStatus::Finalized
    );
    let mut op = Op::new(Blank::new(BlankKind::Minimal));
    ops::run(&mut op, &mut link, &mut |_| {}, &|| false).unwrap();
    assert_eq!(
        b.borrow().recorder.disc().unwrap().status(),
        DiscStatus::Blank
    );
    // BLANK went out once, with the long timeout.
    assert_eq!(sent(&b, 0xa1), 1);
    assert_eq!(b.borrow().timeouts[&0xa1], mmc::scsi::LONG_TIMEOUT);
    let mut op = Op::new(Tray::new(TrayAction::Eject));
    ops::run(&mut op, &mut link, &mut |_| {}, &|| false).unwrap();
    assert!(b.borrow().recorder.tray_open());
}

#[test]
fn a_medium_error_names_its_lba() {
    let (mut link, b) = bench(MediaKind::CdR);
    let plan = FaultPlan::from_json(r#"{ "faults": [ { "lba": 300, "fault": "mediumError" } ] }"#)
        .unwrap();
    b.borrow_mut().recorder.set_faults(plan);
    let e = burn(&mut link, WriteMode::Sao, true).unwrap_err();
    assert_eq!(
        format!("{e:?}"),
        "Stopped { cause: Drive { phase: Writing, command: \"WRITE(10)\", sense: Sense { key: MediumError, asc: 12, ascq: 0 }, at: Some(Lba(300)), confirmed: Confirmed(Some(Lba(287))) }, disc: Incomplete { erasable: false } }"
    );
    assert_eq!(
        e.to_string(),
        "writing: WRITE(10) failed: 3/0C/00 write error; the drive confirmed up to lba 287; the disc holds an incomplete session: this CD-R cannot be used again"
    );
}

#[test]
fn a_drive_unplugged_mid_burn() {
    let (mut link, b) = bench(MediaKind::CdR);
    b.borrow_mut().troubles.push((0x2a, 10, Trouble::Unplugged));
    let e = burn(&mut link, WriteMode::Sao, false).unwrap_err();
    assert_eq!(
        format!("{e:?}"),
        "Stopped { cause: Transport { phase: Writing, command: \"WRITE(10)\", error: Disconnected, confirmed: Confirmed(Some(Lba(127))) }, disc: Unknown }"
    );
    assert_eq!(
        e.to_string(),
        "writing: WRITE(10): the drive was disconnected; the drive confirmed up to lba 127; what the disc holds is unknown: the drive did not answer"
    );
    // Nothing reached the device after it left.
    let log = b.borrow().log.clone();
    assert_eq!(log.last(), Some(&0x2a));
    assert_eq!(sent(&b, 0x2a), 10);
    let tur = ScsiRequest::none(&[0; 6]);
    assert_eq!(
        link.execute(&tur).unwrap_err(),
        TransportError::Disconnected
    );
    assert_eq!(b.borrow().log.len(), log.len());
}

#[test]
fn a_command_that_times_out() {
    // SYNCHRONIZE CACHE changes nothing when sent again: the engine does,
    // and the burn completes.
    let (mut link, b) = bench(MediaKind::CdR);
    burn(&mut link, WriteMode::Sao, false).unwrap();
    let syncs = sent(&b, 0x35);
    let (mut link, b) = bench(MediaKind::CdR);
    b.borrow_mut().troubles.push((0x35, 1, Trouble::Silent));
    let s = burn(&mut link, WriteMode::Sao, false).unwrap();
    assert!(!s.verified);
    assert_eq!(sent(&b, 0x35), syncs + 1);
    assert_eq!(
        b.borrow().recorder.disc().unwrap().status(),
        DiscStatus::Finalized
    );
    // A WRITE that never answers is not sent twice: the burn fails with
    // the timeout the engine gave it.
    let (mut link, b) = bench(MediaKind::CdR);
    b.borrow_mut().troubles.push((0x2a, 5, Trouble::Silent));
    let e = burn(&mut link, WriteMode::Sao, false).unwrap_err();
    assert_eq!(
        format!("{e:?}"),
        "Stopped { cause: Transport { phase: Writing, command: \"WRITE(10)\", error: Timeout(200s), confirmed: Confirmed(Some(Lba(-23))) }, disc: Incomplete { erasable: false } }"
    );
    assert_eq!(
        e.to_string(),
        "writing: WRITE(10): the drive did not answer within 200s; the drive confirmed up to lba -23; the disc holds an incomplete session: this CD-R cannot be used again"
    );
}

#[test]
fn an_operation_on_a_drive_that_left() {
    let (mut link, b) = bench(MediaKind::CdR);
    b.borrow_mut().troubles.push((0x1b, 1, Trouble::Unplugged));
    let mut op = Op::new(Tray::new(TrayAction::Eject));
    let e = ops::run(&mut op, &mut link, &mut |_| {}, &|| false).unwrap_err();
    assert!(
        matches!(
            &e,
            OpError::Transport {
                source: TransportError::Disconnected,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(sent(&b, 0x1b), 1);
}
