//! The frame encoder: walks a planned disc in LBA order and emits frames
//! (2352 bytes of main channel, then the subchannel in the chosen form) in
//! batches into a caller-owned buffer.
//!
//! It does no I/O. Each batch says which source bytes it needs; the caller
//! reads them (a file, a `Blob` slice, a decoder) and hands them back:
//!
//! ```text
//!   while let Some(batch) = encoder.next_batch(max) {
//!       read batch.main (and batch.rw) from the sources
//!       encoder.encode(&batch, &main, &rw, &mut out)?
//!       write out[..batch.sectors * frame_size]
//!   }
//! ```
//!
//! Memory stays that of one batch whatever the disc's size. With the
//! `parallel` feature on a native target, the frames of a batch are shared
//! out over rayon's threads: each depends only on its address and its own
//! input, so the bytes are those of the serial loop.

use crate::disc::{Content, Disc, Region};
use crate::msf::Lba;
use crate::sector::{SECTOR_SIZE, SYNC, SectorEncoder, SectorError, scramble};
use crate::subchannel::{
    PW_SIZE, SubchannelFormat, SubcodeGenerator, interleaved_to_linear, linear_to_interleaved,
    pq_from_interleaved, write_subchannel,
};

/// The subchannel of shared frames ([`FrameEncoder::reformat`]): raw
/// interleaved P-W holds every other form.
pub const SHARED_SUBCHANNEL: SubchannelFormat = SubchannelFormat::Interleaved;

/// Bytes per shared frame: the unscrambled sector and its P-W.
pub const SHARED_FRAME: usize = SECTOR_SIZE + PW_SIZE;

/// Where a raw image (and its R-W generator stream) starts: 95:00:00.
pub const RAW_IMAGE_START: Lba = Lba(-22_650);

/// What to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameOptions {
    /// First sector.
    pub start: Lba,
    /// End (exclusive).
    pub end: Lba,
    /// Subchannel after each sector.
    pub subchannel: SubchannelFormat,
    /// Scramble data sectors (ECMA-130 Annex B), as raw writing needs.
    /// Image files hold unscrambled sectors.
    pub scramble: bool,
}

/// Bytes to read from a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Read {
    /// Index into the project's sources.
    pub source: usize,
    /// Byte offset.
    pub offset: u64,
    /// Number of bytes.
    pub len: usize,
}

/// One batch: consecutive sectors of a single region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    /// First sector.
    pub first: Lba,
    /// Number of sectors.
    pub sectors: u32,
    /// Main-channel data to read (sourced regions only), including the R-W
    /// bytes that follow each sector in sources that carry them.
    pub main: Option<Read>,
    /// R-W generator bytes to read, 96 per sector.
    pub rw: Option<Read>,
    region: Option<usize>,
}

/// Errors from the frame encoder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The requested range is outside the disc.
    #[error("frames {start}..{end} are outside the disc (lba {min}..{max})")]
    Range {
        /// First sector asked for.
        start: Lba,
        /// End asked for.
        end: Lba,
        /// Lowest possible sector.
        min: Lba,
        /// End of the lead-out.
        max: Lba,
    },
    /// Input of the wrong size for the batch.
    #[error("batch at lba {lba} needs {expected} bytes of {what}, got {got}")]
    Input {
        /// First sector of the batch.
        lba: Lba,
        /// Which input.
        what: &'static str,
        /// Bytes needed.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// The output buffer is too small.
    #[error("batch at lba {lba} needs {expected} bytes of output, got {got}")]
    Output {
        /// First sector of the batch.
        lba: Lba,
        /// Bytes needed.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// A batch that is not the next one.
    #[error("expected the batch at lba {expected}, got one at {got}")]
    OutOfOrder {
        /// The encoder's position.
        expected: Lba,
        /// The batch's first sector.
        got: Lba,
    },
    /// A sector failed to encode.
    #[error("encoding sector data: {0}")]
    Sector(#[from] SectorError),
}

/// The disc an encoder walks: borrowed, or shared so the encoder can live
/// on its own (`FrameEncoder<'static>`, for engines that own their plan).
#[derive(Debug, Clone)]
enum DiscRef<'a> {
    Borrowed(&'a Disc),
    Shared(std::sync::Arc<Disc>),
}

impl std::ops::Deref for DiscRef<'_> {
    type Target = Disc;

    fn deref(&self) -> &Disc {
        match self {
            DiscRef::Borrowed(d) => d,
            DiscRef::Shared(d) => d,
        }
    }
}

/// The byte of a region's source where the record of sector `lba` starts:
/// `stride` bytes per sector from `offset` at `start`. The plan bounds
/// every region's reads within a file, so this never saturates for a
/// planned disc.
fn offset_of(offset: u64, lba: Lba, start: Lba, stride: u64) -> u64 {
    u64::try_from(lba.since(start))
        .unwrap_or(0)
        .saturating_mul(stride)
        .saturating_add(offset)
}

/// Walks a disc and encodes its frames.
#[derive(Debug, Clone)]
pub struct FrameEncoder<'a> {
    disc: DiscRef<'a>,
    subcode: SubcodeGenerator,
    options: FrameOptions,
    next: Lba,
    lead_in: SectorEncoder,
    /// CD-TEXT R-W of the lead-in, one entry per sector of the cycle.
    cdtext: Vec<[u8; PW_SIZE]>,
    /// Whether batches are spread over the cores.
    parallel: bool,
}

