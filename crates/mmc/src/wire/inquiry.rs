//! Standard INQUIRY data: what kind of device answers and who made it
//! (SPC-3; `cd-standards.md` §6.4).
//!
//! rawburn asks for and emits the 36-byte standard form, as Linux does.
//! There is no 2-byte length field here: the additional length (byte 4)
//! only reports how much the device could send, so the parser reads every
//! byte it is given up to 36. Many USB bridges report a wrong additional
//! length; the strings are taken from the bytes present either way.

use super::{Field, Partial, WireError, ascii_text, need, put_ascii};

/// Bytes of standard INQUIRY data rawburn asks for and emits.
pub const INQUIRY_LEN: usize = 36;
/// Fewest bytes [`InquiryRepr::parse`] accepts: through the additional
/// length.
pub const MIN_LEN: usize = 5;
/// Peripheral device type of a CD/DVD (MMC) device.
pub const DEVICE_TYPE_MMC: u8 = 0x05;
/// Additional length of the 36-byte form (36 − 5).
pub const ADDITIONAL_LEN_36: u8 = 0x1f;

/// Standard INQUIRY data fields (`cd-standards.md` §6.4).
pub mod field {
    use super::Field;
    /// Bits 7–5 peripheral qualifier, bits 4–0 peripheral device type.
    pub const PERIPHERAL: usize = 0;
    /// Bit 7: RMB, removable medium.
    pub const RMB: usize = 1;
    /// Version of the standard claimed.
    pub const VERSION: usize = 2;
    /// Bits 3–0: response data format.
    pub const RESPONSE_FORMAT: usize = 3;
    /// Additional length (n − 4).
    pub const ADDITIONAL_LEN: usize = 4;
    /// T10 vendor identification (ASCII, space-padded).
    pub const VENDOR: Field = 8..16;
    /// Product identification.
    pub const PRODUCT: Field = 16..32;
    /// Product revision level.
    pub const REVISION: Field = 32..36;
}

/// A view of INQUIRY data. Fields beyond the bytes given read as zero or
/// empty.
#[derive(Debug, Clone, Copy)]
pub struct Inquiry<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Inquiry<T> {
    /// Wraps INQUIRY data of at least [`MIN_LEN`] bytes.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] for fewer.
    pub fn new_checked(buffer: T) -> Result<Inquiry<T>, WireError> {
        need("inquiry data", buffer.as_ref(), MIN_LEN)?;
        Ok(Inquiry { buffer })
    }

    fn p(&self) -> Partial<'_> {
        Partial::new(self.buffer.as_ref(), INQUIRY_LEN)
    }

    /// Peripheral qualifier (0: a device is connected to this unit).
    pub fn qualifier(&self) -> u8 {
        self.p().u8(field::PERIPHERAL) >> 5
    }

    /// Peripheral device type ([`DEVICE_TYPE_MMC`] for a CD/DVD drive).
    pub fn device_type(&self) -> u8 {
        self.p().u8(field::PERIPHERAL) & 0x1f
    }

    /// RMB: the medium is removable.
    pub fn removable(&self) -> bool {
        self.p().bit(field::RMB, 0x80)
    }

    /// Version byte.
    pub fn version(&self) -> u8 {
        self.p().u8(field::VERSION)
    }

    /// Response data format (bits 3–0).
    pub fn response_format(&self) -> u8 {
        self.p().u8(field::RESPONSE_FORMAT) & 0x0f
    }

    /// Additional length as reported.
    pub fn additional_len(&self) -> u8 {
        self.p().u8(field::ADDITIONAL_LEN)
    }

    /// The vendor bytes present (up to 8).
    pub fn vendor(&self) -> &[u8] {
        present(self.p(), field::VENDOR)
    }

    /// The product bytes present (up to 16).
    pub fn product(&self) -> &[u8] {
        present(self.p(), field::PRODUCT)
    }

    /// The revision bytes present (up to 4).
    pub fn revision(&self) -> &[u8] {
        present(self.p(), field::REVISION)
    }
}

/// Standard INQUIRY data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InquiryRepr {
    /// Peripheral qualifier (3 bits).
    pub qualifier: u8,
    /// Peripheral device type (5 bits).
    pub device_type: u8,
    /// RMB: removable medium.
    pub removable: bool,
    /// Version of the standard claimed.
    pub version: u8,
    /// Response data format (4 bits; 2 for SPC-2 and later).
    pub response_format: u8,
    /// Additional length, emitted as given ([`ADDITIONAL_LEN_36`] for the
    /// 36-byte form).
    pub additional_len: u8,
    /// Vendor identification, trimmed (at most 8 characters are emitted).
    pub vendor: String,
    /// Product identification, trimmed (at most 16).
    pub product: String,
    /// Product revision level, trimmed (at most 4).
    pub revision: String,
}

impl InquiryRepr {
    /// The INQUIRY data of a removable MMC drive: device type 05h, SPC-3
    /// version (05h), response format 2, 36 bytes.
    pub fn mmc(vendor: &str, product: &str, revision: &str) -> InquiryRepr {
        InquiryRepr {
            qualifier: 0,
            device_type: DEVICE_TYPE_MMC,
            removable: true,
            version: 0x05,
            response_format: 0x02,
            additional_len: ADDITIONAL_LEN_36,
            vendor: vendor.to_string(),
            product: product.to_string(),
            revision: revision.to_string(),
        }
    }

