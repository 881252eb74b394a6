//! A claimed interface of an open rusb device, restored on drop: the
//! interface is released and a kernel driver that was detached from it is
//! attached again, whatever path the program takes out.

use super::pipe::{RawUsb, describe};
use mmc::wire::bot::SetupPacket;
use rusb::{Context, DeviceHandle};
use std::time::Duration;

/// The calls on an open device that claiming and restoring an interface
/// make (rusb's [`DeviceHandle`]; a recording fake in tests).
pub trait DeviceAccess {
    /// Whether a kernel driver is bound to `interface`.
    ///
    /// ## Errors
    ///
    /// `NotSupported` where the system cannot tell (Windows), `NoDevice`.
    fn kernel_driver_active(&self, interface: u8) -> rusb::Result<bool>;
    /// Unbinds the kernel driver from `interface`.
    ///
    /// ## Errors
    ///
    /// `Access` (macOS without root), `NotFound`, `NoDevice`, ...
    fn detach_kernel_driver(&self, interface: u8) -> rusb::Result<()>;
    /// Binds the kernel driver to `interface` again.
    ///
    /// ## Errors
    ///
    /// `Busy` while the interface is claimed, `NoDevice`, ...
    fn attach_kernel_driver(&self, interface: u8) -> rusb::Result<()>;
    /// Claims `interface`.
    ///
    /// ## Errors
    ///
    /// `Busy` when another program has it, `Access`, `NoDevice`, ...
    fn claim_interface(&self, interface: u8) -> rusb::Result<()>;
    /// Releases `interface`.
    ///
    /// ## Errors
    ///
    /// `NotFound` when it was not claimed, `NoDevice`.
    fn release_interface(&self, interface: u8) -> rusb::Result<()>;
    /// Selects alternate setting `setting` of `interface`.
    ///
    /// ## Errors
    ///
    /// `NotFound` for a setting that does not exist, `NoDevice`, ...
    fn set_alternate_setting(&self, interface: u8, setting: u8) -> rusb::Result<()>;
}

impl DeviceAccess for DeviceHandle<Context> {
    fn kernel_driver_active(&self, interface: u8) -> rusb::Result<bool> {
        DeviceHandle::kernel_driver_active(self, interface)
    }
    fn detach_kernel_driver(&self, interface: u8) -> rusb::Result<()> {
        DeviceHandle::detach_kernel_driver(self, interface)
    }
    fn attach_kernel_driver(&self, interface: u8) -> rusb::Result<()> {
        DeviceHandle::attach_kernel_driver(self, interface)
    }
    fn claim_interface(&self, interface: u8) -> rusb::Result<()> {
        DeviceHandle::claim_interface(self, interface)
    }
    fn release_interface(&self, interface: u8) -> rusb::Result<()> {
        DeviceHandle::release_interface(self, interface)
    }
    fn set_alternate_setting(&self, interface: u8, setting: u8) -> rusb::Result<()> {
        DeviceHandle::set_alternate_setting(self, interface, setting)
    }
}

/// One interface of an open device, claimed for rawburn.
#[derive(Debug)]
pub struct ClaimedInterface<H: DeviceAccess = DeviceHandle<Context>> {
    handle: H,
    interface: u8,
    /// The interface is claimed (release it on drop).
    claimed: bool,
    /// A kernel driver was detached (attach it again on drop).
    reattach: bool,
}

/// Why an interface could not be claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimError {
    /// A kernel driver holds it and the caller did not allow detaching it.
    DriverHeld,
    /// The kernel driver could not be detached.
    Detach(rusb::Error),
    /// Claiming (or selecting its alternate setting) failed.
    Claim(rusb::Error),
}

