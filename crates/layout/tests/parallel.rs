//! Spreading the encoding over threads changes no byte: a mixed disc
//! (Mode 1, audio little- and big-endian, Mode 2 Form 1 and Form 2, CD+G
//! R-W in the source, R-W from a separate file, CD-TEXT) rendered as every
//! image the library writes, serially, with each batch spread over a pool,
//! and pipelined, hashes the same; and the same as the serial renderer
//! before encoding was spread (the SHA-256 values below).

#![cfg(feature = "parallel")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use layout::cdtext::{CdText, TextBlock, TextFields};
use layout::disc::{Disc, ImageType, Project, SourceFormat, SourcePos, SourceSpan, TrackSpec};
use layout::frames::{FrameEncoder, FrameOptions};
use layout::image::{FrameStream, ImageFormat, image_files};
use layout::msf::Lba;
use layout::render::{MemorySink, Renderer, render_pipelined};
use layout::sector::SectorType;
use layout::subchannel::SubchannelFormat;
use sha2::{Digest, Sha256};
use testkit::noise24;

/// An odd batch size, so batches, chunks and regions do not line up.
const BATCH: u32 = 203;

/// The mixed disc and its sources.
fn mixed(image_type: ImageType) -> (Disc, Vec<Vec<u8>>) {
    let tracks = [
        (SectorType::Mode1, SourceFormat::Binary, 700),
        (SectorType::Audio, SourceFormat::Binary, 500),
        (SectorType::Audio, SourceFormat::Motorola, 450),
        (SectorType::Mode2Form1, SourceFormat::Binary, 300),
        (SectorType::Mode2Form2, SourceFormat::Binary, 330),
        (SectorType::Audio, SourceFormat::Binary, 310),
    ];
    let mut project = Project {
        image_type,
        ..Project::default()
    };
    let mut sources = Vec::new();
    for (k, &(ty, format, sectors)) in tracks.iter().enumerate() {
        // The last track is CD+G: 96 bytes of P-W after each sector.
        let cdg = k == tracks.len() - 1;
        let per = ty.input_len() + if cdg { 96 } else { 0 };
        project.sources.push(layout::disc::Source {
            path: format!("t{k}.bin"),
            format,
            join: Vec::new(),
        });
        sources.push(noise24(sectors as usize * per, k as u64 + 1));
        let mut spec = TrackSpec::new(
            ty,
            SourceSpan {
                source: k,
                offset: 0,
                sectors,
            },
        );
        spec.rw_in_source = cdg;
        project.tracks.push(spec);
    }
    // The second audio track takes its R-W from a CloneCD-style file.
    project.sources.push(layout::disc::Source {
        path: "rw.sub".into(),
        format: SourceFormat::Binary,
        join: Vec::new(),
    });
    sources.push(noise24(2000 * 96, 99));
    project.tracks[1].rw_sub = Some(SourcePos {
        source: tracks.len(),
        offset: 0,
    });
    project.cdtext = Some(CdText {
        blocks: vec![TextBlock {
            disc: TextFields {
                title: Some("Mixed Disc".into()),
                performer: Some("The Threads".into()),
                ..TextFields::default()
            },
            tracks: (1..=tracks.len())
                .map(|k| TextFields {
                    title: Some(format!("Track {k}")),
                    ..TextFields::default()
                })
                .collect(),
            ..TextBlock::default()
        }],
        toc_info: true,
    });
    (Disc::plan(&project).unwrap(), sources)
}

/// Every frame stream the library writes, with a name.
fn streams() -> Vec<(String, Disc, Vec<Vec<u8>>, FrameStream)> {
    let mut out = Vec::new();
    for format in [
        ImageFormat::BinCue,
        ImageFormat::CloneCd,
        ImageFormat::CdrdaoToc,
    ] {
        let (disc, sources) = mixed(ImageType::Raw);
        let stream = image_files(&disc, format, "x").unwrap().frames.unwrap();
        out.push((format!("{format:?}"), disc, sources, stream));
    }
    for ty in [
        ImageType::Plain,
        ImageType::PqOnly,
        ImageType::Cooked,
        ImageType::Raw,
    ] {
        let (disc, sources) = mixed(ty);
        let stream = image_files(&disc, ImageFormat::Raw, "x")
            .unwrap()
            .frames
            .unwrap();
        out.push((format!("Raw/{ty:?}"), disc, sources, stream));
    }
    out
}

