/**
 * The side model: a second, tiny network that reads a strip across each side of a found quad and says where the card's
 * edge is along it. The mask leaves out a printed band along a card's edge (10–18 % of its height) often enough to
 * make most of the worst corners, and the band's inner line is the strongest step the edge snap sees. Seen across the
 * whole strip (the band, what lies beyond it and the card's face), the band is told apart from the surface.
 */
import type { GrayImage, Point, Quad } from './geometry.ts';
import { type Planes, conv } from './convolution.ts';
import { type CornerModel, loadCornerModel, snapToEdges } from './learned.ts';
import { lineThrough, sample } from './refine.ts';
import { intersect } from './shape.ts';
import { SIDE_MODEL_LAYERS, SIDE_MODEL_WEIGHTS } from './side-model-weights.ts';

/**
 * A strip's shape: `segments` stretches along the side (each the mean of `perSegment` samples), by `bins` steps across
 * it from `from` to `to` of the quad's depth (0 is the side, 1 the opposite side, below 0 outside the quad).
 */
export const STRIP = { segments: 4, perSegment: 6, bins: 48, from: -0.3, to: 0.12 } as const;

/** Planes the side model reads per bin: mean grey, mean chroma, and the grey's spread along the segment. */
export const STRIP_PLANES = 3;

/** The point at (u along side `side`, v into the quad): the quad's bilinear map from that side, carried beyond it. */
export function pointOnQuad(q: Quad, side: number, u: number, v: number): Point {
  const a = q[side];
  const b = q[(side + 1) % 4];
  const c = q[(side + 2) % 4];
  const d = q[(side + 3) % 4];
  const x0 = a.x + (b.x - a.x) * u;
  const y0 = a.y + (b.y - a.y) * u;
  const x1 = d.x + (c.x - d.x) * u;
  const y1 = d.y + (c.y - d.y) * u;
  return { x: x0 + (x1 - x0) * v, y: y0 + (y1 - y0) * v };
}

/** The depth (v) of bin `bin`'s middle. */
export const binDepth = (bin: number) => STRIP.from + ((bin + 0.5) * (STRIP.to - STRIP.from)) / STRIP.bins;

/** The strip across side `side` of `q`, as the side model reads it: planes × segments × bins, scaled to about −1…1. */
export function sideStrip(image: GrayImage, q: Quad, side: number): Float32Array {
  const { segments, perSegment, bins } = STRIP;
  const out = new Float32Array(STRIP_PLANES * segments * bins);
  const chroma = image.chroma ? { ...image, data: image.chroma } : undefined;
  const plane = segments * bins;
  for (let s = 0; s < segments; s++)
    for (let bin = 0; bin < bins; bin++) {
      const v = binDepth(bin);
      let sum = 0;
      let squares = 0;
      let tint = 0;
      for (let k = 0; k < perSegment; k++) {
        // The middle 80 % of the side: a rounded corner's arc and the corners' own errors are left out.
        const u = 0.1 + (0.8 * (s * perSegment + k + 0.5)) / (segments * perSegment);
        const p = pointOnQuad(q, side, u, v);
        const g = sample(image, p.x, p.y);
        sum += g;
        squares += g * g;
        tint += chroma ? sample(chroma, p.x, p.y) : 128;
      }
      const mean = sum / perSegment;
      const at = s * bins + bin;
      out[at] = (mean - 128) / 64;
      out[plane + at] = (tint / perSegment - 128) / 64;
      out[2 * plane + at] = Math.sqrt(Math.max(0, squares / perSegment - mean * mean)) / 32;
    }
  return out;
}

/** The middle of each segment along its side (u), where the side model says where the edge is on that segment. */
export const SEGMENT_MIDDLES = Array.from({ length: STRIP.segments }, (_, s) => 0.1 + (0.8 * (s + 0.5)) / STRIP.segments);

/** Each bin's probability of being the edge: a softmax of its score over the bins. */
function softmax(scores: Float32Array): Float32Array {
  let top = -Infinity;
  for (const score of scores) top = Math.max(top, score);
  let total = 0;
  const out = new Float32Array(scores.length);
  for (let bin = 0; bin < scores.length; bin++) total += out[bin] = Math.exp(scores[bin] - top);
  for (let bin = 0; bin < out.length; bin++) out[bin] /= total;
  return out;
}

/**
 * The side model's answer for one strip: each bin's probability of being the edge, over the whole strip (the segments'
 * mean score) and on each segment (SEGMENT_MIDDLES).
 */
export function runSideModel(model: CornerModel, strip: Float32Array): { whole: Float32Array; segments: Float32Array[] } {
  let x: Planes = { data: strip, c: STRIP_PLANES, h: STRIP.segments, w: STRIP.bins };
  for (const layer of model) x = conv(x, layer);
  // One plane out, segments × bins.
  const mean = new Float32Array(STRIP.bins);
  const segments: Float32Array[] = [];
  for (let s = 0; s < x.h; s++) {
    const row = x.data.subarray(s * x.w, (s + 1) * x.w);
    for (let bin = 0; bin < x.w; bin++) mean[bin] += row[bin] / x.h;
    segments.push(softmax(row));
  }
  return { whole: softmax(mean), segments };
}

