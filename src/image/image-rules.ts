/**
 * Pure decisions of the image pipeline: what to accept, when bytes can be sent untouched,
 * how to drop metadata losslessly, and how to search for the largest image that fits.
 */
import { type Size, fitCanvas } from './canvas-limit.ts';
import { LivenessError } from '../check/errors.ts';
import { MAX_INPUT_BYTES, MAX_PIXELS, MIN_LONG_SIDE, MIN_SHORT_SIDE } from './limits.ts';
import { type ImageSniff, type SendableFormat, isSendableFormat, jpegHasEndMarker, jpegSegments, orientedSize } from './sniff.ts';

export { DEFAULT_MAX_BYTES, MAX_INPUT_BYTES, MAX_PIXELS, MIN_LONG_SIDE, MIN_SHORT_SIDE } from './limits.ts';

export const HEIC_HELP =
  'This is an HEIC photo, which this browser cannot read. On an iPhone choose Settings › Camera › Formats › Most Compatible, or share the photo as JPEG, then try again.';

/** Checks what the header says, before any decoding. Throws the error to show. */
export function assertAcceptableHeader(sniff: ImageSniff, byteLength: number): void {
  if (byteLength === 0) throw new LivenessError('invalid-file', 'The file is empty.');
  if (byteLength > MAX_INPUT_BYTES) {
    throw new LivenessError('image-too-large', `The file is larger than ${MAX_INPUT_BYTES / 1_000_000} MB. Choose a smaller photo.`);
  }
  if (sniff.format === 'heic') return; // decoded where the browser can; see HEIC_HELP
  if (!isSendableFormat(sniff.format)) {
    const what = sniff.format === 'unknown' || sniff.format === 'text' ? 'not an image' : `a ${sniff.format.toUpperCase()} file`;
    throw new LivenessError('unsupported-format', `This file is ${what}. Choose a JPEG, PNG or WebP photo of the document.`);
  }
  const size = orientedSize(sniff);
  if (!size || size.width === 0 || size.height === 0) {
    throw new LivenessError('invalid-file', 'The image header could not be read: the file is damaged.');
  }
  assertAcceptableSize(size.width, size.height);
}

/** Checks displayed dimensions against the minimum resolution and the pixel cap. */
export function assertAcceptableSize(width: number, height: number): void {
  if (width * height > MAX_PIXELS) {
    throw new LivenessError(
      'image-too-large',
      `The image is ${width}×${height} pixels, over the ${MAX_PIXELS / 1_000_000} megapixel limit.`,
    );
  }
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  if (long < MIN_LONG_SIDE || short < MIN_SHORT_SIDE) {
    throw new LivenessError(
      'image-too-small',
      `The image is ${width}×${height} pixels. Use a photo of at least ${MIN_LONG_SIDE}×${MIN_SHORT_SIDE} pixels.`,
    );
  }
}

/** Checks that a file's last bytes close it properly, so truncated uploads are caught. */
export function isComplete(format: SendableFormat, tail: Uint8Array, byteLength: number, head: Uint8Array): boolean {
  if (format === 'jpeg') return jpegHasEndMarker(tail);
  if (format === 'png') {
    const text = String.fromCharCode(...tail.subarray(Math.max(0, tail.length - 12)));
    return text.includes('IEND');
  }
  const riffSize = head[4] | (head[5] << 8) | (head[6] << 16) | (head[7] << 24);
  return riffSize + 8 <= byteLength;
}

// JPEG segments kept when stripping metadata: they affect how pixels decode, and carry nothing personal.
export const KEPT_APP_SEGMENTS = new Set([0xe0 /* JFIF */, 0xe2 /* ICC profile */, 0xee /* Adobe colour transform */]);

/** Drops EXIF, XMP, IPTC, comments and other APPn segments from a JPEG, leaving pixels untouched. */
export function stripJpegMetadata(bytes: Uint8Array): Uint8Array {
  const segments = jpegSegments(bytes);
  const scan = segments.find((segment) => segment.marker === 0xda);
  if (!scan) throw new LivenessError('invalid-file', 'The JPEG has no image data: the file is damaged.');
  const kept = segments.filter(
    (segment) => segment.marker === 0xda || !isMetadataMarker(segment.marker) || KEPT_APP_SEGMENTS.has(segment.marker),
  );
  const parts = [
    bytes.subarray(0, 2),
    ...kept.filter((s) => s !== scan).map((s) => bytes.subarray(s.start, s.end)),
    bytes.subarray(scan.start),
  ];
  return concat(parts);
}

