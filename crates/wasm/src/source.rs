//! Track data from JS: `Blob`s (and `File`s), byte arrays, streams,
//! audio files and decoded PCM, read in slices on demand.
//!
//! The frame encoder says which bytes of which source each batch needs;
//! [`JsSource::read`] fetches them: `Blob.slice(…).arrayBuffer()` for
//! blobs, a copy out of a byte array, the next chunks of a stream reader or
//! async iterator, or freshly resampled PCM. Nothing holds a whole source,
//! except an audio file that must be decoded (anything but 16-bit 44.1 kHz
//! stereo WAV): its encoded bytes are copied into memory once and decoded
//! front to back by [`layout::audio`], the CLI's decoder.
//!
//! Offsets count bytes of the data as read, as in a project: the bytes
//! themselves for `binary` and `motorola` sources, 16-bit little-endian
//! stereo PCM for `audio` sources. Audio reads as silence past its end (a
//! track's last sector may be partly filled); other data may not be read
//! past its end.

use crate::error::Error;
use crate::js;
use js_sys::{Float32Array, Function, Object, Promise, Reflect, Uint8Array};
use layout::audio::{AudioDecoder, AudioError, AudioErrorKind};
use layout::disc::SourceFormat;
use layout::pcm::{CD_FRAME_BYTES, Resampler, write_cd_frames};
use layout::wav::{WavError, WavInfo};
use std::cell::RefCell;
use std::io::Cursor;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

/// Largest WAV header read while looking for the data chunk.
const MAX_WAV_HEADER: u64 = 16 << 20;

/// Largest audio file decoded (its bytes are held in memory).
const MAX_ENCODED: u64 = 1 << 30;

thread_local! {
    /// The descriptors `openAudio` returned for files it decodes, each with
    /// the file's bytes: a descriptor given again is decoded again, not
    /// read as PCM (its `data` is the encoded file). Weakly held: the
    /// bytes go when the descriptor does.
    static DECODED: js_sys::WeakMap = js_sys::WeakMap::new();
}

/// Whether `input` is a source descriptor (`{ data, name?, format?, length? }`).
fn is_descriptor(input: &JsValue) -> bool {
    input.is_object()
        && !input.is_instance_of::<Blob>()
        && js::has(input, "data")
        && !js::has(input, "getReader")
}

/// Marks `descriptor` as the one `source` (a decoded audio file) was
/// returned as, so that giving it again opens the same decoded audio.
pub fn remember_decoded(descriptor: &JsValue, source: &JsSource) {
    if let (Kind::Decoded(cell), Some(object)) = (&source.kind, descriptor.dyn_ref::<Object>()) {
        let bytes = Uint8Array::from(cell.borrow().bytes.as_ref());
        DECODED.with(|m| m.set(object, &bytes));
    }
}

/// One source of a project, ready to be read.
#[derive(Debug)]
pub struct JsSource {
    /// The name in the project (a file name).
    pub name: String,
    /// How the bytes are read.
    pub format: SourceFormat,
    /// The object the data came from, to recognise it when given again.
    pub origin: JsValue,
    len: u64,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Blob(BlobReader),
    Bytes(Uint8Array),
    /// `None` while a read is waiting for the next chunk.
    Stream(RefCell<Option<Sequential>>),
    Pcm(Pcm),
    Decoded(Box<RefCell<Decoded>>),
}

/// Bytes a Blob is read in at a time.
const BLOCK: u64 = 4 << 20;

/// A Blob read in blocks of [`BLOCK`] bytes, the next one asked for while
/// the current one is used. Browsers answer each `slice().arrayBuffer()`
/// with a round trip to where the file is kept: in Chromium, reads of
/// 1 MiB one after another run at about 280 MB/s, reads of 4 MiB with the
/// next in flight at about 550, so rendering an image from small reads
/// would wait on them. A block is let go once read to its end, so a
/// source read front to back holds at most two.
struct BlobReader {
    blob: Blob,
    ahead: RefCell<Ahead>,
}

