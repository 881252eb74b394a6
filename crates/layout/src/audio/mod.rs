//! Audio files decoded to CD PCM, with the same bytes on every platform.
//!
//! [`AudioDecoder`] reads WAV (8/16/24/32-bit integer, 32/64-bit float,
//! `WAVE_FORMAT_EXTENSIBLE`), AIFF, FLAC, ALAC and AAC (in MP4/M4A), MP3
//! and Ogg Vorbis, told apart by their content, and hands out 44.1 kHz
//! 16-bit stereo little-endian PCM: mono is copied to both channels, other
//! rates go through [`crate::pcm::Resampler`], and samples are quantised
//! by [`crate::pcm::to_i16`]. The decoders are in pure Rust: Symphonia's,
//! and for MP3 nanomp3's (a port of minimp3, see [`mp3`] for why), and the
//! C math functions Symphonia's AAC and Vorbis decoders call for their
//! tables and windows (`powf`, `sin`, `exp2f`...) are answered in native
//! builds by the code the wasm32 build uses (the `samemath` crate), so the
//! CLI and the WebAssembly package decode every format to identical bytes.
//!
//! Encoder delay and padding are removed: MP3 from its LAME/Xing header,
//! Vorbis from its granule positions, AAC and ALAC in MP4 from the edit
//! list or the `iTunSMPB` tag ([`mp4`]). The length of the PCM is known
//! when the file is opened (the whole file is demultiplexed once, without
//! decoding, to count its samples), so a disc plan can be made before any
//! audio is decoded.
//!
//! Decoding is sequential: [`AudioDecoder::read`] hands out the next bytes;
//! to go back, open the file again. The decoder reads through any
//! [`MediaSource`] (a file, or bytes in memory) and does no other I/O.
//!
//! Any damage is an [`AudioError`] naming the file and the time at which
//! decoding broke; FLAC's frame CRCs and MD5 signature are checked.
//!
//! ```no_run
//! use layout::audio::AudioDecoder;
//!
//! let file = std::fs::File::open("song.mp3")?;
//! let mut decoder = AudioDecoder::open(Box::new(file), "song.mp3")?;
//! let mut pcm = vec![0u8; decoder.info().cd_len() as usize];
//! let mut filled = 0;
//! while filled < pcm.len() {
//!     let n = decoder.read(&mut pcm[filled..])?;
//!     if n == 0 { break; }
//!     filled += n;
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod mp3;
pub mod mp4;
mod resample;
mod tags;

pub use symphonia::core::io::MediaSource;
pub use tags::AudioTags;

// Linked for its C math symbols; see the module documentation.
use crate::pcm::{CD_FRAME_BYTES, CD_RATE, RateError, Resampler, to_i16};
use resample::StreamResampler;
use samemath as _;
use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use symphonia::core::audio::{Audio, GenericAudioBufferRef};
use symphonia::core::codecs::CodecParameters;
use symphonia::core::codecs::audio::{AudioDecoder as Codec, AudioDecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::well_known::FORMAT_ID_MP3;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use thiserror::Error;

/// What an audio file holds, as opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioInfo {
    /// The codec, in lower case: `pcm`, `flac`, `mp3`, `aac`, `alac`,
    /// `vorbis`.
    pub codec: String,
    /// Samples per second per channel in the file.
    pub sample_rate: u32,
    /// Channels in the file (1 or 2).
    pub channels: u16,
    /// Bits per sample of lossless formats, when the file says.
    pub bits_per_sample: Option<u32>,
    /// Samples per channel after encoder delay and padding are removed.
    pub frames: u64,
}

impl AudioInfo {
    /// Stereo frames of CD audio the file becomes (4 bytes each).
    pub fn cd_frames(&self) -> u64 {
        Resampler::new(self.sample_rate).map_or(0, |r| r.output_len(self.frames))
    }

    /// Bytes of CD PCM the file becomes.
    pub fn cd_len(&self) -> u64 {
        self.cd_frames() * CD_FRAME_BYTES as u64
    }

