//! Jobs: a burn, blank, read or eject on one drive, run as a `rawburn`
//! command of its own (the very commands a user types, `--json` events on
//! its stdout), confined to the directory of what the page uploaded.
//!
//! Each event gets the job's next sequence number and is kept, so a page
//! that reconnects asks for the events after the last one it saw and
//! misses none. A job outlives the connection that started it. Cancel asks
//! the command to stop at its next safe point (as Ctrl-C does on the
//! command line): before writing the disc is left as it was; once the
//! drive records, the session is closed incomplete and the job's end says
//! what the disc holds.

use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::sync::watch;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `rawburn burn`.
    Burn,
    /// `rawburn blank`.
    Blank,
    /// `rawburn read`.
    Read,
    /// `rawburn eject`.
    Eject,
    /// `rawburn tray`.
    Tray,
}

/// How a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Running.
    Running,
    /// Ended well.
    Done,
    /// Ended with an error.
    Failed,
    /// Ended because it was cancelled.
    Cancelled,
}

/// A job's kept messages.
#[derive(Debug)]
struct Log {
    /// Each message in order; message `k` has sequence number `k + 1`.
    messages: Vec<Arc<str>>,
    state: State,
}

/// One job.
#[derive(Debug)]
pub struct Job {
    /// Its id (`j1`, …).
    pub id: String,
    /// The drive it runs on.
    pub drive: String,
    /// What it does.
    pub kind: Kind,
    log: Mutex<Log>,
    /// The number of messages kept; subscribers wait for it to change.
    seq: watch::Sender<u64>,
    pid: Mutex<Option<u32>>,
    cancel: AtomicBool,
    /// Where a read puts its image.
    pub files: Option<PathBuf>,
    /// What the request asked (a burn's plan and options, a read's
    /// format), for a page that comes back.
    pub detail: Value,
}

/// A job, as `jobs` lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    /// Its id.
    pub job: String,
    /// Its drive.
    pub drive: String,
    /// What it does.
    pub kind: Kind,
    /// How it stands.
    pub state: State,
    /// Its last sequence number.
    pub seq: u64,
    /// What the request asked.
    pub detail: Value,
}

impl Job {
    /// How it stands.
    pub fn state(&self) -> State {
        self.log.lock().map_or(State::Failed, |l| l.state)
    }

    /// For `jobs`.
    pub fn listed(&self) -> Listed {
        let (state, seq) = self
            .log
            .lock()
            .map_or((State::Failed, 0), |l| (l.state, l.messages.len() as u64));
        Listed {
            job: self.id.clone(),
            drive: self.drive.clone(),
            kind: self.kind,
            state,
            seq,
            detail: self.detail.clone(),
        }
    }

    /// Keeps `body` (a JSON object's members after `"type"`) as the next
    /// message.
    fn push(&self, kind: &str, body: &str, end: Option<State>) {
        let Ok(mut log) = self.log.lock() else { return };
        if log.state != State::Running {
            return;
        }
        let seq = log.messages.len() + 1;
        // When the companion had it, in milliseconds since 1970: a page
        // can tell how late an event reached it.
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        let text = format!(
            r#"{{"type":"{kind}","job":"{}","seq":{seq},"at":{at:.3}{body}}}"#,
            self.id
        );
        log.messages.push(text.into());
        if let Some(s) = end {
            log.state = s;
        }
        self.seq.send_replace(seq as u64);
    }

    /// The messages after sequence number `after`, and whether the job has
    /// ended.
    pub fn after(&self, after: u64) -> (Vec<Arc<str>>, bool) {
        match self.log.lock() {
            Ok(log) => (
                log.messages
                    .get(after as usize..)
                    .map(<[Arc<str>]>::to_vec)
                    .unwrap_or_default(),
                log.state != State::Running,
            ),
            Err(_) => (Vec::new(), true),
        }
    }

    /// A receiver that wakes when a message is kept.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.seq.subscribe()
    }

    /// Asks the job to stop at its next safe point. Returns whether it
    /// was running.
    pub fn cancel(&self) -> bool {
        if self.state() != State::Running {
            return false;
        }
        // Asked once: a second signal would end the command at once, not
        // at a safe point.
        if self.cancel.swap(true, Ordering::SeqCst) {
            return true;
        }
        if let Ok(pid) = self.pid.lock()
            && let Some(pid) = *pid
        {
            terminate(pid);
        }
        true
    }
}

/// Every job, and which drive each running one holds.
#[derive(Default)]
pub struct Jobs {
    next: u64,
    all: Vec<Arc<Job>>,
    by_drive: HashMap<String, Arc<Job>>,
}

/// The most finished jobs kept (with their events).
const KEPT: usize = 64;

