#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! MMC conformance of the virtual recorder, command by command, spoken as
//! raw CBWs over its Bulk-Only interface. Expected values come from
//! `cd-standards.md` (section cited at each assertion) or from `layout`,
//! never from what the drive happens to answer. Error paths are in
//! `errors.rs`.

mod common;

use common::{Host, Page05, be16, be32, key_asc_ascq, msf_of};
use layout::cdtext::{CdText, TextBlock, TextFields};
use layout::disc::{Disc, ImageCreator, SourceFormat, SourceSpan};
use layout::frames::{FrameEncoder, FrameOptions};
use layout::msf::Lba;
use layout::sector::SectorType;
use layout::subchannel::{SubchannelFormat, SubcodeGenerator, pq_from_interleaved};
use mmc::wire::command::{ReadCd, Subchannel};
use mmc::wire::cue_sheet::{CueSheet, CueSheetOptions};
use std::time::Duration;
use vdrive::{MediaKind, MediaSpec, RecorderConfig};

const TUR: [u8; 6] = [0, 0, 0, 0, 0, 0];
/// 80-minute media: the last possible lead-out start 79:59:74 is LBA
/// 359849 (§6.6, §2: LBA = frames − 150).
const LAST_LEADOUT_80: u32 = 79 * 4500 + 59 * 75 + 74 - 150;

// ---------------------------------------------------------------------------
// INQUIRY, TEST UNIT READY, REQUEST SENSE, unit attentions
// ---------------------------------------------------------------------------

#[test]
fn inquiry_standard_data() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let r = h.data_in(&[0x12, 0, 0, 0, 36, 0], 36);
    assert!(r.passed());
    let d = r.data;
    assert_eq!(d.len(), 36);
    // §6.4: byte 0 qualifier 0, device type 05h; byte 1 bit 7 RMB.
    assert_eq!(d[0], 0x05);
    assert_eq!(d[1] & 0x80, 0x80);
    // SPC-3 6.4.2: response data format 2; additional length = n − 4
    // bytes after byte 4 (31 for the standard 36 bytes).
    assert_eq!(d[3] & 0x0f, 2);
    assert_eq!(d[4], 31);
    // §6.4: vendor 8–15, product 16–31, revision 32–35, space padded.
    let c = RecorderConfig::default();
    assert_eq!(&d[8..16], format!("{:<8}", c.vendor).as_bytes());
    assert_eq!(&d[16..32], format!("{:<16}", c.product).as_bytes());
    assert_eq!(&d[32..36], format!("{:<4}", c.revision).as_bytes());

    // A larger allocation: the additional length still counts what follows
    // byte 4.
    let r = h.data_in(&[0x12, 0, 0, 0, 96, 0], 96);
    assert!(r.passed());
    assert_eq!(r.data.len(), r.data[4] as usize + 5);
    assert_eq!(r.data[..8], d[..8]);
}

#[test]
fn inquiry_vital_product_data_pages() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    // SPC-3 7.6.12: supported pages: byte 1 page 00h, byte 3 length, list
    // ascending; 00h and 80h at least.
    let r = h.data_in(&[0x12, 0x01, 0x00, 0, 255, 0], 255);
    assert!(r.passed());
    let d = r.data;
    assert_eq!((d[0], d[1]), (0x05, 0x00));
    let pages = &d[4..4 + d[3] as usize];
    assert!(
        pages.contains(&0x00) && pages.contains(&0x80),
        "{pages:02x?}"
    );
    assert!(pages.windows(2).all(|w| w[0] < w[1]), "{pages:02x?}");
    // SPC-3 7.6.10: unit serial number page 80h.
    let r = h.data_in(&[0x12, 0x01, 0x80, 0, 255, 0], 255);
    assert!(r.passed());
    let d = r.data;
    assert_eq!((d[0], d[1]), (0x05, 0x80));
    assert_eq!(
        &d[4..4 + d[3] as usize],
        RecorderConfig::default().serial.as_bytes()
    );
}

#[test]
fn test_unit_ready_follows_the_tray() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    assert!(h.none(&TUR).passed());
    // The disc taken out: tray open → 2/3A/02 (§6.22).
    assert!(h.dev.target_mut().remove().is_some());
    let r = h.none(&TUR);
    assert_eq!(h.check(r), (0x2, 0x3a, 0x02));
    // START STOP UNIT load closes the empty tray → 2/3A/01 (§6.20, §6.22).
    assert!(h.none(&[0x1b, 0, 0, 0, 0x03, 0]).passed());
    let r = h.none(&TUR);
    assert_eq!(h.check(r), (0x2, 0x3a, 0x01));
}

#[test]
fn request_sense_fixed_format_then_cleared() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    assert!(!h.none(&[0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).passed());
    let s = h.sense_bytes();
    // §6.3: 70h current, additional length 10, key 5, 20/00.
    assert_eq!(s[0] & 0x7f, 0x70);
    assert_eq!(s[7], 10);
    assert_eq!(key_asc_ascq(&s), (0x5, 0x20, 0x00));
    // Reading the sense clears it: NO SENSE.
    let s = h.sense_bytes();
    assert_eq!(s[0] & 0x7f, 0x70);
    assert_eq!(key_asc_ascq(&s), (0, 0, 0));
    // A shorter allocation is honoured.
    let r = h.data_in(&[0x03, 0, 0, 0, 8, 0], 8);
    assert!(r.passed());
    assert_eq!(r.data.len(), 8);
    assert_eq!(r.data[0] & 0x7f, 0x70);
}

#[test]
fn request_sense_descriptor_format() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    assert!(!h.none(&[0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).passed());
    // §6.3 byte 1 bit 0 DESC; SPC-3 4.5.2: 72h, key in byte 1, ASC 2,
    // ASCQ 3, additional length in byte 7.
    let r = h.data_in(&[0x03, 0x01, 0, 0, 252, 0], 252);
    assert!(r.passed());
    let d = r.data;
    assert_eq!(d[0] & 0x7f, 0x72);
    assert_eq!((d[1] & 0x0f, d[2], d[3]), (0x5, 0x20, 0x00));
    assert_eq!(d.len(), 8 + d[7] as usize);
    let r = h.data_in(&[0x03, 0x01, 0, 0, 252, 0], 252);
    assert!(r.passed());
    assert_eq!(r.data[0] & 0x7f, 0x72);
    assert_eq!((r.data[1] & 0x0f, r.data[2], r.data[3]), (0, 0, 0));
}

#[test]
fn power_on_attention_goes_to_the_first_other_command() {
    let mut h = Host::fresh(RecorderConfig {
        instant: true,
        ..RecorderConfig::default()
    });
    // INQUIRY is not blocked by a pending unit attention.
    assert!(h.data_in(&[0x12, 0, 0, 0, 36, 0], 36).passed());
    // REQUEST SENSE is not blocked either; SPC-3 lets it report the
    // attention (and clear it) or report its own sense and keep it.
    let r = h.data_in(&[0x03, 0, 0, 0, 18, 0], 18);
    assert!(r.passed());
    if key_asc_ascq(&r.data) != (0x6, 0x29, 0x00) {
        // §6.22: 6/29/00 power on, reset.
        let r = h.none(&TUR);
        assert_eq!(h.check(r), (0x6, 0x29, 0x00));
    }
    // Reported once; then the empty closed tray.
    let r = h.none(&TUR);
    assert_eq!(h.check(r), (0x2, 0x3a, 0x01));
}

