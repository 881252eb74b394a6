//! Commands that change the disc: MODE SELECT (write parameters), SEND
//! CUE SHEET, WRITE, SYNCHRONIZE CACHE, CLOSE TRACK/SESSION, RESERVE
//! TRACK, BLANK, SEND OPC.

use super::{Recorder, STORE_FAILURE};
use crate::disc::{DiscMeta, LATER_LEADIN, OpenSession, Session, WriteType};
use crate::faults::FaultKind;
use crate::recording::{self, Frame, Kind, MIN_TRACK, Recording, SaoPlan, WriteSetup};
use crate::scsi::{Begin, Completion};
use crate::store::SectorStore;
use layout::disc::{Isrc, Mcn, TocLayout};
use layout::msf::{Lba, PREGAP_SECTORS};
use mmc::wire::command::{
    Blank, BlankType, CloseFunction, CloseTrackSession, ModeSelect10, SendCueSheet,
};
use mmc::wire::cue_sheet::CueSheet;
use mmc::wire::mode::{ModePage, ModeParameterList, WriteParametersPage};
use mmc::wire::sense::{Sense, SenseKey};
use std::time::Duration;

/// 2/04/07: operation in progress (blanking).
const OPERATION_IN_PROGRESS: Sense = Sense::new(SenseKey::NotReady, 0x04, 0x07);
/// 5/30/00: incompatible medium installed (blanking a CD-R).
const INCOMPATIBLE_MEDIUM: Sense = Sense::new(SenseKey::IllegalRequest, 0x30, 0x00);
/// 5/39/00: saving parameters not supported.
const SAVING_NOT_SUPPORTED: Sense = Sense::new(SenseKey::IllegalRequest, 0x39, 0x00);
/// Virtual time an OPC takes.
const OPC_TIME: Duration = Duration::from_millis(400);

/// A lead-out the drive is to record: the session's layout, its length
/// in sectors, and the kind of its sectors.
type LeadOut = (TocLayout, i32, crate::blocks::ZeroKind);

impl<S: SectorStore> Recorder<S> {
    pub(super) fn begin_mode_select(&mut self, m: &ModeSelect10, now: Duration) -> Begin {
        if m.sp {
            return Begin::Done(self.fail(SAVING_NOT_SUPPORTED, now));
        }
        if !m.pf {
            return Begin::Done(self.fail(Sense::INVALID_FIELD_IN_CDB, now));
        }
        Begin::DataOut(m.param_len as usize)
    }

    pub(super) fn finish_mode_select(&mut self, data: &[u8], now: Duration) -> Completion {
        if data.is_empty() {
            return self.good(Vec::new(), now);
        }
        if data.len() < mmc::wire::mode::HEADER_LEN {
            return self.fail(Sense::PARAMETER_LENGTH_ERROR, now);
        }
        let list = match ModeParameterList::parse(data) {
            Ok(l) => l,
            Err(_) => return self.fail(Sense::INVALID_FIELD_IN_PARAMETERS, now),
        };
        for page in &list.pages {
            match page {
                ModePage::WriteParameters(p) => {
                    if let Err(s) = self.set_write_parameters(p) {
                        return self.fail(s, now);
                    }
                }
                _ => return self.fail(Sense::INVALID_FIELD_IN_PARAMETERS, now),
            }
        }
        self.good(Vec::new(), now)
    }

