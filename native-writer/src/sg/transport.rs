//! [`SgLink`]: `mmc::scsi::Link` over an [`SgDevice`], what the kernel
//! answers turned into the outcomes the engine understands.
//!
//! | The kernel says | Outcome |
//! | --- | --- |
//! | status 00h/04h | GOOD, data cut to `dxfer_len - resid`, residue `resid` |
//! | status 02h with sense | CHECK CONDITION with the sense (REQUEST SENSE sent when the kernel wrote none) |
//! | status 08h/28h (busy), `DID_BUS_BUSY`, `DID_IMM_RETRY`, `DID_REQUEUE` | not run: sent again after a pause, up to [`RETRIES`](crate::passthrough::RETRIES) times, then a protocol error |
//! | `DID_TIME_OUT`, `DRIVER_TIMEOUT` | [`TransportError::Timeout`] with the request's timeout |
//! | `DID_NO_CONNECT`, `DID_BAD_TARGET`, `ENODEV`, `ENXIO`, `ENOENT` | [`TransportError::Disconnected`], and every later command too |
//! | `ENOTTY` | [`TransportError::Dead`]: the node is no SCSI device |
//! | other `DID_*`, other statuses | [`TransportError::Protocol`]: the command's effect is unknown, the engine decides |
//! | `EINTR` | sent again when the command does not change the disc; else a protocol error (the sg driver may have started it) |
//! | `ENOMEM`, `EINVAL`, `EIO`, `EPERM`, `EACCES` | [`TransportError::Protocol`] saying what the kernel refused |
//!
//! Each command waits as long as its [`ScsiRequest::timeout`] says (the
//! engine asks [`mmc::scsi::LONG_TIMEOUT`] for WRITE, SYNCHRONIZE CACHE,
//! CLOSE TRACK/SESSION, OPC and BLANK); the kernel aborts it after that.

use super::ioctl::{Data, SENSE_LEN, SgDevice, SgReply};
use mmc::scsi::{
    Clock, DEFAULT_TIMEOUT, DataPhase, ScsiOutcome, ScsiRequest, ScsiResponse, ScsiStatus,
    TransportError,
};
use mmc::wire::sense::SenseRepr;
use std::io;
use std::time::Duration;

pub use crate::passthrough::{BUSY_PAUSE, SystemClock};
use crate::passthrough::{Judged, Tries, changes_the_disc, name, status};

/// Host adapter codes (`DID_*`, Linux's `scsi.h`).
pub mod host {
    /// No error.
    pub const DID_OK: u16 = 0x00;
    /// The device could not be reached.
    pub const DID_NO_CONNECT: u16 = 0x01;
    /// The bus stayed busy.
    pub const DID_BUS_BUSY: u16 = 0x02;
    /// The command timed out and was aborted.
    pub const DID_TIME_OUT: u16 = 0x03;
    /// No such target.
    pub const DID_BAD_TARGET: u16 = 0x04;
    /// The command was aborted.
    pub const DID_ABORT: u16 = 0x05;
    /// Parity error on the bus.
    pub const DID_PARITY: u16 = 0x06;
    /// Internal error of the host adapter.
    pub const DID_ERROR: u16 = 0x07;
    /// The bus or device was reset.
    pub const DID_RESET: u16 = 0x08;
    /// An unexpected interrupt.
    pub const DID_BAD_INTR: u16 = 0x09;
    /// The low-level driver asks for a retry.
    pub const DID_SOFT_ERROR: u16 = 0x0b;
    /// Retry without counting it.
    pub const DID_IMM_RETRY: u16 = 0x0c;
    /// Requeued.
    pub const DID_REQUEUE: u16 = 0x0d;
    /// The transport was disrupted.
    pub const DID_TRANSPORT_DISRUPTED: u16 = 0x0e;
    /// The transport failed fast.
    pub const DID_TRANSPORT_FAILFAST: u16 = 0x0f;
}

/// Driver codes (`DRIVER_*`, the low nibble of `driver_status`). rawburn
/// reads the status byte for sense; `DRIVER_SENSE` is what the kernel
/// sets beside it (the tests' kernel does too).
#[allow(dead_code)]
pub mod driver {
    /// The command timed out.
    pub const DRIVER_TIMEOUT: u16 = 0x06;
    /// Sense data are in the sense buffer.
    pub const DRIVER_SENSE: u16 = 0x08;
}

