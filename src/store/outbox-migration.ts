import type { Kysely, Migration } from 'kysely';
import type { Database } from './database.js';

/**
 * 0008-outbox: the result objects the hub wrote (one row per object, by its SOP Instance UID), and
 * the outbox of everything it sends out, one row per object and destination, written before the send.
 */
export function outboxMigration(database: Database): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('result_objects')
        .addColumn('id', 'integer', database.autoId)
        .addColumn('sop_instance_uid', 'text', (c) => c.notNull().unique())
        .addColumn('result_key', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('study_uid', 'text', (c) => c.notNull())
        .addColumn('series_uid', 'text', (c) => c.notNull())
        .addColumn('object_kind', 'text', (c) => c.notNull())
        .addColumn('sop_class_uid', 'text', (c) => c.notNull())
        .addColumn('file_path', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('result_objects_study').on('result_objects').column('study_uid').execute();
      await db.schema
        .createTable('outbox')
        .addColumn('id', 'integer', database.autoId)
        .addColumn('job_key', 'text', (c) => c.notNull().unique())
        .addColumn('study_uid', 'text', (c) => c.notNull())
        .addColumn('destination', 'text', (c) => c.notNull())
        .addColumn('object_kind', 'text', (c) => c.notNull())
        .addColumn('sop_class_uid', 'text', (c) => c.notNull())
        .addColumn('sop_instance_uid', 'text', (c) => c.notNull())
        .addColumn('file_path', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .addColumn('sent_to', 'text')
        .execute();
      await db.schema.createIndex('outbox_study').on('outbox').column('study_uid').execute();
    },
  };
}
