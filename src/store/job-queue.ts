import type { Kysely, Transaction } from 'kysely';
import type { DB, JobsTable } from './schema.js';

/** Job kinds and their payloads. Stages hand work to each other only through these. */
export interface JobPayloads {
  'series.complete': { seriesUid: string; studyUid: string; generation: number; amendment: boolean; instanceCount: number };
  'study.complete': { studyUid: string; generation: number; amendment: boolean; seriesCount: number; instanceCount: number };
  'study.pull': { studyUid: string; requestedBy: string };
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

export async function listJobs(db: Kysely<DB>, kind?: JobKind): Promise<Array<{ id: number; kind: string; payload: unknown; status: string }>> {
  let q = db.selectFrom('jobs').select(['id', 'kind', 'payload', 'status']).orderBy('id');
  if (kind) q = q.where('kind', '=', kind);
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }));
}
