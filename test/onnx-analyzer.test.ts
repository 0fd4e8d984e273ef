import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Analyzer } from '../src/analyze/analyzer.js';
import { applicabilityOf } from '../src/analyze/applicability.js';
import { createAnalyzer } from '../src/analyze/onnx/onnx-analyzer.js';
import type { Finding } from '../src/domain/finding.js';
import { PermanentJobError } from '../src/jobs/job-engine.js';
import { extremaHeatmapModel, fixedBoxModel, meanLogitsClassifier, meanSigmoidClassifier, thresholdModel, twoClassModel } from './support/onnx-models.js';
import { BRAIN, DENSEST, FRACTURE, HAEMORRHAGE, LANDMARKS, LEAST_DENSE, scratchDir, writeManifest } from './support/model-manifests.js';
import { analysisInput, writePhantom, type Phantom } from './support/phantom-series.js';

const dir = scratchDir('radbridge-onnx-');
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const close = (actual: number | undefined, expected: number, tolerance: number, what: string): void =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
const closePoint = (actual: readonly number[] | undefined, expected: readonly number[], tolerance: number, what: string): void => {
  assert.ok(actual, `${what}: no point`);
  expected.forEach((e, a) => close(actual[a], e, tolerance, `${what}[${a}]`));
};

/**
 * Segmentation phantom: 40 x 32 x 12 voxels of 0.8 x 0.8 x 2.5 mm (1.6 mm³), soft tissue (20 HU)
 * centred on x = 0, with three dense boxes: one on the patient's left (+x), one on the right, one
 * across the midline.
 */
const SPACING: [number, number, number] = [0.8, 0.8, 2.5];
const ORIGIN: [number, number, number] = [-15.6, -12.4, -30];
interface Blob {
  from: [number, number, number];
  to: [number, number, number];
  hu: number;
}
const blobs: Record<'left' | 'right' | 'midline', Blob> = {
  left: { from: [26, 10, 3], to: [29, 14, 5], hu: 200 },
  right: { from: [5, 18, 6], to: [10, 23, 9], hu: 300 },
  midline: { from: [18, 2, 0], to: [21, 3, 1], hu: 150 },
};
const inBlob = (b: Blob, i: number, j: number, k: number): boolean => [i, j, k].every((x, a) => x >= (b.from[a] ?? 0) && x <= (b.to[a] ?? 0));
const blobVoxels = (b: Blob): number => [0, 1, 2].reduce((n, a) => n * ((b.to[a] ?? 0) - (b.from[a] ?? 0) + 1), 1);
const segPhantom = writePhantom({
  dir: path.join(dir, 'seg'), seed: 'onnx-seg', dims: [40, 32, 12], spacing: SPACING, origin: ORIGIN,
  hu: (i, j, k) => Object.values(blobs).find((b) => inBlob(b, i, j, k))?.hu ?? 20,
});
const centreOf = (p: Phantom, b: Blob): number[] => p.patient(...([0, 1, 2].map((a) => ((b.from[a] ?? 0) + (b.to[a] ?? 0)) / 2) as [number, number, number]));

/** Classification phantom: 16 x 16 x 8 voxels of 1 mm, every voxel of slice k at 40k - 100 HU. */
const clsPhantom = writePhantom({ dir: path.join(dir, 'cls'), seed: 'onnx-cls', dims: [16, 16, 8], spacing: [1, 1, 1], origin: [-7.5, -7.5, 0], hu: (_i, _j, k) => 40 * k - 100 });
const sliceHu = (k: number): number => 40 * Math.min(7, Math.max(0, k)) - 100;
const sopOfSlice = (p: Phantom, k: number): string | undefined => p.series.instances.find((i) => i.file.includes(`${path.sep}slice-${k}${path.sep}`))?.sopInstanceUid;

const segmentation = (extra: Record<string, unknown> = {}) => ({
  kind: 'segmentation', name: 'mask', method: 'threshold', threshold: 0.5, labels: [{ channel: 0, type: HAEMORRHAGE, site: BRAIN }], ...extra,
});

