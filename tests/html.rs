//! Saved web pages and web archives through the real binary: a folder of pages and a
//! `.warc.gz` written here (gzip per record, with a request, a revisit, a non-HTML
//! response, a page declared in the HTTP header only, and a truncated last record)
//! ingest into articles with clean text and their dates, which search finds and
//! filters like any other; a second run finds nothing changed; legacy encodings
//! decode; hostile pages never panic.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::util::TestEnv;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/html")
            .join(name),
    )
    .unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// One WARC 1.1 record.
fn record(kind: &str, uri: &str, date: &str, content_type: &str, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{kind}-{}>\r\n\
         WARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\n\r\n",
        block.len(),
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn http_response(content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

const RESPONSE: &str = "application/http; msgtype=response";

/// A Latin-1 page (declared only in its HTTP header, as many old servers did).
fn latin1_page() -> Vec<u8> {
    let mut page = b"<html><head><title>Caf\xe9 owners in Z\xfcrich protest the new rent rules</title></head><body><article>".to_vec();
    for _ in 0..6 {
        page.extend_from_slice(
            b"<p>The owners of the caf\xe9s along the Limmat say the rules, which take effect \
              in March, would double what they pay; the city's housing office disagrees.</p>",
        );
    }
    page.extend_from_slice(b"</article></body></html>");
    page
}

/// A web archive as a crawler writes it: one gzip member per record.
fn warc_gz() -> Vec<u8> {
    let yna = fixture("yna_co_kr.html");
    let yna_url = "https://en.yna.co.kr/view/AEN20190820002300325";
    let records = [
        record(
            "warcinfo",
            "",
            "2019-08-21T00:00:00Z",
            "application/warc-fields",
            b"software: newsidx tests\r\n",
        ),
        record(
            "request",
            yna_url,
            "2019-08-21T01:00:00Z",
            "application/http; msgtype=request",
            b"GET /view/AEN20190820002300325 HTTP/1.1\r\nHost: en.yna.co.kr\r\n\r\n",
        ),
        record(
            "response",
            yna_url,
            "2019-08-21T01:00:00Z",
            RESPONSE,
            &http_response("text/html; charset=utf-8", &yna),
        ),
        record(
            "revisit",
            yna_url,
            "2019-08-22T01:00:00Z",
            "application/http; msgtype=response",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
        ),
        record(
            "response",
            "https://en.yna.co.kr/logo.png",
            "2019-08-21T01:00:01Z",
            RESPONSE,
            &http_response("image/png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        ),
        record(
            "response",
            "http://old.example/cafes",
            "2019-08-21T02:00:00Z",
            RESPONSE,
            &http_response("text/html; charset=iso-8859-1", &latin1_page()),
        ),
    ];
    let mut out = Vec::new();
    for r in &records {
        out.extend(gzip(r));
    }
    // The crawl was cut off while writing its last record.
    let last = gzip(&record(
        "response",
        "https://en.yna.co.kr/view/other",
        "2019-08-21T03:00:00Z",
        RESPONSE,
        &http_response("text/html", &fixture("cnn_article.html")),
    ));
    out.extend_from_slice(&last[..last.len() / 2]);
    out
}

fn show(env: &TestEnv, id: &str) -> Value {
    env.run(&["show", id, "--index", env.index.to_str().unwrap(), "--json"])
        .success()
        .json()
}

#[test]
fn saved_pages_and_a_web_archive_ingest_search_and_stay_unchanged() {
    let env = TestEnv::new();
    env.write("pages/cnn_article.html", fixture("cnn_article.html"));
    env.write("pages/cnn_main_site.html", fixture("cnn_main_site.html"));
    env.write("pages/yna.htm.gz", gzip(&fixture("yna_co_kr.html")));
    let warc = env.write("crawl/crawl.warc.gz", warc_gz());

    // Exit 1: the archive's last record is cut short, and said to be.
    let run = env.ingest(&[]).code(1);
    let report = run.json();
    assert_eq!(report["files_read"], 4, "{run:?}");
    // The CNN article, the Yonhap page twice (saved, and captured), the Latin-1 page.
    assert_eq!(report["articles_added"], 4, "{run:?}");
    // A date found in a page's JSON-LD or meta tags is its publication date, not a
    // date field that could not be read.
    assert!(
        !run.stderr.contains("not read as a publication date"),
        "{run:?}"
    );
    // The home page is skipped with its reason.
    let home = run.problem("warning", "pages/cnn_main_site.html", None);
    assert!(home.contains("not an article: a home page"), "{home}");
    // The archive: the truncated record reported with its offset, the rest counted.
    let truncated = run.problem("error", "crawl/crawl.warc.gz", None);
    assert!(truncated.contains("record at byte "), "{truncated}");
    let counts = run
        .stderr_lines()
        .into_iter()
        .find(|l| l.contains("crawl.warc.gz: web archive:"))
        .unwrap_or_else(|| panic!("no archive summary:\n{run:?}"));
    for part in [
        "7 records",
        "2 articles",
        "1 warcinfo",
        "1 request",
        "1 revisit",
        "1 responses that are not HTML",
        "1 damaged",
    ] {
        assert!(counts.contains(part), "{part}: {counts}");
    }

    // Clean text, the page's own date and source, searchable and filterable.
    let hit = env.only_hit("\"dodged a bullet\"");
    assert_eq!(hit["id"], "pages/cnn_article.html");
    assert_eq!(
        hit["title"],
        "After storm, forecasters see smooth sailing for Thanksgiving"
    );
    assert_eq!(hit["published"], "2013-11-27");
    assert_eq!(hit["source"], "CNN");
    assert_eq!(
        hit["url"],
        "http://www.cnn.com/2013/11/27/travel/weather-thanksgiving/index.html"
    );
    let article = show(&env, "pages/cnn_article.html");
    let body = article["body"].as_str().unwrap();
    assert!(
        body.contains("\"We dodged a bullet,\" said Steve Cowan"),
        "{body}"
    );
    assert!(body.contains("\n\n"), "paragraphs are kept: {body}");
    for junk in ["Terms of service", "Privacy guidelines", "<div", "var "] {
        assert!(!body.contains(junk), "{junk:?} in {body}");
    }
    assert!(env
        .ids("thanksgiving", &["--from", "2013-11", "--to", "2013-11"])
        .contains(&"pages/cnn_article.html".to_string()));
    assert!(env.ids("thanksgiving", &["--from", "2014"]).is_empty());

    // The archived Yonhap page: its own date (not the capture's), its target URI in
    // the id, the JSON-LD date source.
    let ids = env.ids("\"Rodong Sinmun\"", &["--all"]);
    let archived =
        "crawl/crawl.warc.gz#https://en.yna.co.kr/view/AEN20190820002300325@2019-08-21T01:00:00Z";
    assert!(ids.contains(&archived.to_string()), "{ids:?}");
    assert!(ids.contains(&"pages/yna.htm.gz".to_string()), "{ids:?}");
    let a = show(&env, archived);
    assert_eq!(a["published"], "2019-08-20", "{a}");
    assert_eq!(a["published_from"], "json-ld", "{a}");
    assert!(env
        .ids(
            "rodong",
            &[
                "--country",
                "KP",
                "--from",
                "2019-08-20",
                "--to",
                "2019-08-20",
                "--all"
            ]
        )
        .contains(&archived.to_string()));

    // Declared only in the HTTP header: Latin-1, decoded; no date of its own, so the
    // capture date stands in, and says so.
    let cafe = env.only_hit("Limmat");
    assert_eq!(
        cafe["title"],
        "Café owners in Zürich protest the new rent rules"
    );
    assert_eq!(cafe["published"], "2019-08-21");
    let c = show(&env, cafe["id"].as_str().unwrap());
    assert_eq!(c["published_from"], "captured", "{c}");
    assert!(c["body"]
        .as_str()
        .unwrap()
        .contains("the cafés along the Limmat"));

    // A second run: nothing changed. Touching the archive (same bytes, new time)
    // hashes it, and it is still unchanged.
    let again = env.ingest(&[]).success().json();
    assert_eq!(again["files_unchanged"], 4, "{again}");
    assert_eq!(again["articles_added"], 0, "{again}");
    let f = std::fs::File::options().write(true).open(&warc).unwrap();
    f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    drop(f);
    let touched = env.ingest(&[]).success().json();
    assert_eq!(touched["files_read"], 0, "{touched}");
    assert_eq!(touched["articles_added"], 0, "{touched}");
    assert_eq!(touched["articles_updated"], 0, "{touched}");

    // --keep-non-articles indexes the home page too (the cut record is said again).
    let kept = env
        .ingest(&["--rebuild", "--keep-non-articles"])
        .code(1)
        .json();
    assert_eq!(kept["articles_added"], 5, "{kept}");
}

#[test]
fn extract_shows_what_ingest_reads() {
    let env = TestEnv::new();
    let page = env.write("yna_co_kr.html", fixture("yna_co_kr.html"));
    let run = env
        .run(&["extract", page.to_str().unwrap(), "--json"])
        .success();
    let lines = run.json_lines();
    assert_eq!(lines.len(), 1, "{run:?}");
    let a = &lines[0];
    for key in [
        "id",
        "title",
        "body",
        "published",
        "published_from",
        "modified",
        "authors",
        "url",
        "source",
        "language",
    ] {
        assert!(a.get(key).is_some(), "{key} missing: {a}");
    }
    assert_eq!(a["id"], "yna_co_kr.html");
    assert_eq!(
        a["title"],
        "N. Korea slams S. Korea for joint military drill, warns of consequences"
    );
    assert_eq!(a["published"], "2019-08-20");
    assert_eq!(a["published_from"], "json-ld");
    assert_eq!(a["url"], "https://en.yna.co.kr/view/AEN20190820002300325");
    assert_eq!(a["source"], "Yonhap News Agency");
    assert_eq!(a["language"], "en");
    let body = a["body"].as_str().unwrap();
    assert!(
        body.starts_with("SEOUL, Aug. 20 (Yonhap) -- North Korea's official newspaper"),
        "{body}"
    );
    // Every paragraph is a paragraph: none runs into the next.
    assert!(body.split("\n\n").count() >= 8, "{body}");

    // A web archive: one object per article.
    let warc = env.write("crawl.warc.gz", warc_gz());
    let run = env
        .run(&["extract", warc.to_str().unwrap(), "--json"])
        .code(1);
    assert_eq!(run.json_lines().len(), 2, "{run:?}");
    run.problem("error", "crawl.warc.gz", None);
}

#[test]
fn legacy_encodings_decode() {
    let env = TestEnv::new();
    let mut page = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">\
        <title>\x93Na\xefve\x94 budget \x96 a reply</title></head><body><div class=story>"
        .to_vec();
    for _ in 0..5 {
        page.extend_from_slice(
            b"<p>The minister\x92s reply, published on Tuesday, calls the critics\x92 \
              figures \x93na\xefve\x94 and says the deficit will shrink by 2019.</p>",
        );
    }
    page.extend_from_slice(b"</div></body></html>");
    env.write("old/reply.html", &page);
    // No declaration at all and not UTF-8: read as Windows-1252.
    env.write(
        "old/undeclared.htm",
        [
            b"<html><title>Z\xfcrich \x96 notes</title><body><main>".as_slice(),
            &b"<p>M\xfcller said the plan, which the council approved in May after a long debate, \
               is \xabfinal\xbb for now.</p>"
                .repeat(6),
            b"</main></body></html>",
        ]
        .concat(),
    );
    env.ingest(&[]).success();
    let hit = env.only_hit("minister");
    assert_eq!(hit["title"], "“Naïve” budget – a reply");
    let a = show(&env, "old/reply.html");
    assert!(
        a["body"].as_str().unwrap().contains("The minister’s reply"),
        "{a}"
    );
    let hit = env.only_hit("council");
    assert_eq!(hit["title"], "Zürich – notes");
    let a = show(&env, "old/undeclared.htm");
    assert!(
        a["body"].as_str().unwrap().contains("Müller said the plan"),
        "{a}"
    );
    assert!(a["body"].as_str().unwrap().contains("«final»"), "{a}");
}

#[test]
fn hostile_pages_never_panic() {
    let env = TestEnv::new();
    let para =
        "<p>The council said on Monday that the budget, long delayed, would pass by the end of \
                the week, and that the money for schools would come in full.</p>"
            .repeat(2);
    let para = para.as_str();
    env.write(
        "deep.html",
        format!(
            "<html><body>{}{para}{para}{para}{para}{}",
            "<div>".repeat(200_000),
            "</div>".repeat(10)
        ),
    );
    env.write(
        "attrs.html",
        format!(
            "<html><body><div class=\"{}\" data-x='{}'>{para}{para}{para}{para}</div>",
            "a ".repeat(2_000_000),
            "\"".repeat(1_000_000)
        ),
    );
    env.write(
        "scripts.html",
        format!(
            "<html><body>{}<article>{para}{para}{para}{para}</article><script>unclosed",
            "<script>var a = '</div>' + '<p>';</script><style>p{}</style>".repeat(20_000)
        ),
    );
    env.write(
        "broken.html",
        "<!--<html><<<>>></<p <a href=\"x <table><td><tr></table></table></p><li><dd><dt>&#x110000;&#0;&nosuch;&amp<![CDATA[",
    );
    env.write(
        "binary.html",
        b"\x00\x01\x02\xff\xfe\x00 not a page at all".repeat(100),
    );
    env.write("bad.html.gz", b"\x1f\x8b\x08\x00 this is not really gzip");
    env.write(
        "bad.warc.gz",
        [&b"\x1f\x8b\x08\x00"[..], &[0x55; 5000]].concat(),
    );
    env.write(
        "garbage.warc",
        "WARC/1.1\r\nContent-Length: 99999999999\r\n\r\nshort".repeat(3),
    );
    let run = env.ingest(&[]);
    // Exit 1: finished, with the bad files each named.
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    // The three readable pages went in; the bad files are each named.
    assert_eq!(env.hits("council budget", &["--all"]).len(), 3, "{run:?}");
    run.problem("error", "binary.html", None);
    run.problem("error", "bad.html.gz", None);
}

/// `--max-body-bytes` cuts a page's text as it cuts any article's; extract goes on
/// past a file it cannot read and exits 1.
#[test]
fn body_limit_and_extract_problems() {
    let env = TestEnv::new();
    let page = env.write("yna.html.gz", gzip(&fixture("yna_co_kr.html")));
    let run = env
        .run(&[
            "extract",
            "/nonexistent/page.html",
            page.to_str().unwrap(),
            "--json",
            "--max-body-bytes",
            "1024",
        ])
        .code(1);
    run.problem("error", "/nonexistent/page.html", None);
    let cut = run.problem("warning", "yna.html.gz", None);
    assert!(cut.contains("over the 1024-byte limit"), "{cut}");
    let lines = run.json_lines();
    assert_eq!(lines.len(), 1, "{run:?}");
    assert!(lines[0]["body"].as_str().unwrap().len() <= 1024, "{run:?}");

    let run = env.ingest(&["--max-body-bytes", "1024"]).success();
    run.problem("warning", "yna.html.gz", None);
    assert_eq!(env.hits("weekslong", &["--all"]).len(), 1, "{run:?}");
    // The last paragraph is past the cut.
    assert_eq!(env.hits("plausible", &["--all"]).len(), 0, "{run:?}");
}

/// Every article in the index: id → title.
fn all_articles(env: &TestEnv) -> std::collections::BTreeMap<String, String> {
    env.hits("", &["--all", "--limit", "1000000"])
        .into_iter()
        .map(|h| {
            (
                h["id"].as_str().unwrap().to_string(),
                h["title"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Records a crawler appends to a web archive (gzip per record, and uncompressed)
/// are read on their own at the next ingest: the articles already indexed stay, a
/// capture that repeats the text kept for its address is still a repeat, an updated
/// capture is a new article, and the index is the one a whole read gives. Damage in
/// the appended part is reported at its offset in the file, and nothing is lost.
#[test]
fn records_appended_to_a_web_archive_are_read_alone() {
    let env = TestEnv::new();
    let yna_url = "https://en.yna.co.kr/view/AEN20190820002300325";
    let cafe_url = "http://old.example/cafes";
    let response = |uri: &str, date: &str, page: &[u8]| {
        record(
            "response",
            uri,
            date,
            RESPONSE,
            &http_response("text/html; charset=iso-8859-1", page),
        )
    };
    let first = [
        record(
            "warcinfo",
            "",
            "2019-08-21T00:00:00Z",
            "application/warc-fields",
            b"software: newsidx tests\r\n",
        ),
        response(yna_url, "2019-08-21T01:00:00Z", &fixture("yna_co_kr.html")),
        response(cafe_url, "2019-08-21T02:00:00Z", &latin1_page()),
    ];
    // Later: the cafe page again, unchanged; the Yonhap address with new text.
    let later = [
        response(cafe_url, "2019-08-22T02:00:00Z", &latin1_page()),
        response(
            yna_url,
            "2019-08-22T01:00:00Z",
            &fixture("cnn_article.html"),
        ),
    ];
    let gz = |rs: &[Vec<u8>]| rs.iter().flat_map(|r| gzip(r)).collect::<Vec<u8>>();
    let plain = |rs: &[Vec<u8>]| rs.concat();
    let gz_path = env.write("crawl/crawl.warc.gz", gz(&first));
    let plain_path = env.write("crawl/plain.warc", plain(&first));

    let one = env.ingest(&[]).success().json();
    assert_eq!(one["articles_added"], 4, "{one}");

    let append = |path: &Path, bytes: &[u8]| {
        let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
        f.write_all(bytes).unwrap();
    };
    let gz_len = std::fs::metadata(&gz_path).unwrap().len();
    append(&gz_path, &gz(&later));
    append(&plain_path, &plain(&later));
    let run = env.ingest(&[]).success();
    let two = run.json();
    assert_eq!(two["files_appended"], 2, "{run:?}");
    assert_eq!(two["articles_added"], 2, "{run:?}");
    assert_eq!(two["articles_unchanged"], 4, "{run:?}");
    assert_eq!(two["articles_updated"], 0, "{run:?}");
    assert_eq!(two["articles_removed"], 0, "{run:?}");
    // The archive's line counts what this run read: the two new records.
    let line = run
        .stderr_lines()
        .into_iter()
        .find(|l| l.contains("crawl.warc.gz: web archive:"))
        .unwrap_or_else(|| panic!("no archive summary:\n{run:?}"));
    assert!(
        line.contains("2 records, 1 articles; skipped 1 repeat captures"),
        "{line}"
    );
    // The new capture is found under its own id; the old one stays.
    let ids = env.ids("\"dodged a bullet\"", &["--all"]);
    assert!(
        ids.contains(&format!(
            "crawl/crawl.warc.gz#{yna_url}@2019-08-22T01:00:00Z"
        )),
        "{ids:?}"
    );
    let indexed = all_articles(&env);
    assert!(indexed.contains_key(&format!("crawl/plain.warc#{yna_url}@2019-08-21T01:00:00Z")));
    let fresh = TestEnv::new();
    crate::util::copy_dir(&env.corpus, &fresh.corpus);
    fresh.ingest(&[]).success();
    assert_eq!(indexed, all_articles(&fresh));
    assert_eq!(indexed.len(), 6);

    // Nothing more: unchanged.
    let three = env.ingest(&[]).success().json();
    assert_eq!(three["files_unchanged"], 2, "{three}");

    // A record cut short as the crawler writes it: reported at its offset in the
    // file, no article lost.
    let gz_len2 = std::fs::metadata(&gz_path).unwrap().len();
    assert!(gz_len2 > gz_len);
    let cut = gzip(&response(
        "https://en.yna.co.kr/view/other",
        "2019-08-23T01:00:00Z",
        &fixture("cnn_article.html"),
    ));
    append(&gz_path, &cut[..cut.len() / 2]);
    let run = env.ingest(&[]).code(1);
    let damaged = run.problem("error", "crawl/crawl.warc.gz", None);
    assert!(
        damaged.contains(&format!("record at byte {gz_len2}")),
        "{damaged}"
    );
    let four = run.json();
    assert_eq!(four["articles_removed"], 0, "{four}");
    assert_eq!(all_articles(&env), indexed);
}

/// An evening story in the Americas: its metadata gives the instant in UTC, the next
/// day; the byline shows the site's own day, which is the publication date ingest
/// indexes and `--from`/`--to` filter on. An update shown the next day does not move it.
#[test]
fn the_day_a_page_shows_beats_utc_metadata_a_day_off() {
    let env = TestEnv::new();
    let para = "<p>The council voted late on Monday to keep the old bridge open to cyclists, \
                after a debate that ran for more than four hours and drew a full gallery.</p>";
    let page = |byline: &str| {
        format!(
            "<html><head><title>Council keeps the bridge open</title>\
             <meta property=\"article:published_time\" content=\"2019-11-19T02:24:00Z\"></head>\
             <body><article><h1>Council keeps the bridge open</h1>\
             <div class=\"byline\">By Ann Lee · {byline}</div>{}</article></body></html>",
            para.repeat(5)
        )
    };
    env.write("evening.html", page("Nov 18, 2019 at 9:24 pm ET"));
    env.write("updated.html", page("Updated November 20, 2019"));
    env.ingest(&[]).success();
    let a = show(&env, "evening.html");
    assert_eq!(a["published"], "2019-11-18", "{a}");
    assert_eq!(a["published_from"], "text", "{a}");
    let u = show(&env, "updated.html");
    assert_eq!(u["published"], "2019-11-19", "{u}");
    assert_eq!(u["published_from"], "meta", "{u}");
    assert_eq!(
        env.ids("bridge", &["--from", "2019-11-18", "--to", "2019-11-18"]),
        ["evening.html"]
    );
}
