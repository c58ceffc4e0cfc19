/**
 * Both corner detectors together, as the realistic set measures best: the classical detector's quad
 * when the learned mask agrees that it outlines a card (its corners are the most precise; the mask
 * refuses the books, frames and boxes whose outline fooled it), else the learned mask's own quad, looked at
 * again closer (which finds the upright, small, thumbed and light-on-light cards the classical detector misses).
 */
import { MIN_QUAD_CONFIDENCE, detectQuad } from './detect.ts';
import type { GrayImage, Quad } from './geometry.ts';
import {
  type CornerModel,
  MIN_LEARNED_CONFIDENCE,
  closerLook,
  maskScore,
  maskSeesCard,
  quadFromMask,
  runCornerModel,
  snapToEdges,
} from './learned.ts';

export interface CardDetection {
  corners: Quad;
  confidence: number;
  /** Which detector's corners these are. */
  by: 'classical' | 'learned';
}

/** The mask's score (maskScore) a classical quad needs to count as a card. */
export const MIN_MASK_AGREEMENT = 0.6;

export interface CardOptions {
  aspect: number;
  minLearnedConfidence?: number;
  minAgreement?: number;
}

export function detectCard(
  model: CornerModel,
  image: GrayImage,
  { aspect, minLearnedConfidence = MIN_LEARNED_CONFIDENCE, minAgreement = MIN_MASK_AGREEMENT }: CardOptions,
): CardDetection | undefined {
  const maps = runCornerModel(model, image);
  if (!maskSeesCard(maps)) return undefined;
  const classical = detectQuad(image, { aspect });
  if (classical && classical.confidence >= MIN_QUAD_CONFIDENCE) {
    const agreement = maskScore(maps, classical.corners, image.width, image.height);
    if (agreement >= minAgreement) return { corners: classical.corners, confidence: agreement, by: 'classical' };
  }
  const learned = closerLook(model, image, quadFromMask(maps, image.width, image.height), minLearnedConfidence);
  if (!learned || learned.confidence < minLearnedConfidence) return undefined;
  return { corners: snapToEdges(image, learned.corners), confidence: learned.confidence, by: 'learned' };
}
