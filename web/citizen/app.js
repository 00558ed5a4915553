// The citizen page: verify a contact, file a ticket, keep the receipt, look
// the ticket up and act on it. Plain ES module, no framework: the page is
// small, and every byte a phone loads is the citizen's.
import { $, busy, input, select, form } from '../shared/dom.js';
import { ApiError, call } from '../shared/api.js';
import { lang, setLang, t, translate } from '../shared/i18n.js';
import { Picker, gallery } from '../shared/files.js';

/**
 * @typedef {{code: string, name: string, nameEn?: string, types?: string[], children?: Category[]}} Category
 * @typedef {import('../shared/files.js').Attachment} Attachment
 * @typedef {{at: string, status: string, kind: string, note?: string, attachments?: string[]}} TimelineEntry
 * @typedef {{id: string, type: string, category?: string, status: string, statusText: string, createdAt: string,
 *   department?: {id: string, name: string}, deadlines?: {reply?: string}, reply?: {result: string, message: string, at: string},
 *   answer?: string, notice?: string, timeline: TimelineEntry[], attachments?: Attachment[]}} CitizenView
 */

// The types a citizen files here; reports, help and praise come later.
const TYPES = ['complaint', 'consultation', 'suggestion'];

// A short list of Beijing's districts (GB/T 2260, 2020), the seed's city;
// the full division picker comes with the region API.
/** @type {[string, string, string][]} */
const REGIONS = [
  ['110101', '东城区', 'Dongcheng'],
  ['110102', '西城区', 'Xicheng'],
  ['110105', '朝阳区', 'Chaoyang'],
  ['110106', '丰台区', 'Fengtai'],
  ['110107', '石景山区', 'Shijingshan'],
  ['110108', '海淀区', 'Haidian'],
];

// Statuses in which the citizen may still add to or withdraw the ticket, and
// in which they may rate it.
const OPEN = ['received', 'in_review', 'dispatched', 'accepted', 'reassigning'];
const RATABLE = ['replied', 'answered'];


/** @type {{verificationId: string, contact: string, categories: Category[], ticket: CitizenView | null, id: string, accessCode: string, receipt: {id: string, accessCode: string} | null}} */
const state = { verificationId: '', contact: '', categories: [], ticket: null, id: '', accessCode: '', receipt: null };

// The files of the ticket being filed and of the supplement being written;
// made in start(), once the page's elements are there.
/** @type {Picker} */
let ticketFiles;
/** @type {Picker} */
let supplementFiles;

/** @param {string} s */
const isEmail = (s) => s.includes('@');

/** @param {string} iso */
function when(iso) {
  const d = new Date(iso);
  if (isNaN(d.getTime())) return iso;
  // Times are China's: show them in China time, whatever the phone's zone.
  return d.toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' });
}

/** @param {Category} c */
const catName = (c) => (lang() === 'en' && c.nameEn) || c.name;

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

/**
 * Shows a refusal: each of its fields next to the input of that name (or
 * aliased to one), the rest and the detail in the form's own message.
 * @param {HTMLElement} scope
 * @param {unknown} err
 * @param {string} formErrId
 * @param {Record<string, string>} [alias] field path → error element id
 */
function showError(scope, err, formErrId, alias = {}) {
  if (!(err instanceof ApiError)) {
    $(formErrId).textContent = t('error.generic');
    throw err;
  }
  let placed = false;
  for (const [field, msg] of Object.entries(err.fields || {})) {
    const target = document.getElementById(alias[field] || 'err-' + field);
    if (target) {
      target.textContent = msg;
      const ctl = scope.querySelector(`[aria-describedby~="${target.id}"]`);
      ctl?.setAttribute('aria-invalid', 'true');
      if (!placed) /** @type {HTMLElement | null} */ (ctl)?.focus();
      placed = true;
    }
  }
  if (!placed) $(formErrId).textContent = err.message;
}

// --- screens ----------------------------------------------------------------

/** @param {'file' | 'lookup' | 'receipt'} name */
function show(name) {
  for (const s of ['file', 'lookup', 'receipt']) $(s).hidden = s !== name;
  $('tab-file').toggleAttribute('aria-current', name === 'file');
  $('tab-lookup').toggleAttribute('aria-current', name === 'lookup');
  if (name !== 'receipt') {
    $('tab-' + name).setAttribute('aria-current', 'page');
  }
  banner('');
}

