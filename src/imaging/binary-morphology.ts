import { connectedComponents } from './connected-components.js';
import { paintRuns } from './mask-runs.js';

/**
 * Binary morphology on one slice (a plane of `nx` x `ny` bytes, 1 = set, columns fastest). Square
 * structuring elements are applied separably with running counts, so the cost does not grow with
 * the radius. Pure.
 */

export interface Plane {
  nx: number;
  ny: number;
}

/** Along one row of `n` values at `start`: out = 1 where any (dilate) or every (erode) value within `r` is set. */
function filterRow(src: Uint8Array, out: Uint8Array, start: number, n: number, r: number, every: boolean): void {
  let count = 0;
  let window = Math.min(n, r);
  for (let t = 0; t < window; t++) count += src[start + t] ?? 0;
  for (let t = 0; t < n; t++) {
    const enter = t + r;
    if (enter < n) {
      count += src[start + enter] ?? 0;
      window++;
    }
    const leave = t - r - 1;
    if (leave >= 0) {
      count -= src[start + leave] ?? 0;
      window--;
    }
    // Beyond the edge counts as set for erosion, so the border of the image does not erode.
    out[start + t] = every ? (count === window ? 1 : 0) : count > 0 ? 1 : 0;
  }
}

/** Adds `sign` times row j of the plane to the per-column counts. */
function addRow(counts: Int32Array, src: Uint8Array, nx: number, j: number, sign: number): void {
  const offset = nx * j;
  for (let i = 0; i < nx; i++) counts[i] = (counts[i] ?? 0) + sign * (src[offset + i] ?? 0);
}

function squareFilter(plane: Uint8Array, p: Plane, r: number, every: boolean): Uint8Array {
  if (r <= 0) return plane.slice();
  const { nx, ny } = p;
  const rows = new Uint8Array(plane.length);
  for (let j = 0; j < ny; j++) filterRow(plane, rows, j * nx, nx, r, every);
  // The columns are filtered all at once, a row at a time: counts[i] holds column i's sum over rows j - r..j + r.
  const out = new Uint8Array(plane.length);
  const counts = new Int32Array(nx);
  for (let t = 0; t < Math.min(ny, r); t++) addRow(counts, rows, nx, t, 1);
  for (let j = 0; j < ny; j++) {
    if (j + r < ny) addRow(counts, rows, nx, j + r, 1);
    if (j - r - 1 >= 0) addRow(counts, rows, nx, j - r - 1, -1);
    const window = Math.min(ny - 1, j + r) - Math.max(0, j - r) + 1;
    const offset = nx * j;
    for (let i = 0; i < nx; i++) {
      const count = counts[i] ?? 0;
      out[offset + i] = every ? (count === window ? 1 : 0) : count > 0 ? 1 : 0;
    }
  }
  return out;
}

/** Dilation by a (2r+1)-pixel square. */
export const dilateSquare = (plane: Uint8Array, p: Plane, r: number): Uint8Array => squareFilter(plane, p, r, false);

/** Erosion by a (2r+1)-pixel square. */
export const erodeSquare = (plane: Uint8Array, p: Plane, r: number): Uint8Array => squareFilter(plane, p, r, true);

/** Closing (dilation then erosion) by a (2r+1)-pixel square: bridges gaps up to 2r pixels wide. */
export const closeSquare = (plane: Uint8Array, p: Plane, r: number): Uint8Array => erodeSquare(dilateSquare(plane, p, r), p, r);

/** 3x3 majority (binary median): set where at least 5 of the 9 pixels around it are, counting outside as unset. */
export function majority3x3(plane: Uint8Array, p: Plane): Uint8Array {
  const { nx, ny } = p;
  const out = new Uint8Array(plane.length);
  // columns[i]: the sum of column i over rows j - 1..j + 1 that exist.
  const columns = new Int32Array(nx);
  for (let j = 0; j < ny; j++) {
    const offset = nx * j;
    for (let i = 0; i < nx; i++) {
      const v = offset + i;
      columns[i] = (j > 0 ? (plane[v - nx] ?? 0) : 0) + (plane[v] ?? 0) + (j < ny - 1 ? (plane[v + nx] ?? 0) : 0);
    }
    let count = columns[0] ?? 0;
    for (let i = 0; i < nx; i++) {
      if (i + 1 < nx) count += columns[i + 1] ?? 0;
      if (i - 2 >= 0) count -= columns[i - 2] ?? 0;
      out[offset + i] = count >= 5 ? 1 : 0;
    }
  }
  return out;
}

/**
 * The pixels not in `wall` (0 there) that no 4-connected path of non-wall pixels joins to the image
 * border: the 4-connected regions of non-wall pixels (run-based, connected-components.ts) that do
 * not reach the border.
 */
export function enclosedBy(wall: Uint8Array, p: Plane): Uint8Array {
  const { nx, ny } = p;
  const enclosed = new Uint8Array(wall.length);
  for (const c of connectedComponents(wall, [nx, ny, 1], 0, 6)) {
    if (c.min[0] > 0 && c.min[1] > 0 && c.max[0] < nx - 1 && c.max[1] < ny - 1) paintRuns(enclosed, c.runs, 1);
  }
  return enclosed;
}
