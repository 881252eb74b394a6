//! Every frame of whole discs, decoded by a test decoder written from the
//! reference (`cd-standards.md` §3): Q CRC, continuous absolute time,
//! track and index changes at the planned LBAs, the pregap countdown, the
//! lead-in TOC, MCN/ISRC rates, SCMS and P. The main channel is checked
//! too: data sectors with the sector checker, audio against its source.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use layout::disc::{CopySetting, Disc, Gap, ImageCreator, ImageType, SourceFormat, SourceSpan};
use layout::frames::RAW_IMAGE_START;
use layout::image::{ImageFormat, image_files};
use layout::msf::Lba;
use layout::render::{DEFAULT_BATCH, MemorySink, render};
use layout::sector::{Expect, SECTOR_SIZE, SectorType, check_sector};
use testkit::noise24;

/// CRC-16/GSM bit by bit, independent of the library's table.
fn crc16(data: &[u8]) -> u16 {
    let mut crc = 0u16;
    for &b in data {
        crc ^= (b as u16) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    !crc
}

fn bcd(v: i64) -> u8 {
    (((v / 10) << 4) | (v % 10)) as u8
}

fn bcd_msf(frames: i64) -> [u8; 3] {
    [
        bcd(frames / 4500),
        bcd((frames / 75) % 60),
        bcd(frames % 75),
    ]
}

/// On-disc time frames of an LBA (lead-in as 9x minutes).
fn disc_frames(lba: i64) -> i64 {
    if lba < -150 { lba + 450_150 } else { lba + 150 }
}

/// P flag and Q bytes of a 96-byte interleaved subchannel.
fn decode_interleaved(sub: &[u8]) -> (u32, [u8; 12]) {
    let p_ones = sub.iter().filter(|&&b| b & 0x80 != 0).count() as u32;
    let mut q = [0u8; 12];
    for (k, &b) in sub.iter().enumerate() {
        q[k / 8] |= ((b >> 6) & 1) << (7 - k % 8);
    }
    (p_ones, q)
}

struct Fixture {
    disc: Disc,
    sources: Vec<Vec<u8>>,
}

/// Mixed mode with an MCN: Mode 1 data, audio with ISRC, pre-emphasis and
/// two extra indexes, SCMS audio with an explicit sourced pregap, then
/// Mode 2 Form 1.
fn mixed() -> Fixture {
    let mut c = ImageCreator::new();
    c.set_media_catalog_number("0036000291452").unwrap();
    let mut sources = Vec::new();
    let mut add = |c: &mut ImageCreator, ty: SectorType, sectors: u32, seed: u64| {
        let s = c
            .add_source(format!("s{seed}"), SourceFormat::Binary)
            .unwrap();
        sources.push(noise24(sectors as usize * ty.input_len(), seed));
        c.add_track(
            ty,
            SourceSpan {
                source: s,
                offset: 0,
                sectors,
            },
        )
        .unwrap()
    };
    add(&mut c, SectorType::Mode1, 1200, 1);
    let a = add(&mut c, SectorType::Audio, 2000, 2);
    {
        let mut t = c.track_info(a).unwrap();
        t.set_isrc("USRC17607839").unwrap();
        t.set_audio_has_preemphasis(true).unwrap();
        t.add_track_index(700).unwrap();
        t.add_track_index(1500).unwrap();
    }
    // Audio whose pregap is read from its source (like cue INDEX 00 data).
    let b = add(&mut c, SectorType::Audio, 1300, 3);
    {
        let mut t = c.track_info(b).unwrap();
        t.set_digital_audio_copy_setting(CopySetting::Scms).unwrap();
    }
    add(&mut c, SectorType::Mode2Form1, 600, 4);
    let pregap_source = c.add_source("pregap", SourceFormat::Binary).unwrap();
    sources.push(noise24(100 * 2352, 9));
    c.track_info(b)
        .unwrap()
        .set_pregap(Some(Gap::sourced(SourceSpan {
            source: pregap_source,
            offset: 0,
            sectors: 100,
        })))
        .unwrap();
    Fixture {
        disc: c.plan().unwrap(),
        sources,
    }
}

/// Hidden track-one audio and gapless audio tracks.
fn htoa_gapless() -> Fixture {
    let mut c = ImageCreator::new();
    c.set_gapless_audio(true).unwrap();
    let mut sources = Vec::new();
    let hidden = c.add_source("hidden", SourceFormat::Audio).unwrap();
    sources.push(noise24(800 * 2352, 7));
    c.add_special_pregap(SourceSpan {
        source: hidden,
        offset: 0,
        sectors: 800,
    })
    .unwrap();
    for seed in 10..13u64 {
        let s = c
            .add_source(format!("a{seed}"), SourceFormat::Audio)
            .unwrap();
        sources.push(noise24(900 * 2352, seed));
        c.add_track(
            SectorType::Audio,
            SourceSpan {
                source: s,
                offset: 0,
                sectors: 900,
            },
        )
        .unwrap();
    }
    Fixture {
        disc: c.plan().unwrap(),
        sources,
    }
}

fn raw_image(f: &mut Fixture, image_type: ImageType) -> Vec<u8> {
    let mut project = f.disc.project().clone();
    project.image_type = image_type;
    let disc = Disc::plan(&project).unwrap();
    let files = image_files(&disc, ImageFormat::Raw, "x").unwrap();
    let stream = files.frames.unwrap();
    let mut sink = MemorySink::default();
    render(
        &disc,
        &stream,
        &mut f.sources,
        &mut sink,
        DEFAULT_BATCH,
        &mut |_, _| {},
    )
    .unwrap();
    sink.main
}

/// What the plan says about one LBA of the program area or lead-out.
struct Expected {
    tno: u8,
    index: u8,
    relative: i64,
    control: u8,
    isrc_track: bool,
    scms: bool,
    pause: bool,
}

fn expected(disc: &Disc, lba: i64) -> Expected {
    let leadout = disc.leadout().get() as i64;
    if lba >= leadout {
        let last = disc.tracks().last().unwrap();
        return Expected {
            tno: 0xaa,
            index: 1,
            relative: lba - leadout,
            control: last.control,
            isrc_track: false,
            scms: false,
            pause: false,
        };
    }
    let (i, t) = disc
        .tracks()
        .iter()
        .enumerate()
        .find(|(_, t)| (t.pregap_start.get() as i64) <= lba && lba < t.end.get() as i64)
        .unwrap();
    let start = t.start.get() as i64;
    let index = if lba < start {
        0
    } else {
        t.indexes.iter().filter(|x| x.get() as i64 <= lba).count() as u8
    };
    Expected {
        tno: bcd(t.number.get() as i64),
        index,
        relative: (lba - start).abs(),
        control: t.control,
        isrc_track: t.isrc.is_some() && index >= 1,
        scms: t.copy == CopySetting::Scms,
        pause: index == 0 || (i > 0 && lba < start && start - lba <= 150),
    }
}

/// Checks every frame of a raw (2448, interleaved) image of `disc`.
fn check_every_frame(disc: &Disc, image: &[u8], sources: &[Vec<u8>]) {
    let fs = 2448;
    let first = RAW_IMAGE_START.get() as i64;
    assert_eq!(
        image.len() as i64,
        (disc.end().get() as i64 - first) * fs as i64
    );
    let leadout = disc.leadout().get() as i64;
    let tracks = disc.tracks();
    let mut adr: Vec<u8> = Vec::new();
    let mut lead_in_points: Vec<(u8, [u8; 3])> = Vec::new();
    for (k, frame) in image.chunks_exact(fs).enumerate() {
        let lba = first + k as i64;
        let (p_ones, q) = decode_interleaved(&frame[SECTOR_SIZE..]);
        assert!(p_ones == 0 || p_ones == 96, "lba {lba}: mixed P bits");
        let p = p_ones == 96;
        assert_eq!(
            crc16(&q[..10]).to_be_bytes(),
            [q[10], q[11]],
            "lba {lba}: q crc"
        );
        adr.push(q[0] & 0x0f);

        if lba < -150 {
            // Lead-in: TOC entries.
            assert_eq!(q[0] & 0x0f, 1, "lba {lba}");
            assert_eq!(q[1], 0, "lba {lba}: lead-in tno");
            assert_eq!(
                q[3..6],
                bcd_msf(disc_frames(lba)),
                "lba {lba}: lead-in time"
            );
            assert!(!p, "lba {lba}: P in the lead-in");
            lead_in_points.push((q[2], [q[7], q[8], q[9]]));
            continue;
        }
        let e = expected(disc, lba);
        if lba >= leadout {
            assert_eq!(
                p,
                lba - leadout < 150 || ((lba - leadout - 150) / 19) % 2 == 1,
                "lba {lba}: lead-out P"
            );
        } else {
            assert_eq!(p, e.pause, "lba {lba}: P");
        }
        let control = q[0] >> 4;
        let expected_control = if e.scms && ((lba + 150) / 4) % 2 == 1 {
            e.control | 2
        } else {
            e.control
        };
        assert_eq!(control, expected_control, "lba {lba}: control");
        match q[0] & 0x0f {
            1 => {
                assert_eq!(q[1], e.tno, "lba {lba}: track");
                assert_eq!(q[2], bcd(e.index as i64), "lba {lba}: index");
                assert_eq!(q[3..6], bcd_msf(e.relative), "lba {lba}: relative time");
                assert_eq!(q[6], 0);
                assert_eq!(q[7..10], bcd_msf(lba + 150), "lba {lba}: absolute time");
            }
            2 => {
                assert!(lba < leadout, "lba {lba}: mcn in the lead-out");
                assert_eq!(
                    q[1..8],
                    [0x00, 0x36, 0x00, 0x02, 0x91, 0x45, 0x20],
                    "lba {lba}: mcn"
                );
                assert_eq!(q[9], bcd((lba + 150) % 75));
            }
            3 => {
                assert!(e.isrc_track, "lba {lba}: isrc outside its track");
                assert_eq!(q[1..9], [0x96, 0x38, 0x93, 0x04, 0x76, 0x07, 0x83, 0x90]);
                assert_eq!(q[9], bcd((lba + 150) % 75));
            }
            other => panic!("lba {lba}: adr {other}"),
        }

        // Main channel.
        let sector: &[u8; SECTOR_SIZE] = frame[..SECTOR_SIZE].try_into().unwrap();
        let region = disc.region_at(Lba(lba as i32)).unwrap();
        let ty = region.encoder.sector_type();
        if ty.is_audio() {
            if let layout::disc::Content::Source { pos, stride, .. } = region.content {
                let at = pos.offset as usize
                    + (lba - region.start.get() as i64) as usize * stride as usize;
                assert_eq!(
                    &sector[..],
                    &sources[pos.source][at..at + SECTOR_SIZE],
                    "lba {lba}: audio"
                );
            } else {
                assert!(sector.iter().all(|&b| b == 0), "lba {lba}: silence");
            }
        } else {
            let r = check_sector(
                sector,
                Expect {
                    lba: Some(Lba(lba as i32)),
                    sector_type: Some(ty),
                },
            );
            assert!(r.is_consistent(), "lba {lba}: {:?}", r.problems);
        }
    }

    // ADR 1 in at least 9 of every 10 consecutive sectors; MCN at least once
    // in every 100 of the program area when set.
    for w in adr.windows(10) {
        assert!(w.iter().filter(|&&a| a == 1).count() >= 9);
    }
    let program = &adr[(-150 - first) as usize..(leadout - first) as usize];
    if disc.project().mcn.is_some() {
        for w in program.windows(100) {
            assert!(w.contains(&2), "a hundred sectors without the mcn");
        }
    }

    // Lead-in: entries in runs of three, covering A0, A1, A2 and every track
    // with the plan's values.
    for run in lead_in_points.chunks(3) {
        assert!(
            run.iter().all(|e| *e == run[0]),
            "lead-in entries come in threes"
        );
    }
    let last = tracks.last().unwrap();
    let mut want = vec![
        (
            0xa0,
            [
                bcd(tracks[0].number.get() as i64),
                disc.disc_type().code(),
                0,
            ],
        ),
        (0xa1, [bcd(last.number.get() as i64), 0, 0]),
        (0xa2, bcd_msf(leadout + 150)),
    ];
    for t in tracks {
        want.push((
            bcd(t.number.get() as i64),
            bcd_msf(t.start.get() as i64 + 150),
        ));
    }
    let cycle = &lead_in_points[..3 * want.len()];
    for w in &want {
        assert!(cycle.contains(w), "lead-in lacks {w:02x?}");
    }
    for e in &lead_in_points {
        assert!(want.contains(e), "unexpected lead-in entry {e:02x?}");
    }
}

#[test]
fn every_frame_of_a_mixed_mode_disc() {
    let mut f = mixed();
    assert_eq!(f.disc.tracks().len(), 4);
    let image = raw_image(&mut f, ImageType::Raw);
    check_every_frame(&f.disc, &image, &f.sources);
}

#[test]
fn every_frame_of_a_hidden_track_gapless_disc() {
    let mut f = htoa_gapless();
    assert_eq!(f.disc.tracks()[0].start, Lba(650));
    let image = raw_image(&mut f, ImageType::Raw);
    check_every_frame(&f.disc, &image, &f.sources);
}

#[test]
fn clonecd_sub_and_pq16_carry_the_same_q() {
    let mut f = mixed();
    let raw = raw_image(&mut f, ImageType::Raw);
    let pq = raw_image(&mut f, ImageType::PqOnly);
    let files = image_files(&f.disc, ImageFormat::CloneCd, "x").unwrap();
    let stream = files.frames.unwrap();
    let mut ccd = MemorySink::default();
    render(
        &f.disc,
        &stream,
        &mut f.sources,
        &mut ccd,
        333,
        &mut |_, _| {},
    )
    .unwrap();
    let n = f.disc.leadout().get() as usize;
    assert_eq!(ccd.main.len(), n * SECTOR_SIZE);
    assert_eq!(ccd.sub.len(), n * 96);
    let skip = (-RAW_IMAGE_START.get()) as usize;
    for lba in 0..n {
        let raw_frame = &raw[(skip + lba) * 2448..(skip + lba + 1) * 2448];
        let (p_ones, q) = decode_interleaved(&raw_frame[SECTOR_SIZE..]);
        let sub = &ccd.sub[lba * 96..(lba + 1) * 96];
        assert_eq!(
            sub[..12],
            [if p_ones == 96 { 0xff } else { 0 }; 12],
            "lba {lba}: linear P"
        );
        assert_eq!(sub[12..24], q, "lba {lba}: linear Q");
        assert_eq!(
            &ccd.main[lba * SECTOR_SIZE..(lba + 1) * SECTOR_SIZE],
            &raw_frame[..SECTOR_SIZE]
        );
        let pq_frame = &pq[(skip + lba) * 2368..(skip + lba + 1) * 2368];
        assert_eq!(
            pq_frame[SECTOR_SIZE..SECTOR_SIZE + 12],
            q,
            "lba {lba}: pq16 Q"
        );
        assert_eq!(pq_frame[2352 + 15], if p_ones == 96 { 0x80 } else { 0 });
        assert_eq!(&pq_frame[..SECTOR_SIZE], &raw_frame[..SECTOR_SIZE]);
    }
}

/// The R-W symbols (low six bits) of interleaved subchannel.
fn rw_of(sub: &[u8]) -> Vec<u8> {
    sub.iter().map(|b| b & 0x3f).collect()
}

#[test]
fn rw_generator_lands_on_every_sector_from_95_00_00() {
    let mut c = ImageCreator::new();
    let audio = c.add_source("a", SourceFormat::Binary).unwrap();
    let rw = c.add_source("rw", SourceFormat::Binary).unwrap();
    c.add_track(
        SectorType::Audio,
        SourceSpan {
            source: audio,
            offset: 0,
            sectors: 400,
        },
    )
    .unwrap();
    c.add_subcode_rw_generator(layout::disc::SourcePos {
        source: rw,
        offset: 0,
    })
    .unwrap();
    let disc = c.plan().unwrap();
    let sectors = (disc.end().get() - RAW_IMAGE_START.get()) as usize;
    let generator: Vec<u8> = noise24(sectors * 96, 77).iter().map(|b| b & 0x3f).collect();
    let mut sources = vec![noise24(400 * 2352, 1), generator.clone()];
    let stream = image_files(&disc, ImageFormat::Raw, "x")
        .unwrap()
        .frames
        .unwrap();
    let mut sink = MemorySink::default();
    render(
        &disc,
        &stream,
        &mut sources,
        &mut sink,
        1000,
        &mut |_, _| {},
    )
    .unwrap();
    for (k, frame) in sink.main.chunks_exact(2448).enumerate() {
        assert_eq!(
            rw_of(&frame[2352..]),
            generator[k * 96..(k + 1) * 96],
            "sector {k}"
        );
    }
    // P and Q stay intact beside the R-W bits.
    check_every_frame(&disc, &sink.main, &sources);
}

#[test]
fn cdg_tracks_keep_their_rw_from_the_source() {
    let mut c = ImageCreator::new();
    let s = c.add_source("cdg", SourceFormat::Binary).unwrap();
    let mut spec = layout::disc::TrackSpec::new(
        SectorType::Audio,
        SourceSpan {
            source: s,
            offset: 0,
            sectors: 500,
        },
    );
    spec.rw_in_source = true;
    c.add_track_spec(spec).unwrap();
    let disc = c.plan().unwrap();
    // 2352 bytes of audio and 96 of P-W per sector; only R-W is kept.
    let source = noise24(500 * 2448, 5);
    let mut sources = vec![source.clone()];
    let stream = image_files(&disc, ImageFormat::CloneCd, "x")
        .unwrap()
        .frames
        .unwrap();
    let mut sink = MemorySink::default();
    render(&disc, &stream, &mut sources, &mut sink, 64, &mut |_, _| {}).unwrap();
    for k in 0..500 {
        let src = &source[k * 2448..(k + 1) * 2448];
        assert_eq!(&sink.main[k * 2352..(k + 1) * 2352], &src[..2352]);
        let expected_linear =
            layout::subchannel::interleaved_to_linear(&core::array::from_fn(|i| {
                src[2352 + i] & 0x3f
            }));
        assert_eq!(
            sink.sub[k * 96 + 24..(k + 1) * 96],
            expected_linear[24..],
            "r-w of sector {k}"
        );
    }
    // The cue BIN keeps 2448 bytes per sector for the CD+G track.
    let bin = image_files(&disc, ImageFormat::BinCue, "x").unwrap();
    assert!(bin.texts[0].content.contains("TRACK 01 CDG"));
    let mut sink = MemorySink::default();
    render(
        &disc,
        bin.frames.as_ref().unwrap(),
        &mut sources,
        &mut sink,
        64,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(sink.main.len(), 500 * 2448);
    for k in 0..500 {
        assert_eq!(
            rw_of(&sink.main[k * 2448 + 2352..(k + 1) * 2448]),
            rw_of(&source[k * 2448 + 2352..(k + 1) * 2448])
        );
    }
}

#[test]
fn motorola_audio_is_swapped_data_is_not() {
    let pcm = noise24(400 * 2352, 8);
    let swapped: Vec<u8> = pcm.chunks_exact(2).flat_map(|w| [w[1], w[0]]).collect();
    let iso = noise24(400 * 2048, 9);
    let image = |format: SourceFormat, audio: &[u8]| {
        let mut c = ImageCreator::new();
        let d = c.add_source("d", format).unwrap();
        let a = c.add_source("a", format).unwrap();
        c.add_track(
            SectorType::Mode1,
            SourceSpan {
                source: d,
                offset: 0,
                sectors: 400,
            },
        )
        .unwrap();
        c.add_track(
            SectorType::Audio,
            SourceSpan {
                source: a,
                offset: 0,
                sectors: 400,
            },
        )
        .unwrap();
        let disc = c.plan().unwrap();
        let stream = image_files(&disc, ImageFormat::BinCue, "x")
            .unwrap()
            .frames
            .unwrap();
        let mut sink = MemorySink::default();
        let mut sources = vec![iso.clone(), audio.to_vec()];
        render(&disc, &stream, &mut sources, &mut sink, 100, &mut |_, _| {}).unwrap();
        sink.main
    };
    assert!(image(SourceFormat::Motorola, &swapped) == image(SourceFormat::Binary, &pcm));
}
