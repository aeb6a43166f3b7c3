//! Matching by meaning (`newsidx::semantic`): an index built with `ingest --model`
//! stores each article's vector and orders a search's best matches by meaning too.
//! These run with a real model (`NEWSIDX_TEST_MODEL`, which `.ci/run` sets); without
//! one they print a note.

use crate::relevance::test_model;
use crate::util::TestEnv;

/// Two articles that hold every word of `sweden brings back military draft`: one is
/// about it in other words (conscription, compulsory service); the other, a city
/// budget, uses the words in other senses, and by words alone ranks a little higher.
fn two_articles(env: &TestEnv) {
    env.write(
        "draft.txt",
        "Stockholm reintroduces conscription\n\nThe government will call up 4,000 young men and women for compulsory service \
         from next year, the defence ministry said, as tensions with Russia grow around \
         the Baltic. Planners said volunteers alone no longer fill the ranks of the \
         armed forces. Conscription was scrapped in 2010; the new law brings young \
         people back to the military barracks, and Sweden's draft letters go out in \
         July to those born after 1999.\n",
    );
    env.write(
        "budget.txt",
        "City council passes its budget\n\nThe council approved spending on roads, schools and parks on Tuesday after a \
         long debate. A first draft of the budget brings the parade back to the square, \
         the council said; Sweden last held a military show there in 1999. Councillors \
         argued over the cost of new bus lanes, the opening hours of the library and \
         repairs to the swimming pool, and agreed to review the plan for street \
         lighting next spring. The military band will play at the opening, and the \
         draft goes to a vote in May.\n",
    );
}

const QUERY: &str = "sweden brings back military draft";

#[test]
fn an_index_with_a_model_orders_by_meaning_and_keeps_its_model() {
    let Some(model) = test_model() else { return };
    let model = model.to_str().unwrap();
    // By words alone, the budget ranks first.
    let words = TestEnv::new();
    two_articles(&words);
    words.ingest(&[]).success();
    assert_eq!(words.ids(QUERY, &[]), ["budget.txt", "draft.txt"]);
    // With the model, the article about the query does.
    let env = TestEnv::new();
    two_articles(&env);
    env.ingest(&["--model", model]).success();
    assert_eq!(env.ids(QUERY, &[]), ["draft.txt", "budget.txt"]);
    // A query of two words is ordered by its words alone (the model would lift the
    // article about the draft here too).
    assert_eq!(env.ids("sweden draft", &[]), ["budget.txt", "draft.txt"]);
    // `stats` names the model; an index without one says nothing of it (nor of a file
    // of article vectors).
    let stats = |e: &TestEnv| {
        e.run(&["stats", "--index", e.index.to_str().unwrap(), "--json"])
            .success()
            .json()
    };
    let canonical = std::path::Path::new(model).canonicalize().unwrap();
    assert_eq!(stats(&env)["model"], canonical.to_str().unwrap());
    assert!(stats(&words).get("model").is_none());
    assert!(stats(&words).get("nearest_vectors").is_none());
    // A later run without --model reads new articles with the index's model: a copy of
    // the article about the draft, without a vector, would rank below the budget.
    let draft = std::fs::read_to_string(env.corpus.join("draft.txt")).unwrap();
    env.write("copy.txt", draft);
    env.ingest(&[]).success();
    let ids = env.ids(QUERY, &["--all"]);
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert_eq!(ids[2], "budget.txt", "{ids:?}");
}

#[test]
fn a_model_is_chosen_when_the_index_is_made_and_a_missing_one_is_named() {
    let Some(model) = test_model() else { return };
    let model = model.to_str().unwrap();
    let env = TestEnv::new();
    two_articles(&env);
    env.ingest(&[]).success();
    // An index read without a model cannot take one on a later run: its vectors would
    // be missing for what is already there.
    let r = env.ingest(&["--model", model]).code(2);
    assert!(r.stderr.contains("--rebuild --model"), "{}", r.stderr);
    // A rebuild can.
    env.ingest(&["--rebuild", "--model", model]).success();
    assert_eq!(
        env.ids(QUERY, &[]).first().map(String::as_str),
        Some("draft.txt")
    );
    // A folder that is not a model is refused before the index is touched, naming the
    // file it lacks.
    let empty = env.root.join("not-a-model");
    std::fs::create_dir_all(&empty).unwrap();
    let r = env
        .ingest(&["--rebuild", "--model", empty.to_str().unwrap()])
        .code(2);
    assert!(r.stderr.contains("vocab.txt"), "{}", r.stderr);
    assert_eq!(env.ids("draft", &[]).len(), 2);
}

