//! The CD/DVD Capabilities and Mechanical Status mode page, 2Ah: what the
//! drive can read and write, its buffer and its speeds (MMC-3;
//! `cd-standards.md` §6.11). Read only: drives report it, hosts never
//! select it.
//!
//! 32 fixed bytes, then 4-byte write speed descriptors. Older drives send
//! a shorter page (0x14 or 0x18 bytes); fields they leave out read as zero.

use super::super::{Partial, WireError, be16, need, put_be16};
use super::PAGE_CAPABILITIES;

/// Bytes of the page before the write speed descriptors.
pub const FIXED_LEN: usize = 32;
/// Bytes of a write speed descriptor.
pub const SPEED_DESCRIPTOR_LEN: usize = 4;

/// Page fields, offsets within the page (`cd-standards.md` §6.11).
pub mod field {
    /// Bit 7 PS, bits 5–0 page code (2Ah).
    pub const CODE: usize = 0;
    /// Page length.
    pub const LEN: usize = 1;
    /// Media read: bit 5 DVD-RAM, 4 DVD-R, 3 DVD-ROM, 2 Method 2, 1 CD-RW,
    /// 0 CD-R.
    pub const READ: usize = 2;
    /// Media write: bit 5 DVD-RAM, 4 DVD-R, 2 test write, 1 CD-RW, 0 CD-R.
    pub const WRITE: usize = 3;
    /// Bit 7 BUF, 6 multi-session, 5 Mode 2 Form 2, 4 Mode 2 Form 1, 3
    /// digital port 2, 2 digital port 1, 1 composite, 0 audio play.
    pub const FEATURES: usize = 4;
    /// Bit 7 bar code, 6 UPC, 5 ISRC, 4 C2 pointers, 3 R-W de-interleaved
    /// and corrected, 2 R-W, 1 CD-DA stream accurate, 0 CD-DA commands.
    pub const CD_READ: usize = 5;
    /// Bits 7–5 loading mechanism, 3 eject, 2 prevent jumper, 1 lock
    /// state, 0 lock.
    pub const MECHANISM: usize = 6;
    /// Bit 5 R-W in lead-in, 4 side change, 3 S/W slot selection, 2 disc
    /// present reporting, 1 separate mute, 0 separate volume levels.
    pub const CHANGER: usize = 7;
    /// Maximum read speed, kB/s (obsolete).
    pub const MAX_READ_SPEED: usize = 8;
    /// Number of volume levels.
    pub const VOLUME_LEVELS: usize = 10;
    /// Buffer size, KiB.
    pub const BUFFER_SIZE: usize = 12;
    /// Current read speed, kB/s (obsolete).
    pub const CURRENT_READ_SPEED: usize = 14;
    /// Digital audio output format bits.
    pub const DIGITAL_AUDIO_FORMAT: usize = 17;
    /// Maximum write speed, kB/s (obsolete).
    pub const MAX_WRITE_SPEED: usize = 18;
    /// Current write speed, kB/s (obsolete).
    pub const CURRENT_WRITE_SPEED: usize = 20;
    /// Copy management revision.
    pub const COPY_MANAGEMENT_REVISION: usize = 22;
    /// Bits 1–0: rotation control selected.
    pub const ROTATION_CONTROL: usize = 27;
    /// Current write speed selected, kB/s.
    pub const CURRENT_WRITE_SPEED_SELECTED: usize = 28;
    /// Number of write speed descriptors.
    pub const SPEED_DESCRIPTORS: usize = 30;
}

/// A write speed descriptor of page 2Ah.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpeedDescriptor {
    /// Rotation control (2 bits: 0 CLV, 1 CAV).
    pub rotation_control: u8,
    /// Write speed, kB/s.
    pub write_speed: u16,
}

