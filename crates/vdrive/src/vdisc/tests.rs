use super::*;
use crate::media::{MediaKind, MediaSpec};

fn header(written: &[(i32, i32)], pending: &[(i32, i32)]) -> Vec<u8> {
    let h = VdiscHeader {
        written: Ranges(written.to_vec()),
        pending: Ranges(pending.to_vec()),
        disc: serde_json::json!({ "state": "blank" }),
    };
    encode_header(&h).unwrap()
}

#[test]
fn header_roundtrip_and_refusals() {
    let mut written = Ranges::new();
    for l in [-150, -149, 10, 11, 12] {
        written.insert(Lba(l));
    }
    let h = VdiscHeader {
        written,
        pending: Ranges::new(),
        disc: serde_json::json!({ "state": "blank" }),
    };
    let bytes = encode_header(&h).unwrap();
    assert_eq!(&bytes[..12], b"RBVDISC\0\x02\0\0\0");
    // No "pending" member while nothing is pending.
    assert_eq!(
        &bytes[16..],
        br#"{"written":[[-150,-148],[10,13]],"disc":{"state":"blank"}}"#
    );
    assert_eq!(decode_header(&bytes).unwrap(), h);
    assert_eq!(decode_header(b"NOTADISC........"), Err(VdiscError::Magic));
    let mut newer = bytes.clone();
    newer[8] = 3;
    assert_eq!(decode_header(&newer), Err(VdiscError::Version(3)));
    assert!(matches!(
        decode_header(&bytes[..20]),
        Err(VdiscError::Header(_))
    ));
}

#[test]
fn version_1_headers_are_read() {
    let json = br#"{"written":[[0,5]],"disc":{"state":"blank"}}"#;
    let mut v1 = b"RBVDISC\0\x01\0\0\0".to_vec();
    v1.extend_from_slice(&(json.len() as u32).to_le_bytes());
    v1.extend_from_slice(json);
    let h = decode_header(&v1).unwrap();
    assert_eq!(h.written.ranges(), [(0, 5)]);
    assert!(h.pending.is_empty());
}

#[test]
fn ranges_that_cannot_be_are_refused() {
    let err = |w: &[(i32, i32)], p: &[(i32, i32)]| match decode_header(&header(w, p)) {
        Err(VdiscError::Invalid(m)) => m,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        err(&[(0, 10), (400, 300)], &[]),
        "written range 1 [400, 300] is empty or reversed"
    );
    assert_eq!(
        err(&[(0, 10), (5, 20)], &[]),
        "written range 1 [5, 20] overlaps or comes before the range before it"
    );
    assert_eq!(
        err(&[(100, 200), (0, 10)], &[]),
        "written range 1 [0, 10] overlaps or comes before the range before it"
    );
    assert_eq!(
        err(&[(-50_000, 10)], &[]),
        "written range 0 [-50000, 10] is outside the disc (lba -45150 to 449850)"
    );
    assert_eq!(
        err(&[], &[(0, 449_851)]),
        "pending range 0 [0, 449851] is outside the disc (lba -45150 to 449850)"
    );
    assert_eq!(
        err(&[(7, 7)], &[]),
        "written range 0 [7, 7] is empty or reversed"
    );
    // Ranges that touch are merged.
    let h = decode_header(&header(&[(0, 5), (5, 9), (20, 30)], &[])).unwrap();
    assert_eq!(h.written.ranges(), [(0, 9), (20, 30)]);
}

#[test]
fn frames_in_a_file_of_a_length() {
    assert_eq!(frames_end(HEADER_AREA), Ok(FIRST_LBA));
    assert_eq!(frames_end(HEADER_AREA + 1), Ok(Lba(-45149)));
    assert_eq!(frames_end(HEADER_AREA + 2448 * 45150), Ok(Lba(0)));
    assert_eq!(frames_end(HEADER_AREA + 2448 * 45151 - 7), Ok(Lba(1)));
    assert_eq!(frames_end(u64::MAX), Ok(END_LBA));
    assert!(matches!(frames_end(4096), Err(VdiscError::Invalid(_))));
}

#[test]
fn frames_checked_against_the_file_and_the_state() {
    let media = MediaSpec::new(MediaKind::CdR, 80).unwrap();
    let blank = DiscMeta::blank(media);
    let none = Ranges::new();
    assert_eq!(check_frames(&blank, &none, FIRST_LBA), Ok(()));
    let some = Ranges(vec![(-150, 300)]);
    assert_eq!(
        check_frames(&blank, &some, Lba(300)),
        Err(VdiscError::Invalid(
            "the disc is blank, but frames are listed as written (lba -150 to 299)".into()
        ))
    );
    let mut damaged = blank.clone();
    damaged.damaged = Some("x".into());
    assert_eq!(check_frames(&damaged, &some, Lba(300)), Ok(()));
    assert_eq!(
        check_frames(&damaged, &some, Lba(200)),
        Err(VdiscError::Invalid(
            "it lists frames up to lba 299, but the file ends at lba 199: it was cut short".into()
        ))
    );
}

#[test]
fn offsets() {
    assert_eq!(frame_offset(Lba(-45150)), Ok(1 << 20));
    assert_eq!(frame_offset(Lba(0)), Ok((1 << 20) + 45150 * 2448));
    assert_eq!(frame_offset(Lba(-45151)), Err(VdiscError::Lba(-45151)));
    assert!(frame_offset(Lba(449_849)).is_ok());
    assert!(frame_offset(Lba(449_850)).is_err());
}

#[test]
fn ranges_merge() {
    let mut r = Ranges::new();
    for l in [5, 7, 6, 1, 2, 9, 8, 0, 2] {
        r.insert(Lba(l));
    }
    assert_eq!(r.ranges(), [(0, 3), (5, 10)]);
    assert!(r.contains(Lba(9)) && !r.contains(Lba(3)) && !r.contains(Lba(10)));
    assert_eq!(r.len(), 8);
    assert_eq!(r.end(), Some(Lba(10)));
    r.insert(Lba(4));
    r.insert(Lba(3));
    assert_eq!(r.ranges(), [(0, 10)]);
}

#[test]
fn range_inserts_merge() {
    let mut r = Ranges(vec![(0, 10), (20, 30), (40, 50)]);
    r.insert_range(Lba(12), Lba(15));
    assert_eq!(r.ranges(), [(0, 10), (12, 15), (20, 30), (40, 50)]);
    r.insert_range(Lba(10), Lba(12));
    assert_eq!(r.ranges(), [(0, 15), (20, 30), (40, 50)]);
    r.insert_range(Lba(25), Lba(45));
    assert_eq!(r.ranges(), [(0, 15), (20, 50)]);
    r.insert_range(Lba(-5), Lba(100));
    assert_eq!(r.ranges(), [(-5, 100)]);
    r.insert_range(Lba(200), Lba(200));
    assert_eq!(r.ranges(), [(-5, 100)]);
    assert!(r.covers(Lba(-5), Lba(100)) && r.covers(Lba(50), Lba(60)));
    assert!(!r.covers(Lba(-6), Lba(10)) && !r.covers(Lba(99), Lba(101)));
    assert!(r.covers(Lba(300), Lba(300)) && !r.covers(Lba(300), Lba(301)));
    let mut other = Ranges(vec![(100, 101), (300, 310)]);
    other.extend(&r);
    assert_eq!(other.ranges(), [(-5, 101), (300, 310)]);
}
