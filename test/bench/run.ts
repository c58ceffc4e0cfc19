/**
 * `npm run bench`: prepares seeded images in headless Chromium with our pipeline and with
 * browser-image-compression, prints a table and writes the figures to test/bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { CHROME_ARGS, findChrome } from '../../scripts/chrome.mjs';
import type { CaseResult, Measure } from './bench-page.ts';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const root = new URL('../../', import.meta.url).pathname;
const server = await createServer({
  configFile: false,
  root,
  logLevel: 'error',
  server: { host: '127.0.0.1', port: 0 },
  optimizeDeps: { include: ['browser-image-compression', 'piexifjs'], entries: ['test/bench/index.html'] },
});
await server.listen();
const browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_ARGS });
try {
  const page = await browser.newPage();
  page.on('console', (message) => console.log(`  [page] ${message.text()}`));
  await page.goto(new URL('test/bench/index.html', server.resolvedUrls!.local[0]).href, { waitUntil: 'networkidle' });
  await page.waitForFunction(() => 'runBench' in window);
  // BENCH_ONLY=quality skips the slow image cases; BENCH_ONLY=fallback runs only the main-thread fallback.
  const only = process.env.BENCH_ONLY;
  const results =
    only === 'quality' || only === 'fallback'
      ? []
      : await page.evaluate((count) => (window as unknown as { runBench(n: number): Promise<CaseResult[]> }).runBench(count), runs);
  const quality = await page.evaluate(() => (window as unknown as { benchQuality(): Promise<{ times: number[]; frame: string }> }).benchQuality());
  type FallbackRow = { name: string; worker: Measure; mainThread: Measure };
  const fallback = only === 'quality' ? [] : await page.evaluate(() => (window as unknown as { benchFallback(): Promise<FallbackRow[]> }).benchFallback());
  const version = await browser.version();
  printTable(results, version);
  console.log(`\nQuality gate, one analysis of a ${quality.frame} frame, ${quality.times.length} runs (target ≤ 15 ms):`);
  console.table([{ 'median ms': percentile(quality.times, 50).toFixed(2), 'p95 ms': percentile(quality.times, 95).toFixed(2), 'max ms': Math.max(...quality.times).toFixed(2) }]);
  if (fallback.length) {
    console.log('\nWorker that cannot start (404): the same preparation on the main thread, beside the worker');
    console.table(
      fallback.map((row) => ({
        case: row.name,
        'worker median ms': percentile(row.worker.times, 50).toFixed(0),
        'main thread median ms': percentile(row.mainThread.times, 50).toFixed(0),
        'worker longest task ms': row.worker.longestTask.toFixed(0),
        'main thread longest task ms': row.mainThread.longestTask.toFixed(0),
        'main thread longest frame gap ms': row.mainThread.longestFrameGap.toFixed(0),
        'same bytes': row.worker.bytes === row.mainThread.bytes,
      })),
    );
  }
  mkdirSync(new URL('results/', import.meta.url), { recursive: true });
  const file = new URL('results/image-pipeline.json', import.meta.url);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), browser: version, runs, results, quality, fallback }, null, 2));
  console.log(`\nWrote ${file.pathname}`);
} finally {
  await browser.close();
  await server.close();
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function printTable(results: CaseResult[], version: string): void {
  console.log(`\nImage pipeline: ours (worker) vs browser-image-compression { maxSizeMB: 1, useWebWorker: false }`);
  console.log(`Chromium ${version}, ${runs} runs each, headless, this machine\n`);
  const rows = results.map((r) => {
    const oursMedian = percentile(r.ours.times, 50);
    const libMedian = percentile(r.library.times, 50);
    return {
      case: r.name,
      input: `${(r.inputBytes / 1e6).toFixed(2)} MB`,
      'ours median ms': oursMedian.toFixed(0),
      'ours p95 ms': percentile(r.ours.times, 95).toFixed(0),
      'lib median ms': libMedian.toFixed(0),
      'lib p95 ms': percentile(r.library.times, 95).toFixed(0),
      'a/b': (oursMedian / libMedian).toFixed(2),
      'ours bytes': r.ours.bytes,
      'lib bytes': r.library.bytes,
      'ours w×h': `${r.ours.width}×${r.ours.height}`,
      'lib w×h': `${r.library.width}×${r.library.height}`,
      'ours longest task ms': r.ours.longestTask.toFixed(0),
      'ours longest frame gap ms': r.ours.longestFrameGap.toFixed(0),
    };
  });
  console.table(rows);
  console.log('\nOur pipeline, first run of each case (ms):');
  console.table(
    results.map((r) => ({ case: r.name, method: r.ours.detail?.method, quality: r.ours.detail?.quality ?? '', encodes: r.ours.detail?.encodes, timings: JSON.stringify(r.ours.detail?.timings) })),
  );
}