#[test]
fn a_search_whose_model_is_gone_says_which_and_what_to_do() {
    let Some(model) = test_model() else { return };
    let env = TestEnv::new();
    two_articles(&env);
    // A copy of the model, removed after the ingest.
    let copy = env.root.join("model-copy");
    crate::util::copy_dir(&model, &copy);
    env.ingest(&["--model", copy.to_str().unwrap()]).success();
    std::fs::remove_dir_all(&copy).unwrap();
    let r = env.search(QUERY, &[]);
    assert_ne!(r.code, Some(0), "{r:?}");
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("model-copy"))
        .unwrap_or_default();
    assert!(line.contains("--rebuild"), "{}", r.stderr);
    // Filters alone, or a word or two, need no model.
    assert_eq!(env.ids("sweden draft", &[]), ["budget.txt", "draft.txt"]);
    env.run(&[
        "search",
        "",
        "--index",
        env.index.to_str().unwrap(),
        "--json",
    ])
    .success();
}

/// Beside [`two_articles`]: an article about the draft that holds one of the query's
/// words ("Sweden"), and a long one that holds all of them in passing.
fn two_more(env: &TestEnv) {
    env.write(
        "conscription.txt",
        "Sweden calls up conscripts again\n\nThe government will summon young men and women for \
         compulsory service from next year, seven years after conscription was scrapped, as \
         tensions with Russia grow around the Baltic. Volunteers alone no longer fill the \
         ranks of the armed forces, the defence ministry said, and letters go out in July to \
         those born after 1999.\n",
    );
    let filler = "The harbour board met on Thursday to discuss dredging, berths for ferries, \
                  the price of fuel, the timetable of the night crossing, the repainting of \
                  the lighthouse and the noise of the cranes. "
        .repeat(12);
    env.write(
        "harbour.txt",
        format!(
            "Harbour board meets\n\n{filler}A draft plan brings the old military band back to \
             the quay, and a ferry from Sweden may call in summer. {filler}\n"
        ),
    );
}

#[test]
fn an_article_about_the_query_in_other_words_is_listed_where_its_meaning_lifts_it() {
    let Some(model) = test_model() else { return };
    let model = model.to_str().unwrap();
    // By words alone, an article holding one word of five is listed last, below the
    // full match that is about something else.
    let words = TestEnv::new();
    two_articles(&words);
    two_more(&words);
    words.ingest(&[]).success();
    assert_eq!(
        words.ids(QUERY, &[]),
        ["budget.txt", "draft.txt", "harbour.txt", "conscription.txt"]
    );
    let env = TestEnv::new();
    two_articles(&env);
    two_more(&env);
    env.ingest(&["--model", model]).success();
    // With the model it is listed above the full match that is about something else,
    // as a partial match that says which words it lacks.
    let hits = env.hits(QUERY, &[]);
    let ids: Vec<&str> = hits.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["draft.txt", "budget.txt", "conscription.txt", "harbour.txt"]
    );
    assert_eq!(hits[2]["partial"], true);
    assert_eq!(hits[2]["related"], true, "listed for its meaning");
    assert_eq!(
        hits[2]["missing"],
        serde_json::json!(["brings", "back", "military", "draft"])
    );
    assert!(hits
        .iter()
        .filter(|h| h["id"] != "conscription.txt")
        .all(|h| h["partial"] == false && h["related"] == false));
    // Pages slice the same list, and the summary counts it among the partial matches;
    // the terminal says why it is listed.
    assert_eq!(
        env.ids(QUERY, &["--limit", "2", "--offset", "2"]),
        ["conscription.txt", "harbour.txt"]
    );
    assert_summary(
        &env,
        "of 4: 3 matches holding every word; partial matches (some of the words, or close in meaning): 1",
    );
    assert_summary(
        &env,
        "close in meaning, lacks: brings, back, military, draft",
    );
}

