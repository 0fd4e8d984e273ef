import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listJobs } from '../src/store/job-queue.js';
import { missingTools, run } from './support/interop.js';
import { part10, pixels, rawObject } from './support/raw-dicom.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sendAs(hub: TestHub, aeTitle: string, seed: string, opts: { studyUid?: string } = {}) {
  const o = rawObject(seed, pixels(4, 4), opts);
  const file = path.join(tempDir(), 'o.dcm');
  writeFileSync(file, part10(o));
  const r = await run('storescu', ['-aet', aeTitle, '-aec', 'RADBRIDGE', '127.0.0.1', String(hub.dicomPort), file]);
  assert.equal(r.code, 0, r.stderr);
  return o;
}

async function seriesStatus(hub: TestHub, seriesUid: string): Promise<string> {
  return (await hub.app.database.db.selectFrom('series').select('status').where('series_uid', '=', seriesUid).executeTakeFirstOrThrow()).status;
}

describe('completion rules', { skip: missingTools('storescu') }, () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub({
      completion: {
        quietPeriodMs: 200,
        quietPeriodMsByCallingAe: { SLOW_CT: 60_000 },
        expectedSeries: [{ callingAeTitle: 'TRAUMA_CT', minSeries: 2, maxWaitMs: 60_000 }],
        sweepIntervalMs: 60_000,
      },
    });
  });
  after(async () => {
    await hub.stop();
  });

  it('waits longer for a sending AE with its own quiet period', async () => {
    const fast = await sendAs(hub, 'FAST_US', 'rules-fast');
    const slow = await sendAs(hub, 'SLOW_CT', 'rules-slow');
    await wait(300);
    await hub.sweep();
    assert.equal(await seriesStatus(hub, fast.seriesUid), 'complete');
    assert.equal(await seriesStatus(hub, slow.seriesUid), 'receiving');
  });

  it('holds a study open until its expected series have arrived', async () => {
    const first = await sendAs(hub, 'TRAUMA_CT', 'rules-trauma-1');
    await wait(300);
    await hub.sweep();
    assert.equal(await seriesStatus(hub, first.seriesUid), 'complete');
    const studyJobs = async () => (await listJobs(hub.app.database.db, 'study.complete')).filter((j) => JSON.stringify(j.payload).includes(first.studyUid));
    assert.equal((await studyJobs()).length, 0, 'one series of two: not complete yet');
    await sendAs(hub, 'TRAUMA_CT', 'rules-trauma-2', { studyUid: first.studyUid });
    await wait(300);
    await hub.sweep();
    const jobs = await studyJobs();
    assert.equal(jobs.length, 1);
    assert.deepEqual(jobs[0]?.payload, { studyUid: first.studyUid, generation: 1, amendment: false, seriesCount: 2, instanceCount: 2 });
  });
});

describe('health, status and metrics', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    await hub.stop();
  });

  it('answers /healthz, /api/status and Prometheus /metrics', async () => {
    const health = await fetch(`${hub.url}/healthz`);
    assert.deepEqual(await health.json(), { status: 'ok', database: 'sqlite' });
    const status = (await (await fetch(`${hub.url}/api/status`)).json()) as { index: { instances: number } };
    assert.equal(status.index.instances, 0);
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    assert.match(metrics, /^# TYPE radbridge_instances_received_total counter$/m);
    assert.match(metrics, /^radbridge_dimse_associations 0$/m);
  });
});
