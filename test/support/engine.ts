/** Which engine a browser test runs in, and named skips for what an engine can't do. */

export type Engine = 'chromium' | 'firefox' | 'webkit';

/** Read from the user agent, which none of our launchers spoof. */
export const engine: Engine = /Firefox\//.test(navigator.userAgent)
  ? 'firefox'
  : /Chrom(e|ium)\//.test(navigator.userAgent)
    ? 'chromium'
    : 'webkit';

const LABELS: Record<Engine, string> = { chromium: 'Chromium', firefox: 'Firefox', webkit: 'WebKit' };
export const engineLabel = LABELS[engine];

/** Prints a named skip in the run's output (the browser log is shown per file), so a skip is never silent. */
export function reportSkip(what: string, reason: string): void {
  console.log(`⤼ skipped in ${engineLabel}: ${what} — ${reason}`);
}

/** Skips the running test in the engines given, printing its name and the reason. */
export function skipIn(context: Mocha.Context, engines: Engine[], reason: string): void {
  if (!engines.includes(engine)) return;
  reportSkip(`"${context.test?.fullTitle()}"`, reason);
  context.skip();
}

/** The fake cameras of Firefox and WebKit show a generated pattern, not the rendered card Chromium films. */
export const FILMS_THE_CARD: Engine[] = ['chromium'];
export const PATTERN_CAMERA =
  "this engine's fake camera shows a generated pattern, not the rendered ID card that Chromium films from a file";
