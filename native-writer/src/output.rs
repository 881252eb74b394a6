//! Output files written whole or not at all.
//!
//! Every file a command writes (an image's sheet and binaries, a `.cdt`,
//! input sheets, a project) is written as a temporary file beside its
//! target and renamed into place only when the whole set is complete. A
//! failure, an early return or a signal leaves the targets as they were
//! and removes the temporary files: dropping an unfinished [`Outputs`]
//! removes them, and a second Ctrl-C removes them before the process ends
//! (see [`crate::signal`]).

use crate::error::{CliError, ExitKind};
use crate::signal::Unfinished;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::TempPath;

/// Buffer per file being written.
const BUFFER: usize = 1 << 20;

/// Writes this long or longer go straight to the file.
const DIRECT: usize = 64 << 10;

/// A set of output files, committed together.
#[derive(Debug, Default)]
pub struct Outputs {
    pending: Vec<Pending>,
}

#[derive(Debug)]
struct Pending {
    target: PathBuf,
    writer: BufWriter<File>,
    temp: TempPath,
    _unfinished: Unfinished,
}

/// Which file of an [`Outputs`] set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputId(usize);

/// Moves finished files into place, `(from, to)` in order (the file that
/// names the others last), and returns the targets. `from` and `to` must
/// be on one file system. When one cannot be moved, those already in
/// place are removed.
///
/// ## Errors
///
/// [`ExitKind::Output`] naming the target that could not be placed (a
/// directory in the way, a rename the system refused).
pub fn move_into_place(moves: &[(PathBuf, PathBuf)]) -> Result<Vec<PathBuf>, CliError> {
    for (_, to) in moves {
        in_the_way(to)?;
    }
    let mut done: Vec<PathBuf> = Vec::new();
    for (from, to) in moves {
        if let Err(e) = std::fs::rename(from, to) {
            for d in &done {
                let _ = std::fs::remove_file(d);
            }
            return Err(output_error(to, e));
        }
        done.push(to.clone());
    }
    Ok(done)
}

/// Refuses a target that exists and is not a regular file: renaming over
/// a directory fails, and renaming over a device or FIFO would replace it.
fn in_the_way(target: &Path) -> Result<(), CliError> {
    let Ok(meta) = std::fs::symlink_metadata(target) else {
        return Ok(());
    };
    let t = meta.file_type();
    if t.is_file() || t.is_symlink() && target.is_file() {
        return Ok(());
    }
    Err(output_error(
        target,
        if target.is_dir() {
            "it is a directory"
        } else {
            "it is not a regular file (a device, a FIFO or a socket); name a file"
        },
    ))
}

/// Writes a command's output to stdout.
///
/// ## Errors
///
/// [`ExitKind::Output`] when stdout does not take it (a closed pipe, a
/// full disk).
pub fn stdout(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| {
            CliError::new(ExitKind::Output, "cannot write the output to stdout").caused_by(e)
        })
}

/// The error for an output that cannot be written.
pub fn output_error(path: &Path, e: impl std::fmt::Display) -> CliError {
    CliError::new(ExitKind::Output, format!("cannot write {}", path.display())).caused_by(e)
}

impl Outputs {
    /// An empty set.
    pub fn new() -> Outputs {
        Outputs::default()
    }

