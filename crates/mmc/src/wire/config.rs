//! GET CONFIGURATION reply: the current profile and the feature
//! descriptors (MMC-5; `cd-standards.md` §6.5).
//!
//! An 8-byte header (data length, current profile) is followed by feature
//! descriptors: a 4-byte header (code, version/persistent/current,
//! additional length) and the feature's data. Features rawburn uses are
//! decoded into [`Feature`]; every other one is kept as raw bytes.

use super::{Field, Partial, WireError, be16, be24, be32, need, put_be16, put_be24, put_be32};

/// Bytes of the reply header.
pub const HEADER_LEN: usize = 8;
/// Bytes of a feature descriptor header.
pub const DESCRIPTOR_HEADER_LEN: usize = 4;

/// Profile 0000h: no current profile (no medium).
pub const PROFILE_NONE: u16 = 0x0000;
/// Profile 0008h: CD-ROM.
pub const PROFILE_CD_ROM: u16 = 0x0008;
/// Profile 0009h: CD-R.
pub const PROFILE_CD_R: u16 = 0x0009;
/// Profile 000Ah: CD-RW.
pub const PROFILE_CD_RW: u16 = 0x000a;

/// Core feature physical interface: ATAPI.
pub const INTERFACE_ATAPI: u32 = 0x0000_0002;
/// Core feature physical interface: USB.
pub const INTERFACE_USB: u32 = 0x0000_0008;

/// Feature codes.
pub mod code {
    /// Profile List.
    pub const PROFILE_LIST: u16 = 0x0000;
    /// Core.
    pub const CORE: u16 = 0x0001;
    /// Morphing.
    pub const MORPHING: u16 = 0x0002;
    /// Removable Medium.
    pub const REMOVABLE_MEDIUM: u16 = 0x0003;
    /// CD Read.
    pub const CD_READ: u16 = 0x001e;
    /// CD Track At Once.
    pub const CD_TRACK_AT_ONCE: u16 = 0x002d;
    /// CD Mastering (Session At Once and raw).
    pub const CD_MASTERING: u16 = 0x002e;
}

/// Reply header fields (`cd-standards.md` §6.5).
pub mod field {
    use super::Field;
    /// Data length: bytes following this field.
    pub const DATA_LEN: Field = 0..4;
    /// Current profile.
    pub const CURRENT_PROFILE: Field = 6..8;
}

/// Feature descriptor header fields (`cd-standards.md` §6.5), from the start of a
/// descriptor.
pub mod descriptor_field {
    use super::Field;
    /// Feature code.
    pub const CODE: Field = 0..2;
    /// Bits 5–2 version, bit 1 persistent, bit 0 current.
    pub const FLAGS: usize = 2;
    /// Additional length: bytes of feature data.
    pub const ADDITIONAL_LEN: usize = 3;
}

/// A view of a GET CONFIGURATION reply. The data length bounds what is
/// read; a descriptor cut off by the end of the bytes is not yielded.
#[derive(Debug, Clone, Copy)]
pub struct Configuration<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Configuration<T> {
    /// Wraps a reply of at least the 8-byte header.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] for fewer bytes.
    pub fn new_checked(buffer: T) -> Result<Configuration<T>, WireError> {
        need("configuration", buffer.as_ref(), HEADER_LEN)?;
        Ok(Configuration { buffer })
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Data length as reported (the whole configuration may be longer than
    /// what was asked for).
    pub fn data_len(&self) -> u32 {
        be32(self.b(), field::DATA_LEN.start)
    }

    /// Current profile.
    pub fn current_profile(&self) -> u16 {
        be16(self.b(), field::CURRENT_PROFILE.start)
    }

    /// The feature descriptors present, in order.
    pub fn descriptors(&self) -> Descriptors<'_> {
        let limit = 4usize.saturating_add(self.data_len() as usize);
        let p = Partial::new(self.b(), limit);
        Descriptors {
            rest: p.bytes().get(HEADER_LEN..).unwrap_or(&[]),
        }
    }
}

/// One feature descriptor as bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawFeature<'a> {
    /// Feature code.
    pub code: u16,
    /// Version (4 bits).
    pub version: u8,
    /// The feature is always current.
    pub persistent: bool,
    /// The feature is current (usable with the medium present).
    pub current: bool,
    /// The feature data (after the 4-byte header).
    pub data: &'a [u8],
}

