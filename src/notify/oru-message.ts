import { createHash } from 'node:crypto';
import type { Code, Finding } from '../domain/finding.js';
import { LATERALITY_CODES, PRESENCE_CODES } from '../domain/sr-codes.js';
import { components, type Hl7Field, type Hl7Message, type Hl7Segment, value } from '../hl7/hl7-message.js';
import { hl7Timestamp } from '../hl7/hl7-timestamp.js';
import type { ResultDocument } from '../publish/result-document.js';

/**
 * The preliminary AI result of one analysis as HL7 v2.5.1 ORU^R01 (chapter 7): PID from the
 * study's patient, OBR for the study (filler order = accession number, result status P), a ZDS
 * with the Study Instance UID (as IHE Radiology carries it), and per finding an OBX of its type
 * coded with its presence, then its side and each measurement (NM with its UCUM unit), all under
 * the finding's OBX-4 sub-ID so a receiver can group them. Codes keep their DICOM coding scheme
 * designators, which are HL7 table 0396's (SCT, DCM, LN, UCUM, RADLEX). Pure.
 */

/** What the MSH of a message the hub sends a peer takes besides the message itself (ORU, priority update). */
export interface MessageContext {
  /** MSH-10, the same on every try (controlIdOf). */
  controlId: string;
  receivingApplication: string;
  receivingFacility: string;
  /** MSH-7, ms since the epoch. */
  now: number;
}

/** The MSH-10 of a logical message: 20 characters (ST 20) derived from its key, so a retry or a re-queue carries the same one. */
export const controlIdOf = (messageKey: string): string => createHash('sha256').update(messageKey).digest('hex').slice(0, 20);

const coded = (c: Code): Hl7Field => components(c.value, c.meaning, c.scheme);
const LATERALITY: Code = { scheme: 'SCT', value: '272741003', meaning: 'Laterality' };

/** DICOM PN (family^given^middle^prefix^suffix) as HL7 XPN (family^given^middle^suffix^prefix). */
function personName(pn: string | undefined): Hl7Field {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = (pn ?? '').split('=')[0]?.split('^') ?? [];
  return components(family, given, middle, suffix, prefix);
}

function obx(setId: number, type: 'CWE' | 'NM', concept: Code, subId: number, observed: Hl7Field, unit: Hl7Field, method: Hl7Field, time: string): Hl7Segment {
  return { id: 'OBX', fields: [value(String(setId)), value(type), coded(concept), value(String(subId)), observed, unit, value(''), value(''), value(''), value(''), value('P'), value(''), value(''), value(time), value(''), value(''), method] };
}

function findingSegments(finding: Finding, subId: number, next: () => number, method: Hl7Field, time: string): Hl7Segment[] {
  return [
    obx(next(), 'CWE', finding.type, subId, coded(PRESENCE_CODES[finding.presence]), value(''), method, time),
    ...(finding.site ? [obx(next(), 'CWE', { scheme: 'SCT', value: '363698007', meaning: 'Finding Site' }, subId, coded(finding.site), value(''), method, time)] : []),
    ...(finding.laterality ? [obx(next(), 'CWE', LATERALITY, subId, coded(LATERALITY_CODES[finding.laterality]), value(''), method, time)] : []),
    ...finding.measurements.map((m) => obx(next(), 'NM', m.concept, subId, value(String(m.value)), coded(m.unit), m.method ? components(m.method) : method, time)),
  ];
}

export function oruMessage(doc: ResultDocument, context: MessageContext): Hl7Message {
  const ps = doc.patientStudy;
  const time = hl7Timestamp(context.now);
  const observed = hl7Timestamp(doc.createdAt);
  let setId = 0;
  const next = () => ++setId;
  const method = components(doc.analyzer.id, `${doc.analyzer.name} ${doc.analyzer.version}`.slice(0, 199), '99RADBRIDGE');
  return {
    segments: [
      {
        id: 'MSH',
        fields: [
          value('|'), value('^~\\&'), value('RADBRIDGE'), value(''), value(context.receivingApplication), value(context.receivingFacility),
          value(time), value(''), components('ORU', 'R01', 'ORU_R01'), value(context.controlId), value('P'), value('2.5.1'),
          value(''), value(''), value(''), value(''), value(''), value('UNICODE UTF-8'),
        ],
      },
      { id: 'PID', fields: [value('1'), value(''), value(ps.PatientID ?? ''), value(''), personName(ps.PatientName), value(''), value(ps.PatientBirthDate ?? ''), value(ps.PatientSex ?? '')] },
      {
        id: 'OBR',
        fields: [
          value('1'), value(''), value(ps.AccessionNumber ?? ''), components('18748-4', 'Diagnostic imaging study', 'LN'), value(''), value(''),
          value(`${ps.StudyDate ?? ''}${ps.StudyTime ?? ''}`.replace(/\..*$/, '')), value(''), value(''), value(''), value(''), value(''), value(''), value(''), value(''), value(''), value(''), value(''), value(''), value(''), value(''),
          value(observed), value(''), value(''), value('P'),
        ],
      },
      { id: 'ZDS', fields: [components(ps.StudyInstanceUID ?? '', 'RADBRIDGE', 'Application', 'DICOM')] },
      ...doc.findings.flatMap((f, i) => findingSegments(f, i + 1, next, method, observed)),
    ],
  };
}
