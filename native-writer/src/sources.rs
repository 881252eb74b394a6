//! Source files for the frame encoder: raw BIN data and audio files
//! (WAV, AIFF, FLAC, ALAC, MP3, AAC/M4A, Ogg Vorbis; see [`layout::audio`]).
//!
//! Offsets are bytes of the data as read: the file itself for raw sources,
//! the 16-bit little-endian stereo PCM for audio files. Every file is
//! opened through the [`Resolver`] and its length fixed when it is first
//! opened; bytes past that length read as zeros (cue import pads the last
//! sector of a file that ends mid-sector, and says so; [`crate::check`]
//! decides before anything is written whether a disc may read past a
//! file's end). A file that shrinks after it was opened is an error, not
//! silence.

use crate::files::{Found, Resolver};
use layout::audio::AudioDecoder;
use layout::disc::{Source, SourceFormat};
use layout::frames::Read as SourceRead;
use layout::render::SourceData;
use layout::source::SourceError;
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
    /// Whether names are found as sheets mean them ([`Resolver::find`])
    /// rather than exactly.
    loose: bool,
    found: Vec<Option<Found>>,
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
    Decoded(Box<DecodedStream>),
    /// Audio files read as one stream: each part with its path and length.
    Joined(Vec<(PathBuf, Opened, u64)>),
}

/// Sequential decoding to CD PCM bytes; reopens to go back.
struct DecodedStream {
    path: PathBuf,
    resolver: Resolver,
    decoder: AudioDecoder,
}

impl FileSources {
    /// Sources of a project whose relative paths start at `dir`, opened
    /// through `resolver`.
    pub fn new(resolver: &Resolver, dir: &Path, sources: &[Source]) -> FileSources {
        FileSources {
            resolver: resolver.clone(),
            dir: dir.to_path_buf(),
            sources: sources.to_vec(),
            loose: false,
            found: sources.iter().map(|_| None).collect(),
            open: sources.iter().map(|_| None).collect(),
        }
    }

    /// Sources named by a sheet (cue, toc, CloneCD): a name no file has
    /// exactly is found as players find it ([`Resolver::find`]); see
    /// [`FileSources::found`].
    pub fn for_sheet(resolver: &Resolver, dir: &Path, sources: &[Source]) -> FileSources {
        FileSources {
            loose: true,
            ..FileSources::new(resolver, dir, sources)
        }
    }

