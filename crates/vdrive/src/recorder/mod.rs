//! The MMC recorder: what a USB CD-R/RW burner does with each command.
//!
//! [`Recorder`] implements [`ScsiTarget`]: commands come in as CDBs with
//! the virtual time, replies go out as data and a status, and sense data
//! wait for REQUEST SENSE. The disc lives in a [`SectorStore`]; its state
//! ([`DiscMeta`]) is saved with it whenever it changes.
//!
//! The behaviour follows `cd-standards.md` §6: media and ATIP, profiles and
//! features, disc and track information that follow the disc, write
//! parameters checked like a drive checks them, cue sheets, sequential
//! writing in TAO, SAO and RAW, a buffer that drains at the recording
//! speed, 2/04/08 while it flushes, simulation, blanking, READ CD and READ
//! TOC from what was recorded, the tray and its lock, unit attentions.

mod identify;
mod read;
mod write;

use crate::buffer::{DriveBuffer, Speed};
use crate::disc::DiscMeta;
use crate::faults::{FaultPlan, FaultState};
use crate::media::MediaSpec;
use crate::recording::{Recording, SaoPlan, WriteSetup};
use crate::scsi::{Begin, Completion, ScsiTarget};
use crate::store::{DiscardStore, SectorStore, StoreError};
use layout::msf::Lba;
use mmc::wire::command::Command;
use mmc::wire::mode::WriteParametersPage;
use mmc::wire::sense::{Sense, SenseKey, SenseRepr};
use std::time::Duration;

/// 1× CD speed in kB/s (k = 1000) as SET CD SPEED and GET PERFORMANCE
/// count it: 75 sectors of 2352 bytes per second.
pub use mmc::wire::performance::KBS_1X;

/// What kind of drive to be.
#[derive(Debug, Clone, PartialEq)]
pub struct RecorderConfig {
    /// INQUIRY vendor (8 characters at most).
    pub vendor: String,
    /// INQUIRY product (16 at most).
    pub product: String,
    /// INQUIRY revision (4 at most).
    pub revision: String,
    /// Serial number (INQUIRY page 80h).
    pub serial: String,
    /// Write buffer in bytes.
    pub buffer_bytes: usize,
    /// Write speeds offered, in multiples of 1×, ascending.
    pub write_speeds: Vec<u16>,
    /// Maximum read speed, × 1.
    pub read_speed: u16,
    /// Record at once instead of at the chosen speed (for tests that do
    /// not care about time).
    pub instant: bool,
    /// Report a power-on unit attention (6/29/00) to the first command.
    pub power_on_attention: bool,
    /// The longest cue sheet the drive takes, in bytes.
    pub max_cue_sheet: u32,
}

impl Default for RecorderConfig {
    fn default() -> RecorderConfig {
        RecorderConfig {
            vendor: "RAWBURN".into(),
            product: "Virtual CD-RW".into(),
            revision: "1.0".into(),
            serial: "VD0000000001".into(),
            buffer_bytes: 2 << 20,
            write_speeds: vec![4, 8, 16, 24, 32, 40, 48],
            read_speed: 48,
            instant: false,
            power_on_attention: true,
            max_cue_sheet: 0x0001_0000,
        }
    }
}

/// A long operation under way (flushing, closing, blanking, calibrating).
#[derive(Debug, Clone, Copy)]
struct Busy {
    from: Duration,
    until: Duration,
    /// What commands get meanwhile (2/04/08, 2/04/07).
    sense: Sense,
}

/// A virtual MMC CD recorder.
#[derive(Debug)]
pub struct Recorder<S> {
    config: RecorderConfig,
    store: S,
    tray_open: bool,
    locked: bool,
    disc: Option<DiscMeta>,
    /// A simulated session's view of the disc (test write records
    /// nothing, but the drive walks through the session as if).
    simulated: Option<DiscMeta>,
    page: WriteParametersPage,
    setup: WriteSetup,
    cue: Option<SaoPlan>,
    recording: Option<Recording>,
    /// A recording the current WRITE would start, until its data comes,
    /// and the frames the drive makes before the host's first block.
    staged: Option<Recording>,
    staged_frames: Vec<crate::recording::Frame>,
    /// Whether the frames in the buffer are a simulation's.
    buffer_simulated: bool,
    buffer: DriveBuffer,
    write_kbs: u16,
    read_kbs: u16,
    sense: SenseRepr,
    attention: Option<Sense>,
    busy: Option<Busy>,
    /// An error found after its command completed (an underrun), reported
    /// by the next WRITE, SYNCHRONIZE CACHE or CLOSE.
    deferred: Option<SenseRepr>,
    faults: FaultState,
}

