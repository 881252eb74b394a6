//! What `rawburn serve` refuses, each refusal asserted together with the
//! fact that nothing was burned: a foreign or missing Origin, a rebinding
//! Host, no or a wrong or replayed token, a frame over the limit, an upload
//! whose sha256 differs or that is larger than any disc, a sheet or project
//! reaching outside its uploads, a burn on a busy drive, a non-loopback
//! address.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/companion.rs"]
#[allow(dead_code, unreachable_pub)]
mod companion;

use common::*;
use companion::*;
use serde_json::json;
use std::path::Path;

/// The disc is still blank: nothing was burned.
fn still_blank(dir: &Path) {
    assert_eq!(media_json(dir, "a.vdisc")["status"], "blank");
}

fn own(c: &Companion, cookie: &str) -> Upgrade<'static> {
    Upgrade {
        host: None,
        origin: Some(c.origin()),
        cookie: Some(Box::leak(cookie.to_string().into_boxed_str())),
        protocols: vec!["rawburn.v1".into()],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_or_missing_origins_rebinding_hosts_and_missing_sessions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = Companion::start(d, &["a.vdisc"]);
    let cookie = c.session();

    // A page of another site, or a request with no Origin at all.
    for (origin, said) in [
        (
            Some("http://evil.example"),
            "pages of http://evil.example may not use this companion",
        ),
        (
            Some("http://127.0.0.1:1"),
            "pages of http://127.0.0.1:1 may not use",
        ),
        (Some("null"), "pages of null may not use"),
        (None, "the request has no Origin"),
    ] {
        let mut how = own(&c, &cookie);
        how.origin = origin.map(str::to_string);
        let (status, body) = Client::try_connect(&c, how).await.err().unwrap();
        assert_eq!(status, 403, "{origin:?}");
        assert!(body.contains(said), "{origin:?}: {body}");
    }
    // DNS rebinding: a name the attacker controls resolving to 127.0.0.1.
    let mut how = own(&c, &cookie);
    how.host = Some(format!("attacker.example:{}", c.port));
    let (status, body) = Client::try_connect(&c, how).await.err().unwrap();
    assert_eq!(status, 403);
    assert!(body.contains("Host `attacker.example:"), "{body}");
    for host in [
        format!("attacker.example:{}", c.port),
        "127.0.0.1".to_string(),
        String::new(),
    ] {
        let (status, head, _) = c.http(&format!(
            "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        ));
        assert_eq!(status, 403, "{host}: {head}");
    }
    // No session, a forged one.
    for cookie in [
        None,
        Some("rawburn-1=x"),
        Some(&*format!("rawburn-{}=00", c.port)),
    ] {
        let mut how = own(&c, "");
        how.cookie = cookie;
        let (status, body) = Client::try_connect(&c, how).await.err().unwrap();
        assert_eq!(status, 403);
        assert!(body.contains("no session"), "{body}");
    }
    // An --allow-origin page is let in; nothing else changed.
    drop(c);
    let c = Companion::start_with(
        d,
        &["a.vdisc"],
        &["--allow-origin", "https://editor.example"],
    );
    let cookie = c.session();
    let mut how = own(&c, &cookie);
    how.origin = Some("https://editor.example".into());
    assert!(Client::try_connect(&c, how).await.is_ok());
    let mut how = own(&c, &cookie);
    how.origin = Some("https://editor.example.evil".into());
    assert!(Client::try_connect(&c, how).await.is_err());
    c.stop();
    still_blank(d);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_works_once_and_never_from_another_origin() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = Companion::start(d, &["a.vdisc"]);
    let post = |origin: &str, body: &str| {
        c.http(&format!(
            "POST /v1/session HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{origin}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            c.port,
            body.len()
        ))
    };
    // A wrong token, the right one from a foreign page or with no Origin.
    let (status, _, body) = post(&format!("Origin: {}\r\n", c.origin()), "0123");
    assert_eq!(status, 403);
    assert!(body.contains("token is wrong"), "{body}");
    let (status, _, _) = post("Origin: http://evil.example\r\n", &c.token);
    assert_eq!(status, 403);
    let (status, _, _) = post("", &c.token);
    assert_eq!(status, 403);
    // The right one: a session cookie, HttpOnly and SameSite=Strict…
    let (status, head, _) = post(&format!("Origin: {}\r\n", c.origin()), &c.token);
    assert_eq!(status, 204);
    assert!(
        head.contains("; HttpOnly; SameSite=Strict; Path=/"),
        "{head}"
    );
    // …once: the address opened in another browser profile is refused,
    // as the token offered on the upgrade is.
    let (status, _, body) = post(&format!("Origin: {}\r\n", c.origin()), &c.token);
    assert_eq!(status, 403);
    assert!(body.contains("used already"), "{body}");
    let how = Upgrade {
        host: None,
        origin: Some(c.origin()),
        cookie: None,
        protocols: vec!["rawburn.v1".into(), format!("rawburn.token.{}", c.token)],
    };
    let (status, _) = Client::try_connect(&c, how).await.err().unwrap();
    assert_eq!(status, 403);
    c.stop();

    // A client without cookies trades the token on the upgrade, and comes
    // back with the session it was given.
    let c = Companion::start(d, &["a.vdisc"]);
    let how = Upgrade {
        host: None,
        origin: Some(c.origin()),
        cookie: None,
        protocols: vec!["rawburn.v1".into(), format!("rawburn.token.{}", c.token)],
    };
    let client = Client::try_connect(&c, how).await.unwrap();
    let session = client.hello["session"].as_str().unwrap().to_string();
    drop(client);
    let how = Upgrade {
        host: None,
        origin: Some(c.origin()),
        cookie: None,
        protocols: vec!["rawburn.v1".into(), format!("rawburn.session.{session}")],
    };
    assert!(Client::try_connect(&c, how).await.is_ok());
    // Every response has the security headers, and none a CORS header.
    let (status, head, _) = c.http(&format!(
        "GET / HTTP/1.1\r\nHost: localhost:{}\r\nOrigin: http://evil.example\r\nConnection: close\r\n\r\n",
        c.port
    ));
    assert_eq!(status, 200);
    let head = head.to_ascii_lowercase();
    for h in [
        "content-security-policy: default-src 'none'; script-src 'self'",
        "x-frame-options: deny",
        "x-content-type-options: nosniff",
    ] {
        assert!(head.contains(h), "{h}: {head}");
    }
    assert!(!head.contains("access-control-"), "{head}");
    c.stop();
    still_blank(d);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_frames_bad_digests_and_huge_uploads_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = Companion::start(d, &["a.vdisc"]);
    let cookie = c.session();

    // A message over 4 MiB closes the connection with 1009.
    let mut client = Client::connect(&c, &cookie).await;
    let big = vec![0u8; (4 << 20) + 17];
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let _ = client.ws.send(Message::Binary(big.into())).await;
    let mut closed = None;
    while let Some(m) = client.ws.next().await {
        if let Ok(Message::Close(f)) = m {
            closed = f;
            break;
        }
        if m.is_err() {
            break;
        }
    }
    let frame = closed.expect("a close frame");
    assert_eq!(u16::from(frame.code), 1009, "{frame:?}");
    assert!(frame.reason.contains("4194320 bytes at most"), "{frame:?}");

    let mut client = Client::connect(&c, &cookie).await;
    // A sha256 that is not the bytes': refused, and the upload starts over.
    let r = client
        .ask(json!({"type": "upload", "name": "x.iso", "size": 4096}))
        .await;
    let id = r["upload"].as_str().unwrap().to_string();
    client.send_chunks(&id, &[7u8; 4096], 0, 4096).await;
    let wrong = hex(&<sha2::Sha256 as sha2::Digest>::digest([8u8; 4096]));
    let r = client
        .ask(json!({"type": "upload-end", "upload": id, "sha256": wrong}))
        .await;
    assert_eq!(r["code"], "sha256", "{r}");
    let r = client.ask(json!({"type": "upload", "upload": id})).await;
    assert_eq!(
        (r["offset"].as_u64(), r["complete"].as_bool()),
        (Some(0), Some(false))
    );
    // Larger than any disc; too many unfinished; bytes past the size.
    let r = client
        .ask(json!({"type": "upload", "name": "huge.bin", "size": 1_090_584_001u64}))
        .await;
    assert_eq!(r["code"], "too-large", "{r}");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("larger than any CD")
    );
    for k in 0..31 {
        let r = client
            .ask(json!({"type": "upload", "name": format!("f{k}"), "size": 1}))
            .await;
        assert_eq!(r["type"], "upload", "{r}");
    }
    let r = client
        .ask(json!({"type": "upload", "name": "one-more", "size": 1}))
        .await;
    assert_eq!(r["code"], "limit", "{r}");
    let n: u64 = id[1..].parse().unwrap();
    client.send_chunk(n, 0, &[0u8; 4097]).await;
    let e = client.wait(|m| m["type"] == "error").await;
    assert_eq!(e["code"], "too-large");
    // A request that is not JSON, or of no known type.
    client
        .ws
        .send(Message::Text("not json".into()))
        .await
        .unwrap();
    let e = client.wait(|m| m["type"] == "error").await;
    assert_eq!(e["code"], "bad-request");
    let r = client.ask(json!({"type": "format-disk"})).await;
    assert_eq!(r["code"], "bad-request");
    drop(client);
    c.stop();
    still_blank(d);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sheets_and_projects_cannot_reach_outside_their_uploads() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let secret = d.join("secret.bin");
    std::fs::write(&secret, vec![1u8; 2352 * 300]).unwrap();
    let c = Companion::start(d, &["a.vdisc"]);
    let cookie = c.session();
    let mut client = Client::connect(&c, &cookie).await;
    let id = client
        .upload("t.bin", &vec![0u8; 2352 * 300], 1 << 20)
        .await;

    // Upload names that leave the plan.
    for name in ["../../etc/passwd", "/etc/passwd", "a/../../x"] {
        let r = client
            .ask(json!({"type": "plan", "sheet": {"name": "d.cue", "text": "FILE \"t.bin\" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n"}, "files": {name: id}}))
            .await;
        assert_eq!(r["code"], "name", "{name}: {r}");
    }
    // Sheets and projects naming files outside: nothing is found there.
    let outside = [
        "../../etc/passwd".to_string(),
        "/etc/passwd".to_string(),
        secret.display().to_string(),
        "../".repeat(12) + "etc/passwd",
    ];
    for target in &outside {
        let cue = format!("FILE \"{target}\" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n");
        let r = client
            .ask(json!({"type": "plan", "sheet": {"name": "d.cue", "text": cue}, "files": {"t.bin": id}}))
            .await;
        assert_eq!(r["code"], "plan", "{target}: {r}");
        let said = r["error"].to_string();
        assert!(
            said.contains("outside the files this disc may use"),
            "{target}: {said}"
        );
        let project = json!({
            "format": 1,
            "sources": [{"path": target, "format": "binary"}],
            "tracks": [{"sectorType": "audio", "data": {"source": 0, "offset": 0, "sectors": 300}}]
        });
        let r = client
            .ask(json!({"type": "plan", "sheet": {"name": "d.json", "text": project.to_string()}, "files": {"t.bin": id}}))
            .await;
        assert_eq!(r["code"], "plan", "{target}: {r}");
        let said = r["error"].to_string();
        assert!(
            said.contains("outside the files this disc may use"),
            "{target}: {said}"
        );
    }
    // The same sheet over the upload plans; burning the refused ones is
    // impossible: no plan exists for them.
    let r = client
        .ask(json!({"type": "plan", "sheet": {"name": "d.cue", "text": "FILE \"t.bin\" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n"}, "files": {"t.bin": id}}))
        .await;
    assert_eq!(r["type"], "plan", "{r}");
    let r = client
        .ask(json!({"type": "burn", "plan": "p999", "drive": "virtual-1"}))
        .await;
    assert_eq!(r["code"], "not-found");
    drop(client);
    c.stop();
    still_blank(d);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_page_gets_busy_with_the_job_holding_the_drive() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (files, sheet) = mixed_disc_of(d, 20_000);
    let c = Companion::start(d, &["a.vdisc", "b.vdisc"]);
    let cookie = c.session();
    let mut first = Client::connect(&c, &cookie).await;
    let plan = upload_and_plan(&mut first, &files, &sheet).await;
    let job = first
        .start(
            json!({"type": "burn", "plan": plan["plan"], "drive": "virtual-1", "simulate": true}),
        )
        .await;
    let mut second = Client::connect(&c, &cookie).await;
    for request in [
        json!({"type": "burn", "plan": plan["plan"], "drive": "virtual-1"}),
        json!({"type": "burn", "plan": plan["plan"], "drives": ["virtual-2", "virtual-1"]}),
        json!({"type": "blank", "drive": "virtual-1"}),
        json!({"type": "media", "drive": "virtual-1"}),
        json!({"type": "insert", "drive": "virtual-1"}),
    ] {
        let r = second.ask(request.clone()).await;
        assert_eq!(r["code"], "busy", "{request}: {r}");
        assert_eq!(r["job"], job.as_str(), "{request}: {r}");
    }
    let end = first.until_end(&job).await.pop().unwrap();
    assert_eq!(end["ok"], true, "{end}");
    // All or none: virtual-2 was not burned by the refused request.
    let m = second
        .ask(json!({"type": "media", "drive": "virtual-2"}))
        .await;
    assert_eq!(m["media"]["status"], "blank");
    drop((first, second));
    c.stop();
    // The simulated burn left the disc blank.
    still_blank(d);
}

#[test]
fn a_non_loopback_address_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for address in ["0.0.0.0", "::", "192.0.2.1"] {
        let state = d.join("state");
        let err = fails(
            d,
            &[
                "serve",
                "--address",
                address,
                "--state-dir",
                state.to_str().unwrap(),
            ],
            2,
        );
        assert!(
            err.contains(&format!(
                "refused to listen on {address}: the companion listens on this machine only"
            )),
            "{err}"
        );
    }
    let err = fails(d, &["serve", "--allow-origin", "*"], 2);
    assert!(err.contains("an origin is scheme://host[:port]"), "{err}");
}
