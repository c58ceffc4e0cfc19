/**
 * The bundler matrix's real parts: the packed tarball, the fixture apps under test/bundlers/apps/
 * (each with its own lockfile), their builds, their dev and production servers, a static server for
 * built files, and the demo backend (token route, proxy and sandbox) the widget checks against.
 * Every process it starts runs in its own process group and is stopped by that pid.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { Browser, Page } from 'playwright-core';
import { createDemoApp } from '../../demo/server/demo-app.ts';
import { recordInstall } from '../../scripts/install-times.mjs';
import { photoInPage } from '../e2e/support.ts';

const root = new URL('../..', import.meta.url).pathname;
const appsDir = join(root, 'test/bundlers/apps');
/**
 * Where the apps are installed and built: outside the repository, as a user's app would be. Inside
 * it, bundlers walk up to the repository's tsconfig (whose `paths` map the package name to src/)
 * and node_modules, and would test the sources instead of the tarball. Installs are kept between runs;
 * one folder per checkout, so two checkouts on one machine never build in each other's copies.
 */
const workRoot = join(tmpdir(), `accura-bundler-matrix-${createHash('sha256').update(root).digest('hex').slice(0, 8)}`);
const generated = new Set(['node_modules', 'dist', '.next', '.angular', '.parcel-cache', 'next-env.d.ts']);

/** The app's working copy (see `workRoot`). */
export function appDir(app: string): string {
  return join(workRoot, app);
}

/** Refreshes the app's working copy from test/bundlers/apps/, keeping its node_modules. */
export function syncApp(app: string): void {
  const target = appDir(app);
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(target)) if (entry !== 'node_modules') rmSync(join(target, entry), { recursive: true, force: true });
  cpSync(join(appsDir, app), target, { recursive: true, filter: (source) => !generated.has(basename(source)) });
}

/** Environment for every fixture command: no telemetry, no prompts, no colours in captured output. */
const quietEnv = {
  ...process.env,
  NG_CLI_ANALYTICS: 'false',
  NEXT_TELEMETRY_DISABLED: '1',
  CI: process.env.CI ?? '1',
  NO_COLOR: '1',
  FORCE_COLOR: '0',
  NO_UPDATE_NOTIFIER: '1',
};

export interface Ran {
  seconds: number;
  output: string;
}

