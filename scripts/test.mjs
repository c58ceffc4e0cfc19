// `npm test`: every check, in order, stopping at the first failure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

// Node 20's test runner doesn't glob .ts files: list them.
const nodeTests = (dir, ext = '.test.ts') => readdirSync(dir).filter((name) => name.endsWith(ext)).map((name) => `${dir}/${name}`);

const steps = [
  ['browsers', 'node', ['scripts/ensure-browsers.mjs']],
  ['types', 'npx', ['tsc', '--noEmit', '-p', '.']],
  ['server', 'node', ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests('test/server')]],
  ['build', 'node', ['scripts/build.mjs']],
  ['bundle budgets', 'node', ['scripts/size.mjs']],
  // One run per engine, so each engine's time is printed and a failure names its engine.
  ['browser tests in Chromium', 'npx', ['wtr'], { ENGINES: 'chromium' }],
  ['browser tests in Firefox', 'npx', ['wtr'], { ENGINES: 'firefox' }],
  ['browser tests in WebKit', 'npx', ['wtr'], { ENGINES: 'webkit' }],
  ['demo and framework apps end to end', 'node', ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests('test/e2e')]],
  // Plain node, no tsx: the package name must resolve through its exports map to dist/.
  ['the built package in Node (SSR)', 'node', ['--test', '--test-reporter=spec', ...nodeTests('test/e2e', '.test.mjs')]],
];

const times = [];
for (const [name, command, args, env = {}] of steps) {
  const shownEnv = Object.entries(env).map(([key, value]) => `${key}=${value} `).join('');
  console.log(`\n▶ ${name}: ${shownEnv}${command} ${args.join(' ')}`);
  const start = performance.now();
  const { status } = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  times.push({ step: name, seconds: Math.round((performance.now() - start) / 100) / 10 });
  if (status !== 0) {
    console.error(`\n✖ ${name} failed (exit ${status}).`);
    process.exit(status ?? 1);
  }
}
console.log('\n✔ all tests passed');
console.table(times);