#[derive(Default)]
struct Ahead {
    /// The block being read: its first byte's offset and its bytes.
    current: Option<(u64, Uint8Array)>,
    /// The block after it, asked for: its offset, length and the promise of its bytes.
    next: Option<(u64, u64, Promise)>,
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobReader")
            .field("size", &self.blob.size())
            .finish()
    }
}

impl BlobReader {
    fn new(blob: Blob) -> BlobReader {
        BlobReader {
            blob,
            ahead: RefCell::new(Ahead::default()),
        }
    }

    /// Asks for the block of up to [`BLOCK`] bytes at `start`.
    fn ask(&self, name: &str, start: u64, len: u64) -> Result<(u64, u64, Promise), Error> {
        let size = BLOCK.min(len - start);
        let slice = self
            .blob
            .slice_with_f64_and_f64(start as f64, (start + size) as f64)
            .map_err(|e| js::read_error(name, &e))?;
        Ok((start, size, slice.array_buffer()))
    }

    /// Fills `data` from byte `offset` of the blob, `len` bytes long.
    async fn read(&self, name: &str, offset: u64, data: &mut [u8], len: u64) -> Result<(), Error> {
        let end = offset + data.len() as u64;
        let mut at = offset;
        while at < end {
            let held = self.ahead.borrow().current.clone();
            let (start, block) = match held {
                Some((start, block)) if start <= at && at < start + u64::from(block.length()) => {
                    (start, block)
                }
                _ => {
                    let waiting = self.ahead.borrow_mut().next.take();
                    let (start, size, promise) = match waiting {
                        Some((start, size, promise)) if start <= at && at < start + size => {
                            (start, size, promise)
                        }
                        _ => self.ask(name, at, len)?,
                    };
                    let bytes = JsFuture::from(promise)
                        .await
                        .map_err(|e| js::read_error(name, &e))?;
                    let block = Uint8Array::new(&bytes);
                    if u64::from(block.length()) != size {
                        return Err(Error::new(
                            "sourceRead",
                            format!(
                                "{name}: asked for {size} bytes at byte {start}, the blob gave {}; did the file change?",
                                block.length()
                            ),
                        )
                        .text("source", name.to_string()));
                    }
                    let mut ahead = self.ahead.borrow_mut();
                    ahead.current = Some((start, block.clone()));
                    let following = start + size;
                    if following < len && ahead.next.is_none() {
                        ahead.next = Some(self.ask(name, following, len)?);
                    }
                    (start, block)
                }
            };
            let block_end = start + u64::from(block.length());
            let to = end.min(block_end);
            let from = (at - offset) as usize;
            block
                .subarray((at - start) as u32, (to - start) as u32)
                .copy_to(&mut data[from..from + (to - at) as usize]);
            at = to;
            if at == block_end {
                self.ahead.borrow_mut().current = None;
            }
        }
        Ok(())
    }
}

/// An audio file decoded front to back; reopened to go back.
struct Decoded {
    bytes: Encoded,
    decoder: AudioDecoder,
}

impl std::fmt::Debug for Decoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.decoder.fmt(f)
    }
}

/// An encoded audio file's bytes, shared by each reopening.
#[derive(Clone)]
struct Encoded(Arc<Vec<u8>>);

impl AsRef<[u8]> for Encoded {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// A stream read front to back: a `ReadableStream` reader or an async
/// iterator; both answer `{ done, value }` promises.
#[derive(Debug)]
struct Sequential {
    target: JsValue,
    next: Function,
    /// Bytes consumed before `chunk[at..]`.
    pos: u64,
    chunk: Option<(Uint8Array, u32)>,
    ended: bool,
}

/// Decoded audio: one or two float channels at any rate.
#[derive(Debug)]
struct Pcm {
    left: Float32Array,
    right: Float32Array,
    input_len: u64,
    resampler: Resampler,
}

impl JsSource {
    /// Length of the data as read, in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the source holds no data.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the source can be read only once, front to back.
    pub fn is_sequential(&self) -> bool {
        matches!(self.kind, Kind::Stream(_))
    }

