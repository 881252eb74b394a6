//! PCM for CD audio: floating-point samples at any rate to 44.1 kHz 16-bit.
//!
//! Browsers decode audio files with WebAudio into `Float32Array` channels at
//! the file's rate (or the context's). CD audio is 44 100 Hz, 16-bit. This
//! module converts: [`Resampler`] changes the rate with a windowed-sinc
//! filter and [`to_i16`] quantises. Nothing here does I/O, and any output
//! sample can be computed on its own ([`Resampler::input_span`] says which
//! input it needs), so a long track is converted in slices with constant
//! memory.
//!
//! ## Quality
//!
//! The filter is a sinc windowed by a Kaiser window (β = 10.06, designed for
//! 100 dB of stopband attenuation) spanning 64 zero crossings on each side at
//! the lower of the two rates, with its −6 dB point at 0.95 of the lower
//! Nyquist frequency. Measured from 48 kHz (the tests check it): a sine up
//! to 19.8 kHz comes out within 10⁻⁵ of full scale of the ideal (−100 dB),
//! 20 kHz is 0.01 dB down, 21.5 kHz 26 dB, and everything from the lower
//! Nyquist frequency on (22.05 kHz) is attenuated by at least 96 dB, so
//! downsampling adds no aliasing and upsampling no images. Each phase of
//! the filter is normalised to unity gain at DC.
//!
//! When the ratio of the rates, in lowest terms, has an output term of at
//! most [`MAX_EXACT_PHASES`] (every common rate: 8, 11.025, 16, 22.05, 24,
//! 32, 48, 88.2, 96, 176.4 and 192 kHz), every output sample lands on one
//! of the tabulated phases exactly. Other rates interpolate linearly
//! between 1024 tabulated phases, with the same accuracy (−98 dB and
//! better in the passband).
//!
//! At 44.1 kHz the samples pass through untouched. Quantisation ([`to_i16`])
//! rounds to the nearest step without dither, so 16-bit audio that a
//! browser decoded to floats converts back to the same samples (see
//! [`to_i16`] for the one exception).

use core::fmt;

/// The CD audio sample rate.
pub const CD_RATE: u32 = 44_100;

/// Highest input rate accepted (Hz).
pub const MAX_RATE: u32 = 768_000;

/// Lowest input rate accepted (Hz).
pub const MIN_RATE: u32 = 1_000;

/// The largest output term of the rate ratio for which each phase is
/// tabulated exactly.
pub const MAX_EXACT_PHASES: u64 = 2_048;

/// Phases tabulated for the interpolating filter.
const INTERPOLATED_PHASES: usize = 1_024;

/// Zero crossings of the sinc on each side, at the lower rate.
const ZERO_CROSSINGS: f64 = 64.0;

/// Cutoff (−6 dB) as a fraction of the lower Nyquist frequency.
const CUTOFF: f64 = 0.95;

/// Kaiser window shape: 0.1102 (A − 8.7) for A = 100 dB.
const KAISER_BETA: f64 = 10.06;

/// Bytes of one stereo frame of CD audio.
pub const CD_FRAME_BYTES: usize = 4;

/// Why a rate was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateError(pub u32);

impl fmt::Display for RateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sample rate {} Hz is outside {MIN_RATE}-{MAX_RATE} Hz",
            self.0
        )
    }
}

impl std::error::Error for RateError {}

/// A float sample as a 16-bit CD sample: `x · 32767.5` rounded to the
/// nearest integer (ties away from zero) and clipped to −32768..=32767.
/// NaN gives 0.
///
/// The scale maps −1..1 onto the whole 16-bit range with steps of equal
/// width, and it undoes the ways browsers decode 16-bit samples to floats:
/// `s / 32768` (Firefox, Safari) gives every sample back unchanged;
/// Chromium's `s / 32767` for positive samples gives back all but the 31
/// highest (32736..=32767, which may come back one step off: an f32 near
/// 1.0 cannot tell them apart finely enough).
pub fn to_i16(x: f32) -> i16 {
    if x.is_nan() {
        return 0;
    }
    // f64: at full scale an f32 product is off by up to 1/256, too much to
    // tell which side of a half the sample lies on.
    (f64::from(x) * 32_767.5).round().clamp(-32_768.0, 32_767.0) as i16
}

