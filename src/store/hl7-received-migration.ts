import type { Kysely, Migration } from 'kysely';

/** 0009-hl7-received: each HL7 v2 message received, once per sender and MSH-10, with the acknowledgement it was answered. */
export function hl7ReceivedMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('hl7_received')
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('control_id', 'text', (c) => c.notNull())
        .addColumn('message_type', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('ack', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('hl7_received_key', ['sender', 'control_id'])
        .execute();
    },
  };
}
