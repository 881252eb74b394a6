#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! What the virtual recorder refuses, and the sense it gives
//! (`cd-standards.md` §6.22 unless another section is cited), spoken as raw
//! CBWs over its Bulk-Only interface.

mod common;

use common::{Host, Page05};
use mmc::wire::bot::Direction;
use mmc::wire::command::Write12;
use vdrive::MediaKind;

/// 5/20/00 invalid command operation code.
const INVALID_OPCODE: (u8, u8, u8) = (0x5, 0x20, 0x00);
/// 5/21/00 logical block address out of range.
const LBA_OUT_OF_RANGE: (u8, u8, u8) = (0x5, 0x21, 0x00);
/// 5/21/02 invalid address for write.
const INVALID_WRITE_ADDRESS: (u8, u8, u8) = (0x5, 0x21, 0x02);
/// 5/24/00 invalid field in CDB.
const INVALID_FIELD_IN_CDB: (u8, u8, u8) = (0x5, 0x24, 0x00);
/// 5/26/00 invalid field in parameter list.
const INVALID_FIELD_IN_PARAMETERS: (u8, u8, u8) = (0x5, 0x26, 0x00);
/// 5/2C/00 command sequence error.
const SEQUENCE_ERROR: (u8, u8, u8) = (0x5, 0x2c, 0x00);
/// 5/30/05 cannot write medium, incompatible format.
const CANNOT_WRITE_MEDIUM: (u8, u8, u8) = (0x5, 0x30, 0x05);
/// 5/64/00 illegal mode for this track.
const ILLEGAL_MODE_FOR_TRACK: (u8, u8, u8) = (0x5, 0x64, 0x00);
/// 5/1A/00 parameter list length error (SPC-3).
const PARAMETER_LENGTH_ERROR: (u8, u8, u8) = (0x5, 0x1a, 0x00);
/// 5/39/00 saving parameters not supported (SPC-3).
const SAVING_NOT_SUPPORTED: (u8, u8, u8) = (0x5, 0x39, 0x00);
/// 5/30/00 incompatible medium installed.
const INCOMPATIBLE_MEDIUM: (u8, u8, u8) = (0x5, 0x30, 0x00);

#[test]
fn unknown_operation_code() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let r = h.none(&[0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(h.check(r), INVALID_OPCODE);
    // The drive goes on as before.
    assert!(h.none(&[0, 0, 0, 0, 0, 0]).passed());
}

#[test]
fn inquiry_of_an_unsupported_page() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    // EVPD = 1, a page the drive does not list.
    let r = h.data_in(&[0x12, 0x01, 0x83, 0, 255, 0], 255);
    assert_eq!(h.check(r), INVALID_FIELD_IN_CDB);
    // EVPD = 0 with a page code (SPC-3 6.4.1).
    let r = h.data_in(&[0x12, 0x00, 0x80, 0, 36, 0], 36);
    assert_eq!(h.check(r), INVALID_FIELD_IN_CDB);
}

#[test]
fn toc_of_a_blank_disc() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    for msf in [false, true] {
        let r = h.toc(0x00, msf, 0);
        assert_eq!(h.check(r), INVALID_FIELD_IN_CDB);
    }
}

#[test]
fn mode_sense_saved_values_and_unknown_pages() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    // §6.9 PC = 11b saved.
    let r = h.mode_sense(0xc0 | 0x05);
    assert_eq!(h.check(r), SAVING_NOT_SUPPORTED);
    let r = h.mode_sense(0x29);
    assert_eq!(h.check(r), INVALID_FIELD_IN_CDB);
}

/// The current page 05h (MODE SENSE, PS cleared).
fn current_page(h: &mut Host) -> Vec<u8> {
    let r = h.mode_sense(0x05);
    assert!(r.passed());
    let mut p = r.data[8..].to_vec();
    p[0] &= 0x7f;
    p
}

#[test]
fn mode_select_refuses_combinations_it_cannot_record() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let good = Page05::tao_mode1();
    h.select(&good);
    let before = current_page(&mut h);
    // §6.10: RAW takes data block types 1–3, TAO 0 and 8–13; write type 0
    // (packet) is not offered by a CD-R/RW recorder without the
    // incremental feature; multi-session 10b is reserved.
    let bad = [
        Page05 {
            write_type: 3,
            data_block_type: 8,
            ..good.clone()
        },
        Page05 {
            write_type: 1,
            data_block_type: 1,
            ..good.clone()
        },
        Page05 {
            write_type: 0,
            ..good.clone()
        },
        Page05 {
            multi_session: 2,
            ..good.clone()
        },
    ];
    for page in bad {
        let r = h.mode_select(&page.bytes());
        assert_eq!(h.check(r), INVALID_FIELD_IN_PARAMETERS, "{page:?}");
        assert_eq!(current_page(&mut h), before, "page kept after {page:?}");
    }
}

#[test]
fn mode_select_cdb_and_length_errors() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let mut data = vec![0u8; 8];
    data.extend_from_slice(&Page05::sao().bytes());
    let n = data.len() as u8;
    // §6.9 byte 1 bit 0 SP: saving not supported.
    let r = h.data_out(&[0x55, 0x11, 0, 0, 0, 0, 0, 0, n, 0], &data);
    assert_eq!(h.check(r), SAVING_NOT_SUPPORTED);
    // PF = 0: only page format parameters are understood.
    let r = h.data_out(&[0x55, 0x00, 0, 0, 0, 0, 0, 0, n, 0], &data);
    assert_eq!(h.check(r), INVALID_FIELD_IN_CDB);
    // A parameter list shorter than the 8-byte header.
    let r = h.data_out(&[0x55, 0x10, 0, 0, 0, 0, 0, 0, 4, 0], &[0; 4]);
    assert_eq!(h.check(r), PARAMETER_LENGTH_ERROR);
    // Nothing of that changed the page (still the power-on TAO page).
    assert_eq!(current_page(&mut h)[2] & 0x0f, 0x01);
}

