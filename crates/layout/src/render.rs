//! Drives a [`FrameEncoder`] over an image's [`FrameStream`]: reads what
//! each batch needs through [`SourceData`], hands the frames to a
//! [`FrameSink`]. Both are small traits the caller implements for files,
//! memory or anything else, so this module still does no I/O of its own.
//! [`Renderer`] is the same walk one batch at a time, for callers that read
//! asynchronously. With the `parallel` feature on a native target,
//! `render_pipelined` renders on every core, one worker per core reading,
//! encoding and writing its own batches in turn.

use crate::disc::{Content, Disc};
use crate::frames::{Batch, FrameEncoder, FrameError, FrameOptions, Read};
use crate::image::{FrameStream, StreamRange};
use crate::msf::Lba;
use crate::sector::SECTOR_SIZE;
use crate::source::SourceError;
use std::sync::Arc;

#[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
mod pipeline;
#[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
pub use pipeline::render_pipelined;

/// Sectors per batch when rendering: about 2.5 MB of frames.
pub const DEFAULT_BATCH: u32 = 1024;

/// Sectors per batch for `render_pipelined` and other loops that read,
/// encode and write each batch on one core: a batch's source bytes and
/// frames (about 2.2 MB for Mode 1) stay in that core's cache from the
/// read to the write. Of 64 to 2048, 512 measured fastest for an
/// 80-minute Mode 1 image on a 2-core machine with 4 MB of L2 per core.
pub const PIPELINE_BATCH: u32 = 512;

/// Supplies source bytes.
pub trait SourceData {
    /// Fills `buf` with `read.len` bytes of source `read.source` from byte
    /// `read.offset`.
    ///
    /// ## Errors
    ///
    /// [`SourceError`] naming the source and what failed (missing file,
    /// short data, I/O or decode error).
    fn read(&mut self, read: &Read, buf: &mut [u8]) -> Result<(), SourceError>;
}

/// Which file of a stream a write goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The main file.
    Main,
    /// The separate subchannel file.
    Sub,
}

/// Receives frames.
pub trait FrameSink {
    /// Appends `bytes` to `part`.
    ///
    /// ## Errors
    ///
    /// [`SourceError`] saying what failed (an I/O error, a stop asked
    /// for).
    fn write(&mut self, part: Part, bytes: &[u8]) -> Result<(), SourceError>;
}

/// Errors while rendering.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// Source data could not be read.
    #[error("reading data for lba {lba}: {error}")]
    Source {
        /// First sector of the batch.
        lba: i32,
        /// What failed.
        #[source]
        error: SourceError,
    },
    /// Frames could not be written.
    #[error("writing frames at lba {lba}: {error}")]
    Sink {
        /// First sector of the batch.
        lba: i32,
        /// What failed.
        #[source]
        error: SourceError,
    },
    /// Encoding failed.
    #[error(transparent)]
    Frame(#[from] FrameError),
}

/// In-memory sources: source `i` is `self[i]`.
impl SourceData for [Vec<u8>] {
    fn read(&mut self, read: &Read, buf: &mut [u8]) -> Result<(), SourceError> {
        let data = self
            .get(read.source)
            .ok_or(SourceError::no_source(read.source))?;
        let bytes = usize::try_from(read.offset)
            .ok()
            .and_then(|start| data.get(start..start.checked_add(read.len)?))
            .ok_or_else(|| {
                SourceError::truncated(data.len() as u64, read.offset, read.len as u64)
                    .in_file(format!("source {}", read.source))
            })?;
        buf.copy_from_slice(bytes);
        Ok(())
    }
}

impl SourceData for Vec<Vec<u8>> {
    fn read(&mut self, read: &Read, buf: &mut [u8]) -> Result<(), SourceError> {
        self.as_mut_slice().read(read, buf)
    }
}

/// In-memory sink: main and sub parts appended to two vectors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemorySink {
    /// The main file's bytes.
    pub main: Vec<u8>,
    /// The subchannel file's bytes.
    pub sub: Vec<u8>,
}

