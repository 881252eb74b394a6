//! `rawburn burn`: writes a disc with the engine, showing its progress.

use crate::build::plan;
use crate::check::{self, Depth};
use crate::error::{CliError, ExitKind};
use crate::files::Resolver;
use crate::input::{apply_cdtext_files, load};
use crate::signal;
use crate::sources::FileSources;
use crate::target::{self, Choice};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mmc::engine::{Action, Engine, EngineError, Event, Options, Phase, Summary, driver};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// What `rawburn burn` was asked.
#[derive(Debug, Clone)]
pub struct BurnArgs {
    /// The disc: .cue, .toc, .ccd or project .json.
    pub input: PathBuf,
    /// CD-TEXT files replacing the input's.
    pub cdtext: Vec<PathBuf>,
    /// The drive.
    pub target: Choice,
    /// Engine options.
    pub options: Options,
    /// Events as JSON lines on stdout.
    pub json: bool,
    /// No progress bar or summary.
    pub quiet: bool,
}

/// Burns `args.input`.
///
/// ## Errors
///
/// [`CliError`] with the exit code of what went wrong (see [`crate::error`]).
pub fn burn(args: &BurnArgs) -> Result<(), CliError> {
    let resolver = Resolver::user();
    let mut loaded = load(&args.input, &resolver)?;
    apply_cdtext_files(&mut loaded, &args.cdtext, &resolver)?;
    let disc = plan(&args.input, &loaded.project)?;
    // Every source is opened, sized and decoded before the drive is even
    // opened: a bad file must not ruin a disc half way.
    let mut sources = FileSources::new(&resolver, &loaded.dir, &loaded.project.sources);
    let checked = check::sources(&disc, &mut sources, Depth::Decode)?;
    if !args.json {
        for w in loaded
            .warnings
            .iter()
            .cloned()
            .chain(disc.warnings().iter().map(|w| w.to_string()))
            .chain(checked)
        {
            eprintln!("warning: {w}");
        }
    }
    let mut opened = target::open(&args.target)?;
    let mut engine = Engine::new(Arc::new(disc), args.options.clone());
    let reporter = std::cell::RefCell::new(Reporter::new(args.json, args.quiet));
    let result = driver::run_until(
        &mut engine,
        opened.link(),
        &mut sources,
        &mut |e| reporter.borrow_mut().event(e),
        &|| signal::stop_requested() || reporter.borrow().lost_before_writing(),
    );
    let mut reporter = reporter.into_inner();
    reporter.finish();
    let name = opened.name();
    let closed = opened.close();
    let lost = reporter.lost.take();
    match result {
        Ok(summary) => {
            closed?;
            if !args.quiet && !args.json {
                eprintln!("{}", summary_line(&summary, &name));
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
                None => Ok(()),
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
            let _ = closed;
            Err(burn_error(e, &name))
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
    format!(
        "{what}: {} sectors on {drive} in {} ({}), {:.1} s",
        s.sectors,
        s.mode.name(),
        s.reason,
        s.elapsed.as_secs_f64()
    )
}

/// The exit code and message of a failed burn.
pub fn burn_error(e: EngineError, drive: &str) -> CliError {
    let kind = match &e {
        EngineError::NoMedium
        | EngineError::NotOptical(_)
        | EngineError::NotRecordable(_)
        | EngineError::NotBlank(_)
        | EngineError::Capacity { .. }
        | EngineError::Mode(_) => ExitKind::Drive,
        EngineError::Drive { phase, .. }
        | EngineError::NoSense { phase, .. }
        | EngineError::Transport { phase, .. }
        | EngineError::Reply { phase, .. } => match phase {
            Phase::Preparing => ExitKind::Drive,
            Phase::Verifying => ExitKind::Verify,
            _ => ExitKind::Burn,
        },
        EngineError::Mismatch { .. } => ExitKind::Verify,
        EngineError::Source { .. } => ExitKind::Input,
        EngineError::Encode(_) => ExitKind::Disc,
        EngineError::Cancelled(_) => ExitKind::Cancelled,
        _ => ExitKind::Burn,
    };
    let headline = match kind {
        ExitKind::Drive => format!("{drive} cannot burn this disc; nothing was written"),
        ExitKind::Verify => format!("the disc in {drive} differs from the image"),
        ExitKind::Cancelled => "the burn was cancelled".to_string(),
        ExitKind::Input => "a source file could not be read".to_string(),
        _ => format!("the burn on {drive} failed"),
    };
    CliError::new(kind, headline).caused_by(e)
}

/// Shows engine events: a bar on a terminal, JSON lines with `--json`.
pub struct Reporter {
    json: bool,
    bar: Option<ProgressBar>,
    /// Why JSON events could not be written, once they could not.
    lost: Option<std::io::Error>,
    /// Whether an event showed that writing began.
    writing: bool,
}

impl Reporter {
    /// A reporter; the bar only on a terminal and when not quiet.
    pub fn new(json: bool, quiet: bool) -> Reporter {
        let bar = (!json && !quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{msg} [{bar:30}] {percent:>3}%  eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        Reporter {
            json,
            bar,
            lost: None,
            writing: false,
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
            let mut out = std::io::stdout().lock();
            if let Err(err) = writeln!(out, "{}", e.to_json()).and_then(|_| out.flush()) {
                self.lost = Some(err);
            }
            return;
        }
        let Some(bar) = &self.bar else {
            return;
        };
        bar.set_length(e.sectors_total.max(1));
        bar.set_position(e.sectors_written);
        bar.set_message(line(e));
    }

    /// Removes the bar.
    pub fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
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
