/**
 * Turns a JPEG upright without decoding its pixels, as jpegtran does: the entropy-coded DCT blocks are
 * read, moved and transposed (a flip negates the odd frequencies along it), and written again with
 * the file's own Huffman tables where they hold every symbol, else JPEG's example ones. No pixel changes, so the vendor's check sees the camera's own
 * pixels rather than a second generation of JPEG loss, and it costs a fraction of a decode and an
 * encode. Pure: no DOM.
 *
 * Baseline and extended sequential Huffman JPEGs with one interleaved scan (every camera and phone
 * writes these) at 8 bits; anything else (progressive, arithmetic, 12-bit, several scans) is left to
 * the decode-and-encode path. Like `jpegtran -trim`, a partial block row or column on an edge that a
 * flip would move to the other side is dropped (at most 15 pixels).
 */
import { KEPT_APP_SEGMENTS, concat } from './image-rules.ts';
import { jpegSegments } from './sniff.ts';

/** The most pixels turned this way: about 150 MB of blocks. A JPEG under 1 MB with more is mostly a claim. */
const MAX_TURN_PIXELS = 50_000_000;

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
}

/**
 * A component's decoded blocks, kept sparse: most of a block's 64 coefficients are zero, and memory touched for
 * the first time is what a turn pays most for (5.8 MB of whole blocks cost 15 ms of page faults on a 1 MP photo).
 */
interface Blocks {
  /** Each block's DC coefficient, undifferenced. */
  dc: Int16Array;
  /** Where each block's non-zero AC coefficients start in the lists they share (`Coefficients`), and how many. */
  first: Int32Array;
  count: Uint8Array;
  /** Each block's last non-zero coefficient (zigzag index; 0 for DC alone), so the writing stops there. */
  last: Uint8Array;
}

/** Every kept block's non-zero AC coefficients, in the order they were read: upright zigzag place and value. */
interface Coefficients {
  places: Uint8Array;
  values: Int16Array;
}

interface HuffmanDecoder {
  /** 9-bit lookahead: (length << 8 | symbol), 0 when the code is longer. */
  fast: Uint16Array;
  /**
   * 9-bit lookahead for an AC code and its value bits together, where both fit: (value << 16 | run << 8 | bits
   * taken); 0 otherwise. Most coefficients are small, so most are read in one look.
   */
  fastAc: Int32Array;
  maxCode: Int32Array;
  valPtr: Int32Array;
  minCode: Int32Array;
  symbols: Uint8Array;
}

const FAST_BITS = 9;
const FAST_MASK = (1 << FAST_BITS) - 1;

interface Turn {
  transpose: boolean;
  flipX: boolean;
  flipY: boolean;
}

/** How each EXIF orientation (2–8) maps the stored image to the upright one: transposed, then which stored axes run backwards. */
const TURNS: Record<number, Turn> = {
  2: { transpose: false, flipX: true, flipY: false },
  3: { transpose: false, flipX: true, flipY: true },
  4: { transpose: false, flipX: false, flipY: true },
  5: { transpose: true, flipX: false, flipY: false },
  6: { transpose: true, flipX: false, flipY: true },
  7: { transpose: true, flipX: true, flipY: true },
  8: { transpose: true, flipX: true, flipY: false },
};

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
  const fastAc = new Int32Array(1 << FAST_BITS);
  for (let look = 0; look < 1 << FAST_BITS; look++) {
    const entry = fast[look];
    const length = entry >> 8;
    const size = entry & 15;
    if (!entry || !size || length + size > FAST_BITS) continue;
    const value = (look >> (FAST_BITS - length - size)) & ((1 << size) - 1);
    fastAc[look] = (extend(value, size) << 16) | ((entry & 0xf0) << 4) | (length + size);
  }
  return { fast, fastAc, maxCode, valPtr, minCode, symbols };
}

/**
 * The scan's entropy-coded bytes with stuffed zeros and fill bytes taken out, and where each restart interval starts
 * in them, so that the decoder's bit reading is a plain byte fetch.
 */
