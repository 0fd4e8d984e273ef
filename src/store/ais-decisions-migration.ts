import type { Kysely, Migration } from 'kysely';
import type { Database } from './database.js';

/** 0007-ais-decisions: every decision a person made on an injury's AIS, kept in full; the latest per injury counts. */
export function aisDecisionsMigration(database: Database): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('ais_decisions')
        .addColumn('id', 'integer', database.autoId)
        .addColumn('study_uid', 'text', (c) => c.notNull())
        .addColumn('injury_id', 'text', (c) => c.notNull())
        .addColumn('confirmed', 'integer', (c) => c.notNull())
        .addColumn('severity', 'integer')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ais_decisions_study').on('ais_decisions').column('study_uid').execute();
    },
  };
}
