//! USB Bulk-Only Transport, host side (`cd-standards.md` §7): SCSI
//! commands in, bulk and control transfers out, with the recovery BOT 1.0
//! and Linux's usb-storage prescribe.
//!
//! [`BotHost`] does no I/O and keeps no clock. It hands out one
//! [`UsbRequest`] at a time (each with its own timeout, which the caller
//! enforces) and takes back what happened as a [`UsbResult`]:
//!
//! ```text
//!   caller                                   BotHost
//!   submit(ScsiRequest) ─────────────────▶  CBW ─ data ─ CSW ─ auto-sense
//!   loop {                                   stall: clear the halt, read the CSW
//!     poll_usb() ◀───── UsbRequest ───────   bad CSW, phase error, timeout:
//!     (move the bytes: rusb, WebUSB, vdrive)   reset recovery
//!     handle_usb(UsbResult) ─────────────▶
//!   }
//!   poll_outcome() ◀──── ScsiOutcome ─────
//! ```
//!
//! A command's CBW carries the direction and transfer length of its data
//! phase exactly (cases 1, 6 and 12 of §7.6); tags count up from 1. The
//! CSW is checked for validity and meaningfulness ([`CswRepr::parse_for`]).
//! A CSW saying the command failed (01h) makes the host send REQUEST SENSE
//! (fixed format, 18 bytes) through the same machinery, so a CHECK
//! CONDITION arrives with its sense data. Reset recovery (Bulk-Only reset,
//! then CLEAR_FEATURE(HALT) on bulk IN and bulk OUT) follows a phase error,
//! an invalid or meaningless CSW, a refused CBW, babble, or a transfer that
//! timed out; the command's outcome is then a [`TransportError`] naming
//! what happened, since its effect is unknown. A device that does not come
//! back from reset recovery is [`TransportError::Dead`]; one that left the
//! bus is [`TransportError::Disconnected`]. Both stick: later commands end
//! with the same error at once, without touching the bus.
//!
//! [`BotTransport`] drives a [`BotHost`] over a blocking [`UsbPipe`] (rusb
//! natively, the virtual drive in tests) as a [`Transport`](crate::scsi::Transport).

use crate::scsi::{
    DEFAULT_TIMEOUT, DataPhase, ScsiOutcome, ScsiRequest, ScsiResponse, ScsiStatus, TransportError,
};
use crate::wire::WireError;
use crate::wire::bot::{CBW_LEN, CSW_LEN, CbwRepr, CswRepr, CswStatus, Direction, SetupPacket};
use crate::wire::command::Command;
use crate::wire::sense::{FIXED_LEN, SenseRepr};
use std::fmt;
use std::time::Duration;

mod transport;

pub use transport::{BotTransport, PipeError, UsbPipe};

/// Time a control request (Get Max LUN, Bulk-Only reset, CLEAR_FEATURE)
/// may take (`cd-standards.md` §7.7: Linux allows 1 to 5 s).
pub const CONTROL_TIMEOUT: Duration = Duration::from_secs(5);

/// REQUEST SENSE asking for 18 bytes of fixed-format sense data
/// (`cd-standards.md` §6.3), as sent after a CSW with status 01h.
pub const REQUEST_SENSE_CDB: [u8; 6] = [0x03, 0, 0, 0, FIXED_LEN as u8, 0];

/// The highest LUN Get Max LUN may report (`cd-standards.md` §7.2: bits
/// 3–0 of bCBWLUN); anything above reads as one LUN, as Linux does.
pub const MAX_LUN: u8 = 15;

/// Where a Bulk-Only interface lives and how to talk to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BotConfig {
    /// The logical unit commands go to (bCBWLUN, 0–15).
    pub lun: u8,
    /// The interface number (wIndex of the class requests).
    pub interface: u8,
    /// The bulk IN endpoint's address (bit 7 set).
    pub bulk_in: u8,
    /// The bulk OUT endpoint's address.
    pub bulk_out: u8,
    /// wMaxPacketSize of the bulk endpoints (512 at high speed, 64 at full
    /// speed). The host itself does not need it; pipes size their
    /// transfers with it.
    pub max_packet: usize,
    /// Timeout of control requests.
    pub control_timeout: Duration,
}

