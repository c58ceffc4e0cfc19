import { expect } from '@open-wc/testing';
import { isLocalDevelopmentUrl } from '../../src/check/api-key-warning.ts';
import {
  MAX_PIXELS,
  QUALITY_MAX,
  QUALITY_MIN,
  assertAcceptableHeader,
  nextAttempt,
  planEncode,
  stripJpegMetadata,
  stripPngMetadata,
} from '../../src/image/image-rules.ts';
import { parseRetryAfter, retryDelayMs } from '../../src/check/retry.ts';
import { sniffImage } from '../../src/image/sniff.ts';
import { photoJpeg, screenshotPng, withExif } from '../support/fixtures.ts';

const codeOf = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'none';
};

describe('pipeline rules', () => {
  it('refuses decompression bombs from the header, before decoding', () => {
    // A PNG header that declares 30000×30000.
    const header = new Uint8Array(33);
    header.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(header.buffer).setUint32(16, 30000);
    new DataView(header.buffer).setUint32(20, 30000);
    expect(codeOf(() => assertAcceptableHeader(sniffImage(header), 5000))).to.equal('image-too-large');
    expect(30000 * 30000).to.be.greaterThan(MAX_PIXELS);
  });

  it('strips EXIF from a JPEG without touching the image data', async () => {
    const plain = new Uint8Array(await (await photoJpeg(800, 600)).arrayBuffer());
    const tagged = new Uint8Array(await (await withExif(new Blob([plain]), { gps: true, orientation: 1 })).arrayBuffer());
    expect(tagged.length).to.be.greaterThan(plain.length);
    expect(stripJpegMetadata(tagged)).to.deep.equal(plain);
  });

  it('strips text chunks from a PNG', async () => {
    const png = new Uint8Array(await (await screenshotPng(700, 500)).arrayBuffer());
    // Insert a tEXt chunk after IHDR (8 + 25 bytes).
    const payload = new TextEncoder().encode('Comment\0GPS 48.85,2.29');
    const chunk = new Uint8Array(12 + payload.length);
    new DataView(chunk.buffer).setUint32(0, payload.length);
    chunk.set(new TextEncoder().encode('tEXt'), 4);
    chunk.set(payload, 8);
    const tagged = new Uint8Array([...png.subarray(0, 33), ...chunk, ...png.subarray(33)]);
    expect(stripPngMetadata(tagged)).to.deep.equal(png);
  });

  it('plans the highest quality that fits at full size, then the largest scale at the quality floor', async () => {
    const flat = async () => 1;
    expect(await planEncode(1000, 1000, 1_000_000, flat)).to.deep.equal({ scale: 1, quality: QUALITY_MAX });
    // 2 bpp at the top, 1 bpp at the floor: 1.2 MP fits at full size somewhere between.
    const graded = async (_scale: number, quality: number) => (quality === QUALITY_MAX ? 8 : 6);
    const middle = await planEncode(1200, 1000, 1_000_000, graded);
    expect(middle.scale).to.equal(1);
    expect(middle.quality).to.be.within(QUALITY_MIN, QUALITY_MAX);
    // Too dense for full size: shrink until the sample at that scale predicts the target.
    const samples: number[] = [];
    const dense = async (scale: number) => {
      samples.push(scale);
      return 2 / scale; // denser per pixel as it shrinks
    };
    const shrunk = await planEncode(4000, 3000, 1_000_000, dense);
    expect(shrunk.quality).to.equal(QUALITY_MIN);
    const predictedBytes = ((2 / shrunk.scale) * 12_000_000 * shrunk.scale ** 2) / 8;
    expect(predictedBytes).to.be.within(0.9 * 950_000, 1_000_000);
    expect(samples.length).to.be.within(2, 4);
  });

  it('grows back an encode far under budget, shrinks one over it, and keeps one that uses the budget', () => {
    const shrunk = { scale: 0.6, quality: QUALITY_MIN };
    expect(nextAttempt(shrunk, 1_200_000, 1_000_000)!.scale).to.be.lessThan(0.6);
    expect(nextAttempt(shrunk, 500_000, 1_000_000)!.scale).to.be.greaterThan(0.6);
    expect(nextAttempt(shrunk, 900_000, 1_000_000)).to.be.undefined;
    expect(nextAttempt({ scale: 1, quality: 0.92 }, 300_000, 1_000_000)).to.be.undefined;
    expect(nextAttempt({ scale: 1, quality: 0.92 }, 1_100_000, 1_000_000)).to.deep.equal({ scale: 1, quality: 0.87 });
  });

  it('backs off exponentially with jitter and honours Retry-After', () => {
    expect(retryDelayMs(0, null, 0, () => 0)).to.equal(250);
    expect(retryDelayMs(1, null, 0, () => 1)).to.equal(1000);
    expect(retryDelayMs(0, '3', 0, () => 0)).to.equal(3000);
    expect(retryDelayMs(0, new Date(5000).toUTCString(), 0, () => 0)).to.equal(5000);
    expect(retryDelayMs(0, '3600', 0, () => 0)).to.be.undefined;
    expect(parseRetryAfter('soon')).to.be.undefined;
  });

  it('treats only loopback hosts as local development', () => {
    for (const url of ['http://localhost:5173/x', 'http://127.0.0.1/x', 'http://app.localhost/x'])
      expect(isLocalDevelopmentUrl(url), url).to.be.true;
    for (const url of ['https://api.accurascan.com/v2/api/id-liveness', 'http://192.168.1.2/x', 'https://localhost.evil.com/']) {
      expect(isLocalDevelopmentUrl(url), url).to.be.false;
    }
  });
});
