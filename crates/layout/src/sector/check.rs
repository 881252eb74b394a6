//! Sector decoding and checking: what a 2352-byte sector is, where it says it
//! is, where its user data lies, and whether its EDC and ECC hold.

use super::{SECTOR_SIZE, Sector, SectorType, XaSubheader, ecc, edc, field, scramble};
use crate::msf::{Lba, Msf};
use core::ops::Range;

/// What the caller knows about a sector before checking it. Each known fact
/// is checked too; without them, the sector is judged on its own bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expect {
    /// The address the sector should carry.
    pub lba: Option<Lba>,
    /// The type the sector should be.
    pub sector_type: Option<SectorType>,
}

/// What a sector turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SectorKind {
    /// No sync pattern: CD-DA (or unreadable).
    Audio,
    /// Mode 0.
    Mode0,
    /// Mode 1.
    Mode1,
    /// Mode 2 without an XA subheader.
    Mode2Formless,
    /// Mode 2 Form 1.
    Mode2Form1,
    /// Mode 2 Form 2.
    Mode2Form2,
    /// A header mode byte other than 0, 1, 2.
    UnknownMode(u8),
}

/// The state of a sector's EDC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdcStatus {
    /// Stored and computed EDC agree.
    Valid,
    /// They differ.
    Invalid {
        /// EDC stored in the sector.
        stored: u32,
        /// EDC computed from its contents.
        computed: u32,
    },
    /// A Form 2 sector whose optional EDC is left zero.
    Unused,
    /// The sector kind has no EDC.
    Absent,
}

/// The state of a sector's ECC (P and Q parity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EccStatus {
    /// Stored and computed parity agree.
    Valid,
    /// They differ.
    Invalid,
    /// The sector kind has no ECC.
    Absent,
}

/// One way a sector is not what it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SectorProblem {
    /// A data sector was expected but there is no sync pattern.
    NoSync,
    /// The header address is not valid BCD time.
    BadAddress([u8; 3]),
    /// The header address is not the expected one.
    WrongAddress {
        /// Address expected.
        expected: Lba,
        /// Address found (on-disc time).
        found: Msf,
    },
    /// The sector is not of the expected type.
    WrongKind {
        /// Type expected.
        expected: SectorType,
        /// Kind found.
        found: SectorKind,
    },
    /// The mode byte is not 0, 1 or 2.
    UnknownMode(u8),
    /// The two XA subheader copies differ.
    SubheaderCopiesDiffer,
    /// The EDC does not match.
    EdcMismatch {
        /// EDC stored in the sector.
        stored: u32,
        /// EDC computed from its contents.
        computed: u32,
    },
    /// The P/Q parity does not match.
    EccMismatch,
    /// A field that must be zero (Mode 0 data, Mode 1 intermediate) is not.
    NonZero(Range<usize>),
}

/// The outcome of [`check_sector`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectorReport {
    /// What the sector is.
    pub kind: SectorKind,
    /// Whether the sector was found scrambled (and was checked descrambled).
    pub scrambled: bool,
    /// The header address as on-disc time, when it is valid BCD.
    pub address: Option<Msf>,
    /// The header address as an LBA (the expected one when it matches, else
    /// the MMC reading of the time).
    pub lba: Option<Lba>,
    /// The XA subheader (first copy), for Form 1/2 sectors.
    pub subheader: Option<XaSubheader>,
    /// Where the user data lies in the sector.
    pub user_data: Range<usize>,
    /// The EDC.
    pub edc: EdcStatus,
    /// The ECC.
    pub ecc: EccStatus,
    /// Every inconsistency found; empty for a good sector.
    pub problems: Vec<SectorProblem>,
}

