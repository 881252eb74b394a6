//! The drive operations other than burning, sans-IO in the write engine's
//! grammar: [`identify`] (a device's INQUIRY data, for device lists),
//! [`inspect`] (what the drive and its disc are and offer),
//! [`blank`] (erase a CD-RW, with the drive's progress), [`read`] (every
//! sector of the disc with its sub-channel, the TOC and the CD-TEXT) and
//! [`tray`] (eject, load, lock, unlock).
//!
//! Each is an [`Op`]: it hands out SCSI commands and takes back their
//! outcomes with the time passed in, like [`crate::engine::Engine`]:
//!
//! ```text
//!        poll_transfer() ──▶ ScsiRequest ──▶ transport (USB Bulk-Only, vdrive, SG_IO)
//!   Op   handle_completion(outcome, now) ◀── its outcome
//!        poll_timeout() / handle_timeout(now): a command sent again after a delay
//!        poll_event() ──▶ progress ([`OpEvent`])
//!        cancel(), outcome()
//! ```
//!
//! The retry policy is the engine's and lives here once: a command the
//! drive did not run (becoming ready, a unit attention after a reset or a
//! disc change) is sent again after the delay its sense asks for, for up
//! to a minute; anything else goes to the operation, which says what it
//! means. [`run`] drives an operation over a blocking [`Link`], for the
//! CLI and tests; the npm package drives the same operations over WebUSB.

pub mod blank;
pub mod identify;
pub mod inspect;
pub mod read;
pub mod tray;

use crate::scsi::{Link, ScsiOutcome, ScsiRequest, ScsiResponse, TransportError};
use crate::wire::sense::{Disposition, Sense, SenseKey};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::time::Duration;

pub use blank::{Blank, BlankKind};
pub use identify::Identify;
pub use inspect::{Inspect, MediaReport, SessionReport, TrackReport};
pub use read::{Dump, ReadDisc, Sectors, SessionDump, SubRead, TrackDump};
pub use tray::{Tray, TrayAction};

/// How long a command the drive did not run is sent again.
pub const RETRY_FOR: Duration = Duration::from_secs(60);

/// How often a command that may safely run twice is sent again after an
/// unknown outcome (the transport recovered from a stall, a broken status,
/// no answer) or an answer cut short.
pub const RESENDS: u32 = 3;

/// Why an operation stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpError {
    /// The drive holds no disc (and the operation needs one).
    #[error("no disc in the drive{}", tray_note(*.tray_open))]
    NoDisc {
        /// The drive says its tray is open.
        tray_open: bool,
    },
    /// The device is not a CD/DVD drive (INQUIRY peripheral type).
    #[error("the device is not a CD/DVD drive (device type {0:#04x})")]
    NotOptical(u8),
    /// The disc cannot undergo the operation.
    #[error("{0}")]
    Unsuitable(String),
    /// The drive answered a command with an error.
    #[error("the drive refused {command}: {sense}")]
    Refused {
        /// The command.
        command: &'static str,
        /// What the drive said.
        sense: Sense,
    },
    /// The drive's answer could not be read.
    #[error("the drive's answer to {command} cannot be read: {why}")]
    Reply {
        /// The command.
        command: &'static str,
        /// What is wrong with it.
        why: String,
    },
    /// The transport failed.
    #[error("{command}: {source}")]
    Transport {
        /// The command.
        command: &'static str,
        /// What happened.
        #[source]
        source: TransportError,
    },
    /// The drive's account afterwards is not what the operation did.
    #[error("the drive does not confirm it: {0}")]
    NotConfirmed(String),
    /// The drive kept saying "not yet" for longer than it may.
    #[error("the drive was not ready after {0:?}")]
    NotReady(Duration),
    /// A sector (or the CD-TEXT) the drive failed every time it was
    /// asked.
    #[error("{} cannot be read: the drive failed it {tries} times", unreadable(*.lba))]
    Unreadable {
        /// The sector; `None` for the CD-TEXT of the lead-in.
        lba: Option<i32>,
        /// How often it was asked.
        tries: u32,
        /// What the drive said the last time.
        why: String,
    },
    /// Stopped on request.
    #[error("cancelled: {0}")]
    Cancelled(String),
}

fn unreadable(lba: Option<i32>) -> String {
    match lba {
        Some(lba) => format!("lba {lba}{}", disc_time(lba)),
        None => "the disc's cd-text".to_string(),
    }
}

