import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abcOverTwo } from '../src/imaging/abc-over-two.js';
import { closeSquare, enclosedBy, majority3x3 } from '../src/imaging/binary-morphology.js';
import { seededRandom } from '../src/synth/seeded-random.js';

/** The pure geometry under the head CT analyzer: ABC/2 and slice morphology. */

/** Run lengths (FindingMask form) of the voxels `inside` says are set. */
function runsOf(dims: [number, number, number], inside: (i: number, j: number, k: number) => boolean): number[] {
  const runs: number[] = [];
  let last = false;
  let count = 0;
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++) {
        const set = inside(i, j, k);
        if (set !== last) {
          runs.push(count);
          count = 0;
          last = set;
        }
        count++;
      }
    }
  }
  if (last) runs.push(count);
  return runs;
}

describe('ABC/2', () => {
  it('measures a cylinder: A and B its diameter on the widest slice, C its slices times their spacing', () => {
    const dims: [number, number, number] = [64, 64, 6];
    const runs = runsOf(dims, (i, j, k) => k >= 1 && k <= 4 && (i - 32) ** 2 + (j - 32) ** 2 <= (k === 2 ? 400 : 100));
    const abc = abcOverTwo(runs, dims, [0.5, 0.5, 3]);
    assert.equal(abc.slice, 2);
    assert.ok(Math.abs(abc.aMm - 20.5) < 0.3, `A ${abc.aMm}`);
    assert.ok(Math.abs(abc.bMm - 20.5) < 0.6, `B ${abc.bMm}`);
    assert.equal(abc.cMm, 12);
    assert.ok(Math.abs(abc.volumeMl - (abc.aMm * abc.bMm * 12) / 2000) < 1e-9);
  });

  it('takes A along an elongated collection and B across it', () => {
    const dims: [number, number, number] = [80, 40, 1];
    const abc = abcOverTwo(runsOf(dims, (i, j) => ((i - 40) / 30) ** 2 + ((j - 20) / 5) ** 2 <= 1), dims, [1, 1, 5]);
    assert.ok(Math.abs(abc.aMm - 61) < 0.5, `A ${abc.aMm}`);
    assert.ok(Math.abs(abc.bMm - 11) < 0.5, `B ${abc.bMm}`);
  });
});

describe('slice morphology', () => {
  const plane = { nx: 40, ny: 40 };
  const ring = (gapRows: number) => Uint8Array.from({ length: 1600 }, (_v, p) => {
    const [i, j] = [p % 40, Math.floor(p / 40)];
    const r = Math.hypot(i - 20, j - 20);
    return r >= 12 && r <= 14 && !(i > 28 && Math.abs(j - 20) < gapRows) ? 1 : 0;
  });

  it('encloses exactly the non-wall pixels a 4-connected flood fill from the border does not reach, on random planes', () => {
    const random = seededRandom(3, 'enclosed-by');
    for (let trial = 0; trial < 200; trial++) {
      const p = { nx: 1 + Math.floor(random.next() * 14), ny: 1 + Math.floor(random.next() * 14) };
      const density = random.next();
      const wall = Uint8Array.from({ length: p.nx * p.ny }, () => (random.next() < density ? 1 + Math.floor(random.next() * 2) : 0));
      const reached = new Uint8Array(wall.length);
      const queue: number[] = [];
      for (let v = 0; v < wall.length; v++) {
        const [i, j] = [v % p.nx, Math.floor(v / p.nx)];
        if (wall[v] || (i > 0 && j > 0 && i < p.nx - 1 && j < p.ny - 1)) continue;
        reached[v] = 1;
        queue.push(v);
      }
      for (let n = 0; n < queue.length; n++) {
        const v = queue[n] ?? 0;
        const [i, j] = [v % p.nx, Math.floor(v / p.nx)];
        for (const [a, b] of [[i - 1, j], [i + 1, j], [i, j - 1], [i, j + 1]] as const) {
          const w = a + p.nx * b;
          if (a < 0 || b < 0 || a >= p.nx || b >= p.ny || wall[w] || reached[w]) continue;
          reached[w] = 1;
          queue.push(w);
        }
      }
      assert.deepEqual([...enclosedBy(wall, p)], [...wall].map((w, v) => (w || reached[v] ? 0 : 1)), `${p.nx}x${p.ny}`);
    }
  });

  it('encloses nothing inside a broken ring until closing bridges the gap', () => {
    const broken = ring(2);
    assert.equal(enclosedBy(broken, plane).reduce((a, b) => a + b, 0), 0);
    const inside = enclosedBy(closeSquare(broken, plane, 3), plane);
    assert.equal(inside[20 + 40 * 20], 1);
    assert.equal(inside[0], 0);
    assert.ok(inside.reduce((a, b) => a + b, 0) > 400);
  });

  it('drops an isolated pixel and fills a one-pixel hole', () => {
    const square = Uint8Array.from({ length: 1600 }, (_v, p) => ((p % 40 >= 10 && p % 40 < 20 && p / 40 >= 10 && p / 40 < 20) || p === 35 * 40 + 35 ? 1 : 0));
    square[15 + 40 * 15] = 0;
    const filtered = majority3x3(square, plane);
    assert.deepEqual([filtered[35 * 40 + 35], filtered[15 + 40 * 15], filtered[10 + 40 * 12]], [0, 1, 1]);
  });
});
