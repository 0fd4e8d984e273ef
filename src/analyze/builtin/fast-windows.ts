import type { FastWindow } from '../../classify/projection-and-ultrasound.js';
import type { Code } from '../../domain/finding.js';
import { LOCAL_SCHEME } from '../../domain/trauma-codes.js';

/**
 * The four FAST windows the free-fluid slot reads, with the site each finding is coded at. Local
 * codes (99RADBRIDGE): no SNOMED CT concept for each FAST view was confirmed
 * (docs/adr/0019-injury-summary-criticality-iss.md); a site maps them to its own terminology.
 */
export const fastWindowSites: Partial<Record<FastWindow, Code>> = {
  'right-upper-quadrant': { scheme: LOCAL_SCHEME, value: 'fast-ruq', meaning: 'Hepatorenal recess (FAST right upper quadrant window)' },
  'left-upper-quadrant': { scheme: LOCAL_SCHEME, value: 'fast-luq', meaning: 'Splenorenal recess (FAST left upper quadrant window)' },
  pelvis: { scheme: LOCAL_SCHEME, value: 'fast-pelvis', meaning: 'Rectovesical or rectouterine pouch (FAST pelvic window)' },
  pericardial: { scheme: LOCAL_SCHEME, value: 'fast-pericardial', meaning: 'Pericardial space (FAST subxiphoid window)' },
};
