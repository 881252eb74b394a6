//! What every execution must keep, in the README's words: documented exit
//! codes, no panic, no hang, bounded memory, no leftovers, nothing of a
//! file that is not a sheet quoted back.

use crate::exec::{Killed, Outcome};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The kinds of failure, each counted on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Oracle {
    /// An exit code the README does not list, or an end by a signal.
    ExitCode,
    /// A documented code the command cannot give (README: 8 and 9 only
    /// from a read-back, 6–9 only from drive commands).
    ExitUnfit,
    /// "panicked" or "RUST_BACKTRACE" on stderr.
    Panic,
    /// Still running at the timeout.
    Hang,
    /// Resident memory past the limit.
    Memory,
    /// Output past the limit.
    Flood,
    /// A `.part` file, a `.rawburn-*` work directory, or a failed build or
    /// read's new output.
    Leftover,
    /// The canary's secret on stdout or stderr.
    Reach,
    /// A burn that succeeded reads back other than `build` writes.
    Readback,
    /// A successful `build` or `read` wrote an image rawburn cannot read.
    Output,
    /// A burn that claims to be verified is not, or a verify burn that
    /// does not say it verified.
    Verify,
    /// The disc's state is not what the exit code and message say.
    DiscState,
    /// A failed or cancelled burn that still reports success, or a read
    /// that succeeds under faults with other bytes than without them.
    FalseSuccess,
}

impl Oracle {
    /// Its name in the figures.
    pub fn name(self) -> &'static str {
        match self {
            Oracle::ExitCode => "exit-code",
            Oracle::ExitUnfit => "exit-unfit",
            Oracle::Panic => "panic",
            Oracle::Hang => "hang",
            Oracle::Memory => "memory",
            Oracle::Flood => "flood",
            Oracle::Leftover => "leftover",
            Oracle::Reach => "reach",
            Oracle::Readback => "readback",
            Oracle::Output => "output",
            Oracle::Verify => "verify",
            Oracle::DiscState => "disc-state",
            Oracle::FalseSuccess => "false-success",
        }
    }
}

/// One broken promise.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Which oracle.
    pub oracle: Oracle,
    /// The command it was seen on (`burn`, `read .ccd`, …).
    pub command: String,
    /// What was seen, in one line.
    pub detail: String,
}

/// The exit codes of the README ("Exit codes").
pub const DOCUMENTED: &[i32] = &[0, 2, 3, 4, 5, 6, 7, 8, 9, 130];

/// The strings watched in every execution's output: the first two are
/// the marks of a panic; the canary's secret is added by the runner.
pub const PANIC_MARKS: [&str; 2] = ["panicked", "RUST_BACKTRACE"];

/// The codes a command can give, from the README's definitions: 6 needs a
/// drive; 7 a burn that began writing; 8 a burn's read-back (`--verify`);
/// 9 reading a disc (`read`, `media`, or a burn's `--verify`); 130 a
/// cancel. `toc`, `build` and `cdtext` touch no drive; `vdisc create`
/// only writes a file. `read` writes the disc it found as `build` would,
/// so a disc that breaks a layout rule (a track under 4 seconds on a
/// damaged virtual disc) is its 4, as it is `build`'s.
pub fn allowed(command: &str, verify: bool) -> &'static [i32] {
    let word = command.split(' ').next().unwrap_or("");
    match word {
        "toc" | "build" | "cdtext" => &[0, 2, 3, 4, 5],
        "vdisc" => &[0, 2, 3, 5],
        "media" => &[0, 2, 3, 5, 6, 9],
        "read" => &[0, 2, 3, 4, 5, 6, 9, 130],
        "burn" if verify => &[0, 2, 3, 4, 5, 6, 7, 8, 9, 130],
        "burn" => &[0, 2, 3, 4, 5, 6, 7, 130],
        _ => DOCUMENTED,
    }
}

/// The checks every execution gets. `watch` holds the marks of
/// [`PANIC_MARKS`] then the secret, in the order given to the runner.
pub fn every(
    o: &Outcome,
    command: &str,
    verify: bool,
    interrupted: bool,
    rss_limit_kib: u64,
) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut add = |oracle, detail: String| {
        found.push(Finding {
            oracle,
            command: command.to_string(),
            detail,
        })
    };
    match o.killed {
        Some(Killed::Timeout) => add(
            Oracle::Hang,
            format!("still running after {:.1} s", o.elapsed.as_secs_f64()),
        ),
        Some(Killed::Memory) => add(
            Oracle::Memory,
            format!("killed at {} MiB resident", o.max_rss_kib / 1024),
        ),
        Some(Killed::Flood) => add(Oracle::Flood, "killed for its output size".to_string()),
        None => {
            match (o.code, o.signal) {
                (Some(c), _) if !DOCUMENTED.contains(&c) => {
                    add(Oracle::ExitCode, format!("exit {c}"));
                }
                (Some(c), _) if !allowed(command, verify).contains(&c) => {
                    add(Oracle::ExitUnfit, format!("exit {c} from {command}"));
                }
                // A SIGINT the harness sent (as Ctrl-C) that ends the
                // process before it installs its handler is what a shell
                // reports as 130: documented, and nothing had started.
                (None, Some(2)) if interrupted => {}
                (None, Some(s)) => add(Oracle::ExitCode, format!("killed by signal {s}")),
                _ => {}
            }
            if o.max_rss_kib > rss_limit_kib {
                add(
                    Oracle::Memory,
                    format!("peak resident memory {} MiB", o.max_rss_kib / 1024),
                );
            }
        }
    }
    if o.seen.iter().take(2).any(|s| *s) {
        add(Oracle::Panic, panic_line(&o.err()));
    }
    if o.seen.get(2).copied().unwrap_or(false) {
        add(
            Oracle::Reach,
            "the canary's secret is in the output".to_string(),
        );
    }
    found
}

