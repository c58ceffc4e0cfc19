/**
 * Turns a JPEG upright without decoding its pixels, as jpegtran does: the entropy-coded DCT blocks are
 * read, moved and transposed (a flip negates the odd frequencies along it), and written again with
 * Huffman tables fitted to them. No pixel changes, so the vendor's check sees the camera's own
 * pixels rather than a second generation of JPEG loss, and it costs a fraction of a decode and an
 * encode. Pure: no DOM.
 *
 * Baseline and extended sequential Huffman JPEGs with one interleaved scan (every camera and phone
 * writes these) at 8 bits; anything else (progressive, arithmetic, 12-bit, several scans) is left to
 * the decode-and-encode path. Like `jpegtran -trim`, a partial block row or column on an edge that a
 * flip would move to the other side is dropped (at most 15 pixels).
 */
import { KEPT_APP_SEGMENTS } from './image-rules.ts';
import { jpegSegments } from './sniff.ts';

/** Zigzag position → natural (row × 8 + column) position. */
const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57,
  50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

interface Component {
  id: number;
  h: number;
  v: number;
  quant: number;
  dcTable: number;
  acTable: number;
  /** Blocks across and down, as coded (whole MCUs). */
  blocksX: number;
  blocksY: number;
  /** Coefficients in zigzag order, 64 a block, DC undifferenced. */
  coefficients: Int16Array;
  /** Each block's last non-zero coefficient (zigzag index; 0 for DC alone), so the walks stop there. */
  last: Uint8Array;
}

interface HuffmanDecoder {
  /** 9-bit lookahead: (length << 8 | symbol), 0 when the code is longer. */
  fast: Uint16Array;
  maxCode: Int32Array;
  valPtr: Int32Array;
  minCode: Int32Array;
  symbols: Uint8Array;
}

const FAST_BITS = 9;

/** How an EXIF orientation maps the stored image to the upright one: transposed, then which stored axes run backwards. */
function transformFor(orientation: number): { transpose: boolean; flipX: boolean; flipY: boolean } | undefined {
  switch (orientation) {
    case 2:
      return { transpose: false, flipX: true, flipY: false };
    case 3:
      return { transpose: false, flipX: true, flipY: true };
    case 4:
      return { transpose: false, flipX: false, flipY: true };
    case 5:
      return { transpose: true, flipX: false, flipY: false };
    case 6:
      return { transpose: true, flipX: false, flipY: true };
    case 7:
      return { transpose: true, flipX: true, flipY: true };
    case 8:
      return { transpose: true, flipX: true, flipY: false };
    default:
      return undefined;
  }
}

function buildDecoder(counts: Uint8Array, symbols: Uint8Array): HuffmanDecoder {
  const fast = new Uint16Array(1 << FAST_BITS);
  const maxCode = new Int32Array(18).fill(-1);
  const valPtr = new Int32Array(17);
  const minCode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    valPtr[length] = k;
    minCode[length] = code;
    for (let i = 0; i < counts[length - 1]; i++, k++, code++) {
      if (length <= FAST_BITS) {
        const shift = FAST_BITS - length;
        for (let fill = 0; fill < 1 << shift; fill++) fast[(code << shift) | fill] = (length << 8) | symbols[k];
      }
    }
    maxCode[length] = counts[length - 1] ? code - 1 : -1;
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  return { fast, maxCode, valPtr, minCode, symbols };
}

/** Reads entropy-coded bits: skips stuffed zeros, stops (feeding zeros) at a marker. */
class BitReader {
  private buffer = 0;
  private count = 0;
  /** The marker met, once the data runs into one. */
  marker = -1;
  constructor(
    private readonly bytes: Uint8Array,
    public at: number,
  ) {}

  private fill(): void {
    while (this.count <= 24) {
      let byte = 0;
      if (this.marker < 0 && this.at < this.bytes.length) {
        byte = this.bytes[this.at];
        if (byte === 0xff) {
          const next = this.bytes[this.at + 1];
          if (next === 0) this.at += 2;
          else {
            this.marker = next;
            byte = 0;
          }
        } else this.at++;
      }
      this.buffer = ((this.buffer << 8) | byte) >>> 0;
      this.count += 8;
    }
  }

  peek(n: number): number {
    if (this.count < n) this.fill();
    return (this.buffer >>> (this.count - n)) & ((1 << n) - 1);
  }

