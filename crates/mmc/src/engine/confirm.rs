//! Confirming with the drive. A burn ends by asking it what the disc now
//! holds: READ DISC INFORMATION must show the state the burn asked for
//! (finalized, a closed session on an appendable disc, or for a
//! simulation a blank disc) and READ TOC the planned tracks and lead-out
//! (where track at once put them). A burn that fails after something that
//! can record was sent asks READ DISC INFORMATION what the disc holds and
//! says so.

use super::Engine;
use super::error::{DiscState, EngineError};
use super::options::WriteMode;
use super::steps::Step;
use crate::wire::disc_info::{DiscInfoRepr, DiscStatus, SessionState};
use crate::wire::toc::{LEAD_OUT_TRACK, TocRepr};
use layout::disc::Disc;
use layout::msf::{Lba, PREGAP_SECTORS};

/// What READ DISC INFORMATION says the disc holds.
pub(super) fn state_of(d: &DiscInfoRepr) -> DiscState {
    let erasable = d.erasable;
    match (d.status, d.last_session) {
        (DiscStatus::Empty, SessionState::Empty) => DiscState::Blank,
        (DiscStatus::Complete, _) => DiscState::Closed {
            finalized: true,
            erasable,
        },
        // The last session of an appendable disc is the next, still empty
        // one: the ones before it are closed.
        (DiscStatus::Appendable, SessionState::Empty) => DiscState::Closed {
            finalized: false,
            erasable,
        },
        _ => DiscState::Incomplete { erasable },
    }
}

/// The state in words, as the drive reports it.
fn described(state: DiscState) -> &'static str {
    match state {
        DiscState::Blank => "a blank disc",
        DiscState::Incomplete { .. } => "an incomplete session",
        DiscState::Closed {
            finalized: false, ..
        } => "a closed session on an appendable disc",
        DiscState::Closed {
            finalized: true, ..
        } => "a finalized disc",
        DiscState::Unknown => "nothing",
    }
}

/// The shortest track a drive writes in track at once: 4 seconds.
const MIN_TAO_TRACK: i32 = 300;

/// Where track at once puts each track (its index 1) and the lead-out:
/// every track (padded to 4 seconds) ends with two run-out blocks, and the
/// next starts after a 2-second pregap (data) or the plan's pause (audio).
pub(super) fn tao_layout(disc: &Disc) -> (Vec<Lba>, Lba) {
    let mut pos = 0i32;
    let mut starts = Vec::with_capacity(disc.tracks().len());
    for (i, t) in disc.tracks().iter().enumerate() {
        if i > 0 {
            pos += if t.is_audio() {
                t.pregap_sectors() as i32
            } else {
                PREGAP_SECTORS
            };
        }
        starts.push(Lba(pos));
        // A drive pads a track shorter than 4 seconds to 4 seconds.
        pos += (t.end.since(t.start) as i32).max(MIN_TAO_TRACK) + 2;
    }
    (starts, Lba(pos))
}

impl Engine {
    /// Where track at once puts each track and the lead-out on this disc:
    /// from LBA 0, or from the new session's start when adding one.
    pub(super) fn tao_positions(&self) -> (Vec<Lba>, Lba) {
        let base = self.append.and_then(|a| a.start).map_or(0, Lba::get);
        let (starts, leadout) = tao_layout(&self.disc);
        (
            starts.into_iter().map(|l| Lba(l.get() + base)).collect(),
            Lba(leadout.get() + base),
        )
    }

    /// The number the drive gives the track planned as `number`.
    fn on_disc(&self, number: u8) -> u8 {
        match self.append {
            Some(a) => number
                .saturating_sub(self.disc.first_track().get())
                .saturating_add(a.first_track),
            None => number,
        }
    }

    /// READ DISC INFORMATION after finishing: the state the burn asked
    /// for, or why not.
    pub(super) fn confirm_disc(&mut self, d: &DiscInfoRepr) -> Result<(), EngineError> {
        let state = state_of(d);
        let raw = self
            .plan
            .as_ref()
            .is_some_and(|p| p.mode.raw_block_type().is_some());
        let (fits, wanted) = if self.options.simulate {
            (state == DiscState::Blank, DiscState::Blank)
        } else if self.options.finalize || raw {
            let want = DiscState::Closed {
                finalized: true,
                erasable: d.erasable,
            };
            (state == want, want)
        } else {
            // Left appendable as asked, or finalized by a drive that has
            // no room for another session.
            (
                matches!(state, DiscState::Closed { .. }),
                DiscState::Closed {
                    finalized: false,
                    erasable: d.erasable,
                },
            )
        };
        if !fits {
            return Err(self.not_confirmed(format!(
                "it reports {}, not {}",
                described(state),
                described(wanted)
            )));
        }
        if self.options.simulate {
            self.settle_unconfirmed();
        }
        Ok(())
    }

