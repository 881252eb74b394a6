//! Finding burners: every USB mass-storage interface on the bus becomes a
//! [`Candidate`]; [`probe`] opens one as far as it can and says what it
//! is (INQUIRY through the Bulk-Only host) or why it cannot be used.
//!
//! A kernel driver is taken from an interface only when the device is
//! known to be a CD/DVD drive, so that listing drives never pulls a
//! mounted disk or flash drive away from its filesystem: on Linux, sysfs
//! tells the SCSI device type without touching the device; elsewhere only
//! subclass 02h (the ATAPI/MMC command set) counts. Naming a device by id
//! overrides the rule (not the one about mounted discs, nor what sysfs
//! says it is).

use super::device::{ClaimError, ClaimedInterface};
use super::pipe::{RawUsb, RusbPipe};
use super::problem::{self, Os, Problem, Subject};
use super::sysfs::{self, InterfaceInfo};
use mmc::bot::{BotConfig, BotTransport, CONTROL_TIMEOUT};
use mmc::ops::{self, Identify, Op, OpError};
use mmc::scsi::{ScsiOutcome, ScsiRequest, Transport};
use mmc::wire::inquiry::InquiryRepr;
use rusb::{Context, Device, UsbContext};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

/// Interface class Mass Storage (`cd-standards.md` §7.1).
pub const CLASS_MASS_STORAGE: u8 = 0x08;
/// Interface protocol Bulk-Only.
pub const PROTOCOL_BULK_ONLY: u8 = 0x50;
/// Subclasses carrying MMC commands: SFF-8020i/MMC (02h), SFF-8070i (05h),
/// SCSI transparent (06h).
pub const OPTICAL_SUBCLASSES: [u8; 3] = [0x02, 0x05, 0x06];

/// The length ATAPI command sets (subclasses 02h and 05h) take every CDB
/// at: Linux pads shorter ones with zeros (`cd-standards.md` §7.1).
pub const ATAPI_CDB_LEN: usize = 12;

/// How long INQUIRY may take while probing (a drive answers it at once,
/// even while spinning up).
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The transport to a claimed drive.
pub type DriveTransport = BotTransport<RusbPipe<ClaimedInterface>>;

/// What rawburn knows about a USB mass-storage interface (the `drives`
/// listing and its JSON form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriveDescription {
    /// rawburn's id: bus number and port path ("1-4.2"), with ":N" for
    /// interface N when the device has several mass-storage interfaces.
    pub id: String,
    /// USB idVendor.
    pub vendor_id: u16,
    /// USB idProduct.
    pub product_id: u16,
    /// The device's manufacturer string.
    pub usb_vendor: Option<String>,
    /// The device's product string.
    pub usb_product: Option<String>,
    /// INQUIRY vendor.
    pub vendor: Option<String>,
    /// INQUIRY product.
    pub product: Option<String>,
    /// INQUIRY revision.
    pub revision: Option<String>,
    /// bInterfaceSubClass.
    pub subclass: u8,
    /// Whether rawburn can drive it.
    pub usable: bool,
    /// Why not.
    pub problem: Option<String>,
    /// What to do about it.
    pub fix: Option<String>,
    /// A remark for people (not in the JSON form).
    #[serde(skip)]
    pub note: Option<String>,
}

impl DriveDescription {
    /// "VENDOR PRODUCT REV" from INQUIRY, else the USB strings, else the
    /// USB ids.
    pub fn label(&self) -> String {
        let join = |parts: &[&Option<String>]| {
            parts
                .iter()
                .filter_map(|p| p.as_deref())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let inquiry = join(&[&self.vendor, &self.product, &self.revision]);
        if !inquiry.is_empty() {
            return inquiry;
        }
        let usb = join(&[&self.usb_vendor, &self.usb_product]);
        if !usb.is_empty() {
            return usb;
        }
        format!("USB device {:04x}:{:04x}", self.vendor_id, self.product_id)
    }

    fn fail(mut self, p: Problem) -> Probed {
        self.usable = false;
        self.problem = Some(p.problem);
        self.fix = p.fix;
        Probed {
            description: self,
            drive: None,
        }
    }
}

/// A mass-storage interface found on the bus, not opened yet.
#[derive(Debug)]
pub struct Candidate {
    device: Device<Context>,
    /// rawburn's id ([`DriveDescription::id`]).
    pub id: String,
    /// The bus number and port path ("1-4.2"), as Linux names the device.
    pub path: String,
    /// Bus number.
    pub bus: u8,
    /// Address on the bus.
    pub address: u8,
    /// idVendor.
    pub vendor_id: u16,
    /// idProduct.
    pub product_id: u16,
    /// bConfigurationValue of the configuration it was found in.
    pub config: u8,
    /// The interface and the alternate setting rawburn would use.
    pub setting: Setting,
}

impl Candidate {
    /// Whether `id` names this candidate: its id, or its path with the
    /// interface number ("1-4.2:0").
    pub fn answers_to(&self, id: &str) -> bool {
        self.id == id || format!("{}:{}", self.path, self.setting.interface) == id
    }

