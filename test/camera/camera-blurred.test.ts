import { aTimeout, expect } from '@open-wc/testing';
import { button, makeElement, oneEvent, untilPhase } from '../support/harness.ts';

/** Runs in its own browser, whose fake camera films the card blurred with σ = 3. */
describe('auto-capture with a blurred camera', () => {
  it('does not capture, and tells the user to hold still; manual capture still works', async () => {
    const { el } = await makeElement({}, { qualityCheck: 'warn' });
    let captured = false;
    el.addEventListener('liveness-capture', () => (captured = true));
    button(el, 'Use camera').click();
    await untilPhase(el, 'camera');
    await aTimeout(3000); // many analyses' worth
    expect(captured).to.be.false;
    expect(el.phase).to.equal('camera');
    expect(el.shadowRoot!.querySelector('.camera .hint')!.textContent).to.contain('Hold still');
    expect(el.shadowRoot!.querySelector('[role=status]')!.textContent).to.contain('Hold still');
    await expect(el).to.be.accessible();
    const capture = oneEvent(el, 'liveness-capture');
    button(el, 'Capture').click();
    await capture;
    expect(el.phase).to.equal('preview');
  });
});
