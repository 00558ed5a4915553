// The staff console: operators review and dispatch, departments accept,
// reply, return and ask for time. Plain ES module on the shared API client
// and strings, as the citizen page (docs/design.md §8: no build step).
import { $, busy, input, form } from '../shared/dom.js';
import { ApiError, call, loadConfig } from '../shared/api.js';
import { lang, setLang, strings, t, translate } from '../shared/i18n.js';
import { consoleStrings } from './strings.js';

Object.assign(strings.zh, consoleStrings.zh);
Object.assign(strings.en, consoleStrings.en);

/**
 * @typedef {'operator' | 'department' | 'supervisor' | 'admin'} Role
 * @typedef {{token: string, expiresAt: string, role: Role, dept: string}} Session
 * @typedef {{id: string, type: string, category?: string, categoryName?: string, status: string, createdAt: string,
 *   departmentId?: string, replyBy?: string, overdue: boolean, escalated?: boolean, reviewReason?: string,
 *   suspectedEmergency?: string[], phoneCallNeeded?: string, urgency?: string, role?: string, extensionRequested?: boolean,
 *   waitingStep?: string}} Summary
 * @typedef {{at: string, kind: string, actorRole: string, actorId?: string, note?: string, status: string}} StaffEvent
 * @typedef {Summary & {content?: string, involvedUnit?: string, location?: {region?: string, address?: string},
 *   contact?: {phone?: string, email?: string, name?: string}, departmentName?: string, coHandlers?: string[],
 *   deadlines?: {reply?: string}, reply?: {result: string, message: string}, answer?: string, timeline?: StaffEvent[]}} StaffView
 */

const SESSION_KEY = 'hotline.staff';
const TABS = ['dispatched', 'accepted', 'overdue', 'co', 'returned'];


/**
 * decided is the ticket this page last sent a review or reassignment for:
 * the workflow moves it on a moment later, and until then its status still
 * asks for the decision already made.
 * @type {{session: Session | null, localMode: boolean, tab: string, list: Summary[], ticket: StaffView | null, decided: string,
 *   view: 'signin' | 'coming' | 'list' | 'detail'}}
 */
const state = { session: null, localMode: false, tab: 'dispatched', list: [], ticket: null, decided: '', view: 'signin' };

/** @param {string} iso */
function when(iso) {
  const d = new Date(iso);
  if (isNaN(d.getTime())) return iso;
  // The hotline's times are China's, wherever the desk is.
  return d.toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' });
}

// Chinese text takes full-width punctuation, English its own.
const colon = () => (lang() === 'zh' ? '：' : ': ');
/** @param {string} s */
const paren = (s) => (lang() === 'zh' ? '（' + s + '）' : ' (' + s + ')');

