/** Prepares images off the main thread. Bundled with the package: no third-party script is loaded. */
import { LivenessError } from '../lib/errors.ts';
import { prepareImage } from '../lib/prepare-image.ts';
import type { PrepareRequest, PrepareResponse } from '../lib/prepare-client.ts';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<PrepareRequest>) => void) | null;
  postMessage(message: PrepareResponse): void;
};

scope.onmessage = async ({ data }) => {
  try {
    const image = await prepareImage(data.file, { maxBytes: data.maxBytes });
    scope.postMessage({ id: data.id, ok: true, image });
  } catch (error) {
    scope.postMessage({ id: data.id, ok: false, error: LivenessError.from(error, 'compression-failed').detail });
  }
};
