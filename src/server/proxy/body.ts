/**
 * Reading a request body once, counting bytes against a limit as they arrive, keeping the chunks
 * as they came. Web-standard; the Node adapter feeds the same collector from `IncomingMessage` events.
 */
import { ByteChunks } from './byte-chunks.ts';

/** What reading a body gave: its chunks, too many bytes, or a stream that broke off. */
export type BodyResult = ByteChunks | 'too-large' | 'unreadable';

/** Collects a body's chunks as they arrive, without copying them, counting against `limit`. */
export class BodyCollector {
  readonly chunks: ByteChunks;
  readonly #limit: number;

  /** `watch`: a needle to find as chunks arrive (see {@link ByteChunks}). */
  constructor(limit: number, watch?: Uint8Array) {
    this.#limit = limit;
    this.chunks = new ByteChunks(watch);
  }

  /** Adds a chunk; false when the body is now over the limit (the caller stops reading). */
  push(chunk: Uint8Array): boolean {
    if (this.chunks.length + chunk.length > this.#limit) return false;
    this.chunks.push(chunk);
    return true;
  }
}

/** A declared Content-Length, or undefined when absent or not a number. */
export function declaredLength(value: string | null | undefined): number | undefined {
  return value !== null && value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/** Reads a Web `Request` body once, refusing an honest oversized length before reading anything. */
export async function readRequestBody(request: Request, limit: number, watch?: Uint8Array): Promise<BodyResult> {
  const declared = declaredLength(request.headers.get('content-length'));
  if (declared !== undefined && declared > limit) return 'too-large';
  const collector = new BodyCollector(limit, watch);
  if (!request.body) return collector.chunks;
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return collector.chunks;
      if (!collector.push(value)) {
        // Not cancelled: the refusal reads the rest away first (discardRequestBody), so the client can read it.
        reader.releaseLock();
        return 'too-large';
      }
    }
  } catch {
    return 'unreadable';
  }
}

/**
 * Reads and drops what is left of a body, up to `limit` bytes and `ms` milliseconds, so a refusal sent
 * before the body was read reaches a client that is still sending: a connection closed under a sending
 * client is reset, and Node's fetch then sees EPIPE instead of the answer. A body declared larger than
 * `limit` is not waited for.
 */
export async function discardRequestBody(request: Request, limit: number, ms: number): Promise<void> {
  const declared = declaredLength(request.headers.get('content-length'));
  if (!request.body || (declared !== undefined && declared > limit)) return;
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = request.body.getReader();
  } catch {
    return; // already read to the end, or locked by the host
  }
  const timer = setTimeout(() => reader.cancel().catch(() => {}), ms);
  try {
    for (let seen = 0; ;) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.length;
      if (seen > limit) return void reader.cancel().catch(() => {});
    }
  } catch {
    // The client went away: nothing left to read.
  } finally {
    clearTimeout(timer);
  }
}
