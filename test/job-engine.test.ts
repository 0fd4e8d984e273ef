import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { retryDelayMs } from '../src/jobs/backoff.js';
import { PermanentJobError, startJobEngine, type JobEngine, type JobEngineOptions, type JobHandler } from '../src/jobs/job-engine.js';
import { listEffects, recordEffectOnce } from '../src/store/job-effects.js';
import { runAttempt } from '../src/jobs/job-attempt.js';
import { createJobMetrics } from '../src/jobs/job-metrics.js';
import { claimNextJob } from '../src/store/job-leases.js';
import { enqueueJob, type EnqueueOptions } from '../src/store/job-queue.js';
import { getJob } from '../src/store/job-records.js';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './support/test-database.js';
import { postgresDatabase, startTestHub, type TestHub } from './support/test-hub.js';

const log = pino({ level: process.env.RADBRIDGE_TEST_LOG ?? 'silent' });
const fast: JobEngineOptions = { pollIntervalMs: 20, backoff: { baseMs: 5, maxMs: 20 } };

describe('retry backoff', () => {
  it('draws each delay from [0, min(max, base x 2^(attempt-1))): full jitter, capped', () => {
    const backoff = { baseMs: 100, maxMs: 1_000 };
    assert.equal(retryDelayMs(1, backoff, () => 0), 0);
    assert.equal(retryDelayMs(1, backoff, () => 0.999_999), 99);
    assert.equal(retryDelayMs(3, backoff, () => 0.999_999), 399);
    assert.equal(retryDelayMs(3, backoff, () => 0.5), 200);
    assert.equal(retryDelayMs(20, backoff, () => 0.999_999), 999);
    for (let attempt = 1; attempt <= 12; attempt++) {
      for (let i = 0; i < 50; i++) {
        const delay = retryDelayMs(attempt, backoff);
        assert.ok(delay >= 0 && delay < Math.min(1_000, 100 * 2 ** (attempt - 1)), `attempt ${attempt}: ${delay}`);
      }
    }
  });
});

/** Resolves when the handler has been called `n` times. */
function calls(n: number): { seen: () => number; reached: Promise<void>; count: () => void } {
  let seen = 0;
  let reach: () => void = () => {};
  const reached = new Promise<void>((resolve) => (reach = resolve));
  return {
    seen: () => seen,
    reached,
    count: () => {
      if (++seen >= n) reach();
    },
  };
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
}

