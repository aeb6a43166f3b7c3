//! Integration tests of the search features: near-duplicate groups, `show`, `similar`,
//! facets, `timeline`, sorting, snippets and partial matches. Each runs the real binary
//! on temporary folders (see `util`).

use std::collections::BTreeSet;

use crate::util::*;
use serde_json::Value;

// ---------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------

/// The shared body of the near-duplicate story (well over 60 words).
const RATE_BODY: &str = "The central bank of Norway raised its key interest rate on Thursday by a \
quarter of a percentage point, citing persistent inflation in housing and services. Economists in \
Oslo had expected the move after months of rising consumer prices and a weak krone. The governor \
said further increases could follow if wage growth stays strong through the autumn, while \
exporters warned that higher borrowing costs would hurt investment in the fishing and shipping \
industries along the western coast.";

fn md(title: &str, date: &str, source: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: {date}\nsource: {source}\n---\n{body}\n")
}

/// Two copies of one story (a.md, b.md: other headline + an extra paragraph), a related
/// Norwegian story (e.md), a related Swedish one (f.md) and an unrelated one (c.md).
fn dup_env() -> TestEnv {
    let env = TestEnv::new();
    write_dups(&env, "");
    env.ingest_ok();
    env
}

/// The same five articles under `extra/`, in a copy of the sample corpus (so that word
/// frequencies look like a real archive's).
fn dup_env_with_sample() -> TestEnv {
    let env = TestEnv::with_sample_corpus();
    write_dups(&env, "extra/");
    env.ingest_ok();
    env
}

fn write_dups(env: &TestEnv, dir: &str) {
    assert!(RATE_BODY.split_whitespace().count() >= 60);
    env.write(
        &format!("{dir}a.md"),
        md(
            "Norway raises rates to fight inflation",
            "2024-03-05",
            "Nordic Daily",
            RATE_BODY,
        ),
    );
    env.write(
        &format!("{dir}b.md"),
        md(
            "Oslo central bank lifts key rate again",
            "2024-03-06",
            "Fjord Times",
            &format!(
                "{RATE_BODY}\n\nAnalysts at several banks said the decision was widely \
                 anticipated by markets and would be followed by more tightening."
            ),
        ),
    );
    env.write(
        &format!("{dir}c.md"),
        md(
            "Volcano erupts in Iceland",
            "2024-05-10",
            "Nordic Daily",
            "A volcano on the Reykjanes peninsula erupted overnight, sending lava towards the \
             town of Grindavik. Residents were evacuated and the lagoon was closed as a \
             precaution while scientists monitored the fissure.",
        ),
    );
    env.write(
        &format!("{dir}e.md"),
        md(
            "Norwegian households feel the pinch of higher interest rates",
            "2024-04-02",
            "Nordic Daily",
            "Families across Norway say the central bank's interest rate increases have made \
             mortgages much more expensive. Inflation in Oslo remains high, and the weak krone \
             has pushed up the price of imported food. Economists expect the bank to keep rates \
             high until inflation in housing and services cools.",
        ),
    );
    env.write(
        &format!("{dir}f.md"),
        md(
            "Sweden's central bank holds interest rate steady",
            "2024-04-03",
            "Baltic Wire",
            "The central bank of Sweden left its key interest rate unchanged in Stockholm on \
             Wednesday, saying inflation in services and housing was easing. Swedish economists \
             said the krona had strengthened and that borrowing costs could fall later in the \
             year if consumer prices keep cooling.",
        ),
    );
}

fn id_of(h: &Value) -> String {
    h["id"].as_str().expect("hit has a string id").to_string()
}

fn hit<'a>(hits: &'a [Value], id: &str) -> &'a Value {
    hits.iter()
        .find(|h| h["id"] == id)
        .unwrap_or_else(|| panic!("no hit {id} in {hits:#?}"))
}

fn show_json(env: &TestEnv, id: &str) -> Value {
    env.run(&["show", id, "--index", env.index.to_str().unwrap(), "--json"])
        .success()
        .json()
}

// ---------------------------------------------------------------------------------
// 1. Near-duplicate groups
// ---------------------------------------------------------------------------------

#[test]
fn near_duplicates_show_once_with_similar_count() {
    let env = dup_env();
    let hits = env.hits("interest rate inflation", &["--limit", "50"]);
    let copies: Vec<&Value> = hits
        .iter()
        .filter(|h| h["id"] == "a.md" || h["id"] == "b.md")
        .collect();
    assert_eq!(
        copies.len(),
        1,
        "the two copies should show as one group: {hits:#?}"
    );
    assert_eq!(copies[0]["similar"], 1, "group hit: {:#?}", copies[0]);
    // The non-duplicates are still there, each on its own.
    for other in ["e.md", "f.md"] {
        let h = hit(&hits, other);
        assert_eq!(h["similar"], 0, "{other} has no copies: {h:#?}");
        assert_ne!(
            h["group"], copies[0]["group"],
            "{other} is not in the group"
        );
    }

    // Human output says so, and names the group once.
    let human = env
        .run(&[
            "search",
            "interest rate inflation",
            "--index",
            env.index.to_str().unwrap(),
            "--limit",
            "50",
        ])
        .success();
    assert!(
        human.stdout.contains("+1 similar"),
        "human output lacks '+1 similar':\n{human:?}"
    );
    let n_copy_titles = human
        .stdout
        .lines()
        .filter(|l| {
            let l = l.replace("**", "");
            l.contains("Norway raises rates to fight inflation")
                || l.contains("Oslo central bank lifts key rate again")
        })
        .count();
    assert_eq!(n_copy_titles, 1, "one title line for the group:\n{human:?}");

    // --all shows both copies, in the same group.
    let all = env.hits("interest rate inflation", &["--limit", "50", "--all"]);
    let (a, b) = (hit(&all, "a.md"), hit(&all, "b.md"));
    assert!(a["group"].is_string(), "group is a string: {a:#?}");
    assert_eq!(a["group"], b["group"], "copies share a group");
    assert_ne!(hit(&all, "e.md")["group"], a["group"]);
    assert_eq!(
        all.len(),
        hits.len() + 1,
        "--all adds exactly the hidden copy"
    );
}