impl Default for BotConfig {
    /// LUN 0 of interface 0, bulk IN 81h, bulk OUT 02h, high speed.
    fn default() -> BotConfig {
        BotConfig {
            lun: 0,
            interface: 0,
            bulk_in: 0x81,
            bulk_out: 0x02,
            max_packet: 512,
            control_timeout: CONTROL_TIMEOUT,
        }
    }
}

/// A transfer the host wants made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsbRequest {
    /// Send `data` to the bulk OUT endpoint.
    BulkOut {
        /// The bytes.
        data: Vec<u8>,
        /// How long to wait for the device to take them.
        timeout: Duration,
    },
    /// Read up to `len` bytes from the bulk IN endpoint.
    BulkIn {
        /// The most bytes to take (a short packet ends the transfer
        /// earlier).
        len: usize,
        /// How long to wait for the device to send them.
        timeout: Duration,
    },
    /// A control transfer on endpoint 0 (the host's are Get Max LUN,
    /// Bulk-Only reset and CLEAR_FEATURE(HALT); none sends data).
    Control {
        /// The SETUP packet.
        setup: SetupPacket,
        /// Bytes to read in the data stage (0: no data stage).
        data_in: u16,
        /// How long to wait for the request to complete.
        timeout: Duration,
    },
}

impl UsbRequest {
    /// The transfer's timeout.
    pub fn timeout(&self) -> Duration {
        match self {
            UsbRequest::BulkOut { timeout, .. }
            | UsbRequest::BulkIn { timeout, .. }
            | UsbRequest::Control { timeout, .. } => *timeout,
        }
    }
}

/// What became of a [`UsbRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UsbResult {
    /// A bulk OUT (or data-less control) transfer completed having sent
    /// this many bytes.
    Out(usize),
    /// A bulk IN (or control IN) transfer completed with these bytes (short
    /// when the device ended it with a short packet).
    In(Vec<u8>),
    /// The endpoint stalled.
    Stall,
    /// The transfer did not complete within its timeout (and was
    /// cancelled).
    Timeout,
    /// The device sent more than the transfer asked for (babble); the data
    /// is lost.
    Overflow,
    /// The device left the bus.
    Disconnected,
    /// Any other failure of the transfer (the host runs reset recovery).
    Failed(String),
}

/// Why [`BotHost::submit`] or [`BotHost::probe_max_lun`] refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubmitError {
    /// A command or probe is under way, or its result was not polled yet.
    #[error("a command is already under way: poll its outcome first")]
    Busy,
    /// The CDB does not fit a CBW.
    #[error("a cdb of {0} bytes does not fit a cbw (1 to 16 bytes)")]
    CdbLength(usize),
    /// The data phase does not fit dCBWDataTransferLength.
    #[error("a data phase of {0} bytes does not fit a cbw (at most 4 GiB)")]
    DataLength(usize),
}

/// The host side of a Bulk-Only interface, one command at a time.
#[derive(Debug)]
pub struct BotHost {
    config: BotConfig,
    /// Tag of the last CBW.
    tag: u32,
    job: Job,
    /// The next transfer, until [`BotHost::poll_usb`] hands it out.
    pending: Option<UsbRequest>,
    /// A transfer was handed out and its result is due.
    in_flight: bool,
    outcome: Option<ScsiOutcome>,
    max_lun: Option<Result<u8, TransportError>>,
    /// Disconnected or dead: every later command ends with this at once.
    gone: Option<TransportError>,
}

