/** Prepares images and runs the quality gate off the main thread. Bundled with the package: no third-party script is loaded. */
import { analyzeQuality } from '../lib/analyze-quality.ts';
import { LivenessError } from '../lib/errors.ts';
import { prepareImage } from '../lib/prepare-image.ts';
import type { WorkerRequest, WorkerResponse } from '../lib/worker-client.ts';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerResponse): void;
};

async function handle(request: WorkerRequest): Promise<WorkerResponse> {
  if (request.kind === 'prepare') {
    return { id: request.id, ok: true, image: await prepareImage(request.file, { maxBytes: request.maxBytes }) };
  }
  const bitmap = request.source instanceof Blob ? await createImageBitmap(request.source) : request.source;
  try {
    return { id: request.id, ok: true, quality: analyzeQuality(bitmap, request.region, request.thresholds) };
  } finally {
    bitmap.close();
  }
}

scope.onmessage = async ({ data }) => {
  try {
    scope.postMessage(await handle(data));
  } catch (error) {
    scope.postMessage({ id: data.id, ok: false, error: LivenessError.from(error, 'compression-failed').detail });
  }
};
