//! Whole burns through the virtual drive, read back and compared.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Host;
use vdrive::MediaKind;

#[test]
fn inquiry_through_bulk_only() {
    let mut h = Host::blank(MediaKind::CdR, 80);
    let r = h.data_in(&[0x12, 0, 0, 0, 36, 0], 36);
    assert!(r.passed());
    assert_eq!(r.data.len(), 36);
    assert_eq!(r.data[0], 0x05);
    assert_eq!(&r.data[8..16], b"RAWBURN ");
}