    fn set_write_parameters(&mut self, p: &WriteParametersPage) -> Result<(), Sense> {
        let bad = Sense::INVALID_FIELD_IN_PARAMETERS;
        let mcn = match &p.mcn {
            Some(m) => Some(Mcn::parse(m).map_err(|_| bad)?),
            None => None,
        };
        let isrc = match &p.isrc {
            Some(i) => Some(Isrc::parse(i).map_err(|_| bad)?),
            None => None,
        };
        let setup = WriteSetup {
            write_type: p.write_type.code(),
            test_write: p.test_write,
            bufe: p.bufe,
            multisession: p.multi_session.code(),
            scms: p.copy,
            track_mode: p.track_mode & 0x0f,
            data_block_type: p.data_block_type.code(),
            session_format: p.session_format,
            audio_pause: p.audio_pause_length,
            mcn,
            isrc,
            subheader: layout::sector::XaSubheader::from_bytes(p.subheader),
        };
        setup.check()?;
        if let Some(r) = &self.recording
            && (r.setup.write_type != setup.write_type || r.setup.test_write != setup.test_write)
        {
            return Err(Sense::SEQUENCE_ERROR);
        }
        self.setup = setup;
        self.page = p.clone();
        Ok(())
    }

    pub(super) fn begin_cue_sheet(&mut self, c: &SendCueSheet, now: Duration) -> Begin {
        let size = c.size;
        if size == 0 {
            return Begin::Done(self.good(Vec::new(), now));
        }
        if !size.is_multiple_of(8) || size > self.config.max_cue_sheet {
            return Begin::Done(self.fail(Sense::INVALID_FIELD_IN_CDB, now));
        }
        if let Err(s) = self.writable() {
            return Begin::Done(self.fail(s, now));
        }
        if self.setup.kind() != Some(WriteType::Sao) || self.recording.is_some() {
            return Begin::Done(self.fail(Sense::SEQUENCE_ERROR, now));
        }
        Begin::DataOut(size as usize)
    }

    pub(super) fn finish_cue_sheet(&mut self, data: &[u8], now: Duration) -> Completion {
        let bad = Sense::INVALID_FIELD_IN_PARAMETERS;
        if CueSheet::parse(data).is_err() {
            return self.fail(bad, now);
        }
        let (pregap, last) = match self.writable() {
            Ok((_, pregap, last)) => (pregap, last),
            Err(s) => return self.fail(s, now),
        };
        let entries: Vec<[u8; 8]> = data
            .chunks_exact(8)
            .map(|c| <[u8; 8]>::try_from(c).unwrap_or([0; 8]))
            .collect();
        match SaoPlan::from_cue(
            &entries,
            pregap,
            last,
            self.setup.disc_type(),
            self.setup.mcn,
        ) {
            Ok(plan) => {
                self.cue = Some(plan);
                self.good(Vec::new(), now)
            }
            Err(s) => self.fail(s, now),
        }
    }

    /// Where the next session goes: its lead-in, its first pregap and the
    /// last possible lead-out start; or why nothing can be written.
    fn writable(&self) -> Result<(Lba, Lba, Lba), Sense> {
        let d = self.view()?;
        let (lead_in, pregap) = d.next_session().ok_or(Sense::CANNOT_WRITE_MEDIUM)?;
        Ok((lead_in, pregap, d.media.last_leadout_lba()))
    }

    pub(super) fn begin_write(&mut self, lba: Lba, blocks: u32, now: Duration) -> Begin {
        if let Some(c) = self.take_deferred(now) {
            return Begin::Done(c);
        }
        if let Err(s) = self.view().and_then(|d| {
            if d.finalized || d.damaged.is_some() {
                Err(Sense::CANNOT_WRITE_MEDIUM)
            } else {
                Ok(())
            }
        }) {
            return Begin::Done(self.fail(s, now));
        }
        if blocks == 0 {
            return Begin::Done(self.good(Vec::new(), now));
        }
        if self.recording.is_none() {
            match self.start_recording() {
                Ok(r) => self.staged = Some(r),
                Err(s) => return Begin::Done(self.fail_at(s, lba, now)),
            }
        }
        let rec = match self.staged.as_ref().or(self.recording.as_ref()) {
            Some(r) => r,
            None => return Begin::Done(self.fail(Sense::SEQUENCE_ERROR, now)),
        };
        if rec.setup.write_type != self.setup.write_type {
            return Begin::Done(self.fail(Sense::SEQUENCE_ERROR, now));
        }
        match rec.host_bytes(lba, blocks) {
            Ok(n) => Begin::DataOut(n),
            Err(s) => Begin::Done(self.fail_at(s, lba, now)),
        }
    }

