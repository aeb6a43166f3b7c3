//! Every error and problem the binary prints is one line of bounded length that names
//! the path and says what to do next, and the exit code says how the run ended:
//! 0 all read, 1 finished with some files or records failed, 2 stopped by an error,
//! 130 interrupted. `ingest --json` prints a JSON object on stdout in every case.

use crate::util::{tantivy_dir, Run, TestEnv};
use serde_json::Value;
use std::time::Duration;

/// The longest line the tests accept (the binary's own limit is 400 characters for an
/// error, about 500 for a problem with a long path).
const MAX_CHARS: usize = 520;

/// Every non-empty stderr line: one `error:`/`warning:` line, short.
fn assert_bounded_lines(r: &Run) {
    for l in r.stderr_lines() {
        assert!(
            l.starts_with("error: ") || l.starts_with("warning: "),
            "a stderr line that is not a labelled message: {l:?}\n{r:?}"
        );
        assert!(
            l.chars().count() <= MAX_CHARS,
            "{} characters: {l:?}",
            l.chars().count()
        );
    }
}

/// The only stderr line, which must be an error.
fn only_error(r: &Run) -> String {
    let lines = r.stderr_lines();
    assert_eq!(lines.len(), 1, "expected one stderr line:\n{r:?}");
    assert!(lines[0].starts_with("error: "), "{r:?}");
    assert!(lines[0].chars().count() <= MAX_CHARS, "{r:?}");
    lines[0].to_string()
}

fn index_arg(env: &TestEnv) -> &str {
    env.index.to_str().unwrap()
}

fn small_archive(env: &TestEnv) {
    env.write(
        "a.txt",
        "Harbour reopens\n\nThe harbour reopened on Monday after the storm.",
    );
    env.write(
        "b.md",
        "---\ntitle: Bridge closes\n---\nThe bridge closed for repairs.",
    );
}

#[test]
fn a_damaged_meta_json_is_one_short_line_not_its_content() {
    let env = TestEnv::new();
    small_archive(&env);
    env.ingest_ok();
    // tantivy echoes the file it cannot parse into its error: 2 MB of it here.
    std::fs::write(
        tantivy_dir(&env.index).unwrap().join("meta.json"),
        format!("{{{}", "x".repeat(2_000_000)),
    )
    .unwrap();
    let idx = index_arg(&env);
    for args in [
        vec!["search", "harbour", "--index", idx],
        vec!["stats", "--index", idx],
        vec!["show", "a.txt", "--index", idx],
        vec!["tags", "--index", idx],
    ] {
        let r = env.run(&args).code(2);
        let line = only_error(&r);
        assert!(line.contains(idx), "names the index: {line}");
        assert!(line.contains("damaged"), "{line}");
        assert!(
            line.ends_with("run `newsidx ingest --rebuild` to rebuild it"),
            "{line}"
        );
        assert!(line.contains('…'), "the echoed content is cut: {line}");
    }
    let r = env.ingest(&[]).code(2);
    let line = only_error(&r);
    assert!(line.contains("--rebuild"), "{line}");
    // --json: stdout still holds one JSON object, saying why it stopped.
    let v = r.json();
    assert_eq!(v["exit_code"], 2, "{v}");
    assert_eq!(
        v["error"].as_str().unwrap(),
        line.strip_prefix("error: ").unwrap()
    );
    // And the promised next step works.
    env.ingest(&["--rebuild"]).success();
    assert_eq!(env.article_count(), 2);
}

#[test]
fn a_100k_column_header_is_cut_and_the_run_exits_1() {
    let env = TestEnv::new();
    small_archive(&env);
    let header: Vec<String> = (0..100_000).map(|i| format!("column{i}")).collect();
    let row: Vec<&str> = (0..100_000).map(|_| "v").collect();
    env.write(
        "wide.csv",
        format!("{}\n{}\n", header.join(","), row.join(",")),
    );
    let r = env.ingest(&[]).code(1);
    assert_bounded_lines(&r);
    assert!(r.stderr.len() < 2_000, "{} bytes on stderr", r.stderr.len());
    let line = r.problem("error", "wide.csv", Some(1));
    assert!(line.contains("column0, column1"), "{line}");
    assert!(line.contains('…'), "{line}");
    assert!(line.ends_with(')'), "ends with what to do: {line}");
    let v = r.json();
    assert_eq!(v["exit_code"], 1, "{v}");
    assert_eq!(v["files_failed"], 1, "{v}");
    assert_eq!(v["articles_added"], 2, "the other files went in: {v}");
}

