/** A separable Gaussian blur of RGB pixels (three floats a pixel). */
export declare function gaussianBlur(rgb: Float32Array, width: number, height: number, sigma: number): Float32Array;
