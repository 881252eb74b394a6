//! [`RusbPipe`] under the real Bulk-Only host, over a scripted libusb:
//! every transfer the host makes is checked against the script, and the
//! bytes of each CBW against the spec's layout (`cd-standards.md` §7.2).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::script::{Reply, Script};
use super::*;
use Reply::{Data, Done, Fail, Took};
use mmc::bot::BotTransport;
use mmc::scsi::{ScsiRequest, ScsiStatus, Transport, TransportError};
use mmc::wire::bot::{CswRepr, CswStatus};
use mmc::wire::inquiry::InquiryRepr;
use mmc::wire::sense::{Sense, SenseKey, SenseRepr};

use super::script::T30;
const TUR: [u8; 6] = [0x00, 0, 0, 0, 0, 0];
const INQUIRY: [u8; 6] = [0x12, 0, 0, 0, 36, 0];

const RESET: &str = "control out 21 ff 0000 0000 0";
const CLEAR_IN: &str = "clear halt 81";
const CLEAR_OUT: &str = "clear halt 02";

fn transport(replies: Vec<Reply>) -> BotTransport<RusbPipe<Script>> {
    let script = Script::new(replies);
    let config = BotConfig::default();
    BotTransport::new(RusbPipe::new(script, &config), config)
}

fn script(t: &BotTransport<RusbPipe<Script>>) -> &Script {
    t.pipe().raw()
}

fn calls(t: &BotTransport<RusbPipe<Script>>) -> Vec<&str> {
    script(t).calls.iter().map(String::as_str).collect()
}

/// Everything was answered.
fn done(t: &BotTransport<RusbPipe<Script>>) {
    assert!(
        script(t).replies.is_empty(),
        "unused replies: {:?}",
        script(t).replies
    );
}

fn csw(tag: u32, residue: u32, status: CswStatus) -> Reply {
    Data(
        CswRepr {
            tag,
            residue,
            status,
        }
        .to_bytes()
        .to_vec(),
    )
}

/// A CBW as the spec lays it out, built by hand.
fn cbw_bytes(tag: u32, len: u32, flags: u8, cdb: &[u8]) -> Vec<u8> {
    let mut b = vec![0x55, 0x53, 0x42, 0x43];
    b.extend(tag.to_le_bytes());
    b.extend(len.to_le_bytes());
    b.extend([flags, 0x00, cdb.len() as u8]);
    b.extend(cdb);
    b.resize(31, 0);
    b
}

fn drive_inquiry() -> Vec<u8> {
    InquiryRepr::mmc("PLEXTOR", "DVDR PX-716A", "1.11").to_vec()
}

#[test]
fn inquiry_end_to_end_with_the_cbw_bytes() {
    let mut t = transport(vec![
        Took(31),
        Data(drive_inquiry()),
        csw(1, 0, CswStatus::Passed),
    ]);
    let r = t.execute(&ScsiRequest::read(&INQUIRY, 36)).unwrap();
    assert!(r.is_good());
    let inquiry = InquiryRepr::parse(&r.data).unwrap();
    assert!(inquiry.is_mmc());
    assert_eq!(inquiry.product, "DVDR PX-716A");
    assert_eq!(calls(&t), ["write 02 31", "read 81 36", "read 81 13"]);
    assert_eq!(
        script(&t).written,
        [vec![
            0x55, 0x53, 0x42, 0x43, // "USBC"
            0x01, 0x00, 0x00, 0x00, // tag 1
            0x24, 0x00, 0x00, 0x00, // 36 bytes
            0x80, 0x00, 0x06, // data in, LUN 0, 6-byte CDB
            0x12, 0x00, 0x00, 0x00, 0x24, 0x00, // INQUIRY
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ]]
    );
    done(&t);
}

