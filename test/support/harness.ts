/** Shared setup for element tests: a fresh element pointed at the local test endpoint. */
import { fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/accura-id-liveness.ts';
import type { AccuraIdLiveness, LivenessError } from '../../src/index.ts';
import { until } from './wait.mjs';

let counter = 0;

export interface RecordedField {
  filename: string;
  type: string;
  size: number;
  base64: string;
}
export interface RecordedRequest {
  dropped?: boolean;
  headers: Record<string, string>;
  bodyBytes: number;
  fields: Record<string, string | RecordedField>;
}

/** A unique endpoint URL on the test server, with the behaviour given as query parameters. */
export function testEndpoint(params: Record<string, string | number> = {}): { url: string; id: string } {
  const id = `t${Date.now()}-${++counter}`;
  const query = new URLSearchParams({ id, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
  return { url: `/test-api/liveness?${query}`, id };
}

export async function requestsFor(id: string): Promise<RecordedRequest[]> {
  const response = await fetch(`/test-api/requests?id=${encodeURIComponent(id)}`);
  return response.json();
}

export async function makeElement(params: Record<string, string | number> = {}, attributes: Partial<AccuraIdLiveness> = {}) {
  const endpoint = testEndpoint(params);
  const el = await fixture<AccuraIdLiveness>(
    html`<accura-id-liveness endpoint=${endpoint.url} country-code="USA" card-code="MRZ"></accura-id-liveness>`,
  );
  // The quality gate has its own tests; elsewhere it would only add a step before "Check document".
  Object.assign(el, { qualityCheck: 'off' }, attributes);
  await el.updateComplete;
  return { el, id: endpoint.id };
}

/** Chooses a file through the element's real file input, as a user would. */
export async function chooseFile(el: AccuraIdLiveness, file: File): Promise<void> {
  await el.updateComplete;
  const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[type=file]')!;
  const transfer = new DataTransfer();
  transfer.items.add(file);
  input.files = transfer.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
  await el.updateComplete;
}

/** The element's phase and the start of its text: what a failed wait or assertion says it saw. */
export function shown(el: AccuraIdLiveness): string {
  return `phase ${el.phase}, showing ${JSON.stringify(el.shadowRoot!.textContent!.replace(/\s+/g, ' ').trim().slice(0, 200))}`;
}

/** Waits until the quality gate has judged the chosen image. */
export async function untilJudged(el: AccuraIdLiveness): Promise<void> {
  await until('the quality gate to judge the image', () => !el.shadowRoot!.textContent!.includes('Checking the photo quality'));
  await el.updateComplete;
}

export function button(el: AccuraIdLiveness, text: string): HTMLButtonElement {
  const found = [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);
  if (!found) throw new Error(`No button "${text}" in phase ${el.phase}`);
  return found;
}

export async function untilPhase(el: AccuraIdLiveness, phase: AccuraIdLiveness['phase'], timeout?: number): Promise<void> {
  await until(`phase ${phase}`, () => el.phase === phase, { timeout, seen: () => shown(el) });
  await el.updateComplete;
}

/** The camera view is up, its preview plays and Capture is enabled. */
export async function untilLive(el: AccuraIdLiveness): Promise<HTMLVideoElement> {
  await untilPhase(el, 'camera');
  const video = await until('the camera preview', () => el.shadowRoot!.querySelector('video'));
  await until(
    'the camera to play and Capture to be enabled',
    () => video.videoWidth && video.readyState >= 2 && !button(el, 'Capture').disabled,
    {
      seen: () =>
        `video ${video.videoWidth}×${video.videoHeight}, readyState ${video.readyState}, Capture ${button(el, 'Capture').disabled ? 'disabled' : 'enabled'}`,
    },
  );
  return video;
}

/** Text shown in the element's shadow root. */
export async function untilText(el: Element, text: string): Promise<void> {
  await until(`the text "${text}"`, () => el.shadowRoot!.textContent!.includes(text), {
    seen: () => JSON.stringify(el.shadowRoot!.textContent!.replace(/\s+/g, ' ').trim().slice(0, 300)),
  });
}

/**
 * Counts the camera preview's analyses, as positive evidence that the watcher ran before a test
 * asserts that something did not happen. Each analysis starts with `createImageBitmap(video)`, one
 * at a time, so when analysis n + 1 starts, n have reported.
 */
export function countPreviewAnalyses(): { reported: () => number; restore: () => void } {
  const original = window.createImageBitmap;
  let started = 0;
  window.createImageBitmap = ((source: ImageBitmapSource, ...rest: unknown[]) => {
    if (source instanceof HTMLVideoElement) started++;
    return (original as (...args: unknown[]) => Promise<ImageBitmap>)(source, ...rest);
  }) as typeof createImageBitmap;
  return { reported: () => Math.max(0, started - 1), restore: () => (window.createImageBitmap = original) };
}

/**
 * Replaces a `navigator.mediaDevices` method until the returned function puts it back. On MediaDevices.prototype, not
 * on the object: WebKitGTK drops `navigator.mediaDevices`'s JS wrapper, and a property set on it, at the next garbage
 * collection (seen in a probe at the first one), after which the element reached the real camera mid-test.
 */
export function stubMediaDevices<K extends 'getUserMedia' | 'enumerateDevices'>(
  name: K,
  stub: (this: MediaDevices, ...args: Parameters<MediaDevices[K]>) => ReturnType<MediaDevices[K]>,
): () => void {
  const original = MediaDevices.prototype[name];
  MediaDevices.prototype[name] = stub as MediaDevices[K];
  return () => (MediaDevices.prototype[name] = original);
}

/**
 * Resolves once the element's start-up camera question (`enumerateDevices`, which decides an automatic
 * handoff) has been answered and acted on: call before creating the element, await after.
 */
export function startupDecided(): Promise<void> {
  if (!navigator.mediaDevices) return Promise.resolve(); // no camera API: the element decides at once
  const original = MediaDevices.prototype.enumerateDevices;
  let answered: Promise<unknown> | undefined;
  const restore = stubMediaDevices('enumerateDevices', function () {
    answered = original.call(this).finally(() => undefined);
    return answered as Promise<MediaDeviceInfo[]>;
  });
  return (async () => {
    try {
      await until('the element to ask for the camera list (its automatic-handoff decision)', () => answered !== undefined);
      await answered!.catch(() => undefined);
    } finally {
      restore();
    }
    // The decision, and any action on it, are promise continuations of the answer.
    await afterPendingWork();
  })();
}

/** A task boundary: every promise continuation queued before it has run. Not a pause: no time is waited for. */
export function afterPendingWork(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The error a check rejects with; fails the test when it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<LivenessError> {
  try {
    await promise;
  } catch (error) {
    return error as LivenessError;
  }
  throw new Error('expected the check to fail');
}

export { oneEvent };