// --- filing -----------------------------------------------------------------

function renderTypes() {
  const box = $('types');
  const chosen = form('ticket-form').elements.namedItem('type');
  const current = chosen instanceof RadioNodeList ? chosen.value : 'complaint';
  box.replaceChildren(...TYPES.map((ty) => {
    const l = document.createElement('label');
    const r = document.createElement('input');
    r.type = 'radio';
    r.name = 'type';
    r.value = ty;
    r.checked = ty === (current || 'complaint');
    r.addEventListener('change', renderCategories);
    l.append(r, ' ', t('type.' + ty));
    return l;
  }));
}

function renderCategories() {
  const sel = select('category');
  const keep = sel.value;
  const type = /** @type {RadioNodeList} */ (form('ticket-form').elements.namedItem('type')).value;
  const none = new Option(t('file.category.none'), '');
  const groups = state.categories.map((top) => {
    const g = document.createElement('optgroup');
    g.label = catName(top);
    for (const leaf of top.children || []) {
      if (!leaf.types || leaf.types.includes(type)) g.append(new Option(catName(leaf), leaf.code));
    }
    return g;
  }).filter((g) => g.children.length > 0);
  sel.replaceChildren(none, ...groups);
  sel.value = keep;
  if (sel.value !== keep) sel.value = '';
}

function renderRegions() {
  const sel = select('region');
  const keep = sel.value;
  sel.replaceChildren(new Option(t('file.region.none'), ''),
    ...REGIONS.map(([code, zh, en]) => new Option(lang() === 'en' ? en : zh, code)));
  sel.value = keep;
}

async function loadCategories() {
  try {
    const tree = await call('GET', '/v1/categories');
    state.categories = tree.categories || [];
  } catch (err) {
    banner(err instanceof ApiError ? err.message : t('error.generic'), true);
  }
  renderCategories();
}

/** @param {Event} ev */
async function sendCode(ev) {
  ev.preventDefault();
  const f = form('verify-form');
  clearErrors(f);
  const contact = input('contact').value.trim();
  if (!contact) {
    $('err-contact').textContent = t('verify.needContact');
    input('contact').setAttribute('aria-invalid', 'true');
    input('contact').focus();
    return;
  }
  await busy($('send-code'), async () => {
    try {
      const body = isEmail(contact) ? { email: contact, language: lang() } : { phone: contact, language: lang() };
      const sent = await call('POST', '/v1/verifications', { body });
      state.verificationId = sent.verificationId;
      state.contact = contact;
      $('sent-to').textContent = t('verify.sent', contact);
      $('code-step').hidden = false;
      input('code').focus();
    } catch (err) {
      showError(f, err, 'err-contact', { phone: 'err-contact', email: 'err-contact' });
    }
  });
}

function codeNext() {
  clearErrors(form('verify-form'));
  const code = input('code').value.trim();
  if (!/^[0-9]{6}$/.test(code)) {
    $('err-code').textContent = t('verify.needCode');
    input('code').setAttribute('aria-invalid', 'true');
    input('code').focus();
    return;
  }
  form('verify-form').hidden = true;
  form('ticket-form').hidden = false;
  $('verified-as').textContent = state.contact;
  /** @type {HTMLInputElement | null} */ (form('ticket-form').querySelector('input[name=type]:checked'))?.focus();
}

function changeContact() {
  form('ticket-form').hidden = true;
  form('verify-form').hidden = false;
  input('contact').focus();
}

