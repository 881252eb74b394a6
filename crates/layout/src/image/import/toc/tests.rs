#![allow(clippy::unwrap_used, clippy::panic)]

use super::parse::{
    CdTextDef, Item, Len, StrPart, SubMode, TextBlock, TextItem, TextValue, TocMode, TocType,
};
use super::*;
use crate::cdtext::Charset;
use crate::disc::{Disc, Gap, SourceSpan};
use crate::msf::Lba;

/// Every statement of cdrdao's grammar.
const EVERY_STATEMENT: &str = r#"// A toc file as cdrdao users write them.
CATALOG "0036000291452"
CD_ROM_XA
CD_TEXT {
  LANGUAGE_MAP {
    0 : EN
    1 : 8
  }
  LANGUAGE 0 {
    TITLE "Caf\351 \"Live\""
    PERFORMER "The Quartet"
    SONGWRITER ""
    COMPOSER "C"
    ARRANGER "A"
    MESSAGE "M"
    DISC_ID "XY12345"
    GENRE { 0, 14, 66, 101, 98, 111, 112, 0 }
    UPC_EAN "0036000291452"
    TOC_INFO1 { 1, 2, 0 }
    SIZE_INFO { 0, 1, 2, 3 }
  }
  LANGUAGE 1 {
    ENCODING_ISO_8859_1
    TITLE "Kaffee"
    CLOSED "intern"
  }
}

TRACK AUDIO
  COPY
  PRE_EMPHASIS
  FOUR_CHANNEL_AUDIO
  ISRC "US-RC1-76-07839"
  CD_TEXT {
    LANGUAGE 0 {
      TITLE "One"
      ISRC "USRC17607839"
    }
  }
  PREGAP 0:2:0
  AUDIOFILE "a.raw" SWAP #44 0 588
  FILE "a.raw" SWAP #44 588 00:01:00
  SILENCE 1176
  INDEX 00:01:10

TRACK AUDIO
  NO COPY
  NO PRE_EMPHASIS
  TWO_CHANNEL_AUDIO
  FILE "b.wav" 00:01:00 00:05:00
  START 00:01:00
  END
TRACK MODE1 RW_RAW
  DATAFILE "d.bin" #100 00:04:00 // length in blocks
  ZERO MODE1 RW_RAW 00:02:00
TRACK MODE2_RAW
  ZERO 00:03:00
  START
  DATAFILE "e.bin" 705600
TRACK MODE2_FORM_MIX
  DATAFILE "f.bin"
TRACK MODE2_FORM1
  DATAFILE "g.bin"
TRACK MODE2_FORM2
  DATAFILE "h.bin"
TRACK MODE2
  DATAFILE "i.bin"
TRACK MODE1_RAW
  DATAFILE "j.bin"
"#;

fn chars(s: &str) -> Vec<StrPart> {
    s.chars().map(StrPart::Char).collect()
}

