/** Reading and validating the liveness form, shared by the proxy and the sandbox. */
import type { LivenessServerErrorCode } from './http.ts';

/** Room for the multipart boundaries and the two code fields on top of the image. */
export const FORM_FIELD_ALLOWANCE = 16 * 1024;

/** The only fields a liveness form may carry, each once. */
const LIVENESS_FIELDS: readonly string[] = ['liveness_image', 'country_code', 'card_code'];

/** Accura's image limit: 1 MB. */
export const DEFAULT_MAX_BYTES = 1_000_000;

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
  image: Uint8Array<ArrayBuffer>;
  countryCode: string;
  cardCode: string;
}

export interface LivenessFormError {
  ok: false;
  status: 400 | 413;
  code: LivenessServerErrorCode;
  message: string;
}

/**
 * Parses `liveness_image`, `country_code` and `card_code` from a multipart body (already
 * size-limited by the caller). Any other or repeated field is a 400. Does not look at the image bytes.
 */
export async function readLivenessForm(request: Request, maxBytes: number): Promise<LivenessForm | LivenessFormError> {
  const error = (status: 400 | 413, code: LivenessServerErrorCode, message: string): LivenessFormError => ({ ok: false, status, code, message });
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return error(400, 'malformed-body', 'Expected a multipart/form-data body');
  }
  // Refused, not dropped: 10,000 fields or a 1 MB name then cost one bounded parse, never a pass.
  const names = [...form.keys()];
  if (names.length > LIVENESS_FIELDS.length || names.some((name) => !LIVENESS_FIELDS.includes(name))) {
    return error(400, 'unexpected-field', 'Only liveness_image, country_code and card_code are accepted, each once');
  }
  const image = form.get('liveness_image');
  if (!(image instanceof Blob) || image.size === 0) return error(400, 'missing-field', 'liveness_image must be a non-empty file');
  if (image.size > maxBytes) return error(413, 'payload-too-large', `liveness_image is larger than ${maxBytes} bytes`);
  const country = form.get('country_code');
  const card = form.get('card_code');
  if (typeof country !== 'string' || country.trim() === '') return error(400, 'missing-field', 'country_code is required');
  if (typeof card !== 'string' || card.trim() === '') return error(400, 'missing-field', 'card_code is required');
  const countryCode = normalizeCountryCode(country);
  if (!countryCode) return error(400, 'invalid-field', 'country_code must be 3 letters (ISO 3166-1 alpha-3, e.g. IND)');
  const cardCode = normalizeCardCode(card);
  if (!cardCode) return error(400, 'invalid-field', 'card_code must be 1-16 characters of A-Z, a-z, 0-9, _ or -');
  return { ok: true, image: new Uint8Array(await image.arrayBuffer()), countryCode, cardCode };
}