/** @param {string} tag @param {string} text @param {string} [cls] */
function el(tag, text, cls) {
  const e = document.createElement(tag);
  e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

// --- session ----------------------------------------------------------------

/** @returns {Session | null} */
function loadSession() {
  try {
    const s = /** @type {Session | null} */ (JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null'));
    if (s && s.token && new Date(s.expiresAt).getTime() > Date.now()) return s;
  } catch {
    // Storage off or garbled: sign in again.
  }
  return null;
}

/** @param {Session | null} s */
function saveSession(s) {
  try {
    if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // Without storage the session lasts as long as the page.
  }
  state.session = s;
}

/** @param {string} [message] why the sign-in shows again */
function signOut(message) {
  saveSession(null);
  state.ticket = null;
  state.list = [];
  show('signin');
  banner(message || '', Boolean(message));
}

/** @param {SubmitEvent} ev */
async function signIn(ev) {
  ev.preventDefault();
  const f = form('signin-form');
  clearErrors(f);
  const role = /** @type {Role} */ (/** @type {HTMLSelectElement} */ ($('signin-role')).value);
  const dept = role === 'department' ? input('signin-dept').value.trim() : '';
  if (role === 'department' && !dept) {
    fieldError('err-dept', t('signin.needDept'));
    return;
  }
  await busy($('signin-submit'), async () => {
    try {
      const got = await call('POST', '/_local/token', { body: dept ? { role, dept } : { role }, pageOrigin: true });
      saveSession({ token: got.token, expiresAt: got.expiresAt, role, dept });
      banner('');
      await home();
    } catch (err) {
      showError(f, err, 'err-signin', (k) => 'err-' + k);
    }
  });
}

/** The screen of the signed-in role. */
async function home() {
  const s = state.session;
  if (!s) return show('signin');
  $('whoami').textContent = t('whoami', t('role.' + s.role) + (s.dept ? ' · ' + s.dept : ''));
  if (s.role === 'supervisor' || s.role === 'admin') {
    $('coming-text').textContent = t('coming.text', t('role.' + s.role));
    show('coming');
    $('coming-heading').focus();
    return;
  }
  show('list');
  await loadList(true);
}

// --- messages and errors ----------------------------------------------------

/** @param {string} text @param {boolean} [isError] */
function banner(text, isError = false) {
  const b = $('status');
  b.textContent = text;
  b.classList.toggle('error', isError);
  b.hidden = !text;
}

/** @param {HTMLElement} scope */
function clearErrors(scope) {
  for (const e of scope.querySelectorAll('.err')) e.textContent = '';
  for (const e of scope.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
}

/** @param {string} errId @param {string} msg */
function fieldError(errId, msg) {
  $(errId).textContent = msg;
  const ctl = /** @type {HTMLElement | null} */ (document.querySelector(`[aria-describedby~="${errId}"]`));
  ctl?.setAttribute('aria-invalid', 'true');
  ctl?.focus();
}

/**
 * Shows a refusal: 401 signs out, 409 and 410 say in plain words what
 * happened and reload the ticket, fields go next to their inputs, the rest
 * under the form.
 * @param {HTMLElement} scope
 * @param {unknown} err
 * @param {string} formErrId
 * @param {(field: string) => string} errIdOf the error element of a field
 */
function showError(scope, err, formErrId, errIdOf) {
  if (!(err instanceof ApiError)) {
    $(formErrId).textContent = t('error.generic');
    throw err;
  }
  if (err.status === 401 && state.session) {
    signOut(t('error.401'));
    return;
  }
  if ((err.status === 409 || err.status === 410) && state.ticket) {
    const id = state.ticket.id;
    void openTicket(id, false).then(() => banner(t('error.' + err.status) + (err.message ? paren(err.message) : ''), true));
    return;
  }
  let placed = false;
  for (const [field, msg] of Object.entries(err.fields || {})) {
    const target = document.getElementById(errIdOf(field));
    if (target && scope.contains(target)) {
      if (placed) {
        target.textContent = msg;
        scope.querySelector(`[aria-describedby~="${target.id}"]`)?.setAttribute('aria-invalid', 'true');
      } else {
        fieldError(target.id, msg);
      }
      placed = true;
    }
  }
  if (!placed) {
    const plain = err.status === 403 || err.status === 404 ? t('error.' + err.status) + ' ' : '';
    $(formErrId).textContent = plain + err.message;
  }
}

// --- screens ----------------------------------------------------------------

/** @param {'signin' | 'coming' | 'list' | 'detail'} name */
function show(name) {
  state.view = name;
  for (const s of ['signin', 'coming', 'list', 'detail']) $(s).hidden = s !== name;
  $('session').hidden = name === 'signin';
  if (name === 'signin') {
    $('signin-oidc').hidden = state.localMode;
    form('signin-form').hidden = !state.localMode;
  }
}

// --- lists ------------------------------------------------------------------

/** @param {boolean} focus */
async function loadList(focus) {
  const s = state.session;
  if (!s) return;
  const isDept = s.role === 'department';
  $('inbox-tabs').hidden = !isDept;
  for (const b of $('inbox-tabs').querySelectorAll('button')) {
    const on = /** @type {HTMLElement} */ (b).dataset.tab === state.tab;
    if (on) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  $('list-heading').textContent = isDept ? t('inbox.heading', s.dept) : t('queue.heading');
  $('err-list').textContent = '';
  const path = isDept
    ? '/v1/departments/' + encodeURIComponent(s.dept) + '/tickets?status=' + state.tab
    : '/v1/review-queue';
  try {
    const got = await call('GET', path, { token: s.token });
    state.list = got.tickets || [];
    renderList();
    if (focus) $('list-heading').focus();
  } catch (err) {
    showError($('list'), err, 'err-list', () => '');
  }
}

/**
 * What a ticket is flagged with: why it waits for review, emergencies, calls.
 * @param {Summary} tk
 * @returns {[string, boolean][]} text, and whether it is an alarm
 */
function flags(tk) {
  /** @type {[string, boolean][]} */
  const out = [];
  // The reason matters while the ticket waits for review; after it, the
  // decision is in the timeline.
  if (tk.status === 'in_review' && tk.reviewReason && tk.reviewReason !== 'ok') {
    const k = 'reason.' + tk.reviewReason;
    out.push([t('reason.label') + colon() + (strings.zh[k] ? t(k) : tk.reviewReason), tk.reviewReason.startsWith('emergency') || tk.reviewReason === 'possible_emergency']);
  }
  if (tk.suspectedEmergency?.length) out.push([t('emergency', tk.suspectedEmergency.join(', ')), true]);
  if (tk.phoneCallNeeded) out.push([t('phoneCall', tk.phoneCallNeeded), true]);
  if (tk.urgency === 'urgent') out.push([t('urgency.urgent'), true]);
  if (tk.overdue) out.push([t('list.overdue'), true]);
  if (tk.role === 'co') out.push([t('list.co'), false]);
  return out;
}

/** @param {[string, boolean][]} fl */
function flagList(fl) {
  const ul = document.createElement('ul');
  ul.className = 'flags';
  ul.append(...fl.map(([text, alarm]) => el('li', text, alarm ? 'alarm' : '')));
  return ul;
}

function renderList() {
  $('tickets').replaceChildren(...state.list.map((tk) => {
    const li = document.createElement('li');
    li.dataset.id = tk.id;
    if (tk.urgency === 'urgent' || tk.suspectedEmergency?.length) li.className = 'urgent';
    const open = /** @type {HTMLButtonElement} */ (el('button', tk.id, 'link mono'));
    open.type = 'button';
    open.setAttribute('aria-label', t('open', tk.id));
    open.addEventListener('click', () => openTicket(tk.id, true));
    const what = [t('type.' + tk.type), tk.categoryName || tk.category, t('status.' + tk.status)].filter(Boolean).join(' · ');
    const meta = [t('list.filed', when(tk.createdAt)), tk.replyBy ? t('list.replyBy', when(tk.replyBy)) : ''].filter(Boolean).join('　');
    li.append(open, el('p', what), flagList(flags(tk)), el('p', meta, 'meta'));
    return li;
  }));
  const empty = state.list.length === 0;
  $('list-empty').hidden = !empty;
  $('list-empty').textContent = state.session?.role === 'department' ? t('inbox.empty') : t('queue.empty');
}

// --- one ticket -------------------------------------------------------------

/** @param {string} id @param {boolean} focus */
async function openTicket(id, focus) {
  const s = state.session;
  if (!s) return;
  try {
    state.ticket = await call('GET', '/v1/tickets/' + encodeURIComponent(id), { token: s.token });
    show('detail');
    banner('');
    renderTicket();
    if (focus) $('d-heading').focus();
  } catch (err) {
    showError($(state.view), err, state.view === 'detail' ? 'err-detail' : 'err-list', () => '');
  }
}

function renderTicket() {
  const tk = state.ticket;
  const s = state.session;
  if (!tk || !s) return;
  $('d-heading').textContent = t('d.heading', tk.id);
  $('d-status').textContent = t('status.' + tk.status);
  $('d-flags').replaceWith(Object.assign(flagList(flags(tk)), { id: 'd-flags' }));
  const contact = tk.contact ? [tk.contact.name, tk.contact.phone, tk.contact.email].filter(Boolean).join(' · ') : '';
  const place = tk.location ? [tk.location.region, tk.location.address].filter(Boolean).join(' ') : '';
  /** @type {[string, string | undefined][]} */
  const facts = [
    ['d.type', t('type.' + tk.type)],
    ['d.category', tk.category && (tk.categoryName ? tk.categoryName + paren(tk.category) : tk.category)],
    ['d.department', tk.departmentId && (tk.departmentName ? tk.departmentName + paren(tk.departmentId) : tk.departmentId)],
    ['urgency.label', tk.urgency && t('urgency.' + tk.urgency)],
    ['d.filed', when(tk.createdAt)],
    ['d.replyBy', tk.deadlines?.reply && when(tk.deadlines.reply)],
    ['d.unit', tk.involvedUnit],
    ['d.location', place],
    ['d.contact', contact],
  ];
  $('d-facts').replaceChildren(...facts.filter(([, v]) => v).flatMap(([k, v]) => [el('dt', t(k)), el('dd', v || '')]));
  $('d-content').textContent = tk.content || '';
  $('d-reply').replaceChildren(...(tk.reply ? [el('h3', t('d.reply')), el('p', tk.reply.message, 'text')] : []));
  $('d-timeline').replaceChildren(...(tk.timeline || []).slice().reverse().map((e) => {
    const li = document.createElement('li');
    const time = el('time', when(e.at));
    /** @type {HTMLTimeElement} */ (time).dateTime = e.at;
    const status = t('status.' + e.status);
    li.append(time, el('span', e.note && e.note !== status ? status + colon() + e.note : status), ' ',
      el('span', paren(strings.zh['role.' + e.actorRole] ? t('role.' + e.actorRole) : e.actorRole), 'who'));
    return li;
  }));
  $('err-detail').textContent = '';

  const op = s.role === 'operator';
  const isCo = s.role === 'department' && tk.departmentId !== s.dept && (tk.coHandlers || []).includes(s.dept);
  const lead = s.role === 'department' && !isCo;
  /** @type {Record<string, boolean>} */
  const visible = {
    'review-form': op && tk.status === 'in_review' && tk.waitingStep === 'operator' && state.decided !== tk.id,
    // Staff see a returned ticket as returned; citizens as reassigning.
    'reassign-form': op && tk.status === 'returned' && tk.waitingStep === 'operator' && state.decided !== tk.id,
    'accept-form': lead && tk.status === 'dispatched',
    'reply-form': lead && tk.status === 'accepted',
    'extension-form': lead && tk.status === 'accepted' && !tk.extensionRequested,
    'return-form': lead && (tk.status === 'dispatched' || tk.status === 'accepted'),
    'co-form': isCo && (tk.status === 'dispatched' || tk.status === 'accepted'),
    'note-form': true,
  };
  for (const [id, on] of Object.entries(visible)) {
    form(id).hidden = !on;
    clearErrors(form(id));
  }
  if (visible['review-form']) {
    if (!input('review-category').value && tk.category) input('review-category').value = tk.category;
    decisionFields();
  }
}

/** Shows the review inputs of the chosen decision only. */
function decisionFields() {
  const d = /** @type {RadioNodeList} */ (form('review-form').elements.namedItem('decision')).value;
  for (const f of form('review-form').querySelectorAll('[data-for]')) {
    /** @type {HTMLElement} */ (f).hidden = /** @type {HTMLElement} */ (f).dataset.for !== d;
  }
}

/**
 * Posts an action on the open ticket and shows it again.
 * @param {string} name the form's name: its id is name-form, its errors err-name-<field>
 * @param {string} path
 * @param {Record<string, unknown> | undefined} body
 * @param {string} done
 */
async function act(name, path, body, done) {
  const f = form(name + '-form');
  const tk = state.ticket;
  const s = state.session;
  if (!tk || !s) return;
  clearErrors(f);
  // The last message was about the last action.
  banner('');
  await busy(/** @type {HTMLElement} */ (f.querySelector('button[type=submit]')), async () => {
    try {
      await call('POST', '/v1/tickets/' + encodeURIComponent(tk.id) + path, { body, token: s.token });
      if (name === 'review' || name === 'reassign') state.decided = tk.id;
      f.reset();
      await openTicket(tk.id, false);
      banner(t(done));
    } catch (err) {
      showError(f, err, 'err-' + name, (field) => 'err-' + name + '-' + field);
    }
  });
}

/** @param {string} id */
const val = (id) => /** @type {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} */ ($(id)).value.trim();

/** @param {SubmitEvent} ev */
function review(ev) {
  ev.preventDefault();
  const decision = /** @type {RadioNodeList} */ (form('review-form').elements.namedItem('decision')).value;
  /** @type {Record<string, unknown>} */
  const body = { decision };
  if (decision === 'accept') {
    if (val('review-category')) body.category = val('review-category');
    if (val('review-department')) body.departmentId = val('review-department');
    body.urgency = val('review-urgency');
  } else if (decision === 'reject') {
    body.reason = val('review-reason');
  } else if (decision === 'merge') {
    body.mergeInto = val('review-merge').toUpperCase();
  } else {
    body.answer = val('review-answer');
  }
  return act('review', '/review', body, 'review.done');
}

/** @param {SubmitEvent} ev */
function reassign(ev) {
  ev.preventDefault();
  /** @type {Record<string, unknown>} */
  const body = { departmentId: val('reassign-department'), urgency: val('reassign-urgency') };
  if (val('reassign-reason')) body.reason = val('reassign-reason');
  return act('reassign', '/reassign', body, 'reassign.done');
}

// --- language ---------------------------------------------------------------

function applyLang() {
  document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
  document.title = t('c.title');
  translate(document);
  if (state.session) $('whoami').textContent = t('whoami', t('role.' + state.session.role) + (state.session.dept ? ' · ' + state.session.dept : ''));
  if (state.view === 'coming' && state.session) $('coming-text').textContent = t('coming.text', t('role.' + state.session.role));
  if (state.view === 'list') {
    renderList();
    $('list-heading').textContent = state.session?.role === 'department' ? t('inbox.heading', state.session.dept) : t('queue.heading');
  }
  if (state.view === 'detail') renderTicket();
}

// --- start ------------------------------------------------------------------

async function start() {
  $('lang').addEventListener('click', () => {
    setLang(lang() === 'zh' ? 'en' : 'zh');
    // The last message was in the other language.
    banner('');
    applyLang();
  });
  $('signin-role').addEventListener('change', () => {
    $('signin-dept-field').hidden = /** @type {HTMLSelectElement} */ ($('signin-role')).value !== 'department';
  });
  form('signin-form').addEventListener('submit', signIn);
  $('signout').addEventListener('click', () => signOut());
  for (const b of $('inbox-tabs').querySelectorAll('button')) {
    b.addEventListener('click', () => {
      state.tab = /** @type {HTMLElement} */ (b).dataset.tab || 'dispatched';
      void loadList(false);
    });
  }
  $('list-refresh').addEventListener('click', (e) => busy(/** @type {HTMLElement} */ (e.currentTarget), () => loadList(false)));
  $('back').addEventListener('click', async () => {
    show('list');
    banner('');
    await loadList(true);
  });
  for (const r of form('review-form').querySelectorAll('input[name=decision]')) r.addEventListener('change', decisionFields);
  form('review-form').addEventListener('submit', review);
  form('reassign-form').addEventListener('submit', reassign);
  form('accept-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    return act('accept', '/accept', undefined, 'accept.done');
  });
  form('reply-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    return act('reply', '/reply', { result: val('reply-result'), message: val('reply-message') }, 'reply.done');
  });
  form('extension-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    return act('extension', '/extension', { days: Number(val('extension-days')), reason: val('extension-reason') }, 'extension.done');
  });
  form('return-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    return act('return', '/return', { reason: val('return-reason') }, 'return.done');
  });
  form('co-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    return act('co', '/co-opinion', { message: val('co-message') }, 'co.done');
  });
  form('note-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    return act('note', '/notes', { text: val('note-text') }, 'note.done');
  });
  if (!TABS.includes(state.tab)) state.tab = 'dispatched';

  applyLang();
  try {
    state.localMode = Boolean((await loadConfig()).localMode);
  } catch {
    state.localMode = false;
  }
  state.session = loadSession();
  if (state.session) await home();
  else show('signin');
  document.body.dataset.ready = 'true';
}

void start();
