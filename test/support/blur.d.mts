/** A separable Gaussian blur of RGB pixels (three floats a pixel). */
export declare function gaussianBlur(rgb: Float32Array, width: number, height: number, sigma: number): Float32Array;
/** The blur's taps, 3 σ either side, summing to one. */
export declare function gaussianWeights(sigma: number): Float32Array;