    /// A new recording for the current write type, with the drive's own
    /// frames before the host's first block already made.
    fn start_recording(&mut self) -> Result<Recording, Sense> {
        let (lead_in, pregap, last) = self.writable()?;
        let setup = self.setup.clone();
        let mut rec = match setup.kind() {
            Some(WriteType::Sao) => {
                let plan = self.cue.clone().ok_or(Sense::SEQUENCE_ERROR)?;
                Recording::sao(setup, plan, lead_in)
            }
            Some(WriteType::Raw) => {
                if self.view()?.status() != crate::disc::DiscStatus::Blank {
                    return Err(Sense::ILLEGAL_MODE_FOR_TRACK);
                }
                let limit =
                    (last.get() + crate::disc::FIRST_LEADOUT).min(Lba::MAX_DISC_TIME.get() + 1);
                Recording::raw(setup, lead_in, Lba(limit))?
            }
            Some(WriteType::Tao) => {
                let d = self.view()?;
                let (number, pregap, start) = tao_next(d, &setup, pregap)?;
                let open = d.open.as_ref();
                let reserved_end = open
                    .and_then(|o| o.reserved)
                    .filter(|(s, _)| *s == start)
                    .map(|(s, n)| Lba(s.get() + n as i32));
                let earlier = open.map(|o| o.tracks.clone()).unwrap_or_default();
                Recording::tao(
                    setup,
                    lead_in,
                    number,
                    pregap,
                    start,
                    last,
                    reserved_end,
                    &earlier,
                )?
            }
            None => return Err(Sense::ILLEGAL_MODE_FOR_TRACK),
        };
        let mut frames = Vec::new();
        rec.drive_fill(&mut frames)?;
        self.staged_frames = frames;
        Ok(rec)
    }

    pub(super) fn finish_write(
        &mut self,
        lba: Lba,
        blocks: u32,
        data: &[u8],
        now: Duration,
    ) -> Completion {
        if let Some(rec) = self.staged.take()
            && let Err(s) = self.commit(rec, now)
        {
            return self.fail_at(s, lba, now);
        }
        let Some(rec) = self.recording.as_mut() else {
            return self.fail(Sense::SEQUENCE_ERROR, now);
        };
        match rec.host_bytes(lba, blocks) {
            Ok(n) if n == data.len() => {}
            Ok(_) => return self.fail(Sense::PARAMETER_LENGTH_ERROR, now),
            Err(s) => return self.fail_at(s, lba, now),
        }
        let end = lba.get().saturating_add(blocks as i32);
        let fault = self.faults.on_lbas(lba.get(), end);
        let stop = match fault {
            Some((at, FaultKind::MediumError | FaultKind::PowerCalibration)) => Some(Lba(at)),
            _ => None,
        };
        let mut frames = Vec::new();
        let result = rec.write(blocks, data, stop, &mut frames);
        self.push(frames, now);
        if let Err(s) = result {
            let at = self.recording.as_ref().map_or(lba, |r| r.next);
            return self.fail_at(s, at, now);
        }
        let failed = match fault {
            Some((at, FaultKind::MediumError)) => {
                Some((at, Sense::WRITE_ERROR, format!("write error at lba {at}")))
            }
            Some((at, FaultKind::PowerCalibration)) => Some((
                at,
                Sense::POWER_CALIBRATION_ERROR,
                format!("power calibration failed at lba {at}"),
            )),
            _ => None,
        };
        if let Some((at, sense, why)) = failed {
            // The laser recorded what came before the bad spot.
            let flushed = if self.buffer_simulated {
                Ok(())
            } else {
                self.buffer.flush(&mut self.store)
            };
            let aborted = self.abort_recording(&why);
            if flushed.and(aborted).is_err() {
                return self.fail(STORE_FAILURE, now);
            }
            return self.fail_at(sense, Lba(at), now);
        }
        if let Some((at, FaultKind::Underrun)) = fault {
            self.buffer.force_underrun(Lba(at));
        }
        Completion {
            ready_at: now + self.buffer.time_until_room(now),
            ..self.good(Vec::new(), now)
        }
    }

