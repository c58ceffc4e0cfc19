/**
 * `npm run bench:corners` (also the last part of `npm run bench`): the document corner detector
 * against the old box measure, on 300 seeded scenes with a card and 60 without, in Node.
 * Prints the table; BENCH_CARDS / BENCH_EMPTY change the counts.
 */
import { availableParallelism, loadavg } from 'node:os';
import { DOCUMENT_ASPECT } from '../../src/camera/camera-rules.ts';
import { detectQuad } from '../../src/quality/corners/detect.ts';
import { CORNER_MODEL_LAYERS, CORNER_MODEL_WEIGHTS } from '../../src/quality/corners/corner-model.ts';
import { loadCornerModel } from '../../src/quality/corners/learned.ts';
import { findCard, findDocument } from '../../src/quality/quality-rules.ts';
import { type DetectorScore, boxCorners, grayScenes, scoreDetector } from '../support/corner-scenes.ts';

const cards = Number(process.env.BENCH_CARDS ?? 300);
const empty = Number(process.env.BENCH_EMPTY ?? 60);
const started = performance.now();
const scenes = await grayScenes({ cards, empty });
console.log(`Rendered ${scenes.length} scenes (640×480, seed 17) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

// Warm both up so the JIT is not timed.
for (const scene of scenes.slice(0, 20)) {
  findDocument(scene.image);
  detectQuad(scene.image, { aspect: DOCUMENT_ASPECT[scene.documentType] });
}
const old = scoreDetector(scenes, (scene) => {
  const box = findDocument(scene.image);
  return box ? boxCorners(box) : undefined;
});
const ours = scoreDetector(scenes, (scene) => detectQuad(scene.image, { aspect: DOCUMENT_ASPECT[scene.documentType] })?.corners);
// What the widget runs: both detectors for an ID card (the learned model was trained on another seed of this
// renderer, never on these scenes), the classical one alone for a passport.
const model = loadCornerModel({ layers: CORNER_MODEL_LAYERS, weights: CORNER_MODEL_WEIGHTS });
const widget = scoreDetector(scenes, (scene) => findCard(scene.image, scene.documentType, model));

const pct = (value: number, digits = 1) => (Number.isFinite(value) ? `${(value * 100).toFixed(digits)} %` : '—');
const row = (name: string, s: DetectorScore) => ({
  measure: name,
  detection: pct(s.detectionRate),
  'wrong quad': pct(s.wrongRate),
  'median corner error': pct(s.medianError, 2),
  'p95 corner error': pct(s.p95Error, 2),
  'false detections': pct(s.falseRate),
  'median ms': s.medianMs.toFixed(2),
  'p95 ms': s.p95Ms.toFixed(2),
  'median CPU ms': s.cpuMedianMs.toFixed(2),
  'p95 CPU ms': s.cpuP95Ms.toFixed(2),
});
console.log(
  `\nDocument corners: ${cards} scenes with a card, ${empty} without (targets: ≥ 97 % detection, median ≤ 1.5 %, p95 ≤ 4 %, ≤ 3 % false, ≤ 15 ms)`,
);
console.log(
  `Wall-clock ms include waiting for a core (load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores now); CPU ms are this thread's own time.`,
);
console.log('Corner error: mean distance of the four corners as a share of the card diagonal, over the cards found (within 5 %).');
console.table([
  row('old box (findDocument)', old),
  row('quad detector (detectQuad)', ours),
  row("the widget's finder (findCard: both for ID cards)", widget),
]);
console.log('Misses of the quad detector by background:', ours.missesBy);
if (process.env.BENCH_VERBOSE) console.log('Misses of the old box:', old.missesBy);
