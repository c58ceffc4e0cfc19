/**
 * The learned corner model's convolution against the plain one PyTorch defines (every tap, zeros past the edge): the
 * fast one skips the padding's taps and shares passes between cells and planes, so a mistake at a border, at a
 * dilation wider than the map, or in a layer with an odd number of planes would change the card's mask.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { compileSimdConv } from '../../src/quality/corners/conv-simd.ts';
import { type CornerLayer, type Planes, conv, useSimdConv } from '../../src/quality/corners/convolution.ts';

const simdConv = compileSimdConv();

/** A seeded generator of float32 values in −1…1. */
function values(seed: number) {
  let state = seed >>> 0 || 1;
  return (n: number) =>
    Float32Array.from({ length: n }, () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 2 ** 31 - 1;
    });
}

interface Shape {
  cin: number;
  cout: number;
  k: number;
  stride: number;
  dil: number;
  groups?: number;
  h: number;
  w: number;
  relu?: boolean;
}

function layerAndInput({ cin, cout, k, stride, dil, groups = 1, h, w, relu = true }: Shape, seed: number) {
  const random = values(seed);
  const layer: CornerLayer = {
    name: 'under test',
    cin,
    cout,
    groups,
    k,
    stride,
    dil,
    relu,
    w: random((cout * cin * k * k) / groups),
    b: random(cout),
    cut: new Map(),
    taps: new Map(),
  };
  const input: Planes = { data: random(cin * h * w), c: cin, h, w };
  return { layer, input };
}

/** PyTorch's Conv2d with padding = dilation × half the kernel, summed tap by tap in the weights' order. */
function reference(input: Planes, layer: CornerLayer): Planes {
  const { cin, cout, k, stride: s, dil: d, groups, relu } = layer;
  const { h, w } = input;
  const pad = d * (k >> 1);
  const oh = Math.floor((h + 2 * pad - d * (k - 1) - 1) / s) + 1;
  const ow = Math.floor((w + 2 * pad - d * (k - 1) - 1) / s) + 1;
  const perGroup = cin / groups;
  const out = new Float32Array(cout * oh * ow);
  for (let o = 0; o < cout; o++) {
    const first = Math.floor(o / (cout / groups)) * perGroup;
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        let sum = 0;
        for (let g = 0; g < perGroup; g++)
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const iy = oy * s + ky * d - pad;
              const ix = ox * s + kx * d - pad;
              const value = iy < 0 || iy >= h || ix < 0 || ix >= w ? 0 : input.data[((first + g) * h + iy) * w + ix];
              sum += layer.w[((o * perGroup + g) * k + ky) * k + kx] * value;
            }
        const v = sum + layer.b[o];
        out[(o * oh + oy) * ow + ox] = relu && v < 0 ? 0 : v;
      }
  }
  return { data: out, c: cout, h: oh, w: ow };
}

// The model's own layers (train.py's LAYERS on a 160 × 120 input), and shapes that reach every other path: a map
// narrower than the dilation, odd sizes with a stride, odd plane counts, and widths that are not a multiple of the
// four cells a pass takes.
const SHAPES: Shape[] = [
  { cin: 2, cout: 8, k: 3, stride: 2, dil: 1, h: 120, w: 160 },
  { cin: 12, cout: 24, k: 3, stride: 2, dil: 1, h: 30, w: 40 },
  { cin: 32, cout: 32, k: 3, stride: 1, dil: 8, h: 15, w: 20 },
  { cin: 44, cout: 12, k: 1, stride: 1, dil: 1, h: 30, w: 40 },
  { cin: 8, cout: 2, k: 3, stride: 1, dil: 1, h: 60, w: 80, relu: false },
  { cin: 5, cout: 7, k: 3, stride: 1, dil: 4, h: 3, w: 6 },
  { cin: 3, cout: 5, k: 3, stride: 2, dil: 2, h: 9, w: 11 },
  { cin: 4, cout: 1, k: 3, stride: 1, dil: 1, h: 7, w: 5 },
  { cin: 6, cout: 3, k: 5, stride: 1, dil: 3, h: 13, w: 10, relu: false },
  { cin: 1, cout: 6, k: 3, stride: 1, dil: 16, h: 10, w: 12 },
];

