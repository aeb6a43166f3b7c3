//! `newsidx serve`: the HTTP API over [`crate::service`]. Each route reads its
//! parameters into the service's request type, runs it on a blocking thread (tantivy
//! work never holds up the async workers), and answers with the response's JSON, the
//! same JSON `--json` prints. Errors answer `{"error": {"status", "class", "code",
//! "message"}}` with the status their class maps to.
//!
//! Safe by default: it binds to loopback; on any other address it wants an access
//! token; no route writes and no parameter names a file; every response carries a
//! strict Content-Security-Policy; query size, page size, request time and concurrent
//! work are bounded; a panic answers 500 and the server goes on.

use crate::error::{Error, ErrorClass};
use crate::index::NewsIndex;
use crate::search::Hit;
use crate::service::{self, Params, SearchQuery, SimilarQuery, TagsQuery, TimelineQuery};
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How a server is set up (the command line fills it in).
#[derive(Debug, Clone)]
pub struct Config {
    pub index: PathBuf,
    pub addr: SocketAddr,
    /// Requests must carry `Authorization: Bearer TOKEN`.
    pub token: Option<String>,
    pub limits: Limits,
}

/// Bounds on what one request may ask for and on the work in flight.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The longest URL query string, in bytes.
    pub max_query_bytes: usize,
    /// The largest page of hits (`limit` is cut to it, as `--limit` is).
    pub max_page: usize,
    pub max_snippets: usize,
    pub max_snippet_chars: usize,
    /// The furthest a page may start: deeper pages cost memory in proportion.
    pub max_offset: usize,
    /// Rows of `GET /api/search.csv`.
    pub max_csv_rows: usize,
    /// Searches running at once; more wait for a turn.
    pub concurrency: usize,
    /// Time for one request, waiting for a turn included; past it the answer is 503.
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_query_bytes: 16 * 1024,
            max_page: 1_000,
            max_offset: 10_000,
            max_snippets: 10,
            max_snippet_chars: 2_000,
            max_csv_rows: 10_000,
            concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            timeout: Duration::from_secs(10),
        }
    }
}

/// The opened index, held in one place: when a rebuild swaps in a new generation
/// (the `newsidx.json` pointer names another data folder), the next request opens it
/// and every later one answers from it.
struct IndexSlot {
    path: PathBuf,
    current: RwLock<Arc<NewsIndex>>,
}

impl IndexSlot {
    fn open(path: &std::path::Path) -> crate::error::Result<IndexSlot> {
        Ok(IndexSlot {
            path: path.to_path_buf(),
            current: RwLock::new(Arc::new(NewsIndex::open(path)?)),
        })
    }

    /// The index to answer from. Its reader follows an ingest's commits by itself; a
    /// rebuild's swap is seen here (one stat of the pointer file per request).
    fn get(&self) -> Arc<NewsIndex> {
        let idx = self
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if idx.is_current() {
            return idx;
        }
        let mut slot = self.current.write().unwrap_or_else(|e| e.into_inner());
        // Another request may have opened it while this one waited.
        if !slot.is_current() {
            match NewsIndex::open(&self.path) {
                Ok(new) => *slot = Arc::new(new),
                // The open index goes on answering (its files stay readable while it
                // holds them); the next request tries again.
                Err(e) => eprintln!(
                    "warning: the index changed but cannot be opened again yet: {}",
                    one_line(&e.to_string())
                ),
            }
        }
        slot.clone()
    }
}

#[derive(Clone)]
struct AppState {
    index: Arc<IndexSlot>,
    work: Arc<Semaphore>,
    limits: Arc<Limits>,
    /// blake3 hash of the token: compared in constant time, and of fixed length.
    token: Option<[u8; 32]>,
}