  skip(n: number): void {
    this.count -= n;
  }

  read(n: number): number {
    if (n === 0) return 0;
    const value = this.peek(n);
    this.count -= n;
    return value;
  }

  /** At a restart marker: drops the leftover bits and steps over it. */
  restart(): boolean {
    this.count = 0;
    this.buffer = 0;
    if (this.marker >= 0xd0 && this.marker <= 0xd7) {
      this.at += 2;
      this.marker = -1;
      return true;
    }
    // The marker may not have been reached yet when the last bits were read exactly.
    while (this.at + 1 < this.bytes.length && this.bytes[this.at] === 0xff && this.bytes[this.at + 1] === 0xff) this.at++;
    const next = this.bytes[this.at + 1];
    if (this.bytes[this.at] === 0xff && next >= 0xd0 && next <= 0xd7) {
      this.at += 2;
      return true;
    }
    return false;
  }
}

function decodeSymbol(reader: BitReader, table: HuffmanDecoder): number {
  const look = table.fast[reader.peek(FAST_BITS)];
  if (look) {
    reader.skip(look >> 8);
    return look & 0xff;
  }
  const bits = reader.peek(16);
  for (let length = FAST_BITS + 1; length <= 16; length++) {
    const code = bits >>> (16 - length);
    if (code <= table.maxCode[length]) {
      reader.skip(length);
      return table.symbols[table.valPtr[length] + code - table.minCode[length]];
    }
  }
  throw new RangeError('bad Huffman code');
}

/** A value of `size` bits, JPEG's sign rule (a leading 0 means negative). */
function extend(value: number, size: number): number {
  return value < 1 << (size - 1) ? value - (1 << size) + 1 : value;
}

/** Optimal code lengths (at most 16 bits) for the symbols' counts, as JPEG's annex K.2 builds them. */
function codeLengths(frequencies: Uint32Array): { counts: Uint8Array; symbols: Uint8Array } {
  const freq = Array.from(frequencies);
  freq.push(1); // a reserved symbol, so that no code is all ones
  const size = new Array<number>(257).fill(0);
  const others = new Array<number>(257).fill(-1);
  for (;;) {
    let c1 = -1;
    let v = Infinity;
    for (let i = 0; i <= 256; i++)
      if (freq[i] && freq[i] <= v) {
        v = freq[i];
        c1 = i;
      }
    let c2 = -1;
    v = Infinity;
    for (let i = 0; i <= 256; i++)
      if (freq[i] && freq[i] <= v && i !== c1) {
        v = freq[i];
        c2 = i;
      }
    if (c2 < 0) break;
    freq[c1] += freq[c2];
    freq[c2] = 0;
    size[c1]++;
    while (others[c1] >= 0) {
      c1 = others[c1];
      size[c1]++;
    }
    others[c1] = c2;
    size[c2]++;
    while (others[c2] >= 0) {
      c2 = others[c2];
      size[c2]++;
    }
  }
  const bits = new Array<number>(33).fill(0);
  for (let i = 0; i <= 256; i++) if (size[i]) bits[size[i]]++;
  for (let i = 32; i > 16; i--)
    while (bits[i] > 0) {
      let j = i - 2;
      while (bits[j] === 0) j--;
      bits[i] -= 2;
      bits[i - 1]++;
      bits[j + 1] += 2;
      bits[j]--;
    }
  let longest = 16;
  while (bits[longest] === 0) longest--;
  bits[longest]--; // the reserved symbol's code goes
  const symbols: number[] = [];
  for (let length = 1; length <= 32; length++) for (let i = 0; i < 256; i++) if (size[i] === length) symbols.push(i);
  return { counts: Uint8Array.from(bits.slice(1, 17)), symbols: Uint8Array.from(symbols) };
}

/** Canonical codes from lengths: code and length per symbol. */
function encoderTable({ counts, symbols }: { counts: Uint8Array; symbols: Uint8Array }): { code: Uint16Array; length: Uint8Array } {
  const code = new Uint16Array(256);
  const length = new Uint8Array(256);
  let next = 0;
  let k = 0;
  for (let bits = 1; bits <= 16; bits++) {
    for (let i = 0; i < counts[bits - 1]; i++, k++) {
      code[symbols[k]] = next++;
      length[symbols[k]] = bits;
    }
    next <<= 1;
  }
  return { code, length };
}

