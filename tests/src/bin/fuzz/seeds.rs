//! The seed corpus: small discs the mutations start from. The sheets and
//! sources are written here; the derived seeds (CloneCD image, project
//! JSON, binary CD-TEXT and input sheet, raw image, burned virtual discs)
//! are made by the `rawburn` under test, once per run, and must succeed.

use crate::rng::noise;
use std::path::{Path, PathBuf};
use std::process::Command;
use testkit::wav_bytes;

/// Sectors of audio or data in the seed sources: the 4 seconds a track
/// needs at least.
const TRACK: usize = 300;

/// A mixed-mode cue sheet: BINARY and WAVE files, CATALOG, CD-TEXT
/// (TITLE, PERFORMER, SONGWRITER, REM fields), FLAGS, ISRC, PREGAP,
/// POSTGAP, INDEX 00 and 02.
pub const MIXED_CUE: &str = r#"REM GENRE "Rock"
REM DISCID 12345678
REM COMMENT "rawburn fuzz seed"
CATALOG 0036000291452
PERFORMER "The Band"
TITLE "Mixed Seed"
SONGWRITER "Writer"
FILE "d.iso" BINARY
  TRACK 01 MODE1/2048
    TITLE "Data"
    INDEX 01 00:00:00
    POSTGAP 00:02:00
FILE "a.wav" WAVE
  TRACK 02 AUDIO
    TITLE "One"
    PERFORMER "Singer"
    REM COMPOSER "Comp"
    REM ARRANGER "Arr"
    REM MESSAGE "Hello"
    FLAGS DCP PRE
    ISRC USRC17607839
    PREGAP 00:02:00
    INDEX 01 00:00:00
    INDEX 02 00:02:00
  TRACK 03 AUDIO
    TITLE "Two"
    FLAGS 4CH
    INDEX 00 00:04:00
    INDEX 01 00:05:00
FILE "b.wav" WAVE
  TRACK 04 AUDIO
    INDEX 01 00:00:00
    POSTGAP 00:01:00
"#;

/// What every write mode can burn: data and audio, a catalog number and
/// an ISRC, no CD-TEXT, no index beyond 1.
pub const PLAIN_CUE: &str = r#"CATALOG 0036000291452
FILE "d.iso" BINARY
  TRACK 01 MODE1/2048
    INDEX 01 00:00:00
FILE "b.wav" WAVE
  TRACK 02 AUDIO
    ISRC USRC17607839
    INDEX 01 00:00:00
"#;

/// FLAC in a WAVE file, then WAV.
pub const FLAC_CUE: &str = r#"TITLE "Flac Seed"
FILE "tone.flac" WAVE
  TRACK 01 AUDIO
    TITLE "Tone"
    INDEX 01 00:00:00
FILE "b.wav" WAVE
  TRACK 02 AUDIO
    PREGAP 00:01:00
    INDEX 01 00:00:00
"#;

/// CD-TEXT from a binary CDTEXTFILE.
pub const CDT_CUE: &str = r#"CDTEXTFILE "mixed.cdt"
FILE "d.iso" BINARY
  TRACK 01 MODE1/2048
    INDEX 01 00:00:00
    POSTGAP 00:02:00
FILE "a.wav" WAVE
  TRACK 02 AUDIO
    INDEX 01 00:00:00
  TRACK 03 AUDIO
    INDEX 00 00:04:00
    INDEX 01 00:05:00
FILE "b.wav" WAVE
  TRACK 04 AUDIO
    INDEX 01 00:00:00
"#;

/// CD-TEXT from a Sony input sheet named by CDTEXTFILE.
pub const SHEET_CUE: &str = r#"CDTEXTFILE "mixed.txt"
TITLE "Overridden"
FILE "a.wav" WAVE
  TRACK 01 AUDIO
    INDEX 01 00:00:00
FILE "b.wav" WAVE
  TRACK 02 AUDIO
    INDEX 01 00:00:00
"#;

/// A cdrdao toc file: CD_TEXT with two languages, octal escapes and a
/// genre, DATAFILE, ZERO, PREGAP, FILE with a start and a length, INDEX,
/// SILENCE, START, AUDIOFILE with a byte offset (big-endian raw audio).
pub const MIXED_TOC: &str = r#"// rawburn fuzz seed
CD_ROM
CATALOG "0036000291452"
CD_TEXT {
  LANGUAGE_MAP {
    0 : EN
    1 : 7
  }
  LANGUAGE 0 {
    TITLE "Toc Seed"
    PERFORMER "Perf \"quoted\" \101\102"
    MESSAGE "message"
    GENRE { 0, 23, 0 }
  }
  LANGUAGE 1 {
    TITLE "Titel"
    PERFORMER "Kuenstler"
  }
}

TRACK MODE1
CD_TEXT {
  LANGUAGE 0 { TITLE "Data" }
  LANGUAGE 1 { TITLE "Daten" }
}
DATAFILE "d.iso" 00:04:00
ZERO 00:02:00

