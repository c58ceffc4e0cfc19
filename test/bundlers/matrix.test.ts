/**
 * The bundler matrix (issue 12): the packed tarball installed into pinned fixture apps, built with
 * no widget-specific config, and driven in Chromium to a completed check against the demo backend
 * on 127.0.0.1. For each production build it measures the widget's gzip share of the initial
 * JavaScript: the widget page's scripts minus those of the same page without the widget.
 * BUNDLERS_ONLY=vite8,esbuild runs some apps only; BUNDLERS_SKIP_BUILD=1 packs the existing dist/.
 */
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../e2e/support.ts';
import {
  type PageRun,
  appDir,
  checkInPage,
  clean,
  deleteWorkers,
  freePort,
  initialScriptGzip,
  installApp,
  packTarball,
  removeTarball,
  run,
  serveBuilt,
  startApi,
  startProcess,
} from '../support/bundlers.ts';

/** The widget's budget in each app, gzip: issue 12. */
const SHARE_BUDGET_BYTES = 25 * 1024;

interface Row {
  label: string;
  app: string;
  /** Folders removed first (build output, dev caches), so nothing stale can pass for new. */
  fresh: string[];
  /** Build command: a bin in the app's node_modules/.bin (or node), then its args. */
  build?: { bin: string; args: string[] };
  /** A built site served as static files from this folder... */
  staticDir?: string;
  /** ...or a server the app brings (next start, vite, ng serve); `{port}` is filled in. */
  server?: { bin: string; args: string[] };
  /** The widget page and the same page without it; the share is measured when both are given. */
  widgetPath: string;
  plainPath?: string;
  /** The image worker must run (the bundler ships it, or the README's snippet is applied). */
  worker?: true;
  /** Delete the worker file after the build: the check must still complete, with one warning. */
  deleteWorker?: boolean;
  /** Fail on React hydration warnings (Next dev, where React reports them). */
  hydration?: boolean;
}

const viteDev = (app: string, label: string, extra: Partial<Row> = {}, config: string[] = []): Row => ({
  label,
  app,
  fresh: ['node_modules/.vite'],
  server: { bin: 'vite', args: [...config, '--port', '{port}', '--strictPort', '--host', '127.0.0.1'] },
  widgetPath: '/',
  ...extra,
});

