// What every console screen shares: the session, the screens, the page's
// messages and how a refusal is shown, names of departments, and times.
// Role screens (work.js, supervisor.js, admin.js) build on it.
import { $ } from '../shared/dom.js';
import { ApiError, call } from '../shared/api.js';
import { lang, strings, t } from '../shared/i18n.js';
import { consoleStrings } from './strings.js';
import { supervisorStrings } from './supervisor-strings.js';

Object.assign(strings.zh, consoleStrings.zh, supervisorStrings.zh);
Object.assign(strings.en, consoleStrings.en, supervisorStrings.en);

/**
 * @typedef {'operator' | 'department' | 'supervisor' | 'admin'} Role
 * @typedef {{token: string, expiresAt: string, role: Role, dept: string}} Session
 * @typedef {{id: string, name: string, nameEn?: string, region?: string, active: boolean}} Department
 */

const SESSION_KEY = 'hotline.staff';

/**
 * view is the section shown. The open screen sets onStale to reload what a
 * 409 or 410 says has changed under it, and onLang to show itself again in
 * the other language.
 * @type {{session: Session | null, localMode: boolean, view: string,
 *   onStale: (() => Promise<void>) | null, onLang: (() => void) | null}}
 */
export const state = { session: null, localMode: false, view: 'signin', onStale: null, onLang: null };

/** @param {string} iso */
export function when(iso) {
  const d = new Date(iso);
  if (isNaN(d.getTime())) return iso;
  // The hotline's times are China's, wherever the desk is.
  return d.toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' });
}

// Chinese text takes full-width punctuation, English its own.
export const colon = () => (lang() === 'zh' ? '：' : ': ');
/** @param {string} s */
export const paren = (s) => (lang() === 'zh' ? '（' + s + '）' : ' (' + s + ')');

/** @param {string} tag @param {string} text @param {string} [cls] */
export function el(tag, text, cls) {
  const e = document.createElement(tag);
  e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

// --- session ----------------------------------------------------------------

/** @returns {Session | null} */
export function loadSession() {
  try {
    const s = /** @type {Session | null} */ (JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null'));
    if (s && s.token && new Date(s.expiresAt).getTime() > Date.now()) return s;
  } catch {
    // Storage off or garbled: sign in again.
  }
  return null;
}

/** @param {Session | null} s */
export function saveSession(s) {
  try {
    if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // Without storage the session lasts as long as the page.
  }
  state.session = s;
  departments = null;
}

/** @param {string} [message] why the sign-in shows again */
export function signOut(message) {
  saveSession(null);
  state.onStale = null;
  state.onLang = null;
  show('signin');
  banner(message || '', Boolean(message));
}

/** The signed-in role, and the department's name for a department. */
export async function whoami() {
  const s = state.session;
  if (!s) return;
  const dept = s.dept ? await departmentName(s.dept) : '';
  $('whoami').textContent = t('whoami', t('role.' + s.role) + (dept ? ' · ' + dept : ''));
}

// --- departments ------------------------------------------------------------

/** @type {Promise<Department[]> | null} */
let departments = null;

/**
 * The catalog's departments, read once a session (GET /v1/departments);
 * an empty list when they cannot be read, so names fall back to ids.
 * @param {boolean} [fresh] read again, after an admin changed them
 * @returns {Promise<Department[]>}
 */
export function listDepartments(fresh = false) {
  const s = state.session;
  if (!s) return Promise.resolve([]);
  if (!departments || fresh) {
    departments = call('GET', '/v1/departments', { token: s.token })
      .then((got) => /** @type {Department[]} */ (got.departments || []))
      .catch(() => {
        departments = null;
        return [];
      });
  }
  return departments;
}

/** @param {Department} d */
export const nameOf = (d) => (lang() === 'en' && d.nameEn ? d.nameEn : d.name);

/** @param {string} id @returns {Promise<string>} the department's name, or its id */
export async function departmentName(id) {
  const d = (await listDepartments()).find((x) => x.id === id);
  return d ? nameOf(d) : id;
}

/**
 * Fills a <select> with the active departments, keeping its first option
 * (the "choose" or "as routed" one) and what was chosen.
 * @param {HTMLSelectElement} sel
 */
export async function departmentOptions(sel) {
  const chosen = sel.value;
  const keep = sel.options[0]?.value === '' ? [sel.options[0]] : [];
  const opts = (await listDepartments()).filter((d) => d.active).map((d) => {
    const o = document.createElement('option');
    o.value = d.id;
    o.textContent = nameOf(d) + paren(d.id);
    return o;
  });
  sel.replaceChildren(...keep, ...opts);
  sel.value = chosen;
}

// --- screens and messages ---------------------------------------------------

/** Shows one section of the page (by id) and hides the others. */
/** @param {string} name */
export function show(name) {
  state.view = name;
  for (const s of document.querySelectorAll('main > section')) /** @type {HTMLElement} */ (s).hidden = s.id !== name;
  $('session').hidden = name === 'signin';
  if (name === 'signin') {
    $('signin-oidc').hidden = state.localMode;
    /** @type {HTMLElement} */ ($('signin-form')).hidden = !state.localMode;
  }
}

/** @param {string} text @param {boolean} [isError] */
export function banner(text, isError = false) {
  const b = $('status');
  b.textContent = text;
  b.classList.toggle('error', isError);
  b.hidden = !text;
}

/** @param {HTMLElement} scope */
export function clearErrors(scope) {
  for (const e of scope.querySelectorAll('.err')) e.textContent = '';
  for (const e of scope.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
}

/** @param {string} errId @param {string} msg */
export function fieldError(errId, msg) {
  $(errId).textContent = msg;
  const ctl = /** @type {HTMLElement | null} */ (document.querySelector(`[aria-describedby~="${errId}"]`));
  ctl?.setAttribute('aria-invalid', 'true');
  ctl?.focus();
}

/**
 * Shows a refusal: 401 signs out, 409 and 410 say in plain words what
 * happened and reload what changed (state.onStale), fields go next to their
 * inputs, the rest under the form.
 * @param {HTMLElement} scope
 * @param {unknown} err
 * @param {string} formErrId
 * @param {(field: string) => string} errIdOf the error element of a field
 */
export function showError(scope, err, formErrId, errIdOf) {
  if (!(err instanceof ApiError)) {
    $(formErrId).textContent = t('error.generic');
    throw err;
  }
  if (err.status === 401 && state.session) {
    signOut(t('error.401'));
    return;
  }
  if ((err.status === 409 || err.status === 410) && state.onStale) {
    void state.onStale().then(() => banner(t('error.' + err.status) + (err.message ? paren(err.message) : ''), true));
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
