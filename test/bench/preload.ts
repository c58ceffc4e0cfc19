/**
 * `npm run bench` (after `npm run build`): the time from choosing a photo to its upload starting, on a
 * plain page with the classic script and a 2 MP photo, over Chromium's network emulation of a slow 4G link (150 ms RTT,
 * 1.6 Mbit/s down, 750 kbit/s up, DevTools' "Slow 4G"), with a cold cache each run:
 * - no hint: the photo is chosen with no pointer over and no focus in the widget first;
 * - hint: the pointer rests over the widget for 1.5 s first (the loader warms the chunk and the worker).
 * The upload is timed from the server's side (the POST's arrival), the choice from the moment
 * the file input is given the photo.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { CHROME_ARGS, findChrome } from '../../scripts/chrome.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const DWELL_MS = 1500;
const script = new URL('../../dist/script/', import.meta.url).pathname;
const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>preload bench</title>
<script src="/script/accura-id-liveness.min.js"></script></head>
<body><accura-id-liveness endpoint="/api/liveness" country-code="IND" card-code="MRZ"></accura-id-liveness></body></html>`;

let uploadStarted: (() => void) | undefined;
const server = http.createServer(async (request, response) => {
  const path = new URL(request.url!, 'http://x').pathname;
  if (path === '/') return void response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  if (path === '/api/liveness') {
    uploadStarted?.();
    request.resume();
    return void request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{"score":91}'));
  }
  if (path.startsWith('/script/') && /^[\w./-]+\.js$/.test(path) && !path.includes('..')) {
    const body = await readFile(join(script, path.slice('/script/'.length))).catch(() => undefined);
    if (body) return void response.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-cache' }).end(body);
  }
  response.writeHead(404).end();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// A 2 MP photo (noise, so it doesn't compress to nothing): small, so the machine's load weighs less than the network.
const noise = Buffer.alloc(400 * 300 * 3);
for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
const photo = await sharp(noise, { raw: { width: 400, height: 300, channels: 3 } })
  .resize(1600, 1200)
  .jpeg({ quality: 90 })
  .toBuffer();

const browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_ARGS });

/** One cold-cache run: milliseconds from choosing the photo to the upload's first byte at the server. */
async function once(hint: boolean): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6e6 / 8) * 0.9,
    uploadThroughput: (750e3 / 8) * 0.9,
  });
  const chunks: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/chunks/')) chunks.push(request.url());
  });
  await page.goto(origin, { waitUntil: 'load' });
  await page.waitForFunction(() => customElements.get('accura-id-liveness'));
  if (hint) await page.hover('accura-id-liveness');
  await page.waitForTimeout(DWELL_MS); // the user's time to open the picker and choose, the same in both
  if (!hint && chunks.length) throw new Error('the chunk was fetched before any intent: the no-hint run is not one');
  const uploaded = new Promise<number>((resolve) => (uploadStarted = () => resolve(performance.now())));
  const chosen = performance.now();
  await page.locator('accura-id-liveness input[type=file]').setInputFiles({ name: 'card.jpg', mimeType: 'image/jpeg', buffer: photo });
  // The quality gate judges the photo, then the user sends it at once.
  await page.locator('accura-id-liveness button.primary:not([disabled])').click({ timeout: 120_000 });
  const elapsed = (await uploaded) - chosen;
  await context.close();
  return elapsed;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rows: Record<string, { 'median ms': number; 'runs ms': string }> = {};
const times: Record<'no hint' | 'hint', number[]> = { 'no hint': [], hint: [] };
// Interleaved, so the machine's load falls on both alike.
for (let run = 0; run < runs; run++) for (const hint of [false, true]) times[hint ? 'hint' : 'no hint'].push(await once(hint));
for (const [name, values] of Object.entries(times))
  rows[name] = { 'median ms': Math.round(median(values)), 'runs ms': values.map(Math.round).join(' ') };
console.log(
  `\nChoosing a 2 MP photo to its upload starting, classic script, Slow 4G (150 ms RTT), cold cache, ${runs} runs each (Chromium ${browser.version()}):`,
);
console.table(rows);
await browser.close();
server.close();
