//! `burn(device, plan, options, onEvent)`: the write engine (`mmc`) over
//! WebUSB.
//!
//! The engine does no I/O; this module drives it. SCSI commands go through
//! the Bulk-Only host (`mmc::bot::BotHost`), whose transfers become
//! `USBDevice` calls (`transferOut`, `transferIn`, `controlTransferIn`,
//! `controlTransferOut`, `clearHalt`); the sectors' source bytes come from
//! the plan's sources, read in slices as the engine asks for them; events
//! go to `onEvent` as the same JSON objects `rawburn burn --json` prints.
//!
//! ```text
//!   Engine ── Transfer::Command ──▶ BotHost ── UsbRequest ──▶ USBDevice (WebUSB or VirtualUsbDevice)
//!     ▲  ◀── Completion ────────────  ◀── UsbResult ──────────
//!     └── Transfer::Read ──▶ sources (Blob slices, streams, PCM)
//! ```
//!
//! WebUSB transfers have no timeout; each one races a timer instead, and
//! a real device whose transfer timed out is reset (`device.reset()`
//! abandons the transfer) before the host's reset recovery. A device with
//! a virtual clock (`VirtualUsbDevice`) is handed the timeout and keeps the
//! time, so burns on it run as fast as the computer goes.

use crate::creator::ImageCreator;
use crate::error::Error;
use crate::js;
use crate::source::JsSource;
use js_sys::{Function, Object, Promise, Uint8Array};
use layout::disc::Disc;
use layout::source::SourceError;
use mmc::bot::{BotConfig, BotHost, UsbRequest, UsbResult};
use mmc::engine::{
    Completion, DiscState, Engine, EngineError, Options, Summary, Transfer, Verify, WriteMode,
};
use mmc::scsi::{ScsiOutcome, ScsiRequest, TransportError};
use mmc::wire::bot::SetupPacket;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** How a disc is written: the best the drive offers, or one mode. */
export type WriteMode = "auto" | "raw96r" | "raw96p" | "raw16" | "sao" | "tao";

/** Options of `burn`. */
export interface BurnOptions {
  /** Write mode ("auto", the default, picks the best the drive offers and says why). */
  mode?: WriteMode;
  /**
   * Write speed in multiples of 1x, or "max" (the default): the fastest speed the drive
   * offers that is not above it (its slowest when all are). The first event's message
   * says which speed was chosen.
   */
  speed?: number | "max";
  /** A test write: the laser stays off, the disc stays blank. */
  simulate?: boolean;
  /** Buffer underrun protection (true by default). */
  bufe?: boolean;
  /** Read the disc back and compare: true or "exact" (every byte), "content" (user data). */
  verify?: boolean | "exact" | "content";
  /** Close the disc (true by default); false leaves the session open. */
  finalize?: boolean;
  /** Eject when done. */
  eject?: boolean;
  /** Bytes per WRITE command (64 KiB by default). */
  maxTransfer?: number;
  /** Bytes of encoded sectors kept ahead of the drive (8 MiB by default). */
  systemBuffer?: number;
  /** Aborting it cancels the burn at its next safe point. */
  signal?: AbortSignal;
}

/**
 * One progress event, as `rawburn burn --json` prints them (schema 2). Every field is
 * present in every event; those not known yet are null.
 */
export interface BurnEvent {
  /** The schema version: 2. */
  schema: 2;
  /** What the engine is doing. */
  action: "preparing" | "writingLeadIn" | "writingTrack" | "writingLeadOut" | "finishing"
    | "verifying" | "done" | "failed" | "cancelled";
  /** The part of the burn (in done, failed and cancelled: the last one). */
  phase: "preparing" | "writing" | "finishing" | "verifying";
  /** The write mode, once chosen. */
  mode: Exclude<WriteMode, "auto"> | null;
  /** Why that mode, once chosen. */
  reason: string | null;
  /** The track being written (plan numbering). */
  track: number | null;
  /** Number of tracks. */
  tracks: number;
  /** First LBA of the section being written (may be negative). */
  startLba: number;
  /** Sectors in that section. */
  sectorCount: number;
  /** Last LBA read from the sources into the host buffer. */
  lastReadLba: number;
  /** Last LBA the drive confirmed written. */
  lastWrittenLba: number;
  /** Host buffer size, bytes. */
  totalSystemBuffer: number;
  /** Host buffer filled, bytes. */
  usedSystemBuffer: number;
  /** Host buffer free, bytes (used + free = total). */
  freeSystemBuffer: number;
  /** The drive's buffer, bytes (0 until known). */
  driveBufferSize: number;
  /** The drive's free buffer, bytes. */
  driveBufferFree: number;
  /** Write speed over the last seconds, in multiples of 1x. */
  speedX: number;
  /** Write speed over the last seconds, sectors a second. */
  sectorsPerSecond: number;
  /** Time since the burn began, milliseconds. */
  elapsedMs: number;
  /** Time to the end of the whole burn (verify included); null until the writing speed is known. */
  remainingMs: number | null;
  /** The whole burn's progress from 0 to 1: never goes back, 1 only in "done". For a progress bar. */
  fraction: number;
  /** Sectors the drive confirmed written. */
  sectorsWritten: number;
  /** Of those, the sectors it has recorded (less those still in its buffer). */
  sectorsRecorded: number;
  /** Sectors the whole burn writes (0 until the mode is chosen). */
  sectorsTotal: number;
  /** Sectors read back and compared. */
  sectorsVerified: number;
  /** Sectors the verify reads back (0 without verify). */
  sectorsToVerify: number;
  /** Text for people: the mode and speed chosen, the error, what a cancel left. */
  message: string | null;
}