/// Where it panicked and why, without the thread's name: the line with
/// "panicked at" and the message on the next.
fn panic_line(stderr: &str) -> String {
    let mut lines = stderr.lines();
    let Some(at) = lines.find(|l| l.contains("panicked")) else {
        return "RUST_BACKTRACE note on stderr".to_string();
    };
    let place = at
        .split_once("panicked")
        .map_or(at, |(_, rest)| rest)
        .trim();
    let why: String = lines.next().unwrap_or("").chars().take(100).collect();
    format!("{place} {why}")
}

/// Every path under `dir`, relative, sorted (directories too).
pub fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if let Ok(rel) = p.strip_prefix(base) {
            out.push(rel.to_string_lossy().into_owned());
        }
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            walk(base, &p, out);
        }
    }
}

/// Names a failed or finished command must not leave: `*.part` files and
/// `.rawburn-*` work directories.
pub fn leftovers(now: &[String]) -> Vec<String> {
    now.iter()
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap_or(p);
            name.ends_with(".part") || name.starts_with(".rawburn")
        })
        .cloned()
        .collect()
}

/// Paths in `now` that were not in `before`.
pub fn new_paths(before: &[String], now: &[String]) -> Vec<String> {
    now.iter()
        .filter(|p| before.binary_search(p).is_err())
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn outcome(code: Option<i32>, signal: Option<i32>, seen: [bool; 3]) -> Outcome {
        Outcome {
            args: Vec::new(),
            code,
            signal,
            killed: None,
            max_rss_kib: 10_000,
            elapsed: Duration::from_millis(5),
            stdout: Vec::new(),
            stderr: b"\nthread 'main' (7) panicked at src/x.rs:3:9:\nboom\n".to_vec(),
            seen: seen.to_vec(),
        }
    }

    fn kinds(f: &[Finding]) -> Vec<&'static str> {
        f.iter().map(|f| f.oracle.name()).collect()
    }

    #[test]
    fn exit_codes_are_checked_against_the_readme_and_the_command() {
        let ok = outcome(Some(3), None, [false; 3]);
        assert!(every(&ok, "toc", false, false, 512 * 1024).is_empty());
        let panic = outcome(Some(101), None, [true, true, false]);
        let f = every(&panic, "toc", false, false, 512 * 1024);
        assert_eq!(kinds(&f), ["exit-code", "panic"]);
        assert_eq!(f[1].detail, "at src/x.rs:3:9: boom");
        let unfit = outcome(Some(8), None, [false; 3]);
        assert_eq!(
            kinds(&every(&unfit, "burn sao", false, false, 1 << 20)),
            ["exit-unfit"]
        );
        assert!(every(&unfit, "burn sao", true, false, 1 << 20).is_empty());
        let sigint = outcome(None, Some(2), [false; 3]);
        assert!(every(&sigint, "burn sao", false, true, 1 << 20).is_empty());
        assert_eq!(
            kinds(&every(&sigint, "burn sao", false, false, 1 << 20)),
            ["exit-code"]
        );
        let reach = outcome(Some(0), None, [false, false, true]);
        assert_eq!(
            kinds(&every(&reach, "toc", false, false, 1 << 20)),
            ["reach"]
        );
        assert_eq!(kinds(&every(&ok, "toc", false, false, 1000)), ["memory"]);
    }

    #[test]
    fn leftovers_are_part_files_and_work_directories() {
        let before = vec!["a.cue".to_string(), "b".to_string()];
        let now = vec![
            "a.cue".to_string(),
            "b".to_string(),
            "b/out.bin.part".to_string(),
            ".rawburn-read-x1".to_string(),
        ];
        assert_eq!(leftovers(&now), ["b/out.bin.part", ".rawburn-read-x1"]);
        assert_eq!(
            new_paths(&before, &now),
            ["b/out.bin.part", ".rawburn-read-x1"]
        );
    }
}
