//! What a burn is asked to do, what the drive can do, and how the write
//! mode is chosen.

use crate::wire::command::SetCdSpeed;
use crate::wire::performance::KBS_1X;
use layout::disc::{Content, Disc};
use layout::msf::Lba;
use layout::sector::SectorType;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How the disc is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WriteMode {
    /// The best mode the drive offers for the disc.
    Auto,
    /// Raw, 2448-byte blocks with raw P-W (data block type 3): every byte
    /// of the disc from the lead-in on, CD-TEXT and R-W included.
    Raw96r,
    /// Raw, 2448-byte blocks with packed R-W (type 2): no CD-TEXT or R-W.
    Raw96p,
    /// Raw, 2368-byte blocks with P and Q (type 1): no CD-TEXT or R-W.
    Raw16,
    /// Session at once from a cue sheet: CD-TEXT when the drive writes
    /// R-W, no R-W in the program area.
    Sao,
    /// Track at once: each track with a 2-second pregap and run-out; no
    /// CD-TEXT, R-W, index points or data in pregaps.
    Tao,
}

impl WriteMode {
    /// Every mode but `Auto`, in the order `Auto` prefers them.
    pub const CONCRETE: [WriteMode; 5] = [
        WriteMode::Raw96r,
        WriteMode::Sao,
        WriteMode::Raw16,
        WriteMode::Raw96p,
        WriteMode::Tao,
    ];

    /// The name used on the command line and in events.
    pub const fn name(self) -> &'static str {
        match self {
            WriteMode::Auto => "auto",
            WriteMode::Raw96r => "raw96r",
            WriteMode::Raw96p => "raw96p",
            WriteMode::Raw16 => "raw16",
            WriteMode::Sao => "sao",
            WriteMode::Tao => "tao",
        }
    }

    /// The Write Parameters data block type of a raw mode.
    pub const fn raw_block_type(self) -> Option<u8> {
        match self {
            WriteMode::Raw16 => Some(1),
            WriteMode::Raw96p => Some(2),
            WriteMode::Raw96r => Some(3),
            _ => None,
        }
    }
}

/// How a burn is read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verify {
    /// Every main-channel byte must equal the image.
    Exact,
    /// Data sectors by user data and a consistent EDC/ECC, audio by
    /// content (what a real drive can promise to read back).
    Content,
}

/// What the burn should do.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The write mode.
    pub mode: WriteMode,
    /// Write speed in multiples of 1× (`None`: the drive's fastest). The
    /// engine writes at the fastest speed the drive reports that is not
    /// above it (the slowest when all are), see [`write_speed`].
    pub speed: Option<u16>,
    /// Simulate (test write): the laser stays at read power.
    pub simulate: bool,
    /// Buffer underrun protection.
    pub bufe: bool,
    /// Read back and compare afterwards.
    pub verify: Option<Verify>,
    /// Close the disc (no further session); otherwise leave it appendable
    /// (TAO and SAO).
    pub finalize: bool,
    /// Eject when done.
    pub eject: bool,
    /// WRITE(12) with the streaming bit instead of WRITE(10).
    pub write12: bool,
    /// Largest transfer per WRITE, bytes.
    pub max_transfer: usize,
    /// Host-side buffer kept filled from the source, bytes.
    pub system_buffer: usize,
    /// Calibrate the laser (SEND OPC INFORMATION) before writing.
    pub opc: bool,
    /// How often progress events come while nothing else changes.
    pub event_interval: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            mode: WriteMode::Auto,
            speed: None,
            simulate: false,
            bufe: true,
            verify: None,
            finalize: true,
            eject: false,
            write12: false,
            max_transfer: 64 * 1024,
            system_buffer: 8 << 20,
            opc: true,
            event_interval: Duration::from_millis(500),
        }
    }
}