/** The drive and its disc, as the engine found them (INQUIRY, GET CONFIGURATION, READ DISC INFORMATION, ATIP). */
export interface BurnDriveInfo {
  /** INQUIRY vendor. */
  vendor: string;
  /** INQUIRY product. */
  product: string;
  /** INQUIRY revision. */
  revision: string;
  /** Current MMC profile (0x09 CD-R, 0x0A CD-RW). */
  profile: number;
  /** Track-at-once offered. */
  tao: boolean;
  /** Session-at-once offered. */
  sao: boolean;
  /** Raw writing offered. */
  raw: boolean;
  /** R-W subcode can be written (CD-TEXT in session-at-once). */
  rw: boolean;
  /** Test writes offered. */
  testWrite: boolean;
  /** Buffer underrun protection offered. */
  bufe: boolean;
  /** Track-at-once data block types offered (bit n: type n). */
  taoDataTypes: number;
  /** Disc status before the burn (READ DISC INFORMATION; 0: blank). */
  discStatus: number;
  /** The disc is erasable (CD-RW). */
  erasable: boolean;
  /** ATIP lead-in start (LBA), when the drive reported it. */
  leadIn: number | null;
  /** ATIP last possible lead-out start (LBA), when the drive reported it. */
  lastLeadOut: number | null;
  /** Write speeds the drive offers, kB/s, fastest first. */
  writeSpeeds: number[];
}

/** What a finished burn did. */
export interface BurnResult {
  /** The write mode used. */
  mode: Exclude<WriteMode, "auto">;
  /** Why that mode. */
  reason: string;
  /** The write speed chosen for the `speed` asked for ("at 40x, ..."); null for "max". */
  speed: string | null;
  /** Sectors written. */
  sectors: number;
  /** The last sector the drive confirmed. */
  lastWrittenLba: number | null;
  /** A test write: the disc is still blank. */
  simulated: boolean;
  /** The disc was read back and matched. */
  verified: boolean;
  /** How long the burn took (virtual time on a VirtualUsbDevice). */
  elapsedMs: number;
  /** The drive and its disc. */
  drive: BurnDriveInfo;
}

/** What `burn` needs of a WebUSB `USBDevice` (a `VirtualUsbDevice` has it too). */
export interface UsbDeviceLike {
  /** Whether `open()` was called. */
  readonly opened: boolean;
  /** The selected configuration; null before `selectConfiguration`. */
  readonly configuration: UsbConfigurationLike | null | undefined;
  /** The product string, named in messages. */
  readonly productName?: string;
  /** Opens the device. */
  open(): Promise<void>;
  /** Selects a configuration (1, when none is selected). */
  selectConfiguration(value: number): Promise<void>;
  /** Claims the Bulk-Only interface. */
  claimInterface(interfaceNumber: number): Promise<void>;
  /** Releases it when the burn ends. */
  releaseInterface(interfaceNumber: number): Promise<void>;
  /** Sends a CBW or data to the bulk OUT endpoint. */
  transferOut(endpointNumber: number, data: ArrayBuffer | ArrayBufferView): Promise<UsbOutTransferResult>;
  /** Reads data or a CSW from the bulk IN endpoint. */
  transferIn(endpointNumber: number, length: number): Promise<UsbInTransferResult>;
  /** A control transfer from the device (Get Max LUN). */
  controlTransferIn(setup: UsbControlTransferParameters, length: number): Promise<UsbInTransferResult>;
  /** A control transfer to the device (Bulk-Only Mass Storage Reset). */
  controlTransferOut(setup: UsbControlTransferParameters, data?: ArrayBuffer | ArrayBufferView): Promise<UsbOutTransferResult>;
  /** Clears a halted endpoint. */
  clearHalt(direction: "in" | "out", endpointNumber: number): Promise<void>;
  /** Resets the device (abandoning a transfer that timed out). */
  reset(): Promise<void>;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// A WebUSB device.
    #[wasm_bindgen(typescript_type = "UsbDeviceLike")]
    pub type UsbDeviceLike;
    /// Options of `burn`.
    #[wasm_bindgen(typescript_type = "BurnOptions")]
    pub type BurnOptions;
    /// The event callback.
    #[wasm_bindgen(typescript_type = "((event: BurnEvent) => void)")]
    pub type BurnEventCallback;
}

