/** blur.mjs's `gaussianBlur`, float for float, with its taps summed in WebAssembly (Node only). */
export declare function gaussianBlurSimd(rgb: Float32Array, width: number, height: number, sigma: number): Float32Array;
