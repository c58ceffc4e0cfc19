/**
 * orientJpeg against libjpeg-turbo's jpegtran, the reference for lossless JPEG transforms: for every EXIF
 * orientation, chroma layout and an edge that isn't a whole block, the file we write decodes to exactly the
 * pixels that `jpegtran -<transform> -trim` gives, and to the original's upright pixels within the rounding of
 * a transposed inverse DCT. jpegtran comes from Debian's libjpeg-turbo-progs, unpacked on first use.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { STANDARD_TABLES, jpegScanHolds, orientJpeg } from '../../src/image/jpeg-orient.ts';
import { jpegSegments } from '../../src/image/sniff.ts';
import { unpackDebianPackages } from '../support/debian.mjs';
import { loadSurfaces } from '../support/surfaces.mjs';

const root = unpackDebianPackages(
  ['libjpeg-turbo-progs', 'libjpeg62-turbo'],
  fileURLToPath(new URL('../fixtures/generated/jpegtran/', import.meta.url)),
  ['/usr/bin/jpegtran'],
  'jpegtran, the reference for the lossless turn',
);
const jpegtran = (input: Buffer, args: string[]): Buffer =>
  execFileSync(`${root}/usr/bin/jpegtran`, args, {
    input,
    env: { ...process.env, LD_LIBRARY_PATH: `${root}/usr/lib/x86_64-linux-gnu` },
    maxBuffer: 1 << 26,
  });

// jpegtran's name for the transform that makes each EXIF orientation upright.
const TRANSFORMS: Record<number, string[]> = {
  2: ['-flip', 'horizontal'],
  3: ['-rotate', '180'],
  4: ['-flip', 'vertical'],
  5: ['-transpose'],
  6: ['-rotate', '90'],
  7: ['-transverse'],
  8: ['-rotate', '270'],
};

// A real photograph, from Debian's MATE backgrounds (the realistic corner set's surfaces, fetched on first use), cut to
// the sizes below.
const meadow = (await loadSurfaces()).find((surface) => surface.name === 'GreenMeadow')!;
const photo = await sharp(meadow.rgb, { raw: { width: meadow.width, height: meadow.height, channels: 3 } })
  .resize(1203, 805, { fit: 'cover' })
  .raw()
  .toBuffer({ resolveWithObject: true });

async function cameraJpeg(width: number, height: number, layout: '4:2:0' | '4:4:4' | 'grey', orientation: number): Promise<Buffer> {
  let image = sharp(photo.data, { raw: photo.info }).extract({ left: 0, top: 0, width, height });
  if (layout === 'grey') image = image.grayscale();
  return image
    .jpeg({ quality: 88, chromaSubsampling: layout === '4:4:4' ? '4:4:4' : '4:2:0' })
    .withMetadata({ orientation, exif: { IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } } })
    .toBuffer();
}

const pixels = async (jpeg: Buffer | Uint8Array) => sharp(jpeg).raw().toBuffer({ resolveWithObject: true });

for (const [width, height] of [
  [1200, 800],
  [1203, 805],
])
  for (const layout of ['4:2:0', '4:4:4', 'grey'] as const)
    test(`a ${width} × ${height} ${layout} JPEG turns upright for every orientation, as jpegtran turns it`, async () => {
      for (let orientation = 2; orientation <= 8; orientation++) {
        const input = await cameraJpeg(width, height, layout, orientation);
        const turned = orientJpeg(new Uint8Array(input), orientation);
        assert.ok(turned, `orientation ${orientation} is turned`);
        const ours = await pixels(turned.bytes);
        const reference = await pixels(jpegtran(input, [...TRANSFORMS[orientation], '-trim', '-copy', 'none']));
        assert.deepEqual(
          [ours.info.width, ours.info.height],
          [reference.info.width, reference.info.height],
          `orientation ${orientation}: size`,
        );
        assert.deepEqual(
          [turned.width, turned.height],
          [ours.info.width, ours.info.height],
          `orientation ${orientation}: the size it reports`,
        );
        assert.ok(ours.data.equals(reference.data), `orientation ${orientation}: the same pixels as jpegtran's`);
        // Upright: the original's pixels with EXIF applied, within a transposed IDCT's rounding; trimmed by less than a block.
        const upright = await sharp(input).rotate().raw().toBuffer({ resolveWithObject: true });
        assert.ok(
          upright.info.width - ours.info.width < 16 && upright.info.height - ours.info.height < 16,
          `orientation ${orientation}: trim`,
        );
        const offsetX = [2, 3, 6, 7, 8].includes(orientation) ? upright.info.width - ours.info.width : 0;
        const offsetY = [3, 4, 7, 8].includes(orientation) ? upright.info.height - ours.info.height : 0;
        // Two pixels in from each edge: where a trim made a new edge, the decoder's chroma upsampling has no
        // neighbour there any more (jpegtran's file decodes the same).
        let worst = 0;
        const channels = ours.info.channels;
        for (let y = 2; y < ours.info.height - 2; y++)
          for (let x = 2; x < ours.info.width - 2; x++)
            for (let c = 0; c < channels; c++) {
              const a = ours.data[(y * ours.info.width + x) * channels + c];
              const b = upright.data[((y + offsetY) * upright.info.width + x + offsetX) * upright.info.channels + c];
              worst = Math.max(worst, Math.abs(a - b));
            }
        assert.ok(worst <= 4, `orientation ${orientation}: upright within ${worst} levels`);
        // No metadata left: no EXIF (GPS), no orientation to apply twice.
        assert.ok(!jpegSegments(turned.bytes).some((s) => s.marker === 0xe1), `orientation ${orientation}: no EXIF`);
        assert.ok(!Buffer.from(turned.bytes).includes('Exif'), `orientation ${orientation}: no EXIF text`);
      }
    });

test('restart markers, as many phone cameras write them, are read', async () => {
  const input = await cameraJpeg(1200, 800, '4:2:0', 6);
  for (const interval of ['1', '7']) {
    const restarted = jpegtran(input, ['-restart', interval, '-copy', 'all']);
    assert.ok(restarted.includes(Buffer.from([0xff, 0xdd])), 'the file has a restart interval');
    const turned = orientJpeg(new Uint8Array(restarted), 6);
    assert.ok(turned);
    assert.ok(
      (await pixels(turned.bytes)).data.equals((await pixels(orientJpeg(new Uint8Array(input), 6)!.bytes)).data),
      `every ${interval} MCU`,
    );
  }
});

test('a progressive JPEG, an upright one and a bomb-sized frame are left to the decode-and-encode path; damaged data throws', async () => {
  const progressive = await sharp(photo.data, { raw: photo.info }).jpeg({ progressive: true }).toBuffer();
  assert.equal(orientJpeg(new Uint8Array(progressive), 6), undefined);
  const input = await cameraJpeg(1200, 800, '4:2:0', 6);
  assert.equal(orientJpeg(new Uint8Array(input), 1), undefined);
  // A frame claiming 60,000 × 60,000 pixels in a small file is not turned (nor allocated for).
  const claim = new Uint8Array(input);
  const frame = jpegSegments(claim).find((s) => s.marker === 0xc0)!;
  claim.set([0xea, 0x60, 0xea, 0x60], frame.start + 5);
  assert.equal(orientJpeg(claim, 6), undefined);
  const damaged = new Uint8Array(input);
  const scan = jpegSegments(damaged).find((s) => s.marker === 0xda)!;
  damaged.fill(0xfe, scan.end + 200, scan.end + 4000);
  assert.throws(() => orientJpeg(damaged, 6), RangeError);
});

/** A JPEG's Huffman tables, as class × 16 + id → the DHT bytes after that first byte. */
function huffmanTables(jpeg: Uint8Array): Map<number, number[]> {
  const tables = new Map<number, number[]>();
  for (const { start, end } of jpegSegments(jpeg).filter((s) => s.marker === 0xc4)) {
    const body = jpeg.subarray(start + 4, end);
    for (let at = 0; at < body.length;) {
      const total = body.subarray(at + 1, at + 17).reduce((sum, count) => sum + count, 0);
      tables.set(body[at], [...body.subarray(at + 1, at + 17 + total)]);
      at += 17 + total;
    }
  }
  return tables;
}

