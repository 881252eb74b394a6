//! A test host: speaks raw CBWs to the virtual drive over its Bulk-Only
//! interface, with a virtual clock that moves only when the host waits.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Shared by several test crates, each using a part: `pub` is for them.
#![allow(unreachable_pub)]

pub mod discs;

use mmc::wire::bot::{CbwRepr, CswRepr, CswStatus, Direction, SetupPacket};
use mmc::wire::sense::{Sense, SenseRepr};
use std::time::Duration;
use vdrive::bot::{BULK_IN, BULK_OUT};
use vdrive::{BulkOnly, MediaKind, MediaSpec, MemoryStore, Recorder, RecorderConfig, UsbError};

/// How long the host waits for an answer before giving up.
pub const TIMEOUT: Duration = Duration::from_secs(3600);

/// What came back for one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Data in.
    pub data: Vec<u8>,
    /// The CSW.
    pub csw: CswRepr,
    /// Whether a pipe stalled on the way (and was cleared).
    pub stalled: bool,
}

impl Reply {
    /// Whether the command passed.
    pub fn passed(&self) -> bool {
        self.csw.status == CswStatus::Passed
    }
}

/// The host side of a USB connection to a virtual drive.
pub struct Host {
    pub dev: BulkOnly<Recorder<MemoryStore>>,
    pub now: Duration,
    tag: u32,
}

impl Host {
    /// A drive with `config` and no disc; the power-on unit attention is
    /// consumed.
    pub fn with_config(config: RecorderConfig) -> Host {
        let mut h = Host {
            dev: BulkOnly::new(Recorder::new(MemoryStore::new(), config)),
            now: Duration::ZERO,
            tag: 0,
        };
        let r = h.none(&[0, 0, 0, 0, 0, 0]);
        if !r.passed() {
            h.sense();
        }
        h
    }

    /// An instant drive (records without taking time) holding a blank
    /// disc of `kind` and `minutes`, unit attentions consumed.
    pub fn blank(kind: MediaKind, minutes: u8) -> Host {
        let mut h = Host::with_config(RecorderConfig {
            instant: true,
            ..RecorderConfig::default()
        });
        h.insert(kind, minutes);
        h
    }

    /// Inserts a blank disc and consumes the medium-changed attention.
    pub fn insert(&mut self, kind: MediaKind, minutes: u8) {
        let media = MediaSpec::new(kind, minutes).unwrap();
        self.dev.target_mut().insert_blank(media).unwrap();
        let r = self.none(&[0, 0, 0, 0, 0, 0]);
        assert!(!r.passed());
        assert_eq!(self.sense().sense, Sense::MEDIUM_CHANGED);
    }

    pub fn recorder(&self) -> &Recorder<MemoryStore> {
        self.dev.target()
    }

    fn next_tag(&mut self) -> u32 {
        self.tag = self.tag.wrapping_add(1);
        self.tag
    }

    /// Sends a CBW as given (any bytes).
    pub fn send_cbw(&mut self, bytes: &[u8]) -> Result<usize, UsbError> {
        self.dev.bulk_out(bytes, self.now)
    }

    /// A CBW for `cdb` expecting `len` bytes in `dir`.
    pub fn cbw(&mut self, cdb: &[u8], dir: Direction, len: u32) -> CbwRepr {
        CbwRepr::new(self.next_tag(), cdb, dir, len).unwrap()
    }

    /// Reads bulk IN, waiting (advancing the clock) while the device is
    /// not ready, up to [`TIMEOUT`].
    pub fn read(&mut self, len: usize) -> Result<Vec<u8>, UsbError> {
        let deadline = self.now + TIMEOUT;
        loop {
            match self.dev.bulk_in(len, self.now) {
                Err(UsbError::NotReady(t)) if t <= deadline => self.now = t.max(self.now),
                other => return other,
            }
        }
    }

    /// Clears a halt on `endpoint`.
    pub fn clear(&mut self, endpoint: u8) {
        self.dev
            .control(&SetupPacket::clear_halt(endpoint), self.now)
            .unwrap();
    }