    /// Makes a staged recording the current one: a new session resets the
    /// buffer; SAO writes its lead-in now when the host does not.
    fn commit(&mut self, rec: Recording, now: Duration) -> Result<(), Sense> {
        let test = rec.setup.test_write;
        let new_session = match &rec.kind {
            Kind::Tao(_) => self.view()?.open.is_none(),
            _ => true,
        };
        if new_session {
            self.buffer.reset();
            self.buffer_simulated = test;
            self.simulated = if test { self.disc.clone() } else { None };
        }
        self.buffer.set_bufe(rec.setup.bufe);
        if let Kind::Sao(plan) = &rec.kind
            && plan.lead_in.is_none()
        {
            let first = self.view()?.sessions.is_empty();
            let b0 = self.b0_for(&plan.layout, rec.setup.multisession);
            let frames =
                recording::lead_in(&plan.layout, rec.lead_in, plan.lead_in_kind, b0, first);
            let sectors = frames.len() as i64;
            if !test {
                self.write_direct(frames)?;
            }
            self.buffer.hold_until(now + self.record_time(sectors));
        }
        if matches!(rec.kind, Kind::Tao(_)) {
            self.open_session(rec.lead_in)?;
        }
        let frames = std::mem::take(&mut self.staged_frames);
        self.recording = Some(rec);
        self.push(frames, now);
        Ok(())
    }

    /// Makes sure the disc (or the simulation's copy) has an open session.
    fn open_session(&mut self, lead_in: Lba) -> Result<(), Sense> {
        let (_, pregap, _) = self.writable()?;
        let d = self.view_mut()?;
        if d.open.is_none() {
            d.open = Some(OpenSession {
                lead_in,
                program_area: pregap,
                tracks: Vec::new(),
                data_modes: Vec::new(),
                reserved: None,
            });
        }
        Ok(())
    }

    /// The disc the current recording changes: the simulation's copy while
    /// simulating.
    pub(super) fn view_mut(&mut self) -> Result<&mut DiscMeta, Sense> {
        self.medium()?;
        if self.buffer_simulated && self.simulated.is_some() {
            return self.simulated.as_mut().ok_or(Sense::NO_MEDIUM);
        }
        self.disc.as_mut().ok_or(Sense::NO_MEDIUM)
    }

    /// Queues frames the drive makes, as they are made (they take no
    /// buffer room).
    fn push_made(
        &mut self,
        frames: impl Iterator<Item = Result<Frame, Sense>>,
        now: Duration,
    ) -> Result<(), Sense> {
        for made in frames {
            let (lba, frame) = made?;
            self.buffer.push(lba, frame, 0, now);
        }
        Ok(())
    }

    /// Queues frames for recording; each takes the buffer bytes the host
    /// sent for it.
    fn push(&mut self, frames: Vec<Frame>, now: Duration) {
        for (lba, frame) in frames {
            let bytes = self
                .recording
                .as_ref()
                .and_then(|r| r.host_block(lba))
                .map_or(0, |b| b.host_len());
            self.buffer.push(lba, frame, bytes, now);
        }
    }

    /// Writes frames the drive makes, as they are made, straight to the
    /// disc.
    fn write_direct(
        &mut self,
        frames: impl Iterator<Item = Result<Frame, Sense>>,
    ) -> Result<(), Sense> {
        for made in frames {
            let (lba, frame) = made?;
            self.store
                .write_frame(lba, &frame[..])
                .map_err(|_| STORE_FAILURE)?;
        }
        Ok(())
    }

