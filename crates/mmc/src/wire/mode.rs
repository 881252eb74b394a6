//! MODE SENSE(10) replies and MODE SELECT(10) parameter lists: the 8-byte
//! mode parameter header, block descriptors and mode pages (SPC-3, MMC-5;
//! `cd-standards.md` §6.9–§6.11).
//!
//! ```text
//! header (8) | block descriptors (header bytes 6–7) | page | page | …
//! page: code (bit 7 PS) | length | data
//! ```
//!
//! The pages rawburn uses are decoded ([`WriteParametersPage`],
//! [`CapabilitiesPage`]); others are kept as bytes. The PS bit drives set
//! in MODE SENSE replies is ignored on parse and never emitted, so a page
//! read can be sent back as it is.

pub mod capabilities;
pub mod write_parameters;

pub use capabilities::{CapabilitiesPage, SpeedDescriptor};
pub use write_parameters::{DataBlockType, MultiSession, WriteParametersPage, WriteType};

use super::{Field, Partial, WireError, be16, need, put_be16};

/// Bytes of the mode parameter header of the 10-byte commands.
pub const HEADER_LEN: usize = 8;
/// Page code of the Write Parameters page.
pub const PAGE_WRITE_PARAMETERS: u8 = 0x05;
/// Page code of the CD/DVD Capabilities and Mechanical Status page.
pub const PAGE_CAPABILITIES: u8 = 0x2a;

/// Mode parameter header fields (`cd-standards.md` §6.9).
pub mod header_field {
    use super::Field;
    /// Mode data length: bytes following this field (0 in MODE SELECT).
    pub const DATA_LEN: Field = 0..2;
    /// Medium type.
    pub const MEDIUM_TYPE: usize = 2;
    /// Device-specific parameter.
    pub const DEVICE_SPECIFIC: usize = 3;
    /// Block descriptor length.
    pub const BLOCK_DESCRIPTOR_LEN: Field = 6..8;
}

/// Page header fields, from the start of a page.
pub mod page_field {
    /// Bit 7 PS (parameters savable), bit 6 SPF (sub-page format), bits
    /// 5–0 page code.
    pub const CODE: usize = 0;
    /// Page length (page_0 format); with SPF, byte 1 is the sub-page code
    /// and bytes 2–3 the length.
    pub const LEN: usize = 1;
}

/// The mode parameter header, less the lengths (computed on emit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ModeHeader {
    /// Medium type (0 for MMC).
    pub medium_type: u8,
    /// Device-specific parameter.
    pub device_specific: u8,
}

/// A mode page.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModePage {
    /// 05h.
    WriteParameters(WriteParametersPage),
    /// 2Ah.
    Capabilities(CapabilitiesPage),
    /// Any other page, as bytes.
    Unknown {
        /// Byte 0 without PS: the page code, and bit 6 (SPF) for a page in
        /// sub-page format.
        code: u8,
        /// The bytes after the length; in sub-page format, the sub-page
        /// code first.
        data: Vec<u8>,
    },
}

impl ModePage {
    /// The page code (bits 5–0).
    pub fn code(&self) -> u8 {
        match self {
            ModePage::WriteParameters(_) => PAGE_WRITE_PARAMETERS,
            ModePage::Capabilities(_) => PAGE_CAPABILITIES,
            ModePage::Unknown { code, .. } => code & 0x3f,
        }
    }

    /// Parses the page at the start of `bytes` (trailing bytes ignored).
    /// A page cut short parses from the bytes present.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] under the page header.
    pub fn parse(bytes: &[u8]) -> Result<ModePage, WireError> {
        ModePage::parse_at(bytes).map(|(page, _)| page)
    }

    /// Parses the page at the start of `bytes`; also returns the bytes the
    /// page claims, header included (which may pass the end of `bytes`).
    fn parse_at(bytes: &[u8]) -> Result<(ModePage, usize), WireError> {
        need("mode page", bytes, 2)?;
        let code = bytes[page_field::CODE] & 0x7f;
        if code & 0x40 != 0 {
            // Sub-page format: code, sub-page, 2-byte length.
            if bytes.len() < 4 {
                let data = vec![bytes[1]];
                return Ok((ModePage::Unknown { code, data }, bytes.len()));
            }
            let claimed = 4 + be16(bytes, 2) as usize;
            let end = claimed.min(bytes.len());
            let mut data = vec![bytes[1]];
            data.extend_from_slice(&bytes[4..end]);
            return Ok((ModePage::Unknown { code, data }, claimed));
        }
        let claimed = 2 + bytes[page_field::LEN] as usize;
        let page = Partial::new(bytes, claimed).bytes();
        let parsed = match code {
            PAGE_WRITE_PARAMETERS => ModePage::WriteParameters(WriteParametersPage::parse(page)?),
            PAGE_CAPABILITIES => ModePage::Capabilities(CapabilitiesPage::parse(page)?),
            _ => ModePage::Unknown {
                code,
                data: page[2..].to_vec(),
            },
        };
        Ok((parsed, claimed))
    }