    fn description(&self) -> DriveDescription {
        DriveDescription {
            id: self.id.clone(),
            vendor_id: self.vendor_id,
            product_id: self.product_id,
            usb_vendor: None,
            usb_product: None,
            vendor: None,
            product: None,
            revision: None,
            subclass: self.setting.subclass,
            usable: false,
            problem: None,
            fix: None,
            note: None,
        }
    }
}

/// One alternate setting of an interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// bInterfaceNumber.
    pub interface: u8,
    /// bAlternateSetting.
    pub alt: u8,
    /// bInterfaceClass.
    pub class: u8,
    /// bInterfaceSubClass.
    pub subclass: u8,
    /// bInterfaceProtocol.
    pub protocol: u8,
    /// Its endpoints.
    pub endpoints: Vec<Endpoint>,
}

/// An endpoint of a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// bEndpointAddress (bit 7: IN).
    pub address: u8,
    /// A bulk endpoint.
    pub bulk: bool,
    /// wMaxPacketSize.
    pub max_packet: u16,
}

impl Setting {
    /// A Bulk-Only interface with a command set CD/DVD drives use.
    pub fn is_bulk_only(&self) -> bool {
        self.class == CLASS_MASS_STORAGE
            && self.protocol == PROTOCOL_BULK_ONLY
            && OPTICAL_SUBCLASSES.contains(&self.subclass)
    }

    /// The Bulk-Only configuration for LUN 0 of this interface.
    ///
    /// ## Errors
    ///
    /// A [`Problem`] when it is not a Bulk-Only interface rawburn can
    /// drive, or lacks one of its bulk endpoints.
    pub fn bot_config(&self) -> Result<BotConfig, Problem> {
        if !self.is_bulk_only() {
            return Err(problem::unsupported(self.subclass, self.protocol));
        }
        let bulk = |inward: bool| {
            self.endpoints
                .iter()
                .find(|e| e.bulk && (e.address & 0x80 != 0) == inward)
        };
        let (Some(bulk_in), Some(bulk_out)) = (bulk(true), bulk(false)) else {
            return Err(problem::no_endpoints());
        };
        Ok(BotConfig {
            lun: 0,
            interface: self.interface,
            bulk_in: bulk_in.address,
            bulk_out: bulk_out.address,
            // Bits 10–0; 12–11 count extra transactions of periodic
            // endpoints only.
            max_packet: usize::from(bulk_in.max_packet & 0x7ff),
            control_timeout: CONTROL_TIMEOUT,
        })
    }
}

/// The mass-storage interfaces among a configuration's settings, one per
/// interface number: its Bulk-Only setting when it has one (a UAS drive
/// offers Bulk-Only as setting 0), else its first mass-storage setting.
pub fn mass_storage(settings: &[Setting]) -> Vec<Setting> {
    let mut chosen: Vec<Setting> = Vec::new();
    for s in settings.iter().filter(|s| s.class == CLASS_MASS_STORAGE) {
        match chosen.iter_mut().find(|c| c.interface == s.interface) {
            Some(c) if !c.is_bulk_only() && s.is_bulk_only() => *c = s.clone(),
            Some(_) => {}
            None => chosen.push(s.clone()),
        }
    }
    chosen
}

/// "1-4.2": the bus number and the port numbers from the root hub, as
/// Linux names the device; "1@5" (bus and address) when the system does
/// not give the ports.
pub fn port_path(bus: u8, ports: &[u8], address: u8) -> String {
    if ports.is_empty() {
        return format!("{bus}@{address}");
    }
    let ports: Vec<String> = ports.iter().map(u8::to_string).collect();
    format!("{bus}-{}", ports.join("."))
}

