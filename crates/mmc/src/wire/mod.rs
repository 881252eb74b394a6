//! Wire formats: USB Bulk-Only framing and SCSI/MMC commands, parameter data
//! and replies (`cd-standards.md` §6, §7).
//!
//! Conventions, for every format:
//!
//! - a view over a buffer, `Foo<T: AsRef<[u8]>>`, with `new_checked` for
//!   untrusted bytes and accessors (setters when `T: AsMut<[u8]>`);
//! - a plain value, `FooRepr`, with `parse` (never panics on any input),
//!   `emit` into a caller buffer and `buffer_len`;
//! - field offsets as named ranges from the spec table;
//! - SCSI fields big-endian, USB Bulk-Only fields little-endian, by hand;
//! - code enums keep unknown values (`Unknown(u8)`).
//!
//! CDBs ([`command`]), at most 12 bytes and always handled whole, are plain
//! values only.

pub mod bot;
pub mod command;
pub mod sense;

/// A byte range within a format.
pub type Field = core::ops::Range<usize>;

/// Why bytes could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Fewer bytes than the format needs.
    #[error("{what}: {got} bytes, {need} needed")]
    Truncated {
        /// The format.
        what: &'static str,
        /// Bytes needed.
        need: usize,
        /// Bytes given.
        got: usize,
    },
    /// A signature or fixed value that does not match.
    #[error("{what}: signature 0x{got:08x}, expected 0x{expected:08x}")]
    Signature {
        /// The format.
        what: &'static str,
        /// Value found.
        got: u32,
        /// Value expected.
        expected: u32,
    },
    /// A CDB with another operation code.
    #[error("{what}: operation code 0x{got:02x}, expected 0x{expected:02x}")]
    Opcode {
        /// The format.
        what: &'static str,
        /// Code found.
        got: u8,
        /// Code expected.
        expected: u8,
    },
    /// A field with a value the format does not allow.
    #[error("{what}: {field} is 0x{value:x}")]
    Field {
        /// The format.
        what: &'static str,
        /// The field.
        field: &'static str,
        /// Its value.
        value: u32,
    },
}

/// Checks that `buf` holds at least `need` bytes.
pub(crate) fn need(what: &'static str, buf: &[u8], need: usize) -> Result<(), WireError> {
    if buf.len() < need {
        Err(WireError::Truncated {
            what,
            need,
            got: buf.len(),
        })
    } else {
        Ok(())
    }
}

/// Big-endian 16 bits at `at`.
pub(crate) fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// Big-endian 24 bits at `at`.
pub(crate) fn be24(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([0, b[at], b[at + 1], b[at + 2]])
}

/// Big-endian 32 bits at `at`.
pub(crate) fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Little-endian 32 bits at `at`.
pub(crate) fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Writes big-endian 16 bits at `at`.
pub(crate) fn put_be16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

/// Writes big-endian 24 bits at `at`.
pub(crate) fn put_be24(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 3].copy_from_slice(&v.to_be_bytes()[1..]);
}

/// Writes big-endian 32 bits at `at`.
pub(crate) fn put_be32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_be_bytes());
}

/// Writes little-endian 32 bits at `at`.
pub(crate) fn put_le32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}
