import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';
import { CHROME_ARGS, findChrome } from './scripts/chrome.mjs';
import { fakeCameraArgs, renderCardScene } from './test/support/card-scene.mjs';
import { testEndpoint } from './test/support/endpoint.mjs';

// gc() and precise heap figures, for the leak test.
const MEMORY_FLAGS = ['--js-flags=--expose-gc', '--enable-precise-memory-info'];
// A CMYK JPEG (four channels, Adobe marker), which a canvas can't make: written by sharp (libvips).
const generated = new URL('./test/fixtures/generated/', import.meta.url).pathname;
mkdirSync(generated, { recursive: true });
const scene = renderCardScene({ width: 1200, height: 720 });
await sharp(Buffer.from(Uint8ClampedArray.from(scene.rgb)), { raw: { width: scene.width, height: scene.height, channels: 3 } })
  .toColourspace('cmyk')
  .jpeg({ quality: 90 })
  .toFile(`${generated}cmyk.jpg`);

const chrome = (extraArgs) => chromeLauncher({ launchOptions: { executablePath: findChrome(), headless: true, args: [...CHROME_ARGS, ...MEMORY_FLAGS, ...extraArgs] } });

export default {
  files: ['test/**/*.test.ts', '!test/server/**', '!test/e2e/**', '!test/wordpress/**', '!test/bundlers/**', '!test/camera-blurred.test.ts'],
  nodeResolve: { exportConditions: ['production'] },
  rootDir: '.',
  concurrency: 1,
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 30_000 } },
  middleware: [testEndpoint],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' })],
  // The fake camera films a rendered ID card on a table: a real video pipeline, made by code.
  browsers: [chrome(fakeCameraArgs('card', renderCardScene()))],
  // The same card, blurred with σ = 3, for the camera that must not auto-capture.
  groups: [{ name: 'blurred-camera', files: 'test/camera-blurred.test.ts', browsers: [chrome(fakeCameraArgs('card-blurred', renderCardScene({ blurSigma: 3 })))] }],
};
