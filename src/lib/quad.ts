/**
 * Finds a document's four corners in a grey frame: a pure function, run in the worker on every
 * analysed preview frame and on every chosen photo.
 *
 * Method: gradients of grey and, when given, of a blue-minus-red chroma plane (a blue header on a
 * brown table of the same grey) on a half-size copy; a Hough transform in which each edge pixel
 * votes only near its own gradient direction; the strongest near-horizontal and near-vertical
 * lines, ranked by how much of each is a step edge (each line's step edges kept as prefix sums, so every quadrilateral they make is scored in constant time; kept when it is
 * convex, near-rectangular and of the document's aspect once the perspective is undone; scored by
 * how much of each side is a step edge, less the edge that runs on past its corners (a card's edge
 * stops there; a text line, a paper's edge or a keyboard row does not). The winner's sides are
 * refined at full size to sub-pixel edge positions and intersected again.
 *
 * Assumptions, on purpose: the document is held landscape (its long sides within about 45° of
 * horizontal), as the guide is; the camera's field of view is near a phone's (about 65° across).
 */
import type { GrayImage } from './quality.ts';

export interface Point {
  x: number;
  y: number;
}

/** Corners in image pixels: top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point];

export interface QuadDetection {
  corners: Quad;
  /** 0–1: the share of the four sides that shows a clean step edge. */
  confidence: number;
}

export interface QuadOptions {
  /** The document's width / height (DOCUMENT_ASPECT). */
  aspect: number;
  /** Allowed error on the aspect once the perspective is undone, as a share (default 0.14). */
  aspectTolerance?: number;
}

/** Below this confidence nothing counts as found. */
// Measured on the benchmark: from 0.6 to 0.75 look-alikes taken for a card fall from 17 % to 2 %, cards found from 80 % to 71 %.
export const MIN_QUAD_CONFIDENCE = 0.75;

const WORK_SIZE = 320;
// The strongest lines of each direction that make hypotheses: a busy cloth or keyboard has many.
const LINES_PER_GROUP = 22;
// Hough peaks kept before they are ranked by their step edges.
const HOUGH_PEAKS = 80;
const THETA_BINS = 180;

interface Line {
  /** Unit normal and offset: nx·x + ny·y = rho. */
  nx: number;
  ny: number;
  rho: number;
  votes: number;
}

interface Work {
  width: number;
  height: number;
  pixels: Float32Array;
  /** The blurred chroma plane, when the frame had one. */
  chroma?: Float32Array;
  gx: Float32Array;
  gy: Float32Array;
  magnitude: Float32Array;
}

// Working planes, kept between calls: the worker runs this on every analysed frame, and fresh
// arrays each time cost more in garbage collection than the detector's own arithmetic.
const buffers = new Map<string, Float32Array>();
function buffer(name: string, length: number): Float32Array {
  let found = buffers.get(name);
  if (!found || found.length !== length) buffers.set(name, (found = new Float32Array(length)));
  else found.fill(0);
  return found;
}

/** Box-averages a plane by `factor` and multiplies by `gain`, then a [1 2 1] blur each way. */
function shrink(name: string, data: Uint8Array, sourceWidth: number, factor: number, width: number, height: number, gain: number): Float32Array {
  const small = buffer(`${name}-small`, width * height);
  const norm = gain / (factor * factor);
  if (factor === 2) {
    // The usual case (a 640 px overview), without the inner loops.
    for (let y = 0; y < height; y++) {
      const top = 2 * y * sourceWidth;
      const bottom = top + sourceWidth;
      for (let x = 0; x < width; x++) {
        const i = 2 * x;
        small[y * width + x] = (data[top + i] + data[top + i + 1] + data[bottom + i] + data[bottom + i + 1]) * norm;
      }
    }
  } else {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++) {
          const row = (y * factor + dy) * sourceWidth + x * factor;
          for (let dx = 0; dx < factor; dx++) sum += data[row + dx];
        }
        small[y * width + x] = sum * norm;
      }
    }
  }
  const blurred = buffer(name, width * height);
  const tmp = buffer(`${name}-tmp`, width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    tmp[row] = small[row];
    tmp[row + width - 1] = small[row + width - 1];
    for (let x = 1; x < width - 1; x++) tmp[row + x] = (small[row + x - 1] + 2 * small[row + x] + small[row + x + 1]) * 0.25;
  }
  for (let x = 0; x < width; x++) {
    blurred[x] = tmp[x];
    blurred[(height - 1) * width + x] = tmp[(height - 1) * width + x];
  }
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) blurred[row + x] = (tmp[row + x - width] + 2 * tmp[row + x] + tmp[row + x + width]) * 0.25;
  }
  return blurred;
}

