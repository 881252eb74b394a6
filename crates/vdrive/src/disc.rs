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

    fn track(number: u8, pregap: i32, start: i32, end: i32) -> layout::disc::TocTrack {
        layout::disc::TocTrack {
            number,
            control: 4,
            copy: layout::disc::CopySetting::default(),
            pregap_start: Lba(pregap),
            indexes: vec![Lba(start)],
            end: Lba(end),
            isrc: None,
        }
    }

    fn one_session() -> DiscMeta {
        let media = MediaSpec::new(MediaKind::CdR, 80).unwrap();
        let mut d = DiscMeta::blank(media);
        d.sessions.push(Session {
            lead_in: Lba(-11635),
            layout: TocLayout {
                tracks: vec![track(1, -150, 0, 600), track(2, 600, 750, 2000)],
                leadout: Lba(2000),
                disc_type: layout::disc::DiscType::CdDaOrCdRom,
                mcn: None,
            },
            leadout_sectors: FIRST_LEADOUT,
            data_modes: vec![1, 0xf],
            cdtext: Vec::new(),
            next_program_area: None,
            write_type: WriteType::Sao,
        });
        d.finalized = true;
        d
    }

    #[test]
    fn states_that_cannot_be_are_found() {
        let good = one_session();
        assert_eq!(good.check(), Ok(()));
        assert_eq!(DiscMeta::blank(good.media).check(), Ok(()));
        let mut d = good.clone();
        d.media.last_leadout = layout::msf::Msf::new(60, 0, 0).unwrap();
        assert_eq!(
            d.check(),
            Err("no cd-r of 80 minutes has lead-in 97:26:65 and last lead-out 60:00:00".into())
        );
        let mut d = DiscMeta::blank(good.media);
        d.finalized = true;
        assert_eq!(
            d.check(),
            Err("the disc is finalized but holds no session".into())
        );
        let mut d = good.clone();
        d.open = Some(OpenSession {
            lead_in: Lba(8750),
            program_area: Lba(13_250),
            tracks: Vec::new(),
            data_modes: Vec::new(),
            reserved: None,
        });
        assert_eq!(
            d.check(),
            Err("the disc is finalized but has an open session".into())
        );
        d.finalized = false;
        assert_eq!(d.check(), Ok(()), "an open session after an appendable one");
        let mut d = good.clone();
        d.sessions[0].layout.tracks[1] = track(2, 500, 750, 2000);
        assert_eq!(
            d.check(),
            Err("track 2 (lba 500) comes before what precedes it (lba 600)".into())
        );
        let mut d = good.clone();
        d.sessions[0].layout.tracks[1].number = 1;
        assert_eq!(
            d.check(),
            Err("track 1 of session 1 is out of order".into())
        );
        let mut d = good.clone();
        d.sessions[0].layout.tracks[1].end = Lba(750);
        assert_eq!(
            d.check(),
            Err("track 2 of session 1 ends before it starts".into())
        );
        let mut d = good.clone();
        d.sessions[0].layout.leadout = Lba(1000);
        assert_eq!(
            d.check(),
            Err("session 1's lead-out (lba 1000) comes before what precedes it (lba 2000)".into())
        );
        let mut d = good.clone();
        d.sessions[0].layout.tracks[1].end = Lba(460_000);
        d.sessions[0].layout.leadout = Lba(460_000);
        assert_eq!(
            d.check(),
            Err("track 2's end (lba 460000) lies past the end of the disc".into())
        );
        let mut d = good.clone();
        d.sessions.push(d.sessions[0].clone());
        assert_eq!(
            d.check(),
            Err("session 2 follows a session that closed the disc".into())
        );
        d.sessions[0].next_program_area = Some(Lba(13_400));
        assert_eq!(
            d.check(),
            Err("session 2 (lba -11635) comes before what precedes it (lba 8750)".into())
        );
        let mut d = good.clone();
        d.sessions[0].cdtext = vec![vec![0; 17]];
        assert_eq!(
            d.check(),
            Err("session 1 has a bad lead-out length or CD-TEXT pack".into())
        );
    }

    #[test]
    fn an_interrupted_disc_is_damaged_and_keeps_an_earlier_reason() {
        let mut d = DiscMeta::blank(MediaSpec::new(MediaKind::CdRw, 74).unwrap());
        d.interrupt();
        assert_eq!(d.damaged.as_deref(), Some(INTERRUPTED));
        assert_eq!(d.status(), DiscStatus::Appendable);
        assert_eq!(d.next_session(), None);
        d.damaged = Some("buffer underrun at lba 5".into());
        d.interrupt();
        assert_eq!(d.damaged.as_deref(), Some("buffer underrun at lba 5"));
    }
}
