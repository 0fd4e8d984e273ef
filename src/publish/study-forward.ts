import { sendFiles, UNANSWERED, type ScuTarget, type SendResult } from '../adapters/dimse/dimse-scu.js';
import { PermanentJobError, type JobContext, type JobHandler } from '../jobs/job-engine.js';
import { recordForward } from '../store/forward-records.js';
import type { JobPayloads } from '../store/job-queue.js';
import { findSeriesFiles } from '../store/stored-instances.js';
import type { PublishDeps } from './publish-deps.js';

/** Where a destination named in a rule is on the network, or a permanent failure when the configuration no longer has it. */
function targetOf(deps: PublishDeps, destination: string): ScuTarget {
  const configured = deps.config.destinations[destination];
  if (!configured) {
    const known = Object.keys(deps.config.destinations);
    throw new PermanentJobError(`destination "${destination}" is not configured (destinations: ${known.length === 0 ? 'none' : known.join(', ')})`);
  }
  return { host: configured.host, port: configured.port, calledAeTitle: configured.aeTitle, callingAeTitle: configured.callingAeTitle ?? deps.config.dicom.aeTitle };
}

/** Sends, telling a peer that cannot be reached (down, refusing the association, timing out) as transient. */
async function send(target: ScuTarget, files: string[], destination: string): Promise<SendResult> {
  try {
    return await sendFiles(target, files);
  } catch (err) {
    throw new Error(`forward to ${destination} (${target.calledAeTitle} at ${target.host}:${target.port}) failed: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Runs a 'study.forward' job: sends the stored files of the payload's series to the destination
 * named in `destinations`, over one association, each file in the transfer syntax it is stored in.
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
    const target = targetOf(deps, payload.destination);
    const files = await findSeriesFiles(deps.database.db, payload.studyUid, payload.seriesUids);
    if (files.length === 0) throw new PermanentJobError(`nothing stored of series ${payload.seriesUids.join(', ')} of study ${payload.studyUid}`);
    ctx.signal.throwIfAborted();
    const result = await send(target, files.map((f) => deps.objects.absolute(f.filePath)), payload.destination);
    await recordOutcome(deps, payload, ctx, target, result);
    const summary = { sent: result.sent, failed: result.failures.length, attempt: ctx.attempt };
    if (result.failures.length === 0) {
      log.info(summary, 'series forwarded');
      return;
    }
    log.warn({ ...summary, firstFailure: result.failures[0]?.reason }, 'forward ended with instances not stored by the peer');
    throw failureOf(payload.destination, result);
  };
}

async function recordOutcome(deps: PublishDeps, payload: JobPayloads['study.forward'], ctx: JobContext, target: ScuTarget, result: SendResult): Promise<void> {
  if (result.sent === 0 && result.failures.length === 0) return;
  await recordForward(
    deps.database,
    {
      idempotencyKey: ctx.idempotencyKey,
      destination: payload.destination,
      peer: `${target.calledAeTitle}@${target.host}:${target.port}`,
      callingAeTitle: target.callingAeTitle,
      studyUid: payload.studyUid,
      seriesUids: payload.seriesUids,
      sent: result.sent,
      notStored: result.failures.length,
      firstProblem: result.failures[0]?.reason,
    },
    deps.now(),
  );
}

/**
 * Worth another try: files left unanswered when the association ended, and those the peer refused
 * for want of resources (0xA7xx: disk full, busy). Not: any other failure status, or a stored file
 * that cannot be read.
 */
function isTransient(failure: SendResult['failures'][number]): boolean {
  if (failure.status === undefined) return failure.reason === UNANSWERED;
  return (failure.status & 0xff00) === 0xa700;
}

function failureOf(destination: string, result: SendResult): Error {
  const refused = result.failures.filter((f) => !isTransient(f));
  const first = refused[0] ?? result.failures[0];
  const message = `${destination} did not store ${result.failures.length} instance(s) (sent ${result.sent}); first: ${first?.reason ?? 'unknown'}`;
  return refused.length > 0 ? new PermanentJobError(message) : new Error(message);
}
