/**
 * The part of cross-device handoff that loads with the page: reading the `handoff` attribute and
 * deciding whether to offer or start a handoff on this device. The rest loads lazily.
 */

/** The `handoff` attribute. */
export type HandoffMode = 'off' | 'offer' | 'auto' | 'force';

/** The attribute's value, with anything unknown read as the default, `offer`. */
export function parseHandoffMode(value: string | null | undefined): HandoffMode {
  const mode = (value ?? '').trim().toLowerCase();
  return mode === 'off' || mode === 'auto' || mode === 'force' ? mode : 'offer';
}

/** What the element does about handoff on this device. */
export interface HandoffDecision {
  /** Show "Use your phone instead" at the start and on camera errors. */
  offer: boolean;
  /** Hand off at once, without asking. */
  start: boolean;
}

/**
 * `offer` shows the action on devices without a touch screen; `auto` hands off at once on such a
 * desktop when it has no camera; `force` always hands off on a desktop. On a phone (touch screen),
 * `auto` and `force` act like `offer`, which shows nothing there; `off` hides it everywhere.
 */
export function decideHandoff(mode: HandoffMode, device: { touch: boolean; hasCamera: boolean | undefined }): HandoffDecision {
  const desktop = !device.touch;
  if (mode === 'off' || !desktop) return { offer: false, start: false };
  if (mode === 'force') return { offer: true, start: true };
  if (mode === 'auto') return { offer: true, start: device.hasCamera === false };
  return { offer: true, start: false };
}

/** The handoff routes' base URL, next to the check endpoint: `/api/id-liveness` gives `/api/handoff`. */
export function handoffBaseFor(endpoint: string, base: string): string {
  return new URL('handoff', new URL(endpoint, base)).href;
}
