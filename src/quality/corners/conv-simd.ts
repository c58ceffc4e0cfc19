/**
 * The ungrouped convolutions' dot products in WebAssembly SIMD (conv-simd.wat, assembled into conv-simd-bytes.ts by
 * `npm run build:wasm`): four or eight output planes an instruction, summed in float32. The corner network runs
 * about 3× faster than in JavaScript; its maps differ from JavaScript's by float32 rounding (about 1e-6).
 *
 * Compiling WebAssembly is governed by the CSP of the context that does it; in a worker loaded from a URL that is the
 * worker script's own response header, not the page's. Under a policy without `'wasm-unsafe-eval'` the compile throws
 * (the browser reports one violation, in the worker) and the JavaScript path runs instead.
 */
import { CONV_SIMD_WASM } from './conv-simd-bytes.ts';
import type { SimdConv } from './convolution.ts';

/**
 * Compiles the WebAssembly path, or undefined where SIMD or compiling WebAssembly is not available. The worker does
 * it once and hands it to useSimdConv (convolution.ts); the main-thread fallback never loads this module.
 */
export function compileSimdConv(): SimdConv | undefined {
  let instance: WebAssembly.Instance;
  try {
    const bytes = Uint8Array.from(atob(CONV_SIMD_WASM), (c) => c.charCodeAt(0));
    // An engine without SIMD rejects the module; validating does not compile, so a CSP has nothing to refuse yet.
    if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) return undefined;
    instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  } catch {
    return undefined;
  }
  const memory = instance.exports.memory as WebAssembly.Memory;
  const conv = instance.exports.conv as (...args: number[]) => void;
  // From address 0: each model's weights, packed by groups of four planes, and its padded biases, kept for the model's
  // lifetime (a few hundred KB a model). A layer's own tables, input and output go after them, for one call.
  let kept = 0;
  const packed = new WeakMap<Float32Array, number>();
  const reserve = (end: number) => {
    const short = end - memory.buffer.byteLength;
    if (short > 0) memory.grow(Math.ceil(short / 65536));
  };
  const keep = (values: Float32Array) => {
    const at = kept;
    reserve(at + values.byteLength);
    new Float32Array(memory.buffer, at, values.length).set(values);
    kept = align(at + values.byteLength);
    return at;
  };
  const keepOnce = (key: Float32Array, values: () => Float32Array) => {
    let at = packed.get(key);
    if (at === undefined) packed.set(key, (at = keep(values())));
    return at;
  };
  return {
    conv({ layer, input, boxes, rows, cols, ranges, pad }) {
      const { cout, stride, relu } = layer;
      const weightsAt = boxes.map((box) => keepOnce(box.weights, () => byGroups(box.weights, cout, box.offsets.length)));
      const biasAt = keepOnce(layer.b, () => {
        const padded = new Float32Array(groups(cout) * 4);
        padded.set(layer.b);
        return padded;
      });
      // For this call, after what is kept: the boxes' table and taps, the rows' and columns' ranges, input, output.
      const tableAt = kept;
      let end = tableAt + boxes.length * 12;
      const tapsAt = boxes.map((box) => {
        const at = end;
        end += box.offsets.length * 4;
        return at;
      });
      const rowsAt = end;
      const colsAt = rowsAt + rows.length * 4;
      const srcAt = align(colsAt + cols.length * 4);
      const outAt = align(srcAt + input.data.byteLength);
      const plane = rows.length * cols.length * 4;
      reserve(outAt + cout * plane);
      const ints = new Int32Array(memory.buffer);
      boxes.forEach((box, b) => {
        ints.set([weightsAt[b], tapsAt[b], box.offsets.length], (tableAt >> 2) + 3 * b);
        for (let i = 0, at = tapsAt[b] >> 2; i < box.offsets.length; i++) ints[at + i] = box.offsets[i] * 4;
      });
      ints.set(rows, rowsAt >> 2);
      ints.set(cols, colsAt >> 2);
      new Float32Array(memory.buffer, srcAt, input.data.length).set(input.data);
      conv(
        rowsAt,
        rows.length,
        colsAt,
        cols.length,
        ranges,
        tableAt,
        srcAt,
        input.w,
        stride,
        pad,
        cout,
        biasAt,
        relu ? 1 : 0,
        outAt,
        plane,
      );
      return new Float32Array(memory.buffer.slice(outAt, outAt + cout * plane));
    },
  };
}

const groups = (planes: number) => Math.ceil(planes / 4);
const align = (at: number) => (at + 15) & ~15;

/** Weights laid out [plane][tap] as [group of four planes][tap][plane in the group], the missing planes zero. */
function byGroups(weights: Float32Array, planes: number, size: number): Float32Array {
  const out = new Float32Array(groups(planes) * size * 4);
  for (let o = 0; o < planes; o++) for (let i = 0; i < size; i++) out[((o >> 2) * size + i) * 4 + (o & 3)] = weights[o * size + i];
  return out;
}
