import { expect } from '@open-wc/testing';
import type { Quad } from '../../../src/quality/corners/geometry.ts';
import { intersect, quadArea, quadSkew, rectifiedAspect, wellShaped } from '../../../src/quality/corners/shape.ts';

const ID1 = 85.6 / 53.98;
const rect = (x: number, y: number, w: number, h: number): Quad => [
  { x, y },
  { x: x + w, y },
  { x: x + w, y: y + h },
  { x, y: y + h },
];
const rotate = (q: Quad, degrees: number, cx: number, cy: number): Quad => {
  const a = (degrees * Math.PI) / 180;
  return q.map(({ x, y }) => ({
    x: cx + (x - cx) * Math.cos(a) - (y - cy) * Math.sin(a),
    y: cy + (x - cx) * Math.sin(a) + (y - cy) * Math.cos(a),
  })) as Quad;
};

describe('corner geometry', () => {
  it('measures the area of a card-sized quad, in either winding', () => {
    expect(quadArea(rect(10, 20, 856, 540))).to.be.closeTo(856 * 540, 1e-6);
    expect(quadArea([...rect(10, 20, 856, 540)].reverse() as Quad)).to.be.closeTo(856 * 540, 1e-6);
  });

  it('calls a level rectangle square, and reads a roll of 10° as a skew of 10°', () => {
    expect(quadSkew(rect(0, 0, 856, 540))).to.be.closeTo(0, 1e-9);
    expect(quadSkew(rotate(rect(0, 0, 856, 540), 10, 428, 270))).to.be.closeTo(10, 1e-6);
    // Standing upright or upside down is square to the frame; 60° is 30° from the nearest axis.
    expect(quadSkew(rotate(rect(0, 0, 856, 540), 90, 428, 270))).to.be.closeTo(0, 1e-6);
    expect(quadSkew(rotate(rect(0, 0, 856, 540), 180, 428, 270))).to.be.closeTo(0, 1e-6);
    expect(quadSkew(rotate(rect(0, 0, 856, 540), -93, 428, 270))).to.be.closeTo(3, 1e-6);
    expect(quadSkew(rotate(rect(0, 0, 856, 540), 60, 428, 270))).to.be.closeTo(30, 1e-6);
  });

  it('recovers an ID-1 aspect seen square on, and rolled', () => {
    const card = rect(200, 300, 856, 540);
    expect(rectifiedAspect(card, 640, 480, 1000)).to.be.closeTo(ID1, 0.01);
    expect(rectifiedAspect(rotate(card, 15, 628, 570), 640, 480, 1000)).to.be.closeTo(ID1, 0.01);
  });

  it('refuses a bow-tie (crossed corners) and accepts a convex, near-square quad', () => {
    const card = rect(0, 0, 856, 540);
    expect(wellShaped(card, (10 * Math.PI) / 180)).to.equal(true);
    const crossed: Quad = [card[0], card[2], card[1], card[3]];
    expect(wellShaped(crossed, (10 * Math.PI) / 180)).to.equal(false);
  });

  it('intersects two lines in normal form, and finds none for parallel ones', () => {
    const horizontal = { nx: 0, ny: 1, rho: 5, votes: 0 };
    const vertical = { nx: 1, ny: 0, rho: 7, votes: 0 };
    expect(intersect(horizontal, vertical)).to.deep.equal({ x: 7, y: 5 });
    expect(intersect(horizontal, { ...horizontal, rho: 9 })).to.equal(undefined);
  });
});