impl<H: DeviceAccess> ClaimedInterface<H> {
    /// Claims `interface` of `handle` and selects `alt_setting`. A kernel
    /// driver bound to it is detached first when `may_detach` (and
    /// attached again when the claim is dropped, or when claiming fails).
    ///
    /// ## Errors
    ///
    /// [`ClaimError::DriverHeld`] when a driver holds the interface and
    /// `may_detach` is false; [`ClaimError::Detach`] when detaching it
    /// failed (`Access` on macOS without root); [`ClaimError::Claim`] when
    /// claiming failed (`Busy`: another program has it; `NoDevice`).
    pub fn claim(
        handle: H,
        interface: u8,
        alt_setting: u8,
        may_detach: bool,
    ) -> Result<ClaimedInterface<H>, ClaimError> {
        let mut claim = ClaimedInterface {
            handle,
            interface,
            claimed: false,
            reattach: false,
        };
        match claim.handle.kernel_driver_active(interface) {
            Ok(true) if !may_detach => return Err(ClaimError::DriverHeld),
            Ok(true) => {
                claim
                    .handle
                    .detach_kernel_driver(interface)
                    .map_err(ClaimError::Detach)?;
                claim.reattach = true;
            }
            Err(rusb::Error::NoDevice) => return Err(ClaimError::Claim(rusb::Error::NoDevice)),
            // No driver; or the system cannot tell (Windows): claiming
            // says whether the interface is free.
            Ok(false) | Err(_) => {}
        }
        claim
            .handle
            .claim_interface(interface)
            .map_err(ClaimError::Claim)?;
        claim.claimed = true;
        if alt_setting != 0 {
            claim
                .handle
                .set_alternate_setting(interface, alt_setting)
                .map_err(ClaimError::Claim)?;
        }
        Ok(claim)
    }
}

impl<H: DeviceAccess> Drop for ClaimedInterface<H> {
    fn drop(&mut self) {
        if self.claimed {
            // Errors only mean it is released already (or gone).
            let _ = self.handle.release_interface(self.interface);
        }
        if self.reattach {
            match self.handle.attach_kernel_driver(self.interface) {
                Ok(()) | Err(rusb::Error::NoDevice) => {}
                Err(e) => eprintln!(
                    "warning: the drive could not be given back to its system driver ({}): \
                     unplug it and plug it in again",
                    describe(e)
                ),
            }
        }
    }
}

