//! Conformance of the USB Bulk-Only device (`cd-standards.md` §7), spoken
//! in raw bytes: the 13 host/device cases (§7.6), invalid CBWs and reset
//! recovery (§7.5), the class requests (§7.4), and a host out of step.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Host, MODE1_BLOCK, mode_select_cdb, mode1_data, select_list, tao_mode1_page};
use mmc::wire::bot::{CBW_LEN, CSW_LEN, CbwRepr, CswRepr, CswStatus, Direction, SetupPacket};
use mmc::wire::mode::WriteParametersPage;
use mmc::wire::sense::SenseKey;
use proptest::prelude::*;
use std::time::Duration;
use vdrive::bot::{BULK_IN, BULK_OUT};
use vdrive::{MediaKind, UsbError};

/// TEST UNIT READY: no data.
const TUR: [u8; 6] = [0x00, 0, 0, 0, 0, 0];
/// INQUIRY, allocation length 36.
const INQUIRY_36: [u8; 6] = [0x12, 0, 0, 0, 36, 0];
/// PREVENT ALLOW MEDIUM REMOVAL, prevent: no data, and a visible effect
/// (the tray locks).
const PREVENT: [u8; 6] = [0x1e, 0, 0, 0, 0x01, 0];

fn host() -> Host {
    Host::blank(MediaKind::CdR, 80)
}

/// A write parameters page unlike the power-on one (BUFE off, a one
/// second audio pause), so that a MODE SELECT that ran shows.
fn marker_page() -> WriteParametersPage {
    let mut p = tao_mode1_page(false);
    p.audio_pause_length = 75;
    p
}

/// Whether the drive holds [`marker_page`] (the MODE SELECT ran).
fn marker_selected(h: &Host) -> bool {
    let p = h.recorder().write_parameters();
    !p.bufe && p.audio_pause_length == 75
}

/// Sends `cbw`; the device takes all 31 bytes.
fn send(h: &mut Host, cbw: &CbwRepr) {
    assert_eq!(h.send_cbw(&cbw.to_bytes()), Ok(CBW_LEN), "cbw not taken");
}

/// Reads the CSW of `cbw` (no stall on the way) and checks that it is
/// valid and meaningful (BOT §6.3).
fn csw_for(h: &mut Host, cbw: &CbwRepr) -> CswRepr {
    let bytes = h.bulk_in(CSW_LEN).expect("csw");
    assert_eq!(bytes.len(), CSW_LEN);
    CswRepr::parse_for(&bytes, cbw).expect("a valid csw")
}

/// (status, residue) of a CSW.
fn sr(csw: CswRepr) -> (CswStatus, u32) {
    (csw.status, csw.residue)
}

/// Sends `data` to bulk OUT until all is taken or the pipe stalls (then
/// clears the halt). Returns the bytes taken and whether it stalled.
fn send_out(h: &mut Host, data: &[u8]) -> (usize, bool) {
    let mut sent = 0;
    while sent < data.len() {
        match h.bulk_out(&data[sent..]) {
            Ok(n) => sent += n,
            Err(UsbError::Stall) => {
                h.clear(BULK_OUT);
                return (sent, true);
            }
            Err(e) => panic!("data out: {e}"),
        }
    }
    (sent, false)
}

/// Both bulk pipes work: a TEST UNIT READY goes through cleanly, and
/// nothing else was owed before it.
fn assert_works(h: &mut Host) {
    assert_eq!(h.bulk_in(CSW_LEN), Err(UsbError::NotReady(Duration::MAX)));
    let cbw = h.cbw(&TUR, Direction::None, 0);
    send(h, &cbw);
    assert_eq!(sr(csw_for(h, &cbw)), (CswStatus::Passed, 0));
}

