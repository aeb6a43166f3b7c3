#!/usr/bin/env python3
"""Main-text and metadata extraction, newsidx against trafilatura, in one run.

Usage:  tools/html_bench.py [--shared ../shared] [--newsidx target/release/newsidx]
                            [--no-trafilatura] [--keep DIR]

1. The ScrapingHub article-extraction benchmark (`SHARED/html-bench/`: 181 article
   pages, their expected body, the benchmark's own scorer `score.py`): body
   precision / recall / F1 of both systems; their publication date against the
   hand-made labels in `tools/html-bench-dates.tsv` (the first publication date each
   page shows, or "none"; README, "Web pages", says how they were made), on the pages
   that carry one, and how many of the pages without one get a date anyway; their speed in
   pages per second per core (CPU time: newsidx is one `newsidx extract --json`
   process over every page, start-up and file reading included, the median of five
   runs; trafilatura's `extract` is timed in this process, files already in memory).
2. The newspaper4k test pages (`SHARED/html/`: saved pages with expected text,
   title, authors and publication date): title, date and author accuracy of both
   systems, through the same scorer.

newsidx runs with --keep-non-articles, so every page gets a body; the pages ingest
would skip as not articles are counted apart (on the benchmark every page is an
article, so each one skipped is an error of that test).

trafilatura is installed from PyPI when missing (`pip install trafilatura lxml_html_clean`).
"""
import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time


def sh_load(path):
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_newsidx(binary, files, keep=True):
    """{file name: prediction}, skipped file names, CPU seconds."""
    args = [binary, 'extract', '--json'] + (['--keep-non-articles'] if keep else []) + files
    before = cpu_children()
    p = subprocess.run(args, capture_output=True, text=True)
    cpu = cpu_children() - before
    preds = {}
    for line in p.stdout.splitlines():
        if not line.strip():
            continue
        o = json.loads(line)
        name = o['id'].split('#')[0]
        preds[name] = {'file': name, 'body': o.get('body'), 'title': o.get('title'),
                       'published': o.get('published'), 'authors': o.get('authors') or []}
    skipped = sorted(re.findall(r'([^\s/]+\.html?): not an article', p.stderr))
    return preds, skipped, cpu


def run_trafilatura(paths):
    import trafilatura
    pages = {}
    for path in paths:
        with open(path, 'rb') as f:
            pages[os.path.basename(path)] = f.read().decode('utf-8', errors='replace')
    preds = {}
    t0 = time.process_time()
    for name, html in pages.items():
        out = trafilatura.extract(html, include_comments=False, output_format='json',
                                  with_metadata=True)
        o = json.loads(out) if out else {}
        author = o.get('author')
        preds[name] = {'file': name, 'body': o.get('text') or '', 'title': o.get('title'),
                       'published': o.get('date'),
                       'authors': [a.strip() for a in author.split(';')] if author else []}
    return preds, time.process_time() - t0


def score(scorer, gold_path, preds, workdir, tag):
    pred_path = os.path.join(workdir, f'pred-{tag}.jsonl')
    with open(pred_path, 'w', encoding='utf-8') as f:
        for p in preds.values():
            f.write(json.dumps(p, ensure_ascii=False) + '\n')
    p = subprocess.run([sys.executable, scorer, gold_path, pred_path, '--json'],
                       capture_output=True, text=True, check=True)
    return json.loads(p.stdout)['all']


def date_labels(path):
    """{page file: 'YYYY-MM-DD' or None} from tools/html-bench-dates.tsv."""
    labels = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            page, date = line.split('\t')[:2]
            labels[page] = None if date == 'none' else date
    return labels


def date_vs_labels(labels, preds, wrong=None):
    """(right, dated pages, undated pages given a date); wrong collects the misses."""
    right = dated = invented = 0
    for page, date in labels.items():
        got = (preds.get(page, {}).get('published') or '')[:10]
        if date is None:
            invented += bool(got)
            continue
        dated += 1
        if got == date:
            right += 1
        elif wrong is not None:
            wrong.append((page, date, got or '-'))
    return right, dated, invented


