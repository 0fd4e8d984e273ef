import { connectedComponents, type Component, type Index3 } from '../../imaging/connected-components.js';
import { erodeBox, medianInPlane3x3 } from '../../imaging/morphology.js';
import type { Volume } from '../../imaging/volume.js';
import { voxelVolumeMm3 } from '../../imaging/voxel-affine.js';
import type { SliceRange } from './abdominal-range.js';

/**
 * Free fluid candidates in the abdomen and pelvis of a contrast-enhanced CT, by density. Pure.
 *
 * 1. A 3 x 3 in-plane median suppresses noise.
 * 2. Fluid density: FLUID_HU (0–70 HU after the median). Enhanced solid organs (liver, spleen,
 *    kidneys above ~100 HU in the portal venous phase), fat, bowel gas and bone fall outside it.
 * 3. Water-density voxels (below BLOOD_FROM_HU) that form a thick body — some voxel lies at least
 *    ORGAN_CORE_MM deep inside its water-density component — are taken for a fluid-filled organ
 *    (urinary bladder, gallbladder, a fluid-filled bowel loop) and removed, whole component.
 * 4. 6-connected components of what is left, of at least MIN_VOLUME_ML, are the candidates; a
 *    mean raw HU from BLOOD_FROM_HU up reads as blood (haemoperitoneum), below as simple fluid. A
 *    component whose mean raw HU lies outside FLUID_HU is the median's edge inside bone (a
 *    fracture gap, a cortex) and is dropped.
 */

export const FLUID_HU: [number, number] = [0, 70];
export const BLOOD_FROM_HU = 20;
export const ORGAN_CORE_MM = 10;
export const MIN_VOLUME_ML = 2;

export interface FluidCandidate {
  component: Component;
  volumeMl: number;
  meanHu: number;
  blood: boolean;
}

function radiiOf(spacing: [number, number, number], mm: number): Index3 {
  return [Math.floor(mm / spacing[0]), Math.floor(mm / spacing[1]), Math.floor(mm / spacing[2])];
}

/** Marks fluid-density voxels of the slice range, and among them the water-density ones. */
function densityMasks(volume: Volume, range: SliceRange): { fluid: Uint8Array; water: Uint8Array } {
  const perSlice = volume.dims[0] * volume.dims[1];
  const smooth = new Int16Array(perSlice);
  const fluid = new Uint8Array(volume.voxels.length);
  const water = new Uint8Array(volume.voxels.length);
  const [low, high] = FLUID_HU;
  for (let k = range.kFrom; k <= range.kTo; k++) {
    medianInPlane3x3(volume.voxels, volume.dims, k, smooth);
    const offset = k * perSlice;
    for (let p = 0; p < perSlice; p++) {
      const hu = smooth[p] ?? -1024;
      if (hu < low || hu > high) continue;
      fluid[offset + p] = 1;
      if (hu < BLOOD_FROM_HU) water[offset + p] = 1;
    }
  }
  return { fluid, water };
}

function runsHit(runs: readonly number[], grid: Uint8Array): boolean {
  let v = 0;
  for (let r = 0; r < runs.length; r += 2) {
    v += runs[r] ?? 0;
    const end = v + (runs[r + 1] ?? 0);
    for (; v < end; v++) if (grid[v] === 1) return true;
  }
  return false;
}

function clearRuns(runs: readonly number[], grid: Uint8Array): void {
  let v = 0;
  for (let r = 0; r < runs.length; r += 2) {
    v += runs[r] ?? 0;
    const end = v + (runs[r + 1] ?? 0);
    grid.fill(0, v, end);
    v = end;
  }
}

export function freeFluidCandidates(volume: Volume, range: SliceRange): FluidCandidate[] {
  const { fluid, water } = densityMasks(volume, range);
  const core = erodeBox(water, volume.dims, radiiOf(volume.spacing, ORGAN_CORE_MM));
  for (const organ of connectedComponents(water, volume.dims, 1, 6).filter((c) => runsHit(c.runs, core))) clearRuns(organ.runs, fluid);
  const voxelMl = voxelVolumeMm3(volume.patientFromVoxel) / 1000;
  return connectedComponents(fluid, volume.dims, 1, 6, { weight: (v) => volume.voxels[v] ?? 0 })
    .map((component) => {
      const meanHu = component.weight / component.voxels;
      return { component, volumeMl: component.voxels * voxelMl, meanHu, blood: meanHu >= BLOOD_FROM_HU };
    })
    .filter((c) => c.volumeMl >= MIN_VOLUME_ML && c.meanHu >= FLUID_HU[0] && c.meanHu <= FLUID_HU[1]);
}
