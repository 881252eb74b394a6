//! Who may talk to the companion: the checks every HTTP request and the
//! WebSocket upgrade pass, and the headers every response carries.
//!
//! A program that writes to hardware and listens on this machine must not
//! be reachable from any other page the browser has open, nor through a
//! name an attacker controls (DNS rebinding): the `Host` of every request
//! must name the companion by a loopback name and its port; the upgrade's
//! `Origin` must be the companion's own (or one the user allowed); and the
//! upgrade needs a session, which only the page holding the per-launch
//! token could get. No response carries a CORS header.

use axum::http::{HeaderMap, HeaderValue, header};
use std::collections::HashSet;
use std::sync::Mutex;

/// The names the companion answers to, with its port.
pub fn hosts(port: u16) -> Vec<String> {
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .map(|h| format!("{h}:{port}"))
        .collect()
}

/// The companion's own origins.
pub fn own_origins(port: u16) -> Vec<String> {
    hosts(port)
        .into_iter()
        .map(|h| format!("http://{h}"))
        .collect()
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No `Host`, or one that is not the companion's.
    Host(String),
    /// No `Origin` on a request that needs one.
    NoOrigin,
    /// An `Origin` that is not allowed.
    Origin(String),
    /// No session, or one the companion did not give.
    Session,
    /// The token is wrong, or was used already.
    Token,
}

impl Refusal {
    /// The text of the 403 response.
    pub fn message(&self) -> String {
        match self {
            Refusal::Host(h) => format!(
                "refused: Host `{h}` is not this companion (open the address `rawburn serve` printed)"
            ),
            Refusal::NoOrigin => "refused: the request has no Origin".to_string(),
            Refusal::Origin(o) => format!(
                "refused: pages of {o} may not use this companion (rawburn serve --allow-origin allows one)"
            ),
            Refusal::Session => {
                "refused: no session; open the address `rawburn serve` printed".to_string()
            }
            Refusal::Token => "refused: the token is wrong or was used already; restart `rawburn serve` for a new address".to_string(),
        }
    }
}

/// The `Host` of `headers`, if it is one of `allowed`.
///
/// ## Errors
///
/// [`Refusal::Host`] otherwise.
pub fn check_host(headers: &HeaderMap, allowed: &[String]) -> Result<(), Refusal> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(host)) {
        Ok(())
    } else {
        Err(Refusal::Host(printable(host)))
    }
}

/// The `Origin` of `headers`, which must be one of `allowed` exactly.
///
/// ## Errors
///
/// [`Refusal::NoOrigin`] or [`Refusal::Origin`].
pub fn check_origin(headers: &HeaderMap, allowed: &[String]) -> Result<(), Refusal> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Err(Refusal::NoOrigin);
    };
    let origin = origin.to_str().unwrap_or("");
    if allowed.iter().any(|a| a == origin) {
        Ok(())
    } else {
        Err(Refusal::Origin(printable(origin)))
    }
}

/// At most 100 printable ASCII characters of a header, for a message.
fn printable(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(100)
        .collect()
}

/// The per-launch token and the sessions given for it.
pub struct Sessions {
    /// The token, until a page presents it.
    token: Mutex<Option<String>>,
    given: Mutex<HashSet<String>>,
    /// The session cookie's name (it names the port: cookies are not kept
    /// apart by port).
    pub cookie: String,
}

impl Sessions {
    /// A new token and no session.
    pub fn new(port: u16) -> std::io::Result<Sessions> {
        Ok(Sessions {
            token: Mutex::new(Some(secret()?)),
            given: Mutex::new(HashSet::new()),
            cookie: format!("rawburn-{port}"),
        })
    }

    /// The token, for the printed address (`None` once used).
    pub fn token(&self) -> Option<String> {
        self.token.lock().ok().and_then(|t| t.clone())
    }

    /// Trades the token for a new session, once: a token seen again (a
    /// copied address opened in another browser) is refused.
    ///
    /// ## Errors
    ///
    /// [`Refusal::Token`].
    pub fn exchange(&self, presented: &str) -> Result<String, Refusal> {
        let mut token = self.token.lock().map_err(|_| Refusal::Token)?;
        match token.as_deref() {
            Some(t) if constant_time_eq(t.as_bytes(), presented.as_bytes()) => {}
            _ => return Err(Refusal::Token),
        }
        *token = None;
        let session = secret().map_err(|_| Refusal::Token)?;
        if let Ok(mut given) = self.given.lock() {
            given.insert(session.clone());
        }
        Ok(session)
    }