    /// READ TOC after finishing: the planned tracks (moved as track at
    /// once moves them) and lead-out.
    pub(super) fn confirm_toc(&mut self, toc: &TocRepr) -> Result<(), EngineError> {
        let tracks = self.disc.tracks();
        // A session added after others: the TOC lists them too.
        let first = match self.append {
            Some(_) => toc.first_track,
            None => self.disc.first_track().get(),
        };
        let last = self.on_disc(self.disc.last_track().get());
        if (toc.first_track, toc.last_track) != (first, last) {
            return Err(self.not_confirmed(format!(
                "it reports tracks {}–{}, not {first}–{last}",
                toc.first_track, toc.last_track
            )));
        }
        let tao = self.plan.as_ref().is_some_and(|p| p.mode == WriteMode::Tao);
        let (moved, tao_leadout) = self.tao_positions();
        let mut want: Vec<(u8, Lba)> = tracks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let start = if tao {
                    moved.get(i).copied().unwrap_or(t.start)
                } else {
                    Lba(t.start.get() + self.base)
                };
                (self.on_disc(t.number.get()), start)
            })
            .collect();
        let leadout = if tao {
            tao_leadout
        } else {
            Lba(self.disc.leadout().get() + self.base)
        };
        want.push((LEAD_OUT_TRACK, leadout));
        for (number, lba) in want {
            let what = if number == LEAD_OUT_TRACK {
                "the lead-out".to_string()
            } else {
                format!("track {number}")
            };
            match toc.entry(number) {
                None => return Err(self.not_confirmed(format!("it reports no {what}"))),
                Some(e) if e.address.lba() != lba.get() => {
                    return Err(self.not_confirmed(format!(
                        "it reports {what} at lba {}, not {}",
                        e.address.lba(),
                        lba.get()
                    )));
                }
                Some(_) => {}
            }
        }
        // A raw session closes once the lead-out begins: a WRITE of the
        // lead-out answered with a recovered error stays unconfirmed.
        let raw = self
            .plan
            .as_ref()
            .is_some_and(|p| p.mode.raw_block_type().is_some());
        if let Some((first, _)) = self.unconfirmed
            && raw
            && first >= self.disc.leadout()
        {
            return Err(self.not_confirmed(
                "nothing shows that the end of the lead-out was recorded".to_string(),
            ));
        }
        self.settle_unconfirmed();
        Ok(())
    }

    /// The error for a drive whose account differs from the burn, with
    /// why an effect was in doubt.
    pub(super) fn not_confirmed(&self, what: String) -> EngineError {
        EngineError::NotConfirmed {
            phase: self.phase,
            what: match &self.doubt {
                Some(d) => format!("{what} ({d})"),
                None => what,
            },
        }
    }

    /// WRITEs answered with a recovered error count now: the disc they
    /// end was confirmed.
    fn settle_unconfirmed(&mut self) {
        self.doubt = None;
        if let Some((lba, blocks)) = self.unconfirmed.take() {
            self.written += blocks as u64;
            let last = Lba(lba.get() + blocks as i32 - 1);
            if self.last_written.is_none_or(|l| l < last) {
                self.last_written = Some(last);
            }
        }
    }

    /// After a failure: ask what the disc holds (when something that can
    /// record was sent) and let the tray go before reporting it. Nothing
    /// is asked of a drive that is gone.
    pub(super) fn begin_failing(&mut self, error: EngineError, gone: bool) {
        self.failing = Some(error);
        if gone {
            return self.end_failing(DiscState::Unknown);
        }
        self.command.drop_pending();
        self.read_ready = None;
        self.feed = None;
        self.step = None;
        self.cancel = false;
        self.retries = 0;
        self.retry_since = None;
        self.steps.clear();
        if self.touched {
            self.steps.push_back(Step::DiscState);
        }
        if self.locked {
            self.steps.push_back(Step::Lock(false));
        }
        self.steps.push_back(Step::Failed);
    }

    /// Ends a failing burn, saying what the disc holds when something
    /// that can record was sent.
    pub(super) fn end_failing(&mut self, disc: DiscState) {
        let cause = self
            .failing
            .take()
            .unwrap_or(EngineError::Misuse("a failure with no cause"));
        // The tray was let go, or cannot be: either way nothing more is
        // sent.
        self.locked = false;
        if self.touched {
            self.fail(EngineError::Stopped {
                cause: Box::new(cause),
                disc,
            });
        } else {
            self.fail(cause);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::disc_info::DiscInfoRepr;
    use layout::msf::Msf;

    fn info(status: DiscStatus, last: SessionState, erasable: bool) -> DiscInfoRepr {
        DiscInfoRepr {
            status,
            last_session: last,
            ..DiscInfoRepr::blank(erasable, Msf::ZERO, Msf::ZERO)
        }
    }

    #[test]
    fn disc_states() {
        use DiscStatus as D;
        use SessionState as S;
        for (status, last, erasable, want) in [
            (D::Empty, S::Empty, false, DiscState::Blank),
            // A session under way on a blank disc.
            (
                D::Empty,
                S::Incomplete,
                false,
                DiscState::Incomplete { erasable: false },
            ),
            (
                D::Appendable,
                S::Incomplete,
                true,
                DiscState::Incomplete { erasable: true },
            ),
            (
                D::Appendable,
                S::Damaged,
                false,
                DiscState::Incomplete { erasable: false },
            ),
            (
                D::Appendable,
                S::Empty,
                true,
                DiscState::Closed {
                    finalized: false,
                    erasable: true,
                },
            ),
            (
                D::Complete,
                S::Complete,
                false,
                DiscState::Closed {
                    finalized: true,
                    erasable: false,
                },
            ),
            (
                D::Other,
                S::Complete,
                false,
                DiscState::Incomplete { erasable: false },
            ),
        ] {
            assert_eq!(
                state_of(&info(status, last, erasable)),
                want,
                "{status:?} {last:?}"
            );
        }
    }
}