/// Iterator over the feature descriptors of a [`Configuration`].
#[derive(Debug, Clone)]
pub struct Descriptors<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Descriptors<'a> {
    type Item = RawFeature<'a>;

    fn next(&mut self) -> Option<RawFeature<'a>> {
        let b = self.rest;
        if b.len() < DESCRIPTOR_HEADER_LEN {
            return None;
        }
        let end = DESCRIPTOR_HEADER_LEN + b[descriptor_field::ADDITIONAL_LEN] as usize;
        let Some(data) = b.get(DESCRIPTOR_HEADER_LEN..end) else {
            // Cut off by the allocation length.
            self.rest = &[];
            return None;
        };
        let flags = b[descriptor_field::FLAGS];
        self.rest = &b[end..];
        Some(RawFeature {
            code: be16(b, descriptor_field::CODE.start),
            version: (flags >> 2) & 0x0f,
            persistent: flags & 0x02 != 0,
            current: flags & 0x01 != 0,
            data,
        })
    }
}

/// A feature and its data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Feature {
    /// 0000h: every profile the drive has, and whether it is current.
    ProfileList(Vec<(u16, bool)>),
    /// 0001h: the physical interface and whether device busy events are
    /// enabled.
    Core {
        /// Physical interface standard ([`INTERFACE_USB`], …).
        interface: u32,
        /// DBE: device busy events enabled.
        dbe: bool,
    },
    /// 0003h: how the medium is loaded and held.
    RemovableMedium {
        /// Loading mechanism (3 bits: 0 caddy, 1 tray, 2 pop-up, 4/5
        /// changer).
        loading_mechanism: u8,
        /// The medium can be ejected by START STOP UNIT.
        eject: bool,
        /// Prevent jumper present.
        prevent_jumper: bool,
        /// PREVENT ALLOW MEDIUM REMOVAL can lock the medium.
        lock: bool,
    },
    /// 001Eh: CD reading.
    CdRead {
        /// C2 error pointers can be read.
        c2: bool,
        /// CD-TEXT can be read.
        cdtext: bool,
    },
    /// 002Dh: Track At Once writing.
    CdTrackAtOnce {
        /// BUF: buffer underrun protection.
        buf: bool,
        /// R-W raw writing.
        rw_raw: bool,
        /// R-W packed writing.
        rw_pack: bool,
        /// Test write (simulation).
        test_write: bool,
        /// CD-RW writing.
        cd_rw: bool,
        /// R-W sub-code writing.
        rw_subcode: bool,
        /// Data block types supported: bit n for type n.
        data_types: u16,
    },
    /// 002Eh: Session At Once and raw writing.
    CdMastering {
        /// BUF: buffer underrun protection.
        buf: bool,
        /// Session At Once.
        sao: bool,
        /// Raw multisession.
        raw_ms: bool,
        /// Raw writing.
        raw: bool,
        /// Test write (simulation).
        test_write: bool,
        /// CD-RW writing.
        cd_rw: bool,
        /// R-W sub-channel writing (needed for CD-TEXT).
        rw: bool,
        /// Longest cue sheet accepted, in bytes (24 bits).
        max_cue_sheet_len: u32,
    },
    /// Any other feature, or a known one whose data has another shape.
    Unknown {
        /// Feature code.
        code: u16,
        /// Feature data (at most 255 bytes are emitted).
        data: Vec<u8>,
    },
}

impl Feature {
    /// The feature code.
    pub fn code(&self) -> u16 {
        match self {
            Feature::ProfileList(_) => code::PROFILE_LIST,
            Feature::Core { .. } => code::CORE,
            Feature::RemovableMedium { .. } => code::REMOVABLE_MEDIUM,
            Feature::CdRead { .. } => code::CD_READ,
            Feature::CdTrackAtOnce { .. } => code::CD_TRACK_AT_ONCE,
            Feature::CdMastering { .. } => code::CD_MASTERING,
            Feature::Unknown { code, .. } => *code,
        }
    }

