// The staff console starts here: signs in and opens the screen of the role.
// Operators and departments work tickets (work.js); supervisors watch the
// centre (supervisor.js) and admins keep its catalog (admin.js), loaded only
// for them. Plain ES modules (docs/design.md §8: no build step).
import { $, busy, input, form } from '../shared/dom.js';
import { call, loadConfig } from '../shared/api.js';
import { lang, setLang, t, translate } from '../shared/i18n.js';
import { banner, clearErrors, fieldError, loadSession, saveSession, show, showError, signOut, state, whoami } from './core.js';
import * as work from './work.js';

/** @typedef {import('./core.js').Role} Role */

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
  state.onStale = null;
  state.onLang = null;
  void whoami();
  if (s.role === 'supervisor') return (await import('./supervisor.js')).open();
  if (s.role === 'admin') return (await import('./admin.js')).open();
  await work.open();
}

function applyLang() {
  document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
  document.title = t('c.title');
  translate(document);
  if (state.session) void whoami();
  if (state.view === 'coming' && state.session) $('coming-text').textContent = t('coming.text', t('role.' + state.session.role));
  state.onLang?.();
}

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
  work.wire();

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
