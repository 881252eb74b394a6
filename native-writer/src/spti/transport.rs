//! [`SptiLink`]: `mmc::scsi::Link` over an [`SptiDevice`], what Windows
//! answers turned into the outcomes the engine understands.
//!
//! | Windows says | Outcome |
//! | --- | --- |
//! | `ScsiStatus` 00h/04h | GOOD, data cut to `DataTransferLength` (bytes moved), residue the rest |
//! | `ScsiStatus` 02h with `SenseInfoLength` > 0 | CHECK CONDITION with the sense (REQUEST SENSE sent when the port driver brought none) |
//! | `ScsiStatus` 08h/28h (busy), `ERROR_BUSY` | not run: sent again after a pause, up to [`RETRIES`](crate::passthrough::RETRIES) times, then a protocol error |
//! | `ERROR_NOT_READY` | sent again the same way when the command does not change the disc; else a protocol error |
//! | `ERROR_SEM_TIMEOUT`, `ERROR_TIMEOUT` | [`TransportError::Timeout`] with the request's timeout |
//! | `ERROR_DEVICE_NOT_CONNECTED`, `ERROR_NO_SUCH_DEVICE`, `ERROR_DEV_NOT_EXIST`, `ERROR_FILE_NOT_FOUND` | [`TransportError::Disconnected`], and every later command too |
//! | `ERROR_INVALID_FUNCTION`, `ERROR_NOT_SUPPORTED` | [`TransportError::Dead`]: the device takes no pass-through request |
//! | `ERROR_IO_DEVICE`, `ERROR_OPERATION_ABORTED` | [`TransportError::Protocol`]: the command's effect is unknown, the engine decides |
//! | `ERROR_ACCESS_DENIED`, `ERROR_SHARING_VIOLATION`, `ERROR_INVALID_PARAMETER`, out of memory, other codes and statuses | [`TransportError::Protocol`] saying what Windows refused |
//!
//! Each command waits as long as its [`ScsiRequest::timeout`] says, in
//! whole seconds (`TimeOutValue`, rounded up); the port driver aborts it
//! after that.

use super::device::{Data, SptiDevice, WinError, code};
use super::layout::{Direction, RequestBuffer, SptdReply, SptdRepr};
use crate::passthrough::{Judged, Tries, changes_the_disc, name, status};
use mmc::scsi::{
    Clock, DEFAULT_TIMEOUT, DataPhase, ScsiOutcome, ScsiRequest, ScsiResponse, ScsiStatus,
    TransportError,
};
use mmc::wire::sense::SenseRepr;
use std::time::Duration;

pub use crate::passthrough::{BUSY_PAUSE, SystemClock};

/// A drive reached through SPTI: a transport with its clock, so an
/// [`mmc::scsi::Link`] for the blocking engine driver. Dropping it
/// closes the handle (and unlocks the volume when it was locked).
#[derive(Debug)]
pub struct SptiLink<D: SptiDevice, C: Clock = SystemClock> {
    device: D,
    clock: C,
    /// Set once the drive is known to be gone: every later command ends so.
    lost: Option<TransportError>,
}

impl<D: SptiDevice> SptiLink<D> {
    /// A link to `device` on the system clock.
    pub fn new(device: D) -> SptiLink<D> {
        SptiLink::with_clock(device, SystemClock::new())
    }
}

impl<D: SptiDevice, C: Clock> SptiLink<D, C> {
    /// A link to `device` keeping time with `clock`.
    pub fn with_clock(device: D, clock: C) -> SptiLink<D, C> {
        SptiLink {
            device,
            clock,
            lost: None,
        }
    }

    /// The device.
    #[cfg(test)]
    pub fn device(&self) -> &D {
        &self.device
    }
}