test("a camera's JPEG (JPEG's example tables) keeps its tables and its size within 5 %; a fitted one is written with the example tables", async () => {
  // libjpeg without fitted tables writes the example tables of ITU T.81 annex K.3, as camera encoders do.
  const camera = await sharp(photo.data, { raw: photo.info })
    .extract({ left: 0, top: 0, width: 1200, height: 800 })
    .jpeg({ quality: 88, optimiseCoding: false })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const tables = huffmanTables(new Uint8Array(camera));
  for (const [key, spec] of [
    [0x00, STANDARD_TABLES[0][0]],
    [0x01, STANDARD_TABLES[0][1]],
    [0x10, STANDARD_TABLES[1][0]],
    [0x11, STANDARD_TABLES[1][1]],
  ] as const)
    assert.deepEqual(tables.get(key), [...spec.counts, ...spec.symbols], `table ${key.toString(16)}`);
  const turned = orientJpeg(new Uint8Array(camera), 6)!;
  assert.deepEqual(huffmanTables(turned.bytes), tables, 'the same tables');
  // Transposed blocks run differently through the zigzag: a few % more bytes (2.6 % here), none for a flip.
  assert.ok(Math.abs(turned.bytes.length / camera.length - 1) < 0.05, `${turned.bytes.length} bytes from ${camera.length}`);
  // sharp fits its tables by default: those lack symbols a turned block can need, so the example tables are used.
  const fitted = await cameraJpeg(1200, 800, '4:2:0', 6);
  assert.deepEqual(huffmanTables(orientJpeg(new Uint8Array(fitted), 6)!.bytes), tables);
});

