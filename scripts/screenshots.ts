/**
 * `npm run screenshots`: the README's pictures of the full-screen camera on a phone, portrait and
 * landscape, taken from the demo in Debian's Chromium with the fake camera filming a rendered card.
 * Writes docs/phone-portrait.png and docs/phone-landscape.png.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { fakeCameraArgs, renderCardScene } from '../test/support/card-scene.mjs';
import { launchChromium, openDemo, phonePage, startDemoServer } from '../test/e2e/support.ts';

const docs = new URL('../docs/', import.meta.url).pathname;
mkdirSync(docs, { recursive: true });
const { server, baseUrl } = await startDemoServer();
const shots = [
  { name: 'phone-portrait', width: 390, height: 844, scene: { width: 1080, height: 1920, cardShare: 0.72 } },
  { name: 'phone-landscape', width: 844, height: 390, scene: { width: 1920, height: 1080, cardShare: 0.55 } },
];
let browser: Browser | undefined;
try {
  for (const shot of shots) {
    browser = await launchChromium(fakeCameraArgs(`screenshot-${shot.name}`, renderCardScene(shot.scene)));
    const page = await phonePage(browser, shot.width, shot.height);
    await openDemo(page, baseUrl);
    await page.locator('accura-id-liveness button:has-text("Use camera")').tap();
    await page.waitForFunction(
      () =>
        (document.querySelector('accura-id-liveness')!.shadowRoot!.querySelector('dialog[open] video') as HTMLVideoElement | null)
          ?.videoWidth,
    );
    // Let the quality watcher settle on its hint.
    await page.waitForTimeout(1500);
    // One CSS pixel per image pixel and a 16-colour palette without dithering keep each PNG small for the README.
    const png = await page.screenshot({ scale: 'css' });
    const { size } = await sharp(png).png({ palette: true, colors: 16, dither: 0, effort: 10 }).toFile(`${docs}${shot.name}.png`);
    console.log(`wrote docs/${shot.name}.png (${Math.round(size / 1024)} KB)`);
    await browser.close();
    browser = undefined;
  }
} finally {
  await browser?.close();
  await server.close();
}
