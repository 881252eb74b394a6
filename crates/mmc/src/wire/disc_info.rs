//! READ DISC INFORMATION, standard disc information (data type 000b):
//! whether the disc is blank, its sessions and tracks, and where the
//! lead-in and lead-out may go (MMC-5; `cd-standards.md` §6.6).

use super::{Field, Partial, WireError, be16, need, put_be16, put_be32};
use layout::msf::Msf;

/// Bytes of standard disc information (the data length field says 32).
pub const DISC_INFO_LEN: usize = 34;
/// Fewest bytes [`DiscInfoRepr::parse`] accepts: through the status byte.
pub const MIN_LEN: usize = 3;

/// Disc information fields (`cd-standards.md` §6.6).
pub mod field {
    use super::Field;
    /// Data length: bytes following this field.
    pub const DATA_LEN: Field = 0..2;
    /// Bit 4 erasable, bits 3–2 state of last session, bits 1–0 disc
    /// status.
    pub const STATUS: usize = 2;
    /// Number of the first track on the disc.
    pub const FIRST_TRACK: usize = 3;
    /// Number of sessions, LSB.
    pub const SESSIONS_LSB: usize = 4;
    /// First track number in the last session, LSB.
    pub const FIRST_TRACK_LAST_SESSION_LSB: usize = 5;
    /// Last track number in the last session, LSB.
    pub const LAST_TRACK_LAST_SESSION_LSB: usize = 6;
    /// Bit 7 DID_V, bit 6 DBC_V, bit 5 URU, bit 2 Dbit, bits 1–0 BG format
    /// status.
    pub const FLAGS: usize = 7;
    /// Disc type: 00h CD-DA/CD-ROM, 10h CD-I, 20h CD-ROM XA, FFh undefined.
    pub const DISC_TYPE: usize = 8;
    /// Number of sessions, MSB.
    pub const SESSIONS_MSB: usize = 9;
    /// First track number in the last session, MSB.
    pub const FIRST_TRACK_LAST_SESSION_MSB: usize = 10;
    /// Last track number in the last session, MSB.
    pub const LAST_TRACK_LAST_SESSION_MSB: usize = 11;
    /// Disc identification.
    pub const DISC_ID: Field = 12..16;
    /// Lead-in start of the last session: 00h, M, S, F (binary).
    pub const LEAD_IN: Field = 16..20;
    /// Last possible start of the lead-out: 00h, M, S, F.
    pub const LAST_LEAD_OUT: Field = 20..24;
    /// Disc bar code.
    pub const BAR_CODE: Field = 24..32;
    /// Disc application code.
    pub const APPLICATION_CODE: usize = 32;
    /// Number of OPC tables that follow.
    pub const OPC_TABLES: usize = 33;
}

/// Status of the disc (byte 2 bits 1–0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiscStatus {
    /// 00b: blank.
    Empty,
    /// 01b: incomplete, appendable.
    Appendable,
    /// 10b: finalized.
    Complete,
    /// 11b: other (random-access media).
    Other,
}

impl DiscStatus {
    /// The 2-bit code.
    pub const fn code(self) -> u8 {
        match self {
            DiscStatus::Empty => 0,
            DiscStatus::Appendable => 1,
            DiscStatus::Complete => 2,
            DiscStatus::Other => 3,
        }
    }

    /// The status of a code (low 2 bits).
    pub const fn from_code(v: u8) -> DiscStatus {
        match v & 0x03 {
            0 => DiscStatus::Empty,
            1 => DiscStatus::Appendable,
            2 => DiscStatus::Complete,
            _ => DiscStatus::Other,
        }
    }
}

/// State of the last session (byte 2 bits 3–2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionState {
    /// 00b: empty.
    Empty,
    /// 01b: incomplete.
    Incomplete,
    /// 10b: reserved/damaged.
    Damaged,
    /// 11b: complete.
    Complete,
}

impl SessionState {
    /// The 2-bit code.
    pub const fn code(self) -> u8 {
        match self {
            SessionState::Empty => 0,
            SessionState::Incomplete => 1,
            SessionState::Damaged => 2,
            SessionState::Complete => 3,
        }
    }

    /// The state of a code (low 2 bits).
    pub const fn from_code(v: u8) -> SessionState {
        match v & 0x03 {
            0 => SessionState::Empty,
            1 => SessionState::Incomplete,
            2 => SessionState::Damaged,
            _ => SessionState::Complete,
        }
    }
}