/// SHA-256 of the main and the subchannel file.
fn hashes(sink: &MemorySink) -> (String, String) {
    let hex = |b: &[u8]| format!("{:x}", Sha256::digest(b));
    (hex(&sink.main), hex(&sink.sub))
}

fn set_parallel(enc: &mut FrameEncoder<'_>, parallel: bool) {
    enc.set_parallel(parallel);
}

/// Renders batch by batch with a [`Renderer`], its encoding spread or not.
fn renderer(disc: &Disc, stream: &FrameStream, sources: &[Vec<u8>], parallel: bool) -> MemorySink {
    let mut r = Renderer::new(disc, stream, BATCH);
    r.set_parallel(parallel);
    let mut sink = MemorySink::default();
    let mut main = Vec::new();
    let mut rw = Vec::new();
    let mut src = sources.to_vec();
    while let Some(b) = r.next_batch().unwrap() {
        use layout::render::SourceData;
        main.resize(b.main.map_or(0, |x| x.len), 0);
        if let Some(x) = &b.main {
            src.read(x, &mut main).unwrap();
        }
        rw.resize(b.rw.map_or(0, |x| x.len), 0);
        if let Some(x) = &b.rw {
            src.read(x, &mut rw).unwrap();
        }
        let frames = r.encode(&b, &main, &rw).unwrap();
        sink.main.extend_from_slice(frames.main);
        if let Some(sub) = frames.sub {
            sink.sub.extend_from_slice(sub);
        }
    }
    sink
}

/// Every frame of the disc from 90:00:00 to the end of its lead-out,
/// through a [`FrameEncoder`] in batches of [`BATCH`]: the encoder a write
/// engine drives (scrambled for raw writing), in each subchannel form.
fn frames(
    disc: &Disc,
    sources: &[Vec<u8>],
    subchannel: SubchannelFormat,
    scramble: bool,
    parallel: Option<bool>,
) -> String {
    let mut enc = FrameEncoder::new(
        disc,
        FrameOptions {
            start: Lba::MIN_MSF,
            end: disc.end(),
            subchannel,
            scramble,
        },
    )
    .unwrap();
    if let Some(p) = parallel {
        set_parallel(&mut enc, p);
    }
    let mut src = sources.to_vec();
    let mut hash = Sha256::new();
    let (mut main, mut rw, mut out) = (Vec::new(), Vec::new(), Vec::new());
    while let Some(b) = enc.next_batch(BATCH) {
        use layout::render::SourceData;
        main.resize(b.main.map_or(0, |x| x.len), 0);
        if let Some(x) = &b.main {
            src.read(x, &mut main).unwrap();
        }
        rw.resize(b.rw.map_or(0, |x| x.len), 0);
        if let Some(x) = &b.rw {
            src.read(x, &mut rw).unwrap();
        }
        out.resize(b.sectors as usize * enc.frame_size(), 0);
        enc.encode(&b, &main, &rw, &mut out).unwrap();
        hash.update(&out);
    }
    format!("{:x}", hash.finalize())
}

/// Every subchannel form, unscrambled and scrambled.
const FORMS: [(SubchannelFormat, bool); 8] = [
    (SubchannelFormat::None, false),
    (SubchannelFormat::Pq16, false),
    (SubchannelFormat::Interleaved, false),
    (SubchannelFormat::Linear, false),
    (SubchannelFormat::None, true),
    (SubchannelFormat::Pq16, true),
    (SubchannelFormat::Interleaved, true),
    (SubchannelFormat::Linear, true),
];