TRACK AUDIO
NO COPY
PRE_EMPHASIS
TWO_CHANNEL_AUDIO
ISRC "USRC17607839"
CD_TEXT {
  LANGUAGE 0 { TITLE "One" SONGWRITER "Writer" }
  LANGUAGE 1 { TITLE "Eins" }
}
PREGAP 00:03:00
FILE "a.wav" 0 00:06:00
INDEX 00:02:00
INDEX 00:04:10

TRACK AUDIO
COPY
SILENCE 00:01:00
START
AUDIOFILE "b.raw" #0 0 00:04:00
SILENCE 00:00:30
"#;

/// Keywords of each format, for keyword swaps.
pub const CUE_WORDS: &[&str] = &[
    "FILE",
    "TRACK",
    "INDEX",
    "PREGAP",
    "POSTGAP",
    "ISRC",
    "CATALOG",
    "FLAGS",
    "TITLE",
    "PERFORMER",
    "SONGWRITER",
    "REM",
    "CDTEXTFILE",
    "BINARY",
    "MOTOROLA",
    "WAVE",
    "AUDIO",
    "CDG",
    "MODE1/2048",
    "MODE1/2352",
    "MODE2/2336",
    "MODE2/2352",
    "CDI/2336",
    "CDI/2352",
    "DCP",
    "4CH",
    "PRE",
    "SCMS",
    "COMPOSER",
    "ARRANGER",
    "MESSAGE",
    "GENRE",
    "DISCID",
    "MP3",
    "AIFF",
];

/// cdrdao keywords.
pub const TOC_WORDS: &[&str] = &[
    "CD_DA",
    "CD_ROM",
    "CD_ROM_XA",
    "CD_I",
    "TRACK",
    "AUDIO",
    "MODE0",
    "MODE1",
    "MODE1_RAW",
    "MODE2",
    "MODE2_FORM1",
    "MODE2_FORM2",
    "MODE2_FORM_MIX",
    "MODE2_RAW",
    "RW_RAW",
    "RW",
    "COPY",
    "NO",
    "PRE_EMPHASIS",
    "TWO_CHANNEL_AUDIO",
    "FOUR_CHANNEL_AUDIO",
    "ISRC",
    "PREGAP",
    "FILE",
    "AUDIOFILE",
    "DATAFILE",
    "SILENCE",
    "ZERO",
    "START",
    "END",
    "INDEX",
    "SWAP",
    "CD_TEXT",
    "LANGUAGE_MAP",
    "LANGUAGE",
    "TITLE",
    "PERFORMER",
    "SIZE_INFO",
    "TOC_INFO1",
    "ENCODING_ISO_8859_1",
    "ENCODING_ASCII",
    "ENCODING_MS_JIS",
    "FIFO",
    "{",
    "}",
    ":",
    "#",
    "CATALOG",
    "GENRE",
    "UPC_EAN",
];

/// CloneCD control file keys.
pub const CCD_WORDS: &[&str] = &[
    "[CloneCD]",
    "[Disc]",
    "[Session 1]",
    "[Entry 0]",
    "[TRACK 1]",
    "[CDText]",
    "Version",
    "TocEntries",
    "Sessions",
    "DataTracksScrambled",
    "CDTextLength",
    "CATALOG",
    "Session",
    "Point",
    "ADR",
    "Control",
    "TrackNo",
    "AMin",
    "ASec",
    "AFrame",
    "ALBA",
    "Zero",
    "PMin",
    "PSec",
    "PFrame",
    "PLBA",
    "MODE",
    "INDEX",
    "ISRC",
    "Entries",
    "Entry",
    "PreGapMode",
    "PreGapSubC",
    "0xa0",
    "0xa1",
    "0xa2",
    "=",
];

/// Project JSON names and values.
pub const JSON_WORDS: &[&str] = &[
    "\"sources\"",
    "\"tracks\"",
    "\"sectorType\"",
    "\"data\"",
    "\"source\"",
    "\"offset\"",
    "\"sectors\"",
    "\"pregap\"",
    "\"postgap\"",
    "\"generated\"",
    "\"indexes\"",
    "\"isrc\"",
    "\"mcn\"",
    "\"firstTrack\"",
    "\"leadoutLimit\"",
    "\"imageType\"",
    "\"cdtext\"",
    "\"audio\"",
    "\"mode1\"",
    "\"mode2\"",
    "\"mode2Form1\"",
    "\"mode2Form2\"",
    "\"raw\"",
    "\"binary\"",
    "\"motorola\"",
    "\"rwSub\"",
    "\"rwInSource\"",
    "\"specialPregap\"",
    "\"rwGenerator\"",
    "\"gaplessAudio\"",
    "null",
    "true",
    "false",
    "[]",
    "{}",
    "\"\"",
    "\"minutes80\"",
    "\"minutes99\"",
    "\"copy\"",
    "\"prohibited\"",
    "\"permitted\"",
];

