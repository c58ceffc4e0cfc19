/**
 * Main-thread side of the image worker: one lazily started worker per element, for preparing
 * uploads and for the quality gate. Cancelling ends the worker, so a long encode stops at once.
 * When the worker cannot start at all (not shipped by a bundler, a 404, a CSP rule), the same
 * tasks run on the main thread, and one console warning says why and how to fix it.
 */
import type { DocumentType, Rect } from '../../camera/camera-rules.ts';
import { LivenessError } from '../../check/errors.ts';
import type { ImageTask, ImageTaskResult } from './tasks.ts';
import type { CutStill } from '../../camera/cut.ts';
import type { StillRequest } from '../../camera/still.ts';
import type { PreparedImage } from '../prepare.ts';
import type { QualityReport, QualityThresholds } from '../../quality/quality-rules.ts';
import type { Quad } from '../../quality/corners/geometry.ts';
import { scriptBase } from '../../element/script-base.ts';
import { workerFallbackAdvice } from './advice.ts';

export type WorkerRequest = ImageTask & { id: number };
/** Task results, and `{ id: 0, ready: true }` once the worker script runs (`canvas`: it has a 2D OffscreenCanvas). */
export type WorkerResponse = (ImageTaskResult & { id: number }) | { id: 0; ready: true; canvas?: boolean };

export type WorkerFactory = () => Worker;

/** Set by the build to the worker's file name in dist/; undefined when running from source. */
declare const __ACCURA_WORKER_FILE__: string | undefined;
// A variable, not a literal, so bundlers don't try to bundle the source worker a second time.
const SOURCE_WORKER = './prepare.worker.ts';

/** Where the default factory loads the worker from. */
export function defaultWorkerUrl(): URL {
  return typeof __ACCURA_WORKER_FILE__ === 'string'
    ? new URL(__ACCURA_WORKER_FILE__, scriptBase())
    : new URL(SOURCE_WORKER, import.meta.url);
}

/** Builds load the classic worker shipped beside the script; source runs (dev, tests) load the module worker. */
export const defaultWorkerFactory: WorkerFactory = () =>
  typeof __ACCURA_WORKER_FILE__ === 'string'
    ? new Worker(defaultWorkerUrl(), { name: 'accura-id-liveness' })
    : new Worker(defaultWorkerUrl(), { type: 'module', name: 'accura-id-liveness' });

type Pending = {
  task: ImageTask;
  transfer: Transferable[];
  resolve: (result: ImageTaskResult) => void;
  reject: (error: LivenessError) => void;
};

const cancelled = () => new LivenessError('aborted', 'The check was cancelled.');

// Page-wide: a worker that could not start for one element won't start for the next one either.
let workerUnavailable = false;

function yieldToMain(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return scheduler?.yield ? scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));
}

export class ImageWorkerClient {
  private worker?: Worker;
  private ready = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly createWorker: WorkerFactory = defaultWorkerFactory) {}

  /** Starts the worker ahead of the first task (its script fetched and run), when the user shows intent. */
  warm(): void {
    if (!workerUnavailable) this.start();
  }

  /** Fits an image under `maxBytes`, upright and without metadata. */
  async prepare(file: Blob, maxBytes: number, signal?: AbortSignal): Promise<PreparedImage> {
    const result = await this.request({ kind: 'prepare', file, maxBytes }, [], signal);
    return (result as { image: PreparedImage }).image;
  }

  /**
   * Runs the quality gate on an image, or on the `region` of a frame that a capture would keep; `near` is where the
   * last camera frame's report put the card.
   */
  async analyze(
    source: Blob | ImageBitmap,
    thresholds: QualityThresholds,
    { region, signal, documentType, near }: { region?: Rect; signal?: AbortSignal; documentType?: DocumentType; near?: Quad } = {},
  ): Promise<QualityReport> {
    const transfer = source instanceof ImageBitmap ? [source] : [];
    const result = await this.request({ kind: 'quality', source, region, thresholds, documentType, near }, transfer, signal);
    return (result as { quality: QualityReport }).quality;
  }

  /** Cuts a capture's still out of a camera photo, decoded in the worker, off the main thread. */
  async still(request: StillRequest, signal?: AbortSignal): Promise<CutStill> {
    const result = await this.request({ kind: 'still', ...request }, [], signal);
    return (result as { still: CutStill }).still;
  }

  private request(task: ImageTask, transfer: Transferable[], signal?: AbortSignal): Promise<ImageTaskResult> {
    if (signal?.aborted) return Promise.reject(cancelled());
    const id = this.nextId++;
    return new Promise<ImageTaskResult & { ok: true }>((resolve, reject) => {
      const onAbort = () => this.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        this.pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(id, {
        task,
        transfer,
        resolve: (result) => {
          settle();
          if (result.ok) resolve(result);
          else reject(new LivenessError(result.error.code, result.error.message, result.error));
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      if (workerUnavailable) void this.runOnMainThread(id);
      else if (this.ready) this.post(id);
      else this.start();
    });
  }

  private post(id: number): void {
    const pending = this.pending.get(id);
    if (pending) this.worker?.postMessage({ ...pending.task, id }, pending.transfer);
  }

  // Tasks wait for the worker's ready message, so nothing (an ImageBitmap above all) is transferred
  // to a worker that never runs, and a worker that fails to start leaves every task to run here.
  private start(): void {
    if (this.worker) return;
    let worker: Worker;
    try {
      worker = this.createWorker();
    } catch (error) {
      this.fallBack(error instanceof Error ? error.message : String(error));
      return;
    }
    worker.addEventListener('message', ({ data }: MessageEvent<WorkerResponse>) => {
      if ('ready' in data) {
        // A worker that can't draw (Safari before 16.4): every task runs here, on a <canvas>, with no warning.
        if (data.canvas === false) return this.fallBack('', false);
        this.ready = true;
        for (const id of this.pending.keys()) this.post(id);
        return;
      }
      this.pending.get(data.id)?.resolve(data);
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      if (!this.ready) this.fallBack('its script did not load or run: a 404, a CSP worker-src rule, or a bundler that did not emit it');
      else
        this.fail(
          new LivenessError(
            'compression-failed',
            'The browser stopped the image worker while it prepared the photo, often for lack of memory. Try again or choose a smaller photo.',
          ),
        );
    });
    this.worker = worker;
  }

  private fallBack(cause: string, warn = true): void {
    if (!workerUnavailable) {
      workerUnavailable = true;
      if (warn) console.warn(workerFallbackAdvice(this.createWorker === defaultWorkerFactory ? defaultWorkerUrl().href : undefined, cause));
    }
    this.dispose();
    for (const id of this.pending.keys()) void this.runOnMainThread(id);
  }

  private async runOnMainThread(id: number): Promise<void> {
    await yieldToMain();
    const pending = this.pending.get(id);
    if (!pending) return; // cancelled while waiting
    const { runImageTask } = await import('./tasks.ts');
    const result = await runImageTask(pending.task);
    // A task cancelled meanwhile has no pending entry any more: its result is dropped.
    this.pending.get(id)?.resolve(result);
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
    this.ready = false;
  }
}
