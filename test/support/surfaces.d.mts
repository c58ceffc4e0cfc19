export const SURFACES: { name: string; file: string; group: string }[];
export function loadSurfaces(): Promise<
  { name: string; group: string; width: number; height: number; rgb: Uint8Array; luminance: number }[]
>;
