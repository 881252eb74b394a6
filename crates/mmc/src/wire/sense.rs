//! Sense data: what went wrong with a command (SPC-3 §4.5;
//! `cd-standards.md` §6.3, §6.22).

use super::{WireError, be16, be32, need, put_be16, put_be32};
use core::fmt;

/// Bytes of fixed-format sense data rawburn asks for and emits.
pub const FIXED_LEN: usize = 18;

/// The sense key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SenseKey {
    /// 0: no sense.
    NoSense,
    /// 1: recovered error.
    RecoveredError,
    /// 2: not ready.
    NotReady,
    /// 3: medium error.
    MediumError,
    /// 4: hardware error.
    HardwareError,
    /// 5: illegal request.
    IllegalRequest,
    /// 6: unit attention.
    UnitAttention,
    /// 7: data protect.
    DataProtect,
    /// 8: blank check.
    BlankCheck,
    /// B: aborted command.
    AbortedCommand,
    /// E: miscompare.
    Miscompare,
    /// Any other value.
    Unknown(u8),
}

impl SenseKey {
    /// The 4-bit code.
    pub const fn code(self) -> u8 {
        match self {
            SenseKey::NoSense => 0x0,
            SenseKey::RecoveredError => 0x1,
            SenseKey::NotReady => 0x2,
            SenseKey::MediumError => 0x3,
            SenseKey::HardwareError => 0x4,
            SenseKey::IllegalRequest => 0x5,
            SenseKey::UnitAttention => 0x6,
            SenseKey::DataProtect => 0x7,
            SenseKey::BlankCheck => 0x8,
            SenseKey::AbortedCommand => 0xb,
            SenseKey::Miscompare => 0xe,
            SenseKey::Unknown(v) => v & 0x0f,
        }
    }

    /// The key of a code (low 4 bits).
    pub const fn from_code(v: u8) -> SenseKey {
        match v & 0x0f {
            0x0 => SenseKey::NoSense,
            0x1 => SenseKey::RecoveredError,
            0x2 => SenseKey::NotReady,
            0x3 => SenseKey::MediumError,
            0x4 => SenseKey::HardwareError,
            0x5 => SenseKey::IllegalRequest,
            0x6 => SenseKey::UnitAttention,
            0x7 => SenseKey::DataProtect,
            0x8 => SenseKey::BlankCheck,
            0xb => SenseKey::AbortedCommand,
            0xe => SenseKey::Miscompare,
            v => SenseKey::Unknown(v),
        }
    }
}

/// Sense key, additional sense code and qualifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sense {
    /// Sense key.
    pub key: SenseKey,
    /// Additional sense code.
    pub asc: u8,
    /// Additional sense code qualifier.
    pub ascq: u8,
}

/// What a caller should do about a sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// The drive says nothing went wrong, or that it recovered (no sense,
    /// recovered error), yet answered CHECK CONDITION: the command may not
    /// have run and data it returned may be missing. It counts as done
    /// only once its effect is confirmed (a query asked again, a WRITE
    /// followed by one the drive takes in sequence, the disc's state read
    /// back at the end).
    Unconfirmed,
    /// A transient state: send the same command again after the delay.
    Retry {
        /// Milliseconds to wait first.
        after_ms: u32,
    },
    /// The command failed.
    Fail,
}

impl Sense {
    /// A sense from key, ASC and ASCQ.
    pub const fn new(key: SenseKey, asc: u8, ascq: u8) -> Sense {
        Sense { key, asc, ascq }
    }

