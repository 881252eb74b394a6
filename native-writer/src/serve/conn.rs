//! One page's WebSocket: the upgrade's checks, then the protocol (JSON text
//! messages; upload chunks as binary ones), as the README's wire format
//! describes.

use super::drives::Reach;
use super::jobs::{self, Job, Kind};
use super::spool::{self, Refused};
use super::{App, MAX_CONNECTIONS, MAX_MESSAGE, PROTOCOL_VERSION, guard};
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// `GET /v1`: the upgrade, for a page of an allowed origin holding a
/// session (or presenting the token as a `rawburn.token.T` subprotocol,
/// which trades it for a session as `POST /v1/session` does).
pub async fn upgrade(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    if let Err(r) = guard::check_origin(&headers, &app.origins) {
        return super::refuse(&r);
    }
    let mut new_session = None;
    if app.sessions.check(&headers).is_err() {
        let token = guard::subprotocols(&headers)
            .find_map(|p| p.strip_prefix("rawburn.token."))
            .map(str::to_string);
        match token.map(|t| app.sessions.exchange(&t)) {
            Some(Ok(s)) => new_session = Some(s),
            Some(Err(r)) => return super::refuse(&r),
            None => return super::refuse(&guard::Refusal::Session),
        }
    }
    let ws = match ws {
        Ok(ws) => ws,
        Err(e) => return e.into_response(),
    };
    if app.connections.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{MAX_CONNECTIONS} pages are connected already: close one"),
        )
            .into_response();
    }
    ws.protocols(["rawburn.v1"])
        .max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        .on_upgrade(move |socket| async move {
            // Counted once upgraded: an upgrade that fails never ran.
            app.connections.fetch_add(1, Ordering::SeqCst);
            connection(app.clone(), socket, new_session).await;
            app.connections.fetch_sub(1, Ordering::SeqCst);
            app.touch();
        })
}

/// What one connection keeps.
struct Conn {
    app: Arc<App>,
    out: mpsc::Sender<Message>,
    /// The jobs this page follows.
    following: HashMap<String, JoinHandle<()>>,
    tasks: Vec<JoinHandle<()>>,
    /// Upload chunks on their way to the spool.
    chunks: mpsc::Sender<Chunk>,
    /// Whether chunks were sent since the last flush.
    unflushed: bool,
    /// Jobs a request started, followed once its reply is sent.
    to_follow: Vec<Arc<Job>>,
}

