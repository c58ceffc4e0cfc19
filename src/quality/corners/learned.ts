/**
 * The learned corner detector: a small convolutional network (scripts/corner-model/train.py, about
 * 17,500 weights) reads the frame at 160 px across and draws two maps at a quarter of that: where
 * the card's corners are (all four in one map, so any roll is the same problem) and which cells are
 * card (so a book, a frame or a box is refused by what it looks like, not by its outline). The four
 * strongest corner peaks make the quad; each side is then moved onto the strongest edge near it in
 * the full-size frame, fitted robustly (a thumb over an edge is left out of the fit), so the
 * corners land within a pixel or two though the maps are coarse. Plain TypeScript, no runtime.
 */
import type { GrayImage, Line, Point, Quad } from './geometry.ts';
import { modelInput } from './model-input.ts';
import { fitLine, sample } from './refine.ts';
import { cross, intersect } from './shape.ts';

export interface LearnedDetection {
  corners: Quad;
  /** 0–1: the weakest corner peak times how much of the quad the mask calls card. */
  confidence: number;
}

/** Below this confidence nothing counts as found (to be chosen on the tune split: `npm run bench:corners` prints the sweep). */
export const MIN_LEARNED_CONFIDENCE = 0.3;
// A corner peak must reach this in the heat map to be one of the four.
const PEAK_FLOOR = 0.12;

interface Layer {
  cin: number;
  cout: number;
  k: number;
  stride: number;
  dil: number;
  relu: boolean;
  w: Float32Array;
  b: Float32Array;
}

/** The model as scripts/corner-model/train.py writes it (corner-model.ts): layer shapes and float16 weights in base64. */
export interface CornerModelSource {
  layers: readonly { name: string; in: number; out: number; kernel: number; stride: number; dilation: number; relu: boolean }[];
  weights: string;
}

/** A decoded model, ready to run. */
export type CornerModel = Layer[];

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Decodes the weights from their float16 base64 (once per model: keep the result). */
export function loadCornerModel(source: CornerModelSource): CornerModel {
  const bytes = Uint8Array.from(atob(source.weights), (c) => c.charCodeAt(0));
  let at = 0;
  const take = (n: number) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++, at += 2) out[i] = halfToFloat(bytes[at] | (bytes[at + 1] << 8));
    return out;
  };
  return source.layers.map((l) => ({
    cin: l.in,
    cout: l.out,
    k: l.kernel,
    stride: l.stride,
    dil: l.dilation,
    relu: l.relu,
    w: take(l.out * l.in * l.kernel * l.kernel),
    b: take(l.out),
  }));
}

interface Planes {
  data: Float32Array;
  c: number;
  h: number;
  w: number;
}

/** A convolution as PyTorch pads it (padding = dilation × half the kernel), planes first, with ReLU. */
function conv(input: Planes, layer: Layer): Planes {
  const { cin, cout, k, stride: s, dil: d } = layer;
  const { h, w } = input;
  const pad = d * (k >> 1);
  const oh = Math.floor((h + 2 * pad - d * (k - 1) - 1) / s) + 1;
  const ow = Math.floor((w + 2 * pad - d * (k - 1) - 1) / s) + 1;
  const out = new Float32Array(cout * oh * ow);
  const src = input.data;
  for (let o = 0; o < cout; o++) {
    const base = o * oh * ow;
    out.fill(layer.b[o], base, base + oh * ow);
    for (let i = 0; i < cin; i++) {
      const plane = i * h * w;
      for (let ky = 0; ky < k; ky++) {
        const dy = ky * d - pad;
        for (let kx = 0; kx < k; kx++) {
          const weight = layer.w[((o * cin + i) * k + ky) * k + kx];
          if (weight === 0) continue;
          const dx = kx * d - pad;
          const ox0 = Math.max(0, Math.ceil(-dx / s));
          const ox1 = Math.min(ow, Math.floor((w - 1 - dx) / s) + 1);
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * s + dy;
            if (iy < 0 || iy >= h) continue;
            const row = plane + iy * w + dx;
            const orow = base + oy * ow;
            if (s === 1) for (let ox = ox0; ox < ox1; ox++) out[orow + ox] += weight * src[row + ox];
            else for (let ox = ox0; ox < ox1; ox++) out[orow + ox] += weight * src[row + ox * s];
          }
        }
      }
    }
  }
  if (layer.relu) for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0;
  return { data: out, c: cout, h: oh, w: ow };
}