/// A one-track audio cue sheet (§6.12): lead-in, track 1 index 0 at
/// 00:00:00, index 1 at 00:02:00, lead-out at `leadout` (M, S, F).
fn audio_sheet(leadout: [u8; 3]) -> Vec<[u8; 8]> {
    vec![
        [0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0],
        [0x01, 0x01, 0x00, 0x00, 0, 0, 0, 0],
        [0x01, 0x01, 0x01, 0x00, 0, 0, 2, 0],
        [
            0x01, 0xaa, 0x01, 0x01, 0, leadout[0], leadout[1], leadout[2],
        ],
    ]
}

#[test]
fn send_cue_sheet_errors() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let sheet = audio_sheet([0, 6, 0]).concat();
    // §6.12: a cue sheet needs write type 2 (the power-on page is TAO).
    let r = h.send_cue_sheet(&sheet);
    assert_eq!(h.check(r), SEQUENCE_ERROR);

    h.select(&Page05::sao());
    // Size not a multiple of 8 (§6.12 CDB bytes 6–8).
    let r = h.data_out(&[0x5d, 0, 0, 0, 0, 0, 0, 0, 12, 0], &sheet[..12]);
    assert_eq!(h.check(r), INVALID_FIELD_IN_CDB);
    // Sheets that do not describe a session.
    let no_leadout = audio_sheet([0, 6, 0])[..3].concat();
    let backwards = audio_sheet([0, 1, 0]).concat();
    let mut late = audio_sheet([0, 6, 0]);
    late[1][6] = 1; // index 0 at 00:01:00
    let late = late.concat();
    for (what, bad) in [
        ("no lead-out", no_leadout),
        ("times going backwards", backwards),
        ("first entry not at 00:00:00", late),
    ] {
        let r = h.send_cue_sheet(&bad);
        assert_eq!(h.check(r), INVALID_FIELD_IN_PARAMETERS, "{what}");
    }
    // Lead-out past the ATIP's last possible lead-out 79:59:74 (§6.8).
    let r = h.send_cue_sheet(&audio_sheet([80, 0, 0]).concat());
    assert_eq!(h.check(r), LBA_OUT_OF_RANGE);
    // None of those was taken: WRITE has no cue sheet to follow.
    let r = h.write10(-150, 1, &[0; 2352]);
    assert_eq!(h.check(r), SEQUENCE_ERROR);
    // Right at the limit is fine.
    let r = h.send_cue_sheet(&audio_sheet([79, 59, 74]).concat());
    assert!(r.passed(), "lead-out at 79:59:74: {:?}", h.sense());
}

#[test]
fn write_in_sao_without_a_cue_sheet() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    h.select(&Page05::sao());
    let r = h.write10(-150, 1, &[0; 2352]);
    assert_eq!(h.check(r), SEQUENCE_ERROR);
}

#[test]
fn write_in_tao_away_from_the_next_writable_address() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    h.select(&Page05::tao_mode1());
    // §6.13: TAO writes start at the NWA (0 on a blank disc, §6.7).
    for lba in [10, -150, 1] {
        let r = h.write10(lba, 1, &[0; 2048]);
        assert_eq!(h.check(r), INVALID_WRITE_ADDRESS, "lba {lba}");
    }
    assert!(h.write10(0, 1, &[0; 2048]).passed());
    let r = h.write10(2, 1, &[0; 2048]);
    assert_eq!(h.check(r), INVALID_WRITE_ADDRESS);
}

#[test]
fn write_past_the_end_of_the_media() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    h.select(&Page05::tao_mode1());
    // 359850 blocks from 0 reach past the last possible lead-out
    // (LBA 359849, §6.6). The host announces all the data; the drive
    // refuses before the data stage, so the host meets a stall on bulk OUT.
    let blocks = 359_850;
    let cdb = Write12::new(0, blocks).to_bytes();
    let cbw = h.cbw(&cdb, Direction::Out, blocks * 2048);
    let r = h.run(&cbw, &[0; 2048]);
    assert!(r.stalled && !h.dev.out_halted());
    assert_eq!(h.check(r), LBA_OUT_OF_RANGE);
}

#[test]
fn write_on_a_finalized_disc() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    h.select(&Page05::tao_mode1());
    h.write_blocks(0, 2048, &vec![0x5a; 300 * 2048]);
    assert!(h.sync(false).passed());
    assert!(h.close(false, 0x02, 0).passed());
    h.wait_ready();
    assert_eq!(h.disc_info()[2] & 0x03, 0x02, "finalized");
    for lba in [0, 452, 1000] {
        let r = h.write10(lba, 1, &[0; 2048]);
        assert_eq!(h.check(r), CANNOT_WRITE_MEDIUM, "lba {lba}");
    }
}

#[test]
fn write_with_a_data_block_type_the_track_mode_refuses() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    // Track mode 0 (audio) with data block type 8 (Mode 1 user data).
    h.select(&Page05 {
        track_mode: 0,
        data_block_type: 8,
        ..Page05::tao_mode1()
    });
    let r = h.write10(0, 1, &[0; 2048]);
    assert_eq!(h.check(r), ILLEGAL_MODE_FOR_TRACK);
}

#[test]
fn blank_on_cd_r() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    for kind in [0x00, 0x01] {
        let r = h.none(&[0xa1, kind, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(h.check(r), INCOMPATIBLE_MEDIUM, "blanking type {kind}");
    }
}
