/**
 * The learned corner detector: a small U-Net (scripts/corner-model/train.py, 31,418 weights) reads
 * the frame at 160 px across and draws the card's mask at half of that: how much of each cell is
 * card (the whole card, under a thumb too), so a book, a frame or a box is refused by what it looks
 * like, not by its outline. The mask's half-way line is the card's edge;
 * the quad is the four-sided shape that hugs its convex hull closest, and each side is then moved
 * onto the strongest edge near it in the full-size frame, fitted robustly (a thumb over an edge is
 * left out of the fit). A quad from the whole frame is looked at again on a crop around it (lookCloser),
 * where a small card has up to 4× the cells. Plain TypeScript, no runtime.
 */
import type { GrayImage, Line, Point, Quad } from './geometry.ts';
import { type CornerLayer, type Planes, conv } from './convolution.ts';
import { cropGray } from './gray-image.ts';
import { modelInput } from './model-input.ts';
import { consensusLine, fitLine, sample } from './refine.ts';
import { cross, intersect, projectOnto, quadSide } from './shape.ts';

export interface LearnedDetection {
  corners: Quad;
  /** 0–1: the weakest corner peak times how much of the quad the mask calls card. */
  confidence: number;
}

/** Below this confidence nothing counts as found (chosen on the tune split: `npm run bench:corners` prints the sweep). */
export const MIN_LEARNED_CONFIDENCE = 0.8;

/** A first look's quad at this confidence or more gets a closer look (lookCloser), which then has the last word (tune split). */
export const MIN_FIRST_LOOK = 0.4;

/** The model as scripts/corner-model/train.py writes it (corner-model.ts): layer shapes and int8 weights in base64. */
export interface CornerModelSource {
  layers: readonly {
    name: string;
    in: number;
    out: number;
    kernel: number;
    stride: number;
    dilation: number;
    groups?: number;
    join?: string;
    relu: boolean;
  }[];
  weights: string;
}

/** A decoded model, ready to run. */
export type CornerModel = CornerLayer[];

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/**
 * Decodes the weights from base64 (once per model: keep the result). Per layer, as train.py writes them: a float16
 * scale for each output plane, the int8 weights, then float16 biases.
 */
export function loadCornerModel(source: CornerModelSource): CornerModel {
  const bytes = Uint8Array.from(atob(source.weights), (c) => c.charCodeAt(0));
  let at = 0;
  const halves = (n: number) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++, at += 2) out[i] = halfToFloat(bytes[at] | (bytes[at + 1] << 8));
    return out;
  };
  const scaled = (n: number, scales: Float32Array) => {
    const out = new Float32Array(n);
    const perPlane = n / scales.length;
    const signed = new Int8Array(bytes.buffer, at, n);
    for (let plane = 0, i = 0; plane < scales.length; plane++)
      for (let end = i + perPlane; i < end; i++) out[i] = signed[i] * scales[plane];
    at += n;
    return out;
  };
  return source.layers.map((l) => {
    const groups = l.groups ?? 1;
    const w = scaled((l.out * l.in * l.kernel * l.kernel) / groups, halves(l.out));
    return {
      name: l.name,
      join: l.join,
      cin: l.in,
      cout: l.out,
      groups,
      k: l.kernel,
      stride: l.stride,
      dil: l.dilation,
      relu: l.relu,
      w,
      b: halves(l.out),
      cut: new Map(),
      taps: new Map(),
    };
  });
}

/** Nearest ×2 up to `skip`'s size, then `skip`'s planes after (torch.cat([up, skip])'s order). */
function upAndJoin(x: Planes, skip: Planes): Planes {
  const { h, w } = skip;
  const joined = new Float32Array((x.c + skip.c) * h * w);
  for (let c = 0; c < x.c; c++)
    for (let y = 0; y < h; y++) {
      const from = (c * x.h + Math.min(x.h - 1, y >> 1)) * x.w;
      const to = (c * h + y) * w;
      for (let xx = 0; xx < w; xx++) joined[to + xx] = x.data[from + Math.min(x.w - 1, xx >> 1)];
    }
  joined.set(skip.data, x.c * h * w);
  return { data: joined, c: x.c + skip.c, h, w };
}

