import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import { parseLivenessResponse } from '../../src/lib/response.ts';

const ALLOWED_OK_KEYS = ['ok', 'score', 'threshold', 'verdict', 'message', 'sandbox'];
const ALLOWED_ERROR_KEYS = ['code', 'message', 'retryable', 'status'];

/** Bodies shaped like the API family's envelopes, with hostile values mixed in. */
const scoreLike = fc.oneof(
  fc.double(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e309', '87.5', '87.5 %', '55', '', ' 12 ', '0x10', '1e2'),
  fc.string(),
  fc.constant(null),
  fc.boolean(),
);
const envelope = fc.record(
  {
    status: fc.oneof(fc.boolean(), fc.string(), fc.constant(null)),
    Status: fc.oneof(fc.constantFrom('Success', 'success', 'Failed'), fc.string()),
    message: fc.oneof(fc.string(), fc.integer()),
    data: fc.oneof(fc.record({ score: scoreLike }, { requiredKeys: [] }), fc.anything()),
    score: scoreLike,
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);
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
          expect(result.error.code).to.be.oneOf(['http', 'unauthorized', 'invalid-response']);
        }
      }),
      { numRuns: 3000, seed: 42 },
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
