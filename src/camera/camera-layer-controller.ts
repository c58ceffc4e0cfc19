import { type LitElement, type ReactiveController, adoptStyles } from 'lit';
import type { CoverView } from './camera-rules.ts';
import { cameraLayerStyles } from './camera-layer.styles.ts';

/** Marks the history entry the layer adds, so that Back closes the camera instead of leaving the page. */
const HISTORY_KEY = 'accuraCameraLayer';
const styled = new WeakSet<ShadowRoot>();

/**
 * The full-screen camera's lifecycle around a modal `<dialog>` in the shadow root. The top layer
 * keeps host CSS (overflow, transform) from clipping it and keeps focus inside it; a history entry
 * lets the back gesture close it; Escape closes it; closing hands focus back to the opener.
 * The element renders the dialog; this controller opens and releases whatever it renders.
 */
export class CameraLayerController implements ReactiveController {
  private dialog?: HTMLDialogElement;
  private opener?: HTMLElement;
  private pushed = false;
  /** popstate events caused by our own history.back(), to be ignored. */
  private ownPops = 0;
  private resize?: ResizeObserver;

  constructor(
    private readonly host: LitElement,
    /** Escape, the back gesture or the browser closed the layer: the element closes the camera. */
    private readonly onDismiss: () => void,
    /** The layer changed size (rotation, browser bars): the element re-places the guide. */
    private readonly onResize: () => void,
  ) {
    // Added to a connected host, so Lit calls hostConnected right away.
    host.addController(this);
  }

  hostConnected(): void {
    addEventListener('popstate', this.onPopState);
  }

  hostDisconnected(): void {
    this.release();
    removeEventListener('popstate', this.onPopState);
    // Our history.back() lands after the listener is gone: nothing is left to ignore.
    this.ownPops = 0;
  }

  /** Called after each render with the dialog the element rendered, if any: opens a new one, releases a gone one. */
  sync(dialog: HTMLDialogElement | null): void {
    if (dialog !== (this.dialog ?? null)) {
      this.release();
      if (dialog) this.show(dialog);
    }
    // Focus stays in the layer, on the camera view once it has rendered (Space captures there).
    const active = this.host.shadowRoot?.activeElement;
    if (this.dialog && (!active || active === this.dialog || !this.dialog.contains(active))) {
      this.dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
  }

  /** True while the layer is open. */
  get open(): boolean {
    return Boolean(this.dialog);
  }

  /**
   * The covered view as laid out now: the video's box and the free area between hints and controls,
   * measured from the DOM, so CSS alone decides the layout per orientation and safe area.
   */
  view(): CoverView | undefined {
    const video = this.dialog?.querySelector('video');
    const stage = this.dialog?.querySelector('.stage');
    if (!video || !stage) return undefined;
    const box = video.getBoundingClientRect();
    const area = stage.getBoundingClientRect();
    if (!box.width || !box.height || !area.width || !area.height) return undefined;
    return {
      box: { width: box.width, height: box.height },
      area: { x: area.left - box.left, y: area.top - box.top, width: area.width, height: area.height },
    };
  }

  /** Gives focus back to the control that opened the layer, if it is still on the page. */
  returnFocus(): void {
    if (this.opener?.isConnected) this.opener.focus();
    this.opener = undefined;
  }

  private show(dialog: HTMLDialogElement): void {
    const root = this.host.shadowRoot;
    if (root && !styled.has(root)) {
      adoptStyles(root, [...(this.host.constructor as typeof LitElement).elementStyles, cameraLayerStyles]);
      styled.add(root);
    }
    const active = root?.activeElement;
    this.opener = active instanceof HTMLElement ? active : undefined;
    this.dialog = dialog;
    dialog.addEventListener('cancel', this.onCancel);
    dialog.addEventListener('close', this.onClose);
    dialog.showModal();
    const state: unknown = history.state;
    history.pushState({ ...(state && typeof state === 'object' ? state : {}), [HISTORY_KEY]: true }, '');
    this.pushed = true;
    this.resize = new ResizeObserver(() => this.onResize());
    this.resize.observe(dialog);
  }

  /** Forgets the dialog (closing it if still open) and drops the history entry it added. */
  private release(): void {
    const dialog = this.dialog;
    if (!dialog) return;
    this.dialog = undefined;
    this.resize?.disconnect();
    this.resize = undefined;
    dialog.removeEventListener('cancel', this.onCancel);
    dialog.removeEventListener('close', this.onClose);
    if (dialog.open) dialog.close();
    if (this.pushed) {
      this.pushed = false;
      this.ownPops++;
      history.back();
    }
  }

  private readonly onCancel = (event: Event): void => {
    // Escape: close through the element, which stops the camera and re-renders without the dialog.
    event.preventDefault();
    this.onDismiss();
  };

  private readonly onClose = (): void => {
    // Closed by the browser (a close request it would not let us cancel).
    if (this.dialog) this.onDismiss();
  };

  private readonly onPopState = (): void => {
    if (this.ownPops > 0) {
      this.ownPops--;
      return;
    }
    if (!this.dialog || (history.state as Record<string, unknown> | null)?.[HISTORY_KEY]) return;
    // Back: the entry is already gone.
    this.pushed = false;
    this.onDismiss();
  };
}
