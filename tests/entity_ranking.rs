//! Ranking that knows who and where, through the real binary: a title about exactly
//! the query that lacks one of its words is not buried under long articles that hold
//! every word in passing; a name of several words (South Sudan, Northern Ireland) is
//! one name, never read in part; a `title:` word or a quoted phrase is never the word
//! left out.

use crate::util::*;
use serde_json::Value;

fn md(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: 2017-03-01\nsource: Wire\n---\n{body}\n")
}

/// A long report on something else that names each of `words` once, far apart.
fn in_passing(topic: &str, words: &[&str]) -> String {
    let filler = format!(
        "The {topic} season opened with a crowd of thousands at the ground, and the \
         coaches spoke at length about the squad, the weather, the injuries and the \
         long road ahead. "
    );
    let mut body = String::new();
    for w in words {
        body.push_str(&filler.repeat(4));
        body.push_str(&format!("One supporter mentioned {w} in passing. "));
    }
    body.push_str(&filler.repeat(4));
    body
}

fn id_of(hit: &Value) -> &str {
    hit["id"].as_str().unwrap()
}

#[test]
fn a_title_match_lacking_one_word_ranks_above_passing_full_matches() {
    let env = TestEnv::new();
    env.write(
        "talks.md",
        md(
            "Macron and Putin meet on Syria",
            "French President Emmanuel Macron and Russian President Vladimir Putin met \
             at Versailles to discuss the war in Syria and a ceasefire.",
        ),
    );
    for (i, topic) in ["football", "cricket", "rugby"].iter().enumerate() {
        env.write(
            &format!("long-{i}.md"),
            md(
                &format!("A new {topic} season"),
                &in_passing(topic, &["Macron", "Putin", "Syria", "talks"]),
            ),
        );
    }
    env.ingest_ok();
    // `--all`: the three long reports share their filler and fold into one story.
    let hits = env.hits("Macron Putin Syria talks", &["--all"]);
    assert_eq!(hits.len(), 4, "{hits:#?}");
    assert_eq!(id_of(&hits[0]), "talks.md", "{hits:#?}");
    assert_eq!(hits[0]["partial"], false);
}

#[test]
fn a_name_of_several_words_is_never_read_in_part() {
    let env = TestEnv::new();
    env.write(
        "south-sudan.md",
        md(
            "Famine declared in South Sudan",
            "The United Nations declared a famine in parts of South Sudan.",
        ),
    );
    env.write(
        "demonym.md",
        md(
            "Aid agencies warn of famine",
            "South Sudanese families fled the famine to camps in Uganda.",
        ),
    );
    env.write(
        "sudan.md",
        md(
            "Sudan appeals for food aid",
            "Drought in the south of Sudan brought the region close to famine.",
        ),
    );
    env.write(
        "ni.md",
        md(
            "Northern Ireland election result",
            "Voters in Northern Ireland went to the polls in a snap election.",
        ),
    );
    env.write(
        "ireland.md",
        md(
            "Ireland election campaign begins",
            "The northern counties of Ireland will see a close election race.",
        ),
    );
    env.ingest_ok();

    // "South Sudan" is one name, found also as "South Sudanese"; Sudan's south is not it.
    let hits = env.hits("South Sudan famine", &[]);
    let full: Vec<&str> = hits
        .iter()
        .filter(|h| h["partial"] == false)
        .map(id_of)
        .collect();
    assert_eq!(full.len(), 2, "{hits:#?}");
    assert!(full.contains(&"south-sudan.md") && full.contains(&"demonym.md"));
    assert!(!full.contains(&"sudan.md"), "{hits:#?}");

    // "Northern Ireland" is one name (a part of the United Kingdom): "northern" and
    // "Ireland" apart do not make it, and neither may be the word left out.
    let hits = env.hits("Northern Ireland election", &[]);
    let full: Vec<&str> = hits
        .iter()
        .filter(|h| h["partial"] == false)
        .map(id_of)
        .collect();
    assert_eq!(full, ["ni.md"], "{hits:#?}");
}

#[test]
fn a_title_word_or_a_quoted_phrase_is_never_the_word_left_out() {
    let env = TestEnv::new();
    env.write(
        "brexit.md",
        md(
            "Brexit trade deal talks stall",
            "Negotiators said the trade deal would take years.",
        ),
    );
    env.write(
        "body-only.md",
        md(
            "Trade deal talks stall",
            "After Brexit, negotiators said the trade deal would take years.",
        ),
    );
    env.write(
        "no-phrase.md",
        md(
            "Talks on a deal for trade",
            "The deal on trade and the talks went on after Brexit.",
        ),
    );
    env.ingest_ok();
    let full = |q: &str| -> Vec<String> {
        env.hits(q, &[])
            .iter()
            .filter(|h| h["partial"] == false)
            .map(|h| id_of(h).to_string())
            .collect()
    };
    assert_eq!(full("title:brexit trade deal talks"), ["brexit.md"]);
    let phrase = full("\"trade deal\" brexit talks stall");
    assert!(!phrase.contains(&"no-phrase.md".to_string()), "{phrase:?}");
    assert_eq!(phrase.len(), 2, "{phrase:?}");
}