function unstuff(bytes: Uint8Array, start: number): { data: Uint8Array; intervals: number[]; length: number } {
  // A little slack past the end: a reader that looks ahead at the last code reads zeros, as at a marker.
  let data = new Uint8Array(bytes.length - start + 8);
  const intervals = [0];
  let length = 0;
  for (let at = start; at < bytes.length;) {
    const ff = bytes.indexOf(0xff, at);
    const end = ff < 0 ? bytes.length : ff;
    data.set(bytes.subarray(at, end), length);
    length += end - at;
    if (ff < 0) break;
    const next = bytes[ff + 1];
    if (next === 0) {
      data[length++] = 0xff;
      at = ff + 2;
    } else if (next === 0xff)
      at = ff + 1; // a fill byte before a marker
    else if (next >= 0xd0 && next <= 0xd7) {
      at = ff + 2;
      // The interval's last look-ahead reads zeros, as at the marker, not the next interval.
      if (length + 16 + bytes.length - at > data.length) {
        const grown = new Uint8Array(Math.max(2 * data.length, length + 16 + bytes.length - at));
        grown.set(data.subarray(0, length));
        data = grown;
      }
      data.fill(0, length, length + RESTART_SLACK);
      length += RESTART_SLACK;
      intervals.push(length);
    } else break; // the end of the scan
  }
  return { data, intervals, length };
}

/** Zero bytes after each restart interval's data, for the look-ahead of its last code. */
const RESTART_SLACK = 8;

/** A code longer than the lookahead, from 16 bits: (length << 8 | symbol). */
function slowSymbol(bits16: number, table: HuffmanDecoder): number {
  for (let length = FAST_BITS + 1; length <= 16; length++) {
    const code = bits16 >>> (16 - length);
    if (code <= table.maxCode[length]) return (length << 8) | table.symbols[table.valPtr[length] + code - table.minCode[length]];
  }
  throw new RangeError('bad Huffman code');
}

/** A value of `size` bits, JPEG's sign rule (a leading 0 means negative). */
function extend(value: number, size: number): number {
  return value < 1 << (size - 1) ? value - (1 << size) + 1 : value;
}

/** A Huffman table as a DHT segment holds it: how many codes of each length 1–16, then the symbols in code order. */
interface HuffmanSpec {
  counts: Uint8Array;
  symbols: Uint8Array;
}

// JPEG's example tables (ITU T.81 annex K.3), as libjpeg writes them when it does not fit tables to an image. They hold
// every symbol, so any block can be written with them in one pass.
const AC_SYMBOLS_LUMA =
  '01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa';
const AC_SYMBOLS_CHROMA =
  '000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9fa';
const hex = (text: string) => Uint8Array.from(text.match(/../g)!, (byte) => parseInt(byte, 16));
const DC_SYMBOLS = Uint8Array.from({ length: 12 }, (_, i) => i);
/** Per class (DC, AC), per table (luma, chroma). */
export const STANDARD_TABLES: readonly (readonly HuffmanSpec[])[] = [
  [
    { counts: Uint8Array.of(0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0), symbols: DC_SYMBOLS },
    { counts: Uint8Array.of(0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0), symbols: DC_SYMBOLS },
  ],
  [
    { counts: Uint8Array.of(0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d), symbols: hex(AC_SYMBOLS_LUMA) },
    { counts: Uint8Array.of(0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77), symbols: hex(AC_SYMBOLS_CHROMA) },
  ],
];

/** Whether a table can write any block: all 12 DC sizes, or all 162 AC symbols. */
function isComplete(spec: HuffmanSpec, ac: boolean): boolean {
  const has = new Set(spec.symbols);
  if (!ac) return DC_SYMBOLS.every((symbol) => has.has(symbol));
  if (!has.has(0x00) || !has.has(0xf0)) return false;
  for (let run = 0; run < 16; run++) for (let size = 1; size <= 10; size++) if (!has.has((run << 4) | size)) return false;
  return true;
}

interface HuffmanEncoder {
  code: Uint16Array;
  length: Uint8Array;
}

