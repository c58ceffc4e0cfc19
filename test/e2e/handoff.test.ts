/**
 * Continue on your phone, end to end: two `npm start` servers sharing a real redis-server, a
 * desktop Chromium context on server A, and a phone context (touch, mobile viewport, the fake
 * camera filming a rendered ID card) on server B. The verdict reaches the desktop; the phone's
 * camera goes off; the handoff screen passes axe, its link copies, and its states are announced.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { fakeCameraArgs, renderCardScene } from '../support/card-scene.mjs';
import { type RunningRedis, startRedis } from '../support/redis.ts';
import { PHONE, launchChromium, phonePage, startDemoServer } from './support.ts';

let redis: RunningRedis;
let a: { server: ViteDevServer; baseUrl: string };
let b: { server: ViteDevServer; baseUrl: string };
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  redis = await startRedis();
  // Both instances read these when they start: one Redis, one token secret, as a deployment would have.
  process.env.REDIS_URL = redis.url;
  process.env.LIVENESS_TOKEN_SECRET = 'e2e-handoff-secret-0123456789abcdef';
  a = await startDemoServer();
  b = await startDemoServer();
  delete process.env.REDIS_URL;
  delete process.env.LIVENESS_TOKEN_SECRET;
  // The phone films a card held upright, as phone.test.ts does.
  browser = await launchChromium(fakeCameraArgs('handoff-phone', renderCardScene({ width: 1080, height: 1920, cardShare: 0.6 })));
});

after(async () => {
  await browser?.close();
  await a?.server.close();
  await b?.server.close();
  await redis?.stop();
});

/** Resolves with the first `name` event's detail (with `source`) from the page's widget. */
function nextEvent(page: Page, name: string): Promise<any> {
  return page.evaluate(
    (name) =>
      new Promise((resolve) =>
        document
          .querySelector('accura-id-liveness')!
          .addEventListener(name, (event) => resolve((event as CustomEvent).detail), { once: true }),
      ),
    name,
  );
}

/** Collects every `liveness-handoff` state of the page's widget in `window.handoffStates`, from now on. */
function recordHandoffStates(page: Page): Promise<void> {
  return page.evaluate(() => {
    const states: string[] = [];
    (window as any).handoffStates = states;
    document
      .querySelector('accura-id-liveness')!
      .addEventListener('liveness-handoff', (event) => states.push((event as CustomEvent).detail.state));
  });
}

