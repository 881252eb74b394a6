//! Running a case: the command, then the checks that follow it (the
//! disc's state after a burn, the read-back of a successful one).

use crate::case::{BurnCheck, Check, Plan};
use crate::exec::{self, Limits, Outcome, StdoutMode};
use crate::oracle::{self, Finding, Oracle};
use serde_json::Value;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How a worker runs cases.
pub struct Runner {
    /// The `rawburn` binary.
    pub program: PathBuf,
    /// The worker's own directory for stdout/stderr files and pre-state
    /// copies (outside the case's directory).
    pub io_dir: PathBuf,
    /// Limits of each execution.
    pub limits: Limits,
    /// The canary's secret.
    pub secret: String,
}

/// One execution of a case.
#[derive(Debug, Clone)]
pub struct Step {
    /// Its command, for the figures.
    pub label: String,
    /// What it did.
    pub outcome: Outcome,
}

/// What a case did.
#[derive(Debug, Default)]
pub struct Report {
    /// Every execution, the case's command first among them (after the
    /// look at the disc some burns take first).
    pub steps: Vec<Step>,
    /// The broken promises.
    pub findings: Vec<Finding>,
    /// The case's files before its command.
    pub before: Vec<String>,
    /// Copies of the files its command changes (the disc of a burn), as
    /// they were before it: (name in the case, copy).
    pub pre: Vec<(String, PathBuf)>,
}

impl Runner {
    /// Runs `plan` in `dir`, whose files are ready.
    ///
    /// ## Errors
    ///
    /// I/O errors of the harness (a child that cannot be started).
    pub fn run(&self, dir: &Path, plan: &Plan) -> io::Result<Report> {
        let mut r = Report {
            before: oracle::listing(dir),
            ..Report::default()
        };
        let pre_dir = self.io_dir.join("pre");
        let _ = std::fs::remove_dir_all(&pre_dir);
        std::fs::create_dir_all(&pre_dir)?;
        let mut before_status = None;
        let (burn, verify) = match &plan.check {
            Check::Burn(b) => {
                let copy = pre_dir.join(&b.vdisc);
                crate::repro::sparse_copy(&dir.join(&b.vdisc), &copy)?;
                r.pre.push((b.vdisc.clone(), copy));
                before_status = if b.blank_before {
                    Some("blank".to_string())
                } else {
                    self.status(dir, &b.vdisc, &mut r)?
                };
                (Some(b), b.verify)
            }
            _ => (None, false),
        };
        let main = self.exec(
            dir,
            &plan.label,
            &plan.args,
            plan.stdout,
            plan.interrupt_ms.map(Duration::from_millis),
            verify,
            &mut r,
        )?;
        if main.killed.is_some() {
            return Ok(r);
        }
        let now = oracle::listing(dir);
        for l in oracle::leftovers(&now) {
            r.find(Oracle::Leftover, &plan.label, format!("left {l}"));
        }
        if matches!(plan.check, Check::Outputs | Check::Read(_)) && main.code != Some(0) {
            for p in oracle::new_paths(&r.before, &now) {
                r.find(
                    Oracle::Leftover,
                    &plan.label,
                    format!("{} but left {p}", main.ending()),
                );
            }
        }
        if main.code == Some(0)
            && let Some(out) = image_output(plan)
        {
            self.output_usable(dir, plan, &out, &mut r)?;
        }
        if let Check::Read(rc) = &plan.check
            && rc.faults
            && main.code == Some(0)
        {
            self.read_again(dir, plan, rc, &mut r)?;
        }
        if let Some(b) = burn {
            self.burn_checks(dir, plan, b, &main, before_status, &mut r)?;
            let after = oracle::listing(dir);
            for l in oracle::leftovers(&after) {
                if !oracle::leftovers(&now).contains(&l) {
                    r.find(Oracle::Leftover, "read .ccd", format!("left {l}"));
                }
            }
        }
        Ok(r)
    }

    /// Runs one execution with every execution's oracles.
    #[allow(clippy::too_many_arguments)]
    fn exec(
        &self,
        dir: &Path,
        label: &str,
        args: &[String],
        stdout: StdoutMode,
        interrupt: Option<Duration>,
        verify: bool,
        r: &mut Report,
    ) -> io::Result<Outcome> {
        let watch = [
            oracle::PANIC_MARKS[0],
            oracle::PANIC_MARKS[1],
            self.secret.as_str(),
        ];
        let outcome = exec::run(&exec::Run {
            program: &self.program,
            dir,
            args,
            io_dir: &self.io_dir,
            stdout,
            interrupt,
            limits: self.limits,
            watch: &watch,
        })?;
        r.findings.extend(oracle::every(
            &outcome,
            label,
            verify,
            interrupt.is_some(),
            self.limits.rss_kib,
        ));
        r.steps.push(Step {
            label: label.to_string(),
            outcome: outcome.clone(),
        });
        Ok(outcome)
    }

