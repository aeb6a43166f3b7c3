//! The web page of `newsidx serve` in headless Chromium, driven over WebDriver: a
//! search typed into the page, a facet clicked, an article opened and its mentions
//! highlighted in place, Back, a permalink, the keyboard, a hostile title, the error
//! states, phone width and dark mode. Each test runs the real binary's server over a
//! fresh index of the sample corpus plus a hostile article and a near copy.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium
//! chromium-driver`; `.ci/run` installs them). Without them each test prints a note
//! and passes. Screenshots go to `target/tmp/screenshots/`.

mod webdriver;

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Stdio};

use serde_json::{json, Value};
use webdriver::{Driver, Session};

use crate::util::{TestEnv, SPEC_ID, SPEC_QUERY, SPEC_TITLE};

const HOSTILE_TITLE: &str = "<script>alert(1)</script> Hostile headline";

/// The sample corpus, a hostile article and a near copy of a BBC report, indexed.
fn corpus() -> TestEnv {
    let env = TestEnv::with_sample_corpus();
    env.write(
        "extra/hostile.md",
        format!(
            "---\ntitle: {HOSTILE_TITLE}\ndate: 2017-03-20\nsource: <b>Evil</b> Source\nurl: javascript:alert(3)\n---\n\
             A hostile body <img src=x onerror=\"window.__pwned=1;alert(2)\"> about the Taiwan Strait, \
             with <a href=\"javascript:alert(4)\">a link</a> and <style>body{{display:none}}</style> inside.\n"
        ),
    );
    let original = std::fs::read_to_string(
        env.corpus
            .join("markdown/bbc/brexit-bill-parliament-clears-way-for-talks-with-eu.md"),
    )
    .unwrap();
    let body = original.splitn(3, "---\n").nth(2).unwrap();
    env.write(
        "extra/brexit-wire-copy.md",
        format!(
            "---\ntitle: Parliament clears the way for Brexit talks\ndate: 2017-03-14\nsource: Wire\n---\n{body}\nThis copy was filed by a wire service.\n"
        ),
    );
    env.ingest_ok();
    env
}

/// `newsidx serve` on a free port, stopped when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(env: &TestEnv, extra: &[&str]) -> Server {
        let mut child = env
            .std_cmd()
            .args([
                "serve",
                "--index",
                env.index.to_str().unwrap(),
                "--port",
                "0",
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("newsidx serve starts");
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("serve's first line names its address, got {line:?}"))
            .to_string();
        // Keep reading what the server prints, so it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        Server { child, base }
    }

    fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.base, path_and_query)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A browser on the page of a server over the test corpus.
pub(crate) struct Page {
    // Dropped in this order: the session (the browser quits), the driver, the server,
    // the profile folder, the index.
    pub(crate) s: Session,
    _driver: Driver,
    server: Server,
    _profile: tempfile::TempDir,
    env: TestEnv,
}

/// Starts everything, or prints why it cannot and returns None.
pub(crate) fn open(extra_args: &[&str]) -> Option<Page> {
    open_with(extra_args, &[])
}

fn open_with(extra_args: &[&str], serve_args: &[&str]) -> Option<Page> {
    open_env(corpus, extra_args, serve_args)
}

/// A browser on the page of a server over `env` (an index already built), or None
/// when chromium and chromedriver are not installed.
pub(crate) fn open_on(env: impl FnOnce() -> TestEnv) -> Option<Page> {
    open_env(env, &[], &[])
}

fn open_env(
    env: impl FnOnce() -> TestEnv,
    extra_args: &[&str],
    serve_args: &[&str],
) -> Option<Page> {
    let (Some(chromium), Some(chromedriver)) = (
        webdriver::which("chromium").or_else(|| webdriver::which("chromium-browser")),
        webdriver::which("chromedriver"),
    ) else {
        eprintln!(
            "note: browser test skipped: chromium and chromedriver are not installed \
             (apt-get install chromium chromium-driver)"
        );
        return None;
    };
    let env = env();
    let server = Server::start(&env, serve_args);
    let driver = Driver::start(&chromedriver);
    let profile = tempfile::Builder::new()
        .prefix("newsidx-chromium-")
        .tempdir()
        .unwrap();
    let s = driver.session(&chromium, profile.path(), extra_args);
    Some(Page {
        s,
        _driver: driver,
        server,
        _profile: profile,
        env,
    })
}

