import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { listEffects } from '../src/store/job-effects.js';
import { enqueueJob } from '../src/store/job-queue.js';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './support/test-database.js';

interface Worker {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first stdout line starting with `prefix`. */
  line(prefix: string, timeoutMs?: number): Promise<string>;
  exited: Promise<void>;
}

function spawnWorker(t: TestDatabase, workerId: string, options: { leaseMs: number; concurrency: number }): Worker {
  const args = JSON.stringify({ database: t.config, dataDir: t.dataDir, workerId, ...options });
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/job-worker-process.ts', args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buffered = '';
  child.stdout?.on('data', (d: Buffer) => {
    buffered += d.toString();
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    lines.push(...complete);
    for (const waiter of waiters.splice(0)) waiter();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = (prefix: string, timeoutMs = 20_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${workerId}: no "${prefix}" line within ${timeoutMs} ms; got ${JSON.stringify(lines)}`)), timeoutMs);
      const check = () => {
        const found = lines.find((l) => l.startsWith(prefix));
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`${workerId} exited before "${prefix}"`));
        } else waiters.push(check);
      };
      check();
    });
  return { child, lines, line, exited };
}

async function stopWorker(worker: Worker): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
  await worker.exited;
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const kind of ['sqlite', 'postgres'] as DatabaseKind[]) {
  describe(`a worker killed mid-job on ${kind}`, () => {
    let t: TestDatabase;
    const workers: Worker[] = [];
    before(async () => {
      t = await openTestDatabase(kind);
    });
    after(async () => {
      for (const worker of workers) await stopWorker(worker);
      await t.remove();
    });

    it('has its job finished by the next worker once the lease expires, and the effect happens once', async () => {
      await enqueueJob(t.database.db, 'job.probe', { label: 'hang' }, 'sigkill/hang', Date.now());
      const first = spawnWorker(t, 'first', { leaseMs: 1_000, concurrency: 1 });
      workers.push(first);
      const mid = await first.line('mid-job ');
      const id = Number(mid.split(' ')[1]);
      first.child.kill('SIGKILL');
      await first.exited;
      const orphan = await t.database.db.selectFrom('jobs').select(['status', 'lease_owner']).where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(orphan.status, 'running');
      assert.match(orphan.lease_owner ?? '', /^first#/);

      const second = spawnWorker(t, 'second', { leaseMs: 1_000, concurrency: 1 });
      workers.push(second);
      await until('the job is done', async () => (await t.database.db.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status === 'done');
      const job = await t.database.db.selectFrom('jobs').select(['attempts', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow();
      assert.deepEqual(job, { attempts: 2, last_error: null });
      assert.deepEqual(await listEffects(t.database.db, 'sigkill/'), [{ idempotencyKey: 'sigkill/hang', effect: JSON.stringify({ worker: 'first', attempt: 1 }) }]);
      assert.ok(second.lines.includes(`effect-already-recorded ${id}`), 'the second run found the effect made and did not make it again');
    });
  });
}

describe('worker processes sharing jobs on postgres', () => {
  const JOBS = 1_000;
  let t: TestDatabase;
  const workers: Worker[] = [];
  before(async () => {
    t = await openTestDatabase('postgres');
  });
  after(async () => {
    for (const worker of workers) await stopWorker(worker);
    await t.remove();
  });

  it(`share ${JOBS} jobs: every job done once, each effect recorded once, more than one process at work`, async () => {
    for (const n of [1, 2, 3]) workers.push(spawnWorker(t, `worker-${n}`, { leaseMs: 30_000, concurrency: 4 }));
    await Promise.all(workers.map((w) => w.line('ready')));
    const now = Date.now();
    await t.database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < JOBS; i++) await enqueueJob(trx, 'job.probe', { label: `share-${i}` }, `share/${String(i).padStart(4, '0')}`, now);
    });
    const done = async () => {
      const row = await t.database.db.selectFrom('jobs').select((eb) => eb.fn.countAll<string | number>().as('n')).where('status', '=', 'done').executeTakeFirstOrThrow();
      return Number(row.n);
    };
    await until(`all ${JOBS} jobs are done`, async () => (await done()) === JOBS, 50_000);
    for (const worker of workers) await stopWorker(worker);
    for (const worker of workers) assert.deepEqual(worker.lines.filter((l) => l.startsWith('effect-already-recorded')), [], 'no job ran a second time');
    const attempts = await t.database.db.selectFrom('jobs').select('attempts').distinct().execute();
    assert.deepEqual(attempts, [{ attempts: 1 }], 'every job was claimed once');
    const effects = await listEffects(t.database.db, 'share/');
    assert.equal(effects.length, JOBS);
    const perWorker = new Map<string, number>();
    for (const { effect } of effects) {
      const { worker } = JSON.parse(effect) as { worker: string };
      perWorker.set(worker, (perWorker.get(worker) ?? 0) + 1);
    }
    assert.ok(perWorker.size > 1, `more than one process did work: ${JSON.stringify([...perWorker])}`);
  });
});
