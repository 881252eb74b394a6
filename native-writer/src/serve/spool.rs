//! The companion's private spool: uploads and the directories the jobs
//! read from.
//!
//! A page never names a path on disk. Files arrive as uploads, each into a
//! file of the spool named by its number; a plan is a directory of its own
//! in which each uploaded file the sheet uses appears (hard-linked) under
//! the name the page gave it, beside the sheet. The job that reads the
//! plan is confined to that directory ([`crate::files::confine`]), so a
//! sheet naming `../../etc/passwd` or `/etc/passwd` finds nothing.
//!
//! The spool (mode 0700) is removed when the companion stops, and a
//! spool a killed companion left behind is removed at the next start.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::time::Instant;

/// The largest upload: a 99-minute disc of 2448-byte frames, more than any
/// image, WAV or audio file a disc can hold.
pub const MAX_UPLOAD: u64 = 99 * 60 * 75 * 2448;
/// Uploads not yet finished, at most, across every client.
pub const MAX_OPEN_UPLOADS: usize = 32;
/// Bytes all uploads may declare together.
pub const MAX_SPOOL: u64 = 8 * MAX_UPLOAD;
/// An unfinished upload no chunk reached for this long is discarded when
/// room for another is needed.
pub const STALE: std::time::Duration = std::time::Duration::from_secs(600);
/// Plans kept at most; the oldest unused goes first.
pub const MAX_PLANS: usize = 64;

/// Why an upload or plan is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The error code of the reply.
    pub code: &'static str,
    /// The message.
    pub message: String,
}

fn refused(code: &'static str, message: impl Into<String>) -> Refused {
    Refused {
        code,
        message: message.into(),
    }
}

/// One upload.
struct Upload {
    /// When a chunk last reached it (or it started).
    touched: Instant,
    name: String,
    size: u64,
    received: u64,
    hasher: Sha256,
    file: Option<File>,
    path: PathBuf,
    /// Its sha256, once complete and checked.
    sha256: Option<String>,
}

/// What an upload holds so far.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UploadState {
    /// Its id.
    pub upload: String,
    /// The name the page gave it.
    pub name: String,
    /// Its declared size.
    pub size: u64,
    /// Bytes received: where the next chunk starts.
    pub offset: u64,
    /// Whether it is complete and its sha256 checked.
    pub complete: bool,
}

/// A plan's directory and the arguments that name its disc.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The directory the job runs in, confined to it.
    pub dir: PathBuf,
    /// The disc, as the command line gives it: the sheet, or the files
    /// with their options.
    pub args: Vec<String>,
}

/// The spool.
pub struct Spool {
    root: PathBuf,
    next: u64,
    uploads: HashMap<u64, Upload>,
    plans: Vec<(String, Plan)>,
}

