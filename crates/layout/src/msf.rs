//! Disc geometry: logical block addresses, minute/second/frame times, BCD
//! digits, track and index numbers.
//!
//! All addresses on a CD are counted in sectors ("frames" when counted as
//! time): 75 per second. MMC names a sector by its signed [`Lba`]; the disc
//! itself (sector headers, Q subchannel) and many MMC replies name it by an
//! [`Msf`] time. The two are tied by two offsets (ECMA-130 and MMC, see
//! `cd-standards.md` §2):
//!
//! - program area and track-1 pregap: `MSF = LBA + 150`, so 00:02:00 is LBA 0
//!   and 00:00:00 is LBA −150;
//! - lead-in (MMC convention, minutes 90–99): `MSF = LBA + 450150`, so
//!   90:00:00 is LBA −45150 and 99:59:74 is LBA −151.
//!
//! Values that cannot exist (second 60, track 0, BCD nibble 0xA) cannot be
//! constructed: every constructor is checked and reports what was wrong.

use core::fmt;

/// Sectors (frames) per second of CD time.
pub const FRAMES_PER_SECOND: i32 = 75;
/// Seconds per minute of CD time.
pub const SECONDS_PER_MINUTE: i32 = 60;
/// Sectors per minute of CD time (4500).
pub const FRAMES_PER_MINUTE: i32 = FRAMES_PER_SECOND * SECONDS_PER_MINUTE;
/// The mandatory track-1 pregap, and the MSF offset of LBA 0, in sectors (2 s).
pub const PREGAP_SECTORS: i32 = 150;
/// Offset between MSF frames and LBA for lead-in addresses (minutes ≥ 90).
pub const LEAD_IN_MSF_OFFSET_SECTORS: i32 = 450_150;
/// Minimum length of a track's payload in sectors (4 s).
pub const MIN_TRACK_SECTORS: i32 = 300;
/// Lead-out length of a first session in sectors (90 s).
pub const LEAD_OUT_SECTORS: i32 = 6_750;
/// First minute that MMC reads as a lead-in (negative) address.
pub const LEAD_IN_FIRST_MINUTE: u8 = 90;

/// Total frames in 100 minutes: every MSF value is below this.
const MSF_FRAMES_LIMIT: i32 = 100 * FRAMES_PER_MINUTE;

/// Errors from geometry conversions and constructors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GeometryError {
    /// A minute, second or frame field is out of its range.
    #[error("invalid time {m:02}:{s:02}:{f:02}: minutes 0-99, seconds 0-59, frames 0-74")]
    InvalidMsf {
        /// Minute field as given.
        m: u8,
        /// Second field as given.
        s: u8,
        /// Frame field as given.
        f: u8,
    },
    /// An LBA has no MSF form under the convention used.
    #[error("lba {lba} has no msf address (valid range {min}..={max})")]
    LbaOutOfRange {
        /// The address given.
        lba: i32,
        /// Lowest address with an MSF form.
        min: i32,
        /// Highest address with an MSF form.
        max: i32,
    },
    /// A byte is not two BCD digits.
    #[error("0x{0:02x} is not a bcd number (each nibble must be 0-9)")]
    InvalidBcd(u8),
    /// A binary value does not fit two BCD digits.
    #[error("{0} does not fit two bcd digits (0-99)")]
    BcdOutOfRange(u8),
    /// A track number outside 1..=99.
    #[error("track number {0} is outside 1-99")]
    InvalidTrackNo(u8),
    /// An index number outside 0..=99.
    #[error("index number {0} is outside 0-99")]
    InvalidIndexNo(u8),
    /// Text that is not `MM:SS:FF`.
    #[error("a time is written MM:SS:FF")]
    MsfText,
}

/// A logical block address: the signed sector number MMC uses.
///
/// LBA 0 is the first sector of the program area (MSF 00:02:00). Negative
/// addresses are the track-1 pregap (−150..=−1) and the lead-in (down to the
/// ATIP lead-in start, typically around −11635).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Lba(pub i32);