/**
 * The network, layer by layer: two maps out, corner heat and card mask, as probabilities. With `halfTurn`, the network
 * also reads the image turned upside down (it trained on flips, so that is the same question asked again) and the two
 * maps are averaged: where one run takes a look-alike's face or a band along the card's edge for card and the other
 * does not, the average falls between them. On the closer look (tune split of 2,400, thresholds unchanged): found
 * 93.7 % → 94.2 %, false detections 1.9 % → 1.6 %, p95 corner error 3.40 % → 3.25 %, for a second run of the network.
 */
export function runCornerModel(
  model: CornerModel,
  image: GrayImage,
  { halfTurn = false } = {},
): { heat: Float32Array; mask: Float32Array; w: number; h: number } {
  const input = modelInput(image);
  const planes: Planes = { data: input.data, c: 2, h: input.height, w: input.width };
  const out = runLayers(model, planes);
  const n = out.h * out.w;
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const heat = out.data.subarray(0, n).map(sigmoid);
  const mask = out.data.subarray(n, 2 * n).map(sigmoid);
  if (halfTurn) {
    // A half turn of a row-major plane is the plane read backwards; the turned run's maps are turned back the same way.
    const turned = runLayers(model, turnPlanes(planes)).data.map(sigmoid).reverse();
    for (let i = 0; i < n; i++) {
      heat[i] = (heat[i] + turned[n + i]) / 2;
      mask[i] = (mask[i] + turned[i]) / 2;
    }
  }
  return { heat, mask, w: out.w, h: out.h };
}

function runLayers(model: CornerModel, input: Planes): Planes {
  let x = input;
  const kept = new Map<string, Planes>();
  const joined = new Set(model.map((layer) => layer.join));
  for (const layer of model) {
    const skip = layer.join ? kept.get(layer.join) : undefined;
    if (skip) x = upAndJoin(x, skip);
    x = conv(x, layer);
    if (joined.has(layer.name)) kept.set(layer.name, x);
  }
  return x;
}

/** Each plane turned upside down (a half turn). */
function turnPlanes(p: Planes): Planes {
  const n = p.h * p.w;
  const data = new Float32Array(p.data.length);
  for (let c = 0; c < p.c; c++) data.set(p.data.slice(c * n, (c + 1) * n).reverse(), c * n);
  return { ...p, data };
}

/** The card's corners and how sure the model is, or undefined when it sees no card. */
export function detectCardLearned(
  model: CornerModel,
  image: GrayImage,
  { minConfidence = MIN_LEARNED_CONFIDENCE, refineEdges = true, closer = true } = {},
): LearnedDetection | undefined {
  const first = learnedQuad(model, image);
  const found = closer ? closerLook(first, (quad) => lookCloser(model, image, quad), { minConfidence }) : first;
  // The first look alone is held to the same confidence (closerLook already held the closer look's to it).
  if (!found || found.confidence < minConfidence) return undefined;
  return { corners: refineEdges ? snapToEdges(image, found.corners) : found.corners, confidence: found.confidence };
}

/**
 * The first look's quad judged again, closer (`look`: lookCloser, or a cached one), when it is at least `minFirstLook`
 * sure: the closer look's quad and confidence replace the first's (the first's own where no closer look is possible).
 * Either way, the quad it gives is `minConfidence` sure.
 */
export function closerLook(
  first: LearnedDetection | undefined,
  look: (quad: Quad) => LearnedDetection | undefined | 'whole frame',
  { minConfidence = MIN_LEARNED_CONFIDENCE, minFirstLook = MIN_FIRST_LOOK } = {},
): LearnedDetection | undefined {
  if (!first || first.confidence < minFirstLook) return undefined;
  const closer = look(first.corners);
  const found = closer === 'whole frame' ? first : closer;
  return found && found.confidence >= minConfidence ? found : undefined;
}

