// The Node scene renderers' Gaussian blur: blur.mjs's, with its taps summed in WebAssembly (blur-simd.wat), the
// same floats to the bit and about three times quicker. Rendering the corner model's training scenes spent two
// fifths of its time blurring. Node only: the browser fixtures keep blur.mjs, which needs no WebAssembly under CSP.
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import { gaussianWeights } from './blur.mjs';

const wabt = await wabtInit();
const parsed = wabt.parseWat('blur-simd.wat', readFileSync(new URL('./blur-simd.wat', import.meta.url), 'utf8'), { simd: true });
parsed.validate();
const { instance } = await WebAssembly.instantiate(parsed.toBinary({}).buffer);
parsed.destroy();
const { memory, taps } = instance.exports;

const clamp = (v, lo, hi) => (v < lo ? lo : v > hi ? hi : v);

/** blur.mjs's `gaussianBlur`, float for float. */
export function gaussianBlurSimd(rgb, width, height, sigma) {
  const weights = gaussianWeights(sigma);
  const count = weights.length;
  const radius = (count - 1) / 2;
  const rowLength = width * 3;
  // The memory: the taps' weights (f64) and offsets (i32), then the frame, the horizontal pass and the output.
  const weightsAt = 0;
  const offsetsAt = count * 8;
  const sourceAt = Math.ceil((offsetsAt + count * 4) / 16) * 16;
  const acrossAt = sourceAt + rgb.length * 4;
  const outAt = acrossAt + rgb.length * 4;
  const needed = outAt + rgb.length * 4 + 16;
  if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
  const buffer = memory.buffer;
  new Float64Array(buffer, weightsAt, count).set(weights);
  const offsets = new Int32Array(buffer, offsetsAt, count);
  new Float32Array(buffer, sourceAt, rgb.length).set(rgb);
  const across = new Float32Array(buffer, acrossAt, rgb.length);
  // Along rows: the taps inside the row in WebAssembly, the border pixels (which repeat the edge) here.
  for (let k = 0; k < count; k++) offsets[k] = (k - radius) * 3 * 4;
  const inside = Math.max(0, width - 2 * radius);
  for (let y = 0; y < height; y++) {
    const base = y * rowLength;
    if (inside) taps(sourceAt + (base + radius * 3) * 4, acrossAt + (base + radius * 3) * 4, inside * 3, offsetsAt, weightsAt, count);
    for (let x = 0; x < width; x++) {
      if (x >= radius && x + radius < width) {
        x = width - radius - 1;
        continue;
      }
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = -radius; k <= radius; k++) {
        const at = base + clamp(x + k, 0, width - 1) * 3;
        const w = weights[k + radius];
        r += rgb[at] * w;
        g += rgb[at + 1] * w;
        b += rgb[at + 2] * w;
      }
      across[base + x * 3] = r;
      across[base + x * 3 + 1] = g;
      across[base + x * 3 + 2] = b;
    }
  }
  // Down columns: each output row sums whole rows above and below it (repeating the top and bottom ones).
  for (let y = 0; y < height; y++) {
    for (let k = 0; k < count; k++) offsets[k] = clamp(y + k - radius, 0, height - 1) * rowLength * 4;
    taps(acrossAt, outAt + y * rowLength * 4, rowLength, offsetsAt, weightsAt, count);
  }
  return new Float32Array(buffer, outAt, rgb.length).slice();
}