/// Writes CD audio bytes: interleaved 16-bit little-endian `left`/`right`
/// pairs, as many as the shorter of the inputs and `out.len() / 4`.
pub fn write_cd_frames(left: &[f32], right: &[f32], out: &mut [u8]) {
    for ((frame, &l), &r) in out.chunks_exact_mut(CD_FRAME_BYTES).zip(left).zip(right) {
        frame[..2].copy_from_slice(&to_i16(l).to_le_bytes());
        frame[2..].copy_from_slice(&to_i16(r).to_le_bytes());
    }
}

/// Converts one channel from an input rate to [`CD_RATE`].
///
/// Output sample `k` sits at input time `k · down / up`, where `up / down`
/// is `44100 / rate` in lowest terms. It is computed from the input samples
/// [`Resampler::input_span`] names; samples outside the input are zero.
///
/// ```
/// use layout::pcm::Resampler;
///
/// let r = Resampler::new(48_000)?;
/// assert_eq!(r.output_len(48_000), 44_100);
/// let (start, len) = r.input_span(1_000, 16);
/// let input: Vec<f32> = (start..start + len as i64).map(|_| 0.25).collect();
/// let mut out = [0.0f32; 16];
/// r.process(1_000, &input, &mut out);
/// assert!(out.iter().all(|&x| (x - 0.25).abs() < 1e-6));
/// # Ok::<(), layout::pcm::RateError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Resampler {
    up: u64,
    down: u64,
    /// Taps per output sample.
    taps: usize,
    /// Taps read inputs `i - half + 1 .. i - half + 1 + taps`, where `i` is
    /// the input sample at or before the output's position.
    half: usize,
    /// Rows of `taps` coefficients: one per phase `p / up` when exact, else
    /// `INTERPOLATED_PHASES + 1` rows for fractions `r / INTERPOLATED_PHASES`.
    table: Vec<f32>,
    exact: bool,
}

impl Resampler {
    /// A resampler from `rate` Hz to 44.1 kHz.
    ///
    /// ## Errors
    ///
    /// [`RateError`] for a rate outside [`MIN_RATE`]..=[`MAX_RATE`].
    pub fn new(rate: u32) -> Result<Resampler, RateError> {
        if !(MIN_RATE..=MAX_RATE).contains(&rate) {
            return Err(RateError(rate));
        }
        let g = gcd(u64::from(CD_RATE), u64::from(rate));
        let (up, down) = (u64::from(CD_RATE) / g, u64::from(rate) / g);
        if up == down {
            return Ok(Resampler {
                up,
                down,
                taps: 1,
                half: 1,
                table: vec![1.0],
                exact: true,
            });
        }
        // Frequencies relative to the input rate: the filter's zero
        // crossings are spaced by the lower rate's sample period.
        let scale = (up as f64 / down as f64).min(1.0);
        let reach = ZERO_CROSSINGS / scale;
        let half = reach.ceil() as usize;
        let taps = 2 * half;
        let exact = up <= MAX_EXACT_PHASES;
        let rows = if exact {
            up as usize
        } else {
            INTERPOLATED_PHASES + 1
        };
        let fc = scale * CUTOFF;
        let i0 = bessel_i0(KAISER_BETA);
        let mut table = vec![0.0f32; rows * taps];
        let mut row = vec![0.0f64; taps];
        for (r, out) in table.chunks_exact_mut(taps).enumerate() {
            let frac = if exact {
                r as f64 / up as f64
            } else {
                r as f64 / INTERPOLATED_PHASES as f64
            };
            for (m, c) in row.iter_mut().enumerate() {
                // Tap m reads input i - half + 1 + m; its distance from the
                // output's position i + frac:
                let t = (m as f64 - half as f64 + 1.0) - frac;
                *c = if t.abs() >= reach {
                    0.0
                } else {
                    let w = t / reach;
                    fc * sinc(fc * t) * bessel_i0(KAISER_BETA * (1.0 - w * w).sqrt()) / i0
                };
            }
            let sum: f64 = row.iter().sum();
            for (o, c) in out.iter_mut().zip(&row) {
                *o = (c / sum) as f32;
            }
        }
        Ok(Resampler {
            up,
            down,
            taps,
            half,
            table,
            exact,
        })
    }

