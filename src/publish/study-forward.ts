import { PermanentJobError, type JobContext, type JobHandler } from '../jobs/job-engine.js';
import { recordForward } from '../store/forward-records.js';
import type { JobPayloads } from '../store/job-queue.js';
import { findSeriesFiles } from '../store/stored-instances.js';
import { deliveryFailure, sendToDestination, type Delivery } from './destination-send.js';
import type { PublishDeps } from './publish-deps.js';

/**
 * Runs a 'study.forward' job: sends the stored files of the payload's series to the destination
 * named in `destinations` (src/publish/destination-send.ts: C-STORE over one association, or one
 * STOW-RS request), each file in the transfer syntax it is stored in where the peer accepts it.
 *
 * - A destination no longer configured, a peer refusing instances with a failure status other
 *   than out of resources, or a stored file that cannot be sent cannot get better by trying again:
 *   PermanentJobError, with the count and the first reason.
 * - A peer that cannot be reached (connection refused, association rejected, a timeout, the
 *   association ending before every file was answered) or out of resources (0xA7xx) is transient:
 *   the engine retries with backoff until the job's attempts are used up.
 * - When every instance was stored the effect { destination, sent } is recorded once under the
 *   job's idempotency key, so a job run again after a crash does not count twice. Sending again is
 *   harmless: the peer keeps an instance by its SOP Instance UID, so a re-sent one replaces or
 *   duplicates nothing. Every send is audited as instances.forwarded (DICOM 110106 Export).
 */
export function studyForwardHandler(deps: PublishDeps): JobHandler<'study.forward'> {
  return async (payload, ctx) => {
    const log = deps.log.child({ component: 'forward', jobId: ctx.jobId, studyUid: payload.studyUid, destination: payload.destination });
    const files = await findSeriesFiles(deps.database.db, payload.studyUid, payload.seriesUids);
    if (files.length === 0) throw new PermanentJobError(`nothing stored of series ${payload.seriesUids.join(', ')} of study ${payload.studyUid}`);
    ctx.signal.throwIfAborted();
    const result = await sendToDestination(deps.config, payload.destination, files.map((f) => deps.objects.absolute(f.filePath)), ctx.signal);
    await recordOutcome(deps, payload, ctx, result);
    const summary = { sent: result.sent, failed: result.failures.length, attempt: ctx.attempt };
    if (result.failures.length === 0) {
      log.info(summary, 'series forwarded');
      return;
    }
    log.warn({ ...summary, firstFailure: result.failures[0]?.reason }, 'forward ended with instances not stored by the peer');
    throw deliveryFailure(payload.destination, result);
  };
}

async function recordOutcome(deps: PublishDeps, payload: JobPayloads['study.forward'], ctx: JobContext, result: Delivery): Promise<void> {
  if (result.sent === 0 && result.failures.length === 0) return;
  await recordForward(
    deps.database,
    {
      idempotencyKey: ctx.idempotencyKey,
      destination: payload.destination,
      peer: result.peer,
      callingAeTitle: result.actor,
      studyUid: payload.studyUid,
      seriesUids: payload.seriesUids,
      sent: result.sent,
      notStored: result.failures.length,
      firstProblem: result.failures[0]?.reason,
    },
    deps.now(),
  );
}
