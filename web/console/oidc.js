// The deployed console's sign-in: OpenID Connect authorization code flow
// with PKCE (RFC 7636, S256), as a public client (no secret in the page).
// `hotline site` puts the provider's endpoints in config.json (read from its
// discovery document when the site is built), so nothing is discovered here
// and the page's CSP names the one token endpoint this module posts to.
//
// The API checks the token (API Gateway's JWT authorizer: signature, iss,
// aud or client_id = JwtAudience, exp); this module only reads role, dept
// and exp from it to open the right screen.
import { strings, t } from '../shared/i18n.js';
import { oidcStrings } from './oidc-strings.js';

Object.assign(strings.zh, oidcStrings.zh);
Object.assign(strings.en, oidcStrings.en);

/**
 * @typedef {import('./core.js').Role} Role
 * @typedef {import('./core.js').Session} Session
 * @typedef {{clientId?: string, authorizationEndpoint?: string, tokenEndpoint?: string,
 *   endSessionEndpoint?: string, scope?: string, tokenUse?: 'id' | 'access'}} SignInConfig
 * @typedef {{state: string, nonce: string, verifier: string, at: number}} Pending
 */

const PENDING_KEY = 'hotline.oidc';
// A sign-in not back within this long starts again (the provider's own
// codes live minutes).
const PENDING_MS = 15 * 60 * 1000;
const ROLES = ['operator', 'department', 'supervisor', 'admin'];

/** A sign-in that failed: key and args of the message to show (t). */
export class SignInError extends Error {
  /** @param {string} key @param {...string} args */
  constructor(key, ...args) {
    super(t(key, ...args));
    this.key = key;
    this.args = args;
  }
}

/** @param {SignInConfig} cfg */
export const configured = (cfg) => Boolean(cfg.clientId && cfg.authorizationEndpoint && cfg.tokenEndpoint);

/** Where the provider sends the person back: the console itself. */
const redirectUri = () => location.origin + '/console/';

/** @param {Uint8Array} bytes */
function b64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** @param {number} n @returns {string} n random bytes, base64url */
const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));

/** @param {string} verifier @returns {Promise<string>} the S256 code challenge */
export async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return b64url(new Uint8Array(digest));
}

/**
 * Sends the browser to the provider's sign-in. The verifier (86 characters:
 * 64 random bytes), state and nonce stay in this tab's sessionStorage until
 * the provider sends the person back.
 * @param {SignInConfig} cfg
 */
export async function begin(cfg) {
  if (!window.crypto?.subtle) throw new SignInError('oidc.error.browser');
  /** @type {Pending} */
  const p = { state: random(32), nonce: random(32), verifier: random(64), at: Date.now() };
  try {
    sessionStorage.setItem(PENDING_KEY, JSON.stringify(p));
  } catch {
    // Without storage the code could not be redeemed on the way back.
    throw new SignInError('oidc.error.browser');
  }
  const u = new URL(/** @type {string} */ (cfg.authorizationEndpoint));
  const q = u.searchParams;
  q.set('response_type', 'code');
  q.set('client_id', /** @type {string} */ (cfg.clientId));
  q.set('redirect_uri', redirectUri());
  q.set('scope', cfg.scope || 'openid');
  q.set('state', p.state);
  q.set('nonce', p.nonce);
  q.set('code_challenge', await challengeOf(p.verifier));
  q.set('code_challenge_method', 'S256');
  location.assign(u.toString());
}

/** Whether this page load is the provider sending the person back. */
export function returning() {
  const q = new URLSearchParams(location.search);
  return q.has('state') && (q.has('code') || q.has('error'));
}

/** @returns {Pending | null} the sign-in this tab started, used once */
function takePending() {
  try {
    const p = /** @type {Pending | null} */ (JSON.parse(sessionStorage.getItem(PENDING_KEY) || 'null'));
    sessionStorage.removeItem(PENDING_KEY);
    return p;
  } catch {
    return null;
  }
}