/// The CD/DVD Capabilities and Mechanical Status page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CapabilitiesPage {
    /// Reads CD-R.
    pub cd_r_read: bool,
    /// Reads CD-RW.
    pub cd_rw_read: bool,
    /// Reads fixed-packet CD-R/RW (Method 2).
    pub method2: bool,
    /// Reads DVD-ROM.
    pub dvd_rom_read: bool,
    /// Reads DVD-R.
    pub dvd_r_read: bool,
    /// Reads DVD-RAM.
    pub dvd_ram_read: bool,
    /// Writes CD-R.
    pub cd_r_write: bool,
    /// Writes CD-RW.
    pub cd_rw_write: bool,
    /// Test write (simulation).
    pub test_write: bool,
    /// Writes DVD-R.
    pub dvd_r_write: bool,
    /// Writes DVD-RAM.
    pub dvd_ram_write: bool,
    /// BUF: buffer underrun protection.
    pub buf: bool,
    /// Reads multi-session discs.
    pub multi_session: bool,
    /// Reads Mode 2 Form 2.
    pub mode2_form2: bool,
    /// Reads Mode 2 Form 1 (XA).
    pub mode2_form1: bool,
    /// Digital port 2.
    pub digital_port2: bool,
    /// Digital port 1.
    pub digital_port1: bool,
    /// Composite audio/video.
    pub composite: bool,
    /// Audio play.
    pub audio_play: bool,
    /// Reads the disc bar code.
    pub bar_code: bool,
    /// Reads the media catalog number.
    pub upc: bool,
    /// Reads ISRCs.
    pub isrc: bool,
    /// Reads C2 error pointers.
    pub c2_pointers: bool,
    /// Reads R-W de-interleaved and corrected.
    pub rw_corrected: bool,
    /// Reads R-W.
    pub rw_supported: bool,
    /// CD-DA stream is accurate.
    pub cdda_accurate: bool,
    /// CD-DA commands (READ CD of audio).
    pub cdda_commands: bool,
    /// Loading mechanism (3 bits: 0 caddy, 1 tray, 2 pop-up, 4/5 changer).
    pub loading_mechanism: u8,
    /// Ejects by command.
    pub eject: bool,
    /// Prevent jumper present.
    pub prevent_jumper: bool,
    /// The medium is locked now.
    pub lock_state: bool,
    /// Can lock the medium.
    pub lock: bool,
    /// Reads R-W in the lead-in (CD-TEXT).
    pub rw_in_lead_in: bool,
    /// Side change capable.
    pub side_change: bool,
    /// Software slot selection.
    pub slot_selection: bool,
    /// Disc present reporting.
    pub disc_present: bool,
    /// Separate channel mute.
    pub separate_mute: bool,
    /// Separate volume levels.
    pub separate_volume: bool,
    /// Maximum read speed, kB/s (obsolete field).
    pub max_read_speed: u16,
    /// Number of volume levels.
    pub volume_levels: u16,
    /// Buffer size, KiB.
    pub buffer_size_kib: u16,
    /// Current read speed, kB/s (obsolete field).
    pub current_read_speed: u16,
    /// Digital audio output format bits (byte 17).
    pub digital_audio_format: u8,
    /// Maximum write speed, kB/s (obsolete field).
    pub max_write_speed: u16,
    /// Current write speed, kB/s (obsolete field).
    pub current_write_speed: u16,
    /// Copy management revision.
    pub copy_management_revision: u16,
    /// Rotation control selected (2 bits).
    pub rotation_control: u8,
    /// Current write speed selected, kB/s.
    pub current_write_speed_selected: u16,
    /// Write speed descriptors, fastest first (at most 55 are emitted).
    pub write_speeds: Vec<SpeedDescriptor>,
}

