//! [`SptiLink`] end to end: the virtual recorder behind [`SptiDevice`]
//! the way Windows would put a drive (the request's bytes in and out,
//! auto-sense in the request's sense buffer, `DataTransferLength` cut to
//! what moved, `ERROR_SEM_TIMEOUT` for a command the port driver aborted,
//! `ERROR_DEVICE_NOT_CONNECTED` once it is gone), driven by the write
//! engine and the drive operations exactly as the CLI drives a real one;
//! and opening drives: locks, sharing violations, no disc.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::device::{Data, LockError, SptiDevice, WinError, code};
use super::layout::{Direction, RequestBuffer, SptdRepr};
use super::{DriveId, Found, Opener, SptiLink, describe, open_among};
use crate::error::ExitKind;
use crate::testbench::{
    Seen, Shared, Trouble, VirtualClock, bench as recorder, burn, disc, read_back, render, sent,
    sources,
};
use crate::vdisc::Access;
use mmc::engine::WriteMode;
use mmc::ops::{self, Blank, BlankKind, Op, OpError, Tray, TrayAction};
use mmc::scsi::{ScsiRequest, Transport, TransportError};
use std::time::Duration;
use vdrive::disc::DiscStatus;
use vdrive::{FaultPlan, MediaKind, ScsiTarget};

/// The recorder as Windows presents a drive; every request's bytes are
/// kept.
struct Device {
    bench: Shared,
    requests: Vec<Vec<u8>>,
}

type Link = SptiLink<Device, VirtualClock>;

fn bench(kind: MediaKind) -> (Link, Shared) {
    let shared = recorder(kind);
    let device = Device {
        bench: shared.clone(),
        requests: Vec::new(),
    };
    (
        SptiLink::with_clock(device, VirtualClock(shared.clone())),
        shared,
    )
}