impl SectorReport {
    /// Whether the sector is consistent: nothing in [`SectorReport::problems`].
    pub fn is_consistent(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Decodes and checks a 2352-byte sector.
///
/// Data sectors are checked for sync, a BCD header, the mode, XA subheader
/// copies, EDC, ECC and zero fields; anything in `expect` is checked as well.
/// A sector that is inconsistent as given but consistent once descrambled is
/// reported descrambled with [`SectorReport::scrambled`] set, so raw-write
/// data can be checked too. Audio has nothing to check.
pub fn check_sector(sector: &[u8; SECTOR_SIZE], expect: Expect) -> SectorReport {
    let plain = check_plain(sector, expect);
    if plain.is_consistent() || plain.kind == SectorKind::Audio {
        return plain;
    }
    let mut copy = *sector;
    scramble::scramble(&mut copy);
    let descrambled = check_plain(&copy, expect);
    if descrambled.is_consistent() {
        SectorReport {
            scrambled: true,
            ..descrambled
        }
    } else {
        plain
    }
}

fn check_plain(sector: &[u8; SECTOR_SIZE], expect: Expect) -> SectorReport {
    let view = Sector {
        buffer: &sector[..],
    };
    let mut report = SectorReport {
        kind: SectorKind::Audio,
        scrambled: false,
        address: None,
        lba: None,
        subheader: None,
        user_data: 0..SECTOR_SIZE,
        edc: EdcStatus::Absent,
        ecc: EccStatus::Absent,
        problems: Vec::new(),
    };
    let expected_ty = expect.sector_type;
    if !view.has_sync() {
        if let Some(ty) = expected_ty.filter(|t| !t.is_audio()) {
            report.problems.push(SectorProblem::NoSync);
            report.problems.push(SectorProblem::WrongKind {
                expected: ty,
                found: SectorKind::Audio,
            });
        }
        return report;
    }
    if expected_ty == Some(SectorType::Audio) {
        // Audio may contain the sync pattern by chance; it is still audio.
        return report;
    }

    check_address(&view, expect.lba, &mut report);

    match view.mode() {
        0 => {
            report.kind = SectorKind::Mode0;
            report.user_data = field::MODE2_DATA;
            require_zero(sector, field::MODE2_DATA, &mut report);
        }
        1 => {
            report.kind = SectorKind::Mode1;
            report.user_data = field::MODE1_USER;
            check_edc(
                sector,
                0..field::MODE1_EDC.start,
                field::MODE1_EDC,
                false,
                &mut report,
            );
            require_zero(sector, field::MODE1_ZERO, &mut report);
            check_ecc(sector, false, &mut report);
        }
        2 => check_mode2(sector, &view, expected_ty, &mut report),
        other => {
            report.kind = SectorKind::UnknownMode(other);
            report.user_data = field::MODE2_DATA;
            report.problems.push(SectorProblem::UnknownMode(other));
        }
    }

    if let Some(ty) = expected_ty
        && !kind_matches(ty, report.kind)
    {
        report.problems.push(SectorProblem::WrongKind {
            expected: ty,
            found: report.kind,
        });
    }
    report
}

fn check_address(view: &Sector<&[u8]>, expected: Option<Lba>, report: &mut SectorReport) {
    match view.address() {
        Ok(msf) => {
            report.address = Some(msf);
            report.lba = Some(msf.to_lba());
            if let Some(lba) = expected {
                if lba.to_disc_time() == Ok(msf) {
                    report.lba = Some(lba);
                } else {
                    report.problems.push(SectorProblem::WrongAddress {
                        expected: lba,
                        found: msf,
                    });
                }
            }
        }
        Err(_) => report
            .problems
            .push(SectorProblem::BadAddress(view.address_bytes())),
    }
}

fn check_mode2(
    sector: &[u8; SECTOR_SIZE],
    view: &Sector<&[u8]>,
    expected: Option<SectorType>,
    report: &mut SectorReport,
) {
    let (first, second) = view.subheaders();
    let formless = match expected {
        Some(SectorType::Mode2Formless | SectorType::Mode2FormlessRaw) => true,
        Some(ty) if ty.has_subheader() => false,
        // Unknown: an XA sector repeats its subheader.
        _ => first != second,
    };
    if formless {
        report.kind = SectorKind::Mode2Formless;
        report.user_data = field::MODE2_DATA;
        return;
    }
    if first != second {
        report.problems.push(SectorProblem::SubheaderCopiesDiffer);
    }
    report.subheader = Some(first);
    if first.is_form2() {
        report.kind = SectorKind::Mode2Form2;
        report.user_data = field::FORM2_USER;
        check_edc(
            sector,
            field::SUBHEADER.start..field::FORM2_EDC.start,
            field::FORM2_EDC,
            true,
            report,
        );
    } else {
        report.kind = SectorKind::Mode2Form1;
        report.user_data = field::FORM1_USER;
        check_edc(
            sector,
            field::SUBHEADER.start..field::FORM1_EDC.start,
            field::FORM1_EDC,
            false,
            report,
        );
        check_ecc(sector, true, report);
    }
}

fn check_edc(
    sector: &[u8; SECTOR_SIZE],
    covered: Range<usize>,
    stored_at: Range<usize>,
    optional: bool,
    report: &mut SectorReport,
) {
    let s = &sector[stored_at];
    let stored = u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
    if optional && stored == 0 {
        report.edc = EdcStatus::Unused;
        return;
    }
    let computed = edc::edc(&sector[covered]);
    if stored == computed {
        report.edc = EdcStatus::Valid;
    } else {
        report.edc = EdcStatus::Invalid { stored, computed };
        report
            .problems
            .push(SectorProblem::EdcMismatch { stored, computed });
    }
}

fn check_ecc(sector: &[u8; SECTOR_SIZE], zero_header: bool, report: &mut SectorReport) {
    let ok = if zero_header {
        let mut copy = *sector;
        copy[field::HEADER].fill(0);
        ecc::check(&copy)
    } else {
        ecc::check(sector)
    };
    if ok {
        report.ecc = EccStatus::Valid;
    } else {
        report.ecc = EccStatus::Invalid;
        report.problems.push(SectorProblem::EccMismatch);
    }
}

fn require_zero(sector: &[u8; SECTOR_SIZE], range: Range<usize>, report: &mut SectorReport) {
    if sector[range.clone()].iter().any(|&b| b != 0) {
        report.problems.push(SectorProblem::NonZero(range));
    }
}

fn kind_matches(ty: SectorType, kind: SectorKind) -> bool {
    match ty {
        SectorType::Audio => kind == SectorKind::Audio,
        SectorType::Mode0 => kind == SectorKind::Mode0,
        SectorType::Mode1 | SectorType::Mode1Raw => kind == SectorKind::Mode1,
        SectorType::Mode2Formless | SectorType::Mode2FormlessRaw => {
            kind == SectorKind::Mode2Formless
        }
        SectorType::Mode2Form1 | SectorType::Mode2Form1Raw => kind == SectorKind::Mode2Form1,
        SectorType::Mode2Form2 | SectorType::Mode2Form2Raw => kind == SectorKind::Mode2Form2,
        SectorType::Mode2Xa => matches!(kind, SectorKind::Mode2Form1 | SectorKind::Mode2Form2),
        SectorType::Mode2Raw => matches!(
            kind,
            SectorKind::Mode2Formless | SectorKind::Mode2Form1 | SectorKind::Mode2Form2
        ),
    }
}
