import { RadbridgeError } from '../domain/errors.js';
import { appendAudit } from '../store/audit-log.js';
import type { Database } from '../store/database.js';
import { jobSignals } from '../store/job-queue.js';
import { getJob, retryDeadLetteredJob, type JobRecord } from '../store/job-records.js';

export interface RetryRequest {
  /** Who asks: a person, or the caller's address until authentication exists. */
  actor: string;
  source: string;
  reason?: string | undefined;
}

/**
 * Queues a dead-lettered job again, attempts reset and deadline lifted, and audits the request in
 * the same transaction; a request for a job that is not dead-lettered is refused and audited too.
 */
export async function retryDeadLetter(deps: { database: Database; now: () => number }, id: number, request: RetryRequest): Promise<JobRecord> {
  const { database } = deps;
  const now = deps.now();
  const { before, after } = await database.db.transaction().execute(async (trx) => {
    const job = await retryDeadLetteredJob(trx, id, now);
    if (job) {
      await appendAudit(
        database,
        trx,
        {
          type: 'job.retried',
          outcome: job.status === 'failed' ? 'success' : 'minor-failure',
          actor: request.actor,
          source: request.source,
          detail: { jobId: id, kind: job.kind, ...(job.status === 'failed' ? { previousError: job.last_error } : { status: job.status }), ...(request.reason !== undefined ? { reason: request.reason } : {}) },
        },
        now,
      );
    }
    // As committed: a worker may take the job the moment it is committed.
    return { before: job, after: job?.status === 'failed' ? await getJob(trx, id) : undefined };
  });
  if (!before) throw new RadbridgeError('NOT_FOUND', `no job ${id}`);
  if (!after) throw new RadbridgeError('JOB_NOT_DEAD_LETTERED', `job ${id} is ${before.status}, not dead-lettered: only a failed job can be retried`);
  jobSignals.emit('enqueued');
  return after;
}
