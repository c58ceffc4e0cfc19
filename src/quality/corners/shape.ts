// Lines and quadrilaterals: the geometry every stage of the detector measures with.
import type { Line, Point, Quad } from './geometry.ts';

/** Distance between two near-parallel lines, measured at the frame's centre. */
export function lineGap(a: Line, b: Line, width: number, height: number): number {
  const cx = width / 2;
  const cy = height / 2;
  const sign = a.nx * b.nx + a.ny * b.ny < 0 ? -1 : 1;
  return Math.abs(a.nx * cx + a.ny * cy - a.rho - sign * (b.nx * cx + b.ny * cy - b.rho));
}

export function intersect(a: Line, b: Line): Point | undefined {
  const det = a.nx * b.ny - a.ny * b.nx;
  if (Math.abs(det) < 1e-6) return undefined;
  return { x: (a.rho * b.ny - a.ny * b.rho) / det, y: (a.nx * b.rho - a.rho * b.nx) / det };
}

/** The point of `line` nearest `p` (a line's normal is a unit vector). */
export function projectOnto(line: Line, p: Point): Point {
  const off = line.nx * p.x + line.ny * p.y - line.rho;
  return { x: p.x - line.nx * off, y: p.y - line.ny * off };
}

/** Signed offset of a horizontal-ish line at the frame's middle column (its y there). */
export function yAt(line: Line, x: number): number {
  return (line.rho - line.nx * x) / line.ny;
}
export function xAt(line: Line, y: number): number {
  return (line.rho - line.ny * y) / line.nx;
}

export const cross = (o: Point, a: Point, b: Point) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);

/** Convex, clockwise in image coordinates (y down), with every corner angle within 90° ± limit. */
export function wellShaped(q: Quad, maxDeviation: number): boolean {
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
 * How far the quad is from a rectangle seen square on and lined up with the frame, in degrees: the larger of its
 * worst corner's distance from 90° (tilt) and its top and bottom sides' mean turn from the nearest of the frame's
 * axes (roll). A card standing upright is square to the frame: whether it should lie sideways is framing's call.
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
  const top = Math.atan2(q[1].y - q[0].y, q[1].x - q[0].x) * (180 / Math.PI);
  const bottom = Math.atan2(q[2].y - q[3].y, q[2].x - q[3].x) * (180 / Math.PI);
  // Folded into [-45°, 45°) from the nearest axis; the bottom side's turn is taken from the top's, so the two never
  // fold to opposite ends.
  const fold = (degrees: number) => ((((degrees + 45) % 90) + 90) % 90) - 45;
  const roll = Math.abs(fold(top + fold(bottom - top) / 2));
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

/** A quad's side from corner `side` to the next: its ends, length and unit direction. */
export function quadSide(q: Quad, side: number): { from: Point; to: Point; length: number; dx: number; dy: number } {
  const from = q[side];
  const to = q[(side + 1) % 4];
  const length = Math.hypot(to.x - from.x, to.y - from.y);
  return { from, to, length, dx: (to.x - from.x) / length, dy: (to.y - from.y) / length };
}
