/**
 * The plugin as the WordPress.org directory's review sees it: PHP_CodeSniffer with the `WordPress`
 * standard and Plugin Check's plugin-review.xml (the versions Plugin Check pins, kept in
 * ../shared/tools/phpcs/ because they are neither on npm nor in Debian), run on the zip's contents;
 * Plugin Check's readme checks, as its Plugin_Readme_Check applies them; and what the zip must carry
 * for Guideline 4 (readable sources) and the bundled libraries' licences.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { unzipSync } from 'fflate';
import { aptInstall } from '../../scripts/apt.mjs';
import { BUNDLED_LICENSES, PLUGIN_SLUG } from '../../scripts/wordpress-zip.mjs';
import { VERSIONS, phpHas } from '../support/wordpress.ts';

const root = new URL('../../', import.meta.url).pathname;
const STAGED = join(root, 'dist/wordpress', PLUGIN_SLUG);
const ZIP = join(root, `dist/${PLUGIN_SLUG}.zip`);
const PHPCS = join(root, '../shared/tools/phpcs/run');
const execFileAsync = promisify(execFile);

/** The headers of the main plugin file. */
function pluginHeaders(): Record<string, string> {
  const text = readFileSync(join(STAGED, `${PLUGIN_SLUG}.php`), 'utf8');
  return Object.fromEntries([...text.matchAll(/^ \* ([A-Za-z ]+?):\s+(.+)$/gm)].map(([, name, value]) => [name, value.trim()]));
}

/** readme.txt as the directory's parser reads it: name, headers, short description, sections. */
function parseReadme(text: string) {
  const lines = text.split(/\r?\n/);
  const name = /^===\s*(.+?)\s*===$/.exec(lines[0])?.[1] ?? '';
  const headers: Record<string, string> = {};
  let index = 1;
  for (; index < lines.length && lines[index].trim() !== ''; index++) {
    const [, key, value] = /^([^:]+):\s*(.*)$/.exec(lines[index]) ?? [];
    if (key) headers[key.trim().toLowerCase()] = value.trim();
  }
  const rest = lines.slice(index).join('\n');
  const shortDescription = rest.split(/^==/m)[0].trim();
  const sections = Object.fromEntries(
    [...rest.matchAll(/^==\s*(.+?)\s*==\s*\n([\s\S]*?)(?=^==[^=]|(?![\s\S]))/gm)].map(([, title, body]) => [title.toLowerCase(), body]),
  );
  return { name, headers, shortDescription, sections };
}

/** Words as the parser's trim_length counts them. */
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

test(
  "PHP_CodeSniffer: the WordPress standard and Plugin Check's plugin-review.xml find no error or warning",
  { skip: !existsSync(PHPCS) && `${PHPCS} is missing: the directory's checkers are not on npm or in Debian (see its README)` },
  async () => {
    // On a fresh machine this file runs before plugin.test.ts has installed PHP at all.
    const missing = (
      [
        ['json', 'php-cli'],
        ['xml', 'php-xml'],
        ['mbstring', 'php-mbstring'],
      ] as const
    )
      .filter(([extension]) => !phpHas(extension))
      .map(([, pkg]) => pkg);
    if (missing.length > 0) aptInstall(missing, 'PHP_CodeSniffer and its tokenizer');
    const options = [
      '-s',
      '--extensions=php',
      '--report=full',
      '--runtime-set',
      'text_domain',
      PLUGIN_SLUG,
      '--runtime-set',
      'prefixes',
      'accura_idl',
      '--runtime-set',
      'minimum_wp_version',
      '6.1',
    ];
    const review = execFileSync(PHPCS, ['--ruleset', 'plugin-review'], { encoding: 'utf8' }).trim();
    const results = await Promise.all(
      [
        ['WordPress', 'WordPress'],
        ['plugin-review.xml', review],
      ].map(async ([label, standard]) => {
        // phpcs exits 1 or 2 when it finds something: its report is the message.
        const output = await execFileAsync(PHPCS, [`--standard=${standard}`, ...options, STAGED]).then(
          ({ stdout }) => stdout,
          (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
        );
        return [label, output] as const;
      }),
    );
    for (const [label, output] of results) assert.equal(output.trim(), '', `${label}:\n${output}`);
    // Each remaining ignore annotation says why.
    const php = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? entry.name === 'source'
            ? []
            : php(join(dir, entry.name))
          : entry.name.endsWith('.php')
            ? [join(dir, entry.name)]
            : [],
      );
    for (const file of php(STAGED)) {
      for (const line of readFileSync(file, 'utf8')
        .split('\n')
        .filter((text) => /phpcs:(ignore|disable)/.test(text)))
        assert.match(line, /phpcs:(ignore|disable) \S+ -- \S/, `${file}: ${line.trim()}`);
    }
  },
);