    /// Decodes a feature's data. Known features take the fields they
    /// define and ignore later additions; data too short for them, or a
    /// profile list that is not whole 4-byte entries, stays
    /// [`Feature::Unknown`].
    pub fn decode(code: u16, d: &[u8]) -> Feature {
        let bit = |at: usize, mask: u8| d.get(at).is_some_and(|b| b & mask != 0);
        match code {
            code::PROFILE_LIST if d.len().is_multiple_of(4) => Feature::ProfileList(
                d.chunks_exact(4)
                    .map(|p| (be16(p, 0), p[2] & 0x01 != 0))
                    .collect(),
            ),
            code::CORE if d.len() >= 4 => Feature::Core {
                interface: be32(d, 0),
                dbe: bit(4, 0x01),
            },
            code::REMOVABLE_MEDIUM if !d.is_empty() => Feature::RemovableMedium {
                loading_mechanism: d[0] >> 5,
                eject: bit(0, 0x08),
                prevent_jumper: bit(0, 0x04),
                lock: bit(0, 0x01),
            },
            code::CD_READ if !d.is_empty() => Feature::CdRead {
                c2: bit(0, 0x02),
                cdtext: bit(0, 0x01),
            },
            code::CD_TRACK_AT_ONCE if d.len() >= 4 => Feature::CdTrackAtOnce {
                buf: bit(0, 0x40),
                rw_raw: bit(0, 0x10),
                rw_pack: bit(0, 0x08),
                test_write: bit(0, 0x04),
                cd_rw: bit(0, 0x02),
                rw_subcode: bit(0, 0x01),
                data_types: be16(d, 2),
            },
            code::CD_MASTERING if d.len() >= 4 => Feature::CdMastering {
                buf: bit(0, 0x40),
                sao: bit(0, 0x20),
                raw_ms: bit(0, 0x10),
                raw: bit(0, 0x08),
                test_write: bit(0, 0x04),
                cd_rw: bit(0, 0x02),
                rw: bit(0, 0x01),
                max_cue_sheet_len: be24(d, 1),
            },
            code => Feature::Unknown {
                code,
                data: d.to_vec(),
            },
        }
    }

    /// Bytes of feature data [`Feature::emit_data`] writes (at most 252
    /// for a profile list, 255 otherwise).
    pub fn data_len(&self) -> usize {
        match self {
            Feature::ProfileList(p) => 4 * p.len().min(MAX_PROFILES),
            Feature::Core { .. } => 8,
            Feature::RemovableMedium { .. }
            | Feature::CdRead { .. }
            | Feature::CdTrackAtOnce { .. }
            | Feature::CdMastering { .. } => 4,
            Feature::Unknown { data, .. } => data.len().min(0xff),
        }
    }

    /// Writes the feature data into `out[..data_len()]`.
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`Feature::data_len`].
    pub fn emit_data(&self, out: &mut [u8]) {
        let d = &mut out[..self.data_len()];
        d.fill(0);
        let flag = |on: bool, mask: u8| if on { mask } else { 0 };
        match self {
            Feature::ProfileList(p) => {
                for (o, &(profile, current)) in d.chunks_exact_mut(4).zip(p) {
                    put_be16(o, 0, profile);
                    o[2] = flag(current, 0x01);
                }
            }
            Feature::Core { interface, dbe } => {
                put_be32(d, 0, *interface);
                d[4] = flag(*dbe, 0x01);
            }
            Feature::RemovableMedium {
                loading_mechanism,
                eject,
                prevent_jumper,
                lock,
            } => {
                d[0] = (loading_mechanism << 5)
                    | flag(*eject, 0x08)
                    | flag(*prevent_jumper, 0x04)
                    | flag(*lock, 0x01);
            }
            Feature::CdRead { c2, cdtext } => {
                d[0] = flag(*c2, 0x02) | flag(*cdtext, 0x01);
            }
            Feature::CdTrackAtOnce {
                buf,
                rw_raw,
                rw_pack,
                test_write,
                cd_rw,
                rw_subcode,
                data_types,
            } => {
                d[0] = flag(*buf, 0x40)
                    | flag(*rw_raw, 0x10)
                    | flag(*rw_pack, 0x08)
                    | flag(*test_write, 0x04)
                    | flag(*cd_rw, 0x02)
                    | flag(*rw_subcode, 0x01);
                put_be16(d, 2, *data_types);
            }
            Feature::CdMastering {
                buf,
                sao,
                raw_ms,
                raw,
                test_write,
                cd_rw,
                rw,
                max_cue_sheet_len,
            } => {
                d[0] = flag(*buf, 0x40)
                    | flag(*sao, 0x20)
                    | flag(*raw_ms, 0x10)
                    | flag(*raw, 0x08)
                    | flag(*test_write, 0x04)
                    | flag(*cd_rw, 0x02)
                    | flag(*rw, 0x01);
                put_be24(d, 1, *max_cue_sheet_len & 0x00ff_ffff);
            }
            Feature::Unknown { data, .. } => {
                let n = d.len();
                d.copy_from_slice(&data[..n]);
            }
        }
    }
}