/// Both bulk pipes stall, also after the halts are cleared.
fn assert_stuck(h: &mut Host) {
    let tur = h.cbw(&TUR, Direction::None, 0).to_bytes();
    assert_eq!(h.bulk_in(CSW_LEN), Err(UsbError::Stall), "bulk in");
    assert_eq!(h.bulk_out(&tur), Err(UsbError::Stall), "bulk out");
    assert_eq!(h.control(&SetupPacket::clear_halt(BULK_IN)), Ok(vec![]));
    assert_eq!(h.control(&SetupPacket::clear_halt(BULK_OUT)), Ok(vec![]));
    assert_eq!(h.bulk_in(CSW_LEN), Err(UsbError::Stall), "bulk in, cleared");
    assert_eq!(h.bulk_out(&tur), Err(UsbError::Stall), "bulk out, cleared");
}

/// The 36 bytes of INQUIRY, asked for properly (case 6).
fn inquiry(h: &mut Host) -> Vec<u8> {
    let r = h.data_in(&INQUIRY_36, 36);
    assert!(r.passed());
    assert_eq!(r.data.len(), 36);
    r.data
}

// ---------------------------------------------------------------------
// The 13 cases (§7.6)
// ---------------------------------------------------------------------

#[test]
fn case_01_hn_eq_dn_status_with_residue_0() {
    let mut h = host();
    let cbw = CbwRepr::new(0x1234_5678, &TUR, Direction::None, 0).unwrap();
    send(&mut h, &cbw);
    let bytes = h.bulk_in(CSW_LEN).unwrap();
    // "USBS", the tag, residue 0, status 00h passed (§7.3).
    assert_eq!(
        bytes,
        [
            0x55, 0x53, 0x42, 0x53, 0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0, 0x00
        ]
    );
    assert!(!h.dev.in_halted() && !h.dev.out_halted());
    // A failing command is case 1 too: status 01h, residue 0.
    h.dev.target_mut().remove();
    let cbw = h.cbw(&TUR, Direction::None, 0);
    send(&mut h, &cbw);
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::Failed, 0));
}

#[test]
fn case_02_hn_lt_di_phase_error() {
    let mut h = host();
    // INQUIRY with dCBWDataTransferLength 0: the device has 36 bytes to
    // send and may send none. No data stage: the next thing on bulk IN is
    // the CSW, status 02h.
    let cbw = h.cbw(&INQUIRY_36, Direction::In, 0);
    assert_eq!(cbw.to_bytes()[8..12], [0, 0, 0, 0]);
    send(&mut h, &cbw);
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::PhaseError, 0));
    h.reset_recovery();
    assert_works(&mut h);
}

#[test]
fn case_03_hn_lt_do_phase_error_command_not_run() {
    let mut h = host();
    let list = select_list(&marker_page());
    let cbw = h.cbw(&mode_select_cdb(list.len() as u8), Direction::Out, 0);
    send(&mut h, &cbw);
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::PhaseError, 0));
    assert!(!marker_selected(&h), "mode select ran without its data");
    h.reset_recovery();
    assert_works(&mut h);
    assert!(!marker_selected(&h));
}

#[test]
fn case_04_hi_gt_dn_stalls_in_residue_expected() {
    let mut h = host();
    let cbw = h.cbw(&TUR, Direction::In, 18);
    send(&mut h, &cbw);
    assert_eq!(h.bulk_in(18), Err(UsbError::Stall));
    assert!(!h.dev.out_halted());
    h.clear(BULK_IN);
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::Passed, 18));
    // The command ran: a no-data command with a visible effect.
    let cbw = h.cbw(&PREVENT, Direction::In, 8);
    send(&mut h, &cbw);
    assert_eq!(h.bulk_in(8), Err(UsbError::Stall));
    h.clear(BULK_IN);
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::Passed, 8));
    assert!(h.recorder().locked());
    assert_works(&mut h);
}

#[test]
fn case_05_hi_gt_di_short_packet_residue_difference() {
    let mut h = host();
    let full = inquiry(&mut h);
    let cbw = h.cbw(&INQUIRY_36, Direction::In, 64);
    send(&mut h, &cbw);
    // 36 bytes end in a short packet: the transfer is over, no stall.
    assert_eq!(h.bulk_in(64).unwrap(), full);
    assert!(!h.dev.in_halted());
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::Passed, 28));
    assert_works(&mut h);
}

