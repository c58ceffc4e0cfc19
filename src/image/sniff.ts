/**
 * Image sniffing from magic bytes and headers: never trust a file name or MIME type.
 * Pure functions over bytes, shared by the browser pipeline and the server.
 */

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'heic' | 'avif' | 'gif' | 'svg' | 'bmp' | 'tiff' | 'pdf' | 'text' | 'unknown';

/** What the first bytes of a file say about it. Dimensions are as stored, before EXIF orientation. */
export interface ImageSniff {
  format: ImageFormat;
  width?: number;
  height?: number;
  /** EXIF orientation 1–8 (JPEG only); 5–8 swap width and height. */
  orientation?: number;
  /** Colour components of a JPEG frame: 1 grey, 3 YCbCr, 4 CMYK/YCCK. */
  components?: number;
}

/** The formats the liveness API accepts, and so the ones we send. */
export const SENDABLE_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type SendableFormat = (typeof SENDABLE_FORMATS)[number];

export const MIME_TYPES: Record<SendableFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

/** How many leading bytes to read for sniffing: enough for EXIF, XMP and the JPEG frame header. */
export const SNIFF_BYTES = 512 * 1024;

export function isSendableFormat(format: ImageFormat): format is SendableFormat {
  return (SENDABLE_FORMATS as readonly string[]).includes(format);
}

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'mif2']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let text = '';
  for (let i = start; i < start + length && i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((value, i) => bytes[offset + i] === value);
}

/** Identifies the format only, from the first 12–16 bytes. */
export function sniffFormat(bytes: Uint8Array): ImageFormat {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'webp';
  if (ascii(bytes, 4, 4) === 'ftyp') {
    const brand = ascii(bytes, 8, 4);
    if (HEIF_BRANDS.has(brand)) return 'heic';
    if (AVIF_BRANDS.has(brand)) return 'avif';
    return 'unknown';
  }
  if (ascii(bytes, 0, 4) === 'GIF8') return 'gif';
  if (ascii(bytes, 0, 2) === 'BM') return 'bmp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (ascii(bytes, 0, 5) === '%PDF-') return 'pdf';
  return sniffText(bytes);
}

function sniffText(bytes: Uint8Array): ImageFormat {
  const head = ascii(bytes, 0, 1024)
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart()
    .toLowerCase();
  if (head.startsWith('<')) return /<svg[\s>]/.test(head) ? 'svg' : 'text';
  // Mostly printable ASCII or UTF-8: call it text.
  const sample = bytes.subarray(0, 512);
  if (sample.length === 0) return 'unknown';
  let printable = 0;
  for (const byte of sample) if (byte === 9 || byte === 10 || byte === 13 || (byte >= 32 && byte < 127) || byte >= 128) printable++;
  return printable / sample.length > 0.95 ? 'text' : 'unknown';
}

/** Format plus stored dimensions (and JPEG orientation) read from headers, without decoding pixels. */
export function sniffImage(bytes: Uint8Array): ImageSniff {
  const format = sniffFormat(bytes);
  switch (format) {
    case 'jpeg':
      return { format, ...readJpegHeader(bytes) };
    case 'png':
      return { format, ...readPngHeader(bytes) };
    case 'webp':
      return { format, ...readWebpHeader(bytes) };
    case 'gif':
      return bytes.length >= 10 ? { format, width: bytes[6] | (bytes[7] << 8), height: bytes[8] | (bytes[9] << 8) } : { format };
    default:
      return { format };
  }
}

function readPngHeader(bytes: Uint8Array): Partial<ImageSniff> {
  if (bytes.length < 24 || ascii(bytes, 12, 4) !== 'IHDR') return {};
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function readWebpHeader(bytes: Uint8Array): Partial<ImageSniff> {
  const chunk = ascii(bytes, 12, 4);
  if (chunk === 'VP8 ' && bytes.length >= 30) {
    return { width: (bytes[26] | (bytes[27] << 8)) & 0x3fff, height: (bytes[28] | (bytes[29] << 8)) & 0x3fff };
  }
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = bytes[21] | (bytes[22] << 8) | (bytes[23] << 16) | (bytes[24] << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X' && bytes.length >= 30) {
    const width = 1 + (bytes[24] | (bytes[25] << 8) | (bytes[26] << 16));
    const height = 1 + (bytes[27] | (bytes[28] << 8) | (bytes[29] << 16));
    return { width, height };
  }
  return {};
}

/** JPEG start-of-frame markers that carry dimensions (all SOFn except DHT, JPG and DAC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** A JPEG marker segment: `start` is the 0xFF byte, `end` is one past its payload. */
export interface JpegSegment {
  marker: number;
  start: number;
  end: number;
}

/**
 * Walks the JPEG marker segments up to the start of scan. Stops quietly at the end of the
 * bytes given, so a header-only read works.
 */
export function jpegSegments(bytes: Uint8Array): JpegSegment[] {
  const segments: JpegSegment[] = [];
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) break;
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2;
      continue;
    }
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    if (length < 2) break;
    const end = offset + 2 + length;
    segments.push({ marker, start: offset, end });
    if (marker === 0xda) break; // start of scan: entropy-coded data follows
    offset = end;
  }
  return segments;
}

function readJpegHeader(bytes: Uint8Array): Partial<ImageSniff> {
  const info: Partial<ImageSniff> = {};
  for (const segment of jpegSegments(bytes)) {
    const payload = segment.start + 4;
    if (segment.marker === 0xe1 && info.orientation === undefined && ascii(bytes, payload, 6) === 'Exif\0\0') {
      const orientation = readExifOrientation(bytes.subarray(payload + 6, Math.min(segment.end, bytes.length)));
      if (orientation) info.orientation = orientation;
    }
    if (isStartOfFrame(segment.marker) && payload + 6 <= bytes.length) {
      info.height = (bytes[payload + 1] << 8) | bytes[payload + 2];
      info.width = (bytes[payload + 3] << 8) | bytes[payload + 4];
      info.components = bytes[payload + 5];
      break;
    }
  }
  return info;
}

/** Reads tag 0x0112 from IFD0 of a TIFF block (the EXIF payload). */
function readExifOrientation(tiff: Uint8Array): number | undefined {
  if (tiff.length < 8) return undefined;
  const littleEndian = tiff[0] === 0x49;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const ifd = view.getUint32(4, littleEndian);
  if (ifd + 2 > tiff.length) return undefined;
  const count = view.getUint16(ifd, littleEndian);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return undefined;
    if (view.getUint16(entry, littleEndian) === 0x0112) {
      const value = view.getUint16(entry + 8, littleEndian);
      return value >= 1 && value <= 8 ? value : undefined;
    }
  }
  return undefined;
}

/** Width and height as displayed, after EXIF orientation. */
export function orientedSize(sniff: ImageSniff): { width: number; height: number } | undefined {
  if (sniff.width === undefined || sniff.height === undefined) return undefined;
  const swap = (sniff.orientation ?? 1) >= 5;
  return swap ? { width: sniff.height, height: sniff.width } : { width: sniff.width, height: sniff.height };
}

/** True when the last bytes of a JPEG hold its end-of-image marker (allowing trailing padding). */
export function jpegHasEndMarker(tail: Uint8Array): boolean {
  for (let i = tail.length - 2; i >= 0; i--) {
    if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
  }
  return false;
}
