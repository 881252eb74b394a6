//! `mmc`: how rawburn talks to CD recorders, with no I/O of its own.
//!
//! - [`scsi`]: the command level every transport speaks (request, status
//!   with auto-sense, transport errors).
//! - [`bot`]: the host side of USB Bulk-Only, carrying those commands in
//!   CBWs and CSWs with auto-sense, halt clearing and reset recovery; a
//!   state machine, and a blocking transport over a small pipe trait.
//! - [`engine`]: the write engine that burns a `layout` plan (sans-IO),
//!   with a blocking driver.
//! - [`ops`]: every other drive operation (inspect, blank, the tray) in
//!   the engine's grammar, with its retry policy and a blocking driver.
//! - [`wire`]: every byte format on the way to and from a drive. USB
//!   Bulk-Only framing (CBW, CSW, class requests) and SCSI/MMC CDBs, their
//!   parameter data and replies, each as a checked view over bytes plus a
//!   plain value with `parse`/`emit` (the smoltcp Packet/Repr style).
//!
//! Nothing here opens a device, sleeps or spawns a thread: callers move the
//! bytes (rusb natively, WebUSB in the browser, the virtual recorder in
//! tests) and pass the results back in.
#![forbid(unsafe_code)]

pub mod bot;
pub mod engine;
pub mod ops;
pub mod scsi;
pub mod wire;