    /// The B0 pointer of a session recorded with `multisession`: the next
    /// program area and the last possible lead-out, when another session
    /// fits.
    fn b0_for(&self, layout: &TocLayout, multisession: u8) -> Option<(Lba, Lba)> {
        let d = self.view().ok()?;
        if multisession != 3 {
            return None;
        }
        let next = Lba(layout.leadout.get() + d.leadout_sectors() + LATER_LEADIN + PREGAP_SECTORS);
        let outer = d.media.last_leadout_lba();
        (next.get() + MIN_TRACK < outer.get()).then_some((next, outer))
    }

    pub(super) fn synchronize_cache(&mut self, immed: bool, now: Duration) -> Completion {
        if let Some(c) = self.take_deferred(now) {
            return c;
        }
        if let Err(s) = self.medium() {
            return self.fail(s, now);
        }
        let extra = match self.end_recording(false, now) {
            Ok(t) => t,
            Err(s) => return self.fail(s, now),
        };
        self.finish_long(immed, extra, Sense::LONG_WRITE_IN_PROGRESS, now)
    }

    /// Completes a command that keeps the drive busy until the buffer is
    /// recorded (plus `extra`).
    fn finish_long(
        &mut self,
        immed: bool,
        extra: Duration,
        sense: Sense,
        now: Duration,
    ) -> Completion {
        let done = now + self.buffer.drain_time(now) + extra;
        self.set_busy(now, done, sense);
        let mut c = self.good(Vec::new(), now);
        if !immed {
            c.ready_at = done;
        }
        c
    }

    /// Ends what is being recorded, as far as it can end: a TAO track
    /// ends; a SAO or RAW session whose data is all in gets its lead-out
    /// and closes; with `close_session`, an open TAO session closes too.
    /// Returns the extra time the drive needs (a lead-in it writes).
    fn end_recording(&mut self, close_session: bool, now: Duration) -> Result<Duration, Sense> {
        let mut frames = Vec::new();
        let mut lead_out = None;
        let mut extra = Duration::ZERO;
        if let Some(mut rec) = self.recording.take() {
            match &rec.kind {
                Kind::Tao(_) => {
                    if let Some((track, mode)) = rec.end_track(&mut frames)? {
                        let d = self.view_mut()?;
                        if let Some(open) = d.open.as_mut() {
                            if open.reserved.is_some_and(|(s, _)| s == track.start()) {
                                open.reserved = None;
                            }
                            open.tracks.push(track);
                            open.data_modes.push(mode);
                        }
                    }
                }
                Kind::Sao(plan) if rec.host_done() => {
                    let sectors = self.view()?.leadout_sectors();
                    lead_out = Some((plan.layout.clone(), sectors, plan.lead_out_kind));
                    let b0 = self.b0_for(&plan.layout, rec.setup.multisession);
                    let session = Session {
                        lead_in: rec.lead_in,
                        layout: plan.layout.clone(),
                        leadout_sectors: sectors,
                        data_modes: plan.data_modes.clone(),
                        cdtext: Vec::new(),
                        next_program_area: b0.map(|(n, _)| n),
                        write_type: WriteType::Sao,
                    };
                    let cdtext = if rec.setup.test_write {
                        Vec::new()
                    } else {
                        rec.reader.cdtext()
                    };
                    self.record_session(
                        Session { cdtext, ..session },
                        rec.setup.multisession,
                        b0.is_some(),
                    )?;
                    self.cue = None;
                }
                Kind::Raw { .. } if rec.host_done() => {
                    let layout = rec.reader.layout().map_err(|_| Sense::SEQUENCE_ERROR)?;
                    let session = Session {
                        lead_in: rec.lead_in,
                        leadout_sectors: rec.next.since(layout.leadout) as i32,
                        layout,
                        data_modes: Vec::new(),
                        cdtext: rec.reader.cdtext(),
                        next_program_area: None,
                        write_type: WriteType::Raw,
                    };
                    self.record_session(session, 0, false)?;
                }
                _ => self.recording = Some(rec),
            }
        }
        if close_session && self.recording.is_none() {
            let (time, made) = self.close_tao_session()?;
            extra = time;
            lead_out = lead_out.or(made);
        }
        self.push(frames, now);
        if let Some((layout, sectors, kind)) = lead_out {
            self.push_made(recording::lead_out(&layout, sectors, kind), now)?;
        }
        self.saved()?;
        Ok(extra)
    }

