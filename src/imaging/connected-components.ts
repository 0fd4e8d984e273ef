/** A voxel index or grid size (i, j, k). */
export type Index3 = [number, number, number];

/**
 * 3D connected components of a label grid (columns fastest, then rows, then slices), pure. Each
 * component comes with its voxel count, index centroid, index bounding box and its voxels as run
 * lengths over the whole grid (alternating unset and set counts, starting with unset: the
 * FindingMask form).
 *
 * Labelling works on runs, not voxels: each row's runs of the value are joined, by union-find, to
 * the runs they touch in the rows already seen (the row above for 6-connectivity, and the slice
 * below; with the diagonals for 26), so the cost follows the number of runs and a large organ or
 * the body of a 400-slice CT costs about as much as reading the grid once.
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

/** An index box, both corners inclusive. */
export interface IndexBox {
  min: Index3;
  max: Index3;
}

export interface ComponentOptions {
  /** Summed over each component's voxels into its `weight`. */
  weight?: (voxel: number) => number;
  /** Only voxels within this box are looked at; the runs are still over the whole grid. */
  box?: IndexBox;
}

/** A growable list of runs: each run's first voxel and length, within one row. */
class RunList {
  start = new Int32Array(1024);
  length = new Int32Array(1024);
  count = 0;

  push(start: number, length: number): void {
    if (this.count === this.start.length) {
      this.start = grown(this.start);
      this.length = grown(this.length);
    }
    this.start[this.count] = start;
    this.length[this.count] = length;
    this.count++;
  }
}

function grown(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const out = new Int32Array(array.length * 2);
  out.set(array);
  return out;
}

/** The runs of voxels equal to `value` within `box`, row by row, and where each row's runs begin (`rowFirst[row]`, one entry past the last row). */
function rowRuns(grid: Uint8Array, dims: Index3, value: number, box: IndexBox): { runs: RunList; rowFirst: Int32Array } {
  const [nx, ny, nz] = dims;
  const runs = new RunList();
  const rowFirst = new Int32Array(ny * nz + 1);
  const [i0, j0, k0] = box.min;
  const [i1, j1, k1] = box.max;
  for (let k = 0, row = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++, row++) {
      rowFirst[row] = runs.count;
      if (j < j0 || j > j1 || k < k0 || k > k1) continue;
      const base = row * nx;
      let i = i0;
      while (i <= i1) {
        while (i <= i1 && grid[base + i] !== value) i++;
        const from = i;
        while (i <= i1 && grid[base + i] === value) i++;
        if (i > from) runs.push(base + from, i - from);
      }
    }
  }
  rowFirst[ny * nz] = runs.count;
  return { runs, rowFirst };
}

/** The whole grid as a box. */
export const wholeGrid = (dims: Index3): IndexBox => ({ min: [0, 0, 0], max: [dims[0] - 1, dims[1] - 1, dims[2] - 1] });

/** Calls `visit` for each voxel (index v, i, j, k) of `box`, in grid order. */
export function eachVoxel(dims: Index3, box: IndexBox, visit: (v: number, i: number, j: number, k: number) => void): void {
  const [nx, ny] = dims;
  for (let k = box.min[2]; k <= box.max[2]; k++) {
    for (let j = box.min[1]; j <= box.max[1]; j++) {
      for (let i = box.min[0], v = box.min[0] + nx * (j + ny * k); i <= box.max[0]; i++, v++) visit(v, i, j, k);
    }
  }
}

/** `box` clipped to the grid; the whole grid when there is none. */
function clippedBox(dims: Index3, box: IndexBox | undefined): IndexBox {
  const { max } = wholeGrid(dims);
  if (!box) return { min: [0, 0, 0], max };
  return { min: box.min.map((m) => Math.max(0, m)) as Index3, max: box.max.map((m, a) => Math.min(max[a] ?? 0, m)) as Index3 };
}

function root(parent: Int32Array, r: number): number {
  let top = r;
  while (parent[top] !== top) top = parent[top] ?? top;
  while (parent[r] !== top) {
    const next = parent[r] ?? top;
    parent[r] = top;
    r = next;
  }
  return top;
}

function union(parent: Int32Array, a: number, b: number): void {
  const ra = root(parent, a);
  const rb = root(parent, b);
  if (ra < rb) parent[rb] = ra;
  else if (rb < ra) parent[ra] = rb;
}

/** Joins the runs of row `row` with those of row `other` that touch them (`reach` 0: overlap in i; 1: also diagonally). */
function joinRows(parent: Int32Array, runs: RunList, rowFirst: Int32Array, row: number, other: number, nx: number, reach: number): void {
  let a = rowFirst[row] ?? 0;
  const aEnd = rowFirst[row + 1] ?? 0;
  let b = rowFirst[other] ?? 0;
  const bEnd = rowFirst[other + 1] ?? 0;
  const shift = (row - other) * nx;
  while (a < aEnd && b < bEnd) {
    const aFrom = (runs.start[a] ?? 0) - shift;
    const aTo = aFrom + (runs.length[a] ?? 0);
    const bFrom = runs.start[b] ?? 0;
    const bTo = bFrom + (runs.length[b] ?? 0);
    if (aFrom < bTo + reach && bFrom < aTo + reach) union(parent, a, b);
    if (aTo < bTo) a++;
    else b++;
  }
}

