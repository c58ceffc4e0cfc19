// What the first run costs: each install step (apt-get, a fixture app's npm ci) appends one line to
// the file named by ACCURA_INSTALL_LOG, which `npm test` sets and prints in its summary. No-op otherwise.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/**
 * Records an install step's time.
 * @param {string} what What was installed: "apt-get install redis-server".
 * @param {number} seconds
 */
export function recordInstall(what, seconds) {
  const file = process.env.ACCURA_INSTALL_LOG;
  if (file) appendFileSync(file, `${JSON.stringify({ what, seconds: Math.round(seconds * 10) / 10 })}\n`);
}

/**
 * The steps recorded in `file`, in order.
 * @param {string} file
 * @returns {{ what: string, seconds: number }[]}
 */
export function readInstalls(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}
