/**
 * The learned model's input (model-input.ts): each cell the mean of its block of the frame, grey and chroma, the same
 * to the bit on the worker's 640 px frames (their own quicker path) as on any other size (a closer look's crop).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GrayImage } from '../../src/quality/corners/geometry.ts';
import { modelInput, modelSize } from '../../src/quality/corners/model-input.ts';
import { seededRandom } from '../support/random.mjs';

/** The definition, cell by cell: the block's mean, centred on 128 and over 64. */
function blockMeans(image: GrayImage): Float32Array {
  const { width, height } = modelSize(image.width, image.height);
  const data = new Float32Array(2 * width * height);
  const sx = image.width / width;
  const sy = image.height / height;
  [image.data, image.chroma].forEach((plane, p) => {
    if (!plane) return;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const y0 = Math.floor(y * sy);
        const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
        const x0 = Math.floor(x * sx);
        const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
        let sum = 0;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += plane[yy * image.width + xx];
        data[p * width * height + y * width + x] = (sum / ((y1 - y0) * (x1 - x0)) - 128) / 64;
      }
  });
  return data;
}

test("the model's input is each cell's block mean, on the worker's 640 px frames and on a crop of any size", () => {
  const random = seededRandom(24);
  const frame = (width: number, height: number, chroma = true): GrayImage => ({
    width,
    height,
    data: Uint8Array.from({ length: width * height }, () => Math.floor(random() * 256)),
    chroma: chroma ? Uint8Array.from({ length: width * height }, () => Math.floor(random() * 256)) : undefined,
  });
  // 4:3 and 16:9 frames as the worker analyses them, a tall one, a grey one; then crops, the last one smaller than the input.
  for (const [width, height, chroma] of [
    [640, 480, true],
    [640, 360, true],
    [640, 1138, true],
    [640, 480, false],
    [333, 250, true],
    [1280, 960, true],
    [100, 75, true],
  ] as const) {
    const image = frame(width, height, chroma);
    const { data } = modelInput(image);
    assert.deepEqual(data, blockMeans(image), `${width} × ${height}${chroma ? '' : ', grey'}`);
  }
});
