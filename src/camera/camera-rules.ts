/**
 * Pure decisions for camera capture: when a camera can't work and why, how getUserMedia errors map
 * to stable codes, and where the document guide sits in a frame.
 */
import { LivenessError } from '../check/errors.ts';
import { MAX_CANVAS_PIXELS } from '../image/canvas-limit.ts';
import { MIN_LONG_SIDE, MIN_SHORT_SIDE } from '../image/limits.ts';
import { DEFAULT_QUALITY_THRESHOLDS } from '../quality/thresholds.ts';
import { isInAppBrowser } from './platform.ts';

export type DocumentType = 'id-card' | 'passport';

/** Width / height of each document: ID-1 is 85.60 × 53.98 mm; the TD3 passport data page is 125 × 88 mm. */
export const DOCUMENT_ASPECT: Record<DocumentType, number> = {
  'id-card': 85.6 / 53.98,
  passport: 125 / 88,
};

/** Share of the frame the guide takes on its limiting side, and the margin kept around it in a capture. */
export const GUIDE_FILL = 0.8;
export const CAPTURE_MARGIN = 0.05;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A size in pixels. */
export interface Size {
  width: number;
  height: number;
}

/**
 * How the full-screen view is laid out, measured from the DOM: the video's `box`, and `area`, the part
 * of the box that hints and controls leave free (box coordinates). `zoom`: the track's zoom, 1 when none.
 */
export interface CoverView {
  box: Size;
  area: Rect;
  zoom?: number;
}

/** How the full-screen view scales a frame into its box: CSS `object-fit`. */
export type ViewFit = 'cover' | 'contain';

/** Share of the free area's limiting side the guide takes at most in the full-screen view: as wide as a portrait screen allows. */
export const VIEW_GUIDE_FILL = 0.92;

/** Each document's long side in mm: ID-1 and the TD3 data page. */
export const DOCUMENT_WIDTH_MM: Record<DocumentType, number> = { 'id-card': 85.6, passport: 125 };

/**
 * The nearest a phone's main lens focuses, in mm. Pro iPhones' main lenses stop at 14–20 cm (Apple's
 * macro switch needs the virtual multi-lens device); most Android main lenses focus at 7–12 cm. The
 * guide is sized for the far end, so a card that fills it is sharp on any main lens.
 */
export const CLOSE_FOCUS_MM = 200;
/** A phone main lens's focal length as 35 mm equivalent (24–26 mm), and the long side of its 4:3 frame in that format. */
export const MAIN_LENS_FOCAL_MM = 26;
export const FRAME_LONG_SIDE_MM = 34.6;
/** The most the camera zooms in on its own to keep the card far enough away (Smile ID uses 2×). */
export const MAX_AUTO_ZOOM = 2;

/**
 * The largest share of the frame's long side a document takes at CLOSE_FOCUS_MM, at `zoom`: any
 * larger and the user must bring it closer than the lens focuses. A 16:9 or 4:3 stream keeps the
 * sensor's long side, so the share holds for both, in either orientation.
 */
export function focusShare(type: DocumentType, zoom = 1): number {
  return ((DOCUMENT_WIDTH_MM[type] * MAIN_LENS_FOCAL_MM) / (FRAME_LONG_SIDE_MM * CLOSE_FOCUS_MM)) * zoom;
}

/**
 * The document's least width in frame pixels for a capture to be usable: its crop (guide plus
 * margin) clears MIN_LONG_SIDE × MIN_SHORT_SIDE, and the card clears the gate's default
 * `minDocumentLongSide`, with 10 % to spare because a user fills the guide only roughly.
 */
export function minGuideWidth(type: DocumentType): number {
  const crop = Math.max(MIN_LONG_SIDE, MIN_SHORT_SIDE * DOCUMENT_ASPECT[type]) / (1 + 2 * CAPTURE_MARGIN);
  return Math.ceil(Math.max(crop, DEFAULT_QUALITY_THRESHOLDS.minDocumentLongSide * 1.1));
}

