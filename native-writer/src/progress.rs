//! The CLI's one progress bar builder: a bar on stderr, only when stderr
//! is a terminal and the command is not quiet. Counting sectors (build,
//! read) or following an operation's own fraction and time left (burn,
//! blank).

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Progress of a long operation.
pub struct Progress {
    bar: Option<ProgressBar>,
    /// What the bar's text starts with (its drive, among several bars).
    label: Option<String>,
}

impl Progress {
    /// A bar for `total` sectors, or nothing when quiet or not on a
    /// terminal.
    pub fn new(quiet: bool, total: u64, action: &str) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress {
                bar: None,
                label: None,
            };
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{msg:10} [{bar:40}] {percent:>3}%  {pos}/{len} sectors  {per_sec}  eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(action.to_string());
        Progress {
            bar: Some(bar),
            label: None,
        }
    }

    /// A bar for an operation that reports its fraction done (0 to 1) and
    /// the time left, with a line of text of its own.
    pub fn fraction(quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress {
                bar: None,
                label: None,
            };
        }
        let bar = ProgressBar::with_draw_target(Some(STEPS), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{msg} [{bar:30}] {percent:>3}%  {prefix}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        Progress {
            bar: Some(bar),
            label: None,
        }
    }

    /// A [`Progress::fraction`] bar that is one line of `bars`, beginning
    /// with `label` (several drives burning at once).
    pub fn fraction_in(bars: &MultiProgress, quiet: bool, label: &str) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress {
                bar: None,
                label: None,
            };
        }
        let bar = bars.add(ProgressBar::new(STEPS));
        let style = ProgressStyle::with_template("{msg} [{bar:20}] {percent:>3}%  {prefix}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(label.to_string());
        Progress {
            bar: Some(bar),
            label: Some(label.to_string()),
        }
    }

    /// Sets the fraction done (a [`Progress::fraction`] bar).
    pub fn set_fraction(&mut self, fraction: f64) {
        self.set((fraction.clamp(0.0, 1.0) * STEPS as f64) as u64);
    }

    /// Sets the time left, when known (a [`Progress::fraction`] bar).
    pub fn set_left(&mut self, ms: Option<u64>) {
        if let Some(b) = &self.bar {
            b.set_prefix(ms.map_or(String::new(), |ms| format!("{} left", clock(ms))));
        }
    }

    /// Sets the text before the bar.
    pub fn set_text(&mut self, text: String) {
        if let Some(b) = &self.bar {
            match &self.label {
                Some(l) => b.set_message(format!("{l}  {text}")),
                None => b.set_message(text),
            }
        }
    }

    /// Sets the sectors done.
    pub fn set(&mut self, done: u64) {
        if let Some(b) = &self.bar {
            b.set_position(done);
        }
    }

    /// Removes the bar.
    pub fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

/// Steps of a [`Progress::fraction`] bar.
const STEPS: u64 = 1000;

/// Milliseconds as `m:ss`.
fn clock(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    format!("{}:{:02}", s / 60, s % 60)
}
