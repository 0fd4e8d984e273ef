import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sendFiles } from '../src/adapters/dimse/dimse-scu.js';
import { PNEUMOTHORAX } from '../src/analyze/builtin/chest-findings.js';
import { listAnalysisResults } from '../src/store/analysis-results.js';
import { synthStudy } from '../src/synth/synth-study.js';
import { writeStudy } from '../src/synth/write-study.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';
import { until } from './support/until.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';
import path from 'node:path';

/**
 * The chest CT analyzer as the hub runs it: registered from its module, approved, routed, in a
 * worker thread; in assistive mode its (critical) pneumothorax is shown but raises no alert.
 */

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('chest CT analyzer in the hub', () => {
  let hub: TestHub;
  let pager: WebhookReceiver;
  const studyDir = tempDir('radbridge-chest-hub-');
  const http = async (method: string, route: string, body: unknown) => {
    const r = await fetch(`${hub.url}${route}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  before(async () => {
    pager = await startWebhookReceiver();
    writeFileSync(path.join(studyDir, 'pager.secret'), pager.secret);
    const steps = [{ contacts: [{ webhook: 'pager' }], escalateAfterMs: 60_000 }];
    hub = await startTestHub({
      analyzers: [{ url: new URL('../src/analyze/builtin/chest-ct.ts', import.meta.url).href }],
      completion: { quietPeriodMs: 200, sweepIntervalMs: 60_000 },
      webhooks: { endpoints: { pager: { url: pager.url, secretFile: path.join(studyDir, 'pager.secret') } } },
      alerts: { critical: { steps }, urgent: { steps } },
    });
  });
  after(async () => {
    await hub.stop();
    await pager.close();
    rmSync(studyDir, { recursive: true, force: true });
  });

  it('runs on a chest CT sent by C-STORE and stores its findings', async () => {
    const approval = await http('PUT', '/api/analyzers/radbridge-chest-ct/versions/1.0.0/approval', { approval: 'approved', reason: 'reference method for tests' });
    assert.equal(approval.status, 200, JSON.stringify(approval.body));
    assert.equal((await http('PUT', '/api/analyzers/radbridge-chest-ct/mode', { mode: 'assistive', reason: 'shown, not yet trusted to reprioritize' })).status, 200);
    const rules = { version: 1, rules: [{ id: 'chest', when: { classification: 'regions', in: ['chest'] }, actions: [{ run: { analyzers: ['radbridge-chest-ct'] } }] }] };
    assert.equal((await http('PUT', '/api/rules', { document: rules, reason: 'chest CT' })).status, 201);
    const study = synthStudy('trauma-ct-chest', { seed: 2, matrix: 128, normal: false, sliceThicknessMm: 10 });
    writeStudy(study, studyDir);
    const series = study.groundTruth.series[0];
    assert.ok(series);
    const target = { host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'CT_TRAUMA1', calledAeTitle: 'RADBRIDGE' };
    assert.equal((await sendFiles(target, series.files.map((f) => path.join(studyDir, f)))).failures.length, 0);
    await wait(250);
    await hub.sweep();
    let results = await listAnalysisResults(hub.app.database.db, study.groundTruth.studyInstanceUid);
    for (let tries = 0; results.length === 0 && tries < 1200; tries++) {
      await wait(50);
      results = await listAnalysisResults(hub.app.database.db, study.groundTruth.studyInstanceUid);
    }
    assert.equal(results.length, 1);
    const [result] = results;
    assert.equal(result?.analyzerId, 'radbridge-chest-ct');
    assert.equal(result?.applicability.applicable, true);
    const ptx = result?.findings.find((f) => f.type.value === PNEUMOTHORAX.value && f.presence === 'present');
    assert.equal(ptx?.laterality, study.groundTruth.findings.find((f) => f.type === 'pneumothorax')?.side);
    assert.equal(ptx?.source.inputHash, result?.inputHash);
    assert.equal(ptx?.mask?.seriesUid, series.seriesInstanceUid);

    const published = await until('the result published', async () => {
      const r = await fetch(`${hub.url}/api/jobs?kind=results.publish`);
      const jobs = ((await r.json()) as { jobs: Array<{ status: string }> }).jobs;
      return jobs.length > 0 && jobs.every((j) => j.status === 'done') ? jobs : undefined;
    }, 60_000);
    assert.equal(published.length, 1);
    const alerts = (await (await fetch(`${hub.url}/api/alerts`)).json()) as { alerts: unknown[] };
    assert.deepEqual(alerts.alerts, [], 'an assistive result shows its critical pneumothorax but raises no alert');
    const raised = (await (await fetch(`${hub.url}/api/jobs?kind=alert.raise`)).json()) as { jobs: unknown[] };
    assert.deepEqual(raised.jobs, []);
    assert.equal(pager.deliveries.length, 0);
  });
});
