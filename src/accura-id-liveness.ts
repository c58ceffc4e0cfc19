/** Defines `<accura-id-liveness>`. Safe to load twice: a second definition is skipped, not thrown. */
import { AccuraIdLiveness } from './element/accura-id-liveness.element.ts';
import { rememberScriptBase } from './element/script-base.ts';

export * from './index.ts';

// Now, while a classic <script> still knows its own URL: the worker is found beside it.
if (typeof document !== 'undefined') rememberScriptBase(document.currentScript);

if (typeof customElements !== 'undefined' && !customElements.get('accura-id-liveness')) {
  customElements.define('accura-id-liveness', AccuraIdLiveness);
}
