//! Whole burns through the virtual drive's USB interface in each write
//! mode, read back with READ CD and READ TOC, and compared with what
//! `layout` renders for the same disc: the image an independent path
//! (the frame encoder that writes image files) says the disc must hold.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Host;
use common::discs::{disc, render, sources};
use layout::msf::{Lba, Msf};
use layout::subchannel::SubchannelFormat;
use mmc::wire::command::{ReadCd, ReadToc, Subchannel, SynchronizeCache, TocFormat, Write10};
use mmc::wire::cue_sheet::{CueSheet, CueSheetOptions};
use mmc::wire::mode::{DataBlockType, ModePage, ModeParameterList, WriteParametersPage, WriteType};
use vdrive::{MediaKind, RecorderConfig};

/// Audio with an ISRC, index 2 and copy permitted; audio without pregap
/// marked SCMS; Mode 1 data after the mode-change pregap; MCN; CD-TEXT.
const MIXED: &str = r#"{
  "sources": [{ "path": "a.wav", "format": "audio" }, { "path": "d.iso" }],
  "mcn": "0036000291452",
  "tracks": [
    { "sectorType": "audio", "data": { "source": 0, "sectors": 900 },
      "isrc": "USRC17607839", "copy": "permitted", "indexes": [400] },
    { "sectorType": "audio", "data": { "source": 0, "offset": 2116800, "sectors": 400 },
      "pregap": { "generated": 0 }, "copy": "scms" },
    { "sectorType": "mode1", "data": { "source": 1, "sectors": 600 } }
  ],
  "cdtext": { "blocks": [ { "disc": { "title": "Virtual", "performer": "rawburn" },
    "tracks": [ { "title": "One" }, { "title": "Two" }, { "title": "Data" } ] } ] }
}"#;

/// Two Mode 2 Form 1 tracks (an XA disc).
const XA: &str = r#"{
  "sources": [{ "path": "d.iso" }],
  "tracks": [
    { "sectorType": "mode2Form1", "data": { "source": 0, "sectors": 500 } },
    { "sectorType": "mode2Form1", "data": { "source": 0, "offset": 1024000, "sectors": 400 } }
  ]
}"#;

fn select(h: &mut Host, page: WriteParametersPage) {
    let data = ModeParameterList::with_page(ModePage::WriteParameters(page)).to_select_vec();
    let len = data.len() as u8;
    let r = h.data_out(&[0x55, 0x10, 0, 0, 0, 0, 0, 0, len, 0], &data);
    assert!(r.passed(), "mode select: {}", h.sense().sense);
}

fn write(h: &mut Host, lba: i32, blocks: u16, data: &[u8]) {
    let r = h.data_out(&Write10::new(lba, blocks).to_bytes(), data);
    if !r.passed() {
        panic!("write {blocks} at {lba}: {}", h.sense().sense);
    }
}

/// Writes `data` from `lba` in blocks of `size` bytes, `per` blocks a
/// command.
fn write_all(h: &mut Host, lba: i32, size: usize, data: &[u8]) {
    let per = 27;
    for (k, chunk) in data.chunks(size * per).enumerate() {
        write(
            h,
            lba + (k * per) as i32,
            (chunk.len() / size) as u16,
            chunk,
        );
    }
}

fn sync(h: &mut Host) {
    let r = h.none(&SynchronizeCache::all(false).to_bytes());
    assert!(r.passed(), "sync: {}", h.sense().sense);
}

/// READ CD of `start..end`: 2352 + raw P-W per block.
fn read_back(h: &mut Host, start: i32, end: i32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut lba = start;
    while lba < end {
        let n = (end - lba).min(64) as u32;
        let cdb = ReadCd::raw(lba, n, Subchannel::RawPw96).to_bytes();
        let r = h.data_in(&cdb, n * 2448);
        if !r.passed() {
            panic!("read cd {n} at {lba}: {}", h.sense().sense);
        }
        out.extend_from_slice(&r.data);
        lba += n as i32;
    }
    out
}

