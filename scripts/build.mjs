// Builds every distributable in order (the worker first: the demo copies it), then the types,
// the custom-elements manifest, the WordPress plugin zip, and prints SRI hashes for the files a CMS page would embed.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'vite';
import { writeApiPage } from './api-docs.mjs';
import { buildClassicScript } from './classic-build.mjs';
import { buildWordPressZip } from './wordpress-zip.mjs';

const root = new URL('..', import.meta.url).pathname;
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
for (const mode of ['worker', 'esm', 'iife', 'react', 'server', 'classic', 'demo']) {
  // The classic script's loader and chunks (dist/script/), before the demo, which copies them.
  if (mode === 'classic') await buildClassicScript(root);
  else await build({ configFile: `${root}vite.config.ts`, mode, logLevel: 'warn' });
}
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
// Declarations keep the sources' `.ts` specifiers: point them at the emitted `.js`/`.d.ts` names.
for (const file of readdirSync(`${root}dist/types`, { recursive: true })) {
  if (!file.endsWith('.d.ts')) continue;
  const path = `${root}dist/types/${file}`;
  writeFileSync(path, readFileSync(path, 'utf8').replace(/((?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1.js$2'));
}
execFileSync(
  'npx',
  ['custom-elements-manifest', 'analyze', '--litelement', '--globs', 'src/element/accura-id-liveness.element.ts', '--outdir', '.'],
  {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
writeApiPage();

// The plugin zip computes the SRI hashes it ships; the same ones are printed for hand-made pages.
const plugin = buildWordPressZip(root);

console.log(
  `Built dist/, dist-demo/, custom-elements.json and the WordPress plugin, ${plugin.zip.slice(root.length)} (${plugin.bytes} bytes).\n\nSubresource Integrity (sha384):`,
);
for (const [file, hash] of Object.entries(plugin.hashes)) console.log(`  ${file}  ${hash}`);
