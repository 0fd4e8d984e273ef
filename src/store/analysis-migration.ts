import type { Kysely, Migration } from 'kysely';
import type { Database } from './database.js';

/** 0004-analysis-results: one row per analysis.run job's result. */
export function analysisMigration(database: Database): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('analysis_results')
        .addColumn('id', 'integer', database.autoId)
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('study_uid', 'text', (c) => c.notNull())
        .addColumn('series_uids', 'text', (c) => c.notNull())
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('amendment', 'integer', (c) => c.notNull())
        .addColumn('analyzer_id', 'text', (c) => c.notNull())
        .addColumn('analyzer_version', 'text', (c) => c.notNull())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('lane', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('findings', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('analysis_results_study').on('analysis_results').column('study_uid').execute();
    },
  };
}
