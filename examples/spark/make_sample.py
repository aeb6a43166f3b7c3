"""Writes a small archive for the Spark check: JSON lines files and web archives
(WARC 1.1, one gzip-compressed with a member per record as crawlers write them, one
plain), made from the articles of the sample corpus in `corpus/`, plus one bad JSON
line that newsidx reports and skips.

    python examples/spark/make_sample.py OUT_DIR
"""

import gzip
import html
import json
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def front_matter(path):
    text = open(path, encoding="utf-8").read()
    m = re.match(r"---\n(.*?)\n---\n(.*)", text, re.S)
    if not m:
        return None
    meta = {}
    for line in m.group(1).splitlines():
        k, _, v = line.partition(":")
        meta[k.strip()] = v.strip().strip('"')
    meta["body"] = m.group(2).strip()
    return meta


def page(a):
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in a["body"].split("\n") if p.strip())
    return (
        f"<!doctype html><html><head><title>{html.escape(a['title'])} | "
        f"{html.escape(a.get('publication', 'News'))}</title>"
        f"<meta property=\"article:published_time\" content=\"{html.escape(a.get('pubDate', ''))}\">"
        f"</head><body><nav><a href=\"/\">Home</a></nav><article><h1>{html.escape(a['title'])}</h1>"
        f"{paras}</article></body></html>"
    ).encode("utf-8")


def record(uri, date, body):
    http = (
        f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    head = (
        f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{abs(hash(uri + date))}>\r\n"
        f"WARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
    ).encode()
    return head + http + b"\r\n\r\n"


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "feeds"), exist_ok=True)
    os.makedirs(os.path.join(out, "crawl"), exist_ok=True)
    wire = open(os.path.join(ROOT, "corpus", "jsonl", "wire.jsonl"), encoding="utf-8").read().splitlines()
    half = len(wire) // 2
    with open(os.path.join(out, "feeds", "wire-1.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(wire[:half]) + "\n")
    with open(os.path.join(out, "feeds", "wire-2.jsonl"), "w", encoding="utf-8") as f:
        # A bad line: reported with its line number and skipped, the rest goes in.
        f.write("\n".join(wire[half:half + 2] + ["{not json"] + wire[half + 2:]) + "\n")
    articles = []
    md = os.path.join(ROOT, "corpus", "markdown")
    for folder, _, files in sorted(os.walk(md)):
        for name in sorted(files):
            if name.endswith(".md"):
                a = front_matter(os.path.join(folder, name))
                if a and a.get("title"):
                    a["uri"] = a.get("url") or f"https://news.example/{name[:-3]}"
                    articles.append(a)
    dates = ["2017-03-20T10:00:00Z", "2017-03-21T10:00:00Z"]
    with open(os.path.join(out, "crawl", "news-1.warc.gz"), "wb") as f:
        for i, a in enumerate(articles[::2]):
            f.write(gzip.compress(record(a["uri"], dates[i % 2], page(a))))
    with open(os.path.join(out, "crawl", "news-2.warc"), "wb") as f:
        for i, a in enumerate(articles[1::2]):
            f.write(record(a["uri"], dates[i % 2], page(a)))
    print(f"{out}: 2 JSON lines files ({len(wire)} lines and a bad one), "
          f"2 web archives ({len(articles)} pages)")


if __name__ == "__main__":
    main()
