// Photos and files on tickets, for both pages. A picker uploads each chosen
// file at once (POST /v1/uploads, the presigned POST straight to the bucket,
// then the check that cleans it) and shows it as a tile with the cleaned
// thumbnail or the API's verdict, so a refusal is seen before submitting;
// a gallery shows a ticket's attachments from its view.
import { ApiError, call } from './api.js';
import { strings, t } from './i18n.js';

/**
 * @typedef {{id: string, contentType: string, size: number, name?: string, width?: number, height?: number,
 *   purpose?: string, from?: string, at?: string, url: string, thumbnailUrl?: string, expiresAt: string}} Attachment
 * @typedef {{ticketId?: string, accessCode?: string, token?: string}} Credentials
 *   what entitles the caller to upload: an access code (supplement) or a
 *   staff token (reply), with the ticket's id
 * @typedef {{key: number, file: File, type: string, name: string,
 *   state: 'uploading' | 'checking' | 'ready' | 'refused', progress: number, uploadId: string,
 *   preview: Attachment | null, message: string, done: Promise<void>}} Item
 */

export const ACCEPT = 'image/jpeg,image/png,image/heic,image/heif,image/webp,application/pdf';
export const MAX_FILES = 9;
const MAX_BYTES = 20 * 1024 * 1024;

/** @type {Record<string, string>} extension → type, for browsers that give none */
const BY_EXTENSION = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', jpe: 'image/jpeg', png: 'image/png', heic: 'image/heic', heif: 'image/heif',
  webp: 'image/webp', pdf: 'application/pdf',
};

/**
 * The file's type as the API names it. Some browsers give "" for HEIC
 * (or an odd alias such as image/jpg); the extension then decides. The
 * API checks the content anyway: this only picks the form to ask for.
 * @param {File} file
 */
export function fileType(file) {
  const ty = (file.type || '').toLowerCase();
  if (ty === 'image/jpg' || ty === 'image/pjpeg') return 'image/jpeg';
  if (ACCEPT.split(',').includes(ty)) return ty;
  const ext = (/\.([a-z0-9]+)$/i.exec(file.name)?.[1] || '').toLowerCase();
  return BY_EXTENSION[ext] || ty;
}

/**
 * The name to send: the API refuses names with slashes, "..", control or
 * direction characters, or over 255 bytes; such parts go rather than the
 * whole upload.
 * @param {string} name
 */
function cleanName(name) {
  let n = name.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').replace(/[/\\]/g, '_').replace(/\.{2,}/g, '.').trim();
  while (new TextEncoder().encode(n).length > 200) n = n.slice(0, -1);
  return n;
}

/** @param {number} n bytes */
export function size(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return Math.round(n / 1024) + ' KB';
  return (n / 1024 / 1024).toFixed(1) + ' MB';
}

/**
 * Why the API refused a file, in the page's language: the reason code it
 * names (fields "attachments[i]") when this page knows it, else its detail
 * without the field's prefix.
 * @param {unknown} err
 */
export function refusal(err) {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : t('error.generic');
  const reason = Object.entries(err.fields || {}).find(([k]) => k.startsWith('attachments'))?.[1] || '';
  if (strings.zh['files.reason.' + reason]) return t('files.reason.' + reason);
  return err.message.replace(/^attachments\[\d+\]:\s*/, '');
}

/** @param {string} contentType */
const isImage = (contentType) => contentType.startsWith('image/');

/**
 * Sends the file to the bucket with the presigned form: every field, then
 * the file last (S3 ignores fields after it). XMLHttpRequest rather than
 * fetch for the upload's progress, which a 20 MB photo on a phone needs.
 * @param {{url: string, fields: Record<string, string>}} form
 * @param {File} file
 * @param {(fraction: number) => void} onProgress
 * @returns {Promise<void>} rejects with the message to show
 */
function post(form, file, onProgress) {
  const body = new FormData();
  for (const [k, v] of Object.entries(form.fields || {})) body.append(k, v);
  body.append('file', file);
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', form.url);
    x.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    x.addEventListener('load', () => {
      if (x.status >= 200 && x.status < 300) return resolve();
      // S3 refuses in XML: <Code>EntityTooLarge</Code>, AccessDenied when
      // the type or the form's life is not what the policy allows.
      const code = /<Code>([^<]+)<\/Code>/.exec(x.responseText || '')?.[1] || '';
      reject(new Error(code === 'EntityTooLarge' || code === 'EntityTooSmall' ? t('files.tooLarge') : t('files.notAccepted')));
    });
    x.addEventListener('error', () => reject(new Error(t('error.network'))));
    x.addEventListener('abort', () => reject(new Error(t('error.network'))));
    x.send(body);
  });
}

