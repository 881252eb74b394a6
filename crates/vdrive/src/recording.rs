//! Recording: how WRITE commands become frames on the disc in each write
//! type, and what the drive adds itself.
//!
//! - **SAO**: the cue sheet fixes every range of the session; the host
//!   writes from the session's first pregap (or from the lead-in start when
//!   the lead-in carries R–W, i.e. CD-TEXT) up to the lead-out, in order.
//!   Ranges whose form carries no host data are made by the drive, which
//!   also writes the lead-in (when the host does not) and the lead-out.
//! - **TAO**: each track starts at the next writable address; the drive
//!   writes its pregap (150 sectors before track 1, the audio pause or 150
//!   sectors later) and two run-out blocks after it. CLOSE SESSION writes
//!   the lead-in and lead-out.
//! - **RAW**: the host writes everything from the ATIP lead-in start
//!   through the lead-out, scrambled, with its own subchannel; the table of
//!   contents is what its lead-in Q says.
//!
//! P and Q the drive makes come from a [`SubcodeGenerator`] over the
//! session's layout.

use crate::blocks::{Block, DataKind, FrameBuilder, Main, Sub, ZeroKind, zero_sector};
use crate::disc::{DiscMeta, WriteType};
use crate::store::FRAME;
use layout::cdtext::{Pack, symbols_to_packs};
use layout::disc::{CopySetting, DiscType, Isrc, Mcn, TocLayout, TocTrack};
use layout::msf::{Lba, Msf, PREGAP_SECTORS};
use layout::sector::XaSubheader;
use layout::subchannel::{PW_SIZE, QFrame, QRepr, SubcodeGenerator, pq_from_interleaved};
use mmc::wire::sense::Sense;
use std::collections::BTreeMap;

/// Run-out blocks a TAO track ends with.
pub const RUN_OUT: i32 = 2;
/// Shortest track: 4 seconds.
pub const MIN_TRACK: i32 = 300;

/// The write parameters (mode page 05h) as the recorder uses them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteSetup {
    /// Write type (byte 2 bits 3–0).
    pub write_type: u8,
    /// Simulation.
    pub test_write: bool,
    /// Buffer underrun protection.
    pub bufe: bool,
    /// Multi-session field (byte 3 bits 7–6).
    pub multisession: u8,
    /// SCMS copy bit (byte 3 bit 4).
    pub scms: bool,
    /// Track mode: the Q CONTROL nibble of a TAO track.
    pub track_mode: u8,
    /// Data block type.
    pub data_block_type: u8,
    /// Session format (disc type).
    pub session_format: u8,
    /// Audio pause length in blocks.
    pub audio_pause: u16,
    /// Media catalog number, when valid.
    pub mcn: Option<Mcn>,
    /// ISRC of the next TAO track, when valid.
    pub isrc: Option<Isrc>,
    /// Subheader for data block types 10 and 12.
    pub subheader: XaSubheader,
}

impl Default for WriteSetup {
    /// The page after power-on: TAO, Mode 1 data, no simulation, BUFE on.
    fn default() -> WriteSetup {
        WriteSetup {
            write_type: 1,
            test_write: false,
            bufe: true,
            multisession: 0,
            scms: false,
            track_mode: 4,
            data_block_type: 8,
            session_format: 0,
            audio_pause: 150,
            mcn: None,
            isrc: None,
            subheader: XaSubheader::default(),
        }
    }
}

impl WriteSetup {
    /// Checks the values a drive checks at MODE SELECT: a write type, data
    /// block type, multi-session and session format this recorder knows, in
    /// a combination it can record (RAW needs types 1–3, TAO 0 or 8–13).
    ///
    /// ## Errors
    ///
    /// 5/26/00 (invalid field in parameter list).
    pub fn check(&self) -> Result<(), Sense> {
        let bad = Err(Sense::INVALID_FIELD_IN_PARAMETERS);
        let dbt = self.data_block_type;
        match self.write_type {
            1 if matches!(dbt, 0 | 8..=13) => {}
            2 => {}
            3 if matches!(dbt, 1..=3) => {}
            _ => return bad,
        }
        if !matches!(self.multisession, 0 | 1 | 3)
            || !matches!(self.session_format, 0 | 0x10 | 0x20)
        {
            return bad;
        }
        Ok(())
    }