/** The union-find forest of the runs: runs of one component share a root. */
function labelRuns(runs: RunList, rowFirst: Int32Array, dims: Index3, connectivity: Connectivity): Int32Array {
  const [nx, ny, nz] = dims;
  const parent = new Int32Array(runs.count);
  for (let r = 0; r < runs.count; r++) parent[r] = r;
  const reach = connectivity === 26 ? 1 : 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = j + ny * k;
      if (rowFirst[row] === rowFirst[row + 1]) continue;
      if (j > 0) joinRows(parent, runs, rowFirst, row, row - 1, nx, reach);
      if (k === 0) continue;
      joinRows(parent, runs, rowFirst, row, row - ny, nx, reach);
      if (connectivity === 6) continue;
      if (j > 0) joinRows(parent, runs, rowFirst, row, row - ny - 1, nx, reach);
      if (j < ny - 1) joinRows(parent, runs, rowFirst, row, row - ny + 1, nx, reach);
    }
  }
  return parent;
}

/** Voxel count, index sums and bounds, run lengths and weight of a region, added to in ascending voxel order. */
interface RegionAccumulator {
  voxels: number;
  sum: [number, number, number];
  min: Index3;
  max: Index3;
  runs: number[];
  end: number;
  weight: number;
}

function regionAccumulator(): RegionAccumulator {
  return { voxels: 0, sum: [0, 0, 0], min: [Infinity, Infinity, Infinity], max: [-1, -1, -1], runs: [], end: 0, weight: 0 };
}

/** Adds `length` voxels from `start` on, all in one row. */
function addRun(s: RegionAccumulator, start: number, length: number, nx: number, ny: number): void {
  const i = start % nx;
  const j = Math.floor(start / nx) % ny;
  const k = Math.floor(start / (nx * ny));
  s.voxels += length;
  s.sum[0] += length * i + (length * (length - 1)) / 2;
  s.sum[1] += length * j;
  s.sum[2] += length * k;
  if (i < s.min[0]) s.min[0] = i;
  if (j < s.min[1]) s.min[1] = j;
  if (k < s.min[2]) s.min[2] = k;
  if (i + length - 1 > s.max[0]) s.max[0] = i + length - 1;
  if (j > s.max[1]) s.max[1] = j;
  if (k > s.max[2]) s.max[2] = k;
  if (s.runs.length > 0 && start === s.end) s.runs[s.runs.length - 1] = (s.runs[s.runs.length - 1] ?? 0) + length;
  else s.runs.push(start - s.end, length);
  s.end = start + length;
}

/** The region's statistics; an empty region has centroid (0, 0, 0). */
function regionOf(s: RegionAccumulator): Component {
  const n = Math.max(1, s.voxels);
  return { voxels: s.voxels, centroid: [s.sum[0] / n, s.sum[1] / n, s.sum[2] / n], min: s.min, max: s.max, runs: s.runs, weight: s.weight };
}

/** The region of the given voxel indices (ascending), with `weight` summed over them. */
export function regionOfVoxels(voxels: Iterable<number>, dims: Index3, weight: (voxel: number) => number = () => 0): Component {
  const s = regionAccumulator();
  for (const v of voxels) {
    addRun(s, v, 1, dims[0], dims[1]);
    s.weight += weight(v);
  }
  return regionOf(s);
}

/** The components of the voxels equal to `value`, in order of their first voxel. */
export function connectedComponents(grid: Uint8Array, dims: Index3, value: number, connectivity: Connectivity, options: ComponentOptions = {}): Component[] {
  const [nx, ny] = dims;
  const { weight } = options;
  const { runs, rowFirst } = rowRuns(grid, dims, value, clippedBox(dims, options.box));
  const parent = labelRuns(runs, rowFirst, dims, connectivity);
  const idOfRoot = new Int32Array(runs.count).fill(-1);
  const regions: RegionAccumulator[] = [];
  for (let r = 0; r < runs.count; r++) {
    const top = root(parent, r);
    let id = idOfRoot[top] ?? -1;
    if (id < 0) {
      id = regions.length;
      idOfRoot[top] = id;
      regions.push(regionAccumulator());
    }
    const s = regions[id] ?? regionAccumulator();
    const start = runs.start[r] ?? 0;
    const length = runs.length[r] ?? 0;
    addRun(s, start, length, nx, ny);
    if (weight) for (let v = start; v < start + length; v++) s.weight += weight(v);
  }
  return regions.map(regionOf);
}
