//! `rawburn burn DISC --drive A --drive B …` (or `--virtual D1 --virtual
//! D2 …`): one disc written to several drives at once, each verified as
//! asked, one progress line per drive.
//!
//! The disc is encoded once. Frames are encoded in the shared form (the
//! sector unscrambled, then raw interleaved P-W; `layout::frames`) into a
//! [`Spool`], a temporary file, by whichever drive first needs them; every
//! drive's engine takes them from there and makes the form its write mode
//! sends (`FrameEncoder::reformat`), and its verify reads them again. A
//! slow or failed drive holds no other back: each reads the spool at its
//! own pace, and the spool keeps every frame until the last drive is done.
//!
//! ```text
//!   sources ─▶ encoder (once) ─▶ spool file ──┬─▶ drive 1: engine ─▶ write, verify
//!                                             ├─▶ drive 2: engine ─▶ write, verify
//!                                             └─▶ …
//! ```
//!
//! The exit code is 0 when every drive succeeded, else 64 plus a bit per
//! failed drive, in the order the drives were given: 1 for the first, 2
//! for the second, … 32 for the sixth and any after it (65: only the first
//! failed; 66: only the second; 127: all of six). 130 when cancelled. With
//! `--json`, every event line carries a `drive` field naming its drive, and
//! a last line `{"drives": [{"drive", "exitCode", "message"}, …]}` says how
//! each ended.

use crate::burn::{BurnArgs, Reporter, burn_session};
use crate::error::{CliError, ExitKind};
use crate::signal;
use crate::sources::FileSources;
use crate::target::{self, Choice};
use layout::disc::Disc;
use layout::frames::{FrameEncoder, FrameOptions, SHARED_FRAME, SHARED_SUBCHANNEL};
use layout::msf::Lba;
use layout::source::SourceError;
use mmc::engine::driver::{Data, SharedFrames};
use mmc::engine::{FrameRead, Options};
use std::fs::File;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Sectors encoded at a time into the spool.
const BATCH: u32 = 512;

/// Burns `args.input` on every drive of `args.targets` at once.
///
/// ## Errors
///
/// [`ExitKind::Usage`] for an input of several sessions, `--extra`, or a
/// drive named twice; the input's errors when it cannot be prepared
/// (nothing is burned then); [`ExitKind::Several`] naming the drives that
/// failed; [`ExitKind::Cancelled`] when cancelled.
pub fn burn(args: &BurnArgs) -> Result<(), CliError> {
    check_targets(&args.targets)?;
    if args.extra.is_some() {
        return Err(CliError::new(
            ExitKind::Usage,
            "--extra burns two sessions, on one drive at a time: give one drive",
        ));
    }
    if crate::sessions::load(&args.input)?.is_some() {
        return Err(CliError::new(
            ExitKind::Usage,
            "this image holds several sessions, which burn on one drive at a time: give one drive",
        ));
    }
    let prepared =
        crate::input::prepare(&args.input, &args.cdtext, None, crate::check::Depth::Decode)?;
    if !args.json {
        for w in &prepared.warnings {
            eprintln!("warning: {w}");
        }
    }
    let disc = Arc::new(prepared.disc);
    let spool = Spool::new(disc.clone(), prepared.sources);
    let bars = indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr());
    let outcomes: Vec<Result<(), CliError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = args
            .targets
            .iter()
            .map(|choice| {
                let reporter = Reporter::among(&bars, args.json, args.quiet, label(choice));
                let disc = disc.clone();
                let spool = &spool;
                let options = args.options.clone();
                scope.spawn(move || burn_one(choice, disc, options, spool, reporter, args))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(CliError::new(
                        ExitKind::Burn,
                        "a drive's burn stopped unexpectedly",
                    ))
                })
            })
            .collect()
    });
    let _ = bars.clear();
    finish(&args.targets, &outcomes, args.json, spool.made())
}

