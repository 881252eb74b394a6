//! The companion's costs, measured in one run against their baselines:
//!
//! - uploading an image over loopback (1 MiB chunks, four in flight, the
//!   client hashing as it sends) against a plain loopback TCP copy of the
//!   same bytes;
//! - a virtual burn through the companion against `rawburn burn --virtual`
//!   of the same disc;
//! - how late events reach the page (from when the companion had them);
//! - the companion's peak memory over the upload and the burn.
//!
//! `cargo bench -p rawburn --bench companion -- [--mb N]` (default 700).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

const BIN: &str = env!("CARGO_BIN_EXE_rawburn");
const CHUNK: usize = 1 << 20;
const IN_FLIGHT: usize = 4;

fn main() {
    let mut mb = 700usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--mb" {
            mb = args.next().and_then(|v| v.parse().ok()).expect("--mb N");
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(mb));
}

async fn run(mb: usize) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A data disc of `mb` megabytes: 2048-byte sectors of noise.
    let sectors = mb * 1_000_000 / 2048;
    let mut image = vec![0u8; sectors * 2048];
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for chunk in image.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    std::fs::write(d.join("disc.iso"), &image).unwrap();
    let image = std::sync::Arc::new(image);
    let bytes = image.len();
    let sheet = "FILE \"disc.iso\" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n";
    std::fs::write(d.join("disc.cue"), sheet).unwrap();
    println!(
        "companion bench: a {} MB data disc ({sectors} sectors)",
        image.len() / 1_000_000
    );

    // The baseline: the same bytes over a plain loopback TCP connection.
    sync();
    let tcp = tcp_copy(&image).await;
    println!(
        "loopback TCP copy:          {:7.0} MB/s",
        image.len() as f64 / tcp / 1e6
    );

    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--idle-timeout", "0", "--state-dir"])
        .arg(d.join("state"))
        .arg("--virtual")
        .arg(d.join("c.vdisc"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_string();
    let port: u16 = url["http://127.0.0.1:".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let token = url.split("#token=").nth(1).unwrap();
    let mut request = format!("ws://127.0.0.1:{port}/v1")
        .into_client_request()
        .unwrap();
    let h = request.headers_mut();
    h.insert(
        "origin",
        HeaderValue::from_str(&format!("http://127.0.0.1:{port}")).unwrap(),
    );
    h.insert(
        "sec-websocket-protocol",
        HeaderValue::from_str(&format!("rawburn.v1, rawburn.token.{token}")).unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(request, None, true)
        .await
        .unwrap();
    next(&mut ws, |m| m["type"] == "hello").await;

    // The upload: chunks with a few in flight, hashed as they go.
    sync();
    let cpu_before = (cpu_seconds(child.id()), cpu_seconds(std::process::id()));
    let start = Instant::now();
    ws.send(text(
        json!({"type": "upload", "name": "disc.iso", "size": image.len()}),
    ))
    .await
    .unwrap();
    let r = next(&mut ws, |m| m["type"] == "upload").await;
    let id = r["upload"].as_str().unwrap().to_string();
    let n: u64 = id[1..].parse().unwrap();
    // The client hashes beside the sending, as a page's worker would.
    let to_hash = std::sync::Arc::clone(&image);
    let hashing = std::thread::spawn(move || {
        let mut hasher = Sha256::new();
        for c in to_hash.chunks(CHUNK) {
            hasher.update(c);
        }
        hasher.finalize()
    });
    let mut sent = 0usize;
    let mut acked = 0usize;
    while acked < image.len() {
        while sent < image.len() && sent - acked < IN_FLIGHT * CHUNK {
            let end = (sent + CHUNK).min(image.len());
            let mut frame = Vec::with_capacity(16 + end - sent);
            frame.extend_from_slice(&n.to_be_bytes());
            frame.extend_from_slice(&(sent as u64).to_be_bytes());
            frame.extend_from_slice(&image[sent..end]);
            ws.send(Message::Binary(frame.into())).await.unwrap();
            sent = end;
        }
        let ack = next(&mut ws, |m| m["type"] == "uploaded" || m["type"] == "error").await;
        assert_eq!(ack["type"], "uploaded", "{ack}");
        acked = ack["offset"].as_u64().unwrap() as usize;
    }
    let sha: String = hashing
        .join()
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    ws.send(text(
        json!({"type": "upload-end", "upload": id, "sha256": sha}),
    ))
    .await
    .unwrap();
    let r = next(&mut ws, |m| {
        m["type"] == "upload-end" || m["type"] == "error"
    })
    .await;
    assert_eq!(r["complete"], true, "{r}");
    let upload = start.elapsed().as_secs_f64();
    let cpu = (
        cpu_seconds(child.id()) - cpu_before.0,
        cpu_seconds(std::process::id()) - cpu_before.1,
    );
    println!(
        "upload to the companion:    {:7.0} MB/s  ({:.0} % of the TCP copy; sha256 checked)",
        image.len() as f64 / upload / 1e6,
        100.0 * tcp / upload
    );
    println!(
        "  CPU during the upload:    companion {:.2} s, client {:.2} s, over {upload:.2} s",
        cpu.0, cpu.1
    );
    drop(image);

    ws.send(text(json!({"type": "plan", "sheet": {"name": "disc.cue", "text": sheet}, "files": {"disc.iso": id}})))
        .await
        .unwrap();
    let plan = next(&mut ws, |m| m["type"] == "plan" || m["type"] == "error").await;
    assert_eq!(plan["type"], "plan", "{plan}");

    // The burn through the companion (events timed as they arrive) and
    // the same burn by `rawburn burn`, in turn, best of three each.
    let mut late = Vec::new();
    let (mut through, mut direct) = (f64::MAX, f64::MAX);
    // The jobs' commands, watched from outside as they run.
    let watching = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let jobs_peak = {
        let (watching, companion) = (watching.clone(), child.id());
        std::thread::spawn(move || {
            let mut peak = 0f64;
            while watching.load(std::sync::atomic::Ordering::Relaxed) {
                for pid in children_of(companion) {
                    peak = peak.max(peak_rss(pid));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            peak
        })
    };
    for round in 0..3 {
        if round > 0 {
            ws.send(text(json!({"type": "insert", "drive": "virtual-1"})))
                .await
                .unwrap();
            let r = next(&mut ws, |m| m["type"] == "insert" || m["type"] == "error").await;
            assert_eq!(r["type"], "insert", "{r}");
        }
        sync();
        let start = Instant::now();
        ws.send(text(
            json!({"type": "burn", "plan": plan["plan"], "drive": "virtual-1"}),
        ))
        .await
        .unwrap();
        loop {
            let m = next(&mut ws, |m| m["type"] == "event" || m["type"] == "end").await;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs_f64()
                * 1000.0;
            late.push(now - m["at"].as_f64().unwrap());
            if m["type"] == "end" {
                assert_eq!(m["ok"], true, "{m}");
                break;
            }
        }
        through = through.min(start.elapsed().as_secs_f64());

        let out = Command::new(BIN)
            .args(["vdisc", "create", "cli.vdisc", "--force"])
            .current_dir(d)
            .output()
            .unwrap();
        assert!(out.status.success());
        sync();
        let start = Instant::now();
        let out = Command::new(BIN)
            .args(["burn", "disc.cue", "--virtual", "cli.vdisc", "--quiet"])
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        direct = direct.min(start.elapsed().as_secs_f64());
    }
    let rss = peak_rss(child.id());
    watching.store(false, std::sync::atomic::Ordering::Relaxed);
    let job_rss = jobs_peak.join().unwrap();
    let _ = ws.close(None).await;
    kill_int(child.id());
    let _ = child.wait();
    println!(
        "virtual burn:               {through:7.2} s through the companion, {direct:.2} s by rawburn burn ({:+.1} %; best of 3 each)",
        100.0 * (through / direct - 1.0)
    );
    late.sort_by(f64::total_cmp);
    let pick = |q: f64| late[((late.len() - 1) as f64 * q).round() as usize];
    println!(
        "event latency:              p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} events",
        pick(0.5),
        pick(0.99),
        pick(1.0),
        late.len()
    );
    println!(
        "companion peak RSS:         {:7.1} MB (upload and burn); its burn job's command {:.1} MB",
        rss / 1e6,
        job_rss / 1e6
    );
    println!(
        "companion tcp_mb_s={:.0} upload_mb_s={:.0} burn_s={through:.2} cli_burn_s={direct:.2} event_p99_ms={:.2} rss_mb={:.1} job_rss_mb={:.1}",
        bytes as f64 / tcp / 1e6,
        bytes as f64 / upload / 1e6,
        pick(0.99),
        rss / 1e6,
        job_rss / 1e6
    );
}

fn text(v: Value) -> Message {
    Message::Text(v.to_string().into())
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next(ws: &mut Socket, pick: impl Fn(&Value) -> bool) -> Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(600), ws.next())
            .await
            .expect("no message")
            .expect("closed")
            .expect("failed");
        if let Message::Text(t) = m {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if pick(&v) {
                return v;
            }
        }
    }
}

/// Seconds to send `bytes` over a loopback TCP connection to a reader that
/// takes them in 1 MiB reads.
async fn tcp_copy(bytes: &[u8]) -> f64 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let len = bytes.len();
    let reader = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; CHUNK];
        let mut got = 0;
        while got < len {
            let n = s.read(&mut buf).await.unwrap();
            assert!(n > 0);
            got += n;
        }
    });
    let start = Instant::now();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let data = bytes.to_vec();
    let writer = std::thread::spawn(move || {
        for c in data.chunks(CHUNK) {
            s.write_all(c).unwrap();
        }
    });
    reader.await.unwrap();
    writer.join().unwrap();
    start.elapsed().as_secs_f64()
}

/// The peak resident memory of process `pid`, in bytes.
fn peak_rss(pid: u32) -> f64 {
    let mut s = String::new();
    let _ = std::fs::File::open(Path::new("/proc").join(pid.to_string()).join("status"))
        .and_then(|mut f| f.read_to_string(&mut s));
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb * 1024.0)
}

/// The processes whose parent is `parent`.
fn children_of(parent: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let rest = stat.rsplit(')').next().unwrap_or("");
            rest.split_whitespace().nth(1) == Some(&parent.to_string())
        })
        .collect()
}

/// User and system CPU seconds process `pid` has used.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command's closing parenthesis: utime is the 12th.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |k: usize| f.get(k).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Writes dirty pages out, so one measurement does not pay for the last
/// one's.
fn sync() {
    let _ = Command::new("sync").status();
}

fn kill_int(pid: u32) {
    #[allow(unsafe_code)]
    // SAFETY: kill(2) with plain integers.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGINT);
    }
}
