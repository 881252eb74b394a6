//! The steps of a burn and what each command's outcome leads to: which
//! step comes next, what is sent again and when, what ends the burn.
//! What each step sends and makes of its answer is in `prepare`, `write`
//! and `verify`.

use super::error::{Confirmed, DiscState, EngineError, Phase};
use super::event::Action;
use super::feed::{Feed, Slice};
use super::{Engine, InFlight};
use crate::scsi::{
    LONG_TIMEOUT, ScsiOutcome, ScsiRequest, ScsiResponse, ScsiStatus, TransportError,
};
use crate::wire::command::{
    CloseTrackSession, Command, FeatureRequest, GetConfiguration, GetPerformance, Inquiry,
    ModeSelect10, ModeSense10, PreventAllowMediumRemoval, ReadDiscInfo, ReadToc, ReadTrackInfo,
    SendCueSheet, SendOpcInfo, SetCdSpeed, StartStopUnit, SynchronizeCache, TestUnitReady,
    TocFormat,
};
use crate::wire::mode::{ModePage, ModeParameterList};
use crate::wire::sense::{Disposition, SenseKey, SenseRepr};
use layout::msf::Lba;
use layout::subchannel::SubchannelFormat;
use std::time::Duration;

/// Write speed descriptors asked for: more than any drive reports.
const SPEEDS: u16 = 32;

/// Longest a drive may stay busy (2/04/xx) before the burn gives up.
const BUSY_LIMIT: Duration = Duration::from_secs(30 * 60);
/// Unit attentions retried in a row.
const ATTENTION_LIMIT: u32 = 8;
/// Retries of an idempotent command after a transport error.
pub(super) const TRANSPORT_RETRIES: u32 = 3;
/// Times a command answered with a recovered error is sent again.
const RECOVERED_RETRIES: u32 = 3;

/// One step of a burn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    WaitReady,
    Inquiry,
    Configuration,
    DiscInfo,
    Atip,
    /// READ TRACK INFORMATION of the invisible track of an appendable
    /// disc: where the new session starts.
    NextSession,
    /// GET PERFORMANCE: the write speeds, when a speed was asked for.
    Speeds,
    Decide,
    /// Read and check the `n`th run of sectors kept as given (`given`).
    CheckGiven(usize),
    ModeSense,
    ModeSelect(Option<usize>),
    Speed,
    Opc,
    Lock(bool),
    Cue,
    Nwa(usize),
    Write(usize),
    Sync,
    CloseSession,
    /// READ DISC INFORMATION after finishing: the state asked for.
    Confirm,
    /// READ TOC after finishing: the planned tracks and lead-out.
    ConfirmToc,
    Verify(usize),
    Eject,
    Cancelled,
    /// READ DISC INFORMATION after a failure: what the disc holds.
    DiscState,
    /// Report the failure.
    Failed,
}

/// What a command handed out is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    /// The single command of a step.
    Step(Step),
    /// WRITE of `blocks` blocks from `lba` (as the disc numbers them).
    Write { lba: Lba, blocks: u32 },
    /// READ CD of `blocks` blocks from `lba`, to compare with the image.
    ReadBack { lba: Lba, blocks: u32 },
    /// READ BUFFER CAPACITY between WRITEs.
    BufferCapacity,
}

impl Purpose {
    /// Whether the command can record on a disc (when not simulating).
    pub(super) fn may_record(self) -> bool {
        matches!(
            self,
            Purpose::Write { .. }
                | Purpose::Step(Step::Opc | Step::Cue | Step::Sync | Step::CloseSession)
        )
    }
}

/// What a step wants next.
pub(super) enum Next {
    Send(ScsiRequest, Purpose),
    Wait,
    Done,
}

/// Bytes asked of READ TOC: the header and 100 descriptors.
const TOC_ALLOC: u16 = 4 + 100 * 8;

fn req(cdb: &[u8]) -> ScsiRequest {
    ScsiRequest::none(cdb)
}

