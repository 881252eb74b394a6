//! The npm package `rawburn`: exact CD images from JavaScript, in the
//! browser and in Node, through WebAssembly.
//!
//! This crate is glue. The disc, its sectors, subchannel, CD-TEXT and image
//! formats are `layout`'s; here they get a JS API in IMAPI2's model
//! (`ImageCreator`, `TrackInfo`), sources read from `Blob`s, byte arrays,
//! streams and PCM, and image files as `ReadableStream`s. The frame encoder
//! says which source bytes each batch needs and the glue fetches them
//! asynchronously, so memory stays constant whatever the disc's size.
//!
//! ```text
//!   ImageCreator ──createResultImage──▶ ResultImage { files: [ { name, size, stream } ] }
//!        │                                                        │ pull
//!   TrackInfo, CD-TEXT, toJSON/fromJSON, parseCue                 ▼
//!                                  Renderer (layout) ◀── bytes ── JsSource (Blob.slice,
//!                                                                 reader.read(), PCM)
//! ```
//!
//! Modules: [`creator`] and [`track`] (the editing API), [`cue`]
//! (`parseCue`), [`import`] (`parseToc`, `parseCcd`), [`image`] and
//! [`stream`] (`createResultImage`), [`source`] (reading sources),
//! [`types`] (the TypeScript types), [`error`] (errors
//! with stable codes), [`js`] (helpers); [`burn`], [`drive`] and [`read`]
//! (the drive over WebUSB), [`virtual_device`] (the virtual recorder),
//! [`companion`] (the drive through `rawburn serve`: the JS client's
//! typings and hasher).

pub mod burn;
pub mod companion;
pub mod creator;
pub mod cue;
pub mod drive;
pub mod error;
pub mod image;
pub mod import;
pub mod js;
pub mod read;
pub mod source;
pub mod stream;
pub mod track;
pub mod types;
pub mod virtual_device;

use error::Error;
use types::{
    AudioFileInfoValue, CdTextCharsetName, CdTextCodesValue, SourceDescriptorValue,
    UnencodableCharacter, UnencodableCharacters, WavInput,
};
use wasm_bindgen::prelude::*;

/// Opens an audio file as an audio source and returns a descriptor for
/// `addTrack`. A 16-bit 44.1 kHz stereo WAV is read in place; WAV in any
/// other form, AIFF, FLAC, ALAC, MP3, AAC/M4A and Ogg Vorbis (told apart by
/// content) are decoded to CD PCM by the same Rust code as the CLI, so the
/// bytes are the same. PCM (`{ sampleRate, channels }` or an AudioBuffer)
/// is accepted too.
///
/// ## Errors
///
/// `unsupportedAudio` for content that is not such audio (or more than 2
/// channels), `audioDecode` for a damaged or truncated file (the message
/// names the time), `sourceRead` when it cannot be read.
#[wasm_bindgen(js_name = openAudio)]
pub async fn open_audio(
    data: WavInput,
    name: Option<String>,
) -> Result<SourceDescriptorValue, Error> {
    let name = name.unwrap_or_else(|| "audio".to_string());
    let source = source::JsSource::open_wav(&data, name).await?;
    let descriptor = source::descriptor(
        &source.data_value(),
        &source.name,
        source.format,
        source.len(),
    );
    source::remember_decoded(&descriptor, &source);
    Ok(descriptor.unchecked_into())
}

/// The former name of [`open_audio`], which takes every audio format too.
///
/// ## Errors
///
/// As [`open_audio`].
#[wasm_bindgen(js_name = openWav)]
pub async fn open_wav(
    data: WavInput,
    name: Option<String>,
) -> Result<SourceDescriptorValue, Error> {
    open_audio(data, Some(name.unwrap_or_else(|| "audio.wav".to_string()))).await
}

