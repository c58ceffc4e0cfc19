import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Calls `onIntent` the first time the pointer comes over the host or focus comes into it, while it is
 * on the page: the moment to warm what the first photo needs (a chunk over a slow network, the worker).
 */
export class IntentController implements ReactiveController {
  private fired = false;
  private readonly handle = () => {
    if (this.fired) return;
    this.fired = true;
    this.onIntent();
  };

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly onIntent: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.host.addEventListener('pointerenter', this.handle);
    this.host.addEventListener('focusin', this.handle);
  }

  hostDisconnected(): void {
    this.host.removeEventListener('pointerenter', this.handle);
    this.host.removeEventListener('focusin', this.handle);
    // The worker is disposed with the element: warm again when it comes back.
    this.fired = false;
  }
}
