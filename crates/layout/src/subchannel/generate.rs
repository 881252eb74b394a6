//! P and Q for every sector of a planned disc.
//!
//! The rules, and where they come from (`cd-standards.md` §3):
//!
//! - **Lead-in** (before LBA −150): Q mode 1 TOC entries A0, A1, A2, then
//!   one per track, each written in 3 consecutive sectors, cycling. The
//!   cycle is anchored at 90:00:00 and MIN/SEC/FRAME hold the sector's own
//!   absolute lead-in time (9x:xx:xx), so the lead-in's content does not
//!   depend on where writing starts. P is 0.
//! - **Program area and pregaps**: Q mode 1 with the track, index, relative
//!   time (counting down to 00:00:00 at index 1 through the pregap, up
//!   after it) and absolute time. The Media Catalog Number (mode 2) takes
//!   the sectors whose absolute frame count is 20 modulo 90, an audio
//!   track's ISRC (mode 3) those at 65 modulo 90 (index 1 onward), each
//!   moved one sector later when it would fall on the first sector of an
//!   index. With a 90-sector period a moved frame still leaves at most 91
//!   sectors between two, so mode 2/3 appear in every 100 sectors and mode 1
//!   in at least 9 of every 10, as ECMA-130 asks. SCMS tracks alternate the
////!   copy bit every 4 sectors (9.375 Hz).
//! - **P**: 1 in every index-0 sector and in the 150 sectors before each
//!   track's index 1; in the lead-out, 1 for the first 150 sectors, then a
//!   2 Hz square wave of 19 sectors off, 19 on.
//! - **Lead-out**: Q mode 1, track AA, index 01, relative time counting up
//!   from the lead-out start.

use super::q::{QFrame, QRepr};
use crate::disc::{Area, CopySetting, Disc, Mcn, Region};
use crate::msf::{Lba, Msf, PREGAP_SECTORS};

/// Where the lead-in TOC cycle is anchored: 90:00:00.
const LEAD_IN_ANCHOR: Lba = Lba::MIN_MSF;
/// Sectors each TOC entry is repeated.
const TOC_REPEAT: i32 = 3;
/// Sectors of P = 1 before each track's index 1 and at the lead-out start.
const P_RUN: i32 = PREGAP_SECTORS;
/// Half period of the lead-out's 2 Hz P square wave.
const P_HALF_PERIOD: i32 = 19;
/// Period of the MCN and ISRC frames, and their slots within it.
const ID_PERIOD: i32 = 90;
const MCN_SLOT: i32 = 20;
const ISRC_SLOT: i32 = 65;

/// One lead-in TOC entry without its running time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TocEntry {
    control: u8,
    point: u8,
    p: [u8; 3],
}

/// Computes P and Q of any sector of a disc.
#[derive(Debug, Clone)]
pub struct SubcodeGenerator<'a> {
    disc: &'a Disc,
    toc: Vec<TocEntry>,
    mcn: Option<Mcn>,
}

impl<'a> SubcodeGenerator<'a> {
    /// A generator for `disc`.
    pub fn new(disc: &'a Disc) -> SubcodeGenerator<'a> {
        let tracks = disc.tracks();
        let first = &tracks[0];
        let last = &tracks[tracks.len() - 1];
        let mut toc = vec![
            TocEntry {
                control: first.control,
                point: 0xa0,
                p: [first.number.to_bcd().raw(), disc.disc_type().code(), 0],
            },
            TocEntry {
                control: last.control,
                point: 0xa1,
                p: [last.number.to_bcd().raw(), 0, 0],
            },
            TocEntry {
                control: last.control,
                point: 0xa2,
                p: bcd_time(disc.leadout()),
            },
        ];
        toc.extend(tracks.iter().map(|t| TocEntry {
            control: t.control,
            point: t.number.to_bcd().raw(),
            p: bcd_time(t.start),
        }));
        SubcodeGenerator {
            disc,
            toc,
            mcn: disc.project().mcn,
        }
    }

    /// The disc this generator serves.
    pub fn disc(&self) -> &'a Disc {
        self.disc
    }

