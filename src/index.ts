/** Public API with no side effects: import `accura-id-liveness` (or its script) to define the tag. */
export { AccuraIdLiveness, type CameraView, type CaptureMode, type LivenessPhase } from './element/accura-id-liveness.element.ts';
export {
  LivenessCaptureEvent,
  LivenessErrorEvent,
  LivenessHandoffEvent,
  LivenessProgressEvent,
  LivenessQualityEvent,
  LivenessResultEvent,
  type LivenessCapture,
  type LivenessHandoff,
} from './events.ts';
export type { HandoffMode, HandoffResult, HandoffState } from './handoff/handoff-rules.ts';
export { DEFAULT_QUALITY_THRESHOLDS, type QualityThresholds } from './quality/thresholds.ts';
export type { QualityIssue, QualityIssueCode, QualityReport } from './quality/quality-rules.ts';
export type { DocumentType } from './camera/camera-rules.ts';
export { LivenessError, type LivenessErrorCode, type LivenessErrorDetail } from './check/errors.ts';
export { parseLivenessResponse, parseScore, type LivenessResponseParser, type ParsedLivenessResponse } from './check/response.ts';
export { DEFAULT_THRESHOLD, verdictFor, type Verdict } from './check/verdict.ts';
export { ACCURA_ENDPOINT } from './check/endpoint.ts';
export type { LivenessProgress, LivenessResult } from './check/run-check.ts';
export { DEFAULT_MAX_BYTES, MAX_PIXELS, MIN_LONG_SIDE, MIN_SHORT_SIDE } from './image/limits.ts';
export { registerLocale } from './i18n/localize-controller.ts';
export { en, type LivenessStrings } from './i18n/locales/en.ts';
