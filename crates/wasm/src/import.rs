//! `parseToc` and `parseCcd`: a cdrdao toc file or a CloneCD control file
//! and the files it names, as an `ImageCreator`.
//!
//! `layout::image::import` lays the disc out as written, asking for the
//! files' lengths and for a few of their sectors through a synchronous
//! trait; here the files are read with promises. [`lay_out`] bridges the
//! two by running the layout until it asks for nothing that has not been
//! read (see [`Files`]).

use crate::creator::{ImageCreator, open_source};
use crate::cue::{CueText, call, call_named, sheet_text};
use crate::error::Error;
use crate::js;
use crate::source::{JsSource, format_name};
use js_sys::Uint8Array;
use layout::disc::SourceFormat;
use layout::image::import::{ImageSources, Imported, ReadError, ccd, toc};
use layout::source::SourceError;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/**
 * Returns the data of a file a toc file names. `kind` says how its bytes are
 * read: "binary" (data, and audio with `SWAP`), "motorola" (raw audio, which
 * cdrdao reads big-endian) or "audio" (WAV and FLAC files, decoded).
 */
export type ResolveTocFile = (name: string, kind: SourceFormat) => SourceInput | Promise<SourceInput>;

/** A file of a CloneCD image: "img" (2352-byte sectors from LBA 0) or "sub" (96 bytes of P-W a sector). */
export type CcdFileKind = "img" | "sub";

/**
 * Returns a file of a CloneCD image; `null` or `undefined` for a `.sub` there
 * is none of (R-W subcode and SCMS are then not read, and `warnings` says so).
 */
export type ResolveCcdFile = (name: string, kind: CcdFileKind) => SourceInput | null | undefined | Promise<SourceInput | null | undefined>;

/** How `parseCcd` reads a CloneCD image. */
export interface CcdReadOptions {
  /**
   * The control file's name ("album.ccd"), or that name without `.ccd`: its
   * data files are asked for as "album.img" and "album.sub". "image" unless given.
   */
  name?: string;
  /**
   * Refuse an image that departs from a layout rule (its first warning becomes
   * an error, code `strict`) instead of laying it out as written.
   */
  strict?: boolean;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `parseToc`'s resolver.
    #[wasm_bindgen(typescript_type = "ResolveTocFile")]
    pub type ResolveTocFile;

    /// `parseCcd`'s resolver.
    #[wasm_bindgen(typescript_type = "ResolveCcdFile")]
    pub type ResolveCcdFile;

    /// Options of `parseCcd`.
    #[wasm_bindgen(typescript_type = "CcdReadOptions")]
    pub type CcdReadOptions;
}

/// The control file's name when `parseCcd` is not told it.
const DEFAULT_CCD_NAME: &str = "image";

/// Reads a cdrdao toc file (`CATALOG`, the session type, `CD_TEXT`, and per
/// track its mode, `ISRC`, copy and pre-emphasis flags, `PREGAP`, `FILE`,
/// `AUDIOFILE`, `DATAFILE`, `SILENCE`, `ZERO`, `START`, `END`, `INDEX`).
/// `resolveFile(name, kind)` returns each named file (or a promise of it):
/// `kind` is the source format its bytes are read as. When it gives `null`
/// or `undefined` for a name with `\` separators, it is asked again with `/`
/// separators, and `warnings` says so. A few sectors of the files are read
/// to settle what the text leaves open (a raw Mode 2 track's form, stored
/// gaps that are generated ones), so the files must be Blobs or bytes, not
/// streams. The layout is kept exactly as written; departures from the
/// layout rules are in `warnings`.
///
/// ## Errors
///
/// `tocSyntax` and `tocLayout` with `line` and `column` (and `source`
/// for a file that does not fit), source errors for the files; `strict`
/// with `{ strict: true }` for a toc file that departs from a rule (its
/// `warnings` listed).
#[wasm_bindgen(js_name = parseToc)]
pub async fn parse_toc(
    text: CueText,
    #[wasm_bindgen(js_name = resolveFile)] resolve_file: ResolveTocFile,
    options: Option<crate::types::ReadOptions>,
) -> Result<ImageCreator, Error> {
    let strict = crate::creator::strict_option(options.as_ref(), "parseToc options")?;
    let mut notes = Vec::new();
    let text = sheet_text(&text, "the toc file", &mut notes)?;
    let parsed = toc::parse(&text).map_err(|e| syntax_error("tocSyntax", "toc file", &e))?;
    let resolve: &js_sys::Function = resolve_file.unchecked_ref();
    let mut sources = Vec::new();
    let mut used = Vec::new();
    for s in parsed.sources() {
        let (value, name) = call_named(resolve, &s.path, format_name(s.format), &mut notes).await?;
        sources.push(Some(Rc::new(open_source(&value, &name, s.format).await?)));
        used.push(name);
    }
    let mut files = Files::new(sources);
    let imported = lay_out(&mut files, |f| toc::to_project(&parsed, f))
        .await?
        .map_err(|e| layout_error("tocLayout", "toc file", &e))?;
    creator(imported, files, used, notes, strict)
}