impl<S: SectorStore> Recorder<S> {
    /// A drive with an empty, closed tray.
    pub fn new(store: S, config: RecorderConfig) -> Recorder<S> {
        let top = config.write_speeds.last().copied().unwrap_or(1).max(1);
        let speed = if config.instant {
            Speed::Unlimited
        } else {
            Speed::times(top as f64)
        };
        let setup = WriteSetup::default();
        Recorder {
            attention: config.power_on_attention.then_some(Sense::POWER_ON_RESET),
            buffer: DriveBuffer::new(config.buffer_bytes, speed),
            write_kbs: kbs(top),
            read_kbs: kbs(config.read_speed),
            page: page_of(&setup),
            setup,
            config,
            store,
            tray_open: false,
            locked: false,
            disc: None,
            simulated: None,
            cue: None,
            recording: None,
            staged: None,
            staged_frames: Vec::new(),
            buffer_simulated: false,
            sense: SenseRepr::new(Sense::NONE),
            busy: None,
            deferred: None,
            faults: FaultState::default(),
        }
    }

    /// Puts a blank disc of `media` in the drive (erasing the store), as a
    /// user would: the tray closes and the drive reports the new medium.
    ///
    /// ## Errors
    ///
    /// [`StoreError`] when the store cannot be erased or the state saved.
    pub fn insert_blank(&mut self, media: MediaSpec) -> Result<(), StoreError> {
        self.store.erase()?;
        self.load(DiscMeta::blank(media))
    }

    /// Puts a disc whose frames are already in the store (a `.vdisc`
    /// opened again) in the drive.
    ///
    /// ## Errors
    ///
    /// [`StoreError`] when the state cannot be saved.
    pub fn load(&mut self, meta: DiscMeta) -> Result<(), StoreError> {
        self.abort_recording("the disc was changed")?;
        self.disc = Some(meta);
        self.simulated = None;
        self.tray_open = false;
        self.attention = Some(Sense::MEDIUM_CHANGED);
        self.save()
    }

    /// Takes the disc out (tray left open); a locked tray stays shut. A
    /// recording under way leaves the disc damaged; when its state cannot
    /// be saved the next WRITE, SYNCHRONIZE CACHE or CLOSE reports a
    /// hardware error.
    pub fn remove(&mut self) -> Option<DiscMeta> {
        if self.locked {
            return None;
        }
        if self
            .abort_recording("the disc was removed during recording")
            .is_err()
        {
            self.deferred = Some(deferred(STORE_FAILURE));
        }
        self.tray_open = true;
        self.simulated = None;
        self.disc.take()
    }

    /// The disc in the drive.
    pub fn disc(&self) -> Option<&DiscMeta> {
        self.disc.as_ref()
    }

    /// The store holding the disc's frames.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The store, mutably.
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// The drive's buffer (fill, links, underrun).
    pub fn buffer(&self) -> &DriveBuffer {
        &self.buffer
    }

    /// Whether the tray is locked (PREVENT ALLOW MEDIUM REMOVAL).
    pub fn locked(&self) -> bool {
        self.locked
    }

    /// Whether the tray is open.
    pub fn tray_open(&self) -> bool {
        self.tray_open
    }

    /// The current write parameters page.
    pub fn write_parameters(&self) -> &WriteParametersPage {
        &self.page
    }

    /// Gives the store back.
    pub fn into_store(self) -> S {
        self.store
    }

    /// Switches the drive off: what its buffer holds is lost, a recording
    /// under way leaves the disc damaged, the state is saved.
    ///
    /// ## Errors
    ///
    /// [`StoreError`] when the state cannot be saved.
    pub fn power_off(&mut self) -> Result<(), StoreError> {
        if self.recording.is_some() || self.staged.is_some() {
            self.abort_recording("the drive was switched off during recording")?;
        }
        self.buffer.discard();
        self.save()
    }

    /// Runs one command with its data out, all at once (for callers that
    /// drive the recorder at the SCSI level rather than over USB).
    pub fn execute(&mut self, cdb: &[u8], data_out: &[u8], now: Duration) -> Completion {
        match self.begin(cdb, now) {
            Begin::Done(c) => c,
            Begin::DataOut(n) if n == data_out.len() => self.finish(cdb, data_out, now),
            Begin::DataOut(_) => self.fail(Sense::PARAMETER_LENGTH_ERROR, now),
        }
    }

    /// The sense data REQUEST SENSE would return now (without clearing
    /// them).
    pub fn sense(&self) -> SenseRepr {
        self.sense
    }