#[test]
fn inserting_a_disc_raises_medium_changed() {
    let mut h = Host::with_config(RecorderConfig {
        instant: true,
        ..RecorderConfig::default()
    });
    let media = MediaSpec::new(MediaKind::CdR, 80).unwrap();
    h.dev.target_mut().insert_blank(media).unwrap();
    assert!(h.data_in(&[0x12, 0, 0, 0, 36, 0], 36).passed());
    // §6.22: 6/28/00 not ready to ready change, medium may have changed.
    let r = h.none(&TUR);
    assert_eq!(h.check(r), (0x6, 0x28, 0x00));
    assert!(h.none(&TUR).passed());
}

// ---------------------------------------------------------------------------
// GET CONFIGURATION
// ---------------------------------------------------------------------------

/// A feature descriptor: code, byte 2 (version, persistent, current) and
/// its data after the 4-byte header.
type FeatureDesc = (u16, u8, Vec<u8>);

fn get_configuration(h: &mut Host, rt: u8, start: u16, alloc: u16) -> Vec<u8> {
    let [s0, s1] = start.to_be_bytes();
    let [a0, a1] = alloc.to_be_bytes();
    let r = h.data_in(&[0x46, rt, s0, s1, 0, 0, 0, a0, a1, 0], alloc as u32);
    assert!(r.passed(), "get configuration: {:?}", h.sense());
    r.data
}

/// Walks the descriptors after the 8-byte header (§6.5).
fn features(d: &[u8]) -> Vec<FeatureDesc> {
    let end = 4 + be32(d, 0) as usize;
    assert_eq!(end, d.len(), "data length counts the bytes after it");
    let mut out = Vec::new();
    let mut at = 8;
    while at < end {
        let len = d[at + 3] as usize;
        out.push((be16(d, at), d[at + 2], d[at + 4..at + 4 + len].to_vec()));
        at += 4 + len;
    }
    assert_eq!(at, end, "descriptors fill the data");
    out
}

fn feature(list: &[FeatureDesc], code: u16) -> &FeatureDesc {
    list.iter()
        .find(|f| f.0 == code)
        .unwrap_or_else(|| panic!("feature {code:04x} missing"))
}

/// The profile list (feature 0000h) as (profile, CurrentP).
fn profiles(list: &[FeatureDesc]) -> Vec<(u16, bool)> {
    let body = &feature(list, 0x0000).2;
    assert_eq!(body.len() % 4, 0);
    body.chunks(4)
        .map(|p| (be16(p, 0), p[2] & 0x01 != 0))
        .collect()
}

#[test]
fn current_profile_follows_the_medium() {
    // §6.5: 0009h CD-R, 000Ah CD-RW, 0000h no medium; CurrentP marks it
    // in the profile list.
    for (kind, profile) in [(MediaKind::CdR, 0x0009), (MediaKind::CdRw, 0x000a)] {
        let mut h = Host::blank(kind, 80);
        let d = get_configuration(&mut h, 0, 0, 0x1000);
        assert_eq!(be16(&d, 6), profile, "{kind:?}");
        let list = profiles(&features(&d));
        assert!(list.contains(&(0x0009, profile == 0x0009)), "{list:04x?}");
        assert!(list.contains(&(0x000a, profile == 0x000a)), "{list:04x?}");
        assert_eq!(list.iter().filter(|p| p.1).count(), 1, "{list:04x?}");
    }
    let mut h = Host::with_config(RecorderConfig::default());
    let d = get_configuration(&mut h, 0, 0, 0x1000);
    assert_eq!(be16(&d, 6), 0x0000);
    let list = profiles(&features(&d));
    assert!(list.iter().all(|p| !p.1), "{list:04x?}");
}

#[test]
fn features_of_a_recorder_with_blank_cd_r() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let d = get_configuration(&mut h, 0, 0, 0x1000);
    let list = features(&d);
    let codes: Vec<u16> = list.iter().map(|f| f.0).collect();
    // MMC: descriptors in ascending feature order.
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "{codes:04x?}");
    for code in [0x0000, 0x0001, 0x0003, 0x001e, 0x002d, 0x002e] {
        assert!(codes.contains(&code), "feature {code:04x} in {codes:04x?}");
    }
    // §6.5 CD Track At Once: byte 4 bit 6 BUF, bit 2 Test Write, bit 1
    // CD-RW; bytes 6–7 data block types 0 (raw audio) and 8 (Mode 1).
    let (_, flags, tao) = feature(&list, 0x002d);
    assert_eq!(flags & 0x01, 0x01, "current with a blank disc");
    assert_eq!(tao.len(), 4);
    assert_eq!(
        tao[0] & 0x46,
        0x46,
        "BUF, test write, CD-RW: {:02x}",
        tao[0]
    );
    let types = be16(tao, 2);
    assert_eq!(types & 0x0101, 0x0101, "data types {types:04x}");
    // §6.5 CD Mastering: byte 4 bit 6 BUF, bit 5 SAO, bit 3 Raw, bit 2
    // Test Write; bytes 5–7 the maximum cue sheet length.
    let (_, flags, sao) = feature(&list, 0x002e);
    assert_eq!(flags & 0x01, 0x01, "current with a blank disc");
    assert_eq!(sao.len(), 4);
    assert_eq!(
        sao[0] & 0x6c,
        0x6c,
        "BUF, SAO, raw, test write: {:02x}",
        sao[0]
    );
    let max = u32::from_be_bytes([0, sao[1], sao[2], sao[3]]);
    assert_eq!(max, RecorderConfig::default().max_cue_sheet);
}

#[test]
fn get_configuration_current_and_one_feature() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    // RT = 01b: only descriptors with the current bit.
    let list = features(&get_configuration(&mut h, 0x01, 0, 0x1000));
    assert!(list.iter().all(|f| f.1 & 0x01 != 0));
    let codes: Vec<u16> = list.iter().map(|f| f.0).collect();
    assert!(
        codes.contains(&0x002d) && codes.contains(&0x002e),
        "{codes:04x?}"
    );
    // RT = 10b: exactly the feature at the starting feature number.
    for code in [0x002d, 0x002e, 0x0001] {
        let list = features(&get_configuration(&mut h, 0x02, code, 0x1000));
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].0, code);
    }
    // Without a medium, reading and writing CDs are not current.
    let mut h = Host::with_config(RecorderConfig::default());
    let list = features(&get_configuration(&mut h, 0x01, 0, 0x1000));
    let codes: Vec<u16> = list.iter().map(|f| f.0).collect();
    for code in [0x001e, 0x002d, 0x002e] {
        assert!(!codes.contains(&code), "{code:04x} in {codes:04x?}");
    }
    assert!(
        codes.contains(&0x0000) && codes.contains(&0x0001),
        "{codes:04x?}"
    );
}