impl Jobs {
    /// The running job on `drive`, if any.
    pub fn busy(&self, drive: &str) -> Option<Arc<Job>> {
        self.by_drive
            .get(drive)
            .filter(|j| j.state() == State::Running)
            .cloned()
    }

    /// A new running job on `drive`, unless one runs there.
    ///
    /// ## Errors
    ///
    /// The job that holds the drive.
    pub fn start(
        &mut self,
        drive: &str,
        kind: Kind,
        files_in: Option<&std::path::Path>,
        detail: Value,
    ) -> Result<Arc<Job>, Arc<Job>> {
        if let Some(j) = self.busy(drive) {
            return Err(j);
        }
        self.next += 1;
        let id = format!("j{}", self.next);
        let (seq, _) = watch::channel(0);
        let job = Arc::new(Job {
            files: files_in.map(|d| d.join(&id)),
            detail,
            id,
            drive: drive.to_string(),
            kind,
            log: Mutex::new(Log {
                messages: Vec::new(),
                state: State::Running,
            }),
            seq,
            pid: Mutex::new(None),
            cancel: AtomicBool::new(false),
        });
        self.by_drive.insert(drive.to_string(), job.clone());
        self.all.push(job.clone());
        if self.all.len() > KEPT
            && let Some(k) = self.all.iter().position(|j| j.state() != State::Running)
        {
            let old = self.all.remove(k);
            if let Some(dir) = &old.files {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
        Ok(job)
    }

    /// Job `id`.
    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        self.all.iter().find(|j| j.id == id).cloned()
    }

    /// Every job kept.
    pub fn list(&self) -> Vec<Listed> {
        self.all.iter().map(|j| j.listed()).collect()
    }

    /// The running jobs.
    pub fn running(&self) -> Vec<Arc<Job>> {
        self.all
            .iter()
            .filter(|j| j.state() == State::Running)
            .cloned()
            .collect()
    }
}

/// Runs `args` (after `rawburn`) in `dir` for `job`, its stdout's JSON
/// lines becoming the job's events, its end the job's end.
pub async fn run(job: Arc<Job>, exe: PathBuf, dir: PathBuf, args: Vec<String>) {
    let mut command = rawburn(&exe, &dir, &args);
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(false);
    // Its own process group: Ctrl-C at the companion's terminal reaches
    // the companion, which stops its jobs at their safe points, not the
    // jobs directly.
    #[cfg(unix)]
    command.process_group(0);
    if job.cancel.load(Ordering::SeqCst) {
        end(&job, State::Cancelled, 130, &not_begun(), &[]);
        return;
    }
    let mut child = match command.spawn() {
        Ok(c) => c,
        Err(e) => {
            end(
                &job,
                State::Failed,
                1,
                &error_value(&format!("cannot start {}: {e}", exe.display()), 1),
                &[],
            );
            return;
        }
    };
    if let (Ok(mut pid), Some(id)) = (job.pid.lock(), child.id()) {
        *pid = Some(id);
    }
    if job.cancel.load(Ordering::SeqCst)
        && let Some(id) = child.id()
    {
        terminate(id);
    }
    let stderr = child.stderr.take();
    let errors = tokio::spawn(async move {
        let mut text = Vec::new();
        if let Some(s) = stderr {
            // Enough for any error; the rest is dropped.
            let _ = s.take(256 << 10).read_to_end(&mut text).await;
        }
        String::from_utf8_lossy(&text).into_owned()
    });
    if let Some(stdout) = child.stdout.take() {
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            // Only JSON goes through, whole.
            if serde_json::from_str::<serde::de::IgnoredAny>(&line).is_ok() {
                job.push("event", &format!(r#","event":{line}"#), None);
            }
        }
    }
    let status = child.wait().await;
    let stderr = errors.await.unwrap_or_default();
    if let Ok(mut pid) = job.pid.lock() {
        *pid = None;
    }
    let code = match status.ok().and_then(|s| s.code()) {
        Some(c) => c,
        // Ended by the cancel's signal before the command could catch it:
        // it had not begun.
        None if job.cancel.load(Ordering::SeqCst) => {
            end(&job, State::Cancelled, 130, &not_begun(), &[]);
            return;
        }
        None => 1,
    };
    let files = match (&job.files, code) {
        (Some(dir), 0) => list_files(&job.id, dir),
        _ => Vec::new(),
    };
    let state = match code {
        0 => State::Done,
        130 => State::Cancelled,
        _ => State::Failed,
    };
    let error = if code == 0 {
        Value::Null
    } else {
        command_error(&stderr, code)
    };
    end(&job, state, code, &error, &files);
}

/// The job's last message: how it ended, the command's error as
/// `{exit, headline, causes}`, a read's files.
fn end(job: &Job, state: State, code: i32, error: &Value, files: &[Value]) {
    let body = serde_json::json!({
        "ok": state == State::Done,
        "state": state,
        "exit": code,
        "error": error,
        "files": files,
    });
    let Some(members) = body.to_string().strip_prefix('{').map(str::to_string) else {
        return;
    };
    let members = members.strip_suffix('}').unwrap_or(&members).to_string();
    job.push("end", &format!(",{members}"), Some(state));
}

fn not_begun() -> Value {
    serde_json::json!({
        "exit": 130,
        "headline": "cancelled before it began: the drive and its disc are as they were",
        "causes": [],
    })
}

/// `rawburn ARGS` run in `dir` and confined to it, its failure as JSON on
/// stderr, nothing on stdin.
pub fn rawburn(
    exe: &std::path::Path,
    dir: &std::path::Path,
    args: &[String],
) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(exe);
    command
        .arg("--error-json")
        .arg("--within")
        .arg(dir)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null());
    command
}