    /// 2/04/08: not ready, long write in progress.
    pub const LONG_WRITE_IN_PROGRESS: Sense = Sense::new(SenseKey::NotReady, 0x04, 0x08);
    /// 2/04/01: becoming ready.
    pub const BECOMING_READY: Sense = Sense::new(SenseKey::NotReady, 0x04, 0x01);
    /// 2/3A/00: medium not present.
    pub const NO_MEDIUM: Sense = Sense::new(SenseKey::NotReady, 0x3a, 0x00);
    /// 5/20/00: invalid command operation code.
    pub const INVALID_OPCODE: Sense = Sense::new(SenseKey::IllegalRequest, 0x20, 0x00);
    /// 5/21/00: logical block address out of range.
    pub const LBA_OUT_OF_RANGE: Sense = Sense::new(SenseKey::IllegalRequest, 0x21, 0x00);
    /// 5/21/02: invalid address for write.
    pub const INVALID_WRITE_ADDRESS: Sense = Sense::new(SenseKey::IllegalRequest, 0x21, 0x02);
    /// 5/24/00: invalid field in CDB.
    pub const INVALID_FIELD_IN_CDB: Sense = Sense::new(SenseKey::IllegalRequest, 0x24, 0x00);
    /// 5/26/00: invalid field in parameter list.
    pub const INVALID_FIELD_IN_PARAMETERS: Sense = Sense::new(SenseKey::IllegalRequest, 0x26, 0x00);
    /// 5/2C/00: command sequence error.
    pub const SEQUENCE_ERROR: Sense = Sense::new(SenseKey::IllegalRequest, 0x2c, 0x00);
    /// 5/30/05: cannot write medium, incompatible format.
    pub const CANNOT_WRITE_MEDIUM: Sense = Sense::new(SenseKey::IllegalRequest, 0x30, 0x05);
    /// 5/64/00: illegal mode for this track.
    pub const ILLEGAL_MODE_FOR_TRACK: Sense = Sense::new(SenseKey::IllegalRequest, 0x64, 0x00);
    /// 3/0C/00: write error.
    pub const WRITE_ERROR: Sense = Sense::new(SenseKey::MediumError, 0x0c, 0x00);
    /// 3/0C/09: write error, loss of streaming (buffer underrun).
    pub const LOSS_OF_STREAMING: Sense = Sense::new(SenseKey::MediumError, 0x0c, 0x09);
    /// 3/73/03: power calibration area error.
    pub const POWER_CALIBRATION_ERROR: Sense = Sense::new(SenseKey::MediumError, 0x73, 0x03);
    /// 3/11/00: unrecovered read error.
    pub const UNRECOVERED_READ_ERROR: Sense = Sense::new(SenseKey::MediumError, 0x11, 0x00);
    /// 6/28/00: not ready to ready change, medium may have changed.
    pub const MEDIUM_CHANGED: Sense = Sense::new(SenseKey::UnitAttention, 0x28, 0x00);
    /// 6/29/00: power on, reset or bus device reset occurred.
    pub const POWER_ON_RESET: Sense = Sense::new(SenseKey::UnitAttention, 0x29, 0x00);
    /// 5/25/00: logical unit not supported.
    pub const LUN_NOT_SUPPORTED: Sense = Sense::new(SenseKey::IllegalRequest, 0x25, 0x00);
    /// 5/1A/00: parameter list length error.
    pub const PARAMETER_LENGTH_ERROR: Sense = Sense::new(SenseKey::IllegalRequest, 0x1a, 0x00);
    /// 5/53/02: medium removal prevented.
    pub const REMOVAL_PREVENTED: Sense = Sense::new(SenseKey::IllegalRequest, 0x53, 0x02);
    /// 0/00/00: no additional sense information.
    pub const NONE: Sense = Sense::new(SenseKey::NoSense, 0, 0);

    /// A readable message for the code.
    pub fn message(&self) -> &'static str {
        let (asc, ascq) = (self.asc, self.ascq);
        MESSAGES
            .iter()
            .find(|(a, q, _)| *a == asc && *q == ascq)
            .or_else(|| MESSAGES.iter().find(|(a, q, _)| *a == asc && *q == 0xff))
            .map_or_else(|| key_message(self.key), |(_, _, m)| *m)
    }

    /// What to do about it (`cd-standards.md` §6.22).
    pub fn disposition(&self) -> Disposition {
        match (self.key, self.asc, self.ascq) {
            (SenseKey::NoSense | SenseKey::RecoveredError, _, _) => Disposition::Unconfirmed,
            // Busy flushing the buffer, formatting, becoming ready: poll.
            (SenseKey::NotReady, 0x04, 0x08) => Disposition::Retry { after_ms: 100 },
            (SenseKey::NotReady, 0x04, 0x01 | 0x04 | 0x07) => Disposition::Retry { after_ms: 500 },
            // The unit was reset or the medium changed: reissue (and
            // re-check the medium).
            (SenseKey::UnitAttention, 0x28 | 0x29, _) => Disposition::Retry { after_ms: 0 },
            // Communication with the logical unit failed (a bus problem):
            // whether the command ran is unknown, so only a command that
            // can be repeated safely may be sent again.
            (SenseKey::HardwareError, 0x08, _) => Disposition::Retry { after_ms: 100 },
            _ => Disposition::Fail,
        }
    }

    /// Whether a command answered with this sense was certainly not run: a
    /// drive that is not ready, or that reports a unit attention, refuses
    /// the command before running it. Any other sense leaves open whether
    /// it ran (4/08/xx) or says it failed while running.
    pub fn not_executed(&self) -> bool {
        matches!(self.key, SenseKey::NotReady | SenseKey::UnitAttention)
    }
}

