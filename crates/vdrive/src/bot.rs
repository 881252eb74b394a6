//! The USB side of the virtual drive: a Bulk-Only Transport device
//! (`cd-standards.md` §7) in front of a [`ScsiTarget`].
//!
//! The host moves bytes with [`BulkOnly::bulk_out`], [`BulkOnly::bulk_in`]
//! and [`BulkOnly::control`], passing the virtual time of each transfer.
//! The device validates every CBW, works out which of the 13 host/device
//! cases of BOT §6.7 it is in, stalls the pipes the specification says,
//! and answers with a CSW. A CBW that is not valid halts both bulk pipes
//! until reset recovery (Bulk-Only reset, then CLEAR_FEATURE(HALT) on each
//! pipe). A device that is busy does not answer yet:
//! [`UsbError::NotReady`] says until when (a real host simply waits, or
//! times out).
//!
//! ```text
//!  host                          BulkOnly                      ScsiTarget
//!  bulk_out(CBW) ─────────────▶  validate, classify ──begin──▶  run or ask for data
//!  bulk_out(data)/bulk_in(n) ─▶  data stage        ──finish─▶  run with the data
//!  bulk_in(13) ◀── CSW ───────   status, residue
//! ```

use crate::faults::{FaultKind, FaultPlan, FaultState};
use crate::scsi::{Begin, Completion, ScsiTarget, Status};
use mmc::wire::bot::{
    BULK_ONLY_RESET, CBW_LEN, CLEAR_FEATURE, CSW_LEN, Case, CbwRepr, CswRepr, CswStatus, Direction,
    ENDPOINT_HALT, GET_MAX_LUN, SetupPacket,
};
use mmc::wire::command::Command;
use mmc::wire::sense::{Sense, SenseKey};
use std::time::Duration;

/// The bulk IN endpoint's address.
pub const BULK_IN: u8 = 0x81;
/// The bulk OUT endpoint's address.
pub const BULK_OUT: u8 = 0x02;
/// The mass storage interface's number.
pub const INTERFACE: u8 = 0;
/// Maximum packet size of the bulk endpoints (high speed).
pub const MAX_PACKET: usize = 512;

/// A transfer that did not complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UsbError {
    /// The endpoint is halted: clear the halt (and for a data stage, go on
    /// to read the CSW).
    #[error("endpoint stalled: clear the halt, then read the status")]
    Stall,
    /// The device has nothing to say yet; it answers at the given virtual
    /// time (`Duration::MAX`: not before a Bulk-Only reset).
    #[error("the device does not answer yet")]
    NotReady(Duration),
    /// The device sent more than the transfer asked for (babble); the
    /// transfer's data is lost.
    #[error("the device sent {got} bytes where {asked} were asked for")]
    Overflow {
        /// Bytes the host asked for.
        asked: usize,
        /// Bytes the device sent.
        got: usize,
    },
    /// The device left the bus.
    #[error("the device is disconnected")]
    Disconnected,
}

/// Where the device is in the Bulk-Only protocol.
#[derive(Debug, Clone)]
enum Phase {
    /// Waiting for a CBW.
    Ready,
    /// Receiving data out.
    DataOut {
        cbw: CbwRepr,
        /// Bytes the device uses.
        device: usize,
        got: Vec<u8>,
    },
    /// Sending data in.
    DataIn {
        data: Vec<u8>,
        pos: usize,
        /// Halt bulk IN after the data (it ends on a packet boundary, or the
        /// case asks for it).
        stall_after: bool,
        /// Babble: extra bytes past what the host asked.
        babble: usize,
        csw: PendingCsw,
    },
    /// The CSW is due.
    Status(PendingCsw),
    /// Not answering until a Bulk-Only reset.
    Hung,
}

#[derive(Debug, Clone, Copy)]
struct PendingCsw {
    bytes: [u8; CSW_LEN],
    ready_at: Duration,
    stall_first: bool,
}

/// Faults of the command under way that shape the CSW.
#[derive(Debug, Clone, Copy, Default)]
struct CswFaults {
    signature: Option<u32>,
    wrong_tag: bool,
    stall_first: bool,
}

