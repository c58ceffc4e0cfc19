/**
 * The framework examples under demo/, served by Vite with the demo backend, driven in headless
 * Chromium to a completed check whose result the app itself renders.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { launchChromium, photoInPage, startDemoServer } from './support.ts';

let server: ViteDevServer;
let browser: Browser;
let baseUrl: string;

before(async () => {
  ({ server, baseUrl } = await startDemoServer());
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Chooses a photo in one widget and presses its main action until the app shows a result. */
async function checkIn(page: Page, widget: string, output: string): Promise<string> {
  const buffer = await photoInPage(page);
  await page.locator(`${widget} input[type=file]`).first().setInputFiles({ name: 'card.jpg', mimeType: 'image/jpeg', buffer });
  await page.locator(`${widget} button.primary:not([disabled])`).click();
  await page
    .locator(output)
    .filter({ hasText: /^(live|spoof) \d/ })
    .waitFor({ timeout: 20_000 });
  return page.locator(output).innerText();
}

test('React 19: the @lit/react wrapper and the tag itself both deliver the result to the app', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(new URL('react/', baseUrl).href, { waitUntil: 'networkidle' });
  assert.match(await checkIn(page, '#wrapped', '#wrapped-result'), /^(live|spoof) \d/);
  assert.match(await checkIn(page, '#direct', '#direct-result'), /^(live|spoof) \d/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Vue 3: v-bind of getToken and @liveness-result deliver the result to the app', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  const tokens: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => request.url().endsWith('/api/liveness-token') && tokens.push(request.url()));
  await page.goto(new URL('vue/', baseUrl).href, { waitUntil: 'networkidle' });
  assert.match(await checkIn(page, 'accura-id-liveness', '#vue-result'), /^(live|spoof) \d/);
  assert.equal(tokens.length, 1, 'getToken, bound as a property, was called');
  assert.deepEqual(errors, []);
  await page.close();
});

test('Angular: [getToken] and (liveness-result) in a standalone component deliver the result to the app', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto(new URL('angular/', baseUrl).href, { waitUntil: 'networkidle' });
  assert.match(await checkIn(page, 'accura-id-liveness', '#angular-result'), /^(live|spoof) \d/);
  assert.deepEqual(errors, []);
  await page.close();
});
