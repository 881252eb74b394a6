//! The steps of a burn: what each sends, and what it makes of the answer.

use super::error::{Confirmed, EngineError, Phase};
use super::event::Action;
use super::feed::{Feed, Slice};
use super::options::{Verify, WriteMode, choose};
use super::plan::{Section, plan};
use super::{Engine, InFlight};
use crate::scsi::{LONG_TIMEOUT, ScsiOutcome, ScsiRequest, ScsiResponse, ScsiStatus};
use crate::wire::buffer::BufferCapacityRepr;
use crate::wire::command::{
    CloseTrackSession, Command, FeatureRequest, GetConfiguration, Inquiry, ModeSelect10,
    ModeSense10, PreventAllowMediumRemoval, ReadBufferCapacity, ReadCd, ReadDiscInfo, ReadToc,
    ReadTrackInfo, SendCueSheet, SendOpcInfo, SetCdSpeed, StartStopUnit, Subchannel,
    SynchronizeCache, TestUnitReady, TocFormat, Write10, Write12,
};
use crate::wire::config::{ConfigurationRepr, Feature};
use crate::wire::disc_info::{DiscInfoRepr, DiscStatus};
use crate::wire::inquiry::InquiryRepr;
use crate::wire::mode::{
    DataBlockType, ModePage, ModeParameterList, MultiSession, WriteParametersPage, WriteType,
};
use crate::wire::sense::{Disposition, SenseKey};
use crate::wire::toc::atip::AtipRepr;
use crate::wire::track_info::TrackInfoRepr;
use layout::disc::CopySetting;
use layout::msf::{Lba, Msf, PREGAP_SECTORS};
use layout::sector::{SectorKind, check_sector};
use layout::subchannel::SubchannelFormat;
use std::time::Duration;

/// Longest a drive may stay busy (2/04/xx) before the burn gives up.
const BUSY_LIMIT: Duration = Duration::from_secs(30 * 60);
/// Unit attentions retried in a row.
const ATTENTION_LIMIT: u32 = 8;
/// Retries of an idempotent command after a transport error.
const TRANSPORT_RETRIES: u32 = 3;
/// Blocks per READ CD while verifying.
const VERIFY_BLOCKS: u32 = 26;

/// One step of a burn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    WaitReady,
    Inquiry,
    Configuration,
    DiscInfo,
    Atip,
    Decide,
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
    Verify(usize),
    Eject,
    Cancelled,
    /// Sent; its answer is awaited (single-command steps).
    Sent(&'static str),
}

