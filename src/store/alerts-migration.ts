import type { Kysely, Migration } from 'kysely';
import type { Database } from './database.js';

/**
 * 0012-alerts: the alerts raised for urgent and critical studies (src/store/alerts.ts), and on the
 * message outbox the channel each message goes by (HL7 v2, FHIR, webhook) and the alert it tells of.
 */
export function alertsMigration(database: Database): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('message_outbox').addColumn('channel', 'text', (c) => c.notNull().defaultTo('hl7')).execute();
      await db.schema.alterTable('message_outbox').addColumn('alert_id', 'text').execute();
      await db.schema.createIndex('message_outbox_alert').on('message_outbox').column('alert_id').execute();
      await db.schema
        .createTable('alerts')
        .addColumn('id', 'integer', database.autoId)
        .addColumn('alert_id', 'text', (c) => c.notNull().unique())
        .addColumn('study_uid', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('step', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .addColumn('escalated_at', 'bigint')
        .addColumn('acknowledged_at', 'bigint')
        .addColumn('acknowledged_by', 'text')
        .addColumn('acknowledged_via', 'text')
        .execute();
      await db.schema.createIndex('alerts_study').on('alerts').column('study_uid').execute();
      await db.schema.createIndex('alerts_state').on('alerts').columns(['state', 'created_at']).execute();
    },
  };
}
