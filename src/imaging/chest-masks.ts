import { enclosedBy } from './binary-morphology.js';
import { connectedComponents, type Index3 } from './connected-components.js';
import { paintRuns } from './mask-runs.js';
import type { Volume } from './volume.js';
import { voxelVolumeMm3 } from './voxel-affine.js';

/**
 * Body and lung masks of an axial chest CT, without learned weights. Pure.
 *
 * - Body: the largest 6-connected region above -500 HU, its holes (lungs, airways) filled slice by
 *   slice, so outside air and the table's gaps stay outside.
 * - Airways: air at or below -950 HU inside the body whose connected extent crosses the midline by
 *   more than 5 mm on both sides (trachea, main bronchi and the air tree joined to them); excluded.
 * - Lungs: the remaining air below -400 HU inside the body, in 6-connected regions of at least
 *   30 mL (smaller gas pockets are not lung), split into right and left at the body midline.
 */

export const CHEST_LABEL = { outside: 0, body: 1, rightLung: 2, leftLung: 3, airway: 4 } as const;

export const CHEST_HU = {
  body: -500,
  lung: -400,
  air: -950,
} as const;

const MIN_LUNG_ML = 30;
const AIRWAY_CROSSING_MM = 5;

export interface ChestMasks {
  /** One CHEST_LABEL per voxel. */
  labels: Uint8Array;
  midlineX: number;
}

/** Patient x of voxel (i, j, k). */
export function patientX(volume: Volume, i: number, j: number, k: number): number {
  const m = volume.patientFromVoxel;
  return (m[0] ?? 0) * i + (m[1] ?? 0) * j + (m[2] ?? 0) * k + (m[3] ?? 0);
}

/** Fills, in each slice, the non-body pixels that the slice border cannot reach (4-connected). */
function fillHolesSliceWise(labels: Uint8Array, dims: Index3): void {
  const [nx, ny, nz] = dims;
  const size = nx * ny;
  for (let k = 0; k < nz; k++) {
    const base = k * size;
    const holes = enclosedBy(labels.subarray(base, base + size), { nx, ny });
    for (let p = 0; p < size; p++) if (holes[p]) labels[base + p] = CHEST_LABEL.body;
  }
}

function bodyLabels(volume: Volume): Uint8Array {
  const { voxels, dims } = volume;
  const dense = new Uint8Array(voxels.length);
  for (let v = 0; v < voxels.length; v++) dense[v] = (voxels[v] ?? -1024) > CHEST_HU.body ? 1 : 0;
  const components = connectedComponents(dense, dims, 1, 6);
  dense.fill(0);
  const largest = components.reduce<(typeof components)[number] | undefined>((best, c) => (!best || c.voxels > best.voxels ? c : best), undefined);
  if (largest) paintRuns(dense, largest.runs, CHEST_LABEL.body);
  fillHolesSliceWise(dense, dims);
  return dense;
}

/** Marks as airway the air components inside the body that cross the midline on both sides. */
function markAirways(volume: Volume, labels: Uint8Array, midlineX: number): void {
  const air = new Uint8Array(labels.length);
  for (let v = 0; v < labels.length; v++) air[v] = labels[v] === CHEST_LABEL.body && (volume.voxels[v] ?? 0) <= CHEST_HU.air ? 1 : 0;
  for (const c of connectedComponents(air, volume.dims, 1, 6)) {
    const xs = [patientX(volume, c.min[0], c.min[1], c.min[2]), patientX(volume, c.max[0], c.max[1], c.max[2])];
    if (Math.min(...xs) < midlineX - AIRWAY_CROSSING_MM && Math.max(...xs) > midlineX + AIRWAY_CROSSING_MM) paintRuns(labels, c.runs, CHEST_LABEL.airway);
  }
}

/** Labels each voxel outside, body, right lung, left lung or airway. */
export function chestMasks(volume: Volume, midlineX: number): ChestMasks {
  const labels = bodyLabels(volume);
  markAirways(volume, labels, midlineX);
  const [nx, ny, nz] = volume.dims;
  const air = new Uint8Array(labels.length);
  for (let v = 0; v < labels.length; v++) air[v] = labels[v] === CHEST_LABEL.body && (volume.voxels[v] ?? 0) < CHEST_HU.lung ? 1 : 0;
  const minVoxels = (MIN_LUNG_ML * 1000) / voxelVolumeMm3(volume.patientFromVoxel);
  const lungs = new Uint8Array(labels.length);
  for (const c of connectedComponents(air, volume.dims, 1, 6)) if (c.voxels >= minVoxels) paintRuns(lungs, c.runs, 1);
  const m = volume.patientFromVoxel;
  const [ax, bx, cx, dx] = [m[0] ?? 0, m[1] ?? 0, m[2] ?? 0, m[3] ?? 0];
  for (let k = 0, v = 0; k < nz; k++) {
    const xk = cx * k;
    for (let j = 0; j < ny; j++) {
      const xj = bx * j;
      for (let i = 0; i < nx; i++, v++) {
        if (lungs[v]) labels[v] = ax * i + xj + xk + dx > midlineX ? CHEST_LABEL.leftLung : CHEST_LABEL.rightLung;
      }
    }
  }
  return { labels, midlineX };
}