/// A Bulk-Only mass storage device.
#[derive(Debug)]
pub struct BulkOnly<T> {
    target: T,
    phase: Phase,
    in_halted: bool,
    out_halted: bool,
    /// A CBW was not valid: the pipes stay halted until reset recovery.
    needs_reset: bool,
    disconnected: bool,
    faults: FaultState,
    csw_faults: CswFaults,
    /// Data-in cut short (fault), bytes.
    short: usize,
    /// Data-in babble (fault), bytes.
    long: usize,
}

impl<T: ScsiTarget> BulkOnly<T> {
    /// A device in front of `target`.
    pub fn new(target: T) -> BulkOnly<T> {
        BulkOnly {
            target,
            phase: Phase::Ready,
            in_halted: false,
            out_halted: false,
            needs_reset: false,
            disconnected: false,
            faults: FaultState::default(),
            csw_faults: CswFaults::default(),
            short: 0,
            long: 0,
        }
    }

    /// Installs a fault plan: command faults here, LBA faults in the
    /// target. Counting starts afresh.
    pub fn set_faults(&mut self, plan: FaultPlan) {
        self.target.set_faults(plan.clone());
        self.faults = FaultState::new(plan);
    }

    /// The device behind the transport.
    pub fn target(&self) -> &T {
        &self.target
    }

    /// The device behind the transport, mutably (to change media, as a
    /// user would).
    pub fn target_mut(&mut self) -> &mut T {
        &mut self.target
    }

    /// Gives the device back.
    pub fn into_target(self) -> T {
        self.target
    }

    /// Whether bulk IN is halted.
    pub fn in_halted(&self) -> bool {
        self.in_halted
    }

    /// Whether bulk OUT is halted.
    pub fn out_halted(&self) -> bool {
        self.out_halted
    }

    /// Whether the device waits for reset recovery.
    pub fn needs_reset(&self) -> bool {
        self.needs_reset
    }

    /// Sends `data` to bulk OUT: a CBW, or data for the command under way.
    /// Returns the bytes the device took.
    ///
    /// ## Errors
    ///
    /// [`UsbError::Stall`] when bulk OUT is halted (or halts now: an
    /// invalid CBW, data the command does not take),
    /// [`UsbError::NotReady`] while the device does not answer,
    /// [`UsbError::Disconnected`].
    pub fn bulk_out(&mut self, data: &[u8], now: Duration) -> Result<usize, UsbError> {
        self.usable()?;
        if self.out_halted {
            return Err(UsbError::Stall);
        }
        self.target.tick(now);
        match std::mem::replace(&mut self.phase, Phase::Ready) {
            Phase::Ready => self.command(data, now),
            Phase::DataOut {
                cbw,
                device,
                mut got,
            } => {
                let host = cbw.data_len as usize;
                let take = data.len().min(host - got.len());
                got.extend_from_slice(&data[..take]);
                if got.len() < host {
                    self.phase = Phase::DataOut { cbw, device, got };
                    return Ok(take);
                }
                self.data_out_done(&cbw, device, &got, now);
                Ok(take)
            }
            Phase::Hung => {
                self.phase = Phase::Hung;
                Err(UsbError::NotReady(Duration::MAX))
            }
            other => {
                // A CBW while the device owes data or a status: the host is
                // out of step. Halt both pipes until reset recovery.
                self.phase = other;
                self.invalid_cbw();
                Err(UsbError::Stall)
            }
        }
    }

    /// Reads up to `len` bytes from bulk IN: data of the command under way,
    /// or its CSW.
    ///
    /// ## Errors
    ///
    /// [`UsbError::Stall`] when bulk IN is halted (or halts now),
    /// [`UsbError::NotReady`] when the device has nothing to send yet,
    /// [`UsbError::Overflow`] when it sends more than `len` bytes,
    /// [`UsbError::Disconnected`].
    pub fn bulk_in(&mut self, len: usize, now: Duration) -> Result<Vec<u8>, UsbError> {
        self.usable()?;
        if self.in_halted {
            return Err(UsbError::Stall);
        }
        self.target.tick(now);
        match std::mem::replace(&mut self.phase, Phase::Ready) {
            Phase::DataIn {
                data,
                pos,
                stall_after,
                babble,
                csw,
            } => {
                let rest = data.len() - pos;
                if babble > 0 && len <= rest + babble && len >= rest {
                    self.phase = Phase::Status(csw);
                    return Err(UsbError::Overflow {
                        asked: len,
                        got: rest + babble,
                    });
                }
                let n = rest.min(len);
                let out = data[pos..pos + n].to_vec();
                if pos + n < data.len() {
                    self.phase = Phase::DataIn {
                        data,
                        pos: pos + n,
                        stall_after,
                        babble,
                        csw,
                    };
                } else {
                    self.in_halted = stall_after;
                    self.phase = Phase::Status(csw);
                }
                Ok(out)
            }
            Phase::Status(csw) => {
                if now < csw.ready_at {
                    self.phase = Phase::Status(csw);
                    return Err(UsbError::NotReady(csw.ready_at));
                }
                if csw.stall_first {
                    self.in_halted = true;
                    self.phase = Phase::Status(PendingCsw {
                        stall_first: false,
                        ..csw
                    });
                    return Err(UsbError::Stall);
                }
                if len < CSW_LEN {
                    self.phase = Phase::Status(csw);
                    return Err(UsbError::Overflow {
                        asked: len,
                        got: CSW_LEN,
                    });
                }
                Ok(csw.bytes.to_vec())
            }
            other => {
                // Nothing to send: the host's read waits (a real host times
                // out).
                self.phase = other;
                Err(UsbError::NotReady(Duration::MAX))
            }
        }
    }

