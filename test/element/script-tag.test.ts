import { expect } from '@open-wc/testing';
import type { AccuraIdLiveness, LivenessResult, LivenessResultEvent } from '../../src/index.ts';
import { photoJpeg } from '../support/fixtures.ts';
import { requestsFor } from '../support/harness.ts';
import { until } from '../support/wait.mjs';

type PageWindow = Window & typeof globalThis & { __pageErrors: string[]; __violations: string[]; __warnings: string[] };

/** Opens a test page in a frame and hands its window to `use`; the frame goes away after. */
async function withPage(src: string, use: (win: PageWindow) => Promise<void>): Promise<void> {
  const frame = document.createElement('iframe');
  frame.src = src;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  try {
    await use(frame.contentWindow as PageWindow);
  } finally {
    frame.remove();
  }
}

/** Chooses a photo through the real file input and presses the main action, as a user would. */
async function checkThroughTheUi(win: PageWindow): Promise<LivenessResult> {
  const el = win.document.querySelector('accura-id-liveness') as AccuraIdLiveness;
  expect(win.customElements.get('accura-id-liveness')).to.exist;
  await el.updateComplete;
  const input = el.shadowRoot!.querySelector('input[type=file]') as HTMLInputElement;
  const transfer = new win.DataTransfer();
  transfer.items.add(new win.File([await photoJpeg(2400, 1600, { noise: 24 })], 'card.jpg', { type: 'image/jpeg' }));
  input.files = transfer.files;
  input.dispatchEvent(new win.Event('change', { bubbles: true }));
  await el.updateComplete;
  const result = new Promise<LivenessResultEvent>((resolve, reject) => {
    el.addEventListener('liveness-result', resolve as EventListener, { once: true });
    el.addEventListener('liveness-error', (event) => reject(new Error(JSON.stringify((event as CustomEvent).detail))), { once: true });
  });
  // The quality gate judges the photo first; then the main action is enabled.
  const primary = () => el.shadowRoot!.querySelector<HTMLButtonElement>('button.primary:not([disabled])');
  (await until('the quality gate to enable the main action', primary)).click();
  return (await result).detail;
}

const resourcePaths = (win: PageWindow) => win.performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname);

/** The built classic script (the loader and its chunks), on a static page with a strict CSP. Run after `npm run build`. */
describe('dist/script/accura-id-liveness.min.js on a plain page', function () {
  this.timeout(120_000); // two checks through the UI, one of them on the main thread
  it('completes a check from the file input, under a strict CSP, with the script loaded twice and a second copy', async () => {
    await withPage('/test/pages/script-tag.html', async (win) => {
      const detail = await checkThroughTheUi(win);
      expect(detail).to.include({ score: 91, verdict: 'live', countryCode: 'IND' });
      const [request] = await requestsFor('script-tag');
      expect((request.fields.liveness_image as { size: number }).size).to.be.at.most(1_000_000);
      // The first copy defined the tag: its chunks and worker came from beside it, none from the second copy.
      const paths = resourcePaths(win);
      expect(paths).to.include('/dist/script/accura-id-liveness.worker.js');
      expect(paths.some((path) => /^\/dist\/script\/chunks\/capture\.chunk-[\w-]+\.js$/.test(path))).to.equal(true, paths.join(' '));
      expect(paths.filter((path) => path.startsWith('/test-api/copy/chunks/'))).to.deep.equal([]);
      expect(win.__violations).to.deep.equal([]);
      expect(win.__pageErrors).to.deep.equal([]);
      expect(win.__warnings).to.deep.equal([]);
    });
  });

  it('still completes checks when the worker file is missing (a real 404), on the main thread, with one warning', async () => {
    await withPage('/test/pages/script-tag-no-worker.html', async (win) => {
      const first = await checkThroughTheUi(win);
      expect(first).to.include({ score: 91, verdict: 'live' });
      // The loader found its chunks beside itself, in this other folder.
      expect(resourcePaths(win).some((path) => path.startsWith('/test-api/no-worker/chunks/capture.chunk-'))).to.equal(true);
      const el = win.document.querySelector('accura-id-liveness') as AccuraIdLiveness;
      el.reset();
      const second = await checkThroughTheUi(win);
      expect(second.image.bytes).to.be.at.most(1_000_000);
      // The endpoint keeps every engine's requests under one id: this page's two are the last two.
      const sizes = (await requestsFor('no-worker')).slice(-2).map((request) => (request.fields.liveness_image as { size: number }).size);
      expect(sizes).to.deep.equal([first.image.bytes, second.image.bytes]);
      // One warning for the page, naming the cause and the file to ship; no error.
      expect(win.__warnings).to.have.length(1);
      expect(win.__warnings[0])
        .to.contain('could not start')
        .and.contain('/test-api/no-worker/accura-id-liveness.worker.js')
        .and.contain('accura-id-liveness.worker.js beside');
      expect(win.__pageErrors).to.deep.equal([]);
      expect(win.__violations).to.deep.equal([]);
    });
  });
});
