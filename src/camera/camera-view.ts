/**
 * The camera view: loaded with the capture chunk, only once the user asks
 * for the camera, so the page-load bundle stays small.
 */
import { type TemplateResult, html, nothing } from 'lit';
import type { CameraController } from './camera-controller.ts';
import { type CoverView, type DocumentType, guideRect, viewFit, viewGuideRect } from './camera-rules.ts';
import type { Quad } from '../quality/corners/geometry.ts';
import type { LivenessStrings } from '../i18n/locales/en.ts';
import type { LensName } from './lens-rules.ts';

/** The found card's corners in a preview frame of the given size. */
export interface PreviewOutline {
  corners: Quad;
  width: number;
  height: number;
}

export interface CameraViewOptions {
  camera: CameraController;
  t: LivenessStrings;
  hint: string;
  /** The card found in the last analysed frame, outlined over the preview. */
  outline?: PreviewOutline;
  /** The "Choose a photo instead" control, when the mode offers it. */
  uploadChoice: TemplateResult | typeof nothing;
  onCapture: () => void;
  onClose: () => void;
  onMetadata: () => void;
}

/** Preview, guide and controls. Space or Enter on the preview captures; Escape cancels. */
export function renderCameraView({
  camera,
  t,
  hint,
  outline,
  uploadChoice,
  onCapture,
  onClose,
  onMetadata,
}: CameraViewOptions): TemplateResult {
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
    } else if ((event.key === ' ' || event.key === 'Enter') && !(event.target as Element).closest?.('button, label, input')) {
      event.preventDefault();
      onCapture();
    }
  };
  const live = camera.state === 'live';
  return html`
    <div part="camera" class="camera" role="group" aria-label=${t.cameraLabel} tabindex="0" data-autofocus @keydown=${onKey}>
      <div class="viewport">
        <video part="video" autoplay muted playsinline aria-hidden="true" @loadedmetadata=${onMetadata}></video>
        <div class="stage"></div>
        <div part="guide" class="guide"></div>
        ${
          outline
            ? // An SVG attribute, not a style, keeps the strict CSP; "slice" is object-fit: cover, so the outline
              // follows the card in the full-screen view too (inline, the box has the frame's own aspect).
              html`<svg part="outline" class="outline" viewBox="0 0 ${outline.width} ${outline.height}" preserveAspectRatio="xMidYMid slice" aria-hidden="true">
              <polygon points=${outline.corners.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')}></polygon>
            </svg>`
            : nothing
        }
      </div>
      <p class="hint">${live ? (camera.black ? t.cameraHints.black : hint || t.cameraGuidance) : t.startingCamera}</p>
      <div class="actions">
        <button part="button primary-button shutter" class="primary shutter" ?disabled=${!live} @click=${onCapture}>${t.capture}</button>
        <button part="button" class="cancel" @click=${onClose}>${t.cancel}</button>
        ${camera.canSwitch ? html`<button part="button" class="switch" @click=${() => camera.switchCamera().catch(() => undefined)}>${switchLabel(t, camera.nextCamera)}</button>` : nothing}
        ${
          camera.hasTorch
            ? html`<button part="button" class="torch" aria-pressed=${camera.torchOn ? 'true' : 'false'} @click=${() => camera.toggleTorch().catch(() => undefined)}>
              ${camera.torchOn ? t.torchOff : t.torchOn}
            </button>`
            : nothing
        }
        ${uploadChoice}
      </div>
    </div>
  `;
}

/** The switch button's text and accessible name: the camera it moves to. */
export function switchLabel(t: LivenessStrings, next: LensName | undefined): string {
  if (!next) return t.switchCamera;
  const name = next.kind === 'label' ? next.label : t.cameraNames[next.kind];
  return t.switchTo.replace('{camera}', next.number ? `${name} ${next.number}` : name);
}

/**
 * Places the guide over the preview by the same rule that crops the capture (CSSOM: allowed under a
 * strict CSP). Inline, in percentages of the frame; full screen, in pixels of the view, which shows
 * the frame covered or, when covering would leave too few pixels, contained (viewFit).
 */
export function placeGuide(root: ParentNode, type: DocumentType, view: CoverView | undefined): void {
  const video = root.querySelector('video');
  const guide = root.querySelector<HTMLElement>('[part=guide]');
  if (!video || !guide) return;
  const frame = { width: video.videoWidth || 16, height: video.videoHeight || 9 };
  const { width, height } = view?.box ?? frame;
  let rect = guideRect(frame.width, frame.height, type);
  if (view) {
    const fit = video.videoWidth ? viewFit(frame, view, type) : 'cover';
    rect = viewGuideRect(view, type, frame);
    if (video.style.objectFit !== fit) video.style.objectFit = fit;
    // The outline's viewBox is the frame: "meet" is contain, "slice" is cover.
    root.querySelector('svg.outline')?.setAttribute('preserveAspectRatio', `xMidYMid ${fit === 'cover' ? 'slice' : 'meet'}`);
  }
  const percent = (value: number, of: number) => `${(value / of) * 100}%`;
  Object.assign(guide.style, {
    left: percent(rect.x, width),
    top: percent(rect.y, height),
    width: percent(rect.width, width),
    height: percent(rect.height, height),
  });
}
