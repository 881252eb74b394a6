//! Source files for the frame encoder: raw BIN data, WAV and FLAC audio.
//!
//! Offsets are bytes of the data as read: the file itself for raw sources,
//! the 16-bit little-endian stereo PCM for audio files. Every file is
//! opened through the [`Resolver`] and its length fixed when it is first
//! opened; bytes past that length read as zeros (cue import pads the last
//! sector of a file that ends mid-sector, and says so; [`crate::check`]
//! decides before anything is written whether a disc may read past a
//! file's end). A file that shrinks after it was opened is an error, not
//! silence.

use crate::files::Resolver;
use layout::disc::{Source, SourceFormat};
use layout::frames::Read as SourceRead;
use layout::render::SourceData;
use layout::wav::{WavError, WavInfo};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Largest WAV header prefix read while looking for the data chunk.
const MAX_WAV_HEADER: usize = 16 << 20;

/// The project's sources, opened on first use.
pub struct FileSources {
    resolver: Resolver,
    dir: PathBuf,
    sources: Vec<Source>,
    open: Vec<Option<Opened>>,
}

enum Opened {
    Raw {
        file: File,
        len: u64,
    },
    Wav {
        file: File,
        data_offset: u64,
        data_len: u64,
    },
    Flac(Box<FlacStream>),
}

/// Sequential FLAC decoding to CD PCM bytes; reopens to go back.
struct FlacStream {
    path: PathBuf,
    resolver: Resolver,
    reader: claxon::FlacReader<File>,
    len: u64,
    /// PCM bytes decoded so far.
    pos: u64,
    /// Decoded bytes not yet handed out, starting at `pos`.
    pending: Vec<u8>,
    block: Vec<i32>,
}

impl FileSources {
    /// Sources of a project whose relative paths start at `dir`, opened
    /// through `resolver`.
    pub fn new(resolver: &Resolver, dir: &Path, sources: &[Source]) -> FileSources {
        FileSources {
            resolver: resolver.clone(),
            dir: dir.to_path_buf(),
            sources: sources.to_vec(),
            open: sources.iter().map(|_| None).collect(),
        }
    }

    /// The path of source `i`.
    ///
    /// ## Errors
    ///
    /// A message when there is no source `i` or the resolver's policy does
    /// not admit its name.
    pub fn path(&self, i: usize) -> Result<PathBuf, String> {
        let source = self
            .sources
            .get(i)
            .ok_or_else(|| format!("no source {i}"))?;
        self.resolver
            .resolve(&self.dir, &source.path)
            .map_err(|e| e.to_string())
    }

    /// The name of source `i` as the sheet or project gives it.
    pub fn name(&self, i: usize) -> &str {
        self.sources.get(i).map_or("?", |s| s.path.as_str())
    }

    /// Whether source `i` is a FLAC file (decoded as it is read).
    ///
    /// ## Errors
    ///
    /// As [`FileSources::data_len`].
    pub fn is_flac(&mut self, i: usize) -> Result<bool, String> {
        Ok(matches!(self.opened(i)?, Opened::Flac(_)))
    }

    /// Decodes the whole of FLAC source `i` (every frame's checksum
    /// checked) without keeping the audio, so a damaged file is found
    /// before anything is written. Nothing for other sources.
    ///
    /// ## Errors
    ///
    /// A message naming the file and where its decoding failed.
    pub fn decode_all(&mut self, i: usize) -> Result<(), String> {
        let (path, resolver) = match self.opened(i)? {
            Opened::Flac(f) => (f.path.clone(), f.resolver.clone()),
            _ => return Ok(()),
        };
        let mut stream = open_flac(&resolver, &path)?;
        let mut decoded = 0u64;
        while stream.decode_block()? {
            decoded += stream.pending.len() as u64;
            stream.pending.clear();
        }
        if decoded != stream.len {
            return Err(format!(
                "{}: the flac stream says it holds {} bytes of audio, but {decoded} decode",
                path.display(),
                stream.len
            ));
        }
        Ok(())
    }

    /// Length in bytes of source `i`'s data as read.
    ///
    /// ## Errors
    ///
    /// A message naming the file and what is wrong with it.
    pub fn data_len(&mut self, i: usize) -> Result<u64, String> {
        Ok(match self.opened(i)? {
            Opened::Raw { len, .. } => *len,
            Opened::Wav { data_len, .. } => *data_len,
            Opened::Flac(f) => f.len,
        })
    }

    fn opened(&mut self, i: usize) -> Result<&mut Opened, String> {
        let path = self.path(i)?;
        let format = self
            .sources
            .get(i)
            .map(|s| s.format)
            .ok_or_else(|| format!("no source {i}"))?;
        let slot = self
            .open
            .get_mut(i)
            .ok_or_else(|| format!("no source {i}"))?;
        if slot.is_none() {
            *slot = Some(open(&self.resolver, &path, format)?);
        }
        slot.as_mut()
            .ok_or_else(|| format!("{}: not open", path.display()))
    }
}