/// A drive reached through `SG_IO`: a transport with its clock, so an
/// [`mmc::scsi::Link`] for the blocking engine driver. Dropping it closes
/// the node; nothing was taken from any driver.
#[derive(Debug)]
pub struct SgLink<D: SgDevice, C: Clock = SystemClock> {
    device: D,
    clock: C,
    /// Set once the drive is known to be gone: every later command ends so.
    lost: Option<TransportError>,
}

impl<D: SgDevice> SgLink<D> {
    /// A link to `device` on the system clock.
    pub fn new(device: D) -> SgLink<D> {
        SgLink::with_clock(device, SystemClock::new())
    }
}

impl<D: SgDevice, C: Clock> SgLink<D, C> {
    /// A link to `device` keeping time with `clock`.
    pub fn with_clock(device: D, clock: C) -> SgLink<D, C> {
        SgLink {
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

impl<D: SgDevice, C: Clock> Tries for SgLink<D, C> {
    /// One try of `request`.
    fn attempt(&mut self, request: &ScsiRequest) -> Judged {
        let mut sense = [0u8; SENSE_LEN];
        let mut buf = match request.data {
            DataPhase::In(n) => vec![0u8; n as usize],
            _ => Vec::new(),
        };
        let data = match &request.data {
            DataPhase::None => Data::None,
            DataPhase::In(_) => Data::In(&mut buf),
            DataPhase::Out(d) => Data::Out(d),
        };
        let reply = self
            .device
            .sg_io(&request.cdb, data, &mut sense, request.timeout);
        judge(request, reply, buf, &sense)
    }

    /// REQUEST SENSE, for a CHECK CONDITION the kernel brought no sense
    /// for.
    fn request_sense(&mut self) -> Option<SenseRepr> {
        let mut sense = [0u8; SENSE_LEN];
        let mut buf = [0u8; SENSE_LEN];
        let cdb = [0x03, 0, 0, 0, SENSE_LEN as u8, 0];
        let reply = self
            .device
            .sg_io(&cdb, Data::In(&mut buf), &mut sense, DEFAULT_TIMEOUT)
            .ok()?;
        if reply.host_status != host::DID_OK || reply.status != status::GOOD {
            return None;
        }
        let moved = moved(buf.len(), reply.resid);
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

impl<D: SgDevice, C: Clock> mmc::scsi::Transport for SgLink<D, C> {
    fn execute(&mut self, request: &ScsiRequest) -> ScsiOutcome {
        crate::passthrough::execute(self, request)
    }
}

impl<D: SgDevice, C: Clock> Clock for SgLink<D, C> {
    fn now(&self) -> Duration {
        self.clock.now()
    }

    fn sleep_until(&mut self, t: Duration) {
        self.clock.sleep_until(t);
    }
}

/// Bytes moved of `asked`, from the kernel's residue.
fn moved(asked: usize, resid: i32) -> usize {
    asked - usize::try_from(resid).unwrap_or(0).min(asked)
}

/// Judges what the kernel answered for `request`; `buf` is the data-in
/// buffer, `sense` the sense buffer.
fn judge(
    request: &ScsiRequest,
    reply: io::Result<SgReply>,
    mut buf: Vec<u8>,
    sense: &[u8; SENSE_LEN],
) -> Judged {
    let protocol = |why: String| Judged::Outcome(Err(TransportError::Protocol(why)));
    let reply = match reply {
        Ok(r) => r,
        Err(e) => return errno(request, &e),
    };
    let again = |why: String| Judged::Again {
        after: BUSY_PAUSE,
        why: TransportError::Protocol(why),
    };
    match reply.host_status {
        host::DID_OK => {}
        host::DID_TIME_OUT => {
            return Judged::Outcome(Err(TransportError::Timeout(request.timeout)));
        }
        host::DID_NO_CONNECT | host::DID_BAD_TARGET => {
            return Judged::Outcome(Err(TransportError::Disconnected));
        }
        host::DID_BUS_BUSY | host::DID_IMM_RETRY | host::DID_REQUEUE => {
            return again(format!(
                "the kernel could not start {} (host status {:02x}h: busy)",
                name(request),
                reply.host_status
            ));
        }
        code => {
            let what = match code {
                host::DID_ABORT => "the command was aborted",
                host::DID_PARITY => "a parity error on the bus",
                host::DID_ERROR => "the host adapter failed",
                host::DID_RESET => "the bus or the drive was reset",
                host::DID_BAD_INTR => "an unexpected interrupt",
                host::DID_SOFT_ERROR => "the host adapter asks for a retry",
                host::DID_TRANSPORT_DISRUPTED | host::DID_TRANSPORT_FAILFAST => {
                    "the link to the drive was disrupted"
                }
                _ => "the host adapter reported an error",
            };
            return protocol(format!(
                "{} did not complete: {what} (host status {code:02x}h)",
                name(request)
            ));
        }
    }
    if reply.driver_status & 0x0f == driver::DRIVER_TIMEOUT {
        return Judged::Outcome(Err(TransportError::Timeout(request.timeout)));
    }
    let residue = u32::try_from(reply.resid)
        .unwrap_or(0)
        .min(request.data.len());
    buf.truncate(moved(buf.len(), reply.resid));
    let sensed = usize::from(reply.sb_len_wr).min(SENSE_LEN);
    match reply.status & 0x7e {
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
            if sensed == 0 {
                return Judged::NeedSense(r);
            }
            Judged::Outcome(Ok(ScsiResponse {
                status: ScsiStatus::CheckCondition(SenseRepr::parse(&sense[..sensed]).ok()),
                ..r
            }))
        }
        status::BUSY | status::TASK_SET_FULL => again(format!(
            "the drive stayed busy and did not take {} (status {:02x}h)",
            name(request),
            reply.status
        )),
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

/// The outcome of an ioctl that failed with `e`.
fn errno(request: &ScsiRequest, e: &io::Error) -> Judged {
    let n = request.data.len();
    let what = name(request);
    let protocol = |why: String| Judged::Outcome(Err(TransportError::Protocol(why)));
    match e.raw_os_error() {
        Some(libc::ENODEV | libc::ENXIO | libc::ENOENT) => {
            Judged::Outcome(Err(TransportError::Disconnected))
        }
        Some(libc::ENOTTY) => Judged::Outcome(Err(TransportError::Dead(
            "the node does not take SG_IO: it is not a SCSI device (ENOTTY)".into(),
        ))),
        Some(libc::EINTR) if !changes_the_disc(request.opcode()) => Judged::Again {
            after: Duration::ZERO,
            why: TransportError::Protocol(format!("{what} was interrupted by a signal")),
        },
        Some(libc::EINTR) => protocol(format!(
            "{what} was interrupted by a signal: whether the drive carried it out is unknown"
        )),
        Some(libc::ENOMEM) => protocol(format!(
            "the kernel cannot set up a transfer of {n} bytes for {what} (out of memory)"
        )),
        Some(libc::EINVAL | libc::EIO) if n > 0 => protocol(format!(
            "the kernel refused {what} with {n} bytes of data ({e}): more than this drive's \
             adapter takes at once?"
        )),
        Some(libc::EPERM | libc::EACCES) => protocol(format!(
            "the kernel does not let rawburn send {what} to the drive ({e}): run rawburn as \
             root, or with the drive opened for writing"
        )),
        Some(libc::EBUSY | libc::EAGAIN) => Judged::Again {
            after: BUSY_PAUSE,
            why: TransportError::Protocol(format!(
                "the kernel stayed busy and did not send {what}"
            )),
        },
        _ => protocol(format!("the kernel could not send {what}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::passthrough::RETRIES;
    use mmc::scsi::{LONG_TIMEOUT, Transport};
    use mmc::wire::sense::{Sense, SenseKey};
    use std::collections::VecDeque;

    /// A device answering from a script: each entry is what the kernel
    /// returns and the data/sense it writes; every call is logged.
    #[derive(Default)]
    struct Script {
        replies: VecDeque<(io::Result<SgReply>, Vec<u8>, Vec<u8>)>,
        calls: Vec<(Vec<u8>, usize, Duration)>,
    }

    impl Script {
        fn then(mut self, reply: io::Result<SgReply>, data: &[u8], sense: &[u8]) -> Script {
            self.replies
                .push_back((reply, data.to_vec(), sense.to_vec()));
            self
        }
    }

    impl SgDevice for Script {
        fn sg_io(
            &mut self,
            cdb: &[u8],
            data: Data<'_>,
            sense: &mut [u8; SENSE_LEN],
            timeout: Duration,
        ) -> io::Result<SgReply> {
            self.calls.push((cdb.to_vec(), data.len(), timeout));
            let (reply, d, s) = self.replies.pop_front().expect("a scripted reply");
            if let Data::In(buf) = data {
                buf[..d.len()].copy_from_slice(&d);
            }
            sense[..s.len()].copy_from_slice(&s);
            reply
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

    fn link(script: Script) -> SgLink<Script, Virtual> {
        SgLink::with_clock(script, Virtual::default())
    }

    const INQUIRY: [u8; 6] = [0x12, 0, 0, 0, 36, 0];
    const WRITE: [u8; 10] = [0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0];

    fn ok() -> io::Result<SgReply> {
        Ok(SgReply::default())
    }

    fn reply(status: u8, host: u16, driver: u16, resid: i32, sb: u8) -> io::Result<SgReply> {
        Ok(SgReply {
            status,
            host_status: host,
            driver_status: driver,
            resid,
            sb_len_wr: sb,
            ..SgReply::default()
        })
    }

    fn errno(e: i32) -> io::Result<SgReply> {
        Err(io::Error::from_raw_os_error(e))
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

    #[test]
    fn good_data_in_is_cut_by_the_residue() {
        let data: Vec<u8> = (0..36).collect();
        let mut l = link(Script::default().then(reply(0, 0, 0, 4, 0), &data, &[]));
        let r = l.execute(&ScsiRequest::read(&INQUIRY, 36)).unwrap();
        assert_eq!(
            r,
            ScsiResponse {
                status: ScsiStatus::Good,
                data: data[..32].to_vec(),
                residue: 4,
            }
        );
        // The request's own timeout reaches the kernel.
        let mut l = link(Script::default().then(ok(), &[], &[]));
        let w = ScsiRequest::write(&WRITE, vec![0; 2352]).with_timeout(LONG_TIMEOUT);
        assert_eq!(l.execute(&w).unwrap(), ScsiResponse::good(Vec::new()));
        assert_eq!(l.device().calls, [(WRITE.to_vec(), 2352, LONG_TIMEOUT)]);
        // A nonsense residue moves nothing and claims no more than asked.
        let mut l = link(Script::default().then(reply(0, 0, 0, 99, 0), &data, &[]));
        let r = l.execute(&ScsiRequest::read(&INQUIRY, 36)).unwrap();
        assert_eq!((r.data.len(), r.residue), (0, 36));
        let mut l = link(Script::default().then(reply(0, 0, 0, -3, 0), &data, &[]));
        let r = l.execute(&ScsiRequest::read(&INQUIRY, 36)).unwrap();
        assert_eq!((r.data.len(), r.residue), (36, 0));
    }

    #[test]
    fn check_condition_carries_the_kernels_sense() {
        let mut l = link(Script::default().then(
            reply(0x02, 0, driver::DRIVER_SENSE, 0, 18),
            &[],
            &medium_error(),
        ));
        let r = l
            .execute(&ScsiRequest::write(&WRITE, vec![0; 2352]))
            .unwrap();
        let sense = r.sense().unwrap();
        assert_eq!(sense.sense, Sense::new(SenseKey::MediumError, 0x0c, 0x00));
        assert_eq!(sense.information, Some(1500));
        assert_eq!(l.device().calls.len(), 1);
    }

    #[test]
    fn check_condition_without_sense_asks_for_it() {
        let script = Script::default()
            .then(reply(0x02, 0, 0, 0, 0), &[], &[])
            .then(ok(), &medium_error(), &[]);
        let mut l = link(script);
        let r = l.execute(&ScsiRequest::none(&[0; 6])).unwrap();
        assert_eq!(
            r.sense().unwrap().sense,
            Sense::new(SenseKey::MediumError, 0x0c, 0x00)
        );
        assert_eq!(l.device().calls[1].0, [0x03, 0, 0, 0, 64, 0]);
        // REQUEST SENSE failing too: CHECK CONDITION, sense unknown.
        let script = Script::default()
            .then(reply(0x02, 0, 0, 0, 0), &[], &[])
            .then(reply(0x02, 0, 0, 0, 0), &[], &[]);
        let r = link(script).execute(&ScsiRequest::none(&[0; 6])).unwrap();
        assert_eq!(r.status, ScsiStatus::CheckCondition(None));
    }

    #[test]
    fn timeouts() {
        for r in [
            reply(0, host::DID_TIME_OUT, 0, 0, 0),
            reply(0, 0, driver::DRIVER_TIMEOUT, 0, 0),
        ] {
            let mut l = link(Script::default().then(r, &[], &[]));
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
        for r in [
            errno(libc::ENODEV),
            errno(libc::ENXIO),
            reply(0, host::DID_NO_CONNECT, 0, 0, 0),
            reply(0, host::DID_BAD_TARGET, 0, 0, 0),
        ] {
            let mut l = link(Script::default().then(r, &[], &[]));
            let tur = ScsiRequest::none(&[0; 6]);
            assert_eq!(l.execute(&tur).unwrap_err(), TransportError::Disconnected);
            // Not sent again: the script has no more replies.
            assert_eq!(l.execute(&tur).unwrap_err(), TransportError::Disconnected);
            assert_eq!(l.device().calls.len(), 1);
        }
    }

    #[test]
    fn busy_is_retried_after_a_pause() {
        let script = Script::default()
            .then(reply(0x08, 0, 0, 0, 0), &[], &[])
            .then(reply(0, host::DID_BUS_BUSY, 0, 0, 0), &[], &[])
            .then(errno(libc::EBUSY), &[], &[])
            .then(ok(), &[], &[]);
        let mut l = link(script);
        let w = ScsiRequest::write(&WRITE, vec![0; 2352]);
        assert!(l.execute(&w).unwrap().is_good());
        assert_eq!(l.device().calls.len(), 4);
        assert_eq!(l.now(), BUSY_PAUSE * 3);
        // Busy for good: the last reason, after RETRIES more tries.
        let mut script = Script::default();
        for _ in 0..=RETRIES {
            script = script.then(reply(0x08, 0, 0, 0, 0), &[], &[]);
        }
        let mut l = link(script);
        assert_eq!(
            l.execute(&w).unwrap_err(),
            TransportError::Protocol(
                "the drive stayed busy and did not take WRITE(10) (status 08h)".into()
            )
        );
        assert_eq!(l.device().calls.len(), RETRIES as usize + 1);
    }

    #[test]
    fn interrupted_commands() {
        // A read is simply sent again.
        let script = Script::default()
            .then(errno(libc::EINTR), &[], &[])
            .then(ok(), &[7; 36], &[]);
        let mut l = link(script);
        let r = l.execute(&ScsiRequest::read(&INQUIRY, 36)).unwrap();
        assert_eq!(r.data, [7; 36]);
        assert_eq!(l.now(), Duration::ZERO);
        // A WRITE may have run: the engine decides.
        let mut l = link(Script::default().then(errno(libc::EINTR), &[], &[]));
        assert_eq!(
            l.execute(&ScsiRequest::write(&WRITE, vec![0; 2352]))
                .unwrap_err(),
            TransportError::Protocol(
                "WRITE(10) was interrupted by a signal: whether the drive carried it out is \
                 unknown"
                    .into()
            )
        );
    }

    #[test]
    fn what_the_kernel_refuses() {
        let w = ScsiRequest::write(&WRITE, vec![0; 65536]);
        let cases = [
            (
                errno(libc::ENOMEM),
                "the kernel cannot set up a transfer of 65536 bytes for WRITE(10) (out of memory)",
            ),
            (
                errno(libc::EPERM),
                "the kernel does not let rawburn send WRITE(10) to the drive (Operation not \
                 permitted (os error 1)): run rawburn as root, or with the drive opened for \
                 writing",
            ),
            (
                errno(libc::EIO),
                "the kernel refused WRITE(10) with 65536 bytes of data (Input/output error (os \
                 error 5)): more than this drive's adapter takes at once?",
            ),
            (
                reply(0, host::DID_RESET, 0, 0, 0),
                "WRITE(10) did not complete: the bus or the drive was reset (host status 08h)",
            ),
            (
                reply(0, host::DID_ERROR, 0, 0, 0),
                "WRITE(10) did not complete: the host adapter failed (host status 07h)",
            ),
            (
                reply(0, host::DID_ABORT, 0, 0, 0),
                "WRITE(10) did not complete: the command was aborted (host status 05h)",
            ),
            (
                reply(0x18, 0, 0, 0, 0),
                "the drive is reserved by another host and refused WRITE(10) (status 18h)",
            ),
            (
                reply(0x30, 0, 0, 0, 0),
                "unexpected SCSI status 30h for WRITE(10)",
            ),
        ];
        let mut l = link(Script::default().then(errno(libc::ENOTTY), &[], &[]));
        assert_eq!(
            l.execute(&w).unwrap_err(),
            TransportError::Dead(
                "the node does not take SG_IO: it is not a SCSI device (ENOTTY)".into()
            )
        );
        for (r, want) in cases {
            let mut l = link(Script::default().then(r, &[], &[]));
            assert_eq!(
                l.execute(&w).unwrap_err(),
                TransportError::Protocol(want.into())
            );
        }
    }
}
