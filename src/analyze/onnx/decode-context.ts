import type { AnalyzerIdentity, ImageReference } from '../../domain/finding.js';
import type { RolloutMode } from '../../domain/rollout-mode.js';
import type { Volume } from '../../imaging/volume.js';
import type { Threshold } from './model-manifest.js';

/** What decoding needs besides the raw outputs: both voxel grids, the images, the rollout mode and the source. Pure data. */
export interface DecodeContext {
  seriesUid: string;
  /** The series as built from its files; masks and components are given on its grid. */
  seriesVolume: Volume;
  /** The volume the model saw (resampled, or the series volume itself). */
  modelVolume: Volume;
  /** SOP Instance UID of each slice of the series volume, by slice index. */
  sliceInstances: readonly string[];
  /** The patient's midline x (LPS mm), for laterality. */
  midlineX: number;
  mode: RolloutMode;
  source: AnalyzerIdentity & { inputHash: string };
}

/** The threshold in force for a rollout mode. */
export const thresholdFor = (threshold: Threshold, mode: RolloutMode): number => (typeof threshold === 'number' ? threshold : threshold[mode]);

/** Series slice index nearest to a model-grid slice index (the model grid starts at series voxel 0). */
export function seriesSliceOf(context: DecodeContext, modelSlice: number): number {
  const factor = context.modelVolume.spacing[2] / context.seriesVolume.spacing[2];
  return Math.min(context.seriesVolume.dims[2] - 1, Math.max(0, Math.round(modelSlice * factor)));
}

/** References to the series slices from..to (series slice indices), or to the series alone when unknown. */
export function imagesOf(context: DecodeContext, from?: number, to?: number): ImageReference[] {
  if (from === undefined || to === undefined) return [{ seriesUid: context.seriesUid }];
  const out: ImageReference[] = [];
  for (let k = Math.max(0, from); k <= Math.min(to, context.sliceInstances.length - 1); k++) {
    const sopInstanceUid = context.sliceInstances[k];
    if (sopInstanceUid !== undefined) out.push({ seriesUid: context.seriesUid, sopInstanceUid });
  }
  return out;
}
