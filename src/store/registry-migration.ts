import type { Kysely, Migration } from 'kysely';
import type { Database } from './database.js';

/** 0005-analyzer-registry: analyzer versions with their module, description, model hash, approval and sites; what each result ran on. */
export function registryMigration(database: Database): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('analyzer_versions')
        .addColumn('id', 'integer', database.autoId)
        .addColumn('analyzer_id', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('module', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('model_hash', 'text')
        .addColumn('approval', 'text', (c) => c.notNull())
        .addColumn('sites', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'bigint', (c) => c.notNull())
        .addColumn('changed_by', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('changed_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('analyzer_versions_once', ['analyzer_id', 'version'])
        .execute();
      await db.schema.alterTable('analysis_results').addColumn('applicable', 'integer', (c) => c.notNull().defaultTo(1)).execute();
      await db.schema.alterTable('analysis_results').addColumn('reasons', 'text', (c) => c.notNull().defaultTo('[]')).execute();
      await db.schema.alterTable('analysis_results').addColumn('input_hash', 'text').execute();
      await db.schema.alterTable('analysis_results').addColumn('model_hash', 'text').execute();
    },
  };
}