    /// Whether the file is already CD audio (16-bit, 44.1 kHz, stereo,
    /// lossless), so its samples pass through unchanged.
    pub fn is_cd_audio(&self) -> bool {
        self.sample_rate == CD_RATE && self.channels == 2 && self.bits_per_sample == Some(16)
    }
}

/// Why an audio file cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}: {kind}{}", at.map(|t| format!(" at {t}")).unwrap_or_default())]
pub struct AudioError {
    /// The file's name as given to [`AudioDecoder::open`].
    pub file: String,
    /// What went wrong.
    pub kind: AudioErrorKind,
    /// Where in the audio decoding broke, when it did.
    pub at: Option<AudioTime>,
}

/// What went wrong with an audio file.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AudioErrorKind {
    /// The content is not an audio format this decoder knows.
    #[error("not a known audio format (wav, aiff, flac, mp3, m4a, ogg vorbis)")]
    NotAudio,
    /// The format is known, but not this variant of it.
    #[error("unsupported audio: {0}")]
    Unsupported(String),
    /// More channels than CD audio can take.
    #[error("{0} channels; cd audio takes 1 or 2: downmix it first")]
    Channels(usize),
    /// A sample rate outside what the resampler takes.
    #[error("{0}")]
    Rate(RateError),
    /// The data is damaged.
    #[error("damaged audio ({0})")]
    Corrupt(String),
    /// The file ends before the length its header states.
    #[error("the file ends early: {found} of the {declared} samples it declares")]
    Truncated {
        /// Samples per channel the header declares.
        declared: u64,
        /// Samples per channel the file holds.
        found: u64,
    },
    /// The decoded audio does not match the checksum the file carries.
    #[error("the decoded audio does not match the file's md5 signature")]
    Checksum,
    /// The file could not be read.
    #[error("read error: {0}")]
    Io(String),
}

/// A time in an audio file, shown as `m:ss.ff` with `ff` in 75ths of a
/// second (CD frames), as in cue sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioTime {
    /// Samples per channel from the start (after encoder delay).
    pub frames: u64,
    /// The sample rate they count at.
    pub rate: u32,
}

impl fmt::Display for AudioTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rate = u64::from(self.rate.max(1));
        let cd_frames = u128::from(self.frames) * 75 / u128::from(rate);
        let cd_frames = u64::try_from(cd_frames).unwrap_or(u64::MAX);
        write!(
            f,
            "{}:{:02}.{:02}",
            cd_frames / (75 * 60),
            cd_frames / 75 % 60,
            cd_frames % 75
        )
    }
}

/// Where decoded audio comes from.
enum Stream {
    /// Symphonia's demuxer and decoder.
    Packets {
        reader: Box<dyn FormatReader + 'static>,
        codec: Box<dyn Codec>,
        track: u32,
    },
    /// nanomp3 (boxed: its decoder state is large).
    Mp3(Box<mp3::Mp3Stream>, Box<[f32; mp3::MAX_SAMPLES_PER_FRAME]>),
}

/// An audio file being decoded to CD PCM, front to back.
pub struct AudioDecoder {
    name: String,
    stream: Stream,
    info: AudioInfo,
    tags: AudioTags,
    resampler: StreamResampler,
    /// Leading samples still to drop (MP4 priming, MP3 encoder delay).
    skip: u64,
    /// Samples per channel decoded and kept so far.
    decoded: u64,
    planar: Vec<Vec<f32>>,
    /// At 44.1 kHz: CD PCM decoded and not yet handed out, from
    /// `ready_pos` (the resampler is bypassed).
    ready: Vec<u8>,
    ready_pos: usize,
    /// Whether the last packet has been read (and the checksum checked).
    ended: bool,
    /// CD PCM bytes handed out so far.
    position: u64,
    /// A partly handed-out CD frame.
    partial: [u8; CD_FRAME_BYTES],
    partial_len: usize,
}

impl fmt::Debug for AudioDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AudioDecoder")
            .field("name", &self.name)
            .field("info", &self.info)
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

