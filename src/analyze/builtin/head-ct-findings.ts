import type { AnalyzerIdentity, Code, Finding, ImageReference } from '../../domain/finding.js';
import { lateralityOfExtent } from '../../domain/laterality.js';
import { abcOverTwo } from '../../imaging/abc-over-two.js';
import type { Collection } from '../../imaging/hyperdense-collections.js';
import type { MidlineShift } from '../../imaging/midline-shift.js';
import type { Volume } from '../../imaging/volume.js';
import { patientBoxOf, patientPoint } from '../../imaging/voxel-affine.js';

/** The head CT analyzer's findings from what src/imaging measured: codes, measurements, places. Pure. */

export const CODES = {
  intracranialHaemorrhage: { scheme: 'SCT', value: '1386000', meaning: 'Intracranial hemorrhage' },
  intracranialStructure: { scheme: 'SCT', value: '1101003', meaning: 'Intracranial structure' },
  /** No SNOMED CT or RadLex code for the midline shift itself is used here: a private 99RADBRIDGE one. */
  midlineShift: { scheme: '99RADBRIDGE', value: 'midline-shift', meaning: 'Midline shift of brain' },
  volume: { scheme: 'SCT', value: '118565006', meaning: 'Volume' },
  distance: { scheme: 'DCM', value: '121206', meaning: 'Distance' },
} as const satisfies Record<string, Code>;

const ML: Code = { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' };
const MM: Code = { scheme: 'UCUM', value: 'mm', meaning: 'millimeter' };

export interface FindingContext {
  seriesUid: string;
  volume: Volume;
  /** SOP Instance UID of each slice, by slice index. */
  sliceInstances: readonly string[];
  /** The ideal midline x (patient mm), for a collection's side. */
  midlineX: number;
  source: AnalyzerIdentity & { inputHash: string };
}

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;

function imagesOf(context: FindingContext, from: number, to: number): ImageReference[] {
  const out: ImageReference[] = [];
  for (let k = from; k <= to; k++) {
    const sopInstanceUid = context.sliceInstances[k];
    if (sopInstanceUid) out.push({ seriesUid: context.seriesUid, sopInstanceUid });
  }
  return out;
}

/**
 * A heuristic confidence, not a calibrated probability: 0.5 for the smallest collection kept,
 * rising to 0.95 at 5 mL and above, since small hyperdense clusters are the likeliest to be noise,
 * calcification or partial volume.
 */
export const collectionConfidence = (volumeMl: number): number => round(0.5 + 0.45 * Math.min(1, volumeMl / 5), 3);

export function haemorrhageFinding(c: Collection, context: FindingContext): Finding {
  const grid = context.volume;
  const box = patientBoxOf(grid.patientFromVoxel, c.min, c.max);
  const abc = abcOverTwo(c.runs, grid.dims, grid.spacing);
  const abcMethod = `ABC/2: A ${round(abc.aMm, 1)} mm (largest axial diameter) x B ${round(abc.bMm, 1)} mm (perpendicular) on slice ${abc.slice + 1} x C ${round(abc.cMm, 1)} mm (craniocaudal extent) / 2`;
  return {
    type: CODES.intracranialHaemorrhage,
    presence: 'present',
    site: CODES.intracranialStructure,
    laterality: lateralityOfExtent(box[0][0], box[1][0], context.midlineX),
    measurements: [
      { concept: CODES.volume, value: round(c.volumeMl, 2), unit: ML, method: 'voxel count' },
      { concept: CODES.volume, value: round(abc.volumeMl, 2), unit: ML, method: abcMethod },
    ],
    confidence: collectionConfidence(c.volumeMl),
    location: { images: imagesOf(context, c.min[2], c.max[2]), point: patientPoint(grid.patientFromVoxel, c.centroid), box },
    mask: { seriesUid: context.seriesUid, dimensions: [...grid.dims], affine: [...grid.patientFromVoxel], runs: c.runs },
    source: context.source,
  };
}

const SHIFT_METHOD = 'septum pellucidum to the line joining the anterior and posterior falx attachments, largest over axial slices';

/** Present at `presentMm` or more; towards the side the septum moved; indeterminate when no septum is seen. */
export function midlineShiftFinding(shift: MidlineShift | undefined, presentMm: number, context: FindingContext): Finding {
  const base = { type: CODES.midlineShift, site: CODES.intracranialStructure, source: context.source };
  if (!shift) return { ...base, presence: 'indeterminate', measurements: [], location: { images: [{ seriesUid: context.seriesUid }] } };
  const size = Math.abs(shift.shiftMm);
  return {
    ...base,
    presence: size >= presentMm ? 'present' : 'absent',
    laterality: size < 0.5 ? 'midline' : shift.shiftMm > 0 ? 'left' : 'right',
    measurements: [{ concept: CODES.distance, value: round(size, 1), unit: MM, method: SHIFT_METHOD }],
    location: { images: imagesOf(context, shift.slice, shift.slice), point: shift.septum },
  };
}