    /// The write type, for the types this recorder records.
    pub fn kind(&self) -> Option<WriteType> {
        match self.write_type {
            1 => Some(WriteType::Tao),
            2 => Some(WriteType::Sao),
            3 => Some(WriteType::Raw),
            _ => None,
        }
    }

    /// The disc type of the session format.
    pub fn disc_type(&self) -> DiscType {
        match self.session_format {
            0x10 => DiscType::CdI,
            0x20 => DiscType::CdRomXa,
            _ => DiscType::CdDaOrCdRom,
        }
    }

    /// The block a TAO or RAW WRITE carries.
    ///
    /// ## Errors
    ///
    /// 5/64/00 when the data block type does not fit the track mode (audio
    /// needs type 0, data tracks 8–13) or the write type.
    pub fn block(&self) -> Result<Block, Sense> {
        let audio = self.track_mode & 0x4 == 0;
        let generated = Sub::Generated;
        let data = |kind, host_len| Block {
            main: Main::Data {
                kind,
                host_len,
                skip: 0,
            },
            sub: generated,
        };
        let raw = |sub| Block {
            main: Main::Scrambled,
            sub,
        };
        Ok(match (self.kind(), self.data_block_type) {
            (Some(WriteType::Raw), 1) => raw(Sub::Pq16),
            (Some(WriteType::Raw), 2) => raw(Sub::Packed96),
            (Some(WriteType::Raw), 3) => raw(Sub::Raw96),
            (Some(WriteType::Tao), 0) if audio => Block {
                main: Main::AsGiven,
                sub: generated,
            },
            (Some(WriteType::Tao), 8) if !audio => data(DataKind::Mode1, 2048),
            (Some(WriteType::Tao), 9) if !audio => data(DataKind::Formless, 2336),
            (Some(WriteType::Tao), 10) if !audio => {
                let sub = XaSubheader {
                    submode: self.subheader.submode & !0x20,
                    ..self.subheader
                };
                data(DataKind::XaPage(sub), 2048)
            }
            (Some(WriteType::Tao), 11) if !audio => data(DataKind::XaForm1, 2056),
            (Some(WriteType::Tao), 12) if !audio => {
                let sub = XaSubheader {
                    submode: self.subheader.submode | 0x20,
                    ..self.subheader
                };
                data(DataKind::XaPage(sub), 2324)
            }
            (Some(WriteType::Tao), 13) if !audio => data(DataKind::Xa, 2332),
            _ => return Err(Sense::ILLEGAL_MODE_FOR_TRACK),
        })
    }

    /// The data mode READ TRACK INFORMATION reports for a TAO track.
    fn data_mode(&self) -> u8 {
        match self.data_block_type {
            8 => 1,
            9..=13 => 2,
            _ => 0xf,
        }
    }
}

/// One range of a cue sheet: blocks of one form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// First LBA.
    pub start: Lba,
    /// End (exclusive).
    pub end: Lba,
    /// Form of its blocks.
    pub block: Block,
}

/// A session as a cue sheet describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct SaoPlan {
    /// Tracks, index points, lead-out, MCN.
    pub layout: TocLayout,
    /// From the first pregap to the lead-out.
    pub ranges: Vec<Range>,
    /// The lead-in's block when the host writes it (its form carries R–W).
    pub lead_in: Option<Block>,
    /// Sector kind of the lead-in and lead-out.
    pub lead_in_kind: ZeroKind,
    /// Sector kind of the lead-out.
    pub lead_out_kind: ZeroKind,
    /// Data mode per track.
    pub data_modes: Vec<u8>,
}

