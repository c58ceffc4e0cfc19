export const CARD_RGB: number[];
export const TABLE_RGB: number[];
export const SCENE_ASPECT: { 'id-card': number; passport: number };
export const BACKGROUNDS: string[];
export function renderCardScene(options?: { width?: number; height?: number; cardShare?: number; blurSigma?: number; seed?: number }): {
  width: number;
  height: number;
  rgb: Float32Array;
  card: { left: number; top: number; width: number; height: number };
};
export function writeY4m(path: string, image: { width: number; height: number; rgb: Float32Array }, frames?: number): void;
export function gaussianBlur(rgb: Float32Array, width: number, height: number, sigma: number): Float32Array;
type P = { x: number; y: number };
export function squareToQuad(q: P[]): number[];
export function projectRectangle(options: Record<string, number>): P[];
export function describeScene(next: () => number, options?: Record<string, unknown>): any;
export function renderScene(scene: any): { width: number; height: number; rgb: Float32Array; corners?: P[] };
export function sceneSet(options?: { seed?: number; cards?: number; empty?: number; width?: number; height?: number }): any[];
export function toGrayBytes(image: { width: number; height: number; rgb: ArrayLike<number> }): {
  width: number;
  height: number;
  data: Uint8Array;
  chroma: Uint8Array;
};
export function writeY4mVideo(
  path: string,
  shots: { image: { width: number; height: number; rgb: Float32Array }; frames: number }[],
  fps?: number,
): void;
export function renderMovingShots(
  shots: { frames: number; pose?: Record<string, number>; corners?: P[] }[],
  options: { width: number; height: number; distance: number; withCard?: boolean; seed?: number },
): { image: { width: number; height: number; rgb: Float32Array }; frames: number }[];
/** Chromium flags for a fake camera filming `scene` (written to test/fixtures/generated/NAME.y4m). */
export function fakeCameraArgs(name: string, scene: { width: number; height: number; rgb: Float32Array }): string[];
/** Chromium flags for a fake camera that plays a .y4m file. */
export function fakeCameraFlags(file: string): string[];
