//! `media(device)`, `blank(device, options, onEvent)` and `eject(device)`
//! (with `tray(device, action)`): the drive operations of `mmc::ops`, the
//! same code `rawburn media`, `blank` and `eject` run, driven over WebUSB
//! or a `VirtualUsbDevice` as `burn` drives the write engine.

use crate::burn::{Callback, Usb, UsbDeviceLike};
use crate::error::Error;
use crate::js;
use js_sys::{Function, Promise};
use mmc::ops::{Blank, BlankKind, Inspect, Op, OpError, Operation, Steps, Tray, TrayAction};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A session of the disc, as `media` reports it. */
export interface SessionReport {
  /** Session number. */
  number: number;
  /** Its tracks. */
  tracks: TrackReport[];
  /** Where its lead-out starts (LBA). */
  leadOut: number;
}

/** A track of the disc, as `media` reports it. */
export interface TrackReport {
  /** Track number. */
  number: number;
  /** Where it starts (INDEX 01, LBA). */
  start: number;
  /** Its Q CONTROL nibble: 4 data, 0 audio (+1 pre-emphasis, +2 copy permitted, +8 four channels). */
  control: number;
}

/** The drive and its disc, as `rawburn media --json` prints them. */
export interface MediaReport {
  /** Vendor, product and revision, space-separated. */
  drive: string;
  /** INQUIRY vendor. */
  vendor: string;
  /** INQUIRY product. */
  product: string;
  /** INQUIRY revision. */
  revision: string;
  /** Whether a disc is in. */
  disc: boolean;
  /** With no disc: whether the tray is open. */
  trayOpen: boolean;
  /** Every profile the drive has (9: CD-R, 10: CD-RW, 8: CD-ROM, ...). */
  profiles: number[];
  /** "CD-R", "CD-RW", "CD-ROM" or "profile XXXXh" ("" without a disc). */
  media: string;
  /** The current profile. */
  profile: number;
  /** "blank", "appendable", "finalized" or "other" ("" without a disc). */
  status: string;
  /** An erasable disc (CD-RW). */
  erasable: boolean;
  /** Sessions (closed, plus an incomplete or empty last one). */
  sessions: number;
  /** The sessions the TOC lists, with their tracks. */
  sessionList: SessionReport[];
  /** On an appendable disc: [start of the last session, start of the next] (the -C values). */
  multisession: [number, number] | null;
  /** ATIP lead-in start, MM:SS:FF. */
  leadIn: string | null;
  /** ATIP last possible lead-out start, MM:SS:FF. */
  lastLeadOut: string | null;
  /** Sectors the program area holds. */
  capacity: number | null;
  /** Write speeds in multiples of 1x, fastest first. */
  writeSpeeds: number[];
  /** Write modes the drive offers for this disc. */
  writeModes: Array<"raw96r" | "raw96p" | "raw16" | "sao" | "tao">;
  /** TAO data block types offered. */
  taoDataBlockTypes: number[];
  /** Test write offered. */
  testWrite: boolean;
  /** Buffer underrun protection offered. */
  bufe: boolean;
  /** The drive reads CD-TEXT. */
  readsCdText: boolean;
  /** The CD-TEXT in the lead-in, as a project holds it; null when the disc has none (or the drive cannot read it). */
  cdText: CdText | null;
}

/** Options of `blank`. */
export interface BlankOptions {
  /** "minimal" (the default: the disc reads as blank in a minute or so), "full" (every sector) or "session" (the last one). */
  kind?: "minimal" | "full" | "session";
  /** Aborting it stops the erase if it has not begun; once begun, the drive finishes it. */
  signal?: AbortSignal;
}

/** A progress event of `blank` (and the other drive operations). */
export interface DriveEvent {
  /** The event schema version (the same as `BurnEvent`'s). */
  schema: 2;
  /** The operation. */
  operation: "inspect" | "blank" | "tray" | "read";
  /** What it is doing ("waiting": for the drive to become ready). */
  action: "starting" | "waiting" | "working" | "done" | "failed" | "cancelled";
  /** Progress from 0 to 1 where the drive reports it (blanking), never going back; else null. */
  fraction: number | null;
  /** Time since the operation began, milliseconds. */
  elapsedMs: number;
  /** Time left, once the progress gives a rate; else null. */
  remainingMs: number | null;
  /** Text for people. */
  message: string | null;
  /** Reading: the sector it is at (LBA); else null. */
  lba: number | null;
  /** Reading: sectors read so far; else null. */
  sectorsRead: number | null;
  /** Reading: sectors to read in all; else null. */
  sectorsTotal: number | null;
  /** Reading: the speed over the last seconds in multiples of 1x (75 sectors a second), once known; else null. */
  speed: number | null;
  /** Reading: sectors that needed more than one read so far; else null. */
  retries: number | null;
}