impl SaoPlan {
    /// Reads a cue sheet's 8-byte entries (`cd-standards.md` §6.12) for a
    /// session whose first pregap starts at `pregap` and whose lead-out may
    /// start no later than `last_leadout`.
    ///
    /// ## Errors
    ///
    /// 5/26/00 for a sheet that does not describe a session (no tracks, no
    /// lead-out, times going backwards, reserved forms, a first range not at
    /// the session start, broken MCN/ISRC entries); 5/21/00 when the
    /// lead-out lies beyond the media's last possible lead-out.
    pub fn from_cue(
        entries: &[[u8; 8]],
        pregap: Lba,
        last_leadout: Lba,
        disc_type: DiscType,
        page_mcn: Option<Mcn>,
    ) -> Result<SaoPlan, Sense> {
        let bad = Sense::INVALID_FIELD_IN_PARAMETERS;
        let mut mcn = page_mcn;
        let mut isrcs: BTreeMap<u8, Isrc> = BTreeMap::new();
        let mut lead_in = None;
        let mut points: Vec<(u8, u8, Lba, u8, u8, bool)> = Vec::new(); // tno, index, lba, ctl, form, scms
        let mut i = 0;
        while i < entries.len() {
            let e = entries[i];
            let adr = e[0] & 0x0f;
            match adr {
                2 | 3 => {
                    let f = entries.get(i + 1).ok_or(bad)?;
                    if f[0] & 0x0f != adr {
                        return Err(bad);
                    }
                    if adr == 2 {
                        let digits: Vec<u8> = e[1..8].iter().chain(&f[1..7]).copied().collect();
                        let text = std::str::from_utf8(&digits).map_err(|_| bad)?;
                        mcn = Some(Mcn::parse(text).map_err(|_| bad)?);
                    } else {
                        if e[1] != f[1] {
                            return Err(bad);
                        }
                        let chars: Vec<u8> = e[2..8].iter().chain(&f[2..8]).copied().collect();
                        let text = std::str::from_utf8(&chars).map_err(|_| bad)?;
                        isrcs.insert(e[1], Isrc::parse(text).map_err(|_| bad)?);
                    }
                    i += 2;
                    continue;
                }
                1 => {}
                _ => return Err(bad),
            }
            let block = Block::from_cue_form(e[3]).ok_or(bad)?;
            match e[1] {
                0 => lead_in = Some((block, e[0] >> 4)),
                tno => {
                    let msf = Msf::new(e[5], e[6], e[7]).map_err(|_| bad)?;
                    let lba = Lba(msf.frames() - PREGAP_SECTORS);
                    points.push((tno, e[2], lba, e[0] >> 4, e[3], e[4] & 0x80 != 0));
                }
            }
            i += 1;
        }
        let (lead_in_block, _) = lead_in.ok_or(bad)?;
        let Some(&(0xaa, _, leadout, _, leadout_form, _)) = points.last() else {
            return Err(bad);
        };
        if points.len() < 2 || points[0].2 != pregap {
            return Err(bad);
        }
        if leadout > last_leadout {
            return Err(Sense::LBA_OUT_OF_RANGE);
        }
        let mut ranges = Vec::with_capacity(points.len());
        let mut tracks: Vec<TocTrack> = Vec::new();
        let mut data_modes = Vec::new();
        for w in points.windows(2) {
            let (tno, index, start, ctl, form, scms) = w[0];
            let end = w[1].2;
            if end < start || tno == 0xaa || !(1..=99).contains(&tno) || index > 99 {
                return Err(bad);
            }
            let block = Block::from_cue_form(form).ok_or(bad)?;
            ranges.push(Range { start, end, block });
            let data_mode = match form & 0x30 {
                0x10 => 1,
                0x20 | 0x30 => 2,
                _ => 0xf,
            };
            match tracks.last_mut() {
                Some(t) if t.number == tno => {
                    let current = t.indexes.len() as u8;
                    if index == current {
                        // The same index again with another data form (the
                        // first part of a pregap after a mode change is
                        // written in the previous track's form).
                    } else if index == current + 1 && index > 0 {
                        t.indexes.push(start);
                    } else {
                        return Err(bad);
                    }
                    if index == 1
                        && let Some(m) = data_modes.last_mut()
                    {
                        *m = data_mode;
                    }
                }
                prev => {
                    if let Some(p) = prev
                        && (tno != p.number + 1 || p.indexes.is_empty())
                    {
                        return Err(bad);
                    }
                    let copy = if scms {
                        CopySetting::Scms
                    } else if ctl & 0x2 != 0 {
                        CopySetting::Permitted
                    } else {
                        CopySetting::Prohibited
                    };
                    let indexes = match index {
                        0 => Vec::new(),
                        1 => vec![start],
                        _ => return Err(bad),
                    };
                    tracks.push(TocTrack {
                        number: tno,
                        control: if scms { ctl & !0x2 } else { ctl },
                        copy,
                        pregap_start: start,
                        indexes,
                        end: leadout,
                        isrc: isrcs.get(&tno).copied(),
                    });
                    data_modes.push(data_mode);
                }
            }
        }
        for k in 1..tracks.len() {
            tracks[k - 1].end = tracks[k].pregap_start;
        }
        if tracks.iter().any(|t| t.indexes.is_empty()) {
            return Err(bad);
        }
        let lead_out_kind = Main::from_cue_form(leadout_form).ok_or(bad)?.zero_kind();
        Ok(SaoPlan {
            layout: TocLayout {
                tracks,
                leadout,
                disc_type,
                mcn,
            },
            lead_in_kind: lead_in_block.main.zero_kind(),
            lead_in: (lead_in_block.host_len() > 0).then_some(lead_in_block),
            lead_out_kind,
            ranges,
            data_modes,
        })
    }

