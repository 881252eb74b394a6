//! `rawburn read`: dumps a disc into any format `rawburn build` writes.
//!
//! The drive is asked for the full TOC, the CD-TEXT of the lead-in and
//! every sector from LBA 0 to the lead-out as 2352 bytes with the raw P-W
//! sub-channel (formatted Q when the drive offers no raw P-W, nothing when
//! it offers neither). The Q sub-channel gives what the TOC does not: the
//! index points, each track's pregap, ISRCs and the catalog number.
//!
//! These go into a CloneCD set (`.ccd`, `.img`, `.sub`) in a temporary
//! directory beside the output, which `rawburn build` then reads like any
//! other input: the output is exactly what `rawburn build` writes for the
//! disc the drive holds, and a disc burned from an image reads back into
//! the same image.

use crate::build;
use crate::drive_cmd::{command, inspect, refused, retrying};
use crate::error::{CliError, ExitKind};
use crate::output;
use crate::progress::Progress;
use crate::signal::{self, Unfinished};
use crate::target::{self, Choice};
use layout::disc::{Isrc, Mcn};
use layout::image::{CcdTrack, ControlFile, ImageFormat};
use layout::msf::{Bcd, Lba};
use layout::sector::SECTOR_SIZE;
use layout::subchannel::{PW_SIZE, QFrame, QRepr, interleaved_to_linear};
use mmc::scsi::{Link, ScsiRequest, TransportError};
use mmc::wire::command::{ReadCd, ReadToc, Subchannel, TocFormat};
use mmc::wire::sense::SenseKey;
use mmc::wire::toc::FullTocRepr;
use mmc::wire::toc::cd_text::CdTextRepr;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Sectors per READ CD: 26 × 2448 bytes stays under 64 KiB.
const CHUNK: u32 = 26;
/// Reads of one sector before it counts as unreadable.
const TRIES: u32 = 4;
/// Allocation length for the TOC and CD-TEXT replies.
const TOC_ALLOC: u16 = 0xfffe;
/// Tries of READ TOC for the CD-TEXT before the read gives up.
const CD_TEXT_TRIES: u32 = 4;

/// What the options of `rawburn read` ask for.
#[derive(Debug, Clone)]
pub struct ReadArgs {
    /// The drive.
    pub target: Choice,
    /// The image to write; its extension picks the format.
    pub output: PathBuf,
    /// Subchannel form of a `.raw` output.
    pub image_type: Option<layout::disc::ImageType>,
    /// No progress bar or summary.
    pub quiet: bool,
}

/// `rawburn read`.
///
/// ## Errors
///
/// [`ExitKind::Usage`] for an output extension that names no format,
/// [`ExitKind::Drive`] when there is no readable disc or the drive refuses,
/// [`ExitKind::Read`] for an unreadable sector or a drive that stops
/// answering, [`ExitKind::Cancelled`] on Ctrl-C, and what `rawburn build`
/// reports for the output. No partial output is left behind.
pub fn read(args: &ReadArgs) -> Result<(), CliError> {
    let format = build::output_format(&args.output)?;
    let out_stem = args
        .output
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            CliError::new(
                ExitKind::Usage,
                format!("{}: no file name", args.output.display()),
            )
        })?;
    let dir = args
        .output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let work = WorkDir::new(dir)?;
    // Named after the output: a project keeps these files as its sources.
    let stem = work.temp.path().join(out_stem);

    let mut opened = target::open(&args.target)?;
    let dumped = dump(opened.link(), &stem, args.quiet);
    let name = opened.name();
    let closed = opened.close();
    let dump = dumped?;
    closed?;
    if !args.quiet {
        for w in &dump.warnings {
            eprintln!("warning: {w}");
        }
        eprintln!(
            "read {} sectors ({} track{}) from {name}",
            dump.sectors,
            dump.tracks,
            if dump.tracks == 1 { "" } else { "s" }
        );
    }
    if format != ImageFormat::Project {
        return build::build(
            &stem.with_extension("ccd"),
            &args.output,
            args.image_type,
            &[],
            args.quiet,
            None,
        );
    }
    // A project names the files that hold the disc's data: the sectors and
    // the sub-channel read stay beside it, as `{stem}.img` and `.sub`.
    let json = stem.with_extension("json");
    build::build(&stem.with_extension("ccd"), &json, None, &[], true, None)?;
    let moves: Vec<(PathBuf, PathBuf)> = ["img", "sub", "json"]
        .iter()
        .map(|ext| (stem.with_extension(ext), args.output.with_extension(ext)))
        .collect();
    let placed = output::move_into_place(&moves)?;
    if !args.quiet {
        let names: Vec<String> = placed
            .iter()
            .rev()
            .map(|p| p.display().to_string())
            .collect();
        eprintln!("wrote {}", names.join(", "));
    }
    Ok(())
}

