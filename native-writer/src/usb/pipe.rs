//! rusb under the Bulk-Only host: [`RawUsb`] is the handful of libusb
//! calls the host needs, [`RusbPipe`] the [`UsbPipe`] made of them.
//!
//! ```text
//!   BotTransport ──UsbPipe──▶ RusbPipe ──RawUsb──▶ ClaimedInterface (rusb::DeviceHandle)
//!                             errors mapped,         or a scripted device in tests
//!                             partial writes resumed
//! ```
//!
//! libusb reports a bulk transfer that timed out after moving some bytes
//! as a success with a short count (rusb turns `LIBUSB_ERROR_TIMEOUT` with
//! bytes transferred into `Ok(n)`). So a short write is resumed with the
//! rest until it completes or the timeout runs out; a write that moved
//! some bytes before failing reports those bytes, and the next transfer
//! meets the failure afresh. A short read is a short read: the device
//! ended the data stage (or the time ran out), and the CSW says how it
//! went.

use mmc::bot::{BotConfig, PipeError, UsbPipe};
use mmc::wire::bot::{CLEAR_FEATURE, ENDPOINT_HALT, SetupPacket};
use std::time::{Duration, Instant};

/// The libusb calls a Bulk-Only host makes on one claimed interface.
pub trait RawUsb {
    /// Writes `data` to the bulk OUT `endpoint`; the bytes sent (short when
    /// the transfer timed out after sending some).
    ///
    /// ## Errors
    ///
    /// What libusb reports: `Pipe` (stall), `Timeout` (nothing sent),
    /// `NoDevice`, `Io`, `Interrupted`, ...
    fn write_bulk(
        &mut self,
        endpoint: u8,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, rusb::Error>;

    /// Reads from the bulk IN `endpoint` into `buf`; the bytes read.
    ///
    /// ## Errors
    ///
    /// What libusb reports: `Pipe` (stall), `Timeout` (nothing came),
    /// `Overflow` (the device sent more than `buf` holds), `NoDevice`, ...
    fn read_bulk(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<usize, rusb::Error>;

    /// A control transfer with a data stage from the device into `buf`
    /// (wLength is `buf.len()`); the bytes read.
    ///
    /// ## Errors
    ///
    /// What libusb reports: `Pipe` when the device refuses the request,
    /// `Timeout`, `NoDevice`, ...
    fn read_control(
        &mut self,
        setup: &SetupPacket,
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<usize, rusb::Error>;

    /// A control transfer sending `data` (wLength is `data.len()`, often
    /// 0); the bytes sent.
    ///
    /// ## Errors
    ///
    /// As [`RawUsb::read_control`].
    fn write_control(
        &mut self,
        setup: &SetupPacket,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, rusb::Error>;

    /// CLEAR_FEATURE(ENDPOINT_HALT) on `endpoint`, through libusb so that
    /// the host controller's data toggle is reset with the device's.
    ///
    /// ## Errors
    ///
    /// What libusb reports.
    fn clear_halt(&mut self, endpoint: u8) -> Result<(), rusb::Error>;
}

/// A [`UsbPipe`] over [`RawUsb`]: the bulk endpoints of one Bulk-Only
/// interface and its control endpoint.
#[derive(Debug)]
pub struct RusbPipe<R> {
    raw: R,
    bulk_in: u8,
    bulk_out: u8,
}

impl<R: RawUsb> RusbPipe<R> {
    /// A pipe to the bulk endpoints `config` names, over `raw`.
    pub fn new(raw: R, config: &BotConfig) -> RusbPipe<R> {
        RusbPipe {
            raw,
            bulk_in: config.bulk_in,
            bulk_out: config.bulk_out,
        }
    }

    /// The device.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn raw(&self) -> &R {
        &self.raw
    }

    /// Gives the device back.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn into_raw(self) -> R {
        self.raw
    }
}

impl<R: RawUsb> UsbPipe for RusbPipe<R> {
    fn bulk_out(&mut self, data: &[u8], timeout: Duration) -> Result<usize, PipeError> {
        let deadline = Deadline::after(timeout);
        let mut sent = 0;
        let mut first = true;
        while sent < data.len() {
            let Some(left) = deadline.left(first) else {
                break;
            };
            first = false;
            let rest = &data[sent..];
            match self.raw.write_bulk(self.bulk_out, rest, left) {
                // Nothing moved without an error: the transfer is over.
                Ok(0) => break,
                // Short: it timed out part way (or was interrupted); go on
                // while time is left.
                Ok(n) => sent += n.min(rest.len()),
                Err(rusb::Error::Interrupted) => {}
                Err(rusb::Error::NoDevice) => return Err(PipeError::Disconnected),
                // The bytes that went are reported; the next transfer
                // meets the failure again.
                Err(_) if sent > 0 => break,
                Err(e) => return Err(pipe_error(e)),
            }
        }
        if sent == 0 && !data.is_empty() {
            return Err(PipeError::Timeout);
        }
        Ok(sent)
    }

    fn bulk_in(&mut self, len: usize, timeout: Duration) -> Result<Vec<u8>, PipeError> {
        let deadline = Deadline::after(timeout);
        let mut buf = vec![0; len];
        let mut first = true;
        loop {
            let Some(left) = deadline.left(first) else {
                return Err(PipeError::Timeout);
            };
            first = false;
            match self.raw.read_bulk(self.bulk_in, &mut buf, left) {
                Ok(n) => {
                    buf.truncate(n.min(len));
                    return Ok(buf);
                }
                Err(rusb::Error::Interrupted) => {}
                Err(e) => return Err(pipe_error(e)),
            }
        }
    }

    fn control(
        &mut self,
        setup: &SetupPacket,
        data: &[u8],
        timeout: Duration,
    ) -> Result<Vec<u8>, PipeError> {
        if is_clear_halt(setup) {
            self.raw.clear_halt(setup.index as u8).map_err(pipe_error)?;
            return Ok(Vec::new());
        }
        let timeout = libusb_timeout(timeout);
        if setup.request_type & 0x80 != 0 {
            let mut buf = vec![0; usize::from(setup.length)];
            let n = self
                .raw
                .read_control(setup, &mut buf, timeout)
                .map_err(pipe_error)?;
            buf.truncate(n);
            Ok(buf)
        } else {
            self.raw
                .write_control(setup, data, timeout)
                .map_err(pipe_error)?;
            Ok(Vec::new())
        }
    }
}

/// What a libusb error means to the Bulk-Only host.
pub fn pipe_error(e: rusb::Error) -> PipeError {
    match e {
        rusb::Error::Pipe => PipeError::Stall,
        rusb::Error::Timeout => PipeError::Timeout,
        rusb::Error::Overflow => PipeError::Overflow,
        rusb::Error::NoDevice => PipeError::Disconnected,
        other => PipeError::Other(describe(other).into()),
    }
}

/// A libusb error in words (lowercase, for messages).
pub fn describe(e: rusb::Error) -> &'static str {
    match e {
        rusb::Error::Io => "input/output error",
        rusb::Error::InvalidParam => "invalid parameter",
        rusb::Error::Access => "access denied",
        rusb::Error::NoDevice => "no such device (disconnected)",
        rusb::Error::NotFound => "not found",
        rusb::Error::Busy => "resource busy",
        rusb::Error::Timeout => "timed out",
        rusb::Error::Overflow => "the device sent more data than asked",
        rusb::Error::Pipe => "endpoint stalled",
        rusb::Error::Interrupted => "interrupted",
        rusb::Error::NoMem => "out of memory",
        rusb::Error::NotSupported => "not supported on this system",
        rusb::Error::BadDescriptor => "malformed descriptor",
        rusb::Error::Other => "unknown libusb error",
    }
}

/// A timeout libusb takes as meant: it counts whole milliseconds, and 0
/// means "wait forever", so the shortest wait is 1 ms and the longest
/// `u32::MAX` ms (about 49 days) rather than a wrapped-around value.
pub fn libusb_timeout(t: Duration) -> Duration {
    t.clamp(
        Duration::from_millis(1),
        Duration::from_millis(u64::from(u32::MAX)),
    )
}

/// Whether a control request is CLEAR_FEATURE(ENDPOINT_HALT).
fn is_clear_halt(setup: &SetupPacket) -> bool {
    setup.request_type == 0x02 && setup.request == CLEAR_FEATURE && setup.value == ENDPOINT_HALT
}

/// When a transfer's time runs out (never, when that is past what the
/// clock can hold).
struct Deadline(Option<Instant>);

impl Deadline {
    fn after(timeout: Duration) -> Deadline {
        Deadline(Instant::now().checked_add(timeout))
    }

    /// The time left, as libusb takes it; `None` once it has run out,
    /// except for the `first` attempt, which is always made.
    fn left(&self, first: bool) -> Option<Duration> {
        let left = match self.0 {
            None => Duration::MAX,
            Some(end) => end.saturating_duration_since(Instant::now()),
        };
        (first || !left.is_zero()).then(|| libusb_timeout(left))
    }
}

#[cfg(test)]
pub mod script;
#[cfg(test)]
mod tests;