impl AudioDecoder {
    /// Opens an audio file: recognises its format, reads its tags and
    /// counts its samples. `name` is used in errors.
    ///
    /// ## Errors
    ///
    /// [`AudioError`] for content that is not a known audio format, more
    /// than 2 channels, a rate the resampler refuses, a damaged or
    /// truncated file, or a read error.
    pub fn open(source: Box<dyn MediaSource>, name: &str) -> Result<AudioDecoder, AudioError> {
        let fail = |kind: AudioErrorKind| {
            // Damage found while reading the headers is at the start.
            let at = matches!(
                kind,
                AudioErrorKind::Corrupt(_) | AudioErrorKind::Truncated { .. }
            )
            .then_some(AudioTime { frames: 0, rate: 1 });
            AudioError {
                file: name.to_string(),
                kind,
                at,
            }
        };
        let mut stream = MediaSourceStream::new(source, MediaSourceStreamOptions::default());
        let trim = mp4::Trim::find(&mut stream).map_err(|e| fail(io_kind(&e)))?;
        stream
            .seek(SeekFrom::Start(0))
            .map_err(|e| fail(io_kind(&e)))?;
        wave_check(&mut stream).map_err(fail)?;
        stream
            .seek(SeekFrom::Start(0))
            .map_err(|e| fail(io_kind(&e)))?;
        let (mut reader, track, params) = probe(stream).map_err(&fail)?;
        let mut tags = AudioTags::default();
        {
            let mut log = reader.metadata();
            loop {
                if let Some(revision) = log.current() {
                    tags.absorb(revision);
                }
                if log.is_latest() || log.pop().is_none() {
                    break;
                }
            }
        }
        if reader.format_info().format == FORMAT_ID_MP3 {
            return Self::open_mp3(reader.into_inner(), name, tags);
        }

        let rate = params
            .sample_rate
            .ok_or_else(|| fail(AudioErrorKind::Unsupported("no sample rate".into())))?;
        let channels = params.channels.as_ref().map_or(0, |c| c.count());
        if !(1..=2).contains(&channels) {
            return Err(fail(AudioErrorKind::Channels(channels)));
        }
        let resampler = Resampler::new(rate).map_err(|e| fail(AudioErrorKind::Rate(e)))?;
        let codec_name = codec_name(&params);

        // Count the samples without decoding, then start over. Demuxers
        // differ in whether a packet's duration includes the samples it
        // trims, so the stated length wins when there is one; the packets'
        // end shows whether the file holds it. Decoding checks again.
        let declared = reader
            .tracks()
            .iter()
            .find(|t| t.id == track)
            .and_then(|t| t.num_frames);
        let mut counted = 0u64;
        let mut end = 0u64;
        loop {
            match reader.next_packet() {
                Ok(Some(p)) if p.track_id == track => {
                    let (dur, start, trim_end) =
                        (p.dur.get(), p.trim_start.get(), p.trim_end.get());
                    counted += dur.saturating_sub(start).saturating_sub(trim_end);
                    let packet_end = i128::from(p.pts.get()) + i128::from(dur);
                    end = end.max(u64::try_from(packet_end).unwrap_or(0));
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => {
                    return Err(AudioError {
                        file: name.to_string(),
                        kind: error_kind(e),
                        at: Some(AudioTime {
                            frames: counted,
                            rate,
                        }),
                    });
                }
            }
        }
        let frames = match (trim, declared) {
            (Some(t), _) => t.frames(counted),
            (None, Some(declared)) if declared > end => {
                return Err(AudioError {
                    file: name.to_string(),
                    kind: AudioErrorKind::Truncated {
                        declared,
                        found: counted,
                    },
                    at: Some(AudioTime {
                        frames: counted,
                        rate,
                    }),
                });
            }
            (None, Some(declared)) => declared,
            (None, None) => counted,
        };
        let mut stream = reader.into_inner();
        stream
            .seek(SeekFrom::Start(0))
            .map_err(|e| fail(io_kind(&e)))?;
        let (reader, _, params) = probe(stream).map_err(&fail)?;
        let options = AudioDecoderOptions::default().verify(true);
        let codec = symphonia::default::get_codecs()
            .make_audio_decoder(&params, &options)
            .map_err(|e| fail(error_kind(e)))?;

        let info = AudioInfo {
            codec: codec_name,
            sample_rate: rate,
            channels: channels as u16,
            bits_per_sample: params.bits_per_sample,
            frames,
        };
        let stream = Stream::Packets {
            reader,
            codec,
            track,
        };
        Ok(Self::new(
            name,
            stream,
            info,
            tags,
            resampler,
            trim.map_or(0, |t| t.delay),
        ))
    }

    /// Opens an MP3 stream recognised by Symphonia's probe with nanomp3.
    fn open_mp3(
        stream: MediaSourceStream<'static>,
        name: &str,
        tags: AudioTags,
    ) -> Result<AudioDecoder, AudioError> {
        let (mp3, found) =
            mp3::Mp3Stream::open(Box::new(stream)).map_err(|(kind, at)| AudioError {
                file: name.to_string(),
                kind,
                at: Some(at),
            })?;
        let fail = |kind| AudioError {
            file: name.to_string(),
            kind,
            at: None,
        };
        if !(1..=2).contains(&found.channels) {
            return Err(fail(AudioErrorKind::Channels(usize::from(found.channels))));
        }
        let resampler =
            Resampler::new(found.sample_rate).map_err(|e| fail(AudioErrorKind::Rate(e)))?;
        let info = AudioInfo {
            codec: "mp3".into(),
            sample_rate: found.sample_rate,
            channels: found.channels,
            bits_per_sample: None,
            frames: found.frames,
        };
        let pcm = Box::new([0.0; mp3::MAX_SAMPLES_PER_FRAME]);
        let stream = Stream::Mp3(Box::new(mp3), pcm);
        Ok(Self::new(name, stream, info, tags, resampler, found.delay))
    }

    fn new(
        name: &str,
        stream: Stream,
        info: AudioInfo,
        tags: AudioTags,
        resampler: Resampler,
        skip: u64,
    ) -> AudioDecoder {
        AudioDecoder {
            name: name.to_string(),
            stream,
            resampler: StreamResampler::new(resampler, info.frames),
            info,
            tags,
            skip,
            decoded: 0,
            planar: Vec::new(),
            ready: Vec::new(),
            ready_pos: 0,
            ended: false,
            position: 0,
            partial: [0; CD_FRAME_BYTES],
            partial_len: 0,
        }
    }

    /// The file's format and length.
    pub fn info(&self) -> &AudioInfo {
        &self.info
    }

    /// The file's tags.
    pub fn tags(&self) -> &AudioTags {
        &self.tags
    }

    /// Bytes of CD PCM handed out so far.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Fills `buf` with the next bytes of CD PCM; returns how many, fewer
    /// than `buf.len()` only at the end (0 once there).
    ///
    /// ## Errors
    ///
    /// [`AudioError`] when the file is damaged or cannot be read, naming
    /// the time where decoding broke; also at the end when the audio does
    /// not match the file's MD5 signature (FLAC) or length.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, AudioError> {
        let mut filled = 0;
        if self.resampler.is_passthrough() {
            while filled < buf.len() {
                if self.ready_pos < self.ready.len() {
                    let take = (self.ready.len() - self.ready_pos).min(buf.len() - filled);
                    buf[filled..filled + take]
                        .copy_from_slice(&self.ready[self.ready_pos..self.ready_pos + take]);
                    self.ready_pos += take;
                    filled += take;
                } else if self.ended {
                    break;
                } else {
                    self.decode_next()?;
                }
            }
            self.position += filled as u64;
            return Ok(filled);
        }
        while filled < buf.len() {
            if self.partial_len > 0 {
                let from = CD_FRAME_BYTES - self.partial_len;
                let take = self.partial_len.min(buf.len() - filled);
                buf[filled..filled + take].copy_from_slice(&self.partial[from..from + take]);
                self.partial_len -= take;
                filled += take;
                continue;
            }
            let whole = (buf.len() - filled) / CD_FRAME_BYTES * CD_FRAME_BYTES;
            let n = if whole > 0 {
                self.resampler.produce(&mut buf[filled..filled + whole])
            } else {
                let n = self.resampler.produce(&mut self.partial);
                if n > 0 {
                    self.partial_len = CD_FRAME_BYTES;
                }
                0
            };
            filled += n;
            if n > 0 || self.partial_len > 0 {
                continue;
            }
            // The packets after the last sample are still read, for the
            // checksum at the end.
            if self.resampler.is_done() && self.ended {
                break;
            }
            self.decode_next()?;
        }
        self.position += filled as u64;
        Ok(filled)
    }

