/** A rendered ID card on a table, as RGB pixels (see card-scene.mjs). */
export interface CardScene {
  width: number;
  height: number;
  rgb: Float32Array;
}
export declare const CARD_RGB: number[];
export declare const TABLE_RGB: number[];
export declare function renderCardScene(options?: { width?: number; height?: number; cardShare?: number; blurSigma?: number; seed?: number }): CardScene;
/** Writes the scene as a Y4M video the fake camera plays. */
export declare function writeY4m(path: string, scene: CardScene, frames?: number): void;
