import type { Index3 } from '../../imaging/connected-components.js';
import type { Tile } from './tiling.js';

/**
 * A per-voxel, per-channel output over the whole model grid (segmentation probabilities, heatmaps),
 * assembled from tiles: overlapping patches are averaged, parts of a padded patch outside the volume
 * dropped. Channel-major: value (c, voxel) is values[c * voxels + voxel]. Float32, so a map costs
 * 4 bytes a voxel a channel.
 */
export interface DenseMap {
  channels: number;
  dims: Index3;
  values: Float32Array;
}

export class DenseMapBuilder {
  private readonly voxels: number;
  private readonly sum: Float32Array;
  private readonly hits: Uint8Array;

  constructor(
    readonly dims: Index3,
    readonly channels: number,
  ) {
    this.voxels = dims[0] * dims[1] * dims[2];
    this.sum = new Float32Array(this.voxels * channels);
    this.hits = new Uint8Array(this.voxels);
  }

  /** Adds one tile's output, [channels, sz, sy, sx] row-major, starting at `offset` in `data`. */
  add(tile: Tile, data: Float32Array, offset: number): void {
    const [nx, ny, nz] = this.dims;
    const [sx, sy, sz] = tile.size;
    const [ox, oy, oz] = tile.origin;
    const tileVoxels = sx * sy * sz;
    for (let z = 0; z < sz; z++) {
      const k = oz + z;
      if (k >= nz) break;
      for (let y = 0; y < sy; y++) {
        const j = oy + y;
        if (j >= ny) break;
        for (let x = 0; x < sx && ox + x < nx; x++) {
          const voxel = ox + x + nx * (j + ny * k);
          const t = x + sx * (y + sy * z);
          this.hits[voxel] = (this.hits[voxel] ?? 0) + 1;
          for (let c = 0; c < this.channels; c++) this.sum[c * this.voxels + voxel] = (this.sum[c * this.voxels + voxel] ?? 0) + (data[offset + c * tileVoxels + t] ?? 0);
        }
      }
    }
  }

  /** The averaged map; voxels no tile covered stay 0. */
  build(): DenseMap {
    for (let v = 0; v < this.voxels; v++) {
      const n = this.hits[v] ?? 0;
      if (n > 1) for (let c = 0; c < this.channels; c++) this.sum[c * this.voxels + v] = (this.sum[c * this.voxels + v] ?? 0) / n;
    }
    return { channels: this.channels, dims: this.dims, values: this.sum };
  }
}
