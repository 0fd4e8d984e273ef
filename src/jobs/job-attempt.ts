import type { Logger } from 'pino';
import type { Database } from '../store/database.js';
import { completeLeasedJob, deadLetterLeasedJob, releaseLeasedJob, renewLease, retryLeasedJob, type LeasedJob } from '../store/job-leases.js';
import { retryDelayMs, type Backoff } from './backoff.js';
import { PermanentJobError, type JobContext } from './job-handler.js';
import type { JobMetrics } from './job-metrics.js';

export interface AttemptDeps {
  database: Database;
  log: Logger;
  now: () => number;
  metrics: JobMetrics;
  leaseMs: number;
  backoff: Backoff;
}

export type RunJob = (payload: unknown, ctx: JobContext) => Promise<void>;

/** Why an attempt's signal was aborted. */
type Interruption = 'lease lost' | 'deadline passed' | 'worker stopping';

const MAX_ERROR_LENGTH = 2000;
const LONGEST_TIMER_MS = 2 ** 31 - 1;

function messageOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH)}…` : message;
}

/**
 * Runs one attempt of a job held under `owner`'s lease: renews the lease while the handler runs,
 * aborts the handler's signal when the lease is lost, the deadline passes or the worker stops, then
 * records the outcome (done, retry with backoff, dead letter, or given back).
 */
export async function runAttempt(deps: AttemptDeps, job: LeasedJob, owner: string, run: RunJob, stopping: AbortSignal): Promise<void> {
  const log = deps.log.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
  // A job claimed while the engine was being stopped goes back unrun: a handler given a signal
  // already aborted might never hear of the abort.
  if (stopping.aborted) {
    await releaseLeasedJob(deps.database.db, job.id, owner, `attempt ${job.attempts} interrupted by the worker stopping before it started`, deps.now());
    log.info('gave the job back unrun: the worker is stopping');
    return;
  }
  deps.metrics.started.inc({ kind: job.kind });
  if (job.deadlineAt !== null && deps.now() >= job.deadlineAt) {
    await deadLetter(deps, job, owner, log, `the deadline passed before attempt ${job.attempts} started`);
    return;
  }
  // Only a worker that died mid-attempt (its lease expired) leaves attempts beyond the limit: a job
  // that kills its worker each time must not be run forever.
  if (job.attempts > job.maxAttempts) {
    await deadLetter(deps, job, owner, log, `gave up after ${job.maxAttempts} attempts: the worker of the last one stopped before it finished (its lease expired)`);
    return;
  }
  const controller = new AbortController();
  let interruption: Interruption | undefined;
  const interrupt = (why: Interruption) => {
    if (interruption) return;
    interruption = why;
    controller.abort(new Error(`job ${job.id}: ${why}`));
  };
  let leaseUntil = deps.now() + deps.leaseMs;
  const renew = async () => {
    try {
      const now = deps.now();
      if (await renewLease(deps.database.db, job.id, owner, now + deps.leaseMs, now)) leaseUntil = now + deps.leaseMs;
      else interrupt('lease lost');
    } catch (err) {
      log.warn({ err }, 'could not renew the lease');
      if (deps.now() >= leaseUntil) interrupt('lease lost');
    }
  };
  const renewer = setInterval(() => void renew(), Math.max(1, Math.floor(deps.leaseMs / 3)));
  // A stopping worker renews no more: should the handler not give up in time, the lease runs out and another worker takes the job.
  const onStop = () => {
    clearInterval(renewer);
    interrupt('worker stopping');
  };
  stopping.addEventListener('abort', onStop);
  const deadline = job.deadlineAt === null ? undefined : setTimeout(() => interrupt('deadline passed'), Math.min(LONGEST_TIMER_MS, job.deadlineAt - deps.now()));
  let failure: { error: unknown } | undefined;
  try {
    await run(job.payload, { signal: controller.signal, attempt: job.attempts, idempotencyKey: job.idempotencyKey, jobId: job.id });
  } catch (error) {
    failure = { error };
  } finally {
    clearInterval(renewer);
    clearTimeout(deadline);
    stopping.removeEventListener('abort', onStop);
  }
  if (!failure) await succeed(deps, job, owner, log);
  else await fail(deps, job, owner, log, failure.error, interruption);
}

async function succeed(deps: AttemptDeps, job: LeasedJob, owner: string, log: Logger): Promise<void> {
  if (await completeLeasedJob(deps.database.db, job.id, owner, deps.now())) {
    deps.metrics.succeeded.inc({ kind: job.kind });
    log.debug('job done');
  } else {
    log.warn('job done, but its lease was lost: another worker has run it or will run it again');
  }
}

async function fail(deps: AttemptDeps, job: LeasedJob, owner: string, log: Logger, error: unknown, interruption: Interruption | undefined): Promise<void> {
  const message = messageOf(error);
  const db = deps.database.db;
  const now = deps.now();
  if (interruption === 'lease lost') {
    log.warn({ err: error }, 'gave up the job: its lease was lost to another worker');
  } else if (interruption === 'worker stopping') {
    await releaseLeasedJob(db, job.id, owner, `attempt ${job.attempts} interrupted by the worker stopping: ${message}`, now);
    log.info('gave the job back: the worker is stopping');
  } else if (interruption === 'deadline passed') {
    await deadLetter(deps, job, owner, log, `the deadline passed during attempt ${job.attempts}: ${message}`);
  } else if (error instanceof PermanentJobError) {
    await deadLetter(deps, job, owner, log, message);
  } else if (job.attempts >= job.maxAttempts) {
    await deadLetter(deps, job, owner, log, `${message} (gave up after ${job.attempts} attempts)`);
  } else {
    const runAfter = now + retryDelayMs(job.attempts, deps.backoff);
    if (job.deadlineAt !== null && runAfter >= job.deadlineAt) {
      await deadLetter(deps, job, owner, log, `${message} (the deadline passes before another attempt)`);
    } else if (await retryLeasedJob(db, job.id, owner, `attempt ${job.attempts} of ${job.maxAttempts} failed: ${message}`, runAfter, now)) {
      deps.metrics.retried.inc({ kind: job.kind });
      log.warn({ err: error, retryInMs: runAfter - now }, 'job attempt failed; retrying');
    }
  }
}

async function deadLetter(deps: AttemptDeps, job: LeasedJob, owner: string, log: Logger, reason: string): Promise<void> {
  if (await deadLetterLeasedJob(deps.database.db, job.id, owner, reason, deps.now())) {
    deps.metrics.deadLettered.inc({ kind: job.kind });
    log.error({ reason }, 'job dead-lettered');
  }
}
