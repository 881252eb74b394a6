//! rawburn's fuzz harness: runs the real `rawburn` command on mutated
//! inputs (cue sheets, toc files, CloneCD images, projects, WAV and FLAC,
//! CD-TEXT files and input sheets, virtual discs, fault plans) and checks
//! what the README promises: documented exit codes, no panic, no hang,
//! bounded memory, no leftovers, nothing quoted from files that are not
//! sheets, burns that read back as built, disc states that match the
//! message.
//!
//! ```text
//! cargo run -p rawburn-tests --bin fuzz -- --seconds 60 [--seed N] [--rawburn PATH] [--keep DIR]
//! cargo run -p rawburn-tests --bin fuzz -- --replay DIR
//! ```
//!
//! Cases are a function of the seed and their index; two workers take the
//! even and odd indexes. Each failing case is saved (once per distinct
//! failure) as a directory that `--replay` runs again. The exit status is
//! 1 when any oracle failed, 2 when the harness could not run.
//!
//! The modules live in `fuzz/` beside this file.

// A binary: `pub` marks what a module offers the others, nothing more.
#![allow(unreachable_pub)]

#[path = "fuzz/case.rs"]
mod case;
#[path = "fuzz/exec.rs"]
mod exec;
#[path = "fuzz/mutate.rs"]
mod mutate;
#[path = "fuzz/oracle.rs"]
mod oracle;
#[path = "fuzz/repro.rs"]
mod repro;
#[path = "fuzz/rng.rs"]
mod rng;
#[path = "fuzz/run.rs"]
mod run;
#[path = "fuzz/seeds.rs"]
mod seeds;
#[path = "fuzz/stats.rs"]
mod stats;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: fuzz [--seconds N] [--seed N] [--rawburn PATH] [--keep DIR] \
[--timeout SECONDS] [--rss-mib N] [--workers N] [--max-saved N] [--workdir DIR] | --replay DIR";

/// The command line.
struct Args {
    seconds: u64,
    seed: u64,
    rawburn: PathBuf,
    keep: PathBuf,
    replay: Option<PathBuf>,
    timeout: u64,
    rss_mib: u64,
    workers: u64,
    max_saved: usize,
    workdir: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut a = Args {
        seconds: 60,
        seed: 1,
        rawburn: std::env::var_os("RAWBURN")
            .map_or_else(|| workspace.join("target/debug/rawburn"), PathBuf::from),
        keep: PathBuf::new(),
        replay: None,
        timeout: 10,
        rss_mib: 512,
        workers: 2,
        max_saved: 200,
        workdir: std::env::temp_dir(),
    };
    let mut keep = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.to_string());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let num = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag}: {value:?} is not a number"))
        };
        match flag.as_str() {
            "--seconds" => a.seconds = num()?,
            "--seed" => a.seed = num()?,
            "--rawburn" => a.rawburn = PathBuf::from(&value),
            "--keep" => keep = Some(PathBuf::from(&value)),
            "--replay" => a.replay = Some(PathBuf::from(&value)),
            "--timeout" => a.timeout = num()?.max(1),
            "--rss-mib" => a.rss_mib = num()?,
            "--workers" => a.workers = num()?.max(1),
            "--max-saved" => a.max_saved = num()? as usize,
            "--workdir" => a.workdir = PathBuf::from(&value),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    a.keep =
        keep.unwrap_or_else(|| workspace.join(format!("target/fuzz-findings/seed-{}", a.seed)));
    a.rawburn = std::path::absolute(&a.rawburn).unwrap_or(a.rawburn);
    a.keep = std::path::absolute(&a.keep).unwrap_or(a.keep);
    Ok(a)
}

