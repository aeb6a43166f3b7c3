#!/usr/bin/env python3
"""Writes src/index/names_unstemmed.txt: the people's names the `news` analyser keeps
whole rather than stemming, so that a name is not found by a word it is not (Hollande
is not Holland, Morales not morale, Hilary not hilarious, Denis not denied).

A word is listed when all of these hold:
- it is a word of a leader's name (src/enrich/data/leaders*.tsv: name, surname,
  aliases) or a given name (given_names.tsv), four letters or more, in ASCII;
- English stemming (Snowball, as the analyser's) changes it;
- its stem is also the stem of another word: an English word (the Wordnik list that
  newsidx's typo correction uses) or a word of a country, place or organisation name
  of the gazetteer;
- it is a name in running text: in the news archives named below, at least nine in
  ten of its occurrences after a lower-case word are capitalised (or it never occurs
  there and is no English word). `desire`, `prince` and `minister` stay stemmed.
A name whose stem is a name so listed is listed too (`denise`, stemmed `denis`).

The list is part of how an index is analysed: a change to it changes the terms of
indexed text, so it goes with a new `SCHEMA_VERSION` (src/index/schema.rs), whose
test holds the list's digest. Needs `pip install snowballstemmer` and the shared
archives:

    python3 tools/names_unstemmed.py ../shared/corpora > src/index/names_unstemmed.txt
"""
import collections, glob, os, re, sys, unicodedata
import snowballstemmer

STEM = snowballstemmer.stemmer("english").stemWord
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "enrich", "data")


def fold(s):
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).lower()


def words(s):
    return re.findall(r"[^\W\d_]+", fold(s or ""))


def rows(name):
    lines = [l.rstrip("\n").split("\t") for l in open(os.path.join(DATA, name), encoding="utf-8")
             if not l.startswith("#")]
    return [dict(zip(lines[0], p)) for p in lines[1:]]


def english_words():
    path = sorted(glob.glob(os.path.expanduser("~/.cargo/registry/src/*/wordnik_list-*/src/words/all.txt")))[-1]
    return {l.strip() for l in open(path, encoding="utf-8") if l.strip()}


def main(corpora):
    english = english_words()
    names = set()
    for f in ("leaders.tsv", "leaders_former.tsv"):
        for d in rows(f):
            for k in ("name", "surname", "aliases"):
                names.update(words(d.get(k)))
    for d in rows("given_names.tsv"):
        names.update(words(d["name"]))
    other = set()
    for d in rows("countries.tsv"):
        for k in ("name", "aliases", "demonyms", "capitals"):
            other.update(words(d.get(k)))
    for d in rows("country_aliases.tsv"):
        other.update(words(d["value"]))
    for d in rows("places.tsv"):
        other.update(words(d["name"]))
    for d in rows("orgs.tsv"):
        other.update(words(d["name"]))
        other.update(words(d.get("aliases")))
    by_stem = collections.defaultdict(set)
    for w in english | other:
        by_stem[STEM(w)].add(w)
    # Capitalised or not, after a lower-case word (not at a sentence's start).
    cap, low = collections.Counter(), collections.Counter()
    paths = glob.glob(os.path.join(corpora, "news-2017", "*.csv")) + glob.glob(
        os.path.join(corpora, "bbc-2005", "*", "*.txt"))
    for p in paths:
        text = open(p, encoding="utf-8", errors="replace").read()
        for m in re.finditer(r"(?<=[a-z,;] )([A-Za-z]+)", text):
            w = m.group(1)
            (cap if w[0].isupper() else low)[w.lower()] += 1
    def is_name(w):
        c, l = cap[w], low[w]
        return (c + l > 0 and c >= 9 * l) or (c + l == 0 and w not in english)

    out = set()
    for w in names:
        if len(w) < 4 or not w.isascii() or STEM(w) == w:
            continue
        if by_stem[STEM(w)] - {w} and is_name(w):
            out.add(w)
    # A name whose stem is now a name kept whole (`denise`, stemmed `denis`) is kept
    # whole too, or the two would meet there.
    while True:
        more = {w for w in names - out
                if len(w) >= 4 and w.isascii() and STEM(w) != w and STEM(w) in out and is_name(w)}
        if not more:
            break
        out |= more
    out = sorted(out)
    print("# People's names kept whole by the `news` analyser (not stemmed): written by")
    print("# tools/names_unstemmed.py, which says why each is here. A change to this list")
    print("# changes how text is indexed: it goes with a new SCHEMA_VERSION.")
    for w in out:
        print(w)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpora")
