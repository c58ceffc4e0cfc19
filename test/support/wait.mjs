// Waiting for a condition instead of sleeping: for browser tests, Node tests and support modules alike.
// A loaded machine is slow but gets there; a deadline long past the usual time only ends a real hang,
// and its error says what was awaited and, when given, what was seen instead.

/** The default deadline: far past what any condition here takes, even on a loaded 2-core machine. */
export const GENEROUS_MS = 120_000;

/**
 * Polls `check` until it returns a truthy value, and resolves with that value.
 * @template T
 * @param {string} what What is awaited, for the error: "the hint 'Hold still'".
 * @param {() => T | Promise<T>} check
 * @param {{ timeout?: number, interval?: number, seen?: () => string }} [options]
 *   timeout in ms (default GENEROUS_MS); interval between polls in ms (default 20); seen: the state, for the error.
 * @returns {Promise<NonNullable<T>>}
 */
export async function until(what, check, { timeout = GENEROUS_MS, interval = 20, seen } = {}) {
  const start = performance.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() - start > timeout) {
      throw new Error(`Waited ${(timeout / 1000).toFixed(0)} s for ${what}${seen ? `; seen instead: ${seen()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
