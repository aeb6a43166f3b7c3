#!/usr/bin/env python3
"""Pool judgement candidates for a new set of held-out queries.

For every query: the top DEPTH of
  (a) newsidx's default ranking (`search --json --limit DEPTH`), as listed (a
      near-duplicate group once) and with every copy (`--all`, what the relevance
      test's `news` run scores), and for a misspelled twin also `--exact` (the words
      as typed);
  (b) SQLite FTS5 bm25 (title weight 2, body 1, porter unicode61) as an AND query;
  (c) the same as an OR query of the words.
A misspelled twin shares its correct query's need, so the pool of a need is the union
over the correct query and its twin.

Writes pool.tsv (need_id, article id; sorted by id: the list judged, which says nothing
about which ranking found an article) and pool_sources.tsv (query_id, system, rank, id).

Run in a folder holding queries.tsv, misspelled.tsv, corpus/articles.csv (the unpacked
tests/data/relevance/articles.csv.zst) and idx/ (`newsidx ingest corpus --index idx`);
NEWSIDX_BIN names the binary (default: newsidx on PATH).
"""
import csv, json, os, re, sqlite3, subprocess, sys

DEPTH = 15
BIN = os.environ.get("NEWSIDX_BIN", "newsidx")
INDEX = "idx"
CSV = "corpus/articles.csv"


def load_queries():
    qs = []
    with open("queries.tsv", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("query_id"):
                continue
            qid, q, need, _set = line.rstrip("\n").split("\t")
            qs.append((qid, q))
    twins = {}
    with open("misspelled.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            m, c = line.split()
            twins[m] = c
    return qs, twins


def fts_db():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, title, body, tokenize='porter unicode61')")
    csv.field_size_limit(1 << 30)
    with open(CSV, encoding="utf-8", errors="replace", newline="") as f:
        for r in csv.DictReader(f):
            title = r["title"] or ""
            body = " ".join(x for x in (r["subtitle"], r["text"]) if x)
            if not title.strip() and not body.strip():
                continue  # the one empty row the index skips too
            db.execute("INSERT INTO t VALUES (?,?,?)", ("articles.csv#" + r["article_id"], title, body))
    return db


def fts(db, q, op):
    words = re.findall(r"\w+", q.lower())
    expr = (" " if op == "AND" else " OR ").join('"%s"' % w for w in words)
    rows = db.execute(
        "SELECT id FROM t WHERE t MATCH ? ORDER BY bm25(t, 0.0, 2.0, 1.0) LIMIT ?", (expr, DEPTH)
    ).fetchall()
    return [r[0] for r in rows]


def newsidx(q, exact=False, every_copy=False):
    cmd = [BIN, "search", q, "--index", INDEX, "--json", "--limit", str(DEPTH)]
    if exact:
        cmd.append("--exact")
    if every_copy:
        cmd.append("--all")
    out = subprocess.run(cmd, capture_output=True, text=True)
    ids = []
    for line in out.stdout.splitlines():
        o = json.loads(line)
        if "id" in o and "rank" in o:
            ids.append(o["id"])
    return ids


def main():
    qs, twins = load_queries()
    db = fts_db()
    sources = []
    for qid, q in qs:
        runs = [
            ("defaults", newsidx(q)),
            ("defaults_all", newsidx(q, every_copy=True)),
            ("fts5_and", fts(db, q, "AND")),
            ("fts5_or", fts(db, q, "OR")),
        ]
        if qid in twins:
            runs.append(("defaults_exact", newsidx(q, exact=True)))
        for system, ids in runs:
            for rank, i in enumerate(ids, 1):
                sources.append((qid, system, rank, i))
    pool = {}
    for qid, system, rank, i in sources:
        need = twins.get(qid, qid)
        pool.setdefault(need, set()).add(i)
    with open("pool_sources.tsv", "w") as f:
        f.write("query_id\tsystem\trank\tarticle_id\n")
        for s in sources:
            f.write("%s\t%s\t%d\t%s\n" % s)
    key = lambda i: int(i.split("#")[1])
    with open("pool.tsv", "w") as f:
        f.write("need_id\tarticle_id\n")
        for need in sorted(pool):
            for i in sorted(pool[need], key=key):
                f.write("%s\t%s\n" % (need, i))
    n = sum(len(v) for v in pool.values())
    print("needs %d, candidates %d" % (len(pool), n), file=sys.stderr)


if __name__ == "__main__":
    main()
