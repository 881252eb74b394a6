//! `createResultImage`: the files of an image in any format, as streams.

use crate::creator::ImageCreator;
use crate::error::Error;
use crate::js;
use crate::stream::{DEFAULT_MAX_BUFFER, Job, MAIN, SUB, bytes_stream};
use crate::types::{ResultImageOptions, ResultImageValue};
use js_sys::{Array, Object};
use layout::image::{ImageFormat, image_files};
use std::sync::Arc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl ImageCreator {
    /// Freezes the disc (later edits fail with `readOnly`, as in IMAPI2)
    /// and returns the files of its image in `options.format`, named after
    /// `options.name` (`"image"` unless given): `cue` (.cue, .bin, and a
    /// .cdt with CD-TEXT), `ccd` (.ccd, .img, .sub), `toc` (.toc, .bin),
    /// `raw` (.raw, from 95:00:00 through the lead-out, subchannel as
    /// `resultingImageType`) or `json` (the project). Each file is a
    /// `ReadableStream` that renders its bytes as it is read; nothing is
    /// held whole. More images of the same disc may be asked for.
    ///
    /// `options.maxBuffer` (bytes, 8 MiB by default): how far CloneCD's
    /// `.img` and `.sub`, read side by side, may drift apart before the one
    /// behind is rendered on its own.
    ///
    /// ## Errors
    ///
    /// `invalidArgument` for unknown options, `imageFormat` when the format
    /// cannot describe the disc, planning errors (`noTracks`, ...).
    #[wasm_bindgen(js_name = createResultImage)]
    pub fn create_result_image(
        &self,
        options: ResultImageOptions,
    ) -> Result<ResultImageValue, Error> {
        let o: &JsValue = &options;
        js::only(
            o,
            &["format", "name", "maxBuffer"],
            "createResultImage options",
        )?;
        let format = match js::opt_string(o, "format")?.as_deref() {
            Some("cue") => ImageFormat::BinCue,
            Some("ccd") => ImageFormat::CloneCd,
            Some("toc") => ImageFormat::CdrdaoToc,
            Some("raw") => ImageFormat::Raw,
            Some("json") => ImageFormat::Project,
            other => {
                return Err(Error::argument(format!(
                    "format {}: expected cue, ccd, toc, raw or json",
                    other.map_or("missing".to_string(), |f| format!("`{f}`"))
                )));
            }
        };
        let stem = js::opt_string(o, "name")?.unwrap_or_else(|| "image".to_string());
        if stem.is_empty() || stem.contains(['/', '\\']) {
            return Err(Error::argument(format!(
                "name `{stem}`: a file name without extension, such as \"album\""
            )));
        }
        let max_buffer = js::opt_u64(o, "maxBuffer")?.map_or(DEFAULT_MAX_BUFFER, |n| n as usize);

        let (disc, sources) = {
            let state = self.state.borrow();
            (state.plan()?, state.sources.clone())
        };
        let files = image_files(&disc, format, &stem)
            .map_err(|e| Error::new("imageFormat", e.to_string()))?;
        {
            let mut state = self.state.borrow_mut();
            if state.frozen.is_none() {
                state.frozen = Some(Arc::clone(&disc));
            }
        }

        let list = Array::new();
        let add = |name: &str, size: u64, stream: &JsValue| {
            let f = Object::new();
            let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
            js::set(&f, "name", &name.into());
            js::set(&f, "type", &ext.to_ascii_lowercase().into());
            js::set(&f, "size", &JsValue::from_f64(size as f64));
            js::set(&f, "stream", stream);
            list.push(&f);
        };
        for t in &files.texts {
            let bytes = t.content.as_bytes();
            add(&t.name, bytes.len() as u64, &bytes_stream(bytes)?.into());
        }
        let mut sectors = 0u64;
        if let Some(stream) = &files.frames {
            sectors = stream.sectors();
            let (main, sub) = (stream.main.clone(), stream.sub.clone());
            let job = Job::new(disc, stream.clone(), sources, max_buffer);
            add(&main, job.size(MAIN), &Job::readable(&job, MAIN)?.into());
            if let Some(sub) = sub {
                add(&sub, job.size(SUB), &Job::readable(&job, SUB)?.into());
            }
        }
        for b in &files.binaries {
            add(
                &b.name,
                b.bytes.len() as u64,
                &bytes_stream(&b.bytes)?.into(),
            );
        }

        let result = Object::new();
        js::set(&result, "files", &list);
        js::set(&result, "sectors", &JsValue::from_f64(sectors as f64));
        let warnings: Array = files
            .warnings
            .iter()
            .map(|w| JsValue::from_str(w))
            .collect();
        js::set(&result, "warnings", &warnings);
        Ok(result.unchecked_into())
    }
}
