//! Running `rawburn` once: a child in its own process group, its output in
//! files, watched until it ends or breaks a limit (time, memory, output),
//! and its peak memory taken from the kernel's accounting when it is
//! reaped.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where the child's standard output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StdoutMode {
    /// A file the harness reads afterwards.
    File,
    /// A pipe whose reading end is already closed: writes fail with EPIPE.
    ClosedPipe,
    /// `/dev/full`: writes fail with ENOSPC.
    DevFull,
}

/// Limits one execution must keep.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wall-clock time before the child is killed as hung.
    pub timeout: Duration,
    /// Resident memory (KiB) past which the child is killed.
    pub rss_kib: u64,
    /// Bytes on stdout plus stderr past which the child is killed.
    pub output_bytes: u64,
}

/// Why the harness killed a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Killed {
    /// It ran past its timeout.
    Timeout,
    /// Its resident memory passed the limit.
    Memory,
    /// It wrote more output than the limit.
    Flood,
}

/// What one execution did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The arguments (after the program).
    pub args: Vec<String>,
    /// Exit code, when it exited.
    pub code: Option<i32>,
    /// Signal that ended it, when one did.
    pub signal: Option<i32>,
    /// Set when the harness killed it.
    pub killed: Option<Killed>,
    /// Peak resident memory, KiB (the kernel's ru_maxrss, or the largest
    /// VmRSS the harness saw when that is larger).
    pub max_rss_kib: u64,
    /// Wall-clock time.
    pub elapsed: Duration,
    /// The start of stdout (at most [`KEEP`] bytes).
    pub stdout: Vec<u8>,
    /// The start of stderr (at most [`KEEP`] bytes).
    pub stderr: Vec<u8>,
    /// Which of the watched strings appeared anywhere in stdout or stderr.
    pub seen: Vec<bool>,
}

impl Outcome {
    /// Stdout as text (lossy).
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Stderr as text (lossy).
    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// How it ended, in a few words: `exit 3`, `signal 6`, `timeout`.
    pub fn ending(&self) -> String {
        match (self.killed, self.code, self.signal) {
            (Some(Killed::Timeout), _, _) => "timeout".to_string(),
            (Some(Killed::Memory), _, _) => "memory".to_string(),
            (Some(Killed::Flood), _, _) => "flood".to_string(),
            (None, Some(c), _) => format!("exit {c}"),
            (None, None, Some(s)) => format!("signal {s}"),
            (None, None, None) => "unknown".to_string(),
        }
    }
}

/// How much of stdout and stderr is kept in memory.
pub const KEEP: usize = 1 << 20;

/// One execution's files and settings.
pub struct Run<'a> {
    /// The `rawburn` binary.
    pub program: &'a Path,
    /// Working directory of the child.
    pub dir: &'a Path,
    /// Its arguments.
    pub args: &'a [String],
    /// Directory for its stdout and stderr files (not `dir`, so they are
    /// never taken for its leftovers).
    pub io_dir: &'a Path,
    /// Where stdout goes.
    pub stdout: StdoutMode,
    /// Send SIGINT this long after the start (as Ctrl-C would).
    pub interrupt: Option<Duration>,
    /// The limits.
    pub limits: Limits,
    /// Strings to look for in the whole of stdout and stderr.
    pub watch: &'a [&'a str],
}

