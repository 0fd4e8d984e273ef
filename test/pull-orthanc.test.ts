import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyAuditChain } from '../src/store/audit-log.js';
import { freePort, missingTools } from './support/interop.js';
import { startOrthanc, type RunningOrthanc } from './support/orthanc.js';
import { uidFrom, writeCtSeries } from './support/synthetic-ct.js';
import { startTestHub, tempDir, type Overrides, type TestHub } from './support/test-hub.js';

const skip = missingTools('Orthanc', 'storescu');

interface JobView {
  id: number;
  kind: string;
  status: string;
  attempts: number;
  last_error: string | null;
  payload: { studyUid: string; requestedBy: string; reason?: string };
}

async function notify(hub: TestHub, studyUid: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${hub.url}/api/studies/${studyUid}/available`, {
    method: 'POST',
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function jobOf(hub: TestHub, id: unknown): Promise<JobView> {
  const response = await fetch(`${hub.url}/api/jobs/${String(id)}`);
  assert.equal(response.status, 200);
  return (await response.json()) as JobView;
}

/** Polls GET /api/jobs/{id} until the job has ended. */
async function jobEnded(hub: TestHub, id: unknown, timeoutMs = 20_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await jobOf(hub, id);
    if (job.status === 'done' || job.status === 'failed') return job;
    if (Date.now() > deadline) assert.fail(`job ${String(id)} still ${job.status} after ${timeoutMs} ms: ${job.last_error}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function pulledJob(hub: TestHub, studyUid: string): Promise<JobView> {
  const accepted = await notify(hub, studyUid);
  assert.equal(accepted.status, 202);
  assert.equal(accepted.body.studyUid, studyUid);
  return jobEnded(hub, accepted.body.jobId);
}

describe('pull mode: WADO-RS retrieval from Orthanc', { skip }, () => {
  let orthanc: RunningOrthanc;
  const hubs: TestHub[] = [];
  const series = writeCtSeries({ dir: tempDir(), count: 6, seed: 'pull-orthanc' });
  const startHub = async (overrides: Overrides) => {
    const hub = await startTestHub(overrides);
    hubs.push(hub);
    return hub;
  };

  before(async () => {
    orthanc = await startOrthanc();
    for (const file of series.files) {
      const response = await fetch(`${orthanc.restUrl}/instances`, { method: 'POST', body: readFileSync(file) });
      assert.equal(response.status, 200, await response.text());
    }
  });
  after(async () => {
    for (const hub of hubs) await hub.stop();
    await orthanc?.stop();
  });

  it('pulls a notified study: every instance indexed, pixel data unchanged, audited as received via pull', async () => {
    const hub = await startHub({ pull: { dicomwebUrl: orthanc.dicomwebUrl }, jobs: { pollIntervalMs: 50 } });
    const job = await pulledJob(hub, series.studyUid);
    assert.deepEqual({ kind: job.kind, status: job.status, attempts: job.attempts, last_error: job.last_error }, { kind: 'study.pull', status: 'done', attempts: 1, last_error: null });
    assert.equal(job.payload.studyUid, series.studyUid);
    const db = hub.app.database.db;
    const rows = await db.selectFrom('instances').selectAll().execute();
    assert.deepEqual(rows.map((r) => r.sop_instance_uid).sort(), [...series.sopInstanceUids].sort());
    for (const row of rows) {
      assert.equal(row.received_via, 'pull');
      const index = series.sopInstanceUids.indexOf(row.sop_instance_uid);
      const original = readFileSync(series.files[index] ?? '');
      const stored = readFileSync(path.join(hub.dataDir, row.file_path));
      assert.equal(row.pixel_data_length, 64 * 64 * 2);
      const offset = row.pixel_data_offset ?? -1;
      const pixels = stored.subarray(offset, offset + 64 * 64 * 2);
      assert.ok(pixels.equals(original.subarray(original.length - pixels.length)), `pixel data of ${row.sop_instance_uid} unchanged`);
    }
    const audit = await db.selectFrom('audit_log').selectAll().where('event_type', '=', 'instance.received').execute();
    assert.equal(audit.length, series.files.length);
    for (const a of audit) {
      assert.equal((JSON.parse(a.detail) as { via: string }).via, 'pull');
      assert.equal(a.source, orthanc.restUrl);
      assert.equal(a.study_uid, series.studyUid);
    }

    const again = await pulledJob(hub, series.studyUid);
    assert.notEqual(again.id, job.id, 'a notification after the pull ended pulls again');
    assert.equal(again.status, 'done');
    assert.equal(await db.selectFrom('instances').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n)), series.files.length);
    const duplicates = await db.selectFrom('audit_log').select('detail').where('event_type', '=', 'instance.duplicate-identical').execute();
    assert.equal(duplicates.length, series.files.length);
    assert.ok(duplicates.every((d) => (JSON.parse(d.detail) as { via: string }).via === 'pull'));
    const chain = await verifyAuditChain(db);
    assert.equal(chain.ok, true);
  });

  it('joins repeated notifications to the pull that has not started yet', async () => {
    const hub = await startHub({ pull: { dicomwebUrl: orthanc.dicomwebUrl }, jobs: { concurrency: 0 } });
    const first = await notify(hub, series.studyUid, { reason: 'CT finished' });
    const second = await notify(hub, series.studyUid);
    assert.equal(first.status, 202);
    assert.equal(second.status, 202);
    assert.equal(second.body.jobId, first.body.jobId);
    const other = await notify(hub, uidFrom('another study'));
    assert.notEqual(other.body.jobId, first.body.jobId);
    const job = await jobOf(hub, first.body.jobId);
    assert.deepEqual({ status: job.status, attempts: job.attempts, reason: job.payload.reason }, { status: 'pending', attempts: 0, reason: 'CT finished' });
    assert.equal(job.payload.requestedBy, '127.0.0.1');
  });

  it('fails a study the PACS does not hold at once, naming not-found', async () => {
    const hub = await startHub({ pull: { dicomwebUrl: orthanc.dicomwebUrl }, jobs: { pollIntervalMs: 50 } });
    const job = await pulledJob(hub, uidFrom('never sent to orthanc'));
    assert.equal(job.status, 'failed');
    assert.equal(job.attempts, 1, 'not found is permanent: no retry');
    assert.match(job.last_error ?? '', /study not found on the PACS/);
  });

  it('fails after retries when nothing listens at the PACS URL', async () => {
    const port = await freePort();
    const hub = await startHub({ pull: { dicomwebUrl: `http://127.0.0.1:${port}/dicom-web` }, jobs: { pollIntervalMs: 20, backoffBaseMs: 20 } });
    const job = await pulledJob(hub, series.studyUid);
    assert.equal(job.status, 'failed');
    assert.equal(job.attempts, 3);
    assert.match(job.last_error ?? '', new RegExp(`127\\.0\\.0\\.1:${port}: connection refused .*gave up after 3 attempts`));
  });

  it('fails the job, naming the refusals, when the hub refuses the instances', async () => {
    const hub = await startHub({ pull: { dicomwebUrl: orthanc.dicomwebUrl }, jobs: { pollIntervalMs: 50 }, limits: { maxRows: 32 } });
    const job = await pulledJob(hub, series.studyUid);
    assert.equal(job.status, 'failed');
    assert.equal(job.last_error, `the hub refused ${series.files.length} instance(s) of the study (DICOM_LIMIT_EXCEEDED x${series.files.length}); stored 0, duplicates 0`);
    const rejected = await hub.app.database.db.selectFrom('audit_log').select('detail').where('event_type', '=', 'object.rejected').execute();
    assert.equal(rejected.length, series.files.length);
  });

  it('answers 400 for a malformed UID or body and 404 for an unknown job', async () => {
    const hub = await startHub({ pull: { dicomwebUrl: orthanc.dicomwebUrl }, jobs: { pollIntervalMs: 50 } });
    for (const uid of ['abc', '1..2', '1.2.', `1.${'2'.repeat(63)}`]) {
      const r = await notify(hub, uid);
      assert.equal(r.status, 400, uid);
      assert.equal(r.body.error, 'BAD_REQUEST');
    }
    const badBody = await fetch(`${hub.url}/api/studies/1.2.3/available`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":' });
    assert.equal(badBody.status, 400);
    assert.equal(((await badBody.json()) as { error: string }).error, 'BAD_REQUEST');
    assert.equal((await notify(hub, '1.2.3', { reason: 42 })).status, 400);
    const missing = await fetch(`${hub.url}/api/jobs/987654`);
    assert.equal(missing.status, 404);
    assert.equal((await fetch(`${hub.url}/api/jobs/x1`)).status, 400);
    assert.equal(await hub.app.database.db.selectFrom('jobs').selectAll().executeTakeFirst(), undefined, 'nothing was queued');
  });

  it('refuses notifications clearly when no PACS is configured', async () => {
    const hub = await startHub({});
    const r = await notify(hub, series.studyUid);
    assert.equal(r.status, 503);
    assert.equal(r.body.error, 'PULL_NOT_CONFIGURED');
    assert.match(String(r.body.message), /pull\.dicomwebUrl/);
  });
});
