//! Every file rawburn reads goes through here: one resolver that turns a
//! name (from the command line, a sheet or a project) into a path under a
//! policy, and opens only regular files, with a cap on what is read whole.
//!
//! The command line reads what its user can read ([`Resolver::user`]); a
//! process that takes input from a network gets [`Resolver::within`], which
//! admits only files inside one directory (after following symbolic
//! links), so a sheet cannot reach outside what was uploaded.

use layout::names::{Entry, EntryKind};
use std::fmt;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Largest sheet (cue, toc, ccd, project JSON) read whole: far more than
/// any disc's description needs (99 tracks of 99 indexes with every
/// CD-TEXT field in 8 languages is under 1 MiB).
pub const SHEET_CAP: u64 = 16 << 20;
/// Largest CD-TEXT file (`.cdt` or input sheet) read whole: 8 blocks of
/// 256 packs are 36 KiB.
pub const CDTEXT_CAP: u64 = 1 << 20;
/// Largest fault plan read whole.
pub const FAULT_PLAN_CAP: u64 = 1 << 20;

/// Which files may be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    /// Any file the user can read.
    User,
    /// Only files inside this directory (canonical): for a process whose
    /// input comes from a network.
    Within(PathBuf),
}

/// The directory this process is confined to, once [`confine`]d.
static CONFINED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Confines every file this process reads through [`Resolver::user`] to
/// `root`: the companion runs its jobs so, over a directory holding only
/// what the page uploaded, so a sheet from the network cannot name a file
/// outside it. Called once, before any file is read.
///
/// ## Errors
///
/// [`FileError::Io`] when `root` cannot be made canonical;
/// [`FileError::Outside`] when the process was confined already.
pub fn confine(root: &Path) -> Result<(), FileError> {
    let Resolver { policy } = Resolver::within(root)?;
    let Policy::Within(root) = policy else {
        return Err(FileError::Outside(root.display().to_string()));
    };
    CONFINED
        .set(root)
        .map_err(|r| FileError::Outside(r.display().to_string()))
}

/// Resolves and opens input files under a [`Policy`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolver {
    policy: Policy,
}

/// Why a file cannot be read.
#[derive(Debug)]
pub enum FileError {
    /// The file cannot be opened or read.
    Io(PathBuf, std::io::Error),
    /// Not a regular file: a directory, a FIFO, a device or a socket.
    NotRegular(PathBuf, &'static str),
    /// Larger than what is read whole.
    TooLarge {
        /// The file.
        path: PathBuf,
        /// What it is, for the message.
        what: &'static str,
        /// The cap.
        cap: u64,
    },
    /// Outside the files the policy admits.
    Outside(String),
    /// A name no file has exactly, that several files fit loosely
    /// ([`layout::names`]).
    Ambiguous {
        /// The name as written.
        name: String,
        /// The files that fit it.
        candidates: Vec<String>,
    },
}

/// A file a sheet names, as found by [`Resolver::find`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its path.
    pub path: PathBuf,
    /// Its name relative to the sheet, as a project keeps it: the name as
    /// written, or the one found in its place.
    pub name: String,
    /// When the name as written was not there: the warning naming the file
    /// used instead.
    pub warning: Option<String>,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            FileError::NotRegular(p, kind) => write!(
                f,
                "{} is {kind}, not a regular file; name a file",
                p.display()
            ),
            FileError::TooLarge { path, what, cap } => write!(
                f,
                "{} is larger than any {what} ({} MiB at most)",
                path.display(),
                cap >> 20
            ),
            FileError::Outside(name) => write!(
                f,
                "`{name}` is outside the files this disc may use; name a file beside the sheet"
            ),
            FileError::Ambiguous { name, candidates } => write!(
                f,
                "no file is named \"{name}\" and several fit it ({}); rename the one meant in the sheet",
                candidates.join(", ")
            ),
        }
    }
}

impl std::error::Error for FileError {}

impl Resolver {
    /// The command line's resolver: any file its user can read, unless
    /// this process was confined to a directory ([`confine`]).
    pub fn user() -> Resolver {
        match CONFINED.get() {
            Some(root) => Resolver {
                policy: Policy::Within(root.clone()),
            },
            None => Resolver {
                policy: Policy::User,
            },
        }
    }

    /// A resolver that admits only files inside `root`.
    ///
    /// ## Errors
    ///
    /// [`FileError::Io`] when `root` cannot be made canonical.
    pub fn within(root: &Path) -> Result<Resolver, FileError> {
        let root = root
            .canonicalize()
            .map_err(|e| FileError::Io(root.to_path_buf(), e))?;
        Ok(Resolver {
            policy: Policy::Within(root),
        })
    }