impl Spool {
    /// A fresh spool for this process in `state/spool/PID`, leftovers of
    /// dead companions removed.
    ///
    /// ## Errors
    ///
    /// When the directory cannot be made.
    pub fn create(state: &Path) -> std::io::Result<Spool> {
        let parent = state.join("spool");
        private_dir(&parent)?;
        if let Ok(entries) = std::fs::read_dir(&parent) {
            for e in entries.flatten() {
                let pid = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok());
                // A job of a killed companion may still be finishing a
                // burn from it: its spool goes at a later start.
                if pid.is_none_or(|p| !alive(p)) && !in_use(&e.path()) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let root = parent.join(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&root);
        private_dir(&root)?;
        private_dir(&root.join("uploads"))?;
        private_dir(&root.join("plans"))?;
        private_dir(&root.join("reads"))?;
        Ok(Spool {
            root,
            next: 1,
            uploads: HashMap::new(),
            plans: Vec::new(),
        })
    }

    /// The spool's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Starts an upload of `size` bytes named `name`.
    ///
    /// ## Errors
    ///
    /// `name` (a bad name), `too-large` (past [`MAX_UPLOAD`] or the
    /// spool's room), `limit` (too many unfinished), `io`.
    pub fn start(&mut self, name: &str, size: u64) -> Result<UploadState, Refused> {
        self.start_at(name, size, Instant::now())
    }

    /// As [`Spool::start`] at time `now`. At the limit of unfinished
    /// uploads, those no chunk reached for [`STALE`] (a page that went away
    /// mid-upload and started over) are discarded first.
    fn start_at(&mut self, name: &str, size: u64, now: Instant) -> Result<UploadState, Refused> {
        check_name(name)?;
        if size > MAX_UPLOAD {
            return Err(refused(
                "too-large",
                format!(
                    "{name}: {size} bytes is larger than any CD (a 99-minute disc holds {MAX_UPLOAD} bytes with its sub-channel)"
                ),
            ));
        }
        let open = |s: &Spool| s.uploads.values().filter(|u| u.sha256.is_none()).count();
        if open(self) >= MAX_OPEN_UPLOADS {
            let stale: Vec<u64> = self
                .uploads
                .iter()
                .filter(|(_, u)| {
                    u.sha256.is_none() && now.saturating_duration_since(u.touched) >= STALE
                })
                .map(|(n, _)| *n)
                .collect();
            for n in stale {
                self.discard(n);
            }
        }
        let open = open(self);
        if open >= MAX_OPEN_UPLOADS {
            return Err(refused(
                "limit",
                format!("{open} uploads are unfinished: finish or discard one first"),
            ));
        }
        let declared: u64 = self.uploads.values().map(|u| u.size).sum();
        if declared + size > MAX_SPOOL {
            return Err(refused(
                "too-large",
                format!(
                    "{name}: the spool holds {declared} bytes and takes {MAX_SPOOL} at most: discard uploads no longer needed"
                ),
            ));
        }
        let n = self.next;
        self.next += 1;
        let path = self.root.join("uploads").join(n.to_string());
        let file = File::create(&path).map_err(|e| refused("io", format!("{name}: {e}")))?;
        self.uploads.insert(
            n,
            Upload {
                name: name.to_string(),
                size,
                received: 0,
                hasher: Sha256::new(),
                touched: now,
                file: Some(file),
                path,
                sha256: None,
            },
        );
        self.state(n)
    }

    /// Where upload `n` stands.
    ///
    /// ## Errors
    ///
    /// `not-found`.
    pub fn state(&self, n: u64) -> Result<UploadState, Refused> {
        let u = self.upload(n)?;
        Ok(UploadState {
            upload: upload_id(n),
            name: u.name.clone(),
            size: u.size,
            offset: u.received,
            complete: u.sha256.is_some(),
        })
    }

    fn upload(&self, n: u64) -> Result<&Upload, Refused> {
        self.uploads
            .get(&n)
            .ok_or_else(|| refused("not-found", format!("no upload {}", upload_id(n))))
    }

    /// Appends `data` at `offset` to upload `n`; returns the new offset.
    ///
    /// ## Errors
    ///
    /// `not-found`, `offset` (not where the upload stands: resume from the
    /// offset the error names), `too-large` (past the declared size),
    /// `complete`, `io`.
    pub fn chunk(&mut self, n: u64, offset: u64, data: &[u8]) -> Result<u64, Refused> {
        let u = self
            .uploads
            .get_mut(&n)
            .ok_or_else(|| refused("not-found", format!("no upload {}", upload_id(n))))?;
        if u.sha256.is_some() {
            return Err(refused(
                "complete",
                format!("{} is complete already", u.name),
            ));
        }
        if offset != u.received {
            return Err(refused(
                "offset",
                format!(
                    "{}: a chunk at offset {offset}, but the upload stands at {}",
                    u.name, u.received
                ),
            ));
        }
        if u.received + data.len() as u64 > u.size {
            return Err(refused(
                "too-large",
                format!("{}: more bytes than the {} declared", u.name, u.size),
            ));
        }
        let file = u
            .file
            .as_mut()
            .ok_or_else(|| refused("io", format!("{}: closed", u.name)))?;
        file.write_all(data)
            .map_err(|e| refused("io", format!("{}: {e}", u.name)))?;
        u.hasher.update(data);
        u.received += data.len() as u64;
        u.touched = Instant::now();
        Ok(u.received)
    }

    /// Ends upload `n`: complete, and its sha256 what the page computed.
    /// A digest that differs discards the bytes: the upload starts again
    /// from 0.
    ///
    /// ## Errors
    ///
    /// `not-found`, `short` (bytes missing), `sha256`, `io`.
    pub fn finish(&mut self, n: u64, sha256: &str) -> Result<UploadState, Refused> {
        let u = self
            .uploads
            .get_mut(&n)
            .ok_or_else(|| refused("not-found", format!("no upload {}", upload_id(n))))?;
        if u.sha256.is_none() {
            if u.received != u.size {
                return Err(refused(
                    "short",
                    format!(
                        "{}: {} of {} bytes received; send the rest from offset {}",
                        u.name, u.received, u.size, u.received
                    ),
                ));
            }
            let got: String = u
                .hasher
                .clone()
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            if !got.eq_ignore_ascii_case(sha256) {
                // What arrived is not what was sent: start again.
                u.received = 0;
                u.hasher = Sha256::new();
                u.file = Some(
                    File::create(&u.path).map_err(|e| refused("io", format!("{}: {e}", u.name)))?,
                );
                return Err(refused(
                    "sha256",
                    format!(
                        "{}: the bytes received have sha256 {got}, not {}; upload it again from offset 0",
                        u.name,
                        printable(sha256)
                    ),
                ));
            }
            // Closed, not synced: the spool does not outlive the companion,
            // so nothing needs its bytes on the disk rather than in memory.
            u.file = None;
            u.sha256 = Some(got);
        }
        self.state(n)
    }

    /// Removes upload `n`.
    pub fn discard(&mut self, n: u64) -> bool {
        match self.uploads.remove(&n) {
            Some(u) => {
                let _ = std::fs::remove_file(&u.path);
                true
            }
            None => false,
        }
    }

    /// Every upload.
    pub fn uploads(&self) -> Vec<UploadState> {
        let mut list: Vec<u64> = self.uploads.keys().copied().collect();
        list.sort_unstable();
        list.iter().filter_map(|n| self.state(*n).ok()).collect()
    }

    /// A plan directory for `sheet` (its name, and its text or the upload
    /// holding its bytes) or `inputs` (file names
    /// in disc order, with the media `options` as command-line flags),
    /// each name in `files` linked to the complete upload it maps to.
    ///
    /// ## Errors
    ///
    /// `name` for a name that is not a plain relative path, `not-found` or
    /// `incomplete` for an upload, `bad-request`, `io`.
    pub fn plan(
        &mut self,
        sheet: Option<(&str, Sheet<'_>)>,
        inputs: &[String],
        options: Vec<String>,
        cdtext: &[String],
        files: &HashMap<String, String>,
    ) -> Result<(String, Plan), Refused> {
        for name in cdtext {
            check_name(name)?;
            if !files.contains_key(name) {
                return Err(refused(
                    "not-found",
                    format!("{}: no uploaded file has this name", printable(name)),
                ));
            }
        }
        let mut links = Vec::new();
        for (name, id) in files {
            check_name(name)?;
            links.push((name.clone(), self.complete_file(id)?));
        }
        let args = match (sheet, inputs.is_empty()) {
            (Some((name, _)), true) => {
                check_name(name)?;
                if !crate::media::is_description(Path::new(name)) {
                    return Err(refused(
                        "bad-request",
                        format!(
                            "{name}: a sheet is a .cue, .toc, .ccd or project .json; give image and audio files as inputs"
                        ),
                    ));
                }
                if files.contains_key(name) {
                    return Err(refused(
                        "bad-request",
                        format!("{name} is the sheet and also one of its files"),
                    ));
                }
                vec![name.to_string()]
            }
            (None, false) => {
                for i in inputs {
                    if !files.contains_key(i) {
                        return Err(refused(
                            "not-found",
                            format!("{}: no uploaded file has this name", printable(i)),
                        ));
                    }
                }
                inputs.iter().cloned().chain(options).collect()
            }
            _ => {
                return Err(refused(
                    "bad-request",
                    "a plan has either a sheet or inputs (files in disc order)",
                ));
            }
        };
        let mut args = args;
        for name in cdtext {
            args.extend(["--cdtext".to_string(), name.clone()]);
        }
        if self.plans.len() >= MAX_PLANS {
            let (_, old) = self.plans.remove(0);
            let _ = std::fs::remove_dir_all(&old.dir);
        }
        let id = format!("p{}", self.next);
        self.next += 1;
        let dir = self.root.join("plans").join(&id);
        let io = |e: std::io::Error| refused("io", e.to_string());
        private_dir(&dir).map_err(io)?;
        for (name, path) in &links {
            let target = dir.join(name);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            std::fs::hard_link(path, &target)
                .or_else(|_| std::fs::copy(path, &target).map(|_| ()))
                .map_err(io)?;
        }
        match sheet {
            Some((name, Sheet::Text(text))) => std::fs::write(dir.join(name), text).map_err(io)?,
            Some((name, Sheet::Upload(path))) => {
                std::fs::hard_link(path, dir.join(name))
                    .or_else(|_| std::fs::copy(path, dir.join(name)).map(|_| ()))
                    .map_err(io)?;
            }
            None => {}
        }
        let plan = Plan { dir, args };
        self.plans.push((id.clone(), plan.clone()));
        Ok((id, plan))
    }

    /// Plan `id`.
    pub fn get_plan(&self, id: &str) -> Option<Plan> {
        self.plans
            .iter()
            .find(|(p, _)| p == id)
            .map(|(_, plan)| plan.clone())
    }

    /// Removes the spool.
    pub fn remove(&self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A plan's sheet: its text, or a complete upload of its bytes (a sheet
/// in Latin-1, kept as written).
#[derive(Debug, Clone, Copy)]
pub enum Sheet<'a> {
    /// The text.
    Text(&'a str),
    /// The upload's file.
    Upload(&'a Path),
}

impl Spool {
    /// The file of complete upload `id`.
    ///
    /// ## Errors
    ///
    /// `not-found`, `incomplete`.
    pub fn complete_file(&self, id: &str) -> Result<PathBuf, Refused> {
        let n = parse_upload_id(id)
            .ok_or_else(|| refused("not-found", format!("no upload {}", printable(id))))?;
        let u = self.upload(n)?;
        if u.sha256.is_none() {
            return Err(refused(
                "incomplete",
                format!("{} ({id}) is not completely uploaded", u.name),
            ));
        }
        Ok(u.path.clone())
    }
}

/// The id of upload `n` in messages.
pub fn upload_id(n: u64) -> String {
    format!("u{n}")
}

/// The number of upload `id`.
pub fn parse_upload_id(id: &str) -> Option<u64> {
    id.strip_prefix('u')?.parse().ok()
}

/// A name a page may give a file: a relative path of plain components
/// (`a.wav`, `CD1/a.wav`), no `..`, no root, no backslash, no control
/// characters, each component at most 255 bytes.
///
/// ## Errors
///
/// `name`.
pub fn check_name(name: &str) -> Result<(), Refused> {
    let bad = |why: &str| {
        Err(refused(
            "name",
            format!(
                "`{}`: {why}; a file is named by a plain relative name",
                printable(name)
            ),
        ))
    };
    if name.is_empty() || name.len() > 1024 {
        return bad("empty or too long");
    }
    if name.contains('\\') || name.chars().any(char::is_control) {
        return bad("a backslash or control character");
    }
    if Path::new(name).is_absolute() || name.starts_with('/') {
        return bad("an absolute path");
    }
    for part in name.split('/') {
        match part {
            ".." => return bad("`..` leaves the upload"),
            "" | "." => return bad("not a plain relative name"),
            p if p.len() > 255 => return bad("a part longer than 255 bytes"),
            // One normal component each (no drive prefix on Windows).
            p if !matches!(Path::new(p).components().next(), Some(Component::Normal(_))) => {
                return bad("not a plain relative name");
            }
            _ => {}
        }
    }
    Ok(())
}

fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(100).collect()
}

/// Makes `dir` (and its parents), readable by this user only.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Whether a process works in `dir` or below it (a job's command runs
/// there).
fn in_use(dir: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        let Ok(dir) = dir.canonicalize() else {
            return false;
        };
        std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.parse::<u32>().is_ok())
            })
            .filter_map(|e| std::fs::read_link(e.path().join("cwd")).ok())
            .any(|cwd| cwd.starts_with(&dir))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        false
    }
}