    /// The range holding `lba`.
    fn range(&self, lba: Lba) -> Option<&Range> {
        let i = self.ranges.partition_point(|r| r.end <= lba);
        self.ranges.get(i).filter(|r| r.start <= lba)
    }
}

/// Where the TOC of a raw recording comes from: its lead-in.
#[derive(Debug, Clone, Default)]
pub struct LeadInReader {
    /// POINT → (CONTROL, P bytes BCD), from mode-1 TOC entries.
    pub entries: BTreeMap<u8, (u8, [u8; 3])>,
    /// CD-TEXT packs by (block, sequence).
    pub packs: BTreeMap<(u8, u8), Pack>,
}

impl LeadInReader {
    /// Reads one lead-in frame's subchannel.
    pub fn feed(&mut self, sub: &[u8; PW_SIZE]) {
        let (_, q) = pq_from_interleaved(sub);
        if let Ok(QRepr::TocEntry {
            control, point, p, ..
        }) = QFrame(q).decode()
        {
            self.entries.entry(point).or_insert((control, p));
        }
        let mut symbols = [0u8; PW_SIZE];
        for (d, s) in symbols.iter_mut().zip(sub) {
            *d = s & 0x3f;
        }
        if symbols.iter().any(|&s| s != 0) {
            for p in symbols_to_packs(&symbols).into_iter().filter(Pack::crc_ok) {
                self.packs.entry((p.block(), p.sequence())).or_insert(p);
            }
        }
    }

    /// The session's layout, from the TOC entries: track starts and
    /// controls, lead-out, disc type.
    ///
    /// ## Errors
    ///
    /// A message naming what the lead-in lacks.
    pub fn layout(&self) -> Result<TocLayout, String> {
        let bcd = |b: u8| (b >> 4) * 10 + (b & 0x0f);
        let time = |p: [u8; 3]| -> Option<Lba> {
            Msf::from_bcd(p[0], p[1], p[2])
                .ok()
                .map(Msf::to_program_lba)
        };
        let (_, a0) = self.entries.get(&0xa0).ok_or("no A0 entry (first track)")?;
        let (_, a1) = self.entries.get(&0xa1).ok_or("no A1 entry (last track)")?;
        let (_, a2) = self.entries.get(&0xa2).ok_or("no A2 entry (lead-out)")?;
        let leadout = time(*a2).ok_or("the A2 entry's time does not decode")?;
        let (first, last) = (bcd(a0[0]), bcd(a1[0]));
        let disc_type = match a0[1] {
            0x10 => DiscType::CdI,
            0x20 => DiscType::CdRomXa,
            _ => DiscType::CdDaOrCdRom,
        };
        if !(1..=99).contains(&first) || last < first || last > 99 {
            return Err(format!("tracks {first} to {last} in A0/A1 make no sense"));
        }
        let mut tracks: Vec<TocTrack> = Vec::new();
        for n in first..=last {
            let point = (n / 10) << 4 | (n % 10);
            let (control, p) = self
                .entries
                .get(&point)
                .ok_or_else(|| format!("no TOC entry for track {n}"))?;
            let start = time(*p).ok_or_else(|| format!("track {n}'s start does not decode"))?;
            if let Some(prev) = tracks.last_mut() {
                if start <= prev.start() {
                    return Err(format!("track {n} starts before track {}", n - 1));
                }
                prev.end = start;
            }
            tracks.push(TocTrack {
                number: n,
                control: *control,
                copy: if control & 0x2 != 0 {
                    CopySetting::Permitted
                } else {
                    CopySetting::Prohibited
                },
                pregap_start: start,
                indexes: vec![start],
                end: leadout,
                isrc: None,
            });
        }
        if tracks.last().is_some_and(|t| t.start() >= leadout) {
            return Err("the lead-out starts before the last track".to_string());
        }
        Ok(TocLayout {
            tracks,
            leadout,
            disc_type,
            mcn: None,
        })
    }

