/**
 * Runs in headless Chromium: our pipeline (worker) against browser-image-compression
 * ({ maxSizeMB: 1, useWebWorker: false }) on the same seeded images, in the same page.
 */
import imageCompression from 'browser-image-compression';
import { ImageWorkerClient } from '../../src/image/worker/worker-client.ts';
import { analyzeQuality } from '../../src/quality/analyze.ts';
import { compileSimdConv } from '../../src/quality/corners/conv-simd.ts';
import { useSimdConv } from '../../src/quality/corners/convolution.ts';
import { CORNER_MODEL_LAYERS, CORNER_MODEL_WEIGHTS } from '../../src/quality/corners/corner-model.ts';
import { loadCornerModel } from '../../src/quality/corners/learned.ts';
import { cardPhoto, photoJpeg, screenshotPng, sidewaysJpegWithGps } from '../support/fixtures.ts';

export interface CaseResult {
  name: string;
  inputBytes: number;
  inputSize: string;
  ours: Measure;
  library: Measure;
  /** The least work possible in this engine: one decode and one encode of our output (see floorOf). */
  floor: Measure & { decode: 'in-decoder' | 'full' | 'none' };
}
export interface Measure {
  times: number[];
  bytes: number;
  width: number;
  height: number;
  /** Longest main-thread task seen (longtask entries), ms; 0 when none crossed 50 ms. */
  longestTask: number;
  /** Longest gap between animation frames, ms: what a user would see as a freeze. */
  longestFrameGap: number;
  /** Our pipeline only: how the first run got there. */
  detail?: { quality?: number; encodes: number; method: string; timings: unknown };
}

const CASES: [string, () => Promise<Blob>][] = [
  ['12 MP photo JPEG 4032×3024', () => photoJpeg(4032, 3024, { quality: 0.95, noise: 24, seed: 11 })],
  ['48 MP photo JPEG 8000×6000', () => photoJpeg(8000, 6000, { quality: 0.92, noise: 24, seed: 12 })],
  ['6000×4000 screenshot PNG', () => screenshotPng(6000, 4000, 13)],
  ['JPEG already under 1 MB 1600×1200', () => photoJpeg(1600, 1200, { quality: 0.85, seed: 14 })],
  ['EXIF-rotated JPEG (orientation 6) 1200×800', () => sidewaysJpegWithGps()],
];

/** Watches the main thread while `work` runs: long tasks and animation-frame gaps. */
export async function watchMainThread<T>(work: () => Promise<T>): Promise<{ value: T; longestTask: number; longestFrameGap: number }> {
  let longestTask = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longestTask = Math.max(longestTask, entry.duration);
  });
  observer.observe({ type: 'longtask' });
  let longestFrameGap = 0;
  let running = true;
  let last = performance.now();
  const frame = (now: number) => {
    longestFrameGap = Math.max(longestFrameGap, now - last);
    last = now;
    if (running) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  try {
    const value = await work();
    return { value, longestTask, longestFrameGap };
  } finally {
    running = false;
    observer.disconnect();
  }
}

async function dimensions(blob: Blob): Promise<[number, number]> {
  const bitmap = await createImageBitmap(blob);
  const size: [number, number] = [bitmap.width, bitmap.height];
  bitmap.close();
  return size;
}

async function measure(runs: number, run: () => Promise<Blob>): Promise<Measure> {
  const result: Measure = { times: [], bytes: 0, width: 0, height: 0, longestTask: 0, longestFrameGap: 0 };
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const watched = await watchMainThread(run);
    result.times.push(performance.now() - started);
    result.longestTask = Math.max(result.longestTask, watched.longestTask);
    result.longestFrameGap = Math.max(result.longestFrameGap, watched.longestFrameGap);
    if (i === 0) {
      result.bytes = watched.value.size;
      [result.width, result.height] = await dimensions(watched.value);
    }
  }
  return result;
}

/**
 * Scaling inside the decoder, where the engine has it: createImageBitmap's resize options. At our resampling quality
 * ('high', as prepare.ts asks for): a softer filter is less work but not our output.
 */