#[test]
fn every_statement_parses() {
    let toc = parse(EVERY_STATEMENT).unwrap();
    let st = &toc.statements;
    assert_eq!(st.catalog, Some((Pos::new(2, 9), "0036000291452".into())));
    assert_eq!(st.toc_type, Some((Pos::new(3, 1), TocType::CdRomXa)));
    let text: &CdTextDef = st.cdtext.as_ref().unwrap();
    assert_eq!(
        text.map,
        vec![(Pos::new(6, 5), 0, 9), (Pos::new(7, 5), 1, 8)]
    );
    let b0: &TextBlock = &text.blocks[0];
    assert_eq!(b0.block, 0);
    let mut title = chars("Caf");
    title.push(StrPart::Byte(0o351));
    title.extend(chars(" \"Live\""));
    assert_eq!(
        b0.items[0],
        (
            Pos::new(10, 5),
            TextItem::Item {
                name: "TITLE".into(),
                value: TextValue::Str(title)
            }
        )
    );
    assert_eq!(
        b0.items[7].1,
        TextItem::Item {
            name: "GENRE".into(),
            value: TextValue::Binary(vec![0, 14, 66, 101, 98, 111, 112, 0])
        }
    );
    assert_eq!(b0.items.len(), 11);
    assert_eq!(
        text.blocks[1].items[0].1,
        TextItem::Encoding("ENCODING_ISO_8859_1".into())
    );

    assert_eq!(st.tracks.len(), 9);
    let t1 = &st.tracks[0];
    assert_eq!((t1.mode, t1.sub), (TocMode::Audio, None));
    assert!(t1.copy && t1.pre_emphasis.is_some() && t1.four_channel.is_some());
    assert_eq!(t1.isrc, Some((Pos::new(33, 8), "US-RC1-76-07839".into())));
    assert_eq!(t1.pregap, Some((Pos::new(40, 3), 150)));
    assert_eq!(
        t1.items.iter().map(|(_, i)| i.clone()).collect::<Vec<_>>(),
        vec![
            Item::Audio {
                source: 0,
                offset: 44,
                start: Len::Count(0),
                length: Some(Len::Count(588))
            },
            Item::Audio {
                source: 0,
                offset: 44,
                start: Len::Count(588),
                length: Some(Len::Msf(75))
            },
            Item::Silence(Len::Count(1176)),
        ]
    );
    assert_eq!(t1.indexes, vec![(Pos::new(44, 3), 85)]);
    let t2 = &st.tracks[1];
    assert!(!t2.copy && t2.pre_emphasis.is_none() && t2.four_channel.is_none());
    assert_eq!(
        t2.items.iter().map(|(_, i)| i.clone()).collect::<Vec<_>>(),
        vec![
            Item::Audio {
                source: 1,
                offset: 0,
                start: Len::Msf(75),
                length: Some(Len::Msf(375))
            },
            Item::Start(Some(75)),
            Item::End(None),
        ]
    );
    let t3 = &st.tracks[2];
    assert_eq!((t3.mode, t3.sub), (TocMode::Mode1, Some(SubMode::Raw)));
    assert_eq!(
        t3.items[1].1,
        Item::Zero {
            mode: Some(TocMode::Mode1),
            sub: Some(SubMode::Raw),
            length: Len::Msf(150)
        }
    );
    assert_eq!(st.tracks[3].items[1].1, Item::Start(None));
    let modes: Vec<TocMode> = st.tracks.iter().map(|t| t.mode).collect();
    assert_eq!(
        modes[3..],
        [
            TocMode::Mode2Raw,
            TocMode::Mode2FormMix,
            TocMode::Mode2Form1,
            TocMode::Mode2Form2,
            TocMode::Mode2,
            TocMode::Mode1Raw
        ]
    );
    // Raw audio with SWAP is little-endian; WAV decoded; data raw.
    let formats: Vec<(&str, SourceFormat)> = toc
        .sources()
        .iter()
        .map(|s| (s.path.as_str(), s.format))
        .collect();
    assert_eq!(
        formats[..3],
        [
            ("a.raw", SourceFormat::Binary),
            ("b.wav", SourceFormat::Audio),
            ("d.bin", SourceFormat::Binary)
        ]
    );
}

/// Sources for a parsed toc file: `len` bytes each, filled with `fill`.
fn files(toc: &TocFile, len: impl Fn(&str) -> usize) -> Vec<Vec<u8>> {
    toc.sources()
        .iter()
        .map(|s| vec![0x5a; len(&s.path)])
        .collect()
}

#[test]
fn cdrdao_audio_statements_lay_out_in_sectors() {
    // Written by hand in cdrdao's syntax: offsets, sample counts, silence,
    // PREGAP and START, index points.
    let text = "CD_DA\n\
        TRACK AUDIO\n\
        AUDIOFILE \"a.cdr\" #1000 0 00:10:00\n\
        FILE \"a.cdr\" #1000 441000\n\
        INDEX 00:05:00\n\
        TRACK AUDIO\n\
        PREGAP 00:02:00\n\
        FILE \"b.cdr\" 0\n\
        TRACK AUDIO\n\
        FILE \"b.cdr\" 00:20:00 00:04:00\n\
        START 00:01:00\n\
        FILE \"b.cdr\" 00:24:00 00:10:00\n\
        SILENCE 00:01:00\n";
    let toc = parse(text).unwrap();
    // a.cdr: 1000 header bytes, 20 s of audio; b.cdr: 40 s.
    let mut data = files(&toc, |p| {
        if p == "a.cdr" {
            1000 + 1500 * 2352
        } else {
            3000 * 2352
        }
    });
    let imported = to_project(&toc, &mut data).unwrap();
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    let p = imported.project;
    assert_eq!(p.sources[0].format, SourceFormat::Motorola);
    let t = &p.tracks;
    assert_eq!(
        t[0].data.single().unwrap(),
        SourceSpan {
            source: 0,
            offset: 1000,
            sectors: 1500
        }
    );
    assert_eq!(t[0].pregap, Some(Gap::generated(150)));
    assert_eq!(t[0].indexes, vec![375]);
    assert_eq!(t[1].pregap, Some(Gap::generated(150)));
    assert_eq!(t[1].data.sectors(), 3000);
    assert_eq!(
        t[2].pregap,
        Some(Gap::sourced(SourceSpan {
            source: 1,
            offset: 1500 * 2352,
            sectors: 75
        }))
    );
    assert_eq!(
        t[2].data.single().unwrap(),
        SourceSpan {
            source: 1,
            offset: 1575 * 2352,
            sectors: 975
        }
    );
    assert_eq!(t[2].postgap, Some(75));
    let disc = Disc::plan(&p).unwrap();
    assert_eq!(disc.tracks()[1].start, Lba(1500 + 150));
    assert_eq!(disc.tracks()[2].pregap_start, Lba(1650 + 3000));
}