impl BotHost {
    /// A host for the interface `config` describes, idle.
    pub fn new(config: BotConfig) -> BotHost {
        BotHost {
            config,
            tag: 0,
            job: Job::Idle,
            pending: None,
            in_flight: false,
            outcome: None,
            max_lun: None,
            gone: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &BotConfig {
        &self.config
    }

    /// The tag of the last CBW built (0 before the first).
    pub fn tag(&self) -> u32 {
        self.tag
    }

    /// Whether a command or probe is under way, or its result waits to be
    /// polled.
    pub fn is_busy(&self) -> bool {
        !matches!(self.job, Job::Idle) || self.outcome.is_some() || self.max_lun.is_some()
    }

    /// The error every command now ends with, once the device is
    /// disconnected or dead.
    pub fn gone(&self) -> Option<&TransportError> {
        self.gone.as_ref()
    }

    /// Starts Get Max LUN (`cd-standards.md` §7.4). A stall, no data, a
    /// timeout or a value above [`MAX_LUN`] mean one LUN (0), as on Linux;
    /// the answer comes from [`BotHost::poll_max_lun`].
    ///
    /// ## Errors
    ///
    /// [`SubmitError::Busy`] while a command or probe is under way or its
    /// result was not polled.
    pub fn probe_max_lun(&mut self) -> Result<(), SubmitError> {
        if self.is_busy() {
            return Err(SubmitError::Busy);
        }
        if let Some(e) = &self.gone {
            self.max_lun = Some(Err(e.clone()));
            return Ok(());
        }
        self.job = Job::MaxLun;
        self.pending = Some(UsbRequest::Control {
            setup: SetupPacket::get_max_lun(self.config.interface),
            data_in: 1,
            timeout: self.config.control_timeout,
        });
        Ok(())
    }

    /// Starts a command; its outcome comes from [`BotHost::poll_outcome`].
    /// Its data and status stages each wait up to `request.timeout`.
    ///
    /// ## Errors
    ///
    /// [`SubmitError::Busy`] while a command or probe is under way or its
    /// result was not polled; [`SubmitError::CdbLength`] and
    /// [`SubmitError::DataLength`] for a request no CBW can carry.
    pub fn submit(&mut self, request: ScsiRequest) -> Result<(), SubmitError> {
        if self.is_busy() {
            return Err(SubmitError::Busy);
        }
        let ScsiRequest { cdb, data, timeout } = request;
        if cdb.is_empty() || cdb.len() > crate::wire::bot::MAX_CDB {
            return Err(SubmitError::CdbLength(cdb.len()));
        }
        let (direction, len, out) = match data {
            DataPhase::None => (Direction::None, 0, Vec::new()),
            DataPhase::In(n) => (Direction::In, n, Vec::new()),
            DataPhase::Out(d) => match u32::try_from(d.len()) {
                Ok(n) => (Direction::Out, n, d),
                Err(_) => return Err(SubmitError::DataLength(d.len())),
            },
        };
        if let Some(e) = &self.gone {
            self.outcome = Some(Err(e.clone()));
            return Ok(());
        }
        let shape = Shape {
            cdb: &cdb,
            direction,
            len,
            timeout,
        };
        let cmd = Cmd::new(&mut self.tag, self.config.lun, &shape, out)
            .map_err(|_| SubmitError::CdbLength(cdb.len()))?;
        let cbw = cmd.cbw_transfer();
        self.job = Job::Command(Box::new(Run {
            cmd,
            held: None,
            step: Step::Cbw,
        }));
        self.pending = Some(cbw);
        Ok(())
    }

    /// The next transfer to make, once; then nothing until its result
    /// comes back through [`BotHost::handle_usb`].
    pub fn poll_usb(&mut self) -> Option<UsbRequest> {
        let request = self.pending.take();
        if request.is_some() {
            self.in_flight = true;
        }
        request
    }

    /// What became of the transfer [`BotHost::poll_usb`] handed out. A
    /// result with no transfer outstanding is ignored.
    pub fn handle_usb(&mut self, result: UsbResult) {
        if !self.in_flight {
            return;
        }
        self.in_flight = false;
        let job = std::mem::replace(&mut self.job, Job::Idle);
        if result == UsbResult::Disconnected {
            self.lose(&job, TransportError::Disconnected);
            return;
        }
        match job {
            Job::Idle => {}
            Job::MaxLun => self.max_lun = Some(Ok(max_lun_of(&result))),
            Job::Command(mut run) => match run.on_result(result, &self.config, &mut self.tag) {
                Action::Transfer(request) => {
                    self.pending = Some(request);
                    self.job = Job::Command(run);
                }
                Action::Done(outcome) => self.outcome = Some(outcome),
                Action::Dead(why) => self.lose(&Job::Command(run), TransportError::Dead(why)),
            },
        }
    }

    /// The outcome of the submitted command, once it has one.
    pub fn poll_outcome(&mut self) -> Option<ScsiOutcome> {
        self.outcome.take()
    }

    /// The highest LUN, once Get Max LUN has run.
    pub fn poll_max_lun(&mut self) -> Option<Result<u8, TransportError>> {
        self.max_lun.take()
    }

    /// The device is gone (`error`): `job` ends with it, and so does every
    /// later command.
    fn lose(&mut self, job: &Job, error: TransportError) {
        self.pending = None;
        self.job = Job::Idle;
        self.gone = Some(error.clone());
        match job {
            Job::MaxLun => self.max_lun = Some(Err(error)),
            Job::Command(_) => self.outcome = Some(Err(error)),
            Job::Idle => {}
        }
    }
}

/// What the host is doing.
#[derive(Debug)]
enum Job {
    Idle,
    MaxLun,
    Command(Box<Run>),
}

/// A command under way, and the REQUEST SENSE that may follow it.
#[derive(Debug)]
struct Run {
    /// The command on the wire: the caller's, or its REQUEST SENSE.
    cmd: Cmd,
    /// The caller's failed command, while its REQUEST SENSE runs.
    held: Option<Held>,
    step: Step,
}

/// Data and residue of a command that failed, kept for its outcome.
#[derive(Debug)]
struct Held {
    data: Vec<u8>,
    residue: u32,
}

/// The CBW-relevant shape of a command.
struct Shape<'a> {
    cdb: &'a [u8],
    direction: Direction,
    len: u32,
    timeout: Duration,
}

/// One CBW's worth of command.
#[derive(Debug)]
struct Cmd {
    cbw: CbwRepr,
    /// For messages ("INQUIRY", "command d8h").
    name: String,
    /// Data out, and how much of it the device took.
    out: Vec<u8>,
    sent: usize,
    /// Timeout of the bulk transfers.
    timeout: Duration,
    /// Data in.
    data: Vec<u8>,
    /// The device babbled in the data stage.
    babble: bool,
    /// A 0-byte read where the CSW belongs was already retried.
    zlp_retried: bool,
    /// A stall where the CSW belongs was already cleared.
    csw_stall_cleared: bool,
}

/// Where a command is: the transfer whose result is due.
#[derive(Debug)]
enum Step {
    Cbw,
    DataOut,
    DataIn,
    /// CLEAR_FEATURE(HALT) on this endpoint after a stalled data stage.
    ClearData(u8),
    Csw,
    /// CLEAR_FEATURE(HALT) on bulk IN after a stall where the CSW belongs.
    ClearCsw,
    /// Reset recovery, and what the command's outcome will say.
    Recovery(Recovery, Failure),
}

/// The three requests of reset recovery (`cd-standards.md` §7.5).
#[derive(Debug, Clone, Copy)]
enum Recovery {
    Reset,
    ClearIn,
    ClearOut,
}

/// Why reset recovery runs.
#[derive(Debug, Clone)]
enum Failure {
    Timeout(Duration),
    Protocol(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Timeout(t) => write!(f, "no answer within {t:?}"),
            Failure::Protocol(s) => f.write_str(s),
        }
    }
}

