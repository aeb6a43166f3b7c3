//! `newsidx enrich` as a streaming filter and the enriched record through the real
//! binary: files and standard input (JSON Lines, a gzip web archive, Markdown) give
//! the same records; a bad record is one line on stderr naming the line and the rest
//! goes on (exit 1); records come out while the input is still being written, and a
//! long stream does not grow memory; `ingest --enriched` of those records gives an
//! index whose every article `show --json` prints as ingesting the originals does,
//! and follows changes to the record files as any other ingest.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::TestEnv;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// One WARC 1.1 response record holding an HTTP response.
fn response(uri: &str, date: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut http = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    http.extend_from_slice(body);
    let mut r = format!(
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{uri}-{date}>\r\n\
         WARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\n\
         Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        http.len()
    )
    .into_bytes();
    r.extend_from_slice(&http);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn page(title: &str, date: &str, paragraph: &str) -> Vec<u8> {
    let mut p = format!(
        "<html><head><title>{title}</title>\
         <meta property=\"article:published_time\" content=\"{date}\"></head><body><article><h1>{title}</h1>"
    );
    for _ in 0..5 {
        p.push_str(&format!("<p>{paragraph}</p>"));
    }
    p.push_str("</article></body></html>");
    p.into_bytes()
}

/// A crawl of two article pages, gzip per record.
fn crawl() -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(gzip(&response(
        "https://news.example/2019/talks",
        "2019-08-21T01:00:00Z",
        "text/html; charset=utf-8",
        &page(
            "Merkel and Macron meet in Berlin on the EU budget",
            "2019-08-20",
            "German Chancellor Angela Merkel met French President Emmanuel Macron in Berlin \
             on Tuesday to talk about the European Union budget and NATO spending, officials \
             in Paris and Berlin said after the talks ended late in the evening.",
        ),
    )));
    out.extend(gzip(&response(
        "https://news.example/2019/floods",
        "2019-08-22T01:00:00Z",
        "text/html; charset=utf-8",
        &page(
            "Floods in Kerala leave thousands without homes",
            "2019-08-21",
            "Floods in the Indian state of Kerala have left thousands of people without \
             homes, the United Nations said on Wednesday, as rescue teams from New Delhi \
             reached villages cut off by the water since last week.",
        ),
    )));
    out
}

const FEED: &str = concat!(
    r#"{"id": "a1", "title": "Xi and Trump talk trade", "date": "2017-04-06", "source": "Wire", "body": "Chinese President Xi Jinping met US President Donald Trump in Florida on Thursday to talk about trade and North Korea, the White House said, and the two leaders agreed to meet again in Beijing later this year after a dinner that ran late into the night at the resort."}"#,
    "\n{oops\n",
    r#"{"id": "a3", "headline": "Brexit talks open in Brussels", "published": "2017-06-19", "author": "Jane Doe", "text": "British Prime Minister Theresa May's government opened talks with the European Union in Brussels on Monday, a year after the United Kingdom voted to leave; the talks will run until March 2019."}"#,
    "\n",
);

/// A small archive: a JSON Lines feed with one bad line, a web archive, a Markdown file.
fn archive(env: &TestEnv) {
    env.write("feeds/wire.jsonl", FEED);
    env.write("crawl/pages.warc.gz", crawl());
    env.write(
        "notes/summit.md",
        "---\ntitle: G20 leaders gather in Hamburg\ndate: 2017-07-07\n---\n\nLeaders of the G20 \
         met in Hamburg on Friday; German Chancellor Angela Merkel said the talks on climate \
         would be hard, and Russian President Vladimir Putin met Trump for the first time.\n",
    );
}

fn lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// `newsidx ARGS` with `input` on standard input.
fn piped(env: &TestEnv, args: &[&str], input: &[u8]) -> crate::util::Run {
    let out = env
        .cmd()
        .args(args)
        .write_stdin(input.to_vec())
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    crate::util::Run::from_output(args, out)
}