#[test]
fn a_huge_bad_field_is_cut_in_its_problem_line() {
    let env = TestEnv::new();
    let big = "y".repeat(1_000_000);
    // Two records with the same 1 MB id: the warning quotes the id (twice); then a
    // record that is not an object.
    let rec = format!("{{\"id\": \"{big}\", \"title\": \"Same\", \"body\": \"Same id.\"}}\n");
    env.write(
        "feed.jsonl",
        format!("{{\"title\": \"Fine\", \"body\": \"A fine body.\"}}\n{rec}{rec}[1, 2]\n"),
    );
    let r = env.ingest(&[]).code(1);
    assert_bounded_lines(&r);
    assert!(r.stderr.len() < 2_000, "{} bytes on stderr", r.stderr.len());
    let warn = r.problem("warning", "feed.jsonl", Some(3));
    assert!(
        warn.contains("duplicate id `yyy") && warn.contains('…'),
        "{warn}"
    );
    let line = r.problem("error", "feed.jsonl", Some(4));
    assert!(line.ends_with(')'), "says what to do: {line}");
    assert_eq!(r.json()["articles_added"], 3);
}

#[test]
fn every_problem_line_names_its_file_and_every_error_a_next_step() {
    let env = TestEnv::new();
    small_archive(&env);
    env.write("bad.json", "{\"title\": ");
    env.write("rows.csv", "title,body\n\"unclosed,x\n");
    env.write(
        "records.jsonl",
        "{\"title\": \"ok\", \"body\": \"fine\"}\nnot json\n{}\n",
    );
    env.write("blob.txt", b"\x00\x01\x02binary\x00".as_slice());
    env.write("new\nline.json", "{");
    let deep = format!("{}/deep.jsonl", vec!["folder"; 60].join("/"));
    env.write(&deep, "not json\n");
    let r = env.ingest(&[]).code(1);
    assert_bounded_lines(&r);
    let errors: Vec<&str> = r
        .stderr_lines()
        .into_iter()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert!(errors.len() >= 5, "{r:?}");
    for l in &errors {
        // `error: PATH[:LINE]: message (next step)`
        let rest = l.strip_prefix("error: ").unwrap();
        assert!(
            [
                "bad.json",
                "rows.csv",
                "records.jsonl",
                "blob.txt",
                "deep.jsonl",
                "new\\nline.json"
            ]
            .iter()
            .any(|f| {
                let place = rest.split(": ").next().unwrap();
                let path = place.trim_end_matches(|c: char| c.is_ascii_digit() || c == ':');
                path.ends_with(f)
            }),
            "names its file first: {l}"
        );
        assert!(l.ends_with(')'), "says what to do next: {l}");
    }
    // The newline in a name is escaped, never a second line.
    assert!(r.stderr.contains("new\\nline.json"), "{r:?}");
}