impl Page {
    /// Opens a URL of the server and waits until the page has rendered it.
    pub(crate) fn visit(&self, path_and_query: &str) {
        self.s.goto(&self.server.url(path_and_query));
        self.settled();
    }

    /// Waits until the page's render is over (any state but loading) and returns it.
    fn settled(&self) -> String {
        self.s
            .wait_for(
                "the page to render",
                "const m = document.getElementById('main'); return m && m.dataset.state !== 'loading' && m.dataset.state;",
                &[],
            )
            .as_str()
            .unwrap()
            .to_string()
    }

    fn state(&self) -> String {
        self.s
            .js("return document.getElementById('main').dataset.state;", &[])
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The ids of the result list, in order.
    fn hit_ids(&self) -> Vec<String> {
        let v = self.s.js(
            "return [...document.querySelectorAll('#hits > li.hit')].map(li => li.dataset.articleId);",
            &[],
        );
        serde_json::from_value(v).unwrap()
    }

    pub(crate) fn summary(&self) -> String {
        self.s.text(&self.s.find("#summary"))
    }

    /// The URL's query parameters as (name, value) pairs.
    fn params(&self) -> Vec<(String, String)> {
        let v = self.s.js(
            "return [...new URLSearchParams(location.search)].map(([k, v]) => [k, v]);",
            &[],
        );
        serde_json::from_value(v).unwrap()
    }

    /// Console entries at the error level, apart from those the test expects.
    pub(crate) fn console_errors(&self, expected: &[&str]) -> Vec<String> {
        self.s
            .console()
            .into_iter()
            .filter(|(level, msg)| level == "SEVERE" && !expected.iter().any(|e| msg.contains(e)))
            .map(|(_, msg)| msg)
            .collect()
    }

    fn screenshot(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.s.screenshot();
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// The article as `newsidx show --json` gives it.
    fn show(&self, id: &str) -> Value {
        self.env
            .run(&[
                "show",
                id,
                "--index",
                self.env.index.to_str().unwrap(),
                "--json",
            ])
            .success()
            .json()
    }
}

fn param_values(params: &[(String, String)], name: &str) -> Vec<String> {
    params
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// A number in the summary line "1–10 of 98 matches".
fn total_of(summary: &str) -> u64 {
    let after = summary
        .split(" of ")
        .nth(1)
        .unwrap_or_else(|| panic!("summary {summary:?} says 'of N'"));
    after
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("summary {summary:?} has a total"))
}

#[test]
fn search_facet_article_back_and_permalink() {
    let Some(p) = open(&[]) else { return };
    let s = &p.s;

    // The front page lists the newest articles with counts over the whole archive.
    p.visit("/");
    assert_eq!(p.state(), "ready");
    assert!(!p.hit_ids().is_empty(), "the front page lists articles");

    // `/` focuses the search box; typing a query and Enter searches.
    s.press("/");
    let focused = s.js(
        "return document.activeElement && document.activeElement.name;",
        &[],
    );
    assert_eq!(focused, json!("q"), "'/' focuses the search box");
    s.press(&format!("{SPEC_QUERY}\u{E007}"));
    s.wait_for(
        "the query in the URL",
        "return new URLSearchParams(location.search).get('q') === arguments[0];",
        &[json!(SPEC_QUERY)],
    );
    assert_eq!(p.settled(), "ready");
    let ids = p.hit_ids();
    assert_eq!(
        ids.first().map(String::as_str),
        Some(SPEC_ID),
        "first result: {ids:?}"
    );
    let first = s.find("#hits > li.hit:first-child");
    let title = s.text(&s.find("#hits > li.hit:first-child .hit-title"));
    assert_eq!(title, SPEC_TITLE);
    let marked = s.js(
        "return [...document.querySelectorAll('#hits > li.hit:first-child .hit-title mark')].map(m => m.textContent);",
        &[],
    );
    assert_eq!(
        marked,
        json!(["Taiwan", "post-war order"]),
        "matched title words are marked"
    );
    let snippets = s.js(
        "return document.querySelectorAll('#hits > li.hit:first-child .snippet').length;",
        &[],
    );
    assert!(
        (1..=3).contains(&snippets.as_u64().unwrap()),
        "one to three snippets, got {snippets}"
    );
    assert!(
        s.text(&first).contains("2025-11-24"),
        "the hit shows its date"
    );
    p.screenshot("first-result");

    // A broader query, then a facet: the URL gains the filter, the results narrow to
    // the facet's count and every hit carries the tag.
    p.visit("/?q=trump");
    let before = total_of(&p.summary());
    let facet = s.find("#facets a.facet[data-kind=country][data-value=CN]");
    let facet_count: u64 = s
        .text(&s.find("#facets a.facet[data-kind=country][data-value=CN] .count"))
        .parse()
        .unwrap();
    assert!(
        facet_count < before,
        "CN ({facet_count}) narrows 'trump' ({before})"
    );
    s.click(&facet);
    s.wait_for(
        "the filter in the URL",
        "return new URLSearchParams(location.search).getAll('country').includes('CN');",
        &[],
    );
    assert_eq!(p.settled(), "ready");
    assert_eq!(param_values(&p.params(), "q"), ["trump"], "the query stays");
    assert_eq!(
        total_of(&p.summary()),
        facet_count,
        "results narrow to the facet's count"
    );
    let all_cn = s.js(
        "return [...document.querySelectorAll('#hits > li.hit')].every(li => [...li.querySelectorAll('.tag.country')].some(t => t.textContent === 'CN'));",
        &[],
    );
    assert_eq!(all_cn, json!(true), "every hit is tagged CN");
    let on = s.attr(
        &s.find("#facets a.facet[data-kind=country][data-value=CN]"),
        "aria-current",
    );
    assert_eq!(
        on.as_deref(),
        Some("true"),
        "the chosen facet shows as chosen"
    );
    let filtered_url = s.url();
    let filtered_ids = p.hit_ids();

    // Clicking it again removes the filter.
    s.click(&s.find("#facets a.facet[data-kind=country][data-value=CN]"));
    s.wait_for(
        "the filter to leave the URL",
        "return !new URLSearchParams(location.search).has('country');",
        &[],
    );
    p.settled();
    assert_eq!(total_of(&p.summary()), before);
    s.back();
    p.settled();
    assert_eq!(s.url(), filtered_url, "Back returns to the filtered search");
    assert_eq!(p.hit_ids(), filtered_ids);

    // A source facet: the articles of that source.
    p.visit("/?q=trump");
    let cnn: u64 = s
        .text(&s.find("#facets a.facet[data-kind=source][data-value=CNN] .count"))
        .parse()
        .unwrap();
    s.click(&s.find("#facets a.facet[data-kind=source][data-value=CNN]"));
    s.wait_for(
        "the source in the URL",
        "return new URLSearchParams(location.search).get('source') === 'CNN';",
        &[],
    );
    assert_eq!(p.settled(), "ready");
    assert_eq!(total_of(&p.summary()), cnn);
    let sources = s.js(
        "return [...new Set([...document.querySelectorAll('#hits > li.hit .source')].map(e => e.textContent))];",
        &[],
    );
    assert_eq!(sources, json!(["CNN"]), "every hit is from CNN");

    // A bar of the timeline narrows the dates to its period.
    p.visit(&format!("/?q={}", "trump"));
    // The timeline draws after the results.
    s.wait_for(
        "the timeline",
        "return document.querySelector(\"#timeline a.bar[data-period='2017-03']\");",
        &[],
    );
    // The README's picture: a smaller window keeps the PNG small.
    s.set_window(1024, 720);
    p.screenshot("results");
    s.set_window(1280, 1000);
    let bar = s.find("#timeline a.bar[data-period='2017-03']");
    s.click(&bar);
    s.wait_for(
        "the dates in the URL",
        "const u = new URLSearchParams(location.search); return u.get('from') === '2017-03' && u.get('to') === '2017-03';",
        &[],
    );
    p.settled();
    let dates = s.js(
        "return [...document.querySelectorAll('#hits > li.hit time')].map(t => t.textContent);",
        &[],
    );
    let dates: Vec<String> = serde_json::from_value(dates).unwrap();
    assert!(!dates.is_empty());
    assert!(
        dates.iter().all(|d| d.starts_with("2017-03")),
        "every hit is from March 2017: {dates:?}"
    );
    assert!(total_of(&p.summary()) < before);

    // Open the specification article: its tags and dates are marked where the text
    // says them (byte offsets turned into string positions, past multi-byte quotes).
    p.visit(&format!("/?q={}", SPEC_QUERY.replace(' ', "+")));
    let results_url = s.url();
    s.click(&s.find(&format!(
        "#hits > li.hit[data-article-id='{SPEC_ID}'] a.hit-title"
    )));
    s.wait_for(
        "the article view",
        "return document.getElementById('main').dataset.view === 'article';",
        &[],
    );
    assert_eq!(p.settled(), "ready");
    assert_eq!(s.text(&s.find("#article-title")), SPEC_TITLE);
    let shown = p.show(SPEC_ID);
    let body = shown["body"].as_str().unwrap();
    let mut want_dates: Vec<(u64, String)> = shown["dates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["field"].is_null())
        .map(|d| {
            (
                d["start"].as_u64().unwrap(),
                d["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    want_dates.sort();
    let want_dates: Vec<String> = want_dates.into_iter().map(|(_, t)| t).collect();
    assert!(
        want_dates.contains(&"Over the weekend".to_string()),
        "{want_dates:?}"
    );
    let got_dates = s.js(
        "return [...document.querySelectorAll('#article-body mark.date')].map(m => m.textContent);",
        &[],
    );
    assert_eq!(got_dates, json!(want_dates), "each date is marked in place");
    let body_text = s.js(
        "return document.getElementById('article-body').textContent;",
        &[],
    );
    assert_eq!(body_text, json!(body), "the body is shown whole, as text");
    let taiwan = s.js(
        "return [...document.querySelectorAll('#article-body mark.country')].filter(m => m.textContent === 'Taiwan').length;",
        &[],
    );
    let taiwan_mentions = shown["countries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "TW")
        .unwrap()["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["field"].is_null() && m["text"] == "Taiwan")
        .count();
    assert!(taiwan_mentions > 0);
    assert_eq!(
        taiwan,
        json!(taiwan_mentions),
        "every 'Taiwan' in the body is marked"
    );
    let leader = s.js(
        "return [...document.querySelectorAll('#article-body mark.leader')].map(m => m.textContent).includes('Xi Jinping');",
        &[],
    );
    assert_eq!(leader, json!(true), "leader mentions are marked");
    let title_marks = s.js(
        "return [...document.querySelectorAll('#article-title mark.country')].map(m => m.textContent);",
        &[],
    );
    assert!(
        title_marks.as_array().unwrap().contains(&json!("Taiwan")),
        "title mentions are marked: {title_marks}"
    );
    let monday = s.js(
        "const m = [...document.querySelectorAll('#article-body mark.date')].find(m => m.textContent === 'on Monday'); return m && m.title;",
        &[],
    );
    assert!(
        monday.as_str().unwrap_or_default().contains("2025-11-24"),
        "a date mark names its value: {monday}"
    );
    let side = s.text(&s.find("#article-view .article-side"));
    for want in ["TW Taiwan", "Xi Jinping", "G20", "2025-11-22"] {
        assert!(
            side.contains(want),
            "the article's side lists {want:?}: {side}"
        );
    }
    s.wait_for(
        "similar articles",
        "return document.querySelectorAll('.similar-articles li a[data-article-id]').length > 0;",
        &[],
    );
    p.screenshot("article");

    // Back: the results as they were.
    s.back();
    s.wait_for(
        "the search view",
        "return document.getElementById('main').dataset.view === 'search';",
        &[],
    );
    assert_eq!(p.settled(), "ready");
    assert_eq!(s.url(), results_url);
    assert_eq!(p.hit_ids().first().map(String::as_str), Some(SPEC_ID));
    // Forward: the article again.
    s.forward();
    s.wait_for(
        "the article view",
        "return document.getElementById('main').dataset.view === 'article';",
        &[],
    );
    assert_eq!(p.settled(), "ready");

    // A permalink of a filtered search, opened directly, shows that search.
    p.visit("/?q=trump&country=CN&offset=0");
    assert_eq!(p.hit_ids(), filtered_ids, "a permalink reproduces the page");
    assert_eq!(
        s.js("return document.getElementById('q').value;", &[]),
        json!("trump")
    );
    let chips = s.js(
        "return [...document.querySelectorAll('#active-filters .chip')].map(c => c.dataset.kind + '=' + c.dataset.value);",
        &[],
    );
    assert_eq!(chips, json!(["country=CN"]));
    // And a permalink of an article.
    p.visit(&format!(
        "/?q=taiwan&article={}",
        SPEC_ID.replace('/', "%2F").replace('#', "%23")
    ));
    assert_eq!(s.text(&s.find("#article-title")), SPEC_TITLE);

    // The keyboard: j/k move through the results, Enter opens the selected one.
    p.visit("/?q=trump");
    let ids = p.hit_ids();
    assert!(ids.len() >= 3);
    s.press("jjjk");
    let sel = s.js(
        "return [...document.querySelectorAll('#hits > li.hit')].findIndex(li => li.classList.contains('selected'));",
        &[],
    );
    assert_eq!(sel, json!(1), "j j j k selects the second result");
    s.press("\u{E007}");
    s.wait_for(
        "the article view",
        "return document.getElementById('main').dataset.view === 'article';",
        &[],
    );
    p.settled();
    let opened = param_values(&p.params(), "article");
    assert_eq!(opened, [ids[1].clone()], "Enter opens the selected result");
    // Escape goes back to the results.
    s.press("\u{E00C}");
    s.wait_for(
        "the search view",
        "return document.getElementById('main').dataset.view === 'search';",
        &[],
    );

    let errors = p.console_errors(&[]);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[test]
fn hostile_text_renders_as_text() {
    let Some(p) = open(&[]) else { return };
    let s = &p.s;
    p.visit("/?q=hostile+headline");
    let ids = p.hit_ids();
    assert_eq!(
        ids.first().map(String::as_str),
        Some("extra/hostile.md"),
        "{ids:?}"
    );
    let title = s.text(&s.find("#hits > li.hit:first-child .hit-title"));
    assert_eq!(title, HOSTILE_TITLE, "the title shows as written");
    let source = s.text(&s.find("#hits > li.hit:first-child .source"));
    assert_eq!(source, "<b>Evil</b> Source");
    p.screenshot("hostile-results");

    s.click(&s.find("#hits > li.hit:first-child a.hit-title"));
    s.wait_for(
        "the article view",
        "return document.getElementById('main').dataset.view === 'article';",
        &[],
    );
    p.settled();
    assert_eq!(s.text(&s.find("#article-title")), HOSTILE_TITLE);
    let body = s.js(
        "return document.getElementById('article-body').textContent;",
        &[],
    );
    assert!(
        body.as_str()
            .unwrap()
            .contains("<img src=x onerror=\"window.__pwned=1;alert(2)\">"),
        "the body's markup shows as text: {body}"
    );
    // Nothing from the article became an element, ran, or opened a dialog.
    let injected = s.js(
        "return { scripts: document.querySelectorAll('script:not([src])').length, \
                  imgs: document.images.length, \
                  styles: document.querySelectorAll('style').length, \
                  bold: document.querySelectorAll('main b').length, \
                  jsLinks: document.querySelectorAll('a[href^=\"javascript\"]').length, \
                  pwned: window.__pwned === undefined ? null : window.__pwned, \
                  bodyShown: getComputedStyle(document.body).display };",
        &[],
    );
    assert_eq!(
        injected,
        json!({"scripts": 0, "imgs": 0, "styles": 0, "bold": 0, "jsLinks": 0, "pwned": null, "bodyShown": "block"}),
        "nothing from the article is markup"
    );
    assert_eq!(s.alert_text(), None, "no dialog opened");
    let errors = p.console_errors(&[]);
    assert!(errors.is_empty(), "console errors: {errors:#?}");

    // The server sends a strict Content-Security-Policy with the page.
    let csp = s.js(
        "return fetch('/').then(r => r.headers.get('content-security-policy'));",
        &[],
    );
    let csp = csp.as_str().unwrap_or_default();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "CSP: {csp:?}"
    );
}

#[test]
fn near_copies_unknown_values_no_matches_and_a_lost_server() {
    let Some(mut p) = open(&[]) else { return };
    let s = &p.s;

    // A near copy folds into its original: "+1 similar" opens the list of copies.
    p.visit("/?q=brexit+bill+parliament+peers");
    let folded = s.js(
        "return [...document.querySelectorAll('#hits > li.hit')].filter(li => li.querySelector('button.similar')).map(li => [li.dataset.articleId, li.querySelector('button.similar').textContent]);",
        &[],
    );
    let folded = folded.as_array().unwrap().clone();
    assert_eq!(folded.len(), 1, "one hit stands for the pair: {folded:?}");
    assert_eq!(folded[0][1], json!("+1 similar"));
    let shown_id = folded[0][0].as_str().unwrap().to_string();
    let other = if shown_id == "extra/brexit-wire-copy.md" {
        "markdown/bbc/brexit-bill-parliament-clears-way-for-talks-with-eu.md#2259"
    } else {
        "extra/brexit-wire-copy.md"
    };
    s.click(&s.find("#hits button.similar"));
    let copies = s.wait_for(
        "the copies",
        "const l = [...document.querySelectorAll('#hits .copy-list a[data-article-id]')]; return l.length && l.map(a => a.dataset.articleId);",
        &[],
    );
    assert_eq!(copies, json!([other]));
    // `all` shows both.
    p.visit("/?q=brexit+bill+parliament+peers&all=true");
    let ids = p.hit_ids();
    assert!(
        ids.contains(&shown_id) && ids.contains(&other.to_string()),
        "all=true lists every copy: {ids:?}"
    );

    // An unknown filter value names the closest known ones; one click takes it.
    p.visit("/?q=trade&country=chna");
    assert_eq!(p.state(), "unknown-filter");
    let notice = s.text(&s.find("#notice"));
    assert!(notice.contains("chna"), "{notice}");
    let suggestion = s
        .find_all("#notice a.suggestion")
        .into_iter()
        .find(|a| s.text(a) == "China")
        .unwrap_or_else(|| panic!("'China' is suggested: {notice}"));
    s.click(&suggestion);
    s.wait_for(
        "the suggestion in the URL",
        "return new URLSearchParams(location.search).getAll('country').join() === 'China';",
        &[],
    );
    assert_eq!(p.settled(), "ready");
    assert!(!p.hit_ids().is_empty());

    // No matches: said plainly, with ways out.
    p.visit("/?q=zyxwvut+qqqq&country=CN");
    assert_eq!(p.state(), "empty");
    let notice = s.text(&s.find("#notice"));
    assert!(notice.contains("No articles match"), "{notice}");
    assert!(notice.contains("Search without country: CN"), "{notice}");
    assert!(p.hit_ids().is_empty());

    // The server goes away: the next search says so instead of hanging or going blank.
    p.visit("/?q=taiwan");
    p.server.stop();
    let q = s.find("#q");
    s.clear(&q);
    s.type_into(&q, "korea\u{E007}");
    s.wait_for(
        "the error state",
        "return document.getElementById('main').dataset.state === 'error';",
        &[],
    );
    let notice = s.text(&s.find("#notice"));
    assert!(notice.contains("cannot be reached"), "{notice}");
    assert!(
        s.try_find("#notice button.retry").is_some(),
        "a retry button"
    );
    // The only console errors are the refused request and the 400 of the unknown value.
    let errors = p.console_errors(&[
        "Failed to load resource",
        "Failed to fetch",
        "ERR_CONNECTION_REFUSED",
    ]);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[test]
fn phone_width_and_dark_mode() {
    let Some(p) = open(&[
        "--force-dark-mode",
        "--blink-settings=preferredColorScheme=0",
    ]) else {
        return;
    };
    let s = &p.s;
    s.set_window(390, 844);
    p.visit(&format!("/?q={}", SPEC_QUERY.replace(' ', "+")));
    let fits = "return document.documentElement.scrollWidth <= window.innerWidth;";
    assert_eq!(s.js(fits, &[]), json!(true), "results fit a phone's width");
    let dark = s.js(
        "return [matchMedia('(prefers-color-scheme: dark)').matches, getComputedStyle(document.body).backgroundColor];",
        &[],
    );
    assert_eq!(dark[0], json!(true), "the browser prefers dark");
    let rgb: Vec<u32> = dark[1]
        .as_str()
        .unwrap()
        .trim_start_matches("rgb(")
        .trim_end_matches(')')
        .split(',')
        .map(|c| c.trim().parse().unwrap())
        .collect();
    assert!(rgb.iter().all(|c| *c < 80), "a dark background: {dark}");
    p.screenshot("phone-dark-results");
    s.click(&s.find("#hits > li.hit:first-child a.hit-title"));
    s.wait_for(
        "the article view",
        "return document.getElementById('main').dataset.view === 'article';",
        &[],
    );
    p.settled();
    assert_eq!(
        s.js(fits, &[]),
        json!(true),
        "the article fits a phone's width"
    );
    p.screenshot("phone-dark-article");
}

/// `--source` (and the API's `source`, which the page's source facets use) takes a
/// source in any case; several mean any of them; an unknown one names the closest.
#[test]
fn source_filter() {
    let env = crate::util::sample();
    let env = &env.env;
    let sources = |args: &[&str]| -> Vec<String> {
        let mut all: Vec<String> = env
            .hits("", &[&["--limit", "200"], args].concat())
            .iter()
            .map(|h| h["source"].as_str().unwrap_or_default().to_string())
            .collect();
        all.sort();
        all.dedup();
        all
    };
    assert_eq!(sources(&["--source", "cnn"]), ["CNN"]);
    assert_eq!(
        sources(&["--source", "CNN", "--source", "bbc"]),
        ["BBC", "CNN"]
    );
    let cnn_trump = env.hits("trump", &["--source", "CNN", "--limit", "200"]);
    assert!(!cnn_trump.is_empty());
    assert!(cnn_trump.len() < env.hits("trump", &["--limit", "200"]).len());
    let r = env.search("trump", &["--source", "CNNN"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("unknown source 'CNNN'") && r.stderr.contains("CNN"),
        "{}",
        r.stderr
    );
}

/// A server with an access token: the page asks for it once, keeps it for the tab, and
/// searches with it.
#[test]
fn token_is_asked_for_and_kept_for_the_tab() {
    let Some(p) = open_with(&[], &["--token", "s3cret-for-the-test"]) else {
        return;
    };
    let s = &p.s;
    p.visit("/?q=taiwan");
    assert_eq!(p.state(), "unauthorized");
    let input = s.find("#notice input[name=token]");
    s.type_into(&input, "s3cret-for-the-test\u{E007}");
    s.wait_for(
        "results with the token",
        "return document.getElementById('main').dataset.state === 'ready';",
        &[],
    );
    assert!(!p.hit_ids().is_empty());
    // Another search in the same tab needs no second asking.
    p.visit("/?q=korea");
    assert_eq!(p.state(), "ready");
    let errors = p.console_errors(&["401"]);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

/// `limit=0` in the page's URL asks for the count only: the page says how many match
/// and lists none (not "paged past the end").
#[test]
fn limit_zero_shows_the_count_only() {
    let Some(page) = open(&[]) else { return };
    page.visit("/?q=taiwan&limit=0");
    assert_eq!(page.state(), "empty");
    assert!(page.hit_ids().is_empty());
    let notice = page.s.text(&page.s.find("#notice"));
    let total = page.env.hits("taiwan", &["--limit", "0", "--facets"])[0]["total"]
        .as_u64()
        .unwrap();
    assert!(total > 0);
    assert!(
        notice.contains(&format!("{total} matches (limit 0: none listed)")),
        "{notice}"
    );
    assert!(page.console_errors(&[]).is_empty());
}

/// What the server searched other than as typed (a corrected word, an unknown field)
/// is a notice above the results, as text.
#[test]
fn corrections_and_unknown_fields_are_shown() {
    let Some(page) = open(&[]) else { return };
    page.visit("/?q=merkle");
    assert_eq!(page.state(), "ready");
    let notes = page.s.text(&page.s.find("#query-notes"));
    assert!(notes.contains("showing results for merkel"), "{notes}");
    assert!(!page.hit_ids().is_empty());
    page.visit("/?q=brexit%20foo%3Abar");
    let notes = page.s.text(&page.s.find("#query-notes"));
    assert!(notes.contains("unknown field \"foo\""), "{notes}");
    page.visit("/?q=brexit");
    assert_eq!(page.s.text(&page.s.find("#query-notes")), "");
    assert!(page.console_errors(&[]).is_empty());
}
