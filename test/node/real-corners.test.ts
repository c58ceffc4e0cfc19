/**
 * The corner detectors' floors on the realistic set's held-out split: issue 24's goal on the whole split, the rest on
 * its first 150 scenes (the breakdowns are in `npm run bench:corners`). Renders them on first use: Debian's
 * surface packages are fetched with `apt-get download` into test/fixtures/generated/ (nothing is installed).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { DOCUMENT_ASPECT } from '../../src/camera/camera-rules.ts';
import { compileSimdConv } from '../../src/quality/corners/conv-simd.ts';
import { useSimdConv } from '../../src/quality/corners/convolution.ts';
import { detectQuad } from '../../src/quality/corners/detect.ts';
import { detectCard, trackCard } from '../../src/quality/corners/detect-card.ts';
import { CORNER_MODEL_LAYERS, CORNER_MODEL_WEIGHTS } from '../../src/quality/corners/corner-model.ts';
import { detectCardLearned, loadCornerModel, runCornerModel } from '../../src/quality/corners/learned.ts';
import { moveSides, onTheEdges, shippedSideModel } from '../../src/quality/corners/side-model.ts';
import type { Quad } from '../../src/quality/corners/geometry.ts';
import { cornerError } from '../support/corner-scenes.ts';
import { movedByHand, realScenes, runReal, summarize } from '../support/real-corner-set.ts';

// The network as the worker runs it: in WebAssembly SIMD, which Node has.
const simd = compileSimdConv();
assert.ok(simd, 'WebAssembly SIMD compiles in Node');
useSimdConv(simd);

// The whole held-out split for issue 24's goal; its first 150 scenes for the rest.
const heldOut = await realScenes('test');
const scenes = heldOut.slice(0, 150);
// The scenes' fingerprint: equal on every machine, so a floor missed elsewhere is the code's, not the pixels'.
const pixels = createHash('sha256');
for (const scene of heldOut) pixels.update(scene.image.data).update(scene.image.chroma!);
console.log(`${heldOut.length} held-out scenes, sha256 of their pixels ${pixels.digest('hex').slice(0, 16)}`);

type Floor = { found: number; falses: number; p95Error: number };

/** Every figure against its floor at once, so a failure on another machine shows the whole score. */
function assertFloor(score: Floor, floor: Floor) {
  const misses = [
    score.found < floor.found && `found ${score.found} < ${floor.found}`,
    score.falses > floor.falses && `false detections ${score.falses} > ${floor.falses}`,
    score.p95Error > floor.p95Error && `p95 corner error ${score.p95Error} > ${floor.p95Error}`,
  ].filter(Boolean);
  assert.deepEqual(misses, [], `below the floor: ${JSON.stringify(score)}`);
}

// Just under the classical detector's figures on these 150 scenes (113 cards, 37 without: 26.5 % found, 8 of 37
// false, p95 error 2.7 %). Far from issue 24's goal (95 % found, 3 % false), which both detectors together meet (below): they catch a regression.
const CLASSICAL_FLOOR = { found: 0.24, falses: 0.25, p95Error: 0.04 };

test('the classical detector holds its figures on realistic scenes', () => {
  const score = summarize(runReal(scenes, (scene) => detectQuad(scene.image, { aspect: DOCUMENT_ASPECT['id-card'] })?.corners));
  console.log('classical detector on 150 held-out scenes:', JSON.stringify(score));
  assertFloor(score, CLASSICAL_FLOOR);
});

// Issue 24's goal, on the whole held-out split (600 scenes, 456 cards): since stop 47, both detectors find 95.4 %, take
// 4 of the 144 scenes without a card (2.8 %) and place the found cards' corners with a p95 error of 1.73 % of the
// diagonal; 1.94 % since stop 54, where a sure closer look is taken without the classical search (its corners).
// The floor is the goal, just under those figures: one card fewer found, or one more look-alike taken, fails. (On the first 150 scenes, which this test read until stop 47: 96.5 %, 0 of 37 and 2.55 %; 2.5 % at stop 46,
// 3.2 % at stop 45.) A test of the model, its weights, the quad it draws from the mask and the side model.
const GOAL = { found: 0.95, falses: 0.03, p95Error: 0.02 };

