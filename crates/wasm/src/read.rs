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
use crate::drive::{DriveEventCallback, run};
use crate::error::Error;
use crate::js;
use js_sys::{Array, Function, Object, Promise, Uint8Array};
use mmc::ops::{Op, ReadDisc};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{QueuingStrategy, ReadableStream, ReadableStreamDefaultController};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Options of `readDisc`. */
export interface ReadDiscOptions {
  /** The image format: "ccd" (CloneCD: .ccd, .img and .sub, the default and the only one so far). */
  format?: "ccd";
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
  type: "ccd" | "img" | "sub";
  /** Its bytes as the drive reads them; it errors as `done` rejects. Read the .img before or beside the .sub and the .ccd. */
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
  /** The image's files: .ccd, .img, .sub. */
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

/// Reads the disc in `device` into a CloneCD image (`rawburn read
/// disc.ccd`): the same operation, the same files. Resolves once the
/// device is open, with the files as streams fed while the drive reads
/// and `done`, which settles with what the read found (sessions, tracks,
/// index points, ISRCs, the catalog number, warnings) or its error:
/// `noMedium`, `unsuitable` (a blank disc),
/// `unreadable` (a sector the drive failed four times, with its `lba`),
/// `cancelled` (an `AbortError` when the signal stopped it), and the
/// errors of `media`. `onEvent` gets the read's progress: its LBA,
/// sectors read and to read, speed and retries.
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
        match js::opt_string(&options, "format")?.as_deref() {
            None | Some("ccd") => {}
            Some(other) => {
                return Err(Error::argument(format!(
                    "format `{other}`: a disc is read into \"ccd\" (CloneCD keeps every sector with its sub-channel); createResultImage converts it"
                ))
                .into());
            }
        }
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