#[test]
fn near_duplicate_group_holds_across_incremental_ingests() {
    let env = dup_env();
    let before = env.hits("interest rate", &["--all", "--limit", "50"]);
    let group = hit(&before, "a.md")["group"].clone();

    // A third copy in a new file, in a second ingest run.
    env.write(
        "later/d.md",
        md("Norges Bank hikes", "2024-03-07", "Other Paper", RATE_BODY),
    );
    let report = env.ingest_ok();
    assert_eq!(
        report["articles_added"], 1,
        "second run adds only the new copy: {report:#}"
    );

    let all = env.hits("interest rate", &["--all", "--limit", "50"]);
    for id in ["a.md", "b.md", "later/d.md"] {
        assert_eq!(
            hit(&all, id)["group"],
            group,
            "{id} joins the group: {all:#?}"
        );
    }
    assert_ne!(hit(&all, "e.md")["group"], group);

    let grouped = env.hits("interest rate", &["--limit", "50"]);
    let shown: Vec<&Value> = grouped.iter().filter(|h| h["group"] == group).collect();
    assert_eq!(shown.len(), 1, "the group shows once: {grouped:#?}");
    assert_eq!(shown[0]["similar"], 2, "{:#?}", shown[0]);

    // show on the new copy names both older ones.
    let d = show_json(&env, "later/d.md");
    assert_eq!(d["group"], group);
    let sim: BTreeSet<String> = d["similar"]
        .as_array()
        .expect("similar is an array")
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        sim,
        BTreeSet::from(["a.md".to_string(), "b.md".to_string()])
    );
}

#[test]
fn a_groups_similar_list_is_by_id_and_the_same_in_every_ingest() {
    // Twelve copies in one file of JSON lines (ids `copies.jsonl#1` to `#12`, which
    // the index holds in that order) and four in files of their own, on four threads.
    let env = TestEnv::new();
    let lines: String = (1..=12)
        .map(|n| {
            let title = format!("Norway raises rates, report {n}");
            serde_json::json!({"title": title, "date": "2024-03-05", "body": RATE_BODY}).to_string()
                + "\n"
        })
        .collect();
    env.write("copies.jsonl", lines);
    for f in ["z.md", "m.md", "b.md", "q.md"] {
        env.write(
            f,
            md(
                "Oslo lifts its key rate",
                "2024-03-06",
                "Fjord Times",
                RATE_BODY,
            ),
        );
    }
    let similar = |env: &TestEnv| -> Vec<String> {
        show_json(env, "copies.jsonl#1")["similar"]
            .as_array()
            .expect("similar is an array")
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    };
    env.ingest(&["--threads", "4"]).success();
    let first = similar(&env);
    assert_eq!(first.len(), 15, "{first:?}");
    let mut sorted = first.clone();
    sorted.sort();
    assert_eq!(first, sorted, "listed by id");
    env.ingest(&["--threads", "4", "--rebuild"]).success();
    assert_eq!(similar(&env), first, "a second ingest lists the same");
}

// ---------------------------------------------------------------------------------
// 2. show
// ---------------------------------------------------------------------------------

#[test]
fn show_json_has_whole_body_tags_dates_and_group() {
    let env = dup_env();
    let b = show_json(&env, "b.md");
    assert_eq!(b["id"], "b.md");
    assert_eq!(b["title"], "Oslo central bank lifts key rate again");
    assert_eq!(b["published"], "2024-03-06");
    let body = b["body"].as_str().expect("body is a string");
    assert!(
        body.contains(RATE_BODY),
        "whole body, first paragraph: {body:?}"
    );
    assert!(
        body.contains("would be followed by more tightening."),
        "whole body, last paragraph: {body:?}"
    );

    // Countries with mentions that point into the body.
    let countries = b["countries"].as_array().expect("countries array");
    let no = countries
        .iter()
        .find(|c| c["code"] == "NO")
        .unwrap_or_else(|| panic!("NO tagged: {countries:#?}"));
    let mentions = no["mentions"].as_array().expect("mentions array");
    assert!(!mentions.is_empty());
    let mut in_body = 0;
    for m in mentions {
        if m.get("field").is_some_and(|f| f == "title") {
            continue;
        }
        let (s, e) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            Some(m["text"].as_str().unwrap()),
            body.get(s..e),
            "mention {m}"
        );
        in_body += 1;
    }
    assert!(in_body >= 2, "Norway and Oslo in the body: {mentions:#?}");

    // Dates: "on Thursday" resolved before the publication date 2024-03-06 (a Wednesday).
    let dates = b["dates"].as_array().expect("dates array");
    let thu = dates
        .iter()
        .find(|d| d["text"].as_str().is_some_and(|t| t.contains("Thursday")))
        .unwrap_or_else(|| panic!("'on Thursday' found: {dates:#?}"));
    assert_eq!(thu["value"], "2024-02-29");

    // Group and the other copy.
    assert_eq!(b["group"], show_json(&env, "a.md")["group"]);
    let sim = b["similar"].as_array().expect("similar array");
    assert_eq!(sim.len(), 1, "{sim:#?}");
    assert_eq!(sim[0]["id"], "a.md");
    assert_eq!(sim[0]["title"], "Norway raises rates to fight inflation");

    // A lone article has an empty similar list.
    let c = show_json(&env, "c.md");
    assert_eq!(c["similar"].as_array().map(|a| a.len()), Some(0), "{c:#}");
}

