/** The demo page: selectors, the widget with short-lived tokens, an event log, a theme switch and the embed snippet. */
import '../src/accura-id-liveness.ts';
import type { AccuraIdLiveness } from '../src/index.ts';

const widget = document.querySelector<AccuraIdLiveness>('#widget')!;
const country = document.querySelector<HTMLSelectElement>('#country')!;
const card = document.querySelector<HTMLSelectElement>('#card')!;
const log = document.querySelector<HTMLOListElement>('#event-log')!;
const snippet = document.querySelector<HTMLElement>('#snippet')!;
const banner = document.querySelector<HTMLElement>('#sandbox-banner')!;
const darkTheme = document.querySelector<HTMLInputElement>('#dark-theme')!;

/** Asks the demo server for a token bound to this origin and the chosen codes. */
widget.getToken = async () => {
  const response = await fetch('/api/liveness-token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ country_code: widget.countryCode, card_code: widget.cardCode }),
  });
  if (!response.ok) throw new Error(`token route answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
};

function showSandbox(visible: boolean): void {
  banner.hidden = !visible;
}

fetch('/api/demo-config')
  .then((response) => response.json())
  .then((config: { mode: string }) => showSandbox(config.mode === 'sandbox'))
  .catch(() => undefined);

function logEvent(name: string, detail: unknown): void {
  // Progress arrives many times a second: keep one line per stage.
  const last = log.firstElementChild as HTMLLIElement | null;
  if (name === 'liveness-progress' && last?.dataset.name === name) last.remove();
  const item = document.createElement('li');
  item.dataset.name = name;
  const title = document.createElement('span');
  title.className = 'name';
  title.textContent = `${new Date().toLocaleTimeString()} ${name}`;
  const body = document.createElement('pre');
  body.textContent = JSON.stringify(detail, null, 2);
  item.append(title, body);
  log.prepend(item);
}

for (const name of [
  'liveness-capture',
  'liveness-quality',
  'liveness-progress',
  'liveness-handoff',
  'liveness-result',
  'liveness-error',
] as const) {
  widget.addEventListener(name, (event) => logEvent(name, event.detail));
}
widget.addEventListener('liveness-result', (event) => {
  const response = event.detail.response as { sandbox?: unknown } | null;
  showSandbox(response?.sandbox === true);
});
document.querySelector('#clear-log')!.addEventListener('click', () => log.replaceChildren());

function renderSnippet(): void {
  snippet.textContent = `<script src="/accura-id-liveness.min.js"></script>

<accura-id-liveness
  endpoint="/api/id-liveness"
  country-code="${widget.countryCode}"
  card-code="${widget.cardCode}"
></accura-id-liveness>

<script src="/your-page.js"></script>
// your-page.js: a fresh short-lived token from your own server before each check
const widget = document.querySelector('accura-id-liveness');
widget.getToken = async () => {
  const response = await fetch('/api/liveness-token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ country_code: widget.countryCode, card_code: widget.cardCode }),
  });
  return (await response.json()).token;
};
widget.addEventListener('liveness-result', (event) => {
  console.log(event.detail.verdict, event.detail.score);
});`;
}

country.addEventListener('change', () => {
  widget.countryCode = country.value;
  renderSnippet();
});
card.addEventListener('change', () => {
  widget.cardCode = card.value;
  renderSnippet();
});
darkTheme.checked = matchMedia('(prefers-color-scheme: dark)').matches;
const applyTheme = () => document.documentElement.classList.toggle('dark', darkTheme.checked);
darkTheme.addEventListener('change', applyTheme);
applyTheme();
renderSnippet();