/** @param {SubmitEvent} ev */
async function fileTicket(ev) {
  ev.preventDefault();
  const f = form('ticket-form');
  clearErrors(f);
  clearErrors(form('verify-form'));
  const v = (/** @type {string} */ id) => input(id).value.trim();
  const contact = isEmail(state.contact) ? { email: state.contact } : { phone: state.contact };
  /** @type {Record<string, unknown>} */
  const body = {
    type: /** @type {RadioNodeList} */ (f.elements.namedItem('type')).value,
    channel: 'web',
    content: /** @type {HTMLTextAreaElement} */ ($('content')).value.trim(),
    language: lang(),
    contact: v('name') ? { ...contact, name: v('name') } : contact,
    verification: { id: state.verificationId, code: v('code') },
  };
  if (select('category').value) body.category = select('category').value;
  if (v('unit')) body.involvedUnit = v('unit');
  if (select('region').value || v('address')) {
    body.location = { ...(select('region').value && { region: select('region').value }), ...(v('address') && { address: v('address') }) };
  }
  await busy($('submit-ticket'), async () => {
    /** @type {string[]} */
    let ids = [];
    try {
      // Files still on their way are waited for: the ticket goes with them.
      // The button says so, as it stays disabled meanwhile.
      if (ticketFiles.pending()) $('submit-ticket').textContent = t('files.waiting');
      ids = await ticketFiles.ids();
      $('submit-ticket').textContent = t('file.submit');
      if (ids.length) body.attachments = ids;
      const receipt = await call('POST', '/v1/tickets', { body });
      ticketFiles.clear();
      state.receipt = { id: receipt.id, accessCode: receipt.accessCode };
      $('receipt-id').textContent = receipt.id;
      $('receipt-code').textContent = receipt.accessCode;
      show('receipt');
      $('receipt-heading').focus();
    } catch (err) {
      // A wrong or stale code belongs to step 1: go back there to fix it.
      if (err instanceof ApiError && (err.code || '').startsWith('verification')) {
        changeContact();
        $('err-code').textContent = err.message;
        input('code').setAttribute('aria-invalid', 'true');
        input('code').focus();
        return;
      }
      if (ticketFiles.refused(err, ids)) {
        $('err-form').textContent = t('files.fix');
        return;
      }
      showError(f, err, 'err-form', {
        'contact.email': 'err-contact', 'contact.phone': 'err-contact', 'contact': 'err-contact',
        'verification.code': 'err-code', 'verification.id': 'err-code', 'verification': 'err-code',
      });
      if (err instanceof ApiError && Object.keys(err.fields || {}).some((k) => k.startsWith('contact.') && k !== 'contact.name' || k.startsWith('verification'))) {
        form('verify-form').hidden = false;
      }
    }
  });
}

// --- looking up -------------------------------------------------------------

/** @param {SubmitEvent} ev */
async function lookUp(ev) {
  ev.preventDefault();
  const f = form('lookup-form');
  clearErrors(f);
  state.id = input('lookup-id').value.trim();
  state.accessCode = input('lookup-code').value.trim().toUpperCase();
  await busy($('lookup-submit'), () => loadTicket(true));
}

/** @param {boolean} focus */
async function loadTicket(focus) {
  const f = form('lookup-form');
  try {
    const got = await call('GET', '/v1/tickets/' + encodeURIComponent(state.id), { accessCode: state.accessCode });
    // Files chosen for a supplement were sent with that ticket's code.
    if (state.ticket?.id !== got.id) supplementFiles.clear();
    state.ticket = got;
    renderTicket();
    if (focus) $('ticket-heading').focus();
  } catch (err) {
    $('ticket').hidden = true;
    // A wrong code and a missing ticket are the same 404, on purpose: say
    // what to check rather than the API's terse detail.
    if (err instanceof ApiError && err.status === 404) {
      $('err-lookup').textContent = t('lookup.notFound');
      return;
    }
    showError(f, err, 'err-lookup', { id: 'err-id' });
  }
}

