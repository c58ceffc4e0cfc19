/** Flags for every headless run. */
export declare const CHROME_ARGS: string[];
/** The path of a local Chrome or Chromium, if any. */
export declare function findChrome(): string | undefined;