impl Engine {
    /// A new step begins.
    pub(super) fn enter_step(&mut self) {
        let Some(step) = self.step else {
            return;
        };
        match step {
            Step::WaitReady | Step::Inquiry if self.last_action.is_none() => {
                self.emit(Action::Preparing, None, true);
            }
            Step::CheckGiven(i) => self.enter_check(i),
            Step::Write(i) => {
                let Some(s) = self.plan.as_ref().and_then(|p| p.sections.get(i)).copied() else {
                    return self.fail(EngineError::Misuse("a section that is not in the plan"));
                };
                self.phase = Phase::Writing;
                self.section = Some(s);
                match Feed::new(
                    self.disc.clone(),
                    s.start,
                    s.end(),
                    s.subchannel,
                    s.scramble,
                    s.slice,
                    self.options.system_buffer,
                    self.shared_frames,
                ) {
                    Ok(f) => self.feed = Some(f),
                    Err(e) => return self.fail(e),
                }
                let action = self.action_at(s.start);
                self.emit(action, None, true);
            }
            Step::Sync | Step::CloseSession => {
                self.phase = Phase::Finishing;
                self.feed = None;
                self.emit(Action::Finishing, None, true);
            }
            Step::Verify(i) => {
                self.phase = Phase::Verifying;
                let Some(s) = self.verify_sections().get(i).copied() else {
                    return self.fail(EngineError::Misuse(
                        "a verify range that is not in the plan",
                    ));
                };
                self.section = Some(s);
                match Feed::new(
                    self.disc.clone(),
                    s.start,
                    s.end(),
                    SubchannelFormat::None,
                    false,
                    Slice::whole(2352),
                    self.options.system_buffer,
                    self.shared_frames,
                ) {
                    Ok(f) => self.feed = Some(f),
                    Err(e) => return self.fail(e),
                }
                self.emit(Action::Verifying, None, true);
            }
            _ => {}
        }
    }

    /// Continues the current step; false when it waits for something.
    /// Called only when no command is ready, out or waiting to be sent
    /// again, so a single-command step sends its command here once.
    pub(super) fn continue_step(&mut self) -> bool {
        let Some(step) = self.step else {
            return false;
        };
        if self.cancel
            && self.phase != Phase::Finishing
            && step != Step::Cancelled
            && self.failing.is_none()
        {
            self.begin_cancel();
            return true;
        }
        let next = match self.next(step) {
            Ok(n) => n,
            Err(e) => {
                self.fail(e);
                return false;
            }
        };
        match next {
            Next::Send(request, purpose) => {
                self.command = super::Command::Ready(InFlight { request, purpose });
                true
            }
            Next::Wait => false,
            Next::Done => {
                self.step = None;
                true
            }
        }
    }

