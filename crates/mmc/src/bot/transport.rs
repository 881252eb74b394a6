//! A blocking Bulk-Only transport: [`BotHost`] driven over a [`UsbPipe`].

use super::{BotConfig, BotHost, SubmitError, UsbRequest, UsbResult};
use crate::scsi::{ScsiOutcome, ScsiRequest, Transport, TransportError};
use crate::wire::bot::SetupPacket;
use std::time::Duration;

/// The transfers a Bulk-Only host makes, blocking: the bulk endpoints and
/// the control endpoint of one claimed interface (rusb natively, the
/// virtual drive in tests).
pub trait UsbPipe {
    /// Sends `data` to the bulk OUT endpoint; returns the bytes the device
    /// took (fewer only when the transfer ended early).
    ///
    /// ## Errors
    ///
    /// [`PipeError::Stall`] when the endpoint is halted,
    /// [`PipeError::Timeout`] when the device took nothing within
    /// `timeout`, [`PipeError::Disconnected`], [`PipeError::Other`].
    fn bulk_out(&mut self, data: &[u8], timeout: Duration) -> Result<usize, PipeError>;

    /// Reads up to `len` bytes from the bulk IN endpoint (fewer when the
    /// device ends the transfer with a short packet).
    ///
    /// ## Errors
    ///
    /// [`PipeError::Stall`] when the endpoint is halted,
    /// [`PipeError::Timeout`] when nothing came within `timeout`,
    /// [`PipeError::Overflow`] when the device sent more than `len` bytes,
    /// [`PipeError::Disconnected`], [`PipeError::Other`].
    fn bulk_in(&mut self, len: usize, timeout: Duration) -> Result<Vec<u8>, PipeError>;

    /// A control transfer on endpoint 0. For an OUT request (bit 7 of
    /// bmRequestType clear) `data` is its data stage and the answer is
    /// empty; for an IN request `data` is empty and the answer is up to
    /// wLength bytes.
    ///
    /// ## Errors
    ///
    /// [`PipeError::Stall`] when the device refuses the request,
    /// [`PipeError::Timeout`], [`PipeError::Overflow`],
    /// [`PipeError::Disconnected`], [`PipeError::Other`].
    fn control(
        &mut self,
        setup: &SetupPacket,
        data: &[u8],
        timeout: Duration,
    ) -> Result<Vec<u8>, PipeError>;
}

/// Why a transfer on a [`UsbPipe`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PipeError {
    /// The endpoint stalled: clear the halt (for a data stage, then read
    /// the CSW).
    #[error("endpoint stalled")]
    Stall,
    /// The transfer did not complete in time and was cancelled.
    #[error("transfer timed out")]
    Timeout,
    /// The device sent more than asked (babble); the data is lost.
    #[error("the device sent more data than asked")]
    Overflow,
    /// The device left the bus.
    #[error("the drive was disconnected")]
    Disconnected,
    /// Anything else the USB stack reported.
    #[error("usb: {0}")]
    Other(String),
}

impl From<PipeError> for UsbResult {
    fn from(e: PipeError) -> UsbResult {
        match e {
            PipeError::Stall => UsbResult::Stall,
            PipeError::Timeout => UsbResult::Timeout,
            PipeError::Overflow => UsbResult::Overflow,
            PipeError::Disconnected => UsbResult::Disconnected,
            PipeError::Other(s) => UsbResult::Failed(s),
        }
    }
}

/// A Bulk-Only [`Transport`]: each command runs to its outcome over the
/// pipe, with auto-sense and recovery as [`BotHost`] does them.
#[derive(Debug)]
pub struct BotTransport<P> {
    pipe: P,
    host: BotHost,
}

impl<P: UsbPipe> BotTransport<P> {
    /// A transport over `pipe` to the interface `config` describes.
    pub fn new(pipe: P, config: BotConfig) -> BotTransport<P> {
        BotTransport {
            pipe,
            host: BotHost::new(config),
        }
    }

    /// The pipe.
    pub fn pipe(&self) -> &P {
        &self.pipe
    }