class BitWriter {
  private chunks: Uint8Array[] = [];
  private out = new Uint8Array(1 << 16);
  private at = 0;
  private buffer = 0;
  private count = 0;

  private byte(value: number): void {
    if (this.at >= this.out.length - 1) {
      this.chunks.push(this.out.subarray(0, this.at));
      this.out = new Uint8Array(this.out.length * 2);
      this.at = 0;
    }
    this.out[this.at++] = value;
    if (value === 0xff) this.out[this.at++] = 0;
  }

  write(value: number, length: number): void {
    this.buffer = (this.buffer << length) | (value & ((1 << length) - 1));
    this.count += length;
    while (this.count >= 8) {
      this.count -= 8;
      this.byte((this.buffer >>> this.count) & 0xff);
    }
    this.buffer &= (1 << this.count) - 1;
  }

  /** Pads the last byte with ones, as JPEG asks, and returns the bytes. */
  finish(): Uint8Array[] {
    if (this.count) this.write(0x7f, 8 - this.count);
    return [...this.chunks, this.out.subarray(0, this.at)];
  }
}

/** Bits needed for a coefficient's magnitude (JPEG's size category). */
function category(value: number): number {
  return 32 - Math.clz32(value < 0 ? -value : value);
}

/**
 * The JPEG turned upright for its EXIF `orientation` (2–8), with only the segments that change how it
 * decodes kept (JFIF, ICC, Adobe; EXIF, XMP and comments go); undefined when this file can't be turned
 * losslessly, and the caller should decode and encode instead. Throws a RangeError on corrupt data.
 */