    /// Turns what a caller passed into a source. `name` and `format` are
    /// the defaults for inputs that do not say (a descriptor's `name` and
    /// `format` win, a `File`'s name wins over `name`); `length` is the byte
    /// count that stream inputs need (a descriptor's `length` wins).
    ///
    /// ## Errors
    ///
    /// `invalidArgument` for something that is not a source, `sourceLength`
    /// for a stream without a length, `pcm` for unusable PCM.
    pub fn from_input(
        input: &JsValue,
        name: String,
        format: SourceFormat,
        length: Option<u64>,
    ) -> Result<JsSource, Error> {
        if is_descriptor(input) {
            js::only(
                input,
                &["data", "name", "format", "length"],
                "source descriptor",
            )?;
            let data = js::get(input, "data");
            let name = js::opt_string(input, "name")?.unwrap_or(name);
            let format = match js::opt_string(input, "format")?.as_deref() {
                None => format,
                Some("binary") => SourceFormat::Binary,
                Some("motorola") => SourceFormat::Motorola,
                Some("audio") => SourceFormat::Audio,
                Some(other) => {
                    return Err(Error::argument(format!(
                        "source format `{other}`: expected binary, motorola or audio"
                    )));
                }
            };
            if let Some(encoded) = input
                .dyn_ref::<Object>()
                .map(|o| DECODED.with(|m| m.get(o)))
                .and_then(|v| v.dyn_into::<Uint8Array>().ok())
            {
                let bytes = Encoded(Arc::new(encoded.to_vec()));
                let decoder = open_decoder(&bytes, &name)?;
                return Ok(JsSource {
                    len: decoder.info().cd_len(),
                    kind: Kind::Decoded(Box::new(RefCell::new(Decoded { bytes, decoder }))),
                    name,
                    format: SourceFormat::Audio,
                    origin: input.clone(),
                });
            }
            let length = js::opt_u64(input, "length")?.or(length);
            let mut source = JsSource::from_data(&data, name, format, length)?;
            source.origin = input.clone();
            return Ok(source);
        }
        JsSource::from_data(input, name, format, length)
    }

    fn from_data(
        data: &JsValue,
        name: String,
        format: SourceFormat,
        length: Option<u64>,
    ) -> Result<JsSource, Error> {
        let make = |name: String, format, len, kind| JsSource {
            name,
            format,
            origin: data.clone(),
            len,
            kind,
        };
        if let Some(blob) = data.dyn_ref::<Blob>() {
            let name = js::opt_string(data, "name")
                .ok()
                .flatten()
                .filter(|n| !n.is_empty())
                .unwrap_or(name);
            return Ok(make(
                name,
                format,
                blob.size() as u64,
                Kind::Blob(BlobReader::new(blob.clone())),
            ));
        }
        if let Some(bytes) = js::byte_view(data) {
            return Ok(make(
                name,
                format,
                u64::from(bytes.length()),
                Kind::Bytes(bytes),
            ));
        }
        if js::has(data, "sampleRate") {
            let pcm = Pcm::new(data, &name)?;
            let len = pcm.resampler.output_len(pcm.input_len) * CD_FRAME_BYTES as u64;
            return Ok(make(name, SourceFormat::Audio, len, Kind::Pcm(pcm)));
        }
        if let Some(sequential) = Sequential::new(data)? {
            let len = length.ok_or_else(|| {
                Error::new(
                    "sourceLength",
                    format!(
                        "{name}: a stream does not say how long it is; give its length (a source descriptor's `length`, or the track's `sectors`)"
                    ),
                )
            })?;
            return Ok(make(
                name,
                format,
                len,
                Kind::Stream(RefCell::new(Some(sequential))),
            ));
        }
        Err(Error::argument(format!(
            "{name}: not a source; expected a Blob or File, a Uint8Array, ArrayBuffer or other byte view, a ReadableStream or async iterable of Uint8Array, PCM ({{ sampleRate, channels }} or an AudioBuffer) or a descriptor {{ data, name?, format?, length? }}"
        )))
    }