#[test]
fn show_lists_leaders_and_orgs_with_mentions() {
    let env = TestEnv::new();
    env.write(
        "summit.md",
        md(
            "Macron addresses the United Nations",
            "2023-09-20",
            "Paris Post",
            "President Emmanuel Macron of France told the United Nations General Assembly in \
             New York that NATO allies must keep supporting Ukraine. Macron also met the head \
             of the World Health Organization.",
        ),
    );
    env.ingest_ok();
    let s = show_json(&env, "summit.md");
    let body = s["body"].as_str().unwrap();
    let leaders = s["leaders"].as_array().expect("leaders array");
    let macron = leaders
        .iter()
        .find(|l| l["name"] == "Emmanuel Macron")
        .unwrap_or_else(|| panic!("Macron tagged: {leaders:#?}"));
    let lm = macron["mentions"].as_array().expect("leader mentions");
    assert!(lm.len() >= 2, "both Macron mentions: {lm:#?}");
    for m in lm.iter().filter(|m| m.get("field").is_none()) {
        let (st, en) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(Some(m["text"].as_str().unwrap()), body.get(st..en));
    }
    let orgs: Vec<&str> = s["orgs"]
        .as_array()
        .expect("orgs array")
        .iter()
        .map(|o| {
            assert!(
                o["mentions"].as_array().is_some_and(|m| !m.is_empty()),
                "org with mentions: {o}"
            );
            o["name"].as_str().unwrap()
        })
        .collect();
    assert!(orgs.contains(&"United Nations"), "{orgs:?}");
    assert!(orgs.contains(&"NATO"), "{orgs:?}");

    // Human output names the tags and prints the body.
    let human = env
        .run(&["show", "summit.md", "--index", env.index.to_str().unwrap()])
        .success();
    for want in [
        "Macron addresses the United Nations",
        "Emmanuel Macron",
        "NATO",
        "FR",
        "met the head of the World Health Organization.",
    ] {
        assert!(
            human.stdout.contains(want),
            "show lacks {want:?}:\n{human:?}"
        );
    }
}

#[test]
fn show_human_names_the_near_copy() {
    let env = dup_env();
    let r = env
        .run(&["show", "b.md", "--index", env.index.to_str().unwrap()])
        .success();
    assert!(r.stdout.contains("a.md"), "names the other copy:\n{r:?}");
    assert!(
        r.stdout.contains("Norway raises rates to fight inflation"),
        "{r:?}"
    );
    assert!(
        r.stdout.contains("anticipated by markets"),
        "whole body:\n{r:?}"
    );
}

#[test]
fn show_unknown_id_is_exit_2_with_one_line() {
    let env = dup_env();
    for json in [false, true] {
        let mut args = vec!["show", "no/such.md", "--index", env.index.to_str().unwrap()];
        if json {
            args.push("--json");
        }
        let r = env.run(&args).code(2);
        let lines = r.stderr_lines();
        assert_eq!(lines.len(), 1, "one error line:\n{r:?}");
        assert!(lines[0].starts_with("error:"), "{r:?}");
        assert!(lines[0].contains("no/such.md"), "names the id:\n{r:?}");
        assert!(r.stdout.trim().is_empty(), "nothing on stdout:\n{r:?}");
    }
}

// ---------------------------------------------------------------------------------
// 3. similar
// ---------------------------------------------------------------------------------

fn similar(env: &TestEnv, id: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec![
        "similar",
        id,
        "--index",
        env.index.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    let r = env.run(&args).success();
    if r.stdout.trim_start().starts_with("No ") {
        return Vec::new();
    }
    r.json_lines()
}

#[test]
fn similar_returns_related_never_self_or_copies() {
    let env = dup_env_with_sample();
    for id in ["extra/a.md", "extra/b.md"] {
        let hits = similar(&env, id, &["--limit", "20"]);
        let ids: Vec<String> = hits.iter().map(id_of).collect();
        assert!(!ids.iter().any(|i| i == "extra/a.md"), "{id}: {ids:?}");
        assert!(!ids.iter().any(|i| i == "extra/b.md"), "{id}: {ids:?}");
        // The two related rate stories come first.
        let top2: BTreeSet<&str> = ids.iter().take(2).map(|s| s.as_str()).collect();
        assert_eq!(
            top2,
            BTreeSet::from(["extra/e.md", "extra/f.md"]),
            "{id}: {ids:?}"
        );
        assert_eq!(
            ids.iter().collect::<BTreeSet<_>>().len(),
            ids.len(),
            "no repeats: {ids:?}"
        );
        let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "best first: {scores:?}"
        );
    }
    // A lone article is never its own neighbour either.
    let ids: Vec<String> = similar(&env, "extra/e.md", &["--limit", "20"])
        .iter()
        .map(id_of)
        .collect();
    assert!(!ids.iter().any(|i| i == "extra/e.md"), "{ids:?}");
    assert!(
        ids.iter().any(|i| i == "extra/a.md" || i == "extra/b.md"),
        "{ids:?}"
    );
    // --limit
    let one = similar(&env, "extra/a.md", &["--limit", "1"]);
    assert_eq!(one.len(), 1, "{one:#?}");
    let three = similar(&env, "extra/a.md", &["--limit", "3"]);
    assert_eq!(three.len(), 3, "{three:#?}");
}

