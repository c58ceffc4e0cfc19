/** The multipart scanner the proxy and sandbox read forms with: pure, no server. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseLivenessForm } from '../../src/server/proxy/liveness-form.ts';
import { ByteChunks } from '../../src/server/proxy/byte-chunks.ts';
import { multipartBoundary, scanMultipart } from '../../src/server/proxy/multipart.ts';
import { multipart } from './helpers.ts';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

test('boundaries: quoted or bare, and only for multipart/form-data', () => {
  assert.equal(multipartBoundary('multipart/form-data; boundary=abc'), 'abc');
  assert.equal(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b:c"'), 'a b:c');
  assert.equal(multipartBoundary('multipart/form-data; boundary=abc; other=1'), 'abc');
  assert.equal(multipartBoundary('multipart/mixed; boundary=abc'), undefined);
  assert.equal(multipartBoundary('application/json'), undefined);
  assert.equal(multipartBoundary('multipart/form-data'), undefined);
  assert.equal(multipartBoundary(`multipart/form-data; boundary=${'x'.repeat(71)}`), undefined, 'RFC 2046: 70 characters at most');
});

test('parts: names, file names, types and content ranges; a preamble is skipped', () => {
  const body = bytes(
    'preamble\r\n--B\r\nContent-Disposition: form-data; name="liveness_image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n' +
      '\xff\xd8\r\n--not-it\r\n\r\n--B\r\ncontent-disposition: form-data; name=country_code\r\n\r\nIND\r\n--B--\r\nepilogue',
  );
  const parts = scanMultipart(body, 'B', 3);
  assert.ok(Array.isArray(parts));
  assert.deepEqual(
    parts.map(({ name, filename, contentType, start, end }) => ({ name, filename, contentType, content: Buffer.from(body.subarray(start, end)).toString('latin1') })),
    [
      { name: 'liveness_image', filename: 'a.jpg', contentType: 'image/jpeg', content: '\xff\xd8\r\n--not-it\r\n' },
      { name: 'country_code', filename: undefined, contentType: undefined, content: 'IND' },
    ],
  );
});

test('malformed bodies and too many parts are told apart', () => {
  assert.equal(scanMultipart(bytes('no delimiter at all'), 'B', 3), 'malformed');
  assert.equal(scanMultipart(bytes('x--B\r\n'), 'B', 3), 'malformed', 'a delimiter must start a line');
  assert.equal(scanMultipart(bytes('--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nno closing'), 'B', 3), 'malformed');
  assert.equal(scanMultipart(bytes('--B\r\nContent-Disposition: form-data; name="a"\r\nno header end'), 'B', 3), 'malformed');
  assert.equal(scanMultipart(bytes('--B\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--B--'), 'B', 3), 'malformed');
  assert.equal(scanMultipart(bytes('--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--'), 'B', 3), 'malformed', 'a part needs a name');
  assert.equal(scanMultipart(bytes('--B--'), 'B', 3).length, 0);
  const four = Array.from({ length: 4 }, (_, i) => `--B\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`).join('') + '--B--';
  assert.equal(scanMultipart(bytes(four), 'B', 3), 'too-many-parts');
  assert.equal((scanMultipart(bytes(four), 'B', 4) as unknown[]).length, 4);
});

test('property: any form the platform encodes comes back with the same image bytes and codes', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ minLength: 1, maxLength: 4096 }),
      fc.constantFrom('IND', 'usa', ' FRA '),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/),
      fc.shuffledSubarray(['liveness_image', 'country_code', 'card_code'], { minLength: 3, maxLength: 3 }),
      async (image, country, card, order) => {
        const values: Record<string, string | Blob> = { liveness_image: new File([image], 'c.jpg'), country_code: country, card_code: card };
        const { body, contentType } = await multipart(Object.fromEntries(order.map((name) => [name, values[name]])));
        const form = parseLivenessForm(body, contentType, 1_000_000);
        assert.ok(form.ok, JSON.stringify(form));
        assert.deepEqual(Buffer.concat(form.imageParts), Buffer.from(image));
        assert.equal(form.imageLength, image.length);
        assert.equal(form.countryCode, country.trim().toUpperCase());
        assert.equal(form.cardCode, card);
      },
    ),
    { numRuns: 300 },
  );
});

/** `bytes` cut at the given points into chunks. */
function split(bytes: Uint8Array, cuts: number[], watch?: Uint8Array): ByteChunks {
  const chunks = new ByteChunks(watch);
  let last = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) chunks.push(bytes.subarray(last, cut)), (last = cut);
  chunks.push(bytes.subarray(last));
  return chunks;
}

test('property: indexOf across chunk edges, searched later or watched on arrival, finds what Buffer.indexOf finds in the joined bytes', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }).map((b) => b.map((x) => x % 3)), // a 3-letter alphabet: many near matches
      fc.uint8Array({ minLength: 1, maxLength: 6 }).map((b) => b.map((x) => x % 3)),
      fc.array(fc.nat(), { maxLength: 40 }),
      fc.nat({ max: 300 }),
      (bytes, needle, cuts, from) => {
        const chunks = split(bytes, cuts);
        assert.equal(chunks.length, bytes.length);
        const expected = from >= bytes.length ? -1 : Buffer.from(bytes).indexOf(Buffer.from(needle), from);
        assert.equal(chunks.indexOf(needle, from), expected);
        // Watched as the chunks arrive: the same answer from the positions found on the way in.
        assert.equal(split(bytes, cuts, needle).indexOf(needle, from), expected);
        assert.deepEqual(Buffer.from(chunks.bytes(0, bytes.length)), Buffer.from(bytes));
      },
    ),
    { numRuns: 2000 },
  );
});

test('property: a form cut into any chunks parses as it does whole', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), fc.array(fc.nat(), { maxLength: 30 }), async (image, cuts) => {
      const { body, contentType } = await multipart({ liveness_image: new File([image], 'c.jpg'), country_code: 'IND', card_code: 'MRZ' });
      const form = parseLivenessForm(split(body, cuts), contentType, 1_000_000);
      assert.ok(form.ok, JSON.stringify(form));
      assert.deepEqual(Buffer.concat(form.imageParts), Buffer.from(image));
      assert.deepEqual(Buffer.from(form.imageHead), Buffer.from(image.subarray(0, 4096)));
    }),
    { numRuns: 300 },
  );
});

test('property: random bytes in place of a body never throw and are never taken for a form', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2048 }), (body) => {
      const form = parseLivenessForm(new Uint8Array(body), 'multipart/form-data; boundary=B', 1_000_000);
      assert.equal(form.ok, false);
    }),
    { numRuns: 500 },
  );
});