/** Where `got` is not `want`: bit for bit in JavaScript, within float32 rounding in WebAssembly (sums of up to 396 taps). */
function firstMismatch(got: Planes, want: Planes, simd: boolean): number {
  return want.data.findIndex((v, at) =>
    simd ? !(Math.abs(v - got.data[at]) <= 2e-5 * (1 + Math.abs(v))) : !Object.is(v, got.data[at]) && !(v === 0 && got.data[at] === 0),
  );
}

/** Each test below runs twice: in JavaScript, then in WebAssembly SIMD (which Node has, so it must compile here). */
function onBothPaths(name: string, body: (simd: boolean) => void) {
  for (const simd of [false, true])
    test(`${name} (${simd ? 'WebAssembly SIMD' : 'JavaScript'})`, () => {
      assert.ok(simdConv, 'WebAssembly SIMD compiles in Node');
      useSimdConv(simd ? simdConv : undefined);
      try {
        body(simd);
      } finally {
        useSimdConv(undefined);
      }
    });
}

onBothPaths('the convolution gives the plain convolution’s values at every border, dilation and plane count', (simd) => {
  SHAPES.forEach((shape, i) => {
    const { layer, input } = layerAndInput(shape, 1 + i);
    const got = conv(input, layer);
    const want = reference(input, layer);
    assert.deepEqual([got.c, got.h, got.w], [want.c, want.h, want.w], `shape of ${JSON.stringify(shape)}`);
    const first = firstMismatch(got, want, simd);
    assert.equal(first, -1, `${JSON.stringify(shape)}: value ${first} is ${got.data[first]}, not ${want.data[first]}`);
    // Run again on the same layer: its cut weights and tap offsets are kept.
    assert.deepEqual(conv(input, layer).data, got.data);
  });
});

onBothPaths('a layer run on inputs of two sizes keeps each size’s taps apart', (simd) => {
  const { layer, input } = layerAndInput({ cin: 4, cout: 4, k: 3, stride: 1, dil: 4, h: 15, w: 20 }, 99);
  const small: Planes = { data: input.data.subarray(0, 4 * 9 * 12), c: 4, h: 9, w: 12 };
  conv(input, layer);
  assert.equal(firstMismatch(conv(small, layer), reference(small, layer), simd), -1);
  assert.equal(firstMismatch(conv(input, layer), reference(input, layer), simd), -1);
});
test('a depthwise layer matches the plain convolution too', () => {
  const { layer, input } = layerAndInput({ cin: 6, cout: 6, k: 3, stride: 1, dil: 2, groups: 6, h: 11, w: 9 }, 7);
  const got = conv(input, layer);
  const want = reference(input, layer);
  want.data.forEach((v, at) => assert.ok(Math.abs(v - got.data[at]) <= 1e-5, `value ${at}: ${got.data[at]} against ${v}`));
});

onBothPaths('a camera’s crops in many sizes keep a bounded number of tap offsets, and the right ones', (simd) => {
  const { layer, input } = layerAndInput({ cin: 2, cout: 4, k: 3, stride: 1, dil: 2, h: 40, w: 40 }, 5);
  for (let h = 3; h <= 40; h++)
    for (const w of [5, 9, 16, 23, 31, 40]) {
      const crop: Planes = { data: input.data.subarray(0, 2 * h * w), c: 2, h, w };
      const got = conv(crop, layer);
      if (h % 9 === 0) assert.equal(firstMismatch(got, reference(crop, layer), simd), -1, `${w} × ${h}`);
    }
  assert.ok(layer.taps.size <= 256, `${layer.taps.size} offsets kept`);
  assert.ok(layer.cut.size <= 16, `${layer.cut.size} cut weights kept`);
});

test('when WebAssembly fails mid-run (its memory cannot grow), the layer and the ones after run in JavaScript', () => {
  const { layer, input } = layerAndInput(SHAPES[2], 3);
  let calls = 0;
  useSimdConv({
    conv: () => {
      calls++;
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    },
  });
  try {
    assert.equal(firstMismatch(conv(input, layer), reference(input, layer), false), -1);
    assert.equal(firstMismatch(conv(input, layer), reference(input, layer), false), -1);
    assert.equal(calls, 1, 'the failed path is not tried again');
  } finally {
    useSimdConv(undefined);
  }
});

test('the WebAssembly the worker compiles is conv-simd.wat, assembled', () => {
  const script = fileURLToPath(new URL('../../scripts/build-wasm.mjs', import.meta.url));
  const check = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});
