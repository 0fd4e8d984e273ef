import type { Index3 } from './connected-components.js';

/** Small grid filters for reference methods: an in-plane median and a box erosion. Pure. */

/** The median of each voxel's 3 x 3 in-plane neighbourhood (edges use the neighbours that exist), slices kFrom..kTo only; other voxels are copied. */
export function medianInPlane3x3(voxels: Int16Array, dims: Index3, kFrom: number, kTo: number): Int16Array {
  const [nx, ny] = dims;
  const out = Int16Array.from(voxels);
  const window: number[] = [];
  for (let k = kFrom; k <= kTo; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        window.length = 0;
        for (let b = Math.max(0, j - 1); b <= Math.min(ny - 1, j + 1); b++) {
          for (let a = Math.max(0, i - 1); a <= Math.min(nx - 1, i + 1); a++) window.push(voxels[a + nx * (b + ny * k)] ?? 0);
        }
        window.sort((x, y) => x - y);
        out[i + nx * (j + ny * k)] = window[window.length >> 1] ?? 0;
      }
    }
  }
  return out;
}

/** One axis of a box erosion: a voxel stays set when every voxel within `radius` along the axis is set (outside the grid counts as unset). */
function erodeAxis(mask: Uint8Array, dims: Index3, axis: 0 | 1 | 2, radius: number): Uint8Array {
  if (radius <= 0) return mask;
  const [nx, ny, nz] = dims;
  const stride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
  const length = dims[axis];
  const out = new Uint8Array(mask.length);
  for (let v = 0; v < mask.length; v++) {
    if (mask[v] !== 1) continue;
    const position = axis === 0 ? v % nx : axis === 1 ? Math.floor(v / nx) % ny : Math.floor(v / (nx * ny)) % nz;
    if (position - radius < 0 || position + radius >= length) continue;
    let all = true;
    for (let d = -radius; d <= radius && all; d++) all = mask[v + d * stride] === 1;
    if (all) out[v] = 1;
  }
  return out;
}

/** Erosion by a box of half-widths `radii` voxels: what survives lies at least that deep inside the mask. */
export function erodeBox(mask: Uint8Array, dims: Index3, radii: Index3): Uint8Array {
  return erodeAxis(erodeAxis(erodeAxis(mask, dims, 0, radii[0]), dims, 1, radii[1]), dims, 2, radii[2]);
}
