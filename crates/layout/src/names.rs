//! Which file a name in a sheet means, when no file has exactly that name.
//!
//! Cue sheets, cdrdao toc files and CloneCD control files name the files
//! they read, and those names drift from what is on disk: rippers on
//! Windows write `Album\track 01.wav`, file systems that ignore case let a
//! sheet say `track01.wav` for `Track01.WAV`, and audio is transcoded after
//! the sheet was written (`track01.flac` where the sheet says
//! `track01.wav`). Players accept all three; so does [`resolve_name`], as
//! long as exactly one file fits. An exact name always wins, and the
//! caller tries it first.
//!
//! The function does no I/O: it asks the caller for the entries of each
//! directory it needs (relative to the sheet's directory, `""` for the
//! directory itself), so the native program lists directories under its
//! own file policy and the npm package under whatever its host allows.
//! A `..` component is kept as written and never matched loosely, so the
//! caller's policy decides alone whether it may be followed.
//!
//! ```
//! use layout::names::{Entry, EntryKind, resolve_name};
//!
//! let mut list = |dir: &str| match dir {
//!     "" => Some(vec![Entry::new("Album", EntryKind::Directory)]),
//!     "Album" => Some(vec![Entry::new("track 01.WAV", EntryKind::File)]),
//!     _ => None,
//! };
//! let found = resolve_name("Album\\Track 01.wav", true, &mut list)?;
//! assert_eq!(found.path, "Album/track 01.WAV");
//! assert_eq!(found.how.to_string(), "Windows separators, another case");
//! # Ok::<(), layout::names::NameError>(())
//! ```

use core::fmt;

/// Extensions of the audio files the decoder reads (`layout::audio`), in
/// lower case: a sheet's audio file may be found under any of them.
pub const AUDIO_EXTENSIONS: [&str; 11] = [
    "wav", "wave", "flac", "aiff", "aif", "mp3", "m4a", "mp4", "alac", "ogg", "oga",
];

/// What a directory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file (or a link to one).
    File,
    /// A directory (or a link to one).
    Directory,
    /// Anything else; never chosen.
    Other,
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its name within the directory.
    pub name: String,
    /// What it is.
    pub kind: EntryKind,
}

impl Entry {
    /// An entry named `name`.
    pub fn new(name: impl Into<String>, kind: EntryKind) -> Entry {
        Entry {
            name: name.into(),
            kind,
        }
    }
}

/// How a found name departs from the name as written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct How {
    /// `\` separators were read as `/`.
    pub separators: bool,
    /// Some component differs in case.
    pub case: bool,
    /// The audio file has another extension.
    pub extension: bool,
}

impl How {
    /// Whether the name was found exactly as written.
    pub fn is_exact(self) -> bool {
        self == How::default()
    }
}

impl fmt::Display for How {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<&str> = [
            (self.separators, "Windows separators"),
            (self.case, "another case"),
            (self.extension, "another audio extension"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, text)| *text)
        .collect();
        if parts.is_empty() {
            f.write_str("exact name")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// The file a name was found as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Its path relative to the sheet's directory, components joined
    /// with `/`.
    pub path: String,
    /// How it departs from the name as written.
    pub how: How,
}

impl Resolved {
    /// The warning to give for it: which file is used for `name`, and why.
    pub fn warning(&self, name: &str) -> String {
        format!(
            "no file is named \"{name}\"; using \"{}\" ({})",
            self.path, self.how
        )
    }
}

/// Why a name leads to no single file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// No file fits.
    NotFound,
    /// Several files fit; their paths as [`Resolved::path`] gives them.
    Ambiguous(Vec<String>),
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::NotFound => f.write_str("no file fits the name"),
            NameError::Ambiguous(candidates) => write!(
                f,
                "several files fit the name ({}); rename the one meant in the sheet",
                candidates.join(", ")
            ),
        }
    }
}

impl std::error::Error for NameError {}

/// `name` with its `\` separators read as `/`, when it has any.
pub fn with_slashes(name: &str) -> Option<String> {
    name.contains('\\').then(|| name.replace('\\', "/"))
}