// The closer look's margin around the first quad's box, as a share of the box's larger side (tune split: 0.15–0.35 alike).
const CLOSER_MARGIN = 0.25;

/** A part of a frame, in its pixels. */
export interface CropBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The 4:3 crop the closer look takes around a first quad: its box with a margin, widened or heightened to the frame's
 * own 4:3 (the shape the model was trained on), and moved inside the frame rather than cut by it (a cut crop is
 * another shape, and its card would touch the edge). Undefined when it would be nearly the whole frame, which the
 * first look already saw at this size. The training's crops (closer-train-set.ts) are taken by it too.
 */
export function closerCrop(quad: readonly Point[], frameWidth: number, frameHeight: number): CropBox | undefined {
  const xs = quad.map((p) => p.x);
  const ys = quad.map((p) => p.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const margin = Math.max(maxX - minX, maxY - minY) * CLOSER_MARGIN;
  let width = maxX - minX + 2 * margin;
  let height = maxY - minY + 2 * margin;
  if (width < (height * 4) / 3) width = (height * 4) / 3;
  else height = (width * 3) / 4;
  width = Math.min(frameWidth, Math.ceil(width));
  height = Math.min(frameHeight, Math.ceil(height));
  if (width >= frameWidth * 0.9 && height >= frameHeight * 0.9) return undefined;
  const left = Math.max(0, Math.min(frameWidth - width, Math.floor((maxX + minX - width) / 2)));
  const top = Math.max(0, Math.min(frameHeight - height, Math.floor((maxY + minY - height) / 2)));
  return { left, top, width, height };
}

/**
 * The model again on the closer crop around a first quad (closerCrop): the card then fills most of the model's input,
 * so its mask has up to 4× the cells across it (a small card's corners are a cell or two from true, not five) and
 * a look-alike seen up close is judged again. Undefined when it sees no card there; 'whole frame' when there is no
 * closer crop.
 */
export function lookCloser(
  model: CornerModel,
  image: GrayImage,
  quad: Quad,
  { halfTurn = true } = {},
): LearnedDetection | undefined | 'whole frame' {
  const box = closerCrop(quad, image.width, image.height);
  if (!box) return 'whole frame';
  const crop = cropGray(image, box.left, box.top, box.width, box.height);
  const found = quadFromMask(runCornerModel(model, crop, { halfTurn }), crop.width, crop.height);
  if (!found) return undefined;
  return { corners: found.corners.map((p) => ({ x: p.x + box.left, y: p.y + box.top })) as Quad, confidence: found.confidence };
}

/** The network's two maps, at a fraction of the frame's size. */
export type CornerMaps = ReturnType<typeof runCornerModel>;

/** The model's quad before the edges are looked at, with its confidence (any, even low). */
export function learnedQuad(model: CornerModel, image: GrayImage): LearnedDetection | undefined {
  return quadFromMask(runCornerModel(model, image), image.width, image.height);
}

/** The quad the card's mask outlines in a frame of the given size, with its confidence (maskScore). */
export function quadFromMask(maps: CornerMaps, width: number, height: number): LearnedDetection | undefined {
  const { mask, w, h } = maps;
  const sx = width / w;
  const sy = height / h;
  const component = largestComponent(mask, w, h);
  if (!component) return undefined;
  // The mask's half-way line, to a fraction of a cell, between each inside cell and its outside neighbours (cell centres at i + 0.5).
  const edge: Point[] = [];
  for (const i of component.cells) {
    const x = i % w;
    const y = (i - x) / w;
    const v = mask[i];
    for (const [dx, dy] of [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ]) {
      const nx = x + dx;
      const ny = y + dy;
      const offFrame = nx < 0 || ny < 0 || nx >= w || ny >= h;
      const u = offFrame ? 0 : mask[ny * w + nx];
      if (u >= HALF) continue;
      // Off the frame, the card is cut by it: the frame's border is its edge there.
      const t = offFrame ? 0.5 : (v - HALF) / (v - u);
      edge.push({ x: (x + 0.5 + dx * t) * sx, y: (y + 0.5 + dy * t) * sy });
    }
  }
  const hull = convexHull(edge);
  const hugged = hull.length >= 4 ? hugQuad(hull) : undefined;
  if (!hugged) return undefined;
  let quad = refitSides(hugged, edge, Math.max(sx, sy));
  for (let i = 0; i < 4; i++) if (cross(quad[(i + 3) % 4], quad[i], quad[(i + 1) % 4]) <= 0) return undefined;
  quad = fitToMask(maps, quad, sx, sy);
  return { corners: orderFromTop(quad), confidence: maskScore(maps, quad, width, height) };
}

/**
 * 0–1: how much of the quad the mask calls card, times how much of the mask's card the quad holds.
 * A quad from anywhere (the classical detector's too) can be judged by it: a book's outline scores low.
 */
export function maskScore(maps: CornerMaps, quad: Quad, width: number, height: number): number {
  const { mask, w, h } = maps;
  const sx = width / w;
  const sy = height / h;
  let inside = 0;
  let card = 0;
  let outside = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = { x: (x + 0.5) * sx, y: (y + 0.5) * sy };
      // Either winding: inside when every side has the point on the same hand.
      let left = 0;
      let right = 0;
      for (let i = 0; i < 4; i++) {
        const c = cross(quad[i], quad[(i + 1) % 4], p);
        if (c > 0) left++;
        else if (c < 0) right++;
      }
      const isInside = !left || !right;
      const v = mask[y * w + x];
      if (isInside) {
        inside++;
        card += v;
      } else if (v >= HALF) outside += v;
    }
  if (!inside || !card) return 0;
  return Math.round((card / inside) * (card / (card + outside)) * 1000) / 1000;
}

