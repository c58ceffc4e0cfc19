// Bundle budgets, gzip: what a page loads to show the element, and everything including the worker.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const KB = 1024;
const gzip = (file) => gzipSync(readFileSync(new URL(`../dist/${file}`, import.meta.url)), { level: 9 }).length;

const page = gzip('accura-id-liveness.min.js'); // lit + element + parser + worker client, self-contained
const worker = gzip('accura-id-liveness.worker.js'); // loaded on the first image
const budgets = [
  { what: 'page load: dist/accura-id-liveness.min.js (lit, element, parser)', bytes: page, budget: 20 * KB },
  { what: 'lazy: dist/accura-id-liveness.worker.js (image pipeline)', bytes: worker, budget: undefined },
  { what: 'everything: script + worker', bytes: page + worker, budget: 60 * KB },
];

console.log('\nBundle sizes (gzip -9):');
console.table(budgets.map(({ what, bytes, budget }) => ({ what, 'KB gzip': (bytes / KB).toFixed(1), budget: budget ? `${budget / KB} KB` : '', ok: budget ? (bytes <= budget ? 'yes' : 'NO') : '' })));
const over = budgets.filter(({ bytes, budget }) => budget && bytes > budget);
if (over.length) {
  console.error(`Over budget: ${over.map((b) => b.what).join('; ')}`);
  process.exit(1);
}