const rows: Row[] = [
  {
    label: 'Vite 8 build',
    app: 'vite8',
    fresh: ['dist'],
    build: { bin: 'vite', args: ['build'] },
    staticDir: 'dist',
    widgetPath: '/',
    plainPath: '/plain.html',
    worker: true,
  },
  {
    label: 'Vite 8 build, worker file deleted',
    app: 'vite8',
    fresh: ['dist'],
    build: { bin: 'vite', args: ['build'] },
    staticDir: 'dist',
    widgetPath: '/',
    deleteWorker: true,
  },
  viteDev('vite8', 'Vite 8 dev', { worker: true }),
  viteDev('vite7', 'Vite 7 dev'),
  viteDev('vite7', 'Vite 7 dev, README snippet', { worker: true }, ['--config', 'vite.worker.config.js']),
  {
    label: 'webpack 5',
    app: 'webpack5',
    fresh: ['dist'],
    build: { bin: 'node', args: ['build.mjs'] },
    staticDir: 'dist',
    widgetPath: '/',
    plainPath: '/plain.html',
    worker: true,
  },
  {
    label: 'Next.js 16 Turbopack',
    app: 'next16',
    fresh: ['.next'],
    build: { bin: 'next', args: ['build'] },
    server: { bin: 'next', args: ['start', '--port', '{port}', '--hostname', '127.0.0.1'] },
    widgetPath: '/',
    plainPath: '/plain',
    worker: true,
  },
  {
    label: 'Next.js 16 webpack',
    app: 'next16',
    fresh: ['.next'],
    build: { bin: 'next', args: ['build', '--webpack'] },
    server: { bin: 'next', args: ['start', '--port', '{port}', '--hostname', '127.0.0.1'] },
    widgetPath: '/',
    plainPath: '/plain',
    worker: true,
  },
  {
    label: 'Next.js 16 dev',
    app: 'next16',
    fresh: ['.next'],
    server: { bin: 'next', args: ['dev', '--port', '{port}', '--hostname', '127.0.0.1'] },
    widgetPath: '/',
    hydration: true,
    worker: true,
  },
  {
    label: 'Parcel 2',
    app: 'parcel2',
    fresh: ['dist'],
    build: { bin: 'parcel', args: ['build', 'index.html', 'plain.html', '--dist-dir', 'dist', '--no-cache'] },
    staticDir: 'dist',
    widgetPath: '/',
    plainPath: '/plain.html',
    worker: true,
  },
  {
    label: 'esbuild (ESM, splitting)',
    app: 'esbuild',
    fresh: ['dist'],
    build: { bin: 'node', args: ['build.mjs'] },
    staticDir: 'dist',
    widgetPath: '/',
    plainPath: '/plain.html',
  },
  {
    label: 'esbuild, README snippet',
    app: 'esbuild',
    fresh: ['dist'],
    build: { bin: 'node', args: ['build.mjs', '--copy-worker'] },
    staticDir: 'dist',
    widgetPath: '/',
    worker: true,
  },
  {
    label: 'Angular CLI 21 ng build',
    app: 'angular21',
    fresh: ['dist'],
    build: { bin: 'ng', args: ['build'] },
    staticDir: 'dist/browser',
    widgetPath: '/',
    plainPath: '/plain',
  },
  {
    label: 'Angular CLI 21 ng serve',
    app: 'angular21',
    fresh: ['.angular'],
    server: { bin: 'ng', args: ['serve', '--port', '{port}', '--host', '127.0.0.1'] },
    widgetPath: '/',
  },
  // The README's angular.json snippet, as the app's `worker` configurations.
  {
    label: 'Angular CLI 21 ng build, README snippet',
    app: 'angular21',
    fresh: ['dist'],
    build: { bin: 'ng', args: ['build', '--configuration', 'production,worker'] },
    staticDir: 'dist/browser',
    widgetPath: '/',
    worker: true,
  },
  {
    label: 'Angular CLI 21 ng serve, README snippet',
    app: 'angular21',
    fresh: ['.angular'],
    server: { bin: 'ng', args: ['serve', '--configuration', 'worker', '--port', '{port}', '--host', '127.0.0.1'] },
    widgetPath: '/',
    worker: true,
  },
];

const only = process.env.BUNDLERS_ONLY?.split(',').map((name) => name.trim());
const selected = only ? rows.filter((row) => only.includes(row.app)) : rows;

interface Line {
  label: string;
  builds: string;
  check: string;
  preparation: string;
  share: string;
  seconds: number;
}
const table: Line[] = [];
const started = performance.now();
let browser: Browser;
let api: { url: string; stop(): Promise<void> };
let tarball: { path: string; bytes: number; seconds: number };
const installed = new Map<string, { seconds: number; fresh: boolean }>();

before(async () => {
  tarball = packTarball();
  console.log(`packed ${tarball.path}: ${(tarball.bytes / 1024).toFixed(1)} KB in ${tarball.seconds.toFixed(1)} s`);
  api = await startApi();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await api?.stop();
  if (tarball) removeTarball(tarball.path);
  const installs = [...installed]
    .map(([app, { seconds, fresh }]) => `${app} ${seconds.toFixed(0)} s${fresh ? ' (npm ci)' : ''}`)
    .join(', ');
  console.log(`\nBundler matrix (tarball ${(tarball.bytes / 1024).toFixed(1)} KB; installs: ${installs})\n`);
  const header = ['app', 'builds', 'check', 'image preparation', 'widget share (gzip)', 'time'];
  const cells = table.map((line) => [line.label, line.builds, line.check, line.preparation, line.share, `${line.seconds.toFixed(0)} s`]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column].length)));
  for (const cell of [header, widths.map((width) => '-'.repeat(width)), ...cells]) {
    console.log(`| ${cell.map((text, column) => text.padEnd(widths[column])).join(' | ')} |`);
  }
  console.log(`\nmatrix run time: ${((performance.now() - started) / 1000).toFixed(0)} s`);
});

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

