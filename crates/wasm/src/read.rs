//! `readDisc(device, options, onEvent)`: the read operation of `mmc::ops`
//! (the one `rawburn read` runs), its sectors streamed out as a CloneCD
//! image while the drive reads them.
//!
//! The read runs in the background once the promise resolves; the `.img`
//! and `.sub` streams are fed as runs of sectors arrive and the `.ccd`
//! when the read has ended. The `.img` holds back the read while more
//! than `maxBuffer` bytes of it wait to be taken; the `.sub` (a
//! twenty-fifth of the size) is never held back, so the two may be read
//! side by side or the `.img` first.
//!
//! ```text
//!   drive ──READ CD──▶ ReadDisc ──take()──▶ img queue ──▶ .img stream
//!                                       └─▶ sub queue ──▶ .sub stream
//!                       end ──▶ control file ──▶ .ccd stream, `done`
//! ```

use crate::burn::{Callback, Usb, UsbDeviceLike};
use crate::creator::{ImageCreator, State};
use crate::drive::{DriveEventCallback, run};
use crate::error::Error;
use crate::js;
use crate::source::JsSource;
use js_sys::{Array, Function, Object, Promise, Uint8Array};
use layout::disc::SourceFormat;
use layout::image::ImageFormat;
use layout::image::import::{ImageSources, ccd};
use layout::source::SourceError;
use mmc::ops::{Dump, Op, ReadDisc};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{Blob, QueuingStrategy, ReadableStream, ReadableStreamDefaultController};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Options of `readDisc`. */
export interface ReadDiscOptions {
  /**
   * The image format, as `rawburn read` picks it from the output's extension: "ccd" (CloneCD: .ccd,
   * .img and .sub, streamed while the drive reads; the default), "cue", "toc", "raw" or "json" (the
   * project, with the .img and .sub it names). A disc of several sessions is read into "ccd".
   */
  format?: ImageFormat;
  /** File name without extension; "disc" unless given. */
  name?: string;
  /** Aborting it stops the read before its next command; `done` rejects with an `AbortError`. */
  signal?: AbortSignal;
  /** Bytes of the .img that may wait to be taken before the read holds back (8 MiB unless given). */
  maxBuffer?: number;
}

/** A file of a disc being read. */
export interface ReadFile {
  /** File name with extension ("disc.img"). */
  name: string;
  /** Its extension. */
  type: "ccd" | "img" | "sub" | "cue" | "bin" | "cdt" | "toc" | "raw" | "json";
  /**
   * Its bytes. For "ccd": as the drive reads them, erroring as `done` rejects; read the .img before
   * or beside the .sub and the .ccd. For the other formats: rendered as it is read, once the read has ended.
   */
  stream: ReadableStream<Uint8Array>;
}

/** A track of a disc read. */
export interface TrackDump {
  /** Track number. */
  number: number;
  /** Its session. */
  session: number;
  /** Q CONTROL nibble: 4 data, 0 audio (+1 pre-emphasis, +2 copy permitted, +8 four channels). */
  control: number;
  /** INDEX 01 (LBA), from the TOC. */
  start: number;
  /** Where Q first shows each index other than 1 ("0": the pregap), LBAs. */
  indexes: Record<string, number>;
  /** Its ISRC, from Q. */
  isrc: string | null;
  /** The data mode in the header at INDEX 01 (0 for audio). */
  mode: number;
}

/** A session of a disc read. */
export interface SessionDump {
  /** Session number. */
  number: number;
  /** The disc type byte of its point A0h. */
  discType: number;
  /** Where its lead-out starts (LBA). */
  leadOut: number;
  /** Its first sector read (LBA 0, or a later session's first pregap). */
  firstSector: number;
}

/** What a read found. */
export interface DiscDump {
  /** The drive and disc, as `media` reports them. */
  media: MediaReport;
  /** The sessions. */
  sessions: SessionDump[];
  /** The tracks. */
  tracks: TrackDump[];
  /** The catalog number, from Q. */
  mcn: string | null;
  /** CD-TEXT packs of the lead-in, 16 bytes each without their CRC. */
  cdText: number[][];
  /** The sub-channel the drive gave: raw P-W, formatted Q only, or none. */
  subchannel: "raw" | "q" | "none";
  /** Sectors read. */
  sectors: number;
  /** Sectors that needed more than one read. */
  retried: number;
  /** What the image lacks, or where the disc disagrees with itself. */
  warnings: string[];
}

