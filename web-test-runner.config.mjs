import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { existsSync, mkdirSync } from 'node:fs';
import sharp from 'sharp';
import { ENGINES, selectedEngines } from './scripts/engines.mjs';
import { fakeCameraArgs, fakeCameraFlags, renderCardScene, renderMovingShots, writeY4mVideo } from './test/support/card-scene.mjs';
import { chromium } from './test/support/chromium.mjs';
import { earlyStopReporter } from './test/support/early-stop-reporter.mjs';
import { MOVING_DISTANCE, MOVING_FPS, MOVING_HEIGHT, MOVING_SHOTS, MOVING_VERSION, MOVING_WIDTH } from './test/support/moving-card.mjs';
import { testEndpoint } from './test/support/endpoint.mjs';
import { firefox } from './test/support/firefox.mjs';
import { webkit } from './test/support/webkit.mjs';

// A moving card (enters, tilts, settles square), and the same table with no card: rendered once
// (about 25 s on this machine under load) and kept, keyed by MOVING_VERSION.
const movingCamera = (name, withCard) => {
  const file = new URL(`./test/fixtures/generated/${name}-${MOVING_VERSION}.y4m`, import.meta.url).pathname;
  if (!existsSync(file)) {
    // The table alone is the first shot (the bare table), held for two seconds.
    const shots = withCard ? MOVING_SHOTS : [{ ...MOVING_SHOTS[0], frames: 10 }];
    writeY4mVideo(
      file,
      renderMovingShots(shots, { width: MOVING_WIDTH, height: MOVING_HEIGHT, distance: MOVING_DISTANCE, withCard }),
      MOVING_FPS,
    );
  }
  return fakeCameraFlags(file);
};
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
await sharp({ create: { width: 640, height: 480, channels: 3, background: '#c8d2e0' } })
  .webp({ quality: 80 })
  .toFile(`${generated}blank.webp`);

const ALL = [
  'test/**/*.test.ts',
  '!test/server/**',
  '!test/e2e/**',
  '!test/wordpress/**',
  '!test/bundlers/**',
  '!test/node/**',
  '!test/runtimes/**',
];
const BLURRED = 'test/camera/camera-blurred.test.ts';
// Auto-capture only on a real, square card: one camera films a card moving into place, one the bare table.
const MOVING = 'test/camera/camera-moving.test.ts';
const TABLE = 'test/camera/camera-table.test.ts';
const FILMED =
  'fake camera shows a generated pattern; only Chromium can film a video file (a blurred card, a card moving into place, a bare table)';

/** Suites an engine can't run, each with the reason printed in the output: no skip is silent. */
const SKIPS = {
  chromium: {},
  firefox: Object.fromEntries([BLURRED, MOVING, TABLE].map((file) => [file, `Firefox's ${FILMED}`])),
  webkit: Object.fromEntries([BLURRED, MOVING, TABLE].map((file) => [file, `WebKitGTK's mock camera: ${FILMED}`])),
};

// `TEST_FILES=test/camera/camera.test.ts,… wtr` runs only those files (wtr's own --files adds them beside every group).
const only = process.env.TEST_FILES?.split(',').map((file) => file.trim());
const wanted = (file) => !only || only.includes(file);

// Each engine runs as its own groups, so `ENGINES=firefox wtr` runs one engine and npm test times each.
const groups = selectedEngines().flatMap((engine) => {
  const skipped = Object.entries(SKIPS[engine]);
  for (const [file, reason] of skipped) console.log(`⤼ skipped in ${ENGINES[engine].label}: ${file} — ${reason}`);
  const excluded = [BLURRED, MOVING, TABLE, ...skipped.map(([file]) => file)].map((file) => `!${file}`);
  const files = [...(only ?? ALL), ...excluded];
  if (engine === 'chromium') {
    return [
      // The fake camera films a rendered ID card on a table: a real video pipeline, made by code.
      { name: 'chromium', files, browsers: [chromium(fakeCameraArgs('card', renderCardScene()))] },
      // The same card, blurred with σ = 3, for the camera that must not auto-capture.
      {
        name: 'chromium-blurred-camera',
        files: BLURRED,
        browsers: [chromium(fakeCameraArgs('card-blurred', renderCardScene({ blurSigma: 3 })))],
      },
      { name: 'chromium-moving-camera', files: MOVING, browsers: [chromium(movingCamera('card-moving', true))] },
      { name: 'chromium-table-camera', files: TABLE, browsers: [chromium(movingCamera('table-only', false))] },
    ].filter((group) =>
      group.name === 'chromium' ? !only || only.some((file) => ![BLURRED, MOVING, TABLE].includes(file)) : wanted(group.files),
    );
  }
  if (engine === 'firefox') return [{ name: 'firefox', files, browsers: [firefox()] }];
  return [{ name: 'webkit', files, browsers: [webkit({ 'enable-media-stream': true, 'enable-mock-capture-devices': true })] }];
});

// Any script asked for with ?csp=strict comes with a strict CSP header and no 'wasm-unsafe-eval', as a host's
// site-wide policy sends it with its worker script (test/quality/corners/conv-simd.test.ts).
async function strictCspOnRequest(context, next) {
  await next();
  if (context.URL.searchParams.get('csp') === 'strict') context.set('Content-Security-Policy', "default-src 'self'; script-src 'self'");
}

export default {
  nodeResolve: { exportConditions: ['production'] },
  rootDir: '.',
  concurrency: 1,
  testsFinishTimeout: 300_000,
  // A hang detector, not a speed target: generous enough for a loaded machine (npm run test:stress), longer than
  // test/support/wait.mjs's deadline (2 min), so a stuck wait says what it waited for, and shorter than
  // testsFinishTimeout, so a stuck promise fails its own test by name instead of the whole file.
  testFramework: { config: { timeout: 240_000 } },
  // Hang detectors too: four Chromiums start side by side, and under load one took over 30 s (the default).
  browserStartTimeout: 180_000,
  testsStartTimeout: 300_000,
  middleware: [testEndpoint, strictCspOnRequest],
  // The default report, and a line that says why when a run stops before its files finish.
  reporters: [defaultReporter(), earlyStopReporter()],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' })],
  groups,
};
