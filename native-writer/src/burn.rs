//! `rawburn burn`: writes a disc with the engine, showing its progress.

use crate::check::Depth;
use crate::error::{CliError, ExitKind};
use crate::input::prepare;
use crate::progress::Progress;
use crate::signal;
use crate::target::{self, Choice};
use mmc::engine::driver::{self, Data};
use mmc::engine::{Action, DiscState, Engine, EngineError, Event, Options, Summary};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// What `rawburn burn` was asked.
#[derive(Debug, Clone)]
pub struct BurnArgs {
    /// The disc: .cue, .toc, .ccd or project .json.
    pub input: PathBuf,
    /// CD-TEXT files replacing the input's.
    pub cdtext: Vec<PathBuf>,
    /// The drives: one, or several to burn the same disc on at once.
    pub targets: Vec<Choice>,
    /// Engine options.
    pub options: Options,
    /// Events as JSON lines on stdout.
    pub json: bool,
    /// No progress bar or summary.
    pub quiet: bool,
    /// CD-Extra: an ISO image mastered for the second session, burned
    /// (as CD-ROM XA) after the input's audio session.
    pub extra: Option<PathBuf>,
}

/// Burns `args.input`.
///
/// ## Errors
///
/// [`CliError`] with the exit code of what went wrong (see [`crate::error`]).
pub fn burn(args: &BurnArgs) -> Result<(), CliError> {
    if args.targets.len() > 1 {
        return crate::duplicate::burn(args);
    }
    if let Some(multi) = crate::sessions::load(&args.input)? {
        let sessions = image_sessions(multi, args)?;
        return burn_sessions(sessions, args);
    }
    // Every source is opened, sized and decoded before the drive is even
    // opened: a bad file must not ruin a disc half way.
    let prepared = prepare(&args.input, &args.cdtext, None, Depth::Decode)?;
    if !args.json {
        for w in &prepared.warnings {
            eprintln!("warning: {w}");
        }
    }
    let mut sessions = vec![(prepared.disc, prepared.sources, args.options.clone())];
    if let Some(iso) = &args.extra {
        let data = extra_session(iso, &sessions[0].0, &args.options)?;
        // The audio session in SAO, left open; the data session added to it.
        if let Some(first) = sessions.first_mut() {
            first.2.mode = mmc::engine::WriteMode::Sao;
            first.2.finalize = false;
            first.2.eject = false;
        }
        let mut options = args.options.clone();
        options.mode = mmc::engine::WriteMode::Auto;
        sessions.push((data.disc, data.sources, options));
    }
    burn_sessions(sessions, args)
}

/// One session to burn: its plan, its sources, the engine's options.
type SessionBurn = (
    layout::disc::Disc,
    crate::sources::FileSources,
    mmc::engine::Options,
);