fn toc(h: &mut Host, format: TocFormat) -> Vec<u8> {
    let r = h.data_in(&ReadToc::new(format, 4096).to_bytes(), 4096);
    assert!(r.passed(), "read toc: {}", h.sense().sense);
    r.data
}

/// Compares frame by frame, naming the first LBA that differs.
fn same_frames(got: &[u8], want: &[u8], start: i32, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (k, (g, w)) in got.chunks(2448).zip(want.chunks(2448)).enumerate() {
        if g != w {
            let main = g[..2352] != w[..2352];
            let first = g.iter().zip(w).position(|(a, b)| a != b).unwrap();
            panic!(
                "{what}: lba {} differs ({} at byte {first})",
                start + k as i32,
                if main { "main channel" } else { "subchannel" }
            );
        }
    }
}

/// Burns `d` raw from `start` (the media's lead-in) through its lead-out
/// with data block type `block_type`, frames in `sub`; then checks that
/// every frame reads back, unscrambled, as `layout` renders it. Returns
/// the host for further checks.
fn raw_burn(
    d: &layout::disc::Disc,
    kind: MediaKind,
    minutes: u8,
    start: Lba,
    block_type: u8,
    sub: SubchannelFormat,
) -> Host {
    let mut src = sources(d);
    let mut h = Host::blank(kind, minutes);
    let end = Lba(d.leadout().get() + 6750);
    let frames = render(d, &mut src, start, end, sub, true);
    let mut page = WriteParametersPage::new(WriteType::Raw);
    page.data_block_type = DataBlockType::from_code(block_type);
    select(&mut h, page);
    write_all(&mut h, start.get(), 2352 + sub.size(), &frames);
    sync(&mut h);
    let plain = render(
        d,
        &mut src,
        start,
        end,
        SubchannelFormat::Interleaved,
        false,
    );
    let got = read_back(&mut h, start.get(), end.get());
    same_frames(
        &got,
        &plain,
        start.get(),
        &format!("raw, data block type {block_type}"),
    );
    h
}

#[test]
fn raw96r_burn_reads_back_bit_for_bit() {
    let d = disc(MIXED);
    let mut h = raw_burn(
        &d,
        MediaKind::CdR,
        80,
        Lba(-11635),
        3,
        SubchannelFormat::Interleaved,
    );
    // The table of contents comes from the lead-in Q the host wrote.
    assert_eq!(toc(&mut h, TocFormat::Toc), d.toc_format0(false));
    assert_eq!(toc(&mut h, TocFormat::FullToc), d.toc_format2());
    // CD-TEXT from the lead-in's R–W.
    let text = toc(&mut h, TocFormat::CdText);
    let packs: Vec<u8> = d.cdtext_packs().iter().flat_map(|p| p.0).collect();
    assert_eq!(&text[4..], &packs[..]);
}

#[test]
fn raw16_burn_keeps_p_and_q() {
    let d = disc(XA);
    // CD-RW lead-in: 97:24:00.
    let start = Msf::new(97, 24, 0).unwrap().to_lba();
    let mut h = raw_burn(&d, MediaKind::CdRw, 74, start, 1, SubchannelFormat::Pq16);
    assert_eq!(toc(&mut h, TocFormat::Toc), d.toc_format0(false));
}

