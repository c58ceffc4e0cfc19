// Realistic corner scenes: ID-1 cards (85.60 × 53.98 mm, 3.18 mm corner radius, 0.76 mm thick)
// with guilloche, portrait, chip, text and MRZ, seen by a phone camera (about 65° across) at any
// roll and up to 35° of tilt, on real photographic surfaces from Debian's packages, held with a
// thumb over an edge, under drop and cast shadows, glare, vignetting, defocus and motion blur,
// sensor noise and JPEG; and look-alikes with no card: picture frames, paperbacks, card-sized
// boxes, printed sheets, phones and keyboards. Seeded: a scene is a function of its split and index.
// Shares no code with card-scene.mjs (the flat-colour benchmark), on purpose.
import { gaussianBlurSimd } from './blur-simd.mjs';
import { seededRandom } from './random.mjs';

export const WIDTH = 640;
export const HEIGHT = 480;
/** ID-1 in mm. */
export const CARD_W = 85.6;
export const CARD_H = 53.98;
const CARD_R = 3.18;
/** A phone's field of view: focal length in pixels for a 640 px frame (about 65° across). */
const FOCAL = 0.8 * WIDTH;

/** Seeds of the splits: `tune` is what thresholds are chosen on, `test` is held out, `train` feeds the learned model. */
export const SPLITS = { tune: 1009, test: 2003, train: 3001 };
export const LOOKALIKES = ['frame', 'book', 'box', 'sheet', 'phone', 'keyboard'];

const clamp = (v, lo, hi) => (v < lo ? lo : v > hi ? hi : v);

/**
 * `a % m` for an integer `m`, to the bit, without the slow floating-point remainder in the common case: subtracting
 * an integer from a double (under 2 ** 53) of at least its size is exact, so a few subtractions give the same value.
 */
function exactMod(a, m) {
  if (a >= 0 ? a < m : a > -m) return a;
  if (a > 8 * m || a < -8 * m) return a % m;
  if (a > 0) while (a >= m) a -= m;
  else while (a <= -m) a += m;
  return a;
}

function tools(seed) {
  const next = seededRandom(seed);
  const uniform = (a, b) => a + (b - a) * next();
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return { next, uniform, pick, chance, gauss };
}

/** A texture (RGB floats) with smaller copies, so a small object is sampled without aliasing. */
function texture(width, height) {
  return { width, height, rgb: new Float32Array(width * height * 3) };
}
function withMips(tex) {
  const levels = [tex];
  let t = tex;
  while (t.width > 48 && t.height > 32) {
    const w = t.width >> 1;
    const h = t.height >> 1;
    const out = texture(w, h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 3; c++) {
          const a = (2 * y * t.width + 2 * x) * 3 + c;
          out.rgb[(y * w + x) * 3 + c] = (t.rgb[a] + t.rgb[a + 3] + t.rgb[a + t.width * 3] + t.rgb[a + t.width * 3 + 3]) / 4;
        }
    levels.push((t = out));
  }
  return levels;
}

// ---------- painting on textures ----------
function fillRect(tex, x0, y0, x1, y1, color, alpha = 1) {
  const { width, height, rgb } = tex;
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y1)); y++)
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x1)); x++) {
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) rgb[i + c] += (color[c] - rgb[i + c]) * alpha;
    }
}
function fillEllipse(tex, cx, cy, rx, ry, color, alpha = 1) {
  const { width, height, rgb } = tex;
  for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(height, Math.ceil(cy + ry)); y++)
    for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(width, Math.ceil(cx + rx)); x++) {
      const d = ((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2;
      if (d > 1) continue;
      const i = (y * width + x) * 3;
      const a = alpha * clamp((1 - d) * rx * 0.5, 0, 1);
      for (let c = 0; c < 3; c++) rgb[i + c] += (color[c] - rgb[i + c]) * a;
    }
}
/** A line of glyph-like marks: strokes in character cells, words split by spaces. */
function textLine(t, tex, x, y, h, chars, color, { mono = false } = {}) {
  const cw = h * (mono ? 0.72 : 0.62);
  let cx = x;
  for (let k = 0; k < chars; k++) {
    if (!mono && t.chance(0.16)) {
      cx += cw;
      continue;
    }
    if (mono && t.chance(0.3)) {
      // MRZ filler '<': a small chevron.
      fillRect(tex, cx + cw * 0.25, y + h * 0.45, cx + cw * 0.7, y + h * 0.58, color);
      cx += cw;
      continue;
    }
    const s = Math.max(1, h * 0.16);
    const strokes = 2 + Math.floor(t.next() * 3);
    for (let k2 = 0; k2 < strokes; k2++) {
      if (t.chance(0.5)) {
        const sx = cx + t.uniform(0.05, 0.6) * cw;
        fillRect(tex, sx, y + t.uniform(0, 0.3) * h, sx + s, y + t.uniform(0.7, 1) * h, color);
      } else {
        const sy = y + t.pick([0.02, 0.45, 0.85]) * h;
        fillRect(tex, cx + 0.05 * cw, sy, cx + t.uniform(0.5, 0.8) * cw, sy + s, color);
      }
    }
    cx += cw;
  }
  return cx;
}
const hsl = (h, s, l) => {
  const a = s * Math.min(l, 1 - l);
  const f = (n) => {
    const k = (n + h / 30) % 12;
    return 255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1)));
  };
  return [f(0), f(8), f(4)];
};

