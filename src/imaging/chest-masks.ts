import { enclosedBy } from './binary-morphology.js';
import { connectedComponents, eachVoxel, wholeGrid, type Component, type Index3, type IndexBox } from './connected-components.js';
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
 *
 * The label grid is the only grid of a voxel's size besides the volume: voxels being grouped into
 * regions take the label `candidate` while they are, and their own label back before a function
 * returns (candidateComponents), so the masks cost one byte a voxel.
 */

export const CHEST_LABEL = { outside: 0, body: 1, rightLung: 2, leftLung: 3, airway: 4, candidate: 5 } as const;

export const CHEST_HU = {
  body: -500,
  lung: -400,
  air: -950,
} as const;

const MIN_LUNG_ML = 30;
const AIRWAY_CROSSING_MM = 5;

export interface ChestMasks {
  /** One CHEST_LABEL per voxel (never `candidate` between calls). */
  labels: Uint8Array;
  midlineX: number;
  /** The index box of each lung; undefined for a side without lung. */
  lungBoxes: Record<'right' | 'left', IndexBox | undefined>;
}

/** Patient x of voxel (i, j, k). */
export function patientX(volume: Volume, i: number, j: number, k: number): number {
  const m = volume.patientFromVoxel;
  return (m[0] ?? 0) * i + (m[1] ?? 0) * j + (m[2] ?? 0) * k + (m[3] ?? 0);
}

/**
 * The 6-connected regions of the voxels labelled `from` within `box` that `pick` chooses. The
 * picked voxels are labelled `candidate` while they are grouped and `from` again before this returns.
 */
export function candidateComponents(labels: Uint8Array, dims: Index3, from: number, box: IndexBox, pick: (voxel: number, i: number, j: number, k: number) => boolean, options: { weight?: (voxel: number) => number } = {}): Component[] {
  eachVoxel(dims, box, (v, i, j, k) => {
    if (labels[v] === from && pick(v, i, j, k)) labels[v] = CHEST_LABEL.candidate;
  });
  const components = connectedComponents(labels, dims, CHEST_LABEL.candidate, 6, { ...options, box });
  for (const c of components) paintRuns(labels, c.runs, from);
  return components;
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
  const { voxels, dims } = volume;
  for (const c of candidateComponents(labels, dims, CHEST_LABEL.body, wholeGrid(dims), (v) => (voxels[v] ?? 0) <= CHEST_HU.air)) {
    const xs = [patientX(volume, c.min[0], c.min[1], c.min[2]), patientX(volume, c.max[0], c.max[1], c.max[2])];
    if (Math.min(...xs) < midlineX - AIRWAY_CROSSING_MM && Math.max(...xs) > midlineX + AIRWAY_CROSSING_MM) paintRuns(labels, c.runs, CHEST_LABEL.airway);
  }
}

/** Grows `box` (or starts one) to hold voxel (i, j, k). */
function include(box: IndexBox | undefined, i: number, j: number, k: number): IndexBox {
  if (!box) return { min: [i, j, k], max: [i, j, k] };
  const at = [i, j, k];
  for (let a = 0; a < 3; a++) {
    box.min[a] = Math.min(box.min[a] ?? 0, at[a] ?? 0);
    box.max[a] = Math.max(box.max[a] ?? 0, at[a] ?? 0);
  }
  return box;
}

/** Labels each voxel outside, body, right lung, left lung or airway. */
export function chestMasks(volume: Volume, midlineX: number): ChestMasks {
  const labels = bodyLabels(volume);
  markAirways(volume, labels, midlineX);
  const { voxels, dims } = volume;
  const [nx, ny] = dims;
  const minVoxels = (MIN_LUNG_ML * 1000) / voxelVolumeMm3(volume.patientFromVoxel);
  const lungs = candidateComponents(labels, dims, CHEST_LABEL.body, wholeGrid(dims), (v) => (voxels[v] ?? 0) < CHEST_HU.lung).filter((c) => c.voxels >= minVoxels);
  const m = volume.patientFromVoxel;
  const [ax, bx, cx, dx] = [m[0] ?? 0, m[1] ?? 0, m[2] ?? 0, m[3] ?? 0];
  const lungBoxes: ChestMasks['lungBoxes'] = { right: undefined, left: undefined };
  for (const c of lungs) {
    let v = 0;
    for (let r = 0; r < c.runs.length; r += 2) {
      v += c.runs[r] ?? 0;
      for (let end = v + (c.runs[r + 1] ?? 0); v < end; v++) {
        const i = v % nx;
        const j = Math.floor(v / nx) % ny;
        const k = Math.floor(v / (nx * ny));
        const side = ax * i + bx * j + cx * k + dx > midlineX ? 'left' : 'right';
        labels[v] = side === 'left' ? CHEST_LABEL.leftLung : CHEST_LABEL.rightLung;
        lungBoxes[side] = include(lungBoxes[side], i, j, k);
      }
    }
  }
  return { labels, midlineX, lungBoxes };
}
