import type { Kysely, Updateable } from 'kysely';
import type { Database } from './database.js';
import type { DB, JobsTable } from './schema.js';

/** A job a worker holds under a lease. */
export interface LeasedJob {
  id: number;
  kind: string;
  payload: unknown;
  idempotencyKey: string;
  /** This attempt, the first being 1. */
  attempts: number;
  maxAttempts: number;
  deadlineAt: number | null;
  /** When the job was due: its enqueue time, or when its retry was due. */
  runAfter: number;
}

/**
 * Claims the next due job of one of `kinds` for `owner` until `leaseUntil`: a pending job whose
 * time has come, or a running one whose lease has expired (its worker died); the highest priority
 * first, then the longest due. One UPDATE whose
 * sub-select skips rows other workers are claiming, so no two workers win the same job.
 */
export async function claimNextJob(database: Database, kinds: readonly string[], owner: string, now: number, leaseUntil: number): Promise<LeasedJob | undefined> {
  if (kinds.length === 0) return undefined;
  const { db } = database;
  const next = database.skipLocked(
    db
      .selectFrom('jobs')
      .select('id')
      .where('kind', 'in', kinds)
      .where((eb) => eb.or([eb.and([eb('status', '=', 'pending'), eb('run_after', '<=', now)]), eb.and([eb('status', '=', 'running'), eb('lease_until', '<', now)])]))
      .orderBy('priority', 'desc')
      .orderBy('run_after')
      .orderBy('id')
      .limit(1),
  );
  const row = await db
    .updateTable('jobs')
    .set((eb) => ({ status: 'running', attempts: eb('attempts', '+', 1), lease_owner: owner, lease_until: leaseUntil, started_at: now, updated_at: now }))
    .where('id', '=', next)
    .returning(['id', 'kind', 'payload', 'idempotency_key', 'attempts', 'max_attempts', 'deadline_at', 'run_after'])
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    kind: row.kind,
    payload: JSON.parse(row.payload) as unknown,
    idempotencyKey: row.idempotency_key,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    deadlineAt: row.deadline_at,
    runAfter: row.run_after,
  };
}

/** The updates below apply only while `owner` still holds the lease; false when it lost it. */
async function updateLeased(db: Kysely<DB>, id: number, owner: string, set: Updateable<JobsTable>): Promise<boolean> {
  const result = await db.updateTable('jobs').set(set).where('id', '=', id).where('status', '=', 'running').where('lease_owner', '=', owner).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

const unleased = { lease_owner: null, lease_until: null } as const;

export function renewLease(db: Kysely<DB>, id: number, owner: string, leaseUntil: number, now: number): Promise<boolean> {
  return updateLeased(db, id, owner, { lease_until: leaseUntil, updated_at: now });
}

export function completeLeasedJob(db: Kysely<DB>, id: number, owner: string, now: number): Promise<boolean> {
  return updateLeased(db, id, owner, { status: 'done', last_error: null, ...unleased, updated_at: now });
}

/** Queues the job again from `runAfter` after a failed attempt. */
export function retryLeasedJob(db: Kysely<DB>, id: number, owner: string, error: string, runAfter: number, now: number): Promise<boolean> {
  return updateLeased(db, id, owner, { status: 'pending', last_error: error, run_after: runAfter, ...unleased, updated_at: now });
}

/** Gives the job back at once, its interrupted attempt not counted (the worker is stopping). */
export async function releaseLeasedJob(db: Kysely<DB>, id: number, owner: string, reason: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set((eb) => ({ status: 'pending', attempts: eb('attempts', '-', 1), last_error: reason, run_after: now, ...unleased, updated_at: now }))
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Moves the job to the dead-letter list (status 'failed') with its reason. */
export function deadLetterLeasedJob(db: Kysely<DB>, id: number, owner: string, reason: string, now: number): Promise<boolean> {
  return updateLeased(db, id, owner, { status: 'failed', last_error: reason, ...unleased, dead_lettered_at: now, updated_at: now });
}

/** Jobs of the given kinds that are due (pending with their time come) or running. */
export async function countDueJobs(db: Kysely<DB>, kinds: readonly string[], now: number): Promise<number> {
  if (kinds.length === 0) return 0;
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('kind', 'in', kinds)
    .where((eb) => eb.or([eb('status', '=', 'running'), eb.and([eb('status', '=', 'pending'), eb('run_after', '<=', now)])]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
