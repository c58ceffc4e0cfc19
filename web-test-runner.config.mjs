import { esbuildPlugin } from '@web/dev-server-esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import sharp from 'sharp';
import { ENGINES, selectedEngines } from './scripts/engines.mjs';
import { renderCardScene } from './test/support/card-scene.mjs';
import { chromium } from './test/support/chromium.mjs';
import { testEndpoint } from './test/support/endpoint.mjs';
import { firefox } from './test/support/firefox.mjs';
import { webkit } from './test/support/webkit.mjs';

// A CMYK JPEG (four channels, Adobe marker), which a canvas can't make: written by sharp (libvips).
const generated = new URL('./test/fixtures/generated/', import.meta.url).pathname;
mkdirSync(generated, { recursive: true });
const scene = renderCardScene({ width: 1200, height: 720 });
await sharp(Buffer.from(Uint8ClampedArray.from(scene.rgb)), { raw: { width: scene.width, height: scene.height, channels: 3 } })
  .toColourspace('cmyk')
  .jpeg({ quality: 90 })
  .toFile(`${generated}cmyk.jpg`);
// A 48 MP (8000 × 6000) camera JPEG for the canvas-limit test; written once, as it takes a few seconds.
if (!existsSync(`${generated}photo-48mp.jpg`)) {
  const photo = renderCardScene({ width: 1600, height: 1200 });
  await sharp(Buffer.from(Uint8ClampedArray.from(photo.rgb)), { raw: { width: photo.width, height: photo.height, channels: 3 } })
    .resize(8000, 6000)
    .jpeg({ quality: 92 })
    .toFile(`${generated}photo-48mp.jpg`);
}
// A WebP, which WebKit's canvas can't encode.
await sharp({ create: { width: 640, height: 480, channels: 3, background: '#c8d2e0' } }).webp({ quality: 80 }).toFile(`${generated}blank.webp`);

const ALL = ['test/**/*.test.ts', '!test/server/**', '!test/e2e/**', '!test/wordpress/**', '!test/bundlers/**'];
const BLURRED = 'test/camera-blurred.test.ts';

/** Suites an engine can't run, each with the reason printed in the output: no skip is silent. */
const SKIPS = {
  chromium: {},
  firefox: {
    [BLURRED]: "Firefox's fake camera shows a generated pattern; only Chromium can film a blurred card from a file",
  },
  webkit: {
    [BLURRED]: "WebKitGTK's mock camera shows a generated pattern; only Chromium can film a blurred card from a file",
  },
};

// Each engine runs as its own groups, so `ENGINES=firefox wtr` runs one engine and npm test times each.
const groups = selectedEngines().flatMap((engine) => {
  const skipped = Object.entries(SKIPS[engine]);
  for (const [file, reason] of skipped) console.log(`⤼ skipped in ${ENGINES[engine].label}: ${file} — ${reason}`);
  const files = [...ALL, ...[BLURRED, ...skipped.map(([file]) => file)].map((file) => `!${file}`)];
  if (engine === 'chromium') {
    return [
      // The fake camera films a rendered ID card on a table: a real video pipeline, made by code.
      { name: 'chromium', files, browsers: [chromium('card', renderCardScene())] },
      // The same card, blurred with σ = 3, for the camera that must not auto-capture.
      { name: 'chromium-blurred-camera', files: BLURRED, browsers: [chromium('card-blurred', renderCardScene({ blurSigma: 3 }))] },
    ];
  }
  if (engine === 'firefox') return [{ name: 'firefox', files, browsers: [firefox()] }];
  return [{ name: 'webkit', files, browsers: [webkit({ 'enable-media-stream': true, 'enable-mock-capture-devices': true })] }];
});

export default {
  nodeResolve: { exportConditions: ['production'] },
  rootDir: '.',
  concurrency: 1,
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 30_000 } },
  middleware: [testEndpoint],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' })],
  groups,
};