    /// A control transfer on endpoint 0: Get Max LUN, Bulk-Only Mass
    /// Storage Reset, CLEAR_FEATURE(ENDPOINT_HALT). Returns the data stage
    /// of an IN request.
    ///
    /// ## Errors
    ///
    /// [`UsbError::Stall`] for requests the device does not support (a
    /// control pipe stall clears itself at the next setup packet),
    /// [`UsbError::Disconnected`].
    pub fn control(&mut self, setup: &SetupPacket, now: Duration) -> Result<Vec<u8>, UsbError> {
        self.usable()?;
        self.target.tick(now);
        let interface = setup.index == INTERFACE as u16 && setup.value == 0;
        match (setup.request_type, setup.request) {
            (0xa1, GET_MAX_LUN) if interface && setup.length >= 1 => Ok(vec![0]),
            (0x21, BULK_ONLY_RESET) if interface && setup.length == 0 => {
                self.phase = Phase::Ready;
                self.needs_reset = false;
                self.csw_faults = CswFaults::default();
                Ok(Vec::new())
            }
            (0x02, CLEAR_FEATURE) if setup.value == ENDPOINT_HALT && setup.length == 0 => {
                match setup.index as u8 {
                    BULK_IN if !self.needs_reset => self.in_halted = false,
                    BULK_OUT if !self.needs_reset => self.out_halted = false,
                    BULK_IN | BULK_OUT => {}
                    _ => return Err(UsbError::Stall),
                }
                Ok(Vec::new())
            }
            _ => Err(UsbError::Stall),
        }
    }

    fn usable(&self) -> Result<(), UsbError> {
        if self.disconnected {
            Err(UsbError::Disconnected)
        } else {
            Ok(())
        }
    }

    fn invalid_cbw(&mut self) {
        self.needs_reset = true;
        self.in_halted = true;
        self.out_halted = true;
    }

