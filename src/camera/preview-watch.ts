// The preview loop: judges frames in the worker until the view closes, and says when the card held still long enough.
import type { CameraController } from './camera-controller.ts';
import { type CoverView, type DocumentType, captureRect } from './camera-rules.ts';
import { AUTO_CAPTURE_STREAK, cameraThresholds, nextStreak } from './framing.ts';
import type { QualityReport, QualityThresholds } from '../quality/quality-rules.ts';
import { sleep } from '../check/retry.ts';
import type { ImageWorkerClient } from '../image/worker/worker-client.ts';

/** The pause between preview analyses. */
export const ANALYSIS_INTERVAL_MS = 150;

export interface PreviewWatch {
  camera: CameraController;
  worker: ImageWorkerClient;
  video: () => HTMLVideoElement | null;
  thresholds: () => QualityThresholds;
  documentType: () => DocumentType;
  /** The full-screen view the guide is shown in, if any: the region analysed follows it. */
  view?: () => CoverView | undefined;
  /** False once the view has closed. */
  active: () => boolean;
  /** Each frame's report; its corners are in the frame's pixels. */
  onReport: (report: QualityReport, frame: { width: number; height: number }) => void;
  /** Called once the frame has been good AUTO_CAPTURE_STREAK times in a row; undefined turns auto-capture off. */
  onSteady?: () => void;
}

/** Judges preview frames (the region a capture keeps) until the view closes, reporting each verdict. */
export async function watchPreview(watch: PreviewWatch): Promise<void> {
  let streak = 0;
  while (watch.active() && watch.camera.state === 'live') {
    const video = watch.video();
    if (video && video.readyState >= 2 && video.videoWidth) {
      try {
        const frame = await createImageBitmap(video);
        const size = { width: frame.width, height: frame.height };
        const region = captureRect(frame.width, frame.height, watch.documentType(), watch.view?.());
        const report = await watch.worker.analyze(frame, cameraThresholds(watch.thresholds()), region, undefined, watch.documentType());
        if (!watch.active() || watch.camera.state !== 'live') return;
        streak = nextStreak(streak, report);
        watch.onReport(report, size);
        if (watch.onSteady && streak >= AUTO_CAPTURE_STREAK) return watch.onSteady();
      } catch {
        return; // the camera stopped or the worker was cancelled
      }
    }
    await sleep(ANALYSIS_INTERVAL_MS);
  }
}
