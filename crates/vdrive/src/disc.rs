//! What a virtual disc holds besides its frames: the media, how far it was
//! recorded, and the table of contents of each session. This is the JSON a
//! [`SectorStore`](crate::store::SectorStore) keeps with the frames (the
//! `"disc"` member of a `.vdisc` header).

use crate::media::MediaSpec;
use layout::disc::TocLayout;
use layout::msf::Lba;
use serde::{Deserialize, Serialize};

/// Sectors of the lead-out the recorder writes after a first session.
pub const FIRST_LEADOUT: i32 = 6750;
/// Sectors of the lead-out after later sessions.
pub const LATER_LEADOUT: i32 = 2250;
/// Sectors of a later session's lead-in.
pub const LATER_LEADIN: i32 = 4500;
/// Why a disc whose recording was cut off (the drive lost power, or
/// the program driving it stopped) is damaged.
pub const INTERRUPTED: &str =
    "a recording or blanking was interrupted (rawburn was stopped mid-write)";

/// The state of a disc: media plus what is recorded on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscMeta {
    /// The media.
    pub media: MediaSpec,
    /// Closed sessions, in order.
    #[serde(default)]
    pub sessions: Vec<Session>,
    /// Tracks of a session recorded track-at-once but not yet closed (what
    /// the PMA of a real disc remembers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<OpenSession>,
    /// Whether the last session forbade another one.
    #[serde(default)]
    pub finalized: bool,
    /// A recording that failed part-way (underrun, write error): the
    /// session cannot be completed, only blanked (CD-RW).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub damaged: Option<String>,
}

/// A closed session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Where its lead-in starts.
    pub lead_in: Lba,
    /// Its tracks, index points and lead-out.
    pub layout: TocLayout,
    /// Its lead-out length in sectors.
    pub leadout_sectors: i32,
    /// Data mode of each track (READ TRACK INFORMATION byte 6: 1 Mode 1,
    /// 2 Mode 2, 0xf audio or unknown).
    pub data_modes: Vec<u8>,
    /// CD-TEXT packs found in the lead-in (18 bytes each, one period).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cdtext: Vec<Vec<u8>>,
    /// The next session's program area, when the session allows one (the
    /// B0 pointer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_program_area: Option<Lba>,
    /// How the session was recorded.
    pub write_type: WriteType,
}

impl Session {
    /// The first sector after the lead-out.
    pub fn end(&self) -> Lba {
        Lba(self.layout.leadout.get() + self.leadout_sectors)
    }
}

/// A session being recorded track at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenSession {
    /// Where its lead-in will go.
    pub lead_in: Lba,
    /// Its first track's pregap start (its program area).
    pub program_area: Lba,
    /// The tracks recorded so far; `end` of the last one is where
    /// recording stopped.
    pub tracks: Vec<layout::disc::TocTrack>,
    /// Data mode of each track.
    pub data_modes: Vec<u8>,
    /// A track reserved with RESERVE TRACK and not yet written: its start
    /// and size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved: Option<(Lba, u32)>,
}

/// The write types a recorder knows (mode page 05h byte 2 bits 3–0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WriteType {
    /// Track at once.
    Tao,
    /// Session at once, from a cue sheet.
    Sao,
    /// Raw: the host writes lead-in, program area and lead-out.
    Raw,
}

/// What READ DISC INFORMATION reports as the disc's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscStatus {
    /// Nothing recorded.
    Blank,
    /// Another session or track can be added.
    Appendable,
    /// Closed for good.
    Finalized,
}

impl DiscMeta {
    /// A blank disc of `media`.
    pub fn blank(media: MediaSpec) -> DiscMeta {
        DiscMeta {
            media,
            sessions: Vec::new(),
            open: None,
            finalized: false,
            damaged: None,
        }
    }

    /// The disc's status.
    pub fn status(&self) -> DiscStatus {
        if self.finalized {
            DiscStatus::Finalized
        } else if self.sessions.is_empty() && self.open.is_none() && self.damaged.is_none() {
            DiscStatus::Blank
        } else {
            DiscStatus::Appendable
        }
    }

    /// Where the next session's lead-in starts and where its first track's
    /// pregap begins, when another session can be added. The B0 pointer
    /// names the next program area (its first track's index 1); the 150
    /// pregap sectors and a 4500-sector lead-in come before it.
    pub fn next_session(&self) -> Option<(Lba, Lba)> {
        if self.finalized || self.damaged.is_some() {
            return None;
        }
        match self.sessions.last() {
            None => Some((self.media.lead_in_lba(), Lba::PREGAP_START)),
            Some(s) => {
                let program = s.next_program_area?;
                let pregap = Lba(program.get() - layout::msf::PREGAP_SECTORS);
                Some((Lba(pregap.get() - LATER_LEADIN), pregap))
            }
        }
    }