impl fmt::Display for Sense {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:X}/{:02X}/{:02X} {}",
            self.key.code(),
            self.asc,
            self.ascq,
            self.message()
        )
    }
}

fn key_message(key: SenseKey) -> &'static str {
    match key {
        SenseKey::NoSense => "no sense",
        SenseKey::RecoveredError => "recovered error",
        SenseKey::NotReady => "not ready",
        SenseKey::MediumError => "medium error",
        SenseKey::HardwareError => "hardware error",
        SenseKey::IllegalRequest => "illegal request",
        SenseKey::UnitAttention => "unit attention",
        SenseKey::DataProtect => "data protect",
        SenseKey::BlankCheck => "blank check",
        SenseKey::AbortedCommand => "aborted command",
        SenseKey::Miscompare => "miscompare",
        SenseKey::Unknown(_) => "unknown sense key",
    }
}

/// ASC/ASCQ messages (ASCQ 0xFF: any qualifier of that ASC).
const MESSAGES: &[(u8, u8, &str)] = &[
    (0x00, 0x00, "no additional sense information"),
    (0x00, 0x16, "operation in progress"),
    (0x02, 0x00, "no seek complete"),
    (0x04, 0x00, "logical unit not ready, cause not reportable"),
    (0x04, 0x01, "logical unit is becoming ready"),
    (
        0x04,
        0x02,
        "logical unit not ready, initializing command required",
    ),
    (
        0x04,
        0x03,
        "logical unit not ready, manual intervention required",
    ),
    (0x04, 0x04, "logical unit not ready, format in progress"),
    (0x04, 0x07, "logical unit not ready, operation in progress"),
    (0x04, 0x08, "logical unit not ready, long write in progress"),
    (0x08, 0x00, "logical unit communication failure"),
    (0x08, 0x01, "logical unit communication time-out"),
    (0x08, 0x02, "logical unit communication parity error"),
    (0x09, 0xff, "track following or servo error"),
    (0x0c, 0x00, "write error"),
    (0x0c, 0x07, "write error, recovery needed"),
    (0x0c, 0x08, "write error, recovery failed"),
    (
        0x0c,
        0x09,
        "write error, loss of streaming (buffer underrun)",
    ),
    (0x0c, 0x0a, "write error, padding blocks added"),
    (0x11, 0x00, "unrecovered read error"),
    (0x11, 0x05, "l-ec uncorrectable error"),
    (0x11, 0x06, "circ unrecovered error"),
    (0x15, 0xff, "positioning error"),
    (
        0x17,
        0x00,
        "recovered data with no error correction applied",
    ),
    (0x17, 0x01, "recovered data with retries"),
    (0x18, 0xff, "recovered data with error correction applied"),
    (0x1a, 0x00, "parameter list length error"),
    (0x20, 0x00, "invalid command operation code"),
    (0x21, 0x00, "logical block address out of range"),
    (0x21, 0x02, "invalid address for write"),
    (0x24, 0x00, "invalid field in cdb"),
    (0x25, 0x00, "logical unit not supported"),
    (0x26, 0x00, "invalid field in parameter list"),
    (0x26, 0x01, "parameter not supported"),
    (0x26, 0x02, "parameter value invalid"),
    (0x27, 0x00, "write protected"),
    (
        0x28,
        0x00,
        "not ready to ready change, medium may have changed",
    ),
    (0x29, 0xff, "power on, reset or bus device reset occurred"),
    (0x2a, 0x01, "mode parameters changed"),
    (0x2c, 0x00, "command sequence error"),
    (0x30, 0x00, "incompatible medium installed"),
    (0x30, 0x02, "cannot read medium, incompatible format"),
    (0x30, 0x05, "cannot write medium, incompatible format"),
    (0x30, 0x06, "cannot format medium, incompatible medium"),
    (0x31, 0x00, "medium format corrupted"),
    (0x3a, 0x00, "medium not present"),
    (0x3a, 0x01, "medium not present, tray closed"),
    (0x3a, 0x02, "medium not present, tray open"),
    (0x44, 0x00, "internal target failure"),
    (0x53, 0x02, "medium removal prevented"),
    (0x57, 0x00, "unable to recover table of contents"),
    (0x5a, 0x01, "operator medium removal request"),
    (0x63, 0x00, "end of user area encountered on this track"),
    (0x64, 0x00, "illegal mode for this track"),
    (0x72, 0x00, "session fixation error"),
    (
        0x72,
        0x03,
        "session fixation error, incomplete track in session",
    ),
    (0x73, 0x00, "cd control error"),
    (0x73, 0x01, "power calibration area almost full"),
    (0x73, 0x02, "power calibration area is full"),
    (0x73, 0x03, "power calibration area error"),
    (0x73, 0x04, "program memory area update failure"),
    (0x73, 0x05, "program memory area is full"),
];