#[test]
fn exit_codes_say_how_the_ingest_ended() {
    let env = TestEnv::new();
    small_archive(&env);
    // 0: all read (a warning is not a failure).
    env.write("warn.md", "---\ntitle: W\nnot a pair\n---\nBody text here.");
    let r = env.ingest(&[]).code(0);
    assert_eq!(r.json()["exit_code"], 0);
    assert!(r.stderr.contains("warning: "), "{r:?}");
    // 1: finished, a record failed; the failure is listed on stderr.
    env.write(
        "feed.jsonl",
        "{\"title\": \"ok\", \"body\": \"fine\"}\n{oops\n",
    );
    let r = env.ingest(&[]).code(1);
    assert_eq!(r.json()["exit_code"], 1);
    r.problem("error", "feed.jsonl", Some(2));
    // Without --json, the same code and a summary that points at the list.
    env.write(
        "more.jsonl",
        "{\"title\": \"ok\", \"body\": \"fine\"}\n[]\n",
    );
    let text = env
        .run(&[
            "ingest",
            env.corpus.to_str().unwrap(),
            "--index",
            index_arg(&env),
        ])
        .code(1);
    assert!(text.stdout.contains("1 errors (listed above)"), "{text:?}");
    env.remove("more.jsonl");
    // A run that changes a failed file reads it again; fixed, it exits 0.
    env.write("feed.jsonl", "{\"title\": \"ok\", \"body\": \"fine\"}\n");
    env.ingest(&[]).code(0);
    // enrich says the same of the one file it reads.
    let bad = env.write(
        "one.jsonl",
        "{\"title\": \"Harbour\", \"body\": \"It reopened.\"}\n{oops\n",
    );
    let r = env
        .run(&["enrich", bad.to_str().unwrap(), "--json"])
        .code(1);
    assert_eq!(r.json_lines().len(), 1, "{r:?}");
    assert!(
        r.problem("error", "one.jsonl", Some(2)).ends_with(')'),
        "{r:?}"
    );
    env.remove("one.jsonl");
    // 2: stopped by an error; --json still prints an object on stdout.
    let r = env
        .run(&["ingest", "missing", "--index", index_arg(&env), "--json"])
        .code(2);
    let line = only_error(&r);
    assert!(line.contains("missing: no such folder"), "{line}");
    assert_eq!(r.json()["exit_code"], 2);
}

#[test]
fn wrong_kinds_of_path_are_named_as_such() {
    let env = TestEnv::new();
    small_archive(&env);
    let file = env.corpus.join("a.txt");
    let file = file.to_str().unwrap();
    let idx = index_arg(&env);

    let r = env.run(&["ingest", file, "--index", idx]).code(2);
    let line = only_error(&r);
    assert!(line.contains("a.txt: is a file, not a folder"), "{line}");
    assert!(line.contains("newsidx ingest DIR"), "{line}");

    let corpus = env.corpus.to_str().unwrap();
    let r = env.run(&["enrich", corpus]).code(2);
    let line = only_error(&r);
    assert!(line.contains("is a folder, not a file"), "{line}");

    let r = env.run(&["enrich", "nowhere.txt"]).code(2);
    let line = only_error(&r);
    assert!(line.contains("nowhere.txt: no such file"), "{line}");

    let fifo = env.root.join("pipe.txt");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if made {
        // Reading a FIFO would wait forever for a writer: it must be refused at once.
        let out = env
            .cmd()
            .args(["enrich", fifo.to_str().unwrap()])
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let r = Run::from_output(&["enrich", "pipe.txt"], out).code(2);
        let line = only_error(&r);
        assert!(line.contains("pipe.txt: is a named pipe (FIFO)"), "{line}");
        let out = env
            .cmd()
            .args(["ingest", fifo.to_str().unwrap(), "--index", idx])
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let r = Run::from_output(&["ingest", "pipe.txt"], out).code(2);
        assert!(only_error(&r).contains("not a folder"), "{r:?}");
        // A FIFO as the gazetteer file would block its read forever.
        let out = env
            .cmd()
            .args(["enrich", file, "--gazetteer", fifo.to_str().unwrap()])
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let r = Run::from_output(&["enrich", "--gazetteer", "pipe.txt"], out).code(2);
        let line = only_error(&r);
        assert!(
            line.contains("pipe.txt: is a named pipe (FIFO), not a gazetteer file"),
            "{line}"
        );
        assert!(line.contains("give --gazetteer a file"), "{line}");
    } else {
        eprintln!("note: mkfifo unavailable, FIFO cases not run");
    }

    // A file given as --index to a reading command is not "no index here".
    let r = env.run(&["search", "x", "--index", file]).code(2);
    let line = only_error(&r);
    assert!(line.contains("is a file, not an index folder"), "{line}");
    let r = env.run(&["stats", "--index", "nowhere"]).code(2);
    assert!(only_error(&r).contains("nowhere: no index here"), "{r:?}");
}

