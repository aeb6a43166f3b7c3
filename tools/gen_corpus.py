#!/usr/bin/env python3
"""Generate a scaled benchmark archive from the real news-2017 articles.

    python3 tools/gen_corpus.py SOURCE.csv OUT_DIR --articles 100000 [--seed 2017]

SCALED REAL TEXT, NOT NEW TEXT. Every sentence in the output was written by a news
outlet and comes from the source dataset (news-2017, ~3,000 articles of Dec 2016 -
Mar 2017). To reach 10k-1M articles the generator recombines it:

* each generated article takes the title, subtitle and outlet of one source article
  (chosen at random), with a new id (`b<seed>-<n>`) and a new url under the outlet's
  domain;
* its date is the source date shifted by a random number of days (about -9 to +8
  years, so 2008-2025), written in the form the file format usually uses;
* its body is made of "paragraphs" (the source texts have no line breaks, so a
  paragraph is a run of 2-4 sentences): about half come from the source article,
  the rest are drawn from random other articles, then the order is shuffled. Body
  lengths follow the source (mean ~3.3 kB).

So word statistics are realistic, but topics inside one article are mixed and the
same title appears many times at large scales. The output is deterministic: the same
source, seed and count give byte-identical files.

Layout (OUT_DIR is emptied first):

    OUT_DIR/README.md                          says all this (ingest skips READMEs)
    OUT_DIR/bulk/part-0000.jsonl, ...          95% of articles, big files of up to
    OUT_DIR/bulk/part-0001.csv, ...            25,000 articles (at least two files),
                                               jsonl and csv in turn
    OUT_DIR/files/<outlet>/YYYY/MM/DD/<slug>-<n>.txt|.md   every 20th article

With --one-jsonl every article goes into OUT_DIR/bulk/part-0000.jsonl instead (the
streaming test: a single JSON lines file of several GB).

JSON Lines records: id, title, subtitle, body, date (ISO), url, source (the
url's host without www.).
CSV: the dataset's own columns (article_id, publish_date as Y/M/D,
article_source_link, title, subtitle, text). .txt: title line, blank line, body.
.md: front matter (title, date, source, url, id, subtitle), then the body.

Python standard library only. 1M articles is ~3.5 GB and takes a few minutes.
"""

import argparse
import csv
import datetime as dt
import json
import os
import random
import re
import shutil
import sys
import time

SHARD = 25_000          # articles per big file
SMALL_EVERY = 20        # every 20th article goes to a small .txt/.md file (5%)
SENT_SPLIT = re.compile(r'(?<=[.!?"\u201d])\s+(?=[A-Z"\u201c\u2018\'(0-9])')
SLUG_RE = re.compile(r"[^a-z0-9]+")


def parse_count(s):
    s = s.strip().lower()
    mult = 1
    if s.endswith("k"):
        mult, s = 1_000, s[:-1]
    elif s.endswith("m"):
        mult, s = 1_000_000, s[:-1]
    return int(float(s) * mult)


