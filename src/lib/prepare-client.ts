/**
 * Main-thread side of the image pipeline: one lazily started worker per element, terminated
 * on abort so that a cancelled encode stops at once.
 */
import { type LivenessErrorDetail, LivenessError } from './errors.ts';
import type { PreparedImage } from './prepare-image.ts';
import { scriptBase } from './script-base.ts';

export interface PrepareRequest {
  id: number;
  file: Blob;
  maxBytes: number;
}

export type PrepareResponse =
  | { id: number; ok: true; image: PreparedImage }
  | { id: number; ok: false; error: LivenessErrorDetail };

export type WorkerFactory = () => Worker;

/** Set by the build to the worker's file name in dist/; undefined when running from source. */
declare const __ACCURA_WORKER_FILE__: string | undefined;
// A variable, not a literal, so bundlers don't try to bundle the source worker a second time.
const SOURCE_WORKER = '../workers/prepare.worker.ts';

/** Builds load the classic worker shipped beside the script; source runs (dev, tests) load the module worker. */
export const defaultWorkerFactory: WorkerFactory = () =>
  typeof __ACCURA_WORKER_FILE__ === 'string'
    ? new Worker(new URL(__ACCURA_WORKER_FILE__, scriptBase), { name: 'accura-id-liveness' })
    : new Worker(new URL(SOURCE_WORKER, import.meta.url), { type: 'module', name: 'accura-id-liveness' });

export class ImagePreparer {
  private worker?: Worker;
  private nextId = 1;
  private pending?: { id: number; reject: (error: LivenessError) => void };

  constructor(private readonly createWorker: WorkerFactory = defaultWorkerFactory) {}

  /** Prepares one image; a second call cancels the first. */
  prepare(file: Blob, maxBytes: number, signal?: AbortSignal): Promise<PreparedImage> {
    this.cancel();
    if (signal?.aborted) return Promise.reject(new LivenessError('aborted', 'The check was cancelled.'));
    const worker = (this.worker ??= this.createWorker());
    const id = this.nextId++;
    return new Promise<PreparedImage>((resolve, reject) => {
      const onAbort = () => this.cancel();
      const settle = () => {
        worker.removeEventListener('message', onMessage);
        worker.removeEventListener('error', onError);
        signal?.removeEventListener('abort', onAbort);
        if (this.pending?.id === id) this.pending = undefined;
      };
      const onMessage = ({ data }: MessageEvent<PrepareResponse>) => {
        if (data.id !== id) return;
        settle();
        if (data.ok) resolve(data.image);
        else reject(new LivenessError(data.error.code, data.error.message, data.error));
      };
      const onError = (event: ErrorEvent) => {
        event.preventDefault();
        settle();
        this.dispose();
        reject(new LivenessError('compression-failed', 'The image worker could not start. Reload the page and try again.'));
      };
      this.pending = {
        id,
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage({ id, file, maxBytes } satisfies PrepareRequest);
    });
  }

  /** Stops the work in flight by ending the worker; the next image starts a fresh one. */
  cancel(): void {
    if (!this.pending) return;
    const { reject } = this.pending;
    this.pending = undefined;
    this.dispose();
    reject(new LivenessError('aborted', 'The check was cancelled.'));
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }
}
