import type { Kysely, Migration } from 'kysely';
import type { Database } from './database.js';

/** 0011-order-context: patient, order and trauma activation context read from HL7 v2 messages, one row per message. */
export function orderContextMigration(database: Database): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('order_context')
        .addColumn('id', 'integer', database.autoId)
        .addColumn('message_type', 'text', (c) => c.notNull())
        .addColumn('patient_id', 'text', (c) => c.notNull())
        .addColumn('accession_number', 'text')
        .addColumn('priority', 'text')
        .addColumn('trauma_activation', 'text')
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('order_context_accession').on('order_context').column('accession_number').execute();
      await db.schema.createIndex('order_context_patient').on('order_context').column('patient_id').execute();
    },
  };
}
