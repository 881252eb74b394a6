//! [`BotHost`] against scripted devices: each test lists the results the
//! device gives, in order, and checks the transfers the host made and the
//! outcome.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::wire::sense::{Sense, SenseKey};

const TUR: [u8; 6] = [0x00, 0, 0, 0, 0, 0];
const INQUIRY: [u8; 6] = [0x12, 0, 0, 0, 36, 0];
/// MODE SELECT(10), parameter list of 8 bytes.
const MODE_SELECT_8: [u8; 10] = [0x55, 0x10, 0, 0, 0, 0, 0, 0, 8, 0];

/// A data-less control request went through.
const OK: UsbResult = UsbResult::Out(0);
/// The device took the CBW.
const CBW_TAKEN: UsbResult = UsbResult::Out(CBW_LEN);

fn csw(tag: u32, residue: u32, status: u8) -> UsbResult {
    UsbResult::In(
        CswRepr {
            tag,
            residue,
            status: CswStatus::from_code(status),
        }
        .to_bytes()
        .to_vec(),
    )
}

fn sense_bytes(sense: Sense) -> Vec<u8> {
    let repr = SenseRepr::new(sense);
    let mut b = vec![0u8; repr.buffer_len()];
    repr.emit(&mut b);
    b
}

fn inquiry_data(n: usize) -> Vec<u8> {
    (0..n as u8).collect()
}

/// A transfer, in short: "cbw 1", "out 8", "in 13", "clear 81", "reset",
/// "max lun".
fn kind(r: &UsbRequest) -> String {
    match r {
        UsbRequest::BulkOut { data, .. } if data.len() == CBW_LEN && data.starts_with(b"USBC") => {
            format!(
                "cbw {}",
                u32::from_le_bytes([data[4], data[5], data[6], data[7]])
            )
        }
        UsbRequest::BulkOut { data, .. } => format!("out {}", data.len()),
        UsbRequest::BulkIn { len, .. } => format!("in {len}"),
        UsbRequest::Control { setup, .. } => match setup.request {
            0xfe => "max lun".into(),
            0xff => "reset".into(),
            0x01 => format!("clear {:02x}", setup.index),
            r => format!("control {r:02x}"),
        },
    }
}

/// Runs `request` on `host`, answering its transfers with `answers` in
/// turn; returns the transfers made and the outcome.
fn run_on(
    host: &mut BotHost,
    request: ScsiRequest,
    answers: Vec<UsbResult>,
) -> (Vec<String>, ScsiOutcome) {
    host.submit(request).unwrap();
    let mut answers = answers.into_iter();
    let mut seen = Vec::new();
    loop {
        if let Some(outcome) = host.poll_outcome() {
            assert_eq!(answers.next(), None, "answers left after {seen:?}");
            assert_eq!(host.poll_usb(), None);
            assert!(!host.is_busy());
            return (seen, outcome);
        }
        let r = host
            .poll_usb()
            .unwrap_or_else(|| panic!("neither a transfer nor an outcome after {seen:?}"));
        seen.push(kind(&r));
        let a = answers
            .next()
            .unwrap_or_else(|| panic!("no answer for {seen:?}"));
        host.handle_usb(a);
    }
}

fn run(request: ScsiRequest, answers: Vec<UsbResult>) -> (Vec<String>, ScsiOutcome) {
    run_on(&mut BotHost::new(BotConfig::default()), request, answers)
}

fn protocol(outcome: ScsiOutcome) -> String {
    match outcome {
        Err(TransportError::Protocol(s)) => s,
        other => panic!("not a protocol error: {other:?}"),
    }
}

const RECOVERY: [&str; 3] = ["reset", "clear 81", "clear 02"];

fn with_recovery(steps: &[&str]) -> Vec<String> {
    steps
        .iter()
        .chain(RECOVERY.iter())
        .map(|s| s.to_string())
        .collect()
}

fn strings(steps: &[&str]) -> Vec<String> {
    steps.iter().map(|s| s.to_string()).collect()
}

