/**
 * Image quality gate: pure functions over grayscale pixels, run in the worker before any upload.
 *
 * Two inputs: an overview (the whole image, downscaled to at most ANALYSIS_SIZE on its long side)
 * for framing, exposure and glare; and a detail crop at full resolution from the middle of the
 * document, for blur (a σ = 3 blur on a 12 MP photo is invisible once it is shrunk to 640 px).
 *
 * Limits, on purpose: the document is found from long straight edges (a card on a plain or
 * textured surface), as the box between the outermost columns and rows that hold many strong
 * edges. A document on a background of the same colour, or a photo full of other straight edges
 * (a keyboard, a tiled floor), can be framed wrongly. Glare is judged only when the image is not
 * over-exposed as a whole, and blur only inside the document.
 */
import { DOCUMENT_ASPECT, type DocumentType } from '../camera/camera-rules.ts';
import { MIN_QUAD_CONFIDENCE, detectQuad } from './corners/detect.ts';
import { detectCard } from './corners/detect-card.ts';
import type { CornerModel } from './corners/learned.ts';
import type { Box, GrayImage, Quad } from './corners/geometry.ts';
import { quadArea, quadSkew } from './corners/shape.ts';
import { DEFAULT_QUALITY_THRESHOLDS, type QualityThresholds } from './thresholds.ts';

export type { Box, GrayImage } from './corners/geometry.ts';
export { DEFAULT_QUALITY_THRESHOLDS, type QualityThresholds } from './thresholds.ts';

/** Long side of the overview, in pixels. */
export const ANALYSIS_SIZE = 640;
/** Side of the full-resolution detail crop used for blur. */
export const DETAIL_SIZE = 384;

export type QualityIssueCode = 'blur' | 'glare' | 'dark' | 'bright' | 'low-resolution' | 'not-framed' | 'not-found' | 'skewed' | 'cut-off';

export interface QualityIssue {
  code: QualityIssueCode;
  /** The measured value, in the unit of its limit. */
  value: number;
  limit: number;
  message: string;
}

export interface QualityReport {
  ok: boolean;
  issues: QualityIssue[];
  /** The document's corners in image pixels (top-left, top-right, bottom-right, bottom-left), when one was found. */
  corners?: Quad;
}

/** Luminance (BT.601) of RGBA pixels, with the blue-minus-red chroma plane when asked for. */
export function toGray(rgba: Uint8ClampedArray, width: number, height: number, withChroma = false): GrayImage {
  const data = new Uint8Array(width * height);
  for (let i = 0, j = 0; j < data.length; i += 4, j++) data[j] = (rgba[i] * 77 + rgba[i + 1] * 150 + rgba[i + 2] * 29) >> 8;
  if (!withChroma) return { data, width, height };
  const chroma = new Uint8Array(width * height);
  for (let i = 0, j = 0; j < chroma.length; i += 4, j++) chroma[j] = (rgba[i + 2] - rgba[i] + 256) >> 1;
  return { data, width, height, chroma };
}

// A step between card and background is far above this; paper grain, wood and sensor noise are below.
const STRONG_EDGE = 24;
// A column (row) is an edge of the document when it has this share of the busiest column's (row's) strong edges.
const EDGE_SHARE = 0.35;

/**
 * The document's box in the overview: between the outermost columns holding many strong
 * horizontal gradients and the outermost rows holding many strong vertical ones. Undefined
 * when no straight edges stand out.
 */
