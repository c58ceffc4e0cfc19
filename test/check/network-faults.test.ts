import { expect } from '@open-wc/testing';
import type { LivenessError } from '../../src/index.ts';
import { photoJpeg } from '../support/fixtures.ts';
import { makeElement, requestsFor, testEndpoint, untilPhase } from '../support/harness.ts';

let photo: Blob;
const unhandled: unknown[] = [];
const onUnhandled = (event: PromiseRejectionEvent) => unhandled.push(event.reason);

before(async () => {
  photo = await photoJpeg(1024, 768);
  window.addEventListener('unhandledrejection', onUnhandled);
});
after(() => window.removeEventListener('unhandledrejection', onUnhandled));

async function failed(params: Record<string, string | number>, setup = {}) {
  const { el, id } = await makeElement(params, setup);
  const error = await el.check(photo).then(
    () => undefined,
    (e: LivenessError) => e,
  );
  await untilPhase(el, 'error');
  return { el, id, error: error! };
}

describe('network faults from a misbehaving local server', () => {
  afterEach(() => expect(unhandled, 'no unhandled promise rejection').to.deep.equal([]));

  it('a 500 with an HTML body: http, with the status, and a retry that works', async () => {
    const { el, error } = await failed({ statuses: '500,200', errorBody: '<html><body>Internal error</body></html>', type: 'text/html' });
    expect(error).to.include({ code: 'http', status: 500, retryable: true });
    expect(error.message).to.contain('HTTP 500');
    expect((await el.check(photo)).verdict).to.equal('live');
  });

  it('a 20 MB JSON answer is refused at its headers: invalid-response, and a retry that works', async () => {
    const { el, error } = await failed({ big: 20_000_000 });
    expect(error.code).to.equal('invalid-response');
    el.endpoint = testEndpoint().url;
    expect((await el.check(photo)).verdict).to.equal('live');
  });

  // Unsized, the cap is met while the body streams, or (a fast body) only once it is whole: Chromium's last
  // progress event came after the end, where an abort fires nothing and the check once waited for ever.
  for (const bytes of [20_000_000, 1_100_000]) {
    it(`a ${bytes / 1e6} MB JSON answer without a Content-Length is cut off: invalid-response`, async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const { error } = await failed({ big: bytes, unsized: 1 });
        expect(error.code, `attempt ${attempt + 1}`).to.equal('invalid-response');
      }
    });
  }

  it('JSON with unknown fields is accepted', async () => {
    const { el } = await makeElement({
      body: JSON.stringify({
        status: true,
        data: { score: 72, liveness_model: 'v9', extra: [1, 2] },
        request_id: 'abc',
        timing: { ms: 12 },
      }),
    });
    expect((await el.check(photo)).score).to.equal(72);
  });

  for (const score of ['NaN', 'Infinity', '1e309']) {
    it(`a score of "${score}" is rejected`, async () => {
      const { error } = await failed({ body: JSON.stringify({ status: true, data: { score } }) });
      expect(error.code).to.equal('invalid-response');
    });
  }

  it('a redirect to another origin is not followed with the token', async () => {
    const other = location.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
    const target = testEndpoint();
    const to = `${location.protocol}//${other}:${location.port}${target.url}`;
    const { el } = await makeElement({}, { token: 'secret-token-xyz' });
    el.endpoint = `/test-api/redirect?${new URLSearchParams({ to })}`; // answers 307 to the other origin
    const error = await el.check(photo).then(
      () => undefined,
      (e: LivenessError) => e,
    );
    expect(error).to.exist;
    for (const request of await requestsFor(target.id)) expect(request.headers.authorization).to.be.undefined;
    expect(error!.code).to.be.oneOf(['network', 'http']);
  });
});