    /// `rawburn media --json`'s status of the disc, when it answers.
    fn status(&self, dir: &Path, vdisc: &str, r: &mut Report) -> io::Result<Option<String>> {
        let args: Vec<String> = ["media", "--virtual", vdisc, "--json"]
            .map(String::from)
            .to_vec();
        let o = self.exec(dir, "media --json", &args, StdoutMode::File, None, false, r)?;
        if o.code != Some(0) {
            return Ok(None);
        }
        Ok(serde_json::from_slice::<Value>(&o.stdout)
            .ok()
            .and_then(|v| v["status"].as_str().map(str::to_string)))
    }

    /// After a burn: the disc's state against the exit code and message,
    /// the read-back of a success, the absence of success claims in a
    /// failure.
    fn burn_checks(
        &self,
        dir: &Path,
        plan: &Plan,
        b: &BurnCheck,
        main: &Outcome,
        before: Option<String>,
        r: &mut Report,
    ) -> io::Result<()> {
        let cmd = plan.label.as_str();
        let code = main.code.unwrap_or(-1);
        let err = main.err();
        let events = json_events(main, plan.stdout == StdoutMode::File && b.json);
        let done = events
            .iter()
            .find(|e| e["action"] == "done")
            .map(|e| e["message"].as_str().unwrap_or("").to_string());
        if code != 0 {
            // Failed or cancelled: nothing may claim success.
            let claims: Vec<&str> = ["burned:", "burned and verified", "simulated:"]
                .into_iter()
                .filter(|c| err.contains(c))
                .collect();
            if !claims.is_empty() {
                r.find(
                    Oracle::FalseSuccess,
                    cmd,
                    format!("exit {code} but stderr says {claims:?}"),
                );
            }
            if let Some(m) = &done {
                r.find(
                    Oracle::FalseSuccess,
                    cmd,
                    format!("exit {code} but a done event says {m:?}"),
                );
            }
        } else if b.json && plan.stdout == StdoutMode::File {
            if done.is_none() {
                r.find(
                    Oracle::FalseSuccess,
                    cmd,
                    "exit 0 without a done event".to_string(),
                );
            }
            if events.iter().any(|e| e["action"] == "failed") {
                r.find(
                    Oracle::FalseSuccess,
                    cmd,
                    "exit 0 after a failed event".to_string(),
                );
            }
        }
        let after = self.status(dir, &b.vdisc, r)?;
        let (Some(before), Some(after)) = (before, after) else {
            return Ok(());
        };
        if code == 0 && !b.simulate {
            if after == "blank" {
                r.find(
                    Oracle::DiscState,
                    cmd,
                    "exit 0 but the disc is blank".to_string(),
                );
            }
            self.readback(dir, b, r)?;
            if b.verify {
                let said = if b.json && plan.stdout == StdoutMode::File {
                    done.as_deref() == Some("burned and verified")
                } else {
                    b.quiet || b.json || err.contains("burned and verified")
                };
                if !said {
                    r.find(
                        Oracle::Verify,
                        cmd,
                        "a --verify burn succeeded without saying it verified".to_string(),
                    );
                }
            }
        }
        if let Some(why) = state_mismatch(code, b.simulate, &before, &after, &err) {
            r.find(Oracle::DiscState, cmd, why);
        }
        Ok(())
    }

    /// README: "any image rawburn writes is input too": `toc` reads what a
    /// successful `build` or `read` wrote (.cue, .toc, .ccd, .json); the
    /// project a `read` wrote must also build, since its sources are
    /// rawburn's own (`toc` does not open a project's sources; a `build`'s
    /// project names the input's sources, as good as they were).
    fn output_usable(&self, dir: &Path, plan: &Plan, out: &str, r: &mut Report) -> io::Result<()> {
        let read = plan.args.first().is_some_and(|c| c == "read");
        let (label, args): (&str, Vec<String>) = if read && out.ends_with(".json") {
            std::fs::create_dir_all(dir.join("chk"))?;
            (
                "build .ccd",
                ["build", out, "-o", "chk/again.ccd", "-q"]
                    .map(String::from)
                    .to_vec(),
            )
        } else {
            ("toc", ["toc", out].map(String::from).to_vec())
        };
        let o = self.exec(dir, label, &args, StdoutMode::File, None, false, r)?;
        if o.code != Some(0) {
            let word = label.split(' ').next().unwrap_or(label);
            r.find(
                Oracle::Output,
                &plan.label,
                format!(
                    "wrote {out}, which `{word}` cannot read ({})",
                    first_line(&o.err())
                ),
            );
        }
        Ok(())
    }