/**
 * Sobel gradients of a plane into gx, gy, magnitude, keeping at each pixel the stronger of what is
 * there and this plane's (so grey and chroma edges both count, each in its own direction).
 */
function gradients(plane: Float32Array, width: number, height: number, gx: Float32Array, gy: Float32Array, magnitude: Float32Array) {
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const a = plane[i - width - 1];
      const b = plane[i - width];
      const c = plane[i - width + 1];
      const d = plane[i - 1];
      const f = plane[i + 1];
      const g = plane[i + width - 1];
      const h = plane[i + width];
      const k = plane[i + width + 1];
      // Sobel divided by 8: a derivative in grey levels per pixel.
      const sx = (c + 2 * f + k - a - 2 * d - g) * 0.125;
      const sy = (g + 2 * h + k - a - 2 * b - c) * 0.125;
      const m = Math.sqrt(sx * sx + sy * sy);
      if (m > magnitude[i]) {
        gx[i] = sx;
        gy[i] = sy;
        magnitude[i] = m;
      }
    }
  }
}

/** Shrinks to at most WORK_SIZE on the long side, blurs, and takes gradients of grey and chroma. */
function prepare(image: GrayImage): { work: Work; factor: number } {
  const factor = Math.max(1, Math.ceil(Math.max(image.width, image.height) / WORK_SIZE));
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const pixels = shrink('grey', image.data, image.width, factor, width, height, 1);
  // Chroma is stored halved (to fit a byte): undone here, so a colour step weighs as much as a grey one.
  const chroma = image.chroma ? shrink('chroma', image.chroma, image.width, factor, width, height, CHROMA_GAIN) : undefined;
  const gx = buffer('gx', width * height);
  const gy = buffer('gy', width * height);
  const magnitude = buffer('magnitude', width * height);
  gradients(pixels, width, height, gx, gy, magnitude);
  if (chroma) gradients(chroma, width, height, gx, gy, magnitude);
  return { work: { width, height, pixels, chroma, gx, gy, magnitude }, factor };
}

// Grey levels per pixel below which a gradient is texture or noise (a card on a same-colour table still casts a few).
const EDGE_FLOOR = 2.5;

