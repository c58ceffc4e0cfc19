/**
 * A small multipart/form-data scanner over the body's chunks: it finds each part's headers and the
 * byte range of its content without copying anything, so the proxy can forward the image as views
 * of the bytes it received. Web-standard.
 */
import { ByteChunks } from './byte-chunks.ts';

/** One part of a multipart body. `start`/`end` index the content in the scanned buffer. */
export interface MultipartPart {
  name: string;
  /** Present (possibly empty) when the part is a file. */
  filename?: string;
  contentType?: string;
  start: number;
  end: number;
}

/** What precedes every delimiter but the first: the needle a body's reader can watch for as bytes arrive. */
export function delimiterNeedle(boundary: string): Uint8Array {
  return ascii(`\r\n--${boundary}`);
}

/** Why a body could not be scanned: not multipart at all, or more parts than the caller allows. */
export type MultipartScanError = 'malformed' | 'too-many-parts';

const HEADER_END = new Uint8Array([13, 10, 13, 10]);
const ascii = (text: string) => Uint8Array.from(text, (char) => char.charCodeAt(0));

/** The boundary of a `multipart/form-data` Content-Type (RFC 2046: 1-70 characters), or undefined. */
export function multipartBoundary(contentType: string | null | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))\s*(?:;|$)/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** The `name`, `filename` and Content-Type of one part's header block. */
function parsePartHeaders(text: string): { name: string; filename?: string; contentType?: string } | undefined {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const header = line.slice(0, colon).trim().toLowerCase();
    if (header === 'content-disposition') disposition = line.slice(colon + 1);
    else if (header === 'content-type') contentType = line.slice(colon + 1).trim();
  }
  if (!disposition || !/^\s*form-data\s*(;|$)/i.test(disposition)) return undefined;
  const params = new Map<string, string>();
  for (const [, key, quoted, bare] of disposition.matchAll(/;\s*([A-Za-z*]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g)) {
    params.set(key.toLowerCase(), quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : bare);
  }
  const name = params.get('name');
  if (name === undefined) return undefined;
  return { name, filename: params.get('filename'), contentType };
}

/**
 * Scans `body` for the parts between `--boundary` delimiters. Stops with 'too-many-parts' as soon
 * as there are more than `maxParts`, so 10,000 fields cost no more than a few.
 */
export function scanMultipart(input: ByteChunks | Uint8Array, boundary: string, maxParts: number): MultipartPart[] | MultipartScanError {
  const body = input instanceof ByteChunks ? input : ByteChunks.of(input);
  const delimiter = ascii(`--${boundary}`);
  const next = delimiterNeedle(boundary);
  let position = body.indexOf(delimiter, 0);
  // The first delimiter opens the body or follows a preamble line.
  if (position === -1 || (position > 0 && (body.at(position - 2) !== 13 || body.at(position - 1) !== 10))) return 'malformed';
  const parts: MultipartPart[] = [];
  for (;;) {
    let cursor = position + delimiter.length;
    if (body.at(cursor) === 45 && body.at(cursor + 1) === 45) return parts; // `--`: the closing delimiter
    if (body.at(cursor) !== 13 || body.at(cursor + 1) !== 10) return 'malformed';
    cursor += 2;
    const headerEnd = body.indexOf(HEADER_END, cursor);
    if (headerEnd === -1) return 'malformed';
    if (parts.length === maxParts) return 'too-many-parts';
    const headers = parsePartHeaders(new TextDecoder().decode(body.bytes(cursor, headerEnd)));
    if (!headers) return 'malformed';
    const start = headerEnd + 4;
    const end = body.indexOf(next, start);
    if (end === -1) return 'malformed';
    parts.push({ ...headers, start, end });
    position = end + 2;
  }
}
