//! A strong match that lacks one word of the query is not buried under weak full
//! matches: the best partial matches rank among the full ones, marked with what they
//! lack, and paging, counts, near-copy folding, the terminal, the CSV export, the API
//! and the web page all still list every full match once and say where partial ones
//! are.

use crate::api::Server;
use crate::util::TestEnv;
use serde_json::Value;
use std::collections::BTreeSet;

const QUERY: &str = "Erdogan Dutch election";
/// Long articles that hold every word of [`QUERY`] once each, in passing.
const WEAK: usize = 12;
/// Long articles that hold two of its three words (Dutch, election), in passing.
const TAIL: usize = 25;
/// Short articles that hold one of its words (Erdogan), in the title.
const ONE: usize = 3;

/// Words that mean nothing, unique to `tag`: long bodies that share no text.
pub(crate) fn filler(tag: &str, from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("{tag}w{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A Markdown article with front matter (a fixed date and source).
pub(crate) fn article(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: 2017-03-12\nsource: Test Wire\n---\n{body}\n")
}

const STRONG_BODY: &str = "Turkish President Recep Tayyip Erdogan accused the Dutch \
    government of acting like fascists on Sunday, after Rotterdam barred two of his \
    ministers from addressing a rally. Erdogan said the Dutch would pay a price for \
    the insult, and Ankara summoned the charge d'affaires for the second day running.";

/// One article about exactly the query that lacks one of its words (and a near copy
/// of it), weak full matches, weak partial ones, and articles holding one word only.
fn blend_env() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        "strong.md",
        article("Erdogan lashes out at Dutch government", STRONG_BODY),
    );
    env.write(
        "strong-copy.md",
        article(
            "Erdogan lashes out at Dutch government",
            &format!("{STRONG_BODY} This copy was filed by a wire service."),
        ),
    );
    for n in 0..WEAK {
        let t = format!("weak{n}x");
        let body = format!(
            "{} Erdogan {} Dutch {} election {}",
            filler(&t, 0, 60),
            filler(&t, 60, 60),
            filler(&t, 120, 60),
            filler(&t, 180, 60)
        );
        env.write(
            &format!("weak/{n:02}.md"),
            article(&format!("Weekly market notes {n}"), &body),
        );
    }
    for n in 0..TAIL {
        let t = format!("tail{n}x");
        let body = format!(
            "{} Dutch {} election {}",
            filler(&t, 0, 80),
            filler(&t, 80, 80),
            filler(&t, 160, 80)
        );
        env.write(
            &format!("tail/{n:02}.md"),
            article(&format!("Regional notes {n}"), &body),
        );
    }
    for n in 0..ONE {
        let t = format!("one{n}x");
        env.write(
            &format!("one/{n}.md"),
            article(
                &format!("Erdogan visits Ankara {n}"),
                &format!("Erdogan met officials. {}", filler(&t, 0, 40)),
            ),
        );
    }
    env.ingest_ok();
    env
}