test('an upright JPEG whose scan holds every block is known to decode without decoding it; a damaged or short scan is not', async () => {
  for (const layout of ['4:2:0', '4:4:4', 'grey'] as const) {
    const input = await cameraJpeg(1203, 805, layout, 1);
    assert.equal(jpegScanHolds(new Uint8Array(input)), true, layout);
    for (const interval of ['1', '7'])
      assert.equal(
        jpegScanHolds(new Uint8Array(jpegtran(input, ['-restart', interval, '-copy', 'all']))),
        true,
        `${layout}, restart every ${interval}`,
      );
  }
  const progressive = await sharp(photo.data, { raw: photo.info }).jpeg({ progressive: true }).toBuffer();
  assert.equal(jpegScanHolds(new Uint8Array(progressive)), undefined, 'progressive: not read here, so decoded');

  const input = new Uint8Array(await cameraJpeg(1200, 800, '4:2:0', 1));
  const scan = jpegSegments(input).find((s) => s.marker === 0xda)!;
  const damaged = input.slice();
  damaged.fill(0xfe, scan.end + 200, scan.end + 4000);
  assert.equal(jpegScanHolds(damaged), false, 'a run of bad codes');
  // Cut in the middle with its end marker put back: the tail check passes, but the blocks run out.
  const short = new Uint8Array([...input.subarray(0, scan.end + (input.length - scan.end) / 2), 0xff, 0xd9]);
  assert.equal(jpegScanHolds(short), false, 'a scan cut short');
  // The same cut inside the first of several restart intervals: the later intervals are whole.
  const restarted = new Uint8Array(jpegtran(Buffer.from(input), ['-restart', '40', '-copy', 'all']));
  const restartScan = jpegSegments(restarted).find((s) => s.marker === 0xda)!;
  const firstRestart = restarted.findIndex((byte, i) => i > restartScan.end && byte === 0xff && restarted[i + 1] === 0xd0);
  const cutInterval = new Uint8Array([...restarted.subarray(0, restartScan.end + 100), ...restarted.subarray(firstRestart)]);
  assert.equal(jpegScanHolds(cutInterval), false, 'a restart interval cut short');
  // A Huffman table with more codes of a length than the length allows: libjpeg refuses it.
  const bogus = input.slice();
  const table = jpegSegments(bogus).find((s) => s.marker === 0xc4)!;
  bogus[table.start + 5] = 3; // three codes of length 1
  assert.equal(jpegScanHolds(bogus), undefined, 'a bogus table: left to the decoder');
});