impl Lba {
    /// The first sector of the program area.
    pub const ZERO: Lba = Lba(0);
    /// The first sector of the track-1 pregap (MSF 00:00:00).
    pub const PREGAP_START: Lba = Lba(-PREGAP_SECTORS);
    /// Lowest address with an MMC MSF form (90:00:00).
    pub const MIN_MSF: Lba = Lba(90 * FRAMES_PER_MINUTE - LEAD_IN_MSF_OFFSET_SECTORS);
    /// Highest address with an MMC MSF form (89:59:74): above it the minutes
    /// would collide with lead-in addresses.
    pub const MAX_MSF: Lba = Lba(90 * FRAMES_PER_MINUTE - 1 - PREGAP_SECTORS);
    /// Highest address whose on-disc time (sector header, Q absolute time)
    /// still fits: 99:59:74 counted from 00:00:00 (overburn and 99-minute
    /// media).
    pub const MAX_DISC_TIME: Lba = Lba(MSF_FRAMES_LIMIT - 1 - PREGAP_SECTORS);

    /// The address as a plain integer.
    #[inline]
    pub const fn get(self) -> i32 {
        self.0
    }

    /// The MMC MSF form of this address (minutes ≥ 90 for the lead-in).
    ///
    /// ## Errors
    ///
    /// [`GeometryError::LbaOutOfRange`] outside [`Lba::MIN_MSF`]..=[`Lba::MAX_MSF`].
    pub fn to_msf(self) -> Result<Msf, GeometryError> {
        let lba = self.0;
        let frames = if (-PREGAP_SECTORS..=Self::MAX_MSF.0).contains(&lba) {
            lba + PREGAP_SECTORS
        } else if (Self::MIN_MSF.0..-PREGAP_SECTORS).contains(&lba) {
            lba + LEAD_IN_MSF_OFFSET_SECTORS
        } else {
            return Err(GeometryError::LbaOutOfRange {
                lba,
                min: Self::MIN_MSF.0,
                max: Self::MAX_MSF.0,
            });
        };
        Ok(Msf::from_frames_unchecked(frames))
    }

    /// The time this sector carries on the disc itself (sector header, Q
    /// absolute time). It equals [`Lba::to_msf`] except above 89:59:74, where
    /// the program area of long media and overburned discs continues up to
    /// 99:59:74 instead of failing.
    ///
    /// ## Errors
    ///
    /// [`GeometryError::LbaOutOfRange`] below [`Lba::MIN_MSF`] or above
    /// [`Lba::MAX_DISC_TIME`].
    pub fn to_disc_time(self) -> Result<Msf, GeometryError> {
        let lba = self.0;
        if (-PREGAP_SECTORS..=Self::MAX_DISC_TIME.0).contains(&lba) {
            Ok(Msf::from_frames_unchecked(lba + PREGAP_SECTORS))
        } else if (Self::MIN_MSF.0..-PREGAP_SECTORS).contains(&lba) {
            Ok(Msf::from_frames_unchecked(lba + LEAD_IN_MSF_OFFSET_SECTORS))
        } else {
            Err(GeometryError::LbaOutOfRange {
                lba,
                min: Self::MIN_MSF.0,
                max: Self::MAX_DISC_TIME.0,
            })
        }
    }

    /// This address moved by `sectors` (which may be negative), or `None` on
    /// `i32` overflow.
    #[inline]
    pub const fn checked_add(self, sectors: i32) -> Option<Lba> {
        match self.0.checked_add(sectors) {
            Some(v) => Some(Lba(v)),
            None => None,
        }
    }

    /// Sectors from `earlier` to `self` (negative if `earlier` is later).
    #[inline]
    pub const fn since(self, earlier: Lba) -> i64 {
        self.0 as i64 - earlier.0 as i64
    }

    /// The address as the 4 big-endian two's-complement bytes of MMC CDBs and
    /// parameter data (LBA −150 is `FF FF FF 6A`).
    #[inline]
    pub const fn to_be_bytes(self) -> [u8; 4] {
        self.0.to_be_bytes()
    }

    /// Reads an address from 4 big-endian two's-complement bytes.
    #[inline]
    pub const fn from_be_bytes(bytes: [u8; 4]) -> Lba {
        Lba(i32::from_be_bytes(bytes))
    }
}

