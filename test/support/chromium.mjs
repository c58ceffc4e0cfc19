// Chromium for the browser tests: Debian's chromium through puppeteer-core, with a fake camera that films a file.
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROME_ARGS, findChrome } from '../../scripts/chrome.mjs';

// gc() and precise heap figures, for the leak test.
const MEMORY_FLAGS = ['--js-flags=--expose-gc', '--enable-precise-memory-info'];

/**
 * Opens each test page with a 3 min navigation deadline instead of puppeteer's 30 s, which a loaded
 * machine overran (Firefox, load average 40): a hang detector, not a speed target.
 * @param {{ context: import('puppeteer-core').BrowserContext }} options
 */
export async function patientPage({ context }) {
  const page = await context.newPage();
  page.setDefaultNavigationTimeout(180_000);
  return page;
}

/** A Chromium launcher with a fake camera: `cameraArgs` from `fakeCameraArgs` or a video of its own. */
export function chromium(cameraArgs) {
  return chromeLauncher({
    createPage: patientPage,
    launchOptions: { executablePath: findChrome(), headless: true, args: [...CHROME_ARGS, ...MEMORY_FLAGS, ...cameraArgs] },
  });
}