    /// Whether samples pass through unchanged (the input is 44.1 kHz).
    pub fn is_passthrough(&self) -> bool {
        self.up == self.down
    }

    /// Output samples for `input_len` input samples: every output sample
    /// whose position lies inside the input (`ceil(input_len · up / down)`).
    pub fn output_len(&self, input_len: u64) -> u64 {
        (u128::from(input_len) * u128::from(self.up)).div_ceil(u128::from(self.down)) as u64
    }

    /// The input samples that output samples `first..first + count` need:
    /// `(start, len)`, `start` possibly negative and the span possibly past
    /// the input's end (those samples read as zero).
    pub fn input_span(&self, first: u64, count: usize) -> (i64, usize) {
        if count == 0 {
            return (0, 0);
        }
        let last = first + count as u64 - 1;
        let i_first = self.position(first).0 as i64;
        let i_last = self.position(last).0 as i64;
        let start = i_first - self.half as i64 + 1;
        let end = i_last - self.half as i64 + 1 + self.taps as i64;
        (start, (end - start) as usize)
    }

    /// How many output samples, counted from the first, can be computed
    /// from the first `available` input samples alone (the rest of the
    /// input still unknown).
    pub fn ready(&self, available: u64) -> u64 {
        // Output k needs inputs up to i_k - half + taps, i_k = floor(k·down/up).
        let Some(last) = (available + self.half as u64).checked_sub(1 + self.taps as u64) else {
            return 0;
        };
        ((u128::from(last) + 1) * u128::from(self.up)).div_ceil(u128::from(self.down)) as u64
    }

    /// Computes output samples `first..first + out.len()` from `input`,
    /// which holds the span [`Resampler::input_span`] gave for them.
    /// A shorter `input` reads as zero past its end.
    pub fn process(&self, first: u64, input: &[f32], out: &mut [f32]) {
        let (start, _) = self.input_span(first, out.len());
        let mut blended = vec![0.0f32; if self.exact { 0 } else { self.taps }];
        for (n, o) in out.iter_mut().enumerate() {
            let (i, phase) = self.position(first + n as u64);
            let from = (i as i64 - self.half as i64 + 1 - start) as usize;
            let coefficients: &[f32] = if self.exact {
                let r = phase as usize;
                &self.table[r * self.taps..(r + 1) * self.taps]
            } else {
                // Fraction phase / up between two tabulated rows.
                let x = phase as f64 * INTERPOLATED_PHASES as f64 / self.up as f64;
                let r = (x.floor() as usize).min(INTERPOLATED_PHASES - 1);
                let a = (x - r as f64) as f32;
                let lo = &self.table[r * self.taps..(r + 1) * self.taps];
                let hi = &self.table[(r + 1) * self.taps..(r + 2) * self.taps];
                for ((b, l), h) in blended.iter_mut().zip(lo).zip(hi) {
                    *b = l + a * (h - l);
                }
                &blended
            };
            *o = dot(input.get(from..).unwrap_or(&[]), coefficients);
        }
    }

    /// The input sample at or before output sample `k`, and the phase
    /// (`0..up`) of the remaining fraction.
    fn position(&self, k: u64) -> (u64, u64) {
        let x = u128::from(k) * u128::from(self.down);
        (
            (x / u128::from(self.up)) as u64,
            (x % u128::from(self.up)) as u64,
        )
    }
}

/// Σ a·b over the common length, in four lanes (vectorises well).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        let px = core::f64::consts::PI * x;
        px.sin() / px
    }
}

