// Renders an ID card on a wooden table, in Node, for Chromium's fake camera
// (--use-file-for-fake-video-capture=FILE.y4m). Seeded, so every run writes the same frames.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gaussianBlur } from './blur.mjs';
import { seededRandom } from './random.mjs';

export { gaussianBlur };

/** The card's colours, which tests look for in captures. */
// A little below white: Chromium expands the y4m's range, and a paper white would clip.
export const CARD_RGB = [206, 214, 226];
export const TABLE_RGB = [120, 88, 58];

/** The wooden table's colour at a pixel: grain along the rows, from six seeded phases. */
function woodAt(x, y, phases, base = TABLE_RGB) {
  const grain = Math.sin(y * 0.09 + Math.sin(x * 0.004 + phases[0]) * 3 + phases[1]) * 14 + Math.sin(y * 0.31 + phases[2]) * 5;
  return [base[0] + grain, base[1] + grain * 0.8, base[2] + grain * 0.6];
}

/**
 * An ID-1 card's colour at (u, v) in [0, 1)²: header band, photo, text lines and fine guilloche
 * rings whose spacing is in pixels of a card `cardHeight` pixels tall.
 */
function idCardAt(u, v, cardHeight, base = CARD_RGB) {
  const aspect = 85.6 / 53.98;
  if (v < 0.16) return [45, 93, 159]; // header band
  if (u > 0.05 && u < 0.3 && v > 0.25 && v < 0.85) return [185, 164, 143]; // photo
  if (
    u > 0.35 &&
    u < 0.92 &&
    v > 0.27 &&
    v < 0.9 &&
    (v - 0.27) % 0.09 < 0.035 &&
    u < 0.65 + ((Math.floor((v - 0.27) / 0.09) * 7) % 10) / 40
  ) {
    return [34, 34, 34]; // text lines
  }
  const d = Math.hypot(u - 0.7, (v - 0.6) / aspect) * cardHeight;
  if (d % 6 < 1.2) return [190, 205, 225]; // guilloche
  return base;
}

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
      let [r, g, b] = woodAt(x, y, phases);
      const u = (x - left) / cardWidth;
      const v = (y - top) / cardHeight;
      if (u >= 0 && u < 1 && v >= 0 && v < 1) [r, g, b] = idCardAt(u, v, cardHeight);
      const noise = (next() - 0.5) * 6;
      rgb[i] = r + noise;
      rgb[i + 1] = g + noise;
      rgb[i + 2] = b + noise;
    }
  }
  return {
    width,
    height,
    rgb: blurSigma > 0 ? gaussianBlur(rgb, width, height, blurSigma) : rgb,
    card: { left, top, width: cardWidth, height: cardHeight },
  };
}

/** One RGB image as a 4:2:0 YUV4MPEG2 frame (BT.601, full range, as Chromium's fake camera reads it). */
function y4mFrame({ width, height, rgb }) {
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
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ]) {
        const i = ((cy * 2 + dy) * width + cx * 2 + dx) * 3;
        r += rgb[i] / 4;
        g += rgb[i + 1] / 4;
        b += rgb[i + 2] / 4;
      }
      u[cy * (width / 2) + cx] = clamp(-0.1687 * r - 0.3313 * g + 0.5 * b + 128);
      v[cy * (width / 2) + cx] = clamp(0.5 * r - 0.4187 * g - 0.0813 * b + 128);
    }
  }
  return Buffer.concat([Buffer.from('FRAME\n'), y, u, v]);
}

/** Writes RGB pixels as a 4:2:0 YUV4MPEG2 file with `frames` identical frames. */
export function writeY4m(path, image, frames = 2) {
  writeY4mVideo(path, [{ image, frames }]);
}

