//! USB Mass Storage Bulk-Only Transport: the Command Block Wrapper, the
//! Command Status Wrapper, class requests, and the 13 host/device cases
//! (`cd-standards.md` §7; BOT 1.0). All fields little-endian.

use super::{Field, WireError, le32, need, put_le32};

/// `dCBWSignature`, "USBC".
pub const CBW_SIGNATURE: u32 = 0x4342_5355;
/// `dCSWSignature`, "USBS".
pub const CSW_SIGNATURE: u32 = 0x5342_5355;
/// Bytes in a CBW.
pub const CBW_LEN: usize = 31;
/// Bytes in a CSW.
pub const CSW_LEN: usize = 13;
/// Longest CDB a CBW carries.
pub const MAX_CDB: usize = 16;

/// CBW fields (BOT §5.1).
pub mod cbw_field {
    use super::Field;
    /// dCBWSignature.
    pub const SIGNATURE: Field = 0..4;
    /// dCBWTag.
    pub const TAG: Field = 4..8;
    /// dCBWDataTransferLength.
    pub const DATA_LEN: Field = 8..12;
    /// bmCBWFlags (bit 7: data in).
    pub const FLAGS: usize = 12;
    /// bCBWLUN (bits 3–0).
    pub const LUN: usize = 13;
    /// bCBWCBLength (bits 4–0).
    pub const CB_LEN: usize = 14;
    /// CBWCB.
    pub const CDB: Field = 15..31;
}

/// CSW fields (BOT §5.2).
pub mod csw_field {
    use super::Field;
    /// dCSWSignature.
    pub const SIGNATURE: Field = 0..4;
    /// dCSWTag.
    pub const TAG: Field = 4..8;
    /// dCSWDataResidue.
    pub const RESIDUE: Field = 8..12;
    /// bCSWStatus.
    pub const STATUS: usize = 12;
}

/// Which way the data stage goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// No data stage.
    None,
    /// Device to host (bulk IN).
    In,
    /// Host to device (bulk OUT).
    Out,
}

/// A view of a CBW.
#[derive(Debug, Clone, Copy)]
pub struct Cbw<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Cbw<T> {
    /// Wraps exactly 31 bytes.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] for fewer, [`WireError::Field`] for more.
    pub fn new_checked(buffer: T) -> Result<Cbw<T>, WireError> {
        let b = buffer.as_ref();
        need("cbw", b, CBW_LEN)?;
        if b.len() != CBW_LEN {
            return Err(WireError::Field {
                what: "cbw",
                field: "length",
                value: b.len() as u32,
            });
        }
        Ok(Cbw { buffer })
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// dCBWSignature.
    pub fn signature(&self) -> u32 {
        le32(self.b(), cbw_field::SIGNATURE.start)
    }

    /// dCBWTag.
    pub fn tag(&self) -> u32 {
        le32(self.b(), cbw_field::TAG.start)
    }

    /// dCBWDataTransferLength.
    pub fn data_len(&self) -> u32 {
        le32(self.b(), cbw_field::DATA_LEN.start)
    }

    /// bmCBWFlags.
    pub fn flags(&self) -> u8 {
        self.b()[cbw_field::FLAGS]
    }

    /// bCBWLUN (all 8 bits; only 3–0 are the LUN).
    pub fn lun_byte(&self) -> u8 {
        self.b()[cbw_field::LUN]
    }

    /// bCBWCBLength (all 8 bits; only 4–0 are the length).
    pub fn cb_len_byte(&self) -> u8 {
        self.b()[cbw_field::CB_LEN]
    }

    /// The 16 CDB bytes as stored.
    pub fn cdb_field(&self) -> &[u8] {
        &self.b()[cbw_field::CDB]
    }
}

/// A CBW's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CbwRepr {
    /// Tag, echoed in the CSW.
    pub tag: u32,
    /// Bytes the host expects to move.
    pub data_len: u32,
    /// Direction of the data stage ([`Direction::None`] when `data_len` is 0).
    pub direction: Direction,
    /// Logical unit.
    pub lun: u8,
    /// The CDB, zero-padded.
    pub cdb: [u8; MAX_CDB],
    /// Bytes of CDB used (1–16).
    pub cdb_len: u8,
}

