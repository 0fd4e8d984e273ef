import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeSquare, dilateSquare, enclosedBy, erodeSquare, majority3x3, type Plane } from '../src/imaging/binary-morphology.js';
import type { Index3 } from '../src/imaging/connected-components.js';
import { erodeBox, medianInPlane3x3 } from '../src/imaging/morphology.js';
import { seededRandom, type SeededRandom } from '../src/synth/seeded-random.js';

/** The fast grid filters against plain per-pixel definitions, on seeded random grids of odd shapes. */

const TRIALS = 200;

const int = (random: SeededRandom, low: number, high: number): number => Math.floor(random.between(low, high + 1));

function randomDims(random: SeededRandom, maxZ: number): Index3 {
  return [int(random, 1, 24), int(random, 1, 24), int(random, 1, maxZ)];
}

function randomMask(random: SeededRandom, length: number): Uint8Array {
  const density = random.next();
  return Uint8Array.from({ length }, () => (random.next() < density ? 1 : 0));
}

/** Each pixel's window of existing neighbours within `r`, sorted, reduced by `reduce`. */
function windowed(nx: number, ny: number, r: number, at: (a: number, b: number) => number, reduce: (window: number[]) => number): number[] {
  const out: number[] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const window: number[] = [];
      for (let b = Math.max(0, j - r); b <= Math.min(ny - 1, j + r); b++) {
        for (let a = Math.max(0, i - r); a <= Math.min(nx - 1, i + r); a++) window.push(at(a, b));
      }
      out.push(reduce(window.sort((x, y) => x - y)));
    }
  }
  return out;
}

const referenceDilate = (plane: Uint8Array, p: Plane, r: number): number[] => windowed(p.nx, p.ny, r, (a, b) => plane[a + p.nx * b] ?? 0, (w) => (w.some((v) => v === 1) ? 1 : 0));
const referenceErode = (plane: Uint8Array, p: Plane, r: number): number[] => windowed(p.nx, p.ny, r, (a, b) => plane[a + p.nx * b] ?? 0, (w) => (w.every((v) => v === 1) ? 1 : 0));

function referenceErodeBox(mask: Uint8Array, dims: Index3, radii: Index3): number[] {
  const [nx, ny, nz] = dims;
  const out: number[] = [];
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        let all = i - radii[0] >= 0 && i + radii[0] < nx && j - radii[1] >= 0 && j + radii[1] < ny && k - radii[2] >= 0 && k + radii[2] < nz;
        for (let c = k - radii[2]; c <= k + radii[2] && all; c++) {
          for (let b = j - radii[1]; b <= j + radii[1] && all; b++) {
            for (let a = i - radii[0]; a <= i + radii[0] && all; a++) all = mask[a + nx * (b + ny * c)] === 1;
          }
        }
        out.push(all ? 1 : 0);
      }
    }
  }
  return out;
}

function referenceEnclosed(wall: Uint8Array, p: Plane): number[] {
  const outside = new Uint8Array(wall.length);
  const queue: number[] = [];
  for (let v = 0; v < wall.length; v++) {
    const [i, j] = [v % p.nx, Math.floor(v / p.nx)];
    if ((i === 0 || j === 0 || i === p.nx - 1 || j === p.ny - 1) && !wall[v]) {
      outside[v] = 1;
      queue.push(v);
    }
  }
  while (queue.length > 0) {
    const v = queue.shift() ?? 0;
    const [i, j] = [v % p.nx, Math.floor(v / p.nx)];
    for (const [a, b] of [[i - 1, j], [i + 1, j], [i, j - 1], [i, j + 1]] as const) {
      const n = a + p.nx * b;
      if (a < 0 || b < 0 || a >= p.nx || b >= p.ny || wall[n] || outside[n]) continue;
      outside[n] = 1;
      queue.push(n);
    }
  }
  return Array.from(wall, (w, v) => (w || outside[v] ? 0 : 1));
}

describe('grid filters match their per-pixel definitions', () => {
  it('3x3 in-plane median, edges taking the (upper) middle of the neighbours that exist', () => {
    const random = seededRandom(1, 'median');
    for (let trial = 0; trial < TRIALS; trial++) {
      const dims = randomDims(random, 3);
      const [nx, ny, nz] = dims;
      const spread = random.pick([3, 50, 65536] as const);
      const voxels = Int16Array.from({ length: nx * ny * nz }, () => int(random, 0, spread - 1) - (spread === 65536 ? 32768 : 0));
      const out = new Int16Array(nx * ny);
      for (let k = 0; k < nz; k++) {
        medianInPlane3x3(voxels, dims, k, out);
        const expected = windowed(nx, ny, 1, (a, b) => voxels[a + nx * (b + ny * k)] ?? 0, (w) => w[w.length >> 1] ?? 0);
        assert.deepEqual(Array.from(out), expected, `dims ${dims.join('x')} slice ${k}`);
      }
    }
  });

  it('box erosion', () => {
    const random = seededRandom(2, 'erode-box');
    for (let trial = 0; trial < TRIALS; trial++) {
      const dims = randomDims(random, 12);
      const mask = randomMask(random, dims[0] * dims[1] * dims[2]);
      for (let v = 0; v < mask.length; v++) if (random.next() < 0.7) mask[v] = 1;
      const radii: Index3 = [int(random, 0, 3), int(random, 0, 3), int(random, 0, 2)];
      assert.deepEqual(Array.from(erodeBox(mask, dims, radii)), referenceErodeBox(mask, dims, radii), `dims ${dims.join('x')} radii ${radii.join(',')}`);
    }
  });

  it('square dilation, erosion (the border not eroding) and closing', () => {
    const random = seededRandom(3, 'square');
    for (let trial = 0; trial < TRIALS; trial++) {
      const [nx, ny] = randomDims(random, 1);
      const p = { nx, ny };
      const plane = randomMask(random, nx * ny);
      const r = int(random, 0, 6);
      const what = `${nx}x${ny} r ${r}`;
      assert.deepEqual(Array.from(dilateSquare(plane, p, r)), referenceDilate(plane, p, r), `dilate ${what}`);
      assert.deepEqual(Array.from(erodeSquare(plane, p, r)), referenceErode(plane, p, r), `erode ${what}`);
      assert.deepEqual(Array.from(closeSquare(plane, p, r)), referenceErode(Uint8Array.from(referenceDilate(plane, p, r)), p, r), `close ${what}`);
    }
  });

  it('3x3 majority', () => {
    const random = seededRandom(4, 'majority');
    for (let trial = 0; trial < TRIALS; trial++) {
      const [nx, ny] = randomDims(random, 1);
      const plane = randomMask(random, nx * ny);
      const expected = windowed(nx, ny, 1, (a, b) => plane[a + nx * b] ?? 0, (w) => (w.reduce((s, v) => s + v, 0) >= 5 ? 1 : 0));
      assert.deepEqual(Array.from(majority3x3(plane, { nx, ny })), expected, `${nx}x${ny}`);
    }
  });

  it('enclosed pixels', () => {
    const random = seededRandom(5, 'enclosed');
    for (let trial = 0; trial < TRIALS; trial++) {
      const [nx, ny] = randomDims(random, 1);
      const wall = randomMask(random, nx * ny);
      assert.deepEqual(Array.from(enclosedBy(wall, { nx, ny })), referenceEnclosed(wall, { nx, ny }), `${nx}x${ny}`);
    }
  });
});