export function orientJpeg(bytes: Uint8Array, orientation: number): { bytes: Uint8Array; width: number; height: number } | undefined {
  const turn = transformFor(orientation);
  if (!turn) return undefined;
  const segments = jpegSegments(bytes);
  const quant = new Map<number, Uint16Array>();
  const dcTables = new Map<number, HuffmanDecoder>();
  const acTables = new Map<number, HuffmanDecoder>();
  const kept: Uint8Array[] = [];
  let width = 0;
  let height = 0;
  let components: Component[] = [];
  let restartInterval = 0;
  let scanStart = -1;
  for (const { marker, start, end } of segments) {
    const body = bytes.subarray(start + 4, end);
    if (marker === 0xdb) {
      for (let at = 0; at < body.length;) {
        const precision = body[at] >> 4;
        const id = body[at] & 15;
        const table = new Uint16Array(64);
        for (let i = 0; i < 64; i++) table[i] = precision ? (body[at + 1 + 2 * i] << 8) | body[at + 2 + 2 * i] : body[at + 1 + i];
        quant.set(id, table);
        at += 1 + 64 * (precision ? 2 : 1);
      }
    } else if (marker === 0xc4) {
      for (let at = 0; at < body.length;) {
        const counts = body.subarray(at + 1, at + 17);
        const total = counts.reduce((s, c) => s + c, 0);
        const decoder = buildDecoder(counts, body.subarray(at + 17, at + 17 + total));
        (body[at] >> 4 ? acTables : dcTables).set(body[at] & 15, decoder);
        at += 17 + total;
      }
    } else if (marker === 0xc0 || marker === 0xc1) {
      if (body[0] !== 8) return undefined;
      height = (body[1] << 8) | body[2];
      width = (body[3] << 8) | body[4];
      components = [];
      for (let i = 0; i < body[5]; i++) {
        const at = 6 + 3 * i;
        components.push({
          id: body[at],
          h: body[at + 1] >> 4,
          v: body[at + 1] & 15,
          quant: body[at + 2],
          dcTable: 0,
          acTable: 0,
          blocksX: 0,
          blocksY: 0,
          coefficients: new Int16Array(0),
          last: new Uint8Array(0),
        });
      }
    } else if (marker >= 0xc2 && marker <= 0xcf) {
      return undefined; // progressive, lossless, hierarchical or arithmetic
    } else if (marker === 0xdd) {
      restartInterval = (body[0] << 8) | body[1];
    } else if (marker === 0xda) {
      if (body[0] !== components.length) return undefined; // more than one scan
      for (let i = 0; i < body[0]; i++) {
        const component = components.find((c) => c.id === body[1 + 2 * i]);
        if (!component) return undefined;
        component.dcTable = body[2 + 2 * i] >> 4;
        component.acTable = body[2 + 2 * i] & 15;
      }
      const at = 1 + 2 * body[0];
      if (body[at] !== 0 || body[at + 1] !== 63 || body[at + 2] !== 0) return undefined;
      scanStart = end;
    } else if (KEPT_APP_SEGMENTS.has(marker)) kept.push(bytes.subarray(start, end));
  }
  if (scanStart < 0 || !width || !height || (components.length !== 1 && components.length !== 3)) return undefined;
  if (components.some((c) => !quant.has(c.quant) || !dcTables.has(c.dcTable) || !acTables.has(c.acTable) || !c.h || !c.v)) return undefined;

  // One component is coded block by block; several in MCUs of each one's sampling factors.
  const single = components.length === 1;
  const hMax = single ? 1 : Math.max(...components.map((c) => c.h));
  const vMax = single ? 1 : Math.max(...components.map((c) => c.v));
  const mcusX = Math.ceil(width / (8 * hMax));
  const mcusY = Math.ceil(height / (8 * vMax));
  for (const c of components) {
    c.blocksX = single ? Math.ceil(width / 8) : mcusX * c.h;
    c.blocksY = single ? Math.ceil(height / 8) : mcusY * c.v;
    c.coefficients = new Int16Array(c.blocksX * c.blocksY * 64);
    c.last = new Uint8Array(c.blocksX * c.blocksY);
  }
  const tables = components.map((c) => ({ dc: dcTables.get(c.dcTable)!, ac: acTables.get(c.acTable)! }));
  decodeScan(bytes, scanStart, components, tables, single, mcusX, mcusY, restartInterval);

  // Like jpegtran -trim: a partial MCU on an edge that a flip moves to the far side is dropped.
  const keptWidth = turn.flipX ? Math.floor(width / (8 * hMax)) * 8 * hMax : width;
  const keptHeight = turn.flipY ? Math.floor(height / (8 * vMax)) * 8 * vMax : height;
  if (!keptWidth || !keptHeight) return undefined;
  const outWidth = turn.transpose ? keptHeight : keptWidth;
  const outHeight = turn.transpose ? keptWidth : keptHeight;
  const outMcusX = Math.ceil(outWidth / (8 * (turn.transpose ? vMax : hMax)));
  const outMcusY = Math.ceil(outHeight / (8 * (turn.transpose ? hMax : vMax)));
  const outComponents = components.map((c) => {
    const h = turn.transpose ? c.v : c.h;
    const v = turn.transpose ? c.h : c.v;
    const blocksX = single ? Math.ceil(outWidth / 8) : outMcusX * h;
    const blocksY = single ? Math.ceil(outHeight / 8) : outMcusY * v;
    const keptX = single ? Math.ceil(keptWidth / 8) : Math.ceil(keptWidth / (8 * hMax)) * c.h;
    const keptY = single ? Math.ceil(keptHeight / 8) : Math.ceil(keptHeight / (8 * vMax)) * c.v;
    return { ...c, h, v, blocksX, blocksY, ...turnBlocks(c, turn, blocksX, blocksY, keptX, keptY) };
  });

  const quantOut = [...quant].map(([id, table]) => {
    if (!turn.transpose) return { id, table };
    const natural = new Uint16Array(64);
    for (let k = 0; k < 64; k++) natural[ZIGZAG[k]] = table[k];
    const turned = new Uint16Array(64);
    for (let k = 0; k < 64; k++) {
      const n = ZIGZAG[k];
      turned[k] = natural[(n & 7) * 8 + (n >> 3)];
    }
    return { id, table: turned };
  });
  const turned = concatBytes([
    Uint8Array.of(0xff, 0xd8),
    ...kept,
    ...quantOut.map(({ id, table }) => {
      const wide = table.some((q) => q > 255);
      const body = [(wide ? 0x10 : 0) | id];
      for (const q of table) body.push(...(wide ? [q >> 8, q & 0xff] : [q]));
      return segment(0xdb, body);
    }),
    segment(0xc0, [
      8,
      outHeight >> 8,
      outHeight & 0xff,
      outWidth >> 8,
      outWidth & 0xff,
      outComponents.length,
      ...outComponents.flatMap((c) => [c.id, (c.h << 4) | c.v, c.quant]),
    ]),
    ...encodeScan(outComponents, single, outMcusX, outMcusY),
    Uint8Array.of(0xff, 0xd9),
  ]);
  return { bytes: turned, width: outWidth, height: outHeight };
}

