//! What the drive reads back: READ DISC INFORMATION, READ TRACK
//! INFORMATION, READ TOC/PMA/ATIP and READ CD, all from what was recorded.

use super::write::tao_next;
use super::{Recorder, STORE_FAILURE};
use crate::blocks::{MAIN, SYNC, is_data_sector};
use crate::disc::{DiscMeta, DiscStatus};
use crate::media::MediaKind;
use crate::recording::Kind;
use crate::scsi::Completion;
use crate::store::{FRAME, SectorStore};
use layout::disc::TocTrack;
use layout::msf::{Lba, Msf};
use layout::subchannel::{PW_SIZE, RW_LATENCY_SECTORS, RwDecoder, pq_from_interleaved};
use mmc::wire::command::{
    C2Errors, HeaderCodes, ReadCd, ReadDiscInfo, ReadToc, ReadTrackInfo, SectorType, Subchannel,
    TocFormat, TrackInfoAddress,
};
use mmc::wire::disc_info::{DiscInfoRepr, DiscStatus as WireStatus, SessionState};
use mmc::wire::sense::{Sense, SenseKey};
use mmc::wire::toc::{
    AtipRepr, CdTextRepr, FullTocEntry, FullTocRepr, SessionInfoRepr, TocAddress, TocEntry, TocRepr,
};
use mmc::wire::track_info::TrackInfoRepr;
use std::time::Duration;

/// 8/00/00: blank check (reading where nothing was recorded).
const BLANK_CHECK: Sense = Sense::new(SenseKey::BlankCheck, 0x00, 0x00);
/// 3/57/00: unable to recover table of contents.
const NO_TOC: Sense = Sense::new(SenseKey::MediumError, 0x57, 0x00);

/// What a recorded sector turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Audio,
    Mode1,
    Formless,
    Form1,
    Form2,
}

impl<S: SectorStore> Recorder<S> {
    pub(super) fn read_disc_info(&mut self, r: &ReadDiscInfo, now: Duration) -> Completion {
        if r.data_type != 0 {
            return self.fail(Sense::INVALID_FIELD_IN_CDB, now);
        }
        let d = match self.view() {
            Ok(d) => d.clone(),
            Err(s) => return self.fail(s, now),
        };
        let erasable = d.media.kind == MediaKind::CdRw;
        let mut info = DiscInfoRepr::blank(erasable, d.media.lead_in_start, d.media.last_leadout);
        let closed_tracks: Vec<&TocTrack> = d.tracks().map(|(_, t)| t).collect();
        let first_track = closed_tracks.first().map_or(1, |t| t.number);
        let open_tracks = d.open.as_ref().map_or(0, |o| o.tracks.len());
        let last_number = d
            .open
            .as_ref()
            .and_then(|o| o.tracks.last())
            .or(closed_tracks.last().copied())
            .map_or(0, |t| t.number as u16);
        info.first_track = first_track;
        info.status = match d.status() {
            DiscStatus::Blank => WireStatus::Empty,
            DiscStatus::Appendable => WireStatus::Appendable,
            DiscStatus::Finalized => WireStatus::Complete,
        };
        let closed = d.sessions.len() as u16;
        if d.finalized {
            info.last_session = SessionState::Complete;
            info.sessions = closed;
            let last = d.sessions.last();
            info.first_track_last_session = last
                .and_then(|s| s.layout.tracks.first())
                .map_or(1, |t| t.number as u16);
            info.last_track_last_session = last_number;
            info.lead_in = None;
            info.last_lead_out = None;
        } else {
            // The last session is the one being (or to be) recorded.
            info.sessions = closed + 1;
            let incomplete = open_tracks > 0 || self.recording.is_some() || d.damaged.is_some();
            info.last_session = if incomplete {
                SessionState::Incomplete
            } else {
                SessionState::Empty
            };
            let first_open = d
                .open
                .as_ref()
                .and_then(|o| o.tracks.first())
                .map_or(last_number + 1, |t| t.number as u16);
            info.first_track_last_session = first_open;
            info.last_track_last_session = last_number.max(first_open.saturating_sub(1)) + 1;
            if let Some((lead_in, _)) = d.next_session() {
                info.lead_in = lead_in.to_msf().ok();
            }
        }
        info.disc_type = match d.sessions.first() {
            Some(s) => s.layout.disc_type.code(),
            None if d.status() == DiscStatus::Blank => 0xff,
            None => self.setup.session_format,
        };
        let data = info.to_vec();
        self.reply(data, r.alloc as usize, now)
    }

