//! CD-TEXT packs against hand-checked and published bytes, round trips,
//! limits.

use super::encode::toc_info_payloads;
use super::pack::kind;
use super::*;

/// CRC-16/GSM bit by bit, independent of the library's table.
fn crc(data: &[u8]) -> [u8; 2] {
    let mut c = 0u16;
    for &b in data {
        c ^= (b as u16) << 8;
        for _ in 0..8 {
            c = if c & 0x8000 != 0 {
                (c << 1) ^ 0x1021
            } else {
                c << 1
            };
        }
    }
    (!c).to_be_bytes()
}

fn msf(m: u8, s: u8, f: u8) -> Msf {
    Msf::new(m, s, f).unwrap()
}

fn toc(tracks: usize) -> TocSummary {
    TocSummary {
        first_track: 1,
        starts: (0..tracks)
            .map(|i| Msf::from_frames(150 + 1000 * i as i32).unwrap())
            .collect(),
        leadout: Msf::from_frames(150 + 1000 * tracks as i32).unwrap(),
    }
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[test]
fn golden_two_track_disc() {
    let text = CdText {
        blocks: vec![TextBlock {
            language: 0x09,
            disc: TextFields {
                title: s("Album"),
                performer: s("Band"),
                ..TextFields::default()
            },
            tracks: vec![
                TextFields {
                    title: s("One"),
                    performer: s("Band"),
                    ..TextFields::default()
                },
                TextFields {
                    title: s("Two"),
                    performer: s("Band"),
                    ..TextFields::default()
                },
            ],
            ..TextBlock::default()
        }],
        toc_info: false,
    };
    let packs = text.to_packs(&toc(2)).unwrap();
    // Titles: "Album\0One\0Two\0" in two packs; the second starts with the
    // "o" of "Two" (track 2, 2 characters of it in the pack before).
    // Performers: "Band\0Band\0\t\0": track 2 repeats track 1, so a TAB.
    // Size information: ISO-8859-1, tracks 1-2, 2 title packs, 1 performer
    // pack, 3 size packs, last sequence number 5, English.
    let expected: [[u8; 16]; 6] = [
        [
            0x80, 0x00, 0x00, 0x00, b'A', b'l', b'b', b'u', b'm', 0, b'O', b'n', b'e', 0, b'T',
            b'w',
        ],
        [
            0x80, 0x02, 0x01, 0x02, b'o', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ],
        [
            0x81, 0x00, 0x02, 0x00, b'B', b'a', b'n', b'd', 0, b'B', b'a', b'n', b'd', 0, 0x09, 0,
        ],
        [
            0x8f, 0x00, 0x03, 0x00, 0x00, 0x01, 0x02, 0x00, 0x02, 0x01, 0, 0, 0, 0, 0, 0,
        ],
        [
            0x8f, 0x01, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x05, 0, 0, 0,
        ],
        [
            0x8f, 0x02, 0x05, 0x00, 0, 0, 0, 0, 0x09, 0, 0, 0, 0, 0, 0, 0,
        ],
    ];
    assert_eq!(packs.len(), expected.len());
    for (p, e) in packs.iter().zip(&expected) {
        assert_eq!(p.0[..16], e[..]);
        assert_eq!(p.0[16..], crc(e));
    }
    let back = CdText::from_packs(&packs).unwrap();
    assert_eq!(back.cdtext, text);
    assert_eq!(back.first_track, 1);
}

#[test]
fn toc_info_matches_sonys_example() {
    // libburn's doc/cdtext.txt: a 14-track disc, lead-out 63:02:18.
    let mut starts = vec![msf(0, 2, 0), msf(4, 11, 25), msf(8, 2, 50), msf(11, 47, 62)];
    starts.extend((5..13).map(|m| msf(12 + 4 * (m - 5) as u8, 0, 0)));
    starts.extend([msf(53, 24, 25), msf(57, 3, 25)]);
    let toc = TocSummary {
        first_track: 1,
        starts,
        leadout: msf(63, 2, 18),
    };
    let payloads = toc_info_payloads(&toc);
    assert_eq!(payloads.len(), 5);
    let pack = |k: usize, seq: u8| {
        let (track, payload) = payloads[k];
        Pack::new(kind::TOC_INFO, track, seq, false, 0, 0, payload).0
    };
    assert_eq!(
        pack(0, 0x23),
        [
            0x88, 0x00, 0x23, 0x00, 0x01, 0x0e, 0x00, 0x3f, 0x02, 0x12, 0, 0, 0, 0, 0, 0, 0x12,
            0x00
        ]
    );
    assert_eq!(
        pack(1, 0x24),
        [
            0x88, 0x01, 0x24, 0x00, 0x00, 0x02, 0x00, 0x04, 0x0b, 0x19, 0x08, 0x02, 0x32, 0x0b,
            0x2f, 0x3e, 0x67, 0x2d
        ]
    );
    assert_eq!(
        pack(4, 0x27),
        [
            0x88, 0x0d, 0x27, 0x00, 0x35, 0x18, 0x19, 0x39, 0x03, 0x19, 0, 0, 0, 0, 0, 0, 0xea,
            0xaf
        ]
    );
}

fn full_block(language: u8, charset: Charset, tracks: usize, sample: &str) -> TextBlock {
    let t = |i: usize, what: &str| s(&format!("{sample} {what} {i}"));
    TextBlock {
        language,
        charset,
        copyright: language.is_multiple_of(2),
        disc: TextFields {
            title: t(0, "album"),
            performer: s(sample),
            songwriter: t(0, "writer"),
            composer: t(0, "composer"),
            arranger: t(0, "arranger"),
            message: t(0, "message"),
            code: s("0036000291452"),
        },
        tracks: (1..=tracks)
            .map(|i| TextFields {
                title: t(i, "title"),
                // The same for every track: TABs.
                performer: s(sample),
                songwriter: if i % 2 == 0 { t(i, "w") } else { None },
                composer: t(i, "c"),
                arranger: t(i, "a"),
                message: t(i, "m"),
                code: s(&format!("USRC1760{i:04}")),
            })
            .collect(),
        disc_id: s("XY12345"),
        genre: Some(Genre {
            code: 5,
            text: "Late romantic pieces for piano and orchestra".into(),
        }),
        closed: s("Not for players: \u{e9}t\u{e9}"),
        toc_info2: vec![(1, [1, 4, 0, 0, 0, 0, 2, 41, 48, 2, 52, 58])],
    }
}

#[test]
fn every_field_charset_and_eight_languages_roundtrip() {
    let blocks = vec![
        full_block(0x09, Charset::Iso8859_1, 6, "Caf\u{e9} M\u{fc}ller"),
        full_block(0x08, Charset::Iso8859_1, 6, "Gr\u{fc}\u{df}e"),
        full_block(0x0f, Charset::Iso8859_1, 6, "\u{c7}a va"),
        full_block(0x0a, Charset::Ascii, 6, "Hola"),
        full_block(0x15, Charset::Ascii, 5, "Ciao"),
        full_block(
            0x69,
            Charset::MsJis,
            6,
            "\u{65e5}\u{672c}\u{8a9e}\u{306e}\u{6b4c}",
        ),
        full_block(0x75, Charset::MsJis, 4, "\u{30c6}\u{30b9}\u{30c8} Mix 7"),
        full_block(0x1d, Charset::Iso8859_1, 6, "Hallo"),
    ];
    let text = CdText {
        blocks,
        toc_info: true,
    };
    let packs = text.to_packs(&toc(6)).unwrap();
    // Every block numbers its packs from 0, size information last.
    for b in 0..8u8 {
        let seqs: Vec<u8> = packs
            .iter()
            .filter(|p| p.block() == b)
            .map(Pack::sequence)
            .collect();
        assert_eq!(seqs, (0..seqs.len() as u8).collect::<Vec<_>>());
    }
    let back = CdText::from_packs(&packs).unwrap();
    // A block with texts for fewer tracks reads back with the same.
    assert_eq!(back.cdtext, text);
    assert_eq!(back.bad_crc, 0);
    assert!(
        packs
            .iter()
            .filter(|p| p.block() == 5)
            .all(|p| { (p.kind() <= kind::MESSAGE) == p.double_byte() })
    );
}

#[test]
fn decoding_tolerates_repeats_order_and_bad_packs() {
    let text = CdText {
        blocks: vec![full_block(0x09, Charset::Iso8859_1, 3, "Repeat")],
        toc_info: true,
    };
    let packs = text.to_packs(&toc(3)).unwrap();
    let mut mixed: Vec<Pack> = packs.iter().rev().copied().collect();
    mixed.extend(packs.iter().copied());
    let mut broken = packs[0];
    broken.0[5] ^= 0x40;
    mixed.push(broken);
    let back = CdText::from_packs(&mixed).unwrap();
    assert_eq!(back.cdtext, text);
    assert_eq!(back.packs, packs.len());
    assert_eq!(back.bad_crc, 1);
    assert_eq!(
        CdText::from_packs(&[broken]),
        Err(CdTextError::NoValidPacks(1))
    );
}

fn encode_one(block: TextBlock, tracks: usize) -> Result<Vec<Pack>, CdTextError> {
    CdText {
        blocks: vec![block],
        toc_info: false,
    }
    .to_packs(&toc(tracks))
}

#[test]
fn a_type_whose_texts_are_all_empty_has_no_packs_and_reads_back_the_same() {
    let with_empty = TextBlock {
        language: 0x09,
        disc: TextFields {
            title: s("Album"),
            arranger: s(""),
            ..TextFields::default()
        },
        tracks: vec![
            TextFields {
                title: s("One"),
                arranger: s(""),
                ..TextFields::default()
            },
            TextFields {
                title: s("Two"),
                ..TextFields::default()
            },
        ],
        ..TextBlock::default()
    };
    let without = TextBlock {
        disc: TextFields {
            arranger: None,
            ..with_empty.disc.clone()
        },
        tracks: with_empty
            .tracks
            .iter()
            .map(|t| TextFields {
                arranger: None,
                ..t.clone()
            })
            .collect(),
        ..with_empty.clone()
    };
    let packs = encode_one(with_empty, 2).unwrap();
    assert!(packs.iter().all(|p| p.kind() != kind::ARRANGER));
    assert_eq!(packs, encode_one(without, 2).unwrap());
    // What a disc gives back encodes to the same packs again.
    let decoded = CdText::from_packs(&packs).unwrap();
    let again = decoded
        .cdtext
        .blocks
        .into_iter()
        .next()
        .map(|b| encode_one(b, 2).unwrap());
    assert_eq!(again, Some(packs));
}

#[test]
fn control_characters_a_disc_carries_encode_again_as_they_were() {
    let block = TextBlock {
        language: 0x09,
        disc: TextFields {
            title: s("A\u{2}B\u{7f}"),
            ..TextFields::default()
        },
        tracks: vec![TextFields {
            arranger: s("\u{1b}x"),
            ..TextFields::default()
        }],
        ..TextBlock::default()
    };
    let packs = encode_one(block.clone(), 1).unwrap();
    let decoded = CdText::from_packs(&packs).unwrap().cdtext.blocks;
    assert_eq!(decoded[0].disc.title, block.disc.title);
    assert_eq!(decoded[0].tracks[0].arranger, block.tracks[0].arranger);
    let nul = TextBlock {
        disc: TextFields {
            title: s("A\0B"),
            ..TextFields::default()
        },
        ..block
    };
    assert!(matches!(
        encode_one(nul, 1),
        Err(CdTextError::Character { ch: '\0', .. })
    ));
}

#[test]
fn a_disc_that_starts_at_track_2_keeps_its_track_texts() {
    let block = TextBlock {
        language: 0x09,
        tracks: vec![
            TextFields {
                title: s("One"),
                ..TextFields::default()
            },
            TextFields {
                title: s("Two"),
                ..TextFields::default()
            },
        ],
        ..TextBlock::default()
    };
    let mut toc = toc(2);
    toc.first_track = 2;
    let text = CdText {
        blocks: vec![block.clone()],
        toc_info: false,
    };
    let packs = text.to_packs(&toc).unwrap();
    // No disc title: the first pack holds the disc's empty text, then
    // track 2's and track 3's.
    assert_eq!(&packs[0].0[..16], b"\x80\x00\x00\x00\0One\0Two\0\0\0\0");
    let decoded = CdText::from_packs(&packs).unwrap();
    assert_eq!(decoded.first_track, 2);
    assert_eq!(decoded.cdtext.blocks[0].tracks, block.tracks);
}

#[test]
fn errors_name_the_field() {
    let e = encode_one(
        TextBlock {
            charset: Charset::Ascii,
            tracks: vec![
                TextFields::default(),
                TextFields {
                    title: s("Caf\u{e9}"),
                    ..TextFields::default()
                },
            ],
            ..TextBlock::default()
        },
        2,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "cd-text block 0 track 2 title: '\u{e9}' (U+00E9) cannot be written in ascii"
    );

    let e = encode_one(
        TextBlock {
            tracks: vec![TextFields::default(); 3],
            ..TextBlock::default()
        },
        2,
    )
    .unwrap_err();
    assert_eq!(
        e,
        CdTextError::TrackBeyondDisc {
            block: 0,
            count: 3,
            tracks: 2
        }
    );

    let long = |message: usize, title: usize| TextBlock {
        disc: TextFields {
            message: Some("x".repeat(message)),
            ..TextFields::default()
        },
        tracks: vec![TextFields {
            title: Some("t".repeat(title)),
            ..TextFields::default()
        }],
        ..TextBlock::default()
    };
    let e = encode_one(long(3000, 40), 1).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cd-text block 0 needs 258 packs, a block holds 256; the longest text is block 0 disc message (3000 bytes)"
    );
    // A text longer than any block is refused before it is encoded.
    let e = encode_one(long(10, 3036), 1).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cd-text block 0 track 1 title has 3036 characters; a block holds at most 3035 of one text"
    );
    assert!(matches!(
        encode_one(long(3035, 0), 1).unwrap_err(),
        CdTextError::BlockTooLarge { .. }
    ));

    let e = CdText {
        blocks: vec![TextBlock::default(); 9],
        toc_info: false,
    }
    .to_packs(&toc(1))
    .unwrap_err();
    assert_eq!(e, CdTextError::TooManyBlocks(9));

    let tab = TextBlock {
        tracks: vec![TextFields {
            title: s("tab\there"),
            ..TextFields::default()
        }],
        ..TextBlock::default()
    };
    assert!(matches!(
        encode_one(tab, 1),
        Err(CdTextError::Character { ch: '\t', .. })
    ));
    let genre = TextBlock {
        genre: Some(Genre {
            code: 1,
            text: "\u{e9}".into(),
        }),
        ..TextBlock::default()
    };
    assert!(matches!(
        encode_one(genre, 1),
        Err(CdTextError::NotAscii(_))
    ));
}