    /// The path of `name`, a name from a sheet or project, whose relative
    /// paths start at `base`.
    ///
    /// ## Errors
    ///
    /// [`FileError::Outside`] when the policy does not admit it: under
    /// [`Policy::Within`], an absolute name, a `..` that leaves the
    /// directory, or a symbolic link that leads out of it.
    pub fn resolve(&self, base: &Path, name: &str) -> Result<PathBuf, FileError> {
        let path = base.join(name);
        if self.policy == Policy::User {
            return Ok(path);
        }
        let outside = || FileError::Outside(name.to_string());
        let relative = Path::new(name);
        if relative.is_absolute()
            || relative
                .components()
                .any(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
        {
            return Err(outside());
        }
        self.admit(&path).map_err(|_| outside())?;
        Ok(path)
    }

    /// The file a sheet's `name` means, relative paths starting at `base`.
    /// The name as written wins when something has it; otherwise the one
    /// regular file [`layout::names::resolve_name`] finds for it (Windows
    /// separators, another case, and for an `audio` file another audio
    /// extension), with a warning naming it. Directories are listed and
    /// the file found resolved under the policy, so a loose match never
    /// reaches a file [`Resolver::resolve`] would refuse.
    ///
    /// ## Errors
    ///
    /// As [`Resolver::resolve`] for the name as written and the one found,
    /// and [`FileError::Ambiguous`] when several files fit. A name nothing
    /// fits is no error here: opening it says it is missing.
    pub fn find(&self, base: &Path, name: &str, audio: bool) -> Result<Found, FileError> {
        let path = self.resolve(base, name)?;
        let exact = |path: PathBuf| Found {
            path,
            name: name.to_string(),
            warning: None,
        };
        match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            _ => return Ok(exact(path)),
        }
        let mut list = |dir: &str| {
            let dir = self.resolve(base, dir).ok()?;
            // The directory of a sheet named without one is the current
            // directory.
            let dir = if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir
            };
            self.list(&dir).ok()
        };
        match layout::names::resolve_name(name, audio, &mut list) {
            Ok(found) if found.how.is_exact() => Ok(exact(path)),
            Ok(found) => Ok(Found {
                path: self.resolve(base, &found.path)?,
                warning: Some(found.warning(name)),
                name: found.path,
            }),
            Err(layout::names::NameError::NotFound) => Ok(exact(path)),
            Err(layout::names::NameError::Ambiguous(candidates)) => Err(FileError::Ambiguous {
                name: name.to_string(),
                candidates,
            }),
        }
    }

    /// The entries of directory `dir` the policy admits, with what each
    /// leads to once links are followed (an entry that cannot be examined
    /// is [`EntryKind::Other`]; a name that is not UTF-8 is left out, as
    /// no sheet read as text can name it).
    ///
    /// ## Errors
    ///
    /// [`FileError::Outside`] when the policy does not admit `dir`,
    /// [`FileError::Io`] when it cannot be listed.
    pub fn list(&self, dir: &Path) -> Result<Vec<Entry>, FileError> {
        self.admit(dir)?;
        let io = |e| FileError::Io(dir.to_path_buf(), e);
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let path = entry.path();
            if self.admit(&path).is_err() {
                continue;
            }
            let kind = match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => EntryKind::File,
                Ok(m) if m.is_dir() => EntryKind::Directory,
                _ => EntryKind::Other,
            };
            entries.push(Entry { name, kind });
        }
        Ok(entries)
    }

    /// Checks that `path` (which may not exist yet) lies inside the
    /// policy's directory once links are followed.
    fn admit(&self, path: &Path) -> Result<(), FileError> {
        let Policy::Within(root) = &self.policy else {
            return Ok(());
        };
        let shown = path.display().to_string();
        // The deepest existing ancestor decides where the path leads.
        let mut existing = path.to_path_buf();
        let mut rest = Vec::new();
        let canonical = loop {
            match existing.canonicalize() {
                Ok(c) => break c,
                Err(_) => {
                    let Some(name) = existing.file_name().map(|n| n.to_owned()) else {
                        return Err(FileError::Outside(shown));
                    };
                    rest.push(name);
                    if !existing.pop() {
                        return Err(FileError::Outside(shown));
                    }
                }
            }
        };
        let mut full = canonical;
        for part in rest.iter().rev() {
            if Path::new(part)
                .components()
                .any(|c| !matches!(c, Component::Normal(_)))
            {
                return Err(FileError::Outside(shown));
            }
            full.push(part);
        }
        if full.starts_with(root) {
            Ok(())
        } else {
            Err(FileError::Outside(shown))
        }
    }

    /// Opens `path` for reading if it is a regular file the policy admits.
    /// Opening never blocks (a FIFO is refused, not waited on).
    ///
    /// ## Errors
    ///
    /// [`FileError::Io`] when it cannot be opened, [`FileError::NotRegular`]
    /// for anything but a regular file, [`FileError::Outside`] when the
    /// policy does not admit it.
    pub fn open(&self, path: &Path) -> Result<(File, Metadata), FileError> {
        self.admit(path)?;
        let io = |e| FileError::Io(path.to_path_buf(), e);
        // Look before opening: opening a FIFO for reading waits for a
        // writer.
        let before = std::fs::metadata(path).map_err(io)?;
        if let Some(kind) = irregular(&before) {
            return Err(FileError::NotRegular(path.to_path_buf(), kind));
        }
        let file = open_nonblocking(path).map_err(io)?;
        // And after: the name may have been replaced in between.
        let meta = file.metadata().map_err(io)?;
        if let Some(kind) = irregular(&meta) {
            return Err(FileError::NotRegular(path.to_path_buf(), kind));
        }
        Ok((file, meta))
    }

    /// Reads a whole regular file of at most `cap` bytes; `what` names the
    /// kind of file for the message.
    ///
    /// ## Errors
    ///
    /// As [`Resolver::open`], and [`FileError::TooLarge`] past the cap
    /// (also when the file grows while it is read).
    pub fn read(&self, path: &Path, what: &'static str, cap: u64) -> Result<Vec<u8>, FileError> {
        let (file, meta) = self.open(path)?;
        let too_large = || FileError::TooLarge {
            path: path.to_path_buf(),
            what,
            cap,
        };
        if meta.len() > cap {
            return Err(too_large());
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| FileError::Io(path.to_path_buf(), e))?;
        if bytes.len() as u64 > cap {
            return Err(too_large());
        }
        Ok(bytes)
    }
}

