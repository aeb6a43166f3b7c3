//! Counts and pages with near copies: ten copies of one story among other articles.
//! Pages count the entries shown (a near-duplicate group is one story), never more
//! than the limit, and the totals say how many stories and how many articles match.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;

use crate::util::*;
use serde_json::Value;

/// The body every copy shares (well over the 25 words below which nothing is grouped).
const STRIKE_BODY: &str = "Dock workers at the northern harbour walked out on Monday in a \
strike over pay and night shifts, leaving container ships waiting at anchor in the bay. The \
union said talks with the port authority had broken down after the operators refused to \
restore the bonus cut during the pandemic, and warned that the stoppage could last into next \
week. Ferry services to the islands were running, but freight traffic was halted and lorry \
drivers queued for hours on the coastal road outside the terminal gates.";

const COPIES: usize = 10;
/// Other articles holding both query words (short bodies: never grouped).
const OTHERS: usize = 14;
/// Articles holding only one of the query words (partial matches).
const PARTIAL: usize = 6;

fn md(title: &str, day: usize, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: 2024-04-{day:02}\nsource: Coast Post\n---\n{body}\n")
}

fn env() -> TestEnv {
    let env = TestEnv::new();
    let headlines = [
        "Dockers walk out at northern harbour",
        "Port strike strands container ships",
        "Harbour workers stop over pay",
        "Union halts freight at the terminal",
        "Ships wait at anchor as dockers strike",
        "Night shifts dispute shuts the port",
        "Freight halted by harbour stoppage",
        "Talks fail, dock workers walk out",
        "Lorry queues grow outside port gates",
        "Dock strike could last into next week",
    ];
    for (i, h) in headlines.iter().enumerate() {
        env.write(
            &format!("copies/c{i}.md"),
            md(
                h,
                i + 1,
                &format!("{STRIKE_BODY} Reporter number {i} filed this version from the quay."),
            ),
        );
    }
    for i in 0..OTHERS {
        env.write(
            &format!("others/o{i}.md"),
            md(
                &format!("Harbour strike note {i}"),
                i + 1,
                &format!("Brief {i}: a strike at harbour {i} ended quickly."),
            ),
        );
    }
    for i in 0..PARTIAL {
        env.write(
            &format!("partial/p{i}.md"),
            md(
                &format!("Harbour notice {i}"),
                i + 1,
                &format!("Notice {i}: the harbour {i} dredging resumes."),
            ),
        );
    }
    env.ingest_ok();
    env
}

const Q: &str = "harbour strike";

/// `--json` hits, and the last line (with the counts; `--facets` makes it appear).
fn page(env: &TestEnv, args: &[&str]) -> (Vec<Value>, Value) {
    let mut a = vec!["--facets"];
    a.extend_from_slice(args);
    let mut lines = env.search(Q, &a).success().json_lines();
    let last = lines.pop().expect("a last line with the counts");
    assert!(last.get("facets").is_some(), "last line: {last:#}");
    (lines, last)
}