    pub(super) fn read_track_info(&mut self, r: &ReadTrackInfo, now: Duration) -> Completion {
        let d = match self.view() {
            Ok(d) => d.clone(),
            Err(s) => return self.fail(s, now),
        };
        let tracks = all_tracks(&d);
        let invisible_number = tracks.last().map_or(1, |(_, t, _)| t.number as u32 + 1);
        let number = match r.kind {
            TrackInfoAddress::Track if r.address == 0xff => {
                if let Some(rep) = self.track_in_progress(&d) {
                    return self.reply(rep.to_vec(), r.alloc as usize, now);
                }
                invisible_number
            }
            TrackInfoAddress::Track => r.address,
            TrackInfoAddress::Lba => {
                let lba = Lba(r.address as i32);
                match tracks
                    .iter()
                    .find(|(_, t, _)| t.pregap_start <= lba && lba < t.end)
                {
                    Some((_, t, _)) => t.number as u32,
                    None => invisible_number,
                }
            }
            TrackInfoAddress::Session => {
                let s = r.address as usize;
                match d
                    .sessions
                    .get(s.wrapping_sub(1))
                    .and_then(|s| s.layout.tracks.first())
                {
                    Some(t) => t.number as u32,
                    None if s == d.sessions.len() + 1 => invisible_number,
                    None => return self.fail(Sense::INVALID_FIELD_IN_CDB, now),
                }
            }
            _ => return self.fail(Sense::INVALID_FIELD_IN_CDB, now),
        };
        if let Some((session, t, mode)) = tracks.iter().find(|(_, t, _)| t.number as u32 == number)
        {
            let start = t.start();
            let mode = if *mode == 0 {
                match self.data_mode_at(start) {
                    Ok(m) => m,
                    Err(s) => return self.fail_at(s, start, now),
                }
            } else {
                *mode
            };
            let rep = TrackInfoRepr {
                track: t.number as u16,
                session: *session as u16,
                copy: false,
                track_mode: t.control,
                data_mode: mode,
                track_start: start.get(),
                next_writable: None,
                free_blocks: 0,
                track_size: t.end.since(start) as u32,
                last_recorded: Some(t.end.get() - 1),
                ..TrackInfoRepr::default()
            };
            return self.reply(rep.to_vec(), r.alloc as usize, now);
        }
        if number != invisible_number {
            return self.fail(Sense::INVALID_FIELD_IN_CDB, now);
        }
        // The invisible track: where the next one goes.
        let Some((_, pregap)) = d.next_session() else {
            return self.fail(Sense::INVALID_FIELD_IN_CDB, now);
        };
        let start = match self.setup.kind() {
            Some(crate::disc::WriteType::Tao) => match d.open.as_ref().and_then(|o| o.reserved) {
                Some((s, _)) => s,
                None => match tao_next(&d, &self.setup, pregap) {
                    Ok((_, _, s)) => s,
                    Err(e) => return self.fail(e, now),
                },
            },
            _ => Lba(pregap.get() + layout::msf::PREGAP_SECTORS),
        };
        let last = d.media.last_leadout_lba();
        let (free, size) = match d.open.as_ref().and_then(|o| o.reserved) {
            Some((_, n)) => (n, n),
            None => {
                let f = last.since(start).max(0) as u32;
                (f, f)
            }
        };
        let rep = TrackInfoRepr {
            track: number as u16,
            session: d.sessions.len() as u16 + 1,
            track_mode: self.setup.track_mode,
            blank: true,
            reserved: d.open.as_ref().is_some_and(|o| o.reserved.is_some()),
            data_mode: 0xf,
            track_start: start.get(),
            next_writable: Some(start.get()),
            free_blocks: free,
            track_size: size,
            last_recorded: None,
            ..TrackInfoRepr::default()
        };
        self.reply(rep.to_vec(), r.alloc as usize, now)
    }

