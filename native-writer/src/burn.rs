//! `rawburn burn`: writes a disc with the engine, showing its progress.

use crate::build::plan;
use crate::error::{CliError, ExitKind};
use crate::input::{apply_cdtext_files, load};
use crate::sources::FileSources;
use crate::target::{self, Choice};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mmc::engine::{Action, Engine, EngineError, Event, Options, Phase, Summary, driver};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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

/// Set by Ctrl-C.
static STOP: AtomicBool = AtomicBool::new(false);

/// Burns `args.input`.
///
/// ## Errors
///
/// [`CliError`] with the exit code of what went wrong (see [`crate::error`]).
pub fn burn(args: &BurnArgs) -> Result<(), CliError> {
    let mut loaded = load(&args.input)?;
    apply_cdtext_files(&mut loaded, &args.cdtext)?;
    let disc = plan(&args.input, &loaded.project)?;
    if !args.json {
        for w in &loaded.warnings {
            eprintln!("warning: {w}");
        }
        for w in disc.warnings() {
            eprintln!("warning: {w}");
        }
    }
    let mut sources = FileSources::new(&loaded.dir, &loaded.project.sources);
    let mut opened = target::open(&args.target)?;
    // Ctrl-C asks the engine to stop at a safe point; a second one ends
    // the process at once.
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(ExitKind::Cancelled.code() as i32);
        }
    });
    let mut engine = Engine::new(Arc::new(disc), args.options.clone());
    let mut reporter = Reporter::new(args.json, args.quiet);
    let result = driver::run_until(
        &mut engine,
        opened.link(),
        &mut sources,
        &mut |e| reporter.event(e),
        &|| STOP.load(Ordering::SeqCst),
    );
    reporter.finish();
    let name = opened.name();
    let closed = opened.close();
    match result {
        Ok(summary) => {
            closed?;
            if !args.quiet && !args.json {
                eprintln!("{}", summary_line(&summary, &name));
            }
            Ok(())
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
        Reporter { json, bar }
    }

    /// Takes one event.
    pub fn event(&mut self, e: &Event) {
        if self.json {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", e.to_json());
            let _ = out.flush();
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