test('a desktop on instance A hands off to a phone on instance B and gets the verdict; the phone camera goes off', async () => {
  const desktopContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(desktopContext);
  await desktopContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: a.baseUrl });
  const desktop = await desktopContext.newPage();
  await desktop.goto(a.baseUrl, { waitUntil: 'networkidle' });
  await recordHandoffStates(desktop);

  const choice = desktop.locator('accura-id-liveness button', { hasText: 'Use your phone instead' });
  await choice.waitFor();
  await choice.click();
  const linkField = desktop.locator('accura-id-liveness [part=handoff-link]');
  await linkField.waitFor();
  await desktop.locator('accura-id-liveness [part=qr]').waitFor();
  const code = await desktop.locator('accura-id-liveness [part=handoff-code]').innerText();
  assert.match(code, /^[A-Z2-9]{3} [A-Z2-9]{3}$/);
  const link = `http://${await linkField.inputValue()}`;
  assert.ok(link.startsWith(a.baseUrl), `the link points at the server the desktop used: ${link}`);

  // The link copies.
  await desktop.locator('accura-id-liveness button', { hasText: 'Copy link' }).click();
  assert.equal(await desktop.evaluate(() => navigator.clipboard.readText()), link);

  // The handoff screen passes axe.
  await desktop.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  const violations = await desktop.evaluate(async () =>
    (await (window as any).axe.run(document.querySelector('accura-id-liveness'))).violations.map((v: any) => v.id),
  );
  assert.deepEqual(violations, []);

  // The phone: touch, a phone viewport and user agent, reaching instance B (another server behind the same name).
  const phone = await phonePage(browser, 390, 844);
  contexts.push(phone.context());
  const result = nextEvent(desktop, 'liveness-result');
  await phone.goto(link.replace(a.baseUrl, b.baseUrl));
  await phone.locator('accura-id-liveness [part=handoff-code]').waitFor();
  assert.equal(await phone.locator('accura-id-liveness [part=handoff-code]').innerText(), code, 'both screens show one code');
  await desktop.locator('accura-id-liveness [part=handoff-state]', { hasText: 'Phone connected' }).waitFor();
  assert.match(await desktop.locator('accura-id-liveness [role=status]').innerText(), /Phone connected/, 'the state is announced');

  // The phone's camera opens by itself, full screen, and captures by itself once the card is steady in the guide
  // (a tap on the shutter at that moment would race it); the user sends the photo.
  const check = phone.locator('accura-id-liveness button', { hasText: /Check document|Use anyway/ });
  await check.waitFor({ timeout: 60_000 });
  await check.tap();
  const detail = await result;
  assert.equal(detail.source, 'handoff');
  assert.ok(detail.score >= 0 && detail.score <= 100);
  assert.equal(detail.verdict, detail.score > 55 ? 'live' : 'spoof');
  assert.equal(detail.sandbox, true);
  assert.ok(detail.image.width > 0 && detail.image.bytes > 0, 'the image size');
  assert.equal('data' in detail.image || 'blob' in detail.image, false, 'never the image');
  await desktop.locator('accura-id-liveness [part=verdict]').waitFor();
  assert.deepEqual(await desktop.evaluate(() => (window as any).handoffStates), ['created', 'opened', 'captured', 'checking', 'completed']);

  await phone.locator('accura-id-liveness [part=handoff-done]', { hasText: 'You can return to your computer' }).waitFor();
  const tracks = await phone.evaluate(() =>
    ((window as any).cameraStreams as MediaStream[]).flatMap((stream) => stream.getTracks().map((track) => track.readyState)),
  );
  assert.ok(tracks.length > 0, 'the camera was used');
  assert.deepEqual([...new Set(tracks)], ['ended'], 'every camera track has ended');

  // The link is spent: opening it again is refused with a clear message.
  const again = await phone.context().newPage();
  await again.goto(link.replace(a.baseUrl, b.baseUrl));
  await again.locator('accura-id-liveness [part=error]').waitFor();
  assert.match(await again.locator('accura-id-liveness [part=error]').innerText(), /ended|start again/i);
});

test('Cancel on the desktop ends the session and the phone is refused', async () => {
  const context = await browser.newContext();
  contexts.push(context);
  const desktop = await context.newPage();
  await desktop.goto(a.baseUrl, { waitUntil: 'networkidle' });
  // Every state from the start: 'created' may be announced after the link shows, so the next event is not Cancel's.
  await recordHandoffStates(desktop);
  await desktop.locator('accura-id-liveness button', { hasText: 'Use your phone instead' }).click();
  const linkField = desktop.locator('accura-id-liveness [part=handoff-link]');
  await linkField.waitFor();
  const link = `http://${await linkField.inputValue()}`;
  await desktop.locator('accura-id-liveness [part=handoff] button', { hasText: 'Cancel' }).click();
  await desktop.waitForFunction(() => (window as any).handoffStates.includes('cancelled'));
  assert.deepEqual(await desktop.evaluate(() => (window as any).handoffStates), ['created', 'cancelled']);
  await desktop.locator('accura-id-liveness button', { hasText: 'Use your phone instead' }).waitFor();

  const phoneContext = await browser.newContext(PHONE);
  contexts.push(phoneContext);
  const phone = await phoneContext.newPage();
  await phone.goto(link);
  await phone.locator('accura-id-liveness [part=error]').waitFor();
  assert.match(await phone.locator('accura-id-liveness [part=error]').innerText(), /cancelled/i);
  assert.equal(
    await phone.locator('accura-id-liveness button', { hasText: 'Use your phone instead' }).count(),
    0,
    'never offered on a phone',
  );
});
