//! The write engine: burns a `layout` plan onto a CD recorder, with no I/O
//! of its own.
//!
//! It hands out transfers — SCSI commands for the drive, byte ranges of
//! the sources — and takes back their completions, with the time passed
//! in. A driver moves the bytes: [`driver::run`] natively and in tests, a
//! promise loop in JavaScript. At most one command and one source read are
//! out at a time; a driver that can do both at once keeps the drive fed
//! while the source is slow.
//!
//! ```text
//!           poll_transfer() ──▶ Command(ScsiRequest) ──▶ transport (Bulk-Only over USB, vdrive)
//!   Engine                  └─▶ Read(SourceRead)    ──▶ source files / blobs
//!           handle_completion(Completion, now) ◀── outcomes and bytes
//!           poll_event() ──▶ progress (IWriteEngine2EventArgs and more)
//!           poll_timeout() / handle_timeout(now): retries after a delay
//! ```
//!
//! A burn goes: prepare (wait until ready, INQUIRY, GET CONFIGURATION,
//! READ DISC INFORMATION, ATIP, choose the mode, check the capacity and,
//! for SAO and TAO, that sectors kept as given are what the drive builds;
//! Write Parameters page, speed, OPC, lock, cue sheet), write each section
//! with WRITE(10) or WRITE(12) as the system buffer fills from the
//! sources, finish (SYNCHRONIZE CACHE, CLOSE as the mode requires, wait
//! until ready), confirm with READ DISC INFORMATION and READ TOC that the
//! disc is what was burned, then optionally verify with READ CD. A command
//! the drive did not run (not ready, a unit attention while preparing) is
//! sent again after a delay; one whose outcome is unknown only when it can
//! be repeated safely; one answered with a recovered error counts once its
//! effect is confirmed. Anything else ends the burn with an error naming
//! the phase, the command and the last sector the drive confirmed, and,
//! once something that can record was sent, what the drive says the disc
//! now holds. Success is reported only when the drive confirmed every step
//! and the result.

mod confirm;
pub mod driver;
mod error;
mod event;
mod feed;
mod given;
mod options;
mod plan;
mod prepare;
mod steps;
mod verify;
mod write;

pub use error::{Confirmed, DiscState, EngineError, Phase, ReplyError};
pub use event::{Action, Event, SCHEMA};
use feed::Need;
pub use feed::{FrameRead, Slice, SourceRead};
pub use options::{
    DriveInfo, Irregular, Needs, Options, Verify, WriteMode, choose, refusal, write_speed,
};
pub use plan::{BurnPlan, Section, plan, tao_block};

use crate::scsi::{ScsiOutcome, ScsiRequest, TransportError};
use crate::wire::command::SetCdSpeed;
use crate::wire::mode::WriteParametersPage;
use feed::Feed;
use layout::disc::Disc;
use layout::msf::Lba;
use layout::source::SourceError;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use steps::{Purpose, Step};

/// Something the engine wants done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transfer {
    /// Run this command on the drive.
    Command(ScsiRequest),
    /// Read these source bytes.
    Read(SourceRead),
    /// Give these frames, encoded once for several burns (only after
    /// [`Engine::share_frames`]).
    Frames(FrameRead),
}

/// A finished transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// The outcome of the command handed out.
    Command(ScsiOutcome),
    /// The bytes of the read handed out (main channel, then R-W), or why
    /// they could not be read.
    Read(Result<(Vec<u8>, Vec<u8>), SourceError>),
    /// The frames handed out, in the shared form, or why they could not
    /// be made.
    Frames(Result<Vec<u8>, SourceError>),
}

/// Data handed back for a read: source bytes, or shared frames.
enum Supplied {
    Source((Vec<u8>, Vec<u8>)),
    Frames(Vec<u8>),
}

/// What a finished burn did.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The mode used.
    pub mode: WriteMode,
    /// Why that mode.
    pub reason: String,
    /// The write speed chosen for the speed asked for (`at 40x, ...`);
    /// `None` when none was asked for (the drive's fastest).
    pub speed: Option<String>,
    /// Sectors written.
    pub sectors: u64,
    /// The last sector the drive confirmed.
    pub last_written: Option<Lba>,
    /// Whether it was a simulation.
    pub simulated: bool,
    /// Whether the burn was read back and matched.
    pub verified: bool,
    /// Time from start to end.
    pub elapsed: Duration,
    /// What the drive and disc offered.
    pub drive: DriveInfo,
}

