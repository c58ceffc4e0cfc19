// Packs the WordPress plugin: integrations/wordpress/<slug> with the built classic script's folder (the
// loader, its chunks/ and the worker) and the SRI hashes of every script in assets/, the readable sources they
// are built from in source/, and the licences of the libraries bundled into them in licenses/, as dist/<slug>.zip.
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';

/** The plugin folder's name, which is also its slug, its text domain and the zip's top folder. */
export const PLUGIN_SLUG = 'id-liveness-check-for-accura-scan';
/** The built files the plugin serves from assets/. */
export const PLUGIN_ASSETS = ['accura-id-liveness.min.js', 'accura-id-liveness.worker.js'];
/** The libraries bundled into the built scripts, and the licence file each ships (Lit's parts share one licence). */
export const BUNDLED_LICENSES = { lit: ['node_modules/lit/LICENSE', 'BSD-3-Clause'], 'lean-qr': ['node_modules/lean-qr/LICENSE', 'MIT'] };
/** What source/ holds: the widget's sources and the build that makes the assets (not the Node server). */
const SOURCES = [
  'src',
  'package.json',
  'package-lock.json',
  'vite.config.ts',
  'scripts/classic-build.mjs',
  'tsconfig.json',
  'tsconfig.build.json',
];
/** The loader fetches its lazy chunks from assets/chunks/, beside itself: shipped whole. */
const SCRIPT_DIR = 'dist/script';

/** Every file under `dir`, as paths relative to `base`. */
function filesUnder(dir, base = dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, base) : [relative(base, path)];
  });
}

const sha384 = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

/**
 * Stages the plugin in dist/wordpress/ and zips it. Needs dist/ built first.
 * @param {string} root The repository root, ending in '/'.
 * @returns {{ zip: string, staged: string, bytes: number, hashes: Record<string, string> }}
 */
export function buildWordPressZip(root) {
  const staged = `${root}dist/wordpress/${PLUGIN_SLUG}`;
  rmSync(`${root}dist/wordpress`, { recursive: true, force: true });
  cpSync(`${root}integrations/wordpress/${PLUGIN_SLUG}`, staged, { recursive: true });
  // Every file the loader needs; the single-file build stays out (the plugin serves the split one).
  cpSync(`${root}${SCRIPT_DIR}`, `${staged}/assets`, { recursive: true, filter: (from) => !from.endsWith('.standalone.min.js') });
  // Every script the plugin serves gets a hash: the built ones and the token script.
  const hashes = Object.fromEntries(
    readdirSync(`${staged}/assets`)
      .filter((file) => file.endsWith('.js'))
      .sort()
      .map((file) => [file, sha384(readFileSync(`${staged}/assets/${file}`))]),
  );
  // Arrows aligned, as the WordPress coding standard asks.
  const width = Math.max(...Object.keys(hashes).map((file) => file.length));
  const lines = Object.entries(hashes).map(([file, hash]) => `\t'${file}'${' '.repeat(width - file.length)} => '${hash}',`);
  writeFileSync(
    `${staged}/assets/integrity.php`,
    `<?php\n/**\n * Subresource Integrity hashes of the plugin's scripts, written by npm run build.\n *\n * @package IdLivenessCheck\n */\n\nreturn array(\n${lines.join('\n')}\n);\n`,
  );

  // Guideline 4: the minified scripts' readable sources, and how to build them again.
  for (const path of SOURCES)
    cpSync(`${root}${path}`, `${staged}/source/${path}`, { recursive: true, filter: (from) => !from.startsWith(`${root}src/server`) });
  writeFileSync(
    `${staged}/source/README.md`,
    [
      '# Sources of the built scripts',
      '',
      '`assets/accura-id-liveness.min.js` and `assets/accura-id-liveness.worker.js` are built from these TypeScript sources',
      'with Vite (Node 20 or later):',
      '',
      '    npm ci',
      '    npx vite build --mode worker && npx vite build --mode iife',
      '',
      'The files appear in `dist/`. `npm run build` builds every distributable of the package, this plugin included.',
      'The bundled libraries and their licences are listed in `../licenses/`.',
      '',
    ].join('\n'),
  );
  mkdirSync(`${staged}/licenses`);
  for (const [name, [file, spdx]] of Object.entries(BUNDLED_LICENSES)) {
    const version = JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')).version;
    writeFileSync(
      `${staged}/licenses/${name}.txt`,
      `${name} ${version} (${spdx}), bundled into assets/accura-id-liveness.min.js.\n\n${readFileSync(`${root}${file}`, 'utf8')}`,
    );
  }

  // A fixed date keeps the zip byte-identical between builds of the same sources.
  const mtime = new Date('2026-01-01T00:00:00Z');
  const entries = Object.fromEntries(
    filesUnder(staged).map((file) => [`${PLUGIN_SLUG}/${file.split('\\').join('/')}`, [readFileSync(join(staged, file)), { mtime }]]),
  );
  const zip = `${root}dist/${PLUGIN_SLUG}.zip`;
  const bytes = zipSync(entries, { level: 9 });
  writeFileSync(zip, bytes);
  return { zip, staged, bytes: bytes.length, hashes };
}
