//! `parseCue`: a cue sheet and the files it names, as an `ImageCreator`.

use crate::creator::{ImageCreator, open_source, strict_option};
use crate::error::Error;
use crate::js;
use crate::source::JsSource;
use crate::types::ResolveCueFile;
use layout::cdtext::CdText;
use layout::cue;
use layout::disc::SourceFormat;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// A cue sheet: text, or its bytes (UTF-8, else read as Windows-1252).
    #[wasm_bindgen(typescript_type = "string | Uint8Array")]
    pub type CueText;
}

/// Reads a cue sheet in the dialect rippers write (several `FILE`s of
/// type `BINARY`, `MOTOROLA` or `WAVE`, every track type, `INDEX`,
/// `PREGAP`, `POSTGAP`, `ISRC`, `CATALOG`, `FLAGS`, CD-TEXT commands and
/// `CDTEXTFILE`). `resolveFile(name, kind)` returns each named file's data
/// (or a promise of it): WAVE files as WAV bytes (16-bit 44.1 kHz stereo)
/// or PCM, the others as bytes or streams. When it gives `null` or
/// `undefined` for a name with `\` separators, it is asked again with `/`
/// separators, and `warnings` says so. The layout is kept exactly as
/// written; departures from the layout rules are in `warnings`.
///
/// ## Errors
///
/// `cueSyntax` and `cueLayout` with `line` and `column`, `cdTextFile`,
/// source errors for the files; `strict` with `{ strict: true }` for a
/// sheet that departs from a rule (its `warnings` listed).
#[wasm_bindgen(js_name = parseCue)]
pub async fn parse_cue(
    text: CueText,
    #[wasm_bindgen(js_name = resolveFile)] resolve_file: ResolveCueFile,
    options: Option<crate::types::ReadOptions>,
) -> Result<ImageCreator, Error> {
    let strict = strict_option(options.as_ref(), "parseCue options")?;
    let mut notes = Vec::new();
    let text = sheet_text(&text, "the cue sheet", &mut notes)?;
    let sheet = cue::parse(&text).map_err(|e| {
        Error::new("cueSyntax", format!("cue sheet, {e}"))
            .number("line", f64::from(e.pos.line))
            .number("column", f64::from(e.pos.column))
    })?;
    // An ImageCreator is one session; a sheet of several is an image for
    // `rawburn build` / `rawburn burn`.
    let layout_error = |pos: Option<cue::Pos>, message: String| {
        let e = Error::new("cueLayout", format!("cue sheet, {message}"));
        match pos {
            Some(p) => e
                .number("line", f64::from(p.line))
                .number("column", f64::from(p.column)),
            None => e,
        }
    };
    match cue::session_starts(&sheet) {
        Err(e) => return Err(layout_error(e.pos, e.message)),
        Ok(Some(starts)) => {
            let pos = starts.get(1).map(|s| s.1);
            return Err(layout_error(
                pos,
                format!(
                    "{}: the sheet has {} sessions (REM SESSION); an ImageCreator holds one (rawburn build and burn take discs of several)",
                    pos.map_or(String::new(), |p| p.to_string()),
                    starts.len()
                ),
            ));
        }
        Ok(None) => {}
    }
    let resolve: &js_sys::Function = resolve_file.unchecked_ref();

    let mut sources = Vec::new();
    let mut used = Vec::new();
    for f in &sheet.files {
        let kind = f.kind.cue_name().to_ascii_lowercase();
        let format = f.kind.source_format();
        let kind = kind.as_str();
        let (value, name) = call_named(resolve, &f.name.value, kind, &mut notes)
            .await
            .map_err(|e| {
                e.number("line", f64::from(f.name.pos.line))
                    .number("column", f64::from(f.name.pos.column))
            })?;
        let source = open_source(&value, &name, format).await.map_err(|e| {
            e.number("line", f64::from(f.name.pos.line))
                .number("column", f64::from(f.name.pos.column))
        })?;
        sources.push(Rc::new(source));
        used.push(name);
    }
    let lens: Vec<u64> = sources.iter().map(|s| s.len()).collect();
    let imported = cue::to_project(&sheet, &mut |k, _| {
        lens.get(k).copied().ok_or_else(|| format!("no file {k}"))
    })
    .map_err(|e| {
        let mut error = Error::new("cueLayout", format!("cue sheet cannot be laid out: {e}"));
        if let Some(pos) = e.pos {
            error = error
                .number("line", f64::from(pos.line))
                .number("column", f64::from(pos.column));
        }
        error
    })?;
    notes.extend(imported.warnings);
    let mut project = imported.project;
    // The project names each file as the resolver gave it.
    for (source, name) in project.sources.iter_mut().zip(used) {
        source.path = name;
    }
    if let Some(file) = &sheet.cdtext_file {
        let (value, name) = call_named(resolve, &file.value, "cdtext", &mut notes).await?;
        let data = JsSource::from_input(&value, name.clone(), SourceFormat::Binary, None)?;
        let text = read_cdtext(&name, &data.read_all().await?).map_err(|e| {
            e.number("line", f64::from(file.pos.line))
                .number("column", f64::from(file.pos.column))
        })?;
        if project.cdtext.as_ref().is_some_and(|t| *t != text) {
            notes.push(format!(
                "CDTEXTFILE {} is used; the sheet's TITLE/PERFORMER/SONGWRITER lines differ from it",
                file.value
            ));
        }
        project.cdtext = Some(text);
    }
    ImageCreator::imported(project, sources, notes, strict)
}