/// The Content-Security-Policy of every response: nothing from elsewhere, no inline
/// script or style, no framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Opens the index, binds, prints `listening on http://ADDR` as the first line of
/// stdout, and serves until Ctrl-C or SIGTERM.
pub fn run(cfg: Config) -> anyhow::Result<()> {
    let slot = Arc::new(IndexSlot::open(&cfg.index)?);
    for p in &slot.get().sources().problems {
        eprintln!("warning: {}", one_line(p));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .thread_name("newsidx-http")
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(cfg.addr).await.map_err(|e| {
            anyhow::anyhow!(
                "{}: cannot listen there ({e}); choose another --bind or --port",
                cfg.addr
            )
        })?;
        let addr = listener.local_addr()?;
        let state = AppState {
            index: slot,
            work: Arc::new(Semaphore::new(cfg.limits.concurrency.max(1))),
            limits: Arc::new(cfg.limits),
            token: cfg
                .token
                .as_deref()
                .map(|t| *blake3::hash(t.as_bytes()).as_bytes()),
        };
        let app = router(state);
        {
            use std::io::Write;
            let mut so = std::io::stdout().lock();
            writeln!(so, "listening on http://{addr}")?;
            so.flush()?;
        }
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown())
            .await?;
        Ok(())
    })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

fn router(state: AppState) -> Router {
    routes(Router::new(), state)
}

/// The routes and layers, after any of `base`'s own (tests add a route that panics).
fn routes(base: Router<AppState>, state: AppState) -> Router {
    use tower_http::set_header::SetResponseHeaderLayer;
    let app = base
        .route("/healthz", get(healthz))
        .route("/api/search", get(search))
        .route("/api/search.csv", get(search_csv))
        .route("/api/articles/{*rest}", get(article))
        .route("/api/timeline", get(timeline))
        .route("/api/tags", get(tags))
        .route("/api/stats", get(stats))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            authorise,
        ))
        // The web page (`GET /` and its files), added after the token's layer: the page
        // holds no data, and asks for the token itself when the API wants one.
        .merge(crate::web::routes())
        .with_state(state);
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::overriding(
            header::HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    app.layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(header("content-security-policy", CSP))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "no-referrer"))
        // The page's files say their own caching (revalidated by ETag); answers do not.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// The access token, when the server has one. `/healthz` answers without it (it
/// tells nothing but that the server runs).
async fn authorise(State(st): State<AppState>, req: Request, next: Next) -> Response {
    use subtle::ConstantTimeEq;
    let Some(want) = st.token else {
        return next.run(req).await;
    };
    if req.uri().path() == "/healthz" {
        return next.run(req).await;
    }
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| *blake3::hash(t.trim().as_bytes()).as_bytes());
    match given {
        Some(h) if bool::from(h.ct_eq(&want)) => next.run(req).await,
        _ => {
            let mut r = error_response(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "unauthorized",
                "this server wants an access token: send the header `Authorization: Bearer TOKEN`",
            );
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            r
        }
    }
}

fn panicked(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    // The panic hook has said what and where, on one line.
    drop(err);
    internal("internal fault; the server goes on (see its log)")
}

/// A panic anywhere in the server is one line on stderr (not tantivy's or std's
/// multi-line report), and the server goes on.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("unknown cause");
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("error: panic{at}: {}", one_line(msg));
    }));
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    status: u16,
    class: &'a str,
    code: &'a str,
    message: &'a str,
}

fn error_response(status: StatusCode, class: &str, code: &str, message: &str) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            status: status.as_u16(),
            class,
            code,
            message,
        },
    };
    json_response(status, &body)
}

fn internal(message: &str) -> Response {
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "internal",
        message,
    )
}

