//! Decodes an audio file to raw CD PCM (16-bit little-endian stereo at
//! 44.1 kHz) on stdout and prints its format and tags on stderr:
//! `cargo run --example decode_audio --features audio -- FILE > out.raw`.

use layout::audio::AudioDecoder;
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(path) = std::env::args().nth(1) else {
        return Err("usage: decode_audio FILE".into());
    };
    let file = std::fs::File::open(&path)?;
    let mut decoder = AudioDecoder::open(Box::new(file), &path)?;
    eprintln!("{:?}", decoder.info());
    eprintln!("{:?}", decoder.tags());
    let mut out = std::io::stdout().lock();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = decoder.read(&mut buf)?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n])?;
    }
    Ok(())
}