/// Reads a CloneCD image: the control file (`[Disc]`, the full TOC of
/// `[Entry]`s, `[TRACK]` indexes, ISRCs and flags, `[CDText]` packs), its
/// `.img` (2352-byte sectors from LBA 0) and its `.sub` (96 bytes of P-W a
/// sector), as `rawburn build` reads `album.ccd` with `album.img` and
/// `album.sub` beside it. `resolveFile(name, kind)` is asked for the two
/// data files, named after `options.name` ("image" unless given); it may
/// give `null` or `undefined` for the `.sub`, and then the R-W subcode
/// (CD+G) and SCMS it would show are not read (`warnings` says so). The
/// sector headers of data tracks and the subchannel are read to lay the
/// disc out, so the files must be Blobs or bytes, not streams. The layout
/// is kept exactly as the TOC gives it; what a project cannot hold or a
/// departure from the layout rules is in `warnings`.
///
/// ## Errors
///
/// `ccdSyntax` and `ccdLayout` with `line` and `column` where the control
/// file has the problem (and `source` for a data file that does not fit),
/// `ccdLayout` for an image of several sessions, source errors for the
/// files (`invalidArgument` naming an `.img` the resolver gave nothing for);
/// `strict` with `{ strict: true }` for an image that departs from a rule
/// (its `warnings` listed).
#[wasm_bindgen(js_name = parseCcd)]
pub async fn parse_ccd(
    text: CueText,
    #[wasm_bindgen(js_name = resolveFile)] resolve_file: ResolveCcdFile,
    options: Option<CcdReadOptions>,
) -> Result<ImageCreator, Error> {
    let what = "parseCcd options";
    let (strict, name) = match &options {
        Some(o) => {
            js::only(o, &["name", "strict"], what)?;
            (
                js::opt_bool(o, "strict")?.unwrap_or(false),
                js::opt_string(o, "name")?,
            )
        }
        None => (false, None),
    };
    let name = name.unwrap_or_else(|| DEFAULT_CCD_NAME.to_string());
    let stem = ccd_stem(&name);
    let mut notes = Vec::new();
    let text = sheet_text(&text, "the control file", &mut notes)?;
    let parsed =
        ccd::parse(&text, stem).map_err(|e| syntax_error("ccdSyntax", "control file", &e))?;
    // An ImageCreator is one session; an image of several is a disc for
    // `rawburn build` / `rawburn burn`.
    let sessions =
        ccd::session_count(&parsed).map_err(|e| layout_error("ccdLayout", "control file", &e))?;
    if sessions > 1 {
        return Err(Error::new(
            "ccdLayout",
            format!(
                "control file, the image has {sessions} sessions; an ImageCreator holds one (rawburn build and burn take discs of several)"
            ),
        ));
    }
    let resolve: &js_sys::Function = resolve_file.unchecked_ref();
    let [img, sub] = parsed.sources() else {
        return Err(Error::new(
            "ccdLayout",
            "control file, an image is an .img and a .sub",
        ));
    };
    let (value, img_name) = call_named(resolve, &img.path, "img", &mut notes).await?;
    let img_data = open_source(&value, &img_name, img.format).await?;
    // No .sub: layout reads no R-W or SCMS and says so.
    let sub_data = match call(resolve, &sub.path, "sub").await? {
        Some(value) => Some(Rc::new(open_source(&value, &sub.path, sub.format).await?)),
        None => None,
    };
    let mut files = Files::new(vec![Some(Rc::new(img_data)), sub_data]);
    let imported = lay_out(&mut files, |f| ccd::to_project(&parsed, f))
        .await?
        .map_err(|e| layout_error("ccdLayout", "control file", &e))?;
    creator(
        imported,
        files,
        vec![img_name, sub.path.clone()],
        notes,
        strict,
    )
}