/// " (MM:SS:FF)" after an LBA in messages.
pub fn disc_time(lba: i32) -> String {
    layout::msf::Lba(lba)
        .to_disc_time()
        .map(|m| format!(" ({m})"))
        .unwrap_or_default()
}

fn tray_note(open: bool) -> &'static str {
    if open { " (its tray is open)" } else { "" }
}

/// Which operation an event is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Operation {
    /// [`inspect`].
    Inspect,
    /// [`blank`].
    Blank,
    /// [`tray`].
    Tray,
    /// [`read`].
    Read,
}

/// A progress event of an operation, JSON with camelCase names, in the
/// burn events' schema version ([`crate::engine::SCHEMA`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpEvent {
    /// The schema version.
    pub schema: u32,
    /// The operation.
    pub operation: Operation,
    /// What it is doing: `starting`, `waiting` (for the drive to become
    /// ready), `working`, `done`, `failed`, `cancelled`.
    pub action: OpAction,
    /// Progress from 0 to 1 where the drive reports it (blanking), never
    /// going back; `null` where it does not.
    pub fraction: Option<f64>,
    /// Time since the operation began, milliseconds.
    pub elapsed_ms: u64,
    /// Estimated time left, milliseconds, once progress gives a rate.
    pub remaining_ms: Option<u64>,
    /// Text for people.
    pub message: Option<String>,
    /// Reading: the sector it is at.
    pub lba: Option<i32>,
    /// Reading: sectors read so far.
    pub sectors_read: Option<u32>,
    /// Reading: sectors to read in all.
    pub sectors_total: Option<u32>,
    /// Reading: the speed over the last seconds, × 1 (75 sectors a
    /// second) to a tenth.
    pub speed: Option<f64>,
    /// Reading: sectors that needed more than one read so far.
    pub retries: Option<u32>,
}

/// Progress an operation's steps report ([`Steps::progress`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// From 0 to 1, where known.
    pub fraction: Option<f64>,
    /// Text for people.
    pub message: Option<String>,
    /// As [`OpEvent::lba`].
    pub lba: Option<i32>,
    /// As [`OpEvent::sectors_read`].
    pub sectors: Option<u32>,
    /// As [`OpEvent::sectors_total`].
    pub sectors_total: Option<u32>,
    /// As [`OpEvent::speed`].
    pub speed: Option<f64>,
    /// As [`OpEvent::retries`].
    pub retries: Option<u32>,
}

/// What an operation is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OpAction {
    /// Sent its first command.
    Starting,
    /// The drive is not ready yet (spinning up, reading the disc).
    Waiting,
    /// Under way.
    Working,
    /// Finished.
    Done,
    /// Stopped on an error.
    Failed,
    /// Stopped on request.
    Cancelled,
}

/// What an operation's steps want next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Send this command; its answer goes to [`Steps::answer`] unless the
    /// runner sends it again, as `resend` says.
    Send {
        /// The command.
        request: ScsiRequest,
        /// When the runner sends it again.
        resend: Resend,
    },
    /// Nothing before this time.
    WaitUntil(Duration),
    /// Nothing until the caller takes what the operation produced (the
    /// sectors of a read).
    Paused,
    /// Finished: [`Steps::output`] has the result.
    Done,
}

/// When the runner sends a command again instead of handing its answer
/// to the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// Never: a command that must not run twice.
    Never,
    /// After an unknown outcome (the transport recovered from a stall, a
    /// broken status, no answer) and an answer [`Steps::answer`] could not
    /// read ([`OpError::Reply`]), up to [`RESENDS`] times: a command that
    /// may run twice, whose every sense the operation wants to see.
    Unknown,
    /// As [`Resend::Unknown`], and while the drive says it did not run the
    /// command (becoming ready, a unit attention), for [`RETRY_FOR`].
    Always,
}

impl Next {
    /// A command that may run twice, sent again as [`Resend::Always`].
    pub fn send(request: ScsiRequest) -> Next {
        Next::Send {
            request,
            resend: Resend::Always,
        }
    }
}

/// The part of an operation that is its own: which commands, what their
/// answers mean, what it produces.
pub trait Steps {
    /// What the operation produces.
    type Output: Clone;

    /// Which operation this is, for events.
    fn operation(&self) -> Operation;

    /// The next command (or wait, or the end).
    ///
    /// ## Errors
    ///
    /// [`OpError`] when the operation cannot go on.
    fn next(&mut self, now: Duration) -> Result<Next, OpError>;

