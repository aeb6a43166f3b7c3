//! The HTTP API of `newsidx serve`, through a real server on 127.0.0.1 (a free port it
//! picks and names on its first line of output) and a plain HTTP/1.1 client on a TCP
//! socket: every endpoint against the CLI's `--json` output, the shapes in
//! `tests/snapshots/` (the API's contract), hostile parameters, the access token, and
//! searches while an ingest commits.

use crate::util::{data_dir, sample, TestEnv, SPEC_ID, SPEC_QUERY};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A running `newsidx serve`, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    addr: String,
    stderr: std::thread::JoinHandle<String>,
}

impl Server {
    pub(crate) fn start(env: &TestEnv, extra: &[&str], envs: &[(&str, &str)]) -> Server {
        Server::try_start(env, extra, envs).unwrap_or_else(|e| panic!("{e}"))
    }

    fn try_start(env: &TestEnv, extra: &[&str], envs: &[(&str, &str)]) -> Result<Server, String> {
        let mut cmd = env.std_cmd();
        cmd.args([
            "serve",
            "--index",
            env.index.to_str().unwrap(),
            "--port",
            "0",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let mut err = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let Some(addr) = line.trim().strip_prefix("listening on http://") else {
            let _ = child.wait();
            let e = stderr.join().unwrap();
            return Err(format!(
                "no address on the first line ({line:?}); stderr: {e}"
            ));
        };
        Ok(Server {
            addr: addr.to_string(),
            child,
            stderr,
        })
    }

    /// The port, to reach a server bound to every address through loopback.
    fn port(&self) -> u16 {
        self.addr.rsplit(':').next().unwrap().parse().unwrap()
    }

    pub(crate) fn get(&self, path: &str) -> Response {
        http(&format!("127.0.0.1:{}", self.port()), "GET", path, &[])
    }

    pub(crate) fn json(&self, path: &str) -> Value {
        let r = self.get(path);
        assert_eq!(r.status, 200, "GET {path}: {r:?}");
        r.json()
    }

    /// Stops the server and returns what it wrote on stderr.
    pub(crate) fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let s = std::mem::replace(&mut self.stderr, std::thread::spawn(String::new));
        s.join().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) struct Response {
    pub(crate) status: u16,
    headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body = String::from_utf8_lossy(&self.body);
        let cut: String = body.chars().take(2000).collect();
        write!(f, "HTTP {} {:?}\n{cut}", self.status, self.headers)
    }
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }

    /// An error answer: its status and `error.code`, with the shape every error has.
    fn error(&self) -> (u16, String) {
        let v = self.json();
        let e = &v["error"];
        assert_eq!(e["status"], self.status, "{self:?}");
        for k in ["class", "code", "message"] {
            assert!(e[k].is_string(), "error without {k}: {self:?}");
        }
        (self.status, e["code"].as_str().unwrap().to_string())
    }
}

/// One request on its own connection. `target` is sent as it is (so tests can send
/// what a browser never would).
fn http(addr: &str, method: &str, target: &str, headers: &[(&str, &str)]) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end: {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let nl = b
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap().trim(), 16).unwrap();
        b = &b[nl + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[..size]);
        b = &b[size + 2..];
    }
}

/// The shared sample index, behind its own server.
pub(crate) fn sample_server() -> (Server, &'static TestEnv) {
    let env = &sample().env;
    (Server::start(env, &[], &[]), env)
}

pub(crate) fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The CLI's `--json` lines for a command on the sample index.
fn cli_lines(env: &TestEnv, args: &[&str]) -> Vec<Value> {
    let mut a = args.to_vec();
    a.extend(["--index", env.index.to_str().unwrap(), "--json"]);
    env.run(&a).success().json_lines()
}

