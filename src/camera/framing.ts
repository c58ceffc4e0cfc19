/**
 * Pure decisions for the live camera: which one hint to show for a preview frame's quality report,
 * and when a run of good frames is enough to capture on its own.
 */
import type { Point } from '../quality/corners/geometry.ts';
import type { QualityReport, QualityThresholds } from '../quality/quality-rules.ts';
import { BLACK_LUMINANCE } from './lens-rules.ts';

/** The hints the camera gives, one at a time, in the order the user should fix them. */
export type CameraHintCode =
  | 'black'
  | 'no-card'
  | 'turn-sideways'
  | 'cut-off'
  | 'move-closer'
  | 'skewed'
  | 'dark'
  | 'bright'
  | 'glare'
  | 'hold-still'
  | 'move-back'
  | 'ready';

/** What the preview loop knows besides the frame's report. */
export interface FrameContext {
  /** frameChange from the previous analysed frame: motion. */
  motion?: number;
  /** The card's share of the analysed area (the guide plus its margin): cardFill. */
  fill?: number;
}

/**
 * Mean change per pixel (0–255) between two small gray thumbnails of the same region: above this, the
 * phone or the card moved between frames. Sensor noise at 32 × 18 stays near 1; a hand's shake moves edges by several.
 */
export const MOTION_LIMIT = 6;
/**
 * The card's share of the analysed area when it fills the guide (the guide is 1/1.1² ≈ 83 % of it).
 * A blurred card this large, held still, is closer than the lens focuses.
 */
export const FILLS_GUIDE = 0.6;

/**
 * The card's least share of the analysed area (the guide plus its 5 % margin) before the camera
 * captures on its own: about 55 % of the guide. Uploads keep `minDocumentFill`.
 */
export const CAMERA_MIN_FILL = 0.45;

/** Consecutive good preview analyses before an auto-capture. */
export const AUTO_CAPTURE_STREAK = 3;

/** The gate's limits for preview frames: the card must also fill the guide well. */
export function cameraThresholds(thresholds: QualityThresholds): QualityThresholds {
  return { ...thresholds, minDocumentFill: Math.max(thresholds.minDocumentFill, CAMERA_MIN_FILL) };
}

/**
 * The one hint for a preview frame. A blurred frame says "Hold still" when it moved since the last one,
 * and "Move the phone back a little" when it did not and the card fills the guide: then the card is
 * inside the lens's close-focus limit, and holding still would not help.
 */
export function cameraHint(report: QualityReport, { motion = 0, fill = 0 }: FrameContext = {}): CameraHintCode {
  const has = (code: string) => report.issues.some((issue) => issue.code === code);
  // An all-black frame is a covered lens or a stalled preview, never a lack of light.
  if (report.issues.some((issue) => issue.code === 'dark' && issue.value < BLACK_LUMINANCE)) return 'black';
  // Unsure is not absent: 'no-card' reads "Place the card inside the frame", which is right either way.
  if (!report.corners) return 'no-card';
  if (isUpright(report.corners)) return 'turn-sideways';
  if (has('cut-off')) return 'cut-off';
  if (has('not-framed') || has('low-resolution')) return 'move-closer';
  if (has('skewed')) return 'skewed';
  if (has('dark')) return 'dark';
  if (has('bright')) return 'bright';
  if (has('glare')) return 'glare';
  if (has('blur')) return motion < MOTION_LIMIT && fill >= FILLS_GUIDE ? 'move-back' : 'hold-still';
  return 'ready';
}

/** True when the card's long sides run closer to vertical than to level (held upright, not sideways as the guide asks). */
export function isUpright(corners: readonly Point[]): boolean {
  const [a, b, c] = corners;
  const first = { x: b.x - a.x, y: b.y - a.y };
  const second = { x: c.x - b.x, y: c.y - b.y };
  const long = Math.hypot(first.x, first.y) >= Math.hypot(second.x, second.y) ? first : second;
  return Math.abs(long.y) > Math.abs(long.x);
}

/**
 * The number of good frames in a row after this one: a frame counts only when a card was found,
 * fills the guide, has every corner in view, is square, sharp and free of glare.
 */
export function nextStreak(streak: number, report: QualityReport): number {
  return report.ok && report.corners ? streak + 1 : 0;
}

/** Mean absolute difference of two same-sized gray thumbnails; Infinity when there is no previous one. */
export function frameChange(previous: Uint8Array | undefined, next: Uint8Array): number {
  if (!previous || previous.length !== next.length || !next.length) return Infinity;
  let sum = 0;
  for (let i = 0; i < next.length; i++) sum += Math.abs(next[i] - previous[i]);
  return sum / next.length;
}

/** The card's share of a region's area, from its corners (shoelace formula), capped at 1. */
export function cardFill(corners: readonly { x: number; y: number }[] | undefined, region: { width: number; height: number }): number {
  if (!corners || corners.length < 3 || !region.width || !region.height) return 0;
  let twice = 0;
  for (let i = 0; i < corners.length; i++) {
    const a = corners[i];
    const b = corners[(i + 1) % corners.length];
    twice += a.x * b.y - b.x * a.y;
  }
  return Math.min(1, Math.abs(twice) / 2 / (region.width * region.height));
}