/// The directory a read works in, beside its output: removed when the
/// read ends, and by the signal handler if a second Ctrl-C ends the
/// process first (registered until the directory itself is gone: the
/// fields drop in order).
struct WorkDir {
    temp: tempfile::TempDir,
    _unfinished: Unfinished,
}

impl WorkDir {
    fn new(dir: &Path) -> Result<WorkDir, CliError> {
        let temp = tempfile::Builder::new()
            .prefix(".rawburn-read-")
            .tempdir_in(dir)
            .map_err(|e| {
                CliError::new(
                    ExitKind::Output,
                    format!("cannot create a work directory in {}", dir.display()),
                )
                .caused_by(e)
            })?;
        let unfinished = Unfinished::new(temp.path());
        Ok(WorkDir {
            temp,
            _unfinished: unfinished,
        })
    }
}

/// What [`dump`] read.
#[derive(Debug)]
struct Dumped {
    sectors: u32,
    tracks: usize,
    warnings: Vec<String>,
}

/// One track of the full TOC, with what Q says of it.
#[derive(Debug, Clone)]
struct TrackRead {
    number: u8,
    control: u8,
    /// INDEX 01 from the TOC.
    start: i32,
    /// Where the Q sub-channel first shows each index (0 for the pregap).
    indexes: BTreeMap<u8, i32>,
    isrc: Option<Isrc>,
    /// The data mode in the header at INDEX 01 (0 for audio).
    mode: u8,
}

/// The sub-channel a drive returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubRead {
    Raw,
    Q,
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
}

/// Reads the disc into `{stem}.ccd`, `{stem}.img` and `{stem}.sub`.
fn dump(link: &mut dyn Link, stem: &Path, quiet: bool) -> Result<Dumped, CliError> {
    let report = inspect(link)?;
    if !report.disc {
        return Err(CliError::new(
            ExitKind::Drive,
            "no disc in the drive: insert the disc to read",
        ));
    }
    if report.status == "blank" {
        return Err(CliError::new(
            ExitKind::Drive,
            "the disc is blank: there is nothing to read",
        ));
    }
    let toc = full_toc(link)?;
    let (mut tracks, leadout, disc_type) = tracks_of(&toc)?;
    let cdtext = cd_text(link)?;
    let mut warnings = Vec::new();

    let img_path = stem.with_extension("img");
    let sub_path = stem.with_extension("sub");
    let create = |p: &Path| {
        File::create(p)
            .map(BufWriter::new)
            .map_err(|e| write_error(p, e))
    };
    let mut img = create(&img_path)?;
    let mut sub = create(&sub_path)?;

    let sub_read = probe_subchannel(link)?;
    match sub_read {
        SubRead::Raw => {}
        SubRead::Q => warnings.push(
            "the drive gives formatted Q but no raw P-W: R-W (CD+G) and SCMS are not read"
                .to_string(),
        ),
        SubRead::None => warnings.push(
            "the drive gives no sub-channel: index points, pregaps, ISRCs and the catalog number are not read"
                .to_string(),
        ),
    }

    let mut progress = Progress::new(quiet, leadout as u64, "reading");
    let mut scan = QScan::default();
    let mut lba = 0;
    while lba < leadout {
        if signal::stop_requested() {
            progress.finish();
            return Err(CliError::new(
                ExitKind::Cancelled,
                format!("reading was cancelled at lba {lba}; no image was written"),
            ));
        }
        let n = CHUNK.min((leadout - lba) as u32);
        let data = read_sectors(link, lba, n, sub_read, &mut warnings)?;
        let per = SECTOR_SIZE + sub_read.bytes();
        for (k, s) in data.chunks_exact(per).enumerate() {
            let pw = subchannel_of(&s[SECTOR_SIZE..], sub_read);
            scan.sector(lba + k as i32, &pw);
            img.write_all(&s[..SECTOR_SIZE])
                .map_err(|e| write_error(&img_path, e))?;
            sub.write_all(&pw).map_err(|e| write_error(&sub_path, e))?;
        }
        for t in tracks.iter_mut() {
            if (lba..lba + n as i32).contains(&t.start) && t.control & 0x04 != 0 {
                let at = (t.start - lba) as usize * per;
                t.mode = data.get(at + 15).copied().unwrap_or(0);
            }
        }
        lba += n as i32;
        progress.set(lba as u64);
    }
    progress.finish();
    img.flush().map_err(|e| write_error(&img_path, e))?;
    sub.flush().map_err(|e| write_error(&sub_path, e))?;

    scan.apply(&mut tracks, &mut warnings);
    let ccd = ccd_text(&tracks, leadout, disc_type, scan.mcn, &cdtext);
    std::fs::write(stem.with_extension("ccd"), ccd)
        .map_err(|e| write_error(&stem.with_extension("ccd"), e))?;
    Ok(Dumped {
        sectors: leadout as u32,
        tracks: tracks.len(),
        warnings,
    })
}

