/**
 * The browser half of the image pipeline: decode, orient, size-search and encode.
 * Runs inside our bundled worker (createImageBitmap + OffscreenCanvas exist there), or on the main
 * thread with a `<canvas>` where 2D OffscreenCanvas is missing (canvas.ts); the
 * decisions it follows live in image-pipeline.ts.
 */
import { type AnyContext2D, canvasToBitmap, canvasToBlob, makeCanvas } from './canvas.ts';
import { type Size, fitCanvas, shrinkSteps } from './canvas-limit.ts';
import { LivenessError } from '../check/errors.ts';
import {
  DEFAULT_MAX_BYTES,
  type EncodeAttempt,
  HEIC_HELP,
  MIN_LONG_SIDE,
  MIN_SHORT_SIDE,
  assertAcceptableHeader,
  assertAcceptableSize,
  canSendLosslessly,
  canTurnLosslessly,
  decodeTarget,
  isComplete,
  nextAttempt,
  planEncode,
  pngHasExif,
  stripJpegMetadata,
  stripPngMetadata,
} from './image-rules.ts';
import { jpegScanHolds, orientJpeg } from './jpeg-orient.ts';
import { MIME_TYPES, SNIFF_BYTES, type ImageSniff, isSendableFormat, orientedSize, sniffImage } from './sniff.ts';

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
  /** Where the time went, in ms: for the benchmark. */
  timings: { read: number; decode: number; estimate: number; encodes: number[]; turn?: number; scan?: number };
}

const MAX_ATTEMPTS = 8;
const TAIL_BYTES = 64 * 1024;

async function readBytes(blob: Blob, start?: number, end?: number): Promise<Uint8Array> {
  try {
    // A slice costs a copy more than the whole (3–4 ms for 0.3 MB in WebKit and Chromium).
    const whole = !start && (end === undefined || end >= blob.size);
    return new Uint8Array(await (whole ? blob : blob.slice(start, end)).arrayBuffer());
  } catch {
    throw new LivenessError('invalid-file', 'The file could not be read. Choose it again.');
  }
}

/**
 * Decodes upright at `target` (full size when undefined), and never larger than a canvas may be:
 * inside the JPEG decoder where ImageDecoder exists (Chromium), else through createImageBitmap's
 * resize options, else (an engine that ignores them, or a size the header didn't give) in steps.
 */
export async function decode(blob: Blob, sniff: ImageSniff, target: Size | undefined): Promise<ImageBitmap> {
  let bitmap: ImageBitmap;
  try {
    const full = orientedSize(sniff);
    const inDecoder =
      target && full && typeof ImageDecoder !== 'undefined' ? await decodeScaled(blob, sniff, target.width / full.width) : undefined;
    bitmap =
      inDecoder ??
      (await createImageBitmap(
        blob,
        target
          ? { imageOrientation: 'from-image', resizeWidth: target.width, resizeHeight: target.height, resizeQuality: 'high' }
          : { imageOrientation: 'from-image' },
      ));
  } catch {
    if (sniff.format === 'heic') throw new LivenessError('unsupported-format', HEIC_HELP);
    throw new LivenessError('invalid-file', 'The image could not be decoded: the file is damaged or incomplete.');
  }
  const wanted = target ?? fitCanvas(bitmap.width, bitmap.height);
  if (bitmap.width <= wanted.width && bitmap.height <= wanted.height) return bitmap;
  try {
    return await shrink(bitmap, wanted);
  } finally {
    bitmap.close();
  }
}

/** Shrinks a bitmap in halving steps (see shrinkSteps), on canvases within the limit. */
async function shrink(source: ImageBitmap, to: Size): Promise<ImageBitmap> {
  let current = source;
  for (const step of shrinkSteps({ width: source.width, height: source.height }, to)) {
    const canvas = makeCanvas(step.width, step.height);
    const context = canvas.getContext('2d') as AnyContext2D | null;
    if (!context) throw new LivenessError('compression-failed', 'This browser cannot prepare images.');
    context.imageSmoothingQuality = 'high';
    context.drawImage(current, 0, 0, step.width, step.height);
    const next = await canvasToBitmap(canvas);
    if (current !== source) current.close();
    current = next;
  }
  return current;
}

/** Decodes a JPEG at a smaller size inside the decoder; undefined when the browser didn't do what was asked. */
async function decodeScaled(blob: Blob, sniff: ImageSniff, scale: number): Promise<ImageBitmap | undefined> {
  const expected = orientedSize(sniff);
  if (!expected || !sniff.width || !sniff.height) return undefined;
  const decoder = new ImageDecoder({
    data: blob.stream(),
    type: 'image/jpeg',
    desiredWidth: Math.round(sniff.width * scale),
    desiredHeight: Math.round(sniff.height * scale),
  });
  try {
    const { image } = await decoder.decode();
    try {
      const bitmap = await createImageBitmap(image); // applies the frame's EXIF rotation
      const close = (actual: number, wanted: number) => Math.abs(actual - wanted * scale) <= 8;
      if (close(bitmap.width, expected.width) && close(bitmap.height, expected.height)) return bitmap;
      bitmap.close();
      return undefined;
    } finally {
      image.close();
    }
  } catch {
    return undefined; // the full decode below reports any real damage
  } finally {
    decoder.close();
  }
}

