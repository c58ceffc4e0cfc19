/**
 * What the element does for a handoff, kept out of the element (and out of the page-load bundle):
 * on the desktop, create the session, show it, and turn its events into the same result or error a
 * local check gives; on the phone, claim the session and let the usual camera and check run.
 */
import { type ReactiveControllerHost, type TemplateResult, nothing } from 'lit';
import { LivenessHandoffEvent } from '../events.ts';
import { type LivenessErrorDetail, LivenessError } from '../check/errors.ts';
import { type HandoffEventData, formatCode } from './handoff-rules.ts';
import type { LivenessResult } from '../check/run-check.ts';
import { DEFAULT_THRESHOLD, verdictFor } from '../check/verdict.ts';
import type { LivenessStrings } from '../i18n/locales/en.ts';
import { renderHandoffView, renderPhoneBanner } from './handoff-view.ts';
import { handoffStyles } from './handoff.styles.ts';
import { DesktopHandoffController, type PhoneSession, PhoneHandoffController } from './handoff-controllers.ts';

/** What the flow may read and do on the element: no more. */
export interface HandoffPort {
  host: ReactiveControllerHost & HTMLElement;
  t(): LivenessStrings;
  settings(): {
    base: string;
    countryCode: string;
    cardCode: string;
    threshold: number;
    withCredentials: boolean;
    token: () => Promise<string>;
  };
  show(phase: 'handoff' | 'start', announcement: string): void;
  announce(text: string): void;
  succeed(result: LivenessResult): void;
  fail(detail: LivenessErrorDetail): void;
  /** The phone's session-bound token and codes become the element's. */
  useSession(session: PhoneSession): void;
  openCamera(): Promise<void>;
  /** The handoff screen is still showing (not cancelled meanwhile). */
  isActive(): boolean;
}

export class HandoffFlow {
  private desktop?: DesktopHandoffController;
  private phone?: PhoneHandoffController;
  private copied = false;
  private started = 0;

  constructor(private readonly port: HandoffPort) {
    const root = (port.host as HTMLElement & { renderRoot?: ShadowRoot }).renderRoot;
    if (root && 'adoptedStyleSheets' in root && handoffStyles.styleSheet)
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, handoffStyles.styleSheet];
  }

  /** Creates a session and shows it; its events do the rest. */
  async startDesktop(): Promise<void> {
    const { port } = this;
    this.copied = false;
    this.started = performance.now();
    this.desktop ??= new DesktopHandoffController(
      port.host,
      (event) => this.onEvent(event),
      (error) => this.fail(error),
    );
    try {
      const { base, token, withCredentials, ...codes } = port.settings();
      const countryCode = codes.countryCode.trim().toUpperCase();
      const cardCode = codes.cardCode.trim();
      if (!/^[A-Z]{3}$/.test(countryCode) || !cardCode)
        throw new LivenessError('config', 'A `country-code` and a `card-code` are required.');
      const bearer = await token();
      if (!bearer) throw new LivenessError('config', 'Handing off to a phone needs a `token` or `getToken`.');
      await this.desktop.start({ base, token: bearer, countryCode, cardCode, withCredentials });
      if (!port.isActive()) this.desktop.cancel(); // Cancel was pressed while it was being created
      port.host.requestUpdate();
    } catch (thrown) {
      if (port.isActive()) this.fail(LivenessError.from(thrown, 'network'));
    }
  }

  private onEvent(event: HandoffEventData): void {
    const { port } = this;
    port.host.dispatchEvent(new LivenessHandoffEvent({ state: event.state, expiresAt: event.expiresAt }));
    if (event.state === 'completed' && event.result) {
      const phone = event.result;
      const threshold = Number.isFinite(port.settings().threshold) ? port.settings().threshold : DEFAULT_THRESHOLD;
      port.succeed({
        score: phone.score,
        threshold,
        verdict: verdictFor(phone.score, threshold),
        countryCode: phone.countryCode,
        cardCode: phone.cardCode,
        image: phone.image,
        durationMs: performance.now() - this.started,
        response: { score: phone.score, sandbox: phone.sandbox },
        sandbox: phone.sandbox,
        source: 'handoff',
      });
    } else if (event.state === 'expired') {
      this.fail(new LivenessError('handoff-expired', 'The link for your phone has expired.'));
    } else if (event.state === 'failed') {
      this.fail(new LivenessError('handoff-failed', event.error?.message ?? 'The check on the phone failed.'));
    } else if (event.state === 'opened' && event.error) {
      port.announce(port.t().handoffRetake);
    } else if (event.state !== 'cancelled') {
      port.announce(port.t().handoffStates[event.state]);
    }
  }

  private fail(error: LivenessError): void {
    this.port.fail({ ...error.detail, retryable: false, source: 'handoff' });
  }

  private cancel(): void {
    const { desktop, port } = this;
    if (desktop?.active) {
      desktop.cancel();
      port.host.dispatchEvent(new LivenessHandoffEvent({ state: 'cancelled', expiresAt: desktop.session!.expiresAt }));
    }
    port.show('start', port.t().handoffStates.cancelled);
  }

  private async copy(): Promise<void> {
    const url = this.desktop?.session?.url;
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      this.copied = true;
      this.port.announce(this.port.t().handoffCopied);
    } catch {
      // no clipboard permission: the field stays selectable
    }
    this.port.host.requestUpdate();
  }

  renderDesktop(): TemplateResult {
    const { desktop } = this;
    return renderHandoffView({
      t: this.port.t(),
      session: desktop?.session,
      state: desktop?.state,
      now: desktop?.now ?? Date.now(),
      copied: this.copied,
      onCopy: () => void this.copy(),
      onCancel: () => this.cancel(),
    });
  }

  /** The phone: claim the session, show its code, open the camera. */
  async startPhone(secret: string): Promise<void> {
    const { port } = this;
    this.phone ??= new PhoneHandoffController(port.host);
    try {
      const session = await this.phone.open(port.settings().base, secret);
      port.useSession(session);
      port.announce(`${port.t().handoffPhoneCode} ${formatCode(session.code)}`);
      await port.openCamera();
    } catch (thrown) {
      port.fail(LivenessError.from(thrown, 'network').detail);
    }
  }

  renderPhoneBanner(done: boolean): TemplateResult | typeof nothing {
    return this.phone ? renderPhoneBanner(this.port.t(), this.phone.session?.code, done) : nothing;
  }
}