async function analyze(analyzer: Analyzer, phantom: Phantom, mode: 'silent' | 'assistive' | 'active' = 'assistive'): Promise<Finding[]> {
  return (await analyzer.analyze(analysisInput(phantom, mode), new AbortController().signal)).findings;
}

function maskVoxels(finding: Finding): Set<number> {
  const set = new Set<number>();
  const runs = finding.mask?.runs ?? [];
  let at = 0;
  for (let r = 0; r < runs.length; r += 2) {
    at += runs[r] ?? 0;
    for (let n = 0; n < (runs[r + 1] ?? 0); n++) set.add(at + n);
    at += runs[r + 1] ?? 0;
  }
  return set;
}

describe('ONNX analyzer: segmentation', () => {
  const model = thresholdModel(100);
  const manifest = writeManifest(dir, 'seg-slice', { preprocessing: { layout: { kind: 'slice' } }, outputs: [segmentation()] }, model);

  it('finds one component per dense region with its volume in mL, side, centroid, box and mask', async () => {
    const analyzer = await createAnalyzer({ manifest });
    const findings = await analyze(analyzer, segPhantom);
    assert.equal(findings.length, 3);
    for (const [side, blob] of [['left', blobs.left], ['right', blobs.right], ['midline', blobs.midline]] as const) {
      const f = findings.find((x) => x.laterality === side);
      assert.ok(f, `no ${side} finding`);
      assert.equal(f.presence, 'present');
      assert.deepEqual(f.type, HAEMORRHAGE);
      assert.deepEqual(f.site, BRAIN);
      const [volume] = f.measurements;
      assert.deepEqual(volume?.unit, { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' });
      assert.equal(volume?.concept.value, '118565006');
      close(volume?.value, (blobVoxels(blob) * 0.8 * 0.8 * 2.5) / 1000, 1e-9, `${side} volume`);
      closePoint(f.location?.point, centreOf(segPhantom, blob), 1e-6, `${side} centroid`);
      closePoint(f.location?.box?.[0], segPhantom.patient(...blob.from), 1e-6, `${side} box low`);
      closePoint(f.location?.box?.[1], segPhantom.patient(...blob.to), 1e-6, `${side} box high`);
      assert.equal(f.confidence, 1);
      assert.deepEqual(f.mask?.dimensions, [40, 32, 12]);
      closePoint(f.mask?.affine.slice(0, 4), [0.8, 0, 0, ORIGIN[0]], 1e-9, `${side} affine row 0`);
      const expected = new Set<number>();
      for (let k = blob.from[2]; k <= blob.to[2]; k++) for (let j = blob.from[1]; j <= blob.to[1]; j++) for (let i = blob.from[0]; i <= blob.to[0]; i++) expected.add(i + 40 * (j + 32 * k));
      assert.deepEqual(maskVoxels(f), expected, `${side} mask`);
      assert.deepEqual(f.location?.images.map((r) => r.sopInstanceUid), Array.from({ length: blob.to[2] - blob.from[2] + 1 }, (_v, n) => sopOfSlice(segPhantom, blob.from[2] + n)));
    }
  });

  it('puts the model file hash in the description and in every finding, beside the input hash', async () => {
    const analyzer = await createAnalyzer({ manifest });
    const hash = createHash('sha256').update(readFileSync(path.join(path.dirname(manifest), 'model.onnx'))).digest('hex');
    assert.equal(analyzer.description.modelHash, hash);
    assert.deepEqual(analyzer.description.produces, [{ type: HAEMORRHAGE, measurements: [{ scheme: 'SCT', value: '118565006', meaning: 'Volume' }] }]);
    const findings = (await analyzer.analyze(analysisInput(segPhantom, 'silent', 'feedbeef'), new AbortController().signal)).findings;
    assert.ok(findings.length > 0);
    for (const f of findings) assert.deepEqual(f.source, { id: 'seg-slice', version: '1.0.0', modelHash: hash, manufacturer: 'Radbridge tests', inputHash: 'feedbeef' });
  });

  it('gives the same findings from overlapping 3D patches, one whole-volume patch, batched slices with argmax decoding and single slices', async () => {
    const single = await analyze(await createAnalyzer({ manifest }), segPhantom);
    const patches = writeManifest(dir, 'seg-patch', { id: 'seg-slice', preprocessing: { layout: { kind: 'patch', size: [16, 12, 5], overlap: [4, 3, 2] } }, outputs: [segmentation()] }, model);
    assert.deepEqual(await analyze(await createAnalyzer({ manifest: patches }), segPhantom), single);
    const whole = writeManifest(dir, 'seg-whole', { id: 'seg-slice', preprocessing: { layout: { kind: 'patch', size: [40, 32, 12] } }, outputs: [segmentation()] }, model);
    assert.deepEqual(await analyze(await createAnalyzer({ manifest: whole }), segPhantom), single);
    const argmax = writeManifest(dir, 'seg-argmax', { id: 'seg-slice', preprocessing: { layout: { kind: 'slice', batch: 5 } }, outputs: [segmentation({ name: 'probs', method: 'argmax', threshold: undefined, labels: [{ channel: 1, type: HAEMORRHAGE, site: BRAIN }] })] }, twoClassModel(100));
    const withoutModelHash = (findings: Finding[]) => findings.map((f) => ({ ...f, source: { ...f.source, modelHash: 'another model' } }));
    assert.deepEqual(withoutModelHash(await analyze(await createAnalyzer({ manifest: argmax }), segPhantom)), withoutModelHash(single));
  });

  it('drops components below minVolumeMl and reports a label with none left as absent', async () => {
    const small = writeManifest(dir, 'seg-min', { preprocessing: { layout: { kind: 'slice' } }, outputs: [segmentation({ minVolumeMl: 0.05 })] }, model);
    const findings = await analyze(await createAnalyzer({ manifest: small }), segPhantom);
    assert.deepEqual(findings.map((f) => f.laterality).sort(), ['left', 'right']);
    const none = writeManifest(dir, 'seg-none', { preprocessing: { layout: { kind: 'slice' } }, outputs: [segmentation({ minVolumeMl: 10 })] }, model);
    const [absent, ...rest] = await analyze(await createAnalyzer({ manifest: none }), segPhantom);
    assert.equal(rest.length, 0);
    assert.equal(absent?.presence, 'absent');
    assert.equal(absent?.mask, undefined);
  });

  it('resamples to the model spacing and gives components back on the series grid', async () => {
    const resampled = writeManifest(dir, 'seg-resampled', { preprocessing: { spacing: [1.6, 1.6, 2.5], layout: { kind: 'slice' } }, outputs: [segmentation()] }, model);
    const findings = await analyze(await createAnalyzer({ manifest: resampled }), segPhantom);
    const right = findings.find((f) => f.laterality === 'right');
    assert.deepEqual(right?.mask?.dimensions, [40, 32, 12]);
    // Nearest neighbour back to the series grid moves an edge by at most half a model voxel (0.8 mm).
    closePoint(right?.location?.point, centreOf(segPhantom, blobs.right), 0.8 + 1e-9, 'resampled centroid');
    const truth = (blobVoxels(blobs.right) * 1.6) / 1000;
    close(right?.measurements[0]?.value, truth, truth * 0.25, 'resampled volume');
  });
});

describe('ONNX analyzer: classification', () => {
  const labels = [{ index: 0, type: FRACTURE, threshold: { silent: 0.5, assistive: 0.85, active: 0.9 } }];
  const preprocessing = { normalise: { kind: 'zscore', mean: 0, std: 100 }, layout: { kind: 'slice', batch: 3 } };
  const manifest = writeManifest(dir, 'cls', { preprocessing, outputs: [{ kind: 'classification', name: 'score', labels }] }, meanSigmoidClassifier());

  it('scores Sigmoid(mean) per slice, keeps the highest slice and applies the threshold of the mode in force', async () => {
    const analyzer = await createAnalyzer({ manifest });
    const expected = sigmoid(sliceHu(7) / 100);
    for (const [mode, presence] of [['silent', 'present'], ['assistive', 'present'], ['active', 'absent']] as const) {
      const [finding, ...rest] = await analyze(analyzer, clsPhantom, mode);
      assert.equal(rest.length, 0);
      assert.equal(finding?.presence, presence, mode);
      close(finding?.confidence, expected, 1e-6, `${mode} score`);
      assert.deepEqual(finding?.location?.images, [{ seriesUid: clsPhantom.series.seriesUid, sopInstanceUid: sopOfSlice(clsPhantom, 7) }]);
    }
  });

  it('feeds 2.5D slabs of neighbouring slices as channels, edges repeated', async () => {
    const slab = writeManifest(dir, 'cls-slab', { preprocessing: { ...preprocessing, layout: { kind: 'slab', slices: 3 } }, outputs: [{ kind: 'classification', name: 'score', labels }] }, meanSigmoidClassifier());
    const [finding] = await analyze(await createAnalyzer({ manifest: slab }), clsPhantom);
    close(finding?.confidence, sigmoid((sliceHu(6) + 2 * sliceHu(7)) / 3 / 100), 1e-6, 'slab score');
  });

  it('averages over slices with aggregate mean and decodes softmax logits', async () => {
    const mean = writeManifest(dir, 'cls-mean', { preprocessing, outputs: [{ kind: 'classification', name: 'score', aggregate: 'mean', labels }] }, meanSigmoidClassifier());
    const [averaged] = await analyze(await createAnalyzer({ manifest: mean }), clsPhantom);
    const expected = Array.from({ length: 8 }, (_v, k) => sigmoid(sliceHu(k) / 100)).reduce((a, b) => a + b, 0) / 8;
    close(averaged?.confidence, expected, 1e-6, 'mean score');
    assert.deepEqual(averaged?.location?.images, [{ seriesUid: clsPhantom.series.seriesUid }]);
    const softmax = writeManifest(dir, 'cls-softmax', { preprocessing: { layout: { kind: 'slice' } }, outputs: [{ kind: 'classification', name: 'logits', activation: 'softmax', labels }] }, meanLogitsClassifier(0.01));
    const [soft] = await analyze(await createAnalyzer({ manifest: softmax }), clsPhantom);
    close(soft?.confidence, sigmoid((2 * sliceHu(7)) / 100), 1e-6, 'softmax score');
  });
});

describe('ONNX analyzer: heatmaps and boxes', () => {
  const hot: [number, number, number] = [13, 4, 7];
  const cold: [number, number, number] = [2, 11, 1];
  const heatPhantom = writePhantom({
    dir: path.join(dir, 'heat'), seed: 'onnx-heat', dims: [20, 16, 10], spacing: [0.5, 0.7, 3], origin: [-5, 20, 100],
    hu: (i, j, k) => (i === hot[0] && j === hot[1] && k === hot[2] ? 900 : i === cold[0] && j === cold[1] && k === cold[2] ? -900 : 0),
  });
  const heatmap = { kind: 'heatmap', name: 'heat', activation: 'sigmoid', type: LANDMARKS, minPeak: { silent: 0.6, assistive: 0.6, active: 0.8 }, landmarks: [{ channel: 0, concept: DENSEST }, { channel: 1, concept: LEAST_DENSE }] };
  const preprocessing = { normalise: { kind: 'zscore', mean: 0, std: 1000 } };

  it('puts each landmark at its channel argmax in patient coordinates, the same from slices and from patches', async () => {
    for (const layout of [{ kind: 'slice', batch: 4 }, { kind: 'patch', size: [8, 8, 4], overlap: [2, 2, 1] }]) {
      const manifest = writeManifest(dir, `heat-${layout.kind}`, { preprocessing: { ...preprocessing, layout }, outputs: [heatmap] }, extremaHeatmapModel());
      const [finding, ...rest] = await analyze(await createAnalyzer({ manifest }), heatPhantom);
      assert.equal(rest.length, 0);
      assert.equal(finding?.presence, 'present');
      assert.deepEqual(finding?.landmarks?.map((l) => l.concept), [DENSEST, LEAST_DENSE]);
      closePoint(finding?.landmarks?.[0]?.point, heatPhantom.patient(...hot), 1e-6, `${layout.kind} densest`);
      closePoint(finding?.landmarks?.[1]?.point, heatPhantom.patient(...cold), 1e-6, `${layout.kind} least dense`);
      close(finding?.landmarks?.[0]?.confidence, sigmoid(0.9), 1e-6, 'peak');
      const [absent] = await analyze(await createAnalyzer({ manifest }), heatPhantom, 'active');
      assert.equal(absent?.presence, 'absent');
      assert.deepEqual(absent?.landmarks, []);
    }
  });

  it('turns boxes scoring above the threshold into localized findings in patient coordinates', async () => {
    const manifest = writeManifest(dir, 'boxes', {
      preprocessing: { normalise: { kind: 'zscore', mean: 0, std: 100 }, layout: { kind: 'slice' } },
      outputs: [{ kind: 'boxes', name: 'boxes', labels: [{ class: 0, type: FRACTURE, threshold: 0.75 }] }],
    }, fixedBoxModel([2, 3, 5, 12], 1));
    const findings = await analyze(await createAnalyzer({ manifest }), clsPhantom);
    const kept = [0, 1, 2, 3, 4, 5, 6, 7].filter((k) => sigmoid(sliceHu(k) / 100) >= 0.75);
    assert.deepEqual(kept, [6, 7]);
    assert.equal(findings.length, kept.length);
    findings.forEach((f, n) => {
      const k = kept[n] ?? -1;
      close(f.confidence, sigmoid(sliceHu(k) / 100), 1e-6, 'box score');
      closePoint(f.location?.box?.[0], clsPhantom.patient(2, 3, k), 1e-6, 'box low');
      closePoint(f.location?.box?.[1], clsPhantom.patient(5, 12, k), 1e-6, 'box high');
      closePoint(f.location?.point, clsPhantom.patient(3.5, 7.5, k), 1e-6, 'box centre');
      assert.equal(f.laterality, 'right');
      assert.deepEqual(f.location?.images, [{ seriesUid: clsPhantom.series.seriesUid, sopInstanceUid: sopOfSlice(clsPhantom, k) }]);
    });
  });
});

describe('ONNX analyzer: applicability and model mismatches', () => {
  it('refuses a series of another modality, with the reason', async () => {
    const manifest = writeManifest(dir, 'mr-only', { inputs: { modalities: ['MR'] }, preprocessing: { layout: { kind: 'slice' } }, outputs: [segmentation()] }, thresholdModel(100));
    const analyzer = await createAnalyzer({ manifest });
    const verdict = applicabilityOf(analyzer, analysisInput(segPhantom, 'silent'));
    assert.equal(verdict.applicable, false);
    assert.match(verdict.reasons.join(), /is CT, not MR/);
    await assert.rejects(analyze(analyzer, segPhantom), (err: Error) => err instanceof PermanentJobError && /does not apply: .*is CT, not MR/.test(err.message));
  });

  it('fails permanently, naming the output, when the model lacks an output or a channel the manifest names', async () => {
    const noOutput = writeManifest(dir, 'no-output', { preprocessing: { layout: { kind: 'slice' } }, outputs: [segmentation({ name: 'probabilities' })] }, thresholdModel(100));
    await assert.rejects(analyze(await createAnalyzer({ manifest: noOutput }), segPhantom), (err: Error) => err instanceof PermanentJobError && /no output probabilities \(it has mask\)/.test(err.message));
    const noChannel = writeManifest(dir, 'no-channel', { preprocessing: { layout: { kind: 'slice' } }, outputs: [segmentation({ labels: [{ channel: 3, type: HAEMORRHAGE }] })] }, thresholdModel(100));
    await assert.rejects(analyze(await createAnalyzer({ manifest: noChannel }), segPhantom), (err: Error) => err instanceof PermanentJobError && /output mask: channel 3 named but the model gives 1/.test(err.message));
  });
});