/** Writes a y4m video: each shot's image held for its `frames` frames, at `fps`. Chromium loops it from the start of each capture. */
export function writeY4mVideo(path, shots, fps = 30) {
  const { width, height } = shots[0].image;
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  const parts = [header];
  for (const { image, frames } of shots) {
    const frame = y4mFrame(image);
    for (let i = 0; i < frames; i++) parts.push(frame);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.concat(parts));
}

// ---------------------------------------------------------------------------------------------
// Scenes with known corners, for the corner detector's benchmark and the moving fake camera:
// a document under a real perspective (a pinhole camera of about 65° across), on varied
// backgrounds, with a thumb, glare, motion blur and sensor noise. Seeded throughout.

/** Width / height of the documents the widget knows, and of the look-alikes that are not one. */
export const SCENE_ASPECT = { 'id-card': 85.6 / 53.98, passport: 125 / 88 };
export const BACKGROUNDS = ['wood', 'carpet', 'tablecloth', 'keyboard', 'same-colour', 'dark-desk'];
const deg = Math.PI / 180;

/**
 * The homography taking the unit square's corners (0,0) (1,0) (1,1) (0,1) to the quad's, as a 3×3 row-major array.
 * Written apart from src/quality/corners/perspective.ts on purpose: the yardstick shares no code with what it measures
 * (and this file runs in plain Node, for the test runner's config, where a .ts import would not load).
 */
export function squareToQuad(q) {
  const [p0, p1, p2, p3] = q;
  const sx = p0.x - p1.x + p2.x - p3.x;
  const sy = p0.y - p1.y + p2.y - p3.y;
  const dx1 = p1.x - p2.x;
  const dx2 = p3.x - p2.x;
  const dy1 = p1.y - p2.y;
  const dy2 = p3.y - p2.y;
  const den = dx1 * dy2 - dx2 * dy1;
  const g = (sx * dy2 - dx2 * sy) / den;
  const h = (dx1 * sy - sx * dy1) / den;
  return [p1.x - p0.x + g * p1.x, p3.x - p0.x + h * p3.x, p0.x, p1.y - p0.y + g * p1.y, p3.y - p0.y + h * p3.y, p0.y, g, h, 1];
}

function invert3(m) {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    -(a * f - c * d) / det,
    C / det,
    -(a * h - b * g) / det,
    (a * e - b * d) / det,
  ];
}

/**
 * The image corners (top-left, top-right, bottom-right, bottom-left) of a `aspect`:1 rectangle
 * seen by a camera of focal length `focal` px: tilted by `tilt` degrees towards `direction`,
 * turned by `roll` degrees in its plane, at `distance` (in rectangle heights), its centre moved
 * by (`shiftX`, `shiftY`) pixels from the frame's centre.
 */
export function projectRectangle({
  width,
  height,
  aspect,
  tilt = 0,
  direction = 0,
  roll = 0,
  distance = 3,
  shiftX = 0,
  shiftY = 0,
  focal = width * 0.75,
}) {
  const pitch = tilt * Math.cos(direction * deg) * deg;
  const yaw = tilt * Math.sin(direction * deg) * deg;
  const r = roll * deg;
  const corners = [
    [-aspect / 2, -0.5],
    [aspect / 2, -0.5],
    [aspect / 2, 0.5],
    [-aspect / 2, 0.5],
  ];
  return corners.map(([x0, y0]) => {
    // roll in the plane, then yaw (about y) and pitch (about x)
    let x = x0 * Math.cos(r) - y0 * Math.sin(r);
    let y = x0 * Math.sin(r) + y0 * Math.cos(r);
    let z = 0;
    [x, z] = [x * Math.cos(yaw) + z * Math.sin(yaw), -x * Math.sin(yaw) + z * Math.cos(yaw)];
    [y, z] = [y * Math.cos(pitch) - z * Math.sin(pitch), y * Math.sin(pitch) + z * Math.cos(pitch)];
    const Z = z + distance;
    const X = x + (shiftX * distance) / focal;
    const Y = y + (shiftY * distance) / focal;
    return { x: width / 2 + (focal * X) / Z, y: height / 2 + (focal * Y) / Z };
  });
}

