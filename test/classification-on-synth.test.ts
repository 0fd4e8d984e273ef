import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { classifySeries, type SeriesClassification } from '../src/classify/classify-series.js';
import { seriesFacts } from '../src/classify/series-facts.js';
import { measureSlice } from '../src/classify/slice-content.js';
import { decodeInstance } from '../src/imaging/decode-instance.js';
import type { JsonDict } from '../src/imaging/pixel-description.js';
import { synthStudy, type SynthKind } from '../src/synth/synth-study.js';
import { writeStudy } from '../src/synth/write-study.js';
import { tempDir } from './support/test-hub.js';

function num(dict: JsonDict, tag: string, i: number): number {
  return Number(dict[tag]?.Value?.[i]);
}

/** Writes a synthetic study, decodes its first series and classifies it the way routing will: header facts plus, for CT, slice content. */
async function classifySynth(kind: SynthKind, edit: (dict: JsonDict) => void = () => {}): Promise<SeriesClassification> {
  const all = writeStudy(synthStudy(kind, { seed: 7, normal: false, matrix: 64, sliceThicknessMm: 20, frames: 6 }), tempDir('radbridge-classify-'));
  const decodedAll = await Promise.all(all.map(async (f) => decodeInstance(readFileSync(f))));
  const firstSeries = decodedAll[0]?.dataset['0020000E']?.Value?.[0];
  const decoded = decodedAll.filter((d) => d.dataset['0020000E']?.Value?.[0] === firstSeries);
  const first = decoded[0];
  assert.ok(first);
  const header = first.dataset;
  edit(header);
  if (first.description.numberOfFrames > 1 || header['00080060']?.Value?.[0] !== 'CT') return classifySeries(seriesFacts(header));
  const z = decoded.map((d) => num(d.dataset, '00200032', 2));
  const content = decoded.map((d, i) => {
    const slope = num(d.dataset, '00281053', 0) || 1;
    const intercept = num(d.dataset, '00281052', 0) || 0;
    const samples = d.frames[0]?.samples ?? [];
    const hu = Float32Array.from(samples, (v) => v * slope + intercept);
    return measureSlice(z[i] ?? 0, hu, num(d.dataset, '00280030', 0) * num(d.dataset, '00280030', 1));
  });
  return classifySeries(seriesFacts(header, z), content);
}

describe('classification of the synthetic studies', () => {
  it('splits the trauma pan-scan into head, neck, chest, abdomen and pelvis from its pixels', async () => {
    const c = await classifySynth('trauma-ct-panscan');
    assert.equal(c.bodyRegion.value, 'whole-body');
    assert.deepEqual([...new Set(c.regions.map((r) => r.region))], ['head', 'cervical-spine', 'chest', 'abdomen', 'pelvis']);
    assert.deepEqual(c.conflicts, []);
  });

  for (const [kind, region] of [['trauma-ct-head', 'head'], ['trauma-ct-chest', 'chest'], ['trauma-ct-abdomen', 'abdomen']] as const) {
    it(`${kind} is ${region}, with header and pixels agreeing`, async () => {
      const c = await classifySynth(kind);
      assert.equal(c.bodyRegion.value, region);
      assert.equal(c.bodyRegion.basis, 'content');
      assert.deepEqual(c.conflicts, []);
    });
  }

  it('a chest labelled HEAD is classified chest from its pixels, and the mislabel is reported', async () => {
    const c = await classifySynth('trauma-ct-chest', (dict) => {
      dict['00180015'] = { vr: 'CS', Value: ['HEAD'] };
      dict['0008103E'] = { vr: 'LO', Value: ['CCT'] };
    });
    assert.equal(c.bodyRegion.value, 'chest');
    assert.match(c.conflicts[0] ?? '', /header says head .* but the images show chest/);
  });

  for (const [kind, part] of [['xr-knee', 'knee'], ['xr-hip', 'pelvis'], ['xr-full-leg', 'full-leg'], ['xr-spine', 'spine']] as const) {
    it(`${kind} radiograph is a ${part}, AP`, async () => {
      const c = await classifySynth(kind);
      assert.equal(c.radiograph?.bodyPart.value, part);
      assert.equal(c.radiograph?.view.value, 'AP');
    });
  }

  it('the FAST loop is an ultrasound cine', async () => {
    const c = await classifySynth('us-fast');
    assert.equal(c.ultrasound?.kind.value, 'cine');
  });
});
