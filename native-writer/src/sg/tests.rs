//! [`SgLink`] end to end: the virtual recorder behind [`SgDevice`] the way
//! the kernel would put a drive (auto-sense, residue, host status on a
//! timeout, `ENODEV` once it is gone), driven by the write engine and the
//! drive operations exactly as the CLI drives a real one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::SgLink;
use super::ioctl::{Data, SENSE_LEN, SgDevice, SgReply};
use super::transport::{driver, host};
use crate::testbench::{
    Seen, Shared, Trouble, VirtualClock, bench as recorder, burn, disc, read_back, render, sent,
    sources,
};
use mmc::engine::WriteMode;
use mmc::ops::{self, Blank, BlankKind, Op, OpError, Tray, TrayAction};
use mmc::scsi::{ScsiRequest, Transport, TransportError};
use std::io;
use std::time::Duration;
use vdrive::disc::DiscStatus;
use vdrive::{FaultPlan, MediaKind, ScsiTarget};

/// The recorder as the kernel presents a drive: `ENODEV` once it is gone,
/// `DID_TIME_OUT` for a command it aborted, auto-sense with
/// `DRIVER_SENSE`, the residue.
struct Device(Shared);

type Link = SgLink<Device, VirtualClock>;

fn bench(kind: MediaKind) -> (Link, Shared) {
    let shared = recorder(kind);
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
        let asked = data.len();
        let seen = match data {
            Data::None => self.0.borrow_mut().run(cdb, &[], None, timeout),
            Data::Out(d) => self.0.borrow_mut().run(cdb, d, None, timeout),
            Data::In(b) => self.0.borrow_mut().run(cdb, &[], Some(b), timeout),
        };
        match seen {
            Seen::Gone => Err(io::Error::from_raw_os_error(libc::ENODEV)),
            Seen::TimedOut => Ok(SgReply {
                host_status: host::DID_TIME_OUT,
                ..SgReply::default()
            }),
            Seen::Done {
                check,
                moved,
                sense: s,
            } => {
                let mut reply = SgReply {
                    resid: (asked - moved) as i32,
                    ..SgReply::default()
                };
                if check {
                    let n = s.len().min(SENSE_LEN);
                    sense[..n].copy_from_slice(&s[..n]);
                    reply.status = 0x02;
                    reply.driver_status = driver::DRIVER_SENSE;
                    reply.sb_len_wr = n as u8;
                }
                Ok(reply)
            }
        }
    }
}

#[test]
fn every_mode_burns_verifies_and_reads_back() {
    let d = disc();
    let mut src = sources(&d);
    // Track 1 (Mode 1) sits at LBA 0 in every mode; TAO moves track 2 by
    // its run-out, so it is compared where the others put it.
    let want = render(&d, &mut src, 0, 1350);
    for mode in [
        WriteMode::Raw96r,
        WriteMode::Raw96p,
        WriteMode::Raw16,
        WriteMode::Sao,
        WriteMode::Tao,
    ] {
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
