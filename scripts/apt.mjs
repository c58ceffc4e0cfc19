// Installs Debian packages the tests need when they are missing: only as root on Debian, and saying so.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { recordInstall } from './install-times.mjs';

/** True when this process may install with apt-get (root on Debian). */
export function canAptInstall() {
  return existsSync('/etc/debian_version') && process.getuid?.() === 0;
}

/**
 * `apt-get update` then `apt-get install -y` the packages, printing why; throws when it can't.
 * Waits up to 10 minutes for another apt-get to release the dpkg lock.
 * @param {string[]} packages Debian package names.
 * @param {string} why What they are for, printed before installing.
 * @param {{ recommends?: boolean }} [options] Install recommended packages too (default true).
 */
export function aptInstall(packages, why, { recommends = true } = {}) {
  if (!canAptInstall()) throw new Error(`Missing ${packages.join(', ')} (${why}): install them, then run npm test again.`);
  console.log(`Installing Debian's ${packages.join(', ')} with apt-get (${why})…`);
  const lock = '-o DPkg::Lock::Timeout=600';
  const flags = recommends ? '' : ' --no-install-recommends';
  const started = performance.now();
  execSync(`apt-get ${lock} update -qq && DEBIAN_FRONTEND=noninteractive apt-get ${lock} install -y -qq${flags} ${packages.join(' ')}`, {
    stdio: 'inherit',
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(`Installed ${packages.join(', ')} in ${seconds.toFixed(0)} s.`);
  recordInstall(`apt-get install ${packages.join(' ')}`, seconds);
}