impl FrameSink for MemorySink {
    fn write(&mut self, part: Part, bytes: &[u8]) -> Result<(), SourceError> {
        match part {
            Part::Main => self.main.extend_from_slice(bytes),
            Part::Sub => self.sub.extend_from_slice(bytes),
        }
        Ok(())
    }
}

/// Renders every range of `stream`. `progress` is called after each batch
/// with the sectors done and the total.
///
/// ## Errors
///
/// [`RenderError`] naming the first LBA of the batch that failed.
pub fn render(
    disc: &Disc,
    stream: &FrameStream,
    sources: &mut dyn SourceData,
    sink: &mut dyn FrameSink,
    batch: u32,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), RenderError> {
    let mut renderer = Renderer::new(disc, stream, batch);
    let total = renderer.sectors();
    let mut main = Vec::new();
    let mut rw = Vec::new();
    while let Some(b) = renderer.next_batch()? {
        let lba = b.first.get();
        let source_error = |error| RenderError::Source { lba, error };
        main.resize(b.main.map_or(0, |r| r.len), 0);
        if let Some(r) = &b.main {
            sources.read(r, &mut main).map_err(source_error)?;
        }
        rw.resize(b.rw.map_or(0, |r| r.len), 0);
        if let Some(r) = &b.rw {
            sources.read(r, &mut rw).map_err(source_error)?;
        }
        let frames = renderer.encode(&b, &main, &rw)?;
        let sink_error = |error| RenderError::Sink { lba, error };
        sink.write(Part::Main, frames.main).map_err(sink_error)?;
        if let Some(sub) = frames.sub {
            sink.write(Part::Sub, sub).map_err(sink_error)?;
        }
        progress(renderer.done(), total);
    }
    Ok(())
}

/// The disc a [`Renderer`] walks: borrowed, or shared so the renderer can
/// live on its own.
#[derive(Debug, Clone)]
enum DiscHandle<'a> {
    Borrowed(&'a Disc),
    Shared(Arc<Disc>),
}

/// Renders a [`FrameStream`] one batch at a time, for callers whose reads
/// are asynchronous (a browser reading `Blob` slices): it says which
/// source bytes the next batch needs, then turns them into the bytes of
/// the image's files. [`render`] is this loop with synchronous reads.
///
/// ```text
///   while let Some(batch) = renderer.next_batch()? {
///       read batch.main (and batch.rw) from the sources
///       let frames = renderer.encode(&batch, &main, &rw)?;
///       append frames.main to the main file, frames.sub to the sub file
///   }
/// ```
#[derive(Debug)]
pub struct Renderer<'a> {
    disc: DiscHandle<'a>,
    ranges: Vec<StreamRange>,
    split: bool,
    batch: u32,
    /// Range being rendered and its encoder.
    range: usize,
    encoder: Option<FrameEncoder<'a>>,
    /// Where in the range the next encoder starts.
    start: Lba,
    done: u64,
    /// Whether encoders spread batches over the cores.
    parallel: bool,
    frames: Vec<u8>,
    out: FrameBuffers,
}

/// Owned bytes of one encoded batch, for callers that hand them on (to a
/// writer thread) and give the buffers back to be reused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameBuffers {
    /// Bytes for the main file.
    pub main: Vec<u8>,
    /// Bytes for the separate subchannel file; empty when the stream has
    /// none.
    pub sub: Vec<u8>,
}

/// The bytes of one batch, for each file of the stream.
#[derive(Debug)]
pub struct Frames<'r> {
    /// First sector.
    pub first: Lba,
    /// Number of sectors.
    pub sectors: u32,
    /// Bytes for the main file.
    pub main: &'r [u8],
    /// Bytes for the separate subchannel file, when the stream has one.
    pub sub: Option<&'r [u8]>,
}

impl Renderer<'static> {
    /// A renderer that shares ownership of `disc`, so it can be kept
    /// without a borrow.
    pub fn shared(disc: Arc<Disc>, stream: &FrameStream, batch: u32) -> Renderer<'static> {
        Renderer::with(DiscHandle::Shared(disc), stream, batch)
    }
}

