/**
 * Everything the element needs from the first image or camera on. Imported lazily, so that a page
 * loads only lit, the element and the parser to show it (see the bundle budgets).
 */
export { CameraController } from '../controllers/camera.ts';
export { CameraLayerController } from '../controllers/camera-layer.ts';
export { warnIfKeyExposed } from './api-key-warning.ts';
export { resolveConfig, runLivenessCheck } from './run-check.ts';
export { SNIFF_BYTES, orientedSize, sniffImage } from './sniff.ts';
export { ImageWorkerClient } from './worker-client.ts';
export { cameraHint } from './framing.ts';
export { placeGuide, renderCameraView, watchPreview } from '../views/camera-view.ts';

export type Pipeline = typeof import('./pipeline.ts');
