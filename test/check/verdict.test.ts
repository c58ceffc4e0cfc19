import { expect } from '@open-wc/testing';
import { DEFAULT_THRESHOLD, verdictFor } from '../../src/check/verdict.ts';

describe('verdict', () => {
  it("uses the vendor's threshold of 55 %, and a score exactly at it is a spoof", () => {
    expect(DEFAULT_THRESHOLD).to.equal(55);
    expect(verdictFor(55)).to.equal('spoof');
    expect(verdictFor(55.01)).to.equal('live');
    expect(verdictFor(0)).to.equal('spoof');
    expect(verdictFor(100)).to.equal('live');
  });

  it("follows the host's own threshold", () => {
    expect(verdictFor(70, 80)).to.equal('spoof');
    expect(verdictFor(81, 80)).to.equal('live');
  });
});
