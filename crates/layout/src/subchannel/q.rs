//! Q-channel frames: 10 bytes of data and a CRC (`cd-standards.md` §3.3).

use super::q_crc;
use crate::disc::{Isrc, Mcn};
use crate::msf::{Bcd, Msf};

/// A 12-byte Q frame as on the disc: CONTROL/ADR, 9 bytes by mode, CRC
/// (stored big-endian, inverted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QFrame(pub [u8; 12]);

/// Why a Q frame could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QError {
    /// The CRC does not match.
    #[error("q crc mismatch: stored {stored:04x}, computed {computed:04x}")]
    Crc {
        /// CRC in the frame.
        stored: u16,
        /// CRC of its data.
        computed: u16,
    },
    /// A field that must be BCD is not.
    #[error("q byte {0} is not bcd")]
    Bcd(usize),
    /// An ADR this decoder does not know.
    #[error("q adr {0} is not 1, 2 or 3")]
    Adr(u8),
    /// An MCN or ISRC that does not decode.
    #[error("q mode {0} identifier does not decode")]
    Identifier(u8),
}

/// The meaning of a Q frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QRepr {
    /// ADR 1 in the program area, pregaps and lead-out.
    Position {
        /// CONTROL nibble.
        control: u8,
        /// TNO byte: BCD track number, or 0xAA in the lead-out.
        tno: u8,
        /// Index number.
        index: u8,
        /// Time within the track (counting down in a pregap).
        relative: Msf,
        /// Absolute time.
        absolute: Msf,
    },
    /// ADR 1 in the lead-in (TNO 0): one TOC entry.
    TocEntry {
        /// CONTROL nibble of the track the entry describes.
        control: u8,
        /// POINT: BCD track number, or 0xA0, 0xA1, 0xA2.
        point: u8,
        /// MIN/SEC/FRAME of this lead-in sector.
        time: Msf,
        /// PMIN, PSEC, PFRAME as stored (BCD).
        p: [u8; 3],
    },
    /// ADR 2: the Media Catalog Number.
    Mcn {
        /// CONTROL nibble.
        control: u8,
        /// The number.
        mcn: Mcn,
        /// Absolute frame (0–74).
        aframe: u8,
    },
    /// ADR 3: the ISRC.
    Isrc {
        /// CONTROL nibble.
        control: u8,
        /// The code.
        isrc: Isrc,
        /// Absolute frame (0–74).
        aframe: u8,
    },
}

impl QFrame {
    /// A frame from its 10 data bytes, with the CRC appended.
    pub fn from_data(data: [u8; 10]) -> QFrame {
        let mut b = [0u8; 12];
        b[..10].copy_from_slice(&data);
        b[10..].copy_from_slice(&q_crc(&data).to_be_bytes());
        QFrame(b)
    }

    /// Whether the stored CRC matches.
    pub fn crc_ok(&self) -> bool {
        q_crc(&self.0[..10]).to_be_bytes() == [self.0[10], self.0[11]]
    }

    /// CONTROL nibble.
    pub fn control(&self) -> u8 {
        self.0[0] >> 4
    }

    /// ADR nibble.
    pub fn adr(&self) -> u8 {
        self.0[0] & 0x0f
    }

    /// Decodes the frame.
    ///
    /// ## Errors
    ///
    /// [`QError`] for a bad CRC, non-BCD fields or an unknown ADR.
    pub fn decode(&self) -> Result<QRepr, QError> {
        let b = &self.0;
        if !self.crc_ok() {
            return Err(QError::Crc {
                stored: u16::from_be_bytes([b[10], b[11]]),
                computed: q_crc(&b[..10]),
            });
        }
        let control = self.control();
        let msf =
            |at: usize| Msf::from_bcd(b[at], b[at + 1], b[at + 2]).map_err(|_| QError::Bcd(at));
        let bcd = |at: usize| Bcd::new(b[at]).map(Bcd::value).map_err(|_| QError::Bcd(at));
        let aframe = || bcd(9);
        match self.adr() {
            1 if b[1] == 0 => Ok(QRepr::TocEntry {
                control,
                point: b[2],
                time: msf(3)?,
                p: [b[7], b[8], b[9]],
            }),
            1 => {
                if b[1] != 0xaa {
                    bcd(1)?;
                }
                Ok(QRepr::Position {
                    control,
                    tno: b[1],
                    index: bcd(2)?,
                    relative: msf(3)?,
                    absolute: msf(7)?,
                })
            }
            2 => {
                let mut m = [0u8; 7];
                m.copy_from_slice(&b[1..8]);
                Ok(QRepr::Mcn {
                    control,
                    mcn: Mcn::from_q_bytes(&m).map_err(|_| QError::Identifier(2))?,
                    aframe: aframe()?,
                })
            }
            3 => {
                let mut i = [0u8; 8];
                i.copy_from_slice(&b[1..9]);
                Ok(QRepr::Isrc {
                    control,
                    isrc: Isrc::from_q_bytes(&i).map_err(|_| QError::Identifier(3))?,
                    aframe: aframe()?,
                })
            }
            other => Err(QError::Adr(other)),
        }
    }
}

