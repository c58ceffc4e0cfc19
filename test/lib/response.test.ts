import { expect } from '@open-wc/testing';
import { parseLivenessResponse, parseScore } from '../../src/lib/response.ts';

const ok = (body: unknown, status = 200) => parseLivenessResponse(status, typeof body === 'string' ? body : JSON.stringify(body));

describe('parseLivenessResponse', () => {
  it('accepts the score at data.score or at the top level, as a number or numeric string', () => {
    for (const body of [
      { status: true, data: { score: 87.5 } },
      { Status: 'Success', data: { score: '87.5' } },
      { score: '87.5 %' },
      { score: '87.5%' },
      { score: 87.5 },
      { status: true, score: 87.5, extra: { unknown: 'fields are fine' } },
    ]) {
      expect(ok(body), JSON.stringify(body)).to.deep.equal({ ok: true, score: 87.5, threshold: 55, verdict: 'live' });
    }
  });

  it('never rescales: 0.9 is 0.9 % and a spoof', () => {
    expect(ok({ score: 0.9 })).to.include({ ok: true, score: 0.9, verdict: 'spoof' });
  });

  it('puts 55 exactly on the spoof side and 55.01 on the live side', () => {
    expect(ok({ score: 55 })).to.include({ verdict: 'spoof' });
    expect(ok({ score: 55.01 })).to.include({ verdict: 'live' });
    expect(parseLivenessResponse(200, { score: 60 }, 70)).to.include({ verdict: 'spoof', threshold: 70 });
  });

  it('accepts an already parsed body', () => {
    expect(parseLivenessResponse(200, { data: { score: 12 } })).to.include({ ok: true, score: 12 });
  });

  it('rejects scores outside 0–100 and non-finite spellings', () => {
    for (const score of [-1, 100.5, 140, '1e309', 'NaN', 'Infinity', '', 'high', true, null]) {
      const result = ok({ score });
      expect(result.ok, String(score)).to.be.false;
      if (!result.ok) expect(result.error.code).to.equal('invalid-response');
    }
  });

  it('reports failures with the server message from message, Message or error', () => {
    expect(ok({ status: false, message: 'No card found' })).to.deep.equal({
      ok: false,
      error: { code: 'invalid-response', message: 'No card found', retryable: false, status: 200 },
    });
    expect(ok({ Status: 'Failed', Message: 'Blurry image' })).to.deep.include({ ok: false });
    const failed = ok({ Status: 'Failed', Message: 'Blurry image' });
    if (!failed.ok) expect(failed.error.message).to.equal('Blurry image');
    const errored = ok({ status: false, error: 'Quota exceeded' });
    if (!errored.ok) expect(errored.error.message).to.equal('Quota exceeded');
  });

  it('reports invalid-response for a body that is not JSON or has no score', () => {
    for (const body of ['<html>', '', 'null', '[1,2]', JSON.stringify({ status: true })]) {
      const result = ok(body);
      expect(result.ok, body).to.be.false;
      if (!result.ok) expect(result.error.code).to.equal('invalid-response');
    }
  });

  it('reports http for non-2xx statuses, unauthorized for 401/403, with retryable overload statuses', () => {
    const cases: [number, string, boolean][] = [
      [400, 'http', false],
      [413, 'http', false],
      [429, 'http', true],
      [500, 'http', true],
      [503, 'http', true],
      [401, 'unauthorized', false],
      [403, 'unauthorized', false],
    ];
    for (const [status, code, retryable] of cases) {
      const result = ok({ status: false, message: 'nope' }, status);
      expect(result, String(status)).to.deep.equal({ ok: false, error: { code, message: 'nope', retryable, status } });
    }
    const html = parseLivenessResponse(502, '<html>Bad gateway</html>');
    if (!html.ok) expect(html.error.message).to.contain('HTTP 502');
  });

  it('carries the sandbox flag only when it is exactly true', () => {
    expect(ok({ status: true, sandbox: true, data: { score: 10 } })).to.include({ sandbox: true });
    expect(ok({ status: true, sandbox: 'yes', data: { score: 10 } })).to.not.have.property('sandbox');
  });

  it('parseScore accepts only plain decimals', () => {
    expect(parseScore('42')).to.equal(42);
    expect(parseScore(' 42.25 % ')).to.equal(42.25);
    expect(parseScore('4e1')).to.be.undefined;
    expect(parseScore(Number.NaN)).to.be.undefined;
  });
});
