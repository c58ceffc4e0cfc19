/**
 * A 2D canvas wherever the image code runs: an OffscreenCanvas where its 2D context exists (every
 * current engine, in a worker too), else a `<canvas>` element on the main thread (Safari before 16.4
 * has no 2D OffscreenCanvas), so the pipeline and the analysis still run there.
 */
export type AnyCanvas = OffscreenCanvas | HTMLCanvasElement;
export type AnyContext2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

let checkedFor: unknown;
let offscreen2d = false;

/** True where `new OffscreenCanvas(w, h).getContext('2d')` works. Checked again if the global changes (tests). */
export function hasOffscreen2d(): boolean {
  const constructor = (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas;
  if (checkedFor !== constructor || checkedFor === undefined) {
    checkedFor = constructor;
    try {
      offscreen2d = typeof constructor === 'function' && Boolean(new OffscreenCanvas(1, 1).getContext('2d'));
    } catch {
      offscreen2d = false;
    }
  }
  return offscreen2d;
}

/** A canvas of the given size: offscreen where possible, else a detached `<canvas>` (main thread only). */
export function makeCanvas(width: number, height: number): AnyCanvas {
  if (hasOffscreen2d()) return new OffscreenCanvas(width, height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

/** The canvas's 2D context; throws when the browser gives none (out of memory, a canvas past its limit). */
export function context2d(canvas: AnyCanvas, settings?: CanvasRenderingContext2DSettings): AnyContext2D {
  const context = canvas.getContext('2d', settings) as AnyContext2D | null;
  if (!context) throw new Error('no 2D canvas context');
  return context;
}

/** Encodes the canvas (`convertToBlob`, or `toBlob` on an element). */
export function canvasToBlob(canvas: AnyCanvas, type: string, quality: number): Promise<Blob> {
  // Asked by `convertToBlob`, not `toBlob`: Firefox's OffscreenCanvas also has an old promise-returning
  // `toBlob(options)`, which would ignore a callback and leave the encode unsettled for good.
  if ('convertToBlob' in canvas) return canvas.convertToBlob({ type, quality });
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('encode failed'))), type, quality),
  );
}

/** The canvas's pixels as an ImageBitmap. */
export function canvasToBitmap(canvas: AnyCanvas): Promise<ImageBitmap> {
  return 'transferToImageBitmap' in canvas ? Promise.resolve(canvas.transferToImageBitmap()) : createImageBitmap(canvas);
}
