// `npm test`: every check, in order, stopping at the first failure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

// Node 20's test runner doesn't glob .ts files: list them.
const nodeTests = (dir, ext = '.test.ts') => readdirSync(dir).filter((name) => name.endsWith(ext)).map((name) => `${dir}/${name}`);

const steps = [
  ['browsers', 'node', ['scripts/ensure-browsers.mjs']],
  ['types', 'npx', ['tsc', '--noEmit', '-p', '.']],
  // typescript-eslint, Lit and web-component rules, and the layout's import boundaries (eslint.config.js).
  ['lint', 'npx', ['eslint', '.']],
  ['server', 'node', ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests('test/server')]],
  // The document corner detector's accuracy floor, in Node on seeded scenes (`npm run bench:corners` has the full table).
  ['corner detector (Node)', 'node', ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests('test/node')]],
  ['build', 'node', ['scripts/build.mjs']],
  ['bundle budgets', 'node', ['scripts/size.mjs']],
  // Every relative link and anchor in the README and docs/ resolves; docs/api.md matches the manifest the build wrote.
  ['docs', 'node', ['scripts/check-docs.mjs']],
  // One run per engine, so each engine's time is printed and a failure names its engine.
  ['browser tests in Chromium', 'npx', ['wtr'], { ENGINES: 'chromium' }],
  ['browser tests in Firefox', 'npx', ['wtr'], { ENGINES: 'firefox' }],
  // WebKitGTK's web process can crash under load ("session deleted because of page crash or hang", seen
  // once in a clean-clone run): the step gets one more run, said out loud; a second failure fails npm test.
  ['browser tests in WebKit', 'npx', ['wtr'], { ENGINES: 'webkit' }, { runs: 2 }],
  ['demo and framework apps end to end', 'node', ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests('test/e2e')]],
  // Plain node, no tsx: the package name must resolve through its exports map to dist/.
  ['the built package in Node (SSR)', 'node', ['--test', '--test-reporter=spec', ...nodeTests('test/e2e', '.test.mjs')]],
  // Installs Debian's wordpress, php-mysql and mariadb-server when missing; needs the zip from the build step.
  ['the WordPress plugin in a real WordPress', 'node', ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests('test/wordpress')]],
  // The packed tarball in pinned Vite, webpack, Next.js, Parcel, esbuild and Angular apps; dist/ was just built.
  ['bundler matrix', 'node', ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/bundlers/matrix.test.ts'], { BUNDLERS_SKIP_BUILD: '1' }],
];

// Time per step, printed at the end (and on a failure), so a slow part shows where it is.
const timings = [];
const printTimings = () => console.table(timings.map(([step, ms]) => ({ step, seconds: (ms / 1000).toFixed(1) })));
for (const [name, command, args, env = {}, { runs = 1 } = {}] of steps) {
  const shownEnv = Object.entries(env).map(([key, value]) => `${key}=${value} `).join('');
  console.log(`\n▶ ${name}: ${shownEnv}${command} ${args.join(' ')}`);
  const started = Date.now();
  let { status } = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  for (let run = 2; status !== 0 && run <= runs; run++) {
    console.log(`\n↻ ${name} failed (exit ${status}); running it again (run ${run} of ${runs}).`);
    ({ status } = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } }));
  }
  timings.push([name, Date.now() - started]);
  if (status !== 0) {
    console.error(`\n✖ ${name} failed (exit ${status}).`);
    printTimings();
    process.exit(status ?? 1);
  }
}
printTimings();
console.log('\n✔ all tests passed');
