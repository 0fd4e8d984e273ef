import type { Kysely } from 'kysely';
import { DEFAULT_ROLLOUT_MODE, isRolloutMode, type RolloutMode } from '../domain/rollout-mode.js';
import { appendAudit } from './audit-log.js';
import type { Database } from './database.js';
import type { DB } from './schema.js';

/** Rollout modes per analyzer and site. A site without a mode of its own takes the analyzer's '*' mode, else silent. */

export const EVERY_SITE = '*';

export interface AnalyzerMode {
  analyzerId: string;
  site: string;
  mode: RolloutMode;
  changedBy: string;
  reason: string;
  changedAt: number;
}

function modeOf(value: string): RolloutMode {
  return isRolloutMode(value) ? value : DEFAULT_ROLLOUT_MODE;
}

/** The mode that gates what an analyzer's results may do at a site: showing, sending, reprioritising, alerting. */
export async function rolloutModeOf(db: Kysely<DB>, analyzerId: string, site: string = EVERY_SITE): Promise<RolloutMode> {
  const rows = await db.selectFrom('analyzer_modes').select(['site', 'mode']).where('analyzer_id', '=', analyzerId).where('site', 'in', [site, EVERY_SITE]).execute();
  const row = rows.find((r) => r.site === site) ?? rows.find((r) => r.site === EVERY_SITE);
  return row ? modeOf(row.mode) : DEFAULT_ROLLOUT_MODE;
}

export async function listAnalyzerModes(db: Kysely<DB>): Promise<AnalyzerMode[]> {
  const rows = await db.selectFrom('analyzer_modes').selectAll().orderBy('analyzer_id').orderBy('site').execute();
  return rows.map((r) => ({ analyzerId: r.analyzer_id, site: r.site, mode: modeOf(r.mode), changedBy: r.changed_by, reason: r.reason, changedAt: r.changed_at }));
}

export interface ModeChange {
  analyzerId: string;
  site: string;
  mode: RolloutMode;
  actor: string;
  source: string;
  reason: string;
}

/** Sets the mode and audits config.rollout-mode-changed with the old and new mode, in one transaction; returns the old mode. */
export async function setRolloutMode(database: Database, change: ModeChange, now: number): Promise<RolloutMode> {
  return database.db.transaction().execute(async (trx) => {
    await database.lockAuditChain(trx);
    const before = await trx.selectFrom('analyzer_modes').select('mode').where('analyzer_id', '=', change.analyzerId).where('site', '=', change.site).executeTakeFirst();
    const previous = before ? modeOf(before.mode) : await rolloutModeOf(trx, change.analyzerId, change.site);
    const values = { mode: change.mode, changed_by: change.actor, reason: change.reason, changed_at: now };
    await trx
      .insertInto('analyzer_modes')
      .values({ analyzer_id: change.analyzerId, site: change.site, ...values })
      .onConflict((oc) => oc.columns(['analyzer_id', 'site']).doUpdateSet(values))
      .execute();
    await appendAudit(
      database,
      trx,
      {
        type: 'config.rollout-mode-changed',
        outcome: 'success',
        actor: change.actor,
        source: change.source,
        detail: { analyzerId: change.analyzerId, site: change.site, from: previous, to: change.mode, reason: change.reason },
      },
      now,
    );
    return previous;
  });
}
