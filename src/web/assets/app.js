// The newsidx web page: search, facets, a timeline and an article view over the HTTP
// API of `newsidx serve`. The page's whole state is its URL, with the API's parameter
// names; every render starts from `location.search`, so a link reproduces the page and
// Back and Forward work.
//
// Article text reaches the DOM only as text nodes (textContent, createTextNode), never
// through the HTML parser, so a title like `<script>` shows as written. The server's
// Content-Security-Policy allows no inline script or style; this file and style.css
// are served as files.

const FILTER_KINDS = ['country', 'leader', 'org', 'source'];
const FILTER_LABEL = { country: 'Countries', leader: 'Leaders', org: 'Organisations', source: 'Sources' };
const FILTER_PARAMS = ['country', 'leader', 'org', 'source', 'mentions', 'from', 'to', 'via_place'];
const SEARCH_PARAMS = ['q', ...FILTER_PARAMS, 'sort', 'limit', 'offset', 'snippets', 'snippet_chars', 'all'];
const TIMELINE_PARAMS = ['q', ...FILTER_PARAMS];
// Page parameters that the search API does not take.
const ARTICLE = 'article';
const DEFAULT_LIMIT = 10;
const DEFAULT_SNIPPETS = 3;
const TOKEN_KEY = 'newsidx-token';

const $ = (sel) => document.querySelector(sel);
const main = $('#main');
const qInput = $('#q');
let renderSeq = 0;
let inflight = null;
let statsCache = null;
let selected = -1;

// ---------------------------------------------------------------- DOM helpers

/** An element with attributes and children; strings become text nodes. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) append(e, c);
  return e;
}

function append(parent, c) {
  if (c === null || c === undefined || c === false) return;
  if (Array.isArray(c)) c.forEach((x) => append(parent, x));
  else if (c instanceof Node) parent.appendChild(c);
  else parent.appendChild(document.createTextNode(String(c)));
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  for (const c of children) append(e, c);
  return e;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// ---------------------------------------------------------------- text offsets

/**
 * The API gives byte offsets into UTF-8 text; JS strings index UTF-16 units. Returns a
 * function from a byte offset to a string index (an offset inside a character maps to
 * the character's start; past the end, to the end).
 */
function byteIndex(s) {
  const starts = [];
  let bytes = 0;
  for (let i = 0; i < s.length;) {
    const cp = s.codePointAt(i);
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < n; k++) starts.push(i);
    bytes += n;
    i += cp > 0xffff ? 2 : 1;
  }
  return (b) => (b >= bytes ? s.length : b <= 0 ? 0 : starts[b]);
}

/**
 * Text with spans marked: `spans` are {start, end, cls, title, key} in string indices,
 * may overlap; each stretch of text is one <mark> carrying every span over it.
 * `onMark(mark, spansOver)` lets the caller remember marks.
 */
function annotate(text, spans, onMark) {
  const frag = document.createDocumentFragment();
  const good = spans.filter((s) => s.end > s.start && s.start >= 0 && s.end <= text.length);
  if (!good.length) {
    frag.appendChild(document.createTextNode(text));
    return frag;
  }
  const cuts = new Set([0, text.length]);
  for (const s of good) { cuts.add(s.start); cuts.add(s.end); }
  const points = [...cuts].sort((a, b) => a - b);
  let prev = null;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    const over = good.filter((s) => s.start <= a && s.end >= b);
    const piece = text.slice(a, b);
    if (!over.length) {
      frag.appendChild(document.createTextNode(piece));
      prev = null;
      continue;
    }
    const sig = over.map((s) => s.id).join(',');
    if (prev && prev.sig === sig) {
      prev.mark.appendChild(document.createTextNode(piece));
      continue;
    }
    const classes = [...new Set(over.map((s) => s.cls))];
    const titles = [...new Set(over.map((s) => s.title).filter(Boolean))];
    const mark = el('mark', { class: classes.join(' '), title: titles.join('\n') || null }, piece);
    if (onMark) onMark(mark, over);
    frag.appendChild(mark);
    prev = { sig, mark };
  }
  return frag;
}

/** Text with byte-offset highlight pairs ([[start, end], …]) as <mark>s. */
function highlighted(text, pairs) {
  const at = byteIndex(text);
  const spans = (pairs || []).map(([s, e], i) => ({ id: i, start: at(s), end: at(e), cls: 'hl' }));
  return annotate(text, spans);
}

// ---------------------------------------------------------------- URL state

function current() {
  return new URLSearchParams(location.search);
}

function pick(p, names) {
  const out = new URLSearchParams();
  for (const name of names) for (const v of p.getAll(name)) if (v !== '') out.append(name, v);
  return out;
}

function href(p) {
  const s = p.toString();
  return s ? '/?' + s : '/';
}

/** The search's URL parameters without the article and the page. */
function searchState(p) {
  const s = pick(p, [...SEARCH_PARAMS, 'by']);
  return s;
}