    /// Skips `len` bytes of CD PCM (decoding them).
    ///
    /// ## Errors
    ///
    /// As [`AudioDecoder::read`].
    pub fn skip(&mut self, mut len: u64) -> Result<(), AudioError> {
        let mut scratch = vec![0u8; 64 << 10];
        while len > 0 {
            let n = (scratch.len() as u64).min(len) as usize;
            let got = self.read(&mut scratch[..n])?;
            if got == 0 {
                break;
            }
            len -= got as u64;
        }
        Ok(())
    }

    /// Decodes the whole rest of the file, discarding the audio, to find
    /// any damage (FLAC's checksums included).
    ///
    /// ## Errors
    ///
    /// As [`AudioDecoder::read`].
    pub fn verify(&mut self) -> Result<(), AudioError> {
        self.skip(u64::MAX)
    }

    /// Decodes the next packet into the resampler, or marks the end.
    fn decode_next(&mut self) -> Result<(), AudioError> {
        let (reader, codec, track) = match &mut self.stream {
            Stream::Packets {
                reader,
                codec,
                track,
            } => (reader, codec, *track),
            Stream::Mp3(mp3, pcm) => {
                return match mp3.next_frame(pcm) {
                    Ok(Some(frame)) => {
                        let (samples, channels) = (frame.samples, usize::from(frame.channels));
                        self.planar.resize_with(channels, Vec::new);
                        for (c, plane) in self.planar.iter_mut().enumerate() {
                            plane.clear();
                            plane
                                .extend(pcm[..samples * channels].iter().skip(c).step_by(channels));
                        }
                        self.push_planar()
                    }
                    Ok(None) => self.finish(),
                    Err(kind) => Err(self.error(kind)),
                };
            }
        };
        let packet = loop {
            match reader.next_packet() {
                Ok(Some(p)) if p.track_id == track => break Some(p),
                Ok(Some(_)) => {}
                Ok(None) => break None,
                Err(e) => return Err(self.error(error_kind(e))),
            }
        };
        let Some(packet) = packet else {
            return self.finish();
        };
        let buffer = match codec.decode(&packet) {
            Ok(b) => b,
            Err(e) => return Err(self.error(error_kind(e))),
        };
        if self.resampler.is_passthrough() {
            let frames = buffer.frames();
            let skip = (self.skip.min(frames as u64)) as usize;
            let keep = ((frames - skip) as u64).min(self.info.frames - self.decoded) as usize;
            if self.ready_pos == self.ready.len() {
                self.ready.clear();
                self.ready_pos = 0;
            }
            let bits = self.info.bits_per_sample;
            if !append_cd(
                &buffer,
                skip..skip + keep,
                bits,
                &mut self.ready,
                &mut self.planar,
            ) {
                return Err(self.error(AudioErrorKind::Corrupt("no channels".into())));
            }
            self.skip -= skip as u64;
            self.decoded += keep as u64;
            return Ok(());
        }
        buffer.copy_to_vecs_planar::<f32>(&mut self.planar);
        self.push_planar()
    }

