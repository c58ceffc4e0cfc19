// Pure pixel code shared by the Node fixtures (the fake camera's video) and the browser ones.

/** A separable Gaussian blur of RGB pixels (the σ = 3 "blurred card" fixture); edges repeat the border pixel. */
export function gaussianBlur(rgb, width, height, sigma) {
  const weights = gaussianWeights(sigma);
  const radius = (weights.length - 1) / 2;
  // One pass along `count` lines of `length` pixels: pixels `stride` apart, lines `step` apart.
  const pass = (source, length, stride, count, step) => {
    const out = new Float32Array(source.length);
    for (let line = 0; line < count; line++) {
      const base = line * step;
      for (let i = 0; i < length; i++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let k = -radius; k <= radius; k++) {
          const at = base + (i + k < 0 ? 0 : i + k >= length ? length - 1 : i + k) * stride;
          const w = weights[k + radius];
          r += source[at] * w;
          g += source[at + 1] * w;
          b += source[at + 2] * w;
        }
        const at = base + i * stride;
        out[at] = r;
        out[at + 1] = g;
        out[at + 2] = b;
      }
    }
    return out;
  };
  return pass(pass(rgb, width, 3, height, width * 3), height, width * 3, width, 3);
}

/** The blur's taps, 3 σ either side, summing to one. */
export function gaussianWeights(sigma) {
  const radius = Math.ceil(sigma * 3);
  const kernel = Array.from({ length: radius * 2 + 1 }, (_, k) => Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  return Float32Array.from(kernel, (w) => w / total);
}
