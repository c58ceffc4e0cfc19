import { expect, fixture, html } from '@open-wc/testing';
import type { AccuraIdLiveness, LivenessErrorEvent, LivenessProgressEvent, LivenessResultEvent } from '../../src/index.ts';
import { photoJpeg, svgFile, textAsJpeg } from '../support/fixtures.ts';
import { afterPendingWork, button, chooseFile, makeElement, oneEvent, requestsFor, untilPhase } from '../support/harness.ts';
import { until } from '../support/wait.mjs';

describe('<accura-id-liveness> UI', () => {
  let photo: File;
  before(async () => {
    photo = new File([await photoJpeg(1600, 1200)], 'card.jpg', { type: 'image/jpeg' });
  });

  it('writes no attribute the host did not set, so server-rendered HTML hydrates unchanged', async () => {
    const el = await fixture<AccuraIdLiveness>(
      html`<accura-id-liveness endpoint="/api" country-code="USA" card-code="MRZ"></accura-id-liveness>`,
    );
    // Positive evidence first: the first render and firstUpdated ran, then the start-up promise chain
    // they queued (the handoff decision, which asks no device with the default handoff="offer").
    await el.updateComplete;
    await afterPendingWork();
    await el.updateComplete;
    expect(el.getAttributeNames().sort()).to.deep.equal(['card-code', 'country-code', 'endpoint']);
    expect({ mode: el.mode, documentType: el.documentType, qualityCheck: el.qualityCheck, disabled: el.disabled }).to.deep.equal({
      mode: 'auto',
      documentType: 'id-card',
      qualityCheck: 'warn',
      disabled: false,
    });
    // Booleans that drive styling still reflect once the host sets them.
    el.disabled = true;
    await el.updateComplete;
    expect(el.hasAttribute('disabled')).to.be.true;
    expect(getComputedStyle(el).opacity).to.not.equal('1');
  });

  it('starts with a labelled native file input and is accessible', async () => {
    const { el } = await makeElement();
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[type=file]')!;
    expect(input.getAttribute('aria-label')).to.equal('Photo of your ID document');
    expect(el.phase).to.equal('start');
    await expect(el).to.be.accessible();
  });

  it('on a phone, offers the camera app through a file input with capture=environment', async () => {
    // The element reads the user agent when it renders; an iPhone's, whatever the engine under it.
    Object.defineProperty(navigator, 'userAgent', {
      configurable: true,
      get: () => 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
    });
    try {
      const { el } = await makeElement();
      const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[capture]');
      expect(input, 'a camera-app input').to.exist;
      expect(input!.getAttribute('capture')).to.equal('environment');
      expect(input!.getAttribute('aria-label')).to.equal("Use the phone's camera app");
    } finally {
      delete (navigator as { userAgent?: string }).userAgent;
    }
    const { el } = await makeElement();
    expect(el.shadowRoot!.querySelector('input[capture]'), 'none on a desktop').to.not.exist;
  });

  it('goes from a chosen file to a Live result, with progress and result events, accessible in each state', async () => {
    const { el, id } = await makeElement({ score: 87.5 });
    const progress: LivenessProgressEvent['detail'][] = [];
    el.addEventListener('liveness-progress', (event) => progress.push(event.detail));

    await chooseFile(el, photo);
    expect(el.phase).to.equal('preview');
    expect(el.shadowRoot!.querySelector('img[part=preview]')).to.exist;
    await expect(el).to.be.accessible();

    const resultEvent = oneEvent(el, 'liveness-result') as Promise<LivenessResultEvent>;
    button(el, 'Check document').click();
    await el.updateComplete;
    expect(el.phase).to.be.oneOf(['preparing', 'uploading']);
    await expect(el).to.be.accessible();
    const { detail } = await resultEvent;
    await el.updateComplete;

    expect(detail.score).to.equal(87.5);
    expect(detail.verdict).to.equal('live');
    expect(detail.threshold).to.equal(55);
    expect(detail.countryCode).to.equal('USA');
    expect(detail.cardCode).to.equal('MRZ');
    expect(detail.image.type).to.equal('image/jpeg');
    expect(detail.image.width).to.equal(1600);
    expect(detail.image.height).to.equal(1200);
    expect(detail.durationMs).to.be.a('number').and.to.be.greaterThan(0);
    expect(detail.response).to.deep.equal({ status: true, data: { score: 87.5 } });
    expect(detail.sandbox).to.be.false;

    expect(progress.some((p) => p.stage === 'preparing')).to.be.true;
    const uploads = progress.filter((p) => p.stage === 'uploading');
    expect(uploads.length).to.be.greaterThan(0);
    expect(uploads.at(-1)!.loaded).to.equal(uploads.at(-1)!.total);
    expect(uploads.at(-1)!.total).to.be.greaterThanOrEqual(detail.image.bytes);

    expect(el.phase).to.equal('result');
    expect(el.shadowRoot!.querySelector('[part=verdict]')!.textContent).to.contain('Live document');
    expect(el.shadowRoot!.querySelector('[part=score]')!.textContent).to.contain('87.5');
    expect(el.shadowRoot!.querySelector('[role=status]')!.textContent).to.contain('Live document');
    await expect(el).to.be.accessible();

    const [request] = await requestsFor(id);
    expect(Object.keys(request.fields).sort()).to.deep.equal(['card_code', 'country_code', 'liveness_image']);
    expect(request.fields.country_code).to.equal('USA');
    expect(request.fields.card_code).to.equal('MRZ');
    const image = request.fields.liveness_image as { filename: string; size: number };
    expect(image.filename).to.equal('liveness.jpg');
    expect(image.size).to.be.at.most(1_000_000).and.to.equal(detail.image.bytes);
    expect(request.headers['content-type']).to.match(/^multipart\/form-data; boundary=/);
    expect(request.headers.cookie).to.be.undefined;

    button(el, 'Check another').click();
    await el.updateComplete;
    expect(el.phase).to.equal('start');
  });

  it('shows Spoof at exactly the threshold and Live just above it', async () => {
    for (const [score, verdict] of [
      [55, 'spoof'],
      [55.01, 'live'],
    ] as const) {
      const { el } = await makeElement({ score });
      const result = await el.check(photo);
      expect(result.verdict, `score ${score}`).to.equal(verdict);
      expect(el.shadowRoot!.querySelector('[part=verdict]')!.textContent).to.contain(
        verdict === 'live' ? 'Live document' : 'Not a live document',
      );
    }
  });

  it('says so when a sandbox answered, so its score is never taken for a judgement', async () => {
    const { el } = await makeElement({ body: JSON.stringify({ status: true, sandbox: true, data: { score: 90 } }) });
    const result = await el.check(photo);
    expect(result.sandbox).to.be.true;
    expect(el.shadowRoot!.querySelector('[part=sandbox]')!.textContent).to.contain('not a real liveness check');
    await expect(el).to.be.accessible();
  });

  it('honours a custom threshold', async () => {
    const { el } = await makeElement({ score: 70 });
    el.threshold = 75;
    const result = await el.check(photo);
    expect(result).to.include({ threshold: 75, verdict: 'spoof' });
  });

  it('accepts a dropped file and a pasted image', async () => {
    const { el } = await makeElement();
    const transfer = new DataTransfer();
    transfer.items.add(photo);
    el.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.dragging')).to.exist;
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    await el.updateComplete;
    expect(el.phase).to.equal('preview');

    el.reset();
    await el.updateComplete;
    const clipboard = new DataTransfer();
    clipboard.items.add(photo);
    const paste = new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, composed: true });
    // Firefox copies only the strings of a script-made clipboardData: hand over the files as a real paste would.
    if (paste.clipboardData?.files.length === 0) Object.defineProperty(paste, 'clipboardData', { value: clipboard });
    el.shadowRoot!.querySelector('input')!.dispatchEvent(paste);
    await el.updateComplete;
    expect(el.phase).to.equal('preview');
  });

  it('shows a typed error for a bad file and still completes a check with the next one', async () => {
    const { el } = await makeElement();
    const errors: LivenessErrorEvent['detail'][] = [];
    el.addEventListener('liveness-error', (event) => errors.push(event.detail));
    for (const file of [textAsJpeg(), svgFile()]) {
      await chooseFile(el, file);
      button(el, 'Check document').click();
      await untilPhase(el, 'error');
      expect(el.shadowRoot!.querySelector('[part=error]')!.textContent).to.contain('JPEG, PNG or WebP');
      await expect(el).to.be.accessible();
    }
    expect(errors.map((e) => e.code)).to.deep.equal(['unsupported-format', 'unsupported-format']);
    expect(errors.every((e) => e.retryable === false)).to.be.true;

    await chooseFile(el, photo); // the "Choose another" input in the error state
    button(el, 'Check document').click();
    await untilPhase(el, 'result');
  });

  it('offers Try again for a retryable error, which then succeeds', async () => {
    const { el, id } = await makeElement({ statuses: '500,200' });
    await chooseFile(el, photo);
    button(el, 'Check document').click();
    await untilPhase(el, 'error');
    expect(el.shadowRoot!.querySelector('[part=error]')!.textContent).to.contain('Test endpoint answered 500');
    button(el, 'Try again').click();
    await untilPhase(el, 'result');
    expect(await requestsFor(id)).to.have.length(2);
  });

  it('cancels an upload in flight and returns to the preview', async () => {
    const { el } = await makeElement({ delay: 3000 });
    await chooseFile(el, photo);
    const error = oneEvent(el, 'liveness-error') as Promise<LivenessErrorEvent>;
    button(el, 'Check document').click();
    await untilPhase(el, 'uploading');
    await expect(el).to.be.accessible();
    button(el, 'Cancel').click();
    expect((await error).detail.code).to.equal('aborted');
    await el.updateComplete;
    expect(el.phase).to.equal('preview');
    expect(button(el, 'Check document')).to.exist;
  });

  it('disables every control with the disabled attribute', async () => {
    const { el } = await makeElement();
    el.disabled = true;
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('input')!.disabled).to.be.true;
    await chooseFile(el, photo);
    expect(el.phase).to.equal('start');
  });

  it('revokes every object URL it creates and stores nothing', async () => {
    const created: string[] = [];
    const revoked: string[] = [];
    const { createObjectURL, revokeObjectURL } = URL;
    URL.createObjectURL = (object) => {
      const url = createObjectURL(object);
      created.push(url);
      return url;
    };
    URL.revokeObjectURL = (url) => {
      revoked.push(url);
      revokeObjectURL(url);
    };
    try {
      const { el } = await makeElement();
      await chooseFile(el, photo);
      await chooseFile(el, photo);
      await el.check(photo);
      el.reset();
      await chooseFile(el, photo);
      el.remove();
      expect(created.length).to.be.greaterThan(0);
      await until('every object URL made to be revoked', () => revoked.length >= created.length, {
        seen: () => `${revoked.length} of ${created.length} revoked`,
      });
      expect([...revoked].sort()).to.deep.equal([...created].sort());
    } finally {
      URL.createObjectURL = createObjectURL;
      URL.revokeObjectURL = revokeObjectURL;
    }
    expect(localStorage.length).to.equal(0);
    expect(sessionStorage.length).to.equal(0);
    expect(document.cookie).to.equal('');
    expect(await indexedDB.databases()).to.deep.equal([]);
  });

  it('is not defined twice when a second copy of the module loads', async () => {
    const first = customElements.get('accura-id-liveness');
    // @ts-expect-error a query string makes a second module instance, as a second script copy would
    await import('../../src/accura-id-liveness.ts?copy=2');
    expect(customElements.get('accura-id-liveness')).to.equal(first);
  });

  it('sends only to its own origin', async () => {
    const { el } = await makeElement();
    await el.check(photo);
    const origins = new Set(performance.getEntriesByType('resource').map((entry) => new URL(entry.name).origin));
    expect([...origins]).to.deep.equal([location.origin]);
  });
});