impl CbwRepr {
    /// A CBW for `cdb` moving `data_len` bytes in `direction`.
    ///
    /// ## Errors
    ///
    /// [`WireError::Field`] for an empty CDB or one longer than 16 bytes.
    pub fn new(
        tag: u32,
        cdb: &[u8],
        direction: Direction,
        data_len: u32,
    ) -> Result<CbwRepr, WireError> {
        if cdb.is_empty() || cdb.len() > MAX_CDB {
            return Err(WireError::Field {
                what: "cbw",
                field: "cdb length",
                value: cdb.len() as u32,
            });
        }
        let mut c = [0u8; MAX_CDB];
        c[..cdb.len()].copy_from_slice(cdb);
        Ok(CbwRepr {
            tag,
            data_len,
            direction: if data_len == 0 {
                Direction::None
            } else {
                direction
            },
            lun: 0,
            cdb: c,
            cdb_len: cdb.len() as u8,
        })
    }

    /// The CDB bytes in use.
    pub fn cdb(&self) -> &[u8] {
        &self.cdb[..self.cdb_len as usize]
    }

    /// Parses and validates a CBW as a device must (BOT §6.2): 31 bytes,
    /// the signature, reserved bits clear, a CDB length of 1–16.
    ///
    /// ## Errors
    ///
    /// [`WireError`] naming the first bad field.
    pub fn parse(bytes: &[u8]) -> Result<CbwRepr, WireError> {
        let cbw = Cbw::new_checked(bytes)?;
        if cbw.signature() != CBW_SIGNATURE {
            return Err(WireError::Signature {
                what: "cbw",
                got: cbw.signature(),
                expected: CBW_SIGNATURE,
            });
        }
        let bad = |field, value: u8| WireError::Field {
            what: "cbw",
            field,
            value: value as u32,
        };
        if cbw.flags() & 0x7f != 0 {
            return Err(bad("flags", cbw.flags()));
        }
        if cbw.lun_byte() & 0xf0 != 0 {
            return Err(bad("lun", cbw.lun_byte()));
        }
        let len = cbw.cb_len_byte();
        if len & 0xe0 != 0 || len == 0 || len as usize > MAX_CDB {
            return Err(bad("cdb length", len));
        }
        let data_len = cbw.data_len();
        let direction = match (data_len, cbw.flags() & 0x80 != 0) {
            (0, _) => Direction::None,
            (_, true) => Direction::In,
            (_, false) => Direction::Out,
        };
        let mut cdb = [0u8; MAX_CDB];
        cdb.copy_from_slice(cbw.cdb_field());
        Ok(CbwRepr {
            tag: cbw.tag(),
            data_len,
            direction,
            lun: cbw.lun_byte(),
            cdb,
            cdb_len: len,
        })
    }

    /// Bytes [`CbwRepr::emit`] writes.
    pub const fn buffer_len(&self) -> usize {
        CBW_LEN
    }

    /// Writes the CBW into `out[..31]`.
    pub fn emit(&self, out: &mut [u8]) {
        put_le32(out, cbw_field::SIGNATURE.start, CBW_SIGNATURE);
        put_le32(out, cbw_field::TAG.start, self.tag);
        put_le32(out, cbw_field::DATA_LEN.start, self.data_len);
        out[cbw_field::FLAGS] = if self.direction == Direction::In {
            0x80
        } else {
            0
        };
        out[cbw_field::LUN] = self.lun & 0x0f;
        out[cbw_field::CB_LEN] = self.cdb_len & 0x1f;
        out[cbw_field::CDB].copy_from_slice(&self.cdb);
    }

    /// The CBW as bytes.
    pub fn to_bytes(&self) -> [u8; CBW_LEN] {
        let mut b = [0u8; CBW_LEN];
        self.emit(&mut b);
        b
    }
}

/// bCSWStatus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CswStatus {
    /// 00h: command passed.
    Passed,
    /// 01h: command failed; ask REQUEST SENSE.
    Failed,
    /// 02h: phase error; reset recovery.
    PhaseError,
    /// Anything else.
    Unknown(u8),
}