/// What the serial renderer wrote before batches were spread over
/// threads: (stream, main SHA-256, subchannel SHA-256).
/// Cooked and raw images both hold interleaved P-W, so they are the same.
const GOLDEN: [(&str, &str, &str); 7] = [
    (
        "BinCue",
        "85fad6fbc9571c7a287124fec7d9d7af129302685e46f2f4e86c1a0622198b8b",
        EMPTY,
    ),
    (
        "CloneCd",
        "45d1eb1cfe0ee0ab98126781e57b48a4d270ae11777a44075750d0b9bab76846",
        "eadc0b9a4ad86bbc19d3a0d605b260850cca498c373fe93e6ce6009c16ddebe1",
    ),
    (
        "CdrdaoToc",
        "920618e7e85c0622a8484950d46bd50b1eaa0a34369a51853239b1ec422e6b10",
        EMPTY,
    ),
    (
        "Raw/Plain",
        "385d0ede65c426ed5b4bbf33c692741d587cfb62fe05bc483120d7fcaa3372e7",
        EMPTY,
    ),
    (
        "Raw/PqOnly",
        "3abd35744d0d0c09a17329e7d00068ffe53664ea3733d1904d99f67a7b07fe4d",
        EMPTY,
    ),
    (
        "Raw/Cooked",
        "fbcdeacab432bfbc5fa6cf13765ae067c9647ebcd93c601d67b1ee8ea7671e75",
        EMPTY,
    ),
    (
        "Raw/Raw",
        "fbcdeacab432bfbc5fa6cf13765ae067c9647ebcd93c601d67b1ee8ea7671e75",
        EMPTY,
    ),
];

/// SHA-256 of no bytes: the stream has no subchannel file.
const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// What the frame encoder wrote before batches were spread over threads,
/// for [`FORMS`] in order.
const FRAMES_GOLDEN: [&str; 8] = [
    "b0693cd8213ff2a77b2099274e2b41c5ec5b6c7ba6ef945181a337ef8039a97a",
    "927a28df1cd4abd6338d7d65945422441f176d802f328b367d68ee2832d20a7a",
    "061d24d21101694411c20cbecbf9d2fdab0d16989b8b47abf4d5a38b4c4f07be",
    "3d966c13763d4d13ade707c82c6bef1692c83e2e0240e026031803effa1623d1",
    "ea015e2ec4f94d419503b9847b7e1d9d477b80780efb95cf48258b8e1927f96d",
    "14ad4601fd69891c020af94efad96b0851e374da7e429f411f9ad64f6d44bb6b",
    "7b4107428e35e33adabae14b703ebf68953e89fd80f36b6f0abd854d09edcc17",
    "9b6a76fac4b62b7b65f07f6f4dde9372384099638da0d313f66e9742c26e47a5",
];

#[test]
fn spread_frame_encoding_writes_the_serial_frames_in_every_form() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    let (disc, sources) = mixed(ImageType::Raw);
    for ((sub, scramble), golden) in FORMS.into_iter().zip(FRAMES_GOLDEN) {
        let serial = frames(&disc, &sources, sub, scramble, Some(false));
        assert_eq!(serial, golden, "{sub:?} scrambled {scramble}: serial");
        let spread = pool.install(|| frames(&disc, &sources, sub, scramble, Some(true)));
        assert_eq!(spread, golden, "{sub:?} scrambled {scramble}: spread");
    }
}

#[test]
fn spread_and_pipelined_rendering_write_the_serial_bytes() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    let streams = streams();
    assert_eq!(streams.len(), GOLDEN.len());
    for ((name, disc, sources, stream), golden) in streams.iter().zip(GOLDEN) {
        assert_eq!(name, golden.0);
        let serial = renderer(disc, stream, sources, false);
        let expected = hashes(&serial);
        assert_eq!(
            (expected.0.as_str(), expected.1.as_str()),
            (golden.1, golden.2),
            "{name}: serial"
        );
        let spread = pool.install(|| renderer(disc, stream, sources, true));
        assert_eq!(hashes(&spread), expected, "{name}: spread over a pool");
        let mut pipelined = MemorySink::default();
        let mut src = sources.clone();
        let mut last = 0;
        pool.install(|| {
            render_pipelined(
                disc,
                stream,
                &mut src,
                &mut pipelined,
                BATCH,
                &mut |done, total| {
                    assert!(done > last && done <= total);
                    last = done;
                },
            )
        })
        .unwrap();
        assert_eq!(last, stream.sectors(), "{name}: progress");
        assert_eq!(hashes(&pipelined), expected, "{name}: pipelined");
    }
}