#[test]
fn get_configuration_is_cut_to_the_allocation_length() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let full = get_configuration(&mut h, 0, 0, 0x1000);
    for alloc in [8u16, 12, 20] {
        let d = get_configuration(&mut h, 0, 0, alloc);
        assert_eq!(d.len(), alloc as usize);
        // The header still tells the whole length (§6.5 bytes 0–3).
        assert_eq!(d[..], full[..alloc as usize]);
        assert_eq!(be32(&d, 0) as usize, full.len() - 4);
    }
}

#[test]
fn other_replies_are_cut_to_the_allocation_length() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let disc = audio_disc(&[300], None);
    burn_sao(&mut h, &disc, &Page05::sao());
    // Allocation length in bytes 7–8 of each; the reply's 2-byte length
    // field stays that of the whole reply (§6.6–§6.9).
    let cases = [
        ("mode sense 2Ah", [0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 0, 0]),
        ("read disc information", [0x51, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("read toc", [0x43, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("read track information", [0x52, 1, 0, 0, 0, 1, 0, 0, 0, 0]),
    ];
    for (what, mut cdb) in cases {
        cdb[7] = 0x10;
        let full = h.data_in(&cdb, 0x1000).data;
        assert!(full.len() > 6, "{what}");
        cdb[7] = 0;
        cdb[8] = 6;
        let r = h.data_in(&cdb, 6);
        assert!(r.passed(), "{what}");
        assert_eq!(r.data, full[..6], "{what}");
        assert_eq!(be16(&r.data, 0) as usize, full.len() - 2, "{what}");
    }
}

// ---------------------------------------------------------------------------
// READ DISC INFORMATION, READ TRACK INFORMATION, ATIP on blank discs
// ---------------------------------------------------------------------------

#[test]
fn disc_information_of_blank_media() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let d = h.disc_info();
    // §6.6.
    assert_eq!(be16(&d, 0) as usize, d.len() - 2);
    assert_eq!(d[2], 0x00, "not erasable, last session empty, disc blank");
    assert_eq!(d[3], 1, "first track");
    assert_eq!((d[4], d[5], d[6]), (1, 1, 1), "sessions, first/last track");
    assert_eq!(d[8], 0xff, "disc type undefined");
    assert_eq!(d[16..20], [0, 97, 26, 65], "lead-in start from the ATIP");
    assert_eq!(d[20..24], [0, 79, 59, 74], "last possible lead-out");

    let mut h = Host::blank(MediaKind::CdRw, 80);
    let d = h.disc_info();
    assert_eq!(d[2], 0x10, "erasable, empty, blank");
    let rw = MediaSpec::new(MediaKind::CdRw, 80).unwrap();
    let m = rw.lead_in_start;
    assert_eq!(d[16..20], [0, m.minute(), m.second(), m.frame()]);
    assert_eq!(d[20..24], [0, 79, 59, 74]);
}

#[test]
fn invisible_track_of_a_blank_disc() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    h.select(&Page05::tao_mode1());
    let r = h.track_info(0x01, 0xff);
    assert!(r.passed());
    let d = r.data;
    // §6.7.
    assert_eq!(be16(&d, 0) as usize, d.len() - 2);
    assert_eq!((d[2], d[3]), (1, 1), "track 1 of session 1");
    assert_eq!(d[6] & 0x40, 0x40, "blank");
    assert_eq!(d[7] & 0x01, 0x01, "NWA valid");
    assert_eq!(be32(&d, 8), 0, "track start");
    // TAO: the drive writes the 150-sector pregap; the host starts at 0.
    assert_eq!(be32(&d, 12), 0, "next writable address");
    assert_eq!(be32(&d, 16), LAST_LEADOUT_80, "free blocks");
}

#[test]
fn atip_of_cd_r_and_cd_rw() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let r = h.toc(0x04, false, 0);
    assert!(r.passed());
    let d = r.data;
    // §6.8 ATIP.
    assert_eq!(be16(&d, 0) as usize, d.len() - 2);
    assert_eq!(d[4] & 0x80, 0x80);
    assert_eq!(d[5] & 0x80, 0x00);
    assert_eq!(d[6] & 0xc0, 0x80, "bit 7 set, disc type 0 = CD-R");
    assert_eq!(d[8..11], [97, 26, 65]);
    assert_eq!(d[12..15], [79, 59, 74]);

    let mut h = Host::blank(MediaKind::CdRw, 80);
    let d = h.toc(0x04, false, 0).data;
    assert_eq!(d[6] & 0xc0, 0xc0, "disc type 1 = CD-RW");
    let m = MediaSpec::new(MediaKind::CdRw, 80).unwrap().lead_in_start;
    assert_eq!(d[8..11], [m.minute(), m.second(), m.frame()]);
    assert_eq!(d[12..15], [79, 59, 74]);
}

// ---------------------------------------------------------------------------
// MODE SENSE / MODE SELECT
// ---------------------------------------------------------------------------

/// The pages of a MODE SENSE(10) reply (§6.9): (code, page bytes).
fn mode_pages(d: &[u8]) -> Vec<(u8, Vec<u8>)> {
    assert_eq!(be16(d, 0) as usize, d.len() - 2, "mode data length");
    let mut at = 8 + be16(d, 6) as usize;
    let mut out = Vec::new();
    while at < d.len() {
        let len = d[at + 1] as usize;
        out.push((d[at] & 0x3f, d[at..at + 2 + len].to_vec()));
        at += 2 + len;
    }
    assert_eq!(at, d.len());
    out
}

fn one_page(h: &mut Host, pc_page: u8) -> Vec<u8> {
    let r = h.mode_sense(pc_page);
    assert!(r.passed(), "mode sense {pc_page:02x}: {:?}", h.sense());
    let pages = mode_pages(&r.data);
    assert_eq!(pages.len(), 1, "one page for {pc_page:02x}");
    assert_eq!(pages[0].0, pc_page & 0x3f);
    pages[0].1.clone()
}

#[test]
fn write_parameters_page_current_default_changeable() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    for pc in [0x00, 0x80] {
        let p = one_page(&mut h, pc | 0x05);
        // §6.9/§6.10: length 32h (or 36h with vendor bytes).
        assert!(p[1] == 0x32 || p[1] == 0x36, "page length {:02x}", p[1]);
    }
    // Changeable: what MODE SELECT may set is marked with ones.
    let c = one_page(&mut h, 0x40 | 0x05);
    assert_eq!(
        c[2] & 0x5f,
        0x5f,
        "BUFE, test write, write type: {:02x}",
        c[2]
    );
    assert_eq!(c[3] & 0xcf, 0xcf, "multi-session, track mode: {:02x}", c[3]);
    assert_eq!(c[4] & 0x0f, 0x0f, "data block type: {:02x}", c[4]);
    assert_eq!(c[8], 0xff, "session format");
    assert_eq!(c[14..16], [0xff, 0xff], "audio pause length");
}

#[test]
fn mode_select_then_mode_sense_returns_the_page() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let page = Page05 {
        test_write: true,
        multi_session: 3,
        mcn: Some(*b"0036000291452"),
        ..Page05::sao()
    };
    h.select(&page);
    let mut got = one_page(&mut h, 0x05);
    got[0] &= 0x7f; // PS
    assert_eq!(got[..0x34], page.bytes()[..], "current page 05h");
    // A TAO page replaces it.
    let page = Page05 {
        track_mode: 0,
        data_block_type: 0,
        audio_pause: 0,
        ..Page05::tao_mode1()
    };
    h.select(&page);
    let mut got = one_page(&mut h, 0x05);
    got[0] &= 0x7f;
    assert_eq!(got[..0x34], page.bytes()[..]);
}