/// Decodes a whole audio file to CD PCM (44.1 kHz 16-bit stereo,
/// little-endian): the bytes an audio track made from it holds.
///
/// ## Errors
///
/// As [`open_audio`]; `sourceLength` above 1 GiB of PCM.
#[wasm_bindgen(js_name = decodeAudio)]
pub async fn decode_audio(data: WavInput, name: Option<String>) -> Result<Vec<u8>, Error> {
    let name = name.unwrap_or_else(|| "audio".to_string());
    let source = source::JsSource::open_wav(&data, name).await?;
    if source.len() > 1 << 30 {
        return Err(Error::new(
            "sourceLength",
            format!(
                "{}: {} bytes of pcm is too much to return at once",
                source.name,
                source.len()
            ),
        ));
    }
    let mut pcm = vec![0u8; source.len() as usize];
    source.read(0, &mut pcm).await?;
    Ok(pcm)
}

/// Reads an audio file's format, length and tags (title, artist, album,
/// album artist, ISRC, MCN, track number) without decoding its audio.
///
/// ## Errors
///
/// As [`open_audio`]; `invalidArgument` for data that is not a Blob, File
/// or byte array.
#[wasm_bindgen(js_name = audioInfo)]
pub async fn audio_info(data: WavInput, name: Option<String>) -> Result<AudioFileInfoValue, Error> {
    let name = name.unwrap_or_else(|| "audio".to_string());
    let decoder = source::JsSource::audio_decoder(&data, name).await?;
    let info = decoder.info();
    let value = types::AudioFileInfo {
        codec: info.codec.clone(),
        sample_rate: info.sample_rate,
        channels: info.channels,
        bits_per_sample: info.bits_per_sample,
        frames: info.frames,
        cd_bytes: info.cd_len(),
        tags: decoder.tags().clone(),
    };
    Ok(creator::to_js(&value)?.unchecked_into())
}

/// The characters of `text` that a CD-TEXT block in character code
/// `charset` cannot hold, each with its index in the string (UTF-16 code
/// units); none when it holds them all. The check the CD-TEXT setters make.
/// A lone surrogate, which no code holds, is reported as U+FFFD.
///
/// ## Errors
///
/// `invalidArgument` for an unknown character code.
#[wasm_bindgen(js_name = cdTextUnencodable)]
pub fn cd_text_unencodable(
    text: &str,
    charset: CdTextCharsetName,
) -> Result<UnencodableCharacters, Error> {
    let charset: layout::cdtext::Charset = serde_wasm_bindgen::from_value(charset.into())
        .map_err(|_| Error::argument("cd-text charset must be iso8859_1, ascii or msJis"))?;
    let mut out = Vec::new();
    let mut index = 0;
    for c in text.chars() {
        if !charset.holds(c) {
            out.push(UnencodableCharacter {
                index,
                char: c.to_string(),
            });
        }
        index += c.len_utf16();
    }
    Ok(creator::to_js(&out)?.unchecked_into())
}

/// The CD-TEXT code tables rawburn reads and writes: the languages of a
/// block (EBU Tech 3264 codes with their names) and the genres (a genre's
/// code is its index), for menus.
///
/// ## Errors
///
/// None in practice (the tables are constants).
#[wasm_bindgen(js_name = cdTextCodes)]
pub fn cd_text_codes() -> Result<CdTextCodesValue, Error> {
    use layout::cdtext::tables::{GENRES, LANGUAGES};
    #[derive(serde::Serialize)]
    struct Language {
        code: u8,
        name: &'static str,
    }
    #[derive(serde::Serialize)]
    struct Codes {
        languages: Vec<Language>,
        genres: &'static [&'static str],
    }
    let codes = Codes {
        languages: LANGUAGES
            .iter()
            .map(|&(code, name)| Language { code, name })
            .collect(),
        genres: GENRES,
    };
    Ok(creator::to_js(&codes)?.unchecked_into())
}

/// Bytes of WebAssembly memory this package uses now (it grows to the
/// largest batch in flight and is never given back).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0.0, |b| f64::from(b.byte_length()))
        })
        .unwrap_or(0.0)
}

/// The version of the package.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
