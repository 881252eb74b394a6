//! USB burners through rusb: finding them, opening them, and the
//! [`UsbLink`] the write engine runs on.
//!
//! ```text
//!   open(id) ─▶ Context::new ─▶ enumerate: class 08h, subclass 02h/05h/06h, protocol 50h
//!                               probe: open ─▶ detach the system driver ─▶ claim
//!                                      ─▶ Get Max LUN ─▶ INQUIRY: peripheral type 05h
//!   UsbLink = BotTransport<RusbPipe<ClaimedInterface>> + the system clock
//!             (mmc::scsi::Link; dropping it releases the interface and
//!             gives the drive back to its system driver)
//! ```
//!
//! - [`pipe`]: [`RawUsb`](pipe::RawUsb), the libusb calls the Bulk-Only
//!   host needs, and [`RusbPipe`](pipe::RusbPipe), the `mmc::bot::UsbPipe`
//!   over them (error mapping, partial transfers).
//! - [`device`]: the claimed interface, restored on drop.
//! - [`discover`]: candidates on the bus and what probing them found.
//! - [`problem`]: every failure as a problem and its fix, per system.
//! - [`sysfs`]: what Linux knows about an interface without touching it.
//!
//! rusb's global context panics where libusb cannot start (containers, CI
//! machines), so everything goes through a [`rusb::Context`] created here,
//! whose failure is the "no USB subsystem" error.

pub mod device;
pub mod discover;
pub mod pipe;
pub mod problem;
pub mod sysfs;

pub use discover::DriveDescription;

use crate::error::{CliError, ExitKind};
use device::ClaimedInterface;
use discover::{Candidate, Probed, Purpose};
use mmc::bot::BotTransport;
use mmc::scsi::{Clock, ScsiOutcome, ScsiRequest, Transport};
use pipe::{RawUsb, RusbPipe};
use problem::Os;
use std::time::{Duration, Instant};

/// An opened burner: the Bulk-Only transport to its CD/DVD LUN and the
/// system clock, so an [`mmc::scsi::Link`] for the blocking engine driver.
/// Dropping it releases the interface and reattaches the kernel driver
/// that was detached from it.
///
/// It is generic over the libusb calls for tests; a real drive's are a
/// [`ClaimedInterface`].
#[derive(Debug)]
pub struct UsbLink<R: RawUsb = ClaimedInterface> {
    transport: BotTransport<RusbPipe<R>>,
    /// bInterfaceSubClass (ATAPI interfaces get 12-byte CDBs).
    subclass: u8,
    start: Instant,
}

impl<R: RawUsb> UsbLink<R> {
    /// A link over `transport` to an interface of `subclass`, its clock
    /// starting now.
    pub fn new(transport: BotTransport<RusbPipe<R>>, subclass: u8) -> UsbLink<R> {
        UsbLink {
            transport,
            subclass,
            start: Instant::now(),
        }
    }

    /// The Bulk-Only transport.
    #[cfg(test)]
    pub fn transport(&self) -> &BotTransport<RusbPipe<R>> {
        &self.transport
    }

    /// The Bulk-Only transport, given back.
    pub fn into_transport(self) -> BotTransport<RusbPipe<R>> {
        self.transport
    }
}

impl<R: RawUsb> Transport for UsbLink<R> {
    fn execute(&mut self, request: &ScsiRequest) -> ScsiOutcome {
        discover::execute(&mut self.transport, request, self.subclass)
    }
}

impl<R: RawUsb> Clock for UsbLink<R> {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn sleep_until(&mut self, t: Duration) {
        let now = self.now();
        if t > now {
            std::thread::sleep(t - now);
        }
    }
}

