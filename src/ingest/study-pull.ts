import { RadbridgeError, asRadbridgeError } from '../domain/errors.js';
import { readMultipartRelated } from '../dicomweb/multipart-related.js';
import { RetrieveError, retrieveFailure, retrieveStudy } from '../dicomweb/wado-rs-client.js';
import { claimJob, enqueueCoalescedJob, finishJob, retryJobLater, type Job } from '../store/job-queue.js';
import type { IngestDeps, Sender } from './ingest-deps.js';
import { ensureStorageSpace } from './receive-object.js';
import { runPeriodically } from './periodic-task.js';
import { receivePart, type PartOutcome } from './receive-part.js';

export interface PullRequest {
  studyUid: string;
  requestedBy: string;
  reason?: string | undefined;
}

export interface PullWorkerOptions {
  /** Tries per job, the first included, when failures are transient. Default 3. */
  maxAttempts?: number;
  /** Wait before the first retry, doubled for each later one. Default 4 x pull.pollIntervalMs. */
  retryDelayMs?: number;
}

interface PullTally {
  stored: number;
  duplicates: number;
  failed: number;
  /** Refusals by error code. */
  refused: Map<string, number>;
}

/**
 * Queues a pull of a study from the configured PACS. Requests for a study whose pull has not
 * started yet join that pull; returns the id of the job.
 */
export async function requestStudyPull(deps: IngestDeps, request: PullRequest): Promise<number> {
  if (!deps.config.pull.dicomwebUrl) {
    throw new RadbridgeError('PULL_NOT_CONFIGURED', 'pull mode is off: set pull.dicomwebUrl to the DICOMweb base URL of the PACS');
  }
  const payload = { studyUid: request.studyUid, requestedBy: request.requestedBy, ...(request.reason !== undefined ? { reason: request.reason } : {}) };
  return enqueueCoalescedJob(deps.database.db, 'study.pull', payload, `study.pull/${request.studyUid}`, deps.now());
}

/** Claims 'study.pull' jobs every pull.pollIntervalMs and runs them one at a time. */
export function startPullWorker(deps: IngestDeps, options: PullWorkerOptions = {}): { stop: () => Promise<void> } {
  const stopping = new AbortController();
  const drain = async (): Promise<void> => {
    for (;;) {
      if (stopping.signal.aborted) return;
      const job = await claimJob(deps.database.db, 'study.pull', deps.now());
      if (!job) return;
      await runPullJob(deps, job, options, stopping.signal);
    }
  };
  const task = runPeriodically(drain, deps.config.pull.pollIntervalMs, deps.log, 'pull worker');
  return {
    stop: async () => {
      stopping.abort();
      await task.stop();
    },
  };
}

async function runPullJob(deps: IngestDeps, job: Job<'study.pull'>, options: PullWorkerOptions, stopping: AbortSignal): Promise<void> {
  const db = deps.database.db;
  const { studyUid } = job.payload;
  const log = deps.log.child({ component: 'pull', jobId: job.id, studyUid });
  try {
    const tally = await pullStudy(deps, studyUid, stopping);
    const summary = { stored: tally.stored, duplicates: tally.duplicates, failed: tally.failed };
    if (tally.failed > 0) {
      const refused = [...tally.refused].map(([code, n]) => `${code} x${n}`).join(', ');
      await finishJob(db, job.id, 'failed', `the hub refused ${tally.failed} instance(s) of the study (${refused}); stored ${tally.stored}, duplicates ${tally.duplicates}`, deps.now());
      log.warn(summary, 'study pull ended with refused instances');
    } else {
      await finishJob(db, job.id, 'done', null, deps.now());
      log.info(summary, 'study pulled');
    }
  } catch (err) {
    const error = asRadbridgeError(err);
    const transient = error instanceof RetrieveError ? error.transient : error.code === 'STORAGE_FULL';
    const maxAttempts = options.maxAttempts ?? 3;
    const now = deps.now();
    if (stopping.aborted) {
      await retryJobLater(db, job.id, `interrupted by the hub stopping: ${error.message}`, now, now);
    } else if (transient && job.attempts < maxAttempts) {
      const delay = (options.retryDelayMs ?? 4 * deps.config.pull.pollIntervalMs) * 2 ** (job.attempts - 1);
      await retryJobLater(db, job.id, `attempt ${job.attempts} of ${maxAttempts} failed: ${error.message}`, now + delay, now);
      log.warn({ attempts: job.attempts, retryInMs: delay }, error.message);
    } else {
      const message = transient ? `${error.message} (gave up after ${job.attempts} attempts)` : error.message;
      await finishJob(db, job.id, 'failed', message, now);
      log.error({ attempts: job.attempts, code: error.code }, message);
    }
  }
}

/** Retrieves the study and stores its instances one part at a time, as they arrive. */
async function pullStudy(deps: IngestDeps, studyUid: string, stopping: AbortSignal): Promise<PullTally> {
  const { dicomwebUrl, timeoutMs } = deps.config.pull;
  if (!dicomwebUrl) throw new RadbridgeError('PULL_NOT_CONFIGURED', 'pull.dicomwebUrl is no longer configured');
  await ensureStorageSpace(deps);
  const retrieved = await retrieveStudy(dicomwebUrl, studyUid, { timeoutMs, signal: stopping });
  const sender: Sender = { via: 'pull', address: new URL(dicomwebUrl).origin };
  const parts: Array<Promise<PartOutcome>> = [];
  try {
    await readMultipartRelated(retrieved.body, retrieved.boundary, (headers) => {
      const part = receivePart(deps, sender, headers, { studyUid });
      parts.push(part.settled);
      return part.sink;
    });
  } catch (err) {
    throw err instanceof RadbridgeError ? new RetrieveError(err.code, `the PACS sent a broken multipart body: ${err.message}`, false) : retrieveFailure(err, dicomwebUrl, timeoutMs);
  } finally {
    retrieved.body.destroy();
    await Promise.all(parts);
  }
  return tallyOf(await Promise.all(parts));
}

function tallyOf(outcomes: PartOutcome[]): PullTally {
  const tally: PullTally = { stored: 0, duplicates: 0, failed: 0, refused: new Map() };
  for (const { stored, error } of outcomes) {
    if (stored?.outcome === 'duplicate-identical') tally.duplicates++;
    else if (stored) tally.stored++;
    else if (error) {
      tally.failed++;
      tally.refused.set(error.code, (tally.refused.get(error.code) ?? 0) + 1);
    }
  }
  return tally;
}