/** Canonical codes from lengths: code and length per symbol. */
function encoderTable({ counts, symbols }: HuffmanSpec): HuffmanEncoder {
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

/** A baseline JPEG's frame, tables and where its one scan starts, as read from its segments. */
interface JpegFile {
  width: number;
  height: number;
  components: Component[];
  quant: Map<number, Uint16Array>;
  dcTables: Map<number, HuffmanDecoder>;
  acTables: Map<number, HuffmanDecoder>;
  /** Keyed as a DHT segment names it: class × 16 + id. */
  specs: Map<number, HuffmanSpec>;
  /** The segments kept when the file is written again (JFIF, ICC, Adobe). */
  kept: Uint8Array[];
  restartInterval: number;
  scanStart: number;
}

/**
 * Reads the segments of an 8-bit sequential Huffman JPEG with one interleaved scan; undefined for any other kind
 * (progressive, arithmetic, 12-bit, several scans) or a table that no decoder would take.
 */
function readJpeg(bytes: Uint8Array): JpegFile | undefined {
  const quant = new Map<number, Uint16Array>();
  const dcTables = new Map<number, HuffmanDecoder>();
  const acTables = new Map<number, HuffmanDecoder>();
  const specs = new Map<number, HuffmanSpec>();
  const kept: Uint8Array[] = [];
  let width = 0;
  let height = 0;
  let components: Component[] = [];
  let restartInterval = 0;
  let scanStart = -1;
  for (const { marker, start, end } of jpegSegments(bytes)) {
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
        if (!isPrefixCode(counts) || total > 256) return undefined;
        const symbols = body.slice(at + 17, at + 17 + total);
        const decoder = buildDecoder(counts, symbols);
        (body[at] >> 4 ? acTables : dcTables).set(body[at] & 15, decoder);
        specs.set(body[at], { counts: counts.slice(), symbols });
        at += 17 + total;
      }
    } else if (marker === 0xc0 || marker === 0xc1) {
      // One frame, 8-bit, of a size a file under the upload limit really has (a larger claim is a bomb's).
      if (body[0] !== 8 || width) return undefined;
      height = (body[1] << 8) | body[2];
      width = (body[3] << 8) | body[4];
      if (width * height > MAX_TURN_PIXELS) return undefined;
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
  return { width, height, components, quant, dcTables, acTables, specs, kept, restartInterval, scanStart };
}

/** Whether code lengths make a prefix code (no length overfull), as libjpeg demands before it decodes. */
function isPrefixCode(counts: Uint8Array): boolean {
  let free = 1;
  for (let length = 1; length <= 16; length++) {
    free = 2 * free - counts[length - 1];
    if (free < 0) return false;
  }
  return true;
}

/** Blocks across and down of each component, as coded: one component block by block, several in whole MCUs. */
function codedBlocks({ width, height, components }: JpegFile): {
  single: boolean;
  hMax: number;
  vMax: number;
  mcusX: number;
  mcusY: number;
} {
  const single = components.length === 1;
  const hMax = single ? 1 : Math.max(...components.map((c) => c.h));
  const vMax = single ? 1 : Math.max(...components.map((c) => c.v));
  const mcusX = Math.ceil(width / (8 * hMax));
  const mcusY = Math.ceil(height / (8 * vMax));
  for (const c of components) {
    c.blocksX = single ? Math.ceil(width / 8) : mcusX * c.h;
    c.blocksY = single ? Math.ceil(height / 8) : mcusY * c.v;
  }
  return { single, hMax, vMax, mcusX, mcusY };
}

/**
 * Whether a JPEG's scan holds every block it claims, each one a valid Huffman code, without decoding any pixel:
 * the proof that an upright JPEG sent as it is will decode, in a fraction of a decode. Undefined when this file is
 * not a kind read here (progressive and the rest); the caller then decodes it.
 */
export function jpegScanHolds(bytes: Uint8Array): boolean | undefined {
  const file = readJpeg(bytes);
  if (!file) return undefined;
  const { single, mcusX, mcusY } = codedBlocks(file);
  const { components } = file;
  // No block is kept: each one's coefficients are read over the last one's.
  const plans = components.map((c) => ({
    ...blocks(0),
    target: new Int32Array(c.blocksX * c.blocksY).fill(-1),
    to: IDENTITY,
    sign: UNSIGNED,
  }));
  try {
    return decodeScan(bytes, file, plans, codingOrder(components, single, mcusX, mcusY), coefficientLists(64));
  } catch {
    return false;
  }
}

const IDENTITY = Uint8Array.from({ length: 64 }, (_, k) => k);
const UNSIGNED = new Int8Array(64).fill(1);

const blocks = (count: number): Blocks => ({
  dc: new Int16Array(count),
  first: new Int32Array(count),
  count: new Uint8Array(count),
  last: new Uint8Array(count),
});
const coefficientLists = (capacity: number): Coefficients => ({ places: new Uint8Array(capacity), values: new Int16Array(capacity) });

/**
 * The JPEG turned upright for its EXIF `orientation` (2–8), with only the segments that change how it
 * decodes kept (JFIF, ICC, Adobe; EXIF, XMP and comments go); undefined when this file can't be turned
 * losslessly, and the caller should decode and encode instead. Throws a RangeError on corrupt data.
 */
export function orientJpeg(bytes: Uint8Array, orientation: number): { bytes: Uint8Array; width: number; height: number } | undefined {
  const turn = TURNS[orientation];
  if (!turn) return undefined;
  const file = readJpeg(bytes);
  if (!file) return undefined;
  const { width, height, components, quant, specs, kept } = file;
  const { single, hMax, vMax, mcusX, mcusY } = codedBlocks(file);

  // Like jpegtran -trim: a partial MCU on an edge that a flip moves to the far side is dropped.
  const keptWidth = turn.flipX ? Math.floor(width / (8 * hMax)) * 8 * hMax : width;
  const keptHeight = turn.flipY ? Math.floor(height / (8 * vMax)) * 8 * vMax : height;
  if (!keptWidth || !keptHeight) return undefined;
  const outWidth = turn.transpose ? keptHeight : keptWidth;
  const outHeight = turn.transpose ? keptWidth : keptHeight;
  const outMcusX = Math.ceil(outWidth / (8 * (turn.transpose ? vMax : hMax)));
  const outMcusY = Math.ceil(outHeight / (8 * (turn.transpose ? hMax : vMax)));
  const plans: Turned[] = [];
  const outComponents = components.map((c) => {
    const h = turn.transpose ? c.v : c.h;
    const v = turn.transpose ? c.h : c.v;
    const blocksX = single ? Math.ceil(outWidth / 8) : outMcusX * h;
    const blocksY = single ? Math.ceil(outHeight / 8) : outMcusY * v;
    const keptX = single ? Math.ceil(keptWidth / 8) : Math.ceil(keptWidth / (8 * hMax)) * c.h;
    const keptY = single ? Math.ceil(keptHeight / 8) : Math.ceil(keptHeight / (8 * vMax)) * c.v;
    const plan = turnPlan(c, turn, blocksX, blocksY, keptX, keptY);
    plans.push(plan);
    return { ...c, h, v, blocksX, blocksY, dc: plan.dc, first: plan.first, count: plan.count, last: plan.last };
  });
  // Each non-zero AC coefficient takes a code and a value, 2 bits or more: the scan's bits bound how many there are.
  const nonZero = coefficientLists(4 * (bytes.length - file.scanStart) + 64);
  // Reading past the scan's end is tolerated here, as jpegtran does: the missing blocks turn grey.
  decodeScan(bytes, file, plans, codingOrder(components, single, mcusX, mcusY), nonZero);

  // The file's own tables when they can write any block (a camera's usually can), else JPEG's example tables.
  const own = components.every((c) => isComplete(specs.get(c.dcTable)!, false) && isComplete(specs.get(16 + c.acTable)!, true));
  const used = own
    ? [...new Set(components.flatMap((c) => [c.dcTable, 16 + c.acTable]))].map((key) => ({ key, spec: specs.get(key)! }))
    : [0, 16, ...(single ? [] : [1, 17])].map((key) => ({ key, spec: STANDARD_TABLES[key >> 4][key & 15] }));
  const encoders = new Map(used.map(({ key, spec }) => [key, encoderTable(spec)]));
  const tableIds = components.map((c, p) => (own ? [c.dcTable, c.acTable] : p ? [1, 1] : [0, 0]));
  const scanTables = tableIds.map(([dc, ac]) => ({ dc: encoders.get(dc)!, ac: encoders.get(16 + ac)!, ids: (dc << 4) | ac }));
  const huffman = used.flatMap(({ key, spec }) => [key, ...spec.counts, ...spec.symbols]);

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
  const turned = concat([
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
    segment(0xc4, huffman),
    ...encodeScan(outComponents, nonZero, scanTables, codingOrder(outComponents, single, outMcusX, outMcusY).order, bytes.length),
    Uint8Array.of(0xff, 0xd9),
  ]);
  return { bytes: turned, width: outWidth, height: outHeight };
}

/** Where each stored block goes once turned: its index in the upright component's blocks, or −1 when trimmed away. */
interface Turned extends Blocks {
  target: Int32Array;
  /** Zigzag index → the zigzag index it takes once turned, and its sign. */
  to: Uint8Array;
  sign: Int8Array;
}

/**
 * Decodes the scan straight into the upright blocks (`turned`, per component): each non-zero AC coefficient, at its
 * turned place and with its sign, onto the end of the shared lists, and each block's DC and last non-zero place. True when every block came from the scan's own bytes, not
 * the zeros past an interval's end. Throws a RangeError on a code no table holds. One loop with the bit reader in
 * locals, because this runs once a page, mostly before the engine has compiled it.
 */
function decodeScan(
  bytes: Uint8Array,
  { scanStart, components, dcTables, acTables, restartInterval }: JpegFile,
  turned: Turned[],
  { order, blocksPerUnit }: { order: Int32Array; blocksPerUnit: number },
  { places, values }: Coefficients,
): boolean {
  const tables = components.map((c) => ({ dc: dcTables.get(c.dcTable)!, ac: acTables.get(c.acTable)! }));
  const { data, intervals, length } = unstuff(bytes, scanStart);
  let at = 0;
  let buffer = 0;
  let bits = 0;
  // Whether every interval's blocks were read from its own bytes, not from the zeros past its end.
  let held = true;
  const predictors = new Int32Array(components.length);
  let n = 0;
  for (let i = 0, unit = 0; i < order.length; i += 2 * blocksPerUnit, unit++) {
    if (restartInterval && unit && unit % restartInterval === 0) {
      const interval = unit / restartInterval;
      if (interval >= intervals.length) throw new RangeError('missing restart marker');
      if (at - (bits >> 3) > intervals[interval] - RESTART_SLACK) held = false;
      at = intervals[interval];
      buffer = bits = 0;
      predictors.fill(0);
    }
    for (let j = i; j < i + 2 * blocksPerUnit; j += 2) {
      const p = order[j];
      const { dc, ac } = tables[p];
      const { to, sign } = turned[p];
      const target = turned[p].target[order[j + 1]];
      const start = n;
      if (start + 64 > places.length) throw new RangeError('more coefficients than the scan has bits for');
      // A refill tops the reader up to 16 bits or more: a whole code, or a whole value. The buffer stays an int32
      // (>> and a mask, never >>> 0), which Firefox keeps out of doubles: its decode went from 26–38 to 24–27 ms.
      if (bits < 16) {
        buffer = (buffer << 16) | (data[at] << 8) | data[at + 1];
        at += 2;
        bits += 16;
      }
      let look = dc.fast[(buffer >> (bits - FAST_BITS)) & FAST_MASK] || slowSymbol((buffer >> (bits - 16)) & 0xffff, dc);
      bits -= look >> 8;
      let size = look & 0xff;
      if (size > 11) throw new RangeError('bad DC size');
      if (size) {
        if (bits < size) {
          buffer = (buffer << 16) | (data[at] << 8) | data[at + 1];
          at += 2;
          bits += 16;
        }
        predictors[p] += extend((buffer >> (bits - size)) & ((1 << size) - 1), size);
        bits -= size;
      }
      let end = 0;
      for (let k = 1; k < 64; k++) {
        if (bits < 16) {
          buffer = (buffer << 16) | (data[at] << 8) | data[at + 1];
          at += 2;
          bits += 16;
        }
        const peek = (buffer >> (bits - FAST_BITS)) & FAST_MASK;
        const quick = ac.fastAc[peek];
        let value: number;
        if (quick) {
          bits -= quick & 0xff;
          k += (quick >> 8) & 15;
          value = quick >> 16;
        } else {
          look = ac.fast[peek] || slowSymbol((buffer >> (bits - 16)) & 0xffff, ac);
          bits -= look >> 8;
          size = look & 15;
          const run = (look >> 4) & 15;
          if (!size) {
            if (run !== 15) break; // end of block
            k += 15;
            continue;
          }
          k += run;
          if (size > 10) throw new RangeError('bad AC code');
          if (bits < size) {
            buffer = (buffer << 16) | (data[at] << 8) | data[at + 1];
            at += 2;
            bits += 16;
          }
          value = extend((buffer >> (bits - size)) & ((1 << size) - 1), size);
          bits -= size;
        }
        if (k > 63) throw new RangeError('bad AC code');
        const place = to[k];
        places[n] = place;
        values[n++] = value * sign[k];
        if (place > end) end = place;
      }
      // A trimmed block is read and dropped.
      if (target < 0) n = start;
      else {
        const into = turned[p];
        into.dc[target] = predictors[p];
        into.first[target] = start;
        into.count[target] = n - start;
        into.last[target] = end;
      }
    }
  }
  return held && at - (bits >> 3) <= length;
}

/** The blocks in coding order, as (component, block index) pairs: one at a time for one component, else MCU by MCU. */
function codingOrder(components: Component[], single: boolean, mcusX: number, mcusY: number): { order: Int32Array; blocksPerUnit: number } {
  const units = single ? components[0].blocksX * components[0].blocksY : mcusX * mcusY;
  const blocksPerUnit = single ? 1 : components.reduce((sum, c) => sum + c.h * c.v, 0);
  const order = new Int32Array(2 * units * blocksPerUnit);
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
  return { order, blocksPerUnit };
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

/**
 * Where a stored component's blocks go in the upright one's grid (blocksX × blocksY), and the upright blocks to
 * decode into; keptX × keptY stored blocks hold the kept pixels.
 */
function turnPlan(c: Component, turn: Turn, blocksX: number, blocksY: number, keptX: number, keptY: number): Turned {
  const to = new Uint8Array(64);
  const sign = new Int8Array(64);
  for (let k = 0; k < 64; k++) {
    to[k] = turn.transpose ? TRANSPOSED[k] : k;
    sign[k] = (turn.flipX ? ODD_X[k] : 0) ^ (turn.flipY ? ODD_Y[k] : 0) ? -1 : 1;
  }
  const target = new Int32Array(c.blocksX * c.blocksY).fill(-1);
  for (let iy = 0; iy < c.blocksY; iy++)
    for (let ix = 0; ix < c.blocksX; ix++) {
      const x = turn.flipX ? keptX - 1 - ix : ix;
      const y = turn.flipY ? keptY - 1 - iy : iy;
      const ox = turn.transpose ? y : x;
      const oy = turn.transpose ? x : y;
      if (ox >= 0 && oy >= 0 && ox < blocksX && oy < blocksY) target[iy * c.blocksX + ix] = oy * blocksX + ox;
    }
  return { ...blocks(blocksX * blocksY), target, to, sign };
}

/** JPEG's size category of a value under 2048 in magnitude: the bits its magnitude needs. */
const CATEGORY = Uint8Array.from({ length: 2048 }, (_, value) => 32 - Math.clz32(value));

/**
 * The scan's header and its entropy-coded data (no restarts), with one Huffman table pair per component; `capacity`
 * is a guess at its size (it grows past it). One loop with the bit writer in locals, as in decodeScan.
 */
function encodeScan(
  components: (Component & Blocks)[],
  { places, values }: Coefficients,
  tables: { dc: HuffmanEncoder; ac: HuffmanEncoder; ids: number }[],
  order: Int32Array,
  capacity: number,
): Uint8Array[] {
  // The most one block can take, stuffed: 64 codes of 16 bits and values of 11, every byte 0xFF.
  const BLOCK_MOST = 432;
  let out = new Uint8Array(capacity + BLOCK_MOST);
  let at = 0;
  // Bits waiting to be written: the low `count` (under 8 between writes) of `buffer`.
  let buffer = 0;
  let count = 0;
  const predictors = new Int32Array(components.length);
  // The block being written, its coefficients put back in place (and zeroed again as they are written).
  const block = new Int16Array(64);
  for (let i = 0; i < order.length; i += 2) {
    if (at + BLOCK_MOST > out.length) {
      const grown = new Uint8Array(2 * out.length);
      grown.set(out.subarray(0, at));
      out = grown;
    }
    const p = order[i];
    const stored = components[p];
    const { dc, ac } = tables[p];
    const index = order[i + 1];
    const end = stored.last[index];
    for (let from = stored.first[index], until = from + stored.count[index]; from < until; from++) block[places[from]] = values[from];
    const diff = stored.dc[index] - predictors[p];
    predictors[p] = stored.dc[index];
    // Each code and each value's bits go straight into the buffer (under 8 bits wait there between writes, so a
    // 16-bit code or an 11-bit value keeps it under 24 bits: an int32 throughout).
    let size = CATEGORY[diff < 0 ? -diff : diff];
    buffer = (buffer << dc.length[size]) | dc.code[size];
    count += dc.length[size];
    while (count >= 8) {
      const byte = (buffer >> (count -= 8)) & 0xff;
      out[at++] = byte;
      if (byte === 0xff) out[at++] = 0;
    }
    buffer = (buffer << size) | ((diff < 0 ? diff - 1 : diff) & ((1 << size) - 1));
    count += size;
    while (count >= 8) {
      const byte = (buffer >> (count -= 8)) & 0xff;
      out[at++] = byte;
      if (byte === 0xff) out[at++] = 0;
    }
    let run = 0;
    for (let k = 1; k <= end; k++) {
      const value = block[k];
      if (!value) {
        run++;
        continue;
      }
      block[k] = 0;
      // Runs of 16 zeros first (ZRL), then the run and size's code, then the value's bits.
      for (; run > 15; run -= 16) {
        buffer = (buffer << ac.length[0xf0]) | ac.code[0xf0];
        count += ac.length[0xf0];
        while (count >= 8) {
          const byte = (buffer >> (count -= 8)) & 0xff;
          out[at++] = byte;
          if (byte === 0xff) out[at++] = 0;
        }
      }
      size = CATEGORY[value < 0 ? -value : value];
      const symbol = (run << 4) | size;
      buffer = (buffer << ac.length[symbol]) | ac.code[symbol];
      count += ac.length[symbol];
      while (count >= 8) {
        const byte = (buffer >> (count -= 8)) & 0xff;
        out[at++] = byte;
        if (byte === 0xff) out[at++] = 0;
      }
      buffer = (buffer << size) | ((value < 0 ? value - 1 : value) & ((1 << size) - 1));
      count += size;
      while (count >= 8) {
        const byte = (buffer >> (count -= 8)) & 0xff;
        out[at++] = byte;
        if (byte === 0xff) out[at++] = 0;
      }
      run = 0;
    }
    if (end < 63) {
      buffer = (buffer << ac.length[0]) | ac.code[0];
      count += ac.length[0];
      while (count >= 8) {
        const byte = (buffer >> (count -= 8)) & 0xff;
        out[at++] = byte;
        if (byte === 0xff) out[at++] = 0;
      }
    }
  }
  // The last byte is padded with ones, as JPEG asks.
  if (count) {
    const byte = ((buffer << (8 - count)) | ((1 << (8 - count)) - 1)) & 0xff;
    out[at++] = byte;
    if (byte === 0xff) out[at++] = 0;
  }
  const header = segment(0xda, [components.length, ...components.flatMap((c, p) => [c.id, tables[p].ids]), 0, 63, 0]);
  return [header, out.subarray(0, at)];
}

function segment(marker: number, body: number[]): Uint8Array {
  const length = body.length + 2;
  return Uint8Array.from([0xff, marker, length >> 8, length & 0xff, ...body]);
}
