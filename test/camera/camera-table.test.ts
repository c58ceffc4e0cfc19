import { aTimeout, expect } from '@open-wc/testing';
import { button, makeElement, untilPhase } from '../support/harness.ts';

/** Runs in its own browser, whose fake camera films the moving card's wooden table with no card on it. */
describe('auto-capture with only the table in view', () => {
  it('never captures, draws no outline, and says there is no card', async () => {
    const { el } = await makeElement({}, { qualityCheck: 'warn' });
    let captured = false;
    el.addEventListener('liveness-capture', () => (captured = true));
    button(el, 'Use camera').click();
    await untilPhase(el, 'camera');
    let outlined = false;
    // Several loops of the two-second video, many analyses' worth.
    for (let i = 0; i < 100; i++) {
      outlined ||= !!el.shadowRoot!.querySelector('[part=outline]');
      await aTimeout(50);
    }
    expect(captured).to.be.false;
    expect(outlined, 'no outline drawn').to.be.false;
    expect(el.phase).to.equal('camera');
    expect(el.shadowRoot!.querySelector('.camera .hint')!.textContent).to.contain('Place the card inside the frame');
    expect(el.shadowRoot!.querySelector('[role=status]')!.textContent).to.contain('Place the card inside the frame');
    await expect(el).to.be.accessible();
    el.reset();
  });
});
