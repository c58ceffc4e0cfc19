/**
 * The side model's training strips (side-model.ts): strips across the sides of quads found in realistic train scenes
 * that no other training reads (from 40,000 on), each with the depth at which the card's true edge crosses the
 * strip's middle. Two kinds of quad a scene: the one detectCard finds with the shipped corner model (its sides fall
 * where the finder's really do, printed bands included), and the true quad with sides moved in or out at random (so
 * that a side already on the edge, or far inside it, is seen often enough).
 * `node --import tsx test/support/side-train-set.ts` renders it (in two processes).
 */
import { fileURLToPath } from 'node:url';
import { DOCUMENT_ASPECT } from '../../src/camera/camera-rules.ts';
import { CORNER_MODEL_LAYERS, CORNER_MODEL_WEIGHTS } from '../../src/quality/corners/corner-model.ts';
import { detectCard } from '../../src/quality/corners/detect-card.ts';
import type { Quad } from '../../src/quality/corners/geometry.ts';
import { loadCornerModel } from '../../src/quality/corners/learned.ts';
import { lineThrough } from '../../src/quality/corners/refine.ts';
import { STRIP, moveSides, pointOnQuad, sideStrip } from '../../src/quality/corners/side-model.ts';
import { sceneSpec } from './real-scenes.mjs';
import { seededRandom } from './random.mjs';
import { type RealSpec, VERSION, renderOne, renderTrainInHalves, writeTrainPart } from './real-corner-set.ts';
import { loadSurfaces } from './surfaces.mjs';

export const SIDE_TRAIN = { from: 40000, count: 12000 };
const FOLDER = fileURLToPath(new URL('../fixtures/generated/', import.meta.url));
const base = (from: number, count: number) => `${FOLDER}side-strips-${VERSION}-train-${from}-${count}`;

/**
 * The depth at which the true side nearest side `side` of `q` crosses the strip's middle (u = 0.5), or undefined when
 * no true side lies along it.
 */
export function trueDepth(q: Quad, side: number, truth: Quad): number | undefined {
  const m0 = pointOnQuad(q, side, 0.5, 0);
  const m1 = pointOnQuad(q, side, 0.5, 1);
  const a = q[side];
  const b = q[(side + 1) % 4];
  let best: number | undefined;
  for (let k = 0; k < 4; k++) {
    const line = lineThrough(truth[k], truth[(k + 1) % 4]);
    // Along the side: within about 15° of it.
    const along = Math.abs(line.nx * (b.x - a.x) + line.ny * (b.y - a.y)) / Math.hypot(b.x - a.x, b.y - a.y);
    if (along > 0.26) continue;
    const across = line.nx * (m1.x - m0.x) + line.ny * (m1.y - m0.y);
    if (Math.abs(across) < 1e-6) continue;
    const depth = (line.rho - line.nx * m0.x - line.ny * m0.y) / across;
    if (best === undefined || Math.abs(depth) < Math.abs(best)) best = depth;
  }
  return best;
}

/** The true quad with each side moved: mostly near its edge, often inside it by a band's depth, sometimes outside. */
function movedTruth(truth: Quad, random: () => number): Quad {
  const depths = truth.map(() => {
    const r = random();
    if (r < 0.4) return (random() - 0.5) * 0.02;
    if (r < 0.75) return 0.04 + random() * 0.18;
    if (r < 0.85) return 0.01 + random() * 0.03;
    return -0.01 - random() * 0.08;
  });
  const moved = moveSides(truth, depths);
  const diagonal = Math.hypot(truth[2].x - truth[0].x, truth[2].y - truth[0].y);
  return moved.map((p) => ({ x: p.x + (random() - 0.5) * 0.01 * diagonal, y: p.y + (random() - 0.5) * 0.01 * diagonal })) as Quad;
}

async function renderRange(from: number, count: number): Promise<void> {
  const surfaces = await loadSurfaces();
  const model = loadCornerModel({ layers: CORNER_MODEL_LAYERS, weights: CORNER_MODEL_WEIGHTS });
  const chunks: Uint8Array[] = [];
  const meta: unknown[] = [];
  const started = performance.now();
  for (let i = from; i < from + count; i++) {
    const spec = sceneSpec('train', i, surfaces) as unknown as RealSpec;
    if (spec.kind !== 'card') continue;
    const { corners, image } = await renderOne(spec, surfaces);
    if (!corners) continue;
    const random = seededRandom(0x51de + i);
    // The quad as the side model's first placement reads it: detectCard's, before any side model.
    const found = detectCard(model, image, { aspect: DOCUMENT_ASPECT['id-card'], sides: false })?.corners;
    const quads: [string, Quad][] = [
      ...(found ? [['found', found] as [string, Quad]] : []),
      ['moved', movedTruth(corners, random)],
      ['moved', movedTruth(corners, random)],
    ];
    for (const [kind, q] of quads)
      for (let side = 0; side < 4; side++) {
        const depth = trueDepth(q, side, corners);
        if (depth === undefined || depth < STRIP.from || depth > STRIP.to) continue;
        const strip = sideStrip(image, q, side);
        chunks.push(Uint8Array.from(strip, (v) => Math.max(0, Math.min(255, Math.round(v * 64 + 128)))));
        meta.push({ index: i, kind, side, depth, group: spec.group });
      }
    if ((i - from) % 500 === 499)
      console.log(`side strips: ${i - from + 1} of ${count} scenes in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  writeTrainPart(base(from, count), chunks, meta);
}

/** Renders the strips in two processes, then joins the halves; skipped when they are already there. */
export async function renderSideTrain(): Promise<void> {
  const { from, count } = SIDE_TRAIN;
  await loadSurfaces();
  await renderTrainInHalves(fileURLToPath(import.meta.url), 'side model train strips, from scenes', from, count, base);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [flag, from, count] = process.argv.slice(2);
  if (flag === '--part') await renderRange(Number(from), Number(count));
  else await renderSideTrain();
}