#[test]
fn a_pipeline_reports_the_first_failing_batch() {
    let (disc, mut sources) = mixed(ImageType::Raw);
    let stream = image_files(&disc, ImageFormat::BinCue, "x")
        .unwrap()
        .frames
        .unwrap();
    // The third track's source ends early: its reads fail from there on.
    sources[2].truncate(100 * 2352);
    let mut sink = MemorySink::default();
    let err = render_pipelined(
        &disc,
        &stream,
        &mut sources,
        &mut sink,
        BATCH,
        &mut |_, _| {},
    )
    .unwrap_err();
    let serial = layout::render::render(
        &disc,
        &stream,
        &mut mixed(ImageType::Raw)
            .1
            .into_iter()
            .enumerate()
            .map(|(k, mut s)| {
                if k == 2 {
                    s.truncate(100 * 2352);
                }
                s
            })
            .collect::<Vec<_>>(),
        &mut MemorySink::default(),
        BATCH,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert_eq!(err, serial);
    assert!(matches!(err, layout::render::RenderError::Source { .. }));
}

#[test]
fn a_pipeline_stops_at_a_sink_error() {
    struct Failing(usize);
    impl layout::render::FrameSink for Failing {
        fn write(
            &mut self,
            _: layout::render::Part,
            bytes: &[u8],
        ) -> Result<(), layout::source::SourceError> {
            self.0 += bytes.len();
            if self.0 > 1_000_000 {
                return Err(layout::source::SourceError::other("disc full"));
            }
            Ok(())
        }
    }
    let (disc, mut sources) = mixed(ImageType::Raw);
    let stream = image_files(&disc, ImageFormat::BinCue, "x")
        .unwrap()
        .frames
        .unwrap();
    let err = render_pipelined(
        &disc,
        &stream,
        &mut sources,
        &mut Failing(0),
        BATCH,
        &mut |_, _| {},
    )
    .unwrap_err();
    let serial = layout::render::render(
        &disc,
        &stream,
        &mut mixed(ImageType::Raw).1,
        &mut Failing(0),
        BATCH,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert_eq!(err, serial);
    assert_eq!(err.to_string(), "writing frames at lba 406: disc full");
}

#[test]
fn a_panicking_source_stops_every_worker() {
    // A source that panics on its third read: the panic comes out of
    // render_pipelined (no worker is left waiting for the batch that
    // failed), and what was written before it is the serial loop's.
    struct Panicking(Vec<Vec<u8>>, usize);
    impl layout::render::SourceData for Panicking {
        fn read(
            &mut self,
            read: &layout::frames::Read,
            buf: &mut [u8],
        ) -> Result<(), layout::source::SourceError> {
            self.1 += 1;
            assert!(self.1 < 3, "source broke");
            self.0.read(read, buf)
        }
    }
    let (disc, sources) = mixed(ImageType::Raw);
    let stream = image_files(&disc, ImageFormat::BinCue, "x")
        .unwrap()
        .frames
        .unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let mut sink = MemorySink::default();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.install(|| {
            render_pipelined(
                &disc,
                &stream,
                &mut Panicking(sources.clone(), 0),
                &mut sink,
                BATCH,
                &mut |_, _| {},
            )
        })
    }));
    assert!(outcome.is_err());
    let mut whole = MemorySink::default();
    layout::render::render(
        &disc,
        &stream,
        &mut sources.clone(),
        &mut whole,
        BATCH,
        &mut |_, _| {},
    )
    .unwrap();
    assert!(!sink.main.is_empty());
    assert!(sink.main.len() < whole.main.len());
    assert_eq!(sink.main[..], whole.main[..sink.main.len()]);
}

