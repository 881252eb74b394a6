//! Virtual discs in files: a [`SectorStore`] over a `.vdisc` (the layout
//! is `vdrive::vdisc`'s: a header with the written ranges and the disc's
//! state, then one 2448-byte frame per LBA from 90:00:00, sparse).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use vdrive::disc::DiscMeta;
use vdrive::store::{FRAME, SectorStore, StoreError};
use vdrive::vdisc::{self, HEADER_AREA, Ranges, VdiscHeader};

/// A virtual disc kept in a file.
#[derive(Debug)]
pub struct FileStore {
    file: File,
    path: PathBuf,
    written: Ranges,
    disc: serde_json::Value,
}

impl FileStore {
    /// Creates (or replaces) `path` holding the blank disc `meta`.
    ///
    /// ## Errors
    ///
    /// [`StoreError`] naming the file when it cannot be written.
    pub fn create(path: &Path, meta: &DiscMeta) -> Result<FileStore, StoreError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(|e| io_error(path, "create", e))?;
        let mut store = FileStore {
            file,
            path: path.to_path_buf(),
            written: Ranges::new(),
            disc: serde_json::to_value(meta).map_err(|e| StoreError(e.to_string()))?,
        };
        store
            .file
            .set_len(HEADER_AREA)
            .map_err(|e| io_error(path, "size", e))?;
        store.write_header()?;
        Ok(store)
    }

    /// Opens the virtual disc in `path`, returning it with its state.
    ///
    /// ## Errors
    ///
    /// [`StoreError`] when the file cannot be read or is not a virtual
    /// disc this version reads.
    pub fn open(path: &Path) -> Result<(FileStore, DiscMeta), StoreError> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| io_error(path, "open", e))?;
        let mut head = Vec::new();
        (&mut file)
            .take(HEADER_AREA)
            .read_to_end(&mut head)
            .map_err(|e| io_error(path, "read", e))?;
        let header = vdisc::decode_header(&head)
            .map_err(|e| StoreError(format!("{}: {e}", path.display())))?;
        let meta: DiscMeta = serde_json::from_value(header.disc.clone())
            .map_err(|e| StoreError(format!("{}: disc state: {e}", path.display())))?;
        Ok((
            FileStore {
                file,
                path: path.to_path_buf(),
                written: header.written,
                disc: header.disc,
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
            disc: self.disc.clone(),
        })
        .map_err(|e| StoreError(format!("{}: {e}", self.path.display())))?;
        let path = self.path.clone();
        self.file
            .seek(SeekFrom::Start(0))
            .and_then(|_| self.file.write_all(&bytes))
            .and_then(|_| self.file.flush())
            .map_err(|e| io_error(&path, "write the header of", e))
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
        if frame.len() != FRAME {
            return Err(StoreError(format!("frame of {} bytes", frame.len())));
        }
        self.seek(lba)?;
        let path = self.path.clone();
        self.file
            .write_all(frame)
            .map_err(|e| io_error(&path, "write", e))?;
        self.written.insert(lba);
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
        let path = self.path.clone();
        self.file
            .set_len(HEADER_AREA)
            .map_err(|e| io_error(&path, "erase", e))?;
        self.written.clear();
        self.write_header()
    }

    fn save_meta(&mut self, meta: &[u8]) -> Result<(), StoreError> {
        self.disc = serde_json::from_slice(meta).map_err(|e| StoreError(e.to_string()))?;
        self.write_header()
    }
}

impl Drop for FileStore {
    /// Keeps the written ranges of frames recorded since the last state
    /// change.
    fn drop(&mut self) {
        let _ = self.write_header();
    }
}

fn io_error(path: &Path, what: &str, e: std::io::Error) -> StoreError {
    StoreError(format!("cannot {what} {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use layout::msf::Lba;
    use std::time::Duration;
    use vdrive::{MediaKind, MediaSpec, Recorder, RecorderConfig, ScsiTarget, Status};

    #[test]
    fn a_burn_persists_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.vdisc");
        let media = MediaSpec::new(MediaKind::CdR, 80).unwrap();
        let store = FileStore::create(&path, &DiscMeta::blank(media)).unwrap();
        let config = RecorderConfig {
            instant: true,
            power_on_attention: false,
            ..RecorderConfig::default()
        };
        let mut r = Recorder::new(store, config.clone());
        r.load(DiscMeta::blank(media)).unwrap();
        let t = Duration::ZERO;
        let _ = r.execute(&[0, 0, 0, 0, 0, 0], &[], t); // medium changed
        // TAO Mode 1 (the power-on page), 300 blocks from 0, close.
        let data: Vec<u8> = (0..300 * 2048).map(|i| (i % 251) as u8).collect();
        let c = r.execute(
            &mmc::wire::command::Write10::new(0, 300).to_bytes(),
            &data,
            t,
        );
        assert_eq!(c.status, Status::Good, "{}", r.sense().sense);
        let c = r.execute(&[0x5b, 0, 2, 0, 0, 0, 0, 0, 0, 0], &[], t);
        assert_eq!(c.status, Status::Good, "{}", r.sense().sense);
        r.tick(Duration::from_secs(1));
        drop(r);

        let (store, meta) = FileStore::open(&path).unwrap();
        assert!(meta.finalized);
        assert_eq!(meta.sessions[0].layout.leadout, Lba(302));
        // Lead-in, pregap, track, run-out and lead-out are all in the file.
        assert!(store.written().contains(Lba(-11635)));
        assert!(store.written().contains(Lba(299)));
        assert!(store.written().contains(Lba(302 + 6749)));
        let mut r = Recorder::new(store, config);
        r.load(meta).unwrap();
        let _ = r.execute(&[0, 0, 0, 0, 0, 0], &[], t);
        let c = r.execute(
            &mmc::wire::command::ReadCd::raw(5, 1, mmc::wire::command::Subchannel::None).to_bytes(),
            &[],
            t,
        );
        assert_eq!(c.status, Status::Good);
        assert_eq!(&c.data[16..2064], &data[5 * 2048..6 * 2048]);
        // Sparse: far less than the 90-minute address space.
        let len = std::fs::metadata(&path).unwrap().len();
        assert!(len < HEADER_AREA + 2448 * 200_000, "{len}");
    }

    #[test]
    fn foreign_and_newer_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.vdisc");
        std::fs::write(&path, b"not a disc at all").unwrap();
        let e = FileStore::open(&path).unwrap_err().to_string();
        assert!(e.contains("not a virtual disc"), "{e}");
        let e = FileStore::open(&dir.path().join("missing.vdisc"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("cannot open") && e.contains("missing.vdisc"),
            "{e}"
        );
    }
}
