/**
 * Reading a request body once into one buffer, counting bytes against a limit as they arrive.
 * Web-standard; the Node adapter feeds the same collector from `IncomingMessage` events.
 */

/** What reading a body gave: the bytes, too many bytes, or a stream that broke off. */
export type BodyResult = Uint8Array<ArrayBuffer> | 'too-large' | 'unreadable';

/**
 * Collects chunks into one buffer. With an honest Content-Length the buffer is allocated once;
 * a chunked body grows it by doubling. A lying length can't get past `limit`.
 */
export class BodyCollector {
  #buffer: Uint8Array<ArrayBuffer>;
  #length = 0;
  readonly #limit: number;

  /** `buffer`: a buffer to fill (the Node adapter reuses them); it grows past its size only by copying. */
  constructor(limit: number, declaredLength?: number, buffer?: Uint8Array<ArrayBuffer>) {
    this.#limit = limit;
    const declared = Number.isFinite(declaredLength) && declaredLength! >= 0 ? declaredLength! : 64 * 1024;
    this.#buffer = buffer ?? new Uint8Array(Math.min(declared, limit));
  }

  /** Appends a chunk; false when the body is now over the limit (the caller stops reading). */
  push(chunk: Uint8Array): boolean {
    const length = this.#length + chunk.length;
    if (length > this.#limit) return false;
    if (length > this.#buffer.length) {
      const grown = new Uint8Array(Math.min(this.#limit, Math.max(length, this.#buffer.length * 2)));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(chunk, this.#length);
    this.#length = length;
    return true;
  }

  /** The bytes received so far (a view, no copy). */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.#buffer.subarray(0, this.#length);
  }
}

/** A declared Content-Length, or undefined when absent or not a number. */
export function declaredLength(value: string | null | undefined): number | undefined {
  return value !== null && value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/** Reads a Web `Request` body once, refusing an honest oversized length before reading anything. */
export async function readRequestBody(request: Request, limit: number): Promise<BodyResult> {
  const declared = declaredLength(request.headers.get('content-length'));
  if (declared !== undefined && declared > limit) return 'too-large';
  if (!request.body) return new Uint8Array(0);
  const collector = new BodyCollector(limit, declared);
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return collector.bytes();
      if (!collector.push(value)) {
        reader.cancel().catch(() => {});
        return 'too-large';
      }
    }
  } catch {
    return 'unreadable';
  }
}
