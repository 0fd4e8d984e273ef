import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sendFiles } from '../src/adapters/dimse/dimse-scu.js';
import { listAnalysisResults } from '../src/store/analysis-results.js';
import { writeCtStudy } from './support/head-ct-study.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';

/** The head CT analyzer as the hub runs it: registered from the configuration, approved, routed, in a worker thread, on a study sent by C-STORE. */

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MODULE_URL = new URL('../src/analyze/builtin/head-ct.ts', import.meta.url).href;

describe('head CT analyzer in the hub', () => {
  let hub: TestHub;
  const dir = tempDir();
  const http = async (method: string, route: string, body?: unknown) => {
    const r = await fetch(`${hub.url}${route}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  before(async () => {
    hub = await startTestHub({ analyzers: [{ url: MODULE_URL }], completion: { quietPeriodMs: 200, sweepIntervalMs: 60_000 }, jobs: { backoffBaseMs: 10, backoffMaxMs: 20 } });
  });
  after(async () => {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('analyzes the brain series of a head CT sent by C-STORE and records why the bone series does not apply', async () => {
    const approval = await http('PUT', '/api/analyzers/radbridge-head-ct/versions/1.0.0/approval', { approval: 'approved', reason: 'reference method for validation' });
    assert.equal(approval.status, 200, JSON.stringify(approval.body));
    const rules = { version: 1, rules: [{ id: 'head-ct', when: { classification: 'regions', in: ['head'] }, actions: [{ run: { analyzers: ['radbridge-head-ct'] } }], lane: 'urgent' }] };
    assert.equal((await http('PUT', '/api/rules', { document: rules, reason: 'head CT to the reference analyzer' })).status, 201);

    const study = writeCtStudy('trauma-ct-head', dir, { seed: 4, normal: false, matrix: 128 });
    const truth = study.findings.find((f) => f.type === 'intracranial-haemorrhage');
    const files = ['series-01', 'series-02'].flatMap((s) => readdirSync(path.join(dir, s)).map((f) => path.join(dir, s, f)));
    const target = { host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'CT_HEAD1', calledAeTitle: 'RADBRIDGE' };
    assert.equal((await sendFiles(target, files)).failures.length, 0);
    await wait(250);
    await hub.sweep();

    const end = Date.now() + 60_000;
    let results = await listAnalysisResults(hub.app.database.db, study.input.studyUid);
    while (results.length < 2 && Date.now() < end) {
      await wait(100);
      results = await listAnalysisResults(hub.app.database.db, study.input.studyUid);
    }
    assert.equal(results.length, 2, 'one result per head series');
    const brain = results.find((r) => r.seriesUids[0] === study.input.series[0]?.seriesUid);
    const bone = results.find((r) => r !== brain);
    assert.ok(brain && bone);
    assert.deepEqual([brain.analyzerId, brain.analyzerVersion, brain.applicability.applicable, brain.lane], ['radbridge-head-ct', '1.0.0', true, 'urgent']);
    const ich = brain.findings.filter((f) => f.type.value === '1386000');
    assert.equal(ich.length, 1);
    assert.equal(ich[0]?.laterality, truth?.side);
    assert.ok(Math.abs((ich[0]?.measurements[0]?.value ?? 0) - (truth?.volumeMl ?? 0)) <= 0.1 * (truth?.volumeMl ?? 0));
    assert.equal(ich[0]?.source.inputHash, brain.inputHash);
    assert.deepEqual(brain.findings.find((f) => f.type.value === 'midline-shift')?.presence, 'indeterminate');
    assert.equal(bone.applicability.applicable, false);
    assert.match(bone.applicability.reasons.join('; '), /bone kernel, not soft-tissue or unknown/);
    assert.deepEqual(bone.findings, []);
  });
});
