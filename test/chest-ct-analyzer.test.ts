import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { createAnalyzer } from '../src/analyze/builtin/chest-ct.js';
import { HAEMOTHORAX, MERGO_METHOD, PNEUMOTHORAX, VOXEL_COUNT_METHOD } from '../src/analyze/builtin/chest-findings.js';
import { applicabilityOf } from '../src/analyze/applicability.js';
import type { Finding } from '../src/domain/finding.js';
import { PermanentJobError } from '../src/jobs/job-engine.js';
import { writeChestStudy } from './support/chest-study.js';
import { analysisInputOf } from './support/analysis-input.js';
import { writeCtSeries } from './support/synthetic-ct.js';
import { tempDir } from './support/test-hub.js';
import { writeSynth } from './support/trauma-study.js';

/** The reference chest CT analyzer on synthetic trauma CTs of known pneumothorax and haemothorax, and on bad input. */

const dirs: string[] = [];
const dir = (): string => {
  const d = tempDir('radbridge-chest-');
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const analyzer = createAnalyzer();
const never = new AbortController().signal;
const present = (findings: Finding[]): Finding[] => findings.filter((f) => f.presence === 'present');
const runsTotal = (runs: number[]): number => runs.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0);

describe('chest CT analyzer on synthetic trauma CTs', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`finds the pneumothorax and the haemothorax of seed ${seed} on the right side, within 10% of their volume`, async () => {
      const { input, truth } = writeChestStudy('trauma-ct-chest', dir(), { seed, normal: false, matrix: 256, thicknessMm: 5 });
      assert.equal(applicabilityOf(analyzer, input).applicable, true);
      const { findings } = await analyzer.analyze(input, never);
      for (const [type, truthType] of [[PNEUMOTHORAX, 'pneumothorax'], [HAEMOTHORAX, 'haemothorax']] as const) {
        const expected = truth.findings.find((f) => f.type === truthType);
        assert.ok(expected && expected.volumeMl >= 5);
        const found = present(findings).filter((f) => f.type.value === type.value);
        assert.equal(found.length, 1, `one ${truthType}`);
        const [finding] = found;
        assert.equal(finding?.laterality, expected.side);
        const volume = finding?.measurements.find((m) => m.method === VOXEL_COUNT_METHOD);
        assert.equal(volume?.unit.value, 'mL');
        assert.ok(Math.abs((volume?.value ?? 0) - expected.volumeMl) <= 0.1 * expected.volumeMl, `${truthType} ${volume?.value} mL against ${expected.volumeMl} mL`);
        const mask = finding?.mask;
        assert.ok(mask && Math.abs((runsTotal(mask.runs) * 400 / 256 * 400 / 256 * 5) / 1000 - (volume?.value ?? 0)) < 0.1);
        assert.deepEqual(mask.dimensions, [256, 256, truth.series[0]?.files.length]);
        const box = finding?.location?.box;
        assert.ok(box && box[0][0] <= expected.centreMm[0] && expected.centreMm[0] <= box[1][0], 'the box holds the centre');
        assert.ok((finding?.confidence ?? 0) > 0.5 && (finding?.confidence ?? 1) < 1);
        assert.ok((finding?.location?.images.length ?? 0) > 0);
      }
      const mergo = present(findings).find((f) => f.type.value === HAEMOTHORAX.value)?.measurements.find((m) => m.method === MERGO_METHOD);
      assert.ok(mergo && mergo.value > 0 && mergo.unit.value === 'mL', 'Mergo estimate beside the voxel count');
      assert.equal(present(findings).length, 2, 'nothing else');
    });
  }

  for (const seed of [1, 5]) {
    it(`finds nothing on the normal control of seed ${seed}`, async () => {
      const { input } = writeChestStudy('trauma-ct-chest', dir(), { seed, normal: true, matrix: 256, thicknessMm: 5 });
      const { findings } = await analyzer.analyze(input, never);
      assert.deepEqual(present(findings), []);
      assert.deepEqual(findings.map((f) => [f.type.value, f.presence]), [[PNEUMOTHORAX.value, 'absent'], [HAEMOTHORAX.value, 'absent']]);
    });
  }

  it('analyses only the chest z-range of a pan-scan', async () => {
    const { input, truth } = writeChestStudy('trauma-ct-panscan', dir(), { seed: 3, normal: false, matrix: 128, thicknessMm: 10 });
    const chest = input.series[0]?.classification.regions.find((r) => r.region === 'chest');
    assert.ok(chest, 'the header classification splits the pan-scan');
    assert.equal(applicabilityOf(analyzer, input).applicable, true);
    const { findings } = await analyzer.analyze(input, never);
    const ptx = present(findings).find((f) => f.type.value === PNEUMOTHORAX.value);
    assert.equal(ptx?.laterality, truth.findings.find((f) => f.type === 'pneumothorax')?.side);
    for (const f of present(findings)) {
      const box = f.location?.box;
      assert.ok(box && box[1][2] <= chest.zFrom && box[0][2] >= chest.zTo, `${f.type.meaning} lies within the chest range`);
    }
  });
});

describe('chest CT analyzer on bad input', () => {
  it('does not apply to a head CT, and says why', () => {
    const head = writeSynth('trauma-ct-head', dir());
    const input = analysisInputOf(head.studyUid, head.series.map((s) => ({ seriesUid: s.seriesUid, modality: 'CT', files: s.files, sopInstanceUids: s.files.map(() => '') })));
    const result = applicabilityOf(analyzer, input);
    assert.equal(result.applicable, false);
    assert.ok(result.reasons.some((r) => /shows head, not chest/.test(r)), result.reasons.join('; '));
  });

  it('fails permanently on a chest series whose slices do not form a volume', async () => {
    const written = writeCtSeries({ dir: dir(), count: 4, seed: 'chest-no-volume', extra: { ImagePositionPatient: ['0', '0', '0'] } });
    const input = analysisInputOf(written.studyUid, [{ seriesUid: written.seriesUid, modality: 'CT', files: written.files, sopInstanceUids: written.sopInstanceUids }]);
    assert.equal(applicabilityOf(analyzer, input).applicable, true);
    await assert.rejects(analyzer.analyze(input, never), (err: unknown) => err instanceof PermanentJobError && /cannot be read as a volume: .*same position/.test(err.message));
  });
});