/**
 * Finishes the sign-in the provider sent the person back from: checks the
 * state, redeems the code with the verifier, and returns the session of the
 * token the API takes. The address loses the code either way.
 * @param {SignInConfig} cfg
 * @returns {Promise<Session>}
 */
export async function finish(cfg) {
  const q = new URLSearchParams(location.search);
  // The code is single-use and worthless without the verifier, but it
  // should not stay in the history or be bookmarked.
  history.replaceState(null, '', location.pathname);
  const pending = takePending();
  if (!pending || pending.state !== q.get('state') || Date.now() - pending.at > PENDING_MS) {
    throw new SignInError('oidc.error.state');
  }
  const error = q.get('error');
  if (error) {
    if (error === 'access_denied') throw new SignInError('oidc.error.denied');
    throw new SignInError('oidc.error.provider', q.get('error_description') || error);
  }
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: q.get('code') || '',
    redirect_uri: redirectUri(),
    client_id: /** @type {string} */ (cfg.clientId),
    code_verifier: pending.verifier,
  });
  let r;
  try {
    r = await fetch(/** @type {string} */ (cfg.tokenEndpoint), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'application/json' },
      body,
      // The code is the credential; no cookies of the provider's are needed.
      credentials: 'omit',
    });
  } catch {
    throw new SignInError('oidc.error.network');
  }
  /** @type {any} */
  let got = null;
  try {
    got = await r.json();
  } catch {
    // A non-JSON answer: the status says enough.
  }
  if (!r.ok) {
    // RFC 6749 §5.2: {error, error_description}.
    const why = (got && (got.error_description || got.error)) || String(r.status);
    throw new SignInError('oidc.error.token', why);
  }
  const use = cfg.tokenUse === 'access' ? 'access' : 'id';
  const token = got && (use === 'id' ? got.id_token : got.access_token);
  if (typeof token !== 'string') throw new SignInError('oidc.error.badToken');
  return sessionOf(token, use === 'id' ? pending.nonce : '');
}

/**
 * Reads the claims the console needs; the signature is the API's to check.
 * An ID token must carry the nonce this tab sent, so a token from another
 * sign-in cannot be slipped in.
 * @param {string} token
 * @param {string} nonce
 * @returns {Session}
 */
function sessionOf(token, nonce) {
  /** @type {any} */
  let claims;
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(part + '='.repeat((4 - (part.length % 4)) % 4));
    claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  } catch {
    throw new SignInError('oidc.error.badToken');
  }
  if (!claims || typeof claims !== 'object' || typeof claims.exp !== 'number' || (nonce && claims.nonce !== nonce)) {
    throw new SignInError('oidc.error.badToken');
  }
  const role = claims.role;
  if (!ROLES.includes(role)) throw new SignInError('oidc.error.noRole');
  const dept = typeof claims.dept === 'string' ? claims.dept : '';
  if (role === 'department' && !dept) throw new SignInError('oidc.error.noDept');
  if (claims.exp * 1000 <= Date.now()) throw new SignInError('oidc.error.expired');
  return { token, expiresAt: new Date(claims.exp * 1000).toISOString(), role: /** @type {Role} */ (role), dept: role === 'department' ? dept : '' };
}

/**
 * Where sign-out sends the browser so the provider's session ends too, or
 * null when the site names no end_session_endpoint. The parameters are RP-
 * initiated logout's (OpenID Connect RP-Initiated Logout 1.0), plus
 * logout_uri, which Cognito's /logout wants instead.
 * @param {SignInConfig} cfg
 * @param {string} token the session's token, a hint when it is the ID token
 */
export function endSessionUrl(cfg, token) {
  if (!cfg.endSessionEndpoint) return null;
  const u = new URL(cfg.endSessionEndpoint);
  u.searchParams.set('client_id', cfg.clientId || '');
  u.searchParams.set('post_logout_redirect_uri', redirectUri());
  u.searchParams.set('logout_uri', redirectUri());
  if (cfg.tokenUse !== 'access' && token) u.searchParams.set('id_token_hint', token);
  return u.toString();
}
