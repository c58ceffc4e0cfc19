import { expect } from '@open-wc/testing';
import { button, countPreviewAnalyses, makeElement, untilPhase } from '../support/harness.ts';
import { until } from '../support/wait.mjs';

/**
 * Analyses to see before "it never captured" means anything: each is at least 150 ms after the last,
 * so 25 span more than 3.6 s, more than a whole loop of the two-second video.
 */
const ANALYSES = 25;

/** Runs in its own browser, whose fake camera films the moving card's wooden table with no card on it. */
describe('auto-capture with only the table in view', () => {
  it('never captures, draws no outline, and asks for the card in the frame', async () => {
    const analyses = countPreviewAnalyses();
    try {
      const { el } = await makeElement({}, { qualityCheck: 'warn' });
      let captured = false;
      el.addEventListener('liveness-capture', () => (captured = true));
      button(el, 'Use camera').click();
      await untilPhase(el, 'camera');
      // Sampled until many analyses have reported: an outline drawn at any point is caught.
      let outlined = false;
      await until(
        `${ANALYSES} preview analyses`,
        () => {
          outlined ||= !!el.shadowRoot!.querySelector('[part=outline]');
          return analyses.reported() >= ANALYSES;
        },
        { seen: () => `${analyses.reported()} analyses` },
      );
      expect(captured).to.be.false;
      expect(outlined, 'no outline drawn').to.be.false;
      expect(el.phase).to.equal('camera');
      // The hint, not the guidance line: the detector may be unsure, so it asks rather than claims "no card".
      expect(el.shadowRoot!.querySelector('.camera .hint')!.textContent!.trim()).to.equal('Place the card inside the frame');
      expect(el.shadowRoot!.querySelector('[role=status]')!.textContent).to.contain('Place the card inside the frame');
      await expect(el).to.be.accessible();
      el.reset();
    } finally {
      analyses.restore();
    }
  });
});