/** The network: heat and mask logits at a quarter of the input's size. */
export function runCornerModel(model: CornerModel, image: GrayImage): { heat: Float32Array; mask: Float32Array; w: number; h: number } {
  const [c1, c2, c3, c4, c5, c6, c7, head] = model;
  const input = modelInput(image);
  const x2 = conv(conv({ data: input.data, c: 2, h: input.height, w: input.width }, c1), c2);
  const x5 = conv(conv(conv(x2, c3), c4), c5);
  // Nearest ×2 up to x2's size, then x2 stacked after it (the order of torch.cat([up, x2])).
  const joined = new Float32Array((x5.c + x2.c) * x2.h * x2.w);
  for (let c = 0; c < x5.c; c++)
    for (let y = 0; y < x2.h; y++)
      for (let x = 0; x < x2.w; x++)
        joined[(c * x2.h + y) * x2.w + x] = x5.data[(c * x5.h + Math.min(x5.h - 1, y >> 1)) * x5.w + Math.min(x5.w - 1, x >> 1)];
  joined.set(x2.data, x5.c * x2.h * x2.w);
  const out = conv(conv(conv({ data: joined, c: x5.c + x2.c, h: x2.h, w: x2.w }, c6), c7), head);
  const n = out.h * out.w;
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  return { heat: out.data.subarray(0, n).map(sigmoid), mask: out.data.subarray(n, 2 * n).map(sigmoid), w: out.w, h: out.h };
}

/** The card's corners and how sure the model is, or undefined when it sees no card. */
export function detectCardLearned(
  model: CornerModel,
  image: GrayImage,
  { minConfidence = MIN_LEARNED_CONFIDENCE, refineEdges = true } = {},
): LearnedDetection | undefined {
  const found = learnedQuad(model, image);
  if (!found || found.confidence < minConfidence) return undefined;
  return { corners: refineEdges ? snapToEdges(image, found.corners) : found.corners, confidence: found.confidence };
}

/** The model's quad before the edges are looked at, with its confidence (any, even low). */
export function learnedQuad(model: CornerModel, image: GrayImage): LearnedDetection | undefined {
  const { heat, mask, w, h } = runCornerModel(model, image);
  const peaks: { x: number; y: number; v: number }[] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = heat[y * w + x];
      if (v < PEAK_FLOOR) continue;
      let top = true;
      for (let dy = -1; dy <= 1 && top; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if ((dx || dy) && yy >= 0 && xx >= 0 && yy < h && xx < w && heat[yy * w + xx] > v) {
            top = false;
            break;
          }
        }
      if (top) peaks.push({ x, y, v });
    }
  peaks.sort((a, b) => b.v - a.v);
  const chosen: typeof peaks = [];
  for (const p of peaks) {
    if (chosen.length === 4) break;
    if (chosen.every((q) => Math.hypot(q.x - p.x, q.y - p.y) >= 2.5)) chosen.push(p);
  }
  if (chosen.length < 4) return undefined;
  const at = (x: number, y: number) => heat[Math.max(0, Math.min(h - 1, y)) * w + Math.max(0, Math.min(w - 1, x))];
  // Sub-cell peaks by a parabola each way; cell centres are at (i + 0.5) × the frame's pixels per cell.
  const sx = image.width / w;
  const sy = image.height / h;
  const points = chosen.map((p) => {
    const l = at(p.x - 1, p.y);
    const r = at(p.x + 1, p.y);
    const u = at(p.x, p.y - 1);
    const d = at(p.x, p.y + 1);
    const ox = l - 2 * p.v + r < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / (l - 2 * p.v + r))) : 0;
    const oy = u - 2 * p.v + d < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (u - d)) / (u - 2 * p.v + d))) : 0;
    return { x: (p.x + ox + 0.5) * sx, y: (p.y + oy + 0.5) * sy };
  });
  const cx = points.reduce((s, p) => s + p.x, 0) / 4;
  const cy = points.reduce((s, p) => s + p.y, 0) / 4;
  // Clockwise in image coordinates (y down), as the rest of the widget orders corners.
  points.sort((a, b) => Math.atan2(a.y - cy, a.x - cx) - Math.atan2(b.y - cy, b.x - cx));
  const quad = points as Quad;
  for (let i = 0; i < 4; i++) if (cross(quad[(i + 3) % 4], quad[i], quad[(i + 1) % 4]) <= 0) return undefined;
  // How much of the quad the mask calls card.
  let inside = 0;
  let card = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = { x: (x + 0.5) * sx, y: (y + 0.5) * sy };
      let isInside = true;
      for (let i = 0; i < 4 && isInside; i++) if (cross(quad[i], quad[(i + 1) % 4], p) < 0) isInside = false;
      if (!isInside) continue;
      inside++;
      card += mask[y * w + x];
    }
  const cardShare = inside ? card / inside : 0;
  return { corners: orderFromTop(quad), confidence: Math.round(Math.min(...chosen.map((p) => p.v)) ** 0.5 * cardShare * 1000) / 1000 };
}