function isMetadataMarker(marker: number): boolean {
  return (marker >= 0xe0 && marker <= 0xef) || marker === 0xfe;
}

// PNG chunks that may carry personal data (text, EXIF with GPS, timestamps).
const PNG_METADATA_CHUNKS = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME']);

/** The chunks of a PNG, in order, up to IEND or the end of the bytes given; a chunk running past the end stops the walk. */
function* pngChunks(bytes: Uint8Array): Generator<{ type: string; start: number; end: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const end = offset + 12 + view.getUint32(offset);
    if (end > bytes.length) return;
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    yield { type, start: offset, end };
    if (type === 'IEND') return;
    offset = end;
  }
}

/** Drops text, EXIF and time chunks from a PNG, leaving pixels untouched. */
export function stripPngMetadata(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const chunk of pngChunks(bytes)) if (!PNG_METADATA_CHUNKS.has(chunk.type)) parts.push(bytes.subarray(chunk.start, chunk.end));
  return concat(parts);
}

/** True when a PNG holds an eXIf chunk, whose orientation the decoder may apply. */
export function pngHasExif(bytes: Uint8Array): boolean {
  for (const { type } of pngChunks(bytes)) {
    if (type === 'eXIf') return true;
    if (type === 'IDAT') return false; // eXIf must come before the image data
  }
  return false;
}

/** The parts, one after another, in one array. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * How an image can be sent without re-encoding: a JPEG or PNG that already fits, is upright and
 * needs only its metadata dropped. Anything else is decoded and re-encoded as JPEG. A CMYK JPEG is
 * re-encoded too: not every server-side decoder reads four-channel JPEGs correctly.
 */
export function canSendLosslessly(sniff: ImageSniff, bytes: number, maxBytes: number): boolean {
  if (bytes > maxBytes) return false;
  if (sniff.format === 'jpeg') return (sniff.orientation ?? 1) === 1 && sniff.components !== 4;
  return sniff.format === 'png';
}

/**
 * Whether a JPEG that fits but is stored on its side (EXIF orientation 2–8) can be sent turned upright in
 * the DCT domain (orientJpeg), its pixels untouched, rather than decoded and encoded again.
 */
export function canTurnLosslessly(sniff: ImageSniff, bytes: number, maxBytes: number): boolean {
  const orientation = sniff.orientation ?? 1;
  return sniff.format === 'jpeg' && bytes <= maxBytes && orientation >= 2 && orientation <= 8 && sniff.components !== 4;
}

/**
 * Output bits per pixel at the quality floor, as a share of a camera JPEG's own bits per pixel:
 * a deliberately low guess, so that decoding at half size never starves the output of pixels.
 */
export const FLOOR_BPP_SHARE = 0.25;

/**
 * Whether to decode a large JPEG at half size inside the decoder (DCT scaling: about twice as fast
 * as a full decode of 48 MP). Only when half size still holds more pixels than the budget is
 * expected to carry, so resolution is never lost to speed.
 */
export function decodeScaleFor(sniff: ImageSniff, fileBytes: number, budget: number): 1 | 0.5 {
  if (sniff.format !== 'jpeg' || !sniff.width || !sniff.height) return 1;
  const pixels = sniff.width * sniff.height;
  const expectedBitsPerPixel = ((fileBytes * 8) / pixels) * FLOOR_BPP_SHARE;
  const carried = (budget * 8) / expectedBitsPerPixel;
  return pixels / 4 >= carried ? 0.5 : 1;
}

/**
 * The size to decode at, as displayed, or undefined for full size: half size where
 * decodeScaleFor allows it, and never more pixels than a canvas may hold, so a 48 MP photo is
 * scaled while it decodes and no full-size canvas is ever needed.
 */
export function decodeTarget(sniff: ImageSniff, fileBytes: number, budget: number): Size | undefined {
  const size = orientedSize(sniff);
  if (!size || !size.width || !size.height) return undefined;
  const scale = decodeScaleFor(sniff, fileBytes, budget);
  const fit = fitCanvas(Math.round(size.width * scale), Math.round(size.height * scale));
  return fit.width < size.width ? fit : undefined;
}