#[test]
fn similar_applies_filters() {
    let env = dup_env_with_sample();
    let se = similar(
        &env,
        "extra/a.md",
        &["--country", "sweden", "--limit", "50"],
    );
    let ids: Vec<String> = se.iter().map(id_of).collect();
    assert_eq!(
        ids.first().map(String::as_str),
        Some("extra/f.md"),
        "--country SE: {ids:?}"
    );
    assert!(
        !ids.iter().any(|i| i == "extra/e.md"),
        "e.md is not about Sweden: {ids:?}"
    );
    for h in &se {
        assert!(strs(&h["countries"]).contains(&"SE".to_string()), "{h:#}");
    }

    let dated = similar(
        &env,
        "extra/a.md",
        &["--from", "2024-04-03", "--to", "2024-04-03"],
    );
    let ids: Vec<String> = dated.iter().map(id_of).collect();
    assert_eq!(
        ids,
        vec!["extra/f.md".to_string()],
        "--from/--to narrow: {dated:#?}"
    );

    let r = env
        .run(&[
            "similar",
            "extra/a.md",
            "--index",
            env.index.to_str().unwrap(),
            "--country",
            "narnia",
        ])
        .code(2);
    assert!(r.stderr.contains("narnia"), "{r:?}");
}

/// In a small archive the story with a near-copy still has neighbours: e.md shares most
/// of its distinctive words (Norway, Oslo, krone, interest rate, inflation, housing).
#[test]
fn similar_works_in_a_small_archive() {
    let env = dup_env();
    let ids: Vec<String> = similar(&env, "a.md", &[]).iter().map(id_of).collect();
    assert!(
        ids.iter().any(|i| i == "e.md"),
        "similar a.md finds e.md: {ids:?}"
    );
    assert!(!ids.iter().any(|i| i == "a.md" || i == "b.md"), "{ids:?}");
}

#[test]
fn similar_unknown_id_is_exit_2() {
    let env = dup_env();
    let r = env
        .run(&[
            "similar",
            "nope.md",
            "--index",
            env.index.to_str().unwrap(),
            "--json",
        ])
        .code(2);
    let lines = r.stderr_lines();
    assert_eq!(lines.len(), 1, "{r:?}");
    assert!(
        lines[0].starts_with("error:") && lines[0].contains("nope.md"),
        "{r:?}"
    );
}

// ---------------------------------------------------------------------------------
// 4. Facets
// ---------------------------------------------------------------------------------

fn facet_count(facets: &Value, kind: &str, value: &str) -> u64 {
    facets[kind]
        .as_array()
        .unwrap_or_else(|| panic!("facet {kind} is an array: {facets:#}"))
        .iter()
        .find(|f| f["value"] == value)
        .and_then(|f| f["count"].as_u64())
        .unwrap_or_else(|| panic!("no {kind} facet {value}: {facets:#}"))
}

#[test]
fn facets_count_over_all_matches_not_the_page() {
    let s = sample();
    let env = &s.env;
    let lines = env
        .search("china", &["--facets", "--limit", "1"])
        .success()
        .json_lines();
    assert_eq!(lines.len(), 2, "one hit then the facets line: {lines:#?}");
    assert!(lines[0]["id"].is_string(), "first line is a hit");
    let last = lines.last().unwrap();
    let facets = &last["facets"];
    let total = last["total"].as_u64().expect("total is a number");

    let every = env.hits("china", &["--limit", "1000", "--all"]);
    assert!(total > 1, "{last:#}");
    assert_eq!(total as usize, every.len(), "total counts every match");

    for kind in ["country", "leader", "org", "source"] {
        let arr = facets[kind]
            .as_array()
            .unwrap_or_else(|| panic!("facets.{kind} is an array: {last:#}"));
        assert!(!arr.is_empty(), "facets.{kind} not empty: {last:#}");
        let counts: Vec<u64> = arr
            .iter()
            .map(|f| {
                assert!(f["value"].is_string(), "{f}");
                f["count"].as_u64().unwrap_or_else(|| panic!("count: {f}"))
            })
            .collect();
        assert!(
            counts.windows(2).all(|w| w[0] >= w[1]),
            "{kind} sorted by count: {counts:?}"
        );
        assert!(
            counts.iter().all(|&c| c >= 1 && c <= total),
            "{kind}: {counts:?}"
        );
    }

    // Counts agree with filtered searches over every match.
    let cn = facet_count(facets, "country", "CN");
    assert!(cn > 1, "CN counted beyond the one-hit page: {cn}");
    assert_eq!(
        cn as usize,
        env.hits("china", &["--limit", "1000", "--all", "--country", "CN"])
            .len()
    );
    let trump = facet_count(facets, "leader", "Donald Trump");
    assert!(trump > 1, "{trump}");
    assert_eq!(
        trump as usize,
        env.hits(
            "china",
            &["--limit", "1000", "--all", "--leader", "Donald Trump"]
        )
        .len()
    );
    let org = &facets["org"][0];
    let org_name = org["value"].as_str().unwrap();
    assert_eq!(
        org["count"].as_u64().unwrap() as usize,
        env.hits("china", &["--limit", "1000", "--all", "--org", org_name])
            .len(),
        "org facet {org_name}"
    );
    let src = &facets["source"][0];
    assert!(src["count"].as_u64().unwrap() > 1, "{src}");
    assert_eq!(
        src["count"].as_u64().unwrap() as usize,
        every.iter().filter(|h| h["source"] == src["value"]).count(),
        "source facet {src}"
    );
}

#[test]
fn facets_respect_filters() {
    let env = &sample().env;
    let lines = env
        .search("", &["--facets", "--limit", "1", "--country", "TW"])
        .success()
        .json_lines();
    let last = lines.last().unwrap();
    let total = last["total"].as_u64().unwrap();
    assert_eq!(
        total as usize,
        env.hits("", &["--limit", "1000", "--all", "--country", "TW"])
            .len()
    );
    assert_eq!(
        facet_count(&last["facets"], "country", "TW"),
        total,
        "{last:#}"
    );
}

// ---------------------------------------------------------------------------------
// 5. timeline
// ---------------------------------------------------------------------------------

