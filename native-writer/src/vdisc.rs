//! Virtual discs in files: a [`SectorStore`] over a `.vdisc` (the layout
//! is `vdrive::vdisc`'s: a header with the written ranges and the disc's
//! state, then one 2448-byte frame per LBA from 90:00:00, sparse).
//!
//! A command holds a lock on the file for as long as it uses it: an
//! exclusive one when it may write ([`Access::Write`]), a shared one when
//! it only reads ([`Access::Read`], the file opened read-only), so two
//! burns never share a disc and a read never sees one half written.
//!
//! The header never claims less than the frames hold: before a frame goes
//! outside what the header allows, the range from it to the end of the
//! disc is recorded as pending and the header made durable; saving the
//! recorder's state makes the written ranges exact again and clears it. A
//! file opened with pending ranges was stopped mid-change (a killed
//! process, a lost machine): its frames there are found by looking, and
//! the disc is damaged, as a real one is after power loss mid-burn.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use vdrive::disc::{DiscMeta, DiscStatus};
use vdrive::store::{FRAME, SectorStore, StoreError};
use vdrive::vdisc::{self, END_LBA, FIRST_LBA, HEADER_AREA, Ranges, VdiscError, VdiscHeader};

/// What a command does with a disc file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Access {
    /// Reads only: opened read-only under a shared lock; the drive sees
    /// the disc write-protected.
    Read,
    /// May write: opened read-write under an exclusive lock.
    #[default]
    Write,
}

/// Why a disc file cannot be opened or created.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Another process holds the file's lock.
    #[error("{} is in use by another rawburn", .0.display())]
    Busy(PathBuf),
    /// `create` without replacing, and the file is there.
    #[error("{} exists", .0.display())]
    Exists(PathBuf),
    /// The system refused.
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        /// The file (or its directory).
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// Why not.
        source: io::Error,
    },
    /// A FIFO, a device or a directory where the disc file should be.
    #[error("{} is {kind}, not a regular file; name a virtual disc file", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// Not a virtual disc this rawburn can use.
    #[error("{}: {source}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: VdiscError,
    },
}

impl FileError {
    /// The system's reason, for I/O errors.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            FileError::Io { source, .. } => Some(source.kind()),
            _ => None,
        }
    }
}

/// Refuses anything but a regular file (a missing one is left to the
/// caller's open, which names it).
fn regular(path: &Path) -> Result<(), FileError> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let t = meta.file_type();
    if t.is_file() {
        return Ok(());
    }
    let kind = if t.is_dir() {
        "a directory"
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if t.is_fifo() {
                "a FIFO"
            } else if t.is_char_device() || t.is_block_device() {
                "a device"
            } else {
                "not a regular file"
            }
        }
        #[cfg(not(unix))]
        {
            "not a regular file"
        }
    };
    Err(FileError::NotRegular {
        path: path.to_path_buf(),
        kind,
    })
}

/// A virtual disc kept in a file.
#[derive(Debug)]
pub struct FileStore {
    file: File,
    path: PathBuf,
    access: Access,
    written: Ranges,
    pending: Ranges,
    disc: serde_json::Value,
    /// Frames were written since the header last was.
    dirty: bool,
    /// A write failed part-way: frames may be where `written` does not
    /// say, so `pending` must stay in the header.
    torn: bool,
}

impl FileStore {
    /// Writes `path` holding the blank disc `meta`, all at once: the disc
    /// is made in a temporary file beside it, then renamed over it. A
    /// file there is replaced only with `replace`, and not while another
    /// rawburn uses it. Nothing is left behind on failure.
    ///
    /// ## Errors
    ///
    /// [`FileError::Exists`] (without `replace`), [`FileError::Busy`],
    /// [`FileError::Io`] when the file cannot be written.
    pub fn create(path: &Path, meta: &DiscMeta, replace: bool) -> Result<(), FileError> {
        let io = |what, source| FileError::Io {
            path: path.to_path_buf(),
            what,
            source,
        };
        if !replace && path.exists() {
            return Err(FileError::Exists(path.to_path_buf()));
        }
        // Opening a FIFO waits for a writer: look before opening.
        if path.exists() {
            regular(path)?;
        }
        // Hold the lock of the disc being replaced until its successor is
        // in place, so no command opens the old one in between.
        let _old = match File::open(path) {
            Ok(f) => match f.try_lock() {
                Ok(()) => Some(f),
                Err(TryLockError::WouldBlock) => return Err(FileError::Busy(path.to_path_buf())),
                Err(TryLockError::Error(e)) => return Err(io("lock", e)),
            },
            Err(_) => None,
        };
        let bytes = vdisc::encode_header(&VdiscHeader {
            written: Ranges::new(),
            pending: Ranges::new(),
            disc: serde_json::to_value(meta).map_err(|e| io("encode", e.into()))?,
        })
        .map_err(|source| FileError::Invalid {
            path: path.to_path_buf(),
            source,
        })?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map_or_else(|| "disc".into(), |n| n.to_string_lossy().into_owned());
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut temp = builder.tempfile_in(dir).map_err(|e| FileError::Io {
            path: dir.to_path_buf(),
            what: "create a file in",
            source: e,
        })?;
        let file = temp.as_file_mut();
        file.set_len(HEADER_AREA)
            .and_then(|()| file.write_all(&bytes))
            .and_then(|()| file.sync_all())
            .map_err(|e| io("write", e))?;
        let persisted = if replace {
            temp.persist(path)
        } else {
            temp.persist_noclobber(path)
        };
        match persisted {
            Ok(_) => Ok(()),
            Err(e) if !replace && e.error.kind() == io::ErrorKind::AlreadyExists => {
                Err(FileError::Exists(path.to_path_buf()))
            }
            Err(e) => Err(io("write", e.error)),
        }
    }

