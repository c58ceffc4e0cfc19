/** A seeded generator of numbers in [0, 1). */
export declare function seededRandom(seed: number): () => number;
