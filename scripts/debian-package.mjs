// Installs a Debian package that tests or benchmarks need when it is missing: only as root on
// Debian (apt-get update, then apt-get install -y), and it says so. Anywhere else it explains.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Returns what `find()` finds, installing `pkg` first when it finds nothing.
 * @param {{ pkg: string, why: string, find: () => string | undefined }} options
 * @returns {{ path: string, installed: boolean }}
 */
export function ensureDebianPackage({ pkg, why, find }) {
  const found = find();
  if (found) return { path: found, installed: false };
  if (!(existsSync('/etc/debian_version') && process.getuid?.() === 0)) {
    throw new Error(`${pkg} is missing (${why}): install it (Debian: apt-get install ${pkg}) and run again.`);
  }
  console.log(`${pkg} is missing: installing Debian's ${pkg} with apt-get (${why})…`);
  execSync(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`, { stdio: 'inherit' });
  const path = find();
  if (!path) throw new Error(`${pkg} was installed but its program was not found.`);
  return { path, installed: true };
}

/** The first of `paths` that exists. */
export const firstExisting = (...paths) => paths.find((path) => existsSync(path));
