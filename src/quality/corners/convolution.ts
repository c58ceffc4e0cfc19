/**
 * The corner models' convolutions: planes first, padded as PyTorch pads them. Ungrouped layers run in WebAssembly
 * SIMD where it may be compiled (conv-simd.ts), in plain JavaScript otherwise.
 */

/** One ungrouped layer as convByTaps lays it out, for the WebAssembly path. */
export interface SimdLayer {
  layer: CornerLayer;
  input: Planes;
  /** The boxes, by row range × the column ranges + column range. */
  boxes: readonly TapBox[];
  /** Each output row's range of kernel rows, and each output column's range of kernel columns (indexes). */
  rows: Int32Array;
  cols: Int32Array;
  /** How many column ranges there are. */
  ranges: number;
  pad: number;
}

/** The WebAssembly path (conv-simd.ts's compileSimdConv): the output planes of one ungrouped layer. */
export interface SimdConv {
  conv(job: SimdLayer): Float32Array;
}

let simd: SimdConv | undefined;

/** Ungrouped layers run in `engine` from now on (the worker's compileSimdConv), or in JavaScript when undefined. */
export function useSimdConv(engine: SimdConv | undefined): void {
  simd = engine;
}

/** One decoded layer. */
export interface CornerLayer {
  name: string;
  /** Goes up ×2 first and takes this earlier layer's output after its own planes (a U-Net's skip). */
  join?: string;
  cin: number;
  cout: number;
  /** Input planes each output plane reads: all of them, or (depthwise) its own. */
  groups: number;
  k: number;
  stride: number;
  dil: number;
  relu: boolean;
  w: Float32Array;
  b: Float32Array;
  /** The weights cut to a box of taps that stay inside the input, by box (tapBox). */
  cut: Map<number, Float32Array>;
  /** Where a box's taps read, by box and input size (tapBox). */
  taps: Map<number, Int32Array>;
}

export interface TapBox {
  weights: Float32Array;
  offsets: Int32Array;
}

/** Feature planes, one after the other, each h × w. */
export interface Planes {
  data: Float32Array;
  c: number;
  h: number;
  w: number;
}

/** A convolution as PyTorch pads it (padding = dilation × half the kernel), planes first, grouped as PyTorch groups, with ReLU. */
export function conv(input: Planes, layer: CornerLayer): Planes {
  return layer.groups === 1 ? convByTaps(input, layer) : convByPlanes(input, layer);
}

/**
 * An ungrouped convolution as one dot product per output value, read straight from the input planes. Only the taps
 * that land inside the input are summed: PyTorch's padding zeros add nothing, and with a dilation of 8 on a 20 × 15
 * map they are half the taps. A cell's taps form a box (a run of kernel rows by a run of columns); tapBox gives the
 * layer's weights cut to that box and where each tap reads, so the dot is one flat loop. Up to four cells side by
 * side with the same box share a pass. In WebAssembly SIMD (conv-simd.ts) a pass sums four or eight planes at once,
 * in float32; in JavaScript two planes at a time (each weight read serves four cells, each input value two planes;
 * two cells by four planes ran as fast, four by four slower: its 16 sums spill), the sums those of every tap in the
 * weights' order in float64, zeros included: PyTorch's maps, bit for bit.
 */
