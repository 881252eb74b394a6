//! vusb: the virtual recorder behind a pipe, for the umockdev ioctl
//! handler of `tests/usb/` (USB Bulk-Only transfers from libusb, or SCSI
//! commands from SG_IO) to carry a real client's requests to.
//!
//! ```text
//! vusb --usb|--scsi DISC [--faults PLAN] [--inquiry-type N] [--log FILE]
//! ```
//!
//! The disc file is a `.vdisc` as `rawburn vdisc create` makes it and
//! `rawburn --virtual` reads it; the fault plan is `rawburn --faults`'s.
//! The recorder is `rawburn --virtual`'s, so a burn through USB reads back
//! through `--virtual` and the other way round. The disc is saved when
//! stdin ends or a quit request comes.
//!
//! Requests on stdin and replies on stdout are frames: a code byte, a
//! length (u32 little-endian), that many bytes.
//!
//! | Request | Payload | Reply payload when OK |
//! | --- | --- | --- |
//! | `C` control | setup packet (8 bytes) | data stage of an IN request |
//! | `O` bulk OUT | the data | bytes taken (u32) |
//! | `I` bulk IN | length asked (u32) | the data |
//! | `S` SCSI (`--scsi`) | data-in length (u32), CDB length (u8), CDB, data out | status (u8), sense length (u8), sense, data in |
//! | `E` event | a line of text | (appended to `--log`) |
//! | `Q` quit | | (the disc is saved, then vusb ends) |
//!
//! Reply codes: `0` OK, `1` stall, `2` pending (the device does not answer
//! before a Bulk-Only reset: the host's timeout ends the transfer), `3`
//! overflow (payload: bytes the device sent, u32), `4` disconnected, `5`
//! refused (payload: why, text).
//!
//! Exit status: 0 after a clean end, 1 when the disc cannot be saved or
//! the pipe breaks, 2 for a bad command line or disc file.

// A binary: `pub` marks what a module offers the others, nothing more.
#![allow(unreachable_pub)]

#[path = "vusb/device.rs"]
mod device;
#[path = "vusb/store.rs"]
mod store;

use device::{Bridge, Retyped};
use mmc::wire::bot::SetupPacket;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use vdrive::{FaultPlan, Recorder, RecorderConfig, UsbError};

const USAGE: &str = "usage: vusb --usb|--scsi DISC [--faults PLAN] [--inquiry-type N] [--log FILE]";

/// The largest request taken (a bulk transfer of a burn is far smaller).
const MAX_FRAME: usize = 64 << 20;

/// Reply codes.
const OK: u8 = 0;
const STALL: u8 = 1;
const PENDING: u8 = 2;
const OVERFLOW: u8 = 3;
const GONE: u8 = 4;
const REFUSED: u8 = 5;

/// Which level the bridge speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Usb,
    Scsi,
}

/// The command line.
#[derive(Debug)]
struct Args {
    mode: Mode,
    disc: PathBuf,
    faults: Option<PathBuf>,
    inquiry_type: Option<u8>,
    log: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("vusb: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut bridge = match open(&args) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("vusb: {e}");
            return ExitCode::from(2);
        }
    };
    let mut log = match &args.log {
        Some(path) => match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            Ok(f) => Some(f),
            Err(e) => {
                eprintln!("vusb: cannot open {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let served = serve(&mut bridge, args.mode, log.as_mut());
    let saved = bridge.power_off();
    let mut status = ExitCode::SUCCESS;
    if let Err(e) = served {
        eprintln!("vusb: {e}");
        status = ExitCode::from(1);
    }
    if let Err(e) = saved {
        eprintln!("vusb: cannot save {}: {e}", args.disc.display());
        status = ExitCode::from(1);
    }
    status
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut mode = None;
    let mut disc = None;
    let mut faults = None;
    let mut inquiry_type = None;
    let mut log = None;
    while let Some(a) = argv.next() {
        let mut value = |name: &str| argv.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--usb" => mode = Some(Mode::Usb),
            "--scsi" => mode = Some(Mode::Scsi),
            "--faults" => faults = Some(PathBuf::from(value("--faults")?)),
            "--log" => log = Some(PathBuf::from(value("--log")?)),
            "--inquiry-type" => {
                let v = value("--inquiry-type")?;
                let t: u8 = v
                    .parse()
                    .ok()
                    .filter(|t| *t <= 0x1f)
                    .ok_or(format!("--inquiry-type {v}: a device type from 0 to 31"))?;
                inquiry_type = Some(t);
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s if disc.is_none() => disc = Some(PathBuf::from(s)),
            s => return Err(format!("unexpected argument {s}")),
        }
    }
    Ok(Args {
        mode: mode.ok_or("--usb or --scsi is needed")?,
        disc: disc.ok_or("the disc file is needed")?,
        faults,
        inquiry_type,
        log,
    })
}

/// The recorder over the disc file, with its fault plan.
fn open(args: &Args) -> Result<Bridge, String> {
    let plan = match &args.faults {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let plan = FaultPlan::from_json(&text)
                .map_err(|e| format!("{} is not a valid fault plan: {e}", path.display()))?;
            Some(plan)
        }
        None => None,
    };
    let (store, meta) = store::DiscFile::open(&args.disc)?;
    let mut recorder = Recorder::new(store, RecorderConfig::default());
    recorder
        .load(meta)
        .map_err(|e| format!("cannot write {}: {e}", args.disc.display()))?;
    Ok(Bridge::new(Retyped::new(recorder, args.inquiry_type), plan))
}

/// Answers requests until stdin ends or a quit request.
fn serve(bridge: &mut Bridge, mode: Mode, mut log: Option<&mut std::fs::File>) -> io::Result<()> {
    let mut input = BufReader::new(io::stdin().lock());
    let mut output = BufWriter::new(io::stdout().lock());
    while let Some((code, payload)) = read_frame(&mut input)? {
        let (reply, body) = match (code, mode) {
            (b'Q', _) => return Ok(()),
            (b'E', _) => {
                if let Some(f) = log.as_mut() {
                    f.write_all(&payload)?;
                    f.write_all(b"\n")?;
                    f.flush()?;
                }
                (OK, Vec::new())
            }
            (b'C' | b'O' | b'I', Mode::Usb) => usb(bridge, code, &payload),
            (b'S', Mode::Scsi) => scsi(bridge, &payload),
            _ => (
                REFUSED,
                format!("request {:?} is not one this mode takes", char::from(code)).into_bytes(),
            ),
        };
        output.write_all(&[reply])?;
        output.write_all(&(body.len() as u32).to_le_bytes())?;
        output.write_all(&body)?;
        output.flush()?;
    }
    Ok(())
}

/// A frame from `input`; `None` at a clean end.
fn read_frame(input: &mut impl Read) -> io::Result<Option<(u8, Vec<u8>)>> {
    let mut head = [0u8; 5];
    let mut got = 0;
    while got < head.len() {
        match input.read(&mut head[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "cut frame")),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a request of {len} bytes"),
        ));
    }
    let mut payload = vec![0; len];
    input.read_exact(&mut payload)?;
    Ok(Some((head[0], payload)))
}

