import type { Kysely, Transaction } from 'kysely';
import type { AlertLevel, AlertState } from '../domain/alert.js';
import { lanePriority } from '../domain/lane.js';
import { appendAudit } from './audit-log.js';
import type { Database } from './database.js';
import { enqueueJob } from './job-queue.js';
import { queueMessages, type OutboxMessage } from './message-outbox.js';
import type { AlertsTable, DB } from './schema.js';

/**
 * Alerts and their lifecycle (docs/adr/0023-alerts-fhir-webhooks.md): created with the first
 * step's messages and its escalation job in one transaction; delivered when a contact's system
 * confirms a message; escalated step by step while nobody acknowledges; acknowledged once, by a
 * person or a receiving system, the first acknowledgement kept. Every step is audited.
 */

export interface AlertRecord {
  alertId: string;
  studyUid: string;
  level: AlertLevel;
  reasons: string[];
  state: AlertState;
  step: number;
  createdAt: number;
  deliveredAt: number | null;
  escalatedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  acknowledgedVia: 'person' | 'system' | null;
  timeToAcknowledgeMs: number | null;
}

/** What a step sends: its messages through the outbox, and when the next step is due unless someone acknowledges. */
export interface AlertStepWork {
  messages: OutboxMessage[];
  escalateAt?: number;
}

/** Raising an alert, its messages and its escalations are tried until the alert is acknowledged: a message to an acknowledged alert is withdrawn instead of sent. */
export const UNTIL_ACKNOWLEDGED = 2_000_000_000;

function recordOf(r: Omit<AlertsTable, 'id'>): AlertRecord {
  const at = (v: number | null) => (v === null ? null : Number(v));
  const createdAt = Number(r.created_at);
  const acknowledgedAt = at(r.acknowledged_at);
  return {
    alertId: r.alert_id,
    studyUid: r.study_uid,
    level: r.level,
    reasons: JSON.parse(r.reasons) as string[],
    state: r.state,
    step: r.step,
    createdAt,
    deliveredAt: at(r.delivered_at),
    escalatedAt: at(r.escalated_at),
    acknowledgedAt,
    acknowledgedBy: r.acknowledged_by,
    acknowledgedVia: r.acknowledged_via,
    timeToAcknowledgeMs: acknowledgedAt === null ? null : acknowledgedAt - createdAt,
  };
}

/** Alert work is claimed first, in the urgent lane, whatever lane the study's analysis ran in. */
async function queueStepWork(database: Database, trx: Transaction<DB>, alert: { alertId: string; studyUid: string; step: number }, work: AlertStepWork, now: number): Promise<void> {
  const priority = lanePriority('urgent');
  await queueMessages(database, work.messages, now, { maxAttempts: UNTIL_ACKNOWLEDGED, priority }, trx);
  if (work.escalateAt === undefined) return;
  const payload = { alertId: alert.alertId, studyUid: alert.studyUid, step: alert.step };
  await enqueueJob(trx, 'alert.escalate', payload, `alert.escalate/${alert.alertId}/${alert.step}`, now, { runAfter: work.escalateAt, maxAttempts: UNTIL_ACKNOWLEDGED, priority });
}

/** Creates the alert with its first step's work unless it exists; false when it did. */
export async function createAlert(database: Database, alert: { alertId: string; studyUid: string; level: AlertLevel; reasons: string[] }, work: AlertStepWork, now: number): Promise<boolean> {
  return database.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('alerts')
      .values({ alert_id: alert.alertId, study_uid: alert.studyUid, level: alert.level, reasons: JSON.stringify(alert.reasons), state: 'created', step: 0, created_at: now, delivered_at: null, escalated_at: null, acknowledged_at: null, acknowledged_by: null, acknowledged_via: null })
      .onConflict((oc) => oc.column('alert_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await appendAudit(database, trx, { type: 'alert.created', outcome: 'success', actor: 'radbridge', source: 'triage', studyUid: alert.studyUid, detail: { alertId: alert.alertId, level: alert.level, reasons: alert.reasons, messages: work.messages.length } }, now);
    await queueStepWork(database, trx, { ...alert, step: 0 }, work, now);
    return true;
  });
}

/** Moves an unacknowledged alert from step `from` to the next with that step's work; false when it was acknowledged or has moved on. */
export async function escalateAlert(database: Database, alert: AlertRecord, from: number, work: AlertStepWork, now: number): Promise<boolean> {
  return database.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('alerts')
      .set({ step: from + 1, escalated_at: now })
      .where('alert_id', '=', alert.alertId)
      .where('step', '=', from)
      .where('state', '!=', 'acknowledged')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    await appendAudit(database, trx, { type: 'alert.escalated', outcome: 'success', actor: 'radbridge', source: 'triage', studyUid: alert.studyUid, detail: { alertId: alert.alertId, level: alert.level, step: from + 1, messages: work.messages.length } }, now);
    await queueStepWork(database, trx, { alertId: alert.alertId, studyUid: alert.studyUid, step: from + 1 }, work, now);
    return true;
  });
}

/**
 * Acknowledges an alert for `by` (a person, or a receiving system named with its endpoint). The
 * first acknowledgement stands: a later one changes nothing and `first` is false.
 */
export async function acknowledgeAlert(database: Database, alertId: string, by: string, via: 'person' | 'system', source: string, now: number): Promise<{ alert: AlertRecord; first: boolean } | undefined> {
  return database.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('alerts')
      .set({ state: 'acknowledged', acknowledged_at: now, acknowledged_by: by, acknowledged_via: via })
      .where('alert_id', '=', alertId)
      .where('state', '!=', 'acknowledged')
      .executeTakeFirst();
    const row = await trx.selectFrom('alerts').selectAll().where('alert_id', '=', alertId).executeTakeFirst();
    if (!row) return undefined;
    const alert = recordOf(row);
    const first = Number(updated.numUpdatedRows) > 0;
    if (first) {
      await appendAudit(database, trx, { type: 'alert.acknowledged', outcome: 'success', actor: by, source, studyUid: alert.studyUid, detail: { alertId, level: alert.level, via, step: alert.step, timeToAcknowledgeMs: alert.timeToAcknowledgeMs } }, now);
    }
    return { alert, first };
  });
}

export async function findAlert(db: Kysely<DB>, alertId: string): Promise<AlertRecord | undefined> {
  const row = await db.selectFrom('alerts').selectAll().where('alert_id', '=', alertId).executeTakeFirst();
  return row ? recordOf(row) : undefined;
}

/** Alerts, newest first, optionally in one state or of one study. */
export async function listAlerts(db: Kysely<DB>, filter: { state?: AlertState; studyUid?: string; limit: number }): Promise<AlertRecord[]> {
  let query = db.selectFrom('alerts').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.studyUid) query = query.where('study_uid', '=', filter.studyUid);
  return (await query.execute()).map(recordOf);
}
