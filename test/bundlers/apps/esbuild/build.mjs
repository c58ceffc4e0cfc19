// esbuild as its docs show for an app: ESM with code splitting, minified; then the two static pages.
import { cpSync, rmSync } from 'node:fs';
import * as esbuild from 'esbuild';

rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: ['src/main.js', 'src/plain.js'],
  bundle: true,
  format: 'esm',
  splitting: true,
  minify: true,
  outdir: 'dist',
  logLevel: 'warning',
});
if (result.errors.length) process.exit(1);
cpSync(new URL('./public', import.meta.url), new URL('./dist', import.meta.url), { recursive: true });
// --copy-worker: the README's snippet for esbuild, which does not emit the worker itself.
if (process.argv.includes('--copy-worker')) {
  cpSync(new URL('./node_modules/accura-id-liveness/dist/accura-id-liveness.worker.js', import.meta.url), new URL('./dist/accura-id-liveness.worker.js', import.meta.url));
}
