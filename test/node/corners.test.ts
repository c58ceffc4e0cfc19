/**
 * The corner detector's floor, on a small seeded subset of the benchmark's scenes (the full set
 * and the targets are in `npm run bench:corners`). Fails when a change makes it clearly worse.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOCUMENT_ASPECT } from '../../src/camera/camera-rules.ts';
import { detectQuad } from '../../src/quality/corners/detect.ts';
import { CORNER_MODEL_LAYERS, CORNER_MODEL_WEIGHTS } from '../../src/quality/corners/corner-model.ts';
import { hugQuad, loadCornerModel } from '../../src/quality/corners/learned.ts';
import { findCard } from '../../src/quality/quality-rules.ts';
import { documentCorners, documentSize, warpToDocument } from '../../src/quality/corners/perspective.ts';
import { grayScenes, scoreDetector } from '../support/corner-scenes.ts';

test('finds most cards, with small corner errors, and few cards where there are none', async () => {
  const scenes = await grayScenes({ seed: 23, cards: 48, empty: 12 });
  const score = scoreDetector(scenes, (scene) => detectQuad(scene.image, { aspect: DOCUMENT_ASPECT[scene.documentType] })?.corners);
  console.log('detector floor:', JSON.stringify({ ...score, missesBy: undefined }));
  // Floors under today's figures on this subset (83 % found, none wrong, median error 0.02 %, p95 0.7 %, 0 of 12
  // look-alikes taken for a card), with a margin: far from the 97 % target on detection, which the
  // README's table reports against; they catch a regression.
  assert.ok(score.detectionRate >= 0.7, `detection ${score.detectionRate}`);
  assert.ok(score.wrongRate <= 0.05, `wrong quads ${score.wrongRate}`);
  assert.ok(score.medianError <= 0.015, `median corner error ${score.medianError}`);
  assert.ok(score.p95Error <= 0.04, `p95 corner error ${score.p95Error}`);
  assert.ok(score.falseRate <= 1 / 12, `false detections ${score.falseRate}`);
});

// Under today's figures on these ID cards and look-alikes (100 % found, none of 12 look-alikes taken, p95 error 1.4 %).
const WIDGET_FLOOR = { detection: 0.9, falses: 1 / 12, p95Error: 0.03 };

test("the widget's finder (the learned mask with the classical corners for ID cards) finds this renderer's cards too", async () => {
  // Another card design than the realistic set's, at a seed the model never trained on: a finder that had learned one
  // design would refuse these plain cards that the classical detector finds.
  const model = loadCornerModel({ layers: CORNER_MODEL_LAYERS, weights: CORNER_MODEL_WEIGHTS });
  const scenes = (await grayScenes({ seed: 23, cards: 48, empty: 12 })).filter((scene) => scene.kind !== 'passport');
  const score = scoreDetector(scenes, (scene) => findCard(scene.image, 'id-card', model));
  console.log("the widget's finder on the ID cards and look-alikes:", JSON.stringify({ ...score, missesBy: undefined }));
  assert.ok(score.detectionRate >= WIDGET_FLOOR.detection, `detection ${score.detectionRate}`);
  assert.ok(score.falseRate <= WIDGET_FLOOR.falses, `false detections ${score.falseRate}`);
  assert.ok(score.p95Error <= WIDGET_FLOOR.p95Error, `p95 corner error ${score.p95Error}`);
});

test('finds nothing on a blank frame and a level card on a dark desk exactly', () => {
  const width = 640;
  const height = 480;
  const blank = { data: new Uint8Array(width * height).fill(120), width, height };
  assert.equal(detectQuad(blank, { aspect: DOCUMENT_ASPECT['id-card'] }), undefined);
  const card = { data: new Uint8Array(width * height).fill(30), width, height };
  for (let y = 100; y < 100 + 252; y++) for (let x = 120; x < 120 + 400; x++) card.data[y * width + x] = 210;
  const found = detectQuad(card, { aspect: DOCUMENT_ASPECT['id-card'] });
  assert.ok(found, 'the card is found');
  const expected = [
    [119.5, 99.5],
    [519.5, 99.5],
    [519.5, 351.5],
    [119.5, 351.5],
  ];
  found.corners.forEach((p, i) => assert.ok(Math.hypot(p.x - expected[i][0], p.y - expected[i][1]) < 1.5, `corner ${i}: ${p.x},${p.y}`));
});

test('crop="document" rectifies a tilted card to its aspect plus a 5 % margin', () => {
  // A white quad on black; its rectified crop is white inside the card's corners and black in the margin.
  const width = 400;
  const height = 300;
  const data = new Uint8ClampedArray(width * height * 4);
  const quad = [
    { x: 60, y: 50 },
    { x: 340, y: 70 },
    { x: 330, y: 250 },
    { x: 70, y: 230 },
  ] as const;
  const inside = (x: number, y: number) =>
    quad.every((p, i) => {
      const q = quad[(i + 1) % 4];
      return (q.x - p.x) * (y - p.y) - (q.y - p.y) * (x - p.x) >= 0;
    });
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) if (inside(x + 0.5, y + 0.5)) data.fill(255, (y * width + x) * 4, (y * width + x) * 4 + 3);
  const aspect = DOCUMENT_ASPECT['id-card'];
  const out = warpToDocument({ data, width, height }, [...quad], aspect);
  assert.deepEqual(out, { ...out, ...documentSize([...quad], aspect) });
  assert.ok(Math.abs(out.width / out.height - aspect) < 0.01);
  const at = (x: number, y: number) => out.data[(Math.floor(y) * out.width + Math.floor(x)) * 4];
  const [tl, , br] = documentCorners(out);
  assert.equal(at(out.width / 2, out.height / 2), 255, 'card in the middle');
  assert.equal(at(tl.x + 3, tl.y + 3), 255, 'card just inside its corner');
  assert.equal(at(br.x - 3, br.y - 3), 255);
  assert.equal(at(tl.x / 2, tl.y / 2), 0, 'margin outside the card');
});

test("the learned detector's quad hugs the mask's outline: a card's rounded corners become the point where its sides meet", () => {
  // A 400 × 252 card with 20 px rounded corners, turned 30°, as a convex outline of points.
  const outline: { x: number; y: number }[] = [];
  const a = Math.PI / 6;
  const centres = [
    [180, -106],
    [180, 106],
    [-180, 106],
    [-180, -106],
  ];
  centres.forEach(([cx, cy], k) => {
    for (let step = 0; step <= 6; step++) {
      const t = ((k - 1) * Math.PI) / 2 + (step * Math.PI) / 12;
      outline.push({ x: cx + 20 * Math.cos(t), y: cy + 20 * Math.sin(t) });
    }
  });
  const turned = outline.map(({ x, y }) => ({ x: 320 + x * Math.cos(a) - y * Math.sin(a), y: 240 + x * Math.sin(a) + y * Math.cos(a) }));
  const quad = hugQuad(turned);
  assert.ok(quad, 'a quad');
  const truth = [
    [200, -126],
    [200, 126],
    [-200, 126],
    [-200, -126],
  ].map(([x, y]) => ({ x: 320 + x * Math.cos(a) - y * Math.sin(a), y: 240 + x * Math.sin(a) + y * Math.cos(a) }));
  for (const corner of truth)
    assert.ok(Math.min(...quad.map((q) => Math.hypot(q.x - corner.x, q.y - corner.y))) < 0.5, JSON.stringify(corner));
  // A triangle has no fourth side to give.
  assert.equal(
    hugQuad([
      { x: 0, y: 0 },
      { x: 100, y: 0 },
      { x: 50, y: 80 },
    ]),
    undefined,
  );
});