    /// The TAO track being written, as READ TRACK INFORMATION shows it.
    fn track_in_progress(&self, d: &DiscMeta) -> Option<TrackInfoRepr> {
        let rec = self.recording.as_ref()?;
        let Kind::Tao(t) = &rec.kind else {
            return None;
        };
        let last = d.media.last_leadout_lba();
        let limit = t.reserved_end.unwrap_or(last);
        Some(TrackInfoRepr {
            track: t.track.number as u16,
            session: d.sessions.len() as u16 + 1,
            track_mode: t.track.control,
            data_mode: t.data_mode,
            reserved: t.reserved_end.is_some(),
            track_start: t.track.start().get(),
            next_writable: Some(rec.next.get()),
            free_blocks: limit.since(rec.next).max(0) as u32,
            track_size: limit.since(t.track.start()).max(0) as u32,
            last_recorded: (rec.next > t.track.start()).then(|| rec.next.get() - 1),
            ..TrackInfoRepr::default()
        })
    }

    /// The data mode of the sector at `lba` (1, 2, or 0xF for audio); a
    /// hardware error when the store cannot read it.
    fn data_mode_at(&mut self, lba: Lba) -> Result<u8, Sense> {
        let mut frame = vec![0u8; FRAME];
        match self.store.read_frame(lba, &mut frame) {
            Ok(true) if frame[..12] == SYNC && (frame[15] == 1 || frame[15] == 2) => Ok(frame[15]),
            Ok(_) => Ok(0xf),
            Err(_) => Err(STORE_FAILURE),
        }
    }

    pub(super) fn read_toc(&mut self, r: &ReadToc, now: Duration) -> Completion {
        let d = match self.view() {
            Ok(d) => d.clone(),
            Err(s) => return self.fail(s, now),
        };
        let alloc = r.alloc as usize;
        if r.format == TocFormat::Atip {
            let mut atip = AtipRepr::cd_r(d.media.lead_in_start, d.media.last_leadout);
            atip.disc_type_rw = d.media.kind == MediaKind::CdRw;
            return self.reply(atip.to_vec(), alloc, now);
        }
        if d.sessions.is_empty() {
            return self.fail(Sense::INVALID_FIELD_IN_CDB, now);
        }
        let address = |l: Lba| {
            if r.msf {
                TocAddress::Msf(l.to_msf().unwrap_or(Msf::ZERO))
            } else {
                TocAddress::Lba(l.get())
            }
        };
        let entry = |control: u8, track: u8, l: Lba| TocEntry {
            adr: 1,
            control,
            track,
            address: address(l),
        };
        let data = match r.format {
            TocFormat::Toc => {
                let tracks: Vec<&TocTrack> = d.tracks().map(|(_, t)| t).collect();
                let (Some(first), Some(last)) = (tracks.first(), tracks.last()) else {
                    return self.fail(NO_TOC, now);
                };
                let leadout = d.sessions.last().map_or(Lba::ZERO, |s| s.layout.leadout);
                if r.track > last.number && r.track != 0xaa {
                    return self.fail(Sense::INVALID_FIELD_IN_CDB, now);
                }
                let mut entries: Vec<TocEntry> = tracks
                    .iter()
                    .filter(|t| r.track != 0xaa && t.number >= r.track)
                    .map(|t| entry(t.control, t.number, t.start()))
                    .collect();
                entries.push(entry(last.control, 0xaa, leadout));
                TocRepr {
                    first_track: first.number,
                    last_track: last.number,
                    entries,
                }
                .to_vec()
            }
            TocFormat::SessionInfo => {
                let last = d.sessions.last().and_then(|s| s.layout.tracks.first());
                SessionInfoRepr {
                    first_session: 1,
                    last_session: d.sessions.len() as u8,
                    entry: last.map(|t| entry(t.control, t.number, t.start())),
                }
                .to_vec()
            }
            TocFormat::FullToc => full_toc(&d, r.track).to_vec(),
            TocFormat::CdText => {
                let packs: Vec<[u8; 18]> = d
                    .sessions
                    .first()
                    .map(|s| {
                        s.cdtext
                            .iter()
                            .filter_map(|p| <[u8; 18]>::try_from(p.as_slice()).ok())
                            .collect()
                    })
                    .unwrap_or_default();
                if packs.is_empty() {
                    return self.fail(Sense::INVALID_FIELD_IN_CDB, now);
                }
                CdTextRepr { packs }.to_vec()
            }
            _ => return self.fail(Sense::INVALID_FIELD_IN_CDB, now),
        };
        self.reply(data, alloc, now)
    }