    /// Opens the virtual disc in `path` for `access`, under its lock,
    /// returning it with its state: checked, and damaged when the file was
    /// left mid-change.
    ///
    /// ## Errors
    ///
    /// [`FileError::Busy`] when another process holds the lock,
    /// [`FileError::Io`] when the file cannot be opened or read,
    /// [`FileError::Invalid`] when it is not a virtual disc this version
    /// reads or its header cannot be true.
    pub fn open(path: &Path, access: Access) -> Result<(FileStore, DiscMeta), FileError> {
        let io = |what, source| FileError::Io {
            path: path.to_path_buf(),
            what,
            source,
        };
        let invalid = |source| FileError::Invalid {
            path: path.to_path_buf(),
            source,
        };
        regular(path)?;
        let mut file = match access {
            Access::Read => File::open(path),
            Access::Write => OpenOptions::new().read(true).write(true).open(path),
        }
        .map_err(|e| io("open", e))?;
        let locked = match access {
            Access::Read => file.try_lock_shared(),
            Access::Write => file.try_lock(),
        };
        match locked {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(FileError::Busy(path.to_path_buf())),
            Err(TryLockError::Error(e)) => return Err(io("lock", e)),
        }
        let len = file.metadata().map_err(|e| io("read", e))?.len();
        let mut head = Vec::new();
        (&mut file)
            .take(HEADER_AREA)
            .read_to_end(&mut head)
            .map_err(|e| io("read", e))?;
        let header = vdisc::decode_header(&head).map_err(invalid)?;
        let mut meta = header.meta().map_err(invalid)?;
        let end = vdisc::frames_end(len).map_err(invalid)?;
        let mut written = header.written;
        let mut pending = header.pending;
        // Bytes past the last listed frame and not pending were written
        // after the header was (a version-1 file a burn stopped in).
        let listed = written.end().unwrap_or(FIRST_LBA);
        if !pending.covers(listed, end) {
            pending.insert_range(listed, end);
        }
        if !pending.is_empty() {
            let found = scan(&mut file, &pending, &written, end).map_err(|e| io("read", e))?;
            written.extend(&found);
            meta.interrupt();
        }
        vdisc::check_frames(&meta, &written, end).map_err(invalid)?;
        let disc = serde_json::to_value(&meta).map_err(|e| io("read", e.into()))?;
        Ok((
            FileStore {
                file,
                path: path.to_path_buf(),
                access,
                written,
                pending,
                disc,
                dirty: false,
                torn: false,
            },
            meta,
        ))
    }

    /// The LBA ranges holding frames.
    #[cfg(test)]
    pub fn written(&self) -> &Ranges {
        &self.written
    }

    fn write_header(&mut self) -> Result<(), StoreError> {
        let bytes = vdisc::encode_header(&VdiscHeader {
            written: self.written.clone(),
            pending: self.pending.clone(),
            disc: self.disc.clone(),
        })
        .map_err(|e| StoreError(format!("{}: {e}", self.path.display())))?;
        let path = self.path.clone();
        self.file
            .seek(SeekFrom::Start(0))
            .and_then(|_| self.file.write_all(&bytes))
            .map_err(|e| io_error(&path, "write the header of", e))?;
        self.dirty = false;
        Ok(())
    }

    /// Makes the header allow frames from `lba` to the end of the disc,
    /// durably, before any is written there.
    fn claim(&mut self, lba: layout::msf::Lba) -> Result<(), StoreError> {
        self.pending.insert_range(lba, END_LBA);
        self.write_header()?;
        self.sync()
    }

    fn sync(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        self.file
            .sync_data()
            .map_err(|e| io_error(&path, "write", e))
    }

    fn writable(&self) -> Result<(), StoreError> {
        match self.access {
            Access::Write => Ok(()),
            Access::Read => Err(StoreError(format!(
                "{} is open read-only",
                self.path.display()
            ))),
        }
    }