/** A file picker whose files are uploaded and checked as they are chosen. */
export class Picker {
  /**
   * @param {{input: HTMLInputElement, list: HTMLElement, error: HTMLElement, purpose: 'ticket' | 'supplement' | 'reply',
   *   credentials: () => Credentials}} o
   */
  constructor(o) {
    this.o = o;
    /** @type {Item[]} */
    this.items = [];
    this.seq = 0;
    o.input.accept = ACCEPT;
    o.input.multiple = true;
    o.input.addEventListener('change', () => {
      const files = [...(o.input.files || [])];
      // Cleared so the same file can be chosen again after removing it.
      o.input.value = '';
      this.add(files);
    });
  }

  /** @param {File[]} files */
  add(files) {
    this.o.error.textContent = '';
    for (const file of files) {
      const kept = this.items.filter((i) => i.state !== 'refused').length;
      /** @type {Item} */
      const item = { key: ++this.seq, file, type: fileType(file), name: file.name, state: 'uploading', progress: 0,
        uploadId: '', preview: null, message: '', done: Promise.resolve() };
      this.items.push(item);
      if (kept >= MAX_FILES) {
        this.refuse(item, t('files.tooMany', String(MAX_FILES)));
      } else if (!ACCEPT.split(',').includes(item.type)) {
        this.refuse(item, t('files.notAccepted'));
      } else if (file.size > MAX_BYTES) {
        this.refuse(item, t('files.tooLarge'));
      } else if (file.size === 0) {
        this.refuse(item, t('files.empty'));
      } else {
        item.done = this.upload(item);
      }
    }
    this.render();
  }

  /** @param {Item} item */
  async upload(item) {
    const c = this.o.credentials();
    try {
      /** @type {Record<string, unknown>} */
      const body = { contentType: item.type, size: item.file.size, purpose: this.o.purpose };
      const name = cleanName(item.name);
      if (name) body.name = name;
      if (c.ticketId) body.ticketId = c.ticketId;
      // A new ticket's files go without the verification: its code is only
      // checked on submitting, and a mistyped one would refuse every file.
      const form = await call('POST', '/v1/uploads', { body, accessCode: c.accessCode, token: c.token });
      if (!this.items.includes(item)) return;
      item.uploadId = form.uploadId;
      await post(form, item.file, (f) => {
        item.progress = f;
        this.renderProgress(item);
      });
      if (!this.items.includes(item)) return;
      item.state = 'checking';
      this.render();
      item.preview = await call('POST', '/v1/uploads/' + encodeURIComponent(item.uploadId) + '/check');
      item.state = 'ready';
    } catch (err) {
      this.refuse(item, refusal(err));
      return;
    }
    this.render();
  }

  /** @param {Item} item @param {string} message */
  refuse(item, message) {
    item.state = 'refused';
    item.message = message;
    this.render();
  }

  /**
   * The ids of the files to attach, once every upload has ended; refused
   * files are left out (their tiles say why).
   * @returns {Promise<string[]>}
   */
  async ids() {
    await Promise.all(this.items.map((i) => i.done));
    return this.items.filter((i) => i.state === 'ready').map((i) => i.uploadId);
  }

  /** Whether a file is still on its way. */
  pending() {
    return this.items.some((i) => i.state === 'uploading' || i.state === 'checking');
  }

  /**
   * Marks the file a body's refusal names (fields "attachments[i]", i in
   * the ids sent) as refused; true when the refusal was about files.
   * @param {unknown} err
   * @param {string[]} sent
   */
  refused(err, sent) {
    if (!(err instanceof ApiError)) return false;
    let found = false;
    for (const field of Object.keys(err.fields || {})) {
      const m = /^attachments(?:\[(\d+)\])?$/.exec(field);
      if (!m) continue;
      found = true;
      const item = m[1] === undefined ? null : this.items.find((i) => i.uploadId === sent[Number(m[1])]);
      if (item) this.refuse(item, refusal(err));
      else this.o.error.textContent = refusal(err);
    }
    return found;
  }

  clear() {
    this.items = [];
    this.o.error.textContent = '';
    this.render();
  }

  /** @param {Item} item */
  remove(item) {
    const i = this.items.indexOf(item);
    this.items.splice(i, 1);
    this.render();
    // Focus stays in the list: on the next tile's button, else the picker.
    const buttons = this.o.list.querySelectorAll('button');
    /** @type {HTMLElement} */ (buttons[Math.min(i, buttons.length - 1)] || this.o.input).focus();
  }