fn write_error(path: &Path, e: std::io::Error) -> CliError {
    CliError::new(ExitKind::Output, format!("cannot write {}", path.display())).caused_by(e)
}

/// READ TOC format 0010b; a reply shorter than its header says is asked
/// for again.
fn full_toc(link: &mut dyn Link) -> Result<FullTocRepr, CliError> {
    let cdb = ReadToc::new(TocFormat::FullToc, TOC_ALLOC).to_bytes();
    let mut last = String::new();
    for _ in 0..CD_TEXT_TRIES {
        let r = command(link, &ScsiRequest::read(&cdb, TOC_ALLOC as u32))?;
        if !r.is_good() {
            return Err(refused("READ TOC (full TOC)", &r));
        }
        if let Err(short) = complete(&r.data) {
            last = short;
            continue;
        }
        return FullTocRepr::parse(&r.data).map_err(|e| {
            CliError::new(ExitKind::Drive, "the drive's full TOC does not parse").caused_by(e)
        });
    }
    Err(
        CliError::new(ExitKind::Drive, "the drive's full TOC cannot be read whole").caused_by(
            format!("READ TOC (full TOC) failed {CD_TEXT_TRIES} times: {last}"),
        ),
    )
}

/// Whether a READ TOC reply holds every byte its length field announces
/// (up to what was asked for): a transfer cut short would otherwise lose
/// its last entries without a word.
fn complete(data: &[u8]) -> Result<(), String> {
    let Some(len) = data.get(..2) else {
        return Err(format!(
            "the reply is {} bytes, shorter than its header",
            data.len()
        ));
    };
    let announced = (2 + usize::from(u16::from_be_bytes([len[0], len[1]]))).min(TOC_ALLOC.into());
    if data.len() < announced {
        return Err(format!(
            "the reply is {} bytes, but its header announces {announced}",
            data.len()
        ));
    }
    Ok(())
}

/// The tracks, the lead-out and the disc type byte of session 1.
fn tracks_of(toc: &FullTocRepr) -> Result<(Vec<TrackRead>, i32, u8), CliError> {
    let bad = |what: String| CliError::new(ExitKind::Drive, format!("the full TOC {what}"));
    if toc.entries.iter().any(|e| e.session > 1) {
        let sessions = toc.entries.iter().map(|e| e.session).max().unwrap_or(1);
        return Err(CliError::new(
            ExitKind::Drive,
            format!(
                "the disc has {sessions} sessions: only single-session discs can be read into an image"
            ),
        ));
    }
    let lba_of = |e: &mmc::wire::toc::FullTocEntry| {
        e.pmsf().map(|m| m.to_program_lba().get()).ok_or_else(|| {
            bad(format!(
                "gives point {:02x}h an impossible time {:02}:{:02}:{:02}",
                e.point, e.pmin, e.psec, e.pframe
            ))
        })
    };
    let a2 = toc
        .point(0xa2)
        .ok_or_else(|| bad("has no lead-out (point A2h)".into()))?;
    let leadout = lba_of(a2)?;
    let disc_type = toc.point(0xa0).map_or(0, |e| e.psec);
    let mut tracks = Vec::new();
    for e in toc
        .entries
        .iter()
        .filter(|e| e.adr == 1 && (1..=0x63).contains(&e.point))
    {
        tracks.push(TrackRead {
            number: e.point,
            control: e.control,
            start: lba_of(e)?,
            indexes: BTreeMap::new(),
            isrc: None,
            mode: 0,
        });
    }
    tracks.sort_by_key(|t| t.start);
    if tracks.is_empty() {
        return Err(bad("lists no tracks".into()));
    }
    if tracks.iter().any(|t| t.start < 0 || t.start >= leadout) {
        return Err(bad(format!(
            "puts a track outside the program area (lead-out at lba {leadout})"
        )));
    }
    Ok((tracks, leadout, disc_type))
}

