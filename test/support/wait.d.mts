/** The default deadline: far past what any condition here takes, even on a loaded 2-core machine. */
export declare const GENEROUS_MS: number;
/** Polls `check` until it returns a truthy value, and resolves with that value; the error says what was awaited. */
export declare function until<T>(
  what: string,
  check: () => T | Promise<T>,
  options?: { timeout?: number; interval?: number; seen?: () => string },
): Promise<NonNullable<T>>;