/// One drive's burn, from opening it to letting it go.
fn burn_one(
    choice: &Choice,
    disc: Arc<Disc>,
    options: Options,
    spool: &Spool,
    reporter: Reporter,
    args: &BurnArgs,
) -> Result<(), CliError> {
    let opened = target::open(choice)?;
    let mut reader = SpoolReader(spool);
    burn_session(
        opened,
        (*disc).clone(),
        Data::Frames(&mut reader),
        options,
        args,
        false,
        reporter,
    )
    .map(|_| ())
}

/// The drives' outcomes, told and turned into the exit code.
fn finish(
    targets: &[Choice],
    outcomes: &[Result<(), CliError>],
    json: bool,
    made: u64,
) -> Result<(), CliError> {
    let failed: Vec<usize> = (0..outcomes.len())
        .filter(|&i| outcomes[i].is_err())
        .collect();
    if json {
        let drives: Vec<serde_json::Value> = targets
            .iter()
            .zip(outcomes)
            .map(|(t, o)| {
                serde_json::json!({
                    "drive": label(t),
                    "exitCode": o.as_ref().map_or_else(|e| e.kind.code(), |()| 0),
                    "message": o.as_ref().map_or_else(|e| e.to_string(), |()| String::new()),
                })
            })
            .collect();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", serde_json::json!({ "drives": drives }));
    } else {
        for (t, o) in targets.iter().zip(outcomes) {
            if let Err(e) = o {
                eprintln!("{}: {e}", label(t));
            }
        }
        eprintln!(
            "{} of {} drives burned ({made} sectors encoded once)",
            outcomes.len() - failed.len(),
            outcomes.len()
        );
    }
    if failed.is_empty() {
        return Ok(());
    }
    if signal::stop_requested() {
        return Err(CliError::new(
            ExitKind::Cancelled,
            "the burns were cancelled",
        ));
    }
    let mask = failed.iter().fold(0u8, |m, &i| m | 1 << i.min(5));
    let names: Vec<String> = failed.iter().map(|&i| label(&targets[i])).collect();
    Err(CliError::new(
        ExitKind::Several(mask),
        format!(
            "{} of {} drives failed: {}",
            failed.len(),
            outcomes.len(),
            names.join(", ")
        ),
    ))
}

/// A drive's name on its progress line and in messages: the id or disc
/// file given.
fn label(choice: &Choice) -> String {
    match (&choice.virtual_disc, &choice.drive) {
        (Some(p), _) => p.display().to_string(),
        (None, Some(id)) => id.clone(),
        (None, None) => "the drive".to_string(),
    }
}

/// Refuses a drive named twice: two burns cannot share one.
fn check_targets(targets: &[Choice]) -> Result<(), CliError> {
    for (i, a) in targets.iter().enumerate() {
        if targets[..i].iter().any(|b| {
            (a.virtual_disc.is_some() && a.virtual_disc == b.virtual_disc)
                || (a.drive.is_some() && a.drive == b.drive)
        }) {
            return Err(CliError::new(
                ExitKind::Usage,
                format!("{} is named twice: give each drive once", label(a)),
            ));
        }
    }
    Ok(())
}

/// The disc's frames in the shared form, encoded once, on demand, into
/// temporary files, and read by every drive's engine.
pub struct Spool {
    disc: Arc<Disc>,
    state: Mutex<State>,
}

struct State {
    sources: FileSources,
    /// Runs of encoded frames, apart and in no order: a drive that starts
    /// below the others (an earlier lead-in) starts a run of its own.
    runs: Vec<Run>,
    /// Frames encoded.
    made: u64,
    /// A buffer for a batch's frames.
    frames: Vec<u8>,
}

/// Frames `start..` encoded so far into `file`, up to `end` at most.
struct Run {
    start: Lba,
    end: Lba,
    encoder: FrameEncoder<'static>,
    file: Arc<File>,
}

impl Spool {
    /// A spool of `disc`'s frames, reading `sources`.
    pub fn new(disc: Arc<Disc>, sources: FileSources) -> Spool {
        Spool {
            disc,
            state: Mutex::new(State {
                sources,
                runs: Vec::new(),
                made: 0,
                frames: Vec::new(),
            }),
        }
    }

    /// Frames encoded so far.
    pub fn made(&self) -> u64 {
        self.state.lock().map_or(0, |s| s.made)
    }