    /// The lead-out length a session recorded now gets.
    pub fn leadout_sectors(&self) -> i32 {
        if self.sessions.is_empty() {
            FIRST_LEADOUT
        } else {
            LATER_LEADOUT
        }
    }

    /// Every track of every closed session, in order.
    pub fn tracks(&self) -> impl Iterator<Item = (usize, &layout::disc::TocTrack)> {
        self.sessions
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.layout.tracks.iter().map(move |t| (i, t)))
    }

    /// Marks the disc as left by a change that stopped part-way: damaged
    /// (a reason given before is kept).
    pub fn interrupt(&mut self) {
        self.damaged.get_or_insert_with(|| INTERRUPTED.to_string());
    }

    /// Checks that the state can be true: the media as made, sessions and
    /// tracks in order inside the disc, a finalized disc with a session
    /// and no open one.
    ///
    /// ## Errors
    ///
    /// The first contradiction found, in words.
    pub fn check(&self) -> Result<(), String> {
        let m = &self.media;
        if MediaSpec::new(m.kind, m.minutes).ok() != Some(*m) {
            return Err(format!(
                "no {} of {} minutes has lead-in {} and last lead-out {}",
                m.kind.name(),
                m.minutes,
                m.lead_in_start,
                m.last_leadout
            ));
        }
        if self.finalized && self.sessions.is_empty() {
            return Err("the disc is finalized but holds no session".into());
        }
        if self.finalized && self.open.is_some() {
            return Err("the disc is finalized but has an open session".into());
        }
        let mut order = Order::new();
        for (i, s) in self.sessions.iter().enumerate() {
            let n = i + 1;
            if i > 0 && self.sessions[i - 1].next_program_area.is_none() {
                return Err(format!(
                    "session {n} follows a session that closed the disc"
                ));
            }
            if s.layout.tracks.is_empty() {
                return Err(format!("session {n} has no track"));
            }
            if s.leadout_sectors < 0 || s.cdtext.iter().any(|p| p.len() != 18) {
                return Err(format!(
                    "session {n} has a bad lead-out length or CD-TEXT pack"
                ));
            }
            let what = format!("session {n}");
            order.after(s.lead_in, &what)?;
            order.tracks(&s.layout.tracks, &what)?;
            order.after(s.layout.leadout, &format!("{what}'s lead-out"))?;
            order.after(s.end(), &format!("{what}'s lead-out end"))?;
        }
        if let Some(o) = &self.open {
            order.after(o.lead_in, "the open session")?;
            order.after(o.program_area, "the open session's program area")?;
            order.tracks(&o.tracks, "the open session")?;
            if let Some((start, size)) = o.reserved {
                order.after(start, "the reserved track")?;
                order.after(
                    Lba(start.get().saturating_add(size as i32)),
                    "the reserved track's end",
                )?;
            }
        }
        Ok(())
    }

    /// Sectors recorded in the program areas (up to the last lead-out
    /// end), for READ CAPACITY-like reports.
    pub fn last_recorded(&self) -> Option<Lba> {
        self.sessions.last().map(|s| Lba(s.end().get() - 1))
    }
}

/// Addresses met in disc order: each at or after the one before, all
/// inside the file's address space.
struct Order {
    at: Lba,
    track: u8,
}

impl Order {
    fn new() -> Order {
        Order {
            at: crate::vdisc::FIRST_LBA,
            track: 0,
        }
    }

    fn after(&mut self, lba: Lba, what: &str) -> Result<(), String> {
        if lba > crate::vdisc::END_LBA {
            return Err(format!(
                "{what} (lba {}) lies past the end of the disc",
                lba.get()
            ));
        }
        if lba < self.at {
            return Err(format!(
                "{what} (lba {}) comes before what precedes it (lba {})",
                lba.get(),
                self.at.get()
            ));
        }
        self.at = lba;
        Ok(())
    }

    fn tracks(&mut self, tracks: &[layout::disc::TocTrack], what: &str) -> Result<(), String> {
        for t in tracks {
            if t.number <= self.track || t.number > 99 {
                return Err(format!("track {} of {what} is out of order", t.number));
            }
            self.track = t.number;
            let name = format!("track {}", t.number);
            self.after(t.pregap_start, &name)?;
            for (k, &index) in t.indexes.iter().enumerate() {
                self.after(index, &format!("{name} index {}", k + 1))?;
            }
            if t.end <= t.start() {
                return Err(format!("{name} of {what} ends before it starts"));
            }
            self.after(t.end, &format!("{name}'s end"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
