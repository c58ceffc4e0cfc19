/** Pure pixel helpers on a GrayImage that more than one stage needs. */
import type { GrayImage } from './geometry.ts';

/** A rectangle of a gray image (and of its chroma plane, when it has one), copied out. */
export function cropGray(image: GrayImage, x: number, y: number, cropWidth: number, cropHeight: number): GrayImage {
  const copy = (plane: Uint8Array) => {
    const out = new Uint8Array(cropWidth * cropHeight);
    for (let row = 0; row < cropHeight; row++) {
      const from = (y + row) * image.width + x;
      out.set(plane.subarray(from, from + cropWidth), row * cropWidth);
    }
    return out;
  };
  return {
    data: copy(image.data),
    width: cropWidth,
    height: cropHeight,
    ...(image.chroma ? { chroma: copy(image.chroma) } : {}),
  };
}