test("readme.txt passes Plugin Check's readme checks and says what the directory asks", () => {
  const readme = parseReadme(readFileSync(join(STAGED, 'readme.txt'), 'utf8'));
  const header = pluginHeaders();
  assert.equal(readme.name, header['Plugin Name'], 'invalid_plugin_name / mismatched_plugin_name');
  assert.ok(!/^accura\b/i.test(readme.name), 'Guideline 17: the name does not lead with the brand');
  assert.ok(!PLUGIN_SLUG.startsWith('accura'), 'nor the slug');
  assert.equal(header['Text Domain'], PLUGIN_SLUG);
  for (const field of ['contributors', 'tested up to', 'requires at least', 'requires php', 'stable tag', 'license'])
    assert.ok(readme.headers[field], `missing_readme_header: ${field}`);
  // The newest WordPress the tests run (test/support/wordpress.ts), as major.minor.
  const newest = VERSIONS.at(-1)!;
  assert.equal(readme.headers['tested up to'], newest, 'Tested up to: the newest version the suite runs');
  assert.equal(readme.headers['requires at least'], header['Requires at least']);
  assert.equal(readme.headers['requires php'], header['Requires PHP']);
  assert.match(readme.headers['requires php'], /^\d+\.\d+(\.\d+)?$/, 'requires_php_header_ignored');
  assert.notEqual(readme.headers['stable tag'], 'trunk', 'trunk_stable_tag');
  assert.equal(readme.headers['stable tag'], header.Version, 'stable_tag_mismatch');
  assert.equal(readme.headers.license, header.License, 'license_mismatch');
  assert.ok(['MIT', 'GPL-2.0-or-later', 'GPLv2 or later'].includes(readme.headers.license), 'a valid SPDX identifier, GPL-compatible');
  for (const name of readme.headers.contributors.split(',').map((user) => user.trim()))
    assert.match(name, /^[a-z0-9_.\-@ ]+$/i, 'readme_invalid_contributors');
  const tags = readme.headers.tags.split(',').map((tag) => tag.trim());
  assert.ok(tags.length <= 5, 'too_many_tags');
  assert.ok(!tags.some((tag) => ['plugin', 'wordpress', 'tag1'].includes(tag)), 'ignored_tags / default_readme_text');
  assert.ok(
    readme.shortDescription.length > 0 && readme.shortDescription.length <= 150,
    `trimmed_short_description: ${readme.shortDescription.length} characters`,
  );
  // Headings the parser doesn't know are appended to Description, whose limit is 2,500 words.
  const known = ['description', 'installation', 'frequently asked questions', 'screenshots', 'changelog', 'upgrade notice'];
  const description = Object.entries(readme.sections)
    .filter(([title]) => title === 'description' || !known.includes(title))
    .map(([, body]) => body)
    .join('\n');
  assert.ok(words(description) < 2500, `trimmed_section_description: ${words(description)} words`);
  for (const section of ['frequently asked questions', 'changelog']) assert.ok(words(readme.sections[section] ?? '') < 5000, section);
  for (const notice of (readme.sections['upgrade notice'] ?? '').split(/^=.*=$/m))
    assert.ok(notice.trim().length <= 300, 'upgrade_notice_limit');
  // Guideline 6 (external services), privacy and Guideline 4 (source code).
  for (const section of ['external services', 'privacy', 'source code']) assert.ok(readme.sections[section], `a "${section}" section`);
  const services = readme.sections['external services'];
  for (const said of ['api.accurascan.com', 'photo', 'country code', 'card code', 'API key', 'terms', 'privacy policy'])
    assert.ok(services.includes(said), `External services names "${said}"`);
  assert.match(services, /https:\/\/\S+terms\S*/);
  assert.match(services, /https:\/\/\S+privacy\S*/);
});

test('the zip carries the readable sources of its built scripts and the licence of each bundled library', () => {
  const entries = unzipSync(readFileSync(ZIP));
  const names = Object.keys(entries);
  assert.ok(
    names.every((name) => name.startsWith(`${PLUGIN_SLUG}/`)),
    'one top folder, named by the slug',
  );
  for (const file of [
    'source/README.md',
    'source/package.json',
    'source/package-lock.json',
    'source/vite.config.ts',
    'source/src/accura-id-liveness.ts',
    'assets/token.js',
  ]) {
    assert.ok(names.includes(`${PLUGIN_SLUG}/${file}`), file);
  }
  assert.ok(!names.some((name) => name.includes('/source/src/server/')), 'not the Node server: the plugin has its own proxy');
  const readme = new TextDecoder().decode(entries[`${PLUGIN_SLUG}/readme.txt`]);
  const bundle = new TextDecoder().decode(entries[`${PLUGIN_SLUG}/assets/accura-id-liveness.min.js`]);
  for (const [library, [, spdx]] of Object.entries(BUNDLED_LICENSES)) {
    const licence = new TextDecoder().decode(entries[`${PLUGIN_SLUG}/licenses/${library}.txt`]);
    assert.match(
      licence,
      spdx === 'MIT' ? /Permission is hereby granted, free of charge/ : /Redistribution and use in source and binary forms/,
      library,
    );
    assert.match(readme, new RegExp(`${library.replace('-', '\\-')}[^\\n]*${spdx}`, 'i'), `the readme lists ${library} (${spdx})`);
  }
  // Lit really is in the bundle: its version marker survives minification.
  assert.match(bundle, /litHtmlVersions/);
});