    /// One period of the CD-TEXT packs, in order.
    pub fn cdtext(&self) -> Vec<Vec<u8>> {
        self.packs.values().map(|p| p.0.to_vec()).collect()
    }
}

/// The track a TAO recording is writing.
#[derive(Debug, Clone)]
pub struct TaoTrack {
    /// The track so far (`end` is where data stops).
    pub track: TocTrack,
    /// Its block.
    pub block: Block,
    /// Sector kind of its generated blocks.
    pub kind: ZeroKind,
    /// Data mode.
    pub data_mode: u8,
    /// End fixed by RESERVE TRACK.
    pub reserved_end: Option<Lba>,
}

/// What is being recorded.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A cue-sheet session.
    Sao(Box<SaoPlan>),
    /// A track at once.
    Tao(Box<TaoTrack>),
    /// A raw session.
    Raw {
        /// The block of the data block type.
        block: Block,
    },
}

/// A recording under way.
#[derive(Debug, Clone)]
pub struct Recording {
    /// The write parameters it started with.
    pub setup: WriteSetup,
    /// Where the session's lead-in starts.
    pub lead_in: Lba,
    /// Next LBA the host must write.
    pub next: Lba,
    /// The first LBA the host may not write.
    pub limit: Lba,
    /// What is recorded.
    pub kind: Kind,
    /// P/Q of drive-made subchannel.
    pub generator: Option<SubcodeGenerator>,
    /// Frame builder (R–W encoder state).
    pub builder: FrameBuilder,
    /// Where the session's first pregap starts: frames before it are its
    /// lead-in.
    pub program: Lba,
    /// TOC entries and CD-TEXT of the lead-in frames recorded so far.
    pub reader: LeadInReader,
}

/// A frame the recording produced, for the buffer.
pub type Frame = (Lba, Box<[u8; FRAME]>);

impl Recording {
    /// A session at once from `plan`. The host starts at the lead-in when
    /// it writes it, else at the first range the drive does not make.
    pub fn sao(setup: WriteSetup, plan: SaoPlan, lead_in: Lba) -> Recording {
        let first = plan.ranges.first().map_or(Lba::PREGAP_START, |r| r.start);
        let next = if plan.lead_in.is_some() {
            lead_in
        } else {
            first
        };
        let limit = plan.layout.leadout;
        let generator = SubcodeGenerator::from_layout(plan.layout.clone());
        Recording {
            setup,
            lead_in,
            next,
            limit,
            kind: Kind::Sao(Box::new(plan)),
            generator: Some(generator),
            builder: FrameBuilder::new(),
            program: first,
            reader: LeadInReader::default(),
        }
    }

    /// A raw session: from the ATIP lead-in start up to `limit`.
    ///
    /// ## Errors
    ///
    /// As [`WriteSetup::block`].
    pub fn raw(setup: WriteSetup, lead_in: Lba, limit: Lba) -> Result<Recording, Sense> {
        let block = setup.block()?;
        Ok(Recording {
            setup,
            lead_in,
            next: lead_in,
            limit,
            kind: Kind::Raw { block },
            generator: None,
            builder: FrameBuilder::new(),
            program: Lba::PREGAP_START,
            reader: LeadInReader::default(),
        })
    }

    /// A TAO track numbered `number` whose index 1 is at `start` and whose
    /// pregap starts at `pregap`; `earlier` are the session's tracks before
    /// it (for the drive's Q).
    ///
    /// ## Errors
    ///
    /// As [`WriteSetup::block`].
    #[allow(clippy::too_many_arguments)]
    pub fn tao(
        setup: WriteSetup,
        lead_in: Lba,
        number: u8,
        pregap: Lba,
        start: Lba,
        limit: Lba,
        reserved_end: Option<Lba>,
        earlier: &[TocTrack],
    ) -> Result<Recording, Sense> {
        let block = setup.block()?;
        let copy = if setup.scms {
            CopySetting::Scms
        } else if setup.track_mode & 0x2 != 0 {
            CopySetting::Permitted
        } else {
            CopySetting::Prohibited
        };
        let track = TocTrack {
            number,
            control: if setup.scms {
                setup.track_mode & !0x2
            } else {
                setup.track_mode
            },
            copy,
            pregap_start: pregap,
            indexes: vec![start],
            end: start,
            isrc: setup.isrc.filter(|_| setup.track_mode & 0x4 == 0),
        };
        let mut tracks = earlier.to_vec();
        tracks.push(TocTrack {
            end: limit,
            ..track.clone()
        });
        let generator = SubcodeGenerator::from_layout(TocLayout {
            tracks,
            leadout: limit,
            disc_type: setup.disc_type(),
            mcn: setup.mcn,
        });
        Ok(Recording {
            lead_in,
            next: pregap,
            limit: reserved_end.unwrap_or(limit),
            kind: Kind::Tao(Box::new(TaoTrack {
                track,
                kind: block.main.zero_kind(),
                data_mode: setup.data_mode(),
                block,
                reserved_end,
            })),
            generator: Some(generator),
            builder: FrameBuilder::new(),
            program: pregap,
            reader: LeadInReader::default(),
            setup,
        })
    }

