//! rawburn's own Bulk-Only host ([`mmc::bot::BotTransport`]) against the
//! virtual drive on a [`VirtualPipe`]: commands at the SCSI level with
//! auto-sense, a short burn on a drive that takes real (virtual) time, and
//! every transport fault of a [`FaultPlan`] recovered from or reported.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{MODE1_BLOCK, mode_select_cdb, mode1_data, select_list, tao_mode1_page};
use mmc::bot::{BotConfig, BotTransport};
use mmc::scsi::{
    Clock, LONG_TIMEOUT, ScsiOutcome, ScsiRequest, ScsiResponse, ScsiStatus, Transport,
    TransportError,
};
use mmc::wire::command::Write10;
use mmc::wire::sense::{Sense, SenseKey};
use std::time::Duration;
use vdrive::{
    BulkOnly, FaultPlan, MediaKind, MediaSpec, MemoryStore, Recorder, RecorderConfig, VirtualPipe,
};

type Drive = BotTransport<VirtualPipe<MemoryStore>>;

const TUR: [u8; 6] = [0x00, 0, 0, 0, 0, 0];
const INQUIRY_36: [u8; 6] = [0x12, 0, 0, 0, 36, 0];
/// SYNCHRONIZE CACHE(10), no IMMED, everything.
const SYNC: [u8; 10] = [0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// No test waits anywhere near this long in virtual time.
const BOUND: Duration = Duration::from_secs(600);

fn drive(config: RecorderConfig) -> Drive {
    let device = BulkOnly::new(Recorder::new(MemoryStore::new(), config));
    BotTransport::new(VirtualPipe::new(device), BotConfig::default())
}

fn insert(d: &mut Drive, kind: MediaKind) {
    let media = MediaSpec::new(kind, 80).unwrap();
    d.pipe_mut()
        .device_mut()
        .target_mut()
        .insert_blank(media)
        .unwrap();
}

/// TEST UNIT READY until it passes; returns the senses seen on the way.
fn wait_ready(d: &mut Drive) -> Vec<Sense> {
    let mut seen = Vec::new();
    for _ in 0..100 {
        let r = d.execute(&ScsiRequest::none(&TUR)).unwrap();
        match r.status {
            ScsiStatus::Good => return seen,
            ScsiStatus::CheckCondition(s) => seen.push(s.expect("auto-sense").sense),
        }
        // The pipe is the transport's clock too.
        let t = Clock::now(d.pipe()) + Duration::from_millis(500);
        Clock::sleep_until(d.pipe_mut(), t);
    }
    panic!("never ready: {seen:?}");
}

/// An instant drive with a blank 80-minute CD-R, attentions consumed.
fn ready() -> Drive {
    let mut d = drive(RecorderConfig {
        instant: true,
        ..RecorderConfig::default()
    });
    insert(&mut d, MediaKind::CdR);
    wait_ready(&mut d);
    d
}

/// [`ready`], running `plan`.
fn with_faults(plan: &str) -> Drive {
    let mut d = ready();
    d.pipe_mut()
        .device_mut()
        .set_faults(FaultPlan::from_json(plan).unwrap());
    d
}

fn inquiry(d: &mut Drive) -> ScsiOutcome {
    d.execute(&ScsiRequest::read(&INQUIRY_36, 36))
}

fn good(outcome: ScsiOutcome) -> ScsiResponse {
    let r = outcome.unwrap();
    assert!(r.is_good(), "{:?}", r.status);
    r
}

fn sense_of(outcome: ScsiOutcome) -> Sense {
    match outcome.unwrap().status {
        ScsiStatus::CheckCondition(Some(s)) => s.sense,
        other => panic!("not a check condition with sense: {other:?}"),
    }
}

fn protocol(outcome: ScsiOutcome) -> String {
    match outcome {
        Err(TransportError::Protocol(s)) => s,
        other => panic!("not a protocol error: {other:?}"),
    }
}

/// The MODE SELECT of [`tao_mode1_page`].
fn mode_select(bufe: bool) -> ScsiRequest {
    let list = select_list(&tao_mode1_page(bufe));
    ScsiRequest::write(&mode_select_cdb(list.len() as u8), list)
}

const COMMUNICATION_FAILURE: Sense = Sense::new(SenseKey::HardwareError, 0x08, 0x00);

#[test]
fn inquiry_and_max_lun() {
    let mut d = drive(RecorderConfig::default());
    assert_eq!(d.max_lun(), Ok(0));
    let r = good(inquiry(&mut d));
    assert_eq!(r.data.len(), 36);
    assert_eq!(r.residue, 0);
    assert_eq!(r.data[0] & 0x1f, 0x05, "peripheral device type: cd/dvd");
    assert_eq!(&r.data[8..16], b"RAWBURN ");
    assert_eq!(d.host().tag(), 1);
}

#[test]
fn test_unit_ready_senses_the_power_on_attention() {
    let mut d = drive(RecorderConfig::default());
    let r = d.execute(&ScsiRequest::none(&TUR)).unwrap();
    assert_eq!(r.sense().map(|s| s.sense), Some(Sense::POWER_ON_RESET));
    assert_eq!((r.data.len(), r.residue), (0, 0));
    // TEST UNIT READY, then REQUEST SENSE: two tags.
    assert_eq!(d.host().tag(), 2);
    // Then no disc.
    let s = sense_of(d.execute(&ScsiRequest::none(&TUR)));
    assert_eq!(
        (s.key, s.asc),
        (SenseKey::NotReady, 0x3a),
        "no medium: {s:?}"
    );
    insert(&mut d, MediaKind::CdR);
    assert_eq!(wait_ready(&mut d), [Sense::MEDIUM_CHANGED]);
    assert_eq!(d.pipe().now(), Duration::from_millis(500));
}

#[test]
fn a_tao_write_at_speed_in_virtual_time() {
    let mut d = drive(RecorderConfig::default());
    insert(&mut d, MediaKind::CdR);
    wait_ready(&mut d);
    good(d.execute(&mode_select(true)));
    let blocks = 64u16;
    let write = ScsiRequest::write(&Write10::new(0, blocks).to_bytes(), mode1_data(0, blocks))
        .with_timeout(LONG_TIMEOUT);
    let r = good(d.execute(&write));
    assert_eq!(r.residue, 0);
    let before = d.pipe().now();
    good(d.execute(&ScsiRequest::none(&SYNC).with_timeout(LONG_TIMEOUT)));
    let waited = d.pipe().now() - before;
    assert!(waited > Duration::ZERO, "synchronize cache took no time");
    assert!(d.pipe().now() < BOUND);
    // What was written reads back (READ CD, user data).
    let [_, _, _, n] = (blocks as u32).to_be_bytes();
    let read_cd = [0xbe, 0, 0, 0, 0, 0, 0, 0, n, 0x10, 0, 0];
    let len = blocks as u32 * MODE1_BLOCK as u32;
    let r = good(d.execute(&ScsiRequest::read(&read_cd, len).with_timeout(LONG_TIMEOUT)));
    assert_eq!(r.data, mode1_data(0, blocks));
}

#[test]
fn stall_data_in_ends_in_a_check_condition() {
    let mut d = with_faults(r#"{ "faults": [ { "command": "INQUIRY", "fault": "stallData" } ] }"#);
    let r = inquiry(&mut d).unwrap();
    assert_eq!(r.sense().map(|s| s.sense), Some(COMMUNICATION_FAILURE));
    assert_eq!((r.data.len(), r.residue), (0, 36));
    good(inquiry(&mut d));
}

#[test]
fn stall_data_out_ends_in_a_check_condition() {
    let mut d =
        with_faults(r#"{ "faults": [ { "command": "MODE SELECT(10)", "fault": "stallData" } ] }"#);
    let request = mode_select(false);
    let r = d.execute(&request).unwrap();
    assert_eq!(r.sense().map(|s| s.sense), Some(COMMUNICATION_FAILURE));
    assert_eq!(r.residue, request.data.len());
    assert!(d.pipe().device().target().write_parameters().bufe);
    good(d.execute(&request));
    assert!(!d.pipe().device().target().write_parameters().bufe);
}

#[test]
fn stall_csw_is_recovered() {
    let mut d =
        with_faults(r#"{ "faults": [ { "command": "MODE SELECT(10)", "fault": "stallCsw" } ] }"#);
    good(d.execute(&mode_select(false)));
    assert!(!d.pipe().device().target().write_parameters().bufe);
    assert!(!d.pipe().device().in_halted());
}

#[test]
fn phase_error_is_a_protocol_error_then_the_link_works() {
    let mut d =
        with_faults(r#"{ "faults": [ { "command": "TEST UNIT READY", "fault": "phaseError" } ] }"#);
    assert_eq!(
        protocol(d.execute(&ScsiRequest::none(&TUR))),
        "TEST UNIT READY: phase error"
    );
    good(d.execute(&ScsiRequest::none(&TUR)));
}

#[test]
fn a_bad_csw_signature_or_tag_is_a_protocol_error_then_the_link_works() {
    let mut d = with_faults(
        r#"{ "faults": [ { "command": "TEST UNIT READY", "fault": { "cswSignature": 305419896 } } ] }"#,
    );
    assert_eq!(
        protocol(d.execute(&ScsiRequest::none(&TUR))),
        "TEST UNIT READY: csw signature 0x12345678 is not USBS"
    );
    good(d.execute(&ScsiRequest::none(&TUR)));

    let mut d = with_faults(r#"{ "faults": [ { "command": "INQUIRY", "fault": "cswTag" } ] }"#);
    let why = protocol(inquiry(&mut d));
    assert!(why.starts_with("INQUIRY: csw tag"), "{why}");
    good(inquiry(&mut d));
}

#[test]
fn short_data_comes_with_its_residue() {
    let mut d = ready();
    let full = good(inquiry(&mut d)).data;
    d.pipe_mut().device_mut().set_faults(
        FaultPlan::from_json(
            r#"{ "faults": [ { "command": "INQUIRY", "fault": { "shortData": 8 } } ] }"#,
        )
        .unwrap(),
    );
    let r = good(inquiry(&mut d));
    assert_eq!(r.data, full[..28]);
    assert_eq!(r.residue, 8);
}

#[test]
fn long_data_is_a_protocol_error_then_the_link_works() {
    let mut d =
        with_faults(r#"{ "faults": [ { "command": "INQUIRY", "fault": { "longData": 4 } } ] }"#);
    assert_eq!(
        protocol(inquiry(&mut d)),
        "INQUIRY: the device sent more data than asked"
    );
    good(inquiry(&mut d));
}

#[test]
fn no_answer_times_out_after_the_requests_timeout_then_the_link_works() {
    for command in ["TEST UNIT READY", "INQUIRY"] {
        let mut d = with_faults(&format!(
            r#"{{ "faults": [ {{ "command": "{command}", "fault": "noAnswer" }} ] }}"#
        ));
        let timeout = Duration::from_secs(10);
        let request = if command == "INQUIRY" {
            ScsiRequest::read(&INQUIRY_36, 36)
        } else {
            ScsiRequest::none(&TUR)
        };
        let start = d.pipe().now();
        assert_eq!(
            d.execute(&request.with_timeout(timeout)),
            Err(TransportError::Timeout(timeout))
        );
        assert_eq!(d.pipe().now() - start, timeout, "{command}");
        assert!(!d.pipe().device().needs_reset());
        good(d.execute(&ScsiRequest::none(&TUR)));
        good(inquiry(&mut d));
        assert_eq!(d.pipe().now() - start, timeout, "{command}");
    }
}

#[test]
fn no_answer_to_a_synchronize_cache() {
    let mut d =
        with_faults(r#"{ "faults": [ { "command": "SYNCHRONIZE CACHE", "fault": "noAnswer" } ] }"#);
    good(d.execute(&mode_select(false)));
    good(d.execute(&ScsiRequest::write(
        &Write10::new(0, 16).to_bytes(),
        mode1_data(0, 16),
    )));
    assert_eq!(
        d.execute(&ScsiRequest::none(&SYNC).with_timeout(LONG_TIMEOUT)),
        Err(TransportError::Timeout(LONG_TIMEOUT))
    );
    assert!(d.pipe().now() >= LONG_TIMEOUT && d.pipe().now() < BOUND);
    good(d.execute(&ScsiRequest::none(&TUR)));
}

#[test]
fn disconnect_is_for_good() {
    let mut d =
        with_faults(r#"{ "faults": [ { "command": "TEST UNIT READY", "fault": "disconnect" } ] }"#);
    good(inquiry(&mut d));
    assert_eq!(
        d.execute(&ScsiRequest::none(&TUR)),
        Err(TransportError::Disconnected)
    );
    assert_eq!(inquiry(&mut d), Err(TransportError::Disconnected));
    assert_eq!(d.max_lun(), Err(TransportError::Disconnected));
    assert_eq!(d.host().gone(), Some(&TransportError::Disconnected));
}

#[test]
fn unit_attention_comes_with_its_sense() {
    let mut d = with_faults(
        r#"{ "faults": [ { "command": "TEST UNIT READY", "nth": 2, "fault": { "unitAttention": [6, 40, 0] } } ] }"#,
    );
    good(d.execute(&ScsiRequest::none(&TUR)));
    assert_eq!(
        sense_of(d.execute(&ScsiRequest::none(&TUR))),
        Sense::MEDIUM_CHANGED
    );
    good(d.execute(&ScsiRequest::none(&TUR)));
}

#[test]
fn every_fault_on_one_drive_in_a_row() {
    // The faults one after another on the same link: each is recovered
    // from (or reported) and leaves the link working for the next.
    let mut d = with_faults(
        r#"{ "faults": [
            { "nth": 1, "fault": "stallData" },
            { "nth": 2, "fault": "stallCsw" },
            { "nth": 3, "fault": "phaseError" },
            { "nth": 4, "fault": { "cswSignature": 1 } },
            { "nth": 5, "fault": "cswTag" },
            { "nth": 6, "fault": { "shortData": 4 } },
            { "nth": 7, "fault": { "longData": 4 } },
            { "nth": 8, "fault": "noAnswer" },
            { "nth": 9, "fault": { "unitAttention": [2, 4, 1] } }
        ] }"#,
    );
    // The plan counts every command the drive sees, REQUEST SENSE
    // included. 1, 2: INQUIRY stalls, and its REQUEST SENSE's CSW stalls.
    let r = inquiry(&mut d).unwrap();
    assert_eq!(r.sense().map(|s| s.sense), Some(COMMUNICATION_FAILURE));
    // 3, 4, 5: a phase error and two bad CSWs.
    for why in [
        "phase error",
        "csw signature 0x00000001 is not USBS",
        "csw tag",
    ] {
        let got = protocol(d.execute(&ScsiRequest::none(&TUR)));
        assert!(got.starts_with(&format!("TEST UNIT READY: {why}")), "{got}");
    }
    // 6, 7: short data, babble.
    let r = good(inquiry(&mut d));
    assert_eq!((r.data.len(), r.residue), (32, 4));
    protocol(inquiry(&mut d));
    // 8: no answer.
    let timeout = Duration::from_secs(10);
    assert_eq!(
        d.execute(&ScsiRequest::none(&TUR).with_timeout(timeout)),
        Err(TransportError::Timeout(timeout))
    );
    // 9, 10: a unit attention and its REQUEST SENSE.
    assert_eq!(
        sense_of(d.execute(&ScsiRequest::none(&TUR))),
        Sense::BECOMING_READY
    );
    good(d.execute(&ScsiRequest::none(&TUR)));
    good(inquiry(&mut d));
    assert!(d.pipe().now() < BOUND);
}
