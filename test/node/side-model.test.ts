/** The side model's geometry: where a strip runs and how a side moves (no pixels, no network). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Quad } from '../../src/quality/corners/geometry.ts';
import {
  MIN_SIDE_PROBABILITY,
  SEGMENT_MIDDLES,
  STRIP,
  binDepth,
  edgeDepth,
  moveSides,
  pointOnQuad,
  sideTurn,
} from '../../src/quality/corners/side-model.ts';

// A card seen at a slant: no side parallel to another.
const quad: Quad = [
  { x: 100, y: 80 },
  { x: 520, y: 110 },
  { x: 500, y: 380 },
  { x: 130, y: 350 },
];
const near = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y) < 1e-6;

test('a strip runs from a side (depth 0) to the opposite side (depth 1), and beyond the side below 0', () => {
  for (let side = 0; side < 4; side++) {
    assert.ok(near(pointOnQuad(quad, side, 0, 0), quad[side]));
    assert.ok(near(pointOnQuad(quad, side, 1, 0), quad[(side + 1) % 4]));
    assert.ok(near(pointOnQuad(quad, side, 0, 1), quad[(side + 3) % 4]));
  }
  // Outside: the top side's middle, a tenth of the way out, is above the quad.
  assert.ok(pointOnQuad(quad, 0, 0.5, -0.1).y < (quad[0].y + quad[1].y) / 2);
  assert.ok(binDepth(0) < 0 && binDepth(STRIP.bins - 1) > 0);
});

test('a side moved out keeps its corners on its neighbours, and a depth of 0 leaves the quad as it is', () => {
  const same = moveSides(quad, [0, 0, 0, 0]);
  same.forEach((p, i) => assert.ok(near(p, quad[i])));
  const moved = moveSides(quad, [-0.15, 0, 0.1, 0]);
  // Corner 0 on the line from corner 3 through corner 0, beyond corner 0; corner 2 on the line from 1 to 2, short of 2.
  const onLine = (p: { x: number; y: number }, a: { x: number; y: number }, b: { x: number; y: number }) =>
    Math.abs((b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)) < 1e-6;
  assert.ok(onLine(moved[0], quad[3], quad[0]) && moved[0].y < quad[0].y);
  assert.ok(onLine(moved[2], quad[1], quad[2]) && moved[2].y < quad[2].y);
});

test("the edge's depth is the likeliest bin's, weighed with its neighbours, with their probability", () => {
  const p = new Float32Array(STRIP.bins);
  p[10] = 0.5;
  p[11] = 0.25;
  p[30] = 0.25;
  const { depth, probability } = edgeDepth(p);
  assert.equal(probability, 0.75);
  assert.ok(depth > binDepth(10) && depth < binDepth(11));
});

test('a side turns when its two ends move apart, and its corners stay on their neighbours', () => {
  // The top side: its start stays, its end moves a tenth of the way in.
  const turned = moveSides(quad, [0, 0, 0, 0], [0.1, 0, 0, 0]);
  assert.ok(near(turned[0], quad[0]));
  assert.ok(near(turned[1], pointOnQuad(quad, 0, 1, 0.1)));
  assert.ok(near(turned[2], quad[2]) && near(turned[3], quad[3]));
});

test("a side's turn follows its segments' depths, leaving out a segment that disagrees and unsure ones", () => {
  const sure = MIN_SIDE_PROBABILITY + 0.3;
  const along = (slope: number, middle: number) => SEGMENT_MIDDLES.map((u) => ({ depth: middle + slope * (u - 0.5), probability: sure }));
  assert.ok(Math.abs(sideTurn(along(0.1, 0.05), 0.05, MIN_SIDE_PROBABILITY) - 0.1) < 1e-6);
  // A thumb over the last segment: its depth is far off and left out.
  const thumbed = along(0.1, 0.05);
  thumbed[3] = { depth: 0.11 + 0.2, probability: sure };
  assert.ok(Math.abs(sideTurn(thumbed, 0.05, MIN_SIDE_PROBABILITY) - 0.1) < 1e-6);
  // Two segments left: too few to turn the side.
  const unsure = along(0.1, 0.05).map((segment, s) => (s < 2 ? { ...segment, probability: 0.05 } : segment));
  assert.equal(sideTurn(unsure, 0.05, MIN_SIDE_PROBABILITY), 0);
});
