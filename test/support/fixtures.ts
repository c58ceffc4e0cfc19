/**
 * Test images made by code: photo-like JPEGs with texture and noise, screenshot-like PNGs,
 * EXIF written with piexifjs, and broken files. Seeded, so every run makes the same bytes.
 */
import * as piexifModule from 'piexifjs';
import { gaussianBlur } from './blur.mjs';
import { seededRandom } from './random.mjs';

interface Piexif {
  ImageIFD: Record<string, number>;
  GPSIFD: Record<string, number>;
  dump(exif: Record<string, Record<number, unknown>>): string;
  insert(exif: string, jpeg: string): string;
  load(jpeg: string): Record<string, Record<number, unknown>>;
}
// As a plain script piexifjs sets window.piexif; bundlers that convert CommonJS give a default export.
export const piexif: Piexif =
  (piexifModule as unknown as { default?: Piexif }).default ?? (globalThis as unknown as { piexif: Piexif }).piexif;

export { seededRandom };

/** Draws a photo-like scene: gradient light, a card-like shape with text lines, texture and sensor noise. */
export function drawPhotoLike(
  context: OffscreenCanvasRenderingContext2D,
  width: number,
  height: number,
  seed = 1,
  noise = 18,
  cardShare = 0.6,
): void {
  const random = seededRandom(seed);
  const light = context.createLinearGradient(0, 0, width, height);
  light.addColorStop(0, '#8a7560');
  light.addColorStop(1, '#3b3128');
  context.fillStyle = light;
  context.fillRect(0, 0, width, height);
  // wood-like grain
  for (let i = 0; i < 400; i++) {
    context.strokeStyle = `rgba(${60 + random() * 80},${40 + random() * 50},${20 + random() * 40},0.35)`;
    context.lineWidth = 1 + random() * (width / 800);
    context.beginPath();
    const y = random() * height;
    context.moveTo(0, y);
    context.bezierCurveTo(width / 3, y + random() * 40 - 20, (2 * width) / 3, y + random() * 40 - 20, width, y + random() * 30);
    context.stroke();
  }
  // the card
  const cardWidth = width * cardShare;
  const cardHeight = cardWidth / 1.586;
  const x = (width - cardWidth) / 2;
  const y = (height - cardHeight) / 2;
  context.fillStyle = '#e9eef5';
  context.fillRect(x, y, cardWidth, cardHeight);
  context.fillStyle = '#2d5d9f';
  context.fillRect(x, y, cardWidth, cardHeight * 0.16);
  context.fillStyle = '#b9a48f';
  context.fillRect(x + cardWidth * 0.05, y + cardHeight * 0.25, cardWidth * 0.25, cardHeight * 0.6);
  context.fillStyle = '#222';
  for (let line = 0; line < 7; line++) {
    context.fillRect(x + cardWidth * 0.35, y + cardHeight * (0.27 + line * 0.09), cardWidth * (0.3 + random() * 0.3), cardHeight * 0.035);
  }
  // guilloche-like fine pattern, the kind of detail a liveness model looks at
  context.strokeStyle = 'rgba(45,93,159,0.25)';
  context.lineWidth = Math.max(1, width / 4000);
  for (let i = 0; i < 120; i++) {
    context.beginPath();
    context.arc(x + cardWidth * 0.7, y + cardHeight * 0.6, (i * cardHeight) / 200, 0, Math.PI * 2);
    context.stroke();
  }
  // sensor noise
  if (noise > 0) {
    const image = context.getImageData(0, 0, width, height);
    const data = image.data;
    for (let i = 0; i < data.length; i += 4) {
      const n = (random() - 0.5) * noise;
      data[i] += n;
      data[i + 1] += n;
      data[i + 2] += n;
    }
    context.putImageData(image, 0, 0);
  }
}

function canvas(width: number, height: number): [OffscreenCanvas, OffscreenCanvasRenderingContext2D] {
  const surface = new OffscreenCanvas(width, height);
  return [surface, surface.getContext('2d')!];
}

/** A photo-like JPEG as a phone would produce it. */
export async function photoJpeg(
  width: number,
  height: number,
  options: { seed?: number; quality?: number; noise?: number } = {},
): Promise<Blob> {
  const [surface, context] = canvas(width, height);
  drawPhotoLike(context, width, height, options.seed ?? 1, options.noise ?? 18);
  return surface.convertToBlob({ type: 'image/jpeg', quality: options.quality ?? 0.92 });
}

/** A screenshot-like PNG: flat panels, text-like bars, a photo area. */
export async function screenshotPng(width: number, height: number, seed = 2): Promise<Blob> {
  const [surface, context] = canvas(width, height);
  const random = seededRandom(seed);
  context.fillStyle = '#f4f6f8';
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#1f2937';
  context.fillRect(0, 0, width, height * 0.06);
  for (let row = 0; row < 60; row++) {
    context.fillStyle = row % 5 === 0 ? '#2563eb' : '#374151';
    context.fillRect(width * 0.05, height * (0.1 + row * 0.014), width * (0.2 + random() * 0.4), height * 0.006);
  }
  context.save();
  context.translate(width * 0.55, height * 0.15);
  drawPhotoLike(context, width * 0.4, height * 0.5, seed, 10);
  context.restore();
  return surface.convertToBlob({ type: 'image/png' });
}

