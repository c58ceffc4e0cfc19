/**
 * Main-thread side of the image worker: one lazily started worker per element, for preparing
 * uploads and for the quality gate. Cancelling ends the worker, so a long encode stops at once.
 */
import type { Rect } from './camera-rules.ts';
import { type LivenessErrorDetail, LivenessError } from './errors.ts';
import type { PreparedImage } from './prepare-image.ts';
import type { QualityReport, QualityThresholds } from './quality.ts';
import { scriptBase } from './script-base.ts';

export type WorkerRequest =
  | { id: number; kind: 'prepare'; file: Blob; maxBytes: number }
  | { id: number; kind: 'quality'; source: Blob | ImageBitmap; region?: Rect; thresholds: QualityThresholds };

export type WorkerResponse =
  | { id: number; ok: true; image: PreparedImage }
  | { id: number; ok: true; quality: QualityReport }
  | { id: number; ok: false; error: LivenessErrorDetail };

export type WorkerFactory = () => Worker;

/** Set by the build to the worker's file name in dist/; undefined when running from source. */
declare const __ACCURA_WORKER_FILE__: string | undefined;
// A variable, not a literal, so bundlers don't try to bundle the source worker a second time.
const SOURCE_WORKER = '../workers/prepare.worker.ts';

/** Builds load the classic worker shipped beside the script; source runs (dev, tests) load the module worker. */
export const defaultWorkerFactory: WorkerFactory = () =>
  typeof __ACCURA_WORKER_FILE__ === 'string'
    ? new Worker(new URL(__ACCURA_WORKER_FILE__, scriptBase()), { name: 'accura-id-liveness' })
    : new Worker(new URL(SOURCE_WORKER, import.meta.url), { type: 'module', name: 'accura-id-liveness' });

type Pending = { resolve: (response: WorkerResponse) => void; reject: (error: LivenessError) => void };
type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

const cancelled = () => new LivenessError('aborted', 'The check was cancelled.');

export class ImageWorkerClient {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly createWorker: WorkerFactory = defaultWorkerFactory) {}

  /** Fits an image under `maxBytes`, upright and without metadata. */
  async prepare(file: Blob, maxBytes: number, signal?: AbortSignal): Promise<PreparedImage> {
    const response = await this.request({ kind: 'prepare', file, maxBytes }, [], signal);
    return (response as { image: PreparedImage }).image;
  }

  /** Runs the quality gate on an image, or on the region of a frame that a capture would keep. */
  async analyze(source: Blob | ImageBitmap, thresholds: QualityThresholds, region?: Rect, signal?: AbortSignal): Promise<QualityReport> {
    const transfer = source instanceof ImageBitmap ? [source] : [];
    const response = await this.request({ kind: 'quality', source, region, thresholds }, transfer, signal);
    return (response as { quality: QualityReport }).quality;
  }

  private request(message: Distribute<WorkerRequest>, transfer: Transferable[], signal?: AbortSignal): Promise<WorkerResponse> {
    if (signal?.aborted) return Promise.reject(cancelled());
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<WorkerResponse>((resolve, reject) => {
      const onAbort = () => this.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        this.pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(id, {
        resolve: (response) => {
          settle();
          resolve(response);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = this.createWorker();
    worker.addEventListener('message', ({ data }: MessageEvent<WorkerResponse>) => {
      const pending = this.pending.get(data.id);
      if (!pending) return;
      if (data.ok) pending.resolve(data);
      else pending.reject(new LivenessError(data.error.code, data.error.message, data.error));
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.fail(new LivenessError('compression-failed', 'The image worker could not start. Reload the page and try again.'));
    });
    this.worker = worker;
    return worker;
  }

  /** Stops all work in flight by ending the worker; the next request starts a fresh one. */
  cancel(): void {
    this.fail(cancelled());
  }

  private fail(error: LivenessError): void {
    this.dispose();
    for (const pending of [...this.pending.values()]) pending.reject(error);
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }
}