/// Finds the one file `name` means. `list(dir)` gives the entries of
/// directory `dir` (a path as built here: `""` for the sheet's directory,
/// then components joined with `/`; `/` first for an absolute name), or
/// `None` when it cannot be listed. `audio` allows another audio
/// extension ([`AUDIO_EXTENSIONS`]) for the last component.
///
/// Each component matches, in this order: an entry of that exact name; the
/// one entry equal to it ignoring case; for the last component of an
/// audio file, the one file with the same stem (ignoring case) and an
/// audio extension. `.` and empty components are dropped; `..` is kept as
/// written.
///
/// ## Errors
///
/// [`NameError::NotFound`] when some component matches nothing,
/// [`NameError::Ambiguous`] listing the candidates when it matches
/// several.
pub fn resolve_name(
    name: &str,
    audio: bool,
    list: &mut dyn FnMut(&str) -> Option<Vec<Entry>>,
) -> Result<Resolved, NameError> {
    let slashed = with_slashes(name);
    let mut how = How {
        separators: slashed.is_some(),
        ..How::default()
    };
    let name = slashed.as_deref().unwrap_or(name);
    let mut path = if name.starts_with('/') {
        String::from("/")
    } else {
        String::new()
    };
    let parts: Vec<&str> = name
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let Some(last) = parts.len().checked_sub(1) else {
        return Err(NameError::NotFound);
    };
    for (i, part) in parts.iter().enumerate() {
        if *part == ".." {
            path = join(&path, part);
            continue;
        }
        let want = if i == last {
            EntryKind::File
        } else {
            EntryKind::Directory
        };
        let entries = list(&path).ok_or(NameError::NotFound)?;
        let of_kind = || entries.iter().filter(|e| e.kind == want);
        let chosen = if let Some(e) = of_kind().find(|e| e.name == *part) {
            e.name.clone()
        } else {
            let folded = part.to_lowercase();
            let same: Vec<&Entry> = of_kind()
                .filter(|e| e.name.to_lowercase() == folded)
                .collect();
            match same.as_slice() {
                [one] => {
                    how.case = true;
                    one.name.clone()
                }
                [] if audio && i == last => {
                    let (stem, _) = split_extension(&folded);
                    let others: Vec<&Entry> = of_kind()
                        .filter(|e| {
                            let lower = e.name.to_lowercase();
                            let (s, ext) = split_extension(&lower);
                            s == stem && ext.is_some_and(|x| AUDIO_EXTENSIONS.contains(&x))
                        })
                        .collect();
                    match others.as_slice() {
                        [one] => {
                            how.extension = true;
                            how.case |= split_extension(&one.name).0 != split_extension(part).0;
                            one.name.clone()
                        }
                        [] => return Err(NameError::NotFound),
                        several => return Err(ambiguous(&path, several)),
                    }
                }
                [] => return Err(NameError::NotFound),
                several => return Err(ambiguous(&path, several)),
            }
        };
        path = join(&path, &chosen);
    }
    Ok(Resolved { path, how })
}

/// `dir` and `name` joined with `/`.
fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// A file name's stem and extension (after its last dot, when the dot is
/// not the first character).
fn split_extension(name: &str) -> (&str, Option<&str>) {
    match name.rfind('.') {
        Some(dot) if dot > 0 => (&name[..dot], Some(&name[dot + 1..])),
        _ => (name, None),
    }
}

