// Every relative link in the README, CONTRIBUTING.md and docs/ resolves: the file exists, and so does
// the heading an anchor names (GitHub's slugs). Run by `npm test`; external links are not fetched.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { apiPageIsCurrent } from './api-docs.mjs';

const root = new URL('..', import.meta.url).pathname;
const pages = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(root, 'docs'), { recursive: true })
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown) {
  const seen = new Map();
  const anchors = new Set();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const base = heading[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count ? `${base}-${count}` : base);
  }
  return anchors;
}

const problems = [];
for (const page of pages) {
  const text = readFileSync(join(root, page), 'utf8').replace(/```[^]*?```/g, '');
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^(https?:|mailto:)/.test(target)) continue;
    const [path, anchor] = target.split('#');
    const file = path ? join(root, dirname(page), decodeURIComponent(path)) : join(root, page);
    if (!existsSync(file)) {
      problems.push(`${page}: ${target} — no such file`);
      continue;
    }
    if (anchor && statSync(file).isFile() && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) {
      problems.push(`${page}: ${target} — no heading #${anchor} in ${relative(root, file)}`);
    }
  }
}
// The layout in CONTRIBUTING.md is drawn from the real tree: every folder of src/ is listed, every listed path exists.
const layout = /## Layout[^]*?```\n([^]*?)```/.exec(readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8'))?.[1] ?? '';
const listed = new Set(
  [...layout.matchAll(/(?:^|\s|;)((?:src|test|demo|scripts|integrations)\/[\w./-]*)/gm)].map(([, path]) => path.replace(/[,.]$/, '')),
);
for (const dir of readdirSync(join(root, 'src'), { recursive: true }).filter((f) => statSync(join(root, 'src', f)).isDirectory())) {
  if (!listed.has(`src/${dir}/`)) problems.push(`CONTRIBUTING.md: the layout doesn't list src/${dir}/`);
}
for (const path of listed)
  if (!existsSync(join(root, path))) problems.push(`CONTRIBUTING.md: the layout lists ${path}, which doesn't exist`);
const readmeLines = readFileSync(join(root, 'README.md'), 'utf8').split('\n').length;
if (readmeLines > 200) problems.push(`README.md has ${readmeLines} lines: keep the front page to 200 and move the rest to docs/`);
if (existsSync(join(root, 'custom-elements.json')) && !apiPageIsCurrent()) {
  problems.push('docs/api.md is stale: run npm run build (it regenerates the page from custom-elements.json) and commit it');
}
if (problems.length) {
  console.error(`Docs: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`Docs: ${pages.length} pages, every relative link and anchor resolves; README ${readmeLines} lines.`);