    /// A CBW arrived.
    fn command(&mut self, bytes: &[u8], now: Duration) -> Result<usize, UsbError> {
        if bytes.len() != CBW_LEN {
            self.invalid_cbw();
            return Ok(bytes.len());
        }
        let Ok(cbw) = CbwRepr::parse(bytes) else {
            self.invalid_cbw();
            return Ok(bytes.len());
        };
        self.csw_faults = CswFaults::default();
        self.short = 0;
        self.long = 0;
        let (name, opcode) = match Command::parse(cbw.cdb()) {
            Ok(c) => (c.name(), c.opcode()),
            Err(_) => ("unknown", cbw.cdb()[0]),
        };
        let fault = self.faults.on_command(name, opcode);
        match fault {
            Some(FaultKind::Disconnect) => {
                self.disconnected = true;
                return Err(UsbError::Disconnected);
            }
            Some(FaultKind::NoAnswer) => {
                self.phase = Phase::Hung;
                return Ok(CBW_LEN);
            }
            Some(FaultKind::PhaseError) => {
                self.phase_error(&cbw, now);
                return Ok(CBW_LEN);
            }
            Some(FaultKind::StallData) => {
                let c = self.target.reject(COMMUNICATION_FAILURE, now);
                match cbw.direction {
                    Direction::In => self.in_halted = true,
                    Direction::Out => self.out_halted = true,
                    Direction::None => {}
                }
                self.status(&cbw, cbw.data_len, CswStatus::Failed, c.ready_at);
                return Ok(CBW_LEN);
            }
            Some(FaultKind::UnitAttention([key, asc, ascq])) => {
                let c = self
                    .target
                    .reject(Sense::new(SenseKey::from_code(key), asc, ascq), now);
                self.after_run(&cbw, c);
                return Ok(CBW_LEN);
            }
            Some(FaultKind::StallCsw) => self.csw_faults.stall_first = true,
            Some(FaultKind::CswSignature(s)) => self.csw_faults.signature = Some(s),
            Some(FaultKind::CswTag) => self.csw_faults.wrong_tag = true,
            Some(FaultKind::ShortData(n)) => self.short = n as usize,
            Some(FaultKind::LongData(n)) => self.long = n as usize,
            Some(_) | None => {}
        }
        if cbw.lun != 0 {
            let c = self.target.reject(Sense::LUN_NOT_SUPPORTED, now);
            self.after_run(&cbw, c);
            return Ok(CBW_LEN);
        }
        match self.target.begin(cbw.cdb(), now) {
            Begin::Done(c) => self.after_run(&cbw, c),
            Begin::DataOut(0) => {
                let c = self.target.finish(cbw.cdb(), &[], now);
                self.after_run(&cbw, c);
            }
            Begin::DataOut(device) => {
                let case =
                    Case::classify(cbw.direction, cbw.data_len, Direction::Out, device as u32);
                match case {
                    // Cases 11, 12, 13: take the host's data first.
                    Case::HoGtDo | Case::HoEqDo | Case::HoLtDo => {
                        self.phase = Phase::DataOut {
                            cbw,
                            device,
                            got: Vec::with_capacity(cbw.data_len as usize),
                        };
                    }
                    // Case 8: Hi <> Do: stall IN, phase error.
                    Case::HiDo => {
                        self.in_halted = true;
                        self.phase_error(&cbw, now);
                    }
                    // Case 3: Hn < Do.
                    _ => self.phase_error(&cbw, now),
                }
            }
        }
        Ok(CBW_LEN)
    }

    /// All the host's data arrived for a data-out command.
    fn data_out_done(&mut self, cbw: &CbwRepr, device: usize, got: &[u8], now: Duration) {
        let host = cbw.data_len as usize;
        if host < device {
            // Case 13: the device took what came; it cannot run the
            // command.
            self.phase_error(cbw, now);
            return;
        }
        // Cases 11 and 12: the device uses its bytes; extra host bytes are
        // taken and dropped (BOT allows this instead of a stall).
        let c = self.target.finish(cbw.cdb(), &got[..device], now);
        let status = csw_status(c.status);
        self.status(cbw, (host - device) as u32, status, c.ready_at);
    }

    /// A command ran with no data out; send its data (if any) and status
    /// according to the case.
    fn after_run(&mut self, cbw: &CbwRepr, c: Completion) {
        let dev_len = c.data.len() as u32;
        let dev_dir = if dev_len > 0 {
            Direction::In
        } else {
            Direction::None
        };
        let case = Case::classify(cbw.direction, cbw.data_len, dev_dir, dev_len);
        let status = csw_status(c.status);
        let host = cbw.data_len;
        match case {
            Case::HnDn => self.status(cbw, 0, status, c.ready_at),
            // Case 4: Hi > Dn: stall IN; the host clears it and reads the
            // CSW.
            Case::HiDn => {
                self.in_halted = true;
                self.status(cbw, host, status, c.ready_at);
            }
            // Cases 5 and 6: send the data; a short packet ends it, or a
            // stall when it ends on a packet boundary short of what the
            // host asked.
            Case::HiGtDi | Case::HiEqDi => {
                let mut data = c.data;
                let cut = self.short.min(data.len());
                data.truncate(data.len() - cut);
                let sent = data.len() as u32;
                let stall_after = sent < host && (sent as usize).is_multiple_of(MAX_PACKET);
                let csw = self.csw(cbw, host - sent, status, c.ready_at);
                if data.is_empty() {
                    self.in_halted = true;
                    self.phase = Phase::Status(csw);
                    return;
                }
                self.phase = Phase::DataIn {
                    data,
                    pos: 0,
                    stall_after,
                    babble: self.long,
                    csw,
                };
            }
            // Case 7: send what the host asked for, then a phase error.
            Case::HiLtDi => {
                let mut data = c.data;
                data.truncate(host as usize);
                let csw = self.csw(cbw, 0, CswStatus::PhaseError, c.ready_at);
                self.phase = Phase::DataIn {
                    data,
                    pos: 0,
                    stall_after: false,
                    babble: 0,
                    csw,
                };
            }
            // Case 9: Ho > Dn: stall OUT; status as the command ended.
            Case::HoDn => {
                self.out_halted = true;
                self.status(cbw, host, status, c.ready_at);
            }
            // Case 10: Ho <> Di: stall OUT, phase error.
            Case::HoDi => {
                self.out_halted = true;
                self.status(cbw, host, CswStatus::PhaseError, c.ready_at);
            }
            // Case 2 (Hn < Di) and anything else: phase error.
            _ => self.status(cbw, host, CswStatus::PhaseError, c.ready_at),
        }
    }

