//! Erasing a CD-RW: the disc checked first (a CD-RW, in the drive), BLANK
//! with the immediate bit, then TEST UNIT READY every half second while
//! the drive reports its progress in the sense data (NOT READY, 04/07
//! "operation in progress" with the progress indication), until it is
//! ready again; then READ DISC INFORMATION confirms the disc was erased.

use super::inspect::{Inspect, MediaReport};
use super::{Next, OpError, Operation, Progress, Resend, Steps, parsed, refused};
use crate::scsi::{LONG_TIMEOUT, ScsiRequest, ScsiResponse};
use crate::wire::command::{self, BlankType, ReadDiscInfo, TestUnitReady};
use crate::wire::disc_info::{DiscInfoRepr, DiscStatus, SessionState};
use crate::wire::sense::SenseKey;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How much of the disc to erase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlankKind {
    /// The PMA, the first session's TOC and the pregap: the disc reads as
    /// blank (a minute or so).
    Minimal,
    /// Every sector (as long as writing the whole disc).
    Full,
    /// The last session only (an appendable disc stays appendable).
    Session,
}

impl BlankKind {
    fn blank_type(self) -> BlankType {
        match self {
            BlankKind::Minimal => BlankType::Minimal,
            BlankKind::Full => BlankType::FullDisc,
            BlankKind::Session => BlankType::Session,
        }
    }

    /// Its name, as the CLI and the npm package spell it.
    pub fn name(self) -> &'static str {
        match self {
            BlankKind::Minimal => "minimal",
            BlankKind::Full => "full",
            BlankKind::Session => "session",
        }
    }
}

/// How often the drive is asked how far it got.
const POLL: Duration = Duration::from_millis(500);
/// How long an erase may take: a full erase at 1x is 80 minutes.
const LIMIT: Duration = Duration::from_secs(3 * 3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Inspecting,
    Blank,
    Poll,
    Waiting,
    Confirm,
    Done,
}

/// Erases a CD-RW.
#[derive(Debug, Clone)]
pub struct Blank {
    kind: BlankKind,
    inspect: Inspect,
    stage: Stage,
    media: Option<MediaReport>,
    /// When the erase began, and the time of the next poll.
    since: Option<Duration>,
    next_poll: Duration,
    progress: Option<Progress>,
    /// BLANK's outcome was unknown.
    doubt: bool,
}

impl Blank {
    /// An erase of `kind`.
    pub fn new(kind: BlankKind) -> Blank {
        Blank {
            kind,
            inspect: Inspect::new(),
            stage: Stage::Inspecting,
            media: None,
            since: None,
            next_poll: Duration::ZERO,
            progress: None,
            doubt: false,
        }
    }

    fn check(&self, m: &MediaReport) -> Result<(), OpError> {
        m.disc_in()?;
        if !m.erasable && m.media != "CD-RW" {
            return Err(OpError::Unsuitable(format!(
                "the disc is a {}: only a CD-RW can be blanked",
                m.media
            )));
        }
        if self.kind == BlankKind::Session && m.status == "blank" {
            return Err(OpError::Unsuitable(
                "the disc is blank: it has no session to erase".to_string(),
            ));
        }
        Ok(())
    }
}

impl Steps for Blank {
    type Output = MediaReport;

    fn operation(&self) -> Operation {
        Operation::Blank
    }

    fn next(&mut self, now: Duration) -> Result<Next, OpError> {
        loop {
            return Ok(match self.stage {
                Stage::Inspecting => match self.inspect.next(now)? {
                    Next::Done => {
                        let m = self.inspect.output()?;
                        self.check(&m)?;
                        self.media = Some(m);
                        self.stage = Stage::Blank;
                        continue;
                    }
                    n => n,
                },
                // Not sent twice: an erase under way answers a second
                // BLANK with "not ready"; an unknown outcome is found out
                // by the polls and the confirmation.
                Stage::Blank => Next::Send {
                    request: ScsiRequest::none(
                        &command::Blank::new(self.kind.blank_type()).to_bytes(),
                    )
                    .with_timeout(LONG_TIMEOUT),
                    resend: Resend::Never,
                },
                Stage::Waiting => {
                    if now >= self.next_poll {
                        self.stage = Stage::Poll;
                        continue;
                    }
                    Next::WaitUntil(self.next_poll)
                }
                // Progress comes in the sense of a "not ready" answer, so
                // every answer of this poll comes here.
                Stage::Poll => Next::Send {
                    request: ScsiRequest::none(&TestUnitReady.to_bytes()),
                    resend: Resend::Unknown,
                },
                Stage::Confirm => {
                    Next::send(ScsiRequest::read(&ReadDiscInfo::new(34).to_bytes(), 34))
                }
                Stage::Done => Next::Done,
            });
        }
    }