    /// Parses INQUIRY data. Strings end at a NUL, lose surrounding spaces
    /// and show non-printable bytes as `?`; strings (or parts) beyond the
    /// bytes given are empty. Byte 3 bits 7–4 and bytes 5–7 are not kept.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] under [`MIN_LEN`] bytes.
    pub fn parse(bytes: &[u8]) -> Result<InquiryRepr, WireError> {
        let v = Inquiry::new_checked(bytes)?;
        Ok(InquiryRepr {
            qualifier: v.qualifier(),
            device_type: v.device_type(),
            removable: v.removable(),
            version: v.version(),
            response_format: v.response_format(),
            additional_len: v.additional_len(),
            vendor: ascii_text(v.vendor()),
            product: ascii_text(v.product()),
            revision: ascii_text(v.revision()),
        })
    }

    /// Whether this is a CD/DVD drive that is present (qualifier 0, type
    /// 05h).
    pub fn is_mmc(&self) -> bool {
        self.qualifier == 0 && self.device_type == DEVICE_TYPE_MMC
    }

    /// Bytes [`InquiryRepr::emit`] writes: always 36.
    pub const fn buffer_len(&self) -> usize {
        INQUIRY_LEN
    }

    /// Writes 36 bytes of INQUIRY data into `out`; strings are cut to
    /// their fields and space-padded, non-ASCII characters written as `?`.
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`InquiryRepr::buffer_len`].
    pub fn emit(&self, out: &mut [u8]) {
        out[..INQUIRY_LEN].fill(0);
        out[field::PERIPHERAL] = (self.qualifier << 5) | (self.device_type & 0x1f);
        out[field::RMB] = if self.removable { 0x80 } else { 0 };
        out[field::VERSION] = self.version;
        out[field::RESPONSE_FORMAT] = self.response_format & 0x0f;
        out[field::ADDITIONAL_LEN] = self.additional_len;
        put_ascii(&mut out[field::VENDOR], &self.vendor, b' ');
        put_ascii(&mut out[field::PRODUCT], &self.product, b' ');
        put_ascii(&mut out[field::REVISION], &self.revision, b' ');
    }

    /// The INQUIRY data as bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.buffer_len()];
        self.emit(&mut v);
        v
    }
}

/// The part of `f` that is present.
fn present<'a>(p: Partial<'a>, f: Field) -> &'a [u8] {
    let b = p.bytes();
    &b[f.start.min(b.len())..f.end.min(b.len())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A USB CD/DVD writer: type 05h, removable, SPC-3, format 2, "ASUS",
    /// "SDRW-08D2S-U", "B901".
    const GOLDEN: [u8; 36] = [
        0x05, 0x80, 0x05, 0x02, 0x1f, 0x00, 0x00, 0x00, // header
        0x41, 0x53, 0x55, 0x53, 0x20, 0x20, 0x20, 0x20, // "ASUS    "
        0x53, 0x44, 0x52, 0x57, 0x2d, 0x30, 0x38, 0x44, // "SDRW-08D"
        0x32, 0x53, 0x2d, 0x55, 0x20, 0x20, 0x20, 0x20, // "2S-U    "
        0x42, 0x39, 0x30, 0x31, // "B901"
    ];

    #[test]
    fn golden() {
        let r = InquiryRepr::parse(&GOLDEN).unwrap();
        assert_eq!(r, InquiryRepr::mmc("ASUS", "SDRW-08D2S-U", "B901"));
        assert!(r.is_mmc());
        let mut out = [0xa5u8; 36];
        r.emit(&mut out);
        assert_eq!(out, GOLDEN);
        let v = Inquiry::new_checked(&GOLDEN[..]).unwrap();
        assert_eq!(v.vendor(), b"ASUS    ");
        assert_eq!(v.device_type(), DEVICE_TYPE_MMC);
    }

    #[test]
    fn truncated() {
        // Cut inside the product: the vendor is whole, the product partial,
        // the revision empty.
        let r = InquiryRepr::parse(&GOLDEN[..20]).unwrap();
        assert_eq!(r.vendor, "ASUS");
        assert_eq!(r.product, "SDRW");
        assert_eq!(r.revision, "");
        let r = InquiryRepr::parse(&GOLDEN[..5]).unwrap();
        assert_eq!(r.vendor, "");
        assert!(r.removable);
        assert!(matches!(
            InquiryRepr::parse(&GOLDEN[..4]),
            Err(WireError::Truncated { need: 5, .. })
        ));
    }

    #[test]
    fn odd_text() {
        let mut b = GOLDEN;
        b[8..16].copy_from_slice(b"AB\x01C\0\0\0\0");
        assert_eq!(InquiryRepr::parse(&b).unwrap().vendor, "AB?C");
        let r = InquiryRepr::mmc("Ünïcode-vendor", "P", "1");
        let out = r.to_vec();
        assert_eq!(&out[8..16], b"?n?code-");
        assert_eq!(&out[32..36], b"1   ");
    }

    proptest! {
        #[test]
        fn parse_never_panics(b in proptest::collection::vec(any::<u8>(), 0..48)) {
            let _ = InquiryRepr::parse(&b);
        }

        #[test]
        fn roundtrip(b in proptest::collection::vec(any::<u8>(), 5..40)) {
            if let Ok(r) = InquiryRepr::parse(&b) {
                prop_assert_eq!(InquiryRepr::parse(&r.to_vec()), Ok(r));
            }
        }
    }
}