    /// Hands the samples in `planar` on: as CD PCM at 44.1 kHz, else to the
    /// resampler.
    fn push_planar(&mut self) -> Result<(), AudioError> {
        if self.resampler.is_passthrough() {
            let frames = self.planar.first().map_or(0, Vec::len);
            let skip = (self.skip.min(frames as u64)) as usize;
            let keep = ((frames - skip) as u64).min(self.info.frames - self.decoded) as usize;
            if self.ready_pos == self.ready.len() {
                self.ready.clear();
                self.ready_pos = 0;
            }
            let planes = match self.planar.as_slice() {
                [mono] => (Some(mono.as_slice()), None),
                [l, r, ..] => (Some(l.as_slice()), Some(r.as_slice())),
                _ => (None, None),
            };
            if !append_stereo(planes, skip..skip + keep, &mut self.ready, to_i16) {
                return Err(self.error(AudioErrorKind::Corrupt("no channels".into())));
            }
            self.skip -= skip as u64;
            self.decoded += keep as u64;
            return Ok(());
        }
        let (left, right) = match self.planar.as_slice() {
            [mono] => (mono.as_slice(), mono.as_slice()),
            [l, r, ..] => (l.as_slice(), r.as_slice()),
            _ => return Err(self.error(AudioErrorKind::Corrupt("no channels".into()))),
        };
        let skip = (self.skip.min(left.len() as u64)) as usize;
        self.skip -= skip as u64;
        let room = self.info.frames - self.decoded;
        let end = ((left.len() - skip) as u64).min(room) as usize + skip;
        self.resampler.push(&left[skip..end], &right[skip..end]);
        self.decoded += (end - skip) as u64;
        if self.decoded == self.info.frames && self.skip == 0 && room > 0 {
            // Everything the plan counted is in; what follows is padding.
            self.resampler.finish();
        }
        Ok(())
    }