#[test]
fn case_05_hi_gt_di_on_a_packet_boundary_stalls_in() {
    // READ CD of one Mode 1 block, user data only: 2048 bytes, four full
    // 512-byte packets. The host asks for 4096; no short packet can end
    // the transfer, so the device stalls bulk IN after its data.
    let mut h = host();
    h.select_tao_mode1(false);
    assert!(h.write_mode1(0, 1).passed());
    let read_cd = [0xbe, 0x00, 0, 0, 0, 0, 0, 0, 1, 0x10, 0, 0];
    // Case 6 first: exactly 2048.
    let r = h.data_in(&read_cd, MODE1_BLOCK as u32);
    assert!(r.passed());
    assert_eq!(r.data, mode1_data(0, 1));
    let cbw = h.cbw(&read_cd, Direction::In, 2 * MODE1_BLOCK as u32);
    send(&mut h, &cbw);
    assert_eq!(h.bulk_in(2 * MODE1_BLOCK).unwrap(), mode1_data(0, 1));
    assert_eq!(h.bulk_in(CSW_LEN), Err(UsbError::Stall));
    h.clear(BULK_IN);
    assert_eq!(
        sr(csw_for(&mut h, &cbw)),
        (CswStatus::Passed, MODE1_BLOCK as u32)
    );
    assert_works(&mut h);
}

#[test]
fn case_06_hi_eq_di_all_data_residue_0() {
    let mut h = host();
    let cbw = h.cbw(&INQUIRY_36, Direction::In, 36);
    send(&mut h, &cbw);
    let data = h.bulk_in(36).unwrap();
    assert_eq!(data.len(), 36);
    assert_eq!(data[0], 0x05, "peripheral device type: CD/DVD");
    assert_eq!(&data[8..16], b"RAWBURN ");
    assert!(!h.dev.in_halted());
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::Passed, 0));
    assert_works(&mut h);
}

#[test]
fn case_07_hi_lt_di_truncated_phase_error() {
    let mut h = host();
    let full = inquiry(&mut h);
    let cbw = h.cbw(&INQUIRY_36, Direction::In, 20);
    send(&mut h, &cbw);
    // Only the 20 bytes the host expects, then a phase error. All 20 sent
    // bytes are relevant data: residue 20 - 20 = 0 (BOT §5.2).
    assert_eq!(h.bulk_in(20).unwrap(), full[..20]);
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::PhaseError, 0));
    h.reset_recovery();
    assert_works(&mut h);
}

#[test]
fn case_08_hi_ne_do_stalls_in_phase_error() {
    let mut h = host();
    let list = select_list(&marker_page());
    let len = list.len() as u32;
    let cbw = h.cbw(&mode_select_cdb(len as u8), Direction::In, len);
    send(&mut h, &cbw);
    assert_eq!(h.bulk_in(len as usize), Err(UsbError::Stall));
    h.clear(BULK_IN);
    // Nothing moved: residue = the whole expected length.
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::PhaseError, len));
    assert!(!marker_selected(&h));
    h.reset_recovery();
    assert_works(&mut h);
}

#[test]
fn case_09_ho_gt_dn_stalls_out_residue_expected() {
    let mut h = host();
    let cbw = h.cbw(&PREVENT, Direction::Out, 16);
    send(&mut h, &cbw);
    assert_eq!(h.bulk_out(&[0xa5; 16]), Err(UsbError::Stall));
    assert!(!h.dev.in_halted());
    h.clear(BULK_OUT);
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::Passed, 16));
    // Not a phase error: the command ran.
    assert!(h.recorder().locked());
    assert_works(&mut h);
    // TEST UNIT READY likewise.
    let cbw = h.cbw(&TUR, Direction::Out, 512);
    send(&mut h, &cbw);
    assert_eq!(h.bulk_out(&[0xa5; 512]), Err(UsbError::Stall));
    h.clear(BULK_OUT);
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::Passed, 512));
}

