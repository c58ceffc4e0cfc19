// Makes sure a browser exists for the tests: installs Debian's chromium when it can, else says how.
import { findChrome } from './chrome.mjs';
import { ensureDebianPackage } from './debian-package.mjs';

try {
  ensureDebianPackage({ pkg: 'chromium', why: 'needed for the browser tests; or set CHROME_PATH', find: findChrome });
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