#[test]
fn cbw_golden() {
    let mut host = BotHost::new(BotConfig::default());
    host.submit(ScsiRequest::read(&INQUIRY, 36)).unwrap();
    let expected: Vec<u8> = vec![
        0x55, 0x53, 0x42, 0x43, // USBC
        0x01, 0x00, 0x00, 0x00, // tag 1
        0x24, 0x00, 0x00, 0x00, // 36 bytes
        0x80, 0x00, 0x06, // in, LUN 0, 6-byte CDB
        0x12, 0x00, 0x00, 0x00, 0x24, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    assert_eq!(
        host.poll_usb(),
        Some(UsbRequest::BulkOut {
            data: expected,
            timeout: crate::scsi::DEFAULT_TIMEOUT
        })
    );
    assert_eq!(host.poll_usb(), None, "one transfer at a time");

    // Data out to LUN 2, the tag counting on.
    let mut host = BotHost::new(BotConfig {
        lun: 2,
        ..BotConfig::default()
    });
    let (_, o) = run_on(
        &mut host,
        ScsiRequest::none(&TUR),
        vec![CBW_TAKEN, csw(1, 0, 0)],
    );
    assert!(o.unwrap().is_good());
    let timeout = Duration::from_secs(200);
    host.submit(ScsiRequest::write(&MODE_SELECT_8, vec![0xaa; 8]).with_timeout(timeout))
        .unwrap();
    let expected: Vec<u8> = vec![
        0x55, 0x53, 0x42, 0x43, 0x02, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x02, 0x0a,
        0x55, 0x10, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0,
    ];
    assert_eq!(
        host.poll_usb(),
        Some(UsbRequest::BulkOut {
            data: expected,
            timeout
        })
    );
    host.handle_usb(CBW_TAKEN);
    assert_eq!(
        host.poll_usb(),
        Some(UsbRequest::BulkOut {
            data: vec![0xaa; 8],
            timeout
        })
    );
    host.handle_usb(UsbResult::Out(8));
    assert_eq!(
        host.poll_usb(),
        Some(UsbRequest::BulkIn { len: 13, timeout })
    );
}

#[test]
fn success_in_out_and_none() {
    let (seen, o) = run(
        ScsiRequest::read(&INQUIRY, 36),
        vec![CBW_TAKEN, UsbResult::In(inquiry_data(36)), csw(1, 0, 0)],
    );
    assert_eq!(seen, strings(&["cbw 1", "in 36", "in 13"]));
    assert_eq!(o, Ok(ScsiResponse::good(inquiry_data(36))));

    let (seen, o) = run(
        ScsiRequest::write(&MODE_SELECT_8, vec![1; 8]),
        vec![CBW_TAKEN, UsbResult::Out(8), csw(1, 0, 0)],
    );
    assert_eq!(seen, strings(&["cbw 1", "out 8", "in 13"]));
    assert_eq!(o, Ok(ScsiResponse::good(Vec::new())));

    let (seen, o) = run(ScsiRequest::none(&TUR), vec![CBW_TAKEN, csw(1, 0, 0)]);
    assert_eq!(seen, strings(&["cbw 1", "in 13"]));
    assert_eq!(o, Ok(ScsiResponse::good(Vec::new())));
}

#[test]
fn partial_data_out_sends_the_rest() {
    let (seen, o) = run(
        ScsiRequest::write(&MODE_SELECT_8, vec![1; 8]),
        vec![
            CBW_TAKEN,
            UsbResult::Out(3),
            UsbResult::Out(5),
            csw(1, 0, 0),
        ],
    );
    assert_eq!(seen, strings(&["cbw 1", "out 8", "out 5", "in 13"]));
    assert!(o.unwrap().is_good());
    // Taking nothing is not progress.
    let (seen, o) = run(
        ScsiRequest::write(&MODE_SELECT_8, vec![1; 8]),
        vec![CBW_TAKEN, UsbResult::Out(0), OK, OK, OK],
    );
    assert_eq!(seen, with_recovery(&["cbw 1", "out 8"]));
    assert!(protocol(o).contains("took none of the data"));
}

#[test]
fn short_read_returns_what_came_with_its_residue() {
    let (_, o) = run(
        ScsiRequest::read(&INQUIRY, 36),
        vec![CBW_TAKEN, UsbResult::In(inquiry_data(28)), csw(1, 8, 0)],
    );
    let r = o.unwrap();
    assert_eq!((r.data, r.residue), (inquiry_data(28), 8));
    // A residue that disagrees with the bytes: the bytes win.
    let (_, o) = run(
        ScsiRequest::read(&INQUIRY, 36),
        vec![CBW_TAKEN, UsbResult::In(inquiry_data(28)), csw(1, 0, 0)],
    );
    let r = o.unwrap();
    assert_eq!((r.data.len(), r.residue), (28, 8));
}

#[test]
fn a_csw_in_place_of_the_data_is_the_csw() {
    // The device skipped the data stage (Linux tolerates this).
    let UsbResult::In(status) = csw(1, 36, 0) else {
        unreachable!()
    };
    let (seen, o) = run(
        ScsiRequest::read(&INQUIRY, 36),
        vec![CBW_TAKEN, UsbResult::In(status)],
    );
    assert_eq!(seen, strings(&["cbw 1", "in 36"]));
    let r = o.unwrap();
    assert!(r.is_good());
    assert_eq!((r.data.len(), r.residue), (0, 36));
    // Asked for exactly 13 bytes, it is data.
    let UsbResult::In(status) = csw(1, 0, 0) else {
        unreachable!()
    };
    let (seen, o) = run(
        ScsiRequest::read(&[0x12, 0, 0, 0, 13, 0], 13),
        vec![CBW_TAKEN, UsbResult::In(status.clone()), csw(1, 0, 0)],
    );
    assert_eq!(seen, strings(&["cbw 1", "in 13", "in 13"]));
    assert_eq!(o.unwrap().data, status);
}

#[test]
fn stall_on_data_in_clears_the_halt_then_reads_the_csw() {
    // Case 4: the device has no data and stalls bulk IN.
    let (seen, o) = run(
        ScsiRequest::read(&INQUIRY, 36),
        vec![CBW_TAKEN, UsbResult::Stall, OK, csw(1, 36, 0)],
    );
    assert_eq!(seen, strings(&["cbw 1", "in 36", "clear 81", "in 13"]));
    let r = o.unwrap();
    assert!(r.is_good());
    assert_eq!((r.data.len(), r.residue), (0, 36));
}

#[test]
fn stall_on_data_out_clears_the_halt_then_reads_the_csw() {
    let sense = Sense::new(SenseKey::HardwareError, 0x08, 0x00);
    let (seen, o) = run(
        ScsiRequest::write(&MODE_SELECT_8, vec![1; 8]),
        vec![
            CBW_TAKEN,
            UsbResult::Stall,
            OK,
            csw(1, 8, 1),
            CBW_TAKEN,
            UsbResult::In(sense_bytes(sense)),
            csw(2, 0, 0),
        ],
    );
    assert_eq!(
        seen,
        strings(&[
            "cbw 1", "out 8", "clear 02", "in 13", "cbw 2", "in 18", "in 13"
        ])
    );
    let r = o.unwrap();
    assert_eq!(r.sense().map(|s| s.sense), Some(sense));
    assert_eq!(r.residue, 8);
}

#[test]
fn a_failed_halt_clear_means_reset_recovery() {
    let (seen, o) = run(
        ScsiRequest::read(&INQUIRY, 36),
        vec![CBW_TAKEN, UsbResult::Stall, UsbResult::Stall, OK, OK, OK],
    );
    assert_eq!(seen, with_recovery(&["cbw 1", "in 36", "clear 81"]));
    assert!(protocol(o).contains("clearing the halt on endpoint 81h"));
}

#[test]
fn stall_on_csw_then_the_csw() {
    let (seen, o) = run(
        ScsiRequest::none(&TUR),
        vec![CBW_TAKEN, UsbResult::Stall, OK, csw(1, 0, 0)],
    );
    assert_eq!(seen, strings(&["cbw 1", "in 13", "clear 81", "in 13"]));
    assert!(o.unwrap().is_good());
}

#[test]
fn stall_on_csw_twice_means_reset_recovery() {
    let mut host = BotHost::new(BotConfig::default());
    let (seen, o) = run_on(
        &mut host,
        ScsiRequest::none(&TUR),
        vec![
            CBW_TAKEN,
            UsbResult::Stall,
            OK,
            UsbResult::Stall,
            OK,
            OK,
            OK,
        ],
    );
    assert_eq!(
        seen,
        with_recovery(&["cbw 1", "in 13", "clear 81", "in 13"])
    );
    assert_eq!(
        protocol(o),
        "TEST UNIT READY: bulk in stalled again where the csw belongs"
    );
    // The link is back: the next command goes through.
    let (_, o) = run_on(
        &mut host,
        ScsiRequest::none(&TUR),
        vec![CBW_TAKEN, csw(2, 0, 0)],
    );
    assert!(o.unwrap().is_good());
}

#[test]
fn phase_error_means_reset_recovery() {
    let mut host = BotHost::new(BotConfig::default());
    let (seen, o) = run_on(
        &mut host,
        ScsiRequest::read(&INQUIRY, 36),
        vec![
            CBW_TAKEN,
            UsbResult::In(Vec::new()),
            csw(1, 36, 2),
            OK,
            OK,
            OK,
        ],
    );
    assert_eq!(seen, with_recovery(&["cbw 1", "in 36", "in 13"]));
    assert_eq!(protocol(o), "INQUIRY: phase error");
    let (_, o) = run_on(
        &mut host,
        ScsiRequest::none(&TUR),
        vec![CBW_TAKEN, csw(2, 0, 0)],
    );
    assert!(o.unwrap().is_good());
}

#[test]
fn the_reset_recovery_requests() {
    let mut host = BotHost::new(BotConfig {
        interface: 3,
        bulk_in: 0x83,
        bulk_out: 0x04,
        control_timeout: Duration::from_secs(4),
        ..BotConfig::default()
    });
    host.submit(ScsiRequest::none(&TUR)).unwrap();
    host.poll_usb().unwrap();
    host.handle_usb(CBW_TAKEN);
    host.poll_usb().unwrap();
    host.handle_usb(csw(1, 0, 2));
    let timeout = Duration::from_secs(4);
    for setup in [
        SetupPacket::bulk_only_reset(3),
        SetupPacket::clear_halt(0x83),
        SetupPacket::clear_halt(0x04),
    ] {
        assert_eq!(
            host.poll_usb(),
            Some(UsbRequest::Control {
                setup,
                data_in: 0,
                timeout
            })
        );
        host.handle_usb(OK);
    }
    assert!(host.poll_outcome().unwrap().is_err());
}

#[test]
fn wrong_tag_and_signature_mean_reset_recovery() {
    let (seen, o) = run(
        ScsiRequest::none(&TUR),
        vec![CBW_TAKEN, csw(7, 0, 0), OK, OK, OK],
    );
    assert_eq!(seen, with_recovery(&["cbw 1", "in 13"]));
    let why = protocol(o);
    assert!(why.starts_with("TEST UNIT READY: csw tag 0x7"), "{why}");

    let UsbResult::In(mut bytes) = csw(1, 0, 0) else {
        unreachable!()
    };
    bytes[3] = 0x43;
    let (seen, o) = run(
        ScsiRequest::none(&TUR),
        vec![CBW_TAKEN, UsbResult::In(bytes), OK, OK, OK],
    );
    assert_eq!(seen, with_recovery(&["cbw 1", "in 13"]));
    assert!(protocol(o).contains("signature"));

    // Short, meaningless (residue beyond the transfer), unknown status.
    for answer in [
        UsbResult::In(vec![0x55, 0x53, 0x42, 0x53, 1, 0, 0]),
        csw(1, 1, 0),
        csw(1, 0, 7),
        UsbResult::Overflow,
    ] {
        let (seen, o) = run(
            ScsiRequest::none(&TUR),
            vec![CBW_TAKEN, answer.clone(), OK, OK, OK],
        );
        assert_eq!(seen, with_recovery(&["cbw 1", "in 13"]), "{answer:?}");
        protocol(o);
    }
}

#[test]
fn zero_byte_csw_read_is_retried_once() {
    let (seen, o) = run(
        ScsiRequest::read(&INQUIRY, 36),
        vec![
            CBW_TAKEN,
            UsbResult::In(inquiry_data(36)),
            UsbResult::In(Vec::new()),
            csw(1, 0, 0),
        ],
    );
    assert_eq!(seen, strings(&["cbw 1", "in 36", "in 13", "in 13"]));
    assert_eq!(o.unwrap().data, inquiry_data(36));

    let (seen, o) = run(
        ScsiRequest::none(&TUR),
        vec![
            CBW_TAKEN,
            UsbResult::In(Vec::new()),
            UsbResult::In(Vec::new()),
            OK,
            OK,
            OK,
        ],
    );
    assert_eq!(seen, with_recovery(&["cbw 1", "in 13", "in 13"]));
    assert_eq!(protocol(o), "TEST UNIT READY: csw is 0 bytes, not 13");
}

#[test]
fn timeout_means_reset_recovery_then_timeout() {
    let mut host = BotHost::new(BotConfig::default());
    let t = Duration::from_secs(7);
    for (answers, steps) in [
        (vec![UsbResult::Timeout], vec!["cbw 1"]),
        (vec![CBW_TAKEN, UsbResult::Timeout], vec!["cbw 2", "in 36"]),
        (
            vec![
                CBW_TAKEN,
                UsbResult::In(inquiry_data(36)),
                UsbResult::Timeout,
            ],
            vec!["cbw 3", "in 36", "in 13"],
        ),
    ] {
        let mut answers = answers;
        answers.extend([OK, OK, OK]);
        let (seen, o) = run_on(
            &mut host,
            ScsiRequest::read(&INQUIRY, 36).with_timeout(t),
            answers,
        );
        assert_eq!(seen, with_recovery(&steps));
        assert_eq!(o, Err(TransportError::Timeout(t)));
    }
    let (_, o) = run_on(
        &mut host,
        ScsiRequest::none(&TUR),
        vec![CBW_TAKEN, csw(4, 0, 0)],
    );
    assert!(o.unwrap().is_good());
}

#[test]
fn disconnect_ends_this_command_and_every_later_one() {
    let mut host = BotHost::new(BotConfig::default());
    let (seen, o) = run_on(
        &mut host,
        ScsiRequest::read(&INQUIRY, 36),
        vec![CBW_TAKEN, UsbResult::Disconnected],
    );
    assert_eq!(seen, strings(&["cbw 1", "in 36"]));
    assert_eq!(o, Err(TransportError::Disconnected));
    assert_eq!(host.gone(), Some(&TransportError::Disconnected));
    let (seen, o) = run_on(&mut host, ScsiRequest::none(&TUR), vec![]);
    assert!(seen.is_empty());
    assert_eq!(o, Err(TransportError::Disconnected));
    host.probe_max_lun().unwrap();
    assert_eq!(host.poll_usb(), None);
    assert_eq!(host.poll_max_lun(), Some(Err(TransportError::Disconnected)));
    // Also in the middle of reset recovery.
    let (seen, o) = run(
        ScsiRequest::none(&TUR),
        vec![CBW_TAKEN, csw(1, 0, 2), OK, UsbResult::Disconnected],
    );
    assert_eq!(seen, strings(&["cbw 1", "in 13", "reset", "clear 81"]));
    assert_eq!(o, Err(TransportError::Disconnected));
}

#[test]
fn failed_reset_recovery_is_dead_for_good() {
    let mut host = BotHost::new(BotConfig::default());
    let (seen, o) = run_on(
        &mut host,
        ScsiRequest::none(&TUR),
        vec![CBW_TAKEN, csw(1, 0, 2), UsbResult::Stall],
    );
    assert_eq!(seen, strings(&["cbw 1", "in 13", "reset"]));
    let Err(TransportError::Dead(why)) = o else {
        panic!("{o:?}")
    };
    assert_eq!(
        why,
        "TEST UNIT READY: phase error; then the bulk-only reset failed (stalled): \
         unplug the drive and plug it in again"
    );
    let (seen, o) = run_on(&mut host, ScsiRequest::none(&TUR), vec![]);
    assert!(seen.is_empty());
    assert!(matches!(o, Err(TransportError::Dead(_))));
}

#[test]
fn status_01h_runs_request_sense() {
    let mut host = BotHost::new(BotConfig::default());
    host.submit(ScsiRequest::none(&TUR)).unwrap();
    host.poll_usb().unwrap();
    host.handle_usb(CBW_TAKEN);
    host.poll_usb().unwrap();
    host.handle_usb(csw(1, 0, 1));
    // REQUEST SENSE, fixed format, 18 bytes in, tag 2.
    let cbw = match host.poll_usb() {
        Some(UsbRequest::BulkOut { data, .. }) => CbwRepr::parse(&data).unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(cbw.tag, 2);
    assert_eq!(cbw.cdb(), [0x03, 0, 0, 0, 18, 0]);
    assert_eq!((cbw.direction, cbw.data_len), (Direction::In, 18));
    host.handle_usb(CBW_TAKEN);
    assert_eq!(host.poll_usb().map(|r| kind(&r)), Some("in 18".into()));
    host.handle_usb(UsbResult::In(sense_bytes(Sense::POWER_ON_RESET)));
    assert_eq!(host.poll_usb().map(|r| kind(&r)), Some("in 13".into()));
    host.handle_usb(csw(2, 0, 0));
    let r = host.poll_outcome().unwrap().unwrap();
    assert_eq!(
        r.status,
        ScsiStatus::CheckCondition(Some(SenseRepr::new(Sense::POWER_ON_RESET)))
    );
}

#[test]
fn a_failed_command_keeps_its_data_and_residue() {
    let (_, o) = run(
        ScsiRequest::read(&INQUIRY, 36),
        vec![
            CBW_TAKEN,
            UsbResult::In(inquiry_data(20)),
            csw(1, 16, 1),
            CBW_TAKEN,
            UsbResult::In(sense_bytes(Sense::INVALID_FIELD_IN_CDB)),
            csw(2, 0, 0),
        ],
    );
    let r = o.unwrap();
    assert_eq!(r.sense().unwrap().sense, Sense::INVALID_FIELD_IN_CDB);
    assert_eq!((r.data, r.residue), (inquiry_data(20), 16));
}

#[test]
fn request_sense_failing_leaves_no_sense() {
    // REQUEST SENSE fails in its turn: no second round.
    let (seen, o) = run(
        ScsiRequest::none(&TUR),
        vec![
            CBW_TAKEN,
            csw(1, 0, 1),
            CBW_TAKEN,
            UsbResult::In(Vec::new()),
            csw(2, 18, 1),
        ],
    );
    assert_eq!(
        seen,
        strings(&["cbw 1", "in 13", "cbw 2", "in 18", "in 13"])
    );
    assert_eq!(o.unwrap().status, ScsiStatus::CheckCondition(None));
    // Sense data that does not parse.
    let (_, o) = run(
        ScsiRequest::none(&TUR),
        vec![
            CBW_TAKEN,
            csw(1, 0, 1),
            CBW_TAKEN,
            UsbResult::In(vec![0x70, 0, 6]),
            csw(2, 15, 0),
        ],
    );
    assert_eq!(o.unwrap().status, ScsiStatus::CheckCondition(None));
    // REQUEST SENSE times out: recovery, then the command's own status.
    let (seen, o) = run(
        ScsiRequest::none(&TUR),
        vec![
            CBW_TAKEN,
            csw(1, 0, 1),
            CBW_TAKEN,
            UsbResult::Timeout,
            OK,
            OK,
            OK,
        ],
    );
    assert_eq!(seen, with_recovery(&["cbw 1", "in 13", "cbw 2", "in 18"]));
    assert_eq!(o.unwrap().status, ScsiStatus::CheckCondition(None));
}

#[test]
fn babble_reads_the_csw_then_recovers() {
    for babble in [UsbResult::Overflow, UsbResult::In(inquiry_data(40))] {
        let (seen, o) = run(
            ScsiRequest::read(&INQUIRY, 36),
            vec![CBW_TAKEN, babble, csw(1, 0, 0), OK, OK, OK],
        );
        assert_eq!(seen, with_recovery(&["cbw 1", "in 36", "in 13"]));
        assert_eq!(protocol(o), "INQUIRY: the device sent more data than asked");
    }
}

#[test]
fn a_refused_cbw_means_reset_recovery() {
    for (answer, why) in [
        (UsbResult::Stall, "refused the cbw"),
        (UsbResult::Out(30), "took 30 of the cbw's 31 bytes"),
        (
            UsbResult::Failed("io error".into()),
            "sending the cbw: io error",
        ),
        (
            UsbResult::In(vec![1]),
            "sending the cbw: the pipe reported 1 bytes",
        ),
    ] {
        let (seen, o) = run(ScsiRequest::none(&TUR), vec![answer, OK, OK, OK]);
        assert_eq!(seen, with_recovery(&["cbw 1"]));
        let got = protocol(o);
        assert!(got.contains(why), "{got}");
    }
}

#[test]
fn unknown_commands_are_named_by_opcode() {
    let (_, o) = run(
        ScsiRequest::none(&[0xd8, 0, 0, 0, 0, 0]),
        vec![CBW_TAKEN, csw(1, 0, 2), OK, OK, OK],
    );
    assert_eq!(protocol(o), "command d8h: phase error");
}

#[test]
fn max_lun() {
    for (answer, lun) in [
        (UsbResult::In(vec![1]), Ok(1)),
        (UsbResult::In(vec![15]), Ok(15)),
        (UsbResult::In(vec![16]), Ok(0)),
        (UsbResult::In(Vec::new()), Ok(0)),
        (UsbResult::Stall, Ok(0)),
        (UsbResult::Timeout, Ok(0)),
        (UsbResult::Overflow, Ok(0)),
        (UsbResult::Disconnected, Err(TransportError::Disconnected)),
    ] {
        let mut host = BotHost::new(BotConfig {
            interface: 1,
            ..BotConfig::default()
        });
        host.probe_max_lun().unwrap();
        assert_eq!(host.submit(ScsiRequest::none(&TUR)), Err(SubmitError::Busy));
        assert_eq!(
            host.poll_usb(),
            Some(UsbRequest::Control {
                setup: SetupPacket::get_max_lun(1),
                data_in: 1,
                timeout: CONTROL_TIMEOUT
            })
        );
        host.handle_usb(answer);
        assert_eq!(host.poll_max_lun(), Some(lun));
        assert!(!host.is_busy());
    }
}

#[test]
fn one_command_at_a_time() {
    let mut host = BotHost::new(BotConfig::default());
    // A result with nothing outstanding is ignored.
    host.handle_usb(UsbResult::Stall);
    assert_eq!(host.poll_outcome(), None);
    host.submit(ScsiRequest::none(&TUR)).unwrap();
    assert_eq!(host.submit(ScsiRequest::none(&TUR)), Err(SubmitError::Busy));
    assert_eq!(host.probe_max_lun(), Err(SubmitError::Busy));
    host.poll_usb().unwrap();
    host.handle_usb(CBW_TAKEN);
    // A second result for the same transfer is ignored.
    host.handle_usb(UsbResult::Disconnected);
    host.poll_usb().unwrap();
    host.handle_usb(csw(1, 0, 0));
    // Still busy until the outcome is taken.
    assert_eq!(host.submit(ScsiRequest::none(&TUR)), Err(SubmitError::Busy));
    assert!(host.poll_outcome().unwrap().unwrap().is_good());
    host.submit(ScsiRequest::none(&TUR)).unwrap();
    assert_eq!(host.tag(), 2);
}

#[test]
fn requests_no_cbw_carries() {
    let mut host = BotHost::new(BotConfig::default());
    assert_eq!(
        host.submit(ScsiRequest::none(&[])),
        Err(SubmitError::CdbLength(0))
    );
    assert_eq!(
        host.submit(ScsiRequest::none(&[0; 17])),
        Err(SubmitError::CdbLength(17))
    );
    assert!(!host.is_busy());
    assert_eq!(host.tag(), 0);
}

/// Results a device might give, valid CSWs for the first tags among them.
fn any_result() -> impl proptest::strategy::Strategy<Value = UsbResult> {
    use proptest::prelude::*;
    prop_oneof![
        (0usize..40).prop_map(UsbResult::Out),
        Just(CBW_TAKEN),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(UsbResult::In),
        (1u32..4, 0u32..40, 0u8..4).prop_map(|(t, r, s)| csw(t, r, s)),
        Just(UsbResult::Stall),
        Just(UsbResult::Timeout),
        Just(UsbResult::Overflow),
        Just(UsbResult::Disconnected),
        Just(UsbResult::Failed("io".into())),
        Just(OK),
    ]
}

fn any_request() -> impl proptest::strategy::Strategy<Value = ScsiRequest> {
    use proptest::prelude::*;
    prop_oneof![
        Just(ScsiRequest::none(&TUR)),
        (0u32..40).prop_map(|n| ScsiRequest::read(&INQUIRY, n)),
        proptest::collection::vec(any::<u8>(), 0..40)
            .prop_map(|d| ScsiRequest::write(&MODE_SELECT_8, d)),
    ]
}

proptest::proptest! {
    /// Whatever the device answers, every command (and the Get Max LUN
    /// probe) ends with an outcome within a bounded number of transfers,
    /// and the host is ready for the next.
    #[test]
    fn any_device_behaviour_ends(
        requests in proptest::collection::vec(any_request(), 1..4),
        answers in proptest::collection::vec(any_result(), 0..120),
        probe_first in proptest::prelude::any::<bool>(),
    ) {
        let mut host = BotHost::new(BotConfig::default());
        let mut answers = answers.into_iter().cycle();
        let mut next = move || answers.next().unwrap_or(UsbResult::Timeout);
        if probe_first {
            host.probe_max_lun().unwrap();
            let mut steps = 0;
            while let Some(_r) = host.poll_usb() {
                steps += 1;
                host.handle_usb(next());
            }
            proptest::prop_assert!(steps <= 1);
            let lun = host.poll_max_lun();
            proptest::prop_assert!(matches!(lun, Some(Ok(0..=15) | Err(_))), "{:?}", lun);
        }
        for request in requests {
            let len = request.data.len() as usize;
            host.submit(request).unwrap();
            let mut steps = 0usize;
            let outcome = loop {
                if let Some(o) = host.poll_outcome() {
                    break o;
                }
                let Some(r) = host.poll_usb() else {
                    return Err(proptest::test_runner::TestCaseError::fail("stuck without an outcome"));
                };
                if let UsbRequest::BulkIn { len: n, .. } = r {
                    proptest::prop_assert!(n == len || n == CSW_LEN || n == FIXED_LEN);
                }
                steps += 1;
                // CBW, data (a byte a round at worst), halt clear, CSW
                // reads, recovery; twice with REQUEST SENSE.
                proptest::prop_assert!(steps <= 2 * (len + 12), "{} transfers", steps);
                host.handle_usb(next());
            };
            if let Ok(r) = &outcome {
                proptest::prop_assert!(r.data.len() <= len);
                proptest::prop_assert!(r.residue as usize <= len);
            }
            proptest::prop_assert!(!host.is_busy());
            proptest::prop_assert_eq!(host.poll_usb(), None);
        }
    }
}
