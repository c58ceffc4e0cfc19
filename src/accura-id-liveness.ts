/** Defines `<accura-id-liveness>`. Safe to load twice: a second definition is skipped, not thrown. */
import { AccuraIdLiveness } from './accura-id-liveness.element.ts';

export * from './index.ts';

if (typeof customElements !== 'undefined' && !customElements.get('accura-id-liveness')) {
  customElements.define('accura-id-liveness', AccuraIdLiveness);
}