    /// The drive's answer to the last command sent: good, or a check
    /// condition the runner did not retry.
    ///
    /// ## Errors
    ///
    /// [`OpError`] for an answer that ends the operation.
    fn answer(&mut self, response: ScsiResponse, now: Duration) -> Result<(), OpError>;

    /// The result, once [`Steps::next`] said [`Next::Done`].
    ///
    /// ## Errors
    ///
    /// [`OpError`] when there is none.
    fn output(&mut self) -> Result<Self::Output, OpError>;

    /// Progress to report, taken once.
    fn progress(&mut self) -> Option<Progress> {
        None
    }

    /// The command just sent may not be sent again and its outcome is
    /// unknown (the transport recovered): true when the operation finds
    /// out by itself what happened (and goes on), false to fail with the
    /// transport's error.
    fn unknown_outcome(&mut self, _now: Duration) -> bool {
        false
    }

    /// Whether a cancel may stop the operation before its next command
    /// (false while the drive works on something that must finish, like
    /// an erase under way: the operation then ends by itself).
    fn may_stop(&self) -> bool {
        true
    }
}

/// A drive operation: its [`Steps`] with the retry policy, timers and
/// events around them.
#[derive(Debug)]
pub struct Op<S: Steps> {
    steps: S,
    /// A command waiting to be handed out (again).
    ready: Option<(ScsiRequest, Resend)>,
    /// The command handed out, and when it is sent again.
    out: Option<(ScsiRequest, Resend)>,
    timer: Option<Duration>,
    retry_since: Option<Duration>,
    started: Option<Duration>,
    now: Duration,
    events: VecDeque<OpEvent>,
    outcome: Option<Result<S::Output, OpError>>,
    cancel: bool,
    waiting: bool,
    fraction: Option<f64>,
    /// Where the progress's rate is measured from.
    rate_from: Option<(Duration, f64)>,
    /// The last progress reported, for the events after it.
    last: Progress,
    /// Times the command out was sent again after an unknown outcome.
    resent: u32,
}

impl<S: Steps> Op<S> {
    /// An operation of these steps; nothing happens until the driver asks
    /// for transfers.
    pub fn new(steps: S) -> Op<S> {
        Op {
            steps,
            ready: None,
            out: None,
            timer: None,
            retry_since: None,
            started: None,
            now: Duration::ZERO,
            events: VecDeque::new(),
            outcome: None,
            cancel: false,
            waiting: false,
            fraction: None,
            rate_from: None,
            last: Progress::default(),
            resent: 0,
        }
    }

    /// Begins at `now`.
    pub fn start(&mut self, now: Duration) {
        if self.started.is_none() {
            self.started = Some(now);
            self.now = now;
            self.emit(OpAction::Starting, None);
        }
    }

    /// The next command to run, if any now.
    pub fn poll_transfer(&mut self) -> Option<ScsiRequest> {
        if self.started.is_none() {
            self.start(self.now);
        }
        loop {
            if self.outcome.is_some() || self.out.is_some() || self.timer.is_some() {
                return None;
            }
            if let Some((request, resend)) = self.ready.take() {
                self.out = Some((request.clone(), resend));
                return Some(request);
            }
            if self.cancel && self.steps.may_stop() {
                self.finish(Err(OpError::Cancelled(
                    "stopped before the next command".to_string(),
                )));
                return None;
            }
            match self.steps.next(self.now) {
                Ok(Next::Send { request, resend }) => self.ready = Some((request, resend)),
                Ok(Next::WaitUntil(t)) if t > self.now => self.timer = Some(t),
                Ok(Next::WaitUntil(_)) => {}
                Ok(Next::Paused) => return None,
                Ok(Next::Done) => {
                    let out = self.steps.output();
                    self.finish(out);
                }
                Err(e) => self.finish(Err(e)),
            }
        }
    }