    /// Bulk-Only reset recovery.
    pub fn reset_recovery(&mut self) {
        self.dev
            .control(&SetupPacket::bulk_only_reset(0), self.now)
            .unwrap();
        self.clear(BULK_IN);
        self.clear(BULK_OUT);
    }

    /// Reads the CSW, clearing a stall once as BOT says.
    pub fn csw(&mut self, stalled: &mut bool) -> CswRepr {
        let bytes = match self.read(13) {
            Err(UsbError::Stall) => {
                *stalled = true;
                self.clear(BULK_IN);
                self.read(13).unwrap()
            }
            other => other.unwrap(),
        };
        CswRepr::parse(&bytes).unwrap()
    }

    /// Runs a command with no data.
    pub fn none(&mut self, cdb: &[u8]) -> Reply {
        let cbw = self.cbw(cdb, Direction::None, 0);
        self.run(&cbw, &[])
    }

    /// Runs a data-in command expecting up to `len` bytes.
    pub fn data_in(&mut self, cdb: &[u8], len: u32) -> Reply {
        let cbw = self.cbw(cdb, Direction::In, len);
        self.run(&cbw, &[])
    }

    /// Runs a data-out command with `data`.
    pub fn data_out(&mut self, cdb: &[u8], data: &[u8]) -> Reply {
        let cbw = self.cbw(cdb, Direction::Out, data.len() as u32);
        self.run(&cbw, data)
    }

    /// Runs `cbw` through data stage and status as a careful host does.
    pub fn run(&mut self, cbw: &CbwRepr, out: &[u8]) -> Reply {
        let tag = cbw.tag;
        self.dev.bulk_out(&cbw.to_bytes(), self.now).unwrap();
        let mut stalled = false;
        let mut data = Vec::new();
        match cbw.direction {
            Direction::In => match self.read(cbw.data_len as usize) {
                Ok(d) => data = d,
                Err(UsbError::Stall) => {
                    stalled = true;
                    self.clear(BULK_IN);
                }
                Err(e) => panic!("data in: {e}"),
            },
            Direction::Out => {
                let mut sent = 0;
                while sent < out.len() {
                    match self.dev.bulk_out(&out[sent..], self.now) {
                        Ok(n) => sent += n,
                        Err(UsbError::Stall) => {
                            stalled = true;
                            self.clear(BULK_OUT);
                            break;
                        }
                        Err(UsbError::NotReady(t)) => self.now = t,
                        Err(e) => panic!("data out: {e}"),
                    }
                }
            }
            Direction::None => {}
        }
        let csw = self.csw(&mut stalled);
        assert_eq!(csw.tag, tag, "csw tag");
        Reply { data, csw, stalled }
    }

    /// REQUEST SENSE (fixed format, 18 bytes).
    pub fn sense(&mut self) -> SenseRepr {
        let r = self.data_in(&[0x03, 0, 0, 0, 18, 0], 18);
        assert!(r.passed());
        SenseRepr::parse(&r.data).unwrap()
    }

    /// Runs a command that must fail, returning its sense.
    pub fn fails(&mut self, reply: Reply) -> SenseRepr {
        assert_eq!(reply.csw.status, CswStatus::Failed, "expected a failure");
        self.sense()
    }

    /// Waits until TEST UNIT READY passes, returning the sense codes seen
    /// meanwhile.
    pub fn wait_ready(&mut self) -> Vec<Sense> {
        let mut seen = Vec::new();
        for _ in 0..100_000 {
            let r = self.none(&[0, 0, 0, 0, 0, 0]);
            if r.passed() {
                return seen;
            }
            let s = self.sense().sense;
            seen.push(s);
            self.now += Duration::from_millis(500);
        }
        panic!("the drive never became ready: {seen:?}");
    }
}

/// Bytes per block of a TAO Mode 1 track (data block type 8).
pub const MODE1_BLOCK: usize = 2048;

/// MODE SELECT(10) with PF = 1 and a parameter list of `len` bytes.
pub fn mode_select_cdb(len: u8) -> [u8; 10] {
    [0x55, 0x10, 0, 0, 0, 0, 0, 0, len, 0]
}