    /// Bytes [`ModePage::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        match self {
            ModePage::WriteParameters(p) => p.buffer_len(),
            ModePage::Capabilities(p) => p.buffer_len(),
            ModePage::Unknown { code, data } if code & 0x40 != 0 => {
                4 + data.len().saturating_sub(1).min(0xffff)
            }
            ModePage::Unknown { data, .. } => 2 + data.len().min(0xff),
        }
    }

    /// Writes the page into `out[..buffer_len()]`, PS clear.
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`ModePage::buffer_len`].
    pub fn emit(&self, out: &mut [u8]) {
        let len = self.buffer_len();
        match self {
            ModePage::WriteParameters(p) => p.emit(out),
            ModePage::Capabilities(p) => p.emit(out),
            ModePage::Unknown { code, data } if code & 0x40 != 0 => {
                out[0] = code & 0x7f;
                out[1] = data.first().copied().unwrap_or(0);
                put_be16(out, 2, (len - 4) as u16);
                out[4..len].copy_from_slice(data.get(1..len - 3).unwrap_or(&[]));
            }
            ModePage::Unknown { code, data } => {
                out[0] = code & 0x3f;
                out[1] = (len - 2) as u8;
                out[2..len].copy_from_slice(&data[..len - 2]);
            }
        }
    }
}

/// A MODE SENSE(10) reply or MODE SELECT(10) parameter list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModeParameterList {
    /// The header.
    pub header: ModeHeader,
    /// Block descriptors, as bytes (none for MMC drives).
    pub block_descriptors: Vec<u8>,
    /// The pages, in order.
    pub pages: Vec<ModePage>,
}

impl ModeParameterList {
    /// A list holding one page and a zero header, as hosts send with MODE
    /// SELECT.
    pub fn with_page(page: ModePage) -> ModeParameterList {
        ModeParameterList {
            header: ModeHeader::default(),
            block_descriptors: Vec::new(),
            pages: vec![page],
        }
    }

    /// Parses a MODE SENSE(10) reply or a MODE SELECT(10) parameter list.
    /// A mode data length of at least 6 bounds what is read; a smaller one
    /// (MODE SELECT sends 0) leaves the bytes given as the bound. Pages cut
    /// short by the allocation length parse from the bytes present; PS bits
    /// are ignored.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] under the 8-byte header.
    pub fn parse(bytes: &[u8]) -> Result<ModeParameterList, WireError> {
        need("mode parameters", bytes, HEADER_LEN)?;
        let declared = be16(bytes, header_field::DATA_LEN.start) as usize;
        let limit = if declared >= HEADER_LEN - 2 {
            2 + declared
        } else {
            bytes.len()
        };
        let b = Partial::new(bytes, limit).bytes();
        let bdl = be16(bytes, header_field::BLOCK_DESCRIPTOR_LEN.start) as usize;
        let mut at = (HEADER_LEN + bdl).min(b.len());
        let block_descriptors = b.get(HEADER_LEN..at).unwrap_or(&[]).to_vec();
        let mut pages = Vec::new();
        while at + 2 <= b.len() {
            let (page, claimed) = ModePage::parse_at(&b[at..])?;
            pages.push(page);
            at += claimed;
        }
        Ok(ModeParameterList {
            header: ModeHeader {
                medium_type: bytes[header_field::MEDIUM_TYPE],
                device_specific: bytes[header_field::DEVICE_SPECIFIC],
            },
            block_descriptors,
            pages,
        })
    }

    /// The first page with code `code`.
    pub fn page(&self, code: u8) -> Option<&ModePage> {
        self.pages.iter().find(|p| p.code() == code)
    }

    /// The Write Parameters page, if present.
    pub fn write_parameters(&self) -> Option<&WriteParametersPage> {
        self.pages.iter().find_map(|p| match p {
            ModePage::WriteParameters(w) => Some(w),
            _ => None,
        })
    }

    /// The Capabilities page, if present.
    pub fn capabilities(&self) -> Option<&CapabilitiesPage> {
        self.pages.iter().find_map(|p| match p {
            ModePage::Capabilities(c) => Some(c),
            _ => None,
        })
    }

