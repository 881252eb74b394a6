//! Sector encoding: input bytes of a [`SectorType`] to finished 2352-byte
//! sectors, one at a time or in batches into a caller-owned buffer.

use super::{SECTOR_SIZE, SYNC, SectorError, SectorType, XaSubheader, ecc, edc, field};
use crate::msf::Lba;

/// Encodes sectors of one [`SectorType`] (and, for Form 1/2, one fixed XA
/// subheader).
///
/// ```
/// use layout::msf::Lba;
/// use layout::sector::{SectorEncoder, SectorType, check_sector, Expect};
///
/// let enc = SectorEncoder::new(SectorType::Mode1);
/// let mut out = [0u8; 2352];
/// enc.encode(Lba(16), &[0x41; 2048], &mut out)?;
/// let report = check_sector(&out, Expect::default());
/// assert!(report.is_consistent());
/// assert_eq!(report.lba, Some(Lba(16)));
/// # Ok::<(), layout::sector::SectorError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectorEncoder {
    ty: SectorType,
    subheader: XaSubheader,
}

/// Sectors per task in the parallel path: large enough to amortise the
/// scheduling, small enough to balance over cores.
#[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
const PARALLEL_CHUNK: usize = 64;

impl SectorEncoder {
    /// An encoder for `ty`. Form 1 sectors get the subheader
    /// [`XaSubheader::FORM1_DATA`] and Form 2 sectors [`XaSubheader::FORM2`]
    /// until [`SectorEncoder::with_subheader`] says otherwise.
    pub const fn new(ty: SectorType) -> SectorEncoder {
        let subheader = match ty {
            SectorType::Mode2Form1 => XaSubheader::FORM1_DATA,
            SectorType::Mode2Form2 => XaSubheader::FORM2,
            _ => XaSubheader {
                file: 0,
                channel: 0,
                submode: 0,
                coding: 0,
            },
        };
        SectorEncoder { ty, subheader }
    }

    /// Sets the XA subheader written into every Form 1 or Form 2 sector.
    ///
    /// ## Errors
    ///
    /// [`SectorError::SubheaderForm`] when the submode's form bit does not
    /// match the type; [`SectorError::NoSubheader`] for types without a fixed
    /// subheader.
    pub fn with_subheader(self, sub: XaSubheader) -> Result<SectorEncoder, SectorError> {
        match self.ty {
            SectorType::Mode2Form1 | SectorType::Mode2Form2 => {
                if sub.is_form2() != (self.ty == SectorType::Mode2Form2) {
                    return Err(SectorError::SubheaderForm {
                        ty: self.ty,
                        submode: sub.submode,
                    });
                }
                Ok(SectorEncoder {
                    ty: self.ty,
                    subheader: sub,
                })
            }
            other => Err(SectorError::NoSubheader(other)),
        }
    }

    /// The sector type.
    pub const fn sector_type(&self) -> SectorType {
        self.ty
    }

    /// The fixed subheader, for Form 1 and Form 2 encoders.
    pub const fn subheader(&self) -> Option<XaSubheader> {
        match self.ty {
            SectorType::Mode2Form1 | SectorType::Mode2Form2 => Some(self.subheader),
            _ => None,
        }
    }

    /// Bytes of input per sector ([`SectorType::input_len`]).
    pub const fn input_len(&self) -> usize {
        self.ty.input_len()
    }

    /// Encodes one sector at `lba` from `input` (exactly
    /// [`SectorEncoder::input_len`] bytes).
    ///
    /// ## Errors
    ///
    /// [`SectorError::InputLength`] for input of the wrong size,
    /// [`SectorError::Address`] when `lba` has no on-disc time,
    /// [`SectorError::Mode0NotZero`] for non-zero Mode 0 input.
    pub fn encode(
        &self,
        lba: Lba,
        input: &[u8],
        out: &mut [u8; SECTOR_SIZE],
    ) -> Result<(), SectorError> {
        if input.len() != self.input_len() {
            return Err(self.input_length_error(input.len()));
        }
        self.encode_one(lba, input, out)
    }