impl From<Failure> for TransportError {
    fn from(f: Failure) -> TransportError {
        match f {
            Failure::Timeout(t) => TransportError::Timeout(t),
            Failure::Protocol(s) => TransportError::Protocol(s),
        }
    }
}

/// What a command does next.
enum Action {
    Transfer(UsbRequest),
    Done(ScsiOutcome),
    Dead(String),
}

impl Cmd {
    /// A command with the next tag.
    fn new(tag: &mut u32, lun: u8, shape: &Shape<'_>, out: Vec<u8>) -> Result<Cmd, WireError> {
        let next = tag.wrapping_add(1);
        let mut cbw = CbwRepr::new(next, shape.cdb, shape.direction, shape.len)?;
        *tag = next;
        cbw.lun = lun & 0x0f;
        Ok(Cmd {
            cbw,
            name: command_name(shape.cdb),
            out,
            sent: 0,
            timeout: shape.timeout,
            data: Vec::new(),
            babble: false,
            zlp_retried: false,
            csw_stall_cleared: false,
        })
    }

    fn cbw_transfer(&self) -> UsbRequest {
        UsbRequest::BulkOut {
            data: self.cbw.to_bytes().to_vec(),
            timeout: self.timeout,
        }
    }

    /// The rest of the data out.
    fn out_transfer(&self) -> UsbRequest {
        UsbRequest::BulkOut {
            data: self.out.get(self.sent..).unwrap_or_default().to_vec(),
            timeout: self.timeout,
        }
    }

    fn protocol(&self, what: impl fmt::Display) -> Failure {
        Failure::Protocol(format!("{}: {what}", self.name))
    }

