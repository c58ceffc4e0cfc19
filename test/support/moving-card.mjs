// The moving fake camera's script, shared by the renderer (web-test-runner.config.mjs, in Node)
// and the browser test that checks what the widget made of it. Pure: no Node imports.

export const MOVING_WIDTH = 1280;
export const MOVING_HEIGHT = 720;
export const MOVING_FPS = 5;
/** Bump when the shots change: the rendered video is kept under test/fixtures/generated/. */
export const MOVING_VERSION = 1;

/**
 * Where the card ends up, square to the camera and filling most of the guide, in frame pixels
 * (top-left, top-right, bottom-right, bottom-left).
 */
export const SQUARE_CORNERS = [
  { x: 210, y: 89 },
  { x: 1070, y: 89 },
  { x: 1070, y: 631 },
  { x: 210, y: 631 },
];

/**
 * The shots, in order, each held for `frames` frames at MOVING_FPS: the bare table; the card
 * sliding in from the right (cut off); held tilted about 30° and turned a little, wobbling; still tilted as it settles; then
 * square and still. `pose` is for projectRectangle; `corners` is given outright for the square shot.
 */
export const MOVING_SHOTS = [
  { name: 'table', frames: 5 },
  ...[900, 700, 500, 300].map((shiftX) => ({ name: 'entering', frames: 1, pose: { tilt: 10, direction: 90, roll: 4, shiftX, shiftY: 0 } })),
  ...[32, 30, 33, 29, 32].map((tilt, i) => ({
    name: 'tilted',
    frames: 3,
    pose: { tilt, direction: 45, roll: 9 - i, shiftX: 20 - i * 6, shiftY: -10 + i * 4 },
  })),
  ...[26, 22].map((tilt, i) => ({
    name: 'settling',
    frames: 1,
    pose: { tilt, direction: 45, roll: 6 - i * 2, shiftX: 6 - i * 2, shiftY: 0 },
  })),
  { name: 'square', frames: 20, corners: SQUARE_CORNERS },
];

/** How far the card is from the camera, in card heights, for the posed shots. */
export const MOVING_DISTANCE = 2.1;