/** A disc being read. */
export interface DiscRead {
  /** The image's files: for "ccd" .ccd, .img, .sub; for the others those `rawburn read` writes. */
  files: ReadFile[];
  /** Settles when the read ends: what it found, or its error. */
  done: Promise<DiscDump>;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// Options of `readDisc`.
    #[wasm_bindgen(typescript_type = "ReadDiscOptions")]
    pub type ReadDiscOptions;
}

/// Bytes of the `.img` waiting to be taken before the read holds back.
const DEFAULT_MAX_BUFFER: u64 = 8 << 20;

/// Positions of the files in [`Shared::parts`].
const CCD: usize = 0;
const IMG: usize = 1;
const SUB: usize = 2;

/// Reads the disc in `device` into an image (`rawburn read disc.ccd`, or
/// `format` "cue", "toc", "raw", "json"): the same operation, the same
/// files. For CloneCD it resolves once the device is open, with the files
/// as streams fed while the drive reads; for the others once the read
/// has ended (the sectors kept in blobs, laid out from their control
/// file as `rawburn read` lays them out), with the files rendered as they
/// are read. `done` settles with what the read found (sessions, tracks,
/// index points, ISRCs, the catalog number, warnings) or its error:
/// `noMedium`, `unsuitable` (a blank disc),
/// `unreadable` (a sector the drive failed four times, with its `lba`),
/// `cancelled` (an `AbortError` when the signal stopped it), and the
/// errors of `media`. `onEvent` gets the read's progress: its LBA,
/// sectors read and to read, speed and retries. (A `CompanionDevice`
/// reads as a job of the companion: see that overload.)
#[wasm_bindgen(js_name = readDisc, unchecked_return_type = "Promise<DiscRead>")]
pub fn read_disc(
    device: UsbDeviceLike,
    options: Option<ReadDiscOptions>,
    #[wasm_bindgen(js_name = onEvent)] on_event: Option<DriveEventCallback>,
) -> Promise {
    let device: JsValue = device.into();
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    future_to_promise(async move {
        js::only(
            &options,
            &["format", "name", "signal", "maxBuffer"],
            "readDisc options",
        )?;
        let format = match js::opt_string(&options, "format")?.as_deref() {
            None | Some("ccd") => (ImageFormat::CloneCd, "ccd"),
            Some("cue") => (ImageFormat::BinCue, "cue"),
            Some("toc") => (ImageFormat::CdrdaoToc, "toc"),
            Some("raw") => (ImageFormat::Raw, "raw"),
            Some("json") => (ImageFormat::Project, "json"),
            Some(other) => {
                return Err(Error::argument(format!(
                    "format `{other}`: expected ccd, cue, toc, raw or json"
                ))
                .into());
            }
        };
        let stem = js::opt_string(&options, "name")?.unwrap_or_else(|| "disc".to_string());
        if stem.is_empty() || stem.contains(['/', '\\']) {
            return Err(Error::argument(format!(
                "name `{stem}`: a file name without extension, such as \"album\""
            ))
            .into());
        }
        let max_buffer = js::opt_u64(&options, "maxBuffer")?.unwrap_or(DEFAULT_MAX_BUFFER);
        let signal = js::get(&options, "signal");
        let on_event: Option<Function> = on_event.map(|f| f.unchecked_into());
        if let Some(f) = &on_event
            && !f.is_function()
        {
            return Err(Error::argument("onEvent must be a function").into());
        }
        let usb = Usb::open(device).await?;
        if format.0 != ImageFormat::CloneCd {
            return converted(usb, format, stem, signal, on_event).await;
        }

        let shared = Rc::new(RefCell::new(Shared::default()));
        let list = Array::new();
        for (part, ext) in [(CCD, "ccd"), (IMG, "img"), (SUB, "sub")] {
            let f = Object::new();
            js::set(&f, "name", &format!("{stem}.{ext}").into());
            js::set(&f, "type", &ext.into());
            js::set(&f, "stream", &readable(&shared, part)?.into());
            list.push(&f);
        }
        let done = future_to_promise(read(usb, shared, signal, on_event, max_buffer as usize));
        let result = Object::new();
        js::set(&result, "files", &list);
        js::set(&result, "done", &done);
        Ok(result.into())
    })
}