function withFilter(p, kind, value, on) {
  const n = searchState(p);
  n.delete('offset');
  const rest = n.getAll(kind).filter((v) => v.toLowerCase() !== value.toLowerCase());
  n.delete(kind);
  rest.forEach((v) => n.append(kind, v));
  if (on) n.append(kind, value);
  return n;
}

function hasValue(p, kind, value) {
  return p.getAll(kind).some((v) => v.toLowerCase() === value.toLowerCase());
}

function navigate(url, replace) {
  const target = new URL(url, location.href);
  if (target.origin !== location.origin) return false;
  // Remember where the reader was, for Back.
  history.replaceState({ scroll: window.scrollY, selected }, '');
  if (replace) history.replaceState(null, '', target.pathname + target.search);
  else history.pushState(null, '', target.pathname + target.search);
  render({ top: true });
  return true;
}

// Links to pages of this site change the URL and render, without reloading.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  // Attributes, not properties: the timeline's links are SVG elements.
  if (!a || a.getAttribute('target') || a.hasAttribute('download')) return;
  const url = new URL(a.getAttribute('href'), location.href);
  if (url.origin !== location.origin || url.pathname !== '/') return;
  e.preventDefault();
  navigate(url.href);
});

window.addEventListener('popstate', (e) => {
  const st = e.state || {};
  render({ scroll: st.scroll ?? 0, selected: st.selected });
});

// ---------------------------------------------------------------- the API

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, signal) {
  const headers = { Accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  let res;
  try {
    res = await fetch(path, { signal, headers });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'unreachable', 'The newsidx server cannot be reached. Is `newsidx serve` still running?');
  }
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const e = body && body.error;
    const message = (e && (e.message || (typeof e === 'string' ? e : ''))) || text.trim() || res.statusText;
    throw new ApiError(res.status, (e && e.code) || '', message);
  }
  if (body === null) throw new ApiError(res.status, 'bad_json', 'The server answered with something that is not JSON.');
  return body;
}

function articlePath(id) {
  return '/api/articles/' + encodeURIComponent(id);
}

// ---------------------------------------------------------------- rendering

function setState(state, note) {
  main.dataset.state = state;
  main.setAttribute('aria-busy', state === 'loading' ? 'true' : 'false');
  $('#status').textContent = note || '';
}

async function render(opts = {}) {
  const seq = ++renderSeq;
  if (inflight) inflight.abort();
  inflight = new AbortController();
  const signal = inflight.signal;
  const p = current();
  syncForms(p);
  hideNotice();
  const id = p.get(ARTICLE);
  main.dataset.view = id !== null ? 'article' : 'search';
  $('#search-view').hidden = id !== null;
  $('#article-view').hidden = id === null;
  setState('loading', id !== null ? 'Loading the article…' : 'Searching…');
  const live = () => seq === renderSeq;
  try {
    if (id !== null) await renderArticle(id, p, signal, live);
    else await renderSearch(p, signal, live, opts);
  } catch (err) {
    if (err.name === 'AbortError' || !live()) return;
    showError(err, p);
    return;
  }
  if (!live()) return;
  if (opts.scroll !== undefined && opts.scroll !== null) window.scrollTo(0, opts.scroll);
  else if (opts.top) window.scrollTo(0, 0);
}

function syncForms(p) {
  if (document.activeElement !== qInput || qInput.value === '') qInput.value = p.get('q') || '';
  $('#from').value = p.get('from') || '';
  $('#to').value = p.get('to') || '';
  $('#sort').value = p.get('sort') || '';
  $('#all').checked = ['true', '1', 'yes', 'on', ''].includes((p.get('all') ?? 'no').toLowerCase());
}

// ---------------------------------------------------------------- search view

async function renderSearch(p, signal, live, opts) {
  const q = p.get('q') || '';
  document.title = q ? `${q} — newsidx` : 'newsidx';
  const sp = pick(p, SEARCH_PARAMS);
  if (!sp.has('snippets')) sp.set('snippets', String(DEFAULT_SNIPPETS));
  sp.set('facets', 'true');
  $('#results').classList.add('stale');
  const searchP = api('/api/search?' + sp, signal);
  const timelineP = timelineData(p, signal);
  // The timeline never holds up the results; its failure is shown in its own place.
  timelineP.catch(() => {});
  const data = await searchP;
  if (!live()) return;
  $('#results').classList.remove('stale');
  renderResults(data, p);
  renderFacets(data.facets, p);
  renderActiveFilters(p);
  const full = data.total || 0;
  const partial = data.partial_total || 0;
  if (!data.hits.length) {
    setState('empty', 'No articles match.');
    showEmpty(p, full + partial, data.limit);
  } else {
    setState('ready', `${full + partial} matches`);
  }
  selected = -1;
  if (opts.selected !== undefined && opts.selected !== null && opts.selected >= 0) select(opts.selected, false);
  try {
    const tl = await timelineP;
    if (live()) renderTimeline(tl, p);
  } catch (err) {
    if (err.name !== 'AbortError' && live()) {
      clear($('#timeline')).append(el('p', { class: 'muted' }, 'Timeline unavailable: ' + err.message));
    }
  }
}

