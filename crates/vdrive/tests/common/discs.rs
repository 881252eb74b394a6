//! Discs for burn tests, their sources, and what `layout` renders for them.

use layout::disc::{Disc, Project};
use layout::frames::{FrameEncoder, FrameOptions};
use layout::msf::Lba;
use layout::render::SourceData;
use layout::subchannel::SubchannelFormat;

/// Two audio tracks with an ISRC, copy permitted and a 2-second pregap.
pub const AUDIO: &str = r#"{ "sources": [{ "path": "a.wav", "format": "audio" }],
  "tracks": [
    { "sectorType": "audio", "data": { "source": 0, "sectors": 600 }, "isrc": "USRC17607839", "copy": "permitted" },
    { "sectorType": "audio", "data": { "source": 0, "offset": 1411200, "sectors": 450 } } ] }"#;

/// One Mode 1 track.
pub const DATA: &str = r#"{ "sources": [{ "path": "d.iso" }],
  "tracks": [ { "sectorType": "mode1", "data": { "source": 0, "sectors": 800 } } ] }"#;

/// Mode 1 data then audio (a postgap after the data), MCN.
pub const MIXED: &str = r#"{ "sources": [{ "path": "d.iso" }, { "path": "a.wav", "format": "audio" }],
  "mcn": "0036000291452",
  "tracks": [
    { "sectorType": "mode1", "data": { "source": 0, "sectors": 500 } },
    { "sectorType": "audio", "data": { "source": 1, "sectors": 700 } } ] }"#;

/// Two Mode 2 Form 1 tracks.
pub const XA: &str = r#"{ "sources": [{ "path": "d.iso" }],
  "tracks": [
    { "sectorType": "mode2Form1", "data": { "source": 0, "sectors": 500 } },
    { "sectorType": "mode2Form1", "data": { "source": 0, "offset": 1024000, "sectors": 400 } } ] }"#;

/// Audio with CD-TEXT.
pub const CDTEXT: &str = r#"{ "sources": [{ "path": "a.wav", "format": "audio" }],
  "tracks": [
    { "sectorType": "audio", "data": { "source": 0, "sectors": 500 } },
    { "sectorType": "audio", "data": { "source": 0, "offset": 1176000, "sectors": 400 } } ],
  "cdtext": { "blocks": [ { "disc": { "title": "Virtual", "performer": "rawburn" },
    "tracks": [ { "title": "One" }, { "title": "Two" } ] } ] } }"#;

/// Hidden track-one audio: 300 sectors of audio before track 1's index 1.
pub const HTOA: &str = r#"{ "sources": [{ "path": "a.wav", "format": "audio" }],
  "specialPregap": { "source": 0, "offset": 2000000, "sectors": 300 },
  "tracks": [ { "sectorType": "audio", "data": { "source": 0, "sectors": 500 } } ] }"#;

/// Audio with index points 2 and 3.
pub const INDEXES: &str = r#"{ "sources": [{ "path": "a.wav", "format": "audio" }],
  "tracks": [ { "sectorType": "audio", "data": { "source": 0, "sectors": 900 }, "indexes": [300, 600] } ] }"#;

/// Every disc, by name.
pub const ALL: [(&str, &str); 7] = [
    ("audio", AUDIO),
    ("data", DATA),
    ("mixed", MIXED),
    ("xa", XA),
    ("cdtext", CDTEXT),
    ("htoa", HTOA),
    ("indexes", INDEXES),
];

/// The disc of a project.
pub fn disc(json: &str) -> Disc {
    Disc::plan(&Project::from_json(json).unwrap()).unwrap()
}

/// Pseudo-random bytes for each source, enough for every span.
pub fn sources(disc: &Disc) -> Vec<Vec<u8>> {
    let mut seed = 0x2545_f491u32;
    (0..disc.project().sources.len())
        .map(|_| {
            (0..4 << 20)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed as u8
                })
                .collect()
        })
        .collect()
}

/// Frames of `start..end` as `layout` renders them.
pub fn render(
    disc: &Disc,
    src: &mut Vec<Vec<u8>>,
    start: Lba,
    end: Lba,
    sub: SubchannelFormat,
    scramble: bool,
) -> Vec<u8> {
    let mut enc = FrameEncoder::new(
        disc,
        FrameOptions {
            start,
            end,
            subchannel: sub,
            scramble,
        },
    )
    .unwrap();
    let fs = enc.frame_size();
    let mut out = Vec::new();
    while let Some(b) = enc.next_batch(512) {
        let mut main = vec![0; b.main.map_or(0, |r| r.len)];
        if let Some(r) = &b.main {
            src.read(r, &mut main).unwrap();
        }
        let mut rw = vec![0; b.rw.map_or(0, |r| r.len)];
        if let Some(r) = &b.rw {
            src.read(r, &mut rw).unwrap();
        }
        let mut frames = vec![0; b.sectors as usize * fs];
        enc.encode(&b, &main, &rw, &mut frames).unwrap();
        out.extend_from_slice(&frames);
    }
    out
}