/// Sony input sheet keys.
pub const SHEET_WORDS: &[&str] = &[
    "Input Sheet Version",
    "Text Code",
    "Language Code",
    "Album Title",
    "Artist Name",
    "Songwriter",
    "Composer",
    "Arranger",
    "Album Message",
    "Catalog Number",
    "Genre Code",
    "Genre Information",
    "Closed Information",
    "UPC / EAN",
    "ISRC 01",
    "Text Data Copy Protection",
    "First Track Number",
    "Last Track Number",
    "Track 01 Title",
    "Track 99 Title",
    "Track 02 Artist",
    "=",
    "0.7T",
    "8859",
    "ASCII",
    "MS-JIS",
    "English",
    "Japanese",
    "ON",
    "OFF",
];

/// Fault plan words.
pub const FAULT_WORDS: &[&str] = &[
    "\"faults\"",
    "\"command\"",
    "\"nth\"",
    "\"lba\"",
    "\"fault\"",
    "\"stallData\"",
    "\"stallCsw\"",
    "\"phaseError\"",
    "\"cswSignature\"",
    "\"cswTag\"",
    "\"shortData\"",
    "\"longData\"",
    "\"noAnswer\"",
    "\"disconnect\"",
    "\"unitAttention\"",
    "\"mediumError\"",
    "\"powerCalibration\"",
    "\"underrun\"",
    "\"WRITE(10)\"",
    "\"READ CD\"",
    "null",
    "[]",
];

/// The seed files of a run, in one directory.
pub struct Seeds {
    /// Where they are.
    pub dir: PathBuf,
}

/// The files a disc description needs beside it.
pub const SOURCES: &[&str] = &[
    "d.iso",
    "a.wav",
    "b.wav",
    "b.raw",
    "tone.flac",
    "mixed.cdt",
    "mixed.txt",
];

/// The committed FLAC seed: 4 seconds, a tone then silence, 1152-sample
/// blocks (made with `flac -8 -b 1152 --no-padding`).
const TONE_FLAC: &[u8] = include_bytes!("../../../fuzz-seeds/tone.flac");

impl Seeds {
    /// Writes the corpus into `dir`, deriving the image seeds with
    /// `program`.
    ///
    /// ## Errors
    ///
    /// A message naming the seed that could not be made.
    pub fn make(dir: &Path, program: &Path) -> Result<Seeds, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let write = |name: &str, bytes: &[u8]| {
            std::fs::write(dir.join(name), bytes).map_err(|e| format!("seed {name}: {e}"))
        };
        write("d.iso", &noise(TRACK * 2048, 1))?;
        write("a.wav", &wav_bytes(&noise((2 * TRACK + 75) * 2352, 2)))?;
        write("b.wav", &wav_bytes(&noise(TRACK * 2352, 3)))?;
        write("b.raw", &noise(TRACK * 2352, 4))?;
        write("tone.flac", TONE_FLAC)?;
        write("mixed.cue", MIXED_CUE.as_bytes())?;
        write("plain.cue", PLAIN_CUE.as_bytes())?;
        write("flac.cue", FLAC_CUE.as_bytes())?;
        write("cdt.cue", CDT_CUE.as_bytes())?;
        write("sheet.cue", SHEET_CUE.as_bytes())?;
        write("mixed.toc", MIXED_TOC.as_bytes())?;
        let run = |args: &[&str]| -> Result<(), String> {
            let out = Command::new(program)
                .args(args)
                .current_dir(dir)
                .output()
                .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "seed: `rawburn {}` failed ({}): {}",
                    args.join(" "),
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ))
            }
        };
        run(&["build", "mixed.cue", "-o", "mixed.ccd", "-q"])?;
        run(&["build", "mixed.cue", "-o", "mixed.json", "-q"])?;
        run(&["build", "plain.cue", "-o", "plain.json", "-q"])?;
        run(&["build", "mixed.cue", "-o", "mixed.raw", "-q"])?;
        run(&[
            "cdtext",
            "mixed.cue",
            "--cdt",
            "mixed.cdt",
            "--sheet",
            "mixed.txt",
        ])?;
        for (disc, media, minutes) in [
            ("blank-r80.vdisc", "cd-r", "80"),
            ("blank-rw74.vdisc", "cd-rw", "74"),
            ("blank-r99.vdisc", "cd-r", "99"),
        ] {
            run(&[
                "vdisc",
                "create",
                disc,
                "--media",
                media,
                "--minutes",
                minutes,
                "--force",
            ])?;
        }
        for (disc, input, mode) in [
            ("sao.vdisc", "plain.cue", "sao"),
            ("tao.vdisc", "plain.cue", "tao"),
            ("raw96r.vdisc", "mixed.cue", "raw96r"),
        ] {
            run(&["vdisc", "create", disc, "--media", "cd-rw", "--force"])?;
            run(&["burn", input, "--virtual", disc, "--mode", mode, "-q"])?;
        }
        Ok(Seeds {
            dir: dir.to_path_buf(),
        })
    }

    /// Copies seed files into a case's directory.
    ///
    /// ## Errors
    ///
    /// The I/O error of the copy.
    pub fn copy(&self, names: &[&str], to: &Path) -> std::io::Result<()> {
        for n in names {
            std::fs::copy(self.dir.join(n), to.join(n))?;
        }
        Ok(())
    }
}