    pub(super) fn read_cd(&mut self, r: &ReadCd, now: Duration) -> Completion {
        let (lowest, end) = match self.view() {
            Ok(d) => (
                d.sessions
                    .first()
                    .map_or(d.media.lead_in_lba(), |s| s.lead_in),
                Lba(d.media.last_leadout_lba().get() + crate::disc::FIRST_LEADOUT),
            ),
            Err(s) => return self.fail(s, now),
        };
        let (c2, sub) = match (r.c2, r.subchannel) {
            (C2Errors::Unknown(_), _) | (_, Subchannel::Unknown(_)) => {
                return self.fail(Sense::INVALID_FIELD_IN_CDB, now);
            }
            (c2, sub) => (c2, sub),
        };
        let first = Lba(r.lba);
        let stop = r.lba as i64 + r.blocks as i64;
        if first < lowest || stop > end.get() as i64 {
            return self.fail_at(Sense::LBA_OUT_OF_RANGE, first, now);
        }
        let mut out = Vec::new();
        let mut frame = vec![0u8; FRAME];
        let mut decoder = RwDecoder::new();
        let mut corrected: Vec<[u8; PW_SIZE]> = Vec::new();
        if sub == Subchannel::CorrectedRw96 {
            // The R–W decoder runs two sectors behind: feed it ahead.
            for k in 0..r.blocks as i64 + RW_LATENCY_SECTORS as i64 {
                let l = Lba((r.lba as i64 + k) as i32);
                if self.store.read_frame(l, &mut frame).is_err() {
                    return self.fail_at(STORE_FAILURE, l, now);
                }
                let raw: [u8; PW_SIZE] = frame[MAIN..].try_into().unwrap_or([0; PW_SIZE]);
                let (packs, _) = decoder.decode_sector(&raw);
                if k >= RW_LATENCY_SECTORS as i64 {
                    corrected.push(packs);
                }
            }
        }
        for k in 0..r.blocks as i64 {
            let lba = Lba((r.lba as i64 + k) as i32);
            match self.store.read_frame(lba, &mut frame) {
                Ok(true) => {}
                Ok(false) => return self.fail_at(BLANK_CHECK, lba, now),
                Err(_) => return self.fail_at(STORE_FAILURE, lba, now),
            }
            let found = classify(&frame);
            let wanted = match r.sector_type {
                SectorType::Any => true,
                SectorType::CdDa => found == Found::Audio,
                SectorType::Mode1 => found == Found::Mode1,
                SectorType::Mode2Formless => found == Found::Formless,
                SectorType::Mode2Form1 => found == Found::Form1,
                SectorType::Mode2Form2 => found == Found::Form2,
                _ => return self.fail(Sense::INVALID_FIELD_IN_CDB, now),
            };
            if !wanted {
                return self.fail_at(Sense::ILLEGAL_MODE_FOR_TRACK, lba, now);
            }
            main_fields(r, found, &frame, &mut out);
            match c2 {
                C2Errors::C2Bits294 => out.extend_from_slice(&[0u8; 294]),
                C2Errors::C2Block296 => out.extend_from_slice(&[0u8; 296]),
                _ => {}
            }
            match sub {
                Subchannel::RawPw96 => out.extend_from_slice(&frame[MAIN..]),
                Subchannel::FormattedQ16 => {
                    let raw: [u8; PW_SIZE] = frame[MAIN..].try_into().unwrap_or([0; PW_SIZE]);
                    let (p, q) = pq_from_interleaved(&raw);
                    out.extend_from_slice(&q);
                    out.extend_from_slice(&[0, 0, 0, if p { 0x80 } else { 0 }]);
                }
                Subchannel::CorrectedRw96 => {
                    out.extend_from_slice(&corrected.get(k as usize).copied().unwrap_or([0; 96]))
                }
                _ => {}
            }
        }
        self.good(out, now)
    }
}