function renderResults(data, p) {
  const hits = clear($('#hits'));
  const offset = data.offset ?? Number(p.get('offset') || 0);
  hits.start = offset + 1;
  for (const h of data.hits) hits.appendChild(hitItem(h, p));
  const full = data.total || 0;
  const partial = data.partial_total || 0;
  const summary = clear($('#summary'));
  if (data.hits.length) {
    const first = offset + 1;
    const last = offset + data.hits.length;
    const parts = [];
    // Entries are stories (near copies folded); the articles they hold come first.
    const stories = data.stories ?? full;
    // Counting stopped at its bound: more match than said.
    const more = data.total_is_lower_bound ? '+' : '';
    const inStories = stories !== full ? ` in ${stories}${more} ${stories === 1 ? 'story' : 'stories'}` : '';
    if (full) parts.push(`${first}–${last} of ${full}${more} ${full === 1 ? 'match' : 'matches'}${inStories}`);
    else parts.push(`${first}–${last}: no article holds every word`);
    // The best partial matches rank among the full ones; the rest follow them all.
    const related = data.hits.some((h) => h.related);
    if (partial) parts.push(`${partial} partial ${partial === 1 ? 'match' : 'matches'} (some of the words${related ? ', or close in meaning' : ''})${full ? ', the best ranked among the full ones, the rest after them' : ''}`);
    // Not counted on this page, but known to follow: said, so the count is not taken
    // for the whole list's.
    else if (data.partial_uncounted) parts.push('partial matches (some of the words) follow them');
    if (data.hits.some((h) => h.similar > 0)) parts.push('near copies folded');
    summary.append(parts.join('; '));
  }
  // Pages count the entries shown: stories, not articles.
  let shownInAll = (data.stories ?? full) + (data.partial_stories ?? partial);
  // Past a bounded count, a full page says there is at least one more.
  const limit = data.limit || Number(p.get('limit')) || DEFAULT_LIMIT;
  const bounded = !!data.total_is_lower_bound && data.hits.length >= limit;
  if (bounded) shownInAll = Math.max(shownInAll, offset + data.hits.length + 1);
  renderPager(p, offset, data.hits.length, shownInAll, limit, bounded);
  // What was searched other than as typed (an unknown field, a corrected word): text
  // from the server, so built with textContent like everything else.
  const notes = clear($('#query-notes'));
  for (const w of data.warnings || []) notes.append(el('p', { class: 'query-note' }, w));
}

function hitItem(h, p) {
  const state = searchState(p);
  const open = new URLSearchParams(state);
  open.set(ARTICLE, h.id);
  const li = el('li', { class: 'hit' + (h.partial ? ' partial' : ''), 'data-article-id': h.id });
  const title = el('a', { class: 'hit-title', href: href(open) });
  title.appendChild(highlighted(h.title || '(untitled)', h.title_highlights));
  li.appendChild(el('h2', {}, title));
  const meta = el('p', { class: 'meta' });
  meta.append(el('time', { datetime: h.published || null }, h.published || 'undated'));
  if (h.source) meta.append(' · ', el('span', { class: 'source' }, h.source));
  if (h.partial) {
    meta.append(' · ', el('span', { class: 'badge' }, h.related ? 'close in meaning' : 'partial match'));
    // The words it lacks, as the user typed them: text, never markup.
    if (h.missing && h.missing.length) meta.append(' ', el('span', { class: 'missing' }, `lacks: ${h.missing.join(', ')}`));
  }
  li.appendChild(meta);
  const tags = el('p', { class: 'tags' });
  for (const [kind, values] of [['country', h.countries], ['leader', h.leaders], ['org', h.orgs]]) {
    for (const v of values || []) {
      const on = hasValue(p, kind, v);
      tags.append(el('a', { class: `tag ${kind}${on ? ' on' : ''}`, href: href(withFilter(p, kind, v, !on)), title: `${on ? 'Remove' : 'Add'} the filter ${kind} = ${v}` }, v), ' ');
    }
  }
  if (tags.childNodes.length) li.appendChild(tags);
  for (const s of h.snippets || []) li.appendChild(snippet(s));
  if (h.similar > 0) li.appendChild(similarToggle(h));
  return li;
}

