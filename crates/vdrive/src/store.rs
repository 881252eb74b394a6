//! Where a virtual disc keeps its sectors. Each recorded sector is a frame
//! of 2448 bytes: 2352 of main channel (unscrambled, as READ CD returns it)
//! and 96 of raw interleaved P-W. The recorder does no I/O itself: a
//! [`SectorStore`] holds the frames, in memory here, in a `.vdisc` file in
//! the `rawburn` binary.

use crate::blocks::{ZeroKind, zero_kind_of, zero_sector};
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

/// Frames per chunk of a [`ChunkStore`].
const CHUNK: i32 = 64;
/// Bytes of main channel in a frame.
const MAIN: usize = crate::blocks::MAIN;
/// Bytes of subchannel in a frame.
const SUB: usize = FRAME - MAIN;

/// Bytes a [`ChunkStore`] keeps its frames in: a buffer in memory, or
/// one outside it (the npm package keeps the virtual disc in JavaScript
/// buffers, so WebAssembly memory, which never shrinks, does not hold it).
pub trait ChunkBytes {
    /// A buffer of `len` zero bytes.
    fn zeroed(len: usize) -> Self;

    /// Copies `bytes` into the buffer at `at`; the caller keeps within it.
    fn put(&mut self, at: usize, bytes: &[u8]);

    /// Copies `out.len()` bytes from `at` into `out`; the caller keeps
    /// within it.
    fn get(&self, at: usize, out: &mut [u8]);
}

impl ChunkBytes for Box<[u8]> {
    fn zeroed(len: usize) -> Self {
        vec![0; len].into_boxed_slice()
    }

    fn put(&mut self, at: usize, bytes: &[u8]) {
        self[at..at + bytes.len()].copy_from_slice(bytes);
    }

    fn get(&self, at: usize, out: &mut [u8]) {
        out.copy_from_slice(&self[at..at + out.len()]);
    }
}

/// How a stored frame's main channel is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Main {
    /// Its 2352 bytes, in the chunk's main buffer.
    Stored,
    /// Nothing: it is the zero sector of this kind at its address (what
    /// the drive writes in lead-ins, lead-outs and pauses), built again
    /// when read.
    Zero(ZeroKind),
}

/// 64 frames: their subchannel always, their main channel only once one
/// of them is not a zero sector.
#[derive(Debug, Clone)]
struct Chunk<B> {
    /// Bit `i`: frame `i` was written.
    written: u64,
    main_of: [Main; CHUNK as usize],
    main: Option<B>,
    sub: B,
}

/// Frames in chunks of 64 allocated as written. The subchannel of every
/// written frame is kept (96 bytes); the main channel only where it is not
/// the zero sector the drive makes at that address, so a lead-in, a
/// lead-out or a pause costs 96 bytes a frame instead of 2448. Reads give
/// back exactly the bytes written. Blanking releases every chunk.
#[derive(Debug, Clone)]
pub struct ChunkStore<B> {
    chunks: HashMap<i32, Chunk<B>>,
    meta: Vec<u8>,
}

/// Frames kept in this process's memory.
pub type MemoryStore = ChunkStore<Box<[u8]>>;

impl<B: ChunkBytes> Default for ChunkStore<B> {
    fn default() -> Self {
        ChunkStore {
            chunks: HashMap::new(),
            meta: Vec::new(),
        }
    }
}

impl<B: ChunkBytes> ChunkStore<B> {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The metadata last saved.
    pub fn meta(&self) -> &[u8] {
        &self.meta
    }

    /// Bytes of frame buffers the store holds now.
    pub fn held_bytes(&self) -> usize {
        self.chunks
            .values()
            .map(|c| CHUNK as usize * (SUB + if c.main.is_some() { MAIN } else { 0 }))
            .sum()
    }

    fn locate(lba: Lba) -> (i32, usize) {
        let c = lba.get().div_euclid(CHUNK);
        (c, lba.get().rem_euclid(CHUNK) as usize)
    }
}

impl<B: ChunkBytes> SectorStore for ChunkStore<B> {
    fn write_frame(&mut self, lba: Lba, frame: &[u8]) -> Result<(), StoreError> {
        if frame.len() != FRAME {
            return Err(StoreError(format!("frame of {} bytes", frame.len())));
        }
        let (main, sub) = frame.split_at(MAIN);
        let kept = match zero_kind_of(lba, main) {
            Some(kind) => Main::Zero(kind),
            None => Main::Stored,
        };
        let (c, i) = Self::locate(lba);
        let chunk = self.chunks.entry(c).or_insert_with(|| Chunk {
            written: 0,
            main_of: [Main::Zero(ZeroKind::Audio); CHUNK as usize],
            main: None,
            sub: B::zeroed(CHUNK as usize * SUB),
        });
        if kept == Main::Stored {
            chunk
                .main
                .get_or_insert_with(|| B::zeroed(CHUNK as usize * MAIN))
                .put(i * MAIN, main);
        }
        chunk.sub.put(i * SUB, sub);
        chunk.main_of[i] = kept;
        chunk.written |= 1 << i;
        Ok(())
    }