fn timeline_env() -> TestEnv {
    let env = TestEnv::new();
    let arts = [
        (
            "j1.md",
            "France and Germany sign energy pact",
            "2023-01-10",
            "Paris Post",
            "President Emmanuel Macron of France met German officials in Berlin to sign an energy pact.",
        ),
        (
            "j2.md",
            "French farmers protest",
            "2023-01-20",
            "Paris Post",
            "Farmers in France blocked roads near Paris to protest fuel costs.",
        ),
        (
            "j3.md",
            "Japan launches satellite",
            "2023-01-25",
            "Tokyo Wire",
            "Japan launched a weather satellite from Tanegashima.",
        ),
        (
            "m1.md",
            "French strike spreads",
            "2023-03-05",
            "Paris Post",
            "Rail workers in France went on strike over pension reform.",
        ),
        (
            "a1.md",
            "Japan trade surplus",
            "2023-04-15",
            "Tokyo Wire",
            "Japan reported a trade surplus as exports to China rose.",
        ),
        (
            "a2.md",
            "Japan earthquake",
            "2023-04-20",
            "Tokyo Wire",
            "An earthquake shook northern Japan overnight.",
        ),
    ];
    for (f, t, d, s, b) in arts {
        env.write(f, md(t, d, s, b));
    }
    env.ingest_ok();
    env
}