/// Burns the disc of `plan` (an `ImageCreator`, which is frozen as by
/// `createResultImage`) on `device`: a WebUSB `USBDevice` whose Bulk-Only
/// mass-storage interface the page may claim (Isolated Web Apps,
/// Electron), a `VirtualUsbDevice`, or a `CompanionDevice` (the image is
/// uploaded to `rawburn serve`, which burns it). `onEvent` gets every
/// progress event. Resolves when the drive has confirmed every step (and,
/// with `verify`, the read-back matched).
///
/// Rejects with an `Error` whose `code` says what went wrong:
/// `noMedium`, `notOptical`, `notRecordable`, `notBlank`, `capacity`,
/// `writeMode` (nothing was written); `drive` (a command failed: `phase`,
/// `command`, `sense`, `lastWrittenLba`), `transport` (the device stopped
/// answering or left), `reply`, `notConfirmed` (the drive's account of
/// the finished disc is not the burn's), `sourceRead`, `encode`; once
/// something that records was sent these carry `disc`, what the drive then
/// said the disc holds (`blank`, `incomplete`, `closed`, `finalized`,
/// `unknown`); `verifyMismatch` (`lba`: the completed burn reads back
/// differently), `verifyIncomplete` (`lba`: it could not be read back),
/// `cancelled` (the message says what the disc holds; the error's `name`
/// is `AbortError` and its `cause` the signal's `reason`),
/// `usbInterface` (no Bulk-Only interface), `usbOpen` (WebUSB refused to
/// open or claim it), `invalidArgument` (options, a non-function
/// `onEvent`), and the planning errors of `createResultImage`. Through a
/// `CompanionDevice` the command's error comes with its `exit`,
/// `headline` and `causes`, and the companion's own refusals and a lost
/// connection are `companion` and `companionConnection`.
///
/// An exception thrown by `onEvent` does not stop the burn; once it has
/// ended the promise rejects with `onEvent`, whose `cause` is the first
/// exception and which carries the burn's `result`, or its own error as
/// `burnError`.
#[wasm_bindgen(unchecked_return_type = "Promise<BurnResult>")]
pub fn burn(
    #[wasm_bindgen(unchecked_param_type = "UsbDeviceLike | CompanionDevice")] device: UsbDeviceLike,
    plan: &ImageCreator,
    options: Option<BurnOptions>,
    #[wasm_bindgen(js_name = onEvent)] on_event: Option<BurnEventCallback>,
) -> Promise {
    // Everything is checked before the plan is frozen.
    let on_event = match on_event.map(|f| JsValue::from(f).dyn_into::<Function>()) {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err(_)) => {
            return Promise::reject(&Error::argument("onEvent must be a function").into());
        }
    };
    let prepared = (|| {
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let (engine_options, signal) = parse_options(&options)?;
        let (disc, sources) = freeze(plan)?;
        Ok::<_, Error>((disc, sources, engine_options, signal))
    })();
    let (disc, sources, engine_options, signal) = match prepared {
        Ok(p) => p,
        Err(e) => return Promise::reject(&e.into()),
    };
    let device: JsValue = device.into();
    wasm_bindgen_futures::future_to_promise(async move {
        run(device, disc, sources, engine_options, signal, on_event)
            .await
            .map_err(Into::into)
    })
}

/// The plan's disc and sources; later edits of the plan fail with
/// `readOnly`, as after `createResultImage`.
fn freeze(plan: &ImageCreator) -> Result<(Arc<Disc>, Vec<Rc<JsSource>>), Error> {
    let (disc, sources) = {
        let state = plan.state.borrow();
        (state.plan()?, state.sources.clone())
    };
    let mut state = plan.state.borrow_mut();
    if state.frozen.is_none() {
        state.frozen = Some(Arc::clone(&disc));
    }
    Ok((disc, sources))
}

/// The keys of `BurnOptions`.
const BURN_OPTIONS: &[&str] = &[
    "mode",
    "speed",
    "simulate",
    "bufe",
    "verify",
    "finalize",
    "eject",
    "maxTransfer",
    "systemBuffer",
    "signal",
];

