import { readFileSync } from 'node:fs';
import dcmjs from 'dcmjs';
import type { ImagePlane } from '../../src/analyze/import/image-planes.js';
import { integerOf, numbersOf, textOf } from '../../src/analyze/import/dicom-object.js';
import type { Finding } from '../../src/domain/finding.js';
import type { JsonDict } from '../../src/imaging/pixel-description.js';
import type { ResultDocument, SourceImage } from '../../src/publish/result-document.js';

/** Result documents over images on disk, as the publish stage builds them, and the planes a reader of the written objects needs. */

function headerOf(file: string): JsonDict {
  const bytes = readFileSync(file);
  return dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), { untilTag: '7FE00010' }).dict;
}

function tuple<T extends number[]>(values: number[], length: number): T | undefined {
  return values.length === length ? (values as T) : undefined;
}

export function sourceImageOf(dict: JsonDict): SourceImage {
  const position = tuple<[number, number, number]>(numbersOf(dict, '00200032', 'ImagePositionPatient'), 3);
  const orientation = tuple<[number, number, number, number, number, number]>(numbersOf(dict, '00200037', 'ImageOrientationPatient'), 6);
  const spacing = tuple<[number, number]>(numbersOf(dict, '00280030', 'PixelSpacing'), 2);
  const [thickness] = numbersOf(dict, '00180050', 'SliceThickness');
  const frameOfReferenceUid = textOf(dict, '00200052');
  const rows = integerOf(dict, '00280010');
  const columns = integerOf(dict, '00280011');
  return {
    seriesUid: textOf(dict, '0020000E') ?? '',
    sopClassUid: textOf(dict, '00080016') ?? '',
    sopInstanceUid: textOf(dict, '00080018') ?? '',
    ...(frameOfReferenceUid ? { frameOfReferenceUid } : {}),
    ...(rows ? { rows } : {}),
    ...(columns ? { columns } : {}),
    ...(position ? { imagePositionPatient: position } : {}),
    ...(orientation ? { imageOrientationPatient: orientation } : {}),
    ...(spacing ? { pixelSpacing: spacing } : {}),
    ...(thickness ? { sliceThickness: thickness } : {}),
  };
}

const PATIENT_STUDY: Record<string, string> = {
  PatientName: '00100010', PatientID: '00100020', PatientBirthDate: '00100030', PatientSex: '00100040', StudyInstanceUID: '0020000D',
  StudyDate: '00080020', StudyTime: '00080030', StudyID: '00200010', AccessionNumber: '00080050', ReferringPhysicianName: '00080090',
};

/** A text value as dcmjs reads it: a string, or a person name's alphabetic group. */
function textValue(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (typeof value === 'object' && value !== null && 'Alphabetic' in value && typeof value.Alphabetic === 'string') return value.Alphabetic;
  return undefined;
}

export const TEST_ANALYZER = { id: 'radbridge-head-ct', version: '1.2.0', name: 'Radbridge head CT', manufacturer: 'Radbridge' };

/** A present finding of `type` from TEST_ANALYZER, with `extra` on top. */
export const testFinding = (type: Finding['type'], extra: Partial<Finding> = {}): Finding => ({
  type,
  presence: 'present',
  measurements: [],
  source: { id: TEST_ANALYZER.id, version: TEST_ANALYZER.version, inputHash: 'c0ffee' },
  ...extra,
});

/** The result document of `findings` on the images in `files`. */
export function resultDocumentOf(files: string[], findings: Finding[], o: { resultKey?: string; revision?: number } = {}): ResultDocument {
  const headers = files.map(headerOf);
  const first = headers[0] ?? {};
  const patientStudy = Object.fromEntries(Object.entries(PATIENT_STUDY).map(([name, tag]) => [name, textValue(first[tag]?.Value?.[0])]));
  return {
    resultKey: o.resultKey ?? 'result-1',
    revision: o.revision ?? 1,
    analyzer: TEST_ANALYZER,
    findings,
    patientStudy,
    sources: headers.map(sourceImageOf),
    createdAt: Date.UTC(2026, 2, 4, 10, 15, 30),
  };
}

/** The planes of a document's source images, for the result readers. */
export function planesOf(doc: ResultDocument): Map<string, ImagePlane> {
  return new Map(doc.sources.flatMap((s): Array<[string, ImagePlane]> => {
    if (!s.imagePositionPatient || !s.imageOrientationPatient || !s.pixelSpacing) return [];
    return [[s.sopInstanceUid, { seriesUid: s.seriesUid, geometry: { imagePositionPatient: s.imagePositionPatient, imageOrientationPatient: s.imageOrientationPatient, pixelSpacing: s.pixelSpacing } }]];
  }));
}