#[test]
fn pack_counts_are_the_packs_each_block_takes_past_the_limit_too() {
    let two = CdText {
        blocks: vec![
            full_block(0x09, Charset::Iso8859_1, 3, "Album"),
            full_block(0x08, Charset::MsJis, 3, "\u{65e5}\u{672c}"),
        ],
        toc_info: true,
    };
    let packs = two.to_packs(&toc(3)).unwrap();
    let per_block: Vec<usize> = (0..2)
        .map(|b| packs.iter().filter(|p| p.block() == b).count())
        .collect();
    assert_eq!(two.pack_counts(&toc(3)).unwrap(), per_block);
    assert_eq!(per_block.iter().sum::<usize>(), packs.len());
    assert_eq!(
        CdText::default().pack_counts(&toc(1)).unwrap(),
        Vec::<usize>::new()
    );

    // 3000 + 1 message bytes with the track's empty message: 251 packs;
    // "\0" and a 40-byte title: 4; the size information: 3. to_packs
    // refuses the 258.
    let long = |message: usize, title: usize| CdText {
        blocks: vec![TextBlock {
            disc: TextFields {
                message: Some("x".repeat(message)),
                ..TextFields::default()
            },
            tracks: vec![TextFields {
                title: Some("t".repeat(title)),
                ..TextFields::default()
            }],
            ..TextBlock::default()
        }],
        toc_info: false,
    };
    assert_eq!(long(3000, 40).pack_counts(&toc(1)).unwrap(), vec![258]);
    assert!(matches!(
        long(3000, 40).to_packs(&toc(1)),
        Err(CdTextError::BlockTooLarge { packs: 258, .. })
    ));
    // A text no block holds is counted too: 1 + 3036 + 1 title bytes, 254
    // packs; 10 + 1 + 1 message bytes, 1 pack.
    assert!(matches!(
        long(10, 3036).to_packs(&toc(1)),
        Err(CdTextError::TextTooLong { chars: 3036, .. })
    ));
    assert_eq!(long(10, 3036).pack_counts(&toc(1)).unwrap(), vec![258]);
    // Title packs change every 12 bytes: 253 from 3025 bytes, 252 below.
    assert_eq!(long(10, 3023).pack_counts(&toc(1)).unwrap(), vec![257]);
    assert_eq!(long(10, 3022).pack_counts(&toc(1)).unwrap(), vec![256]);
    assert_eq!(long(10, 3022).to_packs(&toc(1)).unwrap().len(), 256);

    // What to_packs refuses for other reasons, pack_counts refuses alike.
    let mut bad = long(1, 1);
    bad.blocks[0].charset = Charset::Ascii;
    bad.blocks[0].disc.title = s("Caf\u{e9}");
    assert!(matches!(
        bad.pack_counts(&toc(1)),
        Err(CdTextError::Character { ch: '\u{e9}', .. })
    ));
    assert!(matches!(
        long(1, 1).pack_counts(&toc(0)),
        Err(CdTextError::TrackBeyondDisc { .. })
    ));
}