/** Hough transform of thinned edges, each voting within ±3° of its own gradient direction; the strongest separated peaks. */
function houghLines(work: Work): Line[] {
  const { width, height, gx, gy, magnitude } = work;
  // Built per call (180 values): no work at import, so the page-load bundle can drop this module.
  const COS = new Float32Array(THETA_BINS);
  const SIN = new Float32Array(THETA_BINS);
  for (let t = 0; t < THETA_BINS; t++) {
    COS[t] = Math.cos((t * Math.PI) / THETA_BINS);
    SIN[t] = Math.sin((t * Math.PI) / THETA_BINS);
  }
  const diag = Math.ceil(Math.hypot(width, height));
  const rhoBins = 2 * diag + 1;
  const accumulator = buffer('hough', THETA_BINS * rhoBins);
  // An adaptive floor at half the mean gradient: on a busy background the weakest gradients do not vote, but a faint
  // card edge (a same-colour table, a passport page of nearly its colour) still does; the lines are ranked by their steps after.
  let sum = 0;
  let count = 0;
  for (let i = 0; i < magnitude.length; i++) {
    sum += magnitude[i];
    count++;
  }
  const threshold = Math.max(EDGE_FLOOR, (sum / count) * 0.5);
  for (let y = 2; y < height - 2; y++) {
    for (let x = 2; x < width - 2; x++) {
      const i = y * width + x;
      const m = magnitude[i];
      if (m < threshold) continue;
      // Non-maximum suppression along the gradient: one thin ridge per edge.
      const ux = gx[i] / m;
      const uy = gy[i] / m;
      const ox = Math.round(ux);
      const oy = Math.round(uy);
      if (magnitude[i + oy * width + ox] > m || magnitude[i - oy * width - ox] >= m) continue;
      let theta = Math.round((Math.atan2(uy, ux) * THETA_BINS) / Math.PI);
      if (theta < 0) theta += THETA_BINS;
      const weight = Math.min(m, 24);
      for (let d = -3; d <= 3; d++) {
        let t = theta + d;
        let flip = 1;
        if (t < 0) {
          t += THETA_BINS;
          flip = -1;
        } else if (t >= THETA_BINS) {
          t -= THETA_BINS;
          flip = -1;
        }
        const rho = flip * (x * COS[t] + y * SIN[t]);
        accumulator[t * rhoBins + Math.round(rho) + diag] += weight;
      }
    }
  }
  // Peaks: local maxima over ±2° and ±2 px, then greedy suppression of near duplicates.
  const minVotes = Math.min(width, height) * 0.12 * 10;
  const peaks: Line[] = [];
  for (let t = 0; t < THETA_BINS; t++) {
    for (let r = 2; r < rhoBins - 2; r++) {
      const v = accumulator[t * rhoBins + r];
      if (v < minVotes) continue;
      let isMax = true;
      for (let dt = -2; dt <= 2 && isMax; dt++) {
        let tt = t + dt;
        let rr = r;
        if (tt < 0) {
          tt += THETA_BINS;
          rr = rhoBins - 1 - r;
        } else if (tt >= THETA_BINS) {
          tt -= THETA_BINS;
          rr = rhoBins - 1 - r;
        }
        for (let dr = -2; dr <= 2; dr++) {
          if (dt === 0 && dr === 0) continue;
          const other = accumulator[tt * rhoBins + rr + dr];
          if (other > v || (other === v && (dt < 0 || (dt === 0 && dr < 0)))) {
            isMax = false;
            break;
          }
        }
      }
      if (isMax) peaks.push({ nx: COS[t], ny: SIN[t], rho: r - diag, votes: v });
    }
  }
  peaks.sort((a, b) => b.votes - a.votes);
  const chosen: Line[] = [];
  for (const line of peaks) {
    if (chosen.length >= HOUGH_PEAKS) break;
    const near = chosen.some((other) => Math.abs(other.nx * line.nx + other.ny * line.ny) > Math.cos((4 * Math.PI) / 180) && lineGap(other, line, width, height) < 5);
    if (!near) chosen.push(line);
  }
  return chosen;
}

/** Distance between two near-parallel lines, measured at the frame's centre. */
function lineGap(a: Line, b: Line, width: number, height: number): number {
  const cx = width / 2;
  const cy = height / 2;
  const sign = a.nx * b.nx + a.ny * b.ny < 0 ? -1 : 1;
  return Math.abs(a.nx * cx + a.ny * cy - a.rho - sign * (b.nx * cx + b.ny * cy - b.rho));
}

function intersect(a: Line, b: Line): Point | undefined {
  const det = a.nx * b.ny - a.ny * b.nx;
  if (Math.abs(det) < 1e-6) return undefined;
  return { x: (a.rho * b.ny - a.ny * b.rho) / det, y: (a.nx * b.rho - a.rho * b.nx) / det };
}

/** Signed offset of a horizontal-ish line at the frame's middle column (its y there). */
function yAt(line: Line, x: number): number {
  return (line.rho - line.nx * x) / line.ny;
}
function xAt(line: Line, y: number): number {
  return (line.rho - line.ny * y) / line.nx;
}

const cross = (o: Point, a: Point, b: Point) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);

/** Convex, clockwise in image coordinates (y down), with every corner angle within 90° ± limit. */
function wellShaped(q: Quad, maxDeviation: number): boolean {
  for (let i = 0; i < 4; i++) {
    const prev = q[(i + 3) % 4];
    const here = q[i];
    const next = q[(i + 1) % 4];
    if (cross(prev, here, next) <= 0) return false;
    const ax = prev.x - here.x;
    const ay = prev.y - here.y;
    const bx = next.x - here.x;
    const by = next.y - here.y;
    const cos = (ax * bx + ay * by) / Math.sqrt((ax * ax + ay * ay) * (bx * bx + by * by));
    if (Math.abs(cos) > Math.sin(maxDeviation)) return false;
  }
  return true;
}