/// The terminal output of a search for [`QUERY`] holds `summary`.
fn assert_summary(env: &TestEnv, summary: &str) {
    let index = env.index.to_str().unwrap();
    let r = env
        .run(&["search", QUERY, "--index", index, "--color", "never"])
        .success();
    assert!(r.stdout.contains(summary), "{}", r.stdout);
}

/// An article about the draft that holds none of the query's words.
fn in_other_words(env: &TestEnv) {
    env.write(
        "service.txt",
        "Stockholm revives compulsory national service\n\nYoung men and women will be called up \
         for compulsory national service from next year, seven years after the call-up was \
         scrapped, the defence ministry said. Volunteers alone no longer fill the ranks of the \
         armed forces, and the first letters go out in July to those born after 1999.\n",
    );
}

#[test]
fn an_article_that_holds_none_of_the_words_is_found_by_its_meaning_among_all() {
    let Some(model) = test_model() else { return };
    let model = model.to_str().unwrap();
    let env = TestEnv::new();
    two_articles(&env);
    two_more(&env);
    in_other_words(&env);
    let harbour = std::fs::read_to_string(env.corpus.join("harbour.txt")).unwrap();
    env.write(
        "harbour.txt",
        harbour.replace("from Sweden", "from Sweden or Russia"),
    );
    env.ingest(&["--model", model]).success();
    // The ingest wrote every article's vector in one file beside the segments.
    let file = |e: &TestEnv| -> Option<std::path::PathBuf> {
        walkdir::WalkDir::new(&e.index)
            .into_iter()
            .filter_map(Result::ok)
            .map(|d| d.into_path())
            .find(|p| p.ends_with("newsidx-neighbours.bin"))
    };
    let path = file(&env).expect("the file of vectors");
    let hits = env.hits(QUERY, &[]);
    let service = hits
        .iter()
        .find(|h| h["id"] == "service.txt")
        .unwrap_or_else(|| panic!("{hits:#?}"));
    assert_eq!(service["partial"], true);
    assert_eq!(service["related"], true);
    assert_eq!(
        service["missing"],
        serde_json::json!(["sweden", "brings", "back", "military", "draft"])
    );
    // An excluded word it holds, or a filter it does not pass (the harbour's ferry
    // now sails from Russia too), leaves it out.
    let ids = env.ids(&format!("{QUERY} -national"), &[]);
    assert!(!ids.contains(&"service.txt".to_string()), "{ids:?}");
    assert!(ids.contains(&"draft.txt".to_string()), "{ids:?}");
    let ids = env.ids(QUERY, &["--country", "RU"]);
    assert!(ids.contains(&"harbour.txt".to_string()), "{ids:?}");
    assert!(!ids.contains(&"service.txt".to_string()), "{ids:?}");
    // `stats` says how many vectors the file holds, and whether it is current.
    let stats = || {
        let s = env
            .run(&["stats", "--index", env.index.to_str().unwrap(), "--json"])
            .success()
            .json();
        (
            s["nearest_vectors"].as_u64(),
            s["nearest_current"].as_bool(),
        )
    };
    assert_eq!(stats(), (Some(5), Some(true)));
    // Without the file it is not found; a run that reads nothing writes it again.
    std::fs::remove_file(&path).unwrap();
    assert!(!env.ids(QUERY, &[]).contains(&"service.txt".to_string()));
    assert_eq!(stats(), (Some(0), Some(false)));
    env.ingest(&[]).success();
    assert!(file(&env).is_some());
    assert_eq!(stats(), (Some(5), Some(true)));
    // An article removed: the next ingest writes the file anew. The file as it was
    // before is out of date.
    let before = std::fs::read(&path).unwrap();
    std::fs::remove_file(env.corpus.join("budget.txt")).unwrap();
    env.ingest(&[]).success();
    assert_eq!(stats(), (Some(4), Some(true)));
    std::fs::write(&path, &before).unwrap();
    assert_eq!(stats(), (Some(5), Some(false)));
    assert!(env.ids(QUERY, &[]).contains(&"service.txt".to_string()));
    // A damaged file is no error for a search: it orders by meaning without it.
    std::fs::write(&path, b"NXNB0001 cut short").unwrap();
    let ids = env.ids(QUERY, &[]);
    assert!(!ids.contains(&"service.txt".to_string()), "{ids:?}");
    assert_eq!(ids[0], "draft.txt");
}

