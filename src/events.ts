/** Typed events of `<accura-id-liveness>`. All bubble and cross shadow roots. No event carries a token or key. */
import type { LivenessErrorDetail } from './check/errors.ts';
import type { HandoffState } from './handoff/handoff-rules.ts';
import type { Quad } from './quality/corners/geometry.ts';
import type { QualityReport } from './quality/quality-rules.ts';
import type { LivenessProgress, LivenessResult } from './check/run-check.ts';

/** Every widget event: bubbles, crosses shadow roots, and carries a typed, read-only detail. */
abstract class LivenessEvent<Detail> extends Event {
  readonly detail: Detail;
  constructor(type: string, detail: Detail) {
    super(type, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

/** Fired when a check completes with a score and a verdict. */
export class LivenessResultEvent extends LivenessEvent<LivenessResult> {
  static readonly eventName = 'liveness-result';
  constructor(detail: LivenessResult) {
    super(LivenessResultEvent.eventName, detail);
  }
}

/** Fired when a check fails; `detail.code` is stable. */
export class LivenessErrorEvent extends LivenessEvent<LivenessErrorDetail> {
  static readonly eventName = 'liveness-error';
  constructor(detail: LivenessErrorDetail) {
    super(LivenessErrorEvent.eventName, detail);
  }
}

/** Fired while the image is prepared and uploaded; upload figures come from real upload progress. */
export class LivenessProgressEvent extends LivenessEvent<LivenessProgress> {
  static readonly eventName = 'liveness-progress';
  constructor(detail: LivenessProgress) {
    super(LivenessProgressEvent.eventName, detail);
  }
}

/** The detail of a `liveness-capture` event. */
export interface LivenessCapture {
  source: 'camera' | 'file' | 'drop' | 'paste';
  /** As displayed; 0 when the header did not say (HEIC). */
  width: number;
  height: number;
  /** The card's corners in the captured image's pixels, when the camera preview found it. */
  corners?: Quad;
}

/** Fired when an image is taken with the camera or chosen, dropped or pasted. */
export class LivenessCaptureEvent extends LivenessEvent<LivenessCapture> {
  static readonly eventName = 'liveness-capture';
  constructor(detail: LivenessCapture) {
    super(LivenessCaptureEvent.eventName, detail);
  }
}

/** Fired when the quality gate has judged a chosen or captured image. */
export class LivenessQualityEvent extends LivenessEvent<QualityReport> {
  static readonly eventName = 'liveness-quality';
  constructor(detail: QualityReport) {
    super(LivenessQualityEvent.eventName, detail);
  }
}

/** The detail of a `liveness-handoff` event. */
export interface LivenessHandoff {
  state: HandoffState;
  /** When the session expires, in epoch milliseconds. */
  expiresAt: number;
}

/** Fired as a cross-device handoff moves on: created, opened, captured, checking, then completed, expired, cancelled or failed. */
export class LivenessHandoffEvent extends LivenessEvent<LivenessHandoff> {
  static readonly eventName = 'liveness-handoff';
  constructor(detail: LivenessHandoff) {
    super(LivenessHandoffEvent.eventName, detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'liveness-result': LivenessResultEvent;
    'liveness-error': LivenessErrorEvent;
    'liveness-progress': LivenessProgressEvent;
    'liveness-capture': LivenessCaptureEvent;
    'liveness-quality': LivenessQualityEvent;
    'liveness-handoff': LivenessHandoffEvent;
  }
}
