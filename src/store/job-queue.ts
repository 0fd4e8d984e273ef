import { EventEmitter } from 'node:events';
import type { Kysely, Transaction } from 'kysely';
import { NORMAL_PRIORITY, type Lane } from '../domain/lane.js';
import type { DB } from './schema.js';

/** Job kinds and their payloads. Stages hand work to each other only through these. */
export interface JobPayloads {
  'series.complete': { seriesUid: string; studyUid: string; generation: number; amendment: boolean; instanceCount: number };
  'study.complete': { studyUid: string; generation: number; amendment: boolean; seriesCount: number; instanceCount: number };
  'study.pull': { studyUid: string; requestedBy: string; reason?: string };
  /** Does nothing but what the registered handler does: engine tests, the jobs bench, health probes. */
  'job.probe': { label: string };
  /** One analyzer on the series a routing rule selected; the rollout mode is looked up when the results come. */
  'analysis.run': { studyUid: string; seriesUids: string[]; analyzerId: string; lane: Lane; ruleId: string; generation: number; amendment: boolean };
  /** The result objects (SR, SEG, KOS) of one stored analysis result, written and queued for the result destinations. */
  'results.publish': { studyUid: string; resultKey: string; revision: number; lane: Lane };
  /** One object of the outbox (src/store/outbox.ts) to its destination. */
  'outbox.send': { outboxId: number; studyUid: string };
  /** One message of the message outbox (src/store/message-outbox.ts) to its HL7 v2 peer. */
  'message.send': { messageId: number; studyUid: string };
  /** An alert for a study an active analyzer made urgent or critical, raised once per study and level (src/notify/alert-raise.ts). */
  'alert.raise': { studyUid: string; level: 'critical' | 'urgent'; reasons: string[] };
  /** The next escalation step of an alert unless someone acknowledged it by then (src/notify/alert-escalate.ts). */
  'alert.escalate': { alertId: string; studyUid: string; step: number };
  'study.forward': { studyUid: string; seriesUids: string[]; destination: string; lane: Lane; ruleId: string; generation: number; amendment: boolean };
}

export type JobKind = keyof JobPayloads;

export interface EnqueueOptions {
  /** Tries, the first included, before a transient failure dead-letters the job. Default 5. */
  maxAttempts?: number;
  /** Dead-letter the job instead of running it after this time. */
  deadlineAt?: number;
  /** Not before this time. Default now. */
  runAfter?: number;
  /** Higher is claimed first among due jobs. Default NORMAL_PRIORITY; routed work takes its lane's (src/domain/lane.ts). */
  priority?: number;
}

/**
 * Emits 'enqueued' when this process queues a job, so job engines in the process wake at once
 * instead of at their next poll (workers in other processes find it by polling).
 */
export const jobSignals = new EventEmitter();

/** Adds a job unless one with the same idempotency key exists. */
export async function enqueueJob<K extends JobKind>(
  db: Kysely<DB> | Transaction<DB>,
  kind: K,
  payload: JobPayloads[K],
  idempotencyKey: string,
  now: number,
  options: EnqueueOptions = {},
): Promise<void> {
  await insertJob(db, kind, payload, idempotencyKey, now, options);
  jobSignals.emit('enqueued');
}

async function insertJob(db: Kysely<DB> | Transaction<DB>, kind: string, payload: unknown, idempotencyKey: string, now: number, options: EnqueueOptions): Promise<void> {
  await db
    .insertInto('jobs')
    .values({
      kind,
      payload: JSON.stringify(payload),
      idempotency_key: idempotencyKey,
      status: 'pending',
      attempts: 0,
      last_error: null,
      run_after: options.runAfter ?? now,
      created_at: now,
      updated_at: now,
      max_attempts: options.maxAttempts ?? 5,
      deadline_at: options.deadlineAt ?? null,
      priority: options.priority ?? NORMAL_PRIORITY,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}

/**
 * Adds a job unless one under the same `keyPrefix` (a literal without LIKE wildcards) has not
 * started yet, and returns the id of the job that will do the work. A job that has started (or
 * ended) does not absorb new requests: the key names the last started job, so the next request
 * after it starts or ends queues exactly one new job, even when requests race.
 */
export async function enqueueCoalescedJob<K extends JobKind>(
  db: Kysely<DB>,
  kind: K,
  payload: JobPayloads[K],
  keyPrefix: string,
  now: number,
  options: EnqueueOptions = {},
): Promise<number> {
  const started = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.max('id').as('last'))
    .where('kind', '=', kind)
    .where('idempotency_key', 'like', `${keyPrefix}/%`)
    .where('status', '!=', 'pending')
    .executeTakeFirst();
  const key = `${keyPrefix}/after/${started?.last ?? 0}`;
  await enqueueJob(db, kind, payload, key, now, options);
  const job = await db.selectFrom('jobs').select('id').where('idempotency_key', '=', key).executeTakeFirstOrThrow();
  return job.id;
}

export async function listJobs(db: Kysely<DB>, kind?: JobKind): Promise<Array<{ id: number; kind: string; payload: unknown; status: string }>> {
  let q = db.selectFrom('jobs').select(['id', 'kind', 'payload', 'status']).orderBy('id');
  if (kind) q = q.where('kind', '=', kind);
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }));
}
