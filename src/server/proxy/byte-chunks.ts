/**
 * A request body as it arrived: the chunks themselves, never copied into one buffer. The scanner
 * searches across chunk edges, and the proxy forwards views of the chunks. Web-standard; uses
 * Node's Buffer.indexOf when it is there.
 */
const NodeBuffer = (globalThis as { Buffer?: typeof import('node:buffer').Buffer }).Buffer;

/** indexOf of a byte sequence in one array, from `from`: Buffer's native search in Node, a first-byte scan elsewhere. */
export function search(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  if (NodeBuffer) return NodeBuffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle, from);
  for (
    let i = haystack.indexOf(needle[0], from);
    i !== -1 && i <= haystack.length - needle.length;
    i = haystack.indexOf(needle[0], i + 1)
  ) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** The arrays one after another in one array; a single array comes back as it is. */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) joined.set(part, (offset += part.length) - part.length);
  return joined;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

/** Chunks this small are copied into a shared block: a body sent a byte per write stays a few views, not a million. */
const SMALL_CHUNK = 512;
const BLOCK = 16 * 1024;
const CRLF = new Uint8Array([13, 10]);

/**
 * Finds every occurrence of a needle in a stream, in time linear in the bytes whatever the size of
 * each piece: a KMP automaton carries a partial match across edges and runs over small pieces, the
 * native search runs inside large ones. The stream is watched as if it followed a line break, so a
 * multipart body's first delimiter, which needs no CRLF before it, is found at position -2.
 */
class NeedleWatch {
  readonly needle: Uint8Array;
  /** KMP failure function: the longest proper prefix of needle[0..i] that is also its suffix. */
  readonly #fail: Int32Array;
  /** Needle bytes matched at the end of the bytes seen so far. */
  #state = 0;
  readonly found: number[] = [];

  constructor(needle: Uint8Array) {
    this.needle = needle;
    const fail = new Int32Array(needle.length);
    for (let i = 1, k = 0; i < needle.length; i++) {
      while (k > 0 && needle[i] !== needle[k]) k = fail[k - 1];
      if (needle[i] === needle[k]) k++;
      fail[i] = k;
    }
    this.#fail = fail;
    this.#state = this.#step(0, CRLF, 0, CRLF.length, -CRLF.length, true);
  }

  /** Runs the automaton over bytes[from, to) (stream position `offset` for bytes[0]), from `state`. */
  #step(state: number, bytes: Uint8Array, from: number, to: number, offset: number, record: boolean): number {
    const { needle } = this;
    const fail = this.#fail;
    for (let i = from; i < to; i++) {
      const byte = bytes[i];
      while (state > 0 && byte !== needle[state]) state = fail[state - 1];
      if (byte === needle[state]) state++;
      if (state === needle.length) {
        if (record) this.found.push(offset + i + 1 - needle.length);
        state = fail[state - 1];
      }
    }
    return state;
  }

  /** Feeds `chunk`, which starts at stream position `offset`. */
  feed(chunk: Uint8Array, offset: number): void {
    const n = this.needle.length;
    if (chunk.length < 2 * n) {
      this.#state = this.#step(this.#state, chunk, 0, chunk.length, offset, true);
      return;
    }
    // Matches that began before this chunk end within its first n - 1 bytes.
    this.#step(this.#state, chunk, 0, n - 1, offset, true);
    for (let i = search(chunk, this.needle, 0); i !== -1; i = search(chunk, this.needle, i + 1)) this.found.push(offset + i);
    // The state at the end depends on the last n - 1 bytes only (a match is n long).
    this.#state = this.#step(0, chunk, chunk.length - (n - 1), chunk.length, offset, false);
  }
}

/**
 * Bytes held as a list of chunks, addressed as one sequence. Given a needle to watch (the multipart
 * delimiter), it finds each occurrence as the chunk arrives, while the bytes are still in the CPU's
 * cache: searching a megabyte again later, from memory, cost more than all the checks together.
 */
export class ByteChunks {
  #chunks: Uint8Array[] = [];
  #starts: number[] = [];
  #length = 0;
  #watch: NeedleWatch | undefined;
  /** The block small chunks are being copied into, and how much of it is used. */
  #block: Uint8Array | undefined;
  #blockUsed = 0;

