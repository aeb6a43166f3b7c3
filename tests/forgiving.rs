//! Queries that forgive: possessives and clitics, prefixes, fields in the query string
//! and misspelt words, each through the real binary on the sample corpus, with the
//! notices that say what was searched, and exact queries unchanged.

use crate::util::sample;

/// One article as a JSON line (`id`, `title`, `body`; none holds a quote).
fn jsonl_line(id: usize, title: &str, body: &str) -> String {
    format!("{{\"id\":\"{id}\",\"title\":\"{title}\",\"body\":\"{body}\"}}\n")
}

/// A new archive of one JSON-lines file, `name`, of the articles `rows` (`id`, `title`,
/// `body`), ingested.
fn archive_of(name: &str, rows: &[(usize, &str, &str)]) -> crate::util::TestEnv {
    let env = crate::util::TestEnv::new();
    let lines: String = rows
        .iter()
        .map(|&(id, t, b)| jsonl_line(id, t, b))
        .collect();
    env.write(name, lines);
    env.ingest(&[]);
    env
}

/// The ids `query` finds in `env` with `args`, sorted.
fn sorted_ids(env: &crate::util::TestEnv, query: &str, args: &[&str]) -> Vec<String> {
    let mut v = env.ids(query, args);
    v.sort();
    v
}

/// The ids of `query`'s full matches (every copy listed), sorted.
fn sorted_full_ids(env: &crate::util::TestEnv, query: &str) -> Vec<String> {
    let mut ids: Vec<String> = env
        .hits(query, &["--all"])
        .iter()
        .filter(|h| h["partial"] == false)
        .filter_map(|h| h["id"].as_str().map(String::from))
        .collect();
    ids.sort();
    ids
}