    /// At the end of the packets: checks the length and the checksum.
    fn finish(&mut self) -> Result<(), AudioError> {
        if self.decoded < self.info.frames {
            return Err(self.error(AudioErrorKind::Truncated {
                declared: self.info.frames,
                found: self.decoded,
            }));
        }
        if let Stream::Packets { codec, .. } = &mut self.stream
            && codec.finalize().verify_ok == Some(false)
        {
            return Err(self.error(AudioErrorKind::Checksum));
        }
        self.resampler.finish();
        self.ended = true;
        Ok(())
    }

    fn error(&self, kind: AudioErrorKind) -> AudioError {
        AudioError {
            file: self.name.clone(),
            kind,
            at: Some(AudioTime {
                frames: self.decoded,
                rate: self.info.sample_rate,
            }),
        }
    }
}

/// Appends frames `range` of a decoded packet to `out` as CD PCM, for a file
/// at 44.1 kHz. Integer samples of up to 16 bits are copied as they are
/// (what quantising them as floats gives back); others go through
/// [`crate::pcm::to_i16`]. False when the packet has no channels.
fn append_cd(
    buffer: &GenericAudioBufferRef<'_>,
    range: std::ops::Range<usize>,
    bits: Option<u32>,
    out: &mut Vec<u8>,
    planar: &mut Vec<Vec<f32>>,
) -> bool {
    let second = |n: usize| usize::from(n > 1);
    match buffer {
        GenericAudioBufferRef::S16(b) => append_stereo(
            (b.plane(0), b.plane(second(b.num_planes()))),
            range,
            out,
            |s| s,
        ),
        // Samples of `bits` bits, shifted to the top of 32 (FLAC, ALAC).
        GenericAudioBufferRef::S32(b) if bits.is_some_and(|n| n <= 16) => append_stereo(
            (b.plane(0), b.plane(second(b.num_planes()))),
            range,
            out,
            |s| (s >> 16) as i16,
        ),
        _ => {
            buffer.copy_to_vecs_planar::<f32>(planar);
            let planes = match planar.as_slice() {
                [mono] => (Some(mono.as_slice()), None),
                [l, r, ..] => (Some(l.as_slice()), Some(r.as_slice())),
                _ => (None, None),
            };
            append_stereo(planes, range, out, to_i16)
        }
    }
}

