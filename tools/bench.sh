#!/usr/bin/env bash
# The newsidx benchmark: scaled corpus -> ingest (cold, re-run) -> plain-tantivy
# ceiling -> search latency (in-process and whole CLI process). Writes
# target/bench/results.md (+ raw measurements in target/bench/raw/).
#
#   tools/bench.sh [--scales 10k,100k,1m] [--source PATH] [--threads N]
#                  [--writer-memory MB] [--rounds N] [--cli-runs N] [--repeat N] [--seed N]
#                  [--ceiling-grid T:MB,...] [--ceiling-top K] [--ceiling-analyzer news|stock]
#
#   --scales        article counts to run (default 10k,100k; 1m needs ~3.7 GB for the
#                   corpus plus ~8 GB for the indexes, and tens of minutes)
#   --source        the news-2017 articles.csv (default: $NEWSIDX_BENCH_SOURCE or
#                   /work/shared/corpora/news-2017/articles.csv)
#   --threads, --writer-memory
#                   passed to `newsidx ingest` (default: its own defaults)
#   --ceiling-grid  the settings of plain tantivy tried for the ceiling, as
#                   WRITER_THREADS:MIB_PER_THREAD pairs (default: 1..4 threads x 64,
#                   256, 1024 MiB); the fastest run of any of them is the ceiling
#   --ceiling-top   from the second scale on, only the K settings that were fastest
#                   at the scale before are run (default 3)
#   --ceiling-analyzer
#                   news: the ceiling analyses with newsidx's analyzer (default);
#                   stock: the same terms from tantivy's own filters, nothing
#                   remembered between words (plain tantivy)
#   --seed          corpus generator seed (default 2017)
#   --rounds        in-process search rounds over the query mix (default 20)
#   --cli-runs      runs per query of the whole `newsidx search` process (default 10)
#   --repeat        cold ingest and ceiling runs per scale, interleaved; the fastest
#                   of each is reported (default 1)
#
# Needs: cargo, python3, GNU time at /usr/bin/time (apt-get install time);
# hyperfine is used for the CLI timing when present (else a python loop).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

SCALES="10k,100k"
SOURCE="${NEWSIDX_BENCH_SOURCE:-/work/shared/corpora/news-2017/articles.csv}"
THREADS=""
WMEM=""
ROUNDS=20
CLI_RUNS=10
SEED=2017
REPEAT=1
GRID="1:64,1:256,1:1024,2:64,2:256,2:1024,3:64,3:256,3:1024,4:64,4:256,4:1024"
TOP=3
CEIL_ANALYZER=news
while [[ $# -gt 0 ]]; do
    case "$1" in
        --scales) SCALES="$2"; shift 2 ;;
        --source) SOURCE="$2"; shift 2 ;;
        --threads) THREADS="$2"; shift 2 ;;
        --writer-memory) WMEM="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --cli-runs) CLI_RUNS="$2"; shift 2 ;;
        --seed) SEED="$2"; shift 2 ;;
        --repeat) REPEAT="$2"; shift 2 ;;
        --ceiling-grid) GRID="$2"; shift 2 ;;
        --ceiling-top) TOP="$2"; shift 2 ;;
        --ceiling-analyzer) CEIL_ANALYZER="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