/** Runs one command to its end; throws with the output's tail when it fails. */
export function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Ran {
  const start = performance.now();
  const result = spawnSync(command, args, { cwd, env: { ...quietEnv, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) exited ${result.status ?? result.signal}:\n${output.split('\n').slice(-40).join('\n')}`,
    );
  }
  return { seconds, output };
}

/**
 * `npm pack` of the repository, as a user's install would get it. Builds first unless
 * BUNDLERS_SKIP_BUILD=1 (`npm test` has just built). Returns the tarball's path and size.
 */
export function packTarball(): { path: string; bytes: number; seconds: number } {
  const start = performance.now();
  if (process.env.BUNDLERS_SKIP_BUILD !== '1' || !existsSync(join(root, 'dist'))) run('node', ['scripts/build.mjs'], root);
  const destination = mkdtempSync(join(tmpdir(), 'accura-pack-'));
  const { output } = run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', destination], root);
  const path = join(destination, output.trim().split('\n').at(-1)!);
  return { path, bytes: statSync(path).size, seconds: (performance.now() - start) / 1000 };
}

/** Removes a packed tarball's folder (packTarball's), so no run leaves one in the temp folder. */
export function removeTarball(path: string): void {
  rmSync(dirname(path), { recursive: true, force: true });
}

/**
 * Installs one fixture app: `npm ci` from its own lockfile (skipped while node_modules matches the
 * lockfile), then the tarball with --no-save, since its integrity changes with every build.
 */
export function installApp(app: string, tarball: string): { seconds: number; fresh: boolean } {
  syncApp(app);
  const cwd = appDir(app);
  const stamp = join(cwd, 'node_modules/.bundler-matrix-lock');
  const lockHash = createHash('sha256')
    .update(readFileSync(join(cwd, 'package-lock.json')))
    .digest('hex');
  const flags = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
  let seconds = 0;
  const fresh = !existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash;
  if (fresh) {
    const ci = run('npm', ['ci', ...flags], cwd).seconds;
    recordInstall(`npm ci in the ${app} app (bundler matrix)`, ci);
    seconds += ci;
    writeFileSync(stamp, lockHash);
  }
  seconds += run('npm', ['install', '--no-save', ...flags, tarball], cwd).seconds;
  const { version } = JSON.parse(readFileSync(join(cwd, 'node_modules/accura-id-liveness/package.json'), 'utf8'));
  console.log(
    `[bundlers] ${app}: ${fresh ? 'npm ci from its lockfile, then ' : ''}accura-id-liveness ${version} from ${basename(tarball)}, in ${cwd} (${seconds.toFixed(0)} s)`,
  );
  return { seconds, fresh };
}

/** A free loopback port from the OS (port 0), for CLIs that want a number. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Started {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** Everything the process printed so far. */
  output(): string;
}

/**
 * Starts a long-running fixture command (a dev or production server) in its own process group,
 * waits until `url` answers, and stops the whole group by its pid.
 */
export async function startProcess(
  command: string,
  args: string[],
  cwd: string,
  url: string,
  timeoutMs = 180_000,
  env: Record<string, string> = {},
): Promise<Started> {
  const child: ChildProcess = spawn(command, args, {
    cwd,
    env: { ...quietEnv, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  child.stdout!.on('data', (chunk) => (printed += chunk));
  child.stderr!.on('data', (chunk) => (printed += chunk));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5_000);
    await exit;
    clearTimeout(killer);
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${command} ${args.join(' ')} exited before answering:\n${printed.slice(-3000)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
      await response.arrayBuffer();
      if (response.status < 500) return { url, pid: child.pid!, stop, output: () => printed };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`${command} ${args.join(' ')} did not answer ${url} within ${timeoutMs / 1000} s:\n${printed.slice(-3000)}`);
}

function listen(fetchHandler: (request: Request) => Response | Promise<Response>): Promise<{ url: string; stop(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: fetchHandler, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        // closeAllConnections: the browser's keep-alive sockets would hold close() for seconds.
        stop: () =>
          new Promise<void>((done) => {
            (server as Server).close(() => done());
            (server as Server).closeAllConnections();
          }),
      }),
    ) as Server;
  });
}

/** Built files on 127.0.0.1 (port 0); unknown paths without an extension get index.html, as a SPA host does. */
export function serveBuilt(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const index = readFileSync(join(dir, 'index.html'), 'utf8');
  const site = new Hono();
  site.use('*', serveStatic({ root: dir }));
  site.notFound((c) => (/\.[a-z0-9]+$/i.test(c.req.path) ? c.text('Not found', 404) : c.html(index)));
  return listen(site.fetch);
}

/** The demo backend (token route, proxy, in-process sandbox) for loopback dev origins. */
export function startApi(): Promise<{ url: string; stop(): Promise<void> }> {
  const demo = createDemoApp({ env: {}, dev: true, log: () => {} });
  return listen((request) => demo.fetch(request));
}

export interface PageRun {
  /** The check ended in `liveness-result`. */
  completed: boolean;
  /** The verdict and score, or the error code and message. */
  outcome: string;
  /** `worker` when the image worker ran, else what the page saw instead (e.g. `main thread (worker 404)`). */
  preparation: string;
  /** console.warn lines from the page. */
  warnings: string[];
  /** console.error lines and uncaught errors. */
  errors: string[];
  /** Hydration complaints from React (console or uncaught). */
  hydration: string[];
}

const hydrationPattern = /hydrat|didn't match|did not match/i;

/**
 * Opens the app's widget page as a user would, chooses a photo made in the page, presses the main
 * action and waits for the check to end, `checks` times in a row ("Check another" between them).
 * `api` is the demo backend the widget is pointed at.
 */
export async function checkInPage(browser: Browser, pageUrl: string, api: string, checks = 1): Promise<PageRun> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const warnings: string[] = [];
  const errors: string[] = [];
  const workerResponses: string[] = [];
  let workersStarted = 0;
  page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text());
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('worker', () => workersStarted++);
  page.on('response', (response) => {
    if (/worker/i.test(new URL(response.url()).pathname)) workerResponses.push(`${response.status()} ${response.url()}`);
  });
  try {
    await page.goto(pageUrl, { waitUntil: 'networkidle', timeout: 120_000 });
    await page.evaluate(async (apiUrl) => {
      await customElements.whenDefined('accura-id-liveness');
      const widget = document.querySelector('accura-id-liveness') as HTMLElement & { endpoint: string; getToken: () => Promise<string> };
      widget.endpoint = `${apiUrl}/api/id-liveness`;
      widget.getToken = async () => (await (await fetch(`${apiUrl}/api/liveness-token`, { method: 'POST' })).json()).token;
    }, api);
    // A photo made in the page, chosen through the real file input; then the main action.
    const photo = await photoInPage(page);
    let result = { completed: false, outcome: 'not started' };
    for (let check = 0; check < checks && (check === 0 || result.completed); check++) {
      if (check > 0) await page.locator('accura-id-liveness button.primary').click({ timeout: 30_000 }); // "Check another"
      const ended = page.evaluate(
        () =>
          new Promise<{ completed: boolean; outcome: string }>((resolve) => {
            const widget = document.querySelector('accura-id-liveness')!;
            widget.addEventListener(
              'liveness-result',
              (event) => {
                const { verdict, score } = (event as CustomEvent).detail;
                resolve({ completed: true, outcome: `${verdict} ${score}` });
              },
              { once: true },
            );
            widget.addEventListener(
              'liveness-error',
              (event) => {
                const { code, message } = (event as CustomEvent).detail;
                resolve({ completed: false, outcome: `${code}: ${message}` });
              },
              { once: true },
            );
          }),
      );
      await page
        .locator('accura-id-liveness input[type=file]')
        .first()
        .setInputFiles({ name: 'card.jpg', mimeType: 'image/jpeg', buffer: photo });
      await page.locator('accura-id-liveness button.primary:not([disabled])').click({ timeout: 30_000 });
      ended.catch(() => {}); // when the timeout wins, closing the page rejects it
      let timer: NodeJS.Timeout | undefined;
      result = await Promise.race([
        ended,
        new Promise<{ completed: boolean; outcome: string }>(
          (resolve) => (timer = setTimeout(() => resolve({ completed: false, outcome: 'no result within 45 s' }), 45_000)),
        ),
      ]);
      clearTimeout(timer);
    }
    const failedWorker = workerResponses.find((line) => !line.startsWith('2') && !line.startsWith('3'));
    const fallbackWarned = warnings.some((line) => /worker/i.test(line));
    const preparation =
      workersStarted > 0 && !failedWorker && !fallbackWarned
        ? 'worker'
        : `main thread (${failedWorker ? `worker ${failedWorker.split(' ')[0]}` : fallbackWarned ? 'worker warned' : 'no worker started'})`;
    return { ...result, preparation, warnings, errors, hydration: [...errors, ...warnings].filter((line) => hydrationPattern.test(line)) };
  } finally {
    await context.close();
  }
}

/**
 * gzip bytes of every script the page loads before it is idle (the worker excluded: it is not
 * initial JavaScript). Each file is gzipped on its own, as a server would send it.
 */
export async function initialScriptGzip(browser: Browser, pageUrl: string): Promise<number> {
  const context = await browser.newContext();
  const page: Page = await context.newPage();
  const bodies: Promise<number>[] = [];
  page.on('response', (response) => {
    const request = response.request();
    if (request.resourceType() !== 'script' || /worker/i.test(new URL(response.url()).pathname)) return;
    bodies.push(
      response.body().then(
        (body) => gzipSync(body, { level: 9 }).length,
        () => 0,
      ),
    );
  });
  try {
    await page.goto(pageUrl, { waitUntil: 'networkidle', timeout: 120_000 });
    return (await Promise.all(bodies)).reduce((sum, bytes) => sum + bytes, 0);
  } finally {
    await context.close();
  }
}

/** Deletes every file with "worker" in its name under `dir`, as a bundler that drops the worker would. */
export function deleteWorkers(dir: string): string[] {
  const removed = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (file) => /worker/i.test(file) && statSync(join(dir, file)).isFile(),
  );
  for (const file of removed) rmSync(join(dir, file));
  return removed;
}

/** Removes a fixture's build output, so a stale build can never pass for a new one. */
export function clean(app: string, ...dirs: string[]): void {
  for (const dir of dirs) rmSync(join(appDir(app), dir), { recursive: true, force: true });
}
