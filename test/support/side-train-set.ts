/**
 * The side model's training strips (side-model.ts): strips across the sides of quads found in realistic train scenes
 * that no other training reads (from 40,000 on) and in synthetic ID cards (SIDE_SYNTHETIC), each with the depth at
 * which the card's true edge crosses the strip's middle. Two kinds of quad a scene: the one detectCard finds with the
 * shipped mask model, before any side model (its sides fall where the finder's really do, printed bands included), and
 * the true quad with sides moved in or out at random (so that a side already on the edge, or far inside it, is seen
 * often enough). `node --import tsx test/support/side-train-set.ts` renders them (in two processes).
 * The realistic scenes themselves do not depend on the mask model, so they are rendered once, before any training
 * (`--scenes`: full frames of the card scenes, about 5.3 GB, out of git), and the strips are cut from them after train.py
 * writes a new mask model: rendering was nine tenths of the strips' time.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DOCUMENT_ASPECT } from '../../src/camera/camera-rules.ts';
import { CORNER_MODEL_LAYERS, CORNER_MODEL_WEIGHTS } from '../../src/quality/corners/corner-model.ts';
import { detectCard } from '../../src/quality/corners/detect-card.ts';
import type { GrayImage, Quad } from '../../src/quality/corners/geometry.ts';
import { type CornerModel, loadCornerModel } from '../../src/quality/corners/learned.ts';
import { lineThrough } from '../../src/quality/corners/refine.ts';
import { SEGMENT_MIDDLES, STRIP, moveSides, pointOnQuad, sideStrip } from '../../src/quality/corners/side-model.ts';
import { sceneSpec } from './real-scenes.mjs';
import { seededRandom } from './random.mjs';
import { sceneSet } from './card-scene.mjs';
import { type Scene, renderGray } from './corner-scenes.ts';
import { type RealSpec, VERSION, renderInParts, renderOne, renderTrainInHalves, storedFrame, writeTrainPart } from './real-corner-set.ts';
import { SYNTHETIC_VERSION } from './synthetic-train-set.ts';
import { loadSurfaces } from './surfaces.mjs';

export const SIDE_TRAIN = { from: 40000, count: 12000 };
/**
 * And the project's synthetic ID cards (card-scene.mjs) at a seed no other set uses: trained on the realistic cards
 * alone, the side model moved right sides of these plain ones (the synthetic benchmark's p95 corner error 1.36 % → 2.09 %).
 */
export const SIDE_SYNTHETIC = { seed: 2046, cards: 3000 };
const FOLDER = fileURLToPath(new URL('../fixtures/generated/', import.meta.url));
/** The strips' own version: 2 adds each segment's true depth. */
export const SIDE_STRIPS_VERSION = 2;
const sceneBase = (from: number, count: number) => `${FOLDER}side-scenes-${VERSION}-train-${from}-${count}`;
/** Scenes a file of full frames holds: 3,000 is about 1.3 GB, as one file read must stay under 2 GiB. */
const SCENES_PER_FILE = 3000;
const base = (from: number, count: number) => `${FOLDER}side-strips-${SIDE_STRIPS_VERSION}-${VERSION}-train-${from}-${count}`;
const syntheticBase = (from: number, count: number) =>
  `${FOLDER}side-strips-${SIDE_STRIPS_VERSION}-synthetic-${SYNTHETIC_VERSION}-${SIDE_SYNTHETIC.seed}-${from}-${count}`;

/**
 * The depths at which the true side nearest side `side` of `q` crosses the strip at `along` (u: 0.5 is its middle,
 * SEGMENT_MIDDLES each segment's), or undefined when no true side lies along it. The true side is the one nearest at the
 * middle, for every `along`.
 */
