//! Where a virtual disc keeps its sectors. Each recorded sector is a frame
//! of 2448 bytes: 2352 of main channel (unscrambled, as READ CD returns it)
//! and 96 of raw interleaved P-W. The recorder does no I/O itself: a
//! [`SectorStore`] holds the frames, in memory here, in a `.vdisc` file in
//! the `rawburn` binary.

use layout::msf::Lba;
use std::collections::HashMap;

/// Bytes of a stored frame.
pub const FRAME: usize = 2448;

/// A store failure, as the store reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("disc storage: {0}")]
pub struct StoreError(pub String);

/// Frames of a virtual disc by LBA.
pub trait SectorStore {
    /// Stores the frame (2448 bytes) of `lba`.
    ///
    /// ## Errors
    ///
    /// [`StoreError`] when the frame cannot be kept.
    fn write_frame(&mut self, lba: Lba, frame: &[u8]) -> Result<(), StoreError>;

    /// Reads the frame of `lba` into `out` (2448 bytes); returns whether it
    /// was ever written (unwritten frames read as zeros).
    ///
    /// ## Errors
    ///
    /// [`StoreError`] when the frame cannot be read.
    fn read_frame(&mut self, lba: Lba, out: &mut [u8]) -> Result<bool, StoreError>;

    /// Forgets every frame (blanking).
    ///
    /// ## Errors
    ///
    /// [`StoreError`] when the storage cannot be cleared.
    fn erase(&mut self) -> Result<(), StoreError>;

    /// Keeps the disc's metadata (the recorder's state as JSON) with the
    /// frames; called whenever the disc's state changes.
    ///
    /// ## Errors
    ///
    /// [`StoreError`] when it cannot be kept.
    fn save_meta(&mut self, meta: &[u8]) -> Result<(), StoreError>;

    /// Whether the store only reads (a disc file opened read-only): the
    /// drive then treats the disc as write-protected.
    fn read_only(&self) -> bool {
        false
    }
}

/// Frames per chunk of the memory store.
const CHUNK: i32 = 64;

/// Frames kept in memory, in chunks of 64 allocated as written.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    chunks: HashMap<i32, (Vec<u8>, u64)>,
    meta: Vec<u8>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// The metadata last saved.
    pub fn meta(&self) -> &[u8] {
        &self.meta
    }

    fn locate(lba: Lba) -> (i32, usize) {
        let c = lba.get().div_euclid(CHUNK);
        (c, lba.get().rem_euclid(CHUNK) as usize)
    }
}

impl SectorStore for MemoryStore {
    fn write_frame(&mut self, lba: Lba, frame: &[u8]) -> Result<(), StoreError> {
        if frame.len() != FRAME {
            return Err(StoreError(format!("frame of {} bytes", frame.len())));
        }
        let (c, i) = MemoryStore::locate(lba);
        let (data, written) = self
            .chunks
            .entry(c)
            .or_insert_with(|| (vec![0; CHUNK as usize * FRAME], 0));
        data[i * FRAME..(i + 1) * FRAME].copy_from_slice(frame);
        *written |= 1 << i;
        Ok(())
    }

    fn read_frame(&mut self, lba: Lba, out: &mut [u8]) -> Result<bool, StoreError> {
        let (c, i) = MemoryStore::locate(lba);
        match self.chunks.get(&c) {
            Some((data, written)) if written & (1 << i) != 0 => {
                out[..FRAME].copy_from_slice(&data[i * FRAME..(i + 1) * FRAME]);
                Ok(true)
            }
            _ => {
                out[..FRAME].fill(0);
                Ok(false)
            }
        }
    }

    fn erase(&mut self) -> Result<(), StoreError> {
        self.chunks.clear();
        Ok(())
    }

    fn save_meta(&mut self, meta: &[u8]) -> Result<(), StoreError> {
        self.meta = meta.to_vec();
        Ok(())
    }
}

/// Keeps nothing but a count: for benchmarks of the write path, where the
/// disc's content does not matter.
#[derive(Debug, Default, Clone, Copy)]
pub struct DiscardStore {
    /// Frames written.
    pub frames: u64,
}

impl SectorStore for DiscardStore {
    fn write_frame(&mut self, _: Lba, _: &[u8]) -> Result<(), StoreError> {
        self.frames += 1;
        Ok(())
    }

    fn read_frame(&mut self, _: Lba, out: &mut [u8]) -> Result<bool, StoreError> {
        out[..FRAME].fill(0);
        Ok(false)
    }

    fn erase(&mut self) -> Result<(), StoreError> {
        self.frames = 0;
        Ok(())
    }

    fn save_meta(&mut self, _: &[u8]) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store() {
        let mut s = MemoryStore::new();
        let frame: Vec<u8> = (0..FRAME).map(|i| i as u8).collect();
        s.write_frame(Lba(-11635), &frame).unwrap();
        s.write_frame(Lba(63), &frame).unwrap();
        let mut out = vec![0xa5; FRAME];
        assert!(s.read_frame(Lba(-11635), &mut out).unwrap());
        assert_eq!(out, frame);
        assert!(!s.read_frame(Lba(62), &mut out).unwrap());
        assert!(out.iter().all(|&b| b == 0));
        assert!(s.read_frame(Lba(63), &mut out).unwrap());
        assert!(s.write_frame(Lba(0), &frame[..10]).is_err());
        s.erase().unwrap();
        assert!(!s.read_frame(Lba(63), &mut out).unwrap());
    }
}
