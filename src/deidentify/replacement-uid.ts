import { randomUUID } from 'node:crypto';

/** A new UID under the 2.25 root (PS3.5 B.2): the decimal value of a random UUID. */
export function newReplacementUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}
