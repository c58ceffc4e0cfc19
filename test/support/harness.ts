/** Shared setup for element tests: a fresh element pointed at the local test endpoint. */
import { fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/accura-id-liveness.ts';
import type { AccuraIdLiveness, LivenessError } from '../../src/index.ts';

let counter = 0;

export interface RecordedField {
  filename: string;
  type: string;
  size: number;
  base64: string;
}
export interface RecordedRequest {
  dropped?: boolean;
  headers: Record<string, string>;
  bodyBytes: number;
  fields: Record<string, string | RecordedField>;
}

/** A unique endpoint URL on the test server, with the behaviour given as query parameters. */
export function testEndpoint(params: Record<string, string | number> = {}): { url: string; id: string } {
  const id = `t${Date.now()}-${++counter}`;
  const query = new URLSearchParams({ id, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
  return { url: `/test-api/liveness?${query}`, id };
}

export async function requestsFor(id: string): Promise<RecordedRequest[]> {
  const response = await fetch(`/test-api/requests?id=${encodeURIComponent(id)}`);
  return response.json();
}

export async function makeElement(params: Record<string, string | number> = {}, attributes: Partial<AccuraIdLiveness> = {}) {
  const endpoint = testEndpoint(params);
  const el = await fixture<AccuraIdLiveness>(html`<accura-id-liveness endpoint=${endpoint.url} country-code="USA" card-code="MRZ"></accura-id-liveness>`);
  // The quality gate has its own tests; elsewhere it would only add a step before "Check document".
  Object.assign(el, { qualityCheck: 'off' }, attributes);
  await el.updateComplete;
  return { el, id: endpoint.id };
}

/** Chooses a file through the element's real file input, as a user would. */
export async function chooseFile(el: AccuraIdLiveness, file: File): Promise<void> {
  await el.updateComplete;
  const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[type=file]')!;
  const transfer = new DataTransfer();
  transfer.items.add(file);
  input.files = transfer.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
  await el.updateComplete;
}

/** Waits until the quality gate has judged the chosen image. */
export async function untilJudged(el: AccuraIdLiveness): Promise<void> {
  for (let i = 0; i < 400 && el.shadowRoot!.textContent!.includes('Checking the photo quality'); i++) await new Promise((r) => setTimeout(r, 25));
  await el.updateComplete;
}

export function button(el: AccuraIdLiveness, text: string): HTMLButtonElement {
  const found = [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);
  if (!found) throw new Error(`No button "${text}" in phase ${el.phase}`);
  return found;
}

export async function untilPhase(el: AccuraIdLiveness, phase: AccuraIdLiveness['phase'], timeout = 20_000): Promise<void> {
  const start = performance.now();
  while (el.phase !== phase) {
    if (performance.now() - start > timeout) throw new Error(`Timed out waiting for ${phase}; phase is ${el.phase}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await el.updateComplete;
}

/** The error a check rejects with; fails the test when it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<LivenessError> {
  try {
    await promise;
  } catch (error) {
    return error as LivenessError;
  }
  throw new Error('expected the check to fail');
}

export { oneEvent };
