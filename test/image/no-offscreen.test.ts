/**
 * Safari before 16.4 has no 2D OffscreenCanvas, in the page or in workers. With the constructor gone,
 * the pipeline, the analysis and a capture's still run on the main thread on a <canvas>, and a worker
 * that reports it can't draw hands its tasks back to the page, silently.
 */
import { expect } from '@open-wc/testing';
import { photoJpeg } from '../support/fixtures.ts';
import { prepareImage } from '../../src/image/prepare.ts';
import { analyzeQuality } from '../../src/quality/analyze.ts';
import { cutStill } from '../../src/camera/still.ts';
import { cutPicture } from '../../src/camera/cut.ts';
import { hasOffscreen2d } from '../../src/image/canvas.ts';
import { ImageWorkerClient } from '../../src/image/worker/worker-client.ts';

describe('without a 2D OffscreenCanvas (Safari before 16.4)', () => {
  let photo: Blob;
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'OffscreenCanvas')!;
  before(async () => {
    photo = await photoJpeg(1600, 1200, { quality: 0.95 }); // made while OffscreenCanvas still exists
    delete (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas;
  });
  after(() => Object.defineProperty(globalThis, 'OffscreenCanvas', saved));

  it('prepares a photo, judges it and cuts a still on a <canvas>', async () => {
    expect(hasOffscreen2d()).to.equal(false);
    const prepared = await prepareImage(photo, { maxBytes: 200_000 });
    expect(prepared.bytes).to.be.at.most(200_000);
    expect(prepared.type).to.equal('image/jpeg');
    const bitmap = await createImageBitmap(photo);
    const report = analyzeQuality(bitmap);
    expect(report.issues).to.be.an('array');
    const request = { frame: { width: 1600, height: 1200 }, crop: { x: 100, y: 100, width: 800, height: 500 } };
    // A camera photo, decoded and cut; and a preview frame, cut as it is.
    for (const still of [await cutStill({ ...request, photo }), await cutPicture(bitmap, bitmap, { scale: 1, x: 0, y: 0 }, request)]) {
      expect([still.width, still.height]).to.deep.equal([800, 500]);
      expect(still.blob.type).to.equal('image/jpeg');
    }
  });

  it('a worker that says it cannot draw leaves the tasks to the page, with no warning', async () => {
    // A worker like Safari 16.3's: it runs, but has no OffscreenCanvas to draw on.
    const source = 'postMessage({ id: 0, ready: true, canvas: false }); onmessage = () => {};';
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const warnings: unknown[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args);
    try {
      const client = new ImageWorkerClient(() => new Worker(url));
      const prepared = await client.prepare(photo, 200_000);
      expect(prepared.bytes).to.be.at.most(200_000);
      expect(warnings).to.deep.equal([]);
      client.dispose();
    } finally {
      console.warn = warn;
      URL.revokeObjectURL(url);
    }
  });
});
