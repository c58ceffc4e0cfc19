/** Prepares images and runs the quality gate off the main thread. Bundled with the package: no third-party script is loaded. */
import { hasOffscreen2d } from '../canvas.ts';
import { runImageTask } from './tasks.ts';
import type { WorkerRequest, WorkerResponse } from './worker-client.ts';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerResponse): void;
};

scope.onmessage = async ({ data: { id, ...task } }) => {
  scope.postMessage({ id, ...(await runImageTask(task)) });
};
// Tells the page that this script loaded and runs: until then, an error means the worker could not start.
// Without a 2D OffscreenCanvas here (Safari before 16.4) the page runs the tasks itself, on a <canvas>.
scope.postMessage({ id: 0, ready: true, canvas: hasOffscreen2d() });
