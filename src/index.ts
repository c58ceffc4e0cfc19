/** Public API with no side effects: import `accura-id-liveness` (or its script) to define the tag. */
export { AccuraIdLiveness, type CameraView, type CaptureMode, type LivenessPhase } from './accura-id-liveness.element.ts';
export { LivenessCaptureEvent, LivenessErrorEvent, LivenessHandoffEvent, LivenessProgressEvent, LivenessQualityEvent, LivenessResultEvent, type LivenessCapture, type LivenessHandoff } from './events.ts';
export type { HandoffMode, HandoffResult, HandoffState } from './lib/handoff.ts';
export { DEFAULT_QUALITY_THRESHOLDS, type QualityThresholds } from './lib/quality-thresholds.ts';
export type { QualityIssue, QualityIssueCode, QualityReport } from './lib/quality.ts';
export type { DocumentType } from './lib/camera-rules.ts';
export { LivenessError, type LivenessErrorCode, type LivenessErrorDetail } from './lib/errors.ts';
export { parseLivenessResponse, parseScore, type LivenessResponseParser, type ParsedLivenessResponse } from './lib/response.ts';
export { DEFAULT_THRESHOLD, verdictFor, type Verdict } from './lib/verdict.ts';
export { ACCURA_ENDPOINT } from './lib/endpoint.ts';
export type { LivenessProgress, LivenessResult } from './lib/run-check.ts';
export { DEFAULT_MAX_BYTES, MAX_PIXELS, MIN_LONG_SIDE, MIN_SHORT_SIDE } from './lib/image-limits.ts';
export { registerLocale } from './controllers/localize.ts';
export { en, type LivenessStrings } from './locales/en.ts';
