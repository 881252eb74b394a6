//! Ctrl-C (and SIGTERM, SIGHUP): one handler for every command.
//!
//! The first signal asks the command to stop at its next safe point
//! ([`stop_requested`]): a burn flushes and closes what it can, a build or
//! a read stops writing and removes its partial files. A second signal
//! ends the process at once, after removing every file and directory that
//! was registered as unfinished ([`Unfinished`]), so nothing half-written
//! is left behind either way.

use crate::error::ExitKind;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);
static NEXT_ID: AtomicU64 = AtomicU64::new(0);
/// Unfinished outputs: removed if the process is ended by a second signal.
static UNFINISHED: Mutex<Vec<(u64, PathBuf)>> = Mutex::new(Vec::new());

/// Installs the handler. Called once, before any command runs; a failure
/// to install leaves the system's default (the process ends at once).
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            remove_unfinished();
            std::process::exit(ExitKind::Cancelled.code() as i32);
        }
    });
}

/// Whether a stop was asked for.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// A file or directory being written; removed when the process is ended
/// by a second signal before it is finished. Dropping it (when the output
/// was completed or cleaned up by its owner) forgets it.
#[derive(Debug)]
pub struct Unfinished {
    id: u64,
}

impl Unfinished {
    /// Registers `path`.
    pub fn new(path: &Path) -> Unfinished {
        let id = NEXT_ID.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut list) = UNFINISHED.lock() {
            list.push((id, path.to_path_buf()));
        }
        Unfinished { id }
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Ok(mut list) = UNFINISHED.lock() {
            list.retain(|(id, _)| *id != self.id);
        }
    }
}

fn remove_unfinished() {
    // The handler runs on a thread of its own, so waiting for the lock is
    // safe: the main thread holds it only to add or drop an entry.
    let list = match UNFINISHED.lock() {
        Ok(l) => l,
        Err(poisoned) => poisoned.into_inner(),
    };
    remove(list.iter().map(|(_, p)| p.as_path()));
}

fn remove<'a>(paths: impl Iterator<Item = &'a Path>) {
    for path in paths {
        // The main thread may be removing the same directory as it
        // unwinds a cancelled command: go on until it is gone.
        for _ in 0..10 {
            let gone = if path.is_dir() {
                std::fs::remove_dir_all(path).is_ok()
            } else {
                std::fs::remove_file(path).is_ok()
            };
            if gone || std::fs::symlink_metadata(path).is_err() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registered(path: &Path) -> bool {
        UNFINISHED.lock().unwrap().iter().any(|(_, p)| p == path)
    }

    #[test]
    fn unfinished_outputs_are_registered_until_dropped() {
        let path = Path::new("/nonexistent/unfinished-registration-test");
        let r = Unfinished::new(path);
        assert!(registered(path));
        drop(r);
        assert!(!registered(path));
    }

    #[test]
    fn removal_takes_files_and_whole_directories() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.part"), dir.path().join("work"));
        std::fs::write(&a, b"x").unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(b.join("inner"), b"x").unwrap();
        let kept = dir.path().join("kept");
        std::fs::write(&kept, b"x").unwrap();
        remove([a.as_path(), b.as_path()].into_iter());
        assert!(!a.exists() && !b.exists());
        assert!(kept.exists());
    }
}
