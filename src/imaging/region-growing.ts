import { regionOfVoxels, type Index3 } from './connected-components.js';
import type { Volume } from './volume.js';

/**
 * Semi-automatic volumetry: 3D region growing over a CT volume within an HU range, 6-connected,
 * from one seed voxel or from every in-range voxel of a box, bounded by the box and by a maximum
 * voxel count. Pure.
 */

export interface GrowthBounds {
  /** Inclusive voxel-index box the region may not leave; the whole volume when absent. */
  min: Index3;
  max: Index3;
}

export interface GrowthRequest {
  /** One seed voxel; when absent, the largest 6-connected in-range region of the box is taken. */
  seed?: Index3;
  bounds: GrowthBounds;
  /** Inclusive HU range. */
  huRange: [number, number];
  /** The growth stops once the region holds this many voxels. */
  maxVoxels: number;
}

export interface GrownRegion {
  voxels: number;
  /** Mean voxel index. */
  centroid: Index3;
  min: Index3;
  max: Index3;
  /** Set voxels as run lengths over the volume grid (i fastest, alternating unset and set, starting with unset). */
  runs: number[];
  /** The growth stopped at maxVoxels: the region may go on beyond it. */
  reachedLimit: boolean;
  meanHu: number;
}

const STEPS: Index3[] = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]];

/** The inclusive box clipped to the volume. */
export function clipBounds(volume: Volume, bounds: GrowthBounds): GrowthBounds {
  const clip = (v: number, axis: number) => Math.min(Math.max(Math.round(v), 0), (volume.dims[axis] ?? 1) - 1);
  return {
    min: [clip(Math.min(bounds.min[0], bounds.max[0]), 0), clip(Math.min(bounds.min[1], bounds.max[1]), 1), clip(Math.min(bounds.min[2], bounds.max[2]), 2)],
    max: [clip(Math.max(bounds.min[0], bounds.max[0]), 0), clip(Math.max(bounds.min[1], bounds.max[1]), 1), clip(Math.max(bounds.min[2], bounds.max[2]), 2)],
  };
}

interface Grower {
  inRange(v: number): boolean;
  grow(seed: number, limit: number, visited: Uint8Array): number[];
}

function growerOf(volume: Volume, bounds: GrowthBounds, huRange: [number, number]): Grower {
  const [nx, ny] = volume.dims;
  const [lo, hi] = huRange;
  const inside = (i: number, j: number, k: number) =>
    i >= bounds.min[0] && i <= bounds.max[0] && j >= bounds.min[1] && j <= bounds.max[1] && k >= bounds.min[2] && k <= bounds.max[2];
  const inRange = (v: number) => {
    const hu = volume.voxels[v] ?? -32768;
    return hu >= lo && hu <= hi;
  };
  return {
    inRange,
    grow(seed, limit, visited) {
      const region: number[] = [seed];
      visited[seed] = 1;
      for (let head = 0; head < region.length && region.length < limit; head++) {
        const v = region[head] ?? 0;
        const i = v % nx;
        const j = Math.floor(v / nx) % ny;
        const k = Math.floor(v / (nx * ny));
        for (const [dx, dy, dz] of STEPS) {
          if (!inside(i + dx, j + dy, k + dz)) continue;
          const n = i + dx + nx * (j + dy + ny * (k + dz));
          if (visited[n] === 1 || !inRange(n)) continue;
          visited[n] = 1;
          region.push(n);
          if (region.length >= limit) break;
        }
      }
      return region;
    },
  };
}

function describe(volume: Volume, region: number[], reachedLimit: boolean): GrownRegion {
  const found = regionOfVoxels(Int32Array.from(region).sort(), volume.dims, (v) => volume.voxels[v] ?? 0);
  const { voxels, centroid, min, max, runs } = found;
  return { voxels, centroid, min, max, runs, reachedLimit, meanHu: found.weight / Math.max(1, voxels) };
}

/**
 * Grows the region. From a seed: the seed's 6-connected in-range neighbourhood inside the bounds
 * (empty when the seed itself is out of range). From a box alone: the largest such region of the
 * box. Either stops at maxVoxels.
 */
export function growRegion(volume: Volume, request: GrowthRequest): GrownRegion {
  const bounds = clipBounds(volume, request.bounds);
  const grower = growerOf(volume, bounds, request.huRange);
  const visited = new Uint8Array(volume.voxels.length);
  const [nx, ny] = volume.dims;
  const limit = Math.max(1, Math.floor(request.maxVoxels));
  if (request.seed) {
    const [i, j, k] = request.seed;
    const seed = i + nx * (j + ny * k);
    if (!grower.inRange(seed)) return describe(volume, [], false);
    const region = grower.grow(seed, limit, visited);
    return describe(volume, region, region.length >= limit);
  }
  let best: number[] = [];
  for (let k = bounds.min[2]; k <= bounds.max[2]; k++) {
    for (let j = bounds.min[1]; j <= bounds.max[1]; j++) {
      for (let i = bounds.min[0]; i <= bounds.max[0]; i++) {
        const v = i + nx * (j + ny * k);
        if (visited[v] === 1 || !grower.inRange(v)) continue;
        const region = grower.grow(v, limit, visited);
        if (region.length > best.length) best = region;
        if (best.length >= limit) return describe(volume, best, true);
      }
    }
  }
  return describe(volume, best, false);
}
