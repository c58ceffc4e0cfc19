/** Typed events of `<accura-id-liveness>`. All bubble and cross shadow roots. No event carries a token or key. */
import type { LivenessErrorDetail } from './lib/errors.ts';
import type { QualityReport } from './lib/quality.ts';
import type { LivenessProgress, LivenessResult } from './lib/run-check.ts';

const init: EventInit = { bubbles: true, composed: true };

/** Fired when a check completes with a score and a verdict. */
export class LivenessResultEvent extends Event {
  static readonly eventName = 'liveness-result';
  readonly detail: LivenessResult;
  constructor(detail: LivenessResult) {
    super(LivenessResultEvent.eventName, init);
    this.detail = detail;
  }
}

/** Fired when a check fails; `detail.code` is stable. */
export class LivenessErrorEvent extends Event {
  static readonly eventName = 'liveness-error';
  readonly detail: LivenessErrorDetail;
  constructor(detail: LivenessErrorDetail) {
    super(LivenessErrorEvent.eventName, init);
    this.detail = detail;
  }
}

/** Fired while the image is prepared and uploaded; upload figures come from real upload progress. */
export class LivenessProgressEvent extends Event {
  static readonly eventName = 'liveness-progress';
  readonly detail: LivenessProgress;
  constructor(detail: LivenessProgress) {
    super(LivenessProgressEvent.eventName, init);
    this.detail = detail;
  }
}

/** The detail of a `liveness-capture` event. */
export interface LivenessCapture {
  source: 'camera' | 'file' | 'drop' | 'paste';
  /** As displayed; 0 when the header did not say (HEIC). */
  width: number;
  height: number;
}

/** Fired when an image is taken with the camera or chosen, dropped or pasted. */
export class LivenessCaptureEvent extends Event {
  static readonly eventName = 'liveness-capture';
  readonly detail: LivenessCapture;
  constructor(detail: LivenessCapture) {
    super(LivenessCaptureEvent.eventName, init);
    this.detail = detail;
  }
}

/** Fired when the quality gate has judged a chosen or captured image. */
export class LivenessQualityEvent extends Event {
  static readonly eventName = 'liveness-quality';
  readonly detail: QualityReport;
  constructor(detail: QualityReport) {
    super(LivenessQualityEvent.eventName, init);
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'liveness-result': LivenessResultEvent;
    'liveness-error': LivenessErrorEvent;
    'liveness-progress': LivenessProgressEvent;
    'liveness-capture': LivenessCaptureEvent;
    'liveness-quality': LivenessQualityEvent;
  }
}