/// A feature descriptor: the feature and its header flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureDescriptor {
    /// The feature and its data.
    pub feature: Feature,
    /// Version (4 bits).
    pub version: u8,
    /// The feature is always current.
    pub persistent: bool,
    /// The feature is current.
    pub current: bool,
}

impl FeatureDescriptor {
    /// Bytes of the descriptor, header included.
    pub fn buffer_len(&self) -> usize {
        DESCRIPTOR_HEADER_LEN + self.feature.data_len()
    }

    /// Writes the descriptor into `out[..buffer_len()]`.
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`FeatureDescriptor::buffer_len`].
    pub fn emit(&self, out: &mut [u8]) {
        put_be16(out, descriptor_field::CODE.start, self.feature.code());
        out[descriptor_field::FLAGS] = ((self.version & 0x0f) << 2)
            | if self.persistent { 0x02 } else { 0 }
            | if self.current { 0x01 } else { 0 };
        out[descriptor_field::ADDITIONAL_LEN] = self.feature.data_len() as u8;
        self.feature.emit_data(&mut out[DESCRIPTOR_HEADER_LEN..]);
    }
}

impl From<RawFeature<'_>> for FeatureDescriptor {
    fn from(r: RawFeature<'_>) -> FeatureDescriptor {
        FeatureDescriptor {
            feature: Feature::decode(r.code, r.data),
            version: r.version,
            persistent: r.persistent,
            current: r.current,
        }
    }
}

/// A GET CONFIGURATION reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigurationRepr {
    /// The current profile ([`PROFILE_CD_R`], …).
    pub current_profile: u16,
    /// The feature descriptors, in the order sent (MMC: ascending code).
    pub features: Vec<FeatureDescriptor>,
}

impl ConfigurationRepr {
    /// Parses a reply. The data length bounds the descriptors read; a
    /// reply cut short by the allocation length yields the descriptors that
    /// are whole (a header-only reply gives just the current profile).
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] under the 8-byte header.
    pub fn parse(bytes: &[u8]) -> Result<ConfigurationRepr, WireError> {
        let v = Configuration::new_checked(bytes)?;
        Ok(ConfigurationRepr {
            current_profile: v.current_profile(),
            features: v.descriptors().map(FeatureDescriptor::from).collect(),
        })
    }

    /// The descriptor of feature `code`, if present.
    pub fn feature(&self, code: u16) -> Option<&FeatureDescriptor> {
        self.features.iter().find(|f| f.feature.code() == code)
    }

    /// The profiles of the Profile List feature (empty without one).
    pub fn profiles(&self) -> &[(u16, bool)] {
        self.features
            .iter()
            .find_map(|f| match &f.feature {
                Feature::ProfileList(p) => Some(p.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// Bytes [`ConfigurationRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN
            + self
                .features
                .iter()
                .map(FeatureDescriptor::buffer_len)
                .sum::<usize>()
    }

    /// Writes the reply into `out[..buffer_len()]`; the data length counts
    /// every descriptor.
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`ConfigurationRepr::buffer_len`].
    pub fn emit(&self, out: &mut [u8]) {
        let len = self.buffer_len();
        put_be32(out, field::DATA_LEN.start, (len - 4) as u32);
        out[4..6].fill(0);
        put_be16(out, field::CURRENT_PROFILE.start, self.current_profile);
        let mut at = HEADER_LEN;
        for f in &self.features {
            f.emit(&mut out[at..]);
            at += f.buffer_len();
        }
    }

    /// The reply as bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.buffer_len()];
        self.emit(&mut v);
        v
    }
}

