//! Counting stops at 10,000 matches when ranking by relevance: what the user is told
//! (`total_is_lower_bound`, "10000+ matches") and that paging past the bound still
//! reaches every article. Through the real binary.

use crate::util::TestEnv;
use serde_json::Value;

/// Articles in the archive that hold "harbour": more than the bound.
const MANY: usize = 10_050;
/// Of them, the ones that also hold "lighthouse": fewer.
const FEW: usize = 50;

/// Distinct bodies (no two are near copies, so each article is its own story).
fn archive(env: &TestEnv) {
    const VOCAB: &[&str] = &[
        "river", "market", "council", "budget", "storm", "school", "bridge", "railway", "festival",
        "museum", "election", "hospital", "factory", "airport", "garden", "library", "stadium",
        "theatre", "prison", "harvest", "village", "mayor", "police", "court", "teacher", "doctor",
        "farmer", "pilot", "singer", "writer", "painter", "engineer", "lawyer", "banker", "baker",
        "miner", "sailor", "soldier", "student", "nurse", "tunnel", "canal", "forest", "desert",
        "valley", "island", "coast",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = String::new();
    for i in 0..MANY {
        let mut words: Vec<&str> = (0..30)
            .map(|_| VOCAB[(next() % VOCAB.len() as u64) as usize])
            .collect();
        words.insert(5, "harbour");
        if i < FEW {
            words.insert(10, "lighthouse");
        }
        let line = serde_json::json!({
            "id": format!("a{i}"),
            "title": format!("Report {i}"),
            "date": format!("2020-01-{:02}", 1 + i % 28),
            "text": words.join(" ") + ".",
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    env.write("many.jsonl", out);
}

/// The last line of `search --json --facets`: the counts.
fn counts(env: &TestEnv, query: &str, extra: &[&str]) -> Value {
    let mut args = vec!["--facets"];
    args.extend_from_slice(extra);
    let r = env.search(query, &args).success();
    r.json_lines().pop().expect("a counts line")
}

#[test]
fn a_common_word_counts_to_the_bound_says_so_and_pages_on_past_it() {
    let env = TestEnv::new();
    archive(&env);
    let rep = env.ingest_ok();
    assert_eq!(rep["articles_added"], MANY as u64);

    // By relevance: counted to the bound, and said to be a lower bound.
    let c = counts(&env, "harbour", &[]);
    assert_eq!(c["total"], 10_000);
    assert_eq!(c["total_is_lower_bound"], true);
    let text = env
        .run(&["search", "harbour", "--index", env.index.to_str().unwrap()])
        .success();
    // (A few random bodies may come out as near copies: then stories are said too.)
    let footer = text.stdout.trim_end().lines().last().unwrap_or_default();
    assert!(
        footer == "1–10 of 10000+ matches"
            || (footer.starts_with("1–10 of ") && footer.ends_with("+ stories (10000+ articles)")),
        "footer: {footer}"
    );

    // Fewer matches than the bound, `--limit 0` and the date orders: exact.
    let c = counts(&env, "lighthouse", &[]);
    assert_eq!(
        (c["total"].as_u64(), &c["total_is_lower_bound"]),
        (Some(FEW as u64), &Value::Bool(false))
    );
    for extra in [
        &["--limit", "0"][..],
        &["--sort", "newest"],
        &["--sort", "oldest"],
    ] {
        let c = counts(&env, "harbour", extra);
        assert_eq!(c["total"], MANY as u64, "{extra:?}");
        assert_eq!(c["total_is_lower_bound"], false, "{extra:?}");
    }

    // Paging across and past the bound reaches the last story, and with --all the
    // last article.
    let stories = counts(&env, "harbour", &["--limit", "0"])["stories"]
        .as_u64()
        .unwrap() as usize;
    assert!(stories > 10_000);
    // Without --facets, `--limit 0 --json` prints the counts alone, as one line.
    let lines = env
        .search("harbour", &["--limit", "0"])
        .success()
        .json_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["total"], MANY as u64);
    assert_eq!(lines[0]["stories"].as_u64(), Some(stories as u64));
    assert!(lines[0].get("facets").is_none(), "{lines:?}");
    for (offset, want, all) in [
        (9_995, 10, false),
        (stories - 7, 7, false),
        (MANY - 7, 7, true),
    ] {
        let offset_s = offset.to_string();
        let mut args = vec!["--offset", &offset_s, "--limit", "10"];
        if all {
            args.push("--all");
        }
        let hits = env.hits("harbour", &args);
        assert_eq!(hits.len(), want, "offset {offset}, --all {all}");
        assert!(hits.iter().all(|h| h["partial"] == false));
        assert_eq!(hits[0]["rank"], offset as u64 + 1);
    }
}
