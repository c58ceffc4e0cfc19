/** The pipeline's limits, on their own: the page-load bundle needs them, not the pipeline behind them. */

/** Smallest accepted image, as displayed: a card photo below this has too little detail to judge. */
export const MIN_LONG_SIDE = 640;
export const MIN_SHORT_SIDE = 400;
/** Largest accepted image, read from the header before decoding: guards against decompression bombs. */
export const MAX_PIXELS = 100_000_000;
/** Largest accepted file; a bigger one is refused from its size alone, without reading it. */
export const MAX_INPUT_BYTES = 50_000_000;
/** The API's limit, and the default of `maxBytes`. */
export const DEFAULT_MAX_BYTES = 1_000_000;