impl<D: SptiDevice, C: Clock> Tries for SptiLink<D, C> {
    /// One try of `request`.
    fn attempt(&mut self, request: &ScsiRequest) -> Judged {
        let (direction, n) = match &request.data {
            DataPhase::None => (Direction::Unspecified, 0),
            DataPhase::In(n) => (Direction::In, *n as usize),
            DataPhase::Out(d) => (Direction::Out, d.len()),
        };
        let repr = match SptdRepr::new(&request.cdb, direction, n, request.timeout) {
            Ok(r) => r,
            Err(e) => {
                return Judged::Outcome(Err(TransportError::Protocol(format!(
                    "cannot send {}: {e}",
                    name(request)
                ))));
            }
        };
        let mut sptd = RequestBuffer::new(&repr);
        let mut buf = vec![0u8; if direction == Direction::In { n } else { 0 }];
        let data = match &request.data {
            DataPhase::None => Data::None,
            DataPhase::In(_) => Data::In(&mut buf),
            DataPhase::Out(d) => Data::Out(d),
        };
        let reply = self
            .device
            .pass_through(&mut sptd, data)
            .map(|()| SptdReply::parse(&sptd.view()));
        judge(request, reply, buf)
    }

    /// REQUEST SENSE, for a CHECK CONDITION the port driver brought no
    /// sense for.
    fn request_sense(&mut self) -> Option<SenseRepr> {
        const LEN: usize = super::layout::SENSE_LEN;
        let cdb = [0x03, 0, 0, 0, LEN as u8, 0];
        let repr = SptdRepr::new(&cdb, Direction::In, LEN, DEFAULT_TIMEOUT).ok()?;
        let mut sptd = RequestBuffer::new(&repr);
        let mut buf = [0u8; LEN];
        self.device
            .pass_through(&mut sptd, Data::In(&mut buf))
            .ok()?;
        let reply = SptdReply::parse(&sptd.view());
        if reply.scsi_status != status::GOOD {
            return None;
        }
        let moved = (reply.transferred as usize).min(LEN);
        SenseRepr::parse(&buf[..moved]).ok()
    }

    fn pause(&mut self, after: Duration) {
        let t = self.clock.now() + after;
        self.clock.sleep_until(t);
    }

    fn lost(&mut self) -> &mut Option<TransportError> {
        &mut self.lost
    }
}

impl<D: SptiDevice, C: Clock> mmc::scsi::Transport for SptiLink<D, C> {
    fn execute(&mut self, request: &ScsiRequest) -> ScsiOutcome {
        crate::passthrough::execute(self, request)
    }
}

impl<D: SptiDevice, C: Clock> Clock for SptiLink<D, C> {
    fn now(&self) -> Duration {
        self.clock.now()
    }

    fn sleep_until(&mut self, t: Duration) {
        self.clock.sleep_until(t);
    }
}

/// Judges what Windows answered for `request`; `buf` is the data-in
/// buffer.
fn judge(request: &ScsiRequest, reply: Result<SptdReply, WinError>, mut buf: Vec<u8>) -> Judged {
    let protocol = |why: String| Judged::Outcome(Err(TransportError::Protocol(why)));
    let reply = match reply {
        Ok(r) => r,
        Err(e) => return failed(request, e),
    };
    let asked = request.data.len();
    // A driver claiming more than was asked moved what was asked.
    let moved = reply.transferred.min(asked);
    buf.truncate(moved as usize);
    let residue = asked - moved;
    match reply.scsi_status & 0x7e {
        status::GOOD | status::CONDITION_MET => Judged::Outcome(Ok(ScsiResponse {
            status: ScsiStatus::Good,
            data: buf,
            residue,
        })),
        status::CHECK_CONDITION => {
            let r = ScsiResponse {
                status: ScsiStatus::CheckCondition(None),
                data: buf,
                residue,
            };
            if reply.sense.is_empty() {
                return Judged::NeedSense(r);
            }
            Judged::Outcome(Ok(ScsiResponse {
                status: ScsiStatus::CheckCondition(SenseRepr::parse(&reply.sense).ok()),
                ..r
            }))
        }
        status::BUSY | status::TASK_SET_FULL => Judged::Again {
            after: BUSY_PAUSE,
            why: TransportError::Protocol(format!(
                "the drive stayed busy and did not take {} (status {:02x}h)",
                name(request),
                reply.scsi_status
            )),
        },
        status::RESERVATION_CONFLICT => protocol(format!(
            "the drive is reserved by another host and refused {} (status 18h)",
            name(request)
        )),
        status::TASK_ABORTED => protocol(format!("{} was aborted (status 40h)", name(request))),
        s => protocol(format!(
            "unexpected SCSI status {s:02x}h for {}",
            name(request)
        )),
    }
}

