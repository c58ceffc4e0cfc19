import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Plugin, type UserConfig, defineConfig } from 'vite';
import { livenessServerPlugin } from './demo/server-plugin.ts';
import { minifyStyles } from './scripts/minify-styles.mjs';

/**
 * In the module build, writes the worker's URL as `new URL('./…worker.js', import.meta.url)`: the
 * pattern that Vite, webpack and Parcel recognise, so an app's bundler ships the worker too.
 */
function bundlerVisibleWorker(): Plugin {
  return {
    name: 'bundler-visible-worker',
    renderChunk(code) {
      const rewritten = code.replace(
        /new URL\(([`"'])accura-id-liveness\.worker\.js\1,\s*[\w$]+\(\)\)/g,
        'new URL("./accura-id-liveness.worker.js", import.meta.url)',
      );
      return rewritten === code ? null : { code: rewritten, map: null };
    },
  };
}

/** The worker's file name in dist/: shipped beside the script, found relative to it. */
export const WORKER_FILE = 'accura-id-liveness.worker.js';
const root = import.meta.dirname;
const workerDefine = { __ACCURA_WORKER_FILE__: JSON.stringify(WORKER_FILE) };
// The framework examples import the package by name, as an app would; here that name is the source.
// Vue's full build compiles the example's string template.
const frameworkAliases = [
  { find: /^accura-id-liveness\/react$/, replacement: resolve(root, 'src/react.ts') },
  { find: /^accura-id-liveness$/, replacement: resolve(root, 'src/accura-id-liveness.ts') },
  { find: /^vue$/, replacement: 'vue/dist/vue.esm-bundler.js' },
];

/**
 * Modes:
 * - dev server (`npm start`): the demo page with the proxy and sandbox mounted;
 * - `esm`: the module build for bundlers, dependencies external;
 * - `iife`: the self-contained classic script (dist/script/accura-id-liveness.standalone.min.js), for a host
 *   that can serve only one file; the split one, the loader and its chunks, is built by scripts/classic-build.mjs;
 * - `worker`: the image worker, a classic script beside both;
 * - `react`: the @lit/react wrapper; `server`: the proxy, tokens and sandbox for Node and edge runtimes;
 * - `demo`: the demo page for `npm run serve`.
 * `npm run build` (scripts/build.mjs) runs them in order.
 */
export default defineConfig(({ mode }): UserConfig => {
  // No source maps in the package: the module builds are readable as shipped, and the maps of the
  // minified classic script and worker (350 KB) only inflated every install.
  const library = { emptyOutDir: false, outDir: resolve(root, 'dist'), sourcemap: false, target: 'es2022' };
  switch (mode) {
    case 'esm':
      return {
        define: workerDefine,
        plugins: [minifyStyles(), bundlerVisibleWorker()],
        build: {
          ...library,
          lib: {
            entry: { 'accura-id-liveness': resolve(root, 'src/accura-id-liveness.ts'), index: resolve(root, 'src/index.ts') },
            formats: ['es'],
          },
          rollupOptions: { external: [/^lit($|\/)/, /^@lit\//] },
        },
      };
    case 'iife':
      return {
        // A classic script has no import.meta; its URL comes from document.currentScript.
        define: { ...workerDefine, 'import.meta.url': 'undefined' },
        plugins: [minifyStyles()],
        build: {
          ...library,
          outDir: resolve(root, 'dist/script'),
          lib: {
            entry: resolve(root, 'src/accura-id-liveness.ts'),
            formats: ['iife'],
            name: 'AccuraIdLiveness',
            fileName: () => 'accura-id-liveness.standalone.min.js',
          },
        },
      };
    case 'react':
      return {
        define: workerDefine,
        plugins: [minifyStyles()],
        build: {
          ...library,
          lib: { entry: { react: resolve(root, 'src/react.ts') }, formats: ['es'] },
          // The element comes from the package's own entry, so an app holds one copy of it.
          rollupOptions: {
            external: [/^lit($|\/)/, /^@lit\//, /^react($|\/)/, /\/accura-id-liveness\.ts$/],
            output: { paths: (id) => (id.endsWith('accura-id-liveness.ts') ? './accura-id-liveness.js' : id) },
          },
        },
      };
    case 'server':
      return {
        build: {
          ...library,
          target: 'node20',
          ssr: true,
          lib: {
            entry: { server: resolve(root, 'src/server/index.ts'), 'server-node': resolve(root, 'src/server/node.ts') },
            formats: ['es'],
          },
          rollupOptions: { external: [/^hono($|\/)/, /^jose($|\/)/, /^prom-client($|\/)/, /^node:/] },
        },
      };
    case 'worker':
      return {
        build: {
          ...library,
          lib: {
            entry: resolve(root, 'src/image/worker/prepare.worker.ts'),
            formats: ['iife'],
            name: 'AccuraIdLivenessWorker',
            fileName: () => WORKER_FILE,
          },
        },
      };
    case 'demo':
      return {
        root: resolve(root, 'demo'),
        define: workerDefine,
        resolve: { alias: frameworkAliases },
        build: {
          outDir: resolve(root, 'dist-demo'),
          emptyOutDir: true,
          target: 'es2022',
          rollupOptions: {
            input: ['index.html', 'react/index.html', 'vue/index.html', 'angular/index.html'].map((page) => resolve(root, 'demo', page)),
          },
        },
        plugins: [
          {
            name: 'copy-worker',
            closeBundle() {
              mkdirSync(resolve(root, 'dist-demo/assets'), { recursive: true });
              copyFileSync(resolve(root, 'dist', WORKER_FILE), resolve(root, 'dist-demo/assets', WORKER_FILE));
              // The handoff phone page (served by the demo backend at /m/<secret>) and plain.html load the classic
              // build: its folder (the loader, its chunks/ and the worker) is copied whole, as a host would.
              cpSync(resolve(root, 'dist/script'), resolve(root, 'dist-demo'), {
                recursive: true,
                filter: (from) => !from.endsWith('.standalone.min.js'),
              });
            },
          },
        ],
      };
    default:
      return {
        root: resolve(root, 'demo'),
        resolve: { alias: frameworkAliases },
        server: { host: '127.0.0.1', port: 5173 },
        // Pre-bundled up front, so the first visit doesn't reload the page mid-way.
        optimizeDeps: {
          include: [
            'lit',
            'lit/decorators.js',
            'react',
            'react-dom/client',
            'react/jsx-dev-runtime',
            '@lit/react',
            'vue',
            '@angular/compiler',
            '@angular/core',
            '@angular/platform-browser',
          ],
        },
        plugins: [livenessServerPlugin()],
      };
  }
});
