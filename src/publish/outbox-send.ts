import { PermanentJobError, type JobHandler } from '../jobs/job-engine.js';
import { findOutboxEntry, recordOutboxSent } from '../store/outbox.js';
import { deliveryFailure, sendToDestination } from './destination-send.js';
import type { PublishDeps } from './publish-deps.js';

/**
 * Runs an 'outbox.send' job: sends one outbox object to its destination and records who confirmed
 * it. A peer that is down, busy or out of resources is retried by the engine with backoff, as
 * often as `results.maxAttempts` allows; a refusal that cannot change (a failure status, a 4xx
 * answer, a destination no longer configured) dead-letters the job at once with the reason, where
 * /api/jobs/{id}/retry can queue it again. Sent twice (a crash after the send) it is stored once:
 * a destination keeps an object by its SOP Instance UID.
 */
export function outboxSendHandler(deps: PublishDeps): JobHandler<'outbox.send'> {
  return async (payload, ctx) => {
    const entry = await findOutboxEntry(deps.database.db, payload.outboxId);
    if (!entry) throw new PermanentJobError(`outbox entry ${payload.outboxId} does not exist`);
    const log = deps.log.child({ component: 'outbox', jobId: ctx.jobId, studyUid: entry.studyUid, destination: entry.destination, sopInstanceUid: entry.sopInstanceUid });
    const result = await sendToDestination(deps.config, entry.destination, [deps.objects.absolute(entry.filePath)], ctx.signal);
    if (result.failures.length > 0) throw deliveryFailure(entry.destination, result);
    await recordOutboxSent(deps.database, entry, result.peer, deps.now());
    log.info({ objectKind: entry.objectKind, peer: result.peer, attempt: ctx.attempt }, 'result object sent');
  };
}
