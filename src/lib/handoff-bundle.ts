/**
 * Everything cross-device handoff adds to the element, imported lazily: only when the user asks
 * for the phone, `handoff` hands off by itself, or the page is the phone's (`handoff-session`).
 */
export { DesktopHandoffController, PhoneHandoffController } from '../controllers/handoff.ts';
export { renderHandoffView, renderPhoneBanner } from '../views/handoff-view.ts';

export type HandoffBundle = typeof import('./handoff-bundle.ts');
