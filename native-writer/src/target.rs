//! The drive a command works on: a burner the Linux kernel owns (through
//! `SG_IO`) or Windows owns (through SPTI), a USB burner (through
//! libusb), or the virtual recorder with its disc in a `.vdisc` file.

use crate::error::{CliError, ExitKind};
use crate::vdisc::{Access, FileError, FileStore};
use mmc::bot::{BotConfig, BotTransport};
use mmc::scsi::Link;
use std::path::{Path, PathBuf};
use vdrive::pipe::VirtualPipe;
use vdrive::{BulkOnly, FaultPlan, Recorder, RecorderConfig};

/// Which drive to use, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    /// A USB drive's id (`rawburn drives` lists them).
    pub drive: Option<String>,
    /// A virtual disc file for the virtual recorder.
    pub virtual_disc: Option<PathBuf>,
    /// A fault plan for the virtual recorder.
    pub faults: Option<PathBuf>,
    /// What the command does with a virtual disc: a command that only
    /// reads opens it read-only, beside other readers.
    pub access: Access,
}

impl Choice {
    /// The same drive, for a command that does not write to the disc.
    pub fn reading(self) -> Choice {
        Choice {
            access: Access::Read,
            ..self
        }
    }
}

/// The virtual recorder over its Bulk-Only interface.
pub type VirtualLink = BotTransport<VirtualPipe<FileStore>>;

/// An open drive.
pub enum Opened {
    /// The virtual recorder.
    Virtual {
        /// The link to it.
        link: Box<VirtualLink>,
        /// Its disc file.
        path: PathBuf,
    },
    /// A USB burner.
    Usb {
        /// The link to it.
        link: Box<crate::usb::UsbLink>,
        /// What it is, for messages.
        label: String,
    },
    /// A burner the kernel owns.
    #[cfg(target_os = "linux")]
    Sg {
        /// The link to it.
        link: Box<crate::sg::SgLink<crate::sg::ioctl::SgFile>>,
        /// What it is and its node, for messages.
        label: String,
        /// Where its disc is mounted.
        mounted_at: Option<String>,
    },
    /// A burner Windows owns.
    #[cfg(windows)]
    Spti {
        /// The link to it (its volume locked while a command writes).
        link: Box<crate::spti::SptiLink<crate::spti::ioctl::SptiHandle>>,
        /// What it is and its id, for messages.
        label: String,
    },
}

impl Opened {
    /// The drive as a transport with its clock.
    pub fn link(&mut self) -> &mut dyn Link {
        match self {
            Opened::Virtual { link, .. } => link.as_mut(),
            Opened::Usb { link, .. } => link.as_mut(),
            #[cfg(target_os = "linux")]
            Opened::Sg { link, .. } => link.as_mut(),
            #[cfg(windows)]
            Opened::Spti { link, .. } => link.as_mut(),
        }
    }

    /// Where the disc in the drive is mounted, when it is.
    #[cfg(target_os = "linux")]
    pub fn mounted_at(&self) -> Option<&str> {
        if let Opened::Sg { mounted_at, .. } = self {
            return mounted_at.as_deref();
        }
        None
    }

    /// A name for messages.
    pub fn name(&self) -> String {
        match self {
            Opened::Virtual { path, .. } => format!("the virtual drive ({})", path.display()),
            Opened::Usb { label, .. } => label.clone(),
            #[cfg(target_os = "linux")]
            Opened::Sg { label, .. } => label.clone(),
            #[cfg(windows)]
            Opened::Spti { label, .. } => label.clone(),
        }
    }