/// The mode parameter list of a TAO Mode 1 data track (track mode 4, data
/// block type 8: 2048-byte blocks), with BUFE as given.
pub fn tao_mode1_page(bufe: bool) -> mmc::wire::mode::WriteParametersPage {
    use mmc::wire::mode::{DataBlockType, WriteParametersPage, WriteType};
    let mut page = WriteParametersPage::new(WriteType::Tao);
    page.track_mode = 4;
    page.data_block_type = DataBlockType::from_code(8);
    page.bufe = bufe;
    page
}

/// The MODE SELECT parameter list carrying `page`.
pub fn select_list(page: &mmc::wire::mode::WriteParametersPage) -> Vec<u8> {
    use mmc::wire::mode::{ModePage, ModeParameterList};
    ModeParameterList::with_page(ModePage::WriteParameters(page.clone())).to_select_vec()
}

/// `blocks` blocks of Mode 1 user data from `lba`, each block filled with
/// a pattern of its LBA.
pub fn mode1_data(lba: i32, blocks: u16) -> Vec<u8> {
    let mut v = Vec::with_capacity(blocks as usize * MODE1_BLOCK);
    for k in 0..blocks as i32 {
        let l = lba + k;
        v.extend((0..MODE1_BLOCK).map(|i| (l as u8) ^ (i as u8) ^ ((i >> 8) as u8)));
    }
    v
}

impl Host {
    /// MODE SELECT(10) of a TAO Mode 1 write parameters page; must pass.
    pub fn select_tao_mode1(&mut self, bufe: bool) {
        let list = select_list(&tao_mode1_page(bufe));
        let r = self.data_out(&mode_select_cdb(list.len() as u8), &list);
        assert!(r.passed(), "mode select: {:?}", r.csw);
    }

    /// WRITE(10) of `blocks` Mode 1 blocks from `lba` with
    /// [`mode1_data`].
    pub fn write_mode1(&mut self, lba: i32, blocks: u16) -> Reply {
        let cdb = mmc::wire::command::Write10::new(lba, blocks).to_bytes();
        self.data_out(&cdb, &mode1_data(lba, blocks))
    }

