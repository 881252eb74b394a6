//! Recordable media: CD-R or CD-RW of a nominal length, with the ATIP
//! values a drive reads from the pregroove.

use layout::msf::{Lba, Msf};
use serde::{Deserialize, Serialize};

/// CD-R or CD-RW.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MediaKind {
    /// Write once.
    CdR,
    /// Rewritable (can be blanked).
    CdRw,
}

impl MediaKind {
    /// The MMC profile of the media (0009h CD-R, 000Ah CD-RW).
    pub const fn profile(self) -> u16 {
        match self {
            MediaKind::CdR => 0x0009,
            MediaKind::CdRw => 0x000a,
        }
    }

    /// A short name.
    pub const fn name(self) -> &'static str {
        match self {
            MediaKind::CdR => "cd-r",
            MediaKind::CdRw => "cd-rw",
        }
    }
}

/// A disc in the virtual drive: kind and ATIP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaSpec {
    /// CD-R or CD-RW.
    pub kind: MediaKind,
    /// Nominal length in minutes.
    pub minutes: u8,
    /// ATIP start of the lead-in (M ≥ 90: a negative LBA).
    pub lead_in_start: Msf,
    /// ATIP last possible start of the lead-out, as on-disc time.
    pub last_leadout: Msf,
}

/// Why media cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("media of {0} minutes do not exist here: choose 74, 80, 90 or 99")]
pub struct MediaError(pub u8);

impl MediaSpec {
    /// Media of `kind` and nominal length `minutes` (74, 80, 90 or 99).
    /// The lead-in starts at 97:26:65 on CD-R and 97:24:00 on CD-RW (values
    /// of common media); the lead-out may start until one frame before the
    /// nominal length (79:59:74 on 80-minute media, 98:59:74 on 99-minute
    /// media).
    ///
    /// ## Errors
    ///
    /// [`MediaError`] for other lengths.
    pub fn new(kind: MediaKind, minutes: u8) -> Result<MediaSpec, MediaError> {
        if ![74, 80, 90, 99].contains(&minutes) {
            return Err(MediaError(minutes));
        }
        let frames = minutes as i32 * 4500 - 1;
        let last_leadout =
            Msf::from_frames(frames.min(449_999)).map_err(|_| MediaError(minutes))?;
        let lead_in_start = match kind {
            MediaKind::CdR => Msf::new(97, 26, 65),
            MediaKind::CdRw => Msf::new(97, 24, 0),
        }
        .map_err(|_| MediaError(minutes))?;
        Ok(MediaSpec {
            kind,
            minutes,
            lead_in_start,
            last_leadout,
        })
    }

    /// The lead-in start as an LBA (−11635 on CD-R).
    pub fn lead_in_lba(&self) -> Lba {
        self.lead_in_start.to_lba()
    }

    /// The last possible lead-out start as an LBA. ATIP gives it as on-disc
    /// time of the program area, so minutes 90–99 (99-minute media) count
    /// forward, not as lead-in addresses.
    pub fn last_leadout_lba(&self) -> Lba {
        self.last_leadout.to_program_lba()
    }

    /// Sectors the program area holds (LBA 0 up to the last lead-out
    /// start).
    pub fn capacity(&self) -> u32 {
        self.last_leadout_lba().get().max(0) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets() {
        let m = MediaSpec::new(MediaKind::CdR, 80).unwrap();
        assert_eq!(m.lead_in_lba(), Lba(-11635));
        assert_eq!(m.last_leadout.to_string(), "79:59:74");
        assert_eq!(m.last_leadout_lba(), Lba(359_849));
        let m = MediaSpec::new(MediaKind::CdR, 74).unwrap();
        assert_eq!(m.last_leadout_lba(), Lba(332_849));
        let m = MediaSpec::new(MediaKind::CdRw, 99).unwrap();
        assert_eq!(m.last_leadout.to_string(), "98:59:74");
        assert_eq!(m.last_leadout_lba(), Lba(445_349));
        assert_eq!(m.kind.profile(), 0x0a);
        assert_eq!(MediaSpec::new(MediaKind::CdR, 63), Err(MediaError(63)));
    }
}