fn ambiguous(dir: &str, entries: &[&Entry]) -> NameError {
    let mut paths: Vec<String> = entries.iter().map(|e| join(dir, &e.name)).collect();
    paths.sort();
    NameError::Ambiguous(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree of directories: (path, entries).
    fn tree(
        dirs: &'static [(&'static str, &'static [(&'static str, EntryKind)])],
    ) -> impl FnMut(&str) -> Option<Vec<Entry>> {
        move |dir| {
            dirs.iter().find(|(d, _)| *d == dir).map(|(_, entries)| {
                entries
                    .iter()
                    .map(|(name, kind)| Entry::new(*name, *kind))
                    .collect()
            })
        }
    }

    use EntryKind::{Directory as D, File as F, Other as O};

    #[test]
    fn exact_names_win_over_loose_matches() {
        let mut list = tree(&[("", &[("a.wav", F), ("A.WAV", F), ("a.flac", F)])]);
        let r = resolve_name("a.wav", true, &mut list).unwrap();
        assert_eq!(r.path, "a.wav");
        assert!(r.how.is_exact());
        assert_eq!(r.how.to_string(), "exact name");
    }

    #[test]
    fn windows_separators_and_case_are_read_per_component() {
        let mut list = tree(&[
            ("", &[("album", D), ("ALBUM.txt", F)]),
            ("album", &[("Disc 1", D)]),
            ("album/Disc 1", &[("Track 01.WAV", F), ("track 01.cue", F)]),
        ]);
        let r = resolve_name("Album\\disc 1\\track 01.wav", true, &mut list).unwrap();
        assert_eq!(r.path, "album/Disc 1/Track 01.WAV");
        assert_eq!(
            r.how,
            How {
                separators: true,
                case: true,
                extension: false
            }
        );
        assert_eq!(
            r.warning("Album\\disc 1\\track 01.wav"),
            "no file is named \"Album\\disc 1\\track 01.wav\"; using \"album/Disc 1/Track 01.WAV\" (Windows separators, another case)"
        );
    }

    #[test]
    fn a_case_match_must_be_alone_and_of_the_right_kind() {
        let mut list = tree(&[("", &[("Track.wav", F), ("TRACK.WAV", F), ("x", D)])]);
        assert_eq!(
            resolve_name("track.wav", false, &mut list),
            Err(NameError::Ambiguous(vec![
                "TRACK.WAV".into(),
                "Track.wav".into()
            ]))
        );
        // A directory is no file, and a file no directory.
        assert_eq!(
            resolve_name("X", false, &mut list),
            Err(NameError::NotFound)
        );
        assert_eq!(
            resolve_name("TRACK.wav/a", false, &mut list),
            Err(NameError::NotFound)
        );
        let mut list = tree(&[("", &[("fifo.bin", O), ("FIFO.bin", F)])]);
        assert_eq!(
            resolve_name("fifo.BIN", false, &mut list).unwrap().path,
            "FIFO.bin"
        );
    }

    #[test]
    fn audio_files_are_found_under_another_audio_extension() {
        let mut list = tree(&[("", &[("a.flac", F), ("a.cue", F), ("B.Mp3", F)])]);
        let r = resolve_name("a.wav", true, &mut list).unwrap();
        assert_eq!(r.path, "a.flac");
        assert_eq!(r.how.to_string(), "another audio extension");
        let r = resolve_name("b.wav", true, &mut list).unwrap();
        assert_eq!(r.path, "B.Mp3");
        assert_eq!(r.how.to_string(), "another case, another audio extension");
        // Not for data files, nor to a file that is not audio.
        assert_eq!(
            resolve_name("a.bin", false, &mut list),
            Err(NameError::NotFound)
        );
        let mut list = tree(&[("", &[("a.ape", F), ("a.cue", F), ("a.opus", F)])]);
        assert_eq!(
            resolve_name("a.wav", true, &mut list),
            Err(NameError::NotFound)
        );
    }

    #[test]
    fn several_audio_candidates_are_refused_by_name() {
        let mut list = tree(&[("", &[("d", D)]), ("d", &[("a.flac", F), ("A.mp3", F)])]);
        let e = resolve_name("d\\a.wav", true, &mut list).unwrap_err();
        assert_eq!(
            e.to_string(),
            "several files fit the name (d/A.mp3, d/a.flac); rename the one meant in the sheet"
        );
    }

    #[test]
    fn parent_and_absolute_components_are_never_matched_loosely() {
        let mut seen = Vec::new();
        let mut list = |dir: &str| {
            seen.push(dir.to_string());
            match dir {
                "../Other" => Some(vec![Entry::new("A.wav", F)]),
                "../" | ".." => Some(vec![Entry::new("Other", D)]),
                "/" => Some(vec![Entry::new("etc", D)]),
                "/etc" => Some(vec![Entry::new("Passwd", F)]),
                _ => None,
            }
        };
        let r = resolve_name("..\\other\\a.wav", false, &mut list).unwrap();
        assert_eq!(r.path, "../Other/A.wav");
        let r = resolve_name("/etc/./passwd", false, &mut list).unwrap();
        assert_eq!(r.path, "/etc/Passwd");
        assert_eq!(resolve_name("", true, &mut list), Err(NameError::NotFound));
        assert_eq!(
            resolve_name("./", true, &mut list),
            Err(NameError::NotFound)
        );
        // `..` itself was never looked up in a listing.
        assert_eq!(seen, ["..", "../Other", "/", "/etc"]);
    }

    #[test]
    fn slashes() {
        assert_eq!(with_slashes("a\\b.wav").as_deref(), Some("a/b.wav"));
        assert_eq!(with_slashes("a/b.wav"), None);
    }
}