    /// Takes the outcome of the command handed out.
    pub fn handle_completion(&mut self, outcome: ScsiOutcome, now: Duration) {
        self.now = now;
        let Some((request, resend)) = self.out.take() else {
            return;
        };
        let again = resend != Resend::Never && self.resent < RESENDS;
        let command = name(&request);
        let response = match outcome {
            Ok(r) => r,
            Err(source) => {
                // The transport recovered from a stall, a broken status or
                // no answer: whether the command ran is unknown, and it
                // may run twice. A drive that is gone is not asked again.
                let gone = matches!(
                    source,
                    TransportError::Disconnected | TransportError::Dead(_)
                );
                if again && !gone {
                    self.resent += 1;
                    self.ready = Some((request, resend));
                    return;
                }
                if !gone && self.steps.unknown_outcome(now) {
                    self.resent = 0;
                    return self.report();
                }
                return self.finish(Err(OpError::Transport { command, source }));
            }
        };
        if again && response.is_good() && crate::scsi::short_reply(&request, &response.data) {
            // Cut short on the way: ask again.
            self.resent += 1;
            self.ready = Some((request, resend));
            return;
        }
        if let Some(s) = response.sense()
            && let Disposition::Retry { after_ms } = s.sense.disposition()
        {
            let after = now + Duration::from_millis(u64::from(after_ms.max(50)));
            if !s.sense.not_executed() {
                // Whether it ran is unknown (4/08/xx): as a lost answer.
                if again {
                    self.resent += 1;
                    self.ready = Some((request, resend));
                    self.timer = Some(after);
                    return;
                }
                if resend == Resend::Never && self.steps.unknown_outcome(now) {
                    return;
                }
            } else if resend == Resend::Always {
                let since = *self.retry_since.get_or_insert(now);
                if now.saturating_sub(since) >= RETRY_FOR {
                    return self.finish(Err(OpError::NotReady(RETRY_FOR)));
                }
                // A unit attention is sent again in silence; a drive
                // becoming ready is worth telling.
                if !self.waiting && s.sense.key == SenseKey::NotReady {
                    self.waiting = true;
                    self.emit(OpAction::Waiting, Some(s.sense.to_string()));
                }
                self.ready = Some((request, resend));
                self.timer = Some(after);
                return;
            }
        }
        self.retry_since = None;
        if self.waiting {
            self.waiting = false;
            self.emit(OpAction::Working, None);
        }
        match self.steps.answer(response, now) {
            Err(OpError::Reply { .. }) if again => {
                // An answer cut short on the way: ask again.
                self.resent += 1;
                self.ready = Some((request, resend));
                return;
            }
            Err(e) => return self.finish(Err(e)),
            Ok(()) => self.resent = 0,
        }
        self.report();
    }

    /// An event for the progress the steps report, if any.
    fn report(&mut self) {
        if let Some(p) = self.steps.progress() {
            if let Some(f) = p.fraction {
                let f = f.clamp(0.0, 1.0).max(self.fraction.unwrap_or(0.0));
                self.fraction = Some(f);
                if self.rate_from.is_none() && f > 0.0 {
                    self.rate_from = Some((self.now, f));
                }
            }
            let message = p.message.clone();
            self.last = p;
            self.emit(OpAction::Working, message);
        }
    }

    /// The operation's steps.
    pub fn steps(&self) -> &S {
        &self.steps
    }

    /// The operation's steps, to take what they produced (the sectors of
    /// a read).
    pub fn steps_mut(&mut self) -> &mut S {
        &mut self.steps
    }

    /// When to call [`Op::handle_timeout`], if something waits.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.timer
    }

    /// The time came.
    pub fn handle_timeout(&mut self, now: Duration) {
        self.now = now;
        if self.timer.is_some_and(|t| t <= now) {
            self.timer = None;
        }
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<OpEvent> {
        self.events.pop_front()
    }

    /// Asks the operation to stop at its next safe point.
    pub fn cancel(&mut self) {
        self.cancel = true;
        if self.out.is_none() && self.steps.may_stop() && self.outcome.is_none() {
            self.timer = None;
            self.ready = None;
            self.finish(Err(OpError::Cancelled(
                "stopped before the next command".to_string(),
            )));
        }
    }

    /// The result, once finished.
    pub fn outcome(&self) -> Option<&Result<S::Output, OpError>> {
        self.outcome.as_ref()
    }

    /// Whether it finished.
    pub fn is_finished(&self) -> bool {
        self.outcome.is_some()
    }

    fn finish(&mut self, outcome: Result<S::Output, OpError>) {
        if self.outcome.is_some() {
            return;
        }
        // The last progress not yet reported goes with the end.
        if let Some(p) = self.steps.progress() {
            self.last = p;
        }
        let (action, message) = match &outcome {
            Ok(_) => {
                if self.fraction.is_some() {
                    self.fraction = Some(1.0);
                }
                (OpAction::Done, None)
            }
            Err(OpError::Cancelled(m)) => (OpAction::Cancelled, Some(m.clone())),
            Err(e) => (OpAction::Failed, Some(e.to_string())),
        };
        self.ready = None;
        self.timer = None;
        self.outcome = Some(outcome);
        self.emit(action, message);
    }

    fn emit(&mut self, action: OpAction, message: Option<String>) {
        let elapsed = self.now.saturating_sub(self.started.unwrap_or(self.now));
        let remaining_ms = match (action, self.fraction, self.rate_from) {
            (OpAction::Done, _, _) => Some(0),
            (OpAction::Working | OpAction::Waiting, Some(f), Some((t0, f0))) if f > f0 => {
                let rate = (f - f0) / self.now.saturating_sub(t0).as_secs_f64().max(1e-3);
                Some(((1.0 - f) / rate * 1000.0) as u64)
            }
            _ => None,
        };
        self.events.push_back(OpEvent {
            schema: crate::engine::SCHEMA,
            operation: self.steps.operation(),
            action,
            fraction: self.fraction,
            elapsed_ms: elapsed.as_millis() as u64,
            remaining_ms,
            message,
            lba: self.last.lba,
            sectors_read: self.last.sectors,
            sectors_total: self.last.sectors_total,
            speed: self.last.speed,
            retries: self.last.retries,
        });
    }
}

