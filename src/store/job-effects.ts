import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.js';

/**
 * Records a job's effect under its idempotency key unless one is recorded already, and says whether
 * this call recorded it. A handler makes its side effect in the same transaction and only when this
 * returns true, so a job run twice (at-least-once execution) has its effect once.
 */
export async function recordEffectOnce(trx: Transaction<DB>, idempotencyKey: string, effect: string, now: number): Promise<boolean> {
  const result = await trx
    .insertInto('job_effects')
    .values({ idempotency_key: idempotencyKey, effect, recorded_at: now })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** The effects recorded under keys starting with `keyPrefix` (a literal without LIKE wildcards). */
export async function listEffects(db: Kysely<DB>, keyPrefix: string): Promise<Array<{ idempotencyKey: string; effect: string }>> {
  const rows = await db.selectFrom('job_effects').select(['idempotency_key', 'effect']).where('idempotency_key', 'like', `${keyPrefix}%`).orderBy('idempotency_key').execute();
  return rows.map((r) => ({ idempotencyKey: r.idempotency_key, effect: r.effect }));
}
