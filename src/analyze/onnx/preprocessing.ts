import { resampleVolume } from '../../imaging/volume-resampling.js';
import type { Volume } from '../../imaging/volume.js';
import { applyWindow } from '../../imaging/windowing.js';
import type { Preprocessing } from './model-manifest.js';

/**
 * From HU to model input values, pure: the volume is resampled to the model's spacing once, then each
 * tile's HU are windowed (the DICOM linear VOI function, grey 0..255) and normalised as they are cut
 * out, so the volume is never held twice as floats.
 */

/** The volume on the model's voxel grid: resampled when the manifest gives a spacing that differs. */
export function modelGridVolume(volume: Volume, preprocessing: Preprocessing): Volume {
  const target = preprocessing.spacing;
  if (!target || target.every((t, a) => Math.abs(t - (volume.spacing[a] ?? 0)) < 1e-6)) return volume;
  return resampleVolume(volume, target);
}

/**
 * HU values to model input: window (grey 0..255; MONOCHROME2 always, the model sees values, not a
 * display), then none (as is), unit (grey / 255) or zscore ((value - mean) / std); written into `out` when given.
 */
export function prepareValues(hu: ArrayLike<number>, preprocessing: Preprocessing, out: Float32Array = new Float32Array(hu.length)): Float32Array {
  const { window, normalise } = preprocessing;
  const source: ArrayLike<number> = window ? applyWindow(hu, window, 'MONOCHROME2') : hu;
  if (normalise.kind === 'unit') {
    for (let p = 0; p < out.length; p++) out[p] = (source[p] ?? 0) / 255;
  } else if (normalise.kind === 'zscore') {
    const { mean, std } = normalise;
    for (let p = 0; p < out.length; p++) out[p] = ((source[p] ?? 0) - mean) / std;
  } else {
    for (let p = 0; p < out.length; p++) out[p] = source[p] ?? 0;
  }
  return out;
}
