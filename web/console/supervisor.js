// The supervisor's screens: the three rates per department (table, chart,
// exports), the hotspots, a search of every ticket and the extension
// requests waiting for a decision. Tickets open in work.js's ticket view,
// whose "back" returns here.
import { $, busy, form, input, select } from '../shared/dom.js';
import { call, download } from '../shared/api.js';
import { t } from '../shared/i18n.js';
import { banner, clearErrors, colon, departmentOptions, el, fieldError, listDepartments, nameOf, paren, show, showError, state as shared } from './core.js';
import { openFrom, ticketItem } from './work.js';

/**
 * @typedef {import('./work.js').Summary} Summary
 * @typedef {'onTimeRate' | 'resolutionRate' | 'satisfactionRate'} RateKey
 * @typedef {{id?: string, name?: string, received: number, due: number, repliedOnTime: number, replied: number,
 *   rated: number, satisfied: number, resolved: number,
 *   onTimeRate: number | null, resolutionRate: number | null, satisfactionRate: number | null}} StatsRow
 * @typedef {{from: string, to: string, departments: StatsRow[], total?: StatsRow}} Stats
 * @typedef {{key: string, name: string, count: number, previousCount: number, change: number}} Hotspot
 * @typedef {{from: string, to: string, by: string, previousFrom: string, previousTo: string, hotspots: Hotspot[]}} Hotspots
 */