/// What a step wants next.
enum Next {
    Send(ScsiRequest, Option<(Lba, u32)>),
    Wait,
    Done,
}

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
    pub(super) fn continue_step(&mut self) -> bool {
        let Some(step) = self.step else {
            return false;
        };
        if self.cancel && self.phase != Phase::Finishing && step != Step::Cancelled {
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
            Next::Send(request, write) => {
                self.ready = Some(InFlight { request, write });
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
        Ok(match step {
            Step::Sent(_) => Next::Wait,
            Step::WaitReady => self.once(step, req(&TestUnitReady.to_bytes())),
            Step::Inquiry => self.once(step, ScsiRequest::read(&Inquiry::new(36).to_bytes(), 36)),
            Step::Configuration => {
                let g = GetConfiguration {
                    rt: FeatureRequest::All,
                    start_feature: 0,
                    alloc: 0xfff8,
                };
                self.once(step, ScsiRequest::read(&g.to_bytes(), 0xfff8))
            }
            Step::DiscInfo => self.once(
                step,
                ScsiRequest::read(&ReadDiscInfo::new(34).to_bytes(), 34),
            ),
            Step::Atip => self.once(
                step,
                ScsiRequest::read(&ReadToc::new(TocFormat::Atip, 28).to_bytes(), 28),
            ),
            Step::Decide => {
                self.decide()?;
                Next::Done
            }
            Step::ModeSense => self.once(
                step,
                ScsiRequest::read(&ModeSense10::new(0x05, 0xfc).to_bytes(), 0xfc),
            ),
            Step::ModeSelect(track) => {
                let page = self.write_parameters(track);
                let data =
                    ModeParameterList::with_page(ModePage::WriteParameters(page)).to_select_vec();
                let cdb = ModeSelect10::new(data.len() as u16).to_bytes();
                self.once(step, ScsiRequest::write(&cdb, data))
            }
            Step::Speed => {
                let write_kbs = self.options.speed.map_or(SetCdSpeed::MAX, |x| {
                    (x as f64 * 176.4).ceil().min(65_534.0) as u16 + 2
                });
                let s = SetCdSpeed {
                    rotation: 0,
                    read_kbs: SetCdSpeed::MAX,
                    write_kbs,
                };
                self.once(step, req(&s.to_bytes()))
            }
            Step::Opc => self.once(
                step,
                req(&SendOpcInfo::do_opc().to_bytes()).with_timeout(LONG_TIMEOUT),
            ),
            Step::Lock(on) => {
                let p = if on {
                    PreventAllowMediumRemoval::prevent()
                } else {
                    PreventAllowMediumRemoval::allow()
                };
                self.once(step, req(&p.to_bytes()))
            }
            Step::Cue => {
                let sheet = self
                    .plan
                    .as_ref()
                    .and_then(|p| p.cue.clone())
                    .unwrap_or_default();
                let cdb = SendCueSheet::new(sheet.len() as u32).to_bytes();
                self.once(step, ScsiRequest::write(&cdb, sheet))
            }
            Step::Nwa(_) => self.once(
                step,
                ScsiRequest::read(&ReadTrackInfo::invisible_track().to_bytes(), 36),
            ),
            Step::Write(_) => self.next_write()?,
            Step::Sync => self.once(
                step,
                req(&SynchronizeCache::all(true).to_bytes()).with_timeout(LONG_TIMEOUT),
            ),
            Step::CloseSession => self.once(
                step,
                req(&CloseTrackSession::close_session().to_bytes()).with_timeout(LONG_TIMEOUT),
            ),
            Step::Verify(_) if simulate => Next::Done,
            Step::Verify(_) => self.next_verify()?,
            Step::Eject => self.once(step, req(&StartStopUnit::eject().to_bytes())),
            Step::Cancelled => {
                let message = self.cancel_state();
                return Err(EngineError::Cancelled(message));
            }
        })
    }

    /// Sends a single-command step's command, marking it sent.
    fn once(&mut self, step: Step, request: ScsiRequest) -> Next {
        self.step = Some(Step::Sent(step_name(step)));
        self.sent_step = Some(step);
        Next::Send(request, None)
    }

    /// The next WRITE (or buffer query) of the section under way.
    fn next_write(&mut self) -> Result<Next, EngineError> {
        let Some(s) = self.section else {
            return Ok(Next::Done);
        };
        let shift = self.shift_of(&s);
        let Some(feed) = self.feed.as_mut() else {
            return Ok(Next::Done);
        };
        if feed.is_done() {
            self.feed = None;
            return Ok(Next::Done);
        }
        let per_write = (self.options.max_transfer / feed.block_size()).max(1) as u32;
        let per_write = if self.options.write12 {
            per_write
        } else {
            per_write.min(u16::MAX as u32)
        };
        let ready = feed.blocks() >= per_write || (feed.blocks() > 0 && feed.all_encoded());
        if !ready {
            return Ok(Next::Wait);
        }
        let due = self
            .last_capacity
            .is_none_or(|t| self.now.saturating_sub(t) >= self.options.event_interval);
        if due {
            self.last_capacity = Some(self.now);
            return Ok(Next::Send(
                ScsiRequest::read(&ReadBufferCapacity::new(false).to_bytes(), 12),
                None,
            ));
        }
        let Some((first, n, bytes)) = feed.take(per_write) else {
            return Ok(Next::Wait);
        };
        let lba = Lba(first.get() + shift);
        let cdb = if self.options.write12 {
            Write12 {
                streaming: true,
                ..Write12::new(lba.get(), n)
            }
            .to_bytes()
            .to_vec()
        } else {
            Write10::new(lba.get(), n as u16).to_bytes().to_vec()
        };
        Ok(Next::Send(
            ScsiRequest::write(&cdb, bytes).with_timeout(LONG_TIMEOUT),
            Some((lba, n)),
        ))
    }

    /// The next READ CD of the range being verified.
    fn next_verify(&mut self) -> Result<Next, EngineError> {
        let Some(s) = self.section else {
            return Ok(Next::Done);
        };
        let Some(feed) = self.feed.as_mut() else {
            return Ok(Next::Done);
        };
        if feed.is_done() {
            self.feed = None;
            return Ok(Next::Done);
        }
        let ready = feed.blocks() >= VERIFY_BLOCKS || (feed.blocks() > 0 && feed.all_encoded());
        if !ready {
            return Ok(Next::Wait);
        }
        let n = feed.blocks().min(VERIFY_BLOCKS);
        let lba = Lba(feed.first().get() + self.shift_of(&s));
        let cdb = ReadCd::raw(lba.get(), n, Subchannel::None).to_bytes();
        Ok(Next::Send(
            ScsiRequest::read(&cdb, n * 2352),
            Some((lba, n)),
        ))
    }

    /// A command came back.
    pub(super) fn on_command(&mut self, c: InFlight, outcome: ScsiOutcome) {
        if self.outcome.is_some() {
            // A clean-up command (unlocking after a failure): its result
            // changes nothing.
            return;
        }
        let name = Command::parse(&c.request.cdb).map_or("command", |c| c.name());
        match outcome {
            Err(error) => {
                if idempotent(c.request.opcode()) && self.retries < TRANSPORT_RETRIES {
                    self.retries += 1;
                    self.ready = Some(c);
                    return;
                }
                let e = EngineError::Transport {
                    phase: self.phase,
                    command: name,
                    error,
                    confirmed: Confirmed(self.last_written),
                };
                self.fail(e);
            }
            Ok(resp) if resp.is_good() => {
                if c.request.opcode() != ReadCd::OPCODE {
                    self.retries = 0;
                }
                self.retry_since = None;
                if let Err(e) = self.on_good(&c, resp) {
                    self.fail(e);
                }
            }
            Ok(ScsiResponse {
                status: ScsiStatus::CheckCondition(Some(sense)),
                ..
            }) => self.on_check(c, name, sense),
            Ok(_) => self.fail(EngineError::NoSense {
                phase: self.phase,
                command: name,
                confirmed: Confirmed(self.last_written),
            }),
        }
    }

    fn on_check(&mut self, c: InFlight, name: &'static str, sense: crate::wire::sense::SenseRepr) {
        let s = sense.sense;
        // Steps that expect some failures.
        match (self.sent_step, s.key, s.asc) {
            (Some(Step::WaitReady), SenseKey::NotReady, 0x3a) => {
                return self.fail(EngineError::NoMedium);
            }
            (Some(Step::Opc), SenseKey::IllegalRequest, 0x20 | 0x24) => {
                // The drive has no OPC command: it calibrates on its own.
                self.step = None;
                return;
            }
            (Some(Step::ModeSense), SenseKey::IllegalRequest, _) => {
                self.page = None;
                self.step = None;
                return;
            }
            _ => {}
        }
        let now = self.now;
        let since = *self.retry_since.get_or_insert(now);
        match s.disposition() {
            // A reset or a changed disc after writing began: the drive's
            // buffer and the session are gone.
            Disposition::Retry { .. }
                if s.key == SenseKey::UnitAttention && self.phase != Phase::Preparing => {}
            Disposition::Retry { after_ms } => {
                let within = match s.key {
                    SenseKey::UnitAttention => self.retries < ATTENTION_LIMIT,
                    SenseKey::NotReady => now.saturating_sub(since) < BUSY_LIMIT,
                    _ => self.retries < TRANSPORT_RETRIES,
                };
                if within {
                    // Back off: the delay the sense suggests, doubling with
                    // each retry up to 2 s.
                    let delay = if after_ms == 0 {
                        0
                    } else {
                        (after_ms as u64 * (1 << self.retries.min(4))).min(500)
                    };
                    self.retries += 1;
                    self.wake_at = Some(now + Duration::from_millis(delay));
                    self.retry = Some(c);
                    return;
                }
            }
            Disposition::Proceed => {
                if let Err(e) = self.on_good(&c, ScsiResponse::good(Vec::new())) {
                    self.fail(e);
                }
                return;
            }
            _ => {}
        }
        let at = sense.information.map(|i| Lba(i as i32));
        self.fail(EngineError::Drive {
            phase: self.phase,
            command: name,
            sense: s,
            at,
            confirmed: Confirmed(self.last_written),
        });
    }

    /// A command passed: take in its answer.
    fn on_good(&mut self, c: &InFlight, resp: ScsiResponse) -> Result<(), EngineError> {
        let name = Command::parse(&c.request.cdb).map_or("command", |c| c.name());
        let bad = |why: String| EngineError::Reply {
            phase: self.phase,
            command: name,
            why,
        };
        if let Some((lba, n)) = c.write {
            if c.request.opcode() == ReadCd::OPCODE {
                if resp.data.len() < n as usize * 2352 && self.retries < TRANSPORT_RETRIES {
                    // Cut short on the way: read the same sectors again.
                    self.retries += 1;
                    self.ready = Some(c.clone());
                    return Ok(());
                }
                self.retries = 0;
                return self.compare(lba, n, &resp.data);
            }
            let last = Lba(lba.get() + n as i32 - 1);
            self.last_written = Some(last);
            self.written += n as u64;
            self.rate.add(self.now, self.written);
            let action = self.action_at(Lba(
                last.get() - self.section.map_or(0, |s| self.shift_of(&s))
            ));
            self.emit(action, None, false);
            return Ok(());
        }
        if c.request.opcode() == ReadBufferCapacity::OPCODE {
            if let Ok(BufferCapacityRepr::Bytes { length, blank }) =
                BufferCapacityRepr::parse(&resp.data)
            {
                self.drive_buffer = (length as u64, blank as u64);
            }
            return Ok(());
        }
        if short_reply(&c.request, &resp.data) && self.retries < TRANSPORT_RETRIES {
            // The reply says it holds more than came: read it again.
            self.retries += 1;
            self.ready = Some(c.clone());
            return Ok(());
        }
        let Some(step) = self.sent_step.take() else {
            return Ok(());
        };
        self.step = None;
        match step {
            Step::Inquiry => {
                let i = InquiryRepr::parse(&resp.data).map_err(|e| bad(e.to_string()))?;
                if !i.is_mmc() {
                    return Err(EngineError::NotOptical(i.device_type));
                }
                self.info.vendor = i.vendor;
                self.info.product = i.product;
                self.info.revision = i.revision;
            }
            Step::Configuration => {
                let cfg = ConfigurationRepr::parse(&resp.data).map_err(|e| bad(e.to_string()))?;
                self.info.profile = cfg.current_profile;
                for f in &cfg.features {
                    match f.feature {
                        Feature::CdTrackAtOnce {
                            buf,
                            test_write,
                            data_types,
                            ..
                        } if f.current => {
                            self.info.tao = true;
                            self.info.bufe |= buf;
                            self.info.test_write |= test_write;
                            self.info.tao_data_types = data_types;
                        }
                        Feature::CdMastering {
                            buf,
                            sao,
                            raw,
                            test_write,
                            rw,
                            ..
                        } if f.current => {
                            self.info.sao = sao;
                            self.info.raw = raw;
                            self.info.rw = rw;
                            self.info.bufe |= buf;
                            self.info.test_write |= test_write;
                        }
                        _ => {}
                    }
                }
                if !matches!(cfg.current_profile, 0x0009 | 0x000a) {
                    return Err(if cfg.current_profile == 0 {
                        EngineError::NoMedium
                    } else {
                        EngineError::NotRecordable(cfg.current_profile)
                    });
                }
            }
            Step::DiscInfo => {
                let d = DiscInfoRepr::parse(&resp.data).map_err(|e| bad(e.to_string()))?;
                self.info.disc_status = d.status.code();
                self.info.erasable = d.erasable;
                match d.status {
                    DiscStatus::Empty => {}
                    DiscStatus::Appendable => return Err(EngineError::NotBlank("appendable")),
                    DiscStatus::Complete => return Err(EngineError::NotBlank("finalized")),
                    _ => return Err(EngineError::NotBlank("in an unknown state")),
                }
            }
            Step::Atip => {
                let a = AtipRepr::parse(&resp.data).map_err(|e| bad(e.to_string()))?;
                self.info.lead_in = Some(Lba(a.lead_in_start_lba()));
                self.info.last_lead_out = Some(Lba(a.last_lead_out_lba()));
            }
            Step::ModeSense => {
                let list = ModeParameterList::parse(&resp.data).map_err(|e| bad(e.to_string()))?;
                self.page = list.write_parameters().cloned();
            }
            Step::Lock(on) => self.locked = on,
            Step::Nwa(track) => {
                let t = TrackInfoRepr::parse(&resp.data).map_err(|e| bad(e.to_string()))?;
                let nwa = t
                    .next_writable
                    .ok_or_else(|| bad("no next writable address".to_string()))?;
                let planned = self.disc.tracks().get(track).map_or(Lba::ZERO, |t| t.start);
                if let Some(s) = self.shifts.get_mut(track) {
                    *s = nwa - planned.get();
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Compares `n` blocks read back from `lba` with the image.
    fn compare(&mut self, lba: Lba, n: u32, data: &[u8]) -> Result<(), EngineError> {
        let tao = self.plan.as_ref().is_some_and(|p| p.mode == WriteMode::Tao);
        let exact = self.options.verify == Some(Verify::Exact) && !tao;
        let Some((_, got_n, expected)) = self.feed.as_mut().and_then(|f| f.take(n)) else {
            return Err(EngineError::Misuse("read back with nothing to compare"));
        };
        if got_n != n || data.len() != expected.len() {
            return Err(EngineError::Mismatch {
                lba: lba.get(),
                what: format!("the drive returned {} bytes for {n} sectors", data.len()),
            });
        }
        for (k, (got, want)) in data
            .chunks_exact(2352)
            .zip(expected.chunks_exact(2352))
            .enumerate()
        {
            let at = lba.get() + k as i32;
            if let Some(what) = differ(got, want, exact) {
                return Err(EngineError::Mismatch { lba: at, what });
            }
        }
        self.verified = true;
        Ok(())
    }

    /// Chooses the mode, builds the plan, checks the capacity and lays out
    /// the remaining steps.
    fn decide(&mut self) -> Result<(), EngineError> {
        let (mode, reason) = choose(
            self.options.mode,
            self.needs,
            &self.info,
            self.options.simulate,
        )
        .map_err(EngineError::Mode)?;
        let lead_in = self.info.lead_in.unwrap_or(Lba(-11635));
        let p = plan(&self.disc, mode, lead_in)?;
        // The lead-out must start by the media's last possible start.
        let needs = match mode {
            WriteMode::Tao => tao_leadout(&self.disc).get(),
            _ => self.disc.leadout().get(),
        };
        if let Some(holds) = self.info.last_lead_out
            && needs > holds.get()
        {
            let time = |l: i32| {
                Lba(l)
                    .to_disc_time()
                    .map_or_else(|_| "?".to_string(), |m: Msf| m.to_string())
            };
            return Err(EngineError::Capacity {
                needs,
                needs_time: time(needs),
                holds: holds.get(),
                holds_time: time(holds.get()),
            });
        }
        self.total = p.sectors();
        let sections = p.sections.len();
        self.reason = reason.clone();
        self.plan = Some(p);
        self.emit(
            Action::Preparing,
            Some(format!("writing in {reason}")),
            true,
        );
        let mut steps = vec![Step::ModeSense];
        match mode {
            WriteMode::Tao => {
                steps.extend([Step::Speed, Step::Lock(true)]);
                if self.options.opc {
                    steps.push(Step::Opc);
                }
                for i in 0..sections {
                    steps.extend([
                        Step::ModeSelect(Some(i)),
                        Step::Nwa(i),
                        Step::Write(i),
                        Step::Sync,
                        Step::WaitReady,
                    ]);
                }
                steps.extend([Step::CloseSession, Step::WaitReady]);
            }
            _ => {
                steps.extend([Step::ModeSelect(None), Step::Speed, Step::Lock(true)]);
                if self.options.opc {
                    steps.push(Step::Opc);
                }
                if mode == WriteMode::Sao {
                    steps.push(Step::Cue);
                }
                steps.extend((0..sections).map(Step::Write));
                steps.extend([Step::Sync, Step::WaitReady]);
            }
        }
        steps.push(Step::Lock(false));
        if self.options.verify.is_some() && !self.options.simulate {
            steps.extend((0..self.verify_sections().len()).map(Step::Verify));
        }
        if self.options.eject {
            steps.push(Step::Eject);
        }
        self.steps.extend(steps);
        Ok(())
    }

    /// The Write Parameters page for the mode (and TAO track).
    fn write_parameters(&self, track: Option<usize>) -> WriteParametersPage {
        let mode = self.plan.as_ref().map_or(WriteMode::Raw96r, |p| p.mode);
        let base = self.page.clone();
        let write_type = match mode {
            WriteMode::Tao => WriteType::Tao,
            WriteMode::Sao => WriteType::Sao,
            _ => WriteType::Raw,
        };
        let mut p = base.unwrap_or_else(|| WriteParametersPage::new(write_type));
        p.write_type = write_type;
        p.test_write = self.options.simulate;
        p.bufe = self.options.bufe && self.info.bufe;
        p.ls_v = false;
        p.fp = false;
        p.packet_size = 0;
        p.multi_session = if self.options.finalize || mode.raw_block_type().is_some() {
            MultiSession::Finalize
        } else {
            MultiSession::NextSession
        };
        p.session_format = self.disc.disc_type().code();
        p.copy = false;
        p.track_mode = 0;
        p.isrc = None;
        p.mcn = None;
        p.audio_pause_length = PREGAP_SECTORS as u16;
        p.data_block_type = DataBlockType::from_code(match mode {
            WriteMode::Sao if self.needs.cdtext => 3,
            m => m.raw_block_type().unwrap_or(0),
        });
        if let Some(i) = track {
            let tracks = self.disc.tracks();
            if let (Some(t), Some(s)) = (
                tracks.get(i),
                self.plan.as_ref().and_then(|pl| pl.sections.get(i)),
            ) {
                p.track_mode = t.control & 0x0f;
                p.copy = t.copy == CopySetting::Scms;
                p.data_block_type = DataBlockType::from_code(s.block_type);
                p.isrc = t.isrc.map(|x| x.as_str().to_string());
                p.mcn = self.disc.project().mcn.map(|m| m.to_string());
                if t.is_audio() && i > 0 {
                    p.audio_pause_length = t.pregap_sectors().min(u16::MAX as u32) as u16;
                }
                if let Some(sub) = t.encoder.subheader() {
                    p.subheader = sub.to_bytes();
                }
            }
        }
        p
    }

    /// The ranges read back: the program area for RAW and SAO, each
    /// track's data for TAO (whose tracks move).
    pub(super) fn verify_sections(&self) -> Vec<Section> {
        let whole = |start: Lba, end: Lba, track| Section {
            start,
            blocks: end.since(start).max(0) as u32,
            subchannel: SubchannelFormat::None,
            scramble: false,
            slice: Slice::whole(2352),
            track,
            block_type: 0,
        };
        match self.plan.as_ref().map(|p| p.mode) {
            Some(WriteMode::Tao) => self
                .disc
                .tracks()
                .iter()
                .enumerate()
                .map(|(i, t)| whole(t.start, t.data_end, Some(i)))
                .collect(),
            Some(_) => vec![whole(Lba::ZERO, self.disc.leadout(), None)],
            None => Vec::new(),
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

/// Where TAO puts the lead-out: each track moves by the run-out blocks and
/// TAO pregaps (150 for data, the plan's pregap as the audio pause).
fn tao_leadout(disc: &layout::disc::Disc) -> Lba {
    let mut pos = 0i32;
    for (i, t) in disc.tracks().iter().enumerate() {
        if i > 0 {
            pos += if t.is_audio() {
                t.pregap_sectors() as i32
            } else {
                PREGAP_SECTORS
            };
        }
        pos += t.end.since(t.start) as i32 + 2;
    }
    Lba(pos)
}

/// Whether a command can be sent again when its outcome is unknown:
/// everything but WRITE, CLOSE, BLANK and RESERVE, which move the disc
/// on (setting a page, speed or lock again, sending the cue sheet again
/// before writing, flushing twice change nothing).
fn idempotent(opcode: u8) -> bool {
    !matches!(opcode, 0x2a | 0xaa | 0x5b | 0xa1 | 0x53)
}

/// Whether a reply came shorter than its own length field says (and than
/// the allocation length allowed): cut on the way.
fn short_reply(request: &ScsiRequest, data: &[u8]) -> bool {
    let asked = request.data.len() as usize;
    let be16 = |at: usize| {
        data.get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
    };
    let declared = match request.opcode() {
        // INQUIRY: additional length in byte 4.
        0x12 => data.get(4).map(|&n| n as usize + 5),
        // GET CONFIGURATION: a 4-byte length.
        0x46 => data
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

/// Why a read-back sector differs from the image, if it does.
fn differ(got: &[u8], want: &[u8], exact: bool) -> Option<String> {
    if got == want {
        return None;
    }
    let first = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(0);
    if exact {
        return Some(format!("byte {first} of the sector"));
    }
    let (Ok(g), Ok(w)) = (<&[u8; 2352]>::try_from(got), <&[u8; 2352]>::try_from(want)) else {
        return Some("sector size".to_string());
    };
    let expected = check_sector(w, Default::default());
    let user = match expected.kind {
        SectorKind::Audio => return Some(format!("audio sample byte {first}")),
        SectorKind::Mode1 => 16..2064,
        SectorKind::Mode2Form1 => 24..2072,
        SectorKind::Mode2Form2 => 24..2348,
        _ => 16..2352,
    };
    let report = check_sector(g, Default::default());
    if !report.is_consistent() {
        return Some("the sector read back has a bad EDC/ECC".to_string());
    }
    if g[user.clone()] != w[user] {
        return Some(format!("user data (byte {first})"));
    }
    None
}

fn step_name(step: Step) -> &'static str {
    match step {
        Step::WaitReady => "waiting for the drive",
        Step::Inquiry => "identifying the drive",
        Step::Configuration => "reading the drive's features",
        Step::DiscInfo => "reading the disc's state",
        Step::Atip => "reading the ATIP",
        Step::ModeSense => "reading the write parameters",
        Step::ModeSelect(_) => "setting the write parameters",
        Step::Speed => "setting the speed",
        Step::Opc => "calibrating the laser",
        Step::Lock(_) => "locking the tray",
        Step::Cue => "sending the cue sheet",
        Step::Nwa(_) => "asking for the next writable address",
        Step::Sync => "flushing the drive's buffer",
        Step::CloseSession => "closing the session",
        Step::Eject => "ejecting",
        _ => "working",
    }
}
