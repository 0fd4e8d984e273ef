import type { JobKind, JobPayloads } from '../store/job-queue.js';

/** Thrown by a handler when trying again cannot help: the job is dead-lettered at once, never retried. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

export interface JobContext {
  /** Aborted when the lease is lost, the deadline passes or the engine stops: stop work and throw. */
  signal: AbortSignal;
  /** This attempt, the first being 1. */
  attempt: number;
  /** The job's key: use it with recordEffectOnce so a job run twice has its effect once. */
  idempotencyKey: string;
  jobId: number;
}

export type JobHandler<K extends JobKind> = (payload: JobPayloads[K], ctx: JobContext) => Promise<void>;
export type JobHandlers = { [K in JobKind]?: JobHandler<K> };
