//! GET PERFORMANCE replies: nominal performance (type 00h) and write
//! speeds (type 03h) (MMC-5; `cd-standards.md` §6.18).
//!
//! Both start with an 8-byte header (data length, Write and Except bits)
//! and carry 16-byte descriptors; the reply does not say which type it
//! holds, so each has its own value: [`PerformanceRepr`] and
//! [`WriteSpeedsRepr`]. Speeds are in kB/s with k = 1000 (1× CD = 176.4).

/// kB/s (k = 1000) of 1× CD: 75 sectors of 2352 bytes a second.
pub const KBS_1X: f64 = 176.4;

use super::{Partial, WireError, be32, need, put_be32};

/// Bytes of the reply header.
pub const HEADER_LEN: usize = 8;
/// Bytes of every descriptor.
pub const DESCRIPTOR_LEN: usize = 16;

/// Header fields.
pub mod field {
    use super::super::Field;
    /// Performance data length: bytes following this field.
    pub const DATA_LEN: Field = 0..4;
    /// Bit 1 Write, bit 0 Except (type 00h).
    pub const FLAGS: usize = 4;
}

/// A type 03h write speed descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WriteSpeedDescriptor {
    /// WRC: rotation control (2 bits: 0 CLV, 1 CAV).
    pub wrc: u8,
    /// RDD: the drive restores the defaults on a medium change.
    pub rdd: bool,
    /// Exact: the speeds hold over the whole medium.
    pub exact: bool,
    /// MRW: the speeds hold for MRW formatted media.
    pub mrw: bool,
    /// Last LBA the speeds hold for (the capacity).
    pub end_lba: i32,
    /// Read speed, kB/s.
    pub read_speed: u32,
    /// Write speed, kB/s.
    pub write_speed: u32,
}

impl WriteSpeedDescriptor {
    fn parse(d: &[u8]) -> WriteSpeedDescriptor {
        WriteSpeedDescriptor {
            wrc: (d[0] >> 3) & 0x03,
            rdd: d[0] & 0x04 != 0,
            exact: d[0] & 0x02 != 0,
            mrw: d[0] & 0x01 != 0,
            end_lba: be32(d, 4) as i32,
            read_speed: be32(d, 8),
            write_speed: be32(d, 12),
        }
    }

    fn emit(&self, out: &mut [u8]) {
        out[..DESCRIPTOR_LEN].fill(0);
        out[0] = ((self.wrc & 0x03) << 3)
            | if self.rdd { 0x04 } else { 0 }
            | if self.exact { 0x02 } else { 0 }
            | if self.mrw { 0x01 } else { 0 };
        put_be32(out, 4, self.end_lba as u32);
        put_be32(out, 8, self.read_speed);
        put_be32(out, 12, self.write_speed);
    }
}

/// A GET PERFORMANCE reply of type 03h: the write speeds for the medium.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WriteSpeedsRepr {
    /// The descriptors, fastest first as drives send them.
    pub descriptors: Vec<WriteSpeedDescriptor>,
}

impl WriteSpeedsRepr {
    /// Parses a type 03h reply. The data length bounds the descriptors
    /// read; a descriptor cut off is left out.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] under the 8-byte header.
    pub fn parse(bytes: &[u8]) -> Result<WriteSpeedsRepr, WireError> {
        need("write speeds", bytes, HEADER_LEN)?;
        Ok(WriteSpeedsRepr {
            descriptors: descriptors(bytes)
                .map(WriteSpeedDescriptor::parse)
                .collect(),
        })
    }

    /// Bytes [`WriteSpeedsRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + DESCRIPTOR_LEN * self.descriptors.len()
    }

    /// Writes the reply into `out[..buffer_len()]` (header flags zero).
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`WriteSpeedsRepr::buffer_len`].
    pub fn emit(&self, out: &mut [u8]) {
        header(out, self.descriptors.len(), 0);
        for (o, d) in out[HEADER_LEN..]
            .chunks_exact_mut(DESCRIPTOR_LEN)
            .zip(&self.descriptors)
        {
            d.emit(o);
        }
    }

    /// The reply as bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.buffer_len()];
        self.emit(&mut v);
        v
    }
}

/// A type 00h nominal performance descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NominalPerformance {
    /// First LBA of the range.
    pub start_lba: i32,
    /// Performance at the start, kB/s.
    pub start_performance: u32,
    /// Last LBA of the range.
    pub end_lba: i32,
    /// Performance at the end, kB/s.
    pub end_performance: u32,
}

/// A GET PERFORMANCE reply of type 00h: nominal read or write performance.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PerformanceRepr {
    /// Write: the descriptors are for writing.
    pub write: bool,
    /// Except: the descriptors list exceptions.
    pub except: bool,
    /// The descriptors.
    pub descriptors: Vec<NominalPerformance>,
}