    /// A read that succeeded in spite of its faults (retries, resets)
    /// wrote what a read without faults writes, file for file.
    fn read_again(
        &self,
        dir: &Path,
        plan: &Plan,
        rc: &crate::case::ReadCheck,
        r: &mut Report,
    ) -> io::Result<()> {
        // A folder of its own: `chk/` holds what other checks built.
        std::fs::create_dir_all(dir.join("clean"))?;
        let out = format!("clean/back.{}", rc.format);
        let args: Vec<String> = ["read", "--virtual", &rc.vdisc, "-o", &out, "-q"]
            .map(String::from)
            .to_vec();
        let label = format!("read .{}", rc.format);
        let clean = self.exec(dir, &label, &args, StdoutMode::File, None, false, r)?;
        if clean.code != Some(0) {
            r.find(
                Oracle::FalseSuccess,
                &plan.label,
                format!(
                    "read succeeded under faults but fails without them ({})",
                    first_line(&clean.err())
                ),
            );
            return Ok(());
        }
        for name in oracle::listing(&dir.join("clean")) {
            if difference(&dir.join(&name), &dir.join("clean").join(&name))?.is_some() {
                r.find(
                    Oracle::FalseSuccess,
                    &plan.label,
                    format!(
                        "read succeeded under faults but {name} differs from a read without them"
                    ),
                );
            }
        }
        Ok(())
    }

    /// A successful burn reads back as `build` writes the same input
    /// (CloneCD, byte for byte); a track-at-once disc, whose tracks move,
    /// reads back with as many tracks as `toc --json` lists.
    fn readback(&self, dir: &Path, b: &BurnCheck, r: &mut Report) -> io::Result<()> {
        let chk = dir.join("chk");
        std::fs::create_dir_all(&chk)?;
        let read: Vec<String> = ["read", "--virtual", &b.vdisc, "-o", "chk/back.ccd", "-q"]
            .map(String::from)
            .to_vec();
        let back = self.exec(dir, "read .ccd", &read, StdoutMode::File, None, false, r)?;
        let cmd = format!("burn {}", b.mode);
        if back.code != Some(0) {
            r.find(
                Oracle::Readback,
                &cmd,
                format!(
                    "burn succeeded but read failed ({})",
                    first_line(&back.err())
                ),
            );
            return Ok(());
        }
        let tao = b.mode == "tao" || write_type(&dir.join(&b.vdisc)).as_deref() == Some("tao");
        let cdtext: Vec<String> = b
            .cdtext
            .iter()
            .flat_map(|c| ["--cdtext".to_string(), c.clone()])
            .collect();
        if tao {
            let mut args: Vec<String> = ["toc", &b.input, "--json"].map(String::from).to_vec();
            args.extend(cdtext);
            let toc = self.exec(dir, "toc --json", &args, StdoutMode::File, None, false, r)?;
            let tracks = serde_json::from_slice::<Value>(&toc.stdout)
                .ok()
                .and_then(|v| v["tracks"].as_array().map(Vec::len));
            let ccd = std::fs::read_to_string(chk.join("back.ccd")).unwrap_or_default();
            let read_tracks = ccd.lines().filter(|l| l.starts_with("[TRACK ")).count();
            if tracks != Some(read_tracks) {
                r.find(
                    Oracle::Readback,
                    &cmd,
                    format!(
                        "tao disc reads back {read_tracks} tracks; toc --json lists {tracks:?}"
                    ),
                );
            }
            return Ok(());
        }
        let mut args: Vec<String> = ["build", &b.input, "-o", "chk/ref.ccd", "-q"]
            .map(String::from)
            .to_vec();
        args.extend(cdtext);
        let built = self.exec(dir, "build .ccd", &args, StdoutMode::File, None, false, r)?;
        if built.code != Some(0) {
            r.find(
                Oracle::Readback,
                &cmd,
                format!(
                    "burn succeeded but build of the same input failed ({})",
                    first_line(&built.err())
                ),
            );
            return Ok(());
        }
        for ext in ["ccd", "img", "sub"] {
            let (a, z) = (
                chk.join(format!("back.{ext}")),
                chk.join(format!("ref.{ext}")),
            );
            if let Some(at) = difference(&a, &z)? {
                r.find(
                    Oracle::Readback,
                    &cmd,
                    format!("read-back .{ext} differs from the built one at byte {at}"),
                );
            }
        }
        Ok(())
    }
}

