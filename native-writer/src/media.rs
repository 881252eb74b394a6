//! Discs from the files users hold: an ISO image, audio files in the order
//! given, or an ISO followed by audio files (a mixed-mode disc).
//!
//! `rawburn burn ~/Music/Album/*.flac` makes an audio CD with 2-second
//! gaps, CD-TEXT from the files' tags (album, artists, titles) and ISRCs
//! and the catalog number where tagged. `rawburn build disc.iso a.flac -o
//! disc.json` saves the same disc as a project to edit.

use crate::error::{CliError, ExitKind};
use crate::files::Resolver;
use crate::input::Loaded;
use crate::sources::FileSources;
use layout::cdtext::{CdText, TextBlock, TextFields};
use layout::disc::{Gap, Isrc, Mcn, Project, Source, SourceFormat, SourceSpan, TrackSpec};
use layout::sector::SectorType;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Bytes of a sector of an ISO image.
const ISO_SECTOR: u64 = 2048;
/// Bytes of a sector of CD audio.
const AUDIO_SECTOR: u64 = 2352;
/// Sectors in a second.
const SECTORS_PER_SECOND: f64 = 75.0;

/// How files become a disc.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaOptions {
    /// The ISO as Mode 2 Form 1 (CD-ROM XA) instead of Mode 1.
    pub xa: bool,
    /// Seconds of silence before each audio track after the first (2 when
    /// `None`).
    pub gap: Option<f64>,
    /// No gaps between audio tracks.
    pub gapless: bool,
    /// No CD-TEXT from the tags.
    pub no_cdtext: bool,
}

/// The files of this run's disc, when it is made of files rather than
/// described by a sheet or project: set once by `main`, read by
/// [`crate::input::load`] for the path it was registered under.
static MEDIA: Mutex<Option<(PathBuf, Vec<PathBuf>, MediaOptions)>> = Mutex::new(None);

/// Whether `path` names a sheet or project (read as a description) rather
/// than a file that becomes a track.
pub fn is_description(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    matches!(ext.as_deref(), Some("cue" | "toc" | "ccd" | "json"))
}

/// The input to hand the commands: the sheet itself, or the first file of
/// a disc made of `inputs` (registered with `options` for
/// [`crate::input::load`]).
///
/// ## Errors
///
/// [`ExitKind::Usage`] for a sheet given with other files, or media
/// options given with a sheet.
pub fn register(inputs: Vec<PathBuf>, options: MediaOptions) -> Result<PathBuf, CliError> {
    let usage = |m: String| CliError::new(ExitKind::Usage, m);
    let Some(first) = inputs.first().cloned() else {
        return Err(usage("an input is needed".into()));
    };
    if let Some(sheet) = inputs.iter().find(|p| is_description(p)) {
        if inputs.len() > 1 {
            return Err(usage(format!(
                "{} describes a whole disc; give it alone, or give audio files and an ISO without it",
                sheet.display()
            )));
        }
        if options != MediaOptions::default() {
            return Err(usage(
                "--xa, --gap, --gapless and --no-cdtext apply to discs made of files, not to a sheet or project".into(),
            ));
        }
        return Ok(first);
    }
    if options.gapless && options.gap.is_some() {
        return Err(usage("--gap and --gapless exclude each other".into()));
    }
    if let Some(g) = options.gap
        && !(0.0..=3600.0).contains(&g)
    {
        return Err(usage(format!(
            "--gap {g}: the gap is given in seconds, 0 to 3600"
        )));
    }
    if let Ok(mut slot) = MEDIA.lock() {
        *slot = Some((first.clone(), inputs, options));
    }
    Ok(first)
}

/// The files registered for `path`, if it is the first of a disc made of
/// files.
pub fn registered(path: &Path) -> Option<(Vec<PathBuf>, MediaOptions)> {
    let slot = MEDIA.lock().ok()?;
    match slot.as_ref() {
        Some((first, files, options)) if first == path => Some((files.clone(), options.clone())),
        _ => None,
    }
}

