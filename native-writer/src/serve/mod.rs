//! `rawburn serve`: the local companion through which a page burns.
//!
//! It listens on loopback addresses only, serves the burn page at `/` and
//! a WebSocket at `/v1` (the wire format is in the README). Every request
//! passes [`guard`]; files arrive as uploads into the [`spool`]; each
//! drive operation is a [`jobs`] job running the `rawburn` command a user
//! would type, confined to what was uploaded, its events numbered and
//! kept so a page that reconnects misses none.

mod conn;
mod drives;
mod guard;
mod jobs;
mod spool;

use crate::error::{CliError, ExitKind};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use drives::Drive;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The port `rawburn serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 7867;
/// The largest WebSocket message (and frame): a 4 MiB upload chunk with
/// its header, or a sheet.
pub const MAX_MESSAGE: usize = (4 << 20) + 16;
/// WebSocket connections at most.
pub const MAX_CONNECTIONS: usize = 16;
/// The protocol's version, in `hello`.
pub const PROTOCOL_VERSION: u32 = 1;

/// What `rawburn serve` was asked.
#[derive(Debug, Clone)]
pub struct ServeArgs {
    /// The port (0: any free one).
    pub port: u16,
    /// Addresses to listen on (loopback only; empty: 127.0.0.1 and ::1).
    pub addresses: Vec<IpAddr>,
    /// Open the page in the default browser.
    pub open: bool,
    /// Virtual recorders' disc files.
    pub virtual_discs: Vec<PathBuf>,
    /// Further origins allowed to open the WebSocket.
    pub allow_origins: Vec<String>,
    /// Stop after this long with no page and no job (zero: never).
    pub idle_timeout: Duration,
    /// The state directory.
    pub state_dir: Option<PathBuf>,
}

/// The burn page, embedded in the binary; served at `/burn/`, and at `/`
/// when the binary was built without the editor.
#[derive(rust_embed::Embed)]
#[folder = "page/"]
struct Page;

/// The disc editor (`web/`, built by Vite into `web/dist`), embedded when it
/// was built before the binary; served at `/`.
#[derive(rust_embed::Embed)]
#[folder = "../web/dist/"]
#[allow_missing = true]
struct Editor;

/// The companion's shared state.
pub struct App {
    hosts: Vec<String>,
    origins: Vec<String>,
    sessions: guard::Sessions,
    exe: PathBuf,
    spool: Mutex<spool::Spool>,
    drives: Mutex<Vec<Drive>>,
    /// Bumped when the drive list changes.
    drives_changed: watch::Sender<u64>,
    /// Why no USB drive is listed, when the listing failed.
    usb_problem: Mutex<Option<String>>,
    jobs: Mutex<jobs::Jobs>,
    connections: AtomicUsize,
    last_active: Mutex<Instant>,
    /// True once the companion is stopping: connections close.
    stopping: watch::Sender<bool>,
}

impl App {
    fn drive(&self, id: &str) -> Option<Drive> {
        self.drives
            .lock()
            .ok()
            .and_then(|d| d.iter().find(|d| d.id == id).cloned())
    }

    /// The drives as the page sees them, each with the job it runs.
    fn drive_list(&self) -> serde_json::Value {
        let list = self.drives.lock().map(|d| d.clone()).unwrap_or_default();
        let jobs = self.jobs.lock().ok();
        serde_json::Value::Array(
            list.into_iter()
                .map(|d| {
                    let mut v = d.description.clone();
                    if let Some(o) = v.as_object_mut() {
                        o.insert("id".into(), d.id.clone().into());
                        let job = jobs
                            .as_ref()
                            .and_then(|j| j.busy(&d.id))
                            .map(|j| j.id.clone());
                        o.insert("job".into(), job.into());
                    }
                    v
                })
                .collect(),
        )
    }

    fn touch(&self) {
        if let Ok(mut t) = self.last_active.lock() {
            *t = Instant::now();
        }
    }
}

/// `rawburn serve`.
///
/// ## Errors
///
/// [`ExitKind::Usage`] for an address that is not loopback or an origin
/// that is not one; [`ExitKind::Output`] when the state directory or spool
/// cannot be made or the port cannot be bound.
pub fn serve(args: ServeArgs) -> Result<(), CliError> {
    let addresses = if args.addresses.is_empty() {
        vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ]
    } else {
        args.addresses.clone()
    };
    if let Some(a) = addresses.iter().find(|a| !a.is_loopback()) {
        return Err(CliError::new(
            ExitKind::Usage,
            format!("refused to listen on {a}: the companion listens on this machine only (127.0.0.1 or ::1)"),
        )
        .caused_by("a page on another machine could otherwise reach the burner"));
    }
    for o in &args.allow_origins {
        if !valid_origin(o) {
            return Err(CliError::new(
                ExitKind::Usage,
                format!(
                    "--allow-origin {o}: an origin is scheme://host[:port], as https://editor.example"
                ),
            ));
        }
    }
    let state = state_dir(args.state_dir.clone())?;
    let spool = spool::Spool::create(&state).map_err(|e| {
        CliError::new(
            ExitKind::Output,
            format!("cannot make the spool in {}", state.display()),
        )
        .caused_by(e)
    })?;
    // A second Ctrl-C ends the process at once: the spool goes with it.
    let _spool_guard = crate::signal::Unfinished::new(spool.root());
    let exe = std::env::current_exe().map_err(|e| {
        CliError::new(ExitKind::Output, "cannot find the rawburn program").caused_by(e)
    })?;
    let listeners = bind(&addresses, args.port, args.addresses.is_empty())?;
    let port = listeners
        .first()
        .and_then(|l| l.local_addr().ok())
        .map_or(args.port, |a| a.port());
    let sessions = guard::Sessions::new(port)
        .map_err(|e| CliError::new(ExitKind::Output, "cannot make a token").caused_by(e))?;
    let mut origins = guard::own_origins(port);
    origins.extend(args.allow_origins.iter().cloned());
    let (drives_changed, _) = watch::channel(0);
    let (stopping, _) = watch::channel(false);
    let app = Arc::new(App {
        hosts: guard::hosts(port),
        origins,
        sessions,
        exe,
        spool: Mutex::new(spool),
        drives: Mutex::new(Vec::new()),
        drives_changed,
        usb_problem: Mutex::new(None),
        jobs: Mutex::new(jobs::Jobs::default()),
        connections: AtomicUsize::new(0),
        last_active: Mutex::new(Instant::now()),
        stopping,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::new(ExitKind::Output, "cannot start the server").caused_by(e))?;
    let result = runtime.block_on(run(app.clone(), listeners, args, state));
    if let Ok(spool) = app.spool.lock() {
        spool.remove();
    }
    result
}

/// An origin as a browser sends it: scheme, host and maybe port.
fn valid_origin(o: &str) -> bool {
    let Some((scheme, rest)) = o.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains('/')
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
}

/// The state directory, made private.
fn state_dir(given: Option<PathBuf>) -> Result<PathBuf, CliError> {
    let dir = given
        .or_else(|| std::env::var_os("XDG_STATE_HOME").map(|d| PathBuf::from(d).join("rawburn")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state/rawburn")))
        .ok_or_else(|| {
            CliError::new(
                ExitKind::Usage,
                "no state directory: set HOME or XDG_STATE_HOME, or give --state-dir",
            )
        })?;
    std::fs::create_dir_all(&dir).map_err(|e| {
        CliError::new(ExitKind::Output, format!("cannot make {}", dir.display())).caused_by(e)
    })?;
    // Absolute: jobs run in directories of their own, and are given paths
    // under it (`--within`, the default virtual disc).
    dir.canonicalize().map_err(|e| {
        CliError::new(ExitKind::Output, format!("cannot find {}", dir.display())).caused_by(e)
    })
}

/// Binds `port` on every address (the first one picks it when 0). With the
/// default addresses, a machine without IPv6 is served on 127.0.0.1 alone.
fn bind(
    addresses: &[IpAddr],
    port: u16,
    defaults: bool,
) -> Result<Vec<std::net::TcpListener>, CliError> {
    let mut listeners: Vec<std::net::TcpListener> = Vec::new();
    for a in addresses {
        let port = listeners
            .first()
            .and_then(|l| l.local_addr().ok())
            .map_or(port, |l| l.port());
        match std::net::TcpListener::bind(SocketAddr::new(*a, port)) {
            Ok(l) => {
                l.set_nonblocking(true)
                    .map_err(|e| CliError::new(ExitKind::Output, "cannot listen").caused_by(e))?;
                listeners.push(l);
            }
            Err(e) if defaults && a.is_ipv6() && !listeners.is_empty() => {
                eprintln!("warning: not listening on [::1]:{port}: {e}");
            }
            Err(e) => {
                let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                    "another program (another rawburn serve?) uses the port: stop it, or give --port"
                } else {
                    "give another --port or --address"
                };
                return Err(CliError::new(
                    ExitKind::Output,
                    format!("cannot listen on {}", SocketAddr::new(*a, port)),
                )
                .caused_by(e)
                .caused_by(hint));
            }
        }
    }
    Ok(listeners)
}

async fn run(
    app: Arc<App>,
    listeners: Vec<std::net::TcpListener>,
    args: ServeArgs,
    state: PathBuf,
) -> Result<(), CliError> {
    // The drives: the virtual recorders asked for; else the USB burners,
    // and a virtual recorder in the state directory when there is none.
    let mut discs = args.virtual_discs.clone();
    let watch_usb = discs.is_empty();
    let mut usb = Vec::new();
    if watch_usb {
        let problem = match drives::usb_drives(&app.exe).await {
            Ok((list, note)) => {
                usb = list;
                note
            }
            Err(why) => Some(why),
        };
        if let Ok(mut p) = app.usb_problem.lock() {
            *p = problem;
        }
        if !usb.iter().any(|d| d.description["usable"] == true) {
            discs.push(state.join("virtual.vdisc"));
        }
    }
    for d in discs.iter_mut() {
        if !d.exists() {
            crate::drive_cmd::create(d, vdrive::MediaKind::CdR, 80, false)?;
        }
        // Absolute, for jobs, which run in directories of their own.
        *d = d.canonicalize().map_err(|e| {
            CliError::new(ExitKind::Output, format!("cannot find {}", d.display())).caused_by(e)
        })?;
    }
    let virtuals = drives::virtual_drives(&discs);
    if let Ok(mut list) = app.drives.lock() {
        *list = virtuals.iter().cloned().chain(usb).collect();
    }

    let router = router(app.clone());
    let mut servers = Vec::new();
    let mut shown = Vec::new();
    for l in listeners {
        let local = l.local_addr().ok();
        let l = tokio::net::TcpListener::from_std(l)
            .map_err(|e| CliError::new(ExitKind::Output, "cannot listen").caused_by(e))?;
        if let Some(a) = local {
            shown.push(a.to_string());
        }
        let mut stop = app.stopping.subscribe();
        let router = router.clone();
        // Events and acknowledgements are small: sent at once, not held
        // back for more (Nagle's algorithm would delay them by up to
        // 40 ms).
        use axum::serve::ListenerExt;
        let l = l.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        servers.push(tokio::spawn(async move {
            let _ = axum::serve(l, router)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await;
        }));
    }
    let port = shown
        .first()
        .and_then(|a| a.rsplit(':').next())
        .unwrap_or("0")
        .to_string();
    let url = format!(
        "http://127.0.0.1:{port}/#token={}",
        app.sessions.token().unwrap_or_default()
    );
    println!("{url}");
    {
        use std::io::Write;
        let _ = std::io::stdout().flush();
    }
    let drive_names: Vec<String> = app
        .drives
        .lock()
        .map(|d| {
            d.iter()
                .map(|d| {
                    format!(
                        "{} ({})",
                        d.id,
                        d.description["label"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    eprintln!(
        "rawburn serve: listening on {}; drives: {}",
        shown.join(" and "),
        drive_names.join(", ")
    );
    eprintln!("open the address above in a browser on this machine (it works once); Ctrl-C stops");
    if args.open {
        open_browser(&url);
    }

    if watch_usb {
        tokio::spawn(poll_usb(app.clone(), virtuals));
    }

    let reason = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if crate::signal::stop_requested() {
            break "stopping";
        }
        let idle = app.connections.load(Ordering::SeqCst) == 0
            && app
                .jobs
                .lock()
                .map(|j| j.running().is_empty())
                .unwrap_or(true)
            && app
                .last_active
                .lock()
                .map(|t| t.elapsed())
                .unwrap_or_default()
                >= args.idle_timeout;
        if !args.idle_timeout.is_zero() && idle {
            break "idle: stopping";
        }
    };
    let running = app.jobs.lock().map(|j| j.running()).unwrap_or_default();
    if !running.is_empty() {
        eprintln!(
            "rawburn serve: {reason}; stopping {} job(s) at a safe point first",
            running.len()
        );
    } else {
        eprintln!("rawburn serve: {reason}");
    }
    for j in &running {
        j.cancel();
    }
    while app
        .jobs
        .lock()
        .map(|j| !j.running().is_empty())
        .unwrap_or(false)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.stopping.send_replace(true);
    for s in servers {
        let _ = tokio::time::timeout(Duration::from_secs(5), s).await;
    }
    if crate::signal::stop_requested() {
        return Err(CliError::new(ExitKind::Cancelled, "rawburn serve stopped"));
    }
    Ok(())
}

/// Looks for USB burners every 3 seconds and announces a change.
async fn poll_usb(app: Arc<App>, virtuals: Vec<Drive>) {
    let mut stopping = app.stopping.subscribe();
    loop {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(3)) => {}
            () = stopped(&mut stopping) => return,
        }
        if app.connections.load(Ordering::SeqCst) == 0 {
            continue;
        }
        let (usb, problem) = match drives::usb_drives(&app.exe).await {
            Ok((list, note)) => (list, note),
            Err(why) => (Vec::new(), Some(why)),
        };
        let Ok(mut list) = app.drives.lock() else {
            return;
        };
        // A drive busy with a job keeps its entry: the listing cannot open it.
        let busy: Vec<Drive> = list
            .iter()
            .filter(|d| !d.is_virtual())
            .filter(|d| app.jobs.lock().is_ok_and(|j| j.busy(&d.id).is_some()))
            .cloned()
            .collect();
        let mut next: Vec<Drive> = virtuals.clone();
        for d in usb {
            if let Some(b) = busy.iter().find(|b| b.id == d.id) {
                next.push(b.clone());
            } else {
                next.push(d);
            }
        }
        for b in busy {
            if !next.iter().any(|d| d.id == b.id) {
                next.push(b);
            }
        }
        if let Ok(mut p) = app.usb_problem.lock() {
            *p = problem;
        }
        if *list != next {
            *list = next;
            drop(list);
            app.drives_changed.send_modify(|v| *v += 1);
        }
    }
}

/// Resolves once the companion is stopping.
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|s| *s).await;
}

fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    if let Err(e) = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("warning: cannot open a browser ({program}: {e}); open the address by hand");
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/v1", get(conn::upgrade))
        .route("/v1/session", post(new_session).get(has_session))
        .route("/v1/files/{job}/{name}", get(download))
        .fallback(get(asset))
        .layer(middleware::from_fn_with_state(app.clone(), guard_layer))
        .with_state(app)
}

/// Every request: the `Host` checked first; every response: the security
/// headers, and never a CORS header.
async fn guard_layer(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let mut response = match guard::check_host(request.headers(), &app.hosts) {
        Ok(()) => next.run(request).await,
        Err(r) => refuse(&r),
    };
    guard::security_headers(response.headers_mut());
    response
}

fn refuse(r: &guard::Refusal) -> Response {
    (StatusCode::FORBIDDEN, r.message()).into_response()
}

/// `POST /v1/session` with the token as its body: a session cookie.
async fn new_session(State(app): State<Arc<App>>, headers: HeaderMap, body: String) -> Response {
    if let Err(r) = guard::check_origin(&headers, &app.origins) {
        return refuse(&r);
    }
    let token = body.trim();
    let token = serde_json::from_str::<serde_json::Value>(token)
        .ok()
        .and_then(|v| v.get("token").and_then(|t| t.as_str()).map(str::to_string))
        .unwrap_or_else(|| token.to_string());
    match app.sessions.exchange(&token) {
        Ok(session) => {
            app.touch();
            let mut r = StatusCode::NO_CONTENT.into_response();
            r.headers_mut()
                .insert(header::SET_COOKIE, app.sessions.set_cookie(&session));
            r
        }
        Err(r) => refuse(&r),
    }
}

/// `GET /v1/session`: 204 when the request holds a session, else 401.
async fn has_session(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    match app.sessions.check(&headers) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => (StatusCode::UNAUTHORIZED, r.message()).into_response(),
    }
}

/// `GET /v1/files/JOB/NAME`: a file a read job wrote.
async fn download(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    UrlPath((job, name)): UrlPath<(String, String)>,
) -> Response {
    if let Err(r) = app.sessions.check(&headers) {
        return refuse(&r);
    }
    let not_found = || (StatusCode::NOT_FOUND, "no such file").into_response();
    if spool::check_name(&name).is_err() || name.contains('/') {
        return not_found();
    }
    let Some(dir) = app
        .jobs
        .lock()
        .ok()
        .and_then(|j| j.get(&job))
        .filter(|j| j.state() == jobs::State::Done)
        .and_then(|j| j.files.clone())
    else {
        return not_found();
    };
    let Ok(file) = tokio::fs::File::open(dir.join(&name)).await else {
        return not_found();
    };
    let len = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    app.touch();
    let mut r = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(file, 1 << 20))
        .into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// Whether the editor was built into this binary.
pub fn has_editor() -> bool {
    Editor::get("index.html").is_some()
}

/// The pages' files: the editor at `/` (the burn page when there is no
/// editor), the burn page at `/burn/`.
async fn asset(request: Request) -> Response {
    let path = request.uri().path().trim_start_matches('/');
    let file = match path.strip_prefix("burn") {
        Some("") => return Redirect::permanent("/burn/").into_response(),
        Some(rest) if rest.starts_with('/') => page_file(&rest[1..]),
        _ if has_editor() => Editor::get(if path.is_empty() { "index.html" } else { path }),
        _ => page_file(path),
    };
    let Some(file) = file else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let shown = if path.is_empty() || path.ends_with('/') {
        "index.html"
    } else {
        path
    };
    let kind = match shown.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    let mut r = Body::from(file.data.into_owned()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    r
}

fn page_file(path: &str) -> Option<rust_embed::EmbeddedFile> {
    Page::get(if path.is_empty() { "index.html" } else { path })
}
