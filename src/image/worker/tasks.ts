/**
 * The image tasks themselves, the same wherever they run: in the bundled worker, or on the main
 * thread when that worker cannot start (a bundler that did not ship it, a 404, a CSP rule).
 */
import { analyzeQuality } from '../../quality/analyze.ts';
import { CORNER_MODEL_LAYERS, CORNER_MODEL_WEIGHTS } from '../../quality/corners/corner-model.ts';
import { type CornerModel, loadCornerModel } from '../../quality/corners/learned.ts';
import type { DocumentType, Rect } from '../../camera/camera-rules.ts';
import type { CutStill } from '../../camera/cut.ts';
import { type StillRequest, cutStill } from '../../camera/still.ts';
import type { LivenessErrorDetail } from '../../check/errors.ts';
import { LivenessError } from '../../check/errors.ts';
import { type PreparedImage, prepareImage } from '../prepare.ts';
import type { Quad } from '../../quality/corners/geometry.ts';
import type { QualityReport, QualityThresholds } from '../../quality/quality-rules.ts';

export type ImageTask =
  | { kind: 'prepare'; file: Blob; maxBytes: number }
  | { kind: 'quality'; source: Blob | ImageBitmap; region?: Rect; thresholds: QualityThresholds; documentType?: DocumentType; near?: Quad }
  | ({ kind: 'still' } & StillRequest);

export type ImageTaskResult =
  | { ok: true; image: PreparedImage }
  | { ok: true; quality: QualityReport }
  | { ok: true; still: CutStill }
  | { ok: false; error: LivenessErrorDetail };

let model: CornerModel | undefined;
/** The learned card finder, decoded on the first quality task (a few ms) and kept for the worker's life. */
const cornerModel = () => (model ??= loadCornerModel({ layers: CORNER_MODEL_LAYERS, weights: CORNER_MODEL_WEIGHTS }));

/** Runs one task to its result; never throws (a failure is `{ ok: false, error }`). */
export async function runImageTask(task: ImageTask): Promise<ImageTaskResult> {
  try {
    if (task.kind === 'prepare') return { ok: true, image: await prepareImage(task.file, { maxBytes: task.maxBytes }) };
    if (task.kind === 'still') return { ok: true, still: await cutStill(task) };
    const bitmap = task.source instanceof Blob ? await createImageBitmap(task.source) : task.source;
    try {
      return { ok: true, quality: analyzeQuality(bitmap, task.region, task.thresholds, task.documentType, cornerModel(), task.near) };
    } finally {
      bitmap.close();
    }
  } catch (error) {
    return { ok: false, error: LivenessError.from(error, 'compression-failed').detail };
  }
}