#[test]
fn a_message_is_said_once() {
    let env = TestEnv::new();
    small_archive(&env);
    let corpus = env.corpus.to_str().unwrap();
    let idx = index_arg(&env);
    // tantivy's error about the memory arena repeated its own text; the flag is now
    // checked first, against the writer's limit.
    for json in [false, true] {
        let mut args = vec![
            "ingest",
            corpus,
            "--index",
            idx,
            "--writer-memory",
            "100000000",
        ];
        if json {
            args.push("--json");
        }
        let r = env.run(&args).code(2);
        let line = only_error(&r);
        assert!(line.contains("--writer-memory 100000000"), "{line}");
        // 4094 MB per writer thread, and one writer thread per core.
        let max: u64 = line
            .split("give ")
            .nth(1)
            .and_then(|t| t.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no limit given: {line}"));
        assert!(max >= 4094 && max.is_multiple_of(4094), "{line}");
        if json {
            assert_eq!(r.json()["exit_code"], 2);
        } else {
            assert!(r.stdout.is_empty(), "{r:?}");
        }
    }
    // An I/O error quoted by its own message is not repeated by the cause chain.
    let r = env
        .run(&[
            "ingest",
            corpus,
            "--index",
            idx,
            "--gazetteer",
            "nowhere.tsv",
        ])
        .code(2);
    let line = only_error(&r);
    assert!(line.contains("nowhere.tsv"), "{line}");
    assert_eq!(line.matches("No such file").count(), 1, "{line}");
    assert!(line.contains("--gazetteer"), "{line}");
}

#[test]
fn usage_errors_and_odd_values_are_one_line() {
    let env = TestEnv::new();
    for args in [
        vec!["search"],
        vec!["search", "x", "--limit", "many"],
        vec!["ingest", "--bogus"],
        vec!["serch", "x"],
    ] {
        let r = env.run(&args).code(2);
        let line = only_error(&r);
        assert!(line.contains("--help"), "says where to look: {line}");
    }
    // A query's words typed without quotes: the command with them in quotes.
    for (args, hint) in [
        (
            vec!["search", "merkel", "trump", "putin", "--limit", "3"],
            "newsidx search \"merkel trump putin\"",
        ),
        (
            vec!["timeline", "brexit", "vote"],
            "newsidx timeline \"brexit vote\"",
        ),
    ] {
        let r = env.run(&args).code(2);
        let line = only_error(&r);
        assert!(line.contains(hint), "{line}");
    }
    small_archive(&env);
    env.ingest_ok();
    let huge = "z".repeat(5_000);
    let idx = index_arg(&env);
    for args in [
        vec!["search", "x", "--index", idx, "--country", &huge],
        vec!["search", "x", "--index", idx, "--from", &huge],
        vec!["show", &huge, "--index", idx],
    ] {
        let r = env.run(&args).code(2);
        only_error(&r);
    }
}

#[test]
fn an_interrupted_ingest_exits_130_with_its_json() {
    let env = TestEnv::new();
    let mut lines = String::new();
    for i in 0..20_000 {
        lines.push_str(&format!(
            "{{\"id\": \"{i}\", \"title\": \"Story {i}\", \"body\": \"The council met on Monday and voted on budget item {i}.\"}}\n"
        ));
    }
    env.write("big.jsonl", lines);
    let child = env
        .std_cmd()
        .args([
            "ingest",
            env.corpus.to_str().unwrap(),
            "--index",
            index_arg(&env),
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while tantivy_dir(&env.index).is_none() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON object on stdout");
    match out.status.code() {
        // It finished before the signal arrived.
        Some(0) => assert_eq!(v["exit_code"], 0, "{v}"),
        code => {
            assert_eq!(code, Some(130), "{v}");
            assert_eq!(v["exit_code"], 130, "{v}");
            assert_eq!(v["interrupted"], true, "{v}");
        }
    }
}
