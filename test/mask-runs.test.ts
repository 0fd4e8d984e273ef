import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paintRuns, runsOf, unionRuns } from '../src/imaging/mask-runs.js';
import { seededRandom } from '../src/synth/seeded-random.js';

describe('run-length masks', () => {
  it('unite masks that share no voxel into the mask of their painted union', () => {
    const random = seededRandom(5, 'mask-runs');
    for (let trial = 0; trial < 200; trial++) {
      const labels = Uint8Array.from({ length: 1 + Math.floor(random.next() * 60) }, () => Math.floor(random.next() * 4));
      const masks = [1, 2, 3].map((label) => runsOf(labels, label));
      const painted = new Uint8Array(labels.length);
      for (const runs of masks) paintRuns(painted, runs, 1);
      assert.deepEqual(unionRuns(masks), runsOf(painted, 1), labels.join(''));
    }
    assert.deepEqual(unionRuns([]), []);
    assert.deepEqual(unionRuns([[2, 1], [3, 2]]), [2, 3], 'touching masks join into one run');
  });
});
