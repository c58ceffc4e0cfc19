// The preview loop: judges frames in the worker until the view closes, and says when the card held still long enough.
import type { CameraController } from './camera-controller.ts';
import { type CoverView, type DocumentType, captureRect } from './camera-rules.ts';
import { AUTO_CAPTURE_STREAK, type FrameContext, cameraThresholds, cardFill, frameChange, nextStreak } from './framing.ts';
import { type AnyContext2D, context2d, makeCanvas } from '../image/canvas.ts';
import type { QualityReport, QualityThresholds } from '../quality/quality-rules.ts';
import { sleep } from '../check/retry.ts';
import type { ImageWorkerClient } from '../image/worker/worker-client.ts';
import { LivenessError } from '../check/errors.ts';
import { frameShade } from './lens-rules.ts';

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
  /** Each frame's report (its corners in the frame's pixels), with the motion since the last frame and the card's fill. */
  onReport: (report: QualityReport, frame: { width: number; height: number }, context: FrameContext) => void;
  /** Called once the frame has been good AUTO_CAPTURE_STREAK times in a row; undefined turns auto-capture off. */
  onSteady?: () => void;
}

/** Judges preview frames (the region a capture keeps) until the view closes, reporting each verdict. */
export async function watchPreview(watch: PreviewWatch): Promise<void> {
  let streak = 0;
  let previous: Uint8Array | undefined;
  // Where the last frame had the card: the finder looks there first (one run of its network, not two).
  let near: QualityReport['corners'];
  // A camera that restarts (the page came back, another lens, the stall ladder) is waited for: only a closed camera or
  // view ends the loop, else guidance and auto-capture would stop for good after a restart.
  const ended = () => !watch.active() || watch.camera.state === 'off';
  // A new stream: no run of good frames, no motion reference, no last corners.
  const startOver = () => {
    streak = 0;
    previous = near = undefined;
  };
  while (!ended()) {
    const video = watch.video();
    const stream = watch.camera.stream;
    if (watch.camera.state !== 'live') {
      startOver();
    } else if (video && video.readyState >= 2 && video.videoWidth) {
      try {
        const frame = await createImageBitmap(video);
        const size = { width: frame.width, height: frame.height };
        const region = captureRect(frame.width, frame.height, watch.documentType(), watch.view?.());
        const thumb = thumbnail(frame, region);
        if (!thumb) {
          // The engine had no frame to paint: not a black lens, and nothing to judge. The next one may be readable.
          frame.close();
          await sleep(ANALYSIS_INTERVAL_MS);
          continue;
        }
        const motion = frameChange(previous, thumb);
        previous = thumb;
        const report = await watch.worker.analyze(frame, cameraThresholds(watch.thresholds()), {
          region,
          documentType: watch.documentType(),
          near,
        });
        if (ended()) return;
        // The camera restarted during the analysis: that frame came from the stream before.
        if (watch.camera.stream !== stream || watch.camera.state !== 'live') {
          startOver();
          continue;
        }
        near = report.corners;
        streak = nextStreak(streak, report);
        const fill = report.corners
          ? cardFill(
              report.corners.map((p) => ({ x: p.x - region.x, y: p.y - region.y })),
              region,
            )
          : 0;
        watch.onReport(report, size, { motion, fill });
        if (watch.onSteady && streak >= AUTO_CAPTURE_STREAK) return watch.onSteady();
      } catch (error) {
        // The camera closed or the check was cancelled: the loop ends. Any other failure (a frame the browser could not
        // copy, an analysis the worker lost) costs that frame only: the guidance and auto-capture go on with the next.
        if (ended() || isCancelled(error)) return;
        streak = 0;
        await sleep(ANALYSIS_INTERVAL_MS * 4);
      }
    }
    await sleep(ANALYSIS_INTERVAL_MS);
  }
}

const isCancelled = (error: unknown) => error instanceof LivenessError && error.code === 'aborted';

const THUMB = { width: 32, height: 18 };
let thumbContext: AnyContext2D | undefined;

/**
 * The region as a tiny gray image, drawn by the GPU: enough to see motion between frames, and cheap on the main thread.
 * Undefined when the frame is unreadable (frameShade): every pixel transparent.
 */
function thumbnail(frame: ImageBitmap, region: { x: number; y: number; width: number; height: number }): Uint8Array | undefined {
  thumbContext ??= context2d(makeCanvas(THUMB.width, THUMB.height), { willReadFrequently: true });
  thumbContext.clearRect(0, 0, THUMB.width, THUMB.height);
  thumbContext.drawImage(frame, region.x, region.y, region.width, region.height, 0, 0, THUMB.width, THUMB.height);
  const rgba = thumbContext.getImageData(0, 0, THUMB.width, THUMB.height).data;
  if (frameShade(rgba) === 'unreadable') return undefined;
  const gray = new Uint8Array(THUMB.width * THUMB.height);
  for (let i = 0; i < gray.length; i++) gray[i] = (rgba[i * 4] * 77 + rgba[i * 4 + 1] * 150 + rgba[i * 4 + 2] * 29) >> 8;
  return gray;
}
