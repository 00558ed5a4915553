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
 * @typedef {{body?: unknown, accessCode?: string, token?: string, pageOrigin?: boolean, headers?: Record<string, string>}} CallOptions
 *   token is a staff bearer token; pageOrigin sends the request to the
 *   pages' own origin (local mode's sign-in) rather than to the API;
 *   headers are sent as well (If-Match on an admin's edit).
 */

/**
 * Calls the API and returns the JSON answer, or throws ApiError.
 * @param {string} method
 * @param {string} path
 * @param {CallOptions} [opts]
 * @returns {Promise<any>}
 */
export async function call(method, path, opts = {}) {
  return (await request(method, path, opts)).data;
}

/**
 * Calls the API and returns the JSON answer with the response's ETag (the
 * catalog's version an admin's edit names in If-Match), or throws ApiError.
 * @param {string} method
 * @param {string} path
 * @param {CallOptions} [opts]
 * @returns {Promise<{data: any, etag: string}>}
 */
export async function callWithETag(method, path, opts = {}) {
  return request(method, path, opts);
}

/**
 * @param {string} method
 * @param {string} path
 * @param {CallOptions} opts
 * @returns {Promise<{data: any, etag: string}>}
 */
async function request(method, path, opts) {
  const cfg = await loadConfig();
  /** @type {Record<string, string>} */
  const headers = { ...opts.headers, 'Accept': 'application/json', 'Accept-Language': lang() };
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
  return { data, etag: r.headers.get('ETag') || '' };
}

/**
 * Fetches a file the API makes (an export) and returns it with the name the
 * API gives it in Content-Disposition, or fallback; throws ApiError as call()
 * does. JSON answers stay with call().
 * @param {string} path
 * @param {{token: string, accept: string, fallback: string}} opts
 *   accept is the media type asked for (text/csv, or the XLSX type)
 * @returns {Promise<{blob: Blob, name: string}>}
 */
export async function download(path, opts) {
  const cfg = await loadConfig();
  let r;
  try {
    r = await fetch(cfg.apiUrl + path, {
      headers: { 'Accept': opts.accept, 'Accept-Language': lang(), 'Authorization': 'Bearer ' + opts.token },
    });
  } catch {
    throw new ApiError({ detail: t('error.network'), fields: {}, status: 0 });
  }
  if (!r.ok) {
    /** @type {any} */
    let data = null;
    try {
      data = await r.json();
    } catch {
      // Not a problem document: the status says enough.
    }
    throw new ApiError({
      detail: (data && (data.detail || data.message)) || t('error.generic'),
      fields: (data && data.fields) || {},
      status: r.status,
      code: data && data.code,
    });
  }
  const cd = r.headers.get('Content-Disposition') || '';
  const m = /filename\*=UTF-8''([^;]+)|filename="?([^";]+)"?/i.exec(cd);
  let name = opts.fallback;
  if (m) {
    try {
      name = m[1] ? decodeURIComponent(m[1]) : m[2];
    } catch {
      // A garbled name: keep the fallback.
    }
  }
  return { blob: await r.blob(), name };
}
