import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Database } from '../store/database.js';
import { claimNextJob, countDueJobs } from '../store/job-leases.js';
import { jobSignals } from '../store/job-queue.js';
import type { Backoff } from './backoff.js';
import { runAttempt, type AttemptDeps, type RunJob } from './job-attempt.js';
import type { JobHandlers } from './job-handler.js';
import { createJobMetrics } from './job-metrics.js';
import { Wakeup } from './wakeup.js';

export { PermanentJobError, type JobContext, type JobHandler, type JobHandlers } from './job-handler.js';

export interface JobEngineOptions {
  /** Jobs run at once by this engine. Default 4. */
  concurrency?: number;
  /** How long a claim holds without renewal; renewed every third of it. Default 30 s. */
  leaseMs?: number;
  /**
   * How often idle workers look for due jobs. Jobs queued in this process, and on PostgreSQL in any
   * process, wake them at once; polling finds retries coming due and covers a lost notification. Default 250 ms.
   */
  pollIntervalMs?: number;
  /** Retry delays of transient failures. Default 1 s doubling up to 5 min, with full jitter. */
  backoff?: Backoff;
  /** Names this engine in leases and logs. Default host:pid:random. */
  workerId?: string;
  /**
   * How long stop() waits for running handlers to give up after their signal is aborted; a handler
   * still running then is left behind, its lease no longer renewed. Default 10 s.
   */
  stopGraceMs?: number;
}

export interface JobEngine {
  stop(): Promise<void>;
  /** resolves when no due job of its kinds is left */
  drain(): Promise<void>;
}

export interface JobEngineDeps {
  database: Database;
  log: Logger;
  now: () => number;
  registry?: Registry;
}

const DRAIN_CHECK_MS = 10;

async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Calls `onQueued` for jobs queued in this process and, where the database can tell, in others; returns how to stop. */
function hearOfQueuedJobs(database: Database, log: Logger, onQueued: () => void): () => Promise<void> {
  jobSignals.on('enqueued', onQueued);
  const listening = database
    .listenForJobs(onQueued, (err) => log.warn({ err }, 'stopped hearing of jobs queued elsewhere; polling goes on'))
    .catch((err: unknown) => {
      log.warn({ err }, 'cannot hear of jobs queued elsewhere; polling instead');
      return undefined;
    });
  return async () => {
    jobSignals.off('enqueued', onQueued);
    const stopListening = await listening;
    await stopListening?.();
  };
}

function attemptDepsOf(deps: JobEngineDeps, options: JobEngineOptions, log: Logger): AttemptDeps {
  return {
    database: deps.database,
    log,
    now: deps.now,
    metrics: createJobMetrics(deps.registry ?? new Registry(), deps.database),
    leaseMs: options.leaseMs ?? 30_000,
    backoff: options.backoff ?? { baseMs: 1_000, maxMs: 300_000 },
  };
}

/**
 * Runs the jobs of the kinds `handlers` covers: claims them under leases (several engines, in this
 * process or others, share one table without running a job twice at once), retries transient
 * failures with backoff, dead-letters permanent ones, and picks up the jobs of workers that died.
 */
export function startJobEngine(deps: JobEngineDeps, handlers: JobHandlers, options: JobEngineOptions = {}): JobEngine {
  const kinds = Object.keys(handlers);
  const concurrency = kinds.length === 0 ? 0 : (options.concurrency ?? 4);
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const log = deps.log.child({ component: 'jobs', workerId });
  const attemptDeps = attemptDepsOf(deps, options, log);
  const stopping = new AbortController();
  const wakeup = new Wakeup();
  const stopHearing = concurrency === 0 ? () => Promise.resolve() : hearOfQueuedJobs(deps.database, log, () => wakeup.wakeOne());
  let claims = 0;
  let running = 0;

  /** Claims and runs one job; false when none was due. */
  const runNext = async (): Promise<boolean> => {
    const owner = `${workerId}#${++claims}`;
    const now = deps.now();
    const job = await claimNextJob(deps.database, kinds, owner, now, now + attemptDeps.leaseMs);
    if (!job) return false;
    // More may be due: let another idle worker look while this one runs the job.
    wakeup.wakeOne();
    const run = handlers[job.kind as keyof JobHandlers] as RunJob;
    running++;
    try {
      await runAttempt(attemptDeps, job, owner, run, stopping.signal);
    } finally {
      running--;
    }
    return true;
  };

  const worker = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      let ran = false;
      try {
        ran = await runNext();
      } catch (err) {
        log.error({ err }, 'job worker failed; trying again after the poll interval');
      }
      if (!ran && !stopping.signal.aborted) await wakeup.wait(pollIntervalMs);
    }
  };
  const workers = Array.from({ length: concurrency }, () => worker());
  log.info({ kinds, concurrency }, 'job engine started');

  return {
    stop: async () => {
      stopping.abort();
      wakeup.wakeAll();
      if (!(await settlesWithin(Promise.all(workers), options.stopGraceMs ?? 10_000))) {
        log.warn({ running }, 'stopped without the handlers that did not give up in time: their leases run out and other workers take their jobs');
      }
      await stopHearing();
    },
    drain: async () => {
      while (!stopping.signal.aborted) {
        if (running === 0 && (await countDueJobs(deps.database.db, kinds, deps.now())) === 0) return;
        await new Promise((resolve) => setTimeout(resolve, DRAIN_CHECK_MS));
      }
    },
  };
}
