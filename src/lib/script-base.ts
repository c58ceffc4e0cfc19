/**
 * The URL that files shipped beside the script (the worker) are resolved against.
 * A classic <script> build only knows its own URL while it first runs, so capture it now.
 */
const currentScript =
  typeof document !== 'undefined' ? (document.currentScript as HTMLScriptElement | null) : null;

export const scriptBase: string = currentScript?.src || import.meta.url;
