import type { Transaction } from 'kysely';
import { appendAudit } from './audit-log.js';
import type { Database } from './database.js';
import type { DB } from './schema.js';

/** Within the transaction that records a confirmed message: a created alert becomes delivered. */
export async function markAlertDelivered(database: Database, trx: Transaction<DB>, alertId: string, confirmedBy: string, now: number): Promise<void> {
  const row = await trx.updateTable('alerts').set({ state: 'delivered', delivered_at: now }).where('alert_id', '=', alertId).where('state', '=', 'created').returning(['study_uid', 'level']).executeTakeFirst();
  if (!row) return;
  await appendAudit(database, trx, { type: 'alert.delivered', outcome: 'success', actor: 'radbridge', source: confirmedBy, studyUid: row.study_uid, detail: { alertId, level: row.level } }, now);
}