    fn fail(&mut self, sense: Sense, now: Duration) -> Completion {
        self.fail_with(SenseRepr::new(sense), now)
    }

    fn fail_at(&mut self, sense: Sense, lba: Lba, now: Duration) -> Completion {
        self.fail_with(
            SenseRepr {
                information: Some(lba.get() as u32),
                ..SenseRepr::new(sense)
            },
            now,
        )
    }

    fn fail_with(&mut self, sense: SenseRepr, now: Duration) -> Completion {
        self.sense = sense;
        Completion::check(now)
    }

    fn good(&mut self, data: Vec<u8>, now: Duration) -> Completion {
        self.sense = SenseRepr::new(Sense::NONE);
        Completion::good(data, now)
    }

    /// Data-in reply cut to the allocation length.
    fn reply(&mut self, mut data: Vec<u8>, alloc: usize, now: Duration) -> Completion {
        data.truncate(alloc);
        self.good(data, now)
    }

    /// The disc, if one is in the closed tray; else the NOT READY sense.
    fn medium(&self) -> Result<&DiscMeta, Sense> {
        match (&self.disc, self.tray_open) {
            (_, true) => Err(TRAY_OPEN),
            (None, false) => Err(TRAY_CLOSED_EMPTY),
            (Some(d), false) => Ok(d),
        }
    }

    /// The disc as the drive sees it now: a simulation's copy during a
    /// simulated session.
    fn view(&self) -> Result<&DiscMeta, Sense> {
        self.medium()?;
        self.simulated
            .as_ref()
            .or(self.disc.as_ref())
            .ok_or(Sense::NO_MEDIUM)
    }

    fn save(&mut self) -> Result<(), StoreError> {
        if let Some(d) = &self.disc {
            let json = serde_json::to_vec(d).map_err(|e| StoreError(format!("disc state: {e}")))?;
            self.store.save_meta(&json)?;
        }
        Ok(())
    }

    /// Saves the state, turning a store failure into a hardware error.
    fn saved(&mut self) -> Result<(), Sense> {
        self.save().map_err(|_| STORE_FAILURE)
    }

    /// Ends a recording that cannot go on: the disc keeps what was
    /// recorded and is marked damaged (a simulation just ends).
    ///
    /// ## Errors
    ///
    /// [`StoreError`] when the damaged state cannot be saved.
    fn abort_recording(&mut self, why: &str) -> Result<(), StoreError> {
        let simulated = self.buffer_simulated;
        self.staged = None;
        let mut saved = Ok(());
        if self.recording.take().is_some() && !simulated {
            if let Some(d) = &mut self.disc {
                d.damaged = Some(why.to_string());
            }
            saved = self.save();
        }
        self.buffer.discard();
        if simulated {
            self.simulated = None;
        }
        saved
    }

    /// Lets the buffer record up to `now`; an underrun without protection
    /// ends the recording with a deferred 3/0C/09.
    fn advance(&mut self, now: Duration) {
        let finishing = self.recording.as_ref().is_none_or(Recording::host_done);
        let result = if self.buffer_simulated {
            self.buffer
                .advance(now, &mut DiscardStore::default(), finishing)
        } else {
            self.buffer.advance(now, &mut self.store, finishing)
        };
        if result.is_err() {
            // The frames did not reach the disc: the drive failed, not the
            // medium.
            self.deferred = Some(deferred(STORE_FAILURE));
            let _ = self.abort_recording("the disc storage failed");
            return;
        }
        if let Some(lba) = self.buffer.underrun()
            && self.recording.is_some()
        {
            self.deferred = Some(SenseRepr {
                information: Some(lba.get() as u32),
                ..deferred(Sense::LOSS_OF_STREAMING)
            });
            if self
                .abort_recording(&format!("buffer underrun at lba {}", lba.get()))
                .is_err()
            {
                self.deferred = Some(deferred(STORE_FAILURE));
            }
        }
        if self.busy.is_some_and(|b| now >= b.until) {
            self.busy = None;
        }
    }

    /// Reports a deferred error, if any.
    fn take_deferred(&mut self, now: Duration) -> Option<Completion> {
        let d = self.deferred.take()?;
        Some(self.fail_with(d, now))
    }

    /// Starts a long operation from `now` to `until`.
    fn set_busy(&mut self, now: Duration, until: Duration, sense: Sense) {
        if until > now {
            self.busy = Some(Busy {
                from: now,
                until,
                sense,
            });
        }
    }

