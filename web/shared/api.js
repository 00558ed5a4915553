// The API client the pages share: JSON in and out, the language in
// Accept-Language, errors as RFC 9457 problems (or API Gateway's {message}).
import { lang, t } from './i18n.js';

/**
 * @typedef {{apiUrl: string, issuer?: string, localMode?: boolean, clientId?: string, authorizationEndpoint?: string,
 *   tokenEndpoint?: string, endSessionEndpoint?: string, scope?: string, tokenUse?: 'id' | 'access'}} Config
 * @typedef {{detail: string, fields: Record<string, string>, status: number, code?: string}} Failure
 */

/** @type {Config | null} */
let config = null;

/** @returns {Promise<Config>} */
export async function loadConfig() {
  if (!config) {
    const r = await fetch('/config.json', { cache: 'no-cache' });
    config = /** @type {Config} */ (await r.json());
  }
  return config;
}

/** An answer the API refused; detail and fields are ready to show. */
export class ApiError extends Error {
  /** @param {Failure} f */
  constructor(f) {
    super(f.detail);
    this.status = f.status;
    this.code = f.code;
    this.fields = f.fields;
  }
}

/**
 * Calls the API and returns the JSON answer, or throws ApiError.
 * @param {string} method
 * @param {string} path
 * @param {{body?: unknown, accessCode?: string, token?: string, pageOrigin?: boolean}} [opts]
 *   token is a staff bearer token; pageOrigin sends the request to the
 *   pages' own origin (local mode's sign-in) rather than to the API.
 * @returns {Promise<any>}
 */
export async function call(method, path, opts = {}) {
  const cfg = await loadConfig();
  /** @type {Record<string, string>} */
  const headers = { 'Accept': 'application/json', 'Accept-Language': lang() };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.accessCode) headers['X-Access-Code'] = opts.accessCode;
  if (opts.token) headers['Authorization'] = 'Bearer ' + opts.token;
  let r;
  try {
    r = await fetch((opts.pageOrigin ? '' : cfg.apiUrl) + path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiError({ detail: t('error.network'), fields: {}, status: 0 });
  }
  /** @type {any} */
  let data = null;
  try {
    data = await r.json();
  } catch {
    // An empty or non-JSON answer: the status says enough.
  }
  if (!r.ok) {
    throw new ApiError({
      detail: (data && (data.detail || data.message)) || t('error.generic'),
      fields: (data && data.fields) || {},
      status: r.status,
      code: data && data.code,
    });
  }
  return data;
}