#[test]
fn case_10_ho_ne_di_stalls_out_phase_error() {
    let mut h = host();
    let cbw = h.cbw(&INQUIRY_36, Direction::Out, 36);
    send(&mut h, &cbw);
    assert_eq!(h.bulk_out(&[0xa5; 36]), Err(UsbError::Stall));
    h.clear(BULK_OUT);
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::PhaseError, 36));
    h.reset_recovery();
    assert_works(&mut h);
}

#[test]
fn case_11_ho_gt_do_residue_difference() {
    let mut h = host();
    let list = select_list(&marker_page());
    let mut out = list.clone();
    out.extend_from_slice(&[0xa5; 16]);
    let cbw = h.cbw(
        &mode_select_cdb(list.len() as u8),
        Direction::Out,
        out.len() as u32,
    );
    send(&mut h, &cbw);
    // The device takes its data; it may stall OUT for the rest.
    let (sent, _) = send_out(&mut h, &out);
    assert!(sent >= list.len(), "took {sent} of {}", list.len());
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::Passed, 16));
    assert!(marker_selected(&h), "mode select did not run");
    assert_works(&mut h);
}

#[test]
fn case_12_ho_eq_do_residue_0() {
    let mut h = host();
    let list = select_list(&marker_page());
    let cbw = h.cbw(
        &mode_select_cdb(list.len() as u8),
        Direction::Out,
        list.len() as u32,
    );
    send(&mut h, &cbw);
    // In two pieces, as packets come.
    assert_eq!(h.bulk_out(&list[..8]), Ok(8));
    assert_eq!(h.bulk_out(&list[8..]), Ok(list.len() - 8));
    assert!(!h.dev.out_halted());
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::Passed, 0));
    assert!(marker_selected(&h));
    assert_works(&mut h);
}

#[test]
fn case_13_ho_lt_do_phase_error_command_not_run() {
    let mut h = host();
    let list = select_list(&marker_page());
    let short = list.len() - 8;
    let cbw = h.cbw(
        &mode_select_cdb(list.len() as u8),
        Direction::Out,
        short as u32,
    );
    send(&mut h, &cbw);
    assert_eq!(h.bulk_out(&list[..short]), Ok(short));
    // The device took the bytes the host sent but could not run the
    // command with them: nothing processed, residue = expected (BOT §5.2).
    assert_eq!(
        sr(csw_for(&mut h, &cbw)),
        (CswStatus::PhaseError, short as u32)
    );
    assert!(!marker_selected(&h), "mode select ran on a cut list");
    h.reset_recovery();
    assert_works(&mut h);
    assert!(!marker_selected(&h));
}

// ---------------------------------------------------------------------
// Invalid CBWs and reset recovery (§7.2, §7.5)
// ---------------------------------------------------------------------

/// A CBW the device must refuse: nothing runs, both pipes stall until a
/// Bulk-Only reset and the clearing of both halts.
fn refused(bytes: &[u8]) {
    let mut h = host();
    assert_eq!(h.send_cbw(bytes), Ok(bytes.len()), "{bytes:02x?}");
    assert_stuck(&mut h);
    // Reset recovery out of order: the reset alone keeps the halts (BOT
    // §3.1 keeps the endpoints' STALL conditions through the reset).
    assert_eq!(h.control(&SetupPacket::bulk_only_reset(0)), Ok(vec![]));
    assert_eq!(h.bulk_in(CSW_LEN), Err(UsbError::Stall));
    h.reset_recovery();
    assert_works(&mut h);
    assert!(!h.recorder().locked(), "the invalid cbw ran: {bytes:02x?}");
}

/// A valid CBW for PREVENT ALLOW MEDIUM REMOVAL (which would lock the
/// tray if it ran).
fn prevent_cbw() -> [u8; CBW_LEN] {
    CbwRepr::new(7, &PREVENT, Direction::None, 0)
        .unwrap()
        .to_bytes()
}