    /// An audio file as an audio source: a 16-bit 44.1 kHz stereo WAV is
    /// read in place (slices of its samples); any other audio (WAV in
    /// other forms, AIFF, FLAC, ALAC, MP3, AAC/M4A, Ogg Vorbis, told apart
    /// by content) is decoded to CD PCM as it is read, with the same bytes
    /// as the CLI. PCM, streams and descriptors pass to
    /// [`JsSource::from_input`].
    ///
    /// ## Errors
    ///
    /// `unsupportedAudio` for content that is not audio this package
    /// decodes (or more than 2 channels), `audioDecode` for a damaged or
    /// truncated file, `sourceLength` for a file over 1 GiB that must be
    /// decoded, `sourceRead` when the bytes cannot be read.
    pub async fn open_wav(data: &JsValue, name: String) -> Result<JsSource, Error> {
        if is_descriptor(data) {
            return JsSource::from_input(data, name, SourceFormat::Audio, None);
        }
        let raw = JsSource::from_data(data, name, SourceFormat::Binary, None)?;
        if !matches!(raw.kind, Kind::Blob(_) | Kind::Bytes(_)) {
            return JsSource::from_input(data, raw.name, SourceFormat::Audio, None);
        }
        let file_len = raw.len;
        let mut magic = [0u8; 4];
        if file_len >= 4 {
            raw.read(0, &mut magic).await?;
        }
        if &magic == b"RIFF"
            && let Some(info) = raw.cd_wav().await?
        {
            let kind = match raw.kind {
                Kind::Blob(b) => Kind::Blob(BlobReader::new(
                    b.blob
                        .slice_with_f64_and_f64(
                            info.data_offset as f64,
                            (info.data_offset + info.data_len) as f64,
                        )
                        .map_err(|e| js::read_error(&raw.name, &e))?,
                )),
                Kind::Bytes(b) => Kind::Bytes(b.subarray(
                    info.data_offset as u32,
                    (info.data_offset + info.data_len) as u32,
                )),
                other => other,
            };
            return Ok(JsSource {
                name: raw.name,
                format: SourceFormat::Audio,
                origin: raw.origin,
                len: info.data_len,
                kind,
            });
        }
        let (bytes, decoder) = raw.decoder().await?;
        Ok(JsSource {
            len: decoder.info().cd_len(),
            kind: Kind::Decoded(Box::new(RefCell::new(Decoded { bytes, decoder }))),
            name: raw.name,
            format: SourceFormat::Audio,
            origin: raw.origin,
        })
    }

    /// Opens an audio file's decoder, for its format and tags.
    ///
    /// ## Errors
    ///
    /// As [`JsSource::open_wav`].
    pub async fn audio_decoder(data: &JsValue, name: String) -> Result<AudioDecoder, Error> {
        let raw = JsSource::from_data(data, name, SourceFormat::Binary, None)?;
        if !matches!(raw.kind, Kind::Blob(_) | Kind::Bytes(_)) {
            return Err(Error::argument(format!(
                "{}: an audio file must be a Blob, File or byte array",
                raw.name
            )));
        }
        Ok(raw.decoder().await?.1)
    }

    /// The header of a WAV file that is CD audio, `None` for any other
    /// content (it goes to the decoder).
    async fn cd_wav(&self) -> Result<Option<layout::wav::WavInfo>, Error> {
        let file_len = self.len;
        let mut prefix = vec![0u8; 4096.min(file_len) as usize];
        loop {
            self.read(0, &mut prefix).await?;
            match WavInfo::parse(&prefix, file_len) {
                Ok(info) if info.is_cd_audio() => return Ok(Some(info)),
                Err(WavError::NeedMore { needed })
                    if needed as u64 <= MAX_WAV_HEADER && needed as u64 <= file_len =>
                {
                    let grown = (needed as u64).max(prefix.len() as u64 * 2).min(file_len);
                    prefix.resize(grown as usize, 0);
                }
                _ => return Ok(None),
            }
        }
    }

    /// Copies the whole file into memory and opens its decoder.
    async fn decoder(&self) -> Result<(Encoded, AudioDecoder), Error> {
        if self.len > MAX_ENCODED {
            return Err(Error::new(
                "sourceLength",
                format!(
                    "{}: {} bytes is too large an audio file to decode here (at most 1 GiB)",
                    self.name, self.len
                ),
            ));
        }
        let mut bytes = vec![0u8; self.len as usize];
        self.read(0, &mut bytes).await?;
        let bytes = Encoded(Arc::new(bytes));
        let decoder = open_decoder(&bytes, &self.name)?;
        Ok((bytes, decoder))
    }

