import { RadbridgeError } from '../domain/errors.js';
import type { FindingMask } from '../domain/finding.js';

/** The slices of a run-length mask (FindingMask) that hold set voxels. Pure. */

/** Calls `visit(k, from, to)` for each stretch of set voxels within slice k (pixel offsets in the slice, `to` exclusive); refuses runs beyond the grid. */
function forEachSliceRun(mask: FindingMask, visit: (k: number, from: number, to: number) => void): void {
  const [columns, rows, slices] = mask.dimensions;
  const perSlice = columns * rows;
  const total = perSlice * slices;
  let v = 0;
  for (let r = 0; r < mask.runs.length; r += 2) {
    v += mask.runs[r] ?? 0;
    const end = v + (mask.runs[r + 1] ?? 0);
    if (end > total) throw new RadbridgeError('RESULT_DOCUMENT_INVALID', `the mask's runs reach voxel ${end}, beyond its ${columns} x ${rows} x ${slices} grid`);
    while (v < end) {
      const k = Math.floor(v / perSlice);
      const stop = Math.min(end, (k + 1) * perSlice);
      visit(k, v - k * perSlice, stop - k * perSlice);
      v = stop;
    }
  }
}

/** Set voxels per slice index, for the slices that hold any, in ascending slice order. */
export function setVoxelsPerSlice(mask: FindingMask): Map<number, number> {
  const counts = new Map<number, number>();
  forEachSliceRun(mask, (k, from, to) => counts.set(k, (counts.get(k) ?? 0) + to - from));
  return counts;
}

/** One byte per pixel (1 set, 0 not, i fastest) of each slice that holds set voxels, in ascending slice order. */
export function maskSlices(mask: FindingMask): Map<number, Uint8Array> {
  const perSlice = mask.dimensions[0] * mask.dimensions[1];
  const slices = new Map<number, Uint8Array>();
  forEachSliceRun(mask, (k, from, to) => {
    const slice = slices.get(k) ?? new Uint8Array(perSlice);
    slice.fill(1, from, to);
    slices.set(k, slice);
  });
  return slices;
}