function portrait(t, tex, x0, y0, w, h, grey = false) {
  fillRect(
    tex,
    x0,
    y0,
    x0 + w,
    y0 + h,
    t.pick([
      [200, 210, 222],
      [225, 225, 220],
      [180, 195, 210],
      [235, 232, 225],
    ]),
  );
  const skin = t.pick([
    [224, 182, 150],
    [198, 150, 112],
    [150, 104, 76],
    [96, 66, 50],
    [236, 200, 176],
  ]);
  const hair = t.pick([
    [40, 30, 25],
    [90, 60, 35],
    [20, 20, 20],
    [170, 140, 90],
    [120, 110, 100],
  ]);
  const cloth = t.pick([
    [30, 40, 70],
    [60, 60, 60],
    [120, 30, 40],
    [230, 230, 230],
    [40, 70, 50],
  ]);
  const mix = (c) => (grey ? [0, 1, 2].map(() => c[0] * 0.3 + c[1] * 0.59 + c[2] * 0.11) : c);
  fillEllipse(tex, x0 + w / 2, y0 + h * 1.02, w * 0.55, h * 0.3, mix(cloth));
  fillRect(tex, x0 + w * 0.42, y0 + h * 0.6, x0 + w * 0.58, y0 + h * 0.78, mix(skin));
  fillEllipse(tex, x0 + w / 2, y0 + h * 0.36, w * 0.3, h * 0.26, mix(hair));
  fillEllipse(tex, x0 + w / 2, y0 + h * 0.44, w * 0.24, h * 0.24, mix(skin));
  for (const ex of [0.4, 0.6]) fillEllipse(tex, x0 + w * ex, y0 + h * 0.42, w * 0.035, h * 0.02, [40, 30, 30]);
  fillRect(tex, x0 + w * 0.44, y0 + h * 0.56, x0 + w * 0.56, y0 + h * 0.575, mix([150, 80, 80]));
}

function guilloche(t, tex, tint, strength) {
  const { width, height, rgb } = tex;
  const cx = t.uniform(0.2, 0.8) * width;
  const cy = t.uniform(0.2, 0.8) * height;
  const k = t.uniform(0.25, 0.6);
  const petals = Math.floor(t.uniform(5, 14));
  const amp = t.uniform(3, 12);
  const wave = t.uniform(0.02, 0.06);
  const spacing = t.uniform(5, 9);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const d = Math.hypot(x - cx, y - cy);
      const a = Math.atan2(y - cy, x - cx);
      const ring = Math.abs(Math.sin((d + amp * Math.sin(petals * a)) * k));
      const lines = Math.abs(Math.sin(((y + amp * Math.sin(x * wave)) / spacing) * Math.PI));
      const v = Math.max(ring < 0.18 ? 1 - ring / 0.18 : 0, lines < 0.12 ? (1 - lines / 0.12) * 0.6 : 0) * strength;
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) rgb[i + c] += (tint[c] - rgb[i + c]) * v;
    }
}

/** The card design's base luminance (its first draws), without painting it. */
function cardTone(seed) {
  const t = tools(seed);
  const light = t.chance(0.75);
  const hue = t.uniform(0, 360);
  const base = light ? hsl(hue, t.uniform(0.1, 0.5), t.uniform(0.8, 0.93)) : hsl(hue, t.uniform(0.3, 0.7), t.uniform(0.25, 0.5));
  return 0.299 * base[0] + 0.587 * base[1] + 0.114 * base[2];
}

/** An ID-1 card's face at 6 px per mm: front (portrait, chip, fields) or back (MRZ). */
function cardFace(seed) {
  const t = tools(seed);
  const tex = texture(512, 323);
  const light = t.chance(0.75);
  const hue = t.uniform(0, 360);
  const base = light ? hsl(hue, t.uniform(0.1, 0.5), t.uniform(0.8, 0.93)) : hsl(hue, t.uniform(0.3, 0.7), t.uniform(0.25, 0.5));
  const ink = light ? [30, 30, 40] : [240, 240, 240];
  // A soft gradient across the card, then guilloche in a near tint.
  const base2 = base.map((v) => clamp(v + t.uniform(-25, 25), 0, 255));
  for (let y = 0; y < tex.height; y++)
    for (let x = 0; x < tex.width; x++) {
      const f = (x / tex.width + y / tex.height) / 2;
      for (let c = 0; c < 3; c++) tex.rgb[(y * tex.width + x) * 3 + c] = base[c] * (1 - f) + base2[c] * f;
    }
  guilloche(t, tex, light ? hsl(hue + t.uniform(-40, 40), 0.5, 0.6) : hsl(hue, 0.5, 0.7), t.uniform(0.25, 0.6));
  const back = t.chance(0.35);
  let top = 0;
  if (t.chance(0.55)) {
    top = tex.height * t.uniform(0.1, 0.18);
    fillRect(tex, 0, 0, tex.width, top, hsl(t.uniform(0, 360), t.uniform(0.4, 0.8), t.uniform(0.25, 0.5)));
    textLine(t, tex, tex.width * 0.25, top * 0.3, top * 0.4, 22, [240, 240, 240]);
  } else textLine(t, tex, tex.width * 0.08, 14, 16, 26, ink);
  if (back) {
    if (t.chance(0.4)) {
      // Chip on the back, or a barcode.
      fillRect(tex, 40, top + 30, 110, top + 85, [200, 170, 90]);
    } else for (let x = 40; x < 300; x += t.uniform(2, 6)) fillRect(tex, x, top + 25, x + t.uniform(1, 3), top + 75, ink);
    for (let k = 0; k < 3; k++) textLine(t, tex, tex.width * 0.45, top + 30 + k * 22, 10, 18, ink);
    // The MRZ: three lines of 30 characters on a plain band.
    const mrzTop = tex.height * 0.66;
    fillRect(tex, 0, mrzTop - 8, tex.width, tex.height, light ? [245, 245, 240] : base.map((v) => v * 0.8), 0.85);
    for (let k = 0; k < 3; k++) textLine(t, tex, 22, mrzTop + k * 33, 20, 30, [20, 20, 25], { mono: true });
  } else {
    const chipLeft = t.chance(0.5);
    const px = chipLeft ? tex.width * 0.66 : tex.width * 0.05;
    portrait(t, tex, px, tex.height * 0.26, tex.width * 0.28, tex.height * 0.6);
    if (chipLeft) {
      const cx = tex.width * 0.07;
      const cy = tex.height * 0.38;
      fillRect(tex, cx, cy, cx + 66, cy + 52, [212, 180, 100]);
      for (const f of [0.33, 0.66]) fillRect(tex, cx, cy + 52 * f, cx + 66, cy + 52 * f + 2, [150, 120, 60]);
      fillRect(tex, cx + 30, cy, cx + 32, cy + 52, [150, 120, 60]);
    }
    const fx = chipLeft ? tex.width * 0.25 : tex.width * 0.38;
    for (let k = 0; k < 6; k++) {
      const y = tex.height * 0.27 + k * tex.height * 0.11;
      textLine(t, tex, fx, y, 7, 12, light ? [110, 110, 120] : [200, 200, 200]);
      textLine(t, tex, fx, y + 10, 12, Math.floor(t.uniform(8, 22)), ink);
    }
    // Signature and a small ghost portrait.
    for (let x = 0; x < 80; x++)
      fillRect(
        tex,
        fx + x,
        tex.height * 0.9 + 6 * Math.sin(x * 0.2) * Math.cos(x * 0.05),
        fx + x + 1.5,
        tex.height * 0.9 + 2 + 6 * Math.sin(x * 0.2) * Math.cos(x * 0.05),
        [30, 30, 90],
      );
    if (t.chance(0.5)) portrait(t, tex, tex.width * 0.85 - (chipLeft ? 300 : 0), tex.height * 0.72, 40, 52, true);
  }
  // A faint hologram patch.
  if (t.chance(0.5))
    fillEllipse(tex, t.uniform(0.3, 0.9) * tex.width, t.uniform(0.3, 0.9) * tex.height, 40, 40, hsl(t.uniform(0, 360), 0.7, 0.75), 0.25);
  return { tex, light: 0.299 * base[0] + 0.587 * base[1] + 0.114 * base[2] };
}