/// Runs `op` to its end over `link` (which keeps the time), giving every
/// event to `on_event` and cancelling once `stop` returns true.
///
/// ## Errors
///
/// The operation's [`OpError`].
pub fn run<S: Steps>(
    op: &mut Op<S>,
    link: &mut dyn Link,
    on_event: &mut dyn FnMut(&OpEvent),
    stop: &dyn Fn() -> bool,
) -> Result<S::Output, OpError> {
    run_draining(op, link, on_event, stop, &mut |_| true)
}

/// As [`run`], handing the steps to `drain` whenever the operation waits
/// for its caller ([`Next::Paused`]: a read's sectors to take). `drain`
/// returning false cancels the operation (the caller could not keep what
/// it took).
///
/// ## Errors
///
/// The operation's [`OpError`].
pub fn run_draining<S: Steps>(
    op: &mut Op<S>,
    link: &mut dyn Link,
    on_event: &mut dyn FnMut(&OpEvent),
    stop: &dyn Fn() -> bool,
    drain: &mut dyn FnMut(&mut S) -> bool,
) -> Result<S::Output, OpError> {
    op.start(link.now());
    let mut cancelled = false;
    let mut drained = false;
    loop {
        if !cancelled && stop() {
            cancelled = true;
            op.cancel();
        }
        while let Some(e) = op.poll_event() {
            on_event(&e);
        }
        if let Some(request) = op.poll_transfer() {
            drained = false;
            let outcome = link.execute(&request);
            op.handle_completion(outcome, link.now());
            continue;
        }
        match op.poll_timeout() {
            Some(t) if !op.is_finished() => {
                link.sleep_until(t);
                op.handle_timeout(link.now());
            }
            // Waiting for its caller: once per pause, else it would wait
            // for ever.
            _ if !op.is_finished() && !drained => {
                drained = true;
                if !drain(op.steps_mut()) && !cancelled {
                    cancelled = true;
                    op.cancel();
                }
            }
            _ => break,
        }
    }
    while let Some(e) = op.poll_event() {
        on_event(&e);
    }
    match op.outcome() {
        Some(r) => r.clone(),
        None => Err(OpError::Reply {
            command: "-",
            why: "the operation stopped without an outcome".to_string(),
        }),
    }
}

/// A reply parsed, or the error naming its command.
pub(crate) fn parsed<T, E: std::fmt::Display>(
    command: &'static str,
    r: Result<T, E>,
) -> Result<T, OpError> {
    r.map_err(|e| OpError::Reply {
        command,
        why: e.to_string(),
    })
}

/// The error for a command answered with CHECK CONDITION.
pub(crate) fn refused(command: &'static str, r: &ScsiResponse) -> OpError {
    match r.sense() {
        Some(s) => OpError::Refused {
            command,
            sense: s.sense,
        },
        None => OpError::Reply {
            command,
            why: "CHECK CONDITION without sense data".to_string(),
        },
    }
}

/// The standard name of a request's command.
pub(crate) fn name(request: &ScsiRequest) -> &'static str {
    match crate::wire::command::Command::parse(&request.cdb) {
        Ok(crate::wire::command::Command::Unknown { .. }) | Err(_) => "a command",
        Ok(c) => c.name(),
    }
}