    /// Encodes consecutive sectors starting at `first` from `input` (a whole
    /// number of [`SectorEncoder::input_len`] chunks) into `out`, 2352 bytes
    /// per sector. Returns the number of sectors encoded.
    ///
    /// ## Errors
    ///
    /// As [`SectorEncoder::encode`], plus [`SectorError::OutputTooSmall`]. On
    /// error, sectors before the failing one are already written.
    pub fn encode_batch(
        &self,
        first: Lba,
        input: &[u8],
        out: &mut [u8],
    ) -> Result<usize, SectorError> {
        self.encode_batch_strided(first, input, out, SECTOR_SIZE)
    }

    /// As [`SectorEncoder::encode_batch`], but sector `i` goes to
    /// `out[i * stride..]`, leaving the `stride − 2352` bytes after each
    /// sector untouched (room for subchannel in 2368- or 2448-byte frames).
    ///
    /// ## Errors
    ///
    /// As [`SectorEncoder::encode_batch`], plus [`SectorError::StrideTooSmall`].
    pub fn encode_batch_strided(
        &self,
        first: Lba,
        input: &[u8],
        out: &mut [u8],
        stride: usize,
    ) -> Result<usize, SectorError> {
        let n = self.check_batch(first, input, out, stride)?;
        let per = self.input_len();
        for (i, (src, frame)) in input
            .chunks_exact(per)
            .zip(out.chunks_mut(stride))
            .enumerate()
        {
            let Some(sector) = frame.first_chunk_mut::<SECTOR_SIZE>() else {
                return Err(self.output_error(n, out.len(), stride));
            };
            self.encode_one(Lba(first.0 + i as i32), src, sector)?;
        }
        Ok(n)
    }

    /// As [`SectorEncoder::encode_batch_strided`], spread over all cores.
    ///
    /// ## Errors
    ///
    /// As [`SectorEncoder::encode_batch_strided`]; which sectors were written
    /// before an error is unspecified.
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    pub fn encode_batch_parallel(
        &self,
        first: Lba,
        input: &[u8],
        out: &mut [u8],
        stride: usize,
    ) -> Result<usize, SectorError> {
        use rayon::prelude::*;
        let n = self.check_batch(first, input, out, stride)?;
        let per = self.input_len();
        input
            .par_chunks(PARALLEL_CHUNK * per)
            .zip(out.par_chunks_mut(PARALLEL_CHUNK * stride))
            .enumerate()
            .try_for_each(|(k, (src, dst))| {
                let lba = Lba(first.0 + (k * PARALLEL_CHUNK) as i32);
                self.encode_batch_strided(lba, src, dst, stride).map(|_| ())
            })?;
        Ok(n)
    }

    /// Validates a batch and returns its sector count.
    fn check_batch(
        &self,
        first: Lba,
        input: &[u8],
        out: &[u8],
        stride: usize,
    ) -> Result<usize, SectorError> {
        if stride < SECTOR_SIZE {
            return Err(SectorError::StrideTooSmall(stride));
        }
        let per = self.input_len();
        if !input.len().is_multiple_of(per) {
            return Err(self.input_length_error(input.len()));
        }
        let n = input.len() / per;
        if n == 0 {
            return Ok(0);
        }
        // The last frame needs only its sector, not the full stride.
        let needed = (n - 1) * stride + SECTOR_SIZE;
        if out.len() < needed {
            return Err(self.output_error(n, out.len(), stride));
        }
        // Both ends must have an on-disc time; the addresses between follow.
        first.to_disc_time()?;
        let last = i32::try_from(i64::from(first.0) + n as i64 - 1).unwrap_or(i32::MAX);
        Lba(last).to_disc_time()?;
        Ok(n)
    }

