import type { Code } from './finding.js';

/**
 * Codes the injury summary, the criticality table and the FAST slot share. SNOMED CT where a
 * current concept is known for certain; the local scheme 99RADBRIDGE where none was confirmed
 * (docs/adr/0019-injury-summary-criticality-iss.md lists them): a site maps those to its own
 * terminology until a standard code is settled.
 */

export const LOCAL_SCHEME = '99RADBRIDGE';

export const INTRACRANIAL_HAEMORRHAGE: Code = { scheme: 'SCT', value: '1386000', meaning: 'Intracranial hemorrhage' };
export const HAEMORRHAGE: Code = { scheme: 'SCT', value: '50960005', meaning: 'Hemorrhage' };
export const PNEUMOTHORAX: Code = { scheme: 'SCT', value: '36118008', meaning: 'Pneumothorax' };
export const HAEMOTHORAX: Code = { scheme: 'SCT', value: '31892009', meaning: 'Hemothorax' };
export const MIDLINE_SHIFT: Code = { scheme: LOCAL_SCHEME, value: 'midline-shift', meaning: 'Midline shift of the brain' };
export const ACTIVE_EXTRAVASATION: Code = { scheme: LOCAL_SCHEME, value: 'active-extravasation', meaning: 'Active contrast extravasation' };
export const FREE_FLUID: Code = { scheme: LOCAL_SCHEME, value: 'free-fluid', meaning: 'Free fluid' };

export const VOLUME: Code = { scheme: 'SCT', value: '118565006', meaning: 'Volume' };
export const LENGTH: Code = { scheme: 'SCT', value: '410668003', meaning: 'Length' };