function polygonArea(q) {
  let area = 0;
  for (let i = 0; i < q.length; i++) area += q[i].x * q[(i + 1) % q.length].y - q[(i + 1) % q.length].x * q[i].y;
  return Math.abs(area) / 2;
}

/** A background painter (x, y) → [r, g, b], with its own seeded parameters. */
function backgroundPainter(kind, next) {
  const phases = Array.from({ length: 6 }, () => next() * Math.PI * 2);
  const pick = (list) => list[Math.floor(next() * list.length)];
  switch (kind) {
    case 'wood': {
      const base = pick([TABLE_RGB, [150, 110, 70], [95, 65, 45], [170, 135, 95]]);
      return (x, y) => woodAt(x, y, phases, base);
    }
    case 'carpet': {
      const base = pick([
        [90, 90, 100],
        [120, 70, 60],
        [70, 95, 80],
        [150, 140, 125],
      ]);
      const cell = 3 + Math.floor(next() * 3);
      const grid = Float32Array.from({ length: 4096 }, () => next() - 0.5);
      return (x, y) => {
        const n =
          grid[((Math.floor(x / cell) * 73856093) ^ (Math.floor(y / cell) * 19349663)) & 4095] * 40 +
          grid[((x * 83492791) ^ (y * 2654435761)) & 4095] * 30;
        return [base[0] + n, base[1] + n, base[2] + n];
      };
    }
    case 'tablecloth': {
      const period = 14 + next() * 20;
      const angle = (next() - 0.5) * 30 * deg;
      const colour = pick([
        [200, 40, 40],
        [40, 80, 170],
        [40, 130, 60],
        [220, 160, 30],
      ]);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      return (x, y) => {
        const a = ((x * c + y * s) / period) % 1 < 0.5 ? 1 : 0;
        const b = ((y * c - x * s) / period) % 1 < 0.5 ? 1 : 0;
        const k = (a + b) / 2; // white, half-tone, full colour
        return [245 - (245 - colour[0]) * k, 245 - (245 - colour[1]) * k, 245 - (245 - colour[2]) * k];
      };
    }
    case 'keyboard': {
      const pitch = 16 + next() * 14;
      const gap = 2.5 + next() * 2;
      const angle = (next() - 0.5) * 20 * deg;
      const light = next() < 0.5;
      const key = light ? [205, 205, 210] : [55, 55, 60];
      const gutter = light ? [150, 150, 158] : [15, 15, 18];
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      return (x, y) => {
        const u = x * c + y * s;
        const v = y * c - x * s;
        const row = Math.floor(v / pitch);
        const col = (u + row * pitch * 0.25) / pitch;
        const inKey = (col % 1) * pitch > gap && ((v % pitch) + pitch) % pitch > gap;
        const label = inKey && Math.abs((col % 1) - 0.55) < 0.12 && Math.abs((((v % pitch) + pitch) % pitch) / pitch - 0.55) < 0.12;
        if (label) return light ? [60, 60, 60] : [200, 200, 200];
        return inKey ? key : gutter;
      };
    }
    case 'same-colour': {
      // The card's own colour: the only cues are a faint shadow and the card's contents.
      const base = CARD_RGB.map((v) => v + (next() - 0.5) * 6);
      return (x, y) => {
        const n = Math.sin(x * 0.05 + phases[0]) * 2 + Math.sin(y * 0.07 + phases[1]) * 2;
        return [base[0] + n, base[1] + n, base[2] + n];
      };
    }
    case 'dark-desk':
    default: {
      const base = 22 + next() * 20;
      return (x, y) => {
        const n = Math.sin(x * 0.013 + phases[0]) * 4 + Math.sin((x + y) * 0.021 + phases[1]) * 3;
        return [base + n, base + n + 2, base + n + 4];
      };
    }
  }
}

