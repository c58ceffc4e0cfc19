/**
 * Everything the element needs from the first image or camera on. Imported lazily, so that a page
 * loads only lit, the element and the parser to show it (see the bundle budgets).
 */
export { CameraController } from '../camera/camera-controller.ts';
export { CameraLayerController } from '../camera/camera-layer-controller.ts';
export { warnIfKeyExposed } from '../check/api-key-warning.ts';
export { resolveConfig, runLivenessCheck } from '../check/run-check.ts';
export { SNIFF_BYTES, orientedSize, sniffImage } from '../image/sniff.ts';
export { ImageWorkerClient } from '../image/worker/worker-client.ts';
export { cameraHint } from '../camera/framing.ts';
export { frameTooSmall, zoomFor } from '../camera/camera-rules.ts';
export { placeGuide, renderCameraView } from '../camera/camera-view.ts';
export { renderOpenInBrowser } from '../camera/open-in-browser.ts';
export { watchPreview } from '../camera/preview-watch.ts';

export type CaptureChunk = typeof import('./capture.chunk.ts');
