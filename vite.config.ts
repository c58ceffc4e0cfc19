import { copyFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Plugin, type UserConfig, defineConfig } from 'vite';
import { livenessServerPlugin } from './demo/server-plugin.ts';

/** Minifies the CSS inside `*.styles.ts` (comments and white space): every byte counts in the page-load budget. */
function minifyStyles(): Plugin {
  return {
    name: 'minify-styles',
    transform(code, id) {
      if (!id.endsWith('.styles.ts')) return undefined;
      return code.replace(/css`([^`]*)`/g, (_, body: string) => {
        const css = body
          .replace(/\/\*[^]*?\*\//g, '')
          .replace(/\s+/g, ' ')
          .replace(/\s*([{};,>])\s*/g, '$1')
          .replace(/:\s+/g, ':')
          .replace(/;}/g, '}')
          .trim();
        return `css\`${css}\``;
      });
    },
  };
}

/** The worker's file name in dist/: shipped beside the script, found relative to it. */
export const WORKER_FILE = 'accura-id-liveness.worker.js';
const root = import.meta.dirname;
const workerDefine = { __ACCURA_WORKER_FILE__: JSON.stringify(WORKER_FILE) };

/**
 * Modes:
 * - dev server (`npm start`): the demo page with the proxy and sandbox mounted;
 * - `esm`: the module build for bundlers, dependencies external;
 * - `iife`: one self-contained classic script for a plain <script src> tag;
 * - `worker`: the image worker, a classic script beside both;
 * - `demo`: the demo page for `npm run serve`.
 * `npm run build` (scripts/build.mjs) runs them in order.
 */
export default defineConfig(({ mode }): UserConfig => {
  const library = { emptyOutDir: false, outDir: resolve(root, 'dist'), sourcemap: true, target: 'es2022' };
  switch (mode) {
    case 'esm':
      return {
        define: workerDefine,
        plugins: [minifyStyles()],
        build: {
          ...library,
          lib: {
            entry: { 'accura-id-liveness': resolve(root, 'src/accura-id-liveness.ts'), index: resolve(root, 'src/index.ts') },
            formats: ['es'],
          },
          rollupOptions: { external: [/^lit($|\/)/, /^zod($|\/)/, /^@lit\//] },
        },
      };
    case 'iife':
      return {
        define: workerDefine,
        plugins: [minifyStyles()],
        build: {
          ...library,
          lib: { entry: resolve(root, 'src/accura-id-liveness.ts'), formats: ['iife'], name: 'AccuraIdLiveness', fileName: () => 'accura-id-liveness.min.js' },
        },
      };
    case 'worker':
      return {
        build: {
          ...library,
          lib: { entry: resolve(root, 'src/workers/prepare.worker.ts'), formats: ['iife'], name: 'AccuraIdLivenessWorker', fileName: () => WORKER_FILE },
        },
      };
    case 'demo':
      return {
        root: resolve(root, 'demo'),
        define: workerDefine,
        build: { outDir: resolve(root, 'dist-demo'), emptyOutDir: true, target: 'es2022' },
        plugins: [
          {
            name: 'copy-worker',
            closeBundle() {
              mkdirSync(resolve(root, 'dist-demo/assets'), { recursive: true });
              copyFileSync(resolve(root, 'dist', WORKER_FILE), resolve(root, 'dist-demo/assets', WORKER_FILE));
            },
          },
        ],
      };
    default:
      return {
        root: resolve(root, 'demo'),
        server: { host: '127.0.0.1', port: 5173 },
        // Pre-bundled up front, so the first visit doesn't reload the page mid-way.
        optimizeDeps: { include: ['lit', 'lit/decorators.js', 'zod/mini'] },
        plugins: [livenessServerPlugin()],
      };
  }
});
