/** Canvas sizes that every engine can hold, iOS Safari's limit included: pure, used by the image pipeline and the camera. */

/**
 * The largest canvas iOS Safari allows: 4096 × 4096 pixels. Past it Safari hands back a blank
 * canvas, and its total canvas memory is capped too, so no canvas we make is larger, in any engine.
 */
export const MAX_CANVAS_PIXELS = 16_777_216;

/** A width and height in pixels. */
export interface Size {
  width: number;
  height: number;
}

/** `width`×`height` scaled down (never up), aspect kept, to fit `limit` pixels: the size of any canvas we draw it on. */
export function fitCanvas(width: number, height: number, limit = MAX_CANVAS_PIXELS): Size {
  if (width * height <= limit) return { width, height };
  const scale = Math.sqrt(limit / (width * height));
  // Rounded down, so the product stays within the limit.
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

/**
 * The sizes to shrink `from` through to reach `to`: halving steps, since one draw that shrinks by
 * more than half skips source pixels and aliases, each step within the canvas limit.
 */
export function shrinkSteps(from: Size, to: Size): Size[] {
  const steps: Size[] = [];
  let current = from;
  while (current.width > to.width || current.height > to.height) {
    const half = { width: Math.max(to.width, Math.ceil(current.width / 2)), height: Math.max(to.height, Math.ceil(current.height / 2)) };
    current = fitCanvas(half.width, half.height);
    steps.push(current);
  }
  return steps;
}