/** A crop of a surface photo into a texture. */
function photoInto(t, tex, surface, x0, y0, w, h) {
  const sx = t.uniform(0, Math.max(0, surface.width - w));
  const sy = t.uniform(0, Math.max(0, surface.height - h));
  const scale = Math.max(1, w / surface.width, h / surface.height);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const tx = Math.min(surface.width - 1, Math.floor(sx + x / scale));
      const ty = Math.min(surface.height - 1, Math.floor(sy + y / scale));
      const tx0 = Math.floor(x0 + x);
      const ty0 = Math.floor(y0 + y);
      if (tx0 < 0 || ty0 < 0 || tx0 >= tex.width || ty0 >= tex.height) continue;
      for (let c = 0; c < 3; c++) tex.rgb[(ty0 * tex.width + tx0) * 3 + c] = surface.rgb[(ty * surface.width + tx) * 3 + c];
    }
}

/** A look-alike's face, size (in mm-like units) and corner radius. */
function lookalikeFace(kind, seed, surfaces) {
  const t = tools(seed);
  const photos = surfaces.filter((s) => s.width > 300);
  if (kind === 'frame') {
    const aspect = t.pick([1.25, 1.4, 1.5, 1.33]);
    const tex = texture(Math.round(300 * aspect), 300);
    const border = t.uniform(0.06, 0.16) * 300;
    const frameColour = t.pick([
      [30, 25, 20],
      [200, 170, 90],
      [240, 240, 235],
      [110, 70, 40],
      [60, 60, 60],
    ]);
    fillRect(tex, 0, 0, tex.width, tex.height, frameColour);
    if (t.chance(0.5)) photoInto(t, tex, t.pick(surfaces.filter((s) => s.group === 'wood')), 0, 0, tex.width, tex.height);
    const mat = t.chance(0.5) ? t.uniform(0.04, 0.1) * 300 : 0;
    fillRect(tex, border, border, tex.width - border, tex.height - border, [238, 236, 230]);
    photoInto(t, tex, t.pick(photos), border + mat, border + mat, tex.width - 2 * (border + mat), tex.height - 2 * (border + mat));
    return { tex, w: aspect * 100, h: 100, r: 0.5, thick: t.uniform(1.5, 4), edge: frameColour.map((v) => v * 0.6) };
  }
  if (kind === 'book') {
    const aspect = t.uniform(0.62, 0.7);
    const tex = texture(220, Math.round(220 / aspect));
    fillRect(tex, 0, 0, tex.width, tex.height, hsl(t.uniform(0, 360), t.uniform(0.2, 0.8), t.uniform(0.2, 0.8)));
    if (t.chance(0.6)) photoInto(t, tex, t.pick(photos), 0, tex.height * t.uniform(0.3, 0.45), tex.width, tex.height * 0.4);
    textLine(
      t,
      tex,
      20,
      30,
      26,
      7,
      t.pick([
        [250, 250, 250],
        [20, 20, 20],
        [230, 200, 60],
      ]),
    );
    textLine(t, tex, 20, 70, 14, 12, [240, 240, 240]);
    textLine(t, tex, 40, tex.height - 40, 14, 10, [240, 240, 240]);
    return { tex, w: 110 * aspect, h: 110, r: 1, thick: t.uniform(3, 9), edge: [232, 226, 205] };
  }
  if (kind === 'box') {
    const aspect = t.uniform(1.35, 1.75);
    const tex = texture(Math.round(200 * aspect), 200);
    const hue = t.uniform(0, 360);
    fillRect(tex, 0, 0, tex.width, tex.height, hsl(hue, t.uniform(0.3, 0.9), t.uniform(0.3, 0.85)));
    fillEllipse(tex, tex.width * t.uniform(0.3, 0.7), tex.height * 0.45, 60, 40, hsl(hue + 180, 0.7, 0.5));
    textLine(
      t,
      tex,
      25,
      25,
      24,
      9,
      t.pick([
        [250, 250, 250],
        [20, 20, 20],
      ]),
    );
    textLine(t, tex, 25, tex.height - 40, 12, 20, [30, 30, 30]);
    return { tex, w: 60 * aspect, h: 60, r: 0.6, thick: t.uniform(4, 12), edge: hsl(hue, 0.5, 0.25) };
  }
  if (kind === 'sheet') {
    const a5 = t.chance(0.5);
    const tex = texture(300, 424);
    fillRect(
      tex,
      0,
      0,
      tex.width,
      tex.height,
      t.pick([
        [248, 248, 245],
        [240, 236, 222],
        [252, 252, 252],
      ]),
    );
    if (t.chance(0.5)) fillRect(tex, 25, 25, 110, 60, hsl(t.uniform(0, 360), 0.6, 0.45));
    for (let y = 80; y < 400; y += t.uniform(11, 16))
      if (t.chance(0.9)) textLine(t, tex, 25, y, 7, Math.floor(t.uniform(20, 40)), [40, 40, 40]);
    return { tex, w: a5 ? 148 : 210, h: a5 ? 210 : 297, r: 0, thick: 0, edge: [200, 200, 200] };
  }
  if (kind === 'phone') {
    const aspect = t.uniform(2.0, 2.2);
    const tex = texture(Math.round(150 * aspect), 150);
    const body = t.pick([
      [20, 20, 22],
      [230, 230, 232],
      [60, 60, 70],
      [180, 160, 140],
    ]);
    fillRect(tex, 0, 0, tex.width, tex.height, body);
    const screen = [6, 6, tex.width - 6, tex.height - 6];
    if (t.chance(0.6)) photoInto(t, tex, t.pick(photos), screen[0], screen[1], screen[2] - screen[0], screen[3] - screen[1]);
    else fillRect(tex, ...screen, [8, 8, 10]);
    return { tex, w: 72 * aspect, h: 72, r: 9, thick: t.uniform(2, 5), edge: body.map((v) => v * 0.7) };
  }
  // keyboard
  const aspect = t.uniform(2.6, 3.3);
  const tex = texture(Math.round(120 * aspect), 120);
  const body = t.pick([
    [30, 30, 32],
    [225, 225, 228],
    [150, 150, 155],
  ]);
  const key = body[0] < 100 ? [50, 50, 54] : [245, 245, 245];
  fillRect(tex, 0, 0, tex.width, tex.height, body);
  const rows = 5;
  const cols = Math.round(rows * aspect * 1.2);
  const kw = (tex.width - 10) / cols;
  const kh = (tex.height - 10) / rows;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      fillRect(tex, 5 + c * kw + 1.5, 5 + r * kh + 1.5, 5 + (c + 1) * kw - 1.5, 5 + (r + 1) * kh - 1.5, key);
      if (t.chance(0.7))
        fillRect(
          tex,
          5 + c * kw + kw * 0.3,
          5 + r * kh + kh * 0.3,
          5 + c * kw + kw * 0.45,
          5 + r * kh + kh * 0.5,
          body[0] < 100 ? [220, 220, 220] : [30, 30, 30],
        );
    }
  return { tex, w: 100 * aspect, h: 100, r: 3, thick: t.uniform(3, 8), edge: body.map((v) => v * 0.6) };
}