/// Sense data, fixed (70h/71h) or descriptor (72h/73h) format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenseRepr {
    /// Key, ASC, ASCQ.
    pub sense: Sense,
    /// Current (70h/72h) rather than deferred (71h/73h).
    pub current: bool,
    /// The information field (e.g. the failing LBA), when valid.
    pub information: Option<u32>,
    /// Progress of a long operation (0–65535 of 65536), when reported.
    pub progress: Option<u16>,
}

impl SenseRepr {
    /// Current sense with no information or progress.
    pub const fn new(sense: Sense) -> SenseRepr {
        SenseRepr {
            sense,
            current: true,
            information: None,
            progress: None,
        }
    }

    /// Parses fixed or descriptor sense data.
    ///
    /// ## Errors
    ///
    /// [`WireError`] for data too short or with an unknown response code.
    pub fn parse(b: &[u8]) -> Result<SenseRepr, WireError> {
        need("sense data", b, 1)?;
        match b[0] & 0x7f {
            0x70 | 0x71 => {
                need("sense data", b, 14)?;
                let valid = b[0] & 0x80 != 0;
                let progress = if b.len() >= 18 && b[15] & 0x80 != 0 {
                    Some(be16(b, 16))
                } else {
                    None
                };
                Ok(SenseRepr {
                    sense: Sense::new(SenseKey::from_code(b[2]), b[12], b[13]),
                    current: b[0] & 0x7f == 0x70,
                    information: valid.then(|| be32(b, 3)),
                    progress,
                })
            }
            0x72 | 0x73 => {
                need("sense data", b, 8)?;
                let mut out = SenseRepr {
                    sense: Sense::new(SenseKey::from_code(b[1]), b[2], b[3]),
                    current: b[0] & 0x7f == 0x72,
                    information: None,
                    progress: None,
                };
                // Walk the descriptors: 00h information, 02h sense-key
                // specific (progress).
                let end = (8 + b[7] as usize).min(b.len());
                let mut at = 8;
                while at + 2 <= end {
                    let kind = b[at];
                    let len = b[at + 1] as usize;
                    let body = &b[at + 2..(at + 2 + len).min(end)];
                    match kind {
                        0x00 if body.len() >= 10 && body[0] & 0x80 != 0 => {
                            // 8-byte information field; keep the low 32 bits.
                            out.information = Some(be32(body, 6));
                        }
                        0x02 if body.len() >= 5 && body[2] & 0x80 != 0 => {
                            out.progress = Some(be16(body, 3));
                        }
                        _ => {}
                    }
                    at += 2 + len;
                }
                Ok(out)
            }
            code => Err(WireError::Field {
                what: "sense data",
                field: "response code",
                value: code as u32,
            }),
        }
    }

    /// Bytes of the fixed format.
    pub const fn buffer_len(&self) -> usize {
        FIXED_LEN
    }

    /// Writes 18 bytes of fixed-format sense data.
    pub fn emit(&self, out: &mut [u8]) {
        out[..FIXED_LEN].fill(0);
        out[0] = if self.current { 0x70 } else { 0x71 };
        if let Some(info) = self.information {
            out[0] |= 0x80;
            put_be32(out, 3, info);
        }
        out[2] = self.sense.key.code();
        out[7] = (FIXED_LEN - 8) as u8;
        out[12] = self.sense.asc;
        out[13] = self.sense.ascq;
        if let Some(p) = self.progress {
            out[15] = 0x80;
            put_be16(out, 16, p);
        }
    }

