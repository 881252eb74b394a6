//! Discs of several sessions (a CD-Extra: audio in session 1, a CD-ROM XA
//! data track in session 2).
//!
//! Each session is a [`Project`] planned as a single-session disc from LBA
//! 0 (its first track's index 1), plus the LBA where that index 1 lies on
//! the real disc. So the single-session plan, encoder and write engine are
//! used as they are:
//!
//! - burning writes the sessions one after another, each [`Session::disc`]
//!   moved by the drive to where the session starts (the start the engine
//!   finds for an appended session is [`next_session_start`]);
//! - an image encodes each [`Session::placed`] plan, whose sectors carry
//!   their real addresses (data headers, Q absolute time).
//!
//! Between two sessions lie the earlier session's lead-out (6750 sectors
//! after session 1, 2250 after a later one), the next session's lead-in
//! (4500) and its first track's pregap (150): Orange Book figures, as
//! cdrecord's `-msinfo` and cdrdao count them (see
//! `reference/cd-standards.md` §4).

use super::{Disc, DiscError, Project};
use crate::msf::{Lba, PREGAP_SECTORS};

/// Sectors of session 1's lead-out on a disc with more sessions.
pub const FIRST_SESSION_LEAD_OUT: i32 = 6750;
/// Sectors of a later session's lead-out.
pub const LATER_SESSION_LEAD_OUT: i32 = 2250;
/// Sectors of a later session's lead-in.
pub const LATER_SESSION_LEAD_IN: i32 = 4500;

/// Where the first track (index 1) of the session after one whose lead-out
/// starts at `leadout` lies: after that lead-out, the next lead-in and a
/// 150-sector pregap. `first` says whether `leadout` is session 1's.
pub fn next_session_start(leadout: Lba, first: bool) -> Lba {
    let lead_out = if first {
        FIRST_SESSION_LEAD_OUT
    } else {
        LATER_SESSION_LEAD_OUT
    };
    Lba(leadout
        .0
        .saturating_add(lead_out + LATER_SESSION_LEAD_IN + PREGAP_SECTORS))
}

/// One session of a [`MultiProject`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SessionProject {
    /// Where its first track's index 1 lies on the disc (0 for session 1).
    pub start: Lba,
    /// Its tracks, laid out as a single-session disc from LBA 0.
    pub project: Project,
}

/// A disc of one or more sessions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MultiProject {
    /// The sessions in disc order.
    pub sessions: Vec<SessionProject>,
}

/// One planned session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    start: Lba,
    disc: Disc,
    placed: Disc,
}

impl Session {
    /// Where its first track's index 1 lies on the disc.
    pub fn start(&self) -> Lba {
        self.start
    }

    /// The session planned from LBA 0, as a burn writes it (the drive
    /// moves it to [`Session::start`]).
    pub fn disc(&self) -> &Disc {
        &self.disc
    }

    /// The session at its place on the disc: every LBA moved by
    /// [`Session::start`], as images encode it.
    pub fn placed(&self) -> &Disc {
        &self.placed
    }

    /// Where its lead-out starts on the disc.
    pub fn leadout(&self) -> Lba {
        self.placed.leadout()
    }
}

/// A planned disc of several sessions.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiDisc {
    sessions: Vec<Session>,
}

/// Why sessions cannot make a disc.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// No session at all.
    #[error("a disc needs at least one session")]
    Empty,
    /// Session 1 does not start at LBA 0.
    #[error("session 1 starts at lba {0}; its first track's index 1 is at lba 0")]
    FirstStart(Lba),
    /// A session starts before the previous one's lead-out, the lead-in
    /// and its pregap leave room for it.
    #[error(
        "session {session} starts at lba {start}, but session {} ends with a lead-out at lba {leadout}: the earliest start is lba {earliest}",
        .session - 1
    )]
    Start {
        /// Session number.
        session: usize,
        /// Its start.
        start: Lba,
        /// The previous session's lead-out.
        leadout: Lba,
        /// The earliest possible start.
        earliest: Lba,
    },
    /// Track numbers do not continue from one session to the next.
    #[error("session {session} starts with track {first}; after track {previous} it is track {}", .previous + 1)]
    TrackNumbers {
        /// Session number.
        session: usize,
        /// Its first track.
        first: u8,
        /// The previous session's last track.
        previous: u8,
    },
    /// A session that is not a valid disc.
    #[error("session {session}: {error}")]
    Disc {
        /// Session number.
        session: usize,
        /// Why.
        error: DiscError,
    },
}

