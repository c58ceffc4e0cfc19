// `npm test`: every check, in order, stopping at the first failure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

// Node 20's test runner doesn't glob .ts files: list them.
const nodeTests = (dir, ext = '.test.ts') => readdirSync(dir).filter((name) => name.endsWith(ext)).map((name) => `${dir}/${name}`);

const steps = [
  ['browser', 'node', ['scripts/ensure-chrome.mjs']],
  ['types', 'npx', ['tsc', '--noEmit', '-p', '.']],
  ['server', 'node', ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests('test/server')]],
  // The document corner detector's accuracy floor, in Node on seeded scenes (`npm run bench:corners` has the full table).
  ['corner detector (Node)', 'node', ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests('test/node')]],
  ['build', 'node', ['scripts/build.mjs']],
  ['bundle budgets', 'node', ['scripts/size.mjs']],
  ['browser tests', 'npx', ['wtr']],
  ['demo and framework apps end to end', 'node', ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests('test/e2e')]],
  // Plain node, no tsx: the package name must resolve through its exports map to dist/.
  ['the built package in Node (SSR)', 'node', ['--test', '--test-reporter=spec', ...nodeTests('test/e2e', '.test.mjs')]],
];

for (const [name, command, args] of steps) {
  console.log(`\n▶ ${name}: ${command} ${args.join(' ')}`);
  const { status } = spawnSync(command, args, { stdio: 'inherit' });
  if (status !== 0) {
    console.error(`\n✖ ${name} failed (exit ${status}).`);
    process.exit(status ?? 1);
  }
}
console.log('\n✔ all tests passed');