  /** @param {Item} item */
  renderProgress(item) {
    const bar = /** @type {HTMLProgressElement | null} */ (this.o.list.querySelector(`li[data-key="${item.key}"] progress`));
    if (bar) bar.value = Math.round(item.progress * 100);
  }

  render() {
    this.o.list.replaceChildren(...this.items.map((item, n) => {
      const li = document.createElement('li');
      li.className = 'file';
      li.dataset.key = String(item.key);
      li.dataset.state = item.state;
      const p = item.preview;
      if (item.state === 'ready' && p && p.thumbnailUrl) {
        li.append(thumb(p.thumbnailUrl, p.name || item.name || t('files.photo', String(n + 1))));
      } else {
        li.append(badge(item.state === 'refused' ? '!' : isImage(item.type) ? t('files.photoBadge') : 'PDF'));
      }
      const about = document.createElement('div');
      about.className = 'about';
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = item.name || t('files.photo', String(n + 1));
      const status = document.createElement('span');
      status.className = item.state === 'refused' ? 'err' : 'meta';
      if (item.state === 'uploading') {
        const bar = document.createElement('progress');
        bar.max = 100;
        bar.value = Math.round(item.progress * 100);
        bar.setAttribute('aria-label', t('files.uploading', item.name));
        status.append(t('files.state.uploading'), ' ', bar);
      } else {
        status.textContent = item.state === 'refused' ? item.message
          : item.state === 'checking' ? t('files.state.checking') : t('files.state.ready') + ' · ' + size(p ? p.size : item.file.size);
      }
      about.append(name, status);
      const rm = document.createElement('button');
      rm.type = 'button';
      rm.className = 'link remove';
      rm.textContent = t('files.remove');
      rm.setAttribute('aria-label', t('files.removeNamed', item.name || t('files.photo', String(n + 1))));
      rm.addEventListener('click', () => this.remove(item));
      li.append(about, rm);
      return li;
    }));
    this.o.list.hidden = this.items.length === 0;
  }
}

/** @param {string} src @param {string} alt */
function thumb(src, alt) {
  const img = document.createElement('img');
  img.src = src;
  img.alt = alt;
  img.width = 96;
  img.height = 96;
  img.loading = 'lazy';
  img.decoding = 'async';
  return img;
}

/** @param {string} text */
function badge(text) {
  const b = document.createElement('span');
  b.className = 'badge';
  b.setAttribute('aria-hidden', 'true');
  b.textContent = text;
  return b;
}

/** Whether a link of this list has expired (with a minute's margin). @param {Attachment[]} atts */
export function expired(atts) {
  const now = Date.now() + 60_000;
  return atts.some((a) => Date.parse(a.expiresAt) < now);
}

/**
 * A ticket's photos (thumbnails opening the full image in a new tab) and
 * documents (links downloading them under their names). Links are
 * short-lived: a click on an expired one calls onStale to read the view
 * again instead, and so does a thumbnail that no longer loads.
 * @param {Attachment[]} all the view's attachments, which number the photos
 * @param {string[] | null} only the ids to show (a timeline entry's), or all
 * @param {() => void} onStale
 */
export function gallery(all, only, onStale) {
  const ul = document.createElement('ul');
  ul.className = 'gallery';
  // Photos are numbered in the ticket's order, and shown before the
  // documents, which take a line each.
  const number = new Map(all.filter((a) => isImage(a.contentType)).map((a, i) => [a.id, i + 1]));
  const shown = all.filter((a) => !only || only.includes(a.id));
  for (const a of [...shown.filter((x) => isImage(x.contentType)), ...shown.filter((x) => !isImage(x.contentType))]) {
    const li = document.createElement('li');
    const link = document.createElement('a');
    link.href = a.url;
    link.target = '_blank';
    link.rel = 'noopener';
    link.addEventListener('click', (ev) => {
      if (!expired([a])) return;
      ev.preventDefault();
      onStale();
    });
    if (isImage(a.contentType)) {
      const label = a.name || t('files.photo', String(number.get(a.id)));
      const img = thumb(a.thumbnailUrl || a.url, label);
      img.addEventListener('error', () => {
        if (expired([a])) onStale();
      }, { once: true });
      link.append(img);
      link.title = label;
      li.className = 'photo';
    } else {
      link.append(badge('PDF'), ' ', a.name || t('files.document'), ' ');
      const s = document.createElement('span');
      s.className = 'meta';
      s.textContent = '(' + size(a.size) + ')';
      link.append(s);
      li.className = 'doc';
    }
    li.append(link);
    ul.append(li);
  }
  return ul;
}