impl CswStatus {
    /// The byte.
    pub const fn code(self) -> u8 {
        match self {
            CswStatus::Passed => 0,
            CswStatus::Failed => 1,
            CswStatus::PhaseError => 2,
            CswStatus::Unknown(v) => v,
        }
    }

    /// The status of a byte.
    pub const fn from_code(v: u8) -> CswStatus {
        match v {
            0 => CswStatus::Passed,
            1 => CswStatus::Failed,
            2 => CswStatus::PhaseError,
            v => CswStatus::Unknown(v),
        }
    }
}

/// A CSW's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CswRepr {
    /// Tag of the CBW it answers.
    pub tag: u32,
    /// Expected minus processed bytes.
    pub residue: u32,
    /// Status.
    pub status: CswStatus,
}

/// Why a CSW cannot be trusted (BOT §6.3): the host must do reset recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CswProblem {
    /// Not exactly 13 bytes.
    #[error("csw is {0} bytes, not 13")]
    Length(usize),
    /// Wrong signature.
    #[error("csw signature 0x{0:08x} is not USBS")]
    Signature(u32),
    /// The tag of another command.
    #[error("csw tag {got:#x} answers another command (cbw tag {expected:#x})")]
    Tag {
        /// Tag in the CSW.
        got: u32,
        /// Tag of the CBW.
        expected: u32,
    },
    /// A residue larger than the transfer, or a status beyond 2.
    #[error("csw is not meaningful: status {status:#x}, residue {residue} of {data_len}")]
    NotMeaningful {
        /// Status byte.
        status: u8,
        /// Residue.
        residue: u32,
        /// The CBW's transfer length.
        data_len: u32,
    },
}

impl CswRepr {
    /// Parses a CSW without judging it.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] under 13 bytes.
    pub fn parse(bytes: &[u8]) -> Result<CswRepr, WireError> {
        need("csw", bytes, CSW_LEN)?;
        Ok(CswRepr {
            tag: le32(bytes, csw_field::TAG.start),
            residue: le32(bytes, csw_field::RESIDUE.start),
            status: CswStatus::from_code(bytes[csw_field::STATUS]),
        })
    }

    /// Parses a CSW received for `cbw` and checks that it is valid (13
    /// bytes, signature, tag) and meaningful (status 0/1 with a residue no
    /// larger than the transfer, or status 2) (BOT §6.3).
    ///
    /// ## Errors
    ///
    /// [`CswProblem`]: the host must run reset recovery.
    pub fn parse_for(bytes: &[u8], cbw: &CbwRepr) -> Result<CswRepr, CswProblem> {
        if bytes.len() != CSW_LEN {
            return Err(CswProblem::Length(bytes.len()));
        }
        let sig = le32(bytes, csw_field::SIGNATURE.start);
        if sig != CSW_SIGNATURE {
            return Err(CswProblem::Signature(sig));
        }
        let csw = CswRepr {
            tag: le32(bytes, csw_field::TAG.start),
            residue: le32(bytes, csw_field::RESIDUE.start),
            status: CswStatus::from_code(bytes[csw_field::STATUS]),
        };
        if csw.tag != cbw.tag {
            return Err(CswProblem::Tag {
                got: csw.tag,
                expected: cbw.tag,
            });
        }
        let meaningful = match csw.status {
            CswStatus::Passed | CswStatus::Failed => csw.residue <= cbw.data_len,
            CswStatus::PhaseError => true,
            CswStatus::Unknown(_) => false,
        };
        if !meaningful {
            return Err(CswProblem::NotMeaningful {
                status: csw.status.code(),
                residue: csw.residue,
                data_len: cbw.data_len,
            });
        }
        Ok(csw)
    }

    /// Bytes [`CswRepr::emit`] writes.
    pub const fn buffer_len(&self) -> usize {
        CSW_LEN
    }

