import { expect } from '@open-wc/testing';
import { jpegHasEndMarker, orientedSize, sniffFormat, sniffImage } from '../../src/image/sniff.ts';
import { photoJpeg, screenshotPng, withExif } from '../support/fixtures.ts';

const bytes = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());
const text = (value: string) => new TextEncoder().encode(value);

describe('sniff', () => {
  it('reads JPEG dimensions and EXIF orientation from the header', async () => {
    const jpeg = await withExif(await photoJpeg(900, 600), { orientation: 6 });
    const sniff = sniffImage(await bytes(jpeg));
    expect(sniff).to.deep.equal({ format: 'jpeg', width: 900, height: 600, orientation: 6, components: 3 });
    expect(orientedSize(sniff)).to.deep.equal({ width: 600, height: 900 });
  });

  it('reads PNG and WebP dimensions', async () => {
    expect(sniffImage(await bytes(await screenshotPng(700, 500)))).to.deep.equal({ format: 'png', width: 700, height: 500 });
    const webp = await (await fetch('/test/fixtures/generated/blank.webp')).blob(); // written by sharp in the test setup
    expect(sniffImage(await bytes(webp))).to.include({ format: 'webp', width: 640, height: 480 });
  });

  it('detects formats from bytes, never from names', () => {
    expect(sniffFormat(text('GIF89a....'))).to.equal('gif');
    expect(sniffFormat(text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'))).to.equal('svg');
    expect(sniffFormat(text('hello, this is text'))).to.equal('text');
    expect(sniffFormat(text('%PDF-1.7'))).to.equal('pdf');
    expect(sniffFormat(new Uint8Array([0, 0, 0, 24, ...text('ftypheic')]))).to.equal('heic');
    expect(sniffFormat(new Uint8Array([0, 0, 0, 24, ...text('ftypavif')]))).to.equal('avif');
    expect(sniffFormat(new Uint8Array([]))).to.equal('unknown');
    expect(sniffFormat(new Uint8Array([0x00, 0x01, 0x02, 0x9f, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a]))).to.equal('unknown');
  });

  it('finds the JPEG end marker only in a complete file', async () => {
    const jpeg = await bytes(await photoJpeg(640, 480));
    expect(jpegHasEndMarker(jpeg.subarray(jpeg.length - 100))).to.be.true;
    expect(jpegHasEndMarker(jpeg.subarray(1000, 2000))).to.be.false;
  });
});