function snippet(s) {
  const text = s.text || '';
  const p = el('p', { class: 'snippet' });
  const trimmed = text.trimStart();
  if (s.start > 0 && !/^[\p{Lu}"“'‘]/u.test(trimmed)) p.append('…');
  p.appendChild(highlighted(text, s.highlights));
  if (!/[.!?"”]\s*$/.test(text)) p.append('…');
  return p;
}

/** "+N similar": the near copies of a hit, fetched when opened. */
function similarToggle(h) {
  const box = el('div', { class: 'copies' });
  const btn = el('button', { type: 'button', class: 'similar', 'aria-expanded': 'false' }, `+${h.similar} similar`);
  const list = el('ul', { class: 'copy-list', hidden: true });
  btn.addEventListener('click', async () => {
    const open = btn.getAttribute('aria-expanded') !== 'true';
    btn.setAttribute('aria-expanded', String(open));
    list.hidden = !open;
    if (!open || list.dataset.loaded) return;
    list.append(el('li', { class: 'muted' }, 'Loading…'));
    try {
      const doc = await api(articlePath(h.id));
      clear(list);
      list.dataset.loaded = '1';
      const copies = (doc.similar || []).filter((m) => m.id !== h.id);
      for (const m of copies) list.append(el('li', {}, articleLink(m.id, m.title)));
      if (!copies.length) list.append(el('li', { class: 'muted' }, 'No other copies.'));
    } catch (err) {
      clear(list).append(el('li', { class: 'error-text' }, err.message));
    }
  });
  box.append(btn, list);
  return box;
}

function articleLink(id, title) {
  const n = searchState(current());
  n.set(ARTICLE, id);
  return el('a', { href: href(n), 'data-article-id': id }, title || id);
}

function renderPager(p, offset, shown, total, limit, bounded = false) {
  const nav = clear($('#pager'));
  if (!shown || total <= limit) return;
  const page = (off) => {
    const n = searchState(p);
    if (off > 0) n.set('offset', String(off));
    else n.delete('offset');
    return href(n);
  };
  if (offset > 0) nav.append(el('a', { href: page(Math.max(0, offset - limit)), rel: 'prev', class: 'prev' }, '← Previous'));
  const pages = Math.ceil(total / limit);
  nav.append(el('span', { class: 'page-no' }, `page ${Math.floor(offset / limit) + 1} of ${pages}${bounded ? '+' : ''}`));
  if (offset + shown < total) nav.append(el('a', { href: page(offset + limit), rel: 'next', class: 'next' }, 'Next →'));
}

function renderFacets(facets, p) {
  const box = clear($('#facets'));
  if (!facets) return;
  for (const kind of FILTER_KINDS) {
    const values = facets[kind] || [];
    const chosen = p.getAll(kind);
    if (!values.length && !chosen.length) continue;
    const list = el('ul', { class: 'facet-list' });
    const seen = new Set();
    for (const { value, count } of values) {
      seen.add(value.toLowerCase());
      const on = hasValue(p, kind, value);
      const a = el('a', {
        class: 'facet' + (on ? ' on' : ''),
        href: href(withFilter(p, kind, value, !on)),
        'data-kind': kind,
        'data-value': value,
        'aria-current': on ? 'true' : null,
        title: `${on ? 'Remove' : 'Add'} the filter ${kind} = ${value}`,
      }, el('span', { class: 'facet-value' }, value), el('span', { class: 'count' }, String(count)));
      list.append(el('li', {}, a));
    }
    // A chosen value the counts do not list (typed as a name, or beyond the top ten).
    for (const v of chosen) {
      if (seen.has(v.toLowerCase())) continue;
      const a = el('a', { class: 'facet on', href: href(withFilter(p, kind, v, false)), 'data-kind': kind, 'data-value': v, 'aria-current': 'true', title: `Remove the filter ${kind} = ${v}` },
        el('span', { class: 'facet-value' }, v), el('span', { class: 'count' }, '✓'));
      list.append(el('li', {}, a));
    }
    box.append(el('section', { class: 'facet-group', 'data-kind': kind }, el('h3', {}, FILTER_LABEL[kind]), list));
  }
}

function renderActiveFilters(p) {
  const box = clear($('#active-filters'));
  const chips = [];
  for (const kind of [...FILTER_KINDS, 'mentions']) {
    for (const v of p.getAll(kind)) {
      chips.push(el('a', { class: 'chip', href: href(withFilter(p, kind, v, false)), title: 'Remove this filter', 'data-kind': kind, 'data-value': v }, `${kind}: ${v}`, el('span', { 'aria-hidden': 'true' }, ' ×')));
    }
  }
  if (p.get('from') || p.get('to')) {
    const n = searchState(p);
    n.delete('from'); n.delete('to'); n.delete('offset');
    chips.push(el('a', { class: 'chip', href: href(n), title: 'Remove the date range', 'data-kind': 'dates' }, `published ${p.get('from') || '…'} to ${p.get('to') || '…'}`, el('span', { 'aria-hidden': 'true' }, ' ×')));
  }
  if (!chips.length) return;
  box.append(el('h3', {}, 'Filters'), el('p', { class: 'chips' }, chips.map((c) => [c, ' '])));
}

function hideNotice() {
  const n = $('#notice');
  n.hidden = true;
  n.className = '';
  clear(n);
}

function notice(kind, ...children) {
  const n = clear($('#notice'));
  n.className = 'notice ' + kind;
  n.hidden = false;
  append(n, children);
  return n;
}

function showEmpty(p, total, limit) {
  const q = p.get('q') || '';
  clear($('#hits'));
  if (total > 0 && limit === 0) {
    // `limit=0` asks for the counts and facets only.
    notice('empty', el('p', {}, `${total} matches (limit 0: none listed).`));
    return;
  }
  if (total > 0) {
    // Paged past the end.
    const n = searchState(p);
    n.delete('offset');
    notice('empty', el('p', {}, `No articles on this page: ${total} matches in all.`), el('p', {}, el('a', { href: href(n) }, 'Back to the first page')));
    return;
  }
  const tips = [];
  for (const kind of [...FILTER_KINDS, 'mentions']) {
    for (const v of p.getAll(kind)) tips.push(el('li', {}, el('a', { href: href(withFilter(p, kind, v, false)) }, `Search without ${kind}: ${v}`)));
  }
  if (p.get('from') || p.get('to')) {
    const n = searchState(p);
    n.delete('from'); n.delete('to'); n.delete('offset');
    tips.push(el('li', {}, el('a', { href: href(n) }, 'Search every date')));
  }
  const words = q.split(/\s+/).filter(Boolean);
  if (words.length > 1) {
    for (const w of words) {
      const n = searchState(p);
      n.set('q', w);
      n.delete('offset');
      tips.push(el('li', {}, el('a', { href: href(n) }, `Search for “${w}” alone`)));
    }
  }
  notice('empty',
    el('p', { class: 'headline' }, q ? `No articles match “${q}” with these filters.` : 'No articles match these filters.'),
    tips.length ? el('ul', { class: 'suggestions' }, tips) : el('p', {}, 'Check the spelling, or try fewer words.'));
}

// ---------------------------------------------------------------- errors

const UNKNOWN_TAG = /^unknown (country|leader|organisation|source) '(.*)'(?:; closest known: (.*))?$/s;
const KIND_PARAM = { country: 'country', leader: 'leader', organisation: 'org', source: 'source' };

function showError(err, p) {
  clear($('#hits'));
  clear($('#summary'));
  clear($('#pager'));
  $('#results').classList.remove('stale');
  const m = err instanceof ApiError ? UNKNOWN_TAG.exec(err.message) : null;
  if (m) {
    const kind = KIND_PARAM[m[1]];
    const value = m[2];
    const closest = (m[3] || '').split(', ').filter(Boolean);
    setState('unknown-filter', err.message);
    const swap = (to) => {
      const n = withFilter(p, kind, value, false);
      n.append(kind, to);
      return href(n);
    };
    notice('unknown-filter',
      el('p', { class: 'headline' }, `There is no ${m[1]} “${value}” in this archive.`),
      closest.length ? el('p', {}, 'Closest known: ', closest.map((c, i) => [i ? ', ' : '', el('a', { href: swap(c), class: 'suggestion' }, c)])) : null,
      el('p', {}, el('a', { href: href(withFilter(p, kind, value, false)) }, `Search without ${kind}: ${value}`)));
    renderActiveFilters(p);
    clear($('#facets'));
    clear($('#timeline'));
    return;
  }
  if (err instanceof ApiError && err.status === 401) {
    setState('unauthorized', 'This server wants an access token.');
    const input = el('input', { type: 'password', name: 'token', autocomplete: 'current-password', 'aria-label': 'Access token' });
    const form = el('form', { class: 'token-form' }, input, ' ', el('button', { type: 'submit' }, 'Use token'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      render();
    });
    notice('error', el('p', { class: 'headline' }, 'This server wants an access token.'), el('p', {}, 'It is kept for this tab only.'), form);
    return;
  }
  if (err instanceof ApiError && err.code === 'unknown_article') {
    setState('not-found', err.message);
    const n = searchState(p);
    notice('error', el('p', { class: 'headline' }, 'No such article.'), el('p', {}, err.message), el('p', {}, el('a', { href: href(n) }, 'Back to the results')));
    return;
  }
  const invalid = err instanceof ApiError && err.status === 400;
  setState(invalid ? 'invalid' : 'error', err.message);
  const retry = el('button', { type: 'button', class: 'retry' }, 'Try again');
  retry.addEventListener('click', () => render());
  notice('error',
    el('p', { class: 'headline' }, invalid ? 'The search could not be read.' : err.status ? `The server answered with an error (${err.status}).` : 'The server cannot be reached.'),
    el('p', { class: 'error-text' }, err.message),
    invalid ? el('p', {}, el('a', { href: '/' }, 'Start a new search')) : el('p', {}, retry));
}

// ---------------------------------------------------------------- timeline

function parseDate(s, end) {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec((s || '').trim());
  if (!m) return null;
  const y = +m[1];
  if (m[3]) return new Date(Date.UTC(y, +m[2] - 1, +m[3]));
  if (m[2]) return end ? new Date(Date.UTC(y, +m[2], 0)) : new Date(Date.UTC(y, +m[2] - 1, 1));
  return end ? new Date(Date.UTC(y, 11, 31)) : new Date(Date.UTC(y, 0, 1));
}

async function stats(signal) {
  if (!statsCache) statsCache = api('/api/stats', signal).catch((e) => { statsCache = null; throw e; });
  return statsCache;
}

/** The period of the timeline: as the URL says (`by`), else from the dates' span. */
async function timelineData(p, signal) {
  const tp = pick(p, TIMELINE_PARAMS);
  let by = p.get('by');
  if (!['day', 'week', 'month', 'year'].includes(by)) {
    let from = parseDate(p.get('from'), false);
    let to = parseDate(p.get('to'), true);
    if (!from || !to) {
      try {
        const s = await stats(signal);
        from = from || parseDate(s.earliest, false);
        to = to || parseDate(s.latest, true);
      } catch (err) {
        if (err.name === 'AbortError') throw err;
      }
    }
    const days = from && to ? (to - from) / 86400000 : Infinity;
    by = days <= 62 ? 'day' : days <= 550 ? 'week' : 'month';
    tp.set('by', by);
    let data = await api('/api/timeline?' + tp, signal);
    if (by === 'month' && periodsOf(data).filter((r) => r.count > 0).length > 120) {
      tp.set('by', 'year');
      by = 'year';
      data = await api('/api/timeline?' + tp, signal);
    }
    return { by, data };
  }
  tp.set('by', by);
  return { by, data: await api('/api/timeline?' + tp, signal) };
}

function periodsOf(data) {
  return Array.isArray(data) ? data : data.periods || data.rows || [];
}

/** The dates a period covers, as `from` and `to` values. */
function periodRange(period) {
  const w = /^(\d{4})-W(\d{2})$/.exec(period);
  if (w) {
    // ISO week: the week with the year's first Thursday is week 1.
    const jan4 = new Date(Date.UTC(+w[1], 0, 4));
    const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86400000 + (+w[2] - 1) * 7 * 86400000);
    const sunday = new Date(monday.getTime() + 6 * 86400000);
    const d = (x) => x.toISOString().slice(0, 10);
    return [d(monday), d(sunday)];
  }
  return [period, period];
}

// Runs of empty periods longer than this fold into one gap.
const FOLD = 6;

function renderTimeline({ by, data }, p) {
  const box = clear($('#timeline'));
  const rows = periodsOf(data);
  const undated = data.undated || 0;
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi && !rows[lo].count) lo++;
  while (hi >= lo && !rows[hi].count) hi--;
  const head = el('h3', {}, 'Matches per ' + by);
  const byLinks = el('p', { class: 'by' }, ['day', 'week', 'month', 'year'].map((b) => {
    const n = searchState(p);
    n.set('by', b);
    return [el('a', { href: href(n), class: b === by ? 'on' : null, 'aria-current': b === by ? 'true' : null }, b), ' '];
  }));
  box.append(head, byLinks);
  if (lo > hi) {
    box.append(el('p', { class: 'muted' }, undated ? `${undated} matches, none dated.` : 'No dated matches.'));
    return;
  }
  // Slots: a period, or a gap standing for a long run of empty ones.
  const slots = [];
  for (let i = lo; i <= hi;) {
    if (!rows[i].count) {
      let j = i;
      while (j <= hi && !rows[j].count) j++;
      if (j - i > FOLD) {
        slots.push({ gap: j - i, from: rows[i].period, to: rows[j - 1].period });
        i = j;
        continue;
      }
    }
    slots.push(rows[i]);
    i++;
  }
  const max = Math.max(...slots.map((s) => s.count || 0));
  const W = 10;
  const H = 60;
  // A few bars keep a bar's width rather than stretching across the chart.
  const width = Math.max(slots.length, 24) * W;
  const x0 = (width - slots.length * W) / 2;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${H}`, class: 'chart', role: 'group', 'aria-label': `Matches per ${by}`, preserveAspectRatio: 'none' });
  const from = p.get('from');
  const to = p.get('to');
  slots.forEach((s, i) => {
    const x = x0 + i * W;
    if (s.gap) {
      chart.append(svg('g', { class: 'gap' },
        svg('title', {}, `${s.gap} empty periods, ${s.from} to ${s.to}`),
        svg('line', { x1: x + W / 2, y1: H * 0.35, x2: x + W / 2, y2: H, class: 'gap-line' })));
      return;
    }
    const h = s.count ? Math.max(2, (s.count / max) * (H - 4)) : 0;
    const [f, t] = periodRange(s.period);
    const n = searchState(p);
    n.set('from', f);
    n.set('to', t);
    n.delete('offset');
    const on = from === f && to === t;
    const a = svg('a', { href: href(n), class: 'bar' + (on ? ' on' : ''), 'data-period': s.period, 'aria-label': `${s.period}: ${s.count}` },
      svg('title', {}, `${s.period}: ${s.count} ${s.count === 1 ? 'match' : 'matches'} — click to narrow the dates`),
      svg('rect', { x, y: 0, width: W, height: H, class: 'hit-area' }),
      svg('rect', { x: x + 1, y: H - h, width: W - 2, height: h, class: 'fill' }));
    chart.append(a);
  });
  box.append(chart);
  const first = rows[lo].period;
  const last = rows[hi].period;
  box.append(el('p', { class: 'axis' }, el('span', {}, first), el('span', {}, first === last ? '' : last)));
  if (undated) box.append(el('p', { class: 'muted' }, `${undated} undated ${undated === 1 ? 'match' : 'matches'} not shown.`));
}

// ---------------------------------------------------------------- article view

const KIND_NAME = { country: 'country', leader: 'leader', org: 'organisation', date: 'date' };

async function renderArticle(id, p, signal, live) {
  const view = $('#article-view');
  const doc = await api(articlePath(id), signal);
  if (!live()) return;
  document.title = `${doc.title} — newsidx`;
  clear(view);
  const back = searchState(p);
  view.append(el('p', { class: 'back' }, el('a', { href: href(back), class: 'back-link', rel: 'up' }, '← Results')));

  // Every tag and date mention, as spans over the title or the body.
  const tags = [];
  for (const c of doc.countries || []) tags.push({ kind: 'country', key: 'country:' + c.code, label: `${c.code} ${c.name || ''}`.trim(), filter: c.code, via: c.via_place, mentions: c.mentions || [] });
  for (const l of doc.leaders || []) tags.push({ kind: 'leader', key: 'leader:' + l.name, label: l.name, filter: l.name, inferred: l.inferred, mentions: l.mentions || [] });
  for (const o of doc.orgs || []) tags.push({ kind: 'org', key: 'org:' + o.name, label: o.name, filter: o.name, mentions: o.mentions || [] });
  const dates = (doc.dates || []).map((d, i) => ({ kind: 'date', key: 'date:' + i, label: `${d.text} = ${d.value} (${d.granularity})`, value: d.value, granularity: d.granularity, mentions: [d] }));

  const body = doc.body || '';
  const title = doc.title || '';
  const bodyAt = byteIndex(body);
  const titleAt = byteIndex(title);
  const spans = { body: [], title: [] };
  let n = 0;
  for (const t of [...tags, ...dates]) {
    for (const m of t.mentions) {
      const field = m.field === 'title' ? 'title' : 'body';
      const at = field === 'title' ? titleAt : bodyAt;
      spans[field].push({ id: n++, start: at(m.start), end: at(m.end), cls: t.kind, key: t.key, title: `${KIND_NAME[t.kind]}: ${t.label}` });
    }
  }
  const marks = [];
  const remember = (mark, over) => {
    marks.push({ mark, keys: new Set(over.map((s) => s.key)) });
    mark.dataset.tags = [...new Set(over.map((s) => s.key))].join('|');
  };
  const h1 = el('h1', { id: 'article-title' });
  h1.appendChild(annotate(title, spans.title, remember));
  view.append(h1);
  if (doc.subtitle) view.append(el('p', { class: 'subtitle' }, doc.subtitle));
  const meta = el('p', { class: 'meta' }, el('time', { datetime: doc.published || null }, doc.published || 'undated'));
  if (doc.published_from) meta.append(el('span', { class: 'muted' }, ` (from ${doc.published_from})`));
  if (doc.source) meta.append(' · ', doc.source);
  if (doc.authors && doc.authors.length) meta.append(' · ', doc.authors.join(', '));
  const link = safeUrl(doc.url);
  if (link) meta.append(' · ', el('a', { href: link, rel: 'noopener noreferrer nofollow', target: '_blank', class: 'original' }, 'original'));
  view.append(meta, el('p', { class: 'article-id muted' }, doc.id));

  const text = el('div', { id: 'article-body', class: 'body' });
  text.appendChild(annotate(body, spans.body, remember));
  const side = el('aside', { class: 'article-side' });
  view.append(el('div', { class: 'article-grid' }, text, side));

  const legend = el('p', { class: 'legend' }, ['country', 'leader', 'org', 'date'].map((k) => [el('mark', { class: k }, KIND_NAME[k]), ' ']));
  side.append(legend);
  const focus = (key, btn) => {
    const on = btn.getAttribute('aria-pressed') !== 'true';
    for (const b of side.querySelectorAll('[aria-pressed="true"]')) b.setAttribute('aria-pressed', 'false');
    for (const m of marks) m.mark.classList.toggle('focus', on && m.keys.has(key));
    btn.setAttribute('aria-pressed', String(on));
    const firstMark = on && marks.find((m) => m.keys.has(key));
    if (firstMark) firstMark.mark.scrollIntoView({ block: 'center', behavior: 'smooth' });
  };
  for (const kind of ['country', 'leader', 'org']) {
    const mine = tags.filter((t) => t.kind === kind);
    if (!mine.length) continue;
    const list = el('ul', { class: 'tag-list' });
    for (const t of mine) {
      const btn = el('button', { type: 'button', class: `tag-focus ${kind}`, 'aria-pressed': 'false', title: 'Show where the article says it' }, t.label, el('span', { class: 'count' }, `×${t.mentions.length}`));
      btn.addEventListener('click', () => focus(t.key, btn));
      const search = new URLSearchParams();
      search.append(kind, t.filter);
      const extra = t.via ? el('span', { class: 'muted' }, ' via a place') : t.inferred ? el('span', { class: 'muted' }, ' inferred') : null;
      list.append(el('li', {}, btn, extra, ' ', el('a', { href: href(search), class: 'filter-link', title: `Articles with ${kind} = ${t.filter}` }, 'articles →')));
    }
    side.append(el('section', { class: 'tag-group', 'data-kind': kind }, el('h3', {}, FILTER_LABEL[kind]), list));
  }
  if (dates.length) {
    const list = el('ul', { class: 'date-list' });
    for (const d of dates) {
      const m = d.mentions[0];
      const btn = el('button', { type: 'button', class: 'tag-focus date', 'aria-pressed': 'false', title: 'Show where the article says it' }, `“${m.text}”`);
      btn.addEventListener('click', () => focus(d.key, btn));
      const search = new URLSearchParams({ mentions: d.value });
      list.append(el('li', {}, btn, ' = ', el('a', { href: href(search), class: 'date-value', title: `Articles that mention ${d.value}` }, d.value), el('span', { class: 'muted' }, ` ${d.granularity}`)));
    }
    side.append(el('section', { class: 'tag-group', 'data-kind': 'date' }, el('h3', {}, 'Dates mentioned'), list));
  }
  const copies = (doc.similar || []).filter((m) => m.id !== doc.id);
  if (copies.length) {
    side.append(el('section', { class: 'near-copies' }, el('h3', {}, 'Near copies'), el('ul', {}, copies.map((m) => el('li', {}, articleLink(m.id, m.title))))));
  }
  const similar = el('section', { class: 'similar-articles' }, el('h3', {}, 'Similar articles'), el('p', { class: 'muted' }, 'Loading…'));
  side.append(similar);
  setState('ready', doc.title);
  try {
    const sim = await api(articlePath(id) + '/similar?limit=5', signal);
    if (!live()) return;
    const hits = Array.isArray(sim) ? sim : sim.hits || [];
    similar.replaceChildren(el('h3', {}, 'Similar articles'),
      hits.length ? el('ul', {}, hits.map((h) => el('li', {}, articleLink(h.id, h.title), el('span', { class: 'muted' }, ` ${h.published || 'undated'}${h.source ? ' · ' + h.source : ''}`))))
        : el('p', { class: 'muted' }, 'None found.'));
  } catch (err) {
    if (err.name === 'AbortError' || !live()) return;
    similar.replaceChildren(el('h3', {}, 'Similar articles'), el('p', { class: 'error-text' }, err.message));
  }
}

function safeUrl(u) {
  if (!u) return null;
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- forms and keys

$('#search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const n = searchState(current());
  n.delete('offset');
  const q = qInput.value.trim();
  if (q) n.set('q', q);
  else n.delete('q');
  navigate(href(n));
});

$('#refine').addEventListener('submit', (e) => {
  e.preventDefault();
  applyRefine();
});
for (const id of ['#sort', '#all']) $(id).addEventListener('change', applyRefine);
for (const id of ['#from', '#to']) {
  $(id).addEventListener('change', (e) => {
    if (e.target.checkValidity()) applyRefine();
  });
}

function applyRefine() {
  const n = searchState(current());
  n.delete('offset');
  for (const name of ['from', 'to']) {
    const input = $('#' + name);
    const v = input.value.trim();
    if (v && !input.checkValidity()) {
      input.reportValidity();
      return;
    }
    if (v) n.set(name, v);
    else n.delete(name);
  }
  const sort = $('#sort').value;
  if (sort) n.set('sort', sort);
  else n.delete('sort');
  if ($('#all').checked) n.set('all', 'true');
  else n.delete('all');
  navigate(href(n));
}

function hitItems() {
  return [...document.querySelectorAll('#hits > li.hit')];
}

function select(i, focus = true) {
  const items = hitItems();
  if (!items.length) return;
  selected = Math.max(0, Math.min(items.length - 1, i));
  items.forEach((li, k) => li.classList.toggle('selected', k === selected));
  const li = items[selected];
  li.scrollIntoView({ block: 'nearest' });
  if (focus) li.querySelector('a.hit-title').focus({ preventScroll: true });
}

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  const typing = t instanceof HTMLElement && (t.isContentEditable || t.matches('input, textarea, select'));
  if (typing) {
    if (t === qInput && e.key === 'ArrowDown' && main.dataset.view === 'search' && hitItems().length) {
      e.preventDefault();
      select(0);
    } else if (e.key === 'Escape') {
      t.blur();
    }
    return;
  }
  if (e.key === '/') {
    e.preventDefault();
    qInput.focus();
    qInput.select();
    return;
  }
  if (main.dataset.view === 'article') {
    if (e.key === 'Escape') {
      const back = $('#article-view .back-link');
      if (back) back.click();
    }
    return;
  }
  if (e.key === 'j' || e.key === 'ArrowDown') {
    e.preventDefault();
    select(selected + 1);
  } else if (e.key === 'k' || e.key === 'ArrowUp') {
    e.preventDefault();
    select(selected <= 0 ? 0 : selected - 1);
  } else if (e.key === 'Enter' && selected >= 0) {
    // A focused link opens by itself; otherwise open the selected hit.
    if (t instanceof HTMLAnchorElement) return;
    e.preventDefault();
    const a = hitItems()[selected]?.querySelector('a.hit-title');
    if (a) a.click();
  }
});

history.scrollRestoration = 'manual';
render();