for (const kind of ['sqlite', 'postgres'] as DatabaseKind[]) {
  describe(`job engine on ${kind}`, () => {
    let t: TestDatabase;
    const engines: JobEngine[] = [];
    const start = (handler: JobHandler<'job.probe'>, options: JobEngineOptions = {}, registry?: Registry) => {
      const engine = startJobEngine({ database: t.database, log, now: Date.now, ...(registry ? { registry } : {}) }, { 'job.probe': handler }, { ...fast, ...options });
      engines.push(engine);
      return engine;
    };
    const enqueue = async (label: string, options: EnqueueOptions = {}) => {
      await enqueueJob(t.database.db, 'job.probe', { label }, `probe/${kind}/${label}`, Date.now(), options);
      const row = await t.database.db.selectFrom('jobs').select('id').where('idempotency_key', '=', `probe/${kind}/${label}`).executeTakeFirstOrThrow();
      return row.id;
    };
    const job = async (id: number) => {
      const record = await getJob(t.database.db, id);
      assert.ok(record);
      return record;
    };
    const stopAll = async () => {
      for (const engine of engines.splice(0)) await engine.stop();
    };

    before(async () => {
      t = await openTestDatabase(kind);
    });
    after(async () => {
      await stopAll();
      await t.remove();
    });

    it('dead-letters a permanent failure at once, with its reason, without retrying', async () => {
      const seen = calls(1);
      const registry = new Registry();
      const engine = start(
        () => {
          seen.count();
          return Promise.reject(new PermanentJobError('the study was deleted on the PACS'));
        },
        {},
        registry,
      );
      const id = await enqueue('permanent');
      await seen.reached;
      await engine.drain();
      await stopAll();
      const record = await job(id);
      assert.deepEqual([record.status, record.attempts, record.last_error], ['failed', 1, 'the study was deleted on the PACS']);
      assert.ok(record.dead_lettered_at);
      assert.equal(seen.seen(), 1);
      const metrics = await registry.metrics();
      assert.match(metrics, /radbridge_jobs_dead_lettered_total\{kind="job.probe"\} 1/);
      assert.match(metrics, /radbridge_jobs_dead_letters\{kind="job.probe"\} 1/);
      assert.doesNotMatch(metrics, /radbridge_jobs_retried_total\{kind="job.probe"\} [1-9]/);
    });

    it('retries a transient failure with backoff and dead-letters it after max attempts', async () => {
      const seen = calls(3);
      const registry = new Registry();
      const engine = start(
        () => {
          seen.count();
          return Promise.reject(new Error('the PACS answered HTTP 503'));
        },
        {},
        registry,
      );
      const id = await enqueue('transient', { maxAttempts: 3 });
      await seen.reached;
      await engine.drain();
      await stopAll();
      const record = await job(id);
      assert.deepEqual([record.status, record.attempts], ['failed', 3]);
      assert.equal(record.last_error, 'the PACS answered HTTP 503 (gave up after 3 attempts)');
      assert.equal(seen.seen(), 3);
      assert.match(await registry.metrics(), /radbridge_jobs_retried_total\{kind="job.probe"\} 2/);
    });

    it('runs a job again after a transient failure, and its effect happens once', async () => {
      const engine = start(async (_payload, ctx) => {
        await t.database.db.transaction().execute((trx) => recordEffectOnce(trx, ctx.idempotencyKey, `attempt ${ctx.attempt}`, Date.now()));
        if (ctx.attempt === 1) throw new Error('connection reset after the effect');
      });
      const id = await enqueue('once');
      await engine.drain();
      await stopAll();
      assert.deepEqual([(await job(id)).status, (await job(id)).attempts], ['done', 2]);
      assert.deepEqual(await listEffects(t.database.db, `probe/${kind}/once`), [{ idempotencyKey: `probe/${kind}/once`, effect: 'attempt 1' }]);
    });

    it('dead-letters a job whose deadline has passed, before it runs or while it runs', async () => {
      let ran = 0;
      const engine = start((_payload, ctx) => {
        ran++;
        return untilAborted(ctx.signal);
      });
      const late = await enqueue('deadline-before', { deadlineAt: Date.now() - 1 });
      const during = await enqueue('deadline-during', { deadlineAt: Date.now() + 1_000 });
      await engine.drain();
      await stopAll();
      const before = await job(late);
      assert.deepEqual([before.status, before.last_error], ['failed', 'the deadline passed before attempt 1 started']);
      const running = await job(during);
      assert.equal(running.status, 'failed');
      assert.equal(running.attempts, 1);
      assert.match(running.last_error ?? '', /^the deadline passed during attempt 1: job \d+: deadline passed$/);
      assert.equal(ran, 1, 'only the job still in time ran');
    });

    it("takes over the job of a worker that died once its lease expires", async () => {
      const id = await enqueue('orphan');
      const now = Date.now();
      const orphaned = await claimNextJob(t.database, ['job.probe'], 'worker-that-died', now, now + 200);
      assert.equal(orphaned?.id, id);
      const attempts: number[] = [];
      const engine = start(async (_payload, ctx) => {
        attempts.push(ctx.attempt);
        await t.database.db.transaction().execute((trx) => recordEffectOnce(trx, ctx.idempotencyKey, 'taken over', Date.now()));
      });
      await engine.drain();
      await stopAll();
      assert.deepEqual([(await job(id)).status, attempts], ['done', [2]]);
      assert.equal((await listEffects(t.database.db, `probe/${kind}/orphan`)).length, 1);
    });

    it('dead-letters a job whose workers keep dying once its attempts are used up, without running it again', async () => {
      const id = await enqueue('poison', { maxAttempts: 1 });
      const now = Date.now();
      assert.equal((await claimNextJob(t.database, ['job.probe'], 'worker-killed-by-the-job', now, now + 100))?.id, id);
      let ran = 0;
      const engine = start(() => {
        ran++;
        return Promise.resolve();
      });
      await engine.drain();
      await stopAll();
      const record = await job(id);
      assert.deepEqual([record.status, record.attempts, ran], ['failed', 2, 0]);
      assert.match(record.last_error ?? '', /^gave up after 1 attempts: the worker of the last one stopped before it finished/);
    });

    it('aborts a handler whose lease was lost and leaves the job to the worker that holds it', async () => {
      const started = calls(1);
      const aborted = calls(1);
      let abortedWith = '';
      start(
        async (_payload, ctx) => {
          await t.database.db.transaction().execute((trx) => recordEffectOnce(trx, ctx.idempotencyKey, 'first worker', Date.now()));
          // Once its first attempt is aborted the first worker may claim the expired lease itself, before the second does.
          if (ctx.attempt > 1) return;
          started.count();
          await untilAborted(ctx.signal).catch((err: Error) => {
            abortedWith = err.message;
            aborted.count();
            throw err;
          });
        },
        { leaseMs: 300, workerId: 'first', concurrency: 1 },
      );
      const id = await enqueue('stolen');
      await started.reached;
      // The first worker stalls past its lease (as a paused VM would): its lease is expired for others.
      await t.database.db.updateTable('jobs').set({ lease_owner: 'first-stalled', lease_until: 0 }).where('id', '=', id).execute();
      const second = start(async (_payload, ctx) => {
        const first = await t.database.db.transaction().execute((trx) => recordEffectOnce(trx, ctx.idempotencyKey, 'second worker', Date.now()));
        assert.equal(first, false, 'the effect is already recorded');
      }, { workerId: 'second' });
      await second.drain();
      await aborted.reached;
      await stopAll();
      assert.match(abortedWith, /lease lost/);
      const record = await job(id);
      assert.deepEqual([record.status, record.attempts], ['done', 2]);
      assert.deepEqual(await listEffects(t.database.db, `probe/${kind}/stolen`), [{ idempotencyKey: `probe/${kind}/stolen`, effect: 'first worker' }]);
    });

    it('gives a running job back, attempt uncounted, when the engine stops', async () => {
      const started = calls(1);
      const engine = start((_payload, ctx) => {
        started.count();
        return untilAborted(ctx.signal);
      });
      const id = await enqueue('stopped');
      await started.reached;
      await engine.stop();
      const record = await job(id);
      assert.deepEqual([record.status, record.attempts], ['pending', 0]);
      assert.match(record.last_error ?? '', /interrupted by the worker stopping/);
      await t.database.db.updateTable('jobs').set({ status: 'done' }).where('id', '=', id).execute();
    });

    it('gives back unrun, attempt uncounted, a job claimed while the engine was being stopped', async () => {
      const id = await enqueue('claimed-while-stopping');
      const now = Date.now();
      const claimed = await claimNextJob(t.database, ['job.probe'], 'stopping-worker', now, now + 10_000);
      assert.equal(claimed?.id, id);
      const stopped = new AbortController();
      stopped.abort();
      let ran = false;
      const deps = { database: t.database, log, now: Date.now, metrics: createJobMetrics(new Registry(), t.database), leaseMs: 10_000, backoff: { baseMs: 5, maxMs: 20 } };
      await runAttempt(deps, claimed, 'stopping-worker', () => {
        ran = true;
        return Promise.resolve();
      }, stopped.signal);
      assert.equal(ran, false, 'a handler is never started with a signal already aborted');
      const record = await job(id);
      assert.deepEqual([record.status, record.attempts], ['pending', 0]);
      assert.match(record.last_error ?? '', /interrupted by the worker stopping before it started/);
      await t.database.db.updateTable('jobs').set({ status: 'done' }).where('id', '=', id).execute();
    });

    it('stops without a handler that ignores its signal, whose job another worker takes over once the lease runs out', async () => {
      const started = calls(1);
      let release: () => void = () => {};
      const stuck = start(
        () => {
          started.count();
          return new Promise<void>((resolve) => (release = resolve));
        },
        { leaseMs: 200, stopGraceMs: 50, concurrency: 1 },
      );
      const id = await enqueue('ignores-abort');
      await started.reached;
      engines.splice(engines.indexOf(stuck), 1);
      await stuck.stop();
      assert.deepEqual([(await job(id)).status, (await job(id)).attempts], ['running', 1], 'left under its lease');
      const attempts: number[] = [];
      const next = start((_payload, ctx) => {
        attempts.push(ctx.attempt);
        return Promise.resolve();
      });
      await next.drain();
      await stopAll();
      release();
      assert.deepEqual([(await job(id)).status, attempts], ['done', [2]]);
    });
  });
}

