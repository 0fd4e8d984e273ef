/**
 * Run lengths over a label grid in i-fastest order, alternating unset and set counts starting with
 * unset (the FindingMask form), and painting them back. Pure.
 */

/** The run lengths of the voxels of `grid` equal to `value`. */
export function runsOf(grid: Uint8Array, value: number): number[] {
  const runs: number[] = [];
  let end = 0;
  for (let v = 0; v < grid.length; v++) {
    if (grid[v] !== value) continue;
    if (runs.length > 0 && v === end) runs[runs.length - 1] = (runs[runs.length - 1] ?? 0) + 1;
    else runs.push(v - end, 1);
    end = v + 1;
  }
  return runs;
}

/** Sets `value` on every voxel the runs hold. */
export function paintRuns(grid: Uint8Array, runs: readonly number[], value: number): void {
  let v = 0;
  for (let r = 0; r < runs.length; r += 2) {
    v += runs[r] ?? 0;
    const set = runs[r + 1] ?? 0;
    grid.fill(value, v, v + set);
    v += set;
  }
}

/** The union of run-length masks over one grid that share no voxel, as one mask. */
export function unionRuns(masks: ReadonlyArray<readonly number[]>): number[] {
  const spans: Array<[number, number]> = [];
  for (const runs of masks) {
    let v = 0;
    for (let r = 0; r < runs.length; r += 2) {
      v += runs[r] ?? 0;
      const set = runs[r + 1] ?? 0;
      if (set > 0) spans.push([v, set]);
      v += set;
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  let end = 0;
  for (const [start, set] of spans) {
    if (out.length > 0 && start === end) out[out.length - 1] = (out[out.length - 1] ?? 0) + set;
    else out.push(start - end, set);
    end = start + set;
  }
  return out;
}

/** The same runs on a grid that holds `offset` more voxels before this one (a sub-volume of slices placed in its series). */
export function offsetRuns(runs: readonly number[], offset: number): number[] {
  if (runs.length === 0) return [];
  return [(runs[0] ?? 0) + offset, ...runs.slice(1)];
}

/** Set voxels of a run-length mask. */
export function setVoxelsOf(runs: readonly number[]): number {
  let count = 0;
  for (let r = 1; r < runs.length; r += 2) count += runs[r] ?? 0;
  return count;
}
