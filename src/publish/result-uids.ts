import { createHash } from 'node:crypto';

/**
 * Deterministic UIDs for the objects the hub writes (docs/adr/0020-result-objects.md): a name-based
 * UUID (RFC 9562 version 5, SHA-1) of the analysis result's key and the object's role, written under
 * the 2.25 root (PS3.5 B.2). The same result always gets the same Study-level series, SOP instance
 * and so on, so a publish job run again after a crash or a retry writes the same object, and a
 * destination keeps one copy of it.
 */

/** The namespace of every Radbridge result UID (a random version 4 UUID, fixed once). */
const NAMESPACE = Buffer.from('6f1c2a9e4b3d4f1a8e7c5d2b9a0f3e61', 'hex');

/** The UID of `role` (e.g. 'sr/series', 'sr/instance', 'seg/instance', 'sr/instance/revision-2') of the result with key `resultKey`. */
export function resultUid(resultKey: string, role: string): string {
  const bytes = createHash('sha1').update(NAMESPACE).update(`${resultKey}\u0000${role}`, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString()}`;
}