/// Opens the burner `id` names ([`DriveDescription::id`], as `rawburn
/// drives` lists it), or without an id the only usable one.
///
/// ## Errors
///
/// A [`CliError`] with [`ExitKind::Drive`] when there is no USB subsystem,
/// no device with that id, no usable burner, or the drive cannot be
/// opened (the error says why and what to do: permissions, busy, WinUSB,
/// root); with [`ExitKind::Usage`] when there are several burners and no
/// id chose one.
pub fn open(id: Option<&str>) -> Result<(UsbLink, DriveDescription), CliError> {
    let os = Os::current();
    let context = context(os)?;
    let candidates = candidates(&context)?;
    match id {
        Some(id) => {
            let Some(candidate) = candidates.iter().find(|c| c.answers_to(id)) else {
                return Err(CliError::new(
                    ExitKind::Drive,
                    format!("no USB mass-storage device {id}"),
                )
                .caused_by(seen(&candidates)));
            };
            let probed = discover::probe(candidate, Purpose::Open { named: true }, os);
            match probed {
                Probed {
                    description,
                    drive: Some(drive),
                } => Ok((UsbLink::new(drive, description.subclass), description)),
                Probed { description, .. } => Err(refused(&description)),
            }
        }
        None => {
            let mut usable = Vec::new();
            let mut refused = Vec::new();
            for c in &candidates {
                match discover::probe(c, Purpose::Open { named: false }, os) {
                    Probed {
                        description,
                        drive: Some(drive),
                    } => usable.push((drive, description)),
                    Probed { description, .. } => refused.push(description),
                }
            }
            if usable.len() > 1 {
                let ids: Vec<String> = usable
                    .iter()
                    .map(|(_, d)| format!("{} ({})", d.id, d.label()))
                    .collect();
                return Err(CliError::new(
                    ExitKind::Usage,
                    "several burners are connected: choose one by its id",
                )
                .caused_by(format!("burners: {}", ids.join(", "))));
            }
            match usable.pop() {
                Some((drive, description)) => {
                    Ok((UsbLink::new(drive, description.subclass), description))
                }
                None => Err(none_usable(&refused)),
            }
        }
    }
}

/// A libusb context, or the "no USB subsystem" error.
///
/// ## Errors
///
/// [`ExitKind::Drive`]: libusb cannot start.
pub fn context(os: Os) -> Result<rusb::Context, CliError> {
    rusb::Context::new().map_err(|e| {
        let usbfs = std::path::Path::new("/dev/bus/usb").exists();
        problem::no_subsystem(e, os, usbfs)
    })
}

/// The mass-storage interfaces on the bus.
///
/// ## Errors
///
/// [`ExitKind::Drive`]: libusb cannot list the devices.
pub fn candidates(context: &rusb::Context) -> Result<Vec<Candidate>, CliError> {
    discover::enumerate(context).map_err(|e| {
        CliError::new(ExitKind::Drive, "cannot list the USB devices").caused_by(pipe::describe(e))
    })
}

/// The ids seen, for an error naming an unknown one.
fn seen(candidates: &[Candidate]) -> String {
    if candidates.is_empty() {
        return "no USB mass-storage device is connected".into();
    }
    let ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
    format!("USB mass-storage devices: {}", ids.join(", "))
}

/// The error for a drive that could not be opened.
fn refused(d: &DriveDescription) -> CliError {
    let problem = d.problem.as_deref().unwrap_or("it cannot be opened");
    let e = CliError::new(
        ExitKind::Drive,
        format!("cannot use {} ({}): {problem}", d.id, d.label()),
    );
    match &d.fix {
        Some(fix) => e.caused_by(format!("what to do: {fix}")),
        None => e,
    }
}

