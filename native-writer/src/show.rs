//! `rawburn toc`: the track table and the TOC the disc will report.

use crate::check::Depth;
use crate::error::{CliError, ExitKind};
use crate::input::prepare;
use layout::disc::{CopySetting, Disc, DiscType, sector_type_json_name};
use layout::msf::Lba;
use serde::Serialize;
use std::fmt::Write;
use std::path::Path;

/// Prints the table of `input`, human-readable or as JSON.
///
/// ## Errors
///
/// As loading and planning.
pub fn toc(input: &Path, json: bool, cdtext: &[std::path::PathBuf]) -> Result<String, CliError> {
    if let Some(s) = crate::sessions::load(input)? {
        return sessions_toc(&s, json);
    }
    let p = prepare(input, cdtext, None, Depth::Headers)?;
    let (disc, warnings) = (p.disc, p.warnings);
    if json {
        let report = JsonToc::new(&disc, warnings);
        serde_json::to_string_pretty(&report)
            .map(|s| s + "\n")
            .map_err(|e| CliError::new(ExitKind::Output, "cannot format the toc").caused_by(e))
    } else {
        Ok(human(&disc, &warnings))
    }
}

/// `rawburn toc INPUT --next-session`: the `-C` values for a data
/// session after `input` burned in SAO as a first session left open.
///
/// ## Errors
///
/// As [`toc`].
pub fn next_session(input: &Path, cdtext: &[std::path::PathBuf]) -> Result<String, CliError> {
    let p = prepare(input, cdtext, None, Depth::Headers)?;
    let next = layout::disc::sessions::next_session_start(p.disc.leadout(), true).get();
    Ok(format!("0,{next}\n"))
}

/// The TOC of each session of a disc of several sessions, at its place on
/// the disc: the human form with a heading per session, or JSON with a
/// `sessions` list (each its start and the single-session report).
fn sessions_toc(s: &crate::sessions::Sessions, json: bool) -> Result<String, CliError> {
    let sessions = s.multi.sessions();
    if json {
        let list: Vec<serde_json::Value> = sessions
            .iter()
            .enumerate()
            .map(|(k, session)| {
                let warnings = if k == 0 {
                    s.warnings.clone()
                } else {
                    Vec::new()
                };
                serde_json::json!({
                    "session": k + 1,
                    "start": session.start().get(),
                    "toc": JsonToc::new(session.placed(), warnings),
                })
            })
            .collect();
        return serde_json::to_string_pretty(
            &serde_json::json!({ "discIds": multi_disc_ids(s), "sessions": list }),
        )
        .map(|s| s + "\n")
        .map_err(|e| CliError::new(ExitKind::Output, "cannot format the toc").caused_by(e));
    }
    let mut out = String::new();
    for (k, session) in sessions.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "session {} of {}: first track at lba {} ({})\n",
            k + 1,
            sessions.len(),
            session.start(),
            msf(session.start())
        ));
        let warnings = if k == 0 {
            s.warnings.clone()
        } else {
            Vec::new()
        };
        out.push_str(&human(session.placed(), &warnings));
    }
    let ids = multi_disc_ids(s);
    out.push_str(&format!(
        "\ndisc ids (whole disc)  musicbrainz {}  freedb {}\n",
        ids.musicbrainz, ids.freedb
    ));
    Ok(out)
}

/// The database identifiers of a disc of several sessions, as drives and
/// libdiscid report them: every track, the lead-out the last session's;
/// but when the last session holds only data (a CD-Extra), its tracks are
/// left out and the lead-out is where that session starts less the
/// 11 400 sectors between sessions.
fn multi_disc_ids(s: &crate::sessions::Sessions) -> layout::disc::DiscIds {
    let layouts: Vec<layout::disc::TocLayout> = s
        .multi
        .sessions()
        .iter()
        .map(|x| x.placed().toc_layout())
        .collect();
    let data_last = layouts.len() > 1
        && layouts
            .last()
            .is_some_and(|l| l.tracks.iter().all(|t| t.control & 0x04 != 0));
    let (kept, leadout) = if data_last {
        let last = &layouts[layouts.len() - 1];
        let start = last
            .tracks
            .first()
            .map_or(0, |t| t.indexes.first().map_or(0, |l| l.get()));
        (&layouts[..layouts.len() - 1], start - 11_400)
    } else {
        (&layouts[..], layouts.last().map_or(0, |l| l.leadout.get()))
    };
    let tracks: Vec<&layout::disc::TocTrack> = kept.iter().flat_map(|l| l.tracks.iter()).collect();
    let first = tracks.first().map_or(1, |t| t.number);
    let frames = |lba: i32| (lba + 150).max(0) as u32;
    let offsets: Vec<u32> = tracks
        .iter()
        .map(|t| frames(t.indexes.first().map_or(t.pregap_start.get(), |l| l.get())))
        .collect();
    layout::disc::disc_ids(first, frames(leadout), &offsets)
}

