/** Type-only leaf: the shapes the corner detector, the quality rules and the public events share. */

export interface GrayImage {
  data: Uint8Array;
  width: number;
  height: number;
  /**
   * Optional colour plane, blue minus red halved plus 128 (what toGray adds): the corner detector
   * also looks for edges in it, so a blue card header on a brown table of the same grey still shows.
   */
  chroma?: Uint8Array;
}

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface Point {
  x: number;
  y: number;
}

/** Corners in image pixels: top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point];

/** A line in normal form (unit normal and offset: nx·x + ny·y = rho), with its Hough votes. */
export interface Line {
  nx: number;
  ny: number;
  rho: number;
  votes: number;
}