/// A new run root: `rawburn-fuzz-` and 8 random characters, so every root
/// under the same directory has the same length (a replay rewrites the old
/// root into the new one inside binary files too).
///
/// ## Errors
///
/// The I/O error of creating it.
pub fn new_root(base: &Path) -> std::io::Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("rawburn-fuzz-")
        .rand_bytes(8)
        .tempdir_in(base)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if !args.rawburn.is_file() {
        eprintln!(
            "fuzz: no rawburn binary at {} (build it: cargo build -j2 -p rawburn, or pass --rawburn PATH)",
            args.rawburn.display()
        );
        return ExitCode::from(2);
    }
    let limits = exec::Limits {
        timeout: Duration::from_secs(args.timeout),
        rss_kib: args.rss_mib * 1024,
        output_bytes: 64 << 20,
    };
    if let Some(dir) = &args.replay {
        return match repro::replay(dir, &args.rawburn, limits, &args.workdir) {
            Ok(true) => ExitCode::from(1),
            Ok(false) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("fuzz: {e}");
                ExitCode::from(2)
            }
        };
    }
    match campaign(&args, limits) {
        Ok(failed) => {
            if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("fuzz: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs cases on the workers until the time is up; prints the figures.
/// Returns whether any oracle failed.
fn campaign(args: &Args, limits: exec::Limits) -> Result<bool, String> {
    let root = new_root(&args.workdir).map_err(|e| format!("temporary directory: {e}"))?;
    let rootp = root.path().to_path_buf();
    eprintln!(
        "fuzz: seed {}, {} s, {} workers, rawburn {}, work in {}",
        args.seed,
        args.seconds,
        args.workers,
        args.rawburn.display(),
        rootp.display()
    );
    let seeds = seeds::Seeds::make(&rootp.join("seeds"), &args.rawburn)?;
    let secret = format!(
        "rbcanary{:016x}",
        rng::Rng::for_case(args.seed, u64::MAX).next_u64()
    );
    std::fs::write(rootp.join(case::CANARY), case::canary(&secret))
        .map_err(|e| format!("canary: {e}"))?;
    std::fs::create_dir_all(&args.keep).map_err(|e| format!("{}: {e}", args.keep.display()))?;
    clear_reproducers(&args.keep);
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let stats = Mutex::new(stats::Stats::default());
    let saved = Mutex::new(0usize);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(args.seconds);
    let memory_start = self_memory_kib();
    std::thread::scope(|scope| {
        for w in 0..args.workers {
            let (stop, stats, saved, seeds, rootp, secret) =
                (&stop, &stats, &saved, &seeds, &rootp, &secret);
            scope.spawn(move || {
                let worker = Worker {
                    args,
                    id: w,
                    root: rootp,
                    secret,
                    seeds,
                    limits,
                };
                worker.work(deadline, stop, stats, saved);
            });
        }
        let mut next_report = start + Duration::from_secs(30);
        while Instant::now() < deadline && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(200));
            if Instant::now() >= next_report {
                next_report += Duration::from_secs(30);
                if let Ok(s) = stats.lock() {
                    eprintln!(
                        "fuzz: {:.0} s, {} cases, {} failing, {} distinct failures, harness memory {} MiB",
                        start.elapsed().as_secs_f64(),
                        s.cases,
                        s.failing_cases,
                        s.distinct.len(),
                        self_memory_kib().0 / 1024
                    );
                }
            }
        }
    });
    let elapsed = start.elapsed().as_secs_f64();
    let s = stats
        .into_inner()
        .map_err(|_| "a worker panicked".to_string())?;
    print!("{}", s.summary(&args.keep, elapsed));
    let memory_end = self_memory_kib();
    println!(
        "harness memory: {} MiB resident after the seeds, {} MiB at the end, peak {} MiB",
        memory_start.0 / 1024,
        memory_end.0 / 1024,
        memory_end.1 / 1024
    );
    let failed = !s.distinct.is_empty() || s.undistinguished > 0;
    println!(
        "seed {}: {}",
        args.seed,
        if failed {
            "oracles failed"
        } else {
            "no oracle failed"
        }
    );
    drop(root);
    Ok(failed)
}

/// One worker: cases `id`, `id + workers`, … until the deadline.
struct Worker<'a> {
    args: &'a Args,
    id: u64,
    root: &'a Path,
    secret: &'a str,
    seeds: &'a seeds::Seeds,
    limits: exec::Limits,
}

