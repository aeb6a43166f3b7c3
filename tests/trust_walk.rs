//! Nothing lost, nothing deleted, nothing wrong shown: the walk and the ids it builds,
//! folders that cannot be read, index folders inside the archive, dates the index
//! cannot hold, query words too long to index, and `--limit 0`, through the real
//! binary.

use std::path::{Path, PathBuf};

use crate::util::*;
use serde_json::Value;

fn s(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

fn summary(r: Run) -> Value {
    r.success().json()
}

fn ingest_json(env: &TestEnv) -> Value {
    summary(env.ingest(&[]))
}

fn show_json(env: &TestEnv, id: &str) -> Value {
    env.run(&["show", id, "--index", s(&env.index), "--json"])
        .success()
        .json()
}

/// Search hits and the `total` of the facets line.
fn hits_and_total(env: &TestEnv, query: &str, extra: &[&str]) -> (Vec<Value>, u64) {
    let mut args = vec!["--facets", "--limit", "100"];
    args.extend_from_slice(extra);
    let lines = env.search(query, &args).success().json_lines();
    let (last, hits) = lines.split_last().expect("a facets line");
    (hits.to_vec(), last["total"].as_u64().expect("total"))
}

fn ids_of(hits: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = hits
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------------
// 2. A folder that cannot be read keeps its articles
// ---------------------------------------------------------------------------------

/// Makes `cmd` run without the capabilities that let root read through permissions
/// (Linux: CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH leave the bounding set, so the
/// program's root has the permissions its files' modes say). As a normal user this
/// changes nothing: the modes apply anyway.
fn honour_permissions(cmd: &mut std::process::Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl only reads its integer arguments; a failure (no CAP_SETPCAP)
        // leaves the capabilities as they were, which `permissions_apply` detects.
        unsafe {
            cmd.pre_exec(|| {
                for cap in [1, 2] {
                    libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0);
                }
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cmd;
}

/// Whether a process started through [`honour_permissions`] is refused a mode-000 file.
fn permissions_apply() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("locked.txt");
        std::fs::write(&f, "x").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
        let mut c = std::process::Command::new("cat");
        c.arg(&f)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        honour_permissions(&mut c);
        let refused = c.status().is_ok_and(|st| !st.success());
        if !refused {
            eprintln!(
                "note: this process reads through file permissions; the chmod cases are not run"
            );
        }
        refused
    }
    #[cfg(not(unix))]
    false
}

/// `newsidx ingest CORPUS --index INDEX --json` with permissions honoured.
fn ingest_honouring_permissions(env: &TestEnv) -> Run {
    let args = ["ingest", s(&env.corpus), "--index", s(&env.index), "--json"];
    let mut c = env.std_cmd();
    c.args(args);
    honour_permissions(&mut c);
    Run::from_output(&args, c.output().unwrap())
}

#[cfg(unix)]
fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn nested_archive() -> TestEnv {
    let env = TestEnv::new();
    env.write("a.txt", "Alpaca fair\n\nAn alpaca fair opened.\n");
    env.write("sub/b.txt", "Bonobo troop\n\nA bonobo troop was seen.\n");
    env.write(
        "sub/deep/c.txt",
        "Caracal hunt\n\nA caracal hunted at night.\n",
    );
    env.write("sub/d.jsonl", "{\"title\":\"Dingo pack\",\"body\":\"A dingo pack.\"}\n{\"title\":\"Dhole pack\",\"body\":\"A dhole pack.\"}\n");
    env.write("z.txt", "Zorilla sighting\n\nA zorilla was sighted.\n");
    let sum = ingest_json(&env);
    assert_eq!(sum["articles_added"], 6, "{sum}");
    env
}

#[cfg(unix)]
#[test]
fn unreadable_root_is_an_error_and_keeps_every_article() {
    if !permissions_apply() {
        return;
    }
    let env = nested_archive();
    chmod(&env.corpus, 0o000);
    let r = ingest_honouring_permissions(&env);
    chmod(&env.corpus, 0o755);
    let r = r.code(2);
    let line = r.stderr_line("error: ");
    assert!(line.contains(s(&env.corpus)), "names the folder: {line}");
    assert!(line.to_lowercase().contains("permission"), "{line}");
    assert_eq!(r.stderr_lines().len(), 1, "{r:?}");
    assert_eq!(env.article_count(), 6);
    // Readable again: nothing to do, nothing was lost.
    let sum = ingest_json(&env);
    assert_eq!(sum["articles_unchanged"], 6, "{sum}");
    assert_eq!(sum["articles_removed"], 0, "{sum}");
}

#[cfg(unix)]
#[test]
fn folder_that_becomes_unreadable_keeps_its_articles_and_other_deletions_go_on() {
    if !permissions_apply() {
        return;
    }
    let env = nested_archive();
    // Between runs: sub/ can no longer be listed, and z.txt is really deleted.
    chmod(&env.corpus.join("sub"), 0o000);
    env.remove("z.txt");
    let r = ingest_honouring_permissions(&env);
    chmod(&env.corpus.join("sub"), 0o755);
    let r = r.code(1);
    let line = r.problem("error", "sub", None).to_string();
    assert!(line.to_lowercase().contains("permission"), "{line}");
    let sum = r.json();
    assert_eq!(
        sum["articles_removed"], 1,
        "only z.txt's article goes: {sum}"
    );
    assert_eq!(sum["files_failed"], 1, "{sum}");
    assert_eq!(env.article_count(), 5);
    for id in [
        "sub/b.txt",
        "sub/deep/c.txt",
        "sub/d.jsonl#1",
        "sub/d.jsonl#2",
    ] {
        assert_eq!(show_json(&env, id)["id"], id);
    }
    // Readable again: unchanged; a real deletion inside it is then seen.
    let sum = ingest_json(&env);
    assert_eq!(sum["articles_unchanged"], 5, "{sum}");
    assert_eq!(sum["articles_removed"], 0, "{sum}");
    env.remove("sub/deep/c.txt");
    let sum = ingest_json(&env);
    assert_eq!(sum["articles_removed"], 1, "{sum}");
    assert_eq!(env.article_count(), 4);
}

#[cfg(unix)]
#[test]
fn deeper_unreadable_folder_and_unsearchable_folder_keep_their_articles() {
    if !permissions_apply() {
        return;
    }
    let env = nested_archive();
    // sub/deep cannot be listed; sub/ can be listed but its entries not opened (r--).
    chmod(&env.corpus.join("sub/deep"), 0o000);
    let r = ingest_honouring_permissions(&env);
    chmod(&env.corpus.join("sub/deep"), 0o755);
    let sum = r.code(1).json();
    assert_eq!(sum["articles_removed"], 0, "{sum}");
    assert_eq!(env.article_count(), 6);

    chmod(&env.corpus.join("sub"), 0o444);
    let r = ingest_honouring_permissions(&env);
    chmod(&env.corpus.join("sub"), 0o755);
    let r = r.code(1);
    let sum = r.json();
    assert_eq!(sum["articles_removed"], 0, "{r:?}");
    assert!(sum["errors"].as_u64().unwrap() >= 1, "{r:?}");
    assert_eq!(env.article_count(), 6);
}

/// Works as root too: a folder replaced by a link that cannot be followed (dangling,
/// or pointing at itself) is a folder whose contents are unknown.
#[cfg(unix)]
#[test]
fn folder_replaced_by_a_broken_link_keeps_its_articles() {
    let env = nested_archive();
    let sub = env.corpus.join("sub");
    let away = env.root.join("sub-away");
    std::fs::rename(&sub, &away).unwrap();
    for target in [env.root.join("nowhere"), sub.clone()] {
        std::os::unix::fs::symlink(&target, &sub).unwrap();
        let r = env.ingest(&[]).code(1);
        let line = r.problem("error", "sub", None).to_string();
        let sum = r.json();
        assert_eq!(
            sum["articles_removed"], 0,
            "link to {target:?}: {line} {sum}"
        );
        assert_eq!(env.article_count(), 6);
        std::fs::remove_file(&sub).unwrap();
    }
    std::fs::rename(&away, &sub).unwrap();
    let sum = ingest_json(&env);
    assert_eq!(sum["articles_unchanged"], 6, "{sum}");
    // The folder really deleted: its articles go.
    std::fs::remove_dir_all(&sub).unwrap();
    let sum = ingest_json(&env);
    assert_eq!(sum["articles_removed"], 4, "{sum}");
    assert_eq!(env.article_count(), 2);
}

/// A listing that breaks part-way (EIO from readdir, as on a failing network mount)
/// names no entry: the folder being listed keeps all its articles.
#[cfg(target_os = "linux")]
#[test]
fn folder_whose_listing_fails_part_way_keeps_its_articles() {
    let Some(shim) = crate::util::shim::try_fault_shim() else {
        return;
    };
    let env = TestEnv::new();
    env.write("a.txt", "Aye-aye\n\nAn aye-aye.\n");
    for w in ["bongo", "civet", "duiker", "eland"] {
        env.write(
            &format!("sub/{w}.txt"),
            format!("The {w}\n\nA {w} was seen.\n"),
        );
    }
    assert_eq!(ingest_json(&env)["articles_added"], 5);
    env.remove("a.txt");
    let args = ["ingest", s(&env.corpus), "--index", s(&env.index), "--json"];
    let out = env
        .std_cmd()
        .args(args)
        .env("LD_PRELOAD", &shim)
        .env("NEWSIDX_FAULT_READDIR_PATH", "corpus/sub")
        // ".", ".." and one file, then EIO.
        .env("NEWSIDX_FAULT_READDIR_AFTER", "3")
        .output()
        .unwrap();
    let r = Run::from_output(&args, out).code(1);
    let line = r.problem("error", "sub", None).to_string();
    assert!(line.contains("error"), "{line}");
    let sum = r.json();
    assert_eq!(
        sum["articles_removed"], 1,
        "only a.txt's article goes: {r:?}"
    );
    assert_eq!(env.article_count(), 4);
    let sum = ingest_json(&env);
    assert_eq!(sum["articles_unchanged"], 4, "{sum}");
    assert_eq!(sum["articles_removed"], 0, "{sum}");
}

// ---------------------------------------------------------------------------------
// 3. File names that are not UTF-8
// ---------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn names_differing_only_in_invalid_bytes_get_distinct_lossless_ids() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    let write = |name: &[u8], body: &str| -> PathBuf {
        let p = env.corpus.join(std::ffi::OsStr::from_bytes(name));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, body).unwrap();
        p
    };
    // (name bytes, word in it, expected id)
    let files: &[(&[u8], &str, &str)] = &[
        (b"caf\xe9.txt", "aardwolf", r"caf\xe9.txt"),
        (b"caf\xe8.txt", "bilby", r"caf\xe8.txt"),
        (b"caf\xff.txt", "coati", r"caf\xff.txt"),
        (b"caf\xc3.txt", "dugong", r"caf\xc3.txt"),
        ("caf\u{e9}.txt".as_bytes(), "eland", "caf\u{e9}.txt"),
        (br"caf\xe9.txt", "fossa", r"caf\\xe9.txt"),
        (br"back\slash.txt", "gharial", r"back\\slash.txt"),
        (b"dir\xfe/inner.txt", "hoatzin", r"dir\xfe/inner.txt"),
    ];
    let mut paths = Vec::new();
    for (name, word, _) in files {
        paths.push(write(name, &format!("Title {word}\n\nThe {word} story.\n")));
    }
    write(
        b"lat\xe9n.jsonl",
        "{\"title\":\"Ibex one\",\"body\":\"ibex first\"}\n{\"title\":\"Ibex two\",\"body\":\"ibex second\"}\n",
    );
    let r = env.ingest(&[]).success();
    assert!(r.stderr_lines().is_empty(), "{r:?}");
    let sum = r.json();
    assert_eq!(sum["articles_added"], files.len() as u64 + 2, "{sum}");
    for (_, word, id) in files {
        assert_eq!(env.ids(word, &[]), vec![id.to_string()], "{word}");
        let shown = show_json(&env, id);
        assert_eq!(shown["title"], format!("Title {word}"));
        assert_eq!(shown["path"], *id);
    }
    assert_eq!(
        ids_of(&env.hits("ibex", &[])),
        vec![r"lat\xe9n.jsonl#1", r"lat\xe9n.jsonl#2"]
    );
    // Stable: a second run finds every file unchanged.
    let sum = ingest_json(&env);
    assert_eq!(sum["articles_unchanged"], files.len() as u64 + 2, "{sum}");
    assert_eq!(sum["articles_added"], 0, "{sum}");
    assert_eq!(sum["articles_removed"], 0, "{sum}");
    // Each file is its own: changing one updates it alone, deleting one removes it alone.
    std::fs::write(
        &paths[0],
        "Title aardwolf\n\nThe aardwolf story, updated.\n",
    )
    .unwrap();
    std::fs::remove_file(&paths[1]).unwrap();
    let sum = ingest_json(&env);
    assert_eq!(sum["articles_updated"], 1, "{sum}");
    assert_eq!(sum["articles_removed"], 1, "{sum}");
    assert!(env.ids("bilby", &[]).is_empty());
    assert_eq!(env.ids("coati", &[]), vec![r"caf\xff.txt"]);
    assert_eq!(env.ids("updated", &[]), vec![r"caf\xe9.txt"]);
}