    /// The block the host sends for `lba`, or `None` where it sends nothing
    /// (the drive makes the sector) or may not write.
    pub fn host_block(&self, lba: Lba) -> Option<Block> {
        match &self.kind {
            Kind::Raw { block, .. } => Some(*block),
            Kind::Tao(t) => (lba >= t.track.start()).then_some(t.block),
            Kind::Sao(plan) => {
                if lba < plan.ranges.first()?.start {
                    plan.lead_in.filter(|_| lba >= self.lead_in)
                } else {
                    plan.range(lba)
                        .map(|r| r.block)
                        .filter(|b| b.host_len() > 0)
                }
            }
        }
    }

    /// Bytes the host sends for `blocks` blocks from `lba`, checking the
    /// address.
    ///
    /// ## Errors
    ///
    /// 5/21/02 when `lba` is not the next writable address, 5/21/00 when
    /// the blocks run past what may be written.
    pub fn host_bytes(&self, lba: Lba, blocks: u32) -> Result<usize, Sense> {
        if lba != self.next {
            return Err(Sense::INVALID_WRITE_ADDRESS);
        }
        let end = lba.get() as i64 + blocks as i64;
        if end > self.limit.get() as i64 {
            return Err(Sense::LBA_OUT_OF_RANGE);
        }
        let mut total = 0;
        for l in lba.get()..end as i32 {
            total += self.host_block(Lba(l)).map_or(0, Block::host_len);
        }
        Ok(total)
    }

    /// Frames the drive makes itself from `next` on (generated SAO ranges,
    /// a TAO pregap), advancing `next` to where the host writes.
    pub fn drive_fill(&mut self, out: &mut Vec<Frame>) -> Result<(), Sense> {
        loop {
            let (kind, end) = match &self.kind {
                Kind::Sao(plan) => match plan.range(self.next) {
                    Some(r) if r.block.host_len() == 0 => (r.block.main.zero_kind(), r.end),
                    _ => return Ok(()),
                },
                Kind::Tao(t) if self.next < t.track.start() => (t.kind, t.track.start()),
                _ => return Ok(()),
            };
            while self.next < end {
                out.push((self.next, self.generated(self.next, kind)?));
                self.next = Lba(self.next.get() + 1);
            }
        }
    }

    /// The kind of sector the drive makes at `lba`, where it makes one.
    fn generated_kind(&self, lba: Lba) -> Option<ZeroKind> {
        match &self.kind {
            Kind::Sao(plan) => plan
                .range(lba)
                .filter(|r| r.block.host_len() == 0)
                .map(|r| r.block.main.zero_kind()),
            Kind::Tao(t) => (lba < t.track.start()).then_some(t.kind),
            Kind::Raw { .. } => None,
        }
    }

    /// A frame the drive makes: a zero sector of `kind` with its P/Q.
    pub fn generated(&self, lba: Lba, kind: ZeroKind) -> Result<Box<[u8; FRAME]>, Sense> {
        let mut frame = Box::new([0u8; FRAME]);
        let (main, sub) = frame.split_at_mut(crate::blocks::MAIN);
        let main: &mut [u8; crate::blocks::MAIN] =
            main.try_into().map_err(|_| Sense::LBA_OUT_OF_RANGE)?;
        zero_sector(kind, lba, main)?;
        let (p, q) = self.pq(lba);
        layout::subchannel::write_subchannel(
            layout::subchannel::SubchannelFormat::Interleaved,
            p,
            &q,
            &[0; PW_SIZE],
            sub,
        );
        Ok(frame)
    }