/// Every frame from 90:00:00 to the end of the lead-out, encoded once in
/// the shared form and turned into `subchannel` (scrambled when asked) by
/// [`FrameEncoder::reformat`], as the writers of a duplicator make them.
fn reformatted(
    disc: &Disc,
    sources: &[Vec<u8>],
    subchannel: SubchannelFormat,
    scramble: bool,
) -> String {
    use layout::frames::{SHARED_FRAME, SHARED_SUBCHANNEL};
    use layout::render::SourceData;
    let range = |subchannel, scramble| FrameOptions {
        start: Lba::MIN_MSF,
        end: disc.end(),
        subchannel,
        scramble,
    };
    let mut shared = FrameEncoder::new(disc, range(SHARED_SUBCHANNEL, false)).unwrap();
    let mut target = FrameEncoder::new(disc, range(subchannel, scramble)).unwrap();
    let mut src = sources.to_vec();
    let mut hash = Sha256::new();
    let (mut main, mut rw, mut frames, mut out) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    while let Some(b) = target.next_batch(BATCH) {
        frames.clear();
        while frames.len() < b.sectors as usize * SHARED_FRAME {
            let left = b.sectors - (frames.len() / SHARED_FRAME) as u32;
            let s = shared.next_batch(left).unwrap();
            main.resize(s.main.map_or(0, |x| x.len), 0);
            if let Some(x) = &s.main {
                src.read(x, &mut main).unwrap();
            }
            rw.resize(s.rw.map_or(0, |x| x.len), 0);
            if let Some(x) = &s.rw {
                src.read(x, &mut rw).unwrap();
            }
            let at = frames.len();
            frames.resize(at + s.sectors as usize * SHARED_FRAME, 0);
            shared.encode(&s, &main, &rw, &mut frames[at..]).unwrap();
        }
        out.resize(b.sectors as usize * target.frame_size(), 0);
        target.reformat(&b, &frames, &mut out).unwrap();
        hash.update(&out);
    }
    format!("{:x}", hash.finalize())
}

#[test]
fn frames_encoded_once_and_reformatted_are_the_frames_of_every_form() {
    let (disc, sources) = mixed(ImageType::Raw);
    for ((sub, scramble), golden) in FORMS.into_iter().zip(FRAMES_GOLDEN) {
        assert_eq!(
            reformatted(&disc, &sources, sub, scramble),
            golden,
            "{sub:?} scrambled {scramble}"
        );
    }
}

#[test]
fn reformatting_checks_its_buffers_and_order() {
    use layout::frames::{FrameError, SHARED_FRAME};
    let (disc, _) = mixed(ImageType::Raw);
    let options = FrameOptions {
        start: Lba(0),
        end: Lba(10),
        subchannel: SubchannelFormat::Pq16,
        scramble: true,
    };
    let mut enc = FrameEncoder::new(&disc, options).unwrap();
    let b = enc.next_batch(4).unwrap();
    let mut out = vec![0; 4 * 2368];
    assert_eq!(
        enc.reformat(&b, &vec![0; 3 * SHARED_FRAME], &mut out),
        Err(FrameError::Input {
            lba: Lba(0),
            what: "shared frames",
            expected: 4 * SHARED_FRAME,
            got: 3 * SHARED_FRAME
        })
    );
    assert_eq!(
        enc.reformat(&b, &vec![0; 4 * SHARED_FRAME], &mut out[..100]),
        Err(FrameError::Output {
            lba: Lba(0),
            expected: 4 * 2368,
            got: 100
        })
    );
    enc.reformat(&b, &vec![0; 4 * SHARED_FRAME], &mut out)
        .unwrap();
    assert_eq!(enc.position(), Lba(4));
    assert_eq!(
        enc.reformat(&b, &vec![0; 4 * SHARED_FRAME], &mut out),
        Err(FrameError::OutOfOrder {
            expected: Lba(4),
            got: Lba(0)
        })
    );
}