/// Most profiles a 255-byte additional length holds.
const MAX_PROFILES: usize = 63;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A USB CD-RW recorder holding a blank CD-R: Profile List (CD-RW,
    /// CD-R current, CD-ROM), Core (USB, DBE), CD Track At Once (BUF, R-W
    /// raw and packed, test write, CD-RW, R-W sub-code; data block types
    /// 0–3 and 8–13), CD Mastering (all bits, cue sheets up to 4095 bytes).
    const GOLDEN: [u8; 52] = [
        0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x09, // header: 48 bytes, CD-R
        0x00, 0x00, 0x03, 0x0c, // Profile List, v0, persistent, current
        0x00, 0x0a, 0x00, 0x00, // CD-RW
        0x00, 0x09, 0x01, 0x00, // CD-R (current)
        0x00, 0x08, 0x00, 0x00, // CD-ROM
        0x00, 0x01, 0x0b, 0x08, // Core, v2, persistent, current
        0x00, 0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00, // USB, DBE
        0x00, 0x2d, 0x09, 0x04, // CD Track At Once, v2, current
        0x5f, 0x00, 0x3f, 0x0f, //
        0x00, 0x2e, 0x05, 0x04, // CD Mastering, v1, current
        0x7f, 0x00, 0x0f, 0xff, //
    ];

    fn golden_repr() -> ConfigurationRepr {
        ConfigurationRepr {
            current_profile: PROFILE_CD_R,
            features: vec![
                FeatureDescriptor {
                    feature: Feature::ProfileList(vec![
                        (PROFILE_CD_RW, false),
                        (PROFILE_CD_R, true),
                        (PROFILE_CD_ROM, false),
                    ]),
                    version: 0,
                    persistent: true,
                    current: true,
                },
                FeatureDescriptor {
                    feature: Feature::Core {
                        interface: INTERFACE_USB,
                        dbe: true,
                    },
                    version: 2,
                    persistent: true,
                    current: true,
                },
                FeatureDescriptor {
                    feature: Feature::CdTrackAtOnce {
                        buf: true,
                        rw_raw: true,
                        rw_pack: true,
                        test_write: true,
                        cd_rw: true,
                        rw_subcode: true,
                        data_types: 0x3f0f,
                    },
                    version: 2,
                    persistent: false,
                    current: true,
                },
                FeatureDescriptor {
                    feature: Feature::CdMastering {
                        buf: true,
                        sao: true,
                        raw_ms: true,
                        raw: true,
                        test_write: true,
                        cd_rw: true,
                        rw: true,
                        max_cue_sheet_len: 0x0fff,
                    },
                    version: 1,
                    persistent: false,
                    current: true,
                },
            ],
        }
    }

    #[test]
    fn golden() {
        let r = ConfigurationRepr::parse(&GOLDEN).unwrap();
        assert_eq!(r, golden_repr());
        assert_eq!(r.profiles()[1], (PROFILE_CD_R, true));
        assert!(r.feature(code::CD_MASTERING).is_some());
        assert!(r.feature(code::CD_READ).is_none());
        let mut out = [0xa5u8; 52];
        r.emit(&mut out);
        assert_eq!(out, GOLDEN);
        let v = Configuration::new_checked(&GOLDEN[..]).unwrap();
        assert_eq!(v.descriptors().count(), 4);
        assert_eq!(v.current_profile(), PROFILE_CD_R);
    }

    #[test]
    fn truncated() {
        // Header only: the current profile, no features.
        let r = ConfigurationRepr::parse(&GOLDEN[..8]).unwrap();
        assert_eq!(r.current_profile, PROFILE_CD_R);
        assert!(r.features.is_empty());
        // Cut inside Core: the profile list only.
        let r = ConfigurationRepr::parse(&GOLDEN[..30]).unwrap();
        assert_eq!(r.features.len(), 1);
        // A data length shorter than the bytes: it wins.
        let mut b = GOLDEN;
        b[3] = 4 + 16;
        assert_eq!(ConfigurationRepr::parse(&b).unwrap().features.len(), 1);
        assert!(matches!(
            ConfigurationRepr::parse(&GOLDEN[..7]),
            Err(WireError::Truncated { need: 8, .. })
        ));
    }

    #[test]
    fn other_features() {
        let r = ConfigurationRepr {
            current_profile: PROFILE_NONE,
            features: vec![
                FeatureDescriptor {
                    feature: Feature::RemovableMedium {
                        loading_mechanism: 1,
                        eject: true,
                        prevent_jumper: false,
                        lock: true,
                    },
                    version: 0,
                    persistent: true,
                    current: true,
                },
                FeatureDescriptor {
                    feature: Feature::CdRead {
                        c2: true,
                        cdtext: true,
                    },
                    version: 1,
                    persistent: false,
                    current: false,
                },
                FeatureDescriptor {
                    feature: Feature::Unknown {
                        code: 0x0010,
                        data: vec![0, 0, 0x08, 0, 0, 0x10, 0, 0],
                    },
                    version: 0,
                    persistent: false,
                    current: false,
                },
            ],
        };
        let b = r.to_vec();
        assert_eq!(
            b[8..24],
            [
                0x00, 0x03, 0x03, 0x04, 0x29, 0, 0, 0, // removable medium
                0x00, 0x1e, 0x04, 0x04, 0x03, 0, 0, 0, // cd read
            ]
        );
        assert_eq!(ConfigurationRepr::parse(&b), Ok(r));
        // A Core feature of version 0 (4 bytes of data) decodes without DBE.
        assert_eq!(
            Feature::decode(code::CORE, &[0, 0, 0, 2]),
            Feature::Core {
                interface: INTERFACE_ATAPI,
                dbe: false
            }
        );
        // Misshapen data stays raw.
        assert_eq!(
            Feature::decode(code::PROFILE_LIST, &[0, 9, 1]),
            Feature::Unknown {
                code: 0,
                data: vec![0, 9, 1]
            }
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(b in proptest::collection::vec(any::<u8>(), 0..120)) {
            let _ = ConfigurationRepr::parse(&b);
        }

        #[test]
        fn roundtrip(b in proptest::collection::vec(any::<u8>(), 8..120)) {
            if let Ok(r) = ConfigurationRepr::parse(&b) {
                prop_assert_eq!(ConfigurationRepr::parse(&r.to_vec()), Ok(r));
            }
        }

        #[test]
        fn roundtrip_known_features(
            profile: u16,
            descriptors in proptest::collection::vec(
                (0usize..7, any::<u8>(), proptest::collection::vec(any::<u8>(), 0..16)),
                0..8,
            ),
        ) {
            // Descriptors of the decoded features (and one other), with data
            // of any length: the shape decides between known and raw.
            const CODES: [u16; 7] = [0x0000, 0x0001, 0x0003, 0x001e, 0x002d, 0x002e, 0x0107];
            let mut b = vec![0u8; 8];
            b[6..8].copy_from_slice(&profile.to_be_bytes());
            for (c, flags, data) in &descriptors {
                b.extend_from_slice(&CODES[*c].to_be_bytes());
                b.push(*flags);
                b.push(data.len() as u8);
                b.extend_from_slice(data);
            }
            let len = (b.len() - 4) as u32;
            b[..4].copy_from_slice(&len.to_be_bytes());
            let r = ConfigurationRepr::parse(&b).unwrap();
            prop_assert_eq!(r.features.len(), descriptors.len());
            prop_assert_eq!(ConfigurationRepr::parse(&r.to_vec()), Ok(r));
        }
    }
}