def load(source):
    csv.field_size_limit(1 << 30)
    arts = []
    with open(source, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            title = (row.get("title") or "").strip()
            text = (row.get("text") or "").strip()
            if not title or len(text) < 200:
                continue
            try:
                y, m, d = (int(x) for x in row["publish_date"].split("/"))
                date = dt.date(y, m, d)
            except (ValueError, KeyError):
                continue
            link = row.get("article_source_link") or ""
            host = link.split("/")[2] if link.count("/") >= 2 else "news.example"
            sents = SENT_SPLIT.split(text)
            paras, i = [], 0
            # Deterministic paragraphing: runs of 2-4 sentences, by position.
            while i < len(sents):
                n = 2 + (i * 7 + len(sents)) % 3
                paras.append(" ".join(sents[i:i + n]))
                i += n
            arts.append({
                "title": title,
                "subtitle": (row.get("subtitle") or "").strip(),
                "date": date,
                "host": host,
                "site": host.removeprefix("www."),
                "outlet": host.removeprefix("www.").split(".")[0],
                "paras": paras,
            })
    if not arts:
        sys.exit(f"gen_corpus: no usable articles in {source}")
    return arts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", help="news-2017 articles.csv")
    ap.add_argument("out", help="output folder (emptied first)")
    ap.add_argument("--articles", default="10k", help="how many, e.g. 10000, 10k, 1m")
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--one-jsonl", action="store_true",
                    help="write every article into one bulk/part-0000.jsonl (for the "
                         "one-huge-file test: 1.4m articles is about 5 GB)")
    a = ap.parse_args()
    total = parse_count(a.articles)
    t0 = time.time()

    arts = load(a.source)
    pool = [p for art in arts for p in art["paras"]]
    rng = random.Random(a.seed)

    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(os.path.join(a.out, "bulk"))
    with open(os.path.join(a.out, "README.md"), "w", encoding="utf-8") as f:
        f.write(
            f"# Scaled benchmark archive ({total:,} articles, seed {a.seed})\n\n"
            "Generated by `tools/gen_corpus.py` from the real news-2017 articles "
            f"({len(arts)} usable source articles). This is SCALED REAL TEXT: every "
            "sentence is from the source, recombined into new articles with new ids, "
            "shifted dates and paragraphs shuffled across articles. Not for "
            "anything but benchmarking.\n")

    small_every = total + 1 if a.one_jsonl else SMALL_EVERY
    n_bulk_total = total - (total + small_every - 1) // small_every
    # At least two big files (one .jsonl, one .csv) even at small scales.
    shard = total if a.one_jsonl else max(1, min(SHARD, (n_bulk_total + 1) // 2))
    bulk_files = []   # paths
    cur = None
    n_small = n_bulk = 0
    nbytes = 0
    made_dirs = set()
    randrange, random_ = rng.randrange, rng.random
    npool, narts = len(pool), len(arts)

    for n in range(total):
        src = arts[randrange(narts)]
        paras = [p if random_() < 0.5 else pool[randrange(npool)] for p in src["paras"]]
        rng.shuffle(paras)
        date = src["date"] + dt.timedelta(days=randrange(-3300, 3000))
        aid = f"b{a.seed}-{n:07d}"
        slug = SLUG_RE.sub("-", src["title"].lower()).strip("-")[:60].rstrip("-")
        url = f"https://{src['host']}/{date:%Y/%m/%d}/{slug}-{n}"
        body = "\n\n".join(paras)

        if not a.one_jsonl and n % SMALL_EVERY == 0:
            d = os.path.join(a.out, "files", src["outlet"], f"{date:%Y}", f"{date:%m}", f"{date:%d}")
            if d not in made_dirs:
                os.makedirs(d, exist_ok=True)
                made_dirs.add(d)
            if (n // SMALL_EVERY) % 2 == 0:
                path = os.path.join(d, f"{slug}-{n}.txt")
                content = f"{src['title']}\n\n{body}\n"
            else:
                path = os.path.join(d, f"{slug}-{n}.md")
                fm = [
                    "---",
                    "title: " + json.dumps(src["title"], ensure_ascii=False),
                    f"date: {date:%Y-%m-%d}",
                    f"source: {src['site']}",
                    f"url: {url}",
                    f"id: {aid}",
                ]
                if src["subtitle"]:
                    fm.append("subtitle: " + json.dumps(src["subtitle"], ensure_ascii=False))
                content = "\n".join(fm) + "\n---\n" + body + "\n"
            data = content.encode("utf-8")
            with open(path, "wb") as f:
                f.write(data)
            nbytes += len(data)
            n_small += 1
            continue

        if cur is None or cur[3] >= shard:
            if cur is not None:
                cur[1].close()
            idx = len(bulk_files)
            kind = "jsonl" if idx % 2 == 0 else "csv"
            path = os.path.join(a.out, "bulk", f"part-{idx:04d}.{kind}")
            fobj = open(path, "w", encoding="utf-8", newline="")
            w = None
            if kind == "csv":
                w = csv.writer(fobj, lineterminator="\n")
                w.writerow(["article_id", "publish_date", "article_source_link",
                            "title", "subtitle", "text"])
            cur = [kind, fobj, w, 0]
            bulk_files.append(path)
        if cur[0] == "jsonl":
            line = json.dumps({
                "id": aid, "title": src["title"], "subtitle": src["subtitle"],
                "body": body, "date": f"{date:%Y-%m-%d}", "url": url,
                "source": src["site"]}, ensure_ascii=False) + "\n"
            cur[1].write(line)
        else:
            cur[2].writerow([aid, f"{date.year}/{date.month}/{date.day}", url,
                             src["title"], src["subtitle"], body])
        cur[3] += 1
        n_bulk += 1
    if cur is not None:
        cur[1].close()

    nbytes += sum(os.path.getsize(p) for p in bulk_files)
    secs = time.time() - t0
    print(json.dumps({
        "out": a.out, "articles": total, "bulk_articles": n_bulk,
        "small_files": n_small, "bulk_files": len(bulk_files), "bytes": nbytes,
        "seed": a.seed, "secs": round(secs, 1)}))


if __name__ == "__main__":
    main()