#[test]
fn what_each_code_holds() {
    let held = |charset: Charset, text: &str| -> String {
        text.chars().filter(|&c| charset.holds(c)).collect()
    };
    let text = "\u{dc}n\u{ef}c\u{f8}d\u{e9} \u{2713}";
    assert_eq!(held(Charset::Ascii, text), "ncd ");
    assert_eq!(
        held(Charset::Iso8859_1, text),
        "\u{dc}n\u{ef}c\u{f8}d\u{e9} "
    );
    // Shift_JIS has neither accented Latin letters nor the check mark.
    assert_eq!(held(Charset::MsJis, text), "ncd ");
    assert_eq!(
        held(
            Charset::MsJis,
            "\u{65e5}\u{672c}\u{ff71}\u{a5}\u{e9}\u{1d11e}"
        ),
        "\u{65e5}\u{672c}\u{ff71}\u{a5}"
    );
    // Every 7-bit character but NUL and TAB, control characters included.
    for charset in [Charset::Ascii, Charset::Iso8859_1, Charset::MsJis] {
        assert!(!charset.holds('\0') && !charset.holds('\t'));
        assert!(charset.holds('\u{1}') && charset.holds('\u{7f}') && charset.holds('~'));
    }
    assert!(!Charset::Ascii.holds('\u{80}'));
    assert!(Charset::Iso8859_1.holds('\u{ff}') && !Charset::Iso8859_1.holds('\u{100}'));
    // The encoder refuses exactly what holds says no to.
    for c in ['\u{dc}', '\u{2713}', '\u{65e5}', '\0', '\t', 'a', '\u{7f}'] {
        for charset in [Charset::Ascii, Charset::Iso8859_1, Charset::MsJis] {
            let text = format!("a{c}b");
            assert_eq!(
                charset.encode(&text).is_ok(),
                charset.holds(c),
                "{c:?} {charset:?}"
            );
        }
    }
    assert_eq!(
        Charset::MsJis.encode("\u{65e5}a\u{ff71}").unwrap(),
        [0x93, 0xfa, b'a', 0xb1]
    );
}

