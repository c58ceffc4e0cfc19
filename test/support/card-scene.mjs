// Renders an ID card on a wooden table, in Node, for Chromium's fake camera
// (--use-file-for-fake-video-capture=FILE.y4m). Seeded, so every run writes the same frames.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { seededRandom } from './random.mjs';

/** The card's colours, which tests look for in captures. */
// A little below white: Chromium expands the y4m's range, and a paper white would clip.
export const CARD_RGB = [206, 214, 226];
export const TABLE_RGB = [120, 88, 58];

/**
 * RGB pixels of the scene. The card fills `cardShare` of the frame's limiting side, centred,
 * at ID-1's aspect (85.60 × 53.98 mm), like a card held up to the guide.
 */
export function renderCardScene({ width = 1280, height = 720, cardShare = 0.78, blurSigma = 0, seed = 5 } = {}) {
  const rgb = new Float32Array(width * height * 3);
  const next = seededRandom(seed);
  const phases = Array.from({ length: 6 }, () => next() * Math.PI * 2);
  const aspect = 85.6 / 53.98;
  let cardWidth = width * cardShare;
  let cardHeight = cardWidth / aspect;
  if (cardHeight > height * cardShare) {
    cardHeight = height * cardShare;
    cardWidth = cardHeight * aspect;
  }
  const left = (width - cardWidth) / 2;
  const top = (height - cardHeight) / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      // wood grain
      const grain = Math.sin(y * 0.09 + Math.sin(x * 0.004 + phases[0]) * 3 + phases[1]) * 14 + Math.sin(y * 0.31 + phases[2]) * 5;
      let [r, g, b] = [TABLE_RGB[0] + grain, TABLE_RGB[1] + grain * 0.8, TABLE_RGB[2] + grain * 0.6];
      const u = (x - left) / cardWidth;
      const v = (y - top) / cardHeight;
      if (u >= 0 && u < 1 && v >= 0 && v < 1) {
        [r, g, b] = CARD_RGB;
        if (v < 0.16) [r, g, b] = [45, 93, 159]; // header band
        else if (u > 0.05 && u < 0.3 && v > 0.25 && v < 0.85) [r, g, b] = [185, 164, 143]; // photo
        else if (u > 0.35 && u < 0.92 && v > 0.27 && v < 0.9 && (v - 0.27) % 0.09 < 0.035 && u < 0.65 + ((Math.floor((v - 0.27) / 0.09) * 7) % 10) / 40) {
          [r, g, b] = [34, 34, 34]; // text lines
        } else {
          // fine guilloche rings
          const d = Math.hypot(u - 0.7, (v - 0.6) / aspect) * cardHeight;
          if (d % 6 < 1.2) [r, g, b] = [190, 205, 225];
        }
      }
      const noise = (next() - 0.5) * 6;
      rgb[i] = r + noise;
      rgb[i + 1] = g + noise;
      rgb[i + 2] = b + noise;
    }
  }
  return { width, height, rgb: blurSigma > 0 ? gaussianBlur(rgb, width, height, blurSigma) : rgb, card: { left, top, width: cardWidth, height: cardHeight } };
}

/** A separable Gaussian blur of RGB pixels (the σ = 3 "blurred card" fixture). */
export function gaussianBlur(rgb, width, height, sigma) {
  const radius = Math.ceil(sigma * 3);
  const kernel = Array.from({ length: radius * 2 + 1 }, (_, k) => Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  const weights = kernel.map((w) => w / total);
  const pass = (source, horizontal) => {
    const out = new Float32Array(source.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let k = -radius; k <= radius; k++) {
            const sx = horizontal ? Math.min(width - 1, Math.max(0, x + k)) : x;
            const sy = horizontal ? y : Math.min(height - 1, Math.max(0, y + k));
            sum += source[(sy * width + sx) * 3 + c] * weights[k + radius];
          }
          out[(y * width + x) * 3 + c] = sum;
        }
      }
    }
    return out;
  };
  return pass(pass(rgb, true), false);
}

/** Writes RGB pixels as a 4:2:0 YUV4MPEG2 file with `frames` identical frames. */
export function writeY4m(path, { width, height, rgb }, frames = 2) {
  const clamp = (value) => Math.max(0, Math.min(255, Math.round(value)));
  const y = new Uint8Array(width * height);
  const u = new Uint8Array((width / 2) * (height / 2));
  const v = new Uint8Array((width / 2) * (height / 2));
  for (let i = 0; i < width * height; i++) {
    y[i] = clamp(0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2]);
  }
  for (let cy = 0; cy < height / 2; cy++) {
    for (let cx = 0; cx < width / 2; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const i = ((cy * 2 + dy) * width + cx * 2 + dx) * 3;
        r += rgb[i] / 4;
        g += rgb[i + 1] / 4;
        b += rgb[i + 2] / 4;
      }
      u[cy * (width / 2) + cx] = clamp(-0.1687 * r - 0.3313 * g + 0.5 * b + 128);
      v[cy * (width / 2) + cx] = clamp(0.5 * r - 0.4187 * g - 0.0813 * b + 128);
    }
  }
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, u, v]);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}

/**
 * Chromium flags for a fake camera that films `scene`: writes test/fixtures/generated/NAME.y4m and
 * returns the flags that play it, with the permission prompt answered yes.
 */
export function fakeCameraArgs(name, scene) {
  const file = new URL(`../fixtures/generated/${name}.y4m`, import.meta.url).pathname;
  writeY4m(file, scene);
  return ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${file}`];
}