/** Starts the clockwise order at the corner that makes the first side the most level long side's left end. */
function orderFromTop(q: Quad): Quad {
  let best = 0;
  let bestScore = -Infinity;
  for (let s = 0; s < 4; s++) {
    const a = q[s];
    const b = q[(s + 1) % 4];
    const c = q[(s + 2) % 4];
    const along = Math.hypot(b.x - a.x, b.y - a.y);
    const down = Math.hypot(c.x - b.x, c.y - b.y);
    // A long side, running left to right, high in the frame.
    const score = (along >= down ? 2 : 0) + (b.x - a.x) / along - (a.y + b.y) / 1e5;
    if (score > bestScore) {
      bestScore = score;
      best = s;
    }
  }
  return [q[best], q[(best + 1) % 4], q[(best + 2) % 4], q[(best + 3) % 4]];
}

/**
 * Moves each side onto the strongest edge within reach of it in the full-size frame: samples along
 * the side's middle (a rounded corner's arc is left out), the steepest step across it of the
 * side's majority polarity, a line fitted and fitted again without the points far off it (a thumb,
 * a glint); the corners are where the fitted sides meet, unless one moved further than the reach.
 */
export function snapToEdges(image: GrayImage, q: Quad): Quad {
  const lines: (Line | undefined)[] = [];
  const perimeter = q.reduce((s, p, i) => s + Math.hypot(q[(i + 1) % 4].x - p.x, q[(i + 1) % 4].y - p.y), 0);
  const reach = Math.max(4, perimeter * 0.012);
  for (let side = 0; side < 4; side++) {
    const p = q[side];
    const r = q[(side + 1) % 4];
    const length = Math.hypot(r.x - p.x, r.y - p.y);
    const dx = (r.x - p.x) / length;
    const dy = (r.y - p.y) / length;
    const nx = -dy;
    const ny = dx;
    const count = Math.min(60, Math.max(8, Math.floor(length / 3)));
    const found: { x: number; y: number; step: number }[] = [];
    for (let s = 0; s < count; s++) {
      const t = length * (0.1 + (0.8 * s) / (count - 1));
      const x = p.x + dx * t;
      const y = p.y + dy * t;
      let best = 0;
      let at = 0;
      let prev = sample(image, x - nx * (reach + 1), y - ny * (reach + 1));
      let here = sample(image, x - nx * reach, y - ny * reach);
      const steps: number[] = [];
      for (let o = -reach; o <= reach; o += 1) {
        const next = sample(image, x + nx * (o + 1), y + ny * (o + 1));
        const step = (next - prev) / 2;
        steps.push(step);
        if (Math.abs(step) > Math.abs(best)) {
          best = step;
          at = o;
        }
        prev = here;
        here = next;
      }
      if (Math.abs(best) < 4) continue;
      const k = Math.round(at + reach);
      const a = Math.abs(steps[k - 1] ?? 0);
      const b = Math.abs(best);
      const c = Math.abs(steps[k + 1] ?? 0);
      const shift = a - 2 * b + c < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / (a - 2 * b + c))) : 0;
      found.push({ x: x + nx * (at + shift), y: y + ny * (at + shift), step: best });
    }
    // The side's polarity is the majority's; steps of the other sense are texture or a thumb.
    const brighter = found.filter((f) => f.step > 0).length;
    const kept = found.filter((f) => (brighter * 2 >= found.length ? f.step > 0 : f.step < 0));
    let line = kept.length >= 6 ? fitLine(kept) : undefined;
    for (const tolerance of [3, 1.5]) {
      if (!line) break;
      const l: Line = line;
      const near = kept.filter((pt) => Math.abs(l.nx * pt.x + l.ny * pt.y - l.rho) < tolerance);
      line = near.length >= Math.max(6, kept.length * 0.4) ? fitLine(near) : undefined;
    }
    lines.push(line);
  }
  const corners: Point[] = [];
  for (let i = 0; i < 4; i++) {
    const a = lines[(i + 3) % 4];
    const b = lines[i];
    const corner = a && b ? intersect(a, b) : undefined;
    corners.push(corner && Math.hypot(corner.x - q[i].x, corner.y - q[i].y) < reach * 1.5 ? corner : q[i]);
  }
  return corners as Quad;
}