function renderTicket() {
  const tk = state.ticket;
  if (!tk) return;
  $('ticket').hidden = false;
  $('ticket-heading').textContent = t('ticket.heading', tk.id);
  // statusText and the platform's notes are in the ticket's language; an
  // English reader of a Chinese ticket gets the status words of this page.
  $('ticket-status').textContent = lang() === 'zh' ? tk.statusText : t('status.' + tk.status);
  /** @type {[string, string | undefined][]} */
  const facts = [
    ['ticket.type', t('type.' + tk.type)],
    ['ticket.category', tk.category && categoryName(tk.category)],
    ['ticket.department', tk.department?.name],
    ['ticket.filed', when(tk.createdAt)],
    ['ticket.deadline', tk.deadlines?.reply && when(tk.deadlines.reply)],
  ];
  $('ticket-facts').replaceChildren(...facts.filter(([, v]) => v).flatMap(([k, v]) => {
    const dt = document.createElement('dt');
    dt.textContent = t(k);
    const dd = document.createElement('dd');
    dd.textContent = v || '';
    return [dt, dd];
  }));
  /** @type {[string, string | undefined][]} */
  const texts = [['ticket.notice', tk.notice], ['ticket.answer', tk.answer], ['ticket.reply', tk.reply?.message]];
  $('ticket-texts').replaceChildren(...texts.filter(([, v]) => v).flatMap(([k, v]) => {
    const h = document.createElement('h3');
    h.textContent = t(k);
    const p = document.createElement('p');
    p.className = 'text';
    p.textContent = v || '';
    return [h, p];
  }));
  const files = tk.attachments || [];
  $('ticket-files').hidden = files.length === 0;
  $('ticket-gallery').replaceChildren(gallery(files, null, staleLinks));
  $('timeline').replaceChildren(...tk.timeline.slice().reverse().map((e) => {
    const li = document.createElement('li');
    const time = document.createElement('time');
    time.dateTime = e.at;
    time.textContent = when(e.at);
    const platformNote = e.kind === 'received' || e.kind.startsWith('status.');
    li.append(time, (lang() === 'zh' || !platformNote) && e.note ? e.note : t('status.' + e.status));
    // The files this step brought (the filing, a supplement, the reply).
    if (e.attachments?.length) li.append(gallery(files, e.attachments, staleLinks));
    return li;
  }));
  form('supplement-form').hidden = !OPEN.includes(tk.status);
  form('withdraw-form').hidden = !OPEN.includes(tk.status);
  form('rate-form').hidden = !awaitsRating(tk);
}

/** The view's file links expired: read it again, with fresh ones. */
function staleLinks() {
  void loadTicket(false).then(() => banner(t('files.stale')));
}

/**
 * The answer waits for the citizen's rating: the ticket is in a ratable
 * status and no rating came after it got there. The workflow closes a rated
 * ticket a moment after the rating, so a view read in between still says
 * "replied"; a reopened ticket answered again is ratable again.
 * @param {{status: string, timeline: {kind: string, status: string}[]}} tk
 */
function awaitsRating(tk) {
  if (!RATABLE.includes(tk.status)) return false;
  let rated = -1;
  let answered = -1;
  tk.timeline.forEach((e, i) => {
    if (e.kind === 'rated') rated = i;
    else if (e.kind.startsWith('status.') && RATABLE.includes(e.status)) answered = i;
  });
  return rated < 0 || rated < answered;
}

/** @param {string} code */
function categoryName(code) {
  for (const top of state.categories) {
    for (const leaf of top.children || []) if (leaf.code === code) return catName(leaf);
  }
  return code;
}

/**
 * Posts one of the ticket's actions and shows the ticket again.
 * @param {string} formId
 * @param {string} path
 * @param {Record<string, unknown>} body
 * @param {string} done
 * @param {Record<string, string>} alias
 * @param {Picker} [files] the form's files, waited for and attached
 */
async function act(formId, path, body, done, alias, files) {
  const f = form(formId);
  clearErrors(f);
  const button = /** @type {HTMLButtonElement} */ (f.querySelector('button[type=submit]'));
  await busy(button, async () => {
    /** @type {string[]} */
    let ids = [];
    try {
      if (files) {
        ids = await files.ids();
        if (ids.length) body.attachments = ids;
      }
      const answer = await call('POST', '/v1/tickets/' + encodeURIComponent(state.id) + path, { body, accessCode: state.accessCode });
      f.reset();
      files?.clear();
      await loadTicket(false);
      banner(answer && answer.notice ? answer.notice : (answer && answer.reopened ? t('rate.reopened') : t(done)));
      $('status').scrollIntoView({ block: 'nearest' });
    } catch (err) {
      if (files?.refused(err, ids)) {
        $(Object.values(alias)[0]).textContent = t('files.fix');
        return;
      }
      // Without a field to point at, the message goes under the first input.
      showError(f, err, Object.values(alias)[0], alias);
    }
  });
}

/** @param {SubmitEvent} ev */
function supplement(ev) {
  ev.preventDefault();
  const content = /** @type {HTMLTextAreaElement} */ ($('supplement')).value.trim();
  // Files alone are a supplement too: the content may then be empty.
  return act('supplement-form', '/supplements', { content }, 'supplement.done', { content: 'err-supplement' }, supplementFiles);
}