    /// The sources found under another name than written, so far: their
    /// position, the name as written, the name used and the warning that
    /// says so.
    pub fn found(&self) -> impl Iterator<Item = (usize, &str, &Found)> + '_ {
        self.found
            .iter()
            .zip(&self.sources)
            .enumerate()
            .filter_map(|(i, (f, s))| Some((i, s.path.as_str(), f.as_ref()?)))
            .filter(|(_, _, f)| f.warning.is_some())
    }

    /// The path of source `i`.
    ///
    /// ## Errors
    ///
    /// A message when there is no source `i`, the resolver's policy does
    /// not admit its name, or several files fit it.
    pub fn path(&mut self, i: usize) -> Result<PathBuf, SourceError> {
        if let Some(Some(found)) = self.found.get(i) {
            return Ok(found.path.clone());
        }
        let source = self.sources.get(i).ok_or(SourceError::no_source(i))?;
        let found = if self.loose {
            let audio = source.format == SourceFormat::Audio;
            self.resolver.find(&self.dir, &source.path, audio)
        } else {
            self.resolver
                .resolve(&self.dir, &source.path)
                .map(|path| Found {
                    path,
                    name: source.path.clone(),
                    warning: None,
                })
        }
        .map_err(SourceError::other)?;
        let path = found.path.clone();
        if let Some(slot) = self.found.get_mut(i) {
            *slot = Some(found);
        }
        Ok(path)
    }

    /// The name of source `i` as the sheet or project gives it.
    pub fn name(&self, i: usize) -> &str {
        self.sources.get(i).map_or("?", |s| s.path.as_str())
    }

    /// Whether source `i` is a compressed or non-CD audio file (decoded
    /// as it is read).
    ///
    /// ## Errors
    ///
    /// As [`FileSources::data_len`].
    pub fn is_decoded(&mut self, i: usize) -> Result<bool, SourceError> {
        Ok(match self.opened(i)? {
            Opened::Decoded(_) => true,
            Opened::Joined(parts) => parts
                .iter()
                .any(|(_, o, _)| matches!(o, Opened::Decoded(_))),
            _ => false,
        })
    }

    /// Decodes the whole of decoded source `i` (FLAC's frame checksums and
    /// MD5 signature checked) without keeping the audio, so a damaged file
    /// is found before anything is written. Nothing for other sources.
    ///
    /// ## Errors
    ///
    /// A message naming the file and where its decoding failed.
    pub fn decode_all(&mut self, i: usize) -> Result<(), SourceError> {
        let resolver = self.resolver.clone();
        let paths: Vec<PathBuf> = match self.opened(i)? {
            Opened::Decoded(d) => vec![d.path.clone()],
            Opened::Joined(parts) => parts
                .iter()
                .filter(|(_, o, _)| matches!(o, Opened::Decoded(_)))
                .map(|(p, _, _)| p.clone())
                .collect(),
            _ => return Ok(()),
        };
        for path in paths {
            let mut stream = open_decoded(&resolver, &path)?;
            stream.decoder.verify().map_err(SourceError::other)?;
        }
        Ok(())
    }

    /// Length in bytes of source `i`'s data as read.
    ///
    /// ## Errors
    ///
    /// A message naming the file and what is wrong with it.
    pub fn data_len(&mut self, i: usize) -> Result<u64, SourceError> {
        Ok(data_len_of(self.opened(i)?))
    }

    /// The tags of audio source `i` (none for raw sources).
    ///
    /// ## Errors
    ///
    /// As [`FileSources::data_len`].
    pub fn tags(&mut self, i: usize) -> Result<layout::audio::AudioTags, SourceError> {
        let path = self.path(i)?;
        let resolver = self.resolver.clone();
        Ok(match self.opened(i)? {
            Opened::Raw { .. } => layout::audio::AudioTags::default(),
            Opened::Decoded(d) => d.decoder.tags().clone(),
            // CD audio read in place: the decoder reads its tags.
            Opened::Wav { .. } => open_decoded(&resolver, &path)?.decoder.tags().clone(),
            Opened::Joined(_) => layout::audio::AudioTags::default(),
        })
    }

    fn opened(&mut self, i: usize) -> Result<&mut Opened, SourceError> {
        let path = self.path(i)?;
        let format = self
            .sources
            .get(i)
            .map(|s| s.format)
            .ok_or(SourceError::no_source(i))?;
        let slot = self.open.get_mut(i).ok_or(SourceError::no_source(i))?;
        if slot.is_none() {
            let join = self.sources.get(i).map_or(&[][..], |s| s.join.as_slice());
            *slot = Some(if join.is_empty() {
                open(&self.resolver, &path, format)?
            } else {
                if format != SourceFormat::Audio {
                    return Err(SourceError::other("only audio sources join other files")
                        .in_file(path.display().to_string()));
                }
                let mut parts = Vec::with_capacity(join.len() + 1);
                let mut paths = vec![path.clone()];
                for name in join {
                    paths.push(
                        self.resolver
                            .resolve(&self.dir, name)
                            .map_err(SourceError::other)?,
                    );
                }
                for p in paths {
                    let opened = open(&self.resolver, &p, SourceFormat::Audio)?;
                    let len = data_len_of(&opened);
                    parts.push((p, opened, len));
                }
                Opened::Joined(parts)
            });
        }
        slot.as_mut()
            .ok_or_else(|| SourceError::other("not open").in_file(path.display().to_string()))
    }
}

fn open(resolver: &Resolver, path: &Path, format: SourceFormat) -> Result<Opened, SourceError> {
    let (mut file, meta) = resolver.open(path).map_err(SourceError::other)?;
    let len = meta.len();
    if format != SourceFormat::Audio {
        return Ok(Opened::Raw { file, len });
    }
    let mut magic = [0u8; 4];
    let cd_wav = file.read_exact(&mut magic).is_ok() && &magic == b"RIFF";
    if cd_wav && let Some(opened) = open_cd_wav(path, &mut file, len)? {
        return Ok(opened);
    }
    open_decoded(resolver, path).map(|d| Opened::Decoded(Box::new(d)))
}

