// The staff console starts here: signs in and opens the screen of the role.
// Deployed, staff sign in with the organisation's OpenID Connect provider
// (oidc.js); under `hotline serve`, with the local development sign-in.
// Operators and departments work tickets (work.js); supervisors watch the
// centre (supervisor.js) and admins keep its catalog (admin.js), loaded only
// for them. Plain ES modules (docs/design.md §8: no build step).
import { $, busy, input, form } from '../shared/dom.js';
import { call, loadConfig } from '../shared/api.js';
import { lang, setLang, t, translate } from '../shared/i18n.js';
import { banner, clearErrors, fieldError, loadSession, saveSession, show, showError, signOut, state, whoami } from './core.js';
import * as oidc from './oidc.js';
import * as work from './work.js';

/** @typedef {import('./core.js').Role} Role */

/** The site's sign-in settings (config.json); empty in local mode. */
/** @type {import('./oidc.js').SignInConfig} */
let signInConfig = {};

/**
 * The last sign-in failure, kept as key and args so the language switch
 * can say it again in the other language.
 * @type {{key: string, args: string[]} | null}
 */
let oidcError = null;

/** @param {{key: string, args: string[]} | null} e */
function showOidcError(e) {
  oidcError = e;
  $('err-oidc').textContent = e ? t(e.key, ...e.args) : '';
}

/** Starts the provider's sign-in; the page leaves unless it fails. */
async function startOidc() {
  showOidcError(null);
  await busy($('signin-oidc-start'), async () => {
    try {
      banner(t('oidc.redirecting'));
      await oidc.begin(signInConfig);
    } catch (err) {
      banner('');
      if (!(err instanceof oidc.SignInError)) throw err;
      showOidcError({ key: err.key, args: err.args });
    }
  });
}

/** Back from the provider: redeem the code, or say why not. */
async function finishOidc() {
  show('signin');
  banner(t('oidc.finishing'));
  try {
    saveSession(await oidc.finish(signInConfig));
    banner('');
    await home();
  } catch (err) {
    banner('');
    show('signin');
    if (!(err instanceof oidc.SignInError)) throw err;
    showOidcError({ key: err.key, args: err.args });
    $('signin-oidc-start').focus();
  }
}

/** Sign-out ends the provider's session too when the site names where. */
function signOutEverywhere() {
  const token = state.session?.token || '';
  signOut();
  const to = state.localMode ? null : oidc.endSessionUrl(signInConfig, token);
  if (to) location.assign(to);
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
  if (oidcError) showOidcError(oidcError);
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
  $('signout').addEventListener('click', signOutEverywhere);
  $('signin-oidc-start').addEventListener('click', () => void startOidc());
  work.wire();

  applyLang();
  try {
    const cfg = await loadConfig();
    state.localMode = Boolean(cfg.localMode);
    if (!state.localMode) signInConfig = cfg;
  } catch {
    state.localMode = false;
  }
  const ready = !state.localMode && oidc.configured(signInConfig);
  // A site without sign-in settings says so instead of offering a button
  // that cannot work.
  $('signin-oidc-intro').hidden = !ready;
  $('signin-oidc-start').hidden = !ready;
  $('signin-oidc-missing').hidden = ready;
  state.session = loadSession();
  if (ready && oidc.returning()) await finishOidc();
  else if (state.session) await home();
  else show('signin');
  document.body.dataset.ready = 'true';
}

void start();
