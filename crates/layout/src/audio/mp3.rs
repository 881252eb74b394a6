//! MP3 streams decoded by nanomp3, a safe Rust port of minimp3.
//!
//! Symphonia recognises the file and reads its tags; the audio is decoded
//! here because minimp3 computes with plain IEEE arithmetic and constant
//! tables only (no `powf` or other libm calls, whose results differ by an
//! ulp between glibc and the wasm32 build), so the CLI and the npm package
//! decode every MP3 to the same samples.
//!
//! Opening walks the frames once without decoding them: the first may be a
//! Xing/Info tag stating the frame count and, with LAME's extension, the
//! encoder delay and padding (gapless), and the walk shows whether the file
//! holds the frames the tag states. Decoding then streams through a window
//! of the file.

use super::{AudioErrorKind, AudioTime, MediaSource};
use nanomp3::{DecodeError, Decoder, VbrTag};
use std::io::{Read, Seek, SeekFrom};
use std::ops::ControlFlow;

pub(super) use nanomp3::MAX_SAMPLES_PER_FRAME;

/// Samples per channel every MP3 decoder delays its output by, on top of the
/// encoder delay the LAME tag states (as minimp3, LAME and FFmpeg count it).
const DECODER_DELAY: u64 = 529;
/// Bytes read from the file at a time.
const WINDOW: usize = 128 << 10;
/// The decoder is handed at least this much of what follows while the file
/// lasts: a frame is recognised by the frames after it (up to 10 of at most
/// 2881 bytes each).
const LOOKAHEAD: usize = 32 << 10;
/// What a stretch of junk keeps of its end for the next look: more than the
/// largest frame, which may begin there.
const JUNK_KEEP: usize = 4 << 10;
/// Frames at the start tried until one decodes (a stream cut from a longer
/// one begins with frames whose bit reservoir is missing), as minimp3 does.
const START_TRIES: u64 = 255;

/// An MP3 stream as opened: its format and its exact length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Mp3Info {
    pub(super) sample_rate: u32,
    pub(super) channels: u16,
    /// Samples per channel after encoder delay and padding.
    pub(super) frames: u64,
    /// Decoded samples per channel to drop at the start.
    pub(super) delay: u64,
}

/// A frame's decoded samples, interleaved, in the buffer given to
/// [`Mp3Stream::next_frame`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Mp3Frame {
    /// Samples per channel.
    pub(super) samples: usize,
    pub(super) channels: u16,
}

/// An MP3 stream being decoded front to back.
pub(super) struct Mp3Stream {
    source: Box<dyn MediaSource>,
    decoder: Decoder,
    buf: Vec<u8>,
    /// The window: `buf[pos..filled]` is still to decode.
    pos: usize,
    filled: usize,
    /// Bytes of audio in the file after the window.
    remaining: u64,
    sample_rate: u32,
    channels: u16,
    /// Whether a frame has produced audio yet.
    started: bool,
}