function decodeScan(
  bytes: Uint8Array,
  start: number,
  components: Component[],
  tables: { dc: HuffmanDecoder; ac: HuffmanDecoder }[],
  single: boolean,
  mcusX: number,
  mcusY: number,
  restartInterval: number,
): void {
  const reader = new BitReader(bytes, start);
  const predictors = new Int32Array(components.length);
  const units = single ? components[0].blocksX * components[0].blocksY : mcusX * mcusY;
  const block = (p: number, index: number) => {
    const { dc, ac } = tables[p];
    const out = components[p].coefficients;
    const base = index * 64;
    const t = decodeSymbol(reader, dc);
    if (t > 11) throw new RangeError('bad DC size');
    predictors[p] += t ? extend(reader.read(t), t) : 0;
    out[base] = predictors[p];
    for (let k = 1; k < 64;) {
      const rs = decodeSymbol(reader, ac);
      const size = rs & 15;
      const run = rs >> 4;
      if (!size) {
        if (run !== 15) break;
        k += 16;
        continue;
      }
      k += run;
      if (k > 63 || size > 10) throw new RangeError('bad AC code');
      out[base + k] = extend(reader.read(size), size);
      components[p].last[index] = k;
      k++;
    }
  };
  for (let unit = 0; unit < units; unit++) {
    if (restartInterval && unit && unit % restartInterval === 0) {
      if (!reader.restart()) throw new RangeError('missing restart marker');
      predictors.fill(0);
    }
    if (single) {
      block(0, unit);
      continue;
    }
    const mx = unit % mcusX;
    const my = (unit - mx) / mcusX;
    for (let p = 0; p < components.length; p++) {
      const c = components[p];
      for (let v = 0; v < c.v; v++) for (let h = 0; h < c.h; h++) block(p, (my * c.v + v) * c.blocksX + mx * c.h + h);
    }
  }
}

/** Zigzag index → the zigzag index its coefficient takes once transposed, and whether a flip of x (of y) negates it. */
const TRANSPOSED = new Uint8Array(64);
const ODD_X = new Uint8Array(64);
const ODD_Y = new Uint8Array(64);
{
  const inverse = new Uint8Array(64);
  for (let k = 0; k < 64; k++) inverse[ZIGZAG[k]] = k;
  for (let k = 0; k < 64; k++) {
    const n = ZIGZAG[k];
    TRANSPOSED[k] = inverse[(n & 7) * 8 + (n >> 3)];
    ODD_X[k] = n & 1;
    ODD_Y[k] = (n >> 3) & 1;
  }
}

/** One component's blocks, moved and turned into the upright frame's grid (blocksX × blocksY); keptX × keptY stored blocks hold the kept pixels. */
function turnBlocks(
  c: Component,
  turn: { transpose: boolean; flipX: boolean; flipY: boolean },
  blocksX: number,
  blocksY: number,
  keptX: number,
  keptY: number,
): { coefficients: Int16Array; last: Uint8Array } {
  const out = new Int16Array(blocksX * blocksY * 64);
  const outLast = new Uint8Array(blocksX * blocksY);
  const to = new Uint8Array(64);
  const sign = new Int8Array(64);
  for (let k = 0; k < 64; k++) {
    to[k] = turn.transpose ? TRANSPOSED[k] : k;
    sign[k] = (turn.flipX ? ODD_X[k] : 0) ^ (turn.flipY ? ODD_Y[k] : 0) ? -1 : 1;
  }
  for (let oy = 0; oy < blocksY; oy++)
    for (let ox = 0; ox < blocksX; ox++) {
      let ix = turn.transpose ? oy : ox;
      let iy = turn.transpose ? ox : oy;
      if (turn.flipX) ix = keptX - 1 - ix;
      if (turn.flipY) iy = keptY - 1 - iy;
      if (ix < 0 || iy < 0 || ix >= c.blocksX || iy >= c.blocksY) continue;
      const block = iy * c.blocksX + ix;
      const from = block * 64;
      const base = (oy * blocksX + ox) * 64;
      let last = 0;
      for (let k = 0, end = c.last[block]; k <= end; k++) {
        const value = c.coefficients[from + k];
        if (!value) continue;
        out[base + to[k]] = value * sign[k];
        if (to[k] > last) last = to[k];
      }
      outLast[oy * blocksX + ox] = last;
    }
  return { coefficients: out, last: outLast };
}

