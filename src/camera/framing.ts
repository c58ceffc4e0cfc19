/**
 * Pure decisions for the live camera: which one hint to show for a preview frame's quality report,
 * and when a run of good frames is enough to capture on its own.
 */
import type { Point } from '../quality/corners/geometry.ts';
import type { QualityReport, QualityThresholds } from '../quality/quality-rules.ts';

/** The hints the camera gives, one at a time, in the order the user should fix them. */
export type CameraHintCode =
  'no-card' | 'turn-sideways' | 'cut-off' | 'move-closer' | 'skewed' | 'dark' | 'bright' | 'glare' | 'hold-still' | 'ready';

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

/** The one hint for a preview frame. */
export function cameraHint(report: QualityReport): CameraHintCode {
  const has = (code: string) => report.issues.some((issue) => issue.code === code);
  // Unsure is not absent: 'no-card' reads "Place the card inside the frame", which is right either way.
  if (!report.corners) return 'no-card';
  if (isUpright(report.corners)) return 'turn-sideways';
  if (has('cut-off')) return 'cut-off';
  if (has('not-framed') || has('low-resolution')) return 'move-closer';
  if (has('skewed')) return 'skewed';
  if (has('dark')) return 'dark';
  if (has('bright')) return 'bright';
  if (has('glare')) return 'glare';
  if (has('blur')) return 'hold-still';
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
