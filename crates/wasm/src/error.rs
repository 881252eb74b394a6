//! Errors as JS sees them: an `Error` with a stable `code` and, where the
//! problem has a place, fields naming it (`line`, `column`, `lba`, `track`,
//! `source`), plus IMAPI2's `hresult` for the rules IMAPI2 has.
//!
//! wasm-bindgen's `JsError` carries a message only, so exports return
//! `Result<T, Error>`; [`Error`] turns into a real JS `Error` object (with
//! its stack) when it crosses the boundary.

use js_sys::Reflect;
use layout::disc::DiscError;
use wasm_bindgen::JsValue;

/// An error for JS: code, message and named details.
#[derive(Debug, Clone)]
pub struct Error {
    code: &'static str,
    message: String,
    /// The `Error`'s `name` when it is not `"Error"`.
    name: Option<&'static str>,
    details: Vec<(&'static str, Detail)>,
}

/// A detail value.
#[derive(Debug, Clone)]
enum Detail {
    Number(f64),
    Text(String),
    /// A JS value as it is (an exception, a result, another error).
    Value(JsValue),
}

impl Error {
    /// An error with `code` (one of the `ErrorCode` names in the `.d.ts`).
    pub fn new(code: &'static str, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            name: None,
            details: Vec::new(),
        }
    }

    /// Wrong type or value of an argument.
    pub fn argument(message: impl Into<String>) -> Error {
        Error::new("invalidArgument", message)
    }

    /// Adds a numeric detail.
    pub fn number(mut self, key: &'static str, value: f64) -> Error {
        self.details.push((key, Detail::Number(value)));
        self
    }

    /// Adds a text detail.
    pub fn text(mut self, key: &'static str, value: impl Into<String>) -> Error {
        self.details.push((key, Detail::Text(value.into())));
        self
    }

    /// Adds a detail that is a JS value (`cause`, a result, ...).
    pub fn value(mut self, key: &'static str, value: JsValue) -> Error {
        self.details.push((key, Detail::Value(value)));
        self
    }

    /// Sets the `Error`'s `name` (`"AbortError"`, ...).
    pub fn name(mut self, name: &'static str) -> Error {
        self.name = Some(name);
        self
    }

    /// Puts `context: ` before the message.
    pub fn context(mut self, context: impl std::fmt::Display) -> Error {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        let error = js_sys::Error::new(&e.message);
        // Setting properties on a fresh Error cannot fail.
        let _ = Reflect::set(&error, &"code".into(), &e.code.into());
        if let Some(name) = e.name {
            error.set_name(name);
        }
        for (key, value) in e.details {
            let value = match value {
                Detail::Number(n) => JsValue::from_f64(n),
                Detail::Text(t) => JsValue::from_str(&t),
                Detail::Value(v) => v,
            };
            let _ = Reflect::set(&error, &key.into(), &value);
        }
        error.into()
    }
}

