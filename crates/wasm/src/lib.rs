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
//!                                  Renderer (layout) ◀── bytes ── SourceData (Blob.slice,
//!                                                                 reader.read(), PCM)
//! ```
//!
//! Modules: [`creator`] and [`track`] (the editing API), [`cue`]
//! (`parseCue`), [`image`] and [`stream`] (`createResultImage`), [`source`]
//! (reading sources), [`types`] (the TypeScript types), [`error`] (errors
//! with stable codes), [`js`] (helpers).

pub mod burn;
pub mod creator;
pub mod cue;
pub mod error;
pub mod image;
pub mod js;
pub mod source;
pub mod stream;
pub mod track;
pub mod types;
pub mod virtual_device;

use error::Error;
use types::{SourceDescriptorValue, WavInput};
use wasm_bindgen::prelude::*;

/// Opens a WAV file (16-bit 44.1 kHz stereo PCM) as an audio source: reads
/// its header and returns a descriptor over its samples, for `addTrack`.
/// Other audio (FLAC, MP3, other rates) is decoded by the page, with
/// WebAudio's `decodeAudioData`, and given as PCM instead.
///
/// ## Errors
///
/// `wav` for a WAV that is not CD audio, `unsupportedAudio` for other
/// content, `sourceRead` when it cannot be read.
#[wasm_bindgen(js_name = openWav)]
pub async fn open_wav(
    data: WavInput,
    name: Option<String>,
) -> Result<SourceDescriptorValue, Error> {
    let name = name.unwrap_or_else(|| "audio.wav".to_string());
    let source = source::SourceData::open_wav(&data, name).await?;
    Ok(source::descriptor(
        &source.data_value(),
        &source.name,
        source.format,
        source.len(),
    )
    .unchecked_into())
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
