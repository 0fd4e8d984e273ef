import { createHash } from 'node:crypto';
import type { Code } from '../domain/finding.js';
import type { FhirCodeableConcept, FhirCoding, FhirIdentifier, FhirReference } from './fhir-types.js';

/**
 * How DICOM data becomes FHIR R4 data types: a coding scheme designator as a code system URI, a
 * coded concept as a CodeableConcept, a key as a deterministic resource id, DICOM text as a FHIR
 * string (trimmed, whitespace collapsed, absent when empty: FHIR forbids empty strings and a
 * `code` with leading or trailing whitespace), and the patient and the study as logical
 * references by identifier (the hub does not know their resource ids on the FHIR server). Pure.
 */

export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

/** The code system of a designator DICOM PS3.16 Table 8-1 and HL7 terminology both name. */
const SYSTEMS: Record<string, string> = {
  SCT: 'http://snomed.info/sct',
  LN: 'http://loinc.org',
  DCM: 'http://dicom.nema.org/resources/ontology/DCM',
  UCUM: UCUM_SYSTEM,
  RADLEX: 'http://radlex.org',
  RFC5646: 'urn:ietf:bcp:47',
};

/** Prefix of a local (private, e.g. 99RADBRIDGE) or unmapped designator's system: a stable URN naming the designator as DICOM wrote it. */
export const LOCAL_SYSTEM_PREFIX = 'urn:radbridge:code-system:';

/** DICOM Study Instance UID identifiers, as FHIR ImagingStudy.identifier carries them. */
export const DICOM_UID_SYSTEM = 'urn:dicom:uid';

/**
 * DICOM text as a FHIR string: control characters and runs of whitespace (a newline in a name, a
 * padding space) become one space, then trimmed; undefined when nothing is left.
 */
export function fhirText(value: string | undefined): string | undefined {
  const text = value?.replace(/[\s\p{Cc}]+/gu, ' ').trim();
  return text ? text : undefined;
}

/** The FHIR code system URI of a DICOM coding scheme designator. The retired SRT is not SNOMED CT's codes, so it stays local. */
export function systemOf(designator: string): string {
  const scheme = fhirText(designator) ?? 'unknown';
  return SYSTEMS[scheme] ?? `${LOCAL_SYSTEM_PREFIX}${encodeURIComponent(scheme)}`;
}

/** A DICOM code as a CodeableConcept: one coding, and its meaning as text. A code without a value keeps only the text. */
export function codeableConcept(code: Code): FhirCodeableConcept {
  const value = fhirText(code.value);
  const meaning = fhirText(code.meaning);
  const coding: FhirCoding = { system: systemOf(code.scheme), ...(value ? { code: value } : {}), ...(meaning ? { display: meaning } : {}) };
  return { ...(value ? { coding: [coding] } : {}), text: meaning ?? value ?? 'unknown' };
}

/** A FHIR id ([A-Za-z0-9-.]{1,64}) derived from `key`: the same key always gives the same id. */
export const fhirIdOf = (key: string): string => `rb-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;

/** ms since the epoch as a FHIR instant (UTC, milliseconds). */
export const fhirInstant = (ms: number): string => new Date(ms).toISOString();

/** A DICOM UID, in the form FHIR identifiers carry it. */
export const studyIdentifier = (uid: string): FhirIdentifier => ({ system: DICOM_UID_SYSTEM, value: `urn:oid:${uid}` });

/** DICOM PN (family^given^middle^prefix^suffix, alphabetic group) as one display line "prefix given middle family suffix". */
export function personDisplay(pn: string | undefined): string | undefined {
  const [family, given, middle, prefix, suffix] = (pn ?? '').split('=')[0]?.split('^') ?? [];
  return fhirText([prefix, given, middle, family, suffix].map((part) => fhirText(part)).filter((part) => part !== undefined).join(' '));
}

/** The study's patient as a logical reference by Patient ID (display the name); undefined without a Patient ID. */
export function patientReference(attributes: Record<string, string | undefined>): FhirReference | undefined {
  const id = fhirText(attributes.PatientID);
  if (!id) return undefined;
  const display = personDisplay(attributes.PatientName);
  return { type: 'Patient', identifier: { value: id }, ...(display ? { display } : {}) };
}

/** The study as a logical reference to its ImagingStudy by Study Instance UID; undefined without one. */
export function imagingStudyReference(attributes: Record<string, string | undefined>): FhirReference | undefined {
  const uid = fhirText(attributes.StudyInstanceUID);
  return uid ? { type: 'ImagingStudy', identifier: studyIdentifier(uid) } : undefined;
}
