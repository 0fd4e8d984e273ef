import type { Kysely, Transaction } from 'kysely';
import type { Lane } from '../domain/lane.js';
import type { DB, JobsTable } from './schema.js';

/** Job kinds and their payloads. Stages hand work to each other only through these. */
export interface JobPayloads {
  'series.complete': { seriesUid: string; studyUid: string; generation: number; amendment: boolean; instanceCount: number };
  'study.complete': { studyUid: string; generation: number; amendment: boolean; seriesCount: number; instanceCount: number };
  'study.pull': { studyUid: string; requestedBy: string; reason?: string };
  /** One analyzer on the series a routing rule selected; the rollout mode is looked up when the results come. */
  'analysis.run': { studyUid: string; seriesUids: string[]; analyzerId: string; lane: Lane; ruleId: string; generation: number; amendment: boolean };
  'study.forward': { studyUid: string; seriesUids: string[]; destination: string; lane: Lane; ruleId: string; generation: number; amendment: boolean };
}

export type JobKind = keyof JobPayloads;

export interface Job<K extends JobKind = JobKind> {
  id: number;
  kind: K;
  payload: JobPayloads[K];
  attempts: number;
}

/** Adds a job unless one with the same idempotency key exists. */
export async function enqueueJob<K extends JobKind>(
  db: Kysely<DB> | Transaction<DB>,
  kind: K,
  payload: JobPayloads[K],
  idempotencyKey: string,
  now: number,
): Promise<void> {
  await db
    .insertInto('jobs')
    .values({
      kind,
      payload: JSON.stringify(payload),
      idempotency_key: idempotencyKey,
      status: 'pending',
      attempts: 0,
      last_error: null,
      run_after: now,
      created_at: now,
      updated_at: now,
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
): Promise<number> {
  const started = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.max('id').as('last'))
    .where('kind', '=', kind)
    .where('idempotency_key', 'like', `${keyPrefix}/%`)
    .where('status', '!=', 'pending')
    .executeTakeFirst();
  const key = `${keyPrefix}/after/${started?.last ?? 0}`;
  await enqueueJob(db, kind, payload, key, now);
  const job = await db.selectFrom('jobs').select('id').where('idempotency_key', '=', key).executeTakeFirstOrThrow();
  return job.id;
}

/**
 * Claims the oldest due job of a kind. Claiming is a conditional update, so two workers never
 * both win the same job.
 */
export async function claimJob<K extends JobKind>(db: Kysely<DB>, kind: K, now: number): Promise<Job<K> | undefined> {
  for (;;) {
    const candidate = await db
      .selectFrom('jobs')
      .select(['id'])
      .where('kind', '=', kind)
      .where('status', '=', 'pending')
      .where('run_after', '<=', now)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (!candidate) return undefined;
    const claimed = await db
      .updateTable('jobs')
      .set((eb) => ({ status: 'running', attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', '=', candidate.id)
      .where('status', '=', 'pending')
      .returning(['id', 'kind', 'payload', 'attempts'])
      .executeTakeFirst();
    if (claimed) return { id: claimed.id, kind, payload: JSON.parse(claimed.payload) as JobPayloads[K], attempts: claimed.attempts };
  }
}

export async function finishJob(db: Kysely<DB>, id: number, status: JobsTable['status'], error: string | null, now: number): Promise<void> {
  await db.updateTable('jobs').set({ status, last_error: error, updated_at: now }).where('id', '=', id).execute();
}

/** Puts a claimed job back in the queue, to be claimed again from `runAfter`. */
export async function retryJobLater(db: Kysely<DB>, id: number, error: string, runAfter: number, now: number): Promise<void> {
  await db.updateTable('jobs').set({ status: 'pending', last_error: error, run_after: runAfter, updated_at: now }).where('id', '=', id).execute();
}

export interface JobRecord {
  id: number;
  kind: string;
  status: JobsTable['status'];
  attempts: number;
  last_error: string | null;
  payload: unknown;
}

export async function getJob(db: Kysely<DB>, id: number): Promise<JobRecord | undefined> {
  const row = await db.selectFrom('jobs').select(['id', 'kind', 'status', 'attempts', 'last_error', 'payload']).where('id', '=', id).executeTakeFirst();
  return row && { ...row, payload: JSON.parse(row.payload) as unknown };
}

export async function listJobs(db: Kysely<DB>, kind?: JobKind): Promise<Array<{ id: number; kind: string; payload: unknown; status: string }>> {
  let q = db.selectFrom('jobs').select(['id', 'kind', 'payload', 'status']).orderBy('id');
  if (kind) q = q.where('kind', '=', kind);
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }));
}
