/**
 * The browser half of a capture: cut the guide (or the card, rectified) out of a still. Runs in the
 * image worker, so a camera's full-size photo is never decoded on the main thread; a photo larger
 * than a canvas may be is decoded scaled (in the JPEG decoder where the engine has ImageDecoder).
 */
import { type Rect, type Size, frameInPhoto } from './camera-rules.ts';
import { canvasToBlob, context2d, makeCanvas } from '../image/canvas.ts';
import { fitCanvas } from '../image/canvas-limit.ts';
import { LivenessError } from '../check/errors.ts';
import { decode } from '../image/prepare.ts';
import { SNIFF_BYTES, orientedSize, sniffImage } from '../image/sniff.ts';
import { documentCorners, warpToDocument } from '../quality/corners/perspective.ts';
import type { Quad } from '../quality/corners/geometry.ts';

export interface StillRequest {
  /** takePhoto's photo, or the preview frame itself. */
  source: Blob | ImageBitmap;
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

const JPEG_QUALITY = 0.95;

/** The source as a bitmap, and where the frame's pixels lie in it. Throws for a photo that can't be placed over the frame. */
async function open({ source, frame }: StillRequest): Promise<{ bitmap: ImageBitmap; scale: number; x: number; y: number }> {
  if (!(source instanceof Blob)) return { bitmap: source, scale: source.width / frame.width, x: 0, y: 0 };
  const sniff = sniffImage(new Uint8Array(await source.slice(0, SNIFF_BYTES).arrayBuffer()));
  const size = orientedSize(sniff);
  const placed = size && frameInPhoto(frame, size);
  if (!size || !placed) throw new LivenessError('camera-unavailable', "The camera's photo does not match its preview.");
  const target = fitCanvas(size.width, size.height);
  const bitmap = await decode(source, sniff, target.width < size.width ? target : undefined);
  const k = bitmap.width / size.width;
  return { bitmap, scale: placed.scale * k, x: placed.x * k, y: placed.y * k };
}

/** Cuts the still: the crop (or the rectified card) at the source's full detail, within the canvas limit, as a JPEG. */
export async function cutStill(request: StillRequest): Promise<CutStill> {
  const { bitmap, scale, x, y } = await open(request);
  try {
    const toSource = (p: { x: number; y: number }) => ({ x: p.x * scale + x, y: p.y * scale + y });
    if (request.corners && request.documentAspect) {
      const corners = request.corners.map(toSource) as Quad;
      const context = context2d(makeCanvas(bitmap.width, bitmap.height), { willReadFrequently: true });
      context.drawImage(bitmap, 0, 0);
      const card = warpToDocument(context.getImageData(0, 0, bitmap.width, bitmap.height), corners, request.documentAspect);
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
    const sw = Math.min(bitmap.width - sx, Math.round(crop.width * scale));
    const sh = Math.min(bitmap.height - sy, Math.round(crop.height * scale));
    const { width, height } = fitCanvas(sw, sh);
    const canvas = makeCanvas(width, height);
    const context = context2d(canvas);
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, sx, sy, sw, sh, 0, 0, width, height);
    const blob = await canvasToBlob(canvas, 'image/jpeg', JPEG_QUALITY);
    const k = width / sw;
    const round = (value: number) => Math.round(value * 10) / 10;
    const corners = request.corners?.map(toSource).map((p) => ({ x: round((p.x - sx) * k), y: round((p.y - sy) * k) })) as Quad | undefined;
    return corners ? { blob, width, height, corners } : { blob, width, height };
  } finally {
    bitmap.close();
  }
}