// ---------------------------------------------------------------------------------
// 19. An index folder inside the archive is not read
// ---------------------------------------------------------------------------------

#[test]
fn index_inside_the_archive_is_skipped_in_one_line() {
    let env = TestEnv::new();
    env.write("a.txt", "Axolotl tank\n\nAn axolotl tank.\n");
    env.write(
        "news/b.json",
        r#"{"title": "Beluga pod", "body": "A beluga pod."}"#,
    );
    env.write("news/c.csv", "title,body\nCrane flight,A crane flew.\n");
    // `newsidx ingest . --index idx`, from inside the archive, three times.
    let run = || {
        let args = ["ingest", ".", "--index", "idx", "--json"];
        let out = env
            .std_cmd()
            .current_dir(&env.corpus)
            .args(args)
            .output()
            .unwrap();
        Run::from_output(&args, out).success()
    };
    for round in 0..3 {
        let r = run();
        let lines = r.stderr_lines();
        assert!(lines.len() <= 1, "round {round}: {r:?}");
        if let Some(l) = lines.first() {
            assert!(l.starts_with("warning: ") && l.contains("idx"), "{l}");
            assert!(l.contains("newsidx index"), "{l}");
        }
        let sum = r.json();
        assert_eq!(sum["errors"], 0, "{r:?}");
        assert_eq!(sum["files_skipped"], 1, "{r:?}");
        if round == 0 {
            assert_eq!(sum["articles_added"], 3, "{sum}");
        } else {
            assert_eq!(sum["articles_unchanged"], 3, "{sum}");
            assert_eq!(sum["articles_added"], 0, "{sum}");
            assert_eq!(sum["articles_removed"], 0, "{sum}");
        }
    }
    let idx = env.corpus.join("idx");
    let stats = env
        .run(&["stats", "--index", s(&idx), "--json"])
        .success()
        .json();
    assert_eq!(stats["articles"], 3, "{stats}");
    assert_eq!(stats["files"], 3, "{stats}");
}