// ---------- geometry ----------
function rotation(roll, axis, tilt) {
  // Roll in the image plane, then a tilt about an axis lying in it (Rodrigues).
  const cr = Math.cos(roll);
  const sr = Math.sin(roll);
  const R1 = [cr, -sr, 0, sr, cr, 0, 0, 0, 1];
  const [ux, uy, uz] = [Math.cos(axis), Math.sin(axis), 0];
  const c = Math.cos(tilt);
  const s = Math.sin(tilt);
  const C = 1 - c;
  const R2 = [
    c + ux * ux * C,
    ux * uy * C - uz * s,
    ux * uz * C + uy * s,
    uy * ux * C + uz * s,
    c + uy * uy * C,
    uy * uz * C - ux * s,
    uz * ux * C - uy * s,
    uz * uy * C + ux * s,
    c + uz * uz * C,
  ];
  return mul3(R2, R1);
}
function mul3(a, b) {
  const o = new Array(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) o[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return o;
}
function inv3(m) {
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
const apply = (H, x, y) => {
  const w = H[6] * x + H[7] * y + H[8];
  return { x: (H[0] * x + H[1] * y + H[2]) / w, y: (H[3] * x + H[4] * y + H[5]) / w };
};

/**
 * The homography from an object's own units (x in [0, w], y in [0, h]) to frame pixels, for a
 * roll, a tilt about an axis, and the object's long side spanning `share` of the frame's width,
 * placed at random where it fits (margin in pixels).
 */
function place(t, w, h, { roll, axis, tilt, share, margin = 6 }) {
  const R = rotation(roll, axis, tilt);
  let Z = (FOCAL * Math.max(w, h)) / (share * WIDTH);
  for (let tries = 0; tries < 30; tries++) {
    const T = [0 - (R[0] * w) / 2 - (R[1] * h) / 2, 0 - (R[3] * w) / 2 - (R[4] * h) / 2, Z - (R[6] * w) / 2 - (R[7] * h) / 2];
    const M = [R[0], R[1], T[0], R[3], R[4], T[1], R[6], R[7], T[2]];
    const K = [FOCAL, 0, WIDTH / 2, 0, FOCAL, HEIGHT / 2, 0, 0, 1];
    let H = mul3(K, M);
    const corners = [apply(H, 0, 0), apply(H, w, 0), apply(H, w, h), apply(H, 0, h)];
    const xs = corners.map((p) => p.x);
    const ys = corners.map((p) => p.y);
    const bw = Math.max(...xs) - Math.min(...xs);
    const bh = Math.max(...ys) - Math.min(...ys);
    if (bw > WIDTH - 2 * margin || bh > HEIGHT - 2 * margin) {
      Z *= 1.08;
      continue;
    }
    const ox = t.uniform(margin, WIDTH - margin - bw) - Math.min(...xs);
    const oy = t.uniform(margin, HEIGHT - margin - bh) - Math.min(...ys);
    H = mul3([1, 0, ox, 0, 1, oy, 0, 0, 1], H);
    return { H, corners: corners.map((p) => ({ x: p.x + ox, y: p.y + oy })) };
  }
  return undefined;
}

// ---------- drawing into the frame ----------
function quadBounds(corners, pad) {
  const xs = corners.map((p) => p.x);
  const ys = corners.map((p) => p.y);
  return [
    Math.max(0, Math.floor(Math.min(...xs) - pad)),
    Math.max(0, Math.floor(Math.min(...ys) - pad)),
    Math.min(WIDTH, Math.ceil(Math.max(...xs) + pad)),
    Math.min(HEIGHT, Math.ceil(Math.max(...ys) + pad)),
  ];
}
function polygonArea(q) {
  let a = 0;
  for (let i = 0; i < q.length; i++) a += q[i].x * q[(i + 1) % q.length].y - q[(i + 1) % q.length].x * q[i].y;
  return Math.abs(a) / 2;
}
/** Signed distance (object units) to a w × h rectangle with corner radius r. */
function roundedDistance(x, y, w, h, r) {
  const qx = Math.abs(x - w / 2) - (w / 2 - r);
  const qy = Math.abs(y - h / 2) - (h / 2 - r);
  // Math.hypot(d, 0) is d to the bit: the slow call is only needed off a corner's arc.
  const outside = qx > 0 && qy > 0 ? Math.hypot(qx, qy) : qx > 0 ? qx : qy > 0 ? qy : 0;
  return outside + Math.min(Math.max(qx, qy), 0) - r;
}

/**
 * Paints an object: its shadow (offset, softness in px, strength), its thickness (a copy shifted by
 * `thick` px in the edge colour), then its face with anti-aliased rounded corners. Returns the
 * per-pixel coverage of the face (for the thumb and glare to know where the card is).
 */
function drawObject(frame, obj, H, corners, { shadow, thickDir, light }) {
  const Hi = inv3(H);
  const scale = Math.sqrt(polygonArea(corners) / (obj.w * obj.h));
  const pad = (shadow ? Math.hypot(shadow.dx, shadow.dy) + shadow.soft * 2 : 0) + obj.thick + 3;
  const [x0, y0, x1, y1] = quadBounds(corners, pad);
  // The mip level with about one texel per pixel.
  const texels = obj.mips[0].width / (obj.w * scale);
  const level = Math.max(0, Math.min(obj.mips.length - 1, Math.floor(Math.log2(Math.max(1, texels)))));
  const tex = obj.mips[level];
  const coverage = new Float32Array(WIDTH * HEIGHT);
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = Hi;
  const { w: ow, h: oh, r: or } = obj;
  // The object's point under frame point (x, y), and its signed distance in frame pixels (a function returning them
  // all would allocate per pixel).
  let u = 0;
  let v = 0;
  const sdAt = (x, y) => {
    const w = h6 * x + h7 * y + h8;
    u = (h0 * x + h1 * y + h2) / w;
    v = (h3 * x + h4 * y + h5) / w;
    return roundedDistance(u, v, ow, oh, or) * scale;
  };
  const rgb = frame.rgb;
  if (shadow) {
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1; x++) {
        const sd = sdAt(x + 0.5 - shadow.dx, y + 0.5 - shadow.dy);
        const a = clamp(0.5 - sd / shadow.soft, 0, 1) * shadow.strength;
        if (a <= 0) continue;
        const i = (y * WIDTH + x) * 3;
        for (let c = 0; c < 3; c++) rgb[i + c] *= 1 - a;
      }
  }
  if (obj.thick > 0.3) {
    const dx = thickDir.x * obj.thick;
    const dy = thickDir.y * obj.thick;
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1; x++) {
        const sd = sdAt(x + 0.5 - dx, y + 0.5 - dy);
        const a = clamp(0.5 - sd, 0, 1);
        if (a <= 0) continue;
        const i = (y * WIDTH + x) * 3;
        for (let c = 0; c < 3; c++) rgb[i + c] += (obj.edge[c] * light - rgb[i + c]) * a;
      }
  }
  const tw = tex.width;
  const th = tex.height;
  const texRgb = tex.rgb;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const sd = sdAt(x + 0.5, y + 0.5);
      const a = clamp(0.5 - sd, 0, 1);
      if (a <= 0) continue;
      coverage[y * WIDTH + x] = a;
      const tx = clamp((u / ow) * tw - 0.5, 0, tw - 1.001);
      const ty = clamp((v / oh) * th - 0.5, 0, th - 1.001);
      const ix = Math.floor(tx);
      const iy = Math.floor(ty);
      const fx = tx - ix;
      const fy = ty - iy;
      const k = (iy * tw + ix) * 3;
      const i = (y * WIDTH + x) * 3;
      for (let c = 0; c < 3; c++) {
        const s =
          (texRgb[k + c] * (1 - fx) + texRgb[k + 3 + c] * fx) * (1 - fy) +
          (texRgb[k + tw * 3 + c] * (1 - fx) + texRgb[k + tw * 3 + 3 + c] * fx) * fy;
        rgb[i + c] += (s * light - rgb[i + c]) * a;
      }
    }
  return coverage;
}

