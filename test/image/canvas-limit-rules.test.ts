import { expect } from '@open-wc/testing';
import { MAX_CANVAS_PIXELS, fitCanvas, shrinkSteps } from '../../src/image/canvas-limit.ts';
import { decodeTarget } from '../../src/image/image-rules.ts';

describe('canvas limit (iOS Safari: 4096 × 4096 pixels)', () => {
  it('leaves a size that fits alone and scales a larger one just under the limit, aspect kept', () => {
    expect(fitCanvas(4096, 4096)).to.deep.equal({ width: 4096, height: 4096 });
    const fit = fitCanvas(8000, 6000);
    expect(fit.width * fit.height).to.be.at.most(MAX_CANVAS_PIXELS);
    expect(fit.width * fit.height).to.be.greaterThan(MAX_CANVAS_PIXELS * 0.999);
    expect(fit.width / fit.height).to.be.closeTo(4 / 3, 0.001);
  });

  it('decodes a 48 MP JPEG at a size a canvas can hold, whatever the byte budget', () => {
    const sniff = { format: 'jpeg' as const, width: 8000, height: 6000, orientation: 6, components: 3 };
    for (const fileBytes of [3_000_000, 20_000_000]) {
      const target = decodeTarget(sniff, fileBytes, 1_000_000)!;
      expect(target.width * target.height).to.be.at.most(MAX_CANVAS_PIXELS);
      expect(target.height / target.width, 'upright: EXIF 6 swaps the sides').to.be.closeTo(4 / 3, 0.001);
    }
    expect(decodeTarget({ format: 'jpeg', width: 1600, height: 1200, components: 3 }, 400_000, 1_000_000)).to.be.undefined;
  });

  it('shrinks in halving steps, each within the limit, ending at the target', () => {
    const steps = shrinkSteps({ width: 12000, height: 9000 }, { width: 1000, height: 750 });
    expect(steps.at(-1)).to.deep.equal({ width: 1000, height: 750 });
    for (const [i, step] of steps.entries()) {
      expect(step.width * step.height).to.be.at.most(MAX_CANVAS_PIXELS);
      if (i > 0) expect(step.width).to.be.at.least(Math.ceil(steps[i - 1].width / 2));
    }
    expect(shrinkSteps({ width: 800, height: 600 }, { width: 800, height: 600 })).to.deep.equal([]);
  });
});