/// What the drive and its disc offer, from INQUIRY, GET CONFIGURATION,
/// READ DISC INFORMATION and the ATIP.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DriveInfo {
    /// INQUIRY vendor.
    pub vendor: String,
    /// INQUIRY product.
    pub product: String,
    /// INQUIRY revision.
    pub revision: String,
    /// Current profile (0009h CD-R, 000Ah CD-RW).
    pub profile: u16,
    /// TAO offered (feature 002Dh current).
    pub tao: bool,
    /// SAO offered.
    pub sao: bool,
    /// RAW offered.
    pub raw: bool,
    /// R-W can be written (SAO CD-TEXT; feature 002Eh bit 0).
    pub rw: bool,
    /// Test write offered.
    pub test_write: bool,
    /// Buffer underrun protection offered.
    pub bufe: bool,
    /// TAO data block types offered (bit n: type n).
    pub tao_data_types: u16,
    /// Disc status (READ DISC INFORMATION byte 2 bits 1–0: 0 blank).
    pub disc_status: u8,
    /// Erasable (CD-RW).
    pub erasable: bool,
    /// ATIP lead-in start.
    pub lead_in: Option<Lba>,
    /// ATIP last possible lead-out start.
    pub last_lead_out: Option<Lba>,
    /// Write speeds, kB/s, fastest first.
    pub write_speeds: Vec<u16>,
}

/// A sector kept as given that a drive would build otherwise from its
/// user data: SAO and TAO cannot write it as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Irregular {
    /// The track (its number).
    pub track: u8,
    /// The sector.
    pub lba: Lba,
    /// The track's sector type.
    pub sector_type: SectorType,
    /// The first part of the sector that differs (`edc`, `mode byte`, …).
    pub field: &'static str,
}

/// What a disc needs of a write mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// CD-TEXT in the lead-in.
    pub cdtext: bool,
    /// R-W in the program area (CD+G, an R-W generator).
    pub rw: bool,
    /// Data in a pregap (hidden track-one audio, recorded pregaps).
    pub pregap_data: bool,
    /// Index points beyond 1.
    pub indexes: bool,
    /// Mode 0 sectors.
    pub mode0: bool,
    /// A first track number other than 1.
    pub first_track: bool,
    /// Data sectors kept as given (raw sectors, Mode 2 XA from a source):
    /// SAO and TAO send their user data and the drive builds the rest,
    /// so they can write them only when each is what the drive builds.
    pub given: bool,
    /// The first such sector the drive would build otherwise, once they
    /// were checked.
    pub irregular: Option<Irregular>,
}

impl Needs {
    /// What `disc` needs.
    pub fn of(disc: &Disc) -> Needs {
        let tracks = disc.tracks();
        let pregap_data = disc.regions().iter().any(|r| {
            matches!(r.area, layout::disc::Area::Track { index: 0, .. })
                && matches!(r.content, Content::Source { .. })
        });
        Needs {
            cdtext: !disc.cdtext_packs().is_empty(),
            rw: disc.project().rw_generator.is_some()
                || disc.regions().iter().any(|r| {
                    matches!(
                        r.content,
                        Content::Source { rw: true, .. }
                            | Content::Source {
                                rw_sub: Some(_),
                                ..
                            }
                    )
                }),
            pregap_data,
            indexes: tracks.iter().any(|t| t.indexes.len() > 1),
            mode0: tracks.iter().any(|t| t.sector_type == SectorType::Mode0),
            first_track: disc.first_track().get() != 1,
            given: !super::given::regions(disc).is_empty(),
            irregular: None,
        }
    }
}

/// Why `mode` cannot write a disc with `needs` on a drive with `info`, if
/// it cannot.
pub fn refusal(mode: WriteMode, needs: Needs, info: &DriveInfo, simulate: bool) -> Option<String> {
    let name = mode.name();
    let offered = match mode {
        WriteMode::Auto => true,
        WriteMode::Raw96r | WriteMode::Raw96p | WriteMode::Raw16 => info.raw,
        WriteMode::Sao => info.sao,
        WriteMode::Tao => info.tao,
    };
    if !offered {
        return Some(format!("the drive does not offer {name}"));
    }
    if simulate && !info.test_write {
        return Some("the drive cannot simulate (no test write)".to_string());
    }
    let cannot = |what: &str| Some(format!("{name} cannot carry {what}"));
    if let (WriteMode::Sao | WriteMode::Tao, Some(i)) = (mode, needs.irregular) {
        return Some(format!(
            "{name} cannot write track {}'s {} sectors as given: lba {} is not what the drive would build from its user data (its {} differs)",
            i.track,
            i.sector_type,
            i.lba.get(),
            i.field
        ));
    }
    match mode {
        WriteMode::Auto | WriteMode::Raw96r => None,
        WriteMode::Raw96p | WriteMode::Raw16 if needs.cdtext => cannot("CD-TEXT"),
        WriteMode::Raw96p | WriteMode::Raw16 if needs.rw => cannot("R-W subchannel"),
        WriteMode::Raw96p | WriteMode::Raw16 => None,
        WriteMode::Sao if needs.rw => cannot("R-W subchannel in the program area"),
        WriteMode::Sao if needs.mode0 => cannot("Mode 0 sectors"),
        WriteMode::Sao if needs.cdtext && !info.rw => {
            Some("the drive cannot write CD-TEXT in sao (no R-W recording)".to_string())
        }
        WriteMode::Sao => None,
        WriteMode::Tao if needs.cdtext => cannot("CD-TEXT"),
        WriteMode::Tao if needs.rw => cannot("R-W subchannel"),
        WriteMode::Tao if needs.pregap_data => cannot("data in pregaps (hidden track-one audio)"),
        WriteMode::Tao if needs.indexes => cannot("index points beyond 1"),
        WriteMode::Tao if needs.mode0 => cannot("Mode 0 sectors"),
        WriteMode::Tao if needs.first_track => cannot("a first track number other than 1"),
        WriteMode::Tao => None,
    }
}

