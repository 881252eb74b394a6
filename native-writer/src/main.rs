//! `rawburn`: builds exact CD images and burns them, on a USB burner or
//! the virtual recorder.
//!
//! Exit codes are listed in [`error`].

// A binary: `pub` marks what a module offers the others, nothing more.
#![allow(unreachable_pub)]

mod build;
mod burn;
mod cdtext;
mod check;
mod drive_cmd;
mod drives;
mod duplicate;
mod error;
mod files;
mod input;
mod media;
mod output;
mod passthrough;
mod progress;
mod read;
mod serve;
mod sessions;
#[cfg(target_os = "linux")]
mod sg;
mod show;
mod signal;
mod sources;
// The transport compiles everywhere (its tests run the virtual recorder
// through it); only Windows opens drives with it.
#[cfg_attr(not(windows), allow(dead_code))]
mod spti;
mod target;
#[cfg(test)]
mod testbench;
mod usb;
mod vdisc;

use clap::{Parser, Subcommand, ValueEnum};
use error::{CliError, ExitKind};
use layout::disc::ImageType;
use output::stdout;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

/// Authors exact CD images (data, audio and mixed-mode discs with every
/// gap, index, ISRC, catalog number and CD-TEXT) and burns them on USB
/// burners or the virtual recorder.
#[derive(Debug, Parser)]
#[command(name = "rawburn", version, about)]
struct Cli {
    /// Refuse a disc or sheet that departs from a rule (every warning
    /// becomes an error, exit 4) instead of laying it out as written.
    #[arg(long, global = true)]
    strict: bool,
    /// Reads only files inside this directory (the companion's jobs run so,
    /// over what a page uploaded).
    #[arg(long, global = true, hide = true, value_name = "DIR")]
    within: Option<PathBuf>,
    /// A failure as one line of JSON on stderr (for the companion).
    #[arg(long, global = true, hide = true)]
    error_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Writes an image. The output's extension picks the format: .cue
    /// (cue + bin), .ccd (CloneCD ccd + img + sub), .toc (cdrdao toc + bin),
    /// .raw (raw image from 95:00:00 with subchannel), .json (project).
    Build {
        /// The input: a .cue sheet, a .toc or .ccd image or a project .json;
        /// or an ISO image and audio files, in disc order.
        #[arg(required = true, num_args = 1..)]
        inputs: Vec<PathBuf>,
        #[command(flatten)]
        media: MediaArgs,
        /// Output file.
        #[arg(short, long)]
        output: PathBuf,
        /// Subchannel of a .raw image: none (2352 bytes per sector), pq
        /// (2368), cooked or raw (2448).
        #[arg(long, value_enum)]
        subchannel: Option<SubchannelArg>,
        /// CD-TEXT to use instead of the input's: a .cdt file (all its
        /// blocks) or a Sony input sheet v0.7T (one block each); repeat for
        /// more blocks.
        #[arg(long, value_name = "FILE")]
        cdtext: Vec<PathBuf>,
        /// No progress bar or summary.
        #[arg(short, long)]
        quiet: bool,
        /// Threads that build the image, each reading, encoding and writing
        /// batches of sectors in turn; 1 does it all on one thread.
        /// Default: one per core (or RAYON_NUM_THREADS).
        #[arg(long, value_name = "N")]
        threads: Option<NonZeroUsize>,
    },
    /// Prints the track table and the TOC the disc will report.
    Toc {
        /// The input: a .cue sheet, a .toc or .ccd image or a project .json;
        /// or an ISO image and audio files, in disc order.
        #[arg(required_unless_present = "next_session", num_args = 1..)]
        inputs: Vec<PathBuf>,
        /// Prints the two values `mkisofs -C` and `xorriso -C` take (as
        /// `cdrecord -msinfo` does): where the last session starts and
        /// where the next one will, for the disc in the drive, or, with an
        /// input, for a disc whose first session is that input burned in
        /// SAO (as `burn --extra` does).
        #[arg(long)]
        next_session: bool,
        #[command(flatten)]
        drive: DriveArgs,
        #[command(flatten)]
        media: MediaArgs,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// CD-TEXT to use instead of the input's (.cdt or input sheet).
        #[arg(long, value_name = "FILE")]
        cdtext: Vec<PathBuf>,
    },
    /// Shows CD-TEXT pack by pack with the decoded texts; writes it as a
    /// .cdt or as Sony input sheets.
    Cdtext {
        /// A .cue, project .json, .cdt file, or raw image (.raw, 2448 bytes
        /// per sector: read from its lead-in).
        input: PathBuf,
        /// CD-TEXT to use instead of the input's (.cdt or input sheet).
        #[arg(long, value_name = "FILE")]
        cdtext: Vec<PathBuf>,
        /// Write the packs to this .cdt file.
        #[arg(long, value_name = "FILE")]
        cdt: Option<PathBuf>,
        /// Write each block as a Sony input sheet v0.7T (block 0 to FILE,
        /// block n to FILE-n).
        #[arg(long, value_name = "FILE")]
        sheet: Option<PathBuf>,
    },
    /// Burns a disc: a .cue, .toc, .ccd or project .json.
    Burn {
        /// The disc to burn: a .cue, .toc, .ccd or project .json; or an ISO
        /// image and audio files, in disc order.
        #[arg(required = true, num_args = 1..)]
        inputs: Vec<PathBuf>,
        #[command(flatten)]
        media: MediaArgs,
        #[command(flatten)]
        drives: BurnDrives,
        /// The write mode (auto: the best the drive offers for the disc).
        #[arg(long, value_enum, default_value = "auto")]
        mode: ModeArg,
        /// Write speed in multiples of 1x, or `max` (the default): the
        /// fastest speed the drive offers that is not above it (its
        /// slowest when all are). The burn's first message says which.
        #[arg(long, value_name = "X|max", value_parser = parse_speed, default_value = "max")]
        speed: Speed,
        /// Simulate: the drive goes through the burn with the laser off.
        #[arg(long)]
        simulate: bool,
        /// Turn buffer underrun protection off.
        #[arg(long)]
        no_bufe: bool,
        /// Read the disc back and compare: exact (every byte, the
        /// default) or content (data by user data and EDC/ECC, audio by
        /// samples).
        #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "exact")]
        verify: Option<VerifyArg>,
        /// Leave the session open for another (TAO and SAO).
        #[arg(long)]
        multisession: bool,
        /// Eject when done.
        #[arg(long)]
        eject: bool,
        /// CD-Extra: after the input's audio (burned in SAO, the session
        /// left open), this ISO image as a CD-ROM XA data session. It must
        /// be mastered for the session's start: `rawburn toc INPUT
        /// --next-session` prints the -C values for mkisofs or xorriso.
        #[arg(long, value_name = "ISO")]
        extra: Option<PathBuf>,
        /// CD-TEXT to use instead of the input's (.cdt or input sheet).
        #[arg(long, value_name = "FILE")]
        cdtext: Vec<PathBuf>,
        /// Inject the faults of this plan (virtual drives only): PLAN for
        /// every virtual drive, DISC=PLAN for the one with that disc file.
        #[arg(long, value_name = "[DISC=]PLAN")]
        faults: Vec<String>,
        /// Progress events as JSON lines on stdout.
        #[arg(long)]
        json: bool,
        /// No progress bar or summary.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Shows the drive and its disc: media, state, capacity, write speeds
    /// and modes.
    Media {
        #[command(flatten)]
        drive: DriveArgs,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Erases a CD-RW.
    Blank {
        #[command(flatten)]
        drive: DriveArgs,
        /// Minimal blanking: the table of contents and first pregap (the
        /// default).
        #[arg(long, conflicts_with_all = ["full", "session"])]
        fast: bool,
        /// Full blanking: the whole disc.
        #[arg(long, conflicts_with = "session")]
        full: bool,
        /// The last session only: the disc stays appendable.
        #[arg(long)]
        session: bool,
        /// The operation's events as JSON lines on stdout (no progress
        /// bar).
        #[arg(long)]
        json: bool,
        /// No progress bar or summary.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Reads a disc into an image: every sector from LBA 0 to the lead-out
    /// with its sub-channel, the TOC, index points, ISRCs, catalog number
    /// and CD-TEXT. The output's extension picks the format, as for build.
    Read {
        #[command(flatten)]
        drive: DriveArgs,
        /// Output file: .cue, .ccd, .toc, .raw or .json.
        #[arg(short, long)]
        output: PathBuf,
        /// Subchannel of a .raw image: none (2352 bytes per sector), pq
        /// (2368), cooked or raw (2448).
        #[arg(long, value_enum)]
        subchannel: Option<SubchannelArg>,
        /// Fault plan (JSON) for the virtual recorder.
        #[arg(long, value_name = "PLAN", requires = "virtual_disc")]
        faults: Option<PathBuf>,
        /// The read's events as JSON lines on stdout (no progress bar).
        #[arg(long)]
        json: bool,
        /// No progress bar or summary.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Opens the tray (letting the disc go first).
    Eject {
        #[command(flatten)]
        drive: DriveArgs,
    },
    /// Ejects, loads, locks or unlocks the tray.
    Tray {
        /// eject, load (close the tray), lock (the eject button does
        /// nothing until unlock) or unlock.
        #[arg(value_enum)]
        action: TrayArg,
        #[command(flatten)]
        drive: DriveArgs,
    },
    /// Lists burners and says whether rawburn can use each one, and if
    /// not, why and what to do: on Linux the CD/DVD drives the kernel owns
    /// (/dev/sr*, /dev/sg*: internal burners and USB ones bound to
    /// usb-storage, reached with the SG_IO ioctl), on Windows its optical
    /// drives (E:, reached with SPTI), and every USB mass-storage device
    /// (reached with libusb).
    Drives {
        /// A JSON array instead of a list.
        #[arg(long)]
        json: bool,
    },
    /// The local companion: serves the burn page to this machine's browser
    /// and carries its commands to the drives (loopback only; the printed
    /// URL carries a one-time token).
    Serve {
        /// The port (0: any free one).
        #[arg(long, default_value_t = serve::DEFAULT_PORT)]
        port: u16,
        /// Loopback addresses to listen on (default 127.0.0.1 and ::1);
        /// any other address is refused.
        #[arg(long, value_name = "IP")]
        address: Vec<std::net::IpAddr>,
        /// Open the page in the default browser.
        #[arg(long)]
        open: bool,
        /// A virtual recorder with this disc file (created blank when
        /// missing); repeat for more. Default, when no USB burner is
        /// attached: one in the state directory.
        #[arg(long = "virtual", value_name = "DISC")]
        virtual_discs: Vec<PathBuf>,
        /// Also accept the WebSocket from a page of this origin (exactly,
        /// as `https://editor.example`).
        #[arg(long, value_name = "ORIGIN")]
        allow_origin: Vec<String>,
        /// Stop after this many seconds with no page connected and no job
        /// running (0: never).
        #[arg(long, value_name = "S", default_value_t = 3600)]
        idle_timeout: u64,
        /// Where the companion keeps its virtual discs and spool
        /// (default: $XDG_STATE_HOME/rawburn or ~/.local/state/rawburn).
        #[arg(long, value_name = "DIR")]
        state_dir: Option<PathBuf>,
    },
    /// Virtual discs for the virtual recorder.
    Vdisc {
        #[command(subcommand)]
        command: VdiscCommand,
    },
}

/// How a disc made of files is laid out.
#[derive(Debug, clap::Args)]
struct MediaArgs {
    /// The ISO as Mode 2 Form 1 (CD-ROM XA) instead of Mode 1.
    #[arg(long)]
    xa: bool,
    /// Seconds of silence before each audio track after the first
    /// (default 2).
    #[arg(long, value_name = "SECONDS")]
    gap: Option<f64>,
    /// No silence between audio tracks.
    #[arg(long)]
    gapless: bool,
    /// No CD-TEXT from the audio files' tags.
    #[arg(long)]
    no_cdtext: bool,
}

impl MediaArgs {
    fn options(&self) -> media::MediaOptions {
        media::MediaOptions {
            xa: self.xa,
            gap: self.gap,
            gapless: self.gapless,
            no_cdtext: self.no_cdtext,
        }
    }
}

/// Which drive: a USB burner or the virtual recorder.
#[derive(Debug, clap::Args)]
struct DriveArgs {
    /// A drive, by the id `rawburn drives` shows: /dev/sr0 (also sr0,
    /// /dev/sg1, /dev/cdrom) for one the Linux kernel owns, E: (or
    /// \\.\CdRom0) for one Windows owns, 1-4.2 for USB (the
    /// only one when omitted).
    #[arg(long, value_name = "ID")]
    drive: Option<String>,
    /// The virtual recorder with this disc file (`rawburn vdisc create`).
    #[arg(long = "virtual", value_name = "DISC")]
    virtual_disc: Option<PathBuf>,
}

impl DriveArgs {
    fn choice(&self, faults: Option<PathBuf>) -> target::Choice {
        target::Choice {
            drive: self.drive.clone(),
            virtual_disc: self.virtual_disc.clone(),
            faults,
            ..target::Choice::default()
        }
    }
}

/// The drives a burn writes to: one, or several at once (a duplicator).
#[derive(Debug, clap::Args)]
struct BurnDrives {
    /// A drive, by the id `rawburn drives` shows: /dev/sr0 (also sr0,
    /// /dev/sg1, /dev/cdrom) for one the Linux kernel owns, E: (or
    /// \\.\CdRom0) for one Windows owns, 1-4.2 for USB (the
    /// only one when omitted). Give several (and `--virtual` discs) to burn
    /// the same disc
    /// on each at once: it is encoded once, each drive is verified as
    /// asked, and the exit code says which failed.
    #[arg(long, value_name = "ID")]
    drive: Vec<String>,
    /// The virtual recorder with this disc file (`rawburn vdisc create`);
    /// give several for several recorders.
    #[arg(long = "virtual", value_name = "DISC")]
    virtual_discs: Vec<PathBuf>,
}

impl BurnDrives {
    /// One choice per drive, each with its fault plan (`--faults PLAN`
    /// for every virtual drive, `--faults DISC=PLAN` for one).
    fn choices(&self, faults: &[String]) -> Result<Vec<target::Choice>, CliError> {
        let mut plans: Vec<(Option<PathBuf>, PathBuf)> = Vec::new();
        for f in faults {
            let named = f.split_once('=').and_then(|(disc, plan)| {
                let disc = PathBuf::from(disc);
                self.virtual_discs
                    .contains(&disc)
                    .then(|| (Some(disc), PathBuf::from(plan)))
            });
            plans.push(named.unwrap_or_else(|| (None, PathBuf::from(f))));
        }
        let plan_for = |disc: Option<&PathBuf>| {
            plans
                .iter()
                .rev()
                .find(|(d, _)| d.is_none() || d.as_ref() == disc)
                .map(|(_, p)| p.clone())
        };
        let mut out: Vec<target::Choice> = self
            .virtual_discs
            .iter()
            .map(|d| target::Choice {
                virtual_disc: Some(d.clone()),
                faults: plan_for(Some(d)),
                ..target::Choice::default()
            })
            .collect();
        for id in &self.drive {
            out.push(target::Choice {
                drive: Some(id.clone()),
                // A plan for every drive goes to the virtual ones; with
                // none, opening says plans are for virtual drives.
                faults: if self.virtual_discs.is_empty() {
                    plan_for(None)
                } else {
                    None
                },
                ..target::Choice::default()
            });
        }
        if out.is_empty() {
            out.push(target::Choice {
                faults: plan_for(None),
                ..target::Choice::default()
            });
        }
        if out.len() > 1 && self.virtual_discs.is_empty() && !plans.is_empty() {
            return Err(CliError::new(
                ExitKind::Usage,
                "--faults works with virtual drives only (--virtual DISC)",
            ));
        }
        Ok(out)
    }
}

#[derive(Debug, Subcommand)]
enum VdiscCommand {
    /// Creates a blank virtual disc.
    Create {
        /// The disc file (.vdisc).
        disc: PathBuf,
        /// The media.
        #[arg(long, value_enum, default_value = "cd-r")]
        media: MediaArg,
        /// Nominal length in minutes: 74, 80, 90 or 99.
        #[arg(long, default_value_t = 80)]
        minutes: u8,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MediaArg {
    CdR,
    CdRw,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModeArg {
    Auto,
    Raw96r,
    Raw96p,
    Raw16,
    Sao,
    Tao,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum VerifyArg {
    Exact,
    Content,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SubchannelArg {
    None,
    Pq,
    Cooked,
    Raw,
}

impl SubchannelArg {
    fn image_type(self) -> ImageType {
        match self {
            SubchannelArg::None => ImageType::Plain,
            SubchannelArg::Pq => ImageType::PqOnly,
            SubchannelArg::Cooked => ImageType::Cooked,
            SubchannelArg::Raw => ImageType::Raw,
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    input::set_strict(cli.strict);
    if let Some(dir) = &cli.within {
        files::confine(dir).map_err(|e| {
            CliError::new(ExitKind::Usage, format!("--within {}", dir.display())).caused_by(e)
        })?;
    }
    match cli.command {
        Command::Build {
            inputs,
            media,
            output,
            subchannel,
            cdtext,
            quiet,
            threads,
        } => {
            let image_type = subchannel.map(SubchannelArg::image_type);
            let input = media::register(inputs, media.options())?;
            build::build(&input, &output, image_type, &cdtext, quiet, threads)
        }
        Command::Toc {
            inputs,
            next_session,
            drive,
            media,
            json,
            cdtext,
        } => {
            if next_session && inputs.is_empty() {
                return stdout(&drive_cmd::next_session(&drive.choice(None).reading())?);
            }
            let input = media::register(inputs, media.options())?;
            if next_session {
                return stdout(&show::next_session(&input, &cdtext)?);
            }
            stdout(&show::toc(&input, json, &cdtext)?)
        }
        Command::Cdtext {
            input,
            cdtext,
            cdt,
            sheet,
        } => cdtext::cdtext(
            &input,
            &cdtext::Options {
                cdtext: &cdtext,
                cdt: cdt.as_deref(),
                sheet: sheet.as_deref(),
            },
        ),
        Command::Burn {
            inputs,
            media,
            drives,
            mode,
            speed,
            simulate,
            no_bufe,
            verify,
            multisession,
            eject,
            extra,
            cdtext,
            faults,
            json,
            quiet,
        } => {
            use mmc::engine::{Options, Verify, WriteMode};
            let options = Options {
                mode: match mode {
                    ModeArg::Auto => WriteMode::Auto,
                    ModeArg::Raw96r => WriteMode::Raw96r,
                    ModeArg::Raw96p => WriteMode::Raw96p,
                    ModeArg::Raw16 => WriteMode::Raw16,
                    ModeArg::Sao => WriteMode::Sao,
                    ModeArg::Tao => WriteMode::Tao,
                },
                speed: speed.0,
                simulate,
                bufe: !no_bufe,
                verify: verify.map(|v| match v {
                    VerifyArg::Exact => Verify::Exact,
                    VerifyArg::Content => Verify::Content,
                }),
                finalize: !multisession,
                eject,
                ..Options::default()
            };
            let input = media::register(inputs, media.options())?;
            burn::burn(&burn::BurnArgs {
                input,
                cdtext,
                targets: drives.choices(&faults)?,
                options,
                json,
                quiet,
                extra,
            })
        }
        Command::Media { drive, json } => {
            stdout(&drive_cmd::media(&drive.choice(None).reading(), json)?)
        }
        Command::Blank {
            drive,
            fast: _,
            full,
            session,
            json,
            quiet,
        } => {
            let kind = match (full, session) {
                (true, _) => mmc::ops::BlankKind::Full,
                (_, true) => mmc::ops::BlankKind::Session,
                _ => mmc::ops::BlankKind::Minimal,
            };
            drive_cmd::blank(&drive.choice(None), kind, json, quiet)
        }
        Command::Read {
            drive,
            output,
            subchannel,
            faults,
            json,
            quiet,
        } => read::read(&read::ReadArgs {
            target: drive.choice(faults).reading(),
            output,
            image_type: subchannel.map(SubchannelArg::image_type),
            json,
            quiet,
        }),
        Command::Eject { drive } => {
            drive_cmd::tray(&drive.choice(None).reading(), mmc::ops::TrayAction::Eject)
        }
        Command::Tray { action, drive } => {
            let action = match action {
                TrayArg::Eject => mmc::ops::TrayAction::Eject,
                TrayArg::Load => mmc::ops::TrayAction::Load,
                TrayArg::Lock => mmc::ops::TrayAction::Lock,
                TrayArg::Unlock => mmc::ops::TrayAction::Unlock,
            };
            drive_cmd::tray(&drive.choice(None).reading(), action)
        }
        Command::Vdisc {
            command:
                VdiscCommand::Create {
                    disc,
                    media,
                    minutes,
                    force,
                },
        } => {
            let kind = match media {
                MediaArg::CdR => vdrive::MediaKind::CdR,
                MediaArg::CdRw => vdrive::MediaKind::CdRw,
            };
            stdout(&drive_cmd::create(&disc, kind, minutes, force)?)
        }
        Command::Drives { json } => stdout(&drives::drives(json)?),
        Command::Serve {
            port,
            address,
            open,
            virtual_discs,
            allow_origin,
            idle_timeout,
            state_dir,
        } => serve::serve(serve::ServeArgs {
            port,
            addresses: address,
            open,
            virtual_discs,
            allow_origins: allow_origin,
            idle_timeout: std::time::Duration::from_secs(idle_timeout),
            state_dir,
        }),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    signal::install();
    let error_json = cli.error_json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if error_json => {
            eprintln!("{}", e.to_json());
            ExitCode::from(e.kind.code())
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(e.kind.code())
        }
    }
}

/// `--speed`: multiples of 1x, `None` for the drive's fastest.
#[derive(Debug, Clone, Copy)]
struct Speed(Option<u16>);

fn parse_speed(s: &str) -> Result<Speed, String> {
    if s.eq_ignore_ascii_case("max") {
        return Ok(Speed(None));
    }
    let n: u64 = s
        .parse()
        .map_err(|_| format!("`{s}`: expected a speed such as 24 (for 24x) or max"))?;
    match n {
        0 => Err("0: a speed is 1x or more (max for the drive's fastest)".to_string()),
        // Past any CD drive's speed: the drive's fastest.
        n => Ok(Speed(Some(u16::try_from(n).unwrap_or(u16::MAX)))),
    }
}

/// `rawburn tray`'s actions.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum TrayArg {
    Eject,
    Load,
    Lock,
    Unlock,
}
