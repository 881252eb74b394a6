//! A [`Resampler`] fed packet by packet: decoded samples go in as they
//! come, CD frames come out as soon as every input they need is known.

use crate::pcm::{CD_FRAME_BYTES, Resampler, write_cd_frames};

/// Two channels of input at any rate, out as CD frames.
pub(super) struct StreamResampler {
    resampler: Resampler,
    /// CD frames the whole input makes.
    out_len: u64,
    /// The next CD frame to hand out.
    out_pos: u64,
    /// Input samples from absolute index `base` (negative indexes are the
    /// silence before the start).
    input: [Vec<f32>; 2],
    base: i64,
    /// Whether all the input is in.
    complete: bool,
    /// Input samples pushed so far.
    fed: u64,
    out: [Vec<f32>; 2],
}

impl StreamResampler {
    /// A stream of `input_len` samples per channel through `resampler`.
    pub(super) fn new(resampler: Resampler, input_len: u64) -> StreamResampler {
        let (start, _) = resampler.input_span(0, 1);
        let base = start.min(0);
        let silence = vec![0.0; base.unsigned_abs() as usize];
        StreamResampler {
            out_len: resampler.output_len(input_len),
            resampler,
            out_pos: 0,
            input: [silence.clone(), silence],
            base,
            complete: false,
            fed: 0,
            out: [Vec::new(), Vec::new()],
        }
    }

    /// Appends input samples (both slices the same length).
    pub(super) fn push(&mut self, left: &[f32], right: &[f32]) {
        self.input[0].extend_from_slice(left);
        self.input[1].extend_from_slice(right);
        self.fed += left.len() as u64;
    }

    /// Says that no more input comes: the rest reads as silence.
    pub(super) fn finish(&mut self) {
        self.complete = true;
    }

    /// Whether the input is 44.1 kHz already (samples pass unchanged).
    pub(super) fn is_passthrough(&self) -> bool {
        self.resampler.is_passthrough()
    }

    /// Whether every CD frame has been handed out.
    pub(super) fn is_done(&self) -> bool {
        self.out_pos >= self.out_len
    }

    /// Writes as many whole CD frames into `buf` as are ready; returns the
    /// bytes written.
    pub(super) fn produce(&mut self, buf: &mut [u8]) -> usize {
        let room = (buf.len() / CD_FRAME_BYTES) as u64;
        let mut count = room.min(self.out_len - self.out_pos);
        if !self.complete {
            count = count.min(self.resampler.ready(self.fed).saturating_sub(self.out_pos));
        }
        if count == 0 {
            return 0;
        }
        let count = count as usize;
        let (start, _) = self.resampler.input_span(self.out_pos, count);
        let from = (start - self.base).max(0) as usize;
        for (input, out) in self.input.iter().zip(self.out.iter_mut()) {
            out.resize(count, 0.0);
            self.resampler
                .process(self.out_pos, input.get(from..).unwrap_or(&[]), out);
        }
        let bytes = count * CD_FRAME_BYTES;
        write_cd_frames(&self.out[0], &self.out[1], &mut buf[..bytes]);
        self.out_pos += count as u64;
        // Drop the input no later frame needs.
        let (next, _) = self.resampler.input_span(self.out_pos, 1);
        let drop = ((next - self.base).max(0) as usize).min(self.input[0].len());
        if drop > 0 {
            for input in &mut self.input {
                input.drain(..drop);
            }
            self.base += drop as i64;
        }
        bytes
    }
}
