import { RadbridgeError, asRadbridgeError } from '../domain/errors.js';
import { readMultipartRelated } from '../dicomweb/multipart-related.js';
import { RetrieveError, retrieveFailure, retrieveStudy } from '../dicomweb/wado-rs-client.js';
import { PermanentJobError, type JobHandler } from '../jobs/job-engine.js';
import { enqueueCoalescedJob } from '../store/job-queue.js';
import type { IngestDeps, Sender } from './ingest-deps.js';
import { ensureStorageSpace } from './receive-object.js';
import { receivePart, type PartOutcome } from './receive-part.js';

export interface PullRequest {
  studyUid: string;
  requestedBy: string;
  reason?: string | undefined;
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
  return enqueueCoalescedJob(deps.database.db, 'study.pull', payload, `study.pull/${request.studyUid}`, deps.now(), { maxAttempts: deps.config.pull.maxAttempts });
}

/**
 * Runs a 'study.pull' job. Transient failures (the PACS unreachable or answering 5xx, storage full)
 * are thrown as they are, for the job engine to retry; the others cannot get better by trying again
 * and are thrown as PermanentJobError, as is a pull whose instances the hub refused.
 */
export function studyPullHandler(deps: IngestDeps): JobHandler<'study.pull'> {
  return async ({ studyUid }, ctx) => {
    const log = deps.log.child({ component: 'pull', jobId: ctx.jobId, studyUid });
    let tally: PullTally;
    try {
      tally = await pullStudy(deps, studyUid, ctx.signal);
    } catch (err) {
      const error = asRadbridgeError(err);
      const transient = error instanceof RetrieveError ? error.transient : error.code === 'STORAGE_FULL';
      log.warn({ attempt: ctx.attempt, code: error.code, transient }, error.message);
      throw transient ? error : new PermanentJobError(error.message, { cause: error });
    }
    const summary = { stored: tally.stored, duplicates: tally.duplicates, failed: tally.failed };
    if (tally.failed > 0) {
      const refused = [...tally.refused].map(([code, n]) => `${code} x${n}`).join(', ');
      log.warn(summary, 'study pull ended with refused instances');
      throw new PermanentJobError(`the hub refused ${tally.failed} instance(s) of the study (${refused}); stored ${tally.stored}, duplicates ${tally.duplicates}`);
    }
    log.info(summary, 'study pulled');
  };
}

/** Retrieves the study and stores its instances one part at a time, as they arrive. */
async function pullStudy(deps: IngestDeps, studyUid: string, signal: AbortSignal): Promise<PullTally> {
  const { dicomwebUrl, timeoutMs } = deps.config.pull;
  if (!dicomwebUrl) throw new RadbridgeError('PULL_NOT_CONFIGURED', 'pull.dicomwebUrl is no longer configured');
  await ensureStorageSpace(deps);
  const retrieved = await retrieveStudy(dicomwebUrl, studyUid, { timeoutMs, signal });
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