/// Burns the sessions one after another on one opened drive, each left
/// open for the next.
fn burn_sessions(sessions: Vec<SessionBurn>, args: &BurnArgs) -> Result<(), CliError> {
    let choice = args.targets.first().cloned().unwrap_or_default();
    let mut opened = Some(target::open(&choice)?);
    let count = sessions.len();
    for (k, (disc, mut sources, options)) in sessions.into_iter().enumerate() {
        let Some(drive) = opened.take() else { break };
        let more = k + 1 < count;
        let reporter = Reporter::new(args.json, args.quiet);
        match burn_session(
            drive,
            disc,
            Data::Sources(&mut sources),
            options,
            args,
            more,
            reporter,
        ) {
            Ok(kept) => opened = kept,
            Err(e) if more => {
                let left = if count - k - 1 == 1 {
                    "the last session was not burned".to_string()
                } else {
                    format!("sessions {} to {count} were not burned", k + 2)
                };
                return Err(e.caused_by(left));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The sessions of an image of several (a CloneCD image of a CD-Extra):
/// each burned in SAO (unless the options ask for TAO), so its sectors
/// land where the image has them, every session but the last left open.
///
/// ## Errors
///
/// [`ExitKind::Usage`] for `--extra`, `--cdtext` or a raw mode;
/// [`ExitKind::Disc`] for a session the image places where no drive
/// starts one.
fn image_sessions(
    multi: crate::sessions::Sessions,
    args: &BurnArgs,
) -> Result<Vec<SessionBurn>, CliError> {
    use mmc::engine::WriteMode;
    let usage = |m: &str| Err(CliError::new(ExitKind::Usage, m.to_string()));
    if args.extra.is_some() {
        return usage(
            "--extra adds a data session to a single-session input; this image has its sessions already",
        );
    }
    if !args.cdtext.is_empty() {
        return usage(
            "--cdtext replaces the CD-TEXT of a single-session input; this image has several sessions",
        );
    }
    let mode = match args.options.mode {
        WriteMode::Auto | WriteMode::Sao => WriteMode::Sao,
        WriteMode::Tao => WriteMode::Tao,
        _ => {
            return usage(
                "an image of several sessions burns in sao (the default) or tao: a raw mode cannot add a session",
            );
        }
    };
    if let Some((session, start, expected)) = multi.multi.unusual_start() {
        return Err(CliError::new(
            ExitKind::Disc,
            format!(
                "session {session} of the image starts at lba {}, but a drive starts it at lba {} after the session before: this disc cannot be burned as imaged",
                start.get(),
                expected.get()
            ),
        ));
    }
    if !args.json {
        for w in &multi.warnings {
            eprintln!("warning: {w}");
        }
    }
    let count = multi.sources.len();
    let plans = multi.multi.sessions().iter().map(|s| s.disc().clone());
    Ok(plans
        .zip(multi.sources)
        .enumerate()
        .map(|(k, (disc, sources))| {
            let mut options = args.options.clone();
            options.mode = mode;
            if k + 1 < count {
                options.finalize = false;
                options.eject = false;
            }
            (disc, sources, options)
        })
        .collect())
}

/// The data session of a CD-Extra: `iso` must be mastered for where it
/// will start, after the audio session `audio` burned in SAO.
///
/// ## Errors
///
/// [`ExitKind::Usage`] for a write mode other than auto or SAO;
/// [`ExitKind::Input`] for an ISO mastered for another address, naming the
/// one it needs and how to master it there.
fn extra_session(
    iso: &std::path::Path,
    audio: &layout::disc::Disc,
    options: &Options,
) -> Result<crate::input::Prepared, CliError> {
    use mmc::engine::WriteMode;
    if !matches!(options.mode, WriteMode::Auto | WriteMode::Sao) {
        return Err(CliError::new(
            ExitKind::Usage,
            "--extra burns the audio session in sao: leave --mode out, or give --mode sao",
        ));
    }
    let next = layout::disc::sessions::next_session_start(audio.leadout(), true).get();
    let root = iso_root(iso)?;
    let len = std::fs::metadata(iso).map_or(0, |m| m.len() / 2048) as i64;
    if i64::from(root) < i64::from(next) || i64::from(root) >= i64::from(next) + len {
        return Err(CliError::new(
            ExitKind::Input,
            format!(
                "{} is not mastered for the data session of this CD-Extra: its root directory is at lba {root}, and the session starts at lba {next}",
                iso.display()
            ),
        )
        .caused_by(format!(
            "master it for that address: xorriso -as mkisofs -C 0,{next} -o {} DIR (or mkisofs -C 0,{next})",
            iso.display()
        )));
    }
    let options = crate::media::MediaOptions {
        xa: true,
        ..crate::media::MediaOptions::default()
    };
    crate::input::prepare_files(&[iso.to_path_buf()], &options, Depth::Decode)
}

/// The sector of an ISO 9660 image's root directory (from its primary
/// volume descriptor at sector 16): an image mastered for a later session
/// refers to sectors from that session's start.
fn iso_root(iso: &std::path::Path) -> Result<u32, CliError> {
    use std::io::{Read, Seek, SeekFrom};
    let bad = |why: String| {
        CliError::new(
            ExitKind::Input,
            format!("{} is not an ISO 9660 image: {why}", iso.display()),
        )
    };
    let mut pvd = [0u8; 2048];
    let mut f = std::fs::File::open(iso).map_err(|e| {
        CliError::new(ExitKind::Input, format!("cannot read {}", iso.display())).caused_by(e)
    })?;
    f.seek(SeekFrom::Start(16 * 2048))
        .and_then(|_| f.read_exact(&mut pvd))
        .map_err(|_| bad("it is shorter than 17 sectors".to_string()))?;
    if pvd[0] != 1 || &pvd[1..6] != b"CD001" {
        return Err(bad("no primary volume descriptor at sector 16".to_string()));
    }
    // The root directory record at byte 156; its extent, both-endian, at 2.
    Ok(u32::from_le_bytes([pvd[158], pvd[159], pvd[160], pvd[161]]))
}

/// Burns one session of the disc on the open drive, from `data` (the
/// sources, or frames shared with other drives), its progress told by
/// `reporter`; with `more` sessions to come, hands the drive back instead
/// of closing it.
pub fn burn_session(
    mut opened: target::Opened,
    disc: layout::disc::Disc,
    data: Data<'_>,
    options: Options,
    args: &BurnArgs,
    more: bool,
    reporter: Reporter,
) -> Result<Option<target::Opened>, CliError> {
    let mut engine = Engine::new(Arc::new(disc), options);
    if matches!(data, Data::Frames(_)) {
        engine.share_frames();
    }
    let reporter = std::cell::RefCell::new(reporter);
    let result = driver::run_with(
        &mut engine,
        opened.link(),
        data,
        &mut |e| reporter.borrow_mut().event(e),
        &|| signal::stop_requested() || reporter.borrow().lost_before_writing(),
    );
    let mut reporter = reporter.into_inner();
    reporter.finish();
    let name = opened.name();
    let lost = reporter.lost.take();
    if let (Ok(summary), true, None) = (&result, more, &lost) {
        if !args.quiet && !args.json {
            reporter.say(&summary_line(summary, &name));
        }
        return Ok(Some(opened));
    }
    let closed = opened.close();
    match result {
        Ok(summary) => {
            closed?;
            if !args.quiet && !args.json {
                reporter.say(&summary_line(&summary, &name));
            }
            match lost {
                // The burn is good; the script reading its events is not
                // told so: say it here.
                Some(e) => Err(CliError::new(
                    ExitKind::Output,
                    format!(
                        "{}, but its events could not be written to stdout",
                        summary_line(&summary, &name)
                    ),
                )
                .caused_by(e)),
                None => Ok(None),
            }
        }
        Err(EngineError::Cancelled(_)) if lost.is_some() && !signal::stop_requested() => {
            let _ = closed;
            Err(CliError::new(
                ExitKind::Output,
                "the burn's events cannot be written to stdout; nothing was written to the disc",
            )
            .caused_by(lost.map_or_else(String::new, |e| e.to_string())))
        }
        Err(e) => {
            let error = burn_error(e, &name);
            // Why the drive could not be let go of (a virtual disc that
            // could not be saved: a full disk) is part of the story.
            Err(match closed {
                Ok(()) => error,
                Err(c) => c
                    .causes
                    .iter()
                    .fold(error.caused_by(c.headline.clone()), |e, cause| {
                        e.caused_by(cause)
                    }),
            })
        }
    }
}

fn summary_line(s: &Summary, drive: &str) -> String {
    let what = if s.simulated {
        "simulated"
    } else if s.verified {
        "burned and verified"
    } else {
        "burned"
    };
    let speed = s
        .speed
        .as_deref()
        .map_or(String::new(), |x| format!(" {x},"));
    format!(
        "{what}: {} sectors on {drive} in {} ({}),{speed} {:.1} s",
        s.sectors,
        s.mode.name(),
        s.reason,
        s.elapsed.as_secs_f64()
    )
}

/// The exit code and message of a failed burn. The code follows what the
/// disc holds: 6 when nothing was recorded (refused before anything that
/// records was sent, or the drive reports the disc still blank; 3 and 4
/// when a source or the encoding failed), 7 once the disc holds something
/// or the drive could not say, 8 when the completed burn reads back
/// differently, 9 when reading it back failed, 130 when cancelled.
pub fn burn_error(e: EngineError, drive: &str) -> CliError {
    match e {
        EngineError::Stopped {
            cause,
            disc: DiscState::Blank,
        } => {
            let (kind, headline) = nothing_written(&cause, drive);
            CliError::new(kind, format!("{headline}: the disc is still blank")).caused_by(cause)
        }
        EngineError::Stopped { cause, disc } => CliError::new(
            ExitKind::Burn,
            format!("the burn on {drive} failed: {disc}"),
        )
        .caused_by(cause),
        e => {
            let (kind, headline) = nothing_written(&e, drive);
            CliError::new(kind, headline).caused_by(e)
        }
    }
}

/// The exit code and headline of an error that left the disc as it was
/// (or that came after the burn was confirmed: verify, cancel).
fn nothing_written(e: &EngineError, drive: &str) -> (ExitKind, String) {
    match e {
        EngineError::Source { .. } => (
            ExitKind::Input,
            "a source file could not be read; nothing was written".to_string(),
        ),
        EngineError::Encode(_) => (
            ExitKind::Disc,
            "the disc cannot be encoded; nothing was written".to_string(),
        ),
        EngineError::Mismatch { .. } => (
            ExitKind::Verify,
            format!("the burn completed but the disc in {drive} differs from the image"),
        ),
        EngineError::VerifyIncomplete { .. } => (
            ExitKind::Read,
            format!("the burn completed but the verify on {drive} could not finish"),
        ),
        EngineError::Cancelled(_) => (ExitKind::Cancelled, "the burn was cancelled".to_string()),
        EngineError::Misuse(_) => (ExitKind::Burn, format!("the burn on {drive} failed")),
        _ => (
            ExitKind::Drive,
            format!("{drive} cannot burn this disc; nothing was written"),
        ),
    }
}

/// Shows engine events: a bar on a terminal, JSON lines with `--json`.
pub struct Reporter {
    json: bool,
    bar: Progress,
    /// Why JSON events could not be written, once they could not.
    lost: Option<std::io::Error>,
    /// Whether an event showed that writing began.
    writing: bool,
    /// The drive, named in each JSON line, when several burn at once.
    drive: Option<String>,
    /// The bars of all the drives burning at once.
    bars: Option<indicatif::MultiProgress>,
}

impl Reporter {
    /// A reporter; the bar only on a terminal and when not quiet.
    pub fn new(json: bool, quiet: bool) -> Reporter {
        let bar = Progress::fraction(json || quiet);
        Reporter {
            json,
            bar,
            lost: None,
            writing: false,
            drive: None,
            bars: None,
        }
    }

    /// A reporter for one of several drives burning at once: its bar a
    /// line of `bars` starting with `drive`, and `drive` named in each JSON
    /// line.
    pub fn among(
        bars: &indicatif::MultiProgress,
        json: bool,
        quiet: bool,
        drive: String,
    ) -> Reporter {
        Reporter {
            json,
            bar: Progress::fraction_in(bars, json || quiet, &drive),
            lost: None,
            writing: false,
            drive: Some(drive),
            bars: Some(bars.clone()),
        }
    }

    /// Whether the events' reader is gone before anything was written to
    /// the disc: the burn then stops while the disc is unchanged. Once
    /// writing began it goes on (stopping would ruin the disc) and the
    /// loss is reported at the end.
    pub fn lost_before_writing(&self) -> bool {
        self.lost.is_some() && !self.writing
    }

    /// Takes one event.
    pub fn event(&mut self, e: &Event) {
        if !matches!(
            e.action,
            Action::Preparing | Action::Failed | Action::Cancelled | Action::Done
        ) {
            self.writing = true;
        }
        if self.json {
            if self.lost.is_some() {
                return;
            }
            let line = match &self.drive {
                Some(d) => with_drive(&e.to_json(), d),
                None => e.to_json(),
            };
            let mut out = std::io::stdout().lock();
            if let Err(err) = writeln!(out, "{line}").and_then(|_| out.flush()) {
                self.lost = Some(err);
            }
            return;
        }
        // The engine's fraction and estimate: monotone over the whole burn
        // (verify included), the estimate shown once it is known.
        self.bar.set_fraction(e.fraction);
        self.bar.set_left(e.remaining_ms);
        self.bar.set_text(line(e));
    }

    /// Removes the bar.
    pub fn finish(&mut self) {
        self.bar.finish();
    }

    /// Prints a line on stderr, above the other drives' bars if any.
    pub fn say(&self, line: &str) {
        match &self.bars {
            Some(bars) if !bars.is_hidden() => {
                let _ = bars.println(line);
            }
            _ => eprintln!("{line}"),
        }
    }
}

/// An event's JSON line with a `drive` field first.
fn with_drive(json: &str, drive: &str) -> String {
    let name = serde_json::Value::from(drive);
    match json.strip_prefix('{') {
        Some("}") => format!("{{\"drive\":{name}}}"),
        Some(rest) => format!("{{\"drive\":{name},{rest}"),
        None => json.to_string(),
    }
}

/// The bar's text for an event: action, track i/n, LBA, buffers, speed.
pub fn line(e: &Event) -> String {
    let action = match e.action {
        Action::Preparing => "preparing".to_string(),
        Action::WritingLeadIn => "lead-in".to_string(),
        Action::WritingTrack => format!("track {}/{}", e.track.unwrap_or(0), e.tracks),
        Action::WritingLeadOut => "lead-out".to_string(),
        Action::Finishing => "finishing".to_string(),
        Action::Verifying => "verifying".to_string(),
        Action::Done => "done".to_string(),
        Action::Failed => "failed".to_string(),
        Action::Cancelled => "cancelled".to_string(),
    };
    let percent = |used: u64, total: u64| (used * 100).checked_div(total).unwrap_or(0);
    let drive_used = e.drive_buffer_size.saturating_sub(e.drive_buffer_free);
    format!(
        "{action:<11} lba {:>7}  drive {:>3}%  host {:>3}%  {:>5.1}x",
        e.last_written_lba,
        percent(drive_used, e.drive_buffer_size),
        percent(e.used_system_buffer, e.total_system_buffer),
        e.speed_x
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use mmc::engine::{Confirmed, Phase};
    use mmc::scsi::TransportError;
    use mmc::wire::sense::Sense;

    fn write_error() -> EngineError {
        EngineError::Drive {
            phase: Phase::Writing,
            command: "WRITE(10)",
            sense: Sense::WRITE_ERROR,
            at: None,
            confirmed: Confirmed(None),
        }
    }

    fn stopped(cause: EngineError, disc: DiscState) -> EngineError {
        EngineError::Stopped {
            cause: Box::new(cause),
            disc,
        }
    }

    #[test]
    fn exit_codes_follow_what_the_disc_holds() {
        let source = EngineError::Source {
            lba: 600,
            error: layout::source::SourceError::io(std::io::Error::other("input/output error"))
                .in_file("d.iso"),
        };
        let gone = EngineError::Transport {
            phase: Phase::Writing,
            command: "WRITE(10)",
            error: TransportError::Disconnected,
            confirmed: Confirmed(None),
        };
        let cause = "writing: WRITE(10) failed: 3/0C/00 write error; the drive confirmed no sector";
        for (e, code, headline, causes) in [
            (
                EngineError::NotBlank("finalized"),
                6,
                "vd cannot burn this disc; nothing was written",
                vec![
                    "the disc is not blank (finalized): use a blank disc or blank this CD-RW first",
                ],
            ),
            (
                stopped(write_error(), DiscState::Blank),
                6,
                "vd cannot burn this disc; nothing was written: the disc is still blank",
                vec![cause],
            ),
            (
                stopped(write_error(), DiscState::Incomplete { erasable: false }),
                7,
                "the burn on vd failed: the disc holds an incomplete session: this CD-R cannot be used again",
                vec![cause],
            ),
            (
                stopped(write_error(), DiscState::Incomplete { erasable: true }),
                7,
                "the burn on vd failed: the disc holds an incomplete session: blank this CD-RW to use it again",
                vec![cause],
            ),
            (
                stopped(gone, DiscState::Unknown),
                7,
                "the burn on vd failed: what the disc holds is unknown: the drive did not answer",
                vec![
                    "writing: WRITE(10): the drive was disconnected; the drive confirmed no sector",
                ],
            ),
            (
                source.clone(),
                3,
                "a source file could not be read; nothing was written",
                vec!["reading the source for lba 600: d.iso: input/output error"],
            ),
            (
                stopped(source.clone(), DiscState::Blank),
                3,
                "a source file could not be read; nothing was written: the disc is still blank",
                vec!["reading the source for lba 600: d.iso: input/output error"],
            ),
            (
                stopped(source, DiscState::Incomplete { erasable: false }),
                7,
                "the burn on vd failed: the disc holds an incomplete session: this CD-R cannot be used again",
                vec!["reading the source for lba 600: d.iso: input/output error"],
            ),
            (
                EngineError::Mismatch {
                    lba: 100,
                    what: "byte 23 of the sector".to_string(),
                },
                8,
                "the burn completed but the disc in vd differs from the image",
                vec!["verify: lba 100 differs from the image (byte 23 of the sector)"],
            ),
            (
                EngineError::VerifyIncomplete {
                    lba: 26,
                    cause: Box::new(EngineError::Drive {
                        phase: Phase::Verifying,
                        command: "READ CD",
                        sense: Sense::UNRECOVERED_READ_ERROR,
                        at: None,
                        confirmed: Confirmed(None),
                    }),
                },
                9,
                "the burn completed but the verify on vd could not finish",
                vec![
                    "the verify could not finish at lba 26: verifying: READ CD failed: 3/11/00 unrecovered read error; the drive confirmed no sector",
                ],
            ),
            (
                EngineError::Cancelled("before writing: the disc is unchanged".to_string()),
                130,
                "the burn was cancelled",
                vec!["cancelled: before writing: the disc is unchanged"],
            ),
        ] {
            let label = e.to_string();
            let c = burn_error(e, "vd");
            assert_eq!(c.kind.code(), code, "{label}");
            assert_eq!(c.headline, headline, "{label}");
            assert_eq!(c.causes, causes, "{label}");
        }
    }
}
