/** The multipart scanner the proxy and sandbox read forms with: pure, no server. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseLivenessForm } from '../../src/server/form.ts';
import { multipartBoundary, scanMultipart } from '../../src/server/multipart.ts';
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
        assert.deepEqual(Buffer.from(form.image), Buffer.from(image));
        assert.equal(form.countryCode, country.trim().toUpperCase());
        assert.equal(form.cardCode, card);
      },
    ),
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