/**
 * How far the quad is from a level rectangle seen square on, in degrees: the larger of its worst
 * corner's distance from 90° (tilt) and its top and bottom sides' mean turn from level (roll).
 */
export function quadSkew(q: Quad): number {
  let worst = 0;
  for (let i = 0; i < 4; i++) {
    const prev = q[(i + 3) % 4];
    const here = q[i];
    const next = q[(i + 1) % 4];
    const a = Math.atan2(prev.y - here.y, prev.x - here.x);
    const b = Math.atan2(next.y - here.y, next.x - here.x);
    let angle = Math.abs(a - b) * (180 / Math.PI);
    if (angle > 180) angle = 360 - angle;
    worst = Math.max(worst, Math.abs(angle - 90));
  }
  const top = Math.atan2(q[1].y - q[0].y, q[1].x - q[0].x);
  const bottom = Math.atan2(q[2].y - q[3].y, q[2].x - q[3].x);
  const roll = Math.abs((top + bottom) / 2) * (180 / Math.PI);
  return Math.max(worst, roll);
}

export function quadArea(q: Quad): number {
  let area = 0;
  for (let i = 0; i < 4; i++) area += q[i].x * q[(i + 1) % 4].y - q[(i + 1) % 4].x * q[i].y;
  return Math.abs(area) / 2;
}

/**
 * The width / height of the rectangle that a quad shows, with the perspective undone (Zhang and
 * He's whiteboard method), for a camera at the frame's centre with the given focal length in pixels.
 */
export function rectifiedAspect(q: Quad, cx: number, cy: number, focal: number): number {
  // Their corner order: m1 top-left, m2 top-right, m3 bottom-left, m4 bottom-right.
  const m = [q[0], q[1], q[3], q[2]].map((p) => [p.x - cx, p.y - cy, 1]);
  const crossV = (a: number[], b: number[]) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const m14 = crossV(m[0], m[3]);
  const k2 = dot(m14, m[2]) / dot(crossV(m[1], m[3]), m[2]);
  const k3 = dot(m14, m[1]) / dot(crossV(m[2], m[3]), m[1]);
  const n2 = m[1].map((v, i) => k2 * v - m[0][i]);
  const n3 = m[2].map((v, i) => k3 * v - m[0][i]);
  const f2 = focal * focal;
  const width2 = (n2[0] * n2[0] + n2[1] * n2[1]) / f2 + n2[2] * n2[2];
  const height2 = (n3[0] * n3[0] + n3[1] * n3[1]) / f2 + n3[2] * n3[2];
  return Math.sqrt(width2 / height2);
}

interface SideScore {
  support: number;
  /** +1 when the inside is brighter, -1 when darker (the quad's, the same on every side). */
  polarity: number;
  /** Share of the side inside the frame. */
  visible: number;
}

// Grey levels across an edge (two working pixels each side) that make it a step, in grey or in chroma.
const STEP = 3;
const CHROMA_GAIN = 2;
// The gradient at a side's sample must be within about 25° of the side's normal.
const ALONG = 0.9;
// Edge past a corner up to this share is the background's own texture; beyond it, it costs PAST_WEIGHT.
const PAST_FLOOR = 0.45;
const PAST_WEIGHT = 0.7;

/**
 * Is there a step edge at (x, y) across the unit normal (nx, ny)? +1 when the normal's side is
 * brighter, -1 when darker, 2 for a step only in chroma (it counts for either polarity), 0 for
 * none, NaN when too near the frame's border to tell.
 */