    /// Starts writing `target`.
    ///
    /// ## Errors
    ///
    /// [`ExitKind::Output`] when `target` is a directory or named twice, or
    /// its directory does not take a new file.
    pub fn start(&mut self, target: &Path) -> Result<OutputId, CliError> {
        in_the_way(target)?;
        if self.pending.iter().any(|p| p.target == target) {
            return Err(output_error(target, "the output names it twice"));
        }
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| output_error(target, "no file name"))?;
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(|e| output_error(target, e))?;
        let (file, temp) = temp.into_parts();
        let unfinished = Unfinished::new(&temp);
        self.pending.push(Pending {
            target: target.to_path_buf(),
            writer: BufWriter::with_capacity(BUFFER, file),
            temp,
            _unfinished: unfinished,
        });
        Ok(OutputId(self.pending.len() - 1))
    }

    /// Appends `bytes` to a file of the set.
    ///
    /// ## Errors
    ///
    /// [`ExitKind::Output`] naming the target (a full disk, an I/O error).
    pub fn write(&mut self, id: OutputId, bytes: &[u8]) -> Result<(), CliError> {
        let p = self
            .pending
            .get_mut(id.0)
            .ok_or_else(|| CliError::new(ExitKind::Output, "an output that was not started"))?;
        let written = if bytes.len() >= DIRECT {
            // Frames come in large batches: copying them into the buffer
            // first would only cost time.
            p.writer
                .flush()
                .and_then(|()| p.writer.get_mut().write_all(bytes))
        } else {
            p.writer.write_all(bytes)
        };
        written.map_err(|e| output_error(&p.target, e))
    }

    /// Starts `target` with all of its bytes.
    ///
    /// ## Errors
    ///
    /// As [`Outputs::start`] and [`Outputs::write`].
    pub fn file(&mut self, target: &Path, bytes: &[u8]) -> Result<(), CliError> {
        let id = self.start(target)?;
        self.write(id, bytes)
    }

    /// Puts every file in place, in the order they were started (binaries
    /// before the sheets that name them); returns the targets. When one
    /// cannot be put in place, those already in place are removed too.
    ///
    /// ## Errors
    ///
    /// [`ExitKind::Output`] naming the file that failed.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, CliError> {
        for p in &mut self.pending {
            p.writer.flush().map_err(|e| output_error(&p.target, e))?;
        }
        let mut done: Vec<PathBuf> = Vec::new();
        for p in std::mem::take(&mut self.pending) {
            let Pending {
                target,
                writer,
                temp,
                _unfinished,
            } = p;
            drop(writer);
            if let Err(e) = temp.persist(&target) {
                for d in &done {
                    let _ = std::fs::remove_file(d);
                }
                return Err(output_error(&target, e.error));
            }
            done.push(target);
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_set_appears_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = Outputs::new();
        let bin = out.start(&dir.path().join("a.bin")).unwrap();
        out.write(bin, b"abc").unwrap();
        out.write(bin, b"def").unwrap();
        out.file(&dir.path().join("a.cue"), b"FILE").unwrap();
        let parts = names(dir.path());
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|n| n.ends_with(".part")), "{parts:?}");
        let done = out.commit().unwrap();
        assert_eq!(
            done,
            vec![dir.path().join("a.bin"), dir.path().join("a.cue")]
        );
        assert_eq!(names(dir.path()), ["a.bin", "a.cue"]);
        assert_eq!(std::fs::read(dir.path().join("a.bin")).unwrap(), b"abcdef");
    }

    #[test]
    fn a_dropped_set_leaves_nothing_and_keeps_what_was_there() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.cue"), b"old").unwrap();
        let mut out = Outputs::new();
        out.file(&dir.path().join("a.cue"), b"new").unwrap();
        out.file(&dir.path().join("a.bin"), b"new").unwrap();
        drop(out);
        assert_eq!(names(dir.path()), ["a.cue"]);
        assert_eq!(std::fs::read(dir.path().join("a.cue")).unwrap(), b"old");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_or_fifo_in_the_way_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.cdt");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let mut out = Outputs::new();
        let e = out.start(&fifo).unwrap_err().to_string();
        assert!(
            e.ends_with(
                "caused by: it is not a regular file (a device, a FIFO or a socket); name a file"
            ),
            "{e}"
        );
        let e = Outputs::new().start(Path::new("/dev/null")).unwrap_err();
        assert_eq!(e.kind, ExitKind::Output);
        let e = move_into_place(&[(dir.path().join("a"), fifo.clone())]).unwrap_err();
        assert_eq!(e.kind, ExitKind::Output);
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }

    #[test]
    fn a_directory_in_the_way_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("x.img")).unwrap();
        let mut out = Outputs::new();
        out.file(&dir.path().join("x.ccd"), b"ccd").unwrap();
        let e = out.start(&dir.path().join("x.img")).unwrap_err();
        assert_eq!(e.kind, ExitKind::Output);
        assert!(
            e.to_string()
                .ends_with("x.img\n  caused by: it is a directory"),
            "{e}"
        );
        drop(out);
        assert_eq!(names(dir.path()), ["x.img"]);
    }
}