def newspaper_gold(shared, workdir):
    """The newspaper4k pages as a gold file for score.py (title, date, authors, body)."""
    base = os.path.join(shared, 'html')
    rows = []
    for name in sorted(os.listdir(os.path.join(base, 'html'))):
        stem = name.rsplit('.', 1)[0]
        meta_path = os.path.join(base, 'metadata', stem + '.json')
        txt_path = os.path.join(base, 'txt', stem + '.txt')
        if not os.path.exists(meta_path) and not os.path.exists(txt_path):
            continue
        meta = {}
        if os.path.exists(meta_path):
            with open(meta_path, encoding='utf-8') as f:
                meta = json.load(f)
        row = {'file': name, 'set': 'newspaper4k', 'url': meta.get('url') or ''}
        if os.path.exists(txt_path):
            with open(txt_path, encoding='utf-8') as f:
                row['body'] = f.read()
        if meta.get('title'):
            row['title'] = meta['title']
        if meta.get('publish_date'):
            row['published'] = str(meta['publish_date'])[:10]
        if meta.get('authors'):
            row['authors'] = meta['authors']
        rows.append(row)
    path = os.path.join(workdir, 'gold-newspaper4k.jsonl')
    with open(path, 'w', encoding='utf-8') as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + '\n')
    return path, rows


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--shared', default=os.path.join(repo, '..', 'shared'))
    ap.add_argument('--newsidx', default=os.path.join(repo, 'target', 'release', 'newsidx'))
    ap.add_argument('--no-trafilatura', action='store_true')
    ap.add_argument('--keep', metavar='DIR', help='keep predictions and scores in DIR')
    args = ap.parse_args()

    bench = os.path.join(args.shared, 'html-bench')
    scorer = os.path.join(bench, 'score.py')
    gold_path = os.path.join(bench, 'gold.jsonl')
    gold = sh_load(gold_path)
    files = [os.path.join(bench, 'pages', g['file']) for g in gold]
    workdir = args.keep or tempfile.mkdtemp(prefix='html-bench-')
    os.makedirs(workdir, exist_ok=True)

    if not args.no_trafilatura:
        try:
            import trafilatura  # noqa: F401
        except ImportError:
            subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', 'trafilatura', 'lxml_html_clean'], check=True)

    systems = {}
    # A newsidx run over the benchmark takes a tenth of a second: the median of five.
    runs = [run_newsidx(args.newsidx, files) for _ in range(5)]
    preds = runs[0][0]
    cpu = sorted(r[2] for r in runs)[2]
    _, skipped, _ = run_newsidx(args.newsidx, files, keep=False)
    systems['newsidx'] = (preds, cpu)
    if not args.no_trafilatura:
        systems['trafilatura'] = run_trafilatura(files)

    n = len(files)
    print(f'ScrapingHub article-extraction benchmark: {n} pages ({bench})')
    labels = date_labels(os.path.join(here, 'html-bench-dates.tsv'))
    print(f'{"system":<12} {"F1":>6} {"P":>6} {"R":>6}  {"date":>13} {"undated→date":>12}  {"pages/s/core":>12}')
    speed = {}
    misses = {}
    for name, (p, cpu) in systems.items():
        s = score(scorer, gold_path, p, workdir, name)
        misses[name] = []
        right, dated, invented = date_vs_labels(labels, p, misses[name])
        speed[name] = n / cpu if cpu > 0 else float('inf')
        print(f'{name:<12} {s["body_f1"]:6.3f} {s["body_precision"]:6.3f} {s["body_recall"]:6.3f}'
              f'  {right:>3}/{dated} {right / dated:5.3f} {invented:>6}/{len(labels) - dated:<5}'
              f'  {speed[name]:12.1f}')
    if 'trafilatura' in speed:
        print(f'newsidx is {speed["newsidx"] / speed["trafilatura"]:.1f}x trafilatura per core')
    print(f'newsidx would skip {len(skipped)} of these article pages as not articles'
          + (f': {", ".join(skipped)}' if skipped else ''))
    # As ingest reads them: skipped pages have no body.
    strict = {k: v for k, v in systems['newsidx'][0].items() if k not in skipped}
    s = score(scorer, gold_path, strict, workdir, 'newsidx-ingest')
    print(f'newsidx as ingest indexes them (skipped pages empty): F1 {s["body_f1"]:.3f}'
          f' P {s["body_precision"]:.3f} R {s["body_recall"]:.3f}')

    np_gold, rows = newspaper_gold(args.shared, workdir)
    np_files = [os.path.join(args.shared, 'html', 'html', r['file']) for r in rows]
    print(f'\nnewspaper4k test pages: {len(rows)} with expected text or metadata '
          f'({sum(1 for r in rows if "body" in r)} texts, {sum(1 for r in rows if "title" in r)} titles, '
          f'{sum(1 for r in rows if "published" in r)} dates, '
          f'{sum(1 for r in rows if "authors" in r)} author lists)')
    print(f'{"system":<12} {"title":>6} {"title~":>6} {"date":>6} {"date cov":>8} {"authors F1":>10} {"body F1":>8}')
    np_systems = {'newsidx': run_newsidx(args.newsidx, np_files)[0]}
    if not args.no_trafilatura:
        np_systems['trafilatura'] = run_trafilatura(np_files)[0]
    for name, p in np_systems.items():
        s = score(scorer, np_gold, p, workdir, 'np-' + name)
        print(f'{name:<12} {s.get("title_exact", 0):6.3f} {s.get("title_norm", 0):6.3f}'
              f' {s.get("date_accuracy", 0):6.3f} {s.get("date_coverage", 0):8.3f}'
              f' {s.get("author_f1", 0):10.3f} {s["body_f1"]:8.3f}')
    print(f'\n(title: exact after collapsing white space; title~: after folding case, accents'
          f' and punctuation; date: the same day as expected, over the pages that have one)')
    print(f'(date: the same day as the label, over the {sum(1 for d in labels.values() if d)} labelled pages'
          f' that carry a date; undated→date: pages labelled "none" given a date anyway)')
    if args.keep:
        with open(os.path.join(workdir, 'date-misses.tsv'), 'w', encoding='utf-8') as f:
            for name, rows in misses.items():
                for page, want, got in rows:
                    f.write(f'{name}\t{page}\t{want}\t{got}\n')
        print(f'predictions in {workdir} (date misses in date-misses.tsv)')


if __name__ == '__main__':
    main()