function stepAt(work: Work, x: number, y: number, nx: number, ny: number): number {
  const { width, height, pixels, chroma, gx, gy, magnitude } = work;
  const xi = Math.round(x);
  const yi = Math.round(y);
  if (xi < 3 || yi < 3 || xi >= width - 3 || yi >= height - 3) return NaN;
  // A strong gradient across the side within ±1 px of it (the line is quantised, and where a
  // cloth's stripe meets the card's edge the strongest gradient there may be the stripe's).
  let across = false;
  for (let o = -1; o <= 1 && !across; o++) {
    const i = Math.round(y + ny * o) * width + Math.round(x + nx * o);
    const m = magnitude[i];
    across = m >= EDGE_FLOOR && Math.abs(gx[i] * nx + gy[i] * ny) >= ALONG * m;
  }
  if (!across) return 0;
  // Two working pixels each side: inside a card's thin shadow, past the blur of the edge.
  const ahead = Math.round(y + ny * 2) * width + Math.round(x + nx * 2);
  const behind = Math.round(y - ny * 2) * width + Math.round(x - nx * 2);
  // A clear colour change counts either way: a card's coloured band can be darker than the table where the rest is lighter.
  if (chroma && Math.abs(chroma[ahead] - chroma[behind]) > 2 * STEP) return 2;
  const step = pixels[ahead] - pixels[behind];
  if (step > STEP) return 1;
  if (step < -STEP) return -1;
  return 0;
}

/**
 * How much of the side P→Q is a step edge: at samples along it, the gradient is strong and across
 * the side, and the strip inside differs from the strip outside in the majority's sense.
 */
function scoreSide(work: Work, p: Point, q: Point, step: number): SideScore {
  const length = Math.hypot(q.x - p.x, q.y - p.y);
  const dx = (q.x - p.x) / length;
  const dy = (q.y - p.y) / length;
  // Clockwise quad, y down: the inside is to the right of the direction of travel.
  const nx = -dy;
  const ny = dx;
  const samples = Math.max(4, Math.floor(length / step));
  let inside = 0;
  let brighter = 0;
  let darker = 0;
  for (let s = 0; s < samples; s++) {
    const t = ((s + 0.5) / samples) * length;
    const found = stepAt(work, p.x + dx * t, p.y + dy * t, nx, ny);
    if (Number.isNaN(found)) continue;
    inside++;
    if (found === 1 || found === 2) brighter++;
    if (found === -1 || found === 2) darker++;
  }
  if (!inside) return { support: 0, polarity: 0, visible: 0 };
  return { support: Math.max(brighter, darker) / inside, polarity: brighter >= darker ? 1 : -1, visible: inside / samples };
}

interface Candidate {
  quad: Quad;
  score: number;
  sides: SideScore[];
}

/**
 * Half the mean support of the sides in view plus half the worst, less the edge found past the
 * corners beyond the background's own texture (a card's edge stops at its corner; a text line, a
 * paper's edge or a keyboard row runs on). Zero unless every side shows.
 */
function combine(sides: SideScore[], beyond: number[]): number {
  let total = 0;
  let weight = 0;
  let worst = 1;
  for (const side of sides) {
    // A side mostly out of frame says nothing; even a cut-off corner leaves part of each side in view.
    if (side.visible <= 0.25) return 0;
    total += side.support * side.visible;
    weight += side.visible;
    worst = Math.min(worst, side.visible > 0.3 ? side.support : 1);
  }
  let past = 0;
  for (const share of beyond) past += Math.max(0, share - PAST_FLOOR) / 4;
  return (total / weight) * 0.5 + worst * 0.5 - past * PAST_WEIGHT;
}

/** How far past each corner the sides reach, as a share of the side. */
const BEYOND = 0.12;

function scoreQuad(work: Work, quad: Quad, step: number): Candidate {
  const sides: SideScore[] = [];
  const beyond: number[] = [];
  for (let i = 0; i < 4; i++) {
    const p = quad[i];
    const q = quad[(i + 1) % 4];
    sides.push(scoreSide(work, p, q, step));
    const ex = (q.x - p.x) * BEYOND;
    const ey = (q.y - p.y) * BEYOND;
    const before = scoreSide(work, { x: p.x - ex, y: p.y - ey }, p, step);
    const after = scoreSide(work, q, { x: q.x + ex, y: q.y + ey }, step);
    beyond.push(Math.max(before.visible > 0.5 ? before.support : 0, after.visible > 0.5 ? after.support : 0));
  }
  return { quad, score: combine(sides, beyond), sides };
}