/// The error a command that exited with `code` wrote on `stderr`: its
/// `--error-json` line, or else its text as `{exit, headline, causes}`.
pub fn command_error(stderr: &str, code: i32) -> Value {
    last_json(stderr).unwrap_or_else(|| error_value(stderr.trim(), code))
}

fn error_value(text: &str, code: i32) -> Value {
    let mut lines = text.lines();
    let headline = lines.next().unwrap_or("the command failed");
    let causes: Vec<&str> = lines
        .filter_map(|l| l.trim().strip_prefix("caused by: "))
        .collect();
    serde_json::json!({
        "exit": code,
        "headline": headline.strip_prefix("error: ").unwrap_or(headline),
        "causes": causes,
    })
}

/// The last line of `text` that is a JSON object.
fn last_json(text: &str) -> Option<Value> {
    text.lines().rev().find_map(|l| {
        serde_json::from_str::<Value>(l)
            .ok()
            .filter(Value::is_object)
    })
}

/// The files a read wrote, with where to download each.
fn list_files(job: &str, dir: &std::path::Path) -> Vec<Value> {
    let mut names: Vec<(String, u64)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let meta = e.metadata().ok().filter(std::fs::Metadata::is_file)?;
            Some((e.file_name().to_str()?.to_string(), meta.len()))
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|(name, size)| {
            serde_json::json!({
                "name": name,
                "size": size,
                "url": format!("/v1/files/{job}/{name}"),
            })
        })
        .collect()
}

/// Asks process `pid` (a job's command) to stop as Ctrl-C would.
fn terminate(pid: u32) {
    #[cfg(unix)]
    {
        #[allow(unsafe_code)]
        // SAFETY: kill(2) takes plain integers and touches no memory of
        // ours; the pid is that of a child not yet waited for.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGTERM);
        }
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_job_per_drive_and_events_numbered_for_replay() {
        let mut jobs = Jobs::default();
        let a = jobs.start("d1", Kind::Burn, None, Value::Null).unwrap();
        let busy = jobs
            .start("d1", Kind::Blank, None, Value::Null)
            .err()
            .unwrap();
        assert_eq!(busy.id, a.id);
        let b = jobs.start("d2", Kind::Read, None, Value::Null).unwrap();
        assert_eq!((a.id.as_str(), b.id.as_str()), ("j1", "j2"));
        a.push("event", r#","event":{"n":1}"#, None);
        a.push("event", r#","event":{"n":2}"#, None);
        end(&a, State::Done, 0, &Value::Null, &[]);
        a.push("event", r#","event":{"n":3}"#, None);
        let (after1, ended) = a.after(1);
        assert!(ended);
        assert_eq!(after1.len(), 2);
        let second: Value = serde_json::from_str(&after1[0]).unwrap();
        assert_eq!(second["type"], "event");
        assert_eq!(second["job"], "j1");
        assert_eq!(second["seq"], 2);
        assert_eq!(second["event"], serde_json::json!({"n": 2}));
        assert!(second["at"].as_f64().unwrap() > 1.7e12);
        let end: Value = serde_json::from_str(&after1[1]).unwrap();
        assert_eq!(end["ok"], true);
        assert_eq!(end["state"], "done");
        assert_eq!(end["seq"], 3);
        assert_eq!(end["type"], "end");
        assert_eq!(end["exit"], 0);
        assert!(jobs.start("d1", Kind::Blank, None, Value::Null).is_ok());
    }

    #[test]
    fn errors_from_the_command_keep_their_lines() {
        let v =
            last_json("warning: x\n{\"exit\":6,\"headline\":\"h\",\"causes\":[\"c\"]}\n").unwrap();
        assert_eq!(v["exit"], 6);
        let t = error_value("error: it failed\n  caused by: one\n  caused by: two", 1);
        assert_eq!(t["headline"], "it failed");
        assert_eq!(t["causes"], serde_json::json!(["one", "two"]));
    }
}
