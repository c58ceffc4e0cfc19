import { expect } from '@open-wc/testing';
import { button, countPreviewAnalyses, makeElement, oneEvent, untilPhase, untilText } from '../support/harness.ts';
import { until } from '../support/wait.mjs';

/** Analyses to see before "it did not capture" means anything: well past the 3 good frames in a row an auto-capture needs. */
const ANALYSES = 10;

/**
 * Runs in its own browser, whose fake camera films the card blurred with σ = 3 and held still: nothing moves between
 * frames, so the blur is focus, not motion ("Hold still" is for motion, tested in test/camera/capture-rules.test.ts).
 */
describe('auto-capture with a blurred camera', () => {
  it('does not capture, and tells the user to move the phone back (a still, blurred card that fills the guide is too close to focus); manual capture still works', async () => {
    const analyses = countPreviewAnalyses();
    try {
      const { el } = await makeElement({}, { qualityCheck: 'warn' });
      let captured = false;
      el.addEventListener('liveness-capture', () => (captured = true));
      button(el, 'Use camera').click();
      await untilPhase(el, 'camera');
      // Positive evidence first: the watcher judged the blurred frames, many times, and said so.
      const hint = () => el.shadowRoot!.querySelector('.camera .hint')?.textContent?.trim();
      await until(`${ANALYSES} preview analyses`, () => analyses.reported() >= ANALYSES, {
        seen: () => `${analyses.reported()} analyses; hint "${hint()}"`,
      });
      await untilText(el, 'Move the phone back a little');
      expect(captured).to.be.false;
      expect(el.phase).to.equal('camera');
      expect(el.shadowRoot!.querySelector('.camera .hint')!.textContent).to.contain('Move the phone back a little');
      expect(el.shadowRoot!.querySelector('[role=status]')!.textContent).to.contain('Move the phone back a little');
      await expect(el).to.be.accessible();
      const capture = oneEvent(el, 'liveness-capture');
      button(el, 'Capture').click();
      await capture;
      expect(el.phase).to.equal('preview');
    } finally {
      analyses.restore();
    }
  });
});