/// READ TOC format 0101b. A disc without CD-TEXT answers with no packs
/// or with ILLEGAL REQUEST (believed when it comes twice); any other
/// failure is tried again, and a disc
/// whose CD-TEXT cannot be read is not read at all (its image would lack
/// it without a word).
///
/// ## Errors
///
/// [`ExitKind::Read`] when the drive fails the command every time.
fn cd_text(link: &mut dyn Link) -> Result<Vec<[u8; 16]>, CliError> {
    let cdb = ReadToc::new(TocFormat::CdText, TOC_ALLOC).to_bytes();
    let request = ScsiRequest::read(&cdb, TOC_ALLOC as u32);
    let mut last = String::new();
    let mut refused = 0;
    for _ in 0..CD_TEXT_TRIES {
        let failure = match retrying(link, &request) {
            Err(e @ (TransportError::Disconnected | TransportError::Dead(_))) => {
                return Err(CliError::new(
                    ExitKind::Read,
                    "the drive stopped answering while reading the cd-text",
                )
                .caused_by(e));
            }
            Err(e) => e.to_string(),
            Ok(r) => match r.sense() {
                // A drive says so, every time, for a disc without
                // CD-TEXT: a refusal that does not come again was not
                // that.
                Some(s) if s.sense.key == SenseKey::IllegalRequest => {
                    refused += 1;
                    if refused == 2 {
                        return Ok(Vec::new());
                    }
                    s.sense.to_string()
                }
                Some(s) => s.sense.to_string(),
                None if r.is_good() && complete(&r.data).is_err() => {
                    complete(&r.data).err().unwrap_or_default()
                }
                None if r.is_good() => match CdTextRepr::parse(&r.data) {
                    Ok(t) => {
                        return Ok(t
                            .to_packs()
                            .iter()
                            .filter_map(|p| p.0[..16].try_into().ok())
                            .collect());
                    }
                    Err(e) => format!("its reply does not parse: {e}"),
                },
                None => "the drive failed it without a reason".to_string(),
            },
        };
        last = failure;
    }
    Err(CliError::new(
        ExitKind::Read,
        "the disc's cd-text cannot be read; no image was written",
    )
    .caused_by(format!(
        "READ TOC (cd-text) failed {CD_TEXT_TRIES} times: {last}"
    )))
}

/// The best sub-channel the drive returns for LBA 0.
fn probe_subchannel(link: &mut dyn Link) -> Result<SubRead, CliError> {
    for s in [SubRead::Raw, SubRead::Q] {
        let cdb = ReadCd::raw(0, 1, s.select()).to_bytes();
        let request = ScsiRequest::read(&cdb, (SECTOR_SIZE + s.bytes()) as u32);
        // A drive that lacks the form refuses it every time: one refusal
        // that does not come again is no reason to read less.
        for _ in 0..2 {
            let r = command(link, &request)?;
            match r.sense() {
                None if r.data.len() == SECTOR_SIZE + s.bytes() => return Ok(s),
                Some(x) if x.sense.key == SenseKey::IllegalRequest => {}
                _ => return Ok(s),
            }
        }
    }
    Ok(SubRead::None)
}