/**
 * Step edges along a whole line, once, as prefix sums over one-pixel samples, so any stretch of it
 * (a side of any hypothesis) is scored in constant time.
 */
interface Profile {
  line: Line;
  /** Position along the line's direction (-ny, nx) of sample 0. */
  start: number;
  /** Prefix counts of samples in frame, of steps brighter on the normal's side, and darker. */
  inside: Uint16Array;
  brighter: Uint16Array;
  darker: Uint16Array;
}

function profile(work: Work, line: Line): Profile {
  const { width, height } = work;
  const dx = -line.ny;
  const dy = line.nx;
  const along = [0, width].flatMap((x) => [0, height].map((y) => x * dx + y * dy));
  const start = Math.floor(Math.min(...along));
  const count = Math.ceil(Math.max(...along)) - start + 1;
  const inside = new Uint16Array(count + 1);
  const brighter = new Uint16Array(count + 1);
  const darker = new Uint16Array(count + 1);
  for (let k = 0; k < count; k++) {
    const t = start + k;
    const found = stepAt(work, line.nx * line.rho + dx * t, line.ny * line.rho + dy * t, line.nx, line.ny);
    const seen = Number.isNaN(found) ? 0 : 1;
    inside[k + 1] = inside[k] + seen;
    brighter[k + 1] = brighter[k] + (found === 1 || found === 2 ? 1 : 0);
    darker[k + 1] = darker[k] + (found === -1 || found === 2 ? 1 : 0);
  }
  return { line, start, inside, brighter, darker };
}

/** The support (either polarity, the majority's) of the stretch of a profiled line between P and Q. */
function profileSide(pr: Profile, p: Point, q: Point): SideScore {
  const dx = -pr.line.ny;
  const dy = pr.line.nx;
  const last = pr.inside.length - 1;
  const a = p.x * dx + p.y * dy - pr.start;
  const b = q.x * dx + q.y * dy - pr.start;
  const length = Math.abs(b - a);
  const from = Math.max(0, Math.min(last, Math.round(Math.min(a, b))));
  const to = Math.max(0, Math.min(last, Math.round(Math.max(a, b))));
  const inside = pr.inside[to] - pr.inside[from];
  if (!inside || length < 1) return { support: 0, polarity: 0, visible: 0 };
  const brighter = pr.brighter[to] - pr.brighter[from];
  const darker = pr.darker[to] - pr.darker[from];
  return { support: Math.max(brighter, darker) / inside, polarity: brighter >= darker ? 1 : -1, visible: Math.min(1, inside / length) };
}

/**
 * The strongest document-shaped quadrilateral in the frame, or undefined. Corners may lie outside
 * the frame when the document is cut off; they are in the input image's pixels.
 */