/// The outcome of a `DeviceIoControl` that failed with `e`.
fn failed(request: &ScsiRequest, e: WinError) -> Judged {
    let n = request.data.len();
    let what = name(request);
    let protocol = |why: String| Judged::Outcome(Err(TransportError::Protocol(why)));
    if e.is_gone() {
        return Judged::Outcome(Err(TransportError::Disconnected));
    }
    match e.0 {
        code::SEM_TIMEOUT | code::TIMEOUT => {
            Judged::Outcome(Err(TransportError::Timeout(request.timeout)))
        }
        code::INVALID_FUNCTION | code::NOT_SUPPORTED => {
            Judged::Outcome(Err(TransportError::Dead(format!(
                "the device takes no SCSI pass-through request ({e}): it is not a CD/DVD drive \
                 Windows' class driver passes commands to"
            ))))
        }
        code::BUSY => Judged::Again {
            after: BUSY_PAUSE,
            why: TransportError::Protocol(format!("Windows stayed busy and did not send {what}")),
        },
        code::NOT_READY if !changes_the_disc(request.opcode()) => Judged::Again {
            after: BUSY_PAUSE,
            why: TransportError::Protocol(format!("the drive was not ready for {what} ({e})")),
        },
        code::NOT_READY => protocol(format!(
            "the drive was not ready for {what} ({e}): whether it carried it out is unknown"
        )),
        code::IO_DEVICE => protocol(format!(
            "{what} did not complete: the adapter reported a device error ({e}): whether the \
             drive carried it out is unknown"
        )),
        code::OPERATION_ABORTED => protocol(format!("{what} was aborted ({e})")),
        code::NOT_ENOUGH_MEMORY | code::NO_SYSTEM_RESOURCES => protocol(format!(
            "Windows cannot set up a transfer of {n} bytes for {what} ({e})"
        )),
        code::INVALID_PARAMETER if n > 0 => protocol(format!(
            "Windows refused {what} with {n} bytes of data ({e}): more than this drive's adapter \
             takes at once?"
        )),
        code::ACCESS_DENIED => protocol(format!(
            "Windows does not let rawburn send {what} to the drive ({e}): another program may \
             hold it for itself; else run rawburn as an administrator"
        )),
        code::SHARING_VIOLATION => protocol(format!(
            "Windows did not send {what}: another program is using the drive ({e})"
        )),
        _ => protocol(format!("Windows could not send {what}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::passthrough::RETRIES;
    use crate::spti::layout::{Abi, Sptd};
    use mmc::scsi::{LONG_TIMEOUT, Transport};
    use mmc::wire::sense::{Sense, SenseKey};
    use std::collections::VecDeque;

    /// One scripted answer: the error, or the status, bytes moved, data
    /// and sense the port driver writes.
    type Answer = Result<(u8, u32, Vec<u8>, Vec<u8>), WinError>;

    /// A device answering from a script; every request's bytes are
    /// logged, with the data phase's length.
    #[derive(Default)]
    struct Script {
        answers: VecDeque<Answer>,
        sent: Vec<(Vec<u8>, usize)>,
    }

    impl Script {
        fn then(mut self, a: Answer) -> Script {
            self.answers.push_back(a);
            self
        }
    }

    impl SptiDevice for Script {
        fn pass_through(
            &mut self,
            request: &mut RequestBuffer,
            data: Data<'_>,
        ) -> Result<(), WinError> {
            self.sent.push((request.bytes().to_vec(), data.len()));
            let (status, moved, d, s) = self.answers.pop_front().expect("a scripted answer")?;
            if let Data::In(buf) = data {
                buf[..d.len()].copy_from_slice(&d);
            }
            request.view_mut().set_completion(status, moved, &s);
            Ok(())
        }
    }

    /// Virtual time: sleeping moves it.
    #[derive(Default)]
    struct Virtual(Duration);

    impl Clock for Virtual {
        fn now(&self) -> Duration {
            self.0
        }
        fn sleep_until(&mut self, t: Duration) {
            self.0 = self.0.max(t);
        }
    }

    fn link(script: Script) -> SptiLink<Script, Virtual> {
        SptiLink::with_clock(script, Virtual::default())
    }

    const INQUIRY: [u8; 6] = [0x12, 0, 0, 0, 36, 0];
    const WRITE: [u8; 10] = [0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0];

    fn good(moved: u32, data: &[u8]) -> Answer {
        Ok((0, moved, data.to_vec(), Vec::new()))
    }

    fn status(s: u8) -> Answer {
        Ok((s, 0, Vec::new(), Vec::new()))
    }

    fn err(c: u32) -> Answer {
        Err(WinError(c))
    }

    /// Fixed-format sense 3/0C/00 with information 1500.
    fn medium_error() -> Vec<u8> {
        let mut s = vec![0u8; 18];
        s[0] = 0xf0;
        s[2] = 0x03;
        s[3..7].copy_from_slice(&1500u32.to_be_bytes());
        s[7] = 10;
        s[12] = 0x0c;
        s
    }

    fn field(bytes: &[u8]) -> Sptd<&[u8]> {
        Sptd::new_checked(bytes, Abi::NATIVE).unwrap()
    }

    #[test]
    fn the_bytes_sent() {
        let data: Vec<u8> = (0..36).collect();
        let mut l = link(Script::default().then(good(36, &data)));
        let r = l.execute(&ScsiRequest::read(&INQUIRY, 36)).unwrap();
        assert_eq!(r, ScsiResponse::good(data.clone()));
        let (bytes, n) = &l.device().sent[0];
        let v = field(bytes);
        assert_eq!(
            (
                v.length() as usize,
                v.direction(),
                v.cdb_length(),
                v.data_transfer_length(),
                v.time_out_value(),
                v.sense_info_length(),
                v.sense_info_offset() as usize,
                v.cdb(),
                *n,
            ),
            (
                Abi::NATIVE.sptd_len(),
                Direction::In,
                6,
                36,
                30,
                32,
                Abi::NATIVE.sense_offset(),
                &INQUIRY[..],
                36
            )
        );
        if Abi::NATIVE == Abi::X64 {
            assert_eq!(
                bytes[..20],
                [
                    56, 0, 0, 0, 0, 0, 6, 32, 1, 0, 0, 0, 36, 0, 0, 0, 30, 0, 0, 0
                ]
            );
            assert_eq!(bytes[32..42], [60, 0, 0, 0, 0x12, 0, 0, 0, 36, 0]);
        }
        // WRITE: data out, the long timeout in seconds.
        let mut l = link(Script::default().then(good(2352, &[])));
        let w = ScsiRequest::write(&WRITE, vec![0; 2352]).with_timeout(LONG_TIMEOUT);
        assert_eq!(l.execute(&w).unwrap(), ScsiResponse::good(Vec::new()));
        let v = field(&l.device().sent[0].0);
        assert_eq!(
            (
                v.direction(),
                v.data_transfer_length(),
                v.time_out_value(),
                v.cdb()
            ),
            (Direction::Out, 2352, 200, &WRITE[..])
        );
        // TEST UNIT READY: no data.
        let mut l = link(Script::default().then(good(0, &[])));
        l.execute(&ScsiRequest::none(&[0; 6])).unwrap();
        let v = field(&l.device().sent[0].0);
        assert_eq!(
            (v.direction(), v.data_transfer_length(), v.cdb_length()),
            (Direction::Unspecified, 0, 6)
        );
    }

    #[test]
    fn short_transfers_leave_a_residue() {
        let data: Vec<u8> = (0..36).collect();
        let mut l = link(Script::default().then(good(32, &data)));
        let r = l.execute(&ScsiRequest::read(&INQUIRY, 36)).unwrap();
        assert_eq!(
            r,
            ScsiResponse {
                status: ScsiStatus::Good,
                data: data[..32].to_vec(),
                residue: 4,
            }
        );
        // A driver claiming more than was asked moved what was asked.
        let mut l = link(Script::default().then(good(99, &data)));
        let r = l.execute(&ScsiRequest::read(&INQUIRY, 36)).unwrap();
        assert_eq!((r.data.len(), r.residue), (36, 0));
        let mut l = link(Script::default().then(good(5000, &[])));
        let r = l
            .execute(&ScsiRequest::write(&WRITE, vec![0; 2352]))
            .unwrap();
        assert_eq!(r.residue, 0);
        let mut l = link(Script::default().then(good(352, &[])));
        let r = l
            .execute(&ScsiRequest::write(&WRITE, vec![0; 2352]))
            .unwrap();
        assert_eq!(r.residue, 2000);
    }

    #[test]
    fn check_condition_carries_the_sense() {
        let mut l = link(Script::default().then(Ok((0x02, 0, Vec::new(), medium_error()))));
        let r = l
            .execute(&ScsiRequest::write(&WRITE, vec![0; 2352]))
            .unwrap();
        let sense = r.sense().unwrap();
        assert_eq!(sense.sense, Sense::new(SenseKey::MediumError, 0x0c, 0x00));
        assert_eq!(sense.information, Some(1500));
        assert_eq!(r.residue, 2352);
        assert_eq!(l.device().sent.len(), 1);
    }

    #[test]
    fn check_condition_without_sense_asks_for_it() {
        let script = Script::default()
            .then(status(0x02))
            .then(good(18, &medium_error()));
        let mut l = link(script);
        let r = l.execute(&ScsiRequest::none(&[0; 6])).unwrap();
        assert_eq!(
            r.sense().unwrap().sense,
            Sense::new(SenseKey::MediumError, 0x0c, 0x00)
        );
        let v = field(&l.device().sent[1].0);
        assert_eq!(v.cdb(), [0x03, 0, 0, 0, 32, 0]);
        // REQUEST SENSE failing too: CHECK CONDITION, sense unknown.
        let script = Script::default().then(status(0x02)).then(status(0x02));
        let r = link(script).execute(&ScsiRequest::none(&[0; 6])).unwrap();
        assert_eq!(r.status, ScsiStatus::CheckCondition(None));
        let script = Script::default()
            .then(status(0x02))
            .then(err(code::IO_DEVICE));
        let r = link(script).execute(&ScsiRequest::none(&[0; 6])).unwrap();
        assert_eq!(r.status, ScsiStatus::CheckCondition(None));
    }

    #[test]
    fn timeouts() {
        for c in [code::SEM_TIMEOUT, code::TIMEOUT] {
            let mut l = link(Script::default().then(err(c)));
            let sync =
                ScsiRequest::none(&[0x35, 2, 0, 0, 0, 0, 0, 0, 0, 0]).with_timeout(LONG_TIMEOUT);
            assert_eq!(
                l.execute(&sync).unwrap_err(),
                TransportError::Timeout(LONG_TIMEOUT)
            );
        }
    }

    #[test]
    fn a_drive_that_is_gone_stays_gone() {
        for c in [
            code::DEVICE_NOT_CONNECTED,
            code::NO_SUCH_DEVICE,
            code::DEV_NOT_EXIST,
            code::FILE_NOT_FOUND,
        ] {
            let mut l = link(Script::default().then(err(c)));
            let tur = ScsiRequest::none(&[0; 6]);
            assert_eq!(l.execute(&tur).unwrap_err(), TransportError::Disconnected);
            assert_eq!(l.execute(&tur).unwrap_err(), TransportError::Disconnected);
            assert_eq!(l.device().sent.len(), 1);
        }
    }

    #[test]
    fn busy_and_not_ready_are_retried_after_a_pause() {
        let script = Script::default()
            .then(status(0x08))
            .then(status(0x28))
            .then(err(code::BUSY))
            .then(good(2352, &[]));
        let mut l = link(script);
        let w = ScsiRequest::write(&WRITE, vec![0; 2352]);
        assert!(l.execute(&w).unwrap().is_good());
        assert_eq!(l.device().sent.len(), 4);
        assert_eq!(l.now(), BUSY_PAUSE * 3);
        // Busy for good: the last reason, after RETRIES more tries.
        let mut script = Script::default();
        for _ in 0..=RETRIES {
            script = script.then(status(0x08));
        }
        let mut l = link(script);
        assert_eq!(
            l.execute(&w).unwrap_err(),
            TransportError::Protocol(
                "the drive stayed busy and did not take WRITE(10) (status 08h)".into()
            )
        );
        assert_eq!(l.device().sent.len(), RETRIES as usize + 1);
        // Not ready: a read is sent again, a WRITE is not.
        let script = Script::default()
            .then(err(code::NOT_READY))
            .then(good(36, &[7; 36]));
        let mut l = link(script);
        let r = l.execute(&ScsiRequest::read(&INQUIRY, 36)).unwrap();
        assert_eq!((r.data, l.now()), (vec![7; 36], BUSY_PAUSE));
        let mut l = link(Script::default().then(err(code::NOT_READY)));
        assert_eq!(
            l.execute(&w).unwrap_err(),
            TransportError::Protocol(
                "the drive was not ready for WRITE(10) (ERROR_NOT_READY, 21): whether it carried \
                 it out is unknown"
                    .into()
            )
        );
    }

    #[test]
    fn what_windows_refuses() {
        let w = ScsiRequest::write(&WRITE, vec![0; 65536]);
        for c in [code::INVALID_FUNCTION, code::NOT_SUPPORTED] {
            let mut l = link(Script::default().then(err(c)));
            assert_eq!(
                l.execute(&w).unwrap_err(),
                TransportError::Dead(format!(
                    "the device takes no SCSI pass-through request ({}): it is not a CD/DVD \
                     drive Windows' class driver passes commands to",
                    WinError(c)
                ))
            );
        }
        let cases: [(Answer, &str); 9] = [
            (
                err(code::IO_DEVICE),
                "WRITE(10) did not complete: the adapter reported a device error \
                 (ERROR_IO_DEVICE, 1117): whether the drive carried it out is unknown",
            ),
            (
                err(code::OPERATION_ABORTED),
                "WRITE(10) was aborted (ERROR_OPERATION_ABORTED, 995)",
            ),
            (
                err(code::NOT_ENOUGH_MEMORY),
                "Windows cannot set up a transfer of 65536 bytes for WRITE(10) \
                 (ERROR_NOT_ENOUGH_MEMORY, 8)",
            ),
            (
                err(code::INVALID_PARAMETER),
                "Windows refused WRITE(10) with 65536 bytes of data (ERROR_INVALID_PARAMETER, \
                 87): more than this drive's adapter takes at once?",
            ),
            (
                err(code::ACCESS_DENIED),
                "Windows does not let rawburn send WRITE(10) to the drive (ERROR_ACCESS_DENIED, \
                 5): another program may hold it for itself; else run rawburn as an \
                 administrator",
            ),
            (
                err(code::SHARING_VIOLATION),
                "Windows did not send WRITE(10): another program is using the drive \
                 (ERROR_SHARING_VIOLATION, 32)",
            ),
            (
                err(31),
                "Windows could not send WRITE(10): Windows error 31",
            ),
            (
                status(0x18),
                "the drive is reserved by another host and refused WRITE(10) (status 18h)",
            ),
            (status(0x30), "unexpected SCSI status 30h for WRITE(10)"),
        ];
        for (a, want) in cases {
            let mut l = link(Script::default().then(a));
            assert_eq!(
                l.execute(&w).unwrap_err(),
                TransportError::Protocol(want.into())
            );
        }
        // A CDB no SPTD can carry never reaches the device.
        let mut l = link(Script::default());
        assert_eq!(
            l.execute(&ScsiRequest::none(&[0xa5; 17])).unwrap_err(),
            TransportError::Protocol("cannot send unknown: a CDB is 1 to 16 bytes, not 17".into())
        );
        assert!(l.device().sent.is_empty());
    }
}
