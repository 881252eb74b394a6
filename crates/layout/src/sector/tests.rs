//! Sector encoding and checking against the reference vectors, golden
//! sectors and properties.

use super::*;
use crate::msf::Lba;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

fn counting(len: usize) -> Vec<u8> {
    (0..len).map(|k| k as u8).collect()
}

fn encode(enc: SectorEncoder, lba: i32, input: &[u8]) -> [u8; SECTOR_SIZE] {
    let mut out = [0xa5u8; SECTOR_SIZE];
    enc.encode(Lba(lba), input, &mut out).unwrap();
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

// ---------------------------------------------------------------------------
// `cd-standards.md` §1.9: vectors produced by cdrdao's encoder.

#[test]
fn vector_mode1_lba0() {
    let s = encode(SectorEncoder::new(SectorType::Mode1), 0, &counting(2048));
    assert_eq!(s[..12], SYNC);
    assert_eq!(s[12..16], [0x00, 0x02, 0x00, 0x01]);
    assert_eq!(s[2064..2068], [0x27, 0x97, 0x39, 0xe6]);
    assert_eq!(s[2068..2076], [0; 8]);
    assert_eq!(s[2076..2080], [0x42, 0x13, 0xc7, 0x94]);
    assert_eq!(s[2248..2252], [0x46, 0xe9, 0x44, 0x86]);
    assert_eq!(s[2350..2352], [0x65, 0x23]);
}

#[test]
fn vector_mode2_form1_lba0() {
    let enc = SectorEncoder::new(SectorType::Mode2Form1)
        .with_subheader(XaSubheader::default())
        .unwrap();
    let s = encode(enc, 0, &counting(2048));
    assert_eq!(s[12..16], [0x00, 0x02, 0x00, 0x02]);
    assert_eq!(s[16..24], [0; 8]);
    assert_eq!(s[24..28], [0, 1, 2, 3]);
    assert_eq!(s[2072..2076], [0xe2, 0x84, 0x51, 0xcd]);
    assert_eq!(s[2076..2080], [0x59, 0xff, 0x7f, 0xd9]);
    assert_eq!(s[2248..2252], [0x13, 0xfd, 0x68, 0xaa]);
}

#[test]
fn vector_mode2_form2_lba0() {
    let s = encode(
        SectorEncoder::new(SectorType::Mode2Form2),
        0,
        &counting(2324),
    );
    assert_eq!(s[12..16], [0x00, 0x02, 0x00, 0x02]);
    assert_eq!(s[16..24], [0, 0, 0x20, 0, 0, 0, 0x20, 0]);
    assert_eq!(s[2348..2352], [0xbc, 0x8d, 0xd9, 0x95]);
}

// ---------------------------------------------------------------------------
// Golden sectors for every type. Structural bytes are spelled out; sectors
// with EDC/ECC are pinned by digest (their parity is anchored by the vectors
// above and by the external-tool tests).

#[test]
fn golden_audio_is_pcm_as_given() {
    let pcm = counting(2352);
    let s = encode(SectorEncoder::new(SectorType::Audio), 1234, &pcm);
    assert_eq!(s[..], pcm[..]);
}

#[test]
fn golden_mode0_lead_in() {
    let s = encode(SectorEncoder::new(SectorType::Mode0), -11635, &[0; 2336]);
    let mut expected = [0u8; SECTOR_SIZE];
    expected[..12].copy_from_slice(&SYNC);
    expected[12..16].copy_from_slice(&[0x97, 0x26, 0x65, 0x00]);
    assert_eq!(s, expected);
}

#[test]
fn golden_mode2_formless() {
    let data = counting(2336);
    let s = encode(
        SectorEncoder::new(SectorType::Mode2Formless),
        404_849,
        &data,
    );
    assert_eq!(s[..12], SYNC);
    assert_eq!(s[12..16], [0x89, 0x59, 0x74, 0x02]);
    assert_eq!(s[16..], data[..]);
}

#[test]
fn golden_raw_types_are_kept_as_given() {
    let raw = counting(2352);
    for ty in [
        SectorType::Mode1Raw,
        SectorType::Mode2FormlessRaw,
        SectorType::Mode2Form1Raw,
        SectorType::Mode2Form2Raw,
    ] {
        let s = encode(SectorEncoder::new(ty), 77, &raw);
        assert_eq!(s[..], raw[..], "{ty}");
    }
}

#[test]
fn golden_digests() {
    let cases: [(SectorEncoder, i32, Vec<u8>, &str); 4] = [
        (
            SectorEncoder::new(SectorType::Mode1),
            16,
            counting(2048),
            "24a4cb49d5e7ffb4ba3f3cda43ef5e533ef987bc7b60a642012c95f23e4a08c6",
        ),
        (
            SectorEncoder::new(SectorType::Mode1),
            -1,
            vec![0; 2048],
            "009dd77f45c7be04746fd06ddc55a91e2fda4bc9c460e1cff36c5a3abe5941ae",
        ),
        (
            SectorEncoder::new(SectorType::Mode2Form1)
                .with_subheader(XaSubheader {
                    file: 1,
                    channel: 2,
                    submode: submode::DATA | submode::EOR | submode::EOF,
                    coding: 0,
                })
                .unwrap(),
            449_849,
            counting(2048),
            "a7f446641550cbf2b1962ecd35fe7928910a17a6d497dc127a8cff8312d7ab26",
        ),
        (
            SectorEncoder::new(SectorType::Mode2Form2)
                .with_subheader(XaSubheader {
                    file: 1,
                    channel: 1,
                    submode: submode::FORM2 | submode::VIDEO | submode::REAL_TIME,
                    coding: 0x0f,
                })
                .unwrap(),
            -45150,
            counting(2324),
            "b502733e1f5cea4c2b13a0b5bd0c5a7fee7086b4862ab062abe86562b616c9e6",
        ),
    ];
    let got: Vec<String> = cases
        .iter()
        .map(|(enc, lba, input, _)| sha256(&encode(*enc, *lba, input)))
        .collect();
    let want: Vec<&str> = cases.iter().map(|c| c.3).collect();
    assert_eq!(got, want);
}

// ---------------------------------------------------------------------------
// Mode 2 XA as stored (2336 bytes after the header).

#[test]
fn xa_stored_form_rebuilds_form1_and_form2_sectors_exactly() {
    let form1 = encode(
        SectorEncoder::new(SectorType::Mode2Form1),
        500,
        &counting(2048),
    );
    let form2 = encode(
        SectorEncoder::new(SectorType::Mode2Form2),
        501,
        &counting(2324),
    );
    for (lba, sector) in [(500, form1), (501, form2)] {
        let rebuilt = encode(SectorEncoder::new(SectorType::Mode2Xa), lba, &sector[16..]);
        assert_eq!(rebuilt, sector, "lba {lba}");
    }
}

#[test]
fn xa_input_is_kept_as_given() {
    // Not a valid XA sector (no subheader copies, no EDC): still kept byte
    // for byte, never "repaired" into something else.
    let input = counting(2336);
    let s = encode(SectorEncoder::new(SectorType::Mode2Xa), 150, &input);
    assert_eq!(s[..12], SYNC);
    assert_eq!(s[12..16], [0x00, 0x04, 0x00, 0x02]);
    assert_eq!(s[16..], input[..]);
}

// ---------------------------------------------------------------------------
// Errors.

#[test]
fn encoder_errors() {
    let mut out = [0u8; SECTOR_SIZE];
    let mode1 = SectorEncoder::new(SectorType::Mode1);
    assert_eq!(
        mode1.encode(Lba(0), &[0; 2047], &mut out),
        Err(SectorError::InputLength {
            ty: SectorType::Mode1,
            per_sector: 2048,
            got: 2047
        })
    );
    assert!(matches!(
        mode1.encode(Lba(449_850), &[0; 2048], &mut out),
        Err(SectorError::Address(_))
    ));
    assert!(matches!(
        mode1.encode(Lba(-45151), &[0; 2048], &mut out),
        Err(SectorError::Address(_))
    ));
    let mut dirty = [0u8; 2336];
    dirty[100] = 7;
    assert_eq!(
        SectorEncoder::new(SectorType::Mode0).encode(Lba(3), &dirty, &mut out),
        Err(SectorError::Mode0NotZero {
            lba: Lba(3),
            offset: 100,
            value: 7
        })
    );
    assert_eq!(
        SectorEncoder::new(SectorType::Mode2Form1).with_subheader(XaSubheader::FORM2),
        Err(SectorError::SubheaderForm {
            ty: SectorType::Mode2Form1,
            submode: 0x20
        })
    );
    assert_eq!(
        SectorEncoder::new(SectorType::Mode2Form2).with_subheader(XaSubheader::FORM1_DATA),
        Err(SectorError::SubheaderForm {
            ty: SectorType::Mode2Form2,
            submode: 0x08
        })
    );
    assert_eq!(
        SectorEncoder::new(SectorType::Mode1).with_subheader(XaSubheader::FORM1_DATA),
        Err(SectorError::NoSubheader(SectorType::Mode1))
    );
    assert_eq!(
        SectorError::SubheaderForm {
            ty: SectorType::Mode2Form2,
            submode: 0x08
        }
        .to_string(),
        "mode 2 form 2 needs submode bit 5 (form 2) set, subheader submode is 0x08"
    );
}

// ---------------------------------------------------------------------------
// Batches.

#[test]
fn batch_equals_single_sectors_and_respects_stride() {
    let enc = SectorEncoder::new(SectorType::Mode1);
    let n = 5;
    let input: Vec<u8> = (0..n * 2048).map(|i| (i * 7 + i / 2048) as u8).collect();
    let stride = 2448;
    let mut out = vec![0xa5u8; (n - 1) * stride + SECTOR_SIZE];
    assert_eq!(
        enc.encode_batch_strided(Lba(-2), &input, &mut out, stride),
        Ok(n)
    );
    for i in 0..n {
        let single = encode(enc, i as i32 - 2, &input[i * 2048..(i + 1) * 2048]);
        assert_eq!(
            out[i * stride..i * stride + SECTOR_SIZE],
            single[..],
            "sector {i}"
        );
        if i + 1 < n {
            assert!(
                out[i * stride + SECTOR_SIZE..(i + 1) * stride]
                    .iter()
                    .all(|&b| b == 0xa5)
            );
        }
    }
    let mut packed = vec![0u8; n * SECTOR_SIZE];
    assert_eq!(enc.encode_batch(Lba(-2), &input, &mut packed), Ok(n));
    for i in 0..n {
        assert_eq!(
            packed[i * SECTOR_SIZE..(i + 1) * SECTOR_SIZE],
            out[i * stride..i * stride + SECTOR_SIZE]
        );
    }
}

#[test]
fn batch_errors() {
    let enc = SectorEncoder::new(SectorType::Mode1);
    let mut out = vec![0u8; 2 * SECTOR_SIZE];
    assert_eq!(
        enc.encode_batch(Lba(0), &[0; 3 * 2048], &mut out),
        Err(SectorError::OutputTooSmall {
            sectors: 3,
            needed: 3 * SECTOR_SIZE,
            got: 2 * SECTOR_SIZE
        })
    );
    assert!(matches!(
        enc.encode_batch(Lba(0), &[0; 2049], &mut out),
        Err(SectorError::InputLength { got: 2049, .. })
    ));
    assert_eq!(
        enc.encode_batch_strided(Lba(0), &[0; 2048], &mut out, 2000),
        Err(SectorError::StrideTooSmall(2000))
    );
    // The last sector of the batch is past 99:59:74.
    assert!(matches!(
        enc.encode_batch(Lba(449_849), &[0; 2 * 2048], &mut out),
        Err(SectorError::Address(_))
    ));
    assert_eq!(enc.encode_batch(Lba(0), &[], &mut []), Ok(0));
}

#[cfg(feature = "parallel")]
#[test]
fn parallel_batch_equals_serial() {
    for ty in [SectorType::Mode1, SectorType::Mode2Form1, SectorType::Audio] {
        let enc = SectorEncoder::new(ty);
        let n = 1000;
        let per = enc.input_len();
        let input: Vec<u8> = (0..n * per).map(|i| (i % 251) as u8).collect();
        let mut serial = vec![0u8; n * 2448];
        let mut parallel = vec![0u8; n * 2448];
        enc.encode_batch_strided(Lba(-150), &input, &mut serial, 2448)
            .unwrap();
        enc.encode_batch_parallel(Lba(-150), &input, &mut parallel, 2448)
            .unwrap();
        assert!(serial == parallel, "{ty}");
    }
}

// ---------------------------------------------------------------------------
// Checker.

#[test]
fn check_reports_fields() {
    let s = encode(
        SectorEncoder::new(SectorType::Mode2Form1),
        -11635,
        &[9; 2048],
    );
    let r = check_sector(&s, Expect::default());
    assert!(r.is_consistent(), "{:?}", r.problems);
    assert_eq!(r.kind, SectorKind::Mode2Form1);
    assert_eq!(r.lba, Some(Lba(-11635)));
    assert_eq!(r.subheader, Some(XaSubheader::FORM1_DATA));
    assert_eq!(r.user_data, 24..2072);
    assert_eq!(r.edc, EdcStatus::Valid);
    assert_eq!(r.ecc, EccStatus::Valid);
    assert!(!r.scrambled);
}

#[test]
fn check_finds_scrambled_sectors() {
    let mut s = encode(SectorEncoder::new(SectorType::Mode1), 1000, &[0x5a; 2048]);
    scramble(&mut s);
    let r = check_sector(&s, Expect::default());
    assert!(r.is_consistent());
    assert!(r.scrambled);
    assert_eq!(r.kind, SectorKind::Mode1);
    assert_eq!(r.lba, Some(Lba(1000)));
}

#[test]
fn check_accepts_unused_form2_edc() {
    let mut s = encode(SectorEncoder::new(SectorType::Mode2Form2), 20, &[1; 2324]);
    s[2348..].fill(0);
    let r = check_sector(&s, Expect::default());
    assert!(r.is_consistent());
    assert_eq!(r.edc, EdcStatus::Unused);
}

#[test]
fn check_problems() {
    let good = encode(SectorEncoder::new(SectorType::Mode1), 0, &[3; 2048]);
    let expect = Expect {
        lba: Some(Lba(1)),
        sector_type: Some(SectorType::Mode2Form1),
    };
    let r = check_sector(&good, expect);
    assert!(r.problems.contains(&SectorProblem::WrongAddress {
        expected: Lba(1),
        found: crate::msf::Msf::new(0, 2, 0).unwrap()
    }));
    assert!(r.problems.contains(&SectorProblem::WrongKind {
        expected: SectorType::Mode2Form1,
        found: SectorKind::Mode1
    }));

    let mut bad_bcd = good;
    bad_bcd[13] = 0x6a;
    let r = check_sector(&bad_bcd, Expect::default());
    assert!(
        r.problems
            .contains(&SectorProblem::BadAddress([0x00, 0x6a, 0x00]))
    );

    let mut bad_mode = good;
    bad_mode[15] = 3;
    let r = check_sector(&bad_mode, Expect::default());
    assert_eq!(r.kind, SectorKind::UnknownMode(3));

    let audio = [0x11u8; SECTOR_SIZE];
    let r = check_sector(&audio, Expect::default());
    assert_eq!(r.kind, SectorKind::Audio);
    assert!(r.is_consistent());
    let r = check_sector(
        &audio,
        Expect {
            lba: None,
            sector_type: Some(SectorType::Mode1),
        },
    );
    assert!(r.problems.contains(&SectorProblem::NoSync));

    let mut split = encode(SectorEncoder::new(SectorType::Mode2Form2), 0, &[0; 2324]);
    split[22] = 0;
    let r = check_sector(
        &split,
        Expect {
            lba: None,
            sector_type: Some(SectorType::Mode2Form2),
        },
    );
    assert!(r.problems.contains(&SectorProblem::SubheaderCopiesDiffer));
}

// ---------------------------------------------------------------------------
// Properties: encode, check, get the user data back; any flipped byte is
// caught.

fn any_lba() -> impl Strategy<Value = i32> {
    prop_oneof![-45150..=-151i32, -150..=449_849i32]
}

/// Types whose every byte is protected once the address and type are known.
fn protected_type() -> impl Strategy<Value = SectorType> {
    prop_oneof![
        Just(SectorType::Mode0),
        Just(SectorType::Mode1),
        Just(SectorType::Mode2Form1),
        Just(SectorType::Mode2Form2),
    ]
}

fn input_for(ty: SectorType, seed: &[u8]) -> Vec<u8> {
    if ty == SectorType::Mode0 {
        return vec![0; ty.input_len()];
    }
    seed.iter().copied().cycle().take(ty.input_len()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn roundtrip_user_data(
        ty in prop_oneof![protected_type(), Just(SectorType::Mode2Formless)],
        lba in any_lba(),
        seed in proptest::collection::vec(any::<u8>(), 1..64),
    ) {
        let input = input_for(ty, &seed);
        let s = encode(SectorEncoder::new(ty), lba, &input);
        let r = check_sector(&s, Expect { lba: Some(Lba(lba)), sector_type: Some(ty) });
        prop_assert!(r.is_consistent(), "{:?}", r.problems);
        prop_assert_eq!(r.lba, Some(Lba(lba)));
        prop_assert_eq!(&s[r.user_data.clone()], &input[..]);
        match ty {
            SectorType::Mode1 | SectorType::Mode2Form1 => {
                prop_assert_eq!(r.edc, EdcStatus::Valid);
                prop_assert_eq!(r.ecc, EccStatus::Valid);
            }
            SectorType::Mode2Form2 => prop_assert_eq!(r.edc, EdcStatus::Valid),
            _ => {}
        }
    }

    #[test]
    fn roundtrip_xa(
        form2 in any::<bool>(),
        lba in any_lba(),
        seed in proptest::collection::vec(any::<u8>(), 1..64),
    ) {
        let ty = if form2 { SectorType::Mode2Form2 } else { SectorType::Mode2Form1 };
        let original = encode(SectorEncoder::new(ty), lba, &input_for(ty, &seed));
        let s = encode(SectorEncoder::new(SectorType::Mode2Xa), lba, &original[16..]);
        prop_assert_eq!(s, original);
        let r = check_sector(&s, Expect { lba: Some(Lba(lba)), sector_type: Some(SectorType::Mode2Xa) });
        prop_assert!(r.is_consistent(), "{:?}", r.problems);
    }

    #[test]
    fn any_flipped_byte_is_caught(
        ty in protected_type(),
        lba in any_lba(),
        seed in proptest::collection::vec(any::<u8>(), 1..64),
        at in 0..SECTOR_SIZE,
        flip in 1..=255u8,
    ) {
        let s = encode(SectorEncoder::new(ty), lba, &input_for(ty, &seed));
        // A Form 2 EDC of zero means "unused"; one flip must not be able to
        // reach it, so keep to EDCs with two or more non-zero bytes.
        prop_assume!(ty != SectorType::Mode2Form2 || s[2348..].iter().filter(|&&b| b != 0).count() >= 2);
        let mut t = s;
        t[at] ^= flip;
        let r = check_sector(&t, Expect { lba: Some(Lba(lba)), sector_type: Some(ty) });
        prop_assert!(!r.is_consistent(), "{ty} byte {at} ^ {flip:#04x} not caught");
    }

    #[test]
    fn formless_header_flips_are_caught(
        lba in any_lba(),
        at in 0..16usize,
        flip in 1..=255u8,
    ) {
        let ty = SectorType::Mode2Formless;
        let mut t = encode(SectorEncoder::new(ty), lba, &[0x42; 2336]);
        t[at] ^= flip;
        let r = check_sector(&t, Expect { lba: Some(Lba(lba)), sector_type: Some(ty) });
        prop_assert!(!r.is_consistent());
    }

    #[test]
    fn checker_never_panics(bytes in proptest::collection::vec(any::<u8>(), SECTOR_SIZE)) {
        let mut s = [0u8; SECTOR_SIZE];
        s.copy_from_slice(&bytes);
        s[..12].copy_from_slice(&SYNC);
        let _ = check_sector(&s, Expect::default());
    }
}