#[test]
fn invalid_cbw_wrong_signature() {
    let mut b = prevent_cbw();
    b[0..4].copy_from_slice(b"USBS");
    refused(&b);
    let mut b = prevent_cbw();
    b[3] = 0x44;
    refused(&b);
}

#[test]
fn invalid_cbw_wrong_length() {
    let b = prevent_cbw();
    refused(&b[..30]);
    let mut long = b.to_vec();
    long.push(0);
    refused(&long);
}

#[test]
fn invalid_cbw_reserved_flag_bits() {
    for flags in [0x01, 0x40, 0x81, 0x7f] {
        let mut b = prevent_cbw();
        b[12] = flags;
        refused(&b);
    }
}

#[test]
fn invalid_cbw_cdb_length_0_and_17() {
    for len in [0, 17] {
        let mut b = prevent_cbw();
        b[14] = len;
        refused(&b);
    }
}

#[test]
fn the_valid_cbw_of_these_tests_runs() {
    // The control for the tests above: unchanged, the CBW locks the tray.
    let mut h = host();
    assert_eq!(h.send_cbw(&prevent_cbw()), Ok(CBW_LEN));
    let csw = CswRepr::parse(&h.bulk_in(CSW_LEN).unwrap()).unwrap();
    assert_eq!((csw.tag, csw.status), (7, CswStatus::Passed));
    assert!(h.recorder().locked());
}

#[test]
fn a_cbw_while_a_csw_is_owed_is_invalid() {
    let mut h = host();
    let tur = h.cbw(&TUR, Direction::None, 0);
    send(&mut h, &tur);
    // The host skips the CSW and sends the next command.
    let r = h.send_cbw(&prevent_cbw());
    assert!(matches!(r, Ok(CBW_LEN) | Err(UsbError::Stall)), "{r:?}");
    assert_stuck(&mut h);
    h.reset_recovery();
    assert_works(&mut h);
    assert!(!h.recorder().locked(), "the out-of-step cbw ran");
}

#[test]
fn a_cbw_while_data_in_is_owed_is_invalid() {
    let mut h = host();
    let inq = h.cbw(&INQUIRY_36, Direction::In, 36);
    send(&mut h, &inq);
    let r = h.send_cbw(&prevent_cbw());
    assert!(matches!(r, Ok(CBW_LEN) | Err(UsbError::Stall)), "{r:?}");
    assert_stuck(&mut h);
    h.reset_recovery();
    assert_works(&mut h);
    assert!(!h.recorder().locked(), "the out-of-step cbw ran");
}

// ---------------------------------------------------------------------
// Class requests and logical units (§7.4)
// ---------------------------------------------------------------------

#[test]
fn get_max_lun_is_one_byte_0() {
    let mut h = host();
    assert_eq!(h.control(&SetupPacket::get_max_lun(0)), Ok(vec![0]));
    let s = SetupPacket::get_max_lun(0);
    assert_eq!(s.to_bytes(), [0xa1, 0xfe, 0, 0, 0, 0, 1, 0]);
}

#[test]
fn bulk_only_reset_for_another_interface_stalls() {
    let mut h = host();
    let wrong = SetupPacket::bulk_only_reset(1);
    assert_eq!(wrong.to_bytes(), [0x21, 0xff, 0, 0, 1, 0, 0, 0]);
    assert_eq!(h.control(&wrong), Err(UsbError::Stall));
    // A stalled control pipe takes the next setup packet.
    assert_eq!(h.control(&SetupPacket::get_max_lun(0)), Ok(vec![0]));
    // And the refused reset did not reset: a device waiting for reset
    // recovery keeps waiting.
    let mut bad = prevent_cbw();
    bad[0] = 0;
    h.send_cbw(&bad).unwrap();
    assert_eq!(h.control(&wrong), Err(UsbError::Stall));
    assert_stuck(&mut h);
    h.reset_recovery();
    assert_works(&mut h);
}