    /// Closes an open TAO session: lead-in written now. Returns the
    /// lead-in's recording time and the lead-out to queue.
    fn close_tao_session(&mut self) -> Result<(Duration, Option<LeadOut>), Sense> {
        let setup = self.setup.clone();
        let d = self.view()?;
        let Some(open) = d.open.clone() else {
            return Ok((Duration::ZERO, None));
        };
        if open.tracks.is_empty() {
            return Err(Sense::SEQUENCE_ERROR);
        }
        let first = d.sessions.is_empty();
        let sectors = d.leadout_sectors();
        let layout = TocLayout {
            leadout: open.tracks.last().map_or(open.program_area, |t| t.end),
            tracks: open.tracks.clone(),
            disc_type: setup.disc_type(),
            mcn: setup.mcn,
        };
        let b0 = self.b0_for(&layout, setup.multisession);
        let kind = setup
            .block()
            .map_or(crate::blocks::ZeroKind::Audio, |b| b.main.zero_kind());
        let lead_in = recording::lead_in(&layout, open.lead_in, kind, b0, first);
        let time = self.record_time(lead_in.len() as i64);
        if !self.buffer_simulated {
            self.write_direct(lead_in)?;
        }
        let lead_out = (layout.clone(), sectors, kind);
        let session = Session {
            lead_in: open.lead_in,
            layout,
            leadout_sectors: sectors,
            data_modes: open.data_modes.clone(),
            cdtext: Vec::new(),
            next_program_area: b0.map(|(n, _)| n),
            write_type: WriteType::Tao,
        };
        self.record_session(session, setup.multisession, b0.is_some())?;
        Ok((time, Some(lead_out)))
    }

    /// Records a closed session in the disc's state (or ends a simulation).
    fn record_session(
        &mut self,
        session: Session,
        multisession: u8,
        next: bool,
    ) -> Result<(), Sense> {
        if self.buffer_simulated {
            self.simulated = None;
            return Ok(());
        }
        let d = self.view_mut()?;
        d.open = None;
        d.sessions.push(session);
        d.finalized = multisession != 3 || !next;
        Ok(())
    }

    pub(super) fn close(&mut self, c: &CloseTrackSession, now: Duration) -> Completion {
        if let Some(d) = self.take_deferred(now) {
            return d;
        }
        if let Err(s) = self.medium() {
            return self.fail(s, now);
        }
        let session = match c.function {
            CloseFunction::CloseTrack => false,
            CloseFunction::CloseSession => true,
            _ => return self.fail(Sense::INVALID_FIELD_IN_CDB, now),
        };
        if session
            && self.recording.is_none()
            && self
                .view()
                .is_ok_and(|d| d.open.is_none() && d.status() == crate::disc::DiscStatus::Blank)
        {
            return self.fail(Sense::SEQUENCE_ERROR, now);
        }
        match self.end_recording(session, now) {
            Ok(extra) => self.finish_long(c.immed, extra, Sense::LONG_WRITE_IN_PROGRESS, now),
            Err(s) => self.fail(s, now),
        }
    }

