// The operator's and the department's screens: the review queue or the
// inbox, one ticket with the actions the role may take on it. The
// supervisor's screens open tickets here too (openFrom) and list them as
// these lists do (ticketItem).
import { $, busy, input, form } from '../shared/dom.js';
import { call } from '../shared/api.js';
import { strings, t } from '../shared/i18n.js';
import { Picker, gallery } from '../shared/files.js';
import { banner, clearErrors, colon, fieldError, departmentName, departmentOptions, el, paren, show, showError, state as shared, when } from './core.js';

/**
 * @typedef {{id: string, type: string, category?: string, categoryName?: string, status: string, createdAt: string,
 *   departmentId?: string, replyBy?: string, overdue: boolean, escalated?: boolean, reviewReason?: string,
 *   suspectedEmergency?: string[], phoneCallNeeded?: string, urgency?: string, role?: string, extensionRequested?: boolean,
 *   waitingStep?: string}} Summary
 * @typedef {import('../shared/files.js').Attachment} Attachment
 * @typedef {{at: string, kind: string, actorRole: string, actorId?: string, note?: string, status: string,
 *   attachments?: string[]}} StaffEvent
 * @typedef {Summary & {content?: string, involvedUnit?: string, location?: {region?: string, address?: string},
 *   contact?: {phone?: string, email?: string, name?: string}, departmentName?: string, coHandlers?: string[],
 *   deadlines?: {reply?: string}, reply?: {result: string, message: string}, answer?: string, timeline?: StaffEvent[],
 *   extension?: {days: number, reason: string, decision?: string}, attachments?: Attachment[]}} StaffView
 */

const TABS = ['dispatched', 'accepted', 'overdue', 'co', 'returned'];

/**
 * decided is the ticket this page last sent a review or reassignment for:
 * the workflow moves it on a moment later, and until then its status still
 * asks for the decision already made. back is where "back" returns to when
 * another screen (the supervisor's) opened the ticket.
 * @type {{tab: string, list: Summary[], ticket: StaffView | null, decided: string,
 *   back: (() => Promise<void>) | null}}
 */
const state = { tab: 'dispatched', list: [], ticket: null, decided: '', back: null };

// The files of the reply being written; made in wire().
/** @type {Picker} */
let replyFiles;

/** Opens the role's list: the review queue, or the department's inbox. */
export async function open() {
  shared.onStale = async () => {
    if (state.ticket) await openTicket(state.ticket.id, false);
  };
  shared.onLang = rerender;
  state.ticket = null;
  state.back = null;
  show('list');
  void departmentOptions(/** @type {HTMLSelectElement} */ ($('review-department')));
  void departmentOptions(/** @type {HTMLSelectElement} */ ($('reassign-department')));
  await loadList(true);
}

/** @returns {Promise<string>} */
async function listHeading() {
  const s = shared.session;
  return s?.role === 'department' ? t('inbox.heading', await departmentName(s.dept)) : t('queue.heading');
}

// --- lists ------------------------------------------------------------------

