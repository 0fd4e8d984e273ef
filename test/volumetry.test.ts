import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { measureVolumetry, volumetryRequestSchema } from '../src/analyze/volumetry.js';
import { RadbridgeError } from '../src/domain/errors.js';
import type { Volume } from '../src/imaging/volume.js';
import type { CtFindingTruth } from '../src/synth/ground-truth.js';
import { fluidTruths, volumeOf, writeAbdomen } from './support/abdomen-ct.js';
import { tempDir } from './support/test-hub.js';

/** Semi-automatic volumetry: region growing from the ground truth's probe point, and in a box around a finding. */

describe('region growing volumetry on a synthetic abdomen CT', () => {
  const dir = tempDir('radbridge-volumetry-');
  let volume: Volume;
  let truth: CtFindingTruth;
  const scope = { studyUid: '1.2.3', seriesUid: '1.2.3.4' };
  const request = (body: unknown) => volumetryRequestSchema.parse(body);
  before(async () => {
    const written = writeAbdomen('trauma-ct-abdomen', path.join(dir, 'ct'), 7);
    volume = await volumeOf(written.files);
    const found = fluidTruths(written.truth).find((f) => f.type === 'haemoperitoneum');
    if (!found) throw new Error('no haemoperitoneum in the ground truth');
    truth = found;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('from the probe point gives the finding volume within 10%, with its centroid and mask', () => {
    const r = measureVolumetry(volume, scope, request({ seed: truth.probeMm, huRange: [0, 80] }));
    assert.ok(Math.abs(r.volumeMl - truth.volumeMl) <= 0.1 * truth.volumeMl, `${r.volumeMl} mL grown, ${truth.volumeMl} mL true`);
    assert.ok(Math.hypot(...r.centroid.map((c, a) => c - (truth.centreMm[a] ?? 0))) < 10, `centroid ${r.centroid.join(',')}`);
    assert.equal(r.reachedMaxVolume, false);
    assert.equal(r.mask.runs.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0), r.voxels);
    assert.ok(r.meanHu > 20 && r.meanHu < 60);
  });

  it('in a box around the finding, without a seed, takes its largest in-range region', () => {
    const [sx, sy, sz] = truth.sizeMm;
    const [cx, cy, cz] = truth.centreMm;
    const roi = [[cx - sx / 2 - 5, cy - sy / 2 - 5, cz - sz / 2 - 5], [cx + sx / 2 + 5, cy + sy / 2 + 5, cz + sz / 2 + 5]];
    const r = measureVolumetry(volume, scope, request({ roi, huRange: [0, 80] }));
    assert.ok(Math.abs(r.volumeMl - truth.volumeMl) <= 0.1 * truth.volumeMl, `${r.volumeMl} mL in the box, ${truth.volumeMl} mL true`);
  });

  it('stops at maxMl and says so', () => {
    const r = measureVolumetry(volume, scope, request({ seed: truth.probeMm, huRange: [0, 80], maxMl: 20 }));
    assert.equal(r.reachedMaxVolume, true);
    assert.ok(r.volumeMl <= 20 && r.volumeMl > 19, String(r.volumeMl));
  });

  it('refuses a seed outside the volume with a clear message', () => {
    assert.throws(() => measureVolumetry(volume, scope, request({ seed: [0, 0, 500], huRange: [0, 80] })), (e: unknown) => e instanceof RadbridgeError && e.code === 'BAD_REQUEST' && /seed: .*outside the volume/.test(e.message));
  });

  it('lists every problem of a malformed request: empty HU range, no seed or box, a stray key', () => {
    const parsed = volumetryRequestSchema.safeParse({ huRange: [80, 0], colour: 'red' });
    assert.equal(parsed.success, false);
    const messages = parsed.error?.issues.map((i) => i.message).join(' | ') ?? '';
    assert.match(messages, /HU range \[80, 0\] is empty/);
    assert.match(messages, /give a seed point or a roi box/);
    assert.match(messages, /colour/);
  });
});