/// The project of a disc made of `files`: an ISO first (if any) as the
/// data track, then one audio track per audio file.
///
/// ## Errors
///
/// [`ExitKind::Input`] naming the file that cannot be read or used;
/// [`ExitKind::Usage`] for an ISO after audio files or a second ISO.
pub fn load(
    files: &[PathBuf],
    options: &MediaOptions,
    resolver: &Resolver,
) -> Result<Loaded, CliError> {
    let dir = PathBuf::new();
    let mut project = Project::default();
    let mut warnings = Vec::new();
    let mut kinds = Vec::with_capacity(files.len());
    for (k, path) in files.iter().enumerate() {
        let iso = is_iso(path, resolver)?;
        if iso && k > 0 {
            return Err(CliError::new(
                ExitKind::Usage,
                format!(
                    "{}: an ISO image goes first (a mixed-mode disc has its data track first), and there is one",
                    path.display()
                ),
            ));
        }
        kinds.push(iso);
        project.sources.push(Source {
            path: path.display().to_string(),
            format: if iso {
                SourceFormat::Binary
            } else {
                SourceFormat::Audio
            },
            join: Vec::new(),
        });
    }
    let mut sources = FileSources::new(resolver, &dir, &project.sources);
    let unreadable = |k: usize, e: String| {
        CliError::new(
            ExitKind::Input,
            format!("{} cannot be used as a track", files[k].display()),
        )
        .caused_by(e)
    };
    let unreadable_source = |k: usize, e: layout::source::SourceError| {
        CliError::new(
            ExitKind::Input,
            format!("{} cannot be used as a track", files[k].display()),
        )
        .caused_by_error(&e)
    };
    let gap_sectors = if options.gapless {
        0
    } else {
        // Within 0-3600 s, as `register` checked.
        (options.gap.unwrap_or(2.0) * SECTORS_PER_SECOND).round() as u32
    };
    // Every file's length (and an audio file's tags) first.
    let mut lens = Vec::with_capacity(kinds.len());
    let mut tags = Vec::new();
    for (k, &iso) in kinds.iter().enumerate() {
        let len = sources.data_len(k).map_err(|e| unreadable_source(k, e))?;
        if iso && len % ISO_SECTOR != 0 {
            return Err(unreadable(
                k,
                format!(
                    "{len} bytes are not a whole number of 2048-byte sectors ({} left over)",
                    len % ISO_SECTOR
                ),
            ));
        }
        if len == 0 {
            return Err(unreadable(k, "it holds no data".into()));
        }
        if !iso {
            tags.push(sources.tags(k).map_err(|e| unreadable_source(k, e))?);
        }
        lens.push(len);
    }
    let too_long = |k: usize| unreadable(k, format!("{} bytes do not fit on a disc", lens[k]));
    let first_audio = kinds.iter().position(|&iso| !iso);
    // The ISO, first when there is one.
    for k in (0..kinds.len()).filter(|&k| kinds[k]) {
        let ty = if options.xa {
            SectorType::Mode2Form1
        } else {
            SectorType::Mode1
        };
        let sectors = u32::try_from(lens[k] / ISO_SECTOR).map_err(|_| too_long(k))?;
        project.tracks.push(TrackSpec::new(
            ty,
            SourceSpan {
                source: k,
                offset: 0,
                sectors,
            },
        ));
    }
    if let Some(a) = first_audio {
        let audio = a..kinds.len();
        // Gapless: the audio files read as one stream (the first source
        // joins the others), each track from the sector nearest to where
        // its file starts, so they join sample for sample.
        let joined = options.gapless && audio.len() > 1;
        if joined {
            let rest: Vec<Source> = project.sources.drain(a + 1..).collect();
            project.sources[a].join = rest.into_iter().map(|s| s.path).collect();
        }
        let total: u64 = lens[a..].iter().sum();
        let nearest = |byte: u64| (byte + AUDIO_SECTOR / 2) / AUDIO_SECTOR;
        let mut start = 0u64;
        for (n, k) in audio.clone().enumerate() {
            let end = start + lens[k];
            let (source, offset, sectors) = if joined {
                let first = if n == 0 { 0 } else { nearest(start) };
                let last = if k + 1 == kinds.len() {
                    total.div_ceil(AUDIO_SECTOR)
                } else {
                    nearest(end)
                };
                (a, first * AUDIO_SECTOR, last.saturating_sub(first))
            } else {
                (k, 0, lens[k].div_ceil(AUDIO_SECTOR))
            };
            let sectors = u32::try_from(sectors).map_err(|_| too_long(k))?;
            if sectors == 0 {
                return Err(unreadable(
                    k,
                    "it is shorter than half a sector (1/150 s); joined gapless it makes no track"
                        .into(),
                ));
            }
            let mut spec = TrackSpec::new(
                SectorType::Audio,
                SourceSpan {
                    source,
                    offset,
                    sectors,
                },
            );
            if let Some(isrc) = tags[n].isrc.as_deref().and_then(|i| Isrc::parse(i).ok()) {
                spec.isrc = Some(isrc);
            }
            if n > 0 {
                spec.pregap = Some(Gap::generated(gap_sectors));
            }
            project.tracks.push(spec);
            start = end;
        }
    }
    // The catalog number: the one the tracks that carry one agree on.
    let mcns: Vec<&str> = tags.iter().filter_map(|t| t.mcn.as_deref()).collect();
    if let Some(first) = mcns.first() {
        if mcns.iter().all(|m| m == first) {
            project.mcn = Mcn::parse_any_check_digit(first).ok();
        } else {
            warnings.push(format!(
                "the files carry different catalog numbers ({}); the disc gets none",
                mcns.join(", ")
            ));
        }
    }
    if !options.no_cdtext {
        let data_tracks = kinds.iter().filter(|&&iso| iso).count();
        project.cdtext = cdtext(&tags, data_tracks);
    }
    Ok(Loaded {
        project,
        dir,
        warnings,
    })
}