    /// The pipe, mutably (the virtual drive's tests reach the device
    /// through it).
    pub fn pipe_mut(&mut self) -> &mut P {
        &mut self.pipe
    }

    /// The host state machine (its tag, whether the device is gone).
    pub fn host(&self) -> &BotHost {
        &self.host
    }

    /// Gives the pipe back.
    pub fn into_pipe(self) -> P {
        self.pipe
    }

    /// Asks the device for its highest LUN (Get Max LUN); a device that
    /// does not answer it has one LUN (0).
    ///
    /// ## Errors
    ///
    /// [`TransportError::Disconnected`] when the device left the bus,
    /// [`TransportError::Dead`] when it was already dead.
    pub fn max_lun(&mut self) -> Result<u8, TransportError> {
        self.host.probe_max_lun().map_err(invalid)?;
        loop {
            if let Some(answer) = self.host.poll_max_lun() {
                return answer;
            }
            if !self.step() {
                return Err(stuck());
            }
        }
    }

    /// Makes the host's next transfer; false when it has none.
    fn step(&mut self) -> bool {
        match self.host.poll_usb() {
            Some(request) => {
                let result = perform(&mut self.pipe, request);
                self.host.handle_usb(result);
                true
            }
            None => false,
        }
    }
}

impl<P: UsbPipe> Transport for BotTransport<P> {
    /// Runs `request` over the pipe.
    ///
    /// ## Errors
    ///
    /// [`TransportError::Timeout`] and [`TransportError::Protocol`] when the
    /// command's transfers failed and reset recovery ran (a request no CBW
    /// can carry is a `Protocol` error too, with nothing sent);
    /// [`TransportError::Disconnected`]; [`TransportError::Dead`] when
    /// reset recovery failed (and for every command after).
    fn execute(&mut self, request: &ScsiRequest) -> ScsiOutcome {
        self.host.submit(request.clone()).map_err(invalid)?;
        loop {
            if let Some(outcome) = self.host.poll_outcome() {
                return outcome;
            }
            if !self.step() {
                return Err(stuck());
            }
        }
    }
}

/// Makes one transfer.
fn perform<P: UsbPipe>(pipe: &mut P, request: UsbRequest) -> UsbResult {
    let result = match request {
        UsbRequest::BulkOut { data, timeout } => pipe.bulk_out(&data, timeout).map(UsbResult::Out),
        UsbRequest::BulkIn { len, timeout } => pipe.bulk_in(len, timeout).map(UsbResult::In),
        UsbRequest::Control { setup, timeout, .. } => {
            pipe.control(&setup, &[], timeout).map(UsbResult::In)
        }
    };
    result.unwrap_or_else(UsbResult::from)
}

fn invalid(e: SubmitError) -> TransportError {
    TransportError::Protocol(format!("request not sent: {e}"))
}

/// The host asked for nothing and gave no answer (never happens: every
/// result leads to a transfer or an outcome).
fn stuck() -> TransportError {
    TransportError::Protocol("the bulk-only host stopped without an outcome".into())
}

/// A pipe that keeps time (the virtual drive's) gives its transport that
/// time, so the pair is a [`crate::scsi::Link`].
impl<P: UsbPipe + crate::scsi::Clock> crate::scsi::Clock for BotTransport<P> {
    fn now(&self) -> std::time::Duration {
        self.pipe().now()
    }

