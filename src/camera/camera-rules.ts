/**
 * Pure decisions for camera capture: when a camera can't work and why, how getUserMedia errors map
 * to stable codes, and where the document guide sits in a frame.
 */
import { LivenessError } from '../check/errors.ts';

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
 * How the full-screen view shows a frame: scaled to cover `box` (CSS `object-fit: cover`), with the
 * guide centred in `area`, the part of the box that hints and controls leave free (box coordinates).
 */
export interface CoverView {
  box: Size;
  area: Rect;
}

/** Share of the free area's limiting side the guide takes in the full-screen view: as wide as a portrait screen allows. */
export const VIEW_GUIDE_FILL = 0.92;

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

/** Where `object-fit: cover` draws a frame in a box: its scale and the offset of its top-left corner. */
export function coverFit(frame: Size, box: Size): { scale: number; x: number; y: number } {
  const scale = Math.max(box.width / frame.width, box.height / frame.height);
  return { scale, x: (box.width - frame.width * scale) / 2, y: (box.height - frame.height * scale) / 2 };
}

/** The guide on screen in the full-screen view, in box coordinates. */
export function viewGuideRect(view: CoverView, type: DocumentType): Rect {
  return fitDocument(view.area, type, VIEW_GUIDE_FILL);
}

/**
 * The guide in frame coordinates. Inline, the whole frame shows and the guide is centred in it;
 * in the full-screen view, it is the on-screen guide mapped back through the cover scaling, so
 * what the user lines up is what a capture keeps, at any frame resolution of the same aspect.
 */
export function guideRect(frameWidth: number, frameHeight: number, type: DocumentType, view?: CoverView): Rect {
  if (!view) return fitDocument({ x: 0, y: 0, width: frameWidth, height: frameHeight }, type, GUIDE_FILL);
  const onScreen = viewGuideRect(view, type);
  const fit = coverFit({ width: frameWidth, height: frameHeight }, view.box);
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

/** In-app browsers whose webviews commonly block or break getUserMedia. */
const IN_APP_WEBVIEW = /\b(FBAN|FBAV|FB_IAB|Instagram|Line\/|MicroMessenger|musical_ly|TikTok|Snapchat|LinkedInApp|Twitter for)\b/i;

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
  if (IN_APP_WEBVIEW.test(env.userAgent)) {
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
