import type { Kysely } from 'kysely';
import { appendAudit } from './audit-log.js';
import type { Database } from './database.js';
import { enqueueJob } from './job-queue.js';
import type { DB, JobsTable } from './schema.js';

/**
 * The outbox: every object the hub sends out is a row here, written in the same transaction as the
 * outbox.send job that sends it, before any send is tried. The job engine retries it with backoff;
 * the row says what goes where and, once a peer confirmed it, when and to whom. Queuing the same
 * object for the same destination again changes nothing (the job key is unique), so a retried
 * publish never sends twice.
 */

export interface OutboxObject {
  studyUid: string;
  destination: string;
  /** sr | seg | kos | summary-image */
  objectKind: string;
  sopClassUid: string;
  sopInstanceUid: string;
  /** In the object store. */
  filePath: string;
}

export interface OutboxEntry extends OutboxObject {
  id: number;
  jobKey: string;
  createdAt: number;
  sentAt: number | null;
  sentTo: string | null;
}

/** Where an object stands: the row's own facts with its job's status, attempts and last error. */
export interface OutboxStatus extends OutboxEntry {
  /** pending (waiting, or waiting to retry), running, sent, failed (dead-lettered: see the job). */
  status: 'pending' | 'running' | 'sent' | 'failed';
  jobId: number | null;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: number | null;
}

export interface QueueOptions {
  maxAttempts: number;
  priority?: number;
}

const jobKeyOf = (o: OutboxObject): string => `outbox.send/${o.destination}/${o.sopInstanceUid}`;

/** Queues each object for its destination (row and job together); an object already queued there is left as it is. */
export async function queueOutbox(database: Database, objects: readonly OutboxObject[], now: number, options: QueueOptions): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    for (const o of objects) {
      const jobKey = jobKeyOf(o);
      await trx
        .insertInto('outbox')
        .values({
          job_key: jobKey,
          study_uid: o.studyUid,
          destination: o.destination,
          object_kind: o.objectKind,
          sop_class_uid: o.sopClassUid,
          sop_instance_uid: o.sopInstanceUid,
          file_path: o.filePath,
          created_at: now,
          sent_at: null,
          sent_to: null,
        })
        .onConflict((oc) => oc.column('job_key').doNothing())
        .execute();
      const row = await trx.selectFrom('outbox').select('id').where('job_key', '=', jobKey).executeTakeFirstOrThrow();
      await enqueueJob(trx, 'outbox.send', { outboxId: row.id, studyUid: o.studyUid }, jobKey, now, options);
    }
  });
}

type OutboxRow = DB['outbox'];

function entryOf(r: Omit<OutboxRow, 'id'> & { id: number }): OutboxEntry {
  return {
    id: r.id,
    jobKey: r.job_key,
    studyUid: r.study_uid,
    destination: r.destination,
    objectKind: r.object_kind,
    sopClassUid: r.sop_class_uid,
    sopInstanceUid: r.sop_instance_uid,
    filePath: r.file_path,
    createdAt: Number(r.created_at),
    sentAt: r.sent_at === null ? null : Number(r.sent_at),
    sentTo: r.sent_to,
  };
}

export async function findOutboxEntry(db: Kysely<DB>, id: number): Promise<OutboxEntry | undefined> {
  const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? entryOf(row) : undefined;
}

/** Records that a peer confirmed the object, with a result.sent audit event (DICOM 110106 Export); the first confirmation's time is kept. */
export async function recordOutboxSent(database: Database, entry: OutboxEntry, sentTo: string, now: number): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await trx.updateTable('outbox').set({ sent_at: now, sent_to: sentTo }).where('id', '=', entry.id).where('sent_at', 'is', null).execute();
    await appendAudit(
      database,
      trx,
      {
        type: 'result.sent',
        outcome: 'success',
        actor: 'radbridge',
        source: sentTo,
        studyUid: entry.studyUid,
        sopInstanceUid: entry.sopInstanceUid,
        detail: { destination: entry.destination, objectKind: entry.objectKind, sopClassUid: entry.sopClassUid, ...(entry.sentAt !== null ? { repeated: true } : {}) },
      },
      now,
    );
  });
}

/** Where a queued send stands from its row's sent time and its job's status (the message outbox uses it too). */
export function sendStatusOf(sentAt: number | null, job: JobsTable['status'] | null): OutboxStatus['status'] {
  if (sentAt !== null) return 'sent';
  if (job === 'failed') return 'failed';
  if (job === 'running') return 'running';
  return 'pending';
}

/** A study's outbox, oldest first, each object with where its sending stands. */
export async function listOutbox(db: Kysely<DB>, studyUid: string): Promise<OutboxStatus[]> {
  const rows = await db
    .selectFrom('outbox')
    .leftJoin('jobs', 'jobs.idempotency_key', 'outbox.job_key')
    .selectAll('outbox')
    .select(['jobs.id as job_id', 'jobs.status as job_status', 'jobs.attempts as job_attempts', 'jobs.last_error as job_error', 'jobs.run_after as job_run_after'])
    .where('outbox.study_uid', '=', studyUid)
    .orderBy('outbox.id')
    .execute();
  return rows.map((r) => {
    const entry = entryOf(r);
    const status = sendStatusOf(entry.sentAt, r.job_status);
    return {
      ...entry,
      status,
      jobId: r.job_id,
      attempts: r.job_attempts ?? 0,
      lastError: r.job_error,
      nextAttemptAt: status === 'pending' && r.job_run_after !== null ? Number(r.job_run_after) : null,
    };
  });
}
