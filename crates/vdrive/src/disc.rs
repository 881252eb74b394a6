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

    /// Sectors recorded in the program areas (up to the last lead-out
    /// end), for READ CAPACITY-like reports.
    pub fn last_recorded(&self) -> Option<Lba> {
        self.sessions.last().map(|s| Lba(s.end().get() - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::MediaKind;

    #[test]
    fn next_session_follows_the_b0_pointer() {
        let media = MediaSpec::new(MediaKind::CdR, 80).unwrap();
        let mut d = DiscMeta::blank(media);
        assert_eq!(d.status(), DiscStatus::Blank);
        assert_eq!(d.next_session(), Some((Lba(-11635), Lba(-150))));
        d.sessions.push(Session {
            lead_in: Lba(-11635),
            layout: TocLayout {
                tracks: Vec::new(),
                leadout: Lba(20_000),
                disc_type: layout::disc::DiscType::CdDaOrCdRom,
                mcn: None,
            },
            leadout_sectors: FIRST_LEADOUT,
            data_modes: Vec::new(),
            cdtext: Vec::new(),
            next_program_area: Some(Lba(20_000 + 11_400)),
            write_type: WriteType::Tao,
        });
        assert_eq!(d.status(), DiscStatus::Appendable);
        // Lead-out 6750, lead-in 4500, pregap 150.
        assert_eq!(d.next_session(), Some((Lba(26_750), Lba(31_250))));
        assert_eq!(d.leadout_sectors(), LATER_LEADOUT);
        d.finalized = true;
        assert_eq!(
            (d.status(), d.next_session()),
            (DiscStatus::Finalized, None)
        );
    }
}