#[test]
fn another_index_inside_the_archive_is_skipped_and_an_article_named_like_its_marker_is_read() {
    let env = TestEnv::new();
    env.write("a.txt", "Agouti run\n\nAn agouti ran.\n");
    // An article file that happens to be called newsidx.json.
    env.write(
        "notes/newsidx.json",
        r#"{"title": "Numbat notes", "body": "A numbat was noted."}"#,
    );
    // A separate archive's index, kept inside this archive.
    let other = env.root.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("o.txt"), "Okapi\n\nAn okapi walked.\n").unwrap();
    let old = env.corpus.join("backup/old-index");
    env.run(&["ingest", s(&other), "--index", s(&old), "--json"])
        .success();
    let r = env.ingest(&[]).success();
    let lines = r.stderr_lines();
    assert_eq!(lines.len(), 1, "{r:?}");
    assert!(
        lines[0].contains("backup/old-index") && lines[0].contains("newsidx index"),
        "{r:?}"
    );
    let sum = r.json();
    assert_eq!(sum["articles_added"], 2, "{sum}");
    assert_eq!(sum["errors"], 0, "{sum}");
    assert_eq!(env.ids("numbat", &[]), vec!["notes/newsidx.json"]);
    assert!(env.ids("okapi", &[]).is_empty());
    assert!(env.ids("schema_version", &[]).is_empty());
}