/// A command handed out, and what it is for: its reply is taken by that
/// purpose, never by parsing the CDB again.
#[derive(Debug, Clone)]
struct InFlight {
    request: ScsiRequest,
    purpose: Purpose,
}

/// Throughput over the last few seconds.
#[derive(Debug, Clone, Default)]
struct Rate {
    samples: VecDeque<(Duration, u64)>,
}

impl Rate {
    fn add(&mut self, now: Duration, total: u64) {
        self.samples.push_back((now, total));
        while self.samples.len() > 2
            && self
                .samples
                .front()
                .is_some_and(|(t, _)| now.saturating_sub(*t) > Duration::from_secs(3))
        {
            self.samples.pop_front();
        }
    }

    fn per_second(&self) -> f64 {
        match (self.samples.front(), self.samples.back()) {
            (Some((t0, n0)), Some((t1, n1))) if t1 > t0 => {
                (n1 - n0) as f64 / (*t1 - *t0).as_secs_f64()
            }
            _ => 0.0,
        }
    }
}

/// Where the engine's one command stands: at most one is ever ready,
/// out, or waiting to be sent again.
#[derive(Debug, Default)]
enum Command {
    /// None.
    #[default]
    Idle,
    /// Ready to hand out.
    Ready(InFlight),
    /// Handed out; its completion is awaited.
    Out(InFlight),
    /// To send again at this time.
    Later(Duration, InFlight),
}

impl Command {
    fn is_idle(&self) -> bool {
        matches!(self, Command::Idle)
    }

    /// Forgets a command not yet handed out (one out stays awaited).
    fn drop_pending(&mut self) {
        if !matches!(self, Command::Out(_)) {
            *self = Command::Idle;
        }
    }
}

/// A session added to an appendable disc.
#[derive(Debug, Clone, Copy)]
struct Append {
    /// The number the drive gives the session's first track.
    first_track: u8,
    /// Where that track starts (the invisible track's next writable
    /// address), once asked.
    start: Option<Lba>,
}

/// Progress over the whole burn, for events: what the drive has recorded,
/// the units of work done and to do, and the speed of each phase.
#[derive(Debug, Default)]
struct Progress {
    /// Sectors the verify reads back.
    to_verify: u64,
    /// Sectors read back and compared.
    verified: u64,
    /// Sectors the drive writes on its own while finishing (SAO, TAO
    /// lead-out).
    lead_out: u64,
    /// Sectors recorded (confirmed less still in the drive's buffer),
    /// never going back.
    recorded: u64,
    /// Sectors in the drive's buffer at its last READ BUFFER CAPACITY,
    /// plus those confirmed since (it records while it takes more, so
    /// this is an upper bound until the next query).
    in_drive: u64,
    /// The phase being timed, when it began, and its units done then.
    clock: Option<(Phase, Duration, u64)>,
    /// Units a second while writing, once measured.
    write_rate: Option<f64>,
    /// Units a second while verifying, once measured.
    verify_rate: Option<f64>,
    /// The last fraction reported.
    fraction: f64,
}

/// A phase's speed is measured over at least this long.
const RATE_WINDOW: Duration = Duration::from_secs(2);