#[test]
fn cd_text_blocks_become_the_model() {
    let toc = parse(EVERY_STATEMENT).unwrap();
    let texts: Vec<_> = toc
        .statements
        .tracks
        .iter()
        .map(|t| t.cdtext.as_ref())
        .collect();
    let mut warnings = Vec::new();
    let text = text::cdtext(toc.statements.cdtext.as_ref(), &texts, &mut warnings)
        .unwrap()
        .unwrap();
    let b0 = &text.blocks[0];
    assert_eq!(b0.language, 9);
    assert_eq!(b0.disc.title.as_deref(), Some("Caf\u{e9} \"Live\""));
    assert_eq!(b0.disc.songwriter, None);
    assert_eq!(b0.disc.code.as_deref(), Some("0036000291452"));
    assert_eq!(b0.disc_id.as_deref(), Some("XY12345"));
    let genre = b0.genre.as_ref().unwrap();
    assert_eq!((genre.code, genre.text.as_str()), (14, "Bebop"));
    assert!(b0.copyright);
    assert_eq!(b0.tracks.len(), 1);
    assert_eq!(b0.tracks[0].title.as_deref(), Some("One"));
    assert_eq!(b0.tracks[0].code.as_deref(), Some("USRC17607839"));
    let b1 = &text.blocks[1];
    assert_eq!((b1.language, b1.charset), (8, Charset::Iso8859_1));
    assert_eq!(b1.closed.as_deref(), Some("intern"));
    assert!(warnings.is_empty(), "{warnings:?}");

    // Shift_JIS bytes, some of them printable ASCII written as themselves.
    let jis = "CD_TEXT { LANGUAGE_MAP { 0 : 105 } LANGUAGE 0 { ENCODING_MS_JIS TITLE \"\\223\\372\\226{\" } }\nTRACK AUDIO\nSILENCE 00:04:00\n";
    let toc = parse(jis).unwrap();
    let text = text::cdtext(toc.statements.cdtext.as_ref(), &[None], &mut warnings)
        .unwrap()
        .unwrap();
    assert_eq!(text.blocks[0].charset, Charset::MsJis);
    assert_eq!(
        text.blocks[0].disc.title.as_deref(),
        Some("\u{65e5}\u{672c}")
    );

    // Without a map entry a block is ignored, as cdrdao ignores it.
    let toc =
        parse("CD_TEXT { LANGUAGE 0 { TITLE \"x\" } }\nTRACK AUDIO\nSILENCE 00:04:00\n").unwrap();
    let mut warnings = Vec::new();
    assert_eq!(
        text::cdtext(toc.statements.cdtext.as_ref(), &[None], &mut warnings).unwrap(),
        None
    );
    assert_eq!(
        warnings,
        vec!["line 1, column 11: LANGUAGE 0 has no entry in the LANGUAGE_MAP; it is ignored, as cdrdao ignores it".to_string()]
    );
}

