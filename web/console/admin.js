// The admin's screens: departments, the category tree, routing rules and
// the working-day calendar, each one document of the catalog. Every read
// keeps the catalog's version (ETag) and every save names it (If-Match), so
// an edit never overwrites a change the admin has not seen: on a 412 the
// page says so, keeps the edit and shows what is stored now.
import { $, busy, input, select, form } from '../shared/dom.js';
import { ApiError, callWithETag } from '../shared/api.js';
import { lang, strings, t, translate } from '../shared/i18n.js';
import { banner, clearErrors, colon, el, fieldError, listDepartments, paren, show, showError, state as shared } from './core.js';
import { adminStrings } from './admin-strings.js';

Object.assign(strings.zh, adminStrings.zh);
Object.assign(strings.en, adminStrings.en);

/**
 * @typedef {import('./core.js').Department} Department
 * @typedef {{acceptHours: number, replyWorkingDays?: number, replyHours?: number}} ServiceLevel
 * @typedef {{code: string, name: string, nameEn?: string, types?: string[], serviceLevel?: ServiceLevel,
 *   children?: Category[], [k: string]: unknown}} Category
 * @typedef {{id: string, priority: number, categories?: string[], regions?: string[], involvedUnits?: string[],
 *   keywords?: string[], types?: string[], departmentId: string, coHandlers?: string[], default?: boolean,
 *   serviceLevel?: ServiceLevel}} Rule
 * @typedef {{year: number, holidays: string[], workdays: string[]}} CalendarYear
 * @typedef {'departments' | 'categories' | 'rules' | 'calendar'} Pane
 */

const PANES = /** @type {Pane[]} */ (['departments', 'categories', 'rules', 'calendar']);
const TYPES = ['complaint', 'consultation', 'report', 'suggestion', 'help', 'praise'];

const st = fresh();

/**
 * Each pane's document as read (base), as edited (work) and the catalog
 * version it was read at (etag). conflict is the pane whose save a 412
 * refused, until the admin saves or leaves the edit; stored is what another
 * admin changed, once the latest version is loaded.
 */
function fresh() {
  return {
    /** @type {Pane} */ tab: 'departments',
    /** @type {Pane | null} */ conflict: null,
    /** @type {string[] | null} */ stored: null,
    /** @type {{list: Department[], etag: string, editing: string | null, isNew: boolean, orig: Department | null}} */
    dept: { list: [], etag: '', editing: null, isNew: false, orig: null },
    /** @type {{base: Category[], work: Category[], etag: string, sel: number[] | null}} */
    cat: { base: [], work: [], etag: '', sel: null },
    /** @type {{base: Rule[], work: Rule[], etag: string, sel: number}} */
    rule: { base: [], work: [], etag: '', sel: -1 },
    /** @type {{years: number[], missing: number[], etag: string, base: CalendarYear | null, work: CalendarYear | null}} */
    cal: { years: [], missing: [], etag: '', base: null, work: null },
  };
}

/** @param {Pane} p */
const paneOf = (p) => (p === 'departments' ? st.dept : p === 'categories' ? st.cat : p === 'rules' ? st.rule : st.cal);

let wired = false;
/** Leaves added on this page: their code can still be typed. */
const added = new WeakSet();

/** Opens the admin's screens, at the departments. */
export async function open() {
  const s = shared.session;
  if (!s) return;
  if (!wired) wire();
  // A new sign-in starts from what is stored, not from the last one's edits.
  Object.assign(st, fresh());
  conflict(null);
  closeDeptForm();
  form('adm-cal-form').hidden = true;
  translate($('admin'));
  shared.onStale = null;
  shared.onLang = rerender;
  show('admin');
  await openTab(st.tab, false);
  $('admin-heading').focus();
}

/** @returns {string} */
function token() {
  return shared.session?.token || '';
}

/** @param {unknown} v @returns {any} a deep copy of a JSON document */
const copy = (v) => JSON.parse(JSON.stringify(v));
/** @param {unknown} a @param {unknown} b */
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// --- tabs ---------------------------------------------------------------------

