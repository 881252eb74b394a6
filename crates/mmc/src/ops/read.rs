//! Reading a disc: every sector of every session as 2352 bytes with its
//! P-W sub-channel, the full TOC, the CD-TEXT of the lead-in, and what the
//! Q sub-channel says that the TOC does not (index points, pregaps, ISRCs,
//! the catalog number).
//!
//! The drive is inspected first (a disc, not blank). Then READ TOC gives
//! the full TOC and the CD-TEXT (a disc without CD-TEXT answers with no
//! packs, or refuses the command twice), READ CD on LBA 0 finds the best
//! sub-channel the drive returns (raw P-W, else formatted Q, else none),
//! and READ CD reads [`CHUNK`] sectors at a time from LBA 0 to the last
//! lead-out, skipping the lead-out and lead-in between sessions. Sectors
//! the drive fails together are read again one at a time, each up to
//! [`TRIES`] times; a sector that fails them all ends the read, naming
//! its LBA.
//!
//! The sectors come out as [`Sectors`] runs through [`ReadDisc::take`], in
//! order and at most one run ahead of the caller: the operation asks for
//! nothing more until the caller takes what it read ([`Next::Paused`]).
//! The result ([`Dump`]) describes the disc for an image's control file.

use super::inspect::{Inspect, MediaReport};
use super::{Next, OpError, Operation, Progress, Resend, Steps, parsed, refused};
use crate::scsi::{ScsiRequest, ScsiResponse};
use crate::wire::command::{ReadCd, ReadToc, Subchannel, TocFormat};
use crate::wire::sense::SenseKey;
use crate::wire::toc::FullTocRepr;
use crate::wire::toc::cd_text::CdTextRepr;
use layout::disc::{Isrc, Mcn};
use layout::image::{CcdTrack, ControlFile};
use layout::msf::{Bcd, Lba, PREGAP_SECTORS};
use layout::sector::SECTOR_SIZE;
use layout::subchannel::{PW_SIZE, QFrame, QRepr, interleaved_to_linear};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// Sectors per READ CD: 26 × 2448 bytes stays under 64 KiB.
pub const CHUNK: u32 = 26;
/// Reads of one sector before it counts as unreadable.
pub const TRIES: u32 = 4;
/// Tries of READ TOC for the CD-TEXT before the read gives up.
const CD_TEXT_TRIES: u32 = 4;
/// Allocation length of the TOC and CD-TEXT replies.
const TOC_ALLOC: u16 = 0xfffe;
/// How often reading reports its progress.
const REPORT_EVERY: Duration = Duration::from_millis(250);
/// Sectors per second at 1x.
const SECTORS_1X: f64 = 75.0;

/// The sub-channel a drive returns with each sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SubRead {
    /// Raw, interleaved P-W (96 bytes).
    Raw,
    /// Formatted Q (16 bytes): no R-W.
    Q,
    /// None.
    None,
}

impl SubRead {
    fn select(self) -> Subchannel {
        match self {
            SubRead::Raw => Subchannel::RawPw96,
            SubRead::Q => Subchannel::FormattedQ16,
            SubRead::None => Subchannel::None,
        }
    }

    fn bytes(self) -> usize {
        match self {
            SubRead::Raw => PW_SIZE,
            SubRead::Q => 16,
            SubRead::None => 0,
        }
    }

    /// Linear 96-byte P-W from what the drive returned for one sector.
    fn linear(self, bytes: &[u8]) -> [u8; PW_SIZE] {
        match self {
            SubRead::Raw => bytes
                .try_into()
                .map(|raw: &[u8; PW_SIZE]| interleaved_to_linear(raw))
                .unwrap_or([0; PW_SIZE]),
            SubRead::Q => {
                // Formatted Q: the 12 bytes of Q, then the P flag in the
                // last byte's top bit.
                let mut out = [0; PW_SIZE];
                if bytes.len() == 16 {
                    if bytes[15] & 0x80 != 0 {
                        out[..12].fill(0xff);
                    }
                    out[12..24].copy_from_slice(&bytes[..12]);
                }
                out
            }
            SubRead::None => [0; PW_SIZE],
        }
    }
}

