import type { Code, Finding, Laterality } from '../../domain/finding.js';
import { ABSENT_QUALIFIER, LATERALITY_CODES, PRESENCE_CODES } from '../../domain/sr-codes.js';
import { textOf, type JsonDict } from './dicom-object.js';

/**
 * How a Code Sequence item becomes a Code, and the sides and presence values the readers know
 * (the concepts themselves are in src/domain/sr-codes.ts). Pure.
 */

export { CONCEPTS, UCUM_ML } from '../../domain/sr-codes.js';

const LATERALITY_BY_SCT: Record<string, Laterality> = Object.fromEntries(Object.entries(LATERALITY_CODES).map(([side, code]) => [code.value, side as Laterality]));

const PRESENCE_BY_SCT: Record<string, Finding['presence']> = {
  ...Object.fromEntries(Object.entries(PRESENCE_CODES).map(([presence, code]) => [code.value, presence as Finding['presence']])),
  [ABSENT_QUALIFIER.value]: 'absent',
};

/**
 * The retired SNOMED DICOM Microglossary designator SRT names the same concepts as SCT when the
 * code value is the same (PS3.16 8.2), so SRT is read as SCT; every other scheme is kept as sent.
 */
function schemeOf(designator: string): string {
  return designator === 'SRT' ? 'SCT' : designator;
}

/** A Code Sequence item as a Code: Code Value, or Long Code Value, or URN Code Value, with its scheme and meaning. */
export function codeOf(item: JsonDict | undefined): Code | undefined {
  if (!item) return undefined;
  const value = textOf(item, '00080100') ?? textOf(item, '00080119') ?? textOf(item, '00080120');
  const scheme = textOf(item, '00080102') ?? (textOf(item, '00080120') ? 'URN' : undefined);
  if (!value || !scheme) return undefined;
  return { scheme: schemeOf(scheme), value, meaning: textOf(item, '00080104') ?? value };
}

export function sameConcept(a: Code | undefined, b: Code): boolean {
  return a !== undefined && a.scheme === b.scheme && a.value === b.value;
}

export function lateralityOf(code: Code | undefined): Laterality | undefined {
  return code?.scheme === 'SCT' ? LATERALITY_BY_SCT[code.value] : undefined;
}

export function presenceOf(code: Code | undefined): Finding['presence'] | undefined {
  return code?.scheme === 'SCT' ? PRESENCE_BY_SCT[code.value] : undefined;
}