export function findDocument({ data, width, height }: GrayImage): Box | undefined {
  const columns = new Uint32Array(width);
  const rows = new Uint32Array(height);
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    let rowCount = 0;
    for (let x = 1; x < width - 1; x++) {
      const i = row + x;
      const dx = data[i + 1] - data[i - 1];
      const dy = data[i + width] - data[i - width];
      if (dx > STRONG_EDGE || dx < -STRONG_EDGE) columns[x]++;
      if (dy > STRONG_EDGE || dy < -STRONG_EDGE) rowCount++;
    }
    rows[y] = rowCount;
  }
  const span = (profile: Uint32Array, length: number, across: number): [number, number] | undefined => {
    let peak = 0;
    for (const count of profile) peak = Math.max(peak, count);
    if (peak < across * 0.05) return undefined; // no edge longer than 5 % of the image
    let first = -1;
    let last = -1;
    for (let i = 0; i < length; i++) {
      if (profile[i] >= peak * EDGE_SHARE) {
        if (first < 0) first = i;
        last = i;
      }
    }
    return last - first >= length * 0.05 ? [first, last] : undefined;
  };
  const horizontal = span(columns, width, height);
  const vertical = span(rows, height, width);
  if (!horizontal || !vertical) return undefined;
  return { left: horizontal[0], right: horizontal[1], top: vertical[0], bottom: vertical[1] };
}

/** Mean luminance of the whole image, and the share of it clipped to white. */
export function exposure({ data }: GrayImage): { mean: number; clipped: number } {
  let sum = 0;
  let clipped = 0;
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    sum += value;
    if (value >= 250) clipped++;
  }
  return data.length ? { mean: sum / data.length, clipped: clipped / data.length } : { mean: 0, clipped: 0 };
}

/** Largest 4-connected blob of near-white pixels inside the box, as a share of the box's area. */
export function largestGlareBlob({ data, width }: GrayImage, box: Box): number {
  const boxWidth = box.right - box.left + 1;
  const boxHeight = box.bottom - box.top + 1;
  const seen = new Uint8Array(boxWidth * boxHeight);
  const stack: number[] = [];
  let largest = 0;
  for (let by = 0; by < boxHeight; by++) {
    for (let bx = 0; bx < boxWidth; bx++) {
      const start = by * boxWidth + bx;
      if (seen[start] || data[(box.top + by) * width + box.left + bx] < 250) continue;
      seen[start] = 1;
      stack.push(start);
      let size = 0;
      while (stack.length) {
        const current = stack.pop()!;
        size++;
        const cx = current % boxWidth;
        const cy = (current - cx) / boxWidth;
        for (const [nx, ny] of [
          [cx + 1, cy],
          [cx - 1, cy],
          [cx, cy + 1],
          [cx, cy - 1],
        ]) {
          if (nx < 0 || ny < 0 || nx >= boxWidth || ny >= boxHeight) continue;
          const next = ny * boxWidth + nx;
          if (seen[next] || data[(box.top + ny) * width + box.left + nx] < 250) continue;
          seen[next] = 1;
          stack.push(next);
        }
      }
      largest = Math.max(largest, size);
    }
  }
  return largest / (boxWidth * boxHeight);
}

/** Variance of the Laplacian over the variance of the pixels: contrast-independent sharpness. */
export function sharpness({ data, width, height }: GrayImage): number {
  let sum = 0;
  let sumSquares = 0;
  let lapSum = 0;
  let lapSquares = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const value = data[i];
      const laplacian = data[i - 1] + data[i + 1] + data[i - width] + data[i + width] - 4 * value;
      sum += value;
      sumSquares += value * value;
      lapSum += laplacian;
      lapSquares += laplacian * laplacian;
      count++;
    }
  }
  if (!count) return 0;
  const variance = sumSquares / count - (sum / count) ** 2;
  const lapVariance = lapSquares / count - (lapSum / count) ** 2;
  return variance > 1 ? lapVariance / variance : 0;
}

export interface QualityMeasures {
  /** The box judged for glare and blur: the found document's, else the old edge-projection box. */
  documentBox?: Box;
  /** The document's corners in the overview, if the detector found it. */
  quad?: Quad;
  overviewWidth: number;
  overviewHeight: number;
  /** Source pixels per overview pixel. */
  sourceScale: number;
  meanLuminance: number;
  clippedShare: number;
  glareBlob: number;
  sharpness: number;
}