impl PerformanceRepr {
    /// Parses a type 00h reply. The data length bounds the descriptors
    /// read; a descriptor cut off is left out.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] under the 8-byte header.
    pub fn parse(bytes: &[u8]) -> Result<PerformanceRepr, WireError> {
        need("performance", bytes, HEADER_LEN)?;
        Ok(PerformanceRepr {
            write: bytes[field::FLAGS] & 0x02 != 0,
            except: bytes[field::FLAGS] & 0x01 != 0,
            descriptors: descriptors(bytes)
                .map(|d| NominalPerformance {
                    start_lba: be32(d, 0) as i32,
                    start_performance: be32(d, 4),
                    end_lba: be32(d, 8) as i32,
                    end_performance: be32(d, 12),
                })
                .collect(),
        })
    }

    /// Bytes [`PerformanceRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + DESCRIPTOR_LEN * self.descriptors.len()
    }

    /// Writes the reply into `out[..buffer_len()]`.
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`PerformanceRepr::buffer_len`].
    pub fn emit(&self, out: &mut [u8]) {
        let flags = if self.write { 0x02 } else { 0 } | if self.except { 0x01 } else { 0 };
        header(out, self.descriptors.len(), flags);
        for (o, d) in out[HEADER_LEN..]
            .chunks_exact_mut(DESCRIPTOR_LEN)
            .zip(&self.descriptors)
        {
            put_be32(o, 0, d.start_lba as u32);
            put_be32(o, 4, d.start_performance);
            put_be32(o, 8, d.end_lba as u32);
            put_be32(o, 12, d.end_performance);
        }
    }

    /// The reply as bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.buffer_len()];
        self.emit(&mut v);
        v
    }
}

/// The descriptors present after the header, bounded by the data length.
fn descriptors(bytes: &[u8]) -> core::slice::ChunksExact<'_, u8> {
    let limit = 4usize.saturating_add(be32(bytes, 0) as usize);
    Partial::new(bytes, limit)
        .bytes()
        .get(HEADER_LEN..)
        .unwrap_or(&[])
        .chunks_exact(DESCRIPTOR_LEN)
}

/// Writes the header for `descriptors` descriptors; returns the reply's
/// length.
fn header(out: &mut [u8], descriptors: usize, flags: u8) -> usize {
    let len = HEADER_LEN + DESCRIPTOR_LEN * descriptors;
    put_be32(out, field::DATA_LEN.start, (len - 4) as u32);
    out[field::FLAGS] = flags;
    out[5..HEADER_LEN].fill(0);
    len
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Write speeds for an 80-minute CD-R: 40× (7056 kB/s) and 24×
    /// (4234 kB/s, CLV, exact) up to LBA 359849.
    const SPEEDS: [u8; 40] = [
        0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x7d, 0xa9, //
        0x00, 0x00, 0x1b, 0x90, 0x00, 0x00, 0x1b, 0x90, //
        0x02, 0x00, 0x00, 0x00, 0x00, 0x05, 0x7d, 0xa9, //
        0x00, 0x00, 0x1b, 0x90, 0x00, 0x00, 0x10, 0x8a, //
    ];

    #[test]
    fn write_speeds_golden() {
        let r = WriteSpeedsRepr::parse(&SPEEDS).unwrap();
        let d = |exact, write_speed| WriteSpeedDescriptor {
            wrc: 0,
            rdd: false,
            exact,
            mrw: false,
            end_lba: 359_849,
            read_speed: 7056,
            write_speed,
        };
        assert_eq!(r.descriptors, [d(false, 7056), d(true, 4234)]);
        let mut out = [0xa5u8; 40];
        r.emit(&mut out);
        assert_eq!(out, SPEEDS);
        assert_eq!(
            WriteSpeedsRepr::parse(&SPEEDS[..30])
                .unwrap()
                .descriptors
                .len(),
            1
        );
        assert!(WriteSpeedsRepr::parse(&SPEEDS[..7]).is_err());
    }

    #[test]
    fn nominal_golden() {
        // Write performance from 2822 kB/s at LBA 0 to 7056 at 359849.
        let bytes = [
            0x00, 0x00, 0x00, 0x14, 0x02, 0x00, 0x00, 0x00, //
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x06, //
            0x00, 0x05, 0x7d, 0xa9, 0x00, 0x00, 0x1b, 0x90, //
        ];
        let r = PerformanceRepr::parse(&bytes).unwrap();
        assert_eq!(
            r,
            PerformanceRepr {
                write: true,
                except: false,
                descriptors: vec![NominalPerformance {
                    start_lba: 0,
                    start_performance: 2822,
                    end_lba: 359_849,
                    end_performance: 7056
                }]
            }
        );
        let mut out = [0xa5u8; 24];
        r.emit(&mut out);
        assert_eq!(out, bytes);
        assert!(
            PerformanceRepr::parse(&bytes[..8])
                .unwrap()
                .descriptors
                .is_empty()
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(b in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = WriteSpeedsRepr::parse(&b);
            let _ = PerformanceRepr::parse(&b);
        }

        #[test]
        fn roundtrip(mut b in proptest::collection::vec(any::<u8>(), 8..80)) {
            b[0] = 0;
            b[1] = 0;
            let r = WriteSpeedsRepr::parse(&b).unwrap();
            prop_assert_eq!(WriteSpeedsRepr::parse(&r.to_vec()), Ok(r));
            let r = PerformanceRepr::parse(&b).unwrap();
            prop_assert_eq!(PerformanceRepr::parse(&r.to_vec()), Ok(r));
        }
    }
}
