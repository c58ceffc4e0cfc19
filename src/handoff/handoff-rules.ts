/**
 * Cross-device handoff, the parts both halves agree on: session states, the events the desktop
 * receives, the confirmation code, and when the element offers or starts a handoff. Pure: no DOM,
 * no network, so the server imports it too.
 */

/** Where a handoff session stands. The last four end it. */
export type HandoffState = 'created' | 'opened' | 'captured' | 'checking' | 'completed' | 'expired' | 'cancelled' | 'failed';

/** States that end a session: nothing follows them. */
export const TERMINAL_HANDOFF_STATES: ReadonlySet<HandoffState> = new Set(['completed', 'expired', 'cancelled', 'failed']);

/**
 * States the phone reports. `opened` again, with an error code, when its check failed before it was
 * sent (a photo the pipeline refused): the desktop goes back to waiting for a photo.
 */
export const PHONE_REPORTED_STATES = ['captured', 'checking', 'opened'] as const;
export type PhoneReportedState = (typeof PHONE_REPORTED_STATES)[number];

export function isTerminalHandoffState(state: HandoffState): boolean {
  return TERMINAL_HANDOFF_STATES.has(state);
}

/** What the desktop learns of the phone's check: the score, verdict, codes and image size; never the image. */
export interface HandoffResult {
  score: number;
  /** The server's verdict at its default threshold; the desktop applies its own `threshold`. */
  verdict: 'live' | 'spoof';
  countryCode: string;
  cardCode: string;
  image: { bytes: number; width: number; height: number; type: string };
  /** True when a sandbox, not the liveness service, answered. */
  sandbox: boolean;
}

/** One event of a session, as the desktop's stream carries it (its SSE `id` is its 1-based position). */
export interface HandoffEventData {
  state: HandoffState;
  /** When the session expires, in epoch milliseconds. */
  expiresAt: number;
  /** With `completed`. */
  result?: HandoffResult;
  /** With `failed`: the reason, as a stable code. With `opened` again: why the phone's last photo was not sent. */
  error?: { code: string; message: string };
}

/** Parses one event from the stream; undefined for anything that is not one. */
export function parseHandoffEvent(text: string): HandoffEventData | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const event = value as Partial<HandoffEventData>;
  const states: readonly HandoffState[] = ['created', 'opened', 'captured', 'checking', 'completed', 'expired', 'cancelled', 'failed'];
  if (!states.includes(event.state as HandoffState) || typeof event.expiresAt !== 'number') return undefined;
  if (event.state === 'completed' && (typeof event.result !== 'object' || event.result === null || typeof event.result.score !== 'number'))
    return undefined;
  return event as HandoffEventData;
}

/** The confirmation code's alphabet: no 0/O, 1/I/L, so it reads aloud and types without doubt. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 6;

/** A random confirmation code (rejection sampling, so every character is equally likely). */
export function randomCode(random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  const limit = 256 - (256 % CODE_ALPHABET.length);
  let code = '';
  while (code.length < CODE_LENGTH) {
    for (const byte of random(new Uint8Array(CODE_LENGTH * 2))) {
      if (byte < limit && code.length < CODE_LENGTH) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
    }
  }
  return code;
}

/** `ABC234` as `ABC 234`: two groups are easier to compare between two screens. */
export function formatCode(code: string): string {
  return code.length === CODE_LENGTH ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

/** Milliseconds left as `m:ss`, never below 0:00. */
export function formatTimeLeft(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export { type HandoffDecision, type HandoffMode, decideHandoff, handoffBaseFor, parseHandoffMode } from './handoff-mode.ts';