/** @param {Pane} tab @param {boolean} focus */
async function openTab(tab, focus) {
  st.tab = tab;
  // The last message was about the last screen.
  if (focus) banner('');
  for (const b of $('admin-tabs').querySelectorAll('button')) {
    if (/** @type {HTMLElement} */ (b).dataset.tab === tab) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  for (const p of PANES) $('adm-' + p).hidden = p !== tab;
  $('err-admin').textContent = '';
  showConflict();
  try {
    // A pane with unsaved edits keeps them; the others are read afresh.
    if (tab === 'departments' && st.dept.editing === null) await loadDepartments();
    if (tab === 'categories' && (!st.cat.etag || same(st.cat.base, st.cat.work))) await loadCategories();
    if (tab === 'rules' && (!st.rule.etag || same(st.rule.base, st.rule.work))) await loadRules();
    if (tab === 'calendar') await loadCoverage();
  } catch (err) {
    showError($('admin'), err, 'err-admin', () => '');
  }
  render();
  if (focus) /** @type {HTMLElement} */ ($('adm-' + tab).querySelector('h3'))?.focus();
}

function render() {
  if (st.tab === 'departments') renderDepartments();
  if (st.tab === 'categories') renderCategories();
  if (st.tab === 'rules') renderRules();
  if (st.tab === 'calendar') renderCalendar();
}

function rerender() {
  if (shared.view !== 'admin') return;
  // Messages were in the other language; saving again says them anew.
  clearErrors($('admin'));
  for (const e of $('admin').querySelectorAll('tr.err-row')) /** @type {HTMLElement} */ (e).hidden = true;
  render();
  if (st.tab === 'departments' && st.dept.editing !== null) deptFormHeading();
  if (st.tab === 'categories') fillCatForm();
  if (st.tab === 'rules') fillRuleForm();
  showConflict();
}

/**
 * After this page saved, the panes read at the version it replaced are
 * still current: only this page's change came between.
 * @param {string} before @param {string} after
 */
function advance(before, after) {
  if (!after) return;
  for (const p of [st.dept, st.cat, st.rule, st.cal]) if (p.etag === before) p.etag = after;
}

// --- saving and conflicts -----------------------------------------------------

/**
 * Saves a pane's document with If-Match the version it was read at. The
 * version is the whole catalog's: when a 412 comes from a change elsewhere
 * in it (what this pane edits is as it was read), nothing unseen would be
 * overwritten, so the save goes again at the new version; otherwise the 412
 * is the caller's to show.
 * @param {Pane} pane @param {string} path @param {unknown} body
 * @returns {Promise<{data: any, etag: string}>}
 */
async function put(pane, path, body) {
  const p = paneOf(pane);
  for (let attempt = 0; ; attempt++) {
    const sent = p.etag;
    try {
      const got = await callWithETag('PUT', path, { body, token: token(), headers: { 'If-Match': sent } });
      advance(sent, got.etag);
      return got;
    } catch (err) {
      if (attempt > 0 || !(err instanceof ApiError) || err.status !== 412 || !(await unchangedSince(pane))) throw err;
    }
  }
}

/**
 * Whether what the pane edits is stored as it was read; if so, the pane
 * takes the catalog's current version.
 * @param {Pane} pane @returns {Promise<boolean>}
 */
async function unchangedSince(pane) {
  if (pane === 'departments') {
    const got = await callWithETag('GET', '/v1/departments', { token: token() });
    const id = st.dept.editing;
    /** @type {Department[]} */
    const now = got.data.departments || [];
    const was = st.dept.list.find((d) => d.id === id) || null;
    if (!same(was, now.find((d) => d.id === id) || null)) return false;
    st.dept.etag = got.etag;
    return true;
  }
  if (pane === 'categories' || pane === 'rules') {
    const got = await callWithETag('GET', pane === 'rules' ? '/v1/admin/routing-rules' : '/v1/admin/categories', { token: token() });
    const p = pane === 'rules' ? st.rule : st.cat;
    if (!same(p.base, pane === 'rules' ? got.data.routingRules : got.data.categories)) return false;
    p.etag = got.etag;
    return true;
  }
  const w = st.cal.work;
  if (!w) return false;
  const base = st.cal.base;
  const read = st.cal.etag;
  const now = await readYear(w.year); // sets st.cal.etag
  if (same(base, now)) return true;
  st.cal.etag = read; // not seen yet: "see the latest version" takes it
  return false;
}

/** Shows the conflict box for the open pane, if its last save was refused. */
function showConflict() {
  const on = st.conflict === st.tab;
  $('adm-conflict').hidden = !on;
  if (!on) return;
  const lines = st.stored;
  $('adm-stored').hidden = !lines;
  $('adm-latest').hidden = Boolean(lines);
  if (!lines) {
    $('adm-conflict-text').textContent = t('adm.conflict', t('adm.what.' + st.tab));
    return;
  }
  $('adm-conflict-text').textContent = t(st.tab === 'departments' ? 'adm.conflict.loaded' : 'adm.conflict.loadedList');
  $('adm-stored-list').replaceChildren(...(lines.length ? lines : [t('adm.stored.none')]).map((l) => el('li', l)));
}

/** The message under each pane's save button. */
const NEAR = { departments: 'err-adm-dept', categories: 'err-adm-cat', rules: 'err-adm-rule', calendar: 'err-adm-cal' };

/** @param {Pane | null} pane the pane whose save was refused, or null when none */
function conflict(pane) {
  st.conflict = pane;
  st.stored = null;
  showConflict();
}

/**
 * Reads the open pane's document again: what is stored now is shown (what
 * another admin changed since this page read it), the admin's edit stays
 * on screen and the next save names the new version.
 */
async function loadLatest() {
  const pane = st.tab;
  $('err-admin').textContent = '';
  try {
    /** @type {string[]} */
    let lines = [];
    if (pane === 'departments') {
      const before = st.dept.list;
      await loadDepartments();
      lines = diff(before, st.dept.list, (d) => d.id, deptLine);
      mergeLatestDepartment();
      renderDepartments();
    } else if (pane === 'categories') {
      const before = st.cat.base;
      const got = await callWithETag('GET', '/v1/admin/categories', { token: token() });
      st.cat.base = got.data.categories || [];
      st.cat.etag = got.etag;
      lines = diff(flatten(before), flatten(st.cat.base), (c) => c.code, catLine);
      renderCategories();
    } else if (pane === 'rules') {
      const before = st.rule.base;
      const got = await callWithETag('GET', '/v1/admin/routing-rules', { token: token() });
      st.rule.base = got.data.routingRules || [];
      st.rule.etag = got.etag;
      lines = diff(before, st.rule.base, (r) => r.id, ruleLine);
      renderRules();
    } else if (st.cal.work) {
      const before = st.cal.base || { year: st.cal.work.year, holidays: [], workdays: [] };
      const now = await readYear(st.cal.work.year);
      st.cal.base = now;
      lines = calendarDiff(before, now || { year: before.year, holidays: [], workdays: [] });
      renderCalendar();
    }
    st.stored = lines;
    $(NEAR[pane]).textContent = '';
    showConflict();
    $('adm-stored-heading').focus();
  } catch (err) {
    showError($('admin'), err, 'err-admin', () => '');
  }
}

/** Gives up the admin's edit on the open pane and shows what is stored. */
async function discard() {
  const pane = st.tab;
  conflict(null);
  if (pane === 'departments') closeDeptForm();
  if (pane === 'categories') st.cat.sel = null;
  if (pane === 'rules') st.rule.sel = -1;
  if (pane === 'calendar') st.cal.work = null;
  try {
    if (pane === 'departments') await loadDepartments();
    if (pane === 'categories') await loadCategories();
    if (pane === 'rules') await loadRules();
    if (pane === 'calendar') await loadCoverage();
  } catch (err) {
    showError($('admin'), err, 'err-admin', () => '');
  }
  render();
  showConflict();
  banner(t('adm.discarded'));
}

/**
 * What another admin changed: the items added, removed or changed between
 * before and after, one line each.
 * @template T
 * @param {T[]} before @param {T[]} after
 * @param {(x: T) => string} key @param {(x: T) => string} line
 * @returns {string[]}
 */
function diff(before, after, key, line) {
  const old = new Map(before.map((x) => [key(x), x]));
  const now = new Map(after.map((x) => [key(x), x]));
  /** @type {string[]} */
  const out = [];
  for (const [k, x] of now) {
    const was = old.get(k);
    if (!was) out.push(t('adm.stored.added') + colon() + line(x));
    else if (!same(was, x)) out.push(t('adm.stored.changed') + colon() + line(x));
  }
  for (const [k, x] of old) if (!now.has(k)) out.push(t('adm.stored.removed') + colon() + line(x));
  return out;
}

/** @param {Pane} pane @param {unknown} err @returns {boolean} whether it was a conflict */
function refusedAsStale(pane, err) {
  if (err instanceof ApiError && (err.status === 412 || err.status === 428)) {
    conflict(pane);
    // Also where the admin pressed save: the box above says what happened.
    $(NEAR[pane]).textContent = t('adm.conflict.short');
    $('adm-conflict-text').focus();
    return true;
  }
  return false;
}

/**
 * Where a catalog problem belongs in a form: the first error element whose
 * pattern the message matches (the API's English wording, or its Chinese).
 * @param {string} msg @param {[RegExp, string][]} table @returns {string}
 */
function pick(msg, table) {
  for (const [re, id] of table) if (re.test(msg)) return id;
  return '';
}

/** @param {string} errId @param {string} msg @param {boolean} first */
function placeError(errId, msg, first) {
  const e = $(errId);
  e.textContent = e.textContent ? e.textContent + ' ' + msg : msg;
  if (first) fieldError(errId, e.textContent);
  else document.querySelector(`[aria-describedby~="${errId}"]`)?.setAttribute('aria-invalid', 'true');
}

/** @param {string} errId @param {string} msg */
function rowError(errId, msg) {
  const e = document.getElementById(errId);
  if (!e) return false;
  e.textContent = e.textContent ? e.textContent + ' ' + msg : msg;
  const row = e.closest('tr.err-row');
  if (row) /** @type {HTMLElement} */ (row).hidden = false;
  return true;
}

// --- departments --------------------------------------------------------------

async function loadDepartments() {
  const got = await callWithETag('GET', '/v1/departments', { token: token() });
  st.dept.list = got.data.departments || [];
  st.dept.etag = got.etag;
}

/** @param {Department} d */
function deptLine(d) {
  return [d.name + paren(d.id), d.nameEn, d.region, t(d.active ? 'adm.dept.on' : 'adm.dept.off')].filter(Boolean).join(' · ');
}

/** @param {string} label @param {string} aria @param {() => void} fn @param {string} [cls] */
function button(label, aria, fn, cls = 'link') {
  const b = /** @type {HTMLButtonElement} */ (el('button', label, cls));
  b.type = 'button';
  if (aria) b.setAttribute('aria-label', aria);
  b.addEventListener('click', fn);
  return b;
}

function renderDepartments() {
  $('adm-dept-rows').replaceChildren(...st.dept.list.map((d) => {
    const tr = document.createElement('tr');
    tr.dataset.id = d.id;
    if (!d.active) tr.className = 'inactive';
    const edit = button(t('adm.edit'), t('adm.dept.editOf', d.name), () => editDepartment(d.id));
    const td = document.createElement('td');
    td.className = 'acts';
    td.append(edit);
    tr.append(el('td', d.id, 'mono'), el('td', d.name), el('td', d.nameEn || '', 'en'), el('td', d.region || '', 'mono'),
      el('td', t(d.active ? 'adm.dept.on' : 'adm.dept.off'), 'nowrap'), td);
    if (st.dept.editing === d.id) tr.classList.add('selected');
    return tr;
  }));
}

function deptFormHeading() {
  const d = st.dept.list.find((x) => x.id === st.dept.editing);
  $('adm-dept-form-heading').textContent = st.dept.isNew ? t('adm.dept.new') : t('adm.dept.editOf', d ? d.name : st.dept.editing || '');
}

/** @param {string} id */
function editDepartment(id) {
  const d = st.dept.list.find((x) => x.id === id);
  if (!d) return;
  st.dept.editing = id;
  st.dept.isNew = false;
  fillDeptForm(d);
}

function addDepartment() {
  st.dept.editing = '';
  st.dept.isNew = true;
  fillDeptForm({ id: '', name: '', nameEn: '', region: '', active: false });
}

/** The form's values, as a department. @returns {Department} */
function deptFromForm() {
  /** @type {Department} */
  const d = { id: input('adm-dept-id').value.trim(), name: input('adm-dept-name').value.trim(), active: input('adm-dept-active').checked };
  const nameEn = input('adm-dept-nameEn').value.trim();
  const region = input('adm-dept-region').value.trim();
  if (nameEn) d.nameEn = nameEn;
  if (region) d.region = region;
  return d;
}

/**
 * After the latest version is loaded, the fields the admin has not touched
 * take the stored values, so saving again keeps the other admin's change
 * to them; the fields the admin edited keep the edit.
 */
function mergeLatestDepartment() {
  const orig = st.dept.orig;
  const now = st.dept.list.find((x) => x.id === st.dept.editing);
  if (!orig || !now || st.dept.isNew) return;
  const mine = deptFromForm();
  if (mine.name === orig.name) input('adm-dept-name').value = now.name;
  if ((mine.nameEn || '') === (orig.nameEn || '')) input('adm-dept-nameEn').value = now.nameEn || '';
  if ((mine.region || '') === (orig.region || '')) input('adm-dept-region').value = now.region || '';
  if (mine.active === orig.active) input('adm-dept-active').checked = now.active;
  st.dept.orig = now;
  clearErrors(form('adm-dept-form'));
  deptFormHeading();
}

/** @param {Department} d */
function fillDeptForm(d) {
  st.dept.orig = d;
  const f = form('adm-dept-form');
  clearErrors(f);
  input('adm-dept-id').value = d.id;
  input('adm-dept-id').readOnly = !st.dept.isNew;
  input('adm-dept-name').value = d.name;
  input('adm-dept-nameEn').value = d.nameEn || '';
  input('adm-dept-region').value = d.region || '';
  input('adm-dept-active').checked = d.active;
  f.hidden = false;
  deptFormHeading();
  renderDepartments();
  $('adm-dept-form-heading').focus();
}

function closeDeptForm() {
  st.dept.editing = null;
  st.dept.isNew = false;
  st.dept.orig = null;
  form('adm-dept-form').hidden = true;
  if (st.conflict === 'departments') conflict(null);
}

/** @param {SubmitEvent} ev */
async function saveDepartment(ev) {
  ev.preventDefault();
  const f = form('adm-dept-form');
  clearErrors(f);
  banner('');
  const body = deptFromForm();
  const id = body.id;
  if (!id) return fieldError('err-adm-dept-id', t('adm.required'));
  if (st.dept.isNew && st.dept.list.some((d) => d.id === id)) return fieldError('err-adm-dept-id', t('adm.dept.taken'));
  await busy($('adm-dept-submit'), async () => {
    try {
      await put('departments', '/v1/admin/departments/' + encodeURIComponent(id), body);
      closeDeptForm();
      showConflict();
      await loadDepartments();
      renderDepartments();
      void listDepartments(true);
      banner(t('adm.dept.saved', body.name));
      $('adm-dept-heading').focus();
    } catch (err) {
      if (refusedAsStale('departments', err)) return;
      showError(f, err, 'err-adm-dept', (field) => {
        const msg = (err instanceof ApiError && err.fields[field]) || '';
        // An active department needs its queue (field id, "no queue …").
        if (field === 'id' && /queue|队列/.test(msg)) return 'err-adm-dept-active';
        if (field === 'id' || /^departments\[/.test(field)) return 'err-adm-dept-id';
        return pick(msg, [[/nameEn|英文/, 'err-adm-dept-nameEn'], [/name|名称/, 'err-adm-dept-name'], [/region|区划/, 'err-adm-dept-region'], [/queue|队列/, 'err-adm-dept-active']]);
      });
    }
  });
}

// --- categories ---------------------------------------------------------------

async function loadCategories() {
  const got = await callWithETag('GET', '/v1/admin/categories', { token: token() });
  st.cat.base = got.data.categories || [];
  st.cat.work = copy(st.cat.base);
  st.cat.etag = got.etag;
  st.cat.sel = null;
}

/** @param {Category[]} tree @returns {Category[]} every node, without its children */
function flatten(tree) {
  /** @type {Category[]} */
  const out = [];
  /** @param {Category[]} list */
  const walk = (list) => {
    for (const c of list) {
      const { children, ...node } = c;
      out.push(/** @type {Category} */ (node));
      walk(children || []);
    }
  };
  walk(tree);
  return out;
}

/** @param {ServiceLevel | undefined} sl */
function slText(sl) {
  if (!sl) return '';
  const reply = sl.replyHours ? t('adm.sl.replyHours', String(sl.replyHours)) : t('adm.sl.replyDays', String(sl.replyWorkingDays || 0));
  return t('adm.sl.acceptText', String(sl.acceptHours)) + ' · ' + reply;
}

/** @param {Category} c */
const catName = (c) => (lang() === 'en' && c.nameEn ? c.nameEn : c.name || c.code);

/** @param {Category} c */
function catLine(c) {
  return [catName(c) + paren(c.code), slText(c.serviceLevel)].filter(Boolean).join(' · ');
}

/** @param {number[]} path @returns {Category | null} */
function nodeAt(path) {
  let list = st.cat.work;
  /** @type {Category | null} */
  let node = null;
  for (const i of path) {
    node = list[i] || null;
    if (!node) return null;
    list = node.children || [];
  }
  return node;
}

/** @param {string} code */
const catErrId = (code) => 'err-adm-cat-node-' + code;

function renderCategories() {
  /** @param {Category[]} list @param {number[]} at @returns {HTMLLIElement[]} */
  const items = (list, at) => list.map((c, i) => {
    const path = [...at, i];
    const li = document.createElement('li');
    li.dataset.code = c.code;
    const leaf = !c.children || c.children.length === 0;
    const pick = button(catName(c) + paren(c.code), '', () => selectCategory(path, true));
    if (st.cat.sel && same(st.cat.sel, path)) {
      pick.setAttribute('aria-current', 'true');
      li.classList.add('selected');
    }
    li.append(pick);
    if (leaf && at.length > 0) li.append(el('span', ' ' + slText(c.serviceLevel), 'meta'));
    li.append(Object.assign(el('p', '', 'err'), { id: catErrId(c.code) }));
    if (!leaf || at.length === 0) {
      const ul = document.createElement('ul');
      ul.append(...items(c.children || [], path));
      const add = document.createElement('li');
      add.append(button(t('adm.cat.addLeaf'), t('adm.cat.addLeafTo', catName(c)), () => addLeaf(path), 'link add'));
      ul.append(add);
      li.append(ul);
    }
    return li;
  });
  $('adm-cat-tree').replaceChildren(...items(st.cat.work, []));
  $('adm-cat-dirty').hidden = same(st.cat.base, st.cat.work);
}

/** @param {number[]} path @param {boolean} focus */
function selectCategory(path, focus) {
  st.cat.sel = path;
  clearErrors(form('adm-cat-form'));
  fillCatForm();
  renderCategories();
  if (focus) $('adm-cat-form-heading').focus();
}

/** Shows the selected node in the editor. */
function fillCatForm() {
  const c = st.cat.sel && nodeAt(st.cat.sel);
  const f = form('adm-cat-form');
  if (!c || !st.cat.sel) {
    f.hidden = true;
    return;
  }
  f.hidden = false;
  const leaf = st.cat.sel.length > 1 && (!c.children || c.children.length === 0);
  const isNew = added.has(c);
  $('adm-cat-form-heading').textContent = t(leaf ? 'adm.cat.editLeaf' : 'adm.cat.editGroup', catName(c));
  input('adm-cat-code').value = c.code;
  // A stored code is what tickets carry: it is not renamed here.
  input('adm-cat-code').readOnly = !isNew;
  $('adm-cat-code-hint').textContent = isNew ? t('adm.cat.code.newHint') : t('adm.cat.code.hint');
  input('adm-cat-name').value = c.name;
  input('adm-cat-nameEn').value = c.nameEn || '';
  $('adm-cat-leaf').hidden = !leaf;
  $('adm-cat-remove').hidden = !leaf;
  if (!leaf) return;
  $('adm-cat-types').replaceChildren(...TYPES.map((ty) => {
    const l = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = 'adm-cat-type-' + ty;
    box.value = ty;
    box.checked = (c.types || []).includes(ty);
    box.setAttribute('aria-describedby', 'err-adm-cat-types');
    l.append(box, ' ', el('span', t('type.' + ty)));
    return l;
  }));
  const sl = c.serviceLevel;
  input('adm-cat-accept').value = sl && typeof sl.acceptHours === 'number' ? String(sl.acceptHours) : '';
  input('adm-cat-days').value = sl?.replyWorkingDays ? String(sl.replyWorkingDays) : '';
  input('adm-cat-hours').value = sl?.replyHours ? String(sl.replyHours) : '';
}

/** @param {string} id number input's value, 0 when empty */
const num = (id) => {
  const v = input(id).value.trim();
  return v === '' ? 0 : Number(v);
};

/** Takes the editor's values into the edited tree as they are typed. */
function catEdited() {
  const c = st.cat.sel && nodeAt(st.cat.sel);
  if (!c) return;
  const code = input('adm-cat-code').value.trim();
  if (!input('adm-cat-code').readOnly) c.code = code;
  c.name = input('adm-cat-name').value.trim();
  const en = input('adm-cat-nameEn').value.trim();
  if (en) c.nameEn = en;
  else delete c.nameEn;
  if (!$('adm-cat-leaf').hidden) {
    c.types = [...$('adm-cat-types').querySelectorAll('input:checked')].map((b) => /** @type {HTMLInputElement} */ (b).value);
    /** @type {ServiceLevel} */
    const sl = { acceptHours: num('adm-cat-accept') };
    if (num('adm-cat-days')) sl.replyWorkingDays = num('adm-cat-days');
    if (num('adm-cat-hours')) sl.replyHours = num('adm-cat-hours');
    c.serviceLevel = sl;
  }
  renderCategories();
}

/** @param {number[]} path the group */
function addLeaf(path) {
  const g = nodeAt(path);
  if (!g) return;
  g.children = g.children || [];
  /** @type {Category} */
  const leaf = { code: g.code + '.', name: '', types: ['complaint', 'consultation'], serviceLevel: { acceptHours: 24, replyWorkingDays: 13 } };
  added.add(leaf);
  g.children.push(leaf);
  selectCategory([...path, g.children.length - 1], false);
  input('adm-cat-code').focus();
}

function removeLeaf() {
  const path = st.cat.sel;
  if (!path || path.length < 2) return;
  const parent = nodeAt(path.slice(0, -1));
  const c = nodeAt(path);
  if (!parent || !parent.children || !c) return;
  parent.children.splice(path[path.length - 1], 1);
  st.cat.sel = null;
  fillCatForm();
  renderCategories();
  banner(t('adm.cat.removed', catName(c)));
  $('adm-cat-heading').focus();
}

/**
 * The node a catalog problem names: "category <code>",
 * "category <code>.children[i]" or "categories[i]".
 * @param {string} where @returns {number[] | null}
 */
function catPathOf(where) {
  /** @param {Category[]} list @param {string} code @param {number[]} at @returns {number[] | null} */
  const find = (list, code, at) => {
    for (let i = 0; i < list.length; i++) {
      if (list[i].code === code) return [...at, i];
      const p = find(list[i].children || [], code, [...at, i]);
      if (p) return p;
    }
    return null;
  };
  let m = /^categories\[(\d+)\]$/.exec(where);
  if (m) return [Number(m[1])];
  m = /^category (.+)\.children\[(\d+)\]$/.exec(where);
  if (m) {
    const p = find(st.cat.work, m[1], []);
    return p ? [...p, Number(m[2])] : null;
  }
  m = /^category (.+)$/.exec(where);
  return m ? find(st.cat.work, m[1], []) : null;
}

const CAT_FIELDS = /** @type {[RegExp, string][]} */ ([
  [/acceptHours|replyWorkingDays|replyHours|service level|时限/, 'err-adm-cat-accept'],
  [/type|类型/, 'err-adm-cat-types'],
  [/code|segment|duplicate|编码/, 'err-adm-cat-code'],
  [/nameEn/, 'err-adm-cat-nameEn'],
  [/name|名称/, 'err-adm-cat-name'],
]);

async function saveCategories() {
  clearErrors($('adm-categories'));
  banner('');
  await busy($('adm-cat-submit'), async () => {
    try {
      const got = await put('categories', '/v1/admin/categories', { categories: st.cat.work });
      st.cat.base = got.data.categories || [];
      st.cat.work = copy(st.cat.base);
      st.cat.etag = got.etag;
      conflict(null);
      showConflict();
      fillCatForm();
      renderCategories();
      banner(t('adm.cat.saved'));
    } catch (err) {
      if (refusedAsStale('categories', err)) return;
      if (!(err instanceof ApiError) || err.status !== 400 || Object.keys(err.fields).length === 0) {
        showError($('adm-categories'), err, 'err-adm-cat', () => '');
        return;
      }
      // Each problem next to its node in the tree; the first one's node
      // opens in the editor with the message next to its input.
      /** @type {string[]} */
      const rest = [];
      let opened = false;
      for (const [where, msg] of Object.entries(err.fields)) {
        const path = catPathOf(where);
        const c = path && nodeAt(path);
        if (!path || !c) {
          rest.push(msg);
          continue;
        }
        if (!opened) {
          // The node in the editor keeps what was typed there.
          if (!st.cat.sel || !same(st.cat.sel, path)) selectCategory(path, false);
          opened = true;
          const id = pick(msg, CAT_FIELDS);
          if (id && !$(id).closest('[hidden]')) placeError(id, msg, true);
        }
        rowError(catErrId(c.code), msg);
      }
      $('err-adm-cat').textContent = rest.length ? err.message + colon() + rest.join('; ') : t('adm.fix');
    }
  });
}

// --- routing rules ------------------------------------------------------------

async function loadRules() {
  const got = await callWithETag('GET', '/v1/admin/routing-rules', { token: token() });
  st.rule.base = got.data.routingRules || [];
  st.rule.work = copy(st.rule.base);
  st.rule.etag = got.etag;
  st.rule.sel = -1;
  if (st.dept.list.length === 0) await loadDepartments();
}

/** @param {string} id */
function deptLabel(id) {
  const d = st.dept.list.find((x) => x.id === id);
  return d ? (lang() === 'en' && d.nameEn ? d.nameEn : d.name) : id;
}

/** @param {Rule} r */
function conditions(r) {
  if (r.default) return t('adm.rule.otherwise');
  /** @type {string[]} */
  const out = [];
  if (r.categories?.length) out.push(t('adm.rule.categories') + colon() + r.categories.join(', '));
  if (r.keywords?.length) out.push(t('adm.rule.keywords') + colon() + r.keywords.join(', '));
  if (r.involvedUnits?.length) out.push(t('adm.rule.units') + colon() + r.involvedUnits.join(', '));
  if (r.regions?.length) out.push(t('adm.rule.regions') + colon() + r.regions.join(', '));
  if (r.types?.length) out.push(t('adm.rule.types') + colon() + r.types.map((x) => t('type.' + x)).join(', '));
  return out.join('；');
}

/** @param {Rule} r */
function ruleLine(r) {
  return [r.id + paren(String(r.priority)), conditions(r), '→ ' + deptLabel(r.departmentId), slText(r.serviceLevel)].filter(Boolean).join(' · ');
}

/** The rules in the order they are tried: default last, priority, stored order. @returns {number[]} */
function ruleOrder() {
  const w = st.rule.work;
  return w.map((_, i) => i).sort((a, b) => {
    const x = w[a], y = w[b];
    if (Boolean(x.default) !== Boolean(y.default)) return x.default ? 1 : -1;
    return y.priority - x.priority || a - b;
  });
}

/** @param {number} i */
const ruleErrId = (i) => 'err-adm-rule-row-' + i;

function renderRules() {
  const order = ruleOrder();
  $('adm-rule-rows').replaceChildren(...order.flatMap((i, pos) => {
    const r = st.rule.work[i];
    const tr = document.createElement('tr');
    tr.dataset.id = r.id;
    if (st.rule.sel === i) tr.className = 'selected';
    const acts = document.createElement('td');
    acts.className = 'acts';
    acts.append(button(t('adm.edit'), t('adm.rule.editLabel', r.id), () => selectRule(i, true)));
    if (!r.default) {
      const up = button('↑', t('adm.rule.up', r.id), () => moveRule(order, pos, -1), 'link move');
      const down = button('↓', t('adm.rule.down', r.id), () => moveRule(order, pos, 1), 'link move');
      up.disabled = pos === 0;
      down.disabled = pos + 1 >= order.length || Boolean(st.rule.work[order[pos + 1]].default);
      acts.append(up, down);
    }
    tr.append(el('td', String(r.priority)), el('td', r.id, 'mono'), el('td', conditions(r)), el('td', deptLabel(r.departmentId)),
      el('td', (r.coHandlers || []).map(deptLabel).join('、')), el('td', slText(r.serviceLevel)), acts);
    const er = document.createElement('tr');
    er.className = 'err-row';
    er.hidden = true;
    const td = document.createElement('td');
    td.colSpan = 7;
    td.append(Object.assign(el('p', '', 'err'), { id: ruleErrId(i) }));
    er.append(td);
    return [tr, er];
  }));
  $('adm-rule-dirty').hidden = same(st.rule.base, st.rule.work);
}

/**
 * Moves a rule one place up or down in the order rules are tried: the two
 * rules swap priorities, or, on equal priorities, stored places.
 * @param {number[]} order @param {number} pos @param {number} by
 */
function moveRule(order, pos, by) {
  const a = order[pos], b = order[pos + by];
  const w = st.rule.work;
  const ra = w[a], rb = w[b];
  if (!ra || !rb || rb.default) return;
  if (ra.priority !== rb.priority) {
    [ra.priority, rb.priority] = [rb.priority, ra.priority];
  } else {
    [w[a], w[b]] = [rb, ra];
    if (st.rule.sel === a) st.rule.sel = b;
    else if (st.rule.sel === b) st.rule.sel = a;
  }
  renderRules();
  fillRuleForm();
  const btn = /** @type {HTMLButtonElement | null} */ ($('adm-rule-rows').querySelector(`tr[data-id="${CSS.escape(ra.id)}"] button.move:${by < 0 ? 'first-of-type' : 'last-of-type'}`));
  if (btn && !btn.disabled) btn.focus();
  else /** @type {HTMLElement | null} */ ($('adm-rule-rows').querySelector(`tr[data-id="${CSS.escape(ra.id)}"] button`))?.focus();
  banner(t('adm.rule.moved', ra.id, String(ruleOrder().indexOf(w.indexOf(ra)) + 1)));
}

/** @param {number} i @param {boolean} focus */
function selectRule(i, focus) {
  st.rule.sel = i;
  clearErrors(form('adm-rule-form'));
  fillRuleForm();
  renderRules();
  if (focus) $('adm-rule-form-heading').focus();
}

/** @param {string[] | undefined} list */
const joined = (list) => (list || []).join(lang() === 'zh' ? '，' : ', ');
/** @param {string} id @returns {string[]} */
const listOf = (id) => input(id).value.split(/[,，、;；]/).map((s) => s.trim()).filter(Boolean);

function fillRuleForm() {
  const r = st.rule.work[st.rule.sel];
  const f = form('adm-rule-form');
  if (!r) {
    f.hidden = true;
    return;
  }
  f.hidden = false;
  $('adm-rule-form-heading').textContent = t('adm.rule.editOf', r.id || '…');
  input('adm-rule-id').value = r.id;
  input('adm-rule-priority').value = String(r.priority);
  input('adm-rule-categories').value = joined(r.categories);
  input('adm-rule-keywords').value = joined(r.keywords);
  input('adm-rule-units').value = joined(r.involvedUnits);
  input('adm-rule-regions').value = joined(r.regions);
  input('adm-rule-default').checked = Boolean(r.default);
  const sel = select('adm-rule-dept');
  const choose = document.createElement('option');
  choose.value = '';
  choose.textContent = t('adm.rule.choose');
  sel.replaceChildren(choose, ...st.dept.list.map((d) => {
    const o = document.createElement('option');
    o.value = d.id;
    o.textContent = deptLabel(d.id) + paren(d.id) + (d.active ? '' : ' — ' + t('adm.dept.off'));
    return o;
  }));
  sel.value = r.departmentId;
  $('adm-rule-co').replaceChildren(...st.dept.list.map((d) => {
    const l = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = 'adm-rule-co-' + d.id;
    box.value = d.id;
    box.checked = (r.coHandlers || []).includes(d.id);
    box.setAttribute('aria-describedby', 'err-adm-rule-co');
    l.append(box, ' ', el('span', deptLabel(d.id)));
    return l;
  }));
  const sl = r.serviceLevel;
  input('adm-rule-accept').value = sl?.acceptHours ? String(sl.acceptHours) : '';
  input('adm-rule-days').value = sl?.replyWorkingDays ? String(sl.replyWorkingDays) : '';
  input('adm-rule-hours').value = sl?.replyHours ? String(sl.replyHours) : '';
}

/** Takes the editor's values into the edited rules as they are typed. */
function ruleEdited() {
  const r = st.rule.work[st.rule.sel];
  if (!r) return;
  r.id = input('adm-rule-id').value.trim();
  r.priority = num('adm-rule-priority');
  /** @type {['categories' | 'keywords' | 'involvedUnits' | 'regions', string][]} */
  const lists = [['categories', 'adm-rule-categories'], ['keywords', 'adm-rule-keywords'], ['involvedUnits', 'adm-rule-units'], ['regions', 'adm-rule-regions']];
  for (const [k, id] of lists) {
    const v = listOf(id);
    if (v.length) r[k] = v;
    else delete r[k];
  }
  if (input('adm-rule-default').checked) r.default = true;
  else delete r.default;
  r.departmentId = select('adm-rule-dept').value;
  const co = [...$('adm-rule-co').querySelectorAll('input:checked')].map((b) => /** @type {HTMLInputElement} */ (b).value);
  if (co.length) r.coHandlers = co;
  else delete r.coHandlers;
  if (num('adm-rule-accept') || num('adm-rule-days') || num('adm-rule-hours')) {
    /** @type {ServiceLevel} */
    const sl = { acceptHours: num('adm-rule-accept') };
    if (num('adm-rule-days')) sl.replyWorkingDays = num('adm-rule-days');
    if (num('adm-rule-hours')) sl.replyHours = num('adm-rule-hours');
    r.serviceLevel = sl;
  } else {
    delete r.serviceLevel;
  }
  $('adm-rule-form-heading').textContent = t('adm.rule.editOf', r.id || '…');
  renderRules();
}

function addRule() {
  const taken = new Set(st.rule.work.map((r) => r.id));
  let n = st.rule.work.length + 1;
  while (taken.has('rule-' + n)) n++;
  st.rule.work.push({ id: 'rule-' + n, priority: 50, keywords: [], departmentId: '' });
  selectRule(st.rule.work.length - 1, false);
  input('adm-rule-id').focus();
}

function removeRule() {
  const r = st.rule.work[st.rule.sel];
  if (!r) return;
  st.rule.work.splice(st.rule.sel, 1);
  st.rule.sel = -1;
  fillRuleForm();
  renderRules();
  banner(t('adm.rule.removed', r.id));
  $('adm-rule-heading').focus();
}

const RULE_FIELDS = /** @type {[RegExp, string][]} */ ([
  [/co-handler|协办/, 'err-adm-rule-co'],
  [/department|承办/, 'err-adm-rule-dept'],
  [/priority|优先/, 'err-adm-rule-priority'],
  [/categor|分类/, 'err-adm-rule-categories'],
  [/region|区划/, 'err-adm-rule-regions'],
  [/keyword|involved unit|关键词/, 'err-adm-rule-keywords'],
  [/acceptHours|reply|service level|时限/, 'err-adm-rule-sl'],
  [/default|condition|兜底|条件/, 'err-adm-rule-default'],
  [/\bid\b|编号/, 'err-adm-rule-id'],
]);

async function saveRules() {
  clearErrors($('adm-rules'));
  for (const r of $('adm-rule-rows').querySelectorAll('tr.err-row')) /** @type {HTMLElement} */ (r).hidden = true;
  banner('');
  const sent = st.rule.work;
  await busy($('adm-rule-submit'), async () => {
    try {
      const got = await put('rules', '/v1/admin/routing-rules', { routingRules: sent });
      st.rule.base = got.data.routingRules || [];
      st.rule.work = copy(st.rule.base);
      st.rule.etag = got.etag;
      conflict(null);
      showConflict();
      fillRuleForm();
      renderRules();
      banner(t('adm.rule.saved'));
    } catch (err) {
      if (refusedAsStale('rules', err)) return;
      if (!(err instanceof ApiError) || err.status !== 400 || Object.keys(err.fields).length === 0) {
        showError($('adm-rules'), err, 'err-adm-rule', () => '');
        return;
      }
      /** @type {string[]} */
      const rest = [];
      let opened = false;
      for (const [where, msg] of Object.entries(err.fields)) {
        let m = /^routingRules\[(\d+)\]$/.exec(where);
        let i = m ? Number(m[1]) : -1;
        m = /^rule (.+)$/.exec(where);
        if (m) i = sent.findIndex((r) => r.id === m?.[1]);
        if (i < 0 || !sent[i]) {
          rest.push(msg);
          continue;
        }
        if (!opened) {
          if (st.rule.sel !== i) selectRule(i, false);
          opened = true;
          const id = pick(msg, RULE_FIELDS);
          if (id) placeError(id, msg, true);
        }
        rowError(ruleErrId(i), msg);
      }
      $('err-adm-rule').textContent = rest.length ? err.message + colon() + rest.join('; ') : t('adm.fix');
    }
  });
}

// --- calendar -----------------------------------------------------------------

async function loadCoverage() {
  const got = await callWithETag('GET', '/v1/admin/calendar', { token: token() });
  st.cal.years = got.data.years || [];
  st.cal.missing = got.data.missing || [];
  if (!st.cal.work) st.cal.etag = got.etag;
}

/** @param {number} year @returns {Promise<CalendarYear | null>} null when the year has no schedule */
async function readYear(year) {
  try {
    const got = await callWithETag('GET', '/v1/admin/calendar/' + year, { token: token() });
    st.cal.etag = got.etag;
    return { year, holidays: got.data.holidays || [], workdays: got.data.workdays || [] };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    // Not defined yet: the version to name is the catalog's, read now.
    st.cal.etag = (await callWithETag('GET', '/v1/admin/calendar', { token: token() })).etag;
    return null;
  }
}

function renderCalendar() {
  const years = st.cal.years;
  $('adm-cal-coverage').textContent = years.length ? t('adm.cal.coverage', years.join(lang() === 'zh' ? '、' : ', ')) : t('adm.cal.none');
  $('adm-cal-missing').hidden = st.cal.missing.length === 0;
  $('adm-cal-missing').textContent = t('adm.cal.missing', st.cal.missing.join(lang() === 'zh' ? '、' : ', '));
  const sel = select('adm-cal-year');
  const chosen = sel.value;
  const next = new Date().getUTCFullYear() + 1;
  const all = [...new Set([...years, ...st.cal.missing, next])].sort();
  sel.replaceChildren(...all.map((y) => {
    const o = document.createElement('option');
    o.value = String(y);
    o.textContent = years.includes(y) ? String(y) : String(y) + paren(t('adm.cal.undefined'));
    return o;
  }));
  sel.value = chosen && all.includes(Number(chosen)) ? chosen : String(st.cal.work?.year || years[years.length - 1] || next);
  const w = st.cal.work;
  form('adm-cal-form').hidden = !w;
  if (!w) return;
  $('adm-cal-form-heading').textContent = t('adm.cal.yearHeading', String(w.year));
  $('adm-cal-new').hidden = st.cal.base !== null;
  for (const kind of /** @type {('holidays' | 'workdays')[]} */ (['holidays', 'workdays'])) {
    $('adm-cal-' + kind).replaceChildren(...w[kind].map((d) => {
      const li = document.createElement('li');
      const time = /** @type {HTMLTimeElement} */ (el('time', dayText(d)));
      time.dateTime = d;
      li.append(time, button(t('adm.remove'), t('adm.cal.removeDay', d), () => removeDay(kind, d), 'link'));
      return li;
    }));
    if (w[kind].length === 0) $('adm-cal-' + kind).append(el('li', t('adm.cal.empty'), 'hint'));
  }
  const minMax = [w.year + '-01-01', w.year + '-12-31'];
  for (const id of ['adm-cal-holiday-new', 'adm-cal-workday-new']) [input(id).min, input(id).max] = minMax;
}

/** @param {string} d YYYY-MM-DD @returns {string} the date with its weekday */
function dayText(d) {
  const at = new Date(d + 'T00:00:00Z');
  if (isNaN(at.getTime())) return d;
  return d + paren(at.toLocaleDateString(lang() === 'zh' ? 'zh-CN' : 'en-GB', { weekday: 'short', timeZone: 'UTC' }));
}

async function openYear() {
  const year = Number(select('adm-cal-year').value);
  if (!year) return;
  $('err-admin').textContent = '';
  await busy($('adm-cal-open'), async () => {
    try {
      const got = await readYear(year);
      st.cal.base = got;
      st.cal.work = got ? copy(got) : { year, holidays: [], workdays: [] };
      if (st.conflict === 'calendar') conflict(null);
      showConflict();
      clearErrors(form('adm-cal-form'));
      renderCalendar();
      $('adm-cal-form-heading').focus();
    } catch (err) {
      showError($('admin'), err, 'err-admin', () => '');
    }
  });
}

/** @param {'holidays' | 'workdays'} kind */
function addDay(kind) {
  const w = st.cal.work;
  if (!w) return;
  const id = kind === 'holidays' ? 'adm-cal-holiday-new' : 'adm-cal-workday-new';
  const errId = 'err-adm-cal-' + kind;
  clearErrors(form('adm-cal-form'));
  const d = input(id).value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return fieldError(errId, t('adm.cal.pick'));
  if (!d.startsWith(w.year + '-')) return fieldError(errId, t('adm.cal.outside', String(w.year)));
  if (w[kind].includes(d)) return fieldError(errId, t('adm.cal.twice', d));
  const other = kind === 'holidays' ? w.workdays : w.holidays;
  if (other.includes(d)) return fieldError(errId, t('adm.cal.both', d));
  w[kind] = [...w[kind], d].sort();
  input(id).value = '';
  renderCalendar();
  banner(t(kind === 'holidays' ? 'adm.cal.addedHoliday' : 'adm.cal.addedWorkday', d));
  input(id).focus();
}

/** @param {'holidays' | 'workdays'} kind @param {string} d */
function removeDay(kind, d) {
  const w = st.cal.work;
  if (!w) return;
  w[kind] = w[kind].filter((x) => x !== d);
  renderCalendar();
  banner(t('adm.cal.removedDay', d));
  input(kind === 'holidays' ? 'adm-cal-holiday-new' : 'adm-cal-workday-new').focus();
}

/** @param {CalendarYear} before @param {CalendarYear} after @returns {string[]} */
function calendarDiff(before, after) {
  /** @type {string[]} */
  const out = [];
  for (const kind of /** @type {('holidays' | 'workdays')[]} */ (['holidays', 'workdays'])) {
    const name = t('adm.cal.' + kind);
    for (const d of after[kind]) if (!before[kind].includes(d)) out.push(t('adm.stored.added') + colon() + name + ' ' + dayText(d));
    for (const d of before[kind]) if (!after[kind].includes(d)) out.push(t('adm.stored.removed') + colon() + name + ' ' + dayText(d));
  }
  return out;
}

/** @param {SubmitEvent} ev */
async function saveYear(ev) {
  ev.preventDefault();
  const w = st.cal.work;
  const f = form('adm-cal-form');
  if (!w) return;
  clearErrors(f);
  banner('');
  await busy($('adm-cal-submit'), async () => {
    try {
      const got = await put('calendar', '/v1/admin/calendar/' + w.year, w);
      st.cal.etag = got.etag;
      st.cal.base = { year: w.year, holidays: got.data.holidays || [], workdays: got.data.workdays || [] };
      st.cal.work = copy(st.cal.base);
      conflict(null);
      showConflict();
      await loadCoverage();
      renderCalendar();
      banner(t('adm.cal.saved', String(w.year)));
    } catch (err) {
      if (refusedAsStale('calendar', err)) return;
      showError(f, err, 'err-adm-cal', (field) => (field === 'holidays' || field === 'workdays' ? 'err-adm-cal-' + field : ''));
    }
  });
}

// --- wiring -------------------------------------------------------------------

function wire() {
  wired = true;
  for (const b of $('admin-tabs').querySelectorAll('button')) {
    b.addEventListener('click', () => openTab(/** @type {Pane} */ (/** @type {HTMLElement} */ (b).dataset.tab), true));
  }
  $('adm-latest').addEventListener('click', (e) => busy(/** @type {HTMLElement} */ (e.currentTarget), loadLatest));
  $('adm-discard').addEventListener('click', (e) => busy(/** @type {HTMLElement} */ (e.currentTarget), discard));

  $('adm-dept-add').addEventListener('click', addDepartment);
  form('adm-dept-form').addEventListener('submit', saveDepartment);
  $('adm-dept-cancel').addEventListener('click', () => {
    closeDeptForm();
    showConflict();
    renderDepartments();
    $('adm-dept-heading').focus();
  });

  form('adm-cat-form').addEventListener('input', catEdited);
  form('adm-cat-form').addEventListener('change', catEdited);
  form('adm-cat-form').addEventListener('submit', (ev) => ev.preventDefault());
  $('adm-cat-remove').addEventListener('click', removeLeaf);
  $('adm-cat-close').addEventListener('click', () => {
    st.cat.sel = null;
    fillCatForm();
    renderCategories();
  });
  $('adm-cat-submit').addEventListener('click', saveCategories);
  $('adm-cat-reset').addEventListener('click', () => {
    st.cat.work = copy(st.cat.base);
    st.cat.sel = null;
    clearErrors($('adm-categories'));
    fillCatForm();
    renderCategories();
  });

  form('adm-rule-form').addEventListener('input', ruleEdited);
  form('adm-rule-form').addEventListener('change', ruleEdited);
  form('adm-rule-form').addEventListener('submit', (ev) => ev.preventDefault());
  $('adm-rule-add').addEventListener('click', addRule);
  $('adm-rule-remove').addEventListener('click', removeRule);
  $('adm-rule-close').addEventListener('click', () => {
    st.rule.sel = -1;
    fillRuleForm();
    renderRules();
  });
  $('adm-rule-submit').addEventListener('click', saveRules);
  $('adm-rule-reset').addEventListener('click', () => {
    st.rule.work = copy(st.rule.base);
    st.rule.sel = -1;
    clearErrors($('adm-rules'));
    fillRuleForm();
    renderRules();
  });

  $('adm-cal-open').addEventListener('click', openYear);
  form('adm-cal-form').addEventListener('submit', saveYear);
  $('adm-cal-holiday-add').addEventListener('click', () => addDay('holidays'));
  $('adm-cal-workday-add').addEventListener('click', () => addDay('workdays'));
  for (const [id, kind] of /** @type {[string, 'holidays' | 'workdays'][]} */ ([['adm-cal-holiday-new', 'holidays'], ['adm-cal-workday-new', 'workdays']])) {
    // Enter in a date adds it rather than saving the year.
    input(id).addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        addDay(kind);
      }
    });
  }
  $('adm-cal-reset').addEventListener('click', () => {
    st.cal.work = st.cal.base ? copy(st.cal.base) : st.cal.work && { year: st.cal.work.year, holidays: [], workdays: [] };
    clearErrors(form('adm-cal-form'));
    renderCalendar();
  });
}
