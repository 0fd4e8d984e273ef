import type { Kysely } from 'kysely';
import type { AisSeverity } from '../domain/injury-severity-score.js';
import type { AisDecision } from '../domain/study-injuries.js';
import { appendAudit } from './audit-log.js';
import type { Database } from './database.js';
import type { DB } from './schema.js';

/** A person's confirmation or rejection of an injury's mapped AIS, stored with who and why and audited in the same transaction. */

export interface NewAisDecision extends Omit<AisDecision, 'at'> {
  studyUid: string;
  /** The AIS as mapped when the person decided, for the audit record. */
  mapped: { code?: string; severity: number; region: string };
  source: string;
}

/** Every decision on the study's injuries, oldest first: the last per injury is the one in force. */
export async function listAisDecisions(db: Kysely<DB>, studyUid: string): Promise<AisDecision[]> {
  const rows = await db.selectFrom('ais_decisions').selectAll().where('study_uid', '=', studyUid).orderBy('id').execute();
  return rows.map((r) => ({
    injuryId: r.injury_id,
    confirmed: r.confirmed === 1,
    ...(r.severity !== null ? { severity: r.severity as AisSeverity } : {}),
    reason: r.reason,
    by: r.decided_by,
    at: Number(r.decided_at),
  }));
}

export async function recordAisDecision(database: Database, d: NewAisDecision, now: number): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await database.lockAuditChain(trx);
    await trx
      .insertInto('ais_decisions')
      .values({ study_uid: d.studyUid, injury_id: d.injuryId, confirmed: d.confirmed ? 1 : 0, severity: d.severity ?? null, reason: d.reason, decided_by: d.by, decided_at: now })
      .execute();
    await appendAudit(
      database,
      trx,
      {
        type: 'injury.ais-decided',
        outcome: 'success',
        actor: d.by,
        source: d.source,
        studyUid: d.studyUid,
        detail: { injuryId: d.injuryId, confirmed: d.confirmed, ...(d.severity !== undefined ? { severity: d.severity } : {}), mapped: d.mapped, reason: d.reason },
      },
      now,
    );
  });
}