function encode(source: ImageBitmap, width: number, height: number, quality: number, region?: Region[]): Promise<Blob> {
  const canvas = makeCanvas(width, height);
  const context = canvas.getContext('2d') as AnyContext2D | null;
  if (!context) throw new LivenessError('compression-failed', 'This browser cannot prepare images.');
  context.fillStyle = '#fff'; // JPEG has no alpha: flatten onto white, not black
  context.fillRect(0, 0, width, height);
  context.imageSmoothingQuality = 'high';
  if (region) {
    for (const tile of region) context.drawImage(source, tile.sx, tile.sy, tile.sw, tile.sh, tile.dx, tile.dy, tile.dw, tile.dh);
  } else {
    context.drawImage(source, 0, 0, width, height);
  }
  return canvasToBlob(canvas, 'image/jpeg', quality);
}

interface Region {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
  dx: number;
  dy: number;
  dw: number;
  dh: number;
}

/**
 * Four tiles from the middle of each quadrant (1/16 of the area), drawn at `scale`: encoded, they
 * predict the bytes per pixel of the whole image at that scale.
 */
function sampleTiles(width: number, height: number, scale: number): { tiles: Region[]; width: number; height: number } {
  const sw = Math.max(8, Math.floor(width / 8));
  const sh = Math.max(8, Math.floor(height / 8));
  const dw = Math.max(8, Math.round(sw * scale));
  const dh = Math.max(8, Math.round(sh * scale));
  const tiles = [
    [0.3, 0.3, 0, 0],
    [0.7, 0.3, dw, 0],
    [0.3, 0.7, 0, dh],
    [0.7, 0.7, dw, dh],
  ].map(([cx, cy, dx, dy]) => ({ sx: Math.round(cx * width - sw / 2), sy: Math.round(cy * height - sh / 2), sw, sh, dx, dy, dw, dh }));
  return { tiles, width: dw * 2, height: dh * 2 };
}

/**
 * A JPEG stored on its side, turned upright block by block (orientJpeg) with its metadata dropped: the camera's own
 * pixels, in a fraction of a decode and an encode. Undefined when this file can't be turned so (progressive,
 * grown past `maxBytes`, or trimmed under the smallest size); the caller then decodes and encodes. Damaged data is left for that decode to report.
 */
function turnLosslessly(
  bytes: Uint8Array,
  sniff: ImageSniff,
  maxBytes: number,
  timings: PreparedImage['timings'],
): PreparedImage | undefined {
  const upright = orientedSize(sniff);
  if (!upright) return undefined;
  assertAcceptableSize(upright.width, upright.height);
  let turned: ReturnType<typeof orientJpeg>;
  try {
    const started = performance.now();
    turned = orientJpeg(bytes, sniff.orientation ?? 1);
    timings.turn = Math.round(performance.now() - started);
  } catch {
    return undefined;
  }
  if (!turned || turned.bytes.length > maxBytes) return undefined;
  // A trim that takes a photo at the smallest accepted size under it: decode and encode, which keep every pixel.
  if (Math.max(turned.width, turned.height) < MIN_LONG_SIDE || Math.min(turned.width, turned.height) < MIN_SHORT_SIDE) return undefined;
  const type = MIME_TYPES.jpeg;
  const blob = new Blob([turned.bytes as Uint8Array<ArrayBuffer>], { type });
  return {
    blob,
    width: turned.width,
    height: turned.height,
    type,
    bytes: blob.size,
    method: 'lossless',
    sourceWidth: upright.width,
    sourceHeight: upright.height,
    encodes: 0,
    timings,
  };
}

/** An upright JPEG or PNG that already fits, sent with its metadata dropped and its pixels untouched. */
function sendAsItIs(bytes: Uint8Array, format: 'jpeg' | 'png', size: Size, timings: PreparedImage['timings']): PreparedImage {
  assertAcceptableSize(size.width, size.height);
  const stripped = format === 'jpeg' ? stripJpegMetadata(bytes) : stripPngMetadata(bytes);
  const type = MIME_TYPES[format];
  const blob = new Blob([stripped as Uint8Array<ArrayBuffer>], { type });
  return {
    blob,
    width: size.width,
    height: size.height,
    type,
    bytes: blob.size,
    method: 'lossless',
    sourceWidth: size.width,
    sourceHeight: size.height,
    encodes: 0,
    timings,
  };
}

