//! Readers that never lose good records, never block, stop when asked, and keep
//! memory bounded by configuration, through the real binary:
//!
//! - a stray NUL (or other control bytes) costs neither a file nor a record, in any
//!   format, while real binary files are still refused from their first bytes;
//! - FIFOs, sockets and devices never block a run, not even one put in a file's place
//!   after the walk; Ctrl-C stops within a second and commits what was read;
//! - over-long bodies are cut with a warning (`--max-body-bytes`), `--threads` is
//!   capped, and peak memory stays under a bound whatever the input.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{Run, TestEnv};

/// An article long enough to be a real one.
fn prose(topic: &str, n: usize) -> String {
    format!(
        "The {topic} committee met in the capital on Tuesday and agreed a new plan for the {topic} sector. \
         Officials said record {n} would be reviewed next year."
    )
}

/// `show ID --json` of one article.
fn show(env: &TestEnv, id: &str) -> Value {
    env.run(&["show", id, "--index", env.index.to_str().unwrap(), "--json"])
        .success()
        .json()
}

/// Every article id in the index (a search with no words lists them all).
fn all_ids(env: &TestEnv) -> Vec<String> {
    let mut ids = env.ids("", &["--limit", "10000", "--all"]);
    ids.sort();
    ids
}

// ---------------------------------------------------------------------------------
// 8. A stray NUL makes one record bad, not the file; binary files are still refused.
// ---------------------------------------------------------------------------------

#[test]
fn control_bytes_in_a_record_cost_neither_the_file_nor_the_record() {
    let env = TestEnv::new();
    // A CSV like the news-2017 set, a NUL in row 1 (line 2) and other control bytes
    // (BEL, ESC, DEL) in row 3 (line 4).
    let mut csv = b"article_id,title,text\n".to_vec();
    for i in 1..=300 {
        let body = match i {
            1 => "Zebu herders \u{0}gathered at the market.".to_string(),
            3 => "Quagga \u{7}sightings \u{1b}[31mrose\u{7f} again.".to_string(),
            _ => prose("fisheries", i),
        };
        csv.extend_from_slice(format!("{i},Row {i},\"{body}\"\n").as_bytes());
    }
    env.write("table.csv", &csv);
    // JSON lines: a raw NUL inside a string (invalid JSON as written) on line 1, a
    // raw BEL on line 3.
    env.write(
        "feed.jsonl",
        b"{\"title\": \"Okapi \x00census\", \"text\": \"The okapi count grew.\"}\n\
{\"title\": \"Plain\", \"text\": \"Nothing odd here.\"}\n\
{\"title\": \"Tapir\", \"text\": \"Tapir \x07trails were mapped.\"}\n\
{\"title\": \"Escaped\", \"text\": \"Gecko \\u0000eggs \\u001b[2Jhatched.\"}\n",
    );
    // Whole-file formats: text, Markdown, JSON.
    env.write(
        "nul.txt",
        b"Narwhal pod\n\nA narwhal \x00pod was seen \x01\x02 off the coast.\n",
    );
    env.write(
        "page.md",
        b"---\ntitle: Ibex climb\n---\nThe ibex\x00 climbed the dam wall.\n",
    );
    env.write(
        "one.json",
        b"{\"title\": \"Saiga return\", \"text\": \"Saiga \x00herds returned \x1b to the steppe.\"}",
    );

    let r = env.ingest(&[]).success();
    let report = r.json();
    assert_eq!(report["files_failed"], 0, "{r:?}");
    assert_eq!(report["articles_added"], 300 + 4 + 3, "{r:?}");
    for (rel, line) in [
        ("table.csv", Some(2)),
        ("table.csv", Some(4)),
        ("feed.jsonl", Some(1)),
        ("feed.jsonl", Some(3)),
        ("feed.jsonl", Some(4)),
        ("nul.txt", Some(3)),
        ("page.md", Some(4)),
        ("one.json", Some(1)),
    ] {
        let l = r.problem("warning", rel, line);
        assert!(l.contains("control character"), "{l}");
    }
    assert!(!r.stderr.contains("binary"), "{r:?}");

    // The damaged records are searchable, and hold no control character.
    for (query, id) in [
        ("zebu herders", "table.csv#1"),
        ("quagga sightings", "table.csv#3"),
        ("okapi", "feed.jsonl#1"),
        ("tapir trails", "feed.jsonl#3"),
        ("gecko eggs", "feed.jsonl#4"),
        ("narwhal", "nul.txt"),
        ("ibex", "page.md"),
        ("saiga herds", "one.json"),
    ] {
        assert_eq!(env.ids(query, &[]), [id], "search {query:?}");
        let a = show(&env, id);
        let text = format!("{}{}", a["title"], a["body"]);
        assert!(
            !text.contains("\\u0000") && !text.contains("\\u001b") && !text.contains("\\u0007"),
            "{id}: {text}"
        );
    }
    assert_eq!(
        show(&env, "table.csv#1")["body"],
        "Zebu herders gathered at the market."
    );
}

