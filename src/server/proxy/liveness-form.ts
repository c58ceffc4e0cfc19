/** Reading and validating the liveness form, shared by the proxy and the sandbox. */
import type { LivenessServerErrorCode } from '../http.ts';
import { ByteChunks, joinBytes } from './byte-chunks.ts';
import { multipartBoundary, scanMultipart } from './multipart.ts';

/** Room for the multipart boundaries and the two code fields on top of the image. */
export const FORM_FIELD_ALLOWANCE = 16 * 1024;

/** The only fields a liveness form may carry, each once. */
const LIVENESS_FIELDS: readonly string[] = ['liveness_image', 'country_code', 'card_code'];

/** Accura's image limit, 1 MB: the same constant the widget prepares images for. */
export { DEFAULT_MAX_BYTES } from '../../image/limits.ts';

/** An ISO 3166-1 alpha-3 code, uppercased; undefined when `value` isn't one. */
export function normalizeCountryCode(value: string): string | undefined {
  const code = value.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(code) ? code : undefined;
}

/** A card code such as `MRZ`: 1-16 of [A-Za-z0-9_-]; undefined otherwise. */
export function normalizeCardCode(value: string): string | undefined {
  const code = value.trim();
  return /^[A-Za-z0-9_-]{1,16}$/.test(code) ? code : undefined;
}

export interface LivenessForm {
  ok: true;
  /** The image as views of the body's chunks: no copy. */
  imageParts: Uint8Array[];
  imageLength: number;
  /** The image's first bytes (up to 4 KiB), enough to sniff its format. */
  imageHead: Uint8Array;
  countryCode: string;
  cardCode: string;
}

/** The whole image in one array (a copy unless it lies in one chunk): for the sandbox, which hashes it. */
export function imageBytes(form: LivenessForm): Uint8Array<ArrayBuffer> {
  return joinBytes(form.imageParts) as Uint8Array<ArrayBuffer>;
}

export interface LivenessFormError {
  ok: false;
  status: 400 | 413;
  code: LivenessServerErrorCode;
  message: string;
}

const formError = (status: 400 | 413, code: LivenessServerErrorCode, message: string): LivenessFormError => ({
  ok: false,
  status,
  code,
  message,
});

/**
 * Finds `liveness_image`, `country_code` and `card_code` in a multipart body (already
 * size-limited by the caller) without copying it. Any other or repeated field is a 400
 * `unexpected-field`. Does not look at the image bytes.
 */
export function parseLivenessForm(
  input: ByteChunks | Uint8Array,
  contentType: string | null | undefined,
  maxBytes: number,
): LivenessForm | LivenessFormError {
  const body = input instanceof ByteChunks ? input : ByteChunks.of(input);
  const boundary = multipartBoundary(contentType);
  const parts = boundary === undefined ? 'malformed' : scanMultipart(body, boundary, LIVENESS_FIELDS.length);
  if (parts === 'malformed') return formError(400, 'malformed-body', 'Expected a multipart/form-data body');
  // Refused, not dropped: 10,000 fields or a 1 MB name then cost one bounded scan, never a pass.
  const names = new Set(Array.isArray(parts) ? parts.map((part) => part.name) : []);
  if (parts === 'too-many-parts' || names.size < parts.length || [...names].some((name) => !LIVENESS_FIELDS.includes(name))) {
    return formError(400, 'unexpected-field', 'Only liveness_image, country_code and card_code are accepted, each once');
  }
  const field = (name: string) => parts.find((part) => part.name === name);
  const image = field('liveness_image');
  if (!image || image.filename === undefined || image.end === image.start)
    return formError(400, 'missing-field', 'liveness_image must be a non-empty file');
  if (image.end - image.start > maxBytes) return formError(413, 'payload-too-large', `liveness_image is larger than ${maxBytes} bytes`);
  const text = (name: string) => {
    const part = field(name);
    // A code is a few characters: a long field is not decoded, only refused.
    if (part && part.end - part.start > 256) return part.filename === undefined ? '\u0000' : undefined;
    return part && part.filename === undefined ? new TextDecoder().decode(body.bytes(part.start, part.end)) : undefined;
  };
  const country = text('country_code');
  const card = text('card_code');
  if (country === undefined || country.trim() === '') return formError(400, 'missing-field', 'country_code is required');
  if (card === undefined || card.trim() === '') return formError(400, 'missing-field', 'card_code is required');
  const countryCode = normalizeCountryCode(country);
  if (!countryCode) return formError(400, 'invalid-field', 'country_code must be 3 letters (ISO 3166-1 alpha-3, e.g. IND)');
  const cardCode = normalizeCardCode(card);
  if (!cardCode) return formError(400, 'invalid-field', 'card_code must be 1-16 characters of A-Z, a-z, 0-9, _ or -');
  return {
    ok: true,
    imageParts: body.views(image.start, image.end),
    imageLength: image.end - image.start,
    imageHead: body.bytes(image.start, Math.min(image.end, image.start + 4096)),
    countryCode,
    cardCode,
  };
}

/** Reads the whole (already size-limited) body of `request` once and parses it with {@link parseLivenessForm}. */
export async function readLivenessForm(request: Request, maxBytes: number): Promise<LivenessForm | LivenessFormError> {
  let body: Uint8Array<ArrayBuffer>;
  try {
    body = new Uint8Array(await request.arrayBuffer());
  } catch {
    return formError(400, 'malformed-body', 'Expected a multipart/form-data body');
  }
  return parseLivenessForm(body, request.headers.get('content-type'), maxBytes);
}
