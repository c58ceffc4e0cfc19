export interface WebKitPaths {
  miniBrowser: string;
  driver: string;
  xvfb: string;
}
export type EngineName = 'chromium' | 'firefox' | 'webkit';
/** Debian's Firefox ESR, if installed. */
export declare function findFirefox(): string | undefined;
/** WebKitGTK's MiniBrowser, WebKitWebDriver and Xvfb, if all are installed. */
export declare function findWebKit(): WebKitPaths | undefined;
export declare const ENGINES: Record<EngineName, { label: string; packages: string[]; find: () => unknown }>;
/** The engines asked for in ENGINES (all three when unset). */
export declare function selectedEngines(): EngineName[];
