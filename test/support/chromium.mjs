// Chromium for the browser tests: Debian's chromium through puppeteer-core, with a fake camera that films a file.
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROME_ARGS, findChrome } from '../../scripts/chrome.mjs';
import { fakeCameraArgs } from './card-scene.mjs';

// gc() and precise heap figures, for the leak test.
const MEMORY_FLAGS = ['--js-flags=--expose-gc', '--enable-precise-memory-info'];

/** A Chromium launcher whose fake camera films `scene` (written to test/fixtures/generated/NAME.y4m). */
export function chromium(name, scene) {
  return chromeLauncher({ launchOptions: { executablePath: findChrome(), headless: true, args: [...CHROME_ARGS, ...MEMORY_FLAGS, ...fakeCameraArgs(name, scene)] } });
}
