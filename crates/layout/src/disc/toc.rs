//! The TOC a finished disc reports: READ TOC/PMA/ATIP replies (MMC; layouts
//! in `cd-standards.md` §6.8) predicted from the plan.

use super::Disc;
use crate::msf::Lba;

/// ADR 1 (position) in the high nibble of a TOC descriptor's ADR/CONTROL
/// byte; CONTROL goes in the low nibble (the reverse of Q byte 0).
const ADR_POSITION: u8 = 0x10;
/// Track number of the lead-out in TOC descriptors.
const LEADOUT_TRACK: u8 = 0xaa;

impl Disc {
    /// READ TOC format 0000b (formatted TOC): a 4-byte header and an 8-byte
    /// descriptor per track plus the lead-out (track AAh). Addresses are
    /// LBAs, or `0, M, S, F` when `msf` is set (the TIME bit).
    /// IMAPI2's `ExpectedTableOfContents`.
    pub fn toc_format0(&self, msf: bool) -> Vec<u8> {
        let tracks = self.tracks();
        let len = 2 + 8 * (tracks.len() + 1);
        let mut out = Vec::with_capacity(len + 2);
        out.extend_from_slice(&(len as u16).to_be_bytes());
        out.push(self.first_track().get());
        out.push(self.last_track().get());
        let address = |lba: Lba| -> [u8; 4] {
            if msf {
                let [m, s, f] = lba.to_disc_time().map(|t| t.to_bytes()).unwrap_or([0; 3]);
                [0, m, s, f]
            } else {
                lba.to_be_bytes()
            }
        };
        for t in tracks {
            out.extend_from_slice(&[0, ADR_POSITION | t.control, t.number.get(), 0]);
            out.extend_from_slice(&address(t.start));
        }
        let last_control = tracks[tracks.len() - 1].control;
        out.extend_from_slice(&[0, ADR_POSITION | last_control, LEADOUT_TRACK, 0]);
        out.extend_from_slice(&address(self.leadout()));
        out
    }

    /// READ TOC format 0010b (full TOC) of the single session: a 4-byte
    /// header and 11-byte descriptors A0, A1, A2, then one per track, values
    /// in binary. MIN/SEC/FRAME (lead-in running time) are reported as zero.
    pub fn toc_format2(&self) -> Vec<u8> {
        let tracks = self.tracks();
        let first = &tracks[0];
        let last = &tracks[tracks.len() - 1];
        let mut entries: Vec<[u8; 11]> = Vec::with_capacity(tracks.len() + 3);
        let entry = |control: u8, point: u8, p: [u8; 3]| -> [u8; 11] {
            [
                1,
                ADR_POSITION | control,
                0,
                point,
                0,
                0,
                0,
                0,
                p[0],
                p[1],
                p[2],
            ]
        };
        entries.push(entry(
            first.control,
            0xa0,
            [first.number.get(), self.disc_type().code(), 0],
        ));
        entries.push(entry(last.control, 0xa1, [last.number.get(), 0, 0]));
        entries.push(entry(last.control, 0xa2, msf_bytes(self.leadout())));
        for t in tracks {
            entries.push(entry(t.control, t.number.get(), msf_bytes(t.start)));
        }
        let len = 2 + 11 * entries.len();
        let mut out = Vec::with_capacity(len + 2);
        out.extend_from_slice(&(len as u16).to_be_bytes());
        out.extend_from_slice(&[1, 1]);
        for e in &entries {
            out.extend_from_slice(e);
        }
        out
    }
}

/// Binary M, S, F of a program-area address.
pub(crate) fn msf_bytes(lba: Lba) -> [u8; 3] {
    lba.to_disc_time().map(|t| t.to_bytes()).unwrap_or([0; 3])
}
