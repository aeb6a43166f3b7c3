//! The HTTP API under load, beside the same searches in one process: what the server
//! adds to a search, and how many searches per second it answers.
//!
//!     cargo build --release && cargo run --release --example serve_bench -- \
//!         --index PATH [--bin target/release/newsidx] [--queries benches/queries.tsv] \
//!         [--clients 1,8,64] [--secs 8] [--ingest DIR]
//!
//! 1. In process: the index opened once, `service::search` over the query mix of
//!    `benches/queries.tsv` (defaults: 10 hits, one snippet), one thread (latency per
//!    search), then one thread per core for `--secs` (the throughput the cores allow).
//! 2. Over HTTP: `newsidx serve` started as its own process on a free loopback port;
//!    N clients (threads of this process, each on one keep-alive connection) send
//!    `GET /api/search` with the same queries for `--secs`; searches/s, p50 and p99.
//! 3. With `--ingest DIR`: `newsidx ingest DIR --index PATH` is started and 1 and 2 run
//!    again while it writes (DIR must be the archive the index was built from, with new
//!    files added).
//!
//! Prints one JSON object. The clients run on the same cores as the server: at 64
//! clients they take CPU the server would otherwise have.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use newsidx::index::NewsIndex;
use newsidx::service::{self, Params, SearchQuery};
use serde_json::json;

#[path = "common/bench_queries.rs"]
mod bench_queries;
use bench_queries::pct;

/// The binary's allocator, so the in-process figures compare like with like.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    index: PathBuf,
    #[arg(long, default_value = "target/release/newsidx")]
    bin: PathBuf,
    #[arg(long, default_value = "benches/queries.tsv")]
    queries: PathBuf,
    #[arg(long, default_value = "1,8,64", value_delimiter = ',')]
    clients: Vec<usize>,
    /// Seconds of each timed run (after one second of warm-up).
    #[arg(long, default_value_t = 8.0)]
    secs: f64,
    /// Rounds of the single-thread in-process run.
    #[arg(long, default_value_t = 10)]
    rounds: usize,
    /// An archive to ingest into the index during a second set of runs.
    #[arg(long)]
    ingest: Option<PathBuf>,
}

/// One query of the mix: its parameters, as the CLI flags in the file name them.
#[derive(Clone)]
struct Q {
    params: Vec<(String, String)>,
}

impl Q {
    fn search_query(&self) -> anyhow::Result<SearchQuery> {
        Ok(SearchQuery::from_params(Params::from_pairs(
            self.params.iter().map(|(k, v)| (k.as_str(), v.clone())),
        ))?)
    }
    fn url(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.params {
            s.append_pair(k, v);
        }
        format!("/api/search?{}", s.finish())
    }
}

fn summary(mut ms: Vec<f64>, secs: f64) -> serde_json::Value {
    ms.sort_by(f64::total_cmp);
    json!({
        "searches": ms.len(),
        "per_sec": ms.len() as f64 / secs,
        "p50_ms": pct(&ms, 50.0),
        "p99_ms": pct(&ms, 99.0),
        "mean_ms": ms.iter().sum::<f64>() / ms.len().max(1) as f64,
    })
}

/// The mix in one process: single-thread latency, then one thread per core.
fn in_process(
    idx: &Arc<NewsIndex>,
    qs: &[SearchQuery],
    a: &Args,
) -> anyhow::Result<serde_json::Value> {
    for q in qs {
        service::search(idx, q)?;
    }
    let mut ms = Vec::new();
    let t0 = Instant::now();
    for _ in 0..a.rounds {
        for q in qs {
            let t = Instant::now();
            std::hint::black_box(service::search(idx, q)?);
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    let one = summary(ms, t0.elapsed().as_secs_f64());
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (lat, secs) = load(cores, a.secs, |i, stop: &AtomicBool, out: &mut Vec<f64>| {
        let mut n = i;
        while !stop.load(Ordering::Relaxed) {
            let t = Instant::now();
            std::hint::black_box(service::search(idx, &qs[n % qs.len()]).ok());
            out.push(t.elapsed().as_secs_f64() * 1e3);
            n += 1;
        }
    });
    Ok(json!({"one_thread": one, "cores": cores, "all_cores": summary(lat, secs)}))
}

/// Runs `work` on `n` threads for one second of warm-up and `secs` timed; returns the
/// timed latencies.
fn load<F>(n: usize, secs: f64, work: F) -> (Vec<f64>, f64)
where
    F: Fn(usize, &AtomicBool, &mut Vec<f64>) + Sync,
{
    let stop = AtomicBool::new(false);
    let timed = AtomicBool::new(false);
    let start = std::sync::Mutex::new(None::<Instant>);
    let mut all = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (stop, timed, work) = (&stop, &timed, &work);
                s.spawn(move || {
                    // Warm-up: the same work until the timed part starts, not kept.
                    work(i, timed, &mut Vec::new());
                    let mut mine = Vec::new();
                    work(i, stop, &mut mine);
                    mine
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs(1));
        timed.store(true, Ordering::Relaxed);
        *start.lock().unwrap() = Some(Instant::now());
        std::thread::sleep(Duration::from_secs_f64(secs));
        stop.store(true, Ordering::Relaxed);
        for h in handles {
            all.extend(h.join().unwrap());
        }
    });
    let elapsed = start
        .lock()
        .unwrap()
        .map_or(secs, |t| t.elapsed().as_secs_f64());
    // The last request of each thread ended after the stop: count the window to then.
    (all, elapsed.max(secs))
}

/// One keep-alive connection.
struct Conn {
    r: BufReader<TcpStream>,
    w: TcpStream,
    host: String,
}

impl Conn {
    fn new(addr: &str) -> anyhow::Result<Conn> {
        let s = TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        Ok(Conn {
            r: BufReader::new(s.try_clone()?),
            w: s,
            host: addr.to_string(),
        })
    }

    fn get(&mut self, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        write!(self.w, "GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.host)?;
        let mut line = String::new();
        self.r.read_line(&mut line)?;
        let status: u16 = line.split(' ').nth(1).unwrap_or("0").parse()?;
        let mut len = 0usize;
        loop {
            line.clear();
            self.r.read_line(&mut line)?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse()?;
                }
            }
        }
        let mut body = vec![0; len];
        self.r.read_exact(&mut body)?;
        Ok((status, body))
    }
}

