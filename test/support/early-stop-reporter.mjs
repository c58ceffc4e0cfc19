// A Web Test Runner reporter that says why a run stopped before its files finished. Web Test Runner exits 1 with no
// word when it is stopped from outside (SIGINT), which a clean-clone run once showed in WebKit at 5 of 30 files; and
// it buffers console output behind a timer that an exiting process never runs, so its own last error can be lost.
// The line printed names the files running, the signal if any, and whether any test had failed: scripts/test.mjs
// retries a step once on it only when none had, so a test failure is never retried.
import { relative } from 'node:path';
import { format } from 'node:util';

/** The line's fixed start, which scripts/test.mjs looks for. */
export const EARLY_STOP = 'Web Test Runner stopped before its files finished';

/** Straight to stderr, past Web Test Runner's buffered console. */
const say = (text) => process.stderr.write(`${text}\n`);

export function earlyStopReporter() {
  let sessions;
  let total = 0;
  let signal;
  // The last few console errors and warnings, printed again at an early stop in case they were never flushed.
  const lastErrors = [];
  const noted = (name) => {
    signal = name;
    say(`\nWeb Test Runner received ${name}.`);
  };
  return {
    start(args) {
      sessions = args.sessions;
      total = args.testFiles.length;
      // Web Test Runner's console is in place by now: keep a copy of what reaches its errors and warnings.
      for (const level of ['error', 'warn']) {
        const buffered = console[level];
        console[level] = (...parts) => {
          lastErrors.push(format(...parts).slice(0, 2_000));
          lastErrors.splice(0, lastErrors.length - 5);
          buffered(...parts);
        };
      }
      // Web Test Runner handles SIGINT itself (it stops, and exits 1): this listener only names it.
      process.on('SIGINT', () => noted('SIGINT'));
      // No listener of its own for these: say so, then let the signal end the process as it would have.
      for (const name of ['SIGTERM', 'SIGHUP'])
        process.once(name, () => {
          noted(name);
          process.kill(process.pid, name);
        });
      process.once('exit', (code) => {
        if (code === 0 || !sessions) return;
        const all = [...sessions.all()];
        const open = all.filter((session) => session.status !== 'FINISHED');
        if (open.length === 0) return; // every file reported: its own failures say why
        const failed = all.filter((session) => session.status === 'FINISHED' && !session.passed).length;
        const done = total - new Set(open.map((session) => session.testFile)).size;
        const running = open
          .filter((session) => session.status !== 'SCHEDULED')
          .map((session) => `${relative(process.cwd(), session.testFile)} (${session.browser.name}, ${session.status})`);
        if (lastErrors.length) say(`\nThe runner's last console errors (they may repeat lines above):\n${lastErrors.join('\n')}`);
        say(
          `\n${EARLY_STOP} (exit ${code}${signal ? `, after ${signal}` : ''}): ${done} of ${total} files done, ` +
            `${failed ? `${failed} with a failed test` : 'no test failed'}; running: ${running.join(', ') || 'none'}`,
        );
      });
    },
  };
}