    /// Reads the whole source (for small files such as a `.cdt`).
    ///
    /// ## Errors
    ///
    /// As [`JsSource::read`]; `sourceLength` above 16 MiB.
    pub async fn read_all(&self) -> Result<Vec<u8>, Error> {
        if self.len > MAX_WAV_HEADER {
            return Err(Error::new(
                "sourceLength",
                format!(
                    "{}: {} bytes is too large for this file",
                    self.name, self.len
                ),
            ));
        }
        let mut buf = vec![0u8; self.len as usize];
        self.read(0, &mut buf).await?;
        Ok(buf)
    }

    /// Fills `buf` with the data from byte `offset`.
    ///
    /// ## Errors
    ///
    /// `sourceLength` for non-audio data read past its end, `sourceRead`
    /// when the blob or stream fails, `sourceNotSeekable` when a stream is
    /// asked for bytes it has passed, `invalidArgument` for stream chunks
    /// that are not bytes.
    pub async fn read(&self, offset: u64, buf: &mut [u8]) -> Result<(), Error> {
        let available = self.len.saturating_sub(offset).min(buf.len() as u64) as usize;
        if available < buf.len() && self.format != SourceFormat::Audio {
            return Err(Error::new(
                "sourceLength",
                format!(
                    "{} ends at byte {}, but {} bytes are needed from byte {offset}",
                    self.name,
                    self.len,
                    buf.len()
                ),
            )
            .text("source", self.name.clone()));
        }
        let (data, silence) = buf.split_at_mut(available);
        silence.fill(0);
        if data.is_empty() {
            return Ok(());
        }
        match &self.kind {
            Kind::Blob(reader) => reader.read(&self.name, offset, data, self.len).await?,
            Kind::Bytes(bytes) => {
                bytes
                    .subarray(offset as u32, (offset + data.len() as u64) as u32)
                    .copy_to(data);
            }
            Kind::Stream(cell) => {
                let taken = cell.borrow_mut().take();
                let Some(mut stream) = taken else {
                    return Err(Error::new(
                        "sourceNotSeekable",
                        format!(
                            "{}: a stream cannot be read by two images at once",
                            self.name
                        ),
                    ));
                };
                let result = stream.read(&self.name, offset, data).await;
                *cell.borrow_mut() = Some(stream);
                result?;
            }
            Kind::Pcm(pcm) => pcm.read(offset, data),
            Kind::Decoded(cell) => cell.borrow_mut().read(&self.name, offset, data)?,
        }
        Ok(())
    }
}

impl Sequential {
    fn new(data: &JsValue) -> Result<Option<Sequential>, Error> {
        if let Some(get_reader) = js::method(data, "getReader") {
            let reader = get_reader.call0(data).map_err(|e| {
                Error::argument(format!("the stream cannot be read: {}", js::message(&e)))
            })?;
            let Some(next) = js::method(&reader, "read") else {
                return Err(Error::argument("the stream's reader has no read()"));
            };
            return Ok(Some(Sequential::with(reader, next)));
        }
        let symbol = js_sys::Symbol::async_iterator();
        if data.is_object()
            && let Ok(f) = Reflect::get(data, &symbol)
            && let Some(f) = f.dyn_ref::<Function>()
        {
            let iterator = f.call0(data).map_err(|e| {
                Error::argument(format!("the iterable cannot be read: {}", js::message(&e)))
            })?;
            let Some(next) = js::method(&iterator, "next") else {
                return Err(Error::argument("the async iterator has no next()"));
            };
            return Ok(Some(Sequential::with(iterator, next)));
        }
        Ok(None)
    }

    fn with(target: JsValue, next: Function) -> Sequential {
        Sequential {
            target,
            next,
            pos: 0,
            chunk: None,
            ended: false,
        }
    }