// ---------------------------------------------------------------------------------
// 10. Every output prints the id that show and similar take
// ---------------------------------------------------------------------------------

#[test]
fn text_output_prints_ids_that_show_and_similar_accept() {
    let env = TestEnv::new();
    // Records with their own ids, in an order unlike their positions.
    env.write(
        "articles.csv",
        "id,title,body,date\n\
         1866,Pangolin trade report,Pangolin trade grew along the coast and pangolin scales sold.,2017-02-01\n\
         17,Pangolin rescue,Rangers rescued a pangolin from the trade near the coast.,2017-02-02\n\
         1502,Quokka photos,A quokka posed for photos on the island.,2017-02-03\n",
    );
    env.write(
        "seed.md",
        "---\ntitle: Pangolin scales seized\nid: seed\ndate: 2017-02-04\n---\nCustoms seized pangolin scales bound for the trade.\n",
    );
    env.write(
        "plain.txt",
        "Pangolin census\n\nA pangolin census counted every pangolin on the coast.\n",
    );
    ingest_json(&env);
    let json = env.hits("pangolin", &[]);
    assert_eq!(json.len(), 4, "{json:#?}");
    let text = env
        .run(&["search", "pangolin", "--index", s(&env.index)])
        .success();
    assert!(
        !text.stdout.contains(" #"),
        "no row positions: {}",
        text.stdout
    );
    let shown_ids = |stdout: &str| -> Vec<String> {
        // The line under each numbered title: `date · source · ID [· …]`.
        let lines: Vec<&str> = stdout.lines().collect();
        lines
            .windows(2)
            .filter(|w| {
                let t = w[0].trim_start();
                t.split_once(". ")
                    .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
                    && w[0].len() - t.len() <= 1
            })
            .map(|w| {
                w[1].trim()
                    .split(" · ")
                    .find(|part| json_ids(&json).contains(&part.to_string()))
                    .unwrap_or_else(|| panic!("no id in {:?}", w[1]))
                    .to_string()
            })
            .collect()
    };
    let mut ids = shown_ids(&text.stdout);
    assert_eq!(ids.len(), 4, "{}", text.stdout);
    ids.sort();
    assert_eq!(
        ids,
        vec![
            "articles.csv#17",
            "articles.csv#1866",
            "plain.txt",
            "seed.md#seed"
        ]
    );
    for id in &ids {
        let shown = show_json(&env, id);
        let hit = json.iter().find(|h| h["id"] == id.as_str()).unwrap();
        assert_eq!(shown["title"], hit["title"], "{id}");
        env.run(&["similar", id, "--index", s(&env.index)])
            .success();
    }
    // `articles.csv#1502` is the quokka's own id, not the third pangolin row.
    assert_eq!(
        show_json(&env, "articles.csv#1502")["title"],
        "Quokka photos"
    );
    // similar's text lists ids show takes too.
    let sim = env
        .run(&["similar", "articles.csv#1866", "--index", s(&env.index)])
        .success();
    let listed: Vec<String> = sim
        .stdout
        .lines()
        .filter(|l| l.starts_with("    "))
        .map(|l| l.rsplit(" · ").next().unwrap().trim().to_string())
        .collect();
    assert!(!listed.is_empty(), "{sim:?}");
    for id in listed {
        show_json(&env, &id);
    }
}