/** The scan's header, fitted Huffman tables and entropy-coded data (no restarts). */
function encodeScan(components: Component[], single: boolean, mcusX: number, mcusY: number): Uint8Array[] {
  // Luma gets tables 0, chroma shares tables 1.
  const tableOf = (p: number) => (p === 0 ? 0 : 1);
  const tableCount = components.length > 1 ? 2 : 1;
  // The blocks in coding order, as (component, block index) pairs.
  const units = single ? components[0].blocksX * components[0].blocksY : mcusX * mcusY;
  const perUnit = single ? 1 : components.reduce((sum, c) => sum + c.h * c.v, 0);
  const order = new Int32Array(2 * units * perUnit);
  for (let unit = 0, at = 0; unit < units; unit++) {
    if (single) {
      order[at++] = 0;
      order[at++] = unit;
      continue;
    }
    const mx = unit % mcusX;
    const my = (unit - mx) / mcusX;
    for (let p = 0; p < components.length; p++) {
      const c = components[p];
      for (let v = 0; v < c.v; v++)
        for (let h = 0; h < c.h; h++) {
          order[at++] = p;
          order[at++] = (my * c.v + v) * c.blocksX + mx * c.h + h;
        }
    }
  }
  // One pass lists the symbols (which table's, the symbol, its extra bits); the tables are fitted to their counts, then written.
  const counts = Array.from({ length: 2 * tableCount }, () => new Uint32Array(256));
  let symbols = new Int32Array(1 << 16);
  let extras = new Int32Array(1 << 16);
  let n = 0;
  const push = (slot: number, symbol: number, extra: number) => {
    if (n === symbols.length) {
      const grownSymbols = new Int32Array(n * 2);
      grownSymbols.set(symbols);
      symbols = grownSymbols;
      const grownExtras = new Int32Array(n * 2);
      grownExtras.set(extras);
      extras = grownExtras;
    }
    counts[slot][symbol]++;
    symbols[n] = (slot << 8) | symbol;
    extras[n++] = extra;
  };
  const predictors = new Int32Array(components.length);
  for (let i = 0; i < order.length; i += 2) {
    const p = order[i];
    const data = components[p].coefficients;
    const block = order[i + 1];
    const base = block * 64;
    const end = components[p].last[block];
    const dcSlot = 2 * tableOf(p);
    const acSlot = dcSlot + 1;
    const diff = data[base] - predictors[p];
    predictors[p] = data[base];
    push(dcSlot, category(diff), diff < 0 ? diff - 1 : diff);
    let run = 0;
    for (let k = 1; k <= end; k++) {
      const value = data[base + k];
      if (!value) {
        run++;
        continue;
      }
      for (; run > 15; run -= 16) push(acSlot, 0xf0, 0);
      push(acSlot, (run << 4) | category(value), value < 0 ? value - 1 : value);
      run = 0;
    }
    if (end < 63) push(acSlot, 0, 0);
  }
  const specs = counts.map(codeLengths);
  const codes = specs.map(encoderTable);
  const writer = new BitWriter();
  for (let i = 0; i < n; i++) {
    const { code, length } = codes[symbols[i] >> 8];
    const symbol = symbols[i] & 0xff;
    writer.write(code[symbol], length[symbol]);
    // A DC symbol is its extra bits' count; an AC symbol's low four bits are.
    const size = symbols[i] & 0x100 ? symbol & 15 : symbol;
    if (size) writer.write(extras[i], size);
  }
  const dcSpecs = specs.filter((_, slot) => slot % 2 === 0);
  const acSpecs = specs.filter((_, slot) => slot % 2 === 1);
  const huffman: number[] = [];
  for (let t = 0; t < tableCount; t++)
    for (const [cls, spec] of [
      [0, dcSpecs[t]],
      [1, acSpecs[t]],
    ] as const)
      huffman.push((cls << 4) | t, ...spec.counts, ...spec.symbols);
  return [
    segment(0xc4, huffman),
    segment(0xda, [components.length, ...components.flatMap((c, p) => [c.id, (tableOf(p) << 4) | tableOf(p)]), 0, 63, 0]),
    ...writer.finish(),
  ];
}

function segment(marker: number, body: number[]): Uint8Array {
  const length = body.length + 2;
  return Uint8Array.from([0xff, marker, length >> 8, length & 0xff, ...body]);
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