impl QRepr {
    /// The frame for this meaning.
    pub fn emit(&self) -> QFrame {
        let mut d = [0u8; 10];
        match *self {
            QRepr::Position {
                control,
                tno,
                index,
                relative,
                absolute,
            } => {
                d[0] = (control << 4) | 1;
                d[1] = tno;
                d[2] = bcd(index);
                d[3..6].copy_from_slice(&relative.to_bcd());
                d[7..10].copy_from_slice(&absolute.to_bcd());
            }
            QRepr::TocEntry {
                control,
                point,
                time,
                p,
            } => {
                d[0] = (control << 4) | 1;
                d[2] = point;
                d[3..6].copy_from_slice(&time.to_bcd());
                d[7..10].copy_from_slice(&p);
            }
            QRepr::Mcn {
                control,
                mcn,
                aframe,
            } => {
                d[0] = (control << 4) | 2;
                d[1..8].copy_from_slice(&mcn.to_q_bytes());
                d[9] = bcd(aframe);
            }
            QRepr::Isrc {
                control,
                isrc,
                aframe,
            } => {
                d[0] = (control << 4) | 3;
                d[1..9].copy_from_slice(&isrc.to_q_bytes());
                d[9] = bcd(aframe);
            }
        }
        QFrame::from_data(d)
    }
}

fn bcd(v: u8) -> u8 {
    Bcd::from_binary(v.min(99)).map(Bcd::raw).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_position_frame() {
        // `cd-standards.md` §3.3 example.
        let f = QRepr::Position {
            control: 4,
            tno: 0x01,
            index: 1,
            relative: Msf::ZERO,
            absolute: Msf::new(0, 2, 0).unwrap(),
        }
        .emit();
        assert_eq!(
            f.0,
            [
                0x41, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x28, 0x32
            ]
        );
        assert!(f.crc_ok());
    }

    #[test]
    fn roundtrips() {
        let reprs = [
            QRepr::Position {
                control: 0,
                tno: 0xaa,
                index: 1,
                relative: Msf::new(0, 1, 2).unwrap(),
                absolute: Msf::new(70, 3, 4).unwrap(),
            },
            QRepr::TocEntry {
                control: 4,
                point: 0xa2,
                time: Msf::new(97, 26, 65).unwrap(),
                p: [0x70, 0x03, 0x04],
            },
            QRepr::Mcn {
                control: 0,
                mcn: Mcn::parse("0036000291452").unwrap(),
                aframe: 74,
            },
            QRepr::Isrc {
                control: 2,
                isrc: Isrc::parse("USRC17607839").unwrap(),
                aframe: 12,
            },
        ];
        for r in reprs {
            assert_eq!(r.emit().decode(), Ok(r));
        }
    }

    #[test]
    fn decode_errors() {
        let mut f = QRepr::Position {
            control: 0,
            tno: 0x01,
            index: 1,
            relative: Msf::ZERO,
            absolute: Msf::ZERO,
        }
        .emit();
        f.0[11] ^= 1;
        assert!(matches!(f.decode(), Err(QError::Crc { .. })));
        let bad_bcd = QFrame::from_data([0x01, 0x01, 0x1a, 0, 0, 0, 0, 0, 2, 0]);
        assert_eq!(bad_bcd.decode(), Err(QError::Bcd(2)));
        let adr5 = QFrame::from_data([0x05, 0, 0xb0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(adr5.decode(), Err(QError::Adr(5)));
    }
}
