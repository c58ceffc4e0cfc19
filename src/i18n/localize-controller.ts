import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type LivenessStrings, en } from './locales/en.ts';

type LocaleSource = LivenessStrings | (() => Promise<{ default: LivenessStrings }>);

// English ships in the page; the others load on first use.
const locales = new Map<string, LocaleSource>([
  ['en', en],
  ['es', () => import('./locales/es.ts')],
  ['fr', () => import('./locales/fr.ts')],
  ['ar', () => import('./locales/ar.ts')],
  ['hi', () => import('./locales/hi.ts')],
]);
const RTL = new Set(['ar', 'he', 'fa', 'ur']);

/** Adds or replaces a locale, by language code (`pt`, `pt-br`). */
export function registerLocale(code: string, strings: LivenessStrings): void {
  locales.set(code.toLowerCase(), strings);
}

/**
 * Picks the UI language: the element's `lang`, else the nearest ancestor's, else the browser's,
 * else English. Follows later `lang` changes anywhere in the document.
 */
export class LocalizeController implements ReactiveController {
  strings: LivenessStrings = en;
  lang = 'en';
  dir: 'ltr' | 'rtl' = 'ltr';
  private observer?: MutationObserver;
  private request = 0;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {
    this.observer = new MutationObserver(() => void this.resolve());
    this.observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'], subtree: true });
    void this.resolve();
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
  }

  private wanted(): string[] {
    const tag = (this.host.closest('[lang]')?.getAttribute('lang') || navigator.language || 'en').toLowerCase();
    return [tag, tag.split('-')[0], 'en'];
  }

  private async resolve(): Promise<void> {
    const request = ++this.request;
    for (const code of this.wanted()) {
      const source = locales.get(code);
      if (!source) continue;
      const strings = typeof source === 'function' ? (await source()).default : source;
      if (request !== this.request) return;
      if (typeof source === 'function') locales.set(code, strings);
      const changed = strings !== this.strings;
      this.strings = strings;
      this.lang = code;
      this.dir = RTL.has(code.split('-')[0]) ? 'rtl' : 'ltr';
      if (changed) this.host.requestUpdate();
      return;
    }
  }
}
