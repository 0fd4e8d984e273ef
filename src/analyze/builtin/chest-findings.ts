import type { AnalyzerIdentity, Code, Finding, ImageReference, Measurement } from '../../domain/finding.js';
import type { PleuralCollection } from '../../imaging/pleural-collections.js';
import { offsetRuns } from '../../imaging/mask-runs.js';
import type { Volume } from '../../imaging/volume.js';
import { patientBoxOf } from '../../imaging/voxel-affine.js';

/** Pleural collections as coded findings: SNOMED CT types, side, volumes in mL, location, mask, confidence. */

export const PNEUMOTHORAX: Code = { scheme: 'SCT', value: '36118008', meaning: 'Pneumothorax' };
export const HAEMOTHORAX: Code = { scheme: 'SCT', value: '31892009', meaning: 'Hemothorax' };
export const VOLUME: Code = { scheme: 'SCT', value: '118565006', meaning: 'Volume' };
/** A local code: the SNOMED CT body structure for the pleural cavity could not be confirmed here. */
const PLEURAL_CAVITY: Code = { scheme: '99RADBRIDGE', value: 'pleural-cavity', meaning: 'Pleural cavity' };
const ML: Code = { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' };

export const VOXEL_COUNT_METHOD = 'voxel count';
export const MERGO_METHOD = 'Mergo formula V = d² × l (d: greatest AP depth in cm, l: craniocaudal length in cm)';

/** Where the analysed slices sit in the series: the series grid, and the first analysed slice. */
export interface SeriesPlacement {
  seriesUid: string;
  seriesVolume: Volume;
  firstSlice: number;
  /** SOP Instance UID of each series slice, by slice index. */
  sliceInstances: readonly string[];
}

export interface FindingContext {
  placement: SeriesPlacement;
  source: AnalyzerIdentity & { inputHash: string };
}

/** Mergo's estimate in mL from the greatest AP depth and the craniocaudal length, both in mm. */
export function mergoVolumeMl(depthMm: number, lengthMm: number): number {
  return (depthMm / 10) ** 2 * (lengthMm / 10);
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

/** 0.5 at the detection threshold, rising towards 0.99 with volume: a heuristic, not a calibrated probability. */
function confidenceOf(volumeMl: number, scaleMl: number): number {
  return round1(100 * Math.min(0.99, 0.5 + 0.5 * (1 - Math.exp(-volumeMl / scaleMl)))) / 100;
}

function images(placement: SeriesPlacement, from?: number, to?: number): ImageReference[] {
  if (from === undefined || to === undefined) return [{ seriesUid: placement.seriesUid }];
  const out: ImageReference[] = [];
  for (let k = from + placement.firstSlice; k <= to + placement.firstSlice; k++) {
    const sopInstanceUid = placement.sliceInstances[k];
    if (sopInstanceUid) out.push({ seriesUid: placement.seriesUid, sopInstanceUid });
  }
  return out;
}

function volumeMeasurement(value: number, method: string): Measurement {
  return { concept: VOLUME, value: round1(value), unit: ML, method };
}

/** One present finding for a collection, on the series grid. */
export function collectionFinding(type: Code, c: PleuralCollection, volume: Volume, context: FindingContext, extra: Measurement[] = []): Finding {
  const { placement } = context;
  const grid = placement.seriesVolume;
  return {
    type,
    presence: 'present',
    site: PLEURAL_CAVITY,
    laterality: c.side,
    measurements: [volumeMeasurement(c.volumeMl, VOXEL_COUNT_METHOD), ...extra],
    confidence: confidenceOf(c.volumeMl, type.value === PNEUMOTHORAX.value ? 20 : 10),
    location: {
      images: images(placement, c.min[2], c.max[2]),
      point: [c.centroid[0], c.centroid[1], c.centroid[2]],
      box: patientBoxOf(volume.patientFromVoxel, c.min, c.max),
    },
    mask: {
      seriesUid: placement.seriesUid,
      dimensions: [grid.dims[0], grid.dims[1], grid.dims[2]],
      affine: [...grid.patientFromVoxel],
      runs: offsetRuns(c.runs, placement.firstSlice * grid.dims[0] * grid.dims[1]),
    },
    source: context.source,
  };
}

export function pneumothoraxFinding(c: PleuralCollection, volume: Volume, context: FindingContext): Finding {
  return collectionFinding(PNEUMOTHORAX, c, volume, context);
}

export function haemothoraxFinding(c: PleuralCollection, volume: Volume, context: FindingContext): Finding {
  return collectionFinding(HAEMOTHORAX, c, volume, context, [volumeMeasurement(mergoVolumeMl(c.maxDepthMm, c.lengthMm), MERGO_METHOD)]);
}

/** A type looked for and not found on either side. */
export function absentFinding(type: Code, context: FindingContext): Finding {
  return { type, presence: 'absent', site: PLEURAL_CAVITY, measurements: [], location: { images: images(context.placement) }, source: context.source };
}