/** @param {SubmitEvent} ev */
function withdraw(ev) {
  ev.preventDefault();
  // Asked in the page, not with confirm(): a dialog is easy to dismiss by
  // accident on a phone and reads badly with a screen reader.
  const warning = $('withdraw-warning');
  if (warning.hidden) {
    warning.hidden = false;
    $('withdraw-submit').textContent = t('withdraw.yes');
    return;
  }
  warning.hidden = true;
  $('withdraw-submit').textContent = t('withdraw.submit');
  return act('withdraw-form', '/withdrawal', { reason: input('reason').value.trim() }, 'withdraw.done', { reason: 'err-reason' });
}

/** @param {SubmitEvent} ev */
function rate(ev) {
  ev.preventDefault();
  const f = form('rate-form');
  const satisfied = /** @type {RadioNodeList} */ (f.elements.namedItem('satisfied')).value === 'yes';
  /** @type {Record<string, unknown>} */
  const body = { score: Number(select('score').value), satisfied, resolved: input('resolved').checked };
  const comment = /** @type {HTMLTextAreaElement} */ ($('comment')).value.trim();
  if (comment) body.comment = comment;
  return act('rate-form', '/rating', body, 'rate.done', { score: 'err-score', comment: 'err-comment' });
}

// --- language ---------------------------------------------------------------

function applyLang() {
  document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
  document.title = t('title');
  translate(document);
  renderTypes();
  renderCategories();
  renderRegions();
  renderTicket();
  ticketFiles.render();
  supplementFiles.render();
  if (state.contact) $('sent-to').textContent = t('verify.sent', state.contact);
}

// --- start ------------------------------------------------------------------

function start() {
  ticketFiles = new Picker({ input: input('files'), list: $('files-list'), error: $('err-attachments'), purpose: 'ticket', credentials: () => ({}) });
  supplementFiles = new Picker({ input: input('supplement-files'), list: $('supplement-files-list'), error: $('err-supplement-attachments'),
    purpose: 'supplement', credentials: () => ({ ticketId: state.id, accessCode: state.accessCode }) });
  $('lang').addEventListener('click', () => {
    setLang(lang() === 'zh' ? 'en' : 'zh');
    banner('');
    applyLang();
  });
  $('tab-file').addEventListener('click', () => show('file'));
  $('tab-lookup').addEventListener('click', () => show('lookup'));
  // Enter in the contact field sends a code, Enter in the code field goes on:
  // one form, so the browser's own Enter handling does both, and focus
  // moving to step 2 cannot catch a stray key event.
  form('verify-form').addEventListener('submit', (ev) => {
    if ($('code-step').hidden || document.activeElement === input('contact')) return sendCode(ev);
    ev.preventDefault();
    codeNext();
  });
  $('send-code').addEventListener('click', (ev) => {
    ev.preventDefault();
    void sendCode(ev);
  });
  $('change-contact').addEventListener('click', changeContact);
  form('ticket-form').addEventListener('submit', fileTicket);
  form('lookup-form').addEventListener('submit', lookUp);
  form('supplement-form').addEventListener('submit', supplement);
  form('withdraw-form').addEventListener('submit', withdraw);
  form('rate-form').addEventListener('submit', rate);
  $('refresh').addEventListener('click', (e) => busy(/** @type {HTMLElement} */ (e.currentTarget), () => loadTicket(false)));
  $('receipt-view').addEventListener('click', () => {
    if (!state.receipt) return;
    input('lookup-id').value = state.receipt.id;
    input('lookup-code').value = state.receipt.accessCode;
    show('lookup');
    form('lookup-form').requestSubmit();
  });
  $('receipt-another').addEventListener('click', () => {
    form('ticket-form').reset();
    ticketFiles.clear();
    renderTypes();
    renderCategories();
    show('file');
    form('ticket-form').hidden = false;
    /** @type {HTMLTextAreaElement} */ ($('content')).focus();
  });

  applyLang();
  // /?id=<ticket> comes from the messages the platform sends: open the
  // look-up with the id filled in, the access code still to type.
  const id = new URLSearchParams(location.search).get('id');
  if (id) {
    input('lookup-id').value = id;
    show('lookup');
    input('lookup-code').focus();
  } else {
    show('file');
  }
  document.body.dataset.ready = 'true';
  void loadCategories();
}

start();
