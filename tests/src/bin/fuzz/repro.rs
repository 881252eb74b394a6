//! Reproducers: a failing case saved as a directory (its input files as
//! they were before the command, the plan with the exact command line,
//! each execution's output), and its replay.

use crate::case::{self, Plan};
use crate::exec::{Limits, StdoutMode};
use crate::oracle::Finding;
use crate::run::{Report, Runner};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// `case.json` of a reproducer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    /// The case.
    pub plan: Plan,
    /// The run's root when it was found (absolute paths in the inputs
    /// start with it).
    pub root: String,
    /// The case's directory under the root.
    pub case_dir: String,
    /// The canary's secret.
    pub secret: String,
    /// What broke.
    pub findings: Vec<Finding>,
    /// How to run it again.
    pub replay: String,
}

/// Saves a failing case as `keep/<name>`.
///
/// ## Errors
///
/// I/O errors while copying.
pub fn save(
    keep: &Path,
    name: &str,
    plan: &Plan,
    case_dir: &Path,
    root: &Path,
    secret: &str,
    report: &Report,
) -> io::Result<PathBuf> {
    let out = keep.join(name);
    let _ = std::fs::remove_dir_all(&out);
    let input = out.join("input");
    std::fs::create_dir_all(&input)?;
    for rel in &report.before {
        let from = case_dir.join(rel);
        let to = input.join(rel);
        let meta = std::fs::symlink_metadata(&from);
        let pre = report.pre.iter().find(|(n, _)| n == rel).map(|(_, p)| p);
        match (meta, pre) {
            (_, Some(p)) => sparse_copy(p, &to)?,
            (Ok(m), None) if m.is_dir() => std::fs::create_dir_all(&to)?,
            (Ok(m), None) if m.is_file() => sparse_copy(&from, &to)?,
            _ => {}
        }
    }
    let steps = out.join("steps");
    std::fs::create_dir_all(&steps)?;
    let mut lines = Vec::new();
    for (i, s) in report.steps.iter().enumerate() {
        let n = i + 1;
        let cmd = command_line(&s.outcome.args);
        std::fs::write(steps.join(format!("{n:02}.stdout")), &s.outcome.stdout)?;
        std::fs::write(steps.join(format!("{n:02}.stderr")), &s.outcome.stderr)?;
        lines.push(format!(
            "{n:02} {cmd}\n   -> {}, {:.2} s, peak {} MiB",
            s.outcome.ending(),
            s.outcome.elapsed.as_secs_f64(),
            s.outcome.max_rss_kib / 1024
        ));
    }
    std::fs::write(steps.join("commands.txt"), lines.join("\n") + "\n")?;
    let case_rel = case_dir
        .strip_prefix(root)
        .unwrap_or(case_dir)
        .to_string_lossy()
        .into_owned();
    let replay = format!(
        "cargo run -p rawburn-tests --bin fuzz -- --replay {}",
        out.display()
    );
    let saved = Saved {
        plan: plan.clone(),
        root: root.to_string_lossy().into_owned(),
        case_dir: case_rel.clone(),
        secret: secret.to_string(),
        findings: report.findings.clone(),
        replay: replay.clone(),
    };
    let json = serde_json::to_string_pretty(&saved).map_err(io::Error::other)?;
    std::fs::write(out.join("case.json"), json + "\n")?;
    let mut text = format!(
        "cd {root}/{case_rel} && rawburn {}\n",
        command_line(&plan.args),
        root = root.display()
    );
    text += &conditions(plan);
    text += "\nfound:\n";
    for f in &report.findings {
        text += &format!("  {} [{}]: {}\n", f.oracle.name(), f.command, f.detail);
    }
    text += &format!(
        "\nmutations:\n{}\n\nreplay: {replay}\n",
        plan.mutations
            .iter()
            .map(|m| format!("  {m}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    std::fs::write(out.join("command.txt"), text)?;
    Ok(out)
}

/// Runs a saved case again; prints each execution and what broke.
/// Returns whether anything broke.
///
/// ## Errors
///
/// A message when the reproducer cannot be read or set up.
pub fn replay(dir: &Path, program: &Path, limits: Limits, base: &Path) -> Result<bool, String> {
    let text = std::fs::read_to_string(dir.join("case.json"))
        .map_err(|e| format!("{}: {e}", dir.join("case.json").display()))?;
    let saved: Saved = serde_json::from_str(&text)
        .map_err(|e| format!("{}: {e}", dir.join("case.json").display()))?;
    let root = crate::new_root(base).map_err(|e| format!("temporary directory: {e}"))?;
    let new_root = root.path().to_string_lossy().into_owned();
    let case_dir = root.path().join(&saved.case_dir);
    let io_err = |e: io::Error| format!("setting up the replay: {e}");
    std::fs::create_dir_all(&case_dir).map_err(io_err)?;
    std::fs::write(root.path().join(case::CANARY), case::canary(&saved.secret)).map_err(io_err)?;
    copy_tree(&dir.join("input"), &case_dir, &saved.root, &new_root).map_err(io_err)?;
    for f in &saved.plan.fifos {
        let _ = std::process::Command::new("mkfifo")
            .arg(case_dir.join(f))
            .status();
    }
    let mut plan = saved.plan.clone();
    plan.args = plan
        .args
        .iter()
        .map(|a| a.replace(&saved.root, &new_root))
        .collect();
    let io_dir = root.path().join("io");
    std::fs::create_dir_all(&io_dir).map_err(io_err)?;
    let runner = Runner {
        program: program.to_path_buf(),
        io_dir,
        limits,
        secret: saved.secret.clone(),
    };
    println!(
        "replaying {} ({} case {} of seed {})",
        dir.display(),
        plan.kind.name(),
        plan.index,
        plan.seed
    );
    let report = runner.run(&case_dir, &plan).map_err(io_err)?;
    for s in &report.steps {
        println!(
            "  rawburn {}\n    -> {}, {:.2} s, peak {} MiB",
            command_line(&s.outcome.args),
            s.outcome.ending(),
            s.outcome.elapsed.as_secs_f64(),
            s.outcome.max_rss_kib / 1024
        );
        for l in s.outcome.err().lines().take(6) {
            println!("       {l}");
        }
    }
    if report.findings.is_empty() {
        println!("no oracle fails now");
    }
    for f in &report.findings {
        println!("FAIL {} [{}]: {}", f.oracle.name(), f.command, f.detail);
    }
    Ok(!report.findings.is_empty())
}

/// Copies a directory tree, rewriting `old` into `new` in files that
/// mention it (paths to the run's root), and keeping holes of sparse
/// files.
fn copy_tree(from: &Path, to: &Path, old: &str, new: &str) -> io::Result<()> {
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type()?.is_dir() {
            std::fs::create_dir_all(&dst)?;
            copy_tree(&src, &dst, old, new)?;
        } else if e.metadata()?.len() <= 1 << 20 {
            let bytes = std::fs::read(&src)?;
            let text = String::from_utf8_lossy(&bytes);
            if text.contains(old) && std::str::from_utf8(&bytes).is_ok() {
                std::fs::write(&dst, text.replace(old, new))?;
            } else {
                std::fs::write(&dst, &bytes)?;
            }
        } else {
            sparse_copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// Copies a file, leaving holes where whole 4 KiB blocks are zero (a
/// virtual disc is mostly holes).
///
/// ## Errors
///
/// I/O errors of either file.
pub fn sparse_copy(from: &Path, to: &Path) -> io::Result<()> {
    const BLOCK: usize = 4096;
    let mut src = File::open(from)?;
    let len = src.metadata()?.len();
    let mut dst = File::create(to)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut pos = 0u64;
    loop {
        let n = read_full(&mut src, &mut buf)?;
        if n == 0 {
            break;
        }
        for (i, block) in buf[..n].chunks(BLOCK).enumerate() {
            if block.iter().any(|&b| b != 0) {
                dst.seek(SeekFrom::Start(pos + (i * BLOCK) as u64))?;
                dst.write_all(block)?;
            }
        }
        pos += n as u64;
    }
    dst.set_len(len)?;
    Ok(())
}

fn read_full(f: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// How the command ran beyond its arguments: where stdout went, when
/// SIGINT came.
fn conditions(plan: &Plan) -> String {
    let mut out = String::new();
    match plan.stdout {
        StdoutMode::File => {}
        StdoutMode::ClosedPipe => out += "stdout: a pipe whose reader has closed (EPIPE)\n",
        StdoutMode::DevFull => out += "stdout: /dev/full (ENOSPC)\n",
    }
    if let Some(ms) = plan.interrupt_ms {
        out += &format!("SIGINT {ms} ms after the start\n");
    }
    out
}

/// Arguments quoted for a POSIX shell.
pub fn command_line(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_are_quoted_for_the_shell() {
        let args = ["toc", "a b.cue", "it's", "", "--json"].map(String::from);
        assert_eq!(command_line(&args), "toc 'a b.cue' 'it'\\''s' '' --json");
    }

    #[test]
    fn sparse_copies_keep_content_and_length() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let mut data = vec![0u8; 3 << 20];
        data[5] = 1;
        data[(2 << 20) + 7] = 9;
        data.truncate((3 << 20) - 100);
        std::fs::write(&a, &data).unwrap_or_else(|e| panic!("{e}"));
        sparse_copy(&a, &b).unwrap_or_else(|e| panic!("{e}"));
        assert!(std::fs::read(&b).unwrap_or_default() == data);
    }
}