#[test]
fn every_endpoint_answers_what_the_cli_prints() {
    let (srv, env) = sample_server();

    // Search with facets: the hits are the CLI's lines, the facets its last line.
    let q = enc(SPEC_QUERY);
    let http = srv.json(&format!("/api/search?q={q}&facets=true&limit=5&snippets=2"));
    let mut cli = cli_lines(
        env,
        &[
            "search",
            SPEC_QUERY,
            "--facets",
            "--limit",
            "5",
            "--snippets",
            "2",
        ],
    );
    let facets_line = cli.pop().unwrap();
    assert_eq!(http["hits"].as_array().unwrap(), &cli, "search hits");
    assert_eq!(facets_line["facets"], http["facets"]);
    assert_eq!(facets_line["total"], http["total"]);
    assert_eq!(http["hits"][0]["id"], SPEC_ID);
    assert_eq!(http["limit"], 5);

    // Filters as a user types them, repeated filters, paging and order.
    let path = "/api/search?q=china&country=taiwan&country=us&leader=xi&from=2017&to=2025-12&sort=newest&offset=1&limit=3&all=true";
    let cli = cli_lines(
        env,
        &[
            "search",
            "china",
            "--country",
            "taiwan",
            "--country",
            "us",
            "--leader",
            "xi",
            "--from",
            "2017",
            "--to",
            "2025-12",
            "--sort",
            "newest",
            "--offset",
            "1",
            "--limit",
            "3",
            "--all",
        ],
    );
    let http = srv.json(path);
    assert_eq!(http["hits"].as_array().unwrap(), &cli, "{path}");
    assert!(!cli.is_empty());

    // One article, by its URL-encoded id, and with raw slashes.
    let show = cli_lines(env, &["show", SPEC_ID]);
    assert_eq!(
        srv.json(&format!("/api/articles/{}", enc(SPEC_ID))),
        show[0]
    );
    assert_eq!(
        srv.json("/api/articles/specification/trump-xi-call.md%23seed"),
        show[0]
    );
    assert!(show[0]["body"].as_str().unwrap().len() > 1000);

    let similar = cli_lines(env, &["similar", SPEC_ID, "--limit", "3"]);
    let http = srv.json(&format!("/api/articles/{}/similar?limit=3", enc(SPEC_ID)));
    assert_eq!(http["hits"].as_array().unwrap(), &similar);
    assert_eq!(similar.len(), 3);

    let tl = cli_lines(
        env,
        &[
            "timeline",
            "trump",
            "--by",
            "year",
            "--split-by",
            "country",
            "--top",
            "2",
        ],
    );
    let http = srv.json("/api/timeline?q=trump&by=year&split_by=country&top=2");
    assert_eq!(http["periods"].as_array().unwrap(), &tl);
    assert!(http["undated"].is_u64());

    let tags = cli_lines(env, &["tags", "--kind", "source", "--limit", "3"]);
    let http = srv.json("/api/tags?kind=source&limit=3");
    assert_eq!(http["tags"].as_array().unwrap(), &tags);
    assert_eq!(http["articles"], 98);

    let stats = cli_lines(env, &["stats"]);
    assert_eq!(srv.json("/api/stats"), stats[0]);
    assert_eq!(srv.json("/healthz")["status"], "ok");

    // The CSV holds every full match, in the search's order.
    let all = srv.json("/api/search?q=china&limit=1000");
    let total = all["total"].as_u64().unwrap() as usize;
    assert!(total > 10, "{total}");
    let r = srv.get("/api/search.csv?q=china");
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    let mut rd = csv::Reader::from_reader(r.body.as_slice());
    let headers = rd.headers().unwrap().clone();
    assert_eq!(&headers[1], "id");
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), total);
    let ids: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    let want: Vec<&str> = all["hits"].as_array().unwrap()[..total]
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, want);
    let r = srv.get("/api/search.csv?q=china&limit=3");
    assert_eq!(
        csv::Reader::from_reader(r.body.as_slice())
            .records()
            .count(),
        3
    );

    let log = srv.stop();
    assert!(!log.contains("panic"), "{log}");
}

