import type { Kysely, Migration } from 'kysely';
import type { Database } from './database.js';

/** 0003-routing: rule document versions, routing decisions per series and rule, rollout modes per analyzer and site. */
export function routingMigration(database: Database): Migration {
  const id = database.autoId;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rule_documents')
        .addColumn('id', 'integer', id)
        .addColumn('version', 'integer', (c) => c.notNull().unique())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('changed_by', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('changed_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('routing_decisions')
        .addColumn('id', 'integer', id)
        .addColumn('study_uid', 'text', (c) => c.notNull())
        .addColumn('series_uid', 'text', (c) => c.notNull())
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('rules_version', 'integer', (c) => c.notNull())
        .addColumn('matched', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('actions', 'text', (c) => c.notNull())
        .addColumn('lane', 'text', (c) => c.notNull())
        .addColumn('explanation', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('routing_decisions_once', ['series_uid', 'generation', 'rule_id'])
        .execute();
      await db.schema.createIndex('routing_decisions_study').on('routing_decisions').column('study_uid').execute();
      await db.schema
        .createTable('analyzer_modes')
        .addColumn('id', 'integer', id)
        .addColumn('analyzer_id', 'text', (c) => c.notNull())
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('changed_by', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('changed_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('analyzer_modes_once', ['analyzer_id', 'site'])
        .execute();
    },
  };
}