    /// SYNCHRONIZE CACHE (no IMMED, whole disc).
    pub fn synchronize_cache(&mut self) -> Reply {
        self.none(&[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    /// A control transfer on endpoint 0.
    pub fn control(&mut self, setup: &SetupPacket) -> Result<Vec<u8>, UsbError> {
        self.dev.control(setup, self.now)
    }

    /// Reads bulk IN once, at the current time.
    pub fn bulk_in(&mut self, len: usize) -> Result<Vec<u8>, UsbError> {
        self.dev.bulk_in(len, self.now)
    }

    /// Sends to bulk OUT once, at the current time.
    pub fn bulk_out(&mut self, data: &[u8]) -> Result<usize, UsbError> {
        self.dev.bulk_out(data, self.now)
    }
}

/// A big-endian 16-bit field of a reply.
pub fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// A big-endian 32-bit field of a reply.
pub fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The M/S/F bytes (binary) of a program-area address: 00:00:00 is LBA
/// −150 (`cd-standards.md` §2).
pub fn msf_of(lba: i32) -> [u8; 3] {
    let f = lba + 150;
    assert!(f >= 0, "no program-area time for lba {lba}");
    [(f / 4500) as u8, (f / 75 % 60) as u8, (f % 75) as u8]
}

/// Key, ASC and ASCQ of fixed-format sense data (`cd-standards.md` §6.3:
/// byte 2 bits 3–0, bytes 12 and 13).
pub fn key_asc_ascq(b: &[u8]) -> (u8, u8, u8) {
    assert!(b.len() >= 14, "sense data too short: {b:02x?}");
    (b[2] & 0x0f, b[12], b[13])
}

/// Mode page 05h, Write Parameters, as a host fills it
/// (`cd-standards.md` §6.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page05 {
    /// Byte 2 bit 6.
    pub bufe: bool,
    /// Byte 2 bit 4.
    pub test_write: bool,
    /// Byte 2 bits 3–0.
    pub write_type: u8,
    /// Byte 3 bits 7–6.
    pub multi_session: u8,
    /// Byte 3 bits 3–0.
    pub track_mode: u8,
    /// Byte 4 bits 3–0.
    pub data_block_type: u8,
    /// Byte 8.
    pub session_format: u8,
    /// Bytes 14–15.
    pub audio_pause: u16,
    /// Bytes 17–29 (MCVAL set) when given.
    pub mcn: Option<[u8; 13]>,
}

impl Page05 {
    /// TAO, Mode 1 data, data block type 8 (§6.10 "Typical settings").
    pub fn tao_mode1() -> Page05 {
        Page05 {
            bufe: true,
            test_write: false,
            write_type: 1,
            multi_session: 0,
            track_mode: 4,
            data_block_type: 8,
            session_format: 0,
            audio_pause: 150,
            mcn: None,
        }
    }

    /// SAO (track mode and data block type ignored, left 0).
    pub fn sao() -> Page05 {
        Page05 {
            write_type: 2,
            track_mode: 0,
            data_block_type: 0,
            ..Page05::tao_mode1()
        }
    }

    /// The page: code 05h, length 32h, 0x34 bytes.
    pub fn bytes(&self) -> Vec<u8> {
        let mut p = vec![0u8; 0x34];
        p[0] = 0x05;
        p[1] = 0x32;
        p[2] = (u8::from(self.bufe) << 6) | (u8::from(self.test_write) << 4) | self.write_type;
        p[3] = (self.multi_session << 6) | self.track_mode;
        p[4] = self.data_block_type;
        p[8] = self.session_format;
        p[14..16].copy_from_slice(&self.audio_pause.to_be_bytes());
        if let Some(mcn) = self.mcn {
            p[16] = 0x80;
            p[17..30].copy_from_slice(&mcn);
        }
        p
    }
}

impl Host {
    /// A drive with `config` and no disc whose power-on unit attention is
    /// still pending.
    pub fn fresh(config: RecorderConfig) -> Host {
        Host {
            dev: BulkOnly::new(Recorder::new(MemoryStore::new(), config)),
            now: Duration::ZERO,
            tag: 0,
        }
    }

    /// A drive that records at its real speed (taking virtual time)
    /// holding a blank disc, unit attentions consumed.
    pub fn timed(kind: MediaKind, minutes: u8) -> Host {
        let mut h = Host::with_config(RecorderConfig::default());
        h.insert(kind, minutes);
        h
    }

    /// REQUEST SENSE, fixed format, 18 bytes as they came.
    pub fn sense_bytes(&mut self) -> Vec<u8> {
        let r = self.data_in(&[0x03, 0, 0, 0, 18, 0], 18);
        assert!(r.passed(), "request sense failed");
        assert_eq!(r.data.len(), 18, "fixed sense length");
        r.data
    }

    /// Asserts that `reply` is a CHECK CONDITION and returns key, ASC and
    /// ASCQ from REQUEST SENSE.
    pub fn check(&mut self, reply: Reply) -> (u8, u8, u8) {
        assert_eq!(reply.csw.status, CswStatus::Failed, "expected a failure");
        key_asc_ascq(&self.sense_bytes())
    }

    /// MODE SELECT(10), PF = 1, with an all-zero 8-byte header and `page`.
    pub fn mode_select(&mut self, page: &[u8]) -> Reply {
        let mut data = vec![0u8; 8];
        data.extend_from_slice(page);
        let n = data.len() as u16;
        let [hi, lo] = n.to_be_bytes();
        self.data_out(&[0x55, 0x10, 0, 0, 0, 0, 0, hi, lo, 0], &data)
    }

    /// MODE SELECT(10) of a page 05h that must be taken.
    pub fn select(&mut self, page: &Page05) {
        let r = self.mode_select(&page.bytes());
        assert!(r.passed(), "mode select {page:?}: {:?}", self.sense());
    }

    /// MODE SENSE(10) with byte 2 = `pc_page` (PC in bits 7–6), DBD = 0.
    pub fn mode_sense(&mut self, pc_page: u8) -> Reply {
        self.data_in(&[0x5a, 0, pc_page, 0, 0, 0, 0, 0x10, 0x00, 0], 0x1000)
    }

    /// WRITE(10) of `blocks` blocks at `lba`.
    pub fn write10(&mut self, lba: i32, blocks: u16, data: &[u8]) -> Reply {
        let cdb = mmc::wire::command::Write10::new(lba, blocks).to_bytes();
        self.data_out(&cdb, data)
    }

    /// Writes `data` in blocks of `block` bytes from `lba` on, in WRITE(10)s
    /// of at most 300 blocks, each of which must pass.
    pub fn write_blocks(&mut self, lba: i32, block: usize, data: &[u8]) {
        assert_eq!(data.len() % block, 0, "whole blocks");
        let mut at = lba;
        for chunk in data.chunks(block * 300) {
            let n = (chunk.len() / block) as u16;
            let r = self.write10(at, n, chunk);
            assert!(r.passed(), "write at {at}: {:?}", self.sense());
            at += n as i32;
        }
    }

    /// SYNCHRONIZE CACHE(10) of everything.
    pub fn sync(&mut self, immed: bool) -> Reply {
        self.none(&[0x35, if immed { 0x02 } else { 0 }, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    /// READ DISC INFORMATION, standard data, 34 bytes asked.
    pub fn disc_info(&mut self) -> Vec<u8> {
        let r = self.data_in(&[0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0], 34);
        assert!(r.passed(), "read disc information: {:?}", self.sense());
        r.data
    }

    /// READ TRACK INFORMATION with address type `kind` (0 LBA, 1 track,
    /// 2 session).
    pub fn track_info(&mut self, kind: u8, address: u32) -> Reply {
        let [a, b, c, d] = address.to_be_bytes();
        self.data_in(&[0x52, kind, a, b, c, d, 0, 0, 36, 0], 36)
    }

    /// READ TOC/PMA/ATIP of `format`, MSF bit `msf`, from `track`.
    pub fn toc(&mut self, format: u8, msf: bool, track: u8) -> Reply {
        let msf = if msf { 0x02 } else { 0 };
        self.data_in(&[0x43, msf, format, 0, 0, 0, track, 0x10, 0x00, 0], 0x1000)
    }

    /// SEND CUE SHEET with `sheet`.
    pub fn send_cue_sheet(&mut self, sheet: &[u8]) -> Reply {
        let [_, a, b, c] = (sheet.len() as u32).to_be_bytes();
        self.data_out(&[0x5d, 0, 0, 0, 0, 0, a, b, c, 0], sheet)
    }

    /// CLOSE TRACK/SESSION, close function `function`, `track`.
    pub fn close(&mut self, immed: bool, function: u8, track: u16) -> Reply {
        let [hi, lo] = track.to_be_bytes();
        self.none(&[0x5b, u8::from(immed), function, 0, hi, lo, 0, 0, 0, 0])
    }
}

/// The virtual recorder with a blank `kind` of 80 minutes, recording at
/// its speed unless `instant`.
pub fn blank_recorder(kind: MediaKind, instant: bool) -> Recorder<MemoryStore> {
    let mut r = Recorder::new(
        MemoryStore::new(),
        RecorderConfig {
            instant,
            ..RecorderConfig::default()
        },
    );
    r.insert_blank(MediaSpec::new(kind, 80).unwrap()).unwrap();
    r
}

/// The host's Bulk-Only transport to the virtual drive, in memory.
pub type BotLink = mmc::bot::BotTransport<vdrive::pipe::VirtualPipe<MemoryStore>>;

/// The virtual drive with a blank `kind` of 80 minutes (recording at its
/// speed unless `instant`), behind Bulk-Only with `plan`.
pub fn bot_link(kind: MediaKind, instant: bool, plan: &vdrive::FaultPlan) -> BotLink {
    let mut dev = BulkOnly::new(blank_recorder(kind, instant));
    dev.set_faults(plan.clone());
    mmc::bot::BotTransport::new(
        vdrive::pipe::VirtualPipe::new(dev),
        mmc::bot::BotConfig::default(),
    )
}

/// A plan of one fault (JSON) on the `nth` `command`.
pub fn one_fault(command: &str, nth: u32, fault: &str) -> vdrive::FaultPlan {
    vdrive::FaultPlan::from_json(&format!(
        r#"{{ "faults": [ {{ "command": "{command}", "nth": {nth}, "fault": {fault} }} ] }}"#
    ))
    .unwrap()
}
