//! A `rawburn serve` for tests, and a WebSocket client that speaks its
//! protocol (the README's wire format).

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// A running companion.
pub struct Companion {
    pub child: Child,
    pub port: u16,
    pub token: String,
    pub state: PathBuf,
}

impl Companion {
    /// `rawburn serve --port 0` with these virtual discs (created blank).
    pub fn start(dir: &Path, discs: &[&str]) -> Companion {
        Companion::start_with(dir, discs, &[])
    }

    pub fn start_with(dir: &Path, discs: &[&str], extra: &[&str]) -> Companion {
        Companion::launch(dir, discs, extra, false)
    }

    /// As [`Companion::start`], run in `dir` and given relative paths
    /// (`--state-dir state --virtual NAME`), as a user in a terminal would.
    pub fn start_relative(dir: &Path, discs: &[&str]) -> Companion {
        Companion::launch(dir, discs, &[], true)
    }

    fn launch(dir: &Path, discs: &[&str], extra: &[&str], relative: bool) -> Companion {
        let state = dir.join("state");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rawburn"));
        cmd.args(["serve", "--port", "0", "--state-dir"]);
        if relative {
            cmd.current_dir(dir).arg("state");
        } else {
            cmd.arg(&state);
        }
        if !extra.contains(&"--idle-timeout") {
            cmd.args(["--idle-timeout", "0"]);
        }
        for d in discs {
            if relative {
                cmd.arg("--virtual").arg(d);
            } else {
                cmd.arg("--virtual").arg(dir.join(d));
            }
        }
        cmd.args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim();
        assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");
        let port = url["http://127.0.0.1:".len()..]
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let token = url.split("#token=").nth(1).unwrap().to_string();
        Companion {
            child,
            port,
            token,
            state,
        }
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A raw HTTP/1.1 request; the status code, headers and body.
    pub fn http(&self, request: &str) -> (u16, String, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        (status, head.to_string(), body.to_string())
    }

    /// Trades the token for a session cookie (`name=value`).
    pub fn session(&self) -> String {
        let (status, head, _) = self.http(&format!(
            "POST /v1/session HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nOrigin: http://127.0.0.1:{p}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            self.token.len(),
            self.token,
            p = self.port
        ));
        assert_eq!(status, 204, "{head}");
        let cookie = head
            .lines()
            .find_map(|l| l.strip_prefix("set-cookie: "))
            .unwrap();
        cookie.split(';').next().unwrap().to_string()
    }

    /// Stops it with Ctrl-C; its exit code.
    pub fn stop(mut self) -> i32 {
        signal(self.child.id(), libc::SIGINT);
        wait(&mut self.child, Duration::from_secs(60))
    }

    /// What it wrote to stderr (after it ended).
    pub fn stderr(&mut self) -> String {
        let mut s = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut s);
        }
        s
    }
}

impl Drop for Companion {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn signal(pid: u32, sig: i32) {
    #[allow(unsafe_code)]
    // SAFETY: kill(2) with plain integers.
    unsafe {
        libc::kill(pid as libc::pid_t, sig);
    }
}

pub fn wait(child: &mut Child, limit: Duration) -> i32 {
    let start = std::time::Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s.code().unwrap_or(-1);
        }
        assert!(start.elapsed() < limit, "the companion did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A page's connection.
pub struct Client {
    pub ws: Socket,
    pub hello: Value,
    next_id: u64,
    /// Messages read while waiting for another.
    pending: Vec<Value>,
}

/// How the upgrade presents itself.
pub struct Upgrade<'a> {
    pub host: Option<String>,
    pub origin: Option<String>,
    pub cookie: Option<&'a str>,
    pub protocols: Vec<String>,
}

impl Client {
    /// Connects as the companion's own page with `cookie`.
    pub async fn connect(c: &Companion, cookie: &str) -> Client {
        Client::try_connect(
            c,
            Upgrade {
                host: None,
                origin: Some(c.origin()),
                cookie: Some(cookie),
                protocols: vec!["rawburn.v1".into()],
            },
        )
        .await
        .unwrap()
    }