impl Mp3Stream {
    /// Opens the MP3 stream in `source`, whatever the position.
    ///
    /// ## Errors
    ///
    /// A read error, no frames, or fewer frames than the Xing/Info tag
    /// states (`Truncated`, or `Corrupt` when frames are missing before the
    /// end), with the time where the audio breaks.
    pub(super) fn open(
        mut source: Box<dyn MediaSource>,
    ) -> Result<(Mp3Stream, Mp3Info), (AudioErrorKind, AudioTime)> {
        let start_time = AudioTime { frames: 0, rate: 1 };
        let io = |e: std::io::Error| (super::io_kind(&e), start_time);
        let len = source.seek(SeekFrom::End(0)).map_err(io)?;
        let end = audio_end(&mut source, len).map_err(io)?;
        source.seek(SeekFrom::Start(0)).map_err(io)?;
        let scan = Scan::run(&mut source).map_err(io)?;
        let first = scan
            .first
            .ok_or((AudioErrorKind::Corrupt("no mp3 frames".into()), start_time))?;
        let time = |frames| AudioTime {
            frames,
            rate: first.rate,
        };
        let (frames, delay) = match scan.tag {
            Some((tag, tag_frames)) => {
                if let Some(frame) = scan.gap.filter(|_| tag_frames > scan.frames) {
                    let at = (frame * first.samples).saturating_sub(DECODER_DELAY);
                    return Err((
                        AudioErrorKind::Corrupt("a damaged or missing mp3 frame".into()),
                        time(at),
                    ));
                }
                if tag_frames > scan.frames {
                    let found = scan.frames * first.samples;
                    return Err((
                        AudioErrorKind::Truncated {
                            declared: tag_frames * first.samples,
                            found,
                        },
                        time(found),
                    ));
                }
                let total = tag_frames * first.samples;
                // As minimp3: the padding past the decoder's delay is cut.
                let (delay, padding) = tag.encoder_delay_padding.map_or((0, 0), |(d, p)| {
                    (
                        u64::from(d) + DECODER_DELAY,
                        u64::from(p).saturating_sub(DECODER_DELAY),
                    )
                });
                (total.saturating_sub(delay).saturating_sub(padding), delay)
            }
            None => (scan.samples, 0),
        };
        let start = scan.audio_start;
        source.seek(SeekFrom::Start(start)).map_err(io)?;
        let stream = Mp3Stream {
            source,
            decoder: Decoder::new(),
            buf: vec![0; WINDOW],
            pos: 0,
            filled: 0,
            remaining: end.saturating_sub(start),
            sample_rate: first.rate,
            channels: first.channels,
            started: false,
        };
        let info = Mp3Info {
            sample_rate: first.rate,
            channels: first.channels,
            frames,
            delay,
        };
        Ok((stream, info))
    }

    /// Decodes the next frame into `pcm` (interleaved, full scale ±1);
    /// `None` at the end of the stream.
    ///
    /// ## Errors
    ///
    /// A read error; a damaged frame, or one that needs the bit reservoir of
    /// a frame lost before it; a frame of another rate or channel count.
    pub(super) fn next_frame(
        &mut self,
        pcm: &mut [f32; MAX_SAMPLES_PER_FRAME],
    ) -> Result<Option<Mp3Frame>, AudioErrorKind> {
        loop {
            self.fill()?;
            let window = &self.buf[self.pos..self.filled];
            if window.is_empty() {
                return Ok(None);
            }
            let (consumed, result) = self.decoder.decode(window, &mut pcm[..]);
            let at_end = self.remaining == 0;
            match result {
                Ok(frame) => {
                    self.pos += consumed;
                    let channels = u16::from(frame.channels.num());
                    if frame.sample_rate != self.sample_rate || channels != self.channels {
                        return Err(AudioErrorKind::Corrupt(format!(
                            "an mp3 frame of {} Hz, {channels} channels in a stream of {} Hz, {}",
                            frame.sample_rate, self.sample_rate, self.channels
                        )));
                    }
                    self.started = true;
                    return Ok(Some(Mp3Frame {
                        samples: frame.samples_produced,
                        channels,
                    }));
                }
                Err(DecodeError::NoFrame) if at_end => {
                    // What is left holds no whole frame.
                    self.pos = self.filled;
                }
                Err(DecodeError::NoFrame) => {
                    // Junk: keep its end, where a frame may begin, and read on.
                    self.pos += consumed.saturating_sub(JUNK_KEEP).max(1);
                    self.fill_from_source()?;
                }
                Err(DecodeError::ReservoirUnavailable(_)) if !self.started => {
                    self.pos += consumed;
                }
                Err(DecodeError::ReservoirUnavailable(_)) => {
                    return Err(AudioErrorKind::Corrupt(
                        "an mp3 frame whose bit reservoir is lost".into(),
                    ));
                }
                Err(DecodeError::Corrupt(_)) => {
                    return Err(AudioErrorKind::Corrupt("damaged mp3 frame".into()));
                }
                Err(other) => return Err(AudioErrorKind::Unsupported(other.to_string())),
            }
        }
    }

    /// Keeps at least [`LOOKAHEAD`] bytes in the window while the file
    /// lasts.
    fn fill(&mut self) -> Result<(), AudioErrorKind> {
        if self.filled - self.pos < LOOKAHEAD && self.remaining > 0 {
            self.fill_from_source()?;
        }
        Ok(())
    }