    fn answer(&mut self, r: ScsiResponse, now: Duration) -> Result<(), OpError> {
        match self.stage {
            Stage::Inspecting => self.inspect.answer(r, now),
            Stage::Blank => {
                if !r.is_good() {
                    return Err(refused(command::Blank::NAME, &r));
                }
                self.since = Some(now);
                self.next_poll = now + POLL;
                self.stage = Stage::Waiting;
                self.progress = Some(Progress {
                    fraction: Some(0.0),
                    message: Some(format!("{} erase begun", self.kind.name())),
                    ..Progress::default()
                });
                Ok(())
            }
            Stage::Poll => match r.sense() {
                None => {
                    self.stage = Stage::Confirm;
                    Ok(())
                }
                // A reset or a changed disc: ask again.
                Some(s) if s.sense.key == SenseKey::UnitAttention => {
                    self.next_poll = now + POLL;
                    self.stage = Stage::Waiting;
                    Ok(())
                }
                Some(s) if s.sense.key == SenseKey::NotReady && s.sense.asc == 0x04 => {
                    if now.saturating_sub(self.since.unwrap_or(now)) > LIMIT {
                        return Err(OpError::NotReady(LIMIT));
                    }
                    let fraction = s.progress.map(|p| f64::from(p) / 65536.0);
                    self.progress = Some(Progress {
                        fraction,
                        ..Progress::default()
                    });
                    self.next_poll = now + POLL;
                    self.stage = Stage::Waiting;
                    Ok(())
                }
                Some(s) => Err(OpError::Refused {
                    command: command::Blank::NAME,
                    sense: s.sense,
                }),
            },
            Stage::Confirm => {
                if !r.is_good() {
                    return Err(refused(ReadDiscInfo::NAME, &r));
                }
                let d = parsed(ReadDiscInfo::NAME, DiscInfoRepr::parse(&r.data))?;
                // Minimal and full leave a blank disc; erasing the last
                // session leaves the ones before it (or a blank disc).
                let erased = match self.kind {
                    BlankKind::Minimal | BlankKind::Full => d.status == DiscStatus::Empty,
                    BlankKind::Session => d.last_session == SessionState::Empty,
                };
                if !erased {
                    return Err(OpError::NotConfirmed(format!(
                        "after the {} erase the drive reports the disc {:?}, not erased{}",
                        self.kind.name(),
                        d.status,
                        if self.doubt {
                            " (BLANK got no clear answer)"
                        } else {
                            ""
                        }
                    )));
                }
                self.stage = Stage::Done;
                Ok(())
            }
            Stage::Waiting | Stage::Done => Ok(()),
        }
    }

    fn unknown_outcome(&mut self, now: Duration) -> bool {
        // BLANK's answer was lost: the polls show whether the drive is
        // erasing, the confirmation whether the disc was erased.
        if self.stage != Stage::Blank {
            return false;
        }
        self.doubt = true;
        self.since = Some(now);
        self.next_poll = now + POLL;
        self.stage = Stage::Waiting;
        true
    }

    fn output(&mut self) -> Result<MediaReport, OpError> {
        self.media.clone().ok_or(OpError::Reply {
            command: command::Blank::NAME,
            why: "the erase ended before the disc was inspected".to_string(),
        })
    }

    fn progress(&mut self) -> Option<Progress> {
        self.progress.take()
    }

    fn may_stop(&self) -> bool {
        // Once BLANK is sent the drive erases to the end: stopping the
        // polls would only hide how it ends.
        matches!(self.stage, Stage::Inspecting | Stage::Blank)
    }
}
