import { LitElement, type PropertyValues, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { styles } from './accura-id-liveness.styles.ts';
import type { CameraController, CaptureCrop } from '../camera/camera-controller.ts';
import type { CameraLayerController } from '../camera/camera-layer-controller.ts';
import { type ImageSource, UploadController } from '../upload/upload-controller.ts';
import { LivenessCaptureEvent, LivenessErrorEvent, LivenessProgressEvent, LivenessQualityEvent, LivenessResultEvent } from '../events.ts';
import { type HandoffMode, decideHandoff, handoffBaseFor, parseHandoffMode } from '../handoff/handoff-mode.ts';
import type { HandoffFlow } from '../handoff/handoff.chunk.ts';
import type { DocumentType } from '../camera/camera-rules.ts';
import type { Quad } from '../quality/corners/geometry.ts';
import type { PreviewOutline } from '../camera/camera-view.ts';
import { coarsePointer, isMobile } from '../camera/platform.ts';
import { acceptFor } from '../upload/accept-rules.ts';
import type { CaptureChunk } from './capture.chunk.ts';
import { IntentController } from './intent-controller.ts';
import { DEFAULT_QUALITY_THRESHOLDS, type QualityThresholds } from '../quality/thresholds.ts';
import type { QualityReport } from '../quality/quality-rules.ts';
import { type LivenessErrorDetail, LivenessError, withDeadline } from '../check/errors.ts';
import { DEFAULT_MAX_BYTES } from '../image/limits.ts';
import type { ImageWorkerClient } from '../image/worker/worker-client.ts';
import type { LivenessResponseParser } from '../check/response.ts';
import type { LivenessProgress, LivenessResult } from '../check/run-check.ts';
import { DEFAULT_THRESHOLD } from '../check/verdict.ts';
import { FormController } from './form-control-controller.ts';
import { LocalizeController } from '../i18n/localize-controller.ts';
import type { LivenessStrings } from '../i18n/locales/en.ts';
import { type ViewContext, errorMessage, formatScore, renderBusy, renderChosen, renderError, renderResult } from './state-views.ts';

export type LivenessPhase = 'start' | 'camera' | 'preview' | 'preparing' | 'uploading' | 'result' | 'error' | 'handoff';
export type CaptureMode = 'auto' | 'camera' | 'upload';
export type QualityCheck = 'warn' | 'block' | 'off';
/** Where the camera preview shows: `auto` (full screen on touch devices, inline elsewhere), `fullscreen` or `inline`. */
export type CameraView = 'auto' | 'fullscreen' | 'inline';

/** How long the capture chunk (about 30 KB gzip) may take to arrive: minutes on a stalled connection otherwise. */
const CHUNK_LOAD_TIMEOUT_MS = 30_000;
const chunkUnreachable = () => new LivenessError('network', 'Part of the widget could not be loaded. Check the connection and try again.');

/**
 * Checks that a photographed identity document is the real card, not a screen, a printout or a copy.
 *
 * @tag accura-id-liveness
 *
 * @slot title - Replaces the heading.
 * @slot instructions - Replaces the instructions under the heading.
 *
 * @event liveness-result - A check completed. `detail`: `{ score, threshold, verdict, countryCode, cardCode, image, durationMs, response }`.
 * @event liveness-error - A check failed. `detail`: `{ code, message, retryable, status? }`.
 * @event liveness-progress - Preparing or uploading. `detail`: `{ stage, loaded, total }`.
 * @event liveness-capture - An image was taken or chosen. `detail`: `{ source, width, height }`.
 * @event liveness-quality - The quality gate judged the chosen or captured image. `detail`: `{ ok, issues }`.
 * @event liveness-handoff - A cross-device handoff moved on. `detail`: `{ state, expiresAt }`.
 *
 * @csspart base - The outer frame.
 * @csspart dropzone - The start area that accepts a chosen, dropped or pasted photo.
 * @csspart title - The heading.
 * @csspart instructions - The instructions.
 * @csspart file-label - The "Choose a photo" control.
 * @csspart preview - The chosen photo.
 * @csspart progress - The progress bar.
 * @csspart camera - The camera view: preview, guide and controls.
 * @csspart camera-layer - The full-screen camera's `<dialog>` (touch devices, or `camera-view="fullscreen"`).
 * @csspart shutter - The Capture button.
 * @csspart video - The camera preview.
 * @csspart guide - The document outline over the preview.
 * @csspart quality - The list of quality issues found in the chosen photo.
 * @csspart handoff - The handoff screen: QR code, link, confirmation code, state and time left.
 * @csspart qr - The QR code (SVG) that opens the phone link.
 * @csspart handoff-link - The phone link, as a read-only field to copy.
 * @csspart handoff-code - The confirmation code.
 * @csspart handoff-state - The handoff's live state.
 * @csspart handoff-done - The phone's "You can return to your computer" note.
 * @csspart result - The result panel.
 * @csspart verdict - The Live / Not live line.
 * @csspart score - The score line.
 * @csspart sandbox - The note shown when a sandbox, not a liveness service, answered.
 * @csspart error - The error panel.
 * @csspart button - Every action button.
 * @csspart primary-button - The main action button of each state.
 *
 * @cssproperty --accura-font - Font family. Default: inherited.
 * @cssproperty --accura-bg - Background colour.
 * @cssproperty --accura-fg - Text colour.
 * @cssproperty --accura-muted - Secondary text colour.
 * @cssproperty --accura-border - Border colour.
 * @cssproperty --accura-accent - Buttons, focus ring and progress colour.
 * @cssproperty --accura-accent-fg - Text on the accent colour.
 * @cssproperty --accura-live - Colour of a Live verdict.
 * @cssproperty --accura-spoof - Colour of a Spoof verdict and errors.
 * @cssproperty --accura-radius - Corner radius.
 * @cssproperty --accura-gap - Base spacing.
 */
export class AccuraIdLiveness extends LitElement {
  static override styles = styles;
  /** A form control: its value is the verdict, `live` or `spoof`, and empty before a check. */
  static formAssociated = true;

  /** URL the check is POSTed to: your proxy, or a local sandbox. */
  @property() endpoint = '';
  /** Short-lived token, sent as `Authorization: Bearer …`. */
  @property() token = '';
  /** Accura API key, sent as `Api-Key`. Local development only: it is visible to every visitor. */
  @property({ attribute: 'api-key' }) apiKey = '';
  /** ISO 3166 alpha-3 country code, such as `USA` or `IND`. */
  @property({ attribute: 'country-code' }) countryCode = '';
  /** Accura card code, such as `MRZ`. */
  @property({ attribute: 'card-code' }) cardCode = '';
  /** A score above this (in %) is Live; at or below it, Spoof. */
  @property({ type: Number }) threshold = DEFAULT_THRESHOLD;
  /** The prepared image never exceeds this many bytes. */
  @property({ type: Number, attribute: 'max-bytes' }) maxBytes = DEFAULT_MAX_BYTES;
  /** Per-request timeout in ms. */
  @property({ type: Number }) timeout = 30_000;
  /** Disables every control. */
  @property({ type: Boolean, reflect: true }) disabled = false;
  /** `auto`: camera when available, upload beside it; `camera`; `upload`: the camera is never requested. */
  @property() mode: CaptureMode = 'auto';
  /** The guide's shape: `id-card` (ID-1, 85.60 × 53.98 mm) or `passport` (TD3 data page, 125 × 88 mm). */
  @property({ attribute: 'document-type' }) documentType: DocumentType = 'id-card';
  /** What the quality gate does with a poor photo: `warn` (Retake or Use anyway), `block` (Retake only) or `off`. */
  @property({ attribute: 'quality-check' }) qualityCheck: QualityCheck = 'warn';
  /** Captures by itself once the preview has been sharp, glare-free and framed for a moment. `auto-capture="off"` turns it off. */
  @property({ attribute: 'auto-capture', converter: { fromAttribute: (value) => value !== 'off' && value !== 'false' } }) autoCapture =
    true;
  /**
   * Where the camera preview shows. `auto`: full screen on touch devices (`pointer: coarse`), inline
   * elsewhere; `fullscreen`: a full-viewport layer that no page CSS can clip; `inline`: inside the widget.
   */
  @property({ attribute: 'camera-view' }) cameraView: CameraView = 'auto';
  /**
   * What a camera capture sends: `guide`, the guide plus a 5 % margin (the area around the card can show a
   * screen's bezel or the fingers holding a printout), or `document`, the found card rectified plus a 5 % margin.
   */
  @property() crop: CaptureCrop = 'guide';
  /** Adjusts the quality gate's limits (see `DEFAULT_QUALITY_THRESHOLDS`). */
  @property({ attribute: false }) qualityThresholds: Partial<QualityThresholds> = {};
  /** Overrides any UI string of the current locale, for example `{ title: 'Verify your card' }`. */
  @property({ attribute: false }) strings: Partial<LivenessStrings> = {};
  /** Makes the form invalid until a check has returned a Live verdict. */
  @property({ type: Boolean, reflect: true }) required = false;
  /** Send cookies to a cross-origin endpoint. */
  @property({ type: Boolean, attribute: 'with-credentials' }) withCredentials = false;
  /** Called before each upload for a fresh token, and once more after a 401. */
  @property({ attribute: false }) getToken?: () => Promise<string>;
  /** Replaces the built-in response parser. */
  @property({ attribute: false }) responseParser?: LivenessResponseParser;
  /**
   * Continue on a phone: `offer` (default) shows "Use your phone instead" on desktops and on camera
   * errors; `auto` hands off at once on a desktop without a camera; `force` always on a desktop; `off` never.
   */
  @property() handoff: HandoffMode = 'offer';
  /** The phone page's session secret (from the link): this element is the phone's side of a handoff. */
  @property({ attribute: 'handoff-session' }) handoffSession = '';
  /** The handoff routes' base URL. Default: `handoff` beside `endpoint` (`/api/id-liveness` gives `/api/handoff`). */
  @property({ attribute: 'handoff-endpoint' }) handoffEndpoint = '';

  /** The current state of the UI. */
  @state() phase: LivenessPhase = 'start';
  @state() private file?: Blob;
  @state() private previewUrl?: string;
  @state() private progress?: LivenessProgress;
  @state() private result?: LivenessResult;
  @state() private error?: LivenessErrorDetail;
  @state() private announcement = '';
  @state() private quality?: QualityReport;
  @state() private analyzing = false;
  @state() private cameraHint = '';
  /** The card found in the last preview frame: drawn over the preview, and carried by a capture. */
  @state() private previewOutline?: PreviewOutline;
  private fromCamera = false;
  /** The state the camera was opened from, restored when it is closed without a capture. */
  private cameraReturn: { phase: LivenessPhase; error?: LivenessErrorDetail } = { phase: 'start' };
  /** The camera shows full screen this time (decided when it opens). */
  private layered = false;
  /** A touch device: copy phrased for a phone, no drop hint. Read once: SSR has no matchMedia. */
  private readonly hasCoarsePointer = coarsePointer();
  private handoffFlow?: HandoffFlow;

  private readonly localize = new LocalizeController(this);
  private readonly formControl = new FormController(this, () => ({
    value: this.value,
    valid: !this.required || this.value === 'live',
    message: this.value ? this.t.notLive : this.t.required,
    flag: this.value ? 'customError' : 'valueMissing',
  }));
  /** The UI strings in use: the locale's, with `strings` over them. */
  private get t(): LivenessStrings {
    const locale = this.localize.strings;
    const device = this.hasCoarsePointer
      ? { ...locale, instructions: locale.instructionsTouch, cameraGuidance: locale.cameraGuidanceTouch }
      : locale;
    return Object.keys(this.strings).length ? { ...device, ...this.strings } : device;
  }
  /** The lazily loaded rest of the widget (pipeline, worker client, camera): loaded on the first image or camera. */
  private captureChunk?: CaptureChunk;
  private captureChunkLoading?: Promise<CaptureChunk>;
  private workerClient?: ImageWorkerClient;
  private camera?: CameraController;
  private layer?: CameraLayerController;
  private readonly upload = new UploadController(
    this,
    (file, source) => this.choose(file, source),
    () => !this.disabled && !this.busy,
  );

  private async load(): Promise<{ chunk: CaptureChunk; worker: ImageWorkerClient; camera: CameraController }> {
    // A failed fetch (offline for a moment) is forgotten, so the user's next try fetches again.
    // One that stalls is given up on too: the user sees a retryable error instead of "Starting…" for ever.
    const loading = (this.captureChunkLoading ??= withDeadline(import('./capture.chunk.ts'), CHUNK_LOAD_TIMEOUT_MS, chunkUnreachable).catch(
      (error: unknown) => {
        this.captureChunkLoading = undefined;
        throw error instanceof LivenessError ? error : chunkUnreachable();
      },
    ));
    const chunk = (this.captureChunk ??= await loading);
    this.workerClient ??= new chunk.ImageWorkerClient();
    this.camera ??= new chunk.CameraController(
      this,
      (error) => (error ? this.showError(error.detail) : this.setPhase('start', this.t.startAnnouncement)),
      () => this.renderRoot.querySelector('video'),
    );
    this.layer ??= new chunk.CameraLayerController(
      this,
      () => this.closeCamera(),
      () => this.fitPreview(),
    );
    return { chunk, worker: this.workerClient, camera: this.camera };
  }
  private inFlight?: AbortController;

  private get busy(): boolean {
    return this.phase === 'preparing' || this.phase === 'uploading';
  }

  constructor() {
    super();
    // Pointer over or focus in the widget: fetch the chunk and start the worker before the first photo needs them.
    new IntentController(
      this,
      () =>
        void this.load().then(
          ({ worker }) => worker.warm(),
          () => undefined,
        ),
    );
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the DOM: the chosen image comes back with its preview.
    if (this.file && !this.previewUrl) this.previewUrl = URL.createObjectURL(this.file);
  }

  protected override firstUpdated(): void {
    if (this.handoffSession) void this.startPhone();
    else
      void this.handoffDecision().then((decision) => {
        if (decision.start && this.phase === 'start') void this.startHandoff();
      });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort();
    this.workerClient?.dispose();
    this.setPreview(undefined);
  }

  /** Runs the whole pipeline on an image, firing the same events as the UI. Rejects with the `liveness-error` detail's error. */
  async check(image: Blob): Promise<LivenessResult> {
    this.inFlight?.abort();
    const controller = new AbortController();
    this.inFlight = controller;
    if (this.file !== image) this.setFile(image);
    this.result = undefined;
    this.error = undefined;
    this.setPhase('preparing');
    try {
      const { chunk, worker } = await this.load();
      if (this.apiKey) chunk.warnIfKeyExposed(chunk.resolveConfig(this).endpoint);
      const result = await chunk.runLivenessCheck(image, this, {
        prepare: (file, maxBytes, signal) => worker.prepare(file, maxBytes, signal),
        onProgress: (progress) => this.onProgress(progress, controller),
        signal: controller.signal,
      });
      if (this.inFlight !== controller) throw new LivenessError('aborted', 'The check was cancelled.');
      this.result = result;
      this.setPhase('result');
      this.dispatchEvent(new LivenessResultEvent(result));
      return result;
    } catch (thrown) {
      const error = LivenessError.from(thrown);
      if (this.inFlight === controller) {
        if (error.code === 'aborted') this.setPhase('preview', this.t.cancelled);
        else {
          this.error = error.detail;
          this.setPhase('error', errorMessage(this.t, error.detail));
        }
      }
      this.dispatchEvent(new LivenessErrorEvent(error.detail));
      throw error;
    } finally {
      if (this.inFlight === controller) this.inFlight = undefined;
    }
  }

  /** Cancels the work in flight; the chosen image stays, ready to check again. */
  abort(): void {
    const controller = this.inFlight;
    this.inFlight = undefined;
    controller?.abort();
    if (controller && this.isConnected) this.setPhase('preview', this.t.cancelled);
  }

  /** Returns to the start state, dropping the chosen image. */
  reset(): void {
    this.abort();
    this.camera?.stop();
    this.file = undefined;
    this.result = undefined;
    this.error = undefined;
    this.progress = undefined;
    this.quality = undefined;
    this.setPreview(undefined);
    this.setPhase('start', this.t.startAnnouncement);
  }

  /** The verdict of the last check, as submitted with a form: `live`, `spoof` or empty. */
  get value(): string {
    return this.result?.verdict ?? '';
  }

  /** The form this element belongs to, as for a native control. */
  get form(): HTMLFormElement | null {
    return this.formControl.internals?.form ?? null;
  }

  /** The control's name in the form, from the `name` attribute. */
  get name(): string {
    return this.getAttribute('name') ?? '';
  }

  get validity(): ValidityState | undefined {
    return this.formControl.internals?.validity;
  }

  get validationMessage(): string {
    return this.formControl.internals?.validationMessage ?? '';
  }

  checkValidity(): boolean {
    return this.formControl.internals?.checkValidity() ?? true;
  }

  reportValidity(): boolean {
    return this.formControl.internals?.reportValidity() ?? true;
  }

  /** A form reset returns to the start state, as a native control would. */
  formResetCallback(): void {
    this.reset();
  }

  formDisabledCallback(disabled: boolean): void {
    this.disabled = disabled;
  }

  protected override updated(changed: PropertyValues<this>): void {
    const video = this.renderRoot.querySelector('video');
    if (video && video.srcObject !== (this.camera?.stream ?? null)) video.srcObject = this.camera?.stream ?? null;
    this.layer?.sync(this.renderRoot.querySelector('dialog'));
    this.placeGuide();
    // Move focus to the new state's main control so keyboard users follow along (the layer handles its own).
    if (changed.has('phase') && changed.get('phase') !== undefined && !this.layer?.open) {
      this.renderRoot.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
  }

  private choose(file: Blob, source: ImageSource | 'camera', size?: { width: number; height: number; corners?: Quad }): void {
    this.camera?.stop();
    this.setFile(file);
    this.result = undefined;
    this.error = undefined;
    this.fromCamera = source === 'camera';
    this.setPhase('preview', this.t.ready);
    // Without the chunk there is no header to read: the check itself then reports the connection.
    this.announceCapture(file, source, size).catch(() => undefined);
    void this.runQualityGate(file);
  }

  private get thresholds(): QualityThresholds {
    return { ...DEFAULT_QUALITY_THRESHOLDS, ...this.qualityThresholds };
  }

  /** Judges the chosen image before any upload; a gate that can't run (undecodable file) stays out of the way. */
  private async runQualityGate(file: Blob): Promise<void> {
    this.quality = undefined;
    if (this.qualityCheck === 'off') return;
    this.analyzing = true;
    try {
      const { worker } = await this.load();
      const report = await worker.analyze(file, this.thresholds, { documentType: this.documentType });
      if (this.file !== file) return;
      this.quality = report;
      this.dispatchEvent(new LivenessQualityEvent(report));
      if (!report.ok) this.announcement = `${this.t.qualityIssues} ${report.issues.map((issue) => this.t.quality[issue.code]).join(' ')}`;
    } catch {
      // the check itself reports what is wrong with the file
    } finally {
      if (this.file === file) this.analyzing = false;
    }
  }

  /** Judges preview frames: live hints, and a capture once the frame has been good a few times in a row. */
  private async watchPreview(): Promise<void> {
    if (this.qualityCheck === 'off') return;
    const { chunk, worker, camera } = await this.load();
    // One loop at a time: a camera closed and opened again within a pause must not leave the old one running.
    const run = ++this.previewRun;
    await chunk.watchPreview({
      camera,
      worker,
      video: () => this.renderRoot.querySelector('video'),
      thresholds: () => this.thresholds,
      documentType: () => this.documentType,
      view: () => this.cameraLayout(),
      active: () => this.phase === 'camera' && run === this.previewRun,
      onReport: (report, frame, context) => {
        const hint = this.t.cameraHints[chunk.cameraHint(report, context)];
        this.previewOutline = report.corners ? { corners: report.corners, ...frame } : undefined;
        if (hint !== this.cameraHint) this.cameraHint = this.announcement = hint;
      },
      onSteady: this.autoCapture ? () => void this.captureStill() : undefined,
    });
  }

  private async announceCapture(file: Blob, source: ImageSource | 'camera', size?: { width: number; height: number; corners?: Quad }) {
    const { chunk } = await this.load();
    const head = await file
      .slice(0, chunk.SNIFF_BYTES)
      .arrayBuffer()
      .catch(() => new ArrayBuffer(0));
    const header = size ?? chunk.orientedSize(chunk.sniffImage(new Uint8Array(head)));
    const corners = size && 'corners' in size ? size.corners : undefined;
    this.dispatchEvent(
      new LivenessCaptureEvent({ source, width: header?.width ?? 0, height: header?.height ?? 0, ...(corners ? { corners } : {}) }),
    );
  }

  private get cameraOffered(): boolean {
    return this.mode !== 'upload';
  }

  /** Opens the camera preview; any failure ends in the error state, with upload right there. */
  private async openCamera(): Promise<void> {
    // The error stays until the camera replaces it: the view it came from shows under the layer, and returns on Cancel.
    if (this.phase !== 'camera') this.cameraReturn = { phase: this.phase, error: this.error };
    this.layered = this.cameraView === 'fullscreen' || (this.cameraView !== 'inline' && this.hasCoarsePointer);
    this.setPhase('camera', this.t.startingCamera);
    try {
      const { camera } = await this.load();
      await camera.start();
      this.cameraHint = '';
      this.setPhase('camera', this.t.cameraGuidance);
      void this.watchPreview();
    } catch (thrown) {
      const error = LivenessError.from(thrown);
      if (error.code !== 'aborted') this.showError(error.detail);
    }
  }

  /** One still at a time: a shutter tap as auto-capture fires takes the same photo, not a second one. */
  private captureStill(): Promise<void> {
    this.stillInFlight ??= this.takeStill().finally(() => (this.stillInFlight = undefined));
    return this.stillInFlight;
  }
  private stillInFlight?: Promise<void>;
  private previewRun = 0;

  private async takeStill(): Promise<void> {
    const video = this.renderRoot.querySelector('video');
    const camera = this.camera;
    const worker = this.workerClient;
    if (!video || camera?.state !== 'live' || !worker) return;
    try {
      const still = await camera.capture(video, this.documentType, {
        crop: this.crop,
        outline: this.previewOutline,
        view: this.cameraLayout(),
        worker,
      });
      this.choose(still.blob, 'camera', still);
    } catch (thrown) {
      this.showError(LivenessError.from(thrown, 'camera-unavailable').detail);
    }
  }

  /** Cancel, Escape or Back: the camera stops and the view it was opened from returns, focus on its opener. */
  private closeCamera(): void {
    if (this.phase !== 'camera') return;
    this.camera?.stop();
    const { phase, error } = this.cameraReturn;
    this.error = error;
    this.setPhase(phase, phase === 'start' ? this.t.startAnnouncement : undefined);
    void this.updateComplete.then(() => this.layer?.returnFocus());
  }

  private setFile(file: Blob): void {
    this.file = file;
    this.setPreview(URL.createObjectURL(file));
  }

  private setPreview(url: string | undefined): void {
    if (this.previewUrl) URL.revokeObjectURL(this.previewUrl);
    this.previewUrl = url;
  }

  private setPhase(phase: LivenessPhase, announcement?: string): void {
    this.phase = phase;
    if (phase !== 'preparing' && phase !== 'uploading') this.progress = undefined;
    this.announcement = announcement ?? this.announcementFor(phase);
  }

  private announcementFor(phase: LivenessPhase): string {
    const s = this.t;
    if (phase === 'preparing') return s.preparing;
    if (phase === 'uploading') return s.uploading;
    if (phase === 'result' && this.result) {
      return `${this.result.verdict === 'live' ? s.live : s.spoof}. ${s.score} ${formatScore(this.result.score)}.`;
    }
    return '';
  }

  private onProgress(progress: LivenessProgress, controller: AbortController): void {
    if (this.inFlight !== controller) return;
    this.progress = progress;
    if (progress.stage === 'uploading' && this.phase !== 'uploading') this.setPhase('uploading');
    this.dispatchEvent(new LivenessProgressEvent(progress));
  }

  private runCheck(): void {
    if (this.file) this.check(this.file).catch(() => undefined); // reported through the event and the UI
  }

  /** A phone or tablet: a touch screen, or a mobile user agent. */
  private get isPhoneOrTablet(): boolean {
    return this.hasCoarsePointer || isMobile(navigator.userAgent);
  }

  /** Whether this device offers or starts a handoff (`auto` asks the browser whether there is a camera). */
  private async handoffDecision() {
    const mode = parseHandoffMode(this.handoff);
    const touch = this.isPhoneOrTablet;
    const hasCamera =
      mode === 'auto' && !touch
        ? ((await navigator.mediaDevices?.enumerateDevices().then(
            (devices) => devices.some((device) => device.kind === 'videoinput'),
            () => undefined,
          )) ?? false)
        : undefined;
    return decideHandoff(mode, { touch, hasCamera });
  }

  /** "Use your phone instead": on desktops, unless `handoff="off"`, and never on the phone's own page. */
  private renderHandoffChoice() {
    if (this.handoffSession || !decideHandoff(parseHandoffMode(this.handoff), { touch: this.isPhoneOrTablet, hasCamera: undefined }).offer)
      return nothing;
    return html`<button part="button" class="handoff-choice" @click=${() => void this.startHandoff()}>${this.t.useYourPhone}</button>`;
  }

  private get handoffBase(): string {
    return this.handoffEndpoint || handoffBaseFor(this.endpoint || '/api/id-liveness', location.href);
  }

  /** Loads the handoff flow (lazily, like the camera) and gives it what it may touch of the element. */
  private async loadHandoff(): Promise<HandoffFlow> {
    const bundle = await import('../handoff/handoff.chunk.ts');
    return (this.handoffFlow ??= new bundle.HandoffFlow({
      host: this,
      t: () => this.t,
      settings: () => ({
        base: this.handoffBase,
        countryCode: this.countryCode,
        cardCode: this.cardCode,
        threshold: this.threshold,
        withCredentials: this.withCredentials,
        token: async () => (this.getToken ? this.getToken() : this.token),
      }),
      show: (phase, announcement) => {
        if (phase !== 'handoff') this.camera?.stop();
        this.setPhase(phase, announcement);
      },
      announce: (text) => (this.announcement = text),
      succeed: (result) => {
        this.result = result;
        this.setPhase('result');
        this.dispatchEvent(new LivenessResultEvent(result));
      },
      fail: (detail) => this.showError(detail),
      useSession: ({ token, countryCode, cardCode }) => Object.assign(this, { token, countryCode, cardCode }),
      openCamera: () => (this.mode === 'upload' ? Promise.resolve() : this.openCamera()),
      isActive: () => this.phase === 'handoff',
    }));
  }

  private async startHandoff(): Promise<void> {
    this.abort();
    this.camera?.stop();
    this.result = undefined;
    this.error = undefined;
    this.setPhase('handoff', this.t.handoffStarting);
    await (await this.loadHandoff()).startDesktop();
  }

  /** The phone's side: claim the session from the link, then the usual camera and check. */
  private async startPhone(): Promise<void> {
    await (await this.loadHandoff()).startPhone(this.handoffSession);
  }

  /** Shows an error and reports it. */
  private showError(detail: LivenessErrorDetail): void {
    this.error = detail;
    this.setPhase('error', errorMessage(this.t, detail));
    this.dispatchEvent(new LivenessErrorEvent(detail));
  }

  override render() {
    return html`
      <div part="base" class="base ${this.upload.dragging ? 'dragging' : ''}" ?inert=${this.disabled} lang=${this.localize.lang} dir=${this.localize.dir}>
        <header>
          <h2 part="title" class="title"><slot name="title">${this.t.title}</slot></h2>
          <p part="instructions" class="instructions"><slot name="instructions">${this.t.instructions}</slot></p>
        </header>
        ${this.handoffSession ? this.handoffFlow?.renderPhoneBanner(this.phase === 'result') : nothing}
        ${this.renderPhase(this.inLayer ? this.cameraReturn.phase : this.phase)}
        ${
          this.inLayer
            ? html`<dialog part="camera-layer" class="layer" aria-label=${this.t.cameraLabel}>${this.renderCamera()}${this.renderStatus()}</dialog>`
            : this.renderStatus()
        }
      </div>
    `;
  }

  /** The live region; inside the layer while it is open, since a modal dialog makes the rest inert. */
  private renderStatus() {
    return html`<div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>`;
  }

  /**
   * The camera is open full screen: the view it was opened from stays rendered (inert) under the
   * dialog, so its opener keeps focus for the return. The dialog opens once the layer code has loaded.
   */
  private get inLayer(): boolean {
    return this.phase === 'camera' && this.layered;
  }

  private renderPhase(phase: LivenessPhase) {
    switch (phase) {
      case 'handoff':
        return this.handoffFlow?.renderDesktop() ?? html`<p class="hint">${this.t.handoffStarting}</p>`;
      case 'start':
        return this.renderStart();
      case 'camera':
        return this.renderCamera();
      case 'preview':
        return renderChosen(this.view, {
          quality: this.quality,
          analyzing: this.analyzing,
          blockOnIssues: this.qualityCheck === 'block',
          fromCamera: this.fromCamera,
          onCheck: () => this.runCheck(),
          onRetake: () => void this.openCamera(),
        });
      case 'preparing':
      case 'uploading':
        return renderBusy(this.view, { uploading: this.phase === 'uploading', progress: this.progress, onCancel: () => this.abort() });
      case 'result':
        return this.result ? renderResult(this.view, { result: this.result, onCheckAnother: () => this.reset() }) : nothing;
      case 'error':
        return renderError(this.view, {
          error: this.error,
          hasImage: Boolean(this.file),
          onRetry: () => this.runCheck(),
          onCamera: () => void this.openCamera(),
          handoffChoice: this.error?.code.startsWith('camera-')
            ? html`${this.renderHandoffChoice()}${this.renderOpenInBrowser()}`
            : nothing,
        });
    }
  }

  /** Camera errors in an app's browser, or a camera that never answered: the page's link for a real browser. */
  private renderOpenInBrowser() {
    return (
      this.captureChunk?.renderOpenInBrowser({
        t: this.t,
        error: this.error,
        url: location.href,
        userAgent: navigator.userAgent,
        maxTouchPoints: navigator.maxTouchPoints,
        copied: this.linkCopied,
        onCopy: () =>
          void navigator.clipboard
            ?.writeText(location.href)
            .then(() => {
              this.linkCopied = true;
              this.announcement = this.t.linkCopiedForBrowser;
            })
            // No clipboard here (some WebViews): the link field beside the button stays selectable.
            .catch(() => undefined),
      }) ?? nothing
    );
  }
  @state() private linkCopied = false;

  private renderStart() {
    // Offered whenever the mode allows: if it can't work here, pressing it says why, beside upload.
    const camera = this.cameraOffered;
    const uploadFirst = !camera;
    return html`
      <div part="dropzone" class="dropzone">
        ${
          camera
            ? html`<button part="button primary-button" class="primary" data-autofocus @click=${this.openCamera}>${this.t.useCamera}</button>`
            : nothing
        }
        ${this.mode !== 'camera' || !camera ? this.renderUploadChoices(uploadFirst) : nothing}
        ${(this.mode !== 'camera' || !camera) && !this.hasCoarsePointer ? html`<p class="hint">${this.t.dropHint}</p>` : nothing}
        ${this.renderHandoffChoice()}
      </div>
    `;
  }

  /** The file input, plus the system camera app on phones (never a dead end). */
  private renderUploadChoices(primary: boolean, label = this.t.choose) {
    return html`${this.renderFileInput(label, primary)}
    ${this.cameraOffered && isMobile(navigator.userAgent) ? this.renderFileInput(this.t.useCameraApp, false, true) : nothing}`;
  }

  private placeGuide(): void {
    this.captureChunk?.placeGuide(this.renderRoot, this.documentType, this.cameraLayout());
  }

  /** The full-screen view as laid out now, with the track's zoom; undefined inline. */
  private cameraLayout() {
    const view = this.layer?.view();
    return view && { ...view, zoom: this.camera?.zoom ?? 1 };
  }

  /**
   * A new frame size, rotation or layout: refuses a camera too small for any usable capture, zooms in
   * where the track can (so the card stays beyond the lens's close-focus limit), and places the guide.
   */
  private fitPreview(): void {
    const video = this.renderRoot.querySelector('video');
    const { camera, captureChunk: chunk } = this;
    if (video?.videoWidth && camera?.state === 'live' && chunk) {
      const frame = { width: video.videoWidth, height: video.videoHeight };
      if (chunk.frameTooSmall(frame, this.documentType)) {
        camera.stop();
        const message = `This camera gives ${frame.width}×${frame.height} pixels, too few for a check. Choose a photo instead.`;
        return this.showError(new LivenessError('camera-unavailable', message).detail);
      }
      const view = this.layer?.view();
      if (view) void camera.setZoom(chunk.zoomFor(frame, view, this.documentType, camera.zoomRange())).then(() => this.placeGuide());
    }
    this.placeGuide();
  }

  private renderCamera() {
    if (!this.camera || !this.captureChunk) return html`<p class="hint">${this.t.startingCamera}</p>`;
    return this.captureChunk.renderCameraView({
      camera: this.camera,
      t: this.t,
      hint: this.cameraHint,
      outline: this.previewOutline,
      uploadChoice: this.mode === 'auto' ? this.renderFileInput(this.t.choosePhotoInstead, false) : nothing,
      onCapture: () => void this.captureStill(),
      onClose: () => this.closeCamera(),
      onMetadata: () => this.fitPreview(),
    });
  }

  /** The native file input, visually replaced by its label so it stays keyboard and screen-reader operable. */
  private renderFileInput(label: string, primary: boolean, cameraApp = false) {
    return html`
      <label part="file-label" class="file-label ${primary ? 'primary' : ''}">
        <input
          type="file"
          accept=${cameraApp ? 'image/*' : acceptFor(navigator.userAgent)}
          capture=${cameraApp ? 'environment' : nothing}
          aria-label=${cameraApp ? label : this.t.fileLabel}
          ?disabled=${this.disabled}
          ?data-autofocus=${primary}
          @change=${this.upload.onInputChange}
        />
        <span aria-hidden="true">${label}</span>
      </label>
    `;
  }

  private renderPreview() {
    return this.previewUrl
      ? html`<img part="preview" class="preview" src=${this.previewUrl} alt=${this.t.previewAlt} decoding="async" />`
      : nothing;
  }

  /** What the state views need from the element. */
  private get view(): ViewContext {
    return {
      t: this.t,
      preview: this.renderPreview(),
      fileInput: (label, primary) => this.renderFileInput(label, primary),
      uploadChoices: (primary, label) => this.renderUploadChoices(primary, label),
    };
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'accura-id-liveness': AccuraIdLiveness;
  }
}