fn over_http(
    addr: &str,
    qs: &[Q],
    clients: &[usize],
    secs: f64,
) -> anyhow::Result<serde_json::Value> {
    let urls: Vec<String> = qs.iter().map(Q::url).collect();
    let failures = std::sync::atomic::AtomicUsize::new(0);
    let mut out = serde_json::Map::new();
    for &n in clients {
        let (lat, elapsed) = load(n, secs, |i, stop: &AtomicBool, out: &mut Vec<f64>| {
            let Ok(mut c) = Conn::new(addr) else {
                failures.fetch_add(1, Ordering::Relaxed);
                return;
            };
            let mut k = i;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                match c.get(&urls[k % urls.len()]) {
                    Ok((200, _)) => out.push(t.elapsed().as_secs_f64() * 1e3),
                    _ => {
                        failures.fetch_add(1, Ordering::Relaxed);
                        match Conn::new(addr) {
                            Ok(nc) => c = nc,
                            Err(_) => return,
                        }
                    }
                }
                k += 1;
            }
        });
        out.insert(format!("clients_{n}"), summary(lat, elapsed));
    }
    out.insert("failures".into(), json!(failures.load(Ordering::Relaxed)));
    Ok(serde_json::Value::Object(out))
}

struct Server(Child, String);

impl Server {
    fn start(bin: &PathBuf, index: &PathBuf) -> anyhow::Result<Server> {
        let t = Instant::now();
        let mut child = Command::new(bin)
            .args(["serve", "--port", "0", "--index"])
            .arg(index)
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| bin.display().to_string())?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .context("no address from the server")?
            .to_string();
        eprintln!(
            "server at {addr}, ready in {:.0} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
        Ok(Server(child, addr))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run_all(
    idx: &Arc<NewsIndex>,
    qs: &[Q],
    sq: &[SearchQuery],
    addr: &str,
    a: &Args,
) -> anyhow::Result<serde_json::Value> {
    let inproc = in_process(idx, sq, a)?;
    let http = over_http(addr, qs, &a.clients, a.secs)?;
    Ok(json!({"in_process": inproc, "http": http}))
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let qs: Vec<Q> = bench_queries::read_queries(&a.queries)?
        .into_iter()
        .map(|b| {
            let mut params = vec![("q".to_string(), b.query)];
            params.extend(b.flags);
            Q { params }
        })
        .collect();
    let idx = Arc::new(NewsIndex::open(&a.index)?);
    let sq: Vec<SearchQuery> = qs
        .iter()
        .map(Q::search_query)
        .collect::<anyhow::Result<_>>()?;
    let server = Server::start(&a.bin, &a.index)?;
    let articles = service::stats(&idx)?.articles;
    let quiet = run_all(&idx, &qs, &sq, &server.1, &a)?;
    let mut result =
        json!({"articles": articles, "queries": qs.len(), "secs": a.secs, "quiet": quiet});
    if let Some(dir) = &a.ingest {
        let t = Instant::now();
        let mut ingest = Command::new(&a.bin)
            .arg("ingest")
            .arg(dir)
            .arg("--index")
            .arg(&a.index)
            .arg("--json")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let during = run_all(&idx, &qs, &sq, &server.1, &a)?;
        let still_running = ingest.try_wait()?.is_none();
        let out = ingest.wait_with_output()?;
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        result["during_ingest"] = during;
        result["ingest"] = json!({
            "ran_throughout": still_running,
            "secs": t.elapsed().as_secs_f64(),
            "articles_added": summary["articles_added"],
        });
        // The reader reloads shortly after the last commit.
        let want = articles as u64 + summary["articles_added"].as_u64().unwrap_or(0);
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut after = service::stats(&idx)?.articles;
        while (after as u64) < want && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
            after = service::stats(&idx)?.articles;
        }
        result["articles_after"] = json!(after);
    }
    drop(server);
    println!("{result}");
    Ok(())
}
