import type { Kysely, Transaction } from 'kysely';
import { markAlertDelivered } from './alert-delivery.js';
import { appendAudit } from './audit-log.js';
import type { Database } from './database.js';
import { enqueueJob } from './job-queue.js';
import { sendStatusOf } from './outbox.js';
import type { DB, MessageOutboxTable } from './schema.js';

/**
 * The message outbox: every message the hub sends (HL7 v2 over MLLP, FHIR bundles, webhooks) is a
 * row here, written in the same transaction as the message.send job that sends it, before any send
 * is tried. The row holds the message as it goes on the wire, with what the receiver knows a repeat
 * by (MSH-10, Bundle id, webhook-id), so every try sends the same message and the receiver can
 * recognise a repeat. Queuing the same logical message for the same destination again changes
 * nothing (the job key is unique).
 */

export type MessageChannel = MessageOutboxTable['channel'];

export interface OutboxMessage {
  studyUid: string;
  channel: MessageChannel;
  /** A name in hl7.peers, fhir.servers or webhooks.endpoints, as the channel says. */
  destination: string;
  /** The logical message (e.g. oru/{result key}). */
  messageKey: string;
  /** MSH-10, Bundle id or webhook-id of `body`. */
  controlId: string;
  /** ER7 text or JSON. */
  body: string;
  /** The alert the message tells of. */
  alertId?: string;
}

export interface MessageEntry extends OutboxMessage {
  id: number;
  jobKey: string;
  createdAt: number;
  sentAt: number | null;
  sentTo: string | null;
  reply: string | null;
}

export interface MessageStatus extends MessageEntry {
  status: 'pending' | 'running' | 'sent' | 'failed' | 'withdrawn';
  attempts: number;
  lastError: string | null;
}

const messageJobKey = (m: OutboxMessage): string => `message.send/${m.channel}/${m.destination}/${m.messageKey}`;

/** Adds messages and their message.send jobs, within `trx` when given (so they land with what caused them) or a transaction of their own. */
export async function queueMessages(database: Database, messages: readonly OutboxMessage[], now: number, options: { maxAttempts: number; priority?: number }, trx?: Transaction<DB>): Promise<void> {
  if (!trx) return database.db.transaction().execute((own) => queueMessages(database, messages, now, options, own));
  for (const m of messages) {
    const jobKey = messageJobKey(m);
    await trx
      .insertInto('message_outbox')
      .values({ job_key: jobKey, study_uid: m.studyUid, channel: m.channel, destination: m.destination, message_key: m.messageKey, control_id: m.controlId, body: m.body, alert_id: m.alertId ?? null, created_at: now, sent_at: null, sent_to: null, reply: null })
      .onConflict((oc) => oc.column('job_key').doNothing())
      .execute();
    const row = await trx.selectFrom('message_outbox').select('id').where('job_key', '=', jobKey).executeTakeFirstOrThrow();
    await enqueueJob(trx, 'message.send', { messageId: row.id, studyUid: m.studyUid }, jobKey, now, options);
  }
}

type Row = DB['message_outbox'];

function entryOf(r: Omit<Row, 'id'> & { id: number }): MessageEntry {
  return {
    id: r.id,
    jobKey: r.job_key,
    studyUid: r.study_uid,
    channel: r.channel,
    destination: r.destination,
    messageKey: r.message_key,
    controlId: r.control_id,
    body: r.body,
    ...(r.alert_id === null ? {} : { alertId: r.alert_id }),
    createdAt: Number(r.created_at),
    sentAt: r.sent_at === null ? null : Number(r.sent_at),
    sentTo: r.sent_to,
    reply: r.reply,
  };
}

export async function findMessage(db: Kysely<DB>, id: number): Promise<MessageEntry | undefined> {
  const row = await db.selectFrom('message_outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? entryOf(row) : undefined;
}

/** The oldest message queued before `entry` for the same destination (and channel) that is neither sent nor dead-lettered: `entry` waits for it, so a peer gets its messages in order. */
export async function earlierUnsent(db: Kysely<DB>, entry: MessageEntry): Promise<MessageEntry | undefined> {
  const row = await db
    .selectFrom('message_outbox')
    .innerJoin('jobs', 'jobs.idempotency_key', 'message_outbox.job_key')
    .selectAll('message_outbox')
    .where('message_outbox.channel', '=', entry.channel)
    .where('message_outbox.destination', '=', entry.destination)
    .where('message_outbox.id', '<', entry.id)
    .where('message_outbox.sent_at', 'is', null)
    .where('jobs.status', 'in', ['pending', 'running'])
    .orderBy('message_outbox.id')
    .executeTakeFirst();
  return row ? entryOf(row) : undefined;
}

/**
 * Records the answer that confirmed a message, with an hl7.sent, fhir.sent or webhook.sent audit
 * event, and marks the alert it tells of delivered; the first confirmation is kept.
 */
export async function recordMessageSent(database: Database, entry: MessageEntry, sentTo: string, reply: string, now: number): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    const updated = await trx.updateTable('message_outbox').set({ sent_at: now, sent_to: sentTo, reply }).where('id', '=', entry.id).where('sent_at', 'is', null).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return;
    await appendAudit(
      database,
      trx,
      { type: `${entry.channel}.sent`, outcome: 'success', actor: 'radbridge', source: sentTo, studyUid: entry.studyUid, detail: { destination: entry.destination, messageKey: entry.messageKey, controlId: entry.controlId, ...(entry.alertId ? { alertId: entry.alertId } : {}) } },
      now,
    );
    if (entry.alertId) await markAlertDelivered(database, trx, entry.alertId, sentTo, now);
  });
}

/**
 * A study's or an alert's messages, oldest first, each with where its sending stands: pending,
 * running, sent, failed (dead-lettered), or withdrawn (an alert message not sent because someone
 * acknowledged the alert first).
 */
export async function listMessages(db: Kysely<DB>, of: { studyUid: string } | { alertId: string }): Promise<MessageStatus[]> {
  const query = db
    .selectFrom('message_outbox')
    .leftJoin('jobs', 'jobs.idempotency_key', 'message_outbox.job_key')
    .selectAll('message_outbox')
    .select(['jobs.status as job_status', 'jobs.attempts as job_attempts', 'jobs.last_error as job_error'])
    .orderBy('message_outbox.id');
  const rows = await ('studyUid' in of ? query.where('message_outbox.study_uid', '=', of.studyUid) : query.where('message_outbox.alert_id', '=', of.alertId)).execute();
  return rows.map((r) => {
    const entry = entryOf(r);
    const status = r.job_status === 'done' && entry.sentAt === null ? 'withdrawn' : sendStatusOf(entry.sentAt, r.job_status);
    return { ...entry, status, attempts: r.job_attempts ?? 0, lastError: r.job_error };
  });
}
