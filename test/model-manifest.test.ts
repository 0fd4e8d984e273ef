import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { connectedComponents } from '../src/imaging/connected-components.js';
import { validateManifest } from '../src/analyze/onnx/manifest-file.js';
import { createAnalyzer } from '../src/analyze/onnx/onnx-analyzer.js';
import { axisStarts, planTiles } from '../src/analyze/onnx/tiling.js';
import { RadbridgeError } from '../src/domain/errors.js';
import { thresholdModel } from './support/onnx-models.js';
import { HAEMORRHAGE, scratchDir, writeManifest } from './support/model-manifests.js';

const dir = scratchDir('radbridge-manifest-');
const model = thresholdModel(100);
const good = {
  preprocessing: { layout: { kind: 'slice' } },
  outputs: [{ kind: 'segmentation', name: 'mask', method: 'threshold', threshold: 0.5, labels: [{ channel: 0, type: HAEMORRHAGE }] }],
};

/** Loading `manifest` (beside the threshold model, or none for null) fails with MODEL_MANIFEST_INVALID whose issues include each of `expected` (path: message fragments). */
async function refused(name: string, manifest: Record<string, unknown>, expected: RegExp[], bytes: Uint8Array | null = model): Promise<string[]> {
  const file = writeManifest(dir, name, manifest, bytes ?? undefined);
  let issues: string[] = [];
  await assert.rejects(createAnalyzer({ manifest: file }), (err: unknown) => {
    assert.ok(err instanceof RadbridgeError, String(err));
    assert.equal(err.code, 'MODEL_MANIFEST_INVALID');
    assert.ok(err.message.includes(file), 'the message names the manifest');
    issues = [...err.issues];
    return true;
  });
  for (const pattern of expected) assert.ok(issues.some((i) => pattern.test(i)), `no issue matching ${pattern} in ${JSON.stringify(issues)}`);
  return issues;
}

describe('model manifests', () => {
  it('loads a good manifest (the baseline every bad one differs from)', async () => {
    const analyzer = await createAnalyzer({ manifest: writeManifest(dir, 'good', good, model) });
    assert.equal(analyzer.description.id, 'good');
  });

  it('reports every problem at once, each with its path', async () => {
    const issues = await refused('many', {
      id: 'Not An Id', intendedUse: '', inputs: { modalities: [] },
      preprocessing: { layout: { kind: 'cube' } },
      outputs: [{ kind: 'segmentation', name: 'mask', method: 'threshold', labels: [{ channel: -1, type: { scheme: 'SCT', value: 'haemorrhage', meaning: 'x' } }] }],
    }, [/^id: /, /^intendedUse: /, /^inputs\.modalities: /, /^preprocessing\.layout\.kind: /, /^outputs\[0\]\.labels\[0\]\.channel: /, /^outputs\[0\]\.labels\[0\]\.type\.value: a SNOMED CT/]);
    assert.ok(issues.length >= 6);
  });

  it('refuses text that is not YAML or JSON, and a manifest that cannot be read', async () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, 'id: [unclosed\n');
    await assert.rejects(createAnalyzer({ manifest: file }), /model manifest .*broken\.yaml is invalid: \(root\): not YAML or JSON/);
    await assert.rejects(createAnalyzer({ manifest: path.join(dir, 'missing.yaml') }), /model manifest .*missing\.yaml cannot be read: ENOENT/);
    await assert.rejects(createAnalyzer({ manifest: '' }), /the ONNX analyzer takes \{ manifest: path \}/);
  });

  it('refuses preprocessing that cannot work: [0, 1] without a window, an even slab, overlap above half a patch, no spacing', async () => {
    await refused('unit-no-window', { ...good, preprocessing: { normalise: { kind: 'unit' }, layout: { kind: 'slice' } } }, [/^preprocessing\.normalise: scaling to \[0, 1\] needs a window/]);
    await refused('even-slab', { ...good, preprocessing: { layout: { kind: 'slab', slices: 4 } } }, [/^preprocessing\.layout\.slices: must be odd/]);
    await refused('overlap', { ...good, preprocessing: { layout: { kind: 'patch', size: [8, 8, 4], overlap: [5, 0, 0] } } }, [/^preprocessing\.layout\.overlap: overlap must be at most half/]);
    await refused('spacing', { ...good, preprocessing: { spacing: [1, 0, 1], layout: { kind: 'slice' } } }, [/^preprocessing\.spacing\[1\]: must be above 0/]);
    await refused('zscore-std', { ...good, preprocessing: { normalise: { kind: 'zscore', mean: 0, std: 0 }, layout: { kind: 'slice' } } }, [/^preprocessing\.normalise\.std: must be above 0/]);
  });

  it('refuses output decoding that cannot work: no threshold, a threshold outside 0..1, a mode missing, a duplicate output, batched boxes', async () => {
    await refused('no-threshold', { ...good, outputs: [{ kind: 'segmentation', name: 'mask', method: 'threshold', labels: [{ channel: 0, type: HAEMORRHAGE }] }] }, [/^outputs\[0\]\.threshold: method threshold needs a threshold/]);
    const classification = (threshold: unknown) => ({ kind: 'classification', name: 'score', labels: [{ index: 0, type: HAEMORRHAGE, threshold }] });
    await refused('threshold-range', { ...good, outputs: [classification(1.5)] }, [/^outputs\[0\]\.labels\[0\]\.threshold/]);
    await refused('threshold-mode', { ...good, outputs: [classification({ silent: 0.5, assistive: 0.6 })] }, [/^outputs\[0\]\.labels\[0\]\.threshold/]);
    await refused('duplicate', { ...good, outputs: [classification(0.5), classification(0.6)] }, [/^outputs\[1\]\.name: output "score" is decoded twice/]);
    await refused('batched-boxes', { preprocessing: { layout: { kind: 'slice', batch: 4 } }, outputs: [{ kind: 'boxes', name: 'b', labels: [{ class: 0, type: HAEMORRHAGE, threshold: 0.5 }] }] }, [/^outputs\[0\]\.kind: box outputs need preprocessing\.layout\.batch 1/]);
    await refused('radlex', { ...good, outputs: [{ ...classification(0.5), labels: [{ index: 0, type: { scheme: 'RADLEX', value: '12345', meaning: 'x' }, threshold: 0.5 }] }] }, [/^outputs\[0\]\.labels\[0\]\.type\.value: a RadLex code value is RID/]);
  });

  it('refuses a model file that is missing or does not match modelSha256, and a remote model without either', async () => {
    await refused('no-file', { ...good, model: 'absent.onnx' }, [/^model: the model file .*absent\.onnx cannot be read/], null);
    await refused('bad-hash', { ...good, modelSha256: '0'.repeat(64) }, [/^modelSha256: the manifest says 0{64} but .* hashes to [0-9a-f]{64}/]);
    await refused('remote-nothing', { ...good, remote: { url: 'http://127.0.0.1:9/', model: 'seg' } }, [/^model: name the model file, or for a remote model give modelSha256/], null);
    await refused('remote-url', { ...good, remote: { url: 'ftp://server/', model: 'seg model' } }, [/^remote\.url: an http\(s\) URL/, /^remote\.model: a model name/]);
  });

  it('describes a remote model from modelSha256 alone', async () => {
    const hash = 'a'.repeat(64);
    const analyzer = await createAnalyzer({ manifest: writeManifest(dir, 'remote-only', { ...good, modelSha256: hash, remote: { url: 'http://127.0.0.1:9/', model: 'seg' } }) });
    assert.equal(analyzer.description.modelHash, hash);
  });
});