impl fmt::Display for Lba {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<i32> for Lba {
    fn from(v: i32) -> Lba {
        Lba(v)
    }
}

/// A CD time: minutes 0–99, seconds 0–59, frames 0–74, held in binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Msf {
    m: u8,
    s: u8,
    f: u8,
}

impl Msf {
    /// 00:00:00, the first pregap sector.
    pub const ZERO: Msf = Msf { m: 0, s: 0, f: 0 };

    /// A time from binary minute, second and frame.
    ///
    /// ## Errors
    ///
    /// [`GeometryError::InvalidMsf`] when a field is out of range.
    pub const fn new(m: u8, s: u8, f: u8) -> Result<Msf, GeometryError> {
        if m > 99 || s > 59 || f > 74 {
            return Err(GeometryError::InvalidMsf { m, s, f });
        }
        Ok(Msf { m, s, f })
    }

    /// A time from a count of frames (0..=449999).
    ///
    /// ## Errors
    ///
    /// [`GeometryError::LbaOutOfRange`] (with the count in `lba`) when the count
    /// is negative or 100 minutes or more.
    pub const fn from_frames(frames: i32) -> Result<Msf, GeometryError> {
        if frames < 0 || frames >= MSF_FRAMES_LIMIT {
            return Err(GeometryError::LbaOutOfRange {
                lba: frames,
                min: 0,
                max: MSF_FRAMES_LIMIT - 1,
            });
        }
        Ok(Msf::from_frames_unchecked(frames))
    }

    const fn from_frames_unchecked(frames: i32) -> Msf {
        Msf {
            m: (frames / FRAMES_PER_MINUTE) as u8,
            s: ((frames / FRAMES_PER_SECOND) % SECONDS_PER_MINUTE) as u8,
            f: (frames % FRAMES_PER_SECOND) as u8,
        }
    }

    /// A time from three BCD bytes (as in sector headers and Q subchannel).
    ///
    /// ## Errors
    ///
    /// [`GeometryError::InvalidBcd`] for a non-BCD byte,
    /// [`GeometryError::InvalidMsf`] for an impossible time.
    pub const fn from_bcd(m: u8, s: u8, f: u8) -> Result<Msf, GeometryError> {
        let m = match Bcd::new(m) {
            Ok(v) => v.value(),
            Err(e) => return Err(e),
        };
        let s = match Bcd::new(s) {
            Ok(v) => v.value(),
            Err(e) => return Err(e),
        };
        let f = match Bcd::new(f) {
            Ok(v) => v.value(),
            Err(e) => return Err(e),
        };
        Msf::new(m, s, f)
    }

    /// Minutes (binary).
    #[inline]
    pub const fn minute(self) -> u8 {
        self.m
    }

    /// Seconds (binary).
    #[inline]
    pub const fn second(self) -> u8 {
        self.s
    }

    /// Frames (binary).
    #[inline]
    pub const fn frame(self) -> u8 {
        self.f
    }

    /// Total frames counted from 00:00:00.
    #[inline]
    pub const fn frames(self) -> i32 {
        self.m as i32 * FRAMES_PER_MINUTE + self.s as i32 * FRAMES_PER_SECOND + self.f as i32
    }

    /// The MMC address of this time: minutes ≥ 90 are lead-in (negative)
    /// addresses, everything else is `frames − 150`.
    #[inline]
    pub const fn to_lba(self) -> Lba {
        if self.m >= LEAD_IN_FIRST_MINUTE {
            Lba(self.frames() - LEAD_IN_MSF_OFFSET_SECTORS)
        } else {
            Lba(self.frames() - PREGAP_SECTORS)
        }
    }

    /// The address of this time read as on-disc absolute time of the
    /// program area (no lead-in interpretation): `frames − 150`.
    #[inline]
    pub const fn to_program_lba(self) -> Lba {
        Lba(self.frames() - PREGAP_SECTORS)
    }