    /// Moves the window's bytes to the front and reads up to a full buffer.
    fn fill_from_source(&mut self) -> Result<(), AudioErrorKind> {
        self.buf.copy_within(self.pos..self.filled, 0);
        self.filled -= self.pos;
        self.pos = 0;
        while self.filled < self.buf.len() && self.remaining > 0 {
            let room = (self.buf.len() - self.filled) as u64;
            let want = room.min(self.remaining) as usize;
            let n = match self
                .source
                .read(&mut self.buf[self.filled..self.filled + want])
            {
                Ok(0) => {
                    return Err(AudioErrorKind::Corrupt("unexpected end of file".into()));
                }
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(super::io_kind(&e)),
            };
            self.filled += n;
            self.remaining -= n as u64;
        }
        Ok(())
    }
}

/// The first audio frame's format.
#[derive(Debug, Clone, Copy)]
struct First {
    rate: u32,
    channels: u16,
    /// Samples per channel per frame.
    samples: u64,
}

/// What walking the frames found.
struct Scan {
    first: Option<First>,
    /// The Xing/Info tag and the frame count it states.
    tag: Option<(VbrTag, u64)>,
    /// Audio frames (the tag frame not counted).
    frames: u64,
    /// Samples per channel the frames decode to, for a stream without a
    /// frame count: the frames at the start that cannot be decoded count
    /// none, as they produce none.
    samples: u64,
    /// Where the first audio frame (or junk before it) starts.
    audio_start: u64,
    /// The audio frame before which bytes that are no frame were first
    /// skipped.
    gap: Option<u64>,
}

impl Scan {
    fn run(source: &mut Box<dyn MediaSource>) -> std::io::Result<Scan> {
        let mut scan = Scan {
            first: None,
            tag: None,
            frames: 0,
            samples: 0,
            audio_start: 0,
            gap: None,
        };
        let mut next_offset = None;
        let mut decoder = Some(Decoder::new());
        let mut pcm = [0f32; MAX_SAMPLES_PER_FRAME];
        let mut tried = 0u64;
        let mut seen = false;
        nanomp3::for_each_frame_reader(source, |frame| {
            if frame.layer != 3 {
                return ControlFlow::Continue(());
            }
            let samples = frame.samples as u64;
            if next_offset.is_some_and(|o| o != frame.offset) && scan.gap.is_none() {
                scan.gap = Some(scan.frames);
            }
            next_offset = Some(frame.offset + frame.data.len());
            if !seen {
                seen = true;
                scan.first = Some(First {
                    rate: frame.sample_rate,
                    channels: u16::from(frame.channels.num()),
                    samples,
                });
                scan.audio_start = frame.offset as u64;
                if let Some(tag) = VbrTag::parse(frame.data) {
                    scan.audio_start = (frame.offset + frame.data.len()) as u64;
                    scan.tag = tag.frames.map(|n| (tag, u64::from(n)));
                    return ControlFlow::Continue(());
                }
            }
            scan.frames += 1;
            match decoder.as_mut() {
                Some(d) if scan.tag.is_none() => {
                    tried += 1;
                    let (_, result) = d.decode(frame.data, &mut pcm[..]);
                    if let Ok(info) = result {
                        scan.samples += info.samples_produced as u64;
                        decoder = None;
                    } else if tried >= START_TRIES {
                        decoder = None;
                    }
                }
                _ => scan.samples += samples,
            }
            ControlFlow::Continue(())
        })?;
        Ok(scan)
    }
}

/// Where the audio ends: before any ID3v1 or APEv2 tag at the end of the
/// file.
fn audio_end(source: &mut Box<dyn MediaSource>, len: u64) -> std::io::Result<u64> {
    let tail_len = len.min(WINDOW as u64);
    source.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0; tail_len as usize];
    source.read_exact(&mut tail)?;
    let kept = nanomp3::strip_trailing_tags(&tail).len() as u64;
    Ok(len - (tail_len - kept))
}