export async function blobToBinaryString(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return text;
}

export function binaryStringToBlob(text: string, type: string): Blob {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return new Blob([bytes], { type });
}

/** Writes EXIF (orientation and a GPS position) into a JPEG with piexifjs. */
export async function withExif(jpeg: Blob, exif: { orientation?: number; gps?: boolean }): Promise<Blob> {
  const zeroth: Record<number, unknown> = { [piexif.ImageIFD.Make]: 'TestPhone', [piexif.ImageIFD.Model]: 'Fixture 1' };
  if (exif.orientation) zeroth[piexif.ImageIFD.Orientation] = exif.orientation;
  const gps: Record<number, unknown> = {};
  if (exif.gps) {
    gps[piexif.GPSIFD.GPSLatitudeRef] = 'N';
    gps[piexif.GPSIFD.GPSLatitude] = [
      [48, 1],
      [51, 1],
      [2406, 100],
    ];
    gps[piexif.GPSIFD.GPSLongitudeRef] = 'E';
    gps[piexif.GPSIFD.GPSLongitude] = [
      [2, 1],
      [17, 1],
      [4000, 100],
    ];
  }
  const dump = piexif.dump({ '0th': zeroth, Exif: {}, GPS: gps });
  return binaryStringToBlob(piexif.insert(dump, await blobToBinaryString(jpeg)), 'image/jpeg');
}

/**
 * A JPEG stored sideways with EXIF orientation 6 (rotate 90° clockwise to display), with a red
 * block that lands at the top-left only when the orientation is applied. Displayed: 800×1200.
 */
export async function sidewaysJpegWithGps(): Promise<Blob> {
  const [surface, context] = canvas(1200, 800);
  drawPhotoLike(context, 1200, 800, 3);
  context.fillStyle = '#ff0000';
  context.fillRect(0, 800 - 200, 200, 200); // bottom-left when stored = top-left when displayed
  const jpeg = await surface.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
  return withExif(jpeg, { orientation: 6, gps: true });
}

/** The average colour of a square region of an image, after the browser's own orientation handling. */
export async function averageColour(blob: Blob, x: number, y: number, size: number): Promise<[number, number, number]> {
  const bitmap = await createImageBitmap(blob);
  const [, context] = canvas(bitmap.width, bitmap.height);
  context.drawImage(bitmap, 0, 0);
  const data = context.getImageData(x, y, size, size).data;
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) {
    sum[0] += data[i];
    sum[1] += data[i + 1];
    sum[2] += data[i + 2];
  }
  const count = data.length / 4;
  return [sum[0] / count, sum[1] / count, sum[2] / count];
}

export function base64ToBlob(base64: string, type: string): Blob {
  return binaryStringToBlob(atob(base64), type);
}

export const textAsJpeg = () =>
  new File(['This is not an image, only text pretending to be one.\n'.repeat(20)], 'photo.jpg', { type: 'image/jpeg' });
export const svgFile = () =>
  new File(
    ['<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="800" height="600"/></svg>'],
    'card.svg',
    { type: 'image/svg+xml' },
  );
export const emptyFile = () => new File([], 'empty.jpg', { type: 'image/jpeg' });

/** The first 60 % of a real JPEG: the header is fine, the image data is cut short. */
export async function truncatedJpeg(): Promise<File> {
  const jpeg = await photoJpeg(1024, 768);
  return new File([jpeg.slice(0, Math.floor(jpeg.size * 0.6))], 'cut.jpg', { type: 'image/jpeg' });
}

/** A JPEG signature followed by noise: recognisably JPEG, but with no readable header. */
export function corruptJpeg(): File {
  const random = seededRandom(7);
  const bytes = new Uint8Array(40_000).map(() => Math.floor(random() * 256));
  bytes.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x02]);
  bytes.set([0xff, 0xd9], bytes.length - 2);
  return new File([bytes], 'corrupt.jpg', { type: 'image/jpeg' });
}

export type CardVariant = 'sharp' | 'blurred' | 'glare' | 'dark' | 'bright';

/**
 * One rendered ID card on a table, and its variants for the quality gate: blurred with a
 * Gaussian of σ = 3, with a specular highlight, under- and over-exposed.
 */