/// A view of disc information. The data length bounds what is read;
/// fields beyond the bytes present read as zero.
#[derive(Debug, Clone, Copy)]
pub struct DiscInfo<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> DiscInfo<T> {
    /// Wraps disc information of at least [`MIN_LEN`] bytes.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] for fewer.
    pub fn new_checked(buffer: T) -> Result<DiscInfo<T>, WireError> {
        need("disc information", buffer.as_ref(), MIN_LEN)?;
        Ok(DiscInfo { buffer })
    }

    fn p(&self) -> Partial<'_> {
        let b = self.buffer.as_ref();
        Partial::new(b, 2 + be16(b, 0) as usize)
    }

    /// Data length as reported.
    pub fn data_len(&self) -> u16 {
        be16(self.buffer.as_ref(), 0)
    }

    /// The disc is erasable (CD-RW).
    pub fn erasable(&self) -> bool {
        self.p().bit(field::STATUS, 0x10)
    }

    /// State of the last session.
    pub fn last_session(&self) -> SessionState {
        SessionState::from_code(self.p().u8(field::STATUS) >> 2)
    }

    /// Disc status.
    pub fn status(&self) -> DiscStatus {
        DiscStatus::from_code(self.p().u8(field::STATUS))
    }

    /// Number of the first track on the disc.
    pub fn first_track(&self) -> u8 {
        self.p().u8(field::FIRST_TRACK)
    }

    /// Number of sessions (MSB and LSB).
    pub fn sessions(&self) -> u16 {
        let p = self.p();
        u16::from_be_bytes([p.u8(field::SESSIONS_MSB), p.u8(field::SESSIONS_LSB)])
    }

    /// First track number in the last session.
    pub fn first_track_last_session(&self) -> u16 {
        let p = self.p();
        u16::from_be_bytes([
            p.u8(field::FIRST_TRACK_LAST_SESSION_MSB),
            p.u8(field::FIRST_TRACK_LAST_SESSION_LSB),
        ])
    }

    /// Last track number in the last session.
    pub fn last_track_last_session(&self) -> u16 {
        let p = self.p();
        u16::from_be_bytes([
            p.u8(field::LAST_TRACK_LAST_SESSION_MSB),
            p.u8(field::LAST_TRACK_LAST_SESSION_LSB),
        ])
    }

    /// The flags byte (DID_V, DBC_V, URU, Dbit, BG format status).
    pub fn flags(&self) -> u8 {
        self.p().u8(field::FLAGS)
    }

    /// Disc type.
    pub fn disc_type(&self) -> u8 {
        self.p().u8(field::DISC_TYPE)
    }

    /// Lead-in start of the last session; `None` when not applicable
    /// (FFh bytes), not a time, or absent.
    pub fn lead_in(&self) -> Option<Msf> {
        msf_at(self.p(), field::LEAD_IN)
    }

    /// Last possible start of the lead-out; `None` as for
    /// [`DiscInfo::lead_in`].
    pub fn last_lead_out(&self) -> Option<Msf> {
        msf_at(self.p(), field::LAST_LEAD_OUT)
    }
}

/// Standard disc information.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscInfoRepr {
    /// The disc is erasable (CD-RW).
    pub erasable: bool,
    /// State of the last session.
    pub last_session: SessionState,
    /// Disc status.
    pub status: DiscStatus,
    /// Number of the first track on the disc.
    pub first_track: u8,
    /// Number of sessions.
    pub sessions: u16,
    /// First track number in the last session.
    pub first_track_last_session: u16,
    /// Last track number in the last session.
    pub last_track_last_session: u16,
    /// DID_V: the disc identification is valid.
    pub did_valid: bool,
    /// DBC_V: the disc bar code is valid.
    pub dbc_valid: bool,
    /// URU: unrestricted use (0 on restricted-use media).
    pub unrestricted_use: bool,
    /// Dbit: the MRW dirty bit.
    pub dirty: bool,
    /// Background format status (2 bits).
    pub bg_format: u8,
    /// Disc type: 00h CD-DA/CD-ROM, 10h CD-I, 20h CD-ROM XA, FFh undefined.
    pub disc_type: u8,
    /// Disc identification.
    pub disc_id: u32,
    /// Lead-in start of the last session (`None`: not applicable, sent as
    /// FFh bytes).
    pub lead_in: Option<Msf>,
    /// Last possible start of the lead-out (`None`: not applicable).
    pub last_lead_out: Option<Msf>,
    /// Disc bar code.
    pub bar_code: [u8; 8],
    /// Disc application code.
    pub application_code: u8,
    /// Number of OPC tables (the tables themselves are not modelled).
    pub opc_tables: u8,
}

