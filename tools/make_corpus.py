#!/usr/bin/env python3
"""Regenerate the sample archive corpus/ from the shared data (stdlib only).

    python3 tools/make_corpus.py [--shared ../shared] [--out corpus]

Picks about 100 real articles from the "News Articles" dataset (news-2017) on the
topics a demo needs (China/Taiwan/Xi, Trump, Putin/Russia, Merkel/Germany,
Macron/France, Brexit/May, G20, NATO, the UN, ...) and writes them in every format
the ingest stage reads, with different field names and date forms per file, plus the
specification article as Markdown with front matter. The choice is deterministic:
the same input gives byte-identical output.

Articles that would compete with the specification article for the query
"Taiwan post-war order" are left out (a BM25 score check against the seed article).
"""

import argparse
import csv
import datetime
import hashlib
import json
import math
import os
import re
import shutil
import sys
from collections import Counter

SOURCES = {
    "aljazeera.com": ("Al Jazeera", "aljazeera"),
    "tass.com": ("TASS", "tass"),
    "abcnews.go.com": ("ABC News", "abc-news"),
    "rte.ie": ("RTÉ", "rte"),
    "huffingtonpost.com": ("HuffPost", "huffpost"),
    "dw.com": ("DW", "dw"),
    "europe.chinadaily.com.cn": ("China Daily", "china-daily"),
    "bbc.co.uk": ("BBC", "bbc"),
    "cnn.com": ("CNN", "cnn"),
}

# (topic, regex, how many articles). Order matters: earlier topics pick first.
TOPICS = [
    ("xi", r"\bXi Jinping\b|\bPresident Xi\b|\bTaiwan\b", 5),
    ("macron", r"\bMacron\b", 3),
    ("china", r"\bBeijing\b|\bChina\b", 6),
    ("trump", r"\bTrump\b", 12),
    ("russia", r"\bPutin\b|\bRussia\b|\bKremlin\b", 10),
    ("germany", r"\bMerkel\b|\bGermany\b|\bBundestag\b", 9),
    ("france", r"\bFrance\b|\bLe Pen\b|\bHollande\b", 6),
    ("brexit", r"\bBrexit\b|\bTheresa May\b", 10),
    ("g20", r"\bG20\b|\bG-20\b", 6),
    ("nato", r"\bNATO\b", 8),
    ("un", r"\bUnited Nations\b|\bUN Security Council\b|\bGuterres\b", 8),
    ("korea", r"\bNorth Korea\b|\bPyongyang\b", 5),
    ("syria", r"\bSyria\b|\bAssad\b", 5),
    ("japan", r"\bShinzo Abe\b|\bJapan\b", 4),
]

