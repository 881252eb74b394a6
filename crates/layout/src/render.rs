//! Drives a [`FrameEncoder`] over an image's [`FrameStream`]: reads what
//! each batch needs through [`SourceData`], hands the frames to a
//! [`FrameSink`]. Both are small traits the caller implements for files,
//! memory or anything else, so this module still does no I/O of its own.

use crate::disc::Disc;
use crate::frames::{FrameEncoder, FrameError, FrameOptions, Read};
use crate::image::FrameStream;
use crate::sector::SECTOR_SIZE;

/// Sectors per batch when rendering: about 2.5 MB of frames.
pub const DEFAULT_BATCH: u32 = 1024;

/// Supplies source bytes.
pub trait SourceData {
    /// Fills `buf` with `read.len` bytes of source `read.source` from byte
    /// `read.offset`.
    ///
    /// ## Errors
    ///
    /// A message naming the source and what failed (missing file, short
    /// data, decode error).
    fn read(&mut self, read: &Read, buf: &mut [u8]) -> Result<(), String>;
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
    /// A message saying what failed.
    fn write(&mut self, part: Part, bytes: &[u8]) -> Result<(), String>;
}

/// Errors while rendering.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// Source data could not be read.
    #[error("reading data for lba {lba}: {message}")]
    Source {
        /// First sector of the batch.
        lba: i32,
        /// What failed.
        message: String,
    },
    /// Frames could not be written.
    #[error("writing frames at lba {lba}: {message}")]
    Sink {
        /// First sector of the batch.
        lba: i32,
        /// What failed.
        message: String,
    },
    /// Encoding failed.
    #[error(transparent)]
    Frame(#[from] FrameError),
}

/// In-memory sources: source `i` is `self[i]`.
impl SourceData for [Vec<u8>] {
    fn read(&mut self, read: &Read, buf: &mut [u8]) -> Result<(), String> {
        let data = self
            .get(read.source)
            .ok_or_else(|| format!("no source {}", read.source))?;
        let start = usize::try_from(read.offset).map_err(|_| "offset too large".to_string())?;
        let bytes = data.get(start..start + read.len).ok_or_else(|| {
            format!(
                "source {} holds {} bytes, {} needed from offset {}",
                read.source,
                data.len(),
                read.len,
                start
            )
        })?;
        buf.copy_from_slice(bytes);
        Ok(())
    }
}

impl SourceData for Vec<Vec<u8>> {
    fn read(&mut self, read: &Read, buf: &mut [u8]) -> Result<(), String> {
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
    fn write(&mut self, part: Part, bytes: &[u8]) -> Result<(), String> {
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
    let total = stream.sectors();
    let mut done = 0u64;
    let mut main = Vec::new();
    let mut rw = Vec::new();
    let mut frames = Vec::new();
    let mut split_main = Vec::new();
    let mut split_sub = Vec::new();
    for range in &stream.ranges {
        let mut encoder = FrameEncoder::new(
            disc,
            FrameOptions {
                start: range.start,
                end: range.end,
                subchannel: range.subchannel,
                scramble: false,
            },
        )?;
        let fs = encoder.frame_size();
        while let Some(b) = encoder.next_batch(batch) {
            let lba = b.first.get();
            let source_error = |message| RenderError::Source { lba, message };
            main.resize(b.main.map_or(0, |r| r.len), 0);
            if let Some(r) = &b.main {
                sources.read(r, &mut main).map_err(source_error)?;
            }
            rw.resize(b.rw.map_or(0, |r| r.len), 0);
            if let Some(r) = &b.rw {
                sources.read(r, &mut rw).map_err(source_error)?;
            }
            let n = b.sectors as usize;
            frames.resize(n * fs, 0);
            encoder.encode(&b, &main, &rw, &mut frames)?;
            if range.big_endian_audio {
                for f in frames.chunks_exact_mut(fs) {
                    for sample in f[..SECTOR_SIZE].chunks_exact_mut(2) {
                        sample.swap(0, 1);
                    }
                }
            }
            let sink_error = |message| RenderError::Sink { lba, message };
            if stream.sub.is_some() && fs > SECTOR_SIZE {
                split_main.clear();
                split_sub.clear();
                for f in frames.chunks_exact(fs) {
                    split_main.extend_from_slice(&f[..SECTOR_SIZE]);
                    split_sub.extend_from_slice(&f[SECTOR_SIZE..]);
                }
                sink.write(Part::Main, &split_main).map_err(sink_error)?;
                sink.write(Part::Sub, &split_sub).map_err(sink_error)?;
            } else {
                sink.write(Part::Main, &frames).map_err(sink_error)?;
            }
            done += n as u64;
            progress(done, total);
        }
    }
    Ok(())
}
