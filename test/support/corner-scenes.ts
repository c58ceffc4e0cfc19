/**
 * The corner detector's scenes as grey frames, and how a detector is scored on them: shared by
 * `npm run bench` (300 + 60 scenes) and the accuracy floor in `npm test` (a smaller seeded set).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import type { Box, GrayImage } from '../../src/quality/quality-rules.ts';
import type { Point, Quad } from '../../src/quality/corners/geometry.ts';
import { renderScene, sceneSet, toGrayBytes } from './card-scene.mjs';

export interface Scene {
  kind: 'id-card' | 'passport' | 'paper' | 'phone' | 'book' | 'nothing';
  documentType: 'id-card' | 'passport';
  background: string;
  corners?: Quad;
  jpegQuality?: number;
  thumb?: unknown;
  glare?: unknown;
  motionBlur?: unknown;
}

export interface GrayScene extends Scene {
  image: GrayImage;
}

/** Bump when the renderer changes, so no stale cached pixels are read. */
const RENDER_VERSION = 2;

/** Renders the scenes (JPEG round trip through libvips where the scene asks for it) as grey frames. */
export async function grayScenes(options: { seed?: number; cards?: number; empty?: number } = {}): Promise<GrayScene[]> {
  const scenes = sceneSet(options) as Scene[];
  // Rendering takes a few hundred ms a scene: the pixels are kept under the generated fixtures, keyed by the set.
  const folder = new URL('../fixtures/generated/', import.meta.url);
  const cache = new URL(`corner-scenes-${options.seed ?? 17}-${options.cards ?? 300}-${options.empty ?? 60}-${RENDER_VERSION}.bin`, folder);
  const size = 640 * 480;
  // Each scene is two planes: grey, then chroma.
  if (existsSync(cache)) {
    const bytes = readFileSync(cache);
    if (bytes.length === 2 * size * scenes.length) {
      const plane = (i: number, k: number) => new Uint8Array(bytes.buffer, bytes.byteOffset + (2 * i + k) * size, size);
      return scenes.map((scene, i) => ({ ...scene, image: { data: plane(i, 0), chroma: plane(i, 1), width: 640, height: 480 } }));
    }
  }
  const out: GrayScene[] = [];
  for (const scene of scenes) out.push({ ...scene, image: await renderGray(scene) });
  mkdirSync(folder, { recursive: true });
  writeFileSync(cache, Buffer.concat(out.flatMap((scene) => [scene.image.data, scene.image.chroma!])));
  return out;
}

/** Paints one scene and makes it grey, through a JPEG round trip in libvips where the scene asks for one. */
export async function renderGray(scene: Scene): Promise<GrayImage> {
  const painted = renderScene(scene);
  if (!scene.jpegQuality) return toGrayBytes(painted) as GrayImage;
  const rgb = Buffer.from(Uint8ClampedArray.from(painted.rgb));
  const jpeg = await sharp(rgb, { raw: { width: painted.width, height: painted.height, channels: 3 } })
    .jpeg({ quality: scene.jpegQuality })
    .toBuffer();
  // Decoded to RGB and made grey as the widget does (BT.601), so the JPEG's chroma artefacts reach the chroma plane too.
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return toGrayBytes({ width: info.width, height: info.height, rgb: data }) as GrayImage;
}

/** A box as the four corners of a quad. */
export const boxCorners = (box: Box): Quad => [
  { x: box.left, y: box.top },
  { x: box.right, y: box.top },
  { x: box.right, y: box.bottom },
  { x: box.left, y: box.bottom },
];

/** Mean corner error as a share of the true diagonal, over the best of the four rotations of the corner order. */
export function cornerError(found: Quad, truth: Quad): number {
  const diagonal = Math.max(
    Math.hypot(truth[2].x - truth[0].x, truth[2].y - truth[0].y),
    Math.hypot(truth[3].x - truth[1].x, truth[3].y - truth[1].y),
  );
  let best = Infinity;
  for (let shift = 0; shift < 4; shift++) {
    let sum = 0;
    for (let i = 0; i < 4; i++) sum += Math.hypot(found[(i + shift) % 4].x - truth[i].x, found[(i + shift) % 4].y - truth[i].y);
    best = Math.min(best, sum / 4 / diagonal);
  }
  return best;
}

/** A detection counts as found when its mean corner error is within this share of the diagonal. */
export const FOUND_WITHIN = 0.05;

export interface DetectorScore {
  scenes: number;
  /** Card scenes whose corners were found (mean error ≤ FOUND_WITHIN). */
  detectionRate: number;
  /** Card scenes given a quad that is not the card. */
  wrongRate: number;
  medianError: number;
  p95Error: number;
  /** No-card scenes given a quad. */
  falseRate: number;
  medianMs: number;
  p95Ms: number;
  /** The same calls' CPU time (this thread's user + system): what a frame costs when the machine is not busy with other work. */
  cpuMedianMs: number;
  cpuP95Ms: number;
  /** Misses by background, for reading where a detector fails. */
  missesBy: Record<string, number>;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const isCard = (scene: Scene) => scene.kind === 'id-card' || scene.kind === 'passport';

/** Runs a detector on every scene (timing each call) and scores it. */
export function scoreDetector(scenes: GrayScene[], detect: (scene: GrayScene) => Point[] | undefined): DetectorScore {
  const errors: number[] = [];
  const times: number[] = [];
  const cpu: number[] = [];
  let cards = 0;
  let found = 0;
  let wrong = 0;
  let empty = 0;
  let falses = 0;
  const missesBy: Record<string, number> = {};
  for (const scene of scenes) {
    const start = performance.now();
    const used = process.cpuUsage();
    const corners = detect(scene) as Quad | undefined;
    const spent = process.cpuUsage(used);
    times.push(performance.now() - start);
    cpu.push((spent.user + spent.system) / 1000);
    if (!isCard(scene)) {
      empty++;
      if (corners) falses++;
      continue;
    }
    cards++;
    const error = corners ? cornerError(corners, scene.corners!) : Infinity;
    if (error <= FOUND_WITHIN) {
      found++;
      errors.push(error);
    } else {
      if (corners) wrong++;
      const key = `${scene.background}${scene.thumb ? '+thumb' : ''}${scene.glare ? '+glare' : ''}`;
      missesBy[key] = (missesBy[key] ?? 0) + 1;
    }
  }
  return {
    scenes: scenes.length,
    detectionRate: found / cards,
    wrongRate: wrong / cards,
    medianError: percentile(errors, 50),
    p95Error: percentile(errors, 95),
    falseRate: empty ? falses / empty : 0,
    medianMs: percentile(times, 50),
    p95Ms: percentile(times, 95),
    cpuMedianMs: percentile(cpu, 50),
    cpuP95Ms: percentile(cpu, 95),
    missesBy,
  };
}