    /// The busy sense with its progress, while busy.
    fn busy_sense(&self, now: Duration) -> Option<SenseRepr> {
        let b = self.busy.filter(|b| now < b.until)?;
        let total = b.until.saturating_sub(b.from).as_secs_f64();
        let done = now.saturating_sub(b.from).as_secs_f64();
        let progress = if total > 0.0 {
            ((done / total) * 65536.0).min(65535.0) as u16
        } else {
            0
        };
        Some(SenseRepr {
            progress: Some(progress),
            ..SenseRepr::new(b.sense)
        })
    }

    /// Time for the drive to record `sectors` sectors itself.
    fn record_time(&self, sectors: i64) -> Duration {
        match self.buffer.speed() {
            Speed::Unlimited => Duration::ZERO,
            Speed::SectorsPerSecond(s) if s > 0.0 => {
                Duration::from_secs_f64(sectors.max(0) as f64 / s)
            }
            Speed::SectorsPerSecond(_) => Duration::MAX,
        }
    }
}

impl<S: SectorStore> ScsiTarget for Recorder<S> {
    fn begin(&mut self, cdb: &[u8], now: Duration) -> Begin {
        self.advance(now);
        self.staged = None;
        let command = match Command::parse(cdb) {
            Ok(c) => c,
            Err(_) => return Begin::Done(self.fail(Sense::INVALID_FIELD_IN_CDB, now)),
        };
        // Unit attention goes to the first command that is not INQUIRY,
        // REQUEST SENSE or GET CONFIGURATION.
        if !matches!(
            command,
            Command::Inquiry(_) | Command::RequestSense(_) | Command::GetConfiguration(_)
        ) && let Some(ua) = self.attention.take()
        {
            return Begin::Done(self.fail(ua, now));
        }
        if let Some(busy) = self.busy_sense(now) {
            let allowed = matches!(
                command,
                Command::Inquiry(_)
                    | Command::RequestSense(_)
                    | Command::GetConfiguration(_)
                    | Command::ModeSense10(_)
                    | Command::ReadBufferCapacity(_)
                    | Command::GetPerformance(_)
                    | Command::PreventAllowMediumRemoval(_)
            );
            if !allowed {
                return Begin::Done(self.fail_with(busy, now));
            }
        }
        if self.store.read_only()
            && matches!(
                command,
                Command::Write10(_)
                    | Command::Write12(_)
                    | Command::SendCueSheet(_)
                    | Command::CloseTrackSession(_)
                    | Command::ReserveTrack(_)
                    | Command::Blank(_)
                    | Command::SendOpcInfo(_)
            )
        {
            return Begin::Done(self.fail(WRITE_PROTECTED, now));
        }
        match command {
            Command::Write10(w) => self.begin_write(Lba(w.lba), w.blocks(), now),
            Command::Write12(w) => self.begin_write(Lba(w.lba), w.blocks, now),
            Command::ModeSelect10(m) => self.begin_mode_select(&m, now),
            Command::SendCueSheet(c) => self.begin_cue_sheet(&c, now),
            Command::SendOpcInfo(o) if o.param_len > 0 => Begin::DataOut(o.param_len as usize),
            other => Begin::Done(self.run(other, now)),
        }
    }

    fn finish(&mut self, cdb: &[u8], data: &[u8], now: Duration) -> Completion {
        self.advance(now);
        match Command::parse(cdb) {
            Ok(Command::Write10(w)) => self.finish_write(Lba(w.lba), w.blocks(), data, now),
            Ok(Command::Write12(w)) => self.finish_write(Lba(w.lba), w.blocks, data, now),
            Ok(Command::ModeSelect10(_)) => self.finish_mode_select(data, now),
            Ok(Command::SendCueSheet(_)) => self.finish_cue_sheet(data, now),
            Ok(Command::SendOpcInfo(o)) => self.send_opc(o.do_opc, now),
            _ => self.fail(Sense::INVALID_FIELD_IN_CDB, now),
        }
    }

    fn reject(&mut self, sense: Sense, now: Duration) -> Completion {
        self.advance(now);
        self.fail(sense, now)
    }

    fn tick(&mut self, now: Duration) {
        self.advance(now);
    }

    fn set_faults(&mut self, plan: FaultPlan) {
        self.faults = FaultState::new(plan);
    }
}