/**
 * Whether even the largest crop a frame holds is below MIN_LONG_SIDE × MIN_SHORT_SIDE: a camera this
 * small can only produce `image-too-small`, so the camera is refused and upload offered instead.
 */
export function frameTooSmall(frame: Size, type: DocumentType): boolean {
  const width = Math.min(frame.width, frame.height * DOCUMENT_ASPECT[type]);
  return width < MIN_LONG_SIDE || width / DOCUMENT_ASPECT[type] < MIN_SHORT_SIDE - 0.5;
}

/** The document's outline centred in `area`, taking `fill` of its limiting side. */
function fitDocument(area: Rect, type: DocumentType, fill: number): Rect {
  const aspect = DOCUMENT_ASPECT[type];
  let width = area.width * fill;
  let height = width / aspect;
  if (height > area.height * fill) {
    height = area.height * fill;
    width = height * aspect;
  }
  return { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height };
}

/** The same rectangle's centre, at another width (aspect kept). */
function resize(rect: Rect, width: number): Rect {
  const height = (width / rect.width) * rect.height;
  return { x: rect.x + (rect.width - width) / 2, y: rect.y + (rect.height - height) / 2, width, height };
}

/** Where `object-fit` draws a frame in a box: its scale and the offset of its top-left corner. */
export function frameFit(frame: Size, box: Size, fit: ViewFit = 'cover'): { scale: number; x: number; y: number } {
  const pick = fit === 'cover' ? Math.max : Math.min;
  const scale = pick(box.width / frame.width, box.height / frame.height);
  return { scale, x: (box.width - frame.width * scale) / 2, y: (box.height - frame.height * scale) / 2 };
}

/** Where `object-fit: cover` draws a frame in a box. */
export function coverFit(frame: Size, box: Size): { scale: number; x: number; y: number } {
  return frameFit(frame, box, 'cover');
}

/** The largest guide the view can show with `fit`: VIEW_GUIDE_FILL of the free area, within the frame as drawn. */
function largestGuide(frame: Size, view: CoverView, type: DocumentType, fit: ViewFit): Rect {
  const { scale, x, y } = frameFit(frame, view.box, fit);
  const left = Math.max(view.area.x, x);
  const top = Math.max(view.area.y, y);
  const right = Math.min(view.area.x + view.area.width, x + frame.width * scale);
  const bottom = Math.min(view.area.y + view.area.height, y + frame.height * scale);
  return fitDocument({ x: left, y: top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) }, type, VIEW_GUIDE_FILL);
}

/** The guide on screen with `fit`: as large as the free area allows, capped by the close-focus limit, floored by minGuideWidth. */
function guideFor(frame: Size, view: CoverView, type: DocumentType, fit: ViewFit): Rect {
  const largest = largestGuide(frame, view, type, fit);
  const { scale } = frameFit(frame, view.box, fit);
  const focusCap = focusShare(type, view.zoom ?? 1) * Math.max(frame.width, frame.height) * scale;
  return resize(largest, Math.min(largest.width, Math.max(Math.min(largest.width, focusCap), minGuideWidth(type) * scale)));
}

/** A card crop this wide is what a 4K camera gives at the close-focus distance: the detail the view aims for. */
export const DETAIL_CROP_WIDTH = 1280;

/**
 * Cover (the frame fills the screen) unless cropping the frame to the screen leaves the guide fewer
 * frame pixels than showing it whole would: a landscape stream on a portrait screen, a 720p camera.
 * Then contain: the whole frame shows, letterboxed, with the guide inside it. Cover wins once its
 * guide is at least minGuideWidth and DETAIL_CROP_WIDTH (with margin) wide, or as wide as contain's.
 */
export function viewFit(frame: Size, view: CoverView, type: DocumentType): ViewFit {
  const inFrame = (fit: ViewFit) => guideFor(frame, view, type, fit).width / frameFit(frame, view.box, fit).scale;
  const cover = inFrame('cover');
  const enough = Math.max(minGuideWidth(type), DETAIL_CROP_WIDTH / (1 + 2 * CAPTURE_MARGIN));
  return cover >= Math.min(enough, inFrame('contain')) - 0.5 ? 'cover' : 'contain';
}