/// The text of a sheet given as a string or as bytes: UTF-8, else
/// Windows-1252 with a note saying so. `what` names it ("the cue sheet").
///
/// ## Errors
///
/// `invalidArgument` for anything but a string or bytes.
pub(crate) fn sheet_text(
    text: &JsValue,
    what: &str,
    notes: &mut Vec<String>,
) -> Result<String, Error> {
    if let Some(s) = text.as_string() {
        return Ok(s);
    }
    let Some(bytes) = js::byte_view(text) else {
        return Err(Error::argument(format!(
            "{what} must be a string or a Uint8Array"
        )));
    };
    let (text, not_utf8) = layout::cue::text::decode(bytes.to_vec());
    if not_utf8 {
        notes.push(layout::cue::text::not_utf8_warning(what));
    }
    Ok(text)
}

/// Asks the resolver for `name`, then, when it gives nothing and the name
/// has Windows separators (`Album\track 01.wav`), for the name with `/`
/// separators, with a warning in `notes`. Returns the file and the name
/// it was given for.
pub(crate) async fn call_named(
    resolve: &js_sys::Function,
    name: &str,
    kind: &str,
    notes: &mut Vec<String>,
) -> Result<(JsValue, String), Error> {
    if let Some(value) = call(resolve, name, kind).await? {
        return Ok((value, name.to_string()));
    }
    if let Some(slashed) = layout::names::with_slashes(name)
        && let Some(value) = call(resolve, &slashed, kind).await?
    {
        let found = layout::names::Resolved {
            path: slashed,
            how: layout::names::How {
                separators: true,
                ..layout::names::How::default()
            },
        };
        notes.push(found.warning(name));
        return Ok((value, found.path));
    }
    Err(Error::argument(format!("resolveFile gave nothing for {name}")).text("source", name))
}

/// Calls the resolver and waits for its answer; `None` when it gives
/// `null` or `undefined`.
pub(crate) async fn call(
    resolve: &js_sys::Function,
    name: &str,
    kind: &str,
) -> Result<Option<JsValue>, Error> {
    let failed = |e: JsValue| {
        Error::new(
            "sourceRead",
            format!("resolving {name}: {}", js::message(&e)),
        )
        .text("source", name)
    };
    let value = resolve
        .call2(&JsValue::NULL, &name.into(), &kind.into())
        .map_err(failed)?;
    let value = JsFuture::from(js_sys::Promise::resolve(&value))
        .await
        .map_err(failed)?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    Ok(Some(value))
}

/// CD-TEXT from a binary `.cdt` (by its extension `.cdt` or `.bin`) or a
/// Sony input sheet, as `rawburn` reads `CDTEXTFILE`.
fn read_cdtext(name: &str, bytes: &[u8]) -> Result<CdText, Error> {
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        Error::new("cdTextFile", format!("{name}: {what}: {e}")).text("source", name)
    };
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".cdt") || lower.ends_with(".bin") {
        let packs = layout::cdtext::cdt::read(bytes).map_err(|e| bad("not a cd-text file", &e))?;
        let decoded = CdText::from_packs(&packs).map_err(|e| bad("no readable cd-text", &e))?;
        Ok(decoded.cdtext)
    } else {
        let sheet = layout::cdtext::v07t::read(bytes)
            .map_err(|e| bad("not a cd-text input sheet (v0.7T)", &e))?;
        Ok(CdText {
            blocks: vec![sheet.block],
            toc_info: true,
        })
    }
}