/// The write engine.
#[derive(Debug)]
pub struct Engine {
    disc: Arc<Disc>,
    options: Options,
    needs: Needs,
    info: DriveInfo,
    plan: Option<BurnPlan>,
    reason: String,
    /// SET CD SPEED's write value, chosen with the mode.
    write_kbs: u16,
    /// What was made of the speed asked for.
    speed_note: Option<String>,
    /// Adding a session to an appendable disc: the number the drive gives
    /// its first track, and where that track starts once known.
    append: Option<Append>,
    /// Progress as events report it.
    progress: Progress,
    steps: VecDeque<Step>,
    /// The step under way (its command may be out).
    step: Option<Step>,
    phase: Phase,
    /// Where a cancel found the burn.
    cancelled_phase: Option<Phase>,
    /// Where the engine's one command stands.
    command: Command,
    /// A read ready to hand out / handed out.
    read_ready: Option<Need>,
    /// Frames come encoded, shared with other burns of the disc.
    shared_frames: bool,
    read_out: bool,
    retries: u32,
    retry_since: Option<Duration>,
    feed: Option<Feed>,
    /// Disc LBA minus plan LBA per track (TAO moves tracks; a later
    /// session moves them all).
    shifts: Vec<i32>,
    /// Disc LBA minus plan LBA outside the tracks (a later session's
    /// lead-in, a read-back of its whole program area).
    base: i32,
    /// The Write Parameters page the drive reported.
    page: Option<WriteParametersPage>,
    started: Option<Duration>,
    now: Duration,
    last_written: Option<Lba>,
    written: u64,
    total: u64,
    section: Option<Section>,
    last_event: Option<Duration>,
    last_action: Option<Action>,
    last_track: Option<u8>,
    last_capacity: Option<Duration>,
    drive_buffer: (u64, u64),
    rate: Rate,
    events: VecDeque<Event>,
    outcome: Option<Result<Summary, EngineError>>,
    cancel: bool,
    locked: bool,
    verified: bool,
    /// Something that can record was handed out (a real burn's OPC, cue
    /// sheet, WRITE, flush or close): a failure asks what the disc holds.
    touched: bool,
    /// WRITEs the drive answered with a recovered error (first LBA and
    /// blocks): they count once a later WRITE is taken in sequence, or the
    /// finished disc is confirmed.
    unconfirmed: Option<(Lba, u32)>,
    /// Why an effect is not yet confirmed (a WRITE or CLOSE answered with
    /// a recovered error, a CLOSE whose outcome is unknown).
    doubt: Option<String>,
    /// The error being reported once the drive said what the disc holds.
    failing: Option<EngineError>,
    /// What the drive last said the disc holds.
    disc_after: Option<DiscState>,
    /// The sectors kept as given were checked (SAO, TAO).
    checked: bool,
}

impl Engine {
    /// An engine that burns `disc` with `options`. Nothing happens until
    /// the driver asks for transfers.
    pub fn new(disc: Arc<Disc>, options: Options) -> Engine {
        let needs = Needs::of(&disc);
        let mut steps = VecDeque::new();
        steps.extend([
            Step::WaitReady,
            Step::Inquiry,
            Step::Configuration,
            Step::DiscInfo,
            Step::Atip,
        ]);
        if options.speed.is_some() {
            steps.push_back(Step::Speeds);
        }
        steps.push_back(Step::Decide);
        Engine {
            shifts: vec![0; disc.tracks().len()],
            base: 0,
            disc,
            options,
            needs,
            info: DriveInfo::default(),
            plan: None,
            reason: String::new(),
            write_kbs: SetCdSpeed::MAX,
            speed_note: None,
            append: None,
            progress: Progress::default(),
            steps,
            step: None,
            phase: Phase::Preparing,
            cancelled_phase: None,
            command: Command::Idle,
            read_ready: None,
            shared_frames: false,
            read_out: false,
            retries: 0,
            retry_since: None,
            feed: None,
            page: None,
            started: None,
            now: Duration::ZERO,
            last_written: None,
            written: 0,
            total: 0,
            section: None,
            last_event: None,
            last_action: None,
            last_track: None,
            last_capacity: None,
            drive_buffer: (0, 0),
            rate: Rate::default(),
            events: VecDeque::new(),
            outcome: None,
            cancel: false,
            locked: false,
            verified: false,
            touched: false,
            unconfirmed: None,
            doubt: None,
            failing: None,
            disc_after: None,
            checked: false,
        }
    }

    /// Takes the frames it writes and verifies as [`Transfer::Frames`],
    /// encoded once for every drive burning the same disc, instead of
    /// reading sources and encoding them itself. Call before the burn
    /// starts; the frames must be the disc's (the driver's promise).
    pub fn share_frames(&mut self) {
        self.shared_frames = true;
    }

    /// The next transfer to start, if any: a command when none is out, a
    /// source read when none is out. Call until `None`.
    #[must_use]
    pub fn poll_transfer(&mut self) -> Option<Transfer> {
        if self.outcome.is_some() && self.command.is_idle() {
            return None;
        }
        if !self.read_out
            && let Some(r) = self.read_ready.take()
        {
            self.read_out = true;
            return Some(match r {
                Need::Source(r) => Transfer::Read(r),
                Need::Frames(r) => Transfer::Frames(r),
            });
        }
        match std::mem::take(&mut self.command) {
            Command::Ready(c) => {
                let request = c.request.clone();
                self.touched |= c.purpose.may_record() && !self.options.simulate;
                self.command = Command::Out(c);
                Some(Transfer::Command(request))
            }
            other => {
                self.command = other;
                None
            }
        }
    }