    /// A transfer `doing` something ended in `result` (not a success).
    fn failure(&self, result: &UsbResult, doing: &str, timeout: Duration) -> Failure {
        match result {
            UsbResult::Timeout => Failure::Timeout(timeout),
            other => self.protocol(format_args!("{doing}: {}", describe(other))),
        }
    }
}

impl Run {
    fn on_result(&mut self, result: UsbResult, cfg: &BotConfig, tag: &mut u32) -> Action {
        match std::mem::replace(&mut self.step, Step::Cbw) {
            Step::Cbw => self.after_cbw(result, cfg),
            Step::DataOut => self.after_data_out(result, cfg),
            Step::DataIn => self.after_data_in(result, cfg, tag),
            Step::ClearData(endpoint) => {
                if control_ok(&result) {
                    self.read_csw()
                } else {
                    let doing = format!("clearing the halt on endpoint {endpoint:02x}h");
                    let why = self.cmd.failure(&result, &doing, cfg.control_timeout);
                    self.recover(cfg, why)
                }
            }
            Step::Csw => self.after_csw(result, cfg, tag),
            Step::ClearCsw => {
                if control_ok(&result) {
                    self.read_csw()
                } else {
                    let why = self.cmd.failure(
                        &result,
                        "clearing the halt on bulk in before the csw",
                        cfg.control_timeout,
                    );
                    self.recover(cfg, why)
                }
            }
            Step::Recovery(stage, why) => self.after_recovery(stage, why, &result, cfg),
        }
    }

    fn go(&mut self, step: Step, request: UsbRequest) -> Action {
        self.step = step;
        Action::Transfer(request)
    }

    fn after_cbw(&mut self, result: UsbResult, cfg: &BotConfig) -> Action {
        match result {
            UsbResult::Out(CBW_LEN) => match self.cmd.cbw.direction {
                Direction::Out => {
                    let request = self.cmd.out_transfer();
                    self.go(Step::DataOut, request)
                }
                Direction::In => {
                    let request = UsbRequest::BulkIn {
                        len: self.cmd.cbw.data_len as usize,
                        timeout: self.cmd.timeout,
                    };
                    self.go(Step::DataIn, request)
                }
                Direction::None => self.read_csw(),
            },
            UsbResult::Out(n) => {
                let why = self
                    .cmd
                    .protocol(format_args!("the device took {n} of the cbw's 31 bytes"));
                self.recover(cfg, why)
            }
            UsbResult::Stall => {
                let why = self
                    .cmd
                    .protocol("the device refused the cbw (bulk out stalled)");
                self.recover(cfg, why)
            }
            other => {
                let why = self
                    .cmd
                    .failure(&other, "sending the cbw", self.cmd.timeout);
                self.recover(cfg, why)
            }
        }
    }

    fn after_data_out(&mut self, result: UsbResult, cfg: &BotConfig) -> Action {
        match result {
            UsbResult::Out(0) => {
                let why = self.cmd.protocol("the device took none of the data");
                self.recover(cfg, why)
            }
            UsbResult::Out(n) => {
                // A partial transfer: send the rest (each round moves at
                // least one byte).
                let left = self.cmd.out.len().saturating_sub(self.cmd.sent);
                self.cmd.sent += n.min(left);
                if self.cmd.sent < self.cmd.out.len() {
                    let request = self.cmd.out_transfer();
                    self.go(Step::DataOut, request)
                } else {
                    self.read_csw()
                }
            }
            // The command is not dead: its status is in the CSW (§7.5).
            UsbResult::Stall => self.clear_data(cfg.bulk_out, cfg),
            other => {
                let why = self.cmd.failure(&other, "sending data", self.cmd.timeout);
                self.recover(cfg, why)
            }
        }
    }

    fn after_data_in(&mut self, result: UsbResult, cfg: &BotConfig, tag: &mut u32) -> Action {
        let asked = self.cmd.cbw.data_len as usize;
        match result {
            UsbResult::In(bytes) if bytes.len() > asked => {
                self.cmd.babble = true;
                self.read_csw()
            }
            UsbResult::In(bytes) => {
                // A device that skips the data stage sends its CSW as a
                // short reply; Linux takes it for the CSW, and so do we.
                if bytes.len() < asked
                    && bytes.len() == CSW_LEN
                    && CswRepr::parse_for(&bytes, &self.cmd.cbw).is_ok()
                {
                    return self.csw_received(bytes, cfg, tag);
                }
                // Shorter than asked is normal: a short packet ended it.
                self.cmd.data = bytes;
                self.read_csw()
            }
            // Babble: the data is lost; the status still comes.
            UsbResult::Overflow => {
                self.cmd.babble = true;
                self.read_csw()
            }
            UsbResult::Stall => self.clear_data(cfg.bulk_in, cfg),
            other => {
                let why = self.cmd.failure(&other, "reading data", self.cmd.timeout);
                self.recover(cfg, why)
            }
        }
    }

