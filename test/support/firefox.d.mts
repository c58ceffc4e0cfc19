/** Firefox preferences for every run: the fake camera, and no traffic beyond 127.0.0.1. */
export declare const FIREFOX_PREFS: Record<string, string | boolean>;
export declare function firefox(): unknown;
