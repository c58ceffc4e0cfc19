/**
 * Pure decisions of the image pipeline: what to accept, when bytes can be sent untouched,
 * how to drop metadata losslessly, and how to search for the largest image that fits.
 */
import { LivenessError } from './errors.ts';
import { type ImageSniff, type SendableFormat, isSendableFormat, jpegHasEndMarker, jpegSegments, orientedSize } from './sniff.ts';

/** Smallest accepted image, as displayed: a card photo below this has too little detail to judge. */
export const MIN_LONG_SIDE = 640;
export const MIN_SHORT_SIDE = 400;
/** Largest accepted image, read from the header before decoding: guards against decompression bombs. */
export const MAX_PIXELS = 100_000_000;
/** Largest accepted file; a bigger one is refused from its size alone, without reading it. */
export const MAX_INPUT_BYTES = 50_000_000;
/** The API's limit, and the default of `maxBytes`. */
export const DEFAULT_MAX_BYTES = 1_000_000;

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
const KEPT_APP_SEGMENTS = new Set([0xe0 /* JFIF */, 0xe2 /* ICC profile */, 0xee /* Adobe colour transform */]);

/** Drops EXIF, XMP, IPTC, comments and other APPn segments from a JPEG, leaving pixels untouched. */
export function stripJpegMetadata(bytes: Uint8Array): Uint8Array {
  const segments = jpegSegments(bytes);
  const scan = segments.find((segment) => segment.marker === 0xda);
  if (!scan) throw new LivenessError('invalid-file', 'The JPEG has no image data: the file is damaged.');
  const kept = segments.filter(
    (segment) => segment.marker === 0xda || !isMetadataMarker(segment.marker) || KEPT_APP_SEGMENTS.has(segment.marker),
  );
  const parts = [bytes.subarray(0, 2), ...kept.filter((s) => s !== scan).map((s) => bytes.subarray(s.start, s.end)), bytes.subarray(scan.start)];
  return concat(parts);
}

function isMetadataMarker(marker: number): boolean {
  return (marker >= 0xe0 && marker <= 0xef) || marker === 0xfe;
}

// PNG chunks that may carry personal data (text, EXIF with GPS, timestamps).
const PNG_METADATA_CHUNKS = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME']);

/** Drops text, EXIF and time chunks from a PNG, leaving pixels untouched. */
export function stripPngMetadata(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > bytes.length) break;
    if (!PNG_METADATA_CHUNKS.has(type)) parts.push(bytes.subarray(offset, end));
    offset = end;
    if (type === 'IEND') break;
  }
  return concat(parts);
}

/** True when a PNG holds an eXIf chunk, whose orientation the decoder may apply. */
export function pngHasExif(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (type === 'eXIf') return true;
    if (type === 'IDAT') return false; // eXIf must come before the image data
    offset += 12 + view.getUint32(offset);
  }
  return false;
}

function concat(parts: Uint8Array[]): Uint8Array {
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
 * needs only its metadata dropped. Anything else is decoded and re-encoded as JPEG.
 */
export function canSendLosslessly(sniff: ImageSniff, bytes: number, maxBytes: number): boolean {
  if (bytes > maxBytes) return false;
  if (sniff.format === 'jpeg') return (sniff.orientation ?? 1) === 1;
  return sniff.format === 'png';
}

/** One JPEG encode tried by the size search. */
export interface EncodeAttempt {
  /** Scale applied to both sides of the decoded image, at most 1 (never upscale). */
  scale: number;
  /** JPEG quality, 0–1. */
  quality: number;
}

/** Quality bounds of the search: above the top the bytes buy little; below the bottom, fine texture (moiré, halftone) is lost. */
export const QUALITY_MAX = 0.92;
export const QUALITY_MIN = 0.8;
/** The encoded size aimed at, as a share of the budget, so that most first encodes fit. */
export const TARGET_SHARE = 0.96;

/**
 * Picks the first full encode from a bytes-per-pixel estimate made on a sample: the highest quality
 * that fits at full resolution, else the largest scale that fits at the lowest quality.
 * `bitsPerPixel(quality)` is the sample's size at that quality.
 */
export function planEncode(pixels: number, budget: number, bitsPerPixel: (quality: number) => number): EncodeAttempt {
  const target = budget * TARGET_SHARE * 8;
  for (const quality of [QUALITY_MAX, 0.88, 0.84, QUALITY_MIN]) {
    if (bitsPerPixel(quality) * pixels <= target) return { scale: 1, quality };
  }
  // Smaller images carry more detail per pixel; the 0.9 exponent accounts for it.
  const scale = Math.min(1, Math.pow(target / (bitsPerPixel(QUALITY_MIN) * pixels), 0.5 / 0.9));
  return { scale, quality: QUALITY_MIN };
}

/** The next attempt after an encode of `bytes` that went over `budget`: shrink by the measured overshoot. */
export function nextAttempt(previous: EncodeAttempt, bytes: number, budget: number): EncodeAttempt {
  const ratio = (budget * TARGET_SHARE) / bytes;
  if (previous.scale === 1 && previous.quality > QUALITY_MIN) {
    // Still full size: trade quality first, down to the floor.
    return { scale: 1, quality: Math.max(QUALITY_MIN, Math.round((previous.quality - 0.05) * 100) / 100) };
  }
  return { scale: previous.scale * Math.min(0.95, Math.sqrt(ratio)), quality: previous.quality };
}

/** File name sent with the image, by type. */
export function fileNameFor(type: string): string {
  return type === 'image/png' ? 'liveness.png' : type === 'image/webp' ? 'liveness.webp' : 'liveness.jpg';
}
