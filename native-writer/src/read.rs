//! `rawburn read`: dumps a disc into any format `rawburn build` writes.
//!
//! The read is `mmc::ops::read` (the npm package's `readDisc` runs the
//! same): the full TOC, the CD-TEXT of the lead-in and every sector from
//! LBA 0 to the lead-out as 2352 bytes with the raw P-W sub-channel
//! (formatted Q when the drive offers no raw P-W, nothing when it offers
//! neither), with what the Q sub-channel says that the TOC does not: the
//! index points, each track's pregap, ISRCs and the catalog number.
//!
//! These go into a CloneCD set (`.ccd`, `.img`, `.sub`) in a temporary
//! directory beside the output, which `rawburn build` then reads like any
//! other input: the output is exactly what `rawburn build` writes for the
//! disc the drive holds, and a disc burned from an image reads back into
//! the same image.

use crate::build;
use crate::drive_cmd::{EventLines, op_error};
use crate::error::{CliError, ExitKind};
use crate::output;
use crate::progress::Progress;
use crate::signal::{self, Unfinished};
use crate::target::{self, Choice};
use layout::image::ImageFormat;
use mmc::ops::{self, Dump, Op, OpError, ReadDisc};
use mmc::scsi::Link;
use mmc::wire::command::ReadCd;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// What the options of `rawburn read` ask for.
#[derive(Debug, Clone)]
pub struct ReadArgs {
    /// The drive.
    pub target: Choice,
    /// The image to write; its extension picks the format.
    pub output: PathBuf,
    /// Subchannel form of a `.raw` output.
    pub image_type: Option<layout::disc::ImageType>,
    /// The read's events as JSON lines on stdout.
    pub json: bool,
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
    // CloneCD images and cue sheets hold several sessions.
    let sessions = matches!(format, ImageFormat::CloneCd | ImageFormat::BinCue);
    let dumped = dump(opened.link(), &stem, sessions, args.json, args.quiet);
    let name = opened.name();
    let closed = opened.close();
    let dump = dumped?;
    closed?;
    if !args.quiet {
        for w in &dump.warnings {
            eprintln!("warning: {w}");
        }
        let tracks = dump.tracks.len();
        let sessions = match dump.sessions.len() {
            1 => String::new(),
            n => format!(" in {n} sessions"),
        };
        eprintln!(
            "read {} sectors ({tracks} track{}{sessions}) from {name}",
            dump.sectors,
            if tracks == 1 { "" } else { "s" }
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

/// Reads the disc into `{stem}.ccd`, `{stem}.img` and `{stem}.sub`: the
/// read operation of `mmc::ops`, its sectors written as they come.
fn dump(
    link: &mut dyn Link,
    stem: &Path,
    sessions: bool,
    json: bool,
    quiet: bool,
) -> Result<Dump, CliError> {
    let img_path = stem.with_extension("img");
    let sub_path = stem.with_extension("sub");
    let create = |p: &Path| {
        File::create(p)
            .map(BufWriter::new)
            .map_err(|e| write_error(p, e))
    };
    let mut img = create(&img_path)?;
    let mut sub = create(&sub_path)?;
    let mut bar: Option<Progress> = None;
    let mut lost: Option<CliError> = None;
    let lines = std::cell::RefCell::new(EventLines::new(json));
    let mut op = Op::new(ReadDisc::new(sessions));
    let result = ops::run_draining(
        &mut op,
        link,
        &mut |e| {
            lines.borrow_mut().emit(e);
            if let (Some(total), Some(done)) = (e.sectors_total, e.sectors_read) {
                let b = bar
                    .get_or_insert_with(|| Progress::new(quiet || json, total.into(), "reading"));
                b.set(done.into());
                // The drive's pace and its struggles, once there are some.
                let mut text = "reading".to_string();
                if let Some(x) = e.speed {
                    text += &format!(" at {x}x");
                }
                match e.retries {
                    Some(0) | None => {}
                    Some(1) => text += ", 1 sector read again",
                    Some(n) => text += &format!(", {n} sectors read again"),
                }
                b.set_text(text);
            }
        },
        &|| signal::stop_requested() || lines.borrow().lost(),
        &mut |steps: &mut ReadDisc| {
            let Some(s) = steps.take() else {
                return true;
            };
            let written = img
                .write_all(&s.data)
                .map_err(|e| write_error(&img_path, e))
                .and_then(|()| {
                    sub.write_all(&s.subchannel)
                        .map_err(|e| write_error(&sub_path, e))
                });
            match written {
                Ok(()) => true,
                Err(e) => {
                    lost = Some(e);
                    false
                }
            }
        },
    );
    if let Some(b) = bar.as_mut() {
        b.finish();
    }
    if let Some(e) = lost.or_else(|| lines.borrow_mut().error()) {
        return Err(e);
    }
    let dump = result.map_err(|e| read_error(e, op.steps().position()))?;
    img.flush().map_err(|e| write_error(&img_path, e))?;
    sub.flush().map_err(|e| write_error(&sub_path, e))?;
    let ccd = dump
        .control_text()
        .map_err(|e| CliError::new(ExitKind::Drive, e.to_string()))?;
    std::fs::write(stem.with_extension("ccd"), ccd)
        .map_err(|e| write_error(&stem.with_extension("ccd"), e))?;
    Ok(dump)
}

/// The exit code and message of a read that failed at `lba`.
fn read_error(e: OpError, lba: i32) -> CliError {
    let time = ops::disc_time(lba);
    match e {
        OpError::NoDisc { .. } => CliError::new(
            ExitKind::Drive,
            "no disc in the drive: insert the disc to read",
        ),
        OpError::Cancelled(_) => CliError::new(
            ExitKind::Cancelled,
            format!("reading was cancelled at lba {lba}; no image was written"),
        ),
        OpError::Unreadable {
            lba: None,
            tries,
            why,
        } => CliError::new(
            ExitKind::Read,
            "the disc's cd-text cannot be read; no image was written",
        )
        .caused_by(format!("READ TOC (cd-text) failed {tries} times: {why}")),
        e @ OpError::Unreadable { .. } => {
            let why = match &e {
                OpError::Unreadable { why, .. } => why.clone(),
                _ => String::new(),
            };
            CliError::new(ExitKind::Read, e.to_string()).caused_by(why)
        }
        OpError::Transport { command, source } if command == ReadCd::NAME => CliError::new(
            ExitKind::Read,
            format!("the drive stopped answering at lba {lba}{time}"),
        )
        .caused_by(source),
        OpError::Transport { source, .. } => CliError::new(
            ExitKind::Read,
            "the drive stopped answering before the disc was read",
        )
        .caused_by(source),
        e => op_error(e),
    }
}

fn write_error(path: &Path, e: std::io::Error) -> CliError {
    CliError::new(ExitKind::Output, format!("cannot write {}", path.display())).caused_by(e)
}