    fn clear_data(&mut self, endpoint: u8, cfg: &BotConfig) -> Action {
        self.go(Step::ClearData(endpoint), clear_halt(endpoint, cfg))
    }

    fn read_csw(&mut self) -> Action {
        let request = UsbRequest::BulkIn {
            len: CSW_LEN,
            timeout: self.cmd.timeout,
        };
        self.go(Step::Csw, request)
    }

    fn after_csw(&mut self, result: UsbResult, cfg: &BotConfig, tag: &mut u32) -> Action {
        match result {
            UsbResult::In(bytes) => self.csw_received(bytes, cfg, tag),
            // Clear the halt and read once more (§7.5).
            UsbResult::Stall if !self.cmd.csw_stall_cleared => {
                self.cmd.csw_stall_cleared = true;
                self.go(Step::ClearCsw, clear_halt(cfg.bulk_in, cfg))
            }
            UsbResult::Stall => {
                let why = self
                    .cmd
                    .protocol("bulk in stalled again where the csw belongs");
                self.recover(cfg, why)
            }
            UsbResult::Overflow => {
                let why = self.cmd.protocol("the csw is longer than 13 bytes");
                self.recover(cfg, why)
            }
            other => {
                let why = self
                    .cmd
                    .failure(&other, "reading the csw", self.cmd.timeout);
                self.recover(cfg, why)
            }
        }
    }

    fn csw_received(&mut self, bytes: Vec<u8>, cfg: &BotConfig, tag: &mut u32) -> Action {
        // A zero-length packet ending the data stage, read where the CSW
        // should be: read again, once (Linux).
        if bytes.is_empty() && !self.cmd.zlp_retried {
            self.cmd.zlp_retried = true;
            return self.read_csw();
        }
        let csw = match CswRepr::parse_for(&bytes, &self.cmd.cbw) {
            Ok(csw) => csw,
            Err(problem) => {
                let why = self.cmd.protocol(problem);
                return self.recover(cfg, why);
            }
        };
        if self.cmd.babble {
            let why = self.cmd.protocol("the device sent more data than asked");
            return self.recover(cfg, why);
        }
        match csw.status {
            CswStatus::Passed => self.finish(true, csw.residue, cfg, tag),
            CswStatus::Failed => self.finish(false, csw.residue, cfg, tag),
            CswStatus::PhaseError => {
                let why = self.cmd.protocol("phase error");
                self.recover(cfg, why)
            }
            CswStatus::Unknown(s) => {
                let why = self.cmd.protocol(format_args!("csw status {s:02x}h"));
                self.recover(cfg, why)
            }
        }
    }

    /// A valid CSW said passed or failed.
    fn finish(&mut self, passed: bool, csw_residue: u32, cfg: &BotConfig, tag: &mut u32) -> Action {
        let len = self.cmd.cbw.data_len;
        let residue = match self.cmd.cbw.direction {
            // Trust the bytes that came over the residue the device claims.
            Direction::In => len.saturating_sub(self.cmd.data.len() as u32),
            // At least what never left the host.
            Direction::Out => {
                let unsent = self.cmd.out.len().saturating_sub(self.cmd.sent) as u32;
                csw_residue.min(len).max(unsent)
            }
            Direction::None => 0,
        };
        let data = std::mem::take(&mut self.cmd.data);
        match self.held.take() {
            // That was the REQUEST SENSE of a failed command.
            Some(held) => {
                let sense = if passed {
                    SenseRepr::parse(&data).ok()
                } else {
                    None
                };
                Action::Done(Ok(ScsiResponse {
                    status: ScsiStatus::CheckCondition(sense),
                    data: held.data,
                    residue: held.residue,
                }))
            }
            None if passed => Action::Done(Ok(ScsiResponse {
                status: ScsiStatus::Good,
                data,
                residue,
            })),
            None => {
                let failed = Held { data, residue };
                let shape = Shape {
                    cdb: &REQUEST_SENSE_CDB,
                    direction: Direction::In,
                    len: FIXED_LEN as u32,
                    timeout: self.cmd.timeout.min(DEFAULT_TIMEOUT),
                };
                match Cmd::new(tag, cfg.lun, &shape, Vec::new()) {
                    Ok(cmd) => {
                        self.cmd = cmd;
                        self.held = Some(failed);
                        let request = self.cmd.cbw_transfer();
                        self.go(Step::Cbw, request)
                    }
                    Err(_) => Action::Done(Ok(check_condition_without_sense(failed))),
                }
            }
        }
    }

