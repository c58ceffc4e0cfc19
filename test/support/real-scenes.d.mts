type P = { x: number; y: number };
export const WIDTH: number;
export const HEIGHT: number;
export const CARD_W: number;
export const CARD_H: number;
export const SPLITS: { tune: number; test: number; train: number };
export const LOOKALIKES: string[];
export function sceneSpec(split: 'tune' | 'test' | 'train', index: number, surfaces: unknown): Record<string, unknown>;
export function renderRealScene(
  spec: unknown,
  surfaces: unknown,
): { width: number; height: number; rgb: Uint8Array; corners?: [P, P, P, P]; outline?: [P, P, P, P]; share: number };
export function greyPlanes(image: { width: number; height: number; rgb: ArrayLike<number> }): {
  width: number;
  height: number;
  data: Uint8Array;
  chroma: Uint8Array;
};