// The fit's steps, in mask cells, coarse to fine, and the most rounds at each (tune split: 12 rounds found 3 points
// more than 6; 25 no more than 12; a 2-cell or an eighth-cell step, or moving whole sides, no better).
const FIT_STEPS = [1, 0.5, 0.25];
const FIT_ROUNDS = 20;

/**
 * The quad moved, a corner at a time, to where it agrees best with the mask (soft intersection over union): a few
 * stray cells (a thumb, a glint the mask took for card) stretch the convex hull and the quad that hugs it, but
 * barely move this. On the tune split it took found from 76 % to 89 %.
 */
function fitToMask(maps: CornerMaps, frameQuad: Quad, sx: number, sy: number): Quad {
  const q = frameQuad.map((p) => ({ x: p.x / sx, y: p.y / sy })) as Quad;
  const { mask, w, h } = maps;
  // Each row's running sums, so the cells wholly inside the quad are summed at once.
  const rows = new Float64Array((w + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rows[y * (w + 1) + x + 1] = rows[y * (w + 1) + x] + mask[y * w + x];
  let total = 0;
  for (let y = 0; y < h; y++) total += rows[y * (w + 1) + w];
  let best = softIou(maps, rows, q, total);
  for (const step of FIT_STEPS)
    for (let round = 0; round < FIT_ROUNDS; round++) {
      let moved = false;
      for (const corner of q)
        for (const axis of ['x', 'y'] as const)
          for (const sign of [1, -1]) {
            const was = corner[axis];
            corner[axis] = was + sign * step;
            const iou = softIou(maps, rows, q, total);
            if (iou > best + 1e-6) {
              best = iou;
              moved = true;
            } else corner[axis] = was;
          }
      if (!moved) break;
    }
  return q.map((p) => ({ x: p.x * sx, y: p.y * sy })) as Quad;
}

/**
 * The mask's intersection over union with a clockwise quad in cell units, each cell covered by how far its centre
 * is inside (a cell's width of ramp across each side), so a sub-cell move changes the score. Row by row: the run of
 * cells wholly inside comes from the row's running sums (`rows`); only the ramp's cells are looked at one by one.
 * `total` is the mask's sum.
 */
function softIou({ mask, w, h }: CornerMaps, rows: Float64Array, q: Quad, total: number): number {
  const sides = new Float64Array(12);
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < 4; i++) {
    const a = q[i];
    const b = q[(i + 1) % 4];
    const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    // The inward normal (clockwise, y down) and the side's offset along it.
    const nx = -(b.y - a.y) / length;
    const ny = (b.x - a.x) / length;
    sides.set([nx, ny, nx * a.x + ny * a.y], i * 3);
    minY = Math.min(minY, a.y);
    maxY = Math.max(maxY, a.y);
  }
  const insideAt = (x: number, y: number) => {
    let inside = Infinity;
    for (let k = 0; k < 12; k += 3) inside = Math.min(inside, sides[k] * (x + 0.5) + sides[k + 1] * (y + 0.5) - sides[k + 2]);
    return inside;
  };
  let inter = 0;
  let cover = 0;
  for (let y = Math.max(0, Math.floor(minY - 1)); y < Math.min(h, Math.ceil(maxY + 1)); y++) {
    // Along the row, each side's inside is a·(x + ½) + b: the cells past −½ (touched) and from ½ (whole) on.
    let from = 0;
    let to = w;
    let wholeFrom = 0;
    let wholeTo = w;
    for (let k = 0; k < 12; k += 3) {
      const a = sides[k];
      const b = sides[k + 1] * (y + 0.5) - sides[k + 2];
      if (Math.abs(a) < 1e-9) {
        if (b <= -0.5) to = 0;
        if (b < 0.5) wholeTo = 0;
      } else if (a > 0) {
        from = Math.max(from, Math.floor((-0.5 - b) / a - 0.5) + 1);
        wholeFrom = Math.max(wholeFrom, Math.ceil((0.5 - b) / a - 0.5));
      } else {
        to = Math.min(to, Math.ceil((-0.5 - b) / a - 0.5));
        wholeTo = Math.min(wholeTo, Math.floor((0.5 - b) / a - 0.5) + 1);
      }
    }
    if (to <= from) continue;
    wholeFrom = Math.min(Math.max(wholeFrom, from), to);
    wholeTo = Math.max(Math.min(wholeTo, to), wholeFrom);
    cover += wholeTo - wholeFrom;
    inter += rows[y * (w + 1) + wholeTo] - rows[y * (w + 1) + wholeFrom];
    for (let x = from; x < to; x++) {
      if (x === wholeFrom) x = wholeTo;
      if (x >= to) break;
      const inside = insideAt(x, y);
      if (inside <= -0.5) continue;
      const share = inside >= 0.5 ? 1 : inside + 0.5;
      cover += share;
      inter += share * mask[y * w + x];
    }
  }
  return inter / (cover + total - inter);
}

// The mask's level that counts as card: its half-way line is the card's edge.
const HALF = 0.5;

/**
 * Whether the mask holds anything the size of a card at all. When it doesn't, no quad can agree with it (a classical
 * quad needs most of its cells called card), so the classical detector need not run: an empty frame, as a camera
 * sees before the card comes, costs the network alone.
 */
export function maskSeesCard({ mask, w, h }: CornerMaps): boolean {
  return largestComponent(mask, w, h) !== undefined;
}

/** The 4-connected run of card cells with the most mask in it (at least a few cells), or undefined. */
function largestComponent(mask: Float32Array, w: number, h: number): { cells: number[] } | undefined {
  const seen = new Uint8Array(w * h);
  let best: number[] | undefined;
  let bestMass = 0;
  for (let start = 0; start < w * h; start++) {
    if (seen[start] || mask[start] < HALF) continue;
    const cells = [start];
    seen[start] = 1;
    let mass = 0;
    for (let k = 0; k < cells.length; k++) {
      const i = cells[k];
      mass += mask[i];
      const x = i % w;
      for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w])
        if (j >= 0 && j < w * h && !seen[j] && mask[j] >= HALF) {
          seen[j] = 1;
          cells.push(j);
        }
    }
    if (mass > bestMass) {
      bestMass = mass;
      best = cells;
    }
  }
  return best && best.length >= MIN_CARD_CELLS ? { cells: best } : undefined;
}

