// Builds every distributable in order: the worker first, because the demo copies it.
import { rmSync } from 'node:fs';
import { build } from 'vite';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
for (const mode of ['worker', 'esm', 'iife', 'demo']) {
  await build({ configFile: new URL('../vite.config.ts', import.meta.url).pathname, mode, logLevel: 'warn' });
}
console.log('Built dist/ and dist-demo/.');
