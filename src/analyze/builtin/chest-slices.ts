import type { SeriesClassification } from '../../classify/classify-series.js';
import type { Volume } from '../../imaging/volume.js';
import { invertAffine, transformPoint } from '../../imaging/voxel-affine.js';

/** The slices of a series volume that show the chest: all of a chest series, the chest z-range of a multi-region one. */

/** Patient z limits (from > to) of the chest segment, when the series is split into regions. */
export function sliceRange(classification: SeriesClassification): { zFrom: number; zTo: number } | undefined {
  const segment = classification.regions.find((r) => r.region === 'chest');
  return segment ? { zFrom: segment.zFrom, zTo: segment.zTo } : undefined;
}

/** The chest slices as a volume of their own (sharing the voxels), and where they start in the series; undefined when none. */
export function chestSlices(volume: Volume, classification: SeriesClassification): { volume: Volume; firstSlice: number } | undefined {
  const [nx, ny, nz] = volume.dims;
  const range = sliceRange(classification);
  const inside: number[] = [];
  for (let k = 0; k < nz; k++) {
    const z = transformPoint(volume.patientFromVoxel, [(nx - 1) / 2, (ny - 1) / 2, k])[2];
    if (!range || (z <= range.zFrom && z >= range.zTo)) inside.push(k);
  }
  const first = inside[0];
  const last = inside[inside.length - 1];
  if (first === undefined || last === undefined) return undefined;
  const m = volume.patientFromVoxel;
  const patientFromVoxel = m.map((v, index) => (index % 4 === 3 && index < 12 ? v + (m[index - 1] ?? 0) * first : v));
  const sliceSize = nx * ny;
  return {
    firstSlice: first,
    volume: {
      ...volume,
      dims: [nx, ny, last - first + 1],
      voxels: volume.voxels.subarray(first * sliceSize, (last + 1) * sliceSize),
      patientFromVoxel,
      voxelFromPatient: invertAffine(patientFromVoxel),
    },
  };
}