/// Every mass-storage interface on the bus, sorted by id.
///
/// ## Errors
///
/// What libusb reports when it cannot list the devices.
pub fn enumerate(context: &Context) -> Result<Vec<Candidate>, rusb::Error> {
    let mut found = Vec::new();
    for device in context.devices()?.iter() {
        let Ok(descriptor) = device.device_descriptor() else {
            continue;
        };
        let Ok(config) = device
            .active_config_descriptor()
            .or_else(|_| device.config_descriptor(0))
        else {
            continue;
        };
        let settings: Vec<Setting> = config
            .interfaces()
            .flat_map(|i| i.descriptors())
            .map(|d| Setting {
                interface: d.interface_number(),
                alt: d.setting_number(),
                class: d.class_code(),
                subclass: d.sub_class_code(),
                protocol: d.protocol_code(),
                endpoints: d
                    .endpoint_descriptors()
                    .map(|e| Endpoint {
                        address: e.address(),
                        bulk: e.transfer_type() == rusb::TransferType::Bulk,
                        max_packet: e.max_packet_size(),
                    })
                    .collect(),
            })
            .collect();
        let chosen = mass_storage(&settings);
        let path = port_path(
            device.bus_number(),
            &device.port_numbers().unwrap_or_default(),
            device.address(),
        );
        let several = chosen.len() > 1;
        for setting in chosen {
            found.push(Candidate {
                id: if several {
                    format!("{path}:{}", setting.interface)
                } else {
                    path.clone()
                },
                path: path.clone(),
                bus: device.bus_number(),
                address: device.address(),
                vendor_id: descriptor.vendor_id(),
                product_id: descriptor.product_id(),
                config: config.number(),
                setting,
                device: device.clone(),
            });
        }
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(found)
}

/// Runs `request` on an interface of `subclass`, its CDB padded to 12
/// bytes for the ATAPI subclasses as Linux does.
pub fn execute<R: RawUsb>(
    transport: &mut BotTransport<RusbPipe<R>>,
    request: &ScsiRequest,
    subclass: u8,
) -> ScsiOutcome {
    if matches!(subclass, 0x02 | 0x05) && request.cdb.len() < ATAPI_CDB_LEN {
        let mut padded = request.clone();
        padded.cdb.resize(ATAPI_CDB_LEN, 0);
        return transport.execute(&padded);
    }
    transport.execute(request)
}

/// Why a candidate is being probed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// To list it: nothing is taken from a system driver that has it on
    /// Linux (sysfs says what it is).
    List,
    /// To use it; `named` when the user chose it by id.
    Open {
        /// Chosen by id: its driver may be detached even when rawburn
        /// cannot tell it is a CD/DVD drive.
        named: bool,
    },
}

/// What probing found, and the drive when it was opened.
#[derive(Debug)]
pub struct Probed {
    /// What rawburn knows.
    pub description: DriveDescription,
    /// The claimed drive, addressed to its CD/DVD LUN; dropping it gives
    /// the drive back to its system driver.
    pub drive: Option<DriveTransport>,
}

/// Opens `candidate` as far as `purpose` allows and says what it is:
/// a usable CD/DVD drive (claimed, for [`Purpose::Open`]) or why not.
pub fn probe(candidate: &Candidate, purpose: Purpose, os: Os) -> Probed {
    let mut d = candidate.description();
    let setting = &candidate.setting;
    let sysfs_interface = format!(
        "{}:{}.{}",
        candidate.path, candidate.config, setting.interface
    );
    let subject = Subject {
        id: &candidate.id,
        vendor_id: candidate.vendor_id,
        product_id: candidate.product_id,
        bus: candidate.bus,
        address: candidate.address,
        sysfs_interface: (os == Os::Linux).then_some(sysfs_interface.as_str()),
    };
    let sys = if os == Os::Linux {
        InterfaceInfo::read(
            Path::new(sysfs::USB_DEVICES),
            &candidate.path,
            candidate.config,
            setting.interface,
        )
    } else {
        InterfaceInfo::default()
    };
    d.usb_vendor = sys.manufacturer.clone();
    d.usb_product = sys.product.clone();
    if let Some(scsi) = sys.optical().or(sys.scsi.first()) {
        d.vendor = scsi.vendor.clone();
        d.product = scsi.model.clone();
        d.revision = scsi.revision.clone();
    }
    let config = match setting.bot_config() {
        Ok(c) => c,
        Err(p) => return d.fail(p),
    };
    // What the kernel made of it settles what it is.
    if let (Some(first), None) = (sys.scsi.first(), sys.optical()) {
        return d.fail(problem::not_optical(first.device_type));
    }
    if let Some(block) = sys.optical().and_then(|s| s.block.as_deref()) {
        let mounts = std::fs::read_to_string(sysfs::MOUNTS).unwrap_or_default();
        if let Some(at) = sysfs::mount_point(&mounts, block) {
            return d.fail(problem::mounted(block, &at));
        }
    }
    let handle = match candidate.device.open() {
        Ok(h) => h,
        Err(e) => return d.fail(problem::open_failed(e, os, &subject)),
    };
    if (d.usb_vendor.is_none() || d.usb_product.is_none())
        && let Ok(desc) = candidate.device.device_descriptor()
    {
        d.usb_vendor = d
            .usb_vendor
            .or_else(|| handle.read_manufacturer_string_ascii(&desc).ok());
        d.usb_product = d
            .usb_product
            .or_else(|| handle.read_product_string_ascii(&desc).ok());
    }
    let driver = sys.driver.as_deref();
    if purpose == Purpose::List && sys.optical().is_some() && driver.is_some() {
        // Known from sysfs, and openable: taking it from usb-storage just
        // to list it would make its /dev node vanish and come back.
        d.usable = true;
        d.note = problem::held_for_listing(os);
        return Probed {
            description: d,
            drive: None,
        };
    }
    let may_detach = match purpose {
        Purpose::Open { named: true } => true,
        _ if os == Os::Linux => sys.optical().is_some(),
        _ => setting.subclass == 0x02,
    };
    let claimed = match ClaimedInterface::claim(handle, setting.interface, setting.alt, may_detach)
    {
        Ok(c) => c,
        Err(e) => {
            let p = match e {
                ClaimError::DriverHeld => {
                    problem::driver_held(os, &subject, driver, setting.subclass)
                }
                ClaimError::Detach(e) => problem::detach_failed(e, os, &subject, driver),
                ClaimError::Claim(e) => problem::claim_failed(e, os, &subject),
            };
            return d.fail(p);
        }
    };
    identify(d, claimed, config)
}