/// Work for a connection's chunk writer.
enum Chunk {
    /// Bytes of upload `n` at an offset (the frame, header included).
    Data(u64, u64, axum::body::Bytes),
    /// Answered once everything before it is written.
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// Writes a connection's chunks into the spool in order, answering each.
fn write_chunks(app: &App, mut chunks: mpsc::Receiver<Chunk>, out: &mpsc::Sender<Message>) {
    while let Some(c) = chunks.blocking_recv() {
        let (n, offset, data) = match c {
            Chunk::Data(n, offset, data) => (n, offset, data),
            Chunk::Flush(done) => {
                let _ = done.send(());
                continue;
            }
        };
        let result = spool_of(app).and_then(|mut spool| {
            spool.chunk(n, offset, &data[16..]).map_err(|e| {
                let at = spool.state(n).map(|s| s.offset).unwrap_or(0);
                Error::from(e).with("offset", at)
            })
        });
        let reply = result
            .map(|at| json!({"type": "uploaded", "upload": spool::upload_id(n), "offset": at}))
            .map_err(|e| e.with("upload", spool::upload_id(n)));
        let v = match reply {
            Ok(v) => v,
            Err(e) => error_json(&Value::Null, e),
        };
        if out
            .blocking_send(Message::Text(v.to_string().into()))
            .is_err()
        {
            return;
        }
    }
}

async fn connection(app: Arc<App>, socket: WebSocket, new_session: Option<String>) {
    let (mut sink, mut stream) = socket.split();
    let (out, mut rx) = mpsc::channel::<Message>(256);
    let writer = tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            let close = matches!(m, Message::Close(_));
            if sink.send(m).await.is_err() || close {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let (chunks, chunk_rx) = mpsc::channel(2);
    let chunk_writer = {
        let (app, out) = (app.clone(), out.clone());
        tokio::task::spawn_blocking(move || write_chunks(&app, chunk_rx, &out))
    };
    let mut conn = Conn {
        app: app.clone(),
        out,
        following: HashMap::new(),
        tasks: Vec::new(),
        chunks,
        unflushed: false,
        to_follow: Vec::new(),
    };
    let mut hello = hello(&app);
    if let Some(s) = new_session {
        hello["session"] = s.into();
    }
    conn.send(hello).await;
    conn.tasks
        .push(tokio::spawn(announce_drives(app.clone(), conn.out.clone())));
    let mut stopping = app.stopping.subscribe();
    loop {
        let message = tokio::select! {
            m = stream.next() => m,
            () = super::stopped(&mut stopping) => {
                conn.close(close_code::AWAY, "the companion is stopping").await;
                break;
            }
        };
        app.touch();
        match message {
            Some(Ok(Message::Text(text))) => {
                conn.flush().await;
                conn.text(text.as_str()).await;
            }
            Some(Ok(Message::Binary(data))) => conn.chunk(data).await,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            Some(Ok(Message::Close(_))) | None => break,
            Some(Err(e)) => {
                // A message past the size limit, or a broken frame.
                let text = e.to_string();
                let code = if text.contains("too long") || text.contains("Space limit") {
                    close_code::SIZE
                } else {
                    close_code::PROTOCOL
                };
                conn.close(
                    code,
                    &format!("refused: {text} (messages are {MAX_MESSAGE} bytes at most)"),
                )
                .await;
                break;
            }
        }
    }
    for (_, t) in conn.following.drain() {
        t.abort();
    }
    for t in conn.tasks.drain(..) {
        t.abort();
    }
    drop(conn);
    let _ = chunk_writer.await;
    let _ = writer.await;
}

fn hello(app: &App) -> Value {
    json!({
        "type": "hello",
        "version": PROTOCOL_VERSION,
        "rawburn": env!("CARGO_PKG_VERSION"),
        "drives": app.drive_list(),
        "usbProblem": app.usb_problem.lock().ok().and_then(|p| p.clone()),
        "jobs": app.jobs.lock().map(|j| j.list()).unwrap_or_default(),
        "uploads": app.spool.lock().map(|s| s.uploads()).unwrap_or_default(),
        "limits": {
            "message": MAX_MESSAGE,
            "chunk": MAX_MESSAGE - 16,
            "upload": spool::MAX_UPLOAD,
            "openUploads": spool::MAX_OPEN_UPLOADS,
        },
    })
}

/// Sends the drive list whenever it changes.
async fn announce_drives(app: Arc<App>, out: mpsc::Sender<Message>) {
    let mut changed = app.drives_changed.subscribe();
    while changed.changed().await.is_ok() {
        let m = json!({"type": "drives", "drives": app.drive_list(), "changed": true});
        if out.send(Message::Text(m.to_string().into())).await.is_err() {
            return;
        }
    }
}

/// A request's error reply.
struct Error {
    code: &'static str,
    message: String,
    extra: Value,
}

impl Error {
    fn new(code: &'static str, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            extra: Value::Null,
        }
    }

    fn with(mut self, key: &str, value: impl Into<Value>) -> Error {
        if !self.extra.is_object() {
            self.extra = json!({});
        }
        self.extra[key] = value.into();
        self
    }
}

impl From<Refused> for Error {
    fn from(r: Refused) -> Error {
        Error::new(r.code, r.message)
    }
}

fn bad(message: impl Into<String>) -> Error {
    Error::new("bad-request", message)
}

/// A string member of a request.
fn string<'a>(v: &'a Value, key: &str) -> Result<&'a str, Error> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| bad(format!("`{key}` (a string) is missing")))
}

fn flag(v: &Value, key: &str) -> Result<bool, Error> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(bad(format!("`{key}` is true or false"))),
    }
}

/// One of `allowed` (or `default` when absent).
fn choice<'a>(
    v: &'a Value,
    key: &str,
    allowed: &[&str],
    default: &'a str,
) -> Result<&'a str, Error> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(s),
        Some(_) => Err(bad(format!("`{key}` is one of {}", allowed.join(", ")))),
    }
}

impl Conn {
    async fn send(&self, v: Value) {
        let _ = self.out.send(Message::Text(v.to_string().into())).await;
    }

