// `npm run test:stress`: the whole of `npm test` while stress-ng keeps two CPU workers busy beside it,
// as on a shared or small CI machine. A test that only passes on an idle machine fails here.
// stress-ng is Debian's; installed when missing, said out loud; bounded in time and stopped by its pid.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { aptInstall } from './apt.mjs';

const WORKERS = 2;
// The hog's own bound, past any npm test (its budget is 30 min): it can't outlive a killed run for long.
const BOUND_SECONDS = 60 * 60;

const stressNg = () => ['/usr/bin/stress-ng', '/usr/local/bin/stress-ng'].find((path) => existsSync(path));
if (!stressNg()) aptInstall(['stress-ng'], 'npm run test:stress runs npm test beside a CPU hog', { recommends: false });
const path = stressNg();
if (!path) throw new Error('stress-ng was installed but not found in /usr/bin');

const hog = spawn(path, ['--cpu', String(WORKERS), '--timeout', `${BOUND_SECONDS}s`, '--quiet'], { stdio: 'inherit' });
const hogExit = new Promise((resolve) => hog.once('exit', resolve));
console.log(`stress-ng pid ${hog.pid}: ${WORKERS} CPU workers at full load, for at most ${BOUND_SECONDS / 60} min, beside npm test.`);

let stopping;
function stopHog() {
  stopping ??= (async () => {
    if (hog.exitCode === null && hog.signalCode === null) {
      hog.kill('SIGTERM'); // stress-ng ends its workers on SIGTERM
      const killer = setTimeout(() => hog.kill('SIGKILL'), 10_000);
      await hogExit;
      clearTimeout(killer);
    }
    console.log(`stress-ng pid ${hog.pid} stopped.`);
  })();
  return stopping;
}
const started = Date.now();
// Its own process group, so an interrupted run stops every step it started, by the group's id.
const test = spawn(process.execPath, ['scripts/test.mjs'], { stdio: 'inherit', detached: true });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    try {
      process.kill(-test.pid, 'SIGTERM');
    } catch {
      // already ended
    }
    void stopHog().then(() => process.exit(130));
  });
}
const [code, signal] = await new Promise((resolve) => test.once('close', (...result) => resolve(result)));
await stopHog();
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log(
  `\nnpm test beside stress-ng (${WORKERS} CPU workers): ${code === 0 ? 'passed' : `FAILED (${code ?? signal})`} in ${minutes} min.`,
);
process.exit(code ?? 1);