/// The shape of a JSON value: one line per path (`hits[].snippets[].start: number`),
/// with the types seen there.
fn shape(v: &Value) -> String {
    fn walk(
        v: &Value,
        path: &str,
        out: &mut std::collections::BTreeMap<String, BTreeSet<&'static str>>,
    ) {
        let t = match v {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(a) => {
                for x in a {
                    walk(x, &format!("{path}[]"), out);
                }
                "array"
            }
            Value::Object(o) => {
                for (k, x) in o {
                    // A timeline's split is keyed by tag values: data, not shape.
                    let k = if path.ends_with("split") { "*" } else { k };
                    let p = if path.is_empty() {
                        k.to_string()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(x, &p, out);
                }
                "object"
            }
        };
        out.entry(path.to_string()).or_default().insert(t);
    }
    let mut m = Default::default();
    walk(v, "", &mut m);
    m.iter()
        .filter(|(p, _)| !p.is_empty())
        .map(|(p, t)| format!("{p}: {}\n", t.iter().copied().collect::<Vec<_>>().join("|")))
        .collect()
}

/// Compares with `tests/snapshots/NAME`; `NEWSIDX_UPDATE_SNAPSHOTS=1` writes it instead.
fn snapshot(name: &str, got: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("NEWSIDX_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with NEWSIDX_UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(
        got, want,
        "{name}: the API's JSON shape changed (fields may be added, never renamed or dropped); if this is an addition, run with NEWSIDX_UPDATE_SNAPSHOTS=1"
    );
}

#[test]
fn response_shapes_are_the_documented_contract() {
    let (srv, _env) = sample_server();
    let q = enc(SPEC_QUERY);
    let id = enc(SPEC_ID);
    for (name, path) in [
        (
            "search.shape",
            format!("/api/search?q={q}&facets=true&limit=3"),
        ),
        ("article.shape", format!("/api/articles/{id}")),
        (
            "similar.shape",
            format!("/api/articles/{id}/similar?limit=3"),
        ),
        (
            "timeline.shape",
            "/api/timeline?q=trump&split_by=leader&top=2".to_string(),
        ),
        ("tags.shape", "/api/tags?q=trump".to_string()),
        (
            "tags-rare.shape",
            "/api/tags?rare=true&max_articles=2&limit=3".to_string(),
        ),
        ("stats.shape", "/api/stats".to_string()),
    ] {
        snapshot(name, &shape(&srv.json(&path)));
    }
    snapshot(
        "error.shape",
        &shape(&srv.get("/api/search?country=narnia").json()),
    );
}

#[test]
fn hostile_parameters_get_clear_answers_and_the_server_lives() {
    let (srv, _env) = sample_server();
    let huge = "taiwan%20".repeat(700);
    let cases: Vec<(String, u16, Option<&str>)> = vec![
        // Too long to be meant: a whole query string, or one value.
        (
            format!("/api/search?q={}", "a".repeat(20_000)),
            414,
            Some("query_too_long"),
        ),
        (
            format!("/api/search?q={huge}"),
            400,
            Some("invalid_parameter"),
        ),
        // Numbers: cut to the page cap, or refused when they are not numbers.
        ("/api/search?q=china&limit=1000000000000".into(), 200, None),
        (
            "/api/search?q=china&limit=100000000000000000000000".into(),
            400,
            Some("invalid_parameter"),
        ),
        (
            "/api/search?q=china&limit=-1".into(),
            400,
            Some("invalid_parameter"),
        ),
        (
            "/api/search?q=china&offset=1000000000000".into(),
            400,
            Some("invalid_parameter"),
        ),
        ("/api/search?q=china&offset=10000".into(), 200, None),
        (
            "/api/search?q=china&snippets=100000000&snippet_chars=100000000".into(),
            200,
            None,
        ),
        (
            "/api/search?q=china&all=maybe".into(),
            400,
            Some("invalid_parameter"),
        ),
        (
            "/api/search?q=china&sort=sideways".into(),
            400,
            Some("invalid_parameter"),
        ),
        // Dates and tags a user might mistype.
        (
            "/api/search?from=2017-13".into(),
            400,
            Some("invalid_parameter"),
        ),
        (
            "/api/search?to=yesterday".into(),
            400,
            Some("invalid_parameter"),
        ),
        (
            "/api/search?mentions=20190".into(),
            400,
            Some("invalid_parameter"),
        ),
        (
            "/api/timeline?from=2017-02-30".into(),
            400,
            Some("invalid_parameter"),
        ),
        (
            "/api/search?country=narnia".into(),
            400,
            Some("unknown_tag"),
        ),
        (
            "/api/tags?leader=nobody%20at%20all".into(),
            400,
            Some("unknown_tag"),
        ),
        (
            "/api/timeline?by=fortnight".into(),
            400,
            Some("invalid_parameter"),
        ),
        // Repeated and unknown parameters.
        ("/api/search?q=a&q=b".into(), 400, Some("invalid_parameter")),
        (
            "/api/search?q=china&contry=TW".into(),
            400,
            Some("invalid_parameter"),
        ),
        ("/api/stats?x=1".into(), 400, Some("invalid_parameter")),
        (
            "/api/search?q=china&country=CN&country=US&country=CN".into(),
            200,
            None,
        ),
        // Escapes that are not UTF-8, NULs, stray operators, deep nesting.
        ("/api/search?q=%FF%FE%C3%28".into(), 200, None),
        (
            "/api/search?q=%00%01%02&country=%FF".into(),
            400,
            Some("unknown_tag"),
        ),
        (
            "/api/search?q=%22%22%22%28%28%28-OR%20AND".into(),
            200,
            None,
        ),
        (format!("/api/search?q={}x", "%28".repeat(3000)), 200, None),
        (
            "/api/search?q=%ZZ&%%%=&&==".into(),
            400,
            Some("invalid_parameter"),
        ),
        // Ids that try to reach the file system, or do not decode.
        (
            "/api/articles/..%2F..%2F..%2Fetc%2Fpasswd".into(),
            404,
            Some("unknown_article"),
        ),
        ("/api/articles/../../etc/passwd".into(), 404, None),
        (
            "/api/articles/%2e%2e/%2e%2e/Cargo.toml".into(),
            404,
            Some("unknown_article"),
        ),
        (
            "/api/articles/%FF%FE".into(),
            400,
            Some("invalid_parameter"),
        ),
        (
            "/api/articles/nope/similar".into(),
            404,
            Some("unknown_article"),
        ),
        ("/api/articles/".into(), 404, Some("no_route")),
        ("/api/nothing".into(), 404, Some("no_route")),
        (
            "/api/search.csv?q=china&from=20x".into(),
            400,
            Some("invalid_parameter"),
        ),
    ];
    for (path, status, code) in &cases {
        let r = srv.get(path);
        assert_eq!(
            r.status,
            *status,
            "GET {}: {r:?}",
            &path[..path.len().min(200)]
        );
        if let Some(code) = code {
            assert_eq!(r.error().1, *code, "GET {path}");
        }
        assert!(
            r.header("content-security-policy")
                .is_some_and(|c| c.contains("default-src 'none'")),
            "no CSP on {path}: {r:?}"
        );
    }
    // A page is cut to the cap, and says so.
    let v = srv.json("/api/search?limit=1000000000000");
    assert_eq!(v["limit"], 1000);
    assert_eq!(v["hits"].as_array().unwrap().len(), 98);
    // Repeated filters are AND: China and the US, each article holds both.
    let v = srv.json("/api/search?country=china&country=US&limit=100");
    assert!(v["hits"].as_array().unwrap().iter().all(|h| {
        let c = h["countries"].to_string();
        c.contains("\"CN\"") && c.contains("\"US\"")
    }));
    // An unknown value names the closest known ones.
    let r = srv.get("/api/search?country=Taiwn");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Taiwan"),
        "{r:?}"
    );
    // Nothing writes: other methods are refused.
    for m in ["POST", "PUT", "DELETE"] {
        let r = http(&srv.addr, m, "/api/search?q=china", &[]);
        assert_eq!(r.status, 405, "{m}: {r:?}");
    }
    // Garbage instead of HTTP, then a request cut off: the server answers the next one.
    for junk in [
        &b"\x00\xff\xfe garbage\r\n\r\n"[..],
        b"GET /api/search?q=chi",
    ] {
        let mut s = TcpStream::connect(&srv.addr).unwrap();
        s.write_all(junk).unwrap();
        drop(s);
    }
    assert_eq!(srv.json("/healthz")["status"], "ok");
    assert_eq!(srv.json("/api/stats")["articles"], 98);
    let log = srv.stop();
    assert!(!log.contains("panic"), "{log}");
}