fn timeline(env: &TestEnv, args: &[&str]) -> Run {
    let mut a = vec!["timeline"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--index", env.index.to_str().unwrap()]);
    env.run(&a).success()
}

fn rows(r: &Run) -> Vec<(String, u64)> {
    r.json_lines()
        .iter()
        .map(|v| {
            (
                v["period"]
                    .as_str()
                    .unwrap_or_else(|| panic!("period: {v}"))
                    .to_string(),
                v["count"].as_u64().unwrap_or_else(|| panic!("count: {v}")),
            )
        })
        .collect()
}

#[test]
fn timeline_by_month_fills_empty_periods() {
    let env = timeline_env();
    let r = timeline(&env, &["--by", "month", "--json"]);
    let want: Vec<(String, u64)> = [
        ("2023-01", 3),
        ("2023-02", 0),
        ("2023-03", 1),
        ("2023-04", 2),
    ]
    .iter()
    .map(|(p, c)| (p.to_string(), *c))
    .collect();
    assert_eq!(rows(&r), want, "{r:?}");

    // A query narrows it.
    let r = timeline(&env, &["japan", "--by", "month", "--json"]);
    let got = rows(&r);
    let want: Vec<(String, u64)> = [
        ("2023-01", 1),
        ("2023-02", 0),
        ("2023-03", 0),
        ("2023-04", 2),
    ]
    .iter()
    .map(|(p, c)| (p.to_string(), *c))
    .collect();
    assert_eq!(got, want, "{r:?}");

    let r = timeline(&env, &["japan", "--by", "year", "--json"]);
    assert_eq!(rows(&r), vec![("2023".to_string(), 3)], "{r:?}");
}

#[test]
fn timeline_by_day_and_week_cover_every_period() {
    let env = timeline_env();
    let day = rows(&timeline(&env, &["--by", "day", "--json"]));
    // 2023-01-10 ..= 2023-04-20 is 101 days.
    assert_eq!(day.len(), 101, "{day:?}");
    assert_eq!(day.first().unwrap(), &("2023-01-10".to_string(), 1));
    assert_eq!(day.last().unwrap(), &("2023-04-20".to_string(), 1));
    assert_eq!(day.iter().map(|r| r.1).sum::<u64>(), 6);
    assert_eq!(day.iter().filter(|r| r.1 > 0).count(), 6);
    let periods: BTreeSet<&String> = day.iter().map(|r| &r.0).collect();
    assert_eq!(periods.len(), day.len(), "no repeated days");
    assert!(periods.contains(&"2023-02-28".to_string()));

    let week = rows(&timeline(&env, &["--by", "week", "--json"]));
    // ISO weeks 2 (Jan 10) to 16 (Apr 20).
    assert_eq!(week.len(), 15, "{week:?}");
    assert_eq!(week.iter().map(|r| r.1).sum::<u64>(), 6);
    assert!(
        week.iter().any(|r| r.1 == 0),
        "empty weeks present: {week:?}"
    );
}

#[test]
fn timeline_split_by_country_json_and_csv() {
    let env = timeline_env();
    // FR: j1, j2, m1; JP: j3, a1, a2; DE: j1; CN: a1.
    let r = timeline(
        &env,
        &[
            "--by",
            "month",
            "--split-by",
            "country",
            "--top",
            "2",
            "--json",
        ],
    );
    let lines = r.json_lines();
    assert_eq!(lines.len(), 4, "{r:?}");
    let split = |i: usize, tag: &str| lines[i]["split"][tag].as_u64().unwrap_or(0);
    assert_eq!((split(0, "FR"), split(0, "JP")), (2, 1), "{r:?}");
    assert_eq!((split(1, "FR"), split(1, "JP")), (0, 0), "{r:?}");
    assert_eq!((split(2, "FR"), split(2, "JP")), (1, 0), "{r:?}");
    assert_eq!((split(3, "FR"), split(3, "JP")), (0, 2), "{r:?}");
    for l in &lines {
        if let Some(obj) = l["split"].as_object() {
            for k in obj.keys() {
                assert!(
                    k == "FR" || k == "JP" || k.eq_ignore_ascii_case("other"),
                    "only the top 2 tags: {l}"
                );
            }
        }
    }

    let csv = timeline(
        &env,
        &[
            "--by",
            "month",
            "--split-by",
            "country",
            "--top",
            "2",
            "--csv",
        ],
    );
    let mut it = csv.stdout.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = it.next().expect("a header").split(',').collect();
    assert_eq!(&header[..2], &["period", "count"], "{csv:?}");
    let tags: BTreeSet<&str> = header[2..]
        .iter()
        .copied()
        .filter(|t| !t.eq_ignore_ascii_case("other"))
        .collect();
    assert_eq!(tags, BTreeSet::from(["FR", "JP"]), "{csv:?}");
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let body: Vec<Vec<&str>> = it.map(|l| l.split(',').collect()).collect();
    assert_eq!(body.len(), 4, "{csv:?}");
    let want = [
        ("2023-01", "3", "2", "1"),
        ("2023-02", "0", "0", "0"),
        ("2023-03", "1", "1", "0"),
        ("2023-04", "2", "0", "2"),
    ];
    for (row, (p, c, fr, jp)) in body.iter().zip(want) {
        assert_eq!(row.len(), header.len(), "{csv:?}");
        assert_eq!(
            (row[0], row[1], row[col("FR")], row[col("JP")]),
            (p, c, fr, jp),
            "{csv:?}"
        );
    }

    // Without --split-by the CSV is just period,count.
    let plain = timeline(&env, &["--by", "month", "--csv"]);
    let lines: Vec<&str> = plain.stdout.lines().collect();
    assert_eq!(lines[0], "period,count", "{plain:?}");
    assert_eq!(
        &lines[1..],
        &["2023-01,3", "2023-02,0", "2023-03,1", "2023-04,2"],
        "{plain:?}"
    );
}

#[test]
fn timeline_split_by_source() {
    let env = timeline_env();
    let r = timeline(&env, &["--split-by", "source", "--top", "1", "--json"]);
    let lines = r.json_lines();
    // "Paris Post" and "Tokyo Wire" both have 3; whichever is the top one, its counts match.
    let top: Vec<String> = lines
        .iter()
        .filter_map(|l| l["split"].as_object())
        .flat_map(|o| o.keys().cloned())
        .filter(|k| !k.eq_ignore_ascii_case("other"))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(top.len(), 1, "one top source: {r:?}");
    let want: [u64; 4] = if top[0] == "Paris Post" {
        [2, 0, 1, 0]
    } else {
        [1, 0, 0, 2]
    };
    let got: Vec<u64> = lines
        .iter()
        .map(|l| l["split"][&top[0]].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(got, want, "{r:?}");
}

#[test]
fn timeline_human_has_a_line_and_bar_per_period() {
    let env = timeline_env();
    let r = timeline(&env, &["--by", "month"]);
    let periods = ["2023-01", "2023-02", "2023-03", "2023-04"];
    let counts = [3, 0, 1, 2];
    let lines: Vec<&str> = r.stdout.lines().collect();
    let mut bars = Vec::new();
    for (p, c) in periods.iter().zip(counts) {
        let matching: Vec<&&str> = lines
            .iter()
            .filter(|l| l.trim_start().starts_with(p))
            .collect();
        assert_eq!(matching.len(), 1, "one line for {p}:\n{r:?}");
        let l = matching[0];
        let last_num = l
            .split_whitespace()
            .rev()
            .find_map(|w| w.parse::<u64>().ok());
        assert_eq!(last_num, Some(c), "count of {p} in {l:?}");
        let bar = l
            .chars()
            .filter(|ch| matches!(ch, '█' | '▉'..='▏' | '#' | '=' | '■'))
            .count();
        if c > 0 {
            assert!(bar > 0, "a bar for {p}: {l:?}");
        } else {
            assert_eq!(bar, 0, "no bar for an empty period: {l:?}");
        }
        bars.push(bar);
    }
    // Longer bars for bigger counts.
    assert!(
        bars[0] > bars[3] && bars[3] > bars[2],
        "bars {bars:?}:\n{r:?}"
    );
    // Periods in order.
    let pos: Vec<usize> = periods
        .iter()
        .map(|p| {
            lines
                .iter()
                .position(|l| l.trim_start().starts_with(p))
                .unwrap()
        })
        .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{r:?}");
}

// ---------------------------------------------------------------------------------
// 6. Sorting
// ---------------------------------------------------------------------------------

fn dates(hits: &[Value]) -> Vec<Option<String>> {
    hits.iter()
        .map(|h| h["published"].as_str().map(String::from))
        .collect()
}

#[test]
fn sort_newest_and_oldest_by_publication_date() {
    let env = timeline_env();
    let ordered = |q: &str, args: &[&str]| dates(&env.hits(q, args));
    let all_desc: Vec<Option<String>> = [
        "2023-04-20",
        "2023-04-15",
        "2023-03-05",
        "2023-01-25",
        "2023-01-20",
        "2023-01-10",
    ]
    .iter()
    .map(|d| Some(d.to_string()))
    .collect();
    assert_eq!(ordered("", &[]), all_desc, "empty query: newest first");
    assert_eq!(ordered("", &["--sort", "newest"]), all_desc);
    let mut asc = all_desc.clone();
    asc.reverse();
    assert_eq!(ordered("", &["--sort", "oldest"]), asc);

    // With words: "japan earthquake" would rank a2 first by relevance; use a query whose
    // matches all contain every word.
    let japan_new = ordered("japan", &["--sort", "newest"]);
    assert_eq!(
        japan_new,
        ["2023-04-20", "2023-04-15", "2023-01-25"]
            .iter()
            .map(|d| Some(d.to_string()))
            .collect::<Vec<_>>()
    );
    let japan_old = ordered("japan", &["--sort", "oldest"]);
    assert_eq!(
        japan_old,
        ["2023-01-25", "2023-04-15", "2023-04-20"]
            .iter()
            .map(|d| Some(d.to_string()))
            .collect::<Vec<_>>()
    );
}

#[test]
fn sort_on_sample_keeps_dated_order_and_paging() {
    let env = &sample().env;
    for (sort, desc) in [("newest", true), ("oldest", false)] {
        let d = dates(&env.hits("china", &["--sort", sort, "--limit", "1000"]));
        let dated: Vec<&String> = d.iter().flatten().collect();
        assert!(dated.len() > 5, "{d:?}");
        assert!(
            dated
                .windows(2)
                .all(|w| if desc { w[0] >= w[1] } else { w[0] <= w[1] }),
            "--sort {sort}: {d:?}"
        );
        // Undated articles never come between dated ones.
        if let Some(first_undated) = d.iter().position(|x| x.is_none()) {
            assert!(
                d[first_undated..].iter().all(|x| x.is_none()),
                "--sort {sort}: {d:?}"
            );
        }
        // Paging follows the same order.
        let ids = env.ids("china", &["--sort", sort, "--limit", "1000"]);
        let page2 = env.ids("china", &["--sort", sort, "--limit", "3", "--offset", "3"]);
        assert_eq!(page2, ids[3..6].to_vec(), "--sort {sort} page 2");
    }
    // Empty query on the sample: newest first, the 2025 specification article on top.
    let top = env.hits("", &["--limit", "3"]);
    assert_eq!(top[0]["id"], SPEC_ID, "{top:#?}");
    let d = dates(&top);
    assert!(d.windows(2).all(|w| w[0] >= w[1]), "{d:?}");
}

// ---------------------------------------------------------------------------------
// 7. Snippets
// ---------------------------------------------------------------------------------

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Checks every snippet of a hit against the article body from `show --json`.
fn check_snippets(env: &TestEnv, h: &Value, max: usize) {
    let id = id_of(h);
    let body_json = show_json(env, &id);
    let body = body_json["body"].as_str().expect("show body");
    let snippets = h["snippets"].as_array().expect("snippets array");
    assert!(!snippets.is_empty(), "{id}: at least one snippet: {h:#}");
    assert!(snippets.len() <= max, "{id}: at most {max} snippets: {h:#}");
    let mut spans = Vec::new();
    for s in snippets {
        let text = s["text"].as_str().expect("snippet text");
        let (st, en) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        assert!(st < en, "{id}: empty snippet {s}");
        assert_eq!(
            body.get(st..en),
            Some(text),
            "{id}: body[start..end] == text for {s}"
        );
        // Not mid-word at either end.
        let before = body[..st].chars().next_back();
        let after = body[en..].chars().next();
        assert!(
            !(before.is_some_and(is_word_char) && text.chars().next().is_some_and(is_word_char)),
            "{id}: snippet starts mid-word ({before:?}|{text:?})"
        );
        assert!(
            !(after.is_some_and(is_word_char)
                && text.chars().next_back().is_some_and(is_word_char)),
            "{id}: snippet ends mid-word ({text:?}|{after:?})"
        );
        for hl in s["highlights"].as_array().expect("highlights array") {
            let (a, b) = (
                hl[0].as_u64().unwrap() as usize,
                hl[1].as_u64().unwrap() as usize,
            );
            assert!(
                a < b && b <= text.len(),
                "{id}: highlight {hl} inside {text:?}"
            );
            assert!(
                text.get(a..b).is_some(),
                "{id}: highlight {hl} on char boundaries"
            );
        }
        let _ = highlighted(s);
        spans.push((st, en));
    }
    spans.sort();
    for w in spans.windows(2) {
        assert!(w[0].1 <= w[1].0, "{id}: overlapping snippets {spans:?}");
    }
}

#[test]
fn snippets_are_body_slices_non_overlapping_and_whole_words() {
    let env = &sample().env;
    let mut multi = 0;
    for q in ["taiwan", "trade war", "nuclear", "china OR japan"] {
        let hits = env.hits(q, &["--snippets", "3", "--limit", "5"]);
        assert!(!hits.is_empty(), "{q}");
        for h in &hits {
            check_snippets(env, h, 3);
            if h["snippets"].as_array().unwrap().len() > 1 {
                multi += 1;
            }
        }
    }
    assert!(
        multi > 0,
        "some hit has more than one fragment with --snippets 3"
    );

    // --snippets 1 (the default) gives one fragment.
    for h in env.hits("taiwan", &["--limit", "5"]) {
        check_snippets(env, &h, 1);
    }
    // --snippet-chars bounds the fragment (with some slack for word ends).
    for h in env.hits(
        "taiwan",
        &["--limit", "5", "--snippet-chars", "80", "--snippets", "2"],
    ) {
        check_snippets(env, &h, 2);
        for s in h["snippets"].as_array().unwrap() {
            let n = s["text"].as_str().unwrap().chars().count();
            assert!(
                n <= 160,
                "snippet of {n} chars with --snippet-chars 80: {s}"
            );
        }
    }
}

#[test]
fn a_lead_snippet_is_as_long_as_a_fragment_may_be_short() {
    // An article matched in its title only shows its lead, cut as a fragment is: at
    // least 40 characters, however small --snippet-chars is.
    let env = crate::util::TestEnv::new();
    env.write(
        "a.jsonl",
        "{\"id\":\"1\",\"title\":\"Famine warning\",\"body\":\"The world is facing an historic and grave crisis in four countries.\"}\n",
    );
    env.ingest(&[]).success();
    let hits = env.hits("title:famine", &["--snippet-chars", "5"]);
    let text = hits[0]["snippets"][0]["text"].as_str().unwrap();
    assert!(text.chars().count() >= 30, "{text}");
}

#[test]
fn snippet_highlights_mark_query_words() {
    let env = &sample().env;
    let hits = env.hits("taiwan", &["--snippets", "3", "--limit", "5"]);
    for h in &hits {
        for s in h["snippets"].as_array().unwrap() {
            for w in highlighted(s) {
                assert!(
                    w.starts_with("taiwan"),
                    "{}: highlight {w:?} for 'taiwan'",
                    id_of(h)
                );
            }
        }
        let any = h["snippets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| !s["highlights"].as_array().unwrap().is_empty());
        assert!(any, "{}: some fragment highlights taiwan: {h:#}", id_of(h));
    }
}

#[test]
fn phrase_query_highlights_post_war_as_one_range() {
    let env = &sample().env;
    let hits = env.hits("\"post-war order\"", &["--snippets", "3", "--limit", "5"]);
    let spec = hit(&hits, SPEC_ID);
    check_snippets(env, spec, 3);
    let words: Vec<String> = spec["snippets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(highlighted)
        .collect();
    assert!(
        words
            .iter()
            .any(|w| w == "post-war" || w == "post-war order"),
        "post-war highlighted as one range: {words:?}\n{spec:#}"
    );
    for w in &words {
        assert!(
            w != "post" && w != "-war" && w != "post-",
            "post-war split: {words:?}"
        );
    }
    // Title highlights mark the phrase in the title.
    let title = spec["title"].as_str().unwrap();
    let th: Vec<&str> = spec["title_highlights"]
        .as_array()
        .expect("title_highlights")
        .iter()
        .map(|r| {
            let (a, b) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            title
                .get(a..b)
                .unwrap_or_else(|| panic!("title highlight {r} in {title:?}"))
        })
        .collect();
    assert!(
        th.iter().any(|t| t.to_lowercase().starts_with("post-war")),
        "title highlights post-war: {th:?}"
    );
}

#[test]
fn title_highlights_mark_words_in_the_title() {
    let env = &sample().env;
    // The one article holding every word, first (partial matches follow it).
    let hits = env.hits(SPEC_QUERY, &[]);
    let h = hits[0].clone();
    assert_eq!(h["partial"], false, "{h:#}");
    assert!(hits[1..].iter().all(|h| h["partial"] == true), "{hits:#?}");
    let title = h["title"].as_str().unwrap();
    assert_eq!(title, SPEC_TITLE);
    let marked: Vec<String> = h["title_highlights"]
        .as_array()
        .expect("title_highlights")
        .iter()
        .map(|r| {
            let (a, b) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            assert!(a < b, "{r}");
            title.get(a..b).unwrap().to_lowercase()
        })
        .collect();
    let joined = marked.join(" ");
    for w in ["taiwan", "post-war", "order"] {
        assert!(joined.contains(w), "title highlights {w}: {marked:?}");
    }
    assert!(
        !marked
            .iter()
            .any(|m| m.contains("trump") || m.contains("xi ")),
        "{marked:?}"
    );

    // A hit whose title lacks the word has no title highlights.
    let env2 = TestEnv::new();
    env2.write(
        "x.md",
        md(
            "Weather report",
            "2022-02-02",
            "S",
            "Snow fell on Zanzibar today.",
        ),
    );
    env2.ingest_ok();
    let hits = env2.hits("zanzibar", &[]);
    assert_eq!(hits.len(), 1);
    assert_eq!(
        hits[0]["title_highlights"].as_array().map(|a| a.len()),
        Some(0),
        "{:#}",
        hits[0]
    );
    let hits = env2.hits("weather", &[]);
    assert_eq!(hits[0]["title_highlights"], serde_json::json!([[0, 7]]));
}

// ---------------------------------------------------------------------------------
// 8. Partial matches
// ---------------------------------------------------------------------------------

#[test]
fn partial_matches_follow_full_matches() {
    let env = timeline_env();
    // "earthquake" only in a2; "japan" in j3, a1, a2.
    let hits = env.hits("japan earthquake", &["--limit", "20"]);
    let ids: Vec<String> = hits.iter().map(id_of).collect();
    assert_eq!(ids[0], "a2.md", "the full match first: {hits:#?}");
    assert_eq!(hits[0]["partial"], false);
    let rest: BTreeSet<String> = ids[1..].iter().cloned().collect();
    assert_eq!(
        rest,
        BTreeSet::from(["j3.md".to_string(), "a1.md".to_string()]),
        "{ids:?}"
    );
    for h in &hits[1..] {
        assert_eq!(h["partial"], true, "{h:#}");
    }

    // One word present, one absent everywhere: every hit is partial.
    let hits = env.hits("japan zebra", &["--limit", "20"]);
    assert_eq!(hits.len(), 3, "{hits:#?}");
    assert!(hits.iter().all(|h| h["partial"] == true), "{hits:#?}");

    // Paging goes through full then partial hits in one order.
    let all = env.ids("japan earthquake", &["--limit", "20"]);
    let p2 = env.ids("japan earthquake", &["--limit", "2", "--offset", "1"]);
    assert_eq!(p2, all[1..3].to_vec());

    // Human output marks partial hits and says what they lack.
    let r = env
        .run(&[
            "search",
            "japan earthquake",
            "--index",
            env.index.to_str().unwrap(),
        ])
        .success();
    let marked = r
        .stdout
        .lines()
        .filter(|l| l.trim_end().ends_with("partial match, lacks: earthquake"))
        .count();
    assert_eq!(marked, 2, "{r:?}");

    // A query whose words all match has no partial hits.
    let hits = env.hits("japan", &["--limit", "20"]);
    assert!(hits.iter().all(|h| h["partial"] == false), "{hits:#?}");
}

#[test]
fn partial_matches_on_sample_come_after_full_ones() {
    let env = &sample().env;
    let hits = env.hits("taiwan xylophone", &["--limit", "50"]);
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["partial"] == true), "{hits:#?}");

    let hits = env.hits("taiwan indicts", &["--limit", "50"]);
    let flags: Vec<bool> = hits
        .iter()
        .map(|h| h["partial"].as_bool().unwrap())
        .collect();
    assert!(
        flags.iter().any(|f| !f) && flags.iter().any(|f| *f),
        "{flags:?}"
    );
    let first_partial = flags.iter().position(|f| *f).unwrap();
    assert!(
        flags[first_partial..].iter().all(|f| *f),
        "full before partial: {flags:?}"
    );
    // Partial hits still match the present word.
    for h in &hits[first_partial..] {
        let t = serde_json::to_string(h).unwrap().to_lowercase();
        assert!(t.contains("taiwan") || t.contains("indict"), "{h:#}");
    }
}
