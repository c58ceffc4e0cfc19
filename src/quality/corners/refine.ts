// Stage 4: each side of the winner moved onto the sub-pixel edge in the full-size image.
import type { GrayImage, Line, Point, Quad } from './geometry.ts';
import type { Candidate } from './score.ts';
import { intersect, quadSide } from './shape.ts';

/** Bilinear sample of the full-size image, clamped to its border. */
export function sample({ data, width, height }: GrayImage, x: number, y: number): number {
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
export function refine(image: GrayImage, best: Candidate, factor: number): Quad {
  const q = best.quad.map((p) => ({ x: (p.x + 0.5) * factor - 0.5, y: (p.y + 0.5) * factor - 0.5 })) as Quad;
  const lines: Line[] = [];
  const reach = 1.5 * factor + 1;
  for (let side = 0; side < 4; side++) {
    const { from: p, to: r, length, dx, dy } = quadSide(q, side);
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

/** The line through two points. */
export function lineThrough(p: Point, q: Point): Line {
  const length = Math.hypot(q.x - p.x, q.y - p.y);
  const nx = -(q.y - p.y) / length;
  const ny = (q.x - p.x) / length;
  return { nx, ny, rho: nx * p.x + ny * p.y, votes: 0 };
}

/**
 * The line most of the points agree on, fitted to them: lines through pairs of points half and a third of the way
 * apart are tried, and the one with the most points within `tolerance` wins (the smaller sum of distances on a tie).
 * Unlike a least-squares fit first, a run of points off the side (a thumb, a shadow's edge) can't tilt it.
 */
export function consensusLine(points: Point[], tolerance: number): Line | undefined {
  const n = points.length;
  let best: Point[] = [];
  let bestSpread = Infinity;
  for (const gap of [Math.floor(n / 2), Math.floor(n / 3)]) {
    if (gap < 1) continue;
    for (let i = 0; i + gap < n; i++) {
      const p = points[i];
      const q = points[i + gap];
      if (p.x === q.x && p.y === q.y) continue;
      const line = lineThrough(p, q);
      const near: Point[] = [];
      let spread = 0;
      for (const point of points) {
        const off = Math.abs(line.nx * point.x + line.ny * point.y - line.rho);
        if (off < tolerance) {
          near.push(point);
          spread += off;
        }
      }
      if (near.length > best.length || (near.length === best.length && spread < bestSpread)) {
        best = near;
        bestSpread = spread;
      }
    }
  }
  return fitLine(best);
}

/** Total least squares line through points (the principal axis of their scatter). */
export function fitLine(points: Point[]): Line | undefined {
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