/// What a file is when it is not a regular file.
fn irregular(meta: &Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_policy_reads_any_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let inside = dir.path().join("a.bin");
        std::fs::write(&inside, b"abc").unwrap();
        let r = Resolver::user();
        assert_eq!(r.resolve(dir.path(), "a.bin").unwrap(), inside);
        // Absolute names and `..` are the user's business.
        assert_eq!(
            r.resolve(Path::new("/nowhere"), inside.to_str().unwrap())
                .unwrap(),
            inside
        );
        assert_eq!(r.read(&inside, "sheet", 3).unwrap(), b"abc");
    }

    #[test]
    fn irregular_files_are_refused_by_name_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let r = Resolver::user();
        let e = r.open(dir.path()).unwrap_err().to_string();
        assert!(
            e.ends_with("is a directory, not a regular file; name a file"),
            "{e}"
        );
        let e = r.read(Path::new("/dev/zero"), "sheet", 16).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/dev/zero is a device, not a regular file; name a file"
        );
        #[cfg(unix)]
        {
            let fifo = dir.path().join("pipe");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            assert_eq!(mkfifo(&c), 0);
            // No writer: a blocking open would wait forever.
            let e = r.open(&fifo).unwrap_err().to_string();
            assert!(
                e.ends_with("pipe is a FIFO, not a regular file; name a file"),
                "{e}"
            );
        }
    }

    #[cfg(unix)]
    #[allow(unsafe_code)]
    fn mkfifo(path: &std::ffi::CStr) -> i32 {
        // SAFETY: a valid NUL-terminated path; mkfifo touches nothing else.
        unsafe { libc::mkfifo(path.as_ptr(), 0o600) }
    }

    #[test]
    fn reads_stop_at_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.cue");
        std::fs::write(&big, vec![b'x'; 100]).unwrap();
        let e = Resolver::user().read(&big, "cue sheet", 99).unwrap_err();
        assert!(matches!(e, FileError::TooLarge { cap: 99, .. }), "{e}");
        assert!(
            e.to_string().contains("is larger than any cue sheet"),
            "{e}"
        );
        assert_eq!(
            Resolver::user().read(&big, "cue sheet", 100).unwrap().len(),
            100
        );
    }

    #[test]
    fn a_directory_policy_admits_only_what_lies_inside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("spool");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("a.wav"), b"x").unwrap();
        std::fs::write(root.join("sub/b.wav"), b"x").unwrap();
        std::fs::write(dir.path().join("secret"), b"x").unwrap();
        let r = Resolver::within(&root).unwrap();
        assert!(r.resolve(&root, "a.wav").is_ok());
        assert!(r.resolve(&root, "sub/b.wav").is_ok());
        assert!(r.resolve(&root.join("sub"), "../a.wav").is_ok());
        assert!(r.resolve(&root, "not-yet.wav").is_ok());
        for name in [
            "../secret",
            "sub/../../secret",
            "/etc/passwd",
            "../spool/../secret",
        ] {
            let e = r.resolve(&root, name).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(
                    "`{name}` is outside the files this disc may use; name a file beside the sheet"
                )
            );
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret"), root.join("link")).unwrap();
            assert!(matches!(
                r.resolve(&root, "link"),
                Err(FileError::Outside(_))
            ));
            // Opening checks too, for paths that did not come through
            // resolve.
            assert!(matches!(
                r.open(&root.join("link")),
                Err(FileError::Outside(_))
            ));
            assert!(r.open(&root.join("a.wav")).is_ok());
        }
    }

    #[test]
    fn sheets_names_are_found_loosely_and_exact_names_win() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("Album")).unwrap();
        std::fs::write(d.join("Album/track 01.WAV"), b"x").unwrap();
        std::fs::write(d.join("a.flac"), b"x").unwrap();
        std::fs::write(d.join("b.flac"), b"x").unwrap();
        std::fs::write(d.join("b.mp3"), b"x").unwrap();
        std::fs::write(d.join("b.wav"), b"x").unwrap();
        let r = Resolver::user();
        let found = r.find(d, "Album\\Track 01.wav", true).unwrap();
        assert_eq!(found.path, d.join("Album/track 01.WAV"));
        assert_eq!(found.name, "Album/track 01.WAV");
        assert_eq!(
            found.warning.as_deref(),
            Some(
                "no file is named \"Album\\Track 01.wav\"; using \"Album/track 01.WAV\" (Windows separators, another case)"
            )
        );
        // Another extension for audio only.
        assert_eq!(r.find(d, "a.wav", true).unwrap().name, "a.flac");
        let data = r.find(d, "a.wav", false).unwrap();
        assert_eq!((data.name.as_str(), data.warning), ("a.wav", None));
        // The exact name wins over the other extensions.
        let exact = r.find(d, "b.wav", true).unwrap();
        assert_eq!((exact.path, exact.warning), (d.join("b.wav"), None));
        std::fs::remove_file(d.join("b.wav")).unwrap();
        let e = r.find(d, "b.wav", true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no file is named \"b.wav\" and several fit it (b.flac, b.mp3); rename the one meant in the sheet"
        );
        // Nothing fits: the name as written, for opening to say it is
        // missing.
        let gone = r.find(d, "gone.wav", true).unwrap();
        assert_eq!((gone.path, gone.warning), (d.join("gone.wav"), None));
    }

    #[test]
    fn loose_names_never_leave_a_directory_policy() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("spool");
        std::fs::create_dir_all(root.join("Sub")).unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        std::fs::write(root.join("Sub/A.WAV"), b"x").unwrap();
        std::fs::write(dir.path().join("secret"), b"x").unwrap();
        std::fs::write(dir.path().join("outside/Secret.wav"), b"x").unwrap();
        let r = Resolver::within(&root).unwrap();
        let found = r.find(&root, "sub\\a.wav", true).unwrap();
        assert_eq!(found.path, root.join("Sub/A.WAV"));
        // Absolute names are refused as written.
        assert!(matches!(
            r.find(&root, "/etc/passwd", false),
            Err(FileError::Outside(_))
        ));
        // Written with backslashes they are one name inside the
        // directory, and their `/` form is never reached.
        for name in [
            "..\\secret",
            "..\\SECRET",
            "Sub\\..\\..\\secret",
            "..\\outside\\secret.flac",
            "\\etc\\passwd",
        ] {
            let found = r.find(&root, name, true).unwrap();
            assert_eq!(found.path, root.join(name), "{name}");
            assert_eq!(found.warning, None, "{name}");
            assert!(r.open(&found.path).is_err(), "{name}");
        }
        #[cfg(unix)]
        {
            // A link out of the directory is not listed, whatever the
            // case of the name.
            std::os::unix::fs::symlink(dir.path().join("outside"), root.join("Out")).unwrap();
            let found = r.find(&root, "out/secret.wav", true).unwrap();
            assert_eq!(found.path, root.join("out/secret.wav"));
            assert_eq!(found.warning, None);
            assert!(!r.list(&root).unwrap().iter().any(|e| e.name == "Out"));
            assert!(matches!(
                r.list(&root.join("Out")),
                Err(FileError::Outside(_))
            ));
        }
    }
}
