import { expect, fixture, html } from '@open-wc/testing';
import type { AccuraIdLiveness, LivenessErrorEvent } from '../../src/index.ts';
import { button, makeElement, startupDecided, stubMediaDevices, untilPhase } from '../support/harness.ts';

const labels = (el: AccuraIdLiveness) => [...el.shadowRoot!.querySelectorAll('button')].map((b) => b.textContent?.trim());

describe('handoff attribute', () => {
  it('offers "Use your phone instead" on a desktop by default, and hides it with handoff="off"', async () => {
    const { el } = await makeElement();
    expect(labels(el)).to.include('Use your phone instead');
    el.handoff = 'off';
    await el.updateComplete;
    expect(labels(el)).not.to.include('Use your phone instead');
  });

  it('offers the phone on a camera error too', async () => {
    const restore = stubMediaDevices('getUserMedia', () => Promise.reject(new DOMException('refused by test', 'NotAllowedError')));
    try {
      const { el } = await makeElement();
      button(el, 'Use camera').click();
      await untilPhase(el, 'error');
      expect(labels(el)).to.include('Use your phone instead');
      await expect(el).to.be.accessible();
    } finally {
      restore();
    }
  });

  it('force hands off at once on a desktop; without a token it says so, as a handoff error', async () => {
    const error = new Promise<LivenessErrorEvent>((resolve) =>
      document.addEventListener('liveness-error', resolve as EventListener, { once: true }),
    );
    const el = await fixture<AccuraIdLiveness>(
      html`<accura-id-liveness endpoint="/api/id-liveness" country-code="USA" card-code="MRZ" handoff="force"></accura-id-liveness>`,
    );
    const { detail } = await error;
    expect(detail.code).to.equal('config');
    expect(detail.source).to.equal('handoff');
    expect(el.phase).to.equal('error');
  });

  it('auto hands off at once on a desktop without a camera, and not on one with a camera', async () => {
    const decided = startupDecided();
    const withCamera = await fixture<AccuraIdLiveness>(
      html`<accura-id-liveness endpoint="/api/id-liveness" country-code="USA" card-code="MRZ" handoff="auto"></accura-id-liveness>`,
    );
    // Positive evidence first: the element asked for the camera list and acted on the answer.
    await decided;
    await withCamera.updateComplete;
    expect(withCamera.phase, 'the fake camera is a camera').to.equal('start');

    const restore = stubMediaDevices('enumerateDevices', async () => []);
    try {
      const error = new Promise<LivenessErrorEvent>((resolve) =>
        document.addEventListener('liveness-error', resolve as EventListener, { once: true }),
      );
      await fixture<AccuraIdLiveness>(
        html`<accura-id-liveness endpoint="/api/id-liveness" country-code="USA" card-code="MRZ" handoff="auto"></accura-id-liveness>`,
      );
      expect((await error).detail.source).to.equal('handoff');
    } finally {
      restore();
    }
  });
});
