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

/** Bytes held as a list of chunks, addressed as one sequence. */
export class ByteChunks {
  #chunks: Uint8Array[] = [];
  #starts: number[] = [];
  #length = 0;

  /** One array as a single chunk (no copy). */
  static of(bytes: Uint8Array): ByteChunks {
    const chunks = new ByteChunks();
    chunks.push(bytes);
    return chunks;
  }

  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#starts.push(this.#length);
    this.#length += chunk.length;
  }

  /** Drops every chunk, so the memory can go while an answer is awaited. */
  clear(): void {
    this.#chunks = [];
    this.#starts = [];
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
