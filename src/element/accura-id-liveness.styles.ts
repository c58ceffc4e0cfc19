import { css } from 'lit';

export const styles = css`
  :host {
    --_bg: var(--accura-bg, #ffffff);
    --_fg: var(--accura-fg, #1b1f24);
    --_muted: var(--accura-muted, #57606a);
    --_border: var(--accura-border, #d0d7de);
    --_accent: var(--accura-accent, #0b5cad);
    --_accent-fg: var(--accura-accent-fg, #ffffff);
    --_live: var(--accura-live, #116329);
    --_spoof: var(--accura-spoof, #b3261e);
    --_radius: var(--accura-radius, 12px);
    --_gap: var(--accura-gap, 1rem);
    display: block;
    max-width: 32rem;
    font-family: var(--accura-font, inherit);
    color: var(--_fg);
    color-scheme: light dark;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_bg: var(--accura-bg, #161b22);
      --_fg: var(--accura-fg, #e6edf3);
      --_muted: var(--accura-muted, #9da7b3);
      --_border: var(--accura-border, #3d444d);
      --_accent: var(--accura-accent, #4493f8);
      --_accent-fg: var(--accura-accent-fg, #0d1117);
      --_live: var(--accura-live, #3fb950);
      --_spoof: var(--accura-spoof, #ff7b72);
    }
  }
  :host([hidden]) {
    display: none;
  }
  :host([disabled]) {
    opacity: 0.6;
  }
  .base {
    display: grid;
    gap: var(--_gap);
    padding: calc(var(--_gap) * 1.25);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .base.dragging {
    outline: 3px dashed var(--_accent);
    outline-offset: -6px;
  }
  .title {
    margin: 0;
    font-size: 1.25rem;
  }
  .instructions,
  .hint,
  .verdict-hint {
    margin: 0.25rem 0 0;
    color: var(--_muted);
  }
  .dropzone {
    display: grid;
    justify-items: center;
    gap: 0.5rem;
    padding: calc(var(--_gap) * 1.5) var(--_gap);
    border: 2px dashed var(--_border);
    border-radius: calc(var(--_radius) - 4px);
    text-align: center;
  }
  .preview {
    display: block;
    width: 100%;
    max-height: 18rem;
    object-fit: contain;
    border-radius: calc(var(--_radius) - 4px);
    background: color-mix(in srgb, var(--_fg) 6%, transparent);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  button,
  .file-label {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-height: 2.75rem;
    padding: 0 1.1rem;
    font: inherit;
    font-weight: 600;
    color: var(--_accent);
    background: transparent;
    border: 1px solid currentColor;
    border-radius: 999px;
    cursor: pointer;
  }
  .primary {
    color: var(--_accent-fg);
    background: var(--_accent);
    border-color: var(--_accent);
  }
  .file-label {
    position: relative;
  }
  .file-label input {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    opacity: 0;
    cursor: pointer;
  }
  button:focus-visible,
  .file-label:has(input:focus-visible) {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  progress {
    width: 100%;
    height: 0.5rem;
    accent-color: var(--_accent);
  }
  .busy-label {
    margin: 0;
  }
  .result {
    padding: var(--_gap);
    border-radius: calc(var(--_radius) - 4px);
    border-inline-start: 6px solid currentColor;
    background: color-mix(in srgb, currentColor 8%, transparent);
  }
  .result.live {
    color: var(--_live);
  }
  .result.spoof,
  .error {
    color: var(--_spoof);
  }
  .verdict,
  .error-title {
    margin: 0;
    font-size: 1.2rem;
    font-weight: 700;
  }
  .score,
  .error-message {
    margin: 0.25rem 0 0;
    color: var(--_fg);
  }
  .sandbox {
    margin: 0.5rem 0 0;
    padding: 0.25rem 0.5rem;
    color: #4d3800;
    background: #fff3cd;
    border-radius: 4px;
    font-weight: 600;
  }
  .error {
    padding: var(--_gap);
    border-radius: calc(var(--_radius) - 4px);
    background: color-mix(in srgb, currentColor 8%, transparent);
  }
  .camera {
    display: grid;
    gap: 0.75rem;
    border-radius: calc(var(--_radius) - 4px);
  }
  .camera:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  .viewport {
    position: relative;
    overflow: hidden;
    border-radius: calc(var(--_radius) - 4px);
    background: #000;
    min-height: 8rem;
  }
  video {
    display: block;
    width: 100%;
    height: auto;
  }
  .guide {
    position: absolute;
    border: 3px solid #ffffff;
    border-radius: 4% / 6%;
    /* dims everything outside the guide */
    box-shadow: 0 0 0 100vmax rgb(0 0 0 / 0.55);
    pointer-events: none;
  }
  .hint {
    text-align: center;
  }
  /* the found card's outline, in frame pixels scaled to the preview */
  .outline {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    pointer-events: none;
  }
  .outline polygon {
    fill: none;
    stroke: var(--accura-outline, #3fb950);
    stroke-width: 3;
    stroke-linejoin: round;
    vector-effect: non-scaling-stroke;
  }
  .quality {
    padding: 0.75rem var(--_gap);
    border-radius: calc(var(--_radius) - 4px);
    border-inline-start: 6px solid #b58100;
    background: color-mix(in srgb, #b58100 10%, transparent);
  }
  .quality p,
  .quality ul {
    margin: 0;
  }
  .quality ul {
    padding-inline-start: 1.25rem;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  @media (prefers-reduced-motion: no-preference) {
    button,
    .file-label {
      transition: filter 120ms ease;
    }
    button:hover,
    .file-label:hover {
      filter: brightness(1.1);
    }
  }
`;
