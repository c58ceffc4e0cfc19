import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LivenessErrorEvent, LivenessProgressEvent } from '../events.ts';
import { LivenessError, type LivenessErrorCode } from '../check/errors.ts';
import {
  type HandoffEventData,
  type HandoffState,
  type PhoneReportedState,
  isTerminalHandoffState,
  parseHandoffEvent,
} from './handoff-rules.ts';

/** The desktop's session, as `POST /api/handoff` answered it. */
export interface DesktopSession {
  id: string;
  url: string;
  code: string;
  expiresAt: number;
}

/** The phone's side of a session, as its open call answered it. */
export interface PhoneSession {
  code: string;
  countryCode: string;
  cardCode: string;
  token: string;
  expiresAt: number;
}

const HANDOFF_CODES: readonly LivenessErrorCode[] = ['handoff-not-found', 'handoff-taken', 'handoff-expired', 'handoff-closed'];

/** A server refusal as a LivenessError: its own handoff code when it has one, else by status. */
async function refusal(response: Response): Promise<LivenessError> {
  const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
  const message = typeof body.message === 'string' ? body.message : `The server answered ${response.status}.`;
  const code = HANDOFF_CODES.find((known) => known === body.code) ?? (response.status === 401 ? 'unauthorized' : 'http');
  return new LivenessError(code, message, { status: response.status });
}

async function post(
  url: string,
  init: { token?: string; body?: unknown; withCredentials: boolean; keepalive?: boolean },
): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  try {
    return await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(init.body ?? {}),
      credentials: init.withCredentials ? 'include' : 'same-origin',
      keepalive: init.keepalive,
      cache: 'no-store',
    });
  } catch {
    throw new LivenessError('network', 'The server could not be reached.');
  }
}

/**
 * The desktop's side of a handoff: creates the session, follows its events over Server-Sent
 * Events (EventSource resumes from Last-Event-ID by itself), ticks the time left, and cancels the
 * session when the element leaves the page. Holds no image: only states and the verdict.
 */
export class DesktopHandoffController implements ReactiveController {
  session?: DesktopSession;
  state?: HandoffState;
  /** Now, ticked every second while a session is open, for the time left. */
  now = Date.now();
  private source?: EventSource;
  private ticker?: ReturnType<typeof setInterval>;
  private base = '';
  private withCredentials = false;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    /** Every event of the session, in order; the last one is terminal. */
    private readonly onEvent: (event: HandoffEventData) => void,
    /** The stream broke for good (refused, or the server is gone past the browser's retries). */
    private readonly onLost: (error: LivenessError) => void,
  ) {
    host.addController(this);
  }

  get active(): boolean {
    return this.session !== undefined && (this.state === undefined || !isTerminalHandoffState(this.state));
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    if (this.active) this.cancel();
    this.close();
  }

  /** Creates a session with the desktop's liveness token and starts following it. Rejects with a LivenessError. */
  async start(options: {
    base: string;
    token: string;
    countryCode: string;
    cardCode: string;
    withCredentials: boolean;
  }): Promise<DesktopSession> {
    this.close();
    this.base = options.base;
    this.withCredentials = options.withCredentials;
    const response = await post(options.base, {
      token: options.token,
      body: { country_code: options.countryCode, card_code: options.cardCode },
      withCredentials: options.withCredentials,
    });
    if (!response.ok) throw await refusal(response);
    const session = (await response.json()) as DesktopSession;
    this.session = session;
    this.state = undefined;
    this.follow(session);
    this.ticker = setInterval(() => {
      this.now = Date.now();
      this.host.requestUpdate();
    }, 1000);
    return session;
  }

  private follow(session: DesktopSession): void {
    const source = new EventSource(`${this.base}/${encodeURIComponent(session.id)}/events`, { withCredentials: this.withCredentials });
    this.source = source;
    source.onmessage = (message) => {
      const event = parseHandoffEvent(message.data);
      if (!event || this.source !== source) return;
      this.state = event.state;
      if (isTerminalHandoffState(event.state)) this.close();
      this.onEvent(event);
      this.host.requestUpdate();
    };
    source.onerror = () => {
      // CONNECTING: the browser retries by itself. CLOSED: refused (404/410) or not an event stream.
      if (source.readyState !== EventSource.CLOSED || this.source !== source) return;
      this.close();
      const expired = Date.now() >= session.expiresAt;
      this.onLost(
        expired
          ? new LivenessError('handoff-expired', 'The link for your phone has expired.')
          : new LivenessError('network', 'The connection to the server was lost.'),
      );
    };
  }

  /** Ends the session for both screens (the phone is refused from now on). */
  cancel(): void {
    const session = this.session;
    if (!session) return;
    this.close();
    this.state = 'cancelled';
    // keepalive: sent even as the page unloads.
    void post(`${this.base}/${encodeURIComponent(session.id)}/cancel`, { withCredentials: this.withCredentials, keepalive: true }).catch(
      () => undefined,
    );
  }

  /** Stops following (the stream and the clock); the server keeps the session until it ends. */
  close(): void {
    this.source?.close();
    this.source = undefined;
    clearInterval(this.ticker);
    this.ticker = undefined;
  }
}