export function detectQuad(image: GrayImage, { aspect, aspectTolerance = 0.12 }: QuadOptions): QuadDetection | undefined {
  if (image.width < 32 || image.height < 32) return undefined;
  const { work, factor } = prepare(image);
  const { width, height } = work;
  const lines = houghLines(work);
  // Ranked by how many of their pixels are step edges, not by votes: a card's faint edge on a
  // table of its own colour votes little but is a clean step, where text and cloth vote a lot.
  const profiles = new Map<Line, Profile>();
  for (const line of lines) {
    const pr = profile(work, line);
    profiles.set(line, pr);
    const n = pr.inside.length - 1;
    line.votes = Math.max(pr.brighter[n], pr.darker[n]);
  }
  lines.sort((a, b) => b.votes - a.votes);
  const horizontal = lines.filter((l) => Math.abs(l.ny) >= Math.SQRT1_2).slice(0, LINES_PER_GROUP);
  const vertical = lines.filter((l) => Math.abs(l.ny) < Math.SQRT1_2).slice(0, LINES_PER_GROUP);
  const focal = Math.max(width, height) * 0.8;
  const cx = width / 2;
  const cy = height / 2;
  const frameArea = width * height;
  const pairs = (group: Line[], across: number, at: (l: Line) => number) => {
    const out: { first: Line; second: Line; gap: number }[] = [];
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const a = group[i];
        const b = group[j];
        if (Math.abs(a.nx * b.nx + a.ny * b.ny) < Math.cos((35 * Math.PI) / 180)) continue;
        const gap = at(b) - at(a);
        if (Math.abs(gap) < across * 0.2) continue;
        out.push(gap > 0 ? { first: a, second: b, gap } : { first: b, second: a, gap: -gap });
      }
    }
    return out;
  };
  const rows = pairs(horizontal, height, (l) => yAt(l, cx));
  const columns = pairs(vertical, width, (l) => xAt(l, cy));
  const candidates: Candidate[] = [];
  const sides: SideScore[] = [];
  const beyond: number[] = [];
  for (const row of rows) {
    for (const column of columns) {
      // Cheap first: the widths' ratio near the frame's centre is within reach of the aspect.
      const ratio = column.gap / row.gap;
      if (ratio < aspect * 0.45 || ratio > aspect * 2.2) continue;
      const ordered = [row.first, column.second, row.second, column.first];
      const tl = intersect(row.first, column.first);
      const tr = intersect(row.first, column.second);
      const br = intersect(row.second, column.second);
      const bl = intersect(row.second, column.first);
      if (!tl || !tr || !br || !bl) continue;
      const quad: Quad = [tl, tr, br, bl];
      // Corners may be cut off, but not by more than a third of the frame.
      if (quad.some((p) => p.x < -width / 3 || p.y < -height / 3 || p.x > width * 1.33 || p.y > height * 1.33)) continue;
      const area = quadArea(quad);
      if (area < frameArea * 0.08) continue;
      if (!wellShaped(quad, (40 * Math.PI) / 180)) continue;
      for (let i = 0; i < 4; i++) {
        sides[i] = profileSide(profiles.get(ordered[i])!, quad[i], quad[(i + 1) % 4]);
        beyond[i] = 0;
      }
      // The sides alone first: most hypotheses fail there, before the corners' extensions are looked at.
      if (combine(sides, beyond) < MIN_QUAD_CONFIDENCE * 0.8) continue;
      for (let i = 0; i < 4; i++) {
        const pr = profiles.get(ordered[i])!;
        const p = quad[i];
        const q = quad[(i + 1) % 4];
        const ex = (q.x - p.x) * BEYOND;
        const ey = (q.y - p.y) * BEYOND;
        const before = profileSide(pr, { x: p.x - ex, y: p.y - ey }, p);
        const after = profileSide(pr, q, { x: q.x + ex, y: q.y + ey });
        beyond[i] = Math.max(before.visible > 0.5 ? before.support : 0, after.visible > 0.5 ? after.support : 0);
      }
      const score = combine(sides, beyond);
      if (score < MIN_QUAD_CONFIDENCE * 0.8) continue;
      const seen = rectifiedAspect(quad, cx, cy, focal);
      if (Math.abs(seen / aspect - 1) > aspectTolerance) continue;
      candidates.push({ quad, score, sides: [] });
    }
  }
  if (!candidates.length) return undefined;
  candidates.sort((a, b) => b.score - a.score);
  // Rescore the best few finely. (Preferring a larger quad among near-equals, against an inner panel, is gone:
  // colour finds the card's own edge now, and the rule let a wood-grain line widen a card to the frame's border.)
  const finalists = candidates.slice(0, 10).map((c) => scoreQuad(work, c.quad, 1.5));
  finalists.sort((a, b) => b.score - a.score);
  const best = finalists[0];
  if (best.score < MIN_QUAD_CONFIDENCE) return undefined;
  const corners = refine(image, best, factor);
  return { corners, confidence: Math.round(best.score * 1000) / 1000 };
}

/** Bilinear sample of the full-size image, clamped to its border. */
function sample({ data, width, height }: GrayImage, x: number, y: number): number {
  const cx = Math.min(width - 1.001, Math.max(0, x));
  const cy = Math.min(height - 1.001, Math.max(0, y));
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const fx = cx - x0;
  const fy = cy - y0;
  const i = y0 * width + x0;
  return (data[i] * (1 - fx) + data[i + 1] * fx) * (1 - fy) + (data[i + width] * (1 - fx) + data[i + width + 1] * fx) * fy;
}

