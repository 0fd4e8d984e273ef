import type { Kysely, Migration } from 'kysely';
import type { Database } from './database.js';

/** 0010-message-outbox: each message (HL7 v2 today) the hub sends, one row per logical message and destination, written before the send. */
export function messageOutboxMigration(database: Database): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('message_outbox')
        .addColumn('id', 'integer', database.autoId)
        .addColumn('job_key', 'text', (c) => c.notNull().unique())
        .addColumn('study_uid', 'text', (c) => c.notNull())
        .addColumn('destination', 'text', (c) => c.notNull())
        .addColumn('message_key', 'text', (c) => c.notNull())
        .addColumn('control_id', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .addColumn('sent_to', 'text')
        .addColumn('reply', 'text')
        .execute();
      await db.schema.createIndex('message_outbox_destination').on('message_outbox').columns(['destination', 'id']).execute();
      await db.schema.createIndex('message_outbox_study').on('message_outbox').column('study_uid').execute();
    },
  };
}
