//! The SCSI command level every transport speaks: a CDB with its data
//! phase in, a status with data and sense out.
//!
//! The write engine hands out [`ScsiRequest`]s and takes back
//! [`ScsiOutcome`]s; a transport (USB Bulk-Only over rusb or WebUSB, the
//! virtual drive, an OS pass-through) carries them. Transports fetch sense
//! data themselves after a CHECK CONDITION (auto-sense), so the engine
//! always sees why a command failed.

use crate::wire::sense::SenseRepr;
use std::time::Duration;

/// The longest CDB a request carries.
pub const MAX_CDB: usize = 16;

/// Default time a command may take (`cd-standards.md` §7.7).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Time for WRITE, SYNCHRONIZE CACHE, CLOSE, OPC and BLANK with IMMED.
pub const LONG_TIMEOUT: Duration = Duration::from_secs(200);

/// The data phase of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataPhase {
    /// No data.
    None,
    /// Up to this many bytes from the device.
    In(u32),
    /// These bytes to the device.
    Out(Vec<u8>),
}

impl DataPhase {
    /// Bytes the phase moves (expected).
    pub fn len(&self) -> u32 {
        match self {
            DataPhase::None => 0,
            DataPhase::In(n) => *n,
            DataPhase::Out(d) => d.len() as u32,
        }
    }

    /// Whether the phase moves nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One SCSI command to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScsiRequest {
    /// The CDB (1–16 bytes).
    pub cdb: Vec<u8>,
    /// Its data phase.
    pub data: DataPhase,
    /// How long the transport waits for it to complete.
    pub timeout: Duration,
}

impl ScsiRequest {
    /// A command with no data.
    pub fn none(cdb: &[u8]) -> ScsiRequest {
        ScsiRequest {
            cdb: cdb.to_vec(),
            data: DataPhase::None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// A command reading up to `len` bytes.
    pub fn read(cdb: &[u8], len: u32) -> ScsiRequest {
        ScsiRequest {
            cdb: cdb.to_vec(),
            data: DataPhase::In(len),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// A command sending `data`.
    pub fn write(cdb: &[u8], data: Vec<u8>) -> ScsiRequest {
        ScsiRequest {
            cdb: cdb.to_vec(),
            data: DataPhase::Out(data),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The same request with another timeout.
    pub fn with_timeout(self, timeout: Duration) -> ScsiRequest {
        ScsiRequest { timeout, ..self }
    }

    /// The operation code.
    pub fn opcode(&self) -> u8 {
        self.cdb.first().copied().unwrap_or(0)
    }
}

/// How a command ended, as far as the device could tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScsiStatus {
    /// GOOD.
    Good,
    /// CHECK CONDITION, with the sense data the transport fetched (`None`
    /// when REQUEST SENSE itself failed).
    CheckCondition(Option<SenseRepr>),
}

/// A command's outcome at the SCSI level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScsiResponse {
    /// The status.
    pub status: ScsiStatus,
    /// Data in (at most what the request asked for).
    pub data: Vec<u8>,
    /// Bytes of the data phase not moved (the CSW's residue).
    pub residue: u32,
}

impl ScsiResponse {
    /// GOOD with `data`.
    pub fn good(data: Vec<u8>) -> ScsiResponse {
        ScsiResponse {
            status: ScsiStatus::Good,
            data,
            residue: 0,
        }
    }

    /// The sense data of a failed command.
    pub fn sense(&self) -> Option<&SenseRepr> {
        match &self.status {
            ScsiStatus::Good => None,
            ScsiStatus::CheckCondition(s) => s.as_ref(),
        }
    }

    /// Whether the command passed.
    pub fn is_good(&self) -> bool {
        self.status == ScsiStatus::Good
    }
}

/// Why a transport could not deliver a command's outcome.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The device did not answer in time; the transport recovered the
    /// link (or tried to), but the command's effect is unknown.
    #[error("the drive did not answer within {0:?}")]
    Timeout(Duration),
    /// The device is gone.
    #[error("the drive was disconnected")]
    Disconnected,
    /// The device broke the transport's protocol (an invalid CSW, a phase
    /// error) and recovery ran; the command's effect is unknown.
    #[error("transport protocol error: {0}")]
    Protocol(String),
    /// Recovery itself failed: the device is unusable until replugged.
    #[error("the drive does not recover: {0}")]
    Dead(String),
}

/// What a transport returns for a request.
pub type ScsiOutcome = Result<ScsiResponse, TransportError>;

/// A transport that runs one command at a time and returns when it is
/// done (the blocking side: rusb natively, the virtual drive in tests).
/// Asynchronous callers drive the sans-IO layers directly instead.
pub trait Transport {
    /// Runs `request` to its end.
    ///
    /// ## Errors
    ///
    /// [`TransportError`] when no outcome could be had.
    fn execute(&mut self, request: &ScsiRequest) -> ScsiOutcome;
}

/// Time for a blocking driver: real time natively, virtual time against
/// the virtual drive.
pub trait Clock {
    /// Time since an arbitrary start.
    fn now(&self) -> Duration;
    /// Waits until `t` (returns at once when it has passed).
    fn sleep_until(&mut self, t: Duration);
}

/// A transport with its clock: what a blocking driver runs on (the
/// virtual drive's transports keep virtual time; native ones pair a USB
/// transport with the system clock).
pub trait Link: Transport + Clock {}

impl<T: Transport + Clock> Link for T {}

/// Whether a reply came shorter than its own length field says (and than
/// the allocation length allowed): cut on the way.
pub fn short_reply(request: &ScsiRequest, data: &[u8]) -> bool {
    let asked = request.data.len() as usize;
    let be16 = |at: usize| {
        data.get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
    };
    let declared = match request.opcode() {
        // INQUIRY: additional length in byte 4.
        0x12 => data.get(4).map(|&n| n as usize + 5),
        // GET CONFIGURATION, GET PERFORMANCE: a 4-byte length.
        0x46 | 0xac => data
            .get(0..4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize + 4),
        // READ TOC, READ DISC/TRACK INFORMATION, MODE SENSE(10), READ
        // BUFFER CAPACITY: a 2-byte length.
        0x43 | 0x51 | 0x52 | 0x5a | 0x5c => be16(0).map(|n| n + 2),
        _ => return false,
    };
    match declared {
        Some(n) => data.len() < n.min(asked),
        None => asked > 0,
    }
}
