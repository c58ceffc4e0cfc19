// Chromium for the browser tests: Debian's chromium through puppeteer-core, with a fake camera that films a file.
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROME_ARGS, findChrome } from '../../scripts/chrome.mjs';

// gc() and precise heap figures, for the leak test.
const MEMORY_FLAGS = ['--js-flags=--expose-gc', '--enable-precise-memory-info'];

/** A Chromium launcher with a fake camera: `cameraArgs` from `fakeCameraArgs` or a video of its own. */
export function chromium(cameraArgs) {
  return chromeLauncher({ launchOptions: { executablePath: findChrome(), headless: true, args: [...CHROME_ARGS, ...MEMORY_FLAGS, ...cameraArgs] } });
}
