//! Preparing a burn: what the drive's answers while preparing say about
//! it and its disc, choosing the mode, the plan's steps and the Write
//! Parameters page.

use super::Engine;
use super::confirm::state_of;
use super::error::{EngineError, ReplyError};
use super::event::Action;
use super::given;
use super::options::{WriteMode, choose};
use super::plan::plan;
use super::steps::Step;
use crate::wire::config::{ConfigurationRepr, Feature};
use crate::wire::disc_info::{DiscInfoRepr, DiscStatus, SessionState};
use crate::wire::inquiry::InquiryRepr;
use crate::wire::mode::{
    DataBlockType, ModeParameterList, MultiSession, WriteParametersPage, WriteType,
};
use crate::wire::performance::WriteSpeedsRepr;
use crate::wire::toc::TocRepr;
use crate::wire::toc::atip::AtipRepr;
use crate::wire::track_info::TrackInfoRepr;
use layout::disc::CopySetting;
use layout::disc::sessions::LATER_SESSION_LEAD_IN;
use layout::msf::{Lba, Msf, PREGAP_SECTORS};

impl Engine {
    /// Takes in the answer to a step's command.
    pub(super) fn on_step_reply(
        &mut self,
        step: Step,
        command: &'static str,
        data: &[u8],
    ) -> Result<(), EngineError> {
        let bad = |why: ReplyError| EngineError::Reply {
            phase: self.phase,
            command,
            why,
        };
        match step {
            Step::Inquiry => {
                let i = InquiryRepr::parse(data).map_err(|e| bad(e.into()))?;
                if !i.is_mmc() {
                    return Err(EngineError::NotOptical(i.device_type));
                }
                self.info.vendor = i.vendor;
                self.info.product = i.product;
                self.info.revision = i.revision;
            }
            Step::Configuration => {
                let cfg = ConfigurationRepr::parse(data).map_err(|e| bad(e.into()))?;
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
                let d = DiscInfoRepr::parse(data).map_err(|e| bad(e.into()))?;
                self.info.disc_status = d.status.code();
                self.info.erasable = d.erasable;
                match d.status {
                    DiscStatus::Empty => {}
                    // A session is added in track at once, after closed
                    // ones (not into an incomplete one): the drive places
                    // and numbers its tracks after the last ones.
                    DiscStatus::Appendable
                        if d.last_session == SessionState::Empty
                            && matches!(
                                self.options.mode,
                                WriteMode::Auto | WriteMode::Tao | WriteMode::Sao
                            ) =>
                    {
                        self.append = Some(super::Append {
                            first_track: u8::try_from(d.first_track_last_session).unwrap_or(0),
                            start: None,
                        });
                        self.steps.push_front(Step::NextSession);
                    }
                    DiscStatus::Appendable if d.last_session == SessionState::Empty => {
                        return Err(EngineError::NotBlank(
                            "appendable: a session is added in tao or sao",
                        ));
                    }
                    DiscStatus::Appendable => return Err(EngineError::NotBlank("appendable")),
                    DiscStatus::Complete => return Err(EngineError::NotBlank("finalized")),
                    _ => return Err(EngineError::NotBlank("in an unknown state")),
                }
            }
            Step::Atip => {
                let a = AtipRepr::parse(data).map_err(|e| bad(e.into()))?;
                self.info.lead_in = Some(Lba(a.lead_in_start_lba()));
                self.info.last_lead_out = Some(Lba(a.last_lead_out_lba()));
            }
            Step::NextSession => {
                let t = TrackInfoRepr::parse(data).map_err(|e| bad(e.into()))?;
                let nwa = t
                    .next_writable
                    .ok_or_else(|| bad(ReplyError::Missing("no next writable address")))?;
                if let Some(a) = self.append.as_mut() {
                    a.start = Some(Lba(nwa));
                }
            }
            Step::Speeds => {
                // A reply that cannot be read leaves the speeds unknown,
                // as a drive without descriptors does.
                if let Ok(w) = WriteSpeedsRepr::parse(data) {
                    self.info.write_speeds = w
                        .descriptors
                        .iter()
                        .map(|d| d.write_speed.min(u32::from(u16::MAX)) as u16)
                        .collect();
                }
            }
            Step::ModeSense => {
                let list = ModeParameterList::parse(data).map_err(|e| bad(e.into()))?;
                self.page = list.write_parameters().cloned();
            }
            Step::Lock(on) => self.locked = on,
            Step::Nwa(track) => {
                let t = TrackInfoRepr::parse(data).map_err(|e| bad(e.into()))?;
                let nwa = t
                    .next_writable
                    .ok_or_else(|| bad(ReplyError::Missing("no next writable address")))?;
                // Where track at once puts the track: the previous one
                // ended where the burn wrote it.
                let expected = self.tao_positions().0.get(track).copied();
                if let Some(e) = expected
                    && e.get() != nwa
                {
                    let number = self.disc.tracks().get(track).map_or(0, |t| t.number.get());
                    return Err(self.not_confirmed(format!(
                        "it would start track {number} at lba {nwa}, not {}",
                        e.get()
                    )));
                }
                let planned = self.disc.tracks().get(track).map_or(Lba::ZERO, |t| t.start);
                if let Some(s) = self.shifts.get_mut(track) {
                    *s = nwa - planned.get();
                }
            }
            Step::Confirm | Step::DiscState => {
                let d = DiscInfoRepr::parse(data).map_err(|e| bad(e.into()))?;
                self.disc_after = Some(state_of(&d));
                if step == Step::Confirm {
                    self.confirm_disc(&d)?;
                }
            }
            Step::ConfirmToc => {
                let toc = TocRepr::parse(data, false).map_err(|e| bad(e.into()))?;
                self.confirm_toc(&toc)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Chooses the mode, builds the plan, checks the capacity and lays out
    /// the remaining steps.
    pub(super) fn decide(&mut self) -> Result<(), EngineError> {
        let asked = match (self.append, self.options.mode) {
            (Some(_), WriteMode::Sao) => WriteMode::Sao,
            (Some(_), _) => WriteMode::Tao,
            (None, mode) => mode,
        };
        let (mode, reason) = choose(asked, self.needs, &self.info, self.options.simulate)
            .map_err(EngineError::Mode)?;
        let reason = match (self.append, self.options.mode) {
            (Some(a), WriteMode::Auto) => format!(
                "tao: a session added to an appendable disc (its tracks numbered from {})",
                a.first_track
            ),
            _ => reason,
        };
        if matches!(mode, WriteMode::Sao | WriteMode::Tao) && self.needs.given && !self.checked {
            // SAO and TAO send user data and the drive builds the rest:
            // first make sure every sector kept as given is what it
            // builds, then choose again.
            self.checked = true;
            self.steps.push_front(Step::Decide);
            for i in (0..given::regions(&self.disc).len()).rev() {
                self.steps.push_front(Step::CheckGiven(i));
            }
            return Ok(());
        }
        // A later session's lead-in is 4500 sectors before its first
        // pregap; its plan is laid out from LBA 0 and moved to the
        // session's start (`base`) on its way to the drive.
        let base = self.append.and_then(|a| a.start).map_or(0, Lba::get);
        let lead_in = match self.append {
            Some(_) => Lba(-PREGAP_SECTORS - LATER_SESSION_LEAD_IN),
            None => self.info.lead_in.unwrap_or(Lba(-11635)),
        };
        let mut p = plan(&self.disc, mode, lead_in)?;
        if let (Some(a), WriteMode::Sao) = (self.append, mode) {
            let offset = a.first_track.saturating_sub(self.disc.first_track().get());
            p.cue = p.cue.map(|c| moved_cue(&c, base, offset));
            self.shifts.iter_mut().for_each(|s| *s = base);
            self.base = base;
        }
        // The lead-out must start by the media's last possible start.
        let needs = match mode {
            WriteMode::Tao => self.tao_positions().1.get(),
            _ => self.disc.leadout().get() + base,
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
        // SAO and TAO leave the lead-out to the drive (its last possible
        // length: 6750 sectors, 90 s at 1x).
        self.progress.lead_out = match mode {
            WriteMode::Sao | WriteMode::Tao => 6750,
            _ => 0,
        };
        let sections = p.sections.len();
        let (write_kbs, speed) = super::write_speed(self.options.speed, &self.info.write_speeds);
        self.write_kbs = write_kbs;
        let message = match &speed {
            Some(speed) => format!("writing in {reason}, {speed}"),
            None => format!("writing in {reason}"),
        };
        self.reason = reason;
        self.speed_note = speed;
        self.plan = Some(p);
        if self.options.verify.is_some() {
            self.progress.to_verify = self
                .verify_sections()
                .iter()
                .map(|s| u64::from(s.blocks))
                .sum();
        }
        self.emit(Action::Preparing, Some(message), true);
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
                steps.extend([Step::CloseSession, Step::WaitReady, Step::Confirm]);
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
                steps.extend([Step::Sync, Step::WaitReady, Step::Confirm]);
            }
        }
        if !self.options.simulate {
            steps.push(Step::ConfirmToc);
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
    pub(super) fn write_parameters(&self, track: Option<usize>) -> WriteParametersPage {
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
}

/// A cue sheet laid out from LBA 0, moved to a session starting at `base`
/// with its tracks numbered `offset` higher: every position entry's time
/// (the lead-in's too) and every track number.
fn moved_cue(cue: &[u8], base: i32, offset: u8) -> Vec<u8> {
    let mut out = cue.to_vec();
    for e in out.chunks_exact_mut(8) {
        match e[0] & 0x0f {
            // A position: TNO, then the time in bytes 5-7.
            1 => {
                if (1..=0x63).contains(&e[1]) {
                    e[1] = e[1].saturating_add(offset);
                }
                if let Ok(t) = Msf::new(e[5], e[6], e[7])
                    && let Ok(m) = Lba(t.to_lba().get() + base).to_msf()
                {
                    (e[5], e[6], e[7]) = (m.minute(), m.second(), m.frame());
                }
            }
            // An ISRC's first entry names its track.
            3 if (1..=0x63).contains(&e[1]) => e[1] = e[1].saturating_add(offset),
            _ => {}
        }
    }
    out
}
