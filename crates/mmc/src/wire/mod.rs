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
//! - code enums keep unknown values (`Unknown(u8)`);
//! - replies cut short by the host's allocation length parse from the bytes
//!   present (their own length field bounds what is read); each format
//!   documents the fewest bytes it needs and what absent fields read as.
//!
//! CDBs ([`command`]), at most 12 bytes and always handled whole, are plain
//! values only.

pub mod bot;
pub mod buffer;
pub mod command;
pub mod config;
pub mod cue_sheet;
pub mod disc_info;
pub mod inquiry;
pub mod mode;
pub mod performance;
pub mod sense;
pub mod toc;
pub mod track_info;

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

/// The bytes of a reply as far as they came: at most the length the reply
/// declares for itself, and no more than the host received. Fields cut off
/// read as zero, so a reply truncated by the allocation length parses from
/// what is there.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Partial<'a>(&'a [u8]);

impl<'a> Partial<'a> {
    /// `bytes`, limited to the first `limit`.
    pub(crate) fn new(bytes: &'a [u8], limit: usize) -> Partial<'a> {
        Partial(&bytes[..bytes.len().min(limit)])
    }

    /// The bytes present.
    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.0
    }

    /// Number of bytes present.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether every byte of `field` is present.
    pub(crate) fn has(&self, field: Field) -> bool {
        field.end <= self.0.len()
    }

    /// The byte at `at`, or 0.
    pub(crate) fn u8(&self, at: usize) -> u8 {
        self.0.get(at).copied().unwrap_or(0)
    }

    /// Whether `mask` is set in the byte at `at` (false when absent).
    pub(crate) fn bit(&self, at: usize, mask: u8) -> bool {
        self.u8(at) & mask != 0
    }

    /// Big-endian 16 bits at `at`, or 0 unless both bytes are present.
    pub(crate) fn be16(&self, at: usize) -> u16 {
        if self.has(at..at + 2) {
            be16(self.0, at)
        } else {
            0
        }
    }

    /// Big-endian 32 bits at `at`, or 0 unless all four bytes are present.
    pub(crate) fn be32(&self, at: usize) -> u32 {
        if self.has(at..at + 4) {
            be32(self.0, at)
        } else {
            0
        }
    }

    /// The `N` bytes from `at` when all are present.
    pub(crate) fn array<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.0.get(at..at + N)?);
        Some(out)
    }
}

/// The text of a fixed ASCII field: up to the first NUL, spaces trimmed at
/// both ends, bytes outside printable ASCII shown as `?`.
pub(crate) fn ascii_text(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    b[..end]
        .iter()
        .map(|&c| {
            if (0x20..=0x7e).contains(&c) {
                c as char
            } else {
                '?'
            }
        })
        .collect::<String>()
        .trim_matches(' ')
        .to_string()
}

/// Writes `text` into `out` as ASCII, cut to fit: characters outside
/// printable ASCII become `?`; the rest of `out` is filled with `pad`.
pub(crate) fn put_ascii(out: &mut [u8], text: &str, pad: u8) {
    out.fill(pad);
    for (o, c) in out.iter_mut().zip(text.chars()) {
        *o = if (' '..='~').contains(&c) {
            c as u8
        } else {
            b'?'
        };
    }
}

/// A [`layout::msf::Msf`] from three binary bytes, or a [`WireError::Field`]
/// naming `field`.
pub(crate) fn msf_field(
    what: &'static str,
    field: &'static str,
    b: [u8; 3],
) -> Result<layout::msf::Msf, WireError> {
    layout::msf::Msf::new(b[0], b[1], b[2]).map_err(|_| WireError::Field {
        what,
        field,
        value: u32::from_be_bytes([0, b[0], b[1], b[2]]),
    })
}