/// Every closed and open track with its session number and data mode (0
/// when not known yet).
fn all_tracks(d: &DiscMeta) -> Vec<(usize, TocTrack, u8)> {
    let mut out = Vec::new();
    for (i, s) in d.sessions.iter().enumerate() {
        for (k, t) in s.layout.tracks.iter().enumerate() {
            out.push((i + 1, t.clone(), s.data_modes.get(k).copied().unwrap_or(0)));
        }
    }
    if let Some(o) = &d.open {
        for (k, t) in o.tracks.iter().enumerate() {
            out.push((
                d.sessions.len() + 1,
                t.clone(),
                o.data_modes.get(k).copied().unwrap_or(0),
            ));
        }
    }
    out
}

/// The full TOC (format 0010b) from session `from` on.
fn full_toc(d: &DiscMeta, from: u8) -> FullTocRepr {
    let mut entries = Vec::new();
    let msf = |l: Lba| l.to_disc_time().unwrap_or(Msf::ZERO);
    for (i, s) in d.sessions.iter().enumerate() {
        let session = i as u8 + 1;
        if session < from {
            continue;
        }
        let (Some(first), Some(last)) = (s.layout.tracks.first(), s.layout.tracks.last()) else {
            continue;
        };
        let e = |control: u8, adr: u8, point: u8, m: [u8; 3], zero: u8, p: [u8; 3]| FullTocEntry {
            session,
            adr,
            control,
            tno: 0,
            point,
            min: m[0],
            sec: m[1],
            frame: m[2],
            zero,
            pmin: p[0],
            psec: p[1],
            pframe: p[2],
        };
        let t = |l: Lba| {
            let m = msf(l);
            [m.minute(), m.second(), m.frame()]
        };
        entries.push(e(
            first.control,
            1,
            0xa0,
            [0; 3],
            0,
            [first.number, s.layout.disc_type.code(), 0],
        ));
        entries.push(e(last.control, 1, 0xa1, [0; 3], 0, [last.number, 0, 0]));
        entries.push(e(last.control, 1, 0xa2, [0; 3], 0, t(s.layout.leadout)));
        for tr in &s.layout.tracks {
            entries.push(e(tr.control, 1, tr.number, [0; 3], 0, t(tr.start())));
        }
        if let Some(next) = s.next_program_area {
            entries.push(e(
                last.control,
                5,
                0xb0,
                t(next),
                1,
                t(d.media.last_leadout_lba()),
            ));
        }
    }
    FullTocRepr {
        first_session: 1,
        last_session: d.sessions.len() as u8,
        entries,
    }
}

/// What kind of sector a stored frame holds.
fn classify(frame: &[u8]) -> Found {
    if !is_data_sector(frame) {
        return Found::Audio;
    }
    match frame[15] {
        1 => Found::Mode1,
        2 if frame[16..20] == frame[20..24] => {
            if frame[18] & 0x20 != 0 {
                Found::Form2
            } else {
                Found::Form1
            }
        }
        2 => Found::Formless,
        _ => Found::Audio,
    }
}

/// Appends the main-channel fields READ CD byte 9 selects.
fn main_fields(r: &ReadCd, found: Found, frame: &[u8], out: &mut Vec<u8>) {
    let any = r.sync || r.headers != HeaderCodes::None || r.user_data || r.edc_ecc;
    if found == Found::Audio {
        if any {
            out.extend_from_slice(&frame[..MAIN]);
        }
        return;
    }
    let (sub, user, edc): (
        std::ops::Range<usize>,
        std::ops::Range<usize>,
        std::ops::Range<usize>,
    ) = match found {
        Found::Mode1 => (16..16, 16..2064, 2064..2352),
        Found::Formless => (16..16, 16..2352, 2352..2352),
        Found::Form1 => (16..24, 24..2072, 2072..2352),
        Found::Form2 => (16..24, 24..2348, 2348..2352),
        Found::Audio => (0..0, 0..MAIN, 0..0),
    };
    if r.sync {
        out.extend_from_slice(&frame[..12]);
    }
    if matches!(r.headers, HeaderCodes::HeaderOnly | HeaderCodes::All) {
        out.extend_from_slice(&frame[12..16]);
    }
    if matches!(r.headers, HeaderCodes::SubheaderOnly | HeaderCodes::All) {
        out.extend_from_slice(&frame[sub]);
    }
    if r.user_data {
        out.extend_from_slice(&frame[user]);
    }
    if r.edc_ecc {
        out.extend_from_slice(&frame[edc]);
    }
}