die() { echo "bench.sh: $*" >&2; exit 1; }
[[ -f "$SOURCE" ]] || die "source corpus not found: $SOURCE (pass --source PATH to the news-2017 articles.csv)"
[[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1 \
    || die "GNU time is needed at /usr/bin/time (apt-get install time)"
command -v python3 >/dev/null || die "python3 is needed"

FLAGS=()
[[ -n "$THREADS" ]] && FLAGS+=(--threads "$THREADS")
[[ -n "$WMEM" ]] && FLAGS+=(--writer-memory "$WMEM")

OUT="$ROOT/target/bench"
RAW="$OUT/raw"
mkdir -p "$RAW" "$OUT/corpus" "$OUT/index"
rm -f "$OUT/results.md"
log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

log "building (cargo build --release --bin newsidx --examples)"
cargo build --release --bin newsidx --examples
BIN="$ROOT/target/release/newsidx"
CEIL="$ROOT/target/release/examples/ceiling"
SBENCH="$ROOT/target/release/examples/search_bench"
QUERIES="$ROOT/benches/queries.tsv"

# The machine, once.
python3 - "$RAW/machine.json" "${FLAGS[@]+"${FLAGS[@]}"}" <<'EOF'
import json, os, subprocess, sys, datetime, platform
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
def sh(*a):
    try: return subprocess.run(a, capture_output=True, text=True).stdout.strip()
    except Exception: return ""
rev = sh("git", "rev-parse", "--short", "HEAD")
dirty = sh("git", "status", "--porcelain", "--untracked-files=no")
json.dump({
    "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    "nproc": os.cpu_count(), "mem_gib": round(mem / 2**20, 1), "cpu": cpu,
    "kernel": platform.release(), "rustc": sh("rustc", "--version"),
    "git": rev + (" (+ uncommitted changes)" if dirty else ""),
    "flags": " ".join(sys.argv[2:]),
}, open(sys.argv[1], "w"), indent=1)
EOF

# Wall-clock + GNU time -v of one command: timed NAME CMD... -> $D/NAME.{out,time}
timed() {
    local name="$1"; shift
    local t0 t1
    local rc=0
    t0=$(date +%s%N)
    /usr/bin/time -v -o "$D/$name.time" "$@" >"$D/$name.out" 2>"$D/$name.err" || rc=$?
    t1=$(date +%s%N)
    # newsidx ingest exits 1 when it finished but some records could not be read
    # (each listed in $name.err): the run is complete and counts.
    if (( rc != 0 )) && ! [[ $rc -eq 1 && $name == ingest* ]]; then
        cat "$D/$name.err" >&2; die "$name failed: $*"
    fi
    echo $(( (t1 - t0) / 1000 )) >"$D/$name.wall_us"
}

# The ceiling settings of one scale: the whole grid at the first scale, then the
# $TOP fastest of the scale before (by their fastest run).
ceiling_settings() {
    local prev="$1"
    if [[ -z "$prev" ]]; then
        tr ',' '\n' <<<"$GRID"
        return
    fi
    python3 - "$RAW/$prev" "$TOP" <<'EOF'
import os, re, sys
d, top = sys.argv[1], int(sys.argv[2])
best = {}
for fn in os.listdir(d):
    m = re.fullmatch(r"ceiling\.t(\d+)m(\d+)\.\d+\.wall_us", fn)
    if m:
        k = f"{m[1]}:{m[2]}"
        w = int(open(os.path.join(d, fn)).read())
        best[k] = min(best.get(k, w), w)
for k in sorted(best, key=best.get)[:top]:
    print(k)
EOF
}

IFS=',' read -r -a SCALE_LIST <<<"$SCALES"
PREV=""
for scale in "${SCALE_LIST[@]}"; do
    D="$RAW/$scale"; rm -rf "$D"; mkdir -p "$D"
    CORPUS="$OUT/corpus/$scale"
    IDX="$OUT/index/$scale-newsidx"
    CIDX="$OUT/index/$scale-ceiling"
    cat /proc/loadavg >"$D/loadavg_before"

    # 1. Corpus (regenerated only when the generator, source, seed or size changed).
    stamp="$(sha256sum tools/gen_corpus.py | cut -c1-16) $(stat -c %s "$SOURCE") $SEED $scale"
    if [[ "$(cat "$CORPUS/.stamp" 2>/dev/null)" != "$stamp" ]]; then
        log "$scale: generating corpus"
        rm -rf "$CORPUS"
        python3 tools/gen_corpus.py "$SOURCE" "$CORPUS" --articles "$scale" --seed "$SEED" >"$D/gen.json"
        echo "$stamp" >"$CORPUS/.stamp"
    else
        log "$scale: corpus up to date"
    fi
    # Same warm page cache for every contender: read the whole corpus once.
    find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null

    # 2-3. Cold ingest (empty index) and the ceiling (plain tantivy, same text fields,
    # at each of its settings), interleaved, --repeat times; the table keeps the
    # fastest run of each (the machine may be shared).
    rm -f "$D"/ingest_cold.* "$D"/ceiling.*
    mapfile -t SETTINGS < <(ceiling_settings "$PREV")
    for rep in $(seq 1 "$REPEAT"); do
        log "$scale: newsidx ingest (cold) [$rep/$REPEAT]"
        rm -rf "$IDX"
        timed "ingest_cold.$rep" "$BIN" ingest "$CORPUS" --index "$IDX" --json "${FLAGS[@]+"${FLAGS[@]}"}"
        for st in "${SETTINGS[@]}"; do
            wt="${st%%:*}"; mb="${st##*:}"
            log "$scale: ceiling (plain tantivy, $wt writer threads x $mb MiB) [$rep/$REPEAT]"
            timed "ceiling.t${wt}m${mb}.$rep" "$CEIL" "$CORPUS" --index "$CIDX" \
                --writer-threads "$wt" --per-thread-mb "$mb" --analyzer "$CEIL_ANALYZER"
            du -sb "$CIDX" | cut -f1 >"$D/ceiling.t${wt}m${mb}.$rep.index_bytes"
            rm -rf "$CIDX"
        done
    done
    PREV="$scale"
    # A re-run on the unchanged archive.
    log "$scale: newsidx ingest (re-run, unchanged)"
    timed ingest_rerun "$BIN" ingest "$CORPUS" --index "$IDX" --json "${FLAGS[@]+"${FLAGS[@]}"}"
    "$BIN" stats --index "$IDX" --json >"$D/stats.json"
    du -sb "$IDX" | cut -f1 >"$D/index_bytes"
    du -sb --exclude=.stamp --exclude=README.md "$CORPUS" | cut -f1 >"$D/corpus_bytes"

    # 4. Search: in one process through the library ...
    log "$scale: search latency (in-process, $ROUNDS rounds)"
    "$SBENCH" --index "$IDX" --queries "$QUERIES" --rounds "$ROUNDS" >"$D/search_inproc.json"
    # ... the same with facets over all matches and three snippets per hit ...
    "$SBENCH" --index "$IDX" --queries "$QUERIES" --rounds "$ROUNDS" --snippets 3 --facets >"$D/search_facets.json"
    # ... and the whole `newsidx search` process, as a user runs it.
    log "$scale: search latency (CLI process, $CLI_RUNS runs per query)"
    python3 - "$BIN" "$IDX" "$QUERIES" "$CLI_RUNS" "$D/search_cli.json" <<'EOF'
import json, shlex, shutil, subprocess, sys, tempfile, time, os
binp, idx, qfile, runs, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
cmds = []
for line in open(qfile, encoding="utf-8"):
    line = line.rstrip("\n")
    if not line.strip() or line.startswith("#"):
        continue
    q, _, flags = line.partition("\t")
    cmds.append([binp, "search", q, "--index", idx] + shlex.split(flags))
times, tool = [], None
if shutil.which("hyperfine"):
    tool = "hyperfine"
    with tempfile.TemporaryDirectory() as td:
        exp = os.path.join(td, "h.json")
        args = ["hyperfine", "-N", "--style", "none", "--warmup", "2", "--runs", str(runs),
                "--export-json", exp] + [shlex.join(c) for c in cmds]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for r in json.load(open(exp))["results"]:
            times += [t * 1e3 for t in r["times"]]
else:
    tool = "python loop (subprocess)"
    for c in cmds:
        for i in range(runs + 2):
            t = time.perf_counter()
            subprocess.run(c, check=True, stdout=subprocess.DEVNULL)
            if i >= 2:
                times.append((time.perf_counter() - t) * 1e3)
times.sort()
pct = lambda p: times[max(1, -(-len(times) * p // 100)) - 1]
json.dump({"tool": tool, "queries": len(cmds), "samples": len(times),
           "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99), "max_ms": times[-1]},
          open(out, "w"))
EOF
done

# 5. The table.
python3 - "$RAW" "$OUT/results.md" "$SCALES" <<'EOF'
import json, os, re, sys
raw, out, scales = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
m = json.load(open(os.path.join(raw, "machine.json")))

def tv(path):
    d = {}
    for l in open(path):
        k, _, v = l.strip().rpartition(": ")
        d[k] = v
    return {"rss_mb": int(d["Maximum resident set size (kbytes)"]) / 1024,
            "cpu_s": float(d["User time (seconds)"]) + float(d["System time (seconds)"]),
            "cpu_pct": d["Percent of CPU this job got"]}

def load(s):
    D = os.path.join(raw, s)
    r = {"scale": s}
    for name in ("ingest_cold", "ingest_rerun", "ceiling"):
        runs = []
        for fn in sorted(os.listdir(D)):
            if re.fullmatch(re.escape(name) + r"(\.t\d+m\d+)?(\.\d+)?\.time", fn):
                base = os.path.join(D, fn[:-5])
                x = tv(base + ".time")
                x["wall"] = int(open(base + ".wall_us").read()) / 1e6
                x["json"] = json.loads(open(base + ".out").read())
                x["base"] = base
                runs.append(x)
        r[name] = min(runs, key=lambda x: x["wall"])
        r[name]["runs"] = len(runs)
        r[name]["all_walls"] = [x["wall"] for x in runs]
    r["index_mb"] = int(open(os.path.join(D, "index_bytes")).read()) / 1e6
    r["ceil_index_mb"] = int(open(r["ceiling"]["base"] + ".index_bytes").read()) / 1e6
    # Every setting of the ceiling that was run: its fastest run.
    sweep = {}
    for fn in os.listdir(D):
        mm = re.fullmatch(r"ceiling\.t(\d+)m(\d+)\.\d+\.time", fn)
        if mm:
            base = os.path.join(D, fn[:-5])
            x = tv(base + ".time")
            x["wall"] = int(open(base + ".wall_us").read()) / 1e6
            k = (int(mm[1]), int(mm[2]))
            if k not in sweep or x["wall"] < sweep[k]["wall"]:
                sweep[k] = x
    r["sweep"] = sweep
    r["corpus_mb"] = int(open(os.path.join(D, "corpus_bytes")).read()) / 1e6
    r["stats"] = json.load(open(os.path.join(D, "stats.json")))
    r["inproc"] = json.load(open(os.path.join(D, "search_inproc.json")))
    fp = os.path.join(D, "search_facets.json")
    r["facets"] = json.load(open(fp)) if os.path.exists(fp) else None
    r["cli"] = json.load(open(os.path.join(D, "search_cli.json")))
    r["load"] = open(os.path.join(D, "loadavg_before")).read().split()[0]
    r["articles"] = r["ingest_cold"]["json"]["articles_added"]
    return r

rows = [load(s) for s in scales if os.path.exists(os.path.join(raw, s, "search_cli.json"))]
f = lambda x, n=1: f"{x:,.{n}f}"
L = []
L.append(f"Measured {m['date']} on {m['nproc']} cores, {m['mem_gib']} GiB RAM, {m['cpu']} "
         f"(Linux {m['kernel']}, {m['rustc']}), newsidx {m['git']}.")
reps = rows[0]["ingest_cold"]["runs"] if rows else 1
L.append(f"Ingest flags: {m['flags'] or 'newsidx defaults'}; the ceiling: the fastest of its settings below. "
         f"Cold ingest and ceiling: fastest of {reps} interleaved run(s). "
         "Corpus: scaled real news-2017 text (tools/gen_corpus.py, seed 2017). "
         "Page cache warm (corpus read once before each scale); 'cold' = empty index.\n")
L.append("### Ingest\n")
L.append("| scale | articles | corpus MB | cold: s | articles/s | MB/s | peak RSS MB | CPU s | index MB | re-run: s | re-run peak RSS MB | load before |")
L.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
for r in rows:
    c, rr = r["ingest_cold"], r["ingest_rerun"]
    L.append(f"| {r['scale']} | {r['articles']:,} | {f(r['corpus_mb'],0)} | {f(c['wall'],2)} | "
             f"{f(r['articles']/c['wall'],0)} | {f(r['corpus_mb']/c['wall'])} | {f(c['rss_mb'],0)} | "
             f"{f(c['cpu_s'])} | {f(r['index_mb'],0)} | {f(rr['wall'],2)} | {f(rr['rss_mb'],0)} | {r['load']} |")
L.append("\n### Ceiling: plain tantivy at its best (fastest writer setting), same text fields and analyzer\n")
L.append("| scale | ceiling setting | ceiling s | ceiling articles/s | ceiling MB/s | ceiling peak RSS MB | ceiling CPU s | ceiling index MB | **ours / ceiling** (articles/s) | CPU ours / ceiling |")
L.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
for r in rows:
    c, k = r["ingest_cold"], r["ceiling"]
    st = f"{k['json']['writer_threads']} × {k['json']['per_thread_mb']} MiB"
    L.append(f"| {r['scale']} | {st} | {f(k['wall'],2)} | {f(r['articles']/k['wall'],0)} | {f(r['corpus_mb']/k['wall'])} | "
             f"{f(k['rss_mb'],0)} | {f(k['cpu_s'])} | {f(r['ceil_index_mb'],0)} | **{k['wall']/c['wall']:.2f}** | "
             f"{c['cpu_s']/k['cpu_s']:.2f}x |")
L.append("\n#### The ceiling's settings (writer threads × MiB per thread; fastest run of each)\n")
L.append("| scale | setting | s | MB/s | peak RSS MB | CPU s |")
L.append("|---|---|--:|--:|--:|--:|")
for r in rows:
    for (t, mb), x in sorted(r["sweep"].items(), key=lambda kv: kv[1]["wall"]):
        L.append(f"| {r['scale']} | {t} × {mb} | {f(x['wall'],2)} | {f(r['corpus_mb']/x['wall'])} | "
                 f"{f(x['rss_mb'],0)} | {f(x['cpu_s'])} |")
L.append("\n### Search (fixed mix of " + (str(rows[0]['inproc']['queries']) if rows else "?") +
         " queries: single words, several words, phrases, tag and date filters; benches/queries.tsv)\n")
L.append("| scale | in-process p50 ms | in-process p99 ms | + facets, 3 snippets p50 ms | p99 ms | `newsidx search` process p50 ms | process p99 ms |")
L.append("|---|--:|--:|--:|--:|--:|--:|")
for r in rows:
    i, c, fa = r["inproc"], r["cli"], r.get("facets")
    fcols = f"{fa['p50_ms']:.2f} | {fa['p99_ms']:.2f}" if fa else "– | –"
    L.append(f"| {r['scale']} | {i['p50_ms']:.2f} | {i['p99_ms']:.2f} | {fcols} | {c['p50_ms']:.1f} | {c['p99_ms']:.1f} |")
if rows:
    L.append(f"\nIn-process: {rows[0]['inproc']['samples']} samples per scale (library call: filter resolution + "
             f"`newsidx::search::search`, 10 hits with snippets). Process: {rows[0]['cli']['samples']} runs per scale "
             f"via {rows[0]['cli']['tool']}, output discarded.")
if len(rows) >= 2:
    a, b = rows[0], rows[-1]
    x = b["articles"] / a["articles"]
    g = lambda u, v: f"x{v/u:.1f}" if u else "n/a"
    L.append(f"\n### Growth {a['scale']} -> {b['scale']} (articles x{x:.0f})\n")
    L.append(f"- ingest time {g(a['ingest_cold']['wall'], b['ingest_cold']['wall'])}, "
             f"ceiling time {g(a['ceiling']['wall'], b['ceiling']['wall'])}, "
             f"re-run time {g(a['ingest_rerun']['wall'], b['ingest_rerun']['wall'])}")
    L.append(f"- peak RSS: ingest {g(a['ingest_cold']['rss_mb'], b['ingest_cold']['rss_mb'])}, "
             f"re-run {g(a['ingest_rerun']['rss_mb'], b['ingest_rerun']['rss_mb'])}, "
             f"ceiling {g(a['ceiling']['rss_mb'], b['ceiling']['rss_mb'])}")
    L.append(f"- index size {g(a['index_mb'], b['index_mb'])}")
    L.append(f"- search p50 {g(a['inproc']['p50_ms'], b['inproc']['p50_ms'])} in-process, "
             f"{g(a['cli']['p50_ms'], b['cli']['p50_ms'])} as a process")
L.append("\nReproduce: `tools/bench.sh --scales " + ",".join(r["scale"] for r in rows) +
         " --source /path/to/news-2017/articles.csv`")
open(out, "w").write("\n".join(L) + "\n")
print("\n".join(L))
EOF
log "wrote $OUT/results.md"
