/**
 * What an analyzer found, in one shape whatever produced it: a built-in analyzer, an ONNX model, a
 * remote inference server, a DICOMweb AI node or a third-party SR/SEG read at ingest. Pure data:
 * it is stored as JSON, written into DICOM SR and HL7/FHIR later, and compared in tests.
 */

/** A coded concept as DICOM writes it (PS3.3 8.8): scheme SCT (SNOMED CT), DCM, RADLEX, UCUM or a local one. */
export interface Code {
  scheme: string;
  value: string;
  meaning: string;
}

export type Laterality = 'left' | 'right' | 'bilateral' | 'midline';

export interface Measurement {
  /** What is measured, e.g. SCT 118565006 Volume. */
  concept: Code;
  value: number;
  /** A UCUM unit, e.g. { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' }. */
  unit: Code;
  /** How it was measured, e.g. 'voxel count' or 'ABC/2'. */
  method?: string;
}

/** A point in patient coordinates (LPS, millimetres). */
export type PatientPoint = [number, number, number];

export interface ImageReference {
  seriesUid: string;
  sopInstanceUid?: string;
  /** 1-based frame number in a multi-frame instance. */
  frame?: number;
}

export interface Landmark {
  concept: Code;
  point: PatientPoint;
  confidence?: number;
}

/** Where a finding is: the images it was seen on and, when known, a point or box in patient space. */
export interface FindingLocation {
  images: ImageReference[];
  point?: PatientPoint;
  /** Opposite corners of an axis-aligned box in patient space. */
  box?: [PatientPoint, PatientPoint];
}

/**
 * A mask in the voxel grid of one series: the grid's dimensions and patient affine (row-major 4x4,
 * voxel index (i,j,k) to LPS mm), and the set voxels as run lengths over i-fastest order,
 * alternating unset and set counts starting with unset.
 */
export interface FindingMask {
  seriesUid: string;
  dimensions: [number, number, number];
  affine: number[];
  runs: number[];
}

export interface AnalyzerIdentity {
  id: string;
  version: string;
  /** sha256 of the model file, for a model-backed analyzer. */
  modelHash?: string;
  manufacturer?: string;
}

export interface Finding {
  /** The kind of finding, e.g. SCT 50960005 Haemorrhage. */
  type: Code;
  presence: 'present' | 'absent' | 'indeterminate';
  /** Anatomic site, e.g. SCT 39607008 Lung structure. */
  site?: Code;
  laterality?: Laterality;
  measurements: Measurement[];
  /** 0..1 where the analyzer gives one. */
  confidence?: number;
  location?: FindingLocation;
  mask?: FindingMask;
  landmarks?: Landmark[];
  /** Who found it (model@version, model hash) and on what (the analysis input's hash). */
  source: AnalyzerIdentity & { inputHash: string };
}