#[test]
fn records_from_files_and_from_standard_input_are_the_same() {
    let env = TestEnv::new();
    archive(&env);
    let c = |rel: &str| env.corpus.join(rel).to_str().unwrap().to_string();
    let corpus = env.corpus.to_str().unwrap();
    let (feed, warc, md) = (
        c("feeds/wire.jsonl"),
        c("crawl/pages.warc.gz"),
        c("notes/summit.md"),
    );
    let r = env
        .run(&["enrich", "--records", "--root", corpus, &feed, &warc, &md])
        .code(1);
    // The bad line is named, with the file under the folder given, and skipped.
    let line = r.problem("error", "feeds/wire.jsonl", Some(2));
    assert!(line.contains("invalid JSON"), "{line}");
    let records = lines(&r.stdout);
    let ids: Vec<&str> = records.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "feeds/wire.jsonl#a1",
            "feeds/wire.jsonl#a3",
            "crawl/pages.warc.gz#https://news.example/2019/talks@2019-08-21T01:00:00Z",
            "crawl/pages.warc.gz#https://news.example/2019/floods@2019-08-22T01:00:00Z",
            "notes/summit.md",
        ],
        "{r:?}"
    );
    for v in &records {
        assert_eq!(v["newsidx_record"], 1, "{v}");
        for field in [
            "id",
            "path",
            "record",
            "title",
            "subtitle",
            "body",
            "published",
            "published_from",
            "date_raw",
            "url",
            "source",
            "authors",
            "countries",
            "leaders",
            "orgs",
            "dates",
            "minhash",
        ] {
            assert!(v.get(field).is_some(), "no {field} in {v}");
        }
    }
    let a1 = &records[0];
    assert_eq!(a1["published"], "2017-04-06");
    assert_eq!(a1["record"], 1);
    let codes: Vec<&str> = a1["countries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"CN") && codes.contains(&"US"), "{codes:?}");
    assert_eq!(a1["minhash"].as_array().unwrap().len(), 64);
    assert_eq!(records[1]["authors"], serde_json::json!(["Jane Doe"]));
    assert!(records[4]["minhash"].is_null() || records[4]["minhash"].is_array());
    let orgs: Vec<&str> = records[4]["orgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(orgs, ["G20"]);

    // The same bytes on standard input, named as the file: the same records, whether
    // the format is given or told from the first bytes (gzip and all).
    let by_id = |recs: &[Value], prefix: &str| -> Vec<Value> {
        recs.iter()
            .filter(|v| v["id"].as_str().unwrap().starts_with(prefix))
            .cloned()
            .collect()
    };
    let input = std::fs::read(&feed).unwrap();
    for format in [None, Some("ndjson")] {
        let mut args = vec!["enrich", "-", "--records", "--name", "feeds/wire.jsonl"];
        if let Some(f) = format {
            args.extend(["--format", f]);
        }
        let r = piped(&env, &args, &input).code(1);
        r.problem("error", "feeds/wire.jsonl", Some(2));
        assert_eq!(lines(&r.stdout), by_id(&records, "feeds/"), "{r:?}");
    }
    let r = piped(
        &env,
        &["enrich", "-", "--records", "--name", "crawl/pages.warc.gz"],
        &std::fs::read(&warc).unwrap(),
    )
    .success();
    assert_eq!(lines(&r.stdout), by_id(&records, "crawl/"), "{r:?}");
    let r = piped(
        &env,
        &[
            "enrich",
            "-",
            "--records",
            "--name",
            "notes/summit.md",
            "--format",
            "markdown",
        ],
        &std::fs::read(&md).unwrap(),
    )
    .success();
    assert_eq!(lines(&r.stdout), by_id(&records, "notes/"), "{r:?}");

    // Without --root a file is named by its file name, as `enrich FILE` always did;
    // --json keeps its shape.
    let r = env.run(&["enrich", &md, "--json"]).success();
    let v = r.json();
    assert_eq!(v["id"], "summit.md");
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "countries",
            "dates",
            "id",
            "leaders",
            "orgs",
            "published",
            "published_from",
            "title"
        ]
    );
    // Text that cannot be told apart (CSV or plain text) asks for --format.
    let r = piped(&env, &["enrich", "-", "--records"], b"title,body\nA,B\n").code(1);
    let line = r.problem("error", "stdin", None);
    assert!(line.contains("give --format"), "{line}");
    let r = piped(
        &env,
        &["enrich", "-", "--records", "--format", "csv"],
        b"title,body\nHarbour reopens,The harbour in Oslo reopened.\n",
    )
    .success();
    assert_eq!(lines(&r.stdout)[0]["id"], "stdin#1");
}