/// Whether process `pid` is running.
fn alive(pid: u32) -> bool {
    #[cfg(target_os = "linux")]
    {
        Path::new("/proc").join(pid.to_string()).exists()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn names_are_plain_relative_paths() {
        for ok in ["a.wav", "CD1/01 Intro.flac", "disc.cue", "ü.wav"] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "../../etc/passwd",
            "a/../../b",
            "/etc/passwd",
            "C:\\x.wav",
            "a\\b",
            "a\0b",
            "./a",
            "a/./b",
        ] {
            assert_eq!(check_name(bad).map_err(|e| e.code), Err("name"), "{bad:?}");
        }
    }

    #[test]
    fn an_upload_goes_in_order_and_is_checked_at_the_end() {
        let state = tempfile::tempdir().unwrap();
        let mut spool = Spool::create(state.path()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(spool.root())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        let u = spool.start("a.bin", 6).unwrap();
        assert_eq!(u.upload, "u1");
        assert_eq!(spool.chunk(1, 0, b"abc"), Ok(3));
        assert_eq!(spool.chunk(1, 0, b"abc").unwrap_err().code, "offset");
        assert_eq!(spool.chunk(1, 3, b"defg").unwrap_err().code, "too-large");
        assert_eq!(spool.finish(1, &hex(b"abcdef")).unwrap_err().code, "short");
        assert_eq!(spool.chunk(1, 3, b"def"), Ok(6));
        // A digest that differs: the bytes are dropped.
        assert_eq!(spool.finish(1, &hex(b"abcxyz")).unwrap_err().code, "sha256");
        assert_eq!(spool.state(1).unwrap().offset, 0);
        spool.chunk(1, 0, b"abcdef").unwrap();
        let done = spool.finish(1, &hex(b"abcdef")).unwrap();
        assert!(done.complete);
        assert_eq!(spool.chunk(1, 6, b"x").unwrap_err().code, "complete");
        assert_eq!(
            std::fs::read(spool.root().join("uploads/1")).unwrap(),
            b"abcdef"
        );
        assert_eq!(
            spool.start("b", MAX_UPLOAD + 1).unwrap_err().code,
            "too-large"
        );
        let root = spool.root().to_path_buf();
        spool.remove();
        assert!(!root.exists());
    }

    #[test]
    fn stale_unfinished_uploads_make_room_at_the_limit() {
        let state = tempfile::tempdir().unwrap();
        let mut spool = Spool::create(state.path()).unwrap();
        let t0 = Instant::now();
        for k in 0..MAX_OPEN_UPLOADS {
            spool.start_at(&format!("f{k}"), 4, t0).unwrap();
        }
        // One is being sent: a chunk keeps it fresh.
        std::thread::sleep(std::time::Duration::from_millis(5));
        spool.chunk(1, 0, b"ab").unwrap();
        let soon = t0 + STALE / 2;
        assert_eq!(spool.start_at("x", 1, soon).unwrap_err().code, "limit");
        let later = t0 + STALE;
        let started = spool.start_at("x", 1, later).unwrap();
        assert_eq!(started.name, "x");
        // The stale ones went, the fresh one (u1) stayed, with its bytes.
        let left: Vec<String> = spool.uploads().into_iter().map(|u| u.upload).collect();
        assert_eq!(left, ["u1", &started.upload]);
        assert_eq!(spool.state(1).unwrap().offset, 2);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_dead_companions_spool_stays_while_a_job_works_in_it() {
        let state = tempfile::tempdir().unwrap();
        // No process has this pid: pids stay below 2^22.
        let dead = state.path().join("spool").join("4194999");
        std::fs::create_dir_all(dead.join("plans/p1")).unwrap();
        let mut job = std::process::Command::new("sleep")
            .arg("30")
            .current_dir(dead.join("plans/p1"))
            .spawn()
            .unwrap();
        drop(Spool::create(state.path()).unwrap());
        assert!(dead.is_dir(), "removed while a job works in it");
        job.kill().unwrap();
        job.wait().unwrap();
        drop(Spool::create(state.path()).unwrap());
        assert!(!dead.exists(), "left behind once nothing works in it");
    }

    #[test]
    fn a_plan_links_uploads_under_their_names_and_nothing_else() {
        let state = tempfile::tempdir().unwrap();
        let mut spool = Spool::create(state.path()).unwrap();
        spool.start("x", 2).unwrap();
        spool.chunk(1, 0, b"hi").unwrap();
        let mut files = HashMap::new();
        files.insert("CD1/a.bin".to_string(), "u1".to_string());
        let sheet = "FILE \"CD1/a.bin\" BINARY\n";
        let plan = |spool: &mut Spool, files: &HashMap<String, String>| {
            spool.plan(Some(("d.cue", Sheet::Text(sheet))), &[], vec![], &[], files)
        };
        assert_eq!(plan(&mut spool, &files).unwrap_err().code, "incomplete");
        spool.finish(1, &hex(b"hi")).unwrap();
        let (id, p) = plan(&mut spool, &files).unwrap();
        assert_eq!(p.args, ["d.cue"]);
        assert_eq!(std::fs::read(p.dir.join("CD1/a.bin")).unwrap(), b"hi");
        assert_eq!(std::fs::read_to_string(p.dir.join("d.cue")).unwrap(), sheet);
        assert_eq!(spool.get_plan(&id).unwrap().dir, p.dir);
        let mut escaping = HashMap::new();
        escaping.insert("../../etc/passwd".to_string(), "u1".to_string());
        assert_eq!(plan(&mut spool, &escaping).unwrap_err().code, "name");
        let none = HashMap::new();
        assert_eq!(
            spool
                .plan(
                    Some(("/etc/passwd.cue", Sheet::Text(""))),
                    &[],
                    vec![],
                    &[],
                    &none
                )
                .unwrap_err()
                .code,
            "name"
        );
        assert_eq!(
            spool
                .plan(None, &["a.iso".to_string()], vec![], &[], &none)
                .unwrap_err()
                .code,
            "not-found"
        );
    }
}