/** What `tray` does: open (letting the disc go first), close, lock or unlock the tray. */
export type TrayAction = "eject" | "load" | "lock" | "unlock";
"#;

#[wasm_bindgen]
extern "C" {
    /// Options of `blank`.
    #[wasm_bindgen(typescript_type = "BlankOptions")]
    pub type BlankOptions;
    /// The event callback of the drive operations.
    #[wasm_bindgen(typescript_type = "((event: DriveEvent) => void)")]
    pub type DriveEventCallback;
}

/// What the drive and its disc are and offer (`rawburn media --json`):
/// identity, profiles, media, disc state, sessions and tracks, the next
/// session's start on an appendable disc, ATIP capacity, write speeds and
/// modes. No disc is not an error: `disc` is false (and `trayOpen` says
/// whether the tray is open). Rejects with `notOptical`, `drive`,
/// `reply`, `transport`, `notReady`, `usbInterface` or `usbOpen`; through
/// a `CompanionDevice` (`rawburn media --json` run by the companion), with
/// `companion` and `companionConnection` too.
#[wasm_bindgen(unchecked_return_type = "Promise<MediaReport>")]
pub fn media(
    #[wasm_bindgen(unchecked_param_type = "UsbDeviceLike | CompanionDevice")] device: UsbDeviceLike,
) -> Promise {
    start(
        device.into(),
        Inspect::new(),
        JsValue::UNDEFINED,
        None,
        |m| crate::creator::to_js(&m),
    )
}

/// Erases a CD-RW (`rawburn blank`): minimal by default, `full`, or the
/// last `session`; `onEvent` gets the drive's progress. Resolves with the
/// disc as it was before the erase (a `MediaReport`). Rejects with
/// `noMedium`, `unsuitable` (not a CD-RW, or nothing to erase),
/// `cancelled` (only before the erase began), and the errors of `media`.
/// Through a `CompanionDevice` it runs `rawburn blank` as a job of the
/// companion, the events being that command's.
#[wasm_bindgen(unchecked_return_type = "Promise<MediaReport>")]
pub fn blank(
    #[wasm_bindgen(unchecked_param_type = "UsbDeviceLike | CompanionDevice")] device: UsbDeviceLike,
    options: Option<BlankOptions>,
    #[wasm_bindgen(js_name = onEvent)] on_event: Option<DriveEventCallback>,
) -> Promise {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    if let Err(e) = js::only(&options, &["kind", "signal"], "blank options") {
        return Promise::reject(&e.into());
    }
    let kind = match js::opt_string(&options, "kind") {
        Ok(None) => BlankKind::Minimal,
        Ok(Some(k)) if k == "minimal" => BlankKind::Minimal,
        Ok(Some(k)) if k == "full" => BlankKind::Full,
        Ok(Some(k)) if k == "session" => BlankKind::Session,
        _ => {
            return Promise::reject(
                &Error::argument("`kind` must be \"minimal\", \"full\" or \"session\"").into(),
            );
        }
    };
    let signal = js::get(&options, "signal");
    let on_event = on_event.map(|f| f.unchecked_into());
    start(device.into(), Blank::new(kind), signal, on_event, |m| {
        crate::creator::to_js(&m)
    })
}

/// Opens the tray, letting the disc go first (`rawburn eject`; through a
/// `CompanionDevice`, that command run as a job of the companion).
#[wasm_bindgen(unchecked_return_type = "Promise<void>")]
pub fn eject(
    #[wasm_bindgen(unchecked_param_type = "UsbDeviceLike | CompanionDevice")] device: UsbDeviceLike,
) -> Promise {
    start(
        device.into(),
        Tray::new(TrayAction::Eject),
        JsValue::UNDEFINED,
        None,
        |()| Ok(JsValue::UNDEFINED),
    )
}

/// Ejects, loads (closes the tray), locks (the eject button does nothing
/// until unlock) or unlocks (`rawburn tray`). Through a `CompanionDevice`,
/// "eject" only (the others reject with `companion`).
#[wasm_bindgen(unchecked_return_type = "Promise<void>")]
pub fn tray(
    #[wasm_bindgen(unchecked_param_type = "UsbDeviceLike | CompanionDevice")] device: UsbDeviceLike,
    #[wasm_bindgen(unchecked_param_type = "TrayAction")] action: String,
) -> Promise {
    let action = match action.as_str() {
        "eject" => TrayAction::Eject,
        "load" => TrayAction::Load,
        "lock" => TrayAction::Lock,
        "unlock" => TrayAction::Unlock,
        _ => {
            return Promise::reject(
                &Error::argument(format!(
                    "tray action `{action}`: expected eject, load, lock or unlock"
                ))
                .into(),
            );
        }
    };
    start(
        device.into(),
        Tray::new(action),
        JsValue::UNDEFINED,
        None,
        |()| Ok(JsValue::UNDEFINED),
    )
}