    /// P and Q the drive records at `lba`.
    pub fn pq(&self, lba: Lba) -> (bool, [u8; 12]) {
        match &self.generator {
            Some(g) => {
                let (p, q) = g.pq(lba);
                (p, q.0)
            }
            None => (false, [0; 12]),
        }
    }

    /// Records the host's `data` for `blocks` blocks from `next`, pushing
    /// frames to `out`. Stops before `stop` (an injected fault) when given.
    ///
    /// ## Errors
    ///
    /// The sense of a block the drive cannot record (5/64/00).
    pub fn write(
        &mut self,
        blocks: u32,
        data: &[u8],
        stop: Option<Lba>,
        out: &mut Vec<Frame>,
    ) -> Result<(), Sense> {
        let mut pos = 0;
        let end = Lba(self.next.get().saturating_add(blocks as i32));
        while self.next < end {
            let lba = self.next;
            if stop == Some(lba) {
                return Ok(());
            }
            let Some(block) = self.host_block(lba) else {
                // A range inside the WRITE that the drive makes itself.
                let kind = self
                    .generated_kind(lba)
                    .ok_or(Sense::INVALID_WRITE_ADDRESS)?;
                out.push((lba, self.generated(lba, kind)?));
                self.next = Lba(lba.get() + 1);
                continue;
            };
            let len = block.host_len();
            let host = data
                .get(pos..pos + len)
                .ok_or(Sense::PARAMETER_LENGTH_ERROR)?;
            pos += len;
            let mut frame = Box::new([0u8; FRAME]);
            let generator = self.generator.as_ref();
            self.builder.build(
                block,
                lba,
                host,
                || match generator {
                    Some(g) => {
                        let (p, q) = g.pq(lba);
                        (p, q.0)
                    }
                    None => (false, [0; 12]),
                },
                &mut frame,
            )?;
            if lba < self.program {
                let sub: &[u8; PW_SIZE] = frame[crate::blocks::MAIN..]
                    .try_into()
                    .map_err(|_| Sense::LBA_OUT_OF_RANGE)?;
                self.reader.feed(sub);
            }
            out.push((lba, frame));
            self.next = Lba(lba.get() + 1);
            if let Kind::Tao(t) = &mut self.kind {
                t.track.end = self.next;
            }
        }
        self.drive_fill(out)
    }

    /// Whether the host has sent everything the session needs (SAO: up to
    /// the lead-out; RAW: into the lead-out its lead-in announces).
    pub fn host_done(&self) -> bool {
        match &self.kind {
            Kind::Sao(plan) => self.next >= plan.layout.leadout,
            Kind::Raw { .. } => self.reader.layout().is_ok_and(|l| self.next > l.leadout),
            Kind::Tao(_) => false,
        }
    }

    /// Ends a TAO track: pads it to 4 seconds (or its reserved size) and
    /// adds the run-out blocks. Returns the finished track and its data
    /// mode.
    ///
    /// ## Errors
    ///
    /// As [`Recording::generated`].
    pub fn end_track(&mut self, out: &mut Vec<Frame>) -> Result<Option<(TocTrack, u8)>, Sense> {
        let Kind::Tao(t) = &self.kind else {
            return Ok(None);
        };
        let start = t.track.start();
        let data_end = match t.reserved_end {
            Some(end) => end,
            None => Lba(self.next.get().max(start.get() + MIN_TRACK)),
        };
        let kind = t.kind;
        let end = Lba(data_end.get() + RUN_OUT);
        while self.next < end {
            out.push((self.next, self.generated(self.next, kind)?));
            self.next = Lba(self.next.get() + 1);
        }
        let Kind::Tao(t) = &mut self.kind else {
            return Ok(None);
        };
        t.track.end = end;
        Ok(Some((t.track.clone(), t.data_mode)))
    }
}

/// Frames of a lead-out the drive writes: `sectors` zero sectors of
/// `kind` from `layout.leadout`.
pub fn lead_out(layout: &TocLayout, sectors: i32, kind: ZeroKind) -> Result<Vec<Frame>, Sense> {
    let r = Recording {
        setup: WriteSetup::default(),
        lead_in: layout.leadout,
        next: layout.leadout,
        limit: layout.leadout,
        kind: Kind::Raw {
            block: Block {
                main: Main::AsGiven,
                sub: Sub::Generated,
            },
        },
        generator: Some(SubcodeGenerator::from_layout(layout.clone())),
        builder: FrameBuilder::new(),
        program: layout.leadout,
        reader: LeadInReader::default(),
    };
    (0..sectors)
        .map(|k| {
            let lba = Lba(layout.leadout.get() + k);
            r.generated(lba, kind).map(|f| (lba, f))
        })
        .collect()
}