/// The creator of an imported project whose sources `files` holds, named
/// `used` (as the resolver was asked for them).
fn creator(
    imported: Imported,
    files: Files,
    used: Vec<String>,
    mut notes: Vec<String>,
    strict: bool,
) -> Result<ImageCreator, Error> {
    notes.extend(imported.warnings);
    let mut project = imported.project;
    // The project names each file as the resolver gave it; a CloneCD image
    // whose .sub holds no R-W has dropped it from the project.
    let mut sources = Vec::with_capacity(project.sources.len());
    for ((source, name), data) in project.sources.iter_mut().zip(used).zip(files.sources) {
        let Some(data) = data else {
            return Err(
                Error::argument(format!("resolveFile gave nothing for {name}"))
                    .text("source", name),
            );
        };
        source.path = name;
        sources.push(data);
    }
    ImageCreator::imported(project, sources, notes, strict)
}

/// The name of a CloneCD image's data files without extension: the
/// control file's name without `.ccd`.
fn ccd_stem(name: &str) -> &str {
    match name.len().checked_sub(4) {
        Some(cut)
            if name
                .get(cut..)
                .is_some_and(|ext| ext.eq_ignore_ascii_case(".ccd")) =>
        {
            &name[..cut]
        }
        _ => name,
    }
}

/// A syntax error of the text, at its line and column.
fn syntax_error(code: &'static str, what: &str, e: &ReadError) -> Error {
    located(Error::new(code, format!("{what}, {e}")), e)
}

/// A text that cannot be laid out, at its line and column where it has one.
fn layout_error(code: &'static str, what: &str, e: &ReadError) -> Error {
    located(
        Error::new(code, format!("{what} cannot be laid out: {e}")),
        e,
    )
}

/// `error` with the line, column and file of `e`.
fn located(mut error: Error, e: &ReadError) -> Error {
    if let Some(pos) = e.pos {
        error = error
            .number("line", f64::from(pos.line))
            .number("column", f64::from(pos.column));
    }
    if let Some(file) = &e.file {
        error = error.text("source", file.clone());
    }
    error
}

/// Bytes read into [`Files`] at a time: the unit of its cache.
const BLOCK: u64 = 64 << 10;
/// Blocks read after one the layout asked for and was not given: gaps are
/// scanned sector by sector, so this many fewer runs reach their end.
const READ_AHEAD: u64 = 3;
/// Largest read of consecutive blocks at once.
const MAX_READ: u64 = 1 << 20;

/// Runs `to_project` over `files` until a run asks for no byte that has
/// not been read, and returns that run's result.
///
/// The layout reads synchronously and which sectors it reads can depend on
/// those it read before (a gap is scanned until a sector is not a
/// generated one; the `.sub` until a record has R-W), so the bytes cannot
/// all be listed up front. Each run is answered from the bytes read so far;
/// a byte not read yet reads as zero and its block is noted, and the noted
/// blocks are read before the next run. Only a run that read nothing
/// unread counts: every byte it saw was the file's. Zeros are what
/// generated gaps and a `.sub` without R-W hold, so the first run usually
/// asks for all that the last one reads, and a second run finishes;
/// each run reads at least one new block, so the runs end.
///
/// ## Errors
///
/// Source errors from reading the noted blocks; `sourceNotSeekable` for a
/// stream the layout needs bytes of.
async fn lay_out(
    files: &mut Files,
    mut to_project: impl FnMut(&mut Files) -> Result<Imported, ReadError>,
) -> Result<Result<Imported, ReadError>, Error> {
    loop {
        let result = to_project(files);
        if files.wanted.is_empty() {
            return Ok(result);
        }
        files.fetch().await?;
    }
}