#[test]
fn stall_on_data_clears_the_halt_reads_the_csw_then_senses() {
    let failure = Sense::new(SenseKey::NotReady, 0x3a, 0x00);
    let repr = SenseRepr::new(failure);
    let mut sense = vec![0; repr.buffer_len()];
    repr.emit(&mut sense);
    let mut t = transport(vec![
        Took(31),
        Fail(rusb::Error::Pipe),
        Done,
        csw(1, 36, CswStatus::Failed),
        Took(31),
        Data(sense),
        csw(2, 0, CswStatus::Passed),
    ]);
    let r = t.execute(&ScsiRequest::read(&INQUIRY, 36)).unwrap();
    assert_eq!(r.sense().map(|s| s.sense), Some(failure));
    assert_eq!((r.data.len(), r.residue), (0, 36));
    assert_eq!(
        calls(&t),
        [
            "write 02 31",
            "read 81 36",
            CLEAR_IN,
            "read 81 13",
            "write 02 31",
            "read 81 18",
            "read 81 13"
        ]
    );
    // The auto-sense: REQUEST SENSE for 18 bytes, tag 2.
    assert_eq!(
        script(&t).written[1],
        cbw_bytes(2, 18, 0x80, &[0x03, 0, 0, 0, 18, 0])
    );
    done(&t);
}

#[test]
fn stall_on_data_out_clears_bulk_out() {
    let cdb = [0x2a, 0, 0, 0, 0, 0, 0, 0, 2, 0];
    let mut t = transport(vec![
        Took(31),
        Fail(rusb::Error::Pipe),
        Done,
        csw(1, 4096, CswStatus::Passed),
    ]);
    let r = t
        .execute(&ScsiRequest::write(&cdb, vec![0xa5; 4096]))
        .unwrap();
    assert_eq!((r.status, r.residue), (ScsiStatus::Good, 4096));
    assert_eq!(
        calls(&t),
        ["write 02 31", "write 02 4096", CLEAR_OUT, "read 81 13"]
    );
    assert_eq!(script(&t).written[0], cbw_bytes(1, 4096, 0x00, &cdb));
    done(&t);
}

#[test]
fn stall_on_csw_clears_bulk_in_and_reads_once_more() {
    let mut t = transport(vec![
        Took(31),
        Fail(rusb::Error::Pipe),
        Done,
        csw(1, 0, CswStatus::Passed),
    ]);
    assert!(t.execute(&ScsiRequest::none(&TUR)).unwrap().is_good());
    assert_eq!(
        calls(&t),
        ["write 02 31", "read 81 13", CLEAR_IN, "read 81 13"]
    );
    assert_eq!(script(&t).written[0], cbw_bytes(1, 0, 0x00, &TUR));
    done(&t);

    // Stalling again: reset recovery, and the command's effect is unknown.
    let mut t = transport(vec![
        Took(31),
        Fail(rusb::Error::Pipe),
        Done,
        Fail(rusb::Error::Pipe),
        Done,
        Done,
        Done,
    ]);
    assert!(matches!(
        t.execute(&ScsiRequest::none(&TUR)),
        Err(TransportError::Protocol(m)) if m.contains("stalled again")
    ));
    assert_eq!(
        calls(&t)[4..],
        [RESET, CLEAR_IN, CLEAR_OUT],
        "reset recovery"
    );
    done(&t);
}

#[test]
fn a_short_read_is_a_short_read() {
    let mut t = transport(vec![
        Took(31),
        Data(drive_inquiry()[..20].to_vec()),
        csw(1, 16, CswStatus::Passed),
    ]);
    let r = t.execute(&ScsiRequest::read(&INQUIRY, 36)).unwrap();
    assert_eq!((r.data.len(), r.residue), (20, 16));
    assert_eq!(r.data, drive_inquiry()[..20]);
    // One read for the data: nothing asks for the rest.
    assert_eq!(calls(&t), ["write 02 31", "read 81 36", "read 81 13"]);
    done(&t);
}

