/**
 * A small multipart/form-data scanner over the body's chunks (RFC 7578, RFC 2046 §5.1): it finds
 * each part's headers and the byte range of its content without copying the content, so the proxy
 * can forward the image as views of the bytes it received. Strict where a lenient reader would let a
 * malformed body through to a paid upstream call, lenient where the RFCs say a receiver must accept.
 * Web-standard.
 */
import { ByteChunks, search } from './byte-chunks.ts';

/** One part of a multipart body. `start`/`end` index the content in the scanned buffer. */
export interface MultipartPart {
  name: string;
  /** Present (possibly empty) when the part is a file: `filename`, or `filename*` (RFC 8187) decoded. */
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

/** A part's header block is refused past this many bytes (busboy's default limit too). */
export const MAX_PART_HEADER_BYTES = 16 * 1024;
/** Transport padding (spaces and tabs after a delimiter) a sender may add; more is not a sender's padding. */
const MAX_PADDING = 1024;

const HEADER_END = new Uint8Array([13, 10, 13, 10]);
const ascii = (text: string) => Uint8Array.from(text, (char) => char.charCodeAt(0));
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder();

/** RFC 7230 tchar: the characters of a token (parameter names and bare values). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/**
 * The parameters after the first `;` of a header value (`type; a=1; b="x y"`), keys lowercased,
 * quoted strings unescaped; undefined when the syntax is broken or a parameter is repeated (two
 * `name=` or two `boundary=` are ambiguous: readers disagree about which wins).
 */
export function headerParameters(value: string): { head: string; params: Map<string, string> } | undefined {
  const semicolon = value.indexOf(';');
  const head = (semicolon === -1 ? value : value.slice(0, semicolon)).trim();
  const params = new Map<string, string>();
  let i = semicolon === -1 ? value.length : semicolon;
  const skipSpace = () => {
    while (value[i] === ' ' || value[i] === '\t') i++;
  };
  while (i < value.length) {
    if (value[i] !== ';') return undefined;
    i++;
    skipSpace();
    if (i === value.length) break; // a trailing `;`
    const key = TOKEN.exec(value.slice(i, i + 256))?.[0];
    if (!key) return undefined;
    i += key.length;
    skipSpace();
    if (value[i] !== '=') return undefined;
    i++;
    skipSpace();
    let param: string;
    if (value[i] === '"') {
      param = '';
      for (i++; ; i++) {
        if (i >= value.length) return undefined;
        const char = value[i];
        if (char === '"') break;
        if (char === '\\' && i + 1 < value.length) param += value[++i];
        else param += char;
      }
      i++;
    } else {
      const bare = /^[^;\s"]+/.exec(value.slice(i, i + 4096))?.[0];
      if (!bare) return undefined;
      param = bare;
      i += bare.length;
    }
    skipSpace();
    const name = key.toLowerCase();
    if (params.has(name)) return undefined;
    params.set(name, param);
  }
  return { head, params };
}

/** RFC 2046 bchars: 1-70 of them, not ending in a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

/** The boundary of a `multipart/form-data` Content-Type (RFC 2046: 1-70 characters), or undefined. */
export function multipartBoundary(contentType: string | null | undefined): string | undefined {
  if (!contentType || contentType.length > 4096) return undefined;
  const parsed = headerParameters(contentType);
  if (!parsed || parsed.head.toLowerCase() !== 'multipart/form-data') return undefined;
  const boundary = parsed.params.get('boundary');
  return boundary !== undefined && BOUNDARY.test(boundary) ? boundary : undefined;
}

/** An RFC 8187 extended value (`UTF-8''a%20b.jpg`), decoded; undefined when it isn't one. */
function extendedValue(value: string): string | undefined {
  const match = /^(utf-8|iso-8859-1)'[^']*'((?:%[0-9A-Fa-f]{2}|[!#$&+\-.^_`|~0-9A-Za-z])*)$/i.exec(value);
  if (!match) return undefined;
  const bytes = Uint8Array.from(match[2].matchAll(/%([0-9A-Fa-f]{2})|(.)/gs), ([, hex, char]) =>
    hex ? parseInt(hex, 16) : char.charCodeAt(0),
  );
  return (match[1].toLowerCase() === 'utf-8' ? utf8 : latin1).decode(bytes);
}

/**
 * The `name`, `filename` and Content-Type of one part's header block (its bytes read as latin1).
 * RFC 5322 lines: CRLF only, folded lines unfolded, `name:` with no space before the colon, each of
 * Content-Disposition and Content-Type at most once.
 */
function parsePartHeaders(block: string): { name: string; filename?: string; contentType?: string } | undefined {
  // A CR or LF that isn't part of a CRLF is neither a line end nor header text.
  if (/\r(?!\n)|(?<!\r)\n/.test(block)) return undefined;
  const lines: string[] = [];
  for (const line of block.split('\r\n')) {
    if (line[0] === ' ' || line[0] === '\t') {
      if (lines.length === 0) return undefined;
      lines[lines.length - 1] += line; // unfolding: the CRLF goes, the whitespace stays
    } else lines.push(line);
  }
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    // RFC 5322 field names: printable ASCII but the colon; a space before the colon is not one.
    if (colon <= 0 || !/^[!-9;-~]+$/.test(line.slice(0, colon))) return undefined;
    const header = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (header === 'content-disposition') {
      if (disposition !== undefined) return undefined;
      disposition = value;
    } else if (header === 'content-type') {
      if (contentType !== undefined) return undefined;
      contentType = value;
    }
  }
  if (disposition === undefined) return undefined;
  const parsed = headerParameters(disposition);
  if (!parsed || parsed.head.toLowerCase() !== 'form-data') return undefined;
  const { params } = parsed;
  const name = params.get('name');
  if (name === undefined) return undefined;
  // Quoted values are UTF-8 on the wire (RFC 7578 §5.1.1); `filename*` wins over `filename` (RFC 6266 §4.3).
  let starred = params.get('filename*');
  // RFC 2231 continuations, as Python's email folds a long name: filename*0*=utf-8''…; filename*1*=…
  if (starred === undefined && (params.has('filename*0*') || params.has('filename*0'))) {
    starred = '';
    for (let k = 0; params.has(`filename*${k}*`) || params.has(`filename*${k}`); k++) {
      const encoded = params.get(`filename*${k}*`);
      starred += encoded ?? encodeURIComponent(params.get(`filename*${k}`)!);
    }
    if (!params.has('filename*0*')) starred = `utf-8''${starred}`;
  }
  const extended = starred !== undefined ? extendedValue(starred) : undefined;
  if (starred !== undefined && extended === undefined) return undefined;
  const plain = params.get('filename');
  const filename = extended ?? (plain === undefined ? undefined : utf8.decode(ascii(plain)));
  return { name: utf8.decode(ascii(name)), filename, contentType };
}

