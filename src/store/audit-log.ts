import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.js';
import type { AuditLogTable, DB } from './schema.js';

/**
 * The append-only, hash-chained audit log. Event codes follow DICOM PS3.15 audit messages
 * (DCM 110104 DICOM Instances Transferred, 110103 Instances Accessed, 110112 Query,
 * 110106 Export, 110113 Security Alert).
 */
export const auditEventCodes = {
  'instance.received': '110104',
  'instance.duplicate-identical': '110104',
  'instance.duplicate-rejected': '110104',
  'instance.replaced': '110104',
  'instance.kept-both': '110104',
  'object.rejected': '110113',
  'association.rejected': '110113',
  'instances.retrieved': '110103',
  'instances.queried': '110112',
  // Instances sent on to a configured DICOM destination (the forward routing action).
  'instances.forwarded': '110106',
  'instances.deidentified-for-remote': '110106',
  // A result object the hub wrote (SR, SEG, KOS) sent to a destination from the outbox.
  'result.sent': '110106',
  // An HL7 v2 message (a result, a priority update) confirmed by its receiver: Export of patient data.
  'hl7.sent': '110106',
  // A FHIR bundle accepted by its server, a webhook accepted by its receiver: Export.
  'fhir.sent': '110106',
  'webhook.sent': '110106',
  // Application Activity: the hub raising an alert, a contact's system confirming it, the hub escalating it.
  'alert.created': '110100',
  'alert.delivered': '110100',
  'alert.escalated': '110100',
  // Patient Record: a person (or a receiving system for one) acknowledging an alert about a patient.
  'alert.acknowledged': '110110',
  // Application Activity: an operator acting on the hub's own work (a dead-lettered job queued again).
  'job.retried': '110100',
  // PS3.15 files configuration changes under Security Alert (event type 110131 Software Configuration).
  'config.rules-changed': '110113',
  'config.rollout-mode-changed': '110113',
  'config.analyzer-registered': '110113',
  'config.analyzer-approval-changed': '110113',
  // Patient Record: a person reading a study's analysis results.
  'results.read': '110110',
  // Patient Record: a person measuring a stored series (semi-automatic volumetry).
  'volumetry.read': '110110',
  'injuries.read': '110110',
  // Patient Record: a person confirming or rejecting an injury's AIS.
  'injury.ais-decided': '110110',
} as const;

export type AuditEventType = keyof typeof auditEventCodes;

export interface AuditEvent {
  type: AuditEventType;
  outcome: AuditLogTable['outcome'];
  /** Who acted: a calling AE title, a person, or the hub itself. */
  actor: string;
  /** Where from: an address or a peer name. */
  source: string;
  studyUid?: string | undefined;
  sopInstanceUid?: string | undefined;
  detail?: Record<string, unknown>;
}

export const GENESIS_HASH = '0'.repeat(64);

type Row = Omit<AuditLogTable, 'seq' | 'hash'>;

function hashOf(row: Row): string {
  const canonical = JSON.stringify([
    row.recorded_at,
    row.event_type,
    row.event_code,
    row.outcome,
    row.actor,
    row.source,
    row.study_uid,
    row.sop_instance_uid,
    row.detail,
    row.prev_hash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export async function appendAudit(database: Database, trx: Transaction<DB>, event: AuditEvent, now: number): Promise<void> {
  await database.lockAuditChain(trx);
  const last = await trx.selectFrom('audit_log').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const row: Row = {
    recorded_at: now,
    event_type: event.type,
    event_code: auditEventCodes[event.type],
    outcome: event.outcome,
    actor: event.actor,
    source: event.source,
    study_uid: event.studyUid ?? null,
    sop_instance_uid: event.sopInstanceUid ?? null,
    detail: JSON.stringify(event.detail ?? {}),
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  await trx.insertInto('audit_log').values({ ...row, hash: hashOf(row) }).execute();
}

/** Records one event in a transaction of its own. */
export async function recordAudit(database: Database, event: AuditEvent, now: number): Promise<void> {
  await database.db.transaction().execute((trx) => appendAudit(database, trx, event, now));
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstBadSeq?: number;
}

/** Recomputes every link of the chain. */
export async function verifyAuditChain(db: Kysely<DB>): Promise<ChainVerification> {
  let prev = GENESIS_HASH;
  let checked = 0;
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(1000).execute();
    if (rows.length === 0) return { ok: true, checked };
    for (const { seq, hash, ...row } of rows) {
      if (row.prev_hash !== prev || hashOf(row) !== hash) return { ok: false, checked, firstBadSeq: seq };
      prev = hash;
      checked++;
      after = seq;
    }
  }
}
