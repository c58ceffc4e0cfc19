/**
 * The URL that files shipped beside the script (the worker) are resolved against: this module's
 * own URL, or, in the classic <script> build, the script's URL, which only `document.currentScript`
 * knows, and only while the script first runs (the entry captures it then).
 */
let base: string = import.meta.url;

export function rememberScriptBase(script: Element | null | undefined): void {
  const src = (script as HTMLScriptElement | null | undefined)?.src;
  if (src) base = src;
}

export function scriptBase(): string {
  return base;
}