#[test]
fn other_addresses_need_a_token_compared_on_every_request() {
    let env = &sample().env;
    // No token: it will not start.
    let r = env
        .cmd()
        .args([
            "serve",
            "--index",
            env.index.to_str().unwrap(),
            "--bind",
            "0.0.0.0",
            "--port",
            "0",
        ])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("--token") && err.contains("NEWSIDX_TOKEN"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    // A token from the environment: requests must carry it (reached through loopback).
    let srv = Server::start(
        env,
        &["--bind", "0.0.0.0"],
        &[("NEWSIDX_TOKEN", "s3cret-token")],
    );
    assert!(srv.addr.starts_with("0.0.0.0:"), "{}", srv.addr);
    let addr = format!("127.0.0.1:{}", srv.port());
    let r = http(&addr, "GET", "/api/stats", &[]);
    assert_eq!(r.error(), (401, "unauthorized".to_string()));
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    for wrong in [
        "Bearer s3cret-toke",
        "Bearer s3cret-token-and-more",
        "Basic s3cret-token",
        "s3cret-token",
    ] {
        let r = http(
            &addr,
            "GET",
            "/api/search?q=china",
            &[("Authorization", wrong)],
        );
        assert_eq!(r.status, 401, "{wrong}: {r:?}");
    }
    let r = http(
        &addr,
        "GET",
        "/api/stats",
        &[("Authorization", "Bearer s3cret-token")],
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["articles"], 98);
    // The health check answers without it; an unknown route does not tell it exists.
    assert_eq!(http(&addr, "GET", "/healthz", &[]).status, 200);
    assert_eq!(http(&addr, "GET", "/api/nothing", &[]).status, 401);
    drop(srv);

    // Told explicitly, it serves without one.
    let srv = Server::start(env, &["--bind", "0.0.0.0", "--no-token"], &[]);
    assert_eq!(srv.get("/api/stats").status, 200);
}

#[test]
fn a_server_sees_each_commit_of_an_ingest_beside_it_and_answers_throughout() {
    let env = TestEnv::new();
    env.write(
        "first.txt",
        "Early story\n\nThe harbour reopened after the storm.",
    );
    env.ingest_ok();
    let started = Instant::now();
    let srv = Server::start(&env, &[], &[]);
    let startup = started.elapsed();
    assert!(startup < Duration::from_secs(5), "started in {startup:?}");

    const FILES: usize = 8;
    const PER_FILE: usize = 250;
    for f in 0..FILES {
        let mut lines = String::new();
        for i in 0..PER_FILE {
            let rec = serde_json::json!({
                "id": format!("{f}-{i}"),
                "title": format!("Harbour story {f} {i}"),
                "text": format!("The harbour authority met the fishermen about the quay and the nets, story {f} {i}, and agreed on the season's rules for the boats."),
                "date": "2017-02-07",
            });
            lines.push_str(&rec.to_string());
            lines.push('\n');
        }
        env.write(&format!("feed{f}.jsonl"), lines);
    }
    let mut ingest = env
        .std_cmd()
        .args([
            "ingest",
            env.corpus.to_str().unwrap(),
            "--index",
            env.index.to_str().unwrap(),
        ])
        .args(["--json", "--commit-every", "200"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    while ingest.try_wait().unwrap().is_none() && seen.len() < 2000 {
        let v = srv.json("/api/search?q=harbour&limit=1");
        let total = v["total"].as_u64().unwrap();
        // Every answer is a whole commit: never fewer than before.
        assert!(
            seen.last().is_none_or(|&t| total >= t),
            "{seen:?} then {total}"
        );
        seen.push(total);
    }
    assert!(ingest.wait().unwrap().success());
    let want = (FILES * PER_FILE + 1) as u64;
    // The reader follows the last commit without a restart.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let total = srv.json("/api/search?q=harbour&limit=1")["total"]
            .as_u64()
            .unwrap();
        if total == want {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server still sees {total} of {want}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(srv.json("/api/stats")["articles"], want);
    assert!(!seen.is_empty());
    let distinct: BTreeSet<u64> = seen.iter().copied().collect();
    println!(
        "{} searches during the ingest saw {} different totals; started in {startup:?}",
        seen.len(),
        distinct.len()
    );
}

#[test]
fn a_server_answers_from_the_new_index_after_a_rebuild_without_a_restart() {
    let env = TestEnv::new();
    env.write(
        "old.txt",
        "Harbour story\n\nThe harbour reopened after the storm.",
    );
    env.ingest_ok();
    let before = data_dir(&env.index);
    let srv = Server::start(&env, &[], &[]);
    assert_eq!(srv.json("/api/search?q=harbour")["total"], 1);

    // The archive changes and is ingested again from scratch: the rebuild writes a
    // new generation beside the old one and swaps the pointer.
    env.remove("old.txt");
    for i in 0..3 {
        env.write(
            &format!("new{i}.txt"),
            format!("Lighthouse story {i}\n\nThe lighthouse keeper lit the lamp, night {i}."),
        );
    }
    env.ingest(&["--rebuild"]).success();
    assert_ne!(
        data_dir(&env.index),
        before,
        "the rebuild made a new generation"
    );

    // The very next requests answer from the new index.
    let v = srv.json("/api/search?q=lighthouse");
    assert_eq!(v["total"], 3, "{v}");
    assert_eq!(srv.json("/api/search?q=harbour")["total"], 0);
    assert_eq!(srv.json("/api/stats")["articles"], 3);
    let id = v["hits"][0]["id"].as_str().unwrap().to_string();
    let a = srv.json(&format!("/api/articles/{}", enc(&id)));
    assert!(a["title"].as_str().unwrap().starts_with("Lighthouse story"));
    let log = srv.stop();
    assert!(!log.contains("error"), "{log}");
}

#[test]
fn limit_zero_answers_counts_and_facets_without_hits() {
    let (srv, env) = sample_server();
    let v = srv.json("/api/search?q=china&limit=0&facets=true");
    assert_eq!(v["hits"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["limit"], 0);
    let all = srv.json("/api/search?q=china&limit=1");
    assert!(all["total"].as_u64().unwrap() > 1);
    assert_eq!(v["total"], all["total"]);
    assert!(!v["facets"]["country"].as_array().unwrap().is_empty());
    // The CLI prints the same: no hit lines, then the facets line with the total.
    let cli = cli_lines(env, &["search", "china", "--limit", "0", "--facets"]);
    assert_eq!(cli.len(), 1, "{cli:?}");
    assert_eq!(cli[0]["facets"], v["facets"]);
    assert_eq!(cli[0]["total"], v["total"]);
    // Similar with limit=0 finds the article and lists nothing.
    let s = srv.json(&format!("/api/articles/{}/similar?limit=0", enc(SPEC_ID)));
    assert_eq!(s["hits"].as_array().unwrap().len(), 0);
}

#[test]
fn newsidx_index_is_the_default_index_and_an_empty_one_is_an_error() {
    let env = &sample().env;
    let elsewhere = tempfile::tempdir().unwrap();
    let idx = env.index.to_str().unwrap();
    let run = |envs: &[(&str, &str)], args: &[&str]| {
        let mut c = env.cmd();
        c.current_dir(elsewhere.path());
        for (k, v) in envs {
            c.env(k, v);
        }
        c.args(args).output().unwrap()
    };
    let r = run(&[("NEWSIDX_INDEX", idx)], &["stats", "--json"]);
    assert!(r.status.success(), "{r:?}");
    let v: Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["articles"], 98);
    // --index wins over the variable.
    let r = run(&[("NEWSIDX_INDEX", idx)], &["stats", "--index", "nowhere"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("nowhere: no index here"));
    // Set but empty: a mistake, said once, not the current folder.
    let r = run(&[("NEWSIDX_INDEX", "")], &["search", "china"]);
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("NEWSIDX_INDEX"),
        "{err}"
    );
    // The server takes it too.
    let mut c = env.std_cmd();
    let mut child = c
        .current_dir(elsewhere.path())
        .env("NEWSIDX_INDEX", idx)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("listening on http://127.0.0.1:"),
        "{line:?}"
    );
}

#[test]
fn completions_and_man_pages_come_from_the_flag_definitions() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = env.run(&["completions", shell]).success().stdout;
        for word in ["serve", "search", "snippet-chars", "country"] {
            assert!(out.contains(word), "{shell} completions lack {word}");
        }
    }
    // The bash script is valid bash and registers the completion.
    let script = env.run(&["completions", "bash"]).success().stdout;
    let path = env.root.join("newsidx.bash");
    std::fs::write(&path, script).unwrap();
    if let Ok(out) = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p newsidx", path.display()))
        .output()
    {
        assert!(out.status.success(), "{out:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("_newsidx"));
    }
    let page = env.run(&["man"]).success().stdout;
    assert!(page.contains(".TH newsidx 1"), "{page}");
    for cmd in ["ingest", "search", "serve", "completions", "man"] {
        assert!(page.contains(cmd), "the page lacks {cmd}");
    }
    let page = env.run(&["man", "search"]).success().stdout;
    assert!(page.contains(".TH newsidx-search 1"), "{page}");
    assert!(page.contains(r"\-\-snippet\-chars"), "{page}");
    assert!(page.contains("NEWSIDX_INDEX"), "{page}");
    let r = env.run(&["man", "nope"]).code(2);
    assert!(r.stderr.contains("no command 'nope'"), "{r:?}");
}