    /// Writes descriptor-format sense data (8-byte header, an information
    /// descriptor when set, a progress descriptor when set); returns the
    /// length written.
    pub fn emit_descriptor(&self, out: &mut [u8]) -> usize {
        out[0] = if self.current { 0x72 } else { 0x73 };
        out[1] = self.sense.key.code();
        out[2] = self.sense.asc;
        out[3] = self.sense.ascq;
        out[4..8].fill(0);
        let mut at = 8;
        if let Some(info) = self.information {
            out[at..at + 12].fill(0);
            out[at] = 0x00;
            out[at + 1] = 0x0a;
            out[at + 2] = 0x80;
            put_be32(out, at + 8, info);
            at += 12;
        }
        if let Some(p) = self.progress {
            out[at..at + 8].fill(0);
            out[at] = 0x02;
            out[at + 1] = 0x06;
            out[at + 4] = 0x80;
            put_be16(out, at + 5, p);
            at += 8;
        }
        out[7] = (at - 8) as u8;
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_golden() {
        // 3/0C/09 at LBA 1000 (0x3E8), current, valid information.
        let bytes = [
            0xf0, 0x00, 0x03, 0x00, 0x00, 0x03, 0xe8, 0x0a, 0, 0, 0, 0, 0x0c, 0x09, 0, 0, 0, 0,
        ];
        let r = SenseRepr::parse(&bytes).unwrap();
        assert_eq!(r.sense, Sense::LOSS_OF_STREAMING);
        assert_eq!(r.information, Some(1000));
        assert!(r.current);
        let mut out = [0xa5u8; 18];
        r.emit(&mut out);
        assert_eq!(out, bytes);
        assert_eq!(
            r.sense.to_string(),
            "3/0C/09 write error, loss of streaming (buffer underrun)"
        );
        assert_eq!(r.sense.disposition(), Disposition::Fail);
    }

    #[test]
    fn progress_and_descriptor_form() {
        let r = SenseRepr {
            sense: Sense::LONG_WRITE_IN_PROGRESS,
            current: true,
            information: Some(0xffff_ff6a),
            progress: Some(0x8000),
        };
        let mut fixed = [0u8; 18];
        r.emit(&mut fixed);
        assert_eq!(fixed[15..], [0x80, 0x80, 0x00]);
        assert_eq!(SenseRepr::parse(&fixed).unwrap(), r);
        let mut desc = [0xa5u8; 40];
        let n = r.emit_descriptor(&mut desc);
        assert_eq!(n, 28);
        assert_eq!(desc[..8], [0x72, 0x02, 0x04, 0x08, 0, 0, 0, 20]);
        assert_eq!(SenseRepr::parse(&desc[..n]).unwrap(), r);
        assert_eq!(r.sense.disposition(), Disposition::Retry { after_ms: 100 });
    }

    #[test]
    fn messages_and_dispositions() {
        assert_eq!(
            Sense::POWER_ON_RESET.message(),
            "power on, reset or bus device reset occurred"
        );
        assert_eq!(
            Sense::new(SenseKey::UnitAttention, 0x29, 0x02).message(),
            "power on, reset or bus device reset occurred"
        );
        assert_eq!(
            Sense::new(SenseKey::HardwareError, 0x99, 0x99).message(),
            "hardware error"
        );
        assert_eq!(
            Sense::POWER_ON_RESET.disposition(),
            Disposition::Retry { after_ms: 0 }
        );
        assert_eq!(Sense::NONE.disposition(), Disposition::Unconfirmed);
        assert_eq!(
            Sense::new(SenseKey::RecoveredError, 0x17, 0x01).disposition(),
            Disposition::Unconfirmed
        );
        assert_eq!(Sense::NO_MEDIUM.disposition(), Disposition::Fail);
        assert!(Sense::LONG_WRITE_IN_PROGRESS.not_executed());
        assert!(Sense::POWER_ON_RESET.not_executed());
        let garbled = Sense::new(SenseKey::HardwareError, 0x08, 0x00);
        assert_eq!(garbled.disposition(), Disposition::Retry { after_ms: 100 });
        assert!(!garbled.not_executed());
        assert!(!Sense::WRITE_ERROR.not_executed());
        assert_eq!(SenseKey::from_code(0x0d), SenseKey::Unknown(0x0d));
        assert_eq!(SenseKey::Unknown(0x0d).code(), 0x0d);
    }

    #[test]
    fn refusals() {
        assert!(SenseRepr::parse(&[]).is_err());
        assert!(SenseRepr::parse(&[0x70, 0, 0]).is_err());
        assert!(matches!(
            SenseRepr::parse(&[0x7f; 18]),
            Err(WireError::Field { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            if let Ok(s) = SenseRepr::parse(&b) {
                let _ = s.sense.message();
                let _ = s.sense.disposition();
                let mut out = vec![0u8; 64];
                s.emit(&mut out);
                s.emit_descriptor(&mut out);
            }
        }
    }
}