/// The engine's options from `BurnOptions`, and the abort signal.
fn parse_options(o: &JsValue) -> Result<(Options, JsValue), Error> {
    js::only(o, BURN_OPTIONS, "burn options")?;
    let mut options = Options::default();
    if let Some(m) = js::opt_string(o, "mode")? {
        options.mode = match m.as_str() {
            "auto" => WriteMode::Auto,
            "raw96r" => WriteMode::Raw96r,
            "raw96p" => WriteMode::Raw96p,
            "raw16" => WriteMode::Raw16,
            "sao" => WriteMode::Sao,
            "tao" => WriteMode::Tao,
            _ => {
                return Err(Error::argument(format!(
                    "mode `{m}`: expected auto, raw96r, raw96p, raw16, sao or tao"
                )));
            }
        };
    }
    options.speed = speed(o)?;
    if let Some(b) = js::opt_bool(o, "simulate")? {
        options.simulate = b;
    }
    if let Some(b) = js::opt_bool(o, "bufe")? {
        options.bufe = b;
    }
    if let Some(b) = js::opt_bool(o, "finalize")? {
        options.finalize = b;
    }
    if let Some(b) = js::opt_bool(o, "eject")? {
        options.eject = b;
    }
    let verify = js::get(o, "verify");
    options.verify = match (verify.as_bool(), verify.as_string().as_deref()) {
        _ if verify.is_undefined() || verify.is_null() => None,
        (Some(false), _) => None,
        (Some(true), _) | (_, Some("exact")) => Some(Verify::Exact),
        (_, Some("content")) => Some(Verify::Content),
        _ => {
            return Err(Error::argument(
                "verify: expected true, false, \"exact\" or \"content\"",
            ));
        }
    };
    if let Some(n) = js::opt_u64(o, "maxTransfer")? {
        if !(2448..=1 << 20).contains(&n) {
            return Err(Error::argument(format!(
                "maxTransfer {n}: expected 2448 to 1048576 bytes"
            )));
        }
        options.max_transfer = n as usize;
    }
    if let Some(n) = js::opt_u64(o, "systemBuffer")? {
        if !(1 << 16..=1 << 28).contains(&n) {
            return Err(Error::argument(format!(
                "systemBuffer {n}: expected 64 KiB to 256 MiB"
            )));
        }
        options.system_buffer = n as usize;
    }
    let signal = js::get(o, "signal");
    if !signal.is_undefined()
        && !signal.is_null()
        && js::get(&signal, "aborted").as_bool().is_none()
    {
        return Err(Error::argument("`signal` must be an AbortSignal"));
    }
    Ok((options, signal))
}

/// The burn itself.
async fn run(
    device: JsValue,
    disc: Arc<Disc>,
    sources: Vec<Rc<JsSource>>,
    options: Options,
    signal: JsValue,
    on_event: Option<Function>,
) -> Result<JsValue, Error> {
    let mut on_event = Callback::new(on_event, "burn");
    let mut usb = Usb::open(device).await?;
    let mut engine = Engine::new(disc, options);
    engine.start(usb.clock.now());
    let mut cancelled = false;
    let result = loop {
        if !cancelled && js::get(&signal, "aborted").as_bool() == Some(true) {
            cancelled = true;
            engine.cancel();
        }
        while let Some(e) = engine.poll_event() {
            on_event.emit(&e);
        }
        match engine.poll_transfer() {
            Some(Transfer::Command(request)) => {
                let outcome = usb.execute(request).await;
                engine.handle_completion(Completion::Command(outcome), usb.clock.now());
            }
            Some(Transfer::Read(read)) => {
                let result = read_source(&sources, &read).await;
                engine.handle_completion(Completion::Read(result), usb.clock.now());
            }
            // A page's burn encodes its own frames: it never shares them.
            Some(Transfer::Frames(_)) => {
                let e = layout::source::SourceError::other("no shared frames in a page's burn");
                engine.handle_completion(Completion::Frames(Err(e)), usb.clock.now());
            }
            None => match engine.poll_timeout() {
                Some(t) if engine.outcome().is_none() => {
                    usb.clock.sleep_until(t).await;
                    engine.handle_timeout(usb.clock.now());
                }
                _ => {
                    break engine.outcome().cloned().unwrap_or(Err(EngineError::Misuse(
                        "the engine stopped without an outcome",
                    )));
                }
            },
        }
    };
    while let Some(e) = engine.poll_event() {
        on_event.emit(&e);
    }
    usb.release().await;
    let outcome = match result {
        Ok(summary) => summary_value(&summary),
        Err(EngineError::Cancelled(why)) if cancelled => {
            // As `fetch` and other abortable calls reject: an AbortError
            // carrying the signal's reason.
            let error = engine_error(EngineError::Cancelled(why));
            Err(error
                .name("AbortError")
                .value("cause", js::get(&signal, "reason")))
        }
        Err(e) => Err(engine_error(e)),
    };
    on_event.finish(outcome)
}

/// The page's `onEvent`, and the first exception it threw.
pub(crate) struct Callback {
    f: Option<Function>,
    thrown: Option<JsValue>,
    /// What runs: "burn", "read", "erase".
    what: &'static str,
}

impl Callback {
    pub(crate) fn new(f: Option<Function>, what: &'static str) -> Callback {
        Callback {
            f,
            thrown: None,
            what,
        }
    }