  constructor(watch?: Uint8Array) {
    this.#watch = watch && watch.length > 0 ? new NeedleWatch(watch) : undefined;
  }

  /** One array as a single chunk (no copy). */
  static of(bytes: Uint8Array, watch?: Uint8Array): ByteChunks {
    const chunks = new ByteChunks(watch);
    chunks.push(bytes);
    return chunks;
  }

  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#watch?.feed(chunk, this.#length);
    if (chunk.length <= SMALL_CHUNK) {
      if (!this.#block || this.#blockUsed + chunk.length > this.#block.length) {
        this.#block = new Uint8Array(BLOCK);
        this.#blockUsed = 0;
        this.#chunks.push(this.#block.subarray(0, 0));
        this.#starts.push(this.#length);
      }
      this.#block.set(chunk, this.#blockUsed);
      this.#blockUsed += chunk.length;
      this.#chunks[this.#chunks.length - 1] = this.#block.subarray(0, this.#blockUsed);
    } else {
      this.#block = undefined;
      this.#chunks.push(chunk);
      this.#starts.push(this.#length);
    }
    this.#length += chunk.length;
  }

  /**
   * Every position of `needle`, in order, as if the bytes followed a line break (so a match can
   * start at -2 or -1): the watched needle's list, or one search over the chunks for another.
   */
  occurrences(needle: Uint8Array): readonly number[] {
    if (this.#watch && sameBytes(needle, this.#watch.needle)) return this.#watch.found;
    const watch = new NeedleWatch(needle);
    for (let k = 0; k < this.#chunks.length; k++) watch.feed(this.#chunks[k], this.#starts[k]);
    this.#watch = watch;
    return watch.found;
  }

  /** Drops every chunk, so the memory can go while an answer is awaited. */
  clear(): void {
    this.#chunks = [];
    this.#starts = [];
    this.#block = undefined;
    this.#length = 0;
  }

  /** The index of the chunk that holds byte `position`. */
  #chunkAt(position: number): number {
    let low = 0;
    let high = this.#chunks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.#starts[middle] <= position) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** The byte at `position`, or undefined past the end. */
  at(position: number): number | undefined {
    if (position < 0 || position >= this.#length) return undefined;
    const k = this.#chunkAt(position);
    return this.#chunks[k][position - this.#starts[k]];
  }

  /** Views of the chunks covering [start, end): no copy. */
  views(start: number, end: number): Uint8Array[] {
    const views: Uint8Array[] = [];
    if (end <= start) return views;
    for (let k = this.#chunkAt(start); k < this.#chunks.length && this.#starts[k] < end; k++) {
      const chunkStart = this.#starts[k];
      views.push(this.#chunks[k].subarray(Math.max(0, start - chunkStart), Math.min(this.#chunks[k].length, end - chunkStart)));
    }
    return views;
  }

  /** [start, end) as one array: a view when it lies in one chunk, else a copy (use it for small ranges). */
  bytes(start: number, end: number): Uint8Array {
    return joinBytes(this.views(start, Math.min(end, this.#length)));
  }

  /** The position of the first `needle` at or after `from`, across chunk edges; -1 when absent. */
  indexOf(needle: Uint8Array, from = 0): number {
    if (needle.length === 0 || from >= this.#length) return -1;
    if (this.#watch && sameBytes(needle, this.#watch.needle)) {
      const found = this.#watch.found;
      let low = 0;
      let high = found.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (found[middle] < Math.max(0, from)) low = middle + 1;
        else high = middle;
      }
      return low < found.length ? found[low] : -1;
    }
    for (let k = this.#chunkAt(Math.max(0, from)); k < this.#chunks.length; k++) {
      const chunk = this.#chunks[k];
      const start = this.#starts[k];
      const local = search(chunk, needle, Math.max(0, from - start));
      if (local !== -1) return start + local;
      // A match that starts in this chunk and ends in a later one lies in this small window.
      const end = start + chunk.length;
      if (end >= this.#length) break;
      const windowStart = Math.max(from, end - needle.length + 1);
      const found = search(this.bytes(windowStart, end + needle.length - 1), needle, 0);
      if (found !== -1) return windowStart + found;
    }
    return -1;
  }
}
