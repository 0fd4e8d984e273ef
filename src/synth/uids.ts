import { createHash } from 'node:crypto';

/** A UID under the 2.25 root derived from the seed, the study kind and a path within the study. */
export function synthUid(seed: number, kind: string, path: string): string {
  const digest = createHash('sha256').update(`radbridge-synth/${seed}/${kind}/${path}`).digest('hex');
  return `2.25.${BigInt(`0x${digest.slice(0, 30)}`).toString()}`;
}
