/**
 * The scene renderers' blur in WebAssembly (blur-simd.mjs) gives blur.mjs's floats to the bit. Every realistic scene
 * with a defocus or a hand-held background goes through it, so one float off would change the held-out split's pixels,
 * and with them every figure measured on it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussianBlur } from '../support/blur.mjs';
import { gaussianBlurSimd } from '../support/blur-simd.mjs';
import { seededRandom } from '../support/random.mjs';

/** The index of the first float that differs, or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  const [x, y] = [new Uint32Array(a.buffer, a.byteOffset, a.length), new Uint32Array(b.buffer, b.byteOffset, b.length)];
  return x.findIndex((bits, i) => bits !== y[i]);
}

test('the WebAssembly blur gives the same floats as the JavaScript one, frame sizes and σ as the scenes use and odd ones', () => {
  const random = seededRandom(24);
  const cases = [
    [640, 480, 0.6],
    [640, 480, 2.2],
    [640, 480, 6],
    [641, 37, 1.3], // an odd row: its last floats go one by one
    [13, 21, 2.5], // narrower than the kernel: every pixel is a border one
    [1, 1, 0.8],
  ] as const;
  for (const [width, height, sigma] of cases) {
    // Floats as a scene holds them, with some far over the 0–255 range, as glare leaves them.
    const rgb = Float32Array.from({ length: width * height * 3 }, () => (random() < 0.02 ? 1e4 * random() : 255 * random()));
    const before = rgb.slice();
    const at = firstDifference(gaussianBlurSimd(rgb, width, height, sigma), gaussianBlur(rgb, width, height, sigma));
    assert.equal(at, -1, `${width} × ${height}, σ ${sigma}: float ${at} differs`);
    assert.equal(firstDifference(rgb, before), -1, 'the source is left as it was');
  }
});

test('a smaller frame after a larger one is blurred as if it came first (nothing left over in the memory)', () => {
  const random = seededRandom(7);
  const frame = (width: number, height: number) => Float32Array.from({ length: width * height * 3 }, () => 255 * random());
  gaussianBlurSimd(frame(640, 480), 640, 480, 5);
  const small = frame(32, 24);
  assert.equal(firstDifference(gaussianBlurSimd(small, 32, 24, 1.5), gaussianBlur(small, 32, 24, 1.5)), -1);
});
