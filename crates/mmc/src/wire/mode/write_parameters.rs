//! The Write Parameters mode page, 05h: how the next WRITE commands are
//! recorded (MMC-5; `cd-standards.md` §6.10).
//!
//! The standard page is 0x32 bytes after its 2-byte header; drives may
//! report 0x36 with four vendor bytes, which are kept and sent back.

use super::super::{Field, Partial, WireError, ascii_text, need, put_ascii, put_be16, put_be32};
use super::PAGE_WRITE_PARAMETERS;

/// Page length (bytes after the 2-byte header) of the standard page.
pub const PAGE_LEN: u8 = 0x32;
/// Bytes of the standard page, header included.
pub const STANDARD_LEN: usize = 2 + PAGE_LEN as usize;

/// Page fields, offsets within the page (`cd-standards.md` §6.10).
pub mod field {
    use super::Field;
    /// Bit 7 PS, bits 5–0 page code (05h).
    pub const CODE: usize = 0;
    /// Page length.
    pub const LEN: usize = 1;
    /// Bit 6 BUFE, bit 5 LS_V, bit 4 test write, bits 3–0 write type.
    pub const WRITE_TYPE: usize = 2;
    /// Bits 7–6 multi-session, bit 5 FP, bit 4 copy, bits 3–0 track mode.
    pub const TRACK_MODE: usize = 3;
    /// Bits 3–0: data block type.
    pub const DATA_BLOCK_TYPE: usize = 4;
    /// Link size (valid with LS_V).
    pub const LINK_SIZE: usize = 5;
    /// Bits 5–0: host application code.
    pub const HOST_APPLICATION_CODE: usize = 7;
    /// Session format: 00h CD-DA/CD-ROM, 10h CD-I, 20h CD-ROM XA.
    pub const SESSION_FORMAT: usize = 8;
    /// Packet size in blocks.
    pub const PACKET_SIZE: Field = 10..14;
    /// Audio pause length in blocks.
    pub const AUDIO_PAUSE_LENGTH: Field = 14..16;
    /// Byte 16 bit 7 MCVAL, bytes 17–29 the catalog number (ASCII).
    pub const MCN: Field = 16..32;
    /// The 13 MCN digits.
    pub const MCN_DIGITS: Field = 17..30;
    /// Byte 32 bit 7 TCVAL, bytes 33–44 the ISRC (ASCII).
    pub const ISRC: Field = 32..48;
    /// The 12 ISRC characters.
    pub const ISRC_CHARS: Field = 33..45;
    /// XA subheader bytes 0–3 (data block types 10 and 12).
    pub const SUBHEADER: Field = 48..52;
    /// Vendor-specific bytes of a longer page.
    pub const VENDOR: usize = 52;
}

/// The write type (byte 2 bits 3–0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WriteType {
    /// 0: packet/incremental.
    Packet,
    /// 1: Track At Once.
    Tao,
    /// 2: Session At Once.
    Sao,
    /// 3: raw.
    Raw,
    /// 4: layer jump (DVD-R DL).
    LayerJump,
    /// 5–Fh: reserved.
    Unknown(u8),
}

impl WriteType {
    /// The 4-bit code.
    pub const fn code(self) -> u8 {
        match self {
            WriteType::Packet => 0,
            WriteType::Tao => 1,
            WriteType::Sao => 2,
            WriteType::Raw => 3,
            WriteType::LayerJump => 4,
            WriteType::Unknown(v) => v & 0x0f,
        }
    }

    /// The write type of a code (low 4 bits).
    pub const fn from_code(v: u8) -> WriteType {
        match v & 0x0f {
            0 => WriteType::Packet,
            1 => WriteType::Tao,
            2 => WriteType::Sao,
            3 => WriteType::Raw,
            4 => WriteType::LayerJump,
            v => WriteType::Unknown(v),
        }
    }
}

/// Multi-session (byte 3 bits 7–6): what closing the session leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MultiSession {
    /// 00b: no B0 pointer, no next session (finalize).
    Finalize,
    /// 01b: B0 = FF:FF:FF, no next session.
    FinalizeWithB0,
    /// 10b: reserved.
    Reserved,
    /// 11b: next session allowed, B0 = next program area.
    NextSession,
}

impl MultiSession {
    /// The 2-bit code.
    pub const fn code(self) -> u8 {
        match self {
            MultiSession::Finalize => 0,
            MultiSession::FinalizeWithB0 => 1,
            MultiSession::Reserved => 2,
            MultiSession::NextSession => 3,
        }
    }

