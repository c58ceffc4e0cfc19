// Real photographic surfaces for the realistic corner scenes, from Debian's packages: GIMP's
// patterns (wood, parquet, marble, slate, leather, cork, burlap, paper), MATE's and GNOME's
// photos, and scikit-image's sample images (brick, gravel, grass, a café table with a cup).
// Fetched and unpacked by unpackDebianPackages; nothing is installed on the system.
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { unpackDebianPackages } from './debian.mjs';

const PACKAGES = ['gimp-data', 'mate-backgrounds', 'gnome-backgrounds', 'python3-skimage'];
const CACHE = fileURLToPath(new URL('../fixtures/generated/surfaces/', import.meta.url));
// 2: photos shrunk here in JavaScript, not by sharp, whose SIMD resize can differ by a pixel level between CPUs.
const VERSION = 2;

const PAT = '/usr/share/gimp/2.0/patterns/';
const MATE = '/usr/share/backgrounds/mate/';
const GNOME = '/usr/share/backgrounds/gnome/';
const SKIMAGE = '/usr/lib/python3/dist-packages/skimage/data/';

/**
 * The surfaces: file, group (for the benchmark's breakdown) and the size one texture pixel has in
 * frame pixels at a 640 px frame (tiles from GIMP are small and repeat; photos are shrunk).
 */
export const SURFACES = [
  ...['wood1', 'wood2', 'wood3', 'wood4', 'wood5', 'walnut', 'pine', 'burlwood'].map((n) => ({
    name: n,
    file: `${PAT}${n}.pat`,
    group: 'wood',
  })),
  ...['parque1', 'parque2', 'parque3'].map((n) => ({ name: n, file: `${PAT}${n}.pat`, group: 'parquet' })),
  ...['marble1', 'marble2', 'marble3', 'pink_marble'].map((n) => ({ name: n, file: `${PAT}${n}.pat`, group: 'marble' })),
  ...['slate', 'granite1', 'stone33', 'rock', 'cracked', 'terra'].map((n) => ({ name: n, file: `${PAT}${n}.pat`, group: 'stone' })),
  ...['leather', 'leopard'].map((n) => ({ name: n, file: `${PAT}${n}.pat`, group: 'leather' })),
  ...['corkboard', 'burlap', 'fibers'].map((n) => ({ name: n, file: `${PAT}${n}.pat`, group: 'cork/cloth' })),
  ...['paper', 'crinklepaper'].map((n) => ({ name: n, file: `${PAT}${n}.pat`, group: 'paper' })),
  { name: 'page', file: `${SKIMAGE}page.png`, group: 'paper' },
  { name: 'brick', file: `${SKIMAGE}brick.png`, group: 'stone' },
  { name: 'gravel', file: `${SKIMAGE}gravel.png`, group: 'stone' },
  { name: 'grass', file: `${SKIMAGE}grass.png`, group: 'photo' },
  { name: 'coffee', file: `${SKIMAGE}coffee.png`, group: 'café table' },
  { name: 'mate-wood', file: `${MATE}nature/Wood.jpg`, group: 'wood' },
  { name: 'gnome-wood-l', file: `${GNOME}wood-l.webp`, group: 'wood' },
  { name: 'gnome-wood-d', file: `${GNOME}wood-d.webp`, group: 'wood' },
  ...['Dune', 'Blinds', 'Garden', 'GreenMeadow', 'RainDrops', 'Storm', 'Aqua', 'FreshFlower'].map((n) => ({
    name: n,
    file: `${MATE}nature/${n}.jpg`,
    group: 'photo',
  })),
];

/** Reads a GIMP pattern (.pat): a big-endian header, then width × height pixels of 1–4 bytes. */
function readPat(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = view.getUint32(0);
  const width = view.getUint32(8);
  const height = view.getUint32(12);
  const depth = view.getUint32(16);
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const at = headerSize + i * depth;
    const grey = depth < 3;
    rgb[i * 3] = bytes[at];
    rgb[i * 3 + 1] = bytes[grey ? at : at + 1];
    rgb[i * 3 + 2] = bytes[grey ? at : at + 2];
  }
  return { width, height, rgb };
}

/**
 * Shrinks an RGB image to fit `limit` × `limit` by area averaging, in plain JavaScript so that every machine
 * gets the same bytes (the benchmark's floors compare figures across machines).
 */
