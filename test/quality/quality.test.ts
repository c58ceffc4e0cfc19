import { expect } from '@open-wc/testing';
import { analyzeQuality } from '../../src/quality/analyze.ts';
import { cardPhoto } from '../support/fixtures.ts';

const codes = (bitmap: ImageBitmap) => analyzeQuality(bitmap).issues.map((issue) => issue.code);

describe('quality gate on one rendered card and its variants', () => {
  it('passes the sharp, clean card with no issue', async () => {
    const report = analyzeQuality(await cardPhoto('sharp'));
    expect(report.issues).to.deep.equal([]);
    expect(report.ok).to.be.true;
  });

  const cases: [string, () => Promise<ImageBitmap>, string][] = [
    ['blurred with σ = 3', () => cardPhoto('blurred'), 'blur'],
    ['with a specular highlight', () => cardPhoto('glare'), 'glare'],
    ['under-exposed', () => cardPhoto('dark'), 'dark'],
    ['over-exposed', () => cardPhoto('bright'), 'bright'],
    ['at 20 % of the frame', () => cardPhoto('sharp', { width: 3200, height: 2400, cardShare: 0.2 }), 'not-framed'],
    ['at 300 px wide', () => cardPhoto('sharp', { width: 375, height: 281, cardShare: 0.8 }), 'low-resolution'],
  ];
  for (const [name, make, code] of cases) {
    it(`flags the card ${name} with exactly ${code}`, async () => {
      expect(codes(await make())).to.deep.equal([code]);
    });
  }

  it('gives each issue its value, limit and a hint', async () => {
    const [issue] = analyzeQuality(await cardPhoto('blurred')).issues;
    expect(issue.value).to.be.lessThan(issue.limit);
    expect(issue.message).to.contain('Hold still');
  });
});