#[test]
fn a_timeout_with_no_data_runs_reset_recovery() {
    let mut t = transport(vec![
        Took(31),
        Fail(rusb::Error::Timeout),
        Done,
        Done,
        Done,
        // The next command goes through.
        Took(31),
        csw(2, 0, CswStatus::Passed),
    ]);
    assert_eq!(
        t.execute(&ScsiRequest::none(&TUR).with_timeout(T30)),
        Err(TransportError::Timeout(T30))
    );
    assert_eq!(
        calls(&t),
        ["write 02 31", "read 81 13", RESET, CLEAR_IN, CLEAR_OUT]
    );
    assert!(t.execute(&ScsiRequest::none(&TUR)).unwrap().is_good());
    assert_eq!(script(&t).written[1], cbw_bytes(2, 0, 0x00, &TUR));
    done(&t);
}

/// WRITE(10) of two 2048-byte blocks.
fn write10() -> (Vec<u8>, Vec<u8>) {
    let cdb = vec![0x2a, 0, 0, 0, 0, 0x10, 0, 0, 2, 0];
    let data = (0..4096).map(|i| (i % 251) as u8).collect();
    (cdb, data)
}

#[test]
fn a_timeout_after_part_of_the_data_sends_the_rest() {
    let (cdb, data) = write10();
    let mut t = transport(vec![
        Took(31),
        // libusb: timed out having sent 1024 bytes (rusb says Ok(1024)).
        Took(1024),
        // The rest, within the same transfer's time: nothing more.
        Fail(rusb::Error::Timeout),
        // The host asks for the rest in a new transfer.
        Took(3072),
        csw(1, 0, CswStatus::Passed),
    ]);
    let r = t.execute(&ScsiRequest::write(&cdb, data.clone())).unwrap();
    assert_eq!((r.status, r.residue), (ScsiStatus::Good, 0));
    assert_eq!(
        calls(&t),
        [
            "write 02 31",
            "write 02 4096",
            "write 02 3072",
            "write 02 3072",
            "read 81 13"
        ]
    );
    let w = &script(&t).written;
    assert_eq!(w[0], cbw_bytes(1, 4096, 0x00, &cdb));
    // What the device took, in order, is the data.
    let taken = [&w[1][..1024], &w[3][..]].concat();
    assert_eq!(taken, data);
    done(&t);
}

#[test]
fn a_write_that_stops_moving_times_out() {
    let (cdb, data) = write10();
    let mut t = transport(vec![
        Took(31),
        Took(1024),
        Fail(rusb::Error::Timeout),
        Fail(rusb::Error::Timeout),
        Done,
        Done,
        Done,
    ]);
    let request = ScsiRequest::write(&cdb, data).with_timeout(T30);
    assert_eq!(t.execute(&request), Err(TransportError::Timeout(T30)));
    assert_eq!(
        calls(&t),
        [
            "write 02 31",
            "write 02 4096",
            "write 02 3072",
            "write 02 3072",
            RESET,
            CLEAR_IN,
            CLEAR_OUT
        ]
    );
    done(&t);
}

#[test]
fn partial_writes_resume_within_one_transfer() {
    let mut pipe = RusbPipe::new(
        Script::new(vec![
            Took(10),
            Took(5),
            Fail(rusb::Error::Interrupted),
            Took(15),
        ]),
        &BotConfig::default(),
    );
    let data: Vec<u8> = (0..30).collect();
    assert_eq!(pipe.bulk_out(&data, T30), Ok(30));
    let s = pipe.into_raw();
    assert_eq!(
        s.calls,
        ["write 02 30", "write 02 20", "write 02 15", "write 02 15"]
    );
    assert_eq!(s.written[1], data[10..]);
    assert_eq!(s.written[3], data[15..]);
}

#[test]
fn a_stall_after_part_of_the_data_reports_the_part() {
    let mut pipe = RusbPipe::new(
        Script::new(vec![
            Took(512),
            Fail(rusb::Error::Pipe),
            Fail(rusb::Error::Pipe),
        ]),
        &BotConfig::default(),
    );
    assert_eq!(pipe.bulk_out(&[0; 2048], T30), Ok(512));
    // The endpoint is still halted: the next transfer says so.
    assert_eq!(pipe.bulk_out(&[0; 1536], T30), Err(PipeError::Stall));
}