impl<S: SectorStore> Recorder<S> {
    /// Runs a command with no data out.
    fn run(&mut self, command: Command, now: Duration) -> Completion {
        match command {
            Command::TestUnitReady(_) => match self.medium() {
                Err(s) => self.fail(s, now),
                Ok(_) => self.good(Vec::new(), now),
            },
            Command::RequestSense(r) => {
                let sense = match self.busy_sense(now) {
                    Some(b) if self.sense.sense == Sense::NONE => b,
                    _ => self.sense,
                };
                let mut out = vec![0u8; 252];
                let len = if r.desc {
                    sense.emit_descriptor(&mut out)
                } else {
                    sense.emit(&mut out);
                    sense.buffer_len()
                };
                out.truncate(len);
                let reply = self.reply(out, r.alloc as usize, now);
                self.sense = SenseRepr::new(Sense::NONE);
                reply
            }
            Command::Inquiry(i) => self.inquiry(&i, now),
            Command::StartStopUnit(s) => self.start_stop(&s, now),
            Command::PreventAllowMediumRemoval(p) => {
                self.locked = p.prevent;
                self.good(Vec::new(), now)
            }
            Command::GetConfiguration(g) => self.get_configuration(&g, now),
            Command::ModeSense10(m) => self.mode_sense(&m, now),
            Command::SetCdSpeed(s) => self.set_cd_speed(&s, now),
            Command::GetPerformance(g) => self.get_performance(&g, now),
            Command::ReadBufferCapacity(r) => self.read_buffer_capacity(&r, now),
            Command::ReadDiscInfo(r) => self.read_disc_info(&r, now),
            Command::ReadTrackInfo(r) => self.read_track_info(&r, now),
            Command::ReadToc(r) => self.read_toc(&r, now),
            Command::ReadCd(r) => self.read_cd(&r, now),
            Command::SynchronizeCache(s) => self.synchronize_cache(s.immed, now),
            Command::CloseTrackSession(c) => self.close(&c, now),
            Command::ReserveTrack(r) => self.reserve_track(r.size, now),
            Command::Blank(b) => self.blank(&b, now),
            Command::SendOpcInfo(o) => self.send_opc(o.do_opc, now),
            _ => self.fail(Sense::INVALID_OPCODE, now),
        }
    }

    fn start_stop(&mut self, s: &mmc::wire::command::StartStopUnit, now: Duration) -> Completion {
        if !s.load_eject {
            return match (s.start, self.medium()) {
                (true, Err(e)) => self.fail(e, now),
                _ => self.good(Vec::new(), now),
            };
        }
        if s.start {
            if self.tray_open {
                self.tray_open = false;
                if self.disc.is_some() {
                    self.attention = Some(Sense::MEDIUM_CHANGED);
                }
            }
            return self.good(Vec::new(), now);
        }
        if self.locked {
            return self.fail(Sense::REMOVAL_PREVENTED, now);
        }
        if self.recording.is_some()
            && self
                .abort_recording("the tray was opened during recording")
                .is_err()
        {
            return self.fail(STORE_FAILURE, now);
        }
        self.tray_open = true;
        self.simulated = None;
        self.good(Vec::new(), now)
    }
}

/// 4/44/00: internal target failure: the disc's storage failed to keep
/// or give back a frame or the disc's state.
pub(crate) const STORE_FAILURE: Sense = Sense::new(SenseKey::HardwareError, 0x44, 0x00);
/// 7/27/00: write protected (a disc file opened read-only).
const WRITE_PROTECTED: Sense = Sense::new(SenseKey::DataProtect, 0x27, 0x00);

/// Sense data of an error found after its command completed.
fn deferred(sense: Sense) -> SenseRepr {
    SenseRepr {
        current: false,
        ..SenseRepr::new(sense)
    }
}

/// 2/3A/01: medium not present, tray closed.
const TRAY_CLOSED_EMPTY: Sense = Sense::new(SenseKey::NotReady, 0x3a, 0x01);
/// 2/3A/02: medium not present, tray open.
const TRAY_OPEN: Sense = Sense::new(SenseKey::NotReady, 0x3a, 0x02);

/// kB/s of `x`× (rounded up, as drives report).
fn kbs(x: u16) -> u16 {
    (x as f64 * KBS_1X).ceil().min(65_534.0) as u16
}

/// The mode page 05h of a setup.
fn page_of(s: &WriteSetup) -> WriteParametersPage {
    use mmc::wire::mode::{DataBlockType, MultiSession, WriteType};
    let mut p = WriteParametersPage::new(WriteType::from_code(s.write_type));
    p.bufe = s.bufe;
    p.test_write = s.test_write;
    p.multi_session = MultiSession::from_code(s.multisession);
    p.copy = s.scms;
    p.track_mode = s.track_mode;
    p.data_block_type = DataBlockType::from_code(s.data_block_type);
    p.session_format = s.session_format;
    p.audio_pause_length = s.audio_pause;
    p.mcn = s.mcn.map(|m| m.to_string());
    p.isrc = s.isrc.map(|i| i.as_str().to_string());
    p.subheader = s.subheader.to_bytes();
    p
}