function shrinkInside(image, limit) {
  const scale = Math.min(1, limit / Math.max(image.width, image.height));
  if (scale === 1) return image;
  const width = Math.round(image.width * scale);
  const height = Math.round(image.height * scale);
  const rows = boxAverage(image.rgb, image.width, image.height, width, 'x');
  const out = boxAverage(rows, width, image.height, height, 'y');
  return { width, height, rgb: Uint8Array.from(out, (v) => Math.round(v)) };
}

/** Averages RGB pixels along one axis from `from` cells to `to` cells, weighting each source by its overlap. */
function boxAverage(rgb, width, height, to, axis) {
  const from = axis === 'x' ? width : height;
  const outWidth = axis === 'x' ? to : width;
  const outHeight = axis === 'x' ? height : to;
  const out = new Float64Array(outWidth * outHeight * 3);
  const step = from / to;
  const lines = axis === 'x' ? height : width;
  for (let k = 0; k < to; k++) {
    const start = k * step;
    const end = start + step;
    for (let s = Math.floor(start); s < Math.min(from, Math.ceil(end)); s++) {
      const weight = (Math.min(end, s + 1) - Math.max(start, s)) / step;
      for (let line = 0; line < lines; line++) {
        const src = axis === 'x' ? (line * width + s) * 3 : (s * width + line) * 3;
        const dst = axis === 'x' ? (line * outWidth + k) * 3 : (k * outWidth + line) * 3;
        out[dst] += rgb[src] * weight;
        out[dst + 1] += rgb[src + 1] * weight;
        out[dst + 2] += rgb[src + 2] * weight;
      }
    }
  }
  return out;
}

/** Downloads and unpacks the packages into the cache, once. */
function unpack() {
  return unpackDebianPackages(
    PACKAGES,
    CACHE,
    [`${PAT}Wood/wood1.pat`, `${SKIMAGE}coffee.png`, `${MATE}nature/Wood.jpg`, `${GNOME}wood-l.webp`],
    'surfaces for the realistic corner scenes',
  );
}

/**
 * Every surface as RGB bytes (photos shrunk to at most 900 px), with its mean luminance, from a
 * cache file after the first call.
 * @returns {Promise<{ name: string, group: string, width: number, height: number, rgb: Uint8Array, luminance: number }[]>}
 */
export async function loadSurfaces() {
  const bundle = `${CACHE}surfaces-${VERSION}.bin`;
  const index = `${CACHE}surfaces-${VERSION}.json`;
  if (existsSync(bundle) && existsSync(index)) {
    const bytes = readFileSync(bundle);
    return JSON.parse(readFileSync(index, 'utf8')).map((s) => ({
      ...s,
      rgb: new Uint8Array(bytes.buffer, bytes.byteOffset + s.offset, s.width * s.height * 3),
    }));
  }
  const root = unpack();
  // GIMP files its patterns in folders by theme (Wood/, Stone/, …): found by name.
  const patterns = new Map(readdirSync(root + PAT, { recursive: true }).map((f) => [String(f).split('/').pop(), `${root}${PAT}${f}`]));
  const out = [];
  for (const surface of SURFACES) {
    const path = surface.file.startsWith(PAT) ? patterns.get(surface.file.slice(PAT.length)) : root + surface.file;
    let image;
    if (path.endsWith('.pat')) image = readPat(readFileSync(path));
    else {
      const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      image = shrinkInside({ width: info.width, height: info.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.length) }, 900);
    }
    let sum = 0;
    for (let i = 0; i < image.rgb.length; i += 3) sum += 0.299 * image.rgb[i] + 0.587 * image.rgb[i + 1] + 0.114 * image.rgb[i + 2];
    out.push({ name: surface.name, group: surface.group, ...image, luminance: sum / (image.width * image.height) });
  }
  let offset = 0;
  const meta = out.map((s) => {
    const m = { name: s.name, group: s.group, width: s.width, height: s.height, luminance: Math.round(s.luminance), offset };
    offset += s.rgb.length;
    return m;
  });
  // Each file whole or not at (renamed into place, as parallel test files may both write it), the index last: a
  // reader that finds it finds the whole bundle.
  const place = (path, data) => {
    writeFileSync(`${path}.${process.pid}`, data);
    renameSync(`${path}.${process.pid}`, path);
  };
  place(bundle, Buffer.concat(out.map((s) => s.rgb)));
  place(index, JSON.stringify(meta));
  return out;
}