/// A run of sectors read, in disc order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sectors {
    /// The first sector's LBA.
    pub lba: i32,
    /// 2352 bytes per sector.
    pub data: Vec<u8>,
    /// 96 bytes of linear P-W per sector (zero where the drive gave none).
    pub subchannel: Vec<u8>,
}

impl Sectors {
    /// Number of sectors.
    pub fn count(&self) -> u32 {
        (self.data.len() / SECTOR_SIZE) as u32
    }
}

/// A session of the disc read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionDump {
    /// Session number.
    pub number: u8,
    /// The disc type byte of its point A0h (PSEC).
    pub disc_type: u8,
    /// Where its lead-out starts.
    pub lead_out: i32,
    /// The sectors read for it: from its first sector (LBA 0, or a later
    /// session's first INDEX 01: its first pregap is not read, as CloneCD
    /// images leave it out) to its lead-out.
    pub first_sector: i32,
}

/// A track of the disc read, with what its Q sub-channel says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackDump {
    /// Track number.
    pub number: u8,
    /// Its session.
    pub session: u8,
    /// Q CONTROL nibble.
    pub control: u8,
    /// INDEX 01 from the TOC.
    pub start: i32,
    /// Where Q first shows each index other than 1 (0: the pregap); in
    /// JSON an object keyed by the index number.
    #[serde(serialize_with = "keyed_by_text")]
    pub indexes: BTreeMap<u8, i32>,
    /// Its ISRC, from Q.
    pub isrc: Option<Isrc>,
    /// The data mode in the header at INDEX 01 (0 for audio).
    pub mode: u8,
}

/// What a read found: the disc's description, the sectors having gone to
/// the caller.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dump {
    /// The drive and disc as inspected before reading.
    pub media: MediaReport,
    /// The sessions, in order.
    pub sessions: Vec<SessionDump>,
    /// The tracks, in order.
    pub tracks: Vec<TrackDump>,
    /// The catalog number, from Q.
    pub mcn: Option<Mcn>,
    /// CD-TEXT packs of the lead-in, without their CRC.
    pub cd_text: Vec<[u8; 16]>,
    /// The sub-channel the drive gave.
    pub subchannel: SubRead,
    /// Sectors read.
    pub sectors: u32,
    /// Sectors that needed more than one read.
    pub retried: u32,
    /// What the image will lack or where the disc disagrees with itself.
    pub warnings: Vec<String>,
}

impl Dump {
    /// The CloneCD control file of the disc: every session's TOC, and
    /// each track with its mode, ISRC, pregap and index points.
    ///
    /// ## Errors
    ///
    /// [`OpError::Unsuitable`] for a session without tracks.
    pub fn control_text(&self) -> Result<String, OpError> {
        let mut controls = Vec::new();
        for (k, session) in self.sessions.iter().enumerate() {
            let tracks: Vec<&TrackDump> = self
                .tracks
                .iter()
                .filter(|t| t.session == session.number)
                .collect();
            let (Some(first), Some(last)) = (tracks.first(), tracks.last()) else {
                return Err(OpError::Unsuitable(format!(
                    "session {} lists no tracks",
                    session.number
                )));
            };
            controls.push(ControlFile {
                first_track: (first.number, first.control),
                last_track: (last.number, last.control),
                disc_type: session.disc_type,
                leadout: Lba(session.lead_out),
                // The catalog number and the CD-TEXT are the disc's, in
                // the first session.
                mcn: if k == 0 { self.mcn } else { None },
                pregap_mode: first.mode,
                cdtext: if k == 0 {
                    self.cd_text.clone()
                } else {
                    Vec::new()
                },
                tracks: tracks
                    .iter()
                    .map(|t| CcdTrack {
                        number: t.number,
                        control: t.control,
                        mode: t.mode,
                        isrc: t.isrc,
                        // A session's first pregap is not in the image:
                        // track 1's lies before LBA 0, a later session's
                        // first pregap is not read.
                        pregap: t
                            .indexes
                            .get(&0)
                            .filter(|&&p| t.number != first.number && p < t.start)
                            .map(|&p| Lba(p)),
                        indexes: std::iter::once(t.start)
                            .chain(t.indexes.range(2..).map(|(_, &lba)| lba))
                            .map(Lba)
                            .collect(),
                    })
                    .collect(),
            });
        }
        if controls.is_empty() {
            return Err(OpError::Unsuitable("the disc lists no tracks".to_string()));
        }
        Ok(ControlFile::sessions_text(&controls))
    }
}

