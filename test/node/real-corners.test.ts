/**
 * The classical corner detector's floor on the realistic set's held-out split (its first scenes; the full
 * split and the breakdowns are in `npm run bench:corners`). Renders them on first use: Debian's
 * surface packages are fetched with `apt-get download` into test/fixtures/generated/ (nothing is installed).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { DOCUMENT_ASPECT } from '../../src/camera/camera-rules.ts';
import { detectQuad } from '../../src/quality/corners/detect.ts';
import { detectCard } from '../../src/quality/corners/detect-card.ts';
import { CORNER_MODEL_LAYERS, CORNER_MODEL_WEIGHTS } from '../../src/quality/corners/corner-model.ts';
import { detectCardLearned, loadCornerModel } from '../../src/quality/corners/learned.ts';
import { realScenes, runReal, summarize } from '../support/real-corner-set.ts';

const scenes = await realScenes('test', 150);
// The scenes' fingerprint: equal on every machine, so a floor missed elsewhere is the code's, not the pixels'.
const pixels = createHash('sha256');
for (const scene of scenes) pixels.update(scene.image.data).update(scene.image.chroma!);
console.log(`150 held-out scenes, sha256 of their pixels ${pixels.digest('hex').slice(0, 16)}`);

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
// false, p95 error 2.7 %). Far from issue 24's goal (95 % found, 3 % false), which no detector here meets yet: they catch a regression.
const CLASSICAL_FLOOR = { found: 0.24, falses: 0.25, p95Error: 0.04 };

test('the classical detector holds its figures on realistic scenes', () => {
  const score = summarize(runReal(scenes, (scene) => detectQuad(scene.image, { aspect: DOCUMENT_ASPECT['id-card'] })?.corners));
  console.log('classical detector on 150 held-out scenes:', JSON.stringify(score));
  assertFloor(score, CLASSICAL_FLOOR);
});

// Just under both detectors' figures together on the same 150 scenes (89.4 % found, 2 of 37 false, p95 error 4.2 %;
// 74.3 % before the quad was fitted to the mask). Short of the goal; it catches a regression of the model, its
// weights or the quad it draws from the mask.
const BOTH_FLOOR = { found: 0.87, falses: 3 / 37, p95Error: 0.045 };

test('both detectors together (the learned mask with the classical corners) hold their figures on realistic scenes', () => {
  const model = loadCornerModel({ layers: CORNER_MODEL_LAYERS, weights: CORNER_MODEL_WEIGHTS });
  const score = summarize(runReal(scenes, (scene) => detectCard(model, scene.image, { aspect: DOCUMENT_ASPECT['id-card'] })?.corners));
  console.log('both detectors on 150 held-out scenes:', JSON.stringify(score));
  assertFloor(score, BOTH_FLOOR);
});

test('the closer look finds more of the small cards than one look, and nearer their corners', () => {
  const model = loadCornerModel({ layers: CORNER_MODEL_LAYERS, weights: CORNER_MODEL_WEIGHTS });
  // Cards under 35 % of the frame's width (35 of these scenes): a cell of the first look's mask is 4 % of such a card's width.
  const small = scenes.filter((scene) => scene.corners && scene.share < 0.35);
  const [one, closer] = [false, true].map((look) =>
    summarize(runReal(small, (scene) => detectCardLearned(model, scene.image, { closer: look })?.corners)),
  );
  console.log('small cards, one look:', JSON.stringify(one), 'closer look:', JSON.stringify(closer));
  assert.ok(closer.found > one.found, `found ${closer.found} with the closer look, ${one.found} without`);
  assert.ok(
    closer.medianError < one.medianError,
    `median corner error ${closer.medianError} with the closer look, ${one.medianError} without`,
  );
});
