import type { Code, Finding, Laterality } from '../../domain/finding.js';
import { LATERALITY_CODES } from '../../domain/laterality-codes.js';
import { textOf, type JsonDict } from './dicom-object.js';

/**
 * The coded concepts the third-party readers look for, as PS3.16 and SNOMED CT define them, and
 * how a Code Sequence item becomes a Code. Pure.
 */

const dcm = (value: string, meaning: string): Code => ({ scheme: 'DCM', value, meaning });
const sct = (value: string, meaning: string): Code => ({ scheme: 'SCT', value, meaning });

export const CONCEPTS = {
  imagingMeasurementReport: dcm('126000', 'Imaging Measurement Report'),
  imagingMeasurements: dcm('126010', 'Imaging Measurements'),
  measurementGroup: dcm('125007', 'Measurement Group'),
  finding: dcm('121071', 'Finding'),
  singleImageFinding: dcm('111059', 'Single Image Finding'),
  findingSite: sct('363698007', 'Finding Site'),
  laterality: sct('272741003', 'Laterality'),
  imageRegion: dcm('111030', 'Image Region'),
  referencedSegment: dcm('121191', 'Referenced Segment'),
  certaintyOfFinding: dcm('111012', 'Certainty of Finding'),
  algorithmVersion: dcm('111003', 'Algorithm Version'),
  deviceObserverUid: dcm('121012', 'Device Observer UID'),
  deviceObserverManufacturer: dcm('121014', 'Device Observer Manufacturer'),
  deviceObserverModelName: dcm('121015', 'Device Observer Model Name'),
  volume: sct('118565006', 'Volume'),
} as const;

export const UCUM_ML: Code = { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' };

const LATERALITY_BY_SCT: Record<string, Laterality> = Object.fromEntries(Object.entries(LATERALITY_CODES).map(([laterality, code]) => [code.value, laterality as Laterality]));

const PRESENCE_BY_SCT: Record<string, Finding['presence']> = {
  '52101004': 'present',
  '2667000': 'absent',
  '82334004': 'indeterminate',
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
