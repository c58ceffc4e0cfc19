import { expect } from '@open-wc/testing';
import type { LivenessError, LivenessErrorEvent } from '../../src/index.ts';
import { photoJpeg } from '../support/fixtures.ts';
import { makeElement, oneEvent, requestsFor } from '../support/harness.ts';

let photo: Blob;
before(async () => {
  photo = await photoJpeg(1024, 768);
});

async function failure(params: Record<string, string | number>, setup: Parameters<typeof makeElement>[1] = {}) {
  const { el, id } = await makeElement(params, setup);
  const event = oneEvent(el, 'liveness-error') as Promise<LivenessErrorEvent>;
  let thrown: LivenessError | undefined;
  await el.check(photo).catch((error) => (thrown = error));
  const { detail } = await event;
  expect(thrown?.code, 'check() rejects with the event error').to.equal(detail.code);
  return { el, id, detail, requests: await requestsFor(id) };
}

describe('network behaviour against a real local endpoint', () => {
  it('sends the token as a Bearer header and never puts it in an event', async () => {
    const { el, id } = await makeElement({}, { token: 'tok-secret-123' });
    const result = await el.check(photo);
    const [request] = await requestsFor(id);
    expect(request.headers.authorization).to.equal('Bearer tok-secret-123');
    expect(request.headers['api-key']).to.be.undefined;
    expect(JSON.stringify(result)).to.not.contain('tok-secret-123');
  });

  it('sends an api-key as Api-Key (local development), without a warning on 127.0.0.1', async () => {
    const warnings: unknown[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      const { el, id } = await makeElement({}, { apiKey: 'key-local-dev' });
      await el.check(photo);
      expect((await requestsFor(id))[0].headers['api-key']).to.equal('key-local-dev');
      expect(warnings).to.have.length(0);

      // Against any other host it warns once, before anything is sent (aborted here so nothing leaves).
      el.endpoint = 'https://liveness.example.com/api';
      const pending = el.check(photo).catch((error: LivenessError) => error.code);
      el.abort();
      expect(await pending).to.equal('aborted');
      expect(warnings).to.have.length(1);
      expect(String((warnings[0] as unknown[])[0]))
        .to.contain('every visitor')
        .and.not.contain('key-local-dev');
    } finally {
      console.warn = warn;
    }
  });

  it('calls getToken before each upload, and once more with one retry after a 401', async () => {
    let calls = 0;
    const getToken = async () => `token-${++calls}`;
    const { el, id } = await makeElement({ statuses: '401,200' }, { getToken });
    const result = await el.check(photo);
    expect(result.verdict).to.equal('live');
    expect(calls).to.equal(2);
    const requests = await requestsFor(id);
    expect(requests.map((r) => r.headers.authorization)).to.deep.equal(['Bearer token-1', 'Bearer token-2']);
  });

  it('gives unauthorized after a second 401, without looping', async () => {
    const { detail, requests } = await failure({ statuses: '401' }, { getToken: async () => 'x' });
    expect(detail).to.include({ code: 'unauthorized', status: 401, retryable: false });
    expect(requests).to.have.length(2);
  });

  it('gives upstream-unauthorized for a server key the service refused: no retry, no new token, a message for the site owner', async () => {
    let calls = 0;
    const body = JSON.stringify({
      status: false,
      code: 'upstream-unauthorized',
      message: "The liveness API refused this server's API key",
    });
    const { detail, requests } = await failure({ statuses: '502', errorBody: body }, { getToken: async () => `token-${++calls}` });
    expect(detail).to.include({ code: 'upstream-unauthorized', status: 502, retryable: false });
    expect(detail.message).to.match(/site owner/);
    expect(requests, 'a 502 is usually retried, this one is not').to.have.length(1);
    expect(calls, 'no new token').to.equal(1);
  });

  it('retries 503 twice with backoff, then succeeds', async () => {
    const { el, id } = await makeElement({ statuses: '503,503,200' });
    const result = await el.check(photo);
    expect(result.score).to.equal(80);
    expect(await requestsFor(id)).to.have.length(3);
  });

  it('stops after two retries and reports http with the status', async () => {
    const { detail, requests } = await failure({ statuses: '502' });
    expect(detail).to.include({ code: 'http', status: 502, retryable: true });
    expect(requests).to.have.length(3);
  });

  it('waits as long as Retry-After asks on a 429', async () => {
    const { el, id } = await makeElement({ statuses: '429,200', retryAfter: 2 });
    const started = performance.now();
    await el.check(photo);
    expect(performance.now() - started).to.be.at.least(1900);
    expect(await requestsFor(id)).to.have.length(2);
  });

  it('does not retry other 4xx statuses', async () => {
    const { detail, requests } = await failure({
      statuses: '400',
      errorBody: JSON.stringify({ status: false, Message: 'Invalid card code' }),
    });
    expect(detail).to.include({ code: 'http', status: 400, retryable: false, message: 'Invalid card code' });
    expect(requests).to.have.length(1);
  });

  it('retries a dropped connection, then reports network', async () => {
    const { detail, requests } = await failure({ drop: 'always' });
    expect(detail).to.include({ code: 'network', retryable: true });
    // Our three attempts; on a reused connection Chromium may retry each transparently, up to
    // twice (kMaxRetryAttempts), which a loaded machine shows: 3 to 9, never a loop.
    expect(requests.length).to.be.within(3, 9);
  });

  it('recovers when a dropped connection succeeds on retry', async () => {
    const { el, id } = await makeElement({ drop: 1 });
    expect((await el.check(photo)).verdict).to.equal('live');
    expect(await requestsFor(id)).to.have.length(2);
  });

  it('ends a request that outlives the timeout with timeout', async () => {
    const { detail, el } = await failure({ hang: 1 }, { timeout: 800 });
    expect(detail).to.include({ code: 'timeout', retryable: true });
    expect(el.phase).to.equal('error');
  });

  it('reports invalid-response for a body that is not JSON, with no score, or with a score out of range', async () => {
    for (const body of [
      '<html>oops</html>',
      JSON.stringify({ status: true }),
      JSON.stringify({ score: 140 }),
      JSON.stringify({ score: 'NaN' }),
    ]) {
      const { detail } = await failure({ body, type: 'text/plain' });
      expect(detail.code, body).to.equal('invalid-response');
    }
  });

  it('reports a refusal as rejected with the service message, once, and stays ready for another photo', async () => {
    const { detail, requests, el } = await failure({ body: JSON.stringify({ Status: 'Fail', Message: 'Invalid Card Code' }) });
    expect(detail).to.deep.equal({ code: 'rejected', message: 'Invalid Card Code', retryable: false, status: 200 });
    expect(requests, 'a refusal is not retried').to.have.length(1);
    expect(el.shadowRoot!.querySelector('.error-message')?.textContent).to.contain('Invalid Card Code');
    expect(el.shadowRoot!.querySelector('input[type=file]'), 'another photo can be chosen').to.exist;
  });

  it('names the keys of an unknown answer, without values, so a host can write a responseParser', async () => {
    const { detail } = await failure({ body: JSON.stringify({ ok: 1, result: { liveness: 91, holder: 'Jane Doe' } }) });
    expect(detail).to.deep.include({ code: 'invalid-response', keys: ['ok', 'result'] });
    expect(JSON.stringify(detail)).to.not.contain('Jane');
  });

  it('reports config when the endpoint or a code is missing, and sends nothing', async () => {
    const { el, id } = await makeElement();
    el.countryCode = '';
    const error = await el.check(photo).catch((e: LivenessError) => e);
    expect(error).to.include({ code: 'config' });
    el.countryCode = 'IND';
    el.endpoint = '';
    expect(await el.check(photo).catch((e: LivenessError) => e.code)).to.equal('config');
    expect(await requestsFor(id)).to.have.length(0);
  });

  it('uses a host responseParser', async () => {
    const { el } = await makeElement({ body: JSON.stringify({ result: { liveness: 91 } }) });
    el.responseParser = (_status, body) => {
      const score = (JSON.parse(String(body)) as { result: { liveness: number } }).result.liveness;
      return { ok: true, score, threshold: 55, verdict: 'live' };
    };
    expect((await el.check(photo)).score).to.equal(91);
  });
});