    /// Takes the completion of a transfer handed out, at `now`.
    pub fn handle_completion(&mut self, completion: Completion, now: Duration) {
        self.now = now;
        self.started.get_or_insert(now);
        match completion {
            Completion::Command(outcome) => match std::mem::take(&mut self.command) {
                Command::Out(c) => self.on_command(c, outcome),
                other => {
                    self.command = other;
                    self.fail(EngineError::Misuse("a command completion nobody asked for"));
                }
            },
            Completion::Read(result) => {
                if !self.read_out {
                    self.fail(EngineError::Misuse("a read completion nobody asked for"));
                } else {
                    self.read_out = false;
                    self.on_read(result.map(Supplied::Source));
                }
            }
            Completion::Frames(result) => {
                if !self.read_out {
                    self.fail(EngineError::Misuse("a frames completion nobody asked for"));
                } else {
                    self.read_out = false;
                    self.on_read(result.map(Supplied::Frames));
                }
            }
        }
        self.pump();
    }

    /// When the engine wants [`Engine::handle_timeout`] called (a retry
    /// after a delay), if it does.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Duration> {
        match &self.command {
            Command::Later(at, _) => Some(*at),
            _ => None,
        }
    }

    /// Lets time pass to `now`: resends a command whose retry was due.
    pub fn handle_timeout(&mut self, now: Duration) {
        self.now = now;
        self.started.get_or_insert(now);
        if let Command::Later(at, c) = std::mem::take(&mut self.command) {
            self.command = if now >= at {
                Command::Ready(c)
            } else {
                Command::Later(at, c)
            };
        }
        self.pump();
    }

    /// The next progress event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Asks the burn to stop at the next safe point (between WRITEs, or
    /// before writing starts). The outcome then says what state the disc
    /// is in.
    pub fn cancel(&mut self) {
        self.cancel = true;
        self.pump();
    }

    /// The burn's end, once it ended.
    pub fn outcome(&self) -> Option<&Result<Summary, EngineError>> {
        self.outcome.as_ref()
    }

    /// Whether the burn ended and nothing is out.
    pub fn is_finished(&self) -> bool {
        self.outcome.is_some() && self.command.is_idle() && !self.read_out
    }

    /// What the drive offered (filled while preparing).
    pub fn drive(&self) -> &DriveInfo {
        &self.info
    }

    /// The chosen burn plan, once decided.
    pub fn burn_plan(&self) -> Option<&BurnPlan> {
        self.plan.as_ref()
    }

    /// Starts the engine at `now`: the first command becomes available.
    /// Call it once before the first `poll_transfer`; calling it again
    /// changes nothing.
    pub fn start(&mut self, now: Duration) {
        self.now = now;
        self.started.get_or_insert(now);
        self.pump();
    }

    /// Moves the state machine on as far as it can without a completion.
    fn pump(&mut self) {
        if self.outcome.is_some() {
            return;
        }
        for _ in 0..10_000 {
            self.keep_feeding();
            if self.outcome.is_some() || !self.command.is_idle() {
                break;
            }
            let progressed = match self.step.take() {
                None => match self.steps.pop_front() {
                    Some(s) => {
                        self.step = Some(s);
                        self.enter_step();
                        true
                    }
                    None => {
                        self.finish_ok();
                        false
                    }
                },
                Some(s) => {
                    self.step = Some(s);
                    self.continue_step()
                }
            };
            if !progressed {
                break;
            }
        }
        self.keep_feeding();
    }

    /// Asks for source bytes when the system buffer has room.
    fn keep_feeding(&mut self) {
        if self.read_out
            || self.read_ready.is_some()
            || self.outcome.is_some()
            || self.failing.is_some()
        {
            return;
        }
        if let Some(f) = self.feed.as_mut() {
            match f.wants() {
                Ok(Some(r)) => self.read_ready = Some(r),
                Ok(None) => {}
                Err(e) => self.fail(e),
            }
        }
    }

    fn on_read(&mut self, result: Result<Supplied, SourceError>) {
        if self.failing.is_some() {
            // Read before the failure: no longer needed.
            return;
        }
        let Some(f) = self.feed.as_mut() else {
            return self.fail(EngineError::Misuse(
                "source bytes with no section under way",
            ));
        };
        match result {
            Ok(data) => {
                let supplied = match data {
                    Supplied::Source((main, rw)) => f.supply(&main, &rw),
                    Supplied::Frames(frames) => f.supply_frames(&frames),
                };
                if let Err(e) = supplied {
                    self.fail(e);
                }
            }
            Err(error) => {
                let lba = f.first().get() + f.blocks() as i32;
                self.fail(EngineError::Source { lba, error });
            }
        }
    }

    /// Records the burn's failure (once) and its event. When something
    /// that can record was sent, the drive is first asked what the disc
    /// holds (see `confirm`), and what the burn reports says it; a locked
    /// tray is let go first.
    fn fail(&mut self, error: EngineError) {
        if self.outcome.is_some() {
            return;
        }
        let error = match error {
            EngineError::Stopped { .. } => error,
            _ if self.failing.is_some() => {
                // Asking failed: report what is known.
                return self.end_failing(self.disc_after.unwrap_or(DiscState::Unknown));
            }
            EngineError::Cancelled(_)
            | EngineError::Misuse(_)
            | EngineError::Mismatch { .. }
            | EngineError::VerifyIncomplete { .. } => error,
            _ if self.touched || self.locked => {
                let gone = matches!(
                    error,
                    EngineError::Transport {
                        error: TransportError::Disconnected | TransportError::Dead(_),
                        ..
                    }
                );
                return self.begin_failing(error, gone);
            }
            _ => error,
        };
        let cancelled = matches!(error, EngineError::Cancelled(_));
        let message = error.to_string();
        self.command.drop_pending();
        self.read_ready = None;
        self.steps.clear();
        self.step = None;
        self.outcome = Some(Err(error));
        self.emit(
            if cancelled {
                Action::Cancelled
            } else {
                Action::Failed
            },
            Some(message),
            true,
        );
    }

    fn finish_ok(&mut self) {
        if self.outcome.is_some() {
            return;
        }
        let elapsed = self.now.saturating_sub(self.started.unwrap_or(self.now));
        let summary = Summary {
            mode: self.plan.as_ref().map_or(WriteMode::Auto, |p| p.mode),
            reason: self.reason.clone(),
            speed: self.speed_note.clone(),
            sectors: self.written,
            last_written: self.last_written,
            simulated: self.options.simulate,
            verified: self.verified,
            elapsed,
            drive: self.info.clone(),
        };
        let message = if self.options.simulate {
            "simulation complete: nothing was written".to_string()
        } else if self.verified {
            "burned and verified".to_string()
        } else {
            "burned".to_string()
        };
        self.outcome = Some(Ok(summary));
        self.emit(Action::Done, Some(message), true);
    }

    /// Queues an event (always when `force`, else when the action or
    /// track changed or the interval passed).
    fn emit(&mut self, action: Action, message: Option<String>, force: bool) {
        let track = self.current_track();
        let due = self
            .last_event
            .is_none_or(|t| self.now.saturating_sub(t) >= self.options.event_interval);
        if !force && !due && self.last_action == Some(action) && self.last_track == track {
            return;
        }
        self.last_event = Some(self.now);
        self.last_action = Some(action);
        self.last_track = track;
        let (used, total) = (
            self.feed.as_ref().map_or(0, |f| f.buffered() as u64),
            self.options.system_buffer as u64,
        );
        let per_second = self.rate.per_second();
        let (start_lba, sector_count) = self.section.map_or((0, 0), |s| {
            (s.start.get() + self.shift_of(&s), s.blocks as i32)
        });
        let last_read = self
            .feed
            .as_ref()
            .and_then(|f| f.last_read())
            .map_or(start_lba - 1, |l| {
                l.get() + self.section.map_or(0, |s| self.shift_of(&s))
            });
        let (fraction, remaining_ms) = self.measure(action);
        let decided = self.plan.is_some();
        self.events.push_back(Event {
            schema: SCHEMA,
            action,
            phase: self.phase,
            mode: self.plan.as_ref().map(|p| p.mode.name().to_string()),
            reason: decided.then(|| self.reason.clone()),
            track,
            tracks: self.disc.tracks().len() as u8,
            start_lba,
            sector_count,
            last_read_lba: last_read,
            last_written_lba: self.last_written.map_or(start_lba - 1, Lba::get),
            total_system_buffer: total,
            used_system_buffer: used.min(total),
            free_system_buffer: total.saturating_sub(used),
            drive_buffer_size: self.drive_buffer.0,
            drive_buffer_free: self.drive_buffer.1,
            speed_x: (per_second / 75.0 * 100.0).round() / 100.0,
            sectors_per_second: per_second.round() as u32,
            elapsed_ms: self
                .now
                .saturating_sub(self.started.unwrap_or(self.now))
                .as_millis() as u64,
            remaining_ms,
            fraction,
            sectors_written: self.written,
            sectors_recorded: self.progress.recorded,
            sectors_total: self.total,
            sectors_verified: self.progress.verified,
            sectors_to_verify: self.progress.to_verify,
            message,
        });
    }

    /// The fraction done and the time left, for an event with `action`.
    fn measure(&mut self, action: Action) -> (f64, Option<u64>) {
        // Recorded: confirmed less what may still wait in the drive's
        // buffer. After writing, SYNCHRONIZE CACHE has emptied it.
        let pending = match self.phase {
            Phase::Writing => self.progress.in_drive,
            _ => 0,
        };
        let recorded = self.written.saturating_sub(pending).min(self.total);
        let p = &mut self.progress;
        p.recorded = p.recorded.max(recorded);
        let units = |p: &Progress, phase| match phase {
            Phase::Verifying => p.verified,
            _ => p.recorded,
        };
        // Time the phase under way; a phase's speed, once measured, stays
        // known for the estimates of the later ones.
        // The clock of writing and verifying starts at the phase's first
        // progress, so the time a drive takes to fill its buffer and start
        // recording does not count as slowness; finishing has no progress
        // to wait for.
        let now_units = units(p, self.phase);
        if p.clock.is_none_or(|(phase, _, u0)| {
            phase != self.phase || (phase != Phase::Finishing && now_units == u0)
        }) {
            p.clock = Some((self.phase, self.now, now_units));
        }
        let finishing_since = match p.clock {
            Some((Phase::Finishing, t, _)) => Some(self.now.saturating_sub(t)),
            _ => None,
        };
        if let Some((phase, t, u0)) = p.clock {
            let spent = self.now.saturating_sub(t);
            let done = units(p, phase).saturating_sub(u0);
            if spent >= RATE_WINDOW && done > 0 {
                let rate = done as f64 / spent.as_secs_f64();
                match phase {
                    Phase::Writing => p.write_rate = Some(rate),
                    Phase::Verifying => p.verify_rate = Some(rate),
                    _ => {}
                }
            }
        }
        // The lead-out a drive writes on its own, as far as the writing
        // speed says it got.
        let lead_out_done = match (self.phase, finishing_since, p.write_rate) {
            (Phase::Verifying, _, _) => p.lead_out,
            (Phase::Finishing, Some(t), Some(r)) => ((t.as_secs_f64() * r) as u64).min(p.lead_out),
            _ => 0,
        };
        let total = self.total + p.lead_out + p.to_verify;
        let done = p.recorded + lead_out_done + p.verified;
        let fraction = match action {
            Action::Done => 1.0,
            _ if total > 0 => (done as f64 / total as f64).min(0.9999),
            _ => 0.0,
        };
        p.fraction = p.fraction.max(fraction);
        let remaining = match action {
            Action::Done => Some(0),
            Action::Failed | Action::Cancelled => None,
            _ => {
                let write = p.write_rate;
                let verify = p.verify_rate.or(write);
                // Seconds for `units` at `rate`; none left need no rate.
                let left = |units: u64, rate: Option<f64>| match units {
                    0 => Some(0.0),
                    _ => rate.map(|r| units as f64 / r.max(f64::MIN_POSITIVE)),
                };
                let to_write = self.total.saturating_sub(p.recorded);
                let to_finish = p.lead_out.saturating_sub(lead_out_done);
                let to_verify = p.to_verify.saturating_sub(p.verified);
                match self.phase {
                    Phase::Preparing => None,
                    Phase::Writing | Phase::Finishing => left(to_write + to_finish, write)
                        .zip(left(to_verify, verify))
                        .map(|(w, v)| w + v),
                    Phase::Verifying => left(to_verify, verify),
                }
                .map(|s| (s * 1000.0) as u64)
            }
        };
        (p.fraction, remaining)
    }

    /// The track the last written sector belongs to (plan numbering).
    fn current_track(&self) -> Option<u8> {
        let s = self.section?;
        if let Some(i) = s.track {
            return self.disc.tracks().get(i).map(|t| t.number.get());
        }
        let lba = Lba(self.last_written?.get() - self.shift_of(&s));
        self.disc
            .tracks()
            .iter()
            .find(|t| t.pregap_start <= lba && lba < t.end)
            .map(|t| t.number.get())
    }

    fn shift_of(&self, s: &Section) -> i32 {
        s.track
            .and_then(|i| self.shifts.get(i).copied())
            .unwrap_or(self.base)
    }
}
