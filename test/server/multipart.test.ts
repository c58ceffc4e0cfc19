/** The multipart scanner the proxy and sandbox read forms with: pure, no server. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import busboy from 'busboy';
import fc from 'fast-check';
import FormDataPackage from 'form-data';
import * as undici from 'undici';
import { parseLivenessForm } from '../../src/server/proxy/liveness-form.ts';
import { ByteChunks } from '../../src/server/proxy/byte-chunks.ts';
import { multipartBoundary, scanMultipart } from '../../src/server/proxy/multipart.ts';
import { jpeg, multipart } from './helpers.ts';

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
    parts.map(({ name, filename, contentType, start, end }) => ({
      name,
      filename,
      contentType,
      content: Buffer.from(body.subarray(start, end)).toString('latin1'),
    })),
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
        const values: Record<string, string | Blob> = {
          liveness_image: new File([image], 'c.jpg'),
          country_code: country,
          card_code: card,
        };
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
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b))
    (chunks.push(bytes.subarray(last, cut)), (last = cut));
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

// ---------------------------------------------------------------------------------------------
// Differential: our scanner against busboy (the reader most Node servers use), on bodies from real
// clients and from fast-check. Where we part ways on purpose, the case and its reason are listed.
// ---------------------------------------------------------------------------------------------

interface ReadPart {
  name: string;
  filename?: string;
  content: string; // latin1, so any bytes compare exactly
}

/** What busboy reads from a body: its parts, or its error. */
function busboyRead(body: Uint8Array, contentType: string): Promise<ReadPart[] | { error: string }> {
  return new Promise((resolve) => {
    let reader: busboy.Busboy;
    try {
      reader = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8', limits: { fieldSize: 4 * 1024 * 1024 } });
    } catch (error) {
      return resolve({ error: String(error) });
    }
    const parts: ReadPart[] = [];
    const pending: Promise<void>[] = [];
    reader.on('field', (name, value) => parts.push({ name, content: Buffer.from(value, 'utf8').toString('latin1') }));
    reader.on('file', (name, stream, info) => {
      const part: ReadPart = { name, filename: info.filename ?? '', content: '' };
      parts.push(part);
      const chunks: Buffer[] = [];
      pending.push(
        new Promise((done) =>
          stream
            .on('data', (chunk: Buffer) => chunks.push(chunk))
            .on('end', () => ((part.content = Buffer.concat(chunks).toString('latin1')), done())),
        ),
      );
    });
    reader.on('error', (error) => resolve({ error: String(error) }));
    reader.on('close', () => void Promise.all(pending).then(() => resolve(parts)));
    reader.end(Buffer.from(body));
  });
}

/** What our scanner reads, in the same shape; a refusal as `{ error }`. */
function oursRead(body: Uint8Array, contentType: string): ReadPart[] | { error: string } {
  const boundary = multipartBoundary(contentType);
  if (boundary === undefined) return { error: 'no boundary' };
  const parts = scanMultipart(body, boundary, 100);
  if (!Array.isArray(parts)) return { error: parts };
  return parts.map((part) => {
    const content = Buffer.from(body.subarray(part.start, part.end));
    // busboy hands fields over as UTF-8 text: compare the same way.
    const text = part.filename === undefined ? Buffer.from(content.toString('utf8'), 'utf8') : content;
    return { name: part.name, ...(part.filename !== undefined ? { filename: part.filename } : {}), content: text.toString('latin1') };
  });
}

