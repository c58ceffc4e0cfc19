// The three browser engines the tests and benchmarks run in, each from Debian's packages:
// where each one's executables are, and which packages provide them.
import { existsSync } from 'node:fs';
import { findChrome } from './chrome.mjs';

const first = (paths) => paths.find((path) => path && existsSync(path));
// Debian's multiarch folders; WebKitGTK 4.1 (GTK 3) first, since webkit2gtk-driver drives that one.
const LIBDIRS = ['x86_64-linux-gnu', 'aarch64-linux-gnu', 'arm-linux-gnueabihf', 'i386-linux-gnu'].map((arch) => `/usr/lib/${arch}`);

/** Debian's Firefox ESR (FIREFOX_PATH first). */
export function findFirefox() {
  return first([process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox']);
}

/** WebKitGTK's MiniBrowser, its WebDriver and a virtual display; undefined unless all three are there. */
export function findWebKit() {
  const miniBrowser = first([
    process.env.MINIBROWSER_PATH,
    ...LIBDIRS.flatMap((dir) => [`${dir}/webkit2gtk-4.1/MiniBrowser`, `${dir}/webkit2gtk-4.0/MiniBrowser`]),
  ]);
  const driver = first([process.env.WEBKIT_WEBDRIVER_PATH, '/usr/bin/WebKitWebDriver']);
  const xvfb = first(['/usr/bin/Xvfb']);
  return miniBrowser && driver && xvfb ? { miniBrowser, driver, xvfb } : undefined;
}

/** Each engine: its label in test output, the Debian packages that provide it, and how to find it. */
export const ENGINES = {
  chromium: { label: 'Chromium', packages: ['chromium'], find: findChrome },
  firefox: { label: 'Firefox', packages: ['firefox-esr'], find: findFirefox },
  webkit: { label: 'WebKit', packages: ['webkit2gtk-driver', 'xvfb'], find: findWebKit },
};

/** The engines asked for in ENGINES=chromium,firefox (all three when unset). */
export function selectedEngines() {
  const names = (process.env.ENGINES ?? Object.keys(ENGINES).join(','))
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names)
    if (!(name in ENGINES)) throw new Error(`Unknown engine "${name}" in ENGINES: use ${Object.keys(ENGINES).join(', ')}.`);
  return names;
}