/**
 * The phone's side: claims the session from its link (only the first phone gets a token), then
 * reports "photo taken" and "checking" from the element's own events. The verdict reaches the
 * desktop through the proxy, not from here, so a phone can't claim a result.
 */
export class PhoneHandoffController implements ReactiveController {
  session?: PhoneSession;
  private base = '';
  private reported = new Set<PhoneReportedState>();

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {
    this.host.addEventListener('liveness-capture', this.onCapture);
    this.host.addEventListener('liveness-progress', this.onProgress);
    this.host.addEventListener('liveness-error', this.onError);
  }

  hostDisconnected(): void {
    this.host.removeEventListener('liveness-capture', this.onCapture);
    this.host.removeEventListener('liveness-progress', this.onProgress);
    this.host.removeEventListener('liveness-error', this.onError);
  }

  /** Claims the session. Rejects with a LivenessError (`handoff-taken`, `handoff-expired`, `handoff-closed`, `handoff-not-found`, `network`). */
  async open(base: string, secret: string): Promise<PhoneSession> {
    this.base = base;
    const response = await post(`${base}/phone/${encodeURIComponent(secret)}/open`, { withCredentials: false });
    if (!response.ok) throw await refusal(response);
    this.session = (await response.json()) as PhoneSession;
    this.host.requestUpdate();
    return this.session;
  }

  private report(state: PhoneReportedState, error?: string): void {
    if (!this.session) return;
    // A new photo after a failed check is taken again, and checked again.
    if (state === 'captured') this.reported.delete('checking');
    if (this.reported.has(state) && state !== 'captured') return;
    this.reported.add(state);
    void post(`${this.base}/phone/state`, {
      token: this.session.token,
      body: error ? { state, error } : { state },
      withCredentials: false,
    }).catch(() => undefined);
  }

  private sending = false;
  private readonly onCapture = () => {
    this.sending = false;
    this.report('captured');
  };
  // On the first progress of a check: reported at "uploading", it could arrive after the verdict.
  private readonly onProgress = (event: LivenessProgressEvent) => {
    if (event.detail.stage === 'uploading') this.sending = true;
    else if (!this.reported.has('checking')) this.sending = false;
    this.report('checking');
  };
  // A check that failed before anything was sent (the photo was refused on the phone): the proxy will never
  // hear of it, so the phone tells the desktop itself, which goes back to waiting for a photo.
  private readonly onError = (event: LivenessErrorEvent) => {
    if (!this.reported.has('checking') || this.sending || event.detail.code === 'aborted') return;
    this.reported.delete('checking');
    this.reported.delete('opened');
    this.report('opened', event.detail.code);
  };
}