/**
 * Scans `body` for the parts between `--boundary` delimiters. Stops with 'too-many-parts' as soon
 * as there are more than `maxParts`, so 10,000 fields cost no more than a few. The delimiters come
 * from the positions found as the body arrived, so the scan touches only the parts' header blocks.
 */
export function scanMultipart(input: ByteChunks | Uint8Array, boundary: string, maxParts: number): MultipartPart[] | MultipartScanError {
  const body = input instanceof ByteChunks ? input : ByteChunks.of(input);
  // Each `\r\n--boundary`; a body that opens with `--boundary` has its first one at -2.
  const found = body.occurrences(delimiterNeedle(boundary));
  /** The first delimiter at or after `from`, or -1. */
  const nextDelimiter = (from: number) => {
    let low = 0;
    let high = found.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (found[middle] < from) low = middle + 1;
      else high = middle;
    }
    return low < found.length ? found[low] : -1;
  };
  const dashBoundary = boundary.length + 2;
  const parts: MultipartPart[] = [];
  // A preamble is whatever precedes the first delimiter, even a `--boundary` that doesn't start a line.
  let delimiter = found.length > 0 ? found[0] : -1;
  for (;;) {
    if (delimiter === -1) return 'malformed';
    const cursor = delimiter + 2 + dashBoundary;
    const window = body.bytes(cursor, cursor + MAX_PADDING + 2 + MAX_PART_HEADER_BYTES + HEADER_END.length);
    if (window[0] === 45 && window[1] === 45) return parts; // `--`: the closing delimiter; the epilogue is ignored
    // Transport padding (RFC 2046: receivers must accept it), then the line end.
    let at = 0;
    while (at < window.length && at <= MAX_PADDING && (window[at] === 32 || window[at] === 9)) at++;
    if (window[at] !== 13 || window[at + 1] !== 10) return 'malformed';
    at += 2;
    if (parts.length === maxParts) return 'too-many-parts';
    // The header block ends at the first empty line, within the cap (an empty block ends at once).
    const blockEnd = window[at] === 13 && window[at + 1] === 10 ? at - 2 : search(window, HEADER_END, at);
    if (blockEnd === -1 || blockEnd - at > MAX_PART_HEADER_BYTES) return 'malformed';
    const headers = parsePartHeaders(latin1.decode(window.subarray(at, Math.max(at, blockEnd))));
    if (!headers) return 'malformed';
    const start = cursor + blockEnd + HEADER_END.length;
    const end = nextDelimiter(delimiter + 1);
    // A delimiter inside the padding or the header block (a header line `--boundary: x`) is no header.
    if (end < start) return 'malformed';
    parts.push({ ...headers, start, end });
    delimiter = end;
  }
}