    /// Lets go of the drive: the virtual recorder is switched off (a
    /// recording it was in the middle of leaves the disc damaged) and its
    /// disc saved; a USB drive is released to the system; a kernel drive's
    /// node is closed; a Windows drive's volume is unlocked and its handle
    /// closed.
    ///
    /// ## Errors
    ///
    /// [`ExitKind::Output`] when the virtual disc cannot be saved.
    pub fn close(self) -> Result<(), CliError> {
        match self {
            Opened::Virtual { mut link, path } => link
                .pipe_mut()
                .device_mut()
                .target_mut()
                .power_off()
                .map_err(|e| {
                    CliError::new(ExitKind::Output, format!("cannot save {}", path.display()))
                        .caused_by(e)
                }),
            Opened::Usb { .. } => Ok(()),
            #[cfg(target_os = "linux")]
            Opened::Sg { .. } => Ok(()),
            #[cfg(windows)]
            Opened::Spti { .. } => Ok(()),
        }
    }
}

/// Opens the chosen drive: the virtual recorder when a disc file is given,
/// else a burner ([`open_burner`]).
///
/// ## Errors
///
/// [`ExitKind::Usage`] for both or a fault plan without the virtual drive,
/// [`ExitKind::Input`] for a disc file or fault plan that cannot be read,
/// [`ExitKind::Output`] for a read-only disc file a command would write,
/// [`ExitKind::Drive`] when no burner can be used or the disc file is
/// in use by another rawburn.
pub fn open(choice: &Choice) -> Result<Opened, CliError> {
    match (&choice.virtual_disc, &choice.drive) {
        (Some(_), Some(_)) => Err(CliError::new(
            ExitKind::Usage,
            "--drive and --virtual both name a drive: choose one",
        )),
        (Some(path), None) => open_virtual(path, choice.faults.as_deref(), choice.access),
        (None, drive) => {
            if choice.faults.is_some() {
                return Err(CliError::new(
                    ExitKind::Usage,
                    "--faults works with the virtual drive only (--virtual DISC)",
                ));
            }
            open_burner(drive.as_deref(), choice.access)
        }
    }
}

/// Opens the burner `drive` names (a kernel node such as /dev/sr0, a
/// Windows drive such as E:, or a USB id), or without a name the only
/// usable one of every transport, for `access` (a kernel drive whose disc
/// is mounted is refused for writing; a Windows drive's volume is locked
/// and dismounted for writing).
///
/// ## Errors
///
/// [`ExitKind::Drive`] when it does not exist or cannot be used (saying
/// why and what to do), [`ExitKind::Usage`] when there are several and
/// none was named.
pub fn open_burner(drive: Option<&str>, access: Access) -> Result<Opened, CliError> {
    #[cfg(target_os = "linux")]
    {
        use crate::drives::Listed;
        let kernel = match drive {
            Some(id) if crate::sg::discover::is_kernel_id(id) => Some(id.to_string()),
            Some(_) => None,
            None => {
                let (list, _) = crate::drives::gather(crate::usb::problem::Os::Linux)?;
                let has_kernel = list.iter().any(|d| matches!(d, Listed::Sg(_)));
                match crate::drives::only(&list) {
                    Ok(Listed::Sg(d)) => Some(d.id.clone()),
                    Ok(Listed::Usb(u)) => return open_usb(Some(&u.description.id)),
                    Err(e) if has_kernel => return Err(e),
                    // No kernel drive: as USB always did.
                    Err(_) => None,
                }
            }
        };
        if let Some(id) = kernel {
            let root = Path::new("/");
            let (link, node) = crate::sg::open(&id, access, root)?;
            let mounted_at =
                crate::sg::discover::mounted(root, &root.join(crate::sg::MOUNTINFO), &node);
            return Ok(Opened::Sg {
                link: Box::new(link),
                label: format!("{} ({})", node.label(), node.id()),
                mounted_at,
            });
        }
    }
    #[cfg(windows)]
    {
        use crate::drives::Listed;
        let system = match drive {
            Some(id) if crate::spti::is_spti_id(id) => Some(id.to_string()),
            Some(_) => None,
            None => {
                let (list, _) = crate::drives::gather(crate::usb::problem::Os::Windows)?;
                let has_system = list.iter().any(|d| matches!(d, Listed::Spti(_)));
                match crate::drives::only(&list) {
                    Ok(Listed::Spti(d)) => Some(d.id.clone()),
                    Ok(Listed::Usb(u)) => return open_usb(Some(&u.description.id)),
                    Err(e) if has_system => return Err(e),
                    // No Windows drive: as USB always did.
                    Err(_) => None,
                }
            }
        };
        if let Some(id) = system {
            let (link, label) = crate::spti::open(&id, access)?;
            return Ok(Opened::Spti {
                link: Box::new(link),
                label,
            });
        }
    }
    let _ = access;
    open_usb(drive)
}