    /// Calls the callback with `event`. An exception does not stop the
    /// operation (a broken progress bar must not spoil a disc); the first
    /// one is kept for [`Callback::finish`].
    pub(crate) fn emit<T: serde::Serialize>(&mut self, event: &T) {
        if let (Some(f), Ok(v)) = (&self.f, crate::creator::to_js(event))
            && let Err(e) = f.call1(&JsValue::NULL, &v)
        {
            self.thrown.get_or_insert(e);
        }
    }

    /// The outcome, or, when the callback threw, an `onEvent` error whose
    /// `cause` is the first exception and which carries the outcome: the
    /// result as `result`, or the operation's own error as `burnError`
    /// (for a burn) or `operationError`.
    pub(crate) fn finish(self, outcome: Result<JsValue, Error>) -> Result<JsValue, Error> {
        let Some(thrown) = self.thrown else {
            return outcome;
        };
        let first = js::message(&thrown);
        let what = self.what;
        let key = if what == "burn" {
            "burnError"
        } else {
            "operationError"
        };
        let error = match outcome {
            Ok(result) => Error::new(
                "onEvent",
                format!(
                    "onEvent threw: {first}; the {what} went on and succeeded (its result is the error's `result`)"
                ),
            )
            .value("result", result),
            Err(e) => Error::new(
                "onEvent",
                format!(
                    "onEvent threw: {first}; the {what} went on and failed: {} (the error's `{key}`)",
                    e.message()
                ),
            )
            .value(key, e.into()),
        };
        Err(error.value("cause", thrown))
    }
}

/// The bytes of one source read: main channel, then R-W. A failed read
/// keeps the JS error's message (which names the blob or stream); the
/// error itself holds JS values and stays on this side.
async fn read_source(
    sources: &[Rc<JsSource>],
    read: &mmc::engine::SourceRead,
) -> Result<(Vec<u8>, Vec<u8>), SourceError> {
    let failed = |e: Error| SourceError::other(e.message().to_string());
    let mut out = (Vec::new(), Vec::new());
    for (r, buf) in [(&read.main, &mut out.0), (&read.rw, &mut out.1)] {
        let Some(r) = r else { continue };
        buf.resize(r.len, 0);
        crate::stream::source_at(sources, r.source)
            .map_err(failed)?
            .read(r.offset, buf)
            .await
            .map_err(failed)?;
    }
    Ok(out)
}

fn summary_value(s: &Summary) -> Result<JsValue, Error> {
    let o = Object::new();
    js::set(&o, "mode", &s.mode.name().into());
    js::set(&o, "reason", &s.reason.as_str().into());
    js::set(
        &o,
        "speed",
        &s.speed.as_deref().map_or(JsValue::NULL, JsValue::from),
    );
    js::set(&o, "sectors", &(s.sectors as f64).into());
    js::set(
        &o,
        "lastWrittenLba",
        &s.last_written.map_or(JsValue::NULL, |l| l.get().into()),
    );
    js::set(&o, "simulated", &s.simulated.into());
    js::set(&o, "verified", &s.verified.into());
    js::set(&o, "elapsedMs", &(s.elapsed.as_secs_f64() * 1000.0).into());
    js::set(&o, "drive", &crate::creator::to_js(&s.drive)?);
    Ok(o.into())
}

/// The engine's error with its stable code and the place it names; a
/// burn that failed after something that records was sent also says what
/// the disc holds (`disc`).
fn engine_error(e: EngineError) -> Error {
    let message = e.to_string();
    match e {
        EngineError::Stopped { cause, disc } => {
            coded(*cause, message).text("disc", disc_state_name(disc))
        }
        e => coded(e, message),
    }
}

/// `disc` of an error: what the drive said the disc holds.
fn disc_state_name(disc: DiscState) -> &'static str {
    match disc {
        DiscState::Blank => "blank",
        DiscState::Incomplete { .. } => "incomplete",
        DiscState::Closed {
            finalized: false, ..
        } => "closed",
        DiscState::Closed {
            finalized: true, ..
        } => "finalized",
        DiscState::Unknown => "unknown",
    }
}