function convByTaps(input: Planes, layer: CornerLayer): Planes {
  const { cout, k, stride: s, dil: d } = layer;
  const { h, w } = input;
  const pad = d * (k >> 1);
  const rows = tapRanges(h, k, s, d, pad);
  const cols = tapRanges(w, k, s, d, pad);
  const oh = rows.range.length;
  const ow = cols.range.length;
  // Every row's range of kernel rows meets every column's: the boxes are known before the first cell.
  const boxes: TapBox[] = [];
  for (const [ky0, ky1] of rows.ranges)
    for (const [kx0, kx1] of cols.ranges) {
      const box = ((ky0 * (k + 1) + ky1) * (k + 1) + kx0) * (k + 1) + kx1;
      boxes.push(tapBox(layer, w, h, box, ky0, ky1, kx0, kx1));
    }
  if (simd) {
    try {
      const data = simd.conv({ layer, input, boxes, rows: rows.range, cols: cols.range, ranges: cols.ranges.length, pad });
      return { data, c: cout, h: oh, w: ow };
    } catch {
      // Its memory could not grow (a phone short of memory): JavaScript from now on, this layer included.
      simd = undefined;
    }
  }
  const out = new Float32Array(cout * oh * ow);
  for (let oy = 0; oy < oh; oy++) {
    const boxRow = rows.range[oy] * cols.ranges.length;
    const y0 = oy * s - pad;
    for (let ox = 0; ox < ow;) {
      const col = cols.range[ox];
      let n = 1;
      while (n < 4 && ox + n < ow && cols.range[ox + n] === col) n++;
      dotsInJs(layer, boxes[boxRow + col], input.data, y0 * w + ox * s - pad, s, n, out, oy * ow + ox, oh * ow);
      ox += n;
    }
  }
  return { data: out, c: cout, h: oh, w: ow };
}

/**
 * Along one axis of `n` input cells: the distinct ranges of kernel indices whose taps land inside (first, past last),
 * and which range each output cell has.
 */
function tapRanges(n: number, k: number, s: number, d: number, pad: number) {
  const range = new Int32Array(Math.floor((n + 2 * pad - d * (k - 1) - 1) / s) + 1);
  const ranges: [number, number][] = [];
  for (let o = 0; o < range.length; o++) {
    const first = Math.max(0, Math.ceil((pad - o * s) / d));
    const end = Math.min(k, Math.floor((n - 1 + pad - o * s) / d) + 1);
    const known = ranges.findIndex(([a, b]) => a === first && b === end);
    range[o] = known < 0 ? ranges.push([first, end]) - 1 : known;
  }
  return { range, ranges };
}

/** Up to four side-by-side cells (the first at `b0`, `s` apart) of every output plane, in JavaScript. */
function dotsInJs(
  layer: CornerLayer,
  { weights, offsets }: TapBox,
  src: Float32Array,
  b0: number,
  s: number,
  n: number,
  out: Float32Array,
  at: number,
  plane: number,
) {
  const { cout, b: bias, relu } = layer;
  const size = offsets.length;
  // Where each of up to four cells reads from; cells past the n-th read the first's (their sums are not written).
  const b1 = n > 1 ? b0 + s : b0;
  const b2 = n > 2 ? b0 + 2 * s : b0;
  const b3 = n > 3 ? b0 + 3 * s : b0;
  for (let o = 0; o < cout; o += 2) {
    // Four cells, two planes: s0–s3 the first plane's, s4–s7 the second's. A layer's odd last plane reads its own
    // weights twice (the second sums are not written).
    const a0 = o * size;
    const a1 = o + 1 < cout ? a0 + size : a0;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let i = 0; i < size; i++) {
      const w0 = weights[a0 + i];
      const w1 = weights[a1 + i];
      const tap = offsets[i];
      const u0 = src[b0 + tap];
      const u1 = src[b1 + tap];
      const u2 = src[b2 + tap];
      const u3 = src[b3 + tap];
      s0 += w0 * u0;
      s1 += w0 * u1;
      s2 += w0 * u2;
      s3 += w0 * u3;
      s4 += w1 * u0;
      s5 += w1 * u1;
      s6 += w1 * u2;
      s7 += w1 * u3;
    }
    const first = o * plane + at;
    put4(out, first, n, s0 + bias[o], s1 + bias[o], s2 + bias[o], s3 + bias[o], relu);
    if (o + 1 < cout) put4(out, first + plane, n, s4 + bias[o + 1], s5 + bias[o + 1], s6 + bias[o + 1], s7 + bias[o + 1], relu);
  }
}

/**
 * The taps in a box (kernel rows ky0–ky1, columns kx0–kx1, ends excluded; `box` is convByTaps' key for them) on a
 * w × h input: the layer's weights for them (kept per box: at most a few per layer) and where each reads from the
 * cell's top-left tap (kept per box and input size; a camera's crops come in many sizes, so that cache starts again
 * past MAX_KEPT_TAPS).
 */