fn open(resolver: &Resolver, path: &Path, format: SourceFormat) -> Result<Opened, String> {
    let shown = path.display();
    let (mut file, meta) = resolver.open(path).map_err(|e| e.to_string())?;
    let len = meta.len();
    if format != SourceFormat::Audio {
        return Ok(Opened::Raw { file, len });
    }
    let mut magic = [0u8; 4];
    file.read_exact(&mut magic)
        .map_err(|e| format!("{shown}: too short for an audio file ({e})"))?;
    match &magic {
        b"RIFF" => open_wav(path, file, len),
        b"fLaC" => open_flac(resolver, path).map(|f| Opened::Flac(Box::new(f))),
        _ => Err(format!(
            "{shown}: not a WAV (RIFF) or FLAC file; convert it to 16-bit 44.1 kHz stereo WAV or FLAC"
        )),
    }
}

fn open_wav(path: &Path, mut file: File, len: u64) -> Result<Opened, String> {
    let shown = path.display();
    let mut prefix = vec![0u8; 4096.min(len as usize)];
    loop {
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.read_exact(&mut prefix))
            .map_err(|e| format!("{shown}: {e}"))?;
        match WavInfo::parse(&prefix, len) {
            Ok(info) => {
                info.require_cd_audio()
                    .map_err(|e| format!("{shown}: {e}"))?;
                return Ok(Opened::Wav {
                    file,
                    data_offset: info.data_offset,
                    data_len: info.data_len,
                });
            }
            Err(WavError::NeedMore { needed })
                if needed <= MAX_WAV_HEADER && needed as u64 <= len =>
            {
                prefix.resize(needed.max(prefix.len() * 2).min(len as usize), 0);
            }
            Err(e) => return Err(format!("{shown}: {e}")),
        }
    }
}

fn open_flac(resolver: &Resolver, path: &Path) -> Result<FlacStream, String> {
    let shown = path.display();
    let (file, _) = resolver.open(path).map_err(|e| e.to_string())?;
    let reader = claxon::FlacReader::new(file).map_err(|e| format!("{shown}: {e}"))?;
    let info = reader.streaminfo();
    if info.bits_per_sample != 16 || info.channels != 2 || info.sample_rate != 44_100 {
        return Err(format!(
            "{shown}: flac is {}-bit, {} channels, {} Hz; cd audio is 16-bit, 2 channels, 44100 Hz",
            info.bits_per_sample, info.channels, info.sample_rate
        ));
    }
    let samples = info
        .samples
        .ok_or_else(|| format!("{shown}: the flac stream does not state its length"))?;
    Ok(FlacStream {
        path: path.to_path_buf(),
        resolver: resolver.clone(),
        reader,
        len: samples * 4,
        pos: 0,
        pending: Vec::new(),
        block: Vec::new(),
    })
}

impl FlacStream {
    /// Fills `buf` with PCM bytes from `offset`, decoding forward (and
    /// starting over to go back).
    fn read(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), String> {
        if offset < self.pos {
            *self = open_flac(&self.resolver, &self.path)?;
        }
        let mut filled = 0;
        while filled < buf.len() {
            let skip = (offset + filled as u64).saturating_sub(self.pos) as usize;
            if self.pending.len() > skip {
                let take = (self.pending.len() - skip).min(buf.len() - filled);
                buf[filled..filled + take].copy_from_slice(&self.pending[skip..skip + take]);
                filled += take;
                self.pos += (skip + take) as u64;
                self.pending.drain(..skip + take);
                continue;
            }
            self.pos += self.pending.len() as u64;
            self.pending.clear();
            if !self.decode_block()? {
                // Past the end: silence.
                buf[filled..].fill(0);
                return Ok(());
            }
        }
        Ok(())
    }

    /// Decodes the next block into `pending`; false at the end.
    fn decode_block(&mut self) -> Result<bool, String> {
        let shown = self.path.display();
        let buffer = std::mem::take(&mut self.block);
        let block = self
            .reader
            .blocks()
            .read_next_or_eof(buffer)
            .map_err(|e| format!("{shown}: decoding flac at byte {} of pcm: {e}", self.pos))?;
        let Some(block) = block else {
            return Ok(false);
        };
        for i in 0..block.duration() {
            for ch in 0..2 {
                let s = block.sample(ch, i) as i16;
                self.pending.extend_from_slice(&s.to_le_bytes());
            }
        }
        self.block = block.into_buffer();
        Ok(true)
    }
}

impl SourceData for FileSources {
    fn read(&mut self, read: &SourceRead, buf: &mut [u8]) -> Result<(), String> {
        let path = self.path(read.source)?;
        let shown = path.display();
        match self.opened(read.source)? {
            Opened::Raw { file, len } => {
                let available = len.saturating_sub(read.offset).min(buf.len() as u64) as usize;
                if available > 0 {
                    file.seek(SeekFrom::Start(read.offset))
                        .and_then(|_| file.read_exact(&mut buf[..available]))
                        .map_err(|e| format!("{shown}: {e}"))?;
                }
                buf[available..].fill(0);
                Ok(())
            }
            Opened::Wav {
                file,
                data_offset,
                data_len,
            } => {
                let available = data_len.saturating_sub(read.offset).min(buf.len() as u64) as usize;
                if available > 0 {
                    file.seek(SeekFrom::Start(*data_offset + read.offset))
                        .and_then(|_| file.read_exact(&mut buf[..available]))
                        .map_err(|e| format!("{shown}: {e}"))?;
                }
                buf[available..].fill(0);
                Ok(())
            }
            Opened::Flac(stream) => stream.read(read.offset, buf),
        }
    }
}