impl CapabilitiesPage {
    /// Parses the page (header included) from the start of `bytes`. The PS
    /// bit is ignored; the page length bounds what is read, fields cut off
    /// read as zero, and only the write speed descriptors present are kept
    /// (whatever their count says).
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] under the 2-byte header,
    /// [`WireError::Field`] for another page code.
    pub fn parse(bytes: &[u8]) -> Result<CapabilitiesPage, WireError> {
        const WHAT: &str = "capabilities page";
        need(WHAT, bytes, 2)?;
        let code = bytes[field::CODE] & 0x3f;
        if code != PAGE_CAPABILITIES {
            return Err(WireError::Field {
                what: WHAT,
                field: "page code",
                value: code as u32,
            });
        }
        let p = Partial::new(bytes, 2 + bytes[field::LEN] as usize);
        let bits = |at: usize| {
            let b = p.u8(at);
            [0x80, 0x40, 0x20, 0x10, 0x08, 0x04, 0x02, 0x01].map(|m| b & m != 0)
        };
        let [
            _,
            _,
            dvd_ram_read,
            dvd_r_read,
            dvd_rom_read,
            method2,
            cd_rw_read,
            cd_r_read,
        ] = bits(field::READ);
        let [
            _,
            _,
            dvd_ram_write,
            dvd_r_write,
            _,
            test_write,
            cd_rw_write,
            cd_r_write,
        ] = bits(field::WRITE);
        let [
            buf,
            multi_session,
            mode2_form2,
            mode2_form1,
            digital_port2,
            digital_port1,
            composite,
            audio_play,
        ] = bits(field::FEATURES);
        let [
            bar_code,
            upc,
            isrc,
            c2_pointers,
            rw_corrected,
            rw_supported,
            cdda_accurate,
            cdda_commands,
        ] = bits(field::CD_READ);
        let [_, _, _, _, eject, prevent_jumper, lock_state, lock] = bits(field::MECHANISM);
        let [
            _,
            _,
            rw_in_lead_in,
            side_change,
            slot_selection,
            disc_present,
            separate_mute,
            separate_volume,
        ] = bits(field::CHANGER);
        let count = p.be16(field::SPEED_DESCRIPTORS) as usize;
        let write_speeds = p
            .bytes()
            .get(FIXED_LEN..)
            .unwrap_or(&[])
            .chunks_exact(SPEED_DESCRIPTOR_LEN)
            .take(count)
            .map(|d| SpeedDescriptor {
                rotation_control: d[1] & 0x03,
                write_speed: be16(d, 2),
            })
            .collect();
        Ok(CapabilitiesPage {
            cd_r_read,
            cd_rw_read,
            method2,
            dvd_rom_read,
            dvd_r_read,
            dvd_ram_read,
            cd_r_write,
            cd_rw_write,
            test_write,
            dvd_r_write,
            dvd_ram_write,
            buf,
            multi_session,
            mode2_form2,
            mode2_form1,
            digital_port2,
            digital_port1,
            composite,
            audio_play,
            bar_code,
            upc,
            isrc,
            c2_pointers,
            rw_corrected,
            rw_supported,
            cdda_accurate,
            cdda_commands,
            loading_mechanism: p.u8(field::MECHANISM) >> 5,
            eject,
            prevent_jumper,
            lock_state,
            lock,
            rw_in_lead_in,
            side_change,
            slot_selection,
            disc_present,
            separate_mute,
            separate_volume,
            max_read_speed: p.be16(field::MAX_READ_SPEED),
            volume_levels: p.be16(field::VOLUME_LEVELS),
            buffer_size_kib: p.be16(field::BUFFER_SIZE),
            current_read_speed: p.be16(field::CURRENT_READ_SPEED),
            digital_audio_format: p.u8(field::DIGITAL_AUDIO_FORMAT),
            max_write_speed: p.be16(field::MAX_WRITE_SPEED),
            current_write_speed: p.be16(field::CURRENT_WRITE_SPEED),
            copy_management_revision: p.be16(field::COPY_MANAGEMENT_REVISION),
            rotation_control: p.u8(field::ROTATION_CONTROL) & 0x03,
            current_write_speed_selected: p.be16(field::CURRENT_WRITE_SPEED_SELECTED),
            write_speeds,
        })
    }

    /// Bytes [`CapabilitiesPage::emit`] writes: 32 plus 4 per descriptor.
    pub fn buffer_len(&self) -> usize {
        FIXED_LEN + SPEED_DESCRIPTOR_LEN * self.write_speeds.len().min(MAX_SPEEDS)
    }

    /// Writes the page into `out[..buffer_len()]`, PS clear.
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`CapabilitiesPage::buffer_len`].
    pub fn emit(&self, out: &mut [u8]) {
        let byte = |bits: [bool; 8]| {
            bits.iter()
                .zip([0x80u8, 0x40, 0x20, 0x10, 0x08, 0x04, 0x02, 0x01])
                .fold(0u8, |b, (&on, m)| if on { b | m } else { b })
        };
        let len = self.buffer_len();
        out[..len].fill(0);
        out[field::CODE] = PAGE_CAPABILITIES;
        out[field::LEN] = (len - 2) as u8;
        out[field::READ] = byte([
            false,
            false,
            self.dvd_ram_read,
            self.dvd_r_read,
            self.dvd_rom_read,
            self.method2,
            self.cd_rw_read,
            self.cd_r_read,
        ]);
        out[field::WRITE] = byte([
            false,
            false,
            self.dvd_ram_write,
            self.dvd_r_write,
            false,
            self.test_write,
            self.cd_rw_write,
            self.cd_r_write,
        ]);
        out[field::FEATURES] = byte([
            self.buf,
            self.multi_session,
            self.mode2_form2,
            self.mode2_form1,
            self.digital_port2,
            self.digital_port1,
            self.composite,
            self.audio_play,
        ]);
        out[field::CD_READ] = byte([
            self.bar_code,
            self.upc,
            self.isrc,
            self.c2_pointers,
            self.rw_corrected,
            self.rw_supported,
            self.cdda_accurate,
            self.cdda_commands,
        ]);
        out[field::MECHANISM] = ((self.loading_mechanism & 0x07) << 5)
            | byte([
                false,
                false,
                false,
                false,
                self.eject,
                self.prevent_jumper,
                self.lock_state,
                self.lock,
            ]);
        out[field::CHANGER] = byte([
            false,
            false,
            self.rw_in_lead_in,
            self.side_change,
            self.slot_selection,
            self.disc_present,
            self.separate_mute,
            self.separate_volume,
        ]);
        put_be16(out, field::MAX_READ_SPEED, self.max_read_speed);
        put_be16(out, field::VOLUME_LEVELS, self.volume_levels);
        put_be16(out, field::BUFFER_SIZE, self.buffer_size_kib);
        put_be16(out, field::CURRENT_READ_SPEED, self.current_read_speed);
        out[field::DIGITAL_AUDIO_FORMAT] = self.digital_audio_format;
        put_be16(out, field::MAX_WRITE_SPEED, self.max_write_speed);
        put_be16(out, field::CURRENT_WRITE_SPEED, self.current_write_speed);
        put_be16(
            out,
            field::COPY_MANAGEMENT_REVISION,
            self.copy_management_revision,
        );
        out[field::ROTATION_CONTROL] = self.rotation_control & 0x03;
        put_be16(
            out,
            field::CURRENT_WRITE_SPEED_SELECTED,
            self.current_write_speed_selected,
        );
        let n = (len - FIXED_LEN) / SPEED_DESCRIPTOR_LEN;
        put_be16(out, field::SPEED_DESCRIPTORS, n as u16);
        for (o, d) in out[FIXED_LEN..len]
            .chunks_exact_mut(SPEED_DESCRIPTOR_LEN)
            .zip(&self.write_speeds)
        {
            o[1] = d.rotation_control & 0x03;
            put_be16(o, 2, d.write_speed);
        }
    }

    /// The page as bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.buffer_len()];
        self.emit(&mut v);
        v
    }
}

