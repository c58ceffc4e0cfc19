/** The gate's limits, on their own: the page-load bundle needs the defaults, not the detector behind them. */
/** Every limit of the gate; hosts adjust them with the element's `qualityThresholds` property. */
export interface QualityThresholds {
  /** Variance of the Laplacian over the variance of the pixels, in the detail crop: below is blurred. */
  minSharpness: number;
  /** Largest blob of near-white (≥ 250) pixels, as a share of the document area: above is glare. */
  maxGlareBlob: number;
  /** Mean luminance (0–255) below which the image is too dark. */
  minMeanLuminance: number;
  /** Mean luminance above which the image is too bright. */
  maxMeanLuminance: number;
  /** Share of the whole image clipped to white (≥ 250) above which it is over-exposed. */
  maxClippedShare: number;
  /** The document's long side in the source image, in pixels: below is too little detail. */
  minDocumentLongSide: number;
  /** The document's share of the image (or of the guide) area: below is not framed. */
  minDocumentFill: number;
  /** Degrees a corner may be off square (tilt) or the card turned from level: above is skewed. */
  maxSkewDegrees: number;
}

export const DEFAULT_QUALITY_THRESHOLDS: QualityThresholds = {
  minSharpness: 0.02,
  maxGlareBlob: 0.004,
  minMeanLuminance: 60,
  maxMeanLuminance: 205,
  maxClippedShare: 0.25,
  minDocumentLongSide: 600,
  minDocumentFill: 0.25,
  maxSkewDegrees: 12,
};