    fn phase_error(&mut self, cbw: &CbwRepr, now: Duration) {
        match cbw.direction {
            Direction::In => self.in_halted = true,
            Direction::Out => self.out_halted = true,
            Direction::None => {}
        }
        self.status(cbw, cbw.data_len, CswStatus::PhaseError, now);
    }

    fn status(&mut self, cbw: &CbwRepr, residue: u32, status: CswStatus, ready_at: Duration) {
        self.phase = Phase::Status(self.csw(cbw, residue, status, ready_at));
    }

    fn csw(
        &self,
        cbw: &CbwRepr,
        residue: u32,
        status: CswStatus,
        ready_at: Duration,
    ) -> PendingCsw {
        let f = self.csw_faults;
        let tag = if f.wrong_tag {
            cbw.tag.wrapping_add(0x0101_0101)
        } else {
            cbw.tag
        };
        let mut bytes = CswRepr {
            tag,
            residue,
            status,
        }
        .to_bytes();
        if let Some(s) = f.signature {
            bytes[..4].copy_from_slice(&s.to_le_bytes());
        }
        PendingCsw {
            bytes,
            ready_at,
            stall_first: f.stall_first,
        }
    }
}

/// Sense left by a command whose data stage failed on the bus: 4/08/00
/// logical unit communication failure.
const COMMUNICATION_FAILURE: Sense = Sense::new(SenseKey::HardwareError, 0x08, 0x00);