/// Descriptors that fit a 1-byte page length.
const MAX_SPEEDS: usize = (0xff - (FIXED_LEN - 2)) / SPEED_DESCRIPTOR_LEN;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A CD-RW recorder with a 2 MiB buffer, 40× (7056 kB/s) maximum and
    /// two write speed descriptors: 40× and 20× (3528 kB/s), CLV.
    const GOLDEN: [u8; 40] = [
        0x2a, 0x26, 0x07, 0x07, 0xf1, 0x7f, 0x29, 0x03, //
        0x1b, 0x90, 0x01, 0x00, 0x08, 0x00, 0x1b, 0x90, // speeds, volume, buffer
        0x00, 0x00, 0x1b, 0x90, 0x1b, 0x90, 0x00, 0x01, //
        0x00, 0x00, 0x00, 0x00, 0x1b, 0x90, 0x00, 0x02, //
        0x00, 0x00, 0x1b, 0x90, 0x00, 0x00, 0x0d, 0xc8, //
    ];

    fn golden() -> CapabilitiesPage {
        CapabilitiesPage {
            cd_r_read: true,
            cd_rw_read: true,
            method2: true,
            cd_r_write: true,
            cd_rw_write: true,
            test_write: true,
            buf: true,
            multi_session: true,
            mode2_form2: true,
            mode2_form1: true,
            audio_play: true,
            upc: true,
            isrc: true,
            c2_pointers: true,
            rw_corrected: true,
            rw_supported: true,
            cdda_accurate: true,
            cdda_commands: true,
            loading_mechanism: 1,
            eject: true,
            lock: true,
            separate_mute: true,
            separate_volume: true,
            max_read_speed: 7056,
            volume_levels: 256,
            buffer_size_kib: 2048,
            current_read_speed: 7056,
            max_write_speed: 7056,
            current_write_speed: 7056,
            copy_management_revision: 1,
            current_write_speed_selected: 7056,
            write_speeds: vec![
                SpeedDescriptor {
                    rotation_control: 0,
                    write_speed: 7056,
                },
                SpeedDescriptor {
                    rotation_control: 0,
                    write_speed: 3528,
                },
            ],
            ..CapabilitiesPage::default()
        }
    }

    #[test]
    fn golden_page() {
        let p = CapabilitiesPage::parse(&GOLDEN).unwrap();
        assert_eq!(p, golden());
        let mut out = [0xa5u8; 40];
        p.emit(&mut out);
        assert_eq!(out, GOLDEN);
        let mut ps = GOLDEN;
        ps[0] |= 0x80;
        assert_eq!(CapabilitiesPage::parse(&ps), Ok(golden()));
    }

    #[test]
    fn short_pages() {
        // An MMC-2 page of 0x18 bytes: no write speed fields after byte 25.
        let mut b = GOLDEN[..26].to_vec();
        b[1] = 0x18;
        let p = CapabilitiesPage::parse(&b).unwrap();
        assert_eq!(p.buffer_size_kib, 2048);
        assert_eq!(p.current_write_speed_selected, 0);
        assert!(p.write_speeds.is_empty());
        // Allocation length cut inside the second descriptor.
        assert_eq!(
            CapabilitiesPage::parse(&GOLDEN[..38])
                .unwrap()
                .write_speeds
                .len(),
            1
        );
        assert!(CapabilitiesPage::parse(&[0x2a]).is_err());
        assert!(CapabilitiesPage::parse(&[0x05, 0x00]).is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = CapabilitiesPage::parse(&b);
        }

        #[test]
        fn roundtrip(mut b in proptest::collection::vec(any::<u8>(), 2..64)) {
            b[0] = 0x2a;
            let p = CapabilitiesPage::parse(&b).unwrap();
            prop_assert_eq!(CapabilitiesPage::parse(&p.to_vec()), Ok(p));
        }
    }
}
