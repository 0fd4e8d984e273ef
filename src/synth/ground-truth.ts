/** What a synthetic study holds, written beside it as ground-truth.json. */

export type Side = 'left' | 'right' | 'midline';

export type CtFindingType = 'intracranial-haemorrhage' | 'pneumothorax' | 'haemothorax' | 'haemoperitoneum' | 'pelvic-free-fluid' | 'cortical-break';

export interface FindingLocation {
  seriesInstanceUid: string;
  seriesNumber: number;
  /** Instance numbers of the slices holding at least one voxel of the finding. */
  instanceNumbers: number[];
  files: string[];
}

export interface CtFindingTruth {
  id: string;
  type: CtFindingType;
  /** Patient left or right (LPS: +x is patient left). */
  side: Side;
  /** Centroid of the finding's region in patient coordinates (mm, LPS). */
  centreMm: [number, number, number];
  /** A point well inside the finding (its thickest part), where a small ROI measures its HU. */
  probeMm: [number, number, number];
  /** Extent along x, y, z in mm. */
  sizeMm: [number, number, number];
  volumeMl: number;
  /** HU of the finding's voxels (before noise). */
  hu: number;
  /** For a cortical break: the HU of the intact bone around the gap. */
  surroundingHu?: number;
  /** Bone the break is in, for cortical breaks. */
  bone?: string;
  locations: FindingLocation[];
}

export interface SeriesTruth {
  seriesInstanceUid: string;
  seriesNumber: number;
  description: string;
  files: string[];
}

export interface Point2d {
  pixel: [number, number];
  mm: [number, number];
}

export interface RadiographTruth {
  file: string;
  /** R, L, or B for both sides. */
  laterality: 'R' | 'L' | 'B';
  /** Row spacing then column spacing, as in PixelSpacing. */
  pixelSpacingMm: [number, number];
  /** Pixel (column, row) from the top-left pixel centre; mm = pixel × spacing. */
  landmarks: Record<string, Point2d>;
  /** Axes as two landmarks each. */
  axes: Record<string, { from: string; to: string }>;
  measurements: Record<string, number>;
  /** For spines: each vertebra's upper and lower endplate, left to right end. */
  endplates?: { vertebra: string; upper: [Point2d, Point2d]; lower: [Point2d, Point2d]; tiltDeg: number }[];
  /** End vertebrae by their most tilted endplates; the angle between those endplates. */
  cobb?: { upperEndVertebra: string; lowerEndVertebra: string; angleDeg: number };
}

export interface UltrasoundTruth {
  file: string;
  numberOfFrames: number;
  frameTimeMs: number;
  freeFluid: boolean;
  /** 1-based frame numbers holding the anechoic stripe. */
  stripeFrames: number[];
  /** Stripe centre and thickness, in the frames that hold it. */
  stripe?: { centre: Point2d; thicknessMm: number; lengthMm: number; meanPixelValue: number };
  pixelSpacingMm: [number, number];
}

export interface GroundTruth {
  generator: 'radbridge synth';
  kind: string;
  seed: number;
  normal: boolean;
  matrix: number;
  studyInstanceUid: string;
  patientId: string;
  accessionNumber: string;
  series: SeriesTruth[];
  findings: CtFindingTruth[];
  radiographs: RadiographTruth[];
  ultrasound: UltrasoundTruth[];
}
