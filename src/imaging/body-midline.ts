import type { Volume } from './volume.js';

/**
 * The patient's left-right midline of a CT volume: the middle of the x extent (LPS mm) of the voxels
 * denser than `thresholdHu` (the body, table included when it is that dense). Undefined when no
 * voxel is. Pure.
 */
export function bodyMidlineX(volume: Volume, thresholdHu = -500): number | undefined {
  const [nx, ny, nz] = volume.dims;
  const m = volume.patientFromVoxel;
  const [ax, bx, cx, dx] = [m[0] ?? 0, m[1] ?? 0, m[2] ?? 0, m[3] ?? 0];
  let low = Infinity;
  let high = -Infinity;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = nx * (j + ny * k);
      let first = -1;
      let last = -1;
      for (let i = 0; i < nx; i++) {
        if ((volume.voxels[row + i] ?? -32768) > thresholdHu) {
          if (first < 0) first = i;
          last = i;
        }
      }
      if (first < 0) continue;
      for (const i of [first, last]) {
        const x = ax * i + bx * j + cx * k + dx;
        low = Math.min(low, x);
        high = Math.max(high, x);
      }
    }
  }
  return low <= high ? (low + high) / 2 : undefined;
}