/** A TD3 passport data page: photo on the left, text on the right, two MRZ lines at the bottom. */
function passportAt(u, v, cardHeight) {
  if (u > 0.04 && u < 0.3 && v > 0.14 && v < 0.68) return [170, 150, 135];
  if (v > 0.78 && v < 0.95 && u > 0.04 && u < 0.96 && (v - 0.78) % 0.09 < 0.045 && (u * 44) % 1 < 0.7) return [30, 30, 35];
  if (u > 0.35 && u < 0.9 && v > 0.14 && v < 0.7 && (v - 0.14) % 0.08 < 0.028 && u < 0.6 + ((Math.floor((v - 0.14) / 0.08) * 7) % 10) / 30)
    return [60, 50, 70];
  const d = Math.hypot(u - 0.6, (v - 0.4) / 1.42) * cardHeight;
  if (d % 7 < 1.3) return [205, 190, 205];
  return [226, 215, 222];
}

function paperAt(u, v) {
  if (u > 0.1 && u < 0.9 && v > 0.08 && v < 0.92 && (v * 40) % 1 < 0.3 && u < 0.55 + ((Math.floor(v * 40) * 13) % 7) / 18)
    return [70, 70, 80];
  return [236, 236, 232];
}

function phoneAt(u, v, aspect) {
  const bx = 0.03;
  const by = 0.03 * aspect;
  const inScreen = u > bx && u < 1 - bx && v > by && v < 1 - by;
  return inScreen ? [18 + u * 8, 20 + u * 8, 26 + u * 8] : [6, 6, 8];
}

function bookAt(u, v, colour) {
  if (u > 0.95) return [230, 220, 195]; // the page block's edge
  if (v > 0.15 && v < 0.3 && u > 0.12 && u < 0.85) return [240, 230, 200]; // title band
  if (v > 0.2 && v < 0.25 && u > 0.2 && u < 0.75 && (u * 30) % 1 < 0.6) return [40, 30, 30];
  return colour;
}

/**
 * One benchmark scene's description, drawn from `next`: a document (or a look-alike, or nothing)
 * under a random perspective, on a named background, with its degradations.
 */
export function describeScene(next, { width = 640, height = 480, withCard = true, index = 0 } = {}) {
  const pick = (list) => list[Math.floor(next() * list.length)];
  const documentType = next() < 0.6 ? 'id-card' : 'passport';
  const background = BACKGROUNDS[index % BACKGROUNDS.length];
  const scene = { width, height, documentType, background, seed: Math.floor(next() * 2 ** 31) };
  let kind = withCard ? documentType : pick(['nothing', 'paper', 'phone', 'book']);
  if (!withCard) scene.background = pick(BACKGROUNDS);
  scene.kind = kind;
  if (kind === 'nothing') return scene;
  // The look-alikes: a shape that is not the document's.
  const aspect =
    kind === 'paper'
      ? pick([1 / Math.SQRT2, 8.5 / 11, documentType === 'id-card' ? 1.294 : 1.78])
      : kind === 'phone'
        ? pick([19.5 / 9, 9 / 19.5])
        : kind === 'book'
          ? pick([0.66, 0.7, 0.75])
          : SCENE_ASPECT[kind];
  const targetArea = withCard ? 0.25 + next() * 0.65 : 0.2 + next() * 0.5;
  const tilt = next() * 35;
  const direction = next() * 360;
  const roll = (next() - 0.5) * 40;
  // Find the distance that gives the target area, then move the centre as far as the frame allows.
  let distance = 3;
  let corners;
  for (let attempt = 0; attempt < 8; attempt++) {
    for (let k = 0; k < 5; k++) {
      corners = projectRectangle({ width, height, aspect, tilt, direction, roll, distance });
      distance *= Math.sqrt(polygonArea(corners) / (width * height * targetArea * (1 - attempt * 0.06)));
    }
    corners = projectRectangle({ width, height, aspect, tilt, direction, roll, distance });
    const xs = corners.map((p) => p.x);
    const ys = corners.map((p) => p.y);
    const roomX = width - 6 - (Math.max(...xs) - Math.min(...xs));
    const roomY = height - 6 - (Math.max(...ys) - Math.min(...ys));
    if (roomX < 0 || roomY < 0) continue;
    const shiftX = 3 + roomX * next() - Math.min(...xs);
    const shiftY = 3 + roomY * next() - Math.min(...ys);
    const moved = projectRectangle({ width, height, aspect, tilt, direction, roll, distance, shiftX, shiftY });
    if (moved.every((p) => p.x > 2 && p.y > 2 && p.x < width - 3 && p.y < height - 3)) {
      corners = moved;
      break;
    }
    corners = corners.map((p) => ({ x: p.x + shiftX, y: p.y + shiftY }));
    if (corners.every((p) => p.x > 2 && p.y > 2 && p.x < width - 3 && p.y < height - 3)) break;
  }
  Object.assign(scene, { aspect, corners, tilt, roll, area: polygonArea(corners) / (width * height) });
  if (withCard) {
    if (next() < 0.25) scene.thumb = { corner: Math.floor(next() * 4), size: 0.07 + next() * 0.05 };
    if (next() < 0.25) scene.glare = { u: 0.25 + next() * 0.5, v: 0.25 + next() * 0.5, size: 0.03 + next() * 0.05 };
  }
  if (next() < 0.5) scene.motionBlur = { length: 1 + next() * 2, angle: next() * 180 };
  if (next() < 0.7) scene.jpegQuality = Math.round(35 + next() * 50);
  return scene;
}

