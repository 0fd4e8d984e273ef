import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sendFiles } from '../src/adapters/dimse/dimse-scu.js';
import { listAnalysisResults } from '../src/store/analysis-results.js';
import { startKServeV2Peer, type KServeV2Peer } from './support/kserve-v2-peer.js';
import { BRAIN, HAEMORRHAGE, scratchDir, writeManifest } from './support/model-manifests.js';
import { thresholdModel } from './support/onnx-models.js';
import { writePhantom } from './support/phantom-series.js';
import { startTestHub, type TestHub } from './support/test-hub.js';

/**
 * A model through the whole hub: registered from the configuration, approved, routed, run by
 * ONNX Runtime in an analyzer worker thread, and the same model on a KServe v2 server, which is
 * given de-identified copies; both results land on the original series.
 */

const ONNX_ANALYZER = new URL('../src/analyze/onnx/onnx-analyzer.ts', import.meta.url).href;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a model analyzer in the hub', () => {
  const dir = scratchDir('radbridge-model-hub-');
  const model = thresholdModel(100);
  const manifest = {
    inputs: { modalities: ['CT'] },
    preprocessing: { layout: { kind: 'slice' } },
    outputs: [{ kind: 'segmentation', name: 'mask', method: 'threshold', threshold: 0.5, labels: [{ channel: 0, type: HAEMORRHAGE, site: BRAIN }] }],
  };
  // 24 x 24 x 6 voxels of 1 x 1 x 2 mm, soft tissue with one 4 x 4 x 3 dense block on the patient's left.
  const phantom = writePhantom({
    dir: `${dir}/series`,
    seed: 'model-in-hub',
    dims: [24, 24, 6],
    spacing: [1, 1, 2],
    origin: [-11.5, -11.5, 0],
    hu: (i, j, k) => (i >= 16 && i <= 19 && j >= 8 && j <= 11 && k >= 1 && k <= 3 ? 250 : 20),
  });
  let peer: KServeV2Peer;
  let hub: TestHub;
  const send = async (method: string, path: string, body: unknown) => {
    const r = await fetch(`${hub.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  before(async () => {
    peer = await startKServeV2Peer({ 'dense-block': model });
    const local = writeManifest(dir, 'dense-block', manifest, model);
    const remote = writeManifest(dir, 'dense-block-remote', { ...manifest, remote: { url: peer.url, model: 'dense-block', version: '1' } }, model);
    hub = await startTestHub({
      completion: { quietPeriodMs: 200, sweepIntervalMs: 60_000 },
      analyzers: [
        { url: ONNX_ANALYZER, options: { manifest: local } },
        { url: ONNX_ANALYZER, options: { manifest: remote } },
      ],
    });
    for (const id of ['dense-block', 'dense-block-remote']) {
      const r = await send('PUT', `/api/analyzers/${id}/versions/1.0.0/approval`, { approval: 'approved', reason: 'validated' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    const rules = { version: 1, rules: [{ id: 'ct', when: { attribute: 'Modality', equals: 'CT' }, actions: [{ run: { analyzers: ['dense-block', 'dense-block-remote'] } }] }] };
    assert.equal((await send('PUT', '/api/rules', { document: rules, reason: 'model drill' })).status, 201);
  });
  after(async () => {
    await hub.stop();
    await peer.close();
  });

  it('finds the block with its volume and side, locally and on the server, on the original series', async () => {
    const sent = await sendFiles({ host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'CT1', calledAeTitle: 'RADBRIDGE' }, phantom.series.instances.map((i) => i.file));
    assert.deepEqual(sent.failures, []);
    await wait(250);
    await hub.sweep();
    let results = await listAnalysisResults(hub.app.database.db, phantom.studyUid);
    for (const end = Date.now() + 60_000; results.length < 2 && Date.now() < end; await wait(100)) results = await listAnalysisResults(hub.app.database.db, phantom.studyUid);
    assert.deepEqual(results.map((r) => r.analyzerId).sort(), ['dense-block', 'dense-block-remote']);
    const summary = results.map((r) => ({
      analyzer: r.analyzerId,
      modelHash: r.modelHash,
      findings: r.findings.map((f) => ({ type: f.type.value, side: f.laterality, mL: f.measurements[0]?.value, series: f.mask?.seriesUid, image: f.location?.images[0]?.seriesUid })),
    }));
    const expected = [{ type: HAEMORRHAGE.value, side: 'left', mL: (4 * 4 * 3 * 2) / 1000, series: phantom.series.seriesUid, image: phantom.series.seriesUid }];
    for (const s of summary) assert.deepEqual(s.findings, expected, s.analyzer);
    assert.equal(summary[0]?.modelHash, summary[1]?.modelHash);
    assert.match(summary[0]?.modelHash ?? '', /^[0-9a-f]{64}$/);
    assert.ok(peer.requests > 0, 'the server was asked');
    const exported = await hub.app.database.db.selectFrom('audit_log').select('detail').where('event_type', '=', 'instances.deidentified-for-remote').execute();
    assert.deepEqual(exported.map((e) => (JSON.parse(e.detail ?? '{}') as { analyzer: string }).analyzer), ['dense-block-remote@1.0.0']);
  });
});
