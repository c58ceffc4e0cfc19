/**
 * The handoff screens: the desktop's QR code, link, confirmation code, time left and live state,
 * and the phone's confirmation code. Loaded lazily with the handoff controllers.
 */
import { generate } from 'lean-qr';
import { type TemplateResult, html, nothing, svg } from 'lit';
import type { DesktopSession } from './handoff-controllers.ts';
import { type HandoffState, formatCode, formatTimeLeft } from './handoff-rules.ts';
import type { LivenessStrings } from '../i18n/locales/en.ts';

/** Quiet zone around the code, in modules: the QR standard asks for 4. */
const QUIET = 4;

/**
 * The QR code as one SVG path, horizontal runs of dark modules merged. Drawn by lit from the
 * module matrix: no inline style, no markup from a string, so it renders under a strict CSP.
 */
export function qrPath(text: string): { size: number; d: string } {
  const code = generate(text);
  let d = '';
  for (let y = 0; y < code.size; y++) {
    for (let x = 0; x < code.size; x++) {
      if (!code.get(x, y)) continue;
      const start = x;
      while (x + 1 < code.size && code.get(x + 1, y)) x++;
      d += `M${start + QUIET} ${y + QUIET}h${x - start + 1}v1h${-(x - start + 1)}z`;
    }
  }
  return { size: code.size + QUIET * 2, d };
}

export interface HandoffViewOptions {
  t: LivenessStrings;
  session?: DesktopSession;
  state?: HandoffState;
  now: number;
  copied: boolean;
  onCopy: () => void;
  onCancel: () => void;
}

/** The desktop's handoff screen. Before the session exists, a short "creating" line and Cancel. */
export function renderHandoffView({ t, session, state, now, copied, onCopy, onCancel }: HandoffViewOptions): TemplateResult {
  if (!session) {
    return html`<div part="handoff" class="handoff"><p class="hint">${t.handoffStarting}</p>
      <div class="actions"><button part="button" data-autofocus @click=${onCancel}>${t.cancel}</button></div></div>`;
  }
  const qr = qrPath(session.url);
  const link = session.url.replace(/^https?:\/\//, '');
  return html`
    <div part="handoff" class="handoff" role="group" aria-labelledby="handoff-title">
      <p id="handoff-title" class="handoff-title">${t.handoffTitle}</p>
      <p class="hint">${t.handoffScan}</p>
      <svg part="qr" class="qr" viewBox="0 0 ${qr.size} ${qr.size}" role="img" aria-label=${t.handoffQrLabel} shape-rendering="crispEdges">
        ${svg`<rect class="qr-bg" width=${qr.size} height=${qr.size}></rect><path class="qr-fg" d=${qr.d}></path>`}
      </svg>
      <div class="handoff-link">
        <input part="handoff-link" readonly aria-label=${t.handoffLinkLabel} .value=${link} @focus=${(event: FocusEvent) => (event.target as HTMLInputElement).select()} />
        <button part="button" @click=${onCopy}>${copied ? t.handoffCopied : t.handoffCopy}</button>
      </div>
      <p class="handoff-code">${t.handoffCode}: <strong part="handoff-code">${formatCode(session.code)}</strong></p>
      <p class="hint">${t.handoffCodeHint}</p>
      <p part="handoff-state" class="handoff-state">${t.handoffStates[state ?? 'created']}</p>
      <p class="hint">${t.handoffTimeLeft}: <time>${formatTimeLeft(session.expiresAt - now)}</time></p>
      <div class="actions"><button part="button" data-autofocus @click=${onCancel}>${t.cancel}</button></div>
    </div>
  `;
}

/** The phone's banner: the code to compare with the computer's, or the "return" note once done. */
export function renderPhoneBanner(t: LivenessStrings, code: string | undefined, done: boolean): TemplateResult | typeof nothing {
  if (done) return html`<p part="handoff-done" class="handoff-done">${t.handoffReturn}</p>`;
  if (!code) return html`<p class="hint">${t.handoffConnecting}</p>`;
  return html`<p class="handoff-code">${t.handoffPhoneCode} <strong part="handoff-code">${formatCode(code)}</strong></p>`;
}
