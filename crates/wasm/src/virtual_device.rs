//! `VirtualUsbDevice`: the virtual recorder (`vdrive`) behind the shape of
//! a WebUSB `USBDevice`, so burning UIs can be built and tested with no
//! hardware, in the browser and in Node.
//!
//! The device is a USB Bulk-Only CD-R/RW recorder: interface 0 (class 08h,
//! subclass 06h, protocol 50h) with bulk IN endpoint 1 and bulk OUT
//! endpoint 2. Its disc lives in JavaScript buffers (see [`JsChunk`]). It
//! keeps virtual time: a transfer
//! the drive would make wait (a full buffer, a SYNCHRONIZE CACHE running)
//! moves the device's clock instead of the wall clock, so an 80-minute
//! burn at 48× takes as long as the computer needs to move the bytes.
//! `burn()` notices the virtual clock (`virtualClock`, `now()`,
//! `sleepUntil()`) and keeps its own time by it.
//!
//! Transfers take an optional third argument, a timeout in milliseconds
//! (WebUSB has none): a device that does not answer in time rejects with
//! an `Error` named `TimeoutError` once its clock has moved that far.

use crate::error::Error;
use crate::js;
use js_sys::{Array, DataView, Object, Promise, Uint8Array};
use layout::msf::Lba;
use mmc::bot::{PipeError, UsbPipe};
use mmc::wire::bot::SetupPacket;
use std::cell::{Cell, RefCell};
use std::time::Duration;
use vdrive::store::{ChunkBytes, ChunkStore, SectorStore};
use vdrive::{BulkOnly, FaultPlan, MediaKind, MediaSpec, Recorder, RecorderConfig, VirtualPipe};
use wasm_bindgen::prelude::*;

/// Bulk IN endpoint number.
const EP_IN: u8 = 1;
/// Bulk OUT endpoint number.
const EP_OUT: u8 = 2;
/// Timeout of a transfer that names none.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// Frame as stored: 2352 bytes of main channel, 96 of raw P-W.
const FRAME: usize = 2448;
const MAIN: usize = 2352;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Options of `new VirtualUsbDevice`. */
export interface VirtualUsbDeviceOptions {
  /** The blank disc in the drive: "cd-r" (the default) or "cd-rw". */
  media?: "cd-r" | "cd-rw";
  /** Its nominal length: 74, 80 (the default), 90 or 99 minutes. */
  minutes?: 74 | 80 | 90 | 99;
  /** A fault plan (the same JSON as `rawburn burn --faults`). */
  faults?: FaultPlanJson;
}

/** Faults the virtual recorder injects, each once (see "Fault plans" in the README). */
export interface FaultPlanJson {
  /** The faults, each fired at most once. */
  faults: FaultJson[];
}

/**
 * The MMC commands a fault may count, by name (the recorder takes any case,
 * and the name without "(10)" where a command has one form), or an operation
 * code such as "0x2a".
 */
export type FaultCommand =
  | "TEST UNIT READY" | "REQUEST SENSE" | "INQUIRY" | "START STOP UNIT"
  | "PREVENT ALLOW MEDIUM REMOVAL" | "WRITE(10)" | "SYNCHRONIZE CACHE(10)" | "READ TOC/PMA/ATIP"
  | "GET CONFIGURATION" | "READ DISC INFORMATION" | "READ TRACK INFORMATION" | "RESERVE TRACK"
  | "SEND OPC INFORMATION" | "MODE SELECT(10)" | "MODE SENSE(10)" | "CLOSE TRACK/SESSION"
  | "READ BUFFER CAPACITY" | "SEND CUE SHEET" | "BLANK" | "WRITE(12)" | "GET PERFORMANCE"
  | "SET CD SPEED" | "READ CD" | `0x${string}`;

/** Faults that fire on a command (`command`, `nth`). */
export type CommandFaultKind =
  /** The data stage's endpoint stalls; the command is not run; the CSW says it failed. */
  | "stallData"
  /** The command runs, then bulk IN stalls where the CSW should come. */
  | "stallCsw"
  /** The CSW reports a phase error (status 02h): reset recovery. */
  | "phaseError"
  /** The CSW carries another command's tag. */
  | "cswTag"
  /** The device stops answering until a Bulk-Only reset (the host times out). */
  | "noAnswer"
  /** The device leaves the bus for good. */
  | "disconnect"
  /** The CSW carries signature `n`. */
  | { cswSignature: number }
  /** A data-in reply is cut `n` bytes short (the residue says so). */
  | { shortData: number }
  /** A data-in reply is `n` bytes longer than asked (babble). */
  | { longData: number }
  /** The command fails with this sense key, ASC and ASCQ without running. */
  | { unitAttention: [number, number, number] };

