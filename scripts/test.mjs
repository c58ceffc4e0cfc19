// `npm test`: every check, in order. Every step runs even when one before it failed, so one run says
// everything at once; the summary gives each step's result and time, every failure, and what the
// installs cost; the exit code is non-zero when any step failed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EARLY_STOP } from '../test/support/early-stop-reporter.mjs';
import { readInstalls } from './install-times.mjs';

// Node 20's test runner doesn't glob .ts files: list them.
const nodeTests = (dir, ext = '.test.ts') =>
  readdirSync(dir)
    .filter((name) => name.endsWith(ext))
    .map((name) => `${dir}/${name}`);

// Faults outside our code earn a browser step one more run, printed and counted; a test failure never does.
// WebKitGTK's web process can crash under load ("session deleted because of page crash or hang", seen once in a
// clean-clone run). And Web Test Runner once exited 1 with no word at 5 of 30 WebKit files: its early-stop line
// (test/support/early-stop-reporter.mjs) now says so, and earns the retry only when no test had failed.
const WEBKIT_CRASH = /page crash or hang|web ?process (?:crashed|terminated)/i;
const RUN_STOPPED = new RegExp(`${EARLY_STOP}.*no test failed`);
const BROWSER_FAULTS = new RegExp(`${WEBKIT_CRASH.source}|${RUN_STOPPED.source}`, 'i');

const steps = [
  ['browsers', 'node', ['scripts/ensure-browsers.mjs']],
  ['types', 'npx', ['tsc', '--noEmit', '-p', '.']],
  // typescript-eslint, Lit and web-component rules, and the layout's import boundaries (eslint.config.js).
  ['lint', 'npm', ['run', '--silent', 'lint']],
  ['server', 'node', ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests('test/server')]],
  // Pure rules in Node: the corner detector's accuracy floors on seeded scenes (`npm run bench:corners` has the full
  // table) and the lossless JPEG turn against jpegtran.
  ['corner detector and JPEG turn (Node)', 'node', ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests('test/node')]],
  ['build', 'node', ['scripts/build.mjs']],
  ['bundle budgets', 'node', ['scripts/size.mjs']],
  // Every relative link and anchor in the README and docs/ resolves; docs/api.md matches the manifest the build wrote.
  ['docs', 'node', ['scripts/check-docs.mjs']],
  // One run per engine, so each engine's time is printed and a failure names its engine.
  ['browser tests in Chromium', 'npx', ['wtr'], { ENGINES: 'chromium' }, { retryOn: RUN_STOPPED }],
  ['browser tests in Firefox', 'npx', ['wtr'], { ENGINES: 'firefox' }, { retryOn: RUN_STOPPED }],
  ['browser tests in WebKit', 'npx', ['wtr'], { ENGINES: 'webkit' }, { retryOn: BROWSER_FAULTS }],
  ['demo and framework apps end to end', 'node', ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests('test/e2e')]],
  // Plain node, no tsx: the package name must resolve through its exports map to dist/.
  ['the built package in Node (SSR)', 'node', ['--test', '--test-reporter=spec', ...nodeTests('test/e2e', '.test.mjs')]],
  // WordPress 6.1 (Debian 12) and 6.8 (Debian 13's package, downloaded into a cache) on Apache mod_php, Apache PHP-FPM,
  // nginx PHP-FPM (php -S on request: WP_MATRIX); installs the Debian packages when missing; the directory's checkers (skipped
  // without ../shared/tools/phpcs). Needs the zip from the build step.
  [
    'the WordPress plugin in real WordPress sites',
    'node',
    ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests('test/wordpress')],
  ],
  // The packed tarball in pinned Vite, webpack, Next.js, Parcel, esbuild and Angular apps; dist/ was just built.
  [
    'bundler matrix',
    'node',
    ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/bundlers/matrix.test.ts'],
    { BUNDLERS_SKIP_BUILD: '1' },
  ],
  // The docs' server snippets (docs/server-runtimes.md) from the packed tarball on Node, Deno, Bun, Workers
  // (wrangler under Node 22 from npm) and Next.js (Node and Edge routes), each installed from npm on first run.
  [
    'server runtimes',
    'node',
    ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/runtimes/runtimes.test.ts'],
    { BUNDLERS_SKIP_BUILD: '1' },
  ],
];

/**
 * A failed step's own account of why: node:test's "failing tests" section; else each of Web Test Runner's ❌ blocks
 * (printed as each file ends, so far above the tail) with its file, then the output's last lines.
 */
function failureExcerpt(output) {
  const section = output.lastIndexOf('✖ failing tests:');
  const text = section >= 0 ? output.slice(section) : [...browserFailures(output), output.split('\n').slice(-60).join('\n')].join('\n\n');
  const MAX = 12_000;
  return text.length > MAX ? `${text.slice(0, MAX)}\n… (${text.length - MAX} more characters above, in the step's output)` : text;
}