    /// Whether `session` was given by this companion.
    pub fn valid(&self, session: &str) -> bool {
        self.given.lock().is_ok_and(|g| {
            g.iter()
                .any(|s| constant_time_eq(s.as_bytes(), session.as_bytes()))
        })
    }

    /// The session a request presents: its cookie, or on the upgrade a
    /// `rawburn.session.ID` subprotocol (for clients that keep no cookies).
    ///
    /// ## Errors
    ///
    /// [`Refusal::Session`] when it presents none this companion gave.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let from_cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .filter(|(k, _)| *k == self.cookie)
            .any(|(_, v)| self.valid(v));
        let from_protocol = subprotocols(headers)
            .filter_map(|p| p.strip_prefix("rawburn.session."))
            .any(|s| self.valid(s));
        if from_cookie || from_protocol {
            Ok(())
        } else {
            Err(Refusal::Session)
        }
    }

    /// The `Set-Cookie` value for `session`.
    pub fn set_cookie(&self, session: &str) -> HeaderValue {
        let v = format!(
            "{}={session}; HttpOnly; SameSite=Strict; Path=/",
            self.cookie
        );
        HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

/// The subprotocols a WebSocket upgrade offers.
pub fn subprotocols(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
}

/// 32 random bytes as 64 hex digits.
pub fn secret() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The headers every response carries: a content security policy that
/// admits only the page's own scripts, styles and connections (and its
/// WebAssembly), no framing, no type sniffing, no referrer, no caching.
pub fn security_headers(headers: &mut HeaderMap) {
    let set = |h: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; \
         frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::CACHE_CONTROL, "no-store");
    headers.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn host_must_be_a_loopback_name_with_the_port() {
        let allowed = hosts(8000);
        for ok in [
            "127.0.0.1:8000",
            "localhost:8000",
            "LOCALHOST:8000",
            "[::1]:8000",
        ] {
            assert_eq!(check_host(&with(&[(header::HOST, ok)]), &allowed), Ok(()));
        }
        for bad in [
            "attacker.example:8000",
            "127.0.0.1:8001",
            "127.0.0.1",
            "localhost.attacker.example:8000",
            "0.0.0.0:8000",
        ] {
            assert_eq!(
                check_host(&with(&[(header::HOST, bad)]), &allowed),
                Err(Refusal::Host(bad.to_string()))
            );
        }
        assert_eq!(
            check_host(&HeaderMap::new(), &allowed),
            Err(Refusal::Host(String::new()))
        );
    }

    #[test]
    fn origin_must_match_exactly() {
        let allowed = own_origins(8000);
        assert_eq!(
            check_origin(
                &with(&[(header::ORIGIN, "http://localhost:8000")]),
                &allowed
            ),
            Ok(())
        );
        for bad in [
            "http://localhost:8000/",
            "https://localhost:8000",
            "http://evil.example",
            "null",
        ] {
            assert_eq!(
                check_origin(&with(&[(header::ORIGIN, bad)]), &allowed),
                Err(Refusal::Origin(bad.to_string()))
            );
        }
        assert_eq!(
            check_origin(&HeaderMap::new(), &allowed),
            Err(Refusal::NoOrigin)
        );
    }

    #[test]
    fn the_token_buys_one_session_once() {
        let s = Sessions::new(8000).unwrap();
        let token = s.token().unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(s.exchange("00"), Err(Refusal::Token));
        let session = s.exchange(&token).unwrap();
        assert_eq!(s.exchange(&token), Err(Refusal::Token));
        assert_eq!(s.token(), None);
        let cookie = format!("a=b; rawburn-8000={session}");
        assert_eq!(s.check(&with(&[(header::COOKIE, &cookie)])), Ok(()));
        let other_port = format!("rawburn-8001={session}");
        assert_eq!(
            s.check(&with(&[(header::COOKIE, &other_port)])),
            Err(Refusal::Session)
        );
        let protocol = format!("rawburn.v1, rawburn.session.{session}");
        assert_eq!(
            s.check(&with(&[(header::SEC_WEBSOCKET_PROTOCOL, &protocol)])),
            Ok(())
        );
        assert_eq!(
            s.check(&with(&[(header::COOKIE, "rawburn-8000=forged")])),
            Err(Refusal::Session)
        );
        assert_eq!(
            s.set_cookie(&session).to_str().unwrap(),
            format!("rawburn-8000={session}; HttpOnly; SameSite=Strict; Path=/")
        );
    }
}