/**
 * Paints a described scene: RGB floats plus the true corners. A soft shadow lies under the
 * document (a card on a table casts one), the edge is anti-aliased, and sensor noise is added.
 */
export function renderScene(scene) {
  const { width, height } = scene;
  const next = seededRandom(scene.seed);
  const paint = backgroundPainter(scene.background, next);
  const rgb = new Float32Array(width * height * 3);
  const corners = scene.corners;
  const inverse = corners ? invert3(squareToQuad(corners)) : undefined;
  const diagonal = corners ? Math.hypot(corners[2].x - corners[0].x, corners[2].y - corners[0].y) : 0;
  const sideU = corners
    ? (Math.hypot(corners[1].x - corners[0].x, corners[1].y - corners[0].y) +
        Math.hypot(corners[2].x - corners[3].x, corners[2].y - corners[3].y)) /
      2
    : 1;
  const sideV = corners
    ? (Math.hypot(corners[3].x - corners[0].x, corners[3].y - corners[0].y) +
        Math.hypot(corners[2].x - corners[1].x, corners[2].y - corners[1].y)) /
      2
    : 1;
  const bookColour = [
    [120, 30, 40],
    [30, 60, 110],
    [200, 170, 60],
    [40, 90, 60],
  ][Math.floor(next() * 4)];
  const surface = (u, v) => {
    switch (scene.kind) {
      case 'id-card':
        return idCardAt(u, v, sideV);
      case 'passport':
        return passportAt(u, v, sideV);
      case 'paper':
        return paperAt(u, v);
      case 'phone':
        return phoneAt(u, v, scene.aspect);
      default:
        return bookAt(u, v, bookColour);
    }
  };
  const toSquare = (x, y) => {
    const w = inverse[6] * x + inverse[7] * y + inverse[8];
    return [(inverse[0] * x + inverse[1] * y + inverse[2]) / w, (inverse[3] * x + inverse[4] * y + inverse[5]) / w];
  };
  const shadowU = 3.5 / sideU;
  const shadowV = 3.5 / sideV;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let colour = paint(x, y);
      if (inverse) {
        const [u, v] = toSquare(x, y);
        const nearU = u > -shadowU && u < 1 + shadowU && v > -shadowV && v < 1 + shadowV;
        if (nearU) {
          // 4×4 supersampling near the edge; one sample inside.
          const edge = u < 2 / sideU || v < 2 / sideV || u > 1 - 2 / sideU || v > 1 - 2 / sideV;
          let inside = 0;
          const mix = [0, 0, 0];
          const n = edge ? 4 : 1;
          for (let sy = 0; sy < n; sy++) {
            for (let sx = 0; sx < n; sx++) {
              const [su, sv] = edge ? toSquare(x - 0.5 + (sx + 0.5) / n, y - 0.5 + (sy + 0.5) / n) : [u, v];
              if (su >= 0 && su < 1 && sv >= 0 && sv < 1) {
                const c = surface(su, sv);
                mix[0] += c[0];
                mix[1] += c[1];
                mix[2] += c[2];
                inside++;
              }
            }
          }
          const total = n * n;
          // Outside: the shadow, darkest at the edge.
          const du = Math.max(0, -u / shadowU, (u - 1) / shadowU);
          const dv = Math.max(0, -v / shadowV, (v - 1) / shadowV);
          const shade = 1 - 0.22 * (1 - Math.min(1, Math.max(du, dv)));
          const outside = colour.map((c) => c * shade);
          colour = [0, 1, 2].map((c) => (mix[c] + outside[c] * (total - inside)) / total);
        }
      }
      const i = (y * width + x) * 3;
      rgb[i] = colour[0];
      rgb[i + 1] = colour[1];
      rgb[i + 2] = colour[2];
    }
  }
  if (scene.glare) {
    const square = squareToQuad(corners);
    const g = scene.glare;
    const w = square[6] * g.u + square[7] * g.v + 1;
    const gx = (square[0] * g.u + square[1] * g.v + square[2]) / w;
    const gy = (square[3] * g.u + square[4] * g.v + square[5]) / w;
    const radius = g.size * diagonal;
    for (let y = Math.max(0, Math.floor(gy - 3 * radius)); y < Math.min(height, gy + 3 * radius); y++) {
      for (let x = Math.max(0, Math.floor(gx - 3 * radius)); x < Math.min(width, gx + 3 * radius); x++) {
        const add = 260 * Math.exp(-((x - gx) ** 2 + (y - gy) ** 2) / (2 * radius * radius));
        for (let c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] += add;
      }
    }
  }
  if (scene.thumb) {
    // An ellipse of skin over one corner, its long axis along the card's diagonal.
    const corner = corners[scene.thumb.corner];
    const centre = corners[(scene.thumb.corner + 2) % 4];
    const ux = (centre.x - corner.x) / diagonal;
    const uy = (centre.y - corner.y) / diagonal;
    const cx = corner.x + ux * diagonal * 0.02;
    const cy = corner.y + uy * diagonal * 0.02;
    const a = scene.thumb.size * diagonal * 1.4;
    const b = scene.thumb.size * diagonal;
    for (let y = Math.max(0, Math.floor(cy - a)); y < Math.min(height, cy + a); y++) {
      for (let x = Math.max(0, Math.floor(cx - a)); x < Math.min(width, cx + a); x++) {
        const along = (x - cx) * ux + (y - cy) * uy;
        const across = -(x - cx) * uy + (y - cy) * ux;
        const d = (along / a) ** 2 + (across / b) ** 2;
        if (d < 1) {
          const i = (y * width + x) * 3;
          const shade = 1 - 0.25 * d;
          rgb[i] = 205 * shade;
          rgb[i + 1] = 150 * shade;
          rgb[i + 2] = 120 * shade;
        }
      }
    }
  }
  let out = rgb;
  if (scene.motionBlur) out = motionBlur(rgb, width, height, scene.motionBlur.length, scene.motionBlur.angle);
  for (let i = 0; i < out.length; i += 3) {
    const noise = (next() - 0.5) * 8;
    out[i] += noise;
    out[i + 1] += noise;
    out[i + 2] += noise;
  }
  return { width, height, rgb: out, corners };
}

