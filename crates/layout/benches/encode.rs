//! Encoding throughput: a full 80-minute disc (360,000 Mode 1 sectors)
//! single-threaded, spread over all cores, and a plain memcpy of the same
//! number of output bytes for scale. Figures are MB/s (10^6 bytes) of
//! 2352-byte sectors produced; each is the best of three runs.
//!
//! Run: `cargo bench -p layout --bench encode`. The last line is
//! machine-readable: `mode1 single_mb_s=N parallel_mb_s=N memcpy_mb_s=N`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use layout::msf::Lba;
use layout::sector::{SECTOR_SIZE, SectorEncoder, SectorType};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Sectors on an 80-minute disc.
const DISC_SECTORS: usize = 360_000;
/// Sectors per call on the single-threaded path: the output batch stays in
/// cache, as it does when a frame encoder hands batches to a sink.
const BATCH: usize = 256;
/// Sectors per call on the parallel path.
const PARALLEL_BATCH: usize = 8192;
/// Input is drawn from a pool this many sectors long (larger than the
/// last-level cache is not needed: the input is read once per sector).
const POOL_SECTORS: usize = 32_768;
const RUNS: usize = 3;

fn main() {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut lines = Vec::new();
    let mut mode1 = (0.0, 0.0);
    for ty in [
        SectorType::Mode1,
        SectorType::Mode2Form1,
        SectorType::Mode2Form2,
    ] {
        let enc = SectorEncoder::new(ty);
        let pool = pseudo_random(POOL_SECTORS * enc.input_len());
        let single = best(|| run_single(&enc, &pool));
        let parallel = best(|| run_parallel(&enc, &pool));
        println!(
            "{:<14} single {:>8.1} MB/s   parallel ({threads} threads) {:>8.1} MB/s",
            ty.name(),
            mb_s(single),
            mb_s(parallel)
        );
        if ty == SectorType::Mode1 {
            mode1 = (mb_s(single), mb_s(parallel));
        }
        lines.push(ty);
    }
    let raw_pool = pseudo_random(POOL_SECTORS * SECTOR_SIZE);
    let memcpy = best(|| run_memcpy(&raw_pool));
    println!("{:<14} {:>15.1} MB/s", "memcpy", mb_s(memcpy));
    println!(
        "mode1 single_mb_s={:.0} parallel_mb_s={:.0} memcpy_mb_s={:.0}",
        mode1.0,
        mode1.1,
        mb_s(memcpy)
    );
}

fn run_single(enc: &SectorEncoder, pool: &[u8]) -> Duration {
    let per = enc.input_len();
    let mut out = vec![0u8; BATCH * SECTOR_SIZE];
    let mut sink = 0u8;
    let start = Instant::now();
    let mut done = 0;
    while done < DISC_SECTORS {
        let n = BATCH.min(DISC_SECTORS - done);
        let at = (done % POOL_SECTORS).min(POOL_SECTORS - n) * per;
        let input = &pool[at..at + n * per];
        let written = enc
            .encode_batch(Lba(done as i32), input, &mut out[..n * SECTOR_SIZE])
            .unwrap_or(0);
        sink ^= out[written.saturating_sub(1) * SECTOR_SIZE + 2351];
        done += n;
    }
    black_box(sink);
    start.elapsed()
}

fn run_parallel(enc: &SectorEncoder, pool: &[u8]) -> Duration {
    let per = enc.input_len();
    let mut out = vec![0u8; PARALLEL_BATCH * SECTOR_SIZE];
    let mut sink = 0u8;
    let start = Instant::now();
    let mut done = 0;
    while done < DISC_SECTORS {
        let n = PARALLEL_BATCH.min(DISC_SECTORS - done);
        let at = (done % POOL_SECTORS).min(POOL_SECTORS - n) * per;
        let input = &pool[at..at + n * per];
        let written = enc
            .encode_batch_parallel(
                Lba(done as i32),
                input,
                &mut out[..n * SECTOR_SIZE],
                SECTOR_SIZE,
            )
            .unwrap_or(0);
        sink ^= out[written.saturating_sub(1) * SECTOR_SIZE + 2351];
        done += n;
    }
    black_box(sink);
    start.elapsed()
}

fn run_memcpy(pool: &[u8]) -> Duration {
    let mut out = vec![0u8; BATCH * SECTOR_SIZE];
    let mut sink = 0u8;
    let start = Instant::now();
    let mut done = 0;
    while done < DISC_SECTORS {
        let n = BATCH.min(DISC_SECTORS - done);
        let at = (done % POOL_SECTORS).min(POOL_SECTORS - n) * SECTOR_SIZE;
        out[..n * SECTOR_SIZE].copy_from_slice(black_box(&pool[at..at + n * SECTOR_SIZE]));
        sink ^= black_box(&out)[(n - 1) * SECTOR_SIZE + 2351];
        done += n;
    }
    black_box(sink);
    start.elapsed()
}

fn best(mut f: impl FnMut() -> Duration) -> Duration {
    (0..RUNS).map(|_| f()).min().unwrap_or_default()
}

fn mb_s(d: Duration) -> f64 {
    (DISC_SECTORS * SECTOR_SIZE) as f64 / 1e6 / d.as_secs_f64()
}

/// Deterministic incompressible bytes (xorshift64*).
fn pseudo_random(len: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut v = Vec::with_capacity(len + 8);
    while v.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        v.extend_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    v.truncate(len);
    v
}