fn msf(lba: Lba) -> String {
    lba.to_disc_time()
        .map(|m| m.to_string())
        .unwrap_or_else(|_| "--:--:--".into())
}

fn disc_type_name(t: DiscType) -> &'static str {
    match t {
        DiscType::CdDaOrCdRom => "cd-da / cd-rom",
        DiscType::CdI => "cd-i",
        DiscType::CdRomXa => "cd-rom xa",
    }
}

fn flags(disc: &Disc, i: usize) -> String {
    let t = &disc.tracks()[i];
    let spec = &disc.project().tracks[i];
    let mut f = Vec::new();
    match t.copy {
        CopySetting::Permitted => f.push("copy"),
        CopySetting::Scms => f.push("scms"),
        CopySetting::Prohibited => {}
    }
    if spec.pre_emphasis {
        f.push("pre");
    }
    if spec.four_channel {
        f.push("4ch");
    }
    if spec.has_rw() {
        f.push("r-w");
    }
    if f.is_empty() {
        "-".into()
    } else {
        f.join(",")
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::new();
    for (k, row) in bytes.chunks(16).enumerate() {
        let _ = write!(s, "  {:04x} ", k * 16);
        for b in row {
            let _ = write!(s, " {b:02x}");
        }
        s.push('\n');
    }
    s
}

fn human(disc: &Disc, warnings: &[String]) -> String {
    let mut s = String::new();
    let leadout = disc.leadout();
    let _ = writeln!(
        s,
        "disc     {}, tracks {}-{}, lead-out at lba {} ({})",
        disc_type_name(disc.disc_type()),
        disc.first_track(),
        disc.last_track(),
        leadout,
        msf(leadout)
    );
    if let Some(mcn) = disc.project().mcn {
        let _ = writeln!(s, "catalog  {mcn}");
    }
    for w in warnings {
        let _ = writeln!(s, "warning  {w}");
    }
    let _ = writeln!(
        s,
        "\ntrack  type                 pregap  start lba  start     length  indexes         isrc          flags"
    );
    for (i, t) in disc.tracks().iter().enumerate() {
        let indexes: Vec<String> = t
            .indexes
            .iter()
            .enumerate()
            .skip(1)
            .map(|(k, l)| format!("{:02}@{}", k + 1, l.get()))
            .collect();
        let _ = writeln!(
            s,
            "   {:02}  {:<19}  {:>6}  {:>9}  {}  {:>7}  {:<14}  {:<12}  {}",
            t.number.get(),
            t.sector_type.name(),
            t.pregap_sectors(),
            t.start.get(),
            msf(t.start),
            t.length(),
            if indexes.is_empty() {
                "-".into()
            } else {
                indexes.join(" ")
            },
            t.isrc.map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
            flags(disc, i)
        );
    }
    if let Some(text) = &disc.project().cdtext {
        s.push_str(&cdtext_text(text, disc.first_track().get()));
    }
    let ids = disc.toc_layout().disc_ids();
    let _ = writeln!(
        s,
        "\ndisc ids  musicbrainz {}  freedb {}",
        ids.musicbrainz, ids.freedb
    );
    let _ = writeln!(s, "\nexpected toc (read toc format 0, lba addresses)");
    s.push_str(&hex(&disc.toc_format0(false)));
    let _ = writeln!(s, "full toc (read toc format 2)");
    s.push_str(&hex(&disc.toc_format2()));
    s
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonToc {
    disc_type: u8,
    first_track: u8,
    last_track: u8,
    leadout: Address,
    mcn: Option<String>,
    tracks: Vec<JsonTrack>,
    toc: String,
    full_toc: String,
    disc_ids: layout::disc::DiscIds,
    #[serde(skip_serializing_if = "Option::is_none")]
    cdtext: Option<layout::cdtext::CdText>,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct Address {
    lba: i32,
    msf: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonTrack {
    number: u8,
    sector_type: &'static str,
    control: u8,
    pregap: u32,
    pregap_start: Address,
    start: Address,
    length: u32,
    data_sectors: u32,
    postgap: u32,
    indexes: Vec<Address>,
    isrc: Option<String>,
    copy: CopySetting,
    pre_emphasis: bool,
}

impl JsonToc {
    fn new(disc: &Disc, warnings: Vec<String>) -> JsonToc {
        let addr = |lba: Lba| Address {
            lba: lba.get(),
            msf: msf(lba),
        };
        let hexline = |b: Vec<u8>| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        JsonToc {
            disc_type: disc.disc_type().code(),
            first_track: disc.first_track().get(),
            last_track: disc.last_track().get(),
            leadout: addr(disc.leadout()),
            mcn: disc.project().mcn.map(|m| m.to_string()),
            tracks: disc
                .tracks()
                .iter()
                .enumerate()
                .map(|(i, t)| JsonTrack {
                    number: t.number.get(),
                    sector_type: sector_type_json_name(t.sector_type),
                    control: t.control,
                    pregap: t.pregap_sectors(),
                    pregap_start: addr(t.pregap_start),
                    start: addr(t.start),
                    length: t.length(),
                    data_sectors: t.data_sectors(),
                    postgap: t.postgap_sectors(),
                    indexes: t.indexes.iter().map(|l| addr(*l)).collect(),
                    isrc: t.isrc.map(|x| x.to_string()),
                    copy: t.copy,
                    pre_emphasis: disc.project().tracks[i].pre_emphasis,
                })
                .collect(),
            toc: hexline(disc.toc_format0(false)),
            full_toc: hexline(disc.toc_format2()),
            disc_ids: disc.toc_layout().disc_ids(),
            cdtext: disc.project().cdtext.clone(),
            warnings,
        }
    }
}

/// The texts of CD-TEXT, block by block.
pub fn cdtext_text(text: &layout::cdtext::CdText, first_track: u8) -> String {
    use layout::cdtext::{TextFields, tables};
    let mut s = String::new();
    let fields = |f: &TextFields| -> Vec<(&'static str, String)> {
        [
            ("title", &f.title),
            ("performer", &f.performer),
            ("songwriter", &f.songwriter),
            ("composer", &f.composer),
            ("arranger", &f.arranger),
            ("message", &f.message),
            ("code", &f.code),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v.clone())))
        .collect()
    };
    for (b, block) in text.blocks.iter().enumerate() {
        let language = tables::language_name(block.language)
            .map(str::to_lowercase)
            .unwrap_or_else(|| format!("0x{:02x}", block.language));
        let _ = writeln!(
            s,
            "\ncd-text block {b}: {language}, {}{}",
            block.charset.name(),
            if block.copyright { ", copyrighted" } else { "" }
        );
        for (k, v) in fields(&block.disc) {
            let _ = writeln!(s, "  disc      {k:<10} {v}");
        }
        if let Some(id) = &block.disc_id {
            let _ = writeln!(s, "  disc      {:<10} {id}", "disc id");
        }
        if let Some(g) = &block.genre {
            let name = tables::genre_name(g.code).unwrap_or("?");
            let _ = writeln!(
                s,
                "  disc      {:<10} {} ({name}) {}",
                "genre", g.code, g.text
            );
        }
        if let Some(c) = &block.closed {
            let _ = writeln!(s, "  disc      {:<10} {c}", "closed");
        }
        for (i, t) in block.tracks.iter().enumerate() {
            for (k, v) in fields(t) {
                let _ = writeln!(s, "  track {:02}  {k:<10} {v}", first_track as usize + i);
            }
        }
    }
    s
}
