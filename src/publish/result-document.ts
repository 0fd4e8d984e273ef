import type { AnalyzerIdentity, Finding } from '../domain/finding.js';

/**
 * What a result object (SR, SEG, KOS, summary image) is written from, pure data: one analysis
 * result's findings, the analyzer that made them, the patient and study they belong to, and the
 * source images they refer to (docs/adr/0020-result-objects.md).
 */

/** Patient and General Study module attributes copied from a source image, as dcmjs names them (PatientName, PatientID, PatientBirthDate, PatientSex, StudyInstanceUID, StudyDate, StudyTime, StudyID, AccessionNumber, ReferringPhysicianName). */
export type PatientStudyAttributes = Record<string, string | undefined>;

/** One source image the findings may refer to, with the geometry a SEG or SCOORD needs. */
export interface SourceImage {
  seriesUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
  frameOfReferenceUid?: string;
  rows?: number;
  columns?: number;
  imagePositionPatient?: [number, number, number];
  imageOrientationPatient?: [number, number, number, number, number, number];
  /** Row spacing, column spacing (mm), as DICOM Pixel Spacing orders them. */
  pixelSpacing?: [number, number];
  sliceThickness?: number;
}

/** The object this one replaces, when a person changed a finding (an amended SR refers to it in Predecessor Documents Sequence). */
export interface Predecessor {
  studyUid: string;
  seriesUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
}

export interface ResultDocument {
  /** The analysis result's stable key: every UID of the objects written from it derives from this (result-uids.ts). */
  resultKey: string;
  /** 1 for the analyzer's own result; each amendment by a person adds one. */
  revision: number;
  predecessor?: Predecessor;
  analyzer: AnalyzerIdentity & { name: string; manufacturer: string };
  findings: Finding[];
  patientStudy: PatientStudyAttributes;
  sources: SourceImage[];
  /** When the result was made, ms since the epoch: Content Date/Time. */
  createdAt: number;
}
