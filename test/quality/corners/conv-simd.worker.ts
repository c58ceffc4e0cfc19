// Runs in a dedicated worker for conv-simd.test.ts: one layer of the corner network on seeded values, in WebAssembly
// SIMD when the worker can compile it and in JavaScript, and says which ran and what the worker's CSP refused.
import { compileSimdConv } from '../../../src/quality/corners/conv-simd.ts';
import { type CornerLayer, conv, useSimdConv } from '../../../src/quality/corners/convolution.ts';

const refused: string[] = [];
self.addEventListener('securitypolicyviolation', (event) => refused.push(event.effectiveDirective));

let state = 7;
const values = (n: number) =>
  Float32Array.from({ length: n }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2 ** 30 - 1;
  });
const layer: CornerLayer = {
  name: 'c5',
  cin: 32,
  cout: 32,
  groups: 1,
  k: 3,
  stride: 1,
  dil: 4,
  relu: true,
  w: values(32 * 32 * 9),
  b: values(32),
  cut: new Map(),
  taps: new Map(),
};
const input = { data: values(32 * 15 * 20), c: 32, h: 15, w: 20 };

const engine = compileSimdConv();
useSimdConv(engine);
const fast = conv(input, layer).data;
useSimdConv(undefined);
const plain = conv(input, layer).data;
let largest = 0;
for (let i = 0; i < plain.length; i++) largest = Math.max(largest, Math.abs(fast[i] - plain[i]));
// A violation is reported in a task of its own.
setTimeout(() => postMessage({ simd: engine !== undefined, largest, nonZero: plain.filter((v) => v > 0).length, refused }), 100);