/** Catches a raw request body as a client sent it. */
async function capture(send: (url: string) => Promise<unknown>): Promise<{ body: Uint8Array; contentType: string }> {
  let got: { body: Uint8Array; contentType: string } | undefined;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request
      .on('data', (chunk: Buffer) => chunks.push(chunk))
      .on('end', () => {
        got = { body: new Uint8Array(Buffer.concat(chunks)), contentType: String(request.headers['content-type']) };
        response.end('{}');
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  } finally {
    server.close();
  }
  assert.ok(got, 'the client sent a body');
  return got;
}

const NON_ASCII_NAME = 'carte d’identité – 身分証 – '.padEnd(120, 'x') + '.jpg';

test('real clients: every body curl, fetch, undici, form-data and Python send is read as busboy reads it, image bytes intact', async (t) => {
  const image = jpeg(50_000, 7);
  // Bytes a careless scanner trips on: a CRLF and dashes, as JPEG data can hold.
  image.set(Buffer.from('\r\n--\r\n\r\n-- not a boundary'), 1000);
  const dir = mkdtempSync(join(tmpdir(), 'multipart-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, NON_ASCII_NAME);
  writeFileSync(file, image);

  const bodies: Record<string, { body: Uint8Array; contentType: string }> = {};
  bodies['Node fetch (FormData)'] = await capture(async (url) => {
    const form = new FormData();
    form.set('liveness_image', new File([image], NON_ASCII_NAME, { type: 'image/jpeg' }));
    form.set('country_code', 'IND');
    form.set('card_code', 'MRZ');
    await (await fetch(url, { method: 'POST', body: form })).text();
  });
  bodies['undici (its own FormData)'] = await capture(async (url) => {
    const form = new undici.FormData();
    form.set('liveness_image', new File([image], NON_ASCII_NAME, { type: 'image/jpeg' }));
    form.set('country_code', 'IND');
    form.set('card_code', 'MRZ');
    await (await undici.request(url, { method: 'POST', body: form })).body.text();
  });
  bodies['form-data (npm)'] = await capture(async (url) => {
    const form = new FormDataPackage();
    form.append('liveness_image', Buffer.from(image), { filename: NON_ASCII_NAME, contentType: 'image/jpeg' });
    form.append('country_code', 'IND');
    form.append('card_code', 'MRZ');
    await fetch(url, { method: 'POST', body: new Uint8Array(form.getBuffer()), headers: form.getHeaders() }).then((r) => r.text());
  });
  bodies.curl = await capture(async (url) => {
    await promisify(execFile)('curl', [
      '-sS',
      '-o',
      '/dev/null',
      '-F',
      `liveness_image=@${file};type=image/jpeg`,
      '-F',
      'country_code=IND',
      '-F',
      'card_code=MRZ',
      url,
    ]);
  });
  // Python's email package: a long non-ASCII file name becomes a folded `filename*=utf-8''…` header line.
  bodies['Python email + urllib'] = await capture(async (url) => {
    const script = `
import sys, urllib.request
from email.mime.multipart import MIMEMultipart
from email.mime.application import MIMEApplication
from email.mime.text import MIMEText
from email import policy, encoders
form = MIMEMultipart('form-data')
img = MIMEApplication(open(sys.argv[2], 'rb').read(), 'jpeg', _encoder=encoders.encode_noop)
del img['MIME-Version']
img.add_header('Content-Disposition', 'form-data', name='liveness_image', filename=sys.argv[3])
form.attach(img)
for name, value in (('country_code', 'IND'), ('card_code', 'MRZ')):
    part = MIMEText(value, 'plain')
    del part['MIME-Version']
    part.add_header('Content-Disposition', 'form-data', name=name)
    form.attach(part)
raw = form.as_bytes(policy=policy.HTTP.clone(max_line_length=78))
head, body = raw.split(b'\\r\\n\\r\\n', 1)
ctype = form.get('Content-Type').replace('\\n', ' ')
urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=body, headers={'Content-Type': ctype}, method='POST')).read()
`;
    await promisify(execFile)('python3', ['-c', script, url, file, NON_ASCII_NAME]);
  });

  for (const [client, { body, contentType }] of Object.entries(bodies)) {
    const ours = oursRead(body, contentType);
    assert.ok(Array.isArray(ours), `${client}: ${JSON.stringify(ours)}`);
    const theirs = await busboyRead(body, contentType);
    // busboy knows `filename*` but not RFC 2231 continuations (`filename*0*=…; filename*1*=…`, Python's folding of
    // a long name): it loses the part. We read it, as RFC 2231 reads it.
    if (client.startsWith('Python')) assert.deepEqual(ours.slice(1), theirs, client);
    else assert.deepEqual(ours, theirs, client);
    const form = parseLivenessForm(body, contentType, 1_000_000);
    assert.ok(form.ok, `${client}: ${JSON.stringify(form)}`);
    assert.ok(Buffer.concat(form.imageParts).equals(Buffer.from(image)), `${client}: the image bytes`);
    assert.equal(form.countryCode, 'IND');
    assert.equal(form.cardCode, 'MRZ');
  }
  // Python's body is the one with folded header lines and a `filename*`-only part: it must really have them.
  const python = Buffer.from(bodies['Python email + urllib'].body).toString('latin1');
  assert.match(python, /\r\n[ \t]+filename\*1\*=/i, 'Python folds the long file name');
  assert.equal(
    (oursRead(bodies['Python email + urllib'].body, bodies['Python email + urllib'].contentType) as ReadPart[])[0].filename,
    NON_ASCII_NAME,
  );
  assert.doesNotMatch(python, /filename="/, 'Python sends only filename*');
});

/** A body built from parts, each with what a sender may vary, and the flaws we refuse. */
const VALID_TWISTS = ['plain', 'folded', 'filename*', 'padding', 'unquoted', 'extra-header'] as const;
/**
 * Malformed forms we refuse and busboy reads anyway: each is a body where two readers can disagree about
 * what was sent, so an upstream call would be a gamble. The reason is the line after each.
 */
const FLAWS = {
  // A bare LF ends a header line only for lenient readers; RFC 5322 lines end in CRLF.
  'bare-lf-in-header': 'a bare LF inside a header',
  'bare-cr-in-header': 'a bare CR inside a header',
  // `Content-Disposition :` is not the Content-Disposition field (RFC 5322 field names have no space).
  'space-before-colon': 'a space before the colon',
  // busboy takes the first, a PHP or Python reader the last: which one the image is, is anybody's guess.
  'two-dispositions': 'two Content-Disposition headers',
  'two-names': 'two name= parameters',
  // A header block past 16 KiB is refused, not skipped (busboy skips the part's headers past its limit).
  'huge-header': 'a part header block over 16 KiB',
  // RFC 2046: the delimiter must not appear in a part. busboy ends the file there and cuts it short.
  'delimiter-in-content': '\\r\\n--boundary inside the content, not followed by -- or a line end',
} as const;
type Flaw = keyof typeof FLAWS;

function buildBody(
  boundary: string,
  parts: { name: string; file: boolean; content: Uint8Array; twist: (typeof VALID_TWISTS)[number] }[],
  preamble: string,
  flaw: Flaw | undefined,
  flawAt: number,
): Uint8Array {
  const pieces: Buffer[] = [Buffer.from(preamble, 'latin1')];
  parts.forEach((part, index) => {
    const flawed = flaw !== undefined && index === flawAt % parts.length;
    const padding = part.twist === 'padding' ? ' \t ' : '';
    let disposition = part.twist === 'unquoted' ? `form-data; name=${part.name}` : `form-data; name="${part.name}"`;
    if (part.file) disposition += part.twist === 'filename*' ? `; filename*=UTF-8''%E8%BA%AB%E5%88%86.jpg` : `; filename="c.jpg"`;
    if (part.twist === 'folded') disposition = disposition.replace('; ', ';\r\n\t');
    let headers = `Content-Disposition: ${disposition}\r\n`;
    if (part.file) headers += 'Content-Type: image/jpeg\r\n';
    if (part.twist === 'extra-header') headers += 'X-Note: kept\r\n';
    if (flawed) {
      if (flaw === 'bare-lf-in-header') headers = headers.replace('form-data;', 'form-data;\n');
      if (flaw === 'bare-cr-in-header') headers = headers.replace('form-data;', 'form-data;\r');
      if (flaw === 'space-before-colon') headers = headers.replace('Content-Disposition:', 'Content-Disposition :');
      if (flaw === 'two-dispositions') headers += `Content-Disposition: form-data; name="other"\r\n`;
      if (flaw === 'two-names') headers = headers.replace('form-data;', 'form-data; name="other";');
      if (flaw === 'huge-header') headers += `X-Padding: ${'p'.repeat(17 * 1024)}\r\n`;
    }
    pieces.push(Buffer.from(`--${boundary}${padding}\r\n${headers}\r\n`, 'latin1'), Buffer.from(part.content));
    if (flawed && flaw === 'delimiter-in-content') pieces.push(Buffer.from(`\r\n--${boundary}X tail of the image`, 'latin1'));
    pieces.push(Buffer.from('\r\n'));
  });
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return new Uint8Array(Buffer.concat(pieces));
}

test('property: on generated bodies, we read what busboy reads, or refuse one of the listed flaws', async () => {
  const seen = new Map<string, string>();
  await fc.assert(
    fc.asyncProperty(
      fc.stringMatching(/^[0-9A-Za-z'()+_,\-./:=?]{1,40}$/),
      fc.array(
        fc.record({
          name: fc.constantFrom('liveness_image', 'country_code', 'card_code', 'x'),
          file: fc.boolean(),
          // Content near the boundary's own bytes: dashes, CR, LF.
          content: fc.uint8Array({ maxLength: 200 }).map((b) => b.map((x) => [13, 10, 45, 66, 97, 0xff][x % 6])),
          twist: fc.constantFrom(...VALID_TWISTS),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      // A preamble may hold `--boundary` anywhere but at a line start.
      fc.constantFrom('', 'preamble\r\n', 'say --B mid-line\r\n'),
      fc.option(fc.constantFrom(...(Object.keys(FLAWS) as Flaw[])), { freq: 2 }),
      fc.nat(),
      async (boundary, parts, preamble, flaw, flawAt) => {
        fc.pre(!preamble.includes(`\r\n--${boundary}`) && !`\r\n${preamble}`.includes(`\r\n--${boundary}`));
        // A valid body's parts never hold the delimiter (the sender chose a boundary not in them).
        fc.pre(
          parts.every(
            (part) => !Buffer.from(`\r\n${Buffer.from(part.content).toString('latin1')}\r\n`, 'latin1').includes(`\r\n--${boundary}`),
          ),
        );
        const body = buildBody(boundary, parts, preamble.replace('--B', `--${boundary}`), flaw ?? undefined, flawAt);
        const contentType = `multipart/form-data; boundary="${boundary}"`;
        const ours = oursRead(body, contentType);
        const theirs = await busboyRead(body, contentType);
        if (flaw) {
          assert.ok(!Array.isArray(ours), `we refuse ${FLAWS[flaw]}`);
          seen.set(flaw, Array.isArray(theirs) ? 'busboy reads it' : `busboy refuses too (${theirs.error})`);
          return;
        }
        assert.ok(Array.isArray(ours), `a valid body is read: ${JSON.stringify(ours)}`);
        const sent = parts.map((part) => ({
          name: part.name,
          ...(part.file ? { filename: part.twist === 'filename*' ? '身分.jpg' : 'c.jpg' } : {}),
          content: part.file
            ? Buffer.from(part.content).toString('latin1')
            : Buffer.from(Buffer.from(part.content).toString('utf8'), 'utf8').toString('latin1'),
        }));
        assert.deepEqual(ours, sent, 'we read what was sent');
        // busboy drops a part whose delimiter has transport padding (RFC 2046 says receivers must accept it): we don't.
        if (parts.every((part) => part.twist !== 'padding')) assert.deepEqual(theirs, ours, 'busboy reads the same');
      },
    ),
    { numRuns: 400 },
  );
  // Every flaw was tried: the table of intended disagreements is not a dead letter.
  assert.deepEqual([...seen.keys()].sort(), Object.keys(FLAWS).sort(), JSON.stringify(Object.fromEntries(seen)));
  console.log(Object.fromEntries(seen));
});

test('a boundary inside another quoted parameter of Content-Type is not the boundary', () => {
  assert.equal(multipartBoundary('multipart/form-data; x="; boundary=B; y"; boundary=Z'), 'Z');
  assert.equal(multipartBoundary('multipart/form-data; boundary=A; boundary=B'), undefined, 'two boundaries: ambiguous');
  const body = bytes('--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--B--');
  assert.equal(parseLivenessForm(body, 'multipart/form-data; x="; boundary=B; y"; boundary=Z', 1_000_000).ok, false);
});