    /// Number of distinct lead-in TOC entries (A0, A1, A2 and the tracks).
    pub fn toc_entries(&self) -> usize {
        self.toc.len()
    }

    /// P and Q of the sector at `lba`.
    pub fn pq(&self, lba: Lba) -> (bool, QFrame) {
        let region = self.disc.region_at(lba);
        self.pq_in(lba, region)
    }

    /// P and Q of the sector at `lba`, whose region the caller already
    /// knows (`None` in the lead-in, and past the lead-out's end).
    pub fn pq_in(&self, lba: Lba, region: Option<&Region>) -> (bool, QFrame) {
        if lba < Lba::PREGAP_START {
            return (false, self.lead_in(lba));
        }
        let absolute = disc_time(lba);
        match region.map(|r| (r, r.area)) {
            Some((r, Area::Track { track, index })) => {
                let t = &self.disc.tracks()[track];
                let mut control = t.control;
                if t.copy == CopySetting::Scms && (lba.0 + PREGAP_SECTORS) / 4 % 2 == 1 {
                    control |= 0x2;
                }
                let p = index == 0
                    || (track > 0 && lba < t.start && t.start.since(lba) <= P_RUN as i64);
                let a = (lba.0 + PREGAP_SECTORS).rem_euclid(ID_PERIOD);
                let first_of_region = lba == r.start;
                let slot =
                    |s: i32| (a == s && !first_of_region) || (a == s + 1 && lba.0 - 1 == r.start.0);
                let aframe = absolute.frame();
                if let Some(mcn) = self.mcn.filter(|_| slot(MCN_SLOT)) {
                    return (
                        p,
                        QRepr::Mcn {
                            control,
                            mcn,
                            aframe,
                        }
                        .emit(),
                    );
                }
                if let Some(isrc) = t.isrc.filter(|_| index >= 1 && slot(ISRC_SLOT)) {
                    return (
                        p,
                        QRepr::Isrc {
                            control,
                            isrc,
                            aframe,
                        }
                        .emit(),
                    );
                }
                let relative = frames_msf(lba.since(t.start).unsigned_abs() as i32);
                (
                    p,
                    QRepr::Position {
                        control,
                        tno: t.number.to_bcd().raw(),
                        index,
                        relative,
                        absolute,
                    }
                    .emit(),
                )
            }
            _ => {
                // Lead-out (and anything after it).
                let leadout = self.disc.leadout();
                let n = lba.since(leadout) as i32;
                let p = n < P_RUN || ((n - P_RUN) / P_HALF_PERIOD) % 2 == 1;
                let tracks = self.disc.tracks();
                (
                    p,
                    QRepr::Position {
                        control: tracks[tracks.len() - 1].control,
                        tno: 0xaa,
                        index: 1,
                        relative: frames_msf(n),
                        absolute,
                    }
                    .emit(),
                )
            }
        }
    }

    fn lead_in(&self, lba: Lba) -> QFrame {
        let k = (lba.since(LEAD_IN_ANCHOR) / TOC_REPEAT as i64).rem_euclid(self.toc.len() as i64);
        let e = self.toc[k as usize];
        QRepr::TocEntry {
            control: e.control,
            point: e.point,
            time: disc_time(lba),
            p: e.p,
        }
        .emit()
    }
}

/// On-disc time of a sector, clamped into the representable range.
fn disc_time(lba: Lba) -> Msf {
    lba.to_disc_time().unwrap_or(Msf::ZERO)
}

/// A frame count (0..450000) as a time.
fn frames_msf(frames: i32) -> Msf {
    Msf::from_frames(frames.clamp(0, 449_999)).unwrap_or(Msf::ZERO)
}

/// BCD M, S, F of a program-area address.
fn bcd_time(lba: Lba) -> [u8; 3] {
    disc_time(lba).to_bcd()
}