    /// Connects as `how` says; the refusal's status and body otherwise.
    pub async fn try_connect(c: &Companion, how: Upgrade<'_>) -> Result<Client, (u16, String)> {
        let mut request = format!("ws://127.0.0.1:{}/v1", c.port)
            .into_client_request()
            .unwrap();
        let h = request.headers_mut();
        if let Some(host) = how.host {
            h.insert("host", HeaderValue::from_str(&host).unwrap());
        }
        if let Some(o) = how.origin {
            h.insert("origin", HeaderValue::from_str(&o).unwrap());
        }
        if let Some(cookie) = how.cookie {
            h.insert("cookie", HeaderValue::from_str(cookie).unwrap());
        }
        if !how.protocols.is_empty() {
            h.insert(
                "sec-websocket-protocol",
                HeaderValue::from_str(&how.protocols.join(", ")).unwrap(),
            );
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((ws, _)) => {
                let mut client = Client {
                    ws,
                    hello: Value::Null,
                    next_id: 0,
                    pending: Vec::new(),
                };
                client.hello = client.wait(|m| m["type"] == "hello").await;
                Ok(client)
            }
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
                let body = r
                    .body()
                    .as_ref()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default();
                Err((r.status().as_u16(), body))
            }
            Err(e) => Err((0, e.to_string())),
        }
    }