/// The HTTP status of each class of error.
pub fn status_of(class: ErrorClass) -> StatusCode {
    match class {
        ErrorClass::Invalid => StatusCode::BAD_REQUEST,
        ErrorClass::NotFound => StatusCode::NOT_FOUND,
        ErrorClass::Conflict => StatusCode::CONFLICT,
        ErrorClass::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorClass::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn service_error(e: &Error) -> Response {
    let class = e.class();
    let status = status_of(class);
    if class == ErrorClass::Internal {
        eprintln!("error: {}", one_line(&e.to_string()));
    }
    let class_name = match class {
        ErrorClass::Invalid => "invalid",
        ErrorClass::NotFound => "not_found",
        ErrorClass::Conflict => "conflict",
        ErrorClass::Unavailable => "unavailable",
        ErrorClass::Internal => "internal",
    };
    error_response(status, class_name, e.code(), &e.to_string())
}

fn json_response<T: Serialize>(status: StatusCode, v: &T) -> Response {
    match serde_json::to_vec(v) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => {
            eprintln!("error: cannot serialise a response: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal fault").into_response()
        }
    }
}

// The Err side is the answer itself, built once where the mistake is found.
#[allow(clippy::result_large_err)]
impl AppState {
    /// Runs `work` on a blocking thread once a turn is free, within the request time.
    async fn run<T, F>(&self, work: F) -> Response
    where
        T: Serialize + Send + 'static,
        F: FnOnce(&NewsIndex) -> Result<T, Error> + Send + 'static,
    {
        let index = self.index.clone();
        let sem = self.work.clone();
        let job = async move {
            // The turn is held by the blocking task: work that outlives its request's
            // time still counts against the limit until it ends.
            let permit = sem.acquire_owned().await;
            tokio::task::spawn_blocking(move || {
                let _permit = permit;
                let idx = index.get();
                work(&idx)
            })
            .await
        };
        match tokio::time::timeout(self.limits.timeout, job).await {
            Err(_) => error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "timeout",
                &format!(
                    "the request took longer than {} s (the server is busy, or the request is too broad); try again or narrow it",
                    self.limits.timeout.as_secs_f64()
                ),
            ),
            // The panic was logged by the hook.
            Ok(Err(_join)) => internal("internal fault; the server goes on (see its log)"),
            Ok(Ok(Err(e))) => service_error(&e),
            Ok(Ok(Ok(v))) => json_response(StatusCode::OK, &v),
        }
    }

    /// The URL query as parameters, refused when it is too long to be meant.
    fn params(&self, q: Option<String>) -> Result<Params, Response> {
        let q = q.unwrap_or_default();
        if q.len() > self.limits.max_query_bytes {
            return Err(error_response(
                StatusCode::URI_TOO_LONG,
                "invalid",
                "query_too_long",
                &format!(
                    "the query string is {} bytes; at most {}",
                    q.len(),
                    self.limits.max_query_bytes
                ),
            ));
        }
        Ok(Params::from_query(&q))
    }

    fn search_query(&self, p: Params, max_page: usize) -> Result<SearchQuery, Response> {
        let mut q = SearchQuery::from_params(p).map_err(|e| service_error(&e))?;
        let l = &self.limits;
        if q.offset > l.max_offset {
            return Err(service_error(&Error::invalid(
                "offset",
                format!(
                    "{} is past the deepest page served (offset at most {}); narrow the search",
                    q.offset, l.max_offset
                ),
            )));
        }
        q.limit = q.limit.min(max_page);
        q.snippets = q.snippets.min(l.max_snippets);
        q.snippet_chars = q.snippet_chars.min(l.max_snippet_chars);
        Ok(q)
    }
}

async fn healthz() -> Response {
    json_response(StatusCode::OK, &serde_json::json!({"status": "ok"}))
}

async fn not_found(uri: Uri) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "not_found",
        "no_route",
        &format!(
            "no such endpoint: {}; see /api/search, /api/articles/ID, /api/timeline, /api/tags, /api/stats",
            crate::service::params::shorten(uri.path())
        ),
    )
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

async fn search(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = tri!(st.params(q));
    let q = tri!(st.search_query(p, st.limits.max_page));
    st.run(move |idx| service::search(idx, &q)).await
}

async fn timeline(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = tri!(st.params(q));
    let q = tri!(TimelineQuery::from_params(p).map_err(|e| service_error(&e)));
    st.run(move |idx| service::timeline(idx, &q)).await
}

