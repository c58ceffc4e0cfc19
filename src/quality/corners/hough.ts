// Stage 1: a small, blurred working copy with gradients, and the Hough transform of its edges.
import type { GrayImage, Line } from './geometry.ts';
import { lineGap } from './shape.ts';

export const WORK_SIZE = 320;
// Hough peaks kept before they are ranked by their step edges.
export const HOUGH_PEAKS = 80;
export const THETA_BINS = 180;
// Chroma is stored halved (to fit a byte): doubled again, a colour step weighs as much as a grey one.
export const CHROMA_GAIN = 2;

export interface Work {
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
export function buffer(name: string, length: number): Float32Array {
  let found = buffers.get(name);
  if (!found || found.length !== length) buffers.set(name, (found = new Float32Array(length)));
  else found.fill(0);
  return found;
}

/** Box-averages a plane by `factor` and multiplies by `gain`, then a [1 2 1] blur each way. */
export function shrink(
  name: string,
  data: Uint8Array,
  sourceWidth: number,
  factor: number,
  width: number,
  height: number,
  gain: number,
): Float32Array {
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
export function gradients(plane: Float32Array, width: number, height: number, gx: Float32Array, gy: Float32Array, magnitude: Float32Array) {
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
export function prepare(image: GrayImage): { work: Work; factor: number } {
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
export const EDGE_FLOOR = 2.5;

/** Hough transform of thinned edges, each voting within ±3° of its own gradient direction; the strongest separated peaks. */
export function houghLines(work: Work): Line[] {
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
    const near = chosen.some(
      (other) =>
        Math.abs(other.nx * line.nx + other.ny * line.ny) > Math.cos((4 * Math.PI) / 180) && lineGap(other, line, width, height) < 5,
    );
    if (!near) chosen.push(line);
  }
  return chosen;
}