/// Reads `n` sectors from `lba`; when the drive fails them together,
/// sector by sector with [`TRIES`] tries each.
fn read_sectors(
    link: &mut dyn Link,
    lba: i32,
    n: u32,
    sub: SubRead,
    warnings: &mut Vec<String>,
) -> Result<Vec<u8>, CliError> {
    match read_once(link, lba, n, sub) {
        Ok(data) => return Ok(data),
        Err(Failed::Gone(e)) => return Err(e),
        Err(Failed::Sectors(_)) => {}
    }
    warnings.push(format!(
        "lba {lba}: {n} sectors read again one by one after the drive failed them together"
    ));
    let mut out = Vec::with_capacity(n as usize * (SECTOR_SIZE + sub.bytes()));
    for at in lba..lba + n as i32 {
        let mut tries = 0;
        loop {
            match read_once(link, at, 1, sub) {
                Ok(d) => {
                    out.extend_from_slice(&d);
                    break;
                }
                Err(Failed::Gone(e)) => return Err(e),
                Err(Failed::Sectors(e)) => {
                    tries += 1;
                    if tries == TRIES {
                        return Err(CliError {
                            headline: format!(
                                "lba {at}{} cannot be read: the drive failed it {TRIES} times",
                                disc_time(at)
                            ),
                            ..e
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Why a READ CD brought no sectors.
enum Failed {
    /// The drive is gone or does not recover: reading cannot go on.
    Gone(CliError),
    /// The drive answered, without the sectors: worth another try.
    Sectors(CliError),
}

/// One READ CD; the whole reply or an error naming the LBA.
fn read_once(link: &mut dyn Link, lba: i32, n: u32, sub: SubRead) -> Result<Vec<u8>, Failed> {
    let per = SECTOR_SIZE + sub.bytes();
    let want = n as usize * per;
    let cdb = ReadCd::raw(lba, n, sub.select()).to_bytes();
    let time = disc_time(lba);
    let r = retrying(link, &ScsiRequest::read(&cdb, want as u32)).map_err(|e| {
        let gone = matches!(e, TransportError::Disconnected | TransportError::Dead(_));
        let e = CliError::new(
            ExitKind::Read,
            format!("the drive stopped answering at lba {lba}{time}"),
        )
        .caused_by(e);
        if gone {
            Failed::Gone(e)
        } else {
            Failed::Sectors(e)
        }
    })?;
    if let Some(s) = r.sense() {
        return Err(Failed::Sectors(
            CliError::new(
                ExitKind::Read,
                format!("cannot read the sectors from lba {lba}{time}"),
            )
            .caused_by(s.sense),
        ));
    }
    if r.data.len() != want {
        return Err(Failed::Sectors(CliError::new(
            ExitKind::Read,
            format!(
                "the drive returned {} bytes for {n} sectors from lba {lba}{time}; {want} were asked for",
                r.data.len()
            ),
        )));
    }
    Ok(r.data)
}

/// " (MM:SS:FF)" for messages.
fn disc_time(lba: i32) -> String {
    Lba(lba)
        .to_disc_time()
        .map(|m| format!(" ({m})"))
        .unwrap_or_default()
}

/// Linear 96-byte P-W from what the drive returned.
fn subchannel_of(bytes: &[u8], sub: SubRead) -> [u8; PW_SIZE] {
    match sub {
        SubRead::Raw => bytes
            .try_into()
            .map(|raw: &[u8; PW_SIZE]| interleaved_to_linear(raw))
            .unwrap_or([0; PW_SIZE]),
        SubRead::Q => {
            // Formatted Q: the 12 bytes of Q, then the P flag in the last
            // byte's top bit.
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

/// What the Q sub-channel of the program area says.
#[derive(Debug, Default)]
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
    fn apply(&self, tracks: &mut [TrackRead], warnings: &mut Vec<String>) {
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

/// The CloneCD control file for what was read.
fn ccd_text(
    tracks: &[TrackRead],
    leadout: i32,
    disc_type: u8,
    mcn: Option<Mcn>,
    cdtext: &[[u8; 16]],
) -> String {
    let (first, last) = (&tracks[0], &tracks[tracks.len() - 1]);
    ControlFile {
        first_track: (first.number, first.control),
        last_track: (last.number, last.control),
        disc_type,
        leadout: Lba(leadout),
        mcn,
        pregap_mode: first.mode,
        cdtext: cdtext.to_vec(),
        tracks: tracks
            .iter()
            .map(|t| CcdTrack {
                number: t.number,
                control: t.control,
                mode: t.mode,
                isrc: t.isrc,
                // Track 1's pregap starts before LBA 0, where the image
                // does not reach.
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
    }
    .to_text()
}