/** Faults that fire when a WRITE reaches an LBA (`lba`). */
export type LbaFaultKind =
  /** The WRITE covering the LBA fails with 3/0C/00, information = the LBA. */
  | "mediumError"
  /** The WRITE covering it fails with 3/73/03 (power calibration area error). */
  | "powerCalibration"
  /** The buffer runs dry there: a write error (3/0C/09) without BUFE, a seamless link with it. */
  | "underrun";

/** One fault of a fault plan: on a command, or at an LBA. */
export type FaultJson =
  | {
      /** The command the trigger counts; every command when absent. */
      command?: FaultCommand;
      /** Which matching command, from 1 (1 unless given). */
      nth?: number;
      /** What happens. */
      fault: CommandFaultKind;
    }
  | {
      /** The LBA a WRITE must reach. */
      lba: number;
      /** What happens there. */
      fault: LbaFaultKind;
    };

/** A USB endpoint, as WebUSB describes it. */
export interface UsbEndpointLike {
  /** Endpoint number (1-15). */
  readonly endpointNumber: number;
  /** Transfer direction. */
  readonly direction: "in" | "out";
  /** Transfer type (Bulk-Only uses "bulk"). */
  readonly type: "bulk" | "interrupt" | "isochronous";
  /** Largest packet, bytes. */
  readonly packetSize: number;
}

/** An interface setting, as WebUSB describes it. */
export interface UsbAlternateInterfaceLike {
  /** Setting number. */
  readonly alternateSetting: number;
  /** Interface class (08h: mass storage). */
  readonly interfaceClass: number;
  /** Subclass (02h, 05h or 06h: MMC commands). */
  readonly interfaceSubclass: number;
  /** Protocol (50h: Bulk-Only). */
  readonly interfaceProtocol: number;
  /** Its endpoints. */
  readonly endpoints: readonly UsbEndpointLike[];
}

/** An interface, as WebUSB describes it. */
export interface UsbInterfaceLike {
  /** Interface number. */
  readonly interfaceNumber: number;
  /** The setting in use. */
  readonly alternate: UsbAlternateInterfaceLike;
  /** Every setting. */
  readonly alternates: readonly UsbAlternateInterfaceLike[];
  /** Whether this page claimed it. */
  readonly claimed: boolean;
}

/** A configuration, as WebUSB describes it. */
export interface UsbConfigurationLike {
  /** Configuration value. */
  readonly configurationValue: number;
  /** Its interfaces. */
  readonly interfaces: readonly UsbInterfaceLike[];
}

/** WebUSB's control transfer setup. */
export interface UsbControlTransferParameters {
  /** The request's type. */
  requestType: "standard" | "class" | "vendor";
  /** What it is addressed to. */
  recipient: "device" | "interface" | "endpoint" | "other";
  /** bRequest. */
  request: number;
  /** wValue. */
  value: number;
  /** wIndex. */
  index: number;
}

/** WebUSB's result of an IN transfer. */
export interface UsbInTransferResult {
  /** The bytes received (with status "ok"). */
  readonly data?: DataView;
  /** How the transfer ended. */
  readonly status: "ok" | "stall" | "babble";
}

/** WebUSB's result of an OUT transfer. */
export interface UsbOutTransferResult {
  /** Bytes sent. */
  readonly bytesWritten: number;
  /** How the transfer ended. */
  readonly status: "ok" | "stall";
}

