import { expect } from '@open-wc/testing';
import { MAX_CANVAS_PIXELS } from '../../src/image/canvas-limit.ts';
import { prepareImage } from '../../src/image/prepare.ts';
import { engineLabel } from '../support/engine.ts';

/** Records the size of every canvas made (and resized) while `run` goes. */
async function canvasSizes<T>(run: () => Promise<T>): Promise<{ value: T; sizes: number[] }> {
  const sizes: number[] = [];
  const Original = globalThis.OffscreenCanvas;
  globalThis.OffscreenCanvas = class extends Original {
    constructor(width: number, height: number) {
      super(width, height);
      sizes.push(width * height);
    }
  };
  const restores = [HTMLCanvasElement.prototype, Original.prototype].flatMap((proto) =>
    (['width', 'height'] as const).map((side) => {
      const descriptor = Object.getOwnPropertyDescriptor(proto, side)!;
      Object.defineProperty(proto, side, {
        ...descriptor,
        set(this: HTMLCanvasElement | OffscreenCanvas, value: number) {
          descriptor.set!.call(this, value);
          sizes.push(this.width * this.height);
        },
      });
      return () => Object.defineProperty(proto, side, descriptor);
    }),
  );
  try {
    return { value: await run(), sizes };
  } finally {
    globalThis.OffscreenCanvas = Original;
    for (const restore of restores) restore();
  }
}

/** A 48 MP (8000 × 6000) camera JPEG, written by sharp in the test setup. */
const photo48 = async () =>
  new File([await (await fetch('/test/fixtures/generated/photo-48mp.jpg')).blob()], 'IMG_0001.jpg', { type: 'image/jpeg' });

describe('a 48 MP photo never needs a canvas over 4096 × 4096 pixels', () => {
  it('prepares it under 1 MB with every canvas within the limit', async function () {
    this.timeout(300_000);
    const file = await photo48();
    const { value: image, sizes } = await canvasSizes(() => prepareImage(file));
    const largest = Math.max(...sizes);
    console.log(
      `${engineLabel}: 48 MP → ${image.width}×${image.height}, ${image.bytes} bytes; ${sizes.length} canvases, largest ${(largest / 1e6).toFixed(1)} MP; ImageDecoder ${typeof ImageDecoder === 'undefined' ? 'absent' : 'present'}`,
    );
    expect(sizes.length, 'canvases were counted').to.be.greaterThan(0);
    expect(largest).to.be.at.most(MAX_CANVAS_PIXELS);
    expect(image.bytes).to.be.at.most(1_000_000);
    expect([image.sourceWidth, image.sourceHeight]).to.deep.equal([8000, 6000]);
    expect(image.width / image.height).to.be.closeTo(4 / 3, 0.01);
    expect(image.width).to.be.at.least(2000);
  });

  it('still does where the engine ignores createImageBitmap resize options: it shrinks in steps', async function () {
    this.timeout(300_000);
    const file = await photo48();
    // An engine without ImageDecoder whose createImageBitmap decodes at full size whatever it is asked.
    const { createImageBitmap: original } = globalThis;
    const decoder = Object.getOwnPropertyDescriptor(globalThis, 'ImageDecoder');
    globalThis.createImageBitmap = ((source: ImageBitmapSource, ...rest: unknown[]) => {
      const options =
        rest.length === 1 ? { ...(rest[0] as ImageBitmapOptions), resizeWidth: undefined, resizeHeight: undefined } : undefined;
      return rest.length === 1 ? original(source, options) : original(source, ...(rest as [number, number, number, number]));
    }) as typeof createImageBitmap;
    if (decoder) delete (globalThis as { ImageDecoder?: unknown }).ImageDecoder;
    try {
      const { value: image, sizes } = await canvasSizes(() => prepareImage(file));
      expect(Math.max(...sizes)).to.be.at.most(MAX_CANVAS_PIXELS);
      expect(image.bytes).to.be.at.most(1_000_000);
      expect(image.width).to.be.at.least(2000);
    } finally {
      globalThis.createImageBitmap = original;
      if (decoder) Object.defineProperty(globalThis, 'ImageDecoder', decoder);
    }
  });
});