async function decodeAt(file: Blob, width: number, height: number, inDecoder: boolean): Promise<ImageBitmap> {
  return inDecoder ? createImageBitmap(file, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' }) : createImageBitmap(file);
}

/** One decode of the photo, drawn at our output size (resampled as ours is), and one JPEG encode of it at our final quality. */
async function decodeAndEncode(file: Blob, out: { width: number; height: number; quality?: number }, inDecoder: boolean): Promise<Blob> {
  const bitmap = await decodeAt(file, out.width, out.height, inDecoder);
  const canvas = new OffscreenCanvas(out.width, out.height);
  const context = canvas.getContext('2d')!;
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, out.width, out.height);
  bitmap.close();
  return canvas.convertToBlob({ type: 'image/jpeg', quality: out.quality ?? 0.92 });
}

/**
 * The floor: the least work that gives our output in this engine. A photo our pipeline passed through
 * untouched (lossless) has a floor of no decode and no encode. Otherwise the faster of a decode
 * scaled inside the decoder (createImageBitmap's resize options) and a full decode, each plus one encode.
 */
async function floorOf(
  runs: number,
  file: Blob,
  out: { width: number; height: number; quality?: number; method: string },
): Promise<CaseResult['floor']> {
  if (out.method === 'lossless') return { ...(await measure(runs, async () => file)), decode: 'none' };
  await decodeAndEncode(file, out, true).catch(() => undefined); // warm
  const scaled = await measure(runs, () => decodeAndEncode(file, out, true)).catch(() => undefined);
  const full = await measure(runs, () => decodeAndEncode(file, out, false));
  const median = (m: Measure) => [...m.times].sort((a, b) => a - b)[Math.floor(m.times.length / 2)];
  return scaled && median(scaled) < median(full) ? { ...scaled, decode: 'in-decoder' } : { ...full, decode: 'full' };
}

async function runBench(runs = 5): Promise<CaseResult[]> {
  const preparer = new ImageWorkerClient();
  const results: CaseResult[] = [];
  // ?cases=12 MP,EXIF (BENCH_CASES in run.ts): only the cases whose name holds one of these.
  const only = new URLSearchParams(location.search).get('cases')?.split(',');
  for (const [name, make] of CASES.filter(([name]) => !only || only.some((part) => name.includes(part)))) {
    const input = await make();
    const file = new File([input], 'input', { type: input.type });
    const [width, height] = await dimensions(input);
    await preparer.prepare(file, 1_000_000); // warm the worker
    let detail: Measure['detail'];
    let output = { width: 0, height: 0, quality: undefined as number | undefined, method: '' };
    const ours = await measure(runs, async () => {
      const prepared = await preparer.prepare(file, 1_000_000);
      detail ??= { quality: prepared.quality, encodes: prepared.encodes, method: prepared.method, timings: prepared.timings };
      output = { width: prepared.width, height: prepared.height, quality: prepared.quality, method: prepared.method };
      return prepared.blob;
    });
    ours.detail = detail;
    const floor = await floorOf(runs, file, output);
    const library = await measure(runs, () => imageCompression(file, { maxSizeMB: 1, useWebWorker: false }));
    results.push({ name, inputBytes: input.size, inputSize: `${width}×${height}`, ours, library, floor });
    const median = (m: Measure) => Math.round([...m.times].sort((a, b) => a - b)[Math.floor(m.times.length / 2)]);
    console.log(`done: ${name}: ours ${median(ours)} ms, floor ${median(floor)} ms (${floor.decode}), lib ${median(library)} ms`);
  }
  preparer.dispose();
  return results;
}

(window as unknown as { runBench: typeof runBench }).runBench = runBench;

/**
 * The quality gate's per-frame analysis of a 640×480 frame: as the worker runs it (with the learned card finder),
 * and with the classical detector alone.
 */
async function benchQuality(
  runs = 60,
): Promise<{ times: number[]; jsTimes: number[]; classicalTimes: number[]; frame: string; simd: boolean }> {
  const frame = await cardPhoto('sharp', { width: 640, height: 480 });
  const model = loadCornerModel({ layers: CORNER_MODEL_LAYERS, weights: CORNER_MODEL_WEIGHTS });
  const time = (analyze: () => unknown) => {
    const times: number[] = [];
    for (let i = 0; i < runs + 5; i++) {
      const started = performance.now();
      analyze();
      if (i >= 5) times.push(performance.now() - started); // the first runs warm the JIT
    }
    return times;
  };
  // The network as the worker runs it (WebAssembly SIMD: this page has no CSP), then as the page's fallback does.
  const simd = compileSimdConv();
  useSimdConv(simd);
  const times = time(() => analyzeQuality(frame, undefined, undefined, 'id-card', model));
  useSimdConv(undefined);
  const jsTimes = time(() => analyzeQuality(frame, undefined, undefined, 'id-card', model));
  const classicalTimes = time(() => analyzeQuality(frame));
  return { times, jsTimes, classicalTimes, frame: '640×480', simd: !!simd };
}

