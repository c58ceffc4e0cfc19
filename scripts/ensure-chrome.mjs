// Makes sure a browser exists for the tests: installs Debian's chromium when it can, else says how.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChrome } from './chrome.mjs';

if (!findChrome()) {
  const debianRoot = existsSync('/etc/debian_version') && process.getuid?.() === 0;
  if (!debianRoot) {
    console.error('No Chrome or Chromium found: install one, or set CHROME_PATH to its executable, then run npm test again.');
    process.exit(1);
  }
  console.log("No Chrome or Chromium found: installing Debian's chromium with apt-get (needed for the browser tests)…");
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
  if (!findChrome()) {
    console.error('chromium was installed but not found at /usr/bin/chromium; set CHROME_PATH.');
    process.exit(1);
  }
}
