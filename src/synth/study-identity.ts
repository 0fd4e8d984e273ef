import { seededRandom } from './seeded-random.js';
import { synthUid } from './uids.js';

/** Patient and study identifiers, all derived from the seed: no clock, no real person. */
export interface StudyIdentity {
  seed: number;
  kind: string;
  studyInstanceUid: string;
  frameOfReferenceUid: string;
  patientId: string;
  patientName: string;
  patientSex: 'M' | 'F';
  patientBirthDate: string;
  studyDate: string;
  studyTime: string;
  accessionNumber: string;
}

function dicomDate(daysAfter2020: number): string {
  return new Date(Date.UTC(2020, 0, 1) + daysAfter2020 * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
}

export function studyIdentity(seed: number, kind: string): StudyIdentity {
  const random = seededRandom(seed, `${kind}/identity`);
  const studyDay = Math.floor(random.between(0, 2000));
  const ageDays = Math.floor(random.between(18 * 365, 85 * 365));
  const hour = Math.floor(random.between(0, 24));
  const minute = Math.floor(random.between(0, 60));
  return {
    seed,
    kind,
    studyInstanceUid: synthUid(seed, kind, 'study'),
    frameOfReferenceUid: synthUid(seed, kind, 'frame-of-reference'),
    patientId: `SYN${String(seed).padStart(6, '0')}`.slice(0, 16),
    patientName: `SYNTHETIC^${kind.toUpperCase().replace(/[^A-Z]/g, '')}^${seed}`.slice(0, 64),
    patientSex: random.pick(['M', 'F'] as const),
    patientBirthDate: dicomDate(studyDay - ageDays),
    studyDate: dicomDate(studyDay),
    studyTime: `${String(hour).padStart(2, '0')}${String(minute).padStart(2, '0')}00`,
    accessionNumber: `SYN${String(seed % 1_000_000).padStart(6, '0')}${String(kind.length).padStart(2, '0')}`,
  };
}

export interface SeriesIdentity {
  seriesInstanceUid: string;
  seriesNumber: number;
  modality: string;
  description: string;
  bodyPart: string;
}

/** Patient, General Study, General Series, General Equipment and SOP Common attributes, plus file meta. */
export function commonAttributes(id: StudyIdentity, series: SeriesIdentity, sopClassUid: string, sopInstanceUid: string, studyDescription: string): Record<string, unknown> {
  return {
    _meta: {
      FileMetaInformationVersion: { Value: [new Uint8Array([0, 1]).buffer], vr: 'OB' },
      MediaStorageSOPClassUID: { Value: [sopClassUid], vr: 'UI' },
      MediaStorageSOPInstanceUID: { Value: [sopInstanceUid], vr: 'UI' },
      TransferSyntaxUID: { Value: ['1.2.840.10008.1.2.1'], vr: 'UI' },
      ImplementationClassUID: { Value: ['2.25.271828182845904523536028747135266249775'], vr: 'UI' },
      ImplementationVersionName: { Value: ['RADBRIDGE_SYNTH'], vr: 'SH' },
    },
    SpecificCharacterSet: 'ISO_IR 100',
    SOPClassUID: sopClassUid,
    SOPInstanceUID: sopInstanceUid,
    StudyDate: id.studyDate,
    SeriesDate: id.studyDate,
    ContentDate: id.studyDate,
    StudyTime: id.studyTime,
    SeriesTime: id.studyTime,
    ContentTime: id.studyTime,
    AccessionNumber: id.accessionNumber,
    Modality: series.modality,
    Manufacturer: 'Radbridge Synthetic',
    ManufacturerModelName: 'radbridge synth',
    SoftwareVersions: '1',
    ReferringPhysicianName: '',
    StudyDescription: studyDescription,
    SeriesDescription: series.description,
    PatientName: id.patientName,
    PatientID: id.patientId,
    PatientBirthDate: id.patientBirthDate,
    PatientSex: id.patientSex,
    BodyPartExamined: series.bodyPart,
    StudyInstanceUID: id.studyInstanceUid,
    SeriesInstanceUID: series.seriesInstanceUid,
    StudyID: String(id.seed % 10_000_000),
    SeriesNumber: String(series.seriesNumber),
  };
}
