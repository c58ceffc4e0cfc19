/**
 * A camera photo's half of a capture, in the image worker: the photo (up to a 200 MP sensor's) is
 * decoded there, never on the main thread, within the canvas limit (in the JPEG decoder where the
 * engine has ImageDecoder), placed over the preview frame, and cut as cut.ts cuts a frame.
 */
import { frameInPhoto } from './camera-rules.ts';
import { type CutRequest, type CutStill, cutPicture } from './cut.ts';
import { fitCanvas } from '../image/canvas-limit.ts';
import { LivenessError } from '../check/errors.ts';
import { decode } from '../image/prepare.ts';
import { SNIFF_BYTES, orientedSize, sniffImage } from '../image/sniff.ts';

export interface StillRequest extends CutRequest {
  /** takePhoto's photo. */
  photo: Blob;
}

/** Cuts the still out of the photo; throws for a photo that can't be placed over the frame (turned sideways, undecodable). */
export async function cutStill({ photo, ...request }: StillRequest): Promise<CutStill> {
  const sniff = sniffImage(new Uint8Array(await photo.slice(0, SNIFF_BYTES).arrayBuffer()));
  const size = orientedSize(sniff);
  const placed = size && frameInPhoto(request.frame, size);
  if (!size || !placed) throw new LivenessError('camera-unavailable', "The camera's photo does not match its preview.");
  const target = fitCanvas(size.width, size.height);
  const bitmap = await decode(photo, sniff, target.width < size.width ? target : undefined);
  try {
    const k = bitmap.width / size.width;
    return await cutPicture(bitmap, bitmap, { scale: placed.scale * k, x: placed.x * k, y: placed.y * k }, request);
  } finally {
    bitmap.close();
  }
}
