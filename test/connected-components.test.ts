import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectedComponents, regionOfVoxels, type Component, type Connectivity, type Index3 } from '../src/imaging/connected-components.js';
import { seededRandom } from '../src/synth/seeded-random.js';

/** Voxel-by-voxel flood fill, the plain definition the run-based labelling must agree with. */
function referenceComponents(grid: Uint8Array, dims: Index3, value: number, connectivity: Connectivity, weight: (v: number) => number): Component[] {
  const [nx, ny, nz] = dims;
  const seen = new Uint8Array(grid.length);
  const out: Component[] = [];
  for (let seed = 0; seed < grid.length; seed++) {
    if (grid[seed] !== value || seen[seed]) continue;
    seen[seed] = 1;
    const members = [seed];
    for (let n = 0; n < members.length; n++) {
      const v = members[n] ?? 0;
      const [i, j, k] = [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))];
      for (let dz = -1; dz <= 1; dz++) {
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const steps = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
            if (steps === 0 || (connectivity === 6 && steps > 1)) continue;
            const [a, b, c] = [i + dx, j + dy, k + dz];
            if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
            const w = a + nx * (b + ny * c);
            if (grid[w] !== value || seen[w]) continue;
            seen[w] = 1;
            members.push(w);
          }
        }
      }
    }
    out.push(regionOfVoxels(members.sort((x, y) => x - y), dims, weight));
  }
  return out;
}

describe('connected components', () => {
  it('agree with a voxel flood fill on random grids, for 6- and 26-connectivity', () => {
    const random = seededRandom(11, 'connected-components');
    for (let trial = 0; trial < 200; trial++) {
      const dims: Index3 = [1 + Math.floor(random.next() * 12), 1 + Math.floor(random.next() * 9), 1 + Math.floor(random.next() * 7)];
      const density = random.next();
      const grid = Uint8Array.from({ length: dims[0] * dims[1] * dims[2] }, () => (random.next() < density ? (random.next() < 0.3 ? 2 : 1) : 0));
      const weight = (v: number): number => (v % 7) * 0.5;
      for (const connectivity of [6, 26] as const) {
        for (const value of [1, 2]) {
          assert.deepEqual(connectedComponents(grid, dims, value, connectivity, { weight }), referenceComponents(grid, dims, value, connectivity, weight), `${dims.join('x')} ${connectivity}-connected, value ${value}`);
        }
      }
    }
  });

  it('within a box, agree with a flood fill of the grid cleared outside the box (a box past the grid is clipped)', () => {
    const random = seededRandom(12, 'connected-components-box');
    for (let trial = 0; trial < 200; trial++) {
      const dims: Index3 = [1 + Math.floor(random.next() * 12), 1 + Math.floor(random.next() * 9), 1 + Math.floor(random.next() * 7)];
      const grid = Uint8Array.from({ length: dims[0] * dims[1] * dims[2] }, () => (random.next() < 0.6 ? 1 : 0));
      const corner = () => dims.map((n) => Math.floor(random.next() * (n + 2)) - 1) as Index3;
      const [a, b] = [corner(), corner()];
      const box = { min: a.map((m, n) => Math.min(m, b[n] ?? 0)) as Index3, max: a.map((m, n) => Math.max(m, b[n] ?? 0)) as Index3 };
      const inBox = (v: number): boolean => {
        const at = [v % dims[0], Math.floor(v / dims[0]) % dims[1], Math.floor(v / (dims[0] * dims[1]))];
        return at.every((x, n) => x >= (box.min[n] ?? 0) && x <= (box.max[n] ?? 0));
      };
      const cleared = grid.map((g, v) => (inBox(v) ? g : 0));
      for (const connectivity of [6, 26] as const) {
        assert.deepEqual(connectedComponents(grid, dims, 1, connectivity, { box }), referenceComponents(cleared, dims, 1, connectivity, () => 0), `${dims.join('x')} box ${box.min.join(',')}..${box.max.join(',')}`);
      }
    }
  });

  it('join diagonal neighbours only with 26-connectivity', () => {
    const dims: Index3 = [3, 3, 2];
    const grid = new Uint8Array(18);
    grid[0] = 1;
    grid[1 + 3 * (1 + 3)] = 1;
    assert.equal(connectedComponents(grid, dims, 1, 6).length, 2);
    const [joined] = connectedComponents(grid, dims, 1, 26);
    assert.deepEqual(joined?.runs, [0, 1, 12, 1]);
    assert.deepEqual(joined?.centroid, [0.5, 0.5, 0.5]);
  });

  it('keep a run that wraps from one row to the next as one run of the mask', () => {
    const grid = Uint8Array.from([0, 1, 1, 1, 0, 0]);
    const [component] = connectedComponents(grid, [3, 2, 1], 1, 26);
    assert.deepEqual(component?.runs, [1, 3]);
    assert.deepEqual(component?.max, [2, 1, 0]);
  });
});
