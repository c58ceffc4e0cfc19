/**
 * The browser half of the image pipeline: decode, orient, size-search and encode.
 * Runs inside our bundled worker (createImageBitmap + OffscreenCanvas exist there); the
 * decisions it follows live in image-pipeline.ts.
 */
import { LivenessError } from './errors.ts';
import {
  DEFAULT_MAX_BYTES,
  type EncodeAttempt,
  HEIC_HELP,
  QUALITY_MAX,
  QUALITY_MIN,
  assertAcceptableHeader,
  assertAcceptableSize,
  canSendLosslessly,
  isComplete,
  nextAttempt,
  planEncode,
  pngHasExif,
  stripJpegMetadata,
  stripPngMetadata,
} from './image-pipeline.ts';
import { MIME_TYPES, SNIFF_BYTES, type ImageSniff, isSendableFormat, sniffImage } from './sniff.ts';

export interface PrepareOptions {
  /** Hard upper bound on the output size, in bytes. */
  maxBytes?: number;
}

/** The image that will be sent, and how it was made. */
export interface PreparedImage {
  blob: Blob;
  width: number;
  height: number;
  type: string;
  bytes: number;
  /** `lossless`: the original pixels with metadata dropped; `encoded`: decoded and re-encoded. */
  method: 'lossless' | 'encoded';
  /** Source dimensions as displayed (after EXIF orientation). */
  sourceWidth: number;
  sourceHeight: number;
  /** JPEG quality of the final encode. */
  quality?: number;
  /** Number of full-size encodes made. */
  encodes: number;
}

const MAX_ATTEMPTS = 8;
const TAIL_BYTES = 64 * 1024;

async function readBytes(blob: Blob, start?: number, end?: number): Promise<Uint8Array> {
  try {
    return new Uint8Array(await blob.slice(start, end).arrayBuffer());
  } catch {
    throw new LivenessError('invalid-file', 'The file could not be read. Choose it again.');
  }
}

async function decode(blob: Blob, sniff: ImageSniff): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch {
    if (sniff.format === 'heic') throw new LivenessError('unsupported-format', HEIC_HELP);
    throw new LivenessError('invalid-file', 'The image could not be decoded: the file is damaged or incomplete.');
  }
}

function encode(source: ImageBitmap, width: number, height: number, quality: number, region?: Region[]): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (!context) throw new LivenessError('compression-failed', 'This browser cannot prepare images.');
  context.fillStyle = '#fff'; // JPEG has no alpha: flatten onto white, not black
  context.fillRect(0, 0, width, height);
  context.imageSmoothingQuality = 'high';
  if (region) {
    for (const tile of region) context.drawImage(source, tile.sx, tile.sy, tile.w, tile.h, tile.dx, tile.dy, tile.w, tile.h);
  } else {
    context.drawImage(source, 0, 0, width, height);
  }
  return canvas.convertToBlob({ type: 'image/jpeg', quality });
}

interface Region {
  sx: number;
  sy: number;
  dx: number;
  dy: number;
  w: number;
  h: number;
}

/** Four full-resolution tiles from the middle of each quadrant, as one sample of 1/16 of the area. */
function sampleTiles(width: number, height: number): Region[] {
  const w = Math.max(8, Math.floor(width / 8));
  const h = Math.max(8, Math.floor(height / 8));
  const tiles: Region[] = [];
  for (const [cx, cy, dx, dy] of [
    [0.3, 0.3, 0, 0],
    [0.7, 0.3, w, 0],
    [0.3, 0.7, 0, h],
    [0.7, 0.7, w, h],
  ]) {
    tiles.push({ sx: Math.round(cx * width - w / 2), sy: Math.round(cy * height - h / 2), dx, dy, w, h });
  }
  return tiles;
}

/** Bits per pixel at the top and bottom qualities, measured on a sample, interpolated between. */
async function estimateBitsPerPixel(bitmap: ImageBitmap): Promise<(quality: number) => number> {
  const tiles = sampleTiles(bitmap.width, bitmap.height);
  const width = tiles[0].w * 2;
  const height = tiles[0].h * 2;
  const [high, low] = await Promise.all([
    encode(bitmap, width, height, QUALITY_MAX, tiles),
    encode(bitmap, width, height, QUALITY_MIN, tiles),
  ]);
  const pixels = width * height;
  const bppHigh = (high.size * 8) / pixels;
  const bppLow = (low.size * 8) / pixels;
  return (quality) => bppLow + ((quality - QUALITY_MIN) / (QUALITY_MAX - QUALITY_MIN)) * (bppHigh - bppLow);
}

/**
 * Turns any accepted image into one that is at most `maxBytes`, upright and free of metadata,
 * keeping as much resolution as the budget allows. Throws a LivenessError.
 */
export async function prepareImage(file: Blob, options: PrepareOptions = {}): Promise<PreparedImage> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const head = await readBytes(file, 0, SNIFF_BYTES);
  const sniff = sniffImage(head);
  assertAcceptableHeader(sniff, file.size);
  if (isSendableFormat(sniff.format)) {
    const tail = await readBytes(file, Math.max(0, file.size - TAIL_BYTES));
    if (!isComplete(sniff.format, tail, file.size, head)) {
      throw new LivenessError('invalid-file', 'The image is incomplete: the file was cut short. Choose it again.');
    }
  }

  const bitmap = await decode(file, sniff);
  try {
    const sourceWidth = bitmap.width;
    const sourceHeight = bitmap.height;
    assertAcceptableSize(sourceWidth, sourceHeight);

    if (canSendLosslessly(sniff, file.size, maxBytes)) {
      const bytes = await readBytes(file);
      if (sniff.format === 'jpeg' || !pngHasExif(bytes)) {
        const stripped = sniff.format === 'jpeg' ? stripJpegMetadata(bytes) : stripPngMetadata(bytes);
        const type = MIME_TYPES[sniff.format === 'jpeg' ? 'jpeg' : 'png'];
        const blob = new Blob([stripped as Uint8Array<ArrayBuffer>], { type });
        return { blob, width: sourceWidth, height: sourceHeight, type, bytes: blob.size, method: 'lossless', sourceWidth, sourceHeight, encodes: 0 };
      }
    }

    // Never send a file bigger than the one given.
    const budget = Math.min(maxBytes, file.size);
    const bitsPerPixel = await estimateBitsPerPixel(bitmap);
    let attempt: EncodeAttempt = planEncode(sourceWidth * sourceHeight, budget, bitsPerPixel);
    for (let encodes = 1; encodes <= MAX_ATTEMPTS; encodes++) {
      const width = Math.max(1, Math.round(sourceWidth * attempt.scale));
      const height = Math.max(1, Math.round(sourceHeight * attempt.scale));
      const blob = await encode(bitmap, width, height, attempt.quality);
      if (blob.size <= budget) {
        return { blob, width, height, type: blob.type, bytes: blob.size, method: 'encoded', sourceWidth, sourceHeight, quality: attempt.quality, encodes };
      }
      attempt = nextAttempt(attempt, blob.size, budget);
    }
    throw new LivenessError('compression-failed', `The image could not be made smaller than ${Math.round(maxBytes / 1000)} KB.`);
  } finally {
    bitmap.close();
  }
}
