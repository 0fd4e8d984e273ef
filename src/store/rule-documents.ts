import type { Kysely } from 'kysely';
import { appendAudit } from './audit-log.js';
import type { Database } from './database.js';
import type { DB } from './schema.js';

/** The versions of the routing rules document: each change is a new row, written with its audit event. */

export interface StoredRulesVersion {
  version: number;
  /** The validated document as JSON. */
  document: string;
  sha256: string;
  changedBy: string;
  reason: string;
  changedAt: number;
}

export async function currentRulesVersion(db: Kysely<DB>): Promise<StoredRulesVersion | undefined> {
  const row = await db.selectFrom('rule_documents').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
  return (
    row && { version: row.version, document: row.document, sha256: row.sha256, changedBy: row.changed_by, reason: row.reason, changedAt: row.changed_at }
  );
}

export interface RulesChange {
  document: string;
  sha256: string;
  actor: string;
  /** Where the change came from: an address, or the rules file. */
  source: string;
  reason: string;
  /** What changed, for the audit event (added, removed and changed rule ids). */
  summary: Record<string, unknown>;
}

/** Stores the next version and audits it as config.rules-changed in the same transaction; returns the version number. */
export async function storeRulesVersion(database: Database, change: RulesChange, now: number): Promise<number> {
  return database.db.transaction().execute(async (trx) => {
    // The audit chain's lock also serialises writers of versions, so two changes never take one number.
    await database.lockAuditChain(trx);
    const last = await trx.selectFrom('rule_documents').select((eb) => eb.fn.max('version').as('version')).executeTakeFirst();
    const version = Number(last?.version ?? 0) + 1;
    await trx
      .insertInto('rule_documents')
      .values({ version, document: change.document, sha256: change.sha256, changed_by: change.actor, reason: change.reason, changed_at: now })
      .execute();
    await appendAudit(
      database,
      trx,
      {
        type: 'config.rules-changed',
        outcome: 'success',
        actor: change.actor,
        source: change.source,
        detail: { version, sha256: change.sha256, reason: change.reason, ...change.summary },
      },
      now,
    );
    return version;
  });
}