/**
 * The guide on screen in the full-screen view, in box coordinates: as large as the free area allows,
 * but no larger than a card at CLOSE_FOCUS_MM appears (at the track's zoom), and never smaller than
 * minGuideWidth frame pixels where the frame has them.
 */
export function viewGuideRect(view: CoverView, type: DocumentType, frame: Size): Rect {
  return guideFor(frame, view, type, viewFit(frame, view, type));
}

/**
 * The zoom to ask of a track whose capabilities offer one: enough for a card at CLOSE_FOCUS_MM to
 * fill the largest guide, within the track's range and MAX_AUTO_ZOOM; 1 where no zoom is needed.
 */
export function zoomFor(frame: Size, view: CoverView, type: DocumentType, range?: { min?: number; max?: number; step?: number }): number {
  if (!range?.max || range.max <= 1) return 1;
  const fit = viewFit(frame, view, type);
  const largest = largestGuide(frame, view, type, fit);
  const wanted = largest.width / (focusShare(type) * Math.max(frame.width, frame.height) * frameFit(frame, view.box, fit).scale);
  const step = range.step && range.step > 0 ? range.step : 0.1;
  // Rounded down to the track's step, so the guide never asks for more than the zoom gives.
  const zoom = Math.floor(Math.min(wanted, range.max, MAX_AUTO_ZOOM) / step + 1e-9) * step;
  return zoom > 1.05 ? Math.max(zoom, range.min ?? 1) : 1;
}

/**
 * The guide in frame coordinates. Inline, the whole frame shows and the guide is centred in it,
 * widened to minGuideWidth on a small frame; in the full-screen view, it is the on-screen guide
 * mapped back through the fit, so what the user lines up is what a capture keeps, at any frame
 * resolution of the same aspect.
 */
export function guideRect(frameWidth: number, frameHeight: number, type: DocumentType, view?: CoverView): Rect {
  const frame = { width: frameWidth, height: frameHeight };
  if (!view) {
    const whole = { x: 0, y: 0, ...frame };
    const guide = fitDocument(whole, type, GUIDE_FILL);
    const largest = fitDocument(whole, type, 1 / (1 + 2 * CAPTURE_MARGIN));
    return guide.width >= minGuideWidth(type) ? guide : resize(largest, Math.min(largest.width, minGuideWidth(type)));
  }
  const onScreen = viewGuideRect(view, type, frame);
  const fit = frameFit(frame, view.box, viewFit(frame, view, type));
  return {
    x: (onScreen.x - fit.x) / fit.scale,
    y: (onScreen.y - fit.y) / fit.scale,
    width: onScreen.width / fit.scale,
    height: onScreen.height / fit.scale,
  };
}

/** The guide plus a margin on each side, kept inside the frame and rounded to whole pixels. */
export function captureRect(frameWidth: number, frameHeight: number, type: DocumentType, view?: CoverView): Rect {
  const guide = guideRect(frameWidth, frameHeight, type, view);
  const mx = guide.width * CAPTURE_MARGIN;
  const my = guide.height * CAPTURE_MARGIN;
  const x = Math.max(0, Math.floor(guide.x - mx));
  const y = Math.max(0, Math.floor(guide.y - my));
  return {
    x,
    y,
    width: Math.min(frameWidth - x, Math.ceil(guide.width + 2 * mx)),
    height: Math.min(frameHeight - y, Math.ceil(guide.height + 2 * my)),
  };
}

export interface CameraEnvironment {
  isSecureContext: boolean;
  hasGetUserMedia: boolean;
  /** False when a permissions policy (an iframe without allow="camera") forbids the camera. */
  cameraAllowedByPolicy: boolean;
  userAgent: string;
}