test("both detectors together (the learned mask with the classical corners) meet issue 24's goal on the held-out split", () => {
  const model = loadCornerModel({ layers: CORNER_MODEL_LAYERS, weights: CORNER_MODEL_WEIGHTS });
  const score = summarize(runReal(heldOut, (scene) => detectCard(model, scene.image, { aspect: DOCUMENT_ASPECT['id-card'] })?.corners));
  console.log(`both detectors on ${heldOut.length} held-out scenes:`, JSON.stringify(score));
  assertFloor(score, GOAL);
});

test('the closer look finds more of the small cards than one look, and its worst corners nearer', () => {
  const model = loadCornerModel({ layers: CORNER_MODEL_LAYERS, weights: CORNER_MODEL_WEIGHTS });
  // Cards under 35 % of the frame's width (35 of these scenes): a cell of the first look's mask is 4 % of such a card's width.
  const small = scenes.filter((scene) => scene.corners && scene.share < 0.35);
  const [one, closer] = [false, true].map((look) =>
    summarize(runReal(small, (scene) => detectCardLearned(model, scene.image, { closer: look })?.corners)),
  );
  console.log('small cards, one look:', JSON.stringify(one), 'closer look:', JSON.stringify(closer));
  assert.ok(closer.found > one.found, `found ${closer.found} with the closer look, ${one.found} without`);
  // The worst corners, not the median: the closer look also finds harder cards, whose middling errors raise its median
  // (since the model trained on 18,149 crops: 1.04 % against 0.77 %, and 1.07 % against 0.96 % on the cards both find).
  assert.ok(closer.p95Error < one.p95Error, `p95 corner error ${closer.p95Error} with the closer look, ${one.p95Error} without`);
});

test('a card held upside down gets the same mask, turned, when the closer look reads both ways up', () => {
  const model = loadCornerModel({ layers: CORNER_MODEL_LAYERS, weights: CORNER_MODEL_WEIGHTS });
  const scene = scenes.find((s) => s.corners)!;
  const upsideDown = {
    ...scene.image,
    data: scene.image.data.slice().reverse(),
    chroma: scene.image.chroma!.slice().reverse(),
  };
  const maskOf = (image: typeof scene.image, halfTurn: boolean) => runCornerModel(model, image, { halfTurn }).mask;
  // The network alone is not symmetric (its strides and padding are not): the turned card's mask differs.
  assert.notDeepEqual(maskOf(upsideDown, false), maskOf(scene.image, false).reverse());
  // Read both ways up and averaged, the two are the same reads in the other order: equal to the bit.
  assert.deepEqual(maskOf(upsideDown, true), maskOf(scene.image, true).reverse());
});

// Just under the shares measured on these 113 cards, each side in turn, with the side model that ships (it turns sides
// since stop 47): 92.0 % of the sides drawn inside put back within 1 % of the diagonal, 83.0 % of the turned sides,
// 96.5 % of the true quads kept there (94.0 % and 98.2 % with stop 46's, which moved sides without turning them).
const SIDES_PLACED_FLOOR = 0.9;
const SIDES_KEPT_FLOOR = 0.95;
const SIDES_TURNED_FLOOR = 0.8;