/** What the virtual recorder's disc holds. */
export interface VirtualDiscState {
  /** The kind of disc. */
  media: "cd-r" | "cd-rw";
  /** Sectors the program area holds. */
  capacity: number;
  /** Blank, holding an open or closed session, closed for good, or spoilt. */
  status: "blank" | "appendable" | "finalized" | "damaged";
  /** Closed sessions. */
  sessions: number;
  /** Lead-out of the last closed session (LBA), when there is one. */
  leadout: number | null;
  /** Why the disc is unusable, when it is. */
  damaged: string | null;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// Options of `new VirtualUsbDevice`.
    #[wasm_bindgen(typescript_type = "VirtualUsbDeviceOptions")]
    pub type VirtualUsbDeviceOptions;
    /// A configuration.
    #[wasm_bindgen(typescript_type = "UsbConfigurationLike")]
    pub type UsbConfigurationValue;
    /// Control transfer parameters.
    #[wasm_bindgen(typescript_type = "UsbControlTransferParameters")]
    pub type UsbControlTransferParameters;
    /// Bytes for an OUT transfer.
    #[wasm_bindgen(typescript_type = "ArrayBuffer | ArrayBufferView")]
    pub type BufferSourceValue;
    /// The disc's state.
    #[wasm_bindgen(typescript_type = "VirtualDiscState")]
    pub type VirtualDiscStateValue;
    /// An endpoint's direction.
    #[wasm_bindgen(typescript_type = "\"in\" | \"out\"")]
    pub type UsbDirection;
}

/// Part of the virtual disc's frames in a JavaScript `Uint8Array`.
///
/// WebAssembly memory grows and never shrinks, so a disc kept in it (a
/// 3-minute audio disc is some 33 MB of frames) would stay taken for the
/// page's life after one burn. In JavaScript buffers the frames are
/// released by the garbage collector once the disc is blanked or the
/// device dropped, and WebAssembly memory holds only their bookkeeping.
#[derive(Debug)]
pub struct JsChunk(Uint8Array);

impl ChunkBytes for JsChunk {
    fn zeroed(len: usize) -> Self {
        JsChunk(Uint8Array::new_with_length(js_len(len)))
    }

    fn put(&mut self, at: usize, bytes: &[u8]) {
        self.0
            .subarray(js_len(at), js_len(at + bytes.len()))
            .copy_from(bytes);
    }

    fn get(&self, at: usize, out: &mut [u8]) {
        self.0
            .subarray(js_len(at), js_len(at + out.len()))
            .copy_to(out);
    }
}

