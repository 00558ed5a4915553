// What both pages do with the document: find an element they cannot work
// without, and keep a button from acting twice while its action runs.

/** @param {string} id @returns {HTMLElement} */
export function $(id) {
  const e = document.getElementById(id);
  if (!e) throw new Error('missing #' + id);
  return e;
}
/** @param {string} id */
export const input = (id) => /** @type {HTMLInputElement} */ ($(id));
/** @param {string} id */
export const select = (id) => /** @type {HTMLSelectElement} */ ($(id));
/** @param {string} id */
export const form = (id) => /** @type {HTMLFormElement} */ ($(id));

/**
 * Runs an action with its button disabled, so a double tap or click acts once.
 * @param {HTMLElement} button
 * @param {() => Promise<void>} fn
 */
export async function busy(button, fn) {
  const b = /** @type {HTMLButtonElement} */ (button);
  b.disabled = true;
  try {
    await fn();
  } finally {
    b.disabled = false;
  }
}