/// The code and details of an error, with `message`.
fn coded(e: EngineError, message: String) -> Error {
    match e {
        EngineError::NoMedium => Error::new("noMedium", message),
        EngineError::NotOptical(_) => Error::new("notOptical", message),
        EngineError::NotRecordable(_) => Error::new("notRecordable", message),
        EngineError::NotBlank(_) => Error::new("notBlank", message),
        EngineError::Capacity { needs, holds, .. } => Error::new("capacity", message)
            .number("needs", f64::from(needs))
            .number("holds", f64::from(holds)),
        EngineError::Mode(_) => Error::new("writeMode", message),
        EngineError::Drive {
            phase,
            command,
            sense,
            at,
            confirmed,
        } => {
            let mut err = Error::new("drive", message)
                .text("phase", phase.to_string())
                .text("command", command)
                .text("sense", sense_code(sense));
            if let Some(l) = at {
                err = err.number("lba", f64::from(l.get()));
            }
            confirmed_lba(err, confirmed.0)
        }
        EngineError::NoSense {
            phase,
            command,
            confirmed,
        } => confirmed_lba(
            Error::new("drive", message)
                .text("phase", phase.to_string())
                .text("command", command),
            confirmed.0,
        ),
        EngineError::Transport {
            phase,
            command,
            confirmed,
            ..
        } => confirmed_lba(
            Error::new("transport", message)
                .text("phase", phase.to_string())
                .text("command", command),
            confirmed.0,
        ),
        EngineError::Reply { phase, command, .. } => Error::new("reply", message)
            .text("phase", phase.to_string())
            .text("command", command),
        EngineError::Source { lba, .. } => {
            Error::new("sourceRead", message).number("lba", f64::from(lba))
        }
        EngineError::Encode(_) => Error::new("encode", message),
        EngineError::Mismatch { lba, .. } => {
            Error::new("verifyMismatch", message).number("lba", f64::from(lba))
        }
        EngineError::VerifyIncomplete { lba, .. } => {
            Error::new("verifyIncomplete", message).number("lba", f64::from(lba))
        }
        EngineError::NotConfirmed { phase, .. } => {
            Error::new("notConfirmed", message).text("phase", phase.to_string())
        }
        EngineError::Cancelled(_) => Error::new("cancelled", message),
        _ => Error::new("burn", message),
    }
}

fn confirmed_lba(e: Error, lba: Option<layout::msf::Lba>) -> Error {
    match lba {
        Some(l) => e.number("lastWrittenLba", f64::from(l.get())),
        None => e,
    }
}

/// Time for the engine: the page's clock, or the virtual device's.
pub(crate) enum Clock {
    Real,
    Virtual(JsValue),
}

impl Clock {
    pub(crate) fn now(&self) -> Duration {
        let ms = match self {
            Clock::Real => js::get(&js_sys::global(), "performance")
                .dyn_into::<Object>()
                .ok()
                .and_then(|p| js::method(&p, "now").map(|f| (p, f)))
                .and_then(|(p, f)| f.call0(&p).ok())
                .and_then(|v| v.as_f64())
                .unwrap_or_else(js_sys::Date::now),
            Clock::Virtual(d) => call(d, "now", &[])
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0),
        };
        Duration::from_secs_f64(ms.max(0.0) / 1000.0)
    }

    pub(crate) async fn sleep_until(&self, t: Duration) {
        let ms = t.as_secs_f64() * 1000.0;
        match self {
            Clock::Real => {
                let wait = (t.saturating_sub(self.now()).as_secs_f64() * 1000.0).ceil();
                let _ = JsFuture::from(delay(wait)).await;
            }
            Clock::Virtual(d) => {
                let _ = call(d, "sleepUntil", &[ms.into()]);
            }
        }
    }
}

/// A promise resolving after `ms` milliseconds.
fn delay(ms: f64) -> Promise {
    Promise::new(&mut |resolve, _| {
        let set_timeout = js::method(&js_sys::global(), "setTimeout");
        match set_timeout {
            Some(f) => {
                let _ = f.call2(&JsValue::NULL, &resolve, &ms.into());
            }
            None => {
                let _ = resolve.call0(&JsValue::NULL);
            }
        }
    })
}

/// Calls `target[name](...args)`.
fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f = js::method(target, name)
        .ok_or_else(|| JsValue::from(js_sys::Error::new(&format!("the device has no {name}()"))))?;
    let list = js_sys::Array::new();
    for a in args {
        list.push(a);
    }
    f.apply(target, &list)
}

/// Awaits `target[name](...args)`.
async fn call_async(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let p = call(target, name, args)?;
    JsFuture::from(Promise::resolve(&p)).await
}

/// The device, its Bulk-Only interface and the host talking to it.
pub(crate) struct Usb {
    device: JsValue,
    interface: u8,
    host: BotHost,
    pub(crate) clock: Clock,
}

impl Usb {
    /// Opens `device`, finds its Bulk-Only interface and claims it.
    pub(crate) async fn open(device: JsValue) -> Result<Usb, Error> {
        let opening = |e: JsValue| Error::new("usbOpen", format!("WebUSB: {}", js::message(&e)));
        if js::get(&device, "opened").as_bool() != Some(true) {
            call_async(&device, "open", &[]).await.map_err(opening)?;
        }
        let mut configuration = js::get(&device, "configuration");
        if configuration.is_null() || configuration.is_undefined() {
            call_async(&device, "selectConfiguration", &[1.into()])
                .await
                .map_err(opening)?;
            configuration = js::get(&device, "configuration");
        }
        let config = bulk_only_interface(&configuration)?;
        call_async(&device, "claimInterface", &[config.interface.into()])
            .await
            .map_err(opening)?;
        let clock = if js::get(&device, "virtualClock").as_bool() == Some(true) {
            Clock::Virtual(device.clone())
        } else {
            Clock::Real
        };
        Ok(Usb {
            interface: config.interface,
            host: BotHost::new(config),
            device,
            clock,
        })
    }