    async fn read(&mut self, name: &str, offset: u64, buf: &mut [u8]) -> Result<(), Error> {
        if offset < self.pos {
            return Err(Error::new(
                "sourceNotSeekable",
                format!(
                    "{name} is a stream already read to byte {}; byte {offset} cannot be read again (give a Blob or Uint8Array to read a source more than once)",
                    self.pos
                ),
            )
            .text("source", name));
        }
        let mut filled = 0;
        while filled < buf.len() {
            let Some((chunk, mut at)) = self.chunk.take() else {
                if self.ended {
                    return Err(Error::new(
                        "sourceLength",
                        format!(
                            "{name}: the stream ended at byte {}, but {} bytes are needed from byte {offset}",
                            self.pos,
                            buf.len()
                        ),
                    )
                    .text("source", name));
                }
                self.pull(name).await?;
                continue;
            };
            let len = chunk.length();
            // Skip what lies before the wanted byte.
            let wanted = offset + filled as u64;
            let skip = wanted.saturating_sub(self.pos).min(u64::from(len - at)) as u32;
            at += skip;
            self.pos += u64::from(skip);
            let take = (len - at).min((buf.len() - filled) as u32);
            if self.pos == wanted {
                chunk
                    .subarray(at, at + take)
                    .copy_to(&mut buf[filled..filled + take as usize]);
                at += take;
                filled += take as usize;
                self.pos += u64::from(take);
            }
            if at < len {
                self.chunk = Some((chunk, at));
            }
        }
        Ok(())
    }

    /// Waits for the next chunk.
    async fn pull(&mut self, name: &str) -> Result<(), Error> {
        let promise = self
            .next
            .call0(&self.target)
            .map_err(|e| js::read_error(name, &e))?;
        let result = JsFuture::from(Promise::resolve(&promise))
            .await
            .map_err(|e| js::read_error(name, &e))?;
        if js::get(&result, "done").is_truthy() {
            self.ended = true;
            return Ok(());
        }
        let value = js::get(&result, "value");
        let bytes = js::byte_view(&value).ok_or_else(|| {
            Error::argument(format!(
                "{name}: the stream gave a chunk that is not a Uint8Array"
            ))
        })?;
        if bytes.length() > 0 {
            self.chunk = Some((bytes, 0));
        }
        Ok(())
    }
}

impl Decoded {
    /// Fills `buf` with CD PCM from byte `offset`, decoding forward (and
    /// starting over to go back).
    fn read(&mut self, name: &str, offset: u64, buf: &mut [u8]) -> Result<(), Error> {
        if offset < self.decoder.position() {
            self.decoder = open_decoder(&self.bytes, name)?;
        }
        let ahead = offset - self.decoder.position();
        self.decoder.skip(ahead).map_err(audio_error)?;
        let mut filled = 0;
        while filled < buf.len() {
            let n = self.decoder.read(&mut buf[filled..]).map_err(audio_error)?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        buf[filled..].fill(0);
        Ok(())
    }
}

fn open_decoder(bytes: &Encoded, name: &str) -> Result<AudioDecoder, Error> {
    AudioDecoder::open(Box::new(Cursor::new(bytes.clone())), name).map_err(audio_error)
}

/// An audio error as a JS error: `unsupportedAudio` for what cannot be
/// decoded at all, `audioDecode` for damage.
pub fn audio_error(e: AudioError) -> Error {
    let code = match e.kind {
        AudioErrorKind::NotAudio
        | AudioErrorKind::Unsupported(_)
        | AudioErrorKind::Channels(_)
        | AudioErrorKind::Rate(_) => "unsupportedAudio",
        _ => "audioDecode",
    };
    let file = e.file.clone();
    Error::new(code, e.to_string()).text("source", file)
}

impl Pcm {
    fn new(data: &JsValue, name: &str) -> Result<Pcm, Error> {
        let bad = |what: String| Error::new("pcm", format!("{name}: {what}"));
        let rate = js::get(data, "sampleRate")
            .as_f64()
            .filter(|r| r.fract() == 0.0 && *r > 0.0 && *r <= f64::from(u32::MAX))
            .ok_or_else(|| bad("sampleRate must be a whole number of hertz".into()))?;
        let resampler = Resampler::new(rate as u32).map_err(|e| bad(e.to_string()))?;
        let channels: Vec<Float32Array> = if let Some(get) = js::method(data, "getChannelData") {
            let count = js::get(data, "numberOfChannels").as_f64().unwrap_or(0.0) as u32;
            (0..count.min(3))
                .map(|c| {
                    get.call1(data, &JsValue::from(c))
                        .ok()
                        .and_then(|v| v.dyn_into::<Float32Array>().ok())
                        .ok_or_else(|| bad(format!("getChannelData({c}) gave no Float32Array")))
                })
                .collect::<Result<_, _>>()?
        } else {
            let list = js::get(data, "channels");
            if !js_sys::Array::is_array(&list) {
                return Err(bad("channels must be an array of Float32Array".into()));
            }
            js_sys::Array::from(&list)
                .iter()
                .enumerate()
                .map(|(c, v)| {
                    v.dyn_into::<Float32Array>()
                        .map_err(|_| bad(format!("channel {c} is not a Float32Array")))
                })
                .collect::<Result<_, _>>()?
        };
        let (left, right) = match channels.as_slice() {
            [mono] => (mono.clone(), mono.clone()),
            [l, r] => (l.clone(), r.clone()),
            other => {
                return Err(bad(format!(
                    "{} channels; CD audio has 1 (copied to both) or 2: downmix first",
                    other.len()
                )));
            }
        };
        if left.length() != right.length() {
            return Err(bad(format!(
                "the channels differ in length ({} and {} samples)",
                left.length(),
                right.length()
            )));
        }
        Ok(Pcm {
            input_len: u64::from(left.length()),
            left,
            right,
            resampler,
        })
    }

