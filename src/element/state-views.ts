/**
 * The element's states after a photo is chosen, as functions of what they show and what their
 * buttons do. The element decides which one is current; these only render it.
 */
import { type TemplateResult, html, nothing } from 'lit';
import type { LivenessErrorDetail } from '../check/errors.ts';
import type { QualityReport } from '../quality/quality-rules.ts';
import type { LivenessProgress, LivenessResult } from '../check/run-check.ts';
import type { LivenessStrings } from '../i18n/locales/en.ts';

/** What every state view can use from the element. */
export interface ViewContext {
  t: LivenessStrings;
  /** The chosen photo, or nothing. */
  preview: TemplateResult | typeof nothing;
  /** A labelled native file input; `primary` styles it as the main action and focuses it. */
  fileInput: (label: string, primary: boolean) => TemplateResult;
  /** The file input plus, on phones, the system camera app. */
  uploadChoices: (primary: boolean, label: string) => TemplateResult;
}

/** The message to show for an error: the locale's for its code, else the technical one. */
export function errorMessage(t: LivenessStrings, error: LivenessErrorDetail): string {
  return t.errors[error.code] ?? error.message;
}

export function formatScore(score: number): string {
  return `${Math.round(score * 100) / 100} %`;
}

/** The chosen photo, with the quality gate's findings and the actions they allow. */
export function renderChosen(
  { t, preview, fileInput }: ViewContext,
  state: {
    quality?: QualityReport;
    analyzing: boolean;
    blockOnIssues: boolean;
    fromCamera: boolean;
    onCheck: () => void;
    onRetake: () => void;
  },
): TemplateResult {
  const issues = state.quality?.issues ?? [];
  const blocked = issues.length > 0 && state.blockOnIssues;
  const retake = state.fromCamera
    ? html`<button part="button" @click=${state.onRetake}>${t.retake}</button>`
    : fileInput(issues.length ? t.retake : t.chooseAnother, blocked);
  return html`${preview}
    ${state.analyzing ? html`<p class="hint">${t.checkingQuality}</p>` : nothing}
    ${
      issues.length
        ? html`<div part="quality" class="quality">
          <p>${blocked ? t.qualityBlocked : t.qualityIssues}</p>
          <ul>
            ${issues.map((issue) => html`<li data-code=${issue.code}>${t.quality[issue.code]}</li>`)}
          </ul>
        </div>`
        : nothing
    }
    <div class="actions">
      ${
        blocked
          ? nothing
          : html`<button part="button primary-button" class="primary" data-autofocus ?disabled=${state.analyzing} @click=${state.onCheck}>
            ${issues.length ? t.useAnyway : t.check}
          </button>`
      }
      ${retake}
    </div>`;
}

/** Preparing or uploading, with real progress and Cancel. */
export function renderBusy(
  { t, preview }: ViewContext,
  state: { uploading: boolean; progress?: LivenessProgress; onCancel: () => void },
): TemplateResult {
  const { progress, uploading } = state;
  return html`
    ${preview}
    <p class="busy-label" id="progress-label">${uploading ? t.uploading : t.preparing}</p>
    <progress
      part="progress"
      aria-labelledby="progress-label"
      max=${progress?.total || 1}
      value=${uploading && progress ? progress.loaded : nothing}
    ></progress>
    <div class="actions">
      <button part="button" data-autofocus @click=${state.onCancel}>${t.cancel}</button>
    </div>
  `;
}

/** Live or Spoof, the score, a sandbox note when a sandbox answered, and "Check another". */
export function renderResult({ t, preview }: ViewContext, state: { result: LivenessResult; onCheckAnother: () => void }): TemplateResult {
  const { result } = state;
  const live = result.verdict === 'live';
  return html`
    ${preview}
    <div part="result" class="result ${result.verdict}">
      <p part="verdict" class="verdict">${live ? t.live : t.spoof}</p>
      <p class="verdict-hint">${live ? t.liveHint : t.spoofHint}</p>
      <p part="score" class="score">${t.score}: ${formatScore(result.score)} (${result.threshold})</p>
      ${result.sandbox ? html`<p part="sandbox" class="sandbox">${t.sandbox}</p>` : nothing}
    </div>
    <div class="actions">
      <button part="button primary-button" class="primary" data-autofocus @click=${state.onCheckAnother}>${t.checkAnother}</button>
    </div>
  `;
}

/** The error, Try again when it may help, and always another way forward (upload, or the camera again). */
export function renderError(
  { t, uploadChoices }: ViewContext,
  state: {
    error?: LivenessErrorDetail;
    hasImage: boolean;
    onRetry: () => void;
    onCamera: () => void;
    handoffChoice?: TemplateResult | typeof nothing;
  },
): TemplateResult {
  const { error } = state;
  const isCameraError = error?.code.startsWith('camera-') ?? false;
  return html`
    <div part="error" class="error" role="alert">
      <p class="error-title">${t.errorTitle}</p>
      <p class="error-message">${error ? errorMessage(t, error) : nothing}</p>
    </div>
    <div class="actions">
      ${
        error?.retryable && state.hasImage && !isCameraError
          ? html`<button part="button primary-button" class="primary" data-autofocus @click=${state.onRetry}>${t.tryAgain}</button>`
          : nothing
      }
      ${uploadChoices(!error?.retryable || isCameraError, isCameraError ? t.choosePhotoInstead : t.chooseAnother)}
      ${isCameraError && error?.retryable ? html`<button part="button" @click=${state.onCamera}>${t.tryCameraAgain}</button>` : nothing}
      ${state.handoffChoice ?? nothing}
    </div>
  `;
}