/// Finds the CD/DVD LUN of a claimed interface with INQUIRY.
fn identify(mut d: DriveDescription, claimed: ClaimedInterface, config: BotConfig) -> Probed {
    let mut transport = BotTransport::new(RusbPipe::new(claimed, &config), config);
    // Linux takes the ATAPI subclasses (02h, 05h) as single-LUN
    // (`cd-standards.md` §7.1); only SCSI-transparent interfaces are asked
    // for their LUNs.
    let max_lun = if d.subclass == 0x06 {
        match transport.max_lun() {
            Ok(n) => n,
            Err(e) => return d.fail(problem::no_answer(&e)),
        }
    } else {
        0
    };
    let mut other_type = None;
    for lun in 0..=max_lun {
        if lun != 0 {
            transport = BotTransport::new(transport.into_pipe(), BotConfig { lun, ..config });
        }
        let (back, found) = inquiry(transport, d.subclass);
        transport = back;
        match found {
            Ok(repr) if repr.is_mmc() => {
                d.vendor = Some(repr.vendor).filter(|s| !s.is_empty());
                d.product = Some(repr.product).filter(|s| !s.is_empty());
                d.revision = Some(repr.revision).filter(|s| !s.is_empty());
                d.usable = true;
                return Probed {
                    description: d,
                    drive: Some(transport),
                };
            }
            Ok(repr) => {
                other_type.get_or_insert(repr.device_type);
            }
            Err(p) => return d.fail(p),
        }
    }
    d.fail(problem::not_optical(other_type.unwrap_or(0x1f)))
}

