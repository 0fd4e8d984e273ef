import { RadbridgeError } from '../domain/errors.js';
import type { ResultDocument } from './result-document.js';

/**
 * The attributes every result object shares, in dcmjs naturalized form: SOP Common, Patient and
 * General Study copied from the sources, a series of its own (docs/adr/0020-result-objects.md),
 * the analyzer as General Equipment, and Content Date/Time from when the result was made. Pure.
 */

export interface ResultSeries {
  sopClassUid: string;
  sopInstanceUid: string;
  seriesUid: string;
  modality: string;
  seriesNumber: number;
  /** What the series holds, e.g. 'AI segmentation'; the analyzer's name and version are added. */
  seriesKind: string;
}

/** Type 2 attributes of the Patient and General Study modules: written empty when the sources do not give them. */
const PATIENT_STUDY = ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyInstanceUID', 'StudyDate', 'StudyTime', 'StudyID', 'AccessionNumber', 'ReferringPhysicianName'];

/** LO holds 64 characters. */
const MAX_LO = 64;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** DA and TM of a moment (UTC). */
export function dicomDateTime(ms: number): { date: string; time: string } {
  const d = new Date(ms);
  return {
    date: `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`,
  };
}

export function resultHeader(doc: ResultDocument, series: ResultSeries): Record<string, unknown> {
  const { analyzer } = doc;
  if (!doc.patientStudy.StudyInstanceUID) throw new RadbridgeError('RESULT_DOCUMENT_INVALID', `result ${doc.resultKey} names no Study Instance UID: no result object can be written`);
  const { date, time } = dicomDateTime(doc.createdAt);
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: series.sopClassUid,
    SOPInstanceUID: series.sopInstanceUid,
    ...Object.fromEntries(PATIENT_STUDY.map((name) => [name, doc.patientStudy[name] ?? ''])),
    Modality: series.modality,
    SeriesInstanceUID: series.seriesUid,
    SeriesNumber: series.seriesNumber,
    SeriesDescription: `${series.seriesKind} (${analyzer.name} ${analyzer.version})`.slice(0, MAX_LO),
    SeriesDate: date,
    SeriesTime: time,
    Manufacturer: analyzer.manufacturer,
    ManufacturerModelName: analyzer.id,
    SoftwareVersions: analyzer.version,
    InstanceNumber: 1,
    ContentDate: date,
    ContentTime: time,
  };
}
