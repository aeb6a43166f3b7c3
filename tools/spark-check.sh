#!/usr/bin/env bash
# Enrichment on Spark, checked: runs examples/spark/enrich_job.py on a local Spark
# (local[2]: a driver and two executor threads on this machine) over a small archive of
# JSON lines files and web archives, and checks that its enriched records equal those
# of `newsidx enrich --records` on one machine, record for record; then ingests them
# with `newsidx ingest --enriched`.
#
# Installs what it lacks: a headless Java runtime from the distribution (apt, as
# root) and pyspark from PyPI into a virtual environment under target/spark-check/.
# NEWSIDX=path/to/newsidx uses that binary (default: a debug build, made if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
work=target/spark-check
mkdir -p "$work"

say() { printf 'spark-check: %s\n' "$*" >&2; }

if ! command -v java >/dev/null 2>&1; then
    say "installing a headless Java runtime (default-jre-headless)"
    if [ "$(id -u)" != 0 ]; then
        say "error: java is missing and this is not root; install default-jre-headless (Debian/Ubuntu) or any Java 17+, then run again"
        exit 2
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null
fi
java -version 2>&1 | head -1 | sed 's/^/spark-check: /' >&2

venv="$work/venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import pyspark' 2>/dev/null; then
    say "installing pyspark from PyPI into $venv"
    "$venv/bin/pip" install -q pyspark
fi
say "pyspark $("$venv/bin/python" -c 'import pyspark; print(pyspark.__version__)')"

newsidx="${NEWSIDX:-}"
if [ -z "$newsidx" ]; then
    cargo build -q --bin newsidx
    newsidx=target/debug/newsidx
fi
newsidx="$(realpath "$newsidx")"

input="$work/input"
out="$work/spark-out"
rm -rf "$input" "$out" "$work/index"
"$venv/bin/python" examples/spark/make_sample.py "$input" >&2

say "running the job on local[2]"
PYSPARK_PYTHON="$(realpath "$venv/bin/python")" "$venv/bin/python" examples/spark/enrich_job.py \
    --master 'local[2]' --newsidx "$newsidx" "$input" "$out" 2>"$work/spark.log" || {
    tail -30 "$work/spark.log" >&2
    say "error: the Spark job failed (log: $work/spark.log)"
    exit 1
}

say "the same files through newsidx enrich on one machine"
mapfile -t files < <(find "$input" -type f ! -name '.*' | LC_ALL=C sort)
set +e
"$newsidx" enrich --records --root "$input" "${files[@]}" >"$work/single.ndjson" 2>"$work/single.err"
code=$?
set -e
if [ "$code" -gt 1 ]; then
    cat "$work/single.err" >&2
    exit 1
fi

"$venv/bin/python" - "$out" "$work/single.ndjson" <<'PY'
import glob, json, sys
out, single = sys.argv[1], sys.argv[2]
def load(paths):
    recs = {}
    n = 0
    for p in paths:
        for line in open(p, encoding="utf-8"):
            if line.strip():
                r = json.loads(line)
                n += 1
                assert r["id"] not in recs, f"{r['id']} twice"
                recs[r["id"]] = r
    return recs, n
spark, ns = load(sorted(glob.glob(f"{out}/part-*")))
one, n1 = load([single])
missing = sorted(set(one) - set(spark))
extra = sorted(set(spark) - set(one))
differ = sorted(i for i in set(one) & set(spark) if one[i] != spark[i])
for what, ids in (("missing from Spark's output", missing), ("only in Spark's output", extra), ("different", differ)):
    for i in ids[:5]:
        print(f"spark-check: {what}: {i}", file=sys.stderr)
if missing or extra or differ:
    print(f"spark-check: FAILED: {len(missing)} missing, {len(extra)} extra, {len(differ)} different of {n1}", file=sys.stderr)
    sys.exit(1)
kinds = {}
for r in one.values():
    k = "warc" if ".warc" in r["path"] else "jsonl"
    kinds[k] = kinds.get(k, 0) + 1
print(f"spark-check: {ns} records from Spark equal {n1} from one machine, record for record "
      f"({kinds.get('jsonl', 0)} from JSON lines, {kinds.get('warc', 0)} from web archives)")
PY

grep -c 'not json\|invalid JSON' "$work/single.err" >/dev/null && say "the bad line was reported: $(grep -m1 'invalid JSON' "$work/single.err")"
"$newsidx" ingest "$out" --enriched --index "$work/index" --json >"$work/ingest.json"
say "ingest --enriched of Spark's output: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["articles_added"], "articles added, exit", d["exit_code"])' "$work/ingest.json")"
# The direct path to a search cluster: Spark's records exported as they are, with no
# index, give the same bulk files as an export of an index built from them.
"$newsidx" ingest "$out" --enriched --index "$work/index1" --threads 1 --json >/dev/null
rm -rf "$work/from-index" "$work/from-records"
"$newsidx" export --to opensearch "$work/from-index" --index "$work/index1" --json >/dev/null
"$newsidx" export --to opensearch "$work/from-records" --records "$out" --json >/dev/null
if ! diff -r "$work/from-index" "$work/from-records" >/dev/null; then
    diff -r "$work/from-index" "$work/from-records" | head -20 >&2
    echo "spark-check: FAILED: export --records of Spark's output differs from the export of its index" >&2
    exit 1
fi
say "export --records of Spark's output: the same OpenSearch bulk files as the export of its index ($(cat "$work"/from-records/bulk-*.ndjson | wc -l) lines)"
say "passed"