export function trueDepths(q: Quad, side: number, truth: Quad, along: readonly number[]): number[] | undefined {
  const a = q[side];
  const b = q[(side + 1) % 4];
  const depthOn = (line: ReturnType<typeof lineThrough>, u: number) => {
    const m0 = pointOnQuad(q, side, u, 0);
    const m1 = pointOnQuad(q, side, u, 1);
    const across = line.nx * (m1.x - m0.x) + line.ny * (m1.y - m0.y);
    return Math.abs(across) < 1e-6 ? undefined : (line.rho - line.nx * m0.x - line.ny * m0.y) / across;
  };
  let best: { line: ReturnType<typeof lineThrough>; depth: number } | undefined;
  for (let k = 0; k < 4; k++) {
    const line = lineThrough(truth[k], truth[(k + 1) % 4]);
    // Along the side: within about 15° of it.
    const parallel = Math.abs(line.nx * (b.x - a.x) + line.ny * (b.y - a.y)) / Math.hypot(b.x - a.x, b.y - a.y);
    if (parallel > 0.26) continue;
    const depth = depthOn(line, 0.5);
    if (depth !== undefined && (best === undefined || Math.abs(depth) < Math.abs(best.depth))) best = { line, depth };
  }
  if (!best) return undefined;
  const depths = along.map((u) => depthOn(best.line, u));
  return depths.every((depth) => depth !== undefined) ? (depths as number[]) : undefined;
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
  // Each corner off a little, half of the quads by up to 2 % of the diagonal: sides that must turn as well as move.
  const off = random() < 0.5 ? 0.01 : 0.04;
  return moved.map((p) => ({ x: p.x + (random() - 0.5) * off * diagonal, y: p.y + (random() - 0.5) * off * diagonal })) as Quad;
}

/** One scene's strips, as train-sides.py reads them (bytes), with what each holds. */
function sceneStrips(model: CornerModel, image: GrayImage, corners: Quad, random: () => number, about: object) {
  // The quad as the side model's first placement reads it: detectCard's, before any side model.
  const found = detectCard(model, image, { aspect: DOCUMENT_ASPECT['id-card'], sides: false })?.corners;
  const quads: [string, Quad][] = [
    ...(found ? [['found', found] as [string, Quad]] : []),
    ['moved', movedTruth(corners, random)],
    ['moved', movedTruth(corners, random)],
  ];
  const chunks: Uint8Array[] = [];
  const meta: unknown[] = [];
  for (const [kind, q] of quads)
    for (let side = 0; side < 4; side++) {
      const depths = trueDepths(q, side, corners, [0.5, ...SEGMENT_MIDDLES]);
      if (!depths || depths[0] < STRIP.from || depths[0] > STRIP.to) continue;
      chunks.push(Uint8Array.from(sideStrip(image, q, side), (v) => Math.max(0, Math.min(255, Math.round(v * 64 + 128)))));
      // The depth at the middle (the whole strip's target), and at each segment's middle (where the side turns).
      meta.push({ ...about, kind, side, depth: depths[0], segments: depths.slice(1) });
    }
  return { chunks, meta };
}

/** Renders the card scenes of the realistic range [from, from + count) as full frames (grey and chroma planes). */
async function renderScenes(from: number, count: number): Promise<void> {
  const surfaces = await loadSurfaces();
  const chunks: Uint8Array[] = [];
  const meta: unknown[] = [];
  for (let i = from; i < from + count; i++) {
    const spec = sceneSpec('train', i, surfaces) as unknown as RealSpec;
    if (spec.kind !== 'card') continue;
    const { corners, image } = await renderOne(spec, surfaces);
    if (!corners) continue;
    chunks.push(image.data, image.chroma!);
    meta.push({ index: i, group: spec.group, corners });
  }
  writeTrainPart(sceneBase(from, count), chunks, meta);
}

/** The scenes renderScenes wrote for the range [from, from + count), one at a time, from each file inside it. */
function* renderedScenes(from: number, count: number): Generator<{ index: number; group: string; corners: Quad; image: GrayImage }> {
  for (const [fileFrom, fileCount] of sceneFiles().filter(([start]) => start >= from && start < from + count)) {
    const bytes = readFileSync(`${sceneBase(fileFrom, fileCount)}.bin`);
    const meta = JSON.parse(readFileSync(`${sceneBase(fileFrom, fileCount)}.json`, 'utf8')) as {
      index: number;
      group: string;
      corners: Quad;
    }[];
    for (const [i, m] of meta.entries()) yield { ...m, image: storedFrame(bytes, i) };
  }
}