/** One JPEG encode tried by the size search. */
export interface EncodeAttempt {
  /** Scale applied to both sides of the decoded image, at most 1 (never upscale). */
  scale: number;
  /** JPEG quality, 0–1. */
  quality: number;
}

/**
 * Quality bounds of the search. Above the top, bytes buy little. The floor trades a little
 * per-pixel fidelity for resolution, because moiré and halftone patterns need pixels first
 * (the benchmark shows 0.75 keeps more pixels than browser-image-compression in the same bytes).
 */
export const QUALITY_MAX = 0.92;
export const QUALITY_MIN = 0.75;
/** The encoded size aimed at, as a share of the budget, so that most first encodes fit. */
export const TARGET_SHARE = 0.97;

/** Bits per output pixel of a representative sample encoded at `scale` and `quality`. */
export type SampleMeasure = (scale: number, quality: number) => Promise<number>;

/**
 * Picks the one full encode to make, from cheap encodes of a sample: full resolution at the highest
 * quality that fits; otherwise the largest scale that fits at the quality floor, refined on samples
 * taken at that scale (downscaling changes how much detail each pixel carries).
 */
export async function planEncode(width: number, height: number, budget: number, measure: SampleMeasure): Promise<EncodeAttempt> {
  const target = budget * TARGET_SHARE * 8;
  const pixels = width * height;
  const floorBpp = await measure(1, QUALITY_MIN);
  if (floorBpp * pixels <= target) {
    const topBpp = await measure(1, QUALITY_MAX);
    if (topBpp * pixels <= target) return { scale: 1, quality: QUALITY_MAX };
    // Bits grow about linearly with quality in this range: interpolate, then round down.
    const share = (target / pixels - floorBpp) / (topBpp - floorBpp);
    return { scale: 1, quality: Math.floor((QUALITY_MIN + share * (QUALITY_MAX - QUALITY_MIN)) * 100) / 100 };
  }
  // Secant steps on log(bits) against log(scale): the local exponent is learnt from the samples.
  let previous = { scale: 1, bits: floorBpp * pixels };
  let scale = Math.pow(target / previous.bits, 1 / BYTES_EXPONENT);
  for (let step = 0; step < 3; step++) {
    const bits = (await measure(scale, QUALITY_MIN)) * pixels * scale * scale;
    const ratio = target / bits;
    if (ratio > 0.97 && ratio < 1.02) break;
    const learnt = Math.log(bits / previous.bits) / Math.log(scale / previous.scale);
    const exponent = Number.isFinite(learnt) ? Math.min(3, Math.max(1, learnt)) : BYTES_EXPONENT;
    previous = { scale, bits };
    scale = Math.min(1, scale * Math.pow(ratio, 1 / exponent));
  }
  return { scale, quality: QUALITY_MIN };
}

/** An encode that fits and uses at least this share of the budget is kept: more would gain little. */
export const ACCEPT_SHARE = 0.88;
/** How encoded bytes grow with scale, as a first guess: bytes ∝ scale^BYTES_EXPONENT. */
export const BYTES_EXPONENT = 2;

/**
 * The next attempt after an encode of `bytes`, or undefined when that encode is the one to send.
 * Over budget: lower the quality to the floor at full size, then shrink by the measured overshoot.
 * Under budget by a lot while shrunk: grow back towards full size, since resolution is what the
 * liveness model needs.
 */
export function nextAttempt(previous: EncodeAttempt, bytes: number, budget: number): EncodeAttempt | undefined {
  const correction = Math.pow((budget * TARGET_SHARE) / bytes, 1 / BYTES_EXPONENT);
  if (bytes <= budget) {
    if (bytes >= budget * ACCEPT_SHARE || previous.scale >= 1) return undefined;
    return { scale: Math.min(1, previous.scale * correction), quality: previous.quality };
  }
  if (previous.scale === 1 && previous.quality > QUALITY_MIN) {
    return { scale: 1, quality: Math.max(QUALITY_MIN, Math.round((previous.quality - 0.05) * 100) / 100) };
  }
  return { scale: previous.scale * Math.min(0.97, correction), quality: previous.quality };
}

/** File name sent with the image, by type. */
export function fileNameFor(type: string): string {
  return type === 'image/png' ? 'liveness.png' : type === 'image/webp' ? 'liveness.webp' : 'liveness.jpg';
}