fn csw_status(s: Status) -> CswStatus {
    match s {
        Status::Good => CswStatus::Passed,
        Status::CheckCondition => CswStatus::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::Fault;

    /// A target with three commands: 00h (no data), 12h (36 bytes in,
    /// truncated to the allocation length in byte 4) and 55h (data out of
    /// byte 8's length); anything else fails.
    #[derive(Default)]
    struct Fake {
        ran: Vec<(u8, Vec<u8>)>,
        rejected: Vec<Sense>,
    }

    impl ScsiTarget for Fake {
        fn begin(&mut self, cdb: &[u8], now: Duration) -> Begin {
            match cdb[0] {
                0x00 => {
                    self.ran.push((0, Vec::new()));
                    Begin::Done(Completion::good(Vec::new(), now))
                }
                0x12 => {
                    self.ran.push((0x12, Vec::new()));
                    let data: Vec<u8> = (0..36u8).take(cdb[4] as usize).collect();
                    Begin::Done(Completion::good(data, now))
                }
                0x55 => Begin::DataOut(cdb[8] as usize),
                _ => Begin::Done(Completion::check(now)),
            }
        }
        fn finish(&mut self, cdb: &[u8], data: &[u8], now: Duration) -> Completion {
            self.ran.push((cdb[0], data.to_vec()));
            Completion::good(Vec::new(), now)
        }
        fn reject(&mut self, sense: Sense, now: Duration) -> Completion {
            self.rejected.push(sense);
            Completion::check(now)
        }
        fn tick(&mut self, _: Duration) {}
        fn set_faults(&mut self, _: FaultPlan) {}
    }

    const T: Duration = Duration::ZERO;

    fn cbw(tag: u32, len: u32, dir: Direction, cdb: &[u8]) -> [u8; CBW_LEN] {
        CbwRepr::new(tag, cdb, dir, len).unwrap().to_bytes()
    }

    fn csw(dev: &mut BulkOnly<Fake>) -> CswRepr {
        CswRepr::parse(&dev.bulk_in(13, T).unwrap()).unwrap()
    }

    #[test]
    fn case_6_then_case_5_with_short_packet() {
        let mut d = BulkOnly::new(Fake::default());
        d.bulk_out(&cbw(1, 36, Direction::In, &[0x12, 0, 0, 0, 36, 0]), T)
            .unwrap();
        assert_eq!(d.bulk_in(36, T).unwrap().len(), 36);
        let c = csw(&mut d);
        assert_eq!((c.tag, c.residue, c.status), (1, 0, CswStatus::Passed));
        // Host expects 64, the device has 36: short packet, residue 28.
        d.bulk_out(&cbw(2, 64, Direction::In, &[0x12, 0, 0, 0, 36, 0]), T)
            .unwrap();
        assert_eq!(d.bulk_in(64, T).unwrap().len(), 36);
        assert!(!d.in_halted());
        let c = csw(&mut d);
        assert_eq!((c.tag, c.residue, c.status), (2, 28, CswStatus::Passed));
    }

    #[test]
    fn invalid_cbw_halts_until_reset_recovery() {
        let mut d = BulkOnly::new(Fake::default());
        let mut bad = cbw(1, 0, Direction::None, &[0]);
        bad[0] = 0x56;
        d.bulk_out(&bad, T).unwrap();
        assert_eq!(d.bulk_in(13, T), Err(UsbError::Stall));
        // Clearing the halt alone does not help.
        d.control(&SetupPacket::clear_halt(BULK_IN), T).unwrap();
        assert_eq!(d.bulk_in(13, T), Err(UsbError::Stall));
        d.control(&SetupPacket::bulk_only_reset(0), T).unwrap();
        d.control(&SetupPacket::clear_halt(BULK_IN), T).unwrap();
        d.control(&SetupPacket::clear_halt(BULK_OUT), T).unwrap();
        d.bulk_out(&cbw(3, 0, Direction::None, &[0]), T).unwrap();
        assert_eq!(csw(&mut d).status, CswStatus::Passed);
        assert_eq!(d.control(&SetupPacket::get_max_lun(0), T), Ok(vec![0]));
    }

    #[test]
    fn faults_shape_the_status() {
        let mut d = BulkOnly::new(Fake::default());
        d.set_faults(FaultPlan {
            faults: vec![
                Fault {
                    command: Some("INQUIRY".into()),
                    nth: None,
                    lba: None,
                    fault: FaultKind::CswTag,
                },
                Fault {
                    command: None,
                    nth: Some(2),
                    lba: None,
                    fault: FaultKind::StallCsw,
                },
            ],
        });
        d.bulk_out(&cbw(7, 36, Direction::In, &[0x12, 0, 0, 0, 36, 0]), T)
            .unwrap();
        d.bulk_in(36, T).unwrap();
        assert_ne!(csw(&mut d).tag, 7);
        d.bulk_out(&cbw(8, 0, Direction::None, &[0]), T).unwrap();
        assert_eq!(d.bulk_in(13, T), Err(UsbError::Stall));
        d.control(&SetupPacket::clear_halt(BULK_IN), T).unwrap();
        assert_eq!(csw(&mut d).tag, 8);
    }

    #[test]
    fn data_out_cases() {
        let mut d = BulkOnly::new(Fake::default());
        // Case 12 in two transfers.
        d.bulk_out(
            &cbw(1, 8, Direction::Out, &[0x55, 0, 0, 0, 0, 0, 0, 0, 8, 0]),
            T,
        )
        .unwrap();
        assert_eq!(d.bulk_out(&[1, 2, 3], T), Ok(3));
        assert_eq!(d.bulk_out(&[4, 5, 6, 7, 8], T), Ok(5));
        assert_eq!(csw(&mut d).status, CswStatus::Passed);
        assert_eq!(d.target().ran.last().unwrap().1, [1, 2, 3, 4, 5, 6, 7, 8]);
        // Case 13: host sends 4 where the device wants 8.
        d.bulk_out(
            &cbw(2, 4, Direction::Out, &[0x55, 0, 0, 0, 0, 0, 0, 0, 8, 0]),
            T,
        )
        .unwrap();
        d.bulk_out(&[1, 2, 3, 4], T).unwrap();
        assert_eq!(csw(&mut d).status, CswStatus::PhaseError);
        assert_eq!(d.target().ran.len(), 1);
    }
}
