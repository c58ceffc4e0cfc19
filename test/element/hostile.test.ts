import { expect } from '@open-wc/testing';
import {
  animatedGif,
  base64ToBlob,
  corruptJpeg,
  emptyFile,
  handMadePng,
  photoJpeg,
  seededRandom,
  truncatedJpeg,
} from '../support/fixtures.ts';
import { sniffImage } from '../../src/image/sniff.ts';
import { type RecordedField, button, chooseFile, makeElement, rejection, requestsFor, untilPhase } from '../support/harness.ts';

const randomBytesPng = () => {
  const random = seededRandom(99);
  return new File([new Uint8Array(50_000).map(() => Math.floor(random() * 256))], 'random.png', { type: 'image/png' });
};
// A JPEG signature followed by an HTML page: sniffed as JPEG, refused for having no image data.
const polyglot = () =>
  new File([new Uint8Array([0xff, 0xd8, 0xff, 0xfe, 0x00, 0x10]), '<html><script>alert(1)</script></html>'.repeat(50)], 'photo.jpg', {
    type: 'image/jpeg',
  });
const svgWithScript = () =>
  new File(
    [
      '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><script>parent.__pwned = true</script><rect width="800" height="600"/></svg>',
    ],
    'card.svg',
    {
      type: 'image/svg+xml',
    },
  );
const heic = () =>
  new File([new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypheicmif1heic'), ...new Uint8Array(4000)])], 'IMG_1.HEIC', {
    type: 'image/heic',
  });
// 200 MB of zeros behind a JPEG signature: refused from its size, before any decoding.
const huge = () => {
  const part = new Uint8Array(10_000_000);
  part.set([0xff, 0xd8, 0xff, 0xe0]);
  return new File(
    Array.from({ length: 20 }, () => part),
    'huge.jpg',
    { type: 'image/jpeg' },
  );
};

describe('hostile and odd inputs', () => {
  const cases: [string, () => File | Promise<File>, string][] = [
    ['a 0-byte file', emptyFile, 'invalid-file'],
    ['a truncated JPEG', truncatedJpeg, 'invalid-file'],
    ['a corrupt JPEG', corruptJpeg, 'invalid-file'],
    ['random bytes named .png', randomBytesPng, 'unsupported-format'],
    ['a polyglot (JPEG header, then HTML)', polyglot, 'invalid-file'],
    ['an SVG containing <script>', svgWithScript, 'unsupported-format'],
    ['an animated GIF', animatedGif, 'unsupported-format'],
    ['HEIC', heic, 'unsupported-format'],
    ['a 200 MB file', huge, 'image-too-large'],
    [
      'a PNG declaring 30000×30000 (decompression bomb)',
      () => handMadePng({ width: 16, height: 16, bitDepth: 8, declaredWidth: 30000, declaredHeight: 30000 }),
      'image-too-large',
    ],
    ['a 1×1 image', () => handMadePng({ width: 1, height: 1, bitDepth: 8 }), 'image-too-small'],
  ];
  for (const [name, make, code] of cases) {
    it(`${name}: ${code}, nothing sent, and the next photo still goes through`, async () => {
      const { el, id } = await makeElement();
      const error = await rejection(el.check(await make()));
      expect(error.code).to.equal(code);
      expect(el.shadowRoot!.querySelector('[part=error]')!.textContent!.length).to.be.greaterThan(20);
      expect(await requestsFor(id)).to.have.length(0);
      expect((window as { __pwned?: boolean }).__pwned).to.be.undefined;
      await chooseFile(el, new File([await photoJpeg(900, 600)], 'ok.jpg', { type: 'image/jpeg' }));
      button(el, 'Check document').click();
      await untilPhase(el, 'result');
    });
  }

  it('accepts a CMYK JPEG and sends an upright RGB JPEG', async () => {
    const cmyk = await (await fetch('/test/fixtures/generated/cmyk.jpg')).blob(); // written by sharp in the test setup
    const head = new Uint8Array(await cmyk.slice(0, 4).arrayBuffer());
    expect([...head]).to.deep.equal([0xff, 0xd8, 0xff, 0xee]); // the Adobe marker of a CMYK JPEG
    const { el, id } = await makeElement();
    const result = await el.check(new File([cmyk], 'cmyk.jpg', { type: 'image/jpeg' }));
    expect(result.image).to.include({ width: 1200, height: 720 });
    const [request] = await requestsFor(id);
    const sent = request.fields.liveness_image as RecordedField;
    expect(sent.size).to.be.at.most(1_000_000);
    expect(
      sniffImage(new Uint8Array(await base64ToBlob(sent.base64, sent.type).arrayBuffer())).components,
      'sent as three-channel JPEG',
    ).to.equal(3);
  });

  it('accepts a 16-bit PNG with alpha and sends it', async () => {
    const png = await handMadePng({ width: 800, height: 600, bitDepth: 16 });
    const { el, id } = await makeElement();
    const result = await el.check(png);
    expect(result.image).to.include({ width: 800, height: 600 });
    const [request] = await requestsFor(id);
    expect((request.fields.liveness_image as { size: number }).size).to.be.at.most(1_000_000);
  });
});
