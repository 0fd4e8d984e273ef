import type { Index3 } from '../../imaging/connected-components.js';
import type { Volume } from '../../imaging/volume.js';
import type { InputLayout, Preprocessing } from './model-manifest.js';
import { prepareValues } from './preprocessing.js';

/**
 * How a volume is cut into model inputs, pure. Voxel order is columns fastest, then rows, then
 * slices, which is the row-major order of a [slices, rows, columns] tensor: a tile copies straight
 * into NCHW / NCDHW.
 */


/** The region of the model grid one model input covers; a patch may reach past the volume (padded, cropped on the way back). */
export interface Tile {
  origin: Index3;
  size: Index3;
}

/**
 * Starts of patches along one axis: a stride of size - overlap from 0, the last one moved back to
 * end at the volume's edge so that no patch is padded unless the volume is smaller than a patch.
 */
export function axisStarts(length: number, size: number, overlap: number): number[] {
  if (length <= size) return [0];
  const stride = Math.max(1, size - overlap);
  const starts: number[] = [];
  for (let s = 0; s + size < length; s += stride) starts.push(s);
  starts.push(length - size);
  return starts;
}

export function planTiles(dims: Index3, layout: InputLayout): Tile[] {
  const [nx, ny, nz] = dims;
  if (layout.kind !== 'patch') return Array.from({ length: nz }, (_v, k): Tile => ({ origin: [0, 0, k], size: [nx, ny, 1] }));
  const [xs, ys, zs] = [0, 1, 2].map((a) => axisStarts(dims[a] ?? 0, layout.size[a] ?? 1, layout.overlap[a] ?? 0)) as [number[], number[], number[]];
  const tiles: Tile[] = [];
  for (const z of zs) for (const y of ys) for (const x of xs) tiles.push({ origin: [x, y, z], size: [...layout.size] });
  return tiles;
}

/** Tiles grouped into calls: `batch` slices a call for slice and slab layouts, one patch a call. */
export function batchTiles(tiles: readonly Tile[], layout: InputLayout): Tile[][] {
  const size = layout.kind === 'patch' ? 1 : layout.batch;
  const out: Tile[][] = [];
  for (let n = 0; n < tiles.length; n += size) out.push(tiles.slice(n, n + size));
  return out;
}

/** Input channels a tile carries: 1, or the slab's slices. */
export const inputChannels = (layout: InputLayout): number => (layout.kind === 'slab' ? layout.slices : 1);

/** The input tensor's shape for a call of `count` tiles. */
export function inputShape(layout: InputLayout, tile: Tile, count: number): number[] {
  const [sx, sy, sz] = tile.size;
  return layout.kind === 'patch' ? [1, 1, sz, sy, sx] : [count, inputChannels(layout), sy, sx];
}

/** HU of a box of the volume, padHu outside it. */
function cutHu(volume: Volume, origin: Index3, size: Index3, padHu: number): Int16Array {
  const [nx, ny, nz] = volume.dims;
  const [sx, sy, sz] = size;
  const out = new Int16Array(sx * sy * sz).fill(padHu);
  for (let z = 0; z < sz; z++) {
    const k = origin[2] + z;
    if (k < 0 || k >= nz) continue;
    for (let y = 0; y < sy; y++) {
      const j = origin[1] + y;
      if (j < 0 || j >= ny) continue;
      const from = Math.max(0, origin[0]);
      const to = Math.min(nx, origin[0] + sx);
      if (to <= from) continue;
      const row = volume.voxels.subarray(from + nx * (j + ny * k), to + nx * (j + ny * k));
      out.set(row, (from - origin[0]) + sx * (y + sy * z));
    }
  }
  return out;
}

/** Writes the model input values of one tile into `out`: its voxels, or for a slab its neighbouring slices (edges repeated) one after the other. */
function writeTileInput(volume: Volume, tile: Tile, layout: InputLayout, preprocessing: Preprocessing, out: Float32Array): void {
  if (layout.kind !== 'slab') {
    prepareValues(cutHu(volume, tile.origin, tile.size, preprocessing.padHu), preprocessing, out);
    return;
  }
  const half = (layout.slices - 1) / 2;
  const last = volume.dims[2] - 1;
  const [sx, sy] = tile.size;
  for (let c = 0; c < layout.slices; c++) {
    const k = Math.min(last, Math.max(0, tile.origin[2] - half + c));
    prepareValues(cutHu(volume, [tile.origin[0], tile.origin[1], k], tile.size, preprocessing.padHu), preprocessing, out.subarray(c * sx * sy, (c + 1) * sx * sy));
  }
}

/** One call's input tensor data: its tiles' inputs one after the other. */
export function batchInput(volume: Volume, tiles: readonly Tile[], layout: InputLayout, preprocessing: Preprocessing): Float32Array {
  const [first] = tiles;
  if (!first) return new Float32Array(0);
  const perTile = inputChannels(layout) * first.size[0] * first.size[1] * first.size[2];
  const out = new Float32Array(perTile * tiles.length);
  tiles.forEach((tile, n) => writeTileInput(volume, tile, layout, preprocessing, out.subarray(n * perTile, (n + 1) * perTile)));
  return out;
}
