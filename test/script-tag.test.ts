import { expect } from '@open-wc/testing';
import type { AccuraIdLiveness, LivenessResultEvent } from '../src/index.ts';
import { photoJpeg } from './support/fixtures.ts';
import { requestsFor } from './support/harness.ts';

/** The built classic script, on a static page with a strict CSP, loaded twice. Run after `npm run build`. */
describe('dist/accura-id-liveness.min.js on a plain page', () => {
  it('completes a check from the file input, under a strict CSP, with the script loaded twice', async () => {
    const frame = document.createElement('iframe');
    frame.src = '/test/pages/script-tag.html';
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    document.body.append(frame);
    await loaded;
    const win = frame.contentWindow as Window & typeof globalThis & { __pageErrors: string[]; __violations: string[] };
    const violations = win.__violations;
    const errors = win.__pageErrors;
    try {
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
      for (let i = 0; i < 400 && !primary(); i++) await new Promise((r) => setTimeout(r, 25));
      primary()!.click();
      const { detail } = await result;
      expect(detail).to.include({ score: 91, verdict: 'live', countryCode: 'IND' });
      const [request] = await requestsFor('script-tag');
      expect((request.fields.liveness_image as { size: number }).size).to.be.at.most(1_000_000);
      // the worker came from dist/, beside the script
      const workerEntries = win.performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname);
      expect(workerEntries).to.include('/dist/accura-id-liveness.worker.js');
      expect(violations).to.deep.equal([]);
      expect(errors).to.deep.equal([]);
    } finally {
      frame.remove();
    }
  });
});