async fn tags(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = tri!(st.params(q));
    let mut q = tri!(TagsQuery::from_params(p).map_err(|e| service_error(&e)));
    q.limit = q.limit.min(st.limits.max_page);
    st.run(move |idx| service::tags(idx, &q)).await
}

async fn stats(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = tri!(st.params(q));
    tri!(p.finish(&[]).map_err(|e| service_error(&e)));
    st.run(service::stats).await
}

/// `/api/articles/{id}` and `/api/articles/{id}/similar`. Ids hold `/` and `#`: send
/// them percent-encoded (`specification%2Ftrump-xi-call.md%23seed`); a raw `/` works
/// too. Taken from the raw path, so a bad escape is a 400 of ours.
async fn article(State(st): State<AppState>, uri: Uri, RawQuery(q): RawQuery) -> Response {
    let raw = uri
        .path()
        .strip_prefix("/api/articles/")
        .unwrap_or_default();
    let (raw, similar) = match raw.strip_suffix("/similar") {
        Some(r) => (r, true),
        None => (raw, false),
    };
    let id = match percent_encoding::percent_decode_str(raw).decode_utf8() {
        Ok(id) => id.into_owned(),
        Err(_) => {
            return service_error(&Error::invalid(
                "id",
                "its percent-escapes do not decode to UTF-8",
            ))
        }
    };
    if id.is_empty() || id.len() > service::params::MAX_VALUE_BYTES {
        return service_error(&Error::invalid(
            "id",
            "give an article id (as in search hits)",
        ));
    }
    let p = tri!(st.params(q));
    if similar {
        let mut q = tri!(SimilarQuery::from_params(&id, p).map_err(|e| service_error(&e)));
        q.limit = q.limit.min(st.limits.max_page);
        st.run(move |idx| service::similar(idx, &q)).await
    } else {
        tri!(p.finish(&[]).map_err(|e| service_error(&e)));
        st.run(move |idx| service::article(idx, &id)).await
    }
}

/// Every full match (up to the CSV cap) as CSV, streamed page by page. Partial
/// matches are left out: a spreadsheet wants the articles that hold every word. The
/// best partial matches rank among the full ones, so pages go on by the entries
/// listed, not by the rows written.
async fn search_csv(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = tri!(st.params(q));
    // `limit` caps the rows; without it, every match up to the cap.
    let explicit = p.contains("limit");
    let cap = st.limits.max_csv_rows;
    let mut q = tri!(st.search_query(p, cap));
    let rows = if explicit { q.limit } else { cap };
    q.facets = false;
    let permit =
        match tokio::time::timeout(st.limits.timeout, st.work.clone().acquire_owned()).await {
            Ok(Ok(p)) => p,
            _ => {
                return error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "busy",
                    "the server is busy; try again",
                )
            }
        };
    let index = st.index.clone();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    // One index for every page, so they all come from one generation.
    let idx = index.get();
    // The first page runs before the answer starts, so a bad filter is a 400.
    let first = {
        let mut q1 = q.clone();
        q1.offset = 0;
        q1.limit = rows.min(CSV_PAGE);
        let idx = idx.clone();
        match tokio::task::spawn_blocking(move || service::search(&idx, &q1)).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return service_error(&e),
            Err(_) => return internal("internal fault; the server goes on (see its log)"),
        }
    };
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        // A bounded count says nothing of where the matches end: pages are read
        // until one comes back empty.
        let want = if first.total_is_lower_bound {
            rows
        } else {
            rows.min(first.total)
        };
        let mut sent = 0;
        let mut listed = 0;
        let mut asked = rows.min(CSV_PAGE);
        let mut page = first;
        let mut header = true;
        loop {
            let hits: Vec<&Hit> = page.hits.iter().filter(|h| !h.partial).collect();
            let take = hits.len().min(want - sent);
            let chunk = csv_rows(&hits[..take], header);
            header = false;
            sent += take;
            listed += page.hits.len();
            if tx.blocking_send(chunk).is_err() {
                return; // the client went away
            }
            // Done: enough rows, the last entry listed, or a page past the few partial
            // matches that rank among full ones without a full match (they all ended).
            let past_blend = page.hits.len() > crate::search::BLEND_DEPTH;
            if sent >= want || page.hits.len() < asked || (take == 0 && past_blend) {
                return;
            }
            let mut next = q.clone();
            next.offset = listed;
            // More than the blended partial matches, so that a page without a full
            // match says the full matches ended.
            asked = (want - sent).clamp(crate::search::BLEND_DEPTH + 1, CSV_PAGE);
            next.limit = asked;
            page = match service::search(&idx, &next) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("error: search.csv stopped: {}", one_line(&e.to_string()));
                    let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
                    return;
                }
            };
        }
    });
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"newsidx-search.csv\""),
    );
    (StatusCode::OK, headers, Body::from_stream(Chunks(rx))).into_response()
}

