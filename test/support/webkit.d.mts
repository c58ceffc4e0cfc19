/** A started WebKitWebDriver (on Xvfb) and how to open MiniBrowser through it. */
export interface StartedWebKit {
  port: number;
  capabilities: Record<string, unknown>;
  stop(): void;
}
export declare function startWebKit(settings?: Record<string, string | boolean>): Promise<StartedWebKit>;
export declare function webdriverOptions(webkit: StartedWebKit): {
  hostname: string;
  port: number;
  path: string;
  logLevel: 'error';
  connectionRetryCount: number;
  capabilities: Record<string, unknown>;
};
export declare function webkit(settings?: Record<string, string | boolean>): unknown;