    fn seek(&mut self, lba: layout::msf::Lba) -> Result<(), StoreError> {
        let offset = vdisc::frame_offset(lba)
            .map_err(|e| StoreError(format!("{}: {e}", self.path.display())))?;
        let path = self.path.clone();
        self.file
            .seek(SeekFrom::Start(offset))
            .map(|_| ())
            .map_err(|e| io_error(&path, "seek in", e))
    }
}

impl SectorStore for FileStore {
    fn write_frame(&mut self, lba: layout::msf::Lba, frame: &[u8]) -> Result<(), StoreError> {
        self.writable()?;
        if frame.len() != FRAME {
            return Err(StoreError(format!("frame of {} bytes", frame.len())));
        }
        if !self.pending.contains(lba) {
            vdisc::frame_offset(lba)
                .map_err(|e| StoreError(format!("{}: {e}", self.path.display())))?;
            self.claim(lba)?;
        }
        self.seek(lba)?;
        let path = self.path.clone();
        if let Err(e) = self.file.write_all(frame) {
            self.torn = true;
            return Err(io_error(&path, "write", e));
        }
        self.written.insert(lba);
        self.dirty = true;
        Ok(())
    }

    fn read_frame(&mut self, lba: layout::msf::Lba, out: &mut [u8]) -> Result<bool, StoreError> {
        if !self.written.contains(lba) {
            out[..FRAME].fill(0);
            return Ok(false);
        }
        self.seek(lba)?;
        let path = self.path.clone();
        self.file
            .read_exact(&mut out[..FRAME])
            .map_err(|e| io_error(&path, "read", e))?;
        Ok(true)
    }

    fn erase(&mut self) -> Result<(), StoreError> {
        self.writable()?;
        // The frames are pending until the blank state is saved.
        let written = std::mem::take(&mut self.written);
        self.pending.extend(&written);
        self.write_header()?;
        self.sync()?;
        let path = self.path.clone();
        if let Err(e) = self.file.set_len(HEADER_AREA) {
            self.torn = true;
            return Err(io_error(&path, "erase", e));
        }
        Ok(())
    }

    fn save_meta(&mut self, meta: &[u8]) -> Result<(), StoreError> {
        let disc: serde_json::Value =
            serde_json::from_slice(meta).map_err(|e| StoreError(e.to_string()))?;
        let changed = disc != self.disc;
        if self.access == Access::Read {
            return if changed { self.writable() } else { Ok(()) };
        }
        if !changed && !self.dirty && self.pending.is_empty() {
            return Ok(());
        }
        // A state that does not account for the frames (a recording under
        // way on a blank disc) keeps them pending.
        let accounted = self.written.is_empty()
            || serde_json::from_value::<DiscMeta>(disc.clone())
                .is_ok_and(|m| m.status() != DiscStatus::Blank);
        if !self.pending.is_empty() && !self.torn && accounted {
            // The frames are on disk before the header stops saying they
            // may be anywhere.
            self.sync()?;
            self.pending.clear();
        }
        self.disc = disc;
        self.write_header()
    }

    fn read_only(&self) -> bool {
        self.access == Access::Read
    }
}

impl Drop for FileStore {
    /// Lists frames recorded since the header was last written (their
    /// range stays pending: the recorder did not save its state after
    /// them). Should this fail, the pending range still covers them.
    fn drop(&mut self) {
        if self.dirty && self.access == Access::Write {
            let _ = self.write_header();
        }
    }
}

/// Frames a change left in `pending` beyond `written`, up to `end`: those
/// not all zeros (a frame the recorder writes always carries Q).
fn scan(
    file: &mut File,
    pending: &Ranges,
    written: &Ranges,
    end: layout::msf::Lba,
) -> io::Result<Ranges> {
    const CHUNK: i32 = 256;
    let mut found = Ranges::new();
    let mut buf = vec![0u8; CHUNK as usize * FRAME];
    for &(from, to) in pending.ranges() {
        let mut lba = from.max(FIRST_LBA.get());
        let to = to.min(end.get());
        while lba < to {
            let n = CHUNK.min(to - lba);
            let offset = vdisc::frame_offset(layout::msf::Lba(lba))
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            file.seek(SeekFrom::Start(offset))?;
            let want = n as usize * FRAME;
            let got = read_up_to(file, &mut buf[..want])?;
            buf[got..want].fill(0);
            for (k, frame) in buf[..want].chunks_exact(FRAME).enumerate() {
                let l = layout::msf::Lba(lba + k as i32);
                if !written.contains(l) && frame.iter().fold(0, |acc, &b| acc | b) != 0 {
                    found.insert(l);
                }
            }
            lba += n;
        }
    }
    Ok(found)
}

/// Reads until `buf` is full or the file ends; returns the bytes read.
fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

fn io_error(path: &Path, what: &str, e: io::Error) -> StoreError {
    StoreError(format!("cannot {what} {}: {e}", path.display()))
}

#[cfg(test)]
mod tests;