    fn input_length_error(&self, got: usize) -> SectorError {
        SectorError::InputLength {
            ty: self.ty,
            per_sector: self.input_len(),
            got,
        }
    }

    fn output_error(&self, sectors: usize, got: usize, stride: usize) -> SectorError {
        SectorError::OutputTooSmall {
            sectors,
            needed: sectors.saturating_sub(1) * stride + SECTOR_SIZE,
            got,
        }
    }

    /// Encodes one sector; `input` has the right length.
    fn encode_one(
        &self,
        lba: Lba,
        input: &[u8],
        out: &mut [u8; SECTOR_SIZE],
    ) -> Result<(), SectorError> {
        if self.ty.is_audio() || self.ty.is_raw() {
            out.copy_from_slice(input);
            return Ok(());
        }
        let [m, s, f] = lba.to_disc_time()?.to_bcd();
        out[field::SYNC].copy_from_slice(&SYNC);
        match self.ty {
            SectorType::Mode0 => {
                if let Some(offset) = input.iter().position(|&b| b != 0) {
                    return Err(SectorError::Mode0NotZero {
                        lba,
                        offset,
                        value: input[offset],
                    });
                }
                out[field::HEADER].copy_from_slice(&[m, s, f, 0]);
                out[field::MODE2_DATA].fill(0);
            }
            SectorType::Mode1 => {
                out[field::HEADER].copy_from_slice(&[m, s, f, 1]);
                out[field::MODE1_USER].copy_from_slice(input);
                let e = edc::edc(&out[..field::MODE1_EDC.start]);
                out[field::MODE1_EDC].copy_from_slice(&e.to_le_bytes());
                out[field::MODE1_ZERO].fill(0);
                ecc::write_p(out);
                ecc::write_q(out);
            }
            SectorType::Mode2Formless | SectorType::Mode2Xa => {
                out[field::HEADER].copy_from_slice(&[m, s, f, 2]);
                out[field::MODE2_DATA].copy_from_slice(input);
            }
            SectorType::Mode2Form1 => {
                write_subheader(out, self.subheader);
                out[field::FORM1_USER].copy_from_slice(input);
                finish_form1(out, [m, s, f]);
            }
            SectorType::Mode2Form2 => {
                write_subheader(out, self.subheader);
                out[field::FORM2_USER].copy_from_slice(input);
                finish_form2(out, [m, s, f]);
            }
            // Audio and raw types returned above.
            _ => out.copy_from_slice(input),
        }
        Ok(())
    }
}

fn write_subheader(out: &mut [u8; SECTOR_SIZE], sub: XaSubheader) {
    let b = sub.to_bytes();
    out[16..20].copy_from_slice(&b);
    out[20..24].copy_from_slice(&b);
}

/// EDC and ECC of a Form 1 sector whose subheader and user data are in
/// place. ECC is computed over a zeroed header, then the header is written
/// (`cd-standards.md` §1.5, Mode 2 rule).
fn finish_form1(out: &mut [u8; SECTOR_SIZE], time: [u8; 3]) {
    let e = edc::edc(&out[field::SUBHEADER.start..field::FORM1_EDC.start]);
    out[field::FORM1_EDC].copy_from_slice(&e.to_le_bytes());
    out[field::HEADER].fill(0);
    ecc::write_p(out);
    ecc::write_q(out);
    out[field::HEADER].copy_from_slice(&[time[0], time[1], time[2], 2]);
}

/// Header and EDC of a Form 2 sector whose subheader and user data are in
/// place.
fn finish_form2(out: &mut [u8; SECTOR_SIZE], time: [u8; 3]) {
    out[field::HEADER].copy_from_slice(&[time[0], time[1], time[2], 2]);
    let e = edc::edc(&out[field::SUBHEADER.start..field::FORM2_EDC.start]);
    out[field::FORM2_EDC].copy_from_slice(&e.to_le_bytes());
}