/**
 * Moves each side onto the sub-pixel edge in the full-size image: along the side, the strongest
 * step of the side's polarity within ±1.5 working pixels across it, fitted with a line by least
 * squares (twice, the second time without the points the first fit left far off: a thumb, a glint).
 */
function refine(image: GrayImage, best: Candidate, factor: number): Quad {
  const q = best.quad.map((p) => ({ x: (p.x + 0.5) * factor - 0.5, y: (p.y + 0.5) * factor - 0.5 })) as Quad;
  const lines: Line[] = [];
  const reach = 1.5 * factor + 1;
  for (let side = 0; side < 4; side++) {
    const p = q[side];
    const r = q[(side + 1) % 4];
    const length = Math.hypot(r.x - p.x, r.y - p.y);
    const dx = (r.x - p.x) / length;
    const dy = (r.y - p.y) / length;
    const nx = -dy;
    const ny = dx;
    const polarity = best.sides[side].polarity;
    const points: Point[] = [];
    const count = Math.floor(length / 2);
    for (let s = 0; s < count; s++) {
      const t = length * (0.06 + (0.88 * s) / count);
      const x = p.x + dx * t;
      const y = p.y + dy * t;
      if (x < 2 || y < 2 || x > image.width - 3 || y > image.height - 3) continue;
      // Profile across the side in quarter pixels; the derivative's peak, refined by a parabola.
      let bestValue = 0;
      let bestOffset = 0;
      const steps = Math.round(reach * 4) * 2 + 1;
      const derivative = new Float32Array(steps);
      for (let k = 0; k < steps; k++) {
        const o = -reach + k * 0.25;
        const ahead = sample(image, x + nx * (o + 0.5), y + ny * (o + 0.5));
        const behind = sample(image, x + nx * (o - 0.5), y + ny * (o - 0.5));
        derivative[k] = (ahead - behind) * polarity;
      }
      let peak = -1;
      for (let k = 1; k < steps - 1; k++) {
        if (derivative[k] > bestValue && derivative[k] >= derivative[k - 1] && derivative[k] >= derivative[k + 1]) {
          bestValue = derivative[k];
          peak = k;
        }
      }
      if (peak < 0 || bestValue < 3) continue;
      const a = derivative[peak - 1];
      const b = derivative[peak];
      const c = derivative[peak + 1];
      const shift = a - 2 * b + c < 0 ? (0.5 * (a - c)) / (a - 2 * b + c) : 0;
      bestOffset = -reach + (peak + shift) * 0.25;
      points.push({ x: x + nx * bestOffset, y: y + ny * bestOffset });
    }
    let line = fitLine(points);
    if (line) {
      const kept = points.filter((pt) => Math.abs(line!.nx * pt.x + line!.ny * pt.y - line!.rho) < 1);
      line = fitLine(kept) ?? line;
    }
    lines.push(line && points.length >= 8 ? line : lineThrough(p, r));
  }
  const corners: Point[] = [];
  for (let i = 0; i < 4; i++) {
    const corner = intersect(lines[(i + 3) % 4], lines[i]);
    corners.push(corner && Math.hypot(corner.x - q[i].x, corner.y - q[i].y) < 3 * factor + 2 ? corner : q[i]);
  }
  return corners as Quad;
}

function lineThrough(p: Point, q: Point): Line {
  const length = Math.hypot(q.x - p.x, q.y - p.y);
  const nx = -(q.y - p.y) / length;
  const ny = (q.x - p.x) / length;
  return { nx, ny, rho: nx * p.x + ny * p.y, votes: 0 };
}

/** Total least squares line through points (the principal axis of their scatter). */
function fitLine(points: Point[]): Line | undefined {
  if (points.length < 2) return undefined;
  let mx = 0;
  let my = 0;
  for (const p of points) {
    mx += p.x;
    my += p.y;
  }
  mx /= points.length;
  my /= points.length;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    syy += (p.y - my) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  const nx = -Math.sin(angle);
  const ny = Math.cos(angle);
  return { nx, ny, rho: nx * mx + ny * my, votes: points.length };
}