/// Runs `steps` on `device` in a promise, its output through `value`.
fn start<S, F>(
    device: JsValue,
    steps: S,
    signal: JsValue,
    on_event: Option<Function>,
    value: F,
) -> Promise
where
    S: Steps + 'static,
    F: FnOnce(S::Output) -> Result<JsValue, Error> + 'static,
{
    wasm_bindgen_futures::future_to_promise(async move {
        let mut usb = Usb::open(device).await?;
        let mut op = Op::new(steps);
        let mut callback = Callback::new(on_event, what(op.steps().operation()));
        let out = run(&mut usb, &mut op, &signal, &mut callback, &mut async |_| {
            true
        })
        .await;
        usb.release().await;
        callback.finish(out.and_then(value)).map_err(Into::into)
    })
}

/// What an operation is called in messages.
fn what(operation: Operation) -> &'static str {
    match operation {
        Operation::Inspect => "inspection",
        Operation::Blank => "erase",
        Operation::Tray => "tray operation",
        Operation::Read => "read",
    }
}

/// Runs `op` over `usb` to its end: its events to `on_event`, the signal
/// cancelling it, and `drain` called whenever it waits for its caller
/// (the sectors of a read); `drain` returning false cancels it.
///
/// ## Errors
///
/// The operation's error; a cancel by `signal` rejects as an `AbortError`
/// whose `cause` is the signal's `reason`.
pub(crate) async fn run<S: Steps>(
    usb: &mut Usb,
    op: &mut Op<S>,
    signal: &JsValue,
    on_event: &mut Callback,
    drain: &mut impl AsyncFnMut(&mut S) -> bool,
) -> Result<S::Output, Error> {
    op.start(usb.clock.now());
    let mut aborted = false;
    let mut stopped = false;
    let mut drained = false;
    loop {
        if !aborted && js::get(signal, "aborted").as_bool() == Some(true) {
            aborted = true;
            op.cancel();
        }
        while let Some(e) = op.poll_event() {
            on_event.emit(&e);
        }
        if let Some(request) = op.poll_transfer() {
            drained = false;
            let outcome = usb.execute(request).await;
            op.handle_completion(outcome, usb.clock.now());
            continue;
        }
        match op.poll_timeout() {
            Some(t) if !op.is_finished() => {
                usb.clock.sleep_until(t).await;
                op.handle_timeout(usb.clock.now());
            }
            _ if !op.is_finished() && !drained => {
                drained = true;
                if !drain(op.steps_mut()).await && !stopped {
                    stopped = true;
                    op.cancel();
                }
            }
            _ => break,
        }
    }
    while let Some(e) = op.poll_event() {
        on_event.emit(&e);
    }
    match op.outcome() {
        Some(Ok(out)) => Ok(out.clone()),
        Some(Err(e @ OpError::Cancelled(_))) if aborted => Err(op_error(e.clone())
            .name("AbortError")
            .value("cause", js::get(signal, "reason"))),
        Some(Err(e)) => Err(op_error(e.clone())),
        None => Err(Error::new(
            "reply",
            "the operation stopped without an outcome",
        )),
    }
}

/// The package's error for an operation's.
pub(crate) fn op_error(e: OpError) -> Error {
    let message = e.to_string();
    match e {
        OpError::NoDisc { .. } => Error::new("noMedium", message),
        OpError::NotOptical(_) => Error::new("notOptical", message),
        OpError::Unsuitable(_) => Error::new("unsuitable", message),
        OpError::Refused { command, sense } => Error::new("drive", message)
            .text("command", command)
            .text("sense", crate::burn::sense_code(sense)),
        OpError::Reply { command, .. } => Error::new("reply", message).text("command", command),
        OpError::Transport { command, .. } => {
            Error::new("transport", message).text("command", command)
        }
        OpError::NotReady(_) => Error::new("notReady", message),
        OpError::NotConfirmed(_) => Error::new("notConfirmed", message),
        OpError::Cancelled(_) => Error::new("cancelled", message),
        OpError::Unreadable { lba, why, .. } => {
            let e = Error::new("unreadable", message).text("sense", why);
            match lba {
                Some(lba) => e.number("lba", f64::from(lba)),
                None => e,
            }
        }
        _ => Error::new("drive", message),
    }
}
