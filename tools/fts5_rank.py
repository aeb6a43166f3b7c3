#!/usr/bin/env python3
"""SQLite FTS5's BM25 over the judged archive: the outside baseline of the relevance report.

Indexes the articles of a CSV export (an `id` or `article_id` column, `title`,
`subtitle` or `description`, `text` or `body`) in an FTS5 table with the porter
tokenizer, and runs every query of a `queries.tsv` twice: all words required
(`fts5-and`) and any word (`fts5-or`), ranked by `bm25()` with the title weighted 2
against subtitle and body 1. Prints one line per hit on stdout:

    run<TAB>query_id<TAB>rank<TAB>article id

where the article id is the index's (`articles.csv#17`: `--prefix` plus the row's id).
`tests/relevance.rs` runs it when python3 is present and scores the lines beside the
defaults and plain BM25.

    python3 tools/fts5_rank.py --csv articles.csv --queries queries.tsv [--depth 10]
"""

import argparse
import csv
import os
import re
import sqlite3
import sys

TITLE_WEIGHT = 2.0

ALIASES = {
    "id": ("id", "article_id"),
    "title": ("title", "headline"),
    "subtitle": ("subtitle", "description", "summary"),
    "body": ("text", "body", "content", "maintext", "article"),
}


def column(header, kind):
    lower = [h.strip().lower() for h in header]
    for name in ALIASES[kind]:
        if name in lower:
            return lower.index(name)
    return None


def fts_query(query, joiner):
    """The user's query as an FTS5 expression: each word or "quoted phrase" as an FTS5
    string (the tokenizer splits it as it splits the text, so post-war is the phrase
    post war), joined by AND or OR. Operators and stray signs are dropped."""
    query = (
        query.replace("\u201c", '"')
        .replace("\u201d", '"')
        .replace("\u2019", "'")
        .replace("\u2018", "'")
    )
    parts = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', query):
        text = phrase if phrase else word
        if not phrase and text in ("OR", "AND", "NOT"):
            continue
        text = text.strip("-+*()")
        # A possessive 's is its own token in unicode61; the query drops it, as
        # newsidx does, so "Xi's" finds Xi.
        text = re.sub(r"'s\b", "", text)
        if not re.search(r"\w", text):
            continue
        parts.append('"' + text.replace('"', '""') + '"')
    return f" {joiner} ".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--depth", type=int, default=10)
    ap.add_argument("--prefix", help="id prefix (default: the CSV's file name and #)")
    args = ap.parse_args()
    prefix = args.prefix if args.prefix is not None else os.path.basename(args.csv) + "#"

    db = sqlite3.connect(":memory:")
    try:
        db.execute(
            "CREATE VIRTUAL TABLE a USING fts5(id UNINDEXED, title, subtitle, body, "
            "tokenize='porter unicode61')"
        )
    except sqlite3.OperationalError as e:
        sys.exit(f"error: this Python's SQLite has no FTS5 ({e}); install one built with it")

    csv.field_size_limit(1 << 30)
    with open(args.csv, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        cols = {k: column(header, k) for k in ALIASES}
        if cols["id"] is None:
            sys.exit(f"error: {args.csv}: no id or article_id column (needed for the index's ids)")

        def get(row, kind):
            i = cols[kind]
            return row[i] if i is not None and i < len(row) else ""

        batch = []
        for row in rows:
            title, body = get(row, "title"), get(row, "body")
            if not title.strip() and not body.strip():
                continue  # newsidx reports and skips such a record too
            batch.append((prefix + get(row, "id").strip(), title, get(row, "subtitle"), body))
        db.executemany("INSERT INTO a VALUES (?, ?, ?, ?)", batch)

    with open(args.queries, encoding="utf-8") as f:
        queries = []
        for line in f:
            cols_ = line.rstrip("\n").split("\t")
            if not line.strip() or line.startswith("#") or cols_[0] == "query_id":
                continue
            if len(cols_) >= 2 and cols_[1].strip():
                queries.append((cols_[0].strip(), cols_[1].strip()))

    out = sys.stdout
    for run, joiner in (("fts5-and", "AND"), ("fts5-or", "OR")):
        for qid, text in queries:
            expr = fts_query(text, joiner)
            if not expr:
                continue
            try:
                hits = db.execute(
                    "SELECT id FROM a WHERE a MATCH ? "
                    f"ORDER BY bm25(a, 0.0, {TITLE_WEIGHT}, 1.0, 1.0) LIMIT ?",
                    (expr, args.depth),
                ).fetchall()
            except sqlite3.OperationalError as e:
                print(f"warning: {qid} {expr!r}: {e}", file=sys.stderr)
                continue
            for rank, (id_,) in enumerate(hits, 1):
                out.write(f"{run}\t{qid}\t{rank}\t{id_}\n")


if __name__ == "__main__":
    main()
