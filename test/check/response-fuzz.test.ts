import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import { SCORE_KEYS, parseLivenessResponse, parseScore, readFlag } from '../../src/check/response.ts';

const ALLOWED_OK_KEYS = ['ok', 'score', 'threshold', 'verdict', 'message', 'sandbox'];
const ALLOWED_ERROR_KEYS = ['code', 'message', 'retryable', 'status', 'keys'];

/** Bodies shaped like the API family's envelopes, with hostile values mixed in. */
const scoreLike = fc.oneof(
  fc.double(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e309', '87.5', '87.5 %', '55', '', ' 12 ', '0x10', '1e2'),
  fc.string(),
  fc.constant(null),
  fc.boolean(),
);
// Every success and failure spelling the parser knows, near misses, and anything at all.
const flagLike = fc.oneof(
  fc.constantFrom(true, false, 1, 0, '1', '0', 'success', 'SUCCESS', ' Success ', 'fail', 'Fail', 'failed', 'FAILED', 'true', 'false'),
  fc.constantFrom(2, -1, 0.5, 'ok', 'Failed!', 'succes', '', null),
  fc.boolean(),
  fc.integer(),
  fc.string(),
);
const scoreRecord = fc.record(Object.fromEntries(SCORE_KEYS.map((key) => [key, scoreLike])), { requiredKeys: [] });
const envelope = fc
  .record(
    {
      status: flagLike,
      Status: flagLike,
      message: fc.oneof(fc.string(), fc.integer()),
      data: fc.oneof(scoreRecord, fc.anything()),
      extra: fc.anything(),
    },
    { requiredKeys: [] },
  )
  .chain((base) => scoreRecord.map((top) => ({ ...top, ...base })));
const isFailureFlag = (value: unknown) => readFlag(value) === 'failure';
const scoresIn = (value: unknown): unknown[] => {
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const data = record.data !== null && typeof record.data === 'object' ? (record.data as Record<string, unknown>) : {};
  return SCORE_KEYS.flatMap((key) => [record[key], data[key]]);
};
const body = fc.oneof(
  envelope,
  fc.anything(),
  fc.json(),
  fc.string(),
  envelope.map((value) => JSON.stringify(value)),
);
const status = fc.oneof(fc.constantFrom(200, 201, 204, 299, 400, 401, 403, 413, 429, 500, 502, 503), fc.integer(), fc.double());

describe('parseLivenessResponse, property-based', () => {
  it('never throws, keeps scores finite in 0–100, decides live iff score > threshold, and carries only validated fields', () => {
    fc.assert(
      fc.property(status, body, fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constant(55)), (code, value, threshold) => {
        const result = parseLivenessResponse(code, value, threshold);
        if (result.ok) {
          expect(Number.isFinite(result.score)).to.be.true;
          expect(result.score).to.be.within(0, 100);
          expect(result.verdict === 'live').to.equal(result.score > result.threshold);
          expect(Object.keys(result).every((key) => ALLOWED_OK_KEYS.includes(key))).to.be.true;
          if ('sandbox' in result) expect(result.sandbox).to.equal(true);
          if ('message' in result) expect(result.message).to.be.a('string');
        } else {
          expect(Object.keys(result)).to.deep.equal(['ok', 'error']);
          expect(Object.keys(result.error).every((key) => ALLOWED_ERROR_KEYS.includes(key))).to.be.true;
          expect(result.error.message).to.be.a('string').and.not.be.empty;
          expect(result.error.code).to.be.oneOf(['http', 'unauthorized', 'invalid-response', 'rejected']);
          if (result.error.keys) expect(result.error.keys.every((key) => typeof key === 'string' && key.length <= 64)).to.be.true;
        }
      }),
      { numRuns: 3000, seed: 42 },
    );
  });

  it('never turns a failure flag into a verdict, and never rescales a score', () => {
    fc.assert(
      fc.property(envelope, (value) => {
        const result = parseLivenessResponse(200, value);
        if (isFailureFlag(value.status) || isFailureFlag(value.Status)) return !result.ok;
        if (!result.ok) return true;
        // The score is exactly one the body gave, read as given: never scaled from 0–1 or elsewhere.
        const given = scoresIn(value)
          .map(parseScore)
          .filter((score) => score !== undefined);
        return given.length > 0 && given.every((score) => score === result.score);
      }),
      { numRuns: 3000, seed: 11 },
    );
  });

  it('never reports a value of the body in the key hint', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string({ minLength: 12 })), (value) => {
        const result = parseLivenessResponse(200, { status: true, ...value });
        if (result.ok || !result.error.keys) return true;
        const values = Object.values(value).filter((text) => !Object.keys(value).some((key) => key.includes(text)));
        return values.every((text) => !result.error.keys!.some((key) => key.includes(text)));
      }),
      { numRuns: 500, seed: 13 },
    );
  });

  it('never accepts a non-2xx status, whatever the body says', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }).filter((code) => code < 200 || code > 299),
        envelope,
        (code, value) => !parseLivenessResponse(code, value).ok,
      ),
      { numRuns: 1000, seed: 7 },
    );
  });
});