    /// Releases the interface (errors ignored: the burn's outcome stands).
    pub(crate) async fn release(&mut self) {
        let _ = call_async(&self.device, "releaseInterface", &[self.interface.into()]).await;
    }

    /// Runs one SCSI command through the Bulk-Only host.
    pub(crate) async fn execute(&mut self, request: ScsiRequest) -> ScsiOutcome {
        self.host
            .submit(request)
            .map_err(|e| TransportError::Protocol(format!("request not sent: {e}")))?;
        loop {
            if let Some(outcome) = self.host.poll_outcome() {
                return outcome;
            }
            let Some(request) = self.host.poll_usb() else {
                return Err(TransportError::Protocol(
                    "the bulk-only host stopped without an outcome".into(),
                ));
            };
            let result = self.transfer(request).await;
            self.host.handle_usb(result);
        }
    }

    /// Makes one USB transfer.
    async fn transfer(&mut self, request: UsbRequest) -> UsbResult {
        let timeout = request.timeout();
        let ms = JsValue::from_f64(timeout.as_secs_f64() * 1000.0);
        let config = *self.host.config();
        let ((name, args), kind) = match &request {
            UsbRequest::BulkOut { data, .. } => {
                let bytes = Uint8Array::from(data.as_slice());
                (
                    (
                        "transferOut",
                        vec![(config.bulk_out & 0x0f).into(), bytes.into(), ms],
                    ),
                    Kind::Out,
                )
            }
            UsbRequest::BulkIn { len, .. } => (
                (
                    "transferIn",
                    vec![(config.bulk_in & 0x0f).into(), (*len as u32).into(), ms],
                ),
                Kind::In,
            ),
            UsbRequest::Control { setup, data_in, .. } => match control_call(setup, *data_in) {
                Some((name, args, kind)) => {
                    let mut args = args;
                    if name != "clearHalt" {
                        args.push(ms);
                    }
                    ((name, args), kind)
                }
                None => {
                    return UsbResult::Failed(format!(
                        "control request {:02x}h/{:02x}h has no WebUSB form",
                        setup.request_type, setup.request
                    ));
                }
            },
        };
        let promise = match call(&self.device, name, &args) {
            Ok(p) => Promise::resolve(&p),
            Err(e) => return UsbResult::Failed(js::message(&e)),
        };
        let outcome = match self.clock {
            Clock::Virtual(_) => JsFuture::from(promise).await.map(Some),
            Clock::Real => {
                // The transfer, or `undefined` once the timeout has passed.
                let timer = delay(timeout.as_secs_f64() * 1000.0);
                let race = Promise::race(&js_sys::Array::of2(&promise, &timer));
                JsFuture::from(race)
                    .await
                    .map(|v| (!v.is_undefined()).then_some(v))
            }
        };
        match outcome {
            Ok(Some(v)) => transfer_result(&v, kind),
            Ok(None) => {
                // WebUSB cannot cancel one transfer; a reset abandons them
                // all, so a late answer cannot land in the next command.
                let _ = call_async(&self.device, "reset", &[]).await;
                let _ = call_async(&self.device, "claimInterface", &[self.interface.into()]).await;
                UsbResult::Timeout
            }
            Err(e) => match js::get(&e, "name").as_string().as_deref() {
                Some("TimeoutError") => UsbResult::Timeout,
                Some("NotFoundError") => UsbResult::Disconnected,
                _ => UsbResult::Failed(js::message(&e)),
            },
        }
    }
}

/// What a transfer's promise resolves to.
#[derive(Clone, Copy)]
enum Kind {
    Out,
    In,
    Done,
}

/// The `UsbResult` of a settled transfer.
fn transfer_result(v: &JsValue, kind: Kind) -> UsbResult {
    match kind {
        Kind::Done => UsbResult::Out(0),
        Kind::Out | Kind::In => match js::get(v, "status").as_string().as_deref() {
            Some("ok") => match kind {
                Kind::Out => {
                    UsbResult::Out(js::get(v, "bytesWritten").as_f64().unwrap_or(0.0) as usize)
                }
                _ => {
                    let data = js::get(v, "data");
                    if data.is_undefined() || data.is_null() {
                        UsbResult::In(Vec::new())
                    } else {
                        match js::byte_view(&data) {
                            Some(b) => UsbResult::In(b.to_vec()),
                            None => UsbResult::Failed("transferIn returned no bytes".into()),
                        }
                    }
                }
            },
            Some("stall") => UsbResult::Stall,
            Some("babble") => UsbResult::Overflow,
            other => UsbResult::Failed(format!("transfer status {other:?}")),
        },
    }
}