    pub(super) fn reserve_track(&mut self, size: u32, now: Duration) -> Completion {
        let result = (|| {
            let (lead_in, pregap, last) = self.writable()?;
            if self.setup.kind() != Some(WriteType::Tao) || self.recording.is_some() {
                return Err(Sense::SEQUENCE_ERROR);
            }
            if (size as i32) < MIN_TRACK {
                return Err(Sense::INVALID_FIELD_IN_CDB);
            }
            let (_, _, start) = tao_next(self.view()?, &self.setup, pregap)?;
            if self
                .view()?
                .open
                .as_ref()
                .is_some_and(|o| o.reserved.is_some())
            {
                return Err(Sense::SEQUENCE_ERROR);
            }
            if start.get() as i64 + size as i64 > last.get() as i64 {
                return Err(Sense::LBA_OUT_OF_RANGE);
            }
            self.open_session(lead_in)?;
            if let Some(open) = self.view_mut()?.open.as_mut() {
                open.reserved = Some((start, size));
            }
            self.saved()
        })();
        match result {
            Ok(()) => self.good(Vec::new(), now),
            Err(s) => self.fail(s, now),
        }
    }

    pub(super) fn blank(&mut self, b: &Blank, now: Duration) -> Completion {
        let media = match self.medium() {
            Ok(d) => d.media,
            Err(s) => return self.fail(s, now),
        };
        if media.kind != crate::media::MediaKind::CdRw {
            return self.fail(INCOMPATIBLE_MEDIUM, now);
        }
        if self.recording.is_some() {
            return self.fail(Sense::SEQUENCE_ERROR, now);
        }
        let lead_in = media.lead_in_lba().since(Lba::PREGAP_START).unsigned_abs() as i64;
        let sectors = match b.kind {
            BlankType::FullDisc => lead_in + media.capacity() as i64,
            BlankType::Minimal => lead_in + PREGAP_SECTORS as i64,
            BlankType::Session | BlankType::UncloseSession => LATER_LEADIN as i64,
            _ => return self.fail(Sense::INVALID_FIELD_IN_CDB, now),
        };
        let result = match b.kind {
            BlankType::FullDisc | BlankType::Minimal => {
                self.cue = None;
                self.simulated = None;
                self.store.erase().map_err(|_| STORE_FAILURE).map(|()| {
                    self.disc = Some(DiscMeta::blank(media));
                })
            }
            BlankType::Session => self.view_mut().map(|d| {
                d.sessions.pop();
                d.open = None;
                d.damaged = None;
                d.finalized = false;
            }),
            _ => self.view_mut().map(|d| {
                if let Some(s) = d.sessions.last_mut() {
                    d.finalized = false;
                    s.next_program_area.get_or_insert(Lba(s.layout.leadout.get()
                        + s.leadout_sectors
                        + LATER_LEADIN
                        + PREGAP_SECTORS));
                }
            }),
        };
        if let Err(s) = result.and_then(|()| self.saved()) {
            return self.fail(s, now);
        }
        let time = self.record_time(sectors);
        self.finish_long(b.immed, time, OPERATION_IN_PROGRESS, now)
    }

    pub(super) fn send_opc(&mut self, do_opc: bool, now: Duration) -> Completion {
        if let Err(s) = self.writable() {
            return self.fail(s, now);
        }
        let mut c = self.good(Vec::new(), now);
        if do_opc && !self.config.instant {
            c.ready_at = now + OPC_TIME;
        }
        c
    }
}

/// The number, pregap start and start of the next TAO track.
pub(super) fn tao_next(
    d: &DiscMeta,
    setup: &WriteSetup,
    session_pregap: Lba,
) -> Result<(u8, Lba, Lba), Sense> {
    let last_number = d
        .open
        .as_ref()
        .and_then(|o| o.tracks.last())
        .or_else(|| d.sessions.last().and_then(|s| s.layout.tracks.last()))
        .map_or(0, |t| t.number);
    if last_number >= 99 {
        return Err(Sense::LBA_OUT_OF_RANGE);
    }
    let pregap = match d.open.as_ref().and_then(|o| o.tracks.last()) {
        Some(t) => t.end,
        None => session_pregap,
    };
    let first_of_session = d.open.as_ref().is_none_or(|o| o.tracks.is_empty());
    let pause = if first_of_session || setup.track_mode & 0x4 != 0 {
        PREGAP_SECTORS
    } else {
        setup.audio_pause as i32
    };
    Ok((last_number + 1, pregap, Lba(pregap.get() + pause)))
}
