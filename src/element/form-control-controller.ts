import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface FormState {
  /** The value submitted with the form; empty for none. */
  value: string;
  /** True when the form may be submitted with this value. */
  valid: boolean;
  /** Why it may not, in the user's language. */
  message: string;
  /** Which ValidityState flag describes that. */
  flag: 'valueMissing' | 'customError';
}

/**
 * Form association through ElementInternals: keeps the submitted value and the validity in step
 * with the host after every update. Does nothing where `attachInternals` is missing (SSR, old browsers).
 */
export class FormController implements ReactiveController {
  readonly internals?: ElementInternals;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement & { renderRoot: ParentNode },
    private readonly state: () => FormState,
  ) {
    this.internals = typeof host.attachInternals === 'function' ? host.attachInternals() : undefined;
    host.addController(this);
  }

  hostUpdated(): void {
    if (!this.internals) return;
    const { value, valid, message, flag } = this.state();
    this.internals.setFormValue(value || null);
    if (valid) return this.internals.setValidity({});
    // The browser's message points at the widget's first control.
    const anchor = this.host.renderRoot.querySelector<HTMLElement>('button, input') ?? undefined;
    this.internals.setValidity({ [flag]: true }, message, anchor);
  }
}
