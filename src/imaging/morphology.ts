import type { Index3 } from './connected-components.js';

/** Small grid filters for reference methods: an in-plane median and a box erosion. Pure. */

/** Median of the in-plane neighbours of (i, j) that exist (an edge or corner window): the middle, or upper middle, of them sorted. */
function edgeMedian(voxels: Int16Array, offset: number, nx: number, ny: number, i: number, j: number, window: Int32Array): number {
  let n = 0;
  for (let b = Math.max(0, j - 1); b <= Math.min(ny - 1, j + 1); b++) {
    for (let a = Math.max(0, i - 1); a <= Math.min(nx - 1, i + 1); a++) {
      const value = voxels[offset + a + nx * b] ?? 0;
      let at = n++;
      for (; at > 0 && (window[at - 1] ?? 0) > value; at--) window[at] = window[at - 1] ?? 0;
      window[at] = value;
    }
  }
  return window[n >> 1] ?? 0;
}

// Branch-free minimum and maximum of two Int16 values (their difference fits in 32 bits): CT noise makes compare branches unpredictable.
const lower = (a: number, b: number): number => {
  const d = a - b;
  return b + (d & (d >> 31));
};
const upper = (a: number, b: number): number => {
  const d = a - b;
  return a - (d & (d >> 31));
};
const median3 = (a: number, b: number, c: number): number => upper(lower(a, b), lower(upper(a, b), c));

/**
 * The median of each voxel's 3 x 3 in-plane neighbourhood on slice k, written into `out` (one
 * slice). Edges use the neighbours that exist and take the upper middle of an even count. Inside,
 * each column of three is sorted once per row, and the median of the nine is the median of the
 * largest column low, the median column middle and the smallest column high.
 */
export function medianInPlane3x3(voxels: Int16Array, dims: Index3, k: number, out: Int16Array): void {
  const [nx, ny] = dims;
  const offset = nx * ny * k;
  const window = new Int32Array(9);
  for (let j = 0; j < ny; j++) {
    if (j === 0 || j === ny - 1 || nx < 3) {
      for (let i = 0; i < nx; i++) out[i + nx * j] = edgeMedian(voxels, offset, nx, ny, i, j, window);
      continue;
    }
    out[nx * j] = edgeMedian(voxels, offset, nx, ny, 0, j, window);
    out[nx - 1 + nx * j] = edgeMedian(voxels, offset, nx, ny, nx - 1, j, window);
    // Sorted columns i - 1 (l) and i (m); column i + 1 (h) is sorted as the window moves.
    let [lLow, lMid, lHigh, mLow, mMid, mHigh] = [0, 0, 0, 0, 0, 0];
    for (let i = -1; i < nx - 1; i++) {
      const v = offset + nx * j + i + 1;
      const a = voxels[v - nx] ?? 0;
      const b = voxels[v] ?? 0;
      const c = voxels[v + nx] ?? 0;
      const hLow = lower(lower(a, b), c);
      const hHigh = upper(upper(a, b), c);
      const hMid = median3(a, b, c);
      if (i >= 1) out[i + nx * j] = median3(upper(upper(lLow, mLow), hLow), median3(lMid, mMid, hMid), lower(lower(lHigh, mHigh), hHigh));
      [lLow, lMid, lHigh, mLow, mMid, mHigh] = [mLow, mMid, mHigh, hLow, hMid, hHigh];
    }
  }
}

/**
 * One axis of a box erosion: a voxel stays set when every voxel within `radius` along the axis is
 * set (outside the grid counts as unset). Each line along the axis keeps where its current run of
 * set voxels began, and a run 2 radius + 1 long sets its middle voxel.
 */
function erodeAxis(mask: Uint8Array, dims: Index3, axis: 0 | 1 | 2, radius: number): Uint8Array {
  if (radius <= 0) return mask;
  const [nx, ny] = dims;
  const stride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
  const back = radius * stride;
  const out = new Uint8Array(mask.length);
  // runStart[line]: position along the axis where the run of set voxels through the current voxel began; lines are numbered within one slice.
  const runStart = new Int32Array(axis === 0 ? 1 : axis === 1 ? nx : nx * ny);
  // Rows holding no set voxel are skipped by indexOf.
  for (let v = mask.indexOf(1); v >= 0; v = mask.indexOf(1, v)) {
    const row = v - (v % nx);
    const j = (row / nx) % ny;
    const k = Math.floor(row / (nx * ny));
    for (; v < row + nx; v++) {
      if (mask[v] !== 1) continue;
      const i = v - row;
      const at = axis === 0 ? i : axis === 1 ? j : k;
      const line = axis === 0 ? 0 : axis === 1 ? i : i + nx * j;
      if (at === 0 || mask[v - stride] !== 1) runStart[line] = at;
      if (at - (runStart[line] ?? 0) >= 2 * radius) out[v - back] = 1;
    }
  }
  return out;
}

/** Erosion by a box of half-widths `radii` voxels: what survives lies at least that deep inside the mask. */
export function erodeBox(mask: Uint8Array, dims: Index3, radii: Index3): Uint8Array {
  return erodeAxis(erodeAxis(erodeAxis(mask, dims, 0, radii[0]), dims, 1, radii[1]), dims, 2, radii[2]);
}
