import type { Kysely } from 'kysely';
import type { AnalyzerDescription, AnalyzerModule } from '../domain/analyzer-description.js';
import { RadbridgeError } from '../domain/errors.js';
import { appendAudit } from './audit-log.js';
import type { Database } from './database.js';
import type { DB } from './schema.js';

/**
 * The analyzer registry: every version of every analyzer, where its code is, how it describes
 * itself (intended use, inputs, findings, model hash), whether it is approved, and at which sites
 * it runs. The analysis stage reads it for each job, so a change holds from the next job on, in
 * every process, without a restart. Every change is audited with who, why, before and after.
 */

export const approvals = ['pending', 'approved', 'retired'] as const;
export type Approval = (typeof approvals)[number];
export const ALL_SITES = '*';

export interface AnalyzerVersion {
  analyzerId: string;
  version: string;
  module: AnalyzerModule;
  description: AnalyzerDescription;
  modelHash: string | null;
  approval: Approval;
  sites: string[];
  registeredAt: number;
  changedBy: string;
  reason: string;
  changedAt: number;
}

type Row = DB['analyzer_versions'];

function versionOf(row: Omit<Row, 'id'>): AnalyzerVersion {
  return {
    analyzerId: row.analyzer_id,
    version: row.version,
    module: JSON.parse(row.module) as AnalyzerModule,
    description: JSON.parse(row.description) as AnalyzerDescription,
    modelHash: row.model_hash,
    approval: row.approval as Approval,
    sites: JSON.parse(row.sites) as string[],
    registeredAt: row.registered_at,
    changedBy: row.changed_by,
    reason: row.reason,
    changedAt: row.changed_at,
  };
}

export interface Registration {
  module: AnalyzerModule;
  description: AnalyzerDescription;
  actor: string;
  source: string;
  reason: string;
}

/**
 * Registers an analyzer version as pending approval; registering the same version with the same
 * code, model and description again changes nothing. A version is immutable: the same id and
 * version with another model file or description is refused (a changed model needs a new version).
 */
export async function registerAnalyzerVersion(database: Database, r: Registration, now: number): Promise<{ registered: boolean; version: AnalyzerVersion }> {
  const { id, version } = r.description;
  const module = JSON.stringify(r.module);
  const description = JSON.stringify(r.description);
  return database.db.transaction().execute(async (trx) => {
    await database.lockAuditChain(trx);
    const existing = await trx.selectFrom('analyzer_versions').selectAll().where('analyzer_id', '=', id).where('version', '=', version).executeTakeFirst();
    if (existing) {
      if (existing.description === description && existing.module === module) return { registered: false, version: versionOf(existing) };
      const what = existing.model_hash !== (r.description.modelHash ?? null) ? `its model hash ${existing.model_hash ?? 'none'} became ${r.description.modelHash ?? 'none'}` : 'its module or description differs';
      throw new RadbridgeError('ANALYZER_VERSION_CONFLICT', `${id}@${version} is registered already and ${what}: a changed analyzer needs a new version`);
    }
    const row = {
      analyzer_id: id,
      version,
      module,
      description,
      model_hash: r.description.modelHash ?? null,
      approval: 'pending',
      sites: JSON.stringify([ALL_SITES]),
      registered_at: now,
      changed_by: r.actor,
      reason: r.reason,
      changed_at: now,
    };
    await trx.insertInto('analyzer_versions').values(row).execute();
    await appendAudit(
      database,
      trx,
      { type: 'config.analyzer-registered', outcome: 'success', actor: r.actor, source: r.source, detail: { analyzerId: id, version, modelHash: row.model_hash, module: r.module, reason: r.reason } },
      now,
    );
    return { registered: true, version: versionOf(row) };
  });
}

export interface ApprovalChange {
  analyzerId: string;
  version: string;
  approval: Approval;
  /** Sites it runs at; default every site. */
  sites?: string[];
  actor: string;
  source: string;
  reason: string;
}

/** Sets a version's approval and sites; approving one retires the version approved before it, so one version of an analyzer runs at a time. */
export async function changeApproval(database: Database, c: ApprovalChange, now: number): Promise<{ before: AnalyzerVersion; after: AnalyzerVersion; retired: string[] }> {
  return database.db.transaction().execute(async (trx) => {
    await database.lockAuditChain(trx);
    const row = await trx.selectFrom('analyzer_versions').selectAll().where('analyzer_id', '=', c.analyzerId).where('version', '=', c.version).executeTakeFirst();
    if (!row) throw new RadbridgeError('NOT_FOUND', `no analyzer ${c.analyzerId} version ${c.version} is registered`);
    const changed = { approval: c.approval, sites: JSON.stringify(c.sites ?? [ALL_SITES]), changed_by: c.actor, reason: c.reason, changed_at: now };
    let retired: string[] = [];
    if (c.approval === 'approved') {
      const others = await trx.selectFrom('analyzer_versions').select('version').where('analyzer_id', '=', c.analyzerId).where('approval', '=', 'approved').where('version', '!=', c.version).execute();
      retired = others.map((o) => o.version);
      if (retired.length > 0) {
        await trx.updateTable('analyzer_versions').set({ approval: 'retired', changed_by: c.actor, reason: `superseded by ${c.version}: ${c.reason}`, changed_at: now }).where('analyzer_id', '=', c.analyzerId).where('version', 'in', retired).execute();
      }
    }
    await trx.updateTable('analyzer_versions').set(changed).where('id', '=', row.id).execute();
    const before = versionOf(row);
    const after = versionOf({ ...row, ...changed });
    await appendAudit(
      database,
      trx,
      {
        type: 'config.analyzer-approval-changed',
        outcome: 'success',
        actor: c.actor,
        source: c.source,
        detail: { analyzerId: c.analyzerId, version: c.version, from: { approval: before.approval, sites: before.sites }, to: { approval: after.approval, sites: after.sites }, retired, reason: c.reason },
      },
      now,
    );
    return { before, after, retired };
  });
}

export async function listAnalyzerVersions(db: Kysely<DB>): Promise<AnalyzerVersion[]> {
  const rows = await db.selectFrom('analyzer_versions').selectAll().orderBy('analyzer_id').orderBy('registered_at').execute();
  return rows.map(versionOf);
}

export async function findAnalyzerVersion(db: Kysely<DB>, analyzerId: string, version: string): Promise<AnalyzerVersion | undefined> {
  const row = await db.selectFrom('analyzer_versions').selectAll().where('analyzer_id', '=', analyzerId).where('version', '=', version).executeTakeFirst();
  return row ? versionOf(row) : undefined;
}

/** The version of an analyzer that runs at `site`, or why none does. */
export async function runnableVersion(db: Kysely<DB>, analyzerId: string, site: string): Promise<{ version: AnalyzerVersion } | { why: string }> {
  const rows = await db.selectFrom('analyzer_versions').selectAll().where('analyzer_id', '=', analyzerId).execute();
  if (rows.length === 0) return { why: `analyzer ${analyzerId} is not registered on this hub` };
  const approved = rows.map(versionOf).find((v) => v.approval === 'approved');
  if (!approved) return { why: `analyzer ${analyzerId} has no approved version (registered: ${rows.map((r) => `${r.version} ${r.approval}`).join(', ')})` };
  if (!approved.sites.includes(ALL_SITES) && !approved.sites.includes(site)) return { why: `${analyzerId}@${approved.version} is not enabled at site ${site} (sites: ${approved.sites.join(', ')})` };
  return { version: approved };
}