/// Hits per search while streaming CSV.
const CSV_PAGE: usize = 500;

/// The CSV columns: the hit's fields, tags joined with `; `, the first snippet.
pub const CSV_COLUMNS: [&str; 14] = [
    "rank",
    "id",
    "title",
    "published",
    "source",
    "url",
    "path",
    "record",
    "countries",
    "leaders",
    "orgs",
    "group",
    "similar",
    "snippet",
];

fn csv_rows(hits: &[&Hit], header: bool) -> Result<Bytes, std::io::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| std::io::Error::other(e.to_string());
    if header {
        w.write_record(CSV_COLUMNS).map_err(err)?;
    }
    for h in hits {
        w.write_record([
            h.rank.to_string(),
            h.id.clone(),
            h.title.clone(),
            h.published.clone().unwrap_or_default(),
            h.source.clone().unwrap_or_default(),
            h.url.clone().unwrap_or_default(),
            h.path.clone(),
            h.record.map(|r| r.to_string()).unwrap_or_default(),
            h.countries.join("; "),
            h.leaders.join("; "),
            h.orgs.join("; "),
            h.group.clone(),
            h.similar.to_string(),
            h.snippets
                .first()
                .map(|s| s.text.clone())
                .unwrap_or_default(),
        ])
        .map_err(err)?;
    }
    w.into_inner()
        .map(Bytes::from)
        .map_err(|e| std::io::Error::other(e.to_string()))
}

struct Chunks(tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl futures_core::Stream for Chunks {
    type Item = Result<Bytes, std::io::Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetch(addr: SocketAddr, path: &str) -> (u16, String) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let status = out[9..12].parse().unwrap();
        let body = out.split("\r\n\r\n").nth(1).unwrap_or_default().to_string();
        (status, body)
    }

    /// A panic in a handler, or in the blocking work it runs, answers 500 and frees its
    /// turn; the server goes on answering.
    #[test]
    fn a_panic_answers_500_and_the_server_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index");
        drop(NewsIndex::open_for_ingest(&path, dir.path(), false).unwrap());
        let state = AppState {
            index: Arc::new(IndexSlot::open(&path).unwrap()),
            work: Arc::new(Semaphore::new(2)),
            limits: Arc::new(Limits::default()),
            token: None,
        };
        async fn boom() -> Response {
            panic!("a handler fails")
        }
        async fn boom_blocking(State(st): State<AppState>) -> Response {
            st.run(|_| -> Result<(), Error> { panic!("blocking work fails") })
                .await
        }
        let base = Router::new()
            .route("/boom", get(boom))
            .route("/boom-blocking", get(boom_blocking));
        let app = routes(base, state);
        let rt = tokio::runtime::Runtime::new().unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        rt.spawn(async move { axum::serve(listener, app).await });
        // More failures than turns: each frees its turn.
        for path in [
            "/boom",
            "/boom-blocking",
            "/boom-blocking",
            "/boom-blocking",
            "/boom",
        ] {
            let (status, body) = fetch(addr, path);
            assert_eq!(status, 500, "{path}: {body}");
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["error"]["class"], "internal", "{body}");
        }
        let (status, body) = fetch(addr, "/api/stats");
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("\"articles\":0"), "{body}");
    }
}