    /// The setting of a code (low 2 bits).
    pub const fn from_code(v: u8) -> MultiSession {
        match v & 0x03 {
            0 => MultiSession::Finalize,
            1 => MultiSession::FinalizeWithB0,
            2 => MultiSession::Reserved,
            _ => MultiSession::NextSession,
        }
    }
}

/// The data block type (byte 4 bits 3–0): what each block of a WRITE
/// holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataBlockType {
    /// 0: raw 2352-byte sectors.
    Raw,
    /// 1: raw sector + 16 bytes of formatted P/Q (2368).
    RawPq,
    /// 2: raw sector + 96 bytes of P-W, R-W packed (2448).
    RawPwPacked,
    /// 3: raw sector + 96 bytes of raw P-W (2448).
    RawPw,
    /// 8: Mode 1 user data (2048).
    Mode1,
    /// 9: Mode 2 formless user data (2336).
    Mode2,
    /// 10: Mode 2 Form 1 user data, subheader from the page (2048).
    Mode2Form1,
    /// 11: Mode 2 Form 1 with its 8-byte subheader (2056).
    Mode2Form1Subheader,
    /// 12: Mode 2 Form 2 user data, subheader from the page (2324).
    Mode2Form2,
    /// 13: Mode 2 with an 8-byte subheader, either form (2332).
    Mode2Mixed,
    /// 4–7, 14, 15: reserved or vendor specific.
    Unknown(u8),
}

impl DataBlockType {
    /// The 4-bit code.
    pub const fn code(self) -> u8 {
        match self {
            DataBlockType::Raw => 0,
            DataBlockType::RawPq => 1,
            DataBlockType::RawPwPacked => 2,
            DataBlockType::RawPw => 3,
            DataBlockType::Mode1 => 8,
            DataBlockType::Mode2 => 9,
            DataBlockType::Mode2Form1 => 10,
            DataBlockType::Mode2Form1Subheader => 11,
            DataBlockType::Mode2Form2 => 12,
            DataBlockType::Mode2Mixed => 13,
            DataBlockType::Unknown(v) => v & 0x0f,
        }
    }

    /// The type of a code (low 4 bits).
    pub const fn from_code(v: u8) -> DataBlockType {
        match v & 0x0f {
            0 => DataBlockType::Raw,
            1 => DataBlockType::RawPq,
            2 => DataBlockType::RawPwPacked,
            3 => DataBlockType::RawPw,
            8 => DataBlockType::Mode1,
            9 => DataBlockType::Mode2,
            10 => DataBlockType::Mode2Form1,
            11 => DataBlockType::Mode2Form1Subheader,
            12 => DataBlockType::Mode2Form2,
            13 => DataBlockType::Mode2Mixed,
            v => DataBlockType::Unknown(v),
        }
    }

    /// Bytes per block the host sends; `None` for reserved and vendor
    /// types.
    pub const fn block_size(self) -> Option<u32> {
        Some(match self {
            DataBlockType::Raw => 2352,
            DataBlockType::RawPq => 2368,
            DataBlockType::RawPwPacked | DataBlockType::RawPw => 2448,
            DataBlockType::Mode1 | DataBlockType::Mode2Form1 => 2048,
            DataBlockType::Mode2 => 2336,
            DataBlockType::Mode2Form1Subheader => 2056,
            DataBlockType::Mode2Form2 => 2324,
            DataBlockType::Mode2Mixed => 2332,
            DataBlockType::Unknown(_) => return None,
        })
    }
}

/// The Write Parameters mode page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteParametersPage {
    /// BUFE: buffer underrun free recording.
    pub bufe: bool,
    /// LS_V: the link size is valid.
    pub ls_v: bool,
    /// Test write: simulate, laser at read power.
    pub test_write: bool,
    /// Write type.
    pub write_type: WriteType,
    /// Multi-session.
    pub multi_session: MultiSession,
    /// FP: fixed packets.
    pub fp: bool,
    /// Copy: the SCMS copy bit.
    pub copy: bool,
    /// Track mode: the Q CONTROL nibble of the track (4 bits).
    pub track_mode: u8,
    /// Data block type.
    pub data_block_type: DataBlockType,
    /// Link size.
    pub link_size: u8,
    /// Host application code (6 bits).
    pub host_application_code: u8,
    /// Session format: 00h CD-DA/CD-ROM, 10h CD-I, 20h CD-ROM XA.
    pub session_format: u8,
    /// Packet size in blocks.
    pub packet_size: u32,
    /// Audio pause length in blocks (150 = 2 s).
    pub audio_pause_length: u16,
    /// Media catalog number, 13 ASCII digits (`Some` sets MCVAL; at most 13
    /// characters are emitted).
    pub mcn: Option<String>,
    /// ISRC, 12 ASCII characters (`Some` sets TCVAL; at most 12 are
    /// emitted).
    pub isrc: Option<String>,
    /// XA subheader for data block types 10 and 12.
    pub subheader: [u8; 4],
    /// Vendor-specific bytes after the standard 0x32 (4 in the 0x36 form;
    /// at most 205 are emitted).
    pub vendor: Vec<u8>,
}