impl SptiDevice for Device {
    fn pass_through(
        &mut self,
        request: &mut RequestBuffer,
        data: Data<'_>,
    ) -> Result<(), WinError> {
        self.requests.push(request.bytes().to_vec());
        // What the port driver reads of the request.
        let repr =
            SptdRepr::parse(&request.view()).map_err(|_| WinError(code::INVALID_PARAMETER))?;
        assert_eq!(repr.data_transfer_length as usize, data.len());
        let timeout = Duration::from_secs(u64::from(repr.time_out_value));
        let mut b = self.bench.borrow_mut();
        let seen = match (repr.direction, data) {
            (Direction::Unspecified, Data::None) => b.run(&repr.cdb, &[], None, timeout),
            (Direction::Out, Data::Out(d)) => b.run(&repr.cdb, d, None, timeout),
            (Direction::In, Data::In(d)) => b.run(&repr.cdb, &[], Some(d), timeout),
            (d, _) => panic!("DataIn {d:?} does not match the buffer"),
        };
        match seen {
            Seen::Gone => Err(WinError(code::DEVICE_NOT_CONNECTED)),
            Seen::TimedOut => Err(WinError(code::SEM_TIMEOUT)),
            Seen::Done {
                check,
                moved,
                sense,
            } => {
                let status = if check { 0x02 } else { 0x00 };
                request
                    .view_mut()
                    .set_completion(status, moved as u32, &sense);
                Ok(())
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
        // The port driver is given the engine's timeouts, in seconds.
        let timeouts = b.borrow().timeouts.clone();
        for (op, secs) in [
            (0x2a, 200),
            (0x35, 200),
            (0x5b, 200),
            (0x12, 30),
            (0x51, 30),
        ] {
            if mode != WriteMode::Tao && op == 0x5b {
                assert_eq!(timeouts.get(&op), None, "{mode:?}");
                continue;
            }
            assert_eq!(
                timeouts.get(&op),
                Some(&Duration::from_secs(secs)),
                "{mode:?} {op:02x}h"
            );
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
fn the_requests_windows_gets() {
    let (mut link, _) = bench(MediaKind::CdR);
    let r = link
        .execute(&ScsiRequest::read(&[0x12, 0, 0, 0, 36, 0], 36))
        .unwrap();
    assert_eq!(&r.data[8..16], b"RAWBURN ");
    let req = &link.device().requests[0];
    if super::layout::Abi::NATIVE == super::layout::Abi::X64 {
        #[rustfmt::skip]
        let want: [u8; 52] = [
            56, 0, 0, 0, 0, 0, 6, 32, // Length, status, path, target, LUN, CdbLength, SenseInfoLength
            1, 0, 0, 0, 36, 0, 0, 0, // DataIn 1, DataTransferLength 36
            30, 0, 0, 0, 0, 0, 0, 0, // TimeOutValue 30
            0, 0, 0, 0, 0, 0, 0, 0, // DataBuffer: set by the Windows call only
            60, 0, 0, 0, 0x12, 0, 0, 0, // SenseInfoOffset 60, the CDB
            36, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(req[..52], want);
    }
    // READ CD of one sector: 12 bytes, 2352 in.
    let cdb =
        mmc::wire::command::ReadCd::raw(0, 1, mmc::wire::command::Subchannel::None).to_bytes();
    let _ = link.execute(&ScsiRequest::read(&cdb, 2352)).unwrap();
    let v = super::layout::Sptd::new_checked(
        &link.device().requests[1][..],
        super::layout::Abi::NATIVE,
    )
    .unwrap();
    assert_eq!(
        (
            v.cdb_length(),
            v.direction(),
            v.data_transfer_length(),
            v.cdb()
        ),
        (12, Direction::In, 2352, &cdb[..])
    );
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
    assert_eq!(sent(&b, 0xa1), 1);
    assert_eq!(b.borrow().timeouts[&0xa1], Duration::from_secs(200));
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
    let (mut link, b) = bench(MediaKind::CdR);
    burn(&mut link, WriteMode::Sao, false).unwrap();
    let syncs = sent(&b, 0x35);
    // SYNCHRONIZE CACHE is sent again by the engine: the burn completes.
    let (mut link, b) = bench(MediaKind::CdR);
    b.borrow_mut().troubles.push((0x35, 1, Trouble::Silent));
    let s = burn(&mut link, WriteMode::Sao, false).unwrap();
    assert!(!s.verified);
    assert_eq!(sent(&b, 0x35), syncs + 1);
    assert_eq!(
        b.borrow().recorder.disc().unwrap().status(),
        DiscStatus::Finalized
    );
    // A WRITE that never answers is not sent twice.
    let (mut link, b) = bench(MediaKind::CdR);
    b.borrow_mut().troubles.push((0x2a, 5, Trouble::Silent));
    let e = burn(&mut link, WriteMode::Sao, false).unwrap_err();
    assert_eq!(
        format!("{e:?}"),
        "Stopped { cause: Transport { phase: Writing, command: \"WRITE(10)\", error: Timeout(200s), confirmed: Confirmed(Some(Lba(-23))) }, disc: Incomplete { erasable: false } }"
    );
    assert_eq!(sent(&b, 0x2a), 5);
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

/// Opens the bench's recorder, or fails as scripted; remembers what it
/// did.
struct Bay {
    bench: Shared,
    open: Result<(), WinError>,
    lock: Result<(), LockError>,
    opened: Vec<DriveId>,
    locked: usize,
}

impl Bay {
    fn new(kind: MediaKind) -> Bay {
        Bay {
            bench: recorder(kind),
            open: Ok(()),
            lock: Ok(()),
            opened: Vec::new(),
            locked: 0,
        }
    }
}

impl Opener for Bay {
    type Device = Device;

    fn open(&mut self, id: DriveId) -> Result<Device, WinError> {
        self.opened.push(id);
        self.open?;
        Ok(Device {
            bench: self.bench.clone(),
            requests: Vec::new(),
        })
    }

    fn lock(&mut self, _: &mut Device) -> Result<(), LockError> {
        self.locked += 1;
        self.lock
    }
}

const FOUND: [Found; 2] = [
    Found {
        number: Some(0),
        letter: Some('E'),
    },
    Found {
        number: Some(1),
        letter: None,
    },
];

fn failure(r: Result<(SptiLink<Device>, String), crate::error::CliError>) -> String {
    match r {
        Ok(_) => panic!("opened"),
        Err(e) => {
            assert_eq!(e.kind, ExitKind::Drive);
            e.to_string()
        }
    }
}

#[test]
fn opening_by_id() {
    for (id, want) in [
        ("E:", DriveId::Letter('E')),
        ("e:", DriveId::Letter('E')),
        (r"\\.\E:", DriveId::Letter('E')),
        (r"\\.\CdRom0", DriveId::Letter('E')),
        ("cdrom0", DriveId::Letter('E')),
        ("CdRom1", DriveId::CdRom(1)),
    ] {
        let mut bay = Bay::new(MediaKind::CdR);
        let (mut link, label) = open_among(&mut bay, &FOUND, id, Access::Read).unwrap();
        assert_eq!(bay.opened, [want], "{id}");
        assert_eq!(bay.locked, 0, "{id}");
        assert_eq!(label, format!("RAWBURN Virtual CD-RW 1.0 ({want})"), "{id}");
        // The drive answers through the link (a unit attention first).
        assert!(link.execute(&ScsiRequest::none(&[0; 6])).is_ok());
    }
    // Writing locks the volume first.
    let mut bay = Bay::new(MediaKind::CdR);
    open_among(&mut bay, &FOUND, "E:", Access::Write).unwrap();
    assert_eq!(bay.locked, 1);
    let mut bay = Bay::new(MediaKind::CdR);
    assert_eq!(
        failure(open_among(&mut bay, &FOUND, "F:", Access::Read)),
        "error: no drive F:\n  caused by: Windows' CD/DVD drives: E:, \\\\.\\CdRom1"
    );
    assert_eq!(
        failure(open_among(&mut bay, &[], "cdrom3", Access::Read)),
        "error: no drive cdrom3\n  caused by: Windows lists no CD/DVD drive"
    );
    assert_eq!(
        failure(open_among(&mut bay, &FOUND, "/dev/sr0", Access::Read)),
        r"error: no drive /dev/sr0: Windows drives are named E: or \\.\CdRom0"
    );
    assert!(bay.opened.is_empty());
}

#[test]
fn a_drive_another_program_holds() {
    // Opening: a sharing violation.
    let mut bay = Bay::new(MediaKind::CdR);
    bay.open = Err(WinError(code::SHARING_VIOLATION));
    assert_eq!(
        failure(open_among(&mut bay, &FOUND, "E:", Access::Write)),
        "error: cannot use E:: E: is in use by another program (ERROR_SHARING_VIOLATION, 32)\n  \
         caused by: what to do: close the program using it (Explorer's burn, ImgBurn, Windows \
         Media Player, …) and try again"
    );
    assert_eq!(bay.locked, 0);
    // Locking: another handle on the volume.
    let mut bay = Bay::new(MediaKind::CdR);
    bay.lock = Err(LockError::Lock(WinError(code::ACCESS_DENIED)));
    assert_eq!(
        failure(open_among(&mut bay, &FOUND, "E:", Access::Write)),
        "error: cannot use E:: E: is in use by another program (ERROR_ACCESS_DENIED, 5)\n  \
         caused by: what to do: close the program using it (Explorer's burn, ImgBurn, Windows \
         Media Player, …) and try again"
    );
    // Reading does not lock, so it is not refused so.
    assert!(open_among(&mut bay, &FOUND, "E:", Access::Read).is_ok());
    // Dismounting: files open on the disc.
    let mut bay = Bay::new(MediaKind::CdR);
    bay.lock = Err(LockError::Dismount(WinError(code::ACCESS_DENIED)));
    assert_eq!(
        failure(open_among(&mut bay, &FOUND, "E:", Access::Write)),
        "error: cannot use E:: files on the disc in E: are open: Windows would not dismount it \
         (ERROR_ACCESS_DENIED, 5)\n  caused by: what to do: close the windows and programs \
         showing files of the disc, and try again"
    );
    // Access denied: administrator.
    let mut bay = Bay::new(MediaKind::CdR);
    bay.open = Err(WinError(code::ACCESS_DENIED));
    assert_eq!(
        failure(open_among(&mut bay, &FOUND, "cdrom1", Access::Read)),
        "error: cannot use \\\\.\\CdRom1: access denied opening \\\\.\\CdRom1 for reading and \
         writing (ERROR_ACCESS_DENIED, 5)\n  caused by: what to do: run rawburn as an \
         administrator (right-click the terminal, \"Run as administrator\"), or ask the \
         administrator to let users use the drive"
    );
}

#[test]
fn writing_needs_a_disc() {
    let mut bay = Bay::new(MediaKind::CdR);
    let _ = bay.bench.borrow_mut().recorder.remove();
    assert_eq!(
        failure(open_among(&mut bay, &FOUND, "E:", Access::Write)),
        "error: cannot use RAWBURN Virtual CD-RW 1.0 (E:): there is no disc in E:\n  caused \
         by: what to do: insert a disc and close the tray, then try again"
    );
    // Reading opens it: the command says what it needs.
    assert!(open_among(&mut bay, &FOUND, "E:", Access::Read).is_ok());
}

#[test]
fn listing() {
    let mut bay = Bay::new(MediaKind::CdR);
    let d = describe(&mut bay, &FOUND[0]);
    assert_eq!(
        serde_json::to_string(&d).unwrap(),
        r#"{"id":"E:","vendorId":null,"productId":null,"usbVendor":null,"usbProduct":null,"vendor":"RAWBURN","product":"Virtual CD-RW","revision":"1.0","subclass":null,"usable":true,"problem":null,"fix":null,"sameDriveAs":null,"device":"\\\\.\\CdRom0","letter":"E:"}"#
    );
    bay.open = Err(WinError(code::SHARING_VIOLATION));
    let d = describe(&mut bay, &FOUND[1]);
    assert_eq!(
        (d.id.as_str(), d.usable, d.problem.as_deref(), d.label()),
        (
            r"\\.\CdRom1",
            false,
            Some(r"\\.\CdRom1 is in use by another program (ERROR_SHARING_VIOLATION, 32)"),
            r"drive \\.\CdRom1".to_string()
        )
    );
    // A drive that is gone while listed.
    let mut bay = Bay::new(MediaKind::CdR);
    bay.bench.borrow_mut().gone = true;
    let d = describe(&mut bay, &FOUND[0]);
    assert!(!d.usable);
    assert_eq!(
        d.problem,
        Some(crate::usb::problem::no_answer(&TransportError::Disconnected).problem)
    );
}