fn titles(query: &str, args: &[&str]) -> Vec<String> {
    sample()
        .env
        .hits(query, args)
        .iter()
        .map(|h| h["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

const TAIWAN_RETURN: &str = "Xi tells Trump Taiwan's return to China is part of post-war order";

#[test]
fn a_phrase_finds_the_possessive_form() {
    // The article says "Taiwan's return"; the phrase without the possessive finds it.
    assert!(titles("\"taiwan return\"", &["--limit", "50"]).contains(&TAIWAN_RETURN.to_string()));
    // Written with the possessive, straight or curly, the phrase finds it too.
    assert!(titles("\"Taiwan’s return\"", &["--limit", "50"]).contains(&TAIWAN_RETURN.to_string()));
    assert!(titles("\"taiwan's return\"", &["--limit", "50"]).contains(&TAIWAN_RETURN.to_string()));
    // The possessive is only a possessive: other words between still break the phrase.
    assert!(!titles("\"taiwan china\"", &["--limit", "50"]).contains(&TAIWAN_RETURN.to_string()));
}

#[test]
fn a_quoted_passage_with_possessives_finds_its_article() {
    let env = crate::util::TestEnv::new();
    let body = "Questions about the campaign's contact with Russians, General Flynn's resignation and the president's tweets went on.";
    env.write("q.jsonl", jsonl_line(1, "Week in review", body));
    env.ingest(&[]);
    for q in [
        "\"campaign's contact with Russians, General Flynn's resignation\"",
        "\"contact with Russians, General Flynn's resignation and the president's tweets\"",
        "\"contact with Russians General Flynn resignation\"",
    ] {
        assert_eq!(env.ids(q, &["--exact"]), ["q.jsonl#1"], "{q}");
    }
}

#[test]
fn a_word_held_only_in_a_subtitle_is_no_typo() {
    let env = crate::util::TestEnv::new();
    let mut lines = String::from(
        "{\"id\":\"1\",\"title\":\"Nerve agent attack\",\"subtitle\":\"An improbable plot\",\"body\":\"VX was used.\"}\n",
    );
    for i in 2..40 {
        lines.push_str(&jsonl_line(
            i,
            "Report",
            "The importance of the report is clear.",
        ));
    }
    env.write("s.jsonl", lines);
    env.ingest(&[]);
    assert_eq!(env.ids("improbable", &[]), ["s.jsonl#1"]);
    assert_eq!(env.ids("improbable VX", &[]), ["s.jsonl#1"]);
}

#[test]
fn other_engines_marks_are_read_or_left_out_and_said() {
    let env = &sample().env;
    let idx = env.index.to_str().unwrap();
    let warned = |q: &str| -> String {
        let r = env.run(&["search", q, "--index", idx]).success();
        r.stderr_line("warning:").to_string()
    };
    let ids = |q: &str| {
        let mut v: Vec<String> = env
            .hits(q, &["--all", "--limit", "1000"])
            .iter()
            .filter_map(|h| h["id"].as_str().map(str::to_string))
            .collect();
        v.sort();
        v
    };
    // `|` is OR; `~2` and a leading `*` are left out.
    assert!(warned("brexit | trump").contains("read as OR"));
    assert_eq!(ids("brexit | trump"), ids("brexit OR trump"));
    assert!(warned("brexit~2").contains("'~2'"));
    assert_eq!(ids("brexit~2"), ids("brexit"));
    assert!(warned("*brexit").contains("cannot start with '*'"));
    assert_eq!(ids("*brexit"), ids("brexit"));
    // An excluded word no article holds is said to leave nothing out.
    let w = warned("brexit -zzqxw");
    assert!(
        w.contains("-zzqxw") && w.contains("nothing was left out"),
        "{w}"
    );
    // … nor a word no title holds, excluded from titles.
    let w = warned("brexit -title:zzqxw");
    assert!(
        w.contains("-title:zzqxw") && w.contains("in its title"),
        "{w}"
    );
    let r = env
        .run(&["search", "brexit -trump", "--index", idx])
        .success();
    assert!(!r.stderr.contains("warning"), "{r:?}");
}

#[test]
fn a_query_that_finds_nothing_offers_the_closest_word() {
    let env = crate::util::TestEnv::new();
    let mut lines = String::new();
    for i in 1..=3 {
        lines.push_str(&jsonl_line(i, "UN chief speaks", "Antonio Guterres spoke."));
    }
    lines.push_str(&jsonl_line(4, "Other news", "Nothing else."));
    env.write("g.jsonl", lines);
    env.ingest(&[]);
    let idx = env.index.to_str().unwrap();
    // Two edits from "guterres" is past a correction: offered, not searched.
    let r = env.run(&["search", "Guterez", "--index", idx]).success();
    let w = r.stderr_line("warning:");
    assert!(
        w.contains("\"Guterez\"") && w.contains("\"guterres\" (3 articles)"),
        "{w}"
    );
    assert!(r.stdout.contains("No articles match"), "{r:?}");
    // --json: the last line carries it.
    let lines = env.search("Guterez", &[]).success().json_lines();
    let last = lines.last().expect("a warnings line");
    assert!(
        last["warnings"][0].as_str().unwrap().contains("guterres"),
        "{last}"
    );
    // A word nothing is close to gets no offer; nor does a query that finds articles.
    let r = env.run(&["search", "zzqxw", "--index", idx]).success();
    assert!(!r.stderr.contains("warning"), "{r:?}");
    let r = env.run(&["search", "Guterres", "--index", idx]).success();
    assert!(!r.stderr.contains("warning"), "{r:?}");
}

/// Between two words as close to a word no article holds, the one that keeps its first
/// letter is offered, though the other is more frequent (`lybia`: Libya, not Syria).
#[test]
fn the_offered_word_keeps_the_first_letter_where_as_close() {
    let mut rows: Vec<(usize, &str, &str)> = Vec::new();
    for i in 0..12 {
        rows.push((i, "Libya talks", "Oil output in Libya rose."));
    }
    for i in 12..40 {
        rows.push((i, "Syria talks", "Fighting in Syria went on."));
    }
    let env = archive_of("a.jsonl", &rows);
    let lines = env.search("lybia", &[]).success().json_lines();
    let w = lines.last().unwrap()["warnings"][0]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(w.contains("\"libya\" (12 articles)"), "{w}");
}

#[test]
fn a_period_that_finds_nothing_says_when_the_archive_was_published() {
    let env = &sample().env;
    let idx = env.index.to_str().unwrap();
    let stats = env
        .run(&["stats", "--json", "--index", idx])
        .success()
        .json_lines();
    let (first, last) = (
        stats[0]["earliest"].as_str().unwrap().to_string(),
        stats[0]["latest"].as_str().unwrap().to_string(),
    );
    for args in [
        vec!["search", "trump", "--from", "2099", "--index", idx],
        vec!["search", "trump from:2099", "--index", idx],
    ] {
        let r = env.run(&args).success();
        let w = r.stderr_line("warning:");
        assert!(w.contains(&first) && w.contains(&last), "{args:?}: {w}");
    }
    let r = env
        .run(&["search", "trump", "--from", "2000", "--index", idx])
        .success();
    assert!(!r.stderr.contains("published from"), "{r:?}");
}

#[test]
fn show_prints_the_subtitle() {
    let env = crate::util::TestEnv::new();
    env.write(
        "s.jsonl",
        "{\"id\":\"1\",\"title\":\"Vote delayed\",\"subtitle\":\"The count resumes on Monday\",\"body\":\"Officials said little.\"}\n",
    );
    env.ingest(&[]);
    let r = env
        .run(&["show", "s.jsonl#1", "--index", env.index.to_str().unwrap()])
        .success();
    let sub = r
        .stdout
        .find("The count resumes on Monday")
        .expect("the subtitle");
    assert!(
        sub < r.stdout.find("Officials said little.").unwrap(),
        "{}",
        r.stdout
    );
}

#[test]
fn a_name_finds_its_possessive() {
    // "Xi's" in the text is found by "xi", and the query "Xi's" finds "Xi".
    let xi = titles("xi", &["--limit", "50"]);
    assert!(xi.contains(&TAIWAN_RETURN.to_string()), "{xi:?}");
    assert_eq!(titles("Xi's", &["--limit", "50"]), xi);
}

fn ids(query: &str) -> Vec<String> {
    let mut v = sample().env.ids(query, &["--limit", "100", "--all"]);
    v.sort();
    v
}

#[test]
fn a_prefix_matches_the_words_that_start_with_it() {
    let brexit = ids("brexit");
    assert!(!brexit.is_empty());
    let brex = ids("brex*");
    for id in &brexit {
        assert!(brex.contains(id), "brex* misses {id}");
    }
    // The snippet highlights the word the prefix found.
    let hit = &sample().env.hits("brex*", &["--limit", "1"])[0];
    let marks = crate::util::highlighted(&hit["snippets"][0]);
    assert!(
        marks.iter().any(|m| m.to_lowercase().starts_with("brex")),
        "{marks:?}"
    );
    // A word whose stem is shorter than the prefix: negotiat* → negotiate (negoti).
    assert_eq!(
        ids("negotiat*"),
        ids("negotiation OR negotiate OR negotiations OR negotiating")
    );
    // Nothing starts with it: nothing matches, and a required prefix still requires
    // (what follows are partial matches, as for any word the index lacks).
    assert!(ids("zzqx*").is_empty());
    let hits = sample().env.hits("brexit zzqx*", &["--limit", "100"]);
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["partial"] == true), "{hits:#?}");
    // Without the star the word is the word.
    assert!(ids("brex").is_empty());
}

#[test]
fn title_in_the_query_searches_titles_only() {
    let hits = sample().env.hits("title:brexit", &["--limit", "100"]);
    assert!(!hits.is_empty());
    for h in &hits {
        let t = h["title"].as_str().unwrap().to_lowercase();
        assert!(t.contains("brexit"), "{t}");
    }
    assert!(hits.len() < ids("brexit").len());
    // A title phrase, and a title word beside ordinary ones.
    let phrase = titles("title:\"brexit bill\"", &[]);
    assert!(
        !phrase.is_empty()
            && phrase
                .iter()
                .all(|t| t.to_lowercase().contains("brexit bill"))
    );
    let full: Vec<_> = sample()
        .env
        .hits("title:brexit parliament", &[])
        .into_iter()
        .filter(|h| h["partial"] == false)
        .collect();
    assert!(!full.is_empty());
    for h in full {
        let t = h["title"].as_str().unwrap().to_lowercase();
        assert!(t.contains("brexit"), "{t}");
    }
}

#[test]
fn a_filter_field_with_a_minus_leaves_its_articles_out() {
    let env = &sample().env;
    let all = |q: &str| {
        let mut v = env.ids(q, &["--limit", "1000", "--all"]);
        v.sort();
        v
    };
    let trump = all("trump");
    let cnn = all("trump source:cnn");
    let rest = all("trump -source:cnn");
    assert!(!cnn.is_empty() && !rest.is_empty());
    // The two halves are the whole, with nothing in both.
    let mut both: Vec<String> = cnn.iter().chain(&rest).cloned().collect();
    both.sort();
    assert_eq!(both, trump);
    // A tag with a minus, named as a flag would name it, the same way; no warning.
    let r = env.search("trump -country:russia", &["--limit", "1000", "--all"]);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let russia = all("trump country:RU");
    let not_russia = all("trump -country:RU");
    assert!(!russia.is_empty() && !not_russia.is_empty());
    assert!(russia.iter().all(|id| !not_russia.contains(id)));
    assert_eq!(russia.len() + not_russia.len(), trump.len());
    // With no words, the newest articles but those.
    let newest = all("-source:cnn");
    assert!(!newest.is_empty() && newest.iter().all(|id| !cnn.contains(id)));
    // An unknown value is the field's own error.
    let r = env.search("trump -source:nosuchoutlet", &[]).code(2);
    assert!(r.stderr.contains("source"), "{}", r.stderr);
    // A search whose last line carries warnings: the hits' ids, and the warnings.
    let warned = |q: &str| {
        let r = env.search(q, &["--limit", "1000", "--all"]).success();
        let mut ids: Vec<String> = r
            .json_lines()
            .iter()
            .filter_map(|h| h["id"].as_str().map(str::to_string))
            .collect();
        ids.sort();
        (ids, r.stderr)
    };
    // In brackets, a field filters the whole query, and a warning says so.
    let (ids, said) = warned("trump (-source:cnn)");
    assert!(said.contains("whole query"), "{said}");
    assert_eq!(ids, rest);
    // No value: said, and searched without it (not the word "source").
    let (ids, said) = warned("trump -source:");
    assert!(said.contains("no source given"), "{said}");
    assert_eq!(ids, trump);
    // Sources beside OR are any of them; the OR left alone is not "searched".
    let (ids, said) = warned("trump source:cnn OR source:cnn.com");
    assert!(said.is_empty(), "{said}");
    assert_eq!(ids, cnn);
    // An empty link, or a value longer than any name, is an error at once.
    let r = env.search("trump", &["--url", ""]).code(2);
    assert!(r.stderr.contains("--url"), "{}", r.stderr);
    let long = format!("leader:{}", "x".repeat(5000));
    let r = env.search(&long, &[]).code(2);
    assert!(r.stderr.contains("longer than"), "{}", r.stderr);
}

#[test]
fn a_pasted_link_finds_its_article() {
    let env = &sample().env;
    let hits = env.hits("north korea", &["--limit", "100", "--all"]);
    let hit = hits
        .iter()
        .find(|h| h["url"].as_str().is_some_and(|u| u.starts_with("http")))
        .expect("a hit with a url");
    let url = hit["url"].as_str().unwrap();
    let id = hit["id"].as_str().unwrap().to_string();
    // As pasted, and in the other forms of the same link; through the flag too.
    let bare = url.split_once("://").unwrap().1;
    let bare = bare.strip_prefix("www.").unwrap_or(bare);
    for q in [
        url.to_string(),
        format!("https://www.{bare}/?utm_source=feed#top"),
        format!("url:{bare}"),
    ] {
        assert_eq!(env.ids(&q, &["--all"]), vec![id.clone()], "{q}");
    }
    assert_eq!(env.ids("", &["--url", url, "--all"]), vec![id.clone()]);
    // Its words beside it are searched in that article.
    assert_eq!(env.ids(&format!("{url} korea"), &["--all"]), vec![id]);
    assert!(env
        .ids(&format!("{url} zzzzqx"), &["--all", "--exact"])
        .is_empty());
    // An address no article has finds nothing, and says so.
    assert!(env.ids("https://example.com/no/such/story", &[]).is_empty());
}

#[test]
fn a_pasted_link_without_the_parameters_of_a_feed_finds_its_article() {
    let env = crate::util::TestEnv::new();
    let rows = [
        (
            1,
            "Floods hit the north",
            "https://www.dw.com/en/floods/a-123?maca=en-rss-en-all",
        ),
        (2, "Market report", "https://example.com/view.php?id=1"),
        (3, "Weather report", "https://example.com/view.php?id=2"),
    ];
    let lines: String = rows
        .iter()
        .map(|&(id, t, u)| {
            format!("{{\"id\":\"{id}\",\"title\":\"{t}\",\"body\":\"{t}.\",\"url\":\"{u}\"}}\n")
        })
        .collect();
    env.write("l.jsonl", lines);
    env.ingest(&[]);
    let ids = |u: &str| {
        let mut v = env.ids("", &["--url", u, "--all"]);
        v.sort();
        v
    };
    // As the archive has it, without its feed's parameter, or with another one.
    for u in [
        "https://www.dw.com/en/floods/a-123?maca=en-rss-en-all",
        "https://www.dw.com/en/floods/a-123",
        "dw.com/en/floods/a-123?ref=home",
    ] {
        assert_eq!(ids(u), ["l.jsonl#1"], "{u}");
    }
    // Where several articles share a path, the query tells them apart: one that
    // none has finds none; the path alone finds each.
    assert_eq!(ids("https://example.com/view.php?id=2"), ["l.jsonl#3"]);
    assert!(ids("https://example.com/view.php?id=9").is_empty());
    assert_eq!(ids("example.com/view.php"), ["l.jsonl#2", "l.jsonl#3"]);
}

#[test]
fn via_place_without_a_country_says_it_does_nothing() {
    let env = &sample().env;
    let r = env.search("trump", &["--via-place"]).success();
    assert!(r.stderr.contains("--via-place"), "{}", r.stderr);
    let r = env
        .search("trump", &["--via-place", "--country", "US"])
        .success();
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let r = env.search("trump country:US", &["--via-place"]).success();
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn filter_fields_in_the_query_are_the_flags() {
    let same = |q: &str, flag_q: &str, flags: &[&str]| {
        let mut args = vec!["--limit", "100", "--all"];
        args.extend_from_slice(flags);
        let mut a = sample().env.ids(q, &["--limit", "100", "--all"]);
        let mut b = sample().env.ids(flag_q, &args);
        a.sort();
        b.sort();
        assert!(!a.is_empty(), "{q}: no hit");
        assert_eq!(a, b, "{q} vs {flag_q} {flags:?}");
    };
    same("source:cnn trump", "trump", &["--source", "cnn"]);
    same("trump Source:CNN", "trump", &["--source", "CNN"]);
    same(
        "country:taiwan leader:xi",
        "",
        &["--country", "TW", "--leader", "Xi Jinping"],
    );
    same("org:nato", "", &["--org", "nato"]);
    same("leader:\"Xi Jinping\" trade", "trade", &["--leader", "xi"]);
    // A value of several words needs no quotes where the words make a value the index
    // knows; the words after it are searched.
    same(
        "source:al jazeera korea",
        "korea",
        &["--source", "Al Jazeera"],
    );
    same("country:south korea", "", &["--country", "KR"]);
    // An unclosed quote after a field closes at the end.
    same("title:\"north korea", "title:\"north korea\"", &[]);
    same(
        "trump from:2017-03 to:2017-03",
        "trump",
        &["--from", "2017-03", "--to", "2017-03"],
    );
    // A bound in the query and one by flag: both hold (the narrower wins).
    let mut a = sample().env.ids(
        "trump from:2017-01 to:2017-12",
        &[
            "--limit", "100", "--all", "--from", "2017-03", "--to", "2017-03",
        ],
    );
    let mut b = sample().env.ids(
        "trump",
        &[
            "--limit", "100", "--all", "--from", "2017-03", "--to", "2017-03",
        ],
    );
    a.sort();
    b.sort();
    assert_eq!(a, b);
    // An unknown value is the flag's error, naming the field's closest values.
    let r = sample().env.search("country:narnia", &[]).code(2);
    assert!(r.stderr.contains("unknown country 'narnia'"), "{r:?}");
}

#[test]
fn an_unknown_field_is_searched_as_words_with_a_warning() {
    let env = &sample().env;
    // Text output: a warning line on stderr naming the field and the words searched.
    let r = env
        .run(&[
            "search",
            "brexit foo:bar",
            "--index",
            env.index.to_str().unwrap(),
        ])
        .success();
    let w = r.stderr_line("warning:");
    assert!(w.contains("\"foo\"") && w.contains("\"foo bar\""), "{w}");
    // --json: the last line says so.
    let lines = env.search("foo:bar", &[]).success().json_lines();
    let last = lines.last().expect("a last line");
    assert_eq!(
        last["warnings"].as_array().map(Vec::len),
        Some(1),
        "{lines:?}"
    );
    assert!(last["id"].is_null());
    // With facets, the facets line carries it.
    let lines = env
        .search("brexit foo:bar", &["--facets"])
        .success()
        .json_lines();
    let last = lines.last().unwrap();
    assert!(
        last["facets"].is_object() && last["warnings"].is_array(),
        "{last}"
    );
    // A query without fields has no such line and no warning.
    let r = env.search("brexit", &[]).success();
    assert!(r.stderr.is_empty(), "{r:?}");
    assert!(r.json_lines().iter().all(|l| l["id"].is_string()));
}

#[test]
fn the_api_carries_the_warnings() {
    let (server, _) = crate::api::sample_server();
    let v = server.json(&format!(
        "/api/search?q={}",
        crate::api::enc("brexit foo:bar")
    ));
    let w = v["warnings"].as_array().expect("warnings is an array");
    assert_eq!(w.len(), 1, "{v}");
    assert!(w[0].as_str().unwrap().contains("\"foo\""));
    let v = server.json("/api/search?q=brexit");
    assert_eq!(v["warnings"], serde_json::json!([]));
    assert!(v["corrected_query"].is_null());
    // Fields in the query work through the API as through the flags.
    let a = server.json(&format!(
        "/api/search?q={}&limit=100",
        crate::api::enc("trump source:cnn")
    ));
    let b = server.json("/api/search?q=trump&source=cnn&limit=100");
    assert_eq!(a["total"], b["total"]);
    assert!(a["total"].as_u64().unwrap() > 0);
}

#[test]
fn author_in_the_query_and_as_a_flag() {
    let env = crate::util::TestEnv::new();
    env.write(
        "a.jsonl",
        concat!(
            r#"{"id":"1","title":"Harbour talks","body":"Talks at the harbour went on.","author":"Jane Doe"}"#,
            "\n",
            r#"{"id":"2","title":"Harbour strike","body":"The harbour strike went on.","authors":["John Smith","Ann Lee"]}"#,
            "\n"
        ),
    );
    env.ingest_ok();
    let ids = |q: &str, args: &[&str]| {
        let mut v = env.ids(q, args);
        v.sort();
        v
    };
    assert_eq!(ids("harbour author:doe", &[]).len(), 1);
    assert_eq!(ids("harbour author:\"john smith\"", &[]).len(), 1);
    assert_eq!(
        ids("harbour", &["--author", "Ann Lee"]),
        ids("harbour author:smith", &[])
    );
    assert_ne!(ids("author:doe", &[]), ids("author:lee", &[]));
    let r = env.search("harbour author:nobody", &[]).code(2);
    assert!(r.stderr.contains("author"), "{r:?}");
}

/// The ids of the hit lines of `search --json` (a last line without an id says what
/// was searched), and that last line if there is one.
fn search_json(query: &str, args: &[&str]) -> (Vec<String>, Option<serde_json::Value>, String) {
    let mut a = vec!["--limit", "100", "--all"];
    a.extend_from_slice(args);
    let r = sample().env.search(query, &a).success();
    let mut ids = Vec::new();
    let mut last = None;
    if !r.stdout.trim_start().starts_with("No articles match") {
        for l in r.json_lines() {
            match l["id"].as_str() {
                Some(id) => ids.push(id.to_string()),
                None => last = Some(l),
            }
        }
    }
    ids.sort();
    (ids, last, r.stderr)
}

#[test]
fn a_misspelt_word_is_corrected_and_said_so() {
    for (typo, right) in [
        ("merkle", "merkel"),
        ("erdogn", "erdogan"),
        ("netanyahou", "netanyahu"),
        ("Erdogn", "Erdogan"),
        ("presidnet", "president"),
        ("goverment", "government"),
    ] {
        let (want, none, err) = search_json(right, &[]);
        assert!(
            !want.is_empty() && none.is_none() && err.is_empty(),
            "{right}: {err}"
        );
        let (got, last, err) = search_json(typo, &[]);
        assert_eq!(got, want, "{typo} → {right}");
        let last = last.unwrap_or_else(|| panic!("{typo}: no last line"));
        assert_eq!(last["corrected_query"], right, "{last}");
        assert_eq!(last["total"].as_u64(), Some(want.len() as u64));
        let note = format!("showing results for {right}; search exactly for {typo} with --exact");
        assert!(err.contains(&note), "{typo}: {err}");
        // --exact searches the word as typed: nothing, and no note.
        let (exact, last, err) = search_json(typo, &["--exact"]);
        assert!(
            exact.is_empty() && last.is_none() && err.is_empty(),
            "{typo} --exact: {err}"
        );
    }
    // Among other words, only the misspelt one changes.
    let (_, last, _) = search_json("merkle visit", &[]);
    assert_eq!(last.unwrap()["corrected_query"], "merkel visit");
    // A possessive is corrected as its word, and a word typed again as it is the first
    // time.
    for (typo, right) in [
        ("merkle's visit", "merkel's visit"),
        ("merkle’s visit", "merkel's visit"),
        ("merkle visit merkle", "merkel visit merkel"),
        // A word in the title is corrected as a word.
        ("title:merkle", "title:merkel"),
        ("title:(merkle OR visit)", "title:(merkel OR visit)"),
    ] {
        let (got, last, _) = search_json(typo, &[]);
        assert_eq!(last.unwrap()["corrected_query"], right, "{typo}");
        assert_eq!(got, search_json(right, &[]).0, "{typo}");
    }
}

/// The correction a small archive of its own asks for: `(query, corrected_query)` of
/// the search's last line, `None` when the query stands.
fn corrected_in(env: &crate::util::TestEnv, query: &str) -> Option<String> {
    let r = env.search(query, &["--limit", "100"]).success();
    r.json_lines()
        .into_iter()
        .find(|l| l["id"].is_null())
        .and_then(|l| l["corrected_query"].as_str().map(str::to_string))
}

#[test]
fn a_correction_follows_the_archive_and_leaves_its_rare_words_alone() {
    let env = crate::util::TestEnv::new();
    let mut lines = String::new();
    let mut add = |id: usize, title: &str, body: &str| {
        lines.push_str(&jsonl_line(id, title, body));
    };
    for i in 0..12 {
        add(
            i,
            "Dockers strike again",
            "The strike at the port went on. New Zealand sent ships.",
        );
    }
    add(
        12,
        "Gaza Strip crossing shut",
        "The Gaza Strip crossing was shut.",
    );
    add(
        13,
        "Gaza Strip fuel runs low",
        "Fuel ran low in the Gaza Strip.",
    );
    add(
        14,
        "Meet Zealandia",
        "Geologists say Zealandia is a sunken continent.",
    );
    for i in 15..20 {
        add(
            i,
            "Indian engineers hired",
            "Indian engineers were hired at the port.",
        );
    }
    for i in 20..24 {
        add(
            i,
            "Venezuela crisis",
            "Queues for food grew across Venezuela.",
        );
    }
    for i in 24..27 {
        add(
            i,
            "Storm Doris batters coast",
            "Storm Doris brought winds of 90mph.",
        );
    }
    add(
        27,
        "Dorris Lee opens a bakery",
        "Dorris Lee baked bread all night.",
    );
    for i in 28..40 {
        add(
            i,
            "UN report on apartheid",
            "The report accused the state of apartheid.",
        );
    }
    add(40, "A letter", "Readers wrote that aparthied was wrong.");
    for i in 41..53 {
        add(i, "Banker fined", "The banker was fined.");
    }
    add(53, "A dancer at the ball", "The dancer danced.");
    add(
        54,
        "Stroke unit opens",
        "The stroke unit at the port hospital opened.",
    );
    add(55, "Gold coin heist", "Thieves took the coin in a heist.");
    for i in 56..68 {
        add(
            i,
            "Ministers hesitate",
            "Ministers hesitated over the deal.",
        );
    }
    for i in 68..71 {
        add(i, "Mosque reopens", "The mosque reopened on Friday.");
    }
    for i in 71..85 {
        add(i, "Port notes", "Most of the port was quiet, most days.");
    }
    add(
        85,
        "Hans Rosling dies",
        "The statistician Hans Rosling died.",
    );
    for i in 86..98 {
        add(i, "Rolling news", "Rolling coverage went on all day.");
    }
    add(
        98,
        "Rolling stone",
        "The old rolling stone died down the lane.",
    );
    for i in 99..111 {
        add(i, "Figures out", "Figures indicated growth.");
    }
    for i in 111..115 {
        add(i, "India votes", "India went to the polls.");
    }
    for i in 115..118 {
        add(i, "Nunes briefs", "Devin Nunes briefed the press.");
    }
    for i in 118..130 {
        add(i, "Government spending", "The government will govern.");
    }
    for i in 130..142 {
        add(i, "Elections held", "The election on Sunday was calm.");
    }
    for i in 142..147 {
        add(i, "Samba schools", "Samba schools paraded.");
    }
    for i in 147..159 {
        add(
            i,
            "Garda breath tests",
            "Garda figures on breath tests were inflated.",
        );
    }
    add(159, "Gardai on patrol", "Gardai patrolled the streets.");
    for i in 160..172 {
        add(i, "Study finds", "The study found more.");
    }
    add(172, "A sturdy boat", "The boat was sturdy.");
    env.write("a.jsonl", lines);
    env.ingest(&[]).success();
    // A close word is a word the archive writes, not an indexed stem alone: `indie` is
    // one letter from `indic`, the stem of the more frequent "indicated", which no
    // article writes, and from India; `nunez` from `nune`, the stem of Nunes, and from
    // "nunes", which is written.
    assert_eq!(corrected_in(&env, "indie").as_deref(), Some("india"));
    assert_eq!(corrected_in(&env, "nunez").as_deref(), Some("nunes"));
    // The words of a field's value are names, not typos: `country:american samoa`
    // (a country no article is about) is not searched as `american samba`.
    assert_eq!(corrected_in(&env, "country:american samoa"), None);
    assert_eq!(corrected_in(&env, "samoa").as_deref(), Some("samba"));
    // A word run together is not split where a half stems to a function word:
    // `electons` is no "elect ons" (found as "election on"), but a typo.
    assert_eq!(corrected_in(&env, "electons").as_deref(), Some("elections"));
    // Two edits away, the written word closest to the typed one is shown and
    // searched, not the stem the index holds (`govern`).
    assert_eq!(
        corrected_in(&env, "guverment").as_deref(),
        Some("government")
    );
    // A close word is a word the archive writes: `mosqe` is one letter from `moste`,
    // which the stemmer cuts to the frequent `most` (two letters from `mosqe`), and
    // from `mosque`.
    assert_eq!(corrected_in(&env, "mosqe").as_deref(), Some("mosque"));
    // The word the archive holds most is the correction, before a gazetteer name
    // (the Gaza Strip).
    assert_eq!(corrected_in(&env, "strik").as_deref(), Some("strike"));
    // Beside other words, the close word that finds articles holding them all: the
    // archive has no Gaza strike, and its Gaza Strip.
    assert_eq!(
        corrected_in(&env, "gaza strik").as_deref(),
        Some("gaza strip")
    );
    assert_eq!(
        corrected_in(&env, "dockers strik").as_deref(),
        Some("dockers strike")
    );
    // A word the archive holds, though rarely, is not taken for a shorter frequent
    // one that its neighbours stem onto (zealandic → zealand).
    assert_eq!(corrected_in(&env, "Zealandia"), None);
    assert_eq!(env.ids("Zealandia", &[]), vec!["a.jsonl#14".to_string()]);
    // A first letter dropped, in a word that finds nothing as typed.
    assert_eq!(
        corrected_in(&env, "ndian engineers").as_deref(),
        Some("indian engineers")
    );
    // From nine letters a changed first letter counts as two edits, and is looked for;
    // below nine only where no word keeps the first letter: `danker` is the rare
    // `dancer`, not the frequent `banker`.
    assert_eq!(
        corrected_in(&env, "Cenezuela").as_deref(),
        Some("Venezuela")
    );
    assert_eq!(
        corrected_in(&env, "Cndian engineers").as_deref(),
        Some("Indian engineers")
    );
    assert_eq!(corrected_in(&env, "danker").as_deref(), Some("dancer"));
    // A changed first letter below nine letters is over the word's budget: taken only
    // where the query's other words bear it out, finding articles with it and none
    // without; alone, or where it finds none either, the word stands.
    assert_eq!(corrected_in(&env, "Cndian"), None);
    assert_eq!(corrected_in(&env, "Cndian bakery"), None);
    // A rare word the archive holds, beside words it finds articles with, is not taken
    // for a frequent neighbour that finds fewer (no strike unit).
    assert_eq!(corrected_in(&env, "stroke unit"), None);
    // A rare word the archive holds (a name), near a word in three times as many
    // articles: alone it stands; beside a word it never comes with, where the close
    // word does, it is taken for that word.
    assert_eq!(corrected_in(&env, "dorris"), None);
    assert_eq!(corrected_in(&env, "dorris bakery"), None);
    assert_eq!(
        corrected_in(&env, "storm dorris").as_deref(),
        Some("storm doris")
    );
    // Two letters swapped are one edit, though the stemmer cuts the typo otherwise
    // (aparthied is indexed as `aparthi`): a word in one article, a neighbour indexed
    // as itself in twelve.
    assert_eq!(
        corrected_in(&env, "aparthied report").as_deref(),
        Some("apartheid report")
    );
    // Where the stemmer leaves the word as typed, stems are compared: `heist` is not
    // `hesit`, the stem of hesitate, two edits from it.
    assert_eq!(corrected_in(&env, "heist"), None);
    // A word the archive holds in one article, typed with a capital, is a name: alone
    // it stands, though a close word is in twelve times as many. Typed in lower case,
    // it may be a typo of the frequent word.
    assert_eq!(corrected_in(&env, "Rosling"), None);
    assert_eq!(env.ids("Rosling", &[]), vec!["a.jsonl#85".to_string()]);
    assert_eq!(corrected_in(&env, "rosling").as_deref(), Some("rolling"));
    // Beside words it finds an article with, it stands, though the close word finds
    // as many with them.
    assert_eq!(corrected_in(&env, "died rosling"), None);
    assert_eq!(env.ids("died rosling", &[])[0], "a.jsonl#85");
    // Beside words that find no article with it, it is taken for the close word only
    // where that finds some: `rosling coverage` is "rolling coverage"; `rosling
    // statistician award` finds none either way, and the rare word stays the query's
    // clue (its article is listed first, a partial match).
    assert_eq!(
        corrected_in(&env, "rosling coverage").as_deref(),
        Some("rolling coverage")
    );
    assert_eq!(corrected_in(&env, "rosling statistician award"), None);
    assert_eq!(env.ids("rosling statistician award", &[])[0], "a.jsonl#85");
    // A rare word that is a frequent one with a letter added at its end (`gardai`, the
    // plural of garda) is taken for it where the query as typed finds no full match,
    // though the corrected one finds none either.
    assert_eq!(
        corrected_in(&env, "gardai breath tests port").as_deref(),
        Some("garda breath tests port")
    );
    // A word of the language, however rare in the archive, is no typo: `sturdy` (one
    // article) is not `study` (twelve), though `rosling` (not a word) is `rolling`.
    assert_eq!(corrected_in(&env, "sturdy"), None);
    assert_eq!(env.ids("sturdy", &[]), vec!["a.jsonl#172".to_string()]);
}

#[test]
fn words_the_index_holds_short_words_and_phrases_are_not_corrected() {
    for q in [
        "merkel",
        "brexit",
        "putn",
        "\"merkle visit\"",
        "“merkle visit”",
        "-merkle brexit",
        "merkle*",
    ] {
        let (_, last, err) = search_json(q, &[]);
        let corrected = last
            .as_ref()
            .is_some_and(|l| !l["corrected_query"].is_null());
        assert!(
            !corrected && !err.contains("showing results"),
            "{q}: {last:?} {err}"
        );
    }
    // A word nothing is close to stays, and matches nothing.
    let (ids, last, _) = search_json("zzxqwv", &[]);
    assert!(ids.is_empty() && last.is_none());
}

#[test]
fn the_api_carries_the_corrected_query_and_takes_exact() {
    let (server, _) = crate::api::sample_server();
    let v = server.json("/api/search?q=merkle");
    assert_eq!(v["corrected_query"], "merkel");
    assert!(v["total"].as_u64().unwrap() > 0);
    assert!(v["warnings"][0]
        .as_str()
        .unwrap()
        .starts_with("showing results for merkel"));
    let v = server.json("/api/search?q=merkle&exact=true");
    assert!(v["corrected_query"].is_null());
    assert_eq!(v["total"], 0);
    assert_eq!(v["warnings"], serde_json::json!([]));
}

/// The full matches (no word lacking) of a query, all copies shown.
fn full_matches(query: &str) -> Vec<String> {
    sample()
        .env
        .hits(query, &["--limit", "200", "--all"])
        .iter()
        .filter(|h| h["missing"].as_array().is_none_or(|m| m.is_empty()))
        .map(|h| h["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn words_apart_in_the_query_as_in_the_article_are_side_by_side() {
    // `state of the union`: "of the" is not required, but "state" and "union" two
    // words apart, as typed, stand side by side as the query has them. The article
    // that says "State of the Union" ranks above one that says "state" twice and
    // "union" near it in another order.
    use crate::blend::{article, filler};
    let env = crate::util::TestEnv::new();
    env.write(
        "address.md",
        article(
            "Speech to Congress",
            &format!(
                "The president gave the State of the Union address on Tuesday. {}",
                filler("a", 0, 40)
            ),
        ),
    );
    env.write(
        "workers.md",
        article(
            "Workers meet",
            &format!(
                "Union leaders in the state met the state governor on Tuesday. {}",
                filler("b", 0, 50)
            ),
        ),
    );
    for n in 0..20 {
        env.write(
            &format!("fair/{n}.md"),
            article(
                &format!("Notes {n}"),
                &format!(
                    "The state fair opened. {}",
                    filler(&format!("c{n}x"), 0, 40)
                ),
            ),
        );
    }
    for n in 0..5 {
        env.write(
            &format!("union/{n}.md"),
            article(
                &format!("Meeting notes {n}"),
                &format!("The union met. {}", filler(&format!("d{n}x"), 0, 40)),
            ),
        );
    }
    env.ingest_ok();
    for q in ["state of the union", "state of the !! union"] {
        let ids = env.ids(q, &["--limit", "2"]);
        assert_eq!(ids, ["address.md", "workers.md"], "{q}");
    }
}

#[test]
fn a_question_needs_its_content_words_only() {
    // "what", "did" and "about" say how the question is built: an article need not
    // hold them to be a full match.
    let asked = full_matches("What did Xi tell Trump about Taiwan?");
    assert!(asked.contains(&TAIWAN_RETURN.to_string()), "{asked:?}");
    assert_eq!(asked, full_matches("xi tell trump taiwan"));
    // Quoted, a function word is required again: the article does not say "about Taiwan".
    assert!(!full_matches("\"about taiwan\" xi trump").contains(&TAIWAN_RETURN.to_string()));
    // A query of function words alone searches them all.
    assert!(!full_matches("the who").is_empty());
}

#[test]
fn a_word_finds_its_other_spelling() {
    // The article writes "defence"; a reader who writes "defense" finds it, as a full
    // match, and the snippet marks the word as the article spells it.
    const BENHAM: &str = "Duterte to China: Benham Rise sea territory 'is ours'";
    for query in ["defense benham", "defence benham"] {
        assert_eq!(full_matches(query), [BENHAM], "{query}");
    }
    let hit = &sample().env.hits("defense benham", &["--limit", "1"])[0];
    let marks = crate::util::highlighted(&hit["snippets"][0]);
    assert!(
        marks.iter().any(|m| m.eq_ignore_ascii_case("defence")),
        "{marks:?}"
    );
    // Spelt the other way, the articles that say "defense" are found too.
    let us: Vec<String> = full_matches("defense");
    let uk: Vec<String> = full_matches("defence");
    assert_eq!(us.len(), uk.len(), "{us:?} {uk:?}");
    assert!(us.contains(&BENHAM.to_string()), "{us:?}");
    // Quoted, a word is searched as spelt.
    assert!(full_matches("\"defense\" benham").is_empty());
}

#[test]
fn an_abbreviation_finds_its_dotted_form() {
    // The article writes "the 2016 U.S. election campaign"; "US" finds it, as a full
    // match, with "U.S" highlighted.
    const HACKERS: &str = "Russian Hackers Get Burned in Deal With Russia's Spy Agency";
    assert!(full_matches("US election campaign").contains(&HACKERS.to_string()));
    let hit = sample()
        .env
        .hits("US election campaign", &["--limit", "20"])
        .into_iter()
        .find(|h| h["title"] == HACKERS)
        .expect("found");
    let marks = crate::util::highlighted(&hit["snippets"][0]);
    assert!(
        marks.iter().any(|m| m.eq_ignore_ascii_case("u.s")),
        "{marks:?}"
    );
}

#[test]
fn a_phrase_lights_up_no_stray_possessive_s() {
    // The phrase also searches its possessive form ("post s war order"), but an `s`
    // is marked only with the word it belongs to.
    let hit = &sample().env.hits("\"post-war order\"", &["--limit", "1"])[0];
    let marks = crate::util::highlighted(&hit["snippets"][0]);
    assert!(marks.iter().all(|m| m.len() > 1), "{marks:?}");
    assert!(marks.iter().any(|m| m.contains("post-war")), "{marks:?}");
    let title: Vec<[u64; 2]> = serde_json::from_value(hit["title_highlights"].clone()).unwrap();
    let t = hit["title"].as_str().unwrap();
    let marked: Vec<&str> = title
        .iter()
        .map(|&[s, e]| &t[s as usize..e as usize])
        .collect();
    assert_eq!(marked, ["post-war order"], "{t}");
}

#[test]
fn a_period_that_ends_before_it_begins_is_an_error_not_zero_matches() {
    let env = &sample().env;
    let r = env
        .search("", &["--from", "2017-03", "--to", "2017-02"])
        .code(2);
    let line = r.stderr_line("error:");
    assert!(
        line.contains("--to") && line.contains("2017-02") && line.contains("2017-03"),
        "{line}"
    );
    // One month is a period: it ends as it begins.
    env.search("", &["--from", "2017-02", "--to", "2017-02"])
        .success();
}

#[test]
fn a_query_that_finds_nothing_is_said_as_typed() {
    let env = &sample().env;
    let idx = env.index.to_str().unwrap();
    let said = |args: &[&str]| {
        let mut a = vec!["search", "--index", idx];
        a.extend_from_slice(args);
        env.run(&a).success().stdout
    };
    assert_eq!(said(&["zzqqxx"]).trim(), "No articles match \"zzqqxx\".");
    assert_eq!(
        said(&["\"zzqqxx\""]).trim(),
        "No articles match \"zzqqxx\"."
    );
    assert_eq!(
        said(&["zzqqxx", "--country", "TW"]).trim(),
        "No articles match \"zzqqxx\" with these filters."
    );
}

/// A word is also searched as the two words it splits into where those side by side
/// are more common than the word itself (postwar, "post war"), never where the word is
/// the more common (putins is Putin's, not "put in").
#[test]
fn a_word_is_split_in_two_only_where_the_two_are_the_more_common() {
    let env = crate::util::TestEnv::new();
    let mut lines = String::new();
    let mut add = |id: usize, title: &str, body: &str| {
        lines.push_str(&jsonl_line(id, title, body));
    };
    for i in 0..6 {
        add(i, "Putin's plans", "Putin's government met on Monday.");
    }
    for i in 6..9 {
        add(i, "Shelves", "The shelves were put in last week.");
    }
    for i in 9..13 {
        add(i, "Order", "The post-war order was debated.");
    }
    add(13, "Order", "The postwar order was debated.");
    for i in 14..17 {
        add(i, "Campaign", "Marine Le Pen spoke in Lyon.");
    }
    for i in 17..21 {
        add(i, "Defence", "Ursula von der Leyen spoke in Berlin.");
    }
    env.write("a.jsonl", lines);
    env.ingest(&[]).success();
    let found = |q: &str| -> std::collections::BTreeSet<String> {
        env.ids(q, &["--all", "--limit", "50"])
            .into_iter()
            .collect()
    };
    let ids = |r: std::ops::Range<usize>| r.map(|i| format!("a.jsonl#{i}")).collect();
    assert_eq!(found("putins"), ids(0..6));
    assert_eq!(found("postwar"), ids(9..14));
    // Two words run together, the first of two letters, are searched as the two, not
    // corrected to a close word (`leyen`).
    assert_eq!(found("lepen"), ids(14..17));
    assert_eq!(corrected_in(&env, "lepen"), None);
}

/// After a prefix English writes either way (non-profit, nonprofit; co-operation,
/// cooperation), the word finds both spellings however rare the hyphenated one; a word
/// that is no such prefix still splits only where the two words are the more common
/// (notable is not "not able").
#[test]
fn a_word_after_a_prefix_finds_its_hyphenated_spelling() {
    let mut rows: Vec<(usize, &str, &str)> = Vec::new();
    for i in 0..5 {
        rows.push((i, "Charity", "The nonprofit group raised money."));
    }
    for i in 5..7 {
        rows.push((i, "Charity", "The non-profit group raised money."));
    }
    for i in 7..12 {
        rows.push((i, "Case", "It was a notable case in court."));
    }
    for i in 12..14 {
        rows.push((i, "Case", "He was not able to attend court."));
    }
    rows.push((14, "Talks", "Closer co-operation was agreed."));
    for i in 15..18 {
        rows.push((i, "Talks", "Closer cooperation was agreed."));
    }
    // ("they're" is indexed as `they re`: no `re` prefix.)
    rows.push((18, "Rivals", "They're main rivals."));
    rows.push((19, "Troops", "The troops remain."));
    let env = archive_of("a.jsonl", &rows);
    let ids = |r: std::ops::Range<usize>| -> Vec<String> {
        let mut v: Vec<String> = r.map(|i| format!("a.jsonl#{i}")).collect();
        v.sort();
        v
    };
    let all = ["--all", "--limit", "50"];
    assert_eq!(sorted_ids(&env, "nonprofit", &all), ids(0..7));
    assert_eq!(sorted_ids(&env, "non-profit", &all), ids(0..7));
    assert_eq!(sorted_ids(&env, "cooperation", &all), ids(14..18));
    assert_eq!(sorted_ids(&env, "notable", &all), ids(7..12));
    assert_eq!(sorted_ids(&env, "remain", &all), ids(19..20));
}

/// A word also searched in another form keeps the bonus for standing next to its
/// neighbour in the query: of two articles with the same words, the one that says
/// "Palmyra retaken" ranks above the one that has them apart, though `retaken` is also
/// searched as "re-taken".
#[test]
fn a_word_of_two_forms_keeps_the_bonus_for_its_neighbour() {
    let apart = "Palmyra was quiet for a week, the monitors said, before the ancient city \
                 was finally retaken";
    let together = "Palmyra retaken was quiet for a week, the monitors said, before the \
                    ancient city was finally";
    let env = archive_of(
        "a.jsonl",
        &[
            (0, "Syria", apart),
            (1, "Syria", together),
            (2, "Hill", "The hill was re-taken by the army."),
            (3, "Town", "The town was re-taken by the army."),
            (4, "Port", "The port was re-taken by the army."),
        ],
    );
    let ids = env.ids("Palmyra retaken", &["--all"]);
    let at = |id: &str| ids.iter().position(|i| i == id).expect(id);
    assert!(at("a.jsonl#1") < at("a.jsonl#0"), "{ids:?}");
}

/// `title:(a OR b)` keeps every word of the group to titles, as `title:a` does one;
/// the words after the group are searched everywhere.
#[test]
fn a_title_group_in_parentheses_searches_titles_only() {
    let env = archive_of(
        "a.jsonl",
        &[
            (0, "Brexit talks", "The talks went on."),
            (1, "Weather", "Brexit and Trump were not in the forecast."),
            (2, "Trump visit", "The visit went on."),
            (3, "Market report", "Trade after Brexit."),
        ],
    );
    let ids = |q: &str| sorted_ids(&env, q, &["--all"]);
    assert_eq!(ids("title:(brexit OR trump)"), ["a.jsonl#0", "a.jsonl#2"]);
    assert_eq!(
        ids("title:( brexit OR \"trump visit\" )"),
        ["a.jsonl#0", "a.jsonl#2"]
    );
    assert_eq!(ids("brexit -title:(brexit OR weather)"), ["a.jsonl#3"]);
}

/// A quote left open is a phrase to the end of the query, and the warning says so and
/// how to search the words apart.
#[test]
fn a_quote_left_open_is_a_phrase_to_the_end_and_said() {
    let env = archive_of(
        "a.jsonl",
        &[
            (0, "Order", "The post-war order was debated."),
            (1, "Order", "An order was given after the war, post haste."),
        ],
    );
    let lines = env
        .search("\"post-war order", &["--all"])
        .success()
        .json_lines();
    let ids: Vec<&str> = lines.iter().filter_map(|l| l["id"].as_str()).collect();
    assert_eq!(ids, ["a.jsonl#0"]);
    let warnings = lines.last().unwrap()["warnings"].to_string();
    assert!(warnings.contains("not closed"), "{warnings}");
    // Closed, nothing is said.
    let last = env
        .search("\"post-war order\"", &["--limit", "0"])
        .success()
        .json();
    assert!(last["warnings"].is_null(), "{last}");
}

/// `show` with an id typed another way (the record's number alone, after `:` or a
/// space, the file's name without its extension) names the id it may have meant; an id
/// like none says what an id is.
#[test]
fn show_names_the_id_a_mistyped_one_may_mean() {
    let env = archive_of(
        "a.jsonl",
        &[
            (0, "One", "First."),
            (1, "Two", "Second."),
            (2, "Three", "Third."),
        ],
    );
    let idx = env.index.to_str().unwrap();
    let said = |id: &str| env.run(&["show", id, "--index", idx]).code(2).stderr;
    for typed in ["1", "a.jsonl:1", "a.jsonl 1", "a#1", "a.jsonl#01"] {
        let e = said(typed);
        assert!(e.contains("did you mean a.jsonl#1?"), "{typed}: {e}");
    }
    let e = said("zzz");
    assert!(
        e.contains("no article with id 'zzz'") && e.contains("# and its record's number"),
        "{e}"
    );
    env.run(&["show", "a.jsonl#1", "--index", idx]).success();
}

/// An organisation's abbreviation typed in capitals names the organisation: the
/// articles tagged with it (the tagger reads capitals as written), with a warning; in
/// lower case it is the word. The index holds no case: `UN` had found "Kim Jong Un",
/// and `WHO` every "who".
#[test]
fn an_organisation_abbreviation_in_capitals_names_the_organisation() {
    let env = archive_of(
        "a.jsonl",
        &[
            (
                0,
                "UN envoy visits",
                "The United Nations envoy, the UN's top official, visited.",
            ),
            (1, "Speech", "Kim Jong Un spoke in Pyongyang."),
            (2, "Match report", "Who won the match? Nobody knows who."),
            (
                3,
                "Flu warning",
                "The World Health Organization (WHO) warned of flu.",
            ),
        ],
    );
    let all = ["--all"];
    assert_eq!(sorted_ids(&env, "UN", &all), ["a.jsonl#0"]);
    assert_eq!(sorted_ids(&env, "un", &all), ["a.jsonl#0", "a.jsonl#1"]);
    assert_eq!(sorted_ids(&env, "WHO", &all), ["a.jsonl#3"]);
    assert_eq!(sorted_ids(&env, "who", &all), ["a.jsonl#2", "a.jsonl#3"]);
    let lines = env.search("UN", &[]).success().json_lines();
    let w = lines.last().unwrap()["warnings"][0]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(w.contains("read as the organisation United Nations"), "{w}");
    // Excluded, quoted or beside OR, it stays a word.
    assert_eq!(sorted_ids(&env, "\"UN\"", &all), ["a.jsonl#0", "a.jsonl#1"]);
    assert!(sorted_ids(&env, "spoke -UN", &all).is_empty());
}

/// A country's name written in capitals (`US`, `UK`) names the country the same way:
/// `US` had matched every "us" (let us, email us), `UK` every address ending `.uk`.
/// Its ISO code alone does not (`IT` is a word).
#[test]
fn a_country_abbreviation_in_capitals_names_the_country() {
    let env = archive_of(
        "a.jsonl",
        &[
            (
                0,
                "Sanctions",
                "The US imposed new sanctions on Iran on Friday.",
            ),
            (
                1,
                "Letters",
                "Tell us about the sanctions: email us at news@example.co.uk.",
            ),
            (2, "Trade", "The UK and the U.S. agreed on trade."),
            (3, "Software", "The IT department said it would fix it."),
        ],
    );
    let all = ["--all"];
    assert_eq!(sorted_ids(&env, "US", &all), ["a.jsonl#0", "a.jsonl#2"]);
    assert_eq!(sorted_ids(&env, "us", &all), ["a.jsonl#0", "a.jsonl#1"]);
    assert_eq!(sorted_ids(&env, "UK", &all), ["a.jsonl#2"]);
    assert_eq!(sorted_ids(&env, "uk", &all), ["a.jsonl#1", "a.jsonl#2"]);
    let lines = env.search("US", &[]).success().json_lines();
    let w = lines.last().unwrap()["warnings"][0]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(w.contains("read as the country United States"), "{w}");
    // Beside other words, the tag is the word's alone: an article that says "us" and
    // holds the other words is a partial match that lacks `US`, not lost.
    let hits = env.hits("US sanctions", &all);
    let partial: Vec<(String, bool, serde_json::Value)> = hits
        .iter()
        .filter(|h| h["id"].is_string())
        .map(|h| {
            (
                h["id"].as_str().unwrap().to_string(),
                h["partial"].as_bool().unwrap(),
                h["missing"].clone(),
            )
        })
        .collect();
    assert_eq!(
        partial[0],
        ("a.jsonl#0".into(), false, serde_json::json!([])),
        "{hits:#?}"
    );
    assert!(
        partial.contains(&("a.jsonl#1".into(), true, serde_json::json!(["US"]))),
        "{hits:#?}"
    );
    // After "the", in lower case, it is the country too: "us" the pronoun never
    // follows the article.
    let lines = env.search("the us sanctions", &all).success().json_lines();
    assert_eq!(lines[0]["id"], "a.jsonl#0", "{lines:#?}");
    assert_eq!(lines[0]["partial"], false, "{lines:#?}");
    let letters = lines.iter().find(|h| h["id"] == "a.jsonl#1").unwrap();
    assert_eq!(letters["missing"], serde_json::json!(["US"]), "{letters:#}");
    let w = lines.last().unwrap()["warnings"][0]
        .as_str()
        .unwrap_or_default();
    assert!(
        w.contains("\"the us\" is read as the country United States"),
        "{w}"
    );
    // … its possessive too (the us's sanctions).
    let lines = env
        .search("the us's sanctions", &all)
        .success()
        .json_lines();
    assert_eq!(lines[0]["id"], "a.jsonl#0", "{lines:#?}");
    let letters = lines.iter().find(|h| h["id"] == "a.jsonl#1").unwrap();
    assert_eq!(letters["missing"], serde_json::json!(["US"]), "{letters:#}");
    // An ISO code that is a word stays the word; quoted, so does an abbreviation.
    assert_eq!(sorted_ids(&env, "IT", &all), ["a.jsonl#3"]);
    assert_eq!(sorted_ids(&env, "\"US\"", &all), ["a.jsonl#0", "a.jsonl#1"]);
}

/// A query word only the subtitle holds is shown there: the snippet is the subtitle's,
/// marked `"field":"subtitle"`, not the body's opening without the word.
#[test]
fn a_word_only_the_subtitle_holds_is_shown_in_its_snippet() {
    let env = crate::util::TestEnv::new();
    env.write(
        "a.jsonl",
        concat!(
            r#"{"id":"1","title":"Report","subtitle":"Improbable claims were made","body":"Nothing else was said in the body."}"#,
            "\n",
            r#"{"id":"2","title":"Other","body":"The improbable happened."}"#,
            "\n"
        ),
    );
    env.ingest(&[]).success();
    let hits = env.hits("improbable", &["--all"]);
    let by_id = |id: &str| hits.iter().find(|h| h["id"] == id).cloned().unwrap();
    let sub = &by_id("a.jsonl#1")["snippets"][0];
    assert_eq!(sub["text"], "Improbable claims were made", "{sub}");
    assert_eq!(sub["field"], "subtitle", "{sub}");
    assert_eq!(sub["highlights"][0], serde_json::json!([0, 10]), "{sub}");
    // A snippet of the body says no field.
    let body = &by_id("a.jsonl#2")["snippets"][0];
    assert!(body["field"].is_null(), "{body}");
}

#[test]
fn a_query_of_marks_alone_says_it_lists_everything() {
    let env = &sample().env;
    let everything = env.search("", &["--limit", "0"]).success().json()["total"].clone();
    for q in ["!!!", "OR", "🎉", "-*"] {
        let lines = env.search(q, &["--limit", "0"]).success().json_lines();
        let last = lines.last().unwrap();
        assert_eq!(last["total"], everything, "{q}");
        let w = last["warnings"].as_array().cloned().unwrap_or_default();
        assert!(
            w.iter().any(|w| w.as_str().unwrap().contains("nothing in")),
            "{q}: {last}"
        );
    }
    // A query with a word has no such warning.
    let last = env.search("taiwan", &["--limit", "0"]).success().json();
    assert!(last["warnings"].is_null(), "{last}");
}

#[test]
fn an_unknown_field_is_searched_as_its_two_words() {
    let env = &sample().env;
    let ids = |q: &str| -> Vec<String> {
        let lines = env.search(q, &["--all"]).success().json_lines();
        lines
            .iter()
            .filter_map(|l| l["id"].as_str().map(str::to_string))
            .collect()
    };
    let words = ids("taiwan order");
    assert!(!words.is_empty());
    assert_eq!(ids("taiwan:order"), words);
}

#[test]
fn an_unknown_author_says_how_to_find_one() {
    let env = crate::util::TestEnv::new();
    env.write(
        "a.jsonl",
        r#"{"id":"1","title":"Harbour talks","body":"Talks went on.","author":"Jane Doe"}"#,
    );
    env.ingest(&[]);
    let r = env.search("", &["--author", "zzqqxx"]).code(2);
    let line = r.stderr_line("error:");
    // The authors the index holds are the way forward (`tags` counts no authors).
    assert!(
        line.contains("zzqqxx") && line.contains("Jane Doe"),
        "{line}"
    );
    assert!(!line.contains("newsidx tags"), "{line}");
}

/// `timeline` and `tags` read a query as `search` does: a misspelt word corrected and
/// said so, `--exact` to count it as typed, and a field they cannot use warned of.
#[test]
fn timeline_and_tags_correct_and_warn_as_search_does() {
    let env = &sample().env;
    let idx = env.index.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut a = args.to_vec();
        a.extend(["--index", idx, "--json"]);
        env.run(&a).success()
    };
    for cmd in ["timeline", "tags"] {
        let right = run(&[cmd, "merkel"]);
        assert!(!right.stdout.trim().is_empty(), "{cmd}");
        let typo = run(&[cmd, "merkle"]);
        assert_eq!(typo.stdout, right.stdout, "{cmd}");
        assert!(
            typo.stderr.contains("showing results for merkel"),
            "{cmd}: {}",
            typo.stderr
        );
        let exact = run(&[cmd, "merkle", "--exact"]);
        assert_ne!(exact.stdout, right.stdout, "{cmd}");
        assert!(exact.stderr.is_empty(), "{cmd}: {}", exact.stderr);
        let field = run(&[cmd, "merkel -from:2017-03"]);
        assert!(
            field.stderr.contains("cannot be excluded"),
            "{cmd}: {}",
            field.stderr
        );
        // A filter field with a minus is taken, as in a search.
        let without = run(&[cmd, "merkel -source:dw"]);
        assert!(without.stderr.is_empty(), "{cmd}: {}", without.stderr);
        assert_ne!(without.stdout, right.stdout, "{cmd}");
    }
}

#[test]
fn a_word_joined_by_an_ampersand_or_dotted_letters_is_found_as_written() {
    let env = crate::util::TestEnv::new();
    let mut lines = String::new();
    let mut add = |id: usize, title: &str, body: &str| {
        lines.push_str(&jsonl_line(id, title, body));
    };
    add(
        1,
        "Carrier fined over outage",
        "AT&T said the outage was fixed. AT&T customers could not call 911.",
    );
    // A typo joining AT and T's letters, and both words apart: neither is AT&T.
    add(
        2,
        "Protest count",
        "Monitors put the number higher, att more than 700 detained.",
    );
    add(
        3,
        "Polls close",
        "Voters at the booth said they didn't t wait long.",
    );
    add(
        4,
        "Trade talks",
        "US-China trade talks resumed in Beijing on Monday.",
    );
    add(
        5,
        "Tariff threat",
        "The U.S.-China relationship was tested by tariffs.",
    );
    add(
        6,
        "Trade fair",
        "China hosted a trade fair; the US sent a delegation.",
    );
    add(7, "Jets delivered", "The first F-35 jets arrived.");
    add(8, "Aid arrives", "Some 1,000 people got aid.");
    env.write("news.jsonl", lines);
    env.ingest(&[]);
    let ids = |q: &str| {
        let mut v = env.ids(q, &["--all", "--exact"]);
        v.sort();
        v
    };
    assert_eq!(ids("at&t"), vec!["news.jsonl#1"]);
    assert_eq!(ids("AT&T outage"), vec!["news.jsonl#1"]);
    // Typed with dots, an abbreviation is also found written without them.
    assert_eq!(ids("u.s.-china"), vec!["news.jsonl#4", "news.jsonl#5"]);
    // And an abbreviation in capitals is also found written with dots.
    assert_eq!(ids("US-China"), vec!["news.jsonl#4", "news.jsonl#5"]);
    assert_eq!(env.ids("US-China trade", &[])[0], "news.jsonl#4");
    // A code or a number typed without its hyphen or comma finds it written so.
    assert_eq!(ids("F35"), vec!["news.jsonl#7"]);
    assert_eq!(ids("1000"), vec!["news.jsonl#8"]);
}

#[test]
fn a_decimal_point_is_kept_and_a_number_in_groups_is_one_number() {
    let env = archive_of(
        "n.jsonl",
        &[
            (
                1,
                "Wall funding",
                "Congress was asked for $1.5bn for the wall.",
            ),
            (
                2,
                "Chip bet",
                "The firm makes a $15bn bet on driverless cars.",
            ),
            (3, "Growth", "The economy grew by 1.5 percent."),
            (4, "Teams", "The league has 15 teams."),
            (5, "Aid", "Some 1000 people got aid."),
            (6, "Shelter", "About 1,000 people found shelter."),
            (7, "Derby", "United won 2-0 at home."),
            (8, "Squad", "The coach named 20 players."),
        ],
    );
    let ids = |q: &str| sorted_ids(&env, q, &["--all", "--exact"]);
    // The two sides of a decimal point are not one number: 1.5 is not 15.
    assert_eq!(ids("$1.5bn"), vec!["n.jsonl#1"]);
    let decimal = ids("1.5");
    assert!(decimal.contains(&"n.jsonl#3".to_string()), "{decimal:?}");
    assert!(!decimal.iter().any(|i| i == "n.jsonl#2" || i == "n.jsonl#4"));
    assert_eq!(ids("15"), vec!["n.jsonl#4"]);
    // Nor are a score's: 2-0 is not 20.
    assert_eq!(ids("2-0"), vec!["n.jsonl#7"]);
    assert_eq!(ids("20"), vec!["n.jsonl#8"]);
    // A number typed with a comma finds it written whole, and the other way round.
    assert_eq!(ids("1,000"), vec!["n.jsonl#5", "n.jsonl#6"]);
    assert_eq!(ids("1000"), vec!["n.jsonl#5", "n.jsonl#6"]);
}

#[test]
fn a_name_is_not_found_by_the_word_its_stem_would_make_it() {
    let env = archive_of(
        "n.jsonl",
        &[
            (
                1,
                "Hollande visits Berlin",
                "President Hollande met the chancellor.",
            ),
            (2, "Floods in Holland", "Dikes held across Holland."),
            (3, "Morales wins again", "Evo Morales won a fourth term."),
            (4, "Staff morale falls", "Morale among nurses is low."),
            (5, "Speech", "Hilary Clinton spoke in Ohio."),
            (6, "Hilarious video", "The clip is hilarious."),
            (
                7,
                "Election in Paris",
                "Hollande's party lost; Holland's did too.",
            ),
        ],
    );
    let ids = |q: &str| sorted_ids(&env, q, &["--all", "--exact"]);
    assert_eq!(ids("hollande"), vec!["n.jsonl#1", "n.jsonl#7"]);
    assert_eq!(ids("Holland"), vec!["n.jsonl#2", "n.jsonl#7"]);
    assert_eq!(ids("morales"), vec!["n.jsonl#3"]);
    assert_eq!(ids("morale"), vec!["n.jsonl#4"]);
    assert_eq!(ids("hilary"), vec!["n.jsonl#5"]);
    assert_eq!(ids("hilarious"), vec!["n.jsonl#6"]);
    // The snippet lights up the name, not the word.
    let hits = env.hits("hollande", &["--exact"]);
    let hit = hits.iter().find(|h| h["id"] == "n.jsonl#7").expect("#7");
    let marks: Vec<String> = hit["snippets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(crate::util::highlighted)
        .collect();
    assert_eq!(marks, ["hollande"], "{hit}");
}

#[test]
fn a_lower_case_or_or_not_between_words_is_said() {
    let env = &sample().env;
    let r = env
        .run(&[
            "search",
            "brexit or trump",
            "--index",
            env.index.to_str().unwrap(),
        ])
        .success();
    let w = r.stderr_line("warning:");
    assert!(w.contains("brexit OR trump"), "{w}");
    let r = env
        .run(&[
            "search",
            "brexit not trump",
            "--index",
            env.index.to_str().unwrap(),
        ])
        .success();
    let w = r.stderr_line("warning:");
    assert!(w.contains("brexit -trump"), "{w}");
    // In quotes, at either end, or typed as the operator, it is not said.
    for q in ["\"whether or not\"", "or brexit", "brexit OR trump"] {
        let r = env
            .run(&["search", q, "--index", env.index.to_str().unwrap()])
            .success();
        assert!(!r.stderr.contains("warning"), "{q}: {r:?}");
    }
}

#[test]
fn a_prefix_after_an_apostrophe_or_a_hyphen_finds_the_word() {
    let env = archive_of(
        "p.jsonl",
        &[
            (1, "Speaker named", "Tip O'Neill was speaker."),
            (2, "Syria talks", "President al-Assad spoke."),
            (3, "Jets delivered", "The F-35B landed."),
            (4, "Old jets", "The F-16 retired."),
            (5, "Neil Young", "The singer Neil played."),
        ],
    );
    let ids = |q: &str| sorted_ids(&env, q, &["--all"]);
    assert_eq!(ids("O'Nei*"), vec!["p.jsonl#1"]);
    assert_eq!(ids("al-Ass*"), vec!["p.jsonl#2"]);
    assert_eq!(ids("F-3*"), vec!["p.jsonl#3"]);
    // A code typed without its hyphen finds it written with one, a letter after it too.
    assert_eq!(ids("F35B"), vec!["p.jsonl#3"]);
    assert_eq!(ids("F16"), vec!["p.jsonl#4"]);
}

#[test]
fn a_prefix_whose_stem_ends_otherwise_finds_the_word() {
    // "democracy" is indexed as `democraci`, "policy" as `polici`: the prefix finds
    // them and their plurals, and not the words its shorter stems would (police).
    let env = archive_of(
        "p.jsonl",
        &[
            (1, "Democracy in danger", "Democracy is fragile."),
            (2, "Young democracies", "Democracies unite."),
            (3, "Democrat wins", "The Democrat won the seat."),
            (4, "Policy shift", "The policy changed."),
            (5, "Police patrol", "Police patrolled the streets."),
        ],
    );
    let ids = |q: &str| sorted_ids(&env, q, &["--all"]);
    assert_eq!(ids("democracy*"), vec!["p.jsonl#1", "p.jsonl#2"]);
    assert_eq!(ids("policy*"), vec!["p.jsonl#4"]);
    assert_eq!(ids("polic*"), vec!["p.jsonl#4", "p.jsonl#5"]);
}

#[test]
fn an_author_asked_of_an_archive_without_bylines_says_so() {
    let env = crate::util::TestEnv::new();
    env.write(
        "n.jsonl",
        "{\"id\":\"1\",\"title\":\"Seoul talks\",\"body\":\"Andrei Lankov wrote on Korea.\"}\n",
    );
    env.ingest(&[]);
    let r = env.search("", &["--author", "Lankov"]).code(2);
    let line = r.stderr_line("error:");
    assert!(
        line.contains("no article in this index names an author"),
        "{line}"
    );
    assert!(line.contains("search the name as words"), "{line}");
    // The words themselves find the article.
    assert_eq!(env.ids("lankov", &[]), vec!["n.jsonl#1".to_string()]);
}

/// "how many" asks for a number: an article that gives it without the word "many" is a
/// full match of the question, and "many" elsewhere is still a word of the query.
#[test]
fn how_many_asks_for_a_number_not_for_the_word() {
    let env = archive_of(
        "a.jsonl",
        &[
            (
                0,
                "Syrian refugee crisis in numbers",
                "Five million Syrian refugees have fled to neighbouring countries.",
            ),
            (
                1,
                "Many rivers to cross",
                "Many Syrian refugees walked for weeks.",
            ),
        ],
    );
    let full = |query: &str| sorted_full_ids(&env, query);
    assert_eq!(
        full("how many syrian refugees are there?"),
        ["a.jsonl#0", "a.jsonl#1"]
    );
    // Not after "how": the word is required.
    assert_eq!(full("many refugees"), ["a.jsonl#1"]);
}

/// A headline's word is also the plain word an article writes for it, one way: a
/// search for "blaze" finds the article about a fire, and "soccer" the one about
/// football, with the plain word highlighted; "fire" does not list "blaze" alone.
#[test]
fn a_headline_word_finds_the_plain_word() {
    let env = archive_of(
        "a.jsonl",
        &[
            (
                0,
                "Three children die in house fire",
                "A fire swept through the house overnight, killing three children.",
            ),
            (
                1,
                "Hooligans banned from stadiums",
                "Football hooligans will be banned from every stadium next season.",
            ),
            (
                2,
                "Blaze at the opera",
                "The blaze was seen from the river.",
            ),
        ],
    );
    let all = ["--all"];
    let full = |query: &str| sorted_full_ids(&env, query);
    assert_eq!(full("house blaze kids"), ["a.jsonl#0"]);
    assert_eq!(full("blaze"), ["a.jsonl#0", "a.jsonl#2"]);
    assert_eq!(full("soccer hooligans"), ["a.jsonl#1"]);
    assert_eq!(full("fire"), ["a.jsonl#0"]);
    // Typed in capitals, a word is an abbreviation (COP, the climate conference).
    assert_eq!(full("BLAZE"), ["a.jsonl#2"]);
    let hit = &env.hits("soccer hooligans", &all)[0];
    let text = hit["snippets"][0]["text"].as_str().unwrap();
    let [start, end] = [0, 1].map(|i| hit["snippets"][0]["highlights"][0][i].as_u64().unwrap());
    // (Words side by side are one highlight.)
    assert!(
        text[start as usize..end as usize].starts_with("Football"),
        "{hit:#}"
    );
}
