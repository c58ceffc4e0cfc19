// Packs the WordPress plugin: integrations/wordpress/accura-id-liveness with the built classic
// script's folder (the loader, its chunks/ and the worker) and their SRI hashes in assets/,
// as dist/accura-id-liveness-wordpress.zip.
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';

/** The plugin folder's name, which is also its slug and the zip's top folder. */
export const PLUGIN_SLUG = 'accura-id-liveness';
/** The built files the plugin enqueues from assets/, with an SRI hash each. */
export const PLUGIN_ASSETS = ['accura-id-liveness.min.js', 'accura-id-liveness.worker.js'];
/** The loader fetches its lazy chunks from assets/chunks/, beside itself: shipped whole. */
const SCRIPT_DIR = 'dist/script';

/** Every file under `dir`, as paths relative to `base`. */
function filesUnder(dir, base = dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, base) : [relative(base, path)];
  });
}

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
  const hashes = {};
  for (const file of PLUGIN_ASSETS) hashes[file] = `sha384-${createHash('sha384').update(readFileSync(`${root}${SCRIPT_DIR}/${file}`)).digest('base64')}`;
  const lines = Object.entries(hashes).map(([file, hash]) => `\t'${file}' => '${hash}',`);
  writeFileSync(
    `${staged}/assets/integrity.php`,
    `<?php\n/**\n * Subresource Integrity hashes of the built scripts, written by npm run build.\n *\n * @package AccuraIdLiveness\n */\n\nreturn array(\n${lines.join('\n')}\n);\n`,
  );
  // A fixed date keeps the zip byte-identical between builds of the same sources.
  const mtime = new Date('2026-01-01T00:00:00Z');
  const entries = Object.fromEntries(
    filesUnder(staged).map((file) => [`${PLUGIN_SLUG}/${file.split('\\').join('/')}`, [readFileSync(join(staged, file)), { mtime }]]),
  );
  const zip = `${root}dist/${PLUGIN_SLUG}-wordpress.zip`;
  const bytes = zipSync(entries, { level: 9 });
  writeFileSync(zip, bytes);
  return { zip, staged, bytes: bytes.length, hashes };
}