/** A linear motion blur of `length` pixels at `angle` degrees (bilinear taps along the path). */
function motionBlur(rgb, width, height, length, angle) {
  const taps = Math.max(2, Math.ceil(length) + 1);
  const dx = Math.cos(angle * deg) * length;
  const dy = Math.sin(angle * deg) * length;
  const out = new Float32Array(rgb.length);
  for (let k = 0; k < taps; k++) {
    const t = k / (taps - 1) - 0.5;
    const ox = Math.round(dx * t);
    const oy = Math.round(dy * t);
    for (let y = 0; y < height; y++) {
      const sy = Math.min(height - 1, Math.max(0, y + oy));
      for (let x = 0; x < width; x++) {
        const sx = Math.min(width - 1, Math.max(0, x + ox));
        const i = (y * width + x) * 3;
        const j = (sy * width + sx) * 3;
        out[i] += rgb[j] / taps;
        out[i + 1] += rgb[j + 1] / taps;
        out[i + 2] += rgb[j + 2] / taps;
      }
    }
  }
  return out;
}

/** The benchmark's scenes: `cards` with a document (ID-1 and TD3, each background in turn) and `empty` without. */
export function sceneSet({ seed = 17, cards = 300, empty = 60, width = 640, height = 480 } = {}) {
  const next = seededRandom(seed);
  const scenes = [];
  for (let i = 0; i < cards; i++) scenes.push(describeScene(next, { width, height, withCard: true, index: i }));
  for (let i = 0; i < empty; i++) scenes.push(describeScene(next, { width, height, withCard: false, index: i }));
  return scenes;
}