#[test]
fn capabilities_page() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let p = one_page(&mut h, 0x2a);
    let c = RecorderConfig::default();
    // §6.11.
    assert_eq!(p[2] & 0x03, 0x03, "CD-R and CD-RW read");
    assert_eq!(p[3] & 0x07, 0x07, "CD-R write, CD-RW write, test write");
    assert_eq!(p[4] & 0x80, 0x80, "BUF");
    assert_eq!(p[6] & 0x08, 0x08, "eject");
    assert_eq!(be16(&p, 12) as usize, c.buffer_bytes / 1024, "buffer KiB");
    let n = be16(&p, 30) as usize;
    assert_eq!(n, c.write_speeds.len(), "write speed descriptors");
    assert_eq!(p.len(), 32 + 4 * n);
    assert_eq!(p[1] as usize, 30 + 4 * n, "page length");
    let speeds: Vec<u16> = (0..n).map(|k| be16(&p, 32 + 4 * k + 2)).collect();
    assert!(speeds.windows(2).all(|w| w[0] > w[1]), "{speeds:?}");
    for (&kbs, &x) in speeds.iter().zip(c.write_speeds.iter().rev()) {
        assert_kbs(kbs as u32, x);
    }
    // A fresh drive records at its top speed.
    assert_kbs(be16(&p, 28) as u32, *c.write_speeds.last().unwrap());
}

#[test]
fn all_pages() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let r = h.mode_sense(0x3f);
    assert!(r.passed());
    let codes: Vec<u8> = mode_pages(&r.data).iter().map(|p| p.0).collect();
    assert_eq!(
        codes.iter().filter(|&&c| c == 0x05).count(),
        1,
        "{codes:02x?}"
    );
    assert_eq!(
        codes.iter().filter(|&&c| c == 0x2a).count(),
        1,
        "{codes:02x?}"
    );
}

// ---------------------------------------------------------------------------
// SET CD SPEED, GET PERFORMANCE, READ BUFFER CAPACITY
// ---------------------------------------------------------------------------

/// `kbs` is `x`× at 176.4 kB/s, k = 1000, to the nearest kB/s either way
/// (§6.18).
fn assert_kbs(kbs: u32, x: u16) {
    let exact = x as f64 * 176.4;
    assert!(
        (kbs as f64 - exact).abs() < 1.0,
        "{kbs} kB/s is not {x}x ({exact})"
    );
}

fn set_cd_speed(h: &mut Host, write_kbs: u16) {
    let [w0, w1] = write_kbs.to_be_bytes();
    let r = h.none(&[0xbb, 0, 0xff, 0xff, w0, w1, 0, 0, 0, 0, 0, 0]);
    assert!(r.passed(), "set cd speed {write_kbs}: {:?}", h.sense());
}

#[test]
fn write_speeds_from_get_performance() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    // §6.18: type 03h, up to 16 descriptors.
    let r = h.data_in(&[0xac, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0x03, 0], 8 + 16 * 16);
    assert!(r.passed());
    let d = r.data;
    assert_eq!(be32(&d, 0) as usize, d.len() - 4, "write speed data length");
    assert_eq!((d.len() - 8) % 16, 0);
    let speeds: Vec<u32> = d[8..].chunks(16).map(|e| be32(e, 12)).collect();
    let c = RecorderConfig::default();
    assert_eq!(speeds.len(), c.write_speeds.len());
    assert!(speeds.windows(2).all(|w| w[0] > w[1]), "{speeds:?}");
    for (&kbs, &x) in speeds.iter().zip(c.write_speeds.iter().rev()) {
        assert_kbs(kbs, x);
    }
    // Fewer descriptors asked, fewer given (the fastest first).
    let r = h.data_in(&[0xac, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0x03, 0], 8 + 2 * 16);
    assert!(r.passed());
    assert_eq!(r.data.len(), 8 + 2 * 16);
    assert_eq!(be32(&r.data, 8 + 12), speeds[0]);
}

#[test]
fn set_cd_speed_selects_the_write_speed() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let current = |h: &mut Host| be16(&one_page(h, 0x2a), 28) as u32;
    let nominal = |h: &mut Host| {
        // §6.18 type 00h, Write bit, tolerance 10b.
        let r = h.data_in(&[0xac, 0x14, 0, 0, 0, 0, 0, 0, 0, 1, 0x00, 0], 8 + 16);
        assert!(r.passed());
        let d = r.data;
        assert_eq!(be32(&d, 0) as usize, d.len() - 4);
        assert_eq!(d[4] & 0x02, 0x02, "write bit echoed");
        assert_eq!(d.len(), 8 + 16);
        (be32(&d, 12), be32(&d, 20))
    };
    // 4× = 705.6 kB/s; hosts ask a little more (§6.18).
    set_cd_speed(&mut h, 706);
    assert_kbs(current(&mut h), 4);
    let (start, end) = nominal(&mut h);
    assert_kbs(start, 4);
    assert_kbs(end, 4);
    // 16× asked as 2823 kB/s.
    set_cd_speed(&mut h, 2823);
    assert_kbs(current(&mut h), 16);
    // FFFFh = the maximum.
    set_cd_speed(&mut h, 0xffff);
    assert_kbs(current(&mut h), 48);
    assert_kbs(nominal(&mut h).0, 48);
}

#[test]
fn buffer_capacity_in_bytes_and_blocks() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    // §6.14, BLOCK = 0.
    let r = h.data_in(&[0x5c, 0, 0, 0, 0, 0, 0, 0, 12, 0], 12);
    assert!(r.passed());
    let d = r.data;
    assert_eq!(d.len(), 12);
    assert_eq!(be16(&d, 0), 10, "data length");
    assert_eq!(d[3] & 0x01, 0);
    let length = be32(&d, 4);
    assert_eq!(length as usize, RecorderConfig::default().buffer_bytes);
    assert_eq!(length, 2 << 20);
    assert!(be32(&d, 8) <= length);
    assert_eq!(be32(&d, 8), length, "an idle buffer is empty");
    // BLOCK = 1: available length in blocks of the current block size
    // (Mode 1, 2048 bytes, page 05h data block type 8).
    h.select(&Page05::tao_mode1());
    let r = h.data_in(&[0x5c, 0x01, 0, 0, 0, 0, 0, 0, 12, 0], 12);
    assert!(r.passed());
    let d = r.data;
    assert_eq!(d[3] & 0x01, 0x01);
    assert_eq!(be32(&d, 8), length / 2048);
}