    /// The frames `read` names, encoding those not encoded yet.
    ///
    /// ## Errors
    ///
    /// A source that cannot be read, a spool file that cannot be written
    /// or read (a full disk).
    pub fn frames(&self, read: &FrameRead) -> Result<Vec<u8>, SourceError> {
        let mut out = vec![0; read.sectors as usize * SHARED_FRAME];
        let end = Lba(read.lba.get() + read.sectors as i32);
        let mut lba = read.lba;
        while lba < end {
            let (file, start, upto) = self.encode_to(lba, end)?;
            let from = lba.since(read.lba) as usize * SHARED_FRAME;
            let to = upto.since(read.lba) as usize * SHARED_FRAME;
            let offset = lba.since(start) as u64 * SHARED_FRAME as u64;
            read_at(&file, &mut out[from..to], offset)
                .map_err(|e| SourceError::io(e).in_file("the burn's spool"))?;
            lba = upto;
        }
        Ok(out)
    }

    /// Encodes the run holding `lba` as far as `end` (or the run's end);
    /// its file, its start, and how far it now goes (past `lba`).
    fn encode_to(&self, lba: Lba, end: Lba) -> Result<(Arc<File>, Lba, Lba), SourceError> {
        let mut guard = self
            .state
            .lock()
            .map_err(|_| SourceError::other("another drive's encoding failed"))?;
        let state = &mut *guard;
        let i = match state
            .runs
            .iter()
            .position(|r| r.start <= lba && lba < r.end)
        {
            Some(i) => i,
            None => {
                let run = self.start_run(&state.runs, lba)?;
                state.runs.push(run);
                state.runs.len() - 1
            }
        };
        let run = &mut state.runs[i];
        let want = end.min(run.end);
        while run.encoder.position() < want {
            let Some(batch) = run.encoder.next_batch(BATCH) else {
                break;
            };
            let (main, rw) = mmc::engine::driver::read_source(
                &mut state.sources,
                &mmc::engine::SourceRead {
                    lba: batch.first,
                    main: batch.main,
                    rw: batch.rw,
                },
            )?;
            let n = batch.sectors as usize * SHARED_FRAME;
            state.frames.resize(n, 0);
            run.encoder
                .encode(&batch, &main, &rw, &mut state.frames)
                .map_err(SourceError::other)?;
            let offset = batch.first.since(run.start) as u64 * SHARED_FRAME as u64;
            write_at(&run.file, &state.frames[..n], offset)
                .map_err(|e| SourceError::io(e).in_file("the burn's spool"))?;
            state.made += u64::from(batch.sectors);
        }
        Ok((
            run.file.clone(),
            run.start,
            run.encoder.position().min(want),
        ))
    }

    /// A new run from `lba` up to the next run above it or the disc's end.
    fn start_run(&self, runs: &[Run], lba: Lba) -> Result<Run, SourceError> {
        let end = runs
            .iter()
            .map(|r| r.start)
            .filter(|&s| s > lba)
            .min()
            .unwrap_or(self.disc.end());
        let encoder = FrameEncoder::shared(
            self.disc.clone(),
            FrameOptions {
                start: lba,
                end,
                subchannel: SHARED_SUBCHANNEL,
                scramble: false,
            },
        )
        .map_err(SourceError::other)?;
        let file =
            tempfile::tempfile().map_err(|e| SourceError::io(e).in_file("the burn's spool"))?;
        Ok(Run {
            start: lba,
            end,
            encoder,
            file: Arc::new(file),
        })
    }
}

/// One engine's view of the spool.
struct SpoolReader<'a>(&'a Spool);

impl SharedFrames for SpoolReader<'_> {
    fn frames(&mut self, read: &FrameRead) -> Result<Vec<u8>, SourceError> {
        self.0.frames(read)
    }
}

/// Reads `buf.len()` bytes of `file` at `offset`.
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

/// Writes `buf` into `file` at `offset`.
#[cfg(unix)]
fn write_at(file: &File, buf: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(windows)]
fn write_at(file: &File, mut buf: &[u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = file.seek_write(buf, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        buf = &buf[n..];
        offset += n as u64;
    }
    Ok(())
}