    fn read_frame(&mut self, lba: Lba, out: &mut [u8]) -> Result<bool, StoreError> {
        let Some(out) = out.get_mut(..FRAME) else {
            return Err(StoreError(format!(
                "room for {} bytes of a frame",
                out.len()
            )));
        };
        let (c, i) = Self::locate(lba);
        let Some(chunk) = self.chunks.get(&c).filter(|k| k.written & (1 << i) != 0) else {
            out.fill(0);
            return Ok(false);
        };
        let (main, sub) = out.split_at_mut(MAIN);
        chunk.sub.get(i * SUB, sub);
        match (chunk.main_of[i], &chunk.main) {
            (Main::Stored, Some(bytes)) => bytes.get(i * MAIN, main),
            (Main::Zero(kind), _) => {
                let main: &mut [u8; MAIN] = main
                    .try_into()
                    .map_err(|_| StoreError("a frame's main channel".into()))?;
                zero_sector(kind, lba, main).map_err(|_| {
                    StoreError(format!(
                        "the zero sector of lba {} cannot be built",
                        lba.get()
                    ))
                })?;
            }
            (Main::Stored, None) => {
                return Err(StoreError(format!(
                    "the main channel of lba {} is lost",
                    lba.get()
                )));
            }
        }
        Ok(true)
    }

    fn erase(&mut self) -> Result<(), StoreError> {
        self.chunks = HashMap::new();
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

    /// A frame of `main` with a subchannel that differs from frame to frame.
    fn frame_of(main: &[u8], seed: u8) -> Vec<u8> {
        let mut f = main.to_vec();
        f.extend((0..SUB).map(|i| (i as u8).wrapping_mul(7) ^ seed));
        f
    }

    #[test]
    fn zero_sectors_are_kept_as_their_subchannel() {
        let mut s = MemoryStore::new();
        for (n, kind) in [
            ZeroKind::Audio,
            ZeroKind::Mode1,
            ZeroKind::Xa,
            ZeroKind::Formless,
        ]
        .into_iter()
        .enumerate()
        {
            for k in 0..64 {
                let lba = Lba(-11648 + 64 * n as i32 + k);
                let mut main = [0u8; MAIN];
                zero_sector(kind, lba, &mut main).unwrap();
                let frame = frame_of(&main, k as u8);
                s.write_frame(lba, &frame).unwrap();
                let mut out = vec![0xa5; FRAME];
                assert!(s.read_frame(lba, &mut out).unwrap());
                assert_eq!(out, frame, "{kind:?} at {}", lba.get());
            }
        }
        // Four chunks (-11648 is chunk -182), none holding a main channel.
        for (c, chunk) in &s.chunks {
            assert!(chunk.main.is_none(), "chunk {c}");
        }
        assert_eq!(s.held_bytes(), 4 * 64 * SUB);
    }

    #[test]
    fn near_zero_sectors_are_kept_whole() {
        let mut s = MemoryStore::new();
        let lba = Lba(1000);
        let mut main = [0u8; MAIN];
        zero_sector(ZeroKind::Mode1, lba, &mut main).unwrap();
        // One ECC byte off, then the zero sector of another address: both
        // must read back as written.
        main[2351] ^= 1;
        let odd = frame_of(&main, 1);
        s.write_frame(lba, &odd).unwrap();
        zero_sector(ZeroKind::Mode1, Lba(5), &mut main).unwrap();
        let moved = frame_of(&main, 2);
        s.write_frame(Lba(1001), &moved).unwrap();
        let mut out = vec![0; FRAME];
        assert!(s.read_frame(lba, &mut out).unwrap());
        assert_eq!(out, odd);
        assert!(s.read_frame(Lba(1001), &mut out).unwrap());
        assert_eq!(out, moved);
        assert_eq!(s.held_bytes(), 64 * FRAME);
        // Rewritten as silence, then as data again.
        let silence = frame_of(&[0; MAIN], 3);
        s.write_frame(lba, &silence).unwrap();
        assert!(s.read_frame(lba, &mut out).unwrap());
        assert_eq!(out, silence);
        s.write_frame(lba, &odd).unwrap();
        assert!(s.read_frame(lba, &mut out).unwrap());
        assert_eq!(out, odd);
        assert!(s.read_frame(lba, &mut [0; 100]).is_err());
        s.erase().unwrap();
        assert_eq!(s.held_bytes(), 0);
        assert!(!s.read_frame(lba, &mut out).unwrap());
    }
}