    async fn close(&self, code: u16, reason: &str) {
        let reason: String = reason.chars().take(120).collect();
        let _ = self
            .out
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
    }

    async fn reply(&self, id: &Value, result: Result<Value, Error>) {
        send_reply(&self.out, id, result).await;
    }

    async fn text(&mut self, text: &str) {
        let request: Value = match serde_json::from_str(text) {
            Ok(v @ Value::Object(_)) => v,
            _ => {
                self.reply(
                    &Value::Null,
                    Err(bad("a message is a JSON object with a `type`")),
                )
                .await;
                return;
            }
        };
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        let result = self.request(&request).await;
        // Requests that reply later (a job's, a command's) answer Ok(Null).
        if !matches!(result, Ok(Value::Null)) {
            self.reply(&id, result).await;
        }
        // A job's messages come after the reply that names it.
        for job in std::mem::take(&mut self.to_follow) {
            self.follow(job, 0);
        }
    }

    async fn request(&mut self, r: &Value) -> Result<Value, Error> {
        let app = self.app.clone();
        match string(r, "type")? {
            "hello" => Ok(hello(&app)),
            "drives" => Ok(json!({"type": "drives", "drives": app.drive_list()})),
            "jobs" => Ok(
                json!({"type": "jobs", "jobs": app.jobs.lock().map(|j| j.list()).unwrap_or_default()}),
            ),
            "uploads" => Ok(
                json!({"type": "uploads", "uploads": app.spool.lock().map(|s| s.uploads()).unwrap_or_default()}),
            ),
            "upload" => self.upload(r),
            "upload-end" => {
                let n = upload_number(r)?;
                let sha = string(r, "sha256")?;
                let state = tokio::task::block_in_place(|| {
                    spool_of(&app)?.finish(n, sha).map_err(Error::from)
                })
                .map_err(|e| e.with("upload", spool::upload_id(n)))?;
                Ok(
                    json!({"type": "upload-end", "upload": state.upload, "size": state.size, "complete": state.complete}),
                )
            }
            "discard" => {
                let n = upload_number(r)?;
                let gone = app.spool.lock().map(|mut s| s.discard(n)).unwrap_or(false);
                Ok(json!({"type": "discard", "upload": spool::upload_id(n), "discarded": gone}))
            }
            "plan" => {
                self.plan(r).await?;
                Ok(Value::Null)
            }
            "media" => {
                let drive = self.free_drive(r)?;
                let mut args = vec!["media".to_string(), "--json".to_string()];
                args.extend(drive.args());
                let out = self.spawn_command(
                    r,
                    args,
                    move |v| json!({"type": "media", "drive": drive.id, "media": v}),
                );
                out.map(|()| Value::Null)
            }
            "insert" => {
                let drive = self.free_drive(r)?;
                let Reach::Virtual(path) = &drive.reach else {
                    return Err(bad(format!(
                        "{} is a real drive: put a disc in it by hand",
                        drive.id
                    )));
                };
                let media = choice(r, "media", &["cd-r", "cd-rw"], "cd-r")?;
                let label = media_name(media);
                let minutes = match r.get("minutes") {
                    None | Some(Value::Null) => 80,
                    Some(v) => v
                        .as_u64()
                        .filter(|m| [74, 80, 90, 99].contains(m))
                        .ok_or_else(|| bad("`minutes` is 74, 80, 90 or 99"))?
                        as u8,
                };
                let args = vec![
                    "vdisc".to_string(),
                    "create".to_string(),
                    path.display().to_string(),
                    "--force".to_string(),
                    "--media".to_string(),
                    media.to_string(),
                    "--minutes".to_string(),
                    minutes.to_string(),
                ];
                let id = drive.id.clone();
                self.spawn_command(r, args, move |_| {
                    json!({"type": "insert", "drive": id, "media": label, "minutes": minutes})
                })
                .map(|()| Value::Null)
            }
            "burn" => self.burn(r),
            "blank" => {
                let drive = self.drive(r)?;
                let kind = choice(r, "kind", &["minimal", "full", "session"], "minimal")?;
                let mut args = vec!["blank".to_string(), "--json".to_string()];
                args.push(
                    match kind {
                        "full" => "--full",
                        "session" => "--session",
                        _ => "--fast",
                    }
                    .to_string(),
                );
                args.extend(drive.args());
                self.start_job(&drive, Kind::Blank, args, None, json!({"kind": kind}))
            }
            "read" => {
                let drive = self.drive(r)?;
                let format = choice(r, "format", &["ccd", "cue", "toc", "raw", "json"], "ccd")?;
                let name = match r.get("name") {
                    None | Some(Value::Null) => "disc".to_string(),
                    Some(Value::String(n)) if spool::check_name(n).is_ok() && !n.contains('/') => {
                        n.clone()
                    }
                    Some(_) => return Err(bad("`name` is a plain file name without extension")),
                };
                let mut args = vec![
                    "read".to_string(),
                    "--json".to_string(),
                    "-o".to_string(),
                    format!("{name}.{format}"),
                ];
                if format == "raw" {
                    let sub = choice(r, "subchannel", &["none", "pq", "cooked", "raw"], "raw")?;
                    args.extend(["--subchannel".to_string(), sub.to_string()]);
                }
                args.extend(drive.args());
                let reads = spool_of(&app)?.root().join("reads");
                self.start_job(
                    &drive,
                    Kind::Read,
                    args,
                    Some(reads),
                    json!({"format": format}),
                )
            }
            "eject" => {
                let drive = self.drive(r)?;
                let mut args = vec!["eject".to_string()];
                args.extend(drive.args());
                self.start_job(&drive, Kind::Eject, args, None, json!({}))
            }
            "tray" => {
                let drive = self.drive(r)?;
                let action = string(r, "action")?;
                if !["eject", "load", "lock", "unlock"].contains(&action) {
                    return Err(bad("`action` is eject, load, lock or unlock"));
                }
                let mut args = vec!["tray".to_string(), action.to_string()];
                args.extend(drive.args());
                self.start_job(&drive, Kind::Tray, args, None, json!({"action": action}))
            }
            "cancel" => {
                let id = string(r, "job")?;
                let job = find_job(&app, id)?;
                let asked = job.cancel();
                Ok(json!({"type": "cancel", "job": job.id, "asked": asked, "state": job.state()}))
            }
            "watch" => {
                let id = string(r, "job")?;
                let after = match r.get("after") {
                    None | Some(Value::Null) => 0,
                    Some(v) => v
                        .as_u64()
                        .ok_or_else(|| bad("`after` is a sequence number"))?,
                };
                let job = find_job(&app, id)?;
                let listed = job.listed();
                self.follow(job, after);
                Ok(
                    json!({"type": "watch", "job": listed.job, "after": after, "state": listed.state, "seq": listed.seq}),
                )
            }
            other => Err(bad(format!(
                "unknown request type `{}`",
                other.chars().take(40).collect::<String>()
            ))),
        }
    }