/// A map of numbers keyed by text, as JSON objects have them (and
/// JavaScript hosts require).
fn keyed_by_text<S: serde::Serializer>(map: &BTreeMap<u8, i32>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(map.iter().map(|(k, v)| (k.to_string(), v)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Inspecting,
    FullToc,
    CdText { tries: u32, refusals: u32 },
    Probe { form: SubRead, tries: u32 },
    Reading,
    Done,
}

/// One sector read alone after its run failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Single {
    lba: i32,
    /// End of the run being read one by one.
    end: i32,
    tries: u32,
}

/// Reads a disc.
#[derive(Debug, Clone)]
pub struct ReadDisc {
    stage: Stage,
    inspect: Inspect,
    media: Option<MediaReport>,
    /// Whether a disc of several sessions is read (else refused before
    /// reading).
    multisession: bool,
    sessions: Vec<SessionDump>,
    tracks: Vec<TrackDump>,
    cd_text: Vec<[u8; 16]>,
    sub: SubRead,
    /// Next sector to read.
    lba: i32,
    /// Reading one sector at a time.
    single: Option<Single>,
    /// Read and not yet taken.
    pending: Option<Sectors>,
    /// Sectors read before the ones pending, and in all.
    done: u32,
    total: u32,
    retried: u32,
    scan: QScan,
    warnings: Vec<String>,
    progress: Option<Progress>,
    /// When reading began and when progress was last reported.
    began: Option<Duration>,
    reported: Option<Duration>,
    /// Sectors and time at the start of the speed's window.
    window: Option<(Duration, u32)>,
    speed: Option<f64>,
}

impl ReadDisc {
    /// A read of the whole disc; `multisession` false refuses a disc of
    /// several sessions before reading (for an image format that cannot
    /// hold them).
    pub fn new(multisession: bool) -> ReadDisc {
        ReadDisc {
            stage: Stage::Inspecting,
            inspect: Inspect::new(),
            media: None,
            multisession,
            sessions: Vec::new(),
            tracks: Vec::new(),
            cd_text: Vec::new(),
            sub: SubRead::None,
            lba: 0,
            single: None,
            pending: None,
            done: 0,
            total: 0,
            retried: 0,
            scan: QScan::default(),
            warnings: Vec::new(),
            progress: None,
            began: None,
            reported: None,
            window: None,
            speed: None,
        }
    }

    /// The sectors read since the last call, in disc order.
    pub fn take(&mut self) -> Option<Sectors> {
        self.pending.take()
    }

    /// The sessions found in the TOC (empty until it is read).
    pub fn sessions(&self) -> &[SessionDump] {
        &self.sessions
    }

    /// The sector being read (for messages).
    pub fn position(&self) -> i32 {
        self.single.map_or(self.lba, |s| s.lba)
    }

    /// Sectors the read will return in all (0 until the TOC is read).
    pub fn total(&self) -> u32 {
        self.total
    }

    fn check(&self, m: &MediaReport) -> Result<(), OpError> {
        m.disc_in()?;
        if m.status == "blank" {
            return Err(OpError::Unsuitable(
                "the disc is blank: there is nothing to read".to_string(),
            ));
        }
        Ok(())
    }

    /// The session whose sectors hold `lba`, or the next one after it.
    fn next_readable(&self, lba: i32) -> Option<i32> {
        self.sessions
            .iter()
            .find(|s| lba < s.lead_out)
            .map(|s| lba.max(s.first_sector))
    }

    fn read_cd(&self, lba: i32, n: u32) -> Next {
        let cdb = ReadCd::raw(lba, n, self.sub.select()).to_bytes();
        let len = n as usize * (SECTOR_SIZE + self.sub.bytes());
        Next::Send {
            request: ScsiRequest::read(&cdb, len as u32),
            resend: Resend::Always,
        }
    }

    /// The run the next READ CD asks for: up to [`CHUNK`] sectors, within
    /// one session.
    fn run_at(&self, lba: i32) -> Option<(i32, u32)> {
        let at = self.next_readable(lba)?;
        let end = self.sessions.iter().find(|s| at < s.lead_out)?.lead_out;
        Some((at, CHUNK.min((end - at) as u32)))
    }

    fn take_toc(&mut self, toc: &FullTocRepr) -> Result<(), OpError> {
        let bad = |what: String| OpError::Reply {
            command: ReadToc::NAME,
            why: format!("the full TOC {what}"),
        };
        let lba_of = |e: &crate::wire::toc::FullTocEntry| {
            e.pmsf().map(|m| m.to_program_lba().get()).ok_or_else(|| {
                bad(format!(
                    "gives point {:02x}h an impossible time {:02}:{:02}:{:02}",
                    e.point, e.pmin, e.psec, e.pframe
                ))
            })
        };
        let mut numbers: Vec<u8> = toc.entries.iter().map(|e| e.session).collect();
        numbers.sort_unstable();
        numbers.dedup();
        if numbers.len() > 1 && !self.multisession {
            return Err(OpError::Unsuitable(format!(
                "the disc has {} sessions: read it into a CloneCD image (.ccd) or a cue sheet (.cue), which hold them",
                numbers.len()
            )));
        }
        let mut start = 0;
        for &number in &numbers {
            let entries = || toc.entries.iter().filter(move |e| e.session == number);
            let a2 = entries()
                .find(|e| e.point == 0xa2 && e.adr == 1)
                .ok_or_else(|| bad(format!("has no lead-out (point A2h) for session {number}")))?;
            let lead_out = lba_of(a2)?;
            let disc_type = entries()
                .find(|e| e.point == 0xa0 && e.adr == 1)
                .map_or(0, |e| e.psec);
            let mut tracks = Vec::new();
            for e in entries().filter(|e| e.adr == 1 && (1..=0x63).contains(&e.point)) {
                tracks.push(TrackDump {
                    number: e.point,
                    session: number,
                    control: e.control,
                    start: lba_of(e)?,
                    indexes: BTreeMap::new(),
                    isrc: None,
                    mode: 0,
                });
            }
            tracks.sort_by_key(|t| t.start);
            let Some(first) = tracks.first() else {
                return Err(bad(format!("lists no tracks in session {number}")));
            };
            // A later session's sectors begin at its first track's INDEX
            // 01, after the lead-out, lead-in and pregap between sessions.
            let (first_sector, earliest) = if self.sessions.is_empty() {
                (0, 0)
            } else {
                (first.start, start + PREGAP_SECTORS)
            };
            if first_sector < earliest
                || tracks
                    .iter()
                    .any(|t| t.start < first_sector || t.start >= lead_out)
            {
                return Err(bad(format!(
                    "puts a track of session {number} outside its program area (lead-out at lba {lead_out})"
                )));
            }
            start = lead_out;
            self.total += (lead_out - first_sector) as u32;
            self.tracks.extend(tracks);
            self.sessions.push(SessionDump {
                number,
                disc_type,
                lead_out,
                first_sector,
            });
        }
        if self.sessions.is_empty() {
            return Err(bad("lists no sessions".to_string()));
        }
        Ok(())
    }

    /// Takes `n` sectors from `lba` as the drive returned them.
    fn take_sectors(&mut self, lba: i32, raw: &[u8], now: Duration) {
        let per = SECTOR_SIZE + self.sub.bytes();
        let n = raw.len() / per;
        let mut data = Vec::with_capacity(n * SECTOR_SIZE);
        let mut subchannel = Vec::with_capacity(n * PW_SIZE);
        for (k, s) in raw.chunks_exact(per).enumerate() {
            let at = lba + k as i32;
            let pw = self.sub.linear(&s[SECTOR_SIZE..]);
            self.scan.sector(at, &pw);
            data.extend_from_slice(&s[..SECTOR_SIZE]);
            subchannel.extend_from_slice(&pw);
            if let Some(t) = self
                .tracks
                .iter_mut()
                .find(|t| t.start == at && t.control & 0x04 != 0)
            {
                t.mode = s[15];
            }
        }
        match &mut self.pending {
            // Sectors read one by one join their run.
            Some(p) if p.lba + p.count() as i32 == lba => {
                p.data.extend_from_slice(&data);
                p.subchannel.extend_from_slice(&subchannel);
            }
            _ => {
                self.pending = Some(Sectors {
                    lba,
                    data,
                    subchannel,
                })
            }
        }
        self.done += n as u32;
        self.lba = lba + n as i32;
        self.report(now, self.done == self.total);
    }

    fn report(&mut self, now: Duration, always: bool) {
        let began = *self.began.get_or_insert(now);
        let (t0, s0) = *self.window.get_or_insert((began, 0));
        let span = now.saturating_sub(t0);
        if span >= Duration::from_secs(1) {
            let rate = f64::from(self.done - s0) / span.as_secs_f64();
            self.speed = Some((rate / SECTORS_1X * 10.0).round() / 10.0);
            if span >= Duration::from_secs(3) {
                self.window = Some((now, self.done));
            }
        }
        let due = self
            .reported
            .is_none_or(|t| now.saturating_sub(t) >= REPORT_EVERY);
        if !(always || due) {
            return;
        }
        self.reported = Some(now);
        self.progress = Some(Progress {
            fraction: Some(if self.total == 0 {
                0.0
            } else {
                f64::from(self.done) / f64::from(self.total)
            }),
            lba: Some(self.lba),
            sectors: Some(self.done),
            sectors_total: Some(self.total),
            speed: self.speed,
            retries: Some(self.retried),
            ..Progress::default()
        });
    }

    /// A READ CD that brought no sectors: read its run one sector at a
    /// time, or count a try of the single sector.
    fn failed(&mut self, why: String, now: Duration) -> Result<(), OpError> {
        match &mut self.single {
            None => {
                let Some((lba, n)) = self.run_at(self.lba) else {
                    return Ok(());
                };
                self.warnings.push(format!(
                    "lba {lba}: {n} sectors read again one by one after the drive failed them together"
                ));
                self.single = Some(Single {
                    lba,
                    end: lba + n as i32,
                    tries: 0,
                });
                self.report(now, true);
                if let Some(p) = &mut self.progress {
                    p.lba = Some(lba);
                    p.message = Some(format!("lba {lba}: reading sector by sector ({why})"));
                }
                Ok(())
            }
            Some(s) => {
                s.tries += 1;
                if s.tries >= TRIES {
                    return Err(OpError::Unreadable {
                        lba: Some(s.lba),
                        tries: TRIES,
                        why,
                    });
                }
                Ok(())
            }
        }
    }
}

impl Steps for ReadDisc {
    type Output = Dump;

    fn operation(&self) -> Operation {
        Operation::Read
    }

    fn next(&mut self, now: Duration) -> Result<Next, OpError> {
        loop {
            return Ok(match self.stage {
                Stage::Inspecting => match self.inspect.next(now)? {
                    Next::Done => {
                        let m = self.inspect.output()?;
                        self.check(&m)?;
                        self.media = Some(m);
                        self.stage = Stage::FullToc;
                        continue;
                    }
                    n => n,
                },
                Stage::FullToc => Next::send(ScsiRequest::read(
                    &ReadToc::new(TocFormat::FullToc, TOC_ALLOC).to_bytes(),
                    TOC_ALLOC.into(),
                )),
                Stage::CdText { .. } => Next::Send {
                    request: ScsiRequest::read(
                        &ReadToc::new(TocFormat::CdText, TOC_ALLOC).to_bytes(),
                        TOC_ALLOC.into(),
                    ),
                    resend: Resend::Always,
                },
                Stage::Probe { form, .. } => {
                    let cdb = ReadCd::raw(0, 1, form.select()).to_bytes();
                    Next::send(ScsiRequest::read(&cdb, (SECTOR_SIZE + form.bytes()) as u32))
                }
                Stage::Reading => {
                    if self.pending.is_some() {
                        return Ok(Next::Paused);
                    }
                    if let Some(s) = self.single {
                        if s.lba < s.end {
                            return Ok(self.read_cd(s.lba, 1));
                        }
                        self.single = None;
                    }
                    match self.run_at(self.lba) {
                        Some((lba, n)) => {
                            self.lba = lba;
                            self.read_cd(lba, n)
                        }
                        None => {
                            self.stage = Stage::Done;
                            continue;
                        }
                    }
                }
                Stage::Done => {
                    if self.pending.is_some() {
                        return Ok(Next::Paused);
                    }
                    Next::Done
                }
            });
        }
    }

    fn answer(&mut self, r: ScsiResponse, now: Duration) -> Result<(), OpError> {
        match self.stage {
            Stage::Inspecting => self.inspect.answer(r, now),
            Stage::FullToc => {
                if !r.is_good() {
                    return Err(refused(ReadToc::NAME, &r));
                }
                let toc = parsed(ReadToc::NAME, FullTocRepr::parse(&r.data))?;
                self.take_toc(&toc)?;
                self.stage = Stage::CdText {
                    tries: 0,
                    refusals: 0,
                };
                Ok(())
            }
            Stage::CdText { tries, refusals } => {
                let why = match r.sense() {
                    // A drive says so, every time, for a disc without
                    // CD-TEXT: a refusal that does not come again was not
                    // that.
                    Some(s) if s.sense.key == SenseKey::IllegalRequest => {
                        if refusals + 1 == 2 {
                            self.stage = Stage::Probe {
                                form: SubRead::Raw,
                                tries: 0,
                            };
                            return Ok(());
                        }
                        self.stage = Stage::CdText {
                            tries: tries + 1,
                            refusals: refusals + 1,
                        };
                        return Ok(());
                    }
                    Some(s) => s.sense.to_string(),
                    None if r.is_good() => match CdTextRepr::parse(&r.data) {
                        Ok(t) => {
                            self.cd_text = t
                                .to_packs()
                                .iter()
                                .filter_map(|p| p.0[..16].try_into().ok())
                                .collect();
                            self.stage = Stage::Probe {
                                form: SubRead::Raw,
                                tries: 0,
                            };
                            return Ok(());
                        }
                        Err(e) => format!("its reply does not parse: {e}"),
                    },
                    None => "the drive failed it without a reason".to_string(),
                };
                if tries + 1 >= CD_TEXT_TRIES {
                    return Err(OpError::Unreadable {
                        lba: None,
                        tries: CD_TEXT_TRIES,
                        why,
                    });
                }
                self.stage = Stage::CdText {
                    tries: tries + 1,
                    refusals,
                };
                Ok(())
            }
            Stage::Probe { form, tries } => {
                // A drive that lacks the form refuses it every time: one
                // refusal that does not come again is no reason to read
                // less.
                let refused_form =
                    matches!(r.sense(), Some(s) if s.sense.key == SenseKey::IllegalRequest);
                let chosen = match (refused_form, tries, form) {
                    (false, _, _) => Some(form),
                    (true, 0, _) => {
                        self.stage = Stage::Probe { form, tries: 1 };
                        return Ok(());
                    }
                    (true, _, SubRead::Raw) => {
                        self.stage = Stage::Probe {
                            form: SubRead::Q,
                            tries: 0,
                        };
                        return Ok(());
                    }
                    (true, _, _) => None,
                };
                self.sub = chosen.unwrap_or(SubRead::None);
                match self.sub {
                    SubRead::Raw => {}
                    SubRead::Q => self.warnings.push(
                        "the drive gives formatted Q but no raw P-W: R-W (CD+G) and SCMS are not read"
                            .to_string(),
                    ),
                    SubRead::None => self.warnings.push(
                        "the drive gives no sub-channel: index points, pregaps, ISRCs and the catalog number are not read"
                            .to_string(),
                    ),
                }
                self.stage = Stage::Reading;
                self.lba = 0;
                self.report(now, true);
                Ok(())
            }
            Stage::Reading => {
                let (lba, n) = match self.single {
                    Some(s) => (s.lba, 1),
                    None => match self.run_at(self.lba) {
                        Some(run) => run,
                        None => return Ok(()),
                    },
                };
                let want = n as usize * (SECTOR_SIZE + self.sub.bytes());
                if let Some(s) = r.sense() {
                    return self.failed(s.sense.to_string(), now);
                }
                if !r.is_good() {
                    return self.failed("the drive failed it without a reason".to_string(), now);
                }
                if r.data.len() != want {
                    let why = format!(
                        "the drive returned {} bytes for {n} sectors; {want} were asked for",
                        r.data.len()
                    );
                    return self.failed(why, now);
                }
                if let Some(s) = &mut self.single {
                    if s.tries > 0 {
                        self.retried += 1;
                    }
                    s.lba += 1;
                    s.tries = 0;
                }
                self.take_sectors(lba, &r.data, now);
                Ok(())
            }
            Stage::Done => Ok(()),
        }
    }

    fn output(&mut self) -> Result<Dump, OpError> {
        let media = self
            .media
            .clone()
            .ok_or_else(|| OpError::Unsuitable("the read ended before it began".to_string()))?;
        let mut tracks = self.tracks.clone();
        self.scan.apply(&mut tracks, &mut self.warnings);
        Ok(Dump {
            media,
            sessions: self.sessions.clone(),
            tracks,
            mcn: self.scan.mcn,
            cd_text: self.cd_text.clone(),
            subchannel: self.sub,
            sectors: self.done,
            retried: self.retried,
            warnings: self.warnings.clone(),
        })
    }

    fn progress(&mut self) -> Option<Progress> {
        self.progress.take()
    }

    fn unknown_outcome(&mut self, now: Duration) -> bool {
        // A READ CD whose outcome stayed unknown after being sent again:
        // as a failed read, tried again sector by sector.
        self.stage == Stage::Reading
            && self
                .failed("its outcome stayed unknown".to_string(), now)
                .is_ok()
    }
}

/// What the Q sub-channel of the program area says.
#[derive(Debug, Clone, Default)]
struct QScan {
    /// First sector of each (track, index), as read.
    starts: BTreeMap<(u8, u8), i32>,
    /// Every ISRC seen, with the track whose position came before it.
    isrc: BTreeMap<u8, Isrc>,
    mcn: Option<Mcn>,
    /// The track of the last position frame.
    track: Option<u8>,
}

impl QScan {
    fn sector(&mut self, lba: i32, pw: &[u8; PW_SIZE]) {
        let mut q = [0u8; 12];
        q.copy_from_slice(&pw[12..24]);
        let frame = QFrame(q);
        if !frame.crc_ok() {
            return;
        }
        match frame.decode() {
            Ok(QRepr::Position {
                tno,
                index,
                absolute,
                ..
            }) => {
                // A frame whose absolute time is not its own was misread.
                if absolute.to_program_lba().get() != lba {
                    return;
                }
                let Ok(track) = Bcd::new(tno).map(Bcd::value) else {
                    return;
                };
                self.track = Some(track);
                self.starts.entry((track, index)).or_insert(lba);
            }
            Ok(QRepr::Isrc { isrc, .. }) => {
                if let Some(t) = self.track {
                    self.isrc.entry(t).or_insert(isrc);
                }
            }
            Ok(QRepr::Mcn { mcn, .. }) => {
                self.mcn.get_or_insert(mcn);
            }
            _ => {}
        }
    }

    /// Puts the index points and ISRCs on the tracks.
    fn apply(&self, tracks: &mut [TrackDump], warnings: &mut Vec<String>) {
        for t in tracks.iter_mut() {
            for (&(_, index), &lba) in self.starts.range((t.number, 0)..=(t.number, 99)) {
                if index != 1 {
                    t.indexes.insert(index, lba);
                }
            }
            if let Some(&q1) = self.starts.get(&(t.number, 1))
                && q1 != t.start
            {
                warnings.push(format!(
                    "track {}: the TOC starts it at lba {}, its Q sub-channel at lba {q1}; the TOC is kept",
                    t.number, t.start
                ));
            }
            t.isrc = self.isrc.get(&t.number).copied();
        }
    }
}