#[test]
fn lead_in_cycle_realigns() {
    for n in [4usize, 6, 7, 8, 9] {
        let packs: Vec<Pack> = (0..n as u8)
            .map(|i| Pack::new(0x80, 0, i, false, 0, 0, [i; 12]))
            .collect();
        let cycle = lead_in_cycle(&packs);
        let expected_sectors = match n % 4 {
            0 => n / 4,
            2 => n / 2,
            _ => n,
        };
        assert_eq!(cycle.len(), expected_sectors, "{n} packs");
        // Read back, the cycle is the pack list repeated whole.
        let read: Vec<Pack> = cycle.iter().flat_map(symbols_to_packs).collect();
        assert_eq!(read.len() % n, 0);
        for (k, p) in read.iter().enumerate() {
            assert_eq!(*p, packs[k % n]);
        }
    }
    assert!(lead_in_cycle(&[]).is_empty());
}

#[test]
fn sony_input_sheet() {
    // libburn's doc/cdtext.txt example, abridged.
    let sheet = "Input Sheet Version = 0.7T\nText Code           = 8859\nLanguage Code       = English\nAlbum Title         = Joyful Nights\nArtist Name         = United Cat Orchestra\nCatalog Number      = 1234567890\nGenre Code          = Classical\nGenre Information   = Feline classic music\nClosed Information  = This is not to be shown by CD players\nUPC / EAN           = 1234567890123\nText Data Copy Protection = OFF\nFirst Track Number  = 1\nLast Track Number   = 2\nTrack 01 Title      =  Song of Joy\nTrack 01 Artist     =  Felix and The Purrs\nTrack 01 Message    =  \nISRC 01             =  XYBLG1101234\nTrack 02 Title      =  Humpty Dumpty\nTrack 02 0x83       =  unknown\n";
    let read = v07t::read(sheet.as_bytes()).unwrap();
    let b = &read.block;
    assert_eq!(read.first_track, 1);
    assert_eq!(b.language, 0x09);
    assert_eq!(b.disc.title.as_deref(), Some("Joyful Nights"));
    assert_eq!(b.disc_id.as_deref(), Some("1234567890"));
    assert_eq!(
        b.genre,
        Some(Genre {
            code: 5,
            text: "Feline classic music".into()
        })
    );
    assert_eq!(b.disc.code.as_deref(), Some("1234567890123"));
    assert_eq!(b.tracks.len(), 2);
    assert_eq!(b.tracks[0].message, None);
    assert_eq!(b.tracks[0].code.as_deref(), Some("XYBLG1101234"));
    assert_eq!(b.tracks[1].composer.as_deref(), Some("unknown"));
    let written = v07t::write(b, 1, 2);
    assert_eq!(v07t::read(&written).unwrap(), read);

    let e = v07t::read(b"Album Title = x\nTrack Name = y\n").unwrap_err();
    assert_eq!(e.to_string(), "line 2: unknown purpose `Track Name`");
    // MS-JIS sheets are Shift_JIS.
    let mut jp = full_block(0x69, Charset::MsJis, 2, "\u{65e5}\u{672c}");
    jp.toc_info2.clear();
    jp.closed = None;
    let bytes = v07t::write(&jp, 1, 2);
    assert_eq!(v07t::read(&bytes).unwrap().block, jp);
}