    fn sleep_until(&mut self, t: std::time::Duration) {
        self.pipe_mut().sleep_until(t);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::scsi::{ScsiResponse, ScsiStatus};
    use crate::wire::bot::{CbwRepr, CswRepr, CswStatus};
    use crate::wire::sense::{Sense, SenseRepr};
    use std::collections::VecDeque;

    const TUR: [u8; 6] = [0x00, 0, 0, 0, 0, 0];
    const INQUIRY: [u8; 6] = [0x12, 0, 0, 0, 36, 0];

    /// A pipe answering from a script, recording the transfers it was
    /// asked for ("out 31", "in 13", "control 01 81").
    #[derive(Default)]
    struct ScriptedPipe {
        answers: VecDeque<Result<Vec<u8>, PipeError>>,
        calls: Vec<String>,
        /// CBWs sent, for their tags.
        cbws: Vec<CbwRepr>,
    }

    impl ScriptedPipe {
        fn new(answers: Vec<Result<Vec<u8>, PipeError>>) -> ScriptedPipe {
            ScriptedPipe {
                answers: answers.into(),
                ..ScriptedPipe::default()
            }
        }

        fn next(&mut self) -> Result<Vec<u8>, PipeError> {
            self.answers
                .pop_front()
                .unwrap_or_else(|| panic!("no answer after {:?}", self.calls))
        }
    }

    impl UsbPipe for ScriptedPipe {
        fn bulk_out(&mut self, data: &[u8], _: Duration) -> Result<usize, PipeError> {
            self.calls.push(format!("out {}", data.len()));
            if let Ok(cbw) = CbwRepr::parse(data) {
                self.cbws.push(cbw);
            }
            // A success carries the count as its length.
            self.next().map(|v| v.len())
        }
        fn bulk_in(&mut self, len: usize, _: Duration) -> Result<Vec<u8>, PipeError> {
            self.calls.push(format!("in {len}"));
            self.next()
        }
        fn control(
            &mut self,
            setup: &SetupPacket,
            data: &[u8],
            timeout: Duration,
        ) -> Result<Vec<u8>, PipeError> {
            assert!(data.is_empty());
            assert_eq!(timeout, crate::bot::CONTROL_TIMEOUT);
            self.calls
                .push(format!("control {:02x} {:02x}", setup.request, setup.index));
            self.next()
        }
    }

    fn sent(n: usize) -> Result<Vec<u8>, PipeError> {
        Ok(vec![0; n])
    }

    fn csw(tag: u32, residue: u32, status: CswStatus) -> Result<Vec<u8>, PipeError> {
        Ok(CswRepr {
            tag,
            residue,
            status,
        }
        .to_bytes()
        .to_vec())
    }

    fn sense(s: Sense) -> Result<Vec<u8>, PipeError> {
        let repr = SenseRepr::new(s);
        let mut b = vec![0; repr.buffer_len()];
        repr.emit(&mut b);
        Ok(b)
    }

    fn transport(answers: Vec<Result<Vec<u8>, PipeError>>) -> BotTransport<ScriptedPipe> {
        BotTransport::new(ScriptedPipe::new(answers), BotConfig::default())
    }

    fn calls(t: &BotTransport<ScriptedPipe>) -> Vec<&str> {
        t.pipe().calls.iter().map(String::as_str).collect()
    }

    const CLEAR_IN: &str = "control 01 81";
    const CLEAR_OUT: &str = "control 01 02";
    const RESET: &str = "control ff 00";

    #[test]
    fn stall_on_data_then_auto_sense() {
        let failure = Sense::new(crate::wire::sense::SenseKey::HardwareError, 0x08, 0);
        let mut t = transport(vec![
            sent(31),
            Err(PipeError::Stall),
            Ok(Vec::new()),
            csw(1, 36, CswStatus::Failed),
            sent(31),
            sense(failure),
            csw(2, 0, CswStatus::Passed),
        ]);
        let r = t.execute(&ScsiRequest::read(&INQUIRY, 36)).unwrap();
        assert_eq!(
            calls(&t),
            [
                "out 31", "in 36", CLEAR_IN, "in 13", "out 31", "in 18", "in 13"
            ]
        );
        assert_eq!(r.sense().map(|s| s.sense), Some(failure));
        assert_eq!((r.data.len(), r.residue), (0, 36));
        assert_eq!(t.pipe().cbws[1].cdb(), [0x03, 0, 0, 0, 18, 0]);
    }

    #[test]
    fn stall_on_data_out() {
        let mut t = transport(vec![
            sent(31),
            Err(PipeError::Stall),
            Ok(Vec::new()),
            csw(1, 0, CswStatus::Passed),
        ]);
        let cdb = [0x55, 0x10, 0, 0, 0, 0, 0, 0, 4, 0];
        let r = t
            .execute(&ScsiRequest::write(&cdb, vec![1, 2, 3, 4]))
            .unwrap();
        assert_eq!(calls(&t), ["out 31", "out 4", CLEAR_OUT, "in 13"]);
        // Nothing left the host: all of it is residue.
        assert_eq!((r.status, r.residue), (ScsiStatus::Good, 4));
    }

    #[test]
    fn stall_on_csw_then_success() {
        let mut t = transport(vec![
            sent(31),
            Err(PipeError::Stall),
            Ok(Vec::new()),
            csw(1, 0, CswStatus::Passed),
        ]);
        let r = t.execute(&ScsiRequest::none(&TUR)).unwrap();
        assert_eq!(calls(&t), ["out 31", "in 13", CLEAR_IN, "in 13"]);
        assert_eq!(r, ScsiResponse::good(Vec::new()));
    }

    #[test]
    fn short_read() {
        let mut t = transport(vec![
            sent(31),
            Ok(vec![7; 20]),
            csw(1, 16, CswStatus::Passed),
        ]);
        let r = t.execute(&ScsiRequest::read(&INQUIRY, 36)).unwrap();
        assert_eq!((r.data, r.residue), (vec![7; 20], 16));
    }

    #[test]
    fn timeout_then_the_next_command() {
        let t30 = Duration::from_secs(30);
        let mut t = transport(vec![
            sent(31),
            Err(PipeError::Timeout),
            Ok(Vec::new()),
            Ok(Vec::new()),
            Ok(Vec::new()),
            sent(31),
            csw(2, 0, CswStatus::Passed),
        ]);
        assert_eq!(
            t.execute(&ScsiRequest::none(&TUR).with_timeout(t30)),
            Err(TransportError::Timeout(t30))
        );
        assert_eq!(calls(&t), ["out 31", "in 13", RESET, CLEAR_IN, CLEAR_OUT]);
        assert!(t.execute(&ScsiRequest::none(&TUR)).unwrap().is_good());
    }

    #[test]
    fn disconnect() {
        let mut t = transport(vec![Err(PipeError::Disconnected)]);
        assert_eq!(
            t.execute(&ScsiRequest::none(&TUR)),
            Err(TransportError::Disconnected)
        );
        // Nothing more goes to the pipe (its script is empty).
        assert_eq!(
            t.execute(&ScsiRequest::none(&TUR)),
            Err(TransportError::Disconnected)
        );
        assert_eq!(t.max_lun(), Err(TransportError::Disconnected));
        assert_eq!(calls(&t), ["out 31"]);
    }

    #[test]
    fn other_errors_recover_as_protocol_errors() {
        let mut t = transport(vec![
            sent(31),
            Err(PipeError::Other("io error".into())),
            Ok(Vec::new()),
            Ok(Vec::new()),
            Ok(Vec::new()),
        ]);
        let e = t.execute(&ScsiRequest::none(&TUR)).unwrap_err();
        assert_eq!(
            e,
            TransportError::Protocol("TEST UNIT READY: reading the csw: io error".into())
        );
        // Reset recovery failing: dead.
        let mut t = transport(vec![
            sent(31),
            csw(1, 0, CswStatus::PhaseError),
            Err(PipeError::Timeout),
        ]);
        assert!(matches!(
            t.execute(&ScsiRequest::none(&TUR)),
            Err(TransportError::Dead(_))
        ));
    }

    #[test]
    fn max_lun_and_bad_requests() {
        let mut t = transport(vec![Ok(vec![1]), Err(PipeError::Stall)]);
        assert_eq!(t.max_lun(), Ok(1));
        assert_eq!(t.max_lun(), Ok(0));
        assert_eq!(calls(&t), ["control fe 00", "control fe 00"]);
        assert!(matches!(
            t.execute(&ScsiRequest::none(&[])),
            Err(TransportError::Protocol(_))
        ));
        assert_eq!(t.pipe().calls.len(), 2);
    }
}