    /// The three fields as BCD bytes, minute first.
    #[inline]
    pub const fn to_bcd(self) -> [u8; 3] {
        [
            Bcd::encode(self.m),
            Bcd::encode(self.s),
            Bcd::encode(self.f),
        ]
    }

    /// The three fields as binary bytes, minute first (MMC TIME/MSF replies,
    /// cue sheets).
    #[inline]
    pub const fn to_bytes(self) -> [u8; 3] {
        [self.m, self.s, self.f]
    }
}

impl fmt::Display for Msf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.m, self.s, self.f)
    }
}

impl std::str::FromStr for Msf {
    type Err = GeometryError;

    /// Parses `MM:SS:FF` (binary values, as [`Msf`]'s `Display` writes
    /// them).
    fn from_str(text: &str) -> Result<Msf, GeometryError> {
        let mut parts = text.split(':').map(|p| p.trim().parse::<u8>());
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(Ok(m)), Some(Ok(s)), Some(Ok(f)), None) => Msf::new(m, s, f),
            _ => Err(GeometryError::MsfText),
        }
    }
}

/// As the text `MM:SS:FF`.
impl serde::Serialize for Msf {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Msf {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Msf, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A byte holding two decimal digits, one per nibble (0x59 is 59).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Bcd(u8);

impl Bcd {
    /// Wraps a raw byte, checking that both nibbles are decimal digits.
    ///
    /// ## Errors
    ///
    /// [`GeometryError::InvalidBcd`] when a nibble is above 9.
    pub const fn new(raw: u8) -> Result<Bcd, GeometryError> {
        if raw >> 4 > 9 || raw & 0x0f > 9 {
            return Err(GeometryError::InvalidBcd(raw));
        }
        Ok(Bcd(raw))
    }

    /// The BCD form of a binary value 0..=99.
    ///
    /// ## Errors
    ///
    /// [`GeometryError::BcdOutOfRange`] above 99.
    pub const fn from_binary(value: u8) -> Result<Bcd, GeometryError> {
        if value > 99 {
            return Err(GeometryError::BcdOutOfRange(value));
        }
        Ok(Bcd(Bcd::encode(value)))
    }

    /// The raw byte.
    #[inline]
    pub const fn raw(self) -> u8 {
        self.0
    }

    /// The binary value 0..=99.
    #[inline]
    pub const fn value(self) -> u8 {
        (self.0 >> 4) * 10 + (self.0 & 0x0f)
    }

    /// BCD encoding of a value already known to be ≤ 99.
    #[inline]
    const fn encode(value: u8) -> u8 {
        ((value / 10) << 4) | (value % 10)
    }
}

impl fmt::Display for Bcd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.value())
    }
}

/// A track number, 1..=99.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TrackNo(u8);

impl TrackNo {
    /// The first possible track number.
    pub const MIN: TrackNo = TrackNo(1);
    /// The last possible track number.
    pub const MAX: TrackNo = TrackNo(99);

    /// A checked track number.
    ///
    /// ## Errors
    ///
    /// [`GeometryError::InvalidTrackNo`] outside 1..=99.
    pub const fn new(n: u8) -> Result<TrackNo, GeometryError> {
        if n == 0 || n > 99 {
            return Err(GeometryError::InvalidTrackNo(n));
        }
        Ok(TrackNo(n))
    }

    /// The number.
    #[inline]
    pub const fn get(self) -> u8 {
        self.0
    }

    /// The number in BCD, as in Q subchannel TNO and POINT fields.
    #[inline]
    pub const fn to_bcd(self) -> Bcd {
        Bcd(Bcd::encode(self.0))
    }

    /// The following track number, if there is one.
    #[inline]
    pub const fn next(self) -> Option<TrackNo> {
        if self.0 < 99 {
            Some(TrackNo(self.0 + 1))
        } else {
            None
        }
    }
}

impl fmt::Display for TrackNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// An index number within a track, 0..=99 (0 is the pause/pregap, 1 the
/// track start).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndexNo(u8);

impl IndexNo {
    /// Index 0: the pregap (pause).
    pub const PREGAP: IndexNo = IndexNo(0);
    /// Index 1: where the track starts.
    pub const START: IndexNo = IndexNo(1);

