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
use crate::disc::WriteType;
use crate::store::FRAME;
use layout::disc::{CopySetting, DiscType, Isrc, Mcn, TocLayout, TocTrack};
use layout::msf::Lba;
use layout::sector::XaSubheader;
use layout::subchannel::{PW_SIZE, SubcodeGenerator};
use mmc::wire::sense::Sense;

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
        pq_of(self.generator.as_ref(), lba)
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
            self.builder
                .build(block, lba, host, || pq_of(generator, lba), &mut frame)?;
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
            Kind::Raw { .. } => self.reader.leadout().is_some_and(|l| self.next > l),
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

mod lead_in;
mod plan;

pub use lead_in::{LeadInReader, lead_in, lead_out};
pub use plan::{Range, SaoPlan};

/// P and Q of `lba` from a generator, or none (P 0, Q zero) without one.
fn pq_of(generator: Option<&SubcodeGenerator>, lba: Lba) -> (bool, [u8; 12]) {
    match generator {
        Some(g) => {
            let (p, q) = g.pq(lba);
            (p, q.0)
        }
        None => (false, [0; 12]),
    }
}
