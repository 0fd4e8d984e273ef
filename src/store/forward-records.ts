import { appendAudit } from './audit-log.js';
import type { Database } from './database.js';
import { recordEffectOnce } from './job-effects.js';

/** What the hub sent to a destination for one study.forward job: its effect and its audit event, written together. */

export interface ForwardRecord {
  /** The job's idempotency key: the effect is recorded once under it. */
  idempotencyKey: string;
  destination: string;
  /** The peer as addressed: AE title at host:port. */
  peer: string;
  callingAeTitle: string;
  studyUid: string;
  seriesUids: string[];
  sent: number;
  /** Instances the peer did not store (refused, or left unanswered), with the first reason; 0 when all were stored. */
  notStored: number;
  firstProblem?: string | undefined;
}

/**
 * Records a forward: the job's effect { destination, sent } once under its key (only when every
 * instance was stored), and an instances.forwarded audit event for every send, since each one
 * exported the instances again. Returns whether this call recorded the effect.
 */
export async function recordForward(database: Database, record: ForwardRecord, now: number): Promise<boolean> {
  return database.db.transaction().execute(async (trx) => {
    const first = record.notStored === 0 && (await recordEffectOnce(trx, record.idempotencyKey, JSON.stringify({ destination: record.destination, sent: record.sent }), now));
    await appendAudit(
      database,
      trx,
      {
        type: 'instances.forwarded',
        outcome: record.notStored === 0 ? 'success' : 'minor-failure',
        actor: record.callingAeTitle,
        source: record.peer,
        studyUid: record.studyUid,
        detail: {
          destination: record.destination,
          seriesUids: record.seriesUids,
          sent: record.sent,
          ...(record.notStored > 0 ? { notStored: record.notStored, firstProblem: record.firstProblem } : {}),
          ...(record.notStored === 0 && !first ? { repeated: true } : {}),
        },
      },
      now,
    );
    return first;
  });
}
