export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';

/**
 * Storage SOP classes live under 1.2.840.10008.5.1.4.1.1 (images, SR, presentation states, waveforms,
 * RT, encapsulated documents) plus a few roots outside it (hanging protocols, colour palettes,
 * implant templates, RT beams delivery instructions). Retired and future classes under these roots
 * are accepted too: the hub stores objects as received and never needs to understand the class.
 */
const storageRoots = [
  '1.2.840.10008.5.1.4.1.1.',
  '1.2.840.10008.5.1.4.34.',
  '1.2.840.10008.5.1.4.38.',
  '1.2.840.10008.5.1.4.39.',
  '1.2.840.10008.5.1.4.43.',
  '1.2.840.10008.5.1.4.44.',
  '1.2.840.10008.5.1.4.45.',
];

export function isStorageSopClass(uid: string): boolean {
  return storageRoots.some((root) => uid.startsWith(root));
}