#[test]
fn pages_count_stories_and_show_each_once() {
    let env = env();
    let stories = 1 + OTHERS; // the copies fold into one
    let articles = COPIES + OTHERS;
    let shown_in_all = stories + PARTIAL;

    // Paging through every page of 4: never more than 4 entries, every story once.
    let limit = 4;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut offset = 0;
    let mut last_counts = Value::Null;
    loop {
        let (hits, last) = page(
            &env,
            &[
                "--limit",
                &limit.to_string(),
                "--offset",
                &offset.to_string(),
            ],
        );
        assert!(
            hits.len() <= limit,
            "offset {offset}: {} entries on a page of {limit}",
            hits.len()
        );
        if hits.is_empty() {
            break;
        }
        for (i, h) in hits.iter().enumerate() {
            assert_eq!(h["rank"], offset + i + 1, "{h:#}");
            *seen
                .entry(h["group"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        last_counts = last;
        offset += limit;
        assert!(offset <= 100, "paging never ends");
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "stories shown more than once: {twice:?}");
    assert_eq!(seen.len(), shown_in_all, "stories seen: {seen:?}");
    assert_eq!(last_counts["total"], articles, "{last_counts:#}");
    assert_eq!(last_counts["stories"], stories, "{last_counts:#}");

    // The group of copies is one entry with "+9 similar".
    let (hits, _) = page(&env, &["--limit", "50"]);
    assert_eq!(hits.len(), shown_in_all);
    let copies: Vec<&Value> = hits
        .iter()
        .filter(|h| h["id"].as_str().unwrap().starts_with("copies/"))
        .collect();
    assert_eq!(copies.len(), 1, "{copies:#?}");
    assert_eq!(copies[0]["similar"], COPIES - 1);

    // The terminal footer says both counts.
    let out = env
        .run(&[
            "search",
            Q,
            "--index",
            env.index.to_str().unwrap(),
            "--limit",
            "10",
        ])
        .success();
    let entries = out
        .stdout
        .lines()
        .filter(|l| {
            l.split_once(". ")
                .is_some_and(|(n, _)| n.trim().parse::<usize>().is_ok())
        })
        .count();
    assert_eq!(entries, 10, "{}", out.stdout);
    let footer = format!("1–10 of {stories} stories ({articles} articles)");
    assert!(
        out.stdout.contains(&footer),
        "no {footer:?} in:\n{}",
        out.stdout
    );
}

#[test]
fn all_shows_every_copy_and_stories_equal_articles() {
    let env = env();
    let (hits, last) = page(&env, &["--all", "--limit", "50"]);
    let copies = hits
        .iter()
        .filter(|h| h["id"].as_str().unwrap().starts_with("copies/"))
        .count();
    assert_eq!(copies, COPIES, "{hits:#?}");
    assert_eq!(hits.len(), COPIES + OTHERS + PARTIAL);
    assert_eq!(last["total"], COPIES + OTHERS);
    assert_eq!(last["stories"], last["total"]);

    // Pages of --all count articles: all of them, each once.
    let mut ids = std::collections::BTreeSet::new();
    for offset in (0..40).step_by(7) {
        let (hits, _) = page(
            &env,
            &["--all", "--limit", "7", "--offset", &offset.to_string()],
        );
        assert!(hits.len() <= 7);
        for h in hits {
            assert!(ids.insert(h["id"].as_str().unwrap().to_string()), "{h:#}");
        }
    }
    assert_eq!(ids.len(), COPIES + OTHERS + PARTIAL);
}

#[test]
fn the_api_counts_stories_beside_articles() {
    let env = env();
    let mut child = env
        .std_cmd()
        .args([
            "serve",
            "--index",
            env.index.to_str().unwrap(),
            "--port",
            "0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line {line:?}"))
        .to_string();
    let get = |path: &str| -> Value {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut r = String::new();
        s.read_to_string(&mut r).unwrap();
        let (head, body) = r.split_once("\r\n\r\n").expect("an HTTP response");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
    };
    let folded = get("/api/search?q=harbour+strike&limit=3");
    let all = get("/api/search?q=harbour+strike&limit=3&all=true");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(folded["hits"].as_array().unwrap().len(), 3);
    assert_eq!(folded["total"], COPIES + OTHERS, "{folded:#}");
    assert_eq!(folded["stories"], 1 + OTHERS, "{folded:#}");
    assert_eq!(all["stories"], all["total"], "{all:#}");
}

/// A program that reads `--json` learns from the last line how many entries there are
/// in all, partial matches too: the entries listed on one long page add up to it.
#[test]
fn the_last_json_line_counts_the_partial_matches_listed() {
    let env = env();
    let (hits, last) = page(&env, &["--limit", "100"]);
    let partial = hits.iter().filter(|h| h["partial"] == true).count();
    assert_eq!(partial, PARTIAL);
    assert_eq!(last["partial_stories"], PARTIAL, "{last:#}");
    assert_eq!(last["partial_total"], PARTIAL, "{last:#}");
    assert_eq!(
        hits.len() as u64,
        last["stories"].as_u64().unwrap() + last["partial_stories"].as_u64().unwrap()
    );
}
