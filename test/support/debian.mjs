// Debian packages a test needs but a user's machine need not have: fetched with `apt-get download` and unpacked
// with `dpkg-deb -x` into a cache folder that git and the npm tarball leave out. Nothing is installed on the system.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Unpacks `packages` under `cache`root (once: while every path in `expect` exists there, nothing is fetched) and
 * returns that root. Says what it fetches and why. Test files run in parallel processes: one at a time holds the
 * cache's lock, so none reads a package another is still unpacking.
 * @param {string[]} packages
 * @param {string} cache a folder path ending in a slash
 * @param {string[]} expect paths inside the packages, from /
 * @param {string} why
 */
export function unpackDebianPackages(packages, cache, expect, why) {
  const root = `${cache}root`;
  const lock = `${cache}.unpacking`;
  mkdirSync(cache, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run: older than any fetch takes.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      sleep(250);
    }
  }
  try {
    if (expect.every((path) => existsSync(`${root}${path}`))) return root;
    console.log(`Fetching Debian's ${packages.join(', ')} with apt-get download into ${cache} (${why}; nothing is installed)…`);
    const download = () => execSync(`apt-get download ${packages.join(' ')}`, { cwd: cache, stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      download();
    } catch {
      // apt-get download needs the package lists; a fresh machine has none until apt-get update.
      execSync('apt-get update -qq', { stdio: 'inherit' });
      download();
    }
    for (const deb of readdirSync(cache).filter((f) => f.endsWith('.deb'))) execSync(`dpkg-deb -x ${deb} root`, { cwd: cache });
    return root;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