    /// Starts reset recovery; the command then ends with `why` (or, for a
    /// REQUEST SENSE, its command with no sense data).
    fn recover(&mut self, cfg: &BotConfig, why: Failure) -> Action {
        let request = control(SetupPacket::bulk_only_reset(cfg.interface), cfg);
        self.go(Step::Recovery(Recovery::Reset, why), request)
    }

    fn after_recovery(
        &mut self,
        stage: Recovery,
        why: Failure,
        result: &UsbResult,
        cfg: &BotConfig,
    ) -> Action {
        if !control_ok(result) {
            let request = match stage {
                Recovery::Reset => "the bulk-only reset",
                Recovery::ClearIn => "clearing the bulk in halt",
                Recovery::ClearOut => "clearing the bulk out halt",
            };
            return Action::Dead(format!(
                "{why}; then {request} failed ({}): unplug the drive and plug it in again",
                describe(result)
            ));
        }
        match stage {
            Recovery::Reset => {
                let request = clear_halt(cfg.bulk_in, cfg);
                self.go(Step::Recovery(Recovery::ClearIn, why), request)
            }
            Recovery::ClearIn => {
                let request = clear_halt(cfg.bulk_out, cfg);
                self.go(Step::Recovery(Recovery::ClearOut, why), request)
            }
            Recovery::ClearOut => match self.held.take() {
                // The failed command's status is known; its sense is not.
                Some(held) => Action::Done(Ok(check_condition_without_sense(held))),
                None => Action::Done(Err(why.into())),
            },
        }
    }
}

fn check_condition_without_sense(held: Held) -> ScsiResponse {
    ScsiResponse {
        status: ScsiStatus::CheckCondition(None),
        data: held.data,
        residue: held.residue,
    }
}

/// A data-less control request.
fn control(setup: SetupPacket, cfg: &BotConfig) -> UsbRequest {
    UsbRequest::Control {
        setup,
        data_in: 0,
        timeout: cfg.control_timeout,
    }
}

fn clear_halt(endpoint: u8, cfg: &BotConfig) -> UsbRequest {
    control(SetupPacket::clear_halt(endpoint), cfg)
}

/// Whether a data-less control request went through.
fn control_ok(result: &UsbResult) -> bool {
    matches!(result, UsbResult::Out(_) | UsbResult::In(_))
}

/// Get Max LUN's answer: anything but a byte of 0–15 is one LUN.
fn max_lun_of(result: &UsbResult) -> u8 {
    match result {
        UsbResult::In(bytes) => match bytes.first() {
            Some(&n) if n <= MAX_LUN => n,
            _ => 0,
        },
        _ => 0,
    }
}

/// A transfer result in words, for messages.
fn describe(result: &UsbResult) -> String {
    match result {
        UsbResult::Out(n) => format!("the pipe reported {n} bytes sent"),
        UsbResult::In(b) => format!("the pipe reported {} bytes received", b.len()),
        UsbResult::Stall => "stalled".into(),
        UsbResult::Timeout => "timed out".into(),
        UsbResult::Overflow => "the device sent more data than asked".into(),
        UsbResult::Disconnected => "disconnected".into(),
        UsbResult::Failed(s) => s.clone(),
    }
}

/// The command's name as MMC spells it, or its operation code.
fn command_name(cdb: &[u8]) -> String {
    match Command::parse(cdb) {
        Ok(Command::Unknown { .. }) | Err(_) => {
            format!("command {:02x}h", cdb.first().copied().unwrap_or(0))
        }
        Ok(c) => c.name().to_string(),
    }
}

#[cfg(test)]
mod tests;