    /// `upload`: a new upload (`name`, `size`), or where one stands
    /// (`upload`), to resume it.
    fn upload(&mut self, r: &Value) -> Result<Value, Error> {
        let mut spool = spool_of(&self.app)?;
        let state = if r.get("upload").is_some() {
            spool.state(upload_number(r)?)?
        } else {
            let name = string(r, "name")?;
            let size = r
                .get("size")
                .and_then(Value::as_u64)
                .ok_or_else(|| bad("`size` (bytes) is missing"))?;
            spool.start(name, size)?
        };
        let mut v = serde_json::to_value(&state).unwrap_or(Value::Null);
        v["type"] = "upload".into();
        Ok(v)
    }

    /// A binary message: `[upload number: u64 BE][offset: u64 BE][bytes]`.
    async fn chunk(&mut self, data: axum::body::Bytes) {
        let (Some(n), Some(offset)) = (
            data.get(0..8)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes),
            data.get(8..16)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes),
        ) else {
            self.reply(
                &Value::Null,
                Err(bad(
                    "a binary message starts with the upload's number and the offset, 8 bytes each",
                )),
            )
            .await;
            return;
        };
        // Written and hashed on the connection's writer while the next
        // frame is read; at most two wait, so memory stays bounded.
        if self.chunks.send(Chunk::Data(n, offset, data)).await.is_ok() {
            self.unflushed = true;
        }
    }

    /// Waits until every chunk sent so far is written (before a text
    /// request, which may depend on them).
    async fn flush(&mut self) {
        if !self.unflushed {
            return;
        }
        let (done, wait) = tokio::sync::oneshot::channel();
        if self.chunks.send(Chunk::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
        self.unflushed = false;
    }

    /// `plan`: the disc of a sheet (or of files in disc order) over
    /// uploaded files, as `rawburn toc --json` shows it.
    async fn plan(&mut self, r: &Value) -> Result<(), Error> {
        let files: HashMap<String, String> = match r.get("files") {
            None | Some(Value::Null) => HashMap::new(),
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|_| bad("`files` maps names to upload ids"))?,
        };
        let mut spool = spool_of(&self.app)?;
        let sheet_file;
        let sheet = match r.get("sheet") {
            None | Some(Value::Null) => None,
            Some(s) if s.get("upload").is_some() => {
                sheet_file = spool.complete_file(string(s, "upload")?)?;
                Some((string(s, "name")?, spool::Sheet::Upload(&sheet_file)))
            }
            Some(s) => Some((string(s, "name")?, spool::Sheet::Text(string(s, "text")?))),
        };
        let inputs: Vec<String> = match r.get("inputs") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|_| bad("`inputs` lists file names in disc order"))?,
        };
        let cdtext: Vec<String> = match r.get("cdtext") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|_| bad("`cdtext` lists uploaded .cdt files or input sheets"))?,
        };
        let o = r.get("options").cloned().unwrap_or(Value::Null);
        let mut options = Vec::new();
        for (key, arg) in [
            ("xa", "--xa"),
            ("gapless", "--gapless"),
            ("noCdtext", "--no-cdtext"),
        ] {
            if flag(&o, key)? {
                options.push(arg.to_string());
            }
        }
        match o.get("gap") {
            None | Some(Value::Null) => {}
            Some(g) => {
                let g = g.as_f64().ok_or_else(|| bad("`gap` is in seconds"))?;
                options.extend(["--gap".to_string(), g.to_string()]);
            }
        }
        let (plan_id, plan) = spool.plan(sheet, &inputs, options, &cdtext, &files)?;
        drop(spool);
        let mut args = vec!["toc".to_string()];
        args.extend(plan.args.iter().cloned());
        args.push("--json".to_string());
        let dir = plan.dir.clone();
        let app = self.app.clone();
        let out = self.out.clone();
        let id = r.get("id").cloned().unwrap_or(Value::Null);
        tokio::spawn(async move {
            let result = command(&app, &dir, args)
                .await
                .map(|toc| json!({"type": "plan", "plan": plan_id, "toc": toc}));
            send_reply(&out, &id, result).await;
        });
        Ok(())
    }

    /// `burn`: plan `plan` on each of `drives` (one job per drive; all or
    /// none start).
    fn burn(&mut self, r: &Value) -> Result<Value, Error> {
        let plan_id = string(r, "plan")?;
        let plan = self
            .app
            .spool
            .lock()
            .ok()
            .and_then(|s| s.get_plan(plan_id))
            .ok_or_else(|| {
                Error::new(
                    "not-found",
                    format!("no plan {plan_id}: make one with `plan`"),
                )
            })?;
        let ids: Vec<String> = match (r.get("drives"), r.get("drive")) {
            (Some(v), _) => {
                serde_json::from_value(v.clone()).map_err(|_| bad("`drives` lists drive ids"))?
            }
            (None, Some(Value::String(d))) => vec![d.clone()],
            _ => return Err(bad("`drive` or `drives` names where to burn")),
        };
        if ids.is_empty() || ids.len() > 16 {
            return Err(bad("a burn goes to 1 to 16 drives"));
        }
        let mut args = vec!["burn".to_string()];
        args.extend(plan.args.iter().cloned());
        args.push("--json".to_string());
        let mode = choice(
            r,
            "mode",
            &["auto", "raw96r", "raw96p", "raw16", "sao", "tao"],
            "auto",
        )?;
        args.extend(["--mode".to_string(), mode.to_string()]);
        match r.get("speed") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s == "max" => {}
            Some(v) => {
                let x = v
                    .as_u64()
                    .filter(|x| (1..=1000).contains(x))
                    .ok_or_else(|| bad("`speed` is 1 or more (x), or \"max\""))?;
                args.extend(["--speed".to_string(), x.to_string()]);
            }
        }
        for (key, arg) in [
            ("simulate", "--simulate"),
            ("noBufe", "--no-bufe"),
            ("multisession", "--multisession"),
            ("eject", "--eject"),
        ] {
            if flag(r, key)? {
                args.push(arg.to_string());
            }
        }
        match r.get("extra") {
            None | Some(Value::Null) => {}
            Some(Value::String(name)) => {
                spool::check_name(name)?;
                args.extend(["--extra".to_string(), name.clone()]);
            }
            Some(_) => {
                return Err(bad(
                    "`extra` names the uploaded ISO of a CD-Extra's data session",
                ));
            }
        }
        match choice(r, "verify", &["exact", "content", "none"], "none")? {
            "none" => {}
            v => args.push(format!("--verify={v}")),
        }
        let detail = json!({
            "plan": plan_id,
            "mode": mode,
            "simulate": flag(r, "simulate")?,
            "verify": r.get("verify").cloned().unwrap_or(Value::Null),
            "multisession": flag(r, "multisession")?,
        });
        let mut drives = Vec::new();
        for id in &ids {
            let d = self
                .app
                .drive(id)
                .ok_or_else(|| Error::new("not-found", format!("no drive {id}")))?;
            if drives.iter().any(|x: &super::drives::Drive| x.id == d.id) {
                return Err(bad(format!("{id} is named twice")));
            }
            drives.push(d);
        }
        // All or none: every drive must be free.
        let started: Vec<Arc<Job>> = {
            let mut jobs = jobs_of(&self.app)?;
            if let Some((d, j)) = drives.iter().find_map(|d| jobs.busy(&d.id).map(|j| (d, j))) {
                return Err(busy(&d.id, &j));
            }
            drives
                .iter()
                .filter_map(|d| jobs.start(&d.id, Kind::Burn, None, detail.clone()).ok())
                .collect()
        };
        let mut list = Vec::new();
        for (job, d) in started.into_iter().zip(&drives) {
            let mut a = args.clone();
            a.extend(d.args());
            list.push(json!({"job": job.id, "drive": d.id}));
            self.to_follow.push(job.clone());
            tokio::spawn(jobs::run(job, self.app.exe.clone(), plan.dir.clone(), a));
        }
        self.app.drives_changed.send_modify(|v| *v += 1);
        Ok(json!({"type": "jobs", "kind": "burn", "jobs": list}))
    }

    fn drive(&self, r: &Value) -> Result<super::drives::Drive, Error> {
        let id = string(r, "drive")?;
        self.app
            .drive(id)
            .ok_or_else(|| Error::new("not-found", format!("no drive {id}")))
    }

    /// The drive a request names, when no job holds it.
    fn free_drive(&self, r: &Value) -> Result<super::drives::Drive, Error> {
        let d = self.drive(r)?;
        if let Some(j) = self.app.jobs.lock().ok().and_then(|j| j.busy(&d.id)) {
            return Err(busy(&d.id, &j));
        }
        Ok(d)
    }

    fn start_job(
        &mut self,
        drive: &super::drives::Drive,
        kind: Kind,
        args: Vec<String>,
        files_in: Option<std::path::PathBuf>,
        detail: Value,
    ) -> Result<Value, Error> {
        let job = jobs_of(&self.app)?
            .start(&drive.id, kind, files_in.as_deref(), detail)
            .map_err(|j| busy(&drive.id, &j))?;
        let dir = match &job.files {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| Error::new("io", e.to_string()))?;
                dir.clone()
            }
            None => spool_of(&self.app)?.root().to_path_buf(),
        };
        self.to_follow.push(job.clone());
        let listed = job.listed();
        tokio::spawn(jobs::run(job, self.app.exe.clone(), dir, args));
        self.app.drives_changed.send_modify(|v| *v += 1);
        Ok(
            json!({"type": "jobs", "kind": listed.kind, "jobs": [{"job": listed.job, "drive": listed.drive}]}),
        )
    }

    /// Sends `job`'s messages after `after`, then each new one, until it
    /// ends.
    fn follow(&mut self, job: Arc<Job>, after: u64) {
        if let Some(old) = self.following.remove(&job.id) {
            old.abort();
        }
        let out = self.out.clone();
        let app = self.app.clone();
        let id = job.id.clone();
        let task = tokio::spawn(async move {
            let mut woken = job.subscribe();
            let mut next = after;
            loop {
                let (messages, ended) = job.after(next);
                for m in messages {
                    next += 1;
                    if out.send(Message::Text(m.to_string().into())).await.is_err() {
                        return;
                    }
                }
                if ended {
                    // The drive is free again: say so.
                    app.drives_changed.send_modify(|v| *v += 1);
                    return;
                }
                if woken.changed().await.is_err() {
                    return;
                }
            }
        });
        self.following.insert(id, task);
    }

    /// Runs a short command (`media`, `vdisc create`) for a request,
    /// replying with `shape` of its JSON output.
    fn spawn_command(
        &mut self,
        r: &Value,
        args: Vec<String>,
        shape: impl FnOnce(Value) -> Value + Send + 'static,
    ) -> Result<(), Error> {
        let app = self.app.clone();
        let out = self.out.clone();
        let id = r.get("id").cloned().unwrap_or(Value::Null);
        let dir = spool_of(&app)?.root().to_path_buf();
        tokio::spawn(async move {
            let result = command(&app, &dir, args).await.map(shape);
            send_reply(&out, &id, result).await;
        });
        Ok(())
    }
}

