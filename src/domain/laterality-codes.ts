import type { Code, Laterality } from './finding.js';

/** The SNOMED CT code of each laterality (PS3.16 CID 244 Laterality, and Midline), as readers and writers of results use them. */
export const LATERALITY_CODES: Record<Laterality, Code> = {
  left: { scheme: 'SCT', value: '7771000', meaning: 'Left' },
  right: { scheme: 'SCT', value: '24028007', meaning: 'Right' },
  bilateral: { scheme: 'SCT', value: '51440002', meaning: 'Right and left' },
  midline: { scheme: 'SCT', value: '399488007', meaning: 'Midline' },
};