    /// Fills `buf` (within the data) with CD frames from byte `offset`.
    fn read(&self, offset: u64, buf: &mut [u8]) {
        let frame = CD_FRAME_BYTES as u64;
        let first = offset / frame;
        let end = (offset + buf.len() as u64).div_ceil(frame);
        let count = (end - first) as usize;
        let (start, len) = self.resampler.input_span(first, count);
        let mut left_in = vec![0.0f32; len];
        let mut right_in = vec![0.0f32; len];
        let from = start.max(0) as u64;
        let to = ((start + len as i64).max(0) as u64).min(self.input_len);
        if from < to {
            let at = (from as i64 - start) as usize;
            let n = (to - from) as usize;
            self.left
                .subarray(from as u32, to as u32)
                .copy_to(&mut left_in[at..at + n]);
            self.right
                .subarray(from as u32, to as u32)
                .copy_to(&mut right_in[at..at + n]);
        }
        let mut left = vec![0.0f32; count];
        let mut right = vec![0.0f32; count];
        self.resampler.process(first, &left_in, &mut left);
        self.resampler.process(first, &right_in, &mut right);
        let mut bytes = vec![0u8; count * CD_FRAME_BYTES];
        write_cd_frames(&left, &right, &mut bytes);
        let skip = (offset - first * frame) as usize;
        buf.copy_from_slice(&bytes[skip..skip + buf.len()]);
    }
}

/// A plain object describing a source (`{ data, name, format, length }`).
pub fn descriptor(data: &JsValue, name: &str, format: SourceFormat, length: u64) -> Object {
    let o = Object::new();
    js::set(&o, "data", data);
    js::set(&o, "name", &name.into());
    js::set(&o, "format", &format_name(format).into());
    js::set(&o, "length", &JsValue::from_f64(length as f64));
    o
}

/// The project JSON name of a source format.
pub fn format_name(format: SourceFormat) -> &'static str {
    match format {
        SourceFormat::Motorola => "motorola",
        SourceFormat::Audio => "audio",
        _ => "binary",
    }
}

impl JsSource {
    /// The data as a JS value a descriptor can hold: the blob or bytes,
    /// or the original input.
    pub fn data_value(&self) -> JsValue {
        match &self.kind {
            Kind::Blob(b) => b.blob.clone().into(),
            Kind::Bytes(b) => b.clone().into(),
            _ => self.origin.clone(),
        }
    }
}