// A card under 15 % of a 160 px input's width covers about 12 of its 4 px cells.
const MIN_CARD_CELLS = 12;

/** The convex hull, clockwise in image coordinates (y down), by the monotone chain. */
function convexHull(points: Point[]): Point[] {
  const p = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (p.length < 3) return p;
  const half = (list: Point[]) => {
    const out: Point[] = [];
    for (const q of list) {
      while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], q) <= 0) out.pop();
      out.push(q);
    }
    out.pop();
    return out;
  };
  return [...half(p), ...half([...p].reverse())];
}

/**
 * The quadrilateral that holds a convex polygon with the least area added: drops, one at a time, the
 * side whose two neighbours, extended to meet, add the least. Undefined when no side can go (a
 * triangle-like blob, not a card). A card's rounded corners become the point where its sides meet.
 */
export function hugQuad(hull: Point[]): Quad | undefined {
  let poly = hull;
  while (poly.length > 4) {
    const n = poly.length;
    let best = -1;
    let bestArea = Infinity;
    let bestPoint: Point | undefined;
    for (let i = 0; i < n; i++) {
      const a = poly[(i + n - 1) % n];
      const b = poly[i];
      const c = poly[(i + 1) % n];
      const d = poly[(i + 2) % n];
      // Side b→c goes; a→b runs on past b, d→c runs back past c, and they meet at m.
      const m = meet(a, b, c, d);
      if (!m) continue;
      const area = Math.abs(cross(b, m, c)) / 2;
      if (area < bestArea) {
        bestArea = area;
        best = i;
        bestPoint = m;
      }
    }
    if (best < 0 || !bestPoint) return undefined;
    const next = [...poly];
    next.splice(best, 1, bestPoint);
    next.splice((best + 1) % n > best ? best + 1 : 0, 1);
    poly = next;
  }
  return poly.length === 4 ? (poly as Quad) : undefined;
}

