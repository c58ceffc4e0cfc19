/**
 * Both corner detectors together, as the realistic set measures best: the learned mask's first look when it is sure;
 * else its closer look when that is sure; else the classical detector's quad when the learned mask agrees that it
 * outlines a card (the mask refuses the books, frames and boxes whose outline fooled it); else the learned mask's own
 * quad, looked at again closer (which finds the upright, small, thumbed and light-on-light cards the classical one misses).
 */
import { MIN_QUAD_CONFIDENCE, detectQuad } from './detect.ts';
import type { GrayImage, Quad } from './geometry.ts';
import { quadArea } from './shape.ts';
import { onTheEdges, shippedSideModel } from './side-model.ts';
import {
  type CornerMaps,
  type CornerModel,
  type LearnedDetection,
  MIN_FIRST_LOOK,
  MIN_LEARNED_CONFIDENCE,
  closerLook,
  learnedQuad,
  lookCloser,
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

/** The mask's score (maskScore) a classical quad needs to count as a card (tune split). */
export const MIN_MASK_AGREEMENT = 0.5;

/**
 * A first look at least this sure is the card: its quad, snapped to the frame's edges, without the classical search or
 * a closer look. Tune split (2,400 scenes): the lowest value at which no figure (found, false, p95 error) is worse than
 * never taking it; the classical search then runs 0.71 times a scene, from 0.82. At 0.95, 3 more of its 644 scenes
 * without a card were taken (look-alikes that the rest of the search refuses).
 */
export const MIN_SURE_FIRST_LOOK = 0.97;

/**
 * A closer look at least this sure is the card too, without the classical search: the search is the largest part of
 * the CPU. Tune split (2,400 scenes): the lowest value at which no figure is worse than without it (found and false the
 * same, p95 error 1.57 % against 1.59 %); the search runs 0.39 times a scene instead of 0.71, the closer look 0.64 times
 * instead of 0.38, and the median CPU falls by about a seventh (stop 54). At 0.93 one card fewer is found.
 */
export const MIN_SURE_CLOSER_LOOK = 0.95;

/**
 * Where the last frame had the card (trackCard), a quad counts at this confidence, below the whole search's: the last
 * frame vouched for it. Tune split: found again 256 of 268 cards at 0.7, 250 at 0.8 (1,200 scenes: 813 of 831 at 0.6 or
 * 0.7, 811 at 0.8).
 */
export const MIN_TRACK_CONFIDENCE = 0.7;

/**
 * How much a tracked card's area may differ from the last frame's: a hand moves a card by a few percent between
 * analysed frames. Outside it, the whole search runs. Tune split: without it, 6 of 101 scenes without a card kept a
 * card where one had been (a ghost, that auto-capture could photograph); with it none, and no card lost.
 */
const TRACK_AREA_RANGE = [0.6, 1.6] as const;

export interface CardOptions {
  aspect: number;
  minLearnedConfidence?: number;
  minAgreement?: number;
  /** Where the card was in the camera's last analysed frame, in this image's pixels: looked at closer first (trackCard). */
  near?: Quad;
  /** The side model that places the found quad's sides on the card's edge (placeSides); false leaves them. */
  sides?: CornerModel | false;
}

export function detectCard(
  model: CornerModel,
  image: GrayImage,
  {
    aspect,
    minLearnedConfidence = MIN_LEARNED_CONFIDENCE,
    minAgreement = MIN_MASK_AGREEMENT,
    near,
    sides = shippedSideModel(),
  }: CardOptions,
): CardDetection | undefined {
  const tracked = near && trackCard(model, image, near, MIN_TRACK_CONFIDENCE, sides);
  if (tracked) return tracked;
  const thresholds = { ...CARD_THRESHOLDS, confidence: minLearnedConfidence, agreement: minAgreement };
  return decideCard(image, cardLooks(model, image, aspect), thresholds, sides);
}

/** What detectCard may look at in a frame, each worked out once and only when the decision asks for it. */
export interface CardLooks {
  /** The network's maps of the whole frame. */
  maps(): CornerMaps;
  /** The mask's own quad in the whole frame (the first look). */
  first(): LearnedDetection | undefined;
  /** The classical detector's quad, when it is sure enough, with the mask's agreement with it (maskScore). */
  classical(): { corners: Quad; agreement: number } | undefined;
  /** The closer look around the first look's quad (lookCloser). */
  closer(quad: Quad): LearnedDetection | undefined | 'whole frame';
}

export function cardLooks(model: CornerModel, image: GrayImage, aspect: number): CardLooks {
  const once = <T>(work: () => T) => {
    let done: { value: T } | undefined;
    return () => (done ??= { value: work() }).value;
  };
  const maps = once(() => runCornerModel(model, image));
  const first = once(() => quadFromMask(maps(), image.width, image.height));
  const classical = once(() => {
    const found = detectQuad(image, { aspect });
    if (!found || found.confidence < MIN_QUAD_CONFIDENCE) return undefined;
    return { corners: found.corners, agreement: maskScore(maps(), found.corners, image.width, image.height) };
  });
  let closer: { quad: Quad; found: ReturnType<CardLooks['closer']> } | undefined;
  return {
    maps,
    first,
    classical,
    closer: (quad) => {
      if (closer?.quad !== quad) closer = { quad, found: lookCloser(model, image, quad) };
      return closer.found;
    },
  };
}

/** The thresholds detectCard decides by; the bench sweeps them on the tune split. */
export interface CardThresholds {
  /** A first look this sure is taken as it is (MIN_SURE_FIRST_LOOK). */
  sure: number;
  /** A closer look this sure is taken without the classical search (MIN_SURE_CLOSER_LOOK). */
  sureCloser: number;
  /** The mask's agreement a classical quad needs (MIN_MASK_AGREEMENT). */
  agreement: number;
  /** The closer look's confidence a learned quad needs (MIN_LEARNED_CONFIDENCE). */
  confidence: number;
  /** The first look's confidence that earns a closer look (MIN_FIRST_LOOK). */
  firstLook: number;
}

export const CARD_THRESHOLDS: CardThresholds = {
  sure: MIN_SURE_FIRST_LOOK,
  sureCloser: MIN_SURE_CLOSER_LOOK,
  agreement: MIN_MASK_AGREEMENT,
  confidence: MIN_LEARNED_CONFIDENCE,
  firstLook: MIN_FIRST_LOOK,
};

/**
 * detectCard's decision, in its order: no card where the mask sees none; a sure first look as it is; a sure closer look;
 * the classical quad where the mask agrees; else the closer look, when sure enough.
 */
export function decideCard(
  image: GrayImage,
  looks: CardLooks,
  t: CardThresholds,
  sides: CornerModel | false = shippedSideModel(),
): CardDetection | undefined {
  if (!maskSeesCard(looks.maps())) return undefined;
  const first = looks.first();
  if (first && first.confidence >= t.sure) return snapped(image, first, t.sure, sides);
  const closer = closerLook(first, looks.closer, { minConfidence: 0, minFirstLook: t.firstLook });
  if (closer && closer.confidence >= t.sureCloser) return snapped(image, closer, t.sureCloser, sides);
  const classical = looks.classical();
  if (classical && classical.agreement >= t.agreement)
    return { corners: edges(image, classical.corners, sides), confidence: classical.agreement, by: 'classical' };
  return snapped(image, closer, t.confidence, sides);
}

/**
 * The card again where the last frame had it: the model's closer look around that quad (or one look at the whole
 * frame when the card fills it), one run of the network instead of two and the classical detector. Undefined when
 * the card is not there any more, and the caller looks at the whole frame. A hand moves the card by a few percent
 * of the frame between analysed frames, well inside the closer look's margin.
 */
export function trackCard(
  model: CornerModel,
  image: GrayImage,
  near: Quad,
  minConfidence = MIN_TRACK_CONFIDENCE,
  sides: CornerModel | false = shippedSideModel(),
): CardDetection | undefined {
  // Without the half turn: 813 of 831 cards found again at 7.3 ms a frame, against 817 at 12.3 ms (the tune split's first
  // 1,200 scenes); the whole search, with it, takes over when the card is lost.
  const closer = lookCloser(model, image, near, { halfTurn: false });
  const found = snapped(image, closer === 'whole frame' ? learnedQuad(model, image) : closer, minConfidence, sides);
  const ratio = found && quadArea(found.corners) / quadArea(near);
  return ratio && ratio >= TRACK_AREA_RANGE[0] && ratio <= TRACK_AREA_RANGE[1] ? found : undefined;
}

/** A learned quad sure enough, its sides snapped to the frame's edges, then placed on the card's by the side model. */
function snapped(
  image: GrayImage,
  found: LearnedDetection | undefined,
  minConfidence: number,
  sides: CornerModel | false,
): CardDetection | undefined {
  if (!found || found.confidence < minConfidence) return undefined;
  return { corners: edges(image, snapToEdges(image, found.corners), sides), confidence: found.confidence, by: 'learned' };
}

/** A found quad with its sides on the card's edges, where the side model is sure they are elsewhere (onTheEdges). */
const edges = (image: GrayImage, q: Quad, sides: CornerModel | false) => (sides ? onTheEdges(sides, image, q) : q);
