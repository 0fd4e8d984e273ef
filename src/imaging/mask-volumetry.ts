import type { FindingMask, PatientPoint } from '../domain/finding.js';
import type { Index3 } from './connected-components.js';
import { setVoxelsOf } from './mask-runs.js';
import { patientBoxOf, patientPoint, voxelVolumeMm3 } from './voxel-affine.js';

/** Volumes of voxel masks in patient space: any FindingMask (a SEG segment, a grown region) to mL. Pure. */

export interface MaskVolumetry {
  voxels: number;
  volumeMl: number;
}

/** Set voxels times the voxel volume of the mask's affine (tilt and spacing both count). */
export function maskVolumetry(mask: FindingMask): MaskVolumetry {
  const voxels = setVoxelsOf(mask.runs);
  return { voxels, volumeMl: (voxels * voxelVolumeMm3(mask.affine)) / 1000 };
}

export interface RegionGeometry {
  centroid: PatientPoint;
  box: [PatientPoint, PatientPoint];
}

/** Centroid and patient box (voxel centres) of a voxel-index region. */
export function regionGeometry(affine: readonly number[], centroid: Index3, min: Index3, max: Index3): RegionGeometry {
  return { centroid: patientPoint(affine, centroid), box: patientBoxOf(affine, min, max) };
}