impl WriteParametersPage {
    /// A page for `write_type` with everything else clear: data block type
    /// 0, session format 00h, the default audio pause of 150 blocks.
    pub fn new(write_type: WriteType) -> WriteParametersPage {
        WriteParametersPage {
            bufe: false,
            ls_v: false,
            test_write: false,
            write_type,
            multi_session: MultiSession::Finalize,
            fp: false,
            copy: false,
            track_mode: 0,
            data_block_type: DataBlockType::Raw,
            link_size: 0,
            host_application_code: 0,
            session_format: 0,
            packet_size: 0,
            audio_pause_length: 150,
            mcn: None,
            isrc: None,
            subheader: [0; 4],
            vendor: Vec::new(),
        }
    }

    /// Parses the page (header included) from the start of `bytes`. The PS
    /// bit is ignored; the page length bounds what is read, and fields cut
    /// off read as zero (MCN and ISRC as `None`). Bytes past the standard
    /// 0x32 are kept as [`WriteParametersPage::vendor`].
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] under the 2-byte header,
    /// [`WireError::Field`] for another page code.
    pub fn parse(bytes: &[u8]) -> Result<WriteParametersPage, WireError> {
        const WHAT: &str = "write parameters page";
        need(WHAT, bytes, 2)?;
        let code = bytes[field::CODE] & 0x3f;
        if code != PAGE_WRITE_PARAMETERS {
            return Err(WireError::Field {
                what: WHAT,
                field: "page code",
                value: code as u32,
            });
        }
        let p = Partial::new(bytes, 2 + bytes[field::LEN] as usize);
        let wt = p.u8(field::WRITE_TYPE);
        let tm = p.u8(field::TRACK_MODE);
        let text = |f: Field, valid_at: usize| {
            (p.bit(valid_at, 0x80) && p.has(f.clone())).then(|| ascii_text(&p.bytes()[f]))
        };
        Ok(WriteParametersPage {
            bufe: wt & 0x40 != 0,
            ls_v: wt & 0x20 != 0,
            test_write: wt & 0x10 != 0,
            write_type: WriteType::from_code(wt),
            multi_session: MultiSession::from_code(tm >> 6),
            fp: tm & 0x20 != 0,
            copy: tm & 0x10 != 0,
            track_mode: tm & 0x0f,
            data_block_type: DataBlockType::from_code(p.u8(field::DATA_BLOCK_TYPE)),
            link_size: p.u8(field::LINK_SIZE),
            host_application_code: p.u8(field::HOST_APPLICATION_CODE) & 0x3f,
            session_format: p.u8(field::SESSION_FORMAT),
            packet_size: p.be32(field::PACKET_SIZE.start),
            audio_pause_length: p.be16(field::AUDIO_PAUSE_LENGTH.start),
            mcn: text(field::MCN_DIGITS, field::MCN.start),
            isrc: text(field::ISRC_CHARS, field::ISRC.start),
            subheader: p.array::<4>(field::SUBHEADER.start).unwrap_or([0; 4]),
            vendor: p.bytes().get(field::VENDOR..).unwrap_or(&[]).to_vec(),
        })
    }

    /// The page length byte: 0x32 plus the vendor bytes.
    pub fn page_len(&self) -> u8 {
        PAGE_LEN + self.vendor.len().min(MAX_VENDOR) as u8
    }

    /// Bytes [`WriteParametersPage::emit`] writes (52 for the standard
    /// page).
    pub fn buffer_len(&self) -> usize {
        2 + self.page_len() as usize
    }

    /// Writes the page into `out[..buffer_len()]`, PS clear.
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`WriteParametersPage::buffer_len`].
    pub fn emit(&self, out: &mut [u8]) {
        let flag = |on: bool, mask: u8| if on { mask } else { 0 };
        let len = self.buffer_len();
        out[..len].fill(0);
        out[field::CODE] = PAGE_WRITE_PARAMETERS;
        out[field::LEN] = self.page_len();
        out[field::WRITE_TYPE] = flag(self.bufe, 0x40)
            | flag(self.ls_v, 0x20)
            | flag(self.test_write, 0x10)
            | self.write_type.code();
        out[field::TRACK_MODE] = (self.multi_session.code() << 6)
            | flag(self.fp, 0x20)
            | flag(self.copy, 0x10)
            | (self.track_mode & 0x0f);
        out[field::DATA_BLOCK_TYPE] = self.data_block_type.code();
        out[field::LINK_SIZE] = self.link_size;
        out[field::HOST_APPLICATION_CODE] = self.host_application_code & 0x3f;
        out[field::SESSION_FORMAT] = self.session_format;
        put_be32(out, field::PACKET_SIZE.start, self.packet_size);
        put_be16(
            out,
            field::AUDIO_PAUSE_LENGTH.start,
            self.audio_pause_length,
        );
        if let Some(mcn) = &self.mcn {
            out[field::MCN.start] = 0x80;
            put_ascii(&mut out[field::MCN_DIGITS], mcn, 0);
        }
        if let Some(isrc) = &self.isrc {
            out[field::ISRC.start] = 0x80;
            put_ascii(&mut out[field::ISRC_CHARS], isrc, 0);
        }
        out[field::SUBHEADER].copy_from_slice(&self.subheader);
        out[field::VENDOR..len].copy_from_slice(&self.vendor[..len - field::VENDOR]);
    }

    /// The page as bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.buffer_len()];
        self.emit(&mut v);
        v
    }
}

