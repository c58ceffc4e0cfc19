/** The vendor's preferred threshold, in percent. */
export const DEFAULT_THRESHOLD = 55;

export type Verdict = 'live' | 'spoof';

/** Live if and only if the score is strictly above the threshold: 55 exactly is a spoof. */
export function verdictFor(score: number, threshold: number = DEFAULT_THRESHOLD): Verdict {
  return score > threshold ? 'live' : 'spoof';
}
