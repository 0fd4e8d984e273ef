import type { Finding, Landmark } from '../../domain/finding.js';
import { patientPoint } from '../../imaging/voxel-affine.js';
import { imagesOf, seriesSliceOf, thresholdFor, type DecodeContext } from './decode-context.js';
import type { DenseMap } from './dense-map.js';
import type { HeatmapOutput } from './model-manifest.js';

/**
 * Heatmaps to landmarks: the peak (argmax, first voxel on ties) of each landmark's channel, in patient
 * coordinates (LPS mm) through the model grid's affine, its value the confidence. A peak below
 * `minPeak` for the rollout mode is left out; one finding carries the landmarks, absent when none is left.
 */
export function decodeHeatmap(spec: HeatmapOutput, map: DenseMap, context: DecodeContext): Finding[] {
  const voxels = map.dims[0] * map.dims[1] * map.dims[2];
  const [nx, ny] = map.dims;
  const minPeak = thresholdFor(spec.minPeak, context.mode);
  const found: Array<Landmark & { slice: number }> = [];
  for (const landmark of spec.landmarks) {
    let best = -1;
    let peak = -Infinity;
    for (let v = 0; v < voxels; v++) {
      const value = map.values[landmark.channel * voxels + v] ?? -Infinity;
      if (value > peak) {
        peak = value;
        best = v;
      }
    }
    if (best < 0 || peak < minPeak) continue;
    const index: [number, number, number] = [best % nx, Math.floor(best / nx) % ny, Math.floor(best / (nx * ny))];
    found.push({ concept: landmark.concept, point: patientPoint(context.modelVolume.patientFromVoxel, index), confidence: peak, slice: seriesSliceOf(context, index[2]) });
  }
  const slices = found.map((l) => l.slice);
  return [{
    type: spec.type,
    presence: found.length > 0 ? 'present' : 'absent',
    ...(spec.site ? { site: spec.site } : {}),
    measurements: [],
    location: { images: found.length > 0 ? imagesOf(context, Math.min(...slices), Math.max(...slices)) : imagesOf(context) },
    landmarks: found.map(({ slice: _slice, ...landmark }) => landmark),
    source: context.source,
  }];
}