    /// Writes the CSW into `out[..13]`.
    pub fn emit(&self, out: &mut [u8]) {
        put_le32(out, csw_field::SIGNATURE.start, CSW_SIGNATURE);
        put_le32(out, csw_field::TAG.start, self.tag);
        put_le32(out, csw_field::RESIDUE.start, self.residue);
        out[csw_field::STATUS] = self.status.code();
    }

    /// The CSW as bytes.
    pub fn to_bytes(&self) -> [u8; CSW_LEN] {
        let mut b = [0u8; CSW_LEN];
        self.emit(&mut b);
        b
    }
}

/// A USB control request (the 8-byte SETUP packet), for the class requests
/// and endpoint halts of Bulk-Only (`cd-standards.md` §7.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetupPacket {
    /// bmRequestType.
    pub request_type: u8,
    /// bRequest.
    pub request: u8,
    /// wValue.
    pub value: u16,
    /// wIndex.
    pub index: u16,
    /// wLength.
    pub length: u16,
}

/// bRequest of Get Max LUN.
pub const GET_MAX_LUN: u8 = 0xfe;
/// bRequest of Bulk-Only Mass Storage Reset.
pub const BULK_ONLY_RESET: u8 = 0xff;
/// bRequest of CLEAR_FEATURE.
pub const CLEAR_FEATURE: u8 = 0x01;
/// Feature selector ENDPOINT_HALT.
pub const ENDPOINT_HALT: u16 = 0;

impl SetupPacket {
    /// Get Max LUN for `interface` (IN, class, interface; 1 byte back).
    pub const fn get_max_lun(interface: u8) -> SetupPacket {
        SetupPacket {
            request_type: 0xa1,
            request: GET_MAX_LUN,
            value: 0,
            index: interface as u16,
            length: 1,
        }
    }

    /// Bulk-Only Mass Storage Reset for `interface` (OUT, class,
    /// interface).
    pub const fn bulk_only_reset(interface: u8) -> SetupPacket {
        SetupPacket {
            request_type: 0x21,
            request: BULK_ONLY_RESET,
            value: 0,
            index: interface as u16,
            length: 0,
        }
    }

    /// CLEAR_FEATURE(ENDPOINT_HALT) for endpoint address `endpoint` (bit 7
    /// set for IN).
    pub const fn clear_halt(endpoint: u8) -> SetupPacket {
        SetupPacket {
            request_type: 0x02,
            request: CLEAR_FEATURE,
            value: ENDPOINT_HALT,
            index: endpoint as u16,
            length: 0,
        }
    }

    /// The 8 bytes (multi-byte fields little-endian).
    pub fn to_bytes(&self) -> [u8; 8] {
        let mut b = [0u8; 8];
        b[0] = self.request_type;
        b[1] = self.request;
        b[2..4].copy_from_slice(&self.value.to_le_bytes());
        b[4..6].copy_from_slice(&self.index.to_le_bytes());
        b[6..8].copy_from_slice(&self.length.to_le_bytes());
        b
    }

    /// Parses 8 bytes.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] under 8 bytes.
    pub fn parse(b: &[u8]) -> Result<SetupPacket, WireError> {
        need("setup packet", b, 8)?;
        Ok(SetupPacket {
            request_type: b[0],
            request: b[1],
            value: u16::from_le_bytes([b[2], b[3]]),
            index: u16::from_le_bytes([b[4], b[5]]),
            length: u16::from_le_bytes([b[6], b[7]]),
        })
    }
}

/// One of the 13 host/device cases of BOT §6.7 (`cd-standards.md` §7.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Case {
    /// 1: Hn = Dn.
    HnDn,
    /// 2: Hn < Di.
    HnDi,
    /// 3: Hn < Do.
    HnDo,
    /// 4: Hi > Dn.
    HiDn,
    /// 5: Hi > Di.
    HiGtDi,
    /// 6: Hi = Di.
    HiEqDi,
    /// 7: Hi < Di.
    HiLtDi,
    /// 8: Hi <> Do.
    HiDo,
    /// 9: Ho > Dn.
    HoDn,
    /// 10: Ho <> Di.
    HoDi,
    /// 11: Ho > Do.
    HoGtDo,
    /// 12: Ho = Do.
    HoEqDo,
    /// 13: Ho < Do.
    HoLtDo,
}

