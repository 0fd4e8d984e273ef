import type { Kysely, Transaction } from 'kysely';
import type { DB, JobsTable } from './schema.js';

/** A job as the API shows it. */
export interface JobRecord {
  id: number;
  kind: string;
  status: JobsTable['status'];
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  idempotency_key: string;
  run_after: number;
  deadline_at: number | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  dead_lettered_at: number | null;
  payload: unknown;
}

const columns = [
  'id',
  'kind',
  'status',
  'attempts',
  'max_attempts',
  'last_error',
  'idempotency_key',
  'run_after',
  'deadline_at',
  'created_at',
  'updated_at',
  'started_at',
  'dead_lettered_at',
  'payload',
] as const;

export async function getJob(db: Kysely<DB> | Transaction<DB>, id: number): Promise<JobRecord | undefined> {
  const row = await db.selectFrom('jobs').select(columns).where('id', '=', id).executeTakeFirst();
  return row && { ...row, payload: JSON.parse(row.payload) as unknown };
}

export interface JobFilter {
  status?: JobsTable['status'] | undefined;
  kind?: string | undefined;
  limit: number;
}

/** The newest jobs first; with status 'failed', the dead-letter list with each job's reason. */
export async function listJobRecords(db: Kysely<DB>, filter: JobFilter): Promise<JobRecord[]> {
  let query = db.selectFrom('jobs').select(columns).orderBy('id', 'desc').limit(filter.limit);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  const rows = await query.execute();
  return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }));
}

/** Dead-lettered jobs by kind. */
export async function countDeadLetters(db: Kysely<DB>): Promise<Array<{ kind: string; count: number }>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['kind', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('status', '=', 'failed')
    .groupBy('kind')
    .execute();
  return rows.map((r) => ({ kind: r.kind, count: Number(r.n) }));
}

/**
 * Puts a dead-lettered job back in the queue with its attempts reset and its deadline lifted.
 * Returns the job as it was before, or undefined when there is no such job; only a job whose
 * status was 'failed' was put back.
 */
export async function retryDeadLetteredJob(trx: Transaction<DB>, id: number, now: number): Promise<JobRecord | undefined> {
  const before = await getJob(trx, id);
  if (before?.status !== 'failed') return before;
  const result = await trx
    .updateTable('jobs')
    .set({ status: 'pending', attempts: 0, run_after: now, deadline_at: null, dead_lettered_at: null, lease_owner: null, lease_until: null, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  // Another request put it back first: report the job as it is now.
  return result.numUpdatedRows > 0n ? before : getJob(trx, id);
}
