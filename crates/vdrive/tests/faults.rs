//! Every kind of fault a [`FaultPlan`] injects, loaded from JSON and seen
//! from the host's side of the USB cable, as `src/faults.rs` documents
//! them; and the plans that must be refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Host, MODE1_BLOCK, mode_select_cdb, mode1_data, select_list, tao_mode1_page};
use layout::msf::Lba;
use mmc::wire::bot::{
    CBW_LEN, CSW_LEN, CbwRepr, CswProblem, CswRepr, CswStatus, Direction, SetupPacket,
};
use mmc::wire::sense::SenseRepr;
use std::time::Duration;
use vdrive::bot::{BULK_IN, BULK_OUT};
use vdrive::faults::PlanError;
use vdrive::{FaultPlan, MediaKind, RecorderConfig, SectorStore, UsbError};

const TUR: [u8; 6] = [0x00, 0, 0, 0, 0, 0];
const INQUIRY_36: [u8; 6] = [0x12, 0, 0, 0, 36, 0];

/// An instant drive with a blank 80-minute CD-R, running `plan`.
fn host_with(plan: &str) -> Host {
    let mut h = Host::blank(MediaKind::CdR, 80);
    h.dev.set_faults(FaultPlan::from_json(plan).unwrap());
    h
}

/// A drive that records at its real speed (48×), blank CD-R, `plan`.
fn timed_host_with(plan: &str) -> Host {
    let mut h = Host::with_config(RecorderConfig {
        instant: false,
        ..RecorderConfig::default()
    });
    h.insert(MediaKind::CdR, 80);
    h.dev.set_faults(FaultPlan::from_json(plan).unwrap());
    h
}

/// Sends `cdb`'s CBW expecting `len` bytes in `dir`; returns the CBW.
fn send(h: &mut Host, cdb: &[u8], dir: Direction, len: u32) -> CbwRepr {
    let cbw = h.cbw(cdb, dir, len);
    assert_eq!(h.send_cbw(&cbw.to_bytes()), Ok(CBW_LEN));
    cbw
}

/// Reads 13 bytes of CSW (no stall).
fn csw_bytes(h: &mut Host) -> Vec<u8> {
    let b = h.read(CSW_LEN).expect("csw");
    assert_eq!(b.len(), CSW_LEN);
    b
}

/// (key, ASC, ASCQ) of fixed sense bytes.
fn kcq(s: &[u8]) -> (u8, u8, u8) {
    (s[2] & 0x0f, s[12], s[13])
}

/// The power-on write parameters page has BUFE on; this one turns it off
/// and sets a one second pause, so that a MODE SELECT that ran shows.
fn marker_list() -> Vec<u8> {
    let mut p = tao_mode1_page(false);
    p.audio_pause_length = 75;
    select_list(&p)
}

fn marker_selected(h: &Host) -> bool {
    let p = h.recorder().write_parameters();
    !p.bufe && p.audio_pause_length == 75
}

/// Whether the frame of `lba` was ever recorded.
fn recorded(h: &mut Host, lba: i32) -> bool {
    let mut frame = vec![0u8; vdrive::store::FRAME];
    h.dev
        .target_mut()
        .store_mut()
        .read_frame(Lba(lba), &mut frame)
        .unwrap()
}

/// READ CD of `blocks` blocks from `lba`, user data only.
fn read_cd_user(lba: i32, blocks: u32) -> [u8; 12] {
    let l = lba.to_be_bytes();
    let n = blocks.to_be_bytes();
    [
        0xbe, 0, l[0], l[1], l[2], l[3], n[1], n[2], n[3], 0x10, 0, 0,
    ]
}

// ---------------------------------------------------------------------
// Transport faults
// ---------------------------------------------------------------------