#[test]
fn sao_burn_matches_the_image() {
    let d = disc(MIXED);
    let mut src = sources(&d);
    let mut h = Host::blank(MediaKind::CdR, 80);
    let options = CueSheetOptions {
        cdtext: true,
        lead_in: Some(Msf::new(97, 26, 65).unwrap()),
        ..CueSheetOptions::default()
    };
    let sheet = CueSheet::from_disc(&d, options).unwrap();
    let mut page = WriteParametersPage::new(WriteType::Sao);
    page.data_block_type = DataBlockType::from_code(3);
    select(&mut h, page);
    let bytes = sheet.to_vec();
    let len = bytes.len() as u32;
    let cdb = [
        0x5d,
        0,
        0,
        0,
        0,
        0,
        (len >> 16) as u8,
        (len >> 8) as u8,
        len as u8,
        0,
    ];
    let r = h.data_out(&cdb, &bytes);
    assert!(r.passed(), "cue sheet: {}", h.sense().sense);
    // The host's data per the write plan: the lead-in's CD-TEXT R–W, then
    // each range in its block size, cut from the rendered image.
    let start = Lba(-11635);
    let end = Lba(d.leadout().get() + 6750);
    let image = render(
        &d,
        &mut src,
        start,
        end,
        SubchannelFormat::Interleaved,
        false,
    );
    let frame = |lba: i32| &image[(lba - start.get()) as usize * 2448..][..2448];
    for (lba, blocks, size) in sheet.write_plan() {
        let mut data = Vec::with_capacity(blocks as usize * size as usize);
        for l in lba..lba + blocks as i32 {
            let f = frame(l);
            match size {
                96 => data.extend(f[2352..].iter().map(|b| b & 0x3f)),
                2352 => data.extend_from_slice(&f[..2352]),
                2048 => data.extend_from_slice(&f[16..2064]),
                2336 => data.extend_from_slice(&f[16..2352]),
                other => panic!("block size {other}"),
            }
        }
        write_all(&mut h, lba, size as usize, &data);
    }
    sync(&mut h);
    assert_eq!(toc(&mut h, TocFormat::Toc), d.toc_format0(false));
    let text = toc(&mut h, TocFormat::CdText);
    let packs: Vec<u8> = d.cdtext_packs().iter().flat_map(|p| p.0).collect();
    assert_eq!(&text[4..], &packs[..]);
    let got = read_back(&mut h, start.get(), end.get());
    same_frames(&got, &image, start.get(), "sao");
}