impl Case {
    /// The case of a host expecting `host_len` bytes in `host` direction,
    /// and a device intending `dev_len` bytes in `dev` direction.
    pub fn classify(host: Direction, host_len: u32, dev: Direction, dev_len: u32) -> Case {
        use Direction::{In, None, Out};
        let host = if host_len == 0 { None } else { host };
        let dev = if dev_len == 0 { None } else { dev };
        match (host, dev) {
            (None, None) => Case::HnDn,
            (None, In) => Case::HnDi,
            (None, Out) => Case::HnDo,
            (In, None) => Case::HiDn,
            (In, In) if host_len > dev_len => Case::HiGtDi,
            (In, In) if host_len == dev_len => Case::HiEqDi,
            (In, In) => Case::HiLtDi,
            (In, Out) => Case::HiDo,
            (Out, None) => Case::HoDn,
            (Out, In) => Case::HoDi,
            (Out, Out) if host_len > dev_len => Case::HoGtDo,
            (Out, Out) if host_len == dev_len => Case::HoEqDo,
            (Out, Out) => Case::HoLtDo,
        }
    }

    /// The case number, 1–13.
    pub const fn number(self) -> u8 {
        match self {
            Case::HnDn => 1,
            Case::HnDi => 2,
            Case::HnDo => 3,
            Case::HiDn => 4,
            Case::HiGtDi => 5,
            Case::HiEqDi => 6,
            Case::HiLtDi => 7,
            Case::HiDo => 8,
            Case::HoDn => 9,
            Case::HoDi => 10,
            Case::HoGtDo => 11,
            Case::HoEqDo => 12,
            Case::HoLtDo => 13,
        }
    }