/// The spool, locked.
fn spool_of(app: &App) -> Result<std::sync::MutexGuard<'_, spool::Spool>, Error> {
    app.spool
        .lock()
        .map_err(|_| Error::new("io", "the spool is broken"))
}

/// The job list, locked.
fn jobs_of(app: &App) -> Result<std::sync::MutexGuard<'_, jobs::Jobs>, Error> {
    app.jobs
        .lock()
        .map_err(|_| Error::new("io", "the job list is broken"))
}

/// Job `id`.
fn find_job(app: &App, id: &str) -> Result<Arc<Job>, Error> {
    jobs_of(app)?
        .get(id)
        .ok_or_else(|| Error::new("not-found", format!("no job {id}")))
}

fn media_name(m: &str) -> &'static str {
    if m == "cd-rw" { "CD-RW" } else { "CD-R" }
}

fn busy(drive: &str, job: &Job) -> Error {
    Error::new(
        "busy",
        format!("{drive} is busy with job {} ({:?})", job.id, job.kind).to_lowercase(),
    )
    .with("job", job.id.clone())
    .with("drive", drive.to_string())
}

fn upload_number(r: &Value) -> Result<u64, Error> {
    let id = string(r, "upload")?;
    spool::parse_upload_id(id).ok_or_else(|| Error::new("not-found", format!("no upload {id}")))
}