#[test]
fn disconnect_ends_everything() {
    let mut t = transport(vec![Fail(rusb::Error::NoDevice)]);
    assert_eq!(
        t.execute(&ScsiRequest::none(&TUR)),
        Err(TransportError::Disconnected)
    );
    // Nothing more reaches the device.
    assert_eq!(
        t.execute(&ScsiRequest::none(&TUR)),
        Err(TransportError::Disconnected)
    );
    assert_eq!(t.max_lun(), Err(TransportError::Disconnected));
    assert_eq!(calls(&t), ["write 02 31"]);

    // Gone part way through the data: still a disconnect, not a partial
    // write.
    let (cdb, data) = write10();
    let mut t = transport(vec![Took(31), Took(1024), Fail(rusb::Error::NoDevice)]);
    assert_eq!(
        t.execute(&ScsiRequest::write(&cdb, data)),
        Err(TransportError::Disconnected)
    );
    done(&t);
}

#[test]
fn overflow_is_babble_then_reset_recovery() {
    let mut t = transport(vec![
        Took(31),
        Fail(rusb::Error::Overflow),
        csw(1, 0, CswStatus::Passed),
        Done,
        Done,
        Done,
    ]);
    let e = t.execute(&ScsiRequest::read(&INQUIRY, 36)).unwrap_err();
    assert_eq!(
        e,
        TransportError::Protocol("INQUIRY: the device sent more data than asked".into())
    );
    assert_eq!(
        calls(&t),
        [
            "write 02 31",
            "read 81 36",
            "read 81 13",
            RESET,
            CLEAR_IN,
            CLEAR_OUT
        ]
    );
    done(&t);
}

#[test]
fn other_errors_carry_their_words() {
    let mut t = transport(vec![
        Took(31),
        Fail(rusb::Error::Io),
        Done,
        Done,
        Fail(rusb::Error::Io),
    ]);
    // Recovery failing on the last halt: the drive is dead.
    let e = t.execute(&ScsiRequest::none(&TUR)).unwrap_err();
    assert_eq!(
        e,
        TransportError::Dead(
            "TEST UNIT READY: reading the csw: input/output error; then clearing the bulk out \
             halt failed (input/output error): unplug the drive and plug it in again"
                .into()
        )
    );
    done(&t);
    assert_eq!(
        pipe_error(rusb::Error::Busy),
        PipeError::Other("resource busy".into())
    );
}

#[test]
fn max_lun_through_a_control_read() {
    let mut t = transport(vec![Data(vec![1]), Fail(rusb::Error::Pipe), Data(vec![])]);
    assert_eq!(t.max_lun(), Ok(1));
    // A stall or no data: one LUN.
    assert_eq!(t.max_lun(), Ok(0));
    assert_eq!(t.max_lun(), Ok(0));
    assert_eq!(calls(&t), ["control in a1 fe 0000 0000 1"; 3]);
    done(&t);
}

#[test]
fn interrupted_reads_are_made_again() {
    let mut pipe = RusbPipe::new(
        Script::new(vec![Fail(rusb::Error::Interrupted), Data(vec![1, 2, 3])]),
        &BotConfig::default(),
    );
    assert_eq!(pipe.bulk_in(13, T30), Ok(vec![1, 2, 3]));
    assert_eq!(pipe.into_raw().calls, ["read 81 13", "read 81 13"]);
}

#[test]
fn even_a_zero_timeout_makes_one_attempt() {
    let mut pipe = RusbPipe::new(
        Script::new(vec![Took(4), Fail(rusb::Error::Timeout)]),
        &BotConfig::default(),
    );
    assert_eq!(pipe.bulk_out(&[1, 2, 3, 4], Duration::ZERO), Ok(4));
    assert_eq!(pipe.bulk_in(13, Duration::ZERO), Err(PipeError::Timeout));
}

#[test]
fn timeouts_fit_libusb() {
    let ms = Duration::from_millis;
    assert_eq!(libusb_timeout(Duration::ZERO), ms(1));
    assert_eq!(libusb_timeout(Duration::from_micros(300)), ms(1));
    assert_eq!(libusb_timeout(T30), T30);
    assert_eq!(libusb_timeout(Duration::MAX), ms(u64::from(u32::MAX)));
}