impl Worker<'_> {
    fn work(
        &self,
        deadline: Instant,
        stop: &AtomicBool,
        stats: &Mutex<stats::Stats>,
        saved: &Mutex<usize>,
    ) {
        let home = self.root.join(format!("w{}", self.id));
        let io_dir = home.join("io");
        if let Err(e) = std::fs::create_dir_all(&io_dir) {
            if let Ok(mut s) = stats.lock() {
                s.harness_errors.push(format!("worker {}: {e}", self.id));
            }
            return;
        }
        let runner = run::Runner {
            program: self.args.rawburn.clone(),
            io_dir,
            limits: self.limits,
            secret: self.secret.to_string(),
        };
        let ctx = case::Context {
            seeds: self.seeds,
            root: self.root,
        };
        let mut index = self.id;
        while Instant::now() < deadline && !stop.load(Ordering::SeqCst) {
            let dir = home.join(format!("c{index}"));
            let outcome = std::fs::create_dir_all(&dir)
                .and_then(|()| case::generate(&ctx, self.args.seed, index, &dir))
                .and_then(|plan| runner.run(&dir, &plan).map(|r| (plan, r)));
            // Ctrl-C reaches the children too: that case says nothing.
            if stop.load(Ordering::SeqCst) {
                let _ = std::fs::remove_dir_all(&dir);
                break;
            }
            match outcome {
                Ok((plan, report)) => self.record(&plan, &report, &dir, stats, saved),
                Err(e) => {
                    if let Ok(mut s) = stats.lock()
                        && s.harness_errors.len() < 100
                    {
                        s.harness_errors.push(format!("case {index}: {e}"));
                    }
                }
            }
            let _ = std::fs::remove_dir_all(&dir);
            index += self.args.workers;
        }
    }

    /// Adds a case to the figures and saves the reproducers of failures
    /// not seen before.
    fn record(
        &self,
        plan: &case::Plan,
        report: &run::Report,
        dir: &Path,
        stats: &Mutex<stats::Stats>,
        saved: &Mutex<usize>,
    ) {
        let new = match stats.lock() {
            Ok(mut s) => s.add(plan.kind, report),
            Err(_) => return,
        };
        let Some(sig) = new.first() else {
            return;
        };
        let n = match saved.lock() {
            Ok(mut n) if *n < self.args.max_saved => {
                *n += 1;
                *n
            }
            _ => return,
        };
        let first = &report.findings[0];
        let slug: String = format!(
            "{}-{}-{}",
            first.oracle.name(),
            first.command,
            plan.kind.name()
        )
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
        let name = format!("{n:04}-{slug}-case{}", plan.index);
        match repro::save(
            &self.args.keep,
            &name,
            plan,
            dir,
            self.root,
            self.secret,
            report,
        ) {
            Ok(path) => {
                if let Ok(mut s) = stats.lock() {
                    for sig in &new {
                        if let Some(d) = s.distinct.get_mut(sig) {
                            d.repro = Some(path.clone());
                        }
                    }
                }
                let _ = sig;
            }
            Err(e) => {
                if let Ok(mut s) = stats.lock() {
                    s.harness_errors.push(format!("saving {name}: {e}"));
                }
            }
        }
    }
}

/// Removes the reproducers an earlier run left in `keep` (directories
/// holding a `case.json`), so the directory holds this run's only.
fn clear_reproducers(keep: &Path) {
    let Ok(entries) = std::fs::read_dir(keep) else {
        return;
    };
    for e in entries.flatten() {
        if e.path().join("case.json").is_file() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// The harness's own resident and peak memory, KiB.
fn self_memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
