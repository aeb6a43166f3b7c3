#!/usr/bin/env bash
# The OpenSearch export's analyser, checked word for word against newsidx's: runs the
# `news` analyser of the export's mapping.json through Lucene's own analysis classes
# (the classes OpenSearch builds for those tokenizer and filter types) over every title,
# subtitle and body of an archive, and compares the words and positions with those
# newsidx indexes (`examples/analyze.rs`). The archive: the sample corpus/, the 3,080
# articles of tests/data/relevance/articles.csv.zst, and a few articles written here
# with what tokenizers disagree on (U.S., 3.5, don't, e-mail, Erdoğan, Japanese,
# Chinese and Korean text, overlong words).
#
# Exits 1 if the words before stemming differ in any field, or if a word stems
# differently for any reason but the known one: OpenSearch's `porter2` is Snowball's
# English stemmer as it was before its 2025 revision, newsidx's (tantivy's) the revised
# one. Each side is checked against Snowball's own code of that version (the
# snowballstemmer package, 2.2 and 3.x, from PyPI).
#
# Installs what it lacks: a Java compiler (default-jdk-headless), zstd and Lucene
# (liblucene8-java) from the distribution (as root), snowballstemmer from PyPI into a
# virtual environment under target/. OpenSearch 2.19 runs Lucene 9; these analysis
# classes (PatternTokenizer, LengthFilter, LowerCaseFilter, ASCIIFoldingFilter) are the
# same in 8, and its SnowballFilter's English stemmer is checked against Snowball 2.2.
#
#   tools/opensearch-analysis-check.sh [--mapping FILE]
#
# --mapping FILE checks another mapping.json (an older export's) against this newsidx.
# NEWSIDX=path/to/newsidx uses that binary (default: a debug build, made if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
work=target/opensearch-analysis-check
mkdir -p "$work"

say() { printf 'opensearch-analysis-check: %s\n' "$*" >&2; }

mapping_arg=""
while [ $# -gt 0 ]; do
    case "$1" in
        --mapping) mapping_arg="$(realpath "$2")"; shift 2 ;;
        *) say "error: unknown argument $1 (usage: $0 [--mapping FILE])"; exit 2 ;;
    esac
done

lucene_core=/usr/share/java/lucene-core-8.7.0.jar
lucene_common=/usr/share/java/lucene-analyzers-common-8.7.0.jar
need=()
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
[ -f "$lucene_core" ] && [ -f "$lucene_common" ] || need+=(liblucene8-java)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        say "error: missing ${need[*]} and this is not root; install them (Debian/Ubuntu), then run again"
        exit 2
    fi
    say "installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
cp="$lucene_core:$lucene_common"
javac -d "$work/classes" -cp "$cp" tools/opensearch-analysis/AnalysisCheck.java

newsidx="${NEWSIDX:-}"
if [ -z "$newsidx" ]; then
    cargo build -q --bin newsidx
    newsidx=target/debug/newsidx
fi
newsidx="$(realpath "$newsidx")"
cargo build -q --example analyze
analyze=target/debug/examples/analyze

input="$work/input"
rm -rf "$input" "$work/index" "$work/ndjson" "$work/opensearch"
mkdir -p "$input"
cp -r corpus "$input/corpus"
zstd -q -d tests/data/relevance/articles.csv.zst -o "$input/articles.csv"
python3 - "$input/edge.jsonl" <<'EOF'
import json, sys
texts = [
    ("U.S. growth was 3.5% in Q3; the Fed's chair said rates won't rise. E-mail: press@fed.gov, www.example.com.",
     "Policy"),
    ("Recep Tayyip Erdoğan met Emmanuel Macron in Zürich; the naïve café crème façade. Ünal and Şahin spoke.",
     "Names"),
    ("トランプ大統領は2017年に日本を訪問した。安倍晋三首相と会談。ソウルで 문재인 대통령 과 회담했다. 中华人民共和国 国务院。",
     "東京"),
    ("A word of sixty letters " + "x" * 60 + " and one of forty-seven " + "y" * 47 + " and forty-eight " + "z" * 48 + ".",
     "Long words"),
    ("under_score snake_case C++ C# .NET 1,000,000 people; 9/11; 24/7; AT&T; O'Neill's book; rock 'n' roll",
     "Punctuation"),
]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i, (body, title) in enumerate(texts):
        f.write(json.dumps({"id": f"edge-{i}", "title": title, "text": body, "date": "2017-03-0%d" % (i + 1)}) + "\n")
EOF

say "ingesting $(find "$input" -type f | wc -l) files"
"$newsidx" ingest "$input" --index "$work/index" >"$work/ingest.log" 2>&1 || {
    # Exit 1: some record was bad input (the corpus holds a few on purpose); the rest
    # is indexed. Anything else is a failure.
    [ $? -eq 1 ] || { cat "$work/ingest.log" >&2; exit 1; }
}
"$newsidx" export --to ndjson "$work/ndjson" --index "$work/index" >/dev/null
"$newsidx" export --to opensearch "$work/opensearch" --index "$work/index" >/dev/null
mapping="${mapping_arg:-$work/opensearch/mapping.json}"

cat "$work"/ndjson/articles-*.ndjson | "$analyze" --no-stem >"$work/newsidx.words"

venv="$work/venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
for v in 2 3; do
    if [ ! -d "$work/snowball$v/snowballstemmer" ]; then
        spec='snowballstemmer==2.2.0'
        [ "$v" = 3 ] && spec='snowballstemmer>=3,<4'
        say "installing $spec from PyPI into $work/snowball$v"
        "$venv/bin/pip" install -q --target "$work/snowball$v" "$spec"
    fi
done

"$venv/bin/python" tools/opensearch-analysis/compare.py "$mapping" "$work" "$cp:$work/classes" "$analyze"