/** Web Test Runner's failed tests: the file line above each ❌ and the indented error lines under it. */
function browserFailures(output) {
  // eslint-disable-next-line no-control-regex -- the progress bar's cursor moves
  const lines = output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\n');
  const blocks = [];
  lines.forEach((line, index) => {
    if (!line.includes('❌')) return;
    let file = index;
    while (file > 0 && !/^\S.*\.(?:test\.[tj]s|html):\s*$/.test(lines[file])) file -= 1;
    let end = index + 1;
    while (
      end < lines.length &&
      end - index < 40 &&
      (lines[end].startsWith('  ') || lines[end].trim() === '') &&
      !lines[end].includes('❌')
    )
      end += 1;
    blocks.push([file < index ? lines[file] : '', ...lines.slice(index, end)].join('\n').trimEnd());
  });
  return blocks;
}

/** Runs one command; its output reaches the terminal through pipes and is also kept, to be searched afterwards. */
function runStep(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['inherit', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk) => (process.stdout.write(chunk), (output += chunk)));
    child.stderr.on('data', (chunk) => (process.stderr.write(chunk), (output += chunk)));
    child.once('error', (error) => resolve({ status: 127, output: String(error) }));
    child.once('close', (code, signal) => resolve({ status: code ?? (signal ? `signal ${signal}` : 1), output }));
  });
}

// Support modules append each install's time here (scripts/install-times.mjs).
const logDir = mkdtempSync(join(tmpdir(), 'accura-npm-test-'));
const installLog = join(logDir, 'installs.jsonl');
process.env.ACCURA_INSTALL_LOG = installLog;

const results = [];
const runStarted = Date.now();
for (const [name, command, args, env = {}, { retryOn } = {}] of steps) {
  const shownEnv = Object.entries(env)
    .map(([key, value]) => `${key}=${value} `)
    .join('');
  console.log(`\n▶ ${name}: ${shownEnv}${command} ${args.join(' ')}`);
  const started = Date.now();
  // Every step's output is kept, so a failure's own lines can be shown again at the end.
  let { status, output } = await runStep(command, args, env);
  const faults = [];
  // One more run, only for a known fault outside our code: a plain test failure is never retried.
  while (status !== 0 && retryOn?.test(output) && faults.length < 1) {
    const lines = output.split('\n').filter((line) => retryOn.test(line));
    faults.push(lines.join('\n'));
    console.log(
      `\n↻ ${name}: exit ${status} on a fault outside the tests, as reported:\n${lines.map((line) => `  ${line.trim()}`).join('\n')}\n  Running the step once more.`,
    );
    ({ status, output } = await runStep(command, args, env));
  }
  const passed = status === 0;
  results.push({ name, passed, status, seconds: (Date.now() - started) / 1000, faults, excerpt: passed ? '' : failureExcerpt(output) });
  console.log(passed ? `\n✔ ${name}` : `\n✖ ${name} failed (exit ${status}); going on with the other steps.`);
}

const installs = readInstalls(installLog);
rmSync(logDir, { recursive: true, force: true });
const failed = results.filter((result) => !result.passed);
const retried = results.filter((result) => result.faults.length > 0);

console.log('\nSummary (seconds per step):');
console.table(
  results.map(({ name, passed, status, seconds, faults }) => ({
    step: name,
    result: passed ? (faults.length ? `passed on run ${faults.length + 1}` : 'passed') : `FAILED (exit ${status})`,
    seconds: seconds.toFixed(1),
    // Runs again after a browser or runner fault: 0 on a clean run.
    retries: faults.length,
  })),
);
console.log(`Total: ${((Date.now() - runStarted) / 60_000).toFixed(1)} min.`);
// What a first run on a fresh machine pays once: later runs find everything installed.
if (installs.length) {
  console.log('\nInstalled during this run (a fresh machine pays this once):');
  console.table(installs.map(({ what, seconds }) => ({ install: what, seconds: seconds.toFixed(1) })));
  console.log(`Installs: ${(installs.reduce((sum, { seconds }) => sum + seconds, 0) / 60).toFixed(1)} min of the total.`);
} else {
  console.log('\nNothing was installed in this run (the browsers, Redis, WordPress and the bundler apps were already there).');
}
for (const { name, faults } of retried)
  console.log(
    `\n↻ ${name}: ${faults.length} fault${faults.length > 1 ? 's' : ''} outside the tests, each retried once:\n${faults.join('\n')}`,
  );
if (failed.length) {
  // Again at the end, where a log's tail is read: each failed step's failures as it reported them.
  for (const { name, excerpt } of failed) console.error(`\n✖ ${name}, as it reported its failures:\n${excerpt}`);
  console.error(`\n✖ ${failed.length} of ${results.length} steps failed:`);
  for (const { name, status } of failed) console.error(`  - ${name} (exit ${status})`);
  process.exit(1);
}
console.log(`\n✔ all ${results.length} steps passed${retried.length ? ', after the retries above' : ''}`);
