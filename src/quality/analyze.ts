/**
 * The browser half of the quality gate: cut the overview and the detail crop with an
 * OffscreenCanvas, then hand the pixels to the pure functions in quality.ts. Runs in the worker.
 */
import { type AnyContext2D, context2d, makeCanvas } from '../image/canvas.ts';
import type { DocumentType, Rect } from '../camera/camera-rules.ts';
import { cropGray } from './corners/gray-image.ts';
import type { Quad } from './corners/geometry.ts';
import type { CornerModel } from './corners/learned.ts';
import {
  ANALYSIS_SIZE,
  DEFAULT_QUALITY_THRESHOLDS,
  type GrayImage,
  type QualityReport,
  type QualityThresholds,
  detailCrop,
  judgeQuality,
  measureOverview,
  sharpness,
  toGray,
} from './quality-rules.ts';

// One canvas, reused: the analysis runs on every few preview frames.
let scratch: AnyContext2D | undefined;

function grayOf(
  source: CanvasImageSource,
  sx: number,
  sy: number,
  sw: number,
  sh: number,
  width: number,
  height: number,
  withChroma = false,
): GrayImage {
  // A `<canvas>` on the main thread where 2D OffscreenCanvas is missing (Safari before 16.4).
  scratch ??= context2d(makeCanvas(width, height), { willReadFrequently: true });
  const canvas = scratch.canvas;
  if (canvas.width < width || canvas.height < height) {
    canvas.width = Math.max(canvas.width, width);
    canvas.height = Math.max(canvas.height, height);
  }
  scratch.drawImage(source, sx, sy, sw, sh, 0, 0, width, height);
  return toGray(scratch.getImageData(0, 0, width, height).data, width, height, withChroma);
}

/**
 * Judges an image (or the `region` of it that will be captured): framing, exposure and glare on
 * an overview of at most ANALYSIS_SIZE pixels, blur on a full-resolution crop of the document.
 * `model` is the learned card finder (used for ID cards: findCard); `near` the corners the last
 * analysed camera frame reported, where the finder looks first.
 */
export function analyzeQuality(
  source: ImageBitmap,
  region: Rect = { x: 0, y: 0, width: source.width, height: source.height },
  thresholds: QualityThresholds = DEFAULT_QUALITY_THRESHOLDS,
  documentType: DocumentType = 'id-card',
  model?: CornerModel,
  near?: Quad,
): QualityReport {
  const scale = Math.min(1, ANALYSIS_SIZE / Math.max(region.width, region.height));
  const width = Math.max(1, Math.round(region.width * scale));
  const height = Math.max(1, Math.round(region.height * scale));
  // The overview keeps a chroma plane: the corner detector finds colour edges in it.
  const overview = grayOf(source, region.x, region.y, region.width, region.height, width, height, true);
  const nearInRegion = near?.map((p) => ({ x: p.x - region.x, y: p.y - region.y })) as Quad | undefined;
  const measures = measureOverview(overview, region.width / width, documentType, model, nearInRegion);
  const crop = detailCrop(measures, region.width, region.height);
  const detail =
    scale === 1
      ? cropGray(overview, crop.x, crop.y, crop.width, crop.height)
      : grayOf(source, region.x + crop.x, region.y + crop.y, crop.width, crop.height, crop.width, crop.height);
  const report = judgeQuality({ ...measures, sharpness: sharpness(detail) }, thresholds);
  // Corners in the whole image's pixels, not the region's.
  if (report.corners && (region.x || region.y))
    report.corners = report.corners.map((p) => ({ x: p.x + region.x, y: p.y + region.y })) as typeof report.corners;
  return report;
}