impl MultiDisc {
    /// Plans every session and checks that they follow each other on one
    /// disc.
    ///
    /// ## Errors
    ///
    /// [`SessionError`] for the first session that is not a valid disc or
    /// does not follow the one before.
    pub fn plan(project: &MultiProject) -> Result<MultiDisc, SessionError> {
        let mut sessions: Vec<Session> = Vec::with_capacity(project.sessions.len());
        for (k, s) in project.sessions.iter().enumerate() {
            let number = k + 1;
            let disc = Disc::plan(&s.project).map_err(|error| SessionError::Disc {
                session: number,
                error,
            })?;
            match sessions.last() {
                None if s.start != Lba::ZERO => return Err(SessionError::FirstStart(s.start)),
                None => {}
                Some(prev) => {
                    let earliest = next_session_start(prev.leadout(), k == 1);
                    if s.start < earliest {
                        return Err(SessionError::Start {
                            session: number,
                            start: s.start,
                            leadout: prev.leadout(),
                            earliest,
                        });
                    }
                    let previous = prev.disc.last_track().get();
                    let first = disc.first_track().get();
                    if u16::from(first) != u16::from(previous) + 1 {
                        return Err(SessionError::TrackNumbers {
                            session: number,
                            first,
                            previous,
                        });
                    }
                }
            }
            sessions.push(Session {
                start: s.start,
                placed: disc.moved(s.start),
                disc,
            });
        }
        if sessions.is_empty() {
            return Err(SessionError::Empty);
        }
        Ok(MultiDisc { sessions })
    }

    /// The sessions in disc order (at least one).
    pub fn sessions(&self) -> &[Session] {
        &self.sessions
    }

    /// Whether each later session starts where a burn puts it: right after
    /// the previous lead-out, the lead-in and the pregap
    /// ([`next_session_start`]). The first session that does not, if any.
    pub fn unusual_start(&self) -> Option<(usize, Lba, Lba)> {
        self.sessions.windows(2).enumerate().find_map(|(k, w)| {
            let expected = next_session_start(w[0].leadout(), k == 0);
            (w[1].start != expected).then_some((k + 2, w[1].start, expected))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disc::{SourceSpan, TrackSpec};
    use crate::sector::SectorType;

    fn project(first_track: u8, ty: SectorType, sectors: u32) -> Project {
        Project {
            first_track,
            tracks: vec![TrackSpec::new(
                ty,
                SourceSpan {
                    source: 0,
                    offset: 0,
                    sectors,
                },
            )],
            sources: vec![crate::disc::Source {
                path: "a.bin".into(),
                format: crate::disc::SourceFormat::Binary,
                join: Vec::new(),
            }],
            ..Project::default()
        }
    }

    #[test]
    fn the_next_session_starts_11400_sectors_after_the_first_lead_out() {
        // 6750 + 4500 + 150 after session 1; 2250 + 4500 + 150 later.
        assert_eq!(next_session_start(Lba(1000), true), Lba(12_400));
        assert_eq!(next_session_start(Lba(1000), false), Lba(7_900));
    }

    #[test]
    fn a_second_session_is_placed_at_its_start() {
        let m = MultiProject {
            sessions: vec![
                SessionProject {
                    start: Lba::ZERO,
                    project: project(1, SectorType::Audio, 1000),
                },
                SessionProject {
                    start: Lba(12_400),
                    project: project(2, SectorType::Mode2Form1, 400),
                },
            ],
        };
        let d = MultiDisc::plan(&m).unwrap();
        let s2 = &d.sessions()[1];
        assert_eq!(s2.disc().tracks()[0].start, Lba::ZERO);
        assert_eq!(s2.placed().tracks()[0].start, Lba(12_400));
        assert_eq!(s2.placed().tracks()[0].pregap_start, Lba(12_250));
        assert_eq!(s2.leadout(), Lba(12_800));
        assert_eq!(d.unusual_start(), None);
    }

    #[test]
    fn a_session_too_early_or_misnumbered_is_refused() {
        let mut m = MultiProject {
            sessions: vec![
                SessionProject {
                    start: Lba::ZERO,
                    project: project(1, SectorType::Audio, 1000),
                },
                SessionProject {
                    start: Lba(12_399),
                    project: project(2, SectorType::Mode1, 400),
                },
            ],
        };
        assert_eq!(
            MultiDisc::plan(&m).unwrap_err().to_string(),
            "session 2 starts at lba 12399, but session 1 ends with a lead-out at lba 1000: the earliest start is lba 12400"
        );
        m.sessions[1].start = Lba(12_400);
        m.sessions[1].project.first_track = 3;
        assert_eq!(
            MultiDisc::plan(&m).unwrap_err().to_string(),
            "session 2 starts with track 3; after track 1 it is track 2"
        );
    }
}