async fn send_reply(out: &mpsc::Sender<Message>, id: &Value, result: Result<Value, Error>) {
    let v = match result {
        Ok(mut v) => {
            if !id.is_null() {
                v["reply"] = id.clone();
            }
            v
        }
        Err(e) => error_json(id, e),
    };
    let _ = out.send(Message::Text(v.to_string().into())).await;
}

/// An error reply: `{type: "error", code, message, …}`.
fn error_json(id: &Value, e: Error) -> Value {
    let mut v = json!({"type": "error", "code": e.code, "message": e.message});
    if let Some(o) = e.extra.as_object() {
        for (k, x) in o {
            v[k] = x.clone();
        }
    }
    if !id.is_null() {
        v["reply"] = id.clone();
    }
    v
}

/// Runs `rawburn ARGS` in `dir`, confined to it, for its JSON output.
async fn command(app: &App, dir: &std::path::Path, args: Vec<String>) -> Result<Value, Error> {
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        jobs::rawburn(&app.exe, dir, &args)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .map_err(|_| {
        Error::new(
            "timeout",
            format!("`rawburn {}` took longer than 2 minutes", args[0]),
        )
    })?
    .map_err(|e| Error::new("io", e.to_string()))?;
    if out.status.success() {
        let text = String::from_utf8_lossy(&out.stdout);
        return Ok(serde_json::from_str(&text).unwrap_or(Value::String(text.into_owned())));
    }
    let error = jobs::command_error(
        &String::from_utf8_lossy(&out.stderr),
        out.status.code().unwrap_or(1),
    );
    let headline = error["headline"].as_str().unwrap_or("failed").to_string();
    let mut e = Error::new("failed", headline).with("error", error);
    e.code = match args[0].as_str() {
        "toc" => "plan",
        _ => "failed",
    };
    Err(e)
}
