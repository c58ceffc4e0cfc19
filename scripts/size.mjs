// Bundle budgets, gzip -9, measured on what a page really loads:
// - page load: the module entry with lit bundled in, without its lazy chunk (an app's bundler does the same);
// - lazy: the chunk loaded on the first image or camera, and the worker;
// - the classic script (self-contained, for <script src>) and its worker.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const KB = 1024;
const dist = new URL('../dist/', import.meta.url).pathname;
const gzip = (path) => gzipSync(readFileSync(path), { level: 9 }).length;

const out = mkdtempSync(join(tmpdir(), 'accura-size-'));
const { metafile } = await build({
  metafile: true,
  entryPoints: [join(dist, 'accura-id-liveness.js')],
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  outdir: out,
  conditions: ['production'],
  logLevel: 'error',
});
// The entry and every chunk it imports statically load with the page; dynamic imports load later.
const outputs = metafile.outputs;
const entryPath = Object.keys(outputs).find((path) => path.endsWith('accura-id-liveness.js'));
const eager = new Set();
const visit = (path) => {
  if (eager.has(path)) return;
  eager.add(path);
  for (const imported of outputs[path].imports) if (imported.kind === 'import-statement') visit(imported.path);
};
visit(entryPath);
const jsOutputs = Object.keys(outputs).filter((path) => path.endsWith('.js'));
const sizeOf = (path) => gzip(resolve(process.cwd(), path));
const entry = [...eager].reduce((sum, path) => sum + sizeOf(path), 0);
const lazy = jsOutputs.filter((path) => !eager.has(path)).reduce((sum, path) => sum + sizeOf(path), 0);
rmSync(out, { recursive: true });
const worker = gzip(join(dist, 'accura-id-liveness.worker.js'));
const classic = gzip(join(dist, 'accura-id-liveness.min.js'));

const rows = [
  { what: 'page load: module entry + lit (the element and the parser)', bytes: entry, budget: 20 * KB },
  { what: 'lazy: pipeline, camera and locale chunks (first image, camera or language)', bytes: lazy },
  { what: 'lazy: image worker', bytes: worker },
  // 60 KB until cross-device handoff (issue 16): its lazy chunk (the handoff screen, the QR encoder lean-qr at 3.8 KB,
  // the session client) and its strings in each locale add 8.5 KB gzip, its offer on the start screen 1.2 KB.
  // 70 KB since issue 23 (real phones): the still cut in the worker (a 50–200 MP photo is never decoded on the main
  // thread), the main-thread <canvas> path for Safari before 16.4, the stream-shape and close-focus rules: +2.2 KB.
  { what: 'everything, module build: entry + chunk + worker', bytes: entry + lazy + worker, budget: 70 * KB },
  { what: 'classic script, self-contained (dist/accura-id-liveness.min.js)', bytes: classic },
  // The classic script carries what the module build loads lazily (camera, handoff, detector, the main-thread
  // fallback), so it takes the same 66 KB budget; at 60 KB it had no room left after issues 16 to 18.
  { what: 'everything, classic: script + worker', bytes: classic + worker, budget: 66 * KB },
];
console.log('\nBundle sizes (gzip -9):');
console.table(rows.map(({ what, bytes, budget }) => ({ what, 'KB gzip': (bytes / KB).toFixed(1), budget: budget ? `${budget / KB} KB` : '', ok: budget ? (bytes <= budget ? 'yes' : 'NO') : '' })));
const over = rows.filter(({ bytes, budget }) => budget && bytes > budget);
if (over.length) {
  console.error(`Over budget: ${over.map((row) => row.what).join('; ')}`);
  process.exit(1);
}