#[test]
fn buffer_takes_the_blocks_it_reports_free() {
    let mut h = Host::timed(MediaKind::CdR, 80);
    h.select(&Page05::tao_mode1());
    // One block starts the track (the drive queues its pregap too).
    assert!(h.write10(0, 1, &[0; 2048]).passed());
    // §6.14 BLOCK = 1: the blocks the buffer can take now. Sending that
    // many must not make the host wait for the laser.
    let r = h.data_in(&[0x5c, 0x01, 0, 0, 0, 0, 0, 0, 12, 0], 12);
    assert!(r.passed());
    let available = be32(&r.data, 8);
    assert!(available > 0);
    let before = h.now;
    let r = h.write10(1, available as u16, &vec![0; available as usize * 2048]);
    assert!(r.passed());
    assert_eq!(
        h.now - before,
        Duration::ZERO,
        "{available} blocks reported free did not fit"
    );
}

// ---------------------------------------------------------------------------
// SAO: SEND CUE SHEET, WRITE, SYNCHRONIZE CACHE, read back
// ---------------------------------------------------------------------------

/// An audio disc planned by `layout` with tracks of `lengths` sectors.
fn audio_disc(lengths: &[u32], cdtext: Option<CdText>) -> Disc {
    let mut c = ImageCreator::new();
    let audio = c.add_source("audio.wav", SourceFormat::Audio).unwrap();
    let mut offset = 0;
    for &sectors in lengths {
        let span = SourceSpan {
            source: audio,
            offset,
            sectors,
        };
        c.add_track(SectorType::Audio, span).unwrap();
        offset += sectors as u64 * 2352;
    }
    let mut project = c.project().clone();
    project.cdtext = cdtext;
    ImageCreator::from_project(project)
        .create_result_image()
        .unwrap()
}

/// What the host writes at `lba`: 2352 bytes of made-up audio.
fn audio_sector(lba: i32) -> Vec<u8> {
    (0..2352)
        .map(|i| (lba.wrapping_mul(31).wrapping_add(i * 7) % 251) as u8)
        .collect()
}

/// Audio from `start` up to `end`.
fn audio(start: i32, end: i32) -> Vec<u8> {
    (start..end).flat_map(audio_sector).collect()
}

/// A whole SAO burn of an audio `disc` (§6.21): page 05h, cue sheet,
/// WRITE from −150 to the lead-out, SYNCHRONIZE CACHE, wait.
fn burn_sao(h: &mut Host, disc: &Disc, page: &Page05) {
    h.select(page);
    let sheet = CueSheet::from_disc(disc, CueSheetOptions::default()).unwrap();
    let r = h.send_cue_sheet(&sheet.to_vec());
    assert!(r.passed(), "send cue sheet: {:?}", h.sense());
    h.write_blocks(-150, 2352, &audio(-150, disc.leadout().get()));
    assert!(h.sync(false).passed());
    h.wait_ready();
}

fn read_cd_raw(h: &mut Host, lba: i32, blocks: u32) -> Vec<u8> {
    let cdb = ReadCd::raw(lba, blocks, Subchannel::RawPw96).to_bytes();
    let r = h.data_in(&cdb, blocks * 2448);
    assert!(r.passed(), "read cd {lba}+{blocks}: {:?}", h.sense());
    assert_eq!(r.data.len(), blocks as usize * 2448);
    r.data
}

#[test]
fn sao_audio_burn_reads_back() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let disc = audio_disc(&[400, 350], None);
    burn_sao(&mut h, &disc, &Page05::sao());

    // §6.8 format 0, LBA and MSF, as `layout` computes the TOC.
    let r = h.toc(0x00, false, 0);
    assert!(r.passed());
    assert_eq!(r.data, disc.toc_format0(false));
    let r = h.toc(0x00, true, 0);
    assert!(r.passed());
    assert_eq!(r.data, disc.toc_format0(true));
    // From track 2 on: track 2 and the lead-out, header unchanged.
    let full = disc.toc_format0(false);
    let r = h.toc(0x00, false, 2);
    assert!(r.passed());
    assert_eq!(be16(&r.data, 0), 2 + 16);
    assert_eq!(r.data[2..4], full[2..4]);
    assert_eq!(r.data[4..], full[12..]);
    // Track AAh: the lead-out alone.
    let r = h.toc(0x00, false, 0xaa);
    assert!(r.passed());
    assert_eq!(r.data[4..], full[full.len() - 8..]);
    // Format 1: sessions 1–1, the first track of the last session.
    let r = h.toc(0x01, false, 0);
    assert!(r.passed());
    assert_eq!(r.data, [0x00, 0x0a, 1, 1, 0, full[5], 1, 0, 0, 0, 0, 0]);
    // Format 2: the full TOC.
    let r = h.toc(0x02, false, 0);
    assert!(r.passed());
    assert_eq!(r.data, disc.toc_format2());

    // §6.6: one complete session, finalized (multi-session 00b).
    let d = h.disc_info();
    assert_eq!(d[2], 0x0e, "last session complete, disc finalized");
    assert_eq!((d[3], d[4], d[5], d[6]), (1, 1, 1, 2));
    assert_eq!(d[8], 0x00, "CD-DA");

    // READ CD: the sectors written, with the P/Q `layout` makes for the
    // disc, and no R–W.
    let generator = SubcodeGenerator::new(&disc);
    let end = disc.leadout().get();
    let mut lba = -150;
    while lba < end {
        let n = (end - lba).min(100);
        let got = read_cd_raw(&mut h, lba, n as u32);
        for (k, frame) in got.chunks(2448).enumerate() {
            let l = lba + k as i32;
            assert_eq!(frame[..2352], audio_sector(l)[..], "main at {l}");
            let sub: &[u8; 96] = frame[2352..].try_into().unwrap();
            let (p, q) = generator.pq(Lba(l));
            assert_eq!(pq_from_interleaved(sub), (p, q.0), "P/Q at {l}");
            assert!(sub.iter().all(|s| s & 0x3f == 0), "R-W at {l}");
        }
        lba += n;
    }
    // The lead-out the drive wrote: digital silence, lead-out Q.
    let got = read_cd_raw(&mut h, end, 10);
    for (k, frame) in got.chunks(2448).enumerate() {
        let l = end + k as i32;
        assert!(
            frame[..2352].iter().all(|&b| b == 0),
            "lead-out main at {l}"
        );
        let sub: &[u8; 96] = frame[2352..].try_into().unwrap();
        let (p, q) = generator.pq(Lba(l));
        assert_eq!(pq_from_interleaved(sub), (p, q.0), "lead-out P/Q at {l}");
    }
}

#[test]
fn track_information_after_sao() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let disc = audio_disc(&[400, 350], None);
    burn_sao(&mut h, &disc, &Page05::sao());
    let toc = disc.toc_format0(false);
    let start = |n: usize| be32(&toc, 4 + 8 * (n - 1) + 4);
    // §6.7: by track number.
    for n in [1u8, 2] {
        let r = h.track_info(0x01, n as u32);
        assert!(r.passed());
        let d = r.data;
        assert_eq!((d[2], d[3]), (n, 1));
        assert_eq!(d[5] & 0x0f, 0x0, "track mode: audio CONTROL");
        assert_eq!(d[6] & 0x40, 0, "not blank");
        assert_eq!(d[7] & 0x01, 0, "no NWA in a complete track");
        assert_eq!(be32(&d, 8), start(n as usize));
    }
    // By LBA: the track holding it.
    let r = h.track_info(0x00, start(2) + 10);
    assert!(r.passed());
    assert_eq!(r.data[2], 2);
    let r = h.track_info(0x00, 10);
    assert!(r.passed());
    assert_eq!(r.data[2], 1);
    // By session: its first track.
    let r = h.track_info(0x02, 1);
    assert!(r.passed());
    assert_eq!(r.data[2], 1);
}

