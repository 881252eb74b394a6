//! Turns an ISO 9660 image (2048-byte sectors) into a Mode 1 BIN/CUE pair,
//! then reads the BIN back and checks every sector.
//!
//! Usage: `iso2bin INPUT.iso OUTPUT` writes `OUTPUT.bin` and `OUTPUT.cue`.

use layout::msf::Lba;
use layout::sector::{Expect, SECTOR_SIZE, SectorEncoder, SectorType, check_sector};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const BATCH: usize = 256;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: iso2bin INPUT.iso OUTPUT  (writes OUTPUT.bin and OUTPUT.cue)");
        return ExitCode::from(2);
    };
    match run(Path::new(input), Path::new(output)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(input: &Path, output: &Path) -> Result<(), String> {
    let started = Instant::now();
    let mut iso = File::open(input).map_err(|e| format!("cannot open {}: {e}", input.display()))?;
    let size = iso
        .metadata()
        .map_err(|e| format!("cannot read {}: {e}", input.display()))?
        .len();
    if size == 0 || size % 2048 != 0 {
        return Err(format!(
            "{} is {size} bytes, not a whole number of 2048-byte sectors",
            input.display()
        ));
    }
    let sectors = size / 2048;
    let bin_path = with_ext(output, "bin");
    let cue_path = with_ext(output, "cue");

    let encoder = SectorEncoder::new(SectorType::Mode1);
    let mut bin = BufWriter::new(
        File::create(&bin_path)
            .map_err(|e| format!("cannot create {}: {e}", bin_path.display()))?,
    );
    let mut user = vec![0u8; BATCH * 2048];
    let mut frames = vec![0u8; BATCH * SECTOR_SIZE];
    let mut done = 0u64;
    while done < sectors {
        let n = (sectors - done).min(BATCH as u64) as usize;
        iso.read_exact(&mut user[..n * 2048])
            .map_err(|e| format!("reading {} at sector {done}: {e}", input.display()))?;
        encoder
            .encode_batch(Lba(done as i32), &user[..n * 2048], &mut frames)
            .map_err(|e| format!("encoding sector {done}: {e}"))?;
        bin.write_all(&frames[..n * SECTOR_SIZE])
            .map_err(|e| format!("writing {}: {e}", bin_path.display()))?;
        done += n as u64;
    }
    bin.flush()
        .map_err(|e| format!("writing {}: {e}", bin_path.display()))?;

    let bin_name = bin_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    std::fs::write(
        &cue_path,
        format!("FILE \"{bin_name}\" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n"),
    )
    .map_err(|e| format!("writing {}: {e}", cue_path.display()))?;

    // Read back and check every sector: sync, header address, EDC, ECC.
    let mut back = File::open(&bin_path).map_err(|e| format!("reopening the bin: {e}"))?;
    let mut sector = [0u8; SECTOR_SIZE];
    for lba in 0..sectors as i32 {
        back.read_exact(&mut sector)
            .map_err(|e| format!("reading back sector {lba}: {e}"))?;
        let report = check_sector(
            &sector,
            Expect {
                lba: Some(Lba(lba)),
                sector_type: Some(SectorType::Mode1),
            },
        );
        if !report.is_consistent() {
            return Err(format!(
                "sector {lba} fails its check: {:?}",
                report.problems
            ));
        }
    }

    let leadout = Lba(sectors as i32)
        .to_msf()
        .map_err(|e| format!("the image is too long for a CD: {e}"))?;
    println!("wrote {} and {}", bin_path.display(), cue_path.display());
    println!(
        "  track 01  mode 1  {sectors} sectors  {:.1} MB  lead-out at {leadout}",
        (sectors * SECTOR_SIZE as u64) as f64 / 1e6
    );
    println!(
        "  all {sectors} sectors read back with valid sync, address, EDC and ECC ({:.2} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn with_ext(base: &Path, ext: &str) -> PathBuf {
    let mut s = base.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}