for (const kind of ['sqlite', 'postgres'] as DatabaseKind[]) {
  describe(`manual retry of a dead letter over HTTP on ${kind}`, () => {
    let hub: TestHub;
    before(async () => {
      hub = await startTestHub(kind === 'sqlite' ? {} : { database: postgresDatabase() });
    });
    after(async () => {
      await hub.stop();
    });

    it('lists the dead letter with its reason, queues it again, runs it and audits the retry', async () => {
      let fixed = false;
      const engine = startJobEngine({ database: hub.app.database, log, now: Date.now, registry: hub.app.registry }, {
        'job.probe': () => (fixed ? Promise.resolve() : Promise.reject(new PermanentJobError('the model is not installed'))),
      }, fast);
      try {
        await enqueueJob(hub.app.database.db, 'job.probe', { label: 'retry' }, 'probe/retry', Date.now());
        await engine.drain();
        const list = await fetch(`${hub.url}/api/jobs?status=failed&kind=job.probe`);
        assert.equal(list.status, 200);
        const { jobs } = (await list.json()) as { jobs: Array<{ id: number; status: string; last_error: string }> };
        assert.equal(jobs.length, 1);
        const [dead] = jobs;
        assert.ok(dead);
        assert.deepEqual([dead.status, dead.last_error], ['failed', 'the model is not installed']);
        const metrics = await (await fetch(`${hub.url}/metrics`)).text();
        assert.match(metrics, /radbridge_jobs_dead_lettered_total\{kind="job.probe"\} 1/);
        assert.match(metrics, /radbridge_jobs_dead_letters\{kind="job.probe"\} 1/);
        fixed = true;
        const retried = await fetch(`${hub.url}/api/jobs/${dead.id}/retry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'model installed' }) });
        assert.equal(retried.status, 202);
        assert.deepEqual(((await retried.json()) as { status: string }).status, 'pending');
        await engine.drain();
        const after = (await (await fetch(`${hub.url}/api/jobs/${dead.id}`)).json()) as { status: string; attempts: number };
        assert.deepEqual([after.status, after.attempts], ['done', 1]);
        const again = await fetch(`${hub.url}/api/jobs/${dead.id}/retry`, { method: 'POST' });
        assert.equal(again.status, 409);
        assert.equal(((await again.json()) as { error: string }).error, 'JOB_NOT_DEAD_LETTERED');
        const audit = await hub.app.database.db.selectFrom('audit_log').selectAll().where('event_type', 'like', 'job.%').orderBy('seq').execute();
        assert.deepEqual(audit.map((a) => [a.event_type, a.outcome, a.actor]), [
          ['job.retried', 'success', '127.0.0.1'],
          ['job.retried', 'minor-failure', '127.0.0.1'],
        ]);
        const detail = JSON.parse(audit[0]?.detail ?? '{}') as Record<string, unknown>;
        assert.deepEqual(detail, { jobId: dead.id, kind: 'job.probe', previousError: 'the model is not installed', reason: 'model installed' });
      } finally {
        await engine.stop();
      }
    });
  });
}