/// The read, to its end; the streams fed as it goes.
async fn read(
    mut usb: Usb,
    shared: Rc<RefCell<Shared>>,
    signal: JsValue,
    on_event: Option<Function>,
    max_buffer: usize,
) -> Result<JsValue, JsValue> {
    let mut op = Op::new(ReadDisc::new(true));
    let mut callback = Callback::new(on_event, "read");
    let feed = shared.clone();
    let result = run(
        &mut usb,
        &mut op,
        &signal,
        &mut callback,
        &mut async |steps: &mut ReadDisc| {
            let Some(s) = steps.take() else {
                return true;
            };
            {
                let mut sh = feed.borrow_mut();
                sh.push(IMG, &s.data);
                sh.push(SUB, &s.subchannel);
                sh.wake();
            }
            // Held back while the .img waits to be taken.
            loop {
                let wait = {
                    let mut sh = feed.borrow_mut();
                    if sh.parts[IMG].closed && sh.parts[SUB].closed {
                        // Nobody reads the image any more.
                        return false;
                    }
                    if sh.parts[IMG].queued <= max_buffer {
                        break;
                    }
                    sh.waiter()
                };
                let _ = JsFuture::from(wait).await;
            }
            true
        },
    )
    .await;
    usb.release().await;
    let outcome = result.and_then(|dump| {
        let ccd = dump.control_text().map_err(crate::drive::op_error)?;
        let value = crate::creator::to_js(&dump)?;
        Ok((ccd, value))
    });
    let outcome = match outcome {
        Ok((ccd, value)) => {
            shared.borrow_mut().push(CCD, ccd.as_bytes());
            Ok(value)
        }
        Err(e) => Err(e),
    };
    // The files are whole when the read is, whatever `onEvent` threw.
    {
        let mut sh = shared.borrow_mut();
        match &outcome {
            Ok(_) => sh.finished = true,
            Err(e) => sh.failure = Some(e.clone().into()),
        }
        sh.wake();
    }
    callback.finish(outcome).map_err(Into::into)
}