async function renderRange(from: number, count: number): Promise<void> {
  const model = loadCornerModel({ layers: CORNER_MODEL_LAYERS, weights: CORNER_MODEL_WEIGHTS });
  const chunks: Uint8Array[] = [];
  const meta: unknown[] = [];
  for (const { index, group, corners, image } of renderedScenes(from, count)) {
    const strips = sceneStrips(model, image, corners, seededRandom(0x51de + index), { index, group });
    chunks.push(...strips.chunks);
    meta.push(...strips.meta);
  }
  writeTrainPart(base(from, count), chunks, meta);
}

async function renderSyntheticRange(from: number, count: number): Promise<void> {
  const model = loadCornerModel({ layers: CORNER_MODEL_LAYERS, weights: CORNER_MODEL_WEIGHTS });
  const scenes = sceneSet({ seed: SIDE_SYNTHETIC.seed, cards: SIDE_SYNTHETIC.cards, empty: 0 }).slice(from, from + count);
  const chunks: Uint8Array[] = [];
  const meta: unknown[] = [];
  for (const [k, scene] of scenes.entries()) {
    if (scene.kind !== 'id-card') continue;
    const image = await renderGray(scene as Scene);
    // Indices after the realistic ones: train-sides.py keeps a scene's strips on one side of its validation cut.
    const index = SIDE_TRAIN.from + SIDE_TRAIN.count + from + k;
    const strips = sceneStrips(model, image, scene.corners as Quad, seededRandom(0x5e7 + from + k), { index, group: 'synthetic' });
    chunks.push(...strips.chunks);
    meta.push(...strips.meta);
  }
  writeTrainPart(syntheticBase(from, count), chunks, meta);
}

/** The scenes' files, SCENES_PER_FILE each; the strips' two halves (renderTrainInHalves) each read whole files. */
function sceneFiles(): [from: number, count: number][] {
  const { from, count } = SIDE_TRAIN;
  return Array.from({ length: Math.ceil(count / SCENES_PER_FILE) }, (_, k) => [
    from + k * SCENES_PER_FILE,
    Math.min(SCENES_PER_FILE, count - k * SCENES_PER_FILE),
  ]);
}

/** Renders the realistic scenes' files that are not there yet, each in a process of its own. */
export async function renderSideScenes(): Promise<void> {
  const missing = sceneFiles().filter(([from, count]) => !existsSync(`${sceneBase(from, count)}.json`));
  if (!missing.length) return;
  await loadSurfaces();
  const started = performance.now();
  await renderInParts(fileURLToPath(import.meta.url), ['scenes'], missing, sceneBase, { join: false });
  const rendered = missing.reduce((sum, [, count]) => sum + count, 0);
  console.log(`side model scenes: ${rendered} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

/** Cuts the strips with the mask model as it is now, in two processes: always again, as a new mask model moves its quads. */
export async function renderSideTrain(): Promise<void> {
  await renderSideScenes();
  const { from, count } = SIDE_TRAIN;
  const script = fileURLToPath(import.meta.url);
  for (const stale of [base(from, count), syntheticBase(0, SIDE_SYNTHETIC.cards)]) rmSync(`${stale}.json`, { force: true });
  await renderTrainInHalves(script, 'side model train strips, from scenes', from, count, base);
  const half = Math.ceil(SIDE_SYNTHETIC.cards / 2);
  await renderInParts(
    script,
    ['synthetic'],
    [
      [0, half],
      [half, SIDE_SYNTHETIC.cards - half],
    ],
    syntheticBase,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [flag, ...rest] = process.argv.slice(2);
  if (flag === '--part' && rest[0] === 'synthetic') await renderSyntheticRange(Number(rest[1]), Number(rest[2]));
  else if (flag === '--part' && rest[0] === 'scenes') await renderScenes(Number(rest[1]), Number(rest[2]));
  else if (flag === '--part') await renderRange(Number(rest[0]), Number(rest[1]));
  else if (flag === '--scenes') await renderSideScenes();
  else await renderSideTrain();
}
