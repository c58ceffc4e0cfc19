/**
 * `npm run bench`: prepares seeded images with our pipeline and with browser-image-compression in
 * each engine (Chromium, Firefox, WebKit; ENGINES=… to choose), prints one table row per engine and
 * case, and writes the figures to test/bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import * as puppeteer from 'puppeteer-core';
import { createServer } from 'vite';
import { CHROME_ARGS, findChrome } from '../../scripts/chrome.mjs';
import { ENGINES, type EngineName, findFirefox, selectedEngines } from '../../scripts/engines.mjs';
import { FIREFOX_PREFS } from '../support/firefox.mjs';
import { startWebKit } from '../support/webkit.mjs';
import type { CaseResult, Measure } from './bench-page.ts';
import type { PhoneRow } from './phones-page.ts';

type Quality = { times: number[]; jsTimes: number[]; classicalTimes: number[]; frame: string; simd: boolean };
type FallbackRow = { name: string; worker: Measure; mainThread: Measure };
/** One engine's bench page: calls a function the page put on window, and closes. */
interface BenchBrowser {
  version: string;
  call<T>(name: 'runBench' | 'benchQuality' | 'benchFallback' | 'benchPhones' | 'benchFixedCosts', arg?: number): Promise<T>;
  close(): Promise<void>;
}

const runs = Number(process.env.BENCH_RUNS ?? 5);
/** Our time as a share of the library's, the target in every engine (issue 27). */
const TARGET_RATIO = 0.3;
/** Our time as a multiple of the floor (one decode and one encode), the target at 12 and 48 MP. */
const FLOOR_TARGET = 1.3;
const root = new URL('../../', import.meta.url).pathname;
const server = await createServer({
  configFile: false,
  root,
  logLevel: 'error',
  server: { host: '127.0.0.1', port: 0 },
  optimizeDeps: { include: ['browser-image-compression', 'piexifjs'], entries: ['test/bench/index.html'] },
});
await server.listen();
const url = new URL(
  `test/bench/index.html${process.env.BENCH_CASES ? `?cases=${encodeURIComponent(process.env.BENCH_CASES)}` : ''}`,
  server.resolvedUrls!.local[0],
).href;

/** Each engine opened on the bench page, through the same drivers the tests use. */
const open: Record<EngineName, () => Promise<BenchBrowser>> = {
  async chromium() {
    const browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_ARGS });
    const page = await browser.newPage();
    page.on('console', (message) => console.log(`  [chromium] ${message.text()}`));
    await page.goto(url, { waitUntil: 'networkidle' });
    await page.waitForFunction(() => 'runBench' in window);
    return {
      version: `Chromium ${browser.version()}`,
      call: (name, arg) =>
        page.evaluate(
          ([name, arg]) => (window as unknown as Record<string, (n?: number) => Promise<never>>)[name as string](arg as number | undefined),
          [name, arg] as const,
        ),
      close: () => browser.close(),
    };
  },
  async firefox() {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: findFirefox(),
      headless: true,
      extraPrefsFirefox: FIREFOX_PREFS,
      protocolTimeout: 0,
    });
    // protocolTimeout 0: one evaluate runs every case, for minutes.
    const page = await browser.newPage();
    page.on('console', (message) => console.log(`  [firefox] ${message.text()}`));
    page.setDefaultTimeout(0);
    await page.goto(url);
    await page.waitForFunction(() => 'runBench' in window);
    return {
      version: `Firefox ${(await browser.version()).split('/').pop()}`,
      call: (name, arg) =>
        page.evaluate((name, arg) => (window as unknown as Record<string, (n?: number) => Promise<never>>)[name](arg), name, arg),
      close: () => browser.close(),
    };
  },
  async webkit() {
    const webkit = await startWebKit();
    // Plain WebDriver over HTTP: four commands need no client library.
    const command = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`http://127.0.0.1:${webkit.port}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const { value } = (await response.json()) as { value: T };
      if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${JSON.stringify(value)}`);
      return value;
    };
    const alwaysMatch = Object.fromEntries(Object.entries(webkit.capabilities).filter(([key]) => !key.startsWith('wdio:')));
    const { sessionId, capabilities } = await command<{ sessionId: string; capabilities: { browserVersion?: string } }>(
      'POST',
      '/session',
      { capabilities: { alwaysMatch } },
    );
    const session = `/session/${sessionId}`;
    const execute = <T>(script: string, args: unknown[] = []) => command<T>('POST', `${session}/execute/sync`, { script, args });
    await command('POST', `${session}/url`, { url });
    while (!(await execute<boolean>("return 'runBench' in window"))) await new Promise((resolve) => setTimeout(resolve, 200));
    return {
      version: `WebKitGTK ${capabilities.browserVersion ?? ''}`,
      // Started, then polled: one HTTP request held open for minutes would hit fetch's timeouts.
      async call<T>(name: string, arg?: number) {
        await execute(
          'window.__bench = undefined; window[arguments[0]](arguments[1] ?? undefined).then((value) => (window.__bench = { value }), (error) => (window.__bench = { error: String(error) }));',
          [name, arg],
        );
        for (;;) {
          const outcome = await execute<{ value?: T; error?: string } | null>('return window.__bench ?? null');
          if (outcome?.error) throw new Error(outcome.error);
          if (outcome) return outcome.value as T;
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      },
      async close() {
        await command('DELETE', session).catch(() => {});
        webkit.stop();
      },
    };
  },
};

