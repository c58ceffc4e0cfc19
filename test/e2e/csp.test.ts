/**
 * The built demo, served by `npm run serve` with the strict CSP header, through a full check in
 * Chromium: no CSP violation, no request to another origin, nothing stored, no token or image logged.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { fakeCameraArgs, renderCardScene } from '../support/card-scene.mjs';
import { launchChromium, phonePage, photoInPage } from './support.ts';

let server: ChildProcess;
let browser: Browser;
let phone: Browser;
let url: string;

before(async () => {
  const script = fileURLToPath(new URL('../../scripts/serve.ts', import.meta.url));
  server = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), script], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ACCURA_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let output = '';
    server.stdout!.on('data', (part) => {
      output += part;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    server.once('exit', () => reject(new Error(output)));
  });
  browser = await launchChromium();
  // A low-end phone's 720×1280: a 480×848 camera has too few pixels for a check, and the widget rightly
  // closes it (frameTooSmall) as soon as its size is known, which raced this test's first frame.
  phone = await launchChromium(fakeCameraArgs('csp-phone', renderCardScene({ width: 720, height: 1280 })));
});

after(async () => {
  await browser?.close();
  await phone?.close();
  server?.kill('SIGTERM');
});

test('a full check on the built demo under the strict CSP: no violation, no third party, nothing stored or logged', async () => {
  const page = await browser.newPage();
  const requests: string[] = [];
  const logged: string[] = [];
  let token = '';
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => logged.push(message.text()));
  page.on('response', async (response) => {
    if (response.url().endsWith('/api/liveness-token')) token = ((await response.json()) as { token: string }).token;
  });
  await page.addInitScript(() => {
    (window as unknown as { __violations: string[] }).__violations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      (window as unknown as { __violations: string[] }).__violations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  const workerPolicies: string[] = [];
  page.on('response', (answer) => {
    if (answer.url().endsWith('.worker.js')) workerPolicies.push(answer.headers()['content-security-policy'] ?? '');
  });
  const response = await page.goto(url, { waitUntil: 'networkidle' });
  assert.match(response!.headers()['content-security-policy'], /script-src 'self';/);

  await page
    .locator('#widget input[type=file]')
    .first()
    .setInputFiles({ name: 'card.jpg', mimeType: 'image/jpeg', buffer: await photoInPage(page) });
  await page.locator('#widget button.primary:not([disabled])').click();
  await page.locator('#widget [part=verdict]').waitFor({ timeout: 20_000 });

  assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
  // Only the worker's own script may compile WebAssembly (the card finder's network); the page may not.
  assert.ok(workerPolicies.length > 0, 'the worker script was loaded');
  for (const policy of workerPolicies) assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(response!.headers()['content-security-policy'], /wasm/);
  const origin = new URL(url).origin;
  assert.deepEqual(
    requests.filter((request) => !request.startsWith(origin) && !request.startsWith('blob:') && !request.startsWith('data:')),
    [],
  );
  assert.ok(
    requests.some((request) => request.endsWith('/assets/accura-id-liveness.worker.js')),
    'the worker came from the same origin',
  );
  assert.ok(token.length > 20, 'a token was issued');
  assert.deepEqual(
    logged.filter((line) => line.includes(token) || /data:image|base64,/.test(line)),
    [],
  );
  const storage = await page.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    cookie: document.cookie,
    databases: (await indexedDB.databases()).length,
  }));
  assert.deepEqual(storage, { local: 0, session: 0, cookie: '', databases: 0 });
  await page.close();
});

test('the capture part cannot load (connection down): a retryable connection error, the photo kept, and Try again completes the check once it is back', async () => {
  const page = await browser.newPage();
  const failures: string[] = [];
  page.on('pageerror', (error) => failures.push(error.message));
  // The connection fails the chunk's every fetch until it comes back; each try fetches it again.
  let online = false;
  let fetches = 0;
  await page.route(/capture\.chunk-[\w-]+\.js$/, (route) => (fetches++, online ? route.continue() : route.abort('internetdisconnected')));
  await page.goto(url, { waitUntil: 'networkidle' });
  await page
    .locator('#widget input[type=file]')
    .first()
    .setInputFiles({ name: 'card.jpg', mimeType: 'image/jpeg', buffer: await photoInPage(page) });
  await page.locator('#widget button.primary:not([disabled])').click();
  const alert = page.locator('#widget [role=alert]');
  await alert.waitFor();
  assert.match(await alert.innerText(), /connection/i, 'the error names the connection');
  assert.ok(fetches >= 1, 'the chunk was asked for');
  online = true;
  await page.locator('#widget button', { hasText: 'Try again' }).click();
  await page.locator('#widget [part=verdict]').waitFor({ timeout: 20_000 });
  assert.deepEqual(failures, [], 'no uncaught error on the page');
  await page.close();
});

test('the full-screen camera on a phone under the strict CSP: styled through adopted sheets and the CSSOM, no violation', async () => {
  const page = await phonePage(phone, 390, 844);
  await page.addInitScript(() => {
    (window as unknown as { __violations: string[] }).__violations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      (window as unknown as { __violations: string[] }).__violations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  await page.locator('#widget button:has-text("Use camera")').tap();
  await page.locator('#widget dialog[open] video').waitFor();
  await page.waitForFunction(() => (document.querySelector('accura-id-liveness')!.shadowRoot!.querySelector('video')?.videoWidth ?? 0) > 0);
  // The layer's styles applied: it covers the screen, and the guide was placed by script.
  assert.deepEqual(await page.locator('#widget dialog').boundingBox(), { x: 0, y: 0, width: 390, height: 844 });
  assert.ok(((await page.locator('#widget [part=guide]').boundingBox())?.width ?? 0) > 300);
  await page.locator('#widget .layer .cancel').tap();
  await page.locator('#widget dialog').waitFor({ state: 'detached' });
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
  await page.context().close();
});

test('the handoff phone page under its strict CSP loads the classic script, which fetches its chunks from beside itself', async () => {
  const desktop = await browser.newPage();
  await desktop.goto(url, { waitUntil: 'networkidle' });
  await desktop.locator('#widget button', { hasText: 'Use your phone instead' }).click();
  const linkField = desktop.locator('#widget [part=handoff-link]');
  await linkField.waitFor();
  const link = `http://${await linkField.inputValue()}`;

  // A phone camera big enough for a check (the other phone's 720×1280 only opens the camera).
  const handoffPhone = await launchChromium(
    fakeCameraArgs('csp-handoff-phone', renderCardScene({ width: 1080, height: 1920, cardShare: 0.6 })),
  );
  const page = await phonePage(handoffPhone, 390, 844);
  const requests: string[] = [];
  page.on('request', (request) => requests.push(new URL(request.url()).pathname));
  await page.addInitScript(() => {
    (window as unknown as { __violations: string[] }).__violations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      (window as unknown as { __violations: string[] }).__violations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  const response = await page.goto(link);
  assert.match(response!.headers()['content-security-policy'], /script-src 'self';/);
  // The camera opens by itself on the phone, which needs the capture chunk; the user takes the photo and sends it.
  // (Auto-capture may take it first; a tap as it fires takes the same photo.)
  const shutter = page.locator('accura-id-liveness .shutter:not([disabled])');
  const check = page.locator('accura-id-liveness button', { hasText: /Check document|Use anyway/ });
  await shutter.or(check).first().waitFor({ timeout: 60_000 });
  if (!(await check.count())) await shutter.tap().catch(() => undefined);
  await check.waitFor({ timeout: 60_000 });
  await check.tap();
  // The check went through: the phone says so (the desktop's verdict is handoff.test.ts's business).
  await page.locator('accura-id-liveness [part=handoff-done], accura-id-liveness [part=error]').first().waitFor({ timeout: 60_000 });
  if (await page.locator('accura-id-liveness [part=error]').count())
    assert.fail(`The check did not complete: ${await page.locator('accura-id-liveness [part=error]').innerText()}`);
  assert.ok(requests.includes('/accura-id-liveness.min.js'), 'the page loaded the classic script');
  assert.ok(
    requests.some((path) => /^\/chunks\/capture\.chunk-[\w-]+\.js$/.test(path)),
    `the capture chunk came from beside it: ${requests.join(' ')}`,
  );
  assert.ok(requests.includes('/accura-id-liveness.worker.js'), 'the worker came from beside it');
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
  await handoffPhone.close();
  await desktop.close();
});
