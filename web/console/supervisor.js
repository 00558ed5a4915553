// The supervisor's screens (to be built: issue 12). Until then the console
// says they are coming.
import { $ } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { show, state } from './core.js';

/** Opens the supervisor's first screen. */
export async function open() {
  const s = state.session;
  if (!s) return;
  $('coming-text').textContent = t('coming.text', t('role.' + s.role));
  show('coming');
  $('coming-heading').focus();
}