#[test]
fn stall_data_on_data_out_fails_without_running() {
    let mut h =
        host_with(r#"{ "faults": [ { "command": "MODE SELECT(10)", "fault": "stallData" } ] }"#);
    let list = marker_list();
    let cbw = send(
        &mut h,
        &mode_select_cdb(list.len() as u8),
        Direction::Out,
        list.len() as u32,
    );
    assert_eq!(h.bulk_out(&list), Err(UsbError::Stall));
    h.clear(BULK_OUT);
    let csw = CswRepr::parse_for(&csw_bytes(&mut h), &cbw).unwrap();
    assert_eq!(
        (csw.status, csw.residue),
        (CswStatus::Failed, list.len() as u32)
    );
    assert!(!marker_selected(&h), "the stalled mode select ran");
    // Fired once: the same command again goes through.
    assert!(
        h.data_out(&mode_select_cdb(list.len() as u8), &list)
            .passed()
    );
    assert!(marker_selected(&h));
}

#[test]
fn stall_data_on_data_in_fails() {
    let mut h = host_with(r#"{ "faults": [ { "command": "INQUIRY", "fault": "stallData" } ] }"#);
    let cbw = send(&mut h, &INQUIRY_36, Direction::In, 36);
    assert_eq!(h.bulk_in(36), Err(UsbError::Stall));
    h.clear(BULK_IN);
    let csw = CswRepr::parse_for(&csw_bytes(&mut h), &cbw).unwrap();
    assert_eq!((csw.status, csw.residue), (CswStatus::Failed, 36));
    assert!(h.data_in(&INQUIRY_36, 36).passed());
}

#[test]
fn stall_data_on_the_nth_write_records_nothing_of_it() {
    // The documented example: the third WRITE(10) stalls.
    let mut h = host_with(
        r#"{ "faults": [ { "command": "WRITE(10)", "nth": 3, "fault": "stallData" } ] }"#,
    );
    h.select_tao_mode1(false);
    assert!(h.write_mode1(0, 8).passed());
    assert!(h.write_mode1(8, 8).passed());
    let cdb = mmc::wire::command::Write10::new(16, 8).to_bytes();
    let data = mode1_data(16, 8);
    let cbw = send(&mut h, &cdb, Direction::Out, data.len() as u32);
    assert_eq!(h.bulk_out(&data), Err(UsbError::Stall));
    h.clear(BULK_OUT);
    let csw = CswRepr::parse_for(&csw_bytes(&mut h), &cbw).unwrap();
    assert_eq!(
        (csw.status, csw.residue),
        (CswStatus::Failed, data.len() as u32)
    );
    // The WRITE did not run: the next writable address is still 16.
    let r = h.write_mode1(16, 8);
    assert!(r.passed(), "rewrite at 16: {:?}", r.csw);
    assert!(h.synchronize_cache().passed());
    let r = h.data_in(&read_cd_user(0, 24), 24 * MODE1_BLOCK as u32);
    assert!(r.passed());
    assert_eq!(r.data, mode1_data(0, 24));
}

#[test]
fn stall_csw_then_the_csw_after_clearing() {
    let mut h =
        host_with(r#"{ "faults": [ { "command": "MODE SELECT(10)", "fault": "stallCsw" } ] }"#);
    let list = marker_list();
    let cbw = send(
        &mut h,
        &mode_select_cdb(list.len() as u8),
        Direction::Out,
        list.len() as u32,
    );
    assert_eq!(h.bulk_out(&list), Ok(list.len()));
    assert_eq!(h.bulk_in(CSW_LEN), Err(UsbError::Stall));
    h.clear(BULK_IN);
    let csw = CswRepr::parse_for(&csw_bytes(&mut h), &cbw).unwrap();
    assert_eq!((csw.status, csw.residue), (CswStatus::Passed, 0));
    assert!(marker_selected(&h), "the command runs");
    // Once only.
    assert!(h.none(&TUR).passed());
}

#[test]
fn phase_error_then_reset_recovery() {
    let mut h =
        host_with(r#"{ "faults": [ { "command": "TEST UNIT READY", "fault": "phaseError" } ] }"#);
    let cbw = send(&mut h, &TUR, Direction::None, 0);
    let bytes = csw_bytes(&mut h);
    assert_eq!(bytes[12], 0x02, "bCSWStatus");
    let csw = CswRepr::parse_for(&bytes, &cbw).unwrap();
    assert_eq!(csw.status, CswStatus::PhaseError);
    h.reset_recovery();
    assert!(h.none(&TUR).passed());
}

#[test]
fn csw_signature_is_the_given_one() {
    let mut h = host_with(
        r#"{ "faults": [ { "command": "TEST UNIT READY", "fault": { "cswSignature": 305419896 } } ] }"#,
    );
    let cbw = send(&mut h, &TUR, Direction::None, 0);
    let bytes = csw_bytes(&mut h);
    assert_eq!(bytes[0..4], [0x78, 0x56, 0x34, 0x12]);
    assert_eq!(bytes[4..8], cbw.tag.to_le_bytes());
    assert_eq!(bytes[8..13], [0, 0, 0, 0, 0]);
    assert_eq!(
        CswRepr::parse_for(&bytes, &cbw),
        Err(CswProblem::Signature(0x1234_5678))
    );
    // The next CSW is normal.
    let cbw = send(&mut h, &TUR, Direction::None, 0);
    let bytes = csw_bytes(&mut h);
    assert_eq!(bytes[0..4], *b"USBS");
    assert!(CswRepr::parse_for(&bytes, &cbw).is_ok());
}

#[test]
fn csw_tag_is_another_commands() {
    let mut h = host_with(r#"{ "faults": [ { "command": "INQUIRY", "fault": "cswTag" } ] }"#);
    let cbw = send(&mut h, &INQUIRY_36, Direction::In, 36);
    assert_eq!(h.bulk_in(36).unwrap().len(), 36);
    let bytes = csw_bytes(&mut h);
    assert_eq!(bytes[0..4], *b"USBS");
    match CswRepr::parse_for(&bytes, &cbw) {
        Err(CswProblem::Tag { got, expected }) => {
            assert_eq!(expected, cbw.tag);
            assert_ne!(got, cbw.tag);
        }
        other => panic!("{other:?}"),
    }
    let cbw = send(&mut h, &INQUIRY_36, Direction::In, 36);
    h.bulk_in(36).unwrap();
    assert!(CswRepr::parse_for(&csw_bytes(&mut h), &cbw).is_ok());
}

#[test]
fn short_data_cuts_the_reply_and_the_residue_says_so() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let full = h.data_in(&INQUIRY_36, 36).data;
    h.dev.set_faults(
        FaultPlan::from_json(
            r#"{ "faults": [ { "command": "INQUIRY", "fault": { "shortData": 8 } } ] }"#,
        )
        .unwrap(),
    );
    let cbw = send(&mut h, &INQUIRY_36, Direction::In, 36);
    assert_eq!(h.bulk_in(36).unwrap(), full[..28]);
    let csw = CswRepr::parse_for(&csw_bytes(&mut h), &cbw).unwrap();
    assert_eq!((csw.status, csw.residue), (CswStatus::Passed, 8));
    assert_eq!(h.data_in(&INQUIRY_36, 36).data, full);
}

#[test]
fn long_data_overflows_then_a_normal_csw() {
    let mut h =
        host_with(r#"{ "faults": [ { "command": "INQUIRY", "fault": { "longData": 4 } } ] }"#);
    let cbw = send(&mut h, &INQUIRY_36, Direction::In, 36);
    assert_eq!(
        h.bulk_in(36),
        Err(UsbError::Overflow { asked: 36, got: 40 })
    );
    let csw = CswRepr::parse_for(&csw_bytes(&mut h), &cbw).unwrap();
    assert_eq!((csw.status, csw.residue), (CswStatus::Passed, 0));
}

#[test]
fn no_answer_until_reset_recovery() {
    let mut h =
        host_with(r#"{ "faults": [ { "command": "TEST UNIT READY", "fault": "noAnswer" } ] }"#);
    send(&mut h, &TUR, Direction::None, 0);
    assert_eq!(h.bulk_in(CSW_LEN), Err(UsbError::NotReady(Duration::MAX)));
    h.now += Duration::from_secs(3600);
    assert_eq!(h.bulk_in(CSW_LEN), Err(UsbError::NotReady(Duration::MAX)));
    h.reset_recovery();
    assert!(h.none(&TUR).passed());
    assert!(h.data_in(&INQUIRY_36, 36).passed());
}

#[test]
fn the_documented_example_names_synchronize_cache() {
    // The module documentation counts commands "by the name MMC gives
    // them (`"WRITE(10)"`, `"SYNCHRONIZE CACHE"`)" and its example plan
    // has `{ "command": "SYNCHRONIZE CACHE", "fault": "noAnswer" }`.
    let mut h =
        host_with(r#"{ "faults": [ { "command": "SYNCHRONIZE CACHE", "fault": "noAnswer" } ] }"#);
    h.select_tao_mode1(false);
    assert!(h.write_mode1(0, 16).passed());
    send(
        &mut h,
        &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        Direction::None,
        0,
    );
    assert_eq!(h.bulk_in(CSW_LEN), Err(UsbError::NotReady(Duration::MAX)));
    h.reset_recovery();
    assert!(h.none(&TUR).passed());
}

#[test]
fn disconnect_is_for_good() {
    let mut h =
        host_with(r#"{ "faults": [ { "command": "TEST UNIT READY", "fault": "disconnect" } ] }"#);
    let cbw = h.cbw(&TUR, Direction::None, 0).to_bytes();
    let _ = h.send_cbw(&cbw);
    for _ in 0..2 {
        assert_eq!(h.bulk_in(CSW_LEN), Err(UsbError::Disconnected));
        assert_eq!(h.bulk_out(&cbw), Err(UsbError::Disconnected));
        for s in [
            SetupPacket::get_max_lun(0),
            SetupPacket::bulk_only_reset(0),
            SetupPacket::clear_halt(BULK_IN),
            SetupPacket::clear_halt(BULK_OUT),
        ] {
            assert_eq!(h.control(&s), Err(UsbError::Disconnected), "{s:?}");
        }
        h.now += Duration::from_secs(60);
    }
}

#[test]
fn unit_attention_fails_the_nth_command_with_its_sense() {
    let mut h = host_with(
        r#"{ "faults": [ { "command": "TEST UNIT READY", "nth": 2, "fault": { "unitAttention": [6, 40, 0] } } ] }"#,
    );
    assert!(h.none(&TUR).passed());
    assert!(h.data_in(&INQUIRY_36, 36).passed());
    let r = h.none(&TUR);
    assert_eq!((r.csw.status, r.csw.residue), (CswStatus::Failed, 0));
    let s = h.sense_bytes();
    assert_eq!(s[0] & 0x7f, 0x70);
    assert_eq!(kcq(&s), (6, 0x28, 0x00));
    assert!(h.none(&TUR).passed());
    assert!(h.none(&TUR).passed());
}

#[test]
fn counting_by_opcode_text() {
    let mut h = host_with(
        r#"{ "faults": [ { "command": "0x00", "nth": 2, "fault": { "unitAttention": [2, 4, 1] } } ] }"#,
    );
    assert!(h.none(&TUR).passed());
    assert!(h.data_in(&INQUIRY_36, 36).passed());
    let r = h.none(&TUR);
    assert!(!r.passed());
    assert_eq!(kcq(&h.sense_bytes()), (2, 0x04, 0x01));
    assert!(h.none(&TUR).passed());
}

#[test]
fn counting_by_name_ignores_other_commands() {
    let mut h = host_with(
        r#"{ "faults": [ { "command": "INQUIRY", "nth": 3, "fault": { "unitAttention": [5, 36, 0] } } ] }"#,
    );
    for _ in 0..4 {
        assert!(h.none(&TUR).passed());
    }
    assert!(h.data_in(&INQUIRY_36, 36).passed());
    assert!(h.none(&TUR).passed());
    assert!(h.data_in(&INQUIRY_36, 36).passed());
    let r = h.data_in(&INQUIRY_36, 36);
    assert_eq!(r.csw.status, CswStatus::Failed);
    assert_eq!(kcq(&h.sense_bytes()), (5, 0x24, 0x00));
    assert!(h.data_in(&INQUIRY_36, 36).passed());
}

#[test]
fn counting_over_all_commands() {
    // Without a command, nth counts every command: here the third.
    let mut h =
        host_with(r#"{ "faults": [ { "nth": 3, "fault": { "unitAttention": [6, 41, 0] } } ] }"#);
    assert!(h.none(&TUR).passed());
    assert!(h.data_in(&INQUIRY_36, 36).passed());
    let r = h.none(&TUR);
    assert_eq!(r.csw.status, CswStatus::Failed);
    assert_eq!(kcq(&h.sense_bytes()), (6, 0x29, 0x00));
    assert!(h.none(&TUR).passed());
}

#[test]
fn counting_starts_afresh_with_each_plan() {
    let plan =
        r#"{ "faults": [ { "command": "TEST UNIT READY", "nth": 2, "fault": "phaseError" } ] }"#;
    let mut h = host_with(plan);
    assert!(h.none(&TUR).passed());
    h.dev.set_faults(FaultPlan::from_json(plan).unwrap());
    assert!(h.none(&TUR).passed());
    let cbw = send(&mut h, &TUR, Direction::None, 0);
    let csw = CswRepr::parse_for(&csw_bytes(&mut h), &cbw).unwrap();
    assert_eq!(csw.status, CswStatus::PhaseError);
}

// ---------------------------------------------------------------------
// Faults at an LBA while writing (TAO, Mode 1, from LBA 0)
// ---------------------------------------------------------------------

#[test]
fn medium_error_at_an_lba() {
    let mut h = host_with(r#"{ "faults": [ { "lba": 20, "fault": "mediumError" } ] }"#);
    h.select_tao_mode1(false);
    assert!(h.write_mode1(0, 16).passed());
    let r = h.write_mode1(16, 16);
    assert_eq!(r.csw.status, CswStatus::Failed, "the write covering lba 20");
    let s = h.sense_bytes();
    // VALID, current, 3/0C/00, information = 20.
    assert_eq!(s[0], 0xf0);
    assert_eq!(kcq(&s), (3, 0x0c, 0x00));
    assert_eq!(s[3..7], 20u32.to_be_bytes());
    assert_eq!(SenseRepr::parse(&s).unwrap().information, Some(20));
    let disc = h.recorder().disc().unwrap();
    assert!(disc.damaged.is_some(), "the disc is not marked damaged");
    let missing: Vec<i32> = (0..20).filter(|&l| !recorded(&mut h, l)).collect();
    assert!(
        missing.is_empty(),
        "frames before lba 20 not recorded: {missing:?}"
    );
    // What was recorded reads back.
    let r = h.data_in(&read_cd_user(0, 20), 20 * MODE1_BLOCK as u32);
    assert!(r.passed(), "read back: {:?}", r.csw);
    assert_eq!(r.data, mode1_data(0, 20));
}

#[test]
fn medium_error_at_speed_keeps_the_frames_before_it() {
    // At 48× the frames of both WRITEs are still in the buffer when the
    // second reaches the bad LBA; the laser records them on its way there.
    let mut h = timed_host_with(r#"{ "faults": [ { "lba": 20, "fault": "mediumError" } ] }"#);
    h.select_tao_mode1(false);
    assert!(h.write_mode1(0, 16).passed());
    let r = h.write_mode1(16, 16);
    assert_eq!(r.csw.status, CswStatus::Failed);
    let s = h.sense_bytes();
    assert_eq!(kcq(&s), (3, 0x0c, 0x00));
    assert_eq!(SenseRepr::parse(&s).unwrap().information, Some(20));
    h.now += Duration::from_secs(2);
    let _ = h.none(&TUR);
    assert!(h.recorder().disc().unwrap().damaged.is_some());
    let missing: Vec<i32> = (0..20).filter(|&l| !recorded(&mut h, l)).collect();
    assert!(
        missing.is_empty(),
        "frames before lba 20 not recorded: {missing:?}"
    );
}

#[test]
fn power_calibration_error_at_an_lba() {
    let mut h = host_with(r#"{ "faults": [ { "lba": 5, "fault": "powerCalibration" } ] }"#);
    h.select_tao_mode1(false);
    let r = h.write_mode1(0, 16);
    assert_eq!(r.csw.status, CswStatus::Failed);
    let s = h.sense_bytes();
    assert_eq!(s[0] & 0x7f, 0x70);
    assert_eq!(kcq(&s), (3, 0x73, 0x03));
}

/// A TAO recording with an underrun fault at LBA 20, covered by the
/// second WRITE (which passes: the drive finds out later).
fn underrun_at_20(bufe: bool) -> Host {
    let mut h = host_with(r#"{ "faults": [ { "lba": 20, "fault": "underrun" } ] }"#);
    h.select_tao_mode1(bufe);
    assert!(h.write_mode1(0, 16).passed());
    let r = h.write_mode1(16, 16);
    assert!(r.passed(), "the write covering the underrun: {:?}", r.csw);
    h
}

/// The next command reports 3/0C/09 as a deferred error (71h).
fn assert_deferred_loss_of_streaming(h: &mut Host, r: &common::Reply) {
    assert_eq!(r.csw.status, CswStatus::Failed, "no deferred error");
    let s = h.sense_bytes();
    assert_eq!(s[0] & 0x7f, 0x71, "response code");
    assert_eq!(kcq(&s), (3, 0x0c, 0x09));
    assert!(!SenseRepr::parse(&s).unwrap().current);
}

#[test]
fn underrun_without_bufe_fails_the_next_write() {
    let mut h = underrun_at_20(false);
    let r = h.write_mode1(32, 16);
    assert_deferred_loss_of_streaming(&mut h, &r);
}

#[test]
fn underrun_without_bufe_fails_synchronize_cache() {
    let mut h = underrun_at_20(false);
    let r = h.synchronize_cache();
    assert_deferred_loss_of_streaming(&mut h, &r);
}

#[test]
fn underrun_with_bufe_links_seamlessly() {
    let mut h = underrun_at_20(true);
    assert_eq!(h.recorder().buffer().links(), 1);
    assert!(h.write_mode1(32, 16).passed());
    assert!(h.synchronize_cache().passed());
    let r = h.data_in(&read_cd_user(0, 48), 48 * MODE1_BLOCK as u32);
    assert!(r.passed());
    assert_eq!(r.data, mode1_data(0, 48));
}

#[test]
fn timed_underrun_without_bufe() {
    let mut h = timed_host_with(r#"{ "faults": [] }"#);
    h.select_tao_mode1(false);
    assert!(h.write_mode1(0, 32).passed());
    // 48× records 3600 sectors a second; the buffer holds under 900.
    h.now += Duration::from_secs(2);
    let r = h.write_mode1(32, 32);
    assert_deferred_loss_of_streaming(&mut h, &r);
}

#[test]
fn timed_underrun_with_bufe_is_a_link() {
    let mut h = timed_host_with(r#"{ "faults": [] }"#);
    h.select_tao_mode1(true);
    assert!(h.write_mode1(0, 32).passed());
    h.now += Duration::from_secs(2);
    let r = h.write_mode1(32, 32);
    assert!(r.passed(), "{:?}", r.csw);
    assert_eq!(h.recorder().buffer().links(), 1);
    assert!(h.synchronize_cache().passed());
}

// ---------------------------------------------------------------------
// Plans that must be refused
// ---------------------------------------------------------------------

#[test]
fn plans_that_do_not_parse() {
    for (text, named) in [
        ("{ \"faults\": [ ", "EOF"),
        (r#"{ "faults": [ { "fault": "melt" } ] }"#, "melt"),
        (
            r#"{ "faults": [ { "command": "INQUIRY", "fault": "cswTag", "when": 3 } ] }"#,
            "when",
        ),
        (
            r#"{ "faults": [ { "fault": { "unitAttention": [6, 40] } } ] }"#,
            "length 3",
        ),
        (
            r#"{ "faults": [ { "fault": { "cswSignature": -1 } } ] }"#,
            "-1",
        ),
        (r#"{ "faults": [ { "nth": 2 } ] }"#, "fault"),
    ] {
        match FaultPlan::from_json(text) {
            Err(e @ PlanError::Json(_)) => {
                let e = e.to_string();
                assert!(e.contains(named), "{text}: {e} does not name {named}");
                assert!(e.contains("line 1 column"), "{text}: {e} has no position");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn plans_that_make_no_sense_name_the_fault() {
    for (text, index) in [
        // An LBA fault on a command.
        (
            r#"{ "faults": [ { "command": "WRITE(10)", "fault": "mediumError" } ] }"#,
            0,
        ),
        // A command fault at an LBA, second in the plan.
        (
            r#"{ "faults": [ { "command": "INQUIRY", "fault": "cswTag" }, { "lba": 100, "fault": "stallData" } ] }"#,
            1,
        ),
        // Both triggers.
        (
            r#"{ "faults": [ { "lba": 5, "fault": "underrun" }, { "nth": 1, "fault": "noAnswer" }, { "lba": 9, "command": "WRITE(10)", "fault": "powerCalibration" } ] }"#,
            2,
        ),
        (
            r#"{ "faults": [ { "lba": 5, "nth": 2, "fault": "underrun" } ] }"#,
            0,
        ),
        // nth counts from 1.
        (
            r#"{ "faults": [ { "fault": "phaseError" }, { "command": "0x00", "nth": 0, "fault": "phaseError" } ] }"#,
            1,
        ),
    ] {
        match FaultPlan::from_json(text) {
            Err(e @ PlanError::Fault { index: i, .. }) => {
                assert_eq!(i, index, "{text}: {e}");
                assert!(
                    e.to_string().starts_with(&format!("fault {index}: ")),
                    "{e}"
                );
            }
            other => panic!("{text}: {other:?}"),
        }
    }
}