/// How the disc's state after a burn (`after`, from `media --json`)
/// contradicts its exit code and message, if it does.
fn state_mismatch(
    code: i32,
    simulate: bool,
    before: &str,
    after: &str,
    err: &str,
) -> Option<String> {
    let unknown = err.contains("unknown");
    let says_nothing = err.contains("nothing was written");
    let changed = after != before;
    match code {
        // README: "Simulation ... records nothing".
        0 if simulate && changed => Some(format!(
            "simulated burn changed the disc from {before} to {after}"
        )),
        // README: 2-6 end a burn before it writes (6: "nothing was
        // written", "the disc is as it was"); for 2-5 (usage, input,
        // layout, output) the README is silent, and we read them the same
        // way: a user told the input is bad expects the disc as it was.
        2..=6 if changed => Some(format!(
            "exit {code} but the disc went from {before} to {after}"
        )),
        // README: 7 "the burn failed after writing began (the message
        // says where and what the disc holds)": a blank disc contradicts
        // it unless the message says the state is unknown, and a message
        // saying nothing was written contradicts a changed disc.
        7 if !simulate && before == "blank" && after == "blank" && !unknown => {
            Some("exit 7 (writing began) but the disc is still blank".to_string())
        }
        7 | 130 if says_nothing && changed => Some(format!(
            "exit {code}: the message says nothing was written but the disc went from {before} to {after}"
        )),
        // README: 8 and 9 come from the read-back of a completed burn.
        8 | 9 if !simulate && after == "blank" => Some(format!(
            "exit {code} (burn completed) but the disc is blank"
        )),
        _ => None,
    }
}

impl Report {
    fn find(&mut self, oracle: Oracle, command: &str, detail: String) {
        self.findings.push(Finding {
            oracle,
            command: command.to_string(),
            detail,
        });
    }
}

/// The image a `build` or `read` plan writes, when rawburn can read that
/// format back (`.raw` it cannot).
fn image_output(plan: &Plan) -> Option<String> {
    let cmd = plan.args.first()?;
    if cmd != "build" && cmd != "read" {
        return None;
    }
    let at = plan.args.iter().position(|a| a == "-o")?;
    let out = plan.args.get(at + 1)?;
    [".cue", ".toc", ".ccd", ".json"]
        .iter()
        .any(|e| out.ends_with(e))
        .then(|| out.clone())
}

/// Where two files first differ (a missing `a` differs at 0), read in
/// chunks so a raw image costs no memory. Small files are compared with
/// their work directory names blurred.
fn difference(a: &Path, z: &Path) -> io::Result<Option<u64>> {
    const SMALL: u64 = 1 << 20;
    let Ok(mut fa) = std::fs::File::open(a) else {
        return Ok(Some(0));
    };
    let mut fz = std::fs::File::open(z)?;
    let (la, lz) = (fa.metadata()?.len(), fz.metadata()?.len());
    if la <= SMALL && lz <= SMALL {
        let x = work_dirs_blurred(std::fs::read(a)?);
        let y = work_dirs_blurred(std::fs::read(z)?);
        return Ok((x != y).then(|| {
            x.iter()
                .zip(&y)
                .position(|(p, q)| p != q)
                .unwrap_or(x.len().min(y.len())) as u64
        }));
    }
    let (mut ba, mut bz) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    let mut pos = 0u64;
    loop {
        let n = fill(&mut fa, &mut ba)?;
        let m = fill(&mut fz, &mut bz)?;
        if let Some(i) = ba[..n].iter().zip(&bz[..m]).position(|(p, q)| p != q) {
            return Ok(Some(pos + i as u64));
        }
        if n != m {
            return Ok(Some(pos + n.min(m) as u64));
        }
        if n == 0 {
            return Ok(None);
        }
        pos += n as u64;
    }
}

