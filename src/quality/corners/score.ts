// Stage 2: how much of each side of a hypothesis is a clean step edge, and what runs on past its corners.
import type { Line, Point, Quad } from './geometry.ts';
import { EDGE_FLOOR, type Work } from './hough.ts';

export interface SideScore {
  support: number;
  /** +1 when the inside is brighter, -1 when darker (the quad's, the same on every side). */
  polarity: number;
  /** Share of the side inside the frame. */
  visible: number;
}

// Grey levels across an edge (two working pixels each side) that make it a step, in grey or in chroma.
const STEP = 3;
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
export function stepAt(work: Work, x: number, y: number, nx: number, ny: number): number {
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
export function scoreSide(work: Work, p: Point, q: Point, step: number): SideScore {
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

export interface Candidate {
  quad: Quad;
  score: number;
  sides: SideScore[];
}

/**
 * Half the mean support of the sides in view plus half the worst, less the edge found past the
 * corners beyond the background's own texture (a card's edge stops at its corner; a text line, a
 * paper's edge or a keyboard row runs on). Zero unless every side shows.
 */
export function combine(sides: SideScore[], beyond: number[]): number {
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
export const BEYOND = 0.12;

export function scoreQuad(work: Work, quad: Quad, step: number): Candidate {
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
export interface Profile {
  line: Line;
  /** Position along the line's direction (-ny, nx) of sample 0. */
  start: number;
  /** Prefix counts of samples in frame, of steps brighter on the normal's side, and darker. */
  inside: Uint16Array;
  brighter: Uint16Array;
  darker: Uint16Array;
}

export function profile(work: Work, line: Line): Profile {
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
export function profileSide(pr: Profile, p: Point, q: Point): SideScore {
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