/// Vendor bytes that fit a 1-byte page length.
const MAX_VENDOR: usize = 0xff - PAGE_LEN as usize;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn block_sizes() {
        let sizes: Vec<(u8, Option<u32>)> = (0..16)
            .map(|c| (c, DataBlockType::from_code(c).block_size()))
            .collect();
        let want = [
            (0, Some(2352)),
            (1, Some(2368)),
            (2, Some(2448)),
            (3, Some(2448)),
            (4, None),
            (5, None),
            (6, None),
            (7, None),
            (8, Some(2048)),
            (9, Some(2336)),
            (10, Some(2048)),
            (11, Some(2056)),
            (12, Some(2324)),
            (13, Some(2332)),
            (14, None),
            (15, None),
        ];
        assert_eq!(sizes, want);
        for c in 0..16 {
            assert_eq!(DataBlockType::from_code(c).code(), c);
            assert_eq!(WriteType::from_code(c).code(), c);
        }
    }

    #[test]
    fn tao_data_with_ids() {
        // TAO, Mode 1 track, test write, multi-session open, XA session,
        // MCN and ISRC set: the text fields and their valid bits.
        let mut p = WriteParametersPage::new(WriteType::Tao);
        p.test_write = true;
        p.multi_session = MultiSession::NextSession;
        p.track_mode = 4;
        p.data_block_type = DataBlockType::Mode1;
        p.session_format = 0x20;
        p.mcn = Some("0036000291452".into());
        p.isrc = Some("USRC17607839".into());
        let b = p.to_vec();
        assert_eq!(b[..10], [0x05, 0x32, 0x11, 0xc4, 0x08, 0, 0, 0, 0x20, 0]);
        assert_eq!(b[16], 0x80);
        assert_eq!(&b[17..30], b"0036000291452");
        assert_eq!(b[30..32], [0, 0]);
        assert_eq!(b[32], 0x80);
        assert_eq!(&b[33..45], b"USRC17607839");
        assert_eq!(WriteParametersPage::parse(&b), Ok(p));
    }

    #[test]
    fn long_form_and_refusals() {
        let mut b = WriteParametersPage::new(WriteType::Sao).to_vec();
        b[1] = 0x36;
        b.extend_from_slice(&[1, 2, 3, 4]);
        b[0] |= 0x80; // PS
        let p = WriteParametersPage::parse(&b).unwrap();
        assert_eq!(p.vendor, [1, 2, 3, 4]);
        assert_eq!(p.page_len(), 0x36);
        let mut out = vec![0xa5u8; 56];
        p.emit(&mut out);
        b[0] = 0x05;
        assert_eq!(out, b);
        assert!(matches!(
            WriteParametersPage::parse(&[0x2a, 0]),
            Err(WireError::Field { .. })
        ));
        assert!(WriteParametersPage::parse(&[0x05]).is_err());
        // Cut inside the MCN: no MCN, the earlier fields kept.
        let p = WriteParametersPage::parse(&out[..20]).unwrap();
        assert_eq!((p.write_type, p.mcn), (WriteType::Sao, None));
    }

    proptest! {
        #[test]
        fn parse_never_panics(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = WriteParametersPage::parse(&b);
        }

        #[test]
        fn roundtrip(mut b in proptest::collection::vec(any::<u8>(), 2..64)) {
            b[0] = 0x05;
            let p = WriteParametersPage::parse(&b).unwrap();
            prop_assert_eq!(WriteParametersPage::parse(&p.to_vec()), Ok(p));
        }
    }
}