/// Frames of a lead-in the drive writes for `layout` from `start` to the
/// session's first pregap, with `b0` (the next program area) when the
/// session allows another. The first session without one uses the same
/// Q as an authored raw image; otherwise each TOC entry (A0, A1, A2, the
/// tracks, then B0 in Q mode 5) is written 3 times in turn with the running
/// time from the lead-in start.
pub fn lead_in(
    layout: &TocLayout,
    start: Lba,
    kind: ZeroKind,
    b0: Option<(Lba, Lba)>,
    first_session: bool,
) -> Result<Vec<Frame>, Sense> {
    let end = layout
        .tracks
        .first()
        .map_or(Lba::PREGAP_START, |t| t.pregap_start);
    let generator = SubcodeGenerator::from_layout(layout.clone());
    let entries = toc_entries(layout, b0);
    let mut out = Vec::with_capacity(end.since(start).max(0) as usize);
    let mut l = start;
    while l < end {
        let mut frame = Box::new([0u8; FRAME]);
        let (main, sub) = frame.split_at_mut(crate::blocks::MAIN);
        let main: &mut [u8; crate::blocks::MAIN] =
            main.try_into().map_err(|_| Sense::LBA_OUT_OF_RANGE)?;
        zero_sector(kind, l, main)?;
        let q = if first_session && b0.is_none() {
            generator.pq(l).1.0
        } else {
            let k = l.since(start) as usize / 3 % entries.len().max(1);
            let mut d = entries.get(k).copied().unwrap_or([0; 10]);
            if d[0] & 0x0f == 1 {
                let running = Msf::from_frames(l.since(start) as i32).unwrap_or(Msf::ZERO);
                d[3..6].copy_from_slice(&running.to_bcd());
            }
            QFrame::from_data(d).0
        };
        layout::subchannel::write_subchannel(
            layout::subchannel::SubchannelFormat::Interleaved,
            false,
            &q,
            &[0; PW_SIZE],
            sub,
        );
        out.push((l, frame));
        l = Lba(l.get() + 1);
    }
    Ok(out)
}

/// The Q data (10 bytes, running time left zero) of each lead-in TOC entry.
fn toc_entries(layout: &TocLayout, b0: Option<(Lba, Lba)>) -> Vec<[u8; 10]> {
    let bcd = |n: u8| (n / 10) << 4 | (n % 10);
    let time = |l: Lba| l.to_disc_time().map(Msf::to_bcd).unwrap_or([0; 3]);
    let mut out = Vec::new();
    let entry = |control: u8, adr: u8, point: u8, p: [u8; 3]| {
        let mut d = [0u8; 10];
        d[0] = (control << 4) | adr;
        d[2] = point;
        d[7..10].copy_from_slice(&p);
        d
    };
    if let (Some(first), Some(last)) = (layout.tracks.first(), layout.tracks.last()) {
        out.push(entry(
            first.control,
            1,
            0xa0,
            [bcd(first.number), layout.disc_type.code(), 0],
        ));
        out.push(entry(last.control, 1, 0xa1, [bcd(last.number), 0, 0]));
        out.push(entry(last.control, 1, 0xa2, time(layout.leadout)));
    }
    for t in &layout.tracks {
        out.push(entry(t.control, 1, bcd(t.number), time(t.start())));
    }
    if let Some((next, outer)) = b0 {
        // Q mode 5, B0: MIN/SEC/FRAME = next program area, ZERO = number of
        // mode-5 pointers, P = the last possible lead-out start.
        let mut d = entry(
            layout.tracks.last().map_or(4, |t| t.control),
            5,
            0xb0,
            time(outer),
        );
        let [m, s, f] = time(next);
        d[3..7].copy_from_slice(&[m, s, f, 1]);
        out.push(d);
    }
    out
}

/// Updates `meta` for a closed session.
pub fn close_session(meta: &mut DiscMeta, session: crate::disc::Session, multisession: u8) {
    meta.finalized = multisession != 3;
    meta.open = None;
    meta.sessions.push(session);
}

#[cfg(test)]
mod tests;
