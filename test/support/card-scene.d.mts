/** RGB pixels of a rendered ID card on a table, and where the card is. */
export interface CardScene {
  width: number;
  height: number;
  rgb: Float32Array;
  card: { left: number; top: number; width: number; height: number };
}
export declare const CARD_RGB: [number, number, number];
export declare const TABLE_RGB: [number, number, number];
export declare function renderCardScene(options?: { width?: number; height?: number; cardShare?: number; blurSigma?: number; seed?: number }): CardScene;
export declare function writeY4m(path: string, scene: CardScene, frames?: number): void;
/** Chromium flags for a fake camera filming `scene` (written to test/fixtures/generated/NAME.y4m). */
export declare function fakeCameraArgs(name: string, scene: CardScene): string[];
