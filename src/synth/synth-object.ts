import type { GroundTruth } from './ground-truth.js';

/** One DICOM object to write: its path inside the study folder and its naturalized dataset. */
export interface SynthObject {
  file: string;
  dataset: Record<string, unknown>;
}

export interface SynthStudy {
  objects: SynthObject[];
  groundTruth: GroundTruth;
}

export interface SynthOptions {
  seed: number;
  /** Columns (and rows, or the short side) of the image matrix. */
  matrix: number;
  /** A control without findings. */
  normal: boolean;
  /** CT slice thickness and spacing, mm. */
  sliceThicknessMm?: number;
  /** Radiographs: MONOCHROME1 (bright background) instead of MONOCHROME2. */
  monochrome1?: boolean;
  /** Ultrasound cine length. */
  frames?: number;
}