/// The files of a toc or control file as layout's [`ImageSources`]: their
/// lengths, and their bytes from blocks read ahead by [`lay_out`].
struct Files {
    /// By position in the description's sources; `None` for a `.sub` the
    /// resolver gave nothing for.
    sources: Vec<Option<Rc<JsSource>>>,
    /// The blocks read, by source and block number; kept as JS arrays, out
    /// of WebAssembly memory (which never shrinks), and dropped once the
    /// project is laid out.
    blocks: HashMap<(usize, u64), Uint8Array>,
    /// Blocks the current run read before they were read from the files.
    wanted: BTreeSet<(usize, u64)>,
}

impl Files {
    fn new(sources: Vec<Option<Rc<JsSource>>>) -> Files {
        Files {
            sources,
            blocks: HashMap::new(),
            wanted: BTreeSet::new(),
        }
    }

    /// Reads the blocks the last run asked for, consecutive ones together.
    async fn fetch(&mut self) -> Result<(), Error> {
        let wanted = std::mem::take(&mut self.wanted);
        let mut runs: Vec<(usize, u64, u64)> = Vec::new();
        for (source, block) in wanted {
            match runs.last_mut() {
                Some((s, first, count))
                    if *s == source && *first + *count == block && *count * BLOCK < MAX_READ =>
                {
                    *count += 1;
                }
                _ => runs.push((source, block, 1)),
            }
        }
        let mut buf = Vec::new();
        for (source, first, count) in runs {
            let Some(Some(data)) = self.sources.get(source) else {
                continue;
            };
            if data.is_sequential() {
                return Err(Error::new(
                    "sourceNotSeekable",
                    format!(
                        "{}: its sectors are read to lay the disc out; give it as a Blob, a File or bytes, not a stream",
                        data.name
                    ),
                )
                .text("source", data.name.clone()));
            }
            let start = first * BLOCK;
            let end = ((first + count) * BLOCK).min(data.len());
            buf.resize(end.saturating_sub(start) as usize, 0);
            data.read(start, &mut buf).await?;
            for (k, bytes) in buf.chunks(BLOCK as usize).enumerate() {
                self.blocks
                    .insert((source, first + k as u64), Uint8Array::from(bytes));
            }
        }
        Ok(())
    }
}

impl ImageSources for Files {
    fn data_len(&mut self, source: usize) -> Result<u64, SourceError> {
        match self.sources.get(source) {
            Some(Some(data)) => Ok(data.len()),
            Some(None) => Err(SourceError::other("resolveFile gave nothing for it")),
            None => Err(SourceError::no_source(source)),
        }
    }

    fn read(&mut self, source: usize, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        let (len, audio) = match self.sources.get(source) {
            Some(Some(data)) => (data.len(), data.format == SourceFormat::Audio),
            _ => return self.data_len(source).map(|_| ()),
        };
        let wanted = buf.len() as u64;
        let end = offset
            .checked_add(wanted)
            .filter(|&end| end <= len || audio)
            .ok_or_else(|| SourceError::truncated(len, offset, wanted))?;
        // Audio reads as silence past its end, as the source does.
        buf.fill(0);
        let mut at = offset;
        while at < end.min(len) {
            let block = at / BLOCK;
            let to = ((block + 1) * BLOCK).min(end).min(len);
            let into = &mut buf[(at - offset) as usize..(to - offset) as usize];
            match self.blocks.get(&(source, block)) {
                Some(bytes) => {
                    let from = (at - block * BLOCK) as u32;
                    bytes.subarray(from, from + into.len() as u32).copy_to(into);
                }
                None => {
                    for k in block..=block + READ_AHEAD {
                        if k * BLOCK < len && !self.blocks.contains_key(&(source, k)) {
                            self.wanted.insert((source, k));
                        }
                    }
                }
            }
            at = to;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_files_of_a_control_file_are_named_after_it() {
        assert_eq!(ccd_stem("album.ccd"), "album");
        assert_eq!(ccd_stem("Album.CCD"), "Album");
        assert_eq!(ccd_stem("album"), "album");
        assert_eq!(ccd_stem("a.b.ccd"), "a.b");
        assert_eq!(ccd_stem(".ccd"), "");
        assert_eq!(ccd_stem("é.ccd"), "é");
        assert_eq!(ccd_stem("éccd"), "éccd");
    }
}
