import { css } from 'lit';

/** The handoff screens' styles, adopted by the element only once handoff is used (they load with it). */
export const handoffStyles = css`
  .handoff {
    display: grid;
    gap: 0.5rem;
    justify-items: center;
    text-align: center;
  }
  .handoff p {
    margin: 0;
  }
  .handoff-title {
    font-weight: 700;
  }
  /* Dark on light whatever the theme: phone cameras read that best. */
  .qr {
    width: min(14rem, 70vw);
    height: auto;
  }
  .qr-bg {
    fill: #ffffff;
  }
  .qr-fg {
    fill: #000000;
  }
  .handoff-link {
    display: flex;
    gap: 0.5rem;
    width: 100%;
    justify-content: center;
  }
  .handoff-link input {
    flex: 1;
    min-width: 0;
    max-width: 24rem;
    font: inherit;
    padding: 0.4rem;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 4px;
  }
  .handoff-code strong {
    font-family: ui-monospace, monospace;
    font-size: 1.3rem;
    letter-spacing: 0.1em;
  }
  .handoff-state {
    font-weight: 600;
  }
  .handoff-done {
    text-align: center;
    font-weight: 700;
  }
`;