/// Runs the child to its end (or kills it) and gathers what it did.
///
/// ## Errors
///
/// The I/O error when the child cannot be started or waited for.
pub fn run(r: &Run<'_>) -> io::Result<Outcome> {
    let out_path = r.io_dir.join("stdout");
    let err_path = r.io_dir.join("stderr");
    let stderr = File::create(&err_path)?;
    let stdout = match r.stdout {
        StdoutMode::File => Stdio::from(File::create(&out_path)?),
        StdoutMode::ClosedPipe => {
            let (reader, writer) = io::pipe()?;
            drop(reader);
            File::create(&out_path)?;
            Stdio::from(writer)
        }
        StdoutMode::DevFull => {
            File::create(&out_path)?;
            Stdio::from(File::options().write(true).open("/dev/full")?)
        }
    };
    let start = Instant::now();
    let mut child = Command::new(r.program)
        .args(r.args)
        .current_dir(r.dir)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::from(stderr))
        .process_group(0)
        .spawn()?;
    let pid = child.id() as i32;
    let mut killed = None;
    let mut interrupted = false;
    let mut seen_rss = 0;
    let mut pause = Duration::from_micros(500);
    let (status, rusage_kib) = loop {
        if let Some(done) = reap(pid, false)? {
            break done;
        }
        let elapsed = start.elapsed();
        if let Some(t) = r.interrupt
            && !interrupted
            && elapsed >= t
        {
            interrupted = true;
            // Ctrl-C reaches the whole foreground group; the child leads
            // its own.
            let _ = Command::new("kill")
                .args(["-INT", &pid.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let rss = vm_rss_kib(pid);
        seen_rss = seen_rss.max(rss);
        let written = file_len(&out_path) + file_len(&err_path);
        let why = if elapsed > r.limits.timeout {
            Some(Killed::Timeout)
        } else if rss > r.limits.rss_kib {
            Some(Killed::Memory)
        } else if written > r.limits.output_bytes {
            Some(Killed::Flood)
        } else {
            None
        };
        if let Some(why) = why {
            killed = Some(why);
            let _ = child.kill();
            match reap(pid, true)? {
                Some(done) => break done,
                None => continue,
            }
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(10));
    };
    let elapsed = start.elapsed();
    let exit = std::process::ExitStatus::from_raw(status);
    let (stdout, seen_out) = gather(&out_path, r.watch)?;
    let (stderr, seen_err) = gather(&err_path, r.watch)?;
    Ok(Outcome {
        args: r.args.to_vec(),
        code: exit.code(),
        signal: exit.signal(),
        killed,
        max_rss_kib: rusage_kib.max(seen_rss),
        elapsed,
        stdout,
        stderr,
        seen: seen_out
            .iter()
            .zip(&seen_err)
            .map(|(a, b)| *a || *b)
            .collect(),
    })
}

/// Reaps `pid` (blocking when `block`): its raw wait status and peak
/// resident memory in KiB, or `None` while it still runs.
///
/// `wait4` is the one call that gives a child's peak memory (`ru_maxrss`)
/// together with its status; the standard library does not expose it.
/// The child must not have been reaped before (the harness reaps each
/// child only here, never through `Child::wait`).
#[allow(unsafe_code)]
fn reap(pid: i32, block: bool) -> io::Result<Option<(i32, u64)>> {
    let flags = if block { 0 } else { libc::WNOHANG };
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: `rusage` is a plain C struct for which all-zero bytes
        // are a valid value; both pointers point to live locals for the
        // duration of the call, and wait4 writes nothing else.
        let (r, usage) = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            let r = libc::wait4(pid, &mut status, flags, &mut usage);
            (r, usage)
        };
        if r == pid {
            // On Linux ru_maxrss is in kilobytes.
            return Ok(Some((status, usage.ru_maxrss.max(0) as u64)));
        }
        if r == 0 {
            return Ok(None);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// The resident memory of a running process, KiB (0 once it is gone).
fn vm_rss_kib(pid: i32) -> u64 {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return 0;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map_or(0, |m| m.len())
}

/// The first [`KEEP`] bytes of a file, and which of `watch` occur anywhere
/// in it (read in chunks, so a large output costs no memory).
fn gather(path: &PathBuf, watch: &[&str]) -> io::Result<(Vec<u8>, Vec<bool>)> {
    let mut f = File::open(path)?;
    let mut head = Vec::new();
    (&mut f).take(KEEP as u64).read_to_end(&mut head)?;
    let mut seen: Vec<bool> = watch
        .iter()
        .map(|w| contains(&head, w.as_bytes()))
        .collect();
    if head.len() == KEEP {
        let overlap = watch.iter().map(|w| w.len()).max().unwrap_or(0);
        let mut pos = KEEP.saturating_sub(overlap) as u64;
        let mut chunk = vec![0; KEEP];
        loop {
            f.seek(SeekFrom::Start(pos))?;
            let n = f.read(&mut chunk)?;
            if n <= overlap {
                break;
            }
            for (s, w) in seen.iter_mut().zip(watch) {
                *s |= contains(&chunk[..n], w.as_bytes());
            }
            pos += (n - overlap) as u64;
        }
    }
    Ok((head, seen))
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}