SPEC_TITLE = "Xi tells Trump Taiwan's return to China is part of post-war order"
QUERY = ["taiwan", "post", "war", "order"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    ap.add_argument("--out", default=os.path.join(here, "..", "corpus"))
    args = ap.parse_args()

    csv.field_size_limit(sys.maxsize)
    src_csv = os.path.join(args.shared, "corpora", "news-2017", "articles.csv")
    with open(src_csv, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        columns = reader.fieldnames
        rows = list(reader)
    with open(os.path.join(args.shared, "seed", "trump-xi-call.txt"), encoding="utf-8") as f:
        seed = f.read()

    chosen = choose(rows, seed)
    out = os.path.abspath(args.out)
    # Keep the hand-written README; regenerate everything else.
    if os.path.isdir(out):
        for name in os.listdir(out):
            if name != "README.md":
                path = os.path.join(out, name)
                shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    os.makedirs(out, exist_ok=True)
    write_all(out, chosen, columns, seed)


def usable(r):
    title, text = r["title"].strip(), r["text"].strip()
    return (
        title
        and len(text) >= 600
        and len(text) <= 12000
        and '"?' not in text  # the dataset's broken curly quotes
        and "?" not in title.rstrip("?")  # the same artefact in titles
        and not title.endswith(".")
        and len(title) <= 120
        and host(r["article_source_link"]) in SOURCES
        and re.fullmatch(r"\d{4}/\d{1,2}/\d{1,2}", r["publish_date"].strip())
    )


def host(url):
    m = re.match(r"https?://(?:www\.)?([^/]+)", url.strip())
    return m.group(1).lower() if m else ""


def stable_key(r):
    return hashlib.md5(r["article_id"].encode()).hexdigest()


def choose(rows, seed):
    seen_text = set()
    pool = []
    for r in rows:
        if usable(r) and r["text"] not in seen_text:
            seen_text.add(r["text"])
            pool.append(r)
    picked, picked_ids = [], set()
    for topic, pattern, count in TOPICS:
        rx = re.compile(pattern)
        in_title = [r for r in pool if rx.search(r["title"])]
        in_text = [r for r in pool if len(rx.findall(r["text"])) >= 2 and r not in in_title]
        candidates = sorted(in_title, key=stable_key) + sorted(in_text, key=stable_key)
        # Spread over outlets: at most 3 per outlet per topic.
        per_source = Counter()
        n = 0
        for r in candidates:
            if n == count:
                break
            h = host(r["article_source_link"])
            if r["article_id"] in picked_ids or per_source[h] >= 3:
                continue
            per_source[h] += 1
            picked_ids.add(r["article_id"])
            picked.append((topic, r))
            n += 1
    return drop_competitors(picked, seed)


def tokens(text):
    return re.findall(r"\w+", text.lower())


def drop_competitors(picked, seed):
    """Leave out articles scoring near the seed for "Taiwan post-war order" (BM25)."""
    docs = [tokens(SPEC_TITLE + " " + seed)] + [
        tokens(r["title"] + " " + r["text"]) for _, r in picked
    ]
    n = len(docs)
    avg = sum(map(len, docs)) / n
    df = {q: sum(1 for d in docs if q in d) for q in QUERY}

    def bm25(doc):
        tf = Counter(doc)
        score = 0.0
        for q in QUERY:
            if not tf[q]:
                continue
            idf = math.log(1 + (n - df[q] + 0.5) / (df[q] + 0.5))
            score += idf * tf[q] * 2.2 / (tf[q] + 1.2 * (0.25 + 0.75 * len(doc) / avg))
        return score

    seed_score = bm25(docs[0])
    kept = []
    for (topic, r), doc in zip(picked, docs[1:]):
        if bm25(doc) >= 0.5 * seed_score:
            print(f"left out {r['article_id']} ({r['title']}): competes with the seed", file=sys.stderr)
        else:
            kept.append((topic, r))
    return kept


def slug(title, limit=60):
    s = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return s[:limit].rstrip("-") or "article"


def ymd(r):
    y, m, d = (int(x) for x in r["publish_date"].strip().split("/"))
    return datetime.date(y, m, d)


def date_forms(r):
    """The same date written the ways real archives write it."""
    d = ymd(r)
    return {
        "iso": d.isoformat(),
        "us": d.strftime("%b ") + str(d.day) + d.strftime(", %Y"),  # Feb 7, 2017
        "uk": str(d.day) + d.strftime(" %B %Y"),  # 7 February 2017
        # RFC 2822; the dataset has no time of day, so midnight UTC.
        "rfc2822": d.strftime("%a, %d %b %Y 00:00:00 +0000"),
        "slashes": r["publish_date"].strip(),  # 2017/2/7, as in the dataset
    }


def yaml_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_all(out, chosen, columns, seed):
    write(
        os.path.join(out, "specification", "trump-xi-call.md"),
        "---\n"
        f"title: {yaml_quote(SPEC_TITLE)}\n"
        "date: 2025-11-24\n"
        "source: newsidx specification\n"
        "id: seed\n"
        "---\n" + seed,
    )
    # Deal the articles out over the formats, round robin in a fixed order, so each
    # format gets a mix of topics.
    deal = ["txt", "md", "txt-dated", "md", "json", "jsonl", "csv"]
    formats = list(dict.fromkeys(deal))
    groups = {f: [] for f in formats}
    for i, (topic, r) in enumerate(chosen):
        groups[deal[i % len(deal)]].append((topic, r))

    used = set()

    def unique(path):
        base, ext = os.path.splitext(path)
        n = 2
        while path in used:
            path = f"{base}-{n}{ext}"
            n += 1
        used.add(path)
        return path

    # Plain text: title line, blank line, body; no metadata at all.
    for _, r in groups["txt"]:
        _, folder = SOURCES[host(r["article_source_link"])]
        p = unique(os.path.join(out, "text", folder, slug(r["title"]) + ".txt"))
        write(p, r["title"].strip() + "\n\n" + r["text"].strip() + "\n")
    # Plain text whose only date is its path: text/<source>/YYYY/MM/DD/slug.txt.
    for _, r in groups["txt-dated"]:
        _, folder = SOURCES[host(r["article_source_link"])]
        d = ymd(r)
        p = unique(os.path.join(out, "text", folder, f"{d:%Y}", f"{d:%m}", f"{d:%d}", slug(r["title"]) + ".txt"))
        write(p, r["title"].strip() + "\n\n" + r["text"].strip() + "\n")
    # Markdown with front matter; field names and date forms vary file to file.
    md_styles = [
        ("title", "date", "source", "url", "subtitle", "iso"),
        ("headline", "published", "outlet", "link", "description", "us"),
        ("title", "pubDate", "publication", "url", "summary", "rfc2822"),
        ("title", "date", "source", "link", "subtitle", "uk"),
    ]
    for i, (_, r) in enumerate(groups["md"]):
        name, folder = SOURCES[host(r["article_source_link"])]
        k_title, k_date, k_source, k_url, k_sub, form = md_styles[i % len(md_styles)]
        fm = [
            f"{k_title}: {yaml_quote(r['title'].strip())}",
            f"{k_date}: {date_forms(r)[form]}",
            f"{k_source}: {name}",
            f"{k_url}: {r['article_source_link'].strip()}",
            f"id: {r['article_id']}",
        ]
        if r["subtitle"].strip():
            fm.append(f"{k_sub}: {yaml_quote(' '.join(r['subtitle'].split()))}")
        p = unique(os.path.join(out, "markdown", folder, slug(r["title"]) + ".md"))
        write(p, "---\n" + "\n".join(fm) + "\n---\n\n" + r["text"].strip() + "\n")
    # One JSON array: id/title/content/published/link/publication/description.
    records = []
    for _, r in groups["json"]:
        rec = {
            "id": r["article_id"],
            "title": r["title"].strip(),
            "published": date_forms(r)["iso"],
            "link": r["article_source_link"].strip(),
            "publication": SOURCES[host(r["article_source_link"])][0],
        }
        if r["subtitle"].strip():
            rec["description"] = " ".join(r["subtitle"].split())
        rec["content"] = r["text"].strip()
        records.append(rec)
    write(os.path.join(out, "json", "world-news.json"), json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    # One JSON Lines file, news-please style names; no source field (it comes from the url).
    lines = []
    for _, r in groups["jsonl"]:
        rec = {
            "article_id": r["article_id"],
            "headline": r["title"].strip(),
            "publishedAt": date_forms(r)["us"],
            "url": r["article_source_link"].strip(),
            "maintext": r["text"].strip(),
        }
        lines.append(json.dumps(rec, ensure_ascii=False))
    write(os.path.join(out, "jsonl", "wire.jsonl"), "\n".join(lines) + "\n")
    # One CSV with the dataset's own columns and date form.
    os.makedirs(os.path.join(out, "csv"), exist_ok=True)
    with open(os.path.join(out, "csv", "articles.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for _, r in groups["csv"]:
            w.writerow({c: r[c] for c in columns})

    # A manifest of what went where, for the README and for tests.
    manifest = os.path.join(out, "MANIFEST.tsv")
    with open(manifest, "w", encoding="utf-8", newline="\n") as f:
        f.write("format\ttopic\tarticle_id\tpublish_date\tsource\ttitle\n")
        for fmt in formats:
            for topic, r in groups[fmt]:
                name = SOURCES[host(r["article_source_link"])][0]
                f.write(f"{fmt}\t{topic}\t{r['article_id']}\t{r['publish_date']}\t{name}\t{r['title'].strip()}\n")
    total = sum(map(len, groups.values()))
    print(f"wrote {total} articles + the specification article to {out}", file=sys.stderr)
    for fmt in formats:
        print(f"  {fmt}: {len(groups[fmt])}", file=sys.stderr)


if __name__ == "__main__":
    main()