/// Packs of one CD-TEXT block: disc and two track titles.
fn sample_cdtext() -> CdText {
    let title = |t: &str| TextFields {
        title: Some(t.into()),
        performer: Some("vdrive".into()),
        ..TextFields::default()
    };
    CdText {
        blocks: vec![TextBlock {
            disc: title("Conformance"),
            tracks: vec![title("One"), title("Two")],
            ..TextBlock::default()
        }],
        toc_info: true,
    }
}

#[test]
fn sao_with_cd_text_then_toc_format_5() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let disc = audio_disc(&[400, 350], Some(sample_cdtext()));
    assert!(!disc.cdtext_packs().is_empty());
    h.select(&Page05::sao());
    // §6.12/§6.13: lead-in form 41h; the host writes from the ATIP lead-in
    // start 97:26:65 (LBA −11635) with 96 bytes of raw P–W per block.
    let options = CueSheetOptions {
        cdtext: true,
        lead_in: Some(MediaSpec::new(MediaKind::CdR, 80).unwrap().lead_in_start),
        ..CueSheetOptions::default()
    };
    let sheet = CueSheet::from_disc(&disc, options).unwrap();
    let r = h.send_cue_sheet(&sheet.to_vec());
    assert!(r.passed(), "send cue sheet: {:?}", h.sense());
    let mut encoder = FrameEncoder::new(
        &disc,
        FrameOptions {
            start: Lba(-11635),
            end: Lba(-150),
            subchannel: SubchannelFormat::Interleaved,
            scramble: false,
        },
    )
    .unwrap();
    let mut lead_in = Vec::new();
    while let Some(batch) = encoder.next_batch(1024) {
        let mut out = vec![0u8; batch.sectors as usize * encoder.frame_size()];
        encoder.encode(&batch, &[], &[], &mut out).unwrap();
        for frame in out.chunks(2448) {
            lead_in.extend_from_slice(&frame[2352..]);
        }
    }
    assert_eq!(lead_in.len(), 11485 * 96);
    h.write_blocks(-11635, 96, &lead_in);
    h.write_blocks(-150, 2352, &audio(-150, disc.leadout().get()));
    assert!(h.sync(false).passed());
    h.wait_ready();

    // §6.8 format 5: 2 reserved bytes, then the 18-byte packs.
    let r = h.toc(0x05, false, 0);
    assert!(r.passed(), "read toc format 5: {:?}", h.sense());
    let packs: Vec<u8> = disc.cdtext_packs().iter().flat_map(|p| p.0).collect();
    assert_eq!(be16(&r.data, 0) as usize, 2 + packs.len());
    assert_eq!(r.data[4..], packs[..]);
    assert_eq!(r.data, [&r.data[..4], &packs[..]].concat());
    assert_eq!(h.toc(0x00, false, 0).data, disc.toc_format0(false));
}

// ---------------------------------------------------------------------------
// TAO: tracks, CLOSE TRACK/SESSION, multi-session, RESERVE TRACK
// ---------------------------------------------------------------------------

/// Mode 1 user data for `blocks` blocks, marked with `seed`.
fn mode1_data(blocks: usize, seed: u8) -> Vec<u8> {
    (0..blocks * 2048)
        .map(|i| (i / 2048) as u8 ^ (i as u8).wrapping_mul(13) ^ seed)
        .collect()
}

/// NWA of the invisible track (§6.7, track FFh), with its track number.
fn next_writable(h: &mut Host) -> (u8, u32) {
    let r = h.track_info(0x01, 0xff);
    assert!(r.passed(), "read track information: {:?}", h.sense());
    assert_eq!(r.data[7] & 0x01, 0x01, "NWA valid");
    (r.data[2], be32(&r.data, 12))
}

/// Writes one TAO track of `data` at the NWA and ends it with
/// SYNCHRONIZE CACHE; returns where it started.
fn tao_track(h: &mut Host, data: &[u8]) -> u32 {
    let (_, nwa) = next_writable(h);
    h.write_blocks(nwa as i32, 2048, data);
    assert!(h.sync(false).passed());
    h.wait_ready();
    nwa
}

/// Reads Mode 1 user data (READ CD, expected type Mode 1, user data
/// only, §6.19).
fn read_user_data(h: &mut Host, lba: u32, blocks: u32) -> Vec<u8> {
    let [a, b, c, d] = lba.to_be_bytes();
    let [_, n0, n1, n2] = blocks.to_be_bytes();
    let r = h.data_in(
        &[0xbe, 0x08, a, b, c, d, n0, n1, n2, 0x10, 0, 0],
        blocks * 2048,
    );
    assert!(r.passed(), "read cd {lba}: {:?}", h.sense());
    r.data
}

/// TOC format 0 entries (track, ADR/CONTROL, address).
fn toc_entries(d: &[u8]) -> Vec<(u8, u8, u32)> {
    assert_eq!(be16(d, 0) as usize, d.len() - 2);
    d[4..].chunks(8).map(|e| (e[2], e[1], be32(e, 4))).collect()
}

#[test]
fn tao_two_tracks_then_close_session_finalizes() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    h.select(&Page05::tao_mode1());
    let (one, two) = (mode1_data(320, 1), mode1_data(350, 2));
    assert_eq!(tao_track(&mut h, &one), 0);

    // §6.7: track 1 done; the invisible track 2 starts after 2 run-out
    // blocks and a 150-sector pregap (§4 TAO gaps).
    let (number, nwa) = next_writable(&mut h);
    assert_eq!(number, 2);
    assert_eq!(nwa, 320 + 2 + 150);
    let r = h.track_info(0x01, 1);
    assert!(r.passed());
    let d = r.data;
    assert_eq!((d[2], d[3]), (1, 1));
    assert_eq!(d[5] & 0x0f, 0x4, "data track");
    assert_eq!(d[6] & 0x4f, 0x01, "not blank, Mode 1");
    assert_eq!(d[7] & 0x01, 0x00, "no NWA");
    assert_eq!(be32(&d, 8), 0);
    // §6.6 with the session open: appendable, last session incomplete;
    // the invisible track 2 is the last track of the last session.
    let d = h.disc_info();
    assert_eq!(d[2] & 0x0f, 0x05, "incomplete session, appendable");
    assert_eq!((d[4], d[5], d[6]), (1, 1, 2));

    assert_eq!(tao_track(&mut h, &two), nwa);
    assert!(h.close(false, 0x02, 0).passed());
    h.wait_ready();

    // §6.8 format 0: two data tracks, lead-out after track 2's run-out.
    let r = h.toc(0x00, false, 0);
    assert!(r.passed());
    assert_eq!(r.data[2..4], [1, 2]);
    assert_eq!(
        toc_entries(&r.data),
        [(1, 0x14, 0), (2, 0x14, nwa), (0xaa, 0x14, nwa + 350 + 2)]
    );
    // §6.6: multi-session 00b finalizes.
    let d = h.disc_info();
    assert_eq!(d[2] & 0x0f, 0x0e, "complete session, finalized");
    assert_eq!((d[3], d[4], d[5], d[6]), (1, 1, 1, 2));
    // §6.5: still a CD-R, but nothing more can be written on it.
    let d = get_configuration(&mut h, 0x01, 0, 0x1000);
    assert_eq!(be16(&d, 6), 0x0009);
    let codes: Vec<u16> = features(&d).iter().map(|f| f.0).collect();
    assert!(codes.contains(&0x001e), "{codes:04x?}");
    assert!(
        !codes.contains(&0x002d) && !codes.contains(&0x002e),
        "{codes:04x?}"
    );
    // The data reads back; by LBA and by session (§6.7).
    assert_eq!(read_user_data(&mut h, 0, 320), one);
    assert_eq!(read_user_data(&mut h, nwa, 350), two);
    let r = h.track_info(0x00, nwa + 100);
    assert!(r.passed());
    assert_eq!((r.data[2], be32(&r.data, 8)), (2, nwa));
    let r = h.track_info(0x02, 1);
    assert!(r.passed());
    assert_eq!(r.data[2], 1);
}