for (const row of selected) {
  test(row.label, { timeout: 15 * 60_000 }, async () => {
    const rowStart = performance.now();
    const line: Line = { label: row.label, builds: '-', check: 'not run', preparation: '-', share: '-', seconds: 0 };
    table.push(line);
    const cwd = appDir(row.app);
    const bin = (name: string) => (name === 'node' ? name : join(cwd, 'node_modules/.bin', name));
    let server: { url: string; stop(): Promise<void>; output?: () => string } | undefined;
    try {
      if (!installed.has(row.app)) installed.set(row.app, installApp(row.app, tarball.path));
      clean(row.app, ...row.fresh);
      if (row.build) {
        try {
          const { seconds } = run(bin(row.build.bin), row.build.args, cwd);
          line.builds = `yes (${seconds.toFixed(0)} s)`;
        } catch (error) {
          line.builds = 'no';
          throw error;
        }
      } else line.builds = 'dev server';
      if (row.deleteWorker) assert.ok(deleteWorkers(join(cwd, row.staticDir!)).length > 0, 'the build wrote no worker file to delete');
      if (row.staticDir) server = await serveBuilt(join(cwd, row.staticDir));
      else if (row.server) {
        const port = await freePort();
        const args = row.server.args.map((arg) => arg.replace('{port}', String(port)));
        server = await startProcess(bin(row.server.bin), args, cwd, `http://127.0.0.1:${port}${row.widgetPath}`);
      }
      const base = server!.url;
      // Two checks in a row where the worker is gone: the fallback's warning must come once per page.
      const result: PageRun = await checkInPage(browser, new URL(row.widgetPath, base).href, api.url, row.deleteWorker ? 2 : 1);
      line.check = result.completed ? `completed (${result.outcome})` : `FAILED: ${result.outcome}`;
      line.preparation = result.preparation;
      let share: number | undefined;
      if (row.plainPath) {
        share =
          (await initialScriptGzip(browser, new URL(row.widgetPath, base).href)) -
          (await initialScriptGzip(browser, new URL(row.plainPath, base).href));
        line.share = kb(share);
      }
      assert.ok(
        result.completed,
        `the check did not complete: ${result.outcome}\nwarnings: ${result.warnings.join('\n')}\nerrors: ${result.errors.join('\n')}`,
      );
      if (row.worker) assert.equal(result.preparation, 'worker', `the image worker did not run: ${result.warnings.join(' | ')}`);
      if (row.deleteWorker) {
        assert.match(result.preparation, /^main thread/);
        const workerWarnings = result.warnings.filter((text) => /worker/i.test(text));
        assert.equal(
          workerWarnings.length,
          1,
          `one console.warn about the worker, not ${workerWarnings.length}: ${workerWarnings.join(' | ')}`,
        );
      }
      if (row.hydration) assert.deepEqual(result.hydration, [], 'React reported a hydration mismatch');
      if (share !== undefined)
        assert.ok(share <= SHARE_BUDGET_BYTES, `the widget adds ${kb(share)} gzip to the page, over the ${kb(SHARE_BUDGET_BYTES)} budget`);
    } finally {
      await server?.stop();
      line.seconds = (performance.now() - rowStart) / 1000;
    }
  });
}

// Issue 12's slimmer tarball: what `npm pack` ships is the package, nothing a build left beside it.
test('the tarball ships no source maps, no demo types and no WordPress plugin', () => {
  const files = run('tar', ['tzf', tarball.path], tmpdir()).output.trim().split('\n');
  const extra = files.filter((file) => /\.map$|\.zip$|\/wordpress\/|demo-app/.test(file));
  assert.deepEqual(extra, [], `${extra.length} files in the ${kb(tarball.bytes)} tarball that users do not need`);
});

// test/types/raw-tag.tsx is type-checked against src/ by `npm test`'s types step; here against the
// declarations in the tarball, inside an app with its own React types, as a user compiles it.
test(
  'the raw tag in React JSX takes className, style, key, slotted children and onliveness-result (tsc, packed types)',
  { timeout: 5 * 60_000, skip: only !== undefined && !only.includes('next16') },
  () => {
    if (!installed.has('next16')) installed.set('next16', installApp('next16', tarball.path));
    const cwd = appDir('next16');
    cpSync(new URL('../types/raw-tag.tsx', import.meta.url), join(cwd, 'typecheck/raw-tag.tsx'));
    run(join(cwd, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'typecheck/tsconfig.json'], cwd);
  },
);
