//! The host side of the data: frames encoded from the plan, cut into the
//! blocks the write mode sends, kept in the system buffer ahead of the
//! drive. Source bytes are asked for, never read here.

use super::error::EngineError;
use layout::disc::Disc;
use layout::frames::{Batch, FrameEncoder, FrameOptions, Read};
use layout::msf::Lba;
use layout::subchannel::SubchannelFormat;
use std::collections::VecDeque;
use std::sync::Arc;

/// Source bytes the engine needs before it can encode the next sectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceRead {
    /// The first sector these bytes are for.
    pub lba: Lba,
    /// Main-channel data to read.
    pub main: Option<Read>,
    /// R-W bytes to read.
    pub rw: Option<Read>,
}

/// Frames encoded once for several burns of the same disc (a
/// duplicator): `sectors` frames from `lba`, each
/// [`layout::frames::SHARED_FRAME`] bytes in the shared form (the sector
/// unscrambled, then raw interleaved P-W). An engine asks for them instead
/// of source bytes once [`super::Engine::share_frames`] was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRead {
    /// The first sector.
    pub lba: Lba,
    /// Sectors.
    pub sectors: u32,
}

/// What the feed needs before it can go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Need {
    /// Source bytes, to encode.
    Source(SourceRead),
    /// Frames encoded elsewhere.
    Frames(FrameRead),
}

/// Which bytes of each frame a block holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    /// First byte within the frame.
    pub offset: usize,
    /// Bytes.
    pub len: usize,
    /// Keep only the low six bits (R–W symbols of a 96-byte P-W block).
    pub rw_only: bool,
}

impl Slice {
    /// The whole frame.
    pub const fn whole(frame: usize) -> Slice {
        Slice {
            offset: 0,
            len: frame,
            rw_only: false,
        }
    }

    /// Bytes `offset..offset + len` of the 2352-byte sector.
    pub const fn main(offset: usize, len: usize) -> Slice {
        Slice {
            offset,
            len,
            rw_only: false,
        }
    }

    /// The R–W symbols after the sector.
    pub const RW: Slice = Slice {
        offset: 2352,
        len: 96,
        rw_only: true,
    };
}

/// Sectors encoded per batch.
const BATCH: u32 = 64;

/// Encodes `start..end` of a disc into blocks, ahead of the writes.
#[derive(Debug)]
pub(super) struct Feed {
    encoder: FrameEncoder<'static>,
    frame_size: usize,
    slice: Slice,
    /// Encoded blocks not yet taken, one segment per encoded batch (at
    /// most 64 blocks), the first `front` bytes of the first one taken
    /// already. Segments of a batch's size fit in any hole a heap has; one
    /// buffer of the whole capacity (8 MiB) needs a hole that large, and in
    /// WebAssembly's linear memory (it never shrinks) a heap that has none
    /// left grows for good.
    buffer: VecDeque<Vec<u8>>,
    front: usize,
    /// Bytes in `buffer` not yet taken.
    bytes: usize,
    /// First sector of the feed.
    start: Lba,
    /// First sector in the buffer.
    first: Lba,
    /// Sectors in the buffer.
    blocks: u32,
    capacity: usize,
    pending: Option<Batch>,
    frames: Vec<u8>,
    /// Frames come encoded (shared), not as source bytes.
    shared: bool,
}

