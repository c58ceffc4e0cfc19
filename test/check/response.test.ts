import { expect } from '@open-wc/testing';
import { parseLivenessResponse, parseScore } from '../../src/check/response.ts';

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
      error: { code: 'rejected', message: 'No card found', retryable: false, status: 200 },
    });
    expect(ok({ Status: 'Failed', Message: 'Blurry image' })).to.deep.include({ ok: false });
    const failed = ok({ Status: 'Failed', Message: 'Blurry image' });
    if (!failed.ok) expect(failed.error.message).to.equal('Blurry image');
    const errored = ok({ status: false, error: 'Quota exceeded' });
    if (!errored.ok) expect(errored.error.message).to.equal('Quota exceeded');
  });

  it('reads every answer shape of the API family (issue 11 table)', () => {
    const live80 = { ok: true, score: 80, threshold: 55, verdict: 'live' };
    for (const body of [
      { status: 1, data: { score: 80 } },
      { status: '1', data: { score: 80 } },
      { status: 'success', data: { score: 80 } },
      { status: ' SUCCESS ', data: { score: 80 } },
      { status: true, data: { Score: 80 } },
      { status: true, data: { liveness_score: 80 } },
      { status: true, data: { livenessScore: '80' } },
      { Status: 'Success', Message: 'OK', data: { score: 80 } },
      { status: true, liveness_score: 80 },
      { status: true, Score: 80, data: { score: '80.0' } },
    ]) {
      const result = ok(body);
      expect(result, JSON.stringify(body)).to.deep.include(live80);
    }
    expect(ok({ Status: 'Fail', Message: 'Invalid Card Code' })).to.deep.equal({
      ok: false,
      error: { code: 'rejected', message: 'Invalid Card Code', retryable: false, status: 200 },
    });
    expect(ok({ status: 0, message: 'File too large' })).to.deep.equal({
      ok: false,
      error: { code: 'rejected', message: 'File too large', retryable: false, status: 200 },
    });
  });

  it('treats false, 0, "0", "fail" and "failed" as a refusal, even beside a score', () => {
    for (const flag of [false, 0, '0', 'fail', 'FAILED', 'Fail']) {
      for (const key of ['status', 'Status']) {
        const result = ok({ [key]: flag, data: { score: 99 } });
        expect(result.ok, `${key}: ${JSON.stringify(flag)}`).to.be.false;
        if (!result.ok)
          expect(result.error).to.deep.equal({
            code: 'rejected',
            message: 'The liveness service refused the check.',
            retryable: false,
            status: 200,
          });
      }
    }
  });

  it('refuses to pick between two scores that disagree, and between two flags that disagree', () => {
    for (const body of [
      { status: true, score: 80, data: { score: 20 } },
      { data: { score: 80, liveness_score: 81 } },
      { data: { Score: 80 }, livenessScore: '79.99' },
      { status: true, Status: 'Fail', data: { score: 80 } },
    ]) {
      const result = ok(body);
      expect(result.ok, JSON.stringify(body)).to.be.false;
      if (!result.ok) expect(result.error.code).to.equal('invalid-response');
    }
  });

  it('gives the key names of an unknown shape, never its values', () => {
    const result = ok({ status: true, data: { liveness: { value: 80 }, name: 'Jane Doe' }, request_id: 'abc123' });
    expect(result).to.deep.equal({
      ok: false,
      error: {
        code: 'invalid-response',
        message: 'The liveness service answered without a score.',
        retryable: false,
        status: 200,
        keys: ['status', 'data', 'request_id', 'data.liveness', 'data.name'],
      },
    });
    expect(JSON.stringify(result)).to.not.contain('Jane').and.not.contain('abc123');
    const unknownFlag = ok({ status: 'pending', data: { score: 80 } });
    if (!unknownFlag.ok)
      expect(unknownFlag.error).to.include({ code: 'invalid-response' }).and.have.deep.property('keys', ['status', 'data', 'data.score']);
  });

  it('keeps unauthorized for a 401 or 403 whatever envelope carries the refusal', () => {
    expect(ok({ Status: 'Fail', Message: 'Invalid Api Key' }, 401)).to.deep.equal({
      ok: false,
      error: { code: 'unauthorized', message: 'Invalid Api Key', retryable: false, status: 401 },
    });
    expect(ok({ status: 0, message: 'Forbidden' }, 403)).to.deep.include({ ok: false });
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