    /// Bytes [`ModeParameterList::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN
            + self.block_descriptors.len().min(0xffff)
            + self.pages.iter().map(ModePage::buffer_len).sum::<usize>()
    }

    /// Writes a MODE SENSE(10) reply into `out[..buffer_len()]`: the mode
    /// data length counts everything after it (saturating at FFFFh).
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`ModeParameterList::buffer_len`].
    pub fn emit(&self, out: &mut [u8]) {
        let len = self.buffer_len();
        self.emit_with_len(out, (len - 2).min(0xffff) as u16);
    }

    /// Writes a MODE SELECT(10) parameter list into `out[..buffer_len()]`:
    /// as [`ModeParameterList::emit`], but the mode data length is 0 (it is
    /// reserved in MODE SELECT).
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`ModeParameterList::buffer_len`].
    pub fn emit_select(&self, out: &mut [u8]) {
        self.emit_with_len(out, 0);
    }

    fn emit_with_len(&self, out: &mut [u8], data_len: u16) {
        put_be16(out, header_field::DATA_LEN.start, data_len);
        out[header_field::MEDIUM_TYPE] = self.header.medium_type;
        out[header_field::DEVICE_SPECIFIC] = self.header.device_specific;
        out[4..6].fill(0);
        let bdl = self.block_descriptors.len().min(0xffff);
        put_be16(out, header_field::BLOCK_DESCRIPTOR_LEN.start, bdl as u16);
        out[HEADER_LEN..HEADER_LEN + bdl].copy_from_slice(&self.block_descriptors[..bdl]);
        let mut at = HEADER_LEN + bdl;
        for p in &self.pages {
            p.emit(&mut out[at..]);
            at += p.buffer_len();
        }
    }

    /// The MODE SENSE(10) reply as bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.buffer_len()];
        self.emit(&mut v);
        v
    }

    /// The MODE SELECT(10) parameter list as bytes.
    pub fn to_select_vec(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.buffer_len()];
        self.emit_select(&mut v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Page 05h as libburn sends it for SAO with BUFE: a zero header, page
    /// length 0x32, write type 2, data block type 0, audio pause 150.
    const LIBBURN_SAO: [u8; 60] = [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // header
        0x05, 0x32, 0x42, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x96, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // MCN
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // ISRC
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, // subheader
    ];

    fn sao_page() -> WriteParametersPage {
        let mut p = WriteParametersPage::new(WriteType::Sao);
        p.bufe = true;
        p
    }

    #[test]
    fn libburn_sao_select() {
        let l = ModeParameterList::parse(&LIBBURN_SAO).unwrap();
        assert_eq!(
            l,
            ModeParameterList::with_page(ModePage::WriteParameters(sao_page()))
        );
        assert_eq!(l.write_parameters(), Some(&sao_page()));
        let mut out = [0xa5u8; 60];
        l.emit_select(&mut out);
        assert_eq!(out, LIBBURN_SAO);
        assert_eq!(l.to_select_vec(), LIBBURN_SAO);
    }

    #[test]
    fn sense_reply_with_ps() {
        // MODE SENSE(10) of page 05h: mode data length 58, PS set.
        let mut reply = LIBBURN_SAO;
        reply[1] = 0x3a;
        reply[8] = 0x85;
        let l = ModeParameterList::parse(&reply).unwrap();
        assert_eq!(l.write_parameters(), Some(&sao_page()));
        let mut out = [0xa5u8; 60];
        l.emit(&mut out);
        reply[8] = 0x05;
        assert_eq!(out, reply);
        // Cut by an allocation length of 20: the page parses from what is
        // there.
        let l = ModeParameterList::parse(&LIBBURN_SAO[..20]).unwrap();
        let w = l.write_parameters().unwrap();
        assert!(w.bufe);
        assert_eq!(w.audio_pause_length, 0);
        assert!(ModeParameterList::parse(&LIBBURN_SAO[..7]).is_err());
    }

    #[test]
    fn several_pages_and_descriptors() {
        let l = ModeParameterList {
            header: ModeHeader {
                medium_type: 0x70,
                device_specific: 0,
            },
            block_descriptors: vec![0; 8],
            pages: vec![
                ModePage::Unknown {
                    code: 0x01,
                    data: vec![0x20, 0x01, 0, 0, 0, 0, 0x01, 0, 0, 0],
                },
                ModePage::Capabilities(CapabilitiesPage::default()),
                ModePage::Unknown {
                    code: 0x40 | 0x1c,
                    data: vec![0x01, 0xaa, 0xbb],
                },
                ModePage::WriteParameters(sao_page()),
            ],
        };
        let b = l.to_vec();
        assert_eq!(b[..8], [0, (b.len() - 2) as u8, 0x70, 0, 0, 0, 0, 8]);
        assert_eq!(b[16..18], [0x01, 0x0a]);
        assert_eq!(b[28..30], [0x2a, 0x1e]);
        assert_eq!(b[60..66], [0x5c, 0x01, 0x00, 0x02, 0xaa, 0xbb]);
        assert_eq!(ModeParameterList::parse(&b), Ok(l.clone()));
        assert_eq!(l.page(0x1c).map(ModePage::code), Some(0x1c));
        assert!(l.capabilities().is_some());
    }

    proptest! {
        #[test]
        fn parse_never_panics(b in proptest::collection::vec(any::<u8>(), 0..120)) {
            let _ = ModeParameterList::parse(&b);
            let _ = ModePage::parse(&b);
        }

        #[test]
        fn roundtrip(mut b in proptest::collection::vec(any::<u8>(), 8..120), pick in 0usize..3) {
            b[0] = 0;
            b[6] = 0;
            b[7] &= 0x07;
            // Steer the first page towards the decoded ones.
            let at = 8 + b[7] as usize;
            if let Some(c) = b.get_mut(at) {
                *c = [0x05, 0x2a, *c][pick];
            }
            if let Ok(l) = ModeParameterList::parse(&b) {
                prop_assert_eq!(ModeParameterList::parse(&l.to_vec()), Ok(l.clone()));
                prop_assert_eq!(ModeParameterList::parse(&l.to_select_vec()), Ok(l));
            }
        }
    }
}