/// The modified Bessel function of the first kind, order 0 (power series).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let q = x * x / 4.0;
    for k in 1..64 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Resamples a whole signal.
    fn resample(rate: u32, input: &[f32]) -> Vec<f32> {
        let r = Resampler::new(rate).unwrap();
        let n = r.output_len(input.len() as u64) as usize;
        let (start, len) = r.input_span(0, n);
        let span: Vec<f32> = (start..start + len as i64)
            .map(|i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| input.get(i))
                    .copied()
                    .unwrap_or(0.0)
            })
            .collect();
        let mut out = vec![0.0; n];
        r.process(0, &span, &mut out);
        out
    }

    fn sine(rate: u32, freq: f64, amplitude: f64, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| {
                (amplitude * (2.0 * core::f64::consts::PI * freq * i as f64 / rate as f64).sin())
                    as f32
            })
            .collect()
    }

    /// Largest difference from `amplitude · sin(2π f k / 44100)` over
    /// output samples away from the edges.
    fn sine_error(out: &[f32], freq: f64, amplitude: f64) -> f64 {
        let margin = 2_000;
        out[margin..out.len() - margin]
            .iter()
            .enumerate()
            .map(|(k, &y)| {
                let k = (k + margin) as f64;
                let want = amplitude * (2.0 * core::f64::consts::PI * freq * k / 44_100.0).sin();
                (f64::from(y) - want).abs()
            })
            .fold(0.0, f64::max)
    }

    fn rms(x: &[f32]) -> f64 {
        (x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len() as f64).sqrt()
    }

    #[test]
    fn quantises_by_rounding_and_clipping() {
        let cases: [(f32, i16); 14] = [
            (0.0, 0),
            (-0.0, 0),
            (0.5, 16_384),
            (-0.5, -16_384),
            (1.0, 32_767),
            (-1.0, -32_768),
            (1.5, 32_767),
            (-7.0, -32_768),
            (0.4 / 32_767.5, 0),
            (0.6 / 32_767.5, 1),
            (-0.6 / 32_767.5, -1),
            (2.4 / 32_767.5, 2),
            (32_766.6 / 32_767.5, 32_767),
            (f32::NAN, 0),
        ];
        for (x, want) in cases {
            assert_eq!(to_i16(x), want, "{x}");
        }
        // Every 16-bit sample survives the float Firefox and Safari decode
        // it to; from Chromium's, all but the 31 highest.
        for s in i16::MIN..=i16::MAX {
            let v = f32::from(s);
            assert_eq!(to_i16(v / 32_768.0), s, "s / 32768");
            let chromium = if s < 0 { v / 32_768.0 } else { v / 32_767.0 };
            if s < 32_736 {
                assert_eq!(to_i16(chromium), s, "chromium");
            } else {
                assert!((to_i16(chromium) - s).abs() <= 1, "chromium {s}");
            }
        }
    }

    #[test]
    fn cd_rate_passes_through_exactly() {
        let r = Resampler::new(44_100).unwrap();
        assert!(r.is_passthrough());
        assert_eq!(r.output_len(12_345), 12_345);
        assert_eq!(r.input_span(100, 8), (100, 8));
        let input = [0.1f32, -0.2, 0.3, 1.2, -1.2, 0.0, 0.7, -0.7];
        let mut out = [0.0f32; 8];
        r.process(100, &input, &mut out);
        assert_eq!(out, input);
        let mut bytes = [0u8; 32];
        write_cd_frames(&out, &input.map(|x| -x), &mut bytes);
        let want: [i16; 16] = [
            3_277, -3_277, -6_554, 6_554, 9_830, -9_830, 32_767, -32_768, -32_768, 32_767, 0, 0,
            22_937, -22_937, -22_937, 22_937,
        ];
        let got: Vec<i16> = bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn lengths_and_spans() {
        let r = Resampler::new(48_000).unwrap();
        assert_eq!((r.up, r.down), (147, 160));
        assert_eq!(r.output_len(48_000), 44_100);
        assert_eq!(r.output_len(1), 1);
        assert_eq!(r.output_len(0), 0);
        // Output 147 sits exactly on input 160.
        assert_eq!(r.position(147), (160, 0));
        let (start, len) = r.input_span(147, 1);
        assert_eq!(start, 160 - r.half as i64 + 1);
        assert_eq!(len, r.taps);
        let up = Resampler::new(22_050).unwrap();
        assert_eq!(up.output_len(22_050), 44_100);
        assert_eq!(up.position(3), (1, 1));
        assert!(Resampler::new(999).is_err());
        assert!(Resampler::new(768_001).is_err());
    }

    #[test]
    fn ready_counts_outputs_whose_inputs_are_known() {
        for rate in [48_000, 22_050, 44_100, 44_099, 96_000] {
            let r = Resampler::new(rate).unwrap();
            for available in [0u64, 1, 100, 139, 140, 141, 5_000, 12_345] {
                let n = r.ready(available);
                if n > 0 {
                    let (start, len) = r.input_span(n - 1, 1);
                    assert!(start + len as i64 <= available as i64, "{rate} {available}");
                }
                let (start, len) = r.input_span(n, 1);
                assert!(start + len as i64 > available as i64, "{rate} {available}");
            }
        }
    }

    #[test]
    fn dc_passes_with_unit_gain() {
        let out = resample(48_000, &vec![0.25; 48_000]);
        for &y in &out[200..out.len() - 200] {
            assert!((y - 0.25).abs() < 1e-6, "{y}");
            assert_eq!(to_i16(y), 8_192);
        }
    }

    #[test]
    fn sine_48k_to_44k1_is_accurate() {
        let out = resample(48_000, &sine(48_000, 1_000.0, 0.5, 48_000));
        assert_eq!(out.len(), 44_100);
        assert!(sine_error(&out, 1_000.0, 0.5) < 1e-5);
        // Up to the top of the passband.
        let out = resample(48_000, &sine(48_000, 19_800.0, 0.5, 48_000));
        assert!(sine_error(&out, 19_800.0, 0.5) < 1e-5);
    }

    #[test]
    fn sine_22k05_to_44k1_is_accurate() {
        let out = resample(22_050, &sine(22_050, 1_000.0, 0.5, 22_050));
        assert_eq!(out.len(), 44_100);
        assert!(sine_error(&out, 1_000.0, 0.5) < 1e-5);
    }

    #[test]
    fn odd_rate_interpolates_phases() {
        let r = Resampler::new(44_099).unwrap();
        assert!(!r.exact);
        let out = resample(44_099, &sine(44_099, 1_000.0, 0.5, 44_099));
        assert_eq!(out.len(), 44_100);
        assert!(sine_error(&out, 1_000.0, 0.5) < 1e-5);
        let out = resample(44_099, &sine(44_099, 19_800.0, 0.5, 44_099));
        assert!(sine_error(&out, 19_800.0, 0.5) < 1.3e-5);
    }

    #[test]
    fn above_the_cd_nyquist_is_rejected() {
        // 23 kHz at 48 kHz would alias to 21.1 kHz.
        let out = resample(48_000, &sine(48_000, 23_000.0, 0.5, 48_000));
        let level = rms(&out[2_000..out.len() - 2_000]) / (0.5 / 2f64.sqrt());
        assert!(20.0 * level.log10() < -96.0, "{}", 20.0 * level.log10());
        // 96 kHz: 30 kHz would alias to 14.1 kHz.
        let out = resample(96_000, &sine(96_000, 30_000.0, 0.5, 96_000));
        let level = rms(&out[2_000..out.len() - 2_000]) / (0.5 / 2f64.sqrt());
        assert!(20.0 * level.log10() < -96.0, "{}", 20.0 * level.log10());
    }

    #[test]
    fn slices_match_the_whole() {
        let input = sine(32_000, 440.0, 0.8, 9_000);
        let whole = resample(32_000, &input);
        let r = Resampler::new(32_000).unwrap();
        for (first, count) in [(0usize, 100usize), (1_234, 777), (whole.len() - 50, 50)] {
            let (start, len) = r.input_span(first as u64, count);
            let span: Vec<f32> = (start..start + len as i64)
                .map(|i| {
                    usize::try_from(i)
                        .ok()
                        .and_then(|i| input.get(i))
                        .copied()
                        .unwrap_or(0.0)
                })
                .collect();
            let mut out = vec![0.0; count];
            r.process(first as u64, &span, &mut out);
            assert_eq!(out, whole[first..first + count]);
        }
    }
}