/// The error when no candidate (all `refused`) could be opened as a
/// burner.
fn none_usable(refused: &[DriveDescription]) -> CliError {
    if refused.is_empty() {
        return CliError::new(ExitKind::Drive, "no USB burner found").caused_by(
            "no USB mass-storage device is connected: plug the burner in and switch it on",
        );
    }
    let mut e = CliError::new(ExitKind::Drive, "no usable USB burner found");
    for d in refused {
        let problem = d.problem.as_deref().unwrap_or("it cannot be opened");
        let mut line = format!("{} ({}): {problem}", d.id, d.label());
        if let Some(fix) = &d.fix {
            line.push_str("; what to do: ");
            line.push_str(fix);
        }
        e = e.caused_by(line);
    }
    e
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::pipe::script::{Reply, Script};
    use super::*;
    use mmc::bot::BotConfig;
    use mmc::scsi::Link;
    use mmc::wire::bot::{CswRepr, CswStatus};

    fn description(id: &str, problem: Option<&str>, fix: Option<&str>) -> DriveDescription {
        DriveDescription {
            id: id.into(),
            vendor_id: 0x0e8d,
            product_id: 0x1887,
            usb_vendor: None,
            usb_product: None,
            vendor: Some("ASUS".into()),
            product: Some("SDRW-08D2S-U".into()),
            revision: None,
            subclass: 6,
            usable: problem.is_none(),
            problem: problem.map(Into::into),
            fix: fix.map(Into::into),
            note: None,
        }
    }

    /// Runs a command through anything that is a [`Link`].
    fn test_unit_ready(link: &mut impl Link) -> bool {
        let start = link.now();
        link.sleep_until(start + Duration::from_millis(2));
        assert!(link.now() >= start + Duration::from_millis(2));
        link.execute(&ScsiRequest::none(&[0; 6])).unwrap().is_good()
    }

    #[test]
    fn a_usb_link_is_a_link() {
        let csw = CswRepr {
            tag: 1,
            residue: 0,
            status: CswStatus::Passed,
        };
        let script = Script::new(vec![Reply::Took(31), Reply::Data(csw.to_bytes().to_vec())]);
        let config = BotConfig::default();
        let transport = BotTransport::new(RusbPipe::new(script, &config), config);
        let mut link = UsbLink::new(transport, 0x06);
        assert!(test_unit_ready(&mut link));
        assert_eq!(link.transport().host().tag(), 1);
        // The clock does not go back.
        let now = link.now();
        link.sleep_until(Duration::ZERO);
        assert!(link.now() >= now);
    }

    #[test]
    fn open_errors() {
        let e = refused(&description(
            "1-4",
            Some("permission denied opening /dev/bus/usb/001/004"),
            Some("run rawburn as root"),
        ));
        assert_eq!(e.kind, ExitKind::Drive);
        assert_eq!(
            e.to_string(),
            "error: cannot use 1-4 (ASUS SDRW-08D2S-U): permission denied opening \
             /dev/bus/usb/001/004\n  caused by: what to do: run rawburn as root"
        );
        let e = none_usable(&[]);
        assert_eq!(
            (e.kind, e.headline.as_str()),
            (ExitKind::Drive, "no USB burner found")
        );
        let e = none_usable(&[
            description("1-4", Some("busy: x"), Some("close y")),
            description("2-1", Some("not a CD/DVD drive"), None),
        ]);
        assert_eq!(e.headline, "no usable USB burner found");
        assert_eq!(
            e.causes,
            [
                "1-4 (ASUS SDRW-08D2S-U): busy: x; what to do: close y",
                "2-1 (ASUS SDRW-08D2S-U): not a CD/DVD drive"
            ]
        );
    }

    /// Only where libusb cannot start: elsewhere `open` would take a real
    /// burner from its driver.
    #[test]
    fn open_without_a_usb_subsystem() {
        let usb = !cfg!(target_os = "linux") || std::path::Path::new("/dev/bus/usb").exists();
        if usb {
            return;
        }
        for id in [None, Some("1-4.2")] {
            let e = open(id).unwrap_err();
            assert_eq!(e.kind, ExitKind::Drive);
            assert_eq!(
                e.headline,
                "no USB subsystem: libusb cannot start (unknown libusb error)"
            );
        }
    }
}