#[test]
fn a_short_list_of_matches_is_followed_by_the_articles_nearest_in_meaning() {
    let Some(model) = test_model() else { return };
    let model = model.to_str().unwrap();
    let env = TestEnv::new();
    two_articles(&env);
    in_other_words(&env);
    env.write(
        "recipe.txt",
        "A winter soup\n\nPeel two onions and a celeriac, soften them in butter, add stock \
         and simmer for forty minutes; blend, season with nutmeg and serve with rye bread.\n",
    );
    env.ingest(&["--model", model]).success();
    // Two matches; the article about the draft in other words follows them, as a
    // partial match that lacks every word; the recipe, far in meaning, does not.
    let hits = env.hits(QUERY, &[]);
    let ids: Vec<&str> = hits.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["draft.txt", "budget.txt", "service.txt"], "{hits:#?}");
    assert_eq!(hits[2]["partial"], true);
    assert_eq!(hits[2]["related"], true);
    assert_eq!(
        hits[2]["missing"],
        serde_json::json!(["sweden", "brings", "back", "military", "draft"])
    );
    assert!(hits[..2].iter().all(|h| h["related"] == false), "{hits:#?}");
    // Partial matches (five words of six) are no related articles; the article that
    // holds none of the words still follows them.
    let hits = env.hits(&format!("{QUERY} parliament"), &[]);
    let said: Vec<(&str, bool, bool)> = hits
        .iter()
        .map(|h| {
            let flag = |k: &str| h[k].as_bool().unwrap();
            (h["id"].as_str().unwrap(), flag("partial"), flag("related"))
        })
        .collect();
    assert_eq!(
        said,
        [
            ("draft.txt", true, false),
            ("budget.txt", true, false),
            ("service.txt", true, true)
        ]
    );
    // Pages slice the same list, and the summary counts it with the partial matches.
    assert_eq!(
        env.ids(QUERY, &["--limit", "2", "--offset", "1"]),
        ["budget.txt", "service.txt"]
    );
    assert_eq!(
        env.ids(QUERY, &["--limit", "1", "--offset", "2"]),
        ["service.txt"]
    );
    assert!(env
        .ids(QUERY, &["--limit", "1", "--offset", "3"])
        .is_empty());
    assert_summary(
        &env,
        "of 3: 2 matches holding every word; partial matches (some of the words, or close in meaning): 1",
    );
    // A query of two words is read by its words alone.
    assert_eq!(env.ids("sweden draft", &[]), ["budget.txt", "draft.txt"]);
    // A list of ten matches or more is not followed by it.
    for i in 0..10 {
        let filler: Vec<String> = (0..60).map(|j| format!("w{i}x{j}")).collect();
        env.write(
            &format!("many{i}.txt"),
            format!(
                "Notice {i}\n\nSweden brings back the military draft, notice {i} says. {}\n",
                filler.join(" ")
            ),
        );
    }
    env.ingest(&[]).success();
    let ids = env.ids(QUERY, &["--limit", "20"]);
    assert_eq!(ids.len(), 12, "{ids:?}");
    assert!(!ids.contains(&"service.txt".to_string()), "{ids:?}");
}

#[test]
fn the_web_page_says_which_articles_are_listed_for_their_meaning() {
    let Some(model) = test_model() else { return };
    let Some(p) = crate::browser::open_on(|| {
        let env = TestEnv::new();
        two_articles(&env);
        two_more(&env);
        env.ingest(&["--model", model.to_str().unwrap()]).success();
        env
    }) else {
        return;
    };
    p.visit("/?q=sweden+brings+back+military+draft");
    let s = &p.s;
    let badges = s.js(
        "return [...document.querySelectorAll('#hits > li.hit')].map(li =>          [li.dataset.articleId, li.querySelector('.badge')?.textContent ?? null,           li.querySelector('.missing')?.textContent ?? null]);",
        &[],
    );
    assert_eq!(
        badges,
        serde_json::json!([
            ["draft.txt", null, null],
            ["budget.txt", null, null],
            [
                "conscription.txt",
                "close in meaning",
                "lacks: brings, back, military, draft"
            ],
            ["harbour.txt", null, null]
        ])
    );
    assert!(
        p.summary()
            .contains("1 partial match (some of the words, or close in meaning)"),
        "{}",
        p.summary()
    );
}