function tapBox(layer: CornerLayer, w: number, h: number, box: number, ky0: number, ky1: number, kx0: number, kx1: number): TapBox {
  const { cin, cout, k, dil: d } = layer;
  const key = (h * 4096 + w) * (k + 1) ** 4 + box;
  let offsets = layer.taps.get(key);
  if (!offsets) {
    if (layer.taps.size >= MAX_KEPT_TAPS) layer.taps.clear();
    offsets = new Int32Array(cin * (ky1 - ky0) * (kx1 - kx0));
    for (let c = 0, i = 0; c < cin; c++)
      for (let ky = ky0; ky < ky1; ky++) for (let kx = kx0; kx < kx1; kx++, i++) offsets[i] = c * w * h + ky * d * w + kx * d;
    layer.taps.set(key, offsets);
  }
  let weights = ky0 === 0 && kx0 === 0 && ky1 === k && kx1 === k ? layer.w : layer.cut.get(box);
  if (!weights) {
    weights = new Float32Array(cout * offsets.length);
    for (let o = 0, j = 0; o < cout; o++)
      for (let c = 0; c < cin; c++)
        for (let ky = ky0; ky < ky1; ky++) for (let kx = kx0; kx < kx1; kx++) weights[j++] = layer.w[((o * cin + c) * k + ky) * k + kx];
    layer.cut.set(box, weights);
  }
  return { weights, offsets };
}

// Input sizes × boxes whose tap offsets a layer keeps (each at most a few KB).
const MAX_KEPT_TAPS = 256;

function put(out: Float32Array, at: number, value: number, relu: boolean) {
  out[at] = relu && value < 0 ? 0 : value;
}

/** The first `n` of two side-by-side values. */
function put2(out: Float32Array, at: number, n: number, a: number, b: number, relu: boolean) {
  put(out, at, a, relu);
  if (n > 1) put(out, at + 1, b, relu);
}

/** The first `n` of four side-by-side values. */
function put4(out: Float32Array, at: number, n: number, a: number, b: number, c: number, d: number, relu: boolean) {
  put2(out, at, n, a, b, relu);
  if (n > 2) put2(out, at + 2, n - 2, c, d, relu);
}

/** A grouped (depthwise) convolution, plane by plane. */
function convByPlanes(input: Planes, layer: CornerLayer): Planes {
  const { cin, cout, k, stride: s, dil: d, groups } = layer;
  const perGroup = cin / groups;
  const { h, w } = input;
  const pad = d * (k >> 1);
  const oh = Math.floor((h + 2 * pad - d * (k - 1) - 1) / s) + 1;
  const ow = Math.floor((w + 2 * pad - d * (k - 1) - 1) / s) + 1;
  const out = new Float32Array(cout * oh * ow);
  const src = input.data;
  for (let o = 0; o < cout; o++) {
    const base = o * oh * ow;
    out.fill(layer.b[o], base, base + oh * ow);
    const first = Math.floor(o / (cout / groups)) * perGroup;
    for (let g = 0; g < perGroup; g++) {
      const plane = (first + g) * h * w;
      for (let ky = 0; ky < k; ky++) {
        const dy = ky * d - pad;
        for (let kx = 0; kx < k; kx++) {
          const weight = layer.w[((o * perGroup + g) * k + ky) * k + kx];
          if (weight === 0) continue;
          const dx = kx * d - pad;
          const ox0 = Math.max(0, Math.ceil(-dx / s));
          const ox1 = Math.min(ow, Math.floor((w - 1 - dx) / s) + 1);
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * s + dy;
            if (iy < 0 || iy >= h) continue;
            const row = plane + iy * w + dx;
            const orow = base + oy * ow;
            if (s === 1) for (let ox = ox0; ox < ox1; ox++) out[orow + ox] += weight * src[row + ox];
            else for (let ox = ox0; ox < ox1; ox++) out[orow + ox] += weight * src[row + ox * s];
          }
        }
      }
    }
  }
  if (layer.relu) for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0;
  return { data: out, c: cout, h: oh, w: ow };
}