impl RawUsb for ClaimedInterface {
    fn write_bulk(
        &mut self,
        endpoint: u8,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, rusb::Error> {
        self.handle.write_bulk(endpoint, data, timeout)
    }

    fn read_bulk(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<usize, rusb::Error> {
        self.handle.read_bulk(endpoint, buf, timeout)
    }

    fn read_control(
        &mut self,
        setup: &SetupPacket,
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<usize, rusb::Error> {
        self.handle.read_control(
            setup.request_type,
            setup.request,
            setup.value,
            setup.index,
            buf,
            timeout,
        )
    }

    fn write_control(
        &mut self,
        setup: &SetupPacket,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, rusb::Error> {
        self.handle.write_control(
            setup.request_type,
            setup.request,
            setup.value,
            setup.index,
            data,
            timeout,
        )
    }

    fn clear_halt(&mut self, endpoint: u8) -> Result<(), rusb::Error> {
        self.handle.clear_halt(endpoint)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// A device recording the calls made on it, failing those it is told
    /// to.
    #[derive(Debug, Clone)]
    struct Fake {
        driver: rusb::Result<bool>,
        fail: Vec<(&'static str, rusb::Error)>,
        calls: Rc<RefCell<Vec<String>>>,
    }

    impl Fake {
        fn new(driver: rusb::Result<bool>) -> Fake {
            Fake {
                driver,
                fail: Vec::new(),
                calls: Rc::default(),
            }
        }

        fn failing(mut self, call: &'static str, e: rusb::Error) -> Fake {
            self.fail.push((call, e));
            self
        }

        fn call(&self, name: &'static str, interface: u8) -> rusb::Result<()> {
            self.calls.borrow_mut().push(format!("{name} {interface}"));
            match self.fail.iter().find(|(n, _)| *n == name) {
                Some((_, e)) => Err(*e),
                None => Ok(()),
            }
        }

        fn calls(&self) -> Vec<String> {
            self.calls.borrow().clone()
        }
    }

    impl DeviceAccess for Fake {
        fn kernel_driver_active(&self, interface: u8) -> rusb::Result<bool> {
            self.call("active?", interface)?;
            self.driver
        }
        fn detach_kernel_driver(&self, interface: u8) -> rusb::Result<()> {
            self.call("detach", interface)
        }
        fn attach_kernel_driver(&self, interface: u8) -> rusb::Result<()> {
            self.call("attach", interface)
        }
        fn claim_interface(&self, interface: u8) -> rusb::Result<()> {
            self.call("claim", interface)
        }
        fn release_interface(&self, interface: u8) -> rusb::Result<()> {
            self.call("release", interface)
        }
        fn set_alternate_setting(&self, interface: u8, _: u8) -> rusb::Result<()> {
            self.call("alt", interface)
        }
    }

    #[test]
    fn a_detached_driver_comes_back_after_the_release() {
        let fake = Fake::new(Ok(true));
        let claim = ClaimedInterface::claim(fake.clone(), 1, 0, true).unwrap();
        assert_eq!(fake.calls(), ["active? 1", "detach 1", "claim 1"]);
        drop(claim);
        assert_eq!(
            fake.calls(),
            ["active? 1", "detach 1", "claim 1", "release 1", "attach 1"]
        );
    }

    #[test]
    fn a_held_interface_is_left_alone() {
        let fake = Fake::new(Ok(true));
        assert_eq!(
            ClaimedInterface::claim(fake.clone(), 0, 0, false).unwrap_err(),
            ClaimError::DriverHeld
        );
        assert_eq!(fake.calls(), ["active? 0"]);
        let fake = Fake::new(Ok(true)).failing("detach", rusb::Error::Access);
        assert_eq!(
            ClaimedInterface::claim(fake.clone(), 0, 0, true).unwrap_err(),
            ClaimError::Detach(rusb::Error::Access)
        );
        assert_eq!(fake.calls(), ["active? 0", "detach 0"]);
    }

    #[test]
    fn failing_to_claim_gives_the_driver_back() {
        let fake = Fake::new(Ok(true)).failing("claim", rusb::Error::Busy);
        assert_eq!(
            ClaimedInterface::claim(fake.clone(), 0, 0, true).unwrap_err(),
            ClaimError::Claim(rusb::Error::Busy)
        );
        assert_eq!(
            fake.calls(),
            ["active? 0", "detach 0", "claim 0", "attach 0"]
        );
        // A bad alternate setting: released, then given back.
        let fake = Fake::new(Ok(true)).failing("alt", rusb::Error::NotFound);
        assert_eq!(
            ClaimedInterface::claim(fake.clone(), 0, 1, true).unwrap_err(),
            ClaimError::Claim(rusb::Error::NotFound)
        );
        assert_eq!(
            fake.calls(),
            [
                "active? 0",
                "detach 0",
                "claim 0",
                "alt 0",
                "release 0",
                "attach 0"
            ]
        );
    }

    #[test]
    fn no_driver_or_no_way_to_tell() {
        for driver in [Ok(false), Err(rusb::Error::NotSupported)] {
            let fake = Fake::new(driver);
            drop(ClaimedInterface::claim(fake.clone(), 2, 0, false).unwrap());
            assert_eq!(fake.calls(), ["active? 2", "claim 2", "release 2"]);
        }
        let fake = Fake::new(Err(rusb::Error::NoDevice));
        assert_eq!(
            ClaimedInterface::claim(fake.clone(), 0, 0, true).unwrap_err(),
            ClaimError::Claim(rusb::Error::NoDevice)
        );
    }
}
