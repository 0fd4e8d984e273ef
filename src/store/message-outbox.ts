import type { Kysely } from 'kysely';
import { appendAudit } from './audit-log.js';
import type { Database } from './database.js';
import { enqueueJob } from './job-queue.js';
import { sendStatusOf } from './outbox.js';
import type { DB } from './schema.js';

/**
 * The message outbox: every HL7 v2 message the hub sends is a row here, written in the same
 * transaction as the message.send job that sends it, before any send is tried. The row holds the
 * message as it goes on the wire, its MSH-10 included, so every try sends the same bytes and the
 * receiver can recognise a repeat. Queuing the same logical message for the same destination
 * again changes nothing (the job key is unique).
 */

export interface OutboxMessage {
  studyUid: string;
  destination: string;
  /** The logical message (e.g. oru/{result key}). */
  messageKey: string;
  /** MSH-10 of `body`. */
  controlId: string;
  /** ER7 text. */
  body: string;
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
  status: 'pending' | 'running' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
}

const messageJobKey = (destination: string, messageKey: string): string => `message.send/${destination}/${messageKey}`;

export async function queueMessages(database: Database, messages: readonly OutboxMessage[], now: number, options: { maxAttempts: number; priority?: number }): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    for (const m of messages) {
      const jobKey = messageJobKey(m.destination, m.messageKey);
      await trx
        .insertInto('message_outbox')
        .values({ job_key: jobKey, study_uid: m.studyUid, destination: m.destination, message_key: m.messageKey, control_id: m.controlId, body: m.body, created_at: now, sent_at: null, sent_to: null, reply: null })
        .onConflict((oc) => oc.column('job_key').doNothing())
        .execute();
      const row = await trx.selectFrom('message_outbox').select('id').where('job_key', '=', jobKey).executeTakeFirstOrThrow();
      await enqueueJob(trx, 'message.send', { messageId: row.id, studyUid: m.studyUid }, jobKey, now, options);
    }
  });
}

type Row = DB['message_outbox'];

function entryOf(r: Omit<Row, 'id'> & { id: number }): MessageEntry {
  return {
    id: r.id,
    jobKey: r.job_key,
    studyUid: r.study_uid,
    destination: r.destination,
    messageKey: r.message_key,
    controlId: r.control_id,
    body: r.body,
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

/** The oldest message queued before `entry` for the same destination that is neither sent nor dead-lettered: `entry` waits for it, so a peer gets its messages in order. */
export async function earlierUnsent(db: Kysely<DB>, entry: MessageEntry): Promise<MessageEntry | undefined> {
  const row = await db
    .selectFrom('message_outbox')
    .innerJoin('jobs', 'jobs.idempotency_key', 'message_outbox.job_key')
    .selectAll('message_outbox')
    .where('message_outbox.destination', '=', entry.destination)
    .where('message_outbox.id', '<', entry.id)
    .where('message_outbox.sent_at', 'is', null)
    .where('jobs.status', 'in', ['pending', 'running'])
    .orderBy('message_outbox.id')
    .executeTakeFirst();
  return row ? entryOf(row) : undefined;
}

/** Records the acknowledgement that confirmed a message, with an hl7.sent audit event; the first confirmation is kept. */
export async function recordMessageSent(database: Database, entry: MessageEntry, sentTo: string, reply: string, now: number): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await trx.updateTable('message_outbox').set({ sent_at: now, sent_to: sentTo, reply }).where('id', '=', entry.id).where('sent_at', 'is', null).execute();
    await appendAudit(
      database,
      trx,
      { type: 'hl7.sent', outcome: 'success', actor: 'radbridge', source: sentTo, studyUid: entry.studyUid, detail: { destination: entry.destination, messageKey: entry.messageKey, controlId: entry.controlId } },
      now,
    );
  });
}

/** A study's messages, oldest first, each with where its sending stands. */
export async function listMessages(db: Kysely<DB>, studyUid: string): Promise<MessageStatus[]> {
  const rows = await db
    .selectFrom('message_outbox')
    .leftJoin('jobs', 'jobs.idempotency_key', 'message_outbox.job_key')
    .selectAll('message_outbox')
    .select(['jobs.status as job_status', 'jobs.attempts as job_attempts', 'jobs.last_error as job_error'])
    .where('message_outbox.study_uid', '=', studyUid)
    .orderBy('message_outbox.id')
    .execute();
  return rows.map((r) => {
    const entry = entryOf(r);
    return { ...entry, status: sendStatusOf(entry.sentAt, r.job_status), attempts: r.job_attempts ?? 0, lastError: r.job_error };
  });
}
