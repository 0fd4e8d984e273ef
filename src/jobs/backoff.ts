export interface Backoff {
  /** The cap of the first retry's delay, doubled for each later one. */
  baseMs: number;
  /** No delay exceeds this. */
  maxMs: number;
}

/**
 * The wait before retrying after failed attempt `attempt` (the first being 1): exponential backoff
 * with full jitter, a uniform draw from [0, min(maxMs, baseMs x 2^(attempt-1))), so workers that
 * failed together do not retry together.
 */
export function retryDelayMs(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const cap = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}