/** Where the side model puts the edge: the likeliest bin's depth (refined between its neighbours) and its probability. */
export function edgeDepth(probabilities: Float32Array): { depth: number; probability: number } {
  let best = 0;
  for (let bin = 1; bin < probabilities.length; bin++) if (probabilities[bin] > probabilities[best]) best = bin;
  const around = [best - 1, best, best + 1].filter((bin) => bin >= 0 && bin < probabilities.length);
  const mass = around.reduce((s, bin) => s + probabilities[bin], 0);
  const bin = around.reduce((s, b) => s + b * probabilities[b], 0) / mass;
  return { depth: binDepth(bin), probability: mass };
}

/**
 * `q` with each side moved to its depth at its start (u = 0) and at its end (u = 1; the start's by default), the corners
 * where the moved sides' lines meet. A depth of 0 at both ends leaves a side where it is.
 */
export function moveSides(q: Quad, starts: readonly number[], ends: readonly number[] = starts): Quad {
  const lines = starts.map((start, side) => lineThrough(pointOnQuad(q, side, 0, start), pointOnQuad(q, side, 1, ends[side])));
  return q.map((corner, i) => intersect(lines[(i + 3) % 4], lines[i]) ?? corner) as Quad;
}

/**
 * How far a side turns: the slope of the segments' depths along it (per unit of u), fitted to the segments the side model
 * is sure of (MIN_SIDE_PROBABILITY) and near the whole strip's depth (MIN_SEGMENT_AGREEMENT: a thumb over one segment, or
 * a segment on the printed band, is left out). 0 when fewer than three segments are left.
 */
export function sideTurn(segments: readonly { depth: number; probability: number }[], depth: number, minProbability: number): number {
  const kept = segments
    .map((segment, s) => ({ ...segment, u: SEGMENT_MIDDLES[s] }))
    .filter((segment) => segment.probability >= minProbability && Math.abs(segment.depth - depth) <= MIN_SEGMENT_AGREEMENT);
  if (kept.length < 3) return 0;
  const weight = kept.reduce((sum, segment) => sum + segment.probability, 0);
  const u = kept.reduce((sum, segment) => sum + segment.probability * segment.u, 0) / weight;
  const d = kept.reduce((sum, segment) => sum + segment.probability * segment.depth, 0) / weight;
  let along = 0;
  let spread = 0;
  for (const segment of kept) {
    along += segment.probability * (segment.u - u) * (segment.depth - d);
    spread += segment.probability * (segment.u - u) ** 2;
  }
  return spread > 0 ? along / spread : 0;
}

/** A segment's depth counts for a side's turn within this much of the whole strip's depth (of the quad's depth). */
export const MIN_SEGMENT_AGREEMENT = 0.06;

/** A side moves only when the side model puts the edge at least this far from it (of the quad's depth) … */
export const MIN_SIDE_MOVE = 0.02;
/**
 * … and is at least this sure of it (the likeliest bin and its two neighbours). Tune split, with SIDE_PASSES: the lowest
 * p95 corner error of 0.1–0.6 (2.23 % at 0.2, 2.30 % at 0.3; 3.20 % without the side model), found within 0.3 point.
 */
export const MIN_SIDE_PROBABILITY = 0.2;

/**
 * `q` with each side moved to where the side model puts the card's edge, where it is sure and it is not already there:
 * by the whole strip's depth, turned by the segments' (sideTurn).
 */
export function placeSides(model: CornerModel, image: GrayImage, q: Quad, minProbability = MIN_SIDE_PROBABILITY): Quad {
  const starts = [0, 0, 0, 0];
  const ends = [0, 0, 0, 0];
  for (let side = 0; side < 4; side++) {
    const { whole, segments } = runSideModel(model, sideStrip(image, q, side));
    const { depth, probability } = edgeDepth(whole);
    if (probability < minProbability) continue;
    const turn = sideTurn(segments.map(edgeDepth), depth, minProbability);
    // The whole strip's depth is the side's at its middle (u = 0.5).
    const start = depth - turn / 2;
    const end = depth + turn / 2;
    if (Math.max(Math.abs(start), Math.abs(end)) < MIN_SIDE_MOVE) continue;
    starts[side] = start;
    ends[side] = end;
  }
  return starts.some((start, side) => start !== 0 || ends[side] !== 0) ? moveSides(q, starts, ends) : q;
}

/** Placements in a row at most (placeSides then the edge snap, again from where that left the quad). */
export const SIDE_PASSES = 3;

/**
 * A found quad's sides on the card's edges: the side model places them (placeSides) and the edge snap fits each to the
 * step there, again from the new quad while a side moves, SIDE_PASSES times at most (the first side model, tune split
 * at 0.2: p95 corner error 2.32 % with one placement, 2.23 % with two, 2.17 % with three).
 */
export function onTheEdges(model: CornerModel, image: GrayImage, found: Quad, minProbability = MIN_SIDE_PROBABILITY): Quad {
  let q = found;
  for (let pass = 0; pass < SIDE_PASSES; pass++) {
    const placed = placeSides(model, image, q, minProbability);
    if (placed === q) break;
    q = snapToEdges(image, placed);
  }
  return q;
}

let shipped: CornerModel | undefined;
/** The side model that ships, decoded on first use (under a millisecond) and kept. */
export const shippedSideModel = () => (shipped ??= loadCornerModel({ layers: SIDE_MODEL_LAYERS, weights: SIDE_MODEL_WEIGHTS }));
