import type { Code, Laterality } from '../../domain/finding.js';

/** The SNOMED CT concepts the abdomen analyzer reports, and the organs it takes volumes of. */

const sct = (value: string, meaning: string): Code => ({ scheme: 'SCT', value, meaning });

export const HAEMOPERITONEUM = sct('45626005', 'Hemoperitoneum');
/** Free fluid of water density in the peritoneal cavity. */
export const ASCITES = sct('389026000', 'Ascites');
export const PERITONEAL_CAVITY = sct('83670000', 'Peritoneal cavity structure');
export const VOLUME = sct('118565006', 'Volume');
export const UCUM_ML: Code = { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' };

export const LIVER = sct('10200004', 'Liver structure');
export const SPLEEN = sct('78961009', 'Spleen structure');
export const KIDNEY = sct('64033007', 'Kidney structure');
export const LEFT_KIDNEY = sct('18639004', 'Left kidney structure');
export const RIGHT_KIDNEY = sct('9846003', 'Right kidney structure');

export interface Organ {
  site: Code;
  laterality?: Laterality;
}

/** An organ a segment names by its type or site code (a kidney's side from the code or the segment's laterality). */
export function organOf(codes: Array<Code | undefined>, laterality: Laterality | undefined): Organ | undefined {
  for (const code of codes) {
    if (code?.scheme !== 'SCT') continue;
    if (code.value === LIVER.value) return { site: LIVER };
    if (code.value === SPLEEN.value) return { site: SPLEEN };
    if (code.value === LEFT_KIDNEY.value) return { site: LEFT_KIDNEY, laterality: 'left' };
    if (code.value === RIGHT_KIDNEY.value) return { site: RIGHT_KIDNEY, laterality: 'right' };
    if (code.value === KIDNEY.value) {
      if (laterality === 'left') return { site: LEFT_KIDNEY, laterality };
      if (laterality === 'right') return { site: RIGHT_KIDNEY, laterality };
      return { site: KIDNEY };
    }
  }
  return undefined;
}
