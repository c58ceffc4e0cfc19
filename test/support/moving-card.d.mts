type P = { x: number; y: number };
export const MOVING_WIDTH: number;
export const MOVING_HEIGHT: number;
export const MOVING_FPS: number;
export const MOVING_VERSION: number;
export const SQUARE_CORNERS: P[];
export const MOVING_SHOTS: { name: string; frames: number; pose?: Record<string, number>; corners?: P[] }[];
export const MOVING_DISTANCE: number;
