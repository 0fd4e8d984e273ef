import type { Code, Finding } from '../../src/domain/finding.js';
import type { ResultDocument, SourceImage } from '../../src/publish/result-document.js';

/**
 * Result documents with findings shaped as the head CT, chest CT and ONNX analyzers emit them:
 * haemorrhage with voxel-count and ABC/2 volumes, mask, box and centroid; midline shift measured,
 * and indeterminate on the whole series; haemothorax with the Mergo estimate; an absent
 * pneumothorax; a model-backed finding on one frame of a multi-frame image.
 */

export const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
export const ENHANCED_CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2.1';
const root = '1.2.826.0.1.3680043.10.999.3';
export const STUDY_UID = `${root}.1`;
export const HEAD_SERIES = `${root}.1.2`;
export const CHEST_SERIES = `${root}.1.3`;
export const FRAME_OF_REFERENCE = `${root}.1.5`;

const ML: Code = { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' };
const MM: Code = { scheme: 'UCUM', value: 'mm', meaning: 'millimeter' };
const VOLUME: Code = { scheme: 'SCT', value: '118565006', meaning: 'Volume' };
const INTRACRANIAL: Code = { scheme: 'SCT', value: '1101003', meaning: 'Intracranial structure' };
const PLEURAL_CAVITY: Code = { scheme: '99RADBRIDGE', value: 'pleural-cavity', meaning: 'Pleural cavity' };

const headSource = { id: 'head-ct', version: '1.0.0', manufacturer: 'Radbridge', inputHash: 'input-hash-1' };
const slice = (k: number): string => `${HEAD_SERIES}.${k}`;

export function headSources(count = 6): SourceImage[] {
  return Array.from({ length: count }, (_v, k) => ({
    seriesUid: HEAD_SERIES,
    sopClassUid: CT_IMAGE,
    sopInstanceUid: slice(k + 1),
    frameOfReferenceUid: FRAME_OF_REFERENCE,
    rows: 64,
    columns: 64,
    imagePositionPatient: [-125, -125, 5 * k] as [number, number, number],
    imageOrientationPatient: [1, 0, 0, 0, 1, 0] as [number, number, number, number, number, number],
    pixelSpacing: [3.90625, 3.90625] as [number, number],
    sliceThickness: 5,
  }));
}

export const haemorrhage: Finding = {
  type: { scheme: 'SCT', value: '1386000', meaning: 'Intracranial hemorrhage' },
  presence: 'present',
  site: INTRACRANIAL,
  laterality: 'left',
  measurements: [
    { concept: VOLUME, value: 14.37, unit: ML, method: 'voxel count' },
    { concept: VOLUME, value: 12.9, unit: ML, method: 'ABC/2: A 41.2 mm (largest axial diameter) x B 27.3 mm (perpendicular) on slice 3 x C 20 mm (craniocaudal extent) / 2' },
  ],
  confidence: 0.95,
  location: {
    images: [2, 3, 4].map((k) => ({ seriesUid: HEAD_SERIES, sopInstanceUid: slice(k) })),
    point: [31.640625, -12.6953125, 12.5],
    box: [
      [13.28125, -35.15625, 5],
      [52.34375, 8.984375, 20],
    ],
  },
  mask: { seriesUid: HEAD_SERIES, dimensions: [64, 64, 6], affine: [3.90625, 0, 0, -125, 0, 3.90625, 0, -125, 0, 0, 5, 0, 0, 0, 0, 1], runs: [5000, 12, 40, 9] },
  source: headSource,
};

export const midlineShift: Finding = {
  type: { scheme: '99RADBRIDGE', value: 'midline-shift', meaning: 'Midline shift of brain' },
  presence: 'present',
  site: INTRACRANIAL,
  laterality: 'right',
  measurements: [{ concept: { scheme: 'DCM', value: '121206', meaning: 'Distance' }, value: 6.4, unit: MM, method: 'septum pellucidum to the line joining the anterior and posterior falx attachments, largest over axial slices' }],
  location: { images: [{ seriesUid: HEAD_SERIES, sopInstanceUid: slice(3) }], point: [-6.25, 10.5, 10] },
  source: headSource,
};

export const indeterminateShift: Finding = {
  type: midlineShift.type,
  presence: 'indeterminate',
  site: INTRACRANIAL,
  measurements: [],
  location: { images: [{ seriesUid: HEAD_SERIES }] },
  source: headSource,
};

export function headDocument(findings: Finding[] = [haemorrhage, midlineShift], revision = 1): ResultDocument {
  return {
    resultKey: 'analysis-result-42',
    revision,
    ...(revision > 1 ? { predecessor: { studyUid: STUDY_UID, seriesUid: `${root}.9`, sopClassUid: '1.2.840.10008.5.1.4.1.1.88.34', sopInstanceUid: `${root}.9.1` } } : {}),
    analyzer: { id: 'head-ct', version: '1.0.0', name: 'Head CT haemorrhage and midline shift', manufacturer: 'Radbridge' },
    findings,
    patientStudy: {
      PatientName: 'Test^Trauma',
      PatientID: 'P-SR-1',
      PatientBirthDate: '19700101',
      PatientSex: 'M',
      StudyInstanceUID: STUDY_UID,
      StudyDate: '20260301',
      StudyTime: '101500',
      StudyID: '42',
      AccessionNumber: 'ACC42',
      ReferringPhysicianName: '',
    },
    sources: headSources(),
    createdAt: Date.UTC(2026, 2, 1, 10, 20, 30),
  };
}

const chestSource = { id: 'chest-ct', version: '2.0.1', manufacturer: 'Radbridge', inputHash: 'input-hash-2' };

export const haemothorax: Finding = {
  type: { scheme: 'SCT', value: '31892009', meaning: 'Hemothorax' },
  presence: 'present',
  site: PLEURAL_CAVITY,
  laterality: 'right',
  measurements: [
    { concept: VOLUME, value: 412.6, unit: ML, method: 'voxel count' },
    { concept: VOLUME, value: 380.2, unit: ML, method: 'Mergo formula V = d² × l (d: greatest AP depth in cm, l: craniocaudal length in cm)' },
  ],
  confidence: 0.83,
  location: { images: [1, 2].map((k) => ({ seriesUid: CHEST_SERIES, sopInstanceUid: `${CHEST_SERIES}.${k}` })), point: [-80.5, 40.25, -150], box: [[-120, 0, -180], [-40, 90, -120]] },
  source: chestSource,
};

export const absentPneumothorax: Finding = {
  type: { scheme: 'SCT', value: '36118008', meaning: 'Pneumothorax' },
  presence: 'absent',
  site: PLEURAL_CAVITY,
  measurements: [],
  location: { images: [{ seriesUid: CHEST_SERIES }] },
  source: chestSource,
};

/** A chest CT in one Enhanced CT multi-frame image, with a model-backed finding on its second frame. */
export function chestDocument(): ResultDocument {
  const head = headDocument();
  const modelFinding: Finding = {
    type: { scheme: 'SCT', value: '125605004', meaning: 'Fracture of bone' },
    presence: 'present',
    site: { scheme: 'SCT', value: '113197003', meaning: 'Bone structure of rib' },
    laterality: 'left',
    measurements: [{ concept: { scheme: 'SCT', value: '410668003', meaning: 'Length' }, value: 18.25, unit: MM }],
    confidence: 0.615,
    location: { images: [{ seriesUid: `${CHEST_SERIES}.7`, sopInstanceUid: `${CHEST_SERIES}.7.1`, frame: 2 }] },
    source: { ...chestSource, modelHash: 'a'.repeat(64) },
  };
  return {
    ...head,
    resultKey: 'analysis-result-43',
    analyzer: { id: 'chest-ct', version: '2.0.1', name: 'Chest CT pleural collections', manufacturer: 'Radbridge' },
    findings: [haemothorax, absentPneumothorax, modelFinding],
    sources: [
      ...[1, 2].map((k) => ({ seriesUid: CHEST_SERIES, sopClassUid: CT_IMAGE, sopInstanceUid: `${CHEST_SERIES}.${k}`, frameOfReferenceUid: FRAME_OF_REFERENCE })),
      { seriesUid: `${CHEST_SERIES}.7`, sopClassUid: ENHANCED_CT_IMAGE, sopInstanceUid: `${CHEST_SERIES}.7.1`, frameOfReferenceUid: FRAME_OF_REFERENCE },
    ],
  };
}
