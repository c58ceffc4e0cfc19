/**
 * The learned corner model's input: the frame's grey and chroma planes shrunk by area averaging to
 * MODEL_WIDTH across (the height follows the frame's aspect, rounded to the network's stride).
 * Pure, shared by the worker and the script that writes the model's training scenes, so both see
 * the same pixels.
 */
import type { GrayImage } from './geometry.ts';

export const MODEL_WIDTH = 160;
/** The network halves its input three times: sizes are multiples of 8. */
export const MODEL_STRIDE = 8;

export interface ModelInput {
  width: number;
  height: number;
  /** Two planes, grey then chroma, scaled to about −1…1. */
  data: Float32Array;
}

/** The input size for a frame of the given size. */
export function modelSize(width: number, height: number): { width: number; height: number } {
  const h = Math.max(MODEL_STRIDE, Math.round((height * MODEL_WIDTH) / width / MODEL_STRIDE) * MODEL_STRIDE);
  return { width: MODEL_WIDTH, height: h };
}

/** Area-averaged planes (grey centred on 128, chroma on 128, both over 64). */
export function modelInput(image: GrayImage): ModelInput {
  const { width, height } = modelSize(image.width, image.height);
  const data = new Float32Array(2 * width * height);
  const sx = image.width / width;
  const sy = image.height / height;
  // Each cell's columns [left, right), worked out once rather than per row.
  const left = new Int32Array(width);
  const right = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    left[x] = Math.floor(x * sx);
    right[x] = Math.max(left[x] + 1, Math.floor((x + 1) * sx));
  }
  const planes = [image.data, image.chroma];
  for (let p = 0; p < 2; p++) {
    const src = planes[p];
    const out = p * width * height;
    if (!src) continue;
    if (sx === 4) {
      // A 640 px wide frame, as the worker analyses: each cell four columns, summed without the general loop's column
      // bounds; the same integer sums, so the same input to the bit, in about a third of the time.
      const w = image.width;
      for (let y = 0; y < height; y++) {
        const y0 = Math.floor(y * sy);
        const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
        for (let x = 0; x < width; x++) {
          let sum = 0;
          for (let i = y0 * w + 4 * x, end = y1 * w + 4 * x; i < end; i += w) sum += src[i] + src[i + 1] + src[i + 2] + src[i + 3];
          data[out + y * width + x] = (sum / ((y1 - y0) * 4) - 128) / 64;
        }
      }
      continue;
    }
    for (let y = 0; y < height; y++) {
      const y0 = Math.floor(y * sy);
      const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
      for (let x = 0; x < width; x++) {
        const x0 = left[x];
        const x1 = right[x];
        let sum = 0;
        for (let yy = y0; yy < y1; yy++) {
          const row = yy * image.width;
          for (let xx = x0; xx < x1; xx++) sum += src[row + xx];
        }
        data[out + y * width + x] = (sum / ((y1 - y0) * (x1 - x0)) - 128) / 64;
      }
    }
  }
  return { width, height, data };
}