/**
 * Each side fitted again to all the mask's edge points along it (its middle, within a cell and a
 * half), not only to the hull's two extreme points there; the corners are where the fitted sides meet.
 * A side with too few points, or a corner that moves more than two cells, keeps the hull's.
 */
function refitSides(q: Quad, edge: Point[], cell: number): Quad {
  const lines: (Line | undefined)[] = [];
  for (let side = 0; side < 4; side++) {
    const { from: a, length, dx, dy } = quadSide(q, side);
    const near = edge.filter((p) => {
      const along = (p.x - a.x) * dx + (p.y - a.y) * dy;
      const across = Math.abs((p.x - a.x) * dy - (p.y - a.y) * dx);
      return along > length * 0.15 && along < length * 0.85 && across < cell * 1.5;
    });
    lines.push(near.length >= 4 ? fitLine(near) : undefined);
  }
  return meetSides(q, lines, cell * 2);
}

/**
 * The corners where the fitted sides meet. A corner with one side fitted moves onto that side (tune split: one card
 * more found, one book fewer taken for a card, where a mask's corner side had too few points); a corner keeps its
 * place when neither side is fitted or the new point is `limit` or more away.
 */
function meetSides(q: Quad, lines: (Line | undefined)[], limit: number): Quad {
  return q.map((corner, i) => {
    const before = lines[(i + 3) % 4];
    const after = lines[i];
    const fitted = before ?? after;
    const met = before && after ? intersect(before, after) : fitted && projectOnto(fitted, corner);
    return met && Math.hypot(met.x - corner.x, met.y - corner.y) < limit ? met : corner;
  }) as Quad;
}

