/**
 * The `crop="document"` capture: the card cut out of the frame along its four corners and
 * rectified to a flat rectangle, plus a margin. Pure: RGBA pixels in, RGBA pixels out.
 */
import type { Point, Quad } from './geometry.ts';

/** Margin kept around the rectified card, as a share of its width and height. */
export const DOCUMENT_MARGIN = 0.05;

export interface RgbaImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** The homography taking the unit square's corners (0,0) (1,0) (1,1) (0,1) to the quad's, row-major 3×3 (Heckbert). */
export function squareToQuad([p0, p1, p2, p3]: Quad): number[] {
  const sx = p0.x - p1.x + p2.x - p3.x;
  const sy = p0.y - p1.y + p2.y - p3.y;
  const dx1 = p1.x - p2.x;
  const dx2 = p3.x - p2.x;
  const dy1 = p1.y - p2.y;
  const dy2 = p3.y - p2.y;
  const den = dx1 * dy2 - dx2 * dy1;
  const g = (sx * dy2 - dx2 * sy) / den;
  const h = (dx1 * sy - sx * dy1) / den;
  return [p1.x - p0.x + g * p1.x, p3.x - p0.x + h * p3.x, p0.x, p1.y - p0.y + g * p1.y, p3.y - p0.y + h * p3.y, p0.y, g, h, 1];
}

/**
 * The output size: the card's longest side in the source keeps its pixels (so the pipeline,
 * which shrinks only as much as the byte budget needs, sends the most detail it can); the other
 * side follows the document's aspect; the margin is added on every side.
 */
export function documentSize(q: Quad, aspect: number, margin = DOCUMENT_MARGIN): { width: number; height: number } {
  const side = (a: Point, b: Point) => Math.hypot(b.x - a.x, b.y - a.y);
  const across = Math.max(side(q[0], q[1]), side(q[3], q[2]));
  const down = Math.max(side(q[0], q[3]), side(q[1], q[2]));
  const cardWidth = Math.max(across, down * aspect);
  return { width: Math.round(cardWidth * (1 + 2 * margin)), height: Math.round((cardWidth / aspect) * (1 + 2 * margin)) };
}

/** The card rectified, with a margin, sampled bilinearly; pixels the frame does not hold are black. */
export function warpToDocument(source: RgbaImage, q: Quad, aspect: number, margin = DOCUMENT_MARGIN): RgbaImage {
  const { width, height } = documentSize(q, aspect, margin);
  const m = squareToQuad(q);
  const out = new Uint8ClampedArray(width * height * 4);
  const { data, width: sw, height: sh } = source;
  const span = 1 + 2 * margin;
  for (let j = 0; j < height; j++) {
    const v = ((j + 0.5) / height) * span - margin;
    for (let i = 0; i < width; i++) {
      const u = ((i + 0.5) / width) * span - margin;
      const w = m[6] * u + m[7] * v + 1;
      const x = (m[0] * u + m[1] * v + m[2]) / w - 0.5;
      const y = (m[3] * u + m[4] * v + m[5]) / w - 0.5;
      const o = (j * width + i) * 4;
      out[o + 3] = 255;
      if (x < 0 || y < 0 || x > sw - 1 || y > sh - 1) continue;
      const x0 = Math.min(sw - 2, Math.floor(x));
      const y0 = Math.min(sh - 2, Math.floor(y));
      const fx = x - x0;
      const fy = y - y0;
      const a = (y0 * sw + x0) * 4;
      const b = a + sw * 4;
      for (let c = 0; c < 3; c++) {
        out[o + c] = (data[a + c] * (1 - fx) + data[a + 4 + c] * fx) * (1 - fy) + (data[b + c] * (1 - fx) + data[b + 4 + c] * fx) * fy;
      }
    }
  }
  return { data: out, width, height };
}

/** Where the card's own corners fall in the rectified output. */
export function documentCorners({ width, height }: { width: number; height: number }, margin = DOCUMENT_MARGIN): Quad {
  const x0 = (width * margin) / (1 + 2 * margin);
  const y0 = (height * margin) / (1 + 2 * margin);
  return [
    { x: x0, y: y0 },
    { x: width - x0, y: y0 },
    { x: width - x0, y: height - y0 },
    { x: x0, y: height - y0 },
  ];
}