    /// A checked index number.
    ///
    /// ## Errors
    ///
    /// [`GeometryError::InvalidIndexNo`] above 99.
    pub const fn new(n: u8) -> Result<IndexNo, GeometryError> {
        if n > 99 {
            return Err(GeometryError::InvalidIndexNo(n));
        }
        Ok(IndexNo(n))
    }

    /// The number.
    #[inline]
    pub const fn get(self) -> u8 {
        self.0
    }

    /// The number in BCD, as in Q subchannel INDEX fields.
    #[inline]
    pub const fn to_bcd(self) -> Bcd {
        Bcd(Bcd::encode(self.0))
    }
}

impl fmt::Display for IndexNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn msf_text_and_serde() {
        let m: Msf = "97:26:65".parse().unwrap();
        assert_eq!(m, Msf::new(97, 26, 65).unwrap());
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"97:26:65\"");
        assert_eq!(
            serde_json::from_str::<Msf>("\"79:59:74\"")
                .unwrap()
                .frames(),
            359_999
        );
        for bad in ["97:60:00", "1:2", "a:b:c", "00:00:00:00", ""] {
            assert!(bad.parse::<Msf>().is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<Msf>("\"99:99:99\"").is_err());
    }
    use super::*;

    fn msf(m: u8, s: u8, f: u8) -> Msf {
        Msf::new(m, s, f).unwrap()
    }

    /// Edge values from `imapi2-raw-cd.md` §7 and `cd-standards.md` §2, §4.
    #[test]
    fn lba_msf_table() {
        let table: &[(i32, (u8, u8, u8))] = &[
            (-45150, (90, 0, 0)),
            (-22650, (95, 0, 0)),
            (-11635, (97, 26, 65)),
            (-151, (99, 59, 74)),
            (-150, (0, 0, 0)),
            (-1, (0, 1, 74)),
            (0, (0, 2, 0)),
            (1, (0, 2, 1)),
            (74, (0, 2, 74)),
            (75, (0, 3, 0)),
            (4350, (1, 0, 0)),
            (397_799, (88, 25, 74)),
            (398_099, (88, 29, 74)),
            (404_849, (89, 59, 74)),
        ];
        for &(lba, (m, s, f)) in table {
            assert_eq!(Lba(lba).to_msf(), Ok(msf(m, s, f)), "lba {lba}");
            assert_eq!(msf(m, s, f).to_lba(), Lba(lba), "msf {m}:{s}:{f}");
        }
    }

    #[test]
    fn lba_out_of_msf_range() {
        for lba in [-45151, 404_850, i32::MIN, i32::MAX] {
            assert!(
                matches!(Lba(lba).to_msf(), Err(GeometryError::LbaOutOfRange { .. })),
                "lba {lba}"
            );
        }
    }

    #[test]
    fn disc_time_continues_past_89_59_74() {
        assert_eq!(Lba(404_850).to_disc_time(), Ok(msf(90, 0, 0)));
        assert_eq!(Lba(449_849).to_disc_time(), Ok(msf(99, 59, 74)));
        assert!(Lba(449_850).to_disc_time().is_err());
        assert_eq!(Lba(-11635).to_disc_time(), Ok(msf(97, 26, 65)));
        assert_eq!(Lba(-150).to_disc_time(), Ok(msf(0, 0, 0)));
        assert!(Lba(-45151).to_disc_time().is_err());
        assert_eq!(msf(90, 0, 0).to_program_lba(), Lba(404_850));
    }

    #[test]
    fn msf_roundtrips_every_mmc_address() {
        for lba in Lba::MIN_MSF.0..=Lba::MAX_MSF.0 {
            let m = Lba(lba).to_msf().unwrap();
            assert_eq!(m.to_lba(), Lba(lba));
        }
    }

    #[test]
    fn msf_field_limits() {
        assert!(Msf::new(99, 59, 74).is_ok());
        assert_eq!(
            Msf::new(0, 60, 0),
            Err(GeometryError::InvalidMsf { m: 0, s: 60, f: 0 })
        );
        assert!(Msf::new(0, 0, 75).is_err());
        assert!(Msf::new(100, 0, 0).is_err());
        assert_eq!(Msf::from_frames(449_999), Ok(msf(99, 59, 74)));
        assert!(Msf::from_frames(450_000).is_err());
        assert!(Msf::from_frames(-1).is_err());
    }

    #[test]
    fn msf_bcd_forms() {
        assert_eq!(msf(97, 26, 65).to_bcd(), [0x97, 0x26, 0x65]);
        assert_eq!(msf(0, 2, 0).to_bcd(), [0x00, 0x02, 0x00]);
        assert_eq!(Msf::from_bcd(0x79, 0x59, 0x74), Ok(msf(79, 59, 74)));
        assert_eq!(
            Msf::from_bcd(0x00, 0x60, 0x00).unwrap_err(),
            GeometryError::InvalidMsf { m: 0, s: 60, f: 0 }
        );
        assert_eq!(
            Msf::from_bcd(0x0a, 0, 0),
            Err(GeometryError::InvalidBcd(0x0a))
        );
        assert_eq!(msf(1, 2, 3).to_string(), "01:02:03");
    }

    #[test]
    fn bcd_checks_both_nibbles() {
        assert_eq!(Bcd::new(0x99).map(Bcd::value), Ok(99));
        assert_eq!(Bcd::new(0x00).map(Bcd::value), Ok(0));
        assert_eq!(Bcd::new(0x9a), Err(GeometryError::InvalidBcd(0x9a)));
        assert_eq!(Bcd::new(0xa0), Err(GeometryError::InvalidBcd(0xa0)));
        assert_eq!(Bcd::new(0xaa), Err(GeometryError::InvalidBcd(0xaa)));
        for v in 0..=99u8 {
            let b = Bcd::from_binary(v).unwrap();
            assert_eq!(b.value(), v);
            assert_eq!(Bcd::new(b.raw()), Ok(b));
        }
        assert_eq!(
            Bcd::from_binary(100),
            Err(GeometryError::BcdOutOfRange(100))
        );
        assert_eq!(Bcd::from_binary(42).unwrap().raw(), 0x42);
    }

    #[test]
    fn track_and_index_ranges() {
        assert_eq!(TrackNo::new(0), Err(GeometryError::InvalidTrackNo(0)));
        assert_eq!(TrackNo::new(1).map(TrackNo::get), Ok(1));
        assert_eq!(TrackNo::new(99).map(TrackNo::get), Ok(99));
        assert_eq!(TrackNo::new(100), Err(GeometryError::InvalidTrackNo(100)));
        assert_eq!(TrackNo::new(0xaa), Err(GeometryError::InvalidTrackNo(0xaa)));
        assert_eq!(TrackNo::MAX.next(), None);
        assert_eq!(TrackNo::MIN.next(), TrackNo::new(2).ok());
        assert_eq!(TrackNo::new(42).unwrap().to_bcd().raw(), 0x42);
        assert_eq!(IndexNo::new(0), Ok(IndexNo::PREGAP));
        assert_eq!(IndexNo::new(99).map(IndexNo::get), Ok(99));
        assert_eq!(IndexNo::new(100), Err(GeometryError::InvalidIndexNo(100)));
        assert_eq!(IndexNo::new(17).unwrap().to_bcd().raw(), 0x17);
    }

    #[test]
    fn lba_wire_bytes() {
        assert_eq!(Lba(-150).to_be_bytes(), [0xff, 0xff, 0xff, 0x6a]);
        assert_eq!(Lba(-11635).to_be_bytes(), [0xff, 0xff, 0xd2, 0x8d]);
        assert_eq!(Lba::from_be_bytes([0xff, 0xff, 0xa7, 0x86]), Lba(-22650));
    }

    #[test]
    fn named_constants() {
        assert_eq!(Lba::MIN_MSF, Lba(-45150));
        assert_eq!(Lba::MAX_MSF, Lba(404_849));
        assert_eq!(Lba::MAX_DISC_TIME, Lba(449_849));
        assert_eq!(FRAMES_PER_MINUTE, 4500);
    }
}