/// Standard INQUIRY data of the transport's LUN: `mmc::ops::Identify`
/// (asked twice when the first answer is a CHECK CONDITION), over the
/// transport with its CDBs padded for the subclass; the transport is
/// given back.
fn inquiry(
    transport: DriveTransport,
    subclass: u8,
) -> (DriveTransport, Result<InquiryRepr, Problem>) {
    let mut link = super::UsbLink::new(transport, subclass);
    let mut op = Op::new(Identify::new(Some(PROBE_TIMEOUT)));
    let result = ops::run(&mut op, &mut link, &mut |_| {}, &|| false).map_err(|e| match e {
        OpError::Transport { source, .. } => problem::no_answer(&source),
        OpError::Reply { why, .. } => Problem {
            problem: format!("its INQUIRY data cannot be read: {why}"),
            fix: None,
        },
        _ => Problem {
            problem: "the drive refuses INQUIRY".into(),
            fix: Some("unplug the drive and plug it in again, and check its power supply".into()),
        },
    });
    (link.into_transport(), result)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn setting(interface: u8, alt: u8, subclass: u8, protocol: u8) -> Setting {
        Setting {
            interface,
            alt,
            class: CLASS_MASS_STORAGE,
            subclass,
            protocol,
            endpoints: vec![
                Endpoint {
                    address: 0x81,
                    bulk: true,
                    max_packet: 512,
                },
                Endpoint {
                    address: 0x02,
                    bulk: true,
                    max_packet: 512,
                },
            ],
        }
    }

    #[test]
    fn bulk_only_settings_are_preferred() {
        let uas_first = [setting(0, 1, 0x06, 0x62), setting(0, 0, 0x06, 0x50)];
        assert_eq!(mass_storage(&uas_first), [setting(0, 0, 0x06, 0x50)]);
        let only_uas = [setting(0, 0, 0x06, 0x62)];
        assert_eq!(mass_storage(&only_uas), only_uas);
        let mut hid = setting(1, 0, 0x01, 0x01);
        hid.class = 0x03;
        let two = [
            setting(0, 0, 0x02, 0x50),
            hid,
            setting(2, 0, 0x06, 0x50),
            setting(2, 1, 0x06, 0x62),
        ];
        assert_eq!(
            mass_storage(&two),
            [setting(0, 0, 0x02, 0x50), setting(2, 0, 0x06, 0x50)]
        );
    }

    #[test]
    fn bot_configs() {
        let mut s = setting(3, 0, 0x05, 0x50);
        s.endpoints[0].address = 0x83;
        s.endpoints[1].max_packet = 64;
        s.endpoints[0].max_packet = 0x0840;
        let c = s.bot_config().unwrap();
        assert_eq!(
            (c.interface, c.bulk_in, c.bulk_out, c.max_packet, c.lun),
            (3, 0x83, 0x02, 64, 0)
        );
        assert!(
            setting(0, 0, 0x06, 0x62)
                .bot_config()
                .unwrap_err()
                .problem
                .contains("USB Attached SCSI")
        );
        let mut no_out = setting(0, 0, 0x06, 0x50);
        no_out.endpoints.pop();
        assert_eq!(no_out.bot_config().unwrap_err(), problem::no_endpoints());
    }

    #[test]
    fn atapi_interfaces_get_12_byte_cdbs() {
        use super::super::pipe::script::{Reply, Script};
        use mmc::wire::bot::{CbwRepr, CswRepr, CswStatus};
        let csw = |tag| {
            Reply::Data(
                CswRepr {
                    tag,
                    residue: 0,
                    status: CswStatus::Passed,
                }
                .to_bytes()
                .to_vec(),
            )
        };
        let script = Script::new(vec![Reply::Took(31), csw(1), Reply::Took(31), csw(2)]);
        let config = BotConfig::default();
        let mut t = BotTransport::new(RusbPipe::new(script, &config), config);
        let tur = ScsiRequest::none(&[0; 6]);
        assert!(execute(&mut t, &tur, 0x02).unwrap().is_good());
        assert!(execute(&mut t, &tur, 0x06).unwrap().is_good());
        let cbws: Vec<CbwRepr> = t
            .pipe()
            .raw()
            .written
            .iter()
            .map(|b| CbwRepr::parse(b).unwrap())
            .collect();
        assert_eq!(cbws[0].cdb(), [0; 12]);
        assert_eq!(cbws[1].cdb(), [0; 6]);
    }

    #[test]
    fn ids_are_bus_and_port_path() {
        assert_eq!(port_path(1, &[4, 2], 9), "1-4.2");
        assert_eq!(port_path(3, &[1], 2), "3-1");
        assert_eq!(port_path(2, &[], 5), "2@5");
    }

    #[test]
    fn labels() {
        let mut d = DriveDescription {
            id: "1-4".into(),
            vendor_id: 0x0e8d,
            product_id: 0x1887,
            usb_vendor: None,
            usb_product: None,
            vendor: None,
            product: None,
            revision: None,
            subclass: 6,
            usable: false,
            problem: None,
            fix: None,
            note: Some("not in json".into()),
        };
        assert_eq!(d.label(), "USB device 0e8d:1887");
        d.usb_product = Some("External".into());
        assert_eq!(d.label(), "External");
        d.vendor = Some("ASUS".into());
        d.product = Some("SDRW-08D2S-U".into());
        d.revision = Some("B901".into());
        assert_eq!(d.label(), "ASUS SDRW-08D2S-U B901");
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"id":"1-4","vendorId":3725,"productId":6279,"usbVendor":null,"usbProduct":"External","vendor":"ASUS","product":"SDRW-08D2S-U","revision":"B901","subclass":6,"usable":false,"problem":null,"fix":null}"#
        );
    }
}
