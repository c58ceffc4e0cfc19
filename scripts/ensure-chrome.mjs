// Makes sure a browser exists for the tests: installs Debian's chromium when it can, else says how.
import { aptInstall, canAptInstall } from './apt.mjs';
import { findChrome } from './chrome.mjs';

if (!findChrome()) {
  if (!canAptInstall()) {
    console.error('No Chrome or Chromium found: install one, or set CHROME_PATH to its executable, then run npm test again.');
    process.exit(1);
  }
  aptInstall(['chromium'], 'No Chrome or Chromium found; needed for the browser tests');
  if (!findChrome()) {
    console.error('chromium was installed but not found at /usr/bin/chromium; set CHROME_PATH.');
    process.exit(1);
  }
}