impl<'a> Renderer<'a> {
    /// A renderer of `stream` over `disc`, `batch` sectors at a time at
    /// most.
    pub fn new(disc: &'a Disc, stream: &FrameStream, batch: u32) -> Renderer<'a> {
        Renderer::with(DiscHandle::Borrowed(disc), stream, batch)
    }

    fn with(disc: DiscHandle<'a>, stream: &FrameStream, batch: u32) -> Renderer<'a> {
        Renderer {
            disc,
            ranges: stream.ranges.clone(),
            split: stream.sub.is_some(),
            batch: batch.max(1),
            range: 0,
            encoder: None,
            start: stream.ranges.first().map_or(Lba::ZERO, |r| r.start),
            done: 0,
            parallel: true,
            frames: Vec::new(),
            out: FrameBuffers::default(),
        }
    }

    /// Continues from sector `done` of the stream (counting from 0 over
    /// all its ranges) instead of its start: the bytes produced from there
    /// on are those a renderer that started at the beginning produces.
    pub fn skip_to(&mut self, done: u64) {
        let mut before = 0u64;
        self.encoder = None;
        self.done = done.min(self.sectors());
        for (i, r) in self.ranges.iter().enumerate() {
            if self.done < before + r.sectors() {
                self.range = i;
                self.start = Lba(r.start.0 + (self.done - before) as i32);
                return;
            }
            before += r.sectors();
        }
        self.range = self.ranges.len();
    }

    /// Spreads the encoding of each batch over the cores (`true`, the
    /// default with the `parallel` feature on a native target) or keeps it
    /// on the calling thread. The bytes are the same either way.
    pub fn set_parallel(&mut self, parallel: bool) {
        self.parallel = parallel;
        if let Some(e) = self.encoder.as_mut() {
            e.set_parallel(parallel);
        }
    }

    /// Sectors in the stream.
    pub fn sectors(&self) -> u64 {
        self.ranges.iter().map(StreamRange::sectors).sum()
    }

    /// Sectors rendered (or skipped) so far.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// The next batch and the source bytes it needs, or `None` at the end.
    ///
    /// ## Errors
    ///
    /// [`RenderError::Frame`] when a range lies outside the disc.
    pub fn next_batch(&mut self) -> Result<Option<Batch>, RenderError> {
        loop {
            let Some(range) = self.ranges.get(self.range).copied() else {
                return Ok(None);
            };
            if self.encoder.is_none() {
                let options = FrameOptions {
                    start: self.start,
                    end: range.end,
                    subchannel: range.subchannel,
                    scramble: false,
                };
                let mut encoder = match &self.disc {
                    DiscHandle::Borrowed(d) => FrameEncoder::new(d, options)?,
                    DiscHandle::Shared(d) => FrameEncoder::shared(d.clone(), options)?,
                };
                encoder.set_parallel(self.parallel);
                self.encoder = Some(encoder);
            }
            if let Some(b) = self.encoder.as_ref().and_then(|e| e.next_batch(self.batch)) {
                return Ok(Some(b));
            }
            self.range += 1;
            self.encoder = None;
            if let Some(next) = self.ranges.get(self.range) {
                self.start = next.start;
            }
        }
    }

    /// Whether the main-channel data `batch` reads carries R-W subcode
    /// (CD+G sources): a caller that wants only the subchannel file needs
    /// the main data of such batches only, and may pass zeros for the
    /// others.
    pub fn main_carries_rw(&self, batch: &Batch) -> bool {
        let disc: &Disc = match &self.disc {
            DiscHandle::Borrowed(d) => d,
            DiscHandle::Shared(d) => d,
        };
        matches!(
            disc.region_at(batch.first).map(|r| r.content),
            Some(Content::Source { rw: true, .. })
        )
    }

    /// Encodes `batch` (the one [`Renderer::next_batch`] returned) from
    /// `main` and `rw` as read for its requests (empty when it has none).
    ///
    /// ## Errors
    ///
    /// [`RenderError::Frame`] for a stale batch, input of the wrong size or
    /// data a sector type refuses.
    pub fn encode(
        &mut self,
        batch: &Batch,
        main: &[u8],
        rw: &[u8],
    ) -> Result<Frames<'_>, RenderError> {
        let mut out = std::mem::take(&mut self.out);
        let result = self.encode_split(batch, main, rw, &mut out);
        self.out = out;
        let split = result?;
        Ok(Frames {
            first: batch.first,
            sectors: batch.sectors,
            main: &self.out.main,
            sub: split.then_some(&self.out.sub[..]),
        })
    }

    /// As [`Renderer::encode`], into buffers the caller owns: afterwards
    /// `out.main` holds the bytes for the main file and `out.sub` those
    /// for the subchannel file (empty when the stream has none).
    ///
    /// ## Errors
    ///
    /// As [`Renderer::encode`].
    pub fn encode_into(
        &mut self,
        batch: &Batch,
        main: &[u8],
        rw: &[u8],
        out: &mut FrameBuffers,
    ) -> Result<(), RenderError> {
        self.encode_split(batch, main, rw, out).map(|_| ())
    }

    /// Encodes a batch into `out`; says whether its frames were cut into
    /// a main and a subchannel part.
    fn encode_split(
        &mut self,
        batch: &Batch,
        main: &[u8],
        rw: &[u8],
        out: &mut FrameBuffers,
    ) -> Result<bool, RenderError> {
        let big_endian_audio = self
            .ranges
            .get(self.range)
            .is_some_and(|r| r.big_endian_audio);
        let Some(encoder) = self.encoder.as_mut() else {
            return Err(RenderError::Frame(FrameError::OutOfOrder {
                expected: self.start,
                got: batch.first,
            }));
        };
        let fs = encoder.frame_size();
        let n = batch.sectors as usize;
        // Frames with a subchannel that goes to its own file are encoded
        // whole, then cut in two; others go straight to the main buffer.
        let split = self.split && fs > SECTOR_SIZE;
        let frames = if split {
            &mut self.frames
        } else {
            &mut out.main
        };
        frames.resize(n * fs, 0);
        encoder.encode(batch, main, rw, frames)?;
        if big_endian_audio {
            for f in frames.chunks_exact_mut(fs) {
                for sample in f[..SECTOR_SIZE].chunks_exact_mut(2) {
                    sample.swap(0, 1);
                }
            }
        }
        self.done += n as u64;
        self.start = encoder.position();
        out.sub.clear();
        if split {
            out.main.clear();
            for f in self.frames.chunks_exact(fs) {
                out.main.extend_from_slice(&f[..SECTOR_SIZE]);
                out.sub.extend_from_slice(&f[SECTOR_SIZE..]);
            }
        }
        Ok(split)
    }

    /// Advances past `batch` (the one [`Renderer::next_batch`] returned)
    /// without encoding it: a reader that fetches source bytes ahead of
    /// the encoding walks the stream with a renderer of its own this way.
    ///
    /// ## Errors
    ///
    /// [`RenderError::Frame`] for a stale batch.
    pub fn pass(&mut self, batch: &Batch) -> Result<(), RenderError> {
        let Some(encoder) = self.encoder.as_mut() else {
            return Err(RenderError::Frame(FrameError::OutOfOrder {
                expected: self.start,
                got: batch.first,
            }));
        };
        encoder.skip(batch)?;
        self.done += u64::from(batch.sectors);
        self.start = encoder.position();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceErrorKind;
    use std::error::Error;

    #[test]
    fn a_failed_read_is_the_source_of_the_render_error() {
        let mut sources = vec![vec![0u8; 10]];
        let read = Read {
            source: 0,
            offset: 4,
            len: 8,
        };
        let error = sources.read(&read, &mut [0; 8]).unwrap_err();
        assert!(matches!(
            error.kind(),
            SourceErrorKind::Truncated {
                len: 10,
                offset: 4,
                wanted: 8
            }
        ));
        let e = RenderError::Source { lba: 16, error };
        assert_eq!(
            e.to_string(),
            "reading data for lba 16: source 0: ends at byte 10, but 8 bytes are needed from byte 4"
        );
        let cause = e.source().and_then(|s| s.downcast_ref::<SourceError>());
        assert_eq!(cause.and_then(SourceError::file), Some("source 0"));
        let missing = vec![Vec::<u8>::new()].read(
            &Read {
                source: 1,
                offset: 0,
                len: 1,
            },
            &mut [0],
        );
        assert_eq!(missing, Err(SourceError::no_source(1)));
    }
}