fn ids(hits: &[Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

fn is_partial(h: &Value) -> bool {
    h["partial"]
        .as_bool()
        .expect("every hit says whether it is partial")
}

/// The last line of `--json --facets`: the counts.
fn counts(env: &TestEnv, args: &[&str]) -> Value {
    let mut a = vec!["--facets"];
    a.extend_from_slice(args);
    let lines = env.search(QUERY, &a).success().json_lines();
    lines.last().unwrap().clone()
}

#[test]
fn a_strong_partial_match_ranks_among_full_ones_and_says_what_it_lacks() {
    let env = blend_env();
    let hits = env.hits(QUERY, &["--limit", "100"]);
    // The article about exactly the query comes first, though it lacks "election",
    // with its near copy folded under it.
    let first = &hits[0];
    assert!(
        first["id"].as_str().unwrap().starts_with("strong"),
        "{:?}",
        ids(&hits)
    );
    assert_eq!(first["partial"], true);
    assert_eq!(
        first["related"], false,
        "a partial match, not listed for its meaning"
    );
    assert_eq!(first["missing"], serde_json::json!(["election"]));
    assert_eq!(first["similar"], 1);
    // Full matches carry no missing word; each partial match names what it lacks.
    for h in &hits {
        let missing = h["missing"].as_array().expect("missing is a list");
        assert_eq!(missing.is_empty(), !is_partial(h), "{h:#}");
    }
    for h in hits
        .iter()
        .filter(|h| h["id"].as_str().unwrap().starts_with("tail"))
    {
        assert_eq!(h["missing"], serde_json::json!(["Erdogan"]), "{h:#}");
    }
    // Every full match is listed once, every partial story once, and an article that
    // holds one word of three (among the any-word query's best) after every full one.
    let full: Vec<&Value> = hits.iter().filter(|h| !is_partial(h)).collect();
    assert_eq!(full.len(), WEAK);
    let all = ids(&hits);
    assert_eq!(
        all.iter().collect::<BTreeSet<_>>().len(),
        all.len(),
        "{all:?}"
    );
    assert_eq!(hits.len(), WEAK + 1 + TAIL + ONE, "{all:?}");
    let last_full = hits.iter().rposition(|h| !is_partial(h)).unwrap();
    let one: Vec<usize> = (0..hits.len())
        .filter(|&i| all[i].starts_with("one/"))
        .collect();
    assert_eq!(one.len(), ONE, "{all:?}");
    for &i in &one {
        assert!(i > last_full, "{all:?}");
        assert_eq!(
            hits[i]["missing"],
            serde_json::json!(["Dutch", "election"]),
            "{:#}",
            hits[i]
        );
    }
    // Ranked among the full matches, then the remaining partial ones after them all.
    assert!(hits[..last_full].iter().any(is_partial), "{all:?}");
    assert!(hits.len() - last_full > TAIL - 20, "{all:?}");
    // `total` counts full matches only.
    let c = counts(&env, &["--limit", "3"]);
    assert_eq!(c["total"], WEAK);
    assert_eq!(c["stories"], WEAK);
    // Sorted by date, only full matches are listed, as before.
    let newest = env.hits(QUERY, &["--limit", "100", "--sort", "newest"]);
    assert!(newest.iter().all(|h| !is_partial(h)), "{:?}", ids(&newest));
    assert_eq!(newest.len(), WEAK);
}

#[test]
fn pages_slice_one_ordering_each_article_once() {
    let env = blend_env();
    for extra in [&[][..], &["--all"][..]] {
        let mut args = vec!["--limit", "100"];
        args.extend_from_slice(extra);
        let whole = ids(&env.hits(QUERY, &args));
        for limit in [1usize, 3, 7] {
            let mut paged = Vec::new();
            let mut offset = 0;
            loop {
                let (l, o) = (limit.to_string(), offset.to_string());
                let mut a = vec!["--limit", l.as_str(), "--offset", o.as_str()];
                a.extend_from_slice(extra);
                let page = ids(&env.hits(QUERY, &a));
                if page.is_empty() {
                    break;
                }
                assert!(page.len() <= limit);
                paged.extend(page);
                offset += limit;
            }
            assert_eq!(paged, whole, "limit {limit} {extra:?}");
        }
        // Every copy shown: both copies of the strong article, next to each other.
        if !extra.is_empty() {
            assert_eq!(whole.len(), WEAK + 2 + TAIL + ONE, "{whole:?}");
            assert!(
                whole[..2].iter().all(|i| i.starts_with("strong")),
                "{whole:?}"
            );
        }
    }
}

#[test]
fn the_terminal_says_what_a_partial_hit_lacks_and_where_partial_ones_are() {
    let env = blend_env();
    let r = env
        .run(&["search", QUERY, "--index", env.index.to_str().unwrap()])
        .success();
    let out = &r.stdout;
    assert!(
        out.lines()
            .nth(1)
            .unwrap()
            .contains("+1 similar · partial match, lacks: election"),
        "{out}"
    );
    let footer = out.lines().last().unwrap();
    assert_eq!(
        footer,
        "1–10 of 41: 12 matches holding every word; partial matches (some of the words): 29 stories (30 articles), \
         the best ranked among the full ones, the rest after them; near copies folded (--all shows them)",
        "{out}"
    );
    // Only partial matches: no full one to rank among.
    let r = env
        .run(&[
            "search",
            "Dutch election zebra",
            "--index",
            env.index.to_str().unwrap(),
        ])
        .success();
    let footer = r.stdout.lines().last().unwrap().to_string();
    assert!(
        footer.starts_with(
            "1–10: no article holds every word; partial matches (some of the words): "
        ) && !footer.contains("ranked among"),
        "{footer}"
    );
    assert!(
        r.stdout.contains("partial match, lacks: zebra"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_api_and_the_csv_list_every_full_match_once() {
    let env = blend_env();
    let srv = Server::start(&env, &[], &[]);
    let q = "Erdogan%20Dutch%20election";
    let all = srv.json(&format!("/api/search?q={q}&limit=100"));
    assert_eq!(all["total"], WEAK);
    assert_eq!(all["partial_total"], 2 + TAIL + ONE);
    assert_eq!(all["partial_stories"], 1 + TAIL + ONE);
    let hits = all["hits"].as_array().unwrap();
    assert_eq!(hits[0]["missing"], serde_json::json!(["election"]));
    let full: Vec<String> = hits
        .iter()
        .filter(|h| !is_partial(h))
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    // A page that shows a partial match ranked among full ones counts them.
    let first = srv.json(&format!("/api/search?q={q}&limit=2"));
    assert_eq!(first["partial_total"], 2 + TAIL + ONE);
    // So do the counts alone (limit=0), as the list has them.
    let counts = srv.json(&format!("/api/search?q={q}&limit=0"));
    assert_eq!(counts["total"], WEAK);
    assert_eq!(counts["partial_total"], 2 + TAIL + ONE);
    assert_eq!(counts["partial_stories"], 1 + TAIL + ONE);
    let rows = |path: &str| -> Vec<String> {
        let r = srv.get(path);
        assert_eq!(r.status, 200, "{path}");
        csv::Reader::from_reader(r.body.as_slice())
            .records()
            .map(|r| r.unwrap()[1].to_string())
            .collect()
    };
    // Every full match, in the search's order, none twice and no partial one, though
    // the first page starts with a partial match.
    assert_eq!(rows(&format!("/api/search.csv?q={q}")), full);
    for n in [1usize, 5, 11, 12] {
        assert_eq!(
            rows(&format!("/api/search.csv?q={q}&limit={n}")),
            full[..n].to_vec(),
            "limit {n}"
        );
    }
    let log = srv.stop();
    assert!(!log.contains("panic"), "{log}");
}

#[test]
fn the_web_page_says_what_a_partial_hit_lacks_as_text() {
    let Some(p) = crate::browser::open(&[]) else {
        return;
    };
    // The hostile article holds "hostile" and "headline"; the third word, as typed,
    // is markup that must show as text.
    p.visit("/?q=hostile+headline+x%3Cb%3Ey%3C%2Fb%3Ez");
    let s = &p.s;
    let lacks = s.text(&s.find("#hits > li.hit:first-child .missing"));
    assert_eq!(lacks, "lacks: x<b>y</b>z");
    let bold = s.js("return document.querySelectorAll('main b').length;", &[]);
    assert_eq!(bold, 0, "nothing the user typed became markup");
    assert!(p.summary().contains("partial match"), "{}", p.summary());
    assert!(!p.summary().contains("ranked among"), "{}", p.summary());
    let errors = p.console_errors(&[]);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[test]
fn a_later_page_counts_the_partial_matches_an_earlier_one_showed() {
    let env = blend_env();
    // Four a page: the strong partial match and three full ones, then full matches
    // 4–7, 8–11, and the twelfth with partial ones on page 4. A pager on page 3 that
    // counted only the 12 full stories would offer no page 4.
    let srv = Server::start(&env, &[], &[]);
    let page3 = srv.json("/api/search?q=Erdogan%20Dutch%20election&limit=4&offset=8");
    assert_eq!(page3["stories"], WEAK, "{page3:#}");
    assert_eq!(page3["partial_stories"], 1 + TAIL + ONE, "{page3:#}");
    let hits = env.hits(QUERY, &["--limit", "4", "--offset", "12"]);
    assert!(
        !is_partial(&hits[0]),
        "the twelfth full match: {:?}",
        ids(&hits)
    );
}

/// `full` articles about a harbour strike (both words in title and body), and two
/// long ones that say "harbour" once: partial matches of `harbour strike`.
fn harbour_env(full: usize) -> TestEnv {
    let env = TestEnv::new();
    for n in 0..full {
        env.write(
            &format!("full/{n}.md"),
            article(
                &format!("Harbour strike {n}"),
                "Harbour strike talks went on.",
            ),
        );
    }
    for n in 0..2 {
        let t = format!("half{n}x");
        env.write(
            &format!("half/{n}.md"),
            article(
                &format!("Notes {n}"),
                &format!("{} harbour {}", filler(&t, 0, 80), filler(&t, 80, 80)),
            ),
        );
    }
    env.ingest_ok();
    env
}

#[test]
fn a_page_ending_exactly_with_the_full_matches_counts_the_partial_ones_after_it() {
    let env = harbour_env(3);
    let srv = Server::start(&env, &[], &[]);
    let page = srv.json("/api/search?q=harbour%20strike&limit=3");
    let hits = page["hits"].as_array().unwrap();
    assert!(hits.iter().all(|h| !is_partial(h)), "{page:#}");
    assert_eq!(page["stories"], 3, "{page:#}");
    // The next page holds the partial matches: the counts say so.
    assert_eq!(page["partial_stories"], 2, "{page:#}");
    let next = srv.json("/api/search?q=harbour%20strike&limit=3&offset=3");
    assert_eq!(next["hits"].as_array().unwrap().len(), 2, "{next:#}");
}

/// A first page of full matches that does not count the partial ones after them says
/// that they follow (`partial_uncounted`, and the footer), so that its count is not
/// taken for the list's; a page that counts them says how many instead.
#[test]
fn a_page_that_does_not_count_the_partial_matches_says_they_follow() {
    let env = harbour_env(6);
    let last = |args: &[&str]| -> Value {
        let mut a = vec!["--facets"];
        a.extend_from_slice(args);
        let lines = env.search("harbour strike", &a).success().json_lines();
        lines.last().unwrap().clone()
    };
    let first = last(&["--limit", "2"]);
    assert_eq!(first["partial_total"], 0, "{first:#}");
    assert_eq!(first["partial_uncounted"], true, "{first:#}");
    let all = last(&["--limit", "10"]);
    assert_eq!(all["partial_total"], 2, "{all:#}");
    assert_eq!(all["partial_uncounted"], false, "{all:#}");
    let idx = env.index.to_str().unwrap();
    let r = env
        .run(&["search", "harbour strike", "--limit", "2", "--index", idx])
        .success();
    assert!(
        r.stdout
            .contains("1–2 of 6 matches; partial matches (some of the words) follow them"),
        "{r:?}"
    );
    // A query every match holds whole has none to say.
    let one = env
        .search("harbour", &["--facets", "--limit", "2"])
        .success()
        .json_lines();
    assert_eq!(one.last().unwrap()["partial_uncounted"], false);
}

#[test]
fn a_long_query_finds_the_article_that_says_its_common_words_otherwise() {
    // Five words, three of them common: the article about the need says "Sweden" and
    // "military" (two of five, less than half) and puts the rest in other words;
    // articles holding the three common words are many. A partial match holds two
    // words, and each word weighs by how rare it is in the archive.
    const Q: &str = "sweden brings back military draft";
    let env = TestEnv::new();
    env.write(
        "about.md",
        article(
            "Sweden reintroduces conscription",
            "Sweden will reintroduce compulsory military service next year, the \
             government in Stockholm said. Sweden faces new threats, and the military \
             cannot fill its ranks with volunteers alone.",
        ),
    );
    for n in 0..30 {
        let t = format!("common{n}x");
        env.write(
            &format!("common/{n:02}.md"),
            article(
                &format!("Town brings back its old market {n}"),
                &format!(
                    "{} The military band played, and it brings the crowds back. {}",
                    filler(&t, 0, 40),
                    filler(&t, 40, 40)
                ),
            ),
        );
    }
    for n in 0..30 {
        let t = format!("plain{n}x");
        env.write(
            &format!("plain/{n:02}.md"),
            article(
                &format!("Local notes {n}"),
                &format!("She brings the book back. {}", filler(&t, 0, 60)),
            ),
        );
    }
    env.write(
        "one-word.md",
        article("Sweden wins the ice hockey final", "Sweden won on Sunday."),
    );
    env.ingest_ok();
    let hits = env.hits(Q, &["--limit", "100"]);
    let all = ids(&hits);
    let about = hits
        .iter()
        .position(|h| h["id"].as_str().unwrap().starts_with("about"))
        .unwrap_or_else(|| panic!("the article about the need is listed: {all:?}"));
    assert!(about < 3, "it ranks among the first three: {all:?}");
    assert_eq!(
        hits[about]["missing"],
        serde_json::json!(["brings", "back", "draft"])
    );
    // One word of five, among the any-word query's best, is listed below it.
    let one = all.iter().position(|i| i.starts_with("one-word"));
    assert!(one.is_some_and(|i| i > about), "{all:?}");
}

#[test]
fn an_article_about_what_the_best_matches_share_ranks_above_one_that_names_the_words_in_passing() {
    // Three articles about Storm Doris; a fourth about it too, whose title says
    // neither word; and one about a novelist named Doris whose long title names her,
    // its body a "storm of interest". By its words alone the novelist's ranks fourth
    // (a title word weighs twenty body words); the best three share the storm's
    // other words (gusts, trains, power, the Met Office), and the fourth about the
    // storm shares them too.
    let env = TestEnv::new();
    let storm = "The Met Office issued an amber warning as gusts of wind reached 94mph. \
        Trains were cancelled, flights were grounded at Heathrow, fallen trees blocked \
        roads and thousands of homes lost power.";
    for (name, title, lead) in [
        (
            "s1",
            "Storm Doris batters Britain",
            "Storm Doris swept across Britain on Thursday.",
        ),
        (
            "s2",
            "Storm Doris: trains cancelled and flights grounded",
            "Rail operators said Storm Doris left lines blocked.",
        ),
        (
            "s3",
            "Storm Doris brings gusts of 94mph",
            "Forecasters said Storm Doris was the strongest this winter.",
        ),
    ] {
        env.write(
            &format!("{name}.md"),
            article(title, &format!("{lead} {storm}")),
        );
    }
    env.write(
        "about.md",
        article(
            "Gusts of 94mph cut power to thousands",
            "The Met Office said gusts of wind reached 94mph as Storm Doris swept in. \
             Trains were cancelled, flights were grounded and fallen trees blocked \
             roads; thousands of homes lost power.",
        ),
    );
    env.write(
        "passing.md",
        article(
            "Letters and diaries of the novelist Doris Lessing, the Nobel laureate, go \
             on show at the British Library in London this spring",
            "The papers of the novelist go on show at the British Library. Her letters \
             caused a storm of interest among scholars, who will read her drafts, her \
             diaries and her notes on the golden notebook.",
        ),
    );
    for n in 0..20 {
        env.write(
            &format!("other/{n:02}.md"),
            article(
                &format!("Budget talks resume in parliament {n}"),
                &format!(
                    "Ministers met to discuss the budget, taxes and spending on schools \
                     and hospitals, round {n} of talks."
                ),
            ),
        );
    }
    env.ingest_ok();
    let all = ids(&env.hits("storm doris", &["--all"]));
    assert_eq!(all.len(), 5, "{all:?}");
    let at = |p: &str| all.iter().position(|i| i.starts_with(p)).unwrap();
    assert!(at("about") < at("passing"), "{all:?}");
    assert!(
        ["s1", "s2", "s3"].iter().all(|s| at(s) < at("about")),
        "{all:?}"
    );
}