impl DiscInfoRepr {
    /// The disc information of blank CD-R (or, with `erasable`, CD-RW)
    /// media: one empty session holding the invisible track 1, unrestricted
    /// use, the ATIP lead-in start and last possible lead-out start.
    pub fn blank(erasable: bool, lead_in: Msf, last_lead_out: Msf) -> DiscInfoRepr {
        DiscInfoRepr {
            erasable,
            last_session: SessionState::Empty,
            status: DiscStatus::Empty,
            first_track: 1,
            sessions: 1,
            first_track_last_session: 1,
            last_track_last_session: 1,
            did_valid: false,
            dbc_valid: false,
            unrestricted_use: true,
            dirty: false,
            bg_format: 0,
            disc_type: 0x00,
            disc_id: 0,
            lead_in: Some(lead_in),
            last_lead_out: Some(last_lead_out),
            bar_code: [0; 8],
            application_code: 0,
            opc_tables: 0,
        }
    }

    /// Parses disc information. The data length bounds what is read; a
    /// reply cut short parses from the bytes present: absent numbers and
    /// flags read as zero, absent addresses as `None`. An address that is
    /// not a time (FFh bytes, or garbage) reads as `None`.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] under [`MIN_LEN`] bytes.
    pub fn parse(bytes: &[u8]) -> Result<DiscInfoRepr, WireError> {
        let v = DiscInfo::new_checked(bytes)?;
        let p = v.p();
        let flags = v.flags();
        Ok(DiscInfoRepr {
            erasable: v.erasable(),
            last_session: v.last_session(),
            status: v.status(),
            first_track: v.first_track(),
            sessions: v.sessions(),
            first_track_last_session: v.first_track_last_session(),
            last_track_last_session: v.last_track_last_session(),
            did_valid: flags & 0x80 != 0,
            dbc_valid: flags & 0x40 != 0,
            unrestricted_use: flags & 0x20 != 0,
            dirty: flags & 0x04 != 0,
            bg_format: flags & 0x03,
            disc_type: v.disc_type(),
            disc_id: p.be32(field::DISC_ID.start),
            lead_in: v.lead_in(),
            last_lead_out: v.last_lead_out(),
            bar_code: p.array::<8>(field::BAR_CODE.start).unwrap_or([0; 8]),
            application_code: p.u8(field::APPLICATION_CODE),
            opc_tables: p.u8(field::OPC_TABLES),
        })
    }

    /// Bytes [`DiscInfoRepr::emit`] writes: always 34.
    pub const fn buffer_len(&self) -> usize {
        DISC_INFO_LEN
    }

    /// Writes 34 bytes of disc information into `out` (data length 32;
    /// `None` addresses as FFh bytes).
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`DiscInfoRepr::buffer_len`].
    pub fn emit(&self, out: &mut [u8]) {
        let flag = |on: bool, mask: u8| if on { mask } else { 0 };
        out[..DISC_INFO_LEN].fill(0);
        put_be16(out, field::DATA_LEN.start, (DISC_INFO_LEN - 2) as u16);
        out[field::STATUS] =
            flag(self.erasable, 0x10) | (self.last_session.code() << 2) | self.status.code();
        out[field::FIRST_TRACK] = self.first_track;
        let [sh, sl] = self.sessions.to_be_bytes();
        let [fh, fl] = self.first_track_last_session.to_be_bytes();
        let [lh, ll] = self.last_track_last_session.to_be_bytes();
        out[field::SESSIONS_LSB] = sl;
        out[field::FIRST_TRACK_LAST_SESSION_LSB] = fl;
        out[field::LAST_TRACK_LAST_SESSION_LSB] = ll;
        out[field::FLAGS] = flag(self.did_valid, 0x80)
            | flag(self.dbc_valid, 0x40)
            | flag(self.unrestricted_use, 0x20)
            | flag(self.dirty, 0x04)
            | (self.bg_format & 0x03);
        out[field::DISC_TYPE] = self.disc_type;
        out[field::SESSIONS_MSB] = sh;
        out[field::FIRST_TRACK_LAST_SESSION_MSB] = fh;
        out[field::LAST_TRACK_LAST_SESSION_MSB] = lh;
        put_be32(out, field::DISC_ID.start, self.disc_id);
        put_msf(&mut out[field::LEAD_IN], self.lead_in);
        put_msf(&mut out[field::LAST_LEAD_OUT], self.last_lead_out);
        out[field::BAR_CODE].copy_from_slice(&self.bar_code);
        out[field::APPLICATION_CODE] = self.application_code;
        out[field::OPC_TABLES] = self.opc_tables;
    }

    /// The disc information as bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.buffer_len()];
        self.emit(&mut v);
        v
    }
}

/// The M, S, F of a 4-byte address field, when present and a time.
fn msf_at(p: Partial<'_>, f: Field) -> Option<Msf> {
    let [_, m, s, fr] = p.array::<4>(f.start)?;
    Msf::new(m, s, fr).ok()
}

