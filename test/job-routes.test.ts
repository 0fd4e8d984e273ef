import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { enqueueJob } from '../src/store/job-queue.js';
import { run } from './support/interop.js';
import { startTestHub, type TestHub } from './support/test-hub.js';

const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/radbridge.ts', ...args], { timeoutMs: 30_000 });

describe('job routes and the jobs command', () => {
  let hub: TestHub;
  let deadId = 0;
  let doneId = 0;
  before(async () => {
    hub = await startTestHub({ jobs: { concurrency: 0 } });
    const db = hub.app.database.db;
    const now = Date.now();
    await enqueueJob(db, 'job.probe', { label: 'dead' }, 'routes/dead', now);
    await enqueueJob(db, 'job.probe', { label: 'done' }, 'routes/done', now);
    const rows = await db.selectFrom('jobs').select(['id', 'idempotency_key']).orderBy('id').execute();
    deadId = rows.find((r) => r.idempotency_key === 'routes/dead')?.id ?? 0;
    doneId = rows.find((r) => r.idempotency_key === 'routes/done')?.id ?? 0;
    await db.updateTable('jobs').set({ status: 'failed', attempts: 5, last_error: 'the PACS answered HTTP 503 (gave up after 5 attempts)', dead_lettered_at: now }).where('id', '=', deadId).execute();
    await db.updateTable('jobs').set({ status: 'done', attempts: 1 }).where('id', '=', doneId).execute();
  });
  after(async () => {
    await hub.stop();
  });

  const status = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${hub.url}${path}`, init);
    return { status: response.status, body: (await response.json()) as { error?: string; message?: string; status?: string; jobs?: Array<{ id: number }> } };
  };
  const post = (path: string, body: string) => status(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('filters the list by status and kind, newest first, with a limit', async () => {
    assert.deepEqual((await status('/api/jobs?status=failed')).body.jobs?.map((j) => j.id), [deadId]);
    assert.deepEqual((await status('/api/jobs?kind=job.probe')).body.jobs?.map((j) => j.id), [doneId, deadId]);
    assert.deepEqual((await status('/api/jobs?kind=study.pull')).body.jobs, []);
    assert.equal((await status('/api/jobs?limit=1')).body.jobs?.length, 1);
  });

  it('answers 400 for a bad status, kind, limit or unknown parameter', async () => {
    for (const query of ['status=dead', 'status=failed&status=done', 'kind=DROP%20TABLE', `kind=${'k'.repeat(80)}`, 'limit=0', 'limit=1001', 'limit=ten', 'stauts=failed']) {
      const r = await status(`/api/jobs?${query}`);
      assert.equal(r.status, 400, query);
      assert.equal(r.body.error, 'BAD_REQUEST', query);
    }
  });

  it('answers 400 for a bad job id or body, 404 for an unknown job, 409 for a job not dead-lettered', async () => {
    assert.equal((await status('/api/jobs/x1')).status, 400);
    assert.equal((await post('/api/jobs/-1/retry', '{}')).status, 400);
    for (const body of ['{"reason":', '"retry"', '{"reason":42}', JSON.stringify({ reason: 'r'.repeat(2000) })]) {
      const r = await post(`/api/jobs/${deadId}/retry`, body);
      assert.equal(r.status, 400, body);
      assert.equal(r.body.error, 'BAD_REQUEST', body);
    }
    const missing = await post('/api/jobs/987654/retry', '{}');
    assert.deepEqual([missing.status, missing.body.error], [404, 'NOT_FOUND']);
    const done = await post(`/api/jobs/${doneId}/retry`, '{}');
    assert.deepEqual([done.status, done.body.error], [409, 'JOB_NOT_DEAD_LETTERED']);
    assert.equal((await status(`/api/jobs/${deadId}`)).body.status, 'failed', 'the dead letter is untouched');
  });

  it('lists dead letters and retries one from the command line', async () => {
    const listed = await cli('jobs', 'list', '--status', 'failed', '--url', hub.url);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout.trim(), `${deadId}\tjob.probe\tfailed\t5/5\tthe PACS answered HTTP 503 (gave up after 5 attempts)`);
    const retried = await cli('jobs', 'retry', String(deadId), '--reason', 'PACS back', '--url', hub.url);
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, new RegExp(`job ${deadId} queued again`));
    const job = await hub.app.database.db.selectFrom('jobs').select(['status', 'attempts']).where('id', '=', deadId).executeTakeFirstOrThrow();
    assert.deepEqual(job, { status: 'pending', attempts: 0 });
    const again = await cli('jobs', 'retry', String(deadId), '--url', hub.url);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /JOB_NOT_DEAD_LETTERED: job \d+ is pending/);
    assert.equal((await cli('jobs', 'list', '--status', 'failed', '--url', hub.url)).stdout.trim(), 'no jobs');
  });
});