/** The quad's bounding box, kept inside the frame. */
function quadBox(quad: Quad, width: number, height: number): Box {
  const xs = quad.map((p) => p.x);
  const ys = quad.map((p) => p.y);
  return {
    left: Math.max(0, Math.floor(Math.min(...xs))),
    top: Math.max(0, Math.floor(Math.min(...ys))),
    right: Math.min(width - 1, Math.ceil(Math.max(...xs))),
    bottom: Math.min(height - 1, Math.ceil(Math.max(...ys))),
  };
}

/**
 * The card's corners in an overview. For an ID card with the learned model given, both detectors together
 * (detectCard: the classical corners where the model's mask agrees, else the mask's own); otherwise the classical
 * detector alone: the model was trained on ID cards, and has seen only synthetic passports, so it must not veto one.
 */
export function findCard(overview: GrayImage, documentType: DocumentType, model?: CornerModel, near?: Quad): Quad | undefined {
  const aspect = DOCUMENT_ASPECT[documentType];
  if (model && documentType === 'id-card') return detectCard(model, overview, { aspect, near })?.corners;
  const found = detectQuad(overview, { aspect });
  return found && found.confidence >= MIN_QUAD_CONFIDENCE ? found.corners : undefined;
}

/**
 * Measures an overview (and the detail crop, once the caller has cut it from the document's middle), for the
 * document type the corner detectors look for; `model` is the learned card finder, and `near` the corners the last
 * camera frame reported (in the source's pixels, as the report gives them).
 */
