/** A voxel index or grid size (i, j, k). */
export type Index3 = [number, number, number];

/**
 * 3D connected components of a label grid (columns fastest, then rows, then slices), pure. Each
 * component comes with its voxel count, index centroid, index bounding box and its voxels as run
 * lengths over the whole grid (alternating unset and set counts, starting with unset: the
 * FindingMask form).
 */

export interface Component {
  voxels: number;
  /** Mean voxel index (i, j, k). */
  centroid: Index3;
  min: Index3;
  max: Index3;
  runs: number[];
  /** Sum of `weight` over the component's voxels (e.g. a probability, for a mean confidence). */
  weight: number;
}

export type Connectivity = 6 | 26;

function neighbourOffsets(connectivity: Connectivity): Index3[] {
  const out: Index3[] = [];
  for (let dz = -1; dz <= 1; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const steps = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
        if (steps === 0 || (connectivity === 6 && steps > 1)) continue;
        out.push([dx, dy, dz]);
      }
    }
  }
  return out;
}

/** Component ids (1-based, 0 = not `value`) by flood fill; the stack grows only as large as a component's front. */
function labelComponents(grid: Uint8Array, dims: Index3, value: number, connectivity: Connectivity): { ids: Int32Array; count: number } {
  const [nx, ny, nz] = dims;
  const ids = new Int32Array(grid.length);
  const offsets = neighbourOffsets(connectivity);
  let stack = new Int32Array(1024);
  let count = 0;
  for (let seed = 0; seed < grid.length; seed++) {
    if (grid[seed] !== value || ids[seed] !== 0) continue;
    count++;
    ids[seed] = count;
    let top = 0;
    stack[top++] = seed;
    while (top > 0) {
      const v = stack[--top] ?? 0;
      const i = v % nx;
      const j = Math.floor(v / nx) % ny;
      const k = Math.floor(v / (nx * ny));
      for (const [dx, dy, dz] of offsets) {
        const [a, b, c] = [i + dx, j + dy, k + dz];
        if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
        const n = a + nx * (b + ny * c);
        if (grid[n] !== value || ids[n] !== 0) continue;
        ids[n] = count;
        if (top === stack.length) {
          const grown = new Int32Array(stack.length * 2);
          grown.set(stack);
          stack = grown;
        }
        stack[top++] = n;
      }
    }
  }
  return { ids, count };
}

/** Voxel count, index sums and bounds, run lengths and weight of a region, added to in ascending voxel order. */
interface RegionAccumulator {
  voxels: number;
  sum: number[];
  min: number[];
  max: number[];
  runs: number[];
  end: number;
  weight: number;
}

function regionAccumulator(): RegionAccumulator {
  return { voxels: 0, sum: [0, 0, 0], min: [Infinity, Infinity, Infinity], max: [-1, -1, -1], runs: [], end: 0, weight: 0 };
}

function addVoxel(s: RegionAccumulator, v: number, nx: number, ny: number, weight: number): void {
  const index = [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))] as const;
  s.voxels++;
  s.weight += weight;
  for (let a = 0; a < 3; a++) {
    const x = index[a] ?? 0;
    s.sum[a] = (s.sum[a] ?? 0) + x;
    s.min[a] = Math.min(s.min[a] ?? Infinity, x);
    s.max[a] = Math.max(s.max[a] ?? -1, x);
  }
  if (s.runs.length > 0 && v === s.end) s.runs[s.runs.length - 1] = (s.runs[s.runs.length - 1] ?? 0) + 1;
  else s.runs.push(v - s.end, 1);
  s.end = v + 1;
}

/** The region's statistics; an empty region has centroid (0, 0, 0). */
function regionOf(s: RegionAccumulator): Component {
  const n = Math.max(1, s.voxels);
  return { voxels: s.voxels, centroid: s.sum.map((x) => x / n) as Index3, min: s.min as Index3, max: s.max as Index3, runs: s.runs, weight: s.weight };
}

/** The region of the given voxel indices (ascending), with `weight` summed over them. */
export function regionOfVoxels(voxels: Iterable<number>, dims: Index3, weight: (voxel: number) => number = () => 0): Component {
  const s = regionAccumulator();
  for (const v of voxels) addVoxel(s, v, dims[0], dims[1], weight(v));
  return regionOf(s);
}

/** The components of the voxels equal to `value`, in order of their first voxel. */
export function connectedComponents(grid: Uint8Array, dims: Index3, value: number, connectivity: Connectivity, weight: (voxel: number) => number = () => 0): Component[] {
  const [nx, ny] = dims;
  const { ids, count } = labelComponents(grid, dims, value, connectivity);
  const stats = Array.from({ length: count }, regionAccumulator);
  for (let v = 0; v < ids.length; v++) {
    const s = stats[(ids[v] ?? 0) - 1];
    if (s) addVoxel(s, v, nx, ny, weight(v));
  }
  return stats.map(regionOf);
}