/// Each record is written as soon as its article is read: a consumer (a Spark task)
/// sees the first before the input ends.
#[test]
fn records_come_out_before_the_input_ends() {
    let env = TestEnv::new();
    let mut child = env
        .std_cmd()
        .args(["enrich", "-", "--records", "--format", "ndjson"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let feed: Vec<&str> = FEED.lines().collect();
    writeln!(stdin, "{}", feed[0]).unwrap();
    stdin.flush().unwrap();
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let v: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(v["id"], "stdin#a1");
    writeln!(stdin, "{}", feed[2]).unwrap();
    drop(stdin);
    let mut second = String::new();
    out.read_line(&mut second).unwrap();
    let v: Value = serde_json::from_str(&second).unwrap();
    assert_eq!(v["id"], "stdin#a3");
    assert!(child.wait().unwrap().success());
}

/// A long web-archive stream (200 MiB, mostly records that are not pages) passes in
/// bounded memory: the peak resident size grows by little once the first article is
/// out, whatever follows.
#[test]
fn a_long_stream_passes_in_bounded_memory() {
    let env = TestEnv::new();
    let mut child = env
        .std_cmd()
        .args(["enrich", "-", "--records"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let peak_kb = || {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()?
            .lines()
            .find(|l| l.starts_with("VmHWM:"))?
            .split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()
    };
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let image = response(
        "https://news.example/big.png",
        "2019-08-21T01:00:00Z",
        "image/png",
        &vec![b'x'; 1 << 20],
    );
    let article = |uri: &str| {
        response(
            uri,
            "2019-08-21T01:00:00Z",
            "text/html; charset=utf-8",
            &page(
                "Merkel and Macron meet in Berlin",
                "2019-08-20",
                "German Chancellor Angela Merkel met French President Emmanuel Macron in \
                 Berlin on Tuesday to talk about the budget of the European Union.",
            ),
        )
    };
    let started = Instant::now();
    stdin.write_all(&article("https://news.example/a")).unwrap();
    stdin.flush().unwrap();
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("news.example/a@"), "{first}");
    let before = peak_kb();
    for _ in 0..200 {
        stdin.write_all(&image).unwrap();
    }
    stdin.write_all(&article("https://news.example/b")).unwrap();
    stdin.flush().unwrap();
    let mut second = String::new();
    stdout.read_line(&mut second).unwrap();
    assert!(second.contains("news.example/b@"), "{second}");
    let after = peak_kb();
    drop(stdin);
    assert!(child.wait().unwrap().success());
    if let (Some(before), Some(after)) = (before, after) {
        eprintln!(
            "200 MiB stream: peak RSS {} MiB after the first article, {} MiB at the end, {:.1} s",
            before / 1024,
            after / 1024,
            started.elapsed().as_secs_f64()
        );
        assert!(
            after < before + 32 * 1024,
            "peak RSS grew from {before} kB to {after} kB over a 200 MiB stream"
        );
    }
}

/// `show --json` of every article, by id.
fn shown(env: &TestEnv, index: &std::path::Path, ids: &[String]) -> Vec<Value> {
    ids.iter()
        .map(|id| {
            env.run(&["show", id, "--index", index.to_str().unwrap(), "--json"])
                .success()
                .json()
        })
        .collect()
}

#[test]
fn ingesting_enriched_records_gives_the_index_ingesting_the_articles_gives() {
    let env = TestEnv::new();
    archive(&env);
    // A wire copy under another headline, so near-duplicate groups are compared too.
    let copy = FEED
        .lines()
        .next()
        .unwrap()
        .replace("\"a1\"", "\"b1\"")
        .replace(
            "Xi and Trump talk trade",
            "Trump hosts Xi at his Florida resort",
        );
    env.write("feeds/copy.jsonl", format!("{copy}\n"));
    // A group is named after the first article of it the index meets: both ingests
    // meet them in reading order, on any number of enrichment threads.
    env.ingest(&["--threads", "4"]).code(1);

    // In the walk's order.
    let r = env
        .enrich_records(&[
            "crawl/pages.warc.gz",
            "feeds/copy.jsonl",
            "feeds/wire.jsonl",
            "notes/summit.md",
        ])
        .code(1);
    let records = env.root.join("records");
    std::fs::create_dir_all(&records).unwrap();
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{r:?}");
    // Two files of records, as two workers would write them.
    std::fs::write(records.join("part-0.ndjson"), lines[..3].join("\n") + "\n").unwrap();
    std::fs::write(records.join("part-1.ndjson"), lines[3..].join("\n") + "\n").unwrap();
    let ids: Vec<String> = lines
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();

    let from_records = env.root.join("from-records");
    let ingest = |extra: &[&str]| {
        let mut a = vec![
            "ingest",
            records.to_str().unwrap(),
            "--enriched",
            "--index",
            from_records.to_str().unwrap(),
            "--json",
        ];
        a.extend_from_slice(extra);
        env.run(&a)
    };
    let sum = ingest(&["--threads", "4"]).success().json();
    assert_eq!(sum["articles_added"], 6, "{sum}");
    let original = shown(&env, &env.index, &ids);
    assert_eq!(shown(&env, &from_records, &ids), original);
    // The copies were grouped both ways (so the comparison covers `similar`).
    let grouped = original
        .iter()
        .filter(|v| !v["similar"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(grouped, 2, "{original:?}");
    let count = |index: &std::path::Path| {
        env.run(&["stats", "--index", index.to_str().unwrap(), "--json"])
            .success()
            .json()["articles"]
            .as_u64()
            .unwrap()
    };

    // Unchanged: nothing read again.
    let sum = ingest(&[]).success().json();
    assert_eq!(sum["files_unchanged"], 2, "{sum}");
    assert_eq!(sum["articles_unchanged"], 6, "{sum}");

    // A record taken out of its file, a record of a newer version and a file that is
    // not records: the first leaves the index, the second is one error naming the
    // line (exit 1), the third is skipped; the rest stays.
    let part1 = records.join("part-1.ndjson");
    let mut newer: Value = serde_json::from_str(lines[5]).unwrap();
    newer["newsidx_record"] = 2.into();
    newer["id"] = "future#1".into();
    std::fs::write(&part1, format!("{}\n{}\n{newer}\n", lines[3], lines[4])).unwrap();
    std::fs::write(records.join("notes.txt"), "not records").unwrap();
    let r = ingest(&[]).code(1);
    let line = r.problem("error", "part-1.ndjson", Some(3));
    assert!(line.contains("version 2 is newer"), "{line}");
    let sum = r.json();
    assert_eq!(sum["articles_removed"], 1, "{sum}");
    assert_eq!(sum["skipped"]["not_enriched"], 1, "{sum}");
    assert_eq!(count(&from_records), 5);
    env.run(&["show", &ids[5], "--index", from_records.to_str().unwrap()])
        .code(2);
    assert_eq!(
        shown(&env, &from_records, &ids[..5]),
        shown(&env, &env.index, &ids[..5])
    );

    // A file of records deleted: its articles leave.
    std::fs::remove_file(records.join("part-0.ndjson")).unwrap();
    let sum = ingest(&[]).success().json();
    assert_eq!(sum["articles_removed"], 3, "{sum}");
    assert_eq!(count(&from_records), 2);
}