#[test]
fn clear_feature_on_an_unknown_endpoint_stalls() {
    let mut h = host();
    for ep in [0x83, 0x01, 0x82, 0x03] {
        assert_eq!(
            h.control(&SetupPacket::clear_halt(ep)),
            Err(UsbError::Stall),
            "endpoint {ep:#04x}"
        );
    }
    assert_eq!(h.control(&SetupPacket::clear_halt(BULK_IN)), Ok(vec![]));
    assert_eq!(h.control(&SetupPacket::clear_halt(BULK_OUT)), Ok(vec![]));
    assert_works(&mut h);
}

#[test]
fn a_cbw_for_lun_1_fails_with_5_25_00() {
    let mut h = host();
    let mut cbw = h.cbw(&PREVENT, Direction::None, 0);
    cbw.lun = 1;
    assert_eq!(cbw.to_bytes()[13], 1);
    send(&mut h, &cbw);
    assert_eq!(sr(csw_for(&mut h, &cbw)), (CswStatus::Failed, 0));
    assert!(!h.recorder().locked(), "ran on LUN 0");
    let s = h.sense_bytes();
    assert_eq!(
        (s[0] & 0x7f, s[2] & 0x0f, s[12], s[13]),
        (0x70, SenseKey::IllegalRequest.code(), 0x25, 0x00)
    );
}

// ---------------------------------------------------------------------
// Transfers that do not fit
// ---------------------------------------------------------------------

#[test]
fn csw_read_into_a_short_buffer_overflows() {
    let mut h = host();
    let cbw = h.cbw(&TUR, Direction::None, 0);
    send(&mut h, &cbw);
    assert_eq!(
        h.bulk_in(12),
        Err(UsbError::Overflow {
            asked: 12,
            got: CSW_LEN
        })
    );
}

#[test]
fn bulk_in_with_nothing_owed_is_not_ready_forever() {
    let mut h = host();
    assert_eq!(h.bulk_in(CSW_LEN), Err(UsbError::NotReady(Duration::MAX)));
    assert_eq!(h.bulk_in(512), Err(UsbError::NotReady(Duration::MAX)));
    // After a whole command too.
    assert!(h.none(&TUR).passed());
    assert_eq!(h.bulk_in(CSW_LEN), Err(UsbError::NotReady(Duration::MAX)));
}

// ---------------------------------------------------------------------
// Any CBW at all
// ---------------------------------------------------------------------

/// 31 bytes: random, or random with the signature, reserved bits and CDB
/// length made valid (so random CDBs reach the drive).
fn cbw_bytes() -> impl Strategy<Value = [u8; CBW_LEN]> {
    (any::<[u8; CBW_LEN]>(), any::<bool>()).prop_map(|(mut b, fix)| {
        if fix {
            b[0..4].copy_from_slice(b"USBC");
            b[12] &= 0x80;
            b[13] &= 0x0f;
            b[14] = 1 + b[14] % 16;
        }
        b
    })
}

proptest! {
    #[test]
    fn any_cbw_then_reset_recovery_leaves_a_working_device(bytes in cbw_bytes()) {
        let mut h = host();
        let _ = h.send_cbw(&bytes);
        h.reset_recovery();
        prop_assert_eq!(h.bulk_in(CSW_LEN), Err(UsbError::NotReady(Duration::MAX)));
        let cbw = h.cbw(&TUR, Direction::None, 0);
        prop_assert_eq!(h.send_cbw(&cbw.to_bytes()), Ok(CBW_LEN));
        let csw = loop {
            match h.bulk_in(CSW_LEN) {
                Err(UsbError::NotReady(t)) if t < Duration::MAX => h.now = t,
                other => break other,
            }
        };
        let csw = CswRepr::parse_for(&csw.unwrap(), &cbw).unwrap();
        prop_assert!(
            matches!(csw.status, CswStatus::Passed | CswStatus::Failed),
            "{:?}",
            csw
        );
        prop_assert_eq!(csw.residue, 0);
    }
}
