"""Compares the words OpenSearch's `news` analyser makes of an archive (through Lucene's
classes, `AnalysisCheck.java`) with the words newsidx indexes (`examples/analyze.rs`);
run by `tools/opensearch-analysis-check.sh`, which prepares the files it reads.

    compare.py MAPPING WORK CLASSPATH ANALYZE

1. Words before stemming (tokenizer, length limit, lower case, folding): the same
   words at the same positions in every title, subtitle and body, or exit 1.
2. Stems of every distinct word: counted where they differ, and each side checked
   against Snowball's own English stemmer, 2.2 (before its 2025 revision) for
   OpenSearch and 3.x for newsidx; a difference not explained by that is exit 1.
"""

import base64
import glob
import importlib
import json
import subprocess
import sys
from collections import Counter

mapping_path, work, cp, analyze = sys.argv[1:5]


def snowball(version):
    """Snowball's English stemmer of one version, imported from its own folder."""
    sys.path.insert(0, f"{work}/snowball{version}")
    try:
        mod = importlib.import_module("snowballstemmer")
        return mod.stemmer("english")
    finally:
        sys.path.pop(0)
        for name in [n for n in sys.modules if n.startswith("snowballstemmer")]:
            del sys.modules[name]


def fail(msg):
    sys.exit("opensearch-analysis-check: " + msg)


analysis = json.load(open(mapping_path))["settings"]["analysis"]
analyzer = analysis["analyzer"]["news"]
tok = analysis.get("tokenizer", {}).get(analyzer["tokenizer"]) or {"type": analyzer["tokenizer"]}
if tok["type"] == "pattern":
    tokenizer = "pattern:%d:%s" % (tok.get("group", -1), tok["pattern"])
else:
    tokenizer = tok["type"]
filters = []
# Words a keyword_marker filter keeps from the stemmer: newsidx keeps them whole too.
kept = set()
for name in analyzer["filter"]:
    f = analysis.get("filter", {}).get(name, {"type": name})
    if f["type"] == "keyword_marker":
        kept.update(f.get("keywords", []))
        continue
    if f["type"] == "length":
        filters.append("length:%d" % f["max"])
    elif f["type"] == "stemmer":
        filters.append("stemmer:" + f["language"])
    else:
        filters.append(f["type"])
if not filters or filters[-1] != "stemmer:porter2":
    fail("the analyser does not end in the porter2 stemmer: %s" % filters)
before_stem, stemmer = filters[:-1], filters[-1]


def lucene(args, texts):
    lines = "".join("%d\t%s\n" % (i, base64.b64encode(t.encode()).decode()) for i, t in enumerate(texts))
    r = subprocess.run(["java", "-cp", cp, "AnalysisCheck", *args], input=lines, capture_output=True, text=True)
    if r.returncode != 0:
        fail("Lucene analysis failed: " + r.stderr.strip())
    out = [line.partition("\t")[2].split() for line in r.stdout.splitlines()]
    if len(out) != len(texts):
        fail("Lucene analysis gave %d results for %d texts" % (len(out), len(texts)))
    return out


# 1. Words before stemming.
keys, texts = [], []
for path in sorted(glob.glob(work + "/ndjson/articles-*.ndjson")):
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        for field in ("title", "subtitle", "body"):
            if r.get(field):
                keys.append((r["id"], field))
                texts.append(r[field])
theirs = dict(zip(keys, lucene([tokenizer, *before_stem], texts)))
ours = {}
for line in open(work + "/newsidx.words", encoding="utf-8"):
    id_, field, toks = line.rstrip("\n").rsplit("\t", 2)
    ours[(id_, field)] = toks.split()
if len(ours) != len(keys):
    fail("newsidx gave words for %d fields, Lucene for %d" % (len(ours), len(keys)))
differ, words = [], Counter()
for k in keys:
    a, b = ours.get(k, []), theirs[k]
    words.update(t.split(":", 1)[1] for t in a)
    if a != b:
        differ.append(k)
        if len(differ) <= 8:
            sa, sb = set(a), set(b)
            print("words differ: %s %s\n  newsidx only:    %s\n  OpenSearch only: %s" % (
                k[0], k[1], " ".join(sorted(sa - sb)[:12]), " ".join(sorted(sb - sa)[:12])))

# 2. Stems of every distinct word.
vocab = sorted(words)
lucene_stems = [t[0].split(":", 1)[1] if t else "" for t in lucene([tokenizer, stemmer], vocab)]
recs = "".join(json.dumps({"id": str(i), "title": w}) + "\n" for i, w in enumerate(vocab))
r = subprocess.run([analyze], input=recs, capture_output=True, text=True, check=True)
ours_stems = {}
for line in r.stdout.splitlines():
    i, _, toks = line.split("\t")
    ours_stems[int(i)] = toks.split(" ")[0].split(":", 1)[1] if toks else ""
s2, s3 = snowball(2), snowball(3)
stem_diff, unexplained = set(), []
for i, w in enumerate(vocab):
    lu, ni = lucene_stems[i], ours_stems.get(i, "")
    if w in kept:
        # Marked as a keyword, the word passes Lucene's stemmer as it is.
        if ni != w:
            unexplained.append(w)
            print("a name kept whole is stemmed by newsidx: %s → %s" % (w, ni))
        continue
    if lu != ni:
        stem_diff.add(w)
    # Snowball's English stemmer is for English letters; other words pass as they are.
    if w.isascii() and w.isalpha():
        a, b = s2.stemWord(w), s3.stemWord(w)
        if lu != a or ni != b:
            unexplained.append(w)
            if len(unexplained) <= 8:
                print("stem not explained: %s → OpenSearch %s (Snowball 2.2: %s), newsidx %s (Snowball 3: %s)"
                      % (w, lu, a, ni, b))
    elif lu != ni:
        unexplained.append(w)
        if len(unexplained) <= 8:
            print("stem not explained: %s → OpenSearch %s, newsidx %s" % (w, lu, ni))
hit = Counter({w: words[w] for w in stem_diff})
stem_articles = {k[0] for k, toks in ours.items() if any(t.split(":", 1)[1] in stem_diff for t in toks)}

occurrences = sum(words.values())
print()
print("| check | result |")
print("|---|---|")
print("| archive | %d articles, %d fields, %d words (%d distinct) |" % (
    len({k[0] for k in keys}), len(keys), occurrences, len(vocab)))
print("| OpenSearch analyser | %s |" % " → ".join([tokenizer.split(":")[0], *filters]))
print("| words before stemming (text and position) | %s |" % (
    "the same in every field" if not differ
    else "%d fields of %d articles differ" % (len(differ), len({k[0] for k in differ}))))
print("| stems | %d of %d distinct words (%.2f%%; %d of %d occurrences, %.2f%%) stem differently, in %d articles |" % (
    len(stem_diff), len(vocab), 100 * len(stem_diff) / max(1, len(vocab)),
    sum(hit.values()), occurrences, 100 * sum(hit.values()) / max(1, occurrences), len(stem_articles)))
print("| stemmers | %s |" % (
    "every word: OpenSearch's as Snowball English 2.2, newsidx's as Snowball English 3"
    if not unexplained else "%d words stem otherwise than Snowball 2.2 / 3 would" % len(unexplained)))
print("| most frequent words that stem differently | %s |" % ", ".join(
    "%s (%d)" % (w, n) for w, n in hit.most_common(12)))
sys.exit(1 if differ or unexplained else 0)