/// A USB burner, by id or the only one.
fn open_usb(drive: Option<&str>) -> Result<Opened, CliError> {
    let (link, description) = crate::usb::open(drive)?;
    Ok(Opened::Usb {
        link: Box::new(link),
        label: description.label(),
    })
}

/// The virtual recorder with the disc in `path`, opened for `access`.
///
/// ## Errors
///
/// As [`open`].
pub fn open_virtual(
    path: &Path,
    faults: Option<&Path>,
    access: Access,
) -> Result<Opened, CliError> {
    let (store, meta) = FileStore::open(path, access).map_err(|e| open_error(e, path, access))?;
    let mut recorder = Recorder::new(store, RecorderConfig::default());
    recorder.load(meta).map_err(|e| {
        CliError::new(ExitKind::Output, format!("cannot write {}", path.display())).caused_by(e)
    })?;
    let mut device = BulkOnly::new(recorder);
    if let Some(f) = faults {
        let bytes = crate::files::Resolver::user()
            .read(f, "fault plan", crate::files::FAULT_PLAN_CAP)
            .map_err(|e| crate::input::unreadable(f, e))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            CliError::new(ExitKind::Input, format!("{} is not UTF-8", f.display())).caused_by(e)
        })?;
        let plan = FaultPlan::from_json(&text).map_err(|e| {
            CliError::new(
                ExitKind::Input,
                format!("{} is not a valid fault plan", f.display()),
            )
            .caused_by(e)
        })?;
        device.set_faults(plan);
    }
    Ok(Opened::Virtual {
        link: Box::new(BotTransport::new(
            VirtualPipe::new(device),
            BotConfig::default(),
        )),
        path: path.to_path_buf(),
    })
}

/// The refusal for a disc file another rawburn holds.
pub fn busy(path: &Path) -> CliError {
    CliError::new(
        ExitKind::Drive,
        format!(
            "the virtual disc {} is busy: another rawburn is using it",
            path.display()
        ),
    )
    .caused_by("wait for it to finish, then try again")
}

fn open_error(e: FileError, path: &Path, access: Access) -> CliError {
    use std::io::ErrorKind;
    let shown = path.display();
    match (&e, e.io_kind()) {
        (FileError::Busy(_), _) => busy(path),
        (_, Some(ErrorKind::NotFound)) => CliError::new(
            ExitKind::Input,
            format!("cannot open the virtual disc {shown}"),
        )
        .caused_by(e)
        .caused_by("create one with `rawburn vdisc create DISC`"),
        (_, Some(ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem))
            if access == Access::Write =>
        {
            CliError::new(
                ExitKind::Output,
                format!("the virtual disc {shown} is read-only, and this command writes to it"),
            )
            .caused_by(e)
            .caused_by("make it writable, or use a writable copy")
        }
        (FileError::Invalid { .. }, _) => CliError::new(
            ExitKind::Input,
            format!("{shown} is not a usable virtual disc"),
        )
        .caused_by(e)
        .caused_by("replace it with a blank one: `rawburn vdisc create --force DISC`"),
        _ => CliError::new(
            ExitKind::Input,
            format!("cannot open the virtual disc {shown}"),
        )
        .caused_by(e),
    }
}