/// A 4-byte address field: 00h M S F, or FFh ×4 for `None`.
fn put_msf(out: &mut [u8], msf: Option<Msf>) {
    match msf {
        Some(t) => {
            out[0] = 0;
            out[1..4].copy_from_slice(&t.to_bytes());
        }
        None => out[..4].fill(0xff),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn msf(m: u8, s: u8, f: u8) -> Msf {
        Msf::new(m, s, f).unwrap()
    }

    /// Blank 80-minute CD-R: lead-in at 97:26:65, lead-out by 79:59:74.
    const BLANK_CD_R: [u8; 34] = [
        0x00, 0x20, 0x00, 0x01, 0x01, 0x01, 0x01, 0x20, // status, tracks, URU
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // type, MSBs, disc id
        0x00, 0x61, 0x1a, 0x41, 0x00, 0x4f, 0x3b, 0x4a, // 97:26:65, 79:59:74
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // bar code
        0x00, 0x00, // application code, OPC tables
    ];

    /// A finalized single-session CD-ROM XA with 3 tracks.
    const COMPLETE_XA: [u8; 34] = [
        0x00, 0x20, 0x0e, 0x01, 0x01, 0x01, 0x03, 0x20, //
        0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00,
    ];

    #[test]
    fn blank_golden() {
        let r = DiscInfoRepr::parse(&BLANK_CD_R).unwrap();
        assert_eq!(
            r,
            DiscInfoRepr::blank(false, msf(97, 26, 65), msf(79, 59, 74))
        );
        let mut out = [0xa5u8; 34];
        r.emit(&mut out);
        assert_eq!(out, BLANK_CD_R);
        assert_eq!(r.lead_in.unwrap().to_lba().get(), -11635);
        let v = DiscInfo::new_checked(&BLANK_CD_R[..]).unwrap();
        assert_eq!(v.status(), DiscStatus::Empty);
        assert_eq!(v.last_lead_out(), Some(msf(79, 59, 74)));
    }

    #[test]
    fn complete_golden() {
        let r = DiscInfoRepr::parse(&COMPLETE_XA).unwrap();
        assert_eq!(r.status, DiscStatus::Complete);
        assert_eq!(r.last_session, SessionState::Complete);
        assert!(!r.erasable);
        assert_eq!(r.last_track_last_session, 3);
        assert_eq!(r.disc_type, 0x20);
        assert_eq!(r.lead_in, None);
        assert_eq!(r.last_lead_out, None);
        let mut out = [0xa5u8; 34];
        r.emit(&mut out);
        assert_eq!(out, COMPLETE_XA);
    }

    #[test]
    fn truncated() {
        // cdrdao's 4-byte probe: status and first track only.
        let r = DiscInfoRepr::parse(&BLANK_CD_R[..4]).unwrap();
        assert_eq!(r.status, DiscStatus::Empty);
        assert_eq!(r.first_track, 1);
        assert_eq!(r.sessions, 0);
        assert_eq!(r.lead_in, None);
        // Cut inside the lead-out field.
        let r = DiscInfoRepr::parse(&BLANK_CD_R[..22]).unwrap();
        assert_eq!(r.lead_in, Some(msf(97, 26, 65)));
        assert_eq!(r.last_lead_out, None);
        // A data length of 10 hides the rest.
        let mut b = BLANK_CD_R;
        b[1] = 10;
        assert_eq!(DiscInfoRepr::parse(&b).unwrap().lead_in, None);
        assert!(matches!(
            DiscInfoRepr::parse(&BLANK_CD_R[..2]),
            Err(WireError::Truncated { .. })
        ));
    }

    #[test]
    fn multisession_numbers() {
        let mut r = DiscInfoRepr::blank(true, msf(97, 26, 65), msf(79, 59, 74));
        r.status = DiscStatus::Appendable;
        r.sessions = 0x0102;
        r.last_track_last_session = 0x0304;
        let b = r.to_vec();
        assert_eq!(
            (b[2], b[4], b[9], b[6], b[11]),
            (0x11, 0x02, 0x01, 0x04, 0x03)
        );
        assert_eq!(DiscInfoRepr::parse(&b), Ok(r));
    }

    proptest! {
        #[test]
        fn parse_never_panics(b in proptest::collection::vec(any::<u8>(), 0..48)) {
            let _ = DiscInfoRepr::parse(&b);
        }

        #[test]
        fn roundtrip(mut b in proptest::collection::vec(any::<u8>(), 3..40)) {
            b[0] = 0;
            if let Ok(r) = DiscInfoRepr::parse(&b) {
                prop_assert_eq!(DiscInfoRepr::parse(&r.to_vec()), Ok(r));
            }
        }
    }
}