describe('tiling and connected components', () => {
  it('tiles an axis with the stride size - overlap and ends the last patch at the edge', () => {
    assert.deepEqual(axisStarts(40, 16, 4), [0, 12, 24]);
    assert.deepEqual(axisStarts(41, 16, 4), [0, 12, 24, 25]);
    assert.deepEqual(axisStarts(10, 16, 4), [0]);
    assert.deepEqual(axisStarts(16, 16, 0), [0]);
    assert.equal(planTiles([40, 32, 12], { kind: 'patch', size: [16, 12, 5], overlap: [4, 3, 2] }).length, 3 * 4 * 4);
    assert.equal(planTiles([40, 32, 12], { kind: 'slice', batch: 1 }).length, 12);
  });

  it('joins voxels touching at a corner only with 26-connectivity', () => {
    const dims: [number, number, number] = [3, 3, 2];
    const grid = new Uint8Array(18);
    grid[0] = 1;
    grid[1 + 3 * (1 + 3 * 1)] = 1;
    grid[2] = 1;
    const six = connectedComponents(grid, dims, 1, 6);
    assert.deepEqual(six.map((c) => c.voxels), [1, 1, 1]);
    const all = connectedComponents(grid, dims, 1, 26);
    assert.deepEqual(all.map((c) => c.voxels), [3]);
    assert.deepEqual(all[0]?.runs, [0, 1, 1, 1, 10, 1]);
    assert.deepEqual(all[0]?.min, [0, 0, 0]);
    assert.deepEqual(all[0]?.max, [2, 1, 1]);
    assert.deepEqual(all[0]?.centroid, [1, 1 / 3, 1 / 3]);
  });
});

describe('the documented example manifest', () => {
  it('validates', () => {
    const text = readFileSync(new URL('../docs/model-manifest-example.yaml', import.meta.url), 'utf8');
    const manifest = validateManifest(parseYaml(text), 'docs/model-manifest-example.yaml');
    assert.deepEqual(manifest.outputs.map((o) => o.kind), ['classification', 'segmentation']);
    assert.deepEqual(manifest.preprocessing.layout, { kind: 'slab', slices: 3, batch: 8 });
  });
});
