//! The bridge's disc file: a [`SectorStore`] over a `.vdisc` in the layout
//! `vdrive::vdisc` defines, so `rawburn vdisc create` makes the discs the
//! bridge burns and `rawburn --virtual` reads them back.
//!
//! The file is held under an exclusive lock while the bridge runs. Frames
//! are written in place; before a frame goes where the header does not
//! allow one yet, the range from it to the end of the disc is marked
//! pending in the header, and saving the recorder's state makes the
//! written ranges exact again, as the `rawburn` binary does. A file left
//! mid-change (pending ranges, frames past the listed ones) is refused:
//! `rawburn media --virtual DISC` repairs it first.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use vdrive::disc::{DiscMeta, DiscStatus};
use vdrive::store::{FRAME, SectorStore, StoreError};
use vdrive::vdisc::{self, END_LBA, FIRST_LBA, HEADER_AREA, Ranges, VdiscHeader};

/// A `.vdisc` opened for writing.
#[derive(Debug)]
pub struct DiscFile {
    file: File,
    path: PathBuf,
    written: Ranges,
    pending: Ranges,
    disc: serde_json::Value,
    /// Frames were written since the header last was.
    dirty: bool,
}

impl DiscFile {
    /// Opens `path` under an exclusive lock; returns it with the disc's
    /// state.
    ///
    /// ## Errors
    ///
    /// A message when the file cannot be opened, is locked by another
    /// program, is not a virtual disc, or was left mid-change.
    pub fn open(path: &Path) -> Result<(DiscFile, DiscMeta), String> {
        let shown = path.display();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| format!("cannot open {shown}: {e}"))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(format!("{shown} is in use by another program"));
            }
            Err(TryLockError::Error(e)) => return Err(format!("cannot lock {shown}: {e}")),
        }
        let len = file
            .metadata()
            .map_err(|e| format!("cannot read {shown}: {e}"))?
            .len();
        let mut head = Vec::new();
        (&mut file)
            .take(HEADER_AREA)
            .read_to_end(&mut head)
            .map_err(|e| format!("cannot read {shown}: {e}"))?;
        let header = vdisc::decode_header(&head).map_err(|e| format!("{shown}: {e}"))?;
        let meta = header.meta().map_err(|e| format!("{shown}: {e}"))?;
        let end = vdisc::frames_end(len).map_err(|e| format!("{shown}: {e}"))?;
        let listed = header.written.end().unwrap_or(FIRST_LBA);
        if !header.pending.is_empty() || end > listed {
            return Err(format!(
                "{shown} was left in the middle of a change: run `rawburn media --virtual {shown}` \
                 to settle it first"
            ));
        }
        vdisc::check_frames(&meta, &header.written, end).map_err(|e| format!("{shown}: {e}"))?;
        Ok((
            DiscFile {
                file,
                path: path.to_path_buf(),
                written: header.written,
                pending: Ranges::new(),
                disc: header.disc,
                dirty: false,
            },
            meta,
        ))
    }

    fn error(&self, what: &str, e: impl std::fmt::Display) -> StoreError {
        StoreError(format!("cannot {what} {}: {e}", self.path.display()))
    }

    fn write_header(&mut self) -> Result<(), StoreError> {
        let bytes = vdisc::encode_header(&VdiscHeader {
            written: self.written.clone(),
            pending: self.pending.clone(),
            disc: self.disc.clone(),
        })
        .map_err(|e| self.error("encode the header of", e))?;
        let done = self
            .file
            .seek(SeekFrom::Start(0))
            .and_then(|_| self.file.write_all(&bytes));
        done.map_err(|e| self.error("write the header of", e))?;
        self.dirty = false;
        Ok(())
    }

    fn seek(&mut self, lba: layout::msf::Lba) -> Result<(), StoreError> {
        let offset = vdisc::frame_offset(lba).map_err(|e| self.error("address", e))?;
        let done = self.file.seek(SeekFrom::Start(offset));
        done.map(|_| ()).map_err(|e| self.error("seek in", e))
    }

    fn sync(&mut self) -> Result<(), StoreError> {
        let done = self.file.sync_data();
        done.map_err(|e| self.error("write", e))
    }
}

impl SectorStore for DiscFile {
    fn write_frame(&mut self, lba: layout::msf::Lba, frame: &[u8]) -> Result<(), StoreError> {
        if frame.len() != FRAME {
            return Err(StoreError(format!("frame of {} bytes", frame.len())));
        }
        if !self.pending.contains(lba) {
            self.pending.insert_range(lba, END_LBA);
            self.write_header()?;
            self.sync()?;
        }
        self.seek(lba)?;
        let done = self.file.write_all(frame);
        done.map_err(|e| self.error("write", e))?;
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
        let done = self.file.read_exact(&mut out[..FRAME]);
        done.map_err(|e| self.error("read", e))?;
        Ok(true)
    }

    fn erase(&mut self) -> Result<(), StoreError> {
        let written = std::mem::take(&mut self.written);
        self.pending.extend(&written);
        self.write_header()?;
        self.sync()?;
        let done = self.file.set_len(HEADER_AREA);
        done.map_err(|e| self.error("erase", e))
    }

    fn save_meta(&mut self, meta: &[u8]) -> Result<(), StoreError> {
        let disc: serde_json::Value =
            serde_json::from_slice(meta).map_err(|e| StoreError(e.to_string()))?;
        if disc == self.disc && !self.dirty && self.pending.is_empty() {
            return Ok(());
        }
        // A blank disc's state does not account for frames (a recording
        // under way): they stay pending until one that does.
        let accounted = self.written.is_empty()
            || serde_json::from_value::<DiscMeta>(disc.clone())
                .is_ok_and(|m| m.status() != DiscStatus::Blank);
        if accounted && !self.pending.is_empty() {
            self.sync()?;
            self.pending.clear();
        }
        self.disc = disc;
        self.write_header()
    }
}

impl Drop for DiscFile {
    /// Lists frames written since the header last was (they stay pending).
    fn drop(&mut self) {
        if self.dirty {
            let _ = self.write_header();
        }
    }
}