    /// Whether the device must report a phase error (cases 2, 3, 7, 8, 10,
    /// 13).
    pub const fn is_phase_error(self) -> bool {
        matches!(
            self,
            Case::HnDi | Case::HnDo | Case::HiLtDi | Case::HiDo | Case::HoDi | Case::HoLtDo
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// INQUIRY (12 00 00 00 24 00) reading 36 bytes, tag 0x12345678.
    const INQUIRY_CBW: [u8; 31] = [
        0x55, 0x53, 0x42, 0x43, 0x78, 0x56, 0x34, 0x12, 0x24, 0x00, 0x00, 0x00, 0x80, 0x00, 0x06,
        0x12, 0x00, 0x00, 0x00, 0x24, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    #[test]
    fn cbw_golden() {
        let r = CbwRepr::parse(&INQUIRY_CBW).unwrap();
        assert_eq!(r.tag, 0x1234_5678);
        assert_eq!(r.data_len, 36);
        assert_eq!(r.direction, Direction::In);
        assert_eq!(r.cdb(), [0x12, 0, 0, 0, 0x24, 0]);
        let mut out = [0xa5u8; 31];
        r.emit(&mut out);
        assert_eq!(out, INQUIRY_CBW);
        assert_eq!(
            CbwRepr::new(0x1234_5678, r.cdb(), Direction::In, 36).unwrap(),
            r
        );
    }

    #[test]
    fn cbw_refusals() {
        let mut b = INQUIRY_CBW;
        b[0] = 0x56;
        assert!(matches!(
            CbwRepr::parse(&b),
            Err(WireError::Signature { .. })
        ));
        let mut b = INQUIRY_CBW;
        b[12] = 0x81;
        assert!(matches!(
            CbwRepr::parse(&b),
            Err(WireError::Field { field: "flags", .. })
        ));
        let mut b = INQUIRY_CBW;
        b[14] = 17;
        assert!(matches!(
            CbwRepr::parse(&b),
            Err(WireError::Field {
                field: "cdb length",
                ..
            })
        ));
        assert!(matches!(
            CbwRepr::parse(&INQUIRY_CBW[..30]),
            Err(WireError::Truncated { .. })
        ));
        assert!(CbwRepr::parse(&[0u8; 32]).is_err());
        assert!(CbwRepr::new(1, &[], Direction::None, 0).is_err());
        // No data: no direction, whatever the flag.
        let mut b = INQUIRY_CBW;
        b[8] = 0;
        assert_eq!(CbwRepr::parse(&b).unwrap().direction, Direction::None);
    }

    #[test]
    fn csw_golden_and_checks() {
        let bytes = [
            0x55, 0x53, 0x42, 0x53, 0x78, 0x56, 0x34, 0x12, 0x04, 0, 0, 0, 0x01,
        ];
        let cbw = CbwRepr::parse(&INQUIRY_CBW).unwrap();
        let csw = CswRepr::parse_for(&bytes, &cbw).unwrap();
        assert_eq!(
            csw,
            CswRepr {
                tag: 0x1234_5678,
                residue: 4,
                status: CswStatus::Failed
            }
        );
        let mut out = [0xa5u8; 13];
        csw.emit(&mut out);
        assert_eq!(out, bytes);
        assert_eq!(
            CswRepr::parse_for(&bytes[..12], &cbw),
            Err(CswProblem::Length(12))
        );
        let mut b = bytes;
        b[4] = 0x79;
        assert!(matches!(
            CswRepr::parse_for(&b, &cbw),
            Err(CswProblem::Tag { .. })
        ));
        let mut b = bytes;
        b[3] = 0x43;
        assert!(matches!(
            CswRepr::parse_for(&b, &cbw),
            Err(CswProblem::Signature(_))
        ));
        let mut b = bytes;
        b[8] = 37;
        assert!(matches!(
            CswRepr::parse_for(&b, &cbw),
            Err(CswProblem::NotMeaningful { .. })
        ));
        let mut b = bytes;
        b[12] = 3;
        assert!(matches!(
            CswRepr::parse_for(&b, &cbw),
            Err(CswProblem::NotMeaningful { .. })
        ));
        // A phase error is meaningful whatever the residue.
        let mut b = bytes;
        b[8] = 0xff;
        b[12] = 2;
        assert_eq!(
            CswRepr::parse_for(&b, &cbw).unwrap().status,
            CswStatus::PhaseError
        );
    }

    #[test]
    fn setup_packets() {
        assert_eq!(
            SetupPacket::get_max_lun(0).to_bytes(),
            [0xa1, 0xfe, 0, 0, 0, 0, 1, 0]
        );
        assert_eq!(
            SetupPacket::bulk_only_reset(2).to_bytes(),
            [0x21, 0xff, 0, 0, 2, 0, 0, 0]
        );
        assert_eq!(
            SetupPacket::clear_halt(0x81).to_bytes(),
            [0x02, 0x01, 0, 0, 0x81, 0, 0, 0]
        );
        let p = SetupPacket::get_max_lun(1);
        assert_eq!(SetupPacket::parse(&p.to_bytes()), Ok(p));
    }

    #[test]
    fn thirteen_cases() {
        use Direction::{In, None, Out};
        let table = [
            (None, 0, None, 0, 1),
            (None, 0, In, 8, 2),
            (None, 0, Out, 8, 3),
            (In, 8, None, 0, 4),
            (In, 8, In, 4, 5),
            (In, 8, In, 8, 6),
            (In, 4, In, 8, 7),
            (In, 8, Out, 8, 8),
            (Out, 8, None, 0, 9),
            (Out, 8, In, 8, 10),
            (Out, 8, Out, 4, 11),
            (Out, 8, Out, 8, 12),
            (Out, 4, Out, 8, 13),
        ];
        for (h, hl, d, dl, n) in table {
            let c = Case::classify(h, hl, d, dl);
            assert_eq!(c.number(), n);
            assert_eq!(c.is_phase_error(), [2, 3, 7, 8, 10, 13].contains(&n));
        }
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let cbw = CbwRepr::parse(&b);
            if let Ok(c) = cbw {
                // What parses emits back to the same 31 bytes.
                proptest::prop_assert_eq!(&c.to_bytes()[..], &b[..]);
                let _ = CswRepr::parse_for(&b, &c);
            }
            let _ = CswRepr::parse(&b);
            let _ = SetupPacket::parse(&b);
        }
    }
}