/// Appends frames `range` of one or two planes to `out` as CD PCM, a mono
/// plane on both channels. False when there is no plane, or the range is
/// outside it.
fn append_stereo<S, F>(
    planes: (Option<&[S]>, Option<&[S]>),
    range: std::ops::Range<usize>,
    out: &mut Vec<u8>,
    sample: F,
) -> bool
where
    S: Copy,
    F: Fn(S) -> i16,
{
    let (Some(left), right) = planes else {
        return false;
    };
    let right = right.unwrap_or(left);
    let (Some(left), Some(right)) = (left.get(range.clone()), right.get(range)) else {
        return false;
    };
    out.reserve(left.len() * CD_FRAME_BYTES);
    for (&l, &r) in left.iter().zip(right) {
        let (l, r) = (sample(l).to_le_bytes(), sample(r).to_le_bytes());
        out.extend_from_slice(&[l[0], l[1], r[0], r[1]]);
    }
    true
}

/// Recognises the format and finds the first audio track.
fn probe(
    stream: MediaSourceStream<'static>,
) -> Result<(Box<dyn FormatReader + 'static>, u32, AudioCodecParams), AudioErrorKind> {
    let reader = symphonia::default::get_probe()
        .probe(
            &Hint::new(),
            stream,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| match e {
            SymphoniaError::Unsupported(_) => AudioErrorKind::NotAudio,
            other => error_kind(other),
        })?;
    let track = reader
        .default_track(TrackType::Audio)
        .ok_or(AudioErrorKind::NotAudio)?;
    let params = match &track.codec_params {
        Some(CodecParameters::Audio(a)) => a.clone(),
        _ => return Err(AudioErrorKind::NotAudio),
    };
    let id = track.id;
    Ok((reader, id, params))
}

/// Refuses, before Symphonia parses it, a WAV whose `fmt ` chunk states
/// more than 2 channels, or a `WAVE_FORMAT_EXTENSIBLE` channel mask with
/// its top bit set and fewer bits than channels (Symphonia 0.6's mask
/// repair shifts past 32 bits on it).
fn wave_check<R: Read>(stream: &mut R) -> Result<(), AudioErrorKind> {
    let mut prefix = Vec::with_capacity(4096);
    stream
        .take(64 << 10)
        .read_to_end(&mut prefix)
        .map_err(|e| io_kind(&e))?;
    let Some(fmt) = crate::wav::format_chunk(&prefix) else {
        return Ok(());
    };
    let channels = fmt
        .get(2..4)
        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
    if channels > 2 {
        return Err(AudioErrorKind::Channels(usize::from(channels)));
    }
    let tag = fmt
        .get(0..2)
        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
    if tag == 0xFFFE
        && let Some(mask) = fmt.get(20..24)
    {
        let mask = u32::from_le_bytes([mask[0], mask[1], mask[2], mask[3]]);
        if mask >> 31 == 1 && mask.count_ones() < u32::from(channels) {
            return Err(AudioErrorKind::Corrupt("wav channel mask".into()));
        }
    }
    Ok(())
}

type AudioCodecParams = symphonia::core::codecs::audio::AudioCodecParameters;

fn codec_name(params: &AudioCodecParams) -> String {
    symphonia::default::get_codecs()
        .get_audio_decoder(params.codec)
        .map_or_else(
            || "unknown".to_string(),
            |d| d.codec.info.short_name.to_ascii_lowercase(),
        )
}

fn error_kind(e: SymphoniaError) -> AudioErrorKind {
    match e {
        SymphoniaError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            AudioErrorKind::Corrupt("unexpected end of file".into())
        }
        SymphoniaError::IoError(e) => io_kind(&e),
        SymphoniaError::DecodeError(what) => AudioErrorKind::Corrupt(what.to_string()),
        SymphoniaError::Unsupported(what) => AudioErrorKind::Unsupported(what.to_string()),
        SymphoniaError::LimitError(what) => AudioErrorKind::Corrupt(what.to_string()),
        other => AudioErrorKind::Corrupt(other.to_string()),
    }
}

fn io_kind(e: &std::io::Error) -> AudioErrorKind {
    AudioErrorKind::Io(e.to_string())
}