(window as unknown as { benchQuality: typeof benchQuality }).benchQuality = benchQuality;

/**
 * The main-thread fallback (a worker that cannot start): the same preparation with a worker URL that
 * 404s, watching the main thread, beside the worker path on the same images.
 */
async function benchFallback(runs = 3): Promise<{ name: string; worker: Measure; mainThread: Measure }[]> {
  const worker = new ImageWorkerClient();
  const mainThread = new ImageWorkerClient(() => new Worker('/bench-missing-worker.js'));
  const rows = [];
  for (const [name, make] of CASES.slice(0, 3)) {
    const file = new File([await make()], 'input');
    await worker.prepare(file, 1_000_000);
    await mainThread.prepare(file, 1_000_000); // the one warning, and the lazy task chunk
    rows.push({
      name,
      worker: await measure(runs, async () => (await worker.prepare(file, 1_000_000)).blob),
      mainThread: await measure(runs, async () => (await mainThread.prepare(file, 1_000_000)).blob),
    });
  }
  worker.dispose();
  return rows;
}

(window as unknown as { benchFallback: typeof benchFallback }).benchFallback = benchFallback;

/**
 * The fixed costs that issue 27 asked to find, in a worker as the pipeline runs: a JPEG encode of a 1008×756 canvas
 * drawn from tiles of a 12 MP bitmap, on a fresh canvas each time, on one canvas used again, and the first from a
 * freshly decoded bitmap (an engine that decodes lazily pays for it there); and reading a 0.3 MB file by a slice and
 * whole. Medians, in ms.
 */
async function benchFixedCosts(): Promise<Record<string, number>> {
  const photo = await photoJpeg(4032, 3024, { quality: 0.9, noise: 24, seed: 11 });
  const small = await sidewaysJpegWithGps();
  const source = `
    const now = () => performance.now();
    const median = (times) => times.sort((a, b) => a - b)[times.length >> 1];
    const tiles = (canvas, bitmap) => {
      const context = canvas.getContext('2d');
      for (const [x, y] of [[0, 0], [1, 0], [0, 1], [1, 1]])
        context.drawImage(bitmap, 1000 + x * 1500, 800 + y * 1200, 504, 378, x * 504, y * 378, 504, 378);
    };
    onmessage = ({ data }) => measure(data).then(postMessage, (error) => postMessage({ error: String(error) }));
    const measure = async ({ photo, small }) => {
      const times = { fresh: [], reused: [], firstDraw: [], slice: [], whole: [] };
      for (let run = 0; run < 3; run++) {
        const bitmap = await createImageBitmap(photo);
        const started = now();
        const canvas = new OffscreenCanvas(1008, 756);
        tiles(canvas, bitmap);
        await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.75 });
        times.firstDraw.push(now() - started);
        bitmap.close();
      }
      const bitmap = await createImageBitmap(photo);
      const warm = new OffscreenCanvas(1008, 756);
      tiles(warm, bitmap);
      await warm.convertToBlob({ type: 'image/jpeg', quality: 0.75 });
      const kept = new OffscreenCanvas(1008, 756);
      for (let run = 0; run < 6; run++) {
        let started = now();
        const canvas = new OffscreenCanvas(1008, 756);
        tiles(canvas, bitmap);
        await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.75 });
        times.fresh.push(now() - started);
        started = now();
        tiles(kept, bitmap);
        await kept.convertToBlob({ type: 'image/jpeg', quality: 0.75 });
        times.reused.push(now() - started);
        started = now();
        await small.slice(0, 512 * 1024).arrayBuffer();
        times.slice.push(now() - started);
        started = now();
        await small.arrayBuffer();
        times.whole.push(now() - started);
      }
      return Object.fromEntries(Object.entries(times).map(([name, list]) => [name, Math.round(median(list) * 10) / 10]));
    };`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  try {
    return await new Promise((resolve, reject) => {
      worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data));
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage({ photo, small });
    });
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}

(window as unknown as { benchFixedCosts: typeof benchFixedCosts }).benchFixedCosts = benchFixedCosts;
