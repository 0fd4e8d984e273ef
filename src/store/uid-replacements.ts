import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

/**
 * The UIDs replaced on de-identification and their replacements, kept in the hub so that the same
 * original always gets the same replacement (across files, runs and hubs sharing PostgreSQL) and
 * results sent back under a replacement re-attach to the original.
 */

const BATCH = 500;

function batches<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += BATCH) out.push(values.slice(i, i + BATCH));
  return out;
}

async function replacementsOf(db: Kysely<DB>, originals: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const batch of batches(originals)) {
    const rows = await db.selectFrom('uid_replacements').select(['original_uid', 'replacement_uid']).where('original_uid', 'in', batch).execute();
    for (const r of rows) found.set(r.original_uid, r.replacement_uid);
  }
  return found;
}

/**
 * The replacement of each original: the one already recorded, else the proposed one, recorded now.
 * A proposal that loses a race with another writer gives way to the winner's replacement.
 */
export async function claimUidReplacements(db: Kysely<DB>, proposals: ReadonlyMap<string, string>, now: number): Promise<Map<string, string>> {
  const originals = [...proposals.keys()];
  const known = await replacementsOf(db, originals);
  const missing = originals.filter((o) => !known.has(o));
  for (const batch of batches(missing)) {
    await db
      .insertInto('uid_replacements')
      .values(batch.map((o) => ({ original_uid: o, replacement_uid: proposals.get(o) ?? '', created_at: now })))
      .onConflict((oc) => oc.column('original_uid').doNothing())
      .execute();
  }
  const all = missing.length > 0 ? await replacementsOf(db, originals) : known;
  for (const o of originals) if (!all.has(o)) throw new Error(`no replacement recorded for UID ${o}`);
  return all;
}

/** The original of each replacement that the hub made; replacements it never made are absent. */
export async function originalUids(db: Kysely<DB>, replacements: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const batch of batches([...new Set(replacements)])) {
    const rows = await db.selectFrom('uid_replacements').select(['original_uid', 'replacement_uid']).where('replacement_uid', 'in', batch).execute();
    for (const r of rows) found.set(r.replacement_uid, r.original_uid);
  }
  return found;
}
