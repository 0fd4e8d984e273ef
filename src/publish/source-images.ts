import type { JsonDataset } from '../dicomweb/dicom-json.js';
import { instanceMetadata } from '../dicomweb/instance-metadata.js';
import { PermanentJobError } from '../jobs/job-engine.js';
import type { ObjectStore } from '../store/object-store.js';
import { findSeriesHeaders, readHeaderBytes } from '../store/series-headers.js';
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import type { PatientStudyAttributes, SourceImage } from './result-document.js';

/** The source images of a result (its series' stored headers) and the patient and study attributes its objects copy. */

/** Patient and General Study attributes a result object copies from its source (PS3.3 C.7.1.1, C.7.2.1), by tag. */
const PATIENT_STUDY: Record<string, string> = {
  PatientName: '00100010',
  PatientID: '00100020',
  IssuerOfPatientID: '00100021',
  PatientBirthDate: '00100030',
  PatientSex: '00100040',
  StudyInstanceUID: '0020000D',
  StudyDate: '00080020',
  StudyTime: '00080030',
  ReferringPhysicianName: '00080090',
  StudyID: '00200010',
  AccessionNumber: '00080050',
  StudyDescription: '00081030',
};

function first(ds: JsonDataset, tag: string): unknown {
  return ds[tag]?.Value?.[0];
}

function text(ds: JsonDataset, tag: string): string | undefined {
  const value = first(ds, tag);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && 'Alphabetic' in value) return String(value.Alphabetic);
  return undefined;
}

function numbers(ds: JsonDataset, tag: string, count: number): number[] | undefined {
  const values = (ds[tag]?.Value ?? []).map(Number);
  return values.length === count && values.every(Number.isFinite) ? values : undefined;
}

export function sourceImageOf(seriesUid: string, ds: JsonDataset): SourceImage {
  const rows = Number(first(ds, '00280010'));
  const columns = Number(first(ds, '00280011'));
  const thickness = Number(first(ds, '00180050'));
  const position = numbers(ds, '00200032', 3);
  const orientation = numbers(ds, '00200037', 6);
  const spacing = numbers(ds, '00280030', 2);
  const frameOfReference = text(ds, '00200052');
  return {
    seriesUid,
    sopClassUid: text(ds, '00080016') ?? '',
    sopInstanceUid: text(ds, '00080018') ?? '',
    ...(frameOfReference ? { frameOfReferenceUid: frameOfReference } : {}),
    ...(Number.isInteger(rows) && rows > 0 ? { rows } : {}),
    ...(Number.isInteger(columns) && columns > 0 ? { columns } : {}),
    ...(position ? { imagePositionPatient: position as SourceImage['imagePositionPatient'] } : {}),
    ...(orientation ? { imageOrientationPatient: orientation as SourceImage['imageOrientationPatient'] } : {}),
    ...(spacing ? { pixelSpacing: spacing as SourceImage['pixelSpacing'] } : {}),
    ...(Number.isFinite(thickness) && thickness > 0 ? { sliceThickness: thickness } : {}),
  };
}

export function patientStudyOf(ds: JsonDataset): PatientStudyAttributes {
  return Object.fromEntries(Object.entries(PATIENT_STUDY).map(([keyword, tag]) => [keyword, text(ds, tag)]));
}

/** Every stored image of the series, in the order received, and the patient and study attributes of the first; a series no longer stored fails permanently. */
export async function sourceImagesOf(db: Kysely<DB>, objects: ObjectStore, seriesUids: readonly string[]): Promise<{ sources: SourceImage[]; patientStudy: PatientStudyAttributes }> {
  const sources: SourceImage[] = [];
  let patientStudy: PatientStudyAttributes | undefined;
  for (const seriesUid of seriesUids) {
    const stored = await findSeriesHeaders(db, seriesUid);
    if (!stored) throw new PermanentJobError(`series ${seriesUid} is no longer stored`);
    for await (const bytes of readHeaderBytes(objects, stored.files)) {
      const ds = instanceMetadata(bytes);
      patientStudy ??= patientStudyOf(ds);
      sources.push(sourceImageOf(seriesUid, ds));
    }
  }
  if (!patientStudy) throw new PermanentJobError(`no stored images in series ${seriesUids.join(', ')}`);
  return { sources, patientStudy };
}