export async function cardPhoto(
  variant: CardVariant,
  options: { width?: number; height?: number; cardShare?: number } = {},
): Promise<ImageBitmap> {
  const { width = 2400, height = 1800, cardShare = 0.8 } = options;
  const [sharp, sharpContext] = canvas(width, height);
  drawPhotoLike(sharpContext, width, height, 21, 12, cardShare);
  const [out, context] = canvas(width, height);
  // CSS's blur() is a Gaussian of σ = 3px too: the fast native one where context.filter exists.
  const nativeBlur = variant === 'blurred' && 'filter' in context;
  if (nativeBlur) context.filter = 'blur(3px)';
  context.drawImage(sharp, 0, 0);
  context.filter = 'none';
  // WebKit has no context.filter: the same operations on the pixels.
  if ((variant === 'blurred' && !nativeBlur) || variant === 'dark' || variant === 'bright') {
    const image = context.getImageData(0, 0, width, height);
    const { data } = image;
    if (variant === 'blurred') {
      const rgb = new Float32Array(width * height * 3);
      for (let i = 0, j = 0; i < data.length; i += 4, j += 3) rgb.set([data[i], data[i + 1], data[i + 2]], j);
      const blurred = gaussianBlur(rgb, width, height, 3);
      for (let i = 0, j = 0; i < data.length; i += 4, j += 3) data.set([blurred[j], blurred[j + 1], blurred[j + 2]], i);
    } else {
      const factor = variant === 'dark' ? 0.3 : 1.9; // as CSS brightness(): a multiply, clamped
      for (let i = 0; i < data.length; i += 4) data.set([data[i] * factor, data[i + 1] * factor, data[i + 2] * factor], i);
    }
    context.putImageData(image, 0, 0);
  }
  if (variant === 'glare') {
    const x = width * 0.62;
    const y = height * 0.42;
    const radius = width * cardShare * 0.09;
    const light = context.createRadialGradient(x, y, 0, x, y, radius);
    light.addColorStop(0, 'rgba(255,255,255,1)');
    light.addColorStop(0.6, 'rgba(255,255,255,1)');
    light.addColorStop(1, 'rgba(255,255,255,0)');
    context.fillStyle = light;
    context.fillRect(x - radius, y - radius, radius * 2, radius * 2);
  }
  return createImageBitmap(out);
}

/** An ImageBitmap as a JPEG file, as a user would pick it. */
export async function bitmapToFile(bitmap: ImageBitmap, name = 'card.jpg'): Promise<File> {
  const [surface, context] = canvas(bitmap.width, bitmap.height);
  context.drawImage(bitmap, 0, 0);
  return new File([await surface.convertToBlob({ type: 'image/jpeg', quality: 0.92 })], name, { type: 'image/jpeg' });
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array<ArrayBuffer> {
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(new TextEncoder().encode(type), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

/**
 * A real PNG written byte by byte (zlib through CompressionStream), for what a canvas can't make:
 * 16-bit channels with alpha, or a header that declares a huge size over tiny data.
 */
export async function handMadePng(options: {
  width: number;
  height: number;
  bitDepth: 8 | 16;
  declaredWidth?: number;
  declaredHeight?: number;
}): Promise<File> {
  const { width, height, bitDepth } = options;
  const channels = 4; // RGBA
  const bytesPerPixel = (channels * bitDepth) / 8;
  const raw = new Uint8Array((width * bytesPerPixel + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * bytesPerPixel + 1); // filter byte 0 = None
    for (let x = 0; x < width; x++) {
      const i = row + 1 + x * bytesPerPixel;
      const value = [(x * 255) / width, (y * 255) / height, 128, 255];
      for (let c = 0; c < channels; c++) {
        if (bitDepth === 16) {
          raw[i + c * 2] = value[c];
          raw[i + c * 2 + 1] = (x + y) & 0xff;
        } else raw[i + c] = value[c];
      }
    }
  }
  const compressed = new Uint8Array(
    await new Response(new Blob([raw]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer(),
  );
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, options.declaredWidth ?? width);
  view.setUint32(4, options.declaredHeight ?? height);
  header.set([bitDepth, 6, 0, 0, 0], 8); // colour type 6: RGBA
  const signature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new File([signature, pngChunk('IHDR', header), pngChunk('IDAT', compressed), pngChunk('IEND', new Uint8Array())], 'image.png', {
    type: 'image/png',
  });
}

/** A two-frame animated GIF (the smallest valid one that still animates). */
export function animatedGif(): File {
  const frame = [0x21, 0xf9, 0x04, 0x04, 0x0a, 0x00, 0x00, 0x00, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00];
  const bytes = new Uint8Array([
    ...new TextEncoder().encode('GIF89a'),
    1,
    0,
    1,
    0,
    0x80,
    0,
    0,
    0,
    0,
    0,
    0xff,
    0xff,
    0xff,
    0x21,
    0xff,
    0x0b,
    ...new TextEncoder().encode('NETSCAPE2.0'),
    0x03,
    0x01,
    0x00,
    0x00,
    0x00,
    ...frame,
    ...frame,
    0x3b,
  ]);
  return new File([bytes], 'animated.gif', { type: 'image/gif' });
}
