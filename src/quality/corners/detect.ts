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
import type { GrayImage, Line, Quad } from './geometry.ts';
import { houghLines, prepare } from './hough.ts';
import { refine } from './refine.ts';
import { BEYOND, type Candidate, type Profile, type SideScore, combine, profile, profileSide, scoreQuad } from './score.ts';
import { intersect, quadArea, rectifiedAspect, wellShaped, xAt, yAt } from './shape.ts';

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
// The strongest lines of each direction that make hypotheses: a busy cloth or keyboard has many.
const LINES_PER_GROUP = 22;

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