    /// The next message (from those set aside first).
    pub async fn next(&mut self) -> Option<Value> {
        if !self.pending.is_empty() {
            return Some(self.pending.remove(0));
        }
        loop {
            let m = tokio::time::timeout(Duration::from_secs(120), self.ws.next())
                .await
                .expect("no message within 120 s")?;
            match m {
                Ok(Message::Text(t)) => return Some(serde_json::from_str(t.as_str()).unwrap()),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// The first message that `pick` takes; the others are set aside.
    pub async fn wait(&mut self, pick: impl Fn(&Value) -> bool) -> Value {
        if let Some(k) = self.pending.iter().position(&pick) {
            return self.pending.remove(k);
        }
        loop {
            let m = tokio::time::timeout(Duration::from_secs(120), self.ws.next())
                .await
                .expect("no message within 120 s")
                .expect("the connection ended")
                .expect("the connection failed");
            if let Message::Text(t) = m {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if pick(&v) {
                    return v;
                }
                self.pending.push(v);
            }
        }
    }

    pub async fn send(&mut self, v: Value) {
        self.ws
            .send(Message::Text(v.to_string().into()))
            .await
            .unwrap();
    }

    /// Sends `request` with a fresh id and returns its reply.
    pub async fn ask(&mut self, mut request: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        request["id"] = id.into();
        self.send(request).await;
        self.wait(|m| m["reply"] == id).await
    }

    /// Sends a request that starts one job; the job's id.
    pub async fn start(&mut self, request: Value) -> String {
        let r = self.ask(request).await;
        assert_eq!(r["type"], "jobs", "{r}");
        r["jobs"][0]["job"].as_str().unwrap().to_string()
    }

    /// Uploads `bytes` as `name` in chunks of `chunk`; the upload's id.
    pub async fn upload(&mut self, name: &str, bytes: &[u8], chunk: usize) -> String {
        let r = self
            .ask(json!({"type": "upload", "name": name, "size": bytes.len()}))
            .await;
        assert_eq!(r["type"], "upload", "{r}");
        let id = r["upload"].as_str().unwrap().to_string();
        self.send_chunks(&id, bytes, 0, chunk).await;
        let sha = hex(&Sha256::digest(bytes));
        let r = self
            .ask(json!({"type": "upload-end", "upload": id, "sha256": sha}))
            .await;
        assert_eq!(r["complete"], true, "{r}");
        id
    }

    /// Sends `bytes[from..]` of upload `id`, waiting for each ack.
    pub async fn send_chunks(&mut self, id: &str, bytes: &[u8], from: usize, chunk: usize) {
        let n: u64 = id[1..].parse().unwrap();
        let mut at = from;
        while at < bytes.len() {
            let end = (at + chunk).min(bytes.len());
            self.send_chunk(n, at as u64, &bytes[at..end]).await;
            let ack = self
                .wait(|m| m["type"] == "uploaded" || m["type"] == "error")
                .await;
            assert_eq!(ack["type"], "uploaded", "{ack}");
            at = end;
            assert_eq!(ack["offset"], at as u64);
        }
    }

    pub async fn send_chunk(&mut self, n: u64, offset: u64, data: &[u8]) {
        let mut frame = Vec::with_capacity(16 + data.len());
        frame.extend_from_slice(&n.to_be_bytes());
        frame.extend_from_slice(&offset.to_be_bytes());
        frame.extend_from_slice(data);
        self.ws.send(Message::Binary(frame.into())).await.unwrap();
    }

    /// The messages of `job` up to its end.
    pub async fn until_end(&mut self, job: &str) -> Vec<Value> {
        let mut got = Vec::new();
        loop {
            let m = self
                .wait(|m| m["job"] == job && (m["type"] == "event" || m["type"] == "end"))
                .await;
            let end = m["type"] == "end";
            got.push(m);
            if end {
                return got;
            }
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A mixed-mode disc with CD-TEXT in `dir`: a Mode 1 data track and two
/// audio tracks (ISRC, an index point, titles). Its files and the sheet.
pub fn mixed_disc(dir: &Path) -> (Vec<(String, Vec<u8>)>, String) {
    mixed_disc_of(dir, 400)
}

/// As [`mixed_disc`], with a data track of `sectors`.
pub fn mixed_disc_of(dir: &Path, sectors: usize) -> (Vec<(String, Vec<u8>)>, String) {
    let data = testkit::noise(2048 * sectors, 7);
    std::fs::write(dir.join("data.iso"), &data).unwrap();
    testkit::write_wav(&dir.join("a.wav"), 600, 1);
    testkit::write_wav(&dir.join("b.wav"), 450, 2);
    let sheet = SHEET;
    std::fs::write(dir.join("disc.cue"), sheet).unwrap();
    let files = ["data.iso", "a.wav", "b.wav"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap()))
        .collect();
    let _ = data;
    (files, sheet.to_string())
}

const SHEET: &str = r#"CATALOG 0036000291452
PERFORMER "rawburn"
TITLE "Companion Disc"
FILE "data.iso" BINARY
  TRACK 01 MODE1/2048
    INDEX 01 00:00:00
    POSTGAP 00:02:00
FILE "a.wav" WAVE
  TRACK 02 AUDIO
    TITLE "First"
    PERFORMER "Someone"
    ISRC USRC17607839
    PREGAP 00:02:00
    INDEX 01 00:00:00
    INDEX 02 00:03:00
FILE "b.wav" WAVE
  TRACK 03 AUDIO
    TITLE "Second"
    INDEX 01 00:00:00
"#;

/// Uploads the files and plans `sheet` over them; the plan's id.
pub async fn upload_and_plan(c: &mut Client, files: &[(String, Vec<u8>)], sheet: &str) -> Value {
    let mut map = serde_json::Map::new();
    for (name, bytes) in files {
        let id = c.upload(name, bytes, 1 << 20).await;
        map.insert(name.clone(), id.into());
    }
    c.ask(json!({"type": "plan", "sheet": {"name": "disc.cue", "text": sheet}, "files": map}))
        .await
}

/// Downloads `url` with `cookie`.
pub fn download(c: &Companion, url: &str, cookie: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(("127.0.0.1", c.port)).unwrap();
    write!(
        s,
        "GET {url} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n",
        c.port
    )
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&out[..split]);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    out[split + 4..].to_vec()
}