fn parse_error(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

fn import_error(text: &str, len: usize) -> String {
    let toc = parse(text).unwrap();
    let mut data = files(&toc, |_| len);
    to_project(&toc, &mut data).unwrap_err().to_string()
}

#[test]
fn syntax_errors_name_line_and_column() {
    assert_eq!(
        parse_error("CD_DA\nTRAK AUDIO\n"),
        "line 2, column 1: expected CATALOG, CD_DA, CD_ROM, CD_ROM_XA, CD_I, CD_TEXT or TRACK, found \"TRAK\""
    );
    assert_eq!(
        parse_error("TRACK AUDIO\nFILE \"a.wav 0\n"),
        "line 2, column 6: missing closing quote"
    );
    assert_eq!(
        parse_error("TRACK AUDIO\nFILE \"a.cdr\" 0\nINDEX 00:60:00\n"),
        "line 3, column 10: seconds 60 out of range (0 to 59)"
    );
    assert_eq!(
        parse_error("TRACK MODE3\n"),
        "line 1, column 7: expected a track mode (AUDIO, MODE1, MODE1_RAW, MODE2, MODE2_FORM1, MODE2_FORM2, MODE2_FORM_MIX, MODE2_RAW), found \"MODE3\""
    );
    assert_eq!(
        parse_error("TRACK AUDIO\nFIFO \"/tmp/f\" 1000\n"),
        "line 2, column 1: FIFO is not supported; rawburn reads files"
    );
    assert_eq!(
        parse_error("TRACK AUDIO\nFILE \"a.mp3\" 0\n"),
        "line 2, column 6: a.mp3: MP3 and Ogg files are not supported; convert them to WAV or FLAC"
    );
    assert_eq!(
        parse_error("TRACK AUDIO\nFILE \"a.cdr\" 0\nINDEX 00:10:00\nSILENCE 00:01:00\n"),
        "line 4, column 1: expected INDEX, TRACK or the end of the file, found \"SILENCE\""
    );
    assert_eq!(
        parse_error("TRACK AUDIO\nNO ISRC\n"),
        "line 2, column 4: expected COPY or PRE_EMPHASIS after NO, found \"ISRC\""
    );
    assert_eq!(
        parse_error("TRACK AUDIO\nFILE \"a.cdr\" 0 $\n"),
        "line 2, column 16: unexpected character '$'"
    );
    assert_eq!(
        parse_error("CD_TEXT { LANGUAGE 0 { TITEL \"x\" } }\nTRACK AUDIO\n"),
        "line 1, column 24: expected a CD-TEXT item (TITLE, PERFORMER, …) or \"}\", found \"TITEL\""
    );
    assert_eq!(
        parse_error(""),
        "line 1, column 1: expected CATALOG, CD_DA, CD_ROM, CD_ROM_XA, CD_I, CD_TEXT or TRACK, found the end of the file"
    );
}

#[test]
fn layouts_a_project_cannot_hold_are_refused() {
    assert_eq!(
        import_error("TRACK AUDIO RW\nDATAFILE \"a.bin\"\n", 2448 * 300),
        "line 1, column 1: packed R-W sub-channel data (RW) is not supported; rawburn keeps R-W as raw interleaved P-W (RW_RAW)"
    );
    assert_eq!(
        import_error(
            "TRACK AUDIO\nFILE \"a.cdr\" 0 1000\nFILE \"a.cdr\" 1000\n",
            2352 * 300
        ),
        "line 2, column 1: this ends 412 samples into a sector; rawburn lays out whole sectors, so only a track's last statement may end mid-sector, and only on audio that ends its file"
    );
    assert_eq!(
        import_error(
            "TRACK AUDIO\nFILE \"a.cdr\" 0\nINDEX 00:05:00\n",
            2352 * 300
        ),
        "line 3, column 1: track 1: an index point at 00:05:00 is not after the previous one within the track's data from a.cdr (300 sectors)"
    );
    assert_eq!(
        import_error("TRACK MODE1\nFILE \"a.cdr\" 0\n", 2048 * 300),
        "line 2, column 1: FILE and AUDIOFILE belong to audio tracks without a sub-channel mode; use DATAFILE"
    );
    assert_eq!(
        import_error("TRACK MODE1\nDATAFILE \"a.iso\"\n", 2048 * 300 + 5),
        "line 2, column 1: this ends 5 bytes into a sector; rawburn lays out whole sectors, so only a track's last statement may end mid-sector, and only on audio that ends its file"
    );
    let toc = parse("TRACK AUDIO\nFILE \"a.cdr\" 0\n").unwrap();
    let mut missing: Vec<Vec<u8>> = Vec::new();
    assert_eq!(
        to_project(&toc, &mut missing).unwrap_err().to_string(),
        "line 2, column 1: a.cdr: no source 0"
    );
}

fn import_ok(text: &str, len: usize) -> Imported {
    let toc = parse(text).unwrap();
    let mut data = files(&toc, |_| len);
    to_project(&toc, &mut data).unwrap()
}

#[test]
fn tracks_are_sequences_of_pieces() {
    use crate::disc::{Piece, Pieces};
    let span = |offset: u64, sectors: u32| {
        Piece::Source(SourceSpan {
            source: 0,
            offset,
            sectors,
        })
    };
    // Silence between two stretches of a file, in the data.
    let p = import_ok(
        "TRACK AUDIO\nFILE \"a.cdr\" 0 00:04:00\nSILENCE 00:01:00\nFILE \"a.cdr\" 00:04:00\n",
        2352 * 600,
    )
    .project;
    assert_eq!(
        p.tracks[0].data,
        Pieces(vec![
            span(0, 300),
            Piece::Generated(75),
            span(300 * 2352, 300)
        ])
    );
    let d = Disc::plan(&p).unwrap();
    assert_eq!(d.tracks()[0].start, Lba(0));
    assert_eq!(d.leadout(), Lba(675));
    // A pregap of a file, silence, then the file again: the silence
    // stays inside the pregap's pieces.
    let p = import_ok(
        "TRACK AUDIO\nFILE \"a.cdr\" 0 00:01:00\nSILENCE 00:01:00\nSTART\nFILE \"a.cdr\" 00:01:00\n",
        2352 * 600,
    )
    .project;
    assert_eq!(
        p.tracks[0].pregap,
        Some(Gap {
            generated: 150,
            source: Some(Pieces(vec![span(0, 75), Piece::Generated(75)])),
        })
    );
    assert_eq!(p.tracks[0].data, Pieces(vec![span(75 * 2352, 525)]));
    let d = Disc::plan(&p).unwrap();
    assert_eq!((d.tracks()[0].start, d.leadout()), (Lba(150), Lba(675)));
    // Tracks of silence or zeros alone, as cdrdao's own test tocs are.
    let p = import_ok(
        "CD_ROM\nTRACK MODE1\nZERO 1:0:0\nTRACK AUDIO\nPREGAP 0:2:0\nSILENCE 1:0:0\n",
        0,
    )
    .project;
    assert_eq!(p.tracks[0].data, Pieces(vec![Piece::Generated(4500)]));
    assert_eq!(p.tracks[1].pregap, Some(Gap::generated(150)));
    assert_eq!(p.tracks[1].data, Pieces(vec![Piece::Generated(4500)]));
    let d = Disc::plan(&p).unwrap();
    assert_eq!(d.tracks()[1].start, Lba(4650));
    assert_eq!(d.leadout(), Lba(9150));
    // The project JSON keeps them.
    let json = p.to_json().unwrap();
    assert!(
        json.contains("\"data\": [\n        {\n          \"generated\": 4500\n"),
        "{json}"
    );
    assert_eq!(Project::from_json(&json).unwrap(), p);
}

#[test]
fn what_read_toc_dumps_of_real_discs_hold() {
    // `\\` is one backslash, as cdrdao reads it; ASCII blocks holding
    // Latin-1 keep their bytes; an ISRC of zeros is none; an explicit
    // zero length runs to the end of the file.
    let text = "CD_DA\nCATALOG \"0000000000000\"\nCD_TEXT {\n  LANGUAGE_MAP { 0 : EN }\n  LANGUAGE 0 {\n    ENCODING_ASCII\n    TITLE \"AC\\\\DC \\351t\\351\"\n  }\n}\nTRACK AUDIO\nISRC \"000000000000\"\nFILE \"a.cdr\" 0 0\nTRACK MODE1\nDATAFILE \"d.iso\" 0\n";
    let imported = import_ok(text, 2352 * 2048);
    let p = imported.project;
    let block = &p.cdtext.as_ref().unwrap().blocks[0];
    assert_eq!(block.disc.title.as_deref(), Some("AC\\DC été"));
    assert_eq!(block.charset, Charset::Iso8859_1);
    assert_eq!(p.mcn, None);
    assert_eq!(p.tracks[0].isrc, None);
    assert_eq!(p.tracks[0].data.sectors(), 2048);
    assert_eq!(p.tracks[1].data.sectors(), 2352);
    assert_eq!(
        imported.warnings,
        [
            "line 2, column 9: CATALOG \"0000000000000\" is how drives and rippers write \"no catalog number\"; the disc gets none",
            "line 11, column 6: ISRC \"000000000000\" is how drives and read-toc write \"no ISRC\"; track 1 gets none",
            "line 3, column 1: LANGUAGE 0 is declared ASCII but holds characters past 0x7f; it is written as ISO-8859-1, byte for byte"
        ]
    );
}

#[test]
fn wav_audio_ending_mid_sector_is_padded() {
    let toc = parse("TRACK AUDIO\nFILE \"a.wav\" 0\n").unwrap();
    let mut data = files(&toc, |_| 2352 * 300 + 400);
    let imported = to_project(&toc, &mut data).unwrap();
    assert_eq!(imported.project.tracks[0].data.sectors(), 301);
    assert_eq!(
        imported.warnings,
        vec![
            "a.wav: the last 400 bytes do not fill a sector; padded with 1952 bytes of silence"
                .to_string()
        ]
    );
}

#[test]
fn numbers_no_disc_holds_are_refused_never_wrapped() {
    // Byte and sample counts past 2^64.
    assert_eq!(
        import_error(
            "TRACK AUDIO\nFILE \"a.cdr\" 0 00:04:00\nSILENCE 18446744073709551615\n",
            2352 * 300
        ),
        "line 3, column 1: this statement reaches past the largest file (2^64 bytes); that does not fit on a disc"
    );
    assert_eq!(
        import_error(
            "TRACK AUDIO\nFILE \"a.cdr\" #18446744073709551615 1 00:04:00\n",
            2352 * 300
        ),
        "line 2, column 1: this statement reaches past the largest file (2^64 bytes); that does not fit on a disc"
    );
    assert_eq!(
        import_error(
            "TRACK MODE1\nDATAFILE \"a.iso\" 00:04:00\nZERO 18446744073709551615\n",
            2048 * 300
        ),
        "line 3, column 1: this statement reaches past the largest file (2^64 bytes); that does not fit on a disc"
    );
    assert_eq!(
        import_error(
            "TRACK MODE1\nZERO 9223372036854775808\nZERO 9223372036854775808\nSTART\nDATAFILE \"a.iso\"\n",
            2048 * 300
        ),
        "line 4, column 1: this statement reaches past the largest file (2^64 bytes); that does not fit on a disc"
    );
    assert_eq!(
        parse_error("TRACK AUDIO\nFILE \"a.cdr\" 0\nINDEX 307445734561825860:0:0\n"),
        "line 3, column 7: time 307445734561825860:0:0 is too long"
    );
    // More sectors than a project can say.
    assert_eq!(
        import_error(
            "TRACK MODE1\nZERO 8192000000000\nZERO 8192000000000\nDATAFILE \"a.iso\"\n",
            2048 * 300
        ),
        "line 1, column 1: track 1 is 8000000300 sectors long; that does not fit on a disc, whose lead-out is at lba 443100 at the latest"
    );
    assert_eq!(
        import_error(
            "TRACK MODE1\nZERO 18446744073709549568\nDATAFILE \"a.iso\"\n",
            2048 * 300
        ),
        "line 2, column 1: this statement is 9007199254740991 sectors long; that does not fit on a disc"
    );
}

#[test]
fn lengths_no_disc_holds_are_the_plans_to_name() {
    // A length a project can say goes through, and the plan refuses it
    // naming the field and the track.
    let toc =
        parse("TRACK AUDIO\nFILE \"a.cdr\" 0\nTRACK AUDIO\nPREGAP 1000:00:00\nFILE \"a.cdr\" 0\n")
            .unwrap();
    let mut data = files(&toc, |_| 2352 * 300);
    let p = to_project(&toc, &mut data).unwrap().project;
    assert_eq!(
        Disc::plan(&p).unwrap_err().to_string(),
        "track 2: pregap of 4500000 sectors does not fit on a disc (the lead-out would be at lba 4500600; on the largest disc it is at lba 443100, 98:30:00)"
    );
    let toc = parse("TRACK MODE1\nDATAFILE \"a.iso\" #18446744073709551615 00:04:00\n").unwrap();
    let mut data = files(&toc, |_| 2048 * 300);
    let p = to_project(&toc, &mut data).unwrap().project;
    assert_eq!(
        Disc::plan(&p).unwrap_err().to_string(),
        "track 1: data from byte 18446744073709551615 of its source (300 sectors, up to byte 18446744073710166015) does not fit in a file; no file reaches past byte 9223372036854775807"
    );
}