#[test]
fn tao_multi_session_keeps_the_disc_appendable() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let page = Page05 {
        multi_session: 3,
        ..Page05::tao_mode1()
    };
    h.select(&page);
    tao_track(&mut h, &mode1_data(300, 1));
    assert_eq!(tao_track(&mut h, &mode1_data(300, 2)), 452);
    assert!(h.close(false, 0x02, 0).passed());
    h.wait_ready();
    let leadout = 452 + 300 + 2;
    let toc = h.toc(0x00, false, 0).data;
    assert_eq!(toc_entries(&toc).last(), Some(&(0xaa, 0x14, leadout)));

    // §6.6: appendable, the new last session empty, 2 sessions counted;
    // its lead-in after the 6750-sector lead-out (§4).
    let d = h.disc_info();
    assert_eq!(d[2] & 0x0f, 0x01, "empty last session, appendable");
    assert_eq!((d[4], d[5], d[6]), (2, 3, 3));
    let lead_in = leadout as i32 + 6750;
    assert_eq!(d[16..20], [[0].as_slice(), &msf_of(lead_in)].concat()[..]);
    assert_eq!(d[20..24], [0, 79, 59, 74]);
    // §4: next program area = lead-out + 11400; the B0 pointer in the
    // full TOC says so, with the last possible lead-out (§6.8, §6.10).
    let next = leadout + 11_400;
    let full = h.toc(0x02, false, 0).data;
    let b0 = full[4..]
        .chunks(11)
        .find(|e| e[3] == 0xb0)
        .expect("a B0 pointer");
    assert_eq!(b0[1] >> 4, 5, "ADR 5");
    assert_eq!(b0[4..7], msf_of(next as i32));
    assert_eq!(b0[8..11], [79, 59, 74]);
    let (number, nwa) = next_writable(&mut h);
    assert_eq!((number, nwa), (3, next));

    // A second session, closed for good.
    h.select(&Page05::tao_mode1());
    let three = mode1_data(300, 3);
    assert_eq!(tao_track(&mut h, &three), next);
    assert!(h.close(false, 0x02, 0).passed());
    h.wait_ready();
    let d = h.disc_info();
    assert_eq!(d[2] & 0x0f, 0x0e);
    assert_eq!((d[4], d[5], d[6]), (2, 3, 3));
    // §6.8 format 1: sessions 1–2, first track of the last one.
    let r = h.toc(0x01, false, 0);
    assert!(r.passed());
    assert_eq!(r.data[2..4], [1, 2]);
    assert_eq!((r.data[6], be32(&r.data, 8)), (3, next));
    assert_eq!(read_user_data(&mut h, next, 300), three);
    // §6.7 by session number: its first track.
    let r = h.track_info(0x02, 2);
    assert!(r.passed());
    assert_eq!((r.data[2], r.data[3], be32(&r.data, 8)), (3, 2, next));
    let toc = h.toc(0x00, false, 0).data;
    assert_eq!(toc_entries(&toc)[2], (3, 0x14, next));
}

#[test]
fn reserve_track_then_write_it() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    h.select(&Page05::tao_mode1());
    // §6.20: reservation size in bytes 5–8.
    let size: u32 = 500;
    let [s0, s1, s2, s3] = size.to_be_bytes();
    let r = h.none(&[0x53, 0, 0, 0, 0, s0, s1, s2, s3, 0]);
    assert!(r.passed(), "reserve track: {:?}", h.sense());
    // §6.7: track 1 is reserved (RT), still blank, written from 0.
    let r = h.track_info(0x01, 1);
    assert!(r.passed(), "track 1 after reserving: {:?}", h.sense());
    let d = r.data;
    assert_eq!(d[2], 1);
    assert_eq!(d[6] & 0xc0, 0xc0, "reserved, blank");
    assert_eq!(d[7] & 0x01, 0x01);
    assert_eq!((be32(&d, 8), be32(&d, 12)), (0, 0));
    assert_eq!(be32(&d, 16), size, "free blocks");
    assert_eq!(be32(&d, 24), size, "track size");

    let one = mode1_data(size as usize, 7);
    h.write_blocks(0, 2048, &one);
    assert!(h.sync(false).passed());
    assert!(h.close(false, 0x01, 1).passed());
    h.wait_ready();
    let r = h.track_info(0x01, 1);
    assert!(r.passed());
    assert_eq!(r.data[6] & 0xc0, 0x00, "written");
    assert_eq!(r.data[7] & 0x01, 0x00);
    // The next track goes after the reservation and a pregap.
    let (number, nwa) = next_writable(&mut h);
    assert_eq!(number, 2);
    assert!(nwa >= size + 150, "nwa {nwa}");
    let two = mode1_data(300, 8);
    assert_eq!(tao_track(&mut h, &two), nwa);
    assert!(h.close(false, 0x02, 0).passed());
    h.wait_ready();
    let toc = toc_entries(&h.toc(0x00, false, 0).data);
    assert_eq!(toc[..2], [(1, 0x14, 0), (2, 0x14, nwa)]);
    assert_eq!(read_user_data(&mut h, 0, size), one);
    assert_eq!(read_user_data(&mut h, nwa, 300), two);
}

// ---------------------------------------------------------------------------
// Long operations: SYNCHRONIZE CACHE, BLANK, SEND OPC
// ---------------------------------------------------------------------------

/// Key, ASC and ASCQ of a sense the host helper collected.
fn codes(s: &mmc::wire::sense::Sense) -> (u8, u8, u8) {
    (s.key.code(), s.asc, s.ascq)
}

/// Progress of NOT READY sense with SKSV (§6.3 bytes 15–17).
fn progress(s: &[u8]) -> u16 {
    assert_eq!(s[15] & 0x80, 0x80, "SKSV");
    be16(s, 16)
}