/** A finger or thumb: a capsule from `tip` back along `dir`, shaded round, with a nail near the tip. */
function drawFinger(frame, tip, dir, radius, length, skin, nail) {
  const rgb = frame.rgb;
  const ex = tip.x - dir.x * length;
  const ey = tip.y - dir.y * length;
  const [x0, y0, x1, y1] = quadBounds([tip, { x: ex, y: ey }], radius + 2);
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const px = x + 0.5 - ex;
      const py = y + 0.5 - ey;
      const along = clamp(px * dir.x + py * dir.y, 0, length - radius);
      const d = Math.hypot(px - dir.x * along, py - dir.y * along);
      const a = clamp(radius - d + 0.5, 0, 1);
      if (a <= 0) continue;
      const round = Math.sqrt(Math.max(0, 1 - (d / radius) ** 2));
      let colour = skin.map((v) => v * (0.62 + 0.38 * round));
      if (nail) {
        const nd = Math.hypot(px - dir.x * (length - radius * 1.3), py - dir.y * (length - radius * 1.3));
        if (nd < radius * 0.6) colour = colour.map((v) => v * 0.85 + 40);
      }
      const i = (y * WIDTH + x) * 3;
      for (let c = 0; c < 3; c++) rgb[i + c] += (colour[c] - rgb[i + c]) * a;
    }
}