test("the side model puts a side drawn inside the card, as on a printed band, or turned, back on the card's edge", () => {
  const sides = shippedSideModel();
  const cards = scenes.filter((scene) => scene.corners);
  const errors = (quads: (scene: (typeof cards)[number], side: number) => Quad, place: boolean) =>
    cards.flatMap((scene) =>
      [0, 1, 2, 3].map((side) => {
        const q = quads(scene, side);
        return cornerError(place ? onTheEdges(sides, scene.image, q) : q, scene.corners!);
      }),
    );
  // Each card's true quad with one side drawn 14 % of the card inside its edge (a band's depth: 10–18 % of its height).
  const inside = (scene: (typeof cards)[number], side: number) =>
    moveSides(
      scene.corners!,
      [0, 1, 2, 3].map((k) => (k === side ? 0.14 : 0)),
    );
  // Each card's true quad with one side turned: its end drawn 12 % of the card inside, its start on the edge (a corner
  // under a hand, or a corner of the mask's cut off).
  const turned = (scene: (typeof cards)[number], side: number) =>
    moveSides(
      scene.corners!,
      [0, 0, 0, 0],
      [0, 1, 2, 3].map((k) => (k === side ? 0.12 : 0)),
    );
  const share = (errors: number[]) => errors.filter((e) => e <= 0.01).length / errors.length;
  // Drawn inside, no quad is within 1 % of the diagonal (a long side 14 % in puts two corners 7 % of the height off),
  // nor turned (one corner 12 % of the height off).
  assert.equal(share(errors(inside, false)), 0);
  assert.equal(share(errors(turned, false)), 0);
  const placedBack = share(errors(inside, true));
  const turnedBack = share(errors(turned, true));
  // The true quads: their sides are on the edges, and must stay there.
  const kept = share(errors((scene) => scene.corners!, true));
  console.log(
    `side model: ${(placedBack * 100).toFixed(1)} % of sides drawn 14 % inside put back, ${(turnedBack * 100).toFixed(1)} % of turned sides, ${(kept * 100).toFixed(1)} % of true quads kept`,
  );
  assert.ok(placedBack >= SIDES_PLACED_FLOOR, `${(placedBack * 100).toFixed(1)} % of the sides drawn inside put back within 1 %`);
  assert.ok(turnedBack >= SIDES_TURNED_FLOOR, `${(turnedBack * 100).toFixed(1)} % of the turned sides put back within 1 %`);
  assert.ok(kept >= SIDES_KEPT_FLOOR, `${(kept * 100).toFixed(1)} % of the true quads kept within 1 %`);
});

// Just under the share measured on these scenes: 106 of the 109 cards (103 of 105 until stop 54's sure closer look;
// 105 of 106 with the third stage's first round) the whole finder found, moved by up to 6 % of the
// frame, 3° and 5 %, are found again by one look around where they were (and none of the 37 empty scenes gives a card).
const TRACKED_FLOOR = 0.95;
/** A card kept where none is, of the 37 empty scenes: none measured, at most two. */
const GHOSTS_FLOOR = 2;

test('the camera finds a card again where the last frame had it, and not where a card has gone', () => {
  const model = loadCornerModel({ layers: CORNER_MODEL_LAYERS, weights: CORNER_MODEL_WEIGHTS });
  const aspect = DOCUMENT_ASPECT['id-card'];
  // The last frame's quads: the whole finder's, on the scenes where it found the card.
  const found = scenes.flatMap((scene, index) => {
    const first = scene.corners && detectCard(model, scene.image, { aspect });
    return first && cornerError(first.corners, scene.corners!) <= 0.05
      ? [{ scene, near: movedByHand(first.corners, index, scene.image.width) }]
      : [];
  });
  const again = found.filter(({ scene, near }) => {
    const tracked = trackCard(model, scene.image, near);
    return tracked && cornerError(tracked.corners, scene.corners!) <= 0.05;
  }).length;
  // A card that has left the frame: the scenes without one, with a card-sized quad where a card would have been.
  const empty = scenes.filter((scene) => !scene.corners);
  const ghosts = empty.filter((scene, index) => {
    const { width: w, height: h } = scene.image;
    const near = movedByHand(
      [
        { x: 0.3 * w, y: 0.3 * h },
        { x: 0.7 * w, y: 0.3 * h },
        { x: 0.7 * w, y: 0.7 * h },
        { x: 0.3 * w, y: 0.7 * h },
      ],
      index,
      w,
    );
    return trackCard(model, scene.image, near);
  }).length;
  console.log(`tracked: ${again} of ${found.length} cards found again; ${ghosts} of ${empty.length} scenes without a card took for one`);
  assert.ok(again / found.length >= TRACKED_FLOOR, `${again} of ${found.length} found again`);
  assert.ok(ghosts <= GHOSTS_FLOOR, `${ghosts} of ${empty.length} empty scenes took for a card`);
});
