/**
 * The demo as a user meets it: `npm start`'s Vite server with the proxy and sandbox mounted,
 * driven in headless Chromium through the widget's real file input.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { type ViteDevServer, createServer } from 'vite';
import { CHROME_ARGS, findChrome } from '../../scripts/chrome.mjs';

let server: ViteDevServer;
let browser: Browser;
let page: Page;
let baseUrl: string;

before(async () => {
  server = await createServer({
    configFile: new URL('../../vite.config.ts', import.meta.url).pathname,
    server: { port: 0, host: '127.0.0.1' },
    logLevel: 'silent',
  });
  await server.listen();
  baseUrl = server.resolvedUrls!.local[0];
  browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_ARGS });
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the demo completes a sandbox check through the file input and says it is a sandbox', async () => {
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(baseUrl, { waitUntil: 'networkidle' });
  await page.locator('#sandbox-banner').waitFor({ state: 'visible' });
  assert.match(await page.locator('#sandbox-banner').innerText(), /Sandbox: not a real liveness check/);

  // A photo-like JPEG made in the page: gradient, card, noise.
  const jpegBase64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(2000, 1500);
    const context = canvas.getContext('2d')!;
    const gradient = context.createLinearGradient(0, 0, 2000, 1500);
    gradient.addColorStop(0, '#8a7560');
    gradient.addColorStop(1, '#3b3128');
    context.fillStyle = gradient;
    context.fillRect(0, 0, 2000, 1500);
    context.fillStyle = '#e9eef5';
    context.fillRect(400, 400, 1200, 760);
    const image = context.getImageData(0, 0, 2000, 1500);
    for (let i = 0; i < image.data.length; i += 4) image.data[i] += (Math.sin(i) * 12) | 0;
    context.putImageData(image, 0, 0);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text);
  });

  const resultEvent = page.evaluate(
    () =>
      new Promise<{ verdict: string; score: number; sandbox: unknown }>((resolve) =>
        document.querySelector('accura-id-liveness')!.addEventListener(
          'liveness-result',
          (event) => {
            const detail = (event as CustomEvent).detail;
            resolve({ verdict: detail.verdict, score: detail.score, sandbox: detail.response.sandbox });
          },
          { once: true },
        ),
      ),
  );
  await page.locator('accura-id-liveness input[type=file]').setInputFiles({ name: 'card.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(jpegBase64, 'base64') });
  await page.locator('accura-id-liveness button', { hasText: 'Check document' }).click();
  const result = await resultEvent;

  assert.ok(['live', 'spoof'].includes(result.verdict));
  assert.ok(result.score >= 0 && result.score <= 100);
  assert.equal(result.sandbox, true);
  await page.locator('accura-id-liveness [part=verdict]').waitFor();
  assert.match(await page.locator('accura-id-liveness [part=verdict]').innerText(), /live document/i);
  assert.ok(await page.locator('#sandbox-banner').isVisible());
  assert.match(await page.locator('accura-id-liveness [part=sandbox]').innerText(), /not a real liveness check/);
  assert.match(await page.locator('#event-log').innerText(), /liveness-result/);
  assert.ok(requests.some((url) => url.endsWith('/api/liveness-token')), 'a token was fetched');
  assert.ok(requests.some((url) => url.endsWith('/api/id-liveness')), 'the check went through the proxy');
  assert.deepEqual(new Set(requests.map((url) => new URL(url).origin)), new Set([new URL(baseUrl).origin]));
  await page.screenshot({ path: 'test/e2e/demo.png', fullPage: true });
});