/** Grey pixels (BT.601, as the widget's toGray) of RGB floats, clamped to bytes, with toGray's blue-minus-red chroma plane. */
export function toGrayBytes({ width, height, rgb }) {
  const data = new Uint8Array(width * height);
  const chroma = new Uint8Array(width * height);
  for (let j = 0, i = 0; j < data.length; j++, i += 3) {
    const r = Math.max(0, Math.min(255, Math.round(rgb[i])));
    const g = Math.max(0, Math.min(255, Math.round(rgb[i + 1])));
    const b = Math.max(0, Math.min(255, Math.round(rgb[i + 2])));
    data[j] = (r * 77 + g * 150 + b * 29) >> 8;
    chroma[j] = (b - r + 256) >> 1;
  }
  return { width, height, data, chroma };
}

/**
 * Renders the moving fake camera's shots (test/support/moving-card.mjs) on a wooden table: each
 * shot's card from its pose or its corners, or the bare table. `withCard: false` films the table alone.
 */
export function renderMovingShots(shots, { width, height, distance, withCard = true, seed = 41 }) {
  return shots.map((shot) => {
    const scene = { width, height, kind: 'id-card', documentType: 'id-card', background: 'wood', seed };
    if (withCard && (shot.pose || shot.corners)) {
      scene.corners = shot.corners ?? projectRectangle({ width, height, aspect: SCENE_ASPECT['id-card'], distance, ...shot.pose });
    } else {
      scene.kind = 'nothing';
    }
    return { image: renderScene(scene), frames: shot.frames };
  });
}

/**
 * Chromium flags for a fake camera that films `scene`: writes test/fixtures/generated/NAME.y4m and
 * returns the flags that play it, with the permission prompt answered yes.
 */
export function fakeCameraArgs(name, scene) {
  const file = new URL(`../fixtures/generated/${name}.y4m`, import.meta.url).pathname;
  writeY4m(file, scene);
  return fakeCameraFlags(file);
}

/** Chromium flags for a fake camera that plays a .y4m file, with the permission prompt answered yes. */
export function fakeCameraFlags(file) {
  return ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${file}`];
}
