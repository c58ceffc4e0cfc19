/**
 * Cutting a capture out of a picture: the guide's crop, or the card rectified, encoded as a JPEG.
 * The same code for a video frame (on the page: it is at most the stream's size) and for a camera
 * photo (in the image worker, after still.ts has decoded it off the main thread).
 */
import type { Rect, Size } from './camera-rules.ts';
import { type AnyContext2D, canvasToBlob, context2d, makeCanvas } from '../image/canvas.ts';
import { fitCanvas } from '../image/canvas-limit.ts';
import { documentCorners, warpToDocument } from '../quality/corners/perspective.ts';
import type { Quad } from '../quality/corners/geometry.ts';

export interface CutRequest {
  /** The preview frame's size: `crop` and `corners` are in its pixels. */
  frame: Size;
  /** The guide plus its margin. */
  crop: Rect;
  /** The card found in the preview, in the frame's pixels. */
  corners?: Quad;
  /** With the corners: the still is the card rectified to this width / height, not the crop. */
  documentAspect?: number;
}

/** A cut still, ready for the same pipeline as an upload. */
export interface CutStill {
  blob: Blob;
  width: number;
  height: number;
  /** The card's corners in the still, when the preview had found it. */
  corners?: Quad;
}

/** Where the frame's pixels lie in the picture: picture = frame × scale + (x, y). */
export interface Placement {
  scale: number;
  x: number;
  y: number;
}

const JPEG_QUALITY = 0.95;

/** Cuts the still out of `source` (of `size`): the crop, or the rectified card, at the source's detail within the canvas limit. */
export async function cutPicture(
  source: CanvasImageSource,
  size: Size,
  { scale, x, y }: Placement,
  request: CutRequest,
): Promise<CutStill> {
  const toSource = (p: { x: number; y: number }) => ({ x: p.x * scale + x, y: p.y * scale + y });
  if (request.corners && request.documentAspect) {
    const corners = request.corners.map(toSource) as Quad;
    const context: AnyContext2D = context2d(makeCanvas(size.width, size.height), { willReadFrequently: true });
    context.drawImage(source, 0, 0);
    const card = warpToDocument(context.getImageData(0, 0, size.width, size.height), corners, request.documentAspect);
    const canvas = makeCanvas(card.width, card.height);
    context2d(canvas).putImageData(new ImageData(card.data as Uint8ClampedArray<ArrayBuffer>, card.width, card.height), 0, 0);
    return {
      blob: await canvasToBlob(canvas, 'image/jpeg', JPEG_QUALITY),
      width: card.width,
      height: card.height,
      corners: documentCorners(card),
    };
  }
  const { crop } = request;
  const sx = Math.max(0, Math.floor(crop.x * scale + x));
  const sy = Math.max(0, Math.floor(crop.y * scale + y));
  const sw = Math.min(size.width - sx, Math.round(crop.width * scale));
  const sh = Math.min(size.height - sy, Math.round(crop.height * scale));
  const { width, height } = fitCanvas(sw, sh);
  const canvas = makeCanvas(width, height);
  const context = context2d(canvas);
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, sx, sy, sw, sh, 0, 0, width, height);
  const blob = await canvasToBlob(canvas, 'image/jpeg', JPEG_QUALITY);
  const k = width / sw;
  const round = (value: number) => Math.round(value * 10) / 10;
  const corners = request.corners?.map(toSource).map((p) => ({ x: round((p.x - sx) * k), y: round((p.y - sy) * k) })) as Quad | undefined;
  return corners ? { blob, width, height, corners } : { blob, width, height };
}