#[test]
fn tao_tracks_read_back() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let mut page = WriteParametersPage::new(WriteType::Tao);
    page.track_mode = 4;
    page.data_block_type = DataBlockType::from_code(8);
    page.bufe = true;
    select(&mut h, page);
    let user: Vec<u8> = (0..2048 * 400).map(|i| (i * 7 + i / 2048) as u8).collect();
    write_all(&mut h, 0, 2048, &user);
    sync(&mut h);
    // Track 2 starts after 2 run-out blocks and a 150-sector pregap.
    write_all(&mut h, 400 + 2 + 150, 2048, &user[..2048 * 300]);
    sync(&mut h);
    let r = h.none(&[0x5b, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
    assert!(r.passed(), "close session: {}", h.sense().sense);
    let t = toc(&mut h, TocFormat::Toc);
    // 2 tracks + lead-out; track 2 at 552, lead-out after its 300 blocks
    // and 2 run-out blocks.
    assert_eq!(&t[..4], &[0, 26, 1, 2]);
    assert_eq!(&t[4..12], &[0, 0x14, 1, 0, 0, 0, 0, 0]);
    assert_eq!(&t[12..20], &[0, 0x14, 2, 0, 0, 0, 0x02, 0x28]);
    assert_eq!(&t[20..28], &[0, 0x14, 0xaa, 0, 0, 0, 0x03, 0x56]);
    let got = read_back(&mut h, 0, 400);
    for (k, f) in got.chunks(2448).enumerate() {
        assert_eq!(&f[16..2064], &user[k * 2048..(k + 1) * 2048], "lba {k}");
        let report =
            layout::sector::check_sector(f[..2352].try_into().unwrap(), Default::default());
        assert!(
            report.is_consistent() && report.lba == Some(Lba(k as i32)),
            "lba {k}"
        );
    }
    // Reading past what was recorded (the lead-out ends at 854 + 6750).
    let r = h.data_in(&ReadCd::raw(20_000, 1, Subchannel::None).to_bytes(), 2352);
    let s = h.fails(r);
    assert_eq!((s.sense.key.code(), s.sense.asc), (8, 0));
    assert_eq!(s.information, Some(20_000));
}

#[test]
fn raw96p_burn_without_rw_reads_back() {
    let d = disc(XA);
    raw_burn(
        &d,
        MediaKind::CdR,
        74,
        Lba(-11635),
        2,
        SubchannelFormat::Interleaved,
    );
}

#[test]
fn two_tao_sessions() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let mut page = WriteParametersPage::new(WriteType::Tao);
    page.track_mode = 4;
    page.data_block_type = DataBlockType::from_code(8);
    page.multi_session = mmc::wire::mode::MultiSession::NextSession;
    select(&mut h, page.clone());
    let user = vec![0x5a; 2048 * 300];
    write_all(&mut h, 0, 2048, &user);
    let r = h.none(&[0x5b, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
    assert!(r.passed(), "close session: {}", h.sense().sense);
    // Session 1: track 1 0..302, lead-out 302 + 6750; session 2's track
    // starts 4500 + 150 later.
    let next = 302 + 6750 + 4500 + 150;
    let info = h.data_in(&[0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0], 34);
    assert_eq!(info.data[2] & 0x03, 1, "appendable");
    assert_eq!(info.data[4], 2, "two sessions, the second empty");
    let ti = h.data_in(&[0x52, 1, 0, 0, 0, 0xff, 0, 0, 36, 0], 36);
    assert_eq!(
        i32::from_be_bytes(ti.data[12..16].try_into().unwrap()),
        next
    );
    page.multi_session = mmc::wire::mode::MultiSession::Finalize;
    select(&mut h, page);
    write_all(&mut h, next, 2048, &user);
    let r = h.none(&[0x5b, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
    assert!(r.passed(), "close session 2: {}", h.sense().sense);
    let t = toc(&mut h, TocFormat::Toc);
    assert_eq!(&t[..4], &[0, 26, 1, 2]);
    assert_eq!(i32::from_be_bytes(t[16..20].try_into().unwrap()), next);
    assert_eq!(
        i32::from_be_bytes(t[24..28].try_into().unwrap()),
        next + 302
    );
    let s = toc(&mut h, TocFormat::SessionInfo);
    assert_eq!(&s[..4], &[0, 10, 1, 2]);
    assert_eq!(i32::from_be_bytes(s[8..12].try_into().unwrap()), next);
    let got = read_back(&mut h, next, next + 300);
    assert!(
        got.chunks(2448)
            .all(|f| f[16..2064].iter().all(|&b| b == 0x5a))
    );
    let info = h.data_in(&[0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0], 34);
    assert_eq!(info.data[2] & 0x03, 2, "finalized");
}

#[test]
fn a_timed_burn_takes_the_time_of_its_speed() {
    let d = disc(XA);
    let mut src = sources(&d);
    let mut h = Host::with_config(RecorderConfig::default());
    h.insert(MediaKind::CdR, 80);
    // 8x: 600 sectors a second.
    let r = h.none(&[0xbb, 0, 0xff, 0xff, 0x05, 0x85, 0, 0, 0, 0, 0, 0]);
    assert!(r.passed());
    let sheet = CueSheet::from_disc(&d, CueSheetOptions::default()).unwrap();
    select(&mut h, WriteParametersPage::new(WriteType::Sao));
    let bytes = sheet.to_vec();
    let cdb = [0x5d, 0, 0, 0, 0, 0, 0, 0, bytes.len() as u8, 0];
    assert!(h.data_out(&cdb, &bytes).passed());
    let image = render(
        &d,
        &mut src,
        Lba(-150),
        d.leadout(),
        SubchannelFormat::None,
        false,
    );
    let t0 = h.now;
    for (lba, blocks, size) in sheet.write_plan() {
        // Mode 2 XA form 20h: subheader, user data, EDC/ECC (2336).
        assert_eq!(size, 2336);
        let mut data = Vec::new();
        for l in lba..lba + blocks as i32 {
            let f = &image[(l + 150) as usize * 2352..][..2352];
            data.extend_from_slice(&f[16..2352]);
        }
        write_all(&mut h, lba, 2336, &data);
    }
    sync(&mut h);
    // Lead-in 11485 + pregap and data 1050 + lead-out 6750 sectors at
    // 600 a second.
    let want = (11_485 + 150 + 900 + 6750) as f64 / 600.0;
    let took = (h.now - t0).as_secs_f64();
    assert!((took - want).abs() < 0.5, "took {took} s, want {want} s");
    assert_eq!(h.recorder().buffer().links(), 0);
    assert!(h.recorder().buffer().underrun().is_none());
}