/// The WebUSB call for a control request: its name, arguments and what it
/// resolves to.
fn control_call(setup: &SetupPacket, data_in: u16) -> Option<(&'static str, Vec<JsValue>, Kind)> {
    let kind = (setup.request_type >> 5) & 0x03;
    let recipient = setup.request_type & 0x1f;
    // CLEAR_FEATURE(ENDPOINT_HALT): WebUSB's own call.
    if kind == 0
        && recipient == 2
        && setup.request == mmc::wire::bot::CLEAR_FEATURE
        && setup.value == mmc::wire::bot::ENDPOINT_HALT
    {
        let endpoint = setup.index as u8;
        let direction = if endpoint & 0x80 != 0 { "in" } else { "out" };
        return Some((
            "clearHalt",
            vec![direction.into(), (endpoint & 0x0f).into()],
            Kind::Done,
        ));
    }
    let params = Object::new();
    js::set(
        &params,
        "requestType",
        &["standard", "class", "vendor"]
            .get(kind as usize)?
            .to_string()
            .into(),
    );
    js::set(
        &params,
        "recipient",
        &["device", "interface", "endpoint", "other"]
            .get(recipient as usize)?
            .to_string()
            .into(),
    );
    js::set(&params, "request", &setup.request.into());
    js::set(&params, "value", &setup.value.into());
    js::set(&params, "index", &setup.index.into());
    if setup.request_type & 0x80 != 0 {
        Some((
            "controlTransferIn",
            vec![params.into(), data_in.into()],
            Kind::In,
        ))
    } else {
        Some(("controlTransferOut", vec![params.into()], Kind::Out))
    }
}

/// The first Bulk-Only mass-storage interface of a WebUSB configuration.
fn bulk_only_interface(configuration: &JsValue) -> Result<BotConfig, Error> {
    let interfaces = js::get(configuration, "interfaces");
    let list: js_sys::Array = interfaces.dyn_into().unwrap_or_default();
    for interface in list.iter() {
        let alternate = js::get(&interface, "alternate");
        let class = js::get(&alternate, "interfaceClass").as_f64();
        let subclass = js::get(&alternate, "interfaceSubclass").as_f64();
        let protocol = js::get(&alternate, "interfaceProtocol").as_f64();
        if class != Some(8.0)
            || !matches!(subclass, Some(2.0 | 5.0 | 6.0))
            || protocol != Some(80.0)
        {
            continue;
        }
        let mut bulk_in = None;
        let mut bulk_out = None;
        let mut packet = 512;
        let endpoints: js_sys::Array = js::get(&alternate, "endpoints")
            .dyn_into()
            .unwrap_or_default();
        for e in endpoints.iter() {
            if js::get(&e, "type").as_string().as_deref() != Some("bulk") {
                continue;
            }
            let number = js::get(&e, "endpointNumber").as_f64().unwrap_or(0.0) as u8 & 0x0f;
            packet = js::get(&e, "packetSize").as_f64().unwrap_or(512.0) as usize;
            match js::get(&e, "direction").as_string().as_deref() {
                Some("in") => bulk_in = bulk_in.or(Some(0x80 | number)),
                Some("out") => bulk_out = bulk_out.or(Some(number)),
                _ => {}
            }
        }
        if let (Some(bulk_in), Some(bulk_out)) = (bulk_in, bulk_out) {
            return Ok(BotConfig {
                interface: js::get(&interface, "interfaceNumber")
                    .as_f64()
                    .unwrap_or(0.0) as u8,
                bulk_in,
                bulk_out,
                max_packet: packet,
                ..BotConfig::default()
            });
        }
    }
    Err(Error::new(
        "usbInterface",
        "the device has no USB mass-storage Bulk-Only interface (class 08h, subclass 02h/05h/06h, protocol 50h) with bulk endpoints",
    ))
}

/// The `speed` option: a whole number of 1x from 1, or "max" (`None`).
fn speed(o: &JsValue) -> Result<Option<u16>, Error> {
    let v = js::get(o, "speed");
    if v.as_string().as_deref() == Some("max") {
        return Ok(None);
    }
    let refused = || Error::argument("`speed` must be a whole number of 1x from 1, or \"max\"");
    match js::opt_u64(o, "speed").map_err(|_| refused())? {
        None => Ok(None),
        Some(0) => Err(refused()),
        // Past any CD drive's speed: the drive's fastest.
        Some(n) => Ok(Some(u16::try_from(n).unwrap_or(u16::MAX))),
    }
}

/// A sense as the package's errors give it: `key/ASC/ASCQ` ("3/0C/00").
pub(crate) fn sense_code(sense: mmc::wire::sense::Sense) -> String {
    format!(
        "{:x}/{:02X}/{:02X}",
        sense.key.code(),
        sense.asc,
        sense.ascq
    )
}
