import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { applicabilityOf } from '../src/analyze/applicability.js';
import { createAnalyzer } from '../src/analyze/builtin/head-ct.js';
import type { AnalysisInput } from '../src/analyze/analyzer.js';
import type { Finding } from '../src/domain/finding.js';
import { PermanentJobError } from '../src/jobs/job-engine.js';
import { analysisInput, writePhantom } from './support/phantom-series.js';
import { writeCtStudy } from './support/head-ct-study.js';
import { writeCtSeries } from './support/synthetic-ct.js';
import { tempDir } from './support/test-hub.js';

/** The reference head CT analyzer on synthetic head CTs with known haemorrhage, normal controls, drawn ventricles, and bad input. */

const analyzer = createAnalyzer({});
const run = (input: AnalysisInput) => analyzer.analyze(input, new AbortController().signal);
const haemorrhages = (findings: Finding[]) => findings.filter((f) => f.type.scheme === 'SCT' && f.type.value === '1386000');
const shiftOf = (findings: Finding[]) => findings.find((f) => f.type.value === 'midline-shift');
const dirs: string[] = [];
const dir = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('head CT analyzer on synthetic trauma head CTs', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: finds the haemorrhage on its side, with its volume by voxel count and by ABC/2`, async () => {
      const study = writeCtStudy('trauma-ct-head', dir(), { seed, normal: false, matrix: 128 });
      const truth = study.findings.find((f) => f.type === 'intracranial-haemorrhage');
      assert.ok(truth);
      const found = haemorrhages((await run(study.input)).findings);
      assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.measurements)));
      const [ich] = found;
      assert.ok(ich);
      assert.equal(ich.laterality, truth.side);
      assert.deepEqual(ich.site, { scheme: 'SCT', value: '1101003', meaning: 'Intracranial structure' });
      const [byCount, byAbc] = ich.measurements;
      assert.equal(byCount?.method, 'voxel count');
      assert.match(byAbc?.method ?? '', /^ABC\/2: A [\d.]+ mm .* B [\d.]+ mm .* C [\d.]+ mm/);
      for (const m of [byCount, byAbc]) assert.deepEqual([m?.concept.value, m?.unit], ['118565006', { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' }]);
      const tolerance = truth.volumeMl >= 5 ? 0.1 : 0.3;
      assert.ok(Math.abs((byCount?.value ?? 0) - truth.volumeMl) <= tolerance * truth.volumeMl, `voxel count ${byCount?.value} mL vs ${truth.volumeMl} mL`);
      assert.ok(Math.abs((byAbc?.value ?? 0) - truth.volumeMl) <= 0.5 * truth.volumeMl, `ABC/2 ${byAbc?.value} mL vs ${truth.volumeMl} mL`);
      const point = ich.location?.point ?? [NaN, NaN, NaN];
      for (const a of [0, 1, 2]) assert.ok(Math.abs((point[a] ?? NaN) - (truth.centreMm[a] ?? 0)) < 3, `centroid ${point.join(', ')} vs ${truth.centreMm.join(', ')}`);
      const expected = truth.locations[0]?.instanceNumbers.map((n) => study.instances[n - 1]?.sopInstanceUid) ?? [];
      assert.deepEqual(ich.location?.images.map((i) => i.sopInstanceUid).sort(), expected.sort(), 'the slices it is on');
      assert.deepEqual(ich.mask?.dimensions, [128, 128, study.instances.length]);
      const maskVoxels = (ich.mask?.runs ?? []).filter((_r, n) => n % 2 === 1).reduce((a, b) => a + b, 0);
      const voxelMl = (250 / 128) ** 2 * 5 / 1000;
      assert.ok(Math.abs(maskVoxels * voxelMl - (byCount?.value ?? 0)) < 0.01, 'the mask holds the voxels counted');
      assert.ok((ich.confidence ?? 0) > 0.5 && (ich.confidence ?? 0) <= 0.95);
      assert.equal(ich.source.inputHash, study.input.inputHash);
    });
  }

  for (const seed of [6, 7, 8]) {
    it(`normal control seed ${seed}: no haemorrhage`, async () => {
      const study = writeCtStudy('trauma-ct-head', dir(), { seed, normal: true, matrix: 128 });
      const findings = (await run(study.input)).findings;
      assert.deepEqual(haemorrhages(findings), []);
      assert.equal(findings.length, 1, 'only the midline-shift finding');
    });
  }

  it('reports the midline shift indeterminate on the synthetic heads, which draw no ventricles or septum', async () => {
    for (const normal of [true, false]) {
      const study = writeCtStudy('trauma-ct-head', dir(), { seed: 9, normal, matrix: 128 });
      const shift = shiftOf((await run(study.input)).findings);
      assert.deepEqual([shift?.presence, shift?.measurements], ['indeterminate', []]);
    }
  });
});

/** A head drawn on a 1 mm grid: skull, brain, and two frontal horns either side of a 4 mm septum at x = septumX. */
function ventricleHead(septumX: number, seed: string) {
  return writePhantom({
    dir: dir(), seed, dims: [160, 192, 8], spacing: [1, 1, 5], origin: [-79.5, -95.5, -60],
    extra: { BodyPartExamined: 'HEAD', SeriesDescription: 'HEAD AXIAL BRAIN' },
    hu: (i, j, k) => {
      const [x, y] = [i - 79.5, j - 95.5];
      const outer = (x / 74) ** 2 + (y / 90) ** 2 <= 1;
      const inner = (x / 67) ** 2 + (y / 83) ** 2 <= 1;
      if (!outer) return -1000;
      if (!inner) return 1000;
      const horn = (cx: number) => ((x - cx) / 4) ** 2 + ((y + 20) / 14) ** 2 <= 1;
      if (k >= 2 && k <= 5 && (horn(septumX - 6) || horn(septumX + 6))) return 8;
      return 33 + ((i * 7 + j * 13 + k * 5) % 5);
    },
  });
}

describe('head CT analyzer midline shift on drawn ventricles', () => {
  for (const [septumX, presence, laterality] of [[0, 'absent', 'midline'], [6, 'present', 'left'], [-5, 'present', 'right']] as const) {
    it(`a septum at x = ${septumX} mm reads ${Math.abs(septumX)} mm, ${laterality}`, async () => {
      const phantom = ventricleHead(septumX, `mls-${septumX}`);
      const findings = (await run(analysisInput(phantom, 'assistive'))).findings;
      assert.deepEqual(haemorrhages(findings), []);
      const shift = shiftOf(findings);
      assert.deepEqual([shift?.presence, shift?.laterality], [presence, laterality]);
      const [distance] = shift?.measurements ?? [];
      assert.deepEqual([distance?.concept.value, distance?.unit.value], ['121206', 'mm']);
      assert.match(distance?.method ?? '', /septum pellucidum/);
      assert.ok(Math.abs((distance?.value ?? NaN) - Math.abs(septumX)) <= 0.6, `measured ${distance?.value} mm`);
      assert.ok(Math.abs((shift?.location?.point?.[0] ?? NaN) - septumX) <= 1, 'the septum point');
    });
  }
});

describe('head CT analyzer on bad input', () => {
  it('does not apply to a series that is not a head CT, or to a bone-kernel head series, and says why', () => {
    const chest = writeCtStudy('trauma-ct-chest', dir(), { seed: 1, normal: true, matrix: 32 });
    const notHead = applicabilityOf(analyzer, chest.input);
    assert.equal(notHead.applicable, false);
    assert.match(notHead.reasons.join('; '), /shows chest, not head/);
    const bone = writeCtStudy('trauma-ct-head', dir(), { seed: 1, normal: true, matrix: 32, seriesNumber: 2 });
    const boneKernel = applicabilityOf(analyzer, bone.input);
    assert.equal(boneKernel.applicable, false);
    assert.match(boneKernel.reasons.join('; '), /has a bone kernel, not soft-tissue or unknown/);
  });

  it('does not apply to a contrast-enhanced head CT', () => {
    const enhanced = writeCtStudy('trauma-ct-head', dir(), { seed: 1, normal: true, matrix: 32, extra: { ContrastBolusAgent: 'IOHEXOL 350 MG/ML' } });
    const applicability = applicabilityOf(analyzer, enhanced.input);
    assert.equal(applicability.applicable, false);
    assert.match(applicability.reasons.join('; '), /is contrast-unspecified, not non-contrast/);
  });

  it('refuses to analyze a series it does not apply to, permanently', async () => {
    const chest = writeCtStudy('trauma-ct-chest', dir(), { seed: 1, normal: true, matrix: 32 });
    await assert.rejects(run(chest.input), (err: Error) => err instanceof PermanentJobError && /does not apply: .*not head/.test(err.message));
  });

  it('fails permanently, with the reason, on slices that do not form a volume', async () => {
    const written = writeCtSeries({ dir: dir(), count: 6, seed: 'same-place', extra: { BodyPartExamined: 'HEAD', ImagePositionPatient: ['0', '0', '0'] } });
    const input = analysisInput({ series: { seriesUid: written.seriesUid, modality: 'CT', classification: ventricleHead(0, 'classification').series.classification, instances: written.files.map((file, i) => ({ file, sopInstanceUid: written.sopInstanceUids[i] ?? '' })) }, studyUid: written.studyUid, patient: () => [0, 0, 0] }, 'assistive');
    await assert.rejects(run(input), (err: Error) => err instanceof PermanentJobError && /cannot be read as a volume: .*slices lie at the same position/.test(err.message));
  });

  it('fails permanently on a head series with no skull around a space', async () => {
    const phantom = writePhantom({ dir: dir(), seed: 'no-skull', dims: [64, 64, 6], spacing: [2, 2, 5], origin: [-63, -63, 0], hu: () => 30 });
    await assert.rejects(run(analysisInput(phantom, 'assistive')), (err: Error) => err instanceof PermanentJobError && /shows no space enclosed by skull/.test(err.message));
  });

  it('refuses options it does not know or cannot use', () => {
    assert.throws(() => createAnalyzer({ hyperdenseHu: [90, 50] }), /hyperdenseHu must be \[low, high\]/);
    assert.throws(() => createAnalyzer({ threshold: 3 }), /options are invalid: .*threshold/);
  });
});