type FixedCosts = Record<'fresh' | 'reused' | 'firstDraw' | 'slice' | 'whole', number>;
const figures: {
  engine: string;
  version: string;
  results: CaseResult[];
  quality: Quality;
  fallback: FallbackRow[];
  phones: PhoneRow[];
  costs?: FixedCosts;
}[] = [];
const failures: { engine: string; error: string }[] = [];
try {
  for (const engine of selectedEngines()) {
    console.log(`\n▶ ${ENGINES[engine].label}: ${runs} runs of each case…`);
    // One engine failing still leaves the others' figures, and says why.
    try {
      const browser = await open[engine]();
      try {
        // BENCH_ONLY=quality skips the slow image cases; BENCH_ONLY=fallback runs only the main-thread fallback;
        // BENCH_ONLY=images only the image cases (BENCH_CASES='12 MP,48 MP' picks some of them);
        // BENCH_ONLY=phones only the widget on each simulated phone; BENCH_ONLY=costs only the fixed costs.
        const only = process.env.BENCH_ONLY;
        const results = only && only !== 'images' ? [] : await browser.call<CaseResult[]>('runBench', runs);
        const quality =
          only && only !== 'quality'
            ? { times: [0], jsTimes: [0], classicalTimes: [0], frame: '', simd: false }
            : await browser.call<Quality>('benchQuality');
        const fallback = only && only !== 'fallback' ? [] : await browser.call<FallbackRow[]>('benchFallback');
        const phones = only && only !== 'phones' ? [] : await browser.call<PhoneRow[]>('benchPhones', Math.min(runs, 3));
        const costs = only && only !== 'costs' ? undefined : await browser.call<FixedCosts>('benchFixedCosts');
        figures.push({ engine: ENGINES[engine].label, version: browser.version, results, quality, fallback, phones, costs });
      } finally {
        await browser.close();
      }
    } catch (error) {
      failures.push({ engine: ENGINES[engine].label, error: String(error).split('\n')[0] });
    }
  }
  printTable();
  const fallbackRows = figures.flatMap(({ engine, fallback }) =>
    fallback.map((row) => ({
      engine,
      case: row.name,
      'worker median ms': percentile(row.worker.times, 50).toFixed(0),
      'main thread median ms': percentile(row.mainThread.times, 50).toFixed(0),
      'worker longest task ms': row.worker.longestTask.toFixed(0),
      'main thread longest task ms': row.mainThread.longestTask.toFixed(0),
      'main thread longest frame gap ms': row.mainThread.longestFrameGap.toFixed(0),
      'same bytes': row.worker.bytes === row.mainThread.bytes,
    })),
  );
  if (fallbackRows.length) {
    console.log('\nWorker that cannot start (404): the same preparation on the main thread, beside the worker');
    console.table(fallbackRows);
  }
  const phoneRows = figures.flatMap(({ engine, phones }) =>
    phones.map((row) => ({
      engine,
      phone: row.name,
      lens: row.lens,
      'to a live preview median ms': percentile(row.firstFrame, 50).toFixed(0),
      'capture to upload median ms': percentile(row.captureToUpload, 50).toFixed(0),
      still: row.still,
      'longest task ms': row.longestTask.toFixed(0),
      'longest frame gap ms': row.longestFrameGap.toFixed(0),
    })),
  );
  if (phoneRows.length) {
    console.log('\nThe widget on simulated phones (test/support/phone-camera.ts): Use camera → live preview, capture → upload start');
    console.table(phoneRows);
  }
  const costRows = figures.flatMap(({ engine, costs }) =>
    costs
      ? [
          {
            engine,
            'encode 1008×756, fresh canvas': costs.fresh,
            'encode 1008×756, same canvas again': costs.reused,
            'the same, the first from a fresh 12 MP bitmap': costs.firstDraw,
            'read 0.3 MB by a slice': costs.slice,
            'read 0.3 MB whole': costs.whole,
          },
        ]
      : [],
  );
  if (costRows.length) {
    console.log('\nFixed costs in the worker, median ms (what a step costs beyond its pixels)');
    console.table(costRows);
  }
  if (failures.length) {
    console.log('\nEngines that could not finish:');
    console.table(failures);
    process.exitCode = 1;
  }
  mkdirSync(new URL('results/', import.meta.url), { recursive: true });
  const file = new URL('results/image-pipeline.json', import.meta.url);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), runs, engines: figures, failures }, null, 2));
  console.log(`\nWrote ${file.pathname}`);
} finally {
  await server.close();
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function printTable(): void {
  console.log(`\nImage pipeline: ours (worker) vs browser-image-compression { maxSizeMB: 1, useWebWorker: false }, same page`);
  console.log(
    `${runs} runs each, headless, this machine: ${figures.map((f) => f.version).join(', ')}; target ours/lib ≤ ${TARGET_RATIO}, ours/floor ≤ ${FLOOR_TARGET} at 12 and 48 MP`,
  );
  console.log(
    'floor: one decode (scaled inside the decoder where that is faster, else full size) and one JPEG encode of our output, main thread\n',
  );
  const rows = figures.flatMap(({ engine, results }) =>
    results.map((r) => {
      const oursMedian = percentile(r.ours.times, 50);
      const libMedian = percentile(r.library.times, 50);
      const ratio = oursMedian / libMedian;
      const floorMedian = percentile(r.floor.times, 50);
      // Below a millisecond (nothing to do) the ratio means nothing: the floor is then the fixed cost's judge.
      const overFloor = floorMedian >= 1 ? oursMedian / floorMedian : undefined;
      return {
        engine,
        case: r.name,
        input: `${(r.inputBytes / 1e6).toFixed(2)} MB`,
        'ours median ms': oursMedian.toFixed(0),
        'floor median ms': `${floorMedian.toFixed(0)} (${r.floor.decode})`,
        'ours/floor': overFloor === undefined ? '—' : overFloor.toFixed(2),
        'lib median ms': libMedian.toFixed(0),
        'ours/lib': ratio.toFixed(2),
        target: [
          ratio <= TARGET_RATIO ? 'lib met' : `lib ${blocker(r)}`,
          /MP/.test(r.name) ? (overFloor !== undefined && overFloor <= FLOOR_TARGET ? 'floor met' : 'floor missed') : '',
        ]
          .filter(Boolean)
          .join(', '),
        'ours w×h': `${r.ours.width}×${r.ours.height}`,
        'lib w×h': `${r.library.width}×${r.library.height}`,
        'ours bytes': r.ours.bytes,
        'lib bytes': r.library.bytes,
        'ours longest task ms': r.ours.longestTask.toFixed(0),
      };
    }),
  );
  console.table(rows);
  console.log('\nOur pipeline, first run of each case (ms):');
  console.table(
    figures.flatMap(({ engine, results }) =>
      results.map((r) => ({
        engine,
        case: r.name,
        method: r.ours.detail?.method,
        quality: r.ours.detail?.quality ?? '',
        encodes: r.ours.detail?.encodes,
        timings: JSON.stringify(r.ours.detail?.timings),
      })),
    ),
  );
  console.log(
    `\nQuality gate, one analysis of a 640×480 frame, as the worker runs it for an ID card (both card finders, the network in WebAssembly SIMD), with the network in JavaScript (as the page's own fallback runs it), and with the classical finder alone:`,
  );
  console.table(
    figures.map(({ engine, quality }) => ({
      engine,
      'median ms': percentile(quality.times, 50).toFixed(2),
      'p95 ms': percentile(quality.times, 95).toFixed(2),
      'max ms': Math.max(...quality.times).toFixed(2),
      'network in JavaScript, median ms': percentile(quality.jsTimes, 50).toFixed(2),
      'classical alone, median ms': percentile(quality.classicalTimes, 50).toFixed(2),
      ...(quality.simd ? {} : { note: 'no WebAssembly SIMD here: both rows ran JavaScript' }),
    })),
  );
}

/** Why a case misses the target, from where our time went. */
function blocker(r: CaseResult): string {
  const timings = r.ours.detail?.timings as { decode: number; encodes: number[] } | undefined;
  if (!timings) return 'missed';
  const encodes = timings.encodes.reduce((a, b) => a + b, 0);
  return timings.decode >= encodes ? `missed: decode ${timings.decode} ms` : `missed: ${timings.encodes.length} encodes ${encodes} ms`;
}
