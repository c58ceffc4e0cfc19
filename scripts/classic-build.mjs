/**
 * The classic <script> build, in dist/script/ (the folder a host copies):
 * - accura-id-liveness.min.js, the loader: lit, the element and the parser, defining the tag at once;
 * - chunks/, the same lazy chunks as the module build (pipeline, camera, handoff, locales), ES modules
 *   the loader fetches with import() from beside itself, as it finds the worker;
 * - accura-id-liveness.worker.js, copied from the worker build.
 *
 * Rollup, not Vite's Rolldown: Rollup keeps a module the loader already holds inside the loader, and the
 * chunks import it from there. Those imports are then rewritten to read one registry object the loader
 * publishes (a classic script has no exports), keyed by a hash of the sources, so two copies of one
 * version share the first copy's lit and element, and two versions never mix.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import nodeResolve from '@rollup/plugin-node-resolve';
import { transform } from 'esbuild';
import { rollup } from 'rollup';
import { minifyStyles } from './minify-styles.mjs';

export const LOADER_FILE = 'accura-id-liveness.min.js';
export const WORKER_FILE = 'accura-id-liveness.worker.js';

/** `tsconfig.json`'s options that change emitted code (decorators, class fields). */
const tsconfigRaw = { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } };

/** TypeScript to JavaScript, and the two values Vite's `define` gives the other builds. */
function typescript() {
  return {
    name: 'typescript',
    async transform(code, id) {
      if (!id.endsWith('.ts')) return null;
      const define = { __ACCURA_WORKER_FILE__: JSON.stringify(WORKER_FILE), 'import.meta.url': 'undefined' };
      const result = await transform(code, { loader: 'ts', target: 'es2022', tsconfigRaw, define, sourcefile: id });
      return { code: result.code, map: null };
    },
  };
}

/**
 * Turns Rollup's ES output into a classic loader plus chunks that read the loader's registry,
 * then minifies each file.
 */
function classicLoader() {
  let key = '';
  return {
    name: 'classic-loader',
    renderStart() {
      const sources = createHash('sha256');
      for (const id of [...this.getModuleIds()].sort())
        sources.update(id.replace(/^.*?\/(src|node_modules)\//, '$1/')).update(this.getModuleInfo(id)?.code ?? '');
      key = `accura-id-liveness/${sources.digest('hex').slice(0, 12)}`;
    },
    // The loader's own dynamic imports resolve against its URL, read while it first runs.
    renderDynamicImport({ chunk }) {
      return chunk.isEntry ? { left: 'import(new URL(', right: ', __accuraScriptBase).href)' } : null;
    },
    async renderChunk(code, chunk) {
      const registry = `globalThis[Symbol.for(${JSON.stringify(key)})]`;
      if (chunk.isEntry) {
        if (chunk.imports.length)
          throw new Error(`classic loader: the entry imports ${chunk.imports.join(', ')}; it must hold every module it needs`);
        const exported = /\nexport \{([^}]*)\};\s*$/.exec(code);
        const pairs = exported ? exported[1].split(',').map((part) => part.trim().split(/\s+as\s+/)) : [];
        const body = exported ? code.slice(0, exported.index) : code;
        const publish = pairs.length
          ? `\n${registry} ??= { ${pairs.map(([local, name = local]) => `${JSON.stringify(name)}: ${local}`).join(', ')} };\n`
          : '';
        const script = `const __accuraScriptBase = document.currentScript?.src || document.baseURI;\n${body}${publish}`;
        if (/\bimport\.meta\b|^\s*(import|export)\s/m.test(script))
          throw new Error('classic loader: module syntax left in the classic script');
        return { code: (await transform(script, { minify: true, format: 'iife', target: 'es2022' })).code, map: null };
      }
      const fromLoader = new RegExp(`import \\{([^}]*)\\} from '(?:\\.\\.?/)+${LOADER_FILE.replaceAll('.', '\\.')}';`, 'g');
      const rewritten = code
        .replace(
          fromLoader,
          (_, names) =>
            `const { ${names
              .split(',')
              .map((part) => part.trim().replace(/\s+as\s+/, ': '))
              .join(', ')} } = ${registry};`,
        )
        .replace(new RegExp(`import '(?:\\.\\.?/)+${LOADER_FILE.replaceAll('.', '\\.')}';\\n`, 'g'), '');
      if (rewritten.includes(LOADER_FILE))
        throw new Error(`classic loader: ${chunk.fileName} still imports the loader in a form this build doesn't rewrite`);
      return { code: (await transform(rewritten, { minify: true, format: 'esm', target: 'es2022' })).code, map: null };
    },
  };
}

/**
 * Builds dist/script/ from src/classic.ts. Needs the worker built first (dist/accura-id-liveness.worker.js).
 * @param {string} root The repository root, ending in '/'.
 * @returns {Promise<string[]>} The files written, relative to dist/script/.
 */
export async function buildClassicScript(root) {
  const out = join(root, 'dist/script');
  rmSync(join(out, 'chunks'), { recursive: true, force: true });
  const bundle = await rollup({
    input: join(root, 'src/classic.ts'),
    plugins: [
      minifyStyles(),
      typescript(),
      nodeResolve({ browser: true, exportConditions: ['production'], extensions: ['.ts', '.mjs', '.js'] }),
    ],
    onwarn(warning, warn) {
      if (warning.code !== 'CIRCULAR_DEPENDENCY') warn(warning);
    },
  });
  const { output } = await bundle.generate({
    format: 'es',
    entryFileNames: LOADER_FILE,
    chunkFileNames: 'chunks/[name]-[hash].js',
    minifyInternalExports: true,
    plugins: [classicLoader()],
  });
  await bundle.close();
  const written = [];
  for (const file of output) {
    if (file.type !== 'chunk') continue;
    mkdirSync(dirname(join(out, file.fileName)), { recursive: true });
    writeFileSync(join(out, file.fileName), file.code);
    written.push(file.fileName);
  }
  copyFileSync(join(root, 'dist', WORKER_FILE), join(out, WORKER_FILE));
  written.push(WORKER_FILE);
  return written;
}
