/**
 * "Open in your browser", for a camera that can't work where the page is: inside an app's WebView or
 * in-app browser, or a camera request the browser never answered. Android gets a link that opens
 * Chrome; everyone gets the page's link to copy (iOS has no link that leaves an app for Safari).
 */
import { type TemplateResult, html, nothing } from 'lit';
import type { LivenessErrorDetail } from '../check/errors.ts';
import type { LivenessStrings } from '../i18n/locales/en.ts';
import { cameraPlatform, chromeIntentUrl, embeddedBrowser } from './platform.ts';

export interface OpenInBrowserOptions {
  t: LivenessStrings;
  error?: LivenessErrorDetail;
  /** The page's address, to open elsewhere. */
  url: string;
  userAgent: string;
  maxTouchPoints: number;
  copied: boolean;
  onCopy: () => void;
}

/** The ways out of an app's browser, after a camera error there or a camera that never answered; nothing otherwise. */
export function renderOpenInBrowser({
  t,
  error,
  url,
  userAgent,
  maxTouchPoints,
  copied,
  onCopy,
}: OpenInBrowserOptions): TemplateResult | typeof nothing {
  const embedded = embeddedBrowser(userAgent, maxTouchPoints);
  if (!error?.code.startsWith('camera-') || (!embedded && error.code !== 'camera-timeout')) return nothing;
  const android = cameraPlatform(userAgent, maxTouchPoints) === 'android';
  return html`
    <div part="open-in-browser" class="open-in-browser">
      ${android && embedded && /^https?:/.test(url) ? html`<a part="button" class="button" href=${chromeIntentUrl(url)}>${t.openInBrowser}</a>` : nothing}
      <input part="link" class="link" readonly aria-label=${t.openInBrowser} .value=${url} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
      <button part="button" class="copy-link" @click=${onCopy}>${t.copyLinkForBrowser}</button>
      <p class="hint" role="status">${copied ? t.linkCopiedForBrowser : nothing}</p>
    </div>
  `;
}