    /// What the step sends next.
    fn next(&mut self, step: Step) -> Result<Next, EngineError> {
        let simulate = self.options.simulate;
        let send = |request: ScsiRequest| Next::Send(request, Purpose::Step(step));
        Ok(match step {
            Step::WaitReady => send(req(&TestUnitReady.to_bytes())),
            Step::Inquiry => send(ScsiRequest::read(&Inquiry::new(36).to_bytes(), 36)),
            Step::Configuration => {
                let g = GetConfiguration {
                    rt: FeatureRequest::All,
                    start_feature: 0,
                    alloc: 0xfff8,
                };
                send(ScsiRequest::read(&g.to_bytes(), 0xfff8))
            }
            Step::DiscInfo => send(ScsiRequest::read(&ReadDiscInfo::new(34).to_bytes(), 34)),
            Step::Atip => send(ScsiRequest::read(
                &ReadToc::new(TocFormat::Atip, 28).to_bytes(),
                28,
            )),
            Step::NextSession => send(ScsiRequest::read(
                &ReadTrackInfo::invisible_track().to_bytes(),
                u32::from(ReadTrackInfo::INFO_LEN),
            )),
            Step::Speeds => send(ScsiRequest::read(
                &GetPerformance::write_speeds(SPEEDS).to_bytes(),
                8 + 16 * u32::from(SPEEDS),
            )),
            Step::Decide => {
                self.decide()?;
                Next::Done
            }
            Step::CheckGiven(i) => self.next_check(i),
            Step::ModeSense => send(ScsiRequest::read(
                &ModeSense10::new(0x05, 0xfc).to_bytes(),
                0xfc,
            )),
            Step::ModeSelect(track) => {
                let page = self.write_parameters(track);
                let data =
                    ModeParameterList::with_page(ModePage::WriteParameters(page)).to_select_vec();
                let cdb = ModeSelect10::new(data.len() as u16).to_bytes();
                send(ScsiRequest::write(&cdb, data))
            }
            Step::Speed => {
                let s = SetCdSpeed {
                    rotation: 0,
                    read_kbs: SetCdSpeed::MAX,
                    write_kbs: self.write_kbs,
                };
                send(req(&s.to_bytes()))
            }
            Step::Opc => send(req(&SendOpcInfo::do_opc().to_bytes()).with_timeout(LONG_TIMEOUT)),
            Step::Lock(on) => {
                let p = if on {
                    PreventAllowMediumRemoval::prevent()
                } else {
                    PreventAllowMediumRemoval::allow()
                };
                send(req(&p.to_bytes()))
            }
            Step::Cue => {
                let sheet = self
                    .plan
                    .as_ref()
                    .and_then(|p| p.cue.clone())
                    .unwrap_or_default();
                let cdb = SendCueSheet::new(sheet.len() as u32).to_bytes();
                send(ScsiRequest::write(&cdb, sheet))
            }
            Step::Nwa(_) => send(ScsiRequest::read(
                &ReadTrackInfo::invisible_track().to_bytes(),
                36,
            )),
            Step::Write(_) => self.next_write()?,
            Step::Sync => {
                send(req(&SynchronizeCache::all(true).to_bytes()).with_timeout(LONG_TIMEOUT))
            }
            Step::CloseSession => {
                send(req(&CloseTrackSession::close_session().to_bytes()).with_timeout(LONG_TIMEOUT))
            }
            Step::Confirm | Step::DiscState => {
                send(ScsiRequest::read(&ReadDiscInfo::new(34).to_bytes(), 34))
            }
            Step::ConfirmToc => send(ScsiRequest::read(
                &ReadToc::new(TocFormat::Toc, TOC_ALLOC).to_bytes(),
                TOC_ALLOC as u32,
            )),
            Step::Verify(_) if simulate => Next::Done,
            Step::Verify(_) => self.next_verify()?,
            Step::Eject => send(req(&StartStopUnit::eject().to_bytes())),
            Step::Cancelled => {
                let message = self.cancel_state();
                return Err(EngineError::Cancelled(message));
            }
            Step::Failed => {
                self.end_failing(self.disc_after.unwrap_or(DiscState::Unknown));
                Next::Wait
            }
        })
    }

    /// A command came back.
    pub(super) fn on_command(&mut self, c: InFlight, outcome: ScsiOutcome) {
        if self.outcome.is_some() {
            return;
        }
        if self.failing.is_some()
            && !matches!(
                c.purpose,
                Purpose::Step(Step::DiscState | Step::Lock(false))
            )
        {
            // Out when the burn failed (a WRITE while a source read
            // failed): a confirmed one still counts.
            if let (Purpose::Write { lba, blocks }, Ok(r)) = (c.purpose, &outcome)
                && r.is_good()
            {
                self.on_written(lba, blocks);
            }
            return;
        }
        let name = Command::parse(&c.request.cdb).map_or("command", |c| c.name());
        match outcome {
            Err(error) => {
                let gone = matches!(
                    error,
                    TransportError::Disconnected | TransportError::Dead(_)
                );
                if !gone && idempotent(c.request.opcode()) && self.retries < TRANSPORT_RETRIES {
                    self.retries += 1;
                    self.command = super::Command::Ready(c);
                    return;
                }
                if !gone && c.purpose == Purpose::Step(Step::CloseSession) {
                    return self.close_in_doubt(format!("{name}: {error}"));
                }
                let e = EngineError::Transport {
                    phase: self.phase,
                    command: name,
                    error,
                    confirmed: Confirmed(self.last_written),
                };
                self.fail_command(c.purpose, e);
            }
            Ok(resp) if resp.is_good() => {
                if !matches!(c.purpose, Purpose::ReadBack { .. }) {
                    self.retries = 0;
                }
                self.retry_since = None;
                if let Err(e) = self.on_good(&c, name, resp) {
                    self.fail(e);
                }
            }
            Ok(ScsiResponse {
                status: ScsiStatus::CheckCondition(Some(sense)),
                ..
            }) => self.on_check(c, name, sense),
            Ok(_) => self.fail_command(
                c.purpose,
                EngineError::NoSense {
                    phase: self.phase,
                    command: name,
                    confirmed: Confirmed(self.last_written),
                },
            ),
        }
    }