/** Where the ray a→b (beyond b) meets the ray d→c (beyond c), or undefined when they don't. */
function meet(a: Point, b: Point, c: Point, d: Point): Point | undefined {
  const rx = b.x - a.x;
  const ry = b.y - a.y;
  const qx = c.x - d.x;
  const qy = c.y - d.y;
  const det = rx * qy - ry * qx;
  if (Math.abs(det) < 1e-9) return undefined;
  const t = ((c.x - b.x) * qy - (c.y - b.y) * qx) / det;
  const u = ((c.x - b.x) * ry - (c.y - b.y) * rx) / det;
  return t >= 0 && u >= 0 ? { x: b.x + rx * t, y: b.y + ry * t } : undefined;
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

/** A step across a side counts as the edge from this share of the steepest one on its line up (snapToEdges). */
const NEAR_STEP_SHARE = 0.5;

/**
 * Moves each side onto the edge within reach of it in the full-size frame: samples along the side's
 * middle (a rounded corner's arc is left out), the strong step across it nearest the side, of the
 * side's majority polarity, then the line most of those points agree on (a thumb or a glint off it
 * can't tilt it); the corners are where the fitted sides meet, unless one moved further than the reach.
 */
export function snapToEdges(image: GrayImage, q: Quad): Quad {
  const lines: (Line | undefined)[] = [];
  const perimeter = q.reduce((s, p, i) => s + Math.hypot(q[(i + 1) % 4].x - p.x, q[(i + 1) % 4].y - p.y), 0);
  const reach = Math.max(4, perimeter * 0.012);
  for (let side = 0; side < 4; side++) {
    const { from: p, length, dx, dy } = quadSide(q, side);
    const nx = -dy;
    const ny = dx;
    const count = Math.min(60, Math.max(8, Math.floor(length / 3)));
    const found: { x: number; y: number; step: number }[] = [];
    for (let s = 0; s < count; s++) {
      const t = length * (0.1 + (0.8 * s) / (count - 1));
      const x = p.x + dx * t;
      const y = p.y + dy * t;
      const edge = stepAcross(image, x, y, nx, ny, reach);
      if (edge) found.push({ x: x + nx * edge.offset, y: y + ny * edge.offset, step: edge.step });
    }
    // The side's polarity is the majority's; steps of the other sense are texture or a thumb.
    const brighter = found.filter((f) => f.step > 0).length;
    const kept = found.filter((f) => (brighter * 2 >= found.length ? f.step > 0 : f.step < 0));
    let line = kept.length >= 6 ? consensusLine(kept, 2) : undefined;
    if (line) {
      const l: Line = line;
      const near = kept.filter((pt) => Math.abs(l.nx * pt.x + l.ny * pt.y - l.rho) < 1.5);
      line = near.length >= Math.max(6, kept.length * 0.4) ? fitLine(near) : undefined;
    }
    lines.push(line);
  }
  return meetSides(q, lines, reach * 1.5);
}

/**
 * The edge across a side at one point of it (snapToEdges): along the normal (nx, ny), within `reach` either way, the
 * strong step (half the steepest or more) nearest the side, to a sub-pixel offset; undefined where no step is strong.
 */
function stepAcross(
  image: GrayImage,
  x: number,
  y: number,
  nx: number,
  ny: number,
  reach: number,
): { offset: number; step: number } | undefined {
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
  if (Math.abs(best) < 4) return undefined;
  // The strong step nearest the side, not the strongest: a band printed along the card's edge, or a stripe of the
  // surface beside it, can outdo the edge itself.
  let nearest = at;
  for (let k = 1; k + 1 < steps.length; k++) {
    const m = Math.abs(steps[k]);
    const strong = m >= Math.abs(best) * NEAR_STEP_SHARE && m >= Math.abs(steps[k - 1]) && m >= Math.abs(steps[k + 1]);
    if (strong && Math.abs(k - reach) < Math.abs(nearest)) nearest = k - reach;
  }
  const k = Math.round(nearest + reach);
  const a = Math.abs(steps[k - 1] ?? 0);
  const b = Math.abs(steps[k]);
  const c = Math.abs(steps[k + 1] ?? 0);
  // A parabola through the step and its neighbours places the edge between samples.
  const shift = a - 2 * b + c < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / (a - 2 * b + c))) : 0;
  return { offset: nearest + shift, step: steps[k] };
}
