import { css } from 'lit';

/**
 * The full-screen camera: the preview covers the screen, hints at the top, the shutter and its
 * companions at the bottom (portrait) or the inline end (landscape), clear of notches and home bars.
 * Loaded with the camera, and adopted into the shadow root only when the layer first opens, so the
 * page-load bundle does not carry it.
 */
export const cameraLayerStyles = css`
  .layer {
    /* Room kept free above and below the guide: in portrait the same both ways, so the guide sits on the lens axis. */
    --_top: 10.5rem;
    --_bottom: 10.5rem;
    --_column: 0px;
    --_side: max(env(safe-area-inset-left, 0px), env(safe-area-inset-right, 0px));
    position: fixed;
    inset: 0;
    width: 100%;
    height: 100%;
    max-width: none;
    max-height: none;
    margin: 0;
    padding: 0;
    border: 0;
    overflow: hidden;
    overscroll-behavior: contain;
    color: #ffffff;
    background: #000000;
  }
  @media (orientation: landscape) {
    .layer {
      --_top: 4.5rem;
      --_bottom: 0.75rem;
      --_column: 11rem;
    }
  }
  .layer::backdrop {
    background: #000000;
  }
  .layer .camera,
  .layer .viewport {
    position: absolute;
    inset: 0;
    display: block;
    border-radius: 0;
    min-height: 0;
  }
  .layer .camera:focus-visible {
    outline-offset: -4px;
  }
  .layer video {
    width: 100%;
    height: 100%;
    object-fit: cover;
  }
  /* The free area between hints and controls: the guide is centred in it (measured by script). */
  .layer .stage {
    position: absolute;
    top: calc(env(safe-area-inset-top, 0px) + var(--_top));
    bottom: calc(env(safe-area-inset-bottom, 0px) + var(--_bottom));
    /* The controls' column (landscape) is kept free on both sides, so the guide stays centred. */
    inset-inline: calc(var(--_side) + var(--_column));
    pointer-events: none;
  }
  .layer .hint {
    position: absolute;
    top: 0;
    inset-inline: 0 var(--_column);
    margin: 0;
    padding: calc(env(safe-area-inset-top, 0px) + 0.75rem) calc(var(--_side) + 1rem) 1.25rem;
    color: #ffffff;
    font-weight: 600;
    text-shadow: 0 1px 3px #000000;
    background: linear-gradient(rgb(0 0 0 / 0.7), rgb(0 0 0 / 0));
  }
  .layer .actions {
    position: absolute;
    inset-inline: 0;
    bottom: 0;
    display: grid;
    grid-template-columns: 1fr auto 1fr;
    grid-template-areas: 'torch shutter switch' 'cancel shutter upload';
    align-items: center;
    justify-items: center;
    gap: 0.75rem;
    padding: 1.5rem calc(var(--_side) + 0.75rem) calc(env(safe-area-inset-bottom, 0px) + 1.25rem);
    background: linear-gradient(rgb(0 0 0 / 0), rgb(0 0 0 / 0.7) 35%);
  }
  @media (orientation: landscape) {
    .layer .actions {
      inset-inline: auto 0;
      top: 0;
      width: var(--_column);
      grid-template-columns: 1fr;
      grid-template-areas: 'switch' 'torch' 'shutter' 'cancel' 'upload';
      align-content: center;
      padding: calc(env(safe-area-inset-top, 0px) + 0.75rem) calc(var(--_side) + 0.75rem) calc(env(safe-area-inset-bottom, 0px) + 0.75rem) 0.75rem;
      background: rgb(0 0 0 / 0.6);
    }
  }
  .layer .actions > * {
    max-width: 100%;
    font-size: 0.875rem;
    line-height: 1.2;
    text-align: center;
  }
  .layer .actions button:not(.primary),
  .layer .actions .file-label {
    color: #ffffff;
    background: rgb(0 0 0 / 0.55);
    border-color: #ffffff;
  }
  .layer .shutter {
    grid-area: shutter;
    min-width: 4.5rem;
    min-height: 4.5rem;
    padding: 0 0.9rem;
    font-size: 1rem;
    border-radius: 999px;
    box-shadow: 0 0 0 4px #ffffff;
  }
  .layer .cancel {
    grid-area: cancel;
  }
  .layer .switch {
    grid-area: switch;
  }
  .layer .torch {
    grid-area: torch;
  }
  .layer .file-label {
    grid-area: upload;
  }
`;