/// A Bulk-Only transfer.
fn usb(bridge: &mut Bridge, code: u8, payload: &[u8]) -> (u8, Vec<u8>) {
    let result = match code {
        b'C' => match SetupPacket::parse(payload) {
            Ok(setup) => bridge.control(&setup),
            Err(e) => return (REFUSED, format!("setup packet: {e}").into_bytes()),
        },
        b'O' => bridge
            .bulk_out(payload)
            .map(|n| (n as u32).to_le_bytes().to_vec()),
        _ => match <[u8; 4]>::try_from(payload) {
            Ok(len) => bridge.bulk_in(u32::from_le_bytes(len) as usize),
            Err(_) => return (REFUSED, b"bulk IN wants a u32 length".to_vec()),
        },
    };
    match result {
        Ok(data) => (OK, data),
        Err(UsbError::Stall) => (STALL, Vec::new()),
        Err(UsbError::NotReady(_)) => (PENDING, Vec::new()),
        Err(UsbError::Overflow { got, .. }) => (OVERFLOW, (got as u32).to_le_bytes().to_vec()),
        Err(UsbError::Disconnected) => (GONE, Vec::new()),
    }
}

/// A SCSI command.
fn scsi(bridge: &mut Bridge, payload: &[u8]) -> (u8, Vec<u8>) {
    let Some((&head, rest)) = payload.split_first_chunk::<5>() else {
        return (REFUSED, b"SCSI request too short".to_vec());
    };
    let data_in = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
    let cdb_len = usize::from(head[4]);
    if rest.len() < cdb_len || !(6..=16).contains(&cdb_len) {
        return (REFUSED, format!("a CDB of {cdb_len} bytes").into_bytes());
    }
    let (cdb, data_out) = rest.split_at(cdb_len);
    let reply = bridge.scsi(cdb, data_out, data_in);
    let mut body = vec![reply.status, reply.sense.len() as u8];
    body.extend_from_slice(&reply.sense);
    body.extend_from_slice(&reply.data);
    (OK, body)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn args(s: &str) -> Result<Args, String> {
        parse(s.split_whitespace().map(String::from))
    }

    #[test]
    fn command_lines() {
        let a = args("--usb d.vdisc --faults p.json --inquiry-type 0 --log l").unwrap();
        assert_eq!(a.mode, Mode::Usb);
        assert_eq!(a.disc, PathBuf::from("d.vdisc"));
        assert_eq!(a.faults, Some(PathBuf::from("p.json")));
        assert_eq!(a.inquiry_type, Some(0));
        assert_eq!(a.log, Some(PathBuf::from("l")));
        assert_eq!(args("--scsi d").unwrap().mode, Mode::Scsi);
        assert_eq!(args("d").unwrap_err(), "--usb or --scsi is needed");
        assert_eq!(args("--usb").unwrap_err(), "the disc file is needed");
        assert_eq!(
            args("--usb d --inquiry-type 32").unwrap_err(),
            "--inquiry-type 32: a device type from 0 to 31"
        );
        assert_eq!(args("--usb d e").unwrap_err(), "unexpected argument e");
        assert_eq!(args("--usb d --log").unwrap_err(), "--log needs a value");
    }

    #[test]
    fn frames() {
        let mut bytes: &[u8] = &[b'I', 4, 0, 0, 0, 13, 0, 0, 0, b'Q', 0, 0, 0, 0];
        assert_eq!(
            read_frame(&mut bytes).unwrap(),
            Some((b'I', vec![13, 0, 0, 0]))
        );
        assert_eq!(read_frame(&mut bytes).unwrap(), Some((b'Q', Vec::new())));
        assert_eq!(read_frame(&mut bytes).unwrap(), None);
        let mut cut: &[u8] = &[b'O', 9, 0];
        assert_eq!(
            read_frame(&mut cut).unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
    }
}
