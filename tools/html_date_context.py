#!/usr/bin/env python3
"""Print what a reader sees about a page's publication date, to label it by hand.

Usage:  tools/html_date_context.py PAGE.html [PAGE.html ...] [--url-from GOLD.jsonl]

For each page: its url (from the benchmark's gold file when given), the date-like
<meta> tags, JSON-LD dates, <time> elements, and the visible text around date-like
strings, headline first (the text from the <h1> on, then the text before it). It
prints what is on the page and decides nothing: the label is the reader's.
Used to write tools/html-bench-dates.tsv (see README, "Web pages").
"""
import json
import re
import sys

import lxml.html

MONTHS = ('jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|'
          'april|june|july|august|september|october|november|december|'
          'janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro|'
          'gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|'
          'januari|februari|maret|mei|juni|juli|agustus|oktober|desember|'
          'января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря')
DATE_LIKE = re.compile(
    r'(?i)(\b(?:%s)\.?\s+\d{1,2}\b|\b\d{1,2}\.?\s+(?:de\s+)?(?:%s)\b|\b(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}'
    r'|\b\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d\d\b|\d{4}\s*년|\d{4}\s*年|\b\d+\s+(?:hours?|days?|minutes?)\s+ago'
    r'|\b(?:published|updated|posted)\b)' % (MONTHS, MONTHS))


def visible_text(root):
    for bad in root.xpath('//script|//style|//noscript|//template'):
        bad.drop_tree()
    return root


def main():
    args = sys.argv[1:]
    urls = {}
    if '--url-from' in args:
        i = args.index('--url-from')
        with open(args[i + 1], encoding='utf-8') as f:
            for line in f:
                g = json.loads(line)
                urls[g['file']] = g.get('url', '')
        del args[i:i + 2]
    for path in args:
        name = path.rsplit('/', 1)[-1]
        with open(path, 'rb') as f:
            raw = f.read()
        root = lxml.html.document_fromstring(raw.decode('utf-8', errors='replace'))
        print('=' * 100)
        print(name[:15], urls.get(name, ''))
        metas = []
        for m in root.xpath('//meta'):
            key = (m.get('property') or m.get('name') or m.get('itemprop') or m.get('http-equiv') or '')
            val = m.get('content') or ''
            if re.search(r'(?i)date|time|publish|modified|created|issued', key) and re.search(r'\d', val):
                metas.append('%s=%s' % (key, val[:25]))
        if metas:
            print('  meta', '; '.join(dict.fromkeys(metas)))
        lds = []
        for s in root.xpath('//script[@type="application/ld+json"]'):
            for k, v in re.findall(r'"(date\w*|uploadDate)"\s*:\s*"([^"]*)"', s.text or ''):
                lds.append('%s=%s' % (k, v[:25]))
        if lds:
            print('  ld  ', '; '.join(dict.fromkeys(lds)))
        for el in root.xpath('//*[@itemprop]'):
            ip = el.get('itemprop')
            if re.search(r'(?i)date', ip) and el.tag != 'meta':
                print('  item', ip, el.tag, el.get('datetime') or el.get('content') or '',
                      '|', ' '.join(el.text_content().split())[:50])
        for t in root.xpath('//time')[:6]:
            print('  time', t.get('datetime') or '', '|', ' '.join(t.text_content().split())[:60])
        visible_text(root)
        body = root.find('body')
        text = ' '.join((body if body is not None else root).text_content().split())
        h1 = root.xpath('//h1')
        h1t = ' '.join(h1[0].text_content().split()) if h1 else ''
        pos = text.find(h1t[:40]) if h1t else -1
        print('  h1  ', h1t[:90], '@', pos, '/', len(text))
        order = []
        for m in DATE_LIKE.finditer(text):
            order.append(m.start())
        if pos >= 0:
            order = [o for o in order if o >= pos] + [o for o in order if o < pos]
        shown, last = 0, -1000
        for o in order:
            if abs(o - last) < 80:
                continue
            last = o
            print('  txt %6d: %s' % (o, text[max(0, o - 70):o + 70]))
            shown += 1
            if shown >= 7:
                break


if __name__ == '__main__':
    main()