impl FrameEncoder<'static> {
    /// An encoder that shares ownership of `disc`, so it can be kept
    /// without a borrow (as a write engine keeps one per section).
    ///
    /// ## Errors
    ///
    /// As [`FrameEncoder::new`].
    pub fn shared(
        disc: std::sync::Arc<Disc>,
        options: FrameOptions,
    ) -> Result<FrameEncoder<'static>, FrameError> {
        FrameEncoder::with(DiscRef::Shared(disc), options)
    }
}

impl<'a> FrameEncoder<'a> {
    /// An encoder for `options.start..options.end` of `disc`.
    ///
    /// ## Errors
    ///
    /// [`FrameError::Range`] when the range starts before 90:00:00, ends
    /// after the lead-out or is reversed.
    pub fn new(disc: &'a Disc, options: FrameOptions) -> Result<FrameEncoder<'a>, FrameError> {
        FrameEncoder::with(DiscRef::Borrowed(disc), options)
    }

    fn with(disc: DiscRef<'a>, options: FrameOptions) -> Result<FrameEncoder<'a>, FrameError> {
        if options.start < Lba::MIN_MSF || options.end > disc.end() || options.start > options.end {
            return Err(FrameError::Range {
                start: options.start,
                end: options.end,
                min: Lba::MIN_MSF,
                max: disc.end(),
            });
        }
        let first_type = disc.tracks()[0].sector_type;
        Ok(FrameEncoder {
            subcode: SubcodeGenerator::new(&disc),
            options,
            next: options.start,
            lead_in: crate::disc::generated_encoder(first_type),
            cdtext: crate::cdtext::lead_in_cycle(disc.cdtext_packs()),
            parallel: true,
            disc,
        })
    }

    /// Bytes per frame: 2352 plus the subchannel.
    pub fn frame_size(&self) -> usize {
        SECTOR_SIZE + self.options.subchannel.size()
    }

    /// The next sector to encode.
    pub fn position(&self) -> Lba {
        self.next
    }

    /// Sectors left.
    pub fn remaining(&self) -> u64 {
        u64::try_from(self.options.end.since(self.next)).unwrap_or(0)
    }

    /// Describes the next batch of at most `max_sectors` (at least 1), or
    /// `None` when done. Does not advance: pass the batch to
    /// [`FrameEncoder::encode`].
    pub fn next_batch(&self, max_sectors: u32) -> Option<Batch> {
        let remaining = self.remaining();
        if remaining == 0 {
            return None;
        }
        let first = self.next;
        let mut n = (max_sectors.max(1) as u64).min(remaining) as u32;
        let region_index = if first < Lba::PREGAP_START {
            n = n.min(Lba::PREGAP_START.since(first) as u32);
            None
        } else {
            let i = self.disc.region_index(first);
            if let Some(r) = self.disc.regions().get(i) {
                n = n.min(r.end().since(first) as u32);
            }
            Some(i)
        };
        let region = region_index.and_then(|i| self.disc.regions().get(i));
        let rw = match (region, self.carries_rw()) {
            (
                Some(
                    r @ Region {
                        content:
                            Content::Source {
                                rw_sub: Some(sub), ..
                            },
                        ..
                    },
                ),
                true,
            ) => Some(Read {
                source: sub.source,
                offset: offset_of(sub.offset, first, r.start, PW_SIZE as u64),
                len: n as usize * PW_SIZE,
            }),
            _ => self.rw_read(first, &mut n),
        };
        let main = match region.map(|r| r.content) {
            Some(Content::Source { pos, stride, .. }) => {
                let r = region.map(|r| r.start).unwrap_or(first);
                Some(Read {
                    source: pos.source,
                    offset: offset_of(pos.offset, first, r, stride),
                    len: n as usize * stride as usize,
                })
            }
            _ => None,
        };
        Some(Batch {
            first,
            sectors: n,
            main,
            rw,
            region: region_index,
        })
    }

    /// Whether the frames carry R-W (96-byte subchannel forms).
    fn carries_rw(&self) -> bool {
        !matches!(
            self.options.subchannel,
            SubchannelFormat::Pq16 | SubchannelFormat::None
        )
    }

    /// The R-W generator read for a batch starting at `first`, shortening
    /// `n` so the batch does not straddle the generator's start.
    fn rw_read(&self, first: Lba, n: &mut u32) -> Option<Read> {
        let generator = self.disc.project().rw_generator?;
        if !self.carries_rw() {
            return None;
        }
        if first < RAW_IMAGE_START {
            *n = (*n).min(RAW_IMAGE_START.since(first) as u32);
            return None;
        }
        Some(Read {
            source: generator.source,
            offset: offset_of(generator.offset, first, RAW_IMAGE_START, PW_SIZE as u64),
            len: *n as usize * PW_SIZE,
        })
    }

    /// Encodes `batch` (the one [`FrameEncoder::next_batch`] returned) into
    /// `out`, using `main` and `rw` as read for the batch's requests (empty
    /// when the batch has none). Advances past the batch.
    ///
    /// ## Errors
    ///
    /// [`FrameError::OutOfOrder`] for a stale batch, [`FrameError::Input`]
    /// or [`FrameError::Output`] for buffers of the wrong size,
    /// [`FrameError::Sector`] for data a sector type refuses.
    pub fn encode(
        &mut self,
        batch: &Batch,
        main: &[u8],
        rw: &[u8],
        out: &mut [u8],
    ) -> Result<(), FrameError> {
        if batch.first != self.next {
            return Err(FrameError::OutOfOrder {
                expected: self.next,
                got: batch.first,
            });
        }
        let n = batch.sectors as usize;
        let fs = self.frame_size();
        let lba = batch.first;
        let expect = |what, expected: usize, got: usize| {
            if expected == got {
                Ok(())
            } else {
                Err(FrameError::Input {
                    lba,
                    what,
                    expected,
                    got,
                })
            }
        };
        expect(
            "main-channel data",
            batch.main.map_or(0, |r| r.len),
            main.len(),
        )?;
        expect("r-w subcode", batch.rw.map_or(0, |r| r.len), rw.len())?;
        if out.len() < n * fs {
            return Err(FrameError::Output {
                lba,
                expected: n * fs,
                got: out.len(),
            });
        }
        let disc = self.disc.clone();
        let region = batch.region.and_then(|i| disc.regions().get(i));
        let (encoder, content) = match region {
            Some(r) => (r.encoder, r.content),
            None => (self.lead_in, Content::Zero),
        };
        let shared = BatchInput {
            first: lba,
            encoder,
            content,
            main,
            rw,
            // R-W records of a separate file are linear P-W; the
            // generator's bytes are symbols already.
            linear_rw: matches!(
                content,
                Content::Source {
                    rw_sub: Some(_),
                    ..
                }
            ),
        };
        let out = &mut out[..n * fs];
        if self.spreads(n) {
            self.encode_spread(&shared, out, fs)?;
        } else {
            for (i, frame) in out.chunks_exact_mut(fs).enumerate() {
                self.encode_frame(&shared, i, frame)?;
            }
        }
        self.next = Lba(lba.0 + n as i32);
        Ok(())
    }

    /// Advances past `batch` without encoding it, as a reader that plans
    /// its reads ahead of the encoding does.
    ///
    /// ## Errors
    ///
    /// [`FrameError::OutOfOrder`] for a batch that is not the next one.
    pub fn skip(&mut self, batch: &Batch) -> Result<(), FrameError> {
        if batch.first != self.next {
            return Err(FrameError::OutOfOrder {
                expected: self.next,
                got: batch.first,
            });
        }
        self.next = Lba(batch.first.0 + batch.sectors as i32);
        Ok(())
    }

    /// Turns `batch`'s frames, encoded elsewhere in the shared form
    /// ([`SHARED_SUBCHANNEL`], unscrambled: what every other form is made
    /// from), into this encoder's form in `out`, as [`FrameEncoder::encode`]
    /// would have made them. Advances past the batch. Several writers of one
    /// disc (a duplicator) encode it once this way, each in its own form.
    ///
    /// ## Errors
    ///
    /// [`FrameError::OutOfOrder`] for a stale batch, [`FrameError::Input`]
    /// or [`FrameError::Output`] for buffers of the wrong size.
    pub fn reformat(
        &mut self,
        batch: &Batch,
        shared: &[u8],
        out: &mut [u8],
    ) -> Result<(), FrameError> {
        if batch.first != self.next {
            return Err(FrameError::OutOfOrder {
                expected: self.next,
                got: batch.first,
            });
        }
        let n = batch.sectors as usize;
        let fs = self.frame_size();
        let lba = batch.first;
        if shared.len() != n * SHARED_FRAME {
            return Err(FrameError::Input {
                lba,
                what: "shared frames",
                expected: n * SHARED_FRAME,
                got: shared.len(),
            });
        }
        if out.len() < n * fs {
            return Err(FrameError::Output {
                lba,
                expected: n * fs,
                got: out.len(),
            });
        }
        // A batch lies within one region: one sector type.
        let audio = match batch.region.and_then(|i| self.disc.regions().get(i)) {
            Some(r) => r.encoder.sector_type().is_audio(),
            None => self.lead_in.sector_type().is_audio(),
        };
        for (from, to) in shared
            .chunks_exact(SHARED_FRAME)
            .zip(out.chunks_exact_mut(fs))
        {
            let (sector, sub) = from.split_at(SECTOR_SIZE);
            let Some(target) = to.first_chunk_mut::<SECTOR_SIZE>() else {
                continue;
            };
            target.copy_from_slice(sector);
            if self.options.scramble && !audio && target[..SYNC.len()] == SYNC {
                scramble(target);
            }
            let Ok(raw) = <&[u8; PW_SIZE]>::try_from(sub) else {
                continue;
            };
            match self.options.subchannel {
                SubchannelFormat::None => {}
                SubchannelFormat::Interleaved => to[SECTOR_SIZE..].copy_from_slice(raw),
                SubchannelFormat::Linear => {
                    to[SECTOR_SIZE..].copy_from_slice(&interleaved_to_linear(raw));
                }
                SubchannelFormat::Pq16 => {
                    let (p, q) = pq_from_interleaved(raw);
                    write_subchannel(
                        SubchannelFormat::Pq16,
                        p,
                        &q,
                        &[0; PW_SIZE],
                        &mut to[SECTOR_SIZE..],
                    );
                }
            }
        }
        self.next = Lba(lba.0 + n as i32);
        Ok(())
    }

    /// Spreads batch encoding over the cores (`true`, the default with
    /// the `parallel` feature on a native target) or keeps it on the
    /// calling thread. The bytes are the same either way.
    pub fn set_parallel(&mut self, parallel: bool) {
        self.parallel = parallel;
    }

    /// Whether a batch of `n` frames is split over the cores.
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    fn spreads(&self, n: usize) -> bool {
        self.parallel && n >= 2 * MIN_CHUNK && rayon::current_num_threads() > 1
    }

    #[cfg(not(all(feature = "parallel", not(target_arch = "wasm32"))))]
    fn spreads(&self, _n: usize) -> bool {
        false
    }

    /// Encodes the frames of `out` in chunks over rayon's threads. On
    /// error, the error of the lowest failing frame is returned, as the
    /// serial loop would.
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    fn encode_spread(
        &self,
        shared: &BatchInput<'_>,
        out: &mut [u8],
        fs: usize,
    ) -> Result<(), FrameError> {
        use rayon::prelude::*;
        let n = out.len() / fs;
        // A few chunks per thread so a slow one does not hold the batch.
        let chunk = (n / (4 * rayon::current_num_threads())).max(MIN_CHUNK);
        let results: Vec<Result<(), FrameError>> = out
            .par_chunks_mut(chunk * fs)
            .enumerate()
            .map(|(k, frames)| {
                for (j, frame) in frames.chunks_exact_mut(fs).enumerate() {
                    self.encode_frame(shared, k * chunk + j, frame)?;
                }
                Ok(())
            })
            .collect();
        results.into_iter().collect()
    }

    #[cfg(not(all(feature = "parallel", not(target_arch = "wasm32"))))]
    fn encode_spread(
        &self,
        shared: &BatchInput<'_>,
        out: &mut [u8],
        fs: usize,
    ) -> Result<(), FrameError> {
        for (i, frame) in out.chunks_exact_mut(fs).enumerate() {
            self.encode_frame(shared, i, frame)?;
        }
        Ok(())
    }

    /// Encodes frame `i` of a batch: its sector, scrambled if asked, and
    /// its subchannel. Frames depend on nothing but their index, so any
    /// thread may encode any of them.
    fn encode_frame(
        &self,
        b: &BatchInput<'_>,
        i: usize,
        frame: &mut [u8],
    ) -> Result<(), FrameError> {
        let at = Lba(b.first.0 + i as i32);
        let Some(sector) = frame.first_chunk_mut::<SECTOR_SIZE>() else {
            return Ok(());
        };
        let per = b.encoder.input_len();
        let mut source_rw = None;
        match b.content {
            Content::Zero => b.encoder.encode(at, &ZEROS[..per], sector)?,
            Content::Source {
                stride, swap, rw, ..
            } => {
                let stride = stride as usize;
                let src = &b.main[i * stride..i * stride + per];
                if swap {
                    let mut swapped = [0u8; SECTOR_SIZE];
                    for (d, s) in swapped.chunks_exact_mut(2).zip(src.chunks_exact(2)) {
                        d[0] = s[1];
                        d[1] = s[0];
                    }
                    b.encoder.encode(at, &swapped[..per], sector)?;
                } else {
                    b.encoder.encode(at, src, sector)?;
                }
                if rw {
                    let s = i * stride + stride - PW_SIZE;
                    source_rw = b.main.get(s..s + PW_SIZE);
                }
            }
        }
        // Only what a reader will take for a data sector (its sync is
        // there) is scrambled: a sector given raw without one (zeros in a
        // data track) is recorded and read back as it is.
        if self.options.scramble
            && !b.encoder.sector_type().is_audio()
            && sector[..SYNC.len()] == SYNC
        {
            scramble(sector);
        }
        if self.options.subchannel == SubchannelFormat::None {
            return Ok(());
        }
        let mut symbols = [0u8; PW_SIZE];
        if let Some(s) = source_rw {
            symbols.copy_from_slice(s);
        }
        if let Some(record) = b.rw.get(i * PW_SIZE..(i + 1) * PW_SIZE) {
            let converted;
            let record = match <&[u8; PW_SIZE]>::try_from(record) {
                Ok(linear) if b.linear_rw => {
                    converted = linear_to_interleaved(linear);
                    &converted[..]
                }
                _ => record,
            };
            for (d, s) in symbols.iter_mut().zip(record) {
                *d |= s & 0x3f;
            }
        }
        if at < Lba::PREGAP_START && !self.cdtext.is_empty() {
            // The cycle is anchored at 90:00:00, like the TOC in Q, so the
            // lead-in does not depend on where writing starts.
            let k = at.since(Lba::MIN_MSF).rem_euclid(self.cdtext.len() as i64) as usize;
            symbols = self.cdtext[k];
        }
        let (p, q) = self.subcode.pq(at);
        write_subchannel(
            self.options.subchannel,
            p,
            &q.0,
            &symbols,
            &mut frame[SECTOR_SIZE..],
        );
        Ok(())
    }
}

/// Zeros for generated sectors.
static ZEROS: [u8; SECTOR_SIZE] = [0; SECTOR_SIZE];

/// Fewest frames a thread is given: below this, handing work over costs
/// more than it saves.
#[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
const MIN_CHUNK: usize = 16;

/// What every frame of a batch is made from.
struct BatchInput<'b> {
    first: Lba,
    encoder: SectorEncoder,
    content: Content,
    main: &'b [u8],
    rw: &'b [u8],
    linear_rw: bool,
}