/** @param {boolean} focus */
async function loadList(focus) {
  const s = shared.session;
  if (!s) return;
  const isDept = s.role === 'department';
  $('inbox-tabs').hidden = !isDept;
  for (const b of $('inbox-tabs').querySelectorAll('button')) {
    const on = /** @type {HTMLElement} */ (b).dataset.tab === state.tab;
    if (on) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  $('list-heading').textContent = await listHeading();
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

/**
 * A ticket in a list: its id (a button that opens it), what it is, its
 * flags, when it was filed and is due.
 * @param {Summary} tk
 * @param {(id: string) => void} onOpen
 * @param {[string, boolean][]} [more] flags the caller adds
 */
export function ticketItem(tk, onOpen, more = []) {
  const li = document.createElement('li');
  li.dataset.id = tk.id;
  if (tk.urgency === 'urgent' || tk.suspectedEmergency?.length) li.className = 'urgent';
  const open = /** @type {HTMLButtonElement} */ (el('button', tk.id, 'link mono'));
  open.type = 'button';
  open.setAttribute('aria-label', t('open', tk.id));
  open.addEventListener('click', () => onOpen(tk.id));
  const what = [t('type.' + tk.type), tk.categoryName || tk.category, t('status.' + tk.status)].filter(Boolean).join(' · ');
  const meta = [t('list.filed', when(tk.createdAt)), tk.replyBy ? t('list.replyBy', when(tk.replyBy)) : ''].filter(Boolean).join('　');
  li.append(open, el('p', what), flagList([...flags(tk), ...more]), el('p', meta, 'meta'));
  return li;
}

function renderList() {
  $('tickets').replaceChildren(...state.list.map((tk) => ticketItem(tk, (id) => openTicket(id, true))));
  const empty = state.list.length === 0;
  $('list-empty').hidden = !empty;
  $('list-empty').textContent = shared.session?.role === 'department' ? t('inbox.empty') : t('queue.empty');
}

// --- one ticket -------------------------------------------------------------

/**
 * Opens a ticket from another screen; "back" returns there with back().
 * @param {string} id
 * @param {() => Promise<void>} back
 */
export async function openFrom(id, back) {
  state.back = back;
  await openTicket(id, true);
  // Refused (the message is on the other screen): that screen stays in charge.
  if (shared.view !== 'detail') {
    state.back = null;
    return;
  }
  shared.onStale = async () => {
    if (state.ticket) await openTicket(state.ticket.id, false);
  };
  shared.onLang = rerender;
}

/** @param {string} id @param {boolean} focus */
async function openTicket(id, focus) {
  const s = shared.session;
  if (!s) return;
  try {
    const got = await call('GET', '/v1/tickets/' + encodeURIComponent(id), { token: s.token });
    // A reply's files belong to the ticket they were chosen for.
    if (state.ticket?.id !== got.id) replyFiles.clear();
    state.ticket = got;
    show('detail');
    banner('');
    renderTicket();
    if (focus) $('d-heading').focus();
  } catch (err) {
    // The supervisor opens tickets from its own section, with its own message.
    const formErr = shared.view === 'detail' ? 'err-detail' : shared.view === 'supervisor' ? 'err-sup' : 'err-list';
    showError($(shared.view), err, formErr, () => '');
  }
}

function renderTicket() {
  const tk = state.ticket;
  const s = shared.session;
  if (!tk || !s) return;
  $('d-heading').textContent = t('d.heading', tk.id);
  $('back').textContent = t(state.back ? 'back.supervisor' : 'back');
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
  const files = tk.attachments || [];
  $('d-files').hidden = files.length === 0;
  $('d-gallery').replaceChildren(gallery(files, null, staleLinks));
  $('d-timeline').replaceChildren(...(tk.timeline || []).slice().reverse().map((e) => {
    const li = document.createElement('li');
    const time = el('time', when(e.at));
    /** @type {HTMLTimeElement} */ (time).dateTime = e.at;
    const status = t('status.' + e.status);
    li.append(time, el('span', e.note && e.note !== status ? status + colon() + e.note : status), ' ',
      el('span', paren(strings.zh['role.' + e.actorRole] ? t('role.' + e.actorRole) : e.actorRole), 'who'));
    // The files this step brought: the filing, a supplement, the reply.
    if (e.attachments?.length) li.append(gallery(files, e.attachments, staleLinks));
    return li;
  }));
  $('err-detail').textContent = '';

  const op = s.role === 'operator';
  const isCo = s.role === 'department' && tk.departmentId !== s.dept && (tk.coHandlers || []).includes(s.dept);
  const lead = s.role === 'department' && !isCo;
  // The centre decides a department's request for more time.
  const centre = s.role === 'operator' || s.role === 'supervisor' || s.role === 'admin';
  /** @type {Record<string, boolean>} */
  const visible = {
    'review-form': op && tk.status === 'in_review' && tk.waitingStep === 'operator' && state.decided !== tk.id,
    // Staff see a returned ticket as returned; citizens as reassigning.
    'reassign-form': op && tk.status === 'returned' && tk.waitingStep === 'operator' && state.decided !== tk.id,
    'accept-form': lead && tk.status === 'dispatched',
    'reply-form': lead && tk.status === 'accepted',
    'extension-form': lead && tk.status === 'accepted' && !tk.extensionRequested,
    'extension-decision-form': centre && Boolean(tk.extensionRequested),
    'return-form': lead && (tk.status === 'dispatched' || tk.status === 'accepted'),
    'co-form': isCo && (tk.status === 'dispatched' || tk.status === 'accepted'),
    'note-form': true,
  };
  for (const [id, on] of Object.entries(visible)) {
    form(id).hidden = !on;
    clearErrors(form(id));
  }
  if (visible['extension-decision-form'] && tk.extension) {
    $('extdec-request').textContent = t('extdec.request', String(tk.extension.days), tk.extension.reason);
  }
  if (visible['review-form']) {
    if (!input('review-category').value && tk.category) input('review-category').value = tk.category;
    decisionFields();
  }
}

/** The view's file links expired: read it again, with fresh ones. */
function staleLinks() {
  const tk = state.ticket;
  if (tk) void openTicket(tk.id, false).then(() => banner(t('files.stale')));
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
 * @param {Picker} [files] the form's files, waited for and attached
 */
async function act(name, path, body, done, files) {
  const f = form(name + '-form');
  const tk = state.ticket;
  const s = shared.session;
  if (!tk || !s) return;
  clearErrors(f);
  // The last message was about the last action.
  banner('');
  await busy(/** @type {HTMLElement} */ (f.querySelector('button[type=submit]')), async () => {
    /** @type {string[]} */
    let ids = [];
    try {
      if (files && body) {
        ids = await files.ids();
        if (ids.length) body.attachments = ids;
      }
      await call('POST', '/v1/tickets/' + encodeURIComponent(tk.id) + path, { body, token: s.token });
      if (name === 'review' || name === 'reassign') state.decided = tk.id;
      f.reset();
      files?.clear();
      await openTicket(tk.id, false);
      banner(t(done));
    } catch (err) {
      if (files?.refused(err, ids)) {
        $('err-' + name).textContent = t('files.fix');
        return;
      }
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

function rerender() {
  if (shared.view === 'list') {
    renderList();
    void listHeading().then((h) => ($('list-heading').textContent = h));
  }
  if (shared.view === 'detail') renderTicket();
  replyFiles.render();
  void departmentOptions(/** @type {HTMLSelectElement} */ ($('review-department')));
  void departmentOptions(/** @type {HTMLSelectElement} */ ($('reassign-department')));
}

/** Wires the list's and the ticket's controls, once. */
export function wire() {
  replyFiles = new Picker({ input: input('reply-files'), list: $('reply-files-list'), error: $('err-reply-attachments'), purpose: 'reply',
    credentials: () => ({ ticketId: state.ticket?.id, token: shared.session?.token }) });
  for (const b of $('inbox-tabs').querySelectorAll('button')) {
    b.addEventListener('click', () => {
      state.tab = /** @type {HTMLElement} */ (b).dataset.tab || 'dispatched';
      void loadList(false);
    });
  }
  $('list-refresh').addEventListener('click', (e) => busy(/** @type {HTMLElement} */ (e.currentTarget), () => loadList(false)));
  $('back').addEventListener('click', async () => {
    const back = state.back;
    if (back) {
      state.back = null;
      state.ticket = null;
      return back();
    }
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
    return act('reply', '/reply', { result: val('reply-result'), message: val('reply-message') }, 'reply.done', replyFiles);
  });
  form('extension-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    return act('extension', '/extension', { days: Number(val('extension-days')), reason: val('extension-reason') }, 'extension.done');
  });
  // A reason asked for a rejection is not asked for an approval.
  for (const r of form('extension-decision-form').querySelectorAll('input[name=approve]')) {
    r.addEventListener('change', () => clearErrors(form('extension-decision-form')));
  }
  form('extension-decision-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const approve = /** @type {RadioNodeList} */ (form('extension-decision-form').elements.namedItem('approve')).value === 'true';
    const reason = val('extension-decision-reason');
    // Said here at once; the API says the same.
    if (!approve && !reason) {
      clearErrors(form('extension-decision-form'));
      fieldError('err-extension-decision-reason', t('extdec.needReason'));
      return;
    }
    return act('extension-decision', '/extension-decision', reason ? { approve, reason } : { approve }, 'extdec.done');
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
}