impl From<DiscError> for Error {
    fn from(e: DiscError) -> Error {
        let code = match &e {
            DiscError::ReadOnly => "readOnly",
            DiscError::TooManyTracks { .. } => "tooManyTracks",
            DiscError::FirstTrackNumber(_) => "firstTrackNumber",
            DiscError::NoTracks => "noTracks",
            DiscError::TracksAlreadyAdded(_) => "tracksAlreadyAdded",
            DiscError::DoesNotFit { .. } => "doesNotFit",
            DiscError::TrackTooShort { .. } => "trackTooShort",
            DiscError::EmptyTrack { .. } => "emptyTrack",
            DiscError::FirstPregapTooShort { .. } => "firstPregapTooShort",
            DiscError::SpecialPregapTooShort(_) => "specialPregapTooShort",
            DiscError::SpecialPregapNeedsAudio(_) => "specialPregapNeedsAudio",
            DiscError::TooManyIndexes { .. } => "tooManyIndexes",
            DiscError::IndexNotFound { .. } => "indexNotFound",
            DiscError::IndexZeroOffset { .. } => "indexZeroOffset",
            DiscError::IndexTooClose { .. } => "indexTooClose",
            DiscError::IndexLayout { .. } => "indexLayout",
            DiscError::NoSuchSource { .. } => "noSuchSource",
            DiscError::IsrcOnData { .. } => "isrcOnData",
            DiscError::Subheader { .. } => "subheader",
            DiscError::GaplessTooShort { .. } => "gaplessTooShort",
            DiscError::TooLong(_) => "tooLong",
            DiscError::Id(_) => "invalidIdentifier",
            DiscError::NoSuchTrack { .. } => "noSuchTrack",
            DiscError::RwNeedsPw => "rwNeedsPw",
            DiscError::CdText(_) => "cdText",
            DiscError::RwSubAndGenerator(_) => "rwSubAndGenerator",
            DiscError::CdTextAndRwGenerator => "cdTextAndRwGenerator",
            DiscError::ProjectFormat(_) => "projectFormat",
            DiscError::ValueDoesNotFit { .. } | DiscError::LeadoutLimitBeyondDisc(_) => {
                "doesNotFit"
            }
            DiscError::SourceRange { .. } => "sourceRange",
            DiscError::TooManySources(_) => "tooManySources",
            _ => "disc",
        };
        let track = match &e {
            DiscError::TrackTooShort { track, .. }
            | DiscError::EmptyTrack { track }
            | DiscError::FirstPregapTooShort { track, .. }
            | DiscError::TooManyIndexes { track }
            | DiscError::IndexNotFound { track, .. }
            | DiscError::IndexZeroOffset { track }
            | DiscError::IndexTooClose { track, .. }
            | DiscError::IndexLayout { track, .. }
            | DiscError::IsrcOnData { track, .. }
            | DiscError::Subheader { track, .. }
            | DiscError::GaplessTooShort { track, .. }
            | DiscError::NoSuchTrack { track, .. } => Some(*track),
            DiscError::RwSubAndGenerator(track) => Some(*track),
            DiscError::ValueDoesNotFit { track, .. } | DiscError::SourceRange { track, .. } => {
                *track
            }
            _ => None,
        };
        let mut error = Error::new(code, e.to_string());
        if let Some(t) = track {
            error = error.number("track", f64::from(t));
        }
        if let Some(h) = e.imapi_hresult() {
            error = error.number("hresult", f64::from(h));
        }
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disc_errors_get_codes_tracks_and_hresults() {
        let e = Error::from(DiscError::IndexTooClose {
            track: 3,
            offset: 5,
            distance: 5,
        });
        assert_eq!(e.code(), "indexTooClose");
        assert!(e.message().contains("track 3"));
        assert!(matches!(
            e.details.as_slice(),
            [("track", Detail::Number(t)), ("hresult", Detail::Number(h))]
                if *t == 3.0 && *h == f64::from(0x80AA_0A0Au32)
        ));
        assert_eq!(Error::from(DiscError::NoTracks).code(), "noTracks");
    }

    #[test]
    fn values_no_disc_holds_are_does_not_fit_with_their_track() {
        let e = Error::from(DiscError::ValueDoesNotFit {
            track: Some(2),
            field: "pregap",
            value: 4_294_967_295,
            leadout: 4_294_967_895,
        });
        assert_eq!(e.code(), "doesNotFit");
        assert!(
            e.message()
                .starts_with("track 2: pregap of 4294967295 sectors does not fit on a disc")
        );
        assert!(matches!(
            e.details.as_slice(),
            [("track", Detail::Number(t)), ("hresult", Detail::Number(h))]
                if *t == 2.0 && *h == f64::from(0x80AA_0A05u32)
        ));
        let e = Error::from(DiscError::SourceRange {
            track: None,
            what: "r-w generator",
            offset: u64::MAX,
            sectors: 1,
            end: u128::from(u64::MAX) + 96,
        });
        assert_eq!(e.code(), "sourceRange");
        assert!(e.details.is_empty());
        assert_eq!(
            Error::from(DiscError::TooManySources(1001)).code(),
            "tooManySources"
        );
    }
}