/// Whether `path` is an ISO (or other 2048-byte-sector) image rather than
/// an audio file: by its extension, else by its content (ISO 9660's
/// volume descriptor at byte 32769).
fn is_iso(path: &Path, resolver: &Resolver) -> Result<bool, CliError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("iso")) {
        return Ok(true);
    }
    let (mut file, _) = resolver.open(path).map_err(|e| {
        CliError::new(ExitKind::Input, format!("cannot read {}", path.display())).caused_by(e)
    })?;
    use std::io::{Read, Seek, SeekFrom};
    let mut id = [0u8; 5];
    let iso = file.seek(SeekFrom::Start(32769)).is_ok() && file.read_exact(&mut id).is_ok();
    Ok(iso && &id == b"CD001")
}

/// CD-TEXT from the tags of the audio tracks (after `data_tracks` data
/// tracks, which get none): the album and its artist for the disc, titles
/// and artists for the tracks. `None` when no file is tagged.
fn cdtext(tags: &[layout::audio::AudioTags], data_tracks: usize) -> Option<CdText> {
    let first = |f: fn(&layout::audio::AudioTags) -> Option<&String>| {
        tags.iter().find_map(|t| f(t).cloned())
    };
    let artists: Vec<&String> = tags.iter().filter_map(|t| t.artist.as_ref()).collect();
    let one_artist = artists
        .first()
        .filter(|a| artists.iter().all(|b| b == *a) && artists.len() == tags.len())
        .map(|a| (*a).clone());
    let disc = TextFields {
        title: first(|t| t.album.as_ref()),
        performer: first(|t| t.album_artist.as_ref()).or(one_artist),
        ..TextFields::default()
    };
    let mut tracks = vec![TextFields::default(); data_tracks];
    tracks.extend(tags.iter().map(|t| TextFields {
        title: t.title.clone(),
        performer: t.artist.clone(),
        ..TextFields::default()
    }));
    while tracks.last().is_some_and(TextFields::is_empty) {
        tracks.pop();
    }
    if disc.is_empty() && tracks.is_empty() {
        return None;
    }
    let mut block = TextBlock {
        disc,
        tracks,
        ..TextBlock::default()
    };
    block.fit_charset();
    Some(CdText {
        blocks: vec![block],
        toc_info: true,
    })
}