    /// CLOSE came back without saying whether it ran: it is not sent
    /// twice; the disc's state read back after finishing decides, and
    /// names `why` if it does not confirm the burn.
    fn close_in_doubt(&mut self, why: String) {
        self.doubt = Some(why);
        self.retries = 0;
        self.retry_since = None;
        if self.step == Some(Step::CloseSession) {
            self.step = None;
        }
    }

    /// Ends the burn on a command that failed; a read-back that failed
    /// means the verify could not finish.
    fn fail_command(&mut self, purpose: Purpose, e: EngineError) {
        match purpose {
            Purpose::ReadBack { lba, .. } => self.fail(EngineError::VerifyIncomplete {
                lba: lba.get(),
                cause: Box::new(e),
            }),
            _ => self.fail(e),
        }
    }

    fn on_check(&mut self, c: InFlight, name: &'static str, sense: SenseRepr) {
        let s = sense.sense;
        // Steps that expect some failures.
        match (c.purpose, s.key, s.asc) {
            (Purpose::Step(Step::WaitReady), SenseKey::NotReady, 0x3a) => {
                return self.fail(EngineError::NoMedium);
            }
            (Purpose::Step(Step::Opc), SenseKey::IllegalRequest, 0x20 | 0x24) => {
                // The drive has no OPC command: it calibrates on its own.
                self.step = None;
                return;
            }
            (Purpose::Step(Step::Speeds), SenseKey::IllegalRequest, _) => {
                // No write speed descriptors: the speed asked for is sent
                // as it is and the drive picks.
                self.step = None;
                return;
            }
            (Purpose::Step(Step::ModeSense), SenseKey::IllegalRequest, _) => {
                self.page = None;
                self.step = None;
                return;
            }
            _ => {}
        }
        let now = self.now;
        let since = *self.retry_since.get_or_insert(now);
        let opcode = c.request.opcode();
        match s.disposition() {
            Disposition::Retry { after_ms } => {
                let again = match s.key {
                    // Not run: sent again while the drive stays busy.
                    SenseKey::NotReady => now.saturating_sub(since) < BUSY_LIMIT,
                    // Not run either, but after writing began a reset or a
                    // changed disc took the drive's buffer and the session
                    // with it; once the burn is confirmed (verifying) or
                    // failed (asking what the disc holds), only a query is
                    // lost.
                    SenseKey::UnitAttention => {
                        let harmless = matches!(self.phase, Phase::Preparing | Phase::Verifying)
                            || self.failing.is_some();
                        harmless && self.retries < ATTENTION_LIMIT
                    }
                    // Whether it ran is unknown: only what can be repeated
                    // safely.
                    _ => idempotent(opcode) && self.retries < TRANSPORT_RETRIES,
                };
                debug_assert!(!again || s.not_executed() || idempotent(opcode));
                if again {
                    // Back off: the delay the sense suggests, doubling with
                    // each retry up to half a second.
                    let delay = if after_ms == 0 {
                        0
                    } else {
                        (after_ms as u64 * (1 << self.retries.min(4))).min(500)
                    };
                    self.retries += 1;
                    self.command = super::Command::Later(now + Duration::from_millis(delay), c);
                    return;
                }
                if !s.not_executed() && c.purpose == Purpose::Step(Step::CloseSession) {
                    return self.close_in_doubt(format!("{name} failed: {s}"));
                }
            }
            Disposition::Unconfirmed => match c.purpose {
                // Confirmed by the next WRITE the drive takes in sequence,
                // or by the finished disc.
                Purpose::Write { lba, blocks } => {
                    self.retry_since = None;
                    let (first, n) = match self.unconfirmed {
                        Some((first, n)) => (first, n + blocks),
                        None => (lba, blocks),
                    };
                    self.unconfirmed = Some((first, n));
                    self.doubt = Some(format!(
                        "{name} of lba {}–{} was answered with {s}",
                        first.get(),
                        first.get() + n as i32 - 1
                    ));
                    return;
                }
                // Asked again: its answer may be missing.
                _ if idempotent(opcode) && self.retries < RECOVERED_RETRIES => {
                    self.retries += 1;
                    self.command = super::Command::Ready(c);
                    return;
                }
                // CLOSE: not sent twice; the disc's state read back after
                // finishing says whether it ran.
                Purpose::Step(Step::CloseSession) => {
                    return self.close_in_doubt(format!("{name} was answered with {s}"));
                }
                _ => {}
            },
            Disposition::Fail => {}
        }
        let at = sense.information.map(|i| Lba(i as i32));
        self.fail_command(
            c.purpose,
            EngineError::Drive {
                phase: self.phase,
                command: name,
                sense: s,
                at,
                confirmed: Confirmed(self.last_written),
            },
        );
    }

