/**
 * A request body as it arrived: the chunks themselves, never copied into one buffer. The scanner
 * searches across chunk edges, and the proxy forwards views of the chunks. Web-standard; uses
 * Node's Buffer.indexOf when it is there.
 */
const NodeBuffer = (globalThis as { Buffer?: typeof import('node:buffer').Buffer }).Buffer;

/** indexOf of a byte sequence in one array, from `from`: Buffer's native search in Node, a first-byte scan elsewhere. */
function search(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  if (NodeBuffer) return NodeBuffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle, from);
  for (let i = haystack.indexOf(needle[0], from); i !== -1 && i <= haystack.length - needle.length; i = haystack.indexOf(needle[0], i + 1)) {
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

/**
 * Bytes held as a list of chunks, addressed as one sequence. Given a needle to watch (the multipart
 * delimiter), it finds each occurrence as the chunk arrives, while the bytes are still in the CPU's
 * cache: searching a megabyte again later, from memory, cost more than all the checks together.
 */
export class ByteChunks {
  #chunks: Uint8Array[] = [];
  #starts: number[] = [];
  #length = 0;
  readonly #watch: Uint8Array | undefined;
  /** Every position of the watched needle, in order. */
  #found: number[] = [];
  /** The last needle.length - 1 bytes pushed, for a match across chunk edges. */
  #tail = new Uint8Array(0);

  constructor(watch?: Uint8Array) {
    this.#watch = watch && watch.length > 0 ? watch : undefined;
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
    if (this.#watch) this.#look(chunk);
    this.#chunks.push(chunk);
    this.#starts.push(this.#length);
    this.#length += chunk.length;
  }

  /** Records the watched needle's occurrences that end in `chunk` (which starts at this.#length). */
  #look(chunk: Uint8Array): void {
    const needle = this.#watch!;
    const tail = this.#tail;
    if (tail.length > 0) {
      // Matches that start in the earlier bytes and end in this chunk.
      const window = joinBytes([tail, chunk.subarray(0, needle.length - 1)]);
      for (let i = search(window, needle, 0); i !== -1 && i < tail.length; i = search(window, needle, i + 1)) this.#found.push(this.#length - tail.length + i);
    }
    for (let i = search(chunk, needle, 0); i !== -1; i = search(chunk, needle, i + 1)) this.#found.push(this.#length + i);
    const keep = needle.length - 1;
    this.#tail = chunk.length >= keep ? chunk.slice(chunk.length - keep) : joinBytes([tail, chunk]).slice(-keep);
  }

  /** Drops every chunk, so the memory can go while an answer is awaited. */
  clear(): void {
    this.#chunks = [];
    this.#starts = [];
    this.#found = [];
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
    if (this.#watch && sameBytes(needle, this.#watch)) {
      let low = 0;
      let high = this.#found.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (this.#found[middle] < from) low = middle + 1;
        else high = middle;
      }
      return low < this.#found.length ? this.#found[low] : -1;
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