/**
 * Turns any accepted image into one that is at most `maxBytes`, upright and free of metadata,
 * keeping as much resolution as the budget allows. Throws a LivenessError.
 */
export async function prepareImage(file: Blob, options: PrepareOptions = {}): Promise<PreparedImage> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const timings: PreparedImage['timings'] = { read: 0, decode: 0, estimate: 0, encodes: [] };
  let mark = performance.now();
  const lap = () => {
    const now = performance.now();
    const elapsed = Math.round(now - mark);
    mark = now;
    return elapsed;
  };
  const head = await readBytes(file, 0, SNIFF_BYTES);
  // A file no larger than the sniff is read once: each read costs a round trip (5–10 ms in WebKit).
  const whole = file.size <= head.length ? head : undefined;
  const sniff = sniffImage(head);
  assertAcceptableHeader(sniff, file.size);
  if (isSendableFormat(sniff.format)) {
    const tail = whole ? whole.subarray(Math.max(0, file.size - TAIL_BYTES)) : await readBytes(file, Math.max(0, file.size - TAIL_BYTES));
    if (!isComplete(sniff.format, tail, file.size, head)) {
      throw new LivenessError('invalid-file', 'The image is incomplete: the file was cut short. Choose it again.');
    }
  }

  timings.read = lap();
  if (canTurnLosslessly(sniff, file.size, maxBytes)) {
    const turned = turnLosslessly(whole ?? (await readBytes(file)), sniff, maxBytes, timings);
    if (turned) return turned;
  }
  let lossless = canSendLosslessly(sniff, file.size, maxBytes);
  // A file sent as it is is read whole, once.
  let bytes = whole;
  if (lossless && sniff.format === 'jpeg') {
    bytes ??= await readBytes(file);
    const holds = jpegScanHolds(bytes);
    const size = orientedSize(sniff);
    // Every block read as a valid code is proof enough that the file decodes: no decode needed to send it as it is.
    if (holds && size) {
      timings.scan = lap();
      return sendAsItIs(bytes, 'jpeg', size, timings);
    }
    // A damaged scan decodes only in part (a lenient decoder greys the rest): what did decode is encoded again.
    if (holds === false) lossless = false;
  }
  const target = lossless ? undefined : decodeTarget(sniff, file.size, Math.min(maxBytes, file.size));
  const bitmap = await decode(file, sniff, target);
  timings.decode = lap();
  try {
    // Checked on the full size; the size search works on what was decoded.
    const full = bitmap.width < (orientedSize(sniff)?.width ?? 0) ? orientedSize(sniff)! : { width: bitmap.width, height: bitmap.height };
    assertAcceptableSize(full.width, full.height);
    const sourceWidth = full.width;
    const sourceHeight = full.height;
    const decodedWidth = bitmap.width;
    const decodedHeight = bitmap.height;

    if (lossless) {
      bytes ??= await readBytes(file);
      if (sniff.format === 'jpeg' || !pngHasExif(bytes)) return sendAsItIs(bytes, sniff.format === 'jpeg' ? 'jpeg' : 'png', full, timings);
    }

    // Never send a file bigger than the one given.
    const budget = Math.min(maxBytes, file.size);
    const measure = async (scale: number, quality: number) => {
      const sample = sampleTiles(decodedWidth, decodedHeight, scale);
      const blob = await encode(bitmap, sample.width, sample.height, quality, sample.tiles);
      return (blob.size * 8) / (sample.width * sample.height);
    };
    let attempt: EncodeAttempt | undefined = await planEncode(decodedWidth, decodedHeight, budget, measure);
    timings.estimate = lap();
    let best: PreparedImage | undefined;
    for (let encodes = 1; attempt && encodes <= MAX_ATTEMPTS; encodes++) {
      const width = Math.max(1, Math.round(decodedWidth * attempt.scale));
      const height = Math.max(1, Math.round(decodedHeight * attempt.scale));
      const blob = await encode(bitmap, width, height, attempt.quality);
      timings.encodes.push(lap());
      const fits = blob.size <= budget;
      if (fits && (!best || width * height > best.width * best.height)) {
        best = {
          blob,
          width,
          height,
          type: blob.type,
          bytes: blob.size,
          method: 'encoded',
          sourceWidth,
          sourceHeight,
          quality: attempt.quality,
          encodes,
          timings,
        };
      }
      // Once something fits, growing it is worth at most two more encodes.
      if (best && !fits && encodes >= 2) break;
      attempt = nextAttempt(attempt, blob.size, budget);
      if (best && encodes >= 3) break;
    }
    if (best) return best;
    throw new LivenessError('compression-failed', `The image could not be made smaller than ${Math.round(maxBytes / 1000)} KB.`);
  } finally {
    bitmap.close();
  }
}