/// A WAV file that is already CD audio, read in place; `None` for any
/// other WAV (decoded instead).
fn open_cd_wav(path: &Path, file: &mut File, len: u64) -> Result<Option<Opened>, SourceError> {
    let shown = path.display();
    let mut prefix = vec![0u8; 4096.min(len as usize)];
    loop {
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.read_exact(&mut prefix))
            .map_err(|e| SourceError::io(e).in_file(shown.to_string()))?;
        match WavInfo::parse(&prefix, len) {
            Ok(info) if info.is_cd_audio() => {
                let file = file
                    .try_clone()
                    .map_err(|e| SourceError::io(e).in_file(shown.to_string()))?;
                return Ok(Some(Opened::Wav {
                    file,
                    data_offset: info.data_offset,
                    data_len: info.data_len,
                }));
            }
            Ok(_) => return Ok(None),
            Err(WavError::NeedMore { needed })
                if needed <= MAX_WAV_HEADER && needed as u64 <= len =>
            {
                prefix.resize(needed.max(prefix.len() * 2).min(len as usize), 0);
            }
            // The decoder says what is wrong, if anything.
            Err(_) => return Ok(None),
        }
    }
}

fn open_decoded(resolver: &Resolver, path: &Path) -> Result<DecodedStream, SourceError> {
    let (file, _) = resolver.open(path).map_err(SourceError::other)?;
    let decoder = AudioDecoder::open(Box::new(file), &path.display().to_string())
        .map_err(SourceError::other)?;
    Ok(DecodedStream {
        path: path.to_path_buf(),
        resolver: resolver.clone(),
        decoder,
    })
}

impl DecodedStream {
    /// Fills `buf` with PCM bytes from `offset`, decoding forward (and
    /// starting over to go back); silence past the end.
    fn read(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        if offset < self.decoder.position() {
            *self = open_decoded(&self.resolver, &self.path)?;
        }
        let ahead = offset - self.decoder.position();
        self.decoder.skip(ahead).map_err(SourceError::other)?;
        let mut filled = 0;
        while filled < buf.len() {
            let n = self
                .decoder
                .read(&mut buf[filled..])
                .map_err(SourceError::other)?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        buf[filled..].fill(0);
        Ok(())
    }
}

/// The length of an opened file's data.
fn data_len_of(opened: &Opened) -> u64 {
    match opened {
        Opened::Raw { len, .. } => *len,
        Opened::Wav { data_len, .. } => *data_len,
        Opened::Decoded(d) => d.decoder.info().cd_len(),
        Opened::Joined(parts) => parts.iter().map(|(_, _, len)| len).sum(),
    }
}

impl SourceData for FileSources {
    fn read(&mut self, read: &SourceRead, buf: &mut [u8]) -> Result<(), SourceError> {
        let path = self.path(read.source)?;
        read_opened(self.opened(read.source)?, &path, read.offset, buf)
    }
}

/// Fills `buf` from byte `offset` of an opened file's data; zeros past its
/// end.
fn read_opened(
    opened: &mut Opened,
    path: &Path,
    offset: u64,
    buf: &mut [u8],
) -> Result<(), SourceError> {
    let shown = path.display();
    match opened {
        Opened::Raw { file, len } => {
            let available = len.saturating_sub(offset).min(buf.len() as u64) as usize;
            if available > 0 {
                file.seek(SeekFrom::Start(offset))
                    .and_then(|_| file.read_exact(&mut buf[..available]))
                    .map_err(|e| SourceError::io(e).in_file(shown.to_string()))?;
            }
            buf[available..].fill(0);
            Ok(())
        }
        Opened::Wav {
            file,
            data_offset,
            data_len,
        } => {
            let available = data_len.saturating_sub(offset).min(buf.len() as u64) as usize;
            if available > 0 {
                file.seek(SeekFrom::Start(*data_offset + offset))
                    .and_then(|_| file.read_exact(&mut buf[..available]))
                    .map_err(|e| SourceError::io(e).in_file(shown.to_string()))?;
            }
            buf[available..].fill(0);
            Ok(())
        }
        Opened::Decoded(stream) => stream.read(offset, buf),
        Opened::Joined(parts) => {
            // Each part's bytes where the stream's range meets it.
            let mut start = 0u64;
            let end = offset.saturating_add(buf.len() as u64);
            buf.fill(0);
            for (p, part, len) in parts.iter_mut() {
                let (from, to) = (offset.max(start), end.min(start + *len));
                if from < to {
                    let at = (from - offset) as usize;
                    let n = (to - from) as usize;
                    read_opened(part, p, from - start, &mut buf[at..at + n])?;
                }
                start += *len;
            }
            Ok(())
        }
    }
}