export function measureOverview(
  overview: GrayImage,
  sourceScale: number,
  documentType: DocumentType = 'id-card',
  model?: CornerModel,
  near?: Quad,
): Omit<QualityMeasures, 'sharpness'> {
  const nearInOverview = near?.map((p) => ({ x: p.x / sourceScale, y: p.y / sourceScale })) as Quad | undefined;
  const quad = findCard(overview, documentType, model, nearInOverview);
  // Without a card, glare and blur are still judged in the old edge box, so a hint can say what is wrong.
  const documentBox = quad ? quadBox(quad, overview.width, overview.height) : findDocument(overview);
  const { mean, clipped } = exposure(overview);
  return {
    documentBox,
    quad,
    overviewWidth: overview.width,
    overviewHeight: overview.height,
    sourceScale,
    meanLuminance: mean,
    clippedShare: clipped,
    glareBlob: documentBox ? largestGlareBlob(overview, documentBox) : 0,
  };
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Turns measures into the gate's verdict, with a hint for each issue. */
export function judgeQuality(measures: QualityMeasures, thresholds: QualityThresholds = DEFAULT_QUALITY_THRESHOLDS): QualityReport {
  const issues: QualityIssue[] = [];
  const { documentBox, quad, overviewWidth, overviewHeight } = measures;
  const tooDark = measures.meanLuminance < thresholds.minMeanLuminance;
  const tooBright = measures.meanLuminance > thresholds.maxMeanLuminance || measures.clippedShare > thresholds.maxClippedShare;
  // Framing comes from the corner detector alone: no corners, no card.
  const fill = quad ? Math.min(1, quadArea(quad) / (overviewWidth * overviewHeight)) : 0;
  // A washed-out or black frame hides the card's edges: the light is what to fix first.
  // "Move closer" only when framing may be the problem: a found card too small, or, with none found, no edge box as
  // large as a card should be. A good photo (a large edge box) whose card the detector missed is told so, not sent closer.
  const boxFill = documentBox
    ? ((documentBox.right - documentBox.left + 1) * (documentBox.bottom - documentBox.top + 1)) / (overviewWidth * overviewHeight)
    : 0;
  if (fill < thresholds.minDocumentFill && (quad || !(tooDark || tooBright))) {
    if (quad || boxFill < thresholds.minDocumentFill) {
      issues.push({
        code: 'not-framed',
        value: round(fill),
        limit: thresholds.minDocumentFill,
        message: 'Move closer: the card should fill the frame.',
      });
    } else {
      issues.push({
        code: 'not-found',
        value: 0,
        limit: 1,
        message: 'The card was not found: lay it flat with all four corners in view, on a plain surface of another colour.',
      });
    }
  }
  if (quad) {
    const outside = Math.max(0, ...quad.map((p) => Math.max(-p.x, -p.y, p.x - overviewWidth, p.y - overviewHeight)));
    if (outside > 1) {
      issues.push({
        code: 'cut-off',
        value: round(outside * measures.sourceScale, 0),
        limit: 0,
        message: 'Move back: a corner of the card is cut off.',
      });
    }
    const skew = quadSkew(quad);
    if (skew > thresholds.maxSkewDegrees) {
      issues.push({
        code: 'skewed',
        value: round(skew, 1),
        limit: thresholds.maxSkewDegrees,
        message: 'Hold the card flat and square to the camera.',
      });
    }
  }
  if (quad && documentBox) {
    const longSide = Math.max(documentBox.right - documentBox.left + 1, documentBox.bottom - documentBox.top + 1) * measures.sourceScale;
    if (longSide < thresholds.minDocumentLongSide) {
      issues.push({
        code: 'low-resolution',
        value: Math.round(longSide),
        limit: thresholds.minDocumentLongSide,
        message: 'The card is too small in the photo: move closer or use a better camera.',
      });
    }
  }
  if (tooDark) {
    issues.push({
      code: 'dark',
      value: round(measures.meanLuminance, 1),
      limit: thresholds.minMeanLuminance,
      message: 'More light: the photo is too dark.',
    });
  }
  if (tooBright) {
    const byMean = measures.meanLuminance > thresholds.maxMeanLuminance;
    issues.push({
      code: 'bright',
      value: byMean ? round(measures.meanLuminance, 1) : round(measures.clippedShare),
      limit: byMean ? thresholds.maxMeanLuminance : thresholds.maxClippedShare,
      message: 'Less light: the photo is too bright.',
    });
  }
  // Over-exposure whitens everything; glare is a bright patch on an otherwise good photo.
  if (!tooBright && measures.glareBlob > thresholds.maxGlareBlob) {
    issues.push({
      code: 'glare',
      value: round(measures.glareBlob, 4),
      limit: thresholds.maxGlareBlob,
      message: 'Avoid glare: tilt the card away from the light.',
    });
  }
  if (documentBox && !tooDark && measures.sharpness < thresholds.minSharpness) {
    issues.push({
      code: 'blur',
      value: round(measures.sharpness),
      limit: thresholds.minSharpness,
      message: 'Hold still: the photo is blurred.',
    });
  }
  const corners = quad?.map((p) => ({ x: round(p.x * measures.sourceScale, 1), y: round(p.y * measures.sourceScale, 1) })) as
    Quad | undefined;
  return corners ? { ok: issues.length === 0, issues, corners } : { ok: issues.length === 0, issues };
}

/** Where to cut the detail crop in the source: a DETAIL_SIZE square at the document's middle. */
export function detailCrop(measures: Omit<QualityMeasures, 'sharpness'>, sourceWidth: number, sourceHeight: number) {
  const box = measures.documentBox ?? { left: 0, top: 0, right: measures.overviewWidth - 1, bottom: measures.overviewHeight - 1 };
  const cx = ((box.left + box.right) / 2) * measures.sourceScale;
  const cy = ((box.top + box.bottom) / 2) * measures.sourceScale;
  const size = Math.min(DETAIL_SIZE, sourceWidth, sourceHeight);
  const x = Math.round(Math.min(Math.max(0, cx - size / 2), sourceWidth - size));
  const y = Math.round(Math.min(Math.max(0, cy - size / 2), sourceHeight - size));
  return { x, y, width: size, height: size };
}