fn json_ids(hits: &[Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------
// 11. Dates the index cannot hold are never wrapped into other centuries
// ---------------------------------------------------------------------------------

fn dates_env() -> (TestEnv, Run) {
    let env = TestEnv::new();
    env.write(
        "plague.md",
        "---\ntitle: Plague report\ndate: 1665-09-02\n---\nThe plague spread in London. On Monday more fell ill.\n",
    );
    env.write(
        "armada.json",
        r#"{"title": "Armada report", "body": "The armada sailed.", "date": "1588-07-29"}"#,
    );
    env.write(
        "edges.csv",
        "title,body,date\n\
         Edge below,Edge story below the range,1677-09-21\n\
         Edge first,Edge story on the first day,1677-09-22\n\
         Edge modern,Edge story in 2017,2017-02-07\n\
         Edge far,Edge story far ahead,2300-01-01\n",
    );
    env.write(
        "epochs.jsonl",
        concat!(
            r#"{"title": "Epoch last day", "body": "Epoch story on the last day.", "date": "9223286400"}"#,
            "\n",
            r#"{"title": "Epoch beyond", "body": "Epoch story beyond.", "date": "9999999999"}"#,
            "\n",
            r#"{"title": "Epoch millis", "body": "Epoch story in millis.", "date": "9999999999999"}"#,
            "\n"
        ),
    );
    env.write(
        "old/dateline.txt",
        "LONDON, Feb 3, 1600 (Reuters) - The dateline story about the charter.\n",
    );
    env.write(
        "2017/02/09/pathdated.txt",
        "Path dated\n\nThe path story began in 1492 and ends in the year 2500.\n",
    );
    env.write(
        "mentions.txt",
        "Mentions\n\nIn 1492 Columbus sailed. In 1066 there was a battle.\n",
    );
    let r = env.ingest(&[]).success();
    (env, r)
}

/// An article id, its publication date as shown, and (place, date) its warning names.
type DateCase<'a> = (&'a str, Option<&'a str>, Option<(&'a str, &'a str)>);

#[test]
fn publication_dates_outside_the_index_range_are_reported_never_wrapped() {
    let (env, r) = dates_env();
    // (id, published as shown, what the warning must name)
    let cases: &[DateCase] = &[
        ("plague.md", None, Some(("plague.md", "1665-09-02"))),
        ("armada.json", None, Some(("armada.json", "1588-07-29"))),
        ("edges.csv#1", None, Some(("edges.csv:2", "1677-09-21"))),
        ("edges.csv#2", Some("1677-09-22"), None),
        ("edges.csv#3", Some("2017-02-07"), None),
        ("edges.csv#4", None, Some(("edges.csv:5", "2300-01-01"))),
        ("epochs.jsonl#1", Some("2262-04-11"), None),
        (
            "epochs.jsonl#2",
            None,
            Some(("epochs.jsonl:2", "2286-11-20")),
        ),
        (
            "epochs.jsonl#3",
            None,
            Some(("epochs.jsonl:3", "2286-11-20")),
        ),
        (
            "old/dateline.txt",
            None,
            Some(("old/dateline.txt", "1600-02-03")),
        ),
        ("2017/02/09/pathdated.txt", Some("2017-02-09"), None),
    ];
    for (id, published, warning) in cases {
        let shown = show_json(&env, id);
        assert_eq!(shown["published"].as_str(), *published, "{id}: {shown}");
        if let Some((at, date)) = warning {
            let l = r
                .stderr_lines()
                .into_iter()
                .find(|l| l.starts_with("warning: ") && l.contains(&format!("{at}: ")))
                .unwrap_or_else(|| panic!("no warning about {at}: {r:?}"));
            assert!(l.contains(date), "{l}");
        }
    }
    assert_eq!(
        show_json(&env, "epochs.jsonl#2")["date_raw"],
        "9999999999",
        "the date as written is kept"
    );
    assert_eq!(show_json(&env, "plague.md")["date_raw"], "1665-09-02");
    // No publication date anywhere is one nobody wrote.
    let (hits, _) = hits_and_total(&env, "", &["--all"]);
    let mut published: Vec<&str> = hits
        .iter()
        .filter_map(|h| h["published"].as_str())
        .collect();
    published.sort();
    assert_eq!(
        published,
        vec!["1677-09-22", "2017-02-07", "2017-02-09", "2262-04-11"]
    );
    // The timeline shows only those years (empty periods between them included).
    let rows = env
        .run(&[
            "timeline",
            "",
            "--by",
            "year",
            "--index",
            s(&env.index),
            "--json",
        ])
        .success()
        .json_lines();
    let counted: Vec<(String, u64)> = rows
        .iter()
        .filter(|r| r["count"].as_u64() > Some(0))
        .map(|r| {
            (
                r["period"].as_str().unwrap().to_string(),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counted,
        vec![
            ("1677".to_string(), 1),
            ("2017".to_string(), 2),
            ("2262".to_string(), 1)
        ]
    );
}

#[test]
fn date_filters_and_mentions_far_in_the_past_or_future_are_exact() {
    let (env, _) = dates_env();
    let dated = |extra: &[&str]| -> Vec<String> {
        let mut a = vec!["--all"];
        a.extend_from_slice(extra);
        ids_of(&hits_and_total(&env, "", &a).0)
    };
    let all_dated = vec![
        "2017/02/09/pathdated.txt",
        "edges.csv#2",
        "edges.csv#3",
        "epochs.jsonl#1",
    ];
    assert_eq!(dated(&["--from", "1600"]), all_dated);
    assert_eq!(dated(&["--from", "0001-01-01"]), all_dated);
    assert_eq!(dated(&["--to", "9999"]), all_dated);
    assert_eq!(dated(&["--from", "1000", "--to", "9999-12-31"]), all_dated);
    assert!(dated(&["--to", "1600"]).is_empty());
    assert!(dated(&["--to", "1677-09-21"]).is_empty());
    assert!(dated(&["--from", "9999"]).is_empty());
    assert!(dated(&["--from", "2262-04-12"]).is_empty());
    assert_eq!(
        dated(&["--from", "1677", "--to", "1677"]),
        vec!["edges.csv#2"]
    );
    assert_eq!(dated(&["--from", "2262-04-11"]), vec!["epochs.jsonl#1"]);
    assert_eq!(dated(&["--to", "1677-09-22"]), vec!["edges.csv#2"]);
    // Mentioned dates are the years written, however far back.
    assert_eq!(dated(&["--mentions", "1066"]), vec!["mentions.txt"]);
    assert_eq!(
        dated(&["--mentions", "1492"]),
        vec!["2017/02/09/pathdated.txt", "mentions.txt"]
    );
    for id in ["mentions.txt", "2017/02/09/pathdated.txt", "plague.md"] {
        let shown = show_json(&env, id);
        let body = shown["body"].as_str().unwrap();
        for d in shown["dates"].as_array().unwrap() {
            let (Some(v), Some(text)) = (d["value"].as_str(), d["text"].as_str()) else {
                continue;
            };
            // A year value is written in its mention; a resolved day is in the
            // article's own century.
            if v.len() == 4 {
                assert!(text.contains(v), "{id}: {d}");
            } else {
                assert!(
                    v.starts_with("1665-") || v.starts_with("2017-"),
                    "{id}: {d}"
                );
            }
            assert!(body.contains(text), "{id}: {d}");
        }
    }
}

// ---------------------------------------------------------------------------------
// 12. A word too long to index matches nothing
// ---------------------------------------------------------------------------------

#[test]
fn query_word_too_long_to_index_matches_nothing() {
    let env = TestEnv::new();
    let long60 = "a".repeat(60);
    let long48 = "b".repeat(48);
    let ok47 = "c".repeat(47);
    env.write("china.txt", "China trade\n\nChina trade talks resumed.\n");
    env.write("taiwan.txt", "Taiwan vote\n\nTaiwan held a vote.\n");
    env.write(
        "glued.txt",
        format!("Glued words\n\nThe string {long60} and {long48} followed China news.\n"),
    );
    env.write(
        "edge.txt",
        format!("Edge word\n\nThe word {ok47} is indexed.\n"),
    );
    ingest_json(&env);
    let full = |q: &str| -> (Vec<String>, u64) {
        let (hits, total) = hits_and_total(&env, q, &[]);
        let strict: Vec<Value> = hits.into_iter().filter(|h| h["partial"] == false).collect();
        (ids_of(&strict), total)
    };
    let none = (Vec::<String>::new(), 0);
    for long in [long60.as_str(), long48.as_str()] {
        // Alone, as a phrase, in a phrase, with other words, upper case.
        for q in [
            long.to_string(),
            format!("\"{long}\""),
            format!("\"china {long}\""),
            format!("\"{long} followed\""),
            format!("{long} china"),
            format!("china {long} trade"),
            long.to_uppercase(),
            format!("post-{long}"),
        ] {
            assert_eq!(full(&q), none, "{q}");
        }
        // With OR: the other side alone.
        assert_eq!(
            full(&format!("{long} OR taiwan")),
            (vec!["taiwan.txt".into()], 1)
        );
        assert_eq!(
            full(&format!("taiwan OR {long}")),
            (vec!["taiwan.txt".into()], 1)
        );
        // Excluding a word nothing can hold excludes nothing.
        assert_eq!(
            full(&format!("china -{long}")),
            (vec!["china.txt".into(), "glued.txt".into()], 2)
        );
        // tags and timeline read the same query.
        let tags = env
            .run(&["tags", long, "--index", s(&env.index), "--json"])
            .success();
        assert!(tags.stdout.trim().is_empty(), "{tags:?}");
    }
    // One letter shorter is an indexed word.
    assert_eq!(full(&ok47), (vec!["edge.txt".into()], 1));
    // The terminal says no article holds the words rather than listing everything.
    let text = env
        .run(&["search", &long60, "--index", s(&env.index)])
        .success();
    assert!(text.stdout.starts_with("No articles match"), "{text:?}");
}

// ---------------------------------------------------------------------------------
// 21. --limit 0: counts and facets only
// ---------------------------------------------------------------------------------

#[test]
fn limit_zero_lists_no_hit_but_counts_and_facets() {
    let env = TestEnv::new();
    for i in 0..5 {
        env.write(
            &format!("n{i}.txt"),
            format!("Germany item {i}\n\nChancellor Angela Merkel spoke in Berlin, Germany, about item {i}.\n"),
        );
    }
    env.write("other.txt", "Other\n\nNothing to see.\n");
    ingest_json(&env);
    for extra in [
        &[][..],
        &["--offset", "3"],
        &["--all"],
        &["--sort", "newest"],
    ] {
        let mut args = vec!["--limit", "0"];
        args.extend_from_slice(extra);
        // No hit: the counts alone, one line.
        let lines = env.search("merkel", &args).success().json_lines();
        assert_eq!(lines.len(), 1, "only the counts line: {lines:?}");
        assert_eq!(lines[0]["total"], 5);
        assert!(lines[0].get("facets").is_none(), "{lines:?}");
        args.push("--facets");
        let lines = env.search("merkel", &args).success().json_lines();
        assert_eq!(lines.len(), 1, "only the facets line: {lines:?}");
        assert_eq!(lines[0]["total"], 5);
        assert!(lines[0]["facets"]["country"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["value"] == "DE" && c["count"] == 5));
    }
    let all = env
        .search("", &["--limit", "0", "--facets"])
        .success()
        .json_lines();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["total"], 6);
    // The terminal: no numbered hit, the count and the facets.
    let text = env
        .run(&[
            "search",
            "merkel",
            "--limit",
            "0",
            "--facets",
            "--index",
            s(&env.index),
        ])
        .success();
    assert!(
        !text
            .stdout
            .lines()
            .any(|l| l.trim_start().starts_with("1. ")),
        "{text:?}"
    );
    assert!(text.stdout.contains("5 matches"), "{text:?}");
    assert!(text.stdout.contains("DE 5"), "{text:?}");
    // similar --limit 0: none.
    let sim = env
        .run(&[
            "similar",
            "n0.txt",
            "--limit",
            "0",
            "--index",
            s(&env.index),
            "--json",
        ])
        .success();
    assert!(sim.stdout.trim().is_empty(), "{sim:?}");
    let sim = env
        .run(&[
            "similar",
            "n0.txt",
            "--limit",
            "1",
            "--index",
            s(&env.index),
            "--json",
        ])
        .success();
    assert_eq!(sim.json_lines().len(), 1, "{sim:?}");
}