fn fill(f: &mut std::fs::File, buf: &mut [u8]) -> io::Result<usize> {
    use std::io::Read;
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// `bytes` with the random part of `.rawburn-read-XXXXXX` names blanked,
/// so two reads compare equal where only their work directories differ
/// (a dangling path to one is the output check's to find).
fn work_dirs_blurred(mut bytes: Vec<u8>) -> Vec<u8> {
    const MARK: &[u8] = b".rawburn-read-";
    let mut i = 0;
    while i + MARK.len() <= bytes.len() {
        if &bytes[i..i + MARK.len()] == MARK {
            let start = i + MARK.len();
            for b in bytes.iter_mut().skip(start).take(6) {
                *b = b'_';
            }
            i = start;
        } else {
            i += 1;
        }
    }
    bytes
}

/// The JSON lines of a burn's stdout (none unless `parse`).
fn json_events(o: &Outcome, parse: bool) -> Vec<Value> {
    if !parse {
        return Vec::new();
    }
    o.out()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The write type of a virtual disc's last session, from its header
/// (README, "The disc file").
pub fn write_type(vdisc: &Path) -> Option<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(vdisc).ok()?;
    let mut head = [0u8; 16];
    f.read_exact(&mut head).ok()?;
    let n = u32::from_le_bytes([head[12], head[13], head[14], head[15]]).min(1 << 20);
    let mut json = vec![0; n as usize];
    f.read_exact(&mut json).ok()?;
    let v: Value = serde_json::from_slice(&json).ok()?;
    v["disc"]["sessions"]
        .as_array()?
        .last()?
        .get("writeType")?
        .as_str()
        .map(str::to_string)
}

/// The error of a failed command in one line: its `error:` headline and
/// its last cause (warnings left out).
fn first_line(s: &str) -> String {
    let headline = s.lines().find(|l| l.starts_with("error")).unwrap_or("");
    let cause = s
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("caused by"))
        .map_or(String::new(), |c| format!(" / {}", c.trim()));
    format!("{headline}{cause}").chars().take(240).collect()
}

#[cfg(test)]
mod tests {
    use super::{difference, first_line, state_mismatch};

    #[test]
    fn errors_are_told_by_their_headline_and_last_cause() {
        let err = "warning: odd gap\nerror: cannot build a\n  caused by: b\n  caused by: c\n";
        assert_eq!(first_line(err), "error: cannot build a / caused by: c");
        assert_eq!(first_line("error: x\n"), "error: x");
    }

    #[test]
    fn differences_are_found_in_small_and_large_files() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let put = |n: &str, b: &[u8]| {
            let p = dir.path().join(n);
            std::fs::write(&p, b).unwrap_or_else(|e| panic!("{e}"));
            p
        };
        let a = put("a", b"x .rawburn-read-AbC123/disc.img y");
        let b = put("b", b"x .rawburn-read-zzzzzz/disc.img y");
        let c = put("c", b"x .rawburn-read-zzzzzz/disc.img z");
        let diff = |x, y| difference(x, y).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(diff(&a, &b), None);
        assert_eq!(diff(&a, &c), Some(32));
        let big = vec![7u8; 3 << 20];
        let mut other = big.clone();
        other[(2 << 20) + 5] = 8;
        let (d, e) = (put("d", &big), put("e", &other));
        assert_eq!(diff(&d, &d), None);
        assert_eq!(diff(&d, &e), Some((2 << 20) + 5));
        let f = put("f", &big[..(3 << 20) - 1]);
        assert_eq!(diff(&d, &f), Some((3 << 20) - 1));
        assert_eq!(diff(&dir.path().join("missing"), &d), Some(0));
    }

    #[test]
    fn disc_states_follow_the_exit_codes() {
        // Simulation records nothing.
        assert!(state_mismatch(0, true, "blank", "blank", "").is_none());
        assert!(state_mismatch(0, true, "blank", "finalized", "").is_some());
        // 6: nothing was written.
        assert!(state_mismatch(6, false, "blank", "blank", "").is_none());
        assert!(state_mismatch(6, false, "blank", "appendable", "").is_some());
        assert!(state_mismatch(3, false, "blank", "appendable", "").is_some());
        // 7: writing began.
        assert!(state_mismatch(7, false, "blank", "other", "lba 5").is_none());
        assert!(state_mismatch(7, false, "blank", "blank", "lba 5").is_some());
        assert!(state_mismatch(7, false, "blank", "blank", "its state is unknown").is_none());
        assert!(state_mismatch(7, true, "blank", "blank", "").is_none());
        assert!(state_mismatch(7, false, "blank", "appendable", "; nothing was written").is_some());
        // 8 and 9: the burn completed.
        assert!(state_mismatch(8, false, "blank", "finalized", "").is_none());
        assert!(state_mismatch(9, false, "blank", "blank", "").is_some());
        assert!(state_mismatch(130, false, "blank", "blank", "nothing was written").is_none());
        assert!(state_mismatch(130, false, "blank", "other", "nothing was written").is_some());
    }
}
