import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Analyzer } from '../src/analyze/analyzer.js';
import { InferenceServerUnavailable } from '../src/analyze/onnx/kserve-v2-executor.js';
import { createAnalyzer } from '../src/analyze/onnx/onnx-analyzer.js';
import type { Finding } from '../src/domain/finding.js';
import { PermanentJobError } from '../src/jobs/job-engine.js';
import { startKServeV2Peer, type KServeV2Peer } from './support/kserve-v2-peer.js';
import { FRACTURE, HAEMORRHAGE, scratchDir, writeManifest } from './support/model-manifests.js';
import { meanSigmoidClassifier, thresholdModel } from './support/onnx-models.js';
import { analysisInput, writePhantom, type Phantom } from './support/phantom-series.js';

const dir = scratchDir('radbridge-kserve-');
const segModel = thresholdModel(100);
const clsModel = meanSigmoidClassifier();

const phantom = writePhantom({
  dir: path.join(dir, 'ct'), seed: 'kserve', dims: [24, 20, 10], spacing: [0.9, 0.9, 3], origin: [-10.35, -8.55, 40],
  hu: (i, j, k) => (i >= 3 && i <= 7 && j >= 4 && j <= 9 && k >= 2 && k <= 5 ? 250 : i >= 15 && i <= 20 && j >= 12 && j <= 15 && k >= 6 && k <= 8 ? 180 : 30 + 10 * k),
});

const seg = {
  id: 'seg', preprocessing: { layout: { kind: 'patch', size: [12, 10, 4], overlap: [2, 2, 1] } },
  outputs: [{ kind: 'segmentation', name: 'mask', method: 'threshold', threshold: 0.5, labels: [{ channel: 0, type: HAEMORRHAGE }] }],
};
const cls = {
  id: 'cls', preprocessing: { normalise: { kind: 'zscore', mean: 0, std: 100 }, layout: { kind: 'slice', batch: 4 } },
  outputs: [{ kind: 'classification', name: 'score', labels: [{ index: 0, type: FRACTURE, threshold: { silent: 0.1, assistive: 0.7, active: 0.9 } }] }],
};

const run = async (analyzer: Analyzer, p: Phantom, mode: 'silent' | 'assistive' | 'active' = 'assistive'): Promise<Finding[]> =>
  (await analyzer.analyze(analysisInput(p, mode), new AbortController().signal)).findings;

describe('KServe v2 remote inference', () => {
  let peer: KServeV2Peer;
  before(async () => {
    peer = await startKServeV2Peer({ seg: segModel, cls: clsModel });
  });
  after(async () => {
    await peer.close();
  });

  it('gives the same findings as the same model run locally, segmentation by patches and classification by batches', async () => {
    for (const [name, manifest, model] of [['seg', seg, segModel], ['cls', cls, clsModel]] as const) {
      const local = await createAnalyzer({ manifest: writeManifest(dir, `${name}-local`, manifest, model) });
      const remote = await createAnalyzer({ manifest: writeManifest(dir, `${name}-remote`, { ...manifest, remote: { url: peer.url, model: name, version: '1' } }, model) });
      assert.equal(remote.description.modelHash, local.description.modelHash);
      const before = peer.requests;
      const expected = await run(local, phantom);
      assert.ok(expected.some((f) => f.presence === 'present'), `${name}: the local model finds something`);
      assert.deepEqual(await run(remote, phantom), expected, name);
      assert.ok(peer.requests > before, `${name}: the remote analyzer asked the server`);
    }
  });

  it('says which input to feed from the model metadata when the manifest names none', async () => {
    const remote = await createAnalyzer({ manifest: writeManifest(dir, 'seg-unversioned', { ...seg, remote: { url: `${peer.url}/`, model: 'seg' } }, segModel) });
    const [first] = await run(remote, phantom);
    assert.equal(first?.presence, 'present');
  });

  it('fails permanently on a 400, naming the server, the model and the server\'s reason', async () => {
    const wrongRank = { ...cls, preprocessing: { layout: { kind: 'patch', size: [8, 8, 4] } }, remote: { url: peer.url, model: 'cls' } };
    const remote = await createAnalyzer({ manifest: writeManifest(dir, 'cls-400', wrongRank, clsModel) });
    await assert.rejects(run(remote, phantom), (err: Error) => {
      assert.ok(err instanceof PermanentJobError, String(err));
      assert.match(err.message, new RegExp(`KServe v2 server ${peer.url} model cls refused POST /v2/models/cls/infer: HTTP 400: inference failed: .*rank`, 'i'));
      return true;
    });
  });

  it('fails permanently on a model the server does not serve or an output it lacks', async () => {
    const unknown = await createAnalyzer({ manifest: writeManifest(dir, 'unknown', { ...seg, remote: { url: peer.url, model: 'nothing', version: '3' } }, segModel) });
    await assert.rejects(run(unknown, phantom), (err: Error) => err instanceof PermanentJobError && err.message.includes(`KServe v2 server ${peer.url} model nothing version 3 refused GET /v2/models/nothing/versions/3: HTTP 404: model nothing version 3 is not served here`));
    const lacking = await createAnalyzer({ manifest: writeManifest(dir, 'lacking', { ...seg, outputs: [{ ...seg.outputs[0], name: 'probabilities' }], remote: { url: peer.url, model: 'seg' } }, segModel) });
    await assert.rejects(run(lacking, phantom), (err: Error) => err instanceof PermanentJobError && /model seg has no output probabilities \(it serves mask\)/.test(err.message));
  });

  it('fails transiently (retried) while the server is not ready or answers 503, and works again once it is ready', async () => {
    const remote = await createAnalyzer({ manifest: writeManifest(dir, 'cls-503', { ...cls, remote: { url: peer.url, model: 'cls' } }, clsModel) });
    const transient = (pattern: RegExp) => (err: Error) => {
      assert.ok(err instanceof InferenceServerUnavailable && !(err instanceof PermanentJobError), String(err));
      assert.match(err.message, pattern);
      return true;
    };
    peer.setReady(false);
    try {
      await assert.rejects(run(remote, phantom), transient(new RegExp(`^KServe v2 server ${peer.url} model cls is not ready: GET /v2/health/ready answered HTTP 503: the server is not ready$`)));
      peer.setReady(true);
      assert.equal((await run(remote, phantom))[0]?.presence, 'present');
      peer.setReady(false);
      await assert.rejects(run(remote, phantom), transient(new RegExp(`^KServe v2 server ${peer.url} model cls failed POST /v2/models/cls/infer: HTTP 503: model cls is not ready$`)));
    } finally {
      peer.setReady(true);
    }
    assert.equal((await run(remote, phantom))[0]?.presence, 'present');
  });
});

describe('KServe v2 server that is down', () => {
  it('fails transiently with connection refused, naming the server and the model', async () => {
    const gone = await startKServeV2Peer({ seg: segModel });
    const url = gone.url;
    await gone.close();
    const remote = await createAnalyzer({ manifest: writeManifest(dir, 'down', { ...seg, remote: { url, model: 'seg' } }, segModel) });
    await assert.rejects(run(remote, phantom), (err: Error) => {
      assert.ok(err instanceof InferenceServerUnavailable, String(err));
      assert.equal(err.message, `KServe v2 server ${url} model seg: GET /v2/health/ready failed: cannot reach the server (ECONNREFUSED)`);
      return true;
    });
  });
});
