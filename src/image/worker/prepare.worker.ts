/** Prepares images and runs the quality gate off the main thread. Bundled with the package: no third-party script is loaded. */
import { compileSimdConv } from '../../quality/corners/conv-simd.ts';
import { useSimdConv } from '../../quality/corners/convolution.ts';
import { hasOffscreen2d } from '../canvas.ts';
import { runImageTask } from './tasks.ts';
import type { WorkerRequest, WorkerResponse } from './worker-client.ts';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerResponse): void;
};

// The card finder's network in WebAssembly SIMD where this worker may compile it (its script's CSP allows it), about
// 3× faster; JavaScript otherwise. The page's own fallback (worker-client.ts) stays in JavaScript: its CSP is the page's.
useSimdConv(compileSimdConv());

scope.onmessage = async ({ data: { id, ...task } }) => {
  scope.postMessage({ id, ...(await runImageTask(task)) });
};
// Tells the page that this script loaded and runs: until then, an error means the worker could not start.
// Without a 2D OffscreenCanvas here (Safari before 16.4) the page runs the tasks itself, on a <canvas>.
scope.postMessage({ id: 0, ready: true, canvas: hasOffscreen2d() });