#[test]
fn synchronize_cache_immed_reports_a_long_write() {
    let mut h = Host::timed(MediaKind::CdR, 80);
    set_cd_speed(&mut h, 706);
    h.select(&Page05::tao_mode1());
    let (_, nwa) = next_writable(&mut h);
    h.write_blocks(nwa as i32, 2048, &mode1_data(600, 3));
    // §6.14: the buffer holds what is not recorded yet.
    let r = h.data_in(&[0x5c, 0, 0, 0, 0, 0, 0, 0, 12, 0], 12);
    assert!(r.passed());
    assert!(be32(&r.data, 8) < be32(&r.data, 4), "blank below length");
    let before = h.now;
    assert!(h.sync(true).passed());
    assert_eq!(h.now, before, "IMMED: status at once");
    // §6.2/§6.22: 2/04/08 while the buffer is recorded; progress grows.
    let r = h.none(&TUR);
    assert!(!r.passed());
    let s = h.sense_bytes();
    assert_eq!(key_asc_ascq(&s), (0x2, 0x04, 0x08));
    let first = progress(&s);
    h.now += Duration::from_millis(500);
    let s = h.sense_bytes();
    assert_eq!(key_asc_ascq(&s), (0x2, 0x04, 0x08));
    let second = progress(&s);
    assert!(second > first, "progress {first} then {second}");
    let seen = h.wait_ready();
    assert!(!seen.is_empty());
    assert!(
        seen.iter().all(|s| codes(s) == (0x2, 0x04, 0x08)),
        "{seen:?}"
    );
    assert!(h.none(&TUR).passed());
}

#[test]
fn synchronize_cache_without_immed_answers_when_done() {
    let mut h = Host::timed(MediaKind::CdR, 80);
    set_cd_speed(&mut h, 706);
    h.select(&Page05::tao_mode1());
    let (_, nwa) = next_writable(&mut h);
    h.write_blocks(nwa as i32, 2048, &mode1_data(600, 4));
    let before = h.now;
    assert!(h.sync(false).passed());
    // 750 sectors (pregap and data) at 4× (300 sectors/s) take 2.5 s.
    assert!(
        h.now >= before + Duration::from_secs(2),
        "status after {:?}",
        h.now - before
    );
    assert!(h.none(&TUR).passed());
}

#[test]
fn blank_full_cd_rw_with_immed() {
    let mut h = Host::timed(MediaKind::CdRw, 80);
    h.select(&Page05::tao_mode1());
    tao_track(&mut h, &mode1_data(300, 5));
    assert!(h.close(false, 0x02, 0).passed());
    h.wait_ready();
    assert_eq!(h.disc_info()[2] & 0x03, 0x02, "finalized");
    // §6.17: type 0 full, IMMED; §6.22 2/04/07 until done.
    let before = h.now;
    let r = h.none(&[0xa1, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert!(r.passed(), "blank: {:?}", h.sense());
    assert_eq!(h.now, before);
    let r = h.none(&TUR);
    assert!(!r.passed());
    let first = progress(&h.sense_bytes());
    h.now += Duration::from_secs(5);
    let s = h.sense_bytes();
    assert_eq!(key_asc_ascq(&s), (0x2, 0x04, 0x07));
    assert!(progress(&s) > first, "blanking progress");
    let seen = h.wait_ready();
    assert!(!seen.is_empty(), "blanking took no time");
    assert!(
        seen.iter().all(|s| codes(s) == (0x2, 0x04, 0x07)),
        "{seen:?}"
    );
    let d = h.disc_info();
    assert_eq!(d[2], 0x10, "erasable, empty, blank");
    let r = h.toc(0x00, false, 0);
    assert_eq!(h.check(r), (0x5, 0x24, 0x00));
}

#[test]
fn blank_minimal_cd_rw() {
    let mut h = Host::blank(MediaKind::CdRw, 80);
    burn_sao(&mut h, &audio_disc(&[300], None), &Page05::sao());
    assert_eq!(h.disc_info()[2] & 0x03, 0x02);
    // §6.17 type 1: PMA, first session TOC, pregap.
    assert!(h.none(&[0xa1, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).passed());
    h.wait_ready();
    assert_eq!(h.disc_info()[2], 0x10);
    // Blank again: a new SAO burn goes on it.
    let disc = audio_disc(&[320], None);
    burn_sao(&mut h, &disc, &Page05::sao());
    assert_eq!(h.toc(0x00, false, 0).data, disc.toc_format0(false));
}

#[test]
fn send_opc_takes_time() {
    let mut h = Host::timed(MediaKind::CdR, 80);
    let before = h.now;
    // §6.20: DoOPC.
    let r = h.none(&[0x54, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert!(r.passed(), "send opc: {:?}", h.sense());
    assert!(h.now > before, "OPC took no time");
}

// ---------------------------------------------------------------------------
// Simulation (page 05h Test Write)
// ---------------------------------------------------------------------------

fn assert_still_blank(h: &mut Host) {
    let d = h.disc_info();
    assert_eq!(d[2] & 0x0f, 0x00, "empty session, blank disc");
    // Nothing recorded: 8/00/00 blank check.
    let cdb = ReadCd::raw(0, 1, Subchannel::RawPw96).to_bytes();
    let r = h.data_in(&cdb, 2448);
    assert_eq!(h.check(r), (0x8, 0x00, 0x00));
}

#[test]
fn test_write_sao_records_nothing() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let page = Page05 {
        test_write: true,
        ..Page05::sao()
    };
    burn_sao(&mut h, &audio_disc(&[400], None), &page);
    assert_still_blank(&mut h);
}

#[test]
fn test_write_tao_records_nothing() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    h.select(&Page05 {
        test_write: true,
        ..Page05::tao_mode1()
    });
    tao_track(&mut h, &mode1_data(300, 6));
    assert!(h.close(false, 0x02, 0).passed());
    h.wait_ready();
    assert_still_blank(&mut h);
}

// ---------------------------------------------------------------------------
// The tray: PREVENT ALLOW MEDIUM REMOVAL, START STOP UNIT
// ---------------------------------------------------------------------------

#[test]
fn prevent_allow_eject_and_load() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let lock_state = |h: &mut Host| one_page(h, 0x2a)[6] & 0x02 != 0;
    // §6.20: prevent, then eject is refused with 5/53/02.
    assert!(h.none(&[0x1e, 0, 0, 0, 0x01, 0]).passed());
    assert!(lock_state(&mut h), "§6.11 byte 6 bit 1 lock state");
    let r = h.none(&[0x1b, 0, 0, 0, 0x02, 0]);
    assert_eq!(h.check(r), (0x5, 0x53, 0x02));
    assert!(h.none(&TUR).passed(), "the disc stays in");
    // Allow, eject: the tray opens.
    assert!(h.none(&[0x1e, 0, 0, 0, 0x00, 0]).passed());
    assert!(!lock_state(&mut h));
    assert!(h.none(&[0x1b, 0, 0, 0, 0x02, 0]).passed());
    let r = h.none(&TUR);
    assert_eq!(h.check(r), (0x2, 0x3a, 0x02));
    // Load: the tray closes on the disc; 6/28/00, then ready.
    assert!(h.none(&[0x1b, 0, 0, 0, 0x03, 0]).passed());
    let r = h.none(&TUR);
    assert_eq!(h.check(r), (0x6, 0x28, 0x00));
    assert!(h.none(&TUR).passed());
    assert_eq!(h.disc_info()[2], 0x00);
}