/// The mode to use: `wanted`, or for `Auto` the first of
/// [`WriteMode::CONCRETE`] that can write the disc, with why.
///
/// ## Errors
///
/// Why the wanted mode (or every mode) cannot write it.
pub fn choose(
    wanted: WriteMode,
    needs: Needs,
    info: &DriveInfo,
    simulate: bool,
) -> Result<(WriteMode, String), String> {
    if wanted != WriteMode::Auto {
        return match refusal(wanted, needs, info, simulate) {
            Some(why) => Err(why),
            None => Ok((wanted, format!("{} as asked", wanted.name()))),
        };
    }
    let mut reasons = Vec::new();
    for mode in WriteMode::CONCRETE {
        match refusal(mode, needs, info, simulate) {
            None => {
                let why = if reasons.is_empty() {
                    format!("{}: the best mode the drive offers", mode.name())
                } else {
                    format!("{} ({})", mode.name(), reasons.join("; "))
                };
                return Ok((mode, why));
            }
            Some(r) => reasons.push(r),
        }
    }
    Err(format!("no write mode fits: {}", reasons.join("; ")))
}

/// The write speed a burn asks the drive for: the value for SET CD SPEED
/// (kB/s) and, when a speed was asked for, what was made of it, for people.
///
/// `asked` is in multiples of 1× (`None`: the fastest), `offered` the write
/// speeds the drive reports (kB/s, any order; empty when it reports none).
/// A speed the drive offers is used as it is; another one rounds down to
/// the fastest speed offered below it, or up to the slowest when it is
/// below them all. The value sent is 2 kB/s above the chosen speed, so the
/// drive's own rounding does not drop it to the next lower one. With no
/// speeds reported, `asked`×176.4 is sent and the drive picks.
pub fn write_speed(asked: Option<u16>, offered: &[u16]) -> (u16, Option<String>) {
    let Some(n) = asked else {
        return (SetCdSpeed::MAX, None);
    };
    let x = |kbs: u16| format!("{}x", (f64::from(kbs) / KBS_1X).round());
    let target = f64::from(n) * KBS_1X;
    // 1% of slack: drives report 48x as 8467 or 8468, 40x as 7056 or 7060.
    let within = |kbs: u16| f64::from(kbs) <= target * 1.01;
    let exact = |kbs: u16| (f64::from(kbs) - target).abs() <= target * 0.01;
    let send = |kbs: u16| kbs.saturating_add(2).min(SetCdSpeed::MAX - 1);
    let fastest = offered.iter().copied().max();
    let slowest = offered.iter().copied().min();
    match offered.iter().copied().filter(|&s| within(s)).max() {
        Some(kbs) if exact(kbs) => (send(kbs), Some(format!("at {}", x(kbs)))),
        Some(kbs) if Some(kbs) == fastest => (
            send(kbs),
            Some(format!(
                "at {}, the drive's fastest ({n}x asked for)",
                x(kbs)
            )),
        ),
        Some(kbs) => (
            send(kbs),
            Some(format!(
                "at {}, the fastest the drive offers below the {n}x asked for",
                x(kbs)
            )),
        ),
        None => match slowest {
            Some(kbs) => (
                send(kbs),
                Some(format!(
                    "at {}, the drive's slowest ({n}x asked for)",
                    x(kbs)
                )),
            ),
            None => (
                send(target.ceil().min(f64::from(SetCdSpeed::MAX - 3)) as u16),
                Some(format!(
                    "at {n}x asked for (the drive reports no write speeds)"
                )),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_speeds_round_down_to_what_the_drive_offers() {
        // 48x to 4x as a drive reports them (1x = 176.4 kB/s, rounded up).
        let offered = [8467, 7056, 5645, 4234, 2823, 1412, 706];
        let w = |asked| write_speed(asked, &offered);
        assert_eq!(w(None), (0xffff, None));
        assert_eq!(w(Some(40)), (7058, Some("at 40x".to_string())));
        assert_eq!(w(Some(48)), (8469, Some("at 48x".to_string())));
        assert_eq!(
            w(Some(45)),
            (
                7058,
                Some("at 40x, the fastest the drive offers below the 45x asked for".to_string())
            )
        );
        // Above every speed (and above what SET CD SPEED's field holds).
        for asked in [52, 372, 400, u16::MAX] {
            assert_eq!(
                w(Some(asked)),
                (
                    8469,
                    Some(format!("at 48x, the drive's fastest ({asked}x asked for)"))
                )
            );
        }
        assert_eq!(
            w(Some(2)),
            (
                708,
                Some("at 4x, the drive's slowest (2x asked for)".to_string())
            )
        );
        // The order of the descriptors does not matter.
        let mut reversed = offered;
        reversed.reverse();
        assert_eq!(write_speed(Some(45), &reversed).0, 7058);
    }

    #[test]
    fn without_reported_speeds_the_drive_picks() {
        assert_eq!(
            write_speed(Some(24), &[]),
            (
                4236,
                Some("at 24x asked for (the drive reports no write speeds)".to_string())
            )
        );
        // Never the field's "fastest" value or beyond it.
        assert_eq!(write_speed(Some(400), &[]).0, 0xfffe);
        assert_eq!(write_speed(Some(u16::MAX), &[]).0, 0xfffe);
    }

    fn drive(raw: bool, sao: bool, tao: bool, rw: bool) -> DriveInfo {
        DriveInfo {
            raw,
            sao,
            tao,
            rw,
            test_write: true,
            ..DriveInfo::default()
        }
    }

    #[test]
    fn auto_prefers_raw96r_then_sao_then_tao() {
        let plain = Needs::default();
        let text = Needs {
            cdtext: true,
            ..Needs::default()
        };
        assert_eq!(
            choose(
                WriteMode::Auto,
                plain,
                &drive(true, true, true, true),
                false
            )
            .map(|c| c.0),
            Ok(WriteMode::Raw96r)
        );
        let (m, why) = choose(
            WriteMode::Auto,
            text,
            &drive(false, true, true, true),
            false,
        )
        .unwrap();
        assert_eq!(m, WriteMode::Sao);
        assert!(why.contains("does not offer raw96r"), "{why}");
        // CD-TEXT on a drive with neither raw nor R-W recording.
        let e = choose(
            WriteMode::Auto,
            text,
            &drive(false, true, true, false),
            false,
        )
        .unwrap_err();
        assert!(
            e.contains("cannot write CD-TEXT in sao") && e.contains("tao cannot carry CD-TEXT"),
            "{e}"
        );
        assert_eq!(
            choose(
                WriteMode::Auto,
                plain,
                &drive(false, false, true, false),
                false
            )
            .map(|c| c.0),
            Ok(WriteMode::Tao)
        );
    }

    #[test]
    fn explicit_modes_say_what_they_cannot_carry() {
        let all = drive(true, true, true, true);
        let rw = Needs {
            rw: true,
            ..Needs::default()
        };
        assert_eq!(
            choose(WriteMode::Raw16, rw, &all, false),
            Err("raw16 cannot carry R-W subchannel".to_string())
        );
        let htoa = Needs {
            pregap_data: true,
            ..Needs::default()
        };
        assert!(
            choose(WriteMode::Tao, htoa, &all, false)
                .unwrap_err()
                .contains("hidden track-one")
        );
        assert!(choose(WriteMode::Sao, htoa, &all, false).is_ok());
        let no_test = DriveInfo {
            test_write: false,
            ..all
        };
        assert!(
            choose(WriteMode::Sao, Needs::default(), &no_test, true)
                .unwrap_err()
                .contains("simulate")
        );
    }
}
