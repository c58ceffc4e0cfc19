/**
 * Everything cross-device handoff adds to the element, imported lazily: only when the user asks
 * for the phone, `handoff` hands off by itself, or the page is the phone's (`handoff-session`).
 */
export { HandoffFlow, type HandoffPort } from './handoff-flow.ts';
