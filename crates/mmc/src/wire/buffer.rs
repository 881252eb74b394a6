//! READ BUFFER CAPACITY reply: how full the drive's write buffer is
//! (MMC-5; `cd-standards.md` §6.14).
//!
//! With the BLOCK bit clear in the command the drive reports the buffer's
//! size and its free space in bytes; with BLOCK set, the free space in
//! blocks. The reply says which in byte 3 bit 0.

use super::{Partial, WireError, be16, need, put_be16, put_be32};

/// Bytes of the reply (the data length says 10).
pub const BUFFER_CAPACITY_LEN: usize = 12;
/// Fewest bytes [`BufferCapacityRepr::parse`] accepts: through the BLOCK
/// bit.
pub const MIN_LEN: usize = 4;

/// Reply fields (`cd-standards.md` §6.14).
pub mod field {
    use super::super::Field;
    /// Data length: bytes following this field.
    pub const DATA_LEN: Field = 0..2;
    /// Bit 0: BLOCK, the form of the reply.
    pub const BLOCK: usize = 3;
    /// Length of the buffer in bytes (BLOCK = 0).
    pub const BUFFER_LEN: Field = 4..8;
    /// Blank length of the buffer in bytes (BLOCK = 0), or available
    /// buffer length in blocks (BLOCK = 1).
    pub const AVAILABLE: Field = 8..12;
}

/// A READ BUFFER CAPACITY reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BufferCapacityRepr {
    /// BLOCK = 0: sizes in bytes.
    Bytes {
        /// Size of the buffer.
        length: u32,
        /// Free space (blank length).
        blank: u32,
    },
    /// BLOCK = 1: free space in blocks.
    Blocks {
        /// Blocks the buffer can take.
        available: u32,
    },
}

impl BufferCapacityRepr {
    /// Parses a reply; byte 3 bit 0 selects the form (older drives leave
    /// it clear). The data length bounds what is read; values cut off read
    /// as zero.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] under [`MIN_LEN`] bytes.
    pub fn parse(bytes: &[u8]) -> Result<BufferCapacityRepr, WireError> {
        need("buffer capacity", bytes, MIN_LEN)?;
        let p = Partial::new(bytes, 2 + be16(bytes, 0) as usize);
        Ok(if p.bit(field::BLOCK, 0x01) {
            BufferCapacityRepr::Blocks {
                available: p.be32(field::AVAILABLE.start),
            }
        } else {
            BufferCapacityRepr::Bytes {
                length: p.be32(field::BUFFER_LEN.start),
                blank: p.be32(field::AVAILABLE.start),
            }
        })
    }

    /// Free space in bytes, given the size of a block; saturates.
    pub fn free_bytes(&self, block_size: u32) -> u64 {
        match *self {
            BufferCapacityRepr::Bytes { blank, .. } => blank as u64,
            BufferCapacityRepr::Blocks { available } => available as u64 * block_size as u64,
        }
    }

    /// Bytes [`BufferCapacityRepr::emit`] writes: always 12.
    pub const fn buffer_len(&self) -> usize {
        BUFFER_CAPACITY_LEN
    }

    /// Writes the 12-byte reply into `out`.
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`BufferCapacityRepr::buffer_len`].
    pub fn emit(&self, out: &mut [u8]) {
        out[..BUFFER_CAPACITY_LEN].fill(0);
        put_be16(out, field::DATA_LEN.start, (BUFFER_CAPACITY_LEN - 2) as u16);
        match *self {
            BufferCapacityRepr::Bytes { length, blank } => {
                put_be32(out, field::BUFFER_LEN.start, length);
                put_be32(out, field::AVAILABLE.start, blank);
            }
            BufferCapacityRepr::Blocks { available } => {
                out[field::BLOCK] = 0x01;
                put_be32(out, field::AVAILABLE.start, available);
            }
        }
    }

    /// The reply as bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.buffer_len()];
        self.emit(&mut v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A 2 MiB buffer with 0x1f8000 bytes free.
    const BYTES: [u8; 12] = [
        0x00, 0x0a, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x1f, 0x80, 0x00,
    ];
    /// 892 blocks free.
    const BLOCKS: [u8; 12] = [
        0x00, 0x0a, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x7c,
    ];

    #[test]
    fn golden() {
        let r = BufferCapacityRepr::parse(&BYTES).unwrap();
        assert_eq!(
            r,
            BufferCapacityRepr::Bytes {
                length: 0x0020_0000,
                blank: 0x001f_8000
            }
        );
        let mut out = [0xa5u8; 12];
        r.emit(&mut out);
        assert_eq!(out, BYTES);
        let r = BufferCapacityRepr::parse(&BLOCKS).unwrap();
        assert_eq!(r, BufferCapacityRepr::Blocks { available: 892 });
        assert_eq!(r.free_bytes(2352), 892 * 2352);
        let mut out = [0xa5u8; 12];
        r.emit(&mut out);
        assert_eq!(out, BLOCKS);
    }

    #[test]
    fn truncated() {
        assert_eq!(
            BufferCapacityRepr::parse(&BYTES[..10]),
            Ok(BufferCapacityRepr::Bytes {
                length: 0x0020_0000,
                blank: 0
            })
        );
        assert!(BufferCapacityRepr::parse(&BYTES[..3]).is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics(b in proptest::collection::vec(any::<u8>(), 0..16)) {
            let _ = BufferCapacityRepr::parse(&b);
        }

        #[test]
        fn roundtrip(mut b in proptest::collection::vec(any::<u8>(), 4..16)) {
            b[0] = 0;
            let r = BufferCapacityRepr::parse(&b).unwrap();
            prop_assert_eq!(BufferCapacityRepr::parse(&r.to_vec()), Ok(r));
        }
    }
}