/// A minimal real PNG: signature, IHDR, IDAT (a stored zlib stream), IEND.
fn png_bytes() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc_in = kind.to_vec();
        crc_in.extend_from_slice(data);
        out.extend_from_slice(&crc_in);
        out.extend_from_slice(&crc32(&crc_in).to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    // 1×1, 8-bit greyscale.
    chunk(&mut png, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
    // zlib: header, one stored block of the scanline [filter 0, pixel 0], adler32.
    chunk(
        &mut png,
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x02, 0x00, 0xFD, 0xFF, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
        ],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

/// A real gzip file of `text` (one stored deflate block).
fn gzip_bytes(text: &[u8]) -> Vec<u8> {
    let mut gz = vec![0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF];
    gz.push(0x01);
    let len = text.len() as u16;
    gz.extend_from_slice(&len.to_le_bytes());
    gz.extend_from_slice(&(!len).to_le_bytes());
    gz.extend_from_slice(text);
    gz.extend_from_slice(&crc32(text).to_le_bytes());
    gz.extend_from_slice(&(text.len() as u32).to_le_bytes());
    gz
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn real_binary_files_are_still_refused_from_their_first_bytes() {
    let env = TestEnv::new();
    env.write(
        "good.txt",
        "Gazelle migration\n\nThe gazelle herd moved north.",
    );
    env.write("logo.txt", png_bytes());
    let csv = b"title,text\nHidden,This row is inside a gzip file.\n";
    env.write("export.csv", gzip_bytes(csv));
    // A PDF is mostly ASCII: only its magic number gives it away.
    env.write(
        "report.txt",
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
         2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    );
    // A huge streamed file is refused from its head without being read: 4 GB, sparse,
    // with a zip header.
    let big = env.write("dump.jsonl", b"PK\x03\x04\x14\x00\x00\x00\x08\x00");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();

    let started = Instant::now();
    let r = env.ingest(&[]).code(1); // the binary files are reported
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}: the big binary file was read",
        started.elapsed()
    );
    for (rel, kind) in [
        ("logo.txt", "binary file (PNG image)"),
        ("export.csv", "binary file (gzip archive)"),
        ("report.txt", "binary file (PDF document)"),
        ("dump.jsonl", "binary file (zip archive"),
    ] {
        let l = r.problem("error", rel, None);
        assert!(l.contains(kind), "{l}");
    }
    let report = r.json();
    assert_eq!(report["files_failed"], 4, "{r:?}");
    assert_eq!(report["articles_added"], 1, "{r:?}");
    assert_eq!(all_ids(&env), ["good.txt"]);
}

// ---------------------------------------------------------------------------------
// 14. No special file blocks a run; Ctrl-C stops within a second.
// ---------------------------------------------------------------------------------

#[cfg(target_os = "linux")]
fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

/// `ingest --json EXTRA` in the background.
fn spawn_ingest(env: &TestEnv, extra: &[&str]) -> Child {
    env.std_cmd()
        .args([
            "ingest",
            env.corpus.to_str().unwrap(),
            "--index",
            env.index.to_str().unwrap(),
            "--json",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for the child (killing it after `limit`, which fails the test).
fn finish(child: Child, limit: Duration, what: &str) -> Run {
    let pid = child.id();
    let started = Instant::now();
    let waiter = std::thread::spawn(move || child.wait_with_output().unwrap());
    while !waiter.is_finished() {
        if started.elapsed() > limit {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            let out = waiter.join().unwrap();
            panic!(
                "{what}: still running after {limit:?} (blocked?)\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Run::from_output(&[what], waiter.join().unwrap())
}

/// Whether process `pid`, or a process it started, has a file open whose path ends
/// with `name` (commands that open an index run in a forked child; see guard.rs).
#[cfg(target_os = "linux")]
fn has_open(pid: u32, name: &str) -> bool {
    let open_in = |pid: u32| {
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            return false;
        };
        fds.flatten().any(|fd| {
            std::fs::read_link(fd.path()).is_ok_and(|t| t.to_string_lossy().ends_with(name))
        })
    };
    process_tree(pid).into_iter().any(open_in)
}

/// Polls until `pid` has `name` open; panics after 60 s.
#[cfg(target_os = "linux")]
fn wait_until_open(pid: u32, name: &str) {
    let started = Instant::now();
    while !has_open(pid, name) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the ingest never opened {name}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A JSON Lines file of `n` short articles.
fn feed(n: usize, topic: &str) -> String {
    (1..=n)
        .map(|i| {
            format!(
                "{{\"id\": {i}, \"title\": \"{topic} {i}\", \"text\": \"{}\"}}\n",
                prose(topic, i)
            )
        })
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn fifos_sockets_and_devices_never_block_a_run() {
    let env = TestEnv::new();
    env.write(
        "good.txt",
        "Gazelle migration\n\nThe gazelle herd moved north.",
    );
    mkfifo(&env.corpus.join("pipe.txt"));
    let _sock = std::os::unix::net::UnixListener::bind(env.corpus.join("sock.jsonl")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", env.corpus.join("zero.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/tty", env.corpus.join("tty.md")).unwrap();
    let r = finish(spawn_ingest(&env, &[]), Duration::from_secs(60), "ingest");
    assert_eq!(r.code, Some(0), "{r:?}");
    for rel in ["pipe.txt", "sock.jsonl", "zero.csv", "tty.md"] {
        let l = r.problem("warning", rel, None);
        assert!(l.contains("not a regular file"), "{l}");
    }
    assert_eq!(all_ids(&env), ["good.txt"]);
}

/// The walk found regular files; before the reader reaches them, one is replaced
/// by a FIFO and a link is re-pointed at a device. The ingest is made to read a big
/// first file (`a.jsonl`) so there is time: the swap happens once the reader has
/// it open (so the walk is over) and is checked to be done while it still has it
/// open (so the swapped files are not read yet: files are read in walk order).
#[cfg(target_os = "linux")]
#[test]
fn a_file_replaced_by_a_fifo_after_the_walk_is_skipped_not_waited_on() {
    let env = TestEnv::new();
    let outside = env.root.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    env.write("a.jsonl", feed(3000, "harbour"));
    env.write("b.txt", "Bison count\n\nThe bison count rose.");
    std::fs::write(outside.join("real.md"), "# Lynx\n\nA lynx was seen.").unwrap();
    std::os::unix::fs::symlink(outside.join("real.md"), env.corpus.join("c.md")).unwrap();
    env.write("d.txt", "Dingo pack\n\nA dingo pack was counted.");

    let child = spawn_ingest(&env, &["--threads", "1"]);
    let pid = child.id();
    wait_until_open(pid, "/a.jsonl");
    let fifo = env.root.join("fifo.tmp");
    mkfifo(&fifo);
    std::fs::rename(&fifo, env.corpus.join("b.txt")).unwrap();
    std::fs::remove_file(env.corpus.join("c.md")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", env.corpus.join("c.md")).unwrap();
    assert!(
        has_open(pid, "/a.jsonl"),
        "the reader finished a.jsonl before the swap: make it bigger"
    );

    let r = finish(child, Duration::from_secs(90), "ingest");
    assert_eq!(r.code, Some(1), "the two files are reported: {r:?}");
    for rel in ["b.txt", "c.md"] {
        let l = r.problem("error", rel, None);
        assert!(l.contains("not a regular file"), "{l}");
    }
    let ids = all_ids(&env);
    assert_eq!(
        ids.len(),
        3000 + 1,
        "{:?}",
        &ids[ids.len().saturating_sub(3)..]
    );
    assert!(ids.contains(&"d.txt".to_string()));
}

/// Reads `pid`'s exit within `limit` after a SIGINT; returns the run and the time.
#[cfg(target_os = "linux")]
fn interrupt(child: Child, limit: Duration) -> (Run, Duration) {
    let pid = child.id();
    let sent = Instant::now();
    assert!(Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap()
        .success());
    let r = finish(
        child,
        limit.max(Duration::from_secs(30)),
        "ingest (interrupted)",
    );
    (r, sent.elapsed())
}

#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_in_the_middle_of_a_big_file_stops_within_a_second_and_commits() {
    let env = TestEnv::new();
    for i in 0..20 {
        env.write(
            &format!("early/{i:02}.txt"),
            format!("Early story {i}\n\n{}", prose("early", i)),
        );
    }
    // Big enough that the run is still reading it when the signal comes.
    env.write("z-big.jsonl", feed(30_000, "harbour"));
    let total = 20 + 30_000;

    let child = spawn_ingest(&env, &[]);
    let pid = child.id();
    wait_until_open(pid, "/z-big.jsonl");
    // A release build reads and indexes the whole file in about a third of a second.
    std::thread::sleep(Duration::from_millis(if cfg!(debug_assertions) {
        300
    } else {
        30
    }));
    let (r, took) = interrupt(child, Duration::from_secs(1));
    eprintln!("Ctrl-C to exit: {took:?}");
    assert_eq!(r.code, Some(130), "{r:?}");
    assert_eq!(r.json()["interrupted"], true, "{r:?}");
    assert!(
        took < Duration::from_secs(1),
        "took {took:?} to stop after Ctrl-C"
    );
    assert!(
        !r.stderr.contains("error"),
        "a stop is not an error:\n{r:?}"
    );
    // What was read is in (no periodic commit happened: the stop committed it).
    let committed = env.article_count();
    assert!(committed >= 20, "only {committed} articles committed");
    assert!(committed < total as u64);

    // The next run finishes the work exactly.
    env.ingest(&[]).success();
    assert_eq!(env.article_count(), total as u64);
}

// ---------------------------------------------------------------------------------
// 17. Memory follows configuration, not the input.
// ---------------------------------------------------------------------------------

/// Runs `ingest --json EXTRA` to the end and returns it with the peak resident memory
/// in MB of its processes (VmHWM, read from /proc while it runs).
#[cfg(target_os = "linux")]
fn ingest_peak_mb(env: &TestEnv, extra: &[&str]) -> (Run, f64) {
    let mut child = spawn_ingest(env, extra);
    let pid = child.id();
    // Read the pipes on threads so a full pipe never stalls the child.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut so, &mut v).unwrap();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut se, &mut v).unwrap();
        v
    });
    // The peak is read from /proc (VmHWM of the process and its children, polled until
    // it ends), not from the child's resource usage: a child forked from this test
    // process would count this process's own memory at the fork, and the tests share
    // one process.
    let mut peak_kb = 0u64;
    let status = loop {
        for p in process_tree(pid) {
            let status = std::fs::read_to_string(format!("/proc/{p}/status")).unwrap_or_default();
            if let Some(kb) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let run = Run {
        args: format!("ingest {}", extra.join(" ")),
        code: status.code(),
        stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
    };
    (run, peak_kb as f64 / 1024.0)
}

/// `pid` and every process below it.
#[cfg(target_os = "linux")]
fn process_tree(pid: u32) -> Vec<u32> {
    let mut all = vec![];
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        all.push(p);
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else {
            continue;
        };
        for t in tasks.flatten() {
            let children = std::fs::read_to_string(t.path().join("children")).unwrap_or_default();
            todo.extend(
                children
                    .split_whitespace()
                    .filter_map(|c| c.parse::<u32>().ok()),
            );
        }
    }
    all
}

/// The writer's memory for these runs, in MB: the bound below counts it in full.
const WRITER_MB: &str = "64";

#[cfg(target_os = "linux")]
#[test]
fn huge_bodies_are_cut_with_a_warning_and_memory_stays_bounded() {
    let env = TestEnv::new();
    let mib = 1 << 20;
    // Four 24 MiB bodies in text files (the case had four 61 MB ones), a CSV
    // with a 40 MiB cell, a JSON line with a 12 MiB body.
    let word_soup = |n: usize| "ocean current ".repeat(n / 14 + 1)[..n].to_string();
    for i in 0..4 {
        env.write(
            &format!("long-{i}.txt"),
            format!("Long read {i}\n\nWalrus {}", word_soup(24 * mib)),
        );
    }
    env.write(
        "table.csv",
        format!(
            "id,title,text,date\n1,Short row,A short row.,2017-02-07\n2,Huge row,\"Manatee {}\",2017-02-08\n3,After,After the huge row.,2017-02-09\n",
            word_soup(40 * mib)
        ),
    );
    env.write(
        "feed.jsonl",
        format!(
            "{{\"title\": \"Huge line\", \"text\": \"Dugong {}\"}}\n{{\"title\": \"Next\", \"text\": \"Next line.\"}}\n",
            word_soup(12 * mib)
        ),
    );
    let (r, peak) = ingest_peak_mb(&env, &["--writer-memory", WRITER_MB]);
    assert_eq!(r.code, Some(0), "{r:?}");
    eprintln!("huge bodies: peak RSS {peak:.0} MB");
    for i in 0..4 {
        let l = r.problem("warning", &format!("long-{i}.txt"), None);
        let expected = format!(
            "body is {} bytes, over the 1048576-byte limit; cut to",
            "Walrus ".len() + 24 * mib
        );
        assert!(l.contains(&expected), "{l}");
        assert!(l.contains("--max-body-bytes"), "{l}");
    }
    let l = r.problem("warning", "table.csv", Some(3));
    assert!(l.contains("over the 1048576-byte limit; cut"), "{l}");
    let l = r.problem("warning", "feed.jsonl", Some(1));
    assert!(l.contains("body is"), "{l}");
    assert_eq!(r.json()["articles_added"], 4 + 3 + 2, "{r:?}");
    // Cut bodies are whole words under the limit; the rows after the cut cell keep
    // their own fields.
    let body = show(&env, "long-0.txt")["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        body.len() <= mib && body.len() > mib - 1024,
        "{}",
        body.len()
    );
    let last = body.rsplit(' ').next().unwrap();
    assert!(body.starts_with("Walrus ocean current"), "{}", &body[..40]);
    assert!(
        last == "ocean" || last == "current",
        "cut inside a word: {last:?}"
    );
    let huge = show(&env, "table.csv#2");
    assert!(huge["body"].as_str().unwrap().len() <= mib);
    assert_eq!(huge["published"], "2017-02-08", "{huge}");
    assert_eq!(show(&env, "table.csv#3")["body"], "After the huge row.");
    // Input 152 MiB of bodies; the bound: the writer's 64 MB, 64 MiB of articles in
    // flight, one whole file being read (24 MiB, a few copies), and the program.
    assert!(peak < 400.0, "peak RSS {peak:.0} MB");

    // The limit is a flag.
    let env2 = TestEnv::new();
    env2.write(
        "long.txt",
        format!("Long read\n\nWalrus {}", word_soup(3 * mib)),
    );
    let (r, _) = ingest_peak_mb(&env2, &["--max-body-bytes", "4000000"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(!r.stderr.contains("cut"), "{r:?}");
    assert!(show(&env2, "long.txt")["body"].as_str().unwrap().len() > 3 * mib);
}

#[cfg(target_os = "linux")]
#[test]
fn threads_are_capped_with_one_warning_and_memory_stays_bounded() {
    let env = TestEnv::new();
    env.write("feed.jsonl", feed(2000, "harbour"));
    for threads in ["1000", "100000"] {
        let env_i = TestEnv::new();
        std::fs::copy(
            env.corpus.join("feed.jsonl"),
            env_i.corpus.join("feed.jsonl"),
        )
        .unwrap();
        // The writer's memory is its own configured bound (`--writer-memory`, by
        // default a sixteenth of RAM); held small here so the peak measures the threads.
        let (r, peak) = ingest_peak_mb(&env_i, &["--threads", threads, "--writer-memory", "64"]);
        assert_eq!(r.code, Some(0), "{r:?}");
        eprintln!("--threads {threads}: peak RSS {peak:.0} MB");
        let warnings: Vec<&str> = r
            .stderr_lines()
            .into_iter()
            .filter(|l| l.contains("--threads"))
            .collect();
        assert_eq!(warnings.len(), 1, "{r:?}");
        assert!(
            warnings[0].starts_with(&format!("warning: --threads {threads} is more than")),
            "{}",
            warnings[0]
        );
        assert!(warnings[0].contains("using "), "{}", warnings[0]);
        assert_eq!(r.json()["articles_added"], 2000, "{r:?}");
        // Capped enrichers, a 64 MB writer and the 64 MiB budget in flight.
        assert!(peak < 300.0, "--threads {threads}: peak RSS {peak:.0} MB");
    }
}