    /// A command passed: its answer goes where its purpose says.
    fn on_good(
        &mut self,
        c: &InFlight,
        name: &'static str,
        resp: ScsiResponse,
    ) -> Result<(), EngineError> {
        match c.purpose {
            Purpose::Write { lba, blocks } => {
                self.on_written(lba, blocks);
                Ok(())
            }
            Purpose::ReadBack { lba, blocks } => self.on_read_back(c, lba, blocks, &resp.data),
            Purpose::BufferCapacity => {
                self.on_buffer_capacity(&resp.data);
                Ok(())
            }
            Purpose::Step(step) => {
                if crate::scsi::short_reply(&c.request, &resp.data)
                    && self.retries < TRANSPORT_RETRIES
                {
                    // The reply says it holds more than came: read it again.
                    self.retries += 1;
                    self.command = super::Command::Ready(c.clone());
                    return Ok(());
                }
                if self.step == Some(step) {
                    self.step = None;
                }
                self.on_step_reply(step, name, &resp.data)
            }
        }
    }

    /// What the burn is doing at plan LBA `lba`.
    pub(super) fn action_at(&self, lba: Lba) -> Action {
        if lba < Lba::PREGAP_START {
            Action::WritingLeadIn
        } else if lba >= self.disc.leadout() {
            Action::WritingLeadOut
        } else {
            Action::WritingTrack
        }
    }

    /// Stops at this safe point: flush what the drive holds, unlock, then
    /// report.
    fn begin_cancel(&mut self) {
        self.cancel = false;
        self.step = None;
        self.feed = None;
        self.read_ready = None;
        self.steps.clear();
        if self.phase == Phase::Writing && self.written > 0 {
            self.steps.extend([Step::Sync, Step::WaitReady]);
        }
        if self.locked {
            self.steps.push_back(Step::Lock(false));
        }
        self.steps.push_back(Step::Cancelled);
        self.cancelled_phase = Some(self.phase);
    }

    /// What a cancelled burn left on the disc.
    fn cancel_state(&self) -> String {
        match (self.cancelled_phase, self.last_written) {
            _ if self.options.simulate => "a simulation: nothing was written".to_string(),
            (Some(Phase::Preparing), _) | (_, None) => {
                "before writing: the disc is unchanged".to_string()
            }
            (Some(Phase::Verifying), _) => {
                "while verifying: the disc was written and closed".to_string()
            }
            (_, Some(l)) => format!(
                "after lba {}: the session is incomplete; a CD-R is unusable, a CD-RW can be blanked and used again",
                l.get()
            ),
        }
    }
}

/// Whether a command can be sent again when its outcome is unknown:
/// everything but WRITE, CLOSE, BLANK and RESERVE, which move the disc
/// on (setting a page, speed or lock again, sending the cue sheet again
/// before writing, flushing twice change nothing).
fn idempotent(opcode: u8) -> bool {
    !matches!(opcode, 0x2a | 0xaa | 0x5b | 0xa1 | 0x53)
}