/// A read into another format than CloneCD: the disc read into blobs
/// (which a browser keeps on disk), then laid out from its CloneCD control
/// file as `rawburn read` does and rendered in `format`. Resolves when the
/// read has ended, with the image's files and `done` settled.
async fn converted(
    mut usb: Usb,
    format: (ImageFormat, &'static str),
    stem: String,
    signal: JsValue,
    on_event: Option<Function>,
) -> Result<JsValue, JsValue> {
    let mut op = Op::new(ReadDisc::new(false));
    let mut callback = Callback::new(on_event, "read");
    let (img, sub) = (Array::new(), Array::new());
    let mut failed: Option<Error> = None;
    let result = run(
        &mut usb,
        &mut op,
        &signal,
        &mut callback,
        &mut async |steps: &mut ReadDisc| {
            let Some(s) = steps.take() else {
                return true;
            };
            match blob_part(&img, &s.data).and_then(|()| blob_part(&sub, &s.subchannel)) {
                Ok(()) => true,
                Err(e) => {
                    failed = Some(e);
                    false
                }
            }
        },
    )
    .await;
    usb.release().await;
    let outcome = match (failed, result) {
        (Some(e), _) => Err(e),
        (None, Ok(dump)) => image_of(dump, &img, &sub, format, &stem).await,
        (None, Err(e)) => Err(e),
    };
    callback.finish(outcome).map_err(Into::into)
}

/// The error for a blob the host would not make.
fn not_kept(e: &JsValue) -> Error {
    Error::new(
        "sourceRead",
        format!("cannot keep the sectors read: {}", js::message(e)),
    )
}

/// Appends `bytes` to a list of blob parts.
fn blob_part(parts: &Array, bytes: &[u8]) -> Result<(), Error> {
    let chunk = Array::of1(&Uint8Array::from(bytes));
    let blob = Blob::new_with_u8_array_sequence(&chunk).map_err(|e| not_kept(&e))?;
    parts.push(&blob);
    Ok(())
}

/// The files of the image of a disc read into blobs.
async fn image_of(
    mut dump: Dump,
    img: &Array,
    sub: &Array,
    (format, name): (ImageFormat, &'static str),
    stem: &str,
) -> Result<JsValue, Error> {
    let blob = |parts: &Array| Blob::new_with_blob_sequence(parts).map_err(|e| not_kept(&e));
    let (img, sub) = (blob(img)?, blob(sub)?);
    let text = dump.control_text().map_err(crate::drive::op_error)?;
    let parsed = ccd::parse(&text, stem).map_err(|e| Error::new("imageFormat", e.to_string()))?;
    let names = [format!("{stem}.img"), format!("{stem}.sub")];
    let mut opened = Vec::new();
    for (b, name) in [&img, &sub].into_iter().zip(&names) {
        opened.push(Rc::new(JsSource::from_input(
            b,
            name.clone(),
            SourceFormat::Binary,
            None,
        )?));
    }
    let mut files = Fetched::new(opened.clone());
    let imported = loop {
        let r = ccd::to_project(&parsed, &mut files);
        if files.misses.is_empty() {
            break r.map_err(|e| Error::new("imageFormat", format!("the disc read: {e}")))?;
        }
        files.fetch().await?;
    };
    drop(files);
    dump.warnings.extend(imported.warnings);
    let creator = ImageCreator::from_state(State::new(imported.project, opened));
    let options = Object::new();
    js::set(&options, "format", &name.into());
    js::set(&options, "name", &stem.into());
    let image: JsValue = creator
        .create_result_image(options.unchecked_into())?
        .into();
    let list: Array = js::get(&image, "files").unchecked_into();
    if format == ImageFormat::Project {
        // A project names the files that hold the disc's data.
        for (b, name) in [(&img, &names[0]), (&sub, &names[1])] {
            let f = Object::new();
            js::set(&f, "name", &name.as_str().into());
            js::set(
                &f,
                "type",
                &name.rsplit('.').next().unwrap_or_default().into(),
            );
            js::set(&f, "size", &JsValue::from_f64(b.size()));
            js::set(&f, "stream", &b.stream().into());
            list.push(&f);
        }
    }
    let warnings: Array = js::get(&image, "warnings").unchecked_into();
    dump.warnings
        .extend(warnings.iter().filter_map(|w| w.as_string()));
    let result = Object::new();
    js::set(&result, "files", &list);
    js::set(
        &result,
        "done",
        &Promise::resolve(&crate::creator::to_js(&dump)?),
    );
    Ok(result.into())
}

/// The bytes of the blobs a CloneCD import asks for, fetched between
/// its runs: a run that asks for bytes not fetched yet notes them and
/// fails, and runs again once they are.
struct Fetched {
    sources: Vec<Rc<JsSource>>,
    blocks: std::collections::HashMap<(usize, u64), Vec<u8>>,
    misses: std::collections::BTreeSet<(usize, u64)>,
}

/// Bytes fetched at once.
const BLOCK: u64 = 1 << 20;

impl Fetched {
    fn new(sources: Vec<Rc<JsSource>>) -> Fetched {
        Fetched {
            sources,
            blocks: Default::default(),
            misses: Default::default(),
        }
    }

    async fn fetch(&mut self) -> Result<(), Error> {
        for (source, block) in std::mem::take(&mut self.misses) {
            let Some(s) = self.sources.get(source) else {
                continue;
            };
            let at = block * BLOCK;
            let mut buf = vec![0; s.len().saturating_sub(at).min(BLOCK) as usize];
            s.read(at, &mut buf).await?;
            self.blocks.insert((source, block), buf);
        }
        Ok(())
    }
}

impl ImageSources for Fetched {
    fn data_len(&mut self, source: usize) -> Result<u64, SourceError> {
        self.sources
            .get(source)
            .map(|s| s.len())
            .ok_or_else(|| SourceError::no_source(source))
    }

    fn read(&mut self, source: usize, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        let len = self.data_len(source)?;
        let end = offset + buf.len() as u64;
        if end > len {
            return Err(SourceError::truncated(len, offset, buf.len() as u64));
        }
        let mut at = offset;
        while at < end {
            let block = at / BLOCK;
            let upto = ((block + 1) * BLOCK).min(end);
            match self.blocks.get(&(source, block)) {
                Some(bytes) => {
                    let from = (at - block * BLOCK) as usize;
                    let n = (upto - at) as usize;
                    let into = (at - offset) as usize;
                    buf[into..into + n].copy_from_slice(&bytes[from..from + n]);
                }
                None => {
                    self.misses.insert((source, block));
                }
            }
            at = upto;
        }
        if self.misses.is_empty() {
            Ok(())
        } else {
            // Not an answer the import keeps: it runs again once fetched.
            Err(SourceError::other("not fetched yet"))
        }
    }
}

/// A file's queue.
#[derive(Default)]
struct Part {
    queue: VecDeque<Uint8Array>,
    queued: usize,
    /// Cancelled by its reader: nothing more is queued.
    closed: bool,
}

/// What the read and the streams share.
#[derive(Default)]
struct Shared {
    parts: [Part; 3],
    /// The read ended well: every queue is whole.
    finished: bool,
    /// The read's error, for every stream.
    failure: Option<JsValue>,
    /// Promises waiting for a change (data for a stream, room for the
    /// read).
    waiting: Vec<Function>,
}

impl Shared {
    fn push(&mut self, part: usize, bytes: &[u8]) {
        let p = &mut self.parts[part];
        if !p.closed {
            p.queued += bytes.len();
            p.queue.push_back(Uint8Array::from(bytes));
        }
    }

    /// A promise settled at the next change.
    fn waiter(&mut self) -> Promise {
        let mut resolve = None;
        let promise = Promise::new(&mut |res, _| resolve = Some(res));
        self.waiting.extend(resolve);
        promise
    }

    fn wake(&mut self) {
        for f in self.waiting.drain(..) {
            let _ = f.call0(&JsValue::UNDEFINED);
        }
    }
}

/// The stream of file `part`.
fn readable(shared: &Rc<RefCell<Shared>>, part: usize) -> Result<ReadableStream, Error> {
    let pull_shared = shared.clone();
    let pull = Closure::<dyn FnMut(ReadableStreamDefaultController) -> Promise>::new(
        move |controller: ReadableStreamDefaultController| {
            let shared = pull_shared.clone();
            future_to_promise(async move {
                loop {
                    let wait = {
                        let mut sh = shared.borrow_mut();
                        if let Some(chunk) = sh.parts[part].queue.pop_front() {
                            sh.parts[part].queued -= chunk.length() as usize;
                            sh.wake();
                            controller.enqueue_with_chunk(&chunk)?;
                            return Ok(JsValue::UNDEFINED);
                        }
                        if let Some(e) = &sh.failure {
                            return Err(e.clone());
                        }
                        if sh.finished {
                            controller.close()?;
                            return Ok(JsValue::UNDEFINED);
                        }
                        sh.waiter()
                    };
                    let _ = JsFuture::from(wait).await;
                }
            })
        },
    );
    let cancel_shared = shared.clone();
    let cancel = Closure::<dyn FnMut(JsValue)>::new(move |_reason: JsValue| {
        let mut sh = cancel_shared.borrow_mut();
        let p = &mut sh.parts[part];
        p.closed = true;
        p.queue.clear();
        p.queued = 0;
        sh.wake();
    });
    let source = Object::new();
    js::set(&source, "pull", &pull.into_js_value());
    js::set(&source, "cancel", &cancel.into_js_value());
    let strategy = QueuingStrategy::new();
    strategy.set_high_water_mark(0.0);
    ReadableStream::new_with_underlying_source_and_strategy(&source, &strategy)
        .map_err(|e| Error::argument(format!("cannot make a ReadableStream: {}", js::message(&e))))
}