impl Feed {
    /// A feed of `start..end` of `disc`, frames made with `subchannel`
    /// (scrambled when `scramble`), each cut to `slice`, at most
    /// `capacity` bytes ahead; from shared frames when `shared`.
    ///
    /// ## Errors
    ///
    /// [`EngineError::Encode`] when the range is not on the disc.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        disc: Arc<Disc>,
        start: Lba,
        end: Lba,
        subchannel: SubchannelFormat,
        scramble: bool,
        slice: Slice,
        capacity: usize,
        shared: bool,
    ) -> Result<Feed, EngineError> {
        let mut encoder = FrameEncoder::shared(
            disc,
            FrameOptions {
                start,
                end,
                subchannel,
                scramble,
            },
        )
        .map_err(EngineError::Encode)?;
        // The engine starts no threads. Its batches are small and a drive
        // takes at most some 4,000 sectors a second, which one core
        // encodes with room to spare.
        encoder.set_parallel(false);
        let capacity = capacity.max(slice.len * BATCH as usize);
        Ok(Feed {
            frame_size: encoder.frame_size(),
            encoder,
            slice,
            buffer: VecDeque::new(),
            front: 0,
            bytes: 0,
            start,
            first: start,
            blocks: 0,
            capacity,
            pending: None,
            frames: Vec::new(),
            shared,
        })
    }

    /// Bytes per block.
    pub(super) fn block_size(&self) -> usize {
        self.slice.len
    }

    /// Bytes buffered.
    pub(super) fn buffered(&self) -> usize {
        self.bytes
    }

    /// Blocks buffered.
    pub(super) fn blocks(&self) -> u32 {
        self.blocks
    }

    /// The first buffered sector (or the next to come).
    pub(super) fn first(&self) -> Lba {
        self.first
    }

    /// The last sector encoded, if any.
    pub(super) fn last_read(&self) -> Option<Lba> {
        let next = self.encoder.position();
        (next > self.start).then(|| Lba(next.get() - 1))
    }

    /// Whether every sector was encoded and taken.
    pub(super) fn is_done(&self) -> bool {
        self.all_encoded() && self.blocks == 0
    }

    /// Whether every sector was encoded (some may still be buffered).
    pub(super) fn all_encoded(&self) -> bool {
        self.encoder.remaining() == 0 && self.pending.is_none()
    }

    /// Fills the buffer as far as it can without source data; returns the
    /// read needed to go on, if any (once: the read is then pending).
    ///
    /// ## Errors
    ///
    /// [`EngineError::Encode`] when sectors fail to encode.
    pub(super) fn wants(&mut self) -> Result<Option<Need>, EngineError> {
        while self.pending.is_none() && self.encoder.remaining() > 0 {
            let room = self.capacity.saturating_sub(self.buffered()) / self.slice.len;
            if room == 0 {
                return Ok(None);
            }
            let Some(batch) = self.encoder.next_batch(BATCH.min(room as u32)) else {
                return Ok(None);
            };
            if self.shared {
                self.pending = Some(batch);
                return Ok(Some(Need::Frames(FrameRead {
                    lba: batch.first,
                    sectors: batch.sectors,
                })));
            }
            if batch.main.is_none() && batch.rw.is_none() {
                self.encode(&batch, &[], &[])?;
                continue;
            }
            self.pending = Some(batch);
            return Ok(Some(Need::Source(SourceRead {
                lba: batch.first,
                main: batch.main,
                rw: batch.rw,
            })));
        }
        Ok(None)
    }

    /// The bytes of the pending read.
    ///
    /// ## Errors
    ///
    /// [`EngineError::Misuse`] without a pending read,
    /// [`EngineError::Source`] for bytes of the wrong size,
    /// [`EngineError::Encode`] when they fail to encode.
    pub(super) fn supply(&mut self, main: &[u8], rw: &[u8]) -> Result<(), EngineError> {
        let batch = self
            .pending
            .take()
            .ok_or(EngineError::Misuse("source bytes nobody asked for"))?;
        self.encode(&batch, main, rw)
    }

    /// The frames of the pending read, encoded elsewhere in the shared
    /// form.
    ///
    /// ## Errors
    ///
    /// [`EngineError::Misuse`] without a pending read,
    /// [`EngineError::Source`] for frames of the wrong size.
    pub(super) fn supply_frames(&mut self, frames: &[u8]) -> Result<(), EngineError> {
        let batch = self
            .pending
            .take()
            .ok_or(EngineError::Misuse("frames nobody asked for"))?;
        let n = batch.sectors as usize;
        self.frames.resize(n * self.frame_size, 0);
        self.encoder
            .reformat(&batch, frames, &mut self.frames)
            .map_err(|e| source_error(&batch, e))?;
        self.push(n);
        Ok(())
    }

    fn encode(&mut self, batch: &Batch, main: &[u8], rw: &[u8]) -> Result<(), EngineError> {
        let n = batch.sectors as usize;
        self.frames.resize(n * self.frame_size, 0);
        self.encoder
            .encode(batch, main, rw, &mut self.frames)
            .map_err(|e| source_error(batch, e))?;
        self.push(n);
        Ok(())
    }

    /// Cuts the `n` frames just made to blocks and buffers them.
    fn push(&mut self, n: usize) {
        let s = self.slice;
        let mut segment = Vec::with_capacity(n * s.len);
        for f in self.frames[..n * self.frame_size].chunks_exact(self.frame_size) {
            let part = &f[s.offset..s.offset + s.len];
            if s.rw_only {
                segment.extend(part.iter().map(|b| b & 0x3f));
            } else {
                segment.extend_from_slice(part);
            }
        }
        self.bytes += segment.len();
        self.buffer.push_back(segment);
        self.blocks += n as u32;
    }

    /// Takes up to `max` blocks from the buffer: their first sector and
    /// bytes.
    pub(super) fn take(&mut self, max: u32) -> Option<(Lba, u32, Vec<u8>)> {
        let n = self.blocks.min(max);
        if n == 0 {
            return None;
        }
        let len = n as usize * self.slice.len;
        let mut bytes = Vec::with_capacity(len);
        while bytes.len() < len {
            let Some(segment) = self.buffer.front() else {
                break;
            };
            let k = (len - bytes.len()).min(segment.len() - self.front);
            bytes.extend_from_slice(&segment[self.front..self.front + k]);
            self.front += k;
            if self.front == segment.len() {
                self.buffer.pop_front();
                self.front = 0;
            }
        }
        self.bytes -= bytes.len();
        let first = self.first;
        self.first = Lba(first.get() + n as i32);
        self.blocks -= n;
        Some((first, n, bytes))
    }
}

/// An encoding error: bytes of the wrong size are the source's (or the
/// frames' supplier's) fault; anything else is the disc's.
fn source_error(batch: &Batch, e: layout::frames::FrameError) -> EngineError {
    match e {
        layout::frames::FrameError::Input { .. } => EngineError::Source {
            lba: batch.first.get(),
            error: layout::source::SourceError::other(e),
        },
        other => EngineError::Encode(other),
    }
}