function paintSurface(t, frame, surface, blurred) {
  const s = surface.width > 300 ? t.uniform(0.55, 1) : t.uniform(0.35, 0.9);
  const angle = t.uniform(0, Math.PI * 2);
  const ca = Math.cos(angle) * s;
  const sa = Math.sin(angle) * s;
  const ox = t.uniform(0, surface.width);
  const oy = t.uniform(0, surface.height);
  const { width: sw, height: sh, rgb: src } = surface;
  const big = sw > 300;
  const rgb = frame.rgb;
  for (let y = 0; y < HEIGHT; y++) {
    const rowU = (y - HEIGHT / 2) * sa;
    const rowV = (y - HEIGHT / 2) * ca;
    for (let x = 0; x < WIDTH; x++) {
      let u = ox + (x - WIDTH / 2) * ca - rowU;
      let v = oy + (x - WIDTH / 2) * sa + rowV;
      // Photos mirror at their borders (no seam); GIMP's tiles repeat as they were made to.
      if (big) {
        u = exactMod(Math.abs(u), 2 * sw);
        v = exactMod(Math.abs(v), 2 * sh);
        if (u >= sw) u = 2 * sw - u - 1;
        if (v >= sh) v = 2 * sh - v - 1;
      } else {
        u = exactMod(exactMod(u, sw) + sw, sw);
        v = exactMod(exactMod(v, sh) + sh, sh);
      }
      const iu = Math.floor(u);
      const iv = Math.floor(v);
      const fu = u - iu;
      const fv = v - iv;
      const iu1 = big ? Math.min(sw - 1, iu + 1) : (iu + 1) % sw;
      const iv1 = big ? Math.min(sh - 1, iv + 1) : (iv + 1) % sh;
      const a = (iv * sw + iu) * 3;
      const b = (iv * sw + iu1) * 3;
      const c = (iv1 * sw + iu) * 3;
      const d = (iv1 * sw + iu1) * 3;
      const i = (y * WIDTH + x) * 3;
      rgb[i] = (src[a] * (1 - fu) + src[b] * fu) * (1 - fv) + (src[c] * (1 - fu) + src[d] * fu) * fv;
      rgb[i + 1] = (src[a + 1] * (1 - fu) + src[b + 1] * fu) * (1 - fv) + (src[c + 1] * (1 - fu) + src[d + 1] * fu) * fv;
      rgb[i + 2] = (src[a + 2] * (1 - fu) + src[b + 2] * fu) * (1 - fv) + (src[c + 2] * (1 - fu) + src[d + 2] * fu) * fv;
    }
  }
  if (blurred) frame.rgb = gaussianBlurSimd(frame.rgb, WIDTH, HEIGHT, blurred);
}

function motionBlur(rgb, length, angle) {
  const dx = Math.cos(angle);
  const dy = Math.sin(angle);
  const out = new Float32Array(rgb.length);
  const n = Math.max(2, Math.round(length));
  for (let y = 0; y < HEIGHT; y++)
    for (let x = 0; x < WIDTH; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < n; k++) {
        const o = k - (n - 1) / 2;
        const sx = clamp(Math.round(x + dx * o), 0, WIDTH - 1);
        const sy = clamp(Math.round(y + dy * o), 0, HEIGHT - 1);
        const j = (sy * WIDTH + sx) * 3;
        r += rgb[j];
        g += rgb[j + 1];
        b += rgb[j + 2];
      }
      const i = (y * WIDTH + x) * 3;
      out[i] = r / n;
      out[i + 1] = g / n;
      out[i + 2] = b / n;
    }
  return out;
}

// ---------- scenes ----------
/**
 * The spec of scene `index` of a split: what is in it and how it is seen. Cheap; `renderRealScene`
 * paints it. About 73 % hold a card; the rest a look-alike or a bare surface.
 */
export function sceneSpec(split, index, surfaces) {
  const seed = (SPLITS[split] * 100003 + index * 7919) >>> 0;
  const t = tools(seed);
  const r = t.next();
  const kind = r < 0.73 ? 'card' : r < 0.96 ? LOOKALIKES[Math.floor(t.next() * LOOKALIKES.length)] : 'plain';
  const handheld = t.chance(0.3);
  const thumb = kind === 'card' ? handheld || t.chance(0.12) : handheld && t.chance(0.4);
  let surface;
  // Card and look-alike designs come from a pool per split, so the held-out scenes show designs no training saw.
  const pool = { train: 0, tune: 100000, test: 200000 }[split];
  let cardSeed = pool + Math.floor(t.next() * 300);
  const lightOnLight = kind === 'card' && !handheld && t.chance(0.14);
  if (lightOnLight) surface = t.pick(surfaces.filter((s) => s.luminance > 160));
  else surface = handheld ? t.pick(surfaces.filter((s) => s.width > 300)) : t.pick(surfaces);
  if (lightOnLight) while (cardTone(cardSeed) < 185) cardSeed++;
  // The guide asks for landscape: 40 % near level, the rest at any roll.
  const roll = t.chance(0.4) ? t.uniform(-20, 20) : t.uniform(-180, 180);
  const share = Math.exp(t.uniform(Math.log(0.22), Math.log(0.9)));
  return {
    split,
    index,
    seed,
    kind,
    surface: surface.name,
    group: surface.group,
    handheld,
    thumb,
    fingers: handheld && t.chance(0.6),
    lightOnLight,
    cardSeed,
    roll,
    tilt: t.uniform(0, 35),
    axis: t.uniform(0, 360),
    share,
    castShadow: t.chance(0.2),
    glare: t.chance(0.2),
    exposure: t.uniform(0.75, 1.2),
    vignette: t.uniform(0, 0.35),
    defocus: t.chance(0.3) ? t.uniform(0.6, 2.2) : 0,
    motion: t.chance(0.12) ? t.uniform(3, 9) : 0,
    noise: t.uniform(1, 7),
    jpeg: t.chance(0.65) ? Math.round(t.uniform(35, 92)) : 0,
  };
}

