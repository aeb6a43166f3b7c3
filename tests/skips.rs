//! What ingest passes over is counted by reason in its summary, through the real
//! binary: saved pages that are not articles (a login page, a home page), web-archive
//! records by kind (written here: gzip per record), and the files the walk skips.

use std::io::Write;

use serde_json::json;

use crate::util::TestEnv;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// One WARC 1.1 record.
fn record(kind: &str, uri: &str, date: &str, content_type: &str, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{kind}-{date}>\r\n\
         WARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn http(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

const RESPONSE: &str = "application/http; msgtype=response";

fn article(topic: &str) -> String {
    let para = format!(
        "The harbour board voted on Tuesday to rebuild the {topic} pier before winter, \
         after engineers found the old timbers had rotted through in several places. "
    );
    format!(
        "<html><head><title>Board votes to rebuild the {topic} pier | Harbour News</title>\
         <meta property=og:type content=article>\
         <link rel=canonical href=https://harbour.example/news/{topic}-pier></head>\
         <body><article><h1>Board votes to rebuild the {topic} pier</h1>\
         <p>{}</p><p>{}</p></article></body></html>",
        para.repeat(3),
        para.repeat(2)
    )
}

const LOGIN: &str = "<html><head><title>Sign in | Harbour News</title></head><body>\
    <form><p>Subscribers sign in here.</p><input name=user>\
    <input type=password name=pw><button>Sign in</button></form></body></html>";

fn home() -> String {
    let teaser = "<p>Harbour News brings you the latest from the quays, the fish market, \
        the ferries and the council chamber, every morning and every evening.</p>";
    format!(
        "<html><head><title>Harbour News</title>\
         <link rel=canonical href=https://harbour.example/></head>\
         <body><main>{}</main></body></html>",
        teaser.repeat(4)
    )
}

fn warc() -> Vec<u8> {
    let records = [
        record(
            "warcinfo",
            "",
            "2020-03-01T00:00:00Z",
            "application/warc-fields",
            b"software: newsidx tests\r\n",
        ),
        record(
            "request",
            "https://harbour.example/news/east-pier",
            "2020-03-01T01:00:00Z",
            "application/http; msgtype=request",
            b"GET /news/east-pier HTTP/1.1\r\nHost: harbour.example\r\n\r\n",
        ),
        record(
            "response",
            "https://harbour.example/news/east-pier",
            "2020-03-01T01:00:00Z",
            RESPONSE,
            &http(
                "200 OK",
                "text/html; charset=utf-8",
                article("east").as_bytes(),
            ),
        ),
        record(
            "revisit",
            "https://harbour.example/news/east-pier",
            "2020-03-02T01:00:00Z",
            RESPONSE,
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
        ),
        record(
            "request",
            "https://harbour.example/login",
            "2020-03-01T02:00:00Z",
            "application/http; msgtype=request",
            b"GET /login HTTP/1.1\r\nHost: harbour.example\r\n\r\n",
        ),
        record(
            "response",
            "https://harbour.example/login",
            "2020-03-01T02:00:00Z",
            RESPONSE,
            &http("200 OK", "text/html", LOGIN.as_bytes()),
        ),
        record(
            "response",
            "https://harbour.example/logo.png",
            "2020-03-01T03:00:00Z",
            RESPONSE,
            &http("200 OK", "image/png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        ),
        record(
            "response",
            "https://harbour.example/old",
            "2020-03-01T04:00:00Z",
            RESPONSE,
            &http(
                "301 Moved Permanently",
                "text/html",
                b"<a href=/new>moved</a>",
            ),
        ),
    ];
    records.iter().flat_map(|r| gzip(r)).collect()
}

fn corpus() -> TestEnv {
    let env = TestEnv::new();
    env.write("pages/west-pier.html", article("west"));
    env.write("pages/login.html", LOGIN);
    env.write("pages/index.html", home());
    env.write("crawl/harbour.warc.gz", warc());
    env.write(
        "README.md",
        "# Harbour archive\n\nNotes about this archive.\n",
    );
    env.write("notes.docx", "not read");
    env.write(".draft.txt", "Draft\n\nNot finished.\n");
    env
}

#[test]
fn json_summary_counts_skips_by_reason() {
    let env = corpus();
    let r = env.ingest(&[]).success();
    let sum = r.json();
    assert_eq!(sum["articles_added"], 2, "{sum}\n{}", r.stderr);
    assert_eq!(
        sum["skipped"],
        json!({
            "not_article_login": 2,
            "not_article_home": 1,
            "warc_warcinfo": 1,
            "warc_request": 2,
            "warc_revisit": 1,
            "warc_non_html": 1,
            "warc_redirect": 1,
            "documentation": 1,
            "unsupported": 1,
            "hidden": 1,
        }),
        "{sum}\n{}",
        r.stderr
    );
    // The older field stays and agrees with the walk's reasons.
    assert_eq!(sum["files_skipped"], 3, "{sum}");
    // Both articles are searchable; the skipped pages are not.
    assert_eq!(env.article_count(), 2);
    assert!(env.ids("subscribers", &[]).is_empty());

    // A second run reads nothing again: only the walk's skips are counted.
    let again = env.ingest(&[]).success().json();
    assert_eq!(
        again["skipped"],
        json!({"documentation": 1, "unsupported": 1, "hidden": 1}),
        "{again}"
    );

    // --keep-non-articles indexes the pages, so they are not counted as skipped.
    let kept = env.ingest(&["--rebuild", "--keep-non-articles"]).success();
    let kept = kept.json();
    let skipped = kept["skipped"].as_object().unwrap();
    assert!(
        !skipped.keys().any(|k| k.starts_with("not_article_")),
        "{kept}"
    );
    assert_eq!(skipped["warc_request"], 2, "{kept}");
}

#[test]
fn terminal_summary_says_what_was_skipped() {
    let env = corpus();
    let r = env
        .run(&[
            "ingest",
            env.corpus.to_str().unwrap(),
            "--index",
            env.index.to_str().unwrap(),
        ])
        .success();
    let line = r
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("skipped"))
        .unwrap_or_else(|| panic!("no skipped line:\n{}", r.stdout));
    assert_eq!(
        line.trim(),
        "skipped   3 not articles (2 login, 1 home page), \
         6 WARC records (2 request, 1 not HTML, 1 redirect, 1 revisit, 1 warcinfo), \
         3 files (1 documentation, 1 hidden, 1 unsupported)",
        "{}",
        r.stdout
    );
}