const TABS = ['dashboard', 'hotspots', 'search', 'extensions'];
/** @type {(keyof StatsRow)[]} */
const COUNTS = ['received', 'due', 'repliedOnTime', 'replied', 'rated', 'satisfied', 'resolved'];
/** @type {RateKey[]} */
const RATES = ['onTimeRate', 'resolutionRate', 'satisfactionRate'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const SVG = 'http://www.w3.org/2000/svg';
const STATUSES = ['received', 'in_review', 'rejected', 'merged', 'answered', 'dispatched', 'accepted', 'returned', 'replied', 'closed', 'withdrawn'];

/**
 * The screen's data, kept so a language switch or a return from a ticket
 * shows it again without asking the API.
 * @type {{tab: string, from: string, to: string, stats: Stats | null, hotspots: Hotspots | null,
 *   query: string, results: Summary[], cursor: string, searched: boolean, extensions: Summary[], wired: boolean}}
 */
const state = {
  tab: 'dashboard', from: '', to: '', stats: null, hotspots: null,
  query: '', results: [], cursor: '', searched: false, extensions: [], wired: false,
};

/** Today in China, YYYY-MM-DD: the hotline's days are China's. */
function chinaToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** @param {string} day YYYY-MM-DD @param {number} n */
function addDays(day, n) {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** @param {number | null | undefined} r */
const percent = (r) => (r === null || r === undefined ? '—' : (r * 100).toFixed(1) + '%');

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {string} [text]
 */
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** @param {string} id */
const val = (id) => /** @type {HTMLInputElement | HTMLSelectElement} */ ($(id)).value.trim();

/** Opens the supervisor's screens, on the tab last shown. */
export async function open() {
  const s = shared.session;
  if (!s) return;
  if (!state.wired) wire();
  shared.onStale = null;
  shared.onLang = rerender;
  if (!state.from) {
    state.to = chinaToday();
    // The last 30 days, today included.
    state.from = addDays(state.to, -29);
    input('period-from').value = state.from;
    input('period-to').value = state.to;
  }
  show('supervisor');
  fillStatuses();
  void departmentOptions(select('search-department'));
  await selectTab(state.tab, true);
}

/** Back from a ticket: the same tab as it was, the list of requests afresh. */
async function back() {
  show('supervisor');
  shared.onStale = null;
  shared.onLang = rerender;
  banner('');
  if (state.tab === 'extensions') await loadExtensions();
  else rerender();
  $('sup-heading').focus();
}

/** @param {string} id */
function openTicket(id) {
  void openFrom(id, back);
}

/** @param {string} tab @param {boolean} [focus] */
async function selectTab(tab, focus = false) {
  state.tab = TABS.includes(tab) ? tab : 'dashboard';
  for (const b of $('sup-tabs').querySelectorAll('button')) {
    if (/** @type {HTMLElement} */ (b).dataset.tab === state.tab) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  for (const name of TABS) $('sup-' + name).hidden = name !== state.tab;
  const period = state.tab === 'dashboard' || state.tab === 'hotspots';
  form('period-form').hidden = !period;
  $('hotspots-by-field').hidden = state.tab !== 'hotspots';
  $('err-sup').textContent = '';
  if (focus) $('sup-heading').focus();
  if (state.tab === 'dashboard') await loadStats();
  else if (state.tab === 'hotspots') await loadHotspots();
  else if (state.tab === 'extensions') await loadExtensions();
  else renderResults();
}

// --- the period -------------------------------------------------------------

/** Reads the period's inputs; false (and says why) when one is missing. */
function readPeriod() {
  const f = form('period-form');
  clearErrors(f);
  const from = input('period-from').value;
  const to = input('period-to').value;
  if (!from || !to) {
    fieldError(from ? 'err-period-to' : 'err-period-from', t('sup.needDates'));
    return false;
  }
  state.from = from;
  state.to = to;
  return true;
}

const periodQuery = () => 'from=' + encodeURIComponent(state.from) + '&to=' + encodeURIComponent(state.to);

/**
 * Shows a refusal of the period's figures: the period's fields next to
 * their inputs, the rest under the form.
 * @param {unknown} err
 */
function periodError(err) {
  showError(form('period-form'), err, 'err-period', (f) => 'err-period-' + f);
}

// --- dashboard --------------------------------------------------------------

async function loadStats() {
  const s = shared.session;
  if (!s) return;
  try {
    state.stats = /** @type {Stats} */ (await call('GET', '/v1/stats?' + periodQuery(), { token: s.token }));
    await renderStats();
  } catch (err) {
    periodError(err);
  }
}

/** @param {StatsRow} row @param {Map<string, string>} names */
function rowName(row, names) {
  return (row.id && names.get(row.id)) || row.name || row.id || '';
}

async function departmentNames() {
  /** @type {Map<string, string>} */
  const names = new Map();
  for (const d of await listDepartments()) names.set(d.id, nameOf(d));
  return names;
}

async function renderStats() {
  const st = state.stats;
  if (!st) return;
  const names = await departmentNames();
  $('stats-heading').textContent = t('stats.heading', t('sup.period', st.from, st.to));
  /**
   * @param {StatsRow} row
   * @param {string} name
   */
  const tr = (row, name) => {
    const r = document.createElement('tr');
    if (row.id) r.dataset.dept = row.id;
    const th = el('th', name);
    th.setAttribute('scope', 'row');
    /** @type {[string, string][]} */
    const cells = [...COUNTS.map((k) => /** @type {[string, string]} */ ([k, String(row[k] ?? 0)])),
      ...RATES.map((k) => /** @type {[string, string]} */ ([k, percent(row[k])]))];
    r.append(th, ...cells.map(([k, text]) => {
      const td = el('td', text, 'num');
      td.dataset.col = k;
      return td;
    }));
    return r;
  };
  $('stats-rows').replaceChildren(...st.departments.map((row) => tr(row, rowName(row, names))));
  $('stats-total').replaceChildren(...(st.total ? [tr(st.total, t('stats.total'))] : []));
  const total = $('stats-total').querySelector('tr');
  if (total) total.dataset.dept = 'total';
  /** @type {{name: string, row: StatsRow}[]} */
  const charted = [];
  if (st.total) charted.push({ name: t('stats.total'), row: st.total });
  for (const row of st.departments) {
    if (RATES.some((k) => row[k] !== null && row[k] !== undefined)) charted.push({ name: rowName(row, names), row });
  }
  ratesChart(charted);
  $('sup-dashboard').dataset.shown = st.from + '/' + st.to;
}

/**
 * The three rates as horizontal bars, each labelled with its rate and value;
 * the table above holds the same figures for screen readers and copying.
 * @param {{name: string, row: StatsRow}[]} groups
 */
function ratesChart(groups) {
  const box = $('rates-chart');
  if (groups.every((g) => RATES.every((k) => g.row[k] === null || g.row[k] === undefined))) {
    box.replaceChildren(el('p', t('stats.chart.none'), 'hint'));
    return;
  }
  const W = 640;
  const labelW = 110;
  const barMax = 420;
  const barH = 14;
  const step = 20;
  const groupH = 24 + RATES.length * step + 12;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${groups.length * groupH}`, role: 'img', class: 'bars' });
  const summary = [];
  let y = 0;
  for (const g of groups) {
    chart.append(svg('text', { x: 0, y: y + 16, class: 'group' }, g.name));
    const parts = [];
    for (const [i, k] of RATES.entries()) {
      const v = g.row[k];
      const top = y + 24 + i * step;
      chart.append(svg('text', { x: 0, y: top + barH - 2, class: 'label' }, t('stats.short.' + k)));
      const len = v === null || v === undefined ? 0 : Math.max(1, Math.round(v * barMax));
      if (len) chart.append(svg('rect', { x: labelW, y: top, width: len, height: barH, class: 'bar-' + k }));
      chart.append(svg('text', { x: labelW + len + 6, y: top + barH - 2, class: 'value' }, percent(v)));
      parts.push(t('stats.' + k) + ' ' + percent(v));
    }
    summary.push(g.name + colon() + parts.join(', '));
    y += groupH;
  }
  chart.setAttribute('aria-label', t('stats.chart.label', summary.join('; ')));
  box.replaceChildren(chart);
}

// --- hotspots ---------------------------------------------------------------

async function loadHotspots() {
  const s = shared.session;
  if (!s) return;
  try {
    const by = val('hotspots-by');
    state.hotspots = /** @type {Hotspots} */ (await call('GET', '/v1/stats/hotspots?' + periodQuery() + '&by=' + by + '&limit=10', { token: s.token }));
    renderHotspots();
  } catch (err) {
    periodError(err);
  }
}

/** @param {Hotspot} h */
const change = (h) => (h.change > 0 ? t('hot.up', String(h.change)) : h.change < 0 ? t('hot.down', String(-h.change)) : t('hot.same'));

function renderHotspots() {
  const hs = state.hotspots;
  if (!hs) return;
  $('hotspots-heading').textContent = t('hot.heading', t('hot.by.' + hs.by),
    t('sup.period', hs.from, hs.to), t('sup.period', hs.previousFrom, hs.previousTo));
  const list = hs.hotspots;
  $('hotspots-empty').hidden = list.length > 0;
  $('hotspots-list').replaceChildren(...list.map((h) => {
    const li = document.createElement('li');
    li.dataset.key = h.key;
    const head = document.createElement('p');
    head.append(el('strong', h.name || h.key), el('span', paren(h.key), 'meta'));
    const figures = document.createElement('p');
    figures.append(t('hot.count', String(h.count)) + ' · ' + t('hot.previous', String(h.previousCount)) + ' · ',
      el('span', change(h), h.change > 0 ? 'trend up' : 'trend'));
    li.append(head, figures);
    return li;
  }));
  const box = $('hotspots-chart');
  if (!list.length) {
    box.replaceChildren();
    return;
  }
  const W = 640;
  const barMax = 460;
  const rowH = 44;
  const top = Math.max(...list.map((h) => h.count), 1);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${list.length * rowH}`, role: 'img', class: 'bars' });
  list.forEach((h, i) => {
    const y = i * rowH;
    chart.append(svg('text', { x: 0, y: y + 15, class: 'group' }, h.name || h.key));
    const len = Math.max(1, Math.round((h.count / top) * barMax));
    chart.append(svg('rect', { x: 0, y: y + 21, width: len, height: 14, class: h.change > 0 ? 'bar-up' : 'bar-count' }));
    chart.append(svg('text', { x: len + 6, y: y + 33, class: 'value' }, String(h.count) + paren(change(h))));
  });
  chart.setAttribute('aria-label', t('hot.chart.label', list.map((h) => (h.name || h.key) + colon() + h.count + paren(change(h))).join('; ')));
  box.replaceChildren(chart);
}

// --- search -----------------------------------------------------------------

function fillStatuses() {
  const sel = select('search-status');
  const chosen = sel.value;
  const any = /** @type {HTMLOptionElement} */ (sel.options[0]);
  sel.replaceChildren(any, ...STATUSES.map((st) => {
    const o = document.createElement('option');
    o.value = st;
    o.textContent = t('status.' + st);
    return o;
  }));
  sel.value = chosen;
}

/** The search form as a query string (without cursor). */
function searchQuery() {
  const p = new URLSearchParams();
  /** @type {[string, string][]} */
  const fields = [['q', 'search-q'], ['status', 'search-status'], ['departmentId', 'search-department'],
    ['category', 'search-category'], ['region', 'search-region'], ['from', 'search-from'], ['to', 'search-to']];
  for (const [k, id] of fields) if (val(id)) p.set(k, val(id));
  if (input('search-overdue').checked) p.set('overdue', 'true');
  if (input('search-escalated').checked) p.set('escalated', 'true');
  return p.toString();
}

/** Checks what the API would refuse anyway, to say it next to the input. */
function searchValid() {
  clearErrors(form('search-form'));
  const q = val('search-q');
  if (q && [...q].length < 2) {
    fieldError('err-search-q', t('search.qShort'));
    return false;
  }
  return true;
}

/** @param {boolean} more the next page of the same search */
async function runSearch(more) {
  const s = shared.session;
  if (!s) return;
  if (!more) {
    if (!searchValid()) return;
    state.query = searchQuery();
    state.results = [];
    state.cursor = '';
  }
  banner('');
  try {
    const q = state.query + (more && state.cursor ? (state.query ? '&' : '') + 'cursor=' + encodeURIComponent(state.cursor) : '');
    const got = await call('GET', '/v1/tickets' + (q ? '?' + q : ''), { token: s.token });
    state.results = state.results.concat(got.tickets || []);
    state.cursor = got.nextCursor || '';
    state.searched = true;
    renderResults();
    if (!more) $('results-heading').focus();
  } catch (err) {
    showError(form('search-form'), err, 'err-search', (f) => 'err-search-' + f);
  }
}

function renderResults() {
  $('results-heading').hidden = !state.searched;
  $('results-heading').textContent = !state.results.length && !state.cursor
    ? t('search.none')
    : t(state.cursor ? 'search.resultsMore' : 'search.results', String(state.results.length));
  $('search-results').replaceChildren(...state.results.map((tk) => ticketItem(tk, openTicket, tk.escalated ? [[t('list.escalated'), true]] : [])));
  $('search-more').hidden = !state.cursor;
}

/** A quick search: only escalated, or only overdue, tickets. @param {'escalated' | 'overdue'} which */
function quick(which) {
  form('search-form').reset();
  input('search-' + which).checked = true;
  return runSearch(false);
}

// --- extension requests -----------------------------------------------------

/** The review queue's extension requests; the queue is paged, so every page is read. */
async function loadExtensions() {
  const s = shared.session;
  if (!s) return;
  try {
    /** @type {Summary[]} */
    const found = [];
    let cursor = '';
    // A bound, so a queue that keeps growing cannot keep the page busy.
    for (let i = 0; i < 20; i++) {
      const got = await call('GET', '/v1/review-queue' + (cursor ? '?cursor=' + encodeURIComponent(cursor) : ''), { token: s.token });
      found.push(...(got.tickets || []).filter((/** @type {Summary} */ tk) => tk.extensionRequested));
      cursor = got.nextCursor || '';
      if (!cursor) break;
    }
    state.extensions = found;
    renderExtensions();
  } catch (err) {
    showError($('supervisor'), err, 'err-sup', () => '');
  }
}

function renderExtensions() {
  $('extensions-list').replaceChildren(...state.extensions.map((tk) => ticketItem(tk, openTicket, [[t('extdec.heading'), true]])));
  $('extensions-empty').hidden = state.extensions.length > 0;
}

// --- exports ----------------------------------------------------------------

/**
 * Fetches an export with the session's token and saves it as a download.
 * @param {HTMLElement} button
 * @param {string} path without the format
 * @param {'csv' | 'xlsx'} kind
 * @param {string} fallback the file's name when the API gives none
 * @param {HTMLElement} scope where a refusal is shown
 * @param {string} errId
 * @param {(field: string) => string} errIdOf
 */
function exportFile(button, path, kind, fallback, scope, errId, errIdOf) {
  const s = shared.session;
  if (!s) return;
  return busy(button, async () => {
    banner('');
    try {
      // CSV by content negotiation; XLSX by format=, as a link would ask.
      const url = kind === 'xlsx' ? path + (path.includes('?') ? '&' : '?') + 'format=xlsx' : path;
      const got = await download(url, { token: s.token, accept: kind === 'xlsx' ? XLSX : 'text/csv', fallback: fallback + '.' + kind });
      const href = URL.createObjectURL(got.blob);
      const a = document.createElement('a');
      a.href = href;
      a.download = got.name;
      a.hidden = true;
      document.body.append(a);
      a.click();
      a.remove();
      // The download has its own copy once it started.
      setTimeout(() => URL.revokeObjectURL(href), 60_000);
      banner(t('export.done', got.name));
    } catch (err) {
      showError(scope, err, errId, errIdOf);
    }
  });
}

// --- language and wiring ----------------------------------------------------

function rerender() {
  if (shared.view !== 'supervisor') return;
  fillStatuses();
  void departmentOptions(select('search-department'));
  void renderStats();
  renderHotspots();
  renderResults();
  renderExtensions();
}

function wire() {
  state.wired = true;
  for (const b of $('sup-tabs').querySelectorAll('button')) {
    b.addEventListener('click', () => {
      // The last message was about the screen left.
      banner('');
      return selectTab(/** @type {HTMLElement} */ (b).dataset.tab || 'dashboard');
    });
  }
  form('period-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!readPeriod()) return;
    return busy($('period-submit'), () => (state.tab === 'hotspots' ? loadHotspots() : loadStats()));
  });
  $('hotspots-by').addEventListener('change', () => {
    if (readPeriod()) void loadHotspots();
  });
  const periodScope = () => form('period-form');
  const periodErr = (/** @type {string} */ f) => 'err-period-' + f;
  /** @param {string} id @param {'csv' | 'xlsx'} kind @param {() => string} path @param {string} name */
  const exporter = (id, kind, path, name) => $(id).addEventListener('click', () => {
    if (readPeriod()) void exportFile($(id), path(), kind, name, periodScope(), 'err-period', periodErr);
  });
  exporter('stats-csv', 'csv', () => '/v1/stats?' + periodQuery(), 'stats');
  exporter('stats-xlsx', 'xlsx', () => '/v1/stats?' + periodQuery(), 'stats');
  const hot = () => '/v1/stats/hotspots?' + periodQuery() + '&by=' + val('hotspots-by') + '&limit=10';
  exporter('hotspots-csv', 'csv', hot, 'hotspots');
  exporter('hotspots-xlsx', 'xlsx', hot, 'hotspots');

  form('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    return busy($('search-submit'), () => runSearch(false));
  });
  $('search-more').addEventListener('click', () => busy($('search-more'), () => runSearch(true)));
  $('quick-escalated').addEventListener('click', () => busy($('quick-escalated'), () => quick('escalated')));
  $('quick-overdue').addEventListener('click', () => busy($('quick-overdue'), () => quick('overdue')));
  for (const kind of /** @type {('csv' | 'xlsx')[]} */ (['csv', 'xlsx'])) {
    $('search-' + kind).addEventListener('click', () => {
      if (!searchValid()) return;
      const q = searchQuery();
      void exportFile($('search-' + kind), '/v1/tickets' + (q ? '?' + q : ''), kind, 'tickets',
        form('search-form'), 'err-search', (f) => 'err-search-' + f);
    });
  }
  $('extensions-refresh').addEventListener('click', () => busy($('extensions-refresh'), loadExtensions));
}