// A split draws from about 2,200 designs (300 a kind); painting one again costs more than a tenth of a scene's
// render, so they are kept up to this many bytes (all of them in about 2 GB).
const FACE_CACHE_BYTES = 2.5e9;
const faceCache = new Map();
let faceCacheBytes = 0;
function cachedFace(key, make) {
  let face = faceCache.get(key);
  if (!face) {
    face = make();
    const bytes = face.mips.reduce((sum, level) => sum + level.rgb.byteLength, 0);
    if (faceCacheBytes + bytes > FACE_CACHE_BYTES) {
      faceCache.clear();
      faceCacheBytes = 0;
    }
    faceCache.set(key, face);
    faceCacheBytes += bytes;
  }
  return face;
}

/**
 * Paints a scene as RGB floats (before noise quantisation and JPEG, which the caller does) and
 * returns its card's corners (top-left, top-right, bottom-right, bottom-left of the card itself,
 * where its straight sides meet) when it has one, with the share of the frame's width it spans, and the outline of
 * whatever object it holds (a card's or a look-alike's: where the closer look's training crops are cut).
 */
export function renderRealScene(spec, surfaces) {
  const t = tools(spec.seed ^ 0x5bd1e995);
  const frame = { rgb: new Float32Array(WIDTH * HEIGHT * 3) };
  const surface = surfaces.find((s) => s.name === spec.surface);
  paintSurface(t, frame, surface, spec.handheld ? t.uniform(2.5, 6) : 0);
  const light = 1;
  let corners;
  let outline;
  let measuredShare = 0;
  let object;
  if (spec.kind === 'card') {
    const face = cachedFace(`card${spec.cardSeed}`, () => {
      const made = cardFace(spec.cardSeed);
      return { ...made, mips: withMips(made.tex) };
    });
    object = {
      mips: face.mips,
      w: CARD_W,
      h: CARD_H,
      r: CARD_R,
      thick: 0,
      edge: t.pick([
        [245, 245, 240],
        [200, 200, 195],
        [120, 120, 120],
      ]),
    };
  } else if (spec.kind !== 'plain') {
    const face = cachedFace(`${spec.kind}${spec.cardSeed}`, () => {
      const made = lookalikeFace(spec.kind, spec.cardSeed, surfaces);
      return { ...made, mips: withMips(made.tex) };
    });
    object = { ...face };
  }
  if (object) {
    const pose = {
      roll: (spec.roll * Math.PI) / 180,
      axis: (spec.axis * Math.PI) / 180,
      tilt: (spec.tilt * Math.PI) / 180,
      share: spec.share,
    };
    if (object !== undefined && spec.kind === 'sheet') pose.share = Math.max(pose.share, 0.5);
    const placed = place(t, object.w, object.h, pose);
    if (placed) {
      const { H, corners: c } = placed;
      outline = c;
      const scale = Math.sqrt(polygonArea(c) / (object.w * object.h));
      // A card is 0.76 mm thick: its edge shows as a pixel or two on the side away from the camera.
      if (spec.kind === 'card') object.thick = clamp(0.76 * scale * Math.sin((spec.tilt * Math.PI) / 180) + t.uniform(0.3, 1.2), 0.4, 3);
      const side = t.uniform(0, Math.PI * 2);
      const thickDir = { x: Math.cos(side), y: Math.sin(side) };
      const skin = t.pick([
        [224, 182, 150],
        [198, 150, 112],
        [150, 104, 76],
        [100, 70, 52],
        [236, 205, 180],
      ]);
      const shadow = spec.handheld
        ? { dx: t.uniform(-20, 20), dy: t.uniform(4, 24), soft: t.uniform(8, 20), strength: t.uniform(0.15, 0.35) }
        : { dx: t.uniform(-4, 4), dy: t.uniform(0, 5), soft: t.uniform(1.5, 5), strength: t.uniform(0.15, 0.45) };
      // Fingers behind the card show past its far edge.
      const sideNormal = (k) => {
        const p = c[k];
        const q = c[(k + 1) % 4];
        const len = Math.hypot(q.x - p.x, q.y - p.y);
        return {
          mid: (u) => ({ x: p.x + (q.x - p.x) * u, y: p.y + (q.y - p.y) * u }),
          inward: { x: -(q.y - p.y) / len, y: (q.x - p.x) / len },
          len,
        };
      };
      const thumbSide = Math.floor(t.next() * 4);
      if (spec.fingers) {
        const s = sideNormal((thumbSide + 2) % 4);
        const count = 2 + Math.floor(t.next() * 2);
        const start = t.uniform(0.15, 0.5);
        for (let k = 0; k < count; k++) {
          const at = s.mid(start + k * 0.16);
          const radius = 8 * scale;
          drawFinger(
            frame,
            { x: at.x + s.inward.x * 4 * scale, y: at.y + s.inward.y * 4 * scale },
            { x: s.inward.x, y: s.inward.y },
            radius,
            60 * scale,
            skin,
            false,
          );
        }
      }
      const coverage = drawObject(frame, object, H, c, { shadow, thickDir, light });
      if (spec.glare && spec.kind === 'card') {
        const gx = t.uniform(0.2, 0.8);
        const gy = t.uniform(0.2, 0.8);
        const centre = {
          x: (c[0].x * (1 - gx) + c[1].x * gx) * (1 - gy) + (c[3].x * (1 - gx) + c[2].x * gx) * gy,
          y: (c[0].y * (1 - gx) + c[1].y * gx) * (1 - gy) + (c[3].y * (1 - gx) + c[2].y * gx) * gy,
        };
        const sigma = t.uniform(0.08, 0.25) * Math.sqrt(polygonArea(c));
        const amount = t.uniform(0.5, 1.1);
        for (let y = 0; y < HEIGHT; y++)
          for (let x = 0; x < WIDTH; x++) {
            const a = coverage[y * WIDTH + x];
            if (!a) continue;
            const g = amount * Math.exp(-((x - centre.x) ** 2 + (y - centre.y) ** 2) / (2 * sigma * sigma)) * a;
            const i = (y * WIDTH + x) * 3;
            for (let ch = 0; ch < 3; ch++) frame.rgb[i + ch] += (265 - frame.rgb[i + ch]) * Math.min(1, g);
          }
      }
      if (spec.thumb) {
        const s = sideNormal(thumbSide);
        const at = s.mid(t.uniform(0.2, 0.8));
        const depth = t.uniform(5, 16) * scale;
        const radius = t.uniform(9, 12) * scale;
        const angle = t.uniform(-0.5, 0.5);
        const dir = {
          x: s.inward.x * Math.cos(angle) - s.inward.y * Math.sin(angle),
          y: s.inward.x * Math.sin(angle) + s.inward.y * Math.cos(angle),
        };
        const tip = { x: at.x + s.inward.x * depth, y: at.y + s.inward.y * depth };
        // The thumb's own soft shadow on the card, then the thumb.
        drawFinger(
          frame,
          { x: tip.x + 3, y: tip.y + 4 },
          dir,
          radius * 1.1,
          70 * scale,
          [0, 0, 0].map(() => 0),
          false,
        );
        drawFinger(frame, tip, dir, radius, 70 * scale, skin, true);
      }
      if (spec.kind === 'card') {
        corners = c;
        measuredShare = Math.max(Math.hypot(c[1].x - c[0].x, c[1].y - c[0].y), Math.hypot(c[2].x - c[3].x, c[2].y - c[3].y)) / WIDTH;
      }
    }
  }
  // Light: exposure and white balance, a gradient across the frame, vignetting, a cast shadow.
  const tint = [t.uniform(0.9, 1.1), 1, t.uniform(0.85, 1.12)];
  const gAngle = t.uniform(0, Math.PI * 2);
  const gAmount = t.uniform(0, 0.3);
  let shadowLine;
  if (spec.castShadow) {
    const a = t.uniform(0, Math.PI * 2);
    const through = corners
      ? { x: (corners[0].x + corners[2].x) / 2 + t.uniform(-40, 40), y: (corners[0].y + corners[2].y) / 2 + t.uniform(-40, 40) }
      : { x: t.uniform(100, 540), y: t.uniform(100, 380) };
    shadowLine = {
      nx: Math.cos(a),
      ny: Math.sin(a),
      rho: Math.cos(a) * through.x + Math.sin(a) * through.y,
      soft: t.uniform(6, 40),
      depth: t.uniform(0.3, 0.6),
    };
  }
  const gx = Math.cos(gAngle);
  const gy = Math.sin(gAngle);
  const { exposure, vignette } = spec;
  const [tr, tg, tb] = tint;
  const lit = frame.rgb;
  for (let y = 0; y < HEIGHT; y++)
    for (let x = 0; x < WIDTH; x++) {
      const dx = x / WIDTH - 0.5;
      const dy = y / HEIGHT - 0.5;
      let f = exposure * (1 + gAmount * (dx * gx + dy * gy)) * (1 - vignette * (dx * dx + dy * dy) * 2);
      if (shadowLine) {
        const d = shadowLine.nx * x + shadowLine.ny * y - shadowLine.rho;
        f *= 1 - shadowLine.depth * clamp(0.5 + d / shadowLine.soft, 0, 1);
      }
      const i = (y * WIDTH + x) * 3;
      lit[i] *= f * tr;
      lit[i + 1] *= f * tg;
      lit[i + 2] *= f * tb;
    }
  if (spec.defocus) frame.rgb = gaussianBlurSimd(frame.rgb, WIDTH, HEIGHT, spec.defocus);
  if (spec.motion) frame.rgb = motionBlur(frame.rgb, spec.motion, t.uniform(0, Math.PI));
  // Sensor noise: stronger in the darks' relative terms, with a shared luminance part.
  const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
  const normals = new Float32Array(8192).map(() => t.gauss());
  let state = spec.seed | 1;
  const draw = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return normals[state & 8191];
  };
  const src = frame.rgb;
  const n = spec.noise;
  for (let p = 0, i = 0; p < WIDTH * HEIGHT; p++, i += 3) {
    const shared = draw() * n;
    rgb[i] = clamp(src[i] + shared + draw() * n * 0.5 + 0.5, 0, 255);
    rgb[i + 1] = clamp(src[i + 1] + shared + draw() * n * 0.5 + 0.5, 0, 255);
    rgb[i + 2] = clamp(src[i + 2] + shared + draw() * n * 0.5 + 0.5, 0, 255);
  }
  return { width: WIDTH, height: HEIGHT, rgb, corners, outline, share: measuredShare };
}

/** BT.601 grey and the blue-minus-red chroma plane, as the widget's worker makes them. */
export function greyPlanes({ width, height, rgb }) {
  const data = new Uint8Array(width * height);
  const chroma = new Uint8Array(width * height);
  for (let j = 0, i = 0; j < data.length; j++, i += 3) {
    data[j] = (rgb[i] * 77 + rgb[i + 1] * 150 + rgb[i + 2] * 29) >> 8;
    chroma[j] = (rgb[i + 2] - rgb[i] + 256) >> 1;
  }
  return { width, height, data, chroma };
}
