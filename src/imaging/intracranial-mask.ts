import { closeSquare, enclosedBy } from './binary-morphology.js';
import { connectedComponents } from './connected-components.js';
import { paintRuns } from './mask-runs.js';
import type { Volume } from './volume.js';

/**
 * The intracranial space of a head CT, pure: on each axial slice the skull is the bone (> `boneHu`),
 * closed by a square of about `gapMm` so that a fracture line or a suture does not open it, and
 * the space it encloses (not reachable from the image border) is kept where its HU lie in
 * `tissueHu` (brain, CSF, blood). The largest 6-connected 3D region of that is the intracranial
 * space: scalp, orbits and neck are outside the skull or not joined to it.
 */

export interface IntracranialOptions {
  boneHu: number;
  tissueHu: [number, number];
  /** Widest gap in the skull that still counts as closed, mm. */
  gapMm: number;
}

export const INTRACRANIAL_DEFAULTS: IntracranialOptions = { boneHu: 300, tissueHu: [0, 100], gapMm: 10 };

export interface IntracranialSpace {
  /** 1 inside, on the volume's grid. */
  mask: Uint8Array;
  voxels: number;
}

/** Slice k's candidate intracranial voxels, written into `out`. */
function sliceCandidates(volume: Volume, k: number, o: IntracranialOptions, out: Uint8Array): void {
  const { dims, voxels, spacing } = volume;
  const [nx, ny] = dims;
  const plane = { nx, ny };
  const offset = nx * ny * k;
  const bone = new Uint8Array(nx * ny);
  for (let p = 0; p < bone.length; p++) bone[p] = (voxels[offset + p] ?? -1024) > o.boneHu ? 1 : 0;
  const radius = Math.max(1, Math.ceil(o.gapMm / 2 / Math.min(spacing[0], spacing[1])));
  const inside = enclosedBy(closeSquare(bone, plane, radius), plane);
  const [low, high] = o.tissueHu;
  for (let p = 0; p < inside.length; p++) {
    const hu = voxels[offset + p] ?? -1024;
    out[offset + p] = inside[p] && !bone[p] && hu >= low && hu <= high ? 1 : 0;
  }
}

/** The largest region of voxels set in `grid`, left as the only voxels set in it; none when no voxel is set. */
function keepLargestRegion(grid: Uint8Array, dims: [number, number, number]): IntracranialSpace | undefined {
  const components = connectedComponents(grid, dims, 1, 6);
  const largest = components.reduce<(typeof components)[number] | undefined>((best, c) => (!best || c.voxels > best.voxels ? c : best), undefined);
  if (!largest) return undefined;
  grid.fill(0);
  paintRuns(grid, largest.runs, 1);
  return { mask: grid, voxels: largest.voxels };
}

export function intracranialSpace(volume: Volume, options: Partial<IntracranialOptions> = {}): IntracranialSpace | undefined {
  const o = { ...INTRACRANIAL_DEFAULTS, ...options };
  const grid = new Uint8Array(volume.voxels.length);
  for (let k = 0; k < volume.dims[2]; k++) sliceCandidates(volume, k, o, grid);
  return keepLargestRegion(grid, volume.dims);
}
