import { createHash } from 'node:crypto';

/** A deterministic pseudo-random stream (mulberry32) keyed by a seed and a stream name. */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [low, high). */
  between(low: number, high: number): number;
  /** Standard normal (Box-Muller). */
  gaussian(): number;
  /** One of the given values. */
  pick<T>(values: readonly [T, ...T[]]): T;
}

export function seededRandom(seed: number, stream: string): SeededRandom {
  let state = createHash('sha256').update(`${seed}/${stream}`).digest().readUInt32LE(0);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (low, high) => low + (high - low) * next(),
    gaussian: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    pick: (values) => values[Math.floor(next() * values.length)] ?? values[0],
  };
}