/** Why the camera can't be used here, before asking: a clear error, or undefined to go ahead. */
export function cameraBlocker(env: CameraEnvironment): LivenessError | undefined {
  if (!env.isSecureContext) {
    return new LivenessError('camera-unavailable', 'The camera only works on a secure (https) page. Choose a photo instead.');
  }
  if (isInAppBrowser(env.userAgent)) {
    return new LivenessError(
      'camera-unavailable',
      "This app's built-in browser can't use the camera. Open the page in your browser (Safari or Chrome), or choose a photo instead.",
    );
  }
  if (!env.cameraAllowedByPolicy) {
    return new LivenessError('camera-denied', 'This page is embedded without camera permission (allow="camera"). Choose a photo instead.');
  }
  if (!env.hasGetUserMedia) {
    return new LivenessError('camera-unavailable', "This browser can't use a camera here. Choose a photo instead.");
  }
  return undefined;
}

/** Maps a getUserMedia failure to a stable code and a message that says what to do. */
export function cameraError(error: unknown): LivenessError {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new LivenessError(
        'camera-denied',
        'Camera access was refused. Allow the camera in your browser settings and try again, or choose a photo instead.',
        { retryable: true },
      );
    case 'NotFoundError':
    case 'OverconstrainedError':
    case 'DevicesNotFoundError':
      return new LivenessError('camera-unavailable', 'No camera was found. Choose a photo instead.');
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return new LivenessError(
        'camera-in-use',
        'The camera is busy in another app or tab. Close it and try again, or choose a photo instead.',
        { retryable: true },
      );
    default:
      return new LivenessError('camera-unavailable', "The camera couldn't start. Choose a photo instead.", { retryable: true });
  }
}

/** A range from a track's photo capabilities (MediaSettingsRange). */
export interface SizeRange {
  min?: number;
  max?: number;
  step?: number;
}

/**
 * The size to ask `takePhoto` for, from `getPhotoCapabilities()`: the frame's aspect at the most pixels
 * the camera offers, within the canvas limit (a 200 MP sensor's full size takes seconds to encode,
 * move and decode, and no canvas may hold it). In the capabilities' orientation (the sensor's).
 * Undefined when a photo would not hold clearly more than the frame: the frame is then the still.
 */
export function photoSize(
  caps: { imageWidth?: SizeRange; imageHeight?: SizeRange },
  frame: Size,
  limit = MAX_CANVAS_PIXELS,
): { imageWidth: number; imageHeight: number } | undefined {
  const maxWidth = caps.imageWidth?.max;
  const maxHeight = caps.imageHeight?.max;
  if (!maxWidth || !maxHeight || !frame.width || !frame.height) return undefined;
  const aspect = Math.max(frame.width, frame.height) / Math.min(frame.width, frame.height);
  const landscape = maxWidth >= maxHeight;
  const [longRange, shortRange] = landscape ? [caps.imageWidth!, caps.imageHeight!] : [caps.imageHeight!, caps.imageWidth!];
  const snap = (value: number, range: SizeRange) => {
    const step = range.step && range.step > 1 ? range.step : 1;
    const min = range.min ?? 0;
    return Math.max(min, min + Math.floor((Math.min(value, range.max!) - min) / step) * step);
  };
  const long = snap(Math.min(longRange.max!, shortRange.max! * aspect, Math.sqrt(limit * aspect)), longRange);
  const short = snap(long / aspect, shortRange);
  if (long * short > limit || long * short < frame.width * frame.height * 1.5) return undefined;
  return landscape ? { imageWidth: long, imageHeight: short } : { imageWidth: short, imageHeight: long };
}

/**
 * Where the preview frame lies in a photo from the same camera: its centre, at the photo's scale
 * (a 16:9 stream is the middle of a 4:3 sensor's field). Undefined for a photo turned sideways from
 * the frame (some Android builds don't rotate takePhoto's output), whose rotation is unknown.
 */
export function frameInPhoto(frame: Size, photo: Size): { scale: number; x: number; y: number } | undefined {
  if (frame.width !== frame.height && photo.width !== photo.height && frame.width > frame.height !== photo.width > photo.height)
    return undefined;
  const scale = Math.min(photo.width / frame.width, photo.height / frame.height);
  return { scale, x: (photo.width - frame.width * scale) / 2, y: (photo.height - frame.height * scale) / 2 };
}
