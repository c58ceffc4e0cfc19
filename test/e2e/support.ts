/** Shared setup for the end-to-end tests: the demo's Vite server, Chromium, and a photo made in the page. */
import { type Browser, type Page, chromium } from 'playwright-core';
import { type ViteDevServer, createServer } from 'vite';
import { CHROME_ARGS, findChrome } from '../../scripts/chrome.mjs';

/** `npm start`'s server (demo, proxy and sandbox) on a free loopback port. */
export async function startDemoServer(): Promise<{ server: ViteDevServer; baseUrl: string }> {
  const server = await createServer({
    configFile: new URL('../../vite.config.ts', import.meta.url).pathname,
    server: { port: 0, host: '127.0.0.1' },
    logLevel: 'silent',
  });
  await server.listen();
  return { server, baseUrl: server.resolvedUrls!.local[0] };
}

/** Debian's (or the local) Chromium, headless; `extraArgs` such as a fake camera's flags. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: findChrome(), args: [...CHROME_ARGS, ...extraArgs] });
}

/** A photo-like JPEG (table, card, text lines, a little noise) drawn in the page, as file bytes. */
export async function photoInPage(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(1600, 1200);
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#6b5440';
    context.fillRect(0, 0, 1600, 1200);
    context.fillStyle = '#e9eef5';
    context.fillRect(200, 200, 1200, 757);
    context.fillStyle = '#223';
    for (let i = 0; i < 8; i++) context.fillRect(700, 320 + i * 70, 500, 24);
    const image = context.getImageData(0, 0, 1600, 1200);
    for (let i = 0; i < image.data.length; i += 4) image.data[i] += (Math.sin(i) * 8) | 0;
    context.putImageData(image, 0, 0);
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 })).arrayBuffer());
    let text = '';
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text);
  });
  return Buffer.from(base64, 'base64');
}

/** An iPhone-sized page: touch, DPR 3, a phone user agent (so `pointer: coarse` matches). */
export const PHONE = {
  hasTouch: true,
  isMobile: true,
  deviceScaleFactor: 3,
  userAgent:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
} as const;

/** A new page in a phone context of the given viewport, recording every camera stream it is handed. */
export async function phonePage(browser: Browser, width: number, height: number): Promise<Page> {
  const context = await browser.newContext({ ...PHONE, viewport: { width, height } });
  await context.addInitScript(recordStreams);
  // Camera start-up on a busy 2-core machine can pass Playwright's 30 s default.
  context.setDefaultTimeout(60_000);
  return context.newPage();
}

/** Runs in the page before its scripts: keeps each stream getUserMedia returns, for track checks. */
function recordStreams(): void {
  const streams: MediaStream[] = [];
  (window as unknown as { cameraStreams: MediaStream[] }).cameraStreams = streams;
  const original = navigator.mediaDevices?.getUserMedia?.bind(navigator.mediaDevices);
  if (!original) return;
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    streams.push(stream);
    return stream;
  };
}

/** Loads the demo with auto-capture off, so a test (or a screenshot) decides when to capture. */
export async function openDemo(page: Page, baseUrl: string): Promise<void> {
  await page.goto(baseUrl, { waitUntil: 'networkidle' });
  await page.evaluate(() => {
    document.querySelector('accura-id-liveness')!.autoCapture = false;
  });
}
