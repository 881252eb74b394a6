//! Sectors read back from an image: whether a stored sector is one the
//! plan would generate, and which Mode 2 form a raw track is.

use super::ImageSources;
use crate::disc::{Content, Disc, generated_encoder};
use crate::msf::Lba;
use crate::sector::{Expect, SECTOR_SIZE, SectorKind, SectorType, XaSubheader, check_sector};
use crate::subchannel::PW_SIZE;

/// A stored sector as the plan encodes it, and whether it carries no R-W.
pub(super) struct Stored {
    /// The finished 2352 bytes.
    pub sector: [u8; SECTOR_SIZE],
    /// Its R-W subcode (in the source or a separate file) is all zero.
    pub rw_zero: bool,
}

/// The sector at `lba` read from its source and encoded as the plan
/// encodes it; `None` where the plan generates the sector.
///
/// ## Errors
///
/// The source and the reader's error when the bytes cannot be read.
pub(super) fn stored(
    disc: &Disc,
    files: &mut dyn ImageSources,
    lba: Lba,
) -> Result<Option<Stored>, (usize, crate::source::SourceError)> {
    let Some(region) = disc.region_at(lba) else {
        return Ok(None);
    };
    let Content::Source {
        pos,
        stride,
        rw,
        swap,
        rw_sub,
    } = region.content
    else {
        return Ok(None);
    };
    // Within the region, whose reads the plan bounds within a file.
    let k = u64::try_from(lba.since(region.start)).unwrap_or(0);
    let mut bytes = vec![0u8; stride as usize];
    files
        .read(
            pos.source,
            k.saturating_mul(stride).saturating_add(pos.offset),
            &mut bytes,
        )
        .map_err(|e| (pos.source, e))?;
    let per = region.encoder.input_len();
    let mut input = bytes[..per].to_vec();
    if swap {
        for w in input.chunks_exact_mut(2) {
            w.swap(0, 1);
        }
    }
    let mut rw_zero = !rw
        || bytes[stride as usize - PW_SIZE..]
            .iter()
            .all(|b| b & 0x3f == 0);
    if let Some(sub) = rw_sub {
        let mut record = [0u8; PW_SIZE];
        files
            .read(
                sub.source,
                (k * PW_SIZE as u64).saturating_add(sub.offset),
                &mut record,
            )
            .map_err(|e| (sub.source, e))?;
        // Linear P-W: 12 bytes of P, 12 of Q, then R-W.
        rw_zero &= record[24..].iter().all(|&b| b == 0);
    }
    let mut sector = [0u8; SECTOR_SIZE];
    if region.encoder.encode(lba, &input, &mut sector).is_err() {
        // Input the encoder refuses (non-zero Mode 0) is no generated
        // sector; the plan reports it when it encodes.
        return Ok(Some(Stored {
            sector: [0xff; SECTOR_SIZE],
            rw_zero: false,
        }));
    }
    Ok(Some(Stored { sector, rw_zero }))
}

/// The sector the plan generates at `lba` for a track of type `ty`.
pub(super) fn generated(ty: SectorType, lba: Lba) -> Option<[u8; SECTOR_SIZE]> {
    let encoder = generated_encoder(ty);
    let zeros = [0u8; SECTOR_SIZE];
    let mut out = [0u8; SECTOR_SIZE];
    encoder
        .encode(lba, &zeros[..encoder.input_len()], &mut out)
        .ok()?;
    Some(out)
}

/// Whether `stored` is the sector the plan generates at `lba` for type
/// `ty`.
pub(super) fn is_generated(stored: &Stored, ty: SectorType, lba: Lba) -> bool {
    stored.rw_zero && generated(ty, lba).is_some_and(|g| g == stored.sector)
}

/// The raw Mode 2 type whose generated sectors are the zero sectors of the
/// form `sector` is, if it is one.
pub(super) fn zero_form(stored: &Stored, lba: Lba) -> Option<SectorType> {
    [
        (SectorType::Mode2Form1, SectorType::Mode2Form1Raw),
        (SectorType::Mode2Form2, SectorType::Mode2Raw),
        (SectorType::Mode2Formless, SectorType::Mode2FormlessRaw),
    ]
    .into_iter()
    .find(|&(form, _)| generated(form, lba).is_some_and(|g| g == stored.sector))
    .map(|(_, raw)| raw)
}

/// What a data sector of a raw Mode 2 track says about its origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sample {
    /// A consistent Form 1 sector with the subheader rawburn's Form 1
    /// encoder writes by default.
    Form1Default,
    /// A consistent Form 2 sector with the default Form 2 subheader.
    Form2Default,
    /// Anything else.
    Other,
}

/// Classifies a data sector of a raw Mode 2 track.
pub(super) fn sample(stored: &Stored) -> Sample {
    let report = check_sector(&stored.sector, Expect::default());
    if !report.is_consistent() || report.scrambled {
        return Sample::Other;
    }
    match (report.kind, report.subheader) {
        (SectorKind::Mode2Form1, Some(s)) if s == XaSubheader::FORM1_DATA => Sample::Form1Default,
        (SectorKind::Mode2Form2, Some(s)) if s == XaSubheader::FORM2 => Sample::Form2Default,
        _ => Sample::Other,
    }
}
