/**
 * The demo as a user meets it: `npm start`'s Vite server with the proxy and sandbox mounted,
 * driven in headless Chromium through the widget's real file input.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { launchChromium, photoInPage, startDemoServer } from './support.ts';

let server: ViteDevServer;
let browser: Browser;
let page: Page;
let baseUrl: string;

before(async () => {
  ({ server, baseUrl } = await startDemoServer());
  browser = await launchChromium();
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

  const photo = await photoInPage(page);

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
  await page.locator('accura-id-liveness input[type=file]').setInputFiles({ name: 'card.jpg', mimeType: 'image/jpeg', buffer: photo });
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
  assert.ok(
    requests.some((url) => url.endsWith('/api/liveness-token')),
    'a token was fetched',
  );
  assert.ok(
    requests.some((url) => url.endsWith('/api/id-liveness')),
    'the check went through the proxy',
  );
  assert.deepEqual(new Set(requests.map((url) => new URL(url).origin)), new Set([new URL(baseUrl).origin]));
  await page.screenshot({ path: 'test/e2e/demo.png', fullPage: true });
});