/// A chunk offset as the `u32` typed arrays take (chunks are far smaller).
fn js_len(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The store of the virtual disc.
type DiscStore = ChunkStore<JsChunk>;

/// The virtual recorder as a WebUSB `USBDevice`.
#[wasm_bindgen]
pub struct VirtualUsbDevice {
    pipe: RefCell<VirtualPipe<DiscStore>>,
    opened: Cell<bool>,
    claimed: Cell<bool>,
}

#[wasm_bindgen]
impl VirtualUsbDevice {
    /// A recorder with a blank disc.
    ///
    /// ## Errors
    ///
    /// `invalidArgument` for unknown media or lengths, `faultPlan` for a
    /// fault plan that does not parse.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<VirtualUsbDeviceOptions>) -> Result<VirtualUsbDevice, Error> {
        let o: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        js::only(
            &o,
            &["media", "minutes", "faults"],
            "VirtualUsbDevice options",
        )?;
        let kind = match js::opt_string(&o, "media")?.as_deref() {
            None | Some("cd-r") => MediaKind::CdR,
            Some("cd-rw") => MediaKind::CdRw,
            Some(other) => {
                return Err(Error::argument(format!(
                    "media `{other}`: expected \"cd-r\" or \"cd-rw\""
                )));
            }
        };
        let minutes = js::opt_u64(&o, "minutes")?.unwrap_or(80);
        let spec = u8::try_from(minutes)
            .ok()
            .and_then(|m| MediaSpec::new(kind, m).ok())
            .ok_or_else(|| {
                Error::argument(format!("minutes {minutes}: expected 74, 80, 90 or 99"))
            })?;
        let mut recorder = Recorder::new(DiscStore::new(), RecorderConfig::default());
        recorder
            .insert_blank(spec)
            .map_err(|e| Error::new("virtualDevice", e.to_string()))?;
        let mut device = BulkOnly::new(recorder);
        let faults = js::get(&o, "faults");
        if !faults.is_undefined() && !faults.is_null() {
            check_fault_plan(&faults)?;
            let text = js_sys::JSON::stringify(&faults)
                .ok()
                .and_then(|s| s.as_string())
                .ok_or_else(|| Error::argument("faults: expected a JSON fault plan"))?;
            let plan = FaultPlan::from_json(&text)
                .map_err(|e| Error::new("faultPlan", format!("faults: {e}")))?;
            device.set_faults(plan);
        }
        Ok(VirtualUsbDevice {
            pipe: RefCell::new(VirtualPipe::new(device)),
            opened: Cell::new(false),
            claimed: Cell::new(false),
        })
    }

    /// USB vendor id.
    #[wasm_bindgen(getter, js_name = vendorId)]
    pub fn vendor_id(&self) -> u16 {
        0x1d6b
    }

    /// USB product id.
    #[wasm_bindgen(getter, js_name = productId)]
    pub fn product_id(&self) -> u16 {
        0xcd01
    }

    /// Manufacturer string.
    #[wasm_bindgen(getter, js_name = manufacturerName)]
    pub fn manufacturer_name(&self) -> String {
        "rawburn".to_string()
    }

    /// Product string.
    #[wasm_bindgen(getter, js_name = productName)]
    pub fn product_name(&self) -> String {
        "Virtual CD-RW recorder".to_string()
    }

    /// Serial number string.
    #[wasm_bindgen(getter, js_name = serialNumber)]
    pub fn serial_number(&self) -> String {
        "RAWBURN-VIRTUAL-1".to_string()
    }

    /// Whether `open()` was called.
    #[wasm_bindgen(getter)]
    pub fn opened(&self) -> bool {
        self.opened.get()
    }

    /// Its one configuration: a Bulk-Only mass-storage interface.
    #[wasm_bindgen(getter)]
    pub fn configuration(&self) -> UsbConfigurationValue {
        let endpoint = |number: u8, direction: &str| {
            let e = Object::new();
            js::set(&e, "endpointNumber", &number.into());
            js::set(&e, "direction", &direction.into());
            js::set(&e, "type", &"bulk".into());
            js::set(&e, "packetSize", &512.into());
            e
        };
        let alternate = Object::new();
        js::set(&alternate, "alternateSetting", &0.into());
        js::set(&alternate, "interfaceClass", &0x08.into());
        js::set(&alternate, "interfaceSubclass", &0x06.into());
        js::set(&alternate, "interfaceProtocol", &0x50.into());
        let endpoints = Array::of2(&endpoint(EP_IN, "in"), &endpoint(EP_OUT, "out"));
        js::set(&alternate, "endpoints", &endpoints);
        let interface = Object::new();
        js::set(&interface, "interfaceNumber", &0.into());
        js::set(&interface, "alternate", &alternate);
        js::set(&interface, "alternates", &Array::of1(&alternate));
        js::set(&interface, "claimed", &(self.claimed.get()).into());
        let configuration = Object::new();
        js::set(&configuration, "configurationValue", &1.into());
        js::set(&configuration, "interfaces", &Array::of1(&interface));
        configuration.unchecked_into()
    }

    /// Opens the device.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn open(&self) -> Promise {
        self.opened.set(true);
        Promise::resolve(&JsValue::UNDEFINED)
    }

    /// Closes the device (releasing its interface).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn close(&self) -> Promise {
        self.opened.set(false);
        self.claimed.set(false);
        Promise::resolve(&JsValue::UNDEFINED)
    }

    /// Selects configuration 1 (the only one).
    #[wasm_bindgen(js_name = selectConfiguration, unchecked_return_type = "Promise<void>")]
    pub fn select_configuration(&self, value: u8) -> Promise {
        settle(self.ready(false).and_then(|()| {
            if value == 1 {
                Ok(JsValue::UNDEFINED)
            } else {
                Err(dom_error(
                    "NotFoundError",
                    "the device has only configuration 1",
                ))
            }
        }))
    }

    /// Claims interface 0.
    #[wasm_bindgen(js_name = claimInterface, unchecked_return_type = "Promise<void>")]
    pub fn claim_interface(&self, number: u8) -> Promise {
        settle(self.ready(false).and_then(|()| {
            if number != 0 {
                return Err(dom_error(
                    "NotFoundError",
                    "the device has only interface 0",
                ));
            }
            self.claimed.set(true);
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// Releases interface 0.
    #[wasm_bindgen(js_name = releaseInterface, unchecked_return_type = "Promise<void>")]
    pub fn release_interface(&self, number: u8) -> Promise {
        settle(self.ready(false).map(|()| {
            if number == 0 {
                self.claimed.set(false);
            }
            JsValue::UNDEFINED
        }))
    }

    /// Selects alternate setting 0 (the only one).
    #[wasm_bindgen(js_name = selectAlternateInterface, unchecked_return_type = "Promise<void>")]
    pub fn select_alternate_interface(&self, number: u8, setting: u8) -> Promise {
        settle(self.ready(true).and_then(|()| {
            if number == 0 && setting == 0 {
                Ok(JsValue::UNDEFINED)
            } else {
                Err(dom_error(
                    "NotFoundError",
                    "the device has only interface 0, setting 0",
                ))
            }
        }))
    }

    /// Sends bytes to bulk OUT endpoint 2.
    #[wasm_bindgen(js_name = transferOut, unchecked_return_type = "Promise<UsbOutTransferResult>")]
    pub fn transfer_out(
        &self,
        #[wasm_bindgen(js_name = endpointNumber)] endpoint_number: u8,
        data: BufferSourceValue,
        #[wasm_bindgen(js_name = timeoutMs)] timeout_ms: Option<f64>,
    ) -> Promise {
        settle(self.endpoint(endpoint_number, EP_OUT).and_then(|()| {
            let bytes = js::byte_view(&data)
                .ok_or_else(|| dom_error("TypeError", "transferOut: data must be bytes"))?
                .to_vec();
            let r = self.pipe.borrow_mut().bulk_out(&bytes, timeout(timeout_ms));
            out_result(r.map(|n| n as f64))
        }))
    }

    /// Reads up to `length` bytes from bulk IN endpoint 1.
    #[wasm_bindgen(js_name = transferIn, unchecked_return_type = "Promise<UsbInTransferResult>")]
    pub fn transfer_in(
        &self,
        #[wasm_bindgen(js_name = endpointNumber)] endpoint_number: u8,
        length: u32,
        #[wasm_bindgen(js_name = timeoutMs)] timeout_ms: Option<f64>,
    ) -> Promise {
        settle(self.endpoint(endpoint_number, EP_IN).and_then(|()| {
            let r = self
                .pipe
                .borrow_mut()
                .bulk_in(length as usize, timeout(timeout_ms));
            in_result(r)
        }))
    }

    /// A control transfer with a data stage from the device (Get Max LUN).
    #[wasm_bindgen(js_name = controlTransferIn, unchecked_return_type = "Promise<UsbInTransferResult>")]
    pub fn control_transfer_in(
        &self,
        setup: UsbControlTransferParameters,
        length: u16,
        #[wasm_bindgen(js_name = timeoutMs)] timeout_ms: Option<f64>,
    ) -> Promise {
        settle(self.ready(true).and_then(|()| {
            let s = setup_packet(&setup, 0x80, length)?;
            let r = self.pipe.borrow_mut().control(&s, &[], timeout(timeout_ms));
            in_result(r)
        }))
    }

    /// A control transfer without data from the device (Bulk-Only reset).
    #[wasm_bindgen(js_name = controlTransferOut, unchecked_return_type = "Promise<UsbOutTransferResult>")]
    pub fn control_transfer_out(
        &self,
        setup: UsbControlTransferParameters,
        data: Option<BufferSourceValue>,
        #[wasm_bindgen(js_name = timeoutMs)] timeout_ms: Option<f64>,
    ) -> Promise {
        settle(self.ready(true).and_then(|()| {
            let bytes = data
                .and_then(|d| js::byte_view(&d))
                .map(|b| b.to_vec())
                .unwrap_or_default();
            let s = setup_packet(&setup, 0, bytes.len() as u16)?;
            let r = self
                .pipe
                .borrow_mut()
                .control(&s, &bytes, timeout(timeout_ms));
            out_result(r.map(|_| bytes.len() as f64))
        }))
    }

    /// Clears a halted endpoint (CLEAR_FEATURE(ENDPOINT_HALT)).
    #[wasm_bindgen(js_name = clearHalt, unchecked_return_type = "Promise<void>")]
    pub fn clear_halt(
        &self,
        direction: UsbDirection,
        #[wasm_bindgen(js_name = endpointNumber)] endpoint_number: u8,
    ) -> Promise {
        settle(self.ready(true).and_then(|()| {
            let address = match direction.as_string().as_deref().unwrap_or_default() {
                "in" => 0x80 | endpoint_number,
                "out" => endpoint_number,
                _ => {
                    return Err(dom_error(
                        "TypeError",
                        "clearHalt: direction is \"in\" or \"out\"",
                    ));
                }
            };
            let s = SetupPacket::clear_halt(address);
            match self.pipe.borrow_mut().control(&s, &[], DEFAULT_TIMEOUT) {
                Ok(_) => Ok(JsValue::UNDEFINED),
                Err(e) => Err(pipe_error(e)),
            }
        }))
    }

    /// A USB port reset: pending stalls and halts are cleared.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn reset(&self) -> Promise {
        settle(self.ready(false).and_then(|()| {
            let mut pipe = self.pipe.borrow_mut();
            for s in [
                SetupPacket::bulk_only_reset(0),
                SetupPacket::clear_halt(0x80 | EP_IN),
                SetupPacket::clear_halt(EP_OUT),
            ] {
                pipe.control(&s, &[], DEFAULT_TIMEOUT).map_err(pipe_error)?;
            }
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// Always true: the device keeps virtual time, which `burn()` follows.
    #[wasm_bindgen(getter, js_name = virtualClock)]
    pub fn virtual_clock(&self) -> bool {
        true
    }

    /// The device's clock, milliseconds since it was made.
    pub fn now(&self) -> f64 {
        self.pipe.borrow().now().as_secs_f64() * 1000.0
    }

    /// Moves the device's clock to `ms` (never back).
    #[wasm_bindgen(js_name = sleepUntil)]
    pub fn sleep_until(&self, ms: f64) {
        let t = Duration::from_secs_f64(ms.max(0.0) / 1000.0);
        self.pipe.borrow_mut().sleep_until(t);
    }

    /// What the disc holds.
    #[wasm_bindgen(js_name = discState)]
    pub fn disc_state(&self) -> VirtualDiscStateValue {
        let pipe = self.pipe.borrow();
        let state = Object::new();
        if let Some(d) = pipe.device().target().disc() {
            js::set(&state, "media", &d.media.kind.name().into());
            js::set(&state, "capacity", &d.media.capacity().into());
            let status = if d.damaged.is_some() {
                "damaged"
            } else if d.finalized {
                "finalized"
            } else if d.sessions.is_empty() && d.open.is_none() {
                "blank"
            } else {
                "appendable"
            };
            js::set(&state, "status", &status.into());
            js::set(&state, "sessions", &(d.sessions.len() as u32).into());
            let leadout = d.sessions.last().map(|s| s.layout.leadout.get());
            js::set(
                &state,
                "leadout",
                &leadout.map_or(JsValue::NULL, Into::into),
            );
            js::set(
                &state,
                "damaged",
                &d.damaged.clone().map_or(JsValue::NULL, Into::into),
            );
        }
        state.unchecked_into()
    }

    /// The main channel of `count` recorded sectors from `lba` as READ CD
    /// returns it (2352 bytes each, data sectors unscrambled), read from
    /// the disc directly rather than over USB.
    ///
    /// ## Errors
    ///
    /// `unrecorded` naming the first sector that holds nothing.
    #[wasm_bindgen(js_name = readSectors)]
    pub fn read_sectors(&self, lba: i32, count: u32) -> Result<Uint8Array, Error> {
        let mut pipe = self.pipe.borrow_mut();
        let store = pipe.device_mut().target_mut().store_mut();
        let mut out = Vec::with_capacity(count as usize * MAIN);
        let mut frame = [0u8; FRAME];
        for k in 0..count as i32 {
            let at = lba.saturating_add(k);
            let recorded = store
                .read_frame(Lba(at), &mut frame)
                .map_err(|e| Error::new("virtualDevice", e.to_string()))?;
            if !recorded {
                return Err(Error::new("unrecorded", format!("lba {at} holds nothing"))
                    .number("lba", f64::from(at)));
            }
            out.extend_from_slice(&frame[..MAIN]);
        }
        Ok(Uint8Array::from(out.as_slice()))
    }
}

impl VirtualUsbDevice {
    /// Open, and with `claimed`, interface 0 claimed; else the DOMException
    /// WebUSB gives.
    fn ready(&self, claimed: bool) -> Result<(), JsValue> {
        if !self.opened.get() {
            return Err(dom_error(
                "InvalidStateError",
                "the device must be opened first",
            ));
        }
        if claimed && !self.claimed.get() {
            return Err(dom_error(
                "InvalidStateError",
                "interface 0 must be claimed first",
            ));
        }
        Ok(())
    }

    fn endpoint(&self, number: u8, expected: u8) -> Result<(), JsValue> {
        self.ready(true)?;
        if number != expected {
            return Err(dom_error(
                "NotFoundError",
                &format!(
                    "endpoint {number} is not a bulk {} endpoint of interface 0",
                    if expected == EP_IN { "in" } else { "out" }
                ),
            ));
        }
        Ok(())
    }
}

/// Refuses unknown keys in a fault plan and its faults (vdrive refuses
/// them too, as `faultPlan`; here they are named as options are).
///
/// ## Errors
///
/// `invalidArgument` naming the key and the fault.
fn check_fault_plan(plan: &JsValue) -> Result<(), Error> {
    js::only(plan, &["faults"], "fault plan")?;
    let faults = js::get(plan, "faults");
    if let Some(list) = faults.dyn_ref::<Array>() {
        for (i, fault) in list.iter().enumerate() {
            if fault.is_object() {
                js::only(
                    &fault,
                    &["command", "nth", "lba", "fault"],
                    &format!("fault plan, fault {i}"),
                )?;
            }
        }
    }
    Ok(())
}

fn timeout(ms: Option<f64>) -> Duration {
    ms.filter(|m| m.is_finite() && *m >= 0.0)
        .map_or(DEFAULT_TIMEOUT, |m| Duration::from_secs_f64(m / 1000.0))
}

fn settle(r: Result<JsValue, JsValue>) -> Promise {
    match r {
        Ok(v) => Promise::resolve(&v),
        Err(e) => Promise::reject(&e),
    }
}

/// An `Error` with `name` set as a `DOMException` would have it.
fn dom_error(name: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    e.set_name(name);
    e.into()
}

fn pipe_error(e: PipeError) -> JsValue {
    match e {
        PipeError::Timeout => dom_error("TimeoutError", "the transfer timed out"),
        PipeError::Disconnected => dom_error("NotFoundError", "the device was disconnected"),
        other => dom_error(
            "NetworkError",
            &format!("a transfer error has occurred: {other}"),
        ),
    }
}

fn out_result(r: Result<f64, PipeError>) -> Result<JsValue, JsValue> {
    let o = Object::new();
    match r {
        Ok(n) => {
            js::set(&o, "bytesWritten", &n.into());
            js::set(&o, "status", &"ok".into());
        }
        Err(PipeError::Stall) => {
            js::set(&o, "bytesWritten", &0.into());
            js::set(&o, "status", &"stall".into());
        }
        Err(e) => return Err(pipe_error(e)),
    }
    Ok(o.into())
}

fn in_result(r: Result<Vec<u8>, PipeError>) -> Result<JsValue, JsValue> {
    let o = Object::new();
    match r {
        Ok(bytes) => {
            let buf = Uint8Array::from(bytes.as_slice()).buffer();
            js::set(&o, "data", &DataView::new(&buf, 0, bytes.len()));
            js::set(&o, "status", &"ok".into());
        }
        Err(PipeError::Stall) => js::set(&o, "status", &"stall".into()),
        Err(PipeError::Overflow) => js::set(&o, "status", &"babble".into()),
        Err(e) => return Err(pipe_error(e)),
    }
    Ok(o.into())
}

/// The SETUP packet of WebUSB's parameters; `direction` is 80h for IN.
fn setup_packet(p: &JsValue, direction: u8, length: u16) -> Result<SetupPacket, JsValue> {
    let bad = |what: &str| dom_error("TypeError", &format!("control transfer: {what}"));
    let kind = match js::get(p, "requestType").as_string().as_deref() {
        Some("standard") => 0,
        Some("class") => 1,
        Some("vendor") => 2,
        _ => return Err(bad("requestType is \"standard\", \"class\" or \"vendor\"")),
    };
    let recipient = match js::get(p, "recipient").as_string().as_deref() {
        Some("device") => 0,
        Some("interface") => 1,
        Some("endpoint") => 2,
        Some("other") => 3,
        _ => {
            return Err(bad(
                "recipient is \"device\", \"interface\", \"endpoint\" or \"other\"",
            ));
        }
    };
    let field = |key: &str, max: f64| {
        js::get(p, key)
            .as_f64()
            .filter(|v| v.fract() == 0.0 && (0.0..=max).contains(v))
            .ok_or_else(|| bad(&format!("{key} must be a whole number up to {max}")))
    };
    Ok(SetupPacket {
        request_type: direction | kind << 5 | recipient,
        request: field("request", 255.0)? as u8,
        value: field("value", 65535.0)? as u16,
        index: field("index", 65535.0)? as u16,
        length,
    })
}
